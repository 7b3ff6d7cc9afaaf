"""The layer reader on the tiny fixture: what it returns, and the rules it enforces."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import TinyLayers
from pyproj import Geod

from agroplan.config import load_scenario
from agroplan.errors import ConfigError, DataError
from agroplan.layers import Layers, read_layers, to_metric
from agroplan.layers.checks import Problems


def _read(scenario: Path, *overrides: str, **limits: float) -> Layers:
    return read_layers(load_scenario(scenario, overrides), **limits)  # type: ignore[arg-type]


def _problems(scenario: Path, *overrides: str, **limits: float) -> str:
    with pytest.raises(DataError) as caught:
        _read(scenario, *overrides, **limits)
    return str(caught.value)


# --------------------------------------------------------------------------- what it returns


def test_tiny_layers_are_indexed_by_id_in_wgs84(tiny_scenario_path: Path) -> None:
    layers = _read(tiny_scenario_path)
    assert list(layers.districts.index) == ["AZ-AGM", "AZ-FUZ"]
    assert layers.districts.index.name == "district_id"
    assert list(layers.settlements.index) == ["gn900001", "gn900002", "gn900003"]
    assert list(layers.farm_sites.index) == ["AGM-001", "AGM-002", "FUZ-001"]
    assert list(layers.hubs.index) == ["HUB-AGM-RAIL", "HUB-HOR-ROAD"]
    assert list(layers.origins.index) == ["BY-MI", "BY-HO"]
    for frame in (layers.districts, layers.settlements, layers.farm_sites, layers.hubs,
                  layers.origins, layers.context):
        assert frame.crs == "EPSG:4326"
    assert layers.warnings == ()
    assert len(layers.context) == 3


def test_counts_are_integers_and_values_kept(tiny_scenario_path: Path) -> None:
    layers = _read(tiny_scenario_path)
    settlements = layers.settlements
    for column in ("max_houses", "returning_families", "population_historical", "geonameid"):
        assert settlements[column].dtype == np.int64
    assert settlements.loc["gn900002", "max_houses"] == 20
    assert settlements.loc["gn900002", "returning_families"] == 25
    assert settlements.loc["gn900002", "district_id"] == "AZ-AGM"
    assert layers.farm_sites["max_size_heads"].to_dict() == {
        "AGM-001": 200, "AGM-002": 100, "FUZ-001": 200}
    assert layers.hubs["schematic"].dtype == bool
    assert layers.hubs.loc["HUB-AGM-RAIL", "mode"] == "rail"
    assert layers.origins["heifers_per_quarter"].to_dict() == {"BY-MI": 150.0, "BY-HO": 50.0}


def test_clearance_is_sorted_by_district_and_quarter(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("clearance")
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    clearance = _read(tiny_layers.scenario).clearance
    assert list(clearance.columns) == ["district_id", "period", "cleared_agricultural_ha"]
    assert clearance.iloc[0].tolist() == ["AZ-AGM", "2025Q1", 100.0]
    assert clearance.iloc[63].tolist() == ["AZ-AGM", "2040Q4", 100.0 + 20 * 63]
    assert clearance.iloc[64].tolist() == ["AZ-FUZ", "2025Q1", 50.0]


def test_layers_are_frozen(tiny_scenario_path: Path) -> None:
    layers = _read(tiny_scenario_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        layers.hubs = layers.origins  # type: ignore[misc]


# --------------------------------------------------------------------------- distances


def test_to_metric_distance_matches_hand_computation(tiny_scenario_path: Path) -> None:
    layers = _read(tiny_scenario_path)
    sites = to_metric(layers.farm_sites, "EPSG:32638")
    towns = to_metric(layers.settlements, "EPSG:32638")
    metres = sites.geometry["AGM-001"].distance(towns.geometry["gn900001"])
    # 0.01 deg of longitude at 40.045 N = 0.852 km, 0.01 deg of latitude = 1.110 km
    assert metres == pytest.approx(np.hypot(852.2, 1110.5), rel=0.005)
    _, _, geodesic = Geod(ellps="WGS84").inv(46.96, 40.04, 46.95, 40.05)
    assert metres == pytest.approx(geodesic, rel=0.002)  # UTM 38N is near-true here


def test_to_metric_refuses_degrees_and_unknown_crs(tiny_scenario_path: Path) -> None:
    hubs = _read(tiny_scenario_path).hubs
    with pytest.raises(ConfigError, match="'EPSG:4326' is not a projected CRS in metres"):
        to_metric(hubs, "EPSG:4326")
    with pytest.raises(ConfigError, match="'EPSG:2' is not a known CRS"):
        to_metric(hubs, "EPSG:2")
    with pytest.raises(DataError, match="without a CRS"):
        to_metric(hubs.set_crs(None, allow_override=True), "EPSG:32638")


# --------------------------------------------------------------------------- CRS policy


def test_projected_layer_is_reprojected_to_the_same_places(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("hubs")
    gpd.read_file(path).to_crs("EPSG:32638").to_file(path, driver="GeoJSON")
    layers = _read(tiny_layers.scenario)
    assert layers.warnings == (f"{path}: reprojected from EPSG:32638 to EPSG:4326",)
    point = layers.hubs.geometry["HUB-AGM-RAIL"]
    assert (point.x, point.y) == pytest.approx((47.05, 40.05), abs=1e-7)


# --------------------------------------------------------------------------- tolerated inputs


def test_site_just_outside_its_district_is_tolerated(tiny_layers: TinyLayers) -> None:
    # AZ-AGM's western edge is 46.9 E; 0.0005 deg of longitude there is about 43 m
    tiny_layers.set_geometry("farm_sites", "AGM-002",
                             {"type": "Point", "coordinates": [46.8995, 40.07]})
    assert "AGM-002" in _read(tiny_layers.scenario).farm_sites.index


def test_settlement_far_outside_its_district_is_only_a_warning(tiny_layers: TinyLayers) -> None:
    tiny_layers.set_geometry("settlements", "gn900003",
                             {"type": "Point", "coordinates": [46.95, 39.8]})  # 11 km south
    layers = _read(tiny_layers.scenario)
    assert layers.warnings == (
        f"{tiny_layers.path('settlements')}: 1 settlement(s) lie more than 5 km outside "
        "their district (gn900003)",
    )


def test_whole_floats_optional_names_and_01_booleans_are_accepted(
    tiny_layers: TinyLayers,
) -> None:
    tiny_layers.set("settlements", "gn900001", max_houses=40.0, name_az=None)
    tiny_layers.set("hubs", "HUB-AGM-RAIL", schematic=0)
    layers = _read(tiny_layers.scenario)
    assert layers.settlements.loc["gn900001", "max_houses"] == 40
    assert layers.settlements["max_houses"].dtype == np.int64
    assert layers.settlements.loc["gn900001", "name_az"] == ""
    assert not layers.hubs.loc["HUB-AGM-RAIL", "schematic"]


def test_multipolygon_district_is_accepted(tiny_layers: TinyLayers) -> None:
    square = [[46.9, 39.9], [47.0, 39.9], [47.0, 40.0], [46.9, 40.0], [46.9, 39.9]]
    islet = [[46.8, 39.9], [46.85, 39.9], [46.85, 39.95], [46.8, 39.95], [46.8, 39.9]]
    tiny_layers.set_geometry("districts", "AZ-FUZ",
                             {"type": "MultiPolygon", "coordinates": [[square], [islet]]})
    district = _read(tiny_layers.scenario).districts.geometry["AZ-FUZ"]
    assert district.geom_type == "MultiPolygon"
    assert shapely.area(district) == pytest.approx(0.01 + 0.0025)


def test_empty_context_is_a_warning(tiny_layers: TinyLayers) -> None:
    tiny_layers.path("context").write_text(
        '{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    layers = _read(tiny_layers.scenario)
    assert len(layers.context) == 0
    assert "the basemap context layer is empty" in layers.warnings[0]


# --------------------------------------------------------------------------- refused inputs


def test_share_outside_0_1(tiny_layers: TinyLayers) -> None:
    tiny_layers.set("districts", "AZ-AGM", agricultural_share=60)
    assert ("agricultural_share is outside 0..1 (feature AZ-AGM); write agricultural_share as a "
            "share between 0 and 1") in _problems(tiny_layers.scenario)


def test_boolean_text_is_refused(tiny_layers: TinyLayers) -> None:
    tiny_layers.set("hubs", "HUB-HOR-ROAD", schematic="yes")
    assert "schematic is not true/false (feature HUB-HOR-ROAD); write schematic as true or false" \
        in _problems(tiny_layers.scenario)


def test_empty_id_is_named_by_row(tiny_layers: TinyLayers) -> None:
    tiny_layers.set("origins", "BY-HO", origin_id="")
    assert "origin_id is empty (feature #2); give every feature a origin_id" \
        in _problems(tiny_layers.scenario)


def test_cumulative_clearance_must_not_fall(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("clearance")
    text = path.read_text(encoding="utf-8").replace("AZ-FUZ,2027Q2,140.0", "AZ-FUZ,2027Q2,10.0")
    path.write_text(text, encoding="utf-8")
    assert (f"{path}: district AZ-FUZ: cumulative cleared land decreases in 2027Q2; cleared "
            "land by the end of a quarter is cumulative: it must never fall") \
        in _problems(tiny_layers.scenario)


def test_clearance_rows_are_named_by_line(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("clearance")
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[2] = "AZ-AGM,2025-2,abc"  # line 3 of the file
    rows.append(rows[1])  # a duplicate of line 2, now the last line
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    message = _problems(tiny_layers.scenario)
    assert (f"{path}: cleared_agricultural_ha is missing, not a number or infinite (feature row "
            "3); write a number of hectares") in message
    assert "period is not a quarter label (feature row 3)" in message
    assert f"the same district and period appear twice (features row 2, row {len(rows)})" \
        in message


def test_clearance_missing_column(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("clearance")
    path.write_text("district_id,period,ha\nAZ-AGM,2027Q1,5\n", encoding="utf-8")
    assert (f"{path}: missing column cleared_agricultural_ha; the header must be "
            "district_id,period,cleared_agricultural_ha") in _problems(tiny_layers.scenario)


def test_file_over_the_size_limit(tiny_scenario_path: Path) -> None:
    message = _problems(tiny_scenario_path, max_megabytes=0.0001)
    size = (tiny_scenario_path.parent / "layers" / "districts.geojson").stat().st_size / 1e6
    assert f"districts.geojson: is {size:.3g} MB, more than the limit of 0.0001 MB" in message
    assert "raise the limit with --max-megabytes" in message


def test_many_features_are_summarised() -> None:
    problems = Problems(Path("x.geojson"))
    problems.add("max_houses is negative", "fix it", [f"gn{i}" for i in range(8)])
    assert problems.lines == [
        "x.geojson: max_houses is negative (features gn0, gn1, gn2, gn3, gn4 and 3 more); fix it"
    ]


def test_clearance_row_without_district(tiny_layers: TinyLayers) -> None:
    path = tiny_layers.path("clearance")
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[4] = ",2025Q4,160.0"  # line 5 of the file
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert (f"{path}: district_id is empty (feature row 5); give every row a district_id") \
        in _problems(tiny_layers.scenario)
