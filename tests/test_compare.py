"""``agroplan compare``: differences computed by hand on small plans, and end to end on the
tiny fixture against variants whose difference is known.

The variant ``tiny-late`` makes site AGM-001 available only from 2027Q3: a farm started
then would open in 2027Q4, after the 3-quarter horizon, so the baseline's 200-head farm
there must go; the only other Aghdam site, AGM-002 (at most 100 head, from 2027Q2),
takes its place. The smaller farm leaves money for houses, and the variant houses every
family it can (30 in Aghdam, 20 in Guzanli, 20 in Fuzuli: each settlement's returning
families, or its plots when fewer).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import run_cli as run
from test_browser import ARTIFACTS, open_offline

from agroplan.plan import Plan
from agroplan.render.compare import build_compare_page, format_delta
from agroplan.render.offline import check_offline, remote_assets
from agroplan.studies import compare_plans
from agroplan.studies.compare import (
    FarmChange,
    HouseChange,
    Places,
    comparison_record,
    farm_changes,
    house_changes,
    kpi_rows,
    unique_labels,
)

CONFIG, DATA, INFEASIBLE, OUTPUT = 2, 3, 4, 6
KM_PER_DEGREE = 2 * math.pi * 6371.0088 / 360  # along a meridian


# ------------------------------------------------------------------ hand-made plans


def plan(farms: list[tuple[str, int, str]] = (),  # type: ignore[assignment]
         houses: list[tuple[str, str, int]] = (),  # type: ignore[assignment]
         name: str = "p", **kpis: Any) -> Plan:
    """A plan with farms (site, size, start) and houses (settlement, period, houses)."""
    return Plan(
        scenario=name, status="optimal", solver="highs", objective=kpis.pop("objective", 1.0),
        best_bound=1.0, relative_gap=kpis.pop("gap", 0.0), solve_seconds=0.0,
        periods=("2027Q1", "2027Q2", "2027Q3", "2027Q4"),
        tables={
            "farms": pd.DataFrame(
                [(s, n, q, q) for s, n, q in farms],
                columns=["site_id", "size_heads", "build_start", "operational_from"]),
            "houses": pd.DataFrame(houses, columns=["settlement_id", "period", "houses"]),
            "agro_towns": pd.DataFrame(
                sorted({(s, "2027Q1") for s, _, _ in houses}),
                columns=["settlement_id", "developed_in"]),
        },
        kpis=kpis,
    )


# sites on one meridian, 0.01 degree of latitude apart (1.11195 km)
SITES = pd.DataFrame(
    [("A1", "AZ-AGM", 47.0, 40.00), ("A2", "AZ-AGM", 47.0, 40.01),
     ("A3", "AZ-AGM", 47.0, 40.10), ("A4", "AZ-AGM", 47.0, 40.12),
     ("A5", "AZ-AGM", 47.0, 40.30), ("F1", "AZ-FUZ", 47.0, 39.90),
     ("F2", "AZ-FUZ", 47.0, 39.80), ("G1", "AZ-GUB", 47.5, 39.50)],
    columns=["site_id", "district_id", "lon", "lat"]).set_index("site_id")
TOWNS = pd.DataFrame(
    [("t1", "AZ-AGM", "One", 47.0, 40.0), ("t2", "AZ-AGM", "Two", 47.1, 40.0),
     ("t3", "AZ-FUZ", "Three", 47.0, 39.9), ("t4", "AZ-FUZ", "Four", 47.1, 39.9)],
    columns=["settlement_id", "district_id", "name", "lon", "lat"]).set_index("settlement_id")
PLACES = Places(SITES, TOWNS, {"AZ-AGM": "Aghdam", "AZ-FUZ": "Fuzuli", "AZ-GUB": "Gubadly"})


def test_every_kind_of_farm_change_is_found() -> None:
    base = plan([("A1", 600, "2027Q1"), ("A3", 800, "2027Q1"), ("A5", 600, "2027Q2"),
                 ("F1", 600, "2027Q1"), ("F2", 600, "2027Q2"), ("G1", 600, "2027Q3")])
    other = plan([("A1", 1200, "2027Q1"),     # resized
                  ("A4", 800, "2027Q2"),      # A3 relocated 0.02 degree north
                  ("A5", 600, "2027Q2"),      # unchanged
                  ("F1", 600, "2027Q3"),      # moved in time
                  ("F2", 800, "2027Q1"),      # resized and moved in time
                  ("A2", 600, "2027Q4")])     # G1 removed (no site added in Gubadly);
    # A2 is added: A3's nearest partner is A4 (2.2 km) rather than A2 (10 km)
    changes = farm_changes(base, other, SITES)
    assert changes == (
        FarmChange("added", "AZ-AGM", None, "A2", None, 600, None, "2027Q4"),
        FarmChange("removed", "AZ-GUB", "G1", None, 600, None, "2027Q3", None),
        FarmChange("relocated", "AZ-AGM", "A3", "A4", 800, 800, "2027Q1", "2027Q2",
                   round(0.02 * KM_PER_DEGREE, 2)),
        FarmChange("resized", "AZ-AGM", "A1", "A1", 600, 1200, "2027Q1", "2027Q1"),
        FarmChange("moved in time", "AZ-FUZ", "F1", "F1", 600, 600, "2027Q1", "2027Q3"),
        FarmChange("resized and moved in time", "AZ-FUZ", "F2", "F2", 600, 800, "2027Q2",
                   "2027Q1"),
    )
    assert changes[2].distance_km == 2.22


def test_relocations_pair_the_closest_farms_first() -> None:
    # removed A1 (lat 40.00) and A4 (40.12); added A2 (40.01) and A3 (40.10):
    # A1-A2 is 1.1 km, A4-A3 2.2 km; the crossed pairs would be 11.1 and 12.2 km
    base = plan([("A1", 600, "2027Q1"), ("A4", 600, "2027Q1")])
    other = plan([("A3", 600, "2027Q1"), ("A2", 600, "2027Q1")])
    pairs = [(c.site_before, c.site_after, c.distance_km) for c in farm_changes(base, other,
                                                                                 SITES)]
    assert pairs == [("A1", "A2", round(0.01 * KM_PER_DEGREE, 2)),
                     ("A4", "A3", round(0.02 * KM_PER_DEGREE, 2))]


def test_farms_in_other_districts_are_not_paired() -> None:
    changes = farm_changes(plan([("A1", 600, "2027Q1")]), plan([("F1", 600, "2027Q1")]), SITES)
    assert [c.kind for c in changes] == ["added", "removed"]


def test_houses_compared_by_settlement_total_and_first_quarter() -> None:
    base = plan(houses=[("t1", "2027Q1", 10), ("t1", "2027Q2", 5), ("t2", "2027Q3", 10),
                        ("t3", "2027Q2", 4), ("t4", "2027Q1", 0)])
    other = plan(houses=[("t1", "2027Q2", 15),                     # same total, later start
                         ("t2", "2027Q3", 6), ("t2", "2027Q4", 0),  # 4 fewer
                         ("t3", "2027Q2", 4),                      # unchanged
                         ("t4", "2027Q4", 4)])                     # new town: +4
    assert house_changes(base, other, TOWNS) == (
        HouseChange("t2", "AZ-AGM", 10, 6, "2027Q3", "2027Q3"),
        HouseChange("t4", "AZ-FUZ", 0, 4, None, "2027Q4"),
        HouseChange("t1", "AZ-AGM", 15, 15, "2027Q1", "2027Q2"),
    )


def test_key_figures_line_up_with_differences_from_the_baseline() -> None:
    trade = [{"year": 2027, "total_usd": 500.0}]
    base = plan(families_housed=100, spend_usd=2e6, trade=trade, objective=10.0, gap=0.01)
    other = plan(families_housed=80, spend_usd=2.5e6,
                 trade=[*trade, {"year": 2028, "total_usd": 700.0}], objective=7.5, gap=0.0,
                 violations_count=2, violation_penalty=1.5,
                 milestones=[{"name": "m1", "metric": "families_housed", "by": "2027Q4",
                              "at_least": 90, "value": 80, "met": False}])
    rows = {r.key: r for r in kpi_rows([base, other])}
    assert rows["families_housed"].values == (100.0, 80.0)
    assert rows["families_housed"].deltas == (None, -20.0)
    assert rows["spend_usd"].deltas == (None, 5e5)
    assert rows["trade_2027"].deltas == (None, 0.0)
    assert rows["trade_2028"].values == (None, 700.0) and rows["trade_2028"].deltas == (None,
                                                                                        None)
    assert rows["violations_count"].values == (None, 2.0)
    assert rows["milestones_met"].values == (None, 0.0)
    assert rows["milestone_m1"].values == (None, 80.0)
    assert rows["milestone_m1"].label == "Milestone m1: families_housed by 2027Q4 (at least 90)"
    assert rows["objective"].deltas == (None, -2.5)
    assert rows["status"].values == ("optimal", "optimal")
    assert format_delta(rows["families_housed"], 1) == "−20 (−20.0%)"
    assert format_delta(rows["relative_gap"], 1) == "−1.000 pp"
    assert format_delta(rows["status"], 1) == "same"
    # KPIs that no plan has (the milestones of older plans) give no row
    assert "violations_count" not in {r.key for r in kpi_rows([base, base])}
    assert "milestones_met" not in {r.key for r in kpi_rows([base, base])}


def test_families_by_quarter_show_houses_moved_between_quarters() -> None:
    base = plan(families_housed_by_period={"2027Q1": 10, "2027Q2": 15})
    other = plan(families_housed_by_period={"2027Q2": 15, "2027Q1": 0, "2027Q3": 15})
    comparison = compare_plans(["a", "b"], [base, other], PLACES)
    assert comparison.families_by_quarter == (
        ("2027Q1", (10, 0)), ("2027Q2", (15, 15)), ("2027Q3", (None, 15)))
    assert comparison_record(comparison)["families_by_quarter"][0] == {
        "period": "2027Q1", "a": 10, "b": 0}


def test_labels_are_made_unique_in_order() -> None:
    assert unique_labels(["a", "a", "b", "a"]) == ["a", "a-2", "b", "a-3"]
    assert unique_labels(["a-2", "a", "a"]) == ["a-2", "a", "a-3"]


def test_the_page_escapes_names_and_opens_offline() -> None:
    hostile = "<script>alert(1)</script>"
    base = plan([("A1", 600, "2027Q1")], [("t1", "2027Q1", 3)], name=hostile)
    other = plan([("A2", 600, "2027Q1")], [("t2", "2027Q1", 3)], name=hostile)
    labels = unique_labels([base.scenario, other.scenario])
    comparison = compare_plans(labels, [base, other], PLACES)
    html = build_compare_page(comparison, [base, other], PLACES)
    check_offline(html, "test page")
    assert hostile not in html
    assert json.loads(json.dumps(comparison_record(comparison)))["plans"] == labels


# ------------------------------------------------------------------ end to end



@pytest.fixture
def variants(tmp_copy_of_tiny: Path) -> dict[str, Path]:
    """The tiny scenario and two variants next to it (files in a writable copy)."""
    folder = tmp_copy_of_tiny.parent
    sites = json.loads((folder / "layers" / "farm_sites.geojson").read_text(encoding="utf-8"))
    for feature in sites["features"]:
        if feature["properties"]["site_id"] == "AGM-001":
            feature["properties"]["available_from"] = "2027Q3"
    (folder / "late_sites.geojson").write_text(json.dumps(sites), encoding="utf-8")
    (folder / "late.yaml").write_text(
        "extends: scenario.yaml\nname: tiny-late\nlayers:\n  farm_sites: late_sites.geojson\n",
        encoding="utf-8")
    (folder / "small.yaml").write_text(
        "extends: scenario.yaml\nname: tiny-small\nfarms:\n  sizes_heads: [100]\n",
        encoding="utf-8")
    return {"tiny": tmp_copy_of_tiny, "late": folder / "late.yaml", "small": folder / "small.yaml"}


def test_a_site_available_too_late_relocates_its_farm(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "compare", str(variants["tiny"]), str(variants["late"]),
                         "--out", str(out_dir), "--time-limit", "30", "--solver", "highs")
    assert code == 0, err
    data = json.loads((out_dir / "compare.json").read_text(encoding="utf-8"))
    assert data["plans"] == ["tiny", "tiny-late"] and data["baseline"] == "tiny"
    (changes,) = data["changes"]
    # AGM-001 to AGM-002: 0.03 degree north and 0.03 degree west at 40.05 N
    km = 0.03 * KM_PER_DEGREE * math.hypot(1, math.cos(math.radians(40.055)))
    assert changes["farms"] == [{
        "kind": "relocated", "district_id": "AZ-AGM", "site_before": "AGM-001",
        "site_after": "AGM-002", "size_before": 200, "size_after": 100,
        "start_before": "2027Q1", "start_after": "2027Q2", "distance_km": round(km, 2)}]
    # two more houses (68 -> 70 families); which settlements get them is a tie (same quarters,
    # same objective), so only their total and direction are checked
    assert sum(h["houses_after"] - h["houses_before"] for h in changes["houses"]) == 2
    assert all(h["houses_after"] > h["houses_before"] for h in changes["houses"])
    kpis = {row["key"]: row for row in data["kpis"]}
    assert kpis["families_housed"]["values"] == {"tiny": 68, "tiny-late": 70}
    assert kpis["families_housed"]["deltas"] == {"tiny-late": 2}
    assert kpis["farms"]["deltas"] == {"tiny-late": 0}
    assert kpis["solver"]["values"] == {"tiny": "highs", "tiny-late": "highs"}
    assert data["families_by_quarter"][-1] == {"period": "2027Q3", "tiny": 68, "tiny-late": 70}
    # the terminal shows the same
    assert "relocated" in out and "AGM-001 → AGM-002" in out
    assert out.strip().splitlines()[-1] == str((out_dir / "compare.html").resolve())


def test_the_solver_option_reaches_every_scenario(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, "compare", str(variants["tiny"]), str(variants["late"]),
                       "--out", str(out_dir), "--solver", "scip")
    assert code == 0, err
    data = json.loads((out_dir / "compare.json").read_text(encoding="utf-8"))
    kpis = {row["key"]: row for row in data["kpis"]}
    assert kpis["solver"]["values"] == {"tiny": "scip", "tiny-late": "scip"}
    # the relocation is forced, whatever the solver; houses may split differently
    assert [(f["kind"], f["site_before"], f["site_after"]) for f in data["changes"][0]["farms"]
            ] == [("relocated", "AGM-001", "AGM-002")]


def test_the_page_has_one_layer_per_plan_and_opens_offline(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, "compare", str(variants["tiny"]), str(variants["small"]),
                       "--out", str(out_dir))
    assert code == 0, err
    html = (out_dir / "compare.html").read_text(encoding="utf-8")
    assert remote_assets(html) == []
    # the layer control lists both plans; each plan's farms carry its class
    assert "tiny (baseline)" in html and "tiny-small" in html
    assert html.count('"className": "ap-farm ap-plan-0"') == 2   # AGM-001, FUZ-001
    assert html.count('"className": "ap-farm ap-plan-1"') == 3   # AGM-001, AGM-002, FUZ-001
    assert html.count('"className": "ap-town ap-plan-0"') == 3
    # the farm sizes are restricted to 100 head: AGM-001 shrinks from 200
    data = json.loads((out_dir / "compare.json").read_text(encoding="utf-8"))
    farms = {(f["kind"], f["site_before"], f["size_before"], f["size_after"])
             for f in data["changes"][0]["farms"]}
    assert ("resized", "AGM-001", 200, 100) in farms
    assert "resized" in html and "200 → 100" in html


def test_plan_folders_and_scenario_files_mix_and_equal_names_get_labels(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "plan", str(variants["tiny"]), "--out", "runs/tiny", "--no-map")
    assert code == 0, err
    code, out, err = run(capsys, "compare", "runs/tiny", str(variants["tiny"]))
    assert code == 0, err
    assert "plan folder runs/tiny" in err
    assert "tiny-2: the same farms and houses as tiny" in out
    target = tmp_path / "maps" / "compare-tiny-vs-tiny-2"
    assert out.strip().splitlines()[-1] == str((target / "compare.html").resolve())
    data = json.loads((target / "compare.json").read_text(encoding="utf-8"))
    assert data["changes"] == [{"plan": "tiny-2", "farms": [], "houses": [], "summary": {
        "added": 0, "removed": 0, "relocated": 0, "resized": 0, "moved in time": 0,
        "resized and moved in time": 0, "houses_gained": 0, "houses_lost": 0}}]


@pytest.mark.parametrize(("make", "code", "words"), [
    (lambda d: [d / "nowhere.yaml"], CONFIG, "no such scenario file or plan folder"),
    (lambda d: [d], OUTPUT, "not a plan folder (no plan.json)"),
    (lambda d: [], CONFIG, "two or more plans"),
    (lambda d: [d / "broken.yaml"], CONFIG, "broken.yaml"),
])
def test_bad_arguments_name_the_path_and_the_fix(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path,
        make: Any, code: int, words: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "broken.yaml").write_text("extends: [1]\n", encoding="utf-8")
    args = [str(p) for p in make(empty)]
    got, out, err = run(capsys, "compare", str(variants["tiny"]), *args,
                        "--out", str(tmp_path / "out"))
    assert got == code, out + err
    assert words in err
    assert "✓ scenario" not in err  # refused before the baseline was solved
    if args and args[0] != str(empty / "broken.yaml"):
        assert args[0] in err
    assert not (tmp_path / "out").exists()


def test_a_scenario_without_a_plan_is_named(
        capsys: pytest.CaptureFixture[str], variants: dict[str, Path], tmp_path: Path) -> None:
    impossible = variants["tiny"].parent / "impossible.yaml"
    impossible.write_text(
        "extends: scenario.yaml\nname: impossible\ntrade:\n  targets:\n"
        "    - {year: 2027, total_usd: 900000000, enforce: true}\n", encoding="utf-8")
    code, _, err = run(capsys, "compare", str(variants["tiny"]), str(impossible),
                       "--out", str(tmp_path / "out"))
    assert code == INFEASIBLE, err
    assert f"{impossible}: trade.target[2027]" in err


# ------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def compare_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of the tiny plan against farm sizes restricted to 100 head."""
    from agroplan.config import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers import read_layers
    from agroplan.render import render_compare
    from agroplan.solve import solve
    from agroplan.studies import places_from_layers

    tiny = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
    solved = []
    for overrides in ([], ["name=tiny-small", "farms.sizes_heads=[100]"]):
        scenario = load_scenario(tiny, overrides)
        layers = read_layers(scenario)
        solved.append((solve(build_plan_inputs(scenario, layers)), layers))
    plans = [p for p, _ in solved]
    places = places_from_layers(layers for _, layers in solved)
    comparison = compare_plans(["tiny", "tiny-small"], plans, places)
    page, _ = render_compare(comparison, plans, places, tmp_path_factory.mktemp("compare"),
                             solved[0][1].districts)
    return page


