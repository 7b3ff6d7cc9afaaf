"""The plan's map: one self-contained HTML page that opens offline.

folium builds the page, the Leaflet map, the layer groups and the layer control; the
plan's features are drawn by ``agroplan/assets/map.js`` from JSON embedded in the page
(see :mod:`agroplan.render.mapdata`), which also adds the time slider, the KPI panel and
the legend. Leaflet, jQuery and our script are inlined (:mod:`agroplan.render.offline`);
no tiles are drawn unless the official picks the online tile layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan
from agroplan.render.mapdata import build_map_data
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
from agroplan.render.text import esc

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

# key in the page's script -> (name in the layer control, shown when the page opens)
OVERLAYS: dict[str, tuple[str, bool]] = {
    "districts": ("Districts (families housed, herd or spend)", True),
    "clearance": ("Farmland cleared of mines, by quarter", True),
    "flows": ("Cattle flows, hub → farm", True),
    "towns": ("Agro-towns (houses built)", True),
    "farms": ("Dairy farms", True),
    "hubs": ("Transport hubs", True),
    "origins": ("Belarusian origins (arrows at the edge)", True),
    "candidates": ("Candidate sites not chosen", False),
}
BASEMAP_NAME = "Offline basemap (districts, neighbours, rivers, lakes)"
TILES_NAME = "OpenStreetMap tiles (needs internet)"
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
DATA_ELEMENT_ID = "agroplan-data"


class _DrawPlan(MacroElement):  # type: ignore[misc]
    """Calls ``agroplanMap`` once the map, its groups and the layer control exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        agroplanMap({{ this.map_name }}, {{ this.groups }},
            JSON.parse(document.getElementById("{{ this.data_id }}").textContent));
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, groups: dict[str, str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DrawPlan"
        self.map_name = map_name
        self.data_id = DATA_ELEMENT_ID
        # plain identifiers chosen by folium, so a JS object literal of them is safe
        self.groups = "{" + ", ".join(f"{k}: {v}" for k, v in groups.items()) + "}"


def build_map(plan: Plan, inputs: PlanInputs, layers: Layers) -> folium.Map:
    """The folium map of a plan, with every asset inlined (not yet written)."""
    data = build_map_data(plan, inputs, layers)
    (south, west), (north, east) = data["bounds"]
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=9,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_snap=0.25,
    )
    figure: Any = fmap.get_root()
    figure.title = esc(f"agroplan: {inputs.scenario.name}")
    header = figure.header
    header.add_child(Element(style_tag(leaflet_css())), name="leaflet_css_inline")
    header.add_child(Element(style_tag(asset_text("map.css"))), name="agroplan_css")
    header.add_child(Element(script_tag(leaflet_js())), name="leaflet_js_inline")
    header.add_child(Element(script_tag(jquery_js())), name="jquery_js_inline")
    header.add_child(Element(script_tag(asset_text("map.js"))), name="agroplan_js")
    figure.html.add_child(Element(json_script_tag(DATA_ELEMENT_ID, data)), name="agroplan_data")

    groups: dict[str, Any] = {}
    basemap = folium.FeatureGroup(name=BASEMAP_NAME, overlay=False, show=True)
    basemap.add_to(fmap)
    groups["basemap"] = basemap
    folium.TileLayer(OSM_URL, name=TILES_NAME, attr=OSM_ATTRIBUTION, overlay=False,
                     show=False, max_zoom=19).add_to(fmap)
    for key, (name, show) in OVERLAYS.items():
        groups[key] = folium.FeatureGroup(name=name, overlay=True, show=show).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    fmap.add_child(_DrawPlan(fmap.get_name(), {k: g.get_name() for k, g in groups.items()}))
    strip_remote_assets(figure)
    return fmap


def render_map(plan: Plan, inputs: PlanInputs, layers: Layers, out_path: Path | str) -> Path:
    """Write the plan's map as one self-contained HTML file.

    Parameters
    ----------
    plan, inputs, layers
        The plan, the inputs it was solved from, and the scenario's layers.
    out_path
        The HTML file to write (its folder is created).

    Returns
    -------
    Path
        The absolute path written.

    Raises
    ------
    OutputError
        If the page would load anything from outside the file, or cannot be written.
    """
    html = build_map(plan, inputs, layers).get_root().render()
    check_offline(html, f"the map of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
