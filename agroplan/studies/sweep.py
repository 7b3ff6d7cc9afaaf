"""Sweep files: many runs of one scenario over a grid or a seeded sample of config keys.

A sweep file (YAML, see ``docs/sweep.md``) names a scenario, a ``mode`` and, per dotted
config key, the values to try::

    scenario: ../scenarios/default.yaml      # relative to this file
    mode: grid                               # grid | random
    parameters:
      budget.usd_per_quarter: [80000000, 120000000]
      supply.heifer_factor: [0.5, 1.0]
    time_limit_s: 120
    pareto: {families_from: 4000, families_to: 12000, steps: 5}   # optional
    explain: true        # optional: say why each run with no plan has none

``grid`` runs every combination; ``random`` draws ``samples`` runs with ``seed``, each key
from ``{low, high}`` (uniform; whole numbers when both bounds are) or ``{values: [...]}``.
A ``pareto`` block crosses every run with epsilon-constraint runs: each minimises cost
subject to at least ``eps`` families housed by ``by`` (default: the last quarter).

This module plans the runs (:func:`plan_runs`) and keeps the results table (one row per
run, :func:`results_frame`, :func:`write_results`, :func:`read_results`); running them is
:mod:`agroplan.studies.sweep_run`'s job.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agroplan.atomic import atomic_write
from agroplan.config.load import NoAliasLoader, load_scenario
from agroplan.config.scenario import Scenario
from agroplan.config.wording import describe, suggest
from agroplan.errors import ConfigError, OutputError

MAX_SWEEP_BYTES = 1_000_000
MAX_RUNS = 10_000
PARETO_KEY = "pareto.families_at_least"
"""Parameter column of the epsilon (families housed at least) of a Pareto run."""
PARETO_SETS = ("milestones", "objective", "objective.kind", "objective.priorities")
STATUSES = ("optimal", "feasible", "infeasible", "no_solution", "error")
KPI_COLUMNS: dict[str, str] = {
    "families_housed": "Int64", "farms": "Int64", "herd_heads": "Int64",
    "spend_usd": "float64", "milk_t_per_year": "float64", "violations_count": "Int64",
}
"""KPIs kept per run and their column types (``Int64`` allows a missing value)."""
RUN_COLUMNS: dict[str, str] = {
    "status": "string", "objective": "float64", "gap": "float64", "solve_s": "float64",
    "wall_s": "float64",
}
RESULTS_PARQUET, RESULTS_CSV = "results.parquet", "results.csv"


class SweepFileError(ConfigError):
    """A sweep file is wrong (exit code 2, as for a scenario file)."""

    title = "invalid sweep file"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Pareto(_Model):
    """Epsilon-constraint runs: minimise cost with at least ``eps`` families housed."""

    families_from: int = Field(ge=0)
    """Smallest number of families housed asked for."""
    families_to: int = Field(ge=0)
    """Largest number of families housed asked for."""
    steps: int = Field(ge=2, le=200)
    """Number of epsilon values, evenly spaced from ``families_from`` to ``families_to``."""
    by: str | None = None
    """Quarter by which the families must be housed; default the horizon's last quarter."""

    @model_validator(mode="after")
    def _ordered(self) -> Pareto:
        if self.families_to < self.families_from:
            raise ValueError("families_to must be at least families_from")
        return self

    def epsilons(self) -> list[int]:
        """The families-housed floors of the runs, ascending."""
        span = self.families_to - self.families_from
        return sorted({round(self.families_from + span * i / (self.steps - 1))
                       for i in range(self.steps)})


class SweepConfig(_Model):
    """A validated sweep file."""

    scenario: str
    """Scenario file, relative to the sweep file."""
    mode: Literal["grid", "random"] = "grid"
    """``grid``: every combination of the listed values; ``random``: ``samples`` draws."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Dotted config key -> list of values (grid) or ``{low, high}`` / ``{values}`` (random)."""
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    """Number of random runs (``random`` mode only)."""
    seed: int = Field(0, ge=0)
    """Seed of the random draws."""
    time_limit_s: float | None = Field(None, gt=0, le=1e7, allow_inf_nan=False)
    """Solver time limit of each run, seconds; default the scenario's ``solver.time_limit_s``."""
    pareto: Pareto | None = None
    """Optional epsilon-constraint runs for a Pareto front of cost against families housed."""
    explain: bool = False
    """Diagnose each run the solver proves has no plan (as ``agroplan explain``) and give the
    conflicting settings as the row's ``error``; a few extra solves per such run."""


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes
    ----------
    run_id
        Stable hash of the parameters (the same parameters always give the same id).
    parameters
        Dotted key -> value, in the sweep file's order (plus :data:`PARETO_KEY`).
    overrides
        The ``dotted.key=value`` strings given to :func:`agroplan.config.load_scenario`.
    """

    run_id: str
    parameters: dict[str, Any]
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class Sweep:
    """A sweep file read and checked, with its runs planned."""

    file: Path
    config: SweepConfig
    scenario_path: Path
    runs: tuple[RunSpec, ...]

    @property
    def parameter_names(self) -> list[str]:
        """Parameter columns of the results, in order."""
        names = list(self.config.parameters)
        return [*names, PARETO_KEY] if self.config.pareto is not None else names


# ------------------------------------------------------------------ reading


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and plan a sweep file.

    Raises
    ------
    SweepFileError
        A :class:`ConfigError` naming the sweep file and the key for every problem found.
    ConfigError
        The scenario's own problems, when the base scenario does not load.
    """
    file = Path(path)
    raw = _read_yaml(file)
    try:
        config = SweepConfig.model_validate(raw)
    except ValidationError as exc:
        raise SweepFileError(describe(exc, file, SweepConfig)) from None
    problems = [f"{file}: {line}" for line in check_parameters(config)]
    if problems:
        raise SweepFileError(problems)
    scenario_path = (file.parent / config.scenario).resolve()
    if not scenario_path.is_file():
        raise SweepFileError(f"{file}: scenario: {config.scenario} not found (looked for "
                          f"{scenario_path}); the path is relative to the sweep file")
    base = load_scenario(scenario_path)
    runs = plan_runs(config, base, file)
    return Sweep(file=file, config=config, scenario_path=scenario_path, runs=tuple(runs))


