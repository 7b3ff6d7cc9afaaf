"""Bad actuals on the tiny fixture: each names its file, row, column and fix, with its exit code.

The tiny fixture (tests/fixtures/tiny/scenario.yaml): quarters 2027Q1..Q3, farms built in
one quarter, sizes 100 and 200 head; AGM-001 (max 200, nearest hub HUB-AGM-RAIL) and
FUZ-001 (max 200, HUB-HOR-ROAD) released from 2027Q1, AGM-002 (max 100) from 2027Q2;
settlements gn900001 (40 plots, 30 families), gn900002 (20 plots, from 2027Q2) and
gn900003 (30 plots, 20 families); origins BY-MI (150 heifers a quarter) and BY-HO (50);
budget 1.5 M USD a quarter, carried over.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli_plan import run

from agroplan.config import load_scenario
from agroplan.errors import ConfigError, DataError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import read_layers
from agroplan.roadmap import apply_land, read_actuals

CONFIG, DATA, INFEASIBLE = 2, 3, 4
TINY = Path(__file__).resolve().parent / "fixtures" / "tiny" / "scenario.yaml"

GOOD = {
    "farms": "site_id,size_heads,build_start\nAGM-001,200,2027Q1\nFUZ-001,100,2027Q1\n",
    "agro_towns": "settlement_id,developed_in\ngn900001,2027Q1\n",
    "houses": "settlement_id,period,houses\ngn900001,2027Q1,22\n",
    "deliveries": "origin_id,hub_id,site_id,period,heads\nBY-MI,HUB-AGM-RAIL,AGM-001,2027Q2,80\n",
}


def write_actuals(folder: Path, tables: dict[str, str]) -> Path:
    """Write ``<folder>/<name>.csv`` for each table (text as given)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def replan_cli(capsys: pytest.CaptureFixture[str], scenario: Path, folder: Path,
               as_of: str = "2027Q2", *extra: str) -> tuple[int, str, str]:
    return run(capsys, "replan", str(scenario), "--actuals", str(folder), "--as-of", as_of,
               "--out", str(folder.parent / "out"), "--no-map", *extra)


