"""``agroplan schema``: print the JSON Schema of scenario files."""

from __future__ import annotations

import json

import click

from agroplan.config.scenario import scenario_json_schema


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of scenario files."""
    click.echo(json.dumps(scenario_json_schema(), indent=2))
