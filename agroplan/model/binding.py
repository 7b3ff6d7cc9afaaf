"""Binding constraints of a solved plan and their marginal values.

A capacity, budget, supply, target or milestone *binds* when the plan uses all of it
(its activity is at its limit, or beyond it for a violated soft constraint). Its
marginal value is how much the objective would improve per unit the limit is relaxed:
the dual value of the constraint in the LP that keeps the plan's yes/no decisions (which
farms start when, which agro-towns are developed) and relaxes the counts (heifers,
houses) to continuous values, the usual way to price a mixed-integer plan. Units:
objective points per unit of the constraint (with the weighted objective, points divided
by ``objective.weights.cost_usd`` are USD-equivalent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ortools.math_opt.python import mathopt

from agroplan.families import FAMILY_OF_PREFIX, UNIT_OF_PREFIX, prefix_of
from agroplan.model.core import INF, AgroModel

Row = tuple[str, str, str, str, float, float, float, str]
"""(constraint, family, where, period, activity, limit, marginal_value, unit)"""

AT_LIMIT = 1e-6
"""Relative distance to the limit below which a constraint binds."""


def binding_rows(m: AgroModel, result: mathopt.SolveResult, time_limit_s: float = 30.0
                 ) -> list[Row]:
    """The binding constraints of the solution in ``result``, with marginal values.

    The model is changed (binaries fixed, integrality dropped), so call this last.
    """
    values = result.variable_values()
    slack_vars = set(m.slacks.values())
    found: list[tuple[str, mathopt.LinearConstraint, float, float, bool]] = []
    for name, constraint in m.constraints.items():
        prefix = prefix_of(name)
        if prefix not in FAMILY_OF_PREFIX:
            continue
        activity = sum(term.coefficient * values[term.variable] for term in constraint.terms()
                       if term.variable not in slack_vars)
        upper = constraint.upper_bound != INF
        limit = constraint.upper_bound if upper else constraint.lower_bound
        beyond = activity - limit if upper else limit - activity
        if beyond >= -AT_LIMIT * max(1.0, abs(limit)):
            found.append((name, constraint, activity, limit, upper))
    if not found:
        return []
    duals = _lp_duals(m, values, [c for _n, c, *_ in found], time_limit_s)
    sign = 1.0 if _maximised(m) else -1.0
    periods = set(m.periods)
    rows: list[Row] = []
    for name, constraint, activity, limit, upper in found:
        dual = duals.get(constraint)
        marginal = float("nan") if dual is None else _clean(sign * dual * (1.0 if upper else -1.0))
        if abs(limit) < 1e-9 and marginal == 0.0:
            continue  # a balance row at 0 with no value (e.g. exactly the workers needed)
        prefix, _, inside = name.partition("[")
        parts = inside.rstrip("]").split(",") if inside else []
        period = next((p for p in parts if p in periods), "")
        where = ",".join(p for p in parts if p != period)
        unit = m.units.get(name) or UNIT_OF_PREFIX.get(prefix, "")
        rows.append((name, FAMILY_OF_PREFIX[prefix], where, period, _clean(float(activity)),
                     float(limit), marginal, unit))
    return rows


def _clean(value: float) -> float:
    """Round solver noise (|x| < 1e-9) to 0."""
    return 0.0 if abs(value) < 1e-9 else value


def _maximised(m: AgroModel) -> bool:
    return bool(m.model.objective.is_maximize)


def _lp_duals(m: AgroModel, values: Mapping[mathopt.Variable, float],
              constraints: list[mathopt.LinearConstraint], time_limit_s: float
              ) -> dict[mathopt.LinearConstraint, float]:
    """Duals of ``constraints`` in the LP with the binary decisions fixed at ``values``."""
    for var in m.model.variables():
        if var.integer:
            if var.lower_bound == 0 and var.upper_bound == 1:
                fixed = float(round(values[var]))
                var.lower_bound = var.upper_bound = fixed
            var.integer = False
    params = mathopt.SolveParameters(time_limit=dt.timedelta(seconds=time_limit_s))
    result = mathopt.solve(m.model, mathopt.SolverType.HIGHS, params=params)
    if result.termination.reason != mathopt.TerminationReason.OPTIMAL:
        return {}
    return dict(zip(constraints, result.dual_values(constraints), strict=True))
