"""The roadmap in practice: actuals, the rules the past must keep, re-planning and review.

``actuals`` and ``tables`` read and check what happened (``workbook``: from one Excel
workbook, and its template); ``past_rules`` checks the fixed
past against each hard rule; ``fix`` fixes a built model's past to the actuals; ``replanning``
re-optimises the quarters after them; ``check`` verifies a re-plan's past and budget;
``review`` sets plan against actual. Reading actuals sits below the model and re-planning
above the solver, so names load on first use (:mod:`agroplan.lazy`) and other packages
import the module they need (``agroplan.roadmap.actuals``). Renderers may import
``actuals`` and ``review``, never ``fix`` or ``replanning``.
"""

from typing import TYPE_CHECKING

from agroplan.lazy import lazy_exports

if TYPE_CHECKING:
    from agroplan.roadmap.actuals import Actuals, apply_land, read_actuals, write_actuals
    from agroplan.roadmap.check import check_past, check_replan
    from agroplan.roadmap.fix import fix_past
    from agroplan.roadmap.replanning import Replan, plan_changes, replan
    from agroplan.roadmap.review import Review, build_review
    from agroplan.roadmap.tables import ACTUALS_COLUMNS

__all__ = [
    "ACTUALS_COLUMNS",
    "Actuals",
    "Replan",
    "Review",
    "apply_land",
    "build_review",
    "check_past",
    "check_replan",
    "fix_past",
    "plan_changes",
    "read_actuals",
    "replan",
    "write_actuals",
]

__getattr__, __dir__ = lazy_exports(__name__, {
    "ACTUALS_COLUMNS": "tables",
    "Actuals": "actuals",
    "Replan": "replanning",
    "Review": "review",
    "apply_land": "actuals",
    "build_review": "review",
    "check_past": "check",
    "check_replan": "check",
    "fix_past": "fix",
    "plan_changes": "replanning",
    "read_actuals": "actuals",
    "replan": "replanning",
    "write_actuals": "actuals",
})
