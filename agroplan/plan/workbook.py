"""The plan as an Excel workbook (``plan.xlsx``) for the officials who decide in Excel.

Sheets:

``summary``      the plan's status and key figures with their units, then the trade targets
                 and the milestones (met or not, by how much)
``by district``  per district: farms built, herd in the last quarter, houses, spend
``by quarter``   per quarter: budget, spend (in total and by category), heifers delivered,
                 herd, milk, houses built, families housed so far, timber
``<table>``      one sheet per decision table (farms, deliveries, herd, ...), the columns of
                 :data:`~agroplan.plan.result.TABLE_COLUMNS`

Every sheet has its header row frozen and filtered, numbers as numbers (never text) with
formats for USD, head and houses, and columns wide enough for their content. The pivots are
values, not formulas, so any reader sees the same figures as ``plan.json``. The same plan
gives the same bytes: the workbook's timestamps are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import pandas as pd

from agroplan.layers.read import Layers
from agroplan.plan.gpkg import district_table
from agroplan.plan.result import SPEND_CATEGORIES, TABLE_COLUMNS, Plan

MAX_ROWS = 1_048_575
"""Rows of data a sheet holds below its header (Excel's limit)."""
MAX_WIDTH = 50
DECIMALS = 6

USD = '#,##0 "USD"'
HEADS = '#,##0 "head"'
HOUSES = '#,##0 "houses"'
FORMATS = {
    "usd": USD, "budget_usd": USD, "spend_usd": USD, "baseline_usd": USD, "exports_usd": USD,
    "total_usd": USD, "target_usd": USD, "gap_usd": USD,
    **{f"spend_{c}_usd": USD for c in SPEND_CATEGORIES},
    "heads": HEADS, "size_heads": HEADS, "herd_heads": HEADS, "heifers_delivered_heads": HEADS,
    "houses": HOUSES, "houses_built": HOUSES,
    "m3": '#,##0.0 "m³"', "timber_m3": '#,##0.0 "m³"', "milk_t": '#,##0.0 "t"',
    "workers": "#,##0.0", "families_housed": "#,##0", "farms": "#,##0",
}
"""Number format of a column, by its name (the unit is in the name)."""
UNIT_FORMATS = {"USD": USD, "head": HEADS, "houses": HOUSES, "families": "#,##0",
                "t": '#,##0.0 "t"', "workers": "#,##0.0"}

KPIS: tuple[tuple[str, str, str], ...] = (
    ("families_housed", "families housed (houses built)", "families"),
    ("farms", "farms built", "farms"),
    ("farms_operational", "farms operational by the last quarter", "farms"),
    ("herd_heads", "herd in the last quarter", "head"),
    ("milk_t_per_year", "milk per year at the last quarter's herd", "t"),
    ("jobs", "farm workers needed in the last quarter", "workers"),
    ("spend_usd", "spend", "USD"),
    ("budget_usd", "budget", "USD"),
    ("violations_count", "soft constraints violated", "constraints"),
    ("violation_penalty", "penalty of those violations", "objective points"),
)
"""The key figures of the summary: KPI key, what it is, unit."""
TRADE_COLUMNS = ("year", "baseline_usd", "exports_usd", "total_usd", "target_usd", "met",
                 "gap_usd")
MILESTONE_COLUMNS = ("name", "metric", "by", "at_least", "value", "met", "margin", "enforce")


def write_workbook(plan: Plan, layers: Layers, path: Path) -> None:
    """Write ``plan.xlsx`` for ``plan`` at ``path`` (its districts from ``layers``)."""
    from openpyxl import Workbook  # imported here: only writing a plan needs it

    book = Workbook(write_only=True)
    names = [*TABLE_COLUMNS, *sorted(set(plan.tables) - set(TABLE_COLUMNS))]
    notes = [f"sheet {name} holds the first {MAX_ROWS:,} of {len(plan.table(name)):,} rows; "
             f"every row is in {name}.csv" for name in names if len(plan.table(name)) > MAX_ROWS]
    _summary(book, plan, notes)
    _table(book, "by district", district_table(plan, layers).drop(columns="geometry"))
    _table(book, "by quarter", quarter_table(plan))
    for name in names:
        frame = plan.table(name)
        columns = list(TABLE_COLUMNS.get(name, frame.columns))
        _table(book, name, frame[columns].head(MAX_ROWS))
    buffer = BytesIO()
    book.save(buffer)
    path.write_bytes(_without_timestamps(buffer.getvalue(), plan.scenario))


def quarter_table(plan: Plan) -> pd.DataFrame:
    """The plan by quarter: money, cattle, milk, houses and timber (the pivot by quarter)."""
    periods = list(plan.periods)
    kpis = plan.kpis
    spend = plan.spend
    by_category = pd.DataFrame(index=periods, columns=list(SPEND_CATEGORIES), dtype=float)
    if not spend.empty:
        pivot = spend.astype({"usd": float}).pivot_table(index="period", columns="category",
                                                         values="usd", aggfunc="sum")
        by_category = pivot.reindex(index=periods, columns=list(SPEND_CATEGORIES))
    table = pd.DataFrame({
        "period": periods,
        "budget_usd": [float(kpis.get("budget_by_period", {}).get(p, 0.0)) for p in periods],
        "spend_usd": [float(kpis.get("spend_by_period", {}).get(p, 0.0)) for p in periods],
    })
    for category in SPEND_CATEGORIES:
        table[f"spend_{category}_usd"] = by_category[category].fillna(0.0).to_numpy()
    table["heifers_delivered_heads"] = _per_period(plan.deliveries, "heads", periods)
    table["herd_heads"] = [int(kpis.get("herd_by_period", {}).get(p, 0)) for p in periods]
    table["milk_t"] = [float(kpis.get("milk_t_by_period", {}).get(p, 0.0)) for p in periods]
    table["houses_built"] = _per_period(plan.houses, "houses", periods)
    table["families_housed"] = [int(kpis.get("families_housed_by_period", {}).get(p, 0))
                                for p in periods]
    table["timber_m3"] = _per_period(plan.table("timber"), "m3", periods).astype(float)
    return table


def _per_period(frame: pd.DataFrame, column: str, periods: Sequence[str]) -> pd.Series:
    if frame.empty:
        return pd.Series([0] * len(periods), dtype="int64")
    totals = frame.groupby(frame["period"].astype(str))[column].sum()
    return totals.reindex(list(periods)).fillna(0).astype(frame[column].dtype).reset_index(
        drop=True)


# ------------------------------------------------------------------ sheets


def _summary(book: Any, plan: Plan, notes: list[str]) -> None:
    """The summary sheet: status and key figures, trade targets, milestones, then ``notes``
    (tables too long for a sheet)."""
    sheet = book.create_sheet("summary")
    rows: list[list[Any]] = [
        ["scenario", plan.scenario, ""], ["status", plan.status, ""],
        ["solver", plan.solver, ""],
        ["quarters", f"{plan.periods[0]}..{plan.periods[-1]}" if plan.periods else "", ""],
        ["objective", plan.objective, "objective points"],
        ["relative gap", plan.relative_gap, "share"],
    ]
    rows += [[label, plan.kpis.get(key), unit] for key, label, unit in KPIS]
    widths = [len(str(r[0])) for r in rows]
    sheet.freeze_panes = "A2"
    _header(book, sheet, ["figure", "value", "unit"])
    for label, value, unit in rows:
        sheet.append([label, _cell(book, sheet, _plain(value), UNIT_FORMATS.get(unit)), unit])
    for title, columns, records in (
            ("trade targets", TRADE_COLUMNS, plan.kpis.get("trade") or []),
            ("milestones", MILESTONE_COLUMNS, plan.kpis.get("milestones") or [])):
        sheet.append([])
        sheet.append([_bold(book, sheet, title)])
        _header(book, sheet, list(columns))
        if not records:
            sheet.append([f"no {title} in the scenario"])
        for record in records:
            sheet.append([_cell(book, sheet, _plain(record.get(c)), FORMATS.get(c))
                          for c in columns])
    for note in notes:
        sheet.append([note])
    sheet.column_dimensions["A"].width = min(MAX_WIDTH, max(widths) + 2)
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 18


def _table(book: Any, name: str, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    columns = [str(c) for c in frame.columns]
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(frame[column], column)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    _header(book, sheet, columns)
    formats = [FORMATS.get(c) for c in columns]
    for values in frame.itertuples(index=False, name=None):
        sheet.append([_cell(book, sheet, _plain(v), f) for v, f in zip(values, formats,
                                                                        strict=True)])


def _width(values: pd.Series, column: str) -> float:
    """Characters a column needs: its header or its longest value (with thousands
    separators and a unit), within :data:`MAX_WIDTH`."""
    longest = 0
    if len(values):
        text = values.map(lambda v: f"{v:,.1f}" if isinstance(v, float) else str(v))
        longest = int(text.str.len().max())
    unit = FORMATS.get(column, "")
    extra = len(unit.split('"')[1]) + 1 if '"' in unit else 0
    return float(min(MAX_WIDTH, max(len(column) + 2, longest + extra + 2)))


def _header(book: Any, sheet: Any, names: Iterable[str]) -> None:
    sheet.append([_bold(book, sheet, n) for n in names])


def _bold(book: Any, sheet: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDE4EE")
    return cell


def _cell(book: Any, sheet: Any, value: Any, number_format: str | None) -> Any:
    if number_format is None or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _plain(value: Any) -> Any:
    """A cell value: ints and rounded floats, text, booleans; NaN and None empty."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, DECIMALS) + 0.0
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _without_timestamps(data: bytes, scenario: str) -> bytes:
    """The workbook with fixed zip dates and no creation time, so a plan's bytes repeat."""
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    tree = DocumentProperties(creator="agroplan", title=f"agroplan plan {scenario}").to_tree()
    for element in list(tree):
        if element.tag.endswith(("}created", "}modified")):
            tree.remove(element)
    core = tostring(tree)
    out = BytesIO()
    with ZipFile(BytesIO(data)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            body: bytes | str = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = core
            fixed = ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = ZIP_DEFLATED
            target.writestr(fixed, body)
    return out.getvalue()
