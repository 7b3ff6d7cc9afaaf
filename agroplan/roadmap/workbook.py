"""Actuals as one Excel workbook: reading it, and the template a ministry fills in.

A workbook holds one sheet per actuals table (``farms``, ``deliveries``, ``houses``,
``agro_towns``, ``spend``, ``land``; each optional), named like the CSV files of an actuals
folder and with the same header row (:data:`~agroplan.roadmap.tables.ACTUALS_COLUMNS`).
Sheets whose name starts with ``_`` are ignored (the template keeps its lists there).

:func:`read_workbook` turns every cell into the text the CSV checks read: whole numbers
without ``.0``, a date as ``2027-01-01`` (so a quarter typed as a date is reported as
such). Problems name the workbook, the sheet, the row (as the spreadsheet numbers it) and
the column.

:func:`write_template` writes an empty workbook for a scenario: drop-down lists of its site,
settlement, origin and hub ids, its quarters, the spend categories and the farm sizes; whole
numbers of at least 0 for heads and houses; ids and quarters formatted as text, so that
Excel keeps ``2027Q3`` as typed.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from agroplan.atomic import atomic_write
from agroplan.inputs import PlanInputs
from agroplan.plan.result import SPEND_CATEGORIES
from agroplan.roadmap.tables import ACTUALS_COLUMNS, MAX_ACTUALS_MEGABYTES

LISTS_SHEET = "_lists"
TEMPLATE_ROWS = 2000
"""Rows of each sheet that the template's drop-down lists and formats cover."""


def sheet_place(workbook: Path, sheet: str) -> str:
    """How a message names a sheet of a workbook."""
    return f"{workbook}, sheet {sheet}"


def read_workbook(path: Path, problems: list[str]) -> dict[str, pd.DataFrame]:
    """Each actuals sheet of the workbook ``path`` as text cells, contract columns only."""
    from openpyxl import load_workbook  # imported here: only workbooks need it

    megabytes = path.stat().st_size / 1e6
    if megabytes > MAX_ACTUALS_MEGABYTES:
        problems.append(f"{path}: is {megabytes:.3g} MB, more than the limit of "
                        f"{MAX_ACTUALS_MEGABYTES:g} MB; is it the right file?")
        return {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        problems.append(f"{path}: cannot be read as an XLSX workbook ({first[:200]}); save it "
                        "from your spreadsheet as Excel 2007-365 (.xlsx)")
        return {}
    tables = {}
    try:
        for name in book.sheetnames:
            if name.startswith("_"):
                continue
            if name not in ACTUALS_COLUMNS:
                problems.append(_unknown_sheet(path, name))
                continue
            rows = list(book[name].iter_rows(values_only=True))
            frame = _sheet_frame(path, name, rows, problems)
            if frame is not None:
                tables[name] = frame
    finally:
        book.close()
    return tables


def _unknown_sheet(path: Path, name: str) -> str:
    names = list(ACTUALS_COLUMNS)
    close = difflib.get_close_matches(name.strip().lower(), names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"{sheet_place(path, name)}: not an actuals table{hint}; name each sheet one of "
            f"{', '.join(names)} (sheets whose name starts with _ are ignored)")


def _sheet_frame(path: Path, name: str, rows: list[tuple[Any, ...]],
                 problems: list[str]) -> pd.DataFrame | None:
    columns = ACTUALS_COLUMNS[name]
    header_text = ", ".join(columns)
    while rows and all(_text(c) == "" for c in rows[-1]):
        rows.pop()
    if not rows:
        problems.append(f"{sheet_place(path, name)}: the sheet is empty; write the header row "
                        f"{header_text}, or delete the sheet")
        return None
    header = [_text(c) for c in rows[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(f"{sheet_place(path, name)}: missing column"
                        f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the first "
                        f"row must name the columns {header_text}")
        return None
    at = [header.index(c) for c in columns]
    body = [[_text(row[i]) if i < len(row) else "" for i in at] for row in rows[1:]]
    return pd.DataFrame(body, columns=list(columns), dtype=object).astype(str)  # as a CSV


def _text(value: Any) -> str:
    """A cell as the text a CSV would hold: ``600`` not ``600.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------ the template


def template_lists(inputs: PlanInputs) -> dict[str, list[Any]]:
    """The drop-down lists of a scenario's template, by the column they serve."""
    sites = [str(s) for s in inputs.sites.index]
    towns = [str(s) for s in inputs.settlements.index]
    return {
        "site_id": sites,
        "settlement_id": towns,
        "origin_id": [str(o) for o in inputs.origins.index],
        "hub_id": [str(h) for h in inputs.hubs.index],
        "quarter": list(inputs.periods),
        "category": list(SPEND_CATEGORIES),
        "size_heads": [int(s) for s in inputs.scenario.farms.sizes_heads],
        "land_id": [*sites, *towns],
    }


def write_template(path: str | Path, inputs: PlanInputs) -> Path:
    """Write the empty actuals workbook of a scenario to ``path`` (replaced in one step)."""
    from openpyxl import Workbook

    book = Workbook()
    lists = template_lists(inputs)
    for index, (name, columns) in enumerate(ACTUALS_COLUMNS.items()):
        sheet = book.worksheets[0] if index == 0 else book.create_sheet(name)
        sheet.title = name
        _template_sheet(sheet, name, columns, lists)
    hidden = book.create_sheet(LISTS_SHEET)
    for column, (title, values) in enumerate(lists.items(), start=1):
        hidden.cell(row=1, column=column, value=title)
        for row, value in enumerate(values, start=2):
            hidden.cell(row=row, column=column, value=value)
    hidden.sheet_state = "hidden"
    return atomic_write(Path(path), book.save)


def _template_sheet(sheet: Any, name: str, columns: Sequence[str],
                    lists: dict[str, list[Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column)
        cell.font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column) + 4)
        rule = _rule(name, column, lists)
        if rule is not None:
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(rule)
        if column not in ("heads", "houses", "usd", "size_heads"):  # ids and quarters: text
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"


def _rule(table: str, column: str, lists: dict[str, list[Any]]) -> Any:
    """The data validation of a column: a drop-down list, or a whole number or amount."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if column in ("heads", "houses"):
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                              error=f"{column}: a whole number, 0 or more", showErrorMessage=True)
    if column == "usd":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              error="usd: an amount in USD, 0 or more", showErrorMessage=True)
    key = {"build_start": "quarter", "period": "quarter", "developed_in": "quarter",
           "released_in": "quarter"}.get(column, column)
    if table == "land" and column == "site_id":
        key = "land_id"
    if key not in lists:
        return None
    at = list(lists).index(key) + 1
    letter = get_column_letter(at)
    source = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(lists[key]) + 1}"
    # released_in may lie before the horizon (land released earlier): warn, do not refuse
    style: Literal["stop", "warning"] = "warning" if column == "released_in" else "stop"
    return DataValidation(type="list", formula1=source, allow_blank=True, errorStyle=style,
                          error=f"{column}: choose one of the scenario's values",
                          showErrorMessage=True)
