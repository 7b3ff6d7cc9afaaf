"""The LP relaxation of a large model by place, with a proven bound, and a plan from it.

On the generated XL scenario (1,000 sites, 2,000 settlements, 20 quarters) HiGHS needs
about two minutes for the LP relaxation of the whole model, yet its solution uses 78
sites and 47 settlements. :func:`solve_by_places` finds the same LP optimum by column
generation over *places*:

- Every variable of a candidate site (farm starts, heifers delivered to it, its workers)
  or of a settlement (houses, agro-town) belongs to that place's *block*; heifer and
  timber flows origin -> hub, carried budget and soft violations are *global*. A row
  whose variables all belong to one block is that block's own row; every other row
  (budget, hubs, land, housing of workers, timber, targets) is *shared*.
- The *master* LP holds the global variables, the blocks kept so far and their own rows.
  Its duals price every left-out block in one block-diagonal LP (the blocks' own rows,
  objective = reduced cost against the shared rows): a block with a negative value would
  improve the master, and the master's value plus every left-out block's value is a
  bound on the whole LP (Lagrangian relaxation of the shared rows at the master's duals),
  valid in every round.
- Each round adds the best-priced blocks and, while the master's value improves, drops
  the blocks it does not use, so the master stays small (under 25,000 columns at XL)
  and no set of blocks comes back. It stops when no block prices out or the bound is
  within a tenth of the gap target of the master.
- The plan: the MIP over the blocks the LP uses, with every yes/no decision the LP
  leaves at 0 fixed at 0. Any of its plans is a plan of the whole model.

Measured on the generated XL scenario (docs/performance.md): the LP bound in about 40 s
instead of 120 s, and a plan within 0.2 % of it 10 s later.

Money rows have coefficients up to 3 x 10^6 and carried budget bounds of 10^10: without
scaling, the warm-started master stalls. Rows are scaled by their largest coefficient
and huge-bounded columns to about 1,000, which leaves the objective unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.math_opt.python import mathopt

from agroplan.highs import FloatArray, IntArray, new_highs, run
from agroplan.model.core import AgroModel

WHAT = "the LP by place of the warm start"
ROW_SCALE_ABOVE = 100.0
"""Rows whose largest coefficient exceeds this are divided by it."""
COLUMN_SCALE_ABOVE = 1e6
"""Columns whose upper bound exceeds this are measured in units that bring it to ~1,000."""
PRICED_OUT = 1e-6
"""A block enters when its value improves the master by more than this share of it."""
ROUND_SHARE = 0.1
"""Blocks of each kind (sites, settlements) added per round: this share of them, ..."""
ROUND_MIN, ROUND_MAX = 20, 100
"""... but at least and at most these many."""


@dataclass(frozen=True)
class PlacesResult:
    """What :func:`solve_by_places` found.

    Attributes
    ----------
    values
        Variable -> value of the plan found, or ``None`` when none was found in time.
    bound
        Best bound on the model's objective (its own sense), ``None`` when no round
        finished.
    lp_value
        The master's value in the last round (the LP optimum once ``converged``).
    converged
        True when no left-out block prices out (the LP relaxation is solved).
    rounds
        Master solves.
    blocks_used
        Blocks (sites and settlements) the last master uses.
    """

    values: dict[mathopt.Variable, float] | None
    bound: float | None
    lp_value: float | None
    converged: bool
    rounds: int
    blocks_used: int


class _Arrays:
    """The model in minimisation form as scaled sparse arrays, with its blocks."""

    def __init__(self, m: AgroModel) -> None:
        proto = m.model.export_model()
        v, rows, mat = proto.variables, proto.linear_constraints, proto.linear_constraint_matrix
        self.variables = list(m.model.variables())
        n, n_row = len(v.ids), len(rows.ids)
        # MathOpt numbers variables and rows 0.. in creation order; the proto keeps them
        var_ids, row_ids = np.asarray(v.ids), np.asarray(rows.ids)  # both ascending
        position = {int(i): k for k, i in enumerate(var_ids)}
        self.position = position
        cols = np.searchsorted(var_ids, np.asarray(mat.column_ids))
        rws = np.searchsorted(row_ids, np.asarray(mat.row_ids))
        a = sp.csr_matrix((np.asarray(mat.coefficients), (rws, cols)), shape=(n_row, n))
        self.maximize = bool(proto.objective.maximize)
        self.offset = float(proto.objective.offset)
        cost = np.zeros(n)
        objective = proto.objective.linear_coefficients
        cost[np.searchsorted(var_ids, np.asarray(objective.ids))] = np.asarray(objective.values)
        cost = -cost if self.maximize else cost
        lb, ub = np.asarray(v.lower_bounds, float), np.asarray(v.upper_bounds, float)
        rl, ru = np.asarray(rows.lower_bounds, float), np.asarray(rows.upper_bounds, float)
        self.integer = np.asarray(v.integers, bool)
        # scaling: x = col_scale * x', rows divided by their largest coefficient
        largest = np.zeros(n_row)
        nonempty = np.diff(a.indptr) > 0
        largest[nonempty] = np.maximum.reduceat(np.abs(a.data), a.indptr[:-1][nonempty])
        row_scale = np.where(largest > ROW_SCALE_ABOVE, 1.0 / np.maximum(largest, 1.0), 1.0)
        huge = (ub > COLUMN_SCALE_ABOVE) & ~self.integer  # integer columns keep their unit
        col_scale = np.ones(n)
        col_scale[huge] = 10.0 ** np.round(np.log10(ub[huge]) - 3)
        self.col_scale = col_scale
        self.raw = (a, cost, lb, ub, rl, ru)
        self.a = (sp.diags(row_scale) @ a @ sp.diags(col_scale)).tocsr()
        self.cost = cost * col_scale
        self.lb, self.ub = lb / col_scale, ub / col_scale
        self.rl, self.ru = rl * row_scale, ru * row_scale
        self._blocks(m, position)

    def _blocks(self, m: AgroModel, position: dict[int, int]) -> None:
        v = m.vars
        keyed: list[tuple[str, Iterable[tuple[tuple[object, ...], mathopt.Variable]], int]] = [
            ("s", v.b.items(), 0), ("s", v.z.items(), 1), ("s", v.w.items(), 0),
            ("j", v.x.items(), 0), ("j", v.a.items(), 0)]
        ids: dict[tuple[str, object], int] = {}
        block = np.full(len(self.variables), -1, dtype=np.int64)
        for kind, items, at in keyed:
            for key, var in items:
                block[position[var.id]] = ids.setdefault((kind, key[at]), len(ids))
        self.block = block
        self.kind = np.array([kind for kind, _ in ids], dtype="<U1")
        n_block = len(ids)
        # a row is a block's own when every one of its variables is in that block
        of_entry = block[self.a.indices]
        counts = np.diff(self.a.indptr)
        starts = self.a.indptr[:-1][counts > 0]
        low = np.full(len(counts), -1)
        high = np.full(len(counts), -1)
        low[counts > 0] = np.minimum.reduceat(of_entry, starts)
        high[counts > 0] = np.maximum.reduceat(of_entry, starts)
        self.own = np.where((low == high) & (low >= 0), low, -1)
        self.shared_rows = np.flatnonzero(self.own < 0)
        order = np.argsort(self.own, kind="stable")
        cut = np.searchsorted(self.own[order], np.arange(n_block + 1))
        self.rows_of = [order[cut[b]:cut[b + 1]] for b in range(n_block)]
        order = np.argsort(block, kind="stable")
        cut = np.searchsorted(block[order], np.arange(-1, n_block + 1))
        self.global_cols = order[cut[0]:cut[1]]
        self.cols_of = [order[cut[b + 1]:cut[b + 2]] for b in range(n_block)]
        # blocks that cannot be left at 0: one of their own rows excludes 0
        own_rows = self.own >= 0
        self.forced = np.unique(self.own[own_rows & ((self.rl > 0) | (self.ru < 0))])

    def lp(self, cols: IntArray, rows: IntArray, cost: FloatArray | None = None,
           integer: bool = False, upper: FloatArray | None = None) -> highspy.HighsLp:
        """The scaled model over ``cols`` and ``rows`` (its cost and upper bounds unless given)."""
        return _highs_lp(self.a, cols, rows, self.cost[cols] if cost is None else cost,
                         self.lb[cols], self.ub[cols] if upper is None else upper,
                         self.rl[rows], self.ru[rows],
                         self.integer[cols] if integer else None)

    def columns(self, blocks: IntArray) -> tuple[IntArray, IntArray]:
        """Columns and rows of the master over ``blocks``."""
        cols = np.concatenate([self.global_cols, *(self.cols_of[b] for b in blocks)])
        rows = np.concatenate([self.shared_rows, *(self.rows_of[b] for b in blocks)])
        return cols.astype(np.int64), rows.astype(np.int64)


def solve_by_places(m: AgroModel, seconds: float, lp_share: float = 0.7,
                    relative_gap: float | None = None, seed: int = 0,
                    per_round: int | None = None) -> PlacesResult:
    """The LP bound of ``m`` by column generation over places, and a plan from it.

    Parameters
    ----------
    m
        A built model; it is not changed.
    seconds
        Time for both steps; the LP rounds stop after ``lp_share`` of it.
    relative_gap
        Gap of the plan's MIP (default: the scenario's ``solver.relative_gap``); the LP
        rounds stop once the bound is within a tenth of it of the master.
    per_round
        Blocks of each kind added per round (default: a tenth of them, 20 to 100).

    Returns
    -------
    PlacesResult
    """
    started = time.perf_counter()
    gap = m.inputs.scenario.solver.relative_gap if relative_gap is None else relative_gap
    arrays = _Arrays(m)
    n_block = len(arrays.cols_of)
    counts = {kind: per_round if per_round is not None else
              int(np.clip(ROUND_SHARE * np.sum(arrays.kind == kind), ROUND_MIN, ROUND_MAX))
              for kind in ("s", "j")}
    keep = arrays.forced.astype(np.int64)
    best: float | None = None
    master_value: float | None = None
    previous: float | None = None
    x_master: FloatArray | None = None
    cols_master: IntArray | None = None
    used = np.empty(0, dtype=np.int64)
    converged = False
    rounds = 0
    while True:
        left = lp_share * seconds - (time.perf_counter() - started)
        if left <= 0:
            break
        cols, rows = arrays.columns(keep)
        h = _solved(arrays.lp(cols, rows), left, gap, seed)
        rounds += 1
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break  # out of time, or a master that needs blocks it does not have yet
        solution = h.getSolution()
        master_value = float(h.getInfo().objective_function_value)
        x_master, cols_master = np.asarray(solution.col_value), cols
        duals = np.zeros(len(arrays.rl))
        duals[rows] = np.asarray(solution.row_dual)
        inside = np.zeros(n_block, dtype=bool)
        inside[keep] = True
        values = _price(arrays, duals, ~inside, lp_share * seconds - (time.perf_counter()
                                                                     - started))
        active = arrays.block[cols[np.abs(x_master) > 1e-9]]
        used = np.unique(active[active >= 0])
        if values is None:
            break
        bound = master_value + float(values[~inside].sum())
        best = bound if best is None else max(best, bound)  # minimisation: larger is better
        scale = max(1.0, abs(master_value))
        entering = np.flatnonzero((values < -PRICED_OUT * scale) & ~inside)
        if entering.size == 0:
            converged = True
            break
        if master_value - best <= 0.1 * gap * scale:
            break
        # unused blocks leave only while the master improves: no set comes back, no cycling
        improved = previous is None or master_value < previous - PRICED_OUT * scale
        picked = [used if improved else keep]
        previous = master_value
        for kind, count in counts.items():
            of_kind = entering[arrays.kind[entering] == kind]
            picked.append(of_kind[np.argsort(values[of_kind], kind="stable")][:count])
        keep = np.union1d(arrays.forced, np.concatenate(picked)).astype(np.int64)

    plan = None
    if x_master is not None and cols_master is not None:
        left = seconds - (time.perf_counter() - started)
        plan = _plan(arrays, used, x_master, cols_master, left, gap, seed)
    sign = -1.0 if arrays.maximize else 1.0
    return PlacesResult(
        values=plan,
        bound=None if best is None else sign * best + arrays.offset,
        lp_value=None if master_value is None else sign * master_value + arrays.offset,
        converged=converged,
        rounds=rounds,
        blocks_used=int(used.size),
    )


def _price(arrays: _Arrays, duals: FloatArray, blocks: npt.NDArray[np.bool_],
           seconds: float) -> FloatArray | None:
    """Each block's best value in the block-diagonal LP at ``duals`` (<= 0), or None."""
    cols = np.flatnonzero((arrays.block >= 0) & blocks[np.maximum(arrays.block, 0)])
    rows = np.flatnonzero((arrays.own >= 0) & blocks[np.maximum(arrays.own, 0)])
    shared = np.zeros(len(duals))
    shared[arrays.shared_rows] = duals[arrays.shared_rows]
    reduced = arrays.cost[cols] - arrays.a[:, cols].T @ shared
    if cols.size == 0:  # every block is in the master
        return np.zeros(len(arrays.cols_of))
    if seconds <= 0:
        return None
    h = _solved(arrays.lp(cols, rows, cost=reduced), seconds)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value)
    values: FloatArray = np.bincount(arrays.block[cols], weights=reduced * x,
                                     minlength=len(arrays.cols_of)).astype(float)
    return values


