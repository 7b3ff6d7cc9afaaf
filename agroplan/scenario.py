"""Scenario configs: pydantic models of the YAML files in ``data/scenarios/``.

A scenario file is validated into a frozen :class:`Scenario`. Every model forbids unknown
keys, so a typo is reported rather than ignored, and every problem in a file is collected
and reported at once, each with the file, the dotted key path and what is allowed.

A file may start with ``extends: other.yaml``: the base is loaded first and this file's
keys override it (mappings merge key by key, everything else replaces). Command-line
``--set dotted.key=value`` overrides are applied last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from agroplan.errors import ConfigError
from agroplan.periods import parse_quarter, quarter_range, quarter_year
from agroplan.scenario_errors import describe

SCHEMA_VERSION = 1

NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, validate_default=True
    )


class LayerPaths(_Model):
    """Paths of the input layers, relative to the scenario file that names them."""

    districts: str = "../layers/districts.geojson"
    """Revival districts (polygons, EPSG:4326)."""
    settlements: str = "../layers/settlements.geojson"
    """Candidate agro-town settlements (points)."""
    farm_sites: str = "../layers/farm_sites.geojson"
    """Candidate dairy-farm sites (points)."""
    hubs: str = "../layers/hubs.geojson"
    """Transport hubs (points)."""
    origins: str = "../layers/origins.geojson"
    """Belarusian origins of heifers and timber (points)."""
    clearance: str = "../layers/clearance.csv"
    """Cumulative cleared agricultural land per district and quarter (table)."""
    context: str = "../layers/context.geojson"
    """Basemap context: Azerbaijan's districts, neighbours, rivers, lakes (drawn only)."""


class Horizon(_Model):
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


class Farms(_Model):
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


class Cattle(_Model):
    """Heifer purchase and transport."""

    heifer_price_usd: NonNeg = 3040
    """Purchase price per in-calf heifer, USD (Belarusian export value)."""
    long_haul_usd_per_head_km: NonNeg = 0.06
    """Long-haul transport origin -> hub, USD per head per km of route."""
    truck_usd_per_head_km: NonNeg = 0.10
    """Local truck transport hub -> farm, USD per head per km of road."""
    hubs_per_site: int = Field(2, ge=1)
    """Each site is served only from its nearest hubs (by road); this many."""


class Houses(_Model):
    """Wooden houses from Belarusian timber."""

    cost_usd: Pos = 50000
    """Turnkey cost of one house, USD."""
    belarus_kit_usd: NonNeg = 20000
    """Value of the Belarusian timber kit per house, USD; part of the cost, counted as exports."""
    timber_m3_per_house: NonNeg = 30
    """Sawn timber per house, m3."""
    workers_per_family: NonNeg = 0.5
    """Farm workers available per housed family."""


class AgroTowns(_Model):
    """Agro-town infrastructure."""

    infrastructure_usd: NonNeg = 3_000_000
    """One-off cost of developing a settlement (roads, water, school), USD."""


class Land(_Model):
    """Cleared land available for fodder."""

    fodder_share_of_cleared: Share = 0.15
    """Share of a district's cleared agricultural land that dairy fodder may use."""


class Distances(_Model):
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


class Budget(_Model):
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


class Supply(_Model):
    """Scale factors on the supplies in the origins layer."""

    heifer_factor: NonNeg = 1.0
    """Multiplies every origin's heifers per quarter."""
    timber_factor: NonNeg = 1.0
    """Multiplies every origin's timber per quarter."""
    hub_capacity_factor: NonNeg = 1.0
    """Multiplies every hub's capacity per quarter."""


class TradeTarget(_Model):
    """A target for bilateral trade in a calendar year."""

    year: int = Field(ge=2000, le=2100)
    """Calendar year."""
    total_usd: NonNeg
    """Target bilateral trade, USD per year."""
    enforce: bool = False
    """Make it a constraint: baseline + the plan's Belarusian exports in that year >= total."""


class Trade(_Model):
    """Belarus–Azerbaijan trade."""

    baseline_usd_per_year: NonNeg = 424_400_000
    """Bilateral trade without the plan, USD per year."""
    targets: tuple[TradeTarget, ...] = ()
    """Trade targets, reported on every plan."""


class Weights(_Model):
    """Weights of the weighted objective (maximised)."""

    family_quarter: NonNeg = 2000
    """Value of one family housed for one quarter (USD-equivalent)."""
    milk_t: NonNeg = 500
    """Value of one tonne of milk produced (USD-equivalent)."""
    cost_usd: NonNeg = 0.01
    """Weight on each USD spent (subtracted)."""


class Objective(_Model):
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


class ConstraintMode(_Model):
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


class Constraints(_Model):
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


class Milestone(_Model):
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


class Solver(_Model):
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
    (agroplan/warmstart.py): ``auto`` for models of 50,000 variables or more."""


class Scenario(_Model):
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

    def layer_path(self, layer: str) -> Path:
        """Absolute path of a layer, resolved against the scenario file's folder."""
        raw = Path(getattr(self.layers, layer))
        if raw.is_absolute() or self.source_path is None:
            return raw
        return (Path(self.source_path).parent / raw).resolve()

    def budget_usd(self) -> tuple[float, ...]:
        """Budget of each quarter of the horizon, USD."""
        per_quarter = self.budget.usd_per_quarter
        if isinstance(per_quarter, dict):
            return tuple(float(per_quarter.get(p, 0.0)) for p in self.periods)
        return tuple(float(per_quarter) for _ in self.periods)


