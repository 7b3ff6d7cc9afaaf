"""What each input layer must hold, and the checks of one layer's table on its own.

:mod:`agroplan.layers` reads the files and checks references between them; this module
describes the columns of each layer (:data:`SPECS`) and checks one table against its
spec, collecting every problem into a :class:`Problems` list rather than stopping at the
first, so a user fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from agroplan.periods import parse_quarter

SHOWN_IDS = 5
"""How many feature ids a message lists before it says "and N more"."""


@dataclass(frozen=True)
class LayerSpec:
    """Required columns and rules of one layer file.

    Attributes
    ----------
    key
        Key of the layer under ``layers:`` in a scenario file.
    id_column
        Column holding the unique feature id (``None``: no id, for the basemap).
    geometry
        Allowed geometry types (empty: any type).
    text
        Columns that must hold a non-empty text value in every feature.
    optional_text
        Columns that must exist but may be empty.
    absent_ok
        Text columns a layer may lack altogether (added empty), such as ``name_ru``.
    numbers
        Columns that must hold a finite number in every feature.
    integers
        Subset of ``numbers`` that must be whole numbers (houses, heads, ids).
    non_negative
        Subset of ``numbers`` that must be >= 0 (capacities, supplies, houses, areas).
    shares
        Subset of ``numbers`` that must lie in 0..1.
    quarters
        Columns holding a quarter label such as ``2027Q1``.
    booleans
        Columns holding true/false.
    choices
        Column -> allowed values.
    """

    key: str
    id_column: str | None
    geometry: tuple[str, ...]
    text: tuple[str, ...] = ()
    optional_text: tuple[str, ...] = ()
    absent_ok: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    shares: tuple[str, ...] = ()
    quarters: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every required column, in the order of the layer contract."""
        return (*self.text, *self.optional_text, *self.numbers, *self.quarters, *self.booleans)

    @property
    def read_columns(self) -> tuple[str, ...]:
        """Every column agroplan reads: the required ones, then those a layer may lack."""
        return (*self.columns, *self.absent_ok)


_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point",)
_ELEVATIONS = ("elev_mean_m", "elev_min_m", "elev_p50_m", "elev_p90_m", "elev_max_m")
_BANDS = ("share_below_200m", "share_200_1000m", "share_1000_2000m", "share_above_2000m")

SPECS: dict[str, LayerSpec] = {
    "districts": LayerSpec(
        "districts", "district_id", _POLYGONS,
        text=("district_id", "name_en", "econ_region"),
        optional_text=("name_az",),
        absent_ok=("name_ru",),
        numbers=("area_km2", *_ELEVATIONS, *_BANDS, "agricultural_share", "suspected_ha"),
        non_negative=("area_km2", "suspected_ha"),
        shares=(*_BANDS, "agricultural_share"),
    ),
    "settlements": LayerSpec(
        "settlements", "settlement_id", _POINTS,
        text=("settlement_id", "name_en", "district_id"),
        optional_text=("name_az",),
        absent_ok=("name_ru",),
        numbers=("geonameid", "population_historical", "max_houses", "returning_families"),
        integers=("geonameid", "population_historical", "max_houses", "returning_families"),
        non_negative=("population_historical", "max_houses", "returning_families"),
        quarters=("available_from",),
    ),
    "farm_sites": LayerSpec(
        "farm_sites", "site_id", _POINTS,
        text=("site_id", "district_id"),
        numbers=("elevation_m", "slope_deg", "max_size_heads"),
        integers=("max_size_heads",),
        non_negative=("slope_deg", "max_size_heads"),
        quarters=("available_from",),
    ),
    "hubs": LayerSpec(
        "hubs", "hub_id", _POINTS,
        text=("hub_id", "name", "mode"),
        optional_text=("note",),
        numbers=("capacity_heads_per_quarter", "capacity_timber_m3_per_quarter"),
        non_negative=("capacity_heads_per_quarter", "capacity_timber_m3_per_quarter"),
        booleans=("schematic",),
        choices={"mode": ("road", "rail", "sea")},
    ),
    "origins": LayerSpec(
        "origins", "origin_id", _POINTS,
        text=("origin_id", "name_en"),
        optional_text=("name_be", "oblast"),
        numbers=("heifers_per_quarter", "timber_m3_per_quarter"),
        non_negative=("heifers_per_quarter", "timber_m3_per_quarter"),
    ),
    "context": LayerSpec(
        "context", None, (),
        text=("kind",),
        optional_text=("name",),
        choices={"kind": ("az_district", "neighbour", "river", "lake")},
    ),
}
"""The layer contract (see ``docs/model.md`` and ``data/README.md``), one spec per file."""


