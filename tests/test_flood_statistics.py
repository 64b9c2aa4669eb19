"""Flood casualties against the Chinese flood statistics, and no water death without water."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim.hazards.impact import Impact, Strike
from sim.response.ledger import State
from sim.results import RunResult
from sim.run import run
from sim.study.flood_statistics import (
    FLOOD_EVENTS,
    NATIONAL_FLOOD_YEARS,
    WATER_CAUSES,
    check_flood_statistics,
    dry_water_deaths,
    strike_harms,
    water_casualties,
)
from tests.conftest import ROOT

SCENARIOS = {"fuzhou_flood": 5, "shicheng_flash_flood": 5, "demo_flash_flood": 8,
             "wenzhou_typhoon": 3}
"""The water scenarios and the runs of each the zero-water test makes."""


@pytest.fixture(scope="module")
def scenarios() -> dict[str, sim.Scenario]:
    return {k: sim.load_scenario(ROOT / "scenarios" / f"{k}.yaml") for k in SCENARIOS}


@pytest.fixture(scope="module")
def flash() -> sim.Scenario:
    return sim.load_scenario(ROOT / "scenarios" / "demo_flash_flood.yaml")


def direct_killed(r: RunResult) -> int:
    """People the ledger moved to killed straight from at home, warned or exposed."""
    src = {int(State.at_home), int(State.warned), int(State.exposed)}
    return sum(n for _t, _z, s, d, n in r.transitions if s in src and d == int(State.killed))


def with_strikes(r: RunResult, zone: int, strikes: tuple[Strike, ...],
                 measures: dict[str, float]) -> Impact:
    """The run's impact with ``zone``'s strikes and measures replaced."""
    zones = list(r.impact.zones)
    t0 = min(s.time_h for s in strikes)
    zones[zone] = dataclasses.replace(zones[zone], onset_h=t0, strikes=strikes,
                                      measures=measures, exposed_share=1.0)
    return dataclasses.replace(r.impact, zones=tuple(zones))


# -- nobody killed by water where the water is zero -----------------------------------------------
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_water_death_without_water(scenarios: dict[str, sim.Scenario], name: str) -> None:
    """Every water strike that kills, or can, has a positive depth of its water in its zone."""
    sc = scenarios[name]
    for i in range(SCENARIOS[name]):
        r = run(sc, np.random.SeedSequence(0, spawn_key=(i,)))
        bad = dry_water_deaths(r)
        assert not bad, f"{name} run {i}: water deaths with no water: {bad}"
        harms = strike_harms(r)
        assert sum(h.killed for h in harms) == direct_killed(r)
        for h in harms:
            if h.cause in WATER_CAUSES and h.killed:
                assert h.depth_m is not None and h.depth_m > 0.0


def test_a_water_death_without_water_is_found(flash: sim.Scenario) -> None:
    """A flash strike that kills in a zone with no flash depth is reported (the check can fail)."""
    base = run(flash, 3)
    z = int(np.argmax(base.population))
    t = base.impact.zones[z].onset_h
    dry = with_strikes(base, z, (Strike(time_h=t, cause="flash", killed=0.2),), {})
    r = run(flash, 3, impact=dry)
    bad = dry_water_deaths(r)
    assert [(h.zone, h.cause) for h in bad] == [(z, "flash")]
    assert bad[0].killed > 0
    wet = with_strikes(base, z, (Strike(time_h=t, cause="flash", killed=0.2),),
                       {"flash_depth_m": 2.5})
    assert dry_water_deaths(run(flash, 3, impact=wet)) == []


def test_coincident_strikes_are_told_apart(flash: sim.Scenario) -> None:
    """Two strikes in one zone at one time: each gets its own dead, and they add up."""
    base = run(flash, 5)
    z = int(np.argmax(base.population))
    t = base.impact.zones[z].onset_h
    strikes = (Strike(time_h=t, cause="landslide", killed=0.0, injured=(0.1, 0.0, 0.0)),
               Strike(time_h=t, cause="flash", killed=0.3, injured=(0.05, 0.02, 0.01)))
    imp = with_strikes(base, z, strikes, {"flash_depth_m": 3.0})
    r = run(flash, 5, impact=imp)
    harms = [h for h in strike_harms(r) if h.zone == z]
    by = {h.cause: h for h in harms}
    assert by["landslide"].killed == 0 and by["landslide"].injured > 0
    assert by["flash"].killed > 0
    assert sum(h.killed for h in strike_harms(r)) == direct_killed(r)
    assert by["flash"].hospital_share == pytest.approx(0.03 / 0.08)
    c = water_casualties(r)
    assert c["killed_direct"] == sum(h.killed for h in strike_harms(r)
                                     if h.cause in WATER_CAUSES)
    assert c["affected"] >= float(r.population[z])
    assert c["injured_hospital"] == pytest.approx(
        sum(h.injured * h.hospital_share for h in strike_harms(r) if h.cause in WATER_CAUSES))


# -- the check against the Chinese figures ------------------------------------------------------
def records(killed: list[float], affected: float = 1e6) -> list[dict[str, float]]:
    return [{"killed": k, "killed_direct": k, "injured": 0.67 * k, "injured_hospital": 0.5 * k,
             "affected": affected, "killed_all": k} for k in killed]


def test_published_ranges() -> None:
    nat = [r.per_million for r in NATIONAL_FLOOD_YEARS]
    assert 3.0 < min(nat) < max(nat) < 11.0  # 2020 to early Sept: 271 in 70.47 M; 2021 Jan-Oct
    ev = {r.label: r.per_million for r in FLOOD_EVENTS}
    assert ev["Henan 7·20 2021 特大暴雨 (province)"] == pytest.approx(398 / 14.786, rel=1e-3)
    assert all(r.source for r in (*NATIONAL_FLOOD_YEARS, *FLOOD_EVENTS))


def test_check_verdicts_follow_the_ranges() -> None:
    inside = check_flood_statistics("synthetic", records=records([5.0] * 20))
    assert [c.passed for c in inside] == [True, True, True, True]
    assert inside[0].simulated == pytest.approx(5.0)
    assert "inside" in inside[0].basis
    many = check_flood_statistics("synthetic", records=records([0.0] * 18 + [400.0] * 2))
    pooled, median, p95, hosp = many
    assert pooled.simulated == pytest.approx(40.0) and not pooled.passed
    assert "outside" in pooled.basis
    assert median.simulated == 0.0 and median.passed  # storms that kill nobody are recorded
    assert p95.simulated > max(r.per_million for r in FLOOD_EVENTS) and not p95.passed
    assert hosp.passed  # 0.5 hospitalised per death lies inside 0.29-1.58
    assert check_flood_statistics("synthetic", records=records([0.0] * 5, affected=0.0)) == []
    dry_runs = records([0.0] * 5, affected=0.0) + records([30.0] * 5)
    pooled, median, p95, _ = check_flood_statistics("synthetic", records=dry_runs)
    assert median.simulated == pytest.approx(30.0)  # runs the water misses are not counted
    assert pooled.simulated == pytest.approx(30.0) and p95.passed
    no_death = check_flood_statistics("synthetic", records=records([0.0] * 5))
    assert len(no_death) == 3


def test_check_on_a_scenario(flash: sim.Scenario) -> None:
    checks = check_flood_statistics(flash, runs=4, seed=1)
    assert len(checks) >= 3
    for c in checks:
        assert c.unit in ("per million", "per death")
        assert ("inside" in c.basis) == c.passed
        assert abs(c.simulated - c.closed_form) <= c.tolerance or not c.passed
