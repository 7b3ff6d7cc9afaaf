"""Input layers: read the files a scenario names and check them against the layer contract.

:func:`read_layers` is the only place that reads layer files. It checks, for every file,
that it exists and is not over the size limit, that it has a CRS, that its geometries are
present, valid and of the right type, that the required columns are there with usable
values (no NaN, no infinity, no negative capacities, whole numbers where counts are
meant, quarter labels that parse), that ids are unique, and then the references between
files (a settlement's or site's district exists, a site lies inside its district, the
clearance table covers every district over the horizon). All problems of all files are
collected and raised together as one :class:`~agroplan.errors.DataError`, each line
naming the file, the feature id (or row) and the fix.

CRS policy: layers are returned in EPSG:4326 (longitude/latitude, for maps). A layer
with a declared CRS other than EPSG:4326 is reprojected to it, which is well defined, and
a warning says so. A layer without a CRS is an error, because guessing one could move
every point by kilometres; a GeoJSON file (which RFC 7946 defines as EPSG:4326) whose
coordinates are not degrees is an error too. Distances are measured after
:func:`to_metric` projects a layer to the scenario's metric CRS.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from agroplan.config import Scenario
from agroplan.config.sources import LayerSource
from agroplan.errors import ConfigError, DataError
from agroplan.layers.checks import (
    SPECS,
    LayerSpec,
    Problems,
    check_degrees,
    check_geometry,
    check_table,
    feature_labels,
    short_error,
    unknown_references,
)
from agroplan.layers.clearance import check_clearance, quarter_sort_key, read_clearance
from agroplan.layers.formats import read_source
from agroplan.layers.limits import DEFAULT_MAX_FEATURES, DEFAULT_MAX_MEGABYTES, current_layer_limits
from agroplan.layers.mapping import apply_mapping, mapping_problems, to_geodataframe

GEOGRAPHIC = "EPSG:4326"
SITE_TOLERANCE_M = 100.0
"""A farm site may lie this far outside its district polygon (rounding of coordinates)."""
SETTLEMENT_WARNING_KM = 5.0
"""A settlement farther than this outside its district is reported as a warning."""


@dataclass(frozen=True)
class Layers:
    """The validated input layers of a scenario.

    Attributes
    ----------
    districts, settlements, farm_sites, hubs, origins
        GeoDataFrames in EPSG:4326, indexed by their id (``district_id``,
        ``settlement_id``, ``site_id``, ``hub_id``, ``origin_id``; the id is the index,
        not a column), with the columns of the layer contract. Counts (houses, families,
        heads, population) are ``int64``, other numbers ``float64``, ids and labels text.
    clearance
        Columns ``district_id``, ``period``, ``cleared_agricultural_ha`` (cumulative ha by
        the end of the quarter), sorted by district and quarter.
    context
        Basemap features (``kind``, ``name``), EPSG:4326; drawn only.
    warnings
        Things worth a look that do not stop a plan (reprojected layers, settlements
        outside their district, ...).
    """

    districts: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    farm_sites: gpd.GeoDataFrame
    hubs: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame
    clearance: pd.DataFrame
    context: gpd.GeoDataFrame
    warnings: tuple[str, ...] = ()


def read_layers(
    scenario: Scenario,
    max_features: int | None = None,
    max_megabytes: float | None = None,
) -> Layers:
    """Read and check every layer a scenario names.

    Parameters
    ----------
    scenario
        The validated scenario; its ``layers`` paths are resolved against its file.
    max_features
        A layer with more features than this is refused before it is read (default: the
        limit in force, :func:`agroplan.layers.limits.layer_limits`, else
        :data:`~agroplan.layers.limits.DEFAULT_MAX_FEATURES`).
    max_megabytes
        A layer file larger than this is refused before it is read (default: likewise,
        else :data:`~agroplan.layers.limits.DEFAULT_MAX_MEGABYTES`).

    Returns
    -------
    Layers
        Frozen, validated layers.

    Raises
    ------
    ConfigError
        When a layer's ``columns`` mapping names a column the layer contract lacks.
    DataError
        With every problem found in every file, each naming the file, the feature id
        (or row) and the fix.
    """
    in_force = current_layer_limits()
    max_features = max_features or in_force[0] or DEFAULT_MAX_FEATURES
    max_megabytes = max_megabytes or in_force[1] or DEFAULT_MAX_MEGABYTES
    unknown = mapping_problems(scenario, [*SPECS, "clearance"])
    if unknown:
        raise ConfigError(unknown)
    problems: list[str] = []
    warnings: list[str] = []
    frames: dict[str, gpd.GeoDataFrame] = {}
    for key, spec in SPECS.items():
        source = scenario.layer_source(key)
        found = Problems(source.label, source.columns)
        frame = _read_layer(source, spec, found, warnings, max_features, max_megabytes)
        problems.extend(found.lines)
        if frame is not None and not found:
            frames[key] = frame
    source = scenario.layer_source("clearance")
    found = Problems(source.label, source.columns)
    clearance = read_clearance(source, found, max_megabytes)
    if clearance is not None and "districts" in frames and not found:
        check_clearance(clearance, frames["districts"], scenario.periods, found)
    problems.extend(found.lines)
    problems.extend(_check_references(scenario, frames, warnings))
    if problems:
        raise DataError(problems)
    assert clearance is not None  # no problems means it was read
    return Layers(
        districts=_indexed(frames["districts"], "district_id"),
        settlements=_indexed(frames["settlements"], "settlement_id"),
        farm_sites=_indexed(frames["farm_sites"], "site_id"),
        hubs=_indexed(frames["hubs"], "hub_id"),
        origins=_indexed(frames["origins"], "origin_id"),
        clearance=clearance.sort_values(["district_id", "period"],
                                        key=lambda c: c.map(quarter_sort_key), ignore_index=True),
        context=frames["context"],
        warnings=tuple(warnings),
    )


def to_metric(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Project a layer to a metric CRS (coordinates in metres) for distances.

    Raises
    ------
    ConfigError
        If ``crs`` is not a projected CRS in metres.
    DataError
        If the layer has no CRS.
    """
    if frame.crs is None:
        raise DataError("a layer without a CRS cannot be measured; declare EPSG:4326")
    target = metric_crs(crs)
    return frame.to_crs(target)


