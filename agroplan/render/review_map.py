"""The review map: what was planned, what happened and what the re-plan does next.

One self-contained HTML page like the plan's map (:mod:`agroplan.render.map`): folium makes
the Leaflet map, its layer groups and the layer control; ``agroplan/assets/review-map.js``
draws farms, houses per settlement and heifer flows from JSON embedded in the page. Layers,
each toggled in the control: the previous plan up to the as-of quarter, the actuals, the
re-plan's remaining quarters and (off at first) the previous plan's remaining quarters.
Popups are escaped HTML built here; nothing is loaded from outside the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template

from agroplan.errors import OutputError
from agroplan.periods import quarter_ordinal
from agroplan.plan.result import Plan
from agroplan.render.frames import district_name, json_num, latlon, town_name
from agroplan.render.map import BASEMAP_NAME, OSM_ATTRIBUTION, OSM_URL, TILES_NAME
from agroplan.render.mapdata import BASEMAP_TOLERANCE_DEG, DISTRICT_TOLERANCE_DEG
from agroplan.render.mapdata import _bounds as map_bounds
from agroplan.render.mapdata import _geojson as simplified_geojson
from agroplan.render.offline import (
    asset_text,
    check_offline,
    jquery_js,
    json_script_tag,
    leaflet_css,
    leaflet_js,
    script_tag,
    strip_remote_assets,
    style_tag,
    write_atomic,
)
from agroplan.render.text import esc, fmt_num, num, table_html

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.layers.read import Layers
    from agroplan.roadmap.actuals import Actuals

# key in the page's script -> (name in the layer control, shown when the page opens);
# {as_of} is replaced by the as-of quarter
REVIEW_OVERLAYS: dict[str, tuple[str, bool]] = {
    "districts": ("Districts", True),
    "planned": ("Planned up to {as_of} (previous plan)", True),
    "actual": ("Actual up to {as_of}", True),
    "replan": ("Re-plan: quarters after {as_of}", True),
    "previous_rest": ("Previous plan: quarters after {as_of} (replaced)", False),
}
DATA_ELEMENT_ID = "agroplan-review-data"


def overlay_names(as_of: str) -> dict[str, tuple[str, bool]]:
    """:data:`REVIEW_OVERLAYS` with the as-of quarter filled in."""
    return {k: (name.format(as_of=as_of), show) for k, (name, show) in REVIEW_OVERLAYS.items()}


class _DrawReview(MacroElement):  # type: ignore[misc]
    """Calls ``agroplanReviewMap`` once the map, its groups and the layer control exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        agroplanReviewMap({{ this.map_name }}, {{ this.groups }},
            JSON.parse(document.getElementById("{{ this.data_id }}").textContent));
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, groups: dict[str, str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DrawReview"
        self.map_name = map_name
        self.data_id = DATA_ELEMENT_ID
        # plain identifiers chosen by folium, so a JS object literal of them is safe
        self.groups = "{" + ", ".join(f"{k}: {v}" for k, v in groups.items()) + "}"


def _when(tables: dict[str, pd.DataFrame], name: str, column: str,
          keep: Any) -> pd.DataFrame:
    """Rows of a table whose quarter ``column`` satisfies ``keep(ordinal)``."""
    frame = tables.get(name)
    if frame is None or frame.empty or column not in frame.columns:
        return pd.DataFrame()
    ordinals = frame[column].astype(str).map(quarter_ordinal)
    return frame[ordinals.map(keep)]


def _check(ids: Sequence[str], layer: pd.DataFrame, what: str, source: str) -> None:
    missing = sorted(set(ids) - set(layer.index.astype(str)))
    if missing:
        raise OutputError(f"{source} names {what}(s) {', '.join(missing[:5])} that the scenario's "
                          "layers do not have; review with the layers the plan was made with")


def _layer(tables: dict[str, pd.DataFrame], keep: Any, inputs: PlanInputs, layers: Layers,
           source: str) -> dict[str, list[dict[str, Any]]]:
    """Farms started, houses built and heifers delivered in the chosen quarters."""
    farms = _when(tables, "farms", "build_start", keep)
    houses = _when(tables, "houses", "period", keep)
    deliveries = _when(tables, "deliveries", "period", keep)
    out: dict[str, list[dict[str, Any]]] = {"farms": [], "towns": [], "flows": []}
    if len(farms):
        _check(list(farms["site_id"].astype(str)), layers.farm_sites, "farm site", source)
    for row in farms.itertuples(index=False):
        sid, size = str(row.site_id), num(row.size_heads)
        district = district_name(inputs, str(inputs.sites["district_id"].get(sid, "")))
        out["farms"].append({
            "id": sid, "ll": latlon(layers.farm_sites, sid), "size": json_num(size),
            "tip": esc(f"Farm {sid}, {fmt_num(size)} head, started {row.build_start}"),
            "popup": table_html(f"Dairy farm {sid} ({source})", [
                ("District", district), ("Size", f"{fmt_num(size)} head"),
                ("Construction starts", str(row.build_start))]),
        })
    if len(houses):
        _check(list(houses["settlement_id"].astype(str)), layers.settlements, "settlement",
               source)
        counts = pd.to_numeric(houses["houses"], errors="coerce").fillna(0.0)
        for tid, n in counts.groupby(houses["settlement_id"].astype(str)).sum().items():
            if n <= 0:
                continue
            name = town_name(inputs, str(tid))
            out["towns"].append({
                "id": str(tid), "ll": latlon(layers.settlements, str(tid)), "houses": json_num(n),
                "tip": esc(f"{name}: {fmt_num(float(n))} houses"),
                "popup": table_html(f"{name} ({source})", [("Houses built", fmt_num(float(n)))]),
            })
    if len(deliveries):
        _check(list(deliveries["site_id"].astype(str)), layers.farm_sites, "farm site", source)
        _check(list(deliveries["hub_id"].astype(str)), layers.hubs, "hub", source)
        heads: dict[tuple[str, str], float] = {}
        for hub_id, site_id, n in zip(deliveries["hub_id"].astype(str),
                                      deliveries["site_id"].astype(str), deliveries["heads"],
                                      strict=True):
            heads[(hub_id, site_id)] = heads.get((hub_id, site_id), 0.0) + num(n)
        for (hub, site), n in sorted(heads.items()):
            if n > 0:
                out["flows"].append({
                    "ll": [latlon(layers.hubs, str(hub)), latlon(layers.farm_sites, str(site))],
                    "heads": json_num(n),
                    "tip": esc(f"{fmt_num(float(n))} heifers, hub {hub} to farm {site}"),
                })
    return out


def build_review_map_data(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                          layers: Layers) -> dict[str, Any]:
    """Everything the review map draws, as JSON-ready values (escaped strings)."""
    cut = quarter_ordinal(actuals.as_of)

    def past(ordinal: int) -> bool:
        return ordinal <= cut

    def rest(ordinal: int) -> bool:
        return ordinal > cut

    districts = layers.districts
    outline = simplified_geojson(
        districts.reset_index(drop=True).assign(
            name=[esc(district_name(inputs, str(d))) for d in districts.index]),
        ["name"], DISTRICT_TOLERANCE_DEG)
    return {
        "title": esc(f"{inputs.scenario.name}: review as of {actuals.as_of}"),
        "as_of": esc(actuals.as_of),
        "bounds": map_bounds(districts.geometry),
        "basemap": simplified_geojson(layers.context, ["kind"], BASEMAP_TOLERANCE_DEG),
        "districts": outline,
        "layers": {
            "planned": _layer(previous.tables, past, inputs, layers, "previous plan"),
            "actual": _layer(actuals.tables, past, inputs, layers, "actual"),
            "replan": _layer(current.tables, rest, inputs, layers, "re-plan"),
            "previous_rest": _layer(previous.tables, rest, inputs, layers, "previous plan"),
        },
    }


def build_review_map(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                     layers: Layers) -> folium.Map:
    """The folium review map with every asset inlined (not yet written)."""
    data = build_review_map_data(previous, current, actuals, inputs, layers)
    (south, west), (north, east) = data["bounds"]
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9,
                      tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    figure: Any = fmap.get_root()
    figure.title = esc(f"agroplan review: {inputs.scenario.name}, as of {actuals.as_of}")
    header = figure.header
    header.add_child(Element(style_tag(leaflet_css())), name="leaflet_css_inline")
    header.add_child(Element(style_tag(asset_text("map.css"))), name="agroplan_css")
    header.add_child(Element(script_tag(leaflet_js())), name="leaflet_js_inline")
    header.add_child(Element(script_tag(jquery_js())), name="jquery_js_inline")
    header.add_child(Element(script_tag(asset_text("review-map.js"))), name="review_js")
    figure.html.add_child(Element(json_script_tag(DATA_ELEMENT_ID, data)), name="review_data")
    groups: dict[str, Any] = {}
    groups["basemap"] = folium.FeatureGroup(name=BASEMAP_NAME, overlay=False, show=True)
    groups["basemap"].add_to(fmap)
    folium.TileLayer(OSM_URL, name=TILES_NAME, attr=OSM_ATTRIBUTION, overlay=False,
                     show=False, max_zoom=19).add_to(fmap)
    for key, (name, show) in overlay_names(actuals.as_of).items():
        groups[key] = folium.FeatureGroup(name=name, overlay=True, show=show).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    fmap.add_child(_DrawReview(fmap.get_name(), {k: g.get_name() for k, g in groups.items()}))
    strip_remote_assets(figure)
    return fmap


def render_review_map(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                      layers: Layers, out_path: Path | str) -> Path:
    """Write the review map as one self-contained HTML file; returns its absolute path.

    Raises
    ------
    OutputError
        If a plan or the actuals name ids the layers lack, or the page would load anything
        from outside the file, or it cannot be written.
    """
    html = build_review_map(previous, current, actuals, inputs, layers).get_root().render()
    check_offline(html, f"the review map of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
