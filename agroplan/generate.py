"""Seeded synthetic scenarios at scale, in the project's own layer format.

:func:`generate_scenario` writes the seven layer files of the layer contract (the same
columns, types and CRS as ``data/layers/``) and a ``scenario.yaml`` based on the default
scenario, so a generated scenario goes through :func:`agroplan.layers.read_layers` and
every check like real data. Districts are a grid of rectangles over the revival
territories (about 46.0-47.6 E, 39.1-40.5 N), and settlements and farm sites lie inside
them, so distances, commuting reach and nearest hubs are of realistic size. Origins lie
in Belarus, hubs east of the region. The same size and seed always give the same files.

Sizes (settlements, sites, origins, hubs, quarters, districts)::

    S   50    25  2  3   8   4
    M   200  100  4  4  12   9
    L   800  400  6  6  16  12
    XL  2000 1000 6  8  20  16

L and XL set ``distances.settlements_per_site: 10`` (a farm's workers come from its ten
nearest settlements within reach), which keeps their models to a size two cores solve.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from agroplan.config.load import DEFAULT_SCENARIO
from agroplan.errors import ConfigError

WEST, EAST, SOUTH, NORTH = 46.0, 47.6, 39.1, 40.5
"""Bounding box of the synthetic districts, degrees."""
START_YEAR = 2027
SIZE_NAMES = ("S", "M", "L", "XL")
LARGE_SETTLEMENTS = 800
"""From this many settlements on (sizes L and XL), ``distances.settlements_per_site`` is set."""
SETTLEMENTS_PER_SITE = 10
"""Nearest settlements per site that may supply a farm's workers, in large scenarios."""


@dataclass(frozen=True)
class ScenarioSize:
    """Counts of a generated scenario.

    Attributes
    ----------
    settlements, sites, origins, hubs
        Number of features of each layer.
    quarters
        Planning horizon, quarters from 2027Q1.
    districts
        Number of grid districts (rounded to a full grid of rows x columns).
    """

    settlements: int
    sites: int
    origins: int
    hubs: int
    quarters: int
    districts: int = 9


SIZES: dict[str, ScenarioSize] = {
    "S": ScenarioSize(50, 25, 2, 3, 8, 4),
    "M": ScenarioSize(200, 100, 4, 4, 12, 9),
    "L": ScenarioSize(800, 400, 6, 6, 16, 12),
    "XL": ScenarioSize(2000, 1000, 6, 8, 20, 16),
}


def generate_scenario(
    size: Literal["S", "M", "L", "XL"] | ScenarioSize,
    seed: int,
    out_dir: str | Path,
) -> Path:
    """Write a synthetic scenario and its layers into ``out_dir``.

    Parameters
    ----------
    size
        ``"S"``, ``"M"``, ``"L"``, ``"XL"`` or explicit counts.
    seed
        Random seed; the same size and seed give identical files.
    out_dir
        Folder to write (created if missing); existing files of the same names are
        replaced.

    Returns
    -------
    Path
        The written ``scenario.yaml``.

    Raises
    ------
    ConfigError
        An unknown size name or counts below 1.
    """
    counts = _counts(size)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    districts = _districts(counts.districts, rng)
    _write(out / "districts.geojson", [(p, _polygon(box)) for p, box in districts])
    boxes = {p["district_id"]: box for p, box in districts}
    _write(out / "settlements.geojson", _settlements(counts, boxes, rng))
    _write(out / "farm_sites.geojson", _sites(counts, boxes, rng))
    _write(out / "hubs.geojson", _hubs(counts.hubs, rng))
    _write(out / "origins.geojson", _origins(counts.origins, rng))
    _write(out / "context.geojson",
           [({"kind": "az_district", "name": p["name_en"]}, _polygon(box))
            for p, box in districts])
    _write_clearance(out / "clearance.csv", districts, rng)
    name = size if isinstance(size, str) else "custom"
    return _write_scenario(out / "scenario.yaml", counts, f"generated-{name}-seed{seed}")


