"""The clearance table: cumulative hectares of farmland released per district and quarter.

:func:`read_clearance` reads the table (CSV, XLSX or a database table) and checks each row
on its own; once the districts are
known, :func:`check_clearance` checks that every district has a row for every quarter of the
horizon and that its cleared land never falls.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from agroplan.config.sources import LayerSource
from agroplan.layers.checks import Problems, is_quarter
from agroplan.layers.formats import is_table, read_source
from agroplan.layers.mapping import CLEARANCE_COLUMNS, apply_mapping
from agroplan.periods import parse_quarter

__all__ = ["CLEARANCE_COLUMNS", "check_clearance", "quarter_sort_key", "read_clearance"]

MAX_CLEARANCE_ROWS = 2_000_000
"""Largest clearance table read (a district and quarter per row; not limited by
``--max-features``, which counts features)."""


def read_clearance(source: LayerSource, problems: Problems,
                   max_megabytes: float) -> pd.DataFrame | None:
    """The clearance table of a CSV or XLSX file or a database, each row checked on its own."""
    if not (is_table(source) or source.database):
        problems.add("the clearance table must be a CSV or XLSX file or a database table",
                     f"write a CSV with the columns {', '.join(CLEARANCE_COLUMNS)}")
        return None
    raw = read_source(source, "clearance", problems, MAX_CLEARANCE_ROWS, max_megabytes,
                      geometry=False)
    table = apply_mapping(raw, source, "clearance", problems) if raw is not None else None
    if table is None:
        return None
    missing = [c for c in CLEARANCE_COLUMNS if c not in table.columns]
    if missing:
        problems.add(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                     + problems.missing_hint,
                     f"the header must be {','.join(CLEARANCE_COLUMNS)}")
        return None
    if table.empty:
        problems.add("the table is empty", "add the cleared land per district and quarter")
        return None
    table = table[list(CLEARANCE_COLUMNS)].reset_index(drop=True)
    for column in ("district_id", "period"):  # text, whatever the cell held
        table[column] = table[column].map(lambda v: v if pd.isna(v) else str(v).strip())
    rows = pd.Series([f"row {i + 2}" for i in range(len(table))])  # header is line 1
    _clearance_values(table, rows, problems)
    return table


def _clearance_values(table: pd.DataFrame, rows: pd.Series, problems: Problems) -> None:
    ids = table["district_id"]
    no_id = ids.isna() | (ids.astype(object).map(lambda v: str(v).strip()) == "")
    if no_id.any():
        problems.add(f"{problems.name('district_id')} is empty",
                     f"give every row a {problems.own('district_id')}",
                     list(rows[no_id.to_numpy()]))
    values = pd.to_numeric(table["cleared_agricultural_ha"], errors="coerce")
    bad = values.isna() | ~np.isfinite(values)
    if bad.any():
        problems.add(f"{problems.name('cleared_agricultural_ha')} is missing, not a number or "
                     "infinite", "write a number of hectares", list(rows[bad.to_numpy()]))
    negative = ~bad & (values < 0)
    if negative.any():
        problems.add(f"{problems.name('cleared_agricultural_ha')} is negative",
                     "cleared land must be 0 ha or more",
                     list(rows[negative.to_numpy()]))
    periods = table["period"]
    unparsed = ~periods.map(is_quarter)
    if unparsed.any():
        problems.add(f"{problems.name('period')} is not a quarter label",
                     "write it as YYYYQn, for example 2027Q1",
                     list(rows[unparsed.to_numpy()]))
    duplicated = table.duplicated(["district_id", "period"], keep=False)
    if duplicated.any():
        problems.add("the same district and period appear twice", "keep one row per pair",
                     list(rows[duplicated.to_numpy()]))
    if not (bad.any() or unparsed.any()):
        table["cleared_agricultural_ha"] = values.astype(float)


def check_clearance(
    table: pd.DataFrame, districts: gpd.GeoDataFrame, periods: tuple[str, ...], problems: Problems
) -> None:
    known = set(districts["district_id"])
    unknown = sorted(set(table["district_id"].astype(str)) - known)
    if unknown:
        problems.add(f"unknown district {', '.join(unknown)}",
                     f"use a district_id of the districts layer ({', '.join(sorted(known))})")
    if problems:
        return
    for district in sorted(known):
        rows = table[table["district_id"] == district]
        missing = sorted(set(periods) - set(rows["period"]))
        if missing:
            problems.add(f"district {district} has no row for {_quarter_span(missing)}",
                         "add its cumulative cleared land for every quarter of the horizon")
            continue
        ordered = rows.assign(_q=rows["period"].map(parse_quarter)).sort_values("_q")
        steps = ordered["cleared_agricultural_ha"].astype(float).diff()
        drops = ordered.loc[steps < 0, "period"]
        if len(drops):
            problems.add(f"district {district}: cumulative cleared land decreases in "
                         f"{', '.join(drops.head(3))}", "cleared land by the end of a quarter "
                         "is cumulative: it must never fall")


def quarter_sort_key(value: Any) -> Any:
    """A key that sorts quarter labels in time order; other values sort as they are."""
    return parse_quarter(value) if is_quarter(value) else value


def _quarter_span(labels: list[str]) -> str:
    ordered = sorted(labels, key=parse_quarter)
    if len(ordered) <= 3:
        return ", ".join(ordered)
    return f"{len(ordered)} quarters ({ordered[0]} ... {ordered[-1]})"
