"""Family ``milestones``: enforced roadmap milestones (``milestones:`` in the config).

Each enforced milestone adds ``milestone[name]``: ``metric(by) >= at_least``, where the
metric is one of :data:`agroplan.config.MILESTONE_METRICS` (see :class:`Milestone`).
"""

from __future__ import annotations

from ortools.math_opt.python import mathopt

from agroplan.config.sections import MILESTONE_UNITS, Milestone
from agroplan.model.core import AgroModel, Expr


def milestone_expression(m: AgroModel, milestone: Milestone) -> tuple[mathopt.LinearExpression,
                                                                     float]:
    """``(expr, constant)``: the metric at ``milestone.by`` is ``expr + constant``."""
    sc = m.inputs.scenario
    by = m.periods.index(milestone.by)
    metric = milestone.metric
    if metric in ("families_housed", "houses_built"):
        return Expr(mathopt.fast_sum(v for (_j, t), v in m.vars.x.items() if t <= by)), 0.0
    if metric == "herd_heads":
        sites = sorted({s for s, t in m.herd_terms if t == by})
        return Expr(mathopt.fast_sum(m.herd(s, by) for s in sites)), 0.0
    if metric == "farms_operational":
        build = sc.farms.build_quarters
        return Expr(mathopt.fast_sum(v for (_s, _k, t), v in m.vars.b.items()
                                     if t + build <= by)), 0.0
    if metric == "belarus_exports_usd":
        return Expr(mathopt.fast_sum(m.exports_by_quarter[t] for t in range(by + 1))), 0.0
    # trade_total_usd: baseline + exports of the four quarters ending with `by`
    window = range(max(0, by - 3), by + 1)
    return (Expr(mathopt.fast_sum(m.exports_by_quarter[t] for t in window)),
            sc.trade.baseline_usd_per_year)


def add_milestones(m: AgroModel) -> None:
    """``milestone[name]`` for every milestone with ``enforce: true``."""
    for milestone in m.inputs.scenario.milestones:
        if not milestone.enforce:
            continue
        expr, constant = milestone_expression(m, milestone)
        m.add(f"milestone[{milestone.name}]", expr, lb=milestone.at_least - constant,
              unit=MILESTONE_UNITS[milestone.metric])
