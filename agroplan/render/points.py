"""The map's point and line layers: farms, agro-towns, cattle flows, hubs, origins, candidates.

Each function returns JSON-ready dicts. Names and short texts are plain text (the page's
script shows them as text, never as HTML); popups are HTML from ``templates/popups.html``,
escaped there. Every text is in the language of the :class:`Layer` it gets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan
from agroplan.render.frames import (
    district_name,
    json_num,
    latlon,
    num,
    period_index,
    series,
    sum_by,
    town_name,
)
from agroplan.render.i18n import Translator
from agroplan.render.labels import label

if TYPE_CHECKING:
    from agroplan.layers.read import Layers


@dataclass(frozen=True)
class Layer:
    """What every layer function needs: the plan, its inputs and layers, the quarters, the
    language and the popup macro."""

    plan: Plan
    inputs: PlanInputs
    layers: Layers
    periods: Sequence[str]
    tr: Translator
    parts: Any  # the macros of templates/popups.html in the page's language

    def popup(self, title: str, rows: Sequence[tuple[str, str]]) -> str:
        return str(self.parts.popup(title, rows))

    def heads(self, count: float) -> str:
        return self.tr.ngettext("%(num)s head", "%(num)s head", count) % {
            "num": self.tr.number(count)}


def farms(ctx: Layer) -> list[dict[str, Any]]:
    plan, inputs, tr, periods = ctx.plan, ctx.inputs, ctx.tr, ctx.periods
    _ = tr.gettext
    herd = series(plan.herd, "site_id", "heads", periods, cumulative=False)
    per_100 = float(inputs.scenario.farms.workers_per_100_head)
    workers = _workers_last_quarter(ctx, "site_id", "settlement_id")
    delivered = sum_by(plan.deliveries, "site_id", "heads")
    last = tr.quarter(periods[-1])
    farms = []
    for row in plan.farms.itertuples(index=False):
        sid = str(row.site_id)
        heads = herd.get(sid, [0] * len(periods))
        district = str(inputs.sites["district_id"].get(sid, ""))
        title = _("Dairy farm %(site)s") % {"site": sid}
        rows = [
            (_("District"), district_name(inputs, district, tr)),
            (_("Size"), ctx.heads(num(row.size_heads))),
            (_("Construction starts"), tr.quarter(row.build_start)),
            (_("Operational from"), tr.quarter(row.operational_from)),
            (_("Herd (%(quarter)s)") % {"quarter": last}, ctx.heads(float(heads[-1]))),
            (_("Jobs (%(quarter)s)") % {"quarter": last},
             tr.number(float(heads[-1]) * per_100 / 100.0)),
            (_("Heifers delivered"), ctx.heads(num(delivered.get(sid, 0)))),
            (_("Workers live in (%(quarter)s)") % {"quarter": last}, workers.get(sid, "-")),
        ]
        farms.append({
            "id": sid,
            "ll": latlon(ctx.layers.farm_sites, sid),
            "size": json_num(row.size_heads),
            "start": period_index(row.build_start, periods),
            "op": period_index(row.operational_from, periods),
            "herd": heads,
            "label": title,
            "tip": f"{title}, {ctx.heads(num(row.size_heads))}",
            "popup": ctx.popup(title, rows),
        })
    return farms


def _workers_last_quarter(ctx: Layer, key: str, other: str) -> dict[str, str]:
    """``{key: "other (workers), ..."}`` for the last quarter, from the workforce table."""
    plan, tr = ctx.plan, ctx.tr
    table = plan.table("workforce")
    if table.empty or not plan.periods:
        return {}
    last = table[table["period"].astype(str) == plan.periods[-1]]
    last = last.assign(workers=pd.to_numeric(last["workers"], errors="coerce").fillna(0.0))
    last = last[last["workers"] > 0.5].sort_values("workers", ascending=False)
    out: dict[str, list[str]] = {}
    for row in last.itertuples(index=False):
        who = str(getattr(row, other))
        who = (town_name(ctx.inputs, who, tr) if other == "settlement_id"
               else tr.gettext("farm %(site)s") % {"site": who})
        out.setdefault(str(getattr(row, key)), []).append(
            f"{who} ({tr.number(num(row.workers), 0)})")
    return {k: ", ".join(v) for k, v in out.items()}


def towns(ctx: Layer) -> list[dict[str, Any]]:
    plan, inputs, tr, periods = ctx.plan, ctx.inputs, ctx.tr, ctx.periods
    _ = tr.gettext
    houses = series(plan.houses, "settlement_id", "houses", periods, cumulative=True)
    developed = {str(r.settlement_id): r.developed_in for r in plan.agro_towns.itertuples()}
    per_quarter = plan.houses[pd.to_numeric(plan.houses["houses"], errors="coerce") > 0]
    workers = _workers_last_quarter(ctx, "settlement_id", "site_id")
    towns = []
    for sid in sorted(set(developed) | set(houses)):
        info = inputs.settlements.loc[sid] if sid in inputs.settlements.index else pd.Series()
        name = tr.place(info, sid)
        built = houses.get(sid, [0] * len(periods))
        mine = per_quarter[per_quarter["settlement_id"].astype(str) == sid].sort_values("period")
        schedule = " · ".join(f"{tr.quarter(r.period)}: {tr.number(num(r.houses))}"
                              for r in mine.itertuples())
        rows = [
            (_("Azerbaijani name"), str(info.get("name_az", ""))),
            (_("English name"), str(info.get("name_en", ""))),
            *([(_("Russian name"), str(info.get("name_ru")))] if info.get("name_ru") else []),
            (_("District"), district_name(inputs, str(info.get("district_id", "")), tr)),
            (_("Agro-town developed in"), tr.quarter(developed.get(sid))),
            (_("Families housed"), tr.number(float(built[-1]))),
            (_("Returning families"), tr.number(num(info.get("returning_families", 0)))),
            (_("Houses per quarter"), schedule or _("none")),
            (_("Farm workers living here (%(quarter)s)") % {"quarter": tr.quarter(periods[-1])},
             workers.get(sid, "-")),
        ]
        towns.append({
            "id": sid,
            "ll": latlon(ctx.layers.settlements, sid),
            "dev": period_index(developed.get(sid), periods),
            "houses": built,
            "name": name,
            "popup": ctx.popup(_("Agro-town %(name)s") % {"name": name}, rows),
        })
    return towns


def flows(ctx: Layer) -> list[dict[str, Any]]:
    deliveries, inputs = ctx.plan.deliveries, ctx.inputs
    if deliveries.empty:
        return []
    pairs = deliveries.assign(pair=deliveries["hub_id"].astype(str) + "\t"
                              + deliveries["site_id"].astype(str))
    heads = series(pairs, "pair", "heads", ctx.periods, cumulative=True)
    flows = []
    for pair, cumulative in heads.items():
        hub, site = pair.split("\t")
        hub_name = str(inputs.hubs["name"].get(hub, hub)) if hub in inputs.hubs.index else hub
        flows.append({
            "ll": [latlon(ctx.layers.hubs, hub), latlon(ctx.layers.farm_sites, site)],
            "heads": cumulative,
            "name": ctx.tr.gettext("%(hub)s → farm %(site)s") % {"hub": hub_name, "site": site},
        })
    return flows


def hubs(ctx: Layer) -> list[dict[str, Any]]:
    tr = ctx.tr
    _ = tr.gettext
    heads = sum_by(ctx.plan.deliveries, "hub_id", "heads")
    m3 = sum_by(ctx.plan.table("timber"), "hub_id", "m3")
    hubs = []
    for hub_id, row in ctx.layers.hubs.iterrows():
        hid = str(hub_id)
        rows = [
            (_("Mode"), label(tr, "mode", row.get("mode", ""))),
            (_("Capacity"), _("%(heads)s per quarter") % {
                "heads": ctx.heads(num(row.get("capacity_heads_per_quarter", 0)))}),
            (_("Heifers through the hub"), ctx.heads(num(heads.get(hid, 0)))),
            (_("Timber through the hub"), _("%(num)s m³") % {
                "num": tr.number(num(m3.get(hid, 0)), 0)}),
        ]
        if bool(row.get("schematic", False)):
            rows.append((_("Location"), _("schematic")))
        note = row.get("note")
        if isinstance(note, str) and note.strip():
            rows.append((_("Note"), note))
        name = str(row.get("name", hid))
        hubs.append({
            "id": hid,
            "ll": latlon(ctx.layers.hubs, hub_id),
            "mode": str(row.get("mode", "")),
            "name": name,
            "popup": ctx.popup(_("Hub %(name)s") % {"name": name}, rows),
        })
    return hubs


def origins(ctx: Layer) -> list[dict[str, Any]]:
    tr, inputs = ctx.tr, ctx.inputs
    _ = tr.gettext
    heads = sum_by(ctx.plan.deliveries, "origin_id", "heads")
    m3 = sum_by(ctx.plan.table("timber"), "origin_id", "m3")
    origins = []
    for origin_id, row in ctx.layers.origins.iterrows():
        oid = str(origin_id)
        km = (num(inputs.long_haul_km.loc[oid].min()) if oid in inputs.long_haul_km.index
              else None)
        shipped = num(heads.get(oid, 0))
        rows = [
            (_("Belarusian name"), str(row.get("name_be", ""))),
            (_("Oblast"), str(row.get("oblast", ""))),
            (_("Heifers shipped"), ctx.heads(shipped)),
            (_("Timber shipped"), _("%(num)s m³") % {"num": tr.number(num(m3.get(oid, 0)), 0)}),
            (_("Route to the nearest hub"),
             "-" if km is None else _("%(num)s km") % {"num": tr.number(km, 0)}),
        ]
        name = str(row.get("name_en", oid))
        origins.append({
            "ll": latlon(ctx.layers.origins, origin_id),
            "name": name,
            "label": tr.ngettext("%(origin)s: %(num)s heifer", "%(origin)s: %(num)s heifers",
                                 shipped) % {"origin": name, "num": tr.number(shipped)},
            "popup": ctx.popup(_("Belarusian origin %(name)s") % {"name": name}, rows),
        })
    return origins


def candidates(ctx: Layer) -> list[dict[str, Any]]:
    tr, layers = ctx.tr, ctx.layers
    _ = tr.gettext
    chosen_sites = set(ctx.plan.farms["site_id"].astype(str))
    used_towns = set(ctx.plan.agro_towns["settlement_id"].astype(str)) | set(
        ctx.plan.houses["settlement_id"].astype(str))
    out = []
    for site_id, row in layers.farm_sites.iterrows():
        if str(site_id) in chosen_sites:
            continue
        rows = [(_("District"), district_name(ctx.inputs, str(row.get("district_id", "")), tr)),
                (_("Largest complex"), ctx.heads(num(row.get("max_size_heads", 0)))),
                (_("Elevation"), _("%(num)s m") % {
                    "num": tr.number(num(row.get("elevation_m", 0)), 0)}),
                (_("Land released"), tr.quarter(row.get("available_from", "")))]
        out.append({"ll": latlon(layers.farm_sites, site_id), "kind": "site",
                    "popup": ctx.popup(_("Farm site %(site)s (not chosen)") % {
                        "site": site_id}, rows)})
    for sid, row in layers.settlements.iterrows():
        if str(sid) in used_towns:
            continue
        rows = [(_("Returning families"), tr.number(num(row.get("returning_families", 0)))),
                (_("Room for houses"), tr.number(num(row.get("max_houses", 0)))),
                (_("Land released"), tr.quarter(row.get("available_from", "")))]
        out.append({"ll": latlon(layers.settlements, sid), "kind": "town",
                    "popup": ctx.popup(_("Settlement %(name)s (not developed)") % {
                        "name": tr.place(row, str(sid))}, rows)})
    return out
