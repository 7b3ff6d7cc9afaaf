"""Warm starts: the greedy houses-only plan by hand, the LP by place, and their bound."""

from __future__ import annotations

from pathlib import Path

from conftest import is_plan
from ortools.math_opt.python import mathopt

from agroplan.config import load_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.model import AgroModel, build_model
from agroplan.solve.pipeline import LevelResult, _with_bound
from agroplan.solve.warmstart import greedy_hint, warm_start


def tiny_model(path: Path) -> AgroModel:
    scenario = load_scenario(path)
    return build_model(build_plan_inputs(scenario, read_layers(scenario)))


def test_greedy_plan_by_hand(tiny_scenario_path: Path) -> None:
    """Budget 1.5 M per quarter, town 0.1 M, house 50 k, timber 1,200 m3 = 40 houses a quarter.

    2027Q1: gn900001 (30 plots, the largest open) gets its town and 28 houses (1.5 M);
    gn900003 gets nothing. 2027Q2: gn900001's last 2 (0.1 M), gn900002 (20 plots, id before
    gn900003) town + 20 (1.1 M), gn900003 town + 4 (0.3 M). 2027Q3: gn900003's last 16.
    """
    m = tiny_model(tiny_scenario_path)
    hint = greedy_hint(m)
    houses = {key: hint[var] for key, var in m.vars.x.items() if hint[var]}
    towns = {key for key, var in m.vars.a.items() if hint[var]}
    assert houses == {("gn900001", 0): 28, ("gn900001", 1): 2, ("gn900002", 1): 20,
                      ("gn900003", 1): 4, ("gn900003", 2): 16}
    assert towns == {("gn900001", 0), ("gn900002", 1), ("gn900003", 1)}
    timber = {t: sum(hint[var] for (_o, _h, t2), var in m.vars.q.items() if t2 == t)
              for t in range(3)}
    assert timber == {0: 28 * 30, 1: 26 * 30, 2: 16 * 30}
    assert not any(hint[var] for var in m.vars.b.values())
    assert is_plan(m, hint)


def test_warm_start_always_gives_a_plan_and_a_bound(tiny_scenario_path: Path) -> None:
    """With ``solver.warm_start: always`` even the tiny model gets the LP by place: its plan
    is a plan at least as good as the greedy one, and its bound is above the optimum."""
    scenario = load_scenario(tiny_scenario_path)
    scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(
        update={"warm_start": "always"})})
    m = build_model(build_plan_inputs(scenario, read_layers(scenario)))
    start = warm_start(m, 60.0)
    assert start is not None and start.bound is not None
    objective = m.objectives["weighted"]
    assert objective.evaluate(start.hint) >= objective.evaluate(greedy_hint(m))
    assert objective.evaluate(start.hint) > objective.evaluate(greedy_hint(m))  # farms too
    assert is_plan(m, start.hint)
    best = mathopt.solve(m.model, mathopt.SolverType.HIGHS,
                         params=mathopt.SolveParameters(relative_gap_tolerance=0))
    assert best.objective_value() <= start.bound * (1 + 1e-9)


def test_a_bound_within_the_gap_proves_the_plan() -> None:
    """The warm start's bound replaces a weaker solver bound; within the gap it is optimal."""
    weak = LevelResult("feasible", 1000.0, 2000.0, None)
    assert _with_bound(weak, 1000.5, True, 0.001) == LevelResult("optimal", 1000.0, 1000.5,
                                                                  None)
    assert _with_bound(weak, 1010.0, True, 0.001) == LevelResult("feasible", 1000.0, 1010.0,
                                                                  None)
    assert _with_bound(weak, 2500.0, True, 0.001) == weak  # the solver's is tighter
    cost = LevelResult("feasible", 1000.0, 900.0, None)  # minimised: the bound is below
    assert _with_bound(cost, 999.5, False, 0.001).status == "optimal"


def test_small_models_get_no_warm_start(tiny_scenario_path: Path) -> None:
    """Below 50,000 variables the solver starts from scratch (plans stay as they were)."""
    assert warm_start(tiny_model(tiny_scenario_path), 60.0) is None
