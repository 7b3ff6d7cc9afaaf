"""The one Jinja2 environment of every page: autoescape, translations and formats.

Templates live in ``agroplan/templates``. Escaping happens here and only here: Jinja2
escapes every value put into HTML (autoescape), :func:`inline_css`, :func:`inline_js` and
:func:`json_script` make the raw text of ``<style>`` and ``<script>`` elements safe. Text
is translated by Jinja2's i18n extension (``_()``, ``ngettext()``, ``{% trans %}``) from
the catalogue of the page's ``lang``, and numbers, money and quarters go through the
Babel-backed filters ``number``, ``fixed``, ``signed``, ``usd``, ``signed_usd``,
``percent``, ``compact`` and ``quarter`` of :mod:`agroplan.render.i18n`; ``label(group,
key)`` names the plan tables' keys (:mod:`agroplan.render.labels`). Every template is
rendered with ``lang`` in its context; macros imported ``with context`` share it.

A new page is a template (``{% extends "page.html" %}``, or ``folium_page.html`` around a
folium map) plus a small module that builds its values and calls :func:`render_page` (or,
for a map, :func:`agroplan.render.shell.use_shell`, which calls :func:`use_template`). Every
page gets ``facts`` (:class:`~agroplan.render.paper.PageFacts`) for its printed sheets.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from agroplan.config.sections import Language
from agroplan.render.i18n import Translator, translator
from agroplan.render.labels import label
from agroplan.render.offline import asset_text, jquery_js, leaflet_css, leaflet_js, safe_json


def _tr(context: Context) -> Translator:
    return translator(context["lang"])


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _tr(context).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: float) -> str:
    return _tr(context).ngettext(singular, plural, count)


def _formatter(method: str) -> Any:
    @pass_context
    def apply(context: Context, value: Any, *args: Any) -> str:
        return str(getattr(_tr(context), method)(value, *args))

    apply.__name__ = method
    return apply


def inline_css(css: str) -> Markup:
    """CSS for a ``<style>`` element whose body cannot be closed early by its content."""
    return Markup(re.sub(r"</(style)", r"<\\/\1", str(css), flags=re.IGNORECASE))


def inline_js(js: str) -> Markup:
    """JavaScript for a ``<script>`` element whose body cannot be closed early."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", str(js), flags=re.IGNORECASE))


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string (for ``content:``): quotes, backslashes, line breaks
    and ``<``, ``>``, ``&`` are CSS escapes, so no text can end the string or the element."""
    def escape(char: str) -> str:
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            return f"\\{ord(char):x} "
        return char

    return Markup('"{}"'.format("".join(escape(c) for c in str(text))))


def without_zoom_lock(header: str) -> Markup:
    """folium's page header without its viewport tag, which forbids zooming the page
    (``user-scalable=no``): people who need larger text must be able to zoom. The pages set
    their own."""
    return Markup(re.sub(r'<meta name="viewport"[^>]*>', "", str(header)))


def json_script(value: Any, element_id: str) -> Markup:
    """``<script type="application/json">`` holding ``value``, read with ``JSON.parse``."""
    return Markup('<script type="application/json" id="{}">{}</script>').format(
        element_id, Markup(safe_json(value)))


def slot(name: str) -> Markup:
    """An empty ``<span data-v="name">`` in a ``<template>``; the page's script fills it
    with text (never HTML), so translated sentences keep their own word order."""
    return Markup('<span data-v="{}"></span>').format(name)


@pass_context
def _label(context: Context, group: str, key: object) -> str:
    return label(_tr(context), group, key)


def px(value: float) -> str:
    """A coordinate of an SVG chart, to a tenth of a pixel."""
    return f"{float(value):.1f}"


@cache
def environment() -> Environment:
    """The shared environment (built once)."""
    env = Environment(
        loader=PackageLoader("agroplan", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    for name in ("number", "fixed", "signed", "usd", "signed_usd", "percent", "compact",
                 "quarter"):
        env.filters[name] = _formatter(name)
    env.filters.update(inline_css=inline_css, inline_js=inline_js, json_script=json_script,
                       px=px, css_string=css_string, without_zoom_lock=without_zoom_lock)
    env.globals.update(slot=slot, asset=asset_text, label=_label, leaflet_css=leaflet_css,
                       leaflet_js=leaflet_js, jquery_js=jquery_js)
    return env


def render_page(template: str, lang: Language, **context: Any) -> str:
    """Render a template of ``agroplan/templates`` in ``lang``."""
    translator(lang)  # an unknown language fails here, with the choices
    return environment().get_template(template).render(lang=lang, **context)


def macros(template: str, lang: Language) -> Any:
    """The macros of a template, bound to ``lang`` (for fragments such as map popups)."""
    translator(lang)
    return environment().get_template(template).make_module({"lang": lang})


class _FigureTemplate:
    """Stands in for the template of folium's root figure, so that the whole page, folium's
    parts included, is rendered by one of our templates (``folium_page.html`` and those
    extending it) with ``figure`` in its context."""

    def __init__(self, template: str, lang: Language, context: dict[str, Any]) -> None:
        self.template, self.lang, self.context = template, lang, context

    def render(self, this: Any, kwargs: Any = None) -> str:
        return render_page(self.template, self.lang, figure=this, **self.context)


def use_template(fmap: Any, template: str, lang: Language, **context: Any) -> None:
    """Make ``fmap.get_root().render()`` render the page with ``template`` in ``lang``."""
    translator(lang)
    fmap.get_root()._template = _FigureTemplate(template, lang, context)
