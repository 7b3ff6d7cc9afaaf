"""The model on tiny instances whose optimal plans were worked out by hand.

Each instance is built directly as :class:`PlanInputs` (one district AZ-A, one origin
BY-A, one hub H1 unless said otherwise) from a base scenario with round numbers:

- farms of 100 head at 1,000 USD a place, built in 1 quarter, no equipment exports;
- heifers 1,000 USD a head, no transport cost; milk 4,000 kg/head-year = 1 t a
  head-quarter; no workers or fodder land needed unless a test asks for them;
- houses 10,000 USD, no timber, no kit exports, agro-towns free;
- objective weights: 1,000 per family-quarter, 100 per tonne of milk, 0.01 per USD.

Over a horizon of T quarters, a house built in quarter t (0-based) counts T - t
family-quarters; a head delivered in t counts T - t head-quarters of milk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agroplan.check import check_plan
from agroplan.config import Scenario, load_scenario
from agroplan.errors import InfeasibleError
from agroplan.inputs import PlanInputs, build_plan_inputs
from agroplan.layers import read_layers
from agroplan.model import build_model
from agroplan.model.precheck import check_inputs
from agroplan.plan import Plan
from agroplan.solve import solve

BASE: dict[str, Any] = {
    "name": "hand",
    "horizon": {"start": "2027Q1", "quarters": 3},
    "farms": {"sizes_heads": [100], "cost_usd_per_place": 1000, "build_quarters": 1,
              "belarus_equipment_usd_per_place": 0, "workers_per_100_head": 0,
              "milk_kg_per_head_year": 4000, "fodder_ha_per_head": 0},
    "cattle": {"heifer_price_usd": 1000, "long_haul_usd_per_head_km": 0,
               "truck_usd_per_head_km": 0, "hubs_per_site": 1},
    "houses": {"cost_usd": 10000, "belarus_kit_usd": 0, "timber_m3_per_house": 0,
               "workers_per_family": 1},
    "agro_towns": {"infrastructure_usd": 0},
    "budget": {"usd_per_quarter": 1e9, "carry_over": True},
    "trade": {"baseline_usd_per_year": 0, "targets": []},
    "objective": {"kind": "weighted",
                  "weights": {"family_quarter": 1000, "milk_t": 100, "cost_usd": 0.01}},
    "solver": {"backend": "highs", "time_limit_s": 20, "relative_gap": 0, "threads": 1},
}


def scenario(**sections: dict[str, Any]) -> Scenario:
    """BASE with some sections' keys replaced."""
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in BASE.items()}
    for key, values in sections.items():
        raw[key] = {**raw.get(key, {}), **values}
    return Scenario.model_validate(raw)


def quarterly(values: dict[str, float | list[float]], periods: tuple[str, ...]) -> pd.DataFrame:
    """id -> one amount for every quarter, or a list with one amount per quarter."""
    rows = {k: v if isinstance(v, list) else [v] * len(periods) for k, v in values.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(periods), dtype=float)


