"""The review page: plan against actual, the re-plan's changes, milestones and trade to date.

One self-contained HTML page of tables and inline SVG charts built from a
:class:`~agroplan.roadmap.review.Review`; no script, no external asset, so it opens offline and
prints. ``templates/review.html`` lays it out; this module turns the review's tables into
rows of formatted cells, each a text or a ``(text, css class)`` pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from agroplan.config.sections import Language
from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan
from agroplan.render.frames import district_name, num, town_name
from agroplan.render.i18n import Translator, translator
from agroplan.render.labels import LABELS, label
from agroplan.render.offline import check_offline, write_atomic
from agroplan.render.paper import page_facts, replan_status
from agroplan.render.svg import Chart, bar_chart
from agroplan.render.templating import render_page
from agroplan.roadmap.review import DISTRICT_MEASURES, MEASURES, Review

Cell = tuple[str, str]  # text, css class


def _float(value: Any) -> float:
    """A cell as a float, NaN kept (``-`` on the page)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class Cells:
    """Formatted cells of the review's tables, in one language."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr

    def value(self, measure: str, value: Any) -> str:
        return self.tr.usd(value) if measure == "spend_usd" else self.tr.number(value)

    def num(self, text: str) -> Cell:
        return (text, "ap-num")

    def signed(self, measure: str, value: float) -> Cell:
        if not math.isfinite(value) or abs(value) < 1e-9:
            return ("0", "ap-num")
        text = (self.tr.signed_usd(value) if measure == "spend_usd"
                else self.tr.signed(value))
        return (text, "ap-num " + ("ap-pos" if value > 0 else "ap-neg"))

    def pct(self, value: float) -> Cell:
        if not math.isfinite(value):
            return ("-", "ap-num")
        css = "ap-num" + (" ap-neg" if value < -1e-9 else " ap-pos" if value > 1e-9 else "")
        text = self.tr.percent(value / 100, 1)
        return (("+" + text) if value > 1e-9 else text, css)

    def compare(self, measure: str, row: dict[str, Any]) -> list[Cell]:
        return [self.num(self.value(measure, num(row["planned"]))),
                self.num(self.value(measure, num(row["actual"]))),
                self.signed(measure, num(row["deviation"])), self.pct(_float(row["deviation_pct"]))]

    def measure(self, measure: str) -> str:
        unit = MEASURES[measure][1]
        name = label(self.tr, "measure", measure)
        return name if unit == "USD" else f"{name} ({label(self.tr, 'unit', unit)})"

    def met(self, value: object) -> str:
        if value is None:
            return "-"
        return self.tr.gettext("met") if bool(value) else self.tr.gettext("missed")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _by_quarter(review: Review, c: Cells) -> list[tuple[str, list[list[Any]]]]:
    return [(str(period), [[c.measure(str(r["measure"])), *c.compare(str(r["measure"]), r)]
                           for r in _records(rows)])
            for period, rows in review.by_quarter.groupby("period", sort=False)]


def _by_district(review: Review, inputs: PlanInputs, c: Cells) -> list[list[Any]]:
    rows = []
    for district, group in review.by_district.groupby("district_id", sort=False):
        cells: list[Any] = [district_name(inputs, str(district), c.tr)]
        by_measure = {str(r["measure"]): r for r in _records(group)}
        for measure in DISTRICT_MEASURES:
            r = by_measure[measure]
            dev = c.signed(measure, num(r["deviation"]))
            cells.append((f"{c.tr.number(num(r['planned']))} / {c.tr.number(num(r['actual']))} / "
                          f"{dev[0]}", dev[1]))
        rows.append(cells)
    return rows


def _changes(review: Review, inputs: PlanInputs, c: Cells) -> dict[str, list[list[Any]]]:
    tr = c.tr
    farms = [[str(r["site_id"]), district_name(inputs, str(r["district_id"]), tr),
              label(tr, "farm_change", r["change"]), c.num(tr.number(r["previous_size_heads"])),
              c.num(tr.number(r["current_size_heads"])), tr.quarter(r["previous_start"]),
              tr.quarter(r["current_start"])]
             for r in _records(review.farm_changes)]
    houses = [[town_name(inputs, str(r["settlement_id"]), tr),
               district_name(inputs, str(r["district_id"]), tr),
               c.num(tr.number(num(r["previous"]))), c.num(tr.number(num(r["current"]))),
               c.signed("houses_built", num(r["change"]))]
              for r in _records(review.house_changes)]
    remaining = [[tr.quarter(r["period"]), c.measure(str(r["measure"])),
                  c.num(c.value(str(r["measure"]), num(r["previous"]))),
                  c.num(c.value(str(r["measure"]), num(r["current"]))),
                  c.signed(str(r["measure"]), num(r["change"]))]
                 for r in _records(review.remaining) if num(r["previous"]) or num(r["current"])]
    return {"farms": farms, "houses": houses, "remaining": remaining}


def _milestones(review: Review, c: Cells) -> list[list[Any]]:
    rows = []
    for r in _records(review.milestones):
        usd = str(r["metric"]).endswith("_usd")

        def show(value: Any, usd: bool = usd) -> Cell:
            return c.num(c.tr.usd(value) if usd else c.tr.number(value))

        css = "ap-pos" if r["current_met"] else "ap-neg" if r["current_met"] is not None else ""
        rows.append([str(r["name"]), label(c.tr, "metric", r["metric"]), c.tr.quarter(r["by"]),
                     show(r["at_least"]), c.tr.gettext("yes") if r["enforce"] else
                     c.tr.gettext("no"), show(r["previous_value"]), c.met(r["previous_met"]),
                     show(r["previous_margin"]), show(r["current_value"]),
                     (c.met(r["current_met"]), css), show(r["current_margin"])])
    return rows


def _trade(review: Review, c: Cells) -> list[list[Any]]:
    status = {"met": (c.tr.gettext("met"), "ap-pos"), "missed": (c.tr.gettext("missed"), "ap-neg"),
              "open": (c.tr.gettext("not yet"), "")}

    def usd(value: Any) -> Cell:
        return c.num(c.tr.usd(value))

    return [[str(r["year"]), usd(r["baseline_usd"]), usd(r["planned_to_date_usd"]),
             usd(r["exports_to_date_usd"]), usd(r["total_to_date_usd"]), usd(r["target_usd"]),
             usd(r["gap_usd"]), status.get(str(r["status"]), ("-", "")),
             usd(r["projected_total_usd"]), usd(r["projected_gap_usd"])]
            for r in _records(review.trade)]


def _lookup(frame: pd.DataFrame, keys: Sequence[str], column: str) -> dict[tuple[str, ...], float]:
    """``{(key values...): column}`` of a review table."""
    return {tuple(str(r[k]) for k in keys): num(r[column]) for r in _records(frame)}


def _charts(review: Review, tr: Translator) -> list[Chart]:
    _ = tr.gettext
    past = list(review.past_periods)
    shown = [tr.quarter(p) for p in past]
    planned = _lookup(review.by_quarter, ("measure", "period"), "planned")
    actual = _lookup(review.by_quarter, ("measure", "period"), "actual")
    charts = []
    for measure in ("heifers_delivered", "houses_built", "farm_places_started"):
        title = _("%(measure)s per quarter: actual (bars) against the previous plan") % {
            "measure": label(tr, "measure", measure)}
        charts.append(bar_chart(title, label(tr, "unit", MEASURES[measure][1]), shown,
                                {_("actual"): [actual[(measure, p)] for p in past]},
                                {_("planned"): [planned[(measure, p)] for p in past]}))
    exports = [r for r in _records(review.exports) if r["source"] in ("planned", "actual")]
    by_part = {(str(r["source"]), str(r["period"])): r for r in exports}
    if past:
        charts.append(bar_chart(
            _("Belarusian exports per quarter: actual against the previous plan"), _("USD"),
            shown, {label(tr, "export", part): [num(by_part[("actual", p)][part]) for p in past]
                    for part in LABELS["export"]},
            {_("planned"): [num(by_part[("planned", p)]["total_usd"]) for p in past]}))
    spend = _lookup(review.spend, ("category", "period"), "actual")
    categories = dict.fromkeys(c for (c, _p), v in spend.items() if v)
    stacks = {label(tr, "spend", c): [spend[(c, p)] for p in past] for c in categories}
    charts.append(bar_chart(_("Money spent per quarter by category: actual against the plan"),
                            _("USD"), shown, stacks or {_("actual"): [0.0] * len(past)},
                            {_("planned"): [planned[("spend_usd", p)] for p in past]}))
    rest = list(review.remaining_periods)
    if rest:
        previous = _lookup(review.remaining, ("measure", "period"), "previous")
        current = _lookup(review.remaining, ("measure", "period"), "current")
        charts.append(bar_chart(
            _("Spend per remaining quarter: re-plan (bars) against the previous plan"), _("USD"),
            [tr.quarter(p) for p in rest],
            {_("re-plan"): [current[("spend_usd", p)] for p in rest]},
            {_("previous plan"): [previous[("spend_usd", p)] for p in rest]}))
    trade = _records(review.trade)
    if trade:
        targets = [_float(r["target_usd"]) for r in trade]
        charts.append(bar_chart(
            _("Bilateral trade against the targets"), _("USD per year"),
            [str(r["year"]) for r in trade],
            {_("baseline trade"): [num(r["baseline_usd"]) for r in trade],
             _("exports to %(quarter)s") % {"quarter": tr.quarter(review.as_of)}:
                 [num(r["exports_to_date_usd"]) for r in trade],
             _("re-plan, rest of the year"): [num(r["projected_exports_usd"])
                                              - num(r["exports_to_date_usd"]) for r in trade]},
            {_("target"): [v if math.isfinite(v) else None for v in targets]}))
    return charts


def build_review_page(review: Review, previous: Plan, current: Plan, inputs: PlanInputs,
                      previous_dir: str = "", lang: Language = "en") -> str:
    """The review page as a string.

    Parameters
    ----------
    review
        From :func:`agroplan.roadmap.review.build_review`.
    previous, current
        The previous plan and the re-plan (status and solver figures are shown).
    inputs
        The scenario's inputs (district and settlement names).
    previous_dir
        Where the previous plan was read from, shown in the summary ("" to leave out).
    lang
        Language of the page: ``en``, ``az`` or ``ru``.
    """
    tr = translator(lang)
    c = Cells(tr)
    totals = [[c.measure(str(r["measure"])), *c.compare(str(r["measure"]), r)]
              for r in _records(review.totals())]
    spend = review.spend[(review.spend["planned"] != 0) | (review.spend["actual"] != 0)]
    spend_rows = [[tr.quarter(r["period"]), label(tr, "spend", r["category"]),
                   *c.compare("spend_usd", r)] for r in _records(spend)]
    return render_page(
        "review.html", lang, review=review, previous=previous, current=current,
        previous_dir=previous_dir, totals=totals, by_quarter=_by_quarter(review, c),
        spend=spend_rows,
        district_headers=[tr.gettext("%(measure)s: planned / actual / deviation")
                          % {"measure": c.measure(m)} for m in DISTRICT_MEASURES],
        by_district=_by_district(review, inputs, c), changes=_changes(review, inputs, c),
        milestones=_milestones(review, c), trade=_trade(review, c),
        charts=_charts(review, tr),
        facts=page_facts(tr, review.scenario, replan_status(
            tr, current.status, current.relative_gap, review.as_of)))


def render_review_page(review: Review, previous: Plan, current: Plan, inputs: PlanInputs,
                       out_path: Path | str, previous_dir: str = "",
                       lang: Language = "en") -> Path:
    """Write the review page as one self-contained HTML file; returns its absolute path.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_review_page(review, previous, current, inputs, previous_dir, lang)
    check_offline(html, f"the review of {review.scenario}")
    return write_atomic(Path(out_path), html)
