"""Excel: plan.xlsx in every plan folder, and actuals as one workbook with its template.

A real spreadsheet application reads them: LibreOffice Calc (Debian's libreoffice-calc,
headless; `./.ci/run` installs it) converts plan.xlsx and the templates sheet by sheet, and
the values it reads equal the plan's.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import TINY, convert_to_csv
from conftest import agroplan_process as agroplan
from openpyxl import Workbook, load_workbook

from agroplan.config import load_scenario
from agroplan.errors import DataError
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.plan import TABLE_COLUMNS, read_plan
from agroplan.roadmap.actuals import read_actuals
from agroplan.roadmap.tables import ACTUALS_COLUMNS

SCENARIO = TINY / "scenario.yaml"
SHEETS = ["summary", "by district", "by quarter", *TABLE_COLUMNS]
ACTUALS = {  # the tiny plan's first two quarters, as in tests/test_replan.py
    "farms": [["AGM-001", 200, "2027Q1"], ["FUZ-001", 100, "2027Q1"]],
    "agro_towns": [["gn900001", "2027Q1"], ["gn900003", "2027Q2"]],
    "houses": [["gn900001", "2027Q1", 22], ["gn900001", "2027Q2", 1], ["gn900003", "2027Q2", 18]],
    "deliveries": [["BY-MI", "HUB-AGM-RAIL", "AGM-001", "2027Q2", 80],
                   ["BY-MI", "HUB-HOR-ROAD", "FUZ-001", "2027Q2", 70]],
}


@pytest.fixture
def plan_folder(tiny_plan: Path) -> Path:
    return tiny_plan


@pytest.fixture(scope="module")
def inputs() -> Any:
    config = load_scenario(SCENARIO)
    return build_plan_inputs(config, read_layers(config))


# --------------------------------------------------------------------------- plan.xlsx


def test_plan_xlsx_has_a_summary_pivots_and_every_table(plan_folder: Path) -> None:
    book = load_workbook(plan_folder / "plan.xlsx")
    plan = read_plan(plan_folder)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True) if row[0]}
    assert summary["status"] == "optimal"
    assert summary["families housed (houses built)"] == plan.kpis["families_housed"]
    assert summary["spend"] == pytest.approx(plan.kpis["spend_usd"])
    assert "trade targets" in summary and "milestones" in summary
    for name in TABLE_COLUMNS:
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(TABLE_COLUMNS[name])
        assert len(rows) - 1 == len(plan.table(name)), name
    farms = book["farms"]
    assert [c.value for c in farms[1]] == ["site_id", "size_heads", "build_start",
                                           "operational_from"]
    assert farms["B2"].number_format == '#,##0 "head"' and isinstance(farms["B2"].value, int)
    assert book["spend"]["C2"].number_format == '#,##0 "USD"'
    assert book["houses"]["C2"].number_format == '#,##0 "houses"'
    assert farms.column_dimensions["D"].width >= len("operational_from")


def test_the_pivots_add_up_to_the_kpis(plan_folder: Path) -> None:
    book = load_workbook(plan_folder / "plan.xlsx")
    plan = read_plan(plan_folder)
    by_district = pd.DataFrame(list(book["by district"].iter_rows(values_only=True))[1:],
                               columns=[c.value for c in book["by district"][1]])
    assert by_district["houses"].sum() == plan.kpis["families_housed"]
    assert by_district["spend_usd"].sum() == pytest.approx(sum(
        plan.kpis["spend_by_district"].values()))
    by_quarter = pd.DataFrame(list(book["by quarter"].iter_rows(values_only=True))[1:],
                              columns=[c.value for c in book["by quarter"][1]])
    assert list(by_quarter["period"]) == list(plan.periods)
    assert by_quarter["spend_usd"].sum() == pytest.approx(plan.kpis["spend_usd"])
    categories = by_quarter[[c for c in by_quarter.columns if c.startswith("spend_")
                             and c != "spend_usd"]]
    assert (categories.sum(axis=1) - by_quarter["spend_usd"]).abs().max() < 1e-3
    assert by_quarter["houses_built"].sum() == plan.kpis["families_housed"]
    assert list(by_quarter["herd_heads"]) == list(plan.kpis["herd_by_period"].values())


def test_the_same_plan_gives_the_same_workbook(plan_folder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = agroplan("plan", str(SCENARIO), "--out", str(again), "--no-map")
    assert done.returncode == 0, done.stderr
    assert (again / "plan.xlsx").read_bytes() == (plan_folder / "plan.xlsx").read_bytes()


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def test_libreoffice_reads_the_plans_values(plan_folder: Path, tmp_path: Path) -> None:
    book = tmp_path / "tiny-plan.xlsx"
    book.write_bytes((plan_folder / "plan.xlsx").read_bytes())
    sheets = convert_to_csv([book], tmp_path)["tiny-plan"]
    assert set(sheets) == set(SHEETS)
    for name in TABLE_COLUMNS:
        with sheets[name].open(encoding="utf-8") as handle:
            converted = [row for row in csv.reader(handle) if any(row)]
        with (plan_folder / f"{name}.csv").open(encoding="utf-8") as handle:
            written = list(csv.reader(handle))
        assert converted[0] == written[0], name
        assert len(converted) == len(written), name
        for got, want in zip(converted[1:], written[1:], strict=True):
            for a, b in zip(got, want, strict=True):
                x, y = _number(a), _number(b)
                if isinstance(x, float) and isinstance(y, float):
                    assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6), (name, got, want)
                else:
                    assert a == b, (name, got, want)
    with sheets["summary"].open(encoding="utf-8") as handle:
        summary = {row[0]: row[1] for row in csv.reader(handle) if row and row[0]}
    plan = read_plan(plan_folder)
    assert float(summary["families housed (houses built)"]) == plan.kpis["families_housed"]
    assert float(summary["spend"]) == pytest.approx(plan.kpis["spend_usd"], rel=1e-9)


# --------------------------------------------------------------------------- actuals


def fill(book: Workbook, tables: dict[str, list[list[Any]]]) -> None:
    for name, rows in tables.items():
        sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
        for column, title in enumerate(ACTUALS_COLUMNS[name], start=1):
            sheet.cell(row=1, column=column, value=title)
        for index, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=index, column=column, value=value)


def write_csv_folder(folder: Path) -> Path:
    folder.mkdir()
    for name, rows in ACTUALS.items():
        pd.DataFrame(rows, columns=list(ACTUALS_COLUMNS[name])).to_csv(folder / f"{name}.csv",
                                                                      index=False)
    return folder


def test_the_template_lists_the_scenarios_ids_and_quarters(tmp_path: Path, inputs: Any) -> None:
    path = tmp_path / "actuals.xlsx"
    done = agroplan("actuals", "template", str(SCENARIO), "--xlsx", str(path))
    assert done.returncode == 0, done.stderr
    book = load_workbook(path)
    assert book.sheetnames == [*ACTUALS_COLUMNS, "_lists"]
    assert book["_lists"].sheet_state == "hidden"
    lists = {col[0].value: [c.value for c in col[1:] if c.value is not None]
             for col in book["_lists"].iter_cols()}
    assert lists["site_id"] == ["AGM-001", "AGM-002", "FUZ-001"]
    assert lists["settlement_id"] == ["gn900001", "gn900002", "gn900003"]
    assert lists["origin_id"] == [str(o) for o in inputs.origins.index] == ["BY-HO", "BY-MI"]
    assert lists["hub_id"] == ["HUB-AGM-RAIL", "HUB-HOR-ROAD"]
    assert lists["quarter"] == ["2027Q1", "2027Q2", "2027Q3"]
    assert lists["size_heads"] == [100, 200]
    for name, columns in ACTUALS_COLUMNS.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == list(columns)
        assert sheet.freeze_panes == "A2"
        rules = {str(r.sqref).split(":")[0][0]: r for r in sheet.data_validations.dataValidation}
        for index, column in enumerate(columns):
            rule = rules[chr(ord("A") + index)]
            if column in ("heads", "houses"):
                assert (rule.type, rule.operator, rule.formula1) == ("whole",
                                                                     "greaterThanOrEqual", "0")
            elif column != "usd":
                assert rule.type == "list" and rule.formula1.startswith("'_lists'!$")
    deliveries = {str(r.sqref)[0]: r.formula1 for r in book["deliveries"].data_validations
                  .dataValidation}
    assert deliveries["A"] == "'_lists'!$C$2:$C$3"  # origin ids
    assert deliveries["D"] == "'_lists'!$E$2:$E$4"  # the quarters
    assert book["deliveries"]["D2"].number_format == "@"


def test_libreoffice_opens_the_templates(tmp_path: Path) -> None:
    actuals = tmp_path / "actuals-template.xlsx"
    assert agroplan("actuals", "template", str(SCENARIO), "--xlsx", str(actuals)).returncode == 0
    assert agroplan("layers", "template", str(tmp_path / "layers")).returncode == 0
    layers = tmp_path / "layers-template.xlsx"
    layers.write_bytes((tmp_path / "layers" / "layers.xlsx").read_bytes())
    sheets = convert_to_csv([actuals, layers], tmp_path)
    for name, columns in ACTUALS_COLUMNS.items():
        header = next(csv.reader(sheets["actuals-template"][name].open(encoding="utf-8")))
        assert header == list(columns)
    listed = list(csv.reader(sheets["actuals-template"]["_lists"].open(encoding="utf-8")))
    assert [row[0] for row in listed[:4]] == ["site_id", "AGM-001", "AGM-002", "FUZ-001"]
    assert set(sheets["layers-template"]) == {"settlements", "farm_sites", "hubs", "origins",
                                              "clearance"}


def test_a_workbook_of_actuals_reads_as_the_csv_folder(tmp_path: Path, inputs: Any) -> None:
    path = tmp_path / "actuals.xlsx"
    assert agroplan("actuals", "template", str(SCENARIO), "--xlsx", str(path)).returncode == 0
    book = load_workbook(path)
    fill(book, ACTUALS)
    book.save(path)
    from_book = read_actuals(path, inputs, "2027Q2")
    from_csv = read_actuals(write_csv_folder(tmp_path / "csv"), inputs, "2027Q2")
    assert set(from_book.tables) == set(ACTUALS_COLUMNS)  # the template's sheets, all
    assert from_book.table("spend").empty and from_book.table("land").empty
    for name in ACTUALS:
        pd.testing.assert_frame_equal(from_book.table(name), from_csv.table(name))
    assert from_book.source == str(path)


def test_replan_takes_the_workbook(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    fill(book, ACTUALS)
    book.save(tmp_path / "actuals.xlsx")
    write_csv_folder(tmp_path / "csv")
    for source, out in ((tmp_path / "actuals.xlsx", "a"), (tmp_path / "csv", "b")):
        done = agroplan("replan", str(SCENARIO), "--actuals", str(source), "--as-of", "2027Q2",
                        "--out", str(tmp_path / out), "--no-map")
        assert done.returncode == 0, done.stderr
    for name in TABLE_COLUMNS:
        if name != "binding":
            assert (tmp_path / "a" / f"{name}.csv").read_bytes() == \
                (tmp_path / "b" / f"{name}.csv").read_bytes(), name


def _problems(path: Path, inputs: Any) -> str:
    with pytest.raises(DataError) as caught:
        read_actuals(path, inputs, "2027Q2")
    return str(caught.value)


def test_actuals_workbook_errors_name_sheet_row_and_column(tmp_path: Path, inputs: Any) -> None:
    book = Workbook()
    book.remove(book.active)
    fill(book, {**ACTUALS, "houses": [["gn900001", dt.datetime(2027, 4, 1), 22],
                                      ["gn900001", "2027Q2", 1]],
                "land": [["AGM-002", "2027Q1"], ["FUZ-999", "2027Q1"]]})
    book.save(tmp_path / "a.xlsx")
    assert _problems(tmp_path / "a.xlsx", inputs) == (
        f"invalid data (2 problems):\n"
        f"  - {tmp_path / 'a.xlsx'}, sheet houses: period: is a date, not a quarter (row 2: "
        "'2027-04-01'); type the quarter as text, for example 2027Q3 (a spreadsheet turns "
        "some entries into dates: format the column as Text first)\n"
        f"  - {tmp_path / 'a.xlsx'}, sheet land: site_id: unknown farm site or settlement "
        "(row 3: 'FUZ-999'); use a site_id of farm_sites.geojson or settlements.geojson")


def test_a_wrong_sheet_name_is_refused_with_the_names(tmp_path: Path, inputs: Any) -> None:
    book = Workbook()
    book.active.title = "Deliverys"
    book.create_sheet("_notes")  # ignored
    book.save(tmp_path / "a.xlsx")
    assert _problems(tmp_path / "a.xlsx", inputs) == (
        f"invalid data: {tmp_path / 'a.xlsx'}, sheet Deliverys: not an actuals table (did you "
        "mean deliveries?); name each sheet one of farms, deliveries, houses, agro_towns, "
        "spend, land (sheets whose name starts with _ are ignored)")


def test_a_sheet_without_its_columns_is_named(tmp_path: Path, inputs: Any) -> None:
    book = Workbook()
    book.active.title = "spend"
    book["spend"].append(["period", "usd"])
    book.save(tmp_path / "a.xlsx")
    assert _problems(tmp_path / "a.xlsx", inputs) == (
        f"invalid data: {tmp_path / 'a.xlsx'}, sheet spend: missing column category; the "
        "first row must name the columns period, category, usd")
