"""Families ``supply.timber``, ``hubs.capacity_timber`` and ``houses.timber``.

Every house needs ``houses.timber_m3_per_house`` of Belarusian sawn timber, shipped in
the quarter the house is built, origin -> hub, within supplies and hub capacities.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_timber(m: AgroModel) -> None:
    """Timber supply per origin, capacity per hub, and timber shipped = timber needed."""
    per_house = m.inputs.scenario.houses.timber_m3_per_house
    by_origin: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    by_hub: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    shipped: dict[int, list[mathopt.Variable]] = defaultdict(list)
    built: dict[int, list[mathopt.Variable]] = defaultdict(list)
    for (o, h, t), var in m.vars.q.items():
        by_origin[o, t].append(var)
        by_hub[h, t].append(var)
        shipped[t].append(var)
    for (_j, t), var in m.vars.x.items():
        built[t].append(var)
    for (o, t), terms in sorted(by_origin.items()):
        p = m.periods[t]
        m.add(
            f"supply.timber[{o},{p}]",
            Expr(mathopt.fast_sum(terms)),
            ub=m.data.timber[o, p],
        )
    for (h, t), terms in sorted(by_hub.items()):
        p = m.periods[t]
        m.add(
            f"hubs.capacity_timber[{h},{p}]",
            Expr(mathopt.fast_sum(terms)),
            ub=m.data.hub_timber[h, p],
        )
    if per_house <= 0:
        return
    for t in sorted(set(shipped) | set(built)):
        expr = Expr(mathopt.fast_sum(shipped[t]) - per_house * mathopt.fast_sum(built[t]))
        m.add(f"houses.timber[{m.periods[t]}]", expr, lb=0, ub=0)
