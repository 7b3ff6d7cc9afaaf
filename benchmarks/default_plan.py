"""End to end on a scenario: read -> inputs -> build -> solve -> check -> write, timed.

Usage: ``python benchmarks/default_plan.py [SCENARIO] [--solver NAME] [--repeat N] [--out DIR]``

Prints one row per run: seconds per stage (wall clock), the model's size and the
solver's own figures (status, objective, bound, gap), then the plan's headline KPIs.
The issue's budget: read -> solved -> written within 20 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Mapping
from typing import Any

from agroplan.check import check_plan
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.plan import Plan
from agroplan.plan_io import write_plan
from agroplan.scenario import load_scenario
from agroplan.solve import solve


def run_once(scenario_path: str | None, solver: str | None, out: str) -> tuple[dict[str, Any],
                                                                                 Plan]:
    size: dict[str, Any] = {}

    def progress(event: str, info: Mapping[str, Any]) -> None:
        if event == "build":
            size.update(info)

    t0 = time.perf_counter()
    scenario = load_scenario(scenario_path)
    layers = read_layers(scenario)
    t1 = time.perf_counter()
    inputs = build_plan_inputs(scenario, layers)
    t2 = time.perf_counter()
    plan = solve(inputs, backend=solver, progress=progress)  # type: ignore[arg-type]
    t3 = time.perf_counter()
    violations = check_plan(inputs, plan)
    t4 = time.perf_counter()
    write_plan(plan, inputs, out, layers=layers)
    t5 = time.perf_counter()
    row = {
        "read": t1 - t0, "inputs": t2 - t1, "build": size.get("seconds", 0.0),
        "solve": plan.solve_seconds, "build+solve": t3 - t2, "check": t4 - t3, "write": t5 - t4,
        "total": t5 - t0, "vars": size.get("variables"), "cons": size.get("constraints"),
        "status": plan.status, "objective": plan.objective, "gap": plan.relative_gap,
        "violations": len(violations),
    }
    return row, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--solver", choices=["highs", "scip", "cpsat"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args()
    print("| run | read s | inputs s | build s | solve s | check s | write s | total s | vars "
          "| cons | status | objective | gap % | violations |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    plan = None
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            row, plan = run_once(args.scenario, args.solver, args.out or tmp)
        gap = "-" if row["gap"] is None else f"{100 * row['gap']:.3f}"
        print(f"| {i + 1} | {row['read']:.2f} | {row['inputs']:.2f} | {row['build']:.2f} | "
              f"{row['solve']:.2f} | {row['check']:.2f} | {row['write']:.2f} | "
              f"{row['total']:.2f} | {row['vars']} | {row['cons']} | {row['status']} | "
              f"{row['objective']:,.0f} | {gap} | {row['violations']} |", flush=True)
    if plan is not None and plan.has_solution:
        k = plan.kpis
        print(f"\nfarms {k['farms']}, herd {k['herd_heads']:,} head, milk "
              f"{k['milk_t_per_year']:,.0f} t/yr, jobs {k['jobs']:,.0f}, houses "
              f"{k['families_housed']:,}, agro-towns {len(plan.agro_towns)}, spend "
              f"{k['spend_usd'] / 1e6:,.1f} of {k['budget_usd'] / 1e6:,.1f} M USD")
        for row in k["trade"]:
            print(f"trade {row['year']}: {row['total_usd'] / 1e6:,.1f} M USD vs target "
                  f"{row['target_usd'] / 1e6:,.1f} M ({'met' if row['met'] else 'not met'})")


if __name__ == "__main__":
    main()
