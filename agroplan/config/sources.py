"""Where a layer comes from: a file path, or a mapping that also names the layer, the
columns and the CRS, or a PostgreSQL table or query.

A scenario's ``layers.<name>`` is either a path (``../layers/hubs.geojson``) or a
:class:`LayerSource` mapping::

    farm_sites:
      path: gis/candidate_sites.shp
      columns: {district_id: district_i, max_size_heads: max_size_h}
      crs: EPSG:32638

    hubs:
      path: postgresql://planner@db.example/gis
      layer: transport.hubs          # a table (schema.table), or
      # query: SELECT * FROM transport.hubs WHERE active

What the keys mean for each format is in ``docs/layers.md``; the layer contract that the
columns are checked against is in :mod:`agroplan.layers.checks`. A database password
belongs in ``PGPASSWORD`` or ``~/.pgpass``, not in the scenario: it is never printed, and a
plan folder records the address without it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator

from agroplan.config.base import ConfigModel

DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
"""URI schemes of a PostgreSQL database (read through SQLAlchemy and psycopg)."""


def is_database(path: str) -> bool:
    """Whether ``path`` is a PostgreSQL URI rather than a file."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.lower() in DATABASE_SCHEMES


def hide_password(uri: str) -> str:
    """``uri`` with its password shown as ``***``, for messages."""
    return _with_password(uri, "***")


def drop_password(uri: str) -> str:
    """``uri`` without its password, for files that are kept (a plan's ``scenario.json``)."""
    return _with_password(uri, None)


def _with_password(uri: str, shown: str | None) -> str:
    try:
        parts = urlsplit(uri)
        password = parts.password
    except ValueError:  # a malformed port or address: show only the scheme
        return uri.partition("://")[0] + "://..."
    if password is None:
        return uri
    user, _, host = parts.netloc.rpartition("@")
    name = user.partition(":")[0]
    login = f"{name}:{shown}" if shown is not None else name
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


class LayerSource(ConfigModel):
    """A layer read from a file or a database, with your own names for its columns."""

    path: str = Field(min_length=1)
    """File (Shapefile, GeoPackage, GeoParquet, FlatGeobuf, GeoJSON, CSV or XLSX), relative
    to the scenario file; or a ``postgresql://user@host:port/database`` URI."""
    layer: str | None = Field(None, min_length=1)
    """The layer of a GeoPackage, the sheet of an XLSX workbook, or the table
    (``schema.table``) of a database."""
    query: str | None = Field(None, min_length=1)
    """A database query whose rows are the layer (instead of ``layer``); run read-only."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Our column name -> the name in your data, e.g. ``{district_id: district_i}``; for a
    CSV or XLSX point layer also ``lon`` and ``lat``."""
    crs: str | None = None
    """CRS of the coordinates when the data declares none (CSV and XLSX longitude/latitude,
    a Shapefile without .prj; default EPSG:4326 for CSV and XLSX); a different declared CRS
    is an error."""

    @field_validator("columns")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        empty = sorted(ours for ours, theirs in value.items() if not str(theirs).strip())
        if empty:
            raise ValueError(f"give the name of your column for {', '.join(empty)}")
        return value

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from pyproj import CRS  # imported here: pyproj is slow to import
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(value)
        except CRSError:
            raise ValueError(f"{value!r} is not a known CRS; write it as EPSG:4326 or "
                             "EPSG:32638 (UTM 38N), for example") from None
        return value

    @model_validator(mode="after")
    def _table_or_query(self) -> LayerSource:
        if self.layer is not None and self.query is not None:
            raise ValueError("give either layer (a table) or query, not both")
        database = is_database(self.path)
        if self.query is not None and not database:
            raise ValueError("query is for a postgresql:// database; for a file, name its "
                             "layer or sheet with layer")
        if database and self.layer is None and self.query is None:
            raise ValueError("name the table with layer (schema.table) or give a query")
        return self

    @property
    def database(self) -> bool:
        """Whether the layer is read from a PostgreSQL database."""
        return is_database(self.path)

    @property
    def label(self) -> str:
        """How messages name the layer: the file (and its layer or sheet), or the database
        address without the password and the table (or ``query``)."""
        if self.database:
            what = f"table {self.layer}" if self.layer is not None else "query"
            return f"{hide_password(self.path)} {what}"
        return self.path if self.layer is None else f"{self.path} (layer {self.layer})"
