"""The map and report of a real solved plan (the tiny fixture): contents, escaping, offline.

The browser tests (tests/test_browser.py) open these pages in chromium; here the HTML and
the data behind it are checked directly.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import folium.plugins
import pytest

from agroplan.cli import main
from agroplan.config import load_scenario
from agroplan.errors import OutputError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import Layers, read_layers
from agroplan.plan import Plan, write_plan
from agroplan.render import render_outputs, report_path
from agroplan.render.i18n import translator
from agroplan.render.map import OVERLAYS, build_map
from agroplan.render.mapdata import build_map_data
from agroplan.render.offline import (
    check_offline,
    remote_assets,
    safe_json,
    strip_remote_assets,
    write_atomic,
)
from agroplan.render.report import build_report
from agroplan.render.svg import nice_max
from agroplan.solve import solve

EN = translator("en")

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"
XSS = "<script>alert(1)</script>"

Solved = tuple[Plan, PlanInputs, Layers]


def solve_scenario(path: Path) -> Solved:
    scenario = load_scenario(path)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    return solve(inputs), inputs, layers


def copy_with_hostile_names(target: Path) -> Path:
    """The tiny fixture with every settlement's English name set to a script tag."""
    shutil.copytree(TINY.parent, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    layer = target / "layers" / "settlements.geojson"
    data = json.loads(layer.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"]["name_en"] = XSS
    layer.write_text(json.dumps(data), encoding="utf-8")
    return target / "scenario.yaml"


@pytest.fixture(scope="module")
def tiny() -> Solved:
    return solve_scenario(TINY)


@pytest.fixture(scope="module")
def pages(tiny: Solved, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("maps") / "tiny.html"
    map_path, report = render_outputs(*tiny, out)
    assert map_path == out.resolve()
    assert report == report_path(out).resolve() and report.name == "tiny-report.html"
    return map_path.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")


def test_the_tiny_plan_has_something_to_draw(tiny: Solved) -> None:
    plan, _, _ = tiny
    assert plan.has_solution
    assert len(plan.farms) >= 1 and len(plan.agro_towns) >= 1 and len(plan.deliveries) >= 1


def test_map_inlines_leaflet_and_jquery_with_their_licences(pages: tuple[str, str]) -> None:
    html, _ = pages
    assert remote_assets(html) == []
    assert "jsdelivr" not in html and "cdnjs" not in html and "<script src" not in html
    assert "Leaflet 1.9.3" in html and "Vladimir Agafonkin" in html and "BSD 2-Clause" in html
    assert "jQuery v3.7.1" in html and "Permission is hereby granted" in html
    assert "url(images/" not in html  # Leaflet's CSS images are data URIs


def test_map_lists_every_layer_and_the_optional_tiles_are_off(pages: tuple[str, str]) -> None:
    html, _ = pages
    for name, _show in OVERLAYS.values():
        assert json.dumps(name) in html or name in html
    # the online tile layer exists but is not added to the map on opening
    tile_var = re.search(r"var (tile_layer_\w+) = L\.tileLayer", html)
    assert tile_var is not None
    assert f"{tile_var.group(1)}.addTo(" not in html


def test_map_data_follows_the_plan(tiny: Solved) -> None:
    plan, inputs, layers = tiny
    data = build_map_data(plan, inputs, layers)
    periods = list(plan.periods)
    assert data["periods"] == periods
    farms = {f["id"]: f for f in data["farms"]}
    assert set(farms) == set(plan.farms["site_id"])
    for row in plan.farms.itertuples():
        farm = farms[row.site_id]
        assert farm["size"] == row.size_heads
        assert periods[farm["start"]] == row.build_start
        assert periods[farm["op"]] == row.operational_from
        herd = plan.herd[plan.herd["site_id"] == row.site_id].set_index("period")["heads"]
        assert farm["herd"] == [int(herd.get(p, 0)) for p in periods]
    towns = {t["id"]: t for t in data["towns"]}
    assert set(towns) == set(plan.agro_towns["settlement_id"])
    for sid, town in towns.items():
        built = plan.houses[plan.houses["settlement_id"] == sid]["houses"].sum()
        assert town["houses"][-1] == built
    kpi = data["kpi"]
    assert kpi["families"] == [plan.kpis["families_housed_by_period"][p] for p in periods]
    assert kpi["herd"] == [plan.kpis["herd_by_period"][p] for p in periods]
    flows = sum(f["heads"][-1] for f in data["flows"])
    assert flows == plan.deliveries["heads"].sum()
    unchosen = len(layers.farm_sites) - len(plan.farms)
    assert sum(c["kind"] == "site" for c in data["candidates"]) == unchosen


def test_farm_popup_has_the_plan_numbers(tiny: Solved) -> None:
    plan, inputs, layers = tiny
    per_100 = inputs.scenario.farms.workers_per_100_head
    last = EN.quarter(plan.periods[-1])  # 2027Q3 reads "Q3 2027"
    assert last == "Q3 2027"
    for farm in build_map_data(plan, inputs, layers)["farms"]:
        row = plan.farms.set_index("site_id").loc[farm["id"]]
        herd = farm["herd"][-1]
        popup = farm["popup"]
        assert f"<th>Size</th><td>{row.size_heads:,} head</td>" in popup
        assert f"<th>Construction starts</th><td>{EN.quarter(row.build_start)}</td>" in popup
        assert (f"<th>Operational from</th><td>{EN.quarter(row.operational_from)}</td>"
                in popup)
        assert f"<th>Herd ({last})</th><td>{herd:,} head</td>" in popup
        jobs = herd * per_100 / 100
        shown = f"{round(jobs):,}" if jobs == round(jobs) else f"{jobs:,.1f}"
        assert f"<th>Jobs ({last})</th><td>{shown}</td>" in popup
        workforce = plan.table("workforce")
        here = workforce[(workforce["site_id"] == farm["id"]) & (workforce["period"] == last)]
        for town in here[here["workers"] > 0.5]["settlement_id"]:
            assert inputs.settlements.loc[town, "name_en"] in popup.split("Workers live in")[1]


def test_report_has_kpis_roadmap_and_charts_and_no_script(
        tiny: Solved, pages: tuple[str, str]) -> None:
    plan, _, _ = tiny
    _, html = pages
    assert "<script" not in html and remote_assets(html) == []
    assert f"<td>{plan.kpis['families_housed']:,}</td>" in html
    assert html.count("<svg") >= 6  # spend, cumulative spend, families, herd, milk, trade
    for row in plan.farms.itertuples():
        assert f"site {row.site_id}" in html
    for period in plan.periods:
        assert f'<th colspan="3">{EN.quarter(period)}</th>' in html
    for year in (r["year"] for r in plan.kpis["trade"]):
        assert f"<td>{year}</td>" in html


def test_hostile_names_are_escaped_everywhere(tmp_path: Path) -> None:
    solved = solve_scenario(copy_with_hostile_names(tmp_path / "xss"))
    map_html = build_map(*solved).get_root().render()
    report_html = build_report(*solved)
    for html in (map_html, report_html):
        assert XSS not in html
        assert "alert(1)" in html  # the name is there, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report_html
    # in the map's JSON the name is plain text that cannot end the script element (the
    # page's script shows it as text); in a popup it is HTML escaped by the template
    assert "\\u003cscript\\u003ealert(1)" in map_html
    assert "\\u0026lt;script\\u0026gt;alert(1)" in map_html


def test_a_plugin_with_cdn_assets_is_refused(tiny: Solved) -> None:
    fmap = build_map(*tiny)
    folium.plugins.MarkerCluster().add_to(fmap)
    with pytest.raises(OutputError, match="MarkerCluster asks for"):
        strip_remote_assets(fmap.get_root())


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.example.org/x.js"></script>',
    '<link rel="stylesheet" href="https://cdn.example.org/x.css">',
    '<img src="https://example.org/x.png">',
    "<style>.a { background: url(https://example.org/x.png) }</style>",
    "<style>@import 'https://example.org/x.css';</style>",
])
def test_check_offline_refuses_remote_assets(snippet: str) -> None:
    with pytest.raises(OutputError, match="outside the file"):
        check_offline(f"<html><body>{snippet}</body></html>", "the page")


def test_check_offline_accepts_data_uris_links_and_script_code() -> None:
    check_offline(
        '<a href="https://www.openstreetmap.org/copyright">OSM</a>'
        '<img src="data:image/png;base64,AAAA"><style>.a{background:url(data:image/png;'
        'base64,AA)}</style><script>var u = "https://tile.example.org/{z}.png"; '
        "f.getIconUrl(x);</script>",
        "the page",
    )


def test_safe_json_cannot_close_a_script_element() -> None:
    value = {"name": "</script><script>alert(1)</script>", "sep": "a\u2028b", "amp": "&"}
    text = safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_write_atomic_replaces_whole_files_and_reports_bad_folders(tmp_path: Path) -> None:
    target = tmp_path / "maps" / "a.html"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.html"]  # no temp file left
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(blocker / "a.html", "x")


@pytest.mark.parametrize(("value", "top"), [
    (0, 4), (68, 80), (100, 100), (999.6e6, 1e9), (1.01e9, 1.2e9),
])
def test_chart_axes_end_on_round_numbers(value: float, top: float) -> None:
    assert nice_max(value) == pytest.approx(top)


def test_map_command_redraws_a_plan_folder(
        tiny: Solved, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan, inputs, layers = tiny
    write_plan(plan, inputs, tmp_path / "run", layers=layers)
    out = tmp_path / "maps" / "tiny.html"
    main(["map", str(tmp_path / "run"), "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == str(out.resolve())
    assert lines[-2] == f"report: {(tmp_path / 'maps' / 'tiny-report.html').resolve()}"
    html = out.read_text(encoding="utf-8")
    assert all(f'"id":"{site}"' in html for site in plan.farms["site_id"])


def test_map_command_names_a_missing_plan_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["map", str(tmp_path / "nowhere")])
    assert exit_info.value.code == 6
    assert "no such plan folder" in capsys.readouterr().err


def test_a_plan_drawn_on_layers_that_lost_its_farm_site_is_refused(
        tiny: Solved, tmp_path: Path) -> None:
    plan, inputs, _ = tiny
    copy = tmp_path / "tiny"
    shutil.copytree(TINY.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    gone = str(plan.farms["site_id"].iloc[0])
    layer = copy / "layers" / "farm_sites.geojson"
    data = json.loads(layer.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["site_id"] != gone]
    layer.write_text(json.dumps(data), encoding="utf-8")
    layers = read_layers(load_scenario(copy / "scenario.yaml"))
    with pytest.raises(OutputError, match=f"farm site\\(s\\) {gone} that the farm_sites layer"):
        build_map_data(plan, inputs, layers)
