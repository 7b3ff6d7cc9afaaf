"""KPIs of a plan (see :mod:`agroplan.plan` for the keys), from its decisions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from agroplan.config.sections import Milestone
from agroplan.inputs import PlanInputs
from agroplan.model.lookups import Lookups
from agroplan.model.tables import (
    Decisions,
    exports_by_quarter,
    exports_by_year,
    herd_by_site,
    spend_rows,
)
from agroplan.plan.result import SPEND_CATEGORIES


def compute_kpis(inputs: PlanInputs, dec: Decisions) -> dict[str, Any]:
    """Every KPI key listed in :mod:`agroplan.plan`, as plain JSON values."""
    sc = inputs.scenario
    periods = inputs.periods
    last = len(periods) - 1
    districts = [str(d) for d in inputs.districts.index]
    data = Lookups.of(inputs)
    town_d, site_d = data.town_district, data.site_district

    built_by_t = [0] * len(periods)
    by_district = dict.fromkeys(districts, 0)
    for (j, t), n in dec.houses.items():
        built_by_t[t] += n
        by_district[town_d[j]] = by_district.get(town_d[j], 0) + n
    cumulative, running = {}, 0
    for t, p in enumerate(periods):
        running += built_by_t[t]
        cumulative[p] = running

    herd = herd_by_site(inputs, dec)
    herd_t = [sum(n for (_s, t2), n in herd.items() if t2 == t) for t in range(len(periods))]
    herd_d = dict.fromkeys(districts, 0)
    for (s, t), n in herd.items():
        if t == last:
            herd_d[site_d[s]] = herd_d.get(site_d[s], 0) + n
    milk_kg = sc.farms.milk_kg_per_head_year

    spend_t: dict[str, float] = defaultdict(float)
    spend_c = dict.fromkeys(SPEND_CATEGORIES, 0.0)
    spend_d = dict.fromkeys(districts, 0.0)
    for category, t, d, usd in spend_rows(inputs, dec):
        spend_t[periods[t]] += usd
        spend_c[category] += usd
        if d:
            spend_d[d] = spend_d.get(d, 0.0) + usd
    budget = list(data.budget)
    exports = exports_by_year(inputs, dec)
    operational = sum(1 for _s, _k, t in dec.farms if t + sc.farms.build_quarters <= last)
    return {
        "families_housed": running,
        "families_housed_by_period": cumulative,
        "families_housed_by_district": by_district,
        "houses_by_district": dict(by_district),
        "farms": len(dec.farms),
        "farms_operational": operational,
        "herd_heads": herd_t[last],
        "herd_by_period": {p: herd_t[t] for t, p in enumerate(periods)},
        "herd_by_district": herd_d,
        "milk_t_per_year": herd_t[last] * milk_kg / 1000.0,
        "milk_t_by_period": {p: herd_t[t] * milk_kg / 4000.0 for t, p in enumerate(periods)},
        "jobs": herd_t[last] * sc.farms.workers_per_100_head / 100.0,
        "spend_usd": sum(spend_c.values()),
        "budget_usd": sum(budget),
        "spend_by_period": {p: spend_t[p] for p in periods},
        "budget_by_period": dict(zip(periods, budget, strict=True)),
        "spend_by_category": spend_c,
        "spend_by_district": spend_d,
        "belarus_exports_usd_by_year": {str(y): v for y, v in sorted(exports.items())},
        "trade": _trade_rows(inputs, exports),
        "violations_count": len(dec.violations),
        "violation_penalty": sum(amount * penalty for amount, _u, penalty
                                 in dec.violations.values()),
        "milestones": milestone_rows(inputs, dec),
    }


def milestone_value(inputs: PlanInputs, dec: Decisions, milestone: Milestone) -> float:
    """The metric of ``milestone`` in the plan, at its ``by`` quarter."""
    sc = inputs.scenario
    by = inputs.periods.index(milestone.by)
    metric = milestone.metric
    if metric in ("families_housed", "houses_built"):
        return float(sum(n for (_j, t), n in dec.houses.items() if t <= by))
    if metric == "herd_heads":
        return float(sum(n for (_s, t), n in herd_by_site(inputs, dec).items() if t == by))
    if metric == "farms_operational":
        return float(sum(1 for _s, _k, t in dec.farms if t + sc.farms.build_quarters <= by))
    exports = exports_by_quarter(inputs, dec)
    if metric == "belarus_exports_usd":
        return float(sum(exports[: by + 1]))
    return sc.trade.baseline_usd_per_year + float(sum(exports[max(0, by - 3): by + 1]))


def milestone_rows(inputs: PlanInputs, dec: Decisions) -> list[dict[str, Any]]:
    """Each milestone of the scenario: its value, whether it is met and by how much."""
    rows = []
    for milestone in inputs.scenario.milestones:
        value = milestone_value(inputs, dec, milestone)
        rows.append({
            "name": milestone.name,
            "metric": milestone.metric,
            "by": milestone.by,
            "at_least": milestone.at_least,
            "value": value,
            # a hair of tolerance: the solver's continuous values are not exact
            "met": value >= milestone.at_least - 1e-6 * max(1.0, milestone.at_least),
            "margin": value - milestone.at_least,
            "enforce": milestone.enforce,
        })
    return rows


def _trade_rows(inputs: PlanInputs, exports: dict[int, float]) -> list[dict[str, Any]]:
    trade = inputs.scenario.trade
    rows = []
    for target in sorted(trade.targets, key=lambda item: item.year):
        made = exports.get(target.year, 0.0)
        total = trade.baseline_usd_per_year + made
        rows.append({
            "year": target.year,
            "baseline_usd": trade.baseline_usd_per_year,
            "exports_usd": made,
            "total_usd": total,
            "target_usd": target.total_usd,
            "met": total >= target.total_usd,
            "gap_usd": max(0.0, target.total_usd - total),
        })
    return rows
