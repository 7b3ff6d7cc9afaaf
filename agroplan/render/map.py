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
from agroplan.render.offline import write_atomic
from agroplan.render.paper import PageFacts, page_facts, plan_status
from agroplan.render.shell import ShellSettings, new_map, page_html, use_shell

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


def fit_points(plan: Plan, data: dict[str, Any]) -> list[list[float]]:
    """The places the map opens on: the plan's farms and agro-towns and the hubs its
    heifers come through, as the flows draw them (the revival districts when the plan has
    none). Timber hubs are left out: the map draws no timber route, and a border crossing
    far away would shrink the plan to a corner."""
    used = set(plan.deliveries["hub_id"].astype(str))
    points = [x["ll"] for x in data["farms"]] + [x["ll"] for x in data["towns"]]
    points += [h["ll"] for h in data["hubs"] if h["id"] in used]
    return points or list(data["bounds"])


def page_facts_of(plan: Plan, scenario_name: str, lang: Language) -> PageFacts:
    """The scenario, the plan's status and gap, and today's date, for the printed page."""
    tr = translator(lang)
    return page_facts(tr, scenario_name, plan_status(tr, plan.status, plan.relative_gap))


def build_map(plan: Plan, inputs: PlanInputs, layers: Layers, lang: Language = "en"
              ) -> folium.Map:
    """The folium map of a plan, set to render as its page with every asset inlined."""
    data = build_map_data(plan, inputs, layers, lang)
    fmap = new_map(data["bounds"], prefer_canvas=True)
    groups: dict[str, Any] = {"basemap": base_layers(fmap, lang)}
    for key, (name, show) in overlay_names(lang).items():
        groups[key] = folium.FeatureGroup(name=name, overlay=True, show=show).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    fmap.add_child(DrawCall("agroplanMap", fmap.get_name(),
                            {k: g.get_name() for k, g in groups.items()}, DATA_ELEMENT_ID))
    shell = ShellSettings(fit=fit_points(plan, data), obstacles=".ap-origin")
    return use_shell(
        fmap, "map.html", lang, shell, page_facts_of(plan, inputs.scenario.name, lang),
        data=data, data_id=DATA_ELEMENT_ID, plan=plan,
        k=plan.kpis, scenario=inputs.scenario,
        violations=plan.table("violations").to_dict("records"))


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
    html = page_html(build_map(plan, inputs, layers, lang), f"the map of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
