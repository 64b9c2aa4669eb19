"""Issue 10 item 3: supplies in place, teams suffice, annual deaths, the dispatch readings."""

from __future__ import annotations

import collections
import dataclasses
import math
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

import sim
from sim.results import RunResult
from sim.scenario.clauses import (
    DeathsPerMillion,
    SuppliesInPlaceWithin,
    Target,
    TeamsSuffice,
)
from sim.scenario.overrides import apply_overrides
from sim.study.readings import (
    PLANS_DIR,
    dispersed_relief_readings,
    nearest_dispatch_line,
    plan_readings,
    readings,
)
from sim.targets import evaluate_targets, supplies_in_place_at, target_bound

ROOT = Path(__file__).resolve().parents[1]
FLOOD = ROOT / "scenarios" / "demo_flash_flood.yaml"
PLANS = ["jinjiang_typhoon", "fuzhou_flood", "shicheng_flash_flood", "jincheng_earthquake",
         "wenzhou_typhoon"]
TARGET = TypeAdapter(Target)


@pytest.fixture(scope="module")
def flood() -> sim.Scenario:
    return sim.load_scenario(FLOOD)


@pytest.fixture(scope="module")
def flood_run(flood: sim.Scenario) -> RunResult:
    """A run of the demo flash flood with trapped people and people at the shelters."""
    for seed in range(20):
        r = sim.run(flood, seed)
        if r.metrics["trapped_total"] > 0 and r.supply_cover:
            return r
    raise AssertionError("no run of the demo flash flood trapped anybody")


def _one(target: dict[str, Any], r: RunResult, sc: sim.Scenario) -> Any:
    return evaluate_targets([TARGET.validate_python(target)], r, sc)[0]


# -- supplies in place -----------------------------------------------------------------------
def test_supplies_in_place_sums_capped_cover_over_points(flood: sim.Scenario,
                                                         flood_run: RunResult) -> None:
    logs = [
        ("a", [(-5.0, 0, 50.0), (2.0, 100, 50.0), (8.0, 100, 120.0), (12.0, 300, 120.0)]),
        ("b", [(1.0, 40, 10.5), (11.0, 40, 40.0)]),
        ("c", [(10.5, 30, 0.0)]),  # nobody there by 10 h: not counted
    ]
    r = dataclasses.replace(flood_run, supply_cover=logs)
    # at 10 h: a has 100 arrived, 120 covered -> 100; b has 40 arrived, floor(10.5) = 10 covered
    assert supplies_in_place_at(r, 10.0) == (140, 110.0)
    res = _one({"id": "s", "kind": "supplies_in_place_within", "hours": 10}, r, flood)
    assert res.value == pytest.approx(110 / 140)
    assert res.threshold == 1.0 and not res.met
    # at 12 h: a has 300 arrived and 120 covered, b 40 of 40, c 0 of 30
    assert supplies_in_place_at(r, 12.0) == (370, 160.0)
    # before anybody arrived: not applicable, met
    res = _one({"id": "s", "kind": "supplies_in_place_within", "hours": 0.5}, r, flood)
    assert res.value is None and res.met and res.note


def test_supply_cover_records_prepositioned_stock_at_first_arrival(
        flood: sim.Scenario, flood_run: RunResult) -> None:
    r = flood_run
    items = r.items
    first = r.per_day + r.once
    basic = [i for i, k in enumerate(items) if flood.needs[k].basic and first[i] > 0]
    by_name = {s.name: s for s in flood.shelters}
    delivered_to = {r.shelters[d[2]]: d[4] for d in r.deliveries if d[2] >= 0}
    checked = 0
    for name, log in r.supply_cover:
        assert all(b[0] >= a[0] for a, b in zip(log, log[1:], strict=False)), "time order"
        if name not in by_name:
            continue
        t0, arrived, covered = log[0]
        if arrived == 0 or delivered_to.get(name, math.inf) <= t0:
            continue
        pre = by_name[name].prepositioned
        expect = min(float(pre.get(items[i], 0.0)) / first[i] for i in basic)
        assert covered == pytest.approx(expect)
        checked += 1
    assert checked > 0


def test_supply_cover_grows_with_each_delivery(flood_run: RunResult) -> None:
    """Every delivery to a shelter raises what its stock covers (trucks carry basic items)."""
    r = flood_run
    assert r.deliveries
    logs = dict(r.supply_cover)
    for _truck, _point, shelter, _disp, at, kg in r.deliveries:
        if shelter < 0 or kg <= 0:
            continue
        log = logs[r.shelters[shelter]]
        before = [c for t, _a, c in log if t < at - 1e-9]
        after = [c for t, _a, c in log if t <= at + 1e-9]
        assert after, "a delivery is recorded"
        assert max(after) >= (before[-1] if before else 0.0)


