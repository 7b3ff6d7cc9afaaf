"""Readers of the raw sources: a missing file or column is a DataError naming the fix."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from agroplan.errors import DataError
from agroplan.layers.build.config import BuildConfig

# columns the build reads from each source
REQUIRED = {
    "districts": ("iso_code", "name_en", "name_az", "ne_name_ru", "district_key",
                  "econ_region_2021", "area_km2"),
    "neighbours": ("adm0_a3", "adm1_code", "name_en"),
    "settlements": ("geonameid", "name", "alternatenames", "population", "gn_admin1_iso"),
    "origins": ("geonameid", "name_en", "name_be", "oblast_en"),
    "rivers": ("name",),
    "lakes": ("name",),
    "elevation_stats": (
        "iso_code",
        "elev_mean_m",
        "elev_min_m",
        "elev_p50_m",
        "elev_p90_m",
        "elev_max_m",
        "share_below_200m",
        "share_200_1000m",
        "share_1000_2000m",
        "share_above_2000m",
    ),
}


def read_vector(config: BuildConfig, name: str) -> gpd.GeoDataFrame:
    """Read the vector source ``name`` (a key of ``sources:``) in EPSG:4326.

    Raises
    ------
    DataError
        If the file is missing or unreadable, not in EPSG:4326, or lacks a column.
    """
    path = config.source(name)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:
        raise DataError(
            f"{path}: cannot be read as a vector file ({type(exc).__name__}: {exc}); "
            f"fix sources.{name} in the build file"
        ) from None
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise DataError(f"{path}: expected EPSG:4326 (lon/lat), found {frame.crs}")
    _check_columns(path, frame, REQUIRED.get(name, ()))
    return frame


def read_table(config: BuildConfig, name: str) -> pd.DataFrame:
    """Read the CSV source ``name``."""
    path = config.source(name)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{path}: cannot be read as CSV ({exc}); fix sources.{name} in the build file"
        ) from None
    _check_columns(path, frame, REQUIRED.get(name, ()))
    return frame


def _check_columns(path: object, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