def _counts(size: str | ScenarioSize) -> ScenarioSize:
    if isinstance(size, str):
        if size not in SIZES:
            raise ConfigError(f"unknown scenario size {size!r}; use one of "
                              f"{', '.join(SIZE_NAMES)} or a ScenarioSize")
        return SIZES[size]
    low = [k for k, v in size.__dict__.items() if v < 1]
    if low:
        raise ConfigError(f"scenario size: {', '.join(low)} must be at least 1")
    return replace(size)


Box = tuple[float, float, float, float]


def _districts(count: int, rng: np.random.Generator) -> list[tuple[dict[str, Any], Box]]:
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    dx, dy = (EAST - WEST) / cols, (NORTH - SOUTH) / rows
    out: list[tuple[dict[str, Any], Box]] = []
    for k in range(count):
        r, c = divmod(k, cols)
        box = (WEST + c * dx, SOUTH + r * dy, WEST + (c + 1) * dx, SOUTH + (r + 1) * dy)
        low = float(rng.uniform(150, 900))
        spread = float(rng.uniform(200, 1500))
        bands = rng.dirichlet([2.0, 4.0, 2.0, 0.5])
        shares = np.round(bands[:3], 4)
        # rounded shares may add up to just above 1 when the last band is tiny
        shares[int(np.argmax(shares))] -= max(0.0, float(shares.sum()) - 1.0)
        area = _area_km2(box)
        out.append(({
            "district_id": f"AZ-G{k + 1:02d}", "name_en": f"District {k + 1}",
            "name_az": f"Rayon {k + 1}", "econ_region": "Karabakh" if c < cols / 2
            else "East Zangezur", "area_km2": round(area, 1),
            "elev_mean_m": round(low + 0.45 * spread, 1), "elev_min_m": round(low, 1),
            "elev_p50_m": round(low + 0.4 * spread, 1),
            "elev_p90_m": round(low + 0.8 * spread, 1), "elev_max_m": round(low + spread, 1),
            "share_below_200m": round(float(shares[0]), 4),
            "share_200_1000m": round(float(shares[1]), 4),
            "share_1000_2000m": round(float(shares[2]), 4),
            "share_above_2000m": max(0.0, round(1.0 - float(shares.sum()), 4)),
            "agricultural_share": round(float(rng.uniform(0.2, 0.7)), 3),
            "suspected_ha": round(float(rng.uniform(0.02, 0.2)) * area * 100, 1),
        }, box))
    return out


def _area_km2(box: Box) -> float:
    w, s, e, n = box
    lat = math.radians((s + n) / 2)
    return (e - w) * 111.32 * math.cos(lat) * (n - s) * 110.57


def _points_in(boxes: dict[str, Box], count: int, rng: np.random.Generator
               ) -> list[tuple[str, float, float]]:
    ids = sorted(boxes)
    chosen = rng.integers(0, len(ids), count)
    out = []
    for k in chosen:
        w, s, e, n = boxes[ids[k]]
        margin = 0.1 * min(e - w, n - s)
        out.append((ids[k], float(rng.uniform(w + margin, e - margin)),
                    float(rng.uniform(s + margin, n - margin))))
    return out


def _quarter(offset: int) -> str:
    """Quarter label ``offset`` quarters after 2025Q1."""
    return f"{2025 + offset // 4}Q{offset % 4 + 1}"


