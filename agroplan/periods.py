"""Quarters as labels (``"2027Q1"``) and as 0-based indices into a horizon."""

from __future__ import annotations

import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(label: str) -> tuple[int, int]:
    """Return ``(year, quarter)`` of a label such as ``"2027Q3"``.

    Raises
    ------
    ValueError
        If the label is not of the form ``YYYYQn`` with n in 1..4.
    """
    match = _QUARTER.match(str(label).strip())
    if match is None:
        raise ValueError(f"{label!r} is not a quarter; write it as YYYYQn, for example 2027Q1")
    return int(match.group(1)), int(match.group(2))


def quarter_ordinal(label: str) -> int:
    """Number of quarters since 0000Q1, so that differences count quarters."""
    year, quarter = parse_quarter(label)
    return year * 4 + quarter - 1


def quarter_label(ordinal: int) -> str:
    """Inverse of :func:`quarter_ordinal`."""
    return f"{ordinal // 4}Q{ordinal % 4 + 1}"


def quarter_range(start: str, count: int) -> tuple[str, ...]:
    """``count`` consecutive quarter labels from ``start``."""
    first = quarter_ordinal(start)
    return tuple(quarter_label(first + i) for i in range(count))


def quarter_index(label: str, start: str) -> int:
    """Index of ``label`` in a horizon that starts at ``start`` (negative if before it)."""
    return quarter_ordinal(label) - quarter_ordinal(start)


def quarter_year(label: str) -> int:
    """Calendar year of a quarter label."""
    return parse_quarter(label)[0]
