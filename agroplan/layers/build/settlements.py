"""Candidate agro-town settlements: the GeoNames places of the revival districts.

A place belongs to the district of its own GeoNames admin code (``gn_admin1_iso``), not to
the polygon it falls in: Natural Earth's coarse borders put four district towns in the
wrong polygon. Demand (``returning_families``) and land (``max_houses``) are spread from the
Great Return program figures with a documented rule; see ``data/README.md``.
"""

from __future__ import annotations

import difflib
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from agroplan.errors import DataError
from agroplan.layers.build.config import BuildConfig
from agroplan.layers.build.shares import apportion
from agroplan.layers.build.sources import read_vector
from agroplan.periods import quarter_label, quarter_ordinal

SETTLEMENT_COLUMNS = (
    "settlement_id",
    "geonameid",
    "name_en",
    "name_az",
    "name_ru",
    "district_id",
    "population_historical",
    "max_houses",
    "returning_families",
    "available_from",
)
_AZ_ONLY = re.compile("[əƏ]")
_AZ_LETTERS = re.compile("[əƏğĞıİşŞçÇöÖüÜ]")
_LATIN_NAME = re.compile(r"^[A-Za-zəƏğĞıİşŞçÇöÖüÜ' -]+$")
_FOLD = str.maketrans("əƏğĞıİşŞçÇöÖüÜ", "aAgGiIsScCoOuU")
_NOT_A_PLACE = re.compile(r"rayon|rejon|piirikunta", re.IGNORECASE)


def azerbaijani_name(name: str, alternatenames: str | None) -> str:
    """The Azerbaijani form of a GeoNames place name.

    The GeoNames name is kept when it already has Azerbaijani letters. Otherwise the
    alternate names in Latin script with Azerbaijani letters are candidates (forms with ə,
    a letter only Azerbaijani uses, first); the one closest to the GeoNames name wins.
    Without a candidate the GeoNames name is kept.

    Examples
    --------
    >>> azerbaijani_name("Zangilan", "Zangelan|Zəngilan|İçəri")
    'Zəngilan'
    """
    if _AZ_LETTERS.search(name):
        return name
    candidates = sorted(
        {
            alt.strip()
            for alt in (alternatenames or "").split("|")
            if _LATIN_NAME.match(alt.strip())
            and _AZ_LETTERS.search(alt)
            and not _NOT_A_PLACE.search(alt)
        }
    )
    if not candidates:
        return name
    with_schwa = [c for c in candidates if _AZ_ONLY.search(c)]
    pool = with_schwa or candidates
    target = name.casefold()
    return max(
        pool,
        key=lambda c: difflib.SequenceMatcher(None, c.translate(_FOLD).casefold(), target).ratio(),
    )


def build_settlements(config: BuildConfig, districts: pd.DataFrame) -> gpd.GeoDataFrame:
    """Settlements with names, district, historical population, plots, demand and opening."""
    source = config.source("settlements")
    raw = read_vector(config, "settlements")
    raw = raw[raw["gn_admin1_iso"].isin(config.districts.ids)].copy()
    if raw.empty:
        raise DataError(f"{source}: no settlement has a gn_admin1_iso among districts.ids")
    raw["geonameid"] = raw["geonameid"].astype(int)
    raw = raw.sort_values(["gn_admin1_iso", "geonameid"]).reset_index(drop=True)
    names = districts.set_index("district_id")
    frame = pd.DataFrame(
        {
            "settlement_id": [f"gn{g}" for g in raw["geonameid"]],
            "geonameid": raw["geonameid"],
            "name_az": [
                azerbaijani_name(n, a)
                for n, a in zip(raw["name"], raw["alternatenames"], strict=True)
            ],
            "district_id": raw["gn_admin1_iso"],
            "population_historical": raw["population"].fillna(0).astype(int),
        }
    )
    frame["name_ru"] = _russian_names(config, raw)
    seat = _seats(frame, raw["name"], names, source)
    frame["name_en"] = [
        names.loc[d, "name_en"] if s else n
        for d, s, n in zip(frame["district_id"], seat, raw["name"], strict=True)
    ]
    _add_families(config, frame)
    frame["available_from"] = _opening(config, frame, seat)
    return gpd.GeoDataFrame(frame[list(SETTLEMENT_COLUMNS)], geometry=raw.geometry, crs="EPSG:4326")


