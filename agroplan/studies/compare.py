"""Differences between plans: key figures against a baseline and the decisions that changed.

Pure functions, no files and no solver: the first plan is the baseline, every other plan
is compared with it.

- :func:`kpi_rows` lines up the key figures (families housed, farms, herd, milk, jobs,
  spend, budget, trade per year, soft-constraint violations, milestones, objective,
  status, gap) with each plan's difference from the baseline.
- :func:`farm_changes` lists farms added, removed, resized (same site, other size), moved
  in time (same site, other start quarter) and relocated (a farm removed in a district and
  one added in the same district, paired nearest first).
- :func:`house_changes` compares, per settlement, the houses built over the horizon and
  the first quarter with houses.

Sites and settlements are located with :class:`Places` (district and coordinates), built
from the layers of every plan compared by :func:`places_from_layers`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from agroplan.periods import quarter_ordinal
from agroplan.plan.result import Plan

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

EARTH_RADIUS_KM = 6371.0088

# kpi key -> (label, unit); units: families, farms, head, t, jobs, usd, count, points, share
BASIC_KPIS: dict[str, tuple[str, str]] = {
    "families_housed": ("Families housed", "families"),
    "farms": ("Dairy farms built", "farms"),
    "herd_heads": ("Herd in the last quarter", "head"),
    "milk_t_per_year": ("Milk a year at that herd", "t"),
    "jobs": ("Farm jobs in the last quarter", "jobs"),
    "spend_usd": ("Spend", "usd"),
    "budget_usd": ("Budget", "usd"),
}
OPTIONAL_KPIS: dict[str, tuple[str, str]] = {
    "violations_count": ("Soft constraints violated", "count"),
    "violation_penalty": ("Penalty of the violations", "points"),
}

Value = float | str | None


@dataclass(frozen=True)
class KpiRow:
    """One key figure across the plans; ``deltas[i]`` is plan i minus the baseline
    (``None`` for the baseline itself, text rows and missing values)."""

    key: str
    label: str
    unit: str
    values: tuple[Value, ...]
    deltas: tuple[float | None, ...]


@dataclass(frozen=True)
class FarmChange:
    """A farm decision that differs from the baseline.

    ``kind`` is ``added``, ``removed``, ``resized``, ``moved in time``, ``resized and moved
    in time`` or ``relocated``; ``*_before`` fields are the baseline's (``None`` for an
    added farm), ``*_after`` the other plan's. ``distance_km`` is the straight-line
    distance of a relocation.
    """

    kind: str
    district_id: str
    site_before: str | None
    site_after: str | None
    size_before: int | None
    size_after: int | None
    start_before: str | None
    start_after: str | None
    distance_km: float | None = None


@dataclass(frozen=True)
class HouseChange:
    """Houses of one settlement over the horizon, baseline against the other plan."""

    settlement_id: str
    district_id: str
    houses_before: int
    houses_after: int
    first_before: str | None
    first_after: str | None

    @property
    def delta(self) -> int:
        return self.houses_after - self.houses_before


@dataclass(frozen=True)
class PlanChanges:
    """The decisions of plan ``label`` that differ from the baseline's."""

    label: str
    farms: tuple[FarmChange, ...]
    houses: tuple[HouseChange, ...]

    def summary(self) -> dict[str, int]:
        """Counts per kind of farm change, and houses gained and lost by settlements."""
        counts = {kind: 0 for kind in FARM_KINDS}
        for change in self.farms:
            counts[change.kind] += 1
        counts["houses_gained"] = sum(max(h.delta, 0) for h in self.houses)
        counts["houses_lost"] = sum(max(-h.delta, 0) for h in self.houses)
        return counts


FARM_KINDS = ("added", "removed", "relocated", "resized", "moved in time",
              "resized and moved in time")


@dataclass(frozen=True)
class Places:
    """Where sites and settlements are: index id; columns ``district_id``, ``lon``, ``lat``
    (settlements also ``name``, the English name, and where the layers have them
    ``name_az`` and ``name_ru``); ``districts`` maps district id to its name."""

    sites: pd.DataFrame
    settlements: pd.DataFrame
    districts: Mapping[str, str]


