"""Family ``land``: fodder land of a district's herds within its cleared agricultural land."""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_land(m: AgroModel) -> None:
    """``land.fodder[d,t]``: ``fodder_ha_per_head x sum_{s in d} herd[s,t] <= L[d,t]``."""
    per_head = m.inputs.scenario.farms.fodder_ha_per_head
    if per_head <= 0:
        return
    terms: dict[tuple[str, int], list[mathopt.Variable]] = defaultdict(list)
    for (s, t), variables in m.herd_terms.items():
        terms[m.data.site_district[s], t].extend(variables)
    for (d, t), variables in sorted(terms.items()):
        p = m.periods[t]
        m.add(
            f"land.fodder[{d},{p}]",
            Expr(per_head * mathopt.fast_sum(variables)),
            ub=m.data.land.get((d, p), 0.0),
        )