def _read_yaml(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise SweepFileError(f"{file}: sweep file not found; check the path")
    if file.stat().st_size > MAX_SWEEP_BYTES:
        raise SweepFileError(
            f"{file}: too large for a sweep file (limit {MAX_SWEEP_BYTES:,} bytes)")
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=NoAliasLoader)  # safe
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepFileError(f"{file}: cannot be read as UTF-8 text ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SweepFileError(f"{file}:{where} malformed YAML ({problem})") from None
    if not isinstance(data, dict):
        raise SweepFileError(f"{file}: the top level must be a mapping of keys (scenario:, mode:, "
                          f"parameters:, ...), found {type(data).__name__}")
    return data


def check_parameters(config: SweepConfig) -> list[str]:
    """Problems of the ``parameters`` block: unknown keys, values of the wrong form."""
    problems: list[str] = []
    if config.mode == "random" and config.samples is None:
        problems.append("samples: required in random mode (the number of runs to draw)")
    if config.mode == "grid" and config.samples is not None:
        problems.append("samples: only used in random mode; remove it or set mode: random")
    for key, values in config.parameters.items():
        where = f"parameters.{key}"
        unknown = _unknown_key(key)
        if unknown:
            problems.append(f"{where}: {unknown}")
            continue
        if config.pareto is not None and (key in PARETO_SETS or key.startswith("objective.")):
            problems.append(f"{where}: the pareto block sets milestones and the objective of "
                            "every run; remove this parameter or the pareto block")
        problems += [f"{where}: {p}" for p in _value_problems(config.mode, values)]
    if config.mode == "grid":
        count = math.prod(len(v) for v in config.parameters.values() if isinstance(v, list))
        count *= len(config.pareto.epsilons()) if config.pareto else 1
        if count > MAX_RUNS:
            problems.append(f"parameters: {count:,} combinations is more than {MAX_RUNS:,} runs; "
                            "list fewer values or use mode: random with samples")
    return problems


def _unknown_key(key: str) -> str | None:
    """Why a dotted key is not a scenario key, or ``None`` when it is one."""
    parts = key.split(".")
    model: Any = Scenario
    for index, part in enumerate(parts):
        fields = model.model_fields if isinstance(model, type) and issubclass(
            model, BaseModel) else None
        if fields is None:
            return f"{'.'.join(parts[:index])} is a value, not a section with keys"
        if part not in fields or part == "source_path":
            return f"not a scenario key{suggest(parts[: index + 1], Scenario)}"
        model = fields[part].annotation
    return None


def _value_problems(mode: str, values: Any) -> list[str]:
    if mode == "grid":
        if not isinstance(values, list) or not values:
            return ["in grid mode give a non-empty list of values, e.g. [0.5, 1.0]"]
        return []
    if not isinstance(values, dict) or set(values) not in ({"low", "high"}, {"values"}):
        return ["in random mode give {low: x, high: y} or {values: [a, b, ...]}"]
    if "values" in values:
        if not isinstance(values["values"], list) or not values["values"]:
            return ["values: give a non-empty list"]
        return []
    low, high = values["low"], values["high"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
               for v in (low, high)):
        return ["low and high must be numbers"]
    if low > high:
        return [f"low ({low}) must not be above high ({high})"]
    return []


# ------------------------------------------------------------------ planning runs


def plan_runs(config: SweepConfig, base: Scenario, file: Path | None = None) -> list[RunSpec]:
    """The runs of a sweep, in order, without duplicates (same parameters, same run)."""
    points = _grid(config.parameters) if config.mode == "grid" else _sample(config)
    pareto = config.pareto
    if pareto is not None:
        by = pareto.by or base.periods[-1]
        if by not in base.periods:
            raise SweepFileError(f"{file or 'sweep file'}: pareto.by: {by} lies outside the "
                              f"scenario's horizon {base.periods[0]}..{base.periods[-1]}")
        points = [{**p, PARETO_KEY: eps} for p in points for eps in pareto.epsilons()]
    runs: dict[str, RunSpec] = {}
    for point in points:
        overrides = [f"{key}={yaml_text(value)}" for key, value in point.items()
                     if key != PARETO_KEY]
        if pareto is not None:
            overrides += pareto_overrides(point[PARETO_KEY], pareto.by or base.periods[-1])
        spec = RunSpec(run_id(point), point, tuple(overrides))
        runs.setdefault(spec.run_id, spec)
    return list(runs.values())


def pareto_overrides(families: int, by: str) -> list[str]:
    """Overrides of an epsilon-constraint run: minimise cost, housing ``families`` by ``by``."""
    milestone = {"name": "eps", "metric": "families_housed", "by": by, "at_least": families,
                 "enforce": True}
    return [f"milestones={yaml_text([milestone])}", "objective.kind=lexicographic",
            "objective.priorities=[cost]"]


def _grid(parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = list(parameters)
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(parameters[k] for k in keys))]