BAD_DATA = [
    pytest.param({"farms": GOOD["farms"] + "AGM-999,100,2027Q1\n"},
                 ["farms.csv: site_id: unknown farm site (row 4: 'AGM-999'); use a site_id of "
                  "farm_sites.geojson"], id="unknown-site"),
    pytest.param({"deliveries": GOOD["deliveries"] + "BY-XX,HUB-AGM-RAIL,AGM-001,2027Q2,5\n"},
                 ["deliveries.csv: origin_id: unknown origin (row 3: 'BY-XX')"],
                 id="unknown-origin"),
    pytest.param({"deliveries": GOOD["deliveries"] + "BY-MI,HUB-NOPE,AGM-001,2027Q2,5\n"},
                 ["deliveries.csv: hub_id: unknown hub (row 3: 'HUB-NOPE')"], id="unknown-hub"),
    pytest.param({"houses": GOOD["houses"] + "gn999999,2027Q1,3\n"},
                 ["houses.csv: settlement_id: unknown settlement (row 3: 'gn999999')"],
                 id="unknown-settlement"),
    pytest.param({"land": "site_id,released_in\nXYZ-1,2027Q1\n"},
                 ["land.csv: site_id: unknown farm site or settlement (row 2: 'XYZ-1')"],
                 id="unknown-land-id"),
    pytest.param({"farms": "site_id,size_heads,build_start\nAGM-001,200,2027-Q1\n",
                  "deliveries": "origin_id,hub_id,site_id,period,heads\n"},
                 ["farms.csv: build_start: is not a quarter (row 2: '2027-Q1'); write it as "
                  "YYYYQn"], id="not-a-quarter"),
    pytest.param({"deliveries": GOOD["deliveries"] + "BY-MI,HUB-AGM-RAIL,AGM-001,2027Q3,5\n"},
                 ["deliveries.csv: period: lies after the as-of quarter 2027Q2 (row 3: "
                  "'2027Q3'); drop the row or re-plan with a later --as-of"], id="after-as-of"),
    pytest.param({"houses": "settlement_id,period,houses\ngn900001,2026Q4,5\n"},
                 ["houses.csv: period: lies before the horizon start 2027Q1 (row 2: '2026Q4')"],
                 id="before-horizon"),
    pytest.param({"deliveries": GOOD["deliveries"] + "BY-MI,HUB-AGM-RAIL,AGM-002,2027Q2,5\n"},
                 ["deliveries.csv: row 3, site_id: heifers delivered to AGM-002, where "
                  "farms.csv starts no farm; add the farm to farms.csv"], id="no-farm"),
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period,heads\n"
                                "BY-MI,HUB-AGM-RAIL,AGM-001,2027Q1,5\n"},
                 ["deliveries.csv: row 2, period: heifers delivered to AGM-001 in 2027Q1, before "
                  "its farm is operational in 2027Q2 (started 2027Q1, farms.build_quarters 1)"],
                 id="not-operational"),
    pytest.param({"farms": GOOD["farms"] + "AGM-002,100,2027Q1\n"},
                 ["farms.csv: row 4, build_start: the farm at AGM-002 starts in 2027Q1, before "
                  "its land is released in 2027Q2; correct build_start, or record the earlier "
                  "release in land.csv"], id="land-not-released"),
    pytest.param({"farms": GOOD["farms"] + "AGM-002,150,2027Q2\n"},
                 ["farms.csv: row 4, size_heads: 150 head at AGM-002 is not one of "
                  "farms.sizes_heads (100, 200)"], id="size-not-offered"),
    pytest.param({"farms": GOOD["farms"] + "AGM-002,200,2027Q2\n"},
                 ["farms.csv: row 4, size_heads: 200 head at AGM-002 is above the site's "
                  "max_size_heads 100"], id="size-above-site"),
    pytest.param({"houses": "settlement_id,period,houses\ngn900001,2027Q1,-3\n"},
                 ["houses.csv: houses: is negative (row 2: '-3')"], id="negative"),
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period,heads\n"
                                "BY-MI,HUB-AGM-RAIL,AGM-001,2027Q2,\n"},
                 ["deliveries.csv: heads: is missing or not a number (row 2: '')"], id="nan"),
    pytest.param({"houses": "settlement_id,period,houses\ngn900001,2027Q1,2.5\n"},
                 ["houses.csv: houses: is not a whole number (row 2: '2.5')"], id="fraction"),
    pytest.param({"spend": "period,category,usd\n2027Q1,cows,5\n2027Q1,houses,nan\n"},
                 ["spend.csv: category: is not a spend category (row 2: 'cows'); use one of "
                  "farms, heifers, long_haul, trucking, houses, infrastructure",
                  "spend.csv: usd: is missing or not a number (row 3: 'nan')"],
                 id="spend-category-and-nan"),
    pytest.param({"farms": GOOD["farms"] + "AGM-001,100,2027Q1\n"},
                 ["farms.csv: row 4, site_id: repeats the row with site_id=AGM-001; keep one "
                  "row per site_id"], id="duplicate"),
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period\n"},
                 ["deliveries.csv: missing column heads; the header must be "
                  "origin_id,hub_id,site_id,period,heads"], id="missing-column"),
    pytest.param({"houses": GOOD["houses"] + "gn900003,2027Q1,4\n",
                  "agro_towns": GOOD["agro_towns"] + "gn900003,2027Q2\n"},
                 ["houses.csv: row 3, period: houses built in gn900003 in 2027Q1, before its "
                  "agro-town is developed in 2027Q2"], id="houses-before-agro-town"),
    pytest.param({"houses": GOOD["houses"] + "gn900003,2027Q2,4\n"},
                 ["houses.csv: row 3, settlement_id: houses built in gn900003, whose agro-town "
                  "agro_towns.csv does not develop"], id="houses-without-agro-town"),
    pytest.param({"deliveries": GOOD["deliveries"] + "BY-MI,HUB-HOR-ROAD,AGM-001,2027Q2,5\n"},
                 ["deliveries.csv: row 3, hub_id: HUB-HOR-ROAD is not one of the "
                  "cattle.hubs_per_site nearest hubs of AGM-001 (HUB-AGM-RAIL)"],
                 id="hub-not-nearest"),
    pytest.param({"delivery": "origin_id\n"},
                 ["delivery.csv: unknown actuals table; name it one of farms.csv"],
                 id="unknown-table"),
    pytest.param({"spend": ""}, ["spend.csv: the file is empty; write at least the header "
                                 "line period,category,usd"], id="empty-file"),
]


