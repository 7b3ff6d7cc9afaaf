"""Build the default layers (``data/layers/``) from the raw sources (``data/sources/``).

``agroplan layers build`` runs :func:`build_layers`: it reads the rules of
``data/layers/build.yaml``, derives every layer from the sources and writes them
deterministically (the same rules and sources give the same bytes) and atomically (each
file is written to a temporary name, then renamed). How each layer is derived, and why, is
written in ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from agroplan.layers.build.clearance import build_clearance
from agroplan.layers.build.config import BuildConfig, DEFAULT_CONFIG, load_build_config
from agroplan.layers.build.districts import (
    CONTEXT_COLUMNS,
    DISTRICT_COLUMNS,
    build_context,
    build_districts,
    read_polygons,
)
from agroplan.layers.build.settlements import SETTLEMENT_COLUMNS, build_settlements
from agroplan.layers.build.sites import SITE_COLUMNS, build_sites
from agroplan.layers.build.terrain import read_terrain
from agroplan.layers.build.transport import HUB_COLUMNS, ORIGIN_COLUMNS, build_hubs, build_origins
from agroplan.layers.build.writers import csv_text, geojson_text, write_atomic

__all__ = [
    "DEFAULT_CONFIG",
    "BuildConfig",
    "BuiltLayers",
    "build_layers",
    "derive_layers",
    "load_build_config",
    "write_layers",
]


@dataclass(frozen=True)
class BuiltLayers:
    """The derived layers, in EPSG:4326, before writing."""

    districts: gpd.GeoDataFrame
    context: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    farm_sites: gpd.GeoDataFrame
    hubs: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame
    clearance: pd.DataFrame


def derive_layers(config: BuildConfig) -> BuiltLayers:
    """Derive every layer from the sources named in ``config`` (no writing)."""
    polygons, neighbours = read_polygons(config)
    districts = build_districts(config, polygons)
    settlements = build_settlements(config, districts)
    terrain = read_terrain(config.source("dem"))
    return BuiltLayers(
        districts=districts,
        context=build_context(config, polygons, neighbours),
        settlements=settlements,
        farm_sites=build_sites(config, districts, settlements, terrain),
        hubs=build_hubs(config),
        origins=build_origins(config),
        clearance=build_clearance(config, districts),
    )


def write_layers(layers: BuiltLayers, out_dir: Path, decimals: int) -> dict[str, Path]:
    """Write the layers into ``out_dir``; returns the written files by layer name."""
    texts = {
        "districts.geojson": geojson_text(layers.districts, DISTRICT_COLUMNS, decimals),
        "context.geojson": geojson_text(layers.context, CONTEXT_COLUMNS, decimals),
        "settlements.geojson": geojson_text(layers.settlements, SETTLEMENT_COLUMNS, decimals),
        "farm_sites.geojson": geojson_text(layers.farm_sites, SITE_COLUMNS, decimals),
        "hubs.geojson": geojson_text(layers.hubs, HUB_COLUMNS, decimals),
        "origins.geojson": geojson_text(layers.origins, ORIGIN_COLUMNS, decimals),
        "clearance.csv": csv_text(layers.clearance),
    }
    written = {}
    for name, text in texts.items():
        path = out_dir / name
        write_atomic(path, text)
        written[name] = path
    return written


def build_layers(
    config_path: str | Path | None = None, out_dir: str | Path | None = None
) -> BuiltLayers:
    """Load the rules, derive the layers and write them.

    Parameters
    ----------
    config_path
        Build file; ``None`` means ``data/layers/build.yaml``.
    out_dir
        Output folder; ``None`` means the build file's folder.
    """
    config = load_build_config(config_path)
    layers = derive_layers(config)
    target = Path(out_dir) if out_dir is not None else Path(config.base_dir)
    write_layers(layers, target, config.geometry.decimals)
    return layers