def make_inputs(
    sc: Scenario,
    *,
    sites: dict[str, tuple[int, int]] | None = None,
    towns: dict[str, tuple[int, int, int]] | None = None,
    heifers: dict[str, float | list[float]] | None = None,
    timber: dict[str, float | list[float]] | None = None,
    hub_heads: dict[str, float | list[float]] | None = None,
    hub_timber: dict[str, float | list[float]] | None = None,
    land: float | list[float] = 1e9,
    long_haul_km: dict[tuple[str, str], float] | None = None,
    hub_site: list[tuple[str, str, float]] | None = None,
    reach: list[tuple[str, str, float]] | None = None,
) -> PlanInputs:
    """A PlanInputs in district AZ-A.

    ``sites``: id -> (available_index, max_size_heads); ``towns``: id -> (available_index,
    max_houses, returning_families). Supplies and capacities default to plenty.
    """
    periods = sc.periods
    sites = sites if sites is not None else {}
    towns = towns if towns is not None else {}
    heifers = heifers if heifers is not None else {"BY-A": 1e6}
    timber = timber if timber is not None else {o: 1e6 for o in heifers}
    hub_heads = hub_heads if hub_heads is not None else {"H1": 1e6}
    hub_timber = hub_timber if hub_timber is not None else {h: 1e6 for h in hub_heads}
    long_haul_km = long_haul_km or {(o, h): 1000.0 for o in heifers for h in hub_heads}
    if hub_site is None:
        hub_site = [("H1", s, 10.0) for s in sites]
    if reach is None:
        reach = [(s, j, 5.0) for s in sites for j in towns]
    origins = sorted(heifers)
    hubs = sorted(hub_heads)
    return PlanInputs(
        scenario=sc,
        periods=periods,
        districts=pd.DataFrame({"name_en": ["A"], "name_az": ["A"]}, index=["AZ-A"]),
        sites=pd.DataFrame(
            [("AZ-A", a, m, 100.0) for a, m in sites.values()], index=list(sites),
            columns=["district_id", "available_index", "max_size_heads", "elevation_m"]),
        settlements=pd.DataFrame(
            [("AZ-A", j, j, a, mh, f) for j, (a, mh, f) in towns.items()], index=list(towns),
            columns=["district_id", "name_en", "name_az", "available_index", "max_houses",
                     "returning_families"]),
        origins=pd.DataFrame({"name_en": origins}, index=origins),
        hubs=pd.DataFrame({"name": hubs, "mode": ["road"] * len(hubs)}, index=hubs),
        heifer_supply=quarterly(heifers, periods),
        timber_supply=quarterly(timber, periods),
        hub_capacity_heads=quarterly(hub_heads, periods),
        hub_capacity_timber_m3=quarterly(hub_timber, periods),
        fodder_land_ha=quarterly({"AZ-A": land}, periods),
        long_haul_km=pd.DataFrame(
            [[long_haul_km[o, h] for h in hubs] for o in origins], index=origins, columns=hubs),
        hub_site=pd.DataFrame(hub_site, columns=["hub_id", "site_id", "distance_km"]),
        reach=pd.DataFrame(reach, columns=["site_id", "settlement_id", "distance_km"]),
        budget_usd=pd.Series(sc.budget_usd(), index=list(periods)),
    )


def rows(table: pd.DataFrame) -> list[tuple[Any, ...]]:
    """A table as a list of plain tuples (ints stay ints)."""
    return [tuple(r) for r in table.itertuples(index=False)]


def solved(inputs: PlanInputs, **kwargs: Any) -> Plan:
    """Solve, expect a proven optimum, and have the independent checker pass the plan."""
    plan = solve(inputs, **kwargs)
    assert plan.status == "optimal", plan.status
    assert check_plan(inputs, plan) == []
    return plan


# ----------------------------------------------------------------- whole plans by hand


def test_farm_and_houses_weighted_plan() -> None:
    """One site (100 head), one settlement (10 plots, 10 families), 3 quarters.

    Long haul 0.01 USD/head-km x 1,000 km = 10 USD a head; truck 0.1 x 10 km = 1 USD.
    Farm started in Q1 runs from Q2: 100 heifers delivered in Q2 give 2 head-quarters
    each: milk 200 t -> +20,000; a start in Q2 would give only 100 t. Ten houses in Q1:
    30 family-quarters -> +30,000. Cost: farm 100,000 + heifers 100 x 1,011 + houses
    100,000 = 301,100 USD -> -3,011. Objective = 30,000 + 20,000 - 3,011 = 46,989.
    """
    sc = scenario(cattle={"long_haul_usd_per_head_km": 0.01, "truck_usd_per_head_km": 0.1})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100)}, towns={"J1": (0, 10, 10)}))
    assert plan.objective == pytest.approx(46_989, abs=1e-6)
    assert rows(plan.farms) == [("S1", 100, "2027Q1", "2027Q2")]
    assert rows(plan.deliveries) == [("BY-A", "H1", "S1", "2027Q2", 100)]
    assert rows(plan.houses) == [("J1", "2027Q1", 10)]
    assert rows(plan.agro_towns) == [("J1", "2027Q1")]
    assert rows(plan.herd) == [("S1", "2027Q2", 100), ("S1", "2027Q3", 100)]
    spend = plan.spend.set_index(["period", "category"])["usd"]
    assert spend["2027Q1", "farms"] == 100_000
    assert spend["2027Q2", "long_haul"] == pytest.approx(1_000)
    assert spend["2027Q2", "trucking"] == pytest.approx(100)
    k = plan.kpis
    assert (k["families_housed"], k["farms"], k["herd_heads"]) == (10, 1, 100)
    assert k["milk_t_per_year"] == 400.0
    assert k["spend_usd"] == pytest.approx(301_100)
    assert k["herd_by_period"] == {"2027Q1": 0, "2027Q2": 100, "2027Q3": 100}


