"""``agroplan layers build``: derive the default layers from the raw sources and build rules;
``agroplan layers template DIR``: write empty layers for a planner to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from agroplan.layers.build import build_layers
from agroplan.layers.build.config import DEFAULT_CONFIG, load_build_config


@click.group("layers")
def command() -> None:
    """Build the data layers (districts, settlements, farm sites, hubs, origins, clearance)."""


@command.command("build")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    help="Build rules (YAML): sources, grid, terrain limits, clearance and supply assumptions"
    "  [default: data/layers/build.yaml]",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the layers into  [default: the build file's folder]",
)
def build(config_path: Path, out_dir: Path | None) -> None:
    """Derive every layer from data/sources/ with the rules of the build file.

    The same rules and sources always give the same bytes; each file is written to a
    temporary name and then renamed, so a failed build leaves the old layers whole.
    """
    config = load_build_config(config_path)
    target = out_dir if out_dir is not None else Path(config.base_dir)
    layers = build_layers(config_path, target)
    sites = layers.farm_sites
    released = sites["available_from"]
    click.echo(f"layers written to {target}")
    click.echo(f"  districts    {len(layers.districts):5d}")
    click.echo(
        f"  settlements  {len(layers.settlements):5d}  "
        f"returning families {int(layers.settlements['returning_families'].sum()):,}, "
        f"house plots {int(layers.settlements['max_houses'].sum()):,}"
    )
    click.echo(
        f"  farm sites   {len(sites):5d}  released by {released.min()}: "
        f"{int((released == released.min()).sum())}, latest {released.max()}"
    )
    click.echo(f"  hubs         {len(layers.hubs):5d}")
    click.echo(
        f"  origins      {len(layers.origins):5d}  heifers/quarter "
        f"{int(layers.origins['heifers_per_quarter'].sum()):,}, timber m3/quarter "
        f"{int(layers.origins['timber_m3_per_quarter'].sum()):,}"
    )
    click.echo(f"  clearance    {len(layers.clearance):5d} rows")
    click.echo(f"  context      {len(layers.context):5d} basemap features")


@command.command("template")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def template(folder: Path) -> None:
    """Write empty layer templates into FOLDER: a GeoPackage, CSV files, an XLSX workbook.

    Each holds exactly the columns agroplan reads, with their types; FOLDER/README.md gives
    each column's unit and meaning and the scenario lines that read the filled files.
    """
    from agroplan.layers.template import write_templates

    written = write_templates(folder)
    click.echo(f"templates written to {folder}: {', '.join(p.name for p in written)}")
