"""``agroplan plan`` and ``agroplan check`` end to end on the tiny fixture, via the entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as run

from agroplan.plan import TABLE_COLUMNS

INFEASIBLE, NO_SOLUTION, OUTPUT, VIOLATED = 4, 5, 6, 7
PLAN_FILES = {"plan.json", "run.json", "scenario.json", "plan.gpkg", "plan.xlsx",
              *(f"{name}.csv" for name in TABLE_COLUMNS)}



@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder, so runs/ and maps/ land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_plan_writes_the_folder_the_map_and_checks(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, tiny_scenario_path: Path) -> None:
    code, out, err = run(capsys, "plan", str(tiny_scenario_path))
    assert code == 0, err
    assert {p.name for p in (in_tmp / "runs" / "tiny").iterdir()} == PLAN_FILES
    for stage in ("scenario tiny: 3 farm sites, 3 settlements, 3 quarters", "model built:",
                  "level weighted: optimal", "plan written to runs/tiny"):
        assert stage in err
    assert "families housed" in out and "optimal (highs" in out
    assert "check: every constraint holds" in out
    last = out.strip().splitlines()[-1]
    assert Path(last) == (in_tmp / "maps" / "tiny.html").resolve()
    assert Path(last).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (in_tmp / "maps" / "tiny-report.html").is_file()


def test_options_reach_the_solver_and_the_scenario(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, tiny_scenario_path: Path) -> None:
    code, out, err = run(capsys, "plan", str(tiny_scenario_path), "--out", "elsewhere",
                         "--solver", "scip", "--time-limit", "30", "--gap", "0", "--threads",
                         "1", "--seed", "3", "--set", "horizon.quarters=2", "--no-map")
    assert code == 0, err
    plan = json.loads((in_tmp / "elsewhere" / "plan.json").read_text())
    assert plan["solver"] == "scip" and plan["periods"] == ["2027Q1", "2027Q2"]
    scenario = json.loads((in_tmp / "elsewhere" / "scenario.json").read_text())
    assert scenario["horizon"]["quarters"] == 2
    assert not (in_tmp / "maps").exists() and not (in_tmp / "runs").exists()
    assert out.strip().splitlines()[-1].startswith("check: every constraint holds")


def test_check_passes_a_written_plan(capsys: pytest.CaptureFixture[str], in_tmp: Path,
                                     tiny_scenario_path: Path) -> None:
    assert run(capsys, "plan", str(tiny_scenario_path), "--no-map")[0] == 0
    code, out, err = run(capsys, "check", "runs/tiny")
    assert code == 0, err
    assert "scenario tiny, optimal (highs)" in out
    assert "check: every constraint holds over 3 quarters" in out


def test_check_names_what_a_tampered_plan_breaks(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, tiny_scenario_path: Path) -> None:
    assert run(capsys, "plan", str(tiny_scenario_path), "--no-map")[0] == 0
    path = in_tmp / "runs" / "tiny" / "plan.json"
    plan = json.loads(path.read_text())
    for row in plan["tables"]["houses"]:
        row["houses"] += 30  # more than any settlement has plots or families for
    path.write_text(json.dumps(plan))
    code, out, err = run(capsys, "check", "runs/tiny")
    assert code == VIOLATED
    assert "houses.returning_families[gn900001]" in out
    assert err.startswith("plan violates constraints: runs/tiny: ")


def test_check_of_a_missing_folder_names_it(capsys: pytest.CaptureFixture[str],
                                            in_tmp: Path) -> None:
    code, _, err = run(capsys, "check", "runs/nothing")
    assert code == OUTPUT
    assert err.startswith("output error: runs/nothing: no such plan folder")


def test_an_infeasible_scenario_exits_4_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, tiny_scenario_path: Path) -> None:
    code, _, err = run(capsys, "plan", str(tiny_scenario_path), "--no-map", "--set",
                       "trade.targets=[{year: 2027, total_usd: 9.0e8, enforce: true}]")
    assert code == INFEASIBLE
    assert "no feasible plan: trade.target[2027]" in err
    assert not (in_tmp / "runs").exists()


def test_no_plan_within_the_time_limit_exits_5(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, default_scenario_path: Path) -> None:
    # 10 ms is far too short for the default scenario's 15,000 variables
    code, _, err = run(capsys, "plan", str(default_scenario_path), "--no-map",
                       "--time-limit", "0.01")
    assert code == NO_SOLUTION
    assert "solver failed: scenario default: highs found no plan within the time limit" in err
    assert not (in_tmp / "runs").exists()


def test_an_unknown_solver_is_refused(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    code, _, err = run(capsys, "plan", "--solver", "gurobi")
    assert code == 2
    assert "'gurobi' is not one of 'highs', 'scip', 'cpsat'" in err


@pytest.mark.slow
def test_the_default_scenario_is_planned_and_checked(
        capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    code, _, err = run(capsys, "plan", "--no-map")
    assert code == 0, err
    plan = json.loads((in_tmp / "runs" / "default" / "plan.json").read_text())
    assert plan["status"] == "optimal" and plan["relative_gap"] <= 0.001
    assert plan["kpis"]["families_housed"] > 0 and plan["kpis"]["farms"] > 0
    assert run(capsys, "check", "runs/default")[0] == 0