def test_objective_matches_plan_recomputed_from_kpis() -> None:
    """The solver's objective equals the weighted sum recomputed from the plan's figures."""
    sc = scenario(cattle={"long_haul_usd_per_head_km": 0.01})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100), "S2": (1, 100)},
                              towns={"J1": (0, 4, 9), "J2": (2, 9, 9)}))
    k = plan.kpis
    family_quarters = sum(k["families_housed_by_period"].values())
    milk_t = sum(k["milk_t_by_period"].values())
    expected = 1000 * family_quarters + 100 * milk_t - 0.01 * k["spend_usd"]
    assert plan.objective == pytest.approx(expected, rel=1e-9)


# ----------------------------------------------------------------- each family binds


@pytest.mark.parametrize("carry_over, expected", [(False, [3, 4]), (True, [6, 4])])
def test_budget_per_quarter_binds_and_carry_over_moves_money(
    carry_over: bool, expected: list[int]
) -> None:
    """Budget 30,000 / 30,000 / 40,000 USD; land released from Q2; 10 plots and families.

    Without carry-over: 3 houses in Q2 (30,000), 4 in Q3 (40,000). With it, Q1's unspent
    30,000 is spent in Q2: 6 houses, then 4 in Q3. Objective with carry-over =
    1,000 x (6 x 2 + 4 x 1) - 0.01 x 100,000 = 15,000; without = 1,000 x 10 - 700 = 9,300.
    """
    sc = scenario(budget={"usd_per_quarter": {"2027Q1": 30000, "2027Q2": 30000,
                                              "2027Q3": 40000}, "carry_over": carry_over})
    plan = solved(make_inputs(sc, towns={"J1": (1, 10, 10)}))
    assert plan.houses["houses"].tolist() == expected
    assert plan.objective == pytest.approx(15_000 if carry_over else 9_300, abs=1e-6)


def test_supply_heifers_binds() -> None:
    """Farm of 200 head built at once (build_quarters 0), 50 heifers a quarter.

    Deliveries 50, 50, 50 -> herd 50, 100, 150: 300 t of milk -> +30,000. Cost 200,000 +
    150,000 -> -3,500. Objective 26,500.
    """
    sc = scenario(farms={"sizes_heads": [200], "build_quarters": 0})
    plan = solved(make_inputs(sc, sites={"S1": (0, 200)}, heifers={"BY-A": 50}))
    assert plan.deliveries["heads"].tolist() == [50, 50, 50]
    assert plan.objective == pytest.approx(26_500, abs=1e-6)


def test_hub_capacity_heads_binds() -> None:
    """As above with 1,000 heifers a quarter but a hub passing 40 a quarter: 40 x 3.

    Herd 40, 80, 120 -> 240 t -> +24,000; cost 200,000 + 120,000 -> -3,200; = 20,800.
    """
    sc = scenario(farms={"sizes_heads": [200], "build_quarters": 0})
    plan = solved(make_inputs(sc, sites={"S1": (0, 200)}, heifers={"BY-A": 1000},
                              hub_heads={"H1": 40}))
    assert plan.deliveries["heads"].tolist() == [40, 40, 40]
    assert plan.objective == pytest.approx(20_800, abs=1e-6)


def test_supply_timber_binds() -> None:
    """30 m3 a house, 60 m3 of timber a quarter: 2 houses a quarter out of 10 plots.

    6 houses: 2 x 3 + 2 x 2 + 2 x 1 = 12 family-quarters -> 12,000; cost 60,000 -> -600.
    """
    sc = scenario(houses={"timber_m3_per_house": 30})
    plan = solved(make_inputs(sc, towns={"J1": (0, 10, 10)}, timber={"BY-A": 60}))
    assert plan.houses["houses"].tolist() == [2, 2, 2]
    assert plan.table("timber")["m3"].tolist() == [60, 60, 60]
    assert plan.objective == pytest.approx(11_400, abs=1e-6)


