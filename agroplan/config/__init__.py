"""Scenario configs: the pydantic models of scenario files, reading them and the wording of
their errors.

The first stage: a YAML file (with ``extends:`` and ``--set`` overrides) becomes a frozen,
validated :class:`Scenario`; ``sources`` describes where each layer comes from (a path, or
a mapping with its layer or table, column names and CRS). Imports nothing of agroplan but
errors and periods; never reads layers, never imports a solver.
"""

from agroplan.config.load import DEFAULT_SCENARIO, load_scenario, validate_scenario
from agroplan.config.scenario import SCHEMA_VERSION, Scenario, scenario_json_schema
from agroplan.config.sections import (
    CONSTRAINT_FAMILIES,
    LANGUAGES,
    MILESTONE_METRICS,
    MILESTONE_UNITS,
    Language,
)

__all__ = [
    "CONSTRAINT_FAMILIES",
    "DEFAULT_SCENARIO",
    "LANGUAGES",
    "MILESTONE_METRICS",
    "MILESTONE_UNITS",
    "SCHEMA_VERSION",
    "Language",
    "Scenario",
    "load_scenario",
    "scenario_json_schema",
    "validate_scenario",
]
