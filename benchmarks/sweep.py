"""A sweep's runs one after another in this process, against the same runs on a LocalCluster.

Usage: ``python benchmarks/sweep.py [SWEEP.yaml] [--workers N] [--repeat N]``
(default ``data/sweeps/benchmark-16.yaml``: 16 default-scenario runs, budget x heifer
supply, each several seconds of single-threaded HiGHS time).

Serial: :func:`agroplan.studies.sweep_run.run_serial` in this process, imports already done.
Parallel: :func:`agroplan.studies.sweep_run.run_sweep` on the ``LocalCluster`` that ``agroplan
sweep`` starts (:func:`agroplan.studies.sweep_run.local_cluster`: ``N`` single-threaded worker
processes), results written after every run as ``agroplan sweep``
does; timed from the first submission to the last row, with the cluster started and its
workers' imports done beforehand (``start s``; the ratio with it counted is shown too).
Prints one row per repetition and a row of medians, and whether both ways gave the same
plans. The issue's target: a ratio of at least 1.7 on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, median, table

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "sweeps" / "benchmark-16.yaml"
HEADERS = ("repetition", "runs", "workers", "serial s", "parallel s", "ratio", "start s",
           "ratio with start", "run s serial", "run s parallel", "same plans")
"""``run s``: the runs' own wall seconds summed. More in parallel than in serial means each
run is slower when the cores are shared; parallel s above ``run s parallel / workers`` is
time a worker sat idle at the end (the last runs finish one at a time)."""


def _warm() -> None:
    """Import what a run needs, so no side pays for imports inside the timing."""
    import agroplan.inputs
    import agroplan.layers
    import agroplan.solve  # noqa: F401


def serial(sweep: Any) -> tuple[float, list[dict[str, Any]]]:
    from agroplan.studies import run_serial

    started = time.perf_counter()
    rows = run_serial(sweep)
    return time.perf_counter() - started, rows


def parallel(sweep: Any, workers: int) -> tuple[float, float, list[dict[str, Any]]]:
    from agroplan.studies import local_cluster, run_sweep

    started = time.perf_counter()
    with local_cluster(workers) as client, tempfile.TemporaryDirectory() as out:
        client.run(_warm)
        start_s = time.perf_counter() - started
        started = time.perf_counter()
        result = run_sweep(sweep, Path(out), client, resume=False)
        seconds = time.perf_counter() - started
    rows = result.frame.astype(object).where(result.frame.notna(), None).to_dict("records")
    return seconds, start_s, rows


def run_seconds(rows: list[dict[str, Any]]) -> float:
    """The runs' own wall seconds, summed."""
    return float(sum(r.get("wall_s") or 0.0 for r in rows))


def same_plans(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    """How many runs gave the same status, families housed and objective (to 1e-6)."""
    by_id = {r["run_id"]: r for r in b}
    same = 0
    for row in a:
        other = by_id.get(row["run_id"], {})
        objective, theirs = row.get("objective"), other.get("objective")
        same += (row.get("status") == other.get("status")
                 and row.get("families_housed") == other.get("families_housed")
                 and (objective is None) == (theirs is None)
                 and (objective is None or abs(objective - theirs) <= 1e-6 * abs(objective)))
    return f"{same}/{len(a)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", nargs="?", default=str(DEFAULT))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from agroplan.studies import load_sweep

    _warm()
    sweep = load_sweep(args.sweep)
    print(f"machine: {machine()}")
    print(f"sweep: {args.sweep}, {len(sweep.runs)} runs\n")
    rows = []
    for repetition in range(1, args.repeat + 1):
        serial_s, serial_rows = serial(sweep)
        parallel_s, start_s, parallel_rows = parallel(sweep, args.workers)
        rows.append([repetition, len(sweep.runs), args.workers, serial_s, parallel_s,
                     serial_s / parallel_s, start_s, serial_s / (parallel_s + start_s),
                     run_seconds(serial_rows), run_seconds(parallel_rows),
                     same_plans(serial_rows, parallel_rows)])
        print(f"repetition {repetition} done", file=sys.stderr)
    if len(rows) > 1:
        columns = list(zip(*rows, strict=True))
        rows.append(["median", len(sweep.runs), args.workers,
                     *(median(list(columns[i])) for i in range(3, 10)), ""])
    print(table(HEADERS, rows))
    print(f"\nload average after: {machine().rsplit('load average ', 1)[-1]}")


if __name__ == "__main__":
    main()
