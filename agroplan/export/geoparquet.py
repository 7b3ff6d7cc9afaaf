"""A plan as GeoParquet files, for analysts using DuckDB, pandas or QGIS
(``agroplan export --geoparquet DIR``).

``DIR`` gets one file per layer (``farms.parquet``, ``agro_towns.parquet``,
``deliveries.parquet``, ``districts.parquet``: GeoParquet 1.x, EPSG:4326, written by
geopandas through pyarrow) and per table (``herd.parquet`` ... and ``plans.parquet``: plain
Parquet). The folder is replaced as a whole (:func:`agroplan.atomic.replace_folder`), so a
reader never sees half of an export; a folder that holds other files is refused.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from agroplan.atomic import replace_folder
from agroplan.errors import OutputError
from agroplan.export.frames import PlanFrames

SUFFIX = ".parquet"


def write_geoparquet(frames: PlanFrames, folder: str | Path) -> list[Path]:
    """Write the plan's layers and tables into ``folder``; returns the files written.

    Raises
    ------
    OutputError
        When the folder cannot be written, or holds files that are not Parquet.
    """
    target = Path(folder)

    def fill(staging: Path) -> list[str]:
        names = []
        for name, frame in [*frames.layers.items(), *frames.tables.items()]:
            _write(frame, staging, target, name)  # GeoParquet for a GeoDataFrame
            names.append(f"{name}{SUFFIX}")
        return names

    return [target / name for name in replace_folder(target, fill, replaceable=_replaceable)]


def _write(frame: pd.DataFrame, staging: Path, target: Path, name: str) -> None:
    try:
        frame.to_parquet(staging / f"{name}{SUFFIX}", index=False)
    except OSError as exc:
        raise OutputError(f"{target / (name + SUFFIX)}: cannot be written ({exc.strerror or exc})"
                          "; check that the folder is writable and the disk has space") from None


def _replaceable(folder: Path) -> str | None:
    others = sorted(p.name for p in folder.iterdir() if p.suffix != SUFFIX)
    if not others:
        return None
    return (f"holds files that are not Parquet ({', '.join(others[:3])}); the export replaces "
            "the folder as a whole, so choose a new or empty folder")
