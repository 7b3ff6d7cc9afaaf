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
from typing import TYPE_CHECKING, Any, NamedTuple

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
NAMED_TOWNS = 15
LETTERS = {"rail": "R", "road": "T", "sea": "S"}
CAPTION_ID = "ap-static-map-caption"  # the figure's caption names the SVG for screen readers
# text stays text (searchable, any script); ids do not change from run to run
SVG_RC: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "agroplan",
                          "font.family": "DejaVu Sans", "font.size": 9}


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


class Farm(NamedTuple):
    x: float
    y: float
    size_heads: float


class Town(NamedTuple):
    x: float
    y: float
    houses: float
    settlement_id: str


class Flow(NamedTuple):
    x0: float
    y0: float
    x1: float
    y1: float
    heads: float


class Hub(NamedTuple):
    x: float
    y: float
    letter: str


@dataclass(frozen=True)
class Places:
    """What the map draws, in lon/lat: farms, agro-towns, flows and the hubs they use."""

    farms: list[Farm]
    towns: list[Town]
    flows: list[Flow]
    hubs: list[Hub]

    def points(self) -> list[tuple[float, float]]:
        return [(p.x, p.y) for group in (self.farms, self.towns, self.hubs) for p in group]


def _places(plan: Plan, layers: Layers) -> Places:
    """Farms (size), agro-towns (houses), flows (heads by hub and farm), hubs used."""
    farms = [Farm(*_xy(layers.farm_sites, str(site)), num(size))
             for site, size in zip(plan.farms["site_id"], plan.farms["size_heads"], strict=True)]
    houses = plan.houses
    built: dict[str, float] = {str(k): float(v) for k, v in pd.to_numeric(
        houses["houses"], errors="coerce").fillna(0.0).groupby(
        houses["settlement_id"].astype(str)).sum().items()}
    ids = sorted(set(plan.agro_towns["settlement_id"].astype(str))
                 | {k for k, v in built.items() if v > 0})
    towns = [Town(*_xy(layers.settlements, t), built.get(t, 0.0), t) for t in ids]
    deliveries = plan.deliveries
    heads: dict[tuple[str, str], float] = {}
    for hub, site, n in zip(deliveries["hub_id"].astype(str), deliveries["site_id"].astype(str),
                            deliveries["heads"], strict=True):
        heads[(hub, site)] = heads.get((hub, site), 0.0) + num(n)
    flows = [Flow(*_xy(layers.hubs, hub), *_xy(layers.farm_sites, site), n)
             for (hub, site), n in sorted(heads.items()) if n > 0]
    used = sorted({hub for (hub, _), n in heads.items() if n > 0})
    hubs = [Hub(*_xy(layers.hubs, h), LETTERS.get(str(layers.hubs.loc[h].get("mode")), "•"))
            for h in used]
    return Places(farms, towns, flows, hubs)


def _basemap(ax: Any, layers: Layers, extent: tuple[float, ...], tr: Translator) -> None:
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


def _plan(ax: Any, places: Places, inputs: PlanInputs, tr: Translator) -> None:
    """Flows under agro-towns under farms under hubs; agro-towns named. The extent holds
    every place, so nothing is clipped (a clip path per symbol would weigh on big plans)."""
    from matplotlib.collections import LineCollection

    # a white box behind a name keeps it legible and, unlike a halo, keeps it text
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
           "alpha": 0.8}
    most = max([f.heads for f in places.flows] + [1.0])
    if places.flows:
        ax.add_collection(LineCollection(
            [[(f.x0, f.y0), (f.x1, f.y1)] for f in places.flows], colors=FLOW, alpha=0.8,
            linewidths=[0.8 + 3.5 * math.sqrt(f.heads / most) for f in places.flows],
            capstyle="round", zorder=5, gid="ap-flows", clip_on=False))
    if places.towns:
        _symbols(ax, [(t.x, t.y, t.houses) for t in places.towns], (40, 260), "o", TOWN,
                 "ap-towns", 6)
        # the largest agro-towns are named; more names would hide the map
        for t in sorted(places.towns, key=lambda t: -t.houses)[:NAMED_TOWNS]:
            sid = t.settlement_id
            name = (tr.place(inputs.settlements.loc[sid], sid)
                    if sid in inputs.settlements.index else sid)
            ax.annotate(name, (t.x, t.y), xytext=(7, 5), textcoords="offset points",
                        fontsize=8, color="#5a2a00", zorder=9, bbox=box)
    if places.farms:
        _symbols(ax, [(f.x, f.y, f.size_heads) for f in places.farms], (22, 50), "s", FARM,
                 "ap-farms", 7)
    if places.hubs:
        ax.scatter([h.x for h in places.hubs], [h.y for h in places.hubs], s=110, marker="s",
                   color=HUB, edgecolor="white", linewidth=1, zorder=8, gid="ap-hubs")
        for h in places.hubs:
            ax.text(h.x, h.y, h.letter, ha="center", va="center", color="white", fontsize=7,
                    fontweight="bold", zorder=9)


def _symbols(ax: Any, points: list[tuple[float, float, float]], area: tuple[float, float],
             marker: str, colour: str, gid: str, zorder: int) -> None:
    """One symbol per ``(x, y, amount)``: its area ``area[0]`` plus ``area[1]`` times the
    amount's share of the largest (points squared), white-edged."""
    largest = max([amount for _, _, amount in points] + [1.0])
    ax.scatter([x for x, _, _ in points], [y for _, y, _ in points],
               s=[area[0] + area[1] * amount / largest for _, _, amount in points],
               marker=marker, color=colour, edgecolor="white", linewidth=1.0, zorder=zorder,
               gid=gid, clip_on=False)


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
    extent = _extent(places.points(), layers)
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
        ax.set_aspect(aspect)  # the figure has the extent's shape: the axes fill it
        _basemap(ax, layers, extent, tr)
        _plan(ax, places, inputs, tr)
        handles = [
            Line2D([], [], marker="s", color=FARM, markeredgecolor="white", linestyle="",
                   markersize=8, label=_("dairy farm (size by head)")),
            Line2D([], [], marker="o", color=TOWN, markeredgecolor="white", linestyle="",
                   markersize=9, label=_("agro-town (size by houses built)")),
            Line2D([], [], color=FLOW, linewidth=2.5,
                   label=_("heifers hub → farm (width by head)")),
            Line2D([], [], marker="s", color=HUB, linestyle="", markersize=9,
                   label=_("hub (R rail, T road, S sea)")),
        ]
        ax.legend(handles=handles, loc="lower left", framealpha=0.95, fontsize=8,
                  edgecolor="#999999")
        _scale_bar(ax, extent, aspect, tr)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return StaticMap(_svg_element(buffer.getvalue()), len(places.farms), len(places.towns),
                     len(places.hubs))


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
