"""Deterministic, atomic writers: the same layers give the same bytes on every run.

GeoJSON is written by hand rather than through GDAL so that key order, number formatting
and coordinate rounding never depend on a library version: one feature per line, keys in
column order, coordinates rounded to a fixed number of decimals (RFC 7946, EPSG:4326).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping

from agroplan.errors import OutputError


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc}); check the --out folder") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def geojson_text(frame: gpd.GeoDataFrame, columns: Sequence[str], decimals: int) -> str:
    """A FeatureCollection with ``columns`` as properties, one feature per line."""
    lines = []
    for row, geom in zip(frame[list(columns)].itertuples(index=False), frame.geometry, strict=True):
        feature = {
            "type": "Feature",
            "properties": {c: _plain(v) for c, v in zip(columns, row, strict=True)},
            "geometry": _rounded(mapping(geom), decimals),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return f'{{"type":"FeatureCollection","features":[\n{body}\n]}}\n'


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with ``\\n`` line ends and no index."""
    return str(frame.to_csv(index=False, lineterminator="\n"))


def snap(geom: shapely.Geometry, decimals: int) -> shapely.Geometry:
    """Round a geometry to the written precision, keeping it valid."""
    return shapely.set_precision(geom, 10.0**-decimals)


def _rounded(obj: Any, decimals: int) -> Any:
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, list | tuple):
        return [_rounded(v, decimals) for v in obj]
    if isinstance(obj, dict):
        return {k: _rounded(v, decimals) for k, v in obj.items()}
    return obj


def _plain(value: Any) -> Any:
    """A JSON-ready Python value from a pandas/numpy cell."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
