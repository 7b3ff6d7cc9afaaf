"""Capacitated facility location from plain arrays: the farm-siting building block, on its own.

:func:`solve_facility_location` solves, for demand points ``i`` and candidate sites ``j``::

    minimise    sum_j f_j y_j + sum_ij c_ij x_ij
    subject to  sum_j x_ij = 1                      for every i   (assign)
                sum_i d_i x_ij <= C_j y_j           for every j   (capacity)
                x_ij <= y_j                         for every kept pair (link)
                sum_j C_j y_j >= sum_i d_i                        (cover)
                sum_j y_j = p                       if p is given (count)
                y_j in {0, 1};  0 <= x_ij <= 1, integral if single_source

where ``c_ij`` is the cost of serving *all* of ``i``'s demand from ``j`` (for example
``d_i x distance_ij``). The disaggregated links ``x_ij <= y_j`` are implied by the capacity
rows but make the LP relaxation much tighter; the cover row is a valid cut. With
``fixed_cost = 0`` and ``p`` given this is the capacitated p-median problem of spopt's
``PMedian.from_cost_matrix(..., facility_capacities=...)``.

The model is passed to HiGHS (``highspy``) as sparse arrays in one call, never term by
term, so building a 3,000 x 300 model takes about a second. Single-source problems are by
default solved on a few sites and pairs, with a proof that the others cannot improve the
answer (:mod:`agroplan.location.pricing`): the same optimum, about 3x sooner at 200 x 30
and 13x sooner at 1,000 x 100 than the whole model at once. A greedy solution is
given to the solver as a starting point, and the time limit is enforced here too: the
solve is cancelled shortly after the limit if the backend overruns it, and the best
solution found is returned with its gap.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from agroplan.errors import DataError, InfeasibleError, SolverError
from agroplan.highs import FloatArray, IntArray, Status, as_highs_solution, new_highs, read_mip, run
from agroplan.location.lp import pass_model
from agroplan.location.pricing import solve_priced


@dataclass(frozen=True)
class LocationResult:
    """The answer of :func:`solve_facility_location`.

    Attributes
    ----------
    status
        ``optimal`` (proven within ``relative_gap``), ``feasible`` (stopped by the time
        limit with a solution), ``infeasible`` (proven) or ``no_solution``.
    open_sites
        Indices of the opened sites, ascending (empty without a solution).
    assignment
        For each demand point, the site serving the largest share of it (-1 without a
        solution).
    shares
        Shape (n, m): share of each demand point's demand served by each site (0..1).
    objective
        Fixed plus assignment cost of the solution (``None`` without one).
    bound
        Best proven lower bound on the optimum (``None`` if the solve stopped before any).
    gap
        ``(objective - bound) / max(|objective|, 1e-9)``; at most ``relative_gap`` when
        the status is ``optimal``.
    seconds
        Wall seconds of the solve (excluding the model build).
    build_seconds
        Wall seconds spent building the arrays and passing them to the solver.
    variables, constraints
        Size of the model given to the solver (after pruning).
    """

    status: Status
    open_sites: npt.NDArray[np.int64]
    assignment: npt.NDArray[np.int64]
    shares: FloatArray
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    variables: int
    constraints: int


def solve_facility_location(
    fixed_cost: npt.ArrayLike,
    capacity: npt.ArrayLike,
    demand: npt.ArrayLike,
    cost: npt.ArrayLike,
    *,
    p: int | None = None,
    single_source: bool = False,
    k_nearest: int | None = None,
    warm_start: bool = True,
    pricing: bool = True,
    time_limit_s: float = 60.0,
    relative_gap: float = 1e-4,
    threads: int = 1,
    seed: int = 0,
    backend: Literal["highs"] = "highs",
) -> LocationResult:
    """Open sites and assign demand to them at least cost (see the module docstring).

    Parameters
    ----------
    fixed_cost
        Shape (m,): cost of opening each site (>= 0).
    capacity
        Shape (m,): demand each site can serve when open (>= 0).
    demand
        Shape (n,): demand of each point (>= 0).
    cost
        Shape (n, m): cost of serving all of point i from site j; ``inf`` forbids the pair.
    p
        Open exactly this many sites (capacitated p-median); ``None``: any number.
    single_source
        Serve each point from one site only (binary assignment).
    k_nearest
        Keep only each point's ``k_nearest`` cheapest sites. Faster, but the optimum is
        then that of the pruned problem, which may be worse or infeasible.
    warm_start
        Give the solver a greedy solution to start from.
    pricing
        Single source only (and with a greedy start): solve on a few sites and pairs and
        prove the rest cannot help (:mod:`agroplan.location.pricing`). The optimum is the
        same; ``False`` solves the whole model at once.
    time_limit_s, relative_gap, threads, seed
        Solver settings; the limit is enforced even if the backend overruns it.
    backend
        Only ``"highs"`` (HiGHS through highspy's array interface).

    Returns
    -------
    LocationResult

    Raises
    ------
    DataError
        Arrays of the wrong shape, with NaN, or negative values.
    InfeasibleError
        When a check before the solve proves that no assignment exists (capacity short
        of demand, fewer than ``p`` sites, a point no site can serve).
    SolverError
        Unknown backend, or the backend failed.
    """
    if backend != "highs":
        raise SolverError(f"unknown location backend {backend!r}; use 'highs'")
    f, cap, dem, c = _checked(fixed_cost, capacity, demand, cost, p, k_nearest)
    started = time.perf_counter()
    deadline = started + time_limit_s
    rows, cols = _pairs(c, cap, dem, single_source, k_nearest)
    _precheck(cap, dem, rows, p)
    allowed = np.zeros(c.shape, dtype=bool)
    allowed[rows, cols] = True
    clock = _Clock(started)
    start = None
    if warm_start:
        start = greedy_solution(f, cap, dem, np.where(allowed, c, np.inf), p=p,
                                single_source=single_source)
    if pricing and single_source and start is not None:
        with clock.solving():
            priced = solve_priced(f, cap, dem, c, rows, cols, p, start, threads=threads,
                                  seed=seed, gap=relative_gap, deadline=deadline)
        return _answer(priced.status, priced.values, rows[priced.keep],
                       cols[priced.keep], c.shape, priced.objective, priced.bound, clock,
                       priced.variables, priced.constraints)
    h = new_highs(threads, seed, relative_gap, deadline - time.perf_counter())
    n_var, n_con = pass_model(h, f, cap, dem, c, rows, cols, p, single_source)
    if start is not None:
        h.setSolution(as_highs_solution(np.concatenate((start[0], start[1][rows, cols])), n_var))
        # with a start in hand, HiGHS's own first-solution search (feasibility jump) only
        # costs time: 0.04 of 0.28 s at 200 x 30
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    with clock.solving():
        run(h, deadline - time.perf_counter())
    status, values, objective, bound = read_mip(h)
    return _answer(status, values, rows, cols, c.shape, objective, bound, clock, n_var, n_con)


class _Clock:
    """Wall time since ``started``, split into solver time and the rest (building)."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.solver_s = 0.0

    @contextmanager
    def solving(self) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.solver_s += time.perf_counter() - t

    def split(self) -> tuple[float, float]:
        """(solver seconds, other seconds)."""
        return self.solver_s, time.perf_counter() - self.started - self.solver_s


def _checked(
    fixed_cost: npt.ArrayLike, capacity: npt.ArrayLike, demand: npt.ArrayLike,
    cost: npt.ArrayLike, p: int | None, k_nearest: int | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    f = np.asarray(fixed_cost, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.float64)
    dem = np.asarray(demand, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    problems: list[str] = []
    if f.ndim != 1 or cap.shape != f.shape:
        problems.append(f"fixed_cost {f.shape} and capacity {cap.shape} must both be (m,)")
    if dem.ndim != 1:
        problems.append(f"demand must be (n,), got {dem.shape}")
    if c.shape != (dem.shape[0] if dem.ndim == 1 else -1, f.shape[0] if f.ndim == 1 else -1):
        problems.append(f"cost must be (n, m) = (len(demand), len(capacity)), got {c.shape}")
    if problems:
        raise DataError(problems)
    for name, values in (("fixed_cost", f), ("capacity", cap), ("demand", dem)):
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if bad.size:
            problems.append(f"{name}[{bad[0]}] = {values[bad[0]]} ({bad.size} such); "
                            "use finite values >= 0")
    bad_cost = np.argwhere(np.isnan(c) | (c < 0))
    if bad_cost.size:
        i, j = bad_cost[0]
        problems.append(f"cost[{i}, {j}] = {c[i, j]} ({len(bad_cost)} such); use values >= 0 "
                        "(inf forbids a pair)")
    if p is not None and p < 1:
        problems.append(f"p = {p}; open at least one site")
    if k_nearest is not None and k_nearest < 1:
        problems.append(f"k_nearest = {k_nearest}; keep at least one site per point")
    if problems:
        raise DataError(problems)
    return f, cap, dem, c


def _pairs(
    c: FloatArray, cap: FloatArray, dem: FloatArray, single_source: bool, k: int | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Kept (point, site) pairs, row-major: allowed, within k cheapest, and fitting."""
    allowed = np.isfinite(c)
    if single_source:
        allowed &= dem[:, None] <= cap[None, :]
    if k is not None and k < c.shape[1]:
        masked = np.where(allowed, c, np.inf)
        keep = np.argpartition(masked, k - 1, axis=1)[:, :k]
        nearest = np.zeros_like(allowed)
        np.put_along_axis(nearest, keep, True, axis=1)
        allowed &= nearest
    rows, cols = np.nonzero(allowed)
    return rows.astype(np.int64), cols.astype(np.int64)


def _precheck(cap: FloatArray, dem: FloatArray, rows: npt.NDArray[np.int64],
              p: int | None) -> None:
    """Cheap proofs of infeasibility, before any solve."""
    problems: list[str] = []
    total = float(dem.sum())
    served = np.zeros(dem.shape[0], dtype=bool)
    served[rows] = True
    lonely = np.flatnonzero(~served & (dem > 0))
    if lonely.size:
        problems.append(f"demand point {lonely[0]} ({lonely.size} such) has no site that may "
                        "serve it (cost inf, capacity below its demand, or pruned by k_nearest)")
    if p is not None and p > cap.shape[0]:
        problems.append(f"p = {p} but only {cap.shape[0]} candidate sites")
    usable = np.sort(cap)[::-1][: p if p is not None else None]
    if float(usable.sum()) < total:
        which = f"the {p} largest sites" if p is not None else "all sites"
        problems.append(f"capacity of {which} ({usable.sum():g}) is below the total demand "
                        f"({total:g}); add sites or capacity")
    if problems:
        raise InfeasibleError(problems)


def greedy_solution(
    f: FloatArray, cap: FloatArray, dem: FloatArray, pair_cost: FloatArray, *,
    p: int | None, single_source: bool,
) -> tuple[FloatArray, FloatArray] | None:
    """A feasible starting point: greedy opening, then regret-ordered assignment.

    Parameters
    ----------
    pair_cost
        Shape (n, m): cost of each pair, ``inf`` where a pair is not allowed.

    Returns
    -------
    tuple of arrays or None
        ``(open (m,), shares (n, m))``, or ``None`` when the greedy assignment does not
        fit the capacities.
    """
    opened = _greedy_open(f, cap, dem, pair_cost, p)
    shares = _greedy_assign(cap, dem, pair_cost, opened, single_source)
    if shares is None:
        return None
    y = np.zeros(pair_cost.shape[1])
    y[opened] = 1.0
    return y, shares


def _greedy_open(f: FloatArray, cap: FloatArray, dem: FloatArray, pair_cost: FloatArray,
                 p: int | None) -> list[int]:
    """Add the site that lowers fixed plus nearest-site cost most, until p (or no gain)."""
    n, m = pair_cost.shape
    best = np.full(n, np.inf)
    opened: list[int] = []
    target = p if p is not None else m
    while len(opened) < target:
        finite_best = np.where(np.isfinite(best), best, 1e30)
        saving = (finite_best[:, None] - np.minimum(pair_cost, finite_best[:, None])).sum(axis=0)
        score = saving - f
        score[opened] = -np.inf
        j = int(np.argmax(score))
        covered = float(cap[opened].sum()) >= float(dem.sum())
        if p is None and covered and score[j] <= 0:
            break
        opened.append(j)
        best = np.minimum(best, pair_cost[:, j])
    return sorted(opened)


def _greedy_assign(cap: FloatArray, dem: FloatArray, pair_cost: FloatArray, opened: list[int],
                   single_source: bool) -> FloatArray | None:
    """Serve points in order of regret (second-cheapest minus cheapest open site)."""
    n, m = pair_cost.shape
    sub = pair_cost[:, opened]
    ranked = np.sort(sub, axis=1)
    with np.errstate(invalid="ignore"):  # inf - inf where a point has one allowed site
        regret = (ranked[:, 1] if len(opened) > 1 else ranked[:, 0]) - ranked[:, 0]
    left = cap[opened].copy()
    shares = np.zeros((n, m))
    for i in np.argsort(-np.nan_to_num(regret, posinf=1e30)):
        need = float(dem[i])
        for k in np.argsort(sub[i]):
            if not np.isfinite(sub[i, k]) or need <= 1e-12:
                break
            take = need if (left[k] >= need or not single_source) else 0.0
            take = min(take, float(left[k]))
            if take <= 0:
                continue
            shares[i, opened[k]] += take / dem[i] if dem[i] > 0 else 1.0
            left[k] -= take
            need -= take
        if dem[i] > 0 and need > 1e-9:
            return None
        if dem[i] == 0:
            shares[i, opened[int(np.argmin(sub[i]))]] = 1.0
    return shares


def _answer(
    status: Status, values: FloatArray | None, rows: IntArray, cols: IntArray,
    shape: tuple[int, int], objective: float | None, bound: float | None, clock: _Clock,
    n_var: int, n_con: int,
) -> LocationResult:
    n, m = shape
    seconds, build_seconds = clock.split()
    if values is None or objective is None:
        return LocationResult(status, np.empty(0, np.int64), np.full(n, -1, np.int64),
                              np.zeros((n, m)), None, None, None, seconds, build_seconds,
                              n_var, n_con)
    shares = np.zeros((n, m))
    shares[rows, cols] = np.clip(values[m:], 0.0, 1.0)
    if bound is not None and not np.isfinite(bound):
        bound = None  # stopped before any bound (HiGHS reports -inf)
    gap = None if bound is None else max(0.0, objective - bound) / max(abs(objective), 1e-9)
    return LocationResult(status, np.flatnonzero(values[:m] > 0.5).astype(np.int64),
                          shares.argmax(axis=1).astype(np.int64), shares, objective, bound,
                          gap, seconds, build_seconds, n_var, n_con)
