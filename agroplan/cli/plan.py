"""``agroplan plan``: read a scenario, solve it, write the plan folder, check it, draw the map.

Exit codes: 0 for a plan (optimal, or feasible with a gap when the time limit stopped
the solver), 4 when no plan exists, 5 when the solver found none in time, 7 when the
written plan fails the independent check; 2, 3 and 6 for scenario, data and output errors.
Progress goes to standard error; the summary to standard output, the map's path last.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table

from agroplan.cli.options import choose_language, language_option, layer_limit_options
from agroplan.errors import InfeasibleError, SolverError
from agroplan.messages import Message
from agroplan.plan.result import Plan

if TYPE_CHECKING:
    from agroplan.render.i18n import Translator
    from agroplan.solve.pipeline import Backend

RUNS_DIR = Path("runs")


class SolveProgress:
    """Shows the solver's progress events on a rich status line and as finished steps."""

    def __init__(self, console: Console, status: Status) -> None:
        self.console = console
        self.status = status
        self.level = ""

    def __call__(self, event: str, info: Mapping[str, Any]) -> None:
        if event == "check":
            self.console.print(f"  [yellow]check[/] {escape(str(info.get('message', '')))}")
        elif event == "build":
            self.console.print(
                f"[green]✓[/] model built: {info['variables']:,} variables, "
                f"{info['constraints']:,} constraints ({info['seconds']:.1f} s)")
            self.status.update("solving")
        elif event == "level":
            self.level = str(info.get("name", ""))
            self.status.update(f"solving ({self.level})")
        elif event == "log":
            line = str(info.get("line", "")).strip()
            if line:
                self.status.update(f"solving ({self.level}): {escape(line[:100])}")
        elif event == "solved":
            shown = gap_text(info.get("relative_gap"), info.get("objective"),
                             info.get("best_bound"))
            self.console.print(f"[green]✓[/] level {info.get('level')}: {info.get('status')}, "
                               f"objective {_num(info.get('objective'))}, "
                               f"bound {_num(info.get('best_bound'))}, "
                               f"gap {shown}")


def _num(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.2f}"


def gap_text(gap: float | None, objective: Any, bound: Any, tr: Translator | None = None
             ) -> str:
    """The relative gap in %; the absolute gap when the objective is ~0 (no relative one)."""
    if tr is None:
        if gap is not None:
            return f"{100 * gap:.3f} %"
        if objective is None or bound is None:
            return "-"
        return f"{abs(float(bound) - float(objective)):,.2f} (absolute: the objective is ~0)"
    if gap is not None:
        return tr.percent(gap, 3)
    if objective is None or bound is None:
        return "-"
    return tr.gettext("%(gap)s (absolute: the objective is ~0)") % {
        "gap": tr.number(abs(float(bound) - float(objective)), 2)}


def _english() -> Translator:
    from agroplan.render.i18n import translator

    return translator("en")


@click.command("plan")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Plan folder to write  [default: runs/<scenario name>]")
@click.option("--solver", type=click.Choice(["highs", "scip", "cpsat"]), default=None,
              help="MathOpt backend  [default: the scenario's solver.backend]")
@click.option("--time-limit", type=click.FloatRange(min=0, max=1e7, min_open=True), default=None,
              help="Wall-clock seconds for the solve  [default: solver.time_limit_s]")
@click.option("--gap", type=click.FloatRange(0, 1), default=None,
              help="Stop at this relative gap  [default: solver.relative_gap]")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Solver threads  [default: solver.threads]")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Random seed  [default: solver.seed]")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key, e.g. --set budget.carry_over=false (repeatable).")
@click.option("--map/--no-map", "draw_map", default=True, show_default=True,
              help="Also write the offline map maps/<scenario>.html and its report.")
