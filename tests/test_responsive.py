"""The map pages on a small laptop, a large one and a phone (agroplan/assets/shell.js).

At 1024 x 680, 1366 x 768 and 390 x 844 the plan map, the review map and the comparison
open with their places in view and uncovered: at the centre of every farm marker,
``document.elementFromPoint`` finds a farm marker, and at every farm, agro-town and hub
the map opens on, no panel or button. Below 1280 px the panels are folded into buttons;
on the phone every control is at least 44 px each way; the layer toggles, the panels and
the quarter slider work from the keyboard. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS, axe_violations, serious
from test_browser import Opened, open_offline
from test_languages import render_pages
from test_review import solve_pinned

from agroplan.render.i18n import translator
from agroplan.render.map import OVERLAYS

pytestmark = pytest.mark.browser

SIZES = [(1024, 680), (1366, 768), (390, 844)]
MAP_PAGES = ("map", "review_map", "compare")
# a farm's marker on each page
FARMS = {"map": ".leaflet-marker-pane .ap-farm[data-site]",
         "review_map": ".leaflet-marker-pane .ap-rv-farm",
         "compare": "path.ap-farm"}
EN = translator("en")

# Where each farm marker's centre is and what is on top there; then the same for every
# place the map opened on (the shell's fit points: farms, agro-towns, hubs).
COVERAGE = """farms => {
  const map = agroplanShell.maps[0], frame = map.getContainer().getBoundingClientRect();
  const where = (x, y) => {
    const hit = document.elementFromPoint(x, y);
    const inside = x >= frame.left && x <= frame.right && y >= frame.top && y <= frame.bottom;
    return {x: Math.round(x), y: Math.round(y), inside: inside,
            panel: !!(hit && hit.closest('.leaflet-control-container')),
            farm: !!(hit && hit.closest(farms)),
            what: hit ? (hit.getAttribute('class') || hit.tagName) : null};
  };
  const markers = [...document.querySelectorAll(farms)].map(el => {
    const r = el.getBoundingClientRect();
    return where(r.left + r.width / 2, r.top + r.height / 2);
  });
  const settings = JSON.parse(document.getElementById('ap-shell').textContent);
  const places = settings.fit.map(ll => {
    const p = map.latLngToContainerPoint(ll);
    return where(frame.left + p.x, frame.top + p.y);
  });
  return {markers: markers, places: places};
}"""

# every control a finger can use, with the box it answers to (a checkbox: its label)
TARGETS = """() => [...document.querySelectorAll(
    '.leaflet-control-container a[href], .leaflet-control-container button, ' +
    '.leaflet-control-container input, .leaflet-control-container [role=button]')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const box = (el.closest('label') || el).getBoundingClientRect();
               return {what: el.outerHTML.slice(0, 80), w: box.width, h: box.height}; })"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_pages(solve_pinned(), tmp_path_factory.mktemp("responsive"), "en")


def started(opened: Opened) -> Any:
    opened.page.wait_for_function("window.agroplanShell && agroplanShell.started")
    return opened.page


def assert_nothing_covered(page: Any, farms: str, expected_farms: int) -> None:
    found = page.evaluate(COVERAGE, farms)
    markers, places = found["markers"], found["places"]
    assert len(markers) == expected_farms > 0
    covered = [m for m in markers if not (m["inside"] and m["farm"] and not m["panel"])]
    assert covered == [], f"farm markers not on top at their centre: {covered}"
    hidden = [p for p in places if not p["inside"] or p["panel"]]
    assert hidden == [], f"places under a panel or off the map: {hidden}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", MAP_PAGES)
def test_no_panel_covers_the_plan_at_first_view(browser: Any, pages: dict[str, Path],
                                                name: str, size: tuple[int, int]) -> None:
    with open_offline(browser, pages[name], size) as opened:
        page = started(opened)
        page.screenshot(path=str(ARTIFACTS / f"{name}-tiny-{size[0]}x{size[1]}.png"),
                        full_page=name == "compare")
        if name == "compare":  # the map is half-way down the page: scroll to it
            page.locator(".folium-map").evaluate("el => el.scrollIntoView()")
        expected = {"map": 2, "review_map": 5, "compare": 5}[name]
        assert_nothing_covered(page, FARMS[name], expected)
        folded = page.locator(".ap-fold[aria-expanded=false]").count()
        opened_panels = page.locator(".ap-fold[aria-expanded=true]").count()
        # the comparison's map is never 1280 px wide: its page is a column of 1100 px
        if page.evaluate("agroplanShell.maps[0].getSize().x") < 1280:
            assert folded >= 1 and opened_panels == 0  # every panel a button
        else:
            assert folded == 0 and opened_panels >= 1
        assert opened.problems == []