class Problems:
    """Problems found in one file, each a line naming the file, the features and the fix.

    ``file`` is the path, or the label of a layer that is not a plain file (a GeoPackage
    layer, a database table). ``names`` maps our column names to the user's own (from
    ``layers.<name>.columns``), so that a message names the column the user wrote.
    """

    def __init__(self, file: Path | str, names: Mapping[str, str] | None = None) -> None:
        self.file = file
        self.names = dict(names or {})
        self.missing_hint = ""
        """Said after a list of missing columns (set when the file has likely candidates)."""
        self.lines: list[str] = []

    def name(self, column: str) -> str:
        """How a message names ``column``: the user's own name when it is mapped."""
        theirs = self.names.get(column, column)
        return column if theirs == column else f"column `{theirs}` (mapped to {column})"

    def own(self, column: str) -> str:
        """The user's name of ``column`` (the same when it is not mapped)."""
        return self.names.get(column, column)

    def add(self, what: str, fix: str, ids: Sequence[str] = ()) -> None:
        """Record ``what`` (at features ``ids``, if any) and how to ``fix`` it."""
        where = f" ({_feature_list(ids)})" if len(ids) else ""
        self.lines.append(f"{self.file}: {what}{where}; {fix}")

    def __bool__(self) -> bool:
        return bool(self.lines)


