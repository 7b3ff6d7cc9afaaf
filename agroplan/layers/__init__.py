"""Input layers: read the files a scenario names and check them against the layer contract.

The second stage: :func:`read_layers` turns a :class:`~agroplan.config.Scenario`'s layer
files into validated :class:`Layers` (GeoDataFrames in EPSG:4326), or raises one
:class:`~agroplan.errors.DataError` naming every problem. ``formats`` reads every file
format, ``postgis`` PostgreSQL tables and queries, ``mapping`` renames the user's columns
and makes points from lon/lat, ``template`` writes empty layers to fill in; ``build/``
derives the default layers from the raw open data. The only package that reads layer files
or databases; imports config, never a solver, a plan or a renderer.
"""

from agroplan.layers.limits import (
    DEFAULT_MAX_FEATURES,
    DEFAULT_MAX_MEGABYTES,
    current_layer_limits,
    layer_limits,
)
from agroplan.layers.read import GEOGRAPHIC, Layers, metric_crs, read_layers, to_metric

__all__ = [
    "DEFAULT_MAX_FEATURES",
    "DEFAULT_MAX_MEGABYTES",
    "GEOGRAPHIC",
    "Layers",
    "current_layer_limits",
    "layer_limits",
    "metric_crs",
    "read_layers",
    "to_metric",
]
