"""The report's map: where the farms, heifer routes and agro-towns are, as inline SVG.

Drawn offline with geopandas and matplotlib from the plan's layers, the same geometries the
interactive map draws, so that a printed or PDF report shows where things are without a
browser's script. Symbols match the interactive map and never rely on colour alone:
farms are squares, agro-towns circles (named), routes lines, hubs lettered squares; the
colours are ColorBrewer's Dark2, safe for colour-blind readers at three classes. The SVG
keeps its text as text (searchable in a PDF), carries no date, and its groups have ids
(``ap-farms``, ``ap-towns``, ``ap-flows``, ``ap-hubs``) that tests count.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from agroplan.plan.result import Plan
from agroplan.render.frames import num
from agroplan.render.i18n import Translator

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.layers.read import Layers

FARM, TOWN, FLOW, HUB = "#1b9e77", "#d95f02", "#7570b3", "#24364d"  # Dark2 + ink
BASEMAP = {"neighbour": ("#e4e1da", "#bdb8ad"), "az_district": ("#f3efe4", "#c9c2b0"),
           "lake": ("#b9d7ee", "#7fb2d9")}
SIMPLIFY_DEG = 0.004  # ~400 m: finer than a printed A4 map shows
WIDTH_IN = 10.0
LETTERS = {"rail": "R", "road": "T", "sea": "S"}
CAPTION_ID = "ap-static-map-caption"  # the figure's caption names the SVG for screen readers
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "agroplan", "font.family": "DejaVu Sans",
          "font.size": 9}


@dataclass(frozen=True)
class StaticMap:
    """The drawn map and what it shows."""

    svg: str  # an ``<svg>`` element, safe to inline (matplotlib escapes the text)
    farms: int
    towns: int
    hubs: int


def _extent(points: list[tuple[float, float]], layers: Layers) -> tuple[float, ...]:
    """``(west, south, east, north)`` around the points (or the revival districts), widened
    or heightened to a landscape shape between 5:4 and 16:9 on the page."""
    if points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        west, south, east, north = min(xs), min(ys), max(xs), max(ys)
    else:
        west, south, east, north = (float(v) for v in layers.districts.total_bounds)
    pad_x, pad_y = max((east - west) * 0.08, 0.05), max((north - south) * 0.08, 0.05)
    west, south, east, north = west - pad_x, south - pad_y, east + pad_x, north + pad_y
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    width, height = east - west, (north - south) * stretch
    if width < 1.25 * height:
        grow = (1.25 * height - width) / 2
        west, east = west - grow, east + grow
    elif width > 16 / 9 * height:
        grow = (width * 9 / 16 - height) / 2 / stretch
        south, north = south - grow, north + grow
    return west, south, east, north


def _xy(layer: gpd.GeoDataFrame, key: str) -> tuple[float, float]:
    point = layer.geometry.loc[key]
    return float(point.x), float(point.y)


def _places(plan: Plan, layers: Layers) -> dict[str, pd.DataFrame]:
    """Farms (size), agro-towns (houses), flows (heads by hub and farm), hubs used."""
    farms = plan.farms
    farm_rows = [(*_xy(layers.farm_sites, str(r.site_id)), num(r.size_heads))
                 for r in farms.itertuples(index=False)]
    houses = plan.houses
    built = pd.to_numeric(houses["houses"], errors="coerce").fillna(0.0).groupby(
        houses["settlement_id"].astype(str)).sum()
    towns = sorted(set(plan.agro_towns["settlement_id"].astype(str)) | set(built[built > 0].index))
    town_rows = [(*_xy(layers.settlements, t), float(built.get(t, 0.0)), t) for t in towns]
    deliveries = plan.deliveries
    heads = pd.to_numeric(deliveries["heads"], errors="coerce").fillna(0.0).groupby(
        [deliveries["hub_id"].astype(str), deliveries["site_id"].astype(str)]).sum()
    flow_rows = [(*_xy(layers.hubs, hub), *_xy(layers.farm_sites, site), float(n))
                 for (hub, site), n in heads.items() if n > 0]
    used = sorted({hub for hub, _ in heads.index})
    hub_rows = [(*_xy(layers.hubs, h), LETTERS.get(str(layers.hubs.loc[h].get("mode")), "•"))
                for h in used]
    return {
        "farms": pd.DataFrame(farm_rows, columns=["x", "y", "size"]),
        "towns": pd.DataFrame(town_rows, columns=["x", "y", "houses", "id"]),
        "flows": pd.DataFrame(flow_rows, columns=["x0", "y0", "x1", "y1", "heads"]),
        "hubs": pd.DataFrame(hub_rows, columns=["x", "y", "letter"]),
    }


def _basemap(ax: Any, layers: Layers, extent: tuple[float, ...], tr: Translator,
             inputs: PlanInputs) -> None:
    west, south, east, north = extent
    context = layers.context.clip_by_rect(west, south, east, north)
    context = gpd.GeoDataFrame({"kind": layers.context["kind"]}, geometry=context,
                               crs=layers.context.crs)
    context = context[~context.geometry.is_empty]
    context = context.set_geometry(context.geometry.simplify(SIMPLIFY_DEG))
    for kind, (face, edge) in BASEMAP.items():
        part = context[context["kind"] == kind]
        if len(part):
            part.plot(ax=ax, color=face, edgecolor=edge, linewidth=0.5, zorder=1)
    rivers = context[context["kind"] == "river"]
    if len(rivers):
        rivers.plot(ax=ax, color="#6aa5d6", linewidth=0.9, zorder=2)
    districts = layers.districts.set_geometry(layers.districts.geometry.simplify(SIMPLIFY_DEG))
    districts.boundary.plot(ax=ax, color="#555555", linewidth=0.8, zorder=3)
    for did, point in layers.districts.representative_point().items():
        if west < point.x < east and south < point.y < north:
            name = layers.districts.loc[did].get(f"name_{tr.lang}") or did
            ax.text(point.x, point.y, str(name), ha="center", va="center", fontsize=7.5,
                    color="#444444", style="italic", zorder=4)


def draw_static_map(plan: Plan, inputs: PlanInputs, layers: Layers, tr: Translator
                    ) -> StaticMap:
    """The plan's farms, heifer routes, agro-towns and hubs over the districts, as SVG.

    Parameters
    ----------
    plan, inputs, layers
        The plan, its inputs (names) and the scenario's layers (geometries).
    tr
        The language of the legend and the names.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    places = _places(plan, layers)
    points = [(x, y) for x, y in zip(places["farms"]["x"], places["farms"]["y"], strict=True)]
    points += [(x, y) for x, y in zip(places["towns"]["x"], places["towns"]["y"], strict=True)]
    points += [(x, y) for x, y in zip(places["hubs"]["x"], places["hubs"]["y"], strict=True)]
    extent = _extent(points, layers)
    west, south, east, north = extent
    aspect = 1 / math.cos(math.radians((south + north) / 2))  # degrees of lon vs lat
    height_in = WIDTH_IN * (north - south) * aspect / (east - west)
    _ = tr.gettext
    with matplotlib.rc_context(SVG_RC):
        fig = Figure(figsize=(WIDTH_IN, height_in))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(aspect, adjustable="datalim")
        _basemap(ax, layers, extent, tr, inputs)
        # a white box behind a name keeps it legible and, unlike a halo, keeps it text
        halo = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                "alpha": 0.8}
        flows = places["flows"]
        most = max(flows["heads"].max() if len(flows) else 1.0, 1.0)
        for row in flows.itertuples(index=False):
            ax.plot([row.x0, row.x1], [row.y0, row.y1], color=FLOW, alpha=0.8, zorder=5,
                    linewidth=0.8 + 3.5 * math.sqrt(row.heads / most), solid_capstyle="round",
                    gid="ap-flow")
        towns = places["towns"]
        if len(towns):
            biggest = max(towns["houses"].max(), 1.0)
            ax.scatter(towns["x"], towns["y"], s=40 + 260 * (towns["houses"] / biggest),
                       marker="o", color=TOWN, edgecolor="white", linewidth=1.2, zorder=6,
                       gid="ap-towns")
            for row in towns.itertuples(index=False):
                name = tr.place(inputs.settlements.loc[row.id], row.id) \
                    if row.id in inputs.settlements.index else row.id
                ax.annotate(name, (row.x, row.y), xytext=(7, 5), textcoords="offset points",
                            fontsize=8, color="#5a2a00", zorder=9, bbox=halo)
        farms = places["farms"]
        if len(farms):
            largest = max(farms["size"].max(), 1.0)
            ax.scatter(farms["x"], farms["y"], s=22 + 50 * (farms["size"] / largest),
                       marker="s", color=FARM, edgecolor="white", linewidth=0.9, zorder=7,
                       gid="ap-farms")
        hubs = places["hubs"]
        if len(hubs):
            ax.scatter(hubs["x"], hubs["y"], s=110, marker="s", color=HUB, edgecolor="white",
                       linewidth=1, zorder=8, gid="ap-hubs")
            for row in hubs.itertuples(index=False):
                ax.text(row.x, row.y, row.letter, ha="center", va="center", color="white",
                        fontsize=7, fontweight="bold", zorder=9)
        handles = [
            Line2D([], [], marker="s", color=FARM, markeredgecolor="white", linestyle="",
                   markersize=8, label=_("dairy farm (size by head)")),
            Line2D([], [], marker="o", color=TOWN, markeredgecolor="white", linestyle="",
                   markersize=9, label=_("agro-town (size by houses built)")),
            Line2D([], [], color=FLOW, linewidth=2.5, label=_("heifers hub → farm (width by head)")),
            Line2D([], [], marker="s", color=HUB, linestyle="", markersize=9,
                   label=_("hub (R rail, T road, S sea)")),
        ]
        ax.legend(handles=handles, loc="lower left", framealpha=0.95, fontsize=8,
                  edgecolor="#999999")
        _scale_bar(ax, extent, aspect, tr)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return StaticMap(_svg_element(buffer.getvalue()), len(farms), len(towns), len(hubs))


