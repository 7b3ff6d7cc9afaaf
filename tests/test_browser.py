"""The map and report of a real solved plan, opened in headless chromium with no network.

Every request that is not ``file://`` is aborted and counted as a failure; console errors,
page errors and dialogs are collected. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS
from test_render import TINY, XSS, Solved, copy_with_hostile_names, solve_scenario

from agroplan.render import render_outputs
from agroplan.render.i18n import translator
from agroplan.render.map import BASEMAP_NAME, OVERLAYS, TILES_NAME

EN = translator("en")

pytestmark = pytest.mark.browser

# the session's one headless chromium is the `browser` fixture of conftest.py


@dataclass
class Opened:
    """A page opened offline, with everything that went wrong while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.errors + [f"request {u}" for u in self.blocked] + [
            f"dialog {d}" for d in self.dialogs]


@contextmanager
def open_offline(browser: Any, path: Path, size: tuple[int, int] = (1280, 800)) -> Iterator[Opened]:
    """Open ``path`` in a new page of ``size`` (width, height); a phone-sized page (less
    than 600 px wide) is a touch screen, as on a phone."""
    phone = size[0] < 600
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  has_touch=phone, is_mobile=phone)
    page = context.new_page()
    opened = Opened(page)

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            opened.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("requestfailed", lambda r: opened.errors.append(f"failed {r.url}")
            if r.url.startswith("file://") else None)
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def tiny() -> Solved:
    return solve_scenario(TINY)


