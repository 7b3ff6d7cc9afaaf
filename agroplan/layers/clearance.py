"""The clearance table: cumulative hectares of farmland released per district and quarter.

:func:`read_clearance` reads the CSV and checks each row on its own; once the districts are
known, :func:`check_clearance` checks that every district has a row for every quarter of the
horizon and that its cleared land never falls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from agroplan.layers.checks import Problems, is_quarter, readable_file, short_error
from agroplan.periods import parse_quarter

CLEARANCE_COLUMNS = ("district_id", "period", "cleared_agricultural_ha")


def read_clearance(path: Path, problems: Problems, max_megabytes: float) -> pd.DataFrame | None:
    if not readable_file(path, "clearance", problems, max_megabytes):
        return None
    try:
        table = pd.read_csv(path, dtype={"district_id": str, "period": str})
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        problems.add(f"cannot be read as CSV ({short_error(exc)})",
                     f"write a CSV with the columns {', '.join(CLEARANCE_COLUMNS)}")
        return None
    missing = [c for c in CLEARANCE_COLUMNS if c not in table.columns]
    if missing:
        problems.add(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                     f"the header must be {','.join(CLEARANCE_COLUMNS)}")
        return None
    if table.empty:
        problems.add("the table is empty", "add the cleared land per district and quarter")
        return None
    rows = pd.Series([f"row {i + 2}" for i in range(len(table))])  # header is line 1
    _clearance_values(table, rows, problems)
    return table[list(CLEARANCE_COLUMNS)]


def _clearance_values(table: pd.DataFrame, rows: pd.Series, problems: Problems) -> None:
    ids = table["district_id"]
    no_id = ids.isna() | (ids.astype(object).map(lambda v: str(v).strip()) == "")
    if no_id.any():
        problems.add("district_id is empty", "give every row a district_id",
                     list(rows[no_id.to_numpy()]))
    values = pd.to_numeric(table["cleared_agricultural_ha"], errors="coerce")
    bad = values.isna() | ~np.isfinite(values)
    if bad.any():
        problems.add("cleared_agricultural_ha is missing, not a number or infinite",
                     "write a number of hectares", list(rows[bad.to_numpy()]))
    negative = ~bad & (values < 0)
    if negative.any():
        problems.add("cleared_agricultural_ha is negative", "cleared land must be 0 ha or more",
                     list(rows[negative.to_numpy()]))
    periods = table["period"]
    unparsed = ~periods.map(is_quarter)
    if unparsed.any():
        problems.add("period is not a quarter label", "write it as YYYYQn, for example 2027Q1",
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
