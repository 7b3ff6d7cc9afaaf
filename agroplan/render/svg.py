"""The geometry of the pages' inline SVG charts: stacked bars with target marks, lines and
scatter plots.

Pure arithmetic, no markup: each function returns a :class:`Chart` of shapes in pixels
that ``templates/charts.html`` draws (escaped and translated there), so the report, the
review and the sweep pages stay self-contained, script-free and printable.

Series are told apart by more than colour: the colours are Okabe and Ito's palette for
colour-blind readers, each bar series has its own texture (:data:`FILLS`) and each line
its own dashes and marker (:data:`DASHES`, :data:`MARKERS`). Each chart also carries its
figures as a table (:attr:`Chart.data`), the text alternative shown under it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 940, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 30, 46  # plot margins; the legend sits on the right
# Okabe & Ito (2008), "Color Universal Design": distinct for the common colour blindnesses
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
FILLS = ("solid", "hatch", "dots", "cross", "rows", "columns", "solid")  # bar textures
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 4", "1 5", "12 4")  # line patterns
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square", "triangle")
MARK_COLOURS = ("#000000", "#D55E00")
CHAR_PX = 6.2  # width of an 11 px axis character, for spacing the x labels


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


@dataclass(frozen=True)
class Tip:
    """What a shape says on hover: its x label, its series and its value."""

    x: str
    series: str
    value: float


@dataclass(frozen=True)
class Shape:
    """One drawn thing. ``kind``: ``rect`` (x, y, w, h), ``mark`` (a dashed line from x to
    x + w at y), ``line`` (``points``), ``dot`` (centre x, y and radius w)."""

    kind: str
    colour: str
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    points: str = ""
    tip: Tip | None = None
    opacity: float = 1.0
    style: int = 0  # the series' index: its texture, dashes and marker


Legend = tuple[str, str, str, int]  # name, colour, kind (box, line or mark), style


@dataclass(frozen=True)
class Chart:
    """A chart in pixels: axes, ticks, shapes and legend (``kind``: box, line or mark), and
    its figures as a table (``data``: column headers, then rows of a label and values)."""

    title: str
    y_label: str
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, width, height
    y_ticks: tuple[tuple[float, float], ...]  # (y px, value)
    x_ticks: tuple[tuple[float, str | float], ...]  # (x px, label or value)
    shapes: tuple[Shape, ...]
    legend: tuple[Legend, ...] = ()
    x_label: str = ""
    legend_x: float = 0.0
    data: tuple[tuple[str, ...], tuple[tuple[str | float | None, ...], ...]] = ((), ())

    @property
    def key(self) -> str:
        """An id prefix for the chart's SVG patterns, unique within a page."""
        return "ap-c" + hashlib.sha1(repr((self.title, self.y_label, self.legend)).encode()
                                     ).hexdigest()[:10]

    def style(self, index: int) -> dict[str, str]:
        """Texture, dashes and marker of the series ``index``."""
        i = index % len(FILLS)
        return {"fill": FILLS[i], "dash": DASHES[i], "marker": MARKERS[i]}


def _y_ticks(top: float, low: float = 0.0) -> tuple[tuple[float, float], ...]:
    plot_h = HEIGHT - TOP - BOTTOM
    return tuple((TOP + plot_h * (1 - i / 4), low + (top - low) * i / 4) for i in range(5))


def _x_ticks(x_labels: Sequence[str]) -> tuple[tuple[float, str | float], ...]:
    """Every label that fits: as many as the longest label leaves room for."""
    plot_w = WIDTH - LEFT - RIGHT
    widest = max((len(label) for label in x_labels), default=1) * CHAR_PX + 10
    step = max(1, math.ceil(len(x_labels) * widest / plot_w))
    slot = plot_w / max(len(x_labels), 1)
    return tuple((LEFT + slot * (i + 0.5), label) for i, label in enumerate(x_labels)
                 if i % step == 0)


def _chart(title: str, y_label: str, x_labels: Sequence[str], top: float,
           shapes: list[Shape], legend: list[Legend],
           series: Mapping[str, Sequence[float | None]]) -> Chart:
    headers = ("", *series)
    rows = tuple((label, *(None if values[i] is None else float(values[i])  # type: ignore[arg-type]
                           for values in series.values()))
                 for i, label in enumerate(x_labels))
    return Chart(title, y_label, WIDTH, HEIGHT,
                 (LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM),
                 _y_ticks(top), _x_ticks(x_labels), tuple(shapes), tuple(legend),
                 legend_x=WIDTH - RIGHT + 14, data=(headers, rows))


