"""HiGHS through its array API: the helpers that the plan solver and the location core share.

:func:`new_highs` makes a quiet instance, :func:`run` solves it and cancels the backend
shortly after the time limit if it overruns it, :func:`read_mip` reads a finished MIP's
status, values, objective and bound. Nothing here knows either model.
"""

from __future__ import annotations

import threading
from typing import Literal

import highspy
import numpy as np
import numpy.typing as npt

from agroplan.errors import SolverError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Status = Literal["optimal", "feasible", "infeasible", "no_solution"]
GRACE_S = 2.0
"""The solve is cancelled this long after the time limit if the backend overruns it."""


def new_highs(threads: int, seed: int, gap: float, time_limit_s: float) -> highspy.Highs:
    """A quiet HiGHS instance with the given settings."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    return h


def as_highs_solution(values: FloatArray, n_var: int) -> highspy.HighsSolution:
    """Column values as a HiGHS starting solution."""
    solution = highspy.HighsSolution()
    solution.col_value = list(values[:n_var])
    solution.value_valid = True
    return solution


def read_mip(h: highspy.Highs) -> tuple[Status, FloatArray | None, float | None, float | None]:
    """Status, column values, objective and bound of a finished MIP solve."""
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
        return status, None, None, None
    return (status, np.asarray(h.getSolution().col_value),
            float(info.objective_function_value), float(info.mip_dual_bound))


def run(h: highspy.Highs, time_limit_s: float, what: str = "the location model") -> None:
    """Solve, cancelling the backend shortly after the limit if it overruns it.

    HiGHS keeps one thread pool per process, sized by the first solve that runs; a later
    solve asking for another number of threads fails at once. Such a failure resets the
    pool and the solve is run again.
    """
    status = _run_once(h, time_limit_s)
    if status == highspy.HighsStatus.kError:
        highspy.Highs.resetGlobalScheduler(True)
        status = _run_once(h, time_limit_s)
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS failed on {what}")


def _run_once(h: highspy.Highs, time_limit_s: float) -> highspy.HighsStatus:
    timer = threading.Timer(time_limit_s + GRACE_S, h.cancelSolve)
    timer.daemon = True
    timer.start()
    try:
        return h.run()
    finally:
        timer.cancel()