def test_hub_capacity_timber_binds() -> None:
    """Plenty of timber but the hub passes 90 m3 a quarter: 3 houses a quarter, 9 in all.

    3 x (3 + 2 + 1) = 18 family-quarters -> 18,000; cost 90,000 -> -900; = 17,100.
    """
    sc = scenario(houses={"timber_m3_per_house": 30})
    plan = solved(make_inputs(sc, towns={"J1": (0, 10, 10)}, hub_timber={"H1": 90}))
    assert plan.houses["houses"].tolist() == [3, 3, 3]
    assert plan.objective == pytest.approx(17_100, abs=1e-6)


def test_workforce_binds_farms_and_houses_together() -> None:
    """10 workers per 100 head, 1 worker per family, 4 plots within reach.

    The herd is capped at 40 by the 4 workers; houses are built in Q1, the farm runs
    from Q2 with 40 head. Families 4 x 3 = 12 -> 12,000; milk 40 x 2 = 80 t -> 8,000;
    cost farm 100,000 + heifers 40,000 + houses 40,000 -> -1,800. Objective 18,200.
    """
    sc = scenario(farms={"workers_per_100_head": 10})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100)}, towns={"J1": (0, 4, 4)}))
    assert rows(plan.herd) == [("S1", "2027Q2", 40), ("S1", "2027Q3", 40)]
    assert rows(plan.table("workforce")) == [("S1", "J1", "2027Q2", 4.0),
                                             ("S1", "J1", "2027Q3", 4.0)]
    assert plan.kpis["jobs"] == 4.0
    assert plan.objective == pytest.approx(18_200, abs=1e-6)


def test_workforce_needs_settlements_within_reach() -> None:
    """The same farm with its only settlement out of reach: no herd, so no farm either."""
    sc = scenario(farms={"workers_per_100_head": 10})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100)}, towns={"J1": (0, 4, 4)}, reach=[]))
    assert plan.farms.empty and plan.deliveries.empty
    assert plan.objective == pytest.approx(12_000 - 400, abs=1e-6)


def test_land_fodder_binds() -> None:
    """1 ha of fodder a head; 30, 30, 60 ha usable: herd 30 in Q2, 60 in Q3.

    Milk 30 + 60 = 90 t -> 9,000; cost 100,000 + 60,000 -> -1,600. Objective 7,400.
    """
    sc = scenario(farms={"fodder_ha_per_head": 1.0})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100)}, land=[30, 30, 60]))
    assert plan.kpis["herd_by_period"] == {"2027Q1": 0, "2027Q2": 30, "2027Q3": 60}
    assert plan.objective == pytest.approx(7_400, abs=1e-6)


def test_max_houses_and_returning_families_bind() -> None:
    """J1 has 5 plots for 8 families, J2 9 plots for 3 families: 5 + 3 houses in Q1.

    8 x 3 = 24 family-quarters -> 24,000; cost 80,000 -> -800. Objective 23,200.
    """
    plan = solved(make_inputs(scenario(), towns={"J1": (0, 5, 8), "J2": (0, 9, 3)}))
    assert rows(plan.houses) == [("J1", "2027Q1", 5), ("J2", "2027Q1", 3)]
    assert plan.kpis["families_housed"] == 8
    assert plan.objective == pytest.approx(23_200, abs=1e-6)


def test_agro_town_is_developed_before_its_houses() -> None:
    """Infrastructure 50,000 USD; budget 50,000 in Q1, 100,000 in Q2, 0 in Q3, no carry-over.

    Best: develop in Q1, build 10 houses in Q2: 20 family-quarters -> 20,000, cost
    150,000 -> -1,500: 18,500. Developing in Q2 leaves room for 5 houses only (13,500).
    """
    sc = scenario(agro_towns={"infrastructure_usd": 50000},
                  budget={"usd_per_quarter": {"2027Q1": 50000, "2027Q2": 100000},
                          "carry_over": False})
    plan = solved(make_inputs(sc, towns={"J1": (0, 10, 10)}))
    assert rows(plan.agro_towns) == [("J1", "2027Q1")]
    assert rows(plan.houses) == [("J1", "2027Q2", 10)]
    assert plan.objective == pytest.approx(18_500, abs=1e-6)


def test_agro_town_not_developed_when_its_houses_do_not_pay() -> None:
    """Infrastructure 500,000 USD (-5,000) for one plot (+3,000 - 100): nothing is built."""
    sc = scenario(agro_towns={"infrastructure_usd": 500000})
    plan = solved(make_inputs(sc, towns={"J1": (0, 1, 1)}))
    assert plan.agro_towns.empty and plan.houses.empty
    assert plan.objective == pytest.approx(0, abs=1e-6)


