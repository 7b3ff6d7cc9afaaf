"""The plan's report: one self-contained HTML page of tables and inline SVG charts.

KPIs, trade against the targets, a roadmap by quarter (what is built and delivered, when
and where) and charts of spend against budget, families housed, herd and milk. No script,
no external asset: it opens offline and prints. ``templates/report.html`` lays it out; this
module gathers the values and the texts built from the plan's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from agroplan.config.sections import Language
from agroplan.inputs import PlanInputs
from agroplan.plan.result import SPEND_CATEGORIES, Plan
from agroplan.render.frames import district_name, num, town_name
from agroplan.render.i18n import Translator, translator
from agroplan.render.labels import label
from agroplan.render.offline import check_offline, write_atomic
from agroplan.render.paper import page_facts, plan_status
from agroplan.render.static_map import CAPTION_ID, draw_static_map
from agroplan.render.svg import Chart, bar_chart, line_chart
from agroplan.render.templating import render_page

if TYPE_CHECKING:
    from agroplan.layers.read import Layers

BINDING_SHOWN = 15


def _charts(plan: Plan, periods: Sequence[str], tr: Translator) -> list[Chart]:
    _ = tr.gettext
    k = plan.kpis
    spend = plan.spend
    shown = [tr.quarter(p) for p in periods]
    stacks: dict[str, list[float]] = {}
    for category in SPEND_CATEGORIES:
        rows = spend[spend["category"] == category]
        by_period = pd.to_numeric(rows["usd"], errors="coerce").groupby(rows["period"]).sum()
        stacks[label(tr, "spend", category)] = [float(by_period.get(p, 0.0)) for p in periods]
    budget = [float(k.get("budget_by_period", {}).get(p, 0.0)) for p in periods]
    spend_total = [float(k.get("spend_by_period", {}).get(p, 0.0)) for p in periods]

    def per_quarter(key: str) -> list[float]:
        return [float(k.get(key, {}).get(p, 0.0)) for p in periods]

    charts = [
        bar_chart(_("Spend by category and quarter, against the budget"), _("USD"), shown,
                  stacks, {_("budget of the quarter"): budget}),
        line_chart(_("Cumulative spend against cumulative budget"), _("USD"), shown,
                   {_("spend"): list(np.cumsum(spend_total)),
                    _("budget"): list(np.cumsum(budget))}),
        line_chart(_("Families housed (cumulative)"), _("families"), shown,
                   {_("families housed"): per_quarter("families_housed_by_period")}),
        line_chart(_("Herd at the end of each quarter"), _("head"), shown,
                   {_("herd"): per_quarter("herd_by_period")}),
        line_chart(_("Milk produced in each quarter"), _("t"), shown,
                   {_("milk"): per_quarter("milk_t_by_period")}),
    ]
    trade = k.get("trade", [])
    if trade:
        charts.append(bar_chart(
            _("Bilateral trade against the targets"), _("USD per year"),
            [str(r["year"]) for r in trade],
            {_("baseline trade"): [float(r["baseline_usd"]) for r in trade],
             _("Belarusian exports"): [float(r["exports_usd"]) for r in trade]},
            {_("target"): [float(r["target_usd"]) for r in trade]}))
    return charts


Event = tuple[str, str, str, str]  # quarter, what, where, amount


def _site(inputs: PlanInputs, site_id: str, tr: Translator) -> str:
    district = str(inputs.sites["district_id"].get(site_id, ""))
    where = district_name(inputs, district, tr) if district else ""
    return tr.gettext("site %(site)s, %(district)s") % {"site": site_id, "district": where}


def _build_events(plan: Plan, inputs: PlanInputs, tr: Translator) -> list[Event]:
    """Farms started and opened, agro-towns developed, houses built."""
    _ = tr.gettext
    events: list[Event] = []
    for f in plan.farms.itertuples(index=False):
        where = _site(inputs, str(f.site_id), tr)
        size = heads(tr, num(f.size_heads))
        events.append((str(f.build_start), _("Farm construction starts"), where, size))
        events.append((str(f.operational_from), _("Farm operational"), where, size))
    for t in plan.agro_towns.itertuples(index=False):
        events.append((str(t.developed_in), _("Agro-town developed"),
                       town_name(inputs, str(t.settlement_id), tr), ""))
    houses = plan.houses
    for h in houses[pd.to_numeric(houses["houses"], errors="coerce") > 0].itertuples(index=False):
        count = num(h.houses)
        events.append((str(h.period), _("Wooden houses built"),
                       town_name(inputs, str(h.settlement_id), tr),
                       tr.ngettext("%(num)s house", "%(num)s houses", count)
                       % {"num": tr.number(count)}))
    return events


def heads(tr: Translator, count: float) -> str:
    """``1,200 head`` (``1 200 голов`` in Russian)."""
    return tr.ngettext("%(num)s head", "%(num)s head", count) % {"num": tr.number(count)}


def _delivery_events(plan: Plan, tr: Translator) -> list[Event]:
    """Heifers origin -> hub -> farm and timber origin -> hub, per quarter."""
    _ = tr.gettext
    events: list[Event] = []
    deliveries = plan.deliveries
    if len(deliveries):
        keys = ["period", "origin_id", "hub_id", "site_id"]
        for row in deliveries.groupby(keys, as_index=False)["heads"].sum().itertuples():
            if num(row.heads) > 0:
                route = _("%(origin)s via %(hub)s to farm %(site)s") % {
                    "origin": row.origin_id, "hub": row.hub_id, "site": row.site_id}
                events.append((str(row.period), _("Heifers delivered"), route,
                               heads(tr, num(row.heads))))
    timber = plan.table("timber")
    if len(timber):
        keys = ["period", "origin_id", "hub_id"]
        for row in timber.groupby(keys, as_index=False)["m3"].sum().itertuples():
            if num(row.m3) > 0:
                route = _("%(origin)s via %(hub)s") % {"origin": row.origin_id, "hub": row.hub_id}
                events.append((str(row.period), _("Timber shipped"), route,
                               _("%(num)s m³") % {"num": tr.number(num(row.m3), 0)}))
    return events


def _roadmap(plan: Plan, inputs: PlanInputs, periods: Sequence[str], tr: Translator
             ) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """One block per quarter: what starts, opens, is delivered and built, and where."""
    by_period: dict[str, list[tuple[str, str, str]]] = {p: [] for p in periods}
    for period, what, where, amount in _build_events(plan, inputs, tr) + _delivery_events(plan,
                                                                                          tr):
        by_period.setdefault(period, []).append((what, where, amount))
    spend = plan.kpis.get("spend_by_period", {})
    budget = plan.kpis.get("budget_by_period", {})
    blocks = []
    for period in sorted(by_period, key=lambda p: (p not in periods, p)):
        rows = by_period[period]
        rows.append((tr.gettext("Spend / budget of the quarter"), "",
                     f"{tr.usd(spend.get(period, 0.0))} / {tr.usd(budget.get(period, 0.0))}"))
        blocks.append((period, rows))
    return blocks


def _binding(plan: Plan) -> tuple[int, list[dict[str, Any]]]:
    table = plan.table("binding")
    if table.empty:
        return 0, []
    top = table.sort_values("marginal_value", ascending=False, kind="stable").head(BINDING_SHOWN)
    return len(table), [{str(k): v for k, v in r.items()} for r in top.to_dict("records")]


def build_report(plan: Plan, inputs: PlanInputs, layers: Layers | None = None,
                 lang: Language = "en") -> str:
    """The report page as a string; with ``layers``, it has a map of the plan."""
    tr = translator(lang)
    periods = tuple(plan.periods) or tuple(inputs.periods)
    binding_count, binding = _binding(plan)
    drawn = (draw_static_map(plan, inputs, layers, tr)
             if layers is not None and plan.has_solution else None)
    return render_page(
        "report.html", lang,
        scenario=inputs.scenario, plan=plan, k=plan.kpis, periods=periods,
        categories=SPEND_CATEGORIES, charts=_charts(plan, periods, tr),
        roadmap=_roadmap(plan, inputs, periods, tr),
        violations=plan.table("violations").to_dict("records"),
        binding=binding, binding_count=binding_count,
        static_map=drawn, caption_id=CAPTION_ID,
        facts=page_facts(tr, inputs.scenario.name,
                         plan_status(tr, plan.status, plan.relative_gap)),
    )


def render_report(plan: Plan, inputs: PlanInputs, layers: Layers | None,
                  out_path: Path | str, lang: Language = "en") -> Path:
    """Write the plan's report as one self-contained HTML file.

    Parameters
    ----------
    plan, inputs, layers
        The plan, the inputs it was solved from, and the scenario's layers.
    out_path
        The HTML file to write (its folder is created).
    lang
        Language of the page: ``en``, ``az`` or ``ru``.

    Returns
    -------
    Path
        The absolute path written.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_report(plan, inputs, layers, lang)
    check_offline(html, f"the report of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
