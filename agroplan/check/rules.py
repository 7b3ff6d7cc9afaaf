"""An independent plan checker: every constraint of ``docs/model.md`` verified without a solver.

:func:`check_plan` reads a :class:`~agroplan.plan.Plan` and the :class:`~agroplan.inputs.PlanInputs`
it was made from, recomputes herds, flows, spend and exports from the plan's decision tables
and reports each broken constraint as a :class:`Violation` named as in the model
(``budget.per_quarter[2027Q2]``, ``cattle.herd_within_size[AGM-001,2027Q3]``). It is written
from the formulation alone, so it catches modelling bugs as well as corrupted plan files.

Names of checks that are not model constraints:

``farms.sizes_heads[s]``, ``farms.max_size_heads[s]``  size not allowed / above the terrain limit
``farms.land_released[s]``, ``agro_towns.land_released[j]``, ``houses.land_released[j,t]``
``farms.build_quarters[s]``   operational_from is not build_start + ``farms.build_quarters``
``farms.within_horizon[s]``   the farm would not be operational within the horizon
``cattle.hubs_per_site[h,s]``, ``distances.commuting_radius_km[s,j]``  pair not kept by the inputs
``integrality.<table>[key]``, ``nonnegative.<table>[key]``
``unknown_id.<table>[key]``   an id or quarter the inputs do not have (the row is skipped)
``columns.<table>``           a decision table lacks a column
``plan.herd[s,t]``, ``plan.spend[t,category]``, ``plan.objective``, ``plan.kpis.<name>``
    the plan's own figures differ from those recomputed from its decisions;
``plan.status``, ``plan.periods``  the plan has no solution / another horizon.

``cattle.hub_balance`` holds by construction: deliveries are recorded as origin-hub-site paths.
"""

from __future__ import annotations

import numpy as np

from agroplan.check.arrays import (
    Decisions,
    Report,
    Violation,
    capacity,
    exports_by_year,
    positions,
    read_decisions,
    road_km,
    spend_by_category,
)
from agroplan.check.kpis import flatten_kpis, recompute_kpis
from agroplan.check.soft import (
    allow_reported,
    check_milestones,
    check_reported,
    penalty_points,
    reported_violations,
)
from agroplan.errors import AgroplanError
from agroplan.inputs import PlanInputs
from agroplan.messages import N_
from agroplan.plan.result import Plan

__all__ = ["PlanViolationError", "Violation", "check_plan", "recompute_objective"]


class PlanViolationError(AgroplanError):
    """A plan breaks constraints of its scenario (exit code 7)."""

    exit_code = 7
    title = N_("plan violates constraints")


def check_plan(inputs: PlanInputs, plan: Plan, tol: float = 1e-6) -> list[Violation]:
    """Verify every constraint of the model on ``plan``, without a solver.

    Parameters
    ----------
    inputs
        The plan inputs the plan was made from.
    plan
        The plan to check.
    tol
        Relative tolerance: a side may exceed the other by ``tol * max(1, |rhs|)``.

    Returns
    -------
    list of Violation
        Empty when the plan satisfies every constraint and its own figures (herd,
        spend, objective, KPIs) match those recomputed from its decisions.
    """
    report = Report(tol)
    if not plan.has_solution:
        report.add("plan.status", f"the plan has no solution (status {plan.status})", 0.0)
        return report.items
    if tuple(plan.periods) != tuple(inputs.periods):
        report.add("plan.periods", f"plan quarters {plan.periods[0]}..{plan.periods[-1]} are "
                   f"not the scenario's {inputs.periods[0]}..{inputs.periods[-1]}", 0.0)
        return report.items
    decisions = read_decisions(inputs, plan, report)
    allow_reported(inputs, plan, report)
    _check_farms(inputs, plan, decisions, report)
    _check_cattle(inputs, plan, decisions, report)
    _check_housing(inputs, decisions, report)
    _check_workforce_and_land(inputs, plan, decisions, report)
    spend = spend_by_category(inputs, decisions)
    _check_budget(inputs, plan, spend, report)
    _check_trade(inputs, decisions, report)
    check_milestones(inputs, plan, decisions, report)
    check_reported(inputs, plan, report)
    if plan.objective is not None:
        report.equal("plan.objective", plan.objective,
                     _objective(inputs, decisions, spend, penalty_points(inputs, plan)),
                     "the plan's objective", "")
    _check_kpis(inputs, plan, decisions, spend, report)
    return report.items


