"""The sections of a scenario file: one frozen pydantic model per top-level key.

Every model forbids unknown keys, so a typo is reported rather than ignored; attribute
docstrings document each key with its unit and become the descriptions of
``agroplan schema``. :class:`agroplan.config.scenario.Scenario` holds one of each.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from agroplan.config.base import ConfigModel
from agroplan.config.sources import LayerSource
from agroplan.periods import parse_quarter, quarter_range

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Language = Literal["en", "az", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "az", "ru")
"""Languages of the pages and the terminal summary: English, Azerbaijani (Latin), Russian."""


class LayerPaths(ConfigModel):
    """The input layers: each a path relative to the scenario file that names it, or a
    mapping with the path, the layer or table, your column names and the CRS
    (:class:`~agroplan.config.sources.LayerSource`)."""

    districts: str | LayerSource = "../layers/districts.geojson"
    """Revival districts (polygons, EPSG:4326)."""
    settlements: str | LayerSource = "../layers/settlements.geojson"
    """Candidate agro-town settlements (points)."""
    farm_sites: str | LayerSource = "../layers/farm_sites.geojson"
    """Candidate dairy-farm sites (points)."""
    hubs: str | LayerSource = "../layers/hubs.geojson"
    """Transport hubs (points)."""
    origins: str | LayerSource = "../layers/origins.geojson"
    """Belarusian origins of heifers and timber (points)."""
    clearance: str | LayerSource = "../layers/clearance.csv"
    """Cumulative cleared agricultural land per district and quarter (table)."""
    context: str | LayerSource = "../layers/context.geojson"
    """Basemap context: Azerbaijan's districts, neighbours, rivers, lakes (drawn only)."""


class Horizon(ConfigModel):
    """The planning horizon, in quarters."""

    start: str = "2027Q1"
    """First quarter of the plan, as YYYYQn."""
    quarters: int = Field(12, ge=1, le=80)
    """Number of quarters planned."""

    @field_validator("start")
    @classmethod
    def _quarter(cls, value: str) -> str:
        parse_quarter(value)
        return value

    @property
    def periods(self) -> tuple[str, ...]:
        """Quarter labels of the horizon."""
        return quarter_range(self.start, self.quarters)


