"""Run a sweep's runs on ``dask.distributed`` and keep its results table up to date.

Each run is :func:`run_one`: load the scenario with the run's overrides, read its layers,
build the plan inputs and solve single-threaded. It never raises: an infeasible scenario,
a bad value or a failed solver gives a row with the status and the reason. The results
table is written (atomically) after every finished run, so a sweep that is killed loses
only the runs in flight; run again with ``resume`` and only the missing runs are solved.

The layer size limits (:mod:`agroplan.layers.limits`) in force where the sweep is started
travel with each run as plain values and are put in force again around its reading of the
layers: a worker process does not see the caller's :func:`~agroplan.layers.limits.layer_limits`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from agroplan.errors import AgroplanError, InfeasibleError
from agroplan.layers.limits import current_layer_limits, layer_limits
from agroplan.studies.sweep import (
    KPI_COLUMNS,
    RunSpec,
    Sweep,
    read_results,
    results_frame,
    write_results,
)

Progress = Callable[[Mapping[str, Any]], None]
"""Called with each finished row."""
LayerLimits = tuple[int | None, float | None]
"""Largest features per layer and megabytes per layer file (``None``: the default)."""


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes, and its client.

    dask starts worker processes with ``MALLOC_TRIM_THRESHOLD_=65536`` to hand freed memory
    back to the OS sooner. For solver runs that costs time: glibc then trims and re-maps
    memory all through each solve: four default-scenario runs took 10-27 % longer each (19 %
    in all, CPU time, not waiting) in processes started with that setting. The workers
    started here keep the C library's default; the setting is left as it is when
    ``MALLOC_TRIM_THRESHOLD_`` is already in the environment.
    """
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did.

    Attributes
    ----------
    frame
        Every row in the results table (earlier runs kept on resume).
    executed
        Run ids solved by this call, in the order they finished.
    skipped
        Run ids already in the table and not run again.
    """

    frame: pd.DataFrame
    executed: tuple[str, ...]
    skipped: tuple[str, ...]


def run_one(scenario_path: str, spec: RunSpec, time_limit_s: float | None,
            limits: LayerLimits = (None, None), explain: bool = False) -> dict[str, Any]:
    """Solve one run; a results row (never raises for a problem of the run itself).

    The layers are read with ``limits`` (max features, max megabytes) in force; a layer
    over a limit gives a row with status ``error`` naming the layer and the limit. With
    ``explain``, a run the solver proves has no plan is diagnosed as by ``agroplan
    explain`` and the diagnosis is the row's ``error``.
    """
    from agroplan.config.load import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.solve.pipeline import solve

    started = time.perf_counter()
    row: dict[str, Any] = {"run_id": spec.run_id, **spec.parameters}
    try:
        with layer_limits(*limits):
            scenario = load_scenario(scenario_path, spec.overrides)
            inputs = build_plan_inputs(scenario, read_layers(scenario))
        plan = solve(inputs, threads=1, time_limit_s=time_limit_s)
    except InfeasibleError as exc:
        row.update(status="infeasible", error=str(exc))
    except AgroplanError as exc:
        row.update(status="error", error=str(exc))
    except Exception as exc:  # a bug must not end the sweep: keep it as the run's reason
        row.update(status="error", error=f"internal error ({type(exc).__name__}: {exc})")
    else:
        row.update(status=plan.status, objective=plan.objective, gap=plan.relative_gap,
                   solve_s=plan.solve_seconds)
        row.update({k: plan.kpis.get(k) for k in KPI_COLUMNS})
        if plan.status == "infeasible":
            row["error"] = (_diagnosis(inputs, time_limit_s) if explain else
                            "the solver proved that no plan meets every constraint")
        elif plan.status == "no_solution":
            row["error"] = "no plan found within the time limit; raise time_limit_s"
    row["wall_s"] = time.perf_counter() - started
    return row


def _diagnosis(inputs: Any, time_limit_s: float | None) -> str:
    """The lines of ``agroplan explain`` for a run with no plan, or why there are none."""
    from agroplan.studies.diagnosis import explain

    try:
        lines = explain(inputs, time_limit_s=time_limit_s or 60.0).lines(
            overrides="by the sweep, as")
    except AgroplanError as exc:
        return f"the solver proved that no plan meets every constraint (explain failed: {exc})"
    return "\n".join(lines)


def run_serial(sweep: Sweep, specs: list[RunSpec] | None = None, *,
               max_features: int | None = None,
               max_megabytes: float | None = None) -> list[dict[str, Any]]:
    """The runs one after another in this process (no results files); for comparisons.

    ``max_features`` and ``max_megabytes`` as for :func:`run_sweep`.
    """
    limits = _limits(max_features, max_megabytes)
    return [run_one(str(sweep.scenario_path), spec, sweep.config.time_limit_s, limits,
                    sweep.config.explain)
            for spec in (specs if specs is not None else sweep.runs)]


def run_sweep(sweep: Sweep, out_dir: Path, client: Any, *, resume: bool = True,
              progress: Progress | None = None, on_start: Callable[[int, int], None] | None
              = None, max_features: int | None = None,
              max_megabytes: float | None = None) -> SweepResult:
    """Run the sweep's missing runs on ``client`` and write the results after each one.

    Parameters
    ----------
    sweep
        The loaded sweep.
    out_dir
        Folder of ``results.parquet`` and ``results.csv`` (created if needed).
    client
        A ``dask.distributed.Client``.
    resume
        Keep the rows already in ``out_dir`` and skip their runs; ``False`` starts afresh.
    progress
        Called with each finished row.
    on_start
        Called once with (runs to do, runs skipped) before the first run is submitted.
    max_features, max_megabytes
        Layer size limits of every run, on whichever worker it runs (``None``: the limit
        in force in this process, :func:`agroplan.layers.limits.layer_limits`, else the
        default).
    """
    from distributed import as_completed

    names = sweep.parameter_names
    earlier = read_results(out_dir) if resume else None
    rows: list[dict[str, Any]] = [] if earlier is None else _rows(earlier)
    done = {str(r["run_id"]) for r in rows}
    todo = [spec for spec in sweep.runs if spec.run_id not in done]
    skipped = tuple(spec.run_id for spec in sweep.runs if spec.run_id in done)
    if on_start is not None:
        on_start(len(todo), len(skipped))
    if not resume or earlier is None:
        write_results(results_frame(rows, names), out_dir)
    token = uuid.uuid4().hex[:8]  # two sweeps on one cluster never share a task
    limits = _limits(max_features, max_megabytes)
    futures = {
        client.submit(run_one, str(sweep.scenario_path), spec, sweep.config.time_limit_s,
                      limits, sweep.config.explain, key=f"agroplan-sweep-{spec.run_id}-{token}",
                      pure=False): spec
        for spec in todo
    }
    executed: list[str] = []
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            spec = futures[future]
            try:
                row = future.result()
            except Exception as exc:  # the worker died or the run could not be shipped
                row = {"run_id": spec.run_id, **spec.parameters, "status": "error",
                       "error": f"worker failed ({type(exc).__name__}: {exc})"}
            rows.append(row)
            executed.append(spec.run_id)
            write_results(results_frame(rows, names), out_dir)
            if progress is not None:
                progress(row)
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
    order = {spec.run_id: i for i, spec in enumerate(sweep.runs)}
    frame = results_frame(sorted(rows, key=lambda r: order.get(str(r["run_id"]), len(order))),
                          names)
    write_results(frame, out_dir)
    return SweepResult(frame=frame, executed=tuple(executed), skipped=skipped)


def _limits(max_features: int | None, max_megabytes: float | None) -> LayerLimits:
    """The given limits, else those in force in this process, as plain values to ship."""
    in_force = current_layer_limits()
    return (max_features or in_force[0], max_megabytes or in_force[1])


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a results table as plain dicts (missing values as ``None``)."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in plain.to_dict(orient="records")]
