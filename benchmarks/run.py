"""Benchmarks of the real pipeline at scale: generated S/M/L/XL scenarios per backend.

Each run is a fresh process (peak memory is that process's maximum resident set) going
through read_layers -> build_plan_inputs -> solve, exactly as ``agroplan plan`` does; the
default scenario is also run end to end through the command line (read, solve, write the
plan folder, check it, draw the map). Medians over the repetitions are printed as a
Markdown table.

    python benchmarks/run.py                  # S, M, L, XL x highs, scip, cpsat + default
    python benchmarks/run.py --quick          # S and M only
    python benchmarks/run.py --profile L      # pyinstrument profile of the model build
    python benchmarks/run.py --growth         # model size and build time vs N, M, T
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt, isolated, machine, median, table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "data" / "scenarios" / "default.yaml"
BACKENDS = ("highs", "scip", "cpsat")


def run_pipeline(scenario_path: str, backend: str, time_limit_s: float) -> dict[str, Any]:
    """One solve of a scenario file through the real pipeline; timings and model size."""
    from agroplan.config import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers import read_layers
    from agroplan.solve import solve

    out: dict[str, Any] = {}
    started = time.perf_counter()
    scenario = load_scenario(scenario_path)
    layers = read_layers(scenario)
    read = time.perf_counter()
    inputs = build_plan_inputs(scenario, layers)
    built = time.perf_counter()

    def progress(event: str, info: Any) -> None:
        if event == "build":
            out.update(variables=info["variables"], constraints=info["constraints"],
                       build_s=info["seconds"])

    plan = solve(inputs, backend=backend, time_limit_s=time_limit_s,  # type: ignore[arg-type]
                 progress=progress)
    done = time.perf_counter()
    out.update(read_s=read - started, inputs_s=built - read, solve_s=plan.solve_seconds,
               total_s=done - started, status=plan.status, gap=plan.relative_gap)
    return out


def run_cli(scenario_path: str, workdir: str) -> dict[str, Any]:
    """``agroplan plan`` end to end (plan folder, check and map) in ``workdir``."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "agroplan", "plan", scenario_path, "--out", "plan"],
        cwd=workdir, capture_output=True, text=True, check=False)
    total = time.perf_counter() - started
    maps = sorted(Path(workdir, "maps").glob("*.html"))
    return {"total_s": total, "exit": done.returncode, "maps": len(maps),
            "status": "ok" if done.returncode == 0 and maps else done.stderr[-200:]}


def profile_build(size: str, seed: int) -> None:
    """Print a pyinstrument profile of building the model of a generated scenario."""
    from pyinstrument import Profiler

    from agroplan.config import load_scenario
    from agroplan.generate import generate_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers import read_layers
    from agroplan.model import build_model

    with tempfile.TemporaryDirectory() as tmp:
        scenario = load_scenario(generate_scenario(size, seed, tmp))  # type: ignore[arg-type]
        inputs = build_plan_inputs(scenario, read_layers(scenario))
        profiler = Profiler(interval=0.005)
        profiler.start()
        model = build_model(inputs)
        profiler.stop()
        print(f"{size}: {model.model.get_num_variables():,} variables, "
              f"{model.model.get_num_linear_constraints():,} constraints")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def build_size(counts: Any, seed: int) -> dict[str, Any]:
    """Build (no solve) the model of a generated scenario; its size and build seconds."""
    from agroplan.config import load_scenario
    from agroplan.generate import generate_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers import read_layers
    from agroplan.model import build_model

    with tempfile.TemporaryDirectory() as tmp:
        scenario = load_scenario(generate_scenario(counts, seed, tmp))
        inputs = build_plan_inputs(scenario, read_layers(scenario))
        started = time.perf_counter()
        model = build_model(inputs)
        seconds = time.perf_counter() - started
    return {"variables": model.model.get_num_variables(),
            "constraints": model.model.get_num_linear_constraints(),
            "workers": len(model.vars.w), "reach": len(inputs.reach), "build_s": seconds}


