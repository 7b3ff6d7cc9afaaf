"""The comparison page: key figures, changed decisions and a map with one layer per plan.

One self-contained HTML file (``compare.html``) that opens offline, like the plan's map
and report: ``templates/compare.html`` lays it out around folium's map, with Leaflet and
jQuery inlined. Each plan's farms (filled circles) and agro-towns (rings) are a layer of
its own colour that the layer control turns on and off. ``compare.json`` holds the same
figures for programs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from agroplan.config.sections import Language
from agroplan.plan.result import Plan
from agroplan.render.frames import num
from agroplan.render.i18n import Translator, translator
from agroplan.render.labels import label
from agroplan.render.offline import write_atomic
from agroplan.render.paper import PageFacts, page_facts, plan_status
from agroplan.render.shell import ShellSettings, new_map, page_html, use_shell
from agroplan.render.templating import macros
from agroplan.studies.compare import (
    Comparison,
    FarmChange,
    HouseChange,
    KpiRow,
    Places,
    comparison_record,
    lat_lon,
)

# colour-blind-safe (Okabe-Ito), the baseline first
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
# each plan's outline, so that no two plans differ by colour alone: solid, dashed, dotted...
DASHES = ("", "6 3", "1.5 3", "8 3 2 3", "3 3", "10 4", "1.5 6", "12 3 3 3")
MAP_HEIGHT_PX = 560
ENGLISH = translator("en")


def colour(index: int) -> str:
    """The colour of the plan at ``index`` (the baseline is 0)."""
    return COLOURS[index % len(COLOURS)]


def dash(index: int) -> str:
    """The outline of the plan at ``index``: an SVG dash pattern (``""`` is solid)."""
    return DASHES[index % len(DASHES)]


# ------------------------------------------------------------------ numbers


def kpi_label(row: KpiRow, plans: Sequence[Plan], tr: Translator = ENGLISH) -> str:
    """The name of a key figure in the translator's language."""
    if row.key.startswith("trade_"):
        return tr.gettext("Trade %(year)s (baseline + Belarusian exports)") % {
            "year": row.key.removeprefix("trade_")}
    if row.key.startswith("milestone_"):
        name = row.key.removeprefix("milestone_")
        found = [m for p in plans for m in p.kpis.get("milestones") or []
                 if str(m.get("name")) == name]
        if not found:
            return row.label
        return tr.gettext("Milestone %(name)s: %(metric)s by %(quarter)s (at least %(value)s)") % {
            "name": name, "metric": label(tr, "metric", found[0].get("metric")),
            "quarter": tr.quarter(found[0].get("by")), "value": tr.number(found[0].get("at_least"))}
    return label(tr, "kpi", row.key)


