"""Domain errors: each says what failed, where (file, key, feature id) and how to fix it.

The command line prints ``str(error)`` and exits with ``error.exit_code``; a traceback is
shown only with ``--debug``. Titles and problems marked with :mod:`agroplan.messages` are
printed in the language of ``--lang`` by the commands officials' staff run. The exit codes
2-6 are set here, 7 in :mod:`agroplan.check`, 70 (internal error) and 130 (aborted) in
:mod:`agroplan.cli`; ``docs/errors.md`` lists every code and every message with its cause
and fix.
"""

from __future__ import annotations

from collections.abc import Iterable

from agroplan.messages import N_


class AgroplanError(Exception):
    """Base class of every error agroplan reports to a user.

    Parameters
    ----------
    problems
        One or more readable problem lines. Several lines are reported together,
        as a bullet list, so a user fixes them all in one pass.
    """

    exit_code: int = 1
    title: str = N_("agroplan failed")

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"{self.title}: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{self.title} ({len(self.problems)} problems):\n{lines}"


class ConfigError(AgroplanError):
    """A scenario file or a command-line option is wrong (exit code 2)."""

    exit_code = 2
    title = N_("invalid scenario")


class DataError(AgroplanError):
    """A layer or data table is wrong: CRS, geometry, ids, columns, values (exit code 3)."""

    exit_code = 3
    title = N_("invalid data")


class InfeasibleError(AgroplanError):
    """The scenario admits no plan (exit code 4)."""

    exit_code = 4
    title = N_("no feasible plan")


class SolverError(AgroplanError):
    """The solver failed or found no plan within its time limit (exit code 5)."""

    exit_code = 5
    title = N_("solver failed")


class OutputError(AgroplanError):
    """An output could not be written, or a plan folder cannot be read (exit code 6)."""

    exit_code = 6
    title = N_("output error")
