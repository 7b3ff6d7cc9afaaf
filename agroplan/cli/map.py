"""``agroplan map``: draw a solved plan as an offline HTML map and report."""

from __future__ import annotations

from pathlib import Path

import click

from agroplan.cli.options import choose_language, language_option, layer_limit_options
from agroplan.errors import OutputError
from agroplan.messages import Message


@click.command("map")
@click.argument("plan_dir", required=False, default="runs/default",
                type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML map to write (default maps/<scenario>.html); the report is written "
                   "next to it as <name>-report.html.")
@language_option(terminal=True)
@layer_limit_options
def command(plan_dir: Path, out: Path | None, lang: str | None) -> None:
    """Draw the plan in PLAN_DIR (default runs/default) as a map and a report.

    Both pages are self-contained: they open offline, with no Python. The last line
    printed is the map's path. --lang (or the plan's scenario's report.language) chooses
    their language.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import read_plan, read_plan_scenario
    from agroplan.render import render_outputs
    from agroplan.render.i18n import translator

    if not plan_dir.is_dir():
        raise OutputError(Message(
            "%(folder)s: no such plan folder; run `agroplan plan` first or give the folder "
            "it wrote (e.g. runs/default)", folder=plan_dir))
    plan = read_plan(plan_dir)
    scenario = read_plan_scenario(plan_dir)
    language = choose_language(lang, scenario)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    map_path, report = render_outputs(plan, inputs, layers, out, language)
    click.echo(translator(language).gettext("report: %(path)s") % {"path": report})
    click.echo(str(map_path))