def format_value(value: float | str | None, unit: str, tr: Translator = ENGLISH) -> str:
    """A key figure as officials read it (``-`` when missing)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return label(tr, "status", value)
    if unit == "usd":
        return tr.usd(value)
    if unit == "share":
        return tr.percent(value, 3)
    if unit in ("points", "milestone"):
        return tr.number(value, 2)
    return tr.number(value, 0 if unit in ("t", "jobs") else 1)


def format_delta(row: KpiRow, index: int, tr: Translator = ENGLISH) -> str:
    """Difference of plan ``index`` from the baseline, signed, with the percent change."""
    value, base, delta = row.values[index], row.values[0], row.deltas[index]
    if row.unit == "text":
        return tr.gettext("same") if value == base else tr.gettext("changed")
    if delta is None:
        return "-"
    if abs(delta) < 1e-9:
        return "0"
    sign = "+" if delta > 0 else "−"
    if row.unit == "share":
        return tr.gettext("%(sign)s%(points)s pp") % {
            "sign": sign, "points": tr.fixed(abs(100 * delta), 3)}
    shown = format_value(abs(delta), row.unit, tr)
    if isinstance(base, float) and abs(base) > 1e-9 and row.unit not in ("points", "milestone"):
        return f"{sign}{shown} ({sign}{tr.percent(abs(delta / base), 1)})"
    return f"{sign}{shown}"


def farm_cells(change: FarmChange, tr: Translator = ENGLISH) -> list[str]:
    """Kind, district, site, size and start of a farm change (``before → after``)."""
    def heads(value: int | None) -> str | None:
        return None if value is None else tr.number(value)

    def quarter(value: str | None) -> str | None:
        return None if value is None else tr.quarter(value)

    return [
        label(tr, "farm_change", change.kind),
        change.district_id,
        _arrow(change.site_before, change.site_after),
        _arrow(heads(change.size_before), heads(change.size_after)),
        _arrow(quarter(change.start_before), quarter(change.start_after)),
        "-" if change.distance_km is None else tr.number(change.distance_km, 1),
    ]


def town_label(places: Places, settlement_id: str, tr: Translator = ENGLISH) -> str:
    """A settlement's name in the translator's language, or its id."""
    if settlement_id not in places.settlements.index:
        return settlement_id
    row = places.settlements.loc[settlement_id]
    return tr.place({"name_en": row.get("name"), "name_az": row.get("name_az"),
                     "name_ru": row.get("name_ru")}, settlement_id)


def house_cells(change: HouseChange, places: Places, tr: Translator = ENGLISH) -> list[str]:
    """Settlement, district, houses and first quarters of a house change."""
    name = town_label(places, change.settlement_id, tr)
    where = (f"{name} ({change.settlement_id})" if name != change.settlement_id
             else change.settlement_id)
    return [where, change.district_id, tr.number(change.houses_before),
            tr.number(change.houses_after), tr.signed(change.delta),
            tr.quarter(change.first_before), tr.quarter(change.first_after)]


def _arrow(before: str | None, after: str | None) -> str:
    if before == after:
        return before or "-"
    return f"{before or '-'} → {after or '-'}"


# ------------------------------------------------------------------ map


def build_compare_map(comparison: Comparison, plans: Sequence[Plan], places: Places,
                      districts: gpd.GeoDataFrame | None = None,
                      lang: Language = "en") -> folium.Map:
    """The folium map: one toggleable layer per plan, the districts underneath."""
    tr = translator(lang)
    parts = macros("popups.html", lang)
    lats = [*places.sites["lat"], *places.settlements["lat"]]
    lons = [*places.sites["lon"], *places.settlements["lon"]]
    fmap = new_map([[min(lats), min(lons)], [max(lats), max(lons)]],
                   height=f"{MAP_HEIGHT_PX}px")
    if districts is not None and len(districts):
        _districts_layer(districts, tr).add_to(fmap)
    count = len(plans)
    most = max([1, *(int(v) for p in plans for v in _house_totals(p).tolist())])
    for i, (name, plan) in enumerate(zip(comparison.labels, plans, strict=True)):
        shown = tr.gettext("%(plan)s (baseline)") % {"plan": name} if i == 0 else name
        group = folium.FeatureGroup(name=str(parts.swatch(colour(i), shown, dash(i))), overlay=True,
                                    show=True)
        # later plans are drawn smaller on top, so shared sites show as rings in each colour
        ring = 3 * (count - 1 - i)
        style = (colour(i), f"ap-plan-{i}", dash(i))
        _farm_markers(group, name, plan, places, style, ring, tr, parts)
        _town_markers(group, name, plan, places, (style, ring, most), tr, parts)
        group.add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    return fmap


def districts_name(tr: Translator) -> str:
    """The name of the districts' layer."""
    return tr.gettext("Districts")


def _districts_layer(districts: gpd.GeoDataFrame, tr: Translator) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=districts_name(tr), overlay=True, show=True)
    outlines = gpd.GeoDataFrame(
        geometry=shapely.simplify(districts.geometry.values, 0.001, preserve_topology=True),
        crs=districts.crs)
    folium.GeoJson(outlines.to_json(), name=districts_name(tr),
                   style_function=lambda _: {"color": "#777", "weight": 1, "fill": True,
                                             "fillColor": "#eeeeee", "fillOpacity": 0.35},
                   ).add_to(group)
    return group


def _farm_markers(group: folium.FeatureGroup, name: str, plan: Plan, places: Places,
                  style: tuple[str, str, str], ring: int, tr: Translator, parts: Any) -> None:
    fill, css, pattern = style
    _ = tr.gettext
    for farm in plan.farms.itertuples(index=False):
        site = str(farm.site_id)
        if site not in places.sites.index:
            continue
        size = int(num(farm.size_heads))
        title = _("%(plan)s: dairy farm %(site)s") % {"plan": name, "site": site}
        folium.CircleMarker(
            list(lat_lon(places.sites, site)),
            radius=4 + 2 * math.sqrt(size / 100) + ring, color="#222222", weight=1.5,
            dash_array=pattern or None, fill=True, fill_color=fill, fill_opacity=0.9,
            class_name=f"ap-farm {css}",
            popup=folium.Popup(str(parts.popup(title, [
                (_("District"), str(places.sites.at[site, "district_id"])),
                (_("Size"), tr.ngettext("%(num)s head", "%(num)s head", size)
                 % {"num": tr.number(size)}),
                (_("Construction starts"), tr.quarter(farm.build_start)),
                (_("Operational from"), tr.quarter(farm.operational_from))])), max_width=320),
        ).add_to(group)


def _house_totals(plan: Plan) -> pd.Series:
    houses = plan.houses
    return pd.to_numeric(houses["houses"], errors="coerce").fillna(0).groupby(
        houses["settlement_id"].astype(str)).sum()


