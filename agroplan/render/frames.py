"""Plan tables as the map needs them: per-quarter series, totals, coordinates, names.

Small pure helpers shared by :mod:`agroplan.render.mapdata` and :mod:`agroplan.render.points`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_index
from agroplan.render.i18n import Translator

COORD_DIGITS = 5  # about a metre: enough for a plan map, and keeps the page small


def latlon(gdf: gpd.GeoDataFrame, key: str) -> list[float]:
    """``[lat, lon]`` of a feature (a representative point for polygons), rounded."""
    geom = gdf.geometry.loc[key]
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return [round(float(point.y), COORD_DIGITS), round(float(point.x), COORD_DIGITS)]


def period_index(label: Any, periods: Sequence[str]) -> int | None:
    """Index of a quarter label in the horizon (may fall outside 0..T-1); None if missing."""
    if label is None or (isinstance(label, float) and math.isnan(label)) or label == "":
        return None
    return quarter_index(str(label), periods[0])


def series(df: pd.DataFrame, key: str, value: str, periods: Sequence[str],
            cumulative: bool) -> dict[str, list[float]]:
    """``{key: [value per quarter]}`` summed over other columns (optionally cumulative)."""
    if df.empty:
        return {}
    table = (df.assign(**{value: pd.to_numeric(df[value], errors="coerce").fillna(0.0)})
             .pivot_table(index=key, columns="period", values=value, aggfunc="sum")
             .reindex(columns=list(periods)).fillna(0.0))
    if cumulative:
        table = table.cumsum(axis=1)
    return {str(k): [json_num(v) for v in row] for k, row in zip(table.index, table.to_numpy(),
                                                               strict=True)}


def sum_by(df: pd.DataFrame, key: str, value: str) -> dict[str, float]:
    """``{key: total of value}``, keys as strings."""
    if df.empty:
        return {}
    totals = pd.to_numeric(df[value], errors="coerce").fillna(0.0).groupby(df[key].astype(str))
    return {str(k): num(v) for k, v in totals.sum().items()}


def json_num(value: Any) -> float | int:
    """A number for JSON: whole numbers as int, others to 2 decimals, NaN/inf as 0."""
    number = float(value)
    if not math.isfinite(number):
        return 0
    return round(number) if abs(number - round(number)) < 1e-6 else round(number, 2)


def num(value: Any) -> float:
    """Any table cell as a float; missing or non-numeric values count as 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def district_name(inputs: PlanInputs, district_id: str, tr: Translator) -> str:
    """The name of a district in the translator's language, or its id."""
    if district_id in inputs.districts.index:
        return tr.place(inputs.districts.loc[district_id], district_id)
    return district_id


def town_name(inputs: PlanInputs, settlement_id: str, tr: Translator) -> str:
    """The name of a settlement in the translator's language, or its id."""
    if settlement_id in inputs.settlements.index:
        return tr.place(inputs.settlements.loc[settlement_id], settlement_id)
    return settlement_id
