"""The catalogue of bad inputs, continued: outputs, huge layers, newer plans, re-plan quarters.

Each case runs the real command line and asserts the exit code and the one message: it
names the file, folder or option at fault and the fix, and no traceback reaches the user.
Where a write fails, the previous plan folder is left byte for byte and nothing partial
remains. The failures are real: a folder without write permission (as root, the process
runs without the capability that overrides permissions), a file-size limit
(``RLIMIT_FSIZE``, the kernel's "File too large") standing in for a full disk.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agroplan.cli import main

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
CONFIG, DATA, OUTPUT = 2, 3, 6
TITLES = ("invalid scenario", "invalid data", "output error")
REPLAN = Path(__file__).resolve().parents[1] / "agroplan" / "cli" / "replan.py"


def agroplan(*args: str, cwd: Path | None = None,
             preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``agroplan <args>`` in a fresh process; no traceback may reach the user."""
    done = subprocess.run([sys.executable, "-m", "agroplan", *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=cwd, preexec_fn=preexec)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``agroplan <args>`` in this process; exit code and standard error."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def message(stderr: str) -> str:
    """The error message at the end of standard error, after the progress lines."""
    lines = stderr.strip().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(TITLES))
    return "\n".join(lines[first:])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def beside(folder: Path) -> list[str]:
    """What lies beside ``folder`` in its parent, ``folder`` itself excepted."""
    return sorted(name for name in os.listdir(folder.parent) if name != folder.name)


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan folder of the tiny scenario (copy it before changing it)."""
    folder = tmp_path_factory.mktemp("catalogue") / "run"
    done = agroplan("plan", str(TINY), "--out", str(folder), "--no-map")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def replan_folder(plan_folder: Path) -> Path:
    """A re-plan of the tiny scenario from empty actuals to 2027Q1, replacing ``plan_folder``."""
    if not REPLAN.exists():
        pytest.skip("agroplan replan is not written yet")
    from agroplan.roadmap import ACTUALS_COLUMNS

    actuals = plan_folder.parent / "actuals"
    actuals.mkdir()
    for name, columns in ACTUALS_COLUMNS.items():
        (actuals / f"{name}.csv").write_text(",".join(columns) + "\n", encoding="utf-8")
    folder = plan_folder.parent / "replan"
    done = agroplan("replan", str(TINY), "--actuals", str(actuals), "--as-of", "2027Q1",
                    "--previous", str(plan_folder), "--out", str(folder), "--no-map")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def old_run(plan_folder: Path, tmp_path: Path) -> Path:
    """A writable copy of the tiny plan folder, alone in its parent."""
    folder = tmp_path / "out" / "run"
    shutil.copytree(plan_folder, folder)
    return folder


# --------------------------------------------------------------------------- read-only folders


def _without_permission_override() -> None:
    """In the child, before agroplan starts: as root, give up the capabilities that let
    root write into folders without write permission, so that permissions apply."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop the capability")


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Makes folders read-only (mode 0o555); restores them afterwards."""
    if os.geteuid() == 0:
        probe = subprocess.run([sys.executable, "-c", "pass"], capture_output=True,
                               preexec_fn=_without_permission_override, check=False)
        if probe.returncode != 0:
            pytest.skip("running as root without CAP_SETPCAP: a read-only folder cannot be "
                        "made to refuse root's writes")
    made: list[Path] = []

    def make(folder: Path) -> None:
        folder.chmod(0o555)
        made.append(folder)

    yield make
    for folder in made:
        folder.chmod(0o755)


def test_a_read_only_plan_folder_is_refused_and_left_as_it_was(
        old_run: Path, read_only: Callable[[Path], None]) -> None:
    old = snapshot(old_run)
    read_only(old_run)
    done = agroplan("plan", str(TINY), "--out", str(old_run), "--no-map",
                    preexec=_without_permission_override)
    assert done.returncode == OUTPUT, done.stderr
    assert "model built" not in done.stderr  # refused before the solve
    assert message(done.stderr) == (f"output error: {old_run}: the folder is read-only; make it "
                                   "writable or choose another folder with --out")
    assert snapshot(old_run) == old
    assert beside(old_run) == []


def test_a_new_folder_in_a_read_only_folder_is_refused(
        tmp_path: Path, read_only: Callable[[Path], None]) -> None:
    parent = tmp_path / "shared"
    parent.mkdir()
    read_only(parent)
    done = agroplan("plan", str(TINY), "--out", str(parent / "run"), "--no-map",
                    preexec=_without_permission_override)
    assert done.returncode == OUTPUT, done.stderr
    assert "model built" not in done.stderr  # refused before the solve
    assert (f"output error: {parent / 'run'}: cannot write the new folder beside it in {parent} "
            "(Permission denied)") in done.stderr
    assert f"make {parent} writable or choose another folder with --out" in done.stderr
    assert os.listdir(parent) == []


def test_an_output_folder_inside_a_file_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    code, err = run(capsys, "plan", str(TINY), "--out", str(blocker / "run"), "--no-map")
    assert code == OUTPUT, err
    assert "model built" not in err  # refused before the solve
    assert message(err) == (f"output error: {blocker / 'run'}: the output folder cannot be "
                           f"created ({blocker} is a file, not a folder); choose another "
                           "folder with --out")
    assert blocker.read_text() == "a file, not a folder"


# --------------------------------------------------------------------------- a full disk


def _file_size_limit(size: int) -> Callable[[], None]:
    """In the child: no file may grow beyond ``size`` bytes (writes fail with EFBIG)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    return limit


