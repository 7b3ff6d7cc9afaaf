"""The plan's decisions as arrays, and the figures derived from them, for :mod:`agroplan.check`.

:func:`read_decisions` turns a plan's decision tables into arrays indexed like the plan
inputs (reporting unknown ids, negative and fractional values as it goes); herd, capacity,
spend and exports are then recomputed from those arrays and the inputs alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_year
from agroplan.plan.result import Plan


@dataclass(frozen=True)
class Violation:
    """One broken constraint.

    Attributes
    ----------
    constraint
        Name as in the model, with its index: ``budget.per_quarter[2027Q2]``.
    message
        What is wrong, with both sides of the constraint and their units.
    amount
        By how much it is broken, in the constraint's unit (heads, USD, m3, ...).
    """

    constraint: str
    message: str
    amount: float



class Report:
    """Collects violations; tolerances are relative to the larger side, at least ``tol``."""

    def __init__(self, tol: float) -> None:
        self.tol = tol
        self.items: list[Violation] = []
        self.allowed: dict[str, float] = {}
        """Constraint name -> violation the plan reports for it (soft constraints)."""
        self.excess: dict[str, float] = {}
        """Constraint name -> excess found, for the names in ``allowed``."""

    def add(self, constraint: str, message: str, amount: float) -> None:
        self.items.append(Violation(constraint, message, float(amount)))

    def slack(self, rhs: float) -> float:
        return self.tol * max(1.0, abs(rhs))

    def at_most(self, name: str, lhs: float, rhs: float, what: str, unit: str) -> None:
        if name in self.allowed:
            self.excess[name] = float(lhs - rhs)
            rhs = rhs + self.allowed[name]
        if lhs - rhs > self.slack(rhs):
            self.add(name, f"{what} {lhs:,.6g} {unit} exceeds {rhs:,.6g} {unit}", lhs - rhs)

    def equal(self, name: str, lhs: float, rhs: float, what: str, unit: str) -> None:
        if abs(lhs - rhs) > self.slack(max(abs(lhs), abs(rhs))):
            self.add(name, f"{what} is {lhs:,.6g} {unit}, recomputed {rhs:,.6g} {unit}", lhs - rhs)

    def grid_at_most(self, family: str, rows: list[str], cols: list[str], lhs: np.ndarray,
                     rhs: np.ndarray, what: str, unit: str) -> None:
        """``lhs <= rhs`` elementwise over a rows x cols grid, named ``family[row,col]``."""
        if self.allowed:
            rhs = np.array(rhs, dtype=float, copy=True)
            for i, row in enumerate(rows):
                for t, col in enumerate(cols):
                    name = f"{family}[{row},{col}]"
                    if name in self.allowed:
                        self.excess[name] = float(lhs[i, t] - rhs[i, t])
                        rhs[i, t] += self.allowed[name]
        excess = lhs - rhs
        bad = excess > self.tol * np.maximum(1.0, np.abs(rhs))
        for i, t in zip(*np.nonzero(bad), strict=True):
            self.add(f"{family}[{rows[i]},{cols[t]}]",
                     f"{what} {lhs[i, t]:,.6g} {unit} exceeds {rhs[i, t]:,.6g} {unit}",
                     excess[i, t])


@dataclass(frozen=True)
class Decisions:
    """The plan's decisions as arrays over the inputs' ids (unknown rows dropped)."""

    farm_size: np.ndarray      # [s] heads, 0 = no farm
    farm_start: np.ndarray     # [s] quarter index, -1 = no farm
    flow: np.ndarray           # [o,h,s,t] heifers
    houses: np.ndarray         # [j,t]
    developed: np.ndarray      # [j] quarter index, -1 = not developed
    timber: np.ndarray         # [o,h,t] m3
    workers: np.ndarray        # [s,j,t]

    @property
    def herd(self) -> np.ndarray:
        """[s,t] heads at the end of each quarter: cumulative deliveries."""
        herd: np.ndarray = np.cumsum(self.flow.sum(axis=(0, 1)), axis=1)
        return herd

    @property
    def arrivals(self) -> np.ndarray:
        """[o,h,t] heifers shipped origin -> hub."""
        arrivals: np.ndarray = self.flow.sum(axis=2)
        return arrivals



def positions(index: pd.Index | list[str]) -> dict[str, int]:
    return {str(key): i for i, key in enumerate(index)}


def read_decisions(inputs: PlanInputs, plan: Plan, report: Report) -> Decisions:
    sites, towns = positions(inputs.sites.index), positions(inputs.settlements.index)
    origins, hubs = positions(inputs.origins.index), positions(inputs.hubs.index)
    times = positions(list(inputs.periods))
    n_o, n_h, n_s, n_j, n_t = len(origins), len(hubs), len(sites), len(towns), len(times)

    farm_size = np.zeros(n_s)
    farm_start = np.full(n_s, -1)
    for key, (size, start) in _rows(plan, "farms", (sites,), ("size_heads", "build_start"),
                                    report, integer=True):
        (s,) = key
        if farm_start[s] >= 0:
            report.add(f"farms.one_per_site[{inputs.sites.index[s]}]",
                       f"site {inputs.sites.index[s]} has more than one farm", 1.0)
        farm_size[s] = size
        farm_start[s] = times.get(str(start), -2)
    flow = np.zeros((n_o, n_h, n_s, n_t))
    for (o, h, s, t), heads in _cells(plan, "deliveries", (origins, hubs, sites, times),
                                      "heads", report, integer=True):
        flow[o, h, s, t] += heads
    houses = np.zeros((n_j, n_t))
    for (j, t), count in _cells(plan, "houses", (towns, times), "houses", report,
                                integer=True):
        houses[j, t] += count
    developed = np.full(n_j, -1)
    for (j, t), _ in _cells(plan, "agro_towns", (towns, times), None, report, integer=False):
        if developed[j] >= 0:
            report.add(f"agro_towns.once[{inputs.settlements.index[j]}]",
                       f"settlement {inputs.settlements.index[j]} is developed twice", 1.0)
        developed[j] = t if developed[j] < 0 else min(developed[j], t)  # the first counts
    timber = np.zeros((n_o, n_h, n_t))
    for (o, h, t), m3 in _cells(plan, "timber", (origins, hubs, times), "m3", report,
                                integer=False):
        timber[o, h, t] += m3
    workers = np.zeros((n_s, n_j, n_t))
    for (s, j, t), count in _cells(plan, "workforce", (sites, towns, times), "workers",
                                   report, integer=False):
        workers[s, j, t] += count
    return Decisions(farm_size, farm_start, flow, houses, developed, timber, workers)


_KEYS = {
    "farms": ("site_id",),
    "deliveries": ("origin_id", "hub_id", "site_id", "period"),
    "houses": ("settlement_id", "period"),
    "agro_towns": ("settlement_id", "developed_in"),
    "timber": ("origin_id", "hub_id", "period"),
    "workforce": ("site_id", "settlement_id", "period"),
}


def _cells(plan: Plan, table: str, spaces: tuple[dict[str, int], ...], value: str | None,
           report: Report, *, integer: bool) -> list[tuple[tuple[int, ...], float]]:
    """Rows of ``table`` as (index tuple, value); unknown ids, negatives, fractions reported."""
    columns = (value,) if value is not None else ()
    return [(key, float(values[0]) if values else 1.0)
            for key, values in _rows(plan, table, spaces, columns, report, integer=integer)]


def _rows(plan: Plan, table: str, spaces: tuple[dict[str, int], ...], values: tuple[str, ...],
          report: Report, *, integer: bool
          ) -> list[tuple[tuple[int, ...], tuple[Any, ...]]]:
    frame = plan.table(table)
    keys = _KEYS[table]
    missing = [c for c in (*keys, *values) if c not in frame.columns]
    if missing:
        report.add(f"columns.{table}", f"table {table} lacks column(s) {', '.join(missing)}", 0.0)
        return []
    found = []
    for record in frame.to_dict("records"):
        labels = [str(record[c]) for c in keys]
        where = ",".join(labels)
        unknown = [f"{c}={label}" for c, label, space in zip(keys, labels, spaces, strict=False)
                   if label not in space]
        if unknown:
            report.add(f"unknown_id.{table}[{where}]", f"unknown {', '.join(unknown)}", 0.0)
            continue
        row = tuple(record[c] for c in values)
        numeric = [float(v) for v in row if not isinstance(v, str)]
        if any(not np.isfinite(v) or v < -report.tol for v in numeric):
            report.add(f"nonnegative.{table}[{where}]", f"{table} {row} must be >= 0",
                       min(numeric))
            continue
        if integer and any(abs(v - round(v)) > report.tol for v in numeric):
            report.add(f"integrality.{table}[{where}]", f"{table} {row} must be whole",
                       max(abs(v - round(v)) for v in numeric))
        found.append((tuple(space[label] for space, label in zip(spaces, labels, strict=False)),
                      row))
    return found



def capacity(inputs: PlanInputs, d: Decisions) -> np.ndarray:
    """[s,t] operational capacity, heads."""
    n_t = len(inputs.periods)
    ready = d.farm_start + inputs.scenario.farms.build_quarters
    t = np.arange(n_t)[None, :]
    started = (d.farm_start[:, None] >= 0) & (t >= ready[:, None])
    cap: np.ndarray = np.where(started, d.farm_size[:, None], 0.0)
    return cap



def road_km(inputs: PlanInputs) -> np.ndarray:
    """[h,s] road km of the kept hub-site pairs (0 elsewhere)."""
    road_km = np.zeros((len(inputs.hubs), len(inputs.sites)))
    pos_h, pos_s = positions(inputs.hubs.index), positions(inputs.sites.index)
    for r in inputs.hub_site.to_dict("records"):
        road_km[pos_h[str(r["hub_id"])], pos_s[str(r["site_id"])]] = float(r["distance_km"])
    return road_km


def spend_by_category(inputs: PlanInputs, d: Decisions) -> dict[str, np.ndarray]:
    """Spend per category and quarter (USD) recomputed from the decisions."""
    scenario = inputs.scenario
    n_t, build = len(inputs.periods), scenario.farms.build_quarters
    farms = np.zeros(n_t)
    for s in np.nonzero(d.farm_start >= 0)[0]:
        start, cost = int(d.farm_start[s]), scenario.farms.cost_usd_per_place * d.farm_size[s]
        # paid evenly over the build; all at the start when build_quarters is 0
        for t in range(start, min(start + max(build, 1), n_t)):
            farms[t] += cost / max(build, 1)
    long_haul_km = inputs.long_haul_km.loc[list(inputs.origins.index),
                                           list(inputs.hubs.index)].to_numpy()
    arrivals, cattle = d.arrivals, scenario.cattle
    return {
        "farms": farms,
        "heifers": cattle.heifer_price_usd * arrivals.sum(axis=(0, 1)),
        "long_haul": cattle.long_haul_usd_per_head_km * np.einsum("oht,oh->t", arrivals,
                                                                    long_haul_km),
        "trucking": cattle.truck_usd_per_head_km * np.einsum("ohst,hs->t", d.flow,
                                                             road_km(inputs)),
        "houses": scenario.houses.cost_usd * d.houses.sum(axis=0),
        "infrastructure": scenario.agro_towns.infrastructure_usd * np.bincount(
            d.developed[d.developed >= 0], minlength=n_t).astype(float),
    }



def exports_by_quarter(inputs: PlanInputs, d: Decisions) -> np.ndarray:
    """Belarusian exports per quarter of the horizon (USD)."""
    scenario = inputs.scenario
    per_quarter: np.ndarray = (scenario.cattle.heifer_price_usd * d.arrivals.sum(axis=(0, 1))
                               + scenario.houses.belarus_kit_usd * d.houses.sum(axis=0))
    for s in np.nonzero(d.farm_start >= 0)[0]:
        per_quarter[d.farm_start[s]] += (scenario.farms.belarus_equipment_usd_per_place
                                         * d.farm_size[s])
    return per_quarter


def exports_by_year(inputs: PlanInputs, d: Decisions) -> dict[int, float]:
    """Belarusian exports per calendar year of the horizon (USD)."""
    per_quarter = exports_by_quarter(inputs, d)
    years: dict[int, float] = {}
    for t, period in enumerate(inputs.periods):
        year = quarter_year(period)
        years[year] = years.get(year, 0.0) + float(per_quarter[t])
    return years