def _russian_names(config: BuildConfig, raw: pd.DataFrame) -> list[str]:
    """Each place's Russian name from ``settlements.name_ru`` ("" where none is listed).

    Raises
    ------
    DataError
        If a listed form is not among the place's GeoNames alternate names, or a listed id
        is not a place of the revival districts.
    """
    chosen = config.settlements.name_ru
    alternates = {int(g): {a.strip() for a in str(names or "").split("|")}
                  for g, names in zip(raw["geonameid"], raw["alternatenames"], strict=True)}
    problems = [f"settlements.name_ru.{g}: no place of the revival districts has this id"
                for g in chosen if g not in alternates]
    problems += [f"settlements.name_ru.{g}: {name!r} is not among the GeoNames alternate names "
                 "of the place; choose one of them" for g, name in chosen.items()
                 if g in alternates and name not in alternates[g]]
    if problems:
        raise DataError(problems)
    return [chosen.get(int(g), "") for g in raw["geonameid"]]


def _seats(
    frame: pd.DataFrame, gn_names: pd.Series, names: pd.DataFrame, source: object
) -> list[bool]:
    """Mark each district's seat: the place named like its district (English or Azerbaijani)."""
    seat = []
    for district, gn_name, az in zip(frame["district_id"], gn_names, frame["name_az"], strict=True):
        own = {names.loc[district, "name_en"].casefold(), names.loc[district, "name_az"].casefold()}
        seat.append(gn_name.casefold() in own or az.casefold() in own)
    counts = pd.Series(seat).groupby(frame["district_id"].to_numpy()).sum()
    wrong = [f"{d} ({int(n)})" for d, n in counts.items() if n != 1]
    if wrong:
        raise DataError(
            f"{source}: each district needs exactly one seat named like the district; "
            f"found another count in {', '.join(wrong)}"
        )
    return seat


def _add_families(config: BuildConfig, frame: pd.DataFrame) -> None:
    """``max_houses`` and ``returning_families`` from weights (historical population, floored)."""
    rules = config.settlements
    factor = [
        config.districts.never_occupied_factor if d in config.districts.never_occupied else 1.0
        for d in frame["district_id"]
    ]
    weight = frame["population_historical"].clip(lower=rules.weight_floor_people) * factor
    frame["max_houses"] = [
        math.ceil(w / rules.family_size * rules.plots_per_family) for w in weight
    ]
    remaining = rules.families_target - rules.families_returned
    fixed = {
        d: p for d, p in rules.district_people_targets.items() if d in set(frame["district_id"])
    }
    totals = apportion(remaining, [*fixed.values(), rules.people_target - sum(fixed.values())])
    families = pd.Series(0, index=frame.index)
    groups = [(frame["district_id"] == d, total) for d, total in zip(fixed, totals, strict=False)]
    groups.append((~frame["district_id"].isin(list(fixed)), totals[-1]))
    for mask, total in groups:
        if mask.any():
            families[mask] = np.array(apportion(total, weight[mask].tolist()))
    frame["returning_families"] = families.astype(int)


def _opening(config: BuildConfig, frame: pd.DataFrame, seat: list[bool]) -> list[str]:
    """Seats and never-occupied districts open at the start; the others one by one after.

    Within a district, non-seat places open in order of historical population (largest
    first), ``stagger_quarters`` apart.
    """
    rules = config.settlements
    start = quarter_ordinal(rules.start_quarter)
    order = frame.assign(seat=seat).sort_values(
        ["district_id", "seat", "population_historical", "geonameid"],
        ascending=[True, False, False, True],
    )
    opening = {}
    for _, group in order.groupby("district_id", sort=True):
        for rank, (idx, row) in enumerate(group.iterrows()):
            early = row["seat"] or row["district_id"] in config.districts.never_occupied
            opening[idx] = quarter_label(start if early else start + rank * rules.stagger_quarters)
    return [opening[i] for i in frame.index]
