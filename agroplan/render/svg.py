"""Small inline SVG charts for the report: stacked bars with target marks, and lines.

Plain strings, no plotting library and no scripts, so the report stays self-contained and
prints well. Every label is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from agroplan.render.text import esc

WIDTH, HEIGHT = 940, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 30, 46  # plot margins; the legend sits on the right
PALETTE = ("#1f7a3a", "#d95f02", "#7b3294", "#2171b5", "#b8860b", "#6b6b6b", "#c0392b")


def nice_max(value: float) -> float:
    """Top of a y axis of four equal, round steps that reaches ``value`` (4 for 0)."""
    if value <= 0 or not math.isfinite(value):
        return 4.0
    quarter = value / 4
    power = 10 ** math.floor(math.log10(quarter))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= quarter * 0.999999:
            return float(4 * step * power)
    return float(40 * power)


def short(value: float) -> str:
    """Axis labels: ``1.2 bn``, ``350 M``, ``12 k``, ``40``."""
    magnitude = abs(value)
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if magnitude >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.3g}"


def _frame(title: str, y_label: str, x_labels: Sequence[str], top: float) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{esc(title)}" '
        f'class="ap-chart">',
        f"<title>{esc(title)}</title>",
        f'<text x="{LEFT}" y="18" class="ap-chart-title">{esc(title)}</text>',
        f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle" class="ap-axis">{esc(y_label)}</text>',
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h * (1 - i / 4)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="ap-grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'class="ap-axis">{esc(short(value))}</text>')
    step = max(1, math.ceil(len(x_labels) * 50 / plot_w))  # a label needs ~50 px
    slot = plot_w / max(len(x_labels), 1)
    for i, label in enumerate(x_labels):
        if i % step:
            continue
        x = LEFT + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'class="ap-axis">{esc(label)}</text>')
    return parts


def _legend(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """``(name, colour, kind)`` with kind ``box``, ``line`` or ``mark``."""
    parts = []
    x = WIDTH - RIGHT + 14
    for i, (name, colour, kind) in enumerate(entries):
        y = TOP + 4 + 18 * i
        if kind == "box":
            parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "mark" else ""
            parts.append(f'<line x1="{x}" x2="{x + 14}" y1="{y + 6}" y2="{y + 6}" '
                         f'stroke="{colour}" stroke-width="2.5"{dash}/>')
        parts.append(f'<text x="{x + 20}" y="{y + 11}" class="ap-axis">{esc(name)}</text>')
    return parts


def bar_chart(
    title: str,
    y_label: str,
    x_labels: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    marks: Mapping[str, Sequence[float | None]] | None = None,
) -> str:
    """Stacked bars per x label, with optional horizontal marks (budgets, targets).

    Parameters
    ----------
    title, y_label
        Chart title and y-axis label.
    x_labels
        One label per bar (quarters or years).
    stacks
        Series name -> one value per bar, stacked bottom-up in this order.
    marks
        Series name -> one value (or None) per bar, drawn as a dashed tick across the bar.
    """
    marks = marks or {}
    n = len(x_labels)
    totals = [sum(float(s[i]) for s in stacks.values()) for i in range(n)]
    mark_values = [float(v) for m in marks.values() for v in m if v is not None]
    top = nice_max(max([*totals, *mark_values, 0.0]))
    parts = _frame(title, y_label, x_labels, top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    bar = slot * 0.7
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(stacks)}
    for i, label in enumerate(x_labels):
        base = 0.0
        x = LEFT + slot * i + (slot - bar) / 2
        for name, values in stacks.items():
            value = float(values[i])
            if value <= 0:
                continue
            y0 = TOP + plot_h * (1 - (base + value) / top)
            h = plot_h * value / top
            parts.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colours[name]}"><title>{esc(label)}, {esc(name)}: '
                         f"{esc(short(value))}</title></rect>")
            base += value
    mark_colours = {name: ("#000" if i == 0 else "#c0392b") for i, name in enumerate(marks)}
    for name, mark_values_of in marks.items():
        for i, mark in enumerate(mark_values_of):
            if mark is None:
                continue
            value = float(mark)
            y = TOP + plot_h * (1 - value / top)
            x = LEFT + slot * i + slot * 0.05
            parts.append(f'<line x1="{x:.1f}" x2="{x + slot * 0.9:.1f}" y1="{y:.1f}" '
                         f'y2="{y:.1f}" stroke="{mark_colours[name]}" stroke-width="2" '
                         f'stroke-dasharray="5 3"><title>{esc(x_labels[i])}, {esc(name)}: '
                         f"{esc(short(value))}</title></line>")
    entries = [(n, c, "box") for n, c in colours.items()]
    entries += [(n, c, "mark") for n, c in mark_colours.items()]
    return "\n".join([*parts, *_legend(entries), "</svg>"])


def line_chart(
    title: str, y_label: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float]]
) -> str:
    """One line per series over the x labels."""
    n = len(x_labels)
    top = nice_max(max([float(v) for s in series.values() for v in s] + [0.0]))
    parts = _frame(title, y_label, x_labels, top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    for name, values in series.items():
        points = " ".join(
            f"{LEFT + slot * (i + 0.5):.1f},{TOP + plot_h * (1 - float(v) / top):.1f}"
            for i, v in enumerate(values)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colours[name]}" '
                     'stroke-width="2.5"/>')
        for i, v in enumerate(values):
            x = LEFT + slot * (i + 0.5)
            y = TOP + plot_h * (1 - float(v) / top)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colours[name]}">'
                         f"<title>{esc(x_labels[i])}, {esc(name)}: {esc(short(float(v)))}"
                         "</title></circle>")
    entries = [(n, c, "line") for n, c in colours.items()]
    return "\n".join([*parts, *_legend(entries), "</svg>"])
