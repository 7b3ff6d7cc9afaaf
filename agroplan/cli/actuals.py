"""``agroplan actuals template``: the empty actuals workbook of a scenario, to fill in Excel."""

from __future__ import annotations

from pathlib import Path

import click

from agroplan.cli.options import layer_limit_options


@click.group("actuals")
def command() -> None:
    """Actuals: what happened, to re-plan from (see docs/roadmap.md)."""


@command.command("template")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--xlsx", "xlsx_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to write, e.g. actuals-2027Q4.xlsx.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key (repeatable), as for `agroplan plan`.")
@layer_limit_options
def template(scenario: Path | None, xlsx_path: Path, overrides: tuple[str, ...]) -> None:
    """Write the actuals workbook of SCENARIO (default data/scenarios/default.yaml).

    One sheet per table (farms, deliveries, houses, agro_towns, spend, land) with drop-down
    lists of the scenario's site, settlement, origin and hub ids and its quarters; fill it
    and re-plan with `agroplan replan --actuals FILE.xlsx --as-of QUARTER`.
    """
    from agroplan.config.load import load_scenario
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.roadmap.workbook import write_template

    config = load_scenario(scenario, overrides)
    inputs = build_plan_inputs(config, read_layers(config))
    written = write_template(xlsx_path, inputs)
    click.echo(f"actuals template for scenario {config.name} ({len(inputs.sites)} sites, "
               f"{len(inputs.settlements)} settlements, {len(inputs.periods)} quarters): "
               f"{written}")
