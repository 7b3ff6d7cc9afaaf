"""Your columns, our names: the ``columns`` mapping of a layer, points from lon/lat, the CRS.

A layer's mapping says which of the user's columns holds each column of the layer
contract (``{district_id: district_i}``). :func:`mapping_problems` checks the names on our
side against the contract before any file is read; :func:`apply_mapping` finds the user's
columns in the file, renames them and, for the columns still missing, points at likely
candidates (a Shapefile cuts names to 10 characters). :func:`to_geodataframe` makes points
from a CSV or XLSX file's lon/lat columns and settles the CRS: the one the data declares,
or the mapping's ``crs`` when it declares none.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from agroplan.config.scenario import Scenario
from agroplan.config.sources import LayerSource
from agroplan.layers.checks import SPECS, LayerSpec, Problems, feature_labels
from agroplan.layers.formats import is_table

CLEARANCE_COLUMNS = ("district_id", "period", "cleared_agricultural_ha")
COORDINATES = ("lon", "lat")
"""Columns of a CSV or XLSX point layer that hold its coordinates."""
SHAPEFILE_NAME_LENGTH = 10


def contract_columns(key: str) -> tuple[str, ...]:
    """The columns of layer ``key`` that a mapping may name."""
    return SPECS[key].columns if key in SPECS else CLEARANCE_COLUMNS


def mapping_problems(scenario: Scenario, keys: Iterable[str]) -> list[str]:
    """Our names in ``layers.<key>.columns`` that the layer contract does not know."""
    lines = []
    for key in keys:
        source = scenario.layer_source(key)
        allowed = contract_columns(key)
        if is_table(source) and key in SPECS:
            allowed = (*allowed, *COORDINATES)
        for ours in sorted(set(source.columns) - set(allowed)):
            where = scenario.file_of(f"layers.{key}.columns.{ours}")
            where = f"--set layers.{key}" if where == "--set" else where
            lines.append(f"{where}: layers.{key}.columns: `{ours}` is not a column of the {key} "
                         f"layer; map one of {', '.join(allowed)} (the name on the left is "
                         "ours, the one on the right is yours)")
    return lines


def apply_mapping(frame: pd.DataFrame, source: LayerSource, key: str,
                  problems: Problems) -> pd.DataFrame | None:
    """``frame`` with the user's columns renamed to ours, or ``None`` after a problem."""
    mapped = source.columns
    absent = {ours: theirs for ours, theirs in mapped.items() if theirs not in frame.columns}
    if absent:
        have = ", ".join(str(c) for c in frame.columns if c != "geometry")
        for ours, theirs in absent.items():
            problems.add(f"column `{theirs}` (mapped to {ours}) is not in the data (its columns: "
                         f"{have})", f"correct layers.{key}.columns.{ours}")
        return None
    values = {ours: frame[theirs] for ours, theirs in mapped.items()}
    shadowed = [c for c in frame.columns
                if c != "geometry" and (c in mapped.values() or c in mapped)]
    renamed = frame.drop(columns=shadowed)
    for ours, column in values.items():
        renamed[ours] = column.to_numpy()
    wanted = [*contract_columns(key), *(COORDINATES if is_table(source) else ())]
    problems.missing_hint = _hint(renamed.columns, wanted, key)
    return renamed


def _hint(columns: Iterable[object], wanted: Iterable[str], key: str) -> str:
    """Likely user columns for the missing ones: cut to 10 characters, or in other case."""
    present = [str(c) for c in columns]
    found = {}
    for name in wanted:
        if name in present:
            continue
        for column in present:
            cut = len(column) == SHAPEFILE_NAME_LENGTH and name.startswith(column)
            if cut or column.lower() == name.lower():
                found[name] = column
                break
    if not found:
        return ""
    pairs = ", ".join(f"{ours}: {theirs}" for ours, theirs in found.items())
    cut = any(len(theirs) == SHAPEFILE_NAME_LENGTH for theirs in found.values())
    why = " (a Shapefile cuts names to 10 characters)" if cut else ""
    return (f"; the data has {', '.join(found.values())}{why}: map "
            f"{'it' if len(found) == 1 else 'them'} with layers.{key}.columns: {{{pairs}}}")


def to_geodataframe(frame: pd.DataFrame, source: LayerSource, spec: LayerSpec,
                    problems: Problems) -> gpd.GeoDataFrame | None:
    """A GeoDataFrame with its CRS settled: points from lon/lat for a CSV or XLSX file, the
    SRID of a database's geometries, and the mapping's ``crs`` where the data has none."""
    if is_table(source):
        return _points(frame, source, spec, problems)
    if not isinstance(frame, gpd.GeoDataFrame):  # rows from a database
        srid = frame.attrs.get("srid")
        frame = gpd.GeoDataFrame(frame, geometry="geometry",
                                 crs=f"EPSG:{srid}" if srid else None)
    if source.crs is None:
        return frame
    if frame.crs is None:
        return frame.set_crs(source.crs)
    if not CRS.from_user_input(frame.crs).equals(CRS.from_user_input(source.crs),
                                                 ignore_axis_order=True):
        problems.add(f"the data declares its CRS as {frame.crs.to_string()}, but the scenario "
                     f"says {source.crs}", f"remove crs from layers.{spec.key} (the declared "
                     "CRS is used), or correct the data's CRS")
        return None
    return frame


def _points(frame: pd.DataFrame, source: LayerSource, spec: LayerSpec,
            problems: Problems) -> gpd.GeoDataFrame | None:
    if spec.geometry and "Point" not in spec.geometry:
        problems.add(f"a CSV or XLSX file holds points, but the {spec.key} layer needs "
                     f"{' or '.join(spec.geometry)} geometries",
                     "save the layer as GeoPackage, Shapefile, GeoJSON or GeoParquet")
        return None
    missing = [c for c in COORDINATES if c not in frame.columns]
    if missing:
        problems.add(f"has no {' and '.join(missing)} column{'s' if len(missing) > 1 else ''} "
                     "for the points", f"add lon and lat (degrees, or coordinates in the "
                     f"mapping's crs), or name yours with layers.{spec.key}.columns: "
                     "{lon: ..., lat: ...}")
        return None
    crs = source.crs or "EPSG:4326"
    x = pd.to_numeric(frame["lon"], errors="coerce").astype(float)
    y = pd.to_numeric(frame["lat"], errors="coerce").astype(float)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        labels = feature_labels(frame, spec.id_column)
        shown = ", ".join(str(v) for v in labels[bad].head(5))
        more = f" and {int(bad.sum()) - 5} more" if bad.sum() > 5 else ""
        problems.add(f"{problems.name('lon')} or {problems.name('lat')} is missing or not a "
                     f"number (features {shown}{more})",
                     f"give every feature its coordinates in {crs}")
        return None
    rest = frame.drop(columns=list(COORDINATES))
    return gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy(x, y), crs=crs)
