"""The independent checker: real solved plans pass; each corruption is named exactly.

Corruptions start from a hand-written plan of the tiny fixture with slack everywhere:
a 100-head farm at FUZ-001 (built 2027Q1, operational 2027Q2) receiving 40 heifers from
Minsk through the Horadiz hub in 2027Q2, and 12 houses in Fuzuli (gn900003, developed
2027Q1) whose families supply 6 workers, of whom 5 work at the farm. Each test breaks one
thing and asserts the exact set of constraints named. The plan's own derived figures
(``plan.*``: herd, spend, objective, KPIs) go stale when a decision is altered, so those
names are set aside there and tested on their own on a real solved plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from agroplan.check import Violation, check_plan, recompute_objective
from agroplan.config import load_scenario
from agroplan.config.sections import TradeTarget
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import read_layers
from agroplan.plan import Plan
from agroplan.solve import solve

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
Q1, Q2, Q3 = "2027Q1", "2027Q2", "2027Q3"
FARM = {"site_id": "FUZ-001", "size_heads": 100, "build_start": Q1, "operational_from": Q2}
DELIVERY = {"origin_id": "BY-MI", "hub_id": "HUB-HOR-ROAD", "site_id": "FUZ-001",
            "period": Q2, "heads": 40}
TOWN = {"settlement_id": "gn900003", "developed_in": Q1}
HOUSES = {"settlement_id": "gn900003", "period": Q1, "houses": 12}
TIMBER = {"origin_id": "BY-MI", "hub_id": "HUB-HOR-ROAD", "period": Q1, "m3": 360.0}


def _inputs(*overrides: str) -> PlanInputs:
    scenario = load_scenario(TINY, overrides)
    return build_plan_inputs(scenario, read_layers(scenario))


@pytest.fixture(scope="module")
def tiny_inputs() -> PlanInputs:
    return _inputs()


@pytest.fixture(scope="module")
def solved(tiny_inputs: PlanInputs) -> Plan:
    return solve(tiny_inputs)


def hand_plan(**tables: list[dict[str, object]]) -> Plan:
    """The slack hand-written plan, with any table replaced."""
    workers = [{"site_id": "FUZ-001", "settlement_id": "gn900003", "period": p, "workers": 5.0}
               for p in (Q1, Q2, Q3)]
    base: dict[str, list[dict[str, object]]] = {
        "farms": [FARM], "deliveries": [DELIVERY], "agro_towns": [TOWN], "houses": [HOUSES],
        "timber": [TIMBER], "workforce": workers,
        "herd": [{"site_id": "FUZ-001", "period": p, "heads": 40} for p in (Q2, Q3)],
    }
    base.update(tables)
    return Plan(scenario="tiny", status="feasible", solver="hand", objective=None,
                best_bound=None, relative_gap=None, solve_seconds=0.0, periods=(Q1, Q2, Q3),
                tables={name: pd.DataFrame(rows) for name, rows in base.items()})


def model_names(violations: list[Violation]) -> list[str]:
    """Names of broken constraints, leaving out the plan's stale derived figures."""
    return sorted(v.constraint for v in violations if not v.constraint.startswith("plan."))


def test_the_hand_plan_breaks_no_constraint(tiny_inputs: PlanInputs) -> None:
    assert model_names(check_plan(tiny_inputs, hand_plan())) == []


def test_the_hand_plan_objective_worked_out_by_hand(tiny_inputs: PlanInputs) -> None:
    # 12 houses standing 3 quarters x 2000 + 80 head-quarters x 6000/4/1000 t x 500
    # - 0.01 x (100,000 farm + 600,000 houses + 100,000 town + 80,000 heifers + transport)
    long_haul = 0.01 * 40 * float(tiny_inputs.long_haul_km.at["BY-MI", "HUB-HOR-ROAD"])
    pair = tiny_inputs.hub_site.set_index(["hub_id", "site_id"])
    truck = 0.10 * 40 * float(pair.at[("HUB-HOR-ROAD", "FUZ-001"), "distance_km"])
    expected = 36 * 2000 + 120 * 500 - 0.01 * (880_000 + long_haul + truck)
    assert recompute_objective(tiny_inputs, hand_plan()) == pytest.approx(expected, rel=1e-12)