def test_enforced_trade_target_forces_exports() -> None:
    """Houses worth 1 per family-quarter would not be built (3 < 100 of cost a house), but
    a 2027 target of baseline 1,000 + 100,000 USD with 20,000 USD kits needs 5 houses.

    Built in Q1 (the cheapest way is the same in any quarter, Q1 counts most):
    5 x 3 x 1 - 0.01 x 50,000 = -485.
    """
    sc = scenario(houses={"belarus_kit_usd": 20000},
                  objective={"weights": {"family_quarter": 1, "milk_t": 100, "cost_usd": 0.01}},
                  trade={"baseline_usd_per_year": 1000,
                         "targets": [{"year": 2027, "total_usd": 101000, "enforce": True}]})
    plan = solved(make_inputs(sc, towns={"J1": (0, 10, 10)}))
    assert rows(plan.houses) == [("J1", "2027Q1", 5)]
    assert plan.objective == pytest.approx(-485, abs=1e-6)
    assert plan.kpis["trade"] == [{"year": 2027, "baseline_usd": 1000, "exports_usd": 100000.0,
                                   "total_usd": 101000.0, "target_usd": 101000, "met": True,
                                   "gap_usd": 0.0}]
    relaxed = scenario(houses={"belarus_kit_usd": 20000},
                       objective={"weights": {"family_quarter": 1, "milk_t": 100,
                                              "cost_usd": 0.01}})
    assert solved(make_inputs(relaxed, towns={"J1": (0, 10, 10)})).houses.empty


def test_unreachable_trade_target_is_reported_before_solving() -> None:
    """10 kits of 20,000 USD at most: a target 300,000 above the baseline cannot be met."""
    sc = scenario(houses={"belarus_kit_usd": 20000},
                  trade={"targets": [{"year": 2027, "total_usd": 300000, "enforce": True}]})
    with pytest.raises(InfeasibleError, match=r"trade.target\[2027\]"):
        solve(make_inputs(sc, towns={"J1": (0, 10, 10)}))


def test_solver_proves_infeasible_when_the_budget_cannot_buy_the_target() -> None:
    """The kits could reach the target but no budget can pay for them: status infeasible."""
    sc = scenario(houses={"belarus_kit_usd": 20000}, budget={"usd_per_quarter": 0},
                  trade={"targets": [{"year": 2027, "total_usd": 100000, "enforce": True}]})
    plan = solve(make_inputs(sc, towns={"J1": (0, 10, 10)}))
    assert plan.status == "infeasible"
    assert plan.objective is None and not plan.has_solution and plan.farms.empty


# ----------------------------------------------------------------- objective kinds


@pytest.mark.parametrize("tolerance, cost, heads", [(0.0, 20_000, 10), (0.1, 19_000, 9)])
def test_lexicographic_milk_first_then_cost(tolerance: float, cost: float, heads: int) -> None:
    """2 quarters, 20,000 USD in all; farm of 10 head (10,000) built at once; 2 plots.

    Milk first: farm + 10 heifers in Q1 -> 20 head-quarters (houses would give none).
    Families next: nothing left. Cost last: 20,000. With 10% tolerance on milk (>= 18)
    the cost level keeps 9 heifers (18 head-quarters): 19,000 USD. The plan's objective
    is the last level's value.
    """
    sc = scenario(horizon={"quarters": 2},
                  farms={"sizes_heads": [10], "build_quarters": 0},
                  budget={"usd_per_quarter": {"2027Q1": 20000}},
                  objective={"kind": "lexicographic", "priorities": ["milk", "families", "cost"],
                             "tolerance": tolerance})
    plan = solved(make_inputs(sc, sites={"S1": (0, 10)}, towns={"J1": (0, 2, 2)}))
    assert plan.objective == pytest.approx(cost, abs=1e-6)
    assert plan.deliveries["heads"].tolist() == [heads]
    assert plan.houses.empty