def _plan(arrays: _Arrays, used: IntArray, x_master: FloatArray, cols_master: IntArray,
          seconds: float, gap: float, seed: int) -> dict[mathopt.Variable, float] | None:
    """The MIP over the blocks the LP uses, yes/no decisions the LP leaves at 0 fixed."""
    if seconds <= 1:
        return None
    cols, rows = arrays.columns(used)
    lp_value = np.zeros(len(arrays.lb))
    lp_value[cols_master] = x_master
    upper = arrays.ub[cols].copy()
    unused = (arrays.integer[cols] & (arrays.lb[cols] == 0) & (arrays.ub[cols] == 1)
              & (np.abs(lp_value[cols]) < 1e-9))
    upper[unused] = 0.0
    started = time.perf_counter()
    h = _solved(arrays.lp(cols, rows, integer=True, upper=upper), seconds, gap, seed)
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    x = np.asarray(h.getSolution().col_value) * arrays.col_scale[cols]
    polished = _polish(arrays, cols, rows, x, seconds - (time.perf_counter() - started))
    if polished is None:
        return None
    full = np.zeros(len(arrays.lb))
    full[cols] = polished
    return {var: float(full[arrays.position[var.id]]) for var in arrays.variables}


def _polish(arrays: _Arrays, cols: IntArray, rows: IntArray, x: FloatArray,
            seconds: float) -> FloatArray | None:
    """The plan's continuous values again, in the model's own units, integers held.

    The MIP ran on scaled rows, where HiGHS's tolerance of 10^-7 is worth up to a third of
    a dollar on a budget row; solvers would reject such a starting plan. The LP over the
    continuous columns, with every integer one fixed at its rounded value, in USD.
    """
    if seconds <= 0:
        return None
    a, cost, lb, ub, rl, ru = arrays.raw
    fixed = arrays.integer[cols]
    x = x.copy()
    x[fixed] = np.round(x[fixed])
    low, high = lb[cols].copy(), ub[cols].copy()
    low[fixed] = high[fixed] = x[fixed]
    lp = _highs_lp(a, cols, rows, cost[cols], low, high, rl[rows], ru[rows], None)
    h = _solved(lp, seconds)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    polished: FloatArray = np.asarray(h.getSolution().col_value)
    polished[fixed] = x[fixed]
    return polished


def _solved(lp: highspy.HighsLp, seconds: float, gap: float = 0.0, seed: int = 0
            ) -> highspy.Highs:
    """``lp`` solved by a quiet single-threaded HiGHS within ``seconds``."""
    h = new_highs(1, seed, gap, seconds)
    h.passModel(lp)
    run(h, seconds, WHAT)
    return h


def _highs_lp(a: sp.csr_matrix, cols: IntArray, rows: IntArray, cost: FloatArray,
              lower: FloatArray, upper: FloatArray, row_lower: FloatArray,
              row_upper: FloatArray, integer: npt.NDArray[np.bool_] | None) -> highspy.HighsLp:
    """The rows and columns of ``a`` as one HiGHS model (a MIP when ``integer`` is given)."""
    sub = a[rows][:, cols].tocsr()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cols), len(rows)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cols), len(rows)
    lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
    lp.a_matrix_.index_ = sub.indices.astype(np.int32)
    lp.a_matrix_.value_ = sub.data
    if integer is not None:
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(flag)] for flag in integer]
    return lp