def test_supplies_bound_is_a_share(flood: sim.Scenario) -> None:
    b = target_bound(TARGET.validate_python(
        {"id": "s", "kind": "supplies_in_place_within", "hours": 10}), flood)
    assert b is not None and (b.low, b.high, b.fixed) == (0.0, 1.0, False)


# -- teams suffice ---------------------------------------------------------------------------
def test_teams_suffice_leaves_out_other_teams_in_time(flood: sim.Scenario,
                                                      flood_run: RunResult) -> None:
    r = dataclasses.replace(
        flood_run,
        reached=[(1, 0.5), (1, 1.0), (1, 3.0), (1, 0.2), (1, 5.0)],
        reached_kind=["township_semi_professional", "fire_rescue", "village", "village",
                      "fire_rescue"],
        metrics={**flood_run.metrics, "trapped_total": 6},
    )
    t = {"id": "t", "kind": "teams_suffice", "hours": 2, "share": 0.95,
         "team_kinds": ["township_semi_professional", "village"]}
    res = _one(t, r, flood)
    # 6 trapped, 1 reached in time by a fire team (left out): 2 of the other 5 in time
    assert res.value == pytest.approx(2 / 5)
    assert not res.met
    nobody = dataclasses.replace(r, reached=[], reached_kind=[],
                                 metrics={**r.metrics, "trapped_total": 0})
    res = _one(t, nobody, flood)
    assert res.value is None and res.met


def test_reached_kind_matches_the_teams_extractions(flood: sim.Scenario,
                                                    flood_run: RunResult) -> None:
    """Each reached record's team kind agrees with the extractions in the team activity."""
    r = flood_run
    assert len(r.reached_kind) == len(r.reached) > 0
    kind_of = {t.name: t.kind for t in flood.teams}
    done: collections.Counter[str] = collections.Counter()
    for unit, acts in r.team_activity.items():
        done[kind_of[unit.rsplit("#", 1)[0]]] += sum(1 for a in acts if a[2] == "extract")
    started = collections.Counter(r.reached_kind)
    # an extraction is noted when it ends; one per unit may still run at the end
    units = collections.Counter(kind_of[u.rsplit("#", 1)[0]] for u in r.team_activity)
    for k in set(started) | set(done):
        assert done[k] <= started[k] <= done[k] + units[k]


def test_teams_suffice_on_a_run_against_the_records(flood: sim.Scenario,
                                                    flood_run: RunResult) -> None:
    r = flood_run
    kinds = ["township_semi_professional", "village"]
    t = {"id": "t", "kind": "teams_suffice", "hours": 2, "share": 0.95, "team_kinds": kinds}
    res = _one(t, r, flood)
    named = sum(n for (n, h), k in zip(r.reached, r.reached_kind, strict=True)
                if k in kinds and h <= 2)
    others = sum(n for (n, h), k in zip(r.reached, r.reached_kind, strict=True)
                 if k not in kinds and h <= 2)
    assert res.value == pytest.approx(named / (r.metrics["trapped_total"] - others))


def test_teams_bound_without_the_named_teams_is_zero(flood: sim.Scenario) -> None:
    t = TARGET.validate_python({"id": "t", "kind": "teams_suffice", "hours": 2, "share": 0.9,
                                "team_kinds": ["air"]})
    b = target_bound(t, flood)
    assert b is not None and b.high == 0.0 and b.fixed
    t = TARGET.validate_python({"id": "t", "kind": "teams_suffice", "hours": 2, "share": 0.9,
                                "team_kinds": ["village"]})
    assert target_bound(t, flood) is None


# -- deaths per million, per event or a year ---------------------------------------------------
def test_deaths_per_year_is_the_events_share_of_the_annual_average(
        flood: sim.Scenario, flood_run: RunResult) -> None:
    r = dataclasses.replace(flood_run, metrics={**flood_run.metrics, "killed": 7})
    per_event = 7 / float(r.population.sum()) * 1e6
    ev = _one({"id": "d", "kind": "deaths_per_million", "max": 1}, r, flood)
    yr = _one({"id": "d", "kind": "deaths_per_million", "max": 1, "per": "year",
               "return_period_years": 20, "sources": {"return_period_years": "assumption: x"}},
              r, flood)
    assert ev.value == pytest.approx(per_event)
    assert yr.value == pytest.approx(per_event / 20)
    assert "a year" in yr.unit and yr.note
    assert yr.met == (per_event / 20 <= 1)


