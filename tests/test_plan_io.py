"""Plan folders: what is written, that it reads back equal, deterministically and atomically."""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from agroplan.check import check_plan
from agroplan.config import load_scenario
from agroplan.errors import OutputError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import Layers, read_layers
from agroplan.plan import (
    PLAN_SCHEMA_VERSION,
    TABLE_COLUMNS,
    Plan,
    read_plan,
    read_plan_scenario,
    write_plan,
)
from agroplan.roadmap import ACTUALS_COLUMNS, Actuals, write_actuals
from agroplan.solve import solve

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
ACTUALS = Actuals("2027Q1", "", {"farms": pd.DataFrame(
    [["S1", 100, "2027Q1"]], columns=list(ACTUALS_COLUMNS["farms"]))})
FILES = {"plan.json", "run.json", "scenario.json", "plan.gpkg", "plan.xlsx",
         *(f"{name}.csv" for name in TABLE_COLUMNS)}


@pytest.fixture(scope="module")
def tiny() -> tuple[PlanInputs, Layers, Plan]:
    scenario = load_scenario(TINY)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    return inputs, layers, solve(inputs)


@pytest.fixture(scope="module")
def written(tiny: tuple[PlanInputs, Layers, Plan], tmp_path_factory: pytest.TempPathFactory
            ) -> Path:
    inputs, layers, plan = tiny
    out = tmp_path_factory.mktemp("plan") / "runs" / "tiny"
    write_plan(plan, inputs, out, layers=layers, timings={"read": 0.5, "solve": 1.5})
    return out


def test_the_folder_holds_every_file_and_no_temporary_one(written: Path) -> None:
    assert {p.name for p in written.iterdir()} == FILES


def test_the_plan_reads_back_equal(tiny: tuple[PlanInputs, Layers, Plan], written: Path) -> None:
    _, _, plan = tiny
    back = read_plan(written)
    for field in ("scenario", "status", "solver", "periods", "schema_version"):
        assert getattr(back, field) == getattr(plan, field)
    for field in ("objective", "best_bound", "relative_gap", "solve_seconds"):
        assert getattr(back, field) == pytest.approx(getattr(plan, field), abs=1e-6)
    assert set(back.tables) == set(plan.tables)
    for name, table in plan.tables.items():
        pd.testing.assert_frame_equal(back.tables[name].reset_index(drop=True),
                                      table.reset_index(drop=True), check_dtype=False,
                                      check_exact=False, rtol=1e-9, atol=1e-6)
    assert back.kpis == json.loads(json.dumps(plan.kpis), parse_float=_approx)


def _approx(text: str) -> object:
    return pytest.approx(float(text), abs=1e-6)


def test_the_plan_read_back_passes_the_check(written: Path) -> None:
    scenario = read_plan_scenario(written)
    inputs = build_plan_inputs(scenario, read_layers(scenario))
    assert check_plan(inputs, read_plan(written)) == []


def test_the_saved_scenario_is_the_resolved_one(tiny: tuple[PlanInputs, Layers, Plan],
                                                written: Path) -> None:
    inputs, _, _ = tiny
    saved = read_plan_scenario(written)
    assert saved.model_dump(exclude={"layers"}) == inputs.scenario.model_dump(exclude={"layers"})
    for key in type(saved.layers).model_fields:
        path = Path(getattr(saved.layers, key))
        assert path.is_absolute() and path == inputs.scenario.layer_path(key)


def test_plan_json_is_deterministic_and_carries_no_timings(tiny: tuple[PlanInputs, Layers, Plan],
                                                           written: Path, tmp_path: Path) -> None:
    inputs, layers, _ = tiny
    write_plan(solve(inputs), inputs, tmp_path / "again", layers=layers)
    text = (written / "plan.json").read_bytes()
    assert (tmp_path / "again" / "plan.json").read_bytes() == text
    write_plan(read_plan(written), inputs, tmp_path / "reread", layers=layers)
    assert (tmp_path / "reread" / "plan.json").read_bytes() == text
    data = json.loads(text)
    assert data["schema_version"] == PLAN_SCHEMA_VERSION
    assert "solve_seconds" not in data and "seconds" not in text.decode()


