"""``agroplan map``: draw a solved plan as an offline HTML map and report."""

from __future__ import annotations

from pathlib import Path

import click

from agroplan.cli.options import layer_limit_options
from agroplan.errors import OutputError


@click.command("map")
@click.argument("plan_dir", required=False, default="runs/default",
                type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML map to write (default maps/<scenario>.html); the report is written "
                   "next to it as <name>-report.html.")
@layer_limit_options
def command(plan_dir: Path, out: Path | None) -> None:
    """Draw the plan in PLAN_DIR (default runs/default) as a map and a report.

    Both pages are self-contained: they open offline, with no Python. The last line
    printed is the map's path.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import read_plan, read_plan_scenario
    from agroplan.render import render_outputs

    if not plan_dir.is_dir():
        raise OutputError(
            f"{plan_dir}: no such plan folder; run `agroplan plan` first or give the folder "
            "it wrote (e.g. runs/default)"
        )
    plan = read_plan(plan_dir)
    scenario = read_plan_scenario(plan_dir)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    map_path, report = render_outputs(plan, inputs, layers, out)
    click.echo(f"report: {report}")
    click.echo(str(map_path))
