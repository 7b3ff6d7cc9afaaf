"""``agroplan explain``: why a scenario has no plan, in the config's own words.

Exit codes: 0 when the scenario has a plan (nothing to explain), 4 when it has none (the
conflicting settings are listed, each with its file, key and how far it must move), 2/3
for a wrong scenario or layers.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console

from agroplan.cli.options import layer_limit_options
from agroplan.errors import InfeasibleError


@click.command("explain")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key (repeatable), as for `agroplan plan`.")
@click.option("--time-limit", type=click.FloatRange(min=0, max=1e7, min_open=True),
              default=60.0, show_default=True, help="Seconds for each diagnostic solve.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the explanation as JSON to this file.")
@layer_limit_options
def command(scenario: Path | None, overrides: tuple[str, ...], time_limit: float,
            json_path: Path | None) -> None:
    """Find a minimal set of conflicting settings of SCENARIO (default: the default one).

    Every budget, supply, capacity, land, housing, trade-target and milestone group is
    relaxed, then groups are put back one by one until relaxing any one of the rest
    restores a plan; each is reported with how far it must move.
    """
    from agroplan.atomic import atomic_write
    from agroplan.config.load import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.studies.diagnosis import explain

    console = Console(stderr=True)
    with console.status("reading the scenario and its layers"):
        config = load_scenario(scenario, overrides)
        inputs = build_plan_inputs(config, read_layers(config))
    with console.status("searching for the conflicting settings"):
        explanation = explain(inputs, time_limit_s=time_limit)
    console.print(f"{explanation.solves} diagnostic solves in {explanation.seconds:.1f} s")
    if json_path is not None:
        text = json.dumps(asdict(explanation), indent=2, sort_keys=True)
        atomic_write(json_path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    lines = explanation.lines()
    if explanation.feasible:
        click.echo(lines[0])
        return
    raise InfeasibleError("\n".join(lines))