def bar_chart(
    title: str,
    y_label: str,
    x_labels: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    marks: Mapping[str, Sequence[float | None]] | None = None,
) -> Chart:
    """Stacked bars per x label, with optional horizontal marks (budgets, targets).

    Parameters
    ----------
    title, y_label
        Chart title and y-axis label, as shown.
    x_labels
        One label per bar (quarters or years), as shown.
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
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    bar = slot * 0.7
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(stacks)}
    styles = {name: i for i, name in enumerate(stacks)}
    shapes = []
    for i, label in enumerate(x_labels):
        base = 0.0
        x = LEFT + slot * i + (slot - bar) / 2
        for name, values in stacks.items():
            value = float(values[i])
            if value <= 0:
                continue
            y0 = TOP + plot_h * (1 - (base + value) / top)
            shapes.append(Shape("rect", colours[name], x, y0, bar, plot_h * value / top,
                                tip=Tip(label, name, value), style=styles[name]))
            base += value
    mark_colours = {name: MARK_COLOURS[i % len(MARK_COLOURS)] for i, name in enumerate(marks)}
    for name, mark_values_of in marks.items():
        for i, mark in enumerate(mark_values_of):
            if mark is None:
                continue
            value = float(mark)
            shapes.append(Shape("mark", mark_colours[name], LEFT + slot * i + slot * 0.05,
                                TOP + plot_h * (1 - value / top), slot * 0.9,
                                tip=Tip(x_labels[i], name, value)))
    legend: list[Legend] = [(n, c, "box", styles[n]) for n, c in colours.items()]
    legend += [(n, c, "mark", 0) for n, c in mark_colours.items()]
    return _chart(title, y_label, x_labels, top, shapes, legend, {**stacks, **marks})


def line_chart(
    title: str, y_label: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float]]
) -> Chart:
    """One line per series over the x labels."""
    n = len(x_labels)
    top = nice_max(max([float(v) for s in series.values() for v in s] + [0.0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    shapes = []
    for index, (name, values) in enumerate(series.items()):
        xy = [(LEFT + slot * (i + 0.5), TOP + plot_h * (1 - float(v) / top))
              for i, v in enumerate(values)]
        shapes.append(Shape("line", colours[name], points=" ".join(
            f"{x:.1f},{y:.1f}" for x, y in xy), style=index))
        shapes += [Shape("dot", colours[name], x, y, 3.5, tip=Tip(x_labels[i], name, float(v)),
                         style=index)
                   for i, ((x, y), v) in enumerate(zip(xy, values, strict=True))]
    return _chart(title, y_label, x_labels, top, shapes,
                  [(n, c, "line", i) for i, (n, c) in enumerate(colours.items())], series)


# ------------------------------------------------------------------ scatter (sweeps)

SCATTER_W, SCATTER_H = 460, 300
S_LEFT, S_RIGHT, S_TOP, S_BOTTOM = 64, 16, 30, 46


@dataclass(frozen=True)
class Point:
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
                  x_ticks: Sequence[float] | None = None) -> Chart:
    """Points on numeric axes (or x categories), with an optional highlighted front line.

    Parameters
    ----------
    title, x_label, y_label
        Texts of the chart, as shown.
    points
        Every point, drawn grey-green.
    front
        Points joined by a line and drawn larger (the Pareto front), in x order.
    categories
        Labels of the x positions 0, 1, ... when the x values are not numbers.
    x_ticks
        Numeric x values to label (default: five evenly spaced).
    """
    plot_w, plot_h = SCATTER_W - S_LEFT - S_RIGHT, SCATTER_H - S_TOP - S_BOTTOM
    every = [*points, *front]
    y_low, y_high = _axis([p.y for p in every])
    if categories is not None:
        x_low, x_high = -0.5, len(categories) - 0.5
    else:
        xs = [p.x for p in every] or [0.0]
        pad = (max(xs) - min(xs)) * 0.06 or abs(max(xs)) * 0.1 or 1.0
        x_low, x_high = min(xs) - pad, max(xs) + pad

    def sx(x: float) -> float:
        return S_LEFT + plot_w * (x - x_low) / (x_high - x_low)

    def sy(y: float) -> float:
        return S_TOP + plot_h * (1 - (y - y_low) / ((y_high - y_low) or 1.0))

    y_ticks = tuple((sy(y_low + (y_high - y_low) * i / 4), y_low + (y_high - y_low) * i / 4)
                    for i in range(5))
    ticks: list[tuple[float, str | float]]
    if categories is not None:
        ticks = [(sx(float(i)), c) for i, c in enumerate(categories)]
    elif x_ticks is not None:
        ticks = [(sx(float(x)), float(x)) for x in x_ticks]
    else:
        ticks = [(sx(v), v) for v in (x_low + (x_high - x_low) * (i + 0.5) / 5 for i in range(5))]
    # every run a circle; the front's runs larger squares on a dashed line
    shapes = [Shape("dot", PALETTE[0], sx(p.x), sy(p.y), 4, tip=Tip(p.tip, "", math.nan),
                    opacity=0.55)
              for p in points]
    if front:
        shapes.append(Shape("line", PALETTE[5], points=" ".join(
            f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in sorted(front, key=lambda p: (p.x, p.y))),
            style=1))
        shapes += [Shape("dot", PALETTE[5], sx(p.x), sy(p.y), 5.5, tip=Tip(p.tip, "", math.nan),
                         style=1)
                   for p in front]
    rows = tuple((p.tip, p.x if categories is None else categories[int(p.x)], p.y)
                 for p in points)
    return Chart(title, y_label, SCATTER_W, SCATTER_H, (S_LEFT, S_TOP, plot_w, plot_h),
                 y_ticks, tuple(ticks), tuple(shapes), x_label=x_label,
                 data=(("", x_label, y_label), rows))