def test_deaths_per_year_needs_a_cited_return_period() -> None:
    with pytest.raises(ValidationError, match="return_period_years"):
        DeathsPerMillion(id="d", kind="deaths_per_million", max=1, per="year")
    with pytest.raises(ValidationError, match="sources.return_period_years"):
        DeathsPerMillion(id="d", kind="deaths_per_million", max=1, per="year",
                         return_period_years=5)
    with pytest.raises(ValidationError, match="only with per: year"):
        DeathsPerMillion(id="d", kind="deaths_per_million", max=1, return_period_years=5)


def test_deaths_bound_scales_with_the_return_period(flood: sim.Scenario) -> None:
    t = DeathsPerMillion(id="d", kind="deaths_per_million", max=1, per="year",
                         return_period_years=50, sources={"return_period_years": "assumption"})
    b = target_bound(t, flood)
    assert b is not None and b.low == 0.0 and b.high == pytest.approx(1e6 / 50)
    b = target_bound(DeathsPerMillion(id="d", kind="deaths_per_million", max=1), flood)
    assert b is not None and b.high == pytest.approx(1e6)


# -- the plan scenarios ----------------------------------------------------------------------
@pytest.mark.parametrize("name", PLANS)
def test_plan_scenarios_validate_with_annual_deaths(name: str) -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    deaths = [t for t in sc.targets if isinstance(t, DeathsPerMillion)]
    assert deaths, "every plan scenario tests the annual deaths"
    for t in deaths:
        assert t.per == "year" and t.return_period_years
        assert t.sources and t.sources["return_period_years"]


def test_plan_targets_of_item_3() -> None:
    load = {n: sim.load_scenario(ROOT / "scenarios" / f"{n}.yaml") for n in PLANS}
    for name, line in (("jinjiang_typhoon", "000_jinjiang_plan.txt#L375"),
                       ("fuzhou_flood", "001_fuzhou_plan.txt#L474")):
        sup = [t for t in load[name].targets if isinstance(t, SuppliesInPlaceWithin)]
        assert len(sup) == 1 and sup[0].hours == 10 and sup[0].source
        assert sup[0].source.startswith(line)
        text = (PLANS_DIR / line.split("#")[0]).read_text(encoding="utf-8").splitlines()
        assert "10" in text[int(line.split("#L")[1]) - 1]
    assert not [t for t in load["jinjiang_typhoon"].targets
                if t.kind == "relief_within" and t.id == "supplies_in_place_10h"]
    teams = [t for t in load["shicheng_flash_flood"].targets if isinstance(t, TeamsSuffice)]
    assert len(teams) == 1 and teams[0].source
    assert teams[0].source.startswith("002_shicheng_plan.txt#L141")
    line = (PLANS_DIR / "002_shicheng_plan.txt").read_text(encoding="utf-8").splitlines()[140]
    assert "30人以上" in line and "10人以上" in line


# -- readings --------------------------------------------------------------------------------
def test_nearest_dispatch_line_names_the_plan_line() -> None:
    line = nearest_dispatch_line("003_jincheng_plan.txt")
    assert line is not None
    n = int(line.split("#L")[1])
    text = (PLANS_DIR / "003_jincheng_plan.txt").read_text(encoding="utf-8").splitlines()
    assert re.search("就近调配", text[n - 1])
    assert nearest_dispatch_line("004_wenzhou_plan.txt") is None
    assert nearest_dispatch_line(None) is None


def test_jincheng_readings_compare_the_other_dispatch_rules() -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / "jincheng_earthquake.yaml")
    rd = plan_readings(sc)
    assert sc.response.rescue is not None
    own = sc.response.rescue.dispatch
    assert {r.value for r in rd} == {"nearest", "largest", "survival"} - {own}
    for r in rd:
        assert r.path == "response.rescue.dispatch" and r.current == own
        assert r.source.startswith("003_jincheng_plan.txt#L821")
        assert r.words and r.words_zh and "trapped_reached_within" in r.kinds
        # the override applies and the variant validates
        v = apply_overrides(sc, {r.path: r.value})
        assert v.response.rescue is not None and v.response.rescue.dispatch == r.value
    # a plan that does not name the rule has no dispatch reading
    fz = sim.load_scenario(ROOT / "scenarios" / "fuzhou_flood.yaml")
    assert plan_readings(fz) == []
    assert [r.path for r in readings(fz)] == ["response.logistics.dispersed_relief"]


def test_dispersed_relief_reading_is_the_other_value() -> None:
    sc = sim.load_scenario(ROOT / "scenarios" / "fuzhou_flood.yaml")
    (r,) = dispersed_relief_readings(sc)
    assert r.current == sc.response.logistics.dispersed_relief
    assert r.value == {"hosts": "delivered", "delivered": "hosts"}[r.current]
    assert "supplies_in_place_within" in r.kinds and r.to_dict()["path"] == r.path