def test_run_json_holds_the_timings_and_versions(written: Path) -> None:
    run = json.loads((written / "run.json").read_text())
    assert run["timings_s"]["read"] == 0.5 and run["timings_s"]["solve"] == 1.5
    assert run["timings_s"]["write"] > 0 and run["solve_seconds"] > 0
    assert run["versions"]["ortools"] and run["host"]["cpus"] >= 1


def test_csv_tables_match_the_plan(tiny: tuple[PlanInputs, Layers, Plan], written: Path) -> None:
    _, _, plan = tiny
    farms = pd.read_csv(written / "farms.csv")
    assert list(farms.columns) == list(TABLE_COLUMNS["farms"])
    assert farms.to_dict("records") == plan.farms.astype(object).to_dict("records")
    assert pd.read_csv(written / "violations.csv").empty


def test_the_geopackage_draws_farms_towns_deliveries_and_districts(
        tiny: tuple[PlanInputs, Layers, Plan], written: Path) -> None:
    _, layers, plan = tiny
    path = written / "plan.gpkg"
    assert [tuple(row) for row in pyogrio.list_layers(path)] == [
        ("farms", "Point"), ("agro_towns", "Point"), ("deliveries", "LineString"),
        ("districts", "MultiPolygon")]
    deliveries = gpd.read_file(path, layer="deliveries")
    assert deliveries["heads"].sum() == plan.deliveries["heads"].sum()
    first = deliveries.iloc[0]
    start, end = first.geometry.coords[0], first.geometry.coords[-1]
    hub, site = layers.hubs.geometry[first["hub_id"]], layers.farm_sites.geometry[first["site_id"]]
    assert (start, end) == ((hub.x, hub.y), (site.x, site.y))
    districts = gpd.read_file(path, layer="districts").set_index("district_id")
    assert districts["houses"].to_dict() == plan.kpis["houses_by_district"]
    assert districts["herd_heads"].to_dict() == plan.kpis["herd_by_district"]
    assert districts["farms"].sum() == plan.kpis["farms"]


def test_a_failed_write_names_the_file_and_keeps_the_old_folder(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    folder = tmp_path / "run"
    write_plan(plan, inputs, folder, layers=layers)
    old = {p.name: p.read_bytes() for p in folder.iterdir()}
    changed = replace(plan, objective=123.0)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, hard))  # a real "file too large" (EFBIG)
    try:
        with pytest.raises(OutputError, match=r"run/plan\.json: cannot be written \(File too "
                                              r"large\).*previous plan folder is unchanged"):
            write_plan(changed, inputs, folder, layers=layers)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporary folder left


