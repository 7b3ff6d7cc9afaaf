"""Family ``budget``: spend per quarter and category, within the quarter's budget.

With ``budget.carry_over`` the constraint is cumulative (spend so far <= budget so far),
written with a carry variable per quarter so each row stays short:
``spend[t] + carry[t] - carry[t-1] <= Bud[t]`` with ``carry >= 0``, which is the same set.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr
from agroplan.plan.result import SPEND_CATEGORIES


def collect_spend(m: AgroModel) -> None:
    """Fill ``m.spend[(category, t)]`` (USD) from the variables."""
    sc = m.inputs.scenario
    n_t = m.quarters
    build = sc.farms.build_quarters
    terms: dict[tuple[str, int], list[mathopt.LinearTerm]] = defaultdict(list)
    for (_s, k, t0), var in m.vars.b.items():
        # construction paid evenly over the build; all at the start if it takes no time
        quarters = range(t0, min(n_t, t0 + build)) if build > 0 else range(t0, t0 + 1)
        share = sc.farms.cost_usd_per_place * k / max(build, 1)
        for t in quarters:
            terms["farms", t].append(share * var)
    for (o, h, t), var in m.vars.y.items():
        terms["heifers", t].append(sc.cattle.heifer_price_usd * var)
        km = m.data.long_haul_km[o, h]
        terms["long_haul", t].append(sc.cattle.long_haul_usd_per_head_km * km * var)
    for (h, s, t), var in m.vars.z.items():
        per_head = sc.cattle.truck_usd_per_head_km * m.data.hub_site_km[h, s]
        terms["trucking", t].append(per_head * var)
    for (_j, t), var in m.vars.x.items():
        terms["houses", t].append(sc.houses.cost_usd * var)
    for (_j, t), var in m.vars.a.items():
        terms["infrastructure", t].append(sc.agro_towns.infrastructure_usd * var)
    for category in SPEND_CATEGORIES:
        for t in range(n_t):
            m.spend[category, t] = Expr(mathopt.fast_sum(terms[category, t]))


def quarter_spend(m: AgroModel, t: int) -> mathopt.LinearExpression:
    """Total spend in quarter t, USD."""
    return Expr(mathopt.fast_sum(m.spend[c, t] for c in SPEND_CATEGORIES))


def add_budget(m: AgroModel) -> None:
    """``budget.per_quarter[t]``."""
    carry = m.vars.carry
    for t, p in enumerate(m.periods):
        expr = quarter_spend(m, t)
        if t in carry:
            expr = Expr(expr + carry[t])
        if t - 1 in carry:
            expr = Expr(expr - carry[t - 1])
        m.add(f"budget.per_quarter[{p}]", expr, ub=m.data.budget[t])
