"""Shared helpers of the benchmark scripts: isolated runs with peak memory, tables, machine."""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import statistics
import traceback
from collections.abc import Callable, Sequence
from typing import Any


def _worker(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], conn: Any) -> None:
    os.dup2(2, 1)  # solver banners go to stderr, the table alone to stdout
    try:
        out = fn(*args)
    except Exception as exc:  # reported as a row, never a crash of the whole table
        out = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:120],
               "trace": traceback.format_exc()}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # e.g. the CBC binary
    out["peak_mb"] = max(own, kids) / 1024
    conn.send(out)
    conn.close()


def isolated(fn: Callable[..., dict[str, Any]], *args: Any, timeout_s: float) -> dict[str, Any]:
    """Run ``fn(*args)`` in a fresh process; its dict plus ``peak_mb`` (max RSS of the run).

    A run that does not answer within ``timeout_s`` is killed and reported as ``timeout``.
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(fn, args, child))
    proc.start()
    child.close()
    if parent.poll(timeout_s):
        out: dict[str, Any] = parent.recv()
        proc.join()
        return out
    proc.kill()
    proc.join()
    return {"error": f"killed after {timeout_s:.0f} s", "status": "timeout"}


def median(values: Sequence[float | None]) -> float | None:
    """Median of the values that are not ``None`` (``None`` if none)."""
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else None


def fmt(value: Any, digits: int = 2) -> str:
    """A table cell: floats rounded, ``None`` as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e6 else f"{value:.4g}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """CPU model, cores, memory and load, for the header of a table."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            mem_kb = int(handle.readline().split()[1])
    except OSError:
        mem_kb = 0
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}; {os.cpu_count()} logical cores; {mem_kb / 2**20:.1f} GiB RAM; "
            f"Python {platform.python_version()}; load average {load}")
