"""Checks of soft-constraint violations and milestones, for :mod:`agroplan.check`.

A plan may break a soft constraint only by the amount its ``violations`` table reports;
the checker accepts that much (:func:`allow_reported`) and afterwards verifies that every
reported violation belongs to a soft family and is not larger than the real excess
(:func:`check_reported`). Milestones are recomputed from the decision arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agroplan.check.arrays import Decisions, Report, exports_by_quarter
from agroplan.families import FAMILY_OF_PREFIX, prefix_of
from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan


def reported_violations(plan: Plan) -> dict[str, float]:
    """Constraint name -> violation amount, from the plan's ``violations`` table."""
    found: dict[str, float] = {}
    for row in plan.table("violations").to_dict("records"):
        found[str(row["key"])] = found.get(str(row["key"]), 0.0) + float(row["amount"])
    return found


def allow_reported(inputs: PlanInputs, plan: Plan, report: Report) -> None:
    """Let each soft constraint exceed its bound by the violation the plan reports.

    With ``budget.carry_over`` the budget is checked cumulatively, so a quarter may exceed
    the cumulative budget by every budget violation reported up to it.
    """
    reported = reported_violations(plan)
    report.allowed.update(reported)
    if inputs.scenario.budget.carry_over:
        running = 0.0
        for period in inputs.periods:
            running += reported.get(f"budget.per_quarter[{period}]", 0.0)
            if running:
                report.allowed[f"budget.per_quarter[{period}]"] = running


def check_reported(inputs: PlanInputs, plan: Plan, report: Report) -> None:
    """Every reported violation is of a soft family, non-negative and not overstated."""
    soft = inputs.scenario.constraints.soft()
    cumulative_budget = inputs.scenario.budget.carry_over
    for name, amount in reported_violations(plan).items():
        family = FAMILY_OF_PREFIX.get(prefix_of(name))
        if family is None or family not in soft:
            report.add(f"plan.violations[{name}]", f"the plan reports a violation of {name}, "
                       f"but its family {family or 'unknown'} is hard in the scenario", amount)
            continue
        if amount < -report.tol:
            report.add(f"plan.violations[{name}]", f"negative violation {amount:g}", amount)
        if family == "budget" and cumulative_budget:
            continue  # carried money: the quarter's share of a cumulative excess is not unique
        real = max(0.0, report.excess.get(name, 0.0))
        if amount - real > report.slack(max(abs(amount), 1.0)):
            report.add(f"plan.violations[{name}]", f"the plan reports {amount:,.6g} but the "
                       f"constraint is exceeded by {real:,.6g}", amount - real)


def penalty_points(inputs: PlanInputs, plan: Plan) -> float:
    """Objective points of the reported violations."""
    soft = inputs.scenario.constraints.soft()
    return sum(soft.get(FAMILY_OF_PREFIX.get(prefix_of(name), ""), 0.0) * amount
               for name, amount in reported_violations(plan).items())


def milestone_values(inputs: PlanInputs, d: Decisions) -> dict[str, float]:
    """Milestone name -> the metric's value in the plan at its ``by`` quarter."""
    scenario = inputs.scenario
    exports = exports_by_quarter(inputs, d)
    built = d.farm_start >= 0
    values = {}
    for milestone in scenario.milestones:
        by = list(inputs.periods).index(milestone.by)
        value: Any
        if milestone.metric in ("families_housed", "houses_built"):
            value = d.houses[:, : by + 1].sum()
        elif milestone.metric == "herd_heads":
            value = d.herd[:, by].sum()
        elif milestone.metric == "farms_operational":
            value = np.sum(built & (d.farm_start + scenario.farms.build_quarters <= by))
        elif milestone.metric == "belarus_exports_usd":
            value = exports[: by + 1].sum()
        else:
            value = scenario.trade.baseline_usd_per_year + exports[max(0, by - 3): by + 1].sum()
        values[milestone.name] = float(value)
    return values


def check_milestones(inputs: PlanInputs, plan: Plan, d: Decisions, report: Report) -> None:
    """``milestone[name]`` for enforced milestones; ``plan.kpis.milestones`` figures."""
    values = milestone_values(inputs, d)
    for milestone in inputs.scenario.milestones:
        if milestone.enforce:
            report.at_most(f"milestone[{milestone.name}]", milestone.at_least,
                           values[milestone.name], f"milestone {milestone.name} needs",
                           f"({milestone.metric} is less)")
    listed = {str(row.get("name")): row for row in plan.kpis.get("milestones", [])}
    for name, value in values.items():
        row = listed.get(name)
        if row is None:
            report.add(f"plan.kpis.milestones[{name}]", "the plan does not report this "
                       "milestone", 0.0)
            continue
        report.equal(f"plan.kpis.milestones[{name}]", float(row.get("value", 0.0)), value,
                     f"milestone {name}", "")
