"""The scenario: every section of a file, validated together into one frozen value.

Checks that span sections (a budget quarter or a milestone outside the horizon, an enforced
trade target in a year the horizon does not reach) live here; the sections themselves are
in :mod:`agroplan.config.sections`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from agroplan.config.base import ConfigModel
from agroplan.config.sections import (
    AgroTowns,
    Budget,
    Cattle,
    Constraints,
    Distances,
    Farms,
    Horizon,
    Houses,
    Land,
    LayerPaths,
    Milestone,
    Objective,
    Report,
    Solver,
    Supply,
    Trade,
)
from agroplan.config.sources import LayerSource
from agroplan.periods import quarter_year

SCHEMA_VERSION = 1
"""Version of the scenario schema this agroplan reads."""


class Scenario(ConfigModel):
    """A complete, validated scenario."""

    schema_version: int = SCHEMA_VERSION
    """Version of this schema."""
    name: str = Field("default", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    """Short name; used for output folders and map file names."""
    description: str = ""
    """Free text shown in reports."""
    layers: LayerPaths = LayerPaths()
    horizon: Horizon = Horizon()
    farms: Farms = Farms()
    cattle: Cattle = Cattle()
    houses: Houses = Houses()
    agro_towns: AgroTowns = AgroTowns()
    land: Land = Land()
    distances: Distances = Distances()
    budget: Budget = Budget()
    supply: Supply = Supply()
    trade: Trade = Trade()
    constraints: Constraints = Constraints()
    milestones: tuple[Milestone, ...] = ()
    objective: Objective = Objective()
    solver: Solver = Solver()
    report: Report = Report()

    source_path: str | None = Field(None, exclude=True)
    """File the scenario was read from (set by the loader; not a config key)."""
    key_files: dict[str, str] = Field(default_factory=dict, exclude=True)
    """Dotted key -> the file that set it, or ``--set`` (set by the loader; not a config key)."""

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is newer than this agroplan understands "
                f"({SCHEMA_VERSION}); upgrade agroplan"
            )
        return value

    @model_validator(mode="after")
    def _budget_quarters_in_horizon(self) -> Scenario:
        per_quarter = self.budget.usd_per_quarter
        if isinstance(per_quarter, dict):
            outside = sorted(set(per_quarter) - set(self.horizon.periods))
            if outside:
                raise ValueError(
                    f"budget.usd_per_quarter names quarters outside the horizon "
                    f"{self.horizon.periods[0]}..{self.horizon.periods[-1]}: {', '.join(outside)}"
                )
        return self

    @model_validator(mode="after")
    def _enforced_targets_in_horizon(self) -> Scenario:
        years = sorted({quarter_year(p) for p in self.horizon.periods})
        for index, target in enumerate(self.trade.targets):
            if target.enforce and target.year not in years:
                raise ValueError(
                    f"trade.targets.{index}.year: the enforced target year {target.year} lies "
                    f"outside the horizon {self.horizon.periods[0]}..{self.horizon.periods[-1]} "
                    f"(years {years[0]}..{years[-1]}); change the year, lengthen the horizon "
                    "or set enforce: false"
                )
        return self

    @model_validator(mode="after")
    def _milestones_in_horizon(self) -> Scenario:
        seen: set[str] = set()
        periods = self.horizon.periods
        for index, milestone in enumerate(self.milestones):
            if milestone.name in seen:
                raise ValueError(f"milestones.{index}.name: {milestone.name!r} is used twice; "
                                 "give every milestone its own name")
            seen.add(milestone.name)
            if milestone.by not in periods:
                raise ValueError(
                    f"milestones.{index}.by: {milestone.by} lies outside the horizon "
                    f"{periods[0]}..{periods[-1]}; choose a quarter inside it"
                )
        return self

    @property
    def periods(self) -> tuple[str, ...]:
        """Quarter labels of the horizon."""
        return self.horizon.periods

    def file_of(self, dotted: str) -> str:
        """The file (or ``--set``) that set ``dotted`` or its closest parent key; keys left
        at their default belong to the scenario file itself."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            found = self.key_files.get(".".join(parts[:end]))
            if found is not None:
                return found
        return self.source_path or "the scenario file"

    def layer_source(self, layer: str) -> LayerSource:
        """Where a layer is read from, its file path made absolute against the scenario
        file's folder (a database URI is kept as it is)."""
        given = getattr(self.layers, layer)
        source = given if isinstance(given, LayerSource) else LayerSource(path=given)
        if source.database:
            return source
        raw = Path(source.path)
        if not raw.is_absolute() and self.source_path is not None:
            raw = (Path(self.source_path).parent / raw).resolve()
        return source.model_copy(update={"path": str(raw)})

    def layer_path(self, layer: str) -> Path:
        """Absolute path of a layer's file, resolved against the scenario file's folder."""
        return Path(self.layer_source(layer).path)

    def layer_label(self, layer: str) -> str:
        """How messages name a layer: its file (and layer or sheet), or its database
        address without the password and its table."""
        return self.layer_source(layer).label

    def budget_usd(self) -> tuple[float, ...]:
        """Budget of each quarter of the horizon, USD."""
        per_quarter = self.budget.usd_per_quarter
        if isinstance(per_quarter, dict):
            return tuple(float(per_quarter.get(p, 0.0)) for p in self.periods)
        return tuple(float(per_quarter) for _ in self.periods)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files (``agroplan schema``)."""
    return Scenario.model_json_schema(mode="validation")
