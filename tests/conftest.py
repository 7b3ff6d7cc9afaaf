"""Shared fixtures: the tiny hand-checkable dataset and the default scenario."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TINY = TESTS / "fixtures" / "tiny"


@pytest.fixture
def tiny_scenario_path() -> Path:
    """``tests/fixtures/tiny/scenario.yaml`` (read-only: copy it before changing files)."""
    return TINY / "scenario.yaml"


@pytest.fixture
def default_scenario_path() -> Path:
    """``data/scenarios/default.yaml``, the embedded default scenario."""
    return TESTS.parent / "data" / "scenarios" / "default.yaml"


@pytest.fixture
def tmp_copy_of_tiny(tmp_path: Path) -> Path:
    """A writable copy of the tiny fixture; returns the copied ``scenario.yaml``.

    Its layers are in ``<returned>.parent / "layers"``, so a test may edit or delete them.
    """
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target / "scenario.yaml"
