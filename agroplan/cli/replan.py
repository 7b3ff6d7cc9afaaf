"""``agroplan replan``: fix the past to the actuals, re-optimise the rest, write and check it.

Exit codes as ``agroplan plan``: 0 for a re-plan, 2 for a bad scenario or ``--as-of``,
3 for bad actuals (every problem listed), 4 when the actuals break a hard rule (named with
its place) or no plan completes them, 5 when none was found in time, 6 when the folder
cannot be written, 7 when the written re-plan fails the check.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agroplan.cli.options import choose_language, language_option, layer_limit_options
from agroplan.cli.plan import SolveProgress, summary_table


@click.command("replan")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--actuals", "actuals_dir", required=True, type=click.Path(path_type=Path),
              help="Folder of actuals CSV tables (farms, deliveries, houses, agro_towns, "
                   "spend, land), or an .xlsx workbook with one sheet per table "
                   "(`agroplan actuals template` writes one).")
@click.option("--as-of", "as_of", required=True, metavar="QUARTER",
              help="Last quarter the actuals cover, e.g. 2027Q4.")
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Plan folder this re-plan replaces; the changes against it are counted.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Plan folder to write  [default: runs/<scenario>-replan-<as-of>]")
@click.option("--solver", type=click.Choice(["highs", "scip", "cpsat"]), default=None,
              help="MathOpt backend  [default: the scenario's solver.backend]")
@click.option("--time-limit", type=click.FloatRange(min=0, max=1e7, min_open=True), default=None,
              help="Wall-clock seconds for the solve  [default: solver.time_limit_s]")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key (repeatable), as for `agroplan plan`.")
@click.option("--map/--no-map", "draw_map", default=True, show_default=True,
              help="Also write the offline map maps/<out folder name>.html and its report.")
@language_option(terminal=False)
@layer_limit_options
def command(scenario: Path | None, actuals_dir: Path, as_of: str, previous: Path | None,
            out_dir: Path | None, solver: str | None, time_limit: float | None,
            overrides: tuple[str, ...], draw_map: bool, lang: str | None) -> None:
    """Re-plan SCENARIO (default data/scenarios/default.yaml) from what happened to --as-of.

    The decisions of every quarter up to --as-of are fixed to the actuals (farms started,
    heifers delivered, houses built, agro-towns developed; money spent moves the budget),
    the rest of the horizon is re-optimised. Writes a plan folder with the actuals in
    actuals/, checks it (past equal to the actuals, every rule holding) and draws the map.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.cli.check import violation_error, violations_table
    from agroplan.plan.folder import default_plan_folder, read_plan, write_plan
    from agroplan.roadmap.actuals import write_actuals
    from agroplan.roadmap.check import check_replan
    from agroplan.roadmap.replanning import plan_changes, replan

    console, out = Console(stderr=True), Console()
    previous_plan = read_plan(previous) if previous is not None else None
    options: dict[str, Any] = {"backend": solver, "time_limit_s": time_limit}
    started = time.perf_counter()
    with console.status("reading the scenario, its layers and the actuals") as status:
        result = replan(scenario, actuals_dir, as_of, previous=previous, overrides=overrides,
                        solve_options=options, progress=SolveProgress(console, status))
        plan = result.plan
        console.print(f"[green]✓[/] re-planned {plan.scenario} from the actuals to {as_of} "
                      f"({time.perf_counter() - started:.1f} s)")
        target = out_dir if out_dir is not None else default_plan_folder(
            f"{plan.scenario}-replan-{as_of}")
        status.update("writing the plan")
        # the actuals go into the new folder before it is swapped in: a re-plan folder
        # never lacks the actuals it was made from
        write_plan(plan, result.inputs, target, layers=result.layers,
                   timings={"replan": time.perf_counter() - started},
                   extra=lambda staging: write_actuals(result.actuals, staging / "actuals"))
        console.print(f"[green]✓[/] plan written to {escape(str(target))}")
        status.update("checking the plan")
        violations = check_replan(result.inputs, plan, result.actuals)
    if previous_plan is not None and previous_plan.scenario != plan.scenario:
        console.print(f"  [yellow]warning[/] {escape(str(previous))} is a plan of scenario "
                      f"{escape(previous_plan.scenario)}, not {escape(plan.scenario)}")
    out.print(summary_table(plan))
    if previous_plan is not None:
        out.print(changes_table(plan_changes(previous_plan, plan), str(previous)))
    if violations:
        out.print(violations_table(violations))
        raise violation_error(violations, str(target))
    out.print(f"check: the past equals the actuals to {as_of}; every constraint holds",
              soft_wrap=True)
    if draw_map:
        from agroplan.render import render_outputs

        with console.status("drawing the map"):
            map_path, report_path = render_outputs(
                plan, result.inputs, result.layers, Path("maps") / f"{Path(target).name}.html",
                choose_language(lang, result.inputs.scenario, terminal=False))
        out.print(f"report: {escape(str(report_path))}", soft_wrap=True)
        click.echo(str(map_path))


def changes_table(rows: list[tuple[str, str, str]], previous: str) -> Table:
    """What changed against the previous plan, as counts."""
    table = Table(title=f"changes against {previous}", title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    for what, before, after in rows:
        table.add_row(what, before, after)
    return table
