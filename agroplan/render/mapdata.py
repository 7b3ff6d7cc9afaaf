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
import pandas as pd
import shapely

from agroplan.errors import OutputError
from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_index, quarter_ordinal
from agroplan.plan import Plan
from agroplan.render.text import esc, fmt_num, fmt_usd, names, num, table_html

if TYPE_CHECKING:
    from agroplan.layers import Layers

COORD_DIGITS = 5  # about a metre: enough for a plan map, and keeps the page small
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
        "farms": _farms(plan, inputs, layers, periods),
        "towns": _towns(plan, inputs, layers, periods),
        "flows": _flows(plan, inputs, layers, periods),
        "hubs": _hubs(plan, layers),
        "origins": _origins(plan, inputs, layers),
        "candidates": _candidates(plan, layers),
        "clearance": _clearance(inputs, layers, periods),
        "kpi": _kpis(plan, inputs, periods),
    }


# --------------------------------------------------------------------------- helpers


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


def _latlon(gdf: gpd.GeoDataFrame, key: str) -> list[float]:
    geom = gdf.geometry.loc[key]
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return [round(float(point.y), COORD_DIGITS), round(float(point.x), COORD_DIGITS)]


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


def _index(label: Any, periods: Sequence[str]) -> int | None:
    """Index of a quarter label in the horizon (may fall outside 0..T-1); None if missing."""
    if label is None or (isinstance(label, float) and math.isnan(label)) or label == "":
        return None
    return quarter_index(str(label), periods[0])


def _series(df: pd.DataFrame, key: str, value: str, periods: Sequence[str],
            cumulative: bool) -> dict[str, list[float]]:
    """``{key: [value per quarter]}`` summed over other columns (optionally cumulative)."""
    if df.empty:
        return {}
    table = (df.assign(**{value: pd.to_numeric(df[value], errors="coerce").fillna(0.0)})
             .pivot_table(index=key, columns="period", values=value, aggfunc="sum")
             .reindex(columns=list(periods)).fillna(0.0))
    if cumulative:
        table = table.cumsum(axis=1)
    return {str(k): [_num(v) for v in row] for k, row in zip(table.index, table.to_numpy(),
                                                               strict=True)}


def _sum_by(df: pd.DataFrame, key: str, value: str) -> dict[str, float]:
    """``{key: total of value}``, keys as strings."""
    if df.empty:
        return {}
    totals = pd.to_numeric(df[value], errors="coerce").fillna(0.0).groupby(df[key].astype(str))
    return {str(k): num(v) for k, v in totals.sum().items()}


def _num(value: Any) -> float | int:
    number = float(value)
    if not math.isfinite(number):
        return 0
    return round(number) if abs(number - round(number)) < 1e-6 else round(number, 2)


def _district_name(inputs: PlanInputs, district_id: str) -> str:
    if district_id in inputs.districts.index:
        row = inputs.districts.loc[district_id]
        return names(row.get("name_en"), row.get("name_az")) or district_id
    return district_id


# --------------------------------------------------------------------------- layers


def _districts(plan: Plan, inputs: PlanInputs, layers: Layers,
               periods: Sequence[str]) -> dict[str, Any]:
    site_district = inputs.sites["district_id"].astype(str)
    town_district = inputs.settlements["district_id"].astype(str)
    herd = plan.herd.assign(district_id=plan.herd["site_id"].map(site_district))
    houses = plan.houses.assign(district_id=plan.houses["settlement_id"].map(town_district))
    herd_by = _series(herd, "district_id", "heads", periods, cumulative=False)
    families_by = _series(houses, "district_id", "houses", periods, cumulative=True)
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
            "name": esc(_district_name(inputs, did)),
            "label": esc(name_en if isinstance(name_en, str) and name_en else did),
            "label_ll": _latlon(layers.districts, did),
            "families": families_by.get(did, zeros),
            "herd": herd_by.get(did, zeros),
            "spend": _num(spend.get(did, 0.0)),
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
    return {str(k): [_num(v) for v in row] for k, row in zip(wide.index, wide.to_numpy(),
                                                               strict=True)}


