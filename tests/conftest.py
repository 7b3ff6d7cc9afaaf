"""Shared fixtures: the tiny hand-checkable dataset and the default scenario."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from ortools.math_opt.python import mathopt

from agroplan.model import AgroModel

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


class TinyLayers:
    """Edits the layers of a writable copy of the tiny fixture, feature by feature."""

    ids: ClassVar[dict[str, str]] = {"districts": "district_id", "settlements": "settlement_id",
           "farm_sites": "site_id", "hubs": "hub_id", "origins": "origin_id"}

    def __init__(self, scenario: Path) -> None:
        self.scenario = scenario
        self.folder = scenario.parent / "layers"

    def path(self, layer: str) -> Path:
        """Path of a layer file (``clearance`` is the CSV)."""
        suffix = ".csv" if layer == "clearance" else ".geojson"
        return self.folder / f"{layer}{suffix}"

    def collection(self, layer: str) -> dict[str, Any]:
        """The layer's GeoJSON FeatureCollection."""
        loaded: dict[str, Any] = json.loads(self.path(layer).read_text(encoding="utf-8"))
        return loaded

    def write(self, layer: str, collection: dict[str, Any]) -> None:
        """Replace the layer's file with ``collection``."""
        self.path(layer).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    def feature(self, layer: str, feature_id: str) -> dict[str, Any]:
        """One feature of a layer, by id (a dict the caller may change, then ``write``)."""
        for feature in self.collection(layer)["features"]:
            if feature["properties"][self.ids[layer]] == feature_id:
                return dict(feature)
        raise KeyError(feature_id)

    def set(self, layer: str, feature_id: str, **properties: Any) -> None:
        """Change properties of one feature (``None`` writes null)."""
        collection = self.collection(layer)
        for feature in collection["features"]:
            if feature["properties"][self.ids[layer]] == feature_id:
                feature["properties"].update(properties)
                break
        else:
            raise KeyError(feature_id)
        self.write(layer, collection)

    def set_geometry(self, layer: str, feature_id: str, geometry: dict[str, Any] | None) -> None:
        """Replace one feature's geometry."""
        collection = self.collection(layer)
        for feature in collection["features"]:
            if feature["properties"][self.ids[layer]] == feature_id:
                feature["geometry"] = geometry
        self.write(layer, collection)


@pytest.fixture
def tiny_layers(tmp_copy_of_tiny: Path) -> TinyLayers:
    """An editor of the layers of a writable copy of the tiny fixture."""
    return TinyLayers(tmp_copy_of_tiny)


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = TESTS.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian chromium for the whole session (Playwright's sync API allows
    only one running instance per thread)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./.ci/run does)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def axe_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe-core (from axe-playwright-python) on the open page; write what it found to
    ``test-artifacts/axe/<name>.json`` and return the violations (each with its ``impact``:
    minor, moderate, serious or critical)."""
    from axe_playwright_python.sync_playwright import Axe

    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    summary = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]]} for v in violations]
    (folder / f"{name}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return violations


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one line each (rule, help, first nodes)."""
    return [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations if v["impact"] in ("serious", "critical")]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``agroplan <args>`` in this process; return exit code, stdout and stderr.

    Fails the test if anything printed a raw traceback."""
    from agroplan.cli import main

    try:
        code = int(main(list(args)) or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def is_plan(m: AgroModel, values: dict[mathopt.Variable, float]) -> bool:
    """True when every variable fixed at its value leaves the model feasible."""
    bounds = {var: (var.lower_bound, var.upper_bound) for var in values}
    for var, value in values.items():
        var.lower_bound = var.upper_bound = value
    try:
        result = mathopt.solve(m.model, mathopt.SolverType.HIGHS)
    finally:
        for var, (lb, ub) in bounds.items():
            var.lower_bound, var.upper_bound = lb, ub
    return bool(result.termination.reason == mathopt.TerminationReason.OPTIMAL)