@pytest.fixture(scope="module")
def pages(tiny: Solved, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return render_outputs(*tiny, tmp_path_factory.mktemp("maps") / "tiny.html")


@pytest.fixture(scope="module")
def tiny_map(browser: Any, pages: tuple[Path, Path]) -> Iterator[Opened]:
    with open_offline(browser, pages[0]) as opened:
        yield opened


def farm_marker_count(page: Any) -> int:
    return int(page.locator(".leaflet-marker-pane .ap-farm[data-site]").count())


def shown(page: Any) -> tuple[str, str, int, int]:
    """What the slider changes: the quarter, families housed by then, farms by state."""
    return (page.inner_text(".ap-quarter"), page.inner_text('[data-kpi="families"]'),
            page.locator(".leaflet-marker-pane .ap-farm-op").count(),
            page.locator(".leaflet-marker-pane .ap-farm-build").count())


def test_map_opens_offline_with_every_layer_in_the_control(tiny_map: Opened) -> None:
    page = tiny_map.page
    page.screenshot(path=str(ARTIFACTS / "map-tiny.png"))
    assert tiny_map.problems == []
    labels = [t.strip() for t in page.locator(".leaflet-control-layers label").all_inner_texts()]
    expected = [BASEMAP_NAME, TILES_NAME, *(name for name, _ in OVERLAYS.values())]
    assert labels == expected
    # drawn: the basemap and districts on canvas, the KPI panel filled in
    assert page.locator(".leaflet-pane canvas").count() >= 2
    assert page.inner_text(".ap-kpi .ap-kpi-title") == "tiny"
    boxes = page.locator(".leaflet-control-layers input")
    checked = [boxes.nth(i).is_checked() for i in range(boxes.count())]
    assert checked == [True, False, *(show for _, show in OVERLAYS.values())]


def test_one_marker_per_farm_of_the_plan(tiny_map: Opened, tiny: Solved) -> None:
    plan, _, _ = tiny
    page = tiny_map.page
    assert farm_marker_count(page) == len(plan.farms)
    sites = page.locator(".leaflet-marker-pane .ap-farm[data-site]").evaluate_all(
        "els => els.map(e => e.dataset.site)")
    assert sorted(sites) == sorted(plan.farms["site_id"])
    toggle = page.locator(".leaflet-control-layers label", has_text=OVERLAYS["farms"][0])
    toggle.locator("input").uncheck()
    assert farm_marker_count(page) == 0
    toggle.locator("input").check()
    assert farm_marker_count(page) == len(plan.farms)


def test_time_slider_replays_the_plan(tiny_map: Opened, tiny: Solved) -> None:
    plan, _, _ = tiny
    page = tiny_map.page
    periods = [EN.quarter(p) for p in plan.periods]
    at_end = shown(page)
    slider = page.locator(".ap-slider")
    slider.focus()
    page.keyboard.press("Home")
    at_start = shown(page)
    first = plan.periods[0]
    building = sum((plan.farms["build_start"] <= first) & (plan.farms["operational_from"] > first))
    operating = sum(plan.farms["operational_from"] <= first)
    assert at_start == (periods[0], f"{plan.kpis['families_housed_by_period'][first]:,}",
                        operating, building)
    assert at_start != at_end
    page.screenshot(path=str(ARTIFACTS / "map-tiny-first-quarter.png"))
    page.keyboard.press("End")
    assert shown(page) == at_end
    assert at_end[0] == periods[-1]
    assert at_end[2] == sum(plan.farms["operational_from"] <= plan.periods[-1])
    assert tiny_map.problems == []


FILLS = """() => { const out = [];
    agroplan.groups.districts.eachLayer(g => g.eachLayer && g.eachLayer(
        l => out.push(l.options.fillColor)));
    return out; }"""


def test_play_button_steps_through_the_quarters(tiny_map: Opened, tiny: Solved) -> None:
    page = tiny_map.page
    periods = [EN.quarter(p) for p in tiny[0].periods]
    page.locator(".ap-slider").focus()
    page.keyboard.press("End")
    page.locator(".ap-play").click()
    assert page.inner_text(".ap-quarter") == periods[0]  # replays from the start
    page.wait_for_function(f"document.querySelector('.ap-quarter').textContent === "
                           f"'{periods[-1]}'", timeout=5000)
    assert tiny_map.problems == []


def test_districts_can_be_coloured_by_herd(tiny_map: Opened) -> None:
    page = tiny_map.page
    by_families = page.evaluate(FILLS)
    page.locator('.ap-legend input[value="herd"]').check()
    by_herd = page.evaluate(FILLS)
    assert len(by_herd) == len(by_families) >= 1
    assert by_herd != by_families
    assert "Herd (head)" in page.inner_text(".ap-legend")
    page.locator('.ap-legend input[value="families"]').check()
    assert page.evaluate(FILLS) == by_families


def test_clicking_a_farm_opens_its_popup_with_the_plan_numbers(
        tiny_map: Opened, tiny: Solved) -> None:
    plan, inputs, _ = tiny
    page = tiny_map.page
    last = EN.quarter(plan.periods[-1])
    per_100 = inputs.scenario.farms.workers_per_100_head
    for row in plan.farms.itertuples():
        page.locator(f'.ap-farm[data-site="{row.site_id}"]').click()
        # a closed popup fades out for a moment, so pick this farm's popup
        popup = page.locator(".leaflet-popup-content", has_text=f"Dairy farm {row.site_id}")
        popup.wait_for()
        text = popup.inner_text()
        herd = int(plan.herd[(plan.herd["site_id"] == row.site_id)
                             & (plan.herd["period"] == plan.periods[-1])]["heads"].sum())
        jobs = herd * per_100 / 100
        assert f"Dairy farm {row.site_id}" in text
        assert f"Size\t{row.size_heads:,} head" in text
        assert f"Construction starts\t{EN.quarter(row.build_start)}" in text
        assert f"Operational from\t{EN.quarter(row.operational_from)}" in text
        assert f"Herd ({last})\t{herd:,} head" in text
        assert f"Jobs ({last})\t{round(jobs):,}" in text or f"{jobs:,.1f}" in text
        page.locator(".leaflet-popup", has_text=f"Dairy farm {row.site_id}").locator(
            ".leaflet-popup-close-button").click()
        popup.wait_for(state="detached")
    page.screenshot(path=str(ARTIFACTS / "map-tiny-after-popups.png"))
    assert tiny_map.problems == []


def test_candidate_layer_can_be_switched_on(tiny_map: Opened) -> None:
    page = tiny_map.page
    name = OVERLAYS["candidates"][0]
    on_map = "agroplan.map.hasLayer(agroplan.groups.candidates)"
    assert page.evaluate(on_map) is False
    page.locator(".leaflet-control-layers label", has_text=name).locator("input").check()
    assert page.evaluate(on_map) is True
    assert page.evaluate("agroplan.groups.candidates.getLayers().length") >= 1
    assert tiny_map.problems == []


def test_report_opens_offline_with_its_charts(browser: Any, pages: tuple[Path, Path]) -> None:
    with open_offline(browser, pages[1]) as opened:
        page = opened.page
        page.screenshot(path=str(ARTIFACTS / "report-tiny.png"), full_page=True)
        assert opened.problems == []
        sizes = page.locator("svg.ap-chart").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)")
        assert len(sizes) >= 6 and min(sizes) > 100
        assert page.locator("table.ap-roadmap tr.ap-quarter").count() == 3


