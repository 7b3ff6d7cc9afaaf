"""Options shared by several commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import click

from agroplan.config.sections import LANGUAGES, Language
from agroplan.layers.limits import DEFAULT_MAX_FEATURES, DEFAULT_MAX_MEGABYTES, layer_limits

if TYPE_CHECKING:
    from agroplan.config.scenario import Scenario

__all__ = ["LANGUAGE", "choose_language", "language_option", "layer_limit_options"]

LANGUAGE: ContextVar[Language] = ContextVar("agroplan_language", default="en")
"""Language of the command's terminal output and errors, once known (read by ``main``)."""


def language_option(terminal: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``--lang en|az|ru``, the language of the command's pages; with ``terminal`` also
    of its summary and its errors (``plan``, ``map``, ``review``: what officials' staff
    run; the other commands talk to modelers in English). Without it the scenario's
    ``report.language`` holds; the command receives ``lang`` (``None`` when not given)."""

    def remember(_ctx: click.Context, _param: click.Parameter, value: str | None
                 ) -> str | None:
        if value is not None and terminal:
            LANGUAGE.set(value)  # type: ignore[arg-type]
        return value

    what = "pages, the summary and the errors" if terminal else "pages"
    return click.option(
        "--lang", "lang", type=click.Choice(LANGUAGES), default=None, callback=remember,
        help=f"Language of the {what}: en English, az Azerbaijani, ru Russian  "
             "[default: the scenario's report.language, else en]")


def choose_language(given: str | None, scenario: Scenario, terminal: bool = True) -> Language:
    """``--lang`` if given, else the scenario's ``report.language``; with ``terminal`` it
    is also the language of the errors from now on."""
    lang: Language = given if given is not None else scenario.report.language  # type: ignore[assignment]
    if terminal:
        LANGUAGE.set(lang)
    return lang


def layer_limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--max-features`` and ``--max-megabytes`` to a command that reads layers.

    Put it right above the command's function; the command then runs with these limits
    in force for every layer it reads (:func:`agroplan.layers.limits.layer_limits`), as
    ``agroplan validate`` does.
    """

    @functools.wraps(command)
    def run(*args: Any, max_features: int, max_megabytes: float, **kwargs: Any) -> Any:
        with layer_limits(max_features, max_megabytes):
            return command(*args, **kwargs)

    run = click.option("--max-megabytes", type=click.FloatRange(min=0, min_open=True),
                       default=DEFAULT_MAX_MEGABYTES, show_default=True,
                       help="Refuse layer files larger than this.")(run)
    return click.option("--max-features", type=click.IntRange(min=1),
                        default=DEFAULT_MAX_FEATURES, show_default=True,
                        help="Refuse layers with more features than this.")(run)
