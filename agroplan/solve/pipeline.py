"""Solve a scenario's plan inputs: checks -> build -> solve (level by level) -> Plan.

Status is explicit and a time-out is never an exception: ``optimal``, ``feasible`` (the
time limit stopped the solver with a gap), ``infeasible`` (the solver proved no plan
exists) or ``no_solution`` (nothing found within the limit). Pre-solve checks that
prove infeasibility raise :class:`~agroplan.errors.InfeasibleError` with what is short.

The time limit is passed to the backend, which stops with its best plan and bound. For
HiGHS and CP-SAT an interrupter also fires shortly after the limit in case the backend
overruns it (OR-Tools 9.15's HiGHS ignores it; SCIP's would print an error, so SCIP gets
none); the best plan found is kept either way.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ortools.math_opt.python import mathopt
from ortools.sat import sat_parameters_pb2
from ortools.util.python.solve_interrupter import SolveInterrupter

from agroplan.errors import InfeasibleError, SolverError
from agroplan.families import FAMILY_OF_PREFIX, prefix_of
from agroplan.inputs import PlanInputs
from agroplan.model import build_model
from agroplan.model.binding import binding_rows
from agroplan.model.core import AgroModel
from agroplan.model.kpis import compute_kpis
from agroplan.model.objective import MAXIMISED, hold_level, set_objective
from agroplan.model.objective import levels as model_levels
from agroplan.model.precheck import Finding, check_inputs
from agroplan.model.tables import Decisions, binding_table, build_tables
from agroplan.plan.result import Plan, Status
from agroplan.solve.warmstart import warm_start

__all__ = ["Finding", "Progress", "check_inputs", "solve"]

Backend = Literal["highs", "scip", "cpsat"]
Progress = Callable[[str, Mapping[str, Any]], None]
"""``progress(event, info)``; events: ``check`` (message), ``build`` (variables,
constraints, seconds), ``level`` (name), ``log`` (line, the solver's own log),
``solved`` (level, status, objective, best_bound, relative_gap, seconds), ``binding``
(constraints, seconds)."""

SOLVER_TYPES = {
    "highs": mathopt.SolverType.HIGHS,
    "scip": mathopt.SolverType.GSCIP,
    "cpsat": mathopt.SolverType.CP_SAT,
}
VIOLATION_TOLERANCE = 1e-6
"""Slacks at or below this are solver noise, not violations."""
GRACE_S = 2.0  # the interrupter fires this long after the limit if the backend overruns


@dataclass(frozen=True)
class Settings:
    """Solver settings after merging arguments over the scenario's ``solver`` section."""

    backend: Backend
    time_limit_s: float
    relative_gap: float
    threads: int
    seed: int


@dataclass
class LevelResult:
    status: Status
    objective: float | None
    best_bound: float | None
    result: mathopt.SolveResult | None


def solve(
    inputs: PlanInputs,
    *,
    backend: Backend | None = None,
    time_limit_s: float | None = None,
    relative_gap: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    prepare: Callable[[AgroModel], None] | None = None,
) -> Plan:
    """Find the best plan of ``inputs`` (arguments left ``None`` come from the scenario).

    ``prepare(model)``, when given, runs after the model is built and before it is solved
    (re-planning fixes the past decisions there).

    Returns
    -------
    Plan
        With its status; tables and KPIs are filled when a solution was found.

    Raises
    ------
    InfeasibleError
        When a pre-solve check proves that no plan exists.
    SolverError
        When the backend fails (not for a time-out).
    """
    cfg = inputs.scenario.solver
    settings = Settings(
        backend=backend or cfg.backend,
        time_limit_s=float(time_limit_s if time_limit_s is not None else cfg.time_limit_s),
        relative_gap=float(relative_gap if relative_gap is not None else cfg.relative_gap),
        threads=int(threads if threads is not None else cfg.threads),
        seed=int(seed if seed is not None else cfg.seed),
    )
    if settings.backend not in SOLVER_TYPES:
        raise SolverError(f"unknown solver {settings.backend!r}; use highs, scip or cpsat")
    report = progress or (lambda _event, _info: None)
    findings = check_inputs(inputs)
    for finding in findings:
        report("check", {"family": finding.family, "message": finding.message,
                         "blocking": finding.blocking})
    blocking = [f.message for f in findings if f.blocking]
    if blocking:
        raise InfeasibleError(blocking)

    started = time.perf_counter()
    m = build_model(inputs, integer_flows=settings.backend == "cpsat")
    if prepare is not None:
        prepare(m)
    report("build", {"variables": m.model.get_num_variables(),
                     "constraints": m.model.get_num_linear_constraints(),
                     "seconds": time.perf_counter() - started})
    solve_started = time.perf_counter()
    final = _solve_levels(m, settings, report, deadline=solve_started + settings.time_limit_s)
    seconds = time.perf_counter() - solve_started
    plan = Plan(
        scenario=inputs.scenario.name,
        status=final.status,
        solver=settings.backend,
        objective=final.objective,
        best_bound=final.best_bound,
        relative_gap=_gap(final.objective, final.best_bound),
        solve_seconds=seconds,
        periods=inputs.periods,
    )
    if final.result is None or final.status not in ("optimal", "feasible"):
        return plan
    decisions = extract_decisions(m, final.result)
    tables = build_tables(inputs, decisions)
    started = time.perf_counter()
    tables["binding"] = binding_table(binding_rows(m, final.result))
    report("binding", {"constraints": len(tables["binding"]),
                       "seconds": time.perf_counter() - started})
    return Plan(**{**plan.__dict__, "tables": tables, "kpis": compute_kpis(inputs, decisions)})


def _solve_levels(m: AgroModel, settings: Settings, report: Progress, deadline: float
                  ) -> LevelResult:
    """Weighted: one solve. Lexicographic: one solve per level, each holding the earlier ones."""
    objective = m.inputs.scenario.objective
    levels = model_levels(m)
    stopped_early = False
    last = LevelResult("no_solution", None, None, None)
    # large models start from a warm start (agroplan/solve/warmstart.py); later levels from the last
    start = warm_start(m, deadline - time.perf_counter(), settings.seed)
    hint = start.hint if start is not None else None
    for i, level in enumerate(levels):
        set_objective(m, level)
        report("level", {"name": level})
        last = _solve_once(m, settings, report, max(0.0, deadline - time.perf_counter()), hint)
        if i == 0 and start is not None and start.bound is not None:
            last = _with_bound(last, start.bound, MAXIMISED[level], settings.relative_gap)
        report("solved", {"level": level, "status": last.status, "objective": last.objective,
                          "best_bound": last.best_bound,
                          "relative_gap": _gap(last.objective, last.best_bound)})
        if last.status not in ("optimal", "feasible"):
            return last
        stopped_early = stopped_early or last.status == "feasible"
        if i + 1 < len(levels) and last.result is not None and last.objective is not None:
            hold_level(m, level, last.objective, objective.tolerance)
            # this level's plan satisfies the next level's constraints: start from it
            hint = {v: (round(x) if v.integer else x)
                    for v, x in last.result.variable_values().items()}
    if stopped_early:
        last.status = "feasible"
    return last


def _with_bound(last: LevelResult, bound: float, maximised: bool, relative_gap: float
                ) -> LevelResult:
    """``last`` with the warm start's bound where it is tighter than the solver's.

    The warm start proves its bound for the model's first objective (the LP relaxation,
    agroplan/solve/decompose.py); a plan within the gap target of it is optimal.
    """
    if last.objective is None or last.best_bound is None:
        return last
    tighter = min(last.best_bound, bound) if maximised else max(last.best_bound, bound)
    status = last.status
    gap = _gap(last.objective, tighter)
    if status == "feasible" and gap is not None and gap <= relative_gap:
        status = "optimal"
    return LevelResult(status, last.objective, tighter, last.result)


def _parameters(settings: Settings, seconds: float) -> mathopt.SolveParameters:
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=max(seconds, 0.01)),
        relative_gap_tolerance=settings.relative_gap,
        random_seed=settings.seed,
    )
    # HiGHS: no thread setting. MathOpt rejects the generic one, and HiGHS's own `threads`
    # option is fixed for the process once set (a second value fails); its MIP search is
    # serial anyway. SCIP is single-threaded.
    if settings.backend == "cpsat":
        params.threads = settings.threads
        params.cp_sat = sat_parameters_pb2.SatParameters(linearization_level=2)
    return params