def _farms(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    herd = _series(plan.herd, "site_id", "heads", periods, cumulative=False)
    per_100 = float(inputs.scenario.farms.workers_per_100_head)
    workers = _workers_last_quarter(plan, inputs, "site_id", "settlement_id")
    delivered = _sum_by(plan.deliveries, "site_id", "heads")
    last = periods[-1]
    farms = []
    for row in plan.farms.itertuples(index=False):
        sid = str(row.site_id)
        heads = herd.get(sid, [0] * len(periods))
        district = str(inputs.sites["district_id"].get(sid, ""))
        rows = [
            ("District", _district_name(inputs, district)),
            ("Size", f"{fmt_num(num(row.size_heads))} head"),
            ("Construction starts", str(row.build_start)),
            ("Operational from", str(row.operational_from)),
            (f"Herd ({last})", f"{fmt_num(float(heads[-1]))} head"),
            (f"Jobs ({last})", fmt_num(float(heads[-1]) * per_100 / 100.0)),
            ("Heifers delivered", f"{fmt_num(num(delivered.get(sid, 0)))} head"),
            (f"Workers live in ({last})", workers.get(sid, "-")),
        ]
        farms.append({
            "id": sid,
            "ll": _latlon(layers.farm_sites, sid),
            "size": _num(row.size_heads),
            "start": _index(row.build_start, periods),
            "op": _index(row.operational_from, periods),
            "herd": heads,
            "tip": esc(f"Dairy farm {sid}, {fmt_num(num(row.size_heads))} head"),
            "popup": table_html(f"Dairy farm {sid}", rows),
        })
    return farms


def _workers_last_quarter(plan: Plan, inputs: PlanInputs, key: str, other: str
                          ) -> dict[str, str]:
    """``{key: "other (workers), ..."}`` for the last quarter, from the workforce table."""
    table = plan.table("workforce")
    if table.empty or not plan.periods:
        return {}
    last = table[table["period"].astype(str) == plan.periods[-1]]
    last = last.assign(workers=pd.to_numeric(last["workers"], errors="coerce").fillna(0.0))
    last = last[last["workers"] > 0.5].sort_values("workers", ascending=False)
    out: dict[str, list[str]] = {}
    for row in last.itertuples(index=False):
        who = str(getattr(row, other))
        who = _town_name(inputs, who) if other == "settlement_id" else f"farm {who}"
        out.setdefault(str(getattr(row, key)), []).append(f"{who} ({fmt_num(num(row.workers), 0)})")
    return {k: ", ".join(v) for k, v in out.items()}


def _town_name(inputs: PlanInputs, settlement_id: str) -> str:
    if settlement_id in inputs.settlements.index:
        row = inputs.settlements.loc[settlement_id]
        return names(row.get("name_en"), row.get("name_az")) or settlement_id
    return settlement_id


def _towns(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    houses = _series(plan.houses, "settlement_id", "houses", periods, cumulative=True)
    developed = {str(r.settlement_id): r.developed_in for r in plan.agro_towns.itertuples()}
    per_quarter = plan.houses[pd.to_numeric(plan.houses["houses"], errors="coerce") > 0]
    workers = _workers_last_quarter(plan, inputs, "settlement_id", "site_id")
    towns = []
    for sid in sorted(set(developed) | set(houses)):
        info = inputs.settlements.loc[sid] if sid in inputs.settlements.index else pd.Series()
        label = names(info.get("name_en"), info.get("name_az")) or sid
        built = houses.get(sid, [0] * len(periods))
        mine = per_quarter[per_quarter["settlement_id"].astype(str) == sid].sort_values("period")
        schedule = " · ".join(f"{r.period}: {fmt_num(num(r.houses))}" for r in mine.itertuples())
        rows = [
            ("English name", str(info.get("name_en", ""))),
            ("Azerbaijani name", str(info.get("name_az", ""))),
            ("District", _district_name(inputs, str(info.get("district_id", "")))),
            ("Agro-town developed in", str(developed.get(sid, "-"))),
            ("Families housed", fmt_num(float(built[-1]))),
            ("Returning families", fmt_num(num(info.get("returning_families", 0)))),
            ("Houses per quarter", schedule or "none"),
            (f"Farm workers living here ({periods[-1]})", workers.get(sid, "-")),
        ]
        towns.append({
            "id": sid,
            "ll": _latlon(layers.settlements, sid),
            "dev": _index(developed.get(sid), periods),
            "houses": built,
            "name": esc(label),
            "popup": table_html(f"Agro-town {label}", rows),
        })
    return towns


def _flows(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    deliveries = plan.deliveries
    if deliveries.empty:
        return []
    pairs = deliveries.assign(pair=deliveries["hub_id"].astype(str) + "\t"
                              + deliveries["site_id"].astype(str))
    heads = _series(pairs, "pair", "heads", periods, cumulative=True)
    flows = []
    for pair, cumulative in heads.items():
        hub, site = pair.split("\t")
        hub_name = str(inputs.hubs["name"].get(hub, hub)) if hub in inputs.hubs.index else hub
        flows.append({
            "ll": [_latlon(layers.hubs, hub), _latlon(layers.farm_sites, site)],
            "heads": cumulative,
            "name": esc(f"{hub_name} → farm {site}"),
        })
    return flows


def _hubs(plan: Plan, layers: Layers) -> list[dict[str, Any]]:
    heads = _sum_by(plan.deliveries, "hub_id", "heads")
    m3 = _sum_by(plan.table("timber"), "hub_id", "m3")
    hubs = []
    for hub_id, row in layers.hubs.iterrows():
        hid = str(hub_id)
        rows = [
            ("Mode", str(row.get("mode", ""))),
            ("Capacity", f"{fmt_num(num(row.get('capacity_heads_per_quarter', 0)))} head "
                         "per quarter"),
            ("Heifers through the hub", f"{fmt_num(num(heads.get(hid, 0)))} head"),
            ("Timber through the hub", f"{fmt_num(num(m3.get(hid, 0)), 0)} m3"),
        ]
        if bool(row.get("schematic", False)):
            rows.append(("Location", "schematic"))
        note = row.get("note")
        if isinstance(note, str) and note.strip():
            rows.append(("Note", note))
        hubs.append({
            "ll": _latlon(layers.hubs, hub_id),
            "mode": esc(row.get("mode", "")),
            "name": esc(row.get("name", hid)),
            "popup": table_html(f"Hub {row.get('name', hid)}", rows),
        })
    return hubs


def _origins(plan: Plan, inputs: PlanInputs, layers: Layers) -> list[dict[str, Any]]:
    heads = _sum_by(plan.deliveries, "origin_id", "heads")
    m3 = _sum_by(plan.table("timber"), "origin_id", "m3")
    origins = []
    for origin_id, row in layers.origins.iterrows():
        oid = str(origin_id)
        km = (num(inputs.long_haul_km.loc[oid].min()) if oid in inputs.long_haul_km.index
              else None)
        rows = [
            ("Belarusian name", str(row.get("name_be", ""))),
            ("Oblast", str(row.get("oblast", ""))),
            ("Heifers shipped", f"{fmt_num(num(heads.get(oid, 0)))} head"),
            ("Timber shipped", f"{fmt_num(num(m3.get(oid, 0)), 0)} m3"),
            ("Route to the nearest hub", "-" if km is None else f"{fmt_num(km, 0)} km"),
        ]
        name = str(row.get("name_en", oid))
        origins.append({
            "ll": _latlon(layers.origins, origin_id),
            "name": esc(name),
            "label": esc(f"{name}: {fmt_num(num(heads.get(oid, 0)))} heifers"),
            "popup": table_html(f"Belarusian origin {name}", rows),
        })
    return origins


def _candidates(plan: Plan, layers: Layers) -> list[dict[str, Any]]:
    chosen_sites = set(plan.farms["site_id"].astype(str))
    used_towns = set(plan.agro_towns["settlement_id"].astype(str)) | set(
        plan.houses["settlement_id"].astype(str))
    out = []
    for site_id, row in layers.farm_sites.iterrows():
        if str(site_id) in chosen_sites:
            continue
        rows = [("District", str(row.get("district_id", ""))),
                ("Largest complex", f"{fmt_num(num(row.get('max_size_heads', 0)))} head"),
                ("Elevation", f"{fmt_num(num(row.get('elevation_m', 0)), 0)} m"),
                ("Land released", str(row.get("available_from", "")))]
        out.append({"ll": _latlon(layers.farm_sites, site_id), "kind": "site",
                    "popup": table_html(f"Farm site {site_id} (not chosen)", rows)})
    for sid, row in layers.settlements.iterrows():
        if str(sid) in used_towns:
            continue
        label = names(row.get("name_en"), row.get("name_az")) or str(sid)
        rows = [("Returning families", fmt_num(num(row.get("returning_families", 0)))),
                ("Room for houses", fmt_num(num(row.get("max_houses", 0)))),
                ("Land released", str(row.get("available_from", "")))]
        out.append({"ll": _latlon(layers.settlements, sid), "kind": "town",
                    "popup": table_html(f"Settlement {label} (not developed)", rows)})
    return out


def _clearance(inputs: PlanInputs, layers: Layers, periods: Sequence[str]) -> list[dict[str, Any]]:
    cleared = _cleared(layers, periods)
    return [{"ll": _latlon(layers.districts, did), "ha": values,
             "name": esc(_district_name(inputs, did))}
            for did, values in cleared.items() if did in layers.districts.index]


def _kpis(plan: Plan, inputs: PlanInputs, periods: Sequence[str]) -> dict[str, Any]:
    k = plan.kpis

    def per_period(key: str) -> list[float]:
        values = k.get(key, {})
        return [_num(values.get(p, 0.0)) for p in periods]

    starts = [_index(s, periods) for s in plan.farms["build_start"]]
    ops = [_index(s, periods) for s in plan.farms["operational_from"]]
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
        "spend_cum": [_num(v) for v in np.cumsum(spend)],
        "budget_cum": [_num(v) for v in np.cumsum(budget)],
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
    }
