"""The sweep page: one offline HTML file of KPI charts, the Pareto front and the results.

Every KPI is drawn against every parameter (one point per solved run), and the runs that
no other run beats on both cost and families housed are joined as the Pareto front. Inline
SVG only, no script and no external asset, so the page opens offline and prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from agroplan.render.offline import asset_text, check_offline, style_tag, write_atomic
from agroplan.render.svg import nice_max, short
from agroplan.render.text import esc, fmt_num
from agroplan.studies.sweep import KPI_COLUMNS, STATUSES, Sweep, pareto_front

W, H = 460, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 46
SOLVED = ("optimal", "feasible")
KPI_LABELS = {
    "families_housed": "families housed", "farms": "farms built", "herd_heads": "herd (head)",
    "spend_usd": "spend (USD)", "milk_t_per_year": "milk (t/yr)",
    "violations_count": "soft violations",
}


class Point(NamedTuple):
    """A point of a scatter chart; ``tip`` is shown on hover."""

    x: float
    y: float
    tip: str


def _axis(values: Sequence[float]) -> tuple[float, float]:
    """Low and high of an axis: from 0 for non-negative data, else the data's range."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    if low >= 0:
        return 0.0, nice_max(high)
    pad = (high - low) * 0.05 or 1.0
    return low - pad, high + pad


def scatter_chart(title: str, x_label: str, y_label: str, points: Sequence[Point],
                  front: Sequence[Point] = (), categories: Sequence[str] | None = None,
                  x_ticks: Sequence[float] | None = None) -> str:
    """Points on numeric axes (or x categories), with an optional highlighted front line.

    Parameters
    ----------
    title, x_label, y_label
        Texts of the chart (escaped here).
    points
        Every point, drawn grey-green.
    front
        Points joined by a line and drawn larger (the Pareto front), in x order.
    categories
        Labels of the x positions 0, 1, ... when the x values are not numbers.
    x_ticks
        Numeric x values to label (default: five evenly spaced).
    """
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    every = [*points, *front]
    y_low, y_high = _axis([p.y for p in every])
    if categories is not None:
        x_low, x_high = -0.5, len(categories) - 0.5
    else:
        xs = [p.x for p in every] or [0.0]
        pad = (max(xs) - min(xs)) * 0.06 or abs(max(xs)) * 0.1 or 1.0
        x_low, x_high = min(xs) - pad, max(xs) + pad

    def sx(x: float) -> float:
        return LEFT + plot_w * (x - x_low) / (x_high - x_low)

    def sy(y: float) -> float:
        return TOP + plot_h * (1 - (y - y_low) / ((y_high - y_low) or 1.0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-label="{esc(title)}" class="ap-chart">',
        f"<title>{esc(title)}</title>",
        f'<text x="{LEFT}" y="18" class="ap-chart-title">{esc(title)}</text>',
        f'<text x="12" y="{TOP + plot_h / 2}" transform="rotate(-90 12 {TOP + plot_h / 2})" '
        f'text-anchor="middle" class="ap-axis">{esc(y_label)}</text>',
        f'<text x="{LEFT + plot_w / 2}" y="{H - 6}" text-anchor="middle" '
        f'class="ap-axis">{esc(x_label)}</text>',
    ]
    for i in range(5):
        y_value = y_low + (y_high - y_low) * i / 4
        y = sy(y_value)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="ap-grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'class="ap-axis">{esc(short(y_value))}</text>')
    if categories is not None:
        ticks = [(float(i), c) for i, c in enumerate(categories)]
    elif x_ticks is not None:
        ticks = [(float(x), "") for x in x_ticks]
    else:
        ticks = [(x_low + (x_high - x_low) * (i + 0.5) / 5, "") for i in range(5)]
    for x_value, label in ticks:
        text = label or short(x_value)
        parts.append(f'<text x="{sx(x_value):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" '
                     f'class="ap-axis">{esc(text)}</text>')
    for p in points:
        parts.append(f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="4" fill="#1f7a3a" '
                     f'fill-opacity="0.55"><title>{esc(p.tip)}</title></circle>')
    if front:
        line = " ".join(f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in sorted(front))
        parts.append(f'<polyline points="{line}" fill="none" stroke="#d95f02" '
                     'stroke-width="2"/>')
        for p in front:
            parts.append(f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="5.5" '
                         f'fill="#d95f02"><title>{esc(p.tip)}</title></circle>')
    return "\n".join([*parts, "</svg>"])


def _tip(row: pd.Series, names: Sequence[str]) -> str:
    params = ", ".join(f"{n}={_cell(row[n])}" for n in names)
    return (f"run {row['run_id']}: {params}; families {_cell(row['families_housed'])}, "
            f"spend {_cell(row['spend_usd'])} USD")


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isfinite(value):
        return fmt_num(value, 3)
    return str(value)


def _kpi_charts(solved: pd.DataFrame, names: Sequence[str]) -> str:
    charts = []
    for kpi, label in KPI_LABELS.items():
        if kpi not in solved or solved[kpi].isna().all():
            continue
        for name in names:
            column = solved[name]
            numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
                column)
            categories = None if numeric else sorted({str(v) for v in column})
            points = [Point(_x(row[name], categories), float(row[kpi]), _tip(row, names))
                      for _, row in solved.iterrows() if not pd.isna(row[kpi])]
            distinct = sorted({p.x for p in points})
            charts.append(scatter_chart(f"{label} against {name}", name, label, points,
                                        categories=categories,
                                        x_ticks=distinct if len(distinct) <= 8 else None))
    return "".join(f'<figure class="ap-sweep-chart">{c}</figure>' for c in charts)


