"""``agroplan validate``: check a scenario and its layers, and summarise what they allow.

The summary compares demand with capacity over the horizon before any solver runs, so a
planner sees at once what will bind: families against house plots, heifers against farm
places and hub capacity, timber against houses, workers against farm jobs, money against
the cost of housing everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from agroplan.config.load import load_scenario
from agroplan.config.scenario import Scenario
from agroplan.layers.limits import DEFAULT_MAX_FEATURES, DEFAULT_MAX_MEGABYTES
from agroplan.layers.read import Layers, read_layers
from agroplan.periods import quarter_ordinal


@dataclass(frozen=True)
class Balance:
    """One line of what a full programme needs against what is available over the horizon."""

    what: str
    needed: float
    available: float
    unit: str

    @property
    def short(self) -> bool:
        """Less is available than needed: the plan cannot do all of it."""
        return self.available < self.needed


@dataclass(frozen=True)
class Summary:
    """What ``agroplan validate`` prints; computed without a solver."""

    counts: dict[str, int]
    supplies: dict[str, float]
    balances: tuple[Balance, ...]
    warnings: tuple[str, ...]


@click.command("validate")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key, e.g. --set budget.usd_per_quarter=5e7 (repeatable).")
@click.option("--max-features", type=click.IntRange(min=1), default=DEFAULT_MAX_FEATURES,
              show_default=True, help="Refuse layers with more features than this.")
@click.option("--max-megabytes", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_MAX_MEGABYTES, show_default=True,
              help="Refuse layer files larger than this.")
def command(
    scenario: Path | None, overrides: tuple[str, ...], max_features: int, max_megabytes: float
) -> None:
    """Check SCENARIO (default data/scenarios/default.yaml) and its layers; print a summary.

    Exits 0 when the scenario and its layers are valid, 2 for a scenario problem and 3
    for a data problem, listing every problem found.
    """
    config = load_scenario(scenario, overrides)
    layers = read_layers(config, max_features=max_features, max_megabytes=max_megabytes)
    print_summary(config, layers, summarise(config, layers))


def summarise(scenario: Scenario, layers: Layers) -> Summary:
    """Counts, supplies over the horizon, demand-capacity balances and warnings."""
    quarters = len(scenario.periods)
    last = quarter_ordinal(scenario.periods[-1])
    settlements, sites = layers.settlements, layers.farm_sites
    open_settlements = settlements[settlements["available_from"].map(quarter_ordinal) <= last]
    open_sites = sites[sites["available_from"].map(quarter_ordinal) <= last]
    farm_places = _farm_places(open_sites["max_size_heads"].to_numpy(), scenario.farms.sizes_heads)
    houses = float(np.minimum(open_settlements["max_houses"],
                              open_settlements["returning_families"]).sum())
    supply = scenario.supply
    supplies = {
        "heifers (heads)": float(layers.origins["heifers_per_quarter"].sum())
        * supply.heifer_factor * quarters,
        "timber (m3)": float(layers.origins["timber_m3_per_quarter"].sum())
        * supply.timber_factor * quarters,
        "hub throughput, heads": float(layers.hubs["capacity_heads_per_quarter"].sum())
        * supply.hub_capacity_factor * quarters,
        "hub throughput, timber (m3)": float(layers.hubs["capacity_timber_m3_per_quarter"].sum())
        * supply.hub_capacity_factor * quarters,
        "budget (USD)": float(sum(scenario.budget_usd())),
    }
    fodder_heads = _fodder_heads(scenario, layers)
    balances = (
        Balance("returning families vs house plots", float(settlements["returning_families"].sum()),
                float(settlements["max_houses"].sum()), "families"),
        Balance("timber to house every family vs timber supply",
                houses * scenario.houses.timber_m3_per_house,
                min(supplies["timber (m3)"], supplies["hub throughput, timber (m3)"]), "m3"),
        Balance("heifers to stock every site vs heifer supply", float(farm_places),
                min(supplies["heifers (heads)"], supplies["hub throughput, heads"]), "heads"),
        Balance("heads on every site vs heads fed by cleared land", float(farm_places),
                fodder_heads, "heads"),
        Balance("workers for every site vs workers from housed families",
                farm_places * scenario.farms.workers_per_100_head / 100,
                houses * scenario.houses.workers_per_family, "workers"),
        Balance("cost of housing every family vs budget", houses * scenario.houses.cost_usd
                + len(open_settlements) * scenario.agro_towns.infrastructure_usd,
                supplies["budget (USD)"], "USD"),
    )
    counts = {
        "districts": len(layers.districts), "settlements": len(settlements),
        "farm_sites": len(sites), "hubs": len(layers.hubs), "origins": len(layers.origins),
        "clearance rows": len(layers.clearance), "context": len(layers.context),
    }
    warnings = (*layers.warnings, *_warnings(scenario, layers, len(open_settlements),
                                             len(open_sites), balances))
    return Summary(counts, supplies, balances, warnings)


def _farm_places(max_sizes: np.ndarray, sizes: Sequence[int]) -> int:
    """Cow places if every site built the largest allowed size that its terrain takes."""
    allowed = np.asarray(sorted(sizes))
    index = np.searchsorted(allowed, max_sizes, side="right") - 1
    return int(np.where(index >= 0, allowed[np.clip(index, 0, None)], 0).sum())


def _fodder_heads(scenario: Scenario, layers: Layers) -> float:
    last = scenario.periods[-1]
    cleared = layers.clearance.loc[layers.clearance["period"] == last, "cleared_agricultural_ha"]
    land = float(cleared.sum()) * scenario.land.fodder_share_of_cleared
    per_head = scenario.farms.fodder_ha_per_head
    return land / per_head if per_head > 0 else float("inf")


def _warnings(
    scenario: Scenario, layers: Layers, open_settlements: int, open_sites: int,
    balances: Sequence[Balance],
) -> list[str]:
    settlements, sites = layers.settlements, layers.farm_sites
    found = []
    over = settlements[settlements["returning_families"] > settlements["max_houses"]]
    if len(over):
        shown = ", ".join(map(str, over.index[:3]))
        found.append(f"{len(over)} settlement(s) have more returning families than house plots "
                     f"(e.g. {shown}); the rest cannot be housed there")
    if open_settlements < len(settlements):
        found.append(f"{len(settlements) - open_settlements} settlement(s) become available only "
                     f"after the horizon ends ({scenario.periods[-1]})")
    if open_sites < len(sites):
        found.append(f"{len(sites) - open_sites} farm site(s) become available only after the "
                     f"horizon ends ({scenario.periods[-1]})")
    too_small = sites[sites["max_size_heads"] < min(scenario.farms.sizes_heads)]
    if len(too_small):
        found.append(f"{len(too_small)} farm site(s) cannot take even the smallest farm "
                     f"({min(scenario.farms.sizes_heads)} head)")
    if scenario.farms.build_quarters >= len(scenario.periods):
        found.append(f"farms.build_quarters ({scenario.farms.build_quarters}) leaves no quarter "
                     "of the horizon for a farm to operate: no milk can be produced")
    found.extend(f"{b.what}: {b.needed:,.0f} {b.unit} needed, {b.available:,.0f} available; "
                 "the plan can do only part of it" for b in balances if b.short)
    return found


def print_summary(scenario: Scenario, layers: Layers, summary: Summary) -> None:
    """Print the summary with rich (plain text when the output is not a terminal)."""
    console = Console(width=None if Console().is_terminal else 110)
    periods = scenario.periods
    console.print(f"[bold]Scenario {scenario.name}[/bold] ({scenario.source_path})")
    if scenario.description:
        console.print(scenario.description)
    console.print(f"Horizon: {periods[0]}..{periods[-1]} ({len(periods)} quarters)")
    budget = scenario.budget_usd()
    per_quarter = (f"{budget[0]:,.0f}" if len(set(budget)) == 1
                   else f"{min(budget):,.0f}..{max(budget):,.0f}")
    console.print(f"Budget: {per_quarter} USD per quarter, {sum(budget):,.0f} USD in total, "
                  f"carry-over {'on' if scenario.budget.carry_over else 'off'}")

    table = Table(title="Layers", title_justify="left")
    table.add_column("layer")
    table.add_column("features", justify="right")
    for name, count in summary.counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)

    table = Table(title="Supplies over the horizon", title_justify="left")
    table.add_column("supply")
    table.add_column("total", justify="right")
    for name, value in summary.supplies.items():
        table.add_row(name, f"{value:,.0f}")
    console.print(table)

    table = Table(title="Needed vs available over the horizon", title_justify="left")
    for column in ("balance", "needed", "available", "unit", ""):
        table.add_column(column, justify="left" if column in ("balance", "unit") else "right")
    for b in summary.balances:
        table.add_row(b.what, f"{b.needed:,.0f}", f"{b.available:,.0f}", b.unit,
                      "[yellow]short[/yellow]" if b.short else "ok")
    console.print(table)

    if summary.warnings:
        console.print(f"[yellow]Warnings ({len(summary.warnings)}):[/yellow]")
        for warning in summary.warnings:
            console.print(f"  - {warning}", markup=False, soft_wrap=True)
    console.print(f"[green]valid[/green]: {scenario.source_path}")
