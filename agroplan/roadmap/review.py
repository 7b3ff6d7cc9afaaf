"""The review of a re-planned roadmap: plan against actual, what the re-plan changed,
milestones and trade to date. Pure: no I/O, no solver, no drawing.

:func:`build_review` compares three things:

- the *previous* plan (what was promised) with the *actuals* (what happened) in the
  quarters up to and including ``actuals.as_of``, by quarter and by district;
- the previous plan with the *current* re-plan in the remaining quarters (after ``as_of``);
- Belarusian exports of what actually happened (heifers delivered x
  ``cattle.heifer_price_usd``, houses built x ``houses.belarus_kit_usd``, farms started x
  size x ``farms.belarus_equipment_usd_per_place``, in the quarter of the start) plus the
  trade baseline, against ``trade.targets``.

Every table is a DataFrame with plain columns; deviations are ``actual - planned`` and
``deviation_pct = 100 x deviation / planned`` (NaN when nothing was planned).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.periods import quarter_ordinal, quarter_year
from agroplan.plan.result import SPEND_CATEGORIES, Plan
from agroplan.roadmap.actuals import Actuals

# measure key -> (label, unit); the order is the order of the review's tables
MEASURES: dict[str, tuple[str, str]] = {
    "farms_started": ("Farms started", "farms"),
    "farm_places_started": ("Farm places started", "head"),
    "heifers_delivered": ("Heifers delivered", "head"),
    "houses_built": ("Houses built", "houses"),
    "spend_usd": ("Money spent", "USD"),
}
DISTRICT_MEASURES = ("farms_started", "farm_places_started", "heifers_delivered", "houses_built")
COMPARE_COLUMNS = ("planned", "actual", "deviation", "deviation_pct")
EXPORT_PARTS = ("heifers_usd", "house_kits_usd", "equipment_usd")
UNKNOWN_DISTRICT = "?"


@dataclass(frozen=True)
class Review:
    """Plan against actual, the re-plan's changes, milestones and trade to date.

    Attributes
    ----------
    scenario, as_of
        Scenario name; last quarter of the actuals.
    past_periods, remaining_periods
        Horizon quarters up to and including ``as_of``, and after it.
    by_quarter
        period, measure, planned, actual, deviation, deviation_pct (measures: :data:`MEASURES`).
    by_district
        district_id, measure, planned, actual, deviation, deviation_pct, over the past
        quarters (measures: :data:`DISTRICT_MEASURES`; actual spend has no district).
    spend
        period, category, planned, actual, deviation, deviation_pct (USD).
    farm_changes
        site_id, district_id, change (``added``, ``removed``, ``resized``, ``rescheduled`` or
        ``resized, rescheduled``), previous_size_heads, current_size_heads,
        previous_start, current_start: farms the re-plan treats differently from the
        previous plan, where either plan starts them after ``as_of``.
    house_changes
        settlement_id, district_id, previous, current, change: houses planned after
        ``as_of`` per settlement, where either plan builds some.
    remaining
        period, measure, previous, current, change: the remaining quarters, previous plan
        against the re-plan.
    milestones
        name, metric, by, at_least, enforce, previous_value, previous_met, previous_margin,
        current_value, current_met, current_margin (``None`` where a plan lacks one).
    exports
        period, source (``planned``: previous plan, ``actual``, ``re-plan``: current plan
        after ``as_of``), heifers_usd, house_kits_usd, equipment_usd, total_usd.
    trade
        year, baseline_usd, planned_to_date_usd, exports_to_date_usd, total_to_date_usd,
        target_usd, planned_exports_usd, projected_exports_usd, projected_total_usd, gap_usd,
        met, projected_gap_usd, projected_met, status: one row per year from the horizon start to
        ``as_of`` and per target year. "To date" counts actual exports up to ``as_of`` (and
        the previous plan's exports of the same quarters); "projected" adds the re-plan's
        remaining quarters of that year; ``planned_exports_usd`` is the previous plan's whole
        year. Quarters outside the horizon count as 0; ``target_usd`` and the gaps are NaN
        and ``met`` is None in a year without a target. ``status``: ``met`` (to date),
        ``missed`` (the year ended by ``as_of`` below its target), ``open`` (the year is not
        over) or "" (no target).
    """

    scenario: str
    as_of: str
    past_periods: tuple[str, ...]
    remaining_periods: tuple[str, ...]
    by_quarter: pd.DataFrame
    by_district: pd.DataFrame
    spend: pd.DataFrame
    farm_changes: pd.DataFrame
    house_changes: pd.DataFrame
    remaining: pd.DataFrame
    milestones: pd.DataFrame
    exports: pd.DataFrame
    trade: pd.DataFrame

    def totals(self) -> pd.DataFrame:
        """measure, planned, actual, deviation, deviation_pct summed over the past quarters."""
        sums = self.by_quarter.groupby("measure", sort=False)[["planned", "actual"]].sum()
        sums = sums.reindex([m for m in MEASURES if m in sums.index])
        return _compare(sums.reset_index(), "planned", "actual")


def build_review(previous: Plan, current: Plan, actuals: Actuals, inputs: PlanInputs) -> Review:
    """Compare the previous plan, the actuals and the re-plan (pure).

    Parameters
    ----------
    previous
        The plan the actuals are measured against (and the re-plan compared with).
    current
        The re-plan made from ``actuals``.
    actuals
        What happened up to and including ``actuals.as_of``.
    inputs
        The inputs of the scenario (districts of sites and settlements, export prices,
        trade baseline and targets).
    """
    as_of = actuals.as_of
    periods = tuple(current.periods) or tuple(inputs.periods)
    cut = quarter_ordinal(as_of)
    past = tuple(p for p in periods if quarter_ordinal(p) <= cut)
    remaining = tuple(p for p in periods if quarter_ordinal(p) > cut)
    site_d = {str(k): str(v) for k, v in inputs.sites["district_id"].items()}
    town_d = {str(k): str(v) for k, v in inputs.settlements["district_id"].items()}
    planned = _events(previous.tables, site_d, town_d)
    actual = _events(actuals.tables, site_d, town_d)
    current_events = _events(current.tables, site_d, town_d)
    exports = _exports(inputs, previous.tables, actuals.tables, current.tables, past, remaining)
    return Review(
        scenario=inputs.scenario.name,
        as_of=as_of,
        past_periods=past,
        remaining_periods=remaining,
        by_quarter=_by_quarter(planned, actual, past),
        by_district=_by_district(planned, actual, past, sorted(inputs.districts.index.astype(str))),
        spend=_spend(previous.tables, actuals.tables, past),
        farm_changes=_farm_changes(previous, current, cut, site_d),
        house_changes=_house_changes(planned, current_events, remaining),
        remaining=_remaining(planned, current_events, remaining),
        milestones=_milestones(previous.kpis.get("milestones", []),
                               current.kpis.get("milestones", [])),
        exports=exports,
        trade=_trade(inputs, exports, as_of, periods),
    )


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype(float)


def _labels(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(str).str.strip()


def _table(tables: dict[str, pd.DataFrame], name: str, columns: Sequence[str]) -> pd.DataFrame:
    found = tables.get(name)
    if found is None or found.empty or not set(columns) <= set(found.columns):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return found


def _events(tables: dict[str, pd.DataFrame], site_d: dict[str, str],
            town_d: dict[str, str]) -> pd.DataFrame:
    """Long table period, measure, key, district_id, value of one plan or of the actuals.

    ``key`` is the site (farms, deliveries), the settlement (houses) or the spend category.
    """
    parts = []
    farms = _table(tables, "farms", ("site_id", "size_heads", "build_start"))
    sites = _labels(farms, "site_id")
    for measure, values in (("farms_started", pd.Series(1.0, index=farms.index)),
                            ("farm_places_started", _numbers(farms, "size_heads"))):
        parts.append(pd.DataFrame({"period": _labels(farms, "build_start"), "measure": measure,
                                   "key": sites, "district_id": sites.map(site_d),
                                   "value": values}))
    deliveries = _table(tables, "deliveries", ("site_id", "period", "heads"))
    sites = _labels(deliveries, "site_id")
    parts.append(pd.DataFrame({"period": _labels(deliveries, "period"),
                               "measure": "heifers_delivered", "key": sites,
                               "district_id": sites.map(site_d),
                               "value": _numbers(deliveries, "heads")}))
    houses = _table(tables, "houses", ("settlement_id", "period", "houses"))
    towns = _labels(houses, "settlement_id")
    parts.append(pd.DataFrame({"period": _labels(houses, "period"), "measure": "houses_built",
                               "key": towns, "district_id": towns.map(town_d),
                               "value": _numbers(houses, "houses")}))
    spend = _table(tables, "spend", ("period", "category", "usd"))
    parts.append(pd.DataFrame({"period": _labels(spend, "period"), "measure": "spend_usd",
                               "key": _labels(spend, "category"), "district_id": "",
                               "value": _numbers(spend, "usd")}))
    events = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(
        {c: pd.Series(dtype="object") for c in ("period", "measure", "key", "district_id")}
    ).assign(value=pd.Series(dtype=float))
    events["district_id"] = events["district_id"].fillna(UNKNOWN_DISTRICT)
    return events


def _sum(events: pd.DataFrame, by: Sequence[str], periods: Iterable[str]) -> pd.Series:
    chosen = events[events["period"].isin(set(periods))]
    return chosen.groupby(list(by))["value"].sum()


def _compare(frame: pd.DataFrame, planned: str, actual: str) -> pd.DataFrame:
    """Add ``deviation`` (actual - planned) and ``deviation_pct`` (NaN when planned is 0)."""
    frame = frame.copy()
    frame["deviation"] = frame[actual] - frame[planned]
    base = frame[planned].where(frame[planned] != 0)
    frame["deviation_pct"] = 100.0 * frame["deviation"] / base
    return frame


def _grid(keys: dict[str, Sequence[str]], planned: pd.Series, actual: pd.Series,
          names: tuple[str, str] = ("planned", "actual")) -> pd.DataFrame:
    """Every combination of ``keys`` with the two sums side by side (0 where missing)."""
    (first, values), *more = keys.items()
    index: pd.Index = (pd.MultiIndex.from_product(list(keys.values()), names=list(keys))
                       if more else pd.Index(list(values), name=first))
    frame = pd.DataFrame({names[0]: planned.reindex(index).fillna(0.0).astype(float),
                          names[1]: actual.reindex(index).fillna(0.0).astype(float)},
                         index=index)
    return frame.reset_index()


def _by_quarter(planned: pd.DataFrame, actual: pd.DataFrame,
                past: Sequence[str]) -> pd.DataFrame:
    by = ("period", "measure")
    grid = _grid({"period": list(past), "measure": list(MEASURES)},
                 _sum(planned, by, past), _sum(actual, by, past))
    return _compare(grid, "planned", "actual")


def _by_district(planned: pd.DataFrame, actual: pd.DataFrame, past: Sequence[str],
                 districts: list[str]) -> pd.DataFrame:
    by = ("district_id", "measure")
    plan_sum, actual_sum = _sum(planned, by, past), _sum(actual, by, past)
    seen = {str(d) for d, _m in [*plan_sum.index, *actual_sum.index]}
    extra = sorted(seen - set(districts) - {""})  # ids the scenario does not know
    grid = _grid({"district_id": [*districts, *extra], "measure": list(DISTRICT_MEASURES)},
                 plan_sum, actual_sum)
    return _compare(grid, "planned", "actual")


def _spend(previous: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame],
           past: Sequence[str]) -> pd.DataFrame:
    def sums(tables: dict[str, pd.DataFrame]) -> pd.Series:
        spend = _table(tables, "spend", ("period", "category", "usd"))
        frame = pd.DataFrame({"period": _labels(spend, "period"),
                              "category": _labels(spend, "category"),
                              "value": _numbers(spend, "usd")})
        return _sum(frame, ("period", "category"), past)

    plan_sum, actual_sum = sums(previous), sums(actual)
    found = {str(c) for _p, c in [*plan_sum.index, *actual_sum.index]}
    categories = [*SPEND_CATEGORIES, *sorted(found - set(SPEND_CATEGORIES))]
    grid = _grid({"period": list(past), "category": categories}, plan_sum, actual_sum)
    return _compare(grid, "planned", "actual")


def _farm_changes(previous: Plan, current: Plan, cut: int,
                  site_d: dict[str, str]) -> pd.DataFrame:
    def by_site(plan: Plan) -> dict[str, tuple[float, str]]:
        farms = plan.farms
        return {s: (float(k), str(b)) for s, k, b in zip(
            _labels(farms, "site_id"), _numbers(farms, "size_heads"), _labels(farms, "build_start"),
            strict=True)}

    before, after = by_site(previous), by_site(current)
    rows = []
    for site in sorted(set(before) | set(after)):
        old, new = before.get(site), after.get(site)
        starts = [quarter_ordinal(f[1]) for f in (old, new) if f is not None]
        if max(starts) <= cut or old == new:
            continue  # both in the past (fixed by the actuals) or unchanged
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            change = ", ".join(word for word, differs in (("resized", old[0] != new[0]),
                                                          ("rescheduled", old[1] != new[1]))
                               if differs)
        rows.append({"site_id": site, "district_id": site_d.get(site, UNKNOWN_DISTRICT),
                     "change": change,
                     "previous_size_heads": old[0] if old else np.nan,
                     "current_size_heads": new[0] if new else np.nan,
                     "previous_start": old[1] if old else "",
                     "current_start": new[1] if new else ""})
    columns = ("site_id", "district_id", "change", "previous_size_heads", "current_size_heads",
               "previous_start", "current_start")
    return pd.DataFrame(rows, columns=list(columns))


def _house_changes(planned: pd.DataFrame, current: pd.DataFrame,
                   remaining: Sequence[str]) -> pd.DataFrame:
    houses = {name: frame[frame["measure"] == "houses_built"]
              for name, frame in (("previous", planned), ("current", current))}
    sums = {name: _sum(frame, ("key",), remaining) for name, frame in houses.items()}
    districts = pd.concat(list(houses.values())).drop_duplicates("key").set_index("key")
    towns = sorted(set(sums["previous"][sums["previous"] > 0].index)
                   | set(sums["current"][sums["current"] > 0].index))
    frame = _grid({"settlement_id": towns}, sums["previous"], sums["current"],
                  ("previous", "current"))
    frame.insert(1, "district_id", [str(districts["district_id"].get(t, UNKNOWN_DISTRICT))
                                    for t in towns])
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def _remaining(planned: pd.DataFrame, current: pd.DataFrame,
               remaining: Sequence[str]) -> pd.DataFrame:
    by = ("period", "measure")
    frame = _grid({"period": list(remaining), "measure": list(MEASURES)},
                  _sum(planned, by, remaining), _sum(current, by, remaining),
                  ("previous", "current"))
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def _milestones(previous: list[dict[str, Any]], current: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["name", "metric", "by", "at_least", "enforce"]
    rows: dict[str, dict[str, Any]] = {}
    for which, items in (("previous", previous), ("current", current)):
        for item in items:
            row = rows.setdefault(str(item.get("name", "")), {
                **{c: item.get(c) for c in columns},
                **{f"{w}_{k}": None for w in ("previous", "current")
                   for k in ("value", "met", "margin")}})
            for key in ("value", "met", "margin"):
                row[f"{which}_{key}"] = item.get(key)
    order = columns + [f"{w}_{k}" for w in ("previous", "current")
                       for k in ("value", "met", "margin")]
    return pd.DataFrame(list(rows.values()), columns=order)


def _export_rows(inputs: PlanInputs, tables: dict[str, pd.DataFrame], source: str,
                 periods: Sequence[str]) -> list[dict[str, Any]]:
    """Belarusian exports per quarter: heifers, house kits and farm equipment, USD."""
    sc = inputs.scenario
    deliveries = _table(tables, "deliveries", ("period", "heads"))
    houses = _table(tables, "houses", ("period", "houses"))
    farms = _table(tables, "farms", ("size_heads", "build_start"))
    parts = {
        "heifers_usd": _numbers(deliveries, "heads").groupby(_labels(deliveries, "period")).sum()
        * sc.cattle.heifer_price_usd,
        "house_kits_usd": _numbers(houses, "houses").groupby(_labels(houses, "period")).sum()
        * sc.houses.belarus_kit_usd,
        "equipment_usd": _numbers(farms, "size_heads").groupby(_labels(farms, "build_start"))
        .sum() * sc.farms.belarus_equipment_usd_per_place,
    }
    rows = []
    for period in periods:
        row: dict[str, Any] = {"period": period, "source": source}
        row.update({k: float(v.get(period, 0.0)) for k, v in parts.items()})
        row["total_usd"] = sum(row[k] for k in EXPORT_PARTS)
        rows.append(row)
    return rows


def _exports(inputs: PlanInputs, previous: dict[str, pd.DataFrame],
             actual: dict[str, pd.DataFrame], current: dict[str, pd.DataFrame],
             past: Sequence[str], remaining: Sequence[str]) -> pd.DataFrame:
    rows = (_export_rows(inputs, previous, "planned", [*past, *remaining])
            + _export_rows(inputs, actual, "actual", past)
            + _export_rows(inputs, current, "re-plan", remaining))
    return pd.DataFrame(rows, columns=["period", "source", *EXPORT_PARTS, "total_usd"])


def _trade(inputs: PlanInputs, exports: pd.DataFrame, as_of: str,
           periods: Sequence[str]) -> pd.DataFrame:
    trade = inputs.scenario.trade
    baseline = float(trade.baseline_usd_per_year)
    targets: dict[int, float] = {}
    for item in trade.targets:
        targets.setdefault(item.year, float(item.total_usd))
    first = quarter_year(periods[0]) if periods else quarter_year(as_of)
    years = sorted(set(range(first, quarter_year(as_of) + 1)) | set(targets))
    year_of = exports["period"].map(quarter_year)
    per_source = {s: exports[exports["source"] == s].groupby(year_of)["total_usd"].sum()
                  for s in ("planned", "actual", "re-plan")}
    planned_to_date = exports[(exports["source"] == "planned")
                              & (exports["period"].map(quarter_ordinal)
                                 <= quarter_ordinal(as_of))].groupby(year_of)["total_usd"].sum()
    rows = []
    for year in years:
        to_date = float(per_source["actual"].get(year, 0.0))
        projected = to_date + float(per_source["re-plan"].get(year, 0.0))
        target = targets.get(year)
        row: dict[str, Any] = {
            "year": year, "baseline_usd": baseline,
            "planned_to_date_usd": float(planned_to_date.get(year, 0.0)),
            "exports_to_date_usd": to_date, "total_to_date_usd": baseline + to_date,
            "target_usd": np.nan if target is None else target,
            "planned_exports_usd": float(per_source["planned"].get(year, 0.0)),
            "projected_exports_usd": projected, "projected_total_usd": baseline + projected,
        }
        for prefix, total in (("", baseline + to_date), ("projected_", baseline + projected)):
            row[f"{prefix}gap_usd"] = np.nan if target is None else max(0.0, target - total)
            row[f"{prefix}met"] = None if target is None else bool(total >= target)
        over = quarter_ordinal(f"{year}Q4") <= quarter_ordinal(as_of)
        row["status"] = ("" if target is None else "met" if row["met"]
                         else "missed" if over else "open")
        rows.append(row)
    return pd.DataFrame(rows)
