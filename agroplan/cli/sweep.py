"""``agroplan sweep``: run a scenario over a grid or a random sample of config keys.

Runs go to ``dask.distributed``: a ``LocalCluster`` of ``--workers`` single-threaded
processes by default, or the cluster at ``--scheduler``. The results table (Parquet and
CSV, one row per run) is rewritten after every finished run, and the charts page at the
end. An infeasible or failed run is a row with its reason; the command exits 0 once every
run has a row. Exit 2 for a bad sweep file or scenario. ``--max-features`` and
``--max-megabytes`` hold for every run, on every worker (a layer over a limit makes the
run's row an error naming it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agroplan.cli.options import language_option, layer_limit_options
from agroplan.config.sections import Language
from agroplan.errors import ConfigError

SWEEPS_DIR = Path("runs") / "sweeps"


class SchedulerError(ConfigError):
    """``--scheduler`` names no reachable dask scheduler (exit code 2, a bad option)."""

    title = "cannot use the dask scheduler"


@click.command("sweep")
@click.argument("sweep_file", metavar="SWEEP.yaml",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Address of a running dask scheduler, e.g. tcp://10.0.0.5:8786  "
                   "[default: start a local cluster]")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes of the local cluster  [default: the number of cores, at most "
                   "one per run]")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Results folder  [default: runs/sweeps/<sweep file name>]")
@click.option("--resume/--no-resume", default=True, show_default=True,
              help="Keep the rows already in the results folder and run only the others.")
@language_option(terminal=False)
@layer_limit_options
def command(sweep_file: Path, scheduler: str | None, workers: int | None,
            out_dir: Path | None, resume: bool, lang: str | None) -> None:
    """Run every run of SWEEP.yaml and write results.parquet, results.csv and sweep.html.

    Each run loads the scenario with the run's values, solves it single-threaded and
    becomes one row: its parameters, status, objective, gap, seconds and KPIs, or the
    reason it has no plan.
    """
    from agroplan.render.sweep import render_sweep_page
    from agroplan.studies.sweep import load_sweep
    from agroplan.studies.sweep_run import run_sweep

    if scheduler is not None and workers is not None:
        raise SchedulerError("--workers sets the size of a local cluster; with --scheduler the "
                          "cluster's own workers run the sweep, so give one or the other")
    sweep = load_sweep(sweep_file)
    target = out_dir if out_dir is not None else SWEEPS_DIR / sweep_file.stem
    console, out = Console(stderr=True), Console()
    size = workers or max(1, min(os.cpu_count() or 1, len(sweep.runs)))
    with _client(scheduler, size, console) as client, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("sweep", total=len(sweep.runs))

        def started(todo: int, skipped: int) -> None:
            if skipped:
                console.print(f"resuming: {skipped} of {len(sweep.runs)} runs already in "
                              f"{escape(str(target))}")
            bar.update(task, completed=skipped)

        def finished(row: Mapping[str, Any]) -> None:
            bar.update(task, advance=1, description=f"sweep (last: {row.get('status')})")

        result = run_sweep(sweep, target, client, resume=resume, progress=finished,
                           on_start=started)
    language = cast("Language", lang) if lang else _scenario_language(sweep.scenario_path)
    page = render_sweep_page(result.frame, sweep, target / "sweep.html", language)
    out.print(_summary(result.frame, len(result.executed), len(result.skipped)))
    out.print(f"results: {escape(str(target / 'results.parquet'))} and results.csv",
              soft_wrap=True)
    click.echo(str(page))


def _scenario_language(path: Path) -> Language:
    """The sweep's scenario's ``report.language`` (the runs may not change it)."""
    from agroplan.config.load import load_scenario

    return load_scenario(path).report.language


@contextmanager
def _client(address: str | None, workers: int, console: Console) -> Iterator[Any]:
    """A dask client of a local cluster, or of the scheduler at ``address``."""
    from distributed import Client

    from agroplan.studies.sweep_run import local_cluster

    if address is not None:
        try:
            client = Client(address, timeout="20s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(f"--scheduler {address}: cannot connect ({exc}); check the "
                              "address and that the scheduler is running") from None
        with client:
            yield client
        return
    console.print(f"starting a local cluster of {workers} worker processes")
    with local_cluster(workers) as client:
        yield client


def _summary(frame: Any, executed: int, skipped: int) -> Table:
    table = Table(title=f"sweep: {executed} runs solved now, {skipped} kept from before",
                  title_justify="left")
    table.add_column("status")
    table.add_column("runs", justify="right")
    table.add_column("families housed (min-max)", justify="right")
    table.add_column("spend M USD (min-max)", justify="right")
    for status, group in frame.groupby("status", sort=True):
        families, spend = group["families_housed"].dropna(), group["spend_usd"].dropna() / 1e6
        table.add_row(str(status), str(len(group)),
                      f"{families.min():,}-{families.max():,}" if len(families) else "-",
                      f"{spend.min():,.1f}-{spend.max():,.1f}" if len(spend) else "-")
    return table