def recompute_objective(inputs: PlanInputs, plan: Plan) -> float:
    """The objective of ``plan`` recomputed from its decisions (see ``docs/model.md``).

    For a lexicographic objective this is the value of the last priority level.
    """
    decisions = read_decisions(inputs, plan, Report(0.0))
    return _objective(inputs, decisions, spend_by_category(inputs, decisions),
                      penalty_points(inputs, plan))


# ------------------------------------------------------------------ reading the tables


# ------------------------------------------------------------------ constraint families


def _check_farms(inputs: PlanInputs, plan: Plan, d: Decisions, report: Report) -> None:
    farms = inputs.scenario.farms
    n_t = len(inputs.periods)
    operational = {str(r["site_id"]): str(r["operational_from"])
                   for r in plan.farms.to_dict("records") if "operational_from" in r}
    max_size = inputs.sites["max_size_heads"].to_numpy(dtype=float)
    released_at = inputs.sites["available_index"].to_numpy(dtype=int)
    for s, site in enumerate(inputs.sites.index):
        if d.farm_start[s] == -1:
            continue
        size, start = int(d.farm_size[s]), int(d.farm_start[s])
        if start == -2:
            report.add(f"unknown_id.farms[{site}]", "build_start is not a quarter of the "
                       "horizon", 0.0)
            continue
        if size not in farms.sizes_heads:
            report.add(f"farms.sizes_heads[{site}]", f"size {size} head is not one of "
                       f"{list(farms.sizes_heads)}", size)
        report.at_most(f"farms.max_size_heads[{site}]", size, max_size[s], "farm size", "head")
        released = int(released_at[s])
        if start < released:
            report.add(f"farms.land_released[{site}]", f"construction starts in "
                       f"{inputs.periods[start]}, before the land is released", released - start)
        ready = start + farms.build_quarters
        if ready > n_t - 1:
            report.add(f"farms.within_horizon[{site}]", f"a farm started in "
                       f"{inputs.periods[start]} is not operational within the horizon",
                       ready - n_t + 1)
        elif operational.get(site) != inputs.periods[ready]:
            report.add(f"farms.build_quarters[{site}]", f"operational_from is "
                       f"{operational.get(site)}, expected {inputs.periods[ready]}", 0.0)


def _check_cattle(inputs: PlanInputs, plan: Plan, d: Decisions, report: Report) -> None:
    periods, sites = list(inputs.periods), [str(s) for s in inputs.sites.index]
    origins, hubs = [str(o) for o in inputs.origins.index], [str(h) for h in inputs.hubs.index]
    herd = d.herd
    report.grid_at_most("cattle.herd_within_size", sites, periods, herd, capacity(inputs, d),
                        "herd", "head")
    kept = {(str(r["hub_id"]), str(r["site_id"])) for r in inputs.hub_site.to_dict("records")}
    for h, s in zip(*np.nonzero(d.flow.sum(axis=(0, 3))), strict=True):
        if (hubs[h], sites[s]) not in kept:
            report.add(f"cattle.hubs_per_site[{hubs[h]},{sites[s]}]", f"heifers go from hub "
                       f"{hubs[h]} to site {sites[s]}, which is not one of its nearest hubs",
                       d.flow[:, h, s, :].sum())
    arrivals = d.arrivals
    report.grid_at_most("supply.heifers", origins, periods, arrivals.sum(axis=1),
                        inputs.heifer_supply.loc[origins, periods].to_numpy(), "heifers shipped",
                        "head")
    report.grid_at_most("hubs.capacity_heads", hubs, periods, arrivals.sum(axis=0),
                        inputs.hub_capacity_heads.loc[hubs, periods].to_numpy(),
                        "heifers through the hub", "head")
    reported = np.zeros_like(herd)
    pos_s, pos_t = positions(sites), positions(periods)
    for r in plan.herd.to_dict("records"):
        if str(r["site_id"]) in pos_s and str(r["period"]) in pos_t:
            reported[pos_s[str(r["site_id"])], pos_t[str(r["period"])]] += float(r["heads"])
    for s, t in zip(*np.nonzero(np.abs(reported - herd) > report.tol), strict=True):
        report.equal(f"plan.herd[{sites[s]},{periods[t]}]", reported[s, t], herd[s, t],
                     "the plan's herd", "head")