@dataclass(frozen=True)
class Comparison:
    """Key figures of every plan and, for each plan after the first, what changed."""

    labels: tuple[str, ...]
    kpis: tuple[KpiRow, ...]
    changes: tuple[PlanChanges, ...]
    families_by_quarter: tuple[tuple[str, tuple[int | None, ...]], ...] = ()

    @property
    def baseline(self) -> str:
        return self.labels[0]


def unique_labels(names: Sequence[str]) -> list[str]:
    """Scenario names made unique: a repeated name gets ``-2``, ``-3``, ... in order."""
    seen: set[str] = set()
    labels = []
    for name in names:
        label, n = name, 1
        while label in seen:
            n += 1
            label = f"{name}-{n}"
        seen.add(label)
        labels.append(label)
    return labels


def slug(label: str) -> str:
    """A label as a file-name part: letters, digits, ``.``, ``_``, ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "plan"


def compare_plans(labels: Sequence[str], plans: Sequence[Plan], places: Places) -> Comparison:
    """Compare ``plans[1:]`` with ``plans[0]`` (the baseline).

    Parameters
    ----------
    labels
        One unique label per plan (see :func:`unique_labels`).
    plans
        Two or more plans with a solution.
    places
        Districts and coordinates of every site and settlement the plans name.
    """
    if len(labels) != len(plans) or len(plans) < 2:
        raise ValueError("compare_plans needs two or more plans, one label each")
    base = plans[0]
    changes = tuple(
        PlanChanges(label, farm_changes(base, other, places.sites),
                    house_changes(base, other, places.settlements))
        for label, other in zip(labels[1:], plans[1:], strict=True))
    return Comparison(tuple(labels), kpi_rows(plans), changes, families_by_quarter(plans))


def families_by_quarter(plans: Sequence[Plan]) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    """Families housed by the end of each quarter (cumulative), per plan: where houses
    moved between quarters shows here even when the totals agree."""
    series = [p.kpis.get("families_housed_by_period") or {} for p in plans]
    periods = sorted({str(q) for s in series for q in s}, key=quarter_ordinal)
    return tuple((q, tuple(None if q not in s else int(s[q]) for s in series))
                 for q in periods)


# ------------------------------------------------------------------ key figures


def kpi_rows(plans: Sequence[Plan]) -> tuple[KpiRow, ...]:
    """The key figures of every plan, with differences from the first."""
    rows = [_row(key, label, unit, [p.kpis.get(key) for p in plans])
            for key, (label, unit) in BASIC_KPIS.items()]
    years = sorted({int(r["year"]) for p in plans for r in p.kpis.get("trade", [])})
    for year in years:
        values = [_trade_total(p, year) for p in plans]
        rows.append(_row(f"trade_{year}", f"Trade {year} (baseline + Belarusian exports)",
                         "usd", values))
    for key, (label, unit) in OPTIONAL_KPIS.items():
        if any(key in p.kpis for p in plans):
            rows.append(_row(key, label, unit, [p.kpis.get(key) for p in plans]))
    rows.extend(_milestone_rows(plans))
    rows.append(_row("objective", "Objective", "points", [p.objective for p in plans]))
    rows.append(KpiRow("status", "Status", "text", tuple(p.status for p in plans),
                       tuple(None for _ in plans)))
    rows.append(_row("relative_gap", "Relative gap", "share", [p.relative_gap for p in plans]))
    rows.append(KpiRow("solver", "Solver", "text", tuple(p.solver for p in plans),
                       tuple(None for _ in plans)))
    return tuple(rows)


def _row(key: str, label: str, unit: str, raw: Sequence[Any]) -> KpiRow:
    values = tuple(_number(v) for v in raw)
    base = values[0]
    deltas = tuple(None if i == 0 or v is None or base is None else v - base
                   for i, v in enumerate(values))
    return KpiRow(key, label, unit, values, deltas)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _trade_total(plan: Plan, year: int) -> float | None:
    for row in plan.kpis.get("trade", []):
        if int(row["year"]) == year:
            return float(row["total_usd"])
    return None


def _milestone_rows(plans: Sequence[Plan]) -> list[KpiRow]:
    """``Milestones met`` and each milestone's value, when any plan has milestones."""
    lists = [list(p.kpis.get("milestones") or []) for p in plans]
    if not any(lists):
        return []
    # a plan without milestones has none to meet: "-" rather than 0
    met = [sum(1 for m in ms if m.get("met")) if ms else None for ms in lists]
    rows = [_row("milestones_met", "Milestones met", "count", met)]
    names = sorted({str(m.get("name")) for ms in lists for m in ms})
    for name in names:
        found = [next((m for m in ms if str(m.get("name")) == name), None) for ms in lists]
        sample = next(m for m in found if m is not None)
        at_least = _number(sample.get("at_least"))
        shown = "?" if at_least is None else f"{at_least:,g}"
        label = f"Milestone {name}: {sample.get('metric')} by {sample.get('by')} " \
                f"(at least {shown})"
        rows.append(_row(f"milestone_{name}", label, "milestone",
                         [None if m is None else m.get("value") for m in found]))
    return rows


