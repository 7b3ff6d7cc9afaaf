"""The ``state.*`` rows: cumulative quantities as one variable per place and quarter.

``herd[s,t] = herd[s,t-1] + Σ_h z[h,s,t]``, ``standing[j,t] = standing[j,t-1] + x[j,t]`` and
``developed[j,t] = developed[j,t-1] + a[j,t]`` (the first quarter of each takes every
earlier decision). Rows that use a cumulative quantity then hold one term, not a sum over
every earlier quarter: on the generated XL scenario the matrix has half the non-zeros
(docs/performance.md). The polytope is the same, so plans and bounds are unchanged.

:func:`state_values` computes the states of a plan given by its decisions (the warm start
needs a value for every variable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, MutableMapping

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def _inflows(m: AgroModel) -> dict[str, dict[tuple[str, int], list[tuple[float,
                                                                          mathopt.Variable]]]]:
    """State family -> (place, quarter) -> the ``(coefficient, decision)`` added in it.

    A decision taken before a state's first quarter counts in that first quarter.
    """
    first: dict[tuple[str, str], int] = {}
    for kind, states in (("herd", m.vars.herd), ("standing", m.vars.standing)):
        for place, t in states:
            first[kind, place] = min(t, first.get((kind, place), t))
    flows: dict[str, dict[tuple[str, int], list[tuple[float, mathopt.Variable]]]] = {
        name: defaultdict(list) for name in ("herd", "standing", "developed")}
    for (_h, s, t), var in m.vars.z.items():
        flows["herd"][s, max(t, first["herd", s])].append((1.0, var))
    for (j, t), var in m.vars.x.items():
        flows["standing"][j, max(t, first["standing", j])].append((1.0, var))
    for (j, t), var in m.vars.a.items():
        flows["developed"][j, max(t, first["standing", j])].append((1.0, var))
    return flows


def _families(m: AgroModel) -> dict[str, dict[tuple[str, int], mathopt.Variable]]:
    v = m.vars
    return {"herd": v.herd, "standing": v.standing, "developed": v.developed}


def add_states(m: AgroModel) -> None:
    """``state.<name>[place,t]``: ``state[t] - state[t-1] - inflow[t] = 0``."""
    flows = _inflows(m)
    for name, states in _families(m).items():
        inflow = flows[name]
        for (place, t), var in states.items():
            before = states.get((place, t - 1))
            expr = var - mathopt.fast_sum(c * d for c, d in inflow.get((place, t), []))
            if before is not None:
                expr = expr - before
            m.add(f"state.{name}[{place},{m.periods[t]}]", Expr(expr), lb=0, ub=0)


def state_values(m: AgroModel, values: MutableMapping[mathopt.Variable, float]) -> None:
    """Set in ``values`` every state variable implied by the decisions in it (0 if absent)."""
    flows = _inflows(m)
    for name, states in _families(m).items():
        inflow = flows[name]
        for (place, t), var in sorted(states.items(), key=lambda item: item[0][1]):
            before = states.get((place, t - 1))
            values[var] = (values[before] if before is not None else 0.0) + sum(
                c * _value(values, d) for c, d in inflow.get((place, t), []))


def _value(values: Mapping[mathopt.Variable, float], var: mathopt.Variable) -> float:
    return float(values.get(var, 0.0))