def _check_housing(inputs: PlanInputs, d: Decisions, report: Report) -> None:
    periods, towns = list(inputs.periods), [str(j) for j in inputs.settlements.index]
    origins, hubs = [str(o) for o in inputs.origins.index], [str(h) for h in inputs.hubs.index]
    table = inputs.settlements
    released_at = table["available_index"].to_numpy(dtype=int)
    max_houses = table["max_houses"].to_numpy(dtype=float)
    families = table["returning_families"].to_numpy(dtype=float)
    for j, town in enumerate(towns):
        released = int(released_at[j])
        if 0 <= d.developed[j] < released:
            report.add(f"agro_towns.land_released[{town}]", f"developed in "
                       f"{periods[d.developed[j]]}, before the land is released", 1.0)
        for t in np.nonzero(d.houses[j])[0]:
            if t < released:
                report.add(f"houses.land_released[{town},{periods[t]}]", f"{d.houses[j, t]:g} "
                           "houses built before the land is released", d.houses[j, t])
            if d.developed[j] < 0 or d.developed[j] > t:
                report.add(f"agro_towns.before_houses[{town},{periods[t]}]",
                           f"{d.houses[j, t]:g} houses built before the agro-town is "
                           "developed", d.houses[j, t])
        total = float(d.houses[j].sum())
        report.at_most(f"houses.max_houses[{town}]", total, max_houses[j], "houses built",
                       "houses")
        report.at_most(f"houses.returning_families[{town}]", total, families[j],
                       "houses built", "houses")
    report.grid_at_most("supply.timber", origins, periods, d.timber.sum(axis=1),
                        inputs.timber_supply.loc[origins, periods].to_numpy(), "timber shipped",
                        "m3")
    report.grid_at_most("hubs.capacity_timber", hubs, periods, d.timber.sum(axis=0),
                        inputs.hub_capacity_timber_m3.loc[hubs, periods].to_numpy(),
                        "timber through the hub", "m3")
    need = inputs.scenario.houses.timber_m3_per_house * d.houses.sum(axis=0)
    for q, period in enumerate(periods):
        report.equal(f"houses.timber[{period}]", float(d.timber[:, :, q].sum()), float(need[q]),
                     "timber shipped", "m3")


def _check_workforce_and_land(inputs: PlanInputs, plan: Plan, d: Decisions,
                              report: Report) -> None:
    scenario = inputs.scenario
    periods, sites = list(inputs.periods), [str(s) for s in inputs.sites.index]
    towns = [str(j) for j in inputs.settlements.index]
    herd = d.herd
    kept = {(str(r["site_id"]), str(r["settlement_id"])) for r in inputs.reach.to_dict("records")}
    for s, j in zip(*np.nonzero(d.workers.sum(axis=2) > report.tol), strict=True):
        if (sites[s], towns[j]) not in kept:
            report.add(f"distances.commuting_radius_km[{sites[s]},{towns[j]}]", f"workers of "
                       f"{sites[s]} live in {towns[j]}, beyond commuting reach",
                       d.workers[s, j].sum())
    need = scenario.farms.workers_per_100_head / 100.0 * herd
    report.grid_at_most("workforce.demand", sites, periods, need, d.workers.sum(axis=1),
                        "workers needed", "workers")
    standing = np.cumsum(d.houses, axis=1) * scenario.houses.workers_per_family
    report.grid_at_most("workforce.supply", towns, periods, d.workers.sum(axis=0), standing,
                        "workers living in the settlement", "workers")
    districts = [str(x) for x in inputs.districts.index]
    member = (inputs.sites["district_id"].astype(str).to_numpy()[None, :]
              == np.asarray(districts)[:, None]).astype(float)
    fodder = scenario.farms.fodder_ha_per_head * (member @ herd)
    report.grid_at_most("land.fodder", districts, periods, fodder,
                        inputs.fodder_land_ha.loc[districts, periods].to_numpy(),
                        "fodder land used", "ha")


