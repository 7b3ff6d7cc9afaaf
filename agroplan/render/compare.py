"""The comparison page: key figures, changed decisions and a map with one layer per plan.

One self-contained HTML file (``compare.html``) that opens offline, like the plan's map
and report: Leaflet and jQuery are inlined with :mod:`agroplan.render.offline`, every
string is escaped with :func:`agroplan.render.text.esc`. Each plan's farms (filled
circles) and agro-towns (rings) are a layer of its own colour that the layer control
turns on and off. ``compare.json`` holds the same figures for programs.
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
from branca.element import Element

from agroplan.plan.result import Plan
from agroplan.render.offline import (
    asset_text,
    check_offline,
    jquery_js,
    leaflet_css,
    leaflet_js,
    script_tag,
    strip_remote_assets,
    style_tag,
    write_atomic,
)
from agroplan.render.text import esc, fmt_num, fmt_usd, num
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
MAP_HEIGHT_PX = 560
DISTRICTS_NAME = "Districts"
PAGE_CSS = """
html, body { height: auto; }
body { max-width: 1100px; margin: 24px auto; padding: 0 16px; }
.ap-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  margin-right: 5px; vertical-align: -1px; }
td.ap-num { text-align: right; white-space: nowrap; }
td.ap-up { color: #1f7a3a; } td.ap-down { color: #b42318; }
.ap-legend { font-size: 13px; color: #444; }
"""


def colour(index: int) -> str:
    """The colour of the plan at ``index`` (the baseline is 0)."""
    return COLOURS[index % len(COLOURS)]


# ------------------------------------------------------------------ numbers


def format_value(value: float | str | None, unit: str) -> str:
    """A key figure as officials read it (``-`` when missing)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit == "usd":
        return fmt_usd(value)
    if unit == "share":
        return f"{100 * value:.3f} %"
    if unit in ("points", "milestone"):
        return fmt_num(value, 2)
    return fmt_num(value, 0 if unit in ("t", "jobs") else 1)


def format_delta(row: KpiRow, index: int) -> str:
    """Difference of plan ``index`` from the baseline, signed, with the percent change."""
    value, base, delta = row.values[index], row.values[0], row.deltas[index]
    if row.unit == "text":
        return "same" if value == base else "changed"
    if delta is None:
        return "-"
    if abs(delta) < 1e-9:
        return "0"
    sign = "+" if delta > 0 else "−"
    if row.unit == "share":
        return f"{sign}{abs(100 * delta):.3f} pp"
    shown = format_value(abs(delta), row.unit)
    if isinstance(base, float) and abs(base) > 1e-9 and row.unit not in ("points", "milestone"):
        return f"{sign}{shown} ({sign}{abs(delta / base) * 100:.1f} %)"
    return f"{sign}{shown}"


def quarter(value: str | None) -> str:
    return value if value else "-"


def farm_cells(change: FarmChange) -> list[str]:
    """Kind, district, site, size and start of a farm change (``before → after``)."""
    return [
        change.kind,
        change.district_id,
        _arrow(change.site_before, change.site_after),
        _arrow(_heads(change.size_before), _heads(change.size_after)),
        _arrow(change.start_before, change.start_after),
        "-" if change.distance_km is None else f"{change.distance_km:,.1f}",
    ]


FARM_HEADERS = ("Change", "District", "Site", "Size (head)", "Build start", "Moved (km)")
HOUSE_HEADERS = ("Settlement", "District", "Houses before", "Houses after", "Difference",
                 "First houses before", "First houses after")


def house_cells(change: HouseChange, places: Places) -> list[str]:
    """Settlement, district, houses and first quarters of a house change."""
    name = ""
    if change.settlement_id in places.settlements.index:
        name = str(places.settlements.at[change.settlement_id, "name"])
    where = f"{name} ({change.settlement_id})" if name else change.settlement_id
    delta = change.delta
    return [where, change.district_id, fmt_num(change.houses_before),
            fmt_num(change.houses_after), f"{delta:+,}" if delta else "0",
            quarter(change.first_before), quarter(change.first_after)]


def _heads(value: int | None) -> str | None:
    return None if value is None else fmt_num(value)


def _arrow(before: str | None, after: str | None) -> str:
    if before == after:
        return before or "-"
    return f"{before or '-'} → {after or '-'}"


# ------------------------------------------------------------------ page


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 99
           ) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="ap-num">{esc(c)}</td>' if i >= numeric_from else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def kpi_html(comparison: Comparison) -> str:
    """The key-figure table: the baseline, then each plan and its difference."""
    labels = comparison.labels
    headers = ["Figure", f"{labels[0]} (baseline)"]
    for label in labels[1:]:
        headers += [label, f"{label} − {labels[0]}"]
    rows = []
    for row in comparison.kpis:
        cells = [row.label, format_value(row.values[0], row.unit)]
        for i in range(1, len(labels)):
            cells += [format_value(row.values[i], row.unit), format_delta(row, i)]
        rows.append(cells)
    return "<h2>Key figures</h2>" + _table(headers, rows, numeric_from=1)


def changes_html(comparison: Comparison, places: Places) -> str:
    """One section per plan after the baseline: its farm and house changes."""
    parts = ["<h2>Decisions that changed</h2>"]
    if comparison.families_by_quarter:
        labels = comparison.labels
        rows = [[q, *(format_value(None if v is None else float(v), "families") for v in values)]
                for q, values in comparison.families_by_quarter]
        parts.append("<h3>Families housed by the end of each quarter</h3>"
                     + _table(["Quarter", *labels], rows, numeric_from=1))
    for changes in comparison.changes:
        summary = changes.summary()
        counts = ", ".join(f"{n} {kind}" for kind, n in summary.items()
                           if n and not kind.startswith("houses"))
        parts.append(f"<h3>{esc(changes.label)} against {esc(comparison.baseline)}</h3>")
        parts.append(f"<p>Farms: {esc(counts or 'no change')}. Houses: "
                     f"{summary['houses_gained']:,} more and {summary['houses_lost']:,} fewer "
                     f"across {len(changes.houses)} settlement(s).</p>")
        if changes.farms:
            parts.append(_table(FARM_HEADERS, [farm_cells(f) for f in changes.farms],
                                numeric_from=5))
        if changes.houses:
            parts.append(_table(HOUSE_HEADERS, [house_cells(h, places) for h in changes.houses],
                                numeric_from=2))
    return "".join(parts)


def build_compare_map(comparison: Comparison, plans: Sequence[Plan], places: Places,
                      districts: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The folium map: one toggleable layer per plan, the districts underneath."""
    lats = [*places.sites["lat"], *places.settlements["lat"]]
    lons = [*places.sites["lon"], *places.settlements["lon"]]
    fmap = folium.Map(location=[(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2],
                      zoom_start=9, tiles=None, control_scale=True, height=f"{MAP_HEIGHT_PX}px")
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(24, 24))
    if districts is not None and len(districts):
        _districts_layer(districts).add_to(fmap)
    count = len(plans)
    most = max([1, *(int(v) for p in plans for v in _house_totals(p).tolist())])
    for i, (label, plan) in enumerate(zip(comparison.labels, plans, strict=True)):
        name = (f'<span class="ap-swatch" style="background:{colour(i)}"></span>'
                f"{esc(label)}{' (baseline)' if i == 0 else ''}")
        group = folium.FeatureGroup(name=name, overlay=True, show=True)
        # later plans are drawn smaller on top, so shared sites show as rings in each colour
        ring = 3 * (count - 1 - i)
        _farm_markers(group, label, plan, places, (colour(i), f"ap-plan-{i}"), ring)
        _town_markers(group, label, plan, places, (colour(i), f"ap-plan-{i}"), ring, most)
        group.add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    return fmap


def _districts_layer(districts: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=DISTRICTS_NAME, overlay=True, show=True)
    outlines = gpd.GeoDataFrame(
        {"name": [str(n) for n in districts.get("name_en", districts.index)]},
        geometry=shapely.simplify(districts.geometry.values, 0.001, preserve_topology=True),
        crs=districts.crs)
    folium.GeoJson(outlines.to_json(), name=DISTRICTS_NAME,
                   style_function=lambda _: {"color": "#777", "weight": 1, "fill": True,
                                             "fillColor": "#eeeeee", "fillOpacity": 0.35},
                   ).add_to(group)
    return group


def _popup(title: str, rows: Sequence[tuple[str, str]]) -> folium.Popup:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return folium.Popup(f"<b>{esc(title)}</b><table>{body}</table>", max_width=320)


def _farm_markers(group: folium.FeatureGroup, label: str, plan: Plan, places: Places,
                  style: tuple[str, str], ring: int) -> None:
    fill, css = style
    for farm in plan.farms.itertuples(index=False):
        site = str(farm.site_id)
        if site not in places.sites.index:
            continue
        size = int(num(farm.size_heads))
        folium.CircleMarker(
            list(lat_lon(places.sites, site)),
            radius=4 + 2 * math.sqrt(size / 100) + ring, color="#ffffff", weight=1,
            fill=True, fill_color=fill, fill_opacity=0.9, class_name=f"ap-farm {css}",
            popup=_popup(f"{label}: dairy farm {site}", [
                ("District", str(places.sites.at[site, "district_id"])),
                ("Size", f"{fmt_num(size)} head"),
                ("Construction starts", str(farm.build_start)),
                ("Operational from", str(farm.operational_from))]),
        ).add_to(group)


def _house_totals(plan: Plan) -> pd.Series:
    houses = plan.houses
    return pd.to_numeric(houses["houses"], errors="coerce").fillna(0).groupby(
        houses["settlement_id"].astype(str)).sum()


def _town_markers(group: folium.FeatureGroup, label: str, plan: Plan, places: Places,
                  style: tuple[str, str], ring: int, most: int) -> None:
    """Rings at the plan's agro-towns; the largest town of any plan has a 15 px radius."""
    stroke, css = style
    totals = _house_totals(plan)
    for town in plan.agro_towns.itertuples(index=False):
        sid = str(town.settlement_id)
        if sid not in places.settlements.index:
            continue
        n = int(num(totals.get(sid, 0)))
        folium.CircleMarker(
            list(lat_lon(places.settlements, sid)),
            radius=5 + 10 * math.sqrt(n / most) + ring, color=stroke, weight=3, fill=False,
            class_name=f"ap-town {css}",
            popup=_popup(f"{label}: agro-town {places.settlements.at[sid, 'name']!s}", [
                ("Settlement", sid),
                ("District", str(places.settlements.at[sid, "district_id"])),
                ("Developed in", str(town.developed_in)),
                ("Houses built", fmt_num(n))]),
        ).add_to(group)


def build_compare_page(comparison: Comparison, plans: Sequence[Plan], places: Places,
                       districts: gpd.GeoDataFrame | None = None) -> str:
    """The whole page as a string: title, key figures, map, changed decisions."""
    fmap = build_compare_map(comparison, plans, places, districts)
    figure: Any = fmap.get_root()
    title = " vs ".join(comparison.labels)
    figure.title = esc(f"agroplan compare: {title}")
    header = figure.header
    header.add_child(Element(style_tag(leaflet_css())), name="leaflet_css_inline")
    header.add_child(Element(script_tag(leaflet_js())), name="leaflet_js_inline")
    header.add_child(Element(script_tag(jquery_js())), name="jquery_js_inline")
    plans_list = "".join(
        f'<li><span class="ap-swatch" style="background:{colour(i)}"></span>{esc(label)}: '
        f"scenario {esc(plan.scenario)}, {esc(plan.status)}</li>"
        for i, (label, plan) in enumerate(zip(comparison.labels, plans, strict=True)))
    intro = (
        style_tag(asset_text("report.css") + PAGE_CSS)
        + f"<h1>{esc(f'Comparison: {title}')}</h1>"
        + f"<p>Baseline <b>{esc(comparison.baseline)}</b>; every difference is the other "
          "plan minus the baseline.</p>"
        + f"<ul>{plans_list}</ul>" + kpi_html(comparison) + "<h2>Map</h2>"
        + '<p class="ap-legend">Filled circles: dairy farms (larger = more head). Rings: '
          "agro-towns (larger = more houses). Turn each plan on or off in the layer control; "
          "the baseline is drawn largest, so a site shared by plans shows one ring per plan."
          "</p>")
    figure.html.add_child(Element(intro), name="agroplan_intro", index=0)
    strip_remote_assets(figure)
    html: str = figure.render()
    # the map's div is the last thing folium puts in the body: the changes follow it
    end = html.rfind("</body>")
    return html[:end] + changes_html(comparison, places) + html[end:]


def render_compare(comparison: Comparison, plans: Sequence[Plan], places: Places,
                   out_dir: Path | str, districts: gpd.GeoDataFrame | None = None
                   ) -> tuple[Path, Path]:
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
    html = build_compare_page(comparison, plans, places, districts)
    check_offline(html, f"the comparison {' vs '.join(comparison.labels)}")
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
