"""Why a scenario has no plan, in the config's own words.

:func:`explain` finds a minimal set of conflicting constraint *groups* — the config
entries a modeler can change: ``budget.usd_per_quarter``, ``supply.heifer_factor``, one
milestone, one trade target, … (see :data:`agroplan.families.CONFIG_KEYS`) — with the
open-source solvers in OR-Tools:

1. **Elastic relaxation.** Every hard constraint of a group gets a violation variable;
   minimising the total (each scaled by its limit) tells whether the groups can explain
   the infeasibility at all (if even the fully relaxed model has no solution, the cause
   is structural and the pre-solve checks say more).
2. **Deletion filter.** Starting from every group, each group is dropped in turn (its
   violations left free); if the rest still has no plan, the group is not needed and
   stays dropped. What remains is irreducible: relaxing any one group restores a plan.
3. **Amounts.** For each group of the set, the smallest violation that restores a plan
   with every other group as configured: "budget.usd_per_quarter 2027Q2 is 1.5 M USD;
   a plan needs at least 1.8 M USD by then".

Groups that the scenario already makes soft never cause infeasibility and are left out.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.math_opt.python import mathopt

from agroplan.config.scenario import Scenario
from agroplan.config.sections import CONSTRAINT_FAMILIES
from agroplan.families import CONFIG_KEYS, FAMILY_OF_PREFIX, prefix_of
from agroplan.inputs import PlanInputs
from agroplan.model import build_model
from agroplan.model.core import AgroModel
from agroplan.model.precheck import check_inputs

ZERO = 1e-6
"""Scaled violation below which a model counts as satisfied."""

LAYER_OF_PREFIX = {
    "supply.heifers": "origins", "supply.timber": "origins", "hubs.capacity_heads": "hubs",
    "hubs.capacity_timber": "hubs", "houses.max_houses": "settlements",
    "houses.returning_families": "settlements",
}
"""Constraint prefixes whose limit comes (partly) from a layer rather than the config."""


@dataclass(frozen=True)
class Item:
    """One constraint of a conflicting group and how far it must move."""

    constraint: str
    where: str
    period: str
    limit: float
    needed: float
    """The limit a plan needs (limit + violation for an upper limit, - for a lower one)."""
    amount: float
    unit: str


@dataclass(frozen=True)
class Conflict:
    """A config entry in the irreducible set."""

    group: str
    """Group id: a family key, ``milestones.<i>`` or ``trade.targets.<i>``."""
    config_key: str
    """What to edit: the dotted config key(s) or the layer column."""
    file: str
    """The file that sets it (or ``--set``)."""
    description: str
    items: tuple[Item, ...] = ()
    restores: bool = True
    """False when relaxing this group alone does not restore a plan (another conflict)."""
    conflict: int = 1
    """Which independent conflict (1, 2, ...) the group belongs to."""


@dataclass(frozen=True)
class Explanation:
    """The outcome of :func:`explain`."""

    scenario: str
    feasible: bool
    conflicts: tuple[Conflict, ...] = ()
    findings: tuple[str, ...] = ()
    """Pre-solve findings that prove infeasibility on their own."""
    structural: bool = False
    """True when no config group can explain it (the relaxed model has no plan either)."""
    certain: bool = True
    """False when a solve ran out of time, so the set may not be minimal."""
    notes: tuple[str, ...] = ()
    """Pre-solve findings that do not prove infeasibility but often explain a conflict
    (no site allows the smallest farm size, more families than plots, …)."""
    solves: int = 0
    seconds: float = 0.0

    def lines(self, overrides: str = "with --set") -> list[str]:
        """The explanation as readable lines (the first is a headline).

        ``overrides`` says where values that override the config file came from
        ("set with --set milestones.0.at_least").
        """
        if self.feasible:
            return [f"scenario {self.scenario} has a plan; nothing conflicts"]
        if self.findings:
            return [f"scenario {self.scenario} has no plan:", *self.findings]
        if self.structural:
            return [f"scenario {self.scenario} has no plan even with every budget, supply, "
                    "capacity, target and milestone relaxed; the cause is structural (sizes, "
                    "build time, land release dates): run `agroplan validate`"]
        count = max((c.conflict for c in self.conflicts), default=0)
        if count <= 1:
            out = [f"scenario {self.scenario} has no plan: these settings conflict "
                   "(relaxing any one of them restores a plan):"]
        else:
            out = [f"scenario {self.scenario} has no plan: {count} independent conflicts "
                   "(relaxing any one setting of a conflict resolves that conflict):"]
        previous = 0
        for c in self.conflicts:
            if count > 1 and c.conflict != previous:
                out.append(f"conflict {c.conflict}:")
            previous = c.conflict
            where = (f"set {overrides} {c.config_key}" if c.file == "--set"
                     else f"set by {c.config_key} in {c.file}")
            out.append(f"- {c.description} — {where}")
            out.extend(f"    {_item_line(c, item)}" for item in c.items[:MAX_ITEMS])
            if len(c.items) > MAX_ITEMS:
                out.append(f"    … and {len(c.items) - MAX_ITEMS} more")
            if not c.restores:
                out.append("    (relaxing this alone is not enough; another conflict remains)")
        if not self.certain:
            out.append("(a solve hit its time limit: the set may not be minimal)")
        if self.notes:
            out.append("related findings of the pre-solve checks:")
            out.extend(f"- {note}" for note in self.notes)
        return out


MAX_ITEMS = 6


def _item_line(conflict: Conflict, item: Item) -> str:
    place = ", ".join(part for part in (item.where, item.period) if part)
    what = item.constraint.split("[")[0] + (f" {place}" if place else "")
    if conflict.group.startswith("milestones.") or conflict.group.startswith("trade.targets."):
        return (f"{what}: requires {_fmt(item.limit, item.unit)}; a plan reaches at most "
                f"{_fmt(item.needed, item.unit)} (short by {_fmt(item.amount, item.unit)})")
    return (f"{what} is {_fmt(item.limit, item.unit)}; a plan needs at least "
            f"{_fmt(item.needed, item.unit)} (+{_fmt(item.amount, item.unit)})")


def _fmt(value: float, unit: str) -> str:
    if unit == "USD" and abs(value) >= 1e5:
        return f"{value / 1e6:,.2f} M USD"
    return f"{value:,.6g} {unit}".strip()


@dataclass
class _Elastic:
    """The fully relaxed model and, per group, its slack variables."""

    m: AgroModel
    groups: dict[str, list[str]] = field(default_factory=dict)
    weight: dict[str, float] = field(default_factory=dict)
    solves: int = 0
    certain: bool = True


def explain(inputs: PlanInputs, *, time_limit_s: float = 60.0) -> Explanation:
    """Find a minimal set of conflicting config groups; see the module docstring.

    Parameters
    ----------
    inputs
        Plan inputs of the scenario.
    time_limit_s
        Limit of each solve, seconds.
    """
    started = time.perf_counter()
    scenario = inputs.scenario
    findings = check_inputs(inputs)
    blocking = tuple(f.message for f in findings if f.blocking)
    notes = tuple(f.message for f in findings if not f.blocking)
    if blocking:
        return Explanation(scenario.name, False, findings=blocking,
                           seconds=time.perf_counter() - started)
    soft_in_scenario = scenario.constraints.soft()
    relax = {f: 1.0 for f in CONSTRAINT_FAMILIES if f not in soft_in_scenario}
    m = build_model(inputs, soft={**relax, **soft_in_scenario})
    e = _Elastic(m)
    for name in m.slacks:
        family = FAMILY_OF_PREFIX[prefix_of(name)]
        if family in soft_in_scenario:
            continue
        e.groups.setdefault(_group_of(scenario, name), []).append(name)
        e.weight[name] = 1.0 / max(1.0, abs(_limit(m, name)))
    # the LP of the least violation orders the deletion filter; integer solves decide
    violations = _lp_violations(e, time_limit_s)
    whole = _feasible(e, hard=set(e.groups), time_limit_s=time_limit_s)
    if whole is not False:
        return Explanation(scenario.name, whole is True, certain=whole is not None,
                           structural=whole is None, solves=e.solves,
                           seconds=time.perf_counter() - started)
    if _feasible(e, hard=set(), time_limit_s=time_limit_s) is not True:
        return Explanation(scenario.name, False, structural=True, certain=e.certain,
                           notes=notes, solves=e.solves, seconds=time.perf_counter() - started)
    sets: list[set[str]] = []
    relaxed: set[str] = set()  # groups of the conflicts found so far
    while len(sets) < MAX_SETS:
        found = _deletion_filter(e, violations, relaxed, time_limit_s)
        if not found:
            break
        sets.append(found)
        relaxed |= found
        if _feasible(e, hard=set(e.groups) - relaxed, time_limit_s=time_limit_s) is not False:
            break  # no further independent conflict
    conflicts = tuple(
        _conflict(e, scenario, group, kept, relaxed - kept, index, time_limit_s)
        for index, kept in enumerate(sets) for group in sorted(kept))
    return Explanation(scenario.name, False, conflicts=conflicts, certain=e.certain,
                       notes=notes, solves=e.solves, seconds=time.perf_counter() - started)


MAX_SETS = 5
"""Independent conflicts searched for, at most."""


def _deletion_filter(e: _Elastic, violations: dict[str, float], relaxed: set[str],
                     time_limit_s: float) -> set[str]:
    """An irreducible set of groups among those not yet ``relaxed`` (which stay free)."""
    # groups without violation first: they usually drop out at once
    order = sorted(set(e.groups) - relaxed,
                   key=lambda g: (any(violations.get(n, 0) > ZERO for n in e.groups[g]), g))
    kept = set(order)
    for group in order:
        if _feasible(e, hard=kept - {group}, time_limit_s=time_limit_s) is False:
            kept.discard(group)
    return kept


def _group_of(scenario: Scenario, name: str) -> str:
    """The config group of a constraint: its family, or the one milestone/target."""
    prefix = prefix_of(name)
    inside = name.partition("[")[2].rstrip("]")
    if prefix == "milestone":
        index = [ms.name for ms in scenario.milestones].index(inside)
        return f"milestones.{index}"
    if prefix == "trade.target":
        index = [str(t.year) for t in scenario.trade.targets].index(inside)
        return f"trade.targets.{index}"
    return FAMILY_OF_PREFIX[prefix]


def _limit(m: AgroModel, name: str) -> float:
    constraint = m.constraints[name]
    return float(constraint.upper_bound if constraint.upper_bound != float("inf")
                 else constraint.lower_bound)


def _set_free(e: _Elastic, free: set[str]) -> None:
    for group, names in e.groups.items():
        for name in names:
            e.m.slacks[name].upper_bound = float("inf") if group in free else 0.0


def _run(e: _Elastic, time_limit_s: float, relax: bool = False) -> mathopt.SolveResult:
    """Solve the elastic model; with ``relax``, its LP relaxation."""
    e.solves += 1
    params = mathopt.SolveParameters(time_limit=dt.timedelta(seconds=time_limit_s),
                                     relative_gap_tolerance=GAP)
    if not relax:
        return mathopt.solve(e.m.model, mathopt.SolverType.HIGHS, params=params)
    integers = [v for v in e.m.model.variables() if v.integer]
    for var in integers:
        var.integer = False
    try:
        return mathopt.solve(e.m.model, mathopt.SolverType.HIGHS, params=params)
    finally:
        for var in integers:
            var.integer = True


GAP = 1e-4
"""Relative gap of the violation-minimising solves: amounts within 0.01 % of the least."""


def _status(result: mathopt.SolveResult) -> str:
    reason = result.termination.reason
    if reason in (mathopt.TerminationReason.INFEASIBLE,
                  mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED):
        return "infeasible"
    return "solved" if result.has_primal_feasible_solution() else "no_solution"


def _min_violation(e: _Elastic, free: set[str], time_limit_s: float,
                   counted: set[str] | None = None) -> tuple[str, dict[str, float]]:
    """Minimise the scaled violation of the ``counted`` groups (default: all ``free``
    ones); the other free groups may move at no cost, the rest are held hard."""
    _set_free(e, free)
    names = [n for g in free for n in e.groups[g]]
    cost = [n for g in (free if counted is None else counted) for n in e.groups[g]]
    e.m.model.minimize(mathopt.fast_sum(e.weight[n] * e.m.slacks[n] for n in cost))
    result = _run(e, time_limit_s)
    status = _status(result)
    if status != "solved":
        if status == "no_solution":
            e.certain = False
        return status, {}
    values = result.variable_values([e.m.slacks[n] for n in names])
    return status, dict(zip(names, (float(v) for v in values), strict=True))


def _lp_violations(e: _Elastic, time_limit_s: float) -> dict[str, float]:
    """Violations of the LP relaxation that minimises the total scaled violation."""
    _set_free(e, set(e.groups))
    names = [n for g in e.groups for n in e.groups[g]]
    e.m.model.minimize(mathopt.fast_sum(e.weight[n] * e.m.slacks[n] for n in names))
    result = _run(e, time_limit_s, relax=True)
    if not result.has_primal_feasible_solution():
        return {}
    values = result.variable_values([e.m.slacks[n] for n in names])
    return dict(zip(names, (float(v) for v in values), strict=True))


def _feasible(e: _Elastic, hard: set[str], time_limit_s: float) -> bool | None:
    """Has the model a plan with the ``hard`` groups enforced and the others free?"""
    _set_free(e, set(e.groups) - hard)
    e.m.model.minimize(mathopt.LinearExpression())
    # an infeasible LP relaxation proves it cheaply; otherwise the integer model decides
    if _status(_run(e, time_limit_s, relax=True)) == "infeasible":
        return False
    status = _status(_run(e, time_limit_s))
    if status == "no_solution":
        e.certain = False
        return None
    return status == "solved"


def _conflict(e: _Elastic, scenario: Scenario, group: str, kept: set[str], others: set[str],
              index: int, time_limit_s: float) -> Conflict:
    """Describe ``group`` of conflict ``index`` with the smallest move that restores a plan
    when only it moves (the groups of the ``others`` conflicts relaxed too)."""
    status, violations = _min_violation(e, free={group} | others, counted={group},
                                        time_limit_s=time_limit_s)
    restores = status == "solved"
    if not restores:  # a further conflict elsewhere: let the groups outside the set move too
        status, violations = _min_violation(e, free={group} | (set(e.groups) - kept),
                                            counted={group}, time_limit_s=time_limit_s)
    items = []
    for name in e.groups[group]:
        amount = violations.get(name, 0.0)
        if amount <= ZERO * max(1.0, abs(_limit(e.m, name))):
            continue
        limit = _limit(e.m, name)
        upper = e.m.constraints[name].upper_bound != float("inf")
        prefix, _, inside = name.partition("[")
        parts = inside.rstrip("]").split(",") if inside else []
        period = next((p for p in parts if p in scenario.periods), "")
        where = ",".join(p for p in parts if p != period)
        unit = e.m.slack_units[name]
        if prefix in ("milestone", "trade.target"):
            offset = _constant(scenario, name)
            items.append(Item(name, where, period, limit + offset, limit + offset - amount,
                              amount, unit))
        else:
            items.append(Item(name, where, period, limit,
                              limit + amount if upper else limit - amount, amount, unit))
    items.sort(key=lambda item: -item.amount / max(1.0, abs(item.limit)))
    key, description = _describe(scenario, group)
    return Conflict(group=group, config_key=key, file=_file(scenario, group, key),
                    description=description, items=tuple(items), restores=restores,
                    conflict=index + 1)


def _constant(scenario: Scenario, name: str) -> float:
    """The constant moved to the limit side: the trade baseline for trade rows."""
    inside = name.partition("[")[2].rstrip("]")
    if name.startswith("trade.target"):
        return scenario.trade.baseline_usd_per_year
    milestone = next(ms for ms in scenario.milestones if ms.name == inside)
    return scenario.trade.baseline_usd_per_year if milestone.metric == "trade_total_usd" else 0.0


def _describe(scenario: Scenario, group: str) -> tuple[str, str]:
    """(config key to edit, one-line description) of a group."""
    if group.startswith("milestones."):
        index = int(group.split(".")[1])
        ms = scenario.milestones[index]
        return (f"milestones.{index}.at_least",
                f"milestone {ms.name!r}: {ms.metric} by {ms.by} at least {ms.at_least:,.6g}")
    if group.startswith("trade.targets."):
        index = int(group.split(".")[2])
        target = scenario.trade.targets[index]
        return (f"trade.targets.{index}.total_usd",
                f"enforced trade target {target.year}: {target.total_usd / 1e6:,.1f} M USD")
    prefixes = [p for p, f in FAMILY_OF_PREFIX.items() if f == group]
    keys = "; ".join(dict.fromkeys(CONFIG_KEYS[p] for p in prefixes))
    titles = {
        "budget": "the budget per quarter", "supply_heifers": "heifer supply per origin",
        "supply_timber": "timber supply per origin", "hub_capacity": "hub capacities",
        "workforce": "farm workers housed within commuting reach",
        "land": "fodder land cleared per district", "house_plots": "house plots per settlement",
        "returning_families": "returning families per settlement",
    }
    return keys, f"{group}: {titles.get(group, group)}"


def _file(scenario: Scenario, group: str, key: str) -> str:
    prefixes = [p for p, f in FAMILY_OF_PREFIX.items() if f == group]
    layers = sorted({LAYER_OF_PREFIX[p] for p in prefixes if p in LAYER_OF_PREFIX})
    first_key = key.split(" ")[0].split(";")[0].split(",")[0]
    files = [scenario.file_of(first_key)] if "." in first_key else []
    files += [scenario.layer_label(layer) for layer in layers]
    return " and ".join(dict.fromkeys(files)) or scenario.source_path or "the scenario file"


def group_sizes(explanation: Explanation) -> dict[str, int]:
    """Group id -> number of constraints named, for summaries and tests."""
    counts: dict[str, int] = defaultdict(int)
    for conflict in explanation.conflicts:
        counts[conflict.group] += len(conflict.items)
    return dict(counts)
