"""Whole-number apportionment: split a total by weights so the parts add up exactly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by the largest-remainder method.

    Ties in the remainders go to the earlier item, so the result is deterministic.

    Examples
    --------
    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError(
            "apportion needs a non-negative total and non-negative weights with a positive sum"
        )
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    short = total - int(parts.sum())
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    return [int(p) for p in parts]
