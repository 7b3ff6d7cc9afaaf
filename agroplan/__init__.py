"""agroplan: phased optimisation plans for Azerbaijan's revival territories.

The pipeline runs through plain values, one module per stage::

    Scenario (scenario.py) -> Layers (layers.py) -> PlanInputs (inputs.py)
        -> solver (model/, solve.py) -> Plan (plan.py) -> renderers (render/)

Only the model and solve modules import OR-Tools; only the renderers import folium;
only the readers and writers touch files.
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
