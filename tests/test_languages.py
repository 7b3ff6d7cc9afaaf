"""Every page in English, Azerbaijani and Russian: formats, catalogues, escaping, browsers.

The six pages (map, report, review, review map, comparison, sweep) are rendered from one
solved tiny plan in each language; the browser tests open each of them offline in
headless chromium. Screenshots of every page in every language go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import ARTIFACTS, axe_violations, serious
from test_browser import open_offline
from test_render import TINY, XSS, solve_scenario
from test_review import hand_actuals, hand_replan, solve_pinned
from test_sweep import HEIFERS, write_sweep

from agroplan.config import LANGUAGES, load_scenario
from agroplan.render import (
    render_compare,
    render_outputs,
    render_review_map,
    render_review_page,
    render_sweep_page,
)
from agroplan.render.i18n import catalogue_path, translator
from agroplan.render.map import overlay_names
from agroplan.roadmap import build_review
from agroplan.studies import compare_plans, load_sweep, places_from_layers
from agroplan.studies.sweep import results_frame

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("map", "report", "review", "review_map", "compare", "sweep")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Message": None}


def render_pages(solved: Any, folder: Path, lang: str) -> dict[str, Path]:
    """All six pages of the tiny plan (its re-plan and actuals from test_review) in ``lang``."""
    previous, inputs, layers = solved
    current, actuals = hand_replan(previous), hand_actuals()
    review = build_review(previous, current, actuals, inputs)
    map_path, report = render_outputs(previous, inputs, layers, folder / "tiny.html", lang)
    places = places_from_layers([layers])
    comparison = compare_plans(["tiny", "tiny-replan"], [previous, current], places)
    compare, _ = render_compare(comparison, [previous, current], places, folder / "compare",
                                layers.districts, lang)
    sweep = load_sweep(write_sweep(folder, {"scenario": str(TINY), "parameters": {
        HEIFERS: [1.0, 0.5], "description": [inputs.settlements["name_en"].iloc[0]]}}))
    rows = [{"run_id": r.run_id, **r.parameters, "status": "optimal", "families_housed": 68 - i,
             "farms": 2, "herd_heads": 225, "spend_usd": 4.5e6 - i * 1e5,
             "milk_t_per_year": 1350.0, "violations_count": 0}
            for i, r in enumerate(sweep.runs)]
    return {
        "map": map_path, "report": report,
        "review": render_review_page(review, previous, current, inputs,
                                     folder / "review.html", "runs/tiny", lang),
        "review_map": render_review_map(previous, current, actuals, inputs, layers,
                                        folder / "review-map.html", lang),
        "compare": compare,
        "sweep": render_sweep_page(results_frame(rows, sweep.parameter_names), sweep,
                                   folder / "sweep.html", lang),
    }


@pytest.fixture(scope="module")
def solved() -> Any:
    return solve_pinned()


@pytest.fixture(scope="module")
def pages(solved: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    return {lang: render_pages(solved, tmp_path_factory.mktemp(lang), lang) for lang in LANGUAGES}


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(("lang", "number", "decimal", "usd", "millions", "percent", "quarter"), [
    ("en", "13,992", "13,992.5", "$12,500", "$45.6M", "12.3%", "Q4 2027"),
    # CLDR: a no-break space groups digits in Russian, a narrow one precedes "г."
    ("ru", "13\u00a0992", "13\u00a0992,5", "12\u00a0500\u00a0$", "45,6\u00a0млн\u00a0$",
     "12,3\u00a0%", "4-й кв. 2027\u202fг."),
    ("az", "13.992", "13.992,5", "12.500\u00a0US$", "45,6\u00a0mln\u00a0US$", "12,3%",
     "2027 4-cü kv."),
])
def test_numbers_money_percentages_and_quarters_follow_the_locale(
        lang: str, number: str, decimal: str, usd: str, millions: str, percent: str,
        quarter: str) -> None:
    tr = translator(lang)  # type: ignore[arg-type]
    assert (tr.number(13992), tr.number(13992.5), tr.usd(12500), tr.usd(45.6e6),
            tr.percent(0.123), tr.quarter("2027Q4")) == (number, decimal, usd, millions,
                                                         percent, quarter)
    assert tr.usd(1.234e9) == {"en": "$1.23B", "ru": "1,23\u00a0млрд\u00a0$",
                               "az": "1,23\u00a0mlrd\u00a0US$"}[lang]
    assert tr.number(None) == tr.quarter(None) == "-"


def test_plural_forms_follow_the_language() -> None:
    ru, az = translator("ru"), translator("az")
    heads = [ru.ngettext("%(num)s head", "%(num)s head", n) % {"num": n} for n in (1, 3, 5, 21)]
    assert heads == ["1 голова", "3 головы", "5 голов", "21 голова"]
    # Azerbaijani nouns stay singular after a number
    assert az.ngettext("%(num)s house", "%(num)s houses", 5) % {"num": 5} == "5 ev"


def test_place_names_in_each_language_fall_back_where_a_form_is_missing(solved: Any) -> None:
    _, inputs, _ = solved
    towns = inputs.settlements
    # gn900001 has every form; gn900002 (Guzanli) has no Russian name in the tiny layers
    assert [translator(lang).place(towns.loc["gn900001"]) for lang in LANGUAGES] == [
        "Aghdam (Ağdam)", "Ağdam", "Агдам (Ağdam)"]
    assert [translator(lang).place(towns.loc["gn900002"]) for lang in LANGUAGES] == [
        "Guzanli (Quzanlı)", "Quzanlı", "Quzanlı"]
    assert translator("ru").place({}, "gn9") == "gn9"


# ------------------------------------------------------------------ the pages


class _Tags(HTMLParser):
    """The sequence of element names of a page (what the template decides, not the words)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def tags(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("page", PAGES)
def test_each_page_is_rendered_in_every_language_from_the_same_template(
        page: str, pages: dict[str, dict[str, Path]]) -> None:
    html = {lang: pages[lang][page].read_text(encoding="utf-8") for lang in LANGUAGES}
    for lang, text in html.items():
        assert f'<html lang="{lang}">' in text
    # the same elements in the same order, only the words differ
    assert tags(html["en"]) == tags(html["az"]) == tags(html["ru"])
    assert html["en"] != html["az"] != html["ru"]


def visible(html: str) -> str:
    """The page without its inlined libraries and styles (the data and popups stay)."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_no_english_text_is_left_where_a_translation_exists(
        lang: str, pages: dict[str, dict[str, Path]]) -> None:
    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    english = [m.id for m in catalog if isinstance(m.id, str) and m.id and " " in m.id
               and "%" not in m.id and m.string != m.id and len(m.id) >= 6]
    assert len(english) > 150
    for page in PAGES:
        text = visible(pages[lang][page].read_text(encoding="utf-8"))
        left = [m for m in english if m in text]
        assert left == [], f"{page} ({lang}) still says {left}"


def translated_heading(lang: str) -> str:
    return translator(lang).gettext("Plan report: %(name)s") % {"name": "tiny"}  # type: ignore[arg-type]


def test_the_report_says_its_headings_and_numbers_in_the_language(
        pages: dict[str, dict[str, Path]], solved: Any) -> None:
    plan, _, _ = solved
    spend = plan.kpis["spend_usd"]
    for lang in LANGUAGES:
        html = pages[lang]["report"].read_text(encoding="utf-8")
        tr = translator(lang)
        assert f"<h1>{translated_heading(lang)}</h1>" in html
        assert f"<td>{tr.usd(spend)}</td>" in html
        assert f'<th colspan="3">{tr.quarter(plan.periods[0])}</th>' in html
    assert "<h1>Отчёт по плану: tiny</h1>" in pages["ru"]["report"].read_text(encoding="utf-8")
    assert "<h1>Plan hesabatı: tiny</h1>" in pages["az"]["report"].read_text(encoding="utf-8")


def hostile_copy(target: Path) -> Path:
    """The tiny fixture with every name of every settlement and district a script tag."""
    shutil.copytree(TINY.parent, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for layer in ("settlements", "districts"):
        path = target / "layers" / f"{layer}.geojson"
        data = json.loads(path.read_text(encoding="utf-8"))
        for feature in data["features"]:
            feature["properties"].update(name_en=XSS, name_az=XSS, name_ru=XSS)
        path.write_text(json.dumps(data), encoding="utf-8")
    return target / "scenario.yaml"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    solved = solve_scenario(hostile_copy(tmp_path_factory.mktemp("xss") / "tiny"))
    return {lang: render_pages(solved, tmp_path_factory.mktemp(f"xss-{lang}"), lang)
            for lang in LANGUAGES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hostile_names_are_escaped_on_every_page_in_every_language(
        lang: str, hostile: dict[str, dict[str, Path]]) -> None:
    for page in PAGES:
        html = hostile[lang][page].read_text(encoding="utf-8")
        assert XSS not in html, page
    for page in ("report", "review", "compare"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile[lang][page].read_text(
            encoding="utf-8"), page
    for page, element in (("map", "agroplan-data"), ("review_map", "agroplan-review-data")):
        # names are plain text in the JSON (which cannot end its script), popups are HTML
        # with the names escaped: no popup may hold the raw tag
        html = hostile[lang][page].read_text(encoding="utf-8")
        assert "\\u003cscript\\u003ealert(1)" in html, page
        data = json.loads(html.split(f'id="{element}">')[1].split("</script>")[0])
        shown = list(popups(data))
        assert shown and not any(XSS in p for p in shown), page
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in shown), page


def popups(value: Any) -> Iterator[str]:
    """Every ``popup`` string in the JSON of a map page."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "popup" and isinstance(item, str):
                yield item
            else:
                yield from popups(item)
    elif isinstance(value, list):
        for item in value:
            yield from popups(item)


# ------------------------------------------------------------------ the catalogues


def extracted() -> dict[str | tuple[str, str], str]:
    """Every message id of the code and the templates, as ``pybabel extract`` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str | tuple[str, str], str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else (message[0], message[1])
        found[key] = filename
    return found


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_every_message_of_the_code_and_templates_is_translated(lang: str) -> None:
    messages = extracted()
    assert len(messages) > 350  # both the templates and the Python code were read
    assert any(f.endswith(".html") for f in messages.values())
    assert any(f.endswith(".py") for f in messages.values())
    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    problems = []
    for key, filename in sorted(messages.items(), key=lambda kv: str(kv[0])):
        entry = catalog.get(key[0] if isinstance(key, tuple) else key)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None:
            problems.append(f"missing in the {lang} catalogue ({filename}): {key!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy in the {lang} catalogue: {key!r}")
        elif not strings or not all(strings):
            problems.append(f"not translated in the {lang} catalogue: {key!r}")
    stale = [m.id for m in catalog if m.id and (m.id if isinstance(m.id, str) else
                                                tuple(m.id)) not in messages]
    problems += [f"no longer in the code, remove from the {lang} catalogue: {m!r}"
                 for m in stale]
    # python-format placeholders of each translation match its message id
    problems += [f"{m.id!r}: {error}" for m, errors in catalog.check() for error in errors]
    assert problems == [], "\n".join(problems)


# ------------------------------------------------------------------ the command line


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_plan_in_russian_writes_russian_pages_and_summary(
        capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    from conftest import run_cli

    code, out, err = run_cli(capsys, "plan", str(TINY), "--lang", "ru")
    assert code == 0, err
    assert "семьи, обеспеченные жильём" in out and "оптимальный" in out
    assert "проверка: все ограничения выполнены" in out
    report = in_tmp / "maps" / "tiny-report.html"
    assert f"отчёт: {report.resolve()}" in out
    for page in (in_tmp / "maps" / "tiny.html", report):
        assert '<html lang="ru">' in page.read_text(encoding="utf-8")
    # the map command redraws in Azerbaijani, the scenario's own language stays English
    code, out, err = run_cli(capsys, "map", "runs/tiny", "--lang", "az")
    assert code == 0, err
    assert out.splitlines()[0].startswith("hesabat: ")
    assert '<html lang="az">' in report.read_text(encoding="utf-8")


def test_report_language_in_the_scenario_chooses_the_pages_language(
        capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    from conftest import run_cli

    code, out, err = run_cli(capsys, "plan", str(TINY), "--set", "report.language=az")
    assert code == 0, err
    assert "evlə təmin olunmuş ailələr" in out
    assert '<html lang="az">' in (in_tmp / "maps" / "tiny.html").read_text(encoding="utf-8")
    # the plan folder keeps the language: `map` draws in it again unless --lang says otherwise
    assert run_cli(capsys, "map", "runs/tiny")[0] == 0
    assert '<html lang="az">' in (in_tmp / "maps" / "tiny.html").read_text(encoding="utf-8")
    code, _, err = run_cli(capsys, "plan", str(TINY), "--no-map", "--set",
                           "report.language=de")
    assert code == 2 and "report.language" in err


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "output error: nowhere: no such plan folder; run `agroplan plan` first"),
    ("az", "nəticənin yazılması xətası: nowhere: belə plan qovluğu yoxdur; əvvəlcə "
           "`agroplan plan` əmrini işə salın"),
    ("ru", "ошибка вывода: nowhere: такой папки плана нет; сначала запустите `agroplan plan`"),
])
def test_errors_of_the_map_command_follow_the_language(
        capsys: pytest.CaptureFixture[str], in_tmp: Path, lang: str, expected: str) -> None:
    from conftest import run_cli

    code, _, err = run_cli(capsys, "map", "nowhere", "--lang", lang)
    assert code == 6
    assert err.startswith(expected)


def test_errors_of_plan_and_review_follow_the_language_and_modelers_get_english(
        capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    from conftest import run_cli

    code, _, err = run_cli(capsys, "plan", "missing.yaml", "--lang", "ru")
    assert code == 2 and err.startswith("неверный сценарий: ")
    assert "missing.yaml: файл сценария не найден; проверьте путь" in err
    code, _, err = run_cli(capsys, "review", "nowhere", "--lang", "az")
    assert code == 6 and err.startswith("nəticənin yazılması xətası: nowhere: belə plan")
    # an error before --lang is read, and the commands of modelers, stay English
    code, _, err = run_cli(capsys, "check", "nowhere")
    assert code == 6 and err.startswith("output error: nowhere: no such plan folder")
    code, _, err = run_cli(capsys, "compare", "a.yaml", "b.yaml", "--lang", "ru")
    assert code == 2 and "no such scenario file or plan folder" in err


def test_the_schema_offers_the_three_languages(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import run_cli

    code, out, _ = run_cli(capsys, "schema")
    assert code == 0
    report = json.loads(out)["$defs"]["Report"]["properties"]["language"]
    assert report["enum"] == ["en", "az", "ru"] and report["default"] == "en"
    assert load_scenario(TINY, ["report.language=ru"]).report.language == "ru"


# ------------------------------------------------------------------ in a browser


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_offline_in_every_language(
        browser: Any, pages: dict[str, dict[str, Path]], page: str, lang: str) -> None:
    with open_offline(browser, pages[lang][page]) as opened:
        shot = opened.page
        shot.screenshot(path=str(ARTIFACTS / f"{page}-tiny-{lang}.png"),
                        full_page=page not in ("map", "review_map"))
        assert opened.problems == []
        assert shot.evaluate("document.documentElement.lang") == lang
        if page in ("map", "review_map", "compare"):
            assert shot.locator(".leaflet-control-layers label").count() >= 3
        else:
            assert shot.locator("svg.ap-chart").count() >= 3
        # accessibility: axe-core finds nothing serious or critical, in every language
        assert serious(axe_violations(shot, f"{page}-{lang}-1280x800")) == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_map_panels_speak_the_language_and_its_numbers(
        browser: Any, pages: dict[str, dict[str, Path]], solved: Any, lang: str) -> None:
    plan, _, _ = solved
    tr = translator(lang)  # type: ignore[arg-type]
    with open_offline(browser, pages[lang]["map"]) as opened:
        page = opened.page
        labels = [t.strip() for t in page.locator(".leaflet-control-layers label")
                  .all_inner_texts()]
        assert labels[2:] == [name for name, _ in overlay_names(lang).values()]  # type: ignore[arg-type]
        assert page.inner_text(".ap-legend .ap-fold") == tr.gettext("Legend")
        last = plan.periods[-1]
        assert page.inner_text(".ap-time .ap-quarter") == tr.quarter(last)
        families = plan.kpis["families_housed_by_period"][last]
        assert page.inner_text('[data-kpi="families"]') == tr.number(families)
        spend = sum(plan.kpis["spend_by_period"].values())
        assert page.inner_text('[data-kpi="spend"]') == tr.usd(spend)
        # the script writes dollars as Babel does, around every rounding edge
        amounts = [0, 999, 12345, 999949, 999951, 1.5e6, 45.6e6, 999.94e6, 999.96e6,
                   1.234e9, 12.5e9]
        assert page.evaluate("xs => xs.map(x => agroplan.usd(x))", amounts) == [
            tr.usd(x) for x in amounts]
        assert opened.problems == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["az", "ru"])
def test_hostile_names_show_as_text_in_azerbaijani_and_russian(
        browser: Any, hostile: dict[str, dict[str, Path]], lang: str) -> None:
    with open_offline(browser, hostile[lang]["map"]) as opened:
        page = opened.page
        page.evaluate("agroplan.groups.towns.getLayers()[0].openPopup()")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert XSS in popup.inner_text()
        page.screenshot(path=str(ARTIFACTS / f"map-xss-{lang}.png"))
        assert opened.problems == []
    for name in ("report", "review", "compare"):
        with open_offline(browser, hostile[lang][name]) as opened:
            assert XSS in opened.page.inner_text("body")
            assert opened.problems == []
