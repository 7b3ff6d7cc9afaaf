"""Schematic transport hubs and the Belarusian origins of heifers and timber."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from agroplan.errors import DataError
from agroplan.layers.build.config import BuildConfig
from agroplan.layers.build.shares import apportion
from agroplan.layers.build.sources import read_vector

HUB_COLUMNS = (
    "hub_id",
    "name",
    "mode",
    "capacity_heads_per_quarter",
    "capacity_timber_m3_per_quarter",
    "schematic",
    "note",
)
ORIGIN_COLUMNS = (
    "origin_id",
    "name_en",
    "name_be",
    "oblast",
    "heifers_per_quarter",
    "timber_m3_per_quarter",
)


def build_hubs(config: BuildConfig) -> gpd.GeoDataFrame:
    """Hubs at GeoNames towns where the town is in the source, else at the configured lon/lat."""
    source = config.source("settlements")
    places = read_vector(config, "settlements").astype({"geonameid": int}).set_index("geonameid")
    rows, lons, lats = [], [], []
    for hub in config.hubs:
        if hub.geonameid is not None:
            if hub.geonameid not in places.index:
                raise DataError(
                    f"{source}: hub {hub.hub_id} names geonameid {hub.geonameid}, which is not in "
                    "the file; give lon and lat instead"
                )
            point = places.loc[hub.geonameid].geometry
            lon, lat = point.x, point.y
        elif hub.lon is not None and hub.lat is not None:
            lon, lat = hub.lon, hub.lat
        else:
            raise DataError(f"hubs: {hub.hub_id} needs a geonameid or both lon and lat")
        rows.append(
            {
                "hub_id": hub.hub_id,
                "name": hub.name,
                "mode": hub.mode,
                "capacity_heads_per_quarter": hub.capacity_heads_per_quarter,
                "capacity_timber_m3_per_quarter": hub.capacity_timber_m3_per_quarter,
                "schematic": True,
                "note": hub.note,
            }
        )
        lons.append(lon)
        lats.append(lat)
    frame = pd.DataFrame(rows, columns=list(HUB_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")


def build_origins(config: BuildConfig) -> gpd.GeoDataFrame:
    """Oblast centres with heifer supply and their share of the program's timber."""
    source = config.source("origins")
    cities = read_vector(config, "origins").astype({"geonameid": int}).set_index("geonameid")
    missing = [str(o.geonameid) for o in config.origins if o.geonameid not in cities.index]
    if missing:
        raise DataError(
            f"{source}: no city with geonameid {', '.join(missing)}; fix origins in the build file"
        )
    timber = config.timber
    total_m3 = round(timber.belarus_exports_m3_per_year * timber.share_to_program / 4)
    split = apportion(total_m3, [o.timber_weight for o in config.origins])
    rows = []
    for origin, m3 in zip(config.origins, split, strict=True):
        city = cities.loc[origin.geonameid]
        rows.append(
            {
                "origin_id": origin.origin_id,
                "name_en": city["name_en"],
                "name_be": city["name_be"],
                "oblast": origin.oblast or city["oblast_en"],
                "heifers_per_quarter": origin.heifers_per_quarter,
                "timber_m3_per_quarter": m3,
            }
        )
    points = [cities.loc[o.geonameid].geometry for o in config.origins]
    return gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=list(ORIGIN_COLUMNS)), geometry=points, crs="EPSG:4326"
    )
