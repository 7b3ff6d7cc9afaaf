"""Plain-dict views of :class:`~agroplan.inputs.PlanInputs` (fast, typed scalar look-ups)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from agroplan.inputs import PlanInputs


def _grid(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    """``(row id, column) -> float`` of a numeric table."""
    values = frame.to_numpy(dtype=float)
    return {
        (str(r), str(c)): float(values[i, k])
        for i, r in enumerate(frame.index)
        for k, c in enumerate(frame.columns)
    }


def _column(frame: pd.DataFrame, name: str) -> dict[str, float]:
    return {str(k): float(v) for k, v in zip(frame.index, frame[name].to_numpy(), strict=True)}


def _labels(frame: pd.DataFrame, name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in zip(frame.index, frame[name].to_numpy(), strict=True)}


@dataclass(frozen=True)
class Lookups:
    """Scalars of the inputs keyed by ids and quarter labels (see PlanInputs for units)."""

    heifers: dict[tuple[str, str], float]
    timber: dict[tuple[str, str], float]
    hub_heads: dict[tuple[str, str], float]
    hub_timber: dict[tuple[str, str], float]
    land: dict[tuple[str, str], float]
    long_haul_km: dict[tuple[str, str], float]
    hub_site_km: dict[tuple[str, str], float]
    budget: tuple[float, ...]
    site_district: dict[str, str]
    site_max: dict[str, int]
    site_from: dict[str, int]
    town_district: dict[str, str]
    town_from: dict[str, int]
    max_houses: dict[str, int]
    families: dict[str, int]

    @classmethod
    def of(cls, inputs: PlanInputs) -> Lookups:
        """Build the look-ups once per model."""
        sites, towns = inputs.sites, inputs.settlements
        hs = inputs.hub_site
        return cls(
            heifers=_grid(inputs.heifer_supply),
            timber=_grid(inputs.timber_supply),
            hub_heads=_grid(inputs.hub_capacity_heads),
            hub_timber=_grid(inputs.hub_capacity_timber_m3),
            land=_grid(inputs.fodder_land_ha),
            long_haul_km=_grid(inputs.long_haul_km),
            hub_site_km={
                (str(h), str(s)): float(km)
                for h, s, km in zip(hs["hub_id"], hs["site_id"], hs["distance_km"], strict=True)
            },
            budget=tuple(float(v) for v in inputs.budget_usd.to_numpy()),
            site_district=_labels(sites, "district_id"),
            site_max={k: int(v) for k, v in _column(sites, "max_size_heads").items()},
            site_from={k: max(0, int(v)) for k, v in _column(sites, "available_index").items()},
            town_district=_labels(towns, "district_id"),
            town_from={k: max(0, int(v)) for k, v in _column(towns, "available_index").items()},
            max_houses={k: int(v) for k, v in _column(towns, "max_houses").items()},
            families={k: int(v) for k, v in _column(towns, "returning_families").items()},
        )

    def house_cap(self, settlement: str) -> int:
        """``U_j = min(max_houses, returning_families)``, at least 0."""
        return max(0, min(self.max_houses[settlement], self.families[settlement]))

    def sizes(self, sizes_heads: tuple[int, ...], site: str) -> list[int]:
        """Farm sizes allowed at a site (no larger than its ``max_size_heads``)."""
        return [k for k in sizes_heads if k <= self.site_max[site]]
