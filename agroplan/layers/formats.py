"""Reading a layer in any of the formats a planner brings, as it is in the file.

:func:`read_source` returns the rows with the file's own column names (mapping them to
ours is :mod:`agroplan.layers.mapping`'s job), counting the features first so a huge
layer is refused before it is read:

- Shapefile, GeoPackage, FlatGeobuf, GeoJSON and the other GDAL vector formats, through
  pyogrio; a GeoPackage's layer is ``layer``, else the one named like the scenario key
  (``farm_sites``), else its only layer.
- GeoParquet (``.parquet``), through pyarrow.
- CSV and XLSX (a table; points come from lon/lat columns later). An XLSX sheet is
  ``layer``, else the sheet named like the scenario key, else the only sheet. Cells are
  read as typed; a whole number typed in a text column (an id) is read as ``12``, not
  ``12.0``, and a date as ``2027-01-01``.
- A ``postgresql://`` database, through :mod:`agroplan.layers.postgis`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast
from warnings import catch_warnings, simplefilter

import geopandas as gpd
import pandas as pd
import pyogrio

from agroplan.config.sources import LayerSource
from agroplan.layers.checks import Problems, readable_file, short_error
from agroplan.layers.limits import over_limit
from agroplan.layers.postgis import read_database

TABLE_SUFFIXES = (".csv", ".xlsx")
"""Files that hold a table, not geometries."""
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
GIS_ADVICE = ("save it as GeoJSON (or GeoPackage) in EPSG:4326; Shapefile, FlatGeobuf and "
              "GeoParquet are read too")


def is_table(source: LayerSource) -> bool:
    """Whether ``source`` is a CSV or XLSX table (points from lon/lat columns)."""
    return not source.database and Path(source.path).suffix.lower() in TABLE_SUFFIXES


def read_source(
    source: LayerSource,
    key: str,
    problems: Problems,
    max_features: int,
    max_megabytes: float,
    *,
    geometry: bool = True,
) -> pd.DataFrame | None:
    """The rows of ``source`` with the file's own column names, or ``None`` after adding
    the reason to ``problems``.

    A GIS file or a database table with ``geometry`` gives a GeoDataFrame (with the CRS
    the file declares, if any); a CSV or XLSX file, or a database table read with
    ``geometry=False``, a plain DataFrame (a database's SRID in ``attrs["srid"]``).
    """
    if source.database:
        return read_database(source, problems, max_features, geometry)
    path = Path(source.path)
    if not readable_file(path, key, problems, max_megabytes):
        return None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = _read_csv(path, source, problems)
    elif suffix == ".xlsx":
        frame = read_sheet(path, source.layer, key, problems)
    elif suffix in PARQUET_SUFFIXES:
        frame = _read_parquet(path, source, problems, max_features)
    else:
        return _read_gis(path, source, key, problems, max_features)
    if frame is not None and over_limit(len(frame), max_features, problems, "rows"):
        return None
    return frame


def _read_csv(path: Path, source: LayerSource, problems: Problems) -> pd.DataFrame | None:
    if source.layer is not None:
        problems.add("a CSV file has no layers or sheets", "remove `layer:` from its mapping")
        return None
    try:  # text as it is written: ids keep their leading zeros; the checks parse numbers
        return pd.read_csv(path, dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.add("the file is empty", "write the header line and the rows")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        problems.add(f"cannot be read as CSV ({short_error(exc)})",
                     "save it as UTF-8 CSV, with a header line")
    return None


def read_sheet(path: Path, sheet: str | None, key: str, problems: Problems) -> pd.DataFrame | None:
    """One sheet of an XLSX workbook: the first row is the header, cells as typed."""
    from openpyxl import load_workbook  # imported here: only XLSX layers need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
        problems.add(f"cannot be read as an XLSX workbook ({short_error(exc)})",
                     "save it from your spreadsheet as Excel 2007-365 (.xlsx)")
        return None
    try:
        names = list(book.sheetnames)
        chosen = choose(names, sheet, key, "sheet", problems)
        if chosen is None:
            return None
        rows = list(book[chosen].iter_rows(values_only=True))
    finally:
        book.close()
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    if not rows:
        problems.add(f"sheet {chosen!r} is empty", "write the header in the first row")
        return None
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    width = max(i + 1 for i, name in enumerate(header) if name) if any(header) else 0
    body = [[_cell(c) for c in row[:width]] for row in rows[1:]]
    return pd.DataFrame(body, columns=header[:width], dtype=object)


def _cell(value: Any) -> Any:
    """A cell as the checks read it: whole numbers as ints, dates as ISO text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str) and not value.strip():
        return None
    return value


def choose(names: list[str], wanted: str | None, key: str, what: str,
           problems: Problems) -> str | None:
    """The layer or sheet to read: ``wanted``, else the one named ``key``, else the only one."""
    shown = ", ".join(repr(n) for n in names)
    if wanted is not None:
        if wanted in names:
            return wanted
        problems.add(f"has no {what} {wanted!r} (its {what}s: {shown})",
                     f"correct layers.{key}.layer")
        return None
    if key in names:
        return key
    if len(names) == 1:
        return names[0]
    problems.add(f"holds {len(names)} {what}s ({shown}) and none is named {key}",
                 f"name the {what} to read with layers.{key}.layer")
    return None


def _read_parquet(path: Path, source: LayerSource, problems: Problems,
                  max_features: int) -> pd.DataFrame | None:
    import pyarrow.parquet as pq  # imported here: only GeoParquet layers need it

    if source.layer is not None:
        problems.add("a GeoParquet file has no layers", "remove `layer:` from its mapping")
        return None
    try:
        rows = pq.read_metadata(path).num_rows
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        problems.add(f"cannot be read as Parquet ({short_error(exc)})", GIS_ADVICE)
        return None
    if over_limit(rows, max_features, problems):
        return None
    try:
        return cast(pd.DataFrame, gpd.read_parquet(path))
    except Exception as exc:  # no 'geo' metadata, a broken geometry column
        problems.add(f"cannot be read as GeoParquet ({short_error(exc)})",
                     "write it with geopandas' to_parquet or GDAL, which add the geo metadata")
        return None


def _read_gis(path: Path, source: LayerSource, key: str, problems: Problems,
              max_features: int) -> gpd.GeoDataFrame | None:
    try:
        names = [str(name) for name, _ in pyogrio.list_layers(path)]
        layer = None
        if source.layer is not None or len(names) > 1:
            layer = choose(names, source.layer, key, "layer", problems)
            if layer is None:
                return None
        count = int(pyogrio.read_info(path, layer=layer)["features"])
    except Exception as exc:  # GDAL raises several types for unreadable files
        problems.add(f"cannot be read as a GIS layer ({short_error(exc)})", GIS_ADVICE)
        return None
    if over_limit(count, max_features, problems):
        return None
    try:
        with catch_warnings():  # GDAL's notes on odd values: the checks report them
            simplefilter("ignore")
            frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # idem
        problems.add(f"cannot be read ({short_error(exc)})", GIS_ADVICE)
        return None
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame.columns:
        problems.add("has no geometries (a table, not a layer)",
                     f"point layers.{key} at a GIS file of {key}, or give a CSV or XLSX "
                     "file lon and lat columns")
        return None
    return frame