# ------------------------------------------------------------------ farms


def _farms(plan: Plan) -> dict[str, tuple[int, str]]:
    """site_id -> (size_heads, build_start) of a plan's farms."""
    farms = plan.farms
    sizes = pd.to_numeric(farms["size_heads"], errors="coerce").fillna(0).astype("int64")
    return {str(site): (int(size), str(start)) for site, size, start in zip(
        farms["site_id"], sizes.tolist(), farms["build_start"], strict=True)}


def farm_changes(base: Plan, other: Plan, sites: pd.DataFrame) -> tuple[FarmChange, ...]:
    """Farms of ``other`` that differ from ``base``'s.

    A site in both plans with another size is ``resized``, with another start quarter
    ``moved in time`` (both: ``resized and moved in time``). Farms removed and added in the
    same district are paired as ``relocated``, the closest pair first; the others stay
    ``added`` or ``removed``.
    """
    before, after = _farms(base), _farms(other)
    changes: list[FarmChange] = []
    for site in sorted(before.keys() & after.keys()):
        (size_b, start_b), (size_a, start_a) = before[site], after[site]
        resized, retimed = size_a != size_b, start_a != start_b
        if resized or retimed:
            kind = ("resized and moved in time" if resized and retimed
                    else "resized" if resized else "moved in time")
            changes.append(FarmChange(kind, _district(sites, site), site, site, size_b,
                                      size_a, start_b, start_a))
    removed = sorted(before.keys() - after.keys())
    added = sorted(after.keys() - before.keys())
    pairs = _nearest_pairs(removed, added, sites)
    for gone, new, km in pairs:
        changes.append(FarmChange("relocated", _district(sites, gone), gone, new,
                                  before[gone][0], after[new][0], before[gone][1],
                                  after[new][1], round(km, 2)))
    paired_removed = {p[0] for p in pairs}
    paired_added = {p[1] for p in pairs}
    changes += [FarmChange("removed", _district(sites, s), s, None, before[s][0], None,
                           before[s][1], None) for s in removed if s not in paired_removed]
    changes += [FarmChange("added", _district(sites, s), None, s, None, after[s][0],
                           None, after[s][1]) for s in added if s not in paired_added]
    order = {kind: i for i, kind in enumerate(FARM_KINDS)}
    return tuple(sorted(changes, key=lambda c: (order[c.kind], c.district_id,
                                                c.site_before or c.site_after or "")))


def _district(sites: pd.DataFrame, site: str) -> str:
    return str(sites.at[site, "district_id"]) if site in sites.index else ""


