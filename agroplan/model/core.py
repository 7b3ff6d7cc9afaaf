"""The model's index sets, variables and shared expressions (herd, spend, exports).

Constraint families (one module each) read an :class:`AgroModel` and add named
constraints to its MathOpt model; :func:`agroplan.model.build_model` calls them in order.
Variables exist only where they can be non-zero (land released, farm operational, pair
kept), so the model stays small.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.math_opt.python import mathopt

from agroplan.families import FAMILY_OF_PREFIX, UNIT_OF_PREFIX, prefix_of
from agroplan.inputs import PlanInputs
from agroplan.model.lookups import Lookups
from agroplan.periods import quarter_year

INF = float("inf")

Expr = mathopt.LinearExpression

SLACK_UB_INTEGER = 2.0**40
"""Upper bound of a slack when every variable must be integer (CP-SAT needs finite bounds)."""


@dataclass
class Variables:
    """Decision variables, keyed by string ids and quarter indices (see docs/model.md).

    ``b[s, k, t]`` farm of size k starts at site s in t; ``y[o, h, t]`` heifers origin -> hub;
    ``z[h, s, t]`` heifers hub -> site; ``x[j, t]`` houses; ``a[j, t]`` agro-town developed;
    ``q[o, h, t]`` timber origin -> hub (m3); ``w[s, j, t]`` workers of s living in j;
    ``carry[t]`` budget carried from t to t + 1 (USD, only with ``budget.carry_over``).
    """

    b: dict[tuple[str, int, int], mathopt.Variable] = field(default_factory=dict)
    y: dict[tuple[str, str, int], mathopt.Variable] = field(default_factory=dict)
    z: dict[tuple[str, str, int], mathopt.Variable] = field(default_factory=dict)
    x: dict[tuple[str, int], mathopt.Variable] = field(default_factory=dict)
    a: dict[tuple[str, int], mathopt.Variable] = field(default_factory=dict)
    q: dict[tuple[str, str, int], mathopt.Variable] = field(default_factory=dict)
    w: dict[tuple[str, str, int], mathopt.Variable] = field(default_factory=dict)
    carry: dict[int, mathopt.Variable] = field(default_factory=dict)

    def count(self) -> int:
        """Number of variables."""
        return sum(
            len(v) for v in (self.b, self.y, self.z, self.x, self.a, self.q, self.w, self.carry)
        )


@dataclass
class AgroModel:
    """A built model: the MathOpt model, its variables and the expressions families share.

    Attributes
    ----------
    inputs
        The plan inputs the model was built from.
    data
        Their scalars as plain dicts.
    model
        The MathOpt model.
    integer_flows
        True when every variable is integer (CP-SAT): timber and workers too.
    vars
        The decision variables.
    herd_terms
        ``(s, t)`` -> heifer-delivery variables whose sum is the herd of s at the end of t.
    spend
        ``(category, t)`` -> spend expression, USD.
    exports
        Calendar year -> Belarusian export value expression, USD.
    objectives
        ``families``, ``milk``, ``cost``, ``weighted`` -> objective expressions.
    constraints
        Constraint name -> the MathOpt constraint, for every constraint added with
        :meth:`add` (diagnosis and re-planning change their bounds by name).
    soft
        Family key (``constraints:`` in the config) -> penalty, for the families that may
        be violated; their constraints get a slack variable.
    slacks
        Constraint name -> its slack (violation) variable, for soft constraints.
    slack_units
        Constraint name -> the unit of its violation.
    units
        Constraint name -> its unit, where the family's unit does not say (milestones).
    exports_by_quarter
        Quarter index -> Belarusian export value expression, USD.
    """

    inputs: PlanInputs
    data: Lookups
    model: mathopt.Model
    integer_flows: bool
    vars: Variables
    herd_terms: dict[tuple[str, int], list[mathopt.Variable]] = field(default_factory=dict)
    spend: dict[tuple[str, int], mathopt.LinearExpression] = field(default_factory=dict)
    exports: dict[int, mathopt.LinearExpression] = field(default_factory=dict)
    objectives: dict[str, mathopt.LinearExpression] = field(default_factory=dict)
    constraints: dict[str, mathopt.LinearConstraint] = field(default_factory=dict)
    soft: dict[str, float] = field(default_factory=dict)
    slacks: dict[str, mathopt.Variable] = field(default_factory=dict)
    slack_units: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    exports_by_quarter: dict[int, mathopt.LinearExpression] = field(default_factory=dict)

    @property
    def periods(self) -> tuple[str, ...]:
        return self.inputs.periods

    @property
    def quarters(self) -> int:
        return len(self.inputs.periods)

    def herd(self, site: str, t: int) -> mathopt.LinearExpression:
        """Herd at ``site`` at the end of quarter ``t`` (heads; no losses modelled)."""
        return Expr(mathopt.fast_sum(self.herd_terms.get((site, t), [])))

    def add(
        self, name: str, expr: mathopt.LinearExpression, *, lb: float = -INF, ub: float = INF,
        unit: str | None = None,
    ) -> None:
        """Add the named constraint ``lb <= expr <= ub``.

        When its family is soft, a slack ``v >= 0`` relaxes the one finite side
        (``expr - v <= ub`` or ``expr + v >= lb``); ``v`` is the violation, in ``unit``
        (default: the family's unit).
        """
        prefix = prefix_of(name)
        family = FAMILY_OF_PREFIX.get(prefix)
        if unit is not None:
            self.units[name] = unit
        if family in self.soft and (lb == -INF) != (ub == INF):
            slack = (self.model.add_integer_variable(lb=0, ub=SLACK_UB_INTEGER, name=f"v:{name}")
                     if self.integer_flows else
                     self.model.add_variable(lb=0, ub=INF, name=f"v:{name}"))
            expr = Expr(expr - slack) if ub != INF else Expr(expr + slack)
            self.slacks[name] = slack
            self.slack_units[name] = unit or UNIT_OF_PREFIX.get(prefix, "")
        self.constraints[name] = self.model.add_linear_constraint(lb=lb, ub=ub, expr=expr,
                                                                  name=name)

    def penalty(self) -> mathopt.LinearExpression:
        """Objective points of the soft violations: ``sum penalty_f x slack``."""
        return Expr(mathopt.fast_sum(
            self.soft[FAMILY_OF_PREFIX[prefix_of(name)]] * slack
            for name, slack in self.slacks.items()
        ))


def years(periods: Iterable[str]) -> dict[int, list[int]]:
    """Calendar year -> quarter indices of the horizon in it."""
    found: dict[int, list[int]] = defaultdict(list)
    for t, label in enumerate(periods):
        found[quarter_year(label)].append(t)
    return dict(found)


def create_variables(
    inputs: PlanInputs, data: Lookups, model: mathopt.Model, integer_flows: bool
) -> Variables:
    """Create every decision variable with its bounds (see the :class:`Variables` keys)."""
    sc = inputs.scenario
    v = Variables()

    def cont(lb: float, ub: float, name: str) -> mathopt.Variable:
        if integer_flows:
            return model.add_integer_variable(lb=lb, ub=math.floor(ub), name=name)
        return model.add_variable(lb=lb, ub=ub, name=name)

    _create_farms_and_flows(inputs, data, model, v, cont)
    _create_houses(inputs, data, model, v)
    _create_workers(inputs, data, v, cont)
    if sc.budget.carry_over:
        for t in range(len(inputs.periods) - 1):
            v.carry[t] = cont(0, math.ceil(sum(data.budget)), f"carry[{inputs.periods[t]}]")
    return v


def _create_farms_and_flows(
    inputs: PlanInputs,
    data: Lookups,
    model: mathopt.Model,
    v: Variables,
    cont: Callable[[float, float, str], mathopt.Variable],
) -> None:
    """Farm starts, heifer flows and timber flows."""
    sc = inputs.scenario
    periods = inputs.periods
    n_t, build = len(periods), sc.farms.build_quarters
    for s in data.site_max:
        for k in data.sizes(sc.farms.sizes_heads, s):
            for t in range(data.site_from[s], n_t - build):
                v.b[s, k, t] = model.add_binary_variable(name=f"b[{s},{k},{periods[t]}]")
    for o, h in data.long_haul_km:
        for t, p in enumerate(periods):
            ub = min(data.heifers[o, p], data.hub_heads[h, p])
            if ub >= 1:
                v.y[o, h, t] = model.add_integer_variable(
                    lb=0, ub=math.floor(ub), name=f"y[{o},{h},{p}]"
                )
            ub = min(data.timber[o, p], data.hub_timber[h, p])
            if ub > 0 and sc.houses.timber_m3_per_house > 0:
                v.q[o, h, t] = cont(0, ub, f"q[{o},{h},{p}]")
    for h, s in data.hub_site_km:
        sizes = data.sizes(sc.farms.sizes_heads, s)
        for t in range(data.site_from[s] + build, n_t) if sizes else ():
            v.z[h, s, t] = model.add_integer_variable(
                lb=0, ub=max(sizes), name=f"z[{h},{s},{periods[t]}]"
            )


def _create_houses(
    inputs: PlanInputs, data: Lookups, model: mathopt.Model, v: Variables
) -> None:
    """Houses and agro-town development, from the quarter the land is released."""
    periods = inputs.periods
    for j in data.town_from:
        if data.house_cap(j) <= 0:
            continue
        for t in range(data.town_from[j], len(periods)):
            v.x[j, t] = model.add_integer_variable(
                lb=0, ub=data.house_cap(j), name=f"x[{j},{periods[t]}]"
            )
            v.a[j, t] = model.add_binary_variable(name=f"a[{j},{periods[t]}]")


def _create_workers(
    inputs: PlanInputs,
    data: Lookups,
    v: Variables,
    cont: Callable[[float, float, str], mathopt.Variable],
) -> None:
    """Workers exist where a herd can stand at the site and houses in the settlement."""
    per_family = inputs.scenario.houses.workers_per_family
    if inputs.scenario.farms.workers_per_100_head <= 0 or per_family <= 0:
        return
    herd_from: dict[str, int] = {}
    for _h, s, t in v.z:
        herd_from[s] = min(t, herd_from.get(s, t))
    houses_from: dict[str, int] = {}
    for j, t in v.x:
        houses_from[j] = min(t, houses_from.get(j, t))
    for s, j in zip(inputs.reach["site_id"], inputs.reach["settlement_id"], strict=True):
        s, j = str(s), str(j)
        if s not in herd_from or j not in houses_from:
            continue
        # at most every family of the settlement works at this one site
        ub = math.ceil(per_family * data.house_cap(j))
        for t in range(max(herd_from[s], houses_from[j]), len(inputs.periods)):
            v.w[s, j, t] = cont(0, ub, f"w[{s},{j},{inputs.periods[t]}]")


def collect_herd_terms(m: AgroModel) -> None:
    """Herd of site s at the end of t = deliveries to s in quarters up to t."""
    by_site: dict[str, list[tuple[int, mathopt.Variable]]] = defaultdict(list)
    for (_h, s, t), var in m.vars.z.items():
        by_site[s].append((t, var))
    for s, items in by_site.items():
        first = min(t for t, _ in items)
        for t in range(first, m.quarters):
            m.herd_terms[s, t] = [var for t2, var in items if t2 <= t]
