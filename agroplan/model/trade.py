"""Family ``trade``: Belarusian exports per calendar year and enforced trade targets."""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr, years


def collect_exports(m: AgroModel) -> None:
    """Fill ``m.exports[year]``: heifers, house kits and farm equipment bought, USD."""
    sc = m.inputs.scenario
    by_quarter: dict[int, list[mathopt.LinearTerm]] = defaultdict(list)
    for (_o, _h, t), var in m.vars.y.items():
        by_quarter[t].append(sc.cattle.heifer_price_usd * var)
    for (_j, t), var in m.vars.x.items():
        by_quarter[t].append(sc.houses.belarus_kit_usd * var)
    for (_s, k, t), var in m.vars.b.items():
        by_quarter[t].append(sc.farms.belarus_equipment_usd_per_place * k * var)
    for t in range(m.quarters):
        m.exports_by_quarter[t] = Expr(mathopt.fast_sum(by_quarter[t]))
    for year, quarters in years(m.periods).items():
        m.exports[year] = Expr(
            mathopt.fast_sum(term for t in quarters for term in by_quarter[t])
        )


def add_trade(m: AgroModel) -> None:
    """``trade.target[Y]``: ``baseline + exports[Y] >= total_usd`` for enforced targets.

    Targets for years outside the horizon are left to the pre-solve checks.
    """
    trade = m.inputs.scenario.trade
    for target in trade.targets:
        if target.enforce and target.year in m.exports:
            m.add(
                f"trade.target[{target.year}]",
                m.exports[target.year],
                lb=target.total_usd - trade.baseline_usd_per_year,
            )