@pytest.mark.parametrize(("limit", "failing"), [
    (2_000, "plan.json"),  # plan.json (~9 kB) is the first file written
    (40_000, "plan.gpkg"),  # every CSV and JSON fits; the GeoPackage (~160 kB) does not
])
def test_a_full_disk_keeps_the_old_plan_folder_and_leaves_nothing_partial(
        old_run: Path, limit: int, failing: str) -> None:
    old = snapshot(old_run)
    assert len(old["plan.json"]) > 2_000 and len(old["plan.gpkg"]) > 40_000
    assert max(len(data) for name, data in old.items() if name != "plan.gpkg") < 40_000
    done = agroplan("plan", str(TINY), "--out", str(old_run), "--no-map",
                    "--set", "farms.cost_usd_per_place=1500", preexec=_file_size_limit(limit))
    assert done.returncode == OUTPUT, done.stderr
    text = message(done.stderr)
    assert text.startswith(f"output error: {old_run / failing}: cannot be written (")
    assert text.endswith("check that the folder is writable and the disk has space; the "
                         "previous plan folder is unchanged")
    if failing == "plan.json":
        assert "(File too large)" in text
    assert snapshot(old_run) == old
    assert beside(old_run) == []  # no temporary folder, no partial file


# --------------------------------------------------------------------------- escaping paths


@pytest.mark.parametrize("name", ["..", "."])
def test_a_scenario_name_cannot_put_its_plan_folder_outside_runs(
        tmp_path: Path, name: str) -> None:
    done = agroplan("plan", str(TINY), "--no-map", "--set", f"name={name}", cwd=tmp_path)
    assert done.returncode == CONFIG, done.stderr
    assert message(done.stderr) == (f"invalid scenario: name: '{name}' cannot name a plan folder "
                                   "inside runs/; use a name with letters or digits (e.g. "
                                   "default), or give --out")
    assert os.listdir(tmp_path) == []


def test_a_scenario_name_with_a_path_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "plan", str(TINY), "--no-map", "--set", "name=../../x")
    assert code == CONFIG, err
    assert "--set name: must match pattern '^[A-Za-z0-9_.-]{1,64}$' (given: '../../x')" in err


