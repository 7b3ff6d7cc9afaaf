"""Cheap checks before solving: say what is short before the solver spends its time.

:func:`check_inputs` returns findings; ``blocking`` ones prove that no plan exists (an
enforced trade target that cannot be reached), the others explain why a plan will be
small or empty (no heifers for even the smallest farm, more families than house plots).
"""

from __future__ import annotations

from dataclasses import dataclass

from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_year


@dataclass(frozen=True)
class Finding:
    """One pre-solve finding: the family it concerns and a readable message."""

    family: str
    message: str
    blocking: bool = False


def check_inputs(inputs: PlanInputs) -> list[Finding]:
    """Run every cheap check; see the module docstring."""
    return [*_farm_checks(inputs), *_house_checks(inputs), *_trade_checks(inputs)]


def _farm_checks(inputs: PlanInputs) -> list[Finding]:
    sc = inputs.scenario
    n_t, build = len(inputs.periods), sc.farms.build_quarters
    smallest = min(sc.farms.sizes_heads)
    found = []
    fits = inputs.sites[inputs.sites["max_size_heads"] >= smallest]
    in_time = fits[fits["available_index"].clip(lower=0) + build <= n_t - 1]
    if len(fits) == 0:
        found.append(Finding("farms", f"no farm site allows the smallest farm ({smallest} head); "
                             "lower farms.sizes_heads or add larger sites"))
    elif len(in_time) == 0:
        quarters = f"{build} quarter{'' if build == 1 else 's'}"
        found.append(Finding("farms", "no farm site is released early enough to finish a farm "
                             f"({quarters} to build) within the horizon; lengthen "
                             "horizon.quarters or shorten farms.build_quarters"))
    first_use = build + int(in_time["available_index"].clip(lower=0).min()) if len(in_time) else 0
    usable = inputs.periods[first_use:]
    heifers = float(inputs.heifer_supply[list(usable)].to_numpy().sum()) if usable else 0.0
    if heifers < smallest:
        found.append(Finding("supply", f"total heifer supply while farms can operate is "
                             f"{heifers:,.0f} head, short of even the smallest farm ({smallest} "
                             "head); raise supply.heifer_factor or the origins' "
                             "heifers_per_quarter"))
    return found


def _house_checks(inputs: PlanInputs) -> list[Finding]:
    sc = inputs.scenario
    towns = inputs.settlements
    found = []
    families, plots = int(towns["returning_families"].sum()), int(towns["max_houses"].sum())
    if families > plots:
        found.append(Finding("houses", f"families to house ({families:,}) exceed all house plots "
                             f"({plots:,}); at most {plots:,} families can be housed"))
    n_t = len(inputs.periods)
    if len(towns) and not (towns["available_index"].clip(lower=0) < n_t).any():
        found.append(Finding("houses", "no settlement is released within the horizon, so no "
                             "house can be built; lengthen horizon.quarters or check the "
                             "settlements' available_from"))
    timber = float(inputs.timber_supply.to_numpy().sum())
    per_house = sc.houses.timber_m3_per_house
    if per_house > 0 and timber < per_house:
        found.append(Finding("supply", f"total timber supply ({timber:,.0f} m3) is short of one "
                             f"house ({per_house:g} m3); raise supply.timber_factor"))
    budget = float(inputs.budget_usd.sum())
    cheapest = sc.houses.cost_usd + sc.agro_towns.infrastructure_usd
    if budget < cheapest:
        found.append(Finding("budget", f"the whole budget ({budget:,.0f} USD) is short of one "
                             f"agro-town with one house ({cheapest:,.0f} USD)"))
    return found


def _trade_checks(inputs: PlanInputs) -> list[Finding]:
    """An enforced target is unreachable if even buying everything Belarus can send falls short."""
    sc = inputs.scenario
    baseline = sc.trade.baseline_usd_per_year
    found = []
    for target in sc.trade.targets:
        if not target.enforce or baseline >= target.total_usd:
            continue
        quarters = [p for p in inputs.periods if quarter_year(p) == target.year]
        if not quarters:
            found.append(Finding("trade", f"trade.targets: {target.year} is outside the horizon "
                                 f"{inputs.periods[0]}..{inputs.periods[-1]}, so the baseline "
                                 f"{baseline:,.0f} USD alone must reach {target.total_usd:,.0f} "
                                 "USD; set enforce: false or move the horizon", blocking=True))
            continue
        most = _most_exports(inputs, quarters)
        if baseline + most < target.total_usd:
            found.append(Finding("trade", f"trade.target[{target.year}]: even every heifer, house "
                                 f"kit and farm Belarus could supply adds {most:,.0f} USD, short "
                                 f"of {target.total_usd - baseline:,.0f} USD; lower the target "
                                 "or set enforce: false", blocking=True))
    return found


def _most_exports(inputs: PlanInputs, quarters: list[str]) -> float:
    """Upper bound of a year's exports: every heifer that fits on every site, every kit
    the timber and plots allow, every site built at its largest size."""
    sc = inputs.scenario
    sizes = sc.farms.sizes_heads
    largest = inputs.sites["max_size_heads"].map(
        lambda m: max((k for k in sizes if k <= m), default=0))
    places = float(largest.sum())
    heads = min(places, sum(min(float(inputs.heifer_supply[p].sum()),
                                float(inputs.hub_capacity_heads[p].sum())) for p in quarters))
    houses = float(inputs.settlements[["max_houses", "returning_families"]].min(axis=1)
                   .clip(lower=0).sum())
    if sc.houses.timber_m3_per_house > 0:
        timber = sum(float(inputs.timber_supply[p].sum()) for p in quarters)
        houses = min(houses, timber / sc.houses.timber_m3_per_house)
    return (sc.cattle.heifer_price_usd * heads + sc.houses.belarus_kit_usd * houses
            + sc.farms.belarus_equipment_usd_per_place * places)
