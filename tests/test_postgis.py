"""PostGIS for real: layers read from a PostgreSQL + PostGIS server and plans exported to it.

The server is the throwaway one `.ci/postgis start` runs on 127.0.0.1 (`./.ci/run` starts
it); without it these tests fail, they do not skip. Each test works in a schema of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from conftest import TINY
from conftest import agroplan_process as agroplan

from agroplan.config import load_scenario
from agroplan.config.sources import hide_password
from agroplan.errors import DataError
from agroplan.layers import read_layers
from agroplan.layers.postgis import connect
from agroplan.plan import read_plan

SCENARIO = TINY / "scenario.yaml"
WRONG = "not-the-password-7731"
CHANGED = ("--set", "farms.cost_usd_per_place=1500")


def with_password(uri: str, password: str) -> str:
    return str(sa.engine.make_url(uri).set(password=password).render_as_string(
        hide_password=False))


def execute(uri: str, sql: str, **values: Any) -> list[tuple[Any, ...]]:
    with connect(uri).begin() as connection:
        result = connection.execute(sa.text(sql), values)
        return [tuple(row) for row in result] if result.returns_rows else []


def load(uri: str, schema: str, name: str, frame: pd.DataFrame) -> None:
    engine = connect(uri)
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_postgis(name, engine, schema=schema, index=False)
    else:
        frame.to_sql(name, engine, schema=schema, index=False)


def scenario(folder: Path, layers: str) -> Path:
    path = folder / "db.yaml"
    path.write_text(f"extends: {SCENARIO}\nlayers:\n{layers}", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading


@pytest.fixture
def tiny_in_db(database: str, schema: str) -> str:
    """The tiny hubs, farm sites (UTM, names of a GIS department) and clearance in ``schema``."""
    load(database, schema, "hubs", gpd.read_file(TINY / "layers" / "hubs.geojson"))
    sites = gpd.read_file(TINY / "layers" / "farm_sites.geojson").to_crs("EPSG:32638")
    load(database, schema, "candidate_sites", sites.rename(columns={"district_id": "rayon"}))
    load(database, schema, "clearance", pd.read_csv(TINY / "layers" / "clearance.csv"))
    return schema


def test_layers_from_a_table_and_a_query_equal_the_files(
        database: str, tiny_in_db: str, tmp_path: Path) -> None:
    s = tiny_in_db
    mine = scenario(tmp_path, (
        f"  hubs: {{path: '{database}', layer: {s}.hubs}}\n"
        f"  clearance: {{path: '{database}', layer: {s}.clearance}}\n"
        f"  farm_sites: {{path: '{database}', columns: {{district_id: rayon}}, query: "
        f"\"SELECT * FROM {s}.candidate_sites WHERE max_size_heads > 0\"}}\n"))
    got = read_layers(load_scenario(mine))
    want = read_layers(load_scenario(SCENARIO))
    for key in ("hubs", "farm_sites"):
        a, b = getattr(got, key), getattr(want, key)
        assert list(a.index) == list(b.index)
        columns = [c for c in b.columns if c != "geometry"]
        pd.testing.assert_frame_equal(pd.DataFrame(a[columns]), pd.DataFrame(b[columns]),
                                      check_dtype=False)
        assert (shapely.hausdorff_distance(a.geometry.to_numpy(), b.geometry.to_numpy())
                < 1e-6).all()
    pd.testing.assert_frame_equal(got.clearance, want.clearance)
    label = f"{hide_password(database)} query"
    assert got.warnings == (f"{label}: reprojected from EPSG:32638 to EPSG:4326",)


def test_a_table_name_cannot_inject_sql(database: str, tiny_in_db: str, tmp_path: Path) -> None:
    s = tiny_in_db
    table = f'{s}.hubs; DROP TABLE {s}.hubs; --'
    mine = scenario(tmp_path, f"  hubs: {{path: '{database}', layer: '{table}'}}\n")
    with pytest.raises(DataError) as caught:
        read_layers(load_scenario(mine))
    assert str(caught.value).startswith(
        f"invalid data: {hide_password(database)} table {table}: no table '{table}' in the "
        "database; check the table's name and schema (tables: ")
    assert execute(database, f"SELECT count(*) FROM {s}.hubs") == [(2,)]


@pytest.mark.parametrize(("query", "refusal"), [
    ("SELECT * FROM {s}.hubs) AS x; DROP TABLE {s}.hubs; --",
     "cannot execute DROP TABLE in a read-only transaction"),
    ("WITH gone AS (DELETE FROM {s}.hubs RETURNING *) SELECT * FROM gone",
     "WITH clause containing a data-modifying statement must be at the top level"),
    ("SELECT * FROM {s}.hubs; DELETE FROM {s}.hubs", 'syntax error at or near ";"'),
])
def test_a_query_cannot_change_the_database(
        database: str, tiny_in_db: str, tmp_path: Path, query: str, refusal: str) -> None:
    s = tiny_in_db
    mine = scenario(tmp_path, f"  hubs: {{path: '{database}', query: \"{query.format(s=s)}\"}}\n")
    with pytest.raises(DataError) as caught:
        read_layers(load_scenario(mine))
    assert str(caught.value) == (
        f"invalid data: {hide_password(database)} query: the database refused the request "
        f"({refusal}); check the table or the query and your rights to read it")
    assert execute(database, f"SELECT count(*) FROM {s}.hubs") == [(2,)]


def test_a_wrong_password_is_named_without_the_password(
        database: str, tiny_in_db: str, tmp_path: Path) -> None:
    uri = with_password(database, WRONG)
    mine = scenario(tmp_path, f"  hubs: {{path: '{uri}', layer: {tiny_in_db}.hubs}}\n")
    done = agroplan("validate", str(mine))
    assert done.returncode == 3
    user = sa.engine.make_url(database).username
    assert done.stderr.strip() == (
        f"invalid data: {hide_password(uri)} table {tiny_in_db}.hubs: cannot connect to the "
        f"database (password authentication failed for user \"{user}\"); check the user and "
        "the password (give it in PGPASSWORD or ~/.pgpass rather than in the URI)")
    assert WRONG not in done.stdout + done.stderr


def test_an_unreachable_database_is_named(tmp_path: Path) -> None:
    uri = f"postgresql://planner:{WRONG}@127.0.0.1:1/gis"
    mine = scenario(tmp_path, f"  hubs: {{path: '{uri}', layer: transport.hubs}}\n")
    done = agroplan("validate", str(mine))
    assert done.returncode == 3
    assert done.stderr.strip() == (
        "invalid data: postgresql://planner:***@127.0.0.1:1/gis table transport.hubs: cannot "
        "connect to the database (Connection refused); check the host, port and database "
        "name, and that the server is running and accepts connections from this machine")
    assert WRONG not in done.stderr


# --------------------------------------------------------------------------- export


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory, tiny_plan: Path) -> tuple[Path, Path]:
    """The tiny plan and a changed one, as plan folders."""
    changed = tmp_path_factory.mktemp("plans") / "changed"
    done = agroplan("plan", str(SCENARIO), "--out", str(changed), "--no-map", *CHANGED)
    assert done.returncode == 0, done.stderr
    return tiny_plan, changed


def quoted(name: str) -> str:
    """An SQL identifier, as the tests write their own SQL."""
    return '"' + name.replace('"', '""') + '"'


def rows(uri: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ``schema``, sorted, geometries as text."""
    found = {}
    for (table,) in execute(uri, "SELECT table_name FROM information_schema.tables WHERE "
                                 "table_schema = :s", s=schema):
        columns = [c for (c,) in execute(uri, "SELECT column_name FROM information_schema."
                                              "columns WHERE table_schema = :s AND "
                                              "table_name = :t", s=schema, t=table)
                   if c != "exported_at"]
        shown = ", ".join(f'ST_AsText("{c}")' if c == "geom" else f'"{c}"::text'
                          for c in columns)
        found[table] = sorted(execute(uri, f"SELECT {shown} FROM {quoted(schema)}.{table}"),
                              key=repr)
    return found


