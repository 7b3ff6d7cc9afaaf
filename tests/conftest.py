"""Shared fixtures: the tiny hand-checkable dataset and the default scenario."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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


DATABASE = os.environ.get("AGROPLAN_TEST_DATABASE",
                          "postgresql://agroplan:agroplan-test@127.0.0.1:55432/agroplan_test")
"""The throwaway PostgreSQL + PostGIS server of the tests (``.ci/postgis start``)."""


@pytest.fixture(scope="session")
def database() -> str:
    """The URI of a PostgreSQL database with PostGIS; fails (never skips) without one."""
    import sqlalchemy as sa

    from agroplan.config.sources import hide_password
    from agroplan.layers.postgis import connect

    try:
        with connect(DATABASE).connect() as connection:
            connection.execute(sa.text("SELECT postgis_version()"))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        pytest.fail(f"no PostgreSQL with PostGIS at {hide_password(DATABASE)} ({reason}): "
                    "start one with .ci/postgis start (./.ci/run does), or set "
                    "AGROPLAN_TEST_DATABASE")
    return DATABASE


@pytest.fixture
def schema(database: str) -> Iterator[str]:
    """A new, empty schema of the test database, dropped afterwards."""
    import secrets

    import sqlalchemy as sa

    from agroplan.layers.postgis import connect

    name = f"test_{secrets.token_hex(4)}"
    engine = connect(database)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))


SOFFICE = "/usr/bin/soffice"


def convert_to_csv(workbooks: list[Path], folder: Path) -> dict[str, dict[str, Path]]:
    """Every sheet of each workbook as CSV, converted by LibreOffice Calc (headless), with
    raw cell values (not as formatted); workbook stem -> sheet name -> CSV file. Fails the
    test when LibreOffice is missing or reports an error."""
    import subprocess

    if not Path(SOFFICE).exists():
        pytest.fail(f"{SOFFICE} is missing: apt-get install libreoffice-calc (./.ci/run does)")
    # tokens: comma, double quote, UTF-8, from line 1, no column formats, default language,
    # quoted text, detect numbers, values not as shown, no formulas, keep spaces, all sheets
    options = "44,34,76,1,,0,false,true,false,false,false,-1"
    done = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(folder),
         *map(str, workbooks)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error" not in done.stderr, done.stderr
    sheets: dict[str, dict[str, Path]] = {}
    for book in workbooks:
        prefix = f"{book.stem}-"
        sheets[book.stem] = {p.stem[len(prefix):]: p for p in folder.glob(f"{prefix}*.csv")}
    return sheets


def agroplan_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``agroplan <args>`` in a fresh process, as a user would; no traceback may show."""
    done = subprocess.run([sys.executable, "-m", "agroplan", *args], capture_output=True,
                          text=True, timeout=300, check=False, cwd=cwd)
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.fixture(scope="session")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario's plan folder (read it, do not change it)."""
    folder = tmp_path_factory.mktemp("tiny-plan") / "tiny"
    done = agroplan_process("plan", str(TINY / "scenario.yaml"), "--out", str(folder),
                            "--no-map")
    assert done.returncode == 0, done.stderr
    return folder
