"""Constraint families that a scenario can make soft, and the names of their constraints.

Shared by the model (which relaxes them), the checker (which accepts reported violations)
and the diagnosis (which names them back in the config's words); no solver here.
"""

from __future__ import annotations

FAMILY_OF_PREFIX = {
    "budget.per_quarter": "budget",
    "supply.heifers": "supply_heifers",
    "supply.timber": "supply_timber",
    "hubs.capacity_heads": "hub_capacity",
    "hubs.capacity_timber": "hub_capacity",
    "workforce.demand": "workforce",
    "workforce.supply": "workforce",
    "land.fodder": "land",
    "houses.max_houses": "house_plots",
    "houses.returning_families": "returning_families",
    "trade.target": "trade_targets",
    "milestone": "milestones",
}
"""Constraint-name prefix -> the family key under ``constraints:`` that makes it soft."""

UNIT_OF_PREFIX = {
    "budget.per_quarter": "USD", "supply.heifers": "heads", "supply.timber": "m3",
    "hubs.capacity_heads": "heads", "hubs.capacity_timber": "m3", "workforce.demand": "workers",
    "workforce.supply": "workers", "land.fodder": "ha", "houses.max_houses": "houses",
    "houses.returning_families": "families", "trade.target": "USD",
}
"""Unit of a violation of each relaxable constraint (milestones: the metric's unit)."""


def prefix_of(name: str) -> str:
    """``budget.per_quarter[2027Q2]`` -> ``budget.per_quarter``."""
    return name.split("[", 1)[0]


CONFIG_KEYS = {
    "budget.per_quarter": "budget.usd_per_quarter",
    "supply.heifers": "supply.heifer_factor (and heifers_per_quarter in the origins layer)",
    "supply.timber": "supply.timber_factor (and timber_m3_per_quarter in the origins layer)",
    "hubs.capacity_heads": "supply.hub_capacity_factor (and capacity_heads_per_quarter in the "
                           "hubs layer)",
    "hubs.capacity_timber": "supply.hub_capacity_factor (and capacity_timber_m3_per_quarter in "
                            "the hubs layer)",
    "workforce.demand": "farms.workers_per_100_head, houses.workers_per_family, "
                        "distances.commuting_radius_km",
    "workforce.supply": "houses.workers_per_family",
    "land.fodder": "land.fodder_share_of_cleared, farms.fodder_ha_per_head",
    "houses.max_houses": "max_houses in the settlements layer",
    "houses.returning_families": "returning_families in the settlements layer",
    "trade.target": "trade.targets",
    "milestone": "milestones",
}
"""Constraint-name prefix -> the config keys (or layer columns) that set its bound."""
