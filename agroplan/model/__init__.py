"""The optimisation model (OR-Tools MathOpt), one module per constraint family.

:func:`build_model` creates the variables and calls each family in turn; every
constraint's name starts with its family key from docs/model.md, for example
``budget.per_quarter[2027Q2]`` or ``supply.heifers[BY-MI,2027Q3]``. ``kpis``, ``tables``
and ``binding`` read a solved model back into a plan's tables. Takes plan inputs, never
reads files or draws; imports inputs, config and plan, never solve, check or render.
"""

from __future__ import annotations

from collections.abc import Mapping

from ortools.math_opt.python import mathopt

from agroplan.inputs import PlanInputs
from agroplan.model.budget import add_budget, collect_spend
from agroplan.model.cattle import add_cattle
from agroplan.model.core import AgroModel, collect_herd_terms, create_variables
from agroplan.model.farms import add_farms
from agroplan.model.housing import add_housing
from agroplan.model.land import add_land
from agroplan.model.lookups import Lookups
from agroplan.model.milestones import add_milestones
from agroplan.model.objective import collect_objectives, hold_level, levels, set_objective
from agroplan.model.timber import add_timber
from agroplan.model.trade import add_trade, collect_exports
from agroplan.model.workforce import add_workforce

__all__ = ["AgroModel", "build_model", "hold_level", "levels", "set_objective"]

FAMILIES = (add_farms, add_cattle, add_housing, add_timber, add_workforce, add_land, add_budget,
            add_trade, add_milestones)


def build_model(inputs: PlanInputs, *, integer_flows: bool = False,
                soft: Mapping[str, float] | None = None) -> AgroModel:
    """Build the model of a scenario; the objective is set from ``objective.kind``.

    Parameters
    ----------
    inputs
        Plan inputs.
    integer_flows
        Make timber, workers and carried budget integer too (CP-SAT needs every
        variable integer).
    soft
        Family key -> penalty of the families to relax; default: the scenario's
        ``constraints:`` section (diagnosis relaxes every family).

    Returns
    -------
    AgroModel
        With the weighted objective set, or the first lexicographic level.
    """
    model = mathopt.Model(name=f"agroplan:{inputs.scenario.name}")
    data = Lookups.of(inputs)
    m = AgroModel(
        inputs=inputs,
        data=data,
        model=model,
        integer_flows=integer_flows,
        vars=create_variables(inputs, data, model, integer_flows),
        soft=dict(soft if soft is not None else inputs.scenario.constraints.soft()),
    )
    collect_herd_terms(m)
    collect_spend(m)
    collect_exports(m)
    for add_family in FAMILIES:
        add_family(m)
    collect_objectives(m)
    set_objective(m, levels(m)[0])
    return m
