"""Decisions -> the Plan's tables and KPIs (pure pandas; no solver).

:class:`Decisions` holds the rounded solution keyed by ids and quarter indices; the
functions here turn it into the tables and KPIs listed in :mod:`agroplan.plan`, with
rows sorted by ids and periods so that equal plans print equally.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from agroplan.families import FAMILY_OF_PREFIX
from agroplan.inputs import PlanInputs
from agroplan.model.lookups import Lookups
from agroplan.periods import quarter_year
from agroplan.plan.result import SPEND_CATEGORIES, TABLE_COLUMNS, empty_table


@dataclass
class Decisions:
    """A solution with integral decisions rounded to ints.

    ``farms`` (site, size_heads, build start index); ``heifers_in`` (origin, hub, t) ->
    heads; ``heifers_out`` (hub, site, t) -> heads; ``houses`` (settlement, t) -> houses;
    ``towns`` settlement -> quarter index developed; ``timber`` (origin, hub, t) -> m3;
    ``workers`` (site, settlement, t) -> workers; ``violations`` soft constraint name ->
    (violation, unit, penalty per unit).
    """

    farms: list[tuple[str, int, int]] = field(default_factory=list)
    heifers_in: dict[tuple[str, str, int], int] = field(default_factory=dict)
    heifers_out: dict[tuple[str, str, int], int] = field(default_factory=dict)
    houses: dict[tuple[str, int], int] = field(default_factory=dict)
    towns: dict[str, int] = field(default_factory=dict)
    timber: dict[tuple[str, str, int], float] = field(default_factory=dict)
    workers: dict[tuple[str, str, int], float] = field(default_factory=dict)
    violations: dict[str, tuple[float, str, float]] = field(default_factory=dict)


def _frame(name: str, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    if not rows:
        return empty_table(name)
    return pd.DataFrame(sorted(rows), columns=list(TABLE_COLUMNS[name]))


def split_paths(dec: Decisions) -> list[tuple[str, str, str, int, int]]:
    """Origin -> hub -> site paths: each hub's inflows, by origin id, fill its outflows, by
    site id (costs are per leg, so any split gives the same plan)."""
    ins: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    outs: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for (o, h, t), n in sorted(dec.heifers_in.items()):
        if n > 0:
            ins[h, t].append((o, n))
    for (h, s, t), n in sorted(dec.heifers_out.items()):
        if n > 0:
            outs[h, t].append((s, n))
    paths = []
    for (h, t), sinks in outs.items():
        origins = [o for o, _ in ins.get((h, t), [])]
        left = [n for _, n in ins.get((h, t), [])]
        i = 0
        for s, need in sinks:
            while need > 0 and i < len(left):
                take = min(need, left[i])
                paths.append((origins[i], h, s, t, take))
                need -= take
                left[i] -= take
                if left[i] == 0:
                    i += 1
    return paths


def herd_by_site(inputs: PlanInputs, dec: Decisions) -> dict[tuple[str, int], int]:
    """Herd at each farm at the end of each quarter from its operation on."""
    build = inputs.scenario.farms.build_quarters
    arrivals: dict[tuple[str, int], int] = defaultdict(int)
    for (_h, s, t), n in dec.heifers_out.items():
        arrivals[s, t] += n
    herd = {}
    for s, _k, t0 in dec.farms:
        total = 0
        for t in range(len(inputs.periods)):
            total += arrivals[s, t]
            if t >= t0 + build:
                herd[s, t] = total
    return herd


def spend_rows(inputs: PlanInputs, dec: Decisions) -> list[tuple[str, int, str, float]]:
    """(category, t, district_id, usd) items; long-haul has no district ("")."""
    sc = inputs.scenario
    n_t, build = len(inputs.periods), sc.farms.build_quarters
    data = Lookups.of(inputs)
    site_d, town_d = data.site_district, data.town_district
    rows: list[tuple[str, int, str, float]] = []
    for s, k, t0 in dec.farms:
        span = range(t0, min(n_t, t0 + build)) if build > 0 else range(t0, t0 + 1)
        rows += [("farms", t, site_d[s], sc.farms.cost_usd_per_place * k / max(build, 1))
                 for t in span]
    for (o, h, t), n in dec.heifers_in.items():
        km = data.long_haul_km[o, h]
        rows.append(("long_haul", t, "", sc.cattle.long_haul_usd_per_head_km * km * n))
    for (h, s, t), n in dec.heifers_out.items():
        rows.append(("heifers", t, site_d[s], sc.cattle.heifer_price_usd * n))
        truck = sc.cattle.truck_usd_per_head_km * data.hub_site_km[h, s]
        rows.append(("trucking", t, site_d[s], truck * n))
    for (j, t), n in dec.houses.items():
        rows.append(("houses", t, town_d[j], sc.houses.cost_usd * n))
    for j, t in dec.towns.items():
        rows.append(("infrastructure", t, town_d[j], sc.agro_towns.infrastructure_usd))
    return rows


def build_tables(inputs: PlanInputs, dec: Decisions) -> dict[str, pd.DataFrame]:
    """Every table named in :data:`agroplan.plan.TABLE_COLUMNS`."""
    periods = inputs.periods
    build = inputs.scenario.farms.build_quarters
    spend: dict[tuple[int, str], float] = defaultdict(float)
    for category, t, _d, usd in spend_rows(inputs, dec):
        spend[t, category] += usd
    # rows in period order, categories in the order of SPEND_CATEGORIES
    spend_table = pd.DataFrame(
        [(periods[t], c, spend[t, c]) for t in range(len(periods)) for c in SPEND_CATEGORIES],
        columns=list(TABLE_COLUMNS["spend"]),
    )
    return {
        "farms": _frame("farms", [(s, k, periods[t], periods[t + build])
                                  for s, k, t in dec.farms]),
        "deliveries": _frame("deliveries", [(o, h, s, periods[t], n)
                                            for o, h, s, t, n in split_paths(dec)]),
        "herd": _frame("herd", [(s, periods[t], n)
                                for (s, t), n in herd_by_site(inputs, dec).items()]),
        "agro_towns": _frame("agro_towns", [(j, periods[t]) for j, t in dec.towns.items()]),
        "houses": _frame("houses", [(j, periods[t], n)
                                    for (j, t), n in dec.houses.items() if n > 0]),
        "timber": _frame("timber", [(o, h, periods[t], m3)
                                    for (o, h, t), m3 in dec.timber.items() if m3 > 1e-9]),
        "workforce": _frame("workforce", [(s, j, periods[t], n)
                                          for (s, j, t), n in dec.workers.items() if n > 1e-9]),
        "spend": spend_table,
        "violations": _frame("violations", violation_rows(inputs, dec)),
    }


def binding_table(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The ``binding`` table, sorted by family then constraint name."""
    if not rows:
        return empty_table("binding")
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS["binding"]))
    return frame.sort_values(["family", "constraint"], kind="stable").reset_index(drop=True)


