"""build_plan_inputs on layers placed by hand in UTM 38N (EPSG:32638), so distances are
straight lines in metres x the road circuity, checked with math.hypot."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from agroplan.config import Scenario
from agroplan.errors import DataError
from agroplan.inputs import build_plan_inputs
from agroplan.layers import Layers

UTM = "EPSG:32638"
# metric coordinates (m) of every point
HUBS = {"H1": (600_000, 4_400_000), "H2": (609_000, 4_412_000)}
SITES = {"S2": (600_000, 4_430_000), "S1": (603_000, 4_404_000)}  # unsorted on purpose
TOWNS = {"J1": (603_000, 4_400_000), "J2": (600_000, 4_436_000)}
ORIGINS = {"BY-MI": (27.5667, 53.9)}  # lon, lat


def points(coords: dict[str, tuple[float, float]], id_name: str, crs: str,
           **columns: list[Any]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        columns, index=pd.Index(list(coords), name=id_name),
        geometry=gpd.points_from_xy([c[0] for c in coords.values()],
                                    [c[1] for c in coords.values()], crs=crs))
    return frame.to_crs("EPSG:4326")


def make_layers(clearance: pd.DataFrame | None = None) -> Layers:
    districts = gpd.GeoDataFrame(
        {"name_en": ["A", "B"], "name_az": ["A", "B"]},
        index=pd.Index(["AZ-B", "AZ-A"], name="district_id"),
        geometry=[box(44, 39, 45, 40), box(45, 39, 46, 40)], crs="EPSG:4326")
    if clearance is None:
        clearance = pd.DataFrame({
            "district_id": ["AZ-A", "AZ-A", "AZ-B"],
            "period": ["2026Q4", "2027Q2", "2025Q1"],
            "cleared_agricultural_ha": [100.0, 200.0, 40.0]})
    return Layers(
        districts=districts,
        settlements=points(TOWNS, "settlement_id", UTM, district_id=["AZ-A", "AZ-B"],
                           name_en=["One", "Two"], name_az=["Bir", "Iki"],
                           max_houses=[40, 20], returning_families=[30, 25],
                           available_from=["2026Q3", "2031Q1"]),
        farm_sites=points(SITES, "site_id", UTM, district_id=["AZ-B", "AZ-A"],
                          elevation_m=[900.0, 300.0], max_size_heads=[800, 1200],
                          available_from=["2027Q3", "2027Q1"]),
        hubs=points(HUBS, "hub_id", UTM, name=["One", "Two"], mode=["rail", "road"],
                    capacity_heads_per_quarter=[100, 50],
                    capacity_timber_m3_per_quarter=[1000, 500]),
        origins=points(ORIGINS, "origin_id", "EPSG:4326", name_en=["Minsk"],
                       heifers_per_quarter=[100], timber_m3_per_quarter=[3000]),
        clearance=clearance,
        context=gpd.GeoDataFrame({"kind": [], "name": []}, geometry=[], crs="EPSG:4326"),
    )


def scenario(**distances: Any) -> Scenario:
    return Scenario.model_validate({
        "horizon": {"start": "2027Q1", "quarters": 3},
        "cattle": {"hubs_per_site": 1},
        "distances": {"road_circuity": 1.3, "long_haul_circuity": 1.25,
                      "commuting_radius_km": 10, **distances},
        "supply": {"heifer_factor": 1.5, "timber_factor": 2.0, "hub_capacity_factor": 0.5},
        "land": {"fodder_share_of_cleared": 0.5},
        "budget": {"usd_per_quarter": {"2027Q1": 10.0, "2027Q3": 30.0}},
    })


def road_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1]) / 1000 * 1.3


def test_nearest_hub_per_site_by_road() -> None:
    """S1 is 5 km from H1 and 10 km from H2 -> H1, 6.5 road km; S2 is 30 km from H1 and
    hypot(9, 18) = 20.12 km from H2 -> H2, 26.16 road km."""
    inputs = build_plan_inputs(scenario(), make_layers())
    pairs = inputs.hub_site
    assert list(zip(pairs["hub_id"], pairs["site_id"], strict=True)) == [("H1", "S1"),
                                                                         ("H2", "S2")]
    assert pairs["distance_km"].tolist() == pytest.approx(
        [6.5, road_km(SITES["S2"], HUBS["H2"])], abs=1e-6)


def test_two_hubs_per_site_keeps_both() -> None:
    raw = scenario().model_dump()
    raw["cattle"]["hubs_per_site"] = 2
    inputs = build_plan_inputs(Scenario.model_validate(raw), make_layers())
    assert len(inputs.hub_site) == 4


def test_settlements_within_commuting_reach() -> None:
    """Radius 10 road km = 7.69 straight km: S1-J1 is 4 km (5.2 road km), S2-J2 6 km
    (7.8 road km); the cross pairs are about 30 km apart."""
    reach = build_plan_inputs(scenario(), make_layers()).reach
    assert list(zip(reach["site_id"], reach["settlement_id"], strict=True)) == [("S1", "J1"),
                                                                               ("S2", "J2")]
    assert reach["distance_km"].tolist() == pytest.approx([5.2, 7.8], abs=1e-6)
    wider = build_plan_inputs(scenario(commuting_radius_km=50), make_layers()).reach
    assert len(wider) == 4


def test_settlements_per_site_keeps_each_sites_nearest() -> None:
    """Radius 50 km reaches all four pairs; one settlement per site keeps S1-J1 (5.2 road
    km, not ~30) and S2-J2 (7.8); two keep all four; null (default) keeps every pair."""
    nearest = build_plan_inputs(scenario(commuting_radius_km=50, settlements_per_site=1),
                                make_layers()).reach
    assert list(zip(nearest["site_id"], nearest["settlement_id"], strict=True)) == [
        ("S1", "J1"), ("S2", "J2")]
    both = build_plan_inputs(scenario(commuting_radius_km=50, settlements_per_site=2),
                             make_layers()).reach
    assert len(both) == 4
    # the radius still applies: at 10 km the nearest settlement of each site is all it has
    assert len(build_plan_inputs(scenario(settlements_per_site=2), make_layers()).reach) == 2


def test_settlements_per_site_must_be_positive() -> None:
    with pytest.raises(ValueError, match="settlements_per_site"):
        scenario(settlements_per_site=0)


def test_long_haul_is_great_circle_times_circuity() -> None:
    """Minsk -> H1 checked with the haversine formula on a 6,371 km sphere (within 0.5%)."""
    inputs = build_plan_inputs(scenario(), make_layers())
    hub = make_layers().hubs.geometry["H1"]
    lon1, lat1, lon2, lat2 = map(math.radians, (*ORIGINS["BY-MI"], hub.x, hub.y))
    a = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    haversine_km = 2 * 6371 * math.asin(math.sqrt(a))
    assert inputs.long_haul_km.at["BY-MI", "H1"] == pytest.approx(haversine_km * 1.25, rel=5e-3)
    assert list(inputs.long_haul_km.columns) == ["H1", "H2"]


def test_quarter_tables_factors_and_available_index() -> None:
    inputs = build_plan_inputs(scenario(), make_layers())
    assert inputs.periods == ("2027Q1", "2027Q2", "2027Q3")
    assert inputs.heifer_supply.loc["BY-MI"].tolist() == [150.0] * 3
    assert inputs.timber_supply.loc["BY-MI"].tolist() == [6000.0] * 3
    assert inputs.hub_capacity_heads.loc["H2"].tolist() == [25.0] * 3
    assert inputs.hub_capacity_timber_m3.loc["H1"].tolist() == [500.0] * 3
    # 2026Q3 is before the start -> 0; 2027Q3 -> 2; 2031Q1 -> 16 (beyond the horizon)
    assert inputs.sites["available_index"].to_dict() == {"S1": 0, "S2": 2}
    assert inputs.settlements["available_index"].to_dict() == {"J1": 0, "J2": 16}
    assert list(inputs.sites.index) == ["S1", "S2"]
    assert list(inputs.districts.index) == ["AZ-A", "AZ-B"]
    assert inputs.budget_usd.tolist() == [10.0, 0.0, 30.0]


def test_fodder_land_carries_clearance_forward() -> None:
    """AZ-A: 100 ha by 2026Q4, 200 by 2027Q2 (no row for Q1 or Q3) -> x 0.5 = 50, 100, 100;
    AZ-B: 40 ha since 2025Q1 -> 20 every quarter."""
    land = build_plan_inputs(scenario(), make_layers()).fodder_land_ha
    assert land.loc["AZ-A"].tolist() == [50.0, 100.0, 100.0]
    assert land.loc["AZ-B"].tolist() == [20.0, 20.0, 20.0]


def test_district_without_clearance_is_a_data_error() -> None:
    clearance = pd.DataFrame({"district_id": ["AZ-A"], "period": ["2027Q1"],
                              "cleared_agricultural_ha": [10.0]})
    with pytest.raises(DataError, match="AZ-B"):
        build_plan_inputs(scenario(), make_layers(clearance))