class Farms(ConfigModel):
    """Dairy complexes."""

    sizes_heads: tuple[Annotated[int, Field(gt=0)], ...] = (600, 800, 1200)
    """Allowed complex sizes, in head (cow places)."""
    cost_usd_per_place: Pos = 3200
    """Construction cost per cow place, USD."""
    build_quarters: int = Field(4, ge=0, le=20)
    """Quarters from construction start to operation."""
    belarus_equipment_usd_per_place: NonNeg = 600
    """Belarusian equipment (MTZ tractors, milking lines) bought per cow place, USD; part of
    the construction cost, counted as exports."""
    workers_per_100_head: NonNeg = 5
    """Farm workers needed per 100 head of herd."""
    milk_kg_per_head_year: NonNeg = 6500
    """Milk yield, kg per head per year."""
    fodder_ha_per_head: NonNeg = 0.8
    """Cleared agricultural land needed for fodder per head, ha."""

    @field_validator("sizes_heads")
    @classmethod
    def _sizes(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("give at least one farm size")
        if len(set(value)) != len(value):
            raise ValueError("farm sizes must be distinct")
        return tuple(sorted(value))


class Cattle(ConfigModel):
    """Heifer purchase and transport."""

    heifer_price_usd: NonNeg = 3040
    """Purchase price per in-calf heifer, USD (Belarusian export value)."""
    long_haul_usd_per_head_km: NonNeg = 0.06
    """Long-haul transport origin -> hub, USD per head per km of route."""
    truck_usd_per_head_km: NonNeg = 0.10
    """Local truck transport hub -> farm, USD per head per km of road."""
    hubs_per_site: int = Field(2, ge=1)
    """Each site is served only from its nearest hubs (by road); this many."""


class Houses(ConfigModel):
    """Wooden houses from Belarusian timber."""

    cost_usd: Pos = 50000
    """Turnkey cost of one house, USD."""
    belarus_kit_usd: NonNeg = 20000
    """Value of the Belarusian timber kit per house, USD; part of the cost, counted as exports."""
    timber_m3_per_house: NonNeg = 30
    """Sawn timber per house, m3."""
    workers_per_family: NonNeg = 0.5
    """Farm workers available per housed family."""


class AgroTowns(ConfigModel):
    """Agro-town infrastructure."""

    infrastructure_usd: NonNeg = 3_000_000
    """One-off cost of developing a settlement (roads, water, school), USD."""


class Land(ConfigModel):
    """Cleared land available for fodder."""

    fodder_share_of_cleared: Share = 0.15
    """Share of a district's cleared agricultural land that dairy fodder may use."""


class Distances(ConfigModel):
    """How distances are computed."""

    metric_crs: str = "EPSG:32638"
    """Projected CRS for distances (metres); UTM 38N covers the region."""
    road_circuity: float = Field(1.3, ge=1.0, le=3.0)
    """Road distance = straight-line distance x this factor."""
    long_haul_circuity: float = Field(1.25, ge=1.0, le=3.0)
    """Route distance origin -> hub = great-circle distance x this factor."""
    commuting_radius_km: Pos = 25
    """Workers live within this road distance of their farm, km."""
    settlements_per_site: Annotated[int, Field(ge=1)] | None = None
    """Workers of a farm come from at most this many settlements: the site's nearest ones
    within commuting reach (ties: lower settlement id). ``null`` (default): every settlement
    within reach. A smaller model for large scenarios, at the price of fewer choices."""

    @field_validator("metric_crs")
    @classmethod
    def _metric(cls, value: str) -> str:
        from pyproj import CRS  # imported here: pyproj is slow to import
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(value)
        except CRSError:
            raise ValueError(
                f"{value!r} is not a known CRS; use a projected CRS in metres such as "
                "EPSG:32638 (UTM 38N)"
            ) from None
        if not crs.is_projected or {a.unit_name for a in crs.axis_info} != {"metre"}:
            raise ValueError(
                f"{value!r} is not a projected CRS in metres; use one such as EPSG:32638 (UTM 38N)"
            )
        return value


class Budget(ConfigModel):
    """Money available per quarter."""

    usd_per_quarter: NonNeg | dict[str, NonNeg] = 120_000_000
    """Budget per quarter, USD: one number for every quarter, or a mapping quarter -> USD
    (quarters not listed get 0)."""
    carry_over: bool = True
    """Unspent budget of a quarter carries over to the next."""

    @field_validator("usd_per_quarter")
    @classmethod
    def _quarters(cls, value: float | dict[str, float]) -> float | dict[str, float]:
        if isinstance(value, dict):
            for label in value:
                parse_quarter(label)
        return value


class Supply(ConfigModel):
    """Scale factors on the supplies in the origins layer."""

    heifer_factor: NonNeg = 1.0
    """Multiplies every origin's heifers per quarter."""
    timber_factor: NonNeg = 1.0
    """Multiplies every origin's timber per quarter."""
    hub_capacity_factor: NonNeg = 1.0
    """Multiplies every hub's capacity per quarter."""


class TradeTarget(ConfigModel):
    """A target for bilateral trade in a calendar year."""

    year: int = Field(ge=2000, le=2100)
    """Calendar year."""
    total_usd: NonNeg
    """Target bilateral trade, USD per year."""
    enforce: bool = False
    """Make it a constraint: baseline + the plan's Belarusian exports in that year >= total."""


class Trade(ConfigModel):
    """Belarus–Azerbaijan trade."""

    baseline_usd_per_year: NonNeg = 424_400_000
    """Bilateral trade without the plan, USD per year."""
    targets: tuple[TradeTarget, ...] = ()
    """Trade targets, reported on every plan."""


class Weights(ConfigModel):
    """Weights of the weighted objective (maximised)."""

    family_quarter: NonNeg = 2000
    """Value of one family housed for one quarter (USD-equivalent)."""
    milk_t: NonNeg = 500
    """Value of one tonne of milk produced (USD-equivalent)."""
    cost_usd: NonNeg = 0.01
    """Weight on each USD spent (subtracted)."""


class Objective(ConfigModel):
    """What the plan optimises."""

    kind: Literal["weighted", "lexicographic"] = "weighted"
    """A weighted sum, or priorities solved in order."""
    weights: Weights = Weights()
    """Weights of the weighted sum."""
    priorities: tuple[Literal["families", "milk", "cost"], ...] = Field(
        ("families", "milk", "cost"), min_length=1)
    """Order of the lexicographic levels (at least one)."""
    tolerance: Share = 0.001
    """Relative loss allowed on a level when optimising the next ones."""


class ConstraintMode(ConfigModel):
    """Whether a constraint family must hold (hard) or may be violated at a price (soft)."""

    mode: Literal["hard", "soft"] = "hard"
    """``hard``: the plan must satisfy it; ``soft``: a violation is allowed and penalised."""
    penalty: NonNeg = 0.0
    """Objective points per unit of violation (the family's unit: USD, heads, m3, workers,
    ha, houses, families); with the default weights 1 USD of cost is 0.01 points. Must be
    above 0 for a soft family."""

    @model_validator(mode="after")
    def _soft_needs_penalty(self) -> ConstraintMode:
        if self.mode == "soft" and self.penalty <= 0:
            raise ValueError("a soft constraint family needs a penalty above 0 (objective points "
                             "per unit of violation), or set mode: hard")
        return self


CONSTRAINT_FAMILIES = ("budget", "supply_heifers", "supply_timber", "hub_capacity", "workforce",
                       "land", "house_plots", "returning_families", "trade_targets", "milestones")
"""Constraint families that can be made soft, in the order of docs/model.md."""


class Constraints(ConfigModel):
    """Hard or soft, per constraint family (every family is hard by default)."""

    budget: ConstraintMode = ConstraintMode()
    """``budget.per_quarter``: spend within the budget (USD)."""
    supply_heifers: ConstraintMode = ConstraintMode()
    """``supply.heifers``: heifers per origin and quarter (heads)."""
    supply_timber: ConstraintMode = ConstraintMode()
    """``supply.timber``: timber per origin and quarter (m3)."""
    hub_capacity: ConstraintMode = ConstraintMode()
    """``hubs.capacity_heads`` (heads) and ``hubs.capacity_timber`` (m3)."""
    workforce: ConstraintMode = ConstraintMode()
    """``workforce.demand`` and ``workforce.supply`` (workers)."""
    land: ConstraintMode = ConstraintMode()
    """``land.fodder``: fodder land within cleared land (ha)."""
    house_plots: ConstraintMode = ConstraintMode()
    """``houses.max_houses``: houses within a settlement's plots (houses)."""
    returning_families: ConstraintMode = ConstraintMode()
    """``houses.returning_families``: houses within the families returning (families)."""
    trade_targets: ConstraintMode = ConstraintMode()
    """``trade.target``: enforced trade targets (USD)."""
    milestones: ConstraintMode = ConstraintMode()
    """``milestone``: enforced milestones (the metric's unit)."""

    def soft(self) -> dict[str, float]:
        """Soft family -> penalty."""
        return {name: getattr(self, name).penalty for name in CONSTRAINT_FAMILIES
                if getattr(self, name).mode == "soft"}


MILESTONE_METRICS = ("families_housed", "houses_built", "herd_heads", "farms_operational",
                     "belarus_exports_usd", "trade_total_usd")

MILESTONE_UNITS = {"families_housed": "families", "houses_built": "houses", "herd_heads": "heads",
                   "farms_operational": "farms", "belarus_exports_usd": "USD",
                   "trade_total_usd": "USD"}


class Milestone(ConfigModel):
    """A roadmap milestone: a metric at least some value by a quarter."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    """Short name, unique among the milestones."""
    metric: Literal["families_housed", "houses_built", "herd_heads", "farms_operational",
                    "belarus_exports_usd", "trade_total_usd"]
    """``families_housed``/``houses_built``: houses built from the horizon start up to and
    including ``by``; ``herd_heads``: herd at the end of ``by``; ``farms_operational``:
    farms operational by ``by``; ``belarus_exports_usd``: Belarusian exports from the horizon
    start through ``by``, USD; ``trade_total_usd``: ``trade.baseline_usd_per_year`` plus the
    exports of the four quarters ending with ``by``, USD."""
    by: str
    """Quarter label inside the horizon, e.g. ``2028Q4``."""
    at_least: NonNeg
    """The value the metric must reach."""
    enforce: bool = False
    """Make it a constraint (family ``milestones``, hard or soft); otherwise only reported."""

    @field_validator("by")
    @classmethod
    def _quarter(cls, value: str) -> str:
        parse_quarter(value)
        return value


class Solver(ConfigModel):
    """Backend and its parameters."""

    backend: Literal["highs", "scip", "cpsat"] = "highs"
    """OR-Tools MathOpt backend."""
    time_limit_s: float = Field(60, gt=0, le=1e7, allow_inf_nan=False)
    """Wall-clock limit of one solve, seconds (at most 1e7, about 115 days)."""
    relative_gap: Share = 0.001
    """Stop when the relative gap is at most this."""
    threads: int = Field(2, ge=1, le=64)
    """Solver threads."""
    seed: int = Field(0, ge=0)
    """Random seed."""
    warm_start: Literal["auto", "always", "never"] = "auto"
    """Start from a greedy plan and from the LP solved by place, which also proves a bound
    (agroplan/solve/warmstart.py): ``auto`` for models of 50,000 variables or more."""



class Report(ConfigModel):
    """The pages officials read (map, report, review) and the terminal summary."""

    language: Language = "en"
    """Their language: ``en`` English, ``az`` Azerbaijani (Latin script), ``ru`` Russian.
    The commands' ``--lang`` overrides it; messages for modelers stay English."""
