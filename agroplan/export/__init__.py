"""Exports of a plan folder to where analysts and dashboards read it: PostGIS and GeoParquet.

:func:`plan_frames` reads a plan folder (``plan.json`` and ``plan.gpkg``) into the layers
and tables that leave it; :func:`write_postgis` writes them into a PostgreSQL/PostGIS schema
in one transaction, replacing that plan's rows; :func:`write_geoparquet` writes them as
GeoParquet files. The plan folder's own files (CSV, GeoPackage, ``plan.xlsx``) are written by
:mod:`agroplan.plan`. Imports plan, layers (the database connection) and config; never the
model, a solver or a renderer.
"""

from agroplan.export.frames import GEOMETRY_TYPES, PlanFrames, plan_frames
from agroplan.export.geoparquet import write_geoparquet
from agroplan.export.postgis import DEFAULT_SCHEMA, write_postgis

__all__ = [
    "DEFAULT_SCHEMA",
    "GEOMETRY_TYPES",
    "PlanFrames",
    "plan_frames",
    "write_geoparquet",
    "write_postgis",
]