def test_the_export_holds_every_layer_and_table_of_the_plan(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    folder = plans[0]
    done = agroplan("export", str(folder), "--postgis", database, "--schema", schema)
    assert done.returncode == 0, done.stderr
    plan = read_plan(folder)
    counts = {t: n for t, n in execute(database, (
        "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE schemaname = :s"), s=schema)}
    assert set(counts) == {"farms", "agro_towns", "deliveries", "districts", "herd", "houses",
                           "timber", "workforce", "spend", "violations", "binding", "plans"}
    exported = {t: execute(database, f'SELECT count(*) FROM "{schema}"."{t}"')[0][0]
                for t in counts}
    for name in counts:
        expected = 1 if name == "plans" else 2 if name == "districts" else len(plan.table(name))
        assert exported[name] == expected, name
    farms = execute(database, f'SELECT site_id, size_heads, ST_SRID(geom), GeometryType(geom) '
                              f'FROM "{schema}".farms ORDER BY site_id')
    assert farms == [(r.site_id, r.size_heads, 4326, "POINT")
                     for r in plan.farms.sort_values("site_id").itertuples()]
    assert execute(database, f'SELECT plan_id, status, (kpis->>\'families_housed\')::int '
                             f'FROM "{schema}".plans') == [
        ("tiny", "optimal", plan.kpis["families_housed"])]
    assert done.stdout.strip() == (
        f"postgis: {sum(exported.values())} rows of plan tiny in 12 tables of schema {schema} "
        f"at {hide_password(database)}")


def test_exporting_again_replaces_the_plans_rows_and_keeps_other_plans(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    tiny, changed = plans
    for _ in range(2):
        assert agroplan("export", str(tiny), "--postgis", database, "--schema",
                        schema).returncode == 0
    once = rows(database, schema)
    assert len(once["plans"]) == 1  # the second export replaced the first one's rows
    assert len(once["spend"]) == len(read_plan(tiny).spend)
    assert agroplan("export", str(changed), "--postgis", database, "--schema", schema,
                    "--plan-id", "other").returncode == 0
    both = rows(database, schema)
    assert [r for r in both["plans"] if r[0] == "tiny"] == once["plans"]
    assert {r[0] for r in both["spend"]} == {"tiny", "other"}
    assert [r for r in both["spend"] if r[0] == "tiny"] == once["spend"]


def test_a_failed_write_leaves_the_previous_rows_intact(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    tiny, changed = plans
    assert agroplan("export", str(tiny), "--postgis", database, "--schema", schema).returncode == 0
    before = rows(database, schema)
    # the last table written refuses any new row: the write fails after every other table
    # has had its rows deleted and inserted, inside the one transaction
    execute(database, f'ALTER TABLE "{schema}".plans ADD CONSTRAINT no_more '
                      "CHECK (scenario IS NULL) NOT VALID")
    done = agroplan("export", str(changed), "--postgis", database, "--schema", schema,
                    "--plan-id", "tiny")
    assert done.returncode == 6
    assert done.stderr.strip().startswith(
        f"output error: {hide_password(database)} schema {schema}: the database refused the "
        'request (new row for relation "plans" violates check constraint "no_more"')
    assert done.stderr.strip().endswith("nothing was written, the previous rows are unchanged")
    assert rows(database, schema) == before


def test_a_wrong_password_on_export_is_named_without_it(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    uri = with_password(database, WRONG)
    done = agroplan("export", str(plans[0]), "--postgis", uri, "--schema", schema)
    assert done.returncode == 6
    assert "cannot connect to the database (password authentication failed" in done.stderr
    assert WRONG not in done.stdout + done.stderr
    assert rows(database, schema) == {}


def test_a_schema_name_is_an_identifier_not_sql(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    odd = f'{schema}"; DROP SCHEMA {schema} CASCADE; --'
    try:
        done = agroplan("export", str(plans[0]), "--postgis", database, "--schema", odd)
        assert done.returncode == 0, done.stderr
        assert execute(database, "SELECT count(*) FROM information_schema.schemata WHERE "
                                 "schema_name IN (:a, :b)", a=schema, b=odd) == [(2,)]
        assert len(rows(database, odd)["farms"]) == len(read_plan(plans[0]).farms)
    finally:
        execute(database, f"DROP SCHEMA IF EXISTS {quoted(odd)} CASCADE")


def test_a_table_that_is_not_agroplans_is_left_alone(
        database: str, schema: str, plans: tuple[Path, Path]) -> None:
    execute(database, f'CREATE TABLE "{schema}".districts (id int, name text)')
    execute(database, f"INSERT INTO \"{schema}\".districts VALUES (1, 'mine')")
    done = agroplan("export", str(plans[0]), "--postgis", database, "--schema", schema)
    assert done.returncode == 6
    assert done.stderr.strip() == (
        f"output error: {hide_password(database)} schema {schema}: table districts exists and "
        "is not an agroplan plan table (it has no plan_id column); choose another --schema")
    assert rows(database, schema) == {"districts": [("1", "mine")]}


def test_geoparquet_holds_the_same_layers_and_tables(
        tmp_path: Path, plans: tuple[Path, Path]) -> None:
    folder = tmp_path / "parquet"
    done = agroplan("export", str(plans[0]), "--geoparquet", str(folder))
    assert done.returncode == 0, done.stderr
    plan = read_plan(plans[0])
    farms = gpd.read_parquet(folder / "farms.parquet")
    assert farms.crs == "EPSG:4326" and set(farms.geom_type) == {"Point"}
    assert sorted(farms["site_id"]) == sorted(plan.farms["site_id"])
    districts = gpd.read_parquet(folder / "districts.parquet")
    assert set(districts.geom_type) == {"MultiPolygon"} and len(districts) == 2
    spend = pd.read_parquet(folder / "spend.parquet")
    assert spend["usd"].sum() == pytest.approx(plan.kpis["spend_usd"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{n}.parquet" for n in ("farms", "agro_towns", "deliveries", "districts", "herd",
                                 "houses", "timber", "workforce", "spend", "violations",
                                 "binding", "plans"))
    (folder / "notes.txt").write_text("mine")
    again = agroplan("export", str(plans[0]), "--geoparquet", str(folder))
    assert again.returncode == 6
    assert "holds files that are not Parquet (notes.txt)" in again.stderr
