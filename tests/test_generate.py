"""Generated scenarios: deterministic, of the asked size, and valid for the real reader."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from agroplan.config import load_scenario
from agroplan.errors import ConfigError
from agroplan.generate import SIZES, ScenarioSize, generate_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers

FILES = ("districts.geojson", "settlements.geojson", "farm_sites.geojson", "hubs.geojson",
         "origins.geojson", "context.geojson", "clearance.csv", "scenario.yaml")


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    generate_scenario("S", 3, tmp_path / "a")
    generate_scenario("S", 3, tmp_path / "b")
    generate_scenario("S", 4, tmp_path / "c")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert ((tmp_path / "a" / "settlements.geojson").read_bytes()
            != (tmp_path / "c" / "settlements.geojson").read_bytes())


def test_small_scenario_passes_the_reader_with_its_counts(tmp_path: Path) -> None:
    scenario = load_scenario(generate_scenario("S", 0, tmp_path))
    layers = read_layers(scenario)
    size = SIZES["S"]
    assert layers.warnings == ()
    assert len(layers.settlements) == size.settlements == 50
    assert len(layers.farm_sites) == size.sites == 25
    assert len(layers.origins) == 2
    assert len(layers.hubs) == 3
    assert len(layers.districts) == 4
    assert len(scenario.periods) == 8
    inputs = build_plan_inputs(scenario, layers)
    assert len(inputs.reach) > 0  # some settlements lie within commuting reach of a site


def test_points_lie_inside_their_district(tmp_path: Path) -> None:
    generate_scenario(ScenarioSize(40, 20, 1, 1, 4, 6), 1, tmp_path)
    districts = gpd.read_file(tmp_path / "districts.geojson").set_index("district_id")
    for layer in ("settlements", "farm_sites"):
        points = gpd.read_file(tmp_path / f"{layer}.geojson")
        inside = [districts.geometry[d].contains(g)
                  for d, g in zip(points["district_id"], points.geometry, strict=True)]
        assert all(inside), layer
    assert len(districts) == 6


def test_large_sizes_keep_ten_settlements_per_site(tmp_path: Path) -> None:
    """From 800 settlements on, a farm's workers come from its ten nearest settlements."""
    small = load_scenario(generate_scenario(ScenarioSize(40, 20, 1, 1, 4, 4), 0, tmp_path / "s"))
    assert small.distances.settlements_per_site is None
    large = ScenarioSize(800, 20, 1, 1, 4, 4)
    scenario = load_scenario(generate_scenario(large, 0, tmp_path / "l"))
    assert scenario.distances.settlements_per_site == 10
    reach = build_plan_inputs(scenario, read_layers(scenario)).reach
    assert reach.groupby("site_id").size().max() == 10


def test_xl_counts_are_those_of_the_issue() -> None:
    assert SIZES["XL"] == ScenarioSize(2000, 1000, 6, 8, 20, 16)


def test_bad_sizes(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown scenario size 'XXL'"):
        generate_scenario("XXL", 0, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="sites must be at least 1"):
        generate_scenario(ScenarioSize(5, 0, 1, 1, 4), 0, tmp_path)


def test_rounded_elevation_shares_stay_within_0_and_1(tmp_path: Path) -> None:
    """Seed 2533 draws a tiny top band: its rounded shares once added up to 1.0001, and the
    reader refused share_above_2000m = -0.0001."""
    size = ScenarioSize(settlements=4, sites=2, origins=2, hubs=2, quarters=6, districts=2)
    scenario = load_scenario(generate_scenario(size, 2533, tmp_path))
    districts = read_layers(scenario).districts
    shares = districts[["share_below_200m", "share_200_1000m", "share_1000_2000m",
                        "share_above_2000m"]]
    assert ((shares >= 0) & (shares <= 1)).all().all()
    assert shares.sum(axis=1).round(4).eq(1.0).all()
