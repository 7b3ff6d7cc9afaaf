"""Warm starts: the greedy houses-only plan by hand, and both starts are plans of the model."""

from __future__ import annotations

from pathlib import Path

from ortools.math_opt.python import mathopt

from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.model import AgroModel, build_model
from agroplan.scenario import load_scenario
from agroplan.warmstart import greedy_hint, lp_guided_hint, warm_start


def tiny_model(path: Path) -> AgroModel:
    scenario = load_scenario(path)
    return build_model(build_plan_inputs(scenario, read_layers(scenario)))


def is_plan(m: AgroModel, values: dict[mathopt.Variable, float]) -> bool:
    """True when every variable fixed at its value leaves the model feasible."""
    bounds = {var: (var.lower_bound, var.upper_bound) for var in values}
    for var, value in values.items():
        var.lower_bound = var.upper_bound = value
    try:
        result = mathopt.solve(m.model, mathopt.SolverType.HIGHS)
    finally:
        for var, (lb, ub) in bounds.items():
            var.lower_bound, var.upper_bound = lb, ub
    return bool(result.termination.reason == mathopt.TerminationReason.OPTIMAL)


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


def test_lp_guided_plan_is_a_plan_and_the_model_is_restored(tiny_scenario_path: Path) -> None:
    m = tiny_model(tiny_scenario_path)
    before = [(var.integer, var.lower_bound, var.upper_bound) for var in m.model.variables()]
    greedy = greedy_hint(m)
    guided = lp_guided_hint(m, 30.0, greedy)
    assert guided is not None
    assert [(var.integer, var.lower_bound, var.upper_bound)
            for var in m.model.variables()] == before
    objective = m.objectives["weighted"]
    assert objective.evaluate(guided) >= objective.evaluate(greedy)
    assert is_plan(m, guided)


def test_small_models_get_no_warm_start(tiny_scenario_path: Path) -> None:
    """Below 50,000 variables the solver starts from scratch (plans stay as they were)."""
    assert warm_start(tiny_model(tiny_scenario_path), 60.0) is None
