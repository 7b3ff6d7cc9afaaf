"""A plan into PostGIS, for QGIS and BI dashboards (``agroplan export --postgis URI``).

Every plan shares the same tables of one schema (``agroplan`` by default): the layers
``farms``, ``agro_towns``, ``deliveries`` and ``districts`` (geometry column ``geom``,
EPSG:4326, with a spatial index), the tables ``herd``, ``houses``, ``timber``,
``workforce``, ``spend``, ``violations`` and ``binding``, and ``plans`` (one row per plan).
Each row carries ``plan_id``; exporting a plan again replaces its rows and leaves the other
plans' rows alone.

The whole export is one transaction: the schema and the missing tables are created, the
plan's old rows deleted and the new ones inserted, then it commits; any failure rolls all of
it back, so the previous rows stay as they were. Names are SQLAlchemy identifiers (the
schema quoted, whatever it holds) and values bound parameters: no user text becomes SQL.
A table that exists but is not one of agroplan's (no ``plan_id``, other columns) is refused,
never changed.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape
from sqlalchemy.dialects.postgresql import JSONB

from agroplan.config.sources import hide_password
from agroplan.errors import OutputError
from agroplan.export.frames import GEOMETRY_TYPES, PlanFrames
from agroplan.layers.postgis import connect, database_problem

DEFAULT_SCHEMA = "agroplan"
SRID = 4326
GEOMETRY_COLUMN = "geom"


def write_postgis(frames: PlanFrames, uri: str, schema: str = DEFAULT_SCHEMA) -> dict[str, int]:
    """Write the plan's layers and tables into ``schema`` of the database at ``uri``.

    Returns
    -------
    dict
        Table name -> rows written for this plan.

    Raises
    ------
    OutputError
        Naming the database (without its password) and the schema, what failed and the
        fix; nothing is then written (the transaction is rolled back).
    """
    where = f"{hide_password(uri)} schema {schema}"
    try:
        engine = connect(uri)
    except (sa.exc.ArgumentError, ValueError) as exc:
        what, fix = database_problem(exc, uri)
        raise OutputError(f"{hide_password(uri)}: {what}; {fix}") from None
    metadata = sa.MetaData(schema=sa.sql.quoted_name(schema, quote=True))
    tables = {name: _layer_table(metadata, name, frame)
              for name, frame in frames.layers.items()}
    tables.update({name: _plain_table(metadata, name, frame)
                   for name, frame in frames.tables.items()})
    written: dict[str, int] = {}
    try:
        with engine.begin() as connection:  # one transaction: all of it, or none of it
            connection.execute(sa.schema.CreateSchema(metadata.schema or schema,
                                                      if_not_exists=True))
            _check_existing(connection, schema, tables, where)
            metadata.create_all(connection, checkfirst=True)
            for name, table in tables.items():
                connection.execute(sa.delete(table).where(table.c.plan_id == frames.plan_id))
                rows = _rows(frames, name)
                if rows:
                    connection.execute(sa.insert(table), rows)
                written[name] = len(rows)
    except sa.exc.SQLAlchemyError as exc:
        what, fix = database_problem(exc, uri)
        if "geometry" in what and "does not exist" in what:
            fix = "enable PostGIS in the database (CREATE EXTENSION postgis) and export again"
        raise OutputError(f"{where}: {what}; {fix}; nothing was written, the previous rows "
                          "are unchanged") from None
    return written


def _column_type(name: str, series: pd.Series) -> Any:
    if name == "kpis":
        return JSONB
    if pd.api.types.is_bool_dtype(series):
        return sa.Boolean
    if pd.api.types.is_integer_dtype(series):
        return sa.BigInteger
    if pd.api.types.is_float_dtype(series):
        return sa.Double
    return sa.Text


def _columns(frame: pd.DataFrame) -> list[sa.Column[Any]]:
    return [sa.Column(str(name), _column_type(str(name), frame[name]))
            for name in frame.columns if name != "geometry"]


def _layer_table(metadata: sa.MetaData, name: str, frame: pd.DataFrame) -> sa.Table:
    kind = GEOMETRY_TYPES[name].upper()
    return sa.Table(name, metadata, sa.Column("plan_id", sa.Text, nullable=False, index=True),
                    *_columns(frame),
                    sa.Column(GEOMETRY_COLUMN, Geometry(kind, srid=SRID, spatial_index=True)))


def _plain_table(metadata: sa.MetaData, name: str, frame: pd.DataFrame) -> sa.Table:
    extra = [sa.Column("exported_at", sa.DateTime(timezone=True),
                       server_default=sa.func.now())] if name == "plans" else []
    return sa.Table(name, metadata, sa.Column("plan_id", sa.Text, nullable=False, index=True),
                    *_columns(frame), *extra)


def _check_existing(connection: sa.Connection, schema: str, tables: dict[str, sa.Table],
                    where: str) -> None:
    """Refuse tables of the schema that are not agroplan's, before anything changes."""
    inspector = sa.inspect(connection)
    for name, table in tables.items():
        if not inspector.has_table(name, schema=schema):
            continue
        found = {column["name"] for column in inspector.get_columns(name, schema=schema)}
        if "plan_id" not in found:
            raise OutputError(f"{where}: table {name} exists and is not an agroplan plan "
                              "table (it has no plan_id column); choose another --schema")
        missing = sorted({column.name for column in table.columns} - found)
        if missing:
            raise OutputError(f"{where}: table {name} lacks the column(s) {', '.join(missing)} "
                              "(written by another version of agroplan?); drop the table or "
                              "choose another --schema")


def _rows(frames: PlanFrames, name: str) -> list[dict[str, Any]]:
    """The rows of a layer or table as plain Python values, with ``plan_id``."""
    frame = frames.layers.get(name)
    geometries = None
    if frame is not None:
        geometries = [_geometry(g, GEOMETRY_TYPES[name]) for g in frame.geometry]
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    else:
        frame = frames.tables[name]
    plain = frame.astype(object).where(frame.notna(), None)
    records = [{str(k): v for k, v in r.items()} for r in plain.to_dict("records")]
    for index, record in enumerate(records):
        record["plan_id"] = frames.plan_id
        if geometries is not None:
            record[GEOMETRY_COLUMN] = geometries[index]
        if "kpis" in record and isinstance(record["kpis"], str):
            record["kpis"] = json.loads(record["kpis"])
    return records


def _geometry(geometry: Any, kind: str) -> Any:
    if geometry is None or geometry.is_empty:
        return None
    if kind == "MultiPolygon" and geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return from_shape(geometry, srid=SRID)