def _nearest_pairs(removed: Sequence[str], added: Sequence[str],
                   sites: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Greedy nearest pairs (removed, added, km) within each district."""
    candidates = []
    for gone in removed:
        for new in added:
            district = _district(sites, gone)
            if district and district == _district(sites, new):
                candidates.append((_km(sites, gone, new), gone, new))
    pairs: list[tuple[str, str, float]] = []
    used: set[str] = set()
    for km, gone, new in sorted(candidates):
        if gone not in used and new not in used:
            used.update((gone, new))
            pairs.append((gone, new, km))
    return sorted(pairs)


def lat_lon(table: pd.DataFrame, key: str) -> tuple[float, float]:
    """``(lat, lon)`` of a site or settlement of :class:`Places`."""
    return float(cast(float, table.at[key, "lat"])), float(cast(float, table.at[key, "lon"]))


def _km(table: pd.DataFrame, a: str, b: str) -> float:
    """Great-circle distance between two located features, km."""
    (lat1, lon1), (lat2, lon2) = (map(math.radians, lat_lon(table, k)) for k in (a, b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


# ------------------------------------------------------------------ houses


def _houses(plan: Plan) -> dict[str, tuple[int, str | None]]:
    """settlement_id -> (houses over the horizon, first quarter with houses)."""
    table = plan.houses
    houses = pd.to_numeric(table["houses"], errors="coerce").fillna(0).astype("int64")
    found: dict[str, tuple[int, str | None]] = {}
    for sid, period, n in zip(table["settlement_id"].astype(str), table["period"].astype(str),
                              houses.tolist(), strict=True):
        total, first = found.get(sid, (0, None))
        if n > 0 and (first is None or quarter_ordinal(period) < quarter_ordinal(first)):
            first = period
        found[sid] = (total + int(n), first)
    return found


def house_changes(base: Plan, other: Plan, settlements: pd.DataFrame
                  ) -> tuple[HouseChange, ...]:
    """Settlements whose houses over the horizon, or first quarter with houses, differ;
    the largest shifts first."""
    before, after = _houses(base), _houses(other)
    changes = []
    for sid in sorted(before.keys() | after.keys()):
        n_b, first_b = before.get(sid, (0, None))
        n_a, first_a = after.get(sid, (0, None))
        if n_b != n_a or first_b != first_a:
            district = str(settlements.at[sid, "district_id"]) if sid in settlements.index else ""
            changes.append(HouseChange(sid, district, n_b, n_a, first_b, first_a))
    return tuple(sorted(changes, key=lambda h: (-abs(h.delta), h.settlement_id)))


# ------------------------------------------------------------------ places and records


def places_from_layers(layers: Iterable[Layers]) -> Places:
    """Districts and coordinates of the sites and settlements in any of ``layers``
    (the first layers that name an id win)."""
    sites, towns = [], []
    districts: dict[str, str] = {}
    for layer in layers:
        sites.append(_located(layer.farm_sites, ["district_id"]))
        towns.append(_located(layer.settlements, ["district_id", "name_en", *(
            c for c in ("name_az", "name_ru") if c in layer.settlements.columns)]))
        for did, name in layer.districts["name_en"].astype(str).items():
            districts.setdefault(str(did), name)
    site_table = pd.concat(sites)
    town_table = pd.concat(towns).rename(columns={"name_en": "name"})
    return Places(site_table[~site_table.index.duplicated()],
                  town_table[~town_table.index.duplicated()], districts)


def _located(gdf: Any, columns: list[str]) -> pd.DataFrame:
    points = gdf.geometry
    frame = pd.DataFrame({c: gdf[c].fillna("").astype(str) for c in columns},
                         index=gdf.index.astype(str))
    frame["lon"] = [float(p.x) for p in points]
    frame["lat"] = [float(p.y) for p in points]
    return frame


def comparison_record(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain JSON values (``compare.json``)."""
    return {
        "baseline": comparison.baseline,
        "plans": list(comparison.labels),
        "kpis": [{"key": r.key, "label": r.label, "unit": r.unit,
                  "values": dict(zip(comparison.labels, r.values, strict=True)),
                  "deltas": dict(zip(comparison.labels[1:], r.deltas[1:], strict=True))}
                 for r in comparison.kpis],
        "families_by_quarter": [{"period": q, **dict(zip(comparison.labels, values,
                                                           strict=True))}
                                for q, values in comparison.families_by_quarter],
        "changes": [{"plan": c.label, "summary": c.summary(),
                     "farms": [asdict(f) for f in c.farms],
                     "houses": [{**asdict(h), "delta": h.delta} for h in c.houses]}
                    for c in comparison.changes],
    }
