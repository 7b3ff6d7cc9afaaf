"""Backends and parameters on a scenario's model: prints a table (build, solve, gap).

Usage: ``python benchmarks/solvers.py [SCENARIO] [--time-limit S] [--only NAME ...]``

Each row solves the same model once with one backend and one parameter set, with the
scenario's relative gap, and reports the solver's own objective, bound and status.
The default backend and parameters in docs/model.md ("Solver choice") come from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2
from ortools.sat import sat_parameters_pb2

from agroplan.config import load_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.model import build_model

Params = Callable[[float, float], mathopt.SolveParameters]


def _base(limit: float, gap: float, **kw: object) -> mathopt.SolveParameters:
    return mathopt.SolveParameters(time_limit=dt.timedelta(seconds=limit),
                                   relative_gap_tolerance=gap, random_seed=0, **kw)


def _highs(**options: object) -> Params:
    def make(limit: float, gap: float) -> mathopt.SolveParameters:
        params = _base(limit, gap)
        params.highs = highs_pb2.HighsOptionsProto(
            int_options={k: v for k, v in options.items() if isinstance(v, int)
                         and not isinstance(v, bool)},
            double_options={k: v for k, v in options.items() if isinstance(v, float)},
            bool_options={k: v for k, v in options.items() if isinstance(v, bool)},
            string_options={k: v for k, v in options.items() if isinstance(v, str)})
        return params
    return make


def _scip(**kw: object) -> Params:
    return lambda limit, gap: _base(limit, gap, **kw)


def _cpsat(workers: int, **options: object) -> Params:
    def make(limit: float, gap: float) -> mathopt.SolveParameters:
        params = _base(limit, gap, threads=workers)
        params.cp_sat = sat_parameters_pb2.SatParameters(**options)
        return params
    return make


CONFIGS: dict[str, tuple[mathopt.SolverType, Params, bool]] = {
    "highs": (mathopt.SolverType.HIGHS, _highs(), False),
    "highs-presolve-off": (mathopt.SolverType.HIGHS, _highs(presolve="off"), False),
    "highs-heuristics-0.3": (mathopt.SolverType.HIGHS, _highs(mip_heuristic_effort=0.3), False),
    "scip": (mathopt.SolverType.GSCIP, _scip(), False),
    "scip-heuristics-high": (mathopt.SolverType.GSCIP,
                             _scip(heuristics=mathopt.Emphasis.HIGH), False),
    "cpsat-2w-lin2": (mathopt.SolverType.CP_SAT, _cpsat(2, linearization_level=2), True),
    "cpsat-1w-lin2": (mathopt.SolverType.CP_SAT, _cpsat(1, linearization_level=2), True),
    "cpsat-2w-default": (mathopt.SolverType.CP_SAT, _cpsat(2), True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--only", nargs="*", default=list(CONFIGS))
    args = parser.parse_args()
    started = time.perf_counter()
    scenario = load_scenario(args.scenario)
    inputs = build_plan_inputs(scenario, read_layers(scenario))
    print(f"scenario {scenario.name}: read + inputs {time.perf_counter() - started:.2f} s, "
          f"relative gap {scenario.solver.relative_gap}, limit {args.time_limit:g} s")
    print(f"| {'config':22} | vars | cons | build s | solve s | status | objective | bound "
          "| gap % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.only:
        solver_type, params, integer = CONFIGS[name]
        t0 = time.perf_counter()
        m = build_model(inputs, integer_flows=integer)
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = mathopt.solve(m.model, solver_type,
                               params=params(args.time_limit, scenario.solver.relative_gap))
        solve_s = time.perf_counter() - t1
        bounds = result.termination.objective_bounds
        primal, dual = bounds.primal_bound, bounds.dual_bound
        gap = abs(dual - primal) / max(abs(primal), 1e-9) * 100 if abs(primal) < 1e300 else None
        print(f"| {name:22} | {m.model.get_num_variables()} | "
              f"{m.model.get_num_linear_constraints()} | {build_s:.2f} | {solve_s:.2f} | "
              f"{result.termination.reason.name.lower()} | {primal:,.0f} | {dual:,.0f} | "
              f"{'-' if gap is None else f'{gap:.3f}'} |", flush=True)


if __name__ == "__main__":
    main()
