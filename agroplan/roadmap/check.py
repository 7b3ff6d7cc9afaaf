"""Check a re-plan: its past decisions equal the actuals, and its budget counts real spend.

:func:`check_past` compares the decisions of every quarter up to ``actuals.as_of`` with
the actuals, without a solver: farms started (site, size, quarter), heifers on each leg
(origin -> hub and hub -> site, per quarter; the model decides legs, so two tables that
pair origins and sites differently but move the same heads on every leg are the same
plan), houses per settlement and quarter, agro-towns developed. Names of the checks:

``past.farms[s]``             a farm started by as_of differs (or is missing, or extra)
``past.heifers_in[o,h,t]``    heifers origin -> hub in a past quarter differ
``past.heifers_out[h,s,t]``   heifers hub -> site in a past quarter differ
``past.houses[j,t]``          houses built in a past quarter differ
``past.agro_towns[j]``        an agro-town developed by as_of differs
``past.periods``              the actuals' as-of quarter is not in the plan's horizon

:func:`check_replan` is :func:`agroplan.check.check_plan` for a re-plan: the budget rows
count the actual spend of past quarters (``spend.csv``) instead of their modelled cost,
as the re-plan did, and :func:`check_past` is added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from agroplan.check.arrays import Report, Violation
from agroplan.check.rules import check_budget_rows, check_plan
from agroplan.check.soft import allow_reported
from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_index
from agroplan.plan.result import Plan
from agroplan.roadmap.actuals import Actuals
from agroplan.roadmap.past_rules import past_spend

__all__ = ["check_past", "check_replan"]

Key = tuple[str, ...]


def check_past(plan: Plan, actuals: Actuals) -> list[Violation]:
    """Every past decision of ``plan`` that differs from ``actuals`` (empty: all equal)."""
    report = Report(1e-9)
    if actuals.as_of not in plan.periods:
        report.add("past.periods", f"the actuals end in {actuals.as_of}, outside the plan's "
                   f"horizon {plan.periods[0]}..{plan.periods[-1]}", 0.0)
        return report.items
    start = plan.periods[0]
    last = quarter_index(actuals.as_of, start)

    def past(period: object) -> bool:
        return quarter_index(str(period), start) <= last

    planned_farms = {str(r["site_id"]): (int(r["size_heads"]), str(r["build_start"]))
                     for r in plan.farms.to_dict("records") if past(r["build_start"])}
    actual_farms = {str(r["site_id"]): (int(r["size_heads"]), str(r["build_start"]))
                    for r in actuals.table("farms").to_dict("records")}
    _compare(report, "past.farms", planned_farms, actual_farms, _farm_text)
    planned_towns = {str(r["settlement_id"]): str(r["developed_in"])
                     for r in plan.agro_towns.to_dict("records") if past(r["developed_in"])}
    actual_towns = {str(r["settlement_id"]): str(r["developed_in"])
                    for r in actuals.table("agro_towns").to_dict("records")}
    _compare(report, "past.agro_towns", planned_towns, actual_towns,
             lambda v: "none" if v is None else f"developed in {v}")
    for name, columns in (("heifers_in", ("origin_id", "hub_id", "period")),
                          ("heifers_out", ("hub_id", "site_id", "period"))):
        _compare(report, f"past.{name}",
                 _sums(plan.deliveries.to_dict("records"), columns, "heads", past),
                 _sums(actuals.table("deliveries").to_dict("records"), columns, "heads", past),
                 lambda v: f"{v or 0:,} head")
    _compare(report, "past.houses",
             _sums(plan.houses.to_dict("records"), ("settlement_id", "period"), "houses", past),
             _sums(actuals.table("houses").to_dict("records"), ("settlement_id", "period"),
                   "houses", past),
             lambda v: f"{v or 0:,} houses")
    return report.items


def check_replan(inputs: PlanInputs, plan: Plan, actuals: Actuals) -> list[Violation]:
    """:func:`~agroplan.check.check_plan` with the re-plan's budget rule, plus :func:`check_past`.

    ``inputs`` must hold the actuals' land releases
    (:func:`agroplan.roadmap.replanning.replan_inputs`).
    """
    found = check_plan(inputs, plan)
    if actuals.table("spend").empty:
        return found + check_past(plan, actuals)
    found = [v for v in found if not v.constraint.startswith(BUDGET_NAMES)]
    return found + _budget(inputs, plan, actuals) + check_past(plan, actuals)


BUDGET_NAMES = ("budget.per_quarter[", "plan.violations[budget.per_quarter[")
"""Checks that count the modelled spend of past quarters, which a re-plan replaces."""


def _budget(inputs: PlanInputs, plan: Plan, actuals: Actuals) -> list[Violation]:
    """Budget rows with each past quarter's spend as recorded where ``spend.csv`` has it."""
    report = Report(1e-6)
    allow_reported(inputs, plan, report)  # a soft budget may be exceeded by what is reported
    periods = list(inputs.periods)
    spend = plan.spend
    modelled_plan = np.array([float(spend.loc[spend["period"] == p, "usd"].sum())
                              for p in periods])
    modelled_past, counted_past = past_spend(inputs, actuals)
    total = modelled_plan - (modelled_past - counted_past)  # the recorded amounts in the past
    check_budget_rows(inputs, total, report, "spend (recorded where spend.csv has it)")
    return report.items


def _sums(records: Iterable[dict[Any, Any]], columns: tuple[str, ...], value: str,
          keep: Callable[[object], bool]) -> dict[Any, Any]:
    found: dict[Key, int] = defaultdict(int)
    for r in records:
        if keep(r["period"]):
            found[tuple(str(r[c]) for c in columns)] += int(r[value])
    return {k: v for k, v in found.items() if v != 0}


def _farm_text(value: Any) -> str:
    return "none" if value is None else f"{value[0]} head started {value[1]}"


def _compare(report: Report, name: str, planned: dict[Any, Any], actual: dict[Any, Any],
             text: Callable[[Any], str]) -> None:
    for key in sorted(set(planned) | set(actual), key=str):
        got, want = planned.get(key), actual.get(key)
        if got != want:
            where = key if isinstance(key, str) else ",".join(key)
            counts = isinstance(got, int) or isinstance(want, int)
            amount = float((got or 0) - (want or 0)) if counts else 1.0
            report.add(f"{name}[{where}]", f"the plan has {text(got)}, the actuals "
                       f"{text(want)}", amount)
