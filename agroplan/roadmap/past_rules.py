"""The actuals as decisions, their spend, and the hard rules they break (no solver).

Re-planning fixes the past to the actuals. Before the solver is asked, the fixed past is
checked against each hard constraint family of ``docs/model.md`` on its own, so that a
history that breaks a rule is reported in the rule's own name and place
(``cattle.herd_within_size[AGM-001,2027Q3]``, ``houses.max_houses[gn147105]``,
``budget.per_quarter[2027Q2]``) rather than as "no feasible plan". Rules that involve
herds, standing houses or committed farm payments are checked in every quarter of the
horizon with no decision after ``as_of``; families made soft in ``constraints:`` are
skipped (the solver prices their violation).
"""

from __future__ import annotations

import numpy as np

from agroplan.check.arrays import (
    Decisions,
    Report,
    capacity,
    exports_by_year,
    read_decisions,
    spend_by_category,
)
from agroplan.check.soft import milestone_values
from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_index, quarter_label, quarter_ordinal, quarter_year
from agroplan.plan.result import SPEND_CATEGORIES, Plan
from agroplan.roadmap.actuals import Actuals

__all__ = ["actuals_plan", "past_decisions", "past_spend", "rule_breaks"]


def actuals_plan(inputs: PlanInputs, actuals: Actuals) -> Plan:
    """The actuals as a plan of decisions (farms, deliveries, houses, agro-towns) only."""
    build = inputs.scenario.farms.build_quarters
    farms = actuals.table("farms").copy()
    start = inputs.periods[0]
    farms["operational_from"] = [
        _label(inputs, quarter_index(str(p), start) + build) for p in farms["build_start"]]
    tables = {"farms": farms, "deliveries": actuals.table("deliveries"),
              "houses": actuals.table("houses"), "agro_towns": actuals.table("agro_towns")}
    return Plan(scenario=inputs.scenario.name, status="feasible", solver="actuals",
                objective=None, best_bound=None, relative_gap=None, solve_seconds=0.0,
                periods=inputs.periods, tables=tables)


def past_decisions(inputs: PlanInputs, actuals: Actuals) -> Decisions:
    """The actuals as arrays indexed like ``inputs`` (see :mod:`agroplan.check.arrays`)."""
    return read_decisions(inputs, actuals_plan(inputs, actuals), Report(1e-9))


def past_spend(inputs: PlanInputs, actuals: Actuals) -> tuple[np.ndarray, np.ndarray]:
    """Spend per quarter (USD) of the actuals' decisions with no decision after ``as_of``.

    Returns
    -------
    modelled, counted
        ``modelled``: the model's cost of the decisions (committed farm payments included).
        ``counted``: the same with each category that ``spend.csv`` gives for a quarter
        replaced by the actual amount; this is what the budget rule counts.
    """
    by_category = spend_by_category(inputs, past_decisions(inputs, actuals))
    modelled = sum((by_category[c] for c in SPEND_CATEGORIES), np.zeros(len(inputs.periods)))
    counted = modelled.copy()
    position = {p: t for t, p in enumerate(inputs.periods)}
    for r in actuals.table("spend").to_dict("records"):
        t = position[str(r["period"])]
        counted[t] += float(r["usd"]) - float(by_category[str(r["category"])][t])
    return modelled, counted


def rule_breaks(inputs: PlanInputs, actuals: Actuals) -> list[str]:
    """Every hard rule the actuals break, one readable line each (empty: none)."""
    soft = set(inputs.scenario.constraints.soft())
    d = past_decisions(inputs, actuals)
    as_of = quarter_index(actuals.as_of, inputs.periods[0])
    lines: list[str] = []
    _cattle(inputs, d, as_of, soft, lines)
    _housing(inputs, d, as_of, soft, lines)
    if "workforce" not in soft:
        _workforce(inputs, d, lines)
    if "land" not in soft:
        _land(inputs, d, lines)
    if "budget" not in soft:
        _budget(inputs, actuals, lines)
    if "trade_targets" not in soft:
        _trade(inputs, d, as_of, lines)
    if "milestones" not in soft:
        _milestones(inputs, d, as_of, lines)
    return lines


