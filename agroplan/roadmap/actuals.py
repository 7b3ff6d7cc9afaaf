"""Actuals: what really happened up to a quarter, to re-plan from and review against.

An actuals folder holds CSV tables (documented in docs/roadmap.md), or an ``.xlsx``
workbook holds them as sheets of the same names (:mod:`agroplan.roadmap.workbook`); every
table is optional except that the folder or workbook must exist. Columns, units in the
names:

``farms.csv``       site_id, size_heads, build_start             (farms started)
``deliveries.csv``  origin_id, hub_id, site_id, period, heads    (heifers delivered)
``houses.csv``      settlement_id, period, houses                (houses built)
``agro_towns.csv``  settlement_id, developed_in                  (agro-towns developed)
``spend.csv``       period, category, usd                        (money spent)
``land.csv``        site_id, released_in                         (land actually released)

``land.csv``'s ``site_id`` is a farm site id or a settlement id (the land of an agro-town);
its ``released_in`` replaces the layer's ``available_from`` (see :func:`apply_land`).
:func:`read_actuals` reads and checks a folder against the plan inputs of a scenario.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from agroplan.atomic import atomic_write
from agroplan.errors import ConfigError, DataError, OutputError
from agroplan.inputs import PlanInputs
from agroplan.periods import parse_quarter, quarter_index
from agroplan.roadmap.tables import ACTUALS_COLUMNS, check_actuals, read_tables
from agroplan.roadmap.workbook import read_workbook


def empty_actuals_table(name: str) -> pd.DataFrame:
    """An empty actuals table with the columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ACTUALS_COLUMNS[name]})


@dataclass(frozen=True)
class Actuals:
    """What happened in the quarters up to and including ``as_of``.

    Attributes
    ----------
    as_of
        Last quarter the actuals cover (a label such as ``2027Q4``).
    source
        Folder the tables were read from ("" when built in code).
    tables
        Table name (a key of :data:`ACTUALS_COLUMNS`) -> DataFrame with those columns.
    """

    as_of: str
    source: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """An actuals table (empty with the right columns when absent)."""
        found = self.tables.get(name)
        return found if found is not None else empty_actuals_table(name)


def as_of_index(inputs: PlanInputs, as_of: str) -> int:
    """Index of ``as_of`` in the horizon of ``inputs``.

    Raises
    ------
    ConfigError
        If ``as_of`` is not a quarter label or lies outside the horizon.
    """
    try:
        parse_quarter(as_of)
    except ValueError as exc:
        raise ConfigError(f"--as-of: {exc}") from None
    periods = inputs.periods
    index = quarter_index(as_of, periods[0])
    if not 0 <= index < len(periods):
        raise ConfigError(
            f"--as-of {as_of} lies outside the horizon {periods[0]}..{periods[-1]} of scenario "
            f"{inputs.scenario.name}; choose a quarter inside it (the last quarter the actuals "
            "cover)")
    return index


def read_actuals(folder: str | Path, inputs: PlanInputs, as_of: str) -> Actuals:
    """Read the actuals CSV tables of ``folder`` and check them against ``inputs``.

    Parameters
    ----------
    folder
        Folder holding any of ``farms.csv``, ``deliveries.csv``, ``houses.csv``,
        ``agro_towns.csv``, ``spend.csv``, ``land.csv``; or an ``.xlsx`` workbook with
        sheets of those names.
    inputs
        Plan inputs of the scenario the actuals belong to (ids, sizes, quarters).
    as_of
        Last quarter the actuals cover; no event may lie after it.

    Returns
    -------
    Actuals
        Every table present, ids and quarters as text, counts as ints, ``usd`` as float.

    Raises
    ------
    ConfigError
        If ``as_of`` is not a quarter of the horizon.
    DataError
        With every problem of every table, each naming the file (and sheet), the row, the
        column and the fix (see :mod:`agroplan.roadmap.tables`).
    """
    as_of_index(inputs, as_of)
    path = Path(folder)
    workbook = path.suffix.lower() == ".xlsx"
    if workbook and not path.is_file():
        raise DataError(f"{path}: actuals workbook not found; check the path given with "
                        "--actuals")
    if not workbook and not path.is_dir():
        raise DataError(f"{path}: actuals folder not found; give the folder that holds "
                        f"{', '.join(f'{n}.csv' for n in ACTUALS_COLUMNS)}, or an .xlsx "
                        "workbook with one sheet per table, with --actuals")
    problems: list[str] = []
    tables = read_workbook(path, problems) if workbook else read_tables(path, problems)
    if not problems:
        check_actuals(path, tables, inputs, as_of, problems, workbook=workbook)
    if problems:
        raise DataError(problems)
    return Actuals(as_of=as_of, source=str(path), tables=tables)


def apply_land(inputs: PlanInputs, actuals: Actuals) -> PlanInputs:
    """The inputs with ``land.csv``'s release quarters in place of the layers' ones.

    A ``released_in`` before the horizon start counts as the start (index 0).
    """
    land = actuals.table("land")
    if land.empty:
        return inputs
    start = inputs.periods[0]
    released = {str(r["site_id"]): max(0, quarter_index(str(r["released_in"]), start))
                for r in land.to_dict("records")}
    sites, towns = inputs.sites.copy(), inputs.settlements.copy()
    for frame in (sites, towns):
        hits = [i for i in frame.index if str(i) in released]
        frame.loc[hits, "available_index"] = [released[str(i)] for i in hits]
    return dataclasses.replace(inputs, sites=sites, settlements=towns)


def write_actuals(actuals: Actuals, folder: str | Path) -> list[Path]:
    """Write the tables of ``actuals`` as ``<folder>/<name>.csv`` (only those present)."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the actuals folder ({exc.strerror}); "
                          "choose another --out") from None
    return [atomic_write(target / f"{name}.csv", _csv_writer(frame, ACTUALS_COLUMNS[name]))
            for name, frame in actuals.tables.items()]


def _csv_writer(frame: pd.DataFrame, columns: tuple[str, ...]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False, columns=list(columns))

    return write
