"""Pricing (agroplan.location.pricing) against LPs and the whole model solved directly.

Each part of the proof has a test that fails without it: the knapsack that prices
left-out sites, the site pricing itself (without it the optimum is missed on the
``p``-median instances below), and the reduced-cost fixing before the last MIP (without
it the optimum is missed on the ``k = 2`` instances).
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from agroplan.location import greedy_solution, solve_facility_location
from agroplan.location.core import _pairs
from agroplan.location.pricing import _knapsack, solve_priced


def instance(seed: int, n: int, m: int, *, fixed: bool, slack: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int | None]:
    """Points and sites in a 100 km square; p = m / 5 or, with ``fixed``, fixed costs."""
    rng = np.random.default_rng(seed)
    points, sites = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    demand = rng.integers(1, 11, n).astype(float)
    p = None if fixed else max(2, m // 5)
    capacity = np.full(m, np.ceil(slack * demand.sum() / (p or max(1, m // 4))))
    fixed_cost = rng.uniform(200, 800, m) if fixed else np.zeros(m)
    cost = demand[:, None] * np.linalg.norm(points[:, None] - sites[None], axis=2)
    return fixed_cost, capacity, demand, cost, p


def whole(f: np.ndarray, cap: np.ndarray, dem: np.ndarray, cost: np.ndarray,
          p: int | None) -> float:
    r = solve_facility_location(f, cap, dem, cost, p=p, single_source=True, relative_gap=0,
                                pricing=False)
    assert r.status == "optimal" and r.objective is not None
    return r.objective


def priced(f: np.ndarray, cap: np.ndarray, dem: np.ndarray, cost: np.ndarray, p: int | None,
           k: int) -> tuple[float, int, int]:
    """(objective, sites in the final working set, MIP solves) of :func:`solve_priced`."""
    rows, cols = _pairs(cost, cap, dem, True, None)
    start = greedy_solution(f, cap, dem, cost, p=p, single_source=True)
    assert start is not None
    r = solve_priced(f, cap, dem, cost, rows, cols, p, start, threads=1, seed=0, gap=0.0,
                     deadline=time.perf_counter() + 60, k=k)
    assert r.status == "optimal" and r.objective is not None
    return r.objective, r.sites, r.mip_solves


def knapsack_by_lp(a: np.ndarray, dem: np.ndarray, capacity: float) -> float:
    """min a.x, dem.x <= capacity, 0 <= x <= 1 over the finite entries of a, by HiGHS."""
    use = np.isfinite(a)
    if not use.any():
        return 0.0
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    k = int(use.sum())
    h.addVars(k, np.zeros(k), np.ones(k))
    h.changeColsCost(k, np.arange(k, dtype=np.int32), a[use])
    h.addRow(-np.inf, capacity, k, np.arange(k, dtype=np.int32), dem[use])
    h.run()
    return float(h.getInfo().objective_function_value)


@pytest.mark.parametrize("seed", range(6))
def test_knapsack_values_match_the_lp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 9, 5
    a = rng.uniform(-10, 5, (n, m))
    a[rng.random((n, m)) < 0.2] = np.inf  # pairs that do not exist
    dem = rng.integers(0, 6, n).astype(float)  # a zero demand is a free item
    cap = rng.uniform(0, 15, m)
    value, w = _knapsack(a, dem, cap)
    for j in range(m):
        assert value[j] == pytest.approx(knapsack_by_lp(a[:, j], dem, cap[j]), abs=1e-9)
        # w_j is the capacity dual that attains the value: C w + sum min(0, a - d w)
        finite = np.isfinite(a[:, j])
        dual = cap[j] * w[j] + np.minimum(0.0, a[finite, j] - dem[finite] * w[j]).sum()
        assert w[j] <= 0
        assert dual == pytest.approx(value[j], abs=1e-9)


def test_knapsack_by_hand() -> None:
    # items (a, d): (-6, 2) ratio -3, (-4, 4) ratio -1, (3, 1) never; capacity 4:
    # all of the first, half of the second: -6 - 2 = -8, filled at ratio -1
    value, w = _knapsack(np.array([[-6.0], [-4.0], [3.0]]), np.array([2.0, 4.0, 1.0]),
                         np.array([4.0]))
    assert value.tolist() == [-8.0]
    assert w.tolist() == [-1.0]


@pytest.mark.parametrize("seed", [0, 3, 6, 9, 10, 14])
def test_site_pricing_finds_the_optimum_p_median(seed: int) -> None:
    # the first working set holds 5 of 12 sites and misses the optimum on these seeds
    args = instance(seed, 40, 12, fixed=False, slack=1.3)
    objective, sites, _ = priced(*args, k=10)
    assert objective == pytest.approx(whole(*args), rel=1e-9)
    assert sites > 5


@pytest.mark.parametrize("seed", [2, 16, 19, 33])
def test_priced_equals_whole_model_with_fixed_costs(seed: int) -> None:
    args = instance(seed, 40, 12, fixed=True, slack=1.3)
    objective, _, mips = priced(*args, k=10)
    assert objective == pytest.approx(whole(*args), rel=1e-9)
    assert mips == 2  # a fractional LP: the support MIP, then the MIP after fixing


@pytest.mark.parametrize("seed", [9, 17, 28, 31])
def test_reduced_cost_fixing_finds_the_optimum(seed: int) -> None:
    # 2 pairs per point at first and tight capacities: the best plan on the working set
    # is not the optimum, which uses pairs the fixing step adds back
    args = instance(seed, 40, 12, fixed=False, slack=1.1)
    objective, _, mips = priced(*args, k=2)
    assert mips == 2
    assert objective == pytest.approx(whole(*args), rel=1e-9)


def test_public_function_prices_by_default() -> None:
    f, cap, dem, cost, p = instance(0, 40, 12, fixed=False, slack=1.3)
    on = solve_facility_location(f, cap, dem, cost, p=p, single_source=True, relative_gap=0)
    off = solve_facility_location(f, cap, dem, cost, p=p, single_source=True, relative_gap=0,
                                  pricing=False)
    assert on.objective == pytest.approx(off.objective, rel=1e-9)
    assert on.variables < off.variables  # solved on fewer pairs
    loads = np.bincount(on.assignment, weights=dem, minlength=12)
    assert (loads <= cap + 1e-9).all()
    assert set(np.unique(on.assignment)) <= set(on.open_sites.tolist())
    assert len(on.open_sites) == p


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 14), m=st.integers(3, 7),
       fixed=st.booleans(), slack=st.floats(1.05, 2.0), k=st.integers(1, 3))
def test_priced_equals_whole_model_on_random_instances(
        seed: int, n: int, m: int, fixed: bool, slack: float, k: int) -> None:
    f, cap, dem, cost, p = instance(seed, n, m, fixed=fixed, slack=slack)
    if p is not None:
        p = min(p, m)
    if greedy_solution(f, cap, dem, cost, p=p, single_source=True) is None:
        event("no greedy start")
        return  # no start: the public function solves the whole model, nothing to compare
    objective, sites, _ = priced(f, cap, dem, cost, p, k)
    event(f"working set ended with {'all' if sites == m else 'some'} sites")
    assert objective == pytest.approx(whole(f, cap, dem, cost, p), rel=1e-9, abs=1e-9)
