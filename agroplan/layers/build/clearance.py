"""Mine clearance over time: the national rate, spread over districts, and release dates.

No open contamination polygons exist, so clearance is an assumption built on published
national figures: area cleared before the first quarter, then a yearly rate spread evenly
over the quarters. Every district is assumed to clear the same fraction of its suspected
area each quarter, and land in a district that was never suspected is free from the start:

    free_share(d, q) = 1 - c_d + c_d * cleared(q) / suspected_total,   c_d = suspected_d / area_d

``cleared_agricultural_ha`` is the district's agricultural land times its free share: the
farmland usable (never suspected or cleared) by the end of the quarter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agroplan.layers.build.config import BuildConfig
from agroplan.periods import quarter_label, quarter_ordinal, quarter_year

CLEARANCE_COLUMNS = ("district_id", "period", "cleared_agricultural_ha")


def quarters(config: BuildConfig) -> list[str]:
    """Quarter labels from ``clearance.first_quarter`` to ``clearance.last_quarter``."""
    first = quarter_ordinal(config.clearance.first_quarter)
    last = quarter_ordinal(config.clearance.last_quarter)
    return [quarter_label(o) for o in range(first, last + 1)]


def cleared_fraction(config: BuildConfig) -> tuple[float, pd.Series]:
    """Share of the suspected area cleared before the first quarter and by the end of each.

    Returns
    -------
    (at_start, by_end)
        ``by_end`` is indexed by quarter label; values are capped at 1.
    """
    rules = config.clearance
    cumulative = rules.cleared_before_first_quarter_ha
    at_start = min(1.0, cumulative / rules.suspected_total_ha)
    values = []
    labels = quarters(config)
    for label in labels:
        rate = rules.rate_ha_per_year.get(quarter_year(label), rules.default_rate_ha_per_year)
        cumulative += rate / 4
        values.append(min(1.0, cumulative / rules.suspected_total_ha))
    return at_start, pd.Series(values, index=labels, dtype=float)


def contaminated_share(districts: pd.DataFrame) -> pd.Series:
    """``c_d``: suspected share of each district's area, indexed by district_id."""
    share = districts["suspected_ha"] / (districts["area_km2"] * 100.0)
    return pd.Series(share.to_numpy(), index=districts["district_id"], dtype=float)


def build_clearance(config: BuildConfig, districts: pd.DataFrame) -> pd.DataFrame:
    """Cumulative usable agricultural hectares per district and quarter (long table)."""
    _, by_end = cleared_fraction(config)
    c = contaminated_share(districts)
    rows = []
    for district, area_km2, agri in zip(
        districts["district_id"],
        districts["area_km2"],
        districts["agricultural_share"],
        strict=True,
    ):
        free = 1.0 - c[district] + c[district] * by_end.to_numpy()
        hectares = np.rint(area_km2 * 100.0 * agri * free).astype(int)
        rows += [(district, q, int(h)) for q, h in zip(by_end.index, hectares, strict=True)]
    return pd.DataFrame(rows, columns=list(CLEARANCE_COLUMNS))


def release_quarters(
    config: BuildConfig, district_share: float, rank_shares: np.ndarray
) -> list[str]:
    """Quarter from which land at each rank share of a district is free of mines.

    Land is ranked within its district in clearing order (0 = first, 1 = last). Land whose
    rank share is within the district's free share before the first quarter is available
    from the first quarter; other land from the quarter after the one by whose end the free
    share reaches its rank share (after ``last_quarter`` if it never does).

    Parameters
    ----------
    district_share
        ``c_d``, the suspected share of the district's area.
    rank_shares
        Rank shares in (0, 1].
    """
    at_start, by_end = cleared_fraction(config)
    free_start = 1.0 - district_share + district_share * at_start
    free_end = 1.0 - district_share + district_share * by_end.to_numpy()
    first = quarter_ordinal(by_end.index[0])
    labels = []
    for share in rank_shares:
        if share <= free_start + 1e-12:
            labels.append(quarter_label(first))
            continue
        reached = np.flatnonzero(free_end >= share - 1e-12)
        offset = int(reached[0]) + 1 if reached.size else len(free_end)
        labels.append(quarter_label(first + offset))
    return labels
