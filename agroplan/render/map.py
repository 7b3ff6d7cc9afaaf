"""The plan's map: one self-contained HTML page that opens offline.

folium builds the Leaflet map, the layer groups and the layer control; the plan's features
are drawn by ``agroplan/assets/map.js`` from JSON embedded in the page (see
:mod:`agroplan.render.mapdata`), which also adds the time slider, the KPI panel and the
legend from the ``<template>`` elements of ``templates/map.html``, where their words are.
Leaflet, jQuery and our script are inlined; no tiles are drawn unless the official picks
the online tile layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
from branca.element import MacroElement
from folium.template import Template

from agroplan.config.sections import Language
from agroplan.inputs import PlanInputs
from agroplan.messages import N_
from agroplan.plan.result import Plan
from agroplan.render.i18n import translator
from agroplan.render.mapdata import build_map_data
from agroplan.render.offline import check_offline, strip_remote_assets, write_atomic
from agroplan.render.templating import use_template

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

# key in the page's script -> (name in the layer control, shown when the page opens)
OVERLAYS: dict[str, tuple[str, bool]] = {
    "districts": (N_("Districts (families housed, herd or spend)"), True),
    "clearance": (N_("Farmland cleared of mines, by quarter"), True),
    "flows": (N_("Cattle flows, hub → farm"), True),
    "towns": (N_("Agro-towns (houses built)"), True),
    "farms": (N_("Dairy farms"), True),
    "hubs": (N_("Transport hubs"), True),
    "origins": (N_("Belarusian origins (arrows at the edge)"), True),
    "candidates": (N_("Candidate sites not chosen"), False),
}
BASEMAP_NAME = N_("Offline basemap (districts, neighbours, rivers, lakes)")
TILES_NAME = N_("OpenStreetMap tiles (needs internet)")
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
DATA_ELEMENT_ID = "agroplan-data"


def overlay_names(lang: Language = "en") -> dict[str, tuple[str, bool]]:
    """:data:`OVERLAYS` in ``lang``."""
    tr = translator(lang)
    return {k: (tr.gettext(name), show) for k, (name, show) in OVERLAYS.items()}


def base_layers(fmap: folium.Map, lang: Language) -> folium.FeatureGroup:
    """The offline basemap (shown) and the online tiles (off), the two base layers."""
    tr = translator(lang)
    basemap = folium.FeatureGroup(name=tr.gettext(BASEMAP_NAME), overlay=False, show=True)
    basemap.add_to(fmap)
    folium.TileLayer(OSM_URL, name=tr.gettext(TILES_NAME), attr=OSM_ATTRIBUTION,
                     overlay=False, show=False, max_zoom=19).add_to(fmap)
    return basemap


class DrawCall(MacroElement):  # type: ignore[misc]
    """Calls the page's drawing function once the map, its groups and the layer control
    exist, with the JSON of the element ``data_id``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.function }}({{ this.map_name }}, {{ this.groups }},
            JSON.parse(document.getElementById("{{ this.data_id }}").textContent));
        {% endmacro %}
        """
    )

    def __init__(self, function: str, map_name: str, groups: dict[str, str],
                 data_id: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DrawCall"
        self.function = function
        self.map_name = map_name
        self.data_id = data_id
        # plain identifiers chosen by folium, so a JS object literal of them is safe
        self.groups = "{" + ", ".join(f"{k}: {v}" for k, v in groups.items()) + "}"


def build_map(plan: Plan, inputs: PlanInputs, layers: Layers, lang: Language = "en"
              ) -> folium.Map:
    """The folium map of a plan, with every asset inlined (not yet written)."""
    data = build_map_data(plan, inputs, layers, lang)
    (south, west), (north, east) = data["bounds"]
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=9,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_snap=0.25,
    )
    groups: dict[str, Any] = {"basemap": base_layers(fmap, lang)}
    for key, (name, show) in overlay_names(lang).items():
        groups[key] = folium.FeatureGroup(name=name, overlay=True, show=show).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    fmap.add_child(DrawCall("agroplanMap", fmap.get_name(),
                            {k: g.get_name() for k, g in groups.items()}, DATA_ELEMENT_ID))
    use_template(fmap, "map.html", lang, data=data, data_id=DATA_ELEMENT_ID, plan=plan,
                 k=plan.kpis, scenario=inputs.scenario,
                 violations=plan.table("violations").to_dict("records"))
    strip_remote_assets(fmap.get_root())
    return fmap


def render_map(plan: Plan, inputs: PlanInputs, layers: Layers, out_path: Path | str,
               lang: Language = "en") -> Path:
    """Write the plan's map as one self-contained HTML file.

    Parameters
    ----------
    plan, inputs, layers
        The plan, the inputs it was solved from, and the scenario's layers.
    out_path
        The HTML file to write (its folder is created).
    lang
        Language of the page: ``en``, ``az`` or ``ru``.

    Returns
    -------
    Path
        The absolute path written.

    Raises
    ------
    OutputError
        If the page would load anything from outside the file, or cannot be written.
    """
    html = build_map(plan, inputs, layers, lang).get_root().render()
    check_offline(html, f"the map of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
