"""``agroplan export``: a plan folder into PostGIS or GeoParquet.

Exit codes: 0 when written, 2 for a wrong use (neither --postgis nor --geoparquet), 6 when
the plan folder cannot be read or the output cannot be written (the database unreachable,
a wrong password, a table that is not agroplan's; nothing is then written).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from agroplan.errors import ConfigError


@click.command("export")
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--postgis", "uri", metavar="URI", default=None,
              help="Database to write into, postgresql://user@host:port/database (give the "
                   "password in PGPASSWORD or ~/.pgpass).")
@click.option("--schema", default=None, metavar="NAME",
              help="Schema of the tables in the database  [default: agroplan]")
@click.option("--plan-id", default=None, metavar="ID",
              help="Id of the plan's rows in the shared tables  [default: the folder's name]")
@click.option("--geoparquet", "parquet_dir", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write GeoParquet files into (replaced as a whole).")
def command(plan_dir: Path, uri: str | None, schema: str | None, plan_id: str | None,
            parquet_dir: Path | None) -> None:
    """Export the plan folder PLAN_DIR: its map layers (farms, agro-towns, deliveries,
    districts) and tables, to PostGIS tables and/or GeoParquet files.

    In PostGIS every plan shares the tables of the schema, its rows marked by plan_id;
    exporting a plan again replaces its rows, in one transaction.
    """
    from agroplan.config.sources import hide_password
    from agroplan.export import DEFAULT_SCHEMA, plan_frames, write_geoparquet, write_postgis

    if uri is None and parquet_dir is None:
        raise ConfigError("export: give --postgis URI, --geoparquet DIR, or both")
    if (schema is not None or plan_id is not None) and uri is None:
        raise ConfigError(f"{'--schema' if schema is not None else '--plan-id'}: only with "
                          "--postgis")
    console = Console(stderr=True)
    frames = plan_frames(plan_dir, plan_id)
    if uri is not None:
        chosen = schema or DEFAULT_SCHEMA
        with console.status("writing into the database"):
            written = write_postgis(frames, uri, chosen)
        click.echo(f"postgis: {sum(written.values())} rows of plan {frames.plan_id} in "
                   f"{len(written)} tables of schema {chosen} at {hide_password(uri)}")
    if parquet_dir is not None:
        files = write_geoparquet(frames, parquet_dir)
        console.print(f"geoparquet: {len(files)} files in {escape(str(parquet_dir))}")
        click.echo(str(parquet_dir))
