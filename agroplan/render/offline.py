"""Self-contained HTML: inline Leaflet and jQuery, embed data safely, refuse remote assets.

An official opens the map on a machine with no internet, so the page must not load
anything: Leaflet's JS and CSS come from the ``xstatic-leaflet`` package (its images as
data URIs), jQuery from ``xstatic-jquery`` (folium's generated scripts call it), each
with its licence as a comment. :func:`strip_remote_assets` empties the CDN lists of every
folium element and fails loudly on an asset it does not know, so a new layer cannot
quietly break the offline page; :func:`check_offline` scans the final HTML once more.
:func:`safe_json` writes the maps' data so that it cannot end its script element; the pages
put it and the inlined assets in place through the filters of
:mod:`agroplan.render.templating`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from agroplan.errors import OutputError
from agroplan.messages import Message

# folium's own CDN assets: what each is, and whether the page still needs it (inlined).
_INLINED = {"leaflet", "leaflet_css", "jquery"}
# Bootstrap, Font Awesome and awesome-markers style folium's Icon markers and some
# plugins; agroplan draws none of those, so they are dropped, not inlined.
_UNUSED = {
    "bootstrap",
    "bootstrap_css",
    "awesome_markers",
    "awesome_markers_css",
    "awesome_markers_font_css",
    "awesome_rotate_css",
    "glyphicons_css",
}

# Markup that makes a browser fetch something. Anchors (<a href>) are links, not assets.
_REMOTE_PATTERNS = (
    re.compile(r"<script\b[^>]*\bsrc\s*=", re.IGNORECASE),
    re.compile(r"<link\b[^>]*\bhref\s*=", re.IGNORECASE),
    re.compile(r"<(?:img|iframe|embed|object|source|video|audio)\b[^>]*\b(?:src|data)\s*="
               r"\s*(?![\"']?data:)", re.IGNORECASE),
    re.compile(r"url\(\s*(?![\"']?(?:data:|#))", re.IGNORECASE),
    re.compile(r"@import\b", re.IGNORECASE),
)


def asset_text(name: str) -> str:
    """Text of a file in ``agroplan/assets`` (our own JS/CSS and the licences)."""
    return resources.files("agroplan").joinpath("assets", name).read_text(encoding="utf-8")


def _xstatic_dir(package: str) -> Path:
    module = __import__(f"xstatic.pkg.{package}", fromlist=["BASE_DIR"])
    return Path(module.BASE_DIR)


def _licence_comment(file: str) -> str:
    text = asset_text(f"licenses/{file}").replace("*/", "* /")
    return f"/*!\n{text}*/\n"


@cache
def leaflet_js() -> str:
    """Leaflet's minified JS with its BSD-2-Clause licence."""
    js = (_xstatic_dir("leaflet") / "leaflet.js").read_text(encoding="utf-8")
    return _licence_comment("LEAFLET-LICENSE.txt") + js


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images turned into data URIs."""
    folder = _xstatic_dir("leaflet")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return _licence_comment("LEAFLET-LICENSE.txt") + css


@cache
def jquery_js() -> str:
    """jQuery's minified JS with its MIT licence."""
    js = (_xstatic_dir("jquery") / "jquery.min.js").read_text(encoding="utf-8")
    return _licence_comment("JQUERY-LICENSE.txt") + js


def safe_json(value: Any) -> str:
    """JSON that is safe inside ``<script>`` and HTML: ``<``, ``>``, ``&`` and the JS line
    separators are written as ``\\u`` escapes, so no string can end the script element.

    Raises
    ------
    ValueError
        On NaN or infinity (not JSON); callers clean numbers first.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def strip_remote_assets(root: Any) -> None:
    """Empty the CDN asset lists of ``root`` and every element below it.

    Raises
    ------
    OutputError
        If an element asks for an asset that is neither inlined by agroplan nor known to
        be unused: drawing it offline would silently fail.
    """
    unknown: list[str] = []
    stack = [root]
    while stack:
        element = stack.pop()
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            for name, url in assets:
                if name not in _INLINED and name not in _UNUSED:
                    unknown.append(f"{type(element).__name__} asks for {name} ({url})")
            setattr(element, attr, [])  # instance attribute: the class list stays intact
        stack.extend(getattr(element, "_children", {}).values())
    if unknown:
        raise OutputError(
            [f"{u}: the map would load it from the internet; inline it from a Python "
             "package in agroplan/render/offline.py or drop the element" for u in unknown]
        )


_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script\s*>)", re.IGNORECASE | re.DOTALL)


def remote_assets(html: str) -> list[str]:
    """Snippets of ``html`` whose markup or CSS would make a browser fetch something.

    Inline script bodies are left out: what they fetch is decided by their code (the
    browser tests block and count every request to catch that).
    """
    markup = _SCRIPT_BODY.sub(r"\1\2", html)
    found = []
    for pattern in _REMOTE_PATTERNS:
        for match in pattern.finditer(markup):
            start = max(match.start() - 20, 0)
            found.append(markup[start : match.end() + 60].replace("\n", " "))
    return found


def check_offline(html: str, what: str) -> None:
    """Raise :class:`OutputError` if ``html`` would load any asset.

    Parameters
    ----------
    html
        The complete page.
    what
        What the page is (named in the error).
    """
    found = remote_assets(html)
    if found:
        shown = "; ".join(repr(s) for s in found[:5])
        raise OutputError(
            f"{what} would load {len(found)} asset(s) from outside the file ({shown}); "
            "every asset must be inlined so the page opens offline"
        )


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``, so a
    reader never sees half a page.

    Raises
    ------
    OutputError
        If the folder cannot be created or the file cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; the page is meant to be shared
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(Message(
            "%(file)s: cannot write (%(reason)s); choose another --out or free the folder",
            file=path, reason=exc.strerror or exc)) from None
    return path.resolve()
