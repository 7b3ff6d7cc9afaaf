"""Write a plan folder and read it back.

A plan folder holds:

``plan.json``      the plan: schema_version, scenario, status, solver, objective, best_bound,
                   relative_gap, periods, kpis and every table as a list of records. The same
                   plan always gives the same bytes: keys sorted, floats rounded to 6 decimals,
                   no timings.
``run.json``       what differs between runs of the same plan: timings, solve_seconds,
                   library versions, host facts.
``<table>.csv``    each decision table.
``plan.gpkg``      layers ``farms``, ``agro_towns``, ``deliveries`` (lines hub -> farm) and
                   ``districts`` (polygons with KPIs), EPSG:4326.
``plan.xlsx``      the plan for Excel: a summary of KPIs and targets, pivots by district and
                   by quarter, one sheet per table (:mod:`agroplan.plan.workbook`).
``scenario.json``  the resolved scenario, layer paths absolute, so ``agroplan check`` and
                   ``agroplan map`` rebuild the plan inputs without the original file.

The folder is replaced as a whole (:func:`agroplan.atomic.replace_folder`): the new
files are written into a temporary sibling folder that is then swapped with the old one in
one step, so a failed or killed write leaves the previous plan folder intact, never a mix of
two runs. Files a command adds to the plan (a re-plan's ``actuals/``) are written by the
``extra`` writer into the same temporary folder, so they are swapped in with the plan.
Only an empty folder or a plan folder is replaced; a folder holding other files is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import platform
import time
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio.errors

from agroplan.atomic import check_folder, replace_folder
from agroplan.config.load import validate_scenario
from agroplan.config.scenario import Scenario
from agroplan.config.sections import LayerPaths
from agroplan.config.sources import drop_password
from agroplan.errors import ConfigError, OutputError
from agroplan.inputs import PlanInputs
from agroplan.layers.read import Layers, read_layers
from agroplan.messages import Message
from agroplan.plan.gpkg import write_gpkg
from agroplan.plan.result import PLAN_SCHEMA_VERSION, TABLE_COLUMNS, Plan
from agroplan.plan.workbook import write_workbook

__all__ = ["check_plan_folder", "default_plan_folder", "read_plan", "read_plan_scenario",
           "write_plan"]

PLAN_FILE, RUN_FILE, SCENARIO_FILE = "plan.json", "run.json", "scenario.json"
RUNS_DIR = Path("runs")
GPKG_FILE = "plan.gpkg"
XLSX_FILE = "plan.xlsx"
STATUSES = ("optimal", "feasible", "infeasible", "no_solution")
INTEGER_COLUMNS = frozenset({"size_heads", "heads", "houses"})
FLOAT_COLUMNS = frozenset({"m3", "workers", "usd", "amount", "activity", "limit",
                           "marginal_value"})
DECIMALS = 6


# ------------------------------------------------------------------ writing


def write_plan(
    plan: Plan,
    inputs: PlanInputs,
    out_dir: str | Path,
    *,
    layers: Layers | None = None,
    timings: Mapping[str, float] | None = None,
    extra: Callable[[Path], Iterable[Path]] | None = None,
) -> list[Path]:
    """Write the plan folder ``out_dir``, created or replaced as a whole; see the module docstring.

    Parameters
    ----------
    plan
        The plan to write.
    inputs
        The plan inputs it was made from (the scenario is taken from them).
    out_dir
        Output folder.
    layers
        The scenario's layers, for the GeoPackage geometries; read again when omitted.
    timings
        Seconds per stage (``read``, ``inputs``, ``solve``, ...), recorded in ``run.json``.
    extra
        Writes more files into the new folder it is given (a temporary sibling of
        ``out_dir``) before that folder is swapped in, and returns their paths; e.g. a
        re-plan's ``actuals/``. When it raises, the previous folder is unchanged.

    Returns
    -------
    list of Path
        The files written, ``run.json`` last.

    Raises
    ------
    OutputError
        Naming the folder or file that cannot be written, or the folder that must not be
        replaced (read-only, not a folder, holding files that are not a plan); the previous
        folder is then unchanged.
    """
    started = time.perf_counter()
    folder = Path(out_dir)
    tables = {name: plan.table(name) for name in _table_names(plan)}
    texts = {PLAN_FILE: plan_json(plan), SCENARIO_FILE: _dumps(scenario_record(inputs.scenario))}
    geo = layers if layers is not None else read_layers(inputs.scenario)

    def fill(staging: Path) -> list[str]:
        names = [_write_text(staging, folder, PLAN_FILE, texts[PLAN_FILE])]
        names += [_write_csv(staging, folder, name, frame) for name, frame in tables.items()]
        names.append(_write_text(staging, folder, SCENARIO_FILE, texts[SCENARIO_FILE]))
        names.append(_write_file(staging, folder, GPKG_FILE,
                                 lambda path: write_gpkg(plan, geo, path)))
        names.append(_write_file(staging, folder, XLSX_FILE,
                                 lambda path: write_workbook(plan, geo, path)))
        if extra is not None:
            names += _write_extra(staging, folder, extra)
        stages = {**(timings or {}), "write": time.perf_counter() - started}
        names.append(_write_text(staging, folder, RUN_FILE, _dumps(run_facts(plan, stages))))
        return names

    return [folder / name for name in replace_folder(folder, fill, replaceable=_replaceable)]


def check_plan_folder(out_dir: str | Path) -> None:
    """Raise now the :class:`OutputError` that :func:`write_plan` into ``out_dir`` would
    raise for the folder itself (read-only, not a folder, not a plan folder), without
    writing; call it before a long solve."""
    check_folder(out_dir, replaceable=_replaceable)


def default_plan_folder(name: str, runs: Path = RUNS_DIR) -> Path:
    """The plan folder ``runs/<name>`` of a scenario named ``name``.

    Raises
    ------
    ConfigError
        When the name would put the folder outside ``runs`` (``.`` or ``..``).
    """
    folder = runs / name
    if name in ("", ".", "..") or Path(name).name != name:
        raise ConfigError(f"name: {name!r} cannot name a plan folder inside {runs}/; use a "
                          "name with letters or digits (e.g. default), or give --out")
    return folder


def plan_json(plan: Plan) -> str:
    """The text of ``plan.json``: deterministic for a given plan."""
    record = {
        "schema_version": PLAN_SCHEMA_VERSION,
        "scenario": plan.scenario,
        "status": plan.status,
        "solver": plan.solver,
        "objective": plan.objective,
        "best_bound": plan.best_bound,
        "relative_gap": plan.relative_gap,
        "periods": list(plan.periods),
        "kpis": plan.kpis,
        "meta": plan.meta,
        "tables": {name: _records(plan.table(name), name) for name in _table_names(plan)},
    }
    return _dumps(record)


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON values, with absolute layer paths."""
    record = scenario.model_dump(mode="json")
    record["layers"] = {key: _layer_record(scenario, key) for key in LayerPaths.model_fields}
    return record