def test_hostile_names_show_as_text_and_run_nothing(browser: Any, tmp_path: Path) -> None:
    solved = solve_scenario(copy_with_hostile_names(tmp_path / "xss"))
    map_path, report = render_outputs(*solved, tmp_path / "maps" / "xss.html")
    town = solved[0].agro_towns["settlement_id"].iloc[0]
    with open_offline(browser, map_path) as opened:
        page = opened.page
        # agro-towns are drawn on canvas: click where the town is, as an official would
        point = page.evaluate(
            """id => { const t = JSON.parse(document.getElementById('agroplan-data').textContent)
                         .towns.find(x => x.id === id);
                       const p = agroplan.map.latLngToContainerPoint(t.ll);
                       const r = agroplan.map.getContainer().getBoundingClientRect();
                       return [r.left + p.x, r.top + p.y]; }""", town)
        page.mouse.click(*point)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert XSS in popup.inner_text()
        page.screenshot(path=str(ARTIFACTS / "map-xss.png"))
        assert opened.problems == []
    with open_offline(browser, report) as opened:
        assert XSS in opened.page.inner_text("body")
        assert opened.problems == []


@pytest.mark.slow
def test_default_plan_map_and_report_open_offline(browser: Any, tmp_path: Path) -> None:
    """The default plan in every language; in English also at three screen sizes, where
    no panel covers a farm, an agro-town or a hub, and printed to PDF."""
    from test_print import map_page, page_png, pdf_pages, pixels_of
    from test_responsive import SIZES, assert_nothing_covered

    from agroplan.render.pdf import write_pdfs
    from agroplan.render.static_map import FARM

    default = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "default.yaml"
    plan, inputs, layers = solve_scenario(default)
    map_path, report = render_outputs(plan, inputs, layers, tmp_path / "default.html", "en")
    for size in SIZES:
        with open_offline(browser, map_path, size) as opened:
            page = opened.page
            page.wait_for_function("agroplanShell.started")
            page.screenshot(path=str(ARTIFACTS / f"map-default-{size[0]}x{size[1]}.png"))
            assert_nothing_covered(page, ".leaflet-marker-pane .ap-farm[data-site]",
                                   len(plan.farms))
            assert opened.problems == []
    report_pdf, map_pdf = write_pdfs([report, map_path])
    pages, _ = pdf_pages(report_pdf)
    n = map_page(report_pdf, pages, "Where the plan builds")
    png = page_png(report_pdf, n, ARTIFACTS / "report-default-print-map-page.png")
    assert pixels_of(png, FARM) > 10 * len(plan.farms)
    assert pdf_pages(map_pdf)[0] == 1
    page_png(map_pdf, 1, ARTIFACTS / "map-default-print.png")
    for lang in ("en", "az", "ru"):
        map_path, report = render_outputs(plan, inputs, layers, tmp_path / f"default-{lang}.html",
                                          lang)
        suffix = "" if lang == "en" else f"-{lang}"
        with open_offline(browser, map_path) as opened:
            page = opened.page
            page.screenshot(path=str(ARTIFACTS / f"map-default{suffix}.png"))
            assert opened.problems == []
            assert page.evaluate("document.documentElement.lang") == lang
            assert farm_marker_count(page) == len(plan.farms) > 0
            towns = page.evaluate("agroplan.groups.towns.getLayers().length")
            assert towns == len(set(plan.agro_towns["settlement_id"]))
            assert page.locator(".ap-origin").count() == len(layers.origins)
        with open_offline(browser, report) as opened:
            opened.page.screenshot(path=str(ARTIFACTS / f"report-default{suffix}.png"),
                                   full_page=True)
            assert opened.problems == []
            assert opened.page.locator("svg.ap-chart").count() >= 6
