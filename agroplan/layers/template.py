"""Empty layer templates for a planner to fill in (``agroplan layers template DIR``).

The folder gets exactly the columns of the layer contract (:data:`~agroplan.layers.checks.SPECS`),
with their types, in the formats a ministry's GIS department and its spreadsheet users work
in:

``layers.gpkg``   one empty layer per spatial layer (districts, settlements, farm_sites,
                  hubs, origins, context), typed fields, EPSG:4326
``<layer>.csv``   the point layers with ``lon`` and ``lat``, and ``clearance.csv``
``layers.xlsx``   the same tables, one sheet each: text columns formatted as text (so
                  ``2027Q1`` stays a quarter), drop-down lists for the fixed choices, the
                  unit and meaning of each column as a note on its header
``README.md``     every column with its type, unit and meaning, and the ``layers:`` block
                  of a scenario that reads the filled files

Each file is read back as it is by :func:`agroplan.layers.read_layers` once filled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from agroplan.atomic import replace_folder
from agroplan.layers.checks import SPECS, LayerSpec
from agroplan.layers.mapping import CLEARANCE_COLUMNS, COORDINATES

GPKG, XLSX, README = "layers.gpkg", "layers.xlsx", "README.md"
POINT_LAYERS = tuple(key for key, spec in SPECS.items() if spec.geometry == ("Point",))
TABLES = (*POINT_LAYERS, "clearance")
"""The layers written as CSV files and XLSX sheets."""

COLUMN_NOTES: dict[str, tuple[str, str]] = {
    "district_id": ("", "district code, e.g. AZ-AGM; names a district of the districts layer"),
    "name_en": ("", "name in English"),
    "name_az": ("", "name in Azerbaijani (may be empty)"),
    "name_ru": ("", "name in Russian (may be empty)"),
    "econ_region": ("", "economic region"),
    "area_km2": ("km²", "area"),
    "elev_mean_m": ("m", "mean elevation"),
    "elev_min_m": ("m", "lowest elevation"),
    "elev_p50_m": ("m", "median elevation"),
    "elev_p90_m": ("m", "elevation that 90 % of the area lies below"),
    "elev_max_m": ("m", "highest elevation"),
    "share_below_200m": ("share 0..1", "share of the area below 200 m"),
    "share_200_1000m": ("share 0..1", "share of the area at 200-1,000 m"),
    "share_1000_2000m": ("share 0..1", "share of the area at 1,000-2,000 m"),
    "share_above_2000m": ("share 0..1", "share of the area above 2,000 m"),
    "agricultural_share": ("share 0..1", "share of the area that is farmland or pasture"),
    "suspected_ha": ("ha", "area suspected of mines"),
    "settlement_id": ("", "settlement id, unique"),
    "geonameid": ("", "GeoNames id (0 when there is none)"),
    "population_historical": ("people", "historical population; only a weight"),
    "max_houses": ("houses", "house plots available"),
    "returning_families": ("families", "families still to return"),
    "available_from": ("quarter", "first quarter its land is released, e.g. 2027Q1"),
    "site_id": ("", "farm site id, unique"),
    "elevation_m": ("m", "elevation"),
    "slope_deg": ("degrees", "slope of the land"),
    "max_size_heads": ("head", "largest dairy complex the site takes"),
    "hub_id": ("", "hub id, unique"),
    "name": ("", "name"),
    "mode": ("", "road, rail or sea"),
    "note": ("", "free text (may be empty)"),
    "capacity_heads_per_quarter": ("head per quarter", "heifers the hub passes each quarter"),
    "capacity_timber_m3_per_quarter": ("m³ per quarter", "timber the hub passes each quarter"),
    "schematic": ("true/false", "true when the position is approximate"),
    "origin_id": ("", "origin id, unique"),
    "name_be": ("", "name in Belarusian (may be empty)"),
    "oblast": ("", "Belarusian region (may be empty)"),
    "heifers_per_quarter": ("head per quarter", "in-calf heifers it can ship each quarter"),
    "timber_m3_per_quarter": ("m³ per quarter", "sawn timber it can ship each quarter"),
    "kind": ("", "az_district, neighbour, river or lake"),
    "period": ("quarter", "the quarter, e.g. 2027Q1"),
    "cleared_agricultural_ha": ("ha", "farmland usable by the end of the quarter, cumulative"),
    "lon": ("degrees", "longitude, EPSG:4326"),
    "lat": ("degrees", "latitude, EPSG:4326"),
}
"""Unit and meaning of each column (a column without a note is described by its name)."""


def table_columns(key: str) -> tuple[str, ...]:
    """Columns of the CSV file or XLSX sheet of layer ``key``."""
    return CLEARANCE_COLUMNS if key == "clearance" else (*SPECS[key].read_columns, *COORDINATES)


def column_type(key: str, column: str) -> str:
    """The type of a column in words: text, quarter, whole number, number, true/false."""
    spec = SPECS.get(key)
    if spec is None:
        return "number" if column == "cleared_agricultural_ha" else (
            "quarter" if column == "period" else "text")
    if column in spec.quarters:
        return "quarter"
    if column in spec.integers:
        return "whole number"
    if column in spec.numbers or column in COORDINATES:
        return "number"
    if column in spec.booleans:
        return "true/false"
    return "text"


def write_templates(folder: str | Path) -> list[Path]:
    """Write the empty templates into ``folder`` (created, or replaced when it holds only
    templates); returns the files written.

    Raises
    ------
    OutputError
        When the folder cannot be written or holds other files.
    """
    target = Path(folder)

    def fill(staging: Path) -> list[str]:
        names = [_write_gpkg(staging / GPKG)]
        for key in TABLES:
            pd.DataFrame(columns=list(table_columns(key))).to_csv(staging / f"{key}.csv",
                                                                  index=False)
            names.append(f"{key}.csv")
        names.append(_write_xlsx(staging / XLSX))
        (staging / README).write_text(readme(), encoding="utf-8")
        return [*names, README]

    return [target / name for name in replace_folder(target, fill, replaceable=_replaceable)]


def _replaceable(folder: Path) -> str | None:
    known = {GPKG, XLSX, README, *(f"{key}.csv" for key in TABLES)}
    others = sorted(p.name for p in folder.iterdir() if p.name not in known)
    if not others:
        return None
    return (f"holds other files ({', '.join(others[:3])}); the templates are written into a "
            "new or empty folder")


def _empty(spec: LayerSpec) -> gpd.GeoDataFrame:
    columns = {}
    for column in spec.read_columns:
        kind = column_type(spec.key, column)
        dtype = {"whole number": "int64", "number": "float64", "true/false": "bool"}
        columns[column] = pd.Series([], dtype=dtype.get(kind, "object"))
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                            crs="EPSG:4326")


def _write_gpkg(path: Path) -> str:
    for key, spec in SPECS.items():
        kind = "MultiPolygon" if "MultiPolygon" in spec.geometry else (
            spec.geometry[0] if len(spec.geometry) == 1 else "Unknown")
        pyogrio.write_dataframe(_empty(spec), path, layer=key, driver="GPKG",
                                geometry_type=kind)
    return path.name


def _write_xlsx(path: Path) -> str:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    for index, key in enumerate(TABLES):
        sheet = book.worksheets[0] if index == 0 else book.create_sheet(key)
        sheet.title = key
        for index, column in enumerate(table_columns(key), start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index, value=column)
            cell.font = Font(bold=True)
            unit, meaning = COLUMN_NOTES.get(column, ("", column))
            cell.comment = Comment(f"{column_type(key, column)}"
                                   f"{f', {unit}' if unit else ''}: {meaning}", "agroplan")
            sheet.column_dimensions[letter].width = max(12, len(column) + 3)
            kind = column_type(key, column)
            if kind in ("text", "quarter"):  # so that 2027Q1 or an id 007 stays as typed
                for row in range(2, 1001):
                    sheet.cell(row=row, column=index).number_format = "@"
            choices = _choices(key, column)
            if choices:
                check = DataValidation(type="list", formula1=f'"{",".join(choices)}"',
                                       allow_blank=True)
                check.add(f"{letter}2:{letter}1000")
                sheet.add_data_validation(check)
        sheet.freeze_panes = "A2"
    book.save(path)
    return path.name


def _choices(key: str, column: str) -> tuple[str, ...]:
    spec = SPECS.get(key)
    if spec is None:
        return ()
    if column in spec.booleans:
        return ("true", "false")
    return spec.choices.get(column, ())


def readme() -> str:
    """The README of the template folder: files, the scenario's layers block, every column."""
    return "\n".join(_readme_lines()) + "\n"


