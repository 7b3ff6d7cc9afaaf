"""The build rules of ``data/layers/build.yaml``: pydantic models, loaded and validated once.

Every rule a modeler may want to change (grid spacing, terrain limits, clearance rates,
resettlement figures, hub and origin capacities) lives in this file's models, so a rebuild
with other assumptions needs no code change. Numbers and their sources are explained in
``data/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agroplan.errors import ConfigError
from agroplan.periods import parse_quarter

DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "data" / "layers" / "build.yaml"

Pos = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Quarter = Annotated[str, Field(pattern=r"^\d{4}Q[1-4]$")]


class BuildConfigError(ConfigError):
    """The build file is wrong (exit code 2, like a scenario error)."""

    title = "invalid build rules"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Sources(_Model):
    """Raw inputs, relative to the build file."""

    districts: str
    """Natural Earth admin-1 polygons of Azerbaijan with ISO codes and names."""
    elevation_stats: str
    """Zonal elevation statistics per district (CSV)."""
    dem: str
    """GLOBE 30 arc-second elevation raster (GeoTIFF, metres)."""
    settlements: str
    """GeoNames populated places of Azerbaijan."""
    origins: str
    """GeoNames oblast centres of Belarus."""
    neighbours: str
    """Natural Earth admin-1 polygons of the neighbouring countries."""
    rivers: str
    """Natural Earth river centre lines."""
    lakes: str
    """Natural Earth lakes."""


class Geometry(_Model):
    """How polygons are simplified and coordinates rounded."""

    simplify_tolerance_deg: NonNeg = 0.002
    """Coverage simplification tolerance, degrees (shared borders stay shared)."""
    far_countries: tuple[str, ...] = ()
    """Neighbour countries (ISO alpha-3) that share no border with the rest; simplified apart."""
    far_tolerance_deg: NonNeg = 0.01
    """Coverage simplification tolerance of the far countries, degrees."""
    decimals: int = Field(5, ge=3, le=8)
    """Decimals kept in written coordinates (5 = about 1 m)."""


class AgriculturalShares(_Model):
    """Share of land in each elevation band that is farmland or pasture."""

    below_200m: Share
    band_200_1000m: Share
    band_1000_2000m: Share
    above_2000m: Share


class Districts(_Model):
    """The revival districts and the district-level assumptions."""

    ids: tuple[str, ...] = Field(min_length=1)
    """ISO 3166-2 codes of the districts planned for."""
    never_occupied: tuple[str, ...] = ()
    """Districts that stayed under Azerbaijani control (front-line, little contamination)."""
    never_occupied_factor: Share = 0.1
    """Weight of a never-occupied district in the mine spread and in the return of families."""
    agricultural_share: AgriculturalShares
    """Farmland and pasture share per elevation band."""
    name_ru: dict[str, str] = {}
    """Russian names that replace the source's ``ne_name_ru`` (corrections of Natural
    Earth, such as an old or a wrong name), by district id."""


class Clearance(_Model):
    """National mine-clearance progress, spread over districts in proportion to suspected area."""

    suspected_total_ha: Pos
    """Suspected contaminated area of the revival districts, ha."""
    first_quarter: Quarter
    """First quarter written to clearance.csv."""
    last_quarter: Quarter
    """Last quarter written to clearance.csv."""
    cleared_before_first_quarter_ha: NonNeg
    """Area cleared before ``first_quarter`` starts, ha."""
    rate_ha_per_year: dict[int, NonNeg] = {}
    """Area cleared in named calendar years, ha; spread evenly over the quarters."""
    default_rate_ha_per_year: NonNeg
    """Area cleared in every other year, ha."""


class Settlements(_Model):
    """Return of families to the GeoNames settlements."""

    families_target: int = Field(gt=0)
    """Families to resettle by the end of the program."""
    families_returned: int = Field(ge=0)
    """Families already returned; the rest is the demand."""
    people_target: Pos
    """People in the territories by the end of the program."""
    family_size: Pos
    """People per family."""
    district_people_targets: dict[str, Pos] = {}
    """District-level population targets that fix that district's share of the families."""
    weight_floor_people: NonNeg
    """Smallest historical population used as a settlement's weight."""
    plots_per_family: Pos = 1.0
    """House plots per pre-war family: the land for new houses."""
    start_quarter: Quarter
    """Quarter from which district seats take houses."""
    stagger_quarters: int = Field(1, ge=0)
    """Quarters between successive settlements of a district opening for houses."""
    name_ru: dict[int, str] = {}
    """GeoNames id -> the place's Russian name, which must be one of its GeoNames alternate
    names (they carry no language tag, so the form is chosen here); a place not listed has
    no Russian name and the pages fall back to its Azerbaijani name."""