def _feature_list(ids: Sequence[str]) -> str:
    shown = ", ".join(str(i) for i in list(ids)[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    noun = "feature" if len(ids) == 1 else "features"
    return f"{noun} {shown}" + (f" and {more} more" if more > 0 else "")


def feature_labels(frame: pd.DataFrame, id_column: str | None) -> pd.Series:
    """A readable label per row: its id where it has one, else ``#n`` (1-based row)."""
    numbers = pd.Series([f"#{i + 1}" for i in range(len(frame))], index=frame.index, dtype=object)
    if id_column is None or id_column not in frame.columns:
        return numbers
    ids = frame[id_column]
    usable = ids.notna() & (ids.astype(str).str.strip() != "")
    return ids.astype(str).where(usable, numbers).astype(object)


def check_table(frame: pd.DataFrame, spec: LayerSpec, problems: Problems) -> pd.DataFrame:
    """Check the columns of one layer; return it with numbers as floats/ints, ids as text.

    Every problem is added to ``problems``; the returned frame is meaningful only when
    none were added.
    """
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        problems.add(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            + problems.missing_hint,
            f"add {'them' if len(missing) > 1 else 'it'} to every feature's properties "
            f"(the {spec.key} layer needs: {', '.join(spec.columns)})",
        )
    labels = feature_labels(frame, spec.id_column)
    frame = frame.copy()
    for column in [c for c in spec.text if c in frame.columns]:
        frame[column] = _text(frame[column], column, labels, problems)
    for column in spec.absent_ok:
        if column not in frame.columns:
            frame[column] = ""
    for column in [c for c in (*spec.optional_text, *spec.absent_ok) if c in frame.columns]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    for column in [c for c in spec.numbers if c in frame.columns]:
        frame[column] = _number(frame[column], column, spec, labels, problems)
    for column in [c for c in spec.quarters if c in frame.columns]:
        _quarters(frame[column], column, labels, problems)
    for column in [c for c in spec.booleans if c in frame.columns]:
        frame[column] = _boolean(frame[column], column, labels, problems)
    for column, allowed in spec.choices.items():
        if column in frame.columns:
            _choice(frame[column], column, allowed, labels, problems)
    if spec.id_column is not None and spec.id_column in frame.columns:
        _unique(frame[spec.id_column], spec.id_column, problems)
    return frame


def _choice(
    values: pd.Series, column: str, allowed: tuple[str, ...], labels: pd.Series, problems: Problems
) -> None:
    bad = values.notna() & ~values.isin(allowed)
    if bad.any():
        shown = ", ".join(sorted({repr(v) for v in values[bad]})[:3])
        choices = ", ".join(allowed)
        problems.add(f"{problems.name(column)} {shown} is not one of {choices}",
                     f"use one of {choices}", _labels(labels, bad))


def _labels(labels: pd.Series, mask: pd.Series | np.ndarray) -> list[str]:
    return [str(v) for v in labels[np.asarray(mask, dtype=bool)]]


def _text(values: pd.Series, column: str, labels: pd.Series, problems: Problems) -> pd.Series:
    empty = values.isna() | (values.astype(str).str.strip() == "")
    if empty.any():
        problems.add(f"{problems.name(column)} is empty", f"give every feature a "
                     f"{problems.own(column)}", _labels(labels, empty))
    return values.astype(object).where(~empty, "").map(lambda v: str(v).strip())


def _number(
    values: pd.Series, column: str, spec: LayerSpec, labels: pd.Series, problems: Problems
) -> pd.Series:
    as_bool = values.map(lambda v: isinstance(v, bool | np.bool_))
    numbers = pd.to_numeric(values.where(~as_bool), errors="coerce").astype(float)
    text = values.notna() & numbers.isna()
    missing = values.isna() & ~text
    name, own = problems.name(column), problems.own(column)
    if text.any():
        shown = ", ".join(repr(v) for v in values[text].head(3))
        problems.add(f"{name} is not a number ({shown})", f"write {own} as a plain number",
                     _labels(labels, text))
    if missing.any():
        problems.add(f"{name} is missing (null or NaN)", f"give every feature a {own}",
                     _labels(labels, missing))
    infinite = np.isinf(numbers)
    if infinite.any():
        problems.add(f"{name} is infinite", f"give a finite {own}", _labels(labels, infinite))
    finite = np.isfinite(numbers)
    if column in spec.non_negative:
        negative = finite & (numbers < 0)
        if negative.any():
            problems.add(f"{name} is negative", f"{own} must be 0 or more",
                         _labels(labels, negative))
    if column in spec.shares:
        outside = finite & ((numbers < 0) | (numbers > 1))
        if outside.any():
            problems.add(f"{name} is outside 0..1", f"write {own} as a share between 0 and 1",
                         _labels(labels, outside))
    if column in spec.integers:
        fractional = finite & (numbers != np.round(numbers))
        if fractional.any():
            problems.add(f"{name} is not a whole number", f"round {own} to a whole number",
                         _labels(labels, fractional))
        if finite.all() and not fractional.any():
            return numbers.astype(np.int64)
    return numbers


def _quarters(values: pd.Series, column: str, labels: pd.Series, problems: Problems) -> None:
    bad = [not is_quarter(v) for v in values]
    if any(bad):
        shown = ", ".join([repr(v) for v, b in zip(values, bad, strict=True) if b][:3])
        problems.add(f"{problems.name(column)} is not a quarter label ({shown})",
                     f"write {problems.own(column)} as YYYYQn, for example 2027Q1",
                     _labels(labels, np.array(bad)))


def is_quarter(value: object) -> bool:
    """Whether ``value`` is a quarter label such as ``2027Q1`` (text, not a number)."""
    if not isinstance(value, str):
        return False
    try:
        parse_quarter(value)
    except ValueError:
        return False
    return True


def _boolean(values: pd.Series, column: str, labels: pd.Series, problems: Problems) -> pd.Series:
    parsed = values.map(_as_bool)
    bad = parsed.isna()
    if bad.any():
        problems.add(f"{problems.name(column)} is not true/false",
                     f"write {problems.own(column)} as true or false", _labels(labels, bad))
        return values
    return parsed.astype(bool)


def _as_bool(value: object) -> bool | None:
    """True/false from a JSON boolean, 0/1, or the text 'true'/'false' of a mixed column."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _unique(ids: pd.Series, column: str, problems: Problems) -> None:
    present = ids[ids.astype(str) != ""]
    duplicated = present[present.duplicated(keep=False)]
    if len(duplicated):
        names = sorted(set(duplicated.astype(str)))
        problems.add(f"duplicate {problems.name(column)} {', '.join(names[:SHOWN_IDS])}"
                     + (f" and {len(names) - SHOWN_IDS} more" if len(names) > SHOWN_IDS else ""),
                     f"give every feature its own {problems.own(column)}")


def check_geometry(frame: gpd.GeoDataFrame, spec: LayerSpec, problems: Problems) -> None:
    """Null, empty, wrong-type and invalid geometries (with the reason shapely gives)."""
    labels = feature_labels(frame, spec.id_column)
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        problems.add("geometry is missing or empty", "give every feature a geometry",
                     _labels(labels, missing))
    present = ~missing
    if spec.geometry:
        types = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
        wrong = present & ~np.isin(types, spec.geometry)
        if wrong.any():
            found = sorted(set(types[wrong]))
            problems.add(f"geometry type {', '.join(found)} is not allowed",
                         f"the {spec.key} layer needs {' or '.join(spec.geometry)} geometries",
                         _labels(labels, wrong))
    invalid = present & ~shapely.is_valid(geoms)
    for index in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[index])
        problems.add(f"invalid geometry ({reason})",
                     "repair it, for example with QGIS 'Fix geometries' or shapely.make_valid",
                     [str(labels.iloc[index])])


def check_degrees(frame: gpd.GeoDataFrame, problems: Problems) -> None:
    """Coordinates must be longitude/latitude degrees once the layer is in EPSG:4326."""
    geoms = frame.geometry.to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not usable.any():
        return
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[usable])
    if not all(np.isfinite([minx, miny, maxx, maxy])):
        problems.add("coordinates are not finite numbers", "fix or remove those coordinates")
    elif minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        problems.add(
            f"coordinates are not longitude/latitude degrees (x {minx:.0f}..{maxx:.0f}, "
            f"y {miny:.0f}..{maxy:.0f}) although the layer is in EPSG:4326",
            "the file is probably in a projected CRS that it does not declare: declare its "
            "CRS, or reproject it to EPSG:4326 (ogr2ogr -t_srs EPSG:4326)",
        )


def unknown_references(
    values: pd.Series, known: Iterable[str], labels: pd.Series
) -> dict[str, list[str]]:
    """Unknown value -> labels of the features that name it."""
    known_set = set(known)
    unknown: dict[str, list[str]] = {}
    for value, label in zip(values, labels, strict=True):
        if value and value not in known_set:
            unknown.setdefault(str(value), []).append(str(label))
    return unknown


# --------------------------------------------------------------------------- files


def readable_file(path: Path, key: str, problems: Problems, max_megabytes: float) -> bool:
    """Whether ``path`` is a file within the size limit; if not, say why in ``problems``."""
    if path.is_dir():
        problems.add("is a folder, not a file", f"point layers.{key} at the file itself")
        return False
    if not path.is_file():
        problems.add("file not found", f"check layers.{key} in the scenario "
                     "(paths are relative to the scenario file)")
        return False
    megabytes = path.stat().st_size / 1e6
    if megabytes > max_megabytes:
        problems.add(f"is {megabytes:.3g} MB, more than the limit of {max_megabytes:.3g} MB",
                     "simplify or split the layer, or raise the limit with --max-megabytes")
        return False
    return True


def short_error(exc: Exception) -> str:
    """The first line of an exception's message, without GDAL's driver advice."""
    text = str(exc).strip().splitlines()
    first = text[0].split("; It might help")[0].rstrip(".") if text else type(exc).__name__
    return first[:200]
