"""District polygons, their attributes, and the basemap context layer.

All polygons (Azerbaijan's districts and the neighbouring admin-1 units) are simplified
together as one coverage, so borders shared by two units stay shared after simplification,
then rounded to the written precision. The revival districts and the context layer are cut
from that one simplified coverage, so the maps show no slivers between them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from agroplan.errors import DataError
from agroplan.layers.build.config import BuildConfig
from agroplan.layers.build.shares import apportion
from agroplan.layers.build.sources import read_table, read_vector
from agroplan.layers.build.writers import snap

DISTRICT_COLUMNS = (
    "district_id",
    "name_en",
    "name_az",
    "name_ru",
    "econ_region",
    "area_km2",
    "elev_mean_m",
    "elev_min_m",
    "elev_p50_m",
    "elev_p90_m",
    "elev_max_m",
    "share_below_200m",
    "share_200_1000m",
    "share_1000_2000m",
    "share_above_2000m",
    "agricultural_share",
    "suspected_ha",
)
CONTEXT_COLUMNS = ("kind", "name")
_STATS = DISTRICT_COLUMNS[6:15]
_KIND_ORDER = {"az_district": 0, "neighbour": 1, "lake": 2, "river": 3}


def read_polygons(config: BuildConfig) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Azerbaijan's districts (one row per district) and the neighbours, simplified together.

    Returns
    -------
    (districts, neighbours)
        EPSG:4326 frames; districts carry the source attributes, neighbours ``name``.
    """
    raw = read_vector(config, "districts")
    parts = raw.dissolve(by="district_key", sort=True, aggfunc="first").reset_index()
    neighbours = read_vector(config, "neighbours").sort_values("adm1_code")
    neighbours = neighbours.reset_index(drop=True)
    rules = config.geometry
    far = neighbours["adm0_a3"].isin(rules.far_countries).to_numpy()
    near_geoms = _simplify(
        [*parts.geometry, *neighbours.geometry[~far]], rules.simplify_tolerance_deg
    )
    far_geoms = iter(_simplify(list(neighbours.geometry[far]), rules.far_tolerance_deg))
    near_iter = iter(near_geoms[len(parts) :])
    parts = parts.set_geometry(
        [snap(g, rules.decimals) for g in near_geoms[: len(parts)]], crs="EPSG:4326"
    )
    neighbours = neighbours.set_geometry(
        [snap(next(far_geoms) if f else next(near_iter), rules.decimals) for f in far],
        crs="EPSG:4326",
    )
    return parts, neighbours


def _simplify(geoms: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    """Simplify polygons as one coverage, so shared borders stay shared."""
    if tolerance <= 0 or not geoms:
        return geoms
    return list(shapely.coverage_simplify(geoms, tolerance))


def build_districts(config: BuildConfig, polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The revival districts with names, elevation statistics and the two assumptions.

    ``name_ru`` is Natural Earth's Russian name unless ``districts.name_ru`` corrects it.
    ``agricultural_share`` weights the elevation-band shares by the farmland share of each
    band; ``suspected_ha`` spreads the national suspected area over the districts by area,
    never-occupied districts counting ``never_occupied_factor`` of their area.
    """
    rules = config.districts
    wanted = list(rules.ids)
    by_id = polygons.set_index("iso_code")
    missing = [d for d in wanted if d not in by_id.index]
    if missing:
        raise DataError(
            f"{config.source('districts')}: no polygon for {', '.join(missing)}; "
            "fix districts.ids in the build file"
        )
    frame = by_id.loc[wanted].reset_index()
    stats = read_table(config, "elevation_stats").set_index("iso_code")
    absent = [d for d in wanted if d not in stats.index]
    if absent:
        raise DataError(f"{config.source('elevation_stats')}: no row for {', '.join(absent)}")
    frame[list(_STATS)] = stats.loc[wanted, list(_STATS)].to_numpy()
    frame = frame.rename(columns={"iso_code": "district_id", "econ_region_2021": "econ_region"})
    frame["name_ru"] = [rules.name_ru.get(d, str(n)) for d, n in
                        zip(frame["district_id"], frame["ne_name_ru"], strict=True)]
    shares = rules.agricultural_share
    frame["agricultural_share"] = (
        frame["share_below_200m"] * shares.below_200m
        + frame["share_200_1000m"] * shares.band_200_1000m
        + frame["share_1000_2000m"] * shares.band_1000_2000m
        + frame["share_above_2000m"] * shares.above_2000m
    ).round(3)
    frame["suspected_ha"] = _suspected_ha(config, frame)
    for column in ("elev_mean_m", "elev_min_m", "elev_p50_m", "elev_p90_m", "elev_max_m"):
        frame[column] = frame[column].astype(int)
    return gpd.GeoDataFrame(frame[list(DISTRICT_COLUMNS)], geometry=frame.geometry, crs="EPSG:4326")


def _suspected_ha(config: BuildConfig, frame: pd.DataFrame) -> list[int]:
    rules = config.districts
    factor = [
        rules.never_occupied_factor if d in rules.never_occupied else 1.0
        for d in frame["district_id"]
    ]
    weights = (frame["area_km2"] * factor).tolist()
    suspected = apportion(round(config.clearance.suspected_total_ha), weights)
    for district, ha, area in zip(frame["district_id"], suspected, frame["area_km2"], strict=True):
        if ha > area * 100:
            raise DataError(
                f"clearance.suspected_total_ha spreads {ha} ha onto {district}, larger than its "
                f"{area * 100:.0f} ha; lower the total or never_occupied_factor in the build file"
            )
    return suspected


def build_context(
    config: BuildConfig, polygons: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Basemap features: other Azerbaijani districts, neighbours, rivers and lakes."""
    others = polygons[~polygons["iso_code"].isin(config.districts.ids)]
    rows = [("az_district", n, g) for n, g in zip(others["name_en"], others.geometry, strict=True)]
    rows += [
        ("neighbour", n, g) for n, g in zip(neighbours["name_en"], neighbours.geometry, strict=True)
    ]
    tolerance = config.geometry.simplify_tolerance_deg
    for kind, source in (("river", "rivers"), ("lake", "lakes")):
        frame = read_vector(config, source)
        for name, geom in zip(frame["name"], frame.geometry, strict=True):
            simple = shapely.simplify(geom, tolerance, preserve_topology=True)
            rows.append((kind, str(name), snap(simple, config.geometry.decimals)))
    rows.sort(key=lambda r: (_KIND_ORDER[r[0]], r[1]))
    return gpd.GeoDataFrame(
        {"kind": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )
