"""What leaves a plan folder: its four map layers, its other tables and one row about it.

The layers ``farms``, ``agro_towns``, ``deliveries`` and ``districts`` are those of
``plan.gpkg`` (each holds every column of the plan table of the same name, plus names,
districts and geometries). The tables ``herd``, ``houses``, ``timber``, ``workforce``,
``spend``, ``violations`` and ``binding`` come from ``plan.json`` with their types, so an
empty table still has typed columns. ``plans`` is one row: the plan's id, scenario, status,
solver figures, horizon and KPIs (as JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from agroplan.plan.folder import GPKG_FILE, read_plan
from agroplan.plan.gpkg import LAYERS, read_gpkg

GEOMETRY_TYPES = dict(LAYERS)
"""Layer name -> geometry type (EPSG:4326)."""


@dataclass(frozen=True)
class PlanFrames:
    """The layers and tables of one plan, ready to export.

    Attributes
    ----------
    plan_id
        The id that marks the plan's rows where several plans share tables.
    layers
        Layer name -> GeoDataFrame in EPSG:4326 (see :data:`GEOMETRY_TYPES`).
    tables
        Table name -> DataFrame; ``plans`` is the plan's own row.
    """

    plan_id: str
    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]


def plan_frames(plan_dir: str | Path, plan_id: str | None = None) -> PlanFrames:
    """Read the plan folder ``plan_dir`` into its layers and tables.

    Parameters
    ----------
    plan_dir
        A folder written by ``agroplan plan`` or ``agroplan replan``.
    plan_id
        The plan's id in shared tables; default: the folder's name.

    Raises
    ------
    OutputError
        When the folder, ``plan.json`` or ``plan.gpkg`` is missing or unreadable.
    """
    folder = Path(plan_dir)
    plan = read_plan(folder)
    layers = read_gpkg(folder / GPKG_FILE)
    tables = {name: frame for name, frame in plan.tables.items() if name not in layers}
    tables["plans"] = pd.DataFrame([{
        "scenario": plan.scenario, "status": plan.status, "solver": plan.solver,
        "objective": plan.objective, "best_bound": plan.best_bound,
        "relative_gap": plan.relative_gap,
        "first_period": plan.periods[0] if plan.periods else None,
        "last_period": plan.periods[-1] if plan.periods else None,
        "kpis": json.dumps(plan.kpis, sort_keys=True),
    }]).astype({"objective": float, "best_bound": float, "relative_gap": float})
    return PlanFrames(plan_id=plan_id or folder.resolve().name, layers=layers, tables=tables)
