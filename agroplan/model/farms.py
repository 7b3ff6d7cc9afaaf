"""Family ``farms``: at most one farm, of one size, per candidate site."""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_farms(m: AgroModel) -> None:
    """``farms.one_per_site[s]``: ``sum_{k,t} b[s,k,t] <= 1``."""
    by_site: dict[str, list[mathopt.Variable]] = defaultdict(list)
    for (s, _k, _t), var in m.vars.b.items():
        by_site[s].append(var)
    for s in sorted(by_site):
        m.add(f"farms.one_per_site[{s}]", Expr(mathopt.fast_sum(by_site[s])), ub=1)