def violation_rows(inputs: PlanInputs, dec: Decisions) -> list[tuple[str, str, str, str, float,
                                                                      str]]:
    """(family, key, where, period, amount, unit) of each violated soft constraint."""
    periods = set(inputs.periods)
    rows = []
    for name, (amount, unit, _penalty) in dec.violations.items():
        prefix, _, inside = name.partition("[")
        parts = inside.rstrip("]").split(",") if inside else []
        period = next((part for part in parts if part in periods), "")
        where = ",".join(part for part in parts if part != period)
        rows.append((FAMILY_OF_PREFIX[prefix], name, where, period, amount, unit))
    return rows


def exports_by_quarter(inputs: PlanInputs, dec: Decisions) -> list[float]:
    """Belarusian export value per quarter of the horizon, USD."""
    sc = inputs.scenario
    by_quarter = [0.0] * len(inputs.periods)
    for (_o, _h, t), n in dec.heifers_in.items():
        by_quarter[t] += sc.cattle.heifer_price_usd * n
    for (_j, t), n in dec.houses.items():
        by_quarter[t] += sc.houses.belarus_kit_usd * n
    for _s, k, t in dec.farms:
        by_quarter[t] += sc.farms.belarus_equipment_usd_per_place * k
    return by_quarter


def exports_by_year(inputs: PlanInputs, dec: Decisions) -> dict[int, float]:
    """Belarusian export value per calendar year of the horizon, USD."""
    by_year = {quarter_year(p): 0.0 for p in inputs.periods}
    for t, usd in enumerate(exports_by_quarter(inputs, dec)):
        by_year[quarter_year(inputs.periods[t])] += usd
    return by_year