def growth(seed: int) -> None:
    """Model size and build time as N, M and T grow one at a time from size M."""
    from dataclasses import replace

    from agroplan.generate import SIZES

    base = SIZES["M"]
    variants = [("base M", base)]
    variants += [(f"N = {n}", replace(base, settlements=n)) for n in (800, 2000)]
    variants += [(f"M = {m}", replace(base, sites=m)) for m in (400, 1000)]
    variants += [(f"T = {t}", replace(base, quarters=t)) for t in (16, 20, 28)]
    rows = []
    for name, counts in variants:
        out = isolated(build_size, counts, seed, timeout_s=900)
        rows.append([name, counts.settlements, counts.sites, counts.quarters, out.get("reach"),
                     out.get("variables"), out.get("workers"), out.get("constraints"),
                     out.get("build_s"), out.get("peak_mb")])
        print(f"  {name}: {out}", file=sys.stderr, flush=True)
    print(table(["variant", "N", "M", "T", "reach pairs", "variables", "of which workers",
                 "constraints", "build s", "peak MB"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="S and M only")
    parser.add_argument("--sizes", nargs="+", default=None, help="subset of S M L XL")
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--repeats", type=int, default=3, help="runs per size below L")
    parser.add_argument("--repeats-large", type=int, default=1, help="runs per L and XL")
    parser.add_argument("--time-limit", type=float, default=120.0, help="solver seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-default", action="store_true", help="skip the end-to-end run")
    parser.add_argument("--profile", metavar="SIZE", help="profile the model build and stop")
    parser.add_argument("--growth", action="store_true",
                        help="model size and build time as N, M, T grow (no solve), and stop")
    args = parser.parse_args()
    if args.profile:
        profile_build(args.profile, args.seed)
        return
    if args.growth:
        growth(args.seed)
        return
    from agroplan.generate import SIZES, generate_scenario

    sizes = args.sizes or (["S", "M"] if args.quick else ["S", "M", "L", "XL"])
    print(f"# agroplan benchmarks\n\n{machine()}\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = str(generate_scenario(size, args.seed, Path(tmp) / size))
            counts = SIZES[size]
            repeats = args.repeats if size in ("S", "M") else args.repeats_large
            for backend in args.backends:
                runs = []
                for rep in range(repeats):
                    out = isolated(run_pipeline, path, backend, args.time_limit,
                                   timeout_s=3 * args.time_limit + 300)
                    runs.append(out)
                    print(f"  {size} {backend} rep {rep + 1}: {out.get('status')} "
                          f"build {fmt(out.get('build_s'))} s solve {fmt(out.get('solve_s'))} s "
                          f"gap {fmt(out.get('gap'), 5)} {fmt(out.get('peak_mb'), 0)} MB "
                          f"{out.get('error', '')}", file=sys.stderr, flush=True)
                rows.append(_row(size, counts, backend, runs))
        if not args.no_default:
            for backend in args.backends[:1]:
                runs = [isolated(run_pipeline, str(DEFAULT), backend, 60.0, timeout_s=600)
                        for _ in range(args.repeats)]
                rows.append(_row("default", None, backend, runs))
    print(table(["size", "N x M x T", "backend", "runs", "variables", "constraints",
                 "build s", "solve s", "build/solve", "gap %", "status", "peak MB"], rows))
    if not args.no_default:
        _end_to_end(args.repeats)


def _row(size: str, counts: Any, backend: str, runs: list[dict[str, Any]]) -> list[Any]:
    build = median([r.get("build_s") for r in runs])
    solve = median([r.get("solve_s") for r in runs])
    shape = "33 x 339 x 12" if counts is None else (
        f"{counts.settlements} x {counts.sites} x {counts.quarters}")
    statuses = sorted({str(r.get("status", r.get("error"))) for r in runs})
    return [size, shape, backend, len(runs), runs[0].get("variables"),
            runs[0].get("constraints"), build, solve,
            None if not build or not solve else build / solve,
            _percent(median([r.get("gap") for r in runs])), "/".join(statuses),
            median([r.get("peak_mb") for r in runs])]


def _percent(gap: float | None) -> str | None:
    if gap is None:
        return None
    return "> 1000 (no useful plan)" if gap > 10 else f"{100 * gap:.3f}"


def _end_to_end(repeats: int) -> None:
    rows = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as work:
            rows.append(isolated(run_cli, str(DEFAULT), work, timeout_s=600))
    print("\n## Default scenario end to end (`agroplan plan`: read, solve, write, check, map)\n")
    print(table(["runs", "median wall s", "max wall s", "peak MB (median)", "status"],
                [[len(rows), median([r.get("total_s") for r in rows]),
                  max(r.get("total_s", 0.0) for r in rows),
                  median([r.get("peak_mb") for r in rows]),
                  "/".join(sorted({str(r.get("status")) for r in rows}))]]))


if __name__ == "__main__":
    main()
