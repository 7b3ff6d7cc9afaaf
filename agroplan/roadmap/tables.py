"""The actuals tables: their columns, and reading and checking an actuals folder.

:data:`ACTUALS_COLUMNS` is the contract of the CSV files (documented in docs/roadmap.md).

Every problem of every table is collected, each as one line naming the file, the column,
the rows (numbered as in a spreadsheet: the header is row 1) with their values, and the
fix; :func:`agroplan.roadmap.actuals.read_actuals` raises them together as one
:class:`~agroplan.errors.DataError`. Rows with a problem of their own are left out of the
checks between tables (a delivery to a farm that is not started, houses before the
agro-town), so one mistake is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.periods import parse_quarter, quarter_index, quarter_label, quarter_ordinal
from agroplan.plan.result import SPEND_CATEGORIES

ACTUALS_COLUMNS: dict[str, tuple[str, ...]] = {
    "farms": ("site_id", "size_heads", "build_start"),
    "deliveries": ("origin_id", "hub_id", "site_id", "period", "heads"),
    "houses": ("settlement_id", "period", "houses"),
    "agro_towns": ("settlement_id", "developed_in"),
    "spend": ("period", "category", "usd"),
    "land": ("site_id", "released_in"),
}

MAX_ACTUALS_MEGABYTES = 50.0
"""Largest actuals CSV read; real ones are a few kilobytes."""

SHOWN_ROWS = 5
"""Rows a message lists before it says "and N more"."""

KEYS: dict[str, tuple[str, ...]] = {
    "farms": ("site_id",),
    "deliveries": ("origin_id", "hub_id", "site_id", "period"),
    "houses": ("settlement_id", "period"),
    "agro_towns": ("settlement_id",),
    "spend": ("period", "category"),
    "land": ("site_id",),
}
"""Columns that identify a row: two rows with the same key are a duplicate."""

COUNTS = {"size_heads", "heads", "houses"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
"""A cell holding a date (a workbook's date cell is read as ``2027-01-01``)."""
QUARTERS = {"build_start", "period", "developed_in", "released_in"}


# ------------------------------------------------------------------ reading


def read_tables(folder: Path, problems: list[str]) -> dict[str, pd.DataFrame]:
    """Each table present in ``folder`` as text cells (stripped), contract columns only."""
    for path in sorted(folder.glob("*.csv")):
        if path.stem not in ACTUALS_COLUMNS and not path.name.startswith("."):
            problems.append(f"{path}: unknown actuals table; name it one of "
                            f"{', '.join(f'{n}.csv' for n in ACTUALS_COLUMNS)}")
    tables = {}
    for name, columns in ACTUALS_COLUMNS.items():
        path = folder / f"{name}.csv"
        if path.exists():
            frame = _read_csv(path, columns, problems)
            if frame is not None:
                tables[name] = frame
    return tables


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[str]) -> pd.DataFrame | None:
    header = ",".join(columns)
    if not path.is_file():
        problems.append(f"{path}: is not a file; write the table as a CSV file")
        return None
    megabytes = path.stat().st_size / 1e6
    if megabytes > MAX_ACTUALS_MEGABYTES:
        problems.append(f"{path}: is {megabytes:.3g} MB, more than the limit of "
                        f"{MAX_ACTUALS_MEGABYTES:g} MB; is it the right file?")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.append(f"{path}: the file is empty; write at least the header line {header}")
        return None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(f"{path}: cannot be read as CSV ({first[:200]}); save it as UTF-8 CSV "
                        f"with the header {header}")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(f"{path}: missing column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; the header must be {header}")
        return None
    return frame[list(columns)].map(lambda v: str(v).strip()).reset_index(drop=True)


# ------------------------------------------------------------------ one table


