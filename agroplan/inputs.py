"""Plan inputs: the arrays and tables the model needs, computed from a scenario and its layers.

This step is pure: no solver, no file I/O. Distances are computed here, vectorised, in
the scenario's metric CRS (road distance = straight line x ``distances.road_circuity``;
long-haul route = great-circle x ``distances.long_haul_circuity``).

Every table is keyed by string ids and quarter labels. Quarter-indexed tables have one
column per quarter of the horizon, in order. ``available_index`` is the index, in the
horizon, of the first quarter in which the land is released (0 = from the start; values
below 0 mean released before the horizon and are clipped to 0; values >= T mean not
within the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pyproj import Geod

from agroplan.config.scenario import Scenario
from agroplan.errors import DataError
from agroplan.layers.read import to_metric
from agroplan.periods import quarter_index, quarter_ordinal

if TYPE_CHECKING:
    import geopandas as gpd

    from agroplan.layers.read import Layers


@dataclass(frozen=True)
class PlanInputs:
    """Everything the model and the checker read; built by :func:`build_plan_inputs`.

    Attributes
    ----------
    scenario
        The validated scenario (scalar parameters: costs, sizes, weights, solver).
    periods
        Quarter labels of the horizon, length T.
    districts
        Index ``district_id``; columns ``name_en``, ``name_az``, ``name_ru`` (may be empty).
    sites
        Index ``site_id``; columns ``district_id``, ``available_index`` (int),
        ``max_size_heads`` (int, largest complex the terrain allows), ``elevation_m``.
    settlements
        Index ``settlement_id``; columns ``district_id``, ``name_en``, ``name_az``,
        ``name_ru`` (may be empty), ``available_index`` (int), ``max_houses`` (int),
        ``returning_families`` (int).
    origins
        Index ``origin_id``; column ``name_en``.
    hubs
        Index ``hub_id``; columns ``name``, ``mode``.
    heifer_supply
        Index ``origin_id``, columns periods: heifers available per quarter (heads),
        with ``supply.heifer_factor`` applied.
    timber_supply
        Index ``origin_id``, columns periods: sawn timber per quarter (m3), factor applied.
    hub_capacity_heads, hub_capacity_timber_m3
        Index ``hub_id``, columns periods: throughput per quarter, factor applied.
    fodder_land_ha
        Index ``district_id``, columns periods: cleared agricultural land usable for
        fodder (``land.fodder_share_of_cleared`` applied), ha.
    long_haul_km
        Index ``origin_id``, columns ``hub_id``: route length origin -> hub, km.
    hub_site
        Columns ``hub_id``, ``site_id``, ``distance_km``: the hub-site pairs kept (each
        site's ``cattle.hubs_per_site`` nearest hubs), road km.
    reach
        Columns ``site_id``, ``settlement_id``, ``distance_km``: settlements within
        commuting reach of each site (at most ``distances.settlements_per_site`` nearest
        per site when set), road km.
    budget_usd
        Index periods: budget per quarter, USD.
    """

    scenario: Scenario
    periods: tuple[str, ...]
    districts: pd.DataFrame
    sites: pd.DataFrame
    settlements: pd.DataFrame
    origins: pd.DataFrame
    hubs: pd.DataFrame
    heifer_supply: pd.DataFrame
    timber_supply: pd.DataFrame
    hub_capacity_heads: pd.DataFrame
    hub_capacity_timber_m3: pd.DataFrame
    fodder_land_ha: pd.DataFrame
    long_haul_km: pd.DataFrame
    hub_site: pd.DataFrame
    reach: pd.DataFrame
    budget_usd: pd.Series


def build_plan_inputs(scenario: Scenario, layers: Layers) -> PlanInputs:
    """Compute the plan inputs of a scenario from its validated layers (pure, no I/O).

    Parameters
    ----------
    scenario
        The validated scenario.
    layers
        Layers from :func:`agroplan.layers.read_layers`: GeoDataFrames indexed by id in
        EPSG:4326, and the clearance table.

    Returns
    -------
    PlanInputs
        Rows sorted by id; quarter columns in horizon order.
    """
    periods = scenario.periods
    start = scenario.horizon.start
    supply = scenario.supply
    districts = _by_id(layers.districts, "district_id")
    sites = _by_id(layers.farm_sites, "site_id")
    towns = _by_id(layers.settlements, "settlement_id")
    origins = _by_id(layers.origins, "origin_id")
    hubs = _by_id(layers.hubs, "hub_id")

    def available(frame: pd.DataFrame) -> pd.Series:
        index = [max(0, quarter_index(str(label), start)) for label in frame["available_from"]]
        return pd.Series(index, index=frame.index, dtype="int64")

    site_table = pd.DataFrame({
        "district_id": sites["district_id"].astype(str),
        "available_index": available(sites),
        "max_size_heads": sites["max_size_heads"].astype("int64"),
        "elevation_m": sites["elevation_m"].astype(float),
    })
    town_table = pd.DataFrame({
        "district_id": towns["district_id"].astype(str),
        "name_en": towns["name_en"].astype(str),
        "name_az": towns["name_az"].astype(str),
        "name_ru": _optional_text(towns, "name_ru"),
        "available_index": available(towns),
        "max_houses": towns["max_houses"].astype("int64"),
        "returning_families": towns["returning_families"].astype("int64"),
    })
    return PlanInputs(
        scenario=scenario,
        periods=periods,
        districts=pd.DataFrame({"name_en": districts["name_en"].astype(str),
                                "name_az": districts["name_az"].astype(str),
                                "name_ru": _optional_text(districts, "name_ru")}),
        sites=site_table,
        settlements=town_table,
        origins=pd.DataFrame({"name_en": origins["name_en"].astype(str)}),
        hubs=pd.DataFrame({"name": hubs["name"].astype(str), "mode": hubs["mode"].astype(str)}),
        heifer_supply=_per_quarter(origins["heifers_per_quarter"] * supply.heifer_factor, periods),
        timber_supply=_per_quarter(origins["timber_m3_per_quarter"] * supply.timber_factor,
                                   periods),
        hub_capacity_heads=_per_quarter(
            hubs["capacity_heads_per_quarter"] * supply.hub_capacity_factor, periods),
        hub_capacity_timber_m3=_per_quarter(
            hubs["capacity_timber_m3_per_quarter"] * supply.hub_capacity_factor, periods),
        fodder_land_ha=_fodder_land(layers.clearance, districts.index, periods,
                                    scenario.land.fodder_share_of_cleared),
        long_haul_km=_long_haul_km(origins, hubs, scenario.distances.long_haul_circuity),
        hub_site=_nearest_hubs(hubs, sites, scenario),
        reach=_reach(sites, towns, scenario),
        budget_usd=pd.Series(scenario.budget_usd(), index=list(periods), dtype=float),
    )


def _by_id(frame: gpd.GeoDataFrame, id_column: str) -> gpd.GeoDataFrame:
    """The layer indexed by its id (as str) and sorted by it."""
    if id_column in frame.columns:
        frame = frame.set_index(id_column)
    frame = frame.copy()
    frame.index = frame.index.astype(str).rename(id_column)
    return frame.sort_index()


def _optional_text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column a layer may lack (layers built in code): empty where missing."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str)


def _per_quarter(values: pd.Series, periods: tuple[str, ...]) -> pd.DataFrame:
    """The same amount in every quarter: index = the series' ids, columns = periods."""
    column = values.astype(float).to_numpy()[:, None]
    return pd.DataFrame(np.repeat(column, len(periods), axis=1), index=values.index,
                        columns=list(periods))


def _fodder_land(clearance: pd.DataFrame, districts: pd.Index, periods: tuple[str, ...],
                 share: float) -> pd.DataFrame:
    """Share x cumulative cleared agricultural land at the end of each quarter, per district.

    Gaps carry the last known figure forward; quarters before a district's first row read 0.
    """
    table = clearance if "district_id" in clearance.columns else clearance.reset_index()
    if table.empty:
        wide = pd.DataFrame(index=districts, columns=list(periods), dtype=float)
    else:
        wide = table.pivot_table(index="district_id", columns="period",
                                 values="cleared_agricultural_ha", aggfunc="max")
    order = sorted({str(c) for c in wide.columns} | set(periods), key=quarter_ordinal)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reindex(columns=order).ffill(axis=1).fillna(0.0)
    wide.index = wide.index.astype(str)
    missing = sorted(set(districts) - set(wide.index))
    if missing:
        raise DataError(f"clearance.csv: no rows for district(s) {', '.join(missing)}; add "
                        "cleared_agricultural_ha per quarter for every district")
    result = wide.reindex(index=districts, columns=list(periods)).astype(float) * share
    result.index.name = "district_id"
    return result


def _xy(frame: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """Projected coordinates (metres), shape (n, 2)."""
    projected = to_metric(frame, crs).geometry
    xy: np.ndarray = np.column_stack([projected.x.to_numpy(), projected.y.to_numpy()])
    return xy


def _road_km(a: np.ndarray, b: np.ndarray, circuity: float) -> np.ndarray:
    """Road km between every row of ``a`` and of ``b``: straight line x circuity."""
    diff = a[:, None, :] - b[None, :, :]
    km: np.ndarray = np.sqrt((diff**2).sum(axis=2)) / 1000.0 * circuity
    return km


def _long_haul_km(origins: gpd.GeoDataFrame, hubs: gpd.GeoDataFrame, circuity: float
                  ) -> pd.DataFrame:
    """Great-circle km origin -> hub on the WGS84 ellipsoid, x circuity."""
    lon_o, lat_o = origins.geometry.x.to_numpy(), origins.geometry.y.to_numpy()
    lon_h, lat_h = hubs.geometry.x.to_numpy(), hubs.geometry.y.to_numpy()
    lon1, lon2 = np.meshgrid(lon_o, lon_h, indexing="ij")
    lat1, lat2 = np.meshgrid(lat_o, lat_h, indexing="ij")
    _, _, metres = Geod(ellps="WGS84").inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    km = np.asarray(metres).reshape(lon1.shape) / 1000.0 * circuity
    return pd.DataFrame(km, index=origins.index, columns=list(hubs.index))


def _empty_pairs(columns: list[str]) -> pd.DataFrame:
    """An empty pair table: string id columns and a float ``distance_km``."""
    return pd.DataFrame({c: pd.Series(dtype=float if c == "distance_km" else str)
                         for c in columns})


def _nearest_hubs(hubs: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, scenario: Scenario
                  ) -> pd.DataFrame:
    """Each site's ``cattle.hubs_per_site`` nearest hubs by road (ties: lower hub id)."""
    columns = ["hub_id", "site_id", "distance_km"]
    if len(hubs) == 0 or len(sites) == 0:
        return _empty_pairs(columns)
    crs = scenario.distances.metric_crs
    km = _road_km(_xy(hubs, crs), _xy(sites, crs), scenario.distances.road_circuity)
    keep = min(scenario.cattle.hubs_per_site, len(hubs))
    nearest = np.argsort(km, axis=0, kind="stable")[:keep, :]
    hub_ids, site_ids = np.asarray(hubs.index), np.asarray(sites.index)
    rows = [(hub_ids[h], site_ids[s], float(km[h, s]))
            for s in range(len(site_ids)) for h in nearest[:, s]]
    return (pd.DataFrame(rows, columns=columns)
            .sort_values(["hub_id", "site_id"]).reset_index(drop=True))


def _reach(sites: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, scenario: Scenario
           ) -> pd.DataFrame:
    """Site-settlement pairs within ``distances.commuting_radius_km`` by road.

    With ``distances.settlements_per_site`` = k, only each site's k nearest settlements
    within reach are kept (ties: lower settlement id, as the layers are sorted by id).
    """
    columns = ["site_id", "settlement_id", "distance_km"]
    if len(sites) == 0 or len(towns) == 0:
        return _empty_pairs(columns)
    crs = scenario.distances.metric_crs
    km = _road_km(_xy(sites, crs), _xy(towns, crs), scenario.distances.road_circuity)
    within = km <= scenario.distances.commuting_radius_km
    k = scenario.distances.settlements_per_site
    if k is not None and k < len(towns):
        nearest = np.argsort(km, axis=1, kind="stable")[:, :k]
        kept = np.zeros_like(within)
        np.put_along_axis(kept, nearest, True, axis=1)
        within &= kept
    s_idx, j_idx = np.nonzero(within)
    return pd.DataFrame({
        "site_id": np.asarray(sites.index)[s_idx],
        "settlement_id": np.asarray(towns.index)[j_idx],
        "distance_km": km[s_idx, j_idx],
    }).sort_values(["site_id", "settlement_id"]).reset_index(drop=True)