def _label(inputs: PlanInputs, t: int) -> str:
    return quarter_label(quarter_ordinal(inputs.periods[0]) + t)


def _fix(family: str) -> str:
    return (f"correct the actuals, or make the rule soft with constraints.{family}: "
            "{mode: soft, penalty: ...}")


def _grid(lines: list[str], name: str, rows: list[str], cols: list[str], lhs: np.ndarray,
          rhs: np.ndarray, what: str, unit: str, fix: str) -> None:
    """One line per cell where ``lhs > rhs``: ``name[row,col]: what ... above ...``."""
    bad = lhs - rhs > 1e-6 * np.maximum(1.0, np.abs(rhs))
    for i, t in zip(*np.nonzero(bad), strict=True):
        lines.append(f"{name}[{rows[i]},{cols[t]}]: {what.format(row=rows[i], col=cols[t])} "
                     f"{lhs[i, t]:,.6g} {unit}, above {rhs[i, t]:,.6g} {unit}; {fix}")


def _cattle(inputs: PlanInputs, d: Decisions, as_of: int, soft: set[str],
            lines: list[str]) -> None:
    periods, sites = list(inputs.periods), [str(s) for s in inputs.sites.index]
    _grid(lines, "cattle.herd_within_size", sites, periods, d.herd, capacity(inputs, d),
          "herd at {row} by the end of {col} (heifers delivered so far):", "head",
          "the herd cannot exceed the farm's size; correct deliveries.csv or farms.csv")
    past = slice(0, as_of + 1)
    arrivals = d.arrivals
    origins, hubs = [str(o) for o in inputs.origins.index], [str(h) for h in inputs.hubs.index]
    if "supply_heifers" not in soft:
        _grid(lines, "supply.heifers", origins, periods[past], arrivals.sum(axis=1)[:, past],
              inputs.heifer_supply.loc[origins, periods[past]].to_numpy(),
              "heifers from {row} in {col}:", "head", _fix("supply_heifers")
              + " (or raise heifers_per_quarter in origins.geojson)")
    if "hub_capacity" not in soft:
        _grid(lines, "hubs.capacity_heads", hubs, periods[past], arrivals.sum(axis=0)[:, past],
              inputs.hub_capacity_heads.loc[hubs, periods[past]].to_numpy(),
              "heifers through {row} in {col}:", "head", _fix("hub_capacity"))


def _housing(inputs: PlanInputs, d: Decisions, as_of: int, soft: set[str],
             lines: list[str]) -> None:
    towns = [str(j) for j in inputs.settlements.index]
    built = d.houses.sum(axis=1)
    for family, name, column in (("house_plots", "houses.max_houses", "max_houses"),
                                 ("returning_families", "houses.returning_families",
                                  "returning_families")):
        if family in soft:
            continue
        limit = inputs.settlements[column].to_numpy(dtype=float)
        for j in np.nonzero(built > limit)[0]:
            lines.append(f"{name}[{towns[j]}]: {built[j]:,.0f} houses built in {towns[j]}, above "
                         f"its {column} {limit[j]:,.0f}; {_fix(family)}")
    need = inputs.scenario.houses.timber_m3_per_house * d.houses.sum(axis=0)
    for family, name, table in (("supply_timber", "supply.timber", inputs.timber_supply),
                                ("hub_capacity", "hubs.capacity_timber",
                                 inputs.hub_capacity_timber_m3)):
        if family in soft:
            continue
        available = table.to_numpy(dtype=float).sum(axis=0)
        for t in range(as_of + 1):
            if need[t] > available[t] * (1 + 1e-9) + 1e-6:
                lines.append(f"{name}[*,{inputs.periods[t]}]: the houses built in "
                             f"{inputs.periods[t]} need {need[t]:,.6g} m3 of timber, above the "
                             f"{available[t]:,.6g} m3 all of them can ship; {_fix(family)}")