def _solve_once(m: AgroModel, settings: Settings, report: Progress, seconds: float,
                hint: Mapping[mathopt.Variable, float] | None = None) -> LevelResult:
    # SCIP's interrupter support prints an error in OR-Tools 9.15; SCIP keeps its own limit
    interrupter = SolveInterrupter() if settings.backend != "scip" else None
    timer = threading.Timer(seconds + GRACE_S, interrupter.interrupt if interrupter else _noop)
    timer.daemon = True
    timer.start()
    try:
        result = mathopt.solve(
            m.model, SOLVER_TYPES[settings.backend], params=_parameters(settings, seconds),
            msg_cb=lambda lines: _forward(report, lines),
            interrupter=interrupter,
            model_params=mathopt.ModelSolveParameters(
                solution_hints=[mathopt.SolutionHint(variable_values=dict(hint))]
            ) if hint else None,
        )
    except Exception as exc:  # the backend's errors become a domain error
        raise SolverError(f"{settings.backend} failed: {exc}; try another --solver") from exc
    finally:
        timer.cancel()
    return LevelResult(_status(result, settings.backend), *_figures(result), result)


def _noop() -> None:
    return None


def _forward(report: Progress, lines: Sequence[str]) -> None:
    for line in lines:
        report("log", {"line": line})