def _x(value: object, categories: Sequence[str] | None) -> float:
    """A parameter value as an x position: itself, or its category's index."""
    return float(value) if categories is None else float(categories.index(str(value)))  # type: ignore[arg-type]


def _pareto(solved: pd.DataFrame, names: Sequence[str]) -> str:
    if solved.empty:
        return "<p>No run found a plan, so there is no Pareto front.</p>"
    front = pareto_front(solved)

    def point(row: pd.Series) -> Point:
        return Point(float(row["spend_usd"]), float(row["families_housed"]), _tip(row, names))

    chart = scatter_chart("Pareto front: families housed against spend", "spend (USD)",
                          "families housed", [point(r) for _, r in solved.iterrows()],
                          front=[point(r) for _, r in front.iterrows()])
    table = _table(["run", *names, "families housed", "spend (USD)"],
                   [[r["run_id"], *(r[n] for n in names), r["families_housed"], r["spend_usd"]]
                    for _, r in front.iterrows()])
    return (f"<h2>Pareto front</h2><p>{len(front)} of {len(solved)} solved runs are on the "
            "front: no other run spends less and houses at least as many families.</p>"
            f'<figure class="ap-sweep-chart">{chart}</figure>{table}')


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(_cell(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build_sweep_page(frame: pd.DataFrame, sweep: Sweep) -> str:
    """The sweep page as a string."""
    names = sweep.parameter_names
    solved = frame[frame["status"].isin(SOLVED)]
    counts = ", ".join(f"{int((frame['status'] == s).sum())} {s}" for s in STATUSES
                       if (frame["status"] == s).any())
    summary = (f"<p>Sweep <b>{esc(sweep.file.name)}</b> of scenario "
               f"<b>{esc(sweep.scenario_path.name)}</b> ({esc(sweep.config.mode)}): "
               f"{len(frame)} runs, {esc(counts or 'none finished')}.</p>")
    failed = frame[~frame["status"].isin(SOLVED)]
    failures = "" if failed.empty else "<h2>Runs without a plan</h2>" + _table(
        ["run", *names, "status", "reason"],
        [[r["run_id"], *(r[n] for n in names), r["status"], r["error"]]
         for _, r in failed.iterrows()])
    columns = ["run_id", *names, "status", "objective", "gap", "solve_s", "wall_s",
               *KPI_COLUMNS]
    results = "<h2>All runs</h2>" + _table(columns, frame[columns].values.tolist())
    body = (summary + _pareto(solved, names) + "<h2>KPIs against each parameter</h2>"
            + _kpi_charts(solved, names) + failures + results)
    # td: a reason from ``explain`` is several lines
    css = (asset_text("report.css") + ".ap-sweep-chart{display:inline-block;margin:4px}"
           "td{white-space:pre-line}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(f'agroplan sweep: {sweep.file.stem}')}</title>{style_tag(css)}</head>"
        f"<body><h1>{esc(f'Sweep: {sweep.file.stem}')}</h1>{body}</body></html>\n"
    )


def render_sweep_page(frame: pd.DataFrame, sweep: Sweep, out_path: Path) -> Path:
    """Write the sweep page; returns its absolute path.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_sweep_page(frame, sweep)
    check_offline(html, f"the sweep page of {sweep.file.name}")
    return write_atomic(out_path, html)