@pytest.fixture(scope="module")
def tiny_inputs() -> PlanInputs:
    config = load_scenario(TINY)
    return build_plan_inputs(config, read_layers(config))


@pytest.mark.parametrize(("edits", "expected"), BAD_DATA)
def test_bad_actuals_exit_3_naming_file_row_and_fix(
        tmp_path: Path, tiny_inputs: PlanInputs, edits: dict[str, str],
        expected: list[str]) -> None:
    folder = write_actuals(tmp_path / "actuals", {**GOOD, **edits})
    with pytest.raises(DataError) as caught:
        read_actuals(folder, tiny_inputs, "2027Q2")
    assert caught.value.exit_code == DATA  # what `agroplan replan` exits with
    message = str(caught.value)
    assert message.startswith("invalid data")
    for text in expected:
        assert f"{folder}/{text}" in message


def test_every_problem_of_every_table_is_reported_at_once(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_scenario_path: Path) -> None:
    folder = write_actuals(tmp_path / "actuals", {
        **GOOD, "farms": GOOD["farms"] + "AGM-999,100,2027Q1\n",
        "houses": "settlement_id,period,houses\ngn900001,2027Q1,-1\n"})
    code, _out, err = replan_cli(capsys, tiny_scenario_path, folder)
    assert code == DATA
    assert err.startswith("invalid data (2 problems):")


def test_a_farm_that_cannot_be_operational_within_the_horizon_exits_3(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_scenario_path: Path) -> None:
    folder = write_actuals(tmp_path / "actuals", {
        **GOOD, "farms": GOOD["farms"] + "AGM-002,100,2027Q3\n"})
    code, _out, err = replan_cli(capsys, tiny_scenario_path, folder, "2027Q3")
    assert code == DATA
    assert (f"{folder}/farms.csv: row 4, build_start: the farm at AGM-002 starts in 2027Q3 and "
            "is operational only in 2027Q4, after the horizon ends in 2027Q3; lengthen "
            "horizon.quarters") in err


def test_a_missing_folder_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  tiny_scenario_path: Path) -> None:
    code, _out, err = replan_cli(capsys, tiny_scenario_path, tmp_path / "nowhere")
    assert code == DATA
    assert f"{tmp_path / 'nowhere'}: actuals folder not found" in err


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2030Q1", "--as-of 2030Q1 lies outside the horizon 2027Q1..2027Q3 of scenario tiny"),
    ("2026Q4", "--as-of 2026Q4 lies outside the horizon"),
    ("2027Q5", "--as-of: '2027Q5' is not a quarter; write it as YYYYQn"),
])
def test_as_of_outside_the_horizon_exits_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_scenario_path: Path,
        as_of: str, expected: str) -> None:
    folder = write_actuals(tmp_path / "actuals", GOOD)
    code, _out, err = replan_cli(capsys, tiny_scenario_path, folder, as_of)
    assert code == CONFIG
    assert expected in err