class SizeRule(_Model):
    """A farm size allowed where elevation and slope are within its limits."""

    heads: int = Field(gt=0)
    max_elevation_m: float
    max_slope_deg: NonNeg


class FarmSites(_Model):
    """Candidate dairy-farm sites on a regular grid."""

    crs: str = "EPSG:32638"
    """Metric CRS of the grid and of every distance."""
    spacing_m: Pos
    """Distance between grid points, m."""
    min_boundary_distance_m: NonNeg
    """Sites keep at least this distance inside their district, m."""
    max_elevation_m: float
    """Highest site allowed, m."""
    max_slope_deg: NonNeg
    """Steepest site allowed (slope of the DEM cell), degrees."""
    max_settlement_distance_km: Pos | None = None
    """Sites farther than this (straight line) from every settlement are dropped; null keeps all."""
    sizes: tuple[SizeRule, ...] = Field(min_length=1)
    """Size rules, largest first; a site gets the first rule it satisfies."""

    @field_validator("sizes")
    @classmethod
    def _largest_first(cls, value: tuple[SizeRule, ...]) -> tuple[SizeRule, ...]:
        heads = [rule.heads for rule in value]
        if heads != sorted(heads, reverse=True):
            raise ValueError("list size rules from the largest to the smallest")
        return value


class Hub(_Model):
    """A schematic transport hub."""

    hub_id: str = Field(pattern=r"^[A-Z0-9-]+$")
    name: str
    mode: Literal["road", "rail", "sea"]
    geonameid: int | None = None
    """Place the hub at this GeoNames settlement; otherwise give lon and lat."""
    lon: float | None = None
    lat: float | None = None
    capacity_heads_per_quarter: int = Field(ge=0)
    capacity_timber_m3_per_quarter: int = Field(ge=0)
    note: str


class Origin(_Model):
    """A Belarusian oblast centre that ships heifers and timber."""

    origin_id: str = Field(pattern=r"^BY-[A-Z]{2}$")
    geonameid: int
    oblast: str | None = None
    """Oblast named in the layer; by default the city's oblast in the source."""
    heifers_per_quarter: int = Field(ge=0)
    timber_weight: NonNeg = 1.0
    """Relative share of the program's timber shipped from this origin."""


class Timber(_Model):
    """Sawn timber available to the program."""

    belarus_exports_m3_per_year: Pos
    share_to_program: Share


class BuildConfig(_Model):
    """All rules of one build (``data/layers/build.yaml``)."""

    schema_version: Literal[1] = 1
    sources: Sources
    geometry: Geometry = Geometry()
    districts: Districts
    clearance: Clearance
    settlements: Settlements
    farm_sites: FarmSites
    hubs: tuple[Hub, ...] = Field(min_length=1)
    origins: tuple[Origin, ...] = Field(min_length=1)
    timber: Timber
    base_dir: str = Field("", exclude=True)
    """Folder of the build file; source paths are resolved against it."""

    @field_validator("clearance")
    @classmethod
    def _quarters(cls, value: Clearance) -> Clearance:
        if parse_quarter(value.last_quarter) < parse_quarter(value.first_quarter):
            raise ValueError("clearance.last_quarter comes before clearance.first_quarter")
        return value

    def source(self, name: str) -> Path:
        """Absolute path of a source file."""
        raw = Path(getattr(self.sources, name))
        return raw if raw.is_absolute() else Path(self.base_dir) / raw


def load_build_config(path: str | Path | None = None) -> BuildConfig:
    """Read and validate a build file.

    Raises
    ------
    ConfigError
        Naming the file and every key that is wrong.
    """
    file = Path(path) if path is not None else DEFAULT_CONFIG
    if not file.is_file():
        raise BuildConfigError(f"{file}: build file not found; check the --config path")
    try:
        raw: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BuildConfigError(f"{file}: cannot be read as YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise BuildConfigError(
            f"{file}: the top level must be a mapping (sources:, districts:, ...)"
        )
    try:
        return BuildConfig.model_validate({**raw, "base_dir": str(file.resolve().parent)})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = ".".join(str(p) for p in error["loc"])
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{file}: {loc}: {message.removeprefix('Value error, ')}")
        raise BuildConfigError(problems) from None
