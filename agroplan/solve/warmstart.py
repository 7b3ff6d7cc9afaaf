"""A starting plan and a bound for large models, passed to the solver as a solution hint.

On large scenarios the MIP solvers can spend their whole time limit without finding
anything better than the empty plan. :func:`greedy_hint` builds, in one pass over the
quarters, a plan that satisfies every hard constraint of the model: agro-towns and houses
only (no farms), as many and as early as budget, timber supply, hub capacity, plots and
returning families allow, settlements already developed first, then the largest ones.
The solver checks the hint itself and ignores it if it is not feasible (for example when
a milestone or trade target is enforced that houses alone do not reach).

:func:`agroplan.solve.decompose.solve_by_places` then solves the LP relaxation by column
generation over sites and settlements, which also proves a bound, and the MIP over the
places the LP uses with the yes/no decisions it leaves at 0 fixed; its plan, a plan of the
whole model too, becomes the hint when it is better than the greedy one. The bound holds
for the model's first objective and is reported with the plan when it is better than the
solver's own (on the generated XL scenario the solver does not finish its root LP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.math_opt.python import mathopt

from agroplan.errors import SolverError
from agroplan.model.core import AgroModel
from agroplan.solve.decompose import solve_by_places

HINT_MIN_VARIABLES = 50_000
"""Models with at least this many variables get a warm start; smaller ones are solved
well from scratch, and their plans stay exactly those found without one."""
SHARE_OF_TIME = 0.6
"""Share of the remaining time limit the warm start may use."""
LP_SHARE = 0.7
"""Share of the warm start's time the LP rounds may use (the MIP over the places the LP
uses gets the rest)."""


@dataclass(frozen=True)
class WarmStart:
    """A plan to start from and, when proven, a bound on the model's first objective."""

    hint: dict[mathopt.Variable, float]
    bound: float | None


def warm_start(m: AgroModel, seconds: float, seed: int = 0) -> WarmStart | None:
    """A starting plan for large models (``None`` for small ones, see ``solver.warm_start``).

    The better of the greedy plan of :func:`greedy_hint` and the plan of
    :func:`~agroplan.solve.decompose.solve_by_places`, found within :data:`SHARE_OF_TIME` of
    ``seconds`` (HiGHS solves both steps, whatever the backend), with the LP bound.
    """
    when = m.inputs.scenario.solver.warm_start
    if when == "never" or (when == "auto"
                           and m.model.get_num_variables() < HINT_MIN_VARIABLES):
        return None
    greedy = greedy_hint(m)
    try:
        found = solve_by_places(m, SHARE_OF_TIME * seconds, LP_SHARE,
                                m.inputs.scenario.solver.relative_gap, seed)
    except SolverError:  # a failed warm start only means starting from the greedy plan
        return WarmStart(greedy, None)
    hint = greedy
    if found.values is not None and _objective(m, found.values) > _objective(m, greedy):
        hint = found.values
    return WarmStart(hint, found.bound)


def greedy_hint(m: AgroModel) -> dict[mathopt.Variable, float]:
    """Values of every variable of a greedy houses-only plan (see the module docstring).

    Parameters
    ----------
    m
        A built model.

    Returns
    -------
    dict
        Variable -> value, for every variable of ``m.model`` (0 where the plan leaves it).
    """
    sc = m.inputs.scenario
    v = m.vars
    values: dict[mathopt.Variable, float] = dict.fromkeys(m.model.variables(), 0.0)
    per_house = sc.houses.timber_m3_per_house
    house_usd = sc.houses.cost_usd
    town_usd = sc.agro_towns.infrastructure_usd
    left = {j: m.data.house_cap(j) for j, _t in v.x}
    developed: set[str] = set()
    carry = 0.0
    for t in range(m.quarters):
        money = m.data.budget[t] + carry
        routes = sorted((o, h) for o, h, t2 in v.q if t2 == t)
        timber = _timber_room(m, routes, t)
        limit = math.floor(timber / per_house + 1e-9) if per_house > 0 else 10**12
        open_here = [j for j, t2 in v.x if t2 == t and left[j] > 0]
        # developed settlements first, then the largest remaining ones (ties: id)
        open_here.sort(key=lambda j: (j not in developed, -left[j], j))
        spent = 0.0
        built = 0
        for j in open_here:
            fixed = 0.0 if j in developed else town_usd
            room = min(left[j], limit - built,
                       math.floor((money - spent - fixed) / house_usd + 1e-9))
            if room <= 0:
                continue
            if j not in developed:
                values[v.a[j, t]] = 1.0
                developed.add(j)
            values[v.x[j, t]] = float(room)
            left[j] -= room
            built += room
            spent += fixed + room * house_usd
        _ship(m, routes, t, built * per_house, values)
        if t in v.carry:
            carry = money - spent
            values[v.carry[t]] = max(0.0, math.floor(carry) if m.integer_flows else carry)
            carry = values[v.carry[t]]
        else:
            carry = 0.0
    return values


def _timber_room(m: AgroModel, routes: list[tuple[str, str]], t: int) -> float:
    """Timber that can be shipped in quarter t (origin supplies and hub capacities)."""
    p = m.periods[t]
    origins = {o for o, _h in routes}
    hubs = {h for _o, h in routes}
    complete = len(routes) == len(origins) * len(hubs)
    supply = sum(m.data.timber[o, p] for o in origins)
    capacity = sum(m.data.hub_timber[h, p] for h in hubs)
    if complete:
        return float(min(supply, capacity))
    return _ship(m, routes, t, math.inf, None)


def _ship(m: AgroModel, routes: list[tuple[str, str]], t: int, amount: float,
          values: dict[mathopt.Variable, float] | None) -> float:
    """Ship up to ``amount`` in quarter t along ``routes``; the amount shipped."""
    p = m.periods[t]
    origin_left = {o: m.data.timber[o, p] for o, _h in routes}
    hub_left = {h: m.data.hub_timber[h, p] for _o, h in routes}
    shipped = 0.0
    for o, h in routes:
        take = min(origin_left[o], hub_left[h], amount - shipped)
        if m.integer_flows:
            take = math.floor(take)
        if take <= 0:
            continue
        origin_left[o] -= take
        hub_left[h] -= take
        shipped += take
        if values is not None:
            values[m.vars.q[o, h, t]] = take
    return shipped


def _objective(m: AgroModel, values: dict[mathopt.Variable, float]) -> float:
    """The model's objective at ``values``, larger is better."""
    objective = m.model.objective
    value = float(objective.offset) + sum(
        float(term.coefficient) * values.get(term.variable, 0.0)
        for term in objective.linear_terms())
    return value if bool(objective.is_maximize) else -value