Corruption = Callable[[PlanInputs], tuple[PlanInputs, Plan]]


def _plan(**tables: list[dict[str, object]]) -> Corruption:
    return lambda inputs: (inputs, hand_plan(**tables))


def _scaled(field: str, factor: float) -> Corruption:
    return lambda inputs: (replace(inputs, **{field: getattr(inputs, field) * factor}),
                           hand_plan())


def _budget(*per_quarter: float, carry_over: bool) -> Corruption:
    def corrupt(inputs: PlanInputs) -> tuple[PlanInputs, Plan]:
        scenario = inputs.scenario.model_copy(update={
            "budget": inputs.scenario.budget.model_copy(update={"carry_over": carry_over})})
        budget = pd.Series(per_quarter, index=list(inputs.periods), dtype=float)
        return replace(inputs, scenario=scenario, budget_usd=budget), hand_plan()
    return corrupt


def _trade_target(total_usd: float) -> Corruption:
    def corrupt(inputs: PlanInputs) -> tuple[PlanInputs, Plan]:
        target = TradeTarget(year=2027, total_usd=total_usd, enforce=True)
        scenario = inputs.scenario.model_copy(update={
            "trade": inputs.scenario.trade.model_copy(update={"targets": (target,)})})
        return replace(inputs, scenario=scenario), hand_plan()
    return corrupt


def _delivery(**changes: object) -> dict[str, object]:
    return {**DELIVERY, **changes}


def _workers(settlement: str, period: str, workers: float) -> dict[str, object]:
    return {"site_id": "FUZ-001", "settlement_id": settlement, "period": period,
            "workers": workers}


STEADY_WORKERS = [_workers("gn900003", p, 5.0) for p in (Q1, Q3)]

