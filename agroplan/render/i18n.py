"""Languages: the gettext catalogues, and numbers, money and quarters in each locale.

The one place that knows a language. English is the source language (its text is the
message ids); Azerbaijani (Latin script) and Russian live in the gettext catalogues
``agroplan/locale/<lang>/LC_MESSAGES/agroplan.po``, compiled in memory with Babel the
first time a language is used, so the repository holds no binary ``.mo`` file. Numbers,
US dollars, percentages and quarters are formatted by Babel from the CLDR data of the
locale: ``13 992,5`` (no-break space) in Russian, ``13.992,5`` in Azerbaijani.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)
from babel.support import Translations

from agroplan.config.sections import LANGUAGES, Language
from agroplan.messages import Message
from agroplan.periods import parse_quarter

DOMAIN = "agroplan"
SOURCE_LANGUAGE: Language = "en"
MISSING = "-"


def catalogue_path(lang: str) -> Any:
    """The ``.po`` catalogue of a language (a ``Traversable`` inside the package)."""
    return resources.files("agroplan").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def translations(lang: Language) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: none, the ids are the text).

    Fuzzy entries are left out, as ``msgfmt`` does: a message marked fuzzy shows in English
    until a translator confirms it (the catalogue test fails on it meanwhile).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _with_fraction(pattern: str, digits: int) -> str:
    """A CLDR number pattern with exactly ``digits`` decimals (``#,##0`` -> ``#,##0.0``)."""
    head, _, tail = pattern.partition(".")
    if tail:  # drop the pattern's own decimals, keep what follows them (``¤``, ``%``)
        tail = tail.lstrip("0#")
        pattern = head + tail
    integer = pattern.rfind("0") + 1
    fraction = "." + "0" * digits if digits else ""
    return pattern[:integer] + fraction + pattern[integer:]


@dataclass(frozen=True)
class Translator:
    """Text, numbers and names in one language; get one with :func:`translator`."""

    lang: Language

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    # ------------------------------------------------------------------ text

    def gettext(self, message: str) -> str:
        """``message`` (an English message id) in this language."""
        return translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, count: float) -> str:
        """The form of a message for ``count`` (Russian has three)."""
        return translations(self.lang).ngettext(singular, plural, int(count))

    def message(self, text: str) -> str:
        """A :class:`~agroplan.messages.Message` translated and filled in (values that are
        messages too are translated first); other text as is."""
        if isinstance(text, Message):
            return self.gettext(text.msgid) % {k: self.message(v) if isinstance(v, Message)
                                               else v for k, v in text.values.items()}
        return str(text)

    # ------------------------------------------------------------------ numbers

    def number(self, value: Any, digits: int = 1) -> str:
        """``1,234`` for whole numbers, else ``digits`` decimals (``13 992,5`` in ``ru``)."""
        number = _finite(value)
        if number is None:
            return MISSING
        if abs(number - round(number)) < 1e-9:
            return format_decimal(round(number), format="#,##0", locale=self.lang)
        return format_decimal(number, format=_with_fraction("#,##0", digits), locale=self.lang)

    def fixed(self, value: Any, digits: int = 1) -> str:
        """Always ``digits`` decimals: ``12.0`` (``12,0`` in ``ru`` and ``az``)."""
        number = _finite(value)
        if number is None:
            return MISSING
        return format_decimal(number, format=_with_fraction("#,##0", digits), locale=self.lang)

    def significant(self, value: Any, digits: int = 4) -> str:
        """``digits`` significant digits, grouped: ``0.09202``, ``783.3``, ``12,350``."""
        number = _finite(value)
        if number is None:
            return MISSING
        return format_decimal(float(f"{number:.{digits}g}"), format="#,##0.##########",
                              locale=self.lang)

    def signed(self, value: Any, digits: int = 1) -> str:
        """A difference with its sign: ``+1,200``, ``-35``, ``0``."""
        number = _finite(value)
        if number is None:
            return MISSING
        if abs(number) < 1e-9:
            return "0"
        return ("+" if number > 0 else "-") + self.number(abs(number), digits)

    def usd(self, value: Any) -> str:
        """US dollars as officials read them: ``$1.23B``, ``$45.6M``, ``$12,500`` in ``en``;
        ``1,23 млрд $`` in ``ru``; ``1,23 mlrd US$`` in ``az``."""
        number = _finite(value)
        if number is None:
            return MISSING
        if abs(number) >= 999_950:  # what rounds to a million or more
            # round here, so the unit (M or B) follows the rounded amount
            scale, digits = (1e9, 2) if abs(number) >= 999_950_000 else (1e6, 1)
            return format_compact_currency(round(number / scale, digits) * scale, "USD",
                                           locale=self.lang, fraction_digits=digits)
        pattern = _with_fraction(self.locale.currency_formats["standard"].pattern, 0)
        return format_currency(round(number), "USD", format=pattern, locale=self.lang,
                               currency_digits=False)

    def signed_usd(self, value: Any) -> str:
        """A difference in US dollars with its sign."""
        number = _finite(value)
        if number is None:
            return MISSING
        if abs(number) < 1e-9:
            return "0"
        return ("+" if number > 0 else "-") + self.usd(abs(number))

    def percent(self, share: Any, digits: int = 1) -> str:
        """A share as a percentage: ``12.3%`` (``12,3 %`` in ``ru``)."""
        number = _finite(share)
        if number is None:
            return MISSING
        pattern = _with_fraction(self.locale.percent_formats[None].pattern, digits)
        return format_percent(number, format=pattern, locale=self.lang)

    def compact(self, value: float) -> str:
        """Axis labels: ``1.2B``, ``350M``, ``12K`` (``350 млн`` in ``ru``)."""
        if abs(value) < 1000:
            return format_decimal(value, format="#,##0.##", locale=self.lang)
        return format_compact_decimal(value, locale=self.lang, fraction_digits=2)

    def quarter(self, label: Any) -> str:
        """A quarter label ``2027Q4`` as the locale writes it: ``Q4 2027``, ``2027 4-cü kv.``,
        ``4-й кв. 2027 г.``; text that is not a quarter is returned as it is."""
        if label is None or label == "" or (isinstance(label, float) and math.isnan(label)):
            return MISSING
        return _quarter(str(label), self.lang)

    # ------------------------------------------------------------------ names

    def place(self, names: Any, fallback: str = "") -> str:
        """The name of a settlement or district in this language (``docs/languages.md``).

        ``en``: ``English (Azərbaycanca)``; ``az``: the Azerbaijani name; ``ru``: ``Русское
        (Azərbaycanca)``. A missing form falls back to the Azerbaijani, then the English
        name, then ``fallback`` (the id).
        """
        en, az, ru = (_clean(names.get(k)) for k in ("name_en", "name_az", "name_ru"))
        if self.lang == "az":
            return az or en or fallback
        first = ru if self.lang == "ru" else en
        if first and az and first != az:
            return f"{first} ({az})"
        return first or az or en or fallback


@cache
def _quarter(label: str, lang: str) -> str:
    try:
        year, quarter = parse_quarter(label)
    except ValueError:
        return label
    return format_skeleton("yQQQ", dt.date(year, 3 * quarter - 2, 1), locale=lang)


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


@cache
def translator(lang: Language = SOURCE_LANGUAGE) -> Translator:
    """The :class:`Translator` of ``lang`` (``en``, ``az`` or ``ru``).

    Raises
    ------
    ValueError
        For any other language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return Translator(lang)
