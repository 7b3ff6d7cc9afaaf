"""agroplan's location core against spopt's capacitated p-median (PuLP + CBC), side by side.

The problem is the one spopt's ``PMedian.from_cost_matrix(cost, weights, p,
facility_capacities=...)`` builds: open exactly p of m sites, serve each of n demand
points from one open site (binary assignment), load of a site at most its capacity,
minimise the sum of demand x distance. agroplan solves the same model with
``solve_facility_location(zeros, capacity, demand, demand * distance, p=p,
single_source=True)``. Both run single-threaded with the same relative gap (1e-4) and time
limit, each in a fresh process (peak memory is that process's, CBC's included).

    python benchmarks/peer_spopt.py                 # 200x30, 1,000x100, 3,000x300
    python benchmarks/peer_spopt.py --sizes 200x30 --repeats 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt, isolated, machine, median, table

GAP = 1e-4


def instance(n: int, m: int, seed: int, slack: float = 1.5
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Seeded instance: points and sites in a 100 x 100 km square, p = m / 10.

    Returns ``(distance_km (n, m), demand (n,), capacity (m,), p)``; every site has capacity
    ``slack`` x total demand / p, so capacities bind on the busiest sites.
    """
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    distance = np.linalg.norm(points[:, None, :] - sites[None, :, :], axis=2)
    demand = rng.integers(1, 11, n).astype(float)
    p = max(2, m // 10)
    capacity = np.full(m, np.ceil(slack * demand.sum() / p))
    return distance, demand, capacity, p


def run_agroplan(n: int, m: int, seed: int, limit: float) -> dict[str, Any]:
    from agroplan.location import solve_facility_location

    distance, demand, capacity, p = instance(n, m, seed)
    started = time.perf_counter()
    r = solve_facility_location(np.zeros(m), capacity, demand, demand[:, None] * distance,
                                p=p, single_source=True, relative_gap=GAP,
                                time_limit_s=limit, threads=1)
    total = time.perf_counter() - started
    return {"build_s": total - r.seconds, "solve_s": r.seconds, "total_s": total,
            "status": r.status, "objective": r.objective, "gap": r.gap}


def run_spopt(n: int, m: int, seed: int, limit: float) -> dict[str, Any]:
    import pulp
    from spopt.locate import PMedian

    distance, demand, capacity, p = instance(n, m, seed)
    started = time.perf_counter()
    model = PMedian.from_cost_matrix(distance, demand, p, facility_capacities=capacity)
    built = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=GAP, threads=1)
    try:
        model.solve(solver, results=False)
        error = None
    except RuntimeError as exc:  # spopt raises when the limit passes with no solution
        error = str(exc).splitlines()[0][:80]
    done = time.perf_counter()
    problem = model.problem
    proven = problem.sol_status == pulp.LpSolutionOptimal and done - built < limit
    status = ("optimal" if proven else "feasible" if problem.sol_status > 0 else "no_solution")
    objective = pulp.value(problem.objective) if problem.sol_status > 0 else None
    return {"build_s": built - started, "solve_s": done - built, "total_s": done - started,
            "status": status, "objective": objective, "gap": None, "error": error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["200x30", "1000x100", "3000x300"])
    parser.add_argument("--repeats", type=int, default=3, help="runs per small size (medians)")
    parser.add_argument("--repeats-large", type=int, default=1,
                        help="runs of sizes with 100,000 pairs or more")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"# Location core vs spopt PMedian (capacitated, single source)\n\n{machine()}\n")
    rows = []
    for size in args.sizes:
        n, m = (int(v) for v in size.split("x"))
        repeats = args.repeats if n * m < 100_000 else args.repeats_large
        runs: dict[str, list[dict[str, Any]]] = {"agroplan": [], "spopt": []}
        for rep in range(repeats):
            for name, fn in (("agroplan", run_agroplan), ("spopt", run_spopt)):
                out = isolated(fn, n, m, args.seed, args.time_limit,
                               timeout_s=args.time_limit * 2 + 120)
                runs[name].append(out)
                print(f"  {size} rep {rep + 1} {name}: {fmt(out.get('total_s'))} s "
                      f"{out.get('status')} obj={fmt(out.get('objective'), 1)} "
                      f"{out.get('error') or ''}", file=sys.stderr, flush=True)
        a, s = runs["agroplan"], runs["spopt"]
        ta = median([r.get("total_s") for r in a if r.get("status") == "optimal"])
        ts = median([r.get("total_s") for r in s if r.get("status") == "optimal"])
        ratio = f"{ts / ta:.1f}x" if ta and ts else (
            f"> {args.time_limit / ta:.1f}x" if ta and not ts else "—")
        rows.append([size, instance(n, m, args.seed)[3], repeats,
                     median([r.get("build_s") for r in a]), median([r.get("solve_s") for r in a]),
                     ta, a[0].get("status"), _percent(a[0].get("gap")),
                     median([r.get("peak_mb") for r in a]),
                     median([r.get("build_s") for r in s]), median([r.get("solve_s") for r in s]),
                     ts, s[0].get("status"), median([r.get("peak_mb") for r in s]),
                     _same(a[0].get("objective"), s[0].get("objective")), ratio])
    print(table(["n x m", "p", "runs", "agroplan build s", "solve s", "to optimum s", "status",
                 "gap %", "peak MB", "spopt build s", "solve s", "to optimum s", "status",
                 "peak MB", "same optimum", "speed-up"], rows))


def _percent(gap: float | None) -> str | None:
    return None if gap is None else f"{100 * gap:.3f}"


def _same(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "—"
    return "yes" if abs(a - b) <= 2 * GAP * max(abs(a), abs(b)) else f"no ({a:.1f} vs {b:.1f})"


if __name__ == "__main__":
    main()
