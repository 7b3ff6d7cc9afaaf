"""Re-planning on the tiny fixture: the past fixed to the actuals, the rest re-optimised.

The tiny plan (objective 536,190.54, relative gap 0): farms AGM-001 (200 head) and FUZ-001
(100 head) start in 2027Q1; heifers 130 + 70 arrive in 2027Q2 and 20 + 5 in 2027Q3, when the
herds reach the fodder land of their districts (0.5 x cleared: AZ-AGM 140 ha in Q2, 150 in
Q3; AZ-FUZ 70, 75; 1 ha a head); 68 houses; the 4.5 M USD budget is spent in full.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_actuals import write_actuals
from test_cli_plan import run

from agroplan.check import check_plan
from agroplan.config import load_scenario
from agroplan.errors import InfeasibleError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import read_layers
from agroplan.periods import quarter_index
from agroplan.plan import Plan
from agroplan.roadmap import (
    ACTUALS_COLUMNS,
    Actuals,
    Replan,
    check_past,
    check_replan,
    plan_changes,
    replan,
)
from agroplan.solve import solve

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
MILESTONES = ("milestones=[{name: herd-q2, metric: herd_heads, by: 2027Q2, at_least: 200}, "
              "{name: herd-q3, metric: herd_heads, by: 2027Q3, at_least: 225}]")

SHORT_SUPPLY = {  # 2027Q2: 80 heifers reach AGM-001 instead of the 130 planned
    "farms": "site_id,size_heads,build_start\nAGM-001,200,2027Q1\nFUZ-001,100,2027Q1\n",
    "agro_towns": "settlement_id,developed_in\ngn900001,2027Q1\ngn900003,2027Q2\n",
    "houses": "settlement_id,period,houses\ngn900001,2027Q1,22\ngn900001,2027Q2,1\n"
              "gn900003,2027Q2,18\n",
    "deliveries": "origin_id,hub_id,site_id,period,heads\n"
                  "BY-MI,HUB-AGM-RAIL,AGM-001,2027Q2,80\nBY-MI,HUB-HOR-ROAD,FUZ-001,2027Q2,70\n",
}


@pytest.fixture(scope="module")
def original() -> tuple[PlanInputs, Plan]:
    """The tiny scenario's plan, with two milestones reported."""
    config = load_scenario(TINY, [MILESTONES])
    inputs = build_plan_inputs(config, read_layers(config))
    return inputs, solve(inputs)


def actuals_of(plan: Plan, as_of: str) -> dict[str, str]:
    """The plan's decisions up to ``as_of`` as actuals CSV texts."""
    start = plan.periods[0]
    quarter = {"farms": "build_start", "agro_towns": "developed_in", "houses": "period",
               "deliveries": "period"}
    texts = {}
    for name, column in quarter.items():
        table = plan.table(name)
        past = table[[quarter_index(str(p), start) <= quarter_index(as_of, start)
                      for p in table[column]]]
        texts[name] = past[list(ACTUALS_COLUMNS[name])].to_csv(index=False)
    return texts


def replan_tiny(tmp_path: Path, tables: dict[str, str], as_of: str,
                overrides: tuple[str, ...] = (MILESTONES,)) -> Replan:
    folder = write_actuals(tmp_path / "actuals", tables)
    return replan(TINY, folder, as_of, overrides=overrides)


def test_the_original_plan_is_as_described(original: tuple[PlanInputs, Plan]) -> None:
    _inputs, plan = original
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(536_190.54, abs=0.01)
    assert plan.kpis["herd_by_period"] == {"2027Q1": 0, "2027Q2": 200, "2027Q3": 225}


@pytest.mark.parametrize("as_of", ["2027Q1", "2027Q2"])
def test_actuals_equal_to_the_plan_give_the_same_plan(
        tmp_path: Path, original: tuple[PlanInputs, Plan], as_of: str) -> None:
    _inputs, plan = original
    result = replan_tiny(tmp_path, actuals_of(plan, as_of), as_of)
    again = result.plan
    assert again.status == "optimal"
    # the scenario's relative gap is 0: the same objective up to rounding
    assert again.objective == pytest.approx(plan.objective, rel=1e-9)
    for key in ("families_housed", "herd_by_period", "milestones"):
        assert again.kpis[key] == plan.kpis[key]
    assert again.kpis["spend_usd"] == pytest.approx(plan.kpis["spend_usd"])
    assert check_replan(result.inputs, again, result.actuals) == []
    assert again.meta["replan"] == {"as_of": as_of, "actuals": str(tmp_path / "actuals"),
                                    "previous": None}


