"""The plan checker: every rule of docs/model.md, verified on a plan's tables without a solver.

:func:`check_plan` recomputes herds, houses, spend, exports and KPIs from the decisions
with numpy and returns every :class:`Violation`; an empty list means the plan keeps every
hard rule and its reported figures are right. It must never import the model, the solver
(``agroplan.model``, ``agroplan.solve``) or OR-Tools: it is the independent second opinion.
"""

from agroplan.check.arrays import Violation
from agroplan.check.rules import PlanViolationError, check_plan, recompute_objective

__all__ = ["PlanViolationError", "Violation", "check_plan", "recompute_objective"]