def _layer_record(scenario: Scenario, key: str) -> str | dict[str, Any]:
    """A layer as the plan keeps it: an absolute path, or its mapping with an absolute path
    (a database address without its password: give it again through PGPASSWORD)."""
    source = scenario.layer_source(key)
    if isinstance(getattr(scenario.layers, key), str):
        return source.path
    path = drop_password(source.path) if source.database else source.path
    record: dict[str, Any] = source.model_dump(mode="json", exclude_defaults=True)
    return {**record, "path": path}


def run_facts(plan: Plan, timings: Mapping[str, float]) -> dict[str, Any]:
    """What differs between two runs of the same plan: when, how long, with what, where."""
    versions = {"python": platform.python_version()}
    for package in ("agroplan", "ortools", "pandas", "numpy", "geopandas", "shapely",
                    "pyogrio", "pyproj", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    facts: dict[str, Any] = _clean({
        "scenario": plan.scenario,
        "written_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "solver": plan.solver,
        "solve_seconds": plan.solve_seconds,
        "timings_s": dict(timings),
        "versions": versions,
        "host": {"platform": platform.platform(), "machine": platform.machine(),
                 "cpus": os.cpu_count()},
    })
    return facts


def _replaceable(folder: Path) -> str | None:
    """Why the non-empty ``folder`` must not be replaced by a plan, or None."""
    if (folder / PLAN_FILE).is_file():
        return None
    shown = ", ".join(sorted(os.listdir(folder))[:3])
    return (f"holds files that are not an agroplan plan ({shown}); a plan folder is replaced "
            "as a whole, so choose a new or empty folder with --out")


def _write_file(staging: Path, folder: Path, name: str, write: Callable[[Path], object]) -> str:
    """Call ``write(staging / name)``; a failure names the file ``folder / name``."""
    try:
        write(staging / name)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(Message(
            "%(file)s: cannot be written (%(reason)s); check that the folder is writable and "
            "the disk has space; the previous plan folder is unchanged",
            file=folder / name, reason=reason)) from None
    return name


def _write_extra(staging: Path, folder: Path,
                 extra: Callable[[Path], Iterable[Path]]) -> list[str]:
    """Call ``extra(staging)``; its files as names relative to the folder."""
    try:
        paths = list(extra(staging))
    except OutputError as exc:  # name the files where they were meant to be, not the staging
        raise OutputError([f"{p.replace(str(staging), str(folder))}; the previous plan folder "
                           "is unchanged" for p in exc.problems]) from None
    return [str(Path(path).relative_to(staging)) for path in paths]


def _write_text(staging: Path, folder: Path, name: str, text: str) -> str:
    return _write_file(staging, folder, name,
                       lambda path: path.write_text(text, encoding="utf-8"))


def _write_csv(staging: Path, folder: Path, name: str, frame: pd.DataFrame) -> str:
    columns = _columns(frame, name)
    rows = _records(frame, name)

    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row[c] for c in columns] for row in rows)

    return _write_file(staging, folder, f"{name}.csv", write)