MAX_SCENARIO_BYTES = 1_000_000
"""Largest scenario file read; real ones are a few kilobytes."""

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "default.yaml"


# --------------------------------------------------------------------------- loading


def load_scenario(
    path: str | Path | None = None, overrides: Sequence[str] = ()
) -> Scenario:
    """Read, merge and validate a scenario file.

    Parameters
    ----------
    path
        YAML scenario file; ``None`` means ``data/scenarios/default.yaml``.
    overrides
        ``dotted.key=value`` strings applied after the file (values parsed as YAML).

    Raises
    ------
    ConfigError
        With every problem found, each naming the file and the dotted key path.
    """
    file = Path(path) if path is not None else DEFAULT_SCENARIO
    raw, origins = _read_with_extends(file, chain=())
    keys = [_apply_override(raw, item) for item in overrides]
    return validate_scenario(raw, file, overridden=keys, origins=origins)


def validate_scenario(
    raw: Mapping[str, Any],
    file: Path,
    overridden: Sequence[str] = (),
    origins: Mapping[str, Path] | None = None,
) -> Scenario:
    """Validate an already-merged mapping; ``file`` is named in the errors.

    ``overridden`` lists the dotted keys set with ``--set``: their problems name the
    option rather than the file. ``origins`` maps dotted keys to the file that set them
    (a base named by ``extends:``), so a problem names the file to edit.
    """
    raw = {k: v for k, v in raw.items() if k != "extends"}
    key_files = {key: str(path) for key, path in (origins or {}).items()}
    key_files.update({key: "--set" for key in overridden})
    try:
        scenario = Scenario.model_validate({**raw, "source_path": str(file.resolve()),
                                            "key_files": key_files})
    except ValidationError as exc:
        raise ConfigError(describe(exc, file, Scenario, overridden, origins)) from None
    return scenario


def _read_yaml(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise ConfigError(f"{file}: scenario file not found; check the path")
    if file.stat().st_size > MAX_SCENARIO_BYTES:
        raise ConfigError(
            f"{file}: {file.stat().st_size:,} bytes is too large for a scenario file "
            f"(limit {MAX_SCENARIO_BYTES:,}); is it the right file?"
        )
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read as UTF-8 text ({exc})") from None
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{file}:{where}: malformed YAML ({problem})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{file}: the top level must be a mapping of keys (name:, horizon:, ...), "
            f"found a {type(data).__name__}"
        )
    return data


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (they can expand into huge documents)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in scenario files",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Refuse a key given twice in one mapping (YAML would silently keep the last)."""
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one section; keep one",
                    key_node.start_mark,
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_with_extends(
    file: Path, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, Path]]:
    """The merged mapping, and for each dotted key the file that set it."""
    resolved = file.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ConfigError(f"{file}: `extends:` forms a cycle ({cycle}); remove one link")
    data = _read_yaml(file)
    base_name = data.pop("extends", None)
    own = _key_files(data, file)
    if base_name is None:
        return _rebase_layers(data, file), own
    if not isinstance(base_name, str):
        raise ConfigError(f"{file}: extends must be a file name, found {base_name!r}")
    base_file = file.parent / base_name
    if not base_file.is_file():
        raise ConfigError(
            f"{file}: extends: {base_name} not found (looked for {base_file}); the path is "
            "relative to this file"
        )
    base, origins = _read_with_extends(base_file, (*chain, resolved))
    origins = {k: v for k, v in origins.items()
               if not any(k.startswith(f"{key}.") for key in own)}
    return _merge(base, _rebase_layers(data, file)), {**origins, **own}


def _key_files(data: Mapping[Any, Any], file: Path, prefix: str = "") -> dict[str, Path]:
    """Dotted path of every value set in ``data`` (sections descended) -> ``file``."""
    found: dict[str, Path] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            found.update(_key_files(value, file, f"{path}."))
        else:
            found[path] = file
    return found


def _rebase_layers(data: dict[str, Any], file: Path) -> dict[str, Any]:
    """Make layer paths absolute against the file that names them, so extends keeps them right."""
    layers = data.get("layers")
    if isinstance(layers, dict):
        data = {**data, "layers": {
            k: str((file.parent / v).resolve()) if isinstance(v, str) else v
            for k, v in layers.items()
        }}
    return data


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_override(raw: dict[str, Any], item: str) -> str:
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(
            f"--set {item!r}: write it as dotted.key=value, for example budget.carry_over=false"
        )
    if key == "extends":
        raise ConfigError("--set extends: a base scenario can only be named in a scenario file; "
                          "write a small file with `extends:` and your overrides instead")
    try:
        value = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        value = text
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key}: {part!r} is not a section, cannot set a key inside it")
        node = child
    node[parts[-1]] = value
    return key


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files (``agroplan schema``)."""
    return Scenario.model_json_schema(mode="validation")
