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

import pandas as pd

from agroplan.scenario import Scenario


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
        Index ``district_id``; columns ``name_en``, ``name_az``.
    sites
        Index ``site_id``; columns ``district_id``, ``available_index`` (int),
        ``max_size_heads`` (int, largest complex the terrain allows), ``elevation_m``.
    settlements
        Index ``settlement_id``; columns ``district_id``, ``name_en``, ``name_az``,
        ``available_index`` (int), ``max_houses`` (int), ``returning_families`` (int).
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
        commuting reach of each site, road km.
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