def metric_crs(text: str) -> CRS:
    """Parse ``distances.metric_crs``: a projected CRS whose axes are in metres."""
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise ConfigError(
            f"distances.metric_crs: {text!r} is not a known CRS; use a projected CRS in "
            "metres such as EPSG:32638 (UTM 38N)"
        ) from None
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or units != {"metre"}:
        raise ConfigError(
            f"distances.metric_crs: {text!r} is not a projected CRS in metres; use one such "
            "as EPSG:32638 (UTM 38N)"
        )
    return crs


# --------------------------------------------------------------------------- one file


def _read_layer(
    source: LayerSource,
    spec: LayerSpec,
    problems: Problems,
    warnings: list[str],
    max_features: int,
    max_megabytes: float,
) -> gpd.GeoDataFrame | None:
    raw = read_source(source, spec.key, problems, max_features, max_megabytes)
    if raw is None:
        return None
    if len(raw) == 0:
        if spec.key == "context":
            warnings.append(f"{source.label}: the basemap context layer is empty; maps will "
                            "show no surroundings")
            return _empty_context()
        problems.add("the layer is empty (no features)",
                     f"add the {spec.key} features, or point layers.{spec.key} at the right file")
        return None
    named = apply_mapping(raw, source, spec.key, problems)
    shaped = to_geodataframe(named, source, spec, problems) if named is not None else None
    if shaped is None:
        return None
    frame = _to_geographic(shaped, source.label, problems, warnings)
    if frame is None:
        return None
    check_geometry(frame, spec, problems)
    check_degrees(frame, problems)
    frame = check_table(frame, spec, problems)
    if not problems:  # quarter labels as text of one type, whatever the format held
        for column in spec.quarters:
            frame[column] = frame[column].astype(str)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=GEOGRAPHIC)