def test_a_supply_shortfall_is_made_up_later_and_the_missed_milestone_named(
        tmp_path: Path, original: tuple[PlanInputs, Plan]) -> None:
    _inputs, before = original
    result = replan_tiny(tmp_path, SHORT_SUPPLY, "2027Q2")
    plan = result.plan
    deliveries = plan.deliveries.groupby(["site_id", "period"])["heads"].sum().to_dict()
    # 2027Q3: AGM-001 takes the 70 its 150 ha allow (20 planned), FUZ-001 the 5 to 75 ha
    assert deliveries == {("AGM-001", "2027Q2"): 80, ("AGM-001", "2027Q3"): 70,
                          ("FUZ-001", "2027Q2"): 70, ("FUZ-001", "2027Q3"): 5}
    assert plan.kpis["herd_by_period"] == {"2027Q1": 0, "2027Q2": 150, "2027Q3": 225}
    assert before.deliveries.query("period == '2027Q3'")["heads"].sum() == 25
    milestones = {m["name"]: m for m in plan.kpis["milestones"]}
    assert milestones["herd-q2"]["met"] is False
    assert milestones["herd-q2"]["value"] == 150 and milestones["herd-q2"]["margin"] == -50
    assert milestones["herd-q3"]["met"] is True and milestones["herd-q3"]["margin"] == 0
    assert all(m["met"] for m in before.kpis["milestones"])
    assert check_replan(result.inputs, plan, result.actuals) == []
    changes = {what: (old, new) for what, old, new in plan_changes(before, plan)}
    assert changes["heifers delivered"] == ("225", "225")
    assert changes["quarters with other heifers delivered"] == ("", "2")


def test_an_enforced_milestone_the_past_missed_is_named_with_its_shortfall(
        tmp_path: Path) -> None:
    enforced = MILESTONES.replace("at_least: 200}", "at_least: 200, enforce: true}")
    with pytest.raises(InfeasibleError) as caught:
        replan_tiny(tmp_path, SHORT_SUPPLY, "2027Q2", (enforced,))
    assert ("milestone[herd-q2]: herd_heads by 2027Q2 was 150, below the enforced 200, and "
            "2027Q2 is past") in str(caught.value)


def test_an_enforced_milestone_still_ahead_is_met_by_the_replan(tmp_path: Path) -> None:
    enforced = MILESTONES.replace("at_least: 225}", "at_least: 225, enforce: true}")
    plan = replan_tiny(tmp_path, SHORT_SUPPLY, "2027Q2", (enforced,)).plan
    herd_q3 = next(m for m in plan.kpis["milestones"] if m["name"] == "herd-q3")
    assert herd_q3["met"] is True and herd_q3["value"] == 225


def test_money_saved_in_the_past_builds_more_later(
        tmp_path: Path, original: tuple[PlanInputs, Plan]) -> None:
    _inputs, before = original
    tables = {**actuals_of(before, "2027Q1"),
              # the 22 houses of 2027Q1 cost 1.0 M USD, not the modelled 1.1 M
              "spend": "period,category,usd\n2027Q1,houses,1000000\n"}
    result = replan_tiny(tmp_path, tables, "2027Q1")
    plan = result.plan
    assert before.kpis["families_housed"] == 68
    assert plan.kpis["families_housed"] == 70  # 100,000 USD more = two 50,000 USD houses
    assert check_replan(result.inputs, plan, result.actuals) == []
    # counted at its modelled cost, the past would overspend the budget
    modelled = {v.constraint: v.amount for v in check_plan(result.inputs, plan)}
    assert all(name.startswith("budget.per_quarter[") for name in modelled)
    assert 0 < modelled["budget.per_quarter[2027Q3]"] <= 100_000


