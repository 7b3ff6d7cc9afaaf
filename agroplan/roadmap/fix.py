"""Fix the past of a built model to the actuals, for re-planning.

For every quarter ``t <= as_of`` the decisions are fixed to what happened: farm starts
``b``, heifers origin -> hub ``y`` and hub -> site ``z``, houses ``x`` and agro-towns ``a``
take the actuals' values and every other past decision is 0 (a farm the plan started in
the past but that was not started is not started). Timber ``q``, workers ``w`` and the
carried budget stay free: timber is tied to the houses by ``houses.timber[t]``, workers and
carry-over are not recorded. The quarters after ``as_of`` are re-optimised; herds, houses,
agro-towns and committed farm payments carry forward through the model's own expressions.

Money: when ``spend.csv`` gives a quarter's actual spend for a category, that quarter's
``budget.per_quarter`` row is moved by (the model's cost of the fixed decisions - the actual
spend), so that the row counts what was really spent and the carry-over is right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ortools.math_opt.python import mathopt

from agroplan.errors import DataError, InfeasibleError
from agroplan.model.core import AgroModel
from agroplan.periods import quarter_index
from agroplan.roadmap.actuals import Actuals
from agroplan.roadmap.past_rules import past_spend, rule_breaks

__all__ = ["fix_past", "past_values"]

Key = tuple[str | int, ...]


def past_values(m: AgroModel, actuals: Actuals) -> dict[str, dict[Key, int]]:
    """Variable family (``b``, ``y``, ``z``, ``x``, ``a``) -> key -> value of the actuals."""
    start = m.periods[0]
    values: dict[str, dict[Key, int]] = {name: {} for name in "byzxa"}

    def add(name: str, key: Key, amount: int) -> None:
        values[name][key] = values[name].get(key, 0) + amount

    for r in actuals.table("farms").to_dict("records"):
        add("b", (str(r["site_id"]), int(r["size_heads"]),
                  quarter_index(str(r["build_start"]), start)), 1)
    for r in actuals.table("deliveries").to_dict("records"):
        t = quarter_index(str(r["period"]), start)
        add("y", (str(r["origin_id"]), str(r["hub_id"]), t), int(r["heads"]))
        add("z", (str(r["hub_id"]), str(r["site_id"]), t), int(r["heads"]))
    for r in actuals.table("houses").to_dict("records"):
        add("x", (str(r["settlement_id"]), quarter_index(str(r["period"]), start)),
            int(r["houses"]))
    for r in actuals.table("agro_towns").to_dict("records"):
        add("a", (str(r["settlement_id"]), quarter_index(str(r["developed_in"]), start)), 1)
    return values


def fix_past(m: AgroModel, actuals: Actuals, as_of_index: int) -> None:
    """Fix every decision of the quarters ``0..as_of_index`` to the actuals.

    Parameters
    ----------
    m
        The built model (its inputs must already hold ``land.csv``'s releases, see
        :func:`agroplan.roadmap.actuals.apply_land`).
    actuals
        Checked actuals (:func:`agroplan.roadmap.actuals.read_actuals`).
    as_of_index
        Index of the last past quarter in the horizon.

    Raises
    ------
    InfeasibleError
        When the actuals break a hard rule of the scenario, each named with its place.
    DataError
        When an actual has no decision in the model (for example a delivery whose origin
        has no heifers in the scenario), naming the table and the row's ids.
    """
    breaks = rule_breaks(m.inputs, actuals)
    if breaks:
        raise InfeasibleError([f"the actuals to {actuals.as_of} break a hard rule: {line}"
                               for line in breaks])
    values = past_values(m, actuals)
    v = m.vars
    families: dict[str, Mapping[Any, mathopt.Variable]] = {
        "b": v.b, "y": v.y, "z": v.z, "x": v.x, "a": v.a}
    missing: list[str] = []
    for name, variables in families.items():
        wanted = values[name]
        for key, var in variables.items():
            if int(key[-1]) <= as_of_index:
                var.lower_bound = var.upper_bound = float(wanted.get(key, 0))
        missing.extend(_no_variable(m, name, key, amount)
                       for key, amount in wanted.items() if amount and key not in variables)
    if missing:
        raise DataError(missing)
    _adjust_budget(m, actuals, as_of_index)


TABLE_OF = {"b": "farms.csv", "y": "deliveries.csv", "z": "deliveries.csv", "x": "houses.csv",
            "a": "agro_towns.csv"}
REASON_OF = {
    "b": "the site's land is not released then or the farm would not be operational within "
         "the horizon; record an earlier release in land.csv or lengthen horizon.quarters",
    "y": "the origin has no heifers or the hub no capacity for heifers in that quarter; "
         "check heifers_per_quarter in origins.geojson and capacity_heads_per_quarter in "
         "hubs.geojson",
    "z": "the hub is not one of the site's nearest hubs or the farm is not operational then; "
         "check the row against farms.csv and cattle.hubs_per_site",
    "x": "the settlement has no house plots or returning families, or its land is not "
         "released then; check max_houses and returning_families, or record the release in "
         "land.csv",
    "a": "the settlement has no house plots or returning families, or its land is not "
         "released then; check max_houses and returning_families, or record the release in "
         "land.csv",
}


def _no_variable(m: AgroModel, name: str, key: Key, amount: int) -> str:
    *ids, t = key
    where = ", ".join(str(i) for i in ids)
    return (f"{TABLE_OF[name]}: the row ({where}, {m.periods[int(t)]}: {amount}) has no "
            f"decision in the model: {REASON_OF[name]}")


def _adjust_budget(m: AgroModel, actuals: Actuals, as_of_index: int) -> None:
    """Move each past quarter's budget row by (modelled - actual spend) of that quarter."""
    modelled, counted = past_spend(m.inputs, actuals)
    for t in range(as_of_index + 1):
        shift = float(modelled[t] - counted[t])
        name = f"budget.per_quarter[{m.periods[t]}]"
        if shift != 0.0 and name in m.constraints:
            m.constraints[name].upper_bound += shift