def _to_geographic(
    frame: gpd.GeoDataFrame, label: str, problems: Problems, warnings: list[str]
) -> gpd.GeoDataFrame | None:
    if frame.crs is None:
        problems.add("the layer has no CRS",
                     "declare its CRS (for a shapefile, add the .prj file, or give crs in the "
                     "layer's mapping), or save it as GeoJSON in EPSG:4326")
        return None
    if CRS.from_user_input(frame.crs).equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return frame
    try:
        projected = frame.to_crs(GEOGRAPHIC)
    except Exception as exc:  # pyproj raises several types
        problems.add(f"cannot be reprojected from {frame.crs.to_string()} to EPSG:4326 "
                     f"({short_error(exc)})",
                     "reproject it to EPSG:4326 (ogr2ogr -t_srs EPSG:4326)")
        return None
    warnings.append(f"{label}: reprojected from {frame.crs.to_string()} to EPSG:4326")
    return projected


def _empty_context() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": pd.Series([], dtype=object),
                             "name": pd.Series([], dtype=object)},
                            geometry=gpd.GeoSeries([], crs=GEOGRAPHIC), crs=GEOGRAPHIC)


def _indexed(frame: gpd.GeoDataFrame, id_column: str) -> gpd.GeoDataFrame:
    indexed = frame.set_index(id_column)
    indexed.index = indexed.index.astype(object)
    return indexed


# --------------------------------------------------------------------------- references


def _check_references(
    scenario: Scenario, frames: dict[str, gpd.GeoDataFrame], warnings: list[str]
) -> list[str]:
    if "districts" not in frames:
        return []
    districts = frames["districts"]
    known = sorted(districts["district_id"])
    problems: list[str] = []
    for key in ("settlements", "farm_sites"):
        if key not in frames:
            continue
        frame = frames[key]
        source = scenario.layer_source(key)
        found = Problems(source.label, source.columns)
        labels = feature_labels(frame, SPECS[key].id_column)
        for value, ids in unknown_references(frame["district_id"], known, labels).items():
            column = "" if found.own("district_id") == "district_id" else \
                f" in {found.name('district_id')}"
            found.add(f"unknown district {value!r}{column}",
                      f"use a district_id of the districts layer ({', '.join(known)})", ids)
        if not found:
            _check_inside(frame, districts, key, scenario, found, warnings)
        problems.extend(found.lines)
    return problems


def _check_inside(
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    key: str,
    scenario: Scenario,
    problems: Problems,
    warnings: list[str],
) -> None:
    crs = metric_crs(scenario.distances.metric_crs)
    polygons = districts.set_index("district_id").to_crs(crs).geometry
    own = polygons.loc[points["district_id"]].to_numpy()
    where = points.to_crs(crs).geometry.to_numpy()
    outside_m = shapely.distance(where, own)
    labels = feature_labels(points, SPECS[key].id_column)
    if key == "farm_sites":
        for index in np.flatnonzero(outside_m > SITE_TOLERANCE_M):
            nearest = polygons.index[int(np.argmin(shapely.distance(where[index], polygons)))]
            problems.add(
                f"site lies {outside_m[index] / 1000:.1f} km outside its district "
                f"{points['district_id'].iloc[index]} (nearest district: {nearest})",
                "move the site inside its district or correct its district_id",
                [str(labels.iloc[index])],
            )
        return
    far = np.flatnonzero(outside_m > SETTLEMENT_WARNING_KM * 1000)
    if len(far):
        shown = ", ".join(str(labels.iloc[i]) for i in far[:5])
        warnings.append(f"{scenario.layer_label(key)}: {len(far)} settlement(s) lie more than "
                        f"{SETTLEMENT_WARNING_KM:.0f} km outside their district ({shown})")