def _scale_bar(ax: Any, extent: tuple[float, ...], aspect: float, tr: Translator) -> None:
    """A bar of a round number of km at the lower right."""
    west, south, east, north = extent
    km_per_deg_lon = 111.32 / aspect
    target = (east - west) * km_per_deg_lon / 5
    length_km = next(k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if k >= target / 2)
    x1 = east - (east - west) * 0.04
    x0 = x1 - length_km / km_per_deg_lon
    y = south + (north - south) * 0.04
    ax.plot([x0, x1], [y, y], color="#222222", linewidth=2.5, zorder=10,
            solid_capstyle="butt")
    ax.text((x0 + x1) / 2, y + (north - south) * 0.012,
            tr.gettext("%(num)s km") % {"num": tr.number(length_km)}, ha="center",
            va="bottom", fontsize=8, zorder=10)


def _svg_element(document: str) -> str:
    """The ``<svg>`` element of matplotlib's SVG document, sized by its container."""
    start = document.index("<svg")
    svg = document[start:]
    # the page scales it (report.css); keep the viewBox, drop the fixed size in points
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                 rf'<svg role="img" aria-labelledby="{CAPTION_ID}" class="ap-static-map"\1', svg,
                 count=1)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # a tenth of a point is finer than print: shorter paths, a lighter page
    return re.sub(r' d="[^"]*"', lambda m: re.sub(r"(\.\d)\d+", r"\1", m.group(0)), svg)
