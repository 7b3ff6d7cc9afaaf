"""Renderers: the plan's offline HTML map and report (the only modules that import folium)."""

from __future__ import annotations

from agroplan.render.map import render_map
from agroplan.render.report import render_report

__all__ = ["render_map", "render_report"]
