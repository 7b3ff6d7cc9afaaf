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
@click.option("--pdf", "pdf", is_flag=True,
              help="Also print the map and the report to PDF (<name>.pdf beside each page; "
                   "A4, the map landscape). Needs chromium and Playwright; without them "
                   "the pages are written and it says how to print them from a browser.")
@language_option(terminal=True)
@layer_limit_options
def command(plan_dir: Path, out: Path | None, lang: str | None, pdf: bool) -> None:
    """Draw the plan in PLAN_DIR (default runs/default) as a map and a report.

    Both pages are self-contained: they open offline, with no Python, and print on A4.
    The last line printed is the map's path. --lang (or the plan's scenario's
    report.language) chooses their language; --pdf prints both to PDF as well.
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
    tr = translator(language)
    click.echo(tr.gettext("report: %(path)s") % {"path": report})
    if pdf:
        from agroplan.render.pdf import write_pdfs

        for written in write_pdfs([report, map_path]):
            click.echo(tr.gettext("PDF: %(path)s") % {"path": written})
    click.echo(str(map_path))