def _status(result: mathopt.SolveResult, backend: str) -> Status:
    reason = result.termination.reason
    has_solution = result.has_primal_feasible_solution()
    reasons = mathopt.TerminationReason
    if reason == reasons.OPTIMAL:
        return "optimal"
    if reason in (reasons.INFEASIBLE, reasons.INFEASIBLE_OR_UNBOUNDED):
        return "infeasible"
    if has_solution:
        return "feasible"
    if reason in (reasons.NO_SOLUTION_FOUND, reasons.FEASIBLE):
        return "no_solution"
    raise SolverError(f"{backend} stopped without a plan ({reason.name}: "
                      f"{result.termination.detail}); try another --solver")


def _figures(result: mathopt.SolveResult) -> tuple[float | None, float | None]:
    if not result.has_primal_feasible_solution():
        return None, None
    bounds = result.termination.objective_bounds
    return float(result.objective_value()), float(bounds.dual_bound)


def _gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap; None when unknown or when the objective is ~0 (a share of ~0 means
    nothing: the command line shows the absolute gap |bound - objective| instead)."""
    if objective is None or bound is None or abs(bound) == float("inf"):
        return None
    if abs(objective) < 1e-6:
        return 0.0 if abs(bound - objective) < 1e-6 else None
    return abs(bound - objective) / abs(objective)


def extract_decisions(m: AgroModel, result: mathopt.SolveResult) -> Decisions:
    """Read the solution; integral decisions are rounded to ints."""
    v = m.vars

    def ints(variables: Mapping[Any, mathopt.Variable]) -> dict[Any, int]:
        values = result.variable_values(list(variables.values())) if variables else []
        return {k: round(x) for k, x in zip(variables, values, strict=True) if round(x) != 0}

    def floats(variables: Mapping[Any, mathopt.Variable]) -> dict[Any, float]:
        values = result.variable_values(list(variables.values())) if variables else []
        return {k: float(x) for k, x in zip(variables, values, strict=True) if abs(x) > 1e-9}

    towns = {j: t for (j, t), n in sorted(ints(v.a).items(), key=lambda item: item[0][1])
             if n > 0}
    slack_values = floats(m.slacks)
    violations = {
        name: (amount, m.slack_units[name], m.soft[FAMILY_OF_PREFIX[prefix_of(name)]])
        for name, amount in slack_values.items() if amount > VIOLATION_TOLERANCE
    }
    return Decisions(
        farms=sorted((s, k, t) for (s, k, t), n in ints(v.b).items() if n > 0),
        heifers_in=ints(v.y),
        heifers_out=ints(v.z),
        houses=ints(v.x),
        towns=towns,
        timber=floats(v.q),
        workers=floats(v.w),
        violations=violations,
    )
