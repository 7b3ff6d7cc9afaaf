"""The README's command blocks run as pasted: every command exists, and the one command
that exits non-zero by design (`agroplan explain` of an infeasible scenario, exit 4) cannot
stop a pasted block."""

from __future__ import annotations

import re
from pathlib import Path

from agroplan.cli import COMMANDS

README = Path(__file__).resolve().parents[1] / "README.md"


def commands() -> list[str]:
    """Each ``agroplan`` command of the README's bash blocks, continuation lines joined."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        text = block.replace("\\\n", " ")
        found += [line.strip() for line in text.splitlines()
                  if line.strip().startswith("agroplan ")]
    return found


def test_every_command_of_the_readme_exists() -> None:
    names = {line.split()[1] for line in commands()}
    assert names <= set(COMMANDS), names - set(COMMANDS)
    assert {"plan", "explain", "compare", "export", "layers", "actuals"} <= names


def test_the_command_meant_to_fail_cannot_stop_a_pasted_block() -> None:
    explains = [line for line in commands() if line.startswith("agroplan explain")]
    assert explains
    for line in explains:
        assert re.search(r"\|\|\s*echo", line), line
