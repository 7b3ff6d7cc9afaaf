"""``agroplan review``: a re-plan against the plan it replaces and what actually happened.

Reads a re-planned folder (written by ``agroplan replan``: ``plan.json`` whose meta names the
as-of quarter and the previous plan, and the actuals in ``actuals/*.csv``), and writes two
offline pages: the review (tables and charts) and its map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agroplan.cli.options import choose_language, language_option, layer_limit_options
from agroplan.errors import ConfigError, DataError, OutputError
from agroplan.messages import Message

if TYPE_CHECKING:
    from agroplan.inputs import PlanInputs
    from agroplan.roadmap.actuals import Actuals


def review_paths(scenario: str, out: Path | None) -> tuple[Path, Path]:
    """``(page, map)``: ``maps/<scenario>-review.html`` and ``...-review-map.html`` by
    default; with ``--out X.html`` the map is ``X-map.html`` next to it."""
    page = out if out is not None else Path("maps") / f"{scenario}-review.html"
    return page, page.with_name(f"{page.stem}-map.html")


def _replan_meta(plan_dir: Path, meta: dict[str, Any]) -> tuple[str, str | None]:
    """``(as_of, previous)`` from ``plan.meta["replan"]``."""
    replan = meta.get("replan")
    if not isinstance(replan, dict) or not isinstance(replan.get("as_of"), str):
        raise DataError(Message(
            "%(folder)s/plan.json: not a re-plan (no meta.replan.as_of); review a folder "
            "written by `agroplan replan`", folder=plan_dir))
    previous = replan.get("previous")
    return str(replan["as_of"]), str(previous) if previous else None


def _previous_dir(plan_dir: Path, given: Path | None, recorded: str | None) -> Path:
    if given is not None:
        return given
    if recorded is None:
        raise ConfigError(Message(
            "%(folder)s: the re-plan names no previous plan; give the plan it replaces with "
            "--previous <plan folder>", folder=plan_dir))
    for candidate in (Path(recorded), plan_dir.parent / recorded):
        if candidate.is_dir():
            return candidate
    raise OutputError(Message(
        "%(previous)s: the previous plan recorded in %(folder)s/plan.json is not there any "
        "more; give it with --previous <plan folder>", previous=recorded, folder=plan_dir))


def _load_actuals(folder: Path, inputs: PlanInputs, as_of: str) -> Actuals:
    """The actuals the re-plan used, read and checked like ``agroplan replan`` does."""
    from agroplan.roadmap.actuals import read_actuals

    if not folder.is_dir():
        raise DataError(Message(
            "%(folder)s: no actuals folder in the re-plan; `agroplan replan` writes the "
            "actuals it used there, re-run it", folder=folder))
    return read_actuals(folder, inputs, as_of)


@click.command("review")
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--previous", "previous_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Plan folder the re-plan replaces  [default: the one named in "
                                 "PLAN_DIR/plan.json]")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML review page to write  [default: maps/<scenario>-review.html]; the map "
                   "is written next to it as <name>-map.html.")
@language_option(terminal=True)
@layer_limit_options
def command(plan_dir: Path, previous_dir: Path | None, out: Path | None,
            lang: str | None) -> None:
    """Review the re-plan in PLAN_DIR: plan against actual, changes, milestones, trade.

    Writes the review page and its map, both self-contained (they open offline, with no
    Python), and prints their paths; the last line is the page.
    """
    # imported here so `agroplan --help` stays fast
    from agroplan.inputs import build_plan_inputs
    from agroplan.layers.read import read_layers
    from agroplan.plan.folder import read_plan, read_plan_scenario
    from agroplan.render.i18n import translator
    from agroplan.render.review import render_review_page
    from agroplan.render.review_map import render_review_map
    from agroplan.roadmap.review import build_review

    if not plan_dir.is_dir():
        raise OutputError(Message(
            "%(folder)s: no such plan folder; run `agroplan replan` first or give the folder "
            "it wrote", folder=plan_dir))
    current = read_plan(plan_dir)
    as_of, recorded = _replan_meta(plan_dir, current.meta)
    previous_folder = _previous_dir(plan_dir, previous_dir, recorded)
    if not previous_folder.is_dir():
        raise OutputError(Message(
            "%(folder)s: no such plan folder; give the plan the re-plan replaces with "
            "--previous", folder=previous_folder))
    previous = read_plan(previous_folder)
    scenario = read_plan_scenario(plan_dir)
    language = choose_language(lang, scenario)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    actuals = _load_actuals(plan_dir / "actuals", inputs, as_of)
    review = build_review(previous, current, actuals, inputs)
    page_path, map_path = review_paths(scenario.name, out)
    written_map = render_review_map(previous, current, actuals, inputs, layers, map_path,
                                    language)
    written_page = render_review_page(review, previous, current, inputs, page_path,
                                      str(previous_folder), language)
    click.echo(translator(language).gettext("map: %(path)s") % {"path": written_map})
    click.echo(str(written_page))