HARD_RULES = [
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period,heads\n"
                                "BY-MI,HUB-HOR-ROAD,FUZ-001,2027Q2,60\n"
                                "BY-MI,HUB-HOR-ROAD,FUZ-001,2027Q3,60\n"}, "2027Q3",
                 "cattle.herd_within_size[FUZ-001,2027Q3]: herd at FUZ-001 by the end of 2027Q3 "
                 "(heifers delivered so far): 120 head, above 100 head", id="herd-above-size"),
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period,heads\n"
                                "BY-HO,HUB-AGM-RAIL,AGM-001,2027Q2,60\n"}, "2027Q2",
                 "supply.heifers[BY-HO,2027Q2]: heifers from BY-HO in 2027Q2: 60 head, above "
                 "50 head", id="heifer-supply"),
    pytest.param({"agro_towns": GOOD["agro_towns"] + "gn900002,2027Q2\n",
                  "houses": GOOD["houses"] + "gn900002,2027Q2,21\n"}, "2027Q2",
                 "houses.max_houses[gn900002]: 21 houses built in gn900002, above its max_houses "
                 "20", id="house-plots"),
    pytest.param({"spend": "period,category,usd\n2027Q1,houses,2000000\n"}, "2027Q1",
                 "budget.per_quarter[2027Q1]: cumulative spend to 2027Q1 2.4 M USD", id="budget"),
    pytest.param({"deliveries": "origin_id,hub_id,site_id,period,heads\n"
                                "BY-MI,HUB-AGM-RAIL,AGM-001,2027Q2,145\n"}, "2027Q2",
                 "land.fodder[AZ-AGM,2027Q2]: fodder land the herds of AZ-AGM need in 2027Q2: "
                 "145 ha, above 140 ha", id="fodder-land"),
]


@pytest.mark.parametrize(("edits", "as_of", "expected"), HARD_RULES)
def test_actuals_that_break_a_hard_rule_exit_4_naming_rule_and_place(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_scenario_path: Path,
        edits: dict[str, str], as_of: str, expected: str) -> None:
    tables = {**GOOD, **edits}
    if as_of == "2027Q1":
        tables.pop("deliveries")
    folder = write_actuals(tmp_path / "actuals", tables)
    code, _out, err = replan_cli(capsys, tiny_scenario_path, folder, as_of)
    assert code == INFEASIBLE, err
    assert f"the actuals to {as_of} break a hard rule: {expected}" in err.replace("\n    ", " ")


def test_a_soft_family_is_priced_not_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_scenario_path: Path) -> None:
    tables = {**GOOD, "spend": "period,category,usd\n2027Q1,houses,2000000\n"}
    tables.pop("deliveries")
    folder = write_actuals(tmp_path / "actuals", tables)
    code, out, err = replan_cli(capsys, tiny_scenario_path, folder, "2027Q1",
                                "--set", "constraints.budget={mode: soft, penalty: 1}")
    assert code == 0, err
    assert "check: the past equals the actuals to 2027Q1" in out


def test_read_actuals_converts_types_and_land_moves_the_release(tmp_path: Path,
                                                                tiny_inputs: PlanInputs) -> None:
    inputs = tiny_inputs
    folder = write_actuals(tmp_path / "actuals", {
        **GOOD, "farms": GOOD["farms"] + "AGM-002,100,2027Q1\n",
        "land": "site_id,released_in\nAGM-002,2026Q3\ngn900002,2027Q1\n",
        "spend": "period,category,usd\n2027Q1,houses,1000000.5\n"})
    actuals = read_actuals(folder, inputs, "2027Q2")
    assert actuals.as_of == "2027Q2" and actuals.source == str(folder)
    assert list(actuals.table("farms")["size_heads"]) == [200, 100, 100]
    assert actuals.table("spend")["usd"].tolist() == [1000000.5]
    moved = apply_land(inputs, actuals)
    assert moved.sites.loc["AGM-002", "available_index"] == 0  # 2026Q3 is before the start
    assert moved.settlements.loc["gn900002", "available_index"] == 0
    assert inputs.sites.loc["AGM-002", "available_index"] == 1  # the inputs are unchanged


def test_read_actuals_raises_domain_errors(tmp_path: Path, tiny_inputs: PlanInputs) -> None:
    inputs = tiny_inputs
    with pytest.raises(ConfigError):
        read_actuals(tmp_path, inputs, "2028Q1")
    with pytest.raises(DataError, match="unknown farm site"):
        read_actuals(write_actuals(tmp_path / "a", {"farms": "site_id,size_heads,build_start\n"
                                                             "X,100,2027Q1\n"}), inputs, "2027Q1")