def _sample(config: SweepConfig) -> list[dict[str, Any]]:
    rng = random.Random(config.seed)
    points = []
    for _ in range(config.samples or 0):
        point: dict[str, Any] = {}
        for key, spec in config.parameters.items():
            if "values" in spec:
                point[key] = spec["values"][rng.randrange(len(spec["values"]))]
            elif isinstance(spec["low"], int) and isinstance(spec["high"], int):
                point[key] = rng.randint(spec["low"], spec["high"])
            else:
                point[key] = float(f"{rng.uniform(spec['low'], spec['high']):.6g}")
        points.append(point)
    return points


def yaml_text(value: Any) -> str:
    """``value`` as one line of YAML, as ``--set`` reads it back."""
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def run_id(parameters: Mapping[str, Any]) -> str:
    """Stable id of a run: a short hash of its parameters (order does not matter)."""
    text = json.dumps(parameters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------ results table


def results_frame(rows: Sequence[Mapping[str, Any]], parameter_names: Sequence[str]
                  ) -> pd.DataFrame:
    """The results table: run_id, parameters, run figures, KPIs, error; typed columns."""
    columns = ["run_id", *parameter_names, *RUN_COLUMNS, *KPI_COLUMNS, "error"]
    extra = [c for row in rows for c in row if c not in columns]
    frame = pd.DataFrame(list(rows), columns=[*columns, *dict.fromkeys(extra)])
    for name in parameter_names:
        frame[name] = _parameter_column(frame[name])
    for name, dtype in {**RUN_COLUMNS, **KPI_COLUMNS}.items():
        if dtype == "string":
            continue
        values = pd.to_numeric(frame[name])
        frame[name] = values.round().astype("Int64") if dtype == "Int64" else values.astype(float)
    for name in ("run_id", "status", "error"):
        frame[name] = frame[name].astype("string")
    return frame


def _parameter_column(values: pd.Series) -> pd.Series:
    """Numbers stay numbers (int, or float if any is), booleans booleans, the rest YAML text."""
    present = [v for v in values if v is not None and not _missing(v)]
    if present and all(isinstance(v, bool) for v in present):
        return values.astype("boolean")
    if present and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present):
        if all(isinstance(v, numbers.Integral) for v in present):
            return pd.to_numeric(values).astype("Int64")
        return values.astype("float64")
    return pd.Series([None if v is None or _missing(v) else
                      (v if isinstance(v, str) else yaml_text(v)) for v in values],
                     index=values.index, dtype="string")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def write_results(frame: pd.DataFrame, out_dir: Path) -> tuple[Path, Path]:
    """Write ``results.parquet`` and ``results.csv`` in ``out_dir``, each atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = atomic_write(out_dir / RESULTS_PARQUET,
                           lambda tmp: frame.to_parquet(tmp, index=False))
    csv = atomic_write(out_dir / RESULTS_CSV, lambda tmp: frame.to_csv(tmp, index=False))
    return parquet, csv


def read_results(out_dir: Path) -> pd.DataFrame | None:
    """The results written so far in ``out_dir`` (``None`` when there are none)."""
    path = out_dir / RESULTS_PARQUET
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise OutputError(f"{path}: cannot be read to resume the sweep ({exc}); delete it "
                          "or run again with --no-resume") from None


def pareto_front(frame: pd.DataFrame) -> pd.DataFrame:
    """Runs with a plan that no other run beats on both cost and families housed.

    A run is dominated when another spends no more and houses no fewer families, and is
    strictly better in one of the two. Sorted by families housed.
    """
    solved = frame[frame["status"].isin(["optimal", "feasible"])].dropna(
        subset=["spend_usd", "families_housed"])
    points = solved.sort_values(["families_housed", "spend_usd"], ascending=[False, True])
    keep, best_spend = [], math.inf
    for index, row in points.iterrows():
        if float(row["spend_usd"]) < best_spend:
            keep.append(index)
            best_spend = float(row["spend_usd"])
    return solved.loc[keep].sort_values("families_housed")
