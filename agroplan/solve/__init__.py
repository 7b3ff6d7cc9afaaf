"""Solving: plan inputs -> checks -> model -> backend, level by level -> Plan.

:func:`solve` runs the pipeline with HiGHS, SCIP or CP-SAT through OR-Tools MathOpt, with a
warm start (a greedy plan, and for large models the LP solved by place, which also proves
a bound). Never reads files or draws: its inputs are values and its result is a
:class:`~agroplan.plan.Plan`.
"""

from agroplan.solve.pipeline import Backend, Progress, solve

__all__ = ["Backend", "Progress", "solve"]
