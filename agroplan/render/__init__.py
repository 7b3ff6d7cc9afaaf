"""Renderers: the offline HTML pages of plans, comparisons, reviews and sweeps.

The last stage: values in (a :class:`~agroplan.plan.Plan`, its inputs and layers, a
comparison, a review, sweep results), self-contained pages out that open with no network,
in English, Azerbaijani or Russian. Every page is a Jinja2 template of
``agroplan/templates`` rendered by the one environment of :mod:`~agroplan.render.templating`
(autoescape, translations, Babel's number formats); :mod:`~agroplan.render.i18n` holds the
languages. The map pages share the shell of :mod:`~agroplan.render.shell` (folding panels,
the first view fitted to the plan, the print layout); every page prints on A4 with the
facts of :mod:`~agroplan.render.paper`; :mod:`~agroplan.render.static_map` draws the
report's map with matplotlib and :mod:`~agroplan.render.pdf` prints pages with chromium
(``docs/pages.md``). The only package that imports folium, matplotlib or Playwright; never
imports the model or a solver (``agroplan.model``, ``agroplan.solve``, OR-Tools).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agroplan.config.sections import Language
from agroplan.render.compare import render_compare
from agroplan.render.map import render_map
from agroplan.render.report import render_report
from agroplan.render.review import render_review_page
from agroplan.render.review_map import render_review_map
from agroplan.render.sweep import render_sweep_page

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.layers.read import Layers
    from agroplan.plan.result import Plan

MAPS_DIR = Path("maps")

__all__ = [
    "default_map_path",
    "render_compare",
    "render_map",
    "render_outputs",
    "render_report",
    "render_review_map",
    "render_review_page",
    "render_sweep_page",
    "report_path",
]


def default_map_path(scenario_name: str) -> Path:
    """``maps/<scenario>.html``."""
    return MAPS_DIR / f"{scenario_name}.html"


def report_path(map_path: Path) -> Path:
    """The report next to a map: ``maps/<name>.html`` -> ``maps/<name>-report.html``."""
    return map_path.with_name(f"{map_path.stem}-report.html")


def render_outputs(
    plan: Plan, inputs: PlanInputs, layers: Layers, map_path: Path | None = None,
    lang: Language | None = None,
) -> tuple[Path, Path]:
    """Write the map and its report; returns ``(map, report)`` absolute paths.

    ``lang`` (``en``, ``az`` or ``ru``) defaults to the scenario's ``report.language``.
    """
    target = Path(map_path) if map_path is not None else default_map_path(inputs.scenario.name)
    language = lang or inputs.scenario.report.language
    written_map = render_map(plan, inputs, layers, target, language)
    written_report = render_report(plan, inputs, layers, report_path(target), language)
    return written_map, written_report
