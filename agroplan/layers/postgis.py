"""Layers from a PostgreSQL/PostGIS database: a table, or a query run read-only.

A scenario names the database by URI (``postgresql://user@host:port/database``) and the
rows by ``layer`` (a table, ``schema.table``) or ``query``. They are read through
SQLAlchemy and psycopg; pyogrio's GDAL has no PostgreSQL driver.

No user text becomes SQL by concatenation: a table name is a quoted identifier, however
odd, so ``hubs; DROP TABLE hubs`` is only a table that does not exist. A query is the
user's own SQL, but it runs as a sub-select in a read-only transaction, so it can neither
chain a second statement nor change anything. Messages name the database without its
password (:func:`~agroplan.config.sources.hide_password`); the password belongs in
``PGPASSWORD`` or ``~/.pgpass``.

:func:`connect` and :func:`database_problem` serve the PostGIS export too.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from agroplan.config.sources import LayerSource
from agroplan.layers.checks import Problems
from agroplan.layers.limits import over_limit

CONNECT_TIMEOUT_S = 10
"""Seconds to wait for a database that does not answer."""


def connect(uri: str) -> Engine:
    """A SQLAlchemy engine for a ``postgresql://`` URI, through psycopg (version 3).

    Raises
    ------
    sqlalchemy.exc.ArgumentError, ValueError
        When the URI cannot be parsed; :func:`database_problem` words it.
    """
    url = sa.engine.make_url(uri)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, poolclass=sa.pool.NullPool,
                            connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def database_problem(exc: Exception, uri: str) -> tuple[str, str]:
    """What went wrong with the database at ``uri`` and the fix, without the password."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).strip().splitlines() if line.strip()]
    reason = lines[0] if lines else type(original).__name__
    if "failed:" in reason:  # psycopg: 'connection to server at "h", port p failed: why'
        reason = reason.rsplit("failed:", 1)[1].strip()
    reason = reason.removeprefix("FATAL:").strip()
    password = _password(uri)
    if password:
        reason = reason.replace(password, "***")
    if isinstance(exc, sa.exc.ArgumentError | ValueError):
        return (f"is not a database URI ({reason})",
                "write it as postgresql://user@host:port/database")
    if isinstance(exc, sa.exc.OperationalError) and _is_connection(exc):
        if "password" in reason or "authentication" in reason:
            fix = ("check the user and the password (give it in PGPASSWORD or ~/.pgpass "
                   "rather than in the URI)")
        else:
            fix = ("check the host, port and database name, and that the server is running "
                   "and accepts connections from this machine")
        return f"cannot connect to the database ({reason})", fix
    return f"the database refused the request ({reason})", (
        "check the table or the query and your rights to read it")


def _password(uri: str) -> str | None:
    try:
        return sa.engine.make_url(uri).password  # type: ignore[return-value]
    except (sa.exc.ArgumentError, ValueError):
        return None


def _is_connection(exc: sa.exc.OperationalError) -> bool:
    text = str(getattr(exc, "orig", exc))
    return "connection" in text or "authentication" in text or "password" in text


def _table(name: str) -> sa.TableClause:
    """A table named ``name`` or ``schema.name``, both parts always quoted."""
    schema, _, table = name.rpartition(".")
    return sa.table(sa.sql.quoted_name(table, quote=True),
                    schema=sa.sql.quoted_name(schema, quote=True) if schema else None)


def read_database(
    source: LayerSource, problems: Problems, max_features: int, geometry: bool
) -> pd.DataFrame | None:
    """The rows of ``source`` (a table or a query), geometries decoded to shapely.

    Returns a frame with the database's own column names and, when ``geometry`` is true,
    the geometry column renamed ``geometry`` and its SRID in ``frame.attrs["srid"]``
    (``None``: none declared); ``None`` when a problem was added.
    """
    try:
        engine = connect(source.path)
    except (sa.exc.ArgumentError, ValueError) as exc:  # ValueError: a port that is no number
        problems.add(*database_problem(exc, source.path))
        return None
    try:
        with engine.connect() as plain:
            connection = plain.execution_options(postgresql_readonly=True)
            return _read(connection, source, problems, max_features, geometry)
    except sa.exc.SQLAlchemyError as exc:
        problems.add(*database_problem(exc, source.path))
        return None


def _read(connection: sa.Connection, source: LayerSource, problems: Problems,
          max_features: int, geometry: bool) -> pd.DataFrame | None:
    if source.layer is not None:
        schema, _, name = source.layer.rpartition(".")
        if not sa.inspect(connection).has_table(name, schema=schema or None):
            problems.add(f"no table {source.layer!r} in the database",
                         f"check the table's name and schema ({_tables(connection)})")
            return None
        rows: Any = _table(source.layer)
    else:
        rows = sa.text(source.query or "").columns().subquery("layer")
    count = connection.execute(sa.select(sa.func.count()).select_from(rows)).scalar_one()
    if over_limit(count, max_features, problems, "rows"):
        return None
    result: sa.CursorResult[Any] = connection.execute(
        sa.select(sa.literal_column("*")).select_from(rows))
    names = [str(column[0]) for column in result.cursor.description]  # (name, type code, ...)
    types = [column[1] for column in result.cursor.description]
    frame = pd.DataFrame(result.fetchall(), columns=names, dtype=object)
    if not geometry:
        return frame
    oid = connection.execute(sa.text("SELECT oid FROM pg_type WHERE typname = 'geometry'"))
    geometry_oid = oid.scalar()
    found = [name for name, code in zip(names, types, strict=True) if code == geometry_oid]
    if len(found) != 1:
        what = "no geometry column" if not found else f"{len(found)} geometry columns"
        problems.add(f"has {what}", "select exactly one PostGIS geometry column (with a query "
                     "if the table has several)")
        return None
    return _decoded(frame, found[0], problems)


def _decoded(frame: pd.DataFrame, column: str, problems: Problems) -> pd.DataFrame | None:
    values = frame.pop(column)
    try:
        shapes = shapely.from_wkb(values.where(values.notna(), None).to_numpy())
    except shapely.errors.GEOSException as exc:
        problems.add(f"the geometry column {column!r} cannot be decoded ({exc})",
                     "select a PostGIS geometry column")
        return None
    srids = {int(s) for s in shapely.get_srid(shapes[~shapely.is_missing(shapes)])} - {0}
    if len(srids) > 1:
        problems.add(f"the geometries have several SRIDs ({', '.join(map(str, sorted(srids)))})",
                     "transform them to one with ST_Transform in a query")
        return None
    frame["geometry"] = shapes
    frame.attrs["srid"] = srids.pop() if srids else None
    return frame


def _tables(connection: sa.Connection) -> str:
    inspector = sa.inspect(connection)
    names = [f"{schema}.{table}" for schema in inspector.get_schema_names()
             if schema not in ("information_schema", "pg_catalog")
             for table in inspector.get_table_names(schema=schema)]
    shown = ", ".join(sorted(names)[:10])
    return f"tables: {shown}" if names else "the database has no tables"
