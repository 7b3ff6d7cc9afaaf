"""Actuals: what really happened up to a quarter, to re-plan from and review against.

An actuals folder holds CSV tables (documented in docs/roadmap.md); every table is
optional except that the folder must exist. Columns, units in the names:

``farms.csv``       site_id, size_heads, build_start             (farms started)
``deliveries.csv``  origin_id, hub_id, site_id, period, heads    (heifers delivered)
``houses.csv``      settlement_id, period, houses                (houses built)
``agro_towns.csv``  settlement_id, developed_in                  (agro-towns developed)
``spend.csv``       period, category, usd                        (money spent)
``land.csv``        site_id, released_in                         (land actually released)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ACTUALS_COLUMNS: dict[str, tuple[str, ...]] = {
    "farms": ("site_id", "size_heads", "build_start"),
    "deliveries": ("origin_id", "hub_id", "site_id", "period", "heads"),
    "houses": ("settlement_id", "period", "houses"),
    "agro_towns": ("settlement_id", "developed_in"),
    "spend": ("period", "category", "usd"),
    "land": ("site_id", "released_in"),
}


def empty_actuals_table(name: str) -> pd.DataFrame:
    """An empty actuals table with the columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ACTUALS_COLUMNS[name]})


@dataclass(frozen=True)
class Actuals:
    """What happened in the quarters up to and including ``as_of``.

    Attributes
    ----------
    as_of
        Last quarter the actuals cover (a label such as ``2027Q4``).
    source
        Folder the tables were read from ("" when built in code).
    tables
        Table name (a key of :data:`ACTUALS_COLUMNS`) -> DataFrame with those columns.
    """

    as_of: str
    source: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """An actuals table (empty with the right columns when absent)."""
        found = self.tables.get(name)
        return found if found is not None else empty_actuals_table(name)