def _workforce(inputs: PlanInputs, d: Decisions, lines: list[str]) -> None:
    """Each site's workers must live in settlements within commuting reach."""
    scenario = inputs.scenario
    sites = [str(s) for s in inputs.sites.index]
    towns = {str(j): i for i, j in enumerate(inputs.settlements.index)}
    need = scenario.farms.workers_per_100_head / 100.0 * d.herd
    standing = np.cumsum(d.houses, axis=1) * scenario.houses.workers_per_family
    reach = np.zeros_like(need)
    for s, j in zip(inputs.reach["site_id"], inputs.reach["settlement_id"], strict=True):
        reach[sites.index(str(s))] += standing[towns[str(j)]]
    _grid(lines, "workforce.demand", sites, list(inputs.periods), need, reach,
          "workers the herd at {row} needs in {col}, living within commuting reach:",
          "workers", _fix("workforce") + " (houses near the farm bring workers)")


def _land(inputs: PlanInputs, d: Decisions, lines: list[str]) -> None:
    districts = [str(x) for x in inputs.districts.index]
    member = (inputs.sites["district_id"].astype(str).to_numpy()[None, :]
              == np.asarray(districts)[:, None]).astype(float)
    fodder = inputs.scenario.farms.fodder_ha_per_head * (member @ d.herd)
    _grid(lines, "land.fodder", districts, list(inputs.periods), fodder,
          inputs.fodder_land_ha.loc[districts, list(inputs.periods)].to_numpy(),
          "fodder land the herds of {row} need in {col}:", "ha", _fix("land"))


def _budget(inputs: PlanInputs, actuals: Actuals, lines: list[str]) -> None:
    _modelled, counted = past_spend(inputs, actuals)
    budget = inputs.budget_usd.loc[list(inputs.periods)].to_numpy(dtype=float)
    carry = inputs.scenario.budget.carry_over
    lhs, rhs = (np.cumsum(counted), np.cumsum(budget)) if carry else (counted, budget)
    what = "cumulative spend to" if carry else "spend in"
    for t, period in enumerate(inputs.periods):
        if lhs[t] - rhs[t] > 1e-6 * max(1.0, abs(rhs[t])):
            lines.append(f"budget.per_quarter[{period}]: {what} {period} {lhs[t] / 1e6:,.6g} M "
                         f"USD (spend.csv where given, else the cost of the actuals, with the "
                         f"payments still due on farms started), above the budget "
                         f"{rhs[t] / 1e6:,.6g} M USD; {_fix('budget')} or raise "
                         "budget.usd_per_quarter")


def _trade(inputs: PlanInputs, d: Decisions, as_of: int, lines: list[str]) -> None:
    """Enforced targets of years that ended by ``as_of`` can no longer change."""
    trade = inputs.scenario.trade
    exports = exports_by_year(inputs, d)
    last_year = {quarter_year(p): t for t, p in enumerate(inputs.periods)}
    for target in trade.targets:
        if not target.enforce or last_year.get(target.year, len(inputs.periods)) > as_of:
            continue
        total = trade.baseline_usd_per_year + exports.get(target.year, 0.0)
        if total < target.total_usd - 1e-6 * target.total_usd:
            lines.append(f"trade.target[{target.year}]: trade in {target.year} was "
                         f"{total / 1e6:,.6g} M USD, below the enforced target "
                         f"{target.total_usd / 1e6:,.6g} M USD, and the year is over; "
                         f"{_fix('trade_targets')} or set enforce: false")



def _milestones(inputs: PlanInputs, d: Decisions, as_of: int, lines: list[str]) -> None:
    """Enforced milestones due by ``as_of`` can no longer change."""
    values = milestone_values(inputs, d)
    for milestone in inputs.scenario.milestones:
        due = list(inputs.periods).index(milestone.by)
        value = values[milestone.name]
        if milestone.enforce and due <= as_of and value < milestone.at_least - 1e-6 * max(
                1.0, milestone.at_least):
            lines.append(f"milestone[{milestone.name}]: {milestone.metric} by {milestone.by} "
                         f"was {value:,.6g}, below the enforced {milestone.at_least:,.6g}, and "
                         f"{milestone.by} is past; {_fix('milestones')} or set enforce: false")
