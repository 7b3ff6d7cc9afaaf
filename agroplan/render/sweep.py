"""The sweep page: one offline HTML file of KPI charts, the Pareto front and the results.

Every KPI is drawn against every parameter (one point per solved run), and the runs that
no other run beats on both cost and families housed are joined as the Pareto front. Inline
SVG only, no script and no external asset, so the page opens offline and prints.
``templates/sweep.html`` lays it out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from agroplan.config.sections import Language
from agroplan.messages import N_
from agroplan.render.i18n import Translator, translator
from agroplan.render.labels import label
from agroplan.render.offline import check_offline, write_atomic
from agroplan.render.paper import PageFacts, page_facts
from agroplan.render.svg import Chart, Point, scatter_chart
from agroplan.render.templating import render_page
from agroplan.studies.sweep import KPI_COLUMNS, STATUSES, Sweep, pareto_front

SOLVED = ("optimal", "feasible")
KPI_LABELS = {
    "families_housed": N_("families housed"), "farms": N_("farms built"),
    "herd_heads": N_("herd (head)"), "spend_usd": N_("spend (USD)"),
    "milk_t_per_year": N_("milk (t/yr)"), "violations_count": N_("soft violations"),
}
RESULT_COLUMNS = ("run_id", "status", "objective", "gap", "solve_s", "wall_s", *KPI_COLUMNS)


def _cell(value: object, tr: Translator) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isfinite(value):
        return tr.number(value, 3)
    return str(value)


def _tip(row: pd.Series, names: Sequence[str], tr: Translator) -> str:
    params = ", ".join(f"{n}={_cell(row[n], tr)}" for n in names)
    return tr.gettext("run %(run)s: %(parameters)s; families %(families)s, spend %(spend)s") % {
        "run": row["run_id"], "parameters": params,
        "families": _cell(row["families_housed"], tr), "spend": tr.usd(row["spend_usd"])}


def _x(value: object, categories: Sequence[str] | None) -> float:
    """A parameter value as an x position: itself, or its category's index."""
    return float(value) if categories is None else float(categories.index(str(value)))  # type: ignore[arg-type]


def _kpi_charts(solved: pd.DataFrame, names: Sequence[str], tr: Translator) -> list[Chart]:
    charts = []
    for kpi, msgid in KPI_LABELS.items():
        if kpi not in solved or solved[kpi].isna().all():
            continue
        kpi_label = tr.gettext(msgid)
        for name in names:
            column = solved[name]
            numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
                column)
            categories = None if numeric else sorted({str(v) for v in column})
            points = [Point(_x(row[name], categories), float(row[kpi]), _tip(row, names, tr))
                      for _, row in solved.iterrows() if not pd.isna(row[kpi])]
            distinct = sorted({p.x for p in points})
            title = tr.gettext("%(kpi)s against %(parameter)s") % {"kpi": kpi_label,
                                                                   "parameter": name}
            charts.append(scatter_chart(title, name, kpi_label, points, categories=categories,
                                        x_ticks=distinct if len(distinct) <= 8 else None))
    return charts


def _pareto_chart(solved: pd.DataFrame, front: pd.DataFrame, names: Sequence[str],
                  tr: Translator) -> Chart:
    def point(row: pd.Series) -> Point:
        return Point(float(row["spend_usd"]), float(row["families_housed"]),
                     _tip(row, names, tr))

    _ = tr.gettext
    return scatter_chart(_("Pareto front: families housed against spend"), _("spend (USD)"),
                         _("families housed"), [point(r) for _i, r in solved.iterrows()],
                         front=[point(r) for _i, r in front.iterrows()])


def _rows(frame: pd.DataFrame, columns: Sequence[str], tr: Translator) -> list[list[str]]:
    return [[_cell(v, tr) for v in row] for row in frame[list(columns)].values.tolist()]


def build_sweep_page(frame: pd.DataFrame, sweep: Sweep, lang: Language = "en") -> str:
    """The sweep page as a string."""
    tr = translator(lang)
    names = sweep.parameter_names
    solved = frame[frame["status"].isin(SOLVED)]
    counts = [(int((frame["status"] == s).sum()), s) for s in STATUSES
              if (frame["status"] == s).any()]
    failed = frame[~frame["status"].isin(SOLVED)]
    front = pareto_front(solved) if not solved.empty else solved
    columns = ["run_id", *names, "status", "objective", "gap", "solve_s", "wall_s",
               *KPI_COLUMNS]
    return render_page(
        "sweep.html", lang, sweep=sweep, runs=len(frame), counts=counts, names=names,
        solved=len(solved), front=len(front),
        pareto=_pareto_chart(solved, front, names, tr) if not solved.empty else None,
        front_rows=_rows(front, ["run_id", *names, "families_housed", "spend_usd"], tr),
        charts=_kpi_charts(solved, names, tr),
        failed=_rows(failed, ["run_id", *names, "status", "error"], tr),
        columns=columns, results=_rows(frame, columns, tr),
        facts=_facts(frame, sweep, counts, tr),
    )


def _facts(frame: pd.DataFrame, sweep: Sweep, counts: list[tuple[int, str]],
           tr: Translator) -> PageFacts:
    """The swept scenario, the runs by status with the largest gap, and today's date."""
    gaps = pd.to_numeric(frame.get("gap", pd.Series(dtype=float)), errors="coerce").dropna()
    status = tr.ngettext("%(num)s run (%(statuses)s), largest gap %(gap)s",
                         "%(num)s runs (%(statuses)s), largest gap %(gap)s", len(frame)) % {
        "num": tr.number(len(frame)),
        "statuses": ", ".join(f"{tr.number(n)} {label(tr, 'status', s)}" for n, s in counts)
        or "-",
        "gap": tr.percent(gaps.max() if len(gaps) else None, 2)}
    return page_facts(tr, sweep.scenario_path.stem, status)


def render_sweep_page(frame: pd.DataFrame, sweep: Sweep, out_path: Path,
                      lang: Language = "en") -> Path:
    """Write the sweep page; returns its absolute path.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_sweep_page(frame, sweep, lang)
    check_offline(html, f"the sweep page of {sweep.file.name}")
    return write_atomic(out_path, html)
