"""Sweeps on the tiny fixture: planned runs, a 2-worker LocalCluster, resume, the page.

Expected figures of the tiny scenario (3 quarters, 1.5 M USD a quarter, houses at 50,000
USD, a settlement's infrastructure at 100,000 USD, house places min(max_houses,
returning_families) = 30 + 20 + 20 = 70):
- no budget: nothing is built;
- at least N families at least cost: N houses plus the towns they need, so 20 families
  cost 1.1 M (one town), 40 cost 2.2 M (two: the largest town takes 30), 60 cost 3.3 M,
  and 80 have no plan (70 places).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from distributed import Client

from agroplan.cli import main
from agroplan.errors import ConfigError
from agroplan.layers import layer_limits
from agroplan.render.offline import check_offline
from agroplan.render.sweep import build_sweep_page
from agroplan.studies import (
    load_sweep,
    local_cluster,
    pareto_front,
    read_results,
    run_serial,
    run_sweep,
)
from agroplan.studies.sweep import PARETO_KEY, results_frame, run_id

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
BUDGET, HEIFERS = "budget.usd_per_quarter", "supply.heifer_factor"
GRID = {"scenario": str(TINY), "mode": "grid",
        "parameters": {BUDGET: [0, 1_500_000], HEIFERS: [1.0, 0.5]}}
# (budget, heifer factor) -> families housed, farms, herd, spend USD, milk t/yr
EXPECTED = {
    (0, 1.0): (0, 0, 0, 0.0, 0.0),
    (0, 0.5): (0, 0, 0, 0.0, 0.0),
    (1_500_000, 1.0): (68, 2, 225, 4_455_945.53, 1350.0),
    (1_500_000, 0.5): (69, 3, 200, 4_455_352.97, 1200.0),
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """One 2-worker cluster of single-threaded processes for the whole module."""
    with local_cluster(2) as dask_client:
        yield dask_client


def test_workers_keep_the_default_malloc_trimming(client: Client) -> None:
    # dask's MALLOC_TRIM_THRESHOLD_=65536 made each solve 16-20% slower on a worker
    expected = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    seen = client.run(lambda: __import__("os").environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(seen) == 2
    assert set(seen.values()) == {expected}


def write_sweep(folder: Path, config: dict[str, Any], name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def kpis(row: pd.Series) -> tuple[int, int, int, float, float]:
    return (int(row["families_housed"]), int(row["farms"]), int(row["herd_heads"]),
            round(float(row["spend_usd"]), 2), float(row["milk_t_per_year"]))


# ------------------------------------------------------------------ on the cluster


def test_four_runs_on_two_workers_give_the_expected_kpis(client: Client, tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    result = run_sweep(sweep, tmp_path / "out", client)
    frame = result.frame
    assert len(result.executed) == 4 and not result.skipped
    assert list(frame.columns[:3]) == ["run_id", BUDGET, HEIFERS]
    assert [(b, h) for b, h in zip(frame[BUDGET], frame[HEIFERS], strict=True)] == list(EXPECTED)
    for _, row in frame.iterrows():
        assert row["status"] == "optimal" and pd.isna(row["error"])
        assert kpis(row) == EXPECTED[int(row[BUDGET]), float(row[HEIFERS])]
        assert row["gap"] == pytest.approx(0, abs=1e-9) and row["wall_s"] >= row["solve_s"] > 0
    # both files hold the same rows; the cluster changes nothing against solving in-process
    written = read_results(tmp_path / "out")
    assert written is not None
    pd.testing.assert_frame_equal(written, frame)
    csv = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(csv["families_housed"]) == [0, 0, 68, 69]
    serial = run_serial(sweep, list(sweep.runs[2:3]))
    assert serial[0]["families_housed"] == 68 and serial[0]["objective"] == pytest.approx(
        frame.loc[2, "objective"])


def test_infeasible_and_invalid_runs_are_rows_with_their_reason(
        client: Client, tmp_path: Path) -> None:
    target = [{"year": 2027, "total_usd": 1.0e12, "enforce": True}]
    sweep = load_sweep(write_sweep(tmp_path, {
        "scenario": str(TINY), "parameters": {BUDGET: [-5, 1_500_000],
                                              "trade.targets": [[], target]}}))
    frame = run_sweep(sweep, tmp_path / "out", client).frame
    assert list(frame["status"]) == ["error", "error", "optimal", "infeasible"]
    assert frame["error"].iloc[:2].str.contains("--set budget.usd_per_quarter").all()
    assert "no feasible plan" in frame.loc[3, "error"]
    assert frame.loc[2, "families_housed"] == 68
    assert frame["trade.targets"].iloc[2:].tolist() == [
        "[]", "[{year: 2027, total_usd: 1000000000000.0, enforce: true}]"]


def test_resume_runs_only_the_missing_rows(client: Client, tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    out = tmp_path / "out"
    first = run_sweep(sweep, out, client).frame
    assert len(run_sweep(sweep, out, client).executed) == 0
    # as if the sweep had been killed before its second run finished
    dropped = str(first.loc[1, "run_id"])
    first[first["run_id"] != dropped].to_parquet(out / "results.parquet", index=False)
    again = run_sweep(sweep, out, client)
    assert again.executed == (dropped,) and len(again.skipped) == 3
    kept = again.frame[again.frame["run_id"] != dropped]
    assert kept["wall_s"].tolist() == first[first["run_id"] != dropped]["wall_s"].tolist()
    assert again.frame["run_id"].tolist() == first["run_id"].tolist()
    assert len(run_sweep(sweep, out, client, resume=False).executed) == 4


def test_pareto_runs_minimise_cost_for_each_families_floor(
        client: Client, tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {
        "scenario": str(TINY),
        "pareto": {"families_from": 20, "families_to": 80, "steps": 4, "by": "2027Q3"}}))
    frame = run_sweep(sweep, tmp_path / "out", client).frame
    assert frame[PARETO_KEY].tolist() == [20, 40, 60, 80]
    assert frame["status"].tolist() == ["optimal"] * 3 + ["infeasible"]
    assert frame["families_housed"].iloc[:3].tolist() == [20, 40, 60]
    assert frame["spend_usd"].iloc[:3].tolist() == pytest.approx([1.1e6, 2.2e6, 3.3e6])
    assert pareto_front(frame)[PARETO_KEY].tolist() == [20, 40, 60]


def test_explain_names_the_conflict_of_a_run_with_no_plan(
        client: Client, tmp_path: Path) -> None:
    # 80 families by 2027Q3: the tiny scenario houses at most 70 then; its settlements
    # hold 30 returning families where 40 would be needed
    sweep = load_sweep(write_sweep(tmp_path, {
        "scenario": str(TINY), "explain": True,
        "pareto": {"families_from": 60, "families_to": 80, "steps": 2, "by": "2027Q3"}}))
    frame = run_sweep(sweep, tmp_path / "out", client).frame
    assert frame["status"].tolist() == ["optimal", "infeasible"]
    assert pd.isna(frame.loc[0, "error"])
    reason = frame.loc[1, "error"].splitlines()
    assert reason[0].startswith("scenario tiny has no plan: these settings conflict")
    assert reason[1].startswith("- milestone 'eps': families_housed by 2027Q3 at least 80 — "
                                "set by the sweep, as milestones.0.at_least")
    assert reason[2].strip() == ("milestone eps: requires 80 families; a plan reaches at "
                                 "most 70 families (short by 10 families)")
    assert reason[3].startswith("- returning_families: returning families per settlement")
    assert reason[4].strip() == ("houses.returning_families gn900001 is 30 families; a plan "
                                 "needs at least 40 families (+10 families)")
    page = build_sweep_page(frame, sweep)
    assert "td{white-space:pre-line}" in page  # the reason's lines stay lines
    assert "set by the sweep, as milestones.0.at_least\n    milestone eps" in page


def test_cli_runs_on_an_existing_scheduler_and_writes_the_page(
        client: Client, tmp_copy_of_tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the scenario path is relative to the sweep file
    path = write_sweep(tmp_copy_of_tiny.parent, {
        "scenario": "scenario.yaml", "parameters": {HEIFERS: [1.0, 0.5]}})
    out = tmp_copy_of_tiny.parent / "results"
    code = cli(["sweep", str(path), "--scheduler", client.scheduler.address, "--out", str(out)])
    stdout, _ = capsys.readouterr()
    assert code == 0
    assert stdout.strip().splitlines()[-1] == str((out / "sweep.html").resolve())
    frame = pd.read_csv(out / "results.csv")
    assert frame["families_housed"].tolist() == [68, 69]
    html = (out / "sweep.html").read_text(encoding="utf-8")
    check_offline(html, "sweep page")
    assert "families housed against supply.heifer_factor" in html


def test_cli_layer_limits_hold_on_the_workers(
        client: Client, tmp_copy_of_tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the tiny layers hold 2 or 3 features each: with a limit of 1 no run reaches a plan
    path = write_sweep(tmp_copy_of_tiny.parent, {
        "scenario": "scenario.yaml", "parameters": {HEIFERS: [1.0, 0.5]}})
    out = tmp_copy_of_tiny.parent / "results"
    code = cli(["sweep", str(path), "--scheduler", client.scheduler.address, "--out", str(out),
                "--max-features", "1"])
    capsys.readouterr()
    assert code == 0
    frame = pd.read_csv(out / "results.csv")
    assert frame["status"].tolist() == ["error", "error"]
    for error in frame["error"]:
        assert "farm_sites.geojson: has 3 features, more than the limit of 1" in error
        assert "--max-features" in error
    assert frame["families_housed"].isna().all()


def test_layer_limits_travel_with_each_run(client: Client, tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {"scenario": str(TINY),
                                              "parameters": {HEIFERS: [1.0]}}))
    # the limit given to run_sweep, and the one in force where the sweep starts
    given = run_sweep(sweep, tmp_path / "given", client, max_megabytes=1e-6).frame
    with layer_limits(max_features=2):
        in_force = run_sweep(sweep, tmp_path / "in-force", client).frame
    serial = run_serial(sweep, max_megabytes=1e-6)
    assert [*given["status"], *in_force["status"], serial[0]["status"]] == ["error"] * 3
    assert "MB, more than the limit of 1e-06 MB" in given.loc[0, "error"]
    assert "--max-megabytes" in serial[0]["error"]
    assert "MB, more than the limit of 1e-06 MB" in serial[0]["error"]
    assert "settlements.geojson: has 3 features, more than the limit of 2" in in_force.loc[
        0, "error"]
    assert "districts.geojson" not in in_force.loc[0, "error"]  # 2 features: within the limit


def cli(args: list[str]) -> int:
    try:
        return int(main(args) or 0)
    except SystemExit as exc:
        return int(exc.code or 0)


# ------------------------------------------------------------------ without a cluster


@pytest.mark.parametrize(("config", "message"), [
    ({"parameters": {"budget.usd_per_quartr": [1]}},
     "parameters.budget.usd_per_quartr: not a scenario key; did you mean 'usd_per_quarter'?"),
    ({"parameters": {"budget.usd_per_quarter": 5}},
     "parameters.budget.usd_per_quarter: in grid mode give a non-empty list of values"),
    ({"mode": "random", "parameters": {HEIFERS: {"low": 1, "high": 0}}},
     "samples: required in random mode"),
    ({"mode": "random", "samples": 3, "parameters": {HEIFERS: {"low": 1, "high": 0}}},
     "parameters.supply.heifer_factor: low (1) must not be above high (0)"),
    ({"sample": 3}, "sample: unknown key; did you mean 'samples'?"),
    ({"mode": "grd"}, "mode: must be 'grid' or 'random'"),
    ({"pareto": {"families_from": 10, "families_to": 5, "steps": 2}},
     "pareto: families_to must be at least families_from"),
    ({"pareto": {"families_from": 0, "families_to": 5, "steps": 2, "by": "2031Q1"}},
     "pareto.by: 2031Q1 lies outside the scenario's horizon 2027Q1..2027Q3"),
    ({"scenario": "missing.yaml"}, "scenario: missing.yaml not found"),
])
def test_a_bad_sweep_file_is_a_config_error_naming_file_and_key(
        tmp_path: Path, config: dict[str, Any], message: str) -> None:
    path = write_sweep(tmp_path, {"scenario": str(TINY), **config})
    with pytest.raises(ConfigError) as caught:
        load_sweep(path)
    assert f"{path}: " in str(caught.value)
    assert message in str(caught.value)


def test_cli_reports_a_bad_sweep_file_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text("scenario: x.yaml\nparameters: {a: [1], a: [2]}\n", encoding="utf-8")
    assert cli(["sweep", str(path)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("invalid sweep file: ") and "key 'a' appears twice" in err
    assert str(path) in err and "Traceback" not in err


def test_grid_random_and_pareto_runs_are_planned_in_order_with_stable_ids(
        tmp_path: Path) -> None:
    grid = load_sweep(write_sweep(tmp_path, GRID)).runs
    assert [r.overrides for r in grid[:2]] == [
        ("budget.usd_per_quarter=0", "supply.heifer_factor=1.0"),
        ("budget.usd_per_quarter=0", "supply.heifer_factor=0.5")]
    assert grid[0].run_id == run_id({HEIFERS: 1.0, BUDGET: 0}) != grid[1].run_id
    config = {"scenario": str(TINY), "mode": "random", "samples": 6, "seed": 7,
              "parameters": {BUDGET: {"low": 1_000_000, "high": 2_000_000},
                             HEIFERS: {"low": 0.5, "high": 1.0},
                             "budget.carry_over": {"values": [True, False]}}}
    first = load_sweep(write_sweep(tmp_path, config, "r.yaml")).runs
    assert first == load_sweep(write_sweep(tmp_path, config, "r2.yaml")).runs
    assert len(first) == 6
    for run in first:
        assert isinstance(run.parameters[BUDGET], int)
        assert 1_000_000 <= run.parameters[BUDGET] <= 2_000_000
        assert 0.5 <= run.parameters[HEIFERS] <= 1.0
    pareto = load_sweep(write_sweep(tmp_path, {
        "scenario": str(TINY), "parameters": {HEIFERS: [1.0]},
        "pareto": {"families_from": 0, "families_to": 10, "steps": 3}}, "p.yaml")).runs
    assert [r.parameters[PARETO_KEY] for r in pareto] == [0, 5, 10]
    assert pareto[1].overrides == (
        "supply.heifer_factor=1.0",
        "milestones=[{name: eps, metric: families_housed, by: 2027Q3, at_least: 5, "
        "enforce: true}]",
        "objective.kind=lexicographic", "objective.priorities=[cost]")


def test_pareto_front_keeps_the_runs_nothing_beats() -> None:
    rows = [{"run_id": str(i), "status": status, "families_housed": fam, "spend_usd": spend}
            for i, (status, fam, spend) in enumerate([
                ("optimal", 10, 5.0), ("optimal", 10, 4.0), ("optimal", 20, 4.0),
                ("feasible", 30, 9.0), ("optimal", 25, 9.5), ("infeasible", None, None),
                ("optimal", 5, 1.0)])]
    front = pareto_front(results_frame(rows, []))
    assert front["run_id"].tolist() == ["6", "2", "3"]


def test_page_draws_each_kpi_against_each_parameter_and_escapes_text(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {
        "scenario": str(TINY), "parameters": {"description": ["<b>x</b>", "y"],
                                              HEIFERS: [1.0]}}))
    rows = [{"run_id": r.run_id, **r.parameters, "status": "optimal", "families_housed": 3,
             "farms": 1, "herd_heads": 10, "spend_usd": 5.0, "milk_t_per_year": 1.0,
             "violations_count": 0} for r in sweep.runs]
    html = build_sweep_page(results_frame(rows, sweep.parameter_names), sweep)
    check_offline(html, "sweep page")
    assert html.count("<svg") == 1 + 6 * 2  # the front, and 6 KPIs x 2 parameters
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
