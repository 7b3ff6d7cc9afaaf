"""The map's data: plain JSON values built from a plan, its inputs and the layers.

Pure functions, no folium: :func:`build_map_data` returns what the page's script draws.
Quarter-dependent values are lists with one entry per quarter of the horizon, so the time
slider only indexes them. Popups and labels are escaped HTML built here in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from agroplan.errors import OutputError
from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_ordinal
from agroplan.plan.result import Plan
from agroplan.render.frames import (
    COORD_DIGITS,
    district_name,
    json_num,
    latlon,
    period_index,
    series,
)
from agroplan.render.points import candidates, farms, flows, hubs, origins, towns
from agroplan.render.text import esc, fmt_num, fmt_usd

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

BASEMAP_TOLERANCE_DEG = 0.002  # simplification of the drawn-only basemap (~200 m)
DISTRICT_TOLERANCE_DEG = 0.0005


def build_map_data(plan: Plan, inputs: PlanInputs, layers: Layers) -> dict[str, Any]:
    """Everything the map draws, as JSON-ready values.

    Parameters
    ----------
    plan
        A plan (a plan without a solution draws the candidates and the KPI panel only).
    inputs
        The inputs the plan was solved from (names, districts, scenario parameters).
    layers
        The layers of the scenario (geometries).
    """
    periods = tuple(plan.periods) or tuple(inputs.periods)
    _check_ids(plan, layers)
    return {
        "title": esc(inputs.scenario.name),
        "periods": list(periods),
        "bounds": _bounds(layers.districts.geometry),
        "basemap": _geojson(layers.context, ["kind"], BASEMAP_TOLERANCE_DEG),
        "districts": _districts(plan, inputs, layers, periods),
        "farms": farms(plan, inputs, layers, periods),
        "towns": towns(plan, inputs, layers, periods),
        "flows": flows(plan, inputs, layers, periods),
        "hubs": hubs(plan, layers),
        "origins": origins(plan, inputs, layers),
        "candidates": candidates(plan, layers),
        "clearance": _clearance(inputs, layers, periods),
        "kpi": _kpis(plan, inputs, periods),
    }


def _check_ids(plan: Plan, layers: Layers) -> None:
    """Every id the plan names must be in the layers (they may have changed since)."""
    wanted = (
        ("farm site", plan.farms["site_id"], layers.farm_sites, "farm_sites"),
        ("farm site", plan.deliveries["site_id"], layers.farm_sites, "farm_sites"),
        ("hub", plan.deliveries["hub_id"], layers.hubs, "hubs"),
        ("settlement", plan.agro_towns["settlement_id"], layers.settlements, "settlements"),
        ("settlement", plan.houses["settlement_id"], layers.settlements, "settlements"),
    )
    problems = []
    for what, ids, layer, name in wanted:
        missing = sorted(set(ids.astype(str)) - set(layer.index.astype(str)))
        if missing:
            problems.append(
                f"the plan names {what}(s) {', '.join(missing[:5])} that the {name} layer no "
                "longer has; draw the plan with the layers it was solved with, or run "
                "`agroplan plan` again")
    if problems:
        raise OutputError(sorted(set(problems)))


def _bounds(geoms: gpd.GeoSeries) -> list[list[float]]:
    """``[[south, west], [north, east]]``; the map opens on the revival districts."""
    west, south, east, north = (float(v) for v in gpd.GeoSeries(geoms).total_bounds)
    return [[south, west], [north, east]]


def _geojson(gdf: gpd.GeoDataFrame, columns: Sequence[str], tolerance: float) -> dict[str, Any]:
    geoms = shapely.simplify(gdf.geometry.values, tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DIGITS))
    features = []
    for geom, (_, row) in zip(geoms, gdf.iterrows(), strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {c: _plain(row[c]) for c in columns}
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _districts(plan: Plan, inputs: PlanInputs, layers: Layers,
               periods: Sequence[str]) -> dict[str, Any]:
    site_district = inputs.sites["district_id"].astype(str)
    town_district = inputs.settlements["district_id"].astype(str)
    herd = plan.herd.assign(district_id=plan.herd["site_id"].map(site_district))
    houses = plan.houses.assign(district_id=plan.houses["settlement_id"].map(town_district))
    herd_by = series(herd, "district_id", "heads", periods, cumulative=False)
    families_by = series(houses, "district_id", "houses", periods, cumulative=True)
    cleared = _cleared(layers, periods)
    spend = plan.kpis.get("spend_by_district", {})
    zeros = [0] * len(periods)
    collection = _geojson(layers.districts.reset_index(drop=True)
                          .assign(district_id=list(layers.districts.index.astype(str))),
                          ["district_id"], DISTRICT_TOLERANCE_DEG)
    for feature in collection["features"]:
        did = feature["properties"].pop("district_id")
        name_en = layers.districts["name_en"].get(did) if "name_en" in layers.districts else None
        feature["properties"] = {
            "name": esc(district_name(inputs, did)),
            "label": esc(name_en if isinstance(name_en, str) and name_en else did),
            "label_ll": latlon(layers.districts, did),
            "families": families_by.get(did, zeros),
            "herd": herd_by.get(did, zeros),
            "spend": json_num(spend.get(did, 0.0)),
            "cleared": cleared.get(did, zeros),
        }
    return collection


def _cleared(layers: Layers, periods: Sequence[str]) -> dict[str, list[float]]:
    """Cumulative cleared agricultural ha per district, carried forward over gaps."""
    table = layers.clearance
    if "district_id" not in table.columns:
        table = table.reset_index()
    if table.empty:
        return {}
    wide = table.pivot_table(index="district_id", columns="period",
                             values="cleared_agricultural_ha", aggfunc="max")
    order = sorted(set(wide.columns) | set(periods), key=quarter_ordinal)
    wide = wide.reindex(columns=order).ffill(axis=1).fillna(0.0).reindex(columns=list(periods))
    return {str(k): [json_num(v) for v in row] for k, row in zip(wide.index, wide.to_numpy(),
                                                               strict=True)}


def _clearance(inputs: PlanInputs, layers: Layers, periods: Sequence[str]) -> list[dict[str, Any]]:
    cleared = _cleared(layers, periods)
    return [{"ll": latlon(layers.districts, did), "ha": values,
             "name": esc(district_name(inputs, did))}
            for did, values in cleared.items() if did in layers.districts.index]


def _kpis(plan: Plan, inputs: PlanInputs, periods: Sequence[str]) -> dict[str, Any]:
    k = plan.kpis

    def per_period(key: str) -> list[float]:
        values = k.get(key, {})
        return [json_num(values.get(p, 0.0)) for p in periods]

    starts = [period_index(s, periods) for s in plan.farms["build_start"]]
    ops = [period_index(s, periods) for s in plan.farms["operational_from"]]
    spend, budget = per_period("spend_by_period"), per_period("budget_by_period")
    trade = [{"year": int(r["year"]), "total": fmt_usd(float(r["total_usd"])),
              "target": fmt_usd(float(r["target_usd"])), "met": bool(r["met"]),
              "gap": fmt_usd(float(r.get("gap_usd", 0.0)))} for r in k.get("trade", [])]
    gap = plan.relative_gap
    return {
        "status": esc(plan.status),
        "gap": "-" if gap is None else f"{100 * gap:.2f}%",
        "families": per_period("families_housed_by_period"),
        "herd": per_period("herd_by_period"),
        "milk": per_period("milk_t_by_period"),
        "spend_cum": [json_num(v) for v in np.cumsum(spend)],
        "budget_cum": [json_num(v) for v in np.cumsum(budget)],
        "farms_built": [sum(1 for s in starts if s is not None and s <= t)
                        for t in range(len(periods))],
        "farms_op": [sum(1 for s in ops if s is not None and s <= t) for t in range(len(periods))],
        "totals": {
            "families": fmt_num(float(k.get("families_housed", 0))),
            "farms": fmt_num(float(k.get("farms", 0))),
            "herd": fmt_num(float(k.get("herd_heads", 0))),
            "milk": fmt_num(float(k.get("milk_t_per_year", 0.0)), 0),
            "jobs": fmt_num(float(k.get("jobs", 0.0)), 0),
            "spend": fmt_usd(float(k.get("spend_usd", 0.0))),
            "budget": fmt_usd(float(k.get("budget_usd", 0.0))),
        },
        "trade": trade,
        "milestones": [
            {"name": esc(str(r.get("name", ""))), "met": bool(r.get("met")),
             "text": esc(f"{r.get('metric')} by {r.get('by')}: "
                         f"{fmt_num(float(r.get('value', 0.0)), 0)} of "
                         f"{fmt_num(float(r.get('at_least', 0.0)), 0)}")}
            for r in k.get("milestones", [])],
        "violations": [
            esc(f"{r['key']}: {fmt_num(float(r['amount']), 1)} {r['unit']}")
            for r in plan.table("violations").to_dict("records")],
    }
