"""Renderers: the plan's offline HTML map and report (the only modules that import folium)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agroplan.render.map import render_map
from agroplan.render.report import render_report

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.layers import Layers
    from agroplan.plan import Plan

MAPS_DIR = Path("maps")

__all__ = ["default_map_path", "render_map", "render_outputs", "render_report", "report_path"]


def default_map_path(scenario_name: str) -> Path:
    """``maps/<scenario>.html``."""
    return MAPS_DIR / f"{scenario_name}.html"


def report_path(map_path: Path) -> Path:
    """The report next to a map: ``maps/<name>.html`` -> ``maps/<name>-report.html``."""
    return map_path.with_name(f"{map_path.stem}-report.html")


def render_outputs(
    plan: Plan, inputs: PlanInputs, layers: Layers, map_path: Path | None = None
) -> tuple[Path, Path]:
    """Write the map and its report; returns ``(map, report)`` absolute paths."""
    target = Path(map_path) if map_path is not None else default_map_path(inputs.scenario.name)
    written_map = render_map(plan, inputs, layers, target)
    written_report = render_report(plan, inputs, layers, report_path(target))
    return written_map, written_report
