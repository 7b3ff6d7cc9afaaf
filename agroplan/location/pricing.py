"""Single-source location solved on a few sites and pairs, with a proof over all of them.

In a facility-location optimum most candidate sites stay closed and each point is served
by one of its few nearest open sites, yet the LP relaxation of the whole model carries every
site and every (point, site) pair, and solving it is most of the solve. :func:`solve_priced`
solves the LP on a few sites and pairs instead and proves that the rest cannot improve it:

1. **Restricted LP.** Sites outside the working set are held closed (``y_j <= 0``) and have
   no pairs; inside it, each point has its ``k`` cheapest pairs. With the LP duals -- assign
   rows ``u_i``, capacity rows ``w_j <= 0``, cover row ``sigma >= 0``, count row ``pi`` --
   and ``a_ij = c_ij - u_i``:

   * a left-out pair of a working site has reduced cost ``a_ij - d_i w_j`` (its link row
     is absent, dual 0); pairs below zero are added with their link rows;
   * a left-out *site* can be given the duals that suit it best: ``w_j`` and link duals
     ``v_ij = min(0, a_ij - d_i w_j)`` make all its pairs dual feasible, and its ``y_j`` is
     dual feasible when ``f_j + C_j w_j + sum_i v_ij >= C_j sigma + pi``. The best ``w_j``
     gives the left side ``f_j + K_j``, where ``K_j`` is the value of the fractional knapsack
     ``min sum_i a_ij x_i, sum_i d_i x_i <= C_j, 0 <= x <= 1`` (points sorted by
     ``a_ij / d_i``). Sites that fail the test join the working set.

   When nothing is added the restricted LP's duals, so extended, are feasible for the LP
   of the *whole* model and its value ``z_LP`` is that LP's bound.
2. If that LP solution is integral it is optimal for the whole problem.
3. Otherwise a plan of cost ``z_R`` is read from the LP: the cheapest of the start and
   two small MIPs on the kept pairs (the sites the LP opens most; every site it opens at
   all), a few seconds each. If ``z_R`` is within the gap of ``z_LP`` it is proven.
4. Otherwise, reduced-cost fixing: any plan costs at least ``z_LP`` plus the reduced costs
   of the columns it uses (exact because ``y`` and, single-source, ``x`` are 0 or 1), so a
   plan that beats ``z_R`` uses only sites and pairs whose reduced cost is at most
   ``z_R - z_LP``. The MIP on exactly those -- left-out ones join, working ones beyond
   the slack leave -- is solved from the plan: its optimum is that of the whole problem.

Only single-source problems are priced: with split demand a left-out pair could be used
at a fraction, and step 4 does not hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from agroplan.highs import FloatArray, IntArray, Status, as_highs_solution, new_highs, read_mip, run
from agroplan.location.lp import pass_model

BoolArray = npt.NDArray[np.bool_]

K_FIRST = 10
"""Cheapest pairs per point (among the working sites) in the first restricted LP."""
RC_TOL = 1e-7
"""Reduced costs above ``-RC_TOL x (1 + |cost|)`` count as non-negative."""
INTEGRAL_TOL = 1e-6
"""Values this close to 0 or 1 count as integral."""
ROUNDING_GAP = 1e-4
"""Relative gap of the small MIPs that read a plan from the LP (to measure the slack by)."""
ROUNDING_TIME_S = 5.0
"""Time limit of each of those MIPs."""
SITES_PER_ROUND = 0.2
"""At most this share of the start's open sites (at least 2) join the working set per round:
joining all that price in at once took 26-29 of 30 sites at 200 x 30, a few at a time 12-21."""


@dataclass(frozen=True)
class Priced:
    """What :func:`solve_priced` found, on the kept subset of the pairs it was given."""

    status: Status
    values: FloatArray | None  # y (m), then x of each kept pair in pair order
    objective: float | None
    bound: float | None
    keep: BoolArray  # which of the given pairs the values refer to
    variables: int
    constraints: int
    lp_rounds: int
    mip_solves: int
    sites: int  # sites in the final working set


def solve_priced(
    f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray,
    rows: IntArray, cols: IntArray, p: int | None,
    start: tuple[FloatArray, FloatArray], *,
    threads: int, seed: int, gap: float, deadline: float, k: int = K_FIRST,
) -> Priced:
    """Solve the single-source model over the pairs ``(rows, cols)`` by pricing.

    ``rows`` must be sorted (row-major pairs, as ``np.nonzero`` gives them); ``start``
    is a feasible ``(open, shares)`` plan over those pairs.
    """
    started = time.perf_counter()
    n = c.shape[0]
    pair_cost = c[rows, cols]
    sites = _first_sites(f, cap, dem, c, start, p)
    keep = _nearest(rows, np.where(sites[cols], pair_cost, np.inf), n, k) & sites[cols]
    keep |= start[1][rows, cols] > 0.5
    lp = _LP(f, cap, dem, c, rows, cols, pair_cost, p, sites, keep,
             int((start[0] > 0.5).sum()), threads, seed, deadline)
    while True:
        if not lp.solve():
            return _whole(f, cap, dem, c, rows, cols, p, start, threads, seed, gap, deadline,
                          lp.rounds)
        pairs, new_sites = lp.price()
        if pairs.size == 0 and new_sites.size == 0:
            break
        lp.add(pairs, new_sites)
    z_lp, values = lp.value, lp.values()
    if _integral(values):
        n_var, n_con = lp.size()
        return Priced("optimal", values, z_lp, z_lp, lp.keep.copy(), n_var, n_con,
                      lp.rounds, 0, int(lp.sites.sum()))
    rc_pair, rc_site = lp.reduced_costs()
    plan = _best_plan(f, dem, c, rows, cols, lp, p, start, threads, seed, deadline,
                      time.perf_counter() - started)
    z_plan = _cost(f, c, plan)
    plan_values = np.concatenate((plan[0], plan[1][rows[lp.keep], cols[lp.keep]]))
    if z_plan - z_lp <= gap * max(abs(z_plan), 1e-9):  # the LP bound proves the plan
        n_var, n_con = lp.size()
        return Priced("optimal", plan_values, z_plan, z_lp, lp.keep.copy(), n_var, n_con,
                      lp.rounds, 1, int(lp.sites.sum()))
    slack = z_plan - z_lp + RC_TOL * (1.0 + abs(z_plan))
    # every site and pair a better plan could use: reduced cost within the slack (for a
    # left-out site's pair, together with the site's); sites and pairs of the LP beyond it
    # are dropped too, which makes the last MIP smaller than the working set
    sites = (rc_site <= slack) | (plan[0] > 0.5)
    site_rc = np.where(lp.sites[cols], 0.0, rc_site[cols])
    keep = sites[cols] & ((rc_pair + site_rc <= slack) | (plan[1][rows, cols] > 0.5))
    result = _mip(f, cap, dem, c, rows, cols, keep, sites, p, plan, threads, seed, gap,
                  deadline)
    if result.values is None:  # out of time before HiGHS took the plan: return the plan
        n_var, n_con = lp.size()
        return Priced("feasible", plan_values, z_plan, z_lp, lp.keep.copy(), n_var, n_con,
                      lp.rounds, 2, int(lp.sites.sum()))
    bound = None if result.bound is None else max(result.bound, z_lp)
    return Priced(result.status, result.values, result.objective, bound, keep,
                  result.variables, result.constraints, lp.rounds, 2, int(sites.sum()))


def _best_plan(f: FloatArray, dem: FloatArray, c: FloatArray, rows: IntArray,
               cols: IntArray, lp: _LP, p: int | None, start: tuple[FloatArray, FloatArray],
               threads: int, seed: int, deadline: float, lp_s: float
               ) -> tuple[FloatArray, FloatArray]:
    """The cheapest of ``start`` and two plans read from the LP, each a MIP on the kept
    pairs of a few sites, from the best plan so far: the sites the LP opens most (for
    ``ROUNDING_TIME_S`` at most), then every site it opens at all (for as long as the LP
    took, at least ``ROUNDING_TIME_S``)."""
    m = c.shape[1]
    values = lp.values()
    y = values[:m]
    plans = [start]
    # the sites the LP opens most (ties: the most loaded), each point assigned optimally
    load = np.bincount(cols[lp.keep], weights=values[m:] * dem[rows[lp.keep]], minlength=m)
    order = np.lexsort((-load, -y))
    count = p if p is not None else max(int((y >= 0.5).sum()), 1)
    while p is None and count < m and lp.cap[order[:count]].sum() < dem.sum():
        count += 1
    fixed = np.zeros(m, dtype=bool)
    fixed[order[:count]] = True
    # then the MIP on every site the LP opens at all, from the best plan so far
    support = (y > INTEGRAL_TOL) | fixed
    for sites, seconds in ((fixed, ROUNDING_TIME_S), (support, max(ROUNDING_TIME_S, lp_s))):
        pairs = lp.keep & sites[cols]
        limit = min(deadline, time.perf_counter() + seconds)
        best = min(plans, key=lambda plan: _cost(f, c, plan))
        found = _mip(f, lp.cap, dem, c, rows, cols, pairs, sites, p, best, threads, seed,
                     ROUNDING_GAP, limit)
        if found.values is not None:
            plans.append(_plan(found.values, rows[pairs], cols[pairs], *c.shape))
    return min(plans, key=lambda plan: _cost(f, c, plan))


def _cost(f: FloatArray, c: FloatArray, plan: tuple[FloatArray, FloatArray]) -> float:
    return float(f @ plan[0] + np.where(plan[1] > 0.5, c, 0.0).sum())


def _first_sites(f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray,
                 start: tuple[FloatArray, FloatArray], p: int | None) -> BoolArray:
    """The start's open sites and as many again of the most promising closed ones.

    A closed site's promise is its knapsack value against the start: how much the points
    it can hold would save by moving to it, less its fixed cost.
    """
    opened = start[0] > 0.5
    now = (start[1] * np.where(np.isfinite(c), c, 0.0)).sum(axis=1)
    value, _w = _knapsack(c - now[:, None], dem, cap)
    score = value + f
    score[opened] = np.inf
    extra = max(int(opened.sum()), p or 0, 3)
    chosen = opened.copy()
    candidates = np.argsort(score, kind="stable")[:extra]
    chosen[candidates[np.isfinite(score[candidates])]] = True
    return chosen


def _knapsack(a: FloatArray, dem: FloatArray, cap: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per column j: ``min sum_i a_ij x_i`` s.t. ``sum_i d_i x_i <= C_j``, ``0 <= x <= 1``.

    ``a`` is (n, m') with ``inf`` for pairs that do not exist. Returns the values and the
    best capacity duals ``w_j <= 0`` (the ratio ``a_ij / d_i`` of the item that fills the
    knapsack, 0 when the negative items all fit).
    """
    useful = a < 0  # inf (no pair) is never useful
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(useful, a / dem[:, None], np.inf)
    ratio[useful & (dem[:, None] == 0)] = -np.inf  # free items come first
    order = np.argsort(ratio, axis=0, kind="stable")
    r = np.take_along_axis(ratio, order, axis=0)
    gain = np.take_along_axis(np.where(useful, a, 0.0), order, axis=0)
    d = np.take_along_axis(np.where(useful, dem[:, None], 0.0), order, axis=0)
    room = np.clip(cap[None, :] - (np.cumsum(d, axis=0) - d), 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(d > 0, np.minimum(1.0, room / d), 1.0)
    value = (share * gain).sum(axis=0)
    partial = (share < 1.0) & (d > 0)  # the first one is the item that fills the knapsack
    w = np.where(partial.any(axis=0), r[np.argmax(partial, axis=0), np.arange(a.shape[1])], 0.0)
    return value, np.minimum(w, 0.0)


def _nearest(rows: IntArray, pair_cost: FloatArray, n: int, k: int) -> BoolArray:
    """Each point's ``k`` cheapest pairs (pairs grouped by point, ``inf`` never kept)."""
    order = np.lexsort((pair_cost, rows))
    first_of_point = np.searchsorted(rows, np.arange(n))
    rank = np.arange(rows.size) - first_of_point[rows[order]]
    keep = np.zeros(rows.size, dtype=bool)
    keep[order[rank < k]] = True
    return keep & np.isfinite(pair_cost)


class _LP:
    """The restricted LP relaxation in one HiGHS instance, grown and re-solved warm."""

    def __init__(self, f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray,
                 rows: IntArray, cols: IntArray, pair_cost: FloatArray, p: int | None,
                 sites: BoolArray, keep: BoolArray, opened: int, threads: int, seed: int,
                 deadline: float) -> None:
        self.f, self.cap, self.dem, self.c = f, cap, dem, c
        self.rows, self.cols, self.pair_cost, self.p = rows, cols, pair_cost, p
        self.sites, self.keep = sites.copy(), keep.copy()
        self.opened = opened  # sites the start opens: scales how many sites join per round
        self.deadline = deadline
        self.rounds = 0
        n, m = c.shape
        self.h = new_highs(threads, seed, 0.0, deadline - time.perf_counter())
        first = np.flatnonzero(keep)
        pass_model(self.h, f, cap, dem, c, rows[first], cols[first], p, True, relax=True)
        closed = np.flatnonzero(~sites).astype(np.int32)
        if closed.size:
            self.h.changeColsBounds(closed.size, closed, np.zeros(closed.size),
                                    np.zeros(closed.size))
        self.column_of = np.full(rows.size, -1, dtype=np.int64)
        self.column_of[first] = m + np.arange(first.size)
        self.n_col = m + first.size
        self.n_row = n + m + first.size + 1 + (p is not None)
        self.row_of_cover = n + m + first.size
        self.value = np.nan

    def solve(self) -> bool:
        self.rounds += 1
        run(self.h, self.deadline - time.perf_counter())
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False
        n, m = self.c.shape
        solution = self.h.getSolution()
        duals = np.asarray(solution.row_dual)
        self.col_value = np.asarray(solution.col_value)
        self.col_dual = np.asarray(solution.col_dual)
        self.u, self.w = duals[:n], duals[n:n + m]
        self.sigma = float(duals[self.row_of_cover])
        self.pi = float(duals[self.row_of_cover + 1]) if self.p is not None else 0.0
        self.value = float(self.h.getInfo().objective_function_value)
        return True

    def reduced_costs(self) -> tuple[FloatArray, FloatArray]:
        """(rc of every pair, rc of every site's y) under the extended duals.

        Pairs in the LP and working sites: the LP's reduced costs. Left-out pairs of working
        sites: ``a_ij - d_i w_j``; of left-out sites: ``max(0, a_ij - d_i w*_j)``; left-out
        sites: ``f_j + K_j - C_j sigma - pi``.
        """
        n, m = self.c.shape
        a_pair = self.pair_cost - self.u[self.rows]
        out = np.flatnonzero(~self.sites)
        a = np.full((n, out.size), np.inf)
        sel = ~self.sites[self.cols]
        index = np.searchsorted(out, self.cols[sel])
        a[self.rows[sel], index] = a_pair[sel]
        value, w_best = _knapsack(a, self.dem, self.cap[out])
        w = self.w.copy()
        w[out] = w_best
        rc_pair = a_pair - self.dem[self.rows] * w[self.cols]
        rc_pair[sel] = np.maximum(rc_pair[sel], 0.0)
        kept = np.flatnonzero(self.keep)
        rc_pair[kept] = self.col_dual[self.column_of[kept]]
        rc_site = self.col_dual[:m].copy()
        rc_site[out] = self.f[out] + value - self.cap[out] * self.sigma - self.pi
        return rc_pair, rc_site

    def price(self) -> tuple[IntArray, IntArray]:
        """(pairs of working sites to add, left-out sites to add)."""
        rc_pair, rc_site = self.reduced_costs()
        tol = RC_TOL * (1.0 + np.abs(self.pair_cost))
        pairs = np.flatnonzero(~self.keep & self.sites[self.cols] & (rc_pair < -tol))
        scale = RC_TOL * (1.0 + abs(self.value))
        new_sites = np.flatnonzero(~self.sites & (rc_site < -scale))
        most = max(2, int(np.ceil(SITES_PER_ROUND * self.opened)))
        if new_sites.size > most:
            new_sites = np.sort(new_sites[np.argsort(rc_site[new_sites])[:most]])
        return pairs, new_sites

    def add(self, pairs: IntArray, new_sites: IntArray) -> None:
        """Open ``new_sites`` to the LP with their useful pairs, and add ``pairs``."""
        if new_sites.size:
            self.sites[new_sites] = True
            bounded = new_sites.astype(np.int32)
            self.h.changeColsBounds(bounded.size, bounded, np.zeros(bounded.size),
                                    np.ones(bounded.size))
            a = self.pair_cost - self.u[self.rows]
            useful = ~self.keep & np.isin(self.cols, new_sites) & (a < 0)
            pairs = np.union1d(pairs, np.flatnonzero(useful))
        if pairs.size == 0:
            return
        n, _m = self.c.shape
        k = pairs.size
        r, s = self.rows[pairs], self.cols[pairs]
        index = np.column_stack((r, n + s)).ravel().astype(np.int32)
        value = np.column_stack((np.ones(k), self.dem[r])).ravel()
        self.h.addCols(k, self.pair_cost[pairs], np.zeros(k), np.ones(k), 2 * k,
                       (2 * np.arange(k)).astype(np.int32), index, value)
        x = self.n_col + np.arange(k)
        link = np.column_stack((x, s)).ravel().astype(np.int32)
        self.h.addRows(k, np.full(k, -np.inf), np.zeros(k), 2 * k,
                       (2 * np.arange(k)).astype(np.int32), link, np.tile([1.0, -1.0], k))
        self.column_of[pairs] = x
        self.n_col += k
        self.n_row += k
        self.keep[pairs] = True

    def values(self) -> FloatArray:
        """y, then x of the kept pairs in pair order."""
        m = self.c.shape[1]
        return np.concatenate((self.col_value[:m],
                               self.col_value[self.column_of[np.flatnonzero(self.keep)]]))

    def size(self) -> tuple[int, int]:
        return self.n_col, self.n_row


def _integral(values: FloatArray) -> bool:
    return bool(np.all(np.minimum(values, 1.0 - values) <= INTEGRAL_TOL))


@dataclass(frozen=True)
class _Mip:
    status: Status
    values: FloatArray | None
    objective: float | None
    bound: float | None
    variables: int
    constraints: int


def _mip(
    f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray, rows: IntArray,
    cols: IntArray, keep: BoolArray, sites: BoolArray, p: int | None,
    start: tuple[FloatArray, FloatArray] | None, threads: int, seed: int, gap: float,
    deadline: float,
) -> _Mip:
    """The single-source MIP on the kept pairs, sites outside ``sites`` held closed."""
    r, s = rows[keep], cols[keep]
    h = new_highs(threads, seed, gap, deadline - time.perf_counter())
    n_var, n_con = pass_model(h, f, cap, dem, c, r, s, p, True)
    closed = np.flatnonzero(~sites).astype(np.int32)
    if closed.size:
        h.changeColsBounds(closed.size, closed, np.zeros(closed.size), np.zeros(closed.size))
    if start is not None:
        h.setSolution(as_highs_solution(np.concatenate((start[0], start[1][r, s])), n_var))
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    run(h, deadline - time.perf_counter())
    return _Mip(*read_mip(h), n_var, n_con)


def _whole(
    f: FloatArray, cap: FloatArray, dem: FloatArray, c: FloatArray, rows: IntArray,
    cols: IntArray, p: int | None, start: tuple[FloatArray, FloatArray] | None, threads: int,
    seed: int, gap: float, deadline: float, rounds: int,
) -> Priced:
    """The MIP on every pair: when the restricted LP fails (out of time)."""
    everything = np.ones(rows.size, dtype=bool)
    all_sites = np.ones(c.shape[1], dtype=bool)
    result = _mip(f, cap, dem, c, rows, cols, everything, all_sites, p, start, threads, seed,
                  gap, deadline)
    return _priced(result, everything, rounds, 1, all_sites)


def _priced(result: _Mip, keep: BoolArray, rounds: int, solves: int,
            sites: BoolArray) -> Priced:
    return Priced(result.status, result.values, result.objective, result.bound, keep,
                  result.variables, result.constraints, rounds, solves, int(sites.sum()))


def _plan(values: FloatArray, rows: IntArray, cols: IntArray, n: int, m: int
          ) -> tuple[FloatArray, FloatArray]:
    """``(open, shares)`` of a solution over the pairs ``(rows, cols)``."""
    shares = np.zeros((n, m))
    shares[rows, cols] = np.round(values[m:])
    return np.round(values[:m]), shares
