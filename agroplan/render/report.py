"""The plan's report: one self-contained HTML page of tables and inline SVG charts.

KPIs, trade against the targets, a roadmap by quarter (what is built and delivered, when
and where) and charts of spend against budget, families housed, herd and milk. No script,
no external asset: it opens offline and prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from agroplan.inputs import PlanInputs
from agroplan.plan.result import SPEND_CATEGORIES, Plan
from agroplan.render.offline import asset_text, check_offline, style_tag, write_atomic
from agroplan.render.svg import bar_chart, line_chart
from agroplan.render.text import esc, fmt_num, fmt_usd, names, num

if TYPE_CHECKING:
    from agroplan.layers.read import Layers


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _kpi_section(plan: Plan) -> str:
    k = plan.kpis
    rows = [
        ("Families housed", fmt_num(float(k.get("families_housed", 0)))),
        ("Dairy farms built", fmt_num(float(k.get("farms", 0)))),
        ("Farms operational by the last quarter", fmt_num(float(k.get("farms_operational", 0)))),
        ("Herd in the last quarter (head)", fmt_num(float(k.get("herd_heads", 0)))),
        ("Milk a year at that herd (t)", fmt_num(float(k.get("milk_t_per_year", 0.0)), 0)),
        ("Farm jobs in the last quarter", fmt_num(float(k.get("jobs", 0.0)), 0)),
        ("Spend", fmt_usd(float(k.get("spend_usd", 0.0)))),
        ("Budget", fmt_usd(float(k.get("budget_usd", 0.0)))),
    ]
    by_category = k.get("spend_by_category", {})
    spend_rows = [(c, fmt_usd(float(by_category.get(c, 0.0)))) for c in SPEND_CATEGORIES]
    trade = [(r["year"], fmt_usd(float(r["baseline_usd"])), fmt_usd(float(r["exports_usd"])),
              fmt_usd(float(r["total_usd"])), fmt_usd(float(r["target_usd"])),
              "yes" if r["met"] else "no", fmt_usd(float(r.get("gap_usd", 0.0))))
             for r in k.get("trade", [])]
    return (
        "<h2>Key figures</h2>" + _table(("Figure", "Value"), rows, "ap-kpis")
        + "<h3>Spend by category</h3>" + _table(("Category", "Spend"), spend_rows, "ap-kpis")
        + "<h3>Bilateral trade against the targets</h3>"
        + (_table(("Year", "Baseline", "Belarusian exports from the plan", "Total", "Target",
                   "Met", "Gap"), trade) if trade else "<p>No trade targets set.</p>")
    )


def _charts(plan: Plan, periods: Sequence[str]) -> str:
    k = plan.kpis
    spend = plan.spend
    stacks: dict[str, list[float]] = {}
    for category in SPEND_CATEGORIES:
        rows = spend[spend["category"] == category]
        by_period = pd.to_numeric(rows["usd"], errors="coerce").groupby(rows["period"]).sum()
        stacks[category] = [float(by_period.get(p, 0.0)) for p in periods]
    budget = [float(k.get("budget_by_period", {}).get(p, 0.0)) for p in periods]
    spend_total = [float(k.get("spend_by_period", {}).get(p, 0.0)) for p in periods]
    years = [str(r["year"]) for r in k.get("trade", [])]
    charts = [
        bar_chart("Spend by category and quarter, against the budget", "USD", periods, stacks,
                  {"budget of the quarter": budget}),
        line_chart("Cumulative spend against cumulative budget", "USD", periods,
                   {"spend": list(np.cumsum(spend_total)), "budget": list(np.cumsum(budget))}),
        line_chart("Families housed (cumulative)", "families", periods,
                   {"families housed": [float(k.get("families_housed_by_period", {})
                                              .get(p, 0)) for p in periods]}),
        line_chart("Herd at the end of each quarter", "head", periods,
                   {"herd": [float(k.get("herd_by_period", {}).get(p, 0)) for p in periods]}),
        line_chart("Milk produced in each quarter", "t", periods,
                   {"milk": [float(k.get("milk_t_by_period", {}).get(p, 0.0)) for p in periods]}),
    ]
    if years:
        trade = k["trade"]
        charts.append(bar_chart(
            "Bilateral trade against the targets", "USD per year", years,
            {"baseline trade": [float(r["baseline_usd"]) for r in trade],
             "Belarusian exports": [float(r["exports_usd"]) for r in trade]},
            {"target": [float(r["target_usd"]) for r in trade]}))
    return "<h2>Charts</h2>" + "".join(f'<figure>{c}</figure>' for c in charts)


Event = tuple[str, str, str, str]  # quarter, what, where, amount


def _district_of(inputs: PlanInputs, key: str, table: pd.DataFrame) -> str:
    if key not in table.index:
        return ""
    did = str(table.loc[key, "district_id"])
    if did in inputs.districts.index:
        row = inputs.districts.loc[did]
        return names(row.get("name_en"), row.get("name_az"))
    return did


def _build_events(plan: Plan, inputs: PlanInputs) -> list[Event]:
    """Farms started and opened, agro-towns developed, houses built."""
    events: list[Event] = []
    for f in plan.farms.itertuples(index=False):
        where = f"site {f.site_id}, {_district_of(inputs, str(f.site_id), inputs.sites)}"
        size = f"{fmt_num(num(f.size_heads))} head"
        events.append((str(f.build_start), "Farm construction starts", where, size))
        events.append((str(f.operational_from), "Farm operational", where, size))
    for t in plan.agro_towns.itertuples(index=False):
        events.append((str(t.developed_in), "Agro-town developed",
                       _town(inputs, str(t.settlement_id)), ""))
    houses = plan.houses
    for h in houses[pd.to_numeric(houses["houses"], errors="coerce") > 0].itertuples(index=False):
        events.append((str(h.period), "Wooden houses built", _town(inputs, str(h.settlement_id)),
                       f"{fmt_num(num(h.houses))} houses"))
    return events


def _delivery_events(plan: Plan) -> list[Event]:
    """Heifers origin -> hub -> farm and timber origin -> hub, per quarter."""
    events: list[Event] = []
    deliveries = plan.deliveries
    if len(deliveries):
        keys = ["period", "origin_id", "hub_id", "site_id"]
        for row in deliveries.groupby(keys, as_index=False)["heads"].sum().itertuples():
            if num(row.heads) > 0:
                events.append((str(row.period), "Heifers delivered",
                               f"{row.origin_id} via {row.hub_id} to farm {row.site_id}",
                               f"{fmt_num(num(row.heads))} head"))
    timber = plan.table("timber")
    if len(timber):
        keys = ["period", "origin_id", "hub_id"]
        for row in timber.groupby(keys, as_index=False)["m3"].sum().itertuples():
            if num(row.m3) > 0:
                events.append((str(row.period), "Timber shipped",
                               f"{row.origin_id} via {row.hub_id}",
                               f"{fmt_num(num(row.m3), 0)} m3"))
    return events


def _roadmap(plan: Plan, inputs: PlanInputs, periods: Sequence[str]) -> str:
    """One block per quarter: what starts, opens, is delivered and built, and where."""
    by_period: dict[str, list[tuple[str, str, str]]] = {p: [] for p in periods}
    for period, what, where, amount in _build_events(plan, inputs) + _delivery_events(plan):
        by_period.setdefault(period, []).append((what, where, amount))
    spend = plan.kpis.get("spend_by_period", {})
    budget = plan.kpis.get("budget_by_period", {})
    blocks = []
    for period in sorted(by_period, key=lambda p: (p not in periods, p)):
        rows = by_period[period]
        rows.append(("Spend / budget of the quarter", "",
                     f"{fmt_usd(float(spend.get(period, 0.0)))} / "
                     f"{fmt_usd(float(budget.get(period, 0.0)))}"))
        body = "".join(f"<tr><td>{esc(w)}</td><td>{esc(p)}</td><td>{esc(a)}</td></tr>"
                       for w, p, a in rows)
        blocks.append(f'<tbody><tr class="ap-quarter"><th colspan="3">{esc(period)}</th></tr>'
                      f"{body}</tbody>")
    return ("<h2>Roadmap by quarter</h2><table class=\"ap-roadmap\"><thead><tr><th>What</th>"
            "<th>Where</th><th>Amount</th></tr></thead>" + "".join(blocks) + "</table>")


def _town(inputs: PlanInputs, settlement_id: str) -> str:
    if settlement_id in inputs.settlements.index:
        row = inputs.settlements.loc[settlement_id]
        return names(row.get("name_en"), row.get("name_az")) or settlement_id
    return settlement_id


def _milestones(plan: Plan) -> str:
    rows = [(r.get("name"), r.get("metric"), r.get("by"), fmt_num(float(r.get("at_least", 0.0)), 0),
             fmt_num(float(r.get("value", 0.0)), 0), "yes" if r.get("met") else "no",
             fmt_num(float(r.get("margin", 0.0)), 0), "constraint" if r.get("enforce") else
             "reported")
            for r in plan.kpis.get("milestones", [])]
    if not rows:
        return ""
    return "<h2>Milestones</h2>" + _table(
        ("Milestone", "Metric", "By", "At least", "Plan", "Met", "Margin", "Kind"), rows)


BINDING_SHOWN = 15


def _binding(plan: Plan) -> str:
    table = plan.table("binding")
    if table.empty:
        return ""
    top = table.sort_values("marginal_value", ascending=False, kind="stable").head(BINDING_SHOWN)
    rows = [(r["constraint"], fmt_num(float(r["limit"]), 1), str(r["unit"]),
             fmt_num(float(r["marginal_value"]), 3)) for r in top.to_dict("records")]
    return (f"<h2>What limits the plan</h2><p>{len(table)} capacities, budgets and supplies "
            f"are used up; the {len(rows)} worth most per extra unit (objective points per "
            "unit, from the plan with its yes/no decisions fixed):</p>"
            + _table(("Constraint", "Limit", "Unit", "Value of one more unit"), rows))


def _violations(plan: Plan) -> str:
    table = plan.table("violations")
    if table.empty:
        return ""
    rows = table[list(table.columns)].astype(str).itertuples(index=False)
    return "<h2>Soft constraints not met</h2>" + _table(tuple(table.columns), rows)


def build_report(plan: Plan, inputs: PlanInputs, layers: Layers | None = None) -> str:
    """The report page as a string (``layers`` is accepted for symmetry with the map)."""
    scenario = inputs.scenario
    periods = tuple(plan.periods) or tuple(inputs.periods)
    gap = "-" if plan.relative_gap is None else f"{100 * plan.relative_gap:.2f}%"
    summary = (
        f"<p>Scenario <b>{esc(scenario.name)}</b>: {esc(scenario.description)}</p>"
        f"<p>Horizon {esc(periods[0])} to {esc(periods[-1])} ({len(periods)} quarters). "
        f"Plan <b>{esc(plan.status)}</b>, solver {esc(plan.solver)}, gap {esc(gap)}, "
        f"{plan.solve_seconds:.1f} s.</p>"
    )
    if not plan.has_solution:
        summary += "<p class=\"ap-warning\">No plan was found: the figures below are empty.</p>"
    body = summary + _kpi_section(plan) + _charts(plan, periods) + _roadmap(plan, inputs, periods)
    body += _milestones(plan) + _violations(plan) + _binding(plan)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(f'agroplan report: {scenario.name}')}</title>"
        f"{style_tag(asset_text('report.css'))}</head><body>"
        f"<h1>{esc(f'Plan report: {scenario.name}')}</h1>{body}</body></html>\n"
    )


def render_report(plan: Plan, inputs: PlanInputs, layers: Layers | None,
                  out_path: Path | str) -> Path:
    """Write the plan's report as one self-contained HTML file.

    Parameters
    ----------
    plan, inputs, layers
        The plan, the inputs it was solved from, and the scenario's layers.
    out_path
        The HTML file to write (its folder is created).

    Returns
    -------
    Path
        The absolute path written.

    Raises
    ------
    OutputError
        If the page would load anything, or cannot be written.
    """
    html = build_report(plan, inputs, layers)
    check_offline(html, f"the report of {inputs.scenario.name}")
    return write_atomic(Path(out_path), html)
