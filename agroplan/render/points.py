"""The map's point and line layers: farms, agro-towns, cattle flows, hubs, origins, candidates.

Each function returns JSON-ready dicts; popups are escaped HTML tables built here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan
from agroplan.render.frames import (
    district_name,
    json_num,
    latlon,
    period_index,
    series,
    sum_by,
    town_name,
)
from agroplan.render.text import esc, fmt_num, names, num, table_html

if TYPE_CHECKING:
    from agroplan.layers.read import Layers


def farms(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    herd = series(plan.herd, "site_id", "heads", periods, cumulative=False)
    per_100 = float(inputs.scenario.farms.workers_per_100_head)
    workers = _workers_last_quarter(plan, inputs, "site_id", "settlement_id")
    delivered = sum_by(plan.deliveries, "site_id", "heads")
    last = periods[-1]
    farms = []
    for row in plan.farms.itertuples(index=False):
        sid = str(row.site_id)
        heads = herd.get(sid, [0] * len(periods))
        district = str(inputs.sites["district_id"].get(sid, ""))
        rows = [
            ("District", district_name(inputs, district)),
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
            "ll": latlon(layers.farm_sites, sid),
            "size": json_num(row.size_heads),
            "start": period_index(row.build_start, periods),
            "op": period_index(row.operational_from, periods),
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
        who = town_name(inputs, who) if other == "settlement_id" else f"farm {who}"
        out.setdefault(str(getattr(row, key)), []).append(f"{who} ({fmt_num(num(row.workers), 0)})")
    return {k: ", ".join(v) for k, v in out.items()}


def towns(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    houses = series(plan.houses, "settlement_id", "houses", periods, cumulative=True)
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
            ("District", district_name(inputs, str(info.get("district_id", "")))),
            ("Agro-town developed in", str(developed.get(sid, "-"))),
            ("Families housed", fmt_num(float(built[-1]))),
            ("Returning families", fmt_num(num(info.get("returning_families", 0)))),
            ("Houses per quarter", schedule or "none"),
            (f"Farm workers living here ({periods[-1]})", workers.get(sid, "-")),
        ]
        towns.append({
            "id": sid,
            "ll": latlon(layers.settlements, sid),
            "dev": period_index(developed.get(sid), periods),
            "houses": built,
            "name": esc(label),
            "popup": table_html(f"Agro-town {label}", rows),
        })
    return towns


def flows(plan: Plan, inputs: PlanInputs, layers: Layers,
           periods: Sequence[str]) -> list[dict[str, Any]]:
    deliveries = plan.deliveries
    if deliveries.empty:
        return []
    pairs = deliveries.assign(pair=deliveries["hub_id"].astype(str) + "\t"
                              + deliveries["site_id"].astype(str))
    heads = series(pairs, "pair", "heads", periods, cumulative=True)
    flows = []
    for pair, cumulative in heads.items():
        hub, site = pair.split("\t")
        hub_name = str(inputs.hubs["name"].get(hub, hub)) if hub in inputs.hubs.index else hub
        flows.append({
            "ll": [latlon(layers.hubs, hub), latlon(layers.farm_sites, site)],
            "heads": cumulative,
            "name": esc(f"{hub_name} → farm {site}"),
        })
    return flows


def hubs(plan: Plan, layers: Layers) -> list[dict[str, Any]]:
    heads = sum_by(plan.deliveries, "hub_id", "heads")
    m3 = sum_by(plan.table("timber"), "hub_id", "m3")
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
            "ll": latlon(layers.hubs, hub_id),
            "mode": esc(row.get("mode", "")),
            "name": esc(row.get("name", hid)),
            "popup": table_html(f"Hub {row.get('name', hid)}", rows),
        })
    return hubs


def origins(plan: Plan, inputs: PlanInputs, layers: Layers) -> list[dict[str, Any]]:
    heads = sum_by(plan.deliveries, "origin_id", "heads")
    m3 = sum_by(plan.table("timber"), "origin_id", "m3")
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
            "ll": latlon(layers.origins, origin_id),
            "name": esc(name),
            "label": esc(f"{name}: {fmt_num(num(heads.get(oid, 0)))} heifers"),
            "popup": table_html(f"Belarusian origin {name}", rows),
        })
    return origins


def candidates(plan: Plan, layers: Layers) -> list[dict[str, Any]]:
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
        out.append({"ll": latlon(layers.farm_sites, site_id), "kind": "site",
                    "popup": table_html(f"Farm site {site_id} (not chosen)", rows)})
    for sid, row in layers.settlements.iterrows():
        if str(sid) in used_towns:
            continue
        label = names(row.get("name_en"), row.get("name_az")) or str(sid)
        rows = [("Returning families", fmt_num(num(row.get("returning_families", 0)))),
                ("Room for houses", fmt_num(num(row.get("max_houses", 0)))),
                ("Land released", str(row.get("available_from", "")))]
        out.append({"ll": latlon(layers.settlements, sid), "kind": "town",
                    "popup": table_html(f"Settlement {label} (not developed)", rows)})
    return out