@pytest.mark.browser
def test_each_plan_is_a_layer_that_turns_on_and_off_offline(browser: Any,
                                                            compare_page: Path) -> None:
    # the session's one headless chromium (a second sync Playwright would clash with it)
    with open_offline(browser, compare_page) as opened:
        page = opened.page
        page.screenshot(path=str(ARTIFACTS / "compare-tiny.png"), full_page=True)
        assert opened.problems == []
        labels = [t.strip() for t in
                  page.locator(".leaflet-control-layers label").all_inner_texts()]
        assert labels == ["Districts", "tiny (baseline)", "tiny-small"]

        def drawn(plan: int) -> tuple[int, int]:
            return (page.locator(f"path.ap-farm.ap-plan-{plan}").count(),
                    page.locator(f"path.ap-town.ap-plan-{plan}").count())

        assert (drawn(0), drawn(1)) == ((2, 3), (3, 3))
        # the page is a column narrower than 1280 px: the layer control is a button
        fold = page.locator(".leaflet-control-layers .ap-fold")
        assert fold.get_attribute("aria-expanded") == "false"
        fold.click()
        toggle = page.locator(".leaflet-control-layers label", has_text="tiny-small")
        toggle.locator("input").uncheck()
        assert (drawn(0), drawn(1)) == ((2, 3), (0, 0))
        toggle.locator("input").check()
        assert drawn(1) == (3, 3)
        assert page.locator("table").first.inner_text().startswith("Figure")
