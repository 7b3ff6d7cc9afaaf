"""``agroplan validate`` through the real entry point: summaries, and a catalogue of bad inputs.

Each bad input asserts the exit code and that the one message names the file, the key or
feature id, and the fix — and that no traceback reaches the user.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import TinyLayers
from conftest import run_cli as run

CONFIG, DATA = 2, 3



def rows(out: str) -> dict[str, list[str]]:
    """The rows of the summary's tables: first cell -> the other cells, stripped."""
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()]
    return {row[0]: row[1:] for row in cells if row}


def fails(capsys: pytest.CaptureFixture[str], code: int, *args: str) -> str:
    """Run a command that must fail with ``code``; return its one message."""
    got, _, err = run(capsys, *args)
    assert got == code, err
    assert err.startswith("invalid ")
    return err


# --------------------------------------------------------------------------- valid inputs


def test_tiny_summary_has_hand_checked_numbers(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    code, out, err = run(capsys, "validate", str(tiny_scenario_path))
    assert code == 0, err
    assert "Horizon: 2027Q1..2027Q3 (3 quarters)" in out
    assert "Budget: 1,500,000 USD per quarter, 4,500,000 USD in total, carry-over on" in out
    table = rows(out)
    assert table["districts"] == ["2"]
    assert table["farm_sites"] == ["3"]
    assert table["clearance rows"] == ["128"]  # 2 districts x 64 quarters
    assert table["heifers (heads)"] == ["600"]  # (150 + 50) per quarter x 3
    assert table["timber (m3)"] == ["3,600"]  # (900 + 300) x 3
    assert table["hub throughput, heads"] == ["750"]  # (150 + 100) x 3
    # families 30 + 25 + 20 = 75 against plots 40 + 20 + 30 = 90
    assert table["returning families vs house plots"] == ["75", "90", "families", "ok"]
    # every site at its largest allowed size: 200 + 100 + 200 heads; land at 2027Q3:
    # (100 + 20 x 10 + 50 + 10 x 10) ha cleared x 0.5 / 1 ha per head = 225 heads
    assert table["heads on every site vs heads fed by cleared land"] == [
        "500", "225", "heads", "short"]
    # houses min(30, 40) + min(25, 20) + min(20, 30) = 70 x 50,000 + 3 towns x 100,000
    assert table["cost of housing every family vs budget"] == [
        "3,800,000", "4,500,000", "USD", "ok"]
    assert "1 settlement(s) have more returning families than house plots (e.g. gn900002)" in out
    assert out.rstrip().endswith(f"valid: {tiny_scenario_path}")


def test_set_overrides_reach_the_summary(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    code, out, _ = run(capsys, "validate", str(tiny_scenario_path),
                       "--set", "supply.heifer_factor=2", "--set", "horizon.quarters=4")
    assert code == 0
    assert "Horizon: 2027Q1..2027Q4 (4 quarters)" in out
    assert rows(out)["heifers (heads)"] == ["1,600"]  # 200 per quarter x 2 x 4 quarters


def test_default_scenario_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate")
    assert code == 0, err
    assert "Scenario default" in out
    assert "Horizon: 2027Q1..2029Q4 (12 quarters)" in out
    counts = {k: int(v[0].replace(",", "")) for k, v in rows(out).items() if len(v) == 1}
    assert counts["districts"] == 14
    assert counts["settlements"] >= 30
    assert counts["farm_sites"] >= 150
    assert counts["hubs"] >= 4
    assert counts["origins"] == 6


def test_layer_in_another_crs_is_reprojected_with_a_warning(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    path = tiny_layers.path("origins")
    gpd.read_file(path).to_crs("EPSG:3857").to_file(path, driver="GeoJSON")
    code, out, _ = run(capsys, "validate", str(tiny_layers.scenario))
    assert code == 0
    assert f"{path}: reprojected from EPSG:3857 to EPSG:4326" in out


# --------------------------------------------------------------------------- config errors


def test_unknown_key_with_suggestion(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("farms:\n  sizez: [600]\n", encoding="utf-8")
    err = fails(capsys, CONFIG, "validate", str(scenario))
    assert f"{scenario}: farms.sizez: unknown key; did you mean 'sizes_heads'?" in err


def test_wrong_type_names_what_is_allowed(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    err = fails(capsys, CONFIG, "validate", str(tiny_scenario_path),
                "--set", "budget.usd_per_quarter=plenty")
    assert err.strip() == (
        "invalid scenario: --set budget.usd_per_quarter: must be a number or a mapping "
        "(given: 'plenty') — usd_per_quarter: budget per quarter, USD: one number for every "
        "quarter, or a mapping quarter -> USD (quarters not listed get 0)"
    )


def test_malformed_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("horizon:\n  start: 2027Q1\n quarters: 4\n", encoding="utf-8")
    err = fails(capsys, CONFIG, "validate", str(scenario))
    assert f"{scenario}: line 3, column 2: malformed YAML" in err


def test_yaml_alias_bomb_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    scenario.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = fails(capsys, CONFIG, "validate", str(scenario))
    assert "YAML aliases (*name) are not allowed in scenario files" in err


def test_extends_cycle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    err = fails(capsys, CONFIG, "validate", str(tmp_path / "a.yaml"))
    assert "`extends:` forms a cycle" in err and "remove one link" in err


def test_horizon_without_quarters(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    err = fails(capsys, CONFIG, "validate", str(tiny_scenario_path), "--set", "horizon.quarters=0")
    assert "--set horizon.quarters: must be greater than or equal to 1 (given: 0)" in err


def test_missing_scenario_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = fails(capsys, CONFIG, "validate", str(tmp_path / "none.yaml"))
    assert "none.yaml: scenario file not found; check the path" in err


# --------------------------------------------------------------------------- data errors


def test_negative_capacity(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.set("hubs", "HUB-HOR-ROAD", capacity_heads_per_quarter=-100)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert err.strip() == (
        f"invalid data: {tiny_layers.path('hubs')}: capacity_heads_per_quarter is negative "
        "(feature HUB-HOR-ROAD); capacity_heads_per_quarter must be 0 or more"
    )


def test_unknown_district(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.set("settlements", "gn900003", district_id="AZ-XYZ")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{tiny_layers.path('settlements')}: unknown district 'AZ-XYZ' (feature gn900003); "
            "use a district_id of the districts layer (AZ-AGM, AZ-FUZ)") in err


def test_duplicate_id(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.set("farm_sites", "FUZ-001", site_id="AGM-001")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{tiny_layers.path('farm_sites')}: duplicate site_id AGM-001; give every feature "
            "its own site_id") in err


def test_invalid_geometry(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    bowtie = [[46.9, 39.9], [47.0, 40.0], [47.0, 39.9], [46.9, 40.0], [46.9, 39.9]]
    tiny_layers.set_geometry("districts", "AZ-FUZ", {"type": "Polygon", "coordinates": [bowtie]})
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{tiny_layers.path('districts')}: invalid geometry (Self-intersection" in err
    assert "(feature AZ-FUZ); repair it, for example with QGIS 'Fix geometries'" in err


def test_wrong_geometry_type(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    line = {"type": "LineString", "coordinates": [[46.95, 40.05], [46.96, 40.06]]}
    tiny_layers.set_geometry("settlements", "gn900001", line)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert ("geometry type LineString is not allowed (feature gn900001); the settlements layer "
            "needs Point geometries") in err


def test_missing_geometry(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.set_geometry("hubs", "HUB-AGM-RAIL", None)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert ("geometry is missing or empty (feature HUB-AGM-RAIL); give every feature a "
            "geometry") in err


def test_projected_coordinates_declared_as_degrees(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.set_geometry("hubs", "HUB-AGM-RAIL",
                             {"type": "Point", "coordinates": [504_300.0, 4_432_000.0]})
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{tiny_layers.path('hubs')}: coordinates are not longitude/latitude degrees" in err
    assert "declare its CRS, or reproject it to EPSG:4326" in err


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_layer_without_crs(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    hubs = gpd.read_file(tiny_layers.path("hubs")).set_crs(None, allow_override=True)
    gpkg = tiny_layers.folder / "hubs.gpkg"
    hubs.to_file(gpkg, driver="GPKG")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario),
                "--set", f"layers.hubs={gpkg}")
    assert f"{gpkg}: the layer has no CRS; declare its CRS" in err


def test_missing_column(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    collection = tiny_layers.collection("settlements")
    for feature in collection["features"]:
        del feature["properties"]["max_houses"]
    tiny_layers.write("settlements", collection)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{tiny_layers.path('settlements')}: missing column max_houses; add it" in err


def test_missing_layer_file(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.path("farm_sites").unlink()
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{tiny_layers.path('farm_sites')}: file not found; check layers.farm_sites in the "
            "scenario") in err


def test_nan_and_infinite_values(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.set("settlements", "gn900002", returning_families=None)
    text = tiny_layers.path("origins").read_text(encoding="utf-8")
    tiny_layers.path("origins").write_text(
        text.replace('"heifers_per_quarter": 50', '"heifers_per_quarter": NaN')
        .replace('"timber_m3_per_quarter": 300', '"timber_m3_per_quarter": Infinity'),
        encoding="utf-8")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert err.startswith("invalid data (3 problems):")
    assert ("returning_families is missing (null or NaN) (feature gn900002); give every "
            "feature a returning_families") in err
    assert "heifers_per_quarter is missing (null or NaN) (feature BY-HO)" in err
    assert "timber_m3_per_quarter is infinite (feature BY-HO); give a finite" in err


def test_not_a_number_and_not_whole(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.set("settlements", "gn900001", max_houses="many")
    tiny_layers.set("farm_sites", "AGM-002", max_size_heads=99.5)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert "max_houses is not a number ('many') (feature gn900001); write max_houses as" in err
    assert "max_size_heads is not a whole number (feature AGM-002); round" in err


def test_bad_quarter_label_and_choice(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.set("farm_sites", "FUZ-001", available_from="2027-Q1")
    tiny_layers.set("hubs", "HUB-HOR-ROAD", mode="air")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert ("available_from is not a quarter label ('2027-Q1') (feature FUZ-001); write "
            "available_from as YYYYQn") in err
    assert "mode 'air' is not one of road, rail, sea (feature HUB-HOR-ROAD)" in err


def test_empty_layer(capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers) -> None:
    tiny_layers.write("hubs", {"type": "FeatureCollection", "features": []})
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{tiny_layers.path('hubs')}: the layer is empty (no features); add the hubs "
            "features") in err


def test_layer_over_the_feature_limit(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    err = fails(capsys, DATA, "validate", str(tiny_scenario_path), "--max-features", "2")
    assert "settlements.geojson: has 3 features, more than the limit of 2" in err
    assert "raise the limit with --max-features" in err
    assert "districts.geojson" not in err  # 2 districts are within the limit


def test_layer_over_the_size_limit(
    capsys: pytest.CaptureFixture[str], tiny_scenario_path: Path
) -> None:
    layers = tiny_scenario_path.parent / "layers"
    megabytes = (layers / "settlements.geojson").stat().st_size / 1e6
    limit = (layers / "origins.geojson").stat().st_size / 1e6 + 1e-6  # the smallest file
    assert megabytes > limit
    err = fails(capsys, DATA, "validate", str(tiny_scenario_path), "--max-megabytes", str(limit))
    assert f"settlements.geojson: is {megabytes:.3g} MB, more than the limit of {limit:.3g} MB" \
        in err
    assert "origins.geojson" not in err


def test_site_outside_its_district(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    # 0.05 degrees south of AZ-AGM's southern edge (40.0 N): about 5.6 km, inside AZ-FUZ
    moved = {"type": "Point", "coordinates": [46.93, 39.95]}
    tiny_layers.set_geometry("farm_sites", "AGM-002", moved)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{tiny_layers.path('farm_sites')}: site lies 5.6 km outside its district AZ-AGM "
            "(nearest district: AZ-FUZ) (feature AGM-002); move the site inside its district "
            "or correct its district_id") in err


def test_clearance_gaps_and_unknown_districts(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    path = tiny_layers.path("clearance")
    rows = path.read_text(encoding="utf-8").splitlines()
    rows = [r for r in rows if not r.startswith("AZ-FUZ,2027Q2")]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert (f"{path}: district AZ-FUZ has no row for 2027Q2; add its cumulative cleared land "
            "for every quarter of the horizon") in err
    path.write_text("\n".join([*rows, "AZ-ZZZ,2027Q1,5"]) + "\n", encoding="utf-8")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{path}: unknown district AZ-ZZZ; use a district_id" in err


def test_problems_of_several_files_come_together(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.set("hubs", "HUB-HOR-ROAD", capacity_timber_m3_per_quarter=-1)
    tiny_layers.set("origins", "BY-MI", heifers_per_quarter=-1)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert err.startswith("invalid data (2 problems):\n  - ")
    assert "hubs.geojson" in err and "origins.geojson" in err


def test_a_file_that_is_not_geojson(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.path("origins").write_text(json.dumps({"hello": 1}), encoding="utf-8")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{tiny_layers.path('origins')}: cannot be read" in err
    assert "save it as GeoJSON (or GeoPackage) in EPSG:4326" in err


def test_a_table_given_as_a_layer(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    table = tiny_layers.path("clearance")
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario),
                "--set", f"layers.hubs={table}")
    assert (f"{table}: has no lon and lat columns for the points; add lon and lat (degrees, or "
            "coordinates in the mapping's crs), or name yours with layers.hubs.columns: "
            "{lon: ..., lat: ...}") in err


def test_a_folder_given_as_a_layer(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario),
                "--set", f"layers.origins={tiny_layers.folder}")
    assert f"{tiny_layers.folder}: is a folder, not a file; point layers.origins at the file" in err


def test_binary_junk_as_a_layer(
    capsys: pytest.CaptureFixture[str], tiny_layers: TinyLayers
) -> None:
    tiny_layers.path("districts").write_bytes(bytes(range(256)) * 4)
    err = fails(capsys, DATA, "validate", str(tiny_layers.scenario))
    assert f"{tiny_layers.path('districts')}: cannot be read as a GIS layer (" in err
    assert "It might help" not in err
