"""agroplan: phased optimisation plans for Azerbaijan's revival territories.

Data flows one way, through plain values, one subpackage per stage::

    config/  Scenario        the validated scenario file
    layers/  Layers          validated GeoDataFrames (layers/build/ derives the defaults)
    inputs   PlanInputs      arrays and tables keyed by id, distances, scaling
    model/   AgroModel       the OR-Tools model, one module per constraint family
    solve/   Plan            checks, warm start, backend, the plan read back
    plan/                    the Plan and its folder on disk (JSON, CSV, GeoPackage, Excel)
    check/                   every rule verified without a solver
    render/                  offline HTML maps and reports (templates/, locale/: en, az, ru)
    export/                  a plan folder into PostGIS or GeoParquet
    cli/                     the ``agroplan`` command

Beside the pipeline: ``roadmap/`` (actuals, re-planning, review), ``studies/`` (explain,
compare, sweeps) and ``location/`` (facility location from plain arrays). Plain modules:
``errors``, ``messages`` (text marked for translation), ``periods``, ``families``,
``atomic``, ``highs``, ``lazy``, ``generate``.
Only ``model``, ``solve``, ``location`` and the LP helpers import a solver; only
``render`` imports folium; only the readers and writers touch files or databases (layers
in ``layers/``, actuals in ``roadmap/``, outputs in ``plan/`` and ``export/``). The contracts in
``pyproject.toml`` (``lint-imports``) keep these rules.
"""

from agroplan.errors import (
    AgroplanError,
    ConfigError,
    DataError,
    InfeasibleError,
    OutputError,
    SolverError,
)

__version__ = "0.1.0"

__all__ = [
    "AgroplanError",
    "ConfigError",
    "DataError",
    "InfeasibleError",
    "OutputError",
    "SolverError",
    "__version__",
]
