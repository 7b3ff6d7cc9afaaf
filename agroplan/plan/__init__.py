"""The plan: a solver's result as tables and KPIs, and its folder on disk.

:class:`Plan` is what the checker, the renderers and the exports read; none of them needs
the solver. :func:`write_plan` writes a plan folder (``plan.json``, one CSV per table,
``plan.gpkg``, ``plan.xlsx``) in one step and :func:`read_plan` reads it back. Imports
config, layers and inputs; never the model, a solver or a renderer.
"""

from agroplan.plan.folder import (
    check_plan_folder,
    default_plan_folder,
    read_plan,
    read_plan_scenario,
    write_plan,
)
from agroplan.plan.result import (
    PLAN_SCHEMA_VERSION,
    SPEND_CATEGORIES,
    TABLE_COLUMNS,
    Plan,
    Status,
    empty_table,
)

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "SPEND_CATEGORIES",
    "TABLE_COLUMNS",
    "Plan",
    "Status",
    "check_plan_folder",
    "default_plan_folder",
    "empty_table",
    "read_plan",
    "read_plan_scenario",
    "write_plan",
]
