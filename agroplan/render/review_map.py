"""The review map: what was planned, what happened and what the re-plan does next.

One self-contained HTML page like the plan's map (:mod:`agroplan.render.map`): folium makes
the Leaflet map, its layer groups and the layer control; ``agroplan/assets/review-map.js``
draws farms, houses per settlement and heifer flows from JSON embedded in the page, with
the legend of ``templates/review_map.html``. Layers, each toggled in the control: the
previous plan up to the as-of quarter, the actuals, the re-plan's remaining quarters and
(off at first) the previous plan's remaining quarters. Popups come from
``templates/popups.html``; nothing is loaded from outside the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import pandas as pd

from agroplan.config.sections import Language
from agroplan.errors import OutputError
from agroplan.messages import N_, Message
from agroplan.periods import quarter_ordinal
from agroplan.plan.result import Plan
from agroplan.render.frames import district_name, json_num, latlon, num, town_name
from agroplan.render.i18n import Translator, translator
from agroplan.render.map import DrawCall, base_layers
from agroplan.render.mapdata import BASEMAP_TOLERANCE_DEG, DISTRICT_TOLERANCE_DEG
from agroplan.render.mapdata import _bounds as map_bounds
from agroplan.render.mapdata import _geojson as simplified_geojson
from agroplan.render.offline import write_atomic
from agroplan.render.paper import page_facts, replan_status
from agroplan.render.shell import ShellSettings, new_map, page_html, use_shell
from agroplan.render.templating import macros

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.layers.read import Layers
    from agroplan.roadmap.actuals import Actuals

# key in the page's script -> (name in the layer control, shown when the page opens);
# %(quarter)s is the as-of quarter
REVIEW_OVERLAYS: dict[str, tuple[str, bool]] = {
    "districts": (N_("Districts"), True),
    "planned": (N_("Planned up to %(quarter)s (previous plan)"), True),
    "actual": (N_("Actual up to %(quarter)s"), True),
    "replan": (N_("Re-plan: quarters after %(quarter)s"), True),
    "previous_rest": (N_("Previous plan: quarters after %(quarter)s (replaced)"), False),
}
DATA_ELEMENT_ID = "agroplan-review-data"


def overlay_names(as_of: str, lang: Language = "en") -> dict[str, tuple[str, bool]]:
    """:data:`REVIEW_OVERLAYS` in ``lang``, with the as-of quarter filled in."""
    tr = translator(lang)
    quarter = tr.quarter(as_of)
    return {k: (tr.gettext(name) % {"quarter": quarter}, show)
            for k, (name, show) in REVIEW_OVERLAYS.items()}


def _when(tables: dict[str, pd.DataFrame], name: str, column: str,
          keep: Any) -> pd.DataFrame:
    """Rows of a table whose quarter ``column`` satisfies ``keep(ordinal)``."""
    frame = tables.get(name)
    if frame is None or frame.empty or column not in frame.columns:
        return pd.DataFrame()
    ordinals = frame[column].astype(str).map(quarter_ordinal)
    return frame[ordinals.map(keep)]


def _check(ids: Sequence[str], layer: pd.DataFrame, what: Message, source: str) -> None:
    missing = sorted(set(ids) - set(layer.index.astype(str)))
    if missing:
        raise OutputError(Message(
            "%(source)s names %(what)s %(ids)s that the scenario's layers do not have; "
            "review with the layers the plan was made with",
            source=Message(SOURCES[source]), what=what, ids=", ".join(missing[:5])))


FARM_SITES, SETTLEMENTS, HUBS = (Message("farm site(s)"), Message("settlement(s)"),
                                 Message("hub(s)"))


SOURCES = {"previous plan": N_("previous plan"), "actual": N_("actual"),
           "re-plan": N_("re-plan")}


def _layer(tables: dict[str, pd.DataFrame], keep: Any, inputs: PlanInputs, layers: Layers,
           source: str, ctx: tuple[Translator, Any]) -> dict[str, list[dict[str, Any]]]:
    """Farms started, houses built and heifers delivered in the chosen quarters."""
    tr, parts = ctx
    _ = tr.gettext
    shown = _(SOURCES[source])

    def head_text(count: float) -> str:
        return tr.ngettext("%(num)s head", "%(num)s head", count) % {"num": tr.number(count)}

    farms = _when(tables, "farms", "build_start", keep)
    houses = _when(tables, "houses", "period", keep)
    deliveries = _when(tables, "deliveries", "period", keep)
    out: dict[str, list[dict[str, Any]]] = {"farms": [], "towns": [], "flows": []}
    if len(farms):
        _check(list(farms["site_id"].astype(str)), layers.farm_sites, FARM_SITES, source)
    for row in farms.itertuples(index=False):
        sid, size = str(row.site_id), num(row.size_heads)
        district = district_name(inputs, str(inputs.sites["district_id"].get(sid, "")), tr)
        out["farms"].append({
            "id": sid, "ll": latlon(layers.farm_sites, sid), "size": json_num(size),
            "tip": _("Farm %(site)s, %(size)s, started %(quarter)s") % {
                "site": sid, "size": head_text(size), "quarter": tr.quarter(row.build_start)},
            "popup": str(parts.popup(_("Dairy farm %(site)s (%(source)s)") % {
                "site": sid, "source": shown}, [
                (_("District"), district), (_("Size"), head_text(size)),
                (_("Construction starts"), tr.quarter(row.build_start))])),
        })
    if len(houses):
        _check(list(houses["settlement_id"].astype(str)), layers.settlements, SETTLEMENTS,
               source)
        counts = pd.to_numeric(houses["houses"], errors="coerce").fillna(0.0)
        for tid, n in counts.groupby(houses["settlement_id"].astype(str)).sum().items():
            if n <= 0:
                continue
            name = town_name(inputs, str(tid), tr)
            houses_text = tr.ngettext("%(num)s house", "%(num)s houses", n) % {
                "num": tr.number(float(n))}
            out["towns"].append({
                "id": str(tid), "ll": latlon(layers.settlements, str(tid)), "houses": json_num(n),
                "tip": f"{name}: {houses_text}",
                "popup": str(parts.popup(f"{name} ({shown})", [
                    (_("Houses built"), tr.number(float(n)))])),
            })
    if len(deliveries):
        _check(list(deliveries["site_id"].astype(str)), layers.farm_sites, FARM_SITES, source)
        _check(list(deliveries["hub_id"].astype(str)), layers.hubs, HUBS, source)
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
                    "tip": tr.ngettext("%(num)s heifer, hub %(hub)s to farm %(site)s",
                                       "%(num)s heifers, hub %(hub)s to farm %(site)s", n)
                    % {"num": tr.number(float(n)), "hub": hub, "site": site},
                })
    return out


def build_review_map_data(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                          layers: Layers, lang: Language = "en") -> dict[str, Any]:
    """Everything the review map draws, as JSON-ready values (plain-text names, popups as
    HTML escaped by their template)."""
    tr = translator(lang)
    ctx = (tr, macros("popups.html", lang))
    cut = quarter_ordinal(actuals.as_of)

    def past(ordinal: int) -> bool:
        return ordinal <= cut

    def rest(ordinal: int) -> bool:
        return ordinal > cut

    districts = layers.districts
    outline = simplified_geojson(
        districts.reset_index(drop=True).assign(
            name=[district_name(inputs, str(d), tr) for d in districts.index]),
        ["name"], DISTRICT_TOLERANCE_DEG)
    return {
        "as_of": actuals.as_of,
        "bounds": map_bounds(districts.geometry),
        "basemap": simplified_geojson(layers.context, ["kind"], BASEMAP_TOLERANCE_DEG),
        "districts": outline,
        "layers": {
            "planned": _layer(previous.tables, past, inputs, layers, "previous plan", ctx),
            "actual": _layer(actuals.tables, past, inputs, layers, "actual", ctx),
            "replan": _layer(current.tables, rest, inputs, layers, "re-plan", ctx),
            "previous_rest": _layer(previous.tables, rest, inputs, layers, "previous plan", ctx),
        },
    }


def build_review_map(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                     layers: Layers, lang: Language = "en") -> folium.Map:
    """The folium review map with every asset inlined (not yet written)."""
    data = build_review_map_data(previous, current, actuals, inputs, layers, lang)
    fmap = new_map(data["bounds"], prefer_canvas=True)
    groups: dict[str, Any] = {"basemap": base_layers(fmap, lang)}
    for key, (name, show) in overlay_names(actuals.as_of, lang).items():
        groups[key] = folium.FeatureGroup(name=name, overlay=True, show=show).add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    fmap.add_child(DrawCall("agroplanReviewMap", fmap.get_name(),
                            {k: g.get_name() for k, g in groups.items()}, DATA_ELEMENT_ID))
    tr = translator(lang)
    facts = page_facts(tr, inputs.scenario.name, replan_status(
        tr, current.status, current.relative_gap, actuals.as_of))
    return use_shell(fmap, "review_map.html", lang, ShellSettings(fit=_fit_points(data)), facts,
                     data=data, data_id=DATA_ELEMENT_ID, scenario=inputs.scenario,
                     as_of=actuals.as_of)


def _fit_points(data: dict[str, Any]) -> list[list[float]]:
    """Every farm, settlement and hub the review map draws (the districts if none)."""
    points = [x["ll"] for layer in data["layers"].values()
              for kind in ("farms", "towns") for x in layer[kind]]
    points += [f["ll"][0] for layer in data["layers"].values() for f in layer["flows"]]
    return points or list(data["bounds"])


def render_review_map(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs,
                      layers: Layers, out_path: Path | str, lang: Language = "en") -> Path:
    """Write the review map as one self-contained HTML file; returns its absolute path.

    Raises
    ------
    OutputError
        If a plan or the actuals name ids the layers lack, or the page would load anything
        from outside the file, or it cannot be written.
    """
    html = page_html(build_review_map(previous, current, actuals, inputs, layers, lang),
                     f"the review map of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
