"""The ``agroplan`` command line: one module per command, registered here.

Every command turns an :class:`~agroplan.errors.AgroplanError` into one readable message
and its exit code (see ``docs/errors.md``); ``--debug`` shows the traceback instead.
The top of the pipeline: it may import every package, and no package imports it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from agroplan.cli.options import LANGUAGE
from agroplan.errors import AgroplanError
from agroplan.messages import N_

__all__ = ["INTERNAL_ERROR_EXIT", "cli", "error_text", "main"]

INTERNAL_ERROR_EXIT = 70

# command name -> module under agroplan.cli that defines `command`
COMMANDS = {
    "validate": "validate",
    "schema": "schema",
    "layers": "layers",
    "plan": "plan",
    "check": "check",
    "map": "map",
    "explain": "explain",
    "compare": "compare",
    "sweep": "sweep",
    "replan": "replan",
    "review": "review",
    "export": "export",
    "actuals": "actuals",
}


class _LazyGroup(click.Group):
    """Imports a command's module only when it runs, so `--help` and `validate` stay fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, module in COMMANDS.items() if _exists(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None or not _exists(module):
            return None
        command: click.Command = importlib.import_module(f"agroplan.cli.{module}").command
        return command


def _exists(module: str) -> bool:
    return importlib.util.find_spec(f"agroplan.cli.{module}") is not None


@click.group(cls=_LazyGroup)
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.version_option(package_name="agroplan")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Plan dairy farms, heifer deliveries, agro-towns and wooden houses."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def error_text(exc: AgroplanError) -> str:
    """The error as the command prints it: English, or in the language ``--lang`` chose
    for ``plan``, ``map`` and ``review`` (problems that are not marked
    :class:`~agroplan.messages.Message` stay English)."""
    lang = LANGUAGE.get()
    if lang == "en":
        return str(exc)
    from agroplan.render.i18n import translator

    tr = translator(lang)
    title = tr.gettext(exc.title)
    problems = [tr.message(p) for p in exc.problems]
    if len(problems) == 1:
        return f"{title}: {problems[0]}"
    head = tr.ngettext("%(title)s (%(num)s problem):", "%(title)s (%(num)s problems):",
                       len(problems)) % {"title": title, "num": len(problems)}
    return head + "\n" + "\n".join(f"  - {p}" for p in problems)


def _say(message: str) -> str:
    lang = LANGUAGE.get()
    if lang == "en":
        return message
    from agroplan.render.i18n import translator

    return translator(lang).gettext(message)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    LANGUAGE.set("en")  # until a command of officials' staff chooses another
    try:
        return cli.main(args=argv, prog_name="agroplan", standalone_mode=False)
    except AgroplanError as exc:
        if debug:
            raise
        click.echo(error_text(exc), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo(_say(N_("aborted")), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            _say(N_("internal error (%(error)s). This is a bug in agroplan; run again with "
                    "--debug and report the traceback.")) % {
                "error": f"{type(exc).__name__}: {exc}"},
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)
