"""The review page: plan against actual, the re-plan's changes, milestones and trade to date.

One self-contained HTML page of tables and inline SVG charts built from a
:class:`~agroplan.roadmap.review.Review`; no script, no external asset, so it opens offline and
prints. Every string passes through :func:`~agroplan.render.text.esc`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.plan.result import Plan
from agroplan.render.frames import district_name, town_name
from agroplan.render.offline import asset_text, check_offline, style_tag, write_atomic
from agroplan.render.svg import bar_chart
from agroplan.render.text import esc, fmt_num, fmt_usd, num
from agroplan.roadmap.review import DISTRICT_MEASURES, MEASURES, Review

EXTRA_CSS = """
td.ap-num { text-align: right; white-space: nowrap; }
td.ap-neg { color: #b42318; } td.ap-pos { color: #1a7f37; }
table.ap-review tr.ap-quarter th { background: #1f7a3a; color: #fff; }
.ap-note { color: #555; font-size: 13px; }
"""

Cell = tuple[str, str]  # text, css class
EXPORT_LABELS = {"heifers_usd": "heifers", "house_kits_usd": "house kits",
                 "equipment_usd": "farm equipment"}


def _value(measure: str, value: float) -> str:
    return fmt_usd(value) if measure == "spend_usd" else fmt_num(value)


def _signed(measure: str, value: float) -> Cell:
    if not math.isfinite(value) or abs(value) < 1e-9:
        return ("0", "ap-num")
    text = _value(measure, abs(value))
    return (("+" if value > 0 else "-") + text, "ap-num " + ("ap-pos" if value > 0 else "ap-neg"))


def _pct(value: float) -> Cell:
    if not math.isfinite(value):
        return ("-", "ap-num")
    css = "ap-num" + (" ap-neg" if value < -1e-9 else " ap-pos" if value > 1e-9 else "")
    return (f"{value:+.1f}%" if abs(value) > 1e-9 else "0.0%", css)


def _num(text: str) -> Cell:
    return (text, "ap-num")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], css: str = "") -> str:
    """A table; a cell is its text, or ``(text, css class)``; every string is escaped."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = [c if isinstance(c, tuple) else (c, "") for c in row]
        body.append("<tr>" + "".join(f'<td class="{esc(k)}">{esc(t)}</td>' if k else
                                     f"<td>{esc(t)}</td>" for t, k in cells) + "</tr>")
    return (f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _compare_cells(measure: str, row: dict[str, Any]) -> list[Cell]:
    return [_num(_value(measure, num(row["planned"]))), _num(_value(measure, num(row["actual"]))),
            _signed(measure, num(row["deviation"])), _pct(_float(row["deviation_pct"]))]


def _float(value: Any) -> float:
    """A cell as a float, NaN kept (``-`` on the page)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _label(measure: str) -> str:
    name, unit = MEASURES[measure]
    return name if unit == "USD" else f"{name} ({unit})"


def _summary(review: Review, previous: Plan, current: Plan, previous_dir: str) -> str:
    past, rest = review.past_periods, review.remaining_periods
    span = _span(past) if past else "no quarter of the horizon"
    gap = "-" if current.relative_gap is None else f"{100 * current.relative_gap:.2f}%"
    totals = review.totals()
    rows = [[_label(str(r["measure"])), *_compare_cells(str(r["measure"]), r)]
            for r in _records(totals)]
    return (
        f"<p>Scenario <b>{esc(review.scenario)}</b>. Actuals up to and including "
        f"<b>{esc(review.as_of)}</b> ({esc(span)}) against the previous plan"
        f"{' (' + esc(previous_dir) + ')' if previous_dir else ''}; the re-plan covers the "
        f"{len(rest)} remaining quarter(s){' from ' + esc(rest[0]) if rest else ''}.</p>"
        f"<p>Re-plan <b>{esc(current.status)}</b>, solver {esc(current.solver)}, gap "
        f"{esc(gap)}; previous plan {esc(previous.status)}.</p>"
        "<h2>Plan against actual, to date</h2>"
        + _table(("Figure", "Planned", "Actual", "Deviation", "Deviation %"), rows, "ap-review")
        + '<p class="ap-note">Deviation = actual - planned; % of the planned figure '
        "(- where nothing was planned).</p>"
    )


def _by_quarter(review: Review) -> str:
    blocks = []
    for period, rows in review.by_quarter.groupby("period", sort=False):
        body = [[_label(str(r["measure"])), *_compare_cells(str(r["measure"]), r)]
                for r in _records(rows)]
        table = _table(("", "Planned", "Actual", "Deviation", "Deviation %"), body)
        head = f'<tr class="ap-quarter"><th colspan="5">{esc(period)}</th></tr>'
        blocks.append(table.replace("<tbody>", "<tbody>" + head, 1))
    return "<h2>By quarter</h2>" + ("".join(blocks)
                                    or "<p>No quarter of the horizon has passed.</p>")


def _spend(review: Review) -> str:
    frame = review.spend[(review.spend["planned"] != 0) | (review.spend["actual"] != 0)]
    rows = [[str(r["period"]), str(r["category"]), *_compare_cells("spend_usd", r)]
            for r in _records(frame)]
    return ("<h3>Money spent by category</h3>"
            + _table(("Quarter", "Category", "Planned", "Actual", "Deviation", "Deviation %"),
                     rows, "ap-review"))


def _by_district(review: Review, inputs: PlanInputs) -> str:
    frame = review.by_district
    headers = ["District"] + [f"{_label(m)}: planned / actual / deviation"
                              for m in DISTRICT_MEASURES]
    rows = []
    for district, group in frame.groupby("district_id", sort=False):
        cells: list[object] = [district_name(inputs, str(district))]
        by_measure = {str(r["measure"]): r for r in _records(group)}
        for measure in DISTRICT_MEASURES:
            r = by_measure[measure]
            dev = _signed(measure, num(r["deviation"]))
            cells.append((f"{fmt_num(num(r['planned']))} / {fmt_num(num(r['actual']))} / "
                          f"{dev[0]}", dev[1]))
        rows.append(cells)
    return ("<h2>By district, to date</h2>" + _table(headers, rows, "ap-review")
            + '<p class="ap-note">Money spent is recorded by quarter and category only, not '
            "by district.</p>")


def _changes(review: Review, inputs: PlanInputs) -> str:
    farms = review.farm_changes
    farm_rows = [[str(r["site_id"]), district_name(inputs, str(r["district_id"])),
                  str(r["change"]), _num(_size(r["previous_size_heads"])),
                  _num(_size(r["current_size_heads"])), str(r["previous_start"]) or "-",
                  str(r["current_start"]) or "-"]
                 for r in _records(farms)]
    house_rows = [[town_name(inputs, str(r["settlement_id"])),
                   district_name(inputs, str(r["district_id"])),
                   _num(fmt_num(num(r["previous"]))), _num(fmt_num(num(r["current"]))),
                   _signed("houses_built", num(r["change"]))]
                  for r in _records(review.house_changes)]
    remaining = [[str(r["period"]), _label(str(r["measure"])),
                  _num(_value(str(r["measure"]), num(r["previous"]))),
                  _num(_value(str(r["measure"]), num(r["current"]))),
                  _signed(str(r["measure"]), num(r["change"]))]
                 for r in _records(review.remaining) if num(r["previous"]) or num(r["current"])]
    rest = review.remaining_periods
    return (
        f"<h2>What the re-plan changed for the remaining quarters"
        f"{' (' + esc(_span(rest)) + ')' if rest else ''}</h2>"
        "<h3>Dairy farms</h3>"
        + (_table(("Site", "District", "Change", "Previous size (head)", "New size (head)",
                   "Previous start", "New start"), farm_rows, "ap-review") if farm_rows
           else "<p>No farm added, removed, resized or rescheduled.</p>")
        + "<h3>Houses per settlement in the remaining quarters</h3>"
        + (_table(("Settlement", "District", "Previous plan", "Re-plan", "Change"), house_rows,
                  "ap-review") if house_rows else "<p>No houses planned.</p>")
        + "<h3>By quarter</h3>"
        + (_table(("Quarter", "Figure", "Previous plan", "Re-plan", "Change"), remaining,
                  "ap-review") if remaining else "<p>No quarter remains.</p>")
    )


def _span(periods: Sequence[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def _size(value: Any) -> str:
    number = _float(value)
    return "-" if not math.isfinite(number) else fmt_num(number)


def _yes_no(value: object) -> str:
    return "-" if value is None else ("met" if bool(value) else "missed")


def _milestones(review: Review) -> str:
    frame = review.milestones
    if frame.empty:
        return "<h2>Milestones</h2><p>The scenario sets no milestones.</p>"
    rows = []
    for r in _records(frame):
        usd = str(r["metric"]).endswith("_usd")

        def show(value: Any, usd: bool = usd) -> str:
            number = _float(value)
            if not math.isfinite(number):
                return "-"
            return fmt_usd(number) if usd else fmt_num(number)

        rows.append([str(r["name"]), str(r["metric"]), str(r["by"]), _num(show(r["at_least"])),
                     "yes" if r["enforce"] else "no",
                     _num(show(r["previous_value"])), _yes_no(r["previous_met"]),
                     _num(show(r["previous_margin"])),
                     _num(show(r["current_value"])),
                     (_yes_no(r["current_met"]),
                      "ap-pos" if r["current_met"] else "ap-neg" if r["current_met"] is not None
                      else ""),
                     _num(show(r["current_margin"]))])
    return ("<h2>Milestones</h2>"
            + _table(("Milestone", "Metric", "By", "At least", "Enforced", "Previous plan",
                      "", "Margin", "Re-plan", "", "Margin"), rows, "ap-review")
            + '<p class="ap-note">Margin = value - required value; the re-plan counts what '
            "actually happened up to the as-of quarter.</p>")


def _status(status: str) -> Cell:
    text = {"met": "met", "missed": "missed", "open": "not yet"}.get(status, "-")
    return (text, {"met": "ap-pos", "missed": "ap-neg"}.get(status, ""))


def _trade(review: Review) -> str:
    trade = review.trade
    if trade.empty:
        return ""

    def usd(value: Any) -> str:
        number = _float(value)
        return "-" if not math.isfinite(number) else fmt_usd(number)

    rows = [[str(r["year"]), _num(usd(r["baseline_usd"])), _num(usd(r["planned_to_date_usd"])),
             _num(usd(r["exports_to_date_usd"])), _num(usd(r["total_to_date_usd"])),
             _num(usd(r["target_usd"])), _num(usd(r["gap_usd"])), _status(str(r["status"])),
             _num(usd(r["projected_total_usd"])), _num(usd(r["projected_gap_usd"]))]
            for r in _records(trade)]
    return ("<h2>Bilateral trade to date against the targets</h2>"
            + _table(("Year", "Baseline", f"Exports planned to {review.as_of}",
                      f"Exports to {review.as_of} (actual)", "Trade to date", "Target",
                      "Gap to date", "Met to date", "Projected with the re-plan",
                      "Projected gap"), rows, "ap-review")
            + '<p class="ap-note">Belarusian exports: heifers delivered, house kits of the '
            "houses built and equipment of the farms started, at the scenario's prices. Trade = "
            "the yearly baseline + those exports in the year; \"not yet\": the year is not over "
            "and the target not reached so far.</p>")


def _lookup(frame: pd.DataFrame, keys: Sequence[str], column: str) -> dict[tuple[str, ...], float]:
    """``{(key values...): column}`` of a review table."""
    return {tuple(str(r[k]) for k in keys): num(r[column]) for r in _records(frame)}


def _charts(review: Review) -> str:
    past = list(review.past_periods)
    planned = _lookup(review.by_quarter, ("measure", "period"), "planned")
    actual = _lookup(review.by_quarter, ("measure", "period"), "actual")
    charts = []
    for measure in ("heifers_delivered", "houses_built", "farm_places_started"):
        name, unit = MEASURES[measure]
        charts.append(bar_chart(
            f"{name} per quarter: actual (bars) against the previous plan", unit, past,
            {"actual": [actual[(measure, p)] for p in past]},
            {"planned": [planned[(measure, p)] for p in past]}))
    exports = [r for r in _records(review.exports) if r["source"] in ("planned", "actual")]
    by_part = {(str(r["source"]), str(r["period"])): r for r in exports}
    if past:
        charts.append(bar_chart(
            "Belarusian exports per quarter: actual against the previous plan", "USD", past,
            {label: [num(by_part[("actual", p)][part]) for p in past]
             for part, label in EXPORT_LABELS.items()},
            {"planned": [num(by_part[("planned", p)]["total_usd"]) for p in past]}))
    spend = _lookup(review.spend, ("category", "period"), "actual")
    categories = dict.fromkeys(c for (c, _p), v in spend.items() if v)
    stacks = {c: [spend[(c, p)] for p in past] for c in categories}
    charts.append(bar_chart("Money spent per quarter by category: actual against the plan",
                            "USD", past, stacks or {"actual": [0.0] * len(past)},
                            {"planned": [planned[("spend_usd", p)] for p in past]}))
    rest = list(review.remaining_periods)
    if rest:
        previous = _lookup(review.remaining, ("measure", "period"), "previous")
        current = _lookup(review.remaining, ("measure", "period"), "current")
        charts.append(bar_chart(
            "Spend per remaining quarter: re-plan (bars) against the previous plan", "USD", rest,
            {"re-plan": [current[("spend_usd", p)] for p in rest]},
            {"previous plan": [previous[("spend_usd", p)] for p in rest]}))
    trade = _records(review.trade)
    if trade:
        targets = [_float(r["target_usd"]) for r in trade]
        charts.append(bar_chart(
            "Bilateral trade against the targets", "USD per year", [str(r["year"]) for r in trade],
            {"baseline trade": [num(r["baseline_usd"]) for r in trade],
             f"exports to {review.as_of}": [num(r["exports_to_date_usd"]) for r in trade],
             "re-plan, rest of the year": [num(r["projected_exports_usd"])
                                           - num(r["exports_to_date_usd"]) for r in trade]},
            {"target": [v if math.isfinite(v) else None for v in targets]}))
    return "<h2>Charts</h2>" + "".join(f"<figure>{c}</figure>" for c in charts)


def build_review_page(review: Review, previous: Plan, current: Plan, inputs: PlanInputs,
                      previous_dir: str = "") -> str:
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
    """
    title = f"Roadmap review: {review.scenario}, as of {review.as_of}"
    body = (_summary(review, previous, current, previous_dir) + _milestones(review)
            + _trade(review) + _charts(review) + _by_quarter(review) + _spend(review)
            + _by_district(review, inputs) + _changes(review, inputs))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc('agroplan ' + title)}</title>"
        f"{style_tag(asset_text('report.css') + EXTRA_CSS)}</head><body>"
        f"<h1>{esc(title)}</h1>{body}</body></html>\n"
    )


def render_review_page(review: Review, previous: Plan, current: Plan, inputs: PlanInputs,
                       out_path: Path | str, previous_dir: str = "") -> Path:
    """Write the review page as one self-contained HTML file; returns its absolute path.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_review_page(review, previous, current, inputs, previous_dir)
    check_offline(html, f"the review of {review.scenario}")
    return write_atomic(Path(out_path), html)
