"""Families ``agro_towns`` and ``houses``: settlements developed, houses built."""

from __future__ import annotations

from collections import defaultdict

from ortools.math_opt.python import mathopt

from agroplan.model.core import AgroModel, Expr


def add_housing(m: AgroModel) -> None:
    """Agro-towns once and before their houses; houses within plots and families."""
    houses: dict[str, list[tuple[int, mathopt.Variable]]] = defaultdict(list)
    towns: dict[str, list[tuple[int, mathopt.Variable]]] = defaultdict(list)
    for (j, t), var in m.vars.x.items():
        houses[j].append((t, var))
    for (j, t), var in m.vars.a.items():
        towns[j].append((t, var))
    for j in sorted(houses):
        cap = m.data.house_cap(j)
        m.add(f"agro_towns.once[{j}]", Expr(mathopt.fast_sum(v for _, v in towns[j])), ub=1)
        for t, x_var in sorted(houses[j], key=lambda item: item[0]):
            developed = mathopt.fast_sum(v for t2, v in towns[j] if t2 <= t)
            m.add(
                f"agro_towns.before_houses[{j},{m.periods[t]}]",
                Expr(x_var - cap * developed),
                ub=0,
            )
        built = Expr(mathopt.fast_sum(v for _, v in houses[j]))
        m.add(f"houses.max_houses[{j}]", built, ub=m.data.max_houses[j])
        m.add(
            f"houses.returning_families[{j}]",
            built,
            ub=m.data.families[j],
        )
