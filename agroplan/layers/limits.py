"""The layer size limits in force for one command run.

``agroplan validate`` passes its ``--max-features`` and ``--max-megabytes`` to
:func:`agroplan.layers.read_layers` directly; every other command that reads layers (often
deep inside, e.g. re-planning) runs within :func:`layer_limits`, and ``read_layers`` takes
the limits in force when it is not given any.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agroplan.layers.checks import Problems

__all__ = ["DEFAULT_MAX_FEATURES", "DEFAULT_MAX_MEGABYTES", "current_layer_limits",
           "layer_limits", "over_limit"]

DEFAULT_MAX_FEATURES = 200_000
"""Largest number of features read from one layer."""
DEFAULT_MAX_MEGABYTES = 500.0
"""Largest layer file read, in megabytes."""

_LIMITS: ContextVar[tuple[int | None, float | None]] = ContextVar(
    "agroplan_layer_limits", default=(None, None))


@contextmanager
def layer_limits(max_features: int | None = None,
                 max_megabytes: float | None = None) -> Iterator[None]:
    """Within the block, layers are read with these limits (``None``: the default one).

    Parameters
    ----------
    max_features
        A layer with more features than this is refused before it is read.
    max_megabytes
        A layer file larger than this is refused before it is read.
    """
    token = _LIMITS.set((max_features, max_megabytes))
    try:
        yield
    finally:
        _LIMITS.reset(token)


def current_layer_limits() -> tuple[int | None, float | None]:
    """The limits set by the innermost :func:`layer_limits` (``None`` where none is set)."""
    return _LIMITS.get()


def over_limit(count: int, max_features: int, problems: Problems, noun: str = "features") -> bool:
    """Whether ``count`` features (or rows) exceed ``max_features``; if so, say it."""
    if count <= max_features:
        return False
    problems.add(f"has {count} {noun}, more than the limit of {max_features}",
                 "select or keep fewer, or raise the limit with --max-features" if noun == "rows"
                 else "split or simplify the layer, or raise the limit with --max-features")
    return True