@language_option(terminal=True)
@layer_limit_options
def command(scenario: Path | None, out_dir: Path | None, solver: str | None,
            time_limit: float | None, gap: float | None, threads: int | None, seed: int | None,
            overrides: tuple[str, ...], draw_map: bool, lang: str | None) -> None:
    """Solve SCENARIO (default data/scenarios/default.yaml) and write its plan folder.

    The folder holds plan.json, run.json, one CSV per table, plan.gpkg and scenario.json.
    The plan is then verified by the independent checker (as `agroplan check` does).
    Exits 0 with a plan (optimal, or feasible with its gap when the time limit stops the
    solver), 4 when no plan exists, 5 when none was found in time, 7 when the plan fails
    the check.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.check.rules import check_plan
    from agroplan.cli.check import violation_error, violations_table
    from agroplan.config.load import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import check_plan_folder, default_plan_folder, write_plan
    from agroplan.render.i18n import translator
    from agroplan.solve.pipeline import solve

    console, out = Console(stderr=True), Console()
    timings: dict[str, float] = {}
    tr = translator(lang or "en")  # the scenario's report.language once it is read
    with console.status(tr.gettext("reading the scenario and its layers")) as status:
        started = time.perf_counter()
        config = load_scenario(scenario, overrides)
        tr = translator(choose_language(lang, config))
        _ = tr.gettext
        target = out_dir if out_dir is not None else default_plan_folder(config.name)
        check_plan_folder(target)  # a folder that cannot be written fails before the solve
        layers = read_layers(config)
        timings["read"] = time.perf_counter() - started
        console.print("[green]✓[/] " + escape(_(
            "scenario %(name)s: %(sites)s farm sites, %(settlements)s settlements, "
            "%(quarters)s quarters (%(seconds)s s)") % {
                "name": config.name, "sites": len(layers.farm_sites),
                "settlements": len(layers.settlements),
                "quarters": len(config.periods), "seconds": tr.fixed(timings["read"], 1)}))
        for warning in layers.warnings:
            console.print(f"  [yellow]warning[/] {escape(warning)}")
        status.update(_("building the plan inputs and the model"))
        started = time.perf_counter()
        inputs = build_plan_inputs(config, layers)
        timings["inputs"] = time.perf_counter() - started
        started = time.perf_counter()
        plan = solve(inputs, backend=cast("Backend | None", solver), time_limit_s=time_limit,
                     relative_gap=gap, threads=threads, seed=seed,
                     progress=SolveProgress(console, status))
        timings["solve"] = time.perf_counter() - started
        _raise_without_solution(plan, config.name, inputs, console)
        status.update(_("writing the plan"))
        write_plan(plan, inputs, target, layers=layers, timings=timings)
        console.print("[green]✓[/] " + escape(_("plan written to %(folder)s") % {
            "folder": target}))
        status.update(_("checking the plan"))
        violations = check_plan(inputs, plan)
    out.print(summary_table(plan, tr))
    for extra in (milestones_table(plan, tr), soft_table(plan, tr), binding_summary(plan, tr)):
        if extra is not None:
            out.print(extra)
    if violations:
        out.print(violations_table(violations))
    else:
        out.print(escape(_("check: every constraint holds; objective and KPIs match the "
                           "decisions")), soft_wrap=True)
    pages = _draw_map(plan, inputs, layers, console, tr) if draw_map else None
    if pages is not None:
        out.print(escape(_("report: %(path)s") % {"path": pages[1]}), soft_wrap=True)
    if violations:
        raise violation_error(violations, str(target))
    if pages is not None:
        click.echo(str(pages[0]))


def _raise_without_solution(plan: Plan, name: str, inputs: Any, console: Console) -> None:
    if plan.status == "infeasible":
        from agroplan.studies.diagnosis import explain

        with console.status("no plan exists: searching for the conflicting settings"):
            explanation = explain(inputs)
        if explanation.feasible:  # cannot happen unless a time limit cut the solve short
            raise InfeasibleError(Message(
                "scenario %(name)s: the solver proved that no plan meets every constraint; "
                "run `agroplan explain`", name=name))
        raise InfeasibleError("\n".join(explanation.lines()))
    if plan.status == "no_solution":
        raise SolverError(Message(
            "scenario %(name)s: %(solver)s found no plan within the time limit; raise it "
            "with --time-limit or try another --solver", name=name, solver=plan.solver))


def _draw_map(plan: Plan, inputs: Any, layers: Any, console: Console, tr: Translator
              ) -> tuple[Path, Path] | None:
    """Write the map and its report when the renderers are installed with this agroplan."""
    if importlib.util.find_spec("agroplan.render") is None:
        console.print("  map skipped: this agroplan has no renderers (agroplan.render)")
        return None
    from agroplan.render import render_outputs

    with console.status(tr.gettext("drawing the map")):
        map_path, report_path = render_outputs(plan, inputs, layers, lang=tr.lang)
    return Path(map_path), Path(report_path)


def summary_table(plan: Plan, tr: Translator | None = None) -> Table:
    """Status, solver figures and the headline KPIs of a plan (in English by default)."""
    from agroplan.render.labels import label

    tr = tr or _english()
    _ = tr.gettext
    k = plan.kpis

    def musd(value: float) -> str:
        return _("%(num)s M USD") % {"num": tr.fixed(value / 1e6, 1)}

    def musd_whole(value: float) -> str:
        return _("%(num)s M USD") % {"num": tr.fixed(value / 1e6, 0)}

    table = Table(title=escape(_("plan %(scenario)s") % {"scenario": plan.scenario}),
                  title_justify="left", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    rows = [
        (_("status"), _("%(status)s (%(solver)s, %(seconds)s s)") % {
            "status": label(tr, "status", plan.status), "solver": plan.solver,
            "seconds": tr.fixed(plan.solve_seconds, 1)}),
        (_("objective / bound"), f"{_number(plan.objective, tr)} / {_number(plan.best_bound, tr)}"),
        (_("relative gap"), gap_text(plan.relative_gap, plan.objective, plan.best_bound,
                                     None if tr.lang == "en" else tr)),
        (_("families housed"), tr.number(k.get("families_housed", 0))),
        (_("farms built / operational"),
         f"{tr.number(k.get('farms', 0))} / {tr.number(k.get('farms_operational', 0))}"),
        (_("herd (last quarter)"), tr.ngettext("%(num)s head", "%(num)s head",
                                               k.get("herd_heads", 0))
         % {"num": tr.number(k.get("herd_heads", 0))}),
        (_("milk"), _("%(num)s t/yr") % {"num": tr.number(k.get("milk_t_per_year", 0), 0)}),
        (_("farm jobs"), tr.number(k.get("jobs", 0), 0)),
        (_("spend / budget"), _("%(spend)s / %(budget)s M USD") % {
            "spend": tr.fixed(k.get("spend_usd", 0) / 1e6, 1),
            "budget": tr.fixed(k.get("budget_usd", 0) / 1e6, 1)}),
    ]
    for year, usd in k.get("belarus_exports_usd_by_year", {}).items():
        rows.append((_("Belarusian exports %(year)s") % {"year": year}, musd(usd)))
    for row in k.get("trade", []):
        met = (_("met") if row.get("met") else
               _("short by %(gap)s") % {"gap": musd(row.get("gap_usd", 0))})
        rows.append((_("trade target %(year)s") % {"year": row.get("year")},
                     _("%(target)s: %(met)s") % {"target": musd_whole(row.get("target_usd", 0)),
                                                 "met": met}))
    for what, value in rows:
        table.add_row(escape(what), escape(value))
    return table


def _number(value: Any, tr: Translator) -> str:
    return "-" if value is None else (f"{float(value):,.2f}" if tr.lang == "en"
                                      else tr.number(float(value), 2))


def milestones_table(plan: Plan, tr: Translator | None = None) -> Table | None:
    """Each milestone: value, met or not, margin."""
    from agroplan.render.labels import label

    rows = plan.kpis.get("milestones", [])
    if not rows:
        return None
    tr = tr or _english()
    _ = tr.gettext
    table = Table(title=_("milestones"), title_justify="left")
    for i, column in enumerate((_("milestone"), _("metric by"), _("at least"), _("plan"),
                                _("met"), _("margin"))):
        table.add_column(column, justify="left" if i < 2 else "right")
    for r in rows:
        metric = r["metric"] if tr.lang == "en" else label(tr, "metric", r["metric"])
        table.add_row(escape(str(r["name"])),
                      escape(_("%(metric)s by %(quarter)s") % {
                          "metric": metric, "quarter": r["by"] if tr.lang == "en"
                          else tr.quarter(r["by"])}),
                      tr.number(r["at_least"], 0), tr.number(r["value"], 0),
                      _("yes") if r["met"] else "[red]" + escape(_("no")) + "[/]",
                      tr.number(r["margin"], 0))
    return table


def soft_table(plan: Plan, tr: Translator | None = None) -> Table | None:
    """Soft constraints the plan violates, with the penalty paid."""
    violations = plan.table("violations")
    if violations.empty:
        return None
    tr = tr or _english()
    _ = tr.gettext
    table = Table(title=escape(_("soft constraints not met (%(num)s, penalty %(points)s points)")
                               % {"num": len(violations), "points": tr.number(
                                   plan.kpis.get("violation_penalty", 0.0), 2)}),
                  title_justify="left")
    table.add_column(_("constraint"), no_wrap=True)
    table.add_column(_("violation"), justify="right")
    for r in violations.head(SHOWN_ROWS).to_dict("records"):
        table.add_row(escape(str(r["key"])), f"{float(r['amount']):,.6g} {r['unit']}")
    if len(violations) > SHOWN_ROWS:
        table.add_row("…", escape(_("and %(num)s more in violations.csv") % {
            "num": len(violations) - SHOWN_ROWS}))
    return table


def binding_summary(plan: Plan, tr: Translator | None = None) -> Table | None:
    """Per family: how many constraints bind and the one worth most per extra unit."""
    from agroplan.render.labels import label

    binding = plan.table("binding")
    if binding.empty:
        return None
    tr = tr or _english()
    _ = tr.gettext
    table = Table(title=escape(_("what binds (full list in binding.csv)")), title_justify="left")
    table.add_column(_("family"))
    table.add_column(_("binding"), justify="right")
    table.add_column(_("worth most per extra unit (objective points)"))
    for family, rows in binding.groupby("family", sort=True):
        top = rows.sort_values("marginal_value", ascending=False, kind="stable").iloc[0]
        table.add_row(str(family), str(len(rows)),
                      escape(_("%(constraint)s: %(value)s per %(unit)s") % {
                          "constraint": top["constraint"],
                          "value": (f"{float(top['marginal_value']):,.4g}" if tr.lang == "en"
                                    else tr.significant(top["marginal_value"])),
                          "unit": label(tr, "unit", top["unit"])}))
    return table


SHOWN_ROWS = 10