def _readme_lines() -> Iterator[str]:
    yield "# Layer templates"
    yield ""
    yield ("Empty layers with exactly the columns agroplan reads. Fill in the ones you have, "
           "in the format you prefer, and point a scenario's `layers:` at them (paths are "
           "relative to the scenario file). `agroplan validate your.yaml` checks them and names "
           "every problem with the file, the feature and the fix.")
    yield ""
    yield "| file | what |"
    yield "|---|---|"
    yield (f"| `{GPKG}` | one layer per spatial layer ({', '.join(SPECS)}), EPSG:4326; "
           "districts are (multi)polygons, context any geometry, the others points |")
    yield (f"| `<layer>.csv` | {', '.join(POINT_LAYERS)} with `lon` and `lat` (degrees, "
           "EPSG:4326), and `clearance` |")
    yield f"| `{XLSX}` | the same tables, one sheet each, with drop-down lists for fixed choices |"
    yield ""
    yield "A scenario that reads them (keep the lines of the layers you fill, in one format each):"
    yield ""
    yield "```yaml"
    yield "extends: my-base.yaml       # the scenario you start from (relative to this file)"
    yield "layers:"
    for key in SPECS:
        yield f"  {key}: {{path: {GPKG}, layer: {key}}}"
    for key in POINT_LAYERS:
        yield f"  # {key}: {key}.csv".ljust(38) + f"# or {{path: {XLSX}, layer: {key}}}"
    yield "  clearance: clearance.csv".ljust(38) + f"# or {{path: {XLSX}, layer: clearance}}"
    yield "```"
    yield ""
    yield ("Your own column names work too: map them, ours on the left, yours on the right, "
           "e.g. `farm_sites: {path: sites.shp, columns: {district_id: district_i}, crs: "
           "EPSG:32638}` (see docs/layers.md).")
    for key in TABLES:
        yield ""
        geometry = "table" if key not in SPECS else (
            " or ".join(SPECS[key].geometry) or "any geometry")
        yield f"## {key} ({geometry})"
        yield ""
        yield "| column | type | unit | meaning |"
        yield "|---|---|---|---|"
        columns = table_columns(key) if key == "clearance" else SPECS[key].read_columns
        for column in columns:
            unit, meaning = COLUMN_NOTES.get(column, ("", column.replace("_", " ")))
            yield f"| `{column}` | {column_type(key, column)} | {unit} | {meaning} |"
