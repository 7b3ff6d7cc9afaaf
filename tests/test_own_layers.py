"""A planner's own layers: other formats, other column names, another CRS, templates.

The tiny fixture's layers are saved the way a ministry's GIS department would have them
(a Shapefile in UTM with names cut to 10 characters, a CSV of settlements with lon/lat, a
GeoPackage, GeoParquet, FlatGeobuf, an XLSX workbook), mapped in a scenario, and must give
the very layers, and the very plan, of the GeoJSON originals.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import TINY, run_cli

from agroplan.config import load_scenario
from agroplan.errors import ConfigError, DataError
from agroplan.inputs import build_plan_inputs
from agroplan.layers import Layers, read_layers
from agroplan.layers.checks import SPECS
from agroplan.layers.template import COLUMN_NOTES, TABLES, table_columns
from agroplan.plan import TABLE_COLUMNS, Plan
from agroplan.solve import solve

SCENARIO = TINY / "scenario.yaml"
LAYERS = TINY / "layers"
SHAPEFILE_NAMES = {"district_id": "district_i", "elevation_m": "elevation_",
                   "max_size_heads": "max_size_h", "available_from": "available_"}


def tiny(layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(LAYERS / f"{layer}.geojson")


def scenario(folder: Path, layers: str) -> Path:
    """A scenario extending the tiny one, with the ``layers:`` block ``layers``."""
    path = folder / "mine.yaml"
    path.write_text(f"extends: {SCENARIO}\nlayers:\n{layers}", encoding="utf-8")
    return path


def read(path: Path, *overrides: str) -> Layers:
    return read_layers(load_scenario(path, overrides))


def problems(path: Path, *overrides: str) -> str:
    with pytest.raises(DataError) as caught:
        read(path, *overrides)
    return str(caught.value)


def plan_of(path: Path) -> Plan:
    config = load_scenario(path)
    return solve(build_plan_inputs(config, read_layers(config)))


def assert_same_layer(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame) -> None:
    """Same ids, columns, values and types; geometries equal to a millionth of a degree."""
    assert list(got.index) == list(want.index)
    assert sorted(got.columns) == sorted(want.columns)
    columns = [c for c in want.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(got[columns]), pd.DataFrame(want[columns]))
    assert got.crs == want.crs
    apart = shapely.hausdorff_distance(got.geometry.to_numpy(), want.geometry.to_numpy())
    assert (apart < 1e-6).all()  # a polygon and its one-part multipolygon are the same


def assert_same_plan(got: Plan, want: Plan) -> None:
    assert got.status == want.status == "optimal"
    assert got.objective == pytest.approx(want.objective, rel=1e-9)
    for name in TABLE_COLUMNS:
        if name == "binding":  # marginal values may differ in the last digits
            continue
        pd.testing.assert_frame_equal(got.table(name).reset_index(drop=True),
                                      want.table(name).reset_index(drop=True), rtol=1e-9)
    assert got.kpis["families_housed"] == want.kpis["families_housed"]
    assert got.kpis["herd_by_period"] == want.kpis["herd_by_period"]


@pytest.fixture(scope="module")
def original() -> tuple[Layers, Plan]:
    return read_layers(load_scenario(SCENARIO)), plan_of(SCENARIO)


def write_shapefile(folder: Path) -> Path:
    """The tiny farm sites as a GIS department saves them: UTM 38N, names cut to 10."""
    path = folder / "sites.shp"
    with warnings.catch_warnings():  # the driver's note that it cuts the names
        warnings.simplefilter("ignore")
        tiny("farm_sites").to_crs("EPSG:32638").to_file(path)
    assert set(SHAPEFILE_NAMES.values()) <= set(pyogrio.read_info(path)["fields"])
    return path


def sites_block(file: str, names: dict[str, str] = SHAPEFILE_NAMES, extra: str = "") -> str:
    """The ``layers:`` line of farm sites in ``file`` with the columns ``names``."""
    mapping = ", ".join(f"{ours}: {theirs}" for ours, theirs in names.items())
    return f"  farm_sites: {{path: {file}, {extra}columns: {{{mapping}}}}}\n"


def write_settlements_csv(folder: Path) -> Path:
    frame = tiny("settlements")
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["lon"], table["lat"] = frame.geometry.x, frame.geometry.y
    path = folder / "settlements.csv"
    table.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- the same plan


def test_a_shapefile_with_cut_names_in_utm_mapped_gives_the_same_plan(
        tmp_path: Path, original: tuple[Layers, Plan]) -> None:
    layers, plan = original
    shapefile = write_shapefile(tmp_path)
    mine = scenario(tmp_path, sites_block(shapefile.name))
    mapped = read(mine)
    assert_same_layer(mapped.farm_sites, layers.farm_sites)
    assert mapped.warnings == (f"{shapefile}: reprojected from EPSG:32638 to EPSG:4326",)
    assert_same_plan(plan_of(mine), plan)


def test_a_csv_of_settlements_with_lon_lat_gives_the_same_plan(
        tmp_path: Path, original: tuple[Layers, Plan]) -> None:
    layers, plan = original
    csv = write_settlements_csv(tmp_path)
    mine = scenario(tmp_path, f"  settlements: {csv.name}\n")
    assert_same_layer(read(mine).settlements, layers.settlements)
    assert_same_plan(plan_of(mine), plan)


def test_the_shapefile_unmapped_is_refused_with_the_mapping_to_write(tmp_path: Path) -> None:
    shapefile = write_shapefile(tmp_path)
    text = problems(scenario(tmp_path, f"  farm_sites: {shapefile.name}\n"))
    assert text == (
        f"invalid data: {shapefile}: missing columns district_id, elevation_m, max_size_heads, "
        "available_from; the data has district_i, elevation_, max_size_h, available_ (a "
        "Shapefile cuts names to 10 characters): map them with layers.farm_sites.columns: "
        "{district_id: district_i, elevation_m: elevation_, max_size_heads: max_size_h, "
        "available_from: available_}; add them to every feature's properties (the farm_sites "
        "layer needs: site_id, district_id, elevation_m, slope_deg, max_size_heads, "
        "available_from)")


# --------------------------------------------------------------------------- every format


def _save(folder: Path, kind: str) -> str:
    """The tiny hubs (and clearance) saved as ``kind``; returns the ``layers:`` block."""
    hubs = tiny("hubs")
    if kind == "gpkg":  # several layers in one file: each named
        hubs.to_file(folder / "all.gpkg", layer="transport_hubs")
        tiny("origins").to_file(folder / "all.gpkg", layer="origins")
        return "  hubs: {path: all.gpkg, layer: transport_hubs}\n  origins: all.gpkg\n"
    if kind == "parquet":
        hubs.to_parquet(folder / "hubs.parquet")
        return "  hubs: hubs.parquet\n"
    if kind == "fgb":
        hubs.to_file(folder / "hubs.fgb", driver="FlatGeobuf")
        return "  hubs: hubs.fgb\n"
    table = pd.DataFrame(hubs.drop(columns="geometry"))
    table["x"], table["y"] = hubs.geometry.x, hubs.geometry.y
    clearance = pd.read_csv(LAYERS / "clearance.csv")
    with pd.ExcelWriter(folder / "book.xlsx") as writer:
        table.rename(columns={"capacity_heads_per_quarter": "Heifers/quarter"}).to_excel(
            writer, sheet_name="Hubs 2027", index=False)
        clearance.to_excel(writer, sheet_name="clearance", index=False)
    return ("  hubs: {path: book.xlsx, layer: Hubs 2027, columns: {lon: x, lat: y, "
            "capacity_heads_per_quarter: Heifers/quarter}}\n  clearance: book.xlsx\n")


@pytest.mark.parametrize("kind", ["gpkg", "parquet", "fgb", "xlsx"])
def test_each_format_gives_the_same_layers(
        tmp_path: Path, original: tuple[Layers, Plan], kind: str) -> None:
    layers, _plan = original
    mine = read(scenario(tmp_path, _save(tmp_path, kind)))
    assert_same_layer(mine.hubs, layers.hubs)
    assert_same_layer(mine.origins, layers.origins)
    pd.testing.assert_frame_equal(mine.clearance, layers.clearance)


def test_a_csv_in_another_crs_takes_the_mapping_crs(
        tmp_path: Path, original: tuple[Layers, Plan]) -> None:
    hubs = tiny("hubs").to_crs("EPSG:32638")
    table = pd.DataFrame(hubs.drop(columns="geometry"))
    table["easting"], table["northing"] = hubs.geometry.x, hubs.geometry.y
    table.to_csv(tmp_path / "hubs.csv", index=False)
    mine = scenario(tmp_path, "  hubs: {path: hubs.csv, crs: EPSG:32638, "
                              "columns: {lon: easting, lat: northing}}\n")
    assert_same_layer(read(mine).hubs, original[0].hubs)


# --------------------------------------------------------------------------- clear errors


def test_an_unknown_mapped_column_is_a_scenario_error(tmp_path: Path) -> None:
    mine = scenario(tmp_path, "  farm_sites: {path: x.shp, columns: {district: district_i}}\n")
    with pytest.raises(ConfigError) as caught:
        read(mine)
    assert str(caught.value) == (
        f"invalid scenario: {mine}: layers.farm_sites.columns: `district` is not a column of "
        "the farm_sites layer; map one of site_id, district_id, elevation_m, slope_deg, "
        "max_size_heads, available_from (the name on the left is ours, the one on the right "
        "is yours)")


def test_a_mapping_to_a_missing_column_names_the_columns_there(tmp_path: Path) -> None:
    shapefile = write_shapefile(tmp_path)
    names = {**SHAPEFILE_NAMES, "district_id": "distr"}
    text = problems(scenario(tmp_path, sites_block("sites.shp", names)))
    assert text == (f"invalid data: {shapefile}: column `distr` (mapped to district_id) is not "
                    "in the data (its columns: site_id, district_i, elevation_, slope_deg, "
                    "max_size_h, available_); correct layers.farm_sites.columns.district_id")


def test_a_bad_value_names_the_users_own_column(tmp_path: Path) -> None:
    frame = tiny("farm_sites").rename(columns=SHAPEFILE_NAMES)
    frame.loc[1, "max_size_h"] = -5
    frame.loc[2, "district_i"] = "AZ-XXX"
    frame.to_file(tmp_path / "sites.gpkg")
    text = problems(scenario(tmp_path, sites_block("sites.gpkg")))
    assert (f"{tmp_path / 'sites.gpkg'}: column `max_size_h` (mapped to max_size_heads) is "
            "negative (feature AGM-002); max_size_h must be 0 or more") in text


def test_an_unknown_reference_names_the_users_own_column(tmp_path: Path) -> None:
    frame = tiny("farm_sites").rename(columns=SHAPEFILE_NAMES)
    frame.loc[2, "district_i"] = "AZ-XXX"
    frame.to_file(tmp_path / "sites.gpkg")
    text = problems(scenario(tmp_path, sites_block("sites.gpkg")))
    assert text == (f"invalid data: {tmp_path / 'sites.gpkg'}: unknown district 'AZ-XXX' in "
                    "column `district_i` (mapped to district_id) (feature FUZ-001); use a "
                    "district_id of the districts layer (AZ-AGM, AZ-FUZ)")


def test_a_workbook_without_the_named_sheet_lists_its_sheets(tmp_path: Path) -> None:
    _save(tmp_path, "xlsx")
    text = problems(scenario(tmp_path, "  hubs: {path: book.xlsx, layer: hubs}\n"))
    assert text == (f"invalid data: {tmp_path / 'book.xlsx'} (layer hubs): has no sheet 'hubs' "
                    "(its sheets: 'Hubs 2027', 'clearance'); correct layers.hubs.layer")


def test_a_geopackage_of_several_layers_needs_the_layer_named(tmp_path: Path) -> None:
    _save(tmp_path, "gpkg")
    text = problems(scenario(tmp_path, "  hubs: all.gpkg\n"))
    assert text == (f"invalid data: {tmp_path / 'all.gpkg'}: holds 2 layers ('transport_hubs', "
                    "'origins') and none is named hubs; name the layer to read with "
                    "layers.hubs.layer")


def test_a_declared_crs_that_differs_from_the_mapping_is_refused(tmp_path: Path) -> None:
    shapefile = write_shapefile(tmp_path)
    text = problems(scenario(tmp_path, sites_block("sites.shp", extra="crs: EPSG:4326, ")))
    assert text == (f"invalid data: {shapefile}: the data declares its CRS as EPSG:32638, but "
                    "the scenario says EPSG:4326; remove crs from layers.farm_sites (the "
                    "declared CRS is used), or correct the data's CRS")


def test_csv_points_for_polygons_and_missing_coordinates(tmp_path: Path) -> None:
    write_settlements_csv(tmp_path)
    text = problems(scenario(tmp_path, "  districts: settlements.csv\n"
                                       "  hubs: {path: settlements.csv, columns: {lat: lon}}\n"))
    assert (f"{tmp_path / 'settlements.csv'}: a CSV or XLSX file holds points, but the "
            "districts layer needs Polygon or MultiPolygon geometries; save the layer as "
            "GeoPackage, Shapefile, GeoJSON or GeoParquet") in text
    assert (f"{tmp_path / 'settlements.csv'}: has no lon column for the points; add lon and "
            "lat (degrees, or coordinates in the mapping's crs), or name yours with "
            "layers.hubs.columns: {lon: ..., lat: ...}") in text


def test_a_settlement_without_coordinates_is_named(tmp_path: Path) -> None:
    csv = write_settlements_csv(tmp_path)
    table = pd.read_csv(csv)
    table.loc[1, "lat"] = None
    table.to_csv(csv, index=False)
    text = problems(scenario(tmp_path, "  settlements: settlements.csv\n"))
    assert text == (f"invalid data: {csv}: lon or lat is missing or not a number (features "
                    "gn900002); give every feature its coordinates in EPSG:4326")


def test_a_layer_mapping_is_checked_as_part_of_the_scenario(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_scenario(SCENARIO, ["layers.hubs={path: x.gpkg, query: SELECT 1}"])
    assert "query is for a postgresql:// database" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_scenario(SCENARIO, ["layers.hubs={path: 'postgresql://u@h/db'}"])
    assert "name the table with layer (schema.table) or give a query" in str(caught.value)
    mine = scenario(tmp_path, "  hubs: {path: hubs.gpkg, colums: {mode: transport}}\n")
    with pytest.raises(ConfigError) as caught:
        load_scenario(mine)
    assert str(caught.value) == (f"invalid scenario: {mine}: layers.hubs.colums: unknown key; "
                                 "did you mean 'columns'?")


# --------------------------------------------------------------------------- templates


def test_the_template_holds_exactly_the_contract_columns(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    code, out, _ = run_cli(capsys, "layers", "template", str(tmp_path / "t"))
    assert code == 0, out
    folder = tmp_path / "t"
    gpkg = folder / "layers.gpkg"
    assert [str(n) for n, _ in pyogrio.list_layers(gpkg)] == list(SPECS)
    for key, spec in SPECS.items():
        info = pyogrio.read_info(gpkg, layer=key)
        assert list(info["fields"]) == list(spec.read_columns)
        assert info["crs"] == "EPSG:4326" and info["features"] == 0
        types = dict(zip(info["fields"], info["dtypes"], strict=True))
        assert all(types[c] == "int64" for c in spec.integers)
        assert all(types[c] == "float64" for c in set(spec.numbers) - set(spec.integers))
        assert all(types[c] == "object" for c in (*spec.text, *spec.quarters))
    book = load_workbook(folder / "layers.xlsx")
    assert book.sheetnames == list(TABLES)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for key in TABLES:
        header = (folder / f"{key}.csv").read_text(encoding="utf-8").strip()
        assert header.split(",") == list(table_columns(key))
        assert [c.value for c in book[key][1]] == list(table_columns(key))
        assert f"## {key} (" in readme
        for column in table_columns(key):
            if column not in ("lon", "lat"):
                assert f"| `{column}` |" in readme
    assert book["hubs"]["C1"].value == "mode"
    rules = book["hubs"].data_validations.dataValidation
    assert any(rule.formula1 == '"road,rail,sea"' for rule in rules)
    assert set(COLUMN_NOTES) >= {c for k in TABLES for c in table_columns(k)}


def test_filled_templates_give_the_tiny_layers(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, original: tuple[Layers, Plan]) -> None:
    from openpyxl import load_workbook

    run_cli(capsys, "layers", "template", str(tmp_path))
    for key in ("districts", "farm_sites", "context"):  # into the GeoPackage's empty layers
        frame = tiny(key)
        pyogrio.write_dataframe(frame[[*SPECS[key].read_columns, "geometry"]],
                                tmp_path / "layers.gpkg", layer=key, append=True,
                                promote_to_multi=key == "districts")
    book = load_workbook(tmp_path / "layers.xlsx")
    for key in ("settlements", "hubs", "origins"):  # into the workbook's sheets
        frame = tiny(key)
        for row, feature in enumerate(frame.itertuples(), start=2):
            for column, name in enumerate(table_columns(key), start=1):
                point = feature.geometry
                value = point.x if name == "lon" else point.y if name == "lat" else \
                    getattr(feature, name)
                book[key].cell(row=row, column=column, value=getattr(value, "item", lambda
                                                                     v=value: v)())
    book.save(tmp_path / "layers.xlsx")
    pd.read_csv(LAYERS / "clearance.csv").to_csv(tmp_path / "clearance.csv", index=False)
    lines = "".join(f"  {key}: layers.gpkg\n" for key in ("districts", "farm_sites", "context"))
    lines += "".join(f"  {key}: layers.xlsx\n" for key in ("settlements", "hubs", "origins"))
    mine = read(scenario(tmp_path, lines + "  clearance: clearance.csv\n"))
    layers = original[0]
    for key in ("districts", "settlements", "farm_sites", "hubs", "origins"):
        assert_same_layer(getattr(mine, key), getattr(layers, key))