def test_lexicographic_families_first_builds_houses() -> None:
    """Same instance, families first: 2 houses in Q1 (4 family-quarters), no farm."""
    sc = scenario(horizon={"quarters": 2},
                  farms={"sizes_heads": [10], "build_quarters": 0},
                  budget={"usd_per_quarter": {"2027Q1": 20000}},
                  objective={"kind": "lexicographic", "tolerance": 0.0})
    plan = solved(make_inputs(sc, sites={"S1": (0, 10)}, towns={"J1": (0, 2, 2)}))
    assert rows(plan.houses) == [("J1", "2027Q1", 2)]
    assert plan.farms.empty
    assert plan.objective == pytest.approx(20_000, abs=1e-6)


# ----------------------------------------------------------------- backends, names, checks


def _mixed_instance() -> PlanInputs:
    sc = scenario(farms={"sizes_heads": [100, 200], "workers_per_100_head": 5,
                         "fodder_ha_per_head": 1.0},
                  houses={"timber_m3_per_house": 30},
                  cattle={"long_haul_usd_per_head_km": 0.01, "truck_usd_per_head_km": 0.1},
                  agro_towns={"infrastructure_usd": 20000},
                  budget={"usd_per_quarter": 250000})
    return make_inputs(sc, sites={"S1": (0, 200), "S2": (0, 100), "S3": (1, 200)},
                       towns={"J1": (0, 6, 8), "J2": (1, 9, 5)},
                       heifers={"BY-A": 120, "BY-B": 60}, timber={"BY-A": 90, "BY-B": 60},
                       hub_heads={"H1": 100, "H2": 80}, land=[150, 200, 250],
                       long_haul_km={("BY-A", "H1"): 1000, ("BY-A", "H2"): 1200,
                                     ("BY-B", "H1"): 900, ("BY-B", "H2"): 800},
                       hub_site=[("H1", "S1", 10), ("H2", "S2", 20), ("H2", "S3", 5)],
                       reach=[("S1", "J1", 4), ("S2", "J1", 8), ("S3", "J2", 3)])


def test_highs_and_scip_find_the_same_optimum() -> None:
    inputs = _mixed_instance()
    highs = solved(inputs, backend="highs")
    scip = solved(inputs, backend="scip")
    assert highs.objective == pytest.approx(scip.objective, rel=1e-9)
    assert highs.kpis["families_housed"] == scip.kpis["families_housed"]
    assert highs.kpis["herd_by_period"] == scip.kpis["herd_by_period"]


def test_cpsat_solves_a_tiny_case() -> None:
    """The first hand-solved plan, with every variable integer: objective 46,989."""
    sc = scenario(cattle={"long_haul_usd_per_head_km": 0.01, "truck_usd_per_head_km": 0.1})
    plan = solved(make_inputs(sc, sites={"S1": (0, 100)}, towns={"J1": (0, 10, 10)}),
                  backend="cpsat")
    assert plan.solver == "cpsat"
    assert plan.objective == pytest.approx(46_989, rel=1e-9)
    assert rows(plan.deliveries) == [("BY-A", "H1", "S1", "2027Q2", 100)]


def test_constraint_names_start_with_their_family_key() -> None:
    m = build_model(_mixed_instance())
    names = {c.name for c in m.model.linear_constraints()}
    assert {"budget.per_quarter[2027Q2]", "supply.heifers[BY-A,2027Q3]",
            "hubs.capacity_heads[H2,2027Q1]", "cattle.herd_within_size[S1,2027Q2]",
            "workforce.demand[S1,2027Q2]", "land.fodder[AZ-A,2027Q3]",
            "houses.timber[2027Q1]", "agro_towns.before_houses[J2,2027Q2]"} <= names
    families = {n.split("[")[0].split(".")[0] for n in names}
    assert families == {"farms", "cattle", "supply", "hubs", "agro_towns", "houses",
                        "workforce", "land", "budget"}


def test_tables_have_the_plan_columns_and_sorted_rows() -> None:
    plan = solved(_mixed_instance())
    for name, table in plan.tables.items():
        assert tuple(table.columns) == tuple(plan.table(name).columns)
    deliveries = rows(plan.deliveries)
    assert deliveries == sorted(deliveries)
    assert all(isinstance(n, int) for n in plan.deliveries["heads"])
    assert set(plan.kpis) >= {"families_housed", "trade", "spend_by_district", "jobs"}


def test_pre_solve_checks_say_what_is_short() -> None:
    sc = scenario(farms={"sizes_heads": [500]})
    inputs = make_inputs(sc, sites={"S1": (0, 500)}, heifers={"BY-A": 100},
                         towns={"J1": (0, 5, 8)})
    messages = [f.message for f in check_inputs(inputs)]
    assert any("heifer supply" in m and "500 head" in m for m in messages)
    assert any("families to house (8) exceed all house plots (5)" in m for m in messages)


