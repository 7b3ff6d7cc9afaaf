"""Family ``objective``: the weighted objective and the lexicographic levels.

Levels (docs/model.md): ``families`` = family-quarters housed within the horizon
(``sum (T - t) x[j,t]``, maximised), ``milk`` = head-quarters of milking herd within the
horizon (``sum herd[s,t]``, maximised), ``cost`` = USD spent (minimised). ``weighted`` =
``w_fam families + w_milk milk_t - w_cost cost`` (maximised), where ``milk_t`` =
``milk_kg_per_head_year / 4 / 1000 x sum herd[s,t]`` is tonnes of milk.

Soft constraint families add ``violations`` = ``sum penalty_f x slack`` (objective points):
the weighted objective subtracts it; a lexicographic objective minimises it first, as an
extra level before the configured priorities.
"""

from __future__ import annotations

from typing import Literal

from ortools.math_opt.python import mathopt

from agroplan.model.budget import quarter_spend
from agroplan.model.core import AgroModel, Expr

Level = Literal["families", "milk", "cost", "violations"]

MAXIMISED = {"families": True, "milk": True, "cost": False, "weighted": True,
             "violations": False}


def levels(m: AgroModel) -> list[str]:
    """Objectives solved in order: ``weighted``, or the lexicographic levels."""
    objective = m.inputs.scenario.objective
    if objective.kind == "weighted":
        return ["weighted"]
    return (["violations"] if m.slacks else []) + list(objective.priorities)


def milk_t_per_head_quarter(m: AgroModel) -> float:
    """Tonnes of milk one head gives in one quarter."""
    return m.inputs.scenario.farms.milk_kg_per_head_year / 4.0 / 1000.0


def collect_objectives(m: AgroModel) -> None:
    """Fill ``m.objectives`` with the level expressions and the weighted sum."""
    n_t = m.quarters
    families = Expr(mathopt.fast_sum((n_t - t) * var for (_j, t), var in m.vars.x.items()))
    # sum over t of herd[s,t] = each delivery counted in every quarter from its arrival on
    milk = Expr(mathopt.fast_sum((n_t - t) * var for (_h, _s, t), var in m.vars.z.items()))
    cost = Expr(mathopt.fast_sum(quarter_spend(m, t) for t in range(n_t)))
    w = m.inputs.scenario.objective.weights
    violations = m.penalty()
    m.objectives.update(
        families=families,
        milk=milk,
        cost=cost,
        violations=violations,
        weighted=Expr(
            w.family_quarter * families
            + w.milk_t * milk_t_per_head_quarter(m) * milk
            - w.cost_usd * cost
            - violations
        ),
    )


def set_objective(m: AgroModel, name: str) -> None:
    """Make ``name`` (a level or ``weighted``) the model's objective."""
    expr = m.objectives[name]
    if MAXIMISED[name]:
        m.model.maximize(expr)
    else:
        m.model.minimize(expr)


def hold_level(m: AgroModel, name: str, value: float, tolerance: float) -> None:
    """``objective.level[name]``: keep a solved level within ``tolerance`` of ``value``."""
    # an absolute floor keeps a level of 0 (no violation) from being held to exactly 0
    slack = max(tolerance * abs(value), 1e-6)
    if MAXIMISED[name]:
        m.add(f"objective.level[{name}]", m.objectives[name], lb=value - slack)
    else:
        m.add(f"objective.level[{name}]", m.objectives[name], ub=value + slack)
