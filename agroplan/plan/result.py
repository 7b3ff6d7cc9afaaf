"""The plan: a solver-independent, serialisable result.

A :class:`Plan` holds the decisions as tables (pandas DataFrames keyed by string ids and
quarter labels), the solver's status figures and the KPIs. It is what the checker, the
writers and the renderers consume; none of them needs the solver.

Tables and their columns (units in the names):

``farms``       site_id, size_heads, build_start, operational_from
``deliveries``  origin_id, hub_id, site_id, period, heads
``herd``        site_id, period, heads                    (herd at the end of the quarter)
``agro_towns``  settlement_id, developed_in
``houses``      settlement_id, period, houses
``timber``      origin_id, hub_id, period, m3
``workforce``   site_id, settlement_id, period, workers
``spend``       period, category, usd      (category: farms, heifers, long_haul, trucking,
                                             houses, infrastructure)
``violations``  family, key, where, period, amount, unit   (soft constraints only)
``binding``     constraint, family, where, period, activity, limit, marginal_value, unit
                (capacities, budgets, supplies, targets and milestones at their limit;
                marginal_value = objective points per unit the limit is relaxed, from the
                LP with the yes/no decisions fixed; see agroplan.model.binding)

KPIs (``Plan.kpis``), all plain JSON values:

``families_housed``                 int, houses built over the horizon
``families_housed_by_period``       {period: cumulative int}
``families_housed_by_district``     {district_id: int}
``houses_by_district``              {district_id: int}
``farms``                           int, farms built
``farms_operational``               int, farms operational by the last quarter
``herd_heads``                      int, herd in the last quarter
``herd_by_period``                  {period: int}
``herd_by_district``                {district_id: int}
``milk_t_per_year``                 float, annual milk at the last quarter's herd
``milk_t_by_period``                {period: float}, milk produced in the quarter
``jobs``                            float, farm workers needed in the last quarter
``spend_usd``                       float, total spend
``budget_usd``                      float, total budget
``spend_by_period``                 {period: float}
``budget_by_period``                {period: float}
``spend_by_category``               {category: float}
``spend_by_district``               {district_id: float}
                                    (farms, heifers, trucking, houses, infrastructure)
``belarus_exports_usd_by_year``     {year (str): float}
``trade``                           [{year, baseline_usd, exports_usd, total_usd,
                                      target_usd, met, gap_usd}]
``violations_count``                int, soft constraints violated
``violation_penalty``               float, objective points of those violations
``milestones``                      [{name, metric, by, at_least, value, met, margin,
                                      enforce}] for the scenario's ``milestones``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

PLAN_SCHEMA_VERSION = 1

Status = Literal["optimal", "feasible", "infeasible", "no_solution"]

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "farms": ("site_id", "size_heads", "build_start", "operational_from"),
    "deliveries": ("origin_id", "hub_id", "site_id", "period", "heads"),
    "herd": ("site_id", "period", "heads"),
    "agro_towns": ("settlement_id", "developed_in"),
    "houses": ("settlement_id", "period", "houses"),
    "timber": ("origin_id", "hub_id", "period", "m3"),
    "workforce": ("site_id", "settlement_id", "period", "workers"),
    "spend": ("period", "category", "usd"),
    "violations": ("family", "key", "where", "period", "amount", "unit"),
    "binding": ("constraint", "family", "where", "period", "activity", "limit",
                "marginal_value", "unit"),
}

SPEND_CATEGORIES = ("farms", "heifers", "long_haul", "trucking", "houses", "infrastructure")


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLE_COLUMNS[name]})


@dataclass(frozen=True)
class Plan:
    """A solved (or failed) plan of one scenario.

    Attributes
    ----------
    scenario
        Scenario name.
    status
        ``optimal``, ``feasible`` (stopped with a gap), ``infeasible`` or ``no_solution``
        (nothing found within the time limit).
    solver
        Backend name (``highs``, ``scip``, ``cpsat``).
    objective, best_bound, relative_gap
        The solver's figures; ``None`` when there is no solution.
    solve_seconds
        Wall-clock seconds spent in the solver.
    periods
        Quarter labels of the horizon.
    tables
        The decision tables named in :data:`TABLE_COLUMNS`.
    kpis
        Key figures, see the module docstring.
    meta
        Plain JSON facts about how the plan was made that are not decisions, for example
        ``{"replan": {"as_of": "2027Q4", "actuals": "..."}}``; written to ``plan.json``.
    """

    scenario: str
    status: Status
    solver: str
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    solve_seconds: float
    periods: tuple[str, ...]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    kpis: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    schema_version: int = PLAN_SCHEMA_VERSION

    def table(self, name: str) -> pd.DataFrame:
        """A decision table (empty with the right columns when absent)."""
        found = self.tables.get(name)
        return found if found is not None else empty_table(name)

    @property
    def farms(self) -> pd.DataFrame:
        return self.table("farms")

    @property
    def deliveries(self) -> pd.DataFrame:
        return self.table("deliveries")

    @property
    def herd(self) -> pd.DataFrame:
        return self.table("herd")

    @property
    def agro_towns(self) -> pd.DataFrame:
        return self.table("agro_towns")

    @property
    def houses(self) -> pd.DataFrame:
        return self.table("houses")

    @property
    def spend(self) -> pd.DataFrame:
        return self.table("spend")

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")