def _dumps(value: Any) -> str:
    return json.dumps(_clean(value), sort_keys=True, indent=1, ensure_ascii=False,
                      allow_nan=False) + "\n"


def _clean(value: Any) -> Any:
    """Plain JSON values; floats rounded to :data:`DECIMALS`, NaN as null, -0.0 as 0.0."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise OutputError(f"cannot write an infinite number ({value}) in a plan")
        return round(float(value), DECIMALS) + 0.0
    if value is None or value is pd.NA:
        return None
    return str(value)


def _table_names(plan: Plan) -> list[str]:
    return [*TABLE_COLUMNS, *sorted(set(plan.tables) - set(TABLE_COLUMNS))]


def _columns(frame: pd.DataFrame, name: str) -> list[str]:
    known = TABLE_COLUMNS.get(name)
    return list(known) if known is not None else [str(c) for c in frame.columns]


def _records(frame: pd.DataFrame, name: str) -> list[dict[str, Any]]:
    columns = _columns(frame, name)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise OutputError(f"plan table {name} lacks column(s) {', '.join(missing)}")
    records: list[dict[str, Any]] = _clean(frame[columns].to_dict("records"))
    return records


# ------------------------------------------------------------------ reading


def read_plan(plan_dir: str | Path) -> Plan:
    """Read a plan folder written by :func:`write_plan`.

    Raises
    ------
    OutputError
        When the folder or ``plan.json`` is missing, unreadable, corrupt or written by a
        newer agroplan.
    """
    folder = _plan_folder(plan_dir)
    path = folder / PLAN_FILE
    data = _read_json(path)
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise OutputError(f"{path}: schema_version is missing or not a whole number; the file "
                          "is not an agroplan plan")
    if version > PLAN_SCHEMA_VERSION:
        raise OutputError(f"{path}: written by a newer agroplan (plan schema_version {version}; "
                          f"this agroplan reads up to {PLAN_SCHEMA_VERSION}); upgrade agroplan")
    required = ("scenario", "status", "solver", "objective", "best_bound", "relative_gap",
                "periods", "kpis", "tables")
    missing = [key for key in required if key not in data]
    if missing:
        raise OutputError(f"{path}: missing key(s) {', '.join(missing)}; the file is "
                          "incomplete, run agroplan plan again")
    if data["status"] not in STATUSES:
        raise OutputError(f"{path}: status {data['status']!r} is not one of {', '.join(STATUSES)}")
    run = _read_json(folder / RUN_FILE) if (folder / RUN_FILE).exists() else {}
    try:
        return Plan(
            scenario=str(data["scenario"]), status=data["status"], solver=str(data["solver"]),
            objective=_number(data["objective"]), best_bound=_number(data["best_bound"]),
            relative_gap=_number(data["relative_gap"]),
            solve_seconds=float(run.get("solve_seconds", 0.0)),
            periods=tuple(str(p) for p in data["periods"]),
            tables={name: _frame(rows, name) for name, rows in dict(data["tables"]).items()},
            kpis=dict(data["kpis"]),
            meta=dict(data.get("meta") or {}),
        )
    except (TypeError, ValueError, KeyError) as exc:
        raise OutputError(f"{path}: malformed plan ({exc}); run agroplan plan again") from None


def read_plan_scenario(plan_dir: str | Path) -> Scenario:
    """The resolved scenario saved with a plan (``scenario.json``)."""
    path = _plan_folder(plan_dir) / SCENARIO_FILE
    data = _read_json(path)
    try:
        return validate_scenario(data, path)
    except ConfigError as exc:
        raise OutputError([f"{path}: {p}" for p in exc.problems]) from None


def _plan_folder(plan_dir: str | Path) -> Path:
    folder = Path(plan_dir)
    if not folder.is_dir():
        raise OutputError(Message(
            "%(folder)s: no such plan folder; write one with `agroplan plan --out %(folder)s`",
            folder=folder))
    return folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(Message("%(file)s: not found; the plan folder is incomplete, run "
                                  "agroplan plan again", file=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(Message("%(file)s: cannot be read (%(reason)s)", file=path,
                                  reason=exc)) from None
    except json.JSONDecodeError as exc:
        raise OutputError(Message(
            "%(file)s: corrupt JSON at line %(line)s, column %(column)s (%(reason)s); run "
            "agroplan plan again", file=path, line=exc.lineno, column=exc.colno,
            reason=exc.msg)) from None
    if not isinstance(data, dict):
        raise OutputError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _frame(rows: list[dict[str, Any]], name: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(rows))
    columns = list(TABLE_COLUMNS.get(name, frame.columns))
    frame = frame.reindex(columns=columns)
    for column in columns:
        if column in INTEGER_COLUMNS:
            frame[column] = frame[column].astype("int64")
        elif column in FLOAT_COLUMNS:
            frame[column] = frame[column].astype(float)
        else:
            frame[column] = frame[column].astype("string")
    return frame
