"""The map shell: what every map page shares, on a laptop, a phone and paper.

The plan's map, the review map, the comparison and any new map page are folium maps
rendered by a template that extends ``templates/folium_page.html``. That base inlines
``agroplan/assets/shell.css`` and ``shell.js``: below 1280 px the panels fold into buttons
(the key figures into a one-line summary), touch targets grow to 44 px on a phone, the
map opens fitted to the places of :class:`ShellSettings` with padding so that no panel
covers them, and printing lays the map out on an A4 landscape page under the
:class:`~agroplan.render.paper.PageFacts`. A page's script adds its panels with
``agroplanShell.panel(map, {...})``; the shell starts last.

A new map page, in a few lines::

    fmap = new_map(bounds)
    ...  # its layer groups, a LayerControl, its drawing call
    use_shell(fmap, "risk_map.html", lang, ShellSettings(fit=points), facts, data=data)
    html = page_html(fmap, "the risk map of default")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from agroplan.config.sections import Language
from agroplan.render.i18n import translator
from agroplan.render.offline import check_offline, strip_remote_assets
from agroplan.render.paper import PageFacts
from agroplan.render.templating import use_template

SHELL_ELEMENT_ID = "ap-shell"  # the <script type="application/json"> of ShellSettings


@dataclass(frozen=True)
class ShellSettings:
    """What the shell needs besides the map.

    Attributes
    ----------
    fit
        ``[lat, lon]`` of the places the first view must show (farms, agro-towns, hubs).
    obstacles
        CSS selector of markers that sit on the map's edge and must not cover a place (the
        origin arrows), or ``""``.
    """

    fit: Sequence[Sequence[float]]
    obstacles: str = ""
    words: dict[str, str] = field(default_factory=dict)

    def as_json(self, lang: Language) -> dict[str, Any]:
        """The settings as the page's script reads them, its words in ``lang``."""
        tr = translator(lang)
        words = {"layers": tr.gettext("Layers"), **self.words}
        return {"fit": [[float(lat), float(lon)] for lat, lon in self.fit],
                "obstacles": self.obstacles, "words": words}


class ShellCall(MacroElement):  # type: ignore[misc]
    """Starts the shell once the map, its layers, its controls and its panels exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        agroplanShell.start({{ this.map_name }},
            JSON.parse(document.getElementById("{{ this.settings_id }}").textContent));
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ShellCall"
        self.map_name = map_name
        self.settings_id = SHELL_ELEMENT_ID


def new_map(bounds: Sequence[Sequence[float]], **options: Any) -> folium.Map:
    """A folium map for the shell: no tiles until asked, a scale, quarter zoom steps.

    ``bounds`` is ``[[south, west], [north, east]]``; the shell fits the view when the page
    opens, so this is only where the map starts.
    """
    (south, west), (north, east) = bounds
    settings = {"tiles": None, "control_scale": True, "zoom_snap": 0.25, "zoom_start": 9,
                **options}
    return folium.Map(location=[(south + north) / 2, (west + east) / 2], **settings)


def use_shell(fmap: folium.Map, template: str, lang: Language, shell: ShellSettings,
              facts: PageFacts, **context: Any) -> folium.Map:
    """Make ``fmap`` render as the page ``template`` (which extends ``folium_page.html``)
    with the shell, started after everything else; folium's CDN assets are dropped.

    Raises
    ------
    OutputError
        If an element of the map asks for an asset that agroplan does not inline.
    """
    fmap.add_child(ShellCall(fmap.get_name()))
    use_template(fmap, template, lang, shell=shell.as_json(lang), facts=facts, **context)
    strip_remote_assets(fmap.get_root())
    return fmap


def page_html(fmap: folium.Map, what: str) -> str:
    """The whole page of a map made ready by :func:`use_shell`, checked to load nothing.

    Raises
    ------
    OutputError
        If the page would load anything from outside the file (``what`` names the page).
    """
    html: str = fmap.get_root().render()
    check_offline(html, what)
    return html
