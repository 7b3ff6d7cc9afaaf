"""Map and report size and load time for a plan with thousands of features.

A plan with >= 5,000 drawn features is synthesised on the default layers (real districts,
hubs, origins, clearance and basemap; generated farm sites and settlements inside the
districts; farms, deliveries, herds and houses made up for the benchmark only), rendered,
and opened offline in headless chromium several times. Prints a table of medians.

Targets (issue 4): the map at most 8 MB, loaded and drawn within 2 s.

    python benchmarks/map_size.py [--features 6000] [--runs 5] [--lang en|az|ru]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from playwright.sync_api import sync_playwright

from agroplan.config import load_scenario
from agroplan.inputs import PlanInputs
from agroplan.layers import Layers, read_layers
from agroplan.plan import SPEND_CATEGORIES, Plan
from agroplan.render import render_outputs
from agroplan.render.mapdata import build_map_data

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MAX_MB, MAX_LOAD_S = 8.0, 2.0


def _points_in(districts: gpd.GeoDataFrame, count: int, rng: np.random.Generator
               ) -> tuple[list[Any], list[str]]:
    """``count`` random points inside the districts, and the district of each."""
    points: list[Any] = []
    owners: list[str] = []
    ids = list(districts.index)
    while len(points) < count:
        did = ids[int(rng.integers(len(ids)))]
        geom = districts.geometry.loc[did]
        west, south, east, north = geom.bounds
        candidate = gpd.points_from_xy([rng.uniform(west, east)], [rng.uniform(south, north)])[0]
        if geom.contains(candidate):
            points.append(candidate)
            owners.append(str(did))
    return points, owners


def synthesise(features: int, seed: int = 0) -> tuple[Plan, PlanInputs, Layers]:
    """A plan with about ``features`` drawn features on the default layers."""
    rng = np.random.default_rng(seed)
    scenario = load_scenario(overrides=["name=benchmark"])
    base = read_layers(scenario)
    periods = scenario.periods
    n_sites, n_towns = int(features * 0.45), int(features * 0.25)
    site_pts, site_d = _points_in(base.districts, n_sites, rng)
    town_pts, town_d = _points_in(base.districts, n_towns, rng)
    site_ids = [f"S{i:05d}" for i in range(n_sites)]
    town_ids = [f"gn{i:06d}" for i in range(n_towns)]
    sites = gpd.GeoDataFrame({
        "site_id": site_ids, "district_id": site_d, "elevation_m": rng.uniform(100, 1500, n_sites),
        "slope_deg": rng.uniform(0, 8, n_sites), "max_size_heads": 1200,
        "available_from": "2027Q1"}, geometry=site_pts, crs="EPSG:4326").set_index("site_id")
    towns = gpd.GeoDataFrame({
        "settlement_id": town_ids, "name_en": [f"Village {i}" for i in range(n_towns)],
        "name_az": [f"Kənd {i}" for i in range(n_towns)], "district_id": town_d,
        "max_houses": 300, "returning_families": 250, "available_from": "2027Q1"},
        geometry=town_pts, crs="EPSG:4326").set_index("settlement_id")
    layers = dataclasses.replace(base, farm_sites=sites, settlements=towns)

    chosen = site_ids[: n_sites * 2 // 3]
    starts = rng.integers(0, len(periods) - 4, len(chosen))
    sizes = rng.choice([600, 800, 1200], len(chosen))
    farms = pd.DataFrame({"site_id": chosen, "size_heads": sizes,
                          "build_start": [periods[s] for s in starts],
                          "operational_from": [periods[s + 4] for s in starts]})
    hubs, origins = list(base.hubs.index), list(base.origins.index)
    deliveries: list[tuple[str, str, str, str, int]] = []
    herd: list[tuple[str, str, int]] = []
    for site, size, start in zip(chosen, sizes.tolist(), starts.tolist(), strict=True):
        op = start + 4
        for hub in rng.choice(hubs, 2, replace=False):
            deliveries.append((str(rng.choice(origins)), str(hub), site, periods[op], size // 2))
        herd += [(site, p, size) for p in periods[op:]]
    developed = town_ids[: n_towns * 2 // 3]
    dev_at = rng.integers(0, len(periods) - 2, len(developed))
    houses = [(t, periods[d + k], 40) for t, d in zip(developed, dev_at, strict=True)
              for k in range(3)]
    tables = {
        "farms": farms,
        "deliveries": pd.DataFrame(deliveries, columns=["origin_id", "hub_id", "site_id",
                                                        "period", "heads"]),
        "herd": pd.DataFrame(herd, columns=["site_id", "period", "heads"]),
        "agro_towns": pd.DataFrame({"settlement_id": developed,
                                    "developed_in": [periods[d] for d in dev_at]}),
        "houses": pd.DataFrame(houses, columns=["settlement_id", "period", "houses"]),
        "spend": pd.DataFrame([(p, c, 1e6) for p in periods for c in SPEND_CATEGORIES],
                              columns=["period", "category", "usd"]),
    }
    plan = Plan(scenario="benchmark", status="feasible", solver="synthetic", objective=None,
                best_bound=None, relative_gap=None, solve_seconds=0.0, periods=periods,
                tables=tables, kpis=_kpis(tables, periods, scenario.budget_usd()))
    districts = base.districts[["name_en", "name_az"]]
    inputs = PlanInputs(
        scenario=scenario, periods=periods, districts=districts,
        sites=sites[["district_id", "max_size_heads", "elevation_m"]],
        settlements=towns[["district_id", "name_en", "name_az", "max_houses",
                           "returning_families"]],
        origins=base.origins[["name_en"]], hubs=base.hubs[["name", "mode"]],
        heifer_supply=pd.DataFrame(), timber_supply=pd.DataFrame(),
        hub_capacity_heads=pd.DataFrame(), hub_capacity_timber_m3=pd.DataFrame(),
        fodder_land_ha=pd.DataFrame(), long_haul_km=pd.DataFrame(), hub_site=pd.DataFrame(),
        reach=pd.DataFrame(), budget_usd=pd.Series(scenario.budget_usd(), index=periods))
    return plan, inputs, layers


def _kpis(tables: dict[str, pd.DataFrame], periods: tuple[str, ...],
          budget: tuple[float, ...]) -> dict[str, Any]:
    houses, herd, spend = tables["houses"], tables["herd"], tables["spend"]
    by_period = houses.groupby("period")["houses"].sum().reindex(periods, fill_value=0).cumsum()
    herd_by = herd.groupby("period")["heads"].sum().reindex(periods, fill_value=0)
    spend_by = spend.groupby("period")["usd"].sum().reindex(periods, fill_value=0.0)
    return {
        "families_housed": int(by_period.iloc[-1]),
        "families_housed_by_period": {p: int(v) for p, v in by_period.items()},
        "farms": len(tables["farms"]), "farms_operational": len(tables["farms"]),
        "herd_heads": int(herd_by.iloc[-1]),
        "herd_by_period": {p: int(v) for p, v in herd_by.items()},
        "milk_t_per_year": float(herd_by.iloc[-1] * 6.5),
        "milk_t_by_period": {p: float(v * 6.5 / 4) for p, v in herd_by.items()},
        "jobs": float(herd_by.iloc[-1] * 0.05), "spend_usd": float(spend_by.sum()),
        "budget_usd": float(sum(budget)), "spend_by_period": spend_by.to_dict(),
        "budget_by_period": dict(zip(periods, budget, strict=True)),
        "spend_by_category": spend.groupby("category")["usd"].sum().to_dict(),
        "spend_by_district": {}, "trade": [],
    }


def count_features(data: dict[str, Any]) -> tuple[int, int]:
    """Features in the map, and those drawn when it opens (candidates start hidden)."""
    layers = ("farms", "towns", "flows", "hubs", "origins", "clearance")
    shown = sum(len(data[k]) for k in layers) + len(data["districts"]["features"])
    return shown + len(data["candidates"]), shown


def load_seconds(browser: Any, path: Path) -> float:
    """From navigation to the plan drawn (``window.agroplan`` set), offline."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
               else r.abort())
    start = time.perf_counter()
    page.goto(path.as_uri())
    # the map is drawn once its script has run; the report has no script
    page.wait_for_function("window.agroplan !== undefined || "
                           "document.getElementById('agroplan-data') === null")
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lang", choices=("en", "az", "ru"), default="en")
    args = parser.parse_args()
    plan, inputs, layers = synthesise(args.features)
    total, shown = count_features(build_map_data(plan, inputs, layers))
    render_s = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            start = time.perf_counter()
            map_path, report = render_outputs(plan, inputs, layers, Path(folder) / "bench.html",
                                              args.lang)
            render_s.append(time.perf_counter() - start)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            map_s = [load_seconds(browser, map_path) for _ in range(args.runs)]
            report_s = [load_seconds(browser, report) for _ in range(args.runs)]
            browser.close()
        map_mb, report_mb = map_path.stat().st_size / 1e6, report.stat().st_size / 1e6
    print(f"features in the map: {total}, drawn on opening: {shown} (farms {len(plan.farms)}); "
          f"medians of {args.runs} runs, language {args.lang}")
    print(f"{'page':<8} {'size MB':>8} {'limit':>6} {'render s':>9} {'load s':>7} {'target':>7}")
    render = statistics.median(render_s)
    for name, size, load in (("map", map_mb, map_s), ("report", report_mb, report_s)):
        print(f"{name:<8} {size:>8.2f} {MAX_MB:>6.1f} {render:>9.2f} "
              f"{statistics.median(load):>7.2f} {MAX_LOAD_S:>7.1f}")
    print("render s: map and report together")


if __name__ == "__main__":
    main()
