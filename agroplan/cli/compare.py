"""``agroplan compare A B [...]``: key figures and decisions of plans against the first.

Each argument is a scenario file (planned here, as ``agroplan plan`` would, without
writing a plan folder) or a plan folder written by ``agroplan plan``; the two may be
mixed. Prints the key figures with their differences from the first plan (the baseline)
and the farms and houses that changed, then writes ``compare.html`` (offline page with a
map, one layer per plan) and ``compare.json`` into ``--out``.

Exit codes: 0 on success; 2 for a missing argument or a bad scenario, 3 for bad layers,
4/5 when a scenario has no plan, 6 for a folder that is not a plan folder or an output
that cannot be written.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from agroplan.cli.options import choose_language, language_option, layer_limit_options
from agroplan.errors import ConfigError, InfeasibleError, OutputError, SolverError

if TYPE_CHECKING:
    from agroplan.config.scenario import Scenario
    from agroplan.layers.read import Layers
    from agroplan.plan.result import Plan
    from agroplan.solve.pipeline import Backend
    from agroplan.studies.compare import Comparison, Places, PlanChanges

MAPS_DIR = Path("maps")
SHOWN = 40  # changes listed per table in the terminal; the page lists them all


def default_out_dir(labels: Sequence[str]) -> Path:
    """``maps/compare-<a>-vs-<b>[-vs-<c>...]``."""
    from agroplan.studies.compare import slug

    return MAPS_DIR / ("compare-" + "-vs-".join(slug(label) for label in labels))


def check_sources(paths: Sequence[Path]) -> None:
    """Refuse missing paths and folders that are not plans before anything is solved.

    Raises
    ------
    ConfigError
        Naming every path that does not exist.
    OutputError
        Naming every folder without ``plan.json``.
    """
    missing = [
        f"{path}: no such scenario file or plan folder; give a scenario file "
        "(e.g. data/scenarios/default.yaml) or a plan folder written by `agroplan plan` "
        "(e.g. runs/default)" for path in paths if not path.exists()]
    if missing:
        raise ConfigError(missing)
    not_plans = [
        f"{path}: a folder but not a plan folder (no plan.json); give a plan folder "
        "written by `agroplan plan` (e.g. runs/default) or a scenario file "
        "(e.g. data/scenarios/default.yaml)"
        for path in paths if path.is_dir() and not (path / "plan.json").is_file()]
    if not_plans:
        raise OutputError(not_plans)


@dataclass(frozen=True)
class Source:
    """One argument, read and validated: its scenario, layers and plan (``None`` until a
    scenario file is solved)."""

    path: Path
    scenario: Scenario
    layers: Layers
    plan: Plan | None


def read_sources(paths: Sequence[Path], console: Console) -> list[Source]:
    """Read every argument (scenario files, plan folders and their layers) before any
    solve, so a mistake in the last one does not wait for the first to be planned.

    Raises
    ------
    ConfigError, DataError
        For a missing path, a bad scenario or bad layers.
    OutputError
        For a folder that is not a plan folder, or a plan without a solution.
    """
    from agroplan.config.load import load_scenario
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import read_plan, read_plan_scenario

    check_sources(paths)
    found = []
    for path in paths:
        if path.is_dir():
            plan = read_plan(path)
            if not plan.has_solution:
                raise OutputError(f"{path}: the plan has no solution (status {plan.status}); "
                                  "solve it again with `agroplan plan` before comparing")
            scenario = read_plan_scenario(path)
            console.print(f"[green]✓[/] plan folder {escape(str(path))}: scenario "
                          f"{escape(plan.scenario)}, {plan.status}")
        else:
            plan, scenario = None, load_scenario(path)
        found.append(Source(path, scenario, read_layers(scenario), plan))
    return found


def solve_source(source: Source, solver: str | None, time_limit: float | None,
                 console: Console) -> Plan:
    """The plan of a source: read from its folder, or solved now from its scenario file.

    Raises
    ------
    InfeasibleError, SolverError
        If the scenario has no plan (the message names the file).
    """
    if source.plan is not None:
        return source.plan
    from agroplan.inputs import build_plan_inputs
    from agroplan.solve.pipeline import solve

    path, scenario = source.path, source.scenario
    started = time.perf_counter()
    with console.status(f"planning {escape(str(path))}"):
        inputs = build_plan_inputs(scenario, source.layers)
        try:
            plan = solve(inputs, backend=cast("Backend | None", solver),
                         time_limit_s=time_limit)
        except (InfeasibleError, SolverError) as exc:
            # the solver's checks name keys, not files: say which argument failed
            raise type(exc)([f"{path}: {p}" for p in exc.problems]) from None
    if plan.status == "infeasible":
        raise InfeasibleError(
            f"{path}: scenario {scenario.name} admits no plan, so there is nothing to compare; "
            f"run `agroplan explain {path}` to see which settings conflict")
    if plan.status == "no_solution":
        raise SolverError(
            f"{path}: {plan.solver} found no plan for scenario {scenario.name} within the time "
            "limit; raise it with --time-limit or try another --solver")
    console.print(f"[green]✓[/] scenario {escape(str(path))}: {escape(scenario.name)}, "
                  f"{plan.status} ({time.perf_counter() - started:.1f} s)")
    return plan


@click.command("compare")
@click.argument("sources", nargs=-1, required=True, metavar="A B [...]",
                type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None,
              help="Folder for compare.html and compare.json  [default: maps/compare-<a>-vs-<b>]")
@click.option("--solver", type=click.Choice(["highs", "scip", "cpsat"]), default=None,
              help="MathOpt backend for scenario files  [default: each scenario's own]")
@click.option("--time-limit", type=click.FloatRange(min=0, max=1e7, min_open=True), default=None,
              help="Wall-clock seconds per scenario solve  [default: solver.time_limit_s]")
@language_option(terminal=False)
@layer_limit_options
def command(sources: tuple[Path, ...], out_dir: Path | None, solver: str | None,
            time_limit: float | None, lang: str | None) -> None:
    """Compare plans A B [...] with the first (the baseline).

    Each of A, B, ... is a scenario file (solved now) or a plan folder written by
    `agroplan plan`. Prints the key figures and their differences, the farms added,
    removed, resized, moved in time or relocated, and the houses shifted between
    settlements and quarters; writes compare.html (offline, with a map of every plan as
    a layer) and compare.json. The last line printed is the page's path.
    """
    from agroplan.render.compare import render_compare
    from agroplan.studies.compare import compare_plans, places_from_layers, unique_labels

    if len(sources) < 2:
        raise ConfigError(f"compare needs two or more plans, got {len(sources)}; give a "
                          "baseline and at least one other scenario file or plan folder")
    console, out = Console(stderr=True), Console()
    found = read_sources(sources, console)
    plans = [solve_source(source, solver, time_limit, console) for source in found]
    labels = unique_labels([plan.scenario for plan in plans])
    places = places_from_layers(source.layers for source in found)
    comparison = compare_plans(labels, plans, places)
    out.print(kpi_table(comparison))
    for changes in comparison.changes:
        for table in change_tables(changes, comparison.baseline, places):
            out.print(table)
    target = out_dir if out_dir is not None else default_out_dir(labels)
    page, data = render_compare(comparison, plans, places, target, found[0].layers.districts,
                                choose_language(lang, found[0].scenario, terminal=False))
    out.print(Text(f"data: {data}"), soft_wrap=True)
    click.echo(str(page))


def kpi_table(comparison: Comparison) -> Table:
    """The key figures of every plan, with differences from the baseline."""
    from agroplan.render.compare import format_delta, format_value

    labels = comparison.labels
    table = Table(title="key figures (difference = plan − baseline)", title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column(Text(f"{labels[0]} (baseline)"), justify="right")
    for label in labels[1:]:
        table.add_column(Text(label), justify="right")
        table.add_column(Text("Δ"), justify="right", style="cyan")
    for row in comparison.kpis:
        cells = [Text(row.label), Text(format_value(row.values[0], row.unit))]
        for i in range(1, len(labels)):
            cells += [Text(format_value(row.values[i], row.unit)), Text(format_delta(row, i))]
        table.add_row(*cells)
    return table


def change_tables(changes: PlanChanges, baseline: str, places: Places) -> list[Table | Text]:
    """The farm and house changes of one plan against the baseline."""
    from agroplan.render.compare import farm_cells

    if not changes.farms and not changes.houses:
        return [Text(f"{changes.label}: the same farms and houses as {baseline}")]
    found: list[Table | Text] = []
    if changes.farms:
        farms = Table(title=f"farms: {changes.label} against {baseline}", title_justify="left")
        # before → after stays on one line; the district is left to the page (and the
        # site id) so the table fits 80 columns
        farms.add_column("change", min_width=9)
        for header in ("site", "head", "build start", "km"):
            farms.add_column(header, no_wrap=True, justify="right" if header == "km" else "left")
        for change in changes.farms[:SHOWN]:
            cells = farm_cells(change)
            farms.add_row(*(Text(c) for c in (cells[0], *cells[2:])))
        _more(farms, len(changes.farms), 5)
        found.append(farms)
    if changes.houses:
        found.append(_house_table(changes, baseline, places))
    return found


def _house_table(changes: PlanChanges, baseline: str, places: Places) -> Table:
    from agroplan.render.compare import house_cells

    table = Table(title=f"houses: {changes.label} against {baseline}", title_justify="left")
    for i, header in enumerate(("settlement", "district", "before", "after", "Δ",
                                "first before", "first after")):
        table.add_column(header, justify="right" if 2 <= i <= 4 else "left")
    for change in changes.houses[:SHOWN]:
        table.add_row(*(Text(c) for c in house_cells(change, places)))
    _more(table, len(changes.houses), 7)
    return table


def _more(table: Table, total: int, columns: int) -> None:
    if total > SHOWN:
        table.add_row("…", f"and {total - SHOWN} more (see compare.html)",
                      *([""] * (columns - 2)))

