"""What every printed page carries: the scenario, the status and gap, and the date.

Each page passes a :class:`PageFacts` to its template; ``templates/print.html`` writes them
into the ``@page`` margin boxes of the page's print stylesheet (A4, landscape for maps), so
the browser repeats them at the top of every printed page, with the page number below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date

from agroplan.render.i18n import Translator
from agroplan.render.labels import label


@dataclass(frozen=True)
class PageFacts:
    """The three texts at the top of every printed page, in the page's language."""

    scenario: str
    status: str
    made: str


def plan_status(tr: Translator, status: str, gap: float | None) -> str:
    """``plan optimal, gap 0.04%`` in the translator's language."""
    return tr.gettext("plan %(status)s, gap %(gap)s") % {
        "status": label(tr, "status", status), "gap": tr.percent(gap, 2)}


def replan_status(tr: Translator, status: str, gap: float | None, as_of: str) -> str:
    """``re-plan optimal, gap 0.01%, as of Q4 2027`` in the translator's language."""
    return tr.gettext("re-plan %(status)s, gap %(gap)s, as of %(quarter)s") % {
        "status": label(tr, "status", status), "gap": tr.percent(gap, 2),
        "quarter": tr.quarter(as_of)}


def made_on(tr: Translator, day: dt.date | None = None) -> str:
    """``made on 2 December 2026`` (today unless ``day`` is given)."""
    shown = format_date(day or dt.date.today(), format="long", locale=tr.lang)
    return tr.gettext("made on %(date)s") % {"date": shown}


def page_facts(tr: Translator, scenario: str, status: str, day: dt.date | None = None
               ) -> PageFacts:
    """The facts of a page whose status line is already written (see :func:`plan_status`)."""
    return PageFacts(scenario=scenario, status=status, made=made_on(tr, day))
