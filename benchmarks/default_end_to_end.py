"""What `agroplan plan` costs on a scenario: read -> inputs -> solve -> write -> check -> map.

Usage: ``python benchmarks/default_end_to_end.py [SCENARIO] [--runs N] [--solver NAME]
[--no-map] [--timeout S]``

Each run is a fresh process (so peak memory is that run's maximum resident set, and no
cache carries over) that does what ``agroplan plan`` does, into a temporary folder.
Prints one row per run and a row of medians: wall seconds per stage (``build`` and
``solve`` as the solver reports them, inside ``model``), peak memory, the model's size,
status and gap. The issue's budget: read -> solved -> written within 20 s on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fmt, isolated, machine, median, table

STAGES = ("read", "inputs", "model", "build", "solve", "write", "check", "map", "total")
HEADERS = ("run", *STAGES, "peak MB", "variables", "constraints", "status", "gap %",
           "objective")


def run_once(scenario_path: str | None, solver: str | None, draw_map: bool) -> dict[str, Any]:
    """One end-to-end run; seconds per stage and the solver's figures."""
    from agroplan.check import check_plan
    from agroplan.config import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers import read_layers
    from agroplan.plan import write_plan
    from agroplan.solve import solve

    size: dict[str, Any] = {}

    def progress(event: str, info: Mapping[str, Any]) -> None:
        if event == "build":
            size.update(info)

    seconds: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = now - clock
        clock = now

    scenario = load_scenario(scenario_path)
    layers = read_layers(scenario)
    lap("read")
    inputs = build_plan_inputs(scenario, layers)
    lap("inputs")
    plan = solve(inputs, backend=solver, progress=progress)  # type: ignore[arg-type]
    lap("model")
    with tempfile.TemporaryDirectory() as folder:
        if plan.has_solution:
            write_plan(plan, inputs, Path(folder) / "plan", layers=layers, timings=seconds)
        lap("write")
        violations = check_plan(inputs, plan)
        lap("check")
        if draw_map and plan.has_solution:
            from agroplan.render import render_outputs

            render_outputs(plan, inputs, layers, Path(folder) / "map.html")
            lap("map")
    gap = plan.relative_gap
    return {
        **seconds, "build": size.get("seconds"), "solve": plan.solve_seconds,
        "total": time.perf_counter() - started, "variables": size.get("variables"),
        "constraints": size.get("constraints"),
        "status": plan.status if not violations else f"{plan.status}, {len(violations)} violations",
        "gap %": None if gap is None else 100 * gap, "objective": plan.objective,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=None,
                        help="scenario file (default data/scenarios/default.yaml)")
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--solver", default=None, help="highs, scip or cpsat (default: config)")
    parser.add_argument("--no-map", action="store_true", help="skip the map and report")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    args = parser.parse_args()
    from importlib.util import find_spec

    draw_map = not args.no_map and find_spec("agroplan.render") is not None
    print(f"# end to end: {args.scenario or 'data/scenarios/default.yaml'}, {args.runs} runs, "
          f"solver {args.solver or 'from the scenario'}, map {'on' if draw_map else 'off'}")
    print(f"# {machine()}\n")
    results = []
    for i in range(args.runs):
        result = isolated(run_once, args.scenario, args.solver, draw_map,
                          timeout_s=args.timeout)
        results.append(result)
        if "error" in result:
            print(f"run {i + 1}: {result['error']}", file=sys.stderr)
    fields = (*STAGES, "peak_mb", "variables", "constraints", "status", "gap %", "objective")
    rows: list[list[Any]] = [[i + 1, *(r.get(f) for f in fields)] for i, r in enumerate(results)]
    ok = [r for r in results if "error" not in r]
    medians = {f: median([r.get(f) for r in ok]) for f in (*STAGES, "peak_mb", "gap %",
                                                          "objective")}
    last = ok[-1] if ok else {}
    rows.append(["median", *(medians.get(f, last.get(f)) for f in fields)])
    print(table(HEADERS, rows))
    if ok:
        written = median([sum(r[s] for s in ("read", "inputs", "model", "write")) for r in ok])
        extra = "check and map" if draw_map else "check"
        print(f"\nmedian read -> solved -> written: {fmt(written, 1)} s; "
              f"with the {extra}: {fmt(medians['total'], 1)} s")


if __name__ == "__main__":
    main()
