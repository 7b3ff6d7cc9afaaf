"""Binding constraints and their marginal values, on the tiny fixture solved for real.

Hand check: with a budget too large to bind, no workforce rule and timber cut to a tenth
(BY-MI 90 m3, BY-HO 30 m3 a quarter), houses are limited by timber alone. One more m3 of
timber is 1/30 of a house; a house built in quarter t of the 3-quarter horizon houses a
family for 3 - t quarters (2,000 points each) and costs 50,000 USD (0.01 points per USD):
(2000 x 3 - 500) / 30 = 183.33 points per m3 in 2027Q1, (4000 - 500) / 30 = 116.67 in
2027Q2 and (2000 - 500) / 30 = 50 in 2027Q3.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from agroplan.config import load_scenario
from agroplan.inputs import build_plan_inputs
from agroplan.layers import read_layers
from agroplan.plan import Plan, read_plan, write_plan
from agroplan.solve import solve

TIMBER_BOUND = ("supply.timber_factor=0.1", "budget.usd_per_quarter=1000000000",
                "farms.workers_per_100_head=0")


def _plan(path: Path, *overrides: str) -> Plan:
    scenario = load_scenario(path, overrides)
    return solve(build_plan_inputs(scenario, read_layers(scenario)))


def test_marginal_value_of_timber_matches_the_hand_check(tiny_scenario_path: Path) -> None:
    table = _plan(tiny_scenario_path, *TIMBER_BOUND).table("binding").set_index("constraint")
    expected = {"2027Q1": 5500 / 30, "2027Q2": 3500 / 30, "2027Q3": 1500 / 30}
    for origin, m3 in (("BY-MI", 90.0), ("BY-HO", 30.0)):
        for period, value in expected.items():
            row = table.loc[f"supply.timber[{origin},{period}]"]
            assert (row["family"], row["where"], row["period"]) == ("supply_timber", origin,
                                                                    period)
            assert (row["activity"], row["limit"], row["unit"]) == (m3, m3, "m3")
            assert row["marginal_value"] == pytest.approx(value, rel=1e-6)
    assert not table.index.str.startswith("budget.").any()


def test_only_constraints_at_their_limit_are_listed(tiny_scenario_path: Path) -> None:
    table = _plan(tiny_scenario_path).table("binding")
    assert len(table) > 0
    assert ((table["activity"] - table["limit"]).abs()
            <= 1e-6 * table["limit"].abs().clip(lower=1)).all()
    assert (table["marginal_value"] >= -1e-9).all()


def test_the_binding_table_survives_plan_json(tiny_scenario_path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(tiny_scenario_path, TIMBER_BOUND)
    layers = read_layers(scenario)
    inputs = build_plan_inputs(scenario, layers)
    plan = solve(inputs)
    write_plan(plan, inputs, tmp_path / "out", layers=layers)
    again = read_plan(tmp_path / "out")
    # plan.json keeps 6 decimals
    pd.testing.assert_frame_equal(again.table("binding"), plan.table("binding"),
                                  check_dtype=False, rtol=1e-9, atol=1e-6)
    assert (tmp_path / "out" / "binding.csv").is_file()
