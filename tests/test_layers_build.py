"""The default layers: a rebuild equals the committed files, and the layers obey the rules."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from agroplan.cli import main
from agroplan.errors import ConfigError, DataError
from agroplan.layers.build import (
    DEFAULT_CONFIG,
    BuildConfig,
    BuiltLayers,
    derive_layers,
    load_build_config,
    write_layers,
)
from agroplan.layers.build.clearance import release_quarters
from agroplan.layers.build.settlements import azerbaijani_name
from agroplan.layers.build.shares import apportion
from agroplan.layers.build.terrain import read_terrain
from agroplan.periods import quarter_range

LAYERS = DEFAULT_CONFIG.parent
FILES = (
    "districts.geojson",
    "context.geojson",
    "settlements.geojson",
    "farm_sites.geojson",
    "hubs.geojson",
    "origins.geojson",
    "clearance.csv",
)
REVIVAL = {
    "Khankendi",
    "Aghdam",
    "Fuzuli",
    "Khojaly",
    "Khojavend",
    "Shusha",
    "Tartar",
    "Aghjabadi",
    "Barda",
    "Jabrayil",
    "Kalbajar",
    "Gubadli",
    "Lachin",
    "Zangilan",
}


@pytest.fixture(scope="module")
def config() -> BuildConfig:
    return load_build_config()


@pytest.fixture(scope="module")
def built(config: BuildConfig) -> BuiltLayers:
    return derive_layers(config)


@pytest.fixture(scope="module")
def layer() -> dict[str, gpd.GeoDataFrame]:
    """The committed layers, read as a user reads them."""
    return {
        name: gpd.read_file(LAYERS / f"{name}.geojson")
        for name in ("districts", "settlements", "farm_sites", "hubs", "origins", "context")
    }


def test_rebuild_equals_committed_layers_byte_for_byte(
    config: BuildConfig, built: BuiltLayers, tmp_path: Path
) -> None:
    write_layers(built, tmp_path, config.geometry.decimals)
    stale = [f for f in FILES if (tmp_path / f).read_bytes() != (LAYERS / f).read_bytes()]
    assert stale == [], (
        f"committed layers differ from a rebuild with shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}); run `agroplan layers build`: {stale}"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)  # no temp files left


def test_layers_stay_small() -> None:
    assert (LAYERS / "context.geojson").stat().st_size < 300_000
    assert sum((LAYERS / f).stat().st_size for f in FILES) < 2_000_000


def test_the_fourteen_revival_districts(layer: dict[str, gpd.GeoDataFrame]) -> None:
    districts = layer["districts"]
    assert set(districts["name_en"]) == REVIVAL
    assert districts["district_id"].is_unique
    assert districts.geometry.is_valid.all()
    assert districts["agricultural_share"].between(0, 1).all()
    assert (districts["suspected_ha"] <= districts["area_km2"] * 100).all()


def test_counts_of_the_default_dataset(layer: dict[str, gpd.GeoDataFrame]) -> None:
    assert len(layer["settlements"]) >= 30
    assert len(layer["farm_sites"]) >= 150
    assert len(layer["hubs"]) >= 4
    assert layer["hubs"]["schematic"].all()
    assert set(layer["hubs"]["mode"]) == {"road", "rail", "sea"}
    assert sorted(layer["origins"]["origin_id"]) == [
        "BY-BR",
        "BY-HO",
        "BY-HR",
        "BY-MA",
        "BY-MI",
        "BY-VI",
    ]
    assert set(layer["context"]["kind"]) == {"az_district", "neighbour", "river", "lake"}


def test_every_site_lies_inside_its_district(layer: dict[str, gpd.GeoDataFrame]) -> None:
    polygons = layer["districts"].set_index("district_id").geometry
    sites = layer["farm_sites"]
    outside = [
        s
        for s, d, p in zip(sites["site_id"], sites["district_id"], sites.geometry, strict=True)
        if not polygons[d].contains(p)
    ]
    assert outside == []
    assert sites["site_id"].is_unique


def test_sites_obey_the_terrain_limits_of_the_build_file(
    config: BuildConfig, layer: dict[str, gpd.GeoDataFrame]
) -> None:
    sites = layer["farm_sites"]
    rules = config.farm_sites
    assert (sites["elevation_m"] <= rules.max_elevation_m).all()
    assert (sites["slope_deg"] <= rules.max_slope_deg).all()
    assert (sites["nearest_settlement_km"] <= rules.max_settlement_distance_km).all()
    # the written values are the DEM's at the written point
    elevation, slope = read_terrain(config.source("dem")).sample(sites.geometry.x, sites.geometry.y)
    assert np.array_equal(elevation.astype(int), sites["elevation_m"].to_numpy())
    assert np.allclose(np.round(slope, 1), sites["slope_deg"])
    # a site gets the largest size whose limits it meets
    for rule in rules.sizes:
        meets = (sites["elevation_m"] <= rule.max_elevation_m) & (
            sites["slope_deg"] < rule.max_slope_deg
        )
        assert (sites.loc[meets, "max_size_heads"] >= rule.heads).all()


def test_a_lower_elevation_limit_gives_fewer_sites(config: BuildConfig, built: BuiltLayers) -> None:
    lower = config.model_copy(
        update={"farm_sites": config.farm_sites.model_copy(update={"max_elevation_m": 600.0})}
    )
    sites = derive_layers(lower).farm_sites
    assert 0 < len(sites) < len(built.farm_sites)
    assert (sites["elevation_m"] <= 600).all()


def test_settlements_take_their_district_from_geonames_admin_code(
    layer: dict[str, gpd.GeoDataFrame],
) -> None:
    by_id = layer["settlements"].set_index("settlement_id")
    # these four points lie in a neighbouring district's Natural Earth polygon
    assert by_id.loc["gn148141", "district_id"] == "AZ-CAB"  # Jabrayil
    assert by_id.loc["gn147625", "district_id"] == "AZ-LAC"  # Lachin
    assert by_id.loc["gn147736", "district_id"] == "AZ-XA"  # Karkijahan
    assert by_id.loc["gn11799868", "district_id"] == "AZ-AGM"  # Birinci Guzanli
    assert by_id.loc["gn147105", "name_az"] == "Şuşa"


def test_families_add_up_to_the_great_return_figures(layer: dict[str, gpd.GeoDataFrame]) -> None:
    towns = layer["settlements"]
    assert towns["returning_families"].sum() == 34_500 - 6_206
    # Fuzuli's share: 28,294 x 22,000 / 140,000 = 4,446.06 -> 4,446
    assert towns.loc[towns["district_id"] == "AZ-FUZ", "returning_families"].sum() == 4_446
    assert (towns["returning_families"] <= towns["max_houses"]).all()
    seats = towns[towns["name_en"].isin(REVIVAL)]
    assert len(seats) == 14
    assert (seats["available_from"] == "2027Q1").all()


def test_suspected_area_and_clearance_table(layer: dict[str, gpd.GeoDataFrame]) -> None:
    districts = layer["districts"]
    assert districts["suspected_ha"].sum() == 1_166_702
    table = pd.read_csv(LAYERS / "clearance.csv")
    wanted = set(quarter_range("2025Q1", 64))
    for district, rows in table.groupby("district_id"):
        assert wanted <= set(rows["period"]), district
        assert rows["cleared_agricultural_ha"].is_monotonic_increasing, district
    # by 2040Q4 everything is cleared: all agricultural land is usable
    last = table[table["period"] == "2040Q4"].set_index("district_id")["cleared_agricultural_ha"]
    full = districts.set_index("district_id").eval("area_km2 * 100 * agricultural_share")
    assert np.allclose(last.sort_index(), full.sort_index(), atol=1)


def test_release_quarter_by_hand(config: BuildConfig) -> None:
    # fully suspected district: cleared before 2025Q1 179,800 ha (15.4%); 2025: +17,300 a
    # quarter -> 249,000; then +16,250 a quarter. Half of 1,166,702 ha = 583,351 ha is passed
    # in the 21st quarter from 2026Q1 (249,000 + 21 x 16,250 = 590,250), i.e. by the end of
    # 2031Q1, so the land is usable from 2031Q2.
    assert release_quarters(config, 1.0, np.array([0.1, 0.5])) == ["2025Q1", "2031Q2"]
    assert release_quarters(config, 0.0, np.array([1.0])) == ["2025Q1"]


def test_apportion_and_azerbaijani_names() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(35_000, [1] * 6) == [5834, 5834, 5833, 5833, 5833, 5833]
    assert azerbaijani_name("Tartar", "Mirbəsir|Mirbəşir|Tərtər") == "Tərtər"
    assert azerbaijani_name("Horadiz", "Goradiz|Горадиз") == "Horadiz"
    assert azerbaijani_name("Laçın", "Lachin|Laçın") == "Laçın"


def test_cli_builds_into_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["layers", "build", "--out", str(tmp_path)])
    assert "farm sites" in capsys.readouterr().out
    assert (tmp_path / "farm_sites.geojson").read_bytes() == (
        LAYERS / "farm_sites.geojson"
    ).read_bytes()


def test_a_wrong_build_file_names_the_file_and_the_keys(tmp_path: Path) -> None:
    bad = tmp_path / "build.yaml"
    bad.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace("spacing_m: 5000", "spacing_km: 5"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_build_config(bad)
    message = str(err.value)
    assert str(bad) in message
    assert "farm_sites.spacing_km: unknown key" in message
    assert "farm_sites.spacing_m: Field required" in message
    assert err.value.exit_code == 2


def test_a_missing_source_names_the_file_and_the_key(config: BuildConfig, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.geojson"
    broken = config.model_copy(
        update={"sources": config.sources.model_copy(update={"settlements": str(missing)})}
    )
    with pytest.raises(DataError) as err:
        derive_layers(broken)
    assert str(missing) in str(err.value)
    assert "sources.settlements" in str(err.value)
    assert err.value.exit_code == 3


def test_hubs_lie_in_azerbaijan_and_at_their_geonames_towns(
    layer: dict[str, gpd.GeoDataFrame],
) -> None:
    context = layer["context"]
    azerbaijan = shapely.union_all(
        [*layer["districts"].geometry, *context.loc[context["kind"] == "az_district", "geometry"]]
    )
    hubs = layer["hubs"].set_index("hub_id")
    assert all(azerbaijan.contains(p) for p in hubs.geometry)
    towns = layer["settlements"].set_index("geonameid").geometry
    assert hubs.geometry["AGHDAM-RAIL"].equals(towns[148619])
    assert hubs.geometry["HORADIZ-RAIL"].equals(towns[148003])