def test_a_tap_opens_the_key_figures_from_their_one_line_summary(
        browser: Any, pages: dict[str, Path]) -> None:
    with open_offline(browser, pages["map"], (390, 844)) as opened:
        page = started(opened)
        button = page.locator(".ap-kpi .ap-fold")
        summary = button.inner_text()
        assert summary.startswith("tiny: ") and "families housed by" in summary
        assert not page.locator(".ap-kpi table").is_visible()
        button.tap()
        assert button.get_attribute("aria-expanded") == "true"
        assert page.locator(".ap-kpi table").is_visible()
        assert button.inner_text() == "Key figures"
        page.screenshot(path=str(ARTIFACTS / "map-tiny-390x844-key-figures.png"))
        # the summary follows the quarter shown
        button.tap()
        page.evaluate("agroplan.setTime(0)")
        first = page.inner_text(".ap-quarter")
        assert first != summary.rsplit("by ", 1)[1]
        assert button.inner_text().endswith(f"by {first}") and button.inner_text() != summary
        assert opened.problems == []


@pytest.mark.parametrize("name", MAP_PAGES)
def test_every_control_on_a_phone_is_at_least_44_px(browser: Any, pages: dict[str, Path],
                                                      name: str) -> None:
    with open_offline(browser, pages[name], (390, 844)) as opened:
        page = started(opened)
        for button in page.locator(".ap-fold").all():
            button.tap()  # open every panel, so that its inputs are measured too
        # with every panel open, axe-core finds nothing serious or critical on a phone
        assert serious(axe_violations(page, f"{name}-en-390x844-open")) == []
        targets = page.evaluate(TARGETS)
        assert len(targets) >= 5
        small = [t for t in targets if t["w"] < 44 or t["h"] < 44]
        assert small == [], f"targets smaller than 44 px: {small}"
        assert opened.problems == []


def test_layers_panels_and_quarters_work_from_the_keyboard(
        browser: Any, pages: dict[str, Path]) -> None:
    with open_offline(browser, pages["map"], (1024, 680)) as opened:
        page = started(opened)
        layers = page.locator(".leaflet-control-layers .ap-fold")
        layers.focus()
        page.keyboard.press("Enter")
        assert layers.get_attribute("aria-expanded") == "true"
        farms = page.locator(".leaflet-control-layers label",
                             has_text=OVERLAYS["farms"][0]).locator("input")
        farms.focus()
        page.keyboard.press("Space")
        assert page.evaluate("agroplan.map.hasLayer(agroplan.groups.farms)") is False
        page.keyboard.press("Space")
        assert page.evaluate("agroplan.map.hasLayer(agroplan.groups.farms)") is True
        page.keyboard.press("Escape")  # closes the panel, back on its button
        assert layers.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('ap-fold')")
        # the legend's choice of colouring, from the keyboard
        legend = page.locator(".ap-legend .ap-fold")
        legend.focus()
        page.keyboard.press("Space")
        page.locator('.ap-legend input[value="families"]').focus()
        page.keyboard.press("ArrowDown")
        assert page.evaluate("agroplan.state.metric") == "herd"
        # the quarter slider: arrows, Home and End, read out as quarters
        slider = page.locator(".ap-slider")
        slider.focus()
        page.keyboard.press("Home")
        assert slider.get_attribute("aria-valuetext") == page.inner_text(".ap-quarter")
        first = page.inner_text(".ap-quarter")
        page.keyboard.press("ArrowRight")
        assert page.inner_text(".ap-quarter") != first
        assert slider.get_attribute("aria-valuetext") == page.inner_text(".ap-quarter")
        assert opened.problems == []
