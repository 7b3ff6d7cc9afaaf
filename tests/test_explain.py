"""``agroplan explain``: conflicting settings named back in the config's words.

The scenario below extends the tiny fixture with two conflicts checked by hand:

1. A hard milestone of 60 families housed by 2027Q2 needs 60 houses (50,000 USD each)
   and all three agro-towns (100,000 USD each), 3.3 M USD, against 2 x 1.5 M USD of
   budget by then: the budget is 0.30 M USD short, and with the budget as it is at most
   54 families can be housed by 2027Q2 (3.0 M USD - 0.3 M USD of towns = 54 houses).
2. A hard milestone of 300 head by 2027Q3 with heifer supply halved (BY-MI 75, BY-HO 25
   a quarter): farms started in 2027Q1 can receive heifers in 2027Q2 and 2027Q3 only, so
   at most 2 x 100 = 200 head; 100 head short.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli as _run

from agroplan.config import load_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.studies import explain

INFEASIBLE = 4

TWO_CONFLICTS = """\
extends: scenario.yaml
name: tiny-conflicts
land:
  fodder_share_of_cleared: 1.0
supply:
  heifer_factor: 0.5
milestones:
  - {name: families-q2, metric: families_housed, by: 2027Q2, at_least: 60, enforce: true}
  - {name: herd-q3, metric: herd_heads, by: 2027Q3, at_least: 300, enforce: true}
"""


@pytest.fixture
def conflicts_path(tmp_copy_of_tiny: Path) -> Path:
    path = tmp_copy_of_tiny.parent / "conflicts.yaml"
    path.write_text(TWO_CONFLICTS, encoding="utf-8")
    return path


def _explain(path: Path, *overrides: str):  # type: ignore[no-untyped-def]
    scenario = load_scenario(path, overrides)
    return explain(build_plan_inputs(scenario, read_layers(scenario)))


def test_the_two_known_conflicts_are_named_with_their_amounts(conflicts_path: Path) -> None:
    result = _explain(conflicts_path)
    assert not result.feasible and result.certain
    sets: dict[int, set[str]] = {}
    for c in result.conflicts:
        sets.setdefault(c.conflict, set()).add(c.group)
    assert sorted(sorted(groups) for groups in sets.values()) == [
        ["budget", "milestones.0"], ["milestones.1", "supply_heifers"]]
    by_group = {c.group: c for c in result.conflicts}
    assert all(c.restores for c in result.conflicts)
    budget = by_group["budget"]
    assert budget.config_key == "budget.usd_per_quarter"
    assert budget.file.endswith("scenario.yaml")  # the base file sets the budget
    assert sum(item.amount for item in budget.items) == pytest.approx(300_000, abs=1)
    [families] = by_group["milestones.0"].items
    assert (families.limit, families.needed, families.amount) == pytest.approx((60, 54, 6))
    assert by_group["milestones.0"].config_key == "milestones.0.at_least"
    assert by_group["milestones.0"].file == str(conflicts_path)
    [herd] = by_group["milestones.1"].items
    assert (herd.limit, herd.needed, herd.amount) == pytest.approx((300, 200, 100))
    heifers = by_group["supply_heifers"]
    assert heifers.config_key.startswith("supply.heifer_factor")
    assert heifers.file.startswith(str(conflicts_path))
    assert sum(item.amount for item in heifers.items) == pytest.approx(100)


def test_one_conflict_alone_names_exactly_its_two_groups(conflicts_path: Path) -> None:
    result = _explain(conflicts_path, "milestones=[{name: families-q2, metric: families_housed, "
                                      "by: 2027Q2, at_least: 60, enforce: true}]")
    assert {c.group for c in result.conflicts} == {"budget", "milestones.0"}
    lines = "\n".join(result.lines())
    # 0.30 M USD short by 2027Q2 in all; how it splits between 2027Q1 and 2027Q2 is a tie
    short = re.findall(r"budget\.per_quarter 2027Q[12] is 1\.50 M USD; a plan needs at least "
                       r"[0-9.]+ M USD \(\+([0-9.]+) M USD\)", lines)
    assert short and sum(float(amount) for amount in short) == pytest.approx(0.30)
    assert "a plan reaches at most 54 families (short by 6 families)" in lines


def test_a_feasible_scenario_has_nothing_to_explain(tiny_scenario_path: Path) -> None:
    result = _explain(tiny_scenario_path)
    assert result.feasible and result.conflicts == ()


def test_soft_families_are_never_blamed(conflicts_path: Path) -> None:
    result = _explain(conflicts_path, "constraints.budget={mode: soft, penalty: 2}")
    assert {c.group for c in result.conflicts} == {"milestones.1", "supply_heifers"}



def test_cli_explain_exits_4_and_writes_json(capsys: pytest.CaptureFixture[str],
                                             conflicts_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "why.json"
    code, _out, err = _run(capsys, "explain", str(conflicts_path), "--json", str(target))
    assert code == INFEASIBLE
    assert "2 independent conflicts" in err
    assert f"set by milestones.1.at_least in {conflicts_path}" in err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["conflicts"]) == 4 and data["feasible"] is False


def test_cli_plan_explains_when_there_is_no_plan(capsys: pytest.CaptureFixture[str],
                                                 conflicts_path: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(capsys, "plan", str(conflicts_path), "--out", str(tmp_path / "run"))
    assert code == INFEASIBLE
    assert "milestone 'herd-q3': herd_heads by 2027Q3 at least 300" in err
    assert not (tmp_path / "run").exists()


def test_cli_explain_of_a_feasible_scenario_exits_0(capsys: pytest.CaptureFixture[str],
                                                    tiny_scenario_path: Path) -> None:
    code, out, _err = _run(capsys, "explain", str(tiny_scenario_path))
    assert code == 0 and "has a plan; nothing conflicts" in out


def test_a_site_size_rule_no_site_meets_is_named_beside_the_milestone(
        tiny_scenario_path: Path) -> None:
    """No tiny site allows a 5,000-head farm, so no herd can stand: the herd milestone is
    the one config group in conflict, and the pre-solve finding names the size rule."""
    result = _explain(tiny_scenario_path, "farms.sizes_heads=[5000]",
                      "milestones=[{name: herd, metric: herd_heads, by: 2027Q3, "
                      "at_least: 100, enforce: true}]")
    assert [c.group for c in result.conflicts] == ["milestones.0"]
    [item] = result.conflicts[0].items
    assert (item.limit, item.needed, item.amount) == pytest.approx((100, 0, 100))
    assert any("no farm site allows the smallest farm (5000 head)" in note
               for note in result.notes)
    assert "lower farms.sizes_heads" in "\n".join(result.lines())