class _Table:
    """One table's text cells, the rows still usable, and the problems found."""

    def __init__(self, path: Path | str, frame: pd.DataFrame, problems: list[str]) -> None:
        self.path = path
        self.frame = frame
        self.ok = np.ones(len(frame), dtype=bool)
        self.problems = problems

    def add(self, column: str, what: str, fix: str, bad: Iterable[int]) -> None:
        """Report ``what`` at rows ``bad`` (positions) of ``column``; mark them unusable."""
        rows = [int(i) for i in bad]
        if not rows:
            return
        self.ok[rows] = False
        cells = self.frame[column]
        shown = "; ".join(f"row {i + 2}: {cells.iloc[i]!r}" for i in rows[:SHOWN_ROWS])
        more = f"; and {len(rows) - SHOWN_ROWS} more" if len(rows) > SHOWN_ROWS else ""
        self.problems.append(f"{self.path}: {column}: {what} ({shown}{more}); {fix}")

    def row(self, column: str, i: int, what: str, fix: str) -> None:
        """One row's problem, told in full in ``what``."""
        self.ok[i] = False
        self.problems.append(f"{self.path}: row {i + 2}, {column}: {what}; {fix}")

    def where(self, mask: Iterable[bool]) -> list[int]:
        return [i for i, flag in enumerate(mask) if flag]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Usable rows as (position, cells)."""
        rows = self.frame.to_dict("records")
        return [(i, {str(k): str(v) for k, v in r.items()}) for i, r in enumerate(rows)
                if self.ok[i]]


def _ids(table: _Table, column: str, known: Iterable[object], what: str, source: str) -> None:
    cells = table.frame[column]
    table.add(column, "is empty", f"give every row a {column}", table.where(cells == ""))
    known_ids = {str(k) for k in known}
    unknown = table.where((cells != "") & ~cells.isin(known_ids))
    table.add(column, f"unknown {what}", f"use a {column} of {source}", unknown)


def _quarters(table: _Table, column: str, periods: tuple[str, ...], as_of: str,
              *, before_start_ok: bool = False) -> None:
    cells = table.frame[column]
    labels = [_quarter_or_none(c) for c in cells]
    dates = [i for i, o in enumerate(labels) if o is None and DATE.match(str(cells.iloc[i]))]
    table.add(column, "is a date, not a quarter",
              "type the quarter as text, for example 2027Q3 (a spreadsheet turns some entries "
              "into dates: format the column as Text first)", dates)
    table.add(column, "is not a quarter", "write it as YYYYQn, for example 2027Q3",
              [i for i, o in enumerate(labels) if o is None and i not in dates])
    late = [i for i, o in enumerate(labels) if o is not None and o > quarter_ordinal(as_of)]
    table.add(column, f"lies after the as-of quarter {as_of}",
              "drop the row or re-plan with a later --as-of (actuals record the past only)",
              late)
    if not before_start_ok:
        early = [i for i, o in enumerate(labels)
                 if o is not None and o < quarter_ordinal(periods[0])]
        table.add(column, f"lies before the horizon start {periods[0]}",
                  "drop the row (the plan starts later) or move horizon.start back", early)


def _quarter_or_none(cell: str) -> int | None:
    try:
        parse_quarter(cell)
    except ValueError:
        return None
    return quarter_ordinal(cell)


def _numbers(table: _Table, column: str, *, whole: bool) -> None:
    values = pd.to_numeric(table.frame[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values)
    unit = "a whole number" if whole else "a number"
    table.add(column, "is missing or not a number", f"write {unit} (no units, no separators)",
              table.where(bad))
    table.add(column, "is negative", f"write {unit} of at least 0",
              table.where(~bad & (values < 0)))
    if whole:
        fraction = ~bad & (values >= 0) & (values.fillna(0) % 1 != 0)
        table.add(column, "is not a whole number", "write a whole number",
                  table.where(fraction))


def _duplicates(table: _Table, name: str) -> None:
    keys = list(KEYS[name])
    repeated = table.frame.duplicated(subset=keys, keep="first") & table.ok
    for i in table.where(repeated):
        key = ", ".join(f"{k}={table.frame[k].iloc[i]}" for k in keys)
        table.row(keys[0], i, f"repeats the row with {key}",
                  "keep one row per " + " and ".join(keys) + " (add the amounts up)")


# ------------------------------------------------------------------ all tables


def check_actuals(folder: Path, frames: dict[str, pd.DataFrame], inputs: PlanInputs,
                  as_of: str, problems: list[str], *, workbook: bool = False) -> None:
    """Check every table on its own, then the references between them; convert the types.

    ``folder`` is the actuals folder, or the workbook when ``workbook`` is true (problems
    then name its sheets). ``frames`` is updated in place: counts become ints, ``usd``
    floats.
    """
    tables = {name: _Table(f"{folder}, sheet {name}" if workbook else folder / f"{name}.csv",
                           frame, problems)
              for name, frame in frames.items()}
    for name, table in tables.items():
        _check_columns(name, table, inputs, as_of)
    if "farms" in tables:
        _check_sizes(tables["farms"], inputs)
    for name, table in tables.items():
        _duplicates(table, name)
    released = _released(inputs, tables.get("land"))
    _check_farms_and_deliveries(tables, inputs, released)
    _check_towns_and_houses(tables, inputs, released)
    for name, frame in frames.items():
        for column in frame.columns:
            if column in COUNTS and tables[name].ok.all():
                frame[column] = pd.to_numeric(frame[column]).astype("int64")
            elif column == "usd" and tables[name].ok.all():
                frame[column] = pd.to_numeric(frame[column]).astype(float)


def _check_columns(name: str, table: _Table, inputs: PlanInputs, as_of: str) -> None:
    sites, towns = inputs.sites.index, inputs.settlements.index
    for column in ACTUALS_COLUMNS[name]:
        if column == "site_id" and name == "land":
            _ids(table, column, [*sites, *towns], "farm site or settlement",
                 "farm_sites.geojson or settlements.geojson")
        elif column == "site_id":
            _ids(table, column, sites, "farm site", "farm_sites.geojson")
        elif column == "settlement_id":
            _ids(table, column, towns, "settlement", "settlements.geojson")
        elif column == "origin_id":
            _ids(table, column, inputs.origins.index, "origin", "origins.geojson")
        elif column == "hub_id":
            _ids(table, column, inputs.hubs.index, "hub", "hubs.geojson")
        elif column in QUARTERS:
            _quarters(table, column, inputs.periods, as_of,
                      before_start_ok=column == "released_in")
        elif column in COUNTS or column == "usd":
            _numbers(table, column, whole=column in COUNTS)
        elif column == "category":
            table.add(column, "is not a spend category",
                      f"use one of {', '.join(SPEND_CATEGORIES)}",
                      table.where(~table.frame[column].isin(SPEND_CATEGORIES)))


def _check_sizes(farms: _Table, inputs: PlanInputs) -> None:
    sizes = inputs.scenario.farms.sizes_heads
    largest_at = {str(k): int(v) for k, v in inputs.sites["max_size_heads"].items()}
    for i, r in farms.records():
        size = float(r["size_heads"])
        largest = largest_at[r["site_id"]]
        if size not in sizes:
            farms.row("size_heads", i, f"{int(size)} head at {r['site_id']} is not one of "
                      f"farms.sizes_heads ({', '.join(str(k) for k in sizes)})",
                      "record the complex size built, or add it to farms.sizes_heads")
        elif size > largest:
            farms.row("size_heads", i, f"{int(size)} head at {r['site_id']} is above the "
                      f"site's max_size_heads {largest}",
                      "check the site_id, or raise max_size_heads in farm_sites.geojson")


def _released(inputs: PlanInputs, land: _Table | None) -> dict[str, int]:
    """Farm site or settlement id -> index of the quarter its land is released."""
    found = {str(k): int(v) for k, v in inputs.sites["available_index"].items()}
    found.update({str(k): int(v) for k, v in inputs.settlements["available_index"].items()})
    if land is not None:
        for _i, r in land.records():
            found[r["site_id"]] = max(0, quarter_index(r["released_in"], inputs.periods[0]))
    return found


def _label(inputs: PlanInputs, index: int) -> str:
    return quarter_label(quarter_ordinal(inputs.periods[0]) + index)


def _check_farms_and_deliveries(tables: dict[str, _Table], inputs: PlanInputs,
                                released: dict[str, int]) -> None:
    start = inputs.periods[0]
    build = inputs.scenario.farms.build_quarters
    started: dict[str, int] = {}
    farms = tables.get("farms")
    if farms is not None:
        _check_farm_starts(farms, inputs, released, started)
    deliveries = tables.get("deliveries")
    if deliveries is None:
        return
    kept = {(str(h), str(s)) for h, s in zip(inputs.hub_site["hub_id"],
                                             inputs.hub_site["site_id"], strict=True)}
    for i, r in deliveries.records():
        s, h, t = r["site_id"], r["hub_id"], quarter_index(r["period"], start)
        if s not in started:
            deliveries.row("site_id", i, f"heifers delivered to {s}, where farms.csv starts no "
                           "farm", "add the farm to farms.csv, or correct the site_id")
        elif t < started[s] + build:
            deliveries.row("period", i, f"heifers delivered to {s} in {r['period']}, before its "
                           f"farm is operational in {_label(inputs, started[s] + build)} "
                           f"(started {_label(inputs, started[s])}, farms.build_quarters "
                           f"{build})", "correct the period or the farm's build_start")
        elif (h, s) not in kept:
            nearest = sorted(hh for hh, ss in kept if ss == s)
            deliveries.row("hub_id", i, f"{h} is not one of the cattle.hubs_per_site nearest "
                           f"hubs of {s} ({', '.join(nearest)})",
                           "record the delivery through one of them, or raise "
                           "cattle.hubs_per_site")


def _check_towns_and_houses(tables: dict[str, _Table], inputs: PlanInputs,
                            released: dict[str, int]) -> None:
    start = inputs.periods[0]
    developed: dict[str, int] = {}
    towns = tables.get("agro_towns")
    for i, r in towns.records() if towns is not None else ():
        j, t = r["settlement_id"], quarter_index(r["developed_in"], start)
        if t >= released[j]:
            developed[j] = t
        elif towns is not None:
            towns.row("developed_in", i, f"the agro-town {j} is developed in "
                      f"{r['developed_in']}, before its land is released in "
                      f"{_label(inputs, released[j])}",
                      "correct developed_in, or record the earlier release in land.csv")
    houses = tables.get("houses")
    if houses is not None:
        _check_houses(houses, inputs, developed)


def _check_houses(houses: _Table, inputs: PlanInputs, developed: dict[str, int]) -> None:
    """Houses are built in developed agro-towns, from the quarter of development on."""
    for i, r in houses.records():
        j, t = r["settlement_id"], quarter_index(r["period"], inputs.periods[0])
        if j not in developed:
            houses.row("settlement_id", i, f"houses built in {j}, whose agro-town agro_towns.csv "
                       "does not develop", "add the agro-town to agro_towns.csv, or correct the "
                       "settlement_id")
        elif t < developed[j]:
            houses.row("period", i, f"houses built in {j} in {r['period']}, before its agro-town "
                       f"is developed in {_label(inputs, developed[j])}",
                       "correct the period or the agro-town's developed_in")

def _check_farm_starts(farms: _Table, inputs: PlanInputs, released: dict[str, int],
                       started: dict[str, int]) -> None:
    """Farms start after their land is released and are operational within the horizon."""
    start = inputs.periods[0]
    build = inputs.scenario.farms.build_quarters
    for i, r in farms.records():
        s, t = r["site_id"], quarter_index(r["build_start"], start)
        if t < released[s]:
            farms.row("build_start", i, f"the farm at {s} starts in {r['build_start']}, before "
                      f"its land is released in {_label(inputs, released[s])}",
                      "correct build_start, or record the earlier release in land.csv")
        elif t + build >= len(inputs.periods):
            farms.row("build_start", i, f"the farm at {s} starts in {r['build_start']} and is "
                      f"operational only in {_label(inputs, t + build)}, after the horizon ends "
                      f"in {inputs.periods[-1]}", "lengthen horizon.quarters")
        else:
            started[s] = t
