"""KPIs recomputed from a plan's decisions, for the independent checker (:mod:`agroplan.check`).

Every KPI of :mod:`agroplan.plan` that follows from the decisions and the inputs alone is
recomputed here from plain arrays; the checker compares them with the plan's own figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from agroplan.inputs import PlanInputs

# categories paid in a district: long-haul transport happens outside the region
DISTRICT_CATEGORIES = ("farms", "heifers", "trucking", "houses", "infrastructure")


def _by_district(labels: np.ndarray, values: np.ndarray) -> dict[str, float]:
    totals: dict[str, float] = {}
    for label, value in zip(labels, values, strict=True):
        totals[str(label)] = totals.get(str(label), 0.0) + float(value)
    return totals


def recompute_kpis(
    inputs: PlanInputs,
    *,
    herd: np.ndarray,
    houses: np.ndarray,
    farm_start: np.ndarray,
    site_spend: Mapping[str, np.ndarray],
    town_spend: Mapping[str, np.ndarray],
    spend: Mapping[str, np.ndarray],
    exports: Mapping[int, float],
) -> dict[str, Any]:
    """KPIs of :mod:`agroplan.plan` recomputed from decision arrays.

    Parameters
    ----------
    inputs
        The plan inputs.
    herd
        [site, quarter] heads at the end of each quarter.
    houses
        [settlement, quarter] houses built.
    farm_start
        [site] quarter index of construction start, negative when no farm.
    site_spend, town_spend
        Spend per category paid at each site / settlement over the horizon, USD.
    spend
        Spend per category and quarter, USD.
    exports
        Belarusian exports per calendar year, USD.
    """
    scenario, periods = inputs.scenario, list(inputs.periods)
    farms = scenario.farms
    site_district = inputs.sites["district_id"].astype(str).to_numpy()
    town_district = inputs.settlements["district_id"].astype(str).to_numpy()
    last_herd = herd[:, -1] if herd.size else np.zeros(len(site_district))
    herd_total = float(last_herd.sum())
    total_spend = sum(spend.values(), np.zeros(len(periods)))
    budget = inputs.budget_usd.loc[periods].to_numpy(dtype=float)
    built = farm_start >= 0
    district_spend = _by_district(
        np.concatenate([site_district, town_district]),
        np.concatenate([sum(site_spend.values(), np.zeros(len(site_district))),
                        sum(town_spend.values(), np.zeros(len(town_district)))]))
    trade = scenario.trade
    return {
        "families_housed": float(houses.sum()),
        "families_housed_by_period": dict(zip(periods, np.cumsum(houses.sum(axis=0)),
                                              strict=True)),
        "families_housed_by_district": _by_district(town_district, houses.sum(axis=1)),
        "houses_by_district": _by_district(town_district, houses.sum(axis=1)),
        "farms": float(built.sum()),
        "farms_operational": float((built & (farm_start + farms.build_quarters
                                             <= len(periods) - 1)).sum()),
        "herd_heads": herd_total,
        "herd_by_period": dict(zip(periods, herd.sum(axis=0), strict=True)),
        "herd_by_district": _by_district(site_district, last_herd),
        "milk_t_per_year": herd_total * farms.milk_kg_per_head_year / 1000.0,
        "milk_t_by_period": dict(zip(periods, herd.sum(axis=0) * farms.milk_kg_per_head_year
                                     / 4.0 / 1000.0, strict=True)),
        "jobs": farms.workers_per_100_head / 100.0 * herd_total,
        "spend_usd": float(total_spend.sum()),
        "budget_usd": float(budget.sum()),
        "spend_by_period": dict(zip(periods, total_spend, strict=True)),
        "budget_by_period": dict(zip(periods, budget, strict=True)),
        "spend_by_category": {c: float(v.sum()) for c, v in spend.items()},
        "spend_by_district": district_spend,
        "belarus_exports_usd_by_year": {str(y): v for y, v in exports.items()},
        "trade": {
            str(target.year): {
                "baseline_usd": trade.baseline_usd_per_year,
                "exports_usd": exports.get(target.year, 0.0),
                "total_usd": trade.baseline_usd_per_year + exports.get(target.year, 0.0),
                "target_usd": target.total_usd,
                "met": float(trade.baseline_usd_per_year + exports.get(target.year, 0.0)
                             >= target.total_usd - 1e-6 * max(1.0, target.total_usd)),
                "gap_usd": max(0.0, target.total_usd - trade.baseline_usd_per_year
                               - exports.get(target.year, 0.0)),
            }
            for target in trade.targets
        },
    }


def flatten_kpis(kpis: Mapping[str, Any]) -> dict[str, float]:
    """Numeric leaves as ``name`` or ``name[key]`` or ``name[year].field`` -> float.

    The plan's ``trade`` list is keyed by its ``year``; booleans count as 0/1. Leaves
    that are not numbers are left out.
    """
    flat: dict[str, float] = {}
    for name, value in kpis.items():
        if name == "trade" and isinstance(value, list):
            value = {str(row.get("year")): {k: v for k, v in row.items() if k != "year"}
                     for row in value if isinstance(row, Mapping)}
        if isinstance(value, Mapping):
            for key, inner in value.items():
                if isinstance(inner, Mapping):
                    for field, leaf in inner.items():
                        _put(flat, f"{name}[{key}].{field}", leaf)
                else:
                    _put(flat, f"{name}[{key}]", inner)
        else:
            _put(flat, name, value)
    return flat


def _put(flat: dict[str, float], key: str, value: Any) -> None:
    if isinstance(value, bool | int | float | np.integer | np.floating):
        flat[key] = float(value)
