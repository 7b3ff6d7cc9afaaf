"""``agroplan check``: verify a written plan against its scenario, without a solver.

Exit codes: 0 when every constraint holds, 7 when the plan violates constraints (each
listed), 6 when the plan folder cannot be read, 2/3 when its scenario or layers are wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agroplan.check.arrays import Violation
from agroplan.check.rules import PlanViolationError
from agroplan.cli.options import layer_limit_options

SHOWN = 40  # violations listed in full; the rest are counted


def violations_table(violations: Sequence[Violation], limit: int = SHOWN) -> Table:
    """The first ``limit`` violations as a rich table."""
    table = Table(title=f"{len(violations)} violation(s)", title_justify="left")
    table.add_column("constraint", style="bold red", no_wrap=True)
    table.add_column("by", justify="right")
    table.add_column("what", ratio=1)
    for item in violations[:limit]:
        table.add_row(Text(item.constraint), f"{item.amount:,.6g}", Text(item.message))
    if len(violations) > limit:
        table.add_row("…", "", f"and {len(violations) - limit} more")
    return table


def violation_error(violations: Sequence[Violation], where: str) -> PlanViolationError:
    """The error raised for a plan that breaks constraints."""
    first = violations[0]
    return PlanViolationError(
        f"{where}: {len(violations)} violation(s), the first {first.constraint}: "
        f"{first.message}"
    )


@click.command("check")
@click.argument("plan_dir", required=False, default="runs/default",
                type=click.Path(path_type=Path, file_okay=False))
@layer_limit_options
def command(plan_dir: Path) -> None:
    """Verify the plan in PLAN_DIR (default runs/default) against its scenario.

    Rebuilds the plan inputs from the scenario saved with the plan, then checks every
    constraint (farms, herds, supplies, hubs, houses, timber, workforce, land, budget,
    trade targets), the spend, the objective and the KPIs, without a solver. Exits 0
    when the plan is sound and 7 when it violates constraints, listing them.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.check.rules import check_plan
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import read_plan, read_plan_scenario

    plan = read_plan(plan_dir)
    scenario = read_plan_scenario(plan_dir)
    inputs = build_plan_inputs(scenario, read_layers(scenario))
    replan = plan.meta.get("replan")
    if replan and (plan_dir / "actuals").is_dir():  # a re-plan: its past must equal the actuals
        from agroplan.roadmap.check import check_replan
        from agroplan.roadmap.replanning import read_replan_actuals

        inputs, actuals = read_replan_actuals(plan_dir, inputs, str(replan.get("as_of")))
        violations = check_replan(inputs, plan, actuals)
    else:
        violations = check_plan(inputs, plan)
    console = Console()
    objective = "-" if plan.objective is None else f"{plan.objective:,.2f}"
    console.print(Text(f"plan {plan_dir}: scenario {plan.scenario}, {plan.status} "
                       f"({plan.solver}), objective {objective}"), soft_wrap=True)
    if violations:
        console.print(violations_table(violations))
        raise violation_error(violations, str(plan_dir))
    console.print(f"check: every constraint holds over {len(plan.periods)} quarters; "
                  "objective and KPIs match the decisions", soft_wrap=True)
    if replan and (plan_dir / "actuals").is_dir():
        console.print(f"past: every decision to {replan.get('as_of')} equals the actuals in "
                      f"{plan_dir / 'actuals'}", soft_wrap=True)
