"""The location core against optima worked out by hand or by enumerating every plan."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from agroplan.errors import DataError, InfeasibleError, SolverError
from agroplan.location import solve_facility_location


def brute_force(f: np.ndarray, cap: np.ndarray, dem: np.ndarray, cost: np.ndarray,
                p: int | None = None) -> float:
    """Cheapest single-source plan, by trying every assignment of points to sites."""
    n, m = cost.shape
    best = np.inf
    for plan in itertools.product(range(m), repeat=n):
        a = np.array(plan)
        if (np.bincount(a, weights=dem, minlength=m) > cap + 1e-9).any():
            continue
        used = np.unique(a)
        if p is not None and used.size > p:
            continue
        # with p, the cheapest way to fill up to p open sites adds the cheapest unused ones
        extra = 0.0
        if p is not None and used.size < p:
            extra = float(np.sort(np.delete(f, used))[: p - used.size].sum())
        best = min(best, float(cost[np.arange(n), a].sum() + f[used].sum() + extra))
    return best


def test_two_sites_both_needed_by_hand() -> None:
    # demand 6 > capacity 5 of either site: both open (20); points 0,1 to A, 2 to B (1+1+1)
    r = solve_facility_location([10, 10], [5, 5], [2, 2, 2], [[1, 4], [1, 4], [3, 1]],
                                single_source=True, relative_gap=0)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(23.0)
    assert r.open_sites.tolist() == [0, 1]
    assert r.assignment.tolist() == [0, 0, 1]


def test_split_demand_beats_single_source_by_hand() -> None:
    # single source: one point per site, 1 + 2 = 3; split: A takes 4 of 6 units:
    # point 0 fully (1) and a third of point 1 (1/3), B the rest (2/3 x 2) = 8/3
    args = ([0, 0], [4, 4], [3, 3], [[1, 2], [1, 2]])
    single = solve_facility_location(*args, single_source=True, relative_gap=0)
    split = solve_facility_location(*args, single_source=False, relative_gap=0)
    assert single.objective == pytest.approx(3.0)
    assert split.objective == pytest.approx(8 / 3)
    assert split.shares.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert split.shares[:, 0] @ np.array([3, 3]) == pytest.approx(4.0)


def test_fixed_costs_trade_off_by_hand() -> None:
    # A alone 10+0+0+6 = 16, B alone 2+6+6+0 = 14, both 10+2 = 12
    r = solve_facility_location([10, 2], [9, 9], [1, 1, 1], [[0, 6], [0, 6], [6, 0]],
                                relative_gap=0)
    assert r.objective == pytest.approx(12.0)
    assert r.open_sites.tolist() == [0, 1]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [None, 2])
def test_matches_enumeration(seed: int, p: int | None) -> None:
    rng = np.random.default_rng(seed)
    n, m = 6, 3
    points, sites = rng.random((n, 2)), rng.random((m, 2))
    dem = rng.integers(1, 5, n).astype(float)
    cap = np.full(m, np.ceil(dem.sum() / 2))
    f = rng.uniform(0, 2, m) if p is None else np.zeros(m)
    cost = dem[:, None] * np.linalg.norm(points[:, None] - sites[None], axis=2)
    r = solve_facility_location(f, cap, dem, cost, p=p, single_source=True, relative_gap=0)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(brute_force(f, cap, dem, cost, p), abs=1e-6)
    if p is not None:
        assert len(r.open_sites) == p


def test_without_warm_start_same_optimum() -> None:
    rng = np.random.default_rng(7)
    cost = rng.uniform(1, 10, (7, 3))
    args = (np.ones(3), np.full(3, 10.0), np.full(7, 3.0), cost)
    warm = solve_facility_location(*args, single_source=True, relative_gap=0)
    cold = solve_facility_location(*args, single_source=True, relative_gap=0, warm_start=False)
    assert warm.objective == pytest.approx(cold.objective)
    assert warm.objective == pytest.approx(brute_force(*args))


def test_k_nearest_keeps_only_cheapest_pairs() -> None:
    # with k = 1 each point may only use its cheapest site: 0 -> A, 1 -> B
    r = solve_facility_location([0, 0], [9, 9], [1, 1], [[1, 2], [2, 1]], k_nearest=1,
                                relative_gap=0)
    assert r.variables == 2 + 2
    assert r.assignment.tolist() == [0, 1]
    assert r.objective == pytest.approx(2.0)


def test_inf_cost_forbids_a_pair() -> None:
    r = solve_facility_location([0, 0], [9, 9], [1], [[np.inf, 5]], relative_gap=0)
    assert r.assignment.tolist() == [1]
    assert r.objective == pytest.approx(5.0)


def test_capacity_short_of_demand() -> None:
    with pytest.raises(InfeasibleError, match=r"below the total demand \(7\)"):
        solve_facility_location([1, 1], [3, 3], [3, 4], [[1, 1], [1, 1]])


def test_p_largest_sites_short_of_demand() -> None:
    with pytest.raises(InfeasibleError, match="the 1 largest sites"):
        solve_facility_location([0, 0], [3, 5], [3, 4], [[1, 1], [1, 1]], p=1)


def test_single_source_point_larger_than_any_site() -> None:
    with pytest.raises(InfeasibleError, match="demand point 1"):
        solve_facility_location([0, 0], [5, 5], [1, 6], [[1, 1], [1, 1]], single_source=True)


def test_solver_proves_infeasible_when_checks_cannot() -> None:
    # points 0 and 1 may only use site 0, which fits one of them: no pre-check sees it
    r = solve_facility_location([0, 0], [3, 9], [3, 3, 3],
                                [[1, np.inf], [1, np.inf], [1, 1]], single_source=True)
    assert r.status == "infeasible"
    assert r.objective is None
    assert r.assignment.tolist() == [-1, -1, -1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cost": [[1, 1]]}, r"cost must be \(n, m\)"),
        ({"demand": [1, np.nan]}, r"demand\[1\] = nan"),
        ({"capacity": [-1, 5]}, r"capacity\[0\] = -1"),
        ({"cost": [[1, -2], [1, 1]]}, r"cost\[0, 1\] = -2"),
        ({"fixed_cost": [1, 2, 3]}, r"must both be \(m,\)"),
    ],
)
def test_bad_arrays_name_the_entry(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"fixed_cost": [1, 1], "capacity": [5, 5], "demand": [1, 1],
                               "cost": [[1, 2], [2, 1]]}
    args.update(kwargs)
    with pytest.raises(DataError, match=message):
        solve_facility_location(**args)  # type: ignore[arg-type]


def test_bad_settings() -> None:
    with pytest.raises(DataError, match="p = 0"):
        solve_facility_location([1], [5], [1], [[1]], p=0)
    with pytest.raises(SolverError, match="unknown location backend"):
        solve_facility_location([1], [5], [1], [[1]], backend="cbc")  # type: ignore[arg-type]


def test_solves_after_highs_ran_with_other_threads() -> None:
    # HiGHS sizes one thread pool per process at its first solve; a location solve with
    # another thread count used to fail with "HiGHS failed on the location model"
    import highspy

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 2)
    h.addVar(0.0, 1.0)
    h.run()
    r = solve_facility_location([10, 10], [5, 5], [2, 2, 2], [[1, 4], [1, 4], [3, 1]],
                                single_source=True, relative_gap=0, threads=1)
    assert r.objective == pytest.approx(23.0)


def test_time_limit_before_any_bound_gives_the_start_without_a_bound() -> None:
    # 400 x 60 cannot reach its LP bound in 0.05 s: the greedy start comes back, and no
    # bound rather than -inf (and no gap rather than inf)
    rng = np.random.default_rng(0)
    points, sites = rng.uniform(0, 100, (400, 2)), rng.uniform(0, 100, (60, 2))
    dem = rng.integers(1, 11, 400).astype(float)
    cost = dem[:, None] * np.linalg.norm(points[:, None] - sites[None], axis=2)
    cap = np.full(60, np.ceil(1.5 * dem.sum() / 6))
    r = solve_facility_location(np.zeros(60), cap, dem, cost, p=6, single_source=True,
                                time_limit_s=0.05)
    assert r.status == "feasible"
    assert r.objective is not None and len(r.open_sites) == 6
    assert r.bound is None and r.gap is None
