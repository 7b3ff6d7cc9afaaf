"""Package attributes imported on first use (PEP 562).

A package whose modules stand at different heights of the pipeline (``roadmap``: reading
actuals sits below the model, re-planning above the solver) cannot import all of them when
it is imported, or a renderer that reads actuals would load the solver. Its ``__init__``
names each public attribute's module instead, and :func:`lazy_exports` imports that module
when the attribute is first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, given name -> submodule (no dots)."""

    def attribute(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def names() -> list[str]:
        return sorted(homes)

    return attribute, names