CORRUPTIONS: dict[str, tuple[Corruption, list[str]]] = {
    "a second farm on a site": (
        _plan(farms=[FARM, FARM]), ["farms.one_per_site[FUZ-001]"]),
    "a farm larger than the terrain allows": (
        _plan(farms=[FARM, {**FARM, "site_id": "AGM-002", "size_heads": 200,
                            "build_start": Q2, "operational_from": Q3}]),
        ["farms.max_size_heads[AGM-002]"]),
    "a size not in farms.sizes_heads": (
        _plan(farms=[FARM, {**FARM, "site_id": "AGM-002", "size_heads": 50,
                            "build_start": Q2, "operational_from": Q3}]),
        ["farms.sizes_heads[AGM-002]"]),
    "construction before the land is released": (
        _plan(farms=[FARM, {**FARM, "site_id": "AGM-002"}]), ["farms.land_released[AGM-002]"]),
    "a farm operational after the horizon": (
        _plan(farms=[FARM, {**FARM, "site_id": "AGM-001", "build_start": Q3,
                            "operational_from": "2027Q4"}]),
        ["farms.within_horizon[AGM-001]"]),
    "operational_from not build_start + build_quarters": (
        _plan(farms=[{**FARM, "operational_from": Q3}]), ["farms.build_quarters[FUZ-001]"]),
    "heifers before the farm is operational": (
        _plan(deliveries=[DELIVERY, _delivery(period=Q1, heads=10)]),
        ["cattle.herd_within_size[FUZ-001,2027Q1]"]),
    "heifers through a hub that does not serve the site": (
        _plan(deliveries=[DELIVERY, _delivery(hub_id="HUB-AGM-RAIL", heads=10)]),
        ["cattle.hubs_per_site[HUB-AGM-RAIL,FUZ-001]"]),
    "more heifers than the origin supplies": (
        _scaled("heifer_supply", 0.2), ["supply.heifers[BY-MI,2027Q2]"]),
    "more heifers than the hub handles": (
        _scaled("hub_capacity_heads", 0.3), ["hubs.capacity_heads[HUB-HOR-ROAD,2027Q2]"]),
    "a settlement developed twice": (
        _plan(agro_towns=[TOWN, {**TOWN, "developed_in": Q2}]), ["agro_towns.once[gn900003]"]),
    "houses before the agro-town": (
        _plan(agro_towns=[{**TOWN, "developed_in": Q2}]),
        ["agro_towns.before_houses[gn900003,2027Q1]"]),
    "an agro-town and houses before the land is released": (
        _plan(agro_towns=[TOWN, {"settlement_id": "gn900002", "developed_in": Q1}],
              houses=[HOUSES, {"settlement_id": "gn900002", "period": Q1, "houses": 2}],
              timber=[{**TIMBER, "m3": 420.0}]),
        ["agro_towns.land_released[gn900002]", "houses.land_released[gn900002,2027Q1]"]),
    "more houses than returning families": (
        _plan(houses=[{**HOUSES, "houses": 25}],
              timber=[TIMBER, {**TIMBER, "hub_id": "HUB-AGM-RAIL", "m3": 390.0}]),
        ["houses.returning_families[gn900003]"]),
    "more houses than plots": (
        _plan(agro_towns=[TOWN, {"settlement_id": "gn900002", "developed_in": Q2}],
              houses=[HOUSES, {"settlement_id": "gn900002", "period": Q2, "houses": 22}],
              timber=[TIMBER, {**TIMBER, "hub_id": "HUB-AGM-RAIL", "period": Q2,
                               "m3": 660.0}]),
        ["houses.max_houses[gn900002]"]),
    "more timber than the origin supplies": (
        _plan(timber=[{**TIMBER, "origin_id": "BY-HO"}]), ["supply.timber[BY-HO,2027Q1]"]),
    "more timber than the hub handles": (
        _scaled("hub_capacity_timber_m3", 0.5), ["hubs.capacity_timber[HUB-HOR-ROAD,2027Q1]"]),
    "timber that does not match the houses": (
        _plan(timber=[{**TIMBER, "m3": 300.0}]), ["houses.timber[2027Q1]"]),
    "too few workers at the farm": (
        _plan(workforce=[*STEADY_WORKERS, _workers("gn900003", Q2, 1.0)]),
        ["workforce.demand[FUZ-001,2027Q2]"]),
    "more workers than the houses supply": (
        _plan(workforce=[*STEADY_WORKERS, _workers("gn900003", Q2, 7.0)]),
        ["workforce.supply[gn900003,2027Q2]"]),
    "workers living beyond commuting reach": (
        _plan(workforce=[*STEADY_WORKERS, _workers("gn900003", Q2, 5.0),
                         _workers("gn900001", Q2, 1.0)]),
        ["distances.commuting_radius_km[FUZ-001,gn900001]", "workforce.supply[gn900001,2027Q2]"]),
    "a herd larger than the cleared land feeds": (
        _plan(deliveries=[DELIVERY, _delivery(period=Q3, heads=40)]),
        ["land.fodder[AZ-FUZ,2027Q3]"]),
    "spend over the cumulative budget": (
        _budget(500_000, 500_000, 500_000, carry_over=True), ["budget.per_quarter[2027Q1]"]),
    "spend over a quarter's budget without carry-over": (
        _budget(900_000, 50_000, 50_000, carry_over=False), ["budget.per_quarter[2027Q2]"]),
    "an enforced trade target missed": (
        _trade_target(424_400_000 + 400_000), ["trade.target[2027]"]),
    "a fractional heifer": (
        _plan(deliveries=[_delivery(heads=40.5)]),
        ["integrality.deliveries[BY-MI,HUB-HOR-ROAD,FUZ-001,2027Q2]"]),
    "a negative number of houses": (
        _plan(houses=[HOUSES, {"settlement_id": "gn900003", "period": Q2, "houses": -1}]),
        ["nonnegative.houses[gn900003,2027Q2]"]),
    "a site the inputs do not have": (
        _plan(deliveries=[DELIVERY, _delivery(site_id="XYZ-999")]),
        ["unknown_id.deliveries[BY-MI,HUB-HOR-ROAD,XYZ-999,2027Q2]"]),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_each_corruption_is_named_exactly(tiny_inputs: PlanInputs, case: str) -> None:
    corrupt, expected = CORRUPTIONS[case]
    inputs, plan = corrupt(tiny_inputs)
    assert model_names(check_plan(inputs, plan)) == sorted(expected)


def test_carry_over_lets_a_quarter_overspend(tiny_inputs: PlanInputs) -> None:
    inputs, plan = _budget(900_000, 50_000, 50_000, carry_over=True)(tiny_inputs)
    assert model_names(check_plan(inputs, plan)) == []


def test_a_violation_says_both_sides_and_by_how_much(tiny_inputs: PlanInputs) -> None:
    inputs, plan = _budget(500_000, 500_000, 500_000, carry_over=True)(tiny_inputs)
    (violation,) = [v for v in check_plan(inputs, plan) if v.constraint.startswith("budget")]
    assert violation.amount == pytest.approx(300_000)
    assert "800,000 USD exceeds 500,000 USD" in violation.message


# ------------------------------------------------------------------ real solved plans


@pytest.mark.parametrize("overrides", [
    (),
    ("objective.kind=lexicographic",),
    ("budget.carry_over=false",),
    ("farms.build_quarters=0", "objective.kind=lexicographic",
     "objective.priorities=[milk,families,cost]"),
    ("solver.backend=scip",),
    ("trade.targets=[{year: 2027, total_usd: 426280000, enforce: true}]",),
], ids=["weighted", "lexicographic", "no-carry-over", "build-0-milk-first", "scip", "trade"])
def test_a_solved_plan_passes_the_check(overrides: tuple[str, ...]) -> None:
    inputs = _inputs(*overrides)
    plan = solve(inputs)
    assert plan.status == "optimal"
    assert check_plan(inputs, plan) == []
    assert plan.objective == pytest.approx(recompute_objective(inputs, plan), rel=1e-6)


def _with_table(plan: Plan, name: str, change: Callable[[pd.DataFrame], None]) -> Plan:
    table = plan.table(name).copy()
    change(table)
    return replace(plan, tables={**plan.tables, name: table})


def _bump_first(column: str, by: float) -> Callable[[pd.DataFrame], None]:
    def change(table: pd.DataFrame) -> None:
        table.loc[table.index[0], column] = table.loc[table.index[0], column] + by
    return change


def test_a_wrong_herd_figure_is_named(tiny_inputs: PlanInputs, solved: Plan) -> None:
    plan = _with_table(solved, "herd", _bump_first("heads", 1))
    first = solved.herd.iloc[0]
    assert [v.constraint for v in check_plan(tiny_inputs, plan)] == [
        f"plan.herd[{first['site_id']},{first['period']}]"]


def test_a_wrong_spend_figure_is_named(tiny_inputs: PlanInputs, solved: Plan) -> None:
    plan = _with_table(solved, "spend", _bump_first("usd", 1000.0))
    first = solved.spend.iloc[0]
    assert [v.constraint for v in check_plan(tiny_inputs, plan)] == [
        f"plan.spend[{first['period']},{first['category']}]"]


def test_a_wrong_objective_is_named(tiny_inputs: PlanInputs, solved: Plan) -> None:
    assert solved.objective is not None
    plan = replace(solved, objective=solved.objective + 10.0)
    assert [v.constraint for v in check_plan(tiny_inputs, plan)] == ["plan.objective"]


def test_a_wrong_kpi_is_named(tiny_inputs: PlanInputs, solved: Plan) -> None:
    kpis = {**solved.kpis, "families_housed": solved.kpis["families_housed"] + 1,
            "herd_by_period": {**solved.kpis["herd_by_period"], Q3: 0}}
    plan = replace(solved, kpis=kpis)
    assert [v.constraint for v in check_plan(tiny_inputs, plan)] == [
        "plan.kpis.families_housed", "plan.kpis.herd_by_period[2027Q3]"]


def test_a_plan_without_solution_is_reported(tiny_inputs: PlanInputs) -> None:
    plan = replace(hand_plan(), status="infeasible", tables={})
    assert [v.constraint for v in check_plan(tiny_inputs, plan)] == ["plan.status"]
