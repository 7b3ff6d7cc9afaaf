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
term, so building a 3,000 x 300 model takes well under a second. A greedy solution is
given to the solver as a starting point, and the time limit is enforced here too: the
solve is cancelled shortly after the limit if the backend overruns it, and the best
solution found is returned with its gap.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import numpy.typing as npt

from agroplan.errors import DataError, InfeasibleError, SolverError

Status = Literal["optimal", "feasible", "infeasible", "no_solution"]
FloatArray = npt.NDArray[np.float64]
GRACE_S = 2.0
"""The solve is cancelled this long after the time limit if the backend overruns it."""


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
        Best proven lower bound on the optimum.
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
    rows, cols = _pairs(c, cap, dem, single_source, k_nearest)
    _precheck(cap, dem, rows, p)
    h = _highs(threads, seed, relative_gap, time_limit_s)
    n_var, n_con = _pass_model(h, f, cap, dem, c, rows, cols, p, single_source)
    if warm_start:
        start = greedy_solution(f, cap, dem, c, rows, cols, p=p, single_source=single_source)
        if start is not None:
            h.setSolution(_as_highs_solution(start, n_var))
    build_seconds = time.perf_counter() - started
    solve_started = time.perf_counter()
    _run(h, time_limit_s)
    seconds = time.perf_counter() - solve_started
    return _result(h, c.shape, rows, cols, seconds, build_seconds, n_var, n_con)


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


def _highs(threads: int, seed: int, gap: float, time_limit_s: float) -> highspy.Highs:
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    return h


def _pass_model(
    h: highspy.Highs, f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray,
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], p: int | None,
    single_source: bool,
) -> tuple[int, int]:
    """Columns: y_0..y_{m-1}, then x of each kept pair. Rows built as CSR arrays."""
    n, m = c.shape
    e = rows.size
    x_col = m + np.arange(e, dtype=np.int64)
    order = np.argsort(cols, kind="stable")  # pairs grouped by site, for capacity rows
    # assign rows (n): x_ij, pairs are row-major so already grouped by point
    a_start = [np.searchsorted(rows, np.arange(n))]
    a_index = [x_col]
    a_value = [np.ones(e)]
    # capacity rows (m): sum_i d_i x_ij - C_j y_j <= 0
    per_site = np.bincount(cols, minlength=m)
    cap_start = e + np.concatenate(([0], np.cumsum(per_site + 1)[:-1]))
    cap_index = np.empty(e + m, dtype=np.int64)
    cap_value = np.empty(e + m)
    first = cap_start - e
    cap_index[first] = np.arange(m)
    cap_value[first] = -cap
    slot = np.concatenate([np.arange(1, k + 1) for k in per_site]) if e else np.empty(0, int)
    sorted_cols = cols[order]
    cap_index[first[sorted_cols] + slot] = x_col[order]
    cap_value[first[sorted_cols] + slot] = dem[rows[order]]
    a_start.append(cap_start)
    a_index.append(cap_index)
    a_value.append(cap_value)
    # link rows (e): x_ij - y_j <= 0
    base = 2 * e + m
    a_start.append(base + 2 * np.arange(e, dtype=np.int64))
    a_index.append(np.column_stack((x_col, cols)).ravel())
    a_value.append(np.tile([1.0, -1.0], e))
    # cover row: sum_j C_j y_j >= total demand; count row: sum_j y_j = p
    extra = [(cap, float(dem.sum()), np.inf)]
    if p is not None:
        extra.append((np.ones(m), float(p), float(p)))
    offset = base + 2 * e
    for coefficients, _lo, _hi in extra:
        a_start.append(np.array([offset]))
        a_index.append(np.arange(m))
        a_value.append(coefficients)
        offset += m
    n_row = n + m + e + len(extra)
    lp = highspy.HighsLp()
    lp.num_col_ = m + e
    lp.num_row_ = n_row
    lp.col_cost_ = np.concatenate((f, c[rows, cols]))
    lp.col_lower_ = np.zeros(m + e)
    lp.col_upper_ = np.ones(m + e)
    lp.row_lower_ = np.concatenate((np.ones(n), np.full(m + e, -np.inf),
                                    [lo for _c, lo, _h in extra]))
    lp.row_upper_ = np.concatenate((np.ones(n), np.zeros(m + e), [hi for _c, _l, hi in extra]))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = m + e
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.start_ = np.concatenate((*a_start, [offset])).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(a_index).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(a_value)
    integer = highspy.HighsVarType.kInteger
    continuous = highspy.HighsVarType.kContinuous
    lp.integrality_ = [integer] * m + [integer if single_source else continuous] * e
    if h.passModel(lp) != highspy.HighsStatus.kOk:
        raise SolverError("HiGHS refused the location model; check the input arrays")
    return m + e, n_row


def greedy_solution(
    f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray,
    rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], *, p: int | None,
    single_source: bool,
) -> FloatArray | None:
    """A feasible starting point: greedy opening, then regret-ordered assignment.

    Returns the column values (``y`` then ``x`` of each kept pair), or ``None`` when the
    greedy assignment does not fit the capacities.
    """
    n, m = c.shape
    pair_cost = np.full((n, m), np.inf)
    pair_cost[rows, cols] = c[rows, cols]
    opened = _greedy_open(f, cap, dem, pair_cost, p)
    shares = _greedy_assign(cap, dem, pair_cost, opened, single_source)
    if shares is None:
        return None
    y = np.zeros(m)
    y[opened] = 1.0
    return np.concatenate((y, shares[rows, cols]))


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


def _as_highs_solution(values: FloatArray, n_var: int) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = list(values[:n_var])
    solution.value_valid = True
    return solution


def _run(h: highspy.Highs, time_limit_s: float) -> None:
    timer = threading.Timer(time_limit_s + GRACE_S, h.cancelSolve)
    timer.daemon = True
    timer.start()
    try:
        status = h.run()
    finally:
        timer.cancel()
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS failed on the location model")


def _result(
    h: highspy.Highs, shape: tuple[int, int], rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64], seconds: float, build_seconds: float, n_var: int,
    n_con: int,
) -> LocationResult:
    n, m = shape
    ms = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status: Status
    if ms == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif ms == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    else:
        status = "feasible" if has_solution else "no_solution"
    if not has_solution:
        return LocationResult(status, np.empty(0, np.int64), np.full(n, -1, np.int64),
                              np.zeros((n, m)), None, None, None, seconds, build_seconds,
                              n_var, n_con)
    values = np.asarray(h.getSolution().col_value)
    open_sites = np.flatnonzero(values[:m] > 0.5).astype(np.int64)
    shares = np.zeros((n, m))
    shares[rows, cols] = np.clip(values[m:], 0.0, 1.0)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
    return LocationResult(status, open_sites, shares.argmax(axis=1).astype(np.int64), shares,
                          objective, bound, gap, seconds, build_seconds, n_var, n_con)
