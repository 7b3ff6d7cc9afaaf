"""Studies over many plans: why a scenario has no plan, how two plans differ, sweeps.

``diagnosis`` finds the conflicting settings of a scenario with no plan (it builds the
model); ``compare`` sets plans side by side (tables only); ``sweep`` reads a sweep file and
its results, and ``sweep_run`` solves its runs on dask.distributed. Those modules stand at
different heights, so names load on first use (:mod:`agroplan.lazy`) and other packages
import the module they need. Renderers may import ``compare`` and ``sweep``, never
``diagnosis`` or ``sweep_run``.
"""

from typing import TYPE_CHECKING

from agroplan.lazy import lazy_exports

if TYPE_CHECKING:
    from agroplan.studies.compare import Comparison, compare_plans, places_from_layers
    from agroplan.studies.diagnosis import Explanation, explain
    from agroplan.studies.sweep import Sweep, load_sweep, pareto_front, read_results
    from agroplan.studies.sweep_run import local_cluster, run_serial, run_sweep

__all__ = [
    "Comparison",
    "Explanation",
    "Sweep",
    "compare_plans",
    "explain",
    "load_sweep",
    "local_cluster",
    "pareto_front",
    "places_from_layers",
    "read_results",
    "run_serial",
    "run_sweep",
]

__getattr__, __dir__ = lazy_exports(__name__, {
    "Comparison": "compare",
    "Explanation": "diagnosis",
    "Sweep": "sweep",
    "compare_plans": "compare",
    "explain": "diagnosis",
    "load_sweep": "sweep",
    "local_cluster": "sweep_run",
    "pareto_front": "sweep",
    "places_from_layers": "compare",
    "read_results": "sweep",
    "run_serial": "sweep_run",
    "run_sweep": "sweep_run",
})
