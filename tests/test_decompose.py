"""The LP by place: its bound is the LP relaxation's value and its plan is a plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import is_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.math_opt.python import mathopt

from agroplan.config import load_scenario
from agroplan.generate import ScenarioSize, generate_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.model import AgroModel, build_model
from agroplan.solve.decompose import solve_by_places


def model_of(path: Path) -> AgroModel:
    scenario = load_scenario(path)
    return build_model(build_plan_inputs(scenario, read_layers(scenario)))


def relaxation(m: AgroModel) -> float:
    """The LP relaxation of the whole model, solved by HiGHS in one piece."""
    integer = [var for var in m.model.variables() if var.integer]
    for var in integer:
        var.integer = False
    try:
        result = mathopt.solve(m.model, mathopt.SolverType.HIGHS)
    finally:
        for var in integer:
            var.integer = True
    assert result.termination.reason == mathopt.TerminationReason.OPTIMAL
    return float(result.objective_value())


def optimum(m: AgroModel) -> float:
    result = mathopt.solve(m.model, mathopt.SolverType.HIGHS,
                           params=mathopt.SolveParameters(relative_gap_tolerance=0))
    assert result.termination.reason == mathopt.TerminationReason.OPTIMAL
    return float(result.objective_value())


def objective(m: AgroModel, values: dict[mathopt.Variable, float]) -> float:
    return float(m.model.objective.as_linear_expression().evaluate(values))


def test_one_place_per_round_reaches_the_lp_relaxation(tiny_scenario_path: Path) -> None:
    """Adding one site and one settlement a round, pricing must find every one the LP uses:
    the master's value and the bound both end at the LP relaxation of the whole model."""
    m = model_of(tiny_scenario_path)
    lp = relaxation(m)
    found = solve_by_places(m, 60.0, relative_gap=0.0, per_round=1)
    assert found.converged
    assert found.rounds > 2  # the tiny scenario's LP uses more than one place of each kind
    assert found.lp_value == pytest.approx(lp, rel=1e-6)
    assert found.bound == pytest.approx(lp, rel=1e-6)
    assert found.values is not None and is_plan(m, found.values)
    assert objective(m, found.values) <= found.bound * (1 + 1e-9)


def test_model_is_unchanged(tiny_scenario_path: Path) -> None:
    m = model_of(tiny_scenario_path)
    before = [(var.integer, var.lower_bound, var.upper_bound) for var in m.model.variables()]
    solve_by_places(m, 30.0, per_round=1)
    assert [(var.integer, var.lower_bound, var.upper_bound)
            for var in m.model.variables()] == before


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), settlements=st.integers(4, 14), sites=st.integers(2, 8),
       per_round=st.integers(1, 3))
def test_random_scenarios_bound_their_optimum(tmp_path_factory: pytest.TempPathFactory,
                                              seed: int, settlements: int, sites: int,
                                              per_round: int) -> None:
    """On random generated scenarios: MIP optimum <= bound = LP relaxation, plan <= optimum."""
    size = ScenarioSize(settlements=settlements, sites=sites, origins=2, hubs=2, quarters=6,
                        districts=2)
    m = model_of(generate_scenario(size, seed, tmp_path_factory.mktemp("gen")))
    found = solve_by_places(m, 60.0, relative_gap=0.0, per_round=per_round)
    best = optimum(m)
    assert found.converged and found.bound is not None
    assert found.bound == pytest.approx(relaxation(m), rel=1e-6, abs=1e-6)
    assert best <= found.bound + 1e-6 * max(1.0, abs(best))
    assert found.values is not None and is_plan(m, found.values)
    assert objective(m, found.values) <= best + 1e-6 * max(1.0, abs(best))
