"""The map's data: plain JSON values built from a plan, its inputs and the layers.

Pure functions, no folium: :func:`build_map_data` returns what the page's script draws.
Quarter-dependent values are lists with one entry per quarter of the horizon, so the time
slider only indexes them. Names are plain text, which the script shows as text; popups are
HTML from ``templates/popups.html``; the panels and their words are in ``templates/map.html``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from agroplan.config.sections import Language
from agroplan.errors import OutputError
from agroplan.inputs import PlanInputs
from agroplan.messages import Message
from agroplan.periods import quarter_ordinal
from agroplan.plan.result import Plan
from agroplan.render.frames import (
    COORD_DIGITS,
    district_name,
    json_num,
    latlon,
    period_index,
    series,
)
from agroplan.render.i18n import Translator, translator
from agroplan.render.points import Layer, candidates, farms, flows, hubs, origins, towns
from agroplan.render.templating import macros

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

BASEMAP_TOLERANCE_DEG = 0.002  # simplification of the drawn-only basemap (~200 m)
DISTRICT_TOLERANCE_DEG = 0.0005


def build_map_data(plan: Plan, inputs: PlanInputs, layers: Layers,
                   lang: Language = "en") -> dict[str, Any]:
    """Everything the map draws, as JSON-ready values.

    Parameters
    ----------
    plan
        A plan (a plan without a solution draws the candidates and the KPI panel only).
    inputs
        The inputs the plan was solved from (names, districts, scenario parameters).
    layers
        The layers of the scenario (geometries).
    lang
        Language of the names, popups and numbers: ``en``, ``az`` or ``ru``.
    """
    periods = tuple(plan.periods) or tuple(inputs.periods)
    _check_ids(plan, layers)
    tr = translator(lang)
    ctx = Layer(plan, inputs, layers, periods, tr, macros("popups.html", lang))
    return {
        "title": inputs.scenario.name,
        "periods": list(periods),
        "period_labels": [tr.quarter(p) for p in periods],
        "numbers": number_format(tr),
        "bounds": _bounds(layers.districts.geometry),
        "basemap": _geojson(layers.context, ["kind"], BASEMAP_TOLERANCE_DEG),
        "districts": _districts(plan, inputs, layers, periods, tr),
        "farms": farms(ctx),
        "towns": towns(ctx),
        "flows": flows(ctx),
        "hubs": hubs(ctx),
        "origins": origins(ctx),
        "candidates": candidates(ctx),
        "clearance": _clearance(inputs, layers, periods, tr),
        "kpi": _kpis(plan, inputs, periods),
    }


def number_format(tr: Translator) -> dict[str, Any]:
    """How the page's script writes numbers and dollars, taken from Babel's output for the
    locale so the script and the Python-written texts agree: the group separator, and the
    US dollar patterns (``{n}`` stands for the number) for billions, millions and less."""
    whole = tr.number(1234)
    patterns = {}
    for key, value, shown in (("bn", 1.5e9, tr.number(1.5, 1)), ("m", 1.5e6, tr.number(1.5, 1)),
                              ("plain", 12345, tr.number(12345))):
        text = tr.usd(value)
        if text.count(shown) != 1:  # a locale whose pattern repeats the number: say so
            raise OutputError(f"cannot derive the {tr.lang} dollar pattern from {text!r}")
        patterns[key] = text.replace(shown, "{n}")
    return {"group": whole[1:-3], "decimal": tr.number(1.5, 1)[1:-1], "usd": patterns}


def _check_ids(plan: Plan, layers: Layers) -> None:
    """Every id the plan names must be in the layers (they may have changed since)."""
    wanted = (
        (Message("farm site(s)"), plan.farms["site_id"], layers.farm_sites, "farm_sites"),
        (Message("farm site(s)"), plan.deliveries["site_id"], layers.farm_sites, "farm_sites"),
        (Message("hub(s)"), plan.deliveries["hub_id"], layers.hubs, "hubs"),
        (Message("settlement(s)"), plan.agro_towns["settlement_id"], layers.settlements,
         "settlements"),
        (Message("settlement(s)"), plan.houses["settlement_id"], layers.settlements,
         "settlements"),
    )
    problems = []
    for what, ids, layer, name in wanted:
        missing = sorted(set(ids.astype(str)) - set(layer.index.astype(str)))
        if missing:
            problems.append(Message(
                "the plan names %(what)s %(ids)s that the %(layer)s layer no longer has; "
                "draw the plan with the layers it was solved with, or run `agroplan plan` again",
                what=what, ids=", ".join(missing[:5]), layer=name))
    if problems:
        raise OutputError(sorted(set(problems)))


def _bounds(geoms: gpd.GeoSeries) -> list[list[float]]:
    """``[[south, west], [north, east]]``; the map opens on the revival districts."""
    west, south, east, north = (float(v) for v in gpd.GeoSeries(geoms).total_bounds)
    return [[south, west], [north, east]]


def _geojson(gdf: gpd.GeoDataFrame, columns: Sequence[str], tolerance: float) -> dict[str, Any]:
    geoms = shapely.simplify(gdf.geometry.values, tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DIGITS))
    features = []
    for geom, (_, row) in zip(geoms, gdf.iterrows(), strict=True):
        if geom is None or geom.is_empty:
            continue
        props = {c: _plain(row[c]) for c in columns}
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _districts(plan: Plan, inputs: PlanInputs, layers: Layers,
               periods: Sequence[str], tr: Translator) -> dict[str, Any]:
    site_district = inputs.sites["district_id"].astype(str)
    town_district = inputs.settlements["district_id"].astype(str)
    herd = plan.herd.assign(district_id=plan.herd["site_id"].map(site_district))
    houses = plan.houses.assign(district_id=plan.houses["settlement_id"].map(town_district))
    herd_by = series(herd, "district_id", "heads", periods, cumulative=False)
    families_by = series(houses, "district_id", "houses", periods, cumulative=True)
    cleared = _cleared(layers, periods)
    spend = plan.kpis.get("spend_by_district", {})
    zeros = [0] * len(periods)
    collection = _geojson(layers.districts.reset_index(drop=True)
                          .assign(district_id=list(layers.districts.index.astype(str))),
                          ["district_id"], DISTRICT_TOLERANCE_DEG)
    for feature in collection["features"]:
        did = feature["properties"].pop("district_id")
        feature["properties"] = {
            "name": district_name(inputs, did, tr),
            "label": _short_name(layers, did, tr),
            "label_ll": latlon(layers.districts, did),
            "families": families_by.get(did, zeros),
            "herd": herd_by.get(did, zeros),
            "spend": json_num(spend.get(did, 0.0)),
            "cleared": cleared.get(did, zeros),
        }
    return collection


def _short_name(layers: Layers, district_id: str, tr: Translator) -> str:
    """A district's label on the map: one name, in the page's language where the layer has
    it (else Azerbaijani, English, the id)."""
    row = layers.districts.loc[district_id]
    order = {"en": ("name_en", "name_az"), "az": ("name_az", "name_en"),
             "ru": ("name_ru", "name_az", "name_en")}[tr.lang]
    for column in order:
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return district_id


def _cleared(layers: Layers, periods: Sequence[str]) -> dict[str, list[float]]:
    """Cumulative cleared agricultural ha per district, carried forward over gaps."""
    table = layers.clearance
    if "district_id" not in table.columns:
        table = table.reset_index()
    if table.empty:
        return {}
    wide = table.pivot_table(index="district_id", columns="period",
                             values="cleared_agricultural_ha", aggfunc="max")
    order = sorted(set(wide.columns) | set(periods), key=quarter_ordinal)
    wide = wide.reindex(columns=order).ffill(axis=1).fillna(0.0).reindex(columns=list(periods))
    return {str(k): [json_num(v) for v in row] for k, row in zip(wide.index, wide.to_numpy(),
                                                               strict=True)}


def _clearance(inputs: PlanInputs, layers: Layers, periods: Sequence[str],
               tr: Translator) -> list[dict[str, Any]]:
    cleared = _cleared(layers, periods)
    return [{"ll": latlon(layers.districts, did), "ha": values,
             "name": district_name(inputs, did, tr)}
            for did, values in cleared.items() if did in layers.districts.index]


def _kpis(plan: Plan, inputs: PlanInputs, periods: Sequence[str]) -> dict[str, Any]:
    """The KPI panel's values per quarter (its words and totals are in the template)."""
    k = plan.kpis

    def per_period(key: str) -> list[float]:
        values = k.get(key, {})
        return [json_num(values.get(p, 0.0)) for p in periods]

    starts = [period_index(s, periods) for s in plan.farms["build_start"]]
    ops = [period_index(s, periods) for s in plan.farms["operational_from"]]
    spend, budget = per_period("spend_by_period"), per_period("budget_by_period")
    return {
        "families": per_period("families_housed_by_period"),
        "herd": per_period("herd_by_period"),
        "milk": per_period("milk_t_by_period"),
        "spend_cum": [json_num(v) for v in np.cumsum(spend)],
        "budget_cum": [json_num(v) for v in np.cumsum(budget)],
        "farms_built": [sum(1 for s in starts if s is not None and s <= t)
                        for t in range(len(periods))],
        "farms_op": [sum(1 for s in ops if s is not None and s <= t) for t in range(len(periods))],
    }
