"""Families ``cattle``, ``supply.heifers`` and ``hubs.capacity_heads``: heifer flows.

Heifers go origin -> hub (``y``) -> site (``z``); a hub holds no stock, so what enters it
in a quarter leaves it in the same quarter. A farm's herd is every heifer delivered to it
so far and never exceeds the capacity of the farm operational by then.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_cattle(m: AgroModel) -> None:
    """Add herd limits, hub balances, origin supplies and hub capacities."""
    _herd_within_size(m)
    _hub_balance(m)
    _supply_and_capacity(m)


def _herd_within_size(m: AgroModel) -> None:
    """``cattle.herd_within_size[s,t]``: ``herd[s,t] - cap[s,t] <= 0``."""
    build = m.inputs.scenario.farms.build_quarters
    starts: dict[str, list[tuple[int, int, mathopt.Variable]]] = defaultdict(list)
    for (s, k, t), var in m.vars.b.items():
        starts[s].append((t, k, var))
    for (s, t), terms in sorted(m.herd_terms.items()):
        capacity = [k * var for t0, k, var in starts.get(s, []) if t0 <= t - build]
        expr = Expr(mathopt.fast_sum(terms) - mathopt.fast_sum(capacity))
        m.add(f"cattle.herd_within_size[{s},{m.periods[t]}]", expr, ub=0)


def _hub_balance(m: AgroModel) -> None:
    """``cattle.hub_balance[h,t]``: heifers into hub h in t = heifers out of it."""
    inflow: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    outflow: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    for (_o, h, t), var in m.vars.y.items():
        inflow[h, t].append(var)
    for (h, _s, t), var in m.vars.z.items():
        outflow[h, t].append(var)
    for h, t in sorted(set(inflow) | set(outflow)):
        expr = Expr(mathopt.fast_sum(inflow[h, t]) - mathopt.fast_sum(outflow[h, t]))
        m.add(f"cattle.hub_balance[{h},{m.periods[t]}]", expr, lb=0, ub=0)


def _supply_and_capacity(m: AgroModel) -> None:
    """``supply.heifers[o,t]`` and ``hubs.capacity_heads[h,t]``."""
    by_origin: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    by_hub: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    for (o, h, t), var in m.vars.y.items():
        by_origin[o, t].append(var)
        by_hub[h, t].append(var)
    for (o, t), terms in sorted(by_origin.items()):
        p = m.periods[t]
        limit = m.data.heifers[o, p]
        m.add(f"supply.heifers[{o},{p}]", Expr(mathopt.fast_sum(terms)), ub=limit)
    for (h, t), terms in sorted(by_hub.items()):
        p = m.periods[t]
        limit = m.data.hub_heads[h, p]
        m.add(f"hubs.capacity_heads[{h},{p}]", Expr(mathopt.fast_sum(terms)), ub=limit)
