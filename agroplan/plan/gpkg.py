"""The plan as a GeoPackage for GIS users: farms, agro-towns, deliveries and districts.

Layers (EPSG:4326):

``farms``       points: site_id, district_id, size_heads, build_start, operational_from,
                herd_heads (in the last quarter)
``agro_towns``  points: settlement_id, name_en, name_az, district_id, developed_in, houses
``deliveries``  lines hub -> farm: origin_id, hub_id, site_id, period, heads
``districts``   polygons: district_id, name_en, name_az, farms, herd_heads, houses, spend_usd
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
from shapely.geometry import LineString

from agroplan.errors import OutputError
from agroplan.layers.read import Layers
from agroplan.plan.result import Plan

CRS = "EPSG:4326"
LAYERS = {"farms": "Point", "agro_towns": "Point", "deliveries": "LineString",
          "districts": "MultiPolygon"}
"""The layers of ``plan.gpkg`` and their geometry types."""


def write_gpkg(plan: Plan, layers: Layers, path: Path) -> None:
    """Write the four layers of ``plan`` into a new GeoPackage at ``path``."""
    path.unlink(missing_ok=True)
    frames = {
        "farms": _farms(plan, layers),
        "agro_towns": _agro_towns(plan, layers),
        "deliveries": _deliveries(plan, layers),
        "districts": district_table(plan, layers),
    }
    for name, frame in frames.items():
        kind = LAYERS[name]
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", geometry_type=kind,
                                promote_to_multi=kind == "MultiPolygon")


def read_gpkg(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """The four layers of a plan's ``plan.gpkg``, by name.

    Raises
    ------
    OutputError
        When the file is missing or lacks a layer.
    """
    if not path.is_file():
        raise OutputError(f"{path}: not found; the plan folder is incomplete, run agroplan "
                          "plan again")
    try:
        return {name: gpd.read_file(path, layer=name, engine="pyogrio") for name in LAYERS}
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise OutputError(f"{path}: cannot be read ({exc}); run agroplan plan again") from None


def _last_herd(plan: Plan) -> pd.Series:
    herd = plan.herd
    if herd.empty or not plan.periods:
        return pd.Series(dtype="int64")
    last = herd[herd["period"].astype(str) == plan.periods[-1]]
    return last.groupby(last["site_id"].astype(str))["heads"].sum().astype("int64")


def _houses(plan: Plan) -> pd.Series:
    houses = plan.houses
    if houses.empty:
        return pd.Series(dtype="int64")
    return houses.groupby(houses["settlement_id"].astype(str))["houses"].sum().astype("int64")


def _farms(plan: Plan, layers: Layers) -> gpd.GeoDataFrame:
    farms = plan.farms.astype({"site_id": str}).sort_values("site_id")
    sites = layers.farm_sites.reindex(farms["site_id"])
    table = pd.DataFrame({
        "site_id": farms["site_id"].to_numpy(),
        "district_id": sites["district_id"].astype(str).to_numpy(),
        "size_heads": farms["size_heads"].astype("int64").to_numpy(),
        "build_start": farms["build_start"].astype(str).to_numpy(),
        "operational_from": farms["operational_from"].astype(str).to_numpy(),
        "herd_heads": _last_herd(plan).reindex(farms["site_id"]).fillna(0)
        .astype("int64").to_numpy(),
    })
    return gpd.GeoDataFrame(table, geometry=sites.geometry.to_numpy(), crs=CRS)


def _agro_towns(plan: Plan, layers: Layers) -> gpd.GeoDataFrame:
    towns = plan.agro_towns.astype({"settlement_id": str}).sort_values("settlement_id")
    places = layers.settlements.reindex(towns["settlement_id"])
    table = pd.DataFrame({
        "settlement_id": towns["settlement_id"].to_numpy(),
        "name_en": places["name_en"].astype(str).to_numpy(),
        "name_az": places["name_az"].astype(str).to_numpy(),
        "district_id": places["district_id"].astype(str).to_numpy(),
        "developed_in": towns["developed_in"].astype(str).to_numpy(),
        "houses": _houses(plan).reindex(towns["settlement_id"]).fillna(0)
        .astype("int64").to_numpy(),
    })
    return gpd.GeoDataFrame(table, geometry=places.geometry.to_numpy(), crs=CRS)


def _deliveries(plan: Plan, layers: Layers) -> gpd.GeoDataFrame:
    rows = plan.deliveries.astype({c: str for c in ("origin_id", "hub_id", "site_id", "period")})
    rows = rows.sort_values(["period", "origin_id", "hub_id", "site_id"])
    hubs = layers.hubs.geometry.reindex(rows["hub_id"]).to_numpy()
    sites = layers.farm_sites.geometry.reindex(rows["site_id"]).to_numpy()
    lines = [LineString([hub, site]) if hub is not None and site is not None else None
             for hub, site in zip(hubs, sites, strict=True)]
    table = pd.DataFrame({c: rows[c].to_numpy() for c in ("origin_id", "hub_id", "site_id",
                                                           "period")})
    table["heads"] = rows["heads"].astype("int64").to_numpy()
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(lines, crs=CRS), crs=CRS)


def district_table(plan: Plan, layers: Layers) -> gpd.GeoDataFrame:
    """One row per district: its names, farms built, herd in the last quarter, houses and
    spend (the ``districts`` layer; also the workbook's pivot by district)."""
    districts = layers.districts.sort_index()
    ids = [str(d) for d in districts.index]
    farm_district = layers.farm_sites["district_id"].astype(str)
    town_district = layers.settlements["district_id"].astype(str)
    farms = plan.farms["site_id"].astype(str).map(farm_district).value_counts()
    herd = _last_herd(plan)
    houses = _houses(plan)
    spend = plan.kpis.get("spend_by_district", {})
    table = pd.DataFrame({
        "district_id": ids,
        "name_en": districts["name_en"].astype(str).to_numpy(),
        "name_az": districts["name_az"].astype(str).to_numpy(),
        "farms": farms.reindex(ids).fillna(0).astype("int64").to_numpy(),
        "herd_heads": herd.groupby(herd.index.map(farm_district)).sum().reindex(ids)
        .fillna(0).astype("int64").to_numpy(),
        "houses": houses.groupby(houses.index.map(town_district)).sum().reindex(ids)
        .fillna(0).astype("int64").to_numpy(),
        "spend_usd": [float(spend.get(d, 0.0)) for d in ids],
    })
    return gpd.GeoDataFrame(table, geometry=districts.geometry.to_numpy(), crs=CRS)
