"""Re-planning: fix the past to the actuals and re-optimise the quarters that remain.

The pipeline, one visible step each::

    scenario + layers -> PlanInputs -> read_actuals (checked) -> apply_land
    -> solve(prepare=fix_past) -> past deliveries as recorded -> Plan with meta["replan"]

:func:`replan` returns the plan and the inputs it was solved with; the command line
(``agroplan replan``) writes the plan folder, the actuals it used (``actuals/*.csv``),
checks it and draws the map. :func:`plan_changes` counts what changed against a previous
plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from agroplan.config.load import load_scenario
from agroplan.config.scenario import Scenario
from agroplan.errors import InfeasibleError, SolverError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers.read import Layers, read_layers
from agroplan.periods import quarter_index
from agroplan.plan.result import TABLE_COLUMNS, Plan
from agroplan.roadmap.actuals import Actuals, apply_land, as_of_index, read_actuals

__all__ = ["Replan", "plan_changes", "read_replan_actuals", "replan", "replan_inputs",
           "solve_replan"]


@dataclass(frozen=True)
class Replan:
    """A re-planned scenario.

    Attributes
    ----------
    plan
        The plan over the whole horizon, its past equal to the actuals; ``plan.meta``
        holds ``replan``: ``{"as_of", "actuals", "previous"}``.
    inputs
        The inputs it was solved with (``land.csv``'s releases applied).
    layers
        The scenario's layers (for writing and drawing).
    actuals
        The checked actuals.
    """

    plan: Plan
    inputs: PlanInputs
    layers: Layers
    actuals: Actuals


def replan_inputs(inputs: PlanInputs, actuals: Actuals) -> PlanInputs:
    """The inputs a re-plan is solved and checked with: the actuals' land releases applied."""
    return apply_land(inputs, actuals)


def replan(
    scenario: str | Path | None,
    actuals_folder: str | Path,
    as_of: str,
    *,
    previous: str | Path | None = None,
    overrides: Sequence[str] = (),
    solve_options: dict[str, Any] | None = None,
    progress: Callable[[str, Any], None] | None = None,
) -> Replan:
    """Re-plan ``scenario`` from the actuals in ``actuals_folder`` up to ``as_of``.

    Parameters
    ----------
    scenario
        Scenario file (``None``: the default scenario).
    actuals_folder
        Folder of actuals CSV tables (see :mod:`agroplan.roadmap.actuals`).
    as_of
        Last quarter the actuals cover.
    previous
        Plan folder this re-plan replaces, recorded in ``plan.meta``.
    overrides
        ``--set`` overrides of the scenario.
    solve_options
        Keyword arguments for :func:`agroplan.solve.solve` (``backend``, ``time_limit_s``...).
    progress
        The solver's progress callback.

    Raises
    ------
    ConfigError, DataError
        Bad scenario, layers, ``as_of`` or actuals.
    InfeasibleError
        The actuals break a hard rule (named with its place), or no plan completes them.
    SolverError
        No plan was found within the time limit.
    """
    config = load_scenario(scenario, overrides)
    layers = read_layers(config)
    base = build_plan_inputs(config, layers)
    actuals = read_actuals(actuals_folder, base, as_of)
    inputs = replan_inputs(base, actuals)
    plan = solve_replan(inputs, actuals, solve_options or {}, progress)
    meta = {**plan.meta, "replan": {"as_of": as_of, "actuals": str(actuals_folder),
                                    "previous": None if previous is None else str(previous)}}
    return Replan(dataclasses.replace(plan, meta=meta), inputs, layers, actuals)


def solve_replan(inputs: PlanInputs, actuals: Actuals, solve_options: dict[str, Any],
                 progress: Callable[[str, Any], None] | None = None) -> Plan:
    """Solve ``inputs`` with the past fixed to ``actuals``; the past deliveries as recorded."""
    from agroplan.roadmap.fix import fix_past
    from agroplan.solve.pipeline import solve

    index = as_of_index(inputs, actuals.as_of)
    plan = solve(inputs, prepare=lambda m: fix_past(m, actuals, index), progress=progress,
                 **solve_options)
    _raise_without_plan(plan, inputs.scenario, actuals)
    return with_recorded_deliveries(plan, actuals)


def _raise_without_plan(plan: Plan, scenario: Scenario, actuals: Actuals) -> None:
    if plan.status == "infeasible":
        raise InfeasibleError(
            f"scenario {scenario.name}: with the past fixed to the actuals to {actuals.as_of} "
            f"({actuals.source or 'given in code'}) no plan meets every hard rule, although "
            "the past alone breaks none of the rules checked before solving; a rule due "
            "later is out of reach (an enforced trade target or milestone, the budget of a "
            "later quarter). Make the family soft (constraints.<family>: {mode: soft, "
            "penalty: ...}) to see by how much, or relax it")
    if plan.status == "no_solution":
        raise SolverError(
            f"scenario {scenario.name}: {plan.solver} found no re-plan within the time limit; "
            "raise it with --time-limit or try another --solver")


def with_recorded_deliveries(plan: Plan, actuals: Actuals) -> Plan:
    """The plan with its past deliveries as the actuals record them, path by path.

    The model decides the two legs (origin -> hub, hub -> site); the plan's table pairs
    them up by id order, which may pair an origin with another site than the one
    recorded. The legs are equal, so every figure stays the same.
    """
    if not plan.has_solution:
        return plan
    start = plan.periods[0]
    table = plan.table("deliveries")
    past = [quarter_index(str(p), start) <= quarter_index(actuals.as_of, start)
            for p in table["period"]]
    recorded = actuals.table("deliveries")
    recorded = recorded[recorded["heads"].astype(int) > 0] if len(recorded) else recorded
    columns = list(TABLE_COLUMNS["deliveries"])
    frames = [f for f in (table.loc[[not p for p in past], columns], recorded[columns])
              if len(f)]
    merged = (pd.concat(frames, ignore_index=True) if frames else table.iloc[0:0])
    merged = merged.astype({"heads": "int64"}).sort_values(columns[:4], ignore_index=True)
    return dataclasses.replace(plan, tables={**plan.tables, "deliveries": merged})


def plan_changes(previous: Plan, plan: Plan) -> list[tuple[str, str, str]]:
    """What changed from ``previous`` to ``plan``, as (what, before, after) rows of counts."""
    rows: list[tuple[str, str, str]] = []
    old_farms, new_farms = _farms(previous), _farms(plan)
    moved = sum(1 for s in set(old_farms) & set(new_farms) if old_farms[s] != new_farms[s])
    rows.append(("farms built", f"{len(old_farms)}", f"{len(new_farms)}"))
    rows.append(("farms added / dropped / resized or moved in time",
                 "", f"{len(set(new_farms) - set(old_farms))} / "
                     f"{len(set(old_farms) - set(new_farms))} / {moved}"))
    for name, column, label in (("deliveries", "heads", "heifers delivered"),
                                ("houses", "houses", "houses built")):
        old, new = _by_period(previous, name, column), _by_period(plan, name, column)
        quarters = sum(1 for p in set(old) | set(new) if old.get(p, 0) != new.get(p, 0))
        rows.append((label, f"{sum(old.values()):,}", f"{sum(new.values()):,}"))
        rows.append((f"quarters with other {label}", "", f"{quarters}"))
    old_towns, new_towns = _towns(previous), _towns(plan)
    later = sum(1 for j in set(old_towns) & set(new_towns) if old_towns[j] != new_towns[j])
    rows.append(("agro-towns developed", f"{len(old_towns)}", f"{len(new_towns)}"))
    rows.append(("agro-towns added / dropped / moved in time", "",
                 f"{len(set(new_towns) - set(old_towns))} / "
                 f"{len(set(old_towns) - set(new_towns))} / {later}"))
    for key, label, scale, digits in (("herd_heads", "herd (last quarter), head", 1.0, 0),
                                      ("families_housed", "families housed", 1.0, 0),
                                      ("spend_usd", "spend, M USD", 1e6, 1)):
        rows.append((label, _fmt(previous.kpis.get(key), scale, digits),
                     _fmt(plan.kpis.get(key), scale, digits)))
    rows.append(("objective", _fmt(previous.objective, 1.0, 2), _fmt(plan.objective, 1.0, 2)))
    return rows


def _farms(plan: Plan) -> dict[str, tuple[int, str]]:
    return {str(r["site_id"]): (int(r["size_heads"]), str(r["build_start"]))
            for r in plan.farms.to_dict("records")}


def _towns(plan: Plan) -> dict[str, str]:
    return {str(r["settlement_id"]): str(r["developed_in"])
            for r in plan.agro_towns.to_dict("records")}


def _by_period(plan: Plan, name: str, column: str) -> dict[str, int]:
    table = plan.table(name)
    if table.empty:
        return {}
    sums = table.groupby(table["period"].astype(str))[column].sum()
    return {str(k): int(v) for k, v in sums.items()}


def _fmt(value: Any, scale: float, digits: int) -> str:
    return "-" if value is None else f"{float(value) / scale:,.{digits}f}"


def read_replan_actuals(plan_dir: str | Path, inputs: PlanInputs, as_of: str
                        ) -> tuple[PlanInputs, Actuals]:
    """The actuals a re-plan folder holds (``actuals/``) and the inputs it was solved with."""
    actuals = read_actuals(Path(plan_dir) / "actuals", inputs, as_of)
    return replan_inputs(inputs, actuals), actuals
