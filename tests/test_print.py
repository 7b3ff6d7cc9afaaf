"""Paper: the report with its static map, the map on A4 landscape, and ``map --pdf``.

The PDFs are printed by chromium through :func:`agroplan.render.pdf.write_pdfs` (Playwright's
``page.pdf()``), read back with Debian's poppler-utils: ``pdfinfo`` for the page count and
size, ``pdftotext`` for what each page says, ``pdftoppm`` for the pages as PNG (kept in
``test-artifacts/``), where the static map's farm squares are counted by their colour.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from conftest import ARTIFACTS, run_cli
from test_render import TINY, XSS, copy_with_hostile_names, solve_scenario

from agroplan.render import render_outputs
from agroplan.render.i18n import translator
from agroplan.render.paper import plan_status
from agroplan.render.pdf import write_pdfs
from agroplan.render.report import build_report
from agroplan.render.static_map import FARM

A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)  # points, rounded


def need_poppler() -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install poppler-utils (./.ci/run does)")


def pdf_pages(pdf: Path) -> tuple[int, tuple[int, int]]:
    """Page count and the first page's size in points."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    w, h = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info.stdout, re.M).groups()  # type: ignore[union-attr]
    return pages, (round(float(w)), round(float(h)))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


def page_png(pdf: Path, page: int, out: Path, dpi: int = 80) -> Path:
    """One page of ``pdf`` as ``out`` (PNG), by pdftoppm."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(out.with_suffix(""))], check=True)
    return out


def pixels_of(png: Path, colour: str) -> int:
    """How many pixels of ``png`` have exactly ``colour`` (``#rrggbb``)."""
    import matplotlib.image

    image = (matplotlib.image.imread(str(png))[:, :, :3] * 255).round().astype(int)
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return int(((image[:, :, 0] == r) & (image[:, :, 1] == g) & (image[:, :, 2] == b)).sum())


def map_page(pdf: Path, pages: int, title: str) -> int:
    """The page of the report whose text has the static map's heading."""
    for n in range(1, pages + 1):
        if title in page_text(pdf, n):
            return n
    raise AssertionError(f"no page of {pdf} has {title!r}")


@pytest.fixture(scope="module")
def tiny() -> Any:
    return solve_scenario(TINY)


def test_the_report_has_a_static_map_of_the_plan(tiny: Any) -> None:
    plan, inputs, layers = tiny
    html = build_report(plan, inputs, layers)
    figure = html[html.index('<figure class="ap-map">'):]
    figure = figure[:figure.index("</figure>")]
    assert 'role="img" aria-labelledby="ap-static-map-caption"' in figure
    # one square per farm, one circle per agro-town, a lettered square per hub used
    def markers(gid: str) -> int:  # matplotlib writes each as a path or a <use> of one
        group = figure[figure.index(f'<g id="{gid}">'):]
        group = group[:group.index("</g>")]
        return group.count("<use ") or group.count("<path ")

    assert markers("ap-farms") == len(plan.farms) > 0
    assert markers("ap-towns") == len(
        set(plan.agro_towns["settlement_id"]) | set(plan.houses["settlement_id"]))
    assert markers("ap-hubs") == plan.deliveries["hub_id"].nunique()
    routes = plan.deliveries.groupby(["hub_id", "site_id"])["heads"].sum()
    assert markers("ap-flows") == int((routes > 0).sum()) > 0
    assert f"{len(plan.farms)} dairy farms (squares)" in figure
    assert "<script" not in figure and "Date" not in figure  # no date: the same plan, the same SVG
    assert build_report(plan, inputs, None).count('<figure class="ap-map">') == 0


def test_hostile_names_on_the_static_map_are_text(tmp_path: Path) -> None:
    plan, inputs, layers = solve_scenario(copy_with_hostile_names(tmp_path / "xss"))
    html = build_report(plan, inputs, layers)
    figure = html[html.index('<figure class="ap-map">'):html.index("</figure>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in figure
    assert XSS not in html


@pytest.mark.browser
def test_report_and_map_print_on_a4_with_the_facts_on_every_page(
        browser: Any, tiny: Any, tmp_path: Path) -> None:
    need_poppler()
    plan, inputs, layers = tiny
    tr = translator("ru")
    map_path, report = render_outputs(plan, inputs, layers, tmp_path / "tiny.html", "ru")
    report_pdf, map_pdf = write_pdfs([report, map_path])
    assert (report_pdf, map_pdf) == (report.with_suffix(".pdf"), map_path.with_suffix(".pdf"))
    pages, size = pdf_pages(report_pdf)
    assert size == A4_PORTRAIT and 2 <= pages <= 6
    today = " ".join(format_date(dt.date.today(), format="long", locale="ru").split())
    status = plan_status(tr, plan.status, plan.relative_gap)
    for n in range(1, pages + 1):
        text = page_text(report_pdf, n)
        head = " ".join(text.split())  # pdftotext breaks the margin boxes' lines
        assert "tiny" in head and " ".join(status.split()) in head and today in head, n
        assert re.search(rf"\b{n} ?/ ?{pages}\b", head), n
    n = map_page(report_pdf, pages, tr.gettext("Where the plan builds"))
    png = page_png(report_pdf, n, ARTIFACTS / "report-tiny-print-map-page.png")
    assert pixels_of(png, FARM) > 20 * len(plan.farms)  # the farm squares are drawn
    # the map: one landscape page, its legend and key figures, no controls
    assert pdf_pages(map_pdf) == (1, A4_LANDSCAPE)
    text = " ".join(page_text(map_pdf, 1).split())
    assert tr.gettext("Legend") not in text  # the fold buttons are not printed...
    assert tr.gettext("dairy farm under construction") in text  # ...the legend is
    assert tr.gettext("whole plan") in text and today in text
    assert tr.gettext("Layers") not in text and tr.gettext("Farm jobs") in text
    page_png(map_pdf, 1, ARTIFACTS / "map-tiny-print.png")


def test_map_pdf_without_chromium_says_how_to_print_from_a_browser(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        tiny: Any) -> None:
    from agroplan.plan.folder import write_plan

    plan, inputs, _ = tiny
    folder = tmp_path / "runs" / "tiny"
    write_plan(plan, inputs, folder)
    monkeypatch.setenv("AGROPLAN_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "maps" / "tiny.html"
    code, _, stderr = run_cli(capsys, "map", str(folder), "--out", str(out), "--pdf")
    assert code == 6
    assert out.exists() and out.with_name("tiny-report.html").exists()  # the pages are there
    assert not list(out.parent.glob("*.pdf"))
    message = " ".join(stderr.split())
    assert message.startswith("output error: no PDF written: AGROPLAN_CHROMIUM names")
    assert 'press Ctrl+P (Cmd+P on a Mac) and choose "Save as PDF"' in message
    assert "apt-get install chromium" in message


@pytest.mark.browser
def test_map_pdf_writes_the_report_and_the_map(
        browser: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny: Any) -> None:
    need_poppler()
    from agroplan.plan.folder import write_plan

    plan, inputs, _ = tiny
    folder = tmp_path / "runs" / "tiny"
    write_plan(plan, inputs, folder)
    out = tmp_path / "maps" / "tiny.html"
    code, stdout, _ = run_cli(capsys, "map", str(folder), "--out", str(out), "--pdf")
    assert code == 0
    lines = stdout.strip().splitlines()
    report_pdf, map_pdf = out.with_name("tiny-report.pdf"), out.with_suffix(".pdf")
    assert lines == [f"report: {out.with_name('tiny-report.html').resolve()}",
                     f"PDF: {report_pdf.resolve()}", f"PDF: {map_pdf.resolve()}",
                     str(out.resolve())]
    assert pdf_pages(map_pdf) == (1, A4_LANDSCAPE)
    assert pdf_pages(report_pdf)[1] == A4_PORTRAIT
