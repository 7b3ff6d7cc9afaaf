"""Family ``workforce``: farm workers live in houses within commuting reach of their farm."""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_workforce(m: AgroModel) -> None:
    """``workforce.demand[s,t]`` and ``workforce.supply[j,t]``.

    Demand: workers assigned to s >= ``workers_per_100_head``/100 x herd[s,t].
    Supply: workers living in j <= ``workers_per_family`` x houses standing in j.
    """
    sc = m.inputs.scenario
    per_head = sc.farms.workers_per_100_head / 100.0
    if per_head <= 0:
        return
    per_family = sc.houses.workers_per_family
    at_site: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    at_home: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    for (s, j, t), var in m.vars.w.items():
        at_site[s, t].append(var)
        at_home[j, t].append(var)
    for s, t in sorted(m.herd_terms):
        expr = Expr(mathopt.fast_sum(at_site[s, t]) - per_head * m.herd(s, t))
        m.add(f"workforce.demand[{s},{m.periods[t]}]", expr, lb=0)
    houses: dict[str, list[tuple[int, mathopt.Variable]]] = defaultdict(list)
    for (j, t), var in m.vars.x.items():
        houses[j].append((t, var))
    for j, t in sorted(at_home):
        standing = mathopt.fast_sum(v for t2, v in houses[j] if t2 <= t)
        expr = Expr(mathopt.fast_sum(at_home[j, t]) - per_family * standing)
        m.add(f"workforce.supply[{j},{m.periods[t]}]", expr, ub=0)