def test_extra_files_are_written_in_the_new_folder_before_it_is_swapped_in(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    folder = tmp_path / "run"
    write_plan(plan, inputs, folder, layers=layers)
    seen: list[tuple[Path, bool]] = []

    def extra(staging: Path) -> list[Path]:
        seen.append((staging, (folder / "actuals").exists()))
        return write_actuals(ACTUALS, staging / "actuals")

    written = write_plan(plan, inputs, folder, layers=layers, extra=extra)
    [(staging, in_place)] = seen
    assert staging.parent == tmp_path and staging.name.startswith(".run.") and not in_place
    assert written[-1] == folder / "run.json"
    assert folder / "actuals" / "farms.csv" in written
    assert (folder / "actuals" / "farms.csv").read_text() == (
        "site_id,size_heads,build_start\nS1,100,2027Q1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_failed_extra_writer_keeps_the_old_folder_byte_for_byte(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    folder = tmp_path / "run"
    write_plan(plan, inputs, folder, layers=layers,
               extra=lambda staging: write_actuals(ACTUALS, staging / "actuals"))
    old = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def extra(staging: Path) -> list[Path]:
        (staging / "actuals").write_text("a file where the folder should be")
        return write_actuals(ACTUALS, staging / "actuals")

    with pytest.raises(OutputError) as caught:
        write_plan(replace(plan, objective=123.0), inputs, folder, layers=layers, extra=extra)
    assert str(caught.value).startswith(f"output error: {folder / 'actuals'}: cannot create")
    assert "previous plan folder is unchanged" in str(caught.value)
    assert ".writing" not in str(caught.value)
    assert {str(p.relative_to(folder)): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()} == old
    assert "actuals/farms.csv" in old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporary folder left


def test_a_folder_set_aside_by_a_killed_writer_is_put_back(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    folder = tmp_path / "run"
    write_plan(plan, inputs, folder, layers=layers)
    old = {p.name: p.read_bytes() for p in folder.iterdir()}
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # where the folder cannot be swapped in one step, a writer killed between its two
    # renames leaves the old folder set aside and its new one beside it
    folder.rename(tmp_path / f".run.{gone.pid}.0123abcd.previous")
    (tmp_path / f".run.{gone.pid}.4567cdef.writing").mkdir()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, hard))
    try:
        with pytest.raises(OutputError, match=r"run/plan\.json: cannot be written"):
            write_plan(replace(plan, objective=123.0), inputs, folder, layers=layers)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_plan_folder_is_replaced_as_a_whole(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    folder = tmp_path / "run"
    write_plan(plan, inputs, folder, layers=layers)
    (folder / "stale.csv").write_text("from an earlier run\n")
    write_plan(plan, inputs, folder, layers=layers)
    assert {p.name for p in folder.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_of_other_files_is_not_replaced(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"holds files that are not an agroplan plan "
                                          r"\(notes\.txt\)"):
        write_plan(plan, inputs, tmp_path, layers=layers)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_output_folder_that_cannot_be_made_is_named(
        tiny: tuple[PlanInputs, Layers, Plan], tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match=r"a-file/runs: the output folder cannot be created"):
        write_plan(plan, inputs, blocker / "runs", layers=layers)


def test_a_plan_from_a_newer_agroplan_is_refused(written: Path, tmp_path: Path) -> None:
    folder = _copy(written, tmp_path)
    data = json.loads((folder / "plan.json").read_text())
    (folder / "plan.json").write_text(json.dumps({**data, "schema_version": 99}))
    with pytest.raises(OutputError, match=r"plan\.json: written by a newer agroplan \(plan "
                                          r"schema_version 99; this agroplan reads up to 1\)"):
        read_plan(folder)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.json", None, r"plan\.json: not found"),
    ("plan.json", '{"schema_version": 1, "status": ', r"plan\.json: corrupt JSON at line 1"),
    ("plan.json", '{"schema_version": 1}', r"plan\.json: missing key\(s\) scenario, status"),
    ("plan.json", "[1, 2]", r"plan\.json: expected a JSON object"),
    ("run.json", "{oops", r"run\.json: corrupt JSON"),
])
def test_a_missing_or_corrupt_plan_file_is_named(written: Path, tmp_path: Path, name: str,
                                                 content: str | None, message: str) -> None:
    folder = _copy(written, tmp_path)
    if content is None:
        (folder / name).unlink()
    else:
        (folder / name).write_text(content)
    with pytest.raises(OutputError, match=message):
        read_plan(folder)


def test_a_corrupt_scenario_file_is_named(written: Path, tmp_path: Path) -> None:
    folder = _copy(written, tmp_path)
    data = json.loads((folder / "scenario.json").read_text())
    data["horizon"]["quarters"] = 0
    (folder / "scenario.json").write_text(json.dumps(data))
    with pytest.raises(OutputError, match=r"scenario\.json: .*horizon\.quarters"):
        read_plan_scenario(folder)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"nowhere: no such plan folder"):
        read_plan(tmp_path / "nowhere")


def test_floats_are_written_rounded_and_nan_as_null(tiny: tuple[PlanInputs, Layers, Plan],
                                                   tmp_path: Path) -> None:
    inputs, layers, plan = tiny
    odd = replace(plan, relative_gap=math.nan, objective=1.0000000004, kpis={"x": -0.0})
    write_plan(odd, inputs, tmp_path, layers=layers)
    data = json.loads((tmp_path / "plan.json").read_text())
    assert (data["relative_gap"], data["objective"], data["kpis"]) == (None, 1.0, {"x": 0.0})


def _copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    target.mkdir()
    for path in folder.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target