def check_budget_rows(inputs: PlanInputs, total: np.ndarray, report: Report,
                      what: str = "spend") -> None:
    """``budget.per_quarter[t]`` for the spend ``total`` of each quarter (USD); with
    carry-over, cumulative spend against cumulative budget."""
    periods = list(inputs.periods)
    budget = inputs.budget_usd.loc[periods].to_numpy(dtype=float)
    carry = inputs.scenario.budget.carry_over
    lhs, rhs = (np.cumsum(total), np.cumsum(budget)) if carry else (total, budget)
    label = f"cumulative {what}" if carry else "spend"
    for t, period in enumerate(periods):
        report.at_most(f"budget.per_quarter[{period}]", lhs[t], rhs[t], label, "USD")


def _check_budget(inputs: PlanInputs, plan: Plan, spend: dict[str, np.ndarray],
                  report: Report) -> None:
    periods = list(inputs.periods)
    check_budget_rows(inputs, sum(spend.values(), np.zeros(len(periods))), report)
    table = plan.spend
    reported = {(str(r["period"]), str(r["category"])): float(r["usd"])
                for r in table.to_dict("records")}
    for category, values in spend.items():
        for t, period in enumerate(periods):
            report.equal(f"plan.spend[{period},{category}]",
                         reported.get((period, category), 0.0), float(values[t]),
                         f"the plan's {category} spend", "USD")


def _check_trade(inputs: PlanInputs, d: Decisions, report: Report) -> None:
    trade = inputs.scenario.trade
    exports = exports_by_year(inputs, d)
    for target in trade.targets:
        if target.enforce:
            total = trade.baseline_usd_per_year + exports.get(target.year, 0.0)
            report.at_most(f"trade.target[{target.year}]", target.total_usd, total,
                           "the trade target", "USD (baseline + exports is less)")


def _objective(inputs: PlanInputs, d: Decisions, spend: dict[str, np.ndarray],
               penalty: float) -> float:
    scenario, n_t = inputs.scenario, len(inputs.periods)
    families = float((d.houses.sum(axis=0) * (n_t - np.arange(n_t))).sum())
    herd = float(d.herd.sum())
    cost = float(sum(v.sum() for v in spend.values()))
    objective = scenario.objective
    if objective.kind == "weighted":
        w = objective.weights
        milk_t = herd * scenario.farms.milk_kg_per_head_year / 4.0 / 1000.0
        return w.family_quarter * families + w.milk_t * milk_t - w.cost_usd * cost - penalty
    return {"families": families, "milk": herd, "cost": cost}[objective.priorities[-1]]


def _check_kpis(inputs: PlanInputs, plan: Plan, d: Decisions, spend: dict[str, np.ndarray],
                report: Report) -> None:
    """Each numeric KPI the plan reports equals the one recomputed from its decisions."""
    scenario = inputs.scenario
    cattle, n_t = scenario.cattle, len(inputs.periods)
    to_site = d.flow.sum(axis=(0, 1, 3))
    built = d.farm_start >= 0
    paid_quarters = np.clip(n_t - d.farm_start, 0, max(scenario.farms.build_quarters, 1))
    expected = recompute_kpis(
        inputs, herd=d.herd, houses=d.houses, farm_start=d.farm_start,
        site_spend={
            "farms": np.where(built, scenario.farms.cost_usd_per_place * d.farm_size
                              * paid_quarters / max(scenario.farms.build_quarters, 1), 0.0),
            "heifers": cattle.heifer_price_usd * to_site,
            "trucking": cattle.truck_usd_per_head_km * np.einsum(
                "ohst,hs->s", d.flow, road_km(inputs)),
        },
        town_spend={
            "houses": scenario.houses.cost_usd * d.houses.sum(axis=1),
            "infrastructure": scenario.agro_towns.infrastructure_usd * (d.developed >= 0),
        },
        spend=spend, exports=exports_by_year(inputs, d),
    )
    expected["violations_count"] = len(reported_violations(plan))
    expected["violation_penalty"] = penalty_points(inputs, plan)
    recomputed = flatten_kpis(expected)
    reported = flatten_kpis(plan.kpis)
    for key in sorted(set(recomputed) | set(reported)):
        name = key.split("[")[0]
        if name not in plan.kpis or name not in expected:
            continue  # a KPI the plan does not report, or one not derivable here
        report.equal(f"plan.kpis.{key}", reported.get(key, 0.0), recomputed.get(key, 0.0),
                     f"KPI {key}", "")