def test_land_released_earlier_lets_a_farm_start_earlier(tmp_path: Path) -> None:
    tables = {"farms": "site_id,size_heads,build_start\nAGM-002,100,2027Q1\n",
              "land": "site_id,released_in\nAGM-002,2027Q1\n"}
    result = replan_tiny(tmp_path, tables, "2027Q1")
    assert result.plan.farms.query("site_id == 'AGM-002'")["build_start"].tolist() == ["2027Q1"]
    assert check_replan(result.inputs, result.plan, result.actuals) == []


def test_check_past_names_each_past_decision_that_differs(
        original: tuple[PlanInputs, Plan]) -> None:
    _inputs, plan = original
    tables = {name: pd.read_csv(pd.io.common.StringIO(text))
              for name, text in actuals_of(plan, "2027Q2").items()}
    assert check_past(plan, Actuals("2027Q2", tables=tables)) == []
    tables["houses"].loc[0, "houses"] = 21
    tables["farms"] = tables["farms"].iloc[:1]
    found = {v.constraint: v.message for v in check_past(plan, Actuals("2027Q2", tables=tables))}
    assert found == {
        "past.farms[FUZ-001]": "the plan has 100 head started 2027Q1, the actuals none",
        "past.houses[gn900001,2027Q1]": "the plan has 22 houses, the actuals 21 houses",
    }


def test_replan_command_writes_checks_and_draws_then_check_verifies_the_past(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "plan", str(TINY), "--no-map")
    assert code == 0, err
    folder = write_actuals(tmp_path / "actuals", SHORT_SUPPLY)
    code, out, err = run(capsys, "replan", str(TINY), "--actuals", str(folder), "--as-of",
                         "2027Q2", "--previous", "runs/tiny")
    assert code == 0, err
    target = tmp_path / "runs" / "tiny-replan-2027Q2"
    meta = json.loads((target / "plan.json").read_text())["meta"]
    assert meta["replan"] == {"as_of": "2027Q2", "actuals": str(folder),
                              "previous": "runs/tiny"}
    assert sorted(p.name for p in (target / "actuals").iterdir()) == [
        "agro_towns.csv", "deliveries.csv", "farms.csv", "houses.csv"]
    assert "changes against runs/tiny" in out and "check: the past equals the actuals" in out
    assert Path(out.strip().splitlines()[-1]) == (tmp_path / "maps" /
                                                  "tiny-replan-2027Q2.html").resolve()
    code, out, err = run(capsys, "check", str(target))
    assert code == 0, err
    assert "past: every decision to 2027Q2 equals the actuals" in out
    houses = target / "actuals" / "houses.csv"
    houses.write_text(houses.read_text().replace("gn900003,2027Q2,18", "gn900003,2027Q2,17"))
    code, out, err = run(capsys, "check", str(target))
    assert code == 7
    assert "past.houses[gn900003,2027Q2]" in out


def test_a_rule_due_later_that_the_past_puts_out_of_reach_is_infeasible(tmp_path: Path) -> None:
    # 41 families by 2027Q2 needs houses in 2027Q1: timber carries 40 houses a quarter
    # (1,200 m3 / 30 m3); the original plan builds 22 + 19
    enforced = "milestones=[{name: f41, metric: families_housed, by: 2027Q2, at_least: 41, " \
               "enforce: true}]"
    farms = {"farms": SHORT_SUPPLY["farms"]}
    with pytest.raises(InfeasibleError) as caught:
        replan_tiny(tmp_path, farms, "2027Q1", (enforced,))
    assert "with the past fixed to the actuals to 2027Q1" in str(caught.value)
    assert "a rule due later is out of reach" in str(caught.value)
    assert replan_tiny(tmp_path, {**farms, **actuals_of_houses()}, "2027Q1",
                       (enforced,)).plan.kpis["milestones"][0]["met"] is True


def actuals_of_houses() -> dict[str, str]:
    """One house in gn900001 in 2027Q1: 41 families by 2027Q2 are in reach again."""
    return {"agro_towns": "settlement_id,developed_in\ngn900001,2027Q1\n",
            "houses": "settlement_id,period,houses\ngn900001,2027Q1,1\n"}
