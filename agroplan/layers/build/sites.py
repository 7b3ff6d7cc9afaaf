"""Candidate dairy-farm sites: a regular grid over the districts, filtered by terrain.

1. Grid points ``spacing_m`` apart in the metric CRS (aligned to multiples of the spacing,
   so a point keeps its place when other rules change) sample each district's land.
2. Clearing order: within a district, land nearer a settlement is cleared first. Each grid
   point's rank share is its rank by distance to the nearest settlement over all grid
   points of the district, divided by their number; it is released when the district's
   free share reaches it (see :mod:`agroplan.layers.build.clearance`).
3. A point becomes a site when it lies at least ``min_boundary_distance_m`` inside its
   district, its DEM cell is within the elevation and slope limits, and (if set) a
   settlement is within ``max_settlement_distance_km``.
4. ``max_size_heads`` is the first size rule whose elevation and slope limits it meets.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from agroplan.layers.build.clearance import contaminated_share, release_quarters
from agroplan.layers.build.config import BuildConfig
from agroplan.layers.build.terrain import Terrain

SITE_COLUMNS = (
    "site_id",
    "district_id",
    "elevation_m",
    "slope_deg",
    "max_size_heads",
    "available_from",
    "nearest_settlement_km",
    "clearance_rank_share",
)


def grid_points(
    bounds: tuple[float, float, float, float], spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    """Points at multiples of ``spacing`` inside ``bounds`` (metric), row by row from the north."""
    minx, miny, maxx, maxy = bounds
    xs = np.arange(np.ceil(minx / spacing), np.floor(maxx / spacing) + 1) * spacing
    ys = np.arange(np.floor(maxy / spacing), np.ceil(miny / spacing) - 1, -1) * spacing
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def build_sites(
    config: BuildConfig,
    districts: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame,
    terrain: Terrain,
) -> gpd.GeoDataFrame:
    """Farm sites of every district, numbered within each district from the north-west."""
    rules = config.farm_sites
    metric = districts.to_crs(rules.crs)
    towns = settlements.to_crs(rules.crs)
    town_xy = np.column_stack([towns.geometry.x, towns.geometry.y])
    to_lonlat = Transformer.from_crs(rules.crs, "EPSG:4326", always_xy=True)
    share = contaminated_share(districts)
    frames = []
    for district, polygon in zip(metric["district_id"], metric.geometry, strict=True):
        gx, gy = grid_points(polygon.bounds, rules.spacing_m)
        inside = shapely.contains_xy(polygon, gx, gy)
        gx, gy = gx[inside], gy[inside]
        if gx.size == 0:
            continue
        near_km = _nearest_km(gx, gy, town_xy)
        order = np.lexsort((gx, -gy, near_km))
        rank_share = np.empty(gx.size)
        rank_share[order] = (np.arange(gx.size) + 0.5) / gx.size
        lon, lat = to_lonlat.transform(gx, gy)
        lon = np.round(lon, config.geometry.decimals)
        lat = np.round(lat, config.geometry.decimals)
        elevation, slope = terrain.sample(lon, lat)
        core = polygon.buffer(-rules.min_boundary_distance_m)
        keep = shapely.contains_xy(core, gx, gy)
        keep &= (elevation <= rules.max_elevation_m) & (slope <= rules.max_slope_deg)
        if rules.max_settlement_distance_km is not None:
            keep &= near_km <= rules.max_settlement_distance_km
        size = _sizes(config, elevation, slope)
        keep &= size > 0
        if not keep.any():
            continue
        frames.append(
            pd.DataFrame(
                {
                    "district_id": district,
                    "elevation_m": elevation[keep].astype(int),
                    "slope_deg": np.round(slope[keep], 1),
                    "max_size_heads": size[keep],
                    "available_from": release_quarters(
                        config, float(share[district]), rank_share[keep]
                    ),
                    "nearest_settlement_km": np.round(near_km[keep], 1),
                    "clearance_rank_share": np.round(rank_share[keep], 3),
                    "lon": lon[keep],
                    "lat": lat[keep],
                }
            )
        )
    sites = pd.concat(frames, ignore_index=True)
    code = sites["district_id"].str.removeprefix("AZ-")
    number = sites.groupby("district_id").cumcount() + 1
    sites.insert(0, "site_id", [f"{c}-{n:03d}" for c, n in zip(code, number, strict=True)])
    points = gpd.points_from_xy(sites["lon"], sites["lat"])
    return gpd.GeoDataFrame(sites[list(SITE_COLUMNS)], geometry=points, crs="EPSG:4326")


def _nearest_km(x: np.ndarray, y: np.ndarray, towns: np.ndarray) -> np.ndarray:
    """Straight-line distance to the nearest settlement, km."""
    dx = x[:, None] - towns[None, :, 0]
    dy = y[:, None] - towns[None, :, 1]
    km: np.ndarray = np.sqrt(dx**2 + dy**2).min(axis=1) / 1000.0
    return km


def _sizes(config: BuildConfig, elevation: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Largest complex each point allows (0 where no size rule fits)."""
    size: np.ndarray = np.zeros(elevation.shape, dtype=int)
    for rule in reversed(config.farm_sites.sizes):
        fits = (elevation <= rule.max_elevation_m) & (slope <= rule.max_slope_deg)
        size[fits] = rule.heads
    return size