def _town_markers(group: folium.FeatureGroup, name: str, plan: Plan, places: Places,
                  sizes: tuple[tuple[str, str, str], int, int], tr: Translator,
                  parts: Any) -> None:
    """Rings at the plan's agro-towns; the largest town of any plan has a 15 px radius."""
    (stroke, css, pattern), ring, most = sizes
    _ = tr.gettext
    totals = _house_totals(plan)
    for town in plan.agro_towns.itertuples(index=False):
        sid = str(town.settlement_id)
        if sid not in places.settlements.index:
            continue
        n = int(num(totals.get(sid, 0)))
        title = _("%(plan)s: agro-town %(name)s") % {"plan": name,
                                                      "name": town_label(places, sid, tr)}
        folium.CircleMarker(
            list(lat_lon(places.settlements, sid)),
            radius=5 + 10 * math.sqrt(n / most) + ring, color=stroke, weight=3, fill=False,
            dash_array=pattern or None,
            class_name=f"ap-town {css}",
            popup=folium.Popup(str(parts.popup(title, [
                (_("Settlement"), sid),
                (_("District"), str(places.settlements.at[sid, "district_id"])),
                (_("Developed in"), tr.quarter(town.developed_in)),
                (_("Houses built"), tr.number(n))])), max_width=320),
        ).add_to(group)


# ------------------------------------------------------------------ page


def fit_points(plans: Sequence[Plan], places: Places) -> list[list[float]]:
    """Every farm and agro-town of every plan (all candidate places if there are none)."""
    points = []
    for plan in plans:
        points += [list(lat_lon(places.sites, str(s))) for s in plan.farms["site_id"]
                   if str(s) in places.sites.index]
        points += [list(lat_lon(places.settlements, str(s)))
                   for s in plan.agro_towns["settlement_id"] if str(s) in places.settlements.index]
    if not points:
        points = [[float(lat), float(lon)]
                  for lat, lon in zip(places.sites["lat"], places.sites["lon"], strict=True)]
    return points


def compare_facts(labels: Sequence[str], plans: Sequence[Plan], tr: Translator) -> PageFacts:
    """The plans compared, each one's status and gap, and today's date."""
    status = "; ".join(f"{name}: {plan_status(tr, plan.status, plan.relative_gap)}"
                       for name, plan in zip(labels, plans, strict=True))
    return page_facts(tr, " vs ".join(labels), status)


def build_compare_page(comparison: Comparison, plans: Sequence[Plan], places: Places,
                       districts: gpd.GeoDataFrame | None = None,
                       lang: Language = "en") -> str:
    """The whole page as a string: title, key figures, map, changed decisions."""
    tr = translator(lang)
    fmap = build_compare_map(comparison, plans, places, districts, lang)
    labels = comparison.labels
    kpis = [[kpi_label(row, plans, tr), format_value(row.values[0], row.unit, tr),
             *(cell for i in range(1, len(labels))
               for cell in (format_value(row.values[i], row.unit, tr),
                            format_delta(row, i, tr)))] for row in comparison.kpis]
    families = [[tr.quarter(q), *(tr.number(v) for v in values)]
                for q, values in comparison.families_by_quarter]
    changes = [{"label": c.label, "summary": c.summary(), "houses_count": len(c.houses),
                "farms": [farm_cells(f, tr) for f in c.farms],
                "houses": [house_cells(h, places, tr) for h in c.houses]}
               for c in comparison.changes]
    headers = [tr.gettext("Figure"), tr.gettext("%(plan)s (baseline)") % {"plan": labels[0]}]
    for name in labels[1:]:
        headers += [name, f"{name} − {labels[0]}"]
    use_shell(fmap, "compare.html", lang, ShellSettings(fit=fit_points(plans, places)),
              compare_facts(labels, plans, tr), comparison=comparison, plans=plans,
              kpi_headers=headers, colours=[colour(i) for i in range(len(plans))],
              dashes=[dash(i) for i in range(len(plans))], kpis=kpis, families=families,
              changes=changes, map_height=MAP_HEIGHT_PX)
    return page_html(fmap, f"the comparison {' vs '.join(labels)}")


def render_compare(comparison: Comparison, plans: Sequence[Plan], places: Places,
                   out_dir: Path | str, districts: gpd.GeoDataFrame | None = None,
                   lang: Language = "en") -> tuple[Path, Path]:
    """Write ``compare.html`` and ``compare.json`` into ``out_dir``.

    Returns
    -------
    tuple of Path
        The absolute paths of the page and the JSON file.

    Raises
    ------
    OutputError
        If the page would load anything from outside the file, or a file cannot be written.
    """
    folder = Path(out_dir)
    html = build_compare_page(comparison, plans, places, districts, lang)
    page = write_atomic(folder / "compare.html", html)
    record = json.dumps(_clean(comparison_record(comparison)), indent=1, ensure_ascii=False,
                        allow_nan=False)
    data = write_atomic(folder / "compare.json", record + "\n")
    return page, data


def _clean(value: Any) -> Any:
    """Round floats to 6 decimals and drop NaN so the JSON is valid and stable."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return value
