"""Numbers and escaped HTML fragments shared by the map and the report.

Every string that comes from layers, configs or the plan passes through :func:`html.escape`
here, once, before it reaches a page; numbers are formatted the same way everywhere so the
map, the report and the tests agree.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any


def esc(value: object) -> str:
    """Escape any value as HTML text (quotes included, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def num(value: Any) -> float:
    """Any table cell as a float; missing or non-numeric values count as 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def fmt_num(value: float, digits: int = 1) -> str:
    """``1,234`` for whole numbers, ``1,234.5`` otherwise; ``-`` for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def fmt_usd(value: float) -> str:
    """USD amounts as officials read them: ``USD 1.23 bn``, ``USD 456.7 M``, ``USD 12,500``."""
    if value is None or not math.isfinite(value):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1e9:
        return f"USD {value / 1e9:,.2f} bn"
    if magnitude >= 1e6:
        return f"USD {value / 1e6:,.1f} M"
    return f"USD {value:,.0f}"


def table_html(title: str, rows: Iterable[tuple[str, str]], css_class: str = "ap-pop") -> str:
    """A small titled two-column table; every cell is escaped here."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<div class="{css_class}"><h4>{esc(title)}</h4><table>{body}</table></div>'


def names(name_en: object, name_az: object) -> str:
    """``English (Azərbaycan)``, or the one name when both are the same or one is empty."""
    en, az = _clean(name_en), _clean(name_az)
    if en and az and en != az:
        return f"{en} ({az})"
    return en or az


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()
