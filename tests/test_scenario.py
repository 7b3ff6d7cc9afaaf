"""Scenario configs: loading, ``extends:``, ``--set`` overrides, schema and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agroplan.config import (
    DEFAULT_SCENARIO,
    Scenario,
    load_scenario,
    scenario_json_schema,
    validate_scenario,
)
from agroplan.config.wording import nearest
from agroplan.errors import ConfigError


def _problems(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ConfigError) as caught:
        load_scenario(path, overrides)
    return str(caught.value)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- loading


def test_tiny_scenario_loads_with_its_own_values(tiny_scenario_path: Path) -> None:
    scenario = load_scenario(tiny_scenario_path)
    assert scenario.name == "tiny"
    assert scenario.periods == ("2027Q1", "2027Q2", "2027Q3")
    assert scenario.farms.sizes_heads == (100, 200)
    assert scenario.budget_usd() == (1_500_000.0, 1_500_000.0, 1_500_000.0)
    assert scenario.layer_path("districts") == (
        tiny_scenario_path.parent / "layers" / "districts.geojson"
    )


def test_default_scenario_is_the_embedded_file(default_scenario_path: Path) -> None:
    assert default_scenario_path.resolve() == DEFAULT_SCENARIO
    scenario = load_scenario()
    assert scenario.name == "default"
    assert len(scenario.periods) == 12
    assert scenario.periods[0] == "2027Q1"
    assert scenario.periods[-1] == "2029Q4"


def test_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, "empty.yaml", ""))
    assert scenario == Scenario(source_path=str((tmp_path / "empty.yaml").resolve()))


# --------------------------------------------------------------------------- extends


def test_extends_merges_sections_key_by_key(tiny_scenario_path: Path, tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml",
                   f"extends: {tiny_scenario_path}\nname: child\nbudget:\n  carry_over: false\n")
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.budget.carry_over is False
    assert scenario.budget.usd_per_quarter == 1_500_000  # kept from the base
    assert scenario.farms.sizes_heads == (100, 200)
    # layer paths stay relative to the file that named them (the base), not the child
    assert scenario.layer_path("hubs") == tiny_scenario_path.parent / "layers" / "hubs.geojson"


def test_extends_replaces_lists_whole(tiny_scenario_path: Path, tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml",
                   f"extends: {tiny_scenario_path}\nfarms:\n  sizes_heads: [300]\n")
    assert load_scenario(child).farms.sizes_heads == (300,)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "extends: b.yaml\n")
    _write(tmp_path, "b.yaml", "extends: a.yaml\n")
    message = _problems(tmp_path / "a.yaml")
    assert "`extends:` forms a cycle" in message
    assert "a.yaml -> " in message and "b.yaml" in message
    assert "remove one link" in message


def test_extends_missing_base_names_both_files(tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml", "extends: nowhere.yaml\n")
    message = _problems(child)
    assert "child.yaml: extends: nowhere.yaml not found" in message
    assert "relative to this file" in message


# --------------------------------------------------------------------------- --set


def test_set_overrides_nested_keys_with_yaml_values(tiny_scenario_path: Path) -> None:
    scenario = load_scenario(tiny_scenario_path, (
        "budget.usd_per_quarter={2027Q1: 5e6}", "budget.carry_over=false",
        "horizon.quarters=4", "farms.sizes_heads=[150, 50]", "name=tiny-b",
    ))
    assert scenario.budget_usd() == (5e6, 0.0, 0.0, 0.0)
    assert scenario.budget.carry_over is False
    assert scenario.periods[-1] == "2027Q4"
    assert scenario.farms.sizes_heads == (50, 150)
    assert scenario.name == "tiny-b"


def test_set_applies_after_extends(tiny_scenario_path: Path, tmp_path: Path) -> None:
    child = _write(tmp_path, "child.yaml", f"extends: {tiny_scenario_path}\nname: child\n")
    assert load_scenario(child, ("name=cli",)).name == "cli"


def test_set_without_equals_sign_shows_the_form(tiny_scenario_path: Path) -> None:
    message = _problems(tiny_scenario_path, ("budget.carry_over",))
    assert "--set 'budget.carry_over': write it as dotted.key=value" in message


def test_set_into_a_value_is_refused(tiny_scenario_path: Path) -> None:
    message = _problems(tiny_scenario_path, ("name.first=x",))
    assert "--set name.first: 'name' is not a section" in message


def test_set_problem_names_the_option_not_the_file(tiny_scenario_path: Path) -> None:
    message = _problems(tiny_scenario_path, ("farms.cost_usd_per_place=-1",))
    assert message == (
        "invalid scenario: --set farms.cost_usd_per_place: must be greater than 0 (given: -1)"
        " — cost_usd_per_place: construction cost per cow place, USD"
    )


# --------------------------------------------------------------------------- schema


def test_schema_forbids_unknown_keys_and_documents_units() -> None:
    schema = scenario_json_schema()
    assert schema["additionalProperties"] is False
    farms = schema["$defs"]["Farms"]
    assert farms["additionalProperties"] is False
    assert farms["properties"]["cost_usd_per_place"]["description"] == (
        "Construction cost per cow place, USD."
    )
    assert schema["$defs"]["Solver"]["properties"]["backend"]["enum"] == ["highs", "scip", "cpsat"]
    json.dumps(schema)  # serialisable


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(("key", "expected"), [
    ("sizez", "sizes_heads"), ("sizes", "sizes_heads"), ("Sizes-Heads", "sizes_heads"),
    ("cost_per_place", "cost_usd_per_place"), ("build_quarter", "build_quarters"),
    ("fodder", "fodder_ha_per_head"), ("milk", "milk_kg_per_head_year"),
])
def test_nearest_key_finds_close_and_prefixed_names(key: str, expected: str) -> None:
    allowed = list(Scenario.model_fields["farms"].annotation.model_fields)  # type: ignore[union-attr]
    assert nearest(key, allowed) == expected


def test_nearest_key_offers_nothing_for_unrelated_words() -> None:
    assert nearest("colour", ["sizes_heads", "cost_usd_per_place"]) is None


def test_unknown_key_suggests_the_near_key(tiny_scenario_path: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml", f"extends: {tiny_scenario_path}\nfarms:\n  sizez: [600]\n")
    message = _problems(path)
    assert f"{path}: farms.sizez: unknown key; did you mean 'sizes_heads'?" in message


def test_key_in_the_wrong_section_names_the_right_one(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "farms:\n  heifer_price_usd: 3000\n"))
    assert "farms.heifer_price_usd: unknown key; 'heifer_price_usd' belongs under cattle" in message


def test_unrelated_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "land:\n  colour: red\n"))
    assert "land.colour: unknown key; allowed keys here: fodder_share_of_cleared" in message


def test_a_value_of_two_forms_is_reported_once(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "budget:\n  usd_per_quarter: lots\n"))
    assert message.count("usd_per_quarter") == 2  # the key and its note, one line
    assert "budget.usd_per_quarter: must be a number or a mapping (given: 'lots')" in message
    assert "\n" not in message


def test_a_bad_mapping_entry_is_reported_without_the_number_form(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "budget:\n  usd_per_quarter: {2027Q1: -5}\n"))
    assert message.endswith(
        "budget.usd_per_quarter.2027Q1: must be greater than or equal to 0 (given: -5)"
    )


def test_all_problems_are_collected(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml",
                  "horizon:\n  quarters: 0\nsolver:\n  backend: gurobi\nfarms:\n  sizez: [1]\n")
    message = _problems(path)
    assert message.startswith("invalid scenario (3 problems):")
    assert "horizon.quarters: must be greater than or equal to 1 (given: 0)" in message
    assert "solver.backend: must be 'highs', 'scip' or 'cpsat' (given: 'gurobi')" in message
    assert "farms.sizez: unknown key" in message


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("farms:\n  cost_usd_per_place: 3200 USD\n",
     "write the plain number without its unit"),
    ("land:\n  fodder_share_of_cleared: 15%\n", "write a share as a fraction (15% -> 0.15)"),
    ("farms:\n  build_quarters: 1.5\n",
     "farms.build_quarters: must be a valid integer, got a number with a fractional part"),
    ("horizon:\n  start: 2027-01\n",
     "horizon.start: '2027-01' is not a quarter; write it as YYYYQn, for example 2027Q1"),
    ("distances:\n  metric_crs: EPSG:4326\n",
     "'EPSG:4326' is not a projected CRS in metres; use one such as EPSG:32638"),
    ("distances:\n  metric_crs: EPSG:999999\n", "'EPSG:999999' is not a known CRS"),
    ("trade:\n  targets:\n    - {year: 2035, total_usd: 1, enforce: true}\n",
     "trade.targets.0.year: the enforced target year 2035 lies outside the horizon "
     "2027Q1..2029Q4 (years 2027..2029); change the year, lengthen the horizon or set "
     "enforce: false"),
    ("budget:\n  usd_per_quarter: {2031Q1: 5}\n",
     "budget.usd_per_quarter names quarters outside the horizon 2027Q1..2029Q4: 2031Q1"),
    ("schema_version: 9\n", "schema_version 9 is newer than this agroplan understands"),
    ("objective:\n  kind: weight\n",
     "objective.kind: must be 'weighted' or 'lexicographic' (given: 'weight')"),
])
def test_value_errors_say_what_is_allowed(tmp_path: Path, yaml_text: str, expected: str) -> None:
    assert expected in _problems(_write(tmp_path, "s.yaml", yaml_text))


def test_reported_target_outside_the_horizon_is_allowed(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml", "trade:\n  targets:\n    - {year: 2035, total_usd: 1}\n")
    assert load_scenario(path).trade.targets[0].year == 2035


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "name: a\nfarms: [1, 2\n"))
    assert f"{tmp_path / 's.yaml'}: line 3, column 1: malformed YAML" in message


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    text = "a: &x [1, 2]\nb: *x\n"
    message = _problems(_write(tmp_path, "s.yaml", text))
    assert "line 2, column 4: malformed YAML (YAML aliases (*name) are not allowed" in message


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "name: a\nbudget: {}\nbudget: {}\n"))
    assert "line 3, column 1: malformed YAML (key 'budget' appears twice" in message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "- a\n- b\n"))
    assert "the top level must be a mapping of keys" in message and "found a list" in message


def test_missing_scenario_file(tmp_path: Path) -> None:
    message = _problems(tmp_path / "nope.yaml")
    assert message == (
        f"invalid scenario: {tmp_path / 'nope.yaml'}: scenario file not found; check the path"
    )


def test_validate_scenario_names_the_given_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"x\.yaml: name: must match pattern"):
        validate_scenario({"name": "bad name!"}, tmp_path / "x.yaml")


def test_problem_in_a_base_names_the_base(tmp_path: Path) -> None:
    base = _write(tmp_path, "base.yaml", "farms:\n  cost_usd_per_place: -3\n")
    child = _write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\nland:\n  colr: 1\n")
    message = _problems(child)
    assert f"{base}: farms.cost_usd_per_place: must be greater than 0 (given: -3)" in message
    assert f"{child}: land.colr: unknown key" in message


def test_a_value_replaced_by_the_child_names_the_child(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", "budget:\n  usd_per_quarter: {2027Q1: 5}\n")
    child = _write(tmp_path, "child.yaml",
                   "extends: base.yaml\nbudget:\n  usd_per_quarter: {2027Q2: -1}\n")
    message = _problems(child)
    assert f"{child}: budget.usd_per_quarter.2027Q2: must be greater than or equal to 0" in message


def test_a_value_where_a_section_belongs(tmp_path: Path) -> None:
    message = _problems(_write(tmp_path, "s.yaml", "horizon: 2027Q1\n"))
    assert "horizon: must be a section with the keys start, quarters, not a value" in message


def test_extends_cannot_be_set_on_the_command_line(tiny_scenario_path: Path) -> None:
    message = _problems(tiny_scenario_path, ("extends=other.yaml",))
    assert "--set extends: a base scenario can only be named in a scenario file" in message