def test_a_symlinked_plan_file_is_replaced_not_followed(old_run: Path, tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere.json"
    victim.write_text("not agroplan's to overwrite")
    (old_run / "plan.json").unlink()
    (old_run / "plan.json").symlink_to(victim)
    done = agroplan("plan", str(TINY), "--out", str(old_run), "--no-map")
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "not agroplan's to overwrite"
    assert not (old_run / "plan.json").is_symlink()
    assert json.loads((old_run / "plan.json").read_text())["scenario"] == "tiny"


def test_a_folder_of_other_files_is_not_replaced(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "budget.xlsx").write_text("a planner's own file")
    code, err = run(capsys, "plan", str(TINY), "--out", str(tmp_path), "--no-map")
    assert code == OUTPUT, err
    assert "model built" not in err  # refused before the solve
    assert message(err) == (f"output error: {tmp_path}: holds files that are not an agroplan "
                           "plan (budget.xlsx); a plan folder is replaced as a whole, so "
                           "choose a new or empty folder with --out")
    assert os.listdir(tmp_path) == ["budget.xlsx"]


def test_the_current_folder_is_not_replaced(tmp_path: Path) -> None:
    done = agroplan("plan", str(TINY), "--out", ".", "--no-map", cwd=tmp_path)
    assert done.returncode == OUTPUT, done.stderr
    assert "model built" not in done.stderr  # refused before the solve
    assert message(done.stderr) == ("output error: .: would replace the root or the current "
                                   "folder; choose another folder with --out")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- huge layers


@pytest.mark.parametrize("command", ["plan", "explain", "check", "map", "compare", "replan",
                                     "review"])
def test_every_command_that_reads_layers_refuses_a_huge_one(
        capsys: pytest.CaptureFixture[str], plan_folder: Path, tmp_path: Path,
        request: pytest.FixtureRequest, command: str) -> None:
    source = {"plan": [str(TINY), "--no-map", "--out", str(tmp_path / "run")],
              "explain": [str(TINY)], "check": [str(plan_folder)],
              "map": [str(plan_folder), "--out", str(tmp_path / "map.html")],
              "compare": [str(plan_folder), str(plan_folder), "--out", str(tmp_path / "cmp")],
              "replan": [str(TINY), "--actuals", str(tmp_path / "actuals"), "--as-of", "2027Q2",
                         "--no-map", "--out", str(tmp_path / "run")]}
    if command == "replan" and not REPLAN.exists():
        pytest.skip("agroplan replan is not written yet")
    if command == "review":
        source["review"] = [str(request.getfixturevalue("replan_folder")),
                            "--out", str(tmp_path / "review.html")]
    code, err = run(capsys, command, *source[command], "--max-features", "2")
    assert code == DATA, err
    assert message(err).startswith("invalid data (3 problems):")
    assert (f"{TINY.parent / 'layers' / 'settlements.geojson'}: has 3 features, more than the "
            "limit of 2; split or simplify the layer, or raise the limit with --max-features") \
        in err
    assert "districts.geojson" not in err  # 2 districts are within the limit
    assert os.listdir(tmp_path) == []


def test_a_layer_file_over_the_size_limit_is_refused_by_check(
        capsys: pytest.CaptureFixture[str], plan_folder: Path) -> None:
    code, err = run(capsys, "check", str(plan_folder), "--max-megabytes", "0.002")
    assert code == DATA, err
    assert (f"{TINY.parent / 'layers' / 'clearance.csv'}: is 0.00262 MB, more than the limit of "
            "0.002 MB; simplify or split the layer, or raise the limit with --max-megabytes") \
        in err


def test_the_limit_holds_only_for_its_own_run(
        capsys: pytest.CaptureFixture[str], plan_folder: Path) -> None:
    assert run(capsys, "check", str(plan_folder), "--max-features", "2")[0] == DATA
    assert run(capsys, "check", str(plan_folder))[0] == 0


# --------------------------------------------------------------------------- newer plan folders


@pytest.mark.parametrize("command", ["check", "map"])
def test_a_plan_folder_from_a_newer_agroplan_is_refused(
        capsys: pytest.CaptureFixture[str], old_run: Path, command: str) -> None:
    data = json.loads((old_run / "plan.json").read_text())
    (old_run / "plan.json").write_text(json.dumps({**data, "schema_version": 99}))
    code, err = run(capsys, command, str(old_run))
    assert code == OUTPUT, err
    assert message(err) == (f"output error: {old_run / 'plan.json'}: written by a newer agroplan "
                           "(plan schema_version 99; this agroplan reads up to 1); upgrade "
                           "agroplan")


@pytest.mark.parametrize("command", ["check", "map"])
def test_a_plan_whose_scenario_is_from_a_newer_agroplan_is_refused(
        capsys: pytest.CaptureFixture[str], old_run: Path, command: str) -> None:
    data = json.loads((old_run / "scenario.json").read_text())
    (old_run / "scenario.json").write_text(json.dumps({**data, "schema_version": 99}))
    code, err = run(capsys, command, str(old_run))
    assert code == OUTPUT, err
    assert f"{old_run / 'scenario.json'}: schema_version: schema_version 99 is newer than this " \
           "agroplan understands (1); upgrade agroplan" in err


# --------------------------------------------------------------------------- re-plan quarters


@pytest.mark.skipif(not REPLAN.exists(), reason="agroplan replan is not written yet")
@pytest.mark.parametrize("as_of", ["2040Q1", "2026Q4"])
def test_an_as_of_quarter_outside_the_horizon_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, as_of: str) -> None:
    code, err = run(capsys, "replan", str(TINY), "--actuals", str(tmp_path), "--as-of", as_of,
                    "--no-map", "--out", str(tmp_path / "run"))
    assert code == CONFIG, err
    assert message(err) == (f"invalid scenario: --as-of {as_of} lies outside the horizon "
                           "2027Q1..2027Q3 of scenario tiny; choose a quarter inside it (the "
                           "last quarter the actuals cover)")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- your own data


