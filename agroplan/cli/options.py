"""Options shared by several commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from agroplan.layers.limits import DEFAULT_MAX_FEATURES, DEFAULT_MAX_MEGABYTES, layer_limits

__all__ = ["layer_limit_options"]


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
