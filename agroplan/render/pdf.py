"""PDFs of the pages, printed by chromium exactly as a browser prints them.

The pages carry their own print stylesheet (A4, landscape for maps, the page facts on
every sheet; ``templates/print.html``), so a PDF is the page printed: Playwright drives a
headless chromium, which opens each page offline (every request that is not a local file
is refused), sends a map page the ``beforeprint`` event a browser sends (the map shell lays
the map out on the sheet) and prints it with the page's own sheet size. Without chromium
or Playwright, :func:`write_pdfs` raises an :class:`~agroplan.errors.OutputError` that
says how to print the page from a browser instead.

Chromium is looked for at ``$AGROPLAN_CHROMIUM``, then Debian's ``/usr/bin/chromium`` and
the other usual places; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agroplan.errors import OutputError
from agroplan.messages import Message

CHROMIUM_ENV = "AGROPLAN_CHROMIUM"
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                  "/usr/bin/google-chrome-stable")
# the flags of a headless chromium that talks to nobody (as the browser tests run it)
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
MAP_VIEWPORT = {"width": 1123, "height": 794}  # an A4 landscape sheet at 96 px per inch
PAGE_VIEWPORT = {"width": 794, "height": 1123}
TIMEOUT_MS = 60_000


def find_chromium() -> Path | None:
    """The chromium to print with: ``$AGROPLAN_CHROMIUM`` if set (and nothing else then),
    else the first of :data:`CHROMIUM_PATHS` or ``chromium`` on the ``PATH``."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    for candidate in CHROMIUM_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    found = shutil.which("chromium")
    return Path(found) if found else None


def pdf_path(page: Path) -> Path:
    """``maps/default-report.html`` -> ``maps/default-report.pdf``."""
    return Path(page).with_suffix(".pdf")


def _how_to_print(pages: Sequence[Path], reason: Message) -> OutputError:
    return OutputError(Message(
        "no PDF written: %(reason)s. The pages are written (%(pages)s): open one in a "
        "browser, press Ctrl+P (Cmd+P on a Mac) and choose \"Save as PDF\"; it is laid out "
        "for A4, maps in landscape. Or install chromium (apt-get install chromium) and "
        "Playwright (python3 -m pip install 'agroplan[pdf]'), or set %(env)s to a chromium",
        reason=reason, pages=", ".join(str(p) for p in pages), env=CHROMIUM_ENV))


def write_pdfs(pages: Sequence[Path]) -> list[Path]:
    """Print each HTML page to a PDF beside it (``.pdf`` for ``.html``).

    Parameters
    ----------
    pages
        Pages written by the renderers (maps, reports, reviews...).

    Returns
    -------
    list of Path
        The PDFs written, absolute, in the order of ``pages``.

    Raises
    ------
    OutputError
        Without Playwright or chromium (saying how to print from a browser instead), or
        when a page cannot be printed or a PDF cannot be written.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise _how_to_print(pages, Message("Playwright is not installed")) from None
    chromium = find_chromium()
    chosen = os.environ.get(CHROMIUM_ENV)
    if chromium is None and chosen:
        raise _how_to_print(pages, Message(
            "%(env)s names %(path)s, which is not a file", env=CHROMIUM_ENV, path=chosen))
    if chromium is None:
        raise _how_to_print(pages, Message(
            "chromium was not found (looked at %(paths)s and on the PATH)",
            paths=", ".join(CHROMIUM_PATHS)))
    # Playwright's sync API refuses to run in a thread with an event loop (a notebook) or
    # beside another sync Playwright: a thread of its own has neither
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_all, chromium, [Path(p) for p in pages]).result()


def _print_all(chromium: Path, pages: list[Path]) -> list[Path]:
    from playwright.sync_api import Error, sync_playwright

    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium),
                                                 args=list(CHROMIUM_ARGS))
            try:
                for page in pages:
                    written.append(_print_one(browser, page))
            finally:
                browser.close()
    except Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OutputError(Message(
            "%(file)s: chromium could not print the page (%(reason)s); print it from a "
            "browser (Ctrl+P, Save as PDF) or check the chromium at %(chromium)s",
            file=pages[len(written)], reason=first, chromium=chromium)) from None
    except OSError as exc:
        raise OutputError(Message(
            "%(file)s: cannot write (%(reason)s); choose another --out or free the folder",
            file=pdf_path(pages[len(written)]), reason=exc.strerror or exc)) from None
    return written


def _print_one(browser: Any, page_path: Path) -> Path:
    context = browser.new_context(viewport=MAP_VIEWPORT)
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith("file:") else route.abort())
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
        is_map = page.evaluate("() => !!window.agroplanShell")
        if not is_map:
            page.set_viewport_size(PAGE_VIEWPORT)
        page.emulate_media(media="print")
        if is_map:
            page.wait_for_function("agroplanShell.started", timeout=TIMEOUT_MS)
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        target = pdf_path(page_path)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            page.pdf(path=tmp, prefer_css_page_size=True, print_background=True)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target.resolve()
    finally:
        context.close()