def _mine(folder: Path, layers: str) -> Path:
    path = folder / "mine.yaml"
    path.write_text(f"extends: {TINY}\nlayers:\n{layers}", encoding="utf-8")
    return path


def test_an_unknown_mapped_column_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = _mine(tmp_path, "  farm_sites: {path: sites.shp, columns: {distrct_id: district_i}}\n")
    code, err = run(capsys, "validate", str(mine))
    assert code == CONFIG, err
    assert message(err) == (
        f"invalid scenario: {mine}: layers.farm_sites.columns: `distrct_id` is not a column of "
        "the farm_sites layer; map one of site_id, district_id, elevation_m, slope_deg, "
        "max_size_heads, available_from (the name on the left is ours, the one on the right "
        "is yours)")


def test_a_mapping_to_a_missing_column_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copy(TINY.parent / "layers" / "hubs.geojson", tmp_path / "hubs.geojson")
    mine = _mine(tmp_path, "  hubs: {path: hubs.geojson, columns: {mode: transport}}\n")
    code, err = run(capsys, "validate", str(mine))
    assert code == DATA, err
    assert message(err) == (
        f"invalid data: {tmp_path / 'hubs.geojson'}: column `transport` (mapped to mode) is not "
        "in the data (its columns: hub_id, name, mode, capacity_heads_per_quarter, "
        "capacity_timber_m3_per_quarter, schematic, note); correct layers.hubs.columns.mode")


def test_an_unreachable_database_is_named_without_its_password(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = _mine(tmp_path, "  hubs: {path: 'postgresql://planner:s3cret@127.0.0.1:1/gis', "
                           "layer: transport.hubs}\n")
    code, err = run(capsys, "validate", str(mine))
    assert code == DATA, err
    assert message(err) == (
        "invalid data: postgresql://planner:***@127.0.0.1:1/gis table transport.hubs: cannot "
        "connect to the database (Connection refused); check the host, port and database name, "
        "and that the server is running and accepts connections from this machine")
    assert "s3cret" not in err


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_an_actuals_sheet_with_a_wrong_name_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    book = _workbook(tmp_path / "actuals.xlsx", {
        "Farms started": [["site_id", "size_heads", "build_start"], ["AGM-001", 200, "2027Q1"]]})
    code, err = run(capsys, "replan", str(TINY), "--actuals", str(book), "--as-of", "2027Q2",
                    "--no-map", "--out", str(tmp_path / "run"))
    assert code == DATA, err
    assert message(err) == (
        f"invalid data: {book}, sheet Farms started: not an actuals table; name each sheet one "
        "of farms, deliveries, houses, agro_towns, spend, land (sheets whose name starts with _ "
        "are ignored)")
    assert sorted(os.listdir(tmp_path)) == ["actuals.xlsx"]


def test_a_quarter_typed_as_a_date_in_excel_is_named(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import datetime as dt

    book = _workbook(tmp_path / "actuals.xlsx", {
        "farms": [["site_id", "size_heads", "build_start"],
                  ["AGM-001", 200, dt.datetime(2027, 1, 1)]]})
    code, err = run(capsys, "replan", str(TINY), "--actuals", str(book), "--as-of", "2027Q2",
                    "--no-map", "--out", str(tmp_path / "run"))
    assert code == DATA, err
    assert message(err) == (
        f"invalid data: {book}, sheet farms: build_start: is a date, not a quarter (row 2: "
        "'2027-01-01'); type the quarter as text, for example 2027Q3 (a spreadsheet turns some "
        "entries into dates: format the column as Text first)")
