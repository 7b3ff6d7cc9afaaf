"""Elevation and slope from the GLOBE 30 arc-second DEM."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio

from agroplan.errors import DataError

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Terrain:
    """A geographic DEM with its slope grid.

    Attributes
    ----------
    elevation_m
        Elevation per cell, m (int16 in the source; GLOBE's packager set values below 0 to 0).
    slope_deg
        Steepest slope per cell, degrees, from central differences over neighbouring cells.
    west, north, cell_deg
        Position of the upper-left corner and the cell size, degrees.
    """

    elevation_m: np.ndarray
    slope_deg: np.ndarray
    west: float
    north: float
    cell_deg: float

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Elevation (m) and slope (degrees) of the cells that contain the points."""
        col = np.floor((np.asarray(lon) - self.west) / self.cell_deg).astype(int)
        row = np.floor((self.north - np.asarray(lat)) / self.cell_deg).astype(int)
        rows, cols = self.elevation_m.shape
        if (col < 0).any() or (row < 0).any() or (col >= cols).any() or (row >= rows).any():
            raise DataError(
                "a farm-site point lies outside the DEM; use a DEM covering the districts"
            )
        return self.elevation_m[row, col], self.slope_deg[row, col]


def read_terrain(path: Path) -> Terrain:
    """Read a north-up geographic DEM and compute its slope.

    Raises
    ------
    DataError
        If the raster cannot be read or is not a north-up lon/lat grid with square cells.
    """
    try:
        with rasterio.open(path) as src:
            elevation = src.read(1).astype(float)
            transform = src.transform
            geographic = src.crs is not None and src.crs.is_geographic
    except rasterio.errors.RasterioIOError as exc:
        raise DataError(f"{path}: cannot be read as a raster ({exc})") from None
    if not geographic or transform.b != 0 or transform.d != 0 or transform.a != -transform.e:
        raise DataError(f"{path}: expected a north-up lon/lat raster with square cells")
    cell = float(transform.a)
    lat = transform.f - (np.arange(elevation.shape[0]) + 0.5) * cell
    dy_m = cell * _M_PER_DEG_LAT
    dx_m = cell * _M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat))[:, None]
    dz_dy, dz_dx = np.gradient(elevation)
    slope = np.degrees(np.arctan(np.hypot(dz_dx / dx_m, dz_dy / dy_m)))
    return Terrain(elevation, slope, float(transform.c), float(transform.f), cell)