def _settlements(counts: ScenarioSize, boxes: dict[str, Box], rng: np.random.Generator
                 ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for i, (district, lon, lat) in enumerate(_points_in(boxes, counts.settlements, rng)):
        houses = int(np.clip(rng.lognormal(6.0, 0.8), 30, 6000))
        gid = 9_100_000 + i
        out.append(({
            "settlement_id": f"gn{gid}", "geonameid": gid, "name_en": f"Settlement {i + 1}",
            "name_az": f"Kənd {i + 1}", "district_id": district,
            "population_historical": int(houses * rng.uniform(3.0, 5.0)),
            "max_houses": houses,
            "returning_families": int(houses * rng.uniform(0.4, 0.9)),
            "available_from": _quarter(8 + int(rng.integers(0, max(1, counts.quarters // 2)))),
        }, _point(lon, lat)))
    return out


def _sites(counts: ScenarioSize, boxes: dict[str, Box], rng: np.random.Generator
           ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    seen: dict[str, int] = {}
    for district, lon, lat in _points_in(boxes, counts.sites, rng):
        seen[district] = seen.get(district, 0) + 1
        out.append(({
            "site_id": f"{district[3:]}-{seen[district]:03d}", "district_id": district,
            "elevation_m": round(float(rng.uniform(150, 1600)), 1),
            "slope_deg": round(float(rng.uniform(0, 8)), 2),
            "max_size_heads": int(rng.choice([600, 800, 1200], p=[0.25, 0.25, 0.5])),
            "available_from": _quarter(int(rng.integers(0, 8 + max(1, counts.quarters // 2)))),
        }, _point(lon, lat)))
    return out


def _hubs(count: int, rng: np.random.Generator) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    modes = ("rail", "road", "sea")
    out = []
    for k in range(count):
        lon = float(rng.uniform(EAST - 0.8, EAST + 1.8))
        lat = float(rng.uniform(SOUTH, NORTH + 1.2))
        out.append(({
            "hub_id": f"HUB-{k + 1:02d}", "name": f"Hub {k + 1}", "mode": modes[k % 3],
            "capacity_heads_per_quarter": int(rng.integers(800, 2500)),
            "capacity_timber_m3_per_quarter": int(rng.integers(8000, 30000)),
            "schematic": True, "note": "synthetic",
        }, _point(lon, lat)))
    return out


def _origins(count: int, rng: np.random.Generator
             ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for k in range(count):
        out.append(({
            "origin_id": f"BY-{k + 1:02d}", "name_en": f"Origin {k + 1}",
            "name_be": f"Крыніца {k + 1}", "oblast": f"Oblast {k + 1}",
            "heifers_per_quarter": int(rng.integers(600, 1300)),
            "timber_m3_per_quarter": int(rng.integers(4000, 8000)),
        }, _point(float(rng.uniform(24.0, 31.0)), float(rng.uniform(52.0, 55.5)))))
    return out


def _write_clearance(path: Path, districts: list[tuple[dict[str, Any], Box]],
                     rng: np.random.Generator) -> None:
    rows = ["district_id,period,cleared_agricultural_ha"]
    for props, _box in districts:
        farmland = props["area_km2"] * 100 * props["agricultural_share"]
        first = farmland * float(rng.uniform(0.05, 0.2))
        step = (farmland - first) / 64 * float(rng.uniform(0.5, 1.0))
        rows += [f"{props['district_id']},{_quarter(i)},{first + step * i:.0f}"
                 for i in range(64)]  # 2025Q1 .. 2040Q4
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _write_scenario(path: Path, counts: ScenarioSize, name: str) -> Path:
    raw = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    raw["name"] = name
    raw["description"] = (f"Synthetic: {counts.settlements} settlements, {counts.sites} sites, "
                          f"{counts.origins} origins, {counts.hubs} hubs, "
                          f"{counts.quarters} quarters.")
    raw["layers"] = {key: f"{key}.{'csv' if key == 'clearance' else 'geojson'}"
                     for key in raw["layers"]}
    raw["horizon"] = {"start": f"{START_YEAR}Q1", "quarters": counts.quarters}
    # budget grows with the number of settlements so that the plan stays non-trivial
    raw["budget"]["usd_per_quarter"] = int(raw["budget"]["usd_per_quarter"]
                                           * max(1.0, counts.settlements / 200))
    for target in raw.get("trade", {}).get("targets", []):
        target["enforce"] = False
    if counts.settlements >= LARGE_SETTLEMENTS:
        # large scenarios: workers come from each site's nearest settlements only
        raw["distances"]["settlements_per_site"] = SETTLEMENTS_PER_SITE
    path.write_text(f"# generated by agroplan.generate ({name})\n"
                    + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def _polygon(box: Box) -> dict[str, Any]:
    w, s, e, n = (round(v, 5) for v in box)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _write(path: Path, features: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    lines = [json.dumps({"type": "Feature", "properties": p, "geometry": g}, ensure_ascii=False)
             for p, g in features]
    body = ",\n".join(lines)
    path.write_text(f'{{"type": "FeatureCollection", "features": [\n{body}\n]}}\n',
                    encoding="utf-8")