# ----------------------------------------------------------------- the default scenario


@pytest.fixture(scope="module")
def default_inputs() -> PlanInputs:
    scenario_ = load_scenario(Path(__file__).resolve().parent.parent / "data" / "scenarios"
                              / "default.yaml")
    return build_plan_inputs(scenario_, read_layers(scenario_))


@pytest.mark.slow
def test_default_scenario_is_optimal_checked_and_plausible(default_inputs: PlanInputs) -> None:
    """Proved within the scenario's 0.1% gap; farms, heifers and thousands of houses; cost
    per cow place, per house and workers per 100 head inside the sourced ranges
    (3,100-3,300 USD a place, 45-60k USD a house, 3.75-5 workers per 100 head)."""
    plan = solve(default_inputs)
    assert plan.status == "optimal"
    assert plan.relative_gap is not None and plan.relative_gap <= 0.001
    assert check_plan(default_inputs, plan) == []
    k = plan.kpis
    assert k["farms"] >= 5 and k["herd_heads"] >= 5_000 and k["families_housed"] >= 2_000
    places = int(plan.farms["size_heads"].sum())
    assert 3_100 <= k["spend_by_category"]["farms"] / places <= 3_300
    assert 45_000 <= k["spend_by_category"]["houses"] / k["families_housed"] <= 60_000
    assert 3.75 <= 100 * k["jobs"] / k["herd_heads"] <= 5
    assert k["spend_usd"] <= k["budget_usd"]


@pytest.mark.slow
def test_time_limit_gives_a_status_not_an_exception(default_inputs: PlanInputs) -> None:
    """A 0.5 s limit cannot prove the default's optimum: feasible with its gap, or no plan."""
    plan = solve(default_inputs, time_limit_s=0.5)
    assert plan.status in ("feasible", "no_solution")
    if plan.status == "feasible":
        assert plan.objective is not None and plan.best_bound is not None
        if abs(plan.objective) < 1e-6:  # the empty plan: no relative gap, a large absolute one
            assert plan.relative_gap is None and plan.best_bound > 1.0
        else:
            assert plan.relative_gap is not None and plan.relative_gap > 0.001
        assert check_plan(default_inputs, plan) == []
    else:
        assert plan.objective is None and plan.farms.empty


# ----------------------------------------------------------------- random instances


@settings(max_examples=12, deadline=None)
@given(
    sizes=st.lists(st.sampled_from([50, 100, 150]), min_size=1, max_size=2, unique=True),
    site_from=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    towns=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 12)),
                   min_size=1, max_size=3),
    heifers=st.integers(0, 120),
    timber=st.sampled_from([0, 45, 300]),
    budget=st.sampled_from([60_000, 150_000, 1e9]),
    carry=st.booleans(),
    workers=st.sampled_from([0, 5, 20]),
    land=st.sampled_from([40, 1e9]),
)
def test_random_instances_pass_the_checker_and_backends_agree(
    sizes: list[int], site_from: list[int], towns: list[tuple[int, int, int]], heifers: int,
    timber: int, budget: float, carry: bool, workers: int, land: float,
) -> None:
    """Any small valid instance: HiGHS's plan passes the independent checker and SCIP
    proves the same optimal objective."""
    sc = scenario(farms={"sizes_heads": sizes, "workers_per_100_head": workers,
                         "fodder_ha_per_head": 1.0},
                  houses={"timber_m3_per_house": 15, "belarus_kit_usd": 2000},
                  cattle={"long_haul_usd_per_head_km": 0.01, "truck_usd_per_head_km": 0.1},
                  agro_towns={"infrastructure_usd": 20000},
                  budget={"usd_per_quarter": budget, "carry_over": carry})
    inputs = make_inputs(
        sc, sites={f"S{i}": (a, 150) for i, a in enumerate(site_from)},
        towns={f"J{i}": town for i, town in enumerate(towns)},
        heifers={"BY-A": heifers}, timber={"BY-A": timber}, land=land)
    highs = solved(inputs)
    scip = solved(inputs, backend="scip")
    assert highs.objective == pytest.approx(scip.objective, rel=1e-7, abs=1e-6)
