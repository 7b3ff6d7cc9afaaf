"""Fuzz the command line with mutated configs and layer files; print a table of outcomes.

Each case is a copy of the tiny fixture (tests/fixtures/tiny) with random edits: ``--set``
overrides at random dotted paths with random values and types, and feature edits in the
layer files (NaN, infinite and negative numbers, wrong types, deleted or renamed columns,
duplicated or deleted features, broken geometries, another CRS, truncated files, bad
clearance rows). Every case runs ``agroplan validate`` through :func:`agroplan.cli.main`
in this process; a valid case is then solved (``agroplan plan --no-map``) and its plan
checked (``agroplan check``).

A run fails (exit 1) when any case shows a raw traceback or an internal error, or a plan
that fails its check. Usage::

    python3 benchmarks/fuzz.py [--cases 1000] [--seed 0] [--keep-failures DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from agroplan.cli import main

TINY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tiny"
CASE_SECONDS = 60
GEOJSON = ["districts", "settlements", "farm_sites", "hubs", "origins", "context"]

BAD_KEYS = ["schema_version", "name", "horizon", "horizon.start", "horizon.quarters",
            "layers", "layers.districts", "layers.clearance", "layers.hubs", "farms",
            "farms.sizes_heads", "farms.sizes_heads.0", "farms.cost_usd_per_place",
            "farms.build_quarters", "farms.fodder_ha_per_head", "cattle.hubs_per_site",
            "houses.timber_m3_per_house", "land.fodder_share_of_cleared",
            "distances.metric_crs", "distances.commuting_radius_km", "budget",
            "budget.usd_per_quarter", "budget.carry_over", "supply.heifer_factor",
            "trade.targets", "trade.targets.0.year", "trade.targets.0.total_usd",
            "objective.kind", "objective.weights", "objective.weights.milk_t",
            "objective.priorities", "objective.tolerance", "solver", "solver.backend",
            "solver.time_limit_s", "solver.threads", "solver.seed", "extends", "description"]
BAD_VALUES = ["0", "-1", "1e400", "-1e400", ".nan", ".inf", "-.inf", "null", "~", "[]", "{}",
              "true", "no", "2027Q5", "2026Q4", "1999Q1", "2100Q1", "EPSG:4326", "EPSG:0",
              "EPSG:999999", "[1, a]", "{a: 1}", "'", "[", "*a", "&a [1]",
              "!!python/object/apply:os.system ['true']", "2027Q1", "highs", "cpsat",
              "lexicographic", "../../etc/passwd", "/dev/null", "-5", "1.5", "0.0",
              "99999999999999999999999", '""', "[{year: 2027}]", "[families]", "1_000",
              "0x10", "1e-300", "[100, 100]", "[-100]", "[0]"]
# overrides that keep the scenario valid, so that plans are solved and checked too
GOOD = [
    ("budget.usd_per_quarter", lambda r: str(r.choice([0, 1e5, 5e5, 1.5e6, 3e6, 1e9]))),
    ("budget.carry_over", lambda r: r.choice(["true", "false"])),
    ("farms.cost_usd_per_place", lambda r: str(r.randint(100, 5000))),
    ("farms.sizes_heads", lambda r: r.choice(["[100]", "[200]", "[100, 200]", "[50, 150]"])),
    ("farms.build_quarters", lambda r: str(r.randint(0, 2))),
    ("houses.cost_usd", lambda r: str(r.randint(1000, 200000))),
    ("supply.heifer_factor", lambda r: str(round(r.uniform(0, 2), 2))),
    ("supply.timber_factor", lambda r: str(round(r.uniform(0, 2), 2))),
    ("supply.hub_capacity_factor", lambda r: str(round(r.uniform(0, 2), 2))),
    ("horizon.quarters", lambda r: str(r.randint(1, 5))),
    ("land.fodder_share_of_cleared", lambda r: str(round(r.uniform(0, 1), 2))),
    ("distances.commuting_radius_km", lambda r: str(r.choice([1, 5, 10, 20, 50]))),
    ("cattle.hubs_per_site", lambda r: str(r.randint(1, 2))),
    ("objective.kind", lambda r: r.choice(["weighted", "lexicographic"])),
    ("solver.backend", lambda r: r.choice(["highs", "scip", "cpsat"])),
    ("trade.targets",
     lambda r: r.choice(["[]", "[{year: 2027, total_usd: 4.3e8, enforce: true}]"])),
]


class CaseTimeout(BaseException):
    """A case ran longer than CASE_SECONDS (BaseException, so the CLI cannot swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout


# ------------------------------------------------------------------------ mutations


def random_value(r: random.Random) -> str:
    """A random override value: a nasty literal, a number, or random text."""
    kind = r.random()
    if kind < 0.5:
        return r.choice(BAD_VALUES)
    if kind < 0.7:
        return str(r.choice([r.randint(-10**12, 10**12), r.uniform(-1e9, 1e9)]))
    alphabet = "abcXYZ019 .:-_[]{},'\"&*!#|>\\é\t"
    return "".join(r.choice(alphabet) for _ in range(r.randint(0, 12)))


def random_key(r: random.Random) -> str:
    """A random dotted path: a real key, a real key with a made-up child, or noise."""
    kind = r.random()
    if kind < 0.7:
        return r.choice(BAD_KEYS)
    if kind < 0.85:
        return f"{r.choice(BAD_KEYS)}.{r.choice(['x', '0', '-1', '5', 'start', '__class__'])}"
    return ".".join("".join(r.choice("abxyz_0") for _ in range(r.randint(0, 5)))
                    for _ in range(r.randint(1, 3)))


def config_edits(r: random.Random, good_only: bool) -> list[str]:
    """``--set`` arguments: valid ones, and (unless ``good_only``) random bad ones."""
    args: list[str] = []
    for key, value in r.sample(GOOD, r.randint(0, 3)):
        args += ["--set", f"{key}={value(r)}"]
    if not good_only:
        for _ in range(r.randint(1, 3)):
            args += ["--set", f"{random_key(r)}={random_value(r)}"]
    return args


def _coords_map(geometry: Any, fn: Any) -> Any:
    if isinstance(geometry, list):
        if geometry and all(isinstance(c, (int, float)) for c in geometry):
            return fn(geometry)
        return [_coords_map(part, fn) for part in geometry]
    return geometry


PROPERTY_EDITS = ["nan", "inf", "negative", "wrong_type", "delete_column", "rename_column",
                  "duplicate_id", "delete_feature", "empty", "huge_number", "null_value",
                  "extra_column"]
GEOMETRY_EDITS = ["null_geometry", "broken_geometry", "geometry_type", "bowtie", "crs",
                  "swap_lonlat", "projected_numbers", "outside"]
BROKEN = [
    {"type": "Point", "coordinates": []},
    {"type": "Point", "coordinates": ["a", "b"]},
    {"type": "Polygon", "coordinates": [[[46, 40], [47, 40]]]},
    {"type": "Polygon", "coordinates": []},
    {"type": "LineString", "coordinates": [[46, 40]]},
    {"type": "Nonsense", "coordinates": [1, 2]},
    {"type": "Point"},
]
OTHER_TYPES = [
    {"type": "Point", "coordinates": [46.9, 40.0]},
    {"type": "Polygon", "coordinates": [[[46.9, 40.0], [47.0, 40.0], [47.0, 40.1],
                                         [46.9, 40.0]]]},
    {"type": "LineString", "coordinates": [[46.9, 40.0], [47.0, 40.1]]},
    {"type": "GeometryCollection", "geometries": []},
]
BOWTIE = {"type": "Polygon", "coordinates": [
    [[46.8, 39.9], [47.1, 40.2], [47.1, 39.9], [46.8, 40.2], [46.8, 39.9]]]}
CRS_NAMES = ["urn:ogc:def:crs:EPSG::32638", "urn:ogc:def:crs:EPSG::3857", "EPSG:999999",
             "nonsense"]


def mutate_geojson(data: dict[str, Any], r: random.Random) -> str:
    """Apply one random edit to a FeatureCollection; return what was done."""
    features = data.get("features", [])
    if not features:
        return "none"
    edit = r.choice(PROPERTY_EDITS + GEOMETRY_EDITS)
    if edit in PROPERTY_EDITS:
        _edit_properties(features, r.choice(features), edit, r)
    else:
        _edit_geometry(data, r.choice(features), edit, r)
    return edit


def _edit_properties(features: list[Any], feature: dict[str, Any], edit: str,
                     r: random.Random) -> None:
    props = feature.get("properties") or {}
    keys = list(props)
    numeric = [k for k in keys if isinstance(props[k], (int, float))
               and not isinstance(props[k], bool)]
    if edit in ("nan", "inf", "negative", "huge_number") and numeric:
        key = r.choice(numeric)
        props[key] = {"nan": math.nan, "inf": r.choice([math.inf, -math.inf]),
                      "negative": -abs(props[key]) - 1, "huge_number": 1e308}[edit]
    elif edit in ("wrong_type", "null_value") and keys:
        props[r.choice(keys)] = None if edit == "null_value" else r.choice(
            ["abc", "", [1, 2], {"a": 1}, True, 1.5, "2027Q9"])
    elif edit in ("delete_column", "rename_column") and keys:
        key = r.choice(keys)
        for other in features:
            value = (other.get("properties") or {}).pop(key, None)
            if edit == "rename_column":
                other.setdefault("properties", {})[key + "_x"] = value
    elif edit == "extra_column":
        for other in features:
            other.setdefault("properties", {})["unexpected"] = r.choice([1, "x", None])
    elif edit == "duplicate_id":
        features.append(copy.deepcopy(feature))
    elif edit == "delete_feature":
        features.remove(feature)
    elif edit == "empty":
        features.clear()


def _edit_geometry(data: dict[str, Any], feature: dict[str, Any], edit: str,
                   r: random.Random) -> None:
    features = data["features"]
    if edit in ("null_geometry", "broken_geometry", "geometry_type", "bowtie"):
        feature["geometry"] = {"null_geometry": None, "bowtie": copy.deepcopy(BOWTIE),
                               "broken_geometry": copy.deepcopy(r.choice(BROKEN)),
                               "geometry_type": copy.deepcopy(r.choice(OTHER_TYPES))}[edit]
    elif edit == "crs":
        data["crs"] = {"type": "name", "properties": {"name": r.choice(CRS_NAMES)}}
    elif edit in ("swap_lonlat", "projected_numbers"):
        def move(c: list[float]) -> list[float]:
            return [c[1], c[0], *c[2:]] if edit == "swap_lonlat" else [c[0] * 1e4, c[1] * 1e5]
        for other in features:
            if other.get("geometry"):
                other["geometry"]["coordinates"] = _coords_map(
                    other["geometry"].get("coordinates"), move)
    elif edit == "outside" and (feature.get("geometry") or {}).get("type") == "Point":
        feature["geometry"]["coordinates"] = r.choice([[30.0, 50.0], [181.0, 40.0],
                                                       [46.0, 95.0]])


def mutate_clearance(path: Path, r: random.Random) -> str:
    """Apply one random edit to clearance.csv; return what was done."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    if not rows:
        return "clearance_none"  # emptied earlier in this case
    i = r.randrange(len(rows))
    cells = rows[i].split(",")
    edit = r.choice(["delete_row", "nan", "negative", "text", "drop_column", "duplicate_row",
                     "bad_period", "unknown_district", "short_row", "empty", "inf"])
    if len(cells) < 3:  # a row shortened earlier in this case
        edit = "delete_row"
    if edit == "delete_row":
        rows.pop(i)
    elif edit in ("nan", "negative", "text", "inf"):
        cells[2] = {"nan": "nan", "negative": "-5", "text": "lots", "inf": "inf"}[edit]
        rows[i] = ",".join(cells)
    elif edit == "drop_column":
        header = ",".join(header.split(",")[:2])
        rows = [",".join(row.split(",")[:2]) for row in rows]
    elif edit == "duplicate_row":
        rows.insert(i, rows[i])
    elif edit == "bad_period":
        cells[1] = r.choice(["2027Q5", "2027", "", "Q1-2027"])
        rows[i] = ",".join(cells)
    elif edit == "unknown_district":
        cells[0] = "AZ-XXX"
        rows[i] = ",".join(cells)
    elif edit == "short_row":
        rows[i] = cells[0]
    elif edit == "empty":
        rows = []
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return "clearance_" + edit


def mutate_layers(folder: Path, r: random.Random) -> list[str]:
    """Apply 1-3 random edits to the layer files in ``folder``; return what was done."""
    done = []
    for _ in range(r.randint(1, 3)):
        name = r.choice([*GEOJSON, "clearance", "truncate"])
        if name == "clearance":
            done.append(mutate_clearance(folder / "clearance.csv", r))
        elif name == "truncate":
            path = folder / f"{r.choice(GEOJSON)}.geojson"
            text = path.read_bytes()
            path.write_bytes(text[: r.randrange(len(text))])
            done.append(f"truncate_{path.stem}")
        else:
            path = folder / f"{name}.geojson"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue  # truncated earlier in this case
            done.append(f"{name}_{mutate_geojson(data, r)}")
            path.write_text(json.dumps(data), encoding="utf-8")  # NaN and Infinity as is
    return done


# ------------------------------------------------------------------------ running


def run_cli(args: list[str]) -> tuple[int | str, str]:
    """Run ``agroplan <args>`` in this process: exit code (or "raw"/"timeout") and output."""
    out, err = io.StringIO(), io.StringIO()
    signal.alarm(CASE_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args)
        code: int | str = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except CaseTimeout:
        code = "timeout"
    except Exception:  # escaping main() is exactly what is counted
        code = "raw"
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
    return code, out.getvalue() + err.getvalue()


def raw_failure(code: int | str, text: str) -> bool:
    """Whether the user would see a traceback or an internal error."""
    return code in ("raw", 70) or "Traceback" in text or "internal error" in text


def run_case(index: int, r: random.Random, work: Path) -> dict[str, Any]:
    """One fuzz case: build the mutated copy, validate it, solve and check it when valid."""
    case = work / f"case{index:05d}"
    shutil.copytree(TINY, case, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    kind = r.choice(["config", "layers", "both", "valid"])
    edits: list[str] = []
    if kind in ("layers", "both"):
        edits += mutate_layers(case / "layers", r)
    args = config_edits(r, good_only=kind in ("layers", "valid"))
    edits += [a for a in args if a != "--set"]
    scenario = str(case / "scenario.yaml")
    result: dict[str, Any] = {"case": index, "kind": kind, "edits": edits}
    code, text = run_cli(["validate", scenario, *args])
    result.update(validate=code, raw=raw_failure(code, text), text=text[-3000:])
    if code == 0:
        code, text = run_cli(["plan", scenario, "--out", str(case / "run"), "--no-map", *args])
        result.update(plan=code, raw=result["raw"] or raw_failure(code, text),
                      text=text[-3000:])
        if code == 0:
            code, text = run_cli(["check", str(case / "run")])
            result.update(check=code, raw=result["raw"] or raw_failure(code, text),
                          text=text[-3000:])
    if not (result["raw"] or result.get("check", 0) not in (0,)
            or result.get("plan") == 7 or code == "timeout"):
        shutil.rmtree(case, ignore_errors=True)
    return result


def main_fuzz(argv: list[str] | None = None) -> int:
    """Run the cases, print the table, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep-failures", type=Path, default=None,
                        help="folder to keep failing cases in (default: a temporary one)")
    opts = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _on_alarm)
    table = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # solver banners go to stderr, the table alone to stdout
    if opts.keep_failures is not None:
        opts.keep_failures.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="agroplan-fuzz-", dir=opts.keep_failures))
    r = random.Random(opts.seed)
    started = time.perf_counter()
    results = [run_case(i, random.Random(r.getrandbits(64)), work) for i in range(opts.cases)]
    seconds = time.perf_counter() - started

    validate = Counter(str(x["validate"]) for x in results)
    solved = [x for x in results if "plan" in x]
    plans = Counter(str(x["plan"]) for x in solved)
    checks = Counter(str(x["check"]) for x in results if "check" in x)
    raw = [x for x in results if x["raw"]]
    timeouts = [x for x in results if "timeout" in (x["validate"], x.get("plan"))]
    check_failures = [x for x in results if x.get("check", 0) != 0 or x.get("plan") == 7]
    rows = [
        ("cases", len(results)),
        ("  of which config / layers / both / valid-only edits",
         " / ".join(str(sum(x["kind"] == k for x in results))
                    for k in ("config", "layers", "both", "valid"))),
        ("valid (validate exit 0)", validate.get("0", 0)),
        ("rejected, exit 2 (scenario)", validate.get("2", 0)),
        ("rejected, exit 3 (data)", validate.get("3", 0)),
        ("rejected, other exit codes", sum(v for k, v in validate.items()
                                           if k not in ("0", "2", "3"))),
        ("plan runs: exit codes", ", ".join(f"{k}: {v}" for k, v in sorted(plans.items()))),
        ("checks run / passed", f"{sum(checks.values())} / {checks.get('0', 0)}"),
        ("raw tracebacks / internal errors", len(raw)),
        ("check failures", len(check_failures)),
        (f"timeouts (> {CASE_SECONDS} s)", len(timeouts)),
        ("seconds", f"{seconds:.0f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"agroplan fuzz: seed {opts.seed}", file=table)
    for name, value in rows:
        print(f"{name:<{width}}  {value}", file=table)
    for x in (raw + check_failures + timeouts)[:10]:
        print(f"\ncase {x['case']} ({x['kind']}): {x['edits']}\n{x['text'][-1500:]}",
              file=table)
    if raw or check_failures or timeouts:
        print(f"\nfailing cases kept in {work}", file=table)
    else:
        shutil.rmtree(work, ignore_errors=True)
    table.flush()
    return 1 if raw or check_failures else 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
