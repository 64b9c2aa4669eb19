"""Each harm at its own time: no harm precedes its mechanism's arrival in the zone.

The checks read the run's ledger (every move of people) and event log, and compare them with the
hazard's own record of when each mechanism reaches each zone (``ZoneImpact.measures`` and the
strikes the hazard model built), never with the engine's own summary.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import sim
from sim.response.ledger import State
from sim.results import RunResult
from tests.conftest import ROOT
from tests.strategies import record_hard_cases, scenarios_any_hazard

DEMOS = {name: ROOT / "scenarios" / f"{name}.yaml"
         for name in ("demo_coastal_typhoon", "demo_flash_flood", "demo_earthquake")}
EPS = 1e-9
PRESENT = (State.at_home, State.warned, State.exposed)
HARMED = (State.killed, State.injured, State.trapped, State.displaced)

ARRIVAL = {
    "wind": "gale_onset_h",
    "surge": "surge_h",
    "flash": "flash_onset_h",
    "waterlogging": "waterlogging_onset_h",
    "river": "river_onset_h",
    "landslide": "landslide_onset_h",
}
"""The measure in which the hazard model records each mechanism's arrival in a zone."""


@pytest.fixture(scope="module")
def demos() -> dict[str, sim.Scenario]:
    return {name: sim.load_scenario(path) for name, path in DEMOS.items()}


def arrival(r: RunResult, zone: int, cause: str) -> float:
    """When mechanism ``cause`` reaches ``zone``, from the hazard's own record."""
    if cause == "shaking":
        return 0.0  # the mainshock: the scenario's time origin
    if cause.startswith("aftershock"):
        return min(e.time_h for e in r.impact.episodes if e.zone == zone and e.cause == cause)
    if cause == "hazard":  # a zone whose impact gives only totals: they strike at onset
        return r.impact.zones[zone].onset_h
    return r.impact.zones[zone].measures[ARRIVAL[cause]]


def harm_moves(r: RunResult) -> dict[tuple[int, float], int]:
    """People hurt, trapped, killed or made homeless where they were, by (zone, time)."""
    out: dict[tuple[int, float], int] = defaultdict(int)
    for t, z, src, dst, n in r.transitions:
        if State(src) in PRESENT and State(dst) in HARMED and n > 0:
            out[(int(z), float(t))] += int(n)
    return out


def present_before(r: RunResult, zone: int, t: float) -> int:
    """People of ``zone`` at home, warned or exposed at time ``t`` before any harm then.

    A ledger replay: every move before ``t``, and the moves at ``t`` that are not harm (people
    back from a bus queue that never came).
    """
    n = int(r.population[zone])  # everyone starts at home
    for u, z, src, dst, k in r.transitions:
        if u > t + EPS:
            break
        harm = State(src) in PRESENT and State(dst) in HARMED
        if int(z) == zone and (u < t - EPS or not harm):
            n += (State(dst) in PRESENT) * int(k) - (State(src) in PRESENT) * int(k)
    return n


def strike_events(r: RunResult, names: list[str]) -> list[tuple[float, int, str, int]]:
    """The run's ``strike_<cause>`` events as (time, zone, cause, people hurt)."""
    index = {n: i for i, n in enumerate(names)}
    return [(t, index[subject], kind.removeprefix("strike_"), n)
            for t, kind, subject, n in r.events if kind.startswith("strike_")]


def check_run(r: RunResult, names: list[str]) -> int:
    """Assert every timing property of one run; return the number of people harmed."""
    strikes = strike_events(r, names)
    for t, z, cause, _n in strikes:
        assert t >= arrival(r, z, cause) - EPS, (names[z], cause, t, arrival(r, z, cause))
        assert t >= r.impact.zones[z].onset_h - EPS
        if cause == "wind":  # wind harm at the zone's wind peak
            assert t == pytest.approx(r.impact.zones[z].measures["wind_peak_h"])
    # every harm in the ledger happens when a mechanism (or an aftershock) struck that zone,
    # and the strikes account for every person harmed
    struck = {(z, t) for t, z, _cause, _n in strikes}
    moves = harm_moves(r)
    for (z, t), n in moves.items():
        assert (z, t) in struck, (names[z], t, n)
        assert n <= present_before(r, z, t), (names[z], t, n)
    homeless = sum(n for _t, k, _s, n in r.events if k == "made_homeless")
    assert sum(moves.values()) == sum(n for *_, n in strikes) + homeless
    # a road a mechanism closes closes no later than the harm it comes with
    for zi in r.impact.zones:
        for s in zi.timeline():
            assert s.arrival_h is None or s.arrival_h <= s.time_h + EPS, (s.cause, s.arrival_h)
            if s.roads_from_h is not None:
                assert s.roads_from_h <= s.time_h + EPS, (s.cause, s.roads_from_h, s.time_h)
    for t, kind, subject, _n in r.events:
        if kind == "roads_closed":
            z = names.index(subject)
            assert t <= min((s.time_h for s in r.impact.zones[z].timeline()
                             if s.roads_from_h is not None), default=math.inf) + EPS
    # links the hazard blocks are blocked when the zone is reached or a mechanism strikes it
    times = defaultdict(set)
    for z, zi in enumerate(r.impact.zones):
        times[z].add(zi.onset_h)
        times[z].update(s.time_h for s in zi.timeline() if s.road_block > 0)
    for e in r.impact.episodes:
        times[e.zone].add(e.time_h)
    for t, kind, subject, _n in r.events:
        if kind == "link_blocked":
            a, b = (names.index(x) for x in subject.split("-"))
            assert any(abs(t - u) < EPS for u in times[a] | times[b]), (subject, t)
    # people moved out of hazard points leave before the mechanism they are moved from
    for t, kind, subject, _n in r.events:
        if kind.startswith("moved_before_"):
            z, cause = names.index(subject), kind.removeprefix("moved_before_")
            assert all(t < s.time_h for s in r.impact.zones[z].timeline() if s.cause == cause)
    return sum(moves.values())


@given(which=st.sampled_from(sorted(DEMOS)), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_no_harm_precedes_its_mechanism(demos: dict[str, sim.Scenario], which: str,
                                        seed: int) -> None:
    sc = demos[which]
    r = sim.run(sc, seed=seed)
    names = [z.name for z in sc.zones]
    harmed = check_run(r, names)
    note(f"{which} seed {seed}: {harmed} harmed")


@given(sc=scenarios_any_hazard(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25)
def test_no_harm_precedes_its_mechanism_on_random_scenarios(sc: sim.Scenario, seed: int) -> None:
    """The same timing properties on drawn scenarios of all three hazards with real harm."""
    r = sim.run(sc, seed=seed)
    record_hard_cases(r)
    check_run(r, [z.name for z in sc.zones])


def test_surge_strikes_when_the_surge_arrives(demos: dict[str, sim.Scenario]) -> None:
    """A coastal zone's surge harm comes hours after its gales, at the surge's arrival.

    On the typhoon demo the gales reach the coast hours before the surge; harm applied at the
    zone's onset (the earliest mechanism) would put surge deaths before the surge.
    """
    sc = demos["demo_coastal_typhoon"]
    names = [z.name for z in sc.zones]
    seen = 0
    for seed in range(40):
        r = sim.run(sc, seed=seed)
        for t, z, cause, _n in strike_events(r, names):
            if cause == "surge":
                zi = r.impact.zones[z]
                assert t == pytest.approx(zi.measures["surge_h"])
                if zi.measures["surge_h"] > zi.onset_h + 1.0:
                    seen += 1
        check_run(r, names)
    assert seen > 0, "no run had a surge arriving after the gales: the test proves nothing"


def test_people_who_leave_before_the_surge_are_spared(demos: dict[str, sim.Scenario]) -> None:
    """Everybody gone before the surge arrives: the surge hurts nobody.

    The same run with its surge zones emptied just before the surge (everyone moved out)
    gives no surge casualties, while the run as it is has some: the surge's harm falls on the
    people present when it comes, not on those present at the gales' onset.
    """
    from dataclasses import replace

    sc = demos["demo_coastal_typhoon"]
    names = [z.name for z in sc.zones]
    for seed in range(60):
        r = sim.run(sc, seed=seed)
        surge = [(t, z, n) for t, z, c, n in strike_events(r, names) if c == "surge"]
        if not any(n for _, _, n in surge):
            continue
        imp = r.impact
        zones = list(imp.zones)
        for _t, z, _n in surge:  # move everyone out of the zone an hour before its surge
            zi = zones[z]
            strikes = tuple(replace(s, moved=1.0, moved_at_h=s.time_h - 1.0)
                            if s.cause == "surge" else s for s in zi.strikes)
            zones[z] = replace(zi, strikes=strikes)
        again = sim.run(sc, seed=seed, impact=replace(imp, zones=tuple(zones)))
        hit = [(t, z, n) for t, z, c, n in strike_events(again, names) if c == "surge"]
        moved = sum(n for t, k, s, n in again.events if k == "moved_before_surge")
        assert moved > 0
        # only people back from a bus queue that never came can still be there
        for t, z, n in hit:
            assert n <= present_before(again, z, t) <= again.metrics["departures_failed"]
        assert sum(n for *_, n in hit) < sum(n for *_, n in surge)
        return
    pytest.fail("no surge casualties in 60 runs of the typhoon demo")


def test_demo_paths_exist() -> None:
    for path in DEMOS.values():
        assert Path(path).exists()


def test_people_stranded_by_water_are_scored_by_their_own_survival_curve(
        demos: dict[str, sim.Scenario]) -> None:
    """Trapped by water: the scenario's stranded curve; buried by a slide: the rubble curve.

    The same strike, trapping the same people at the same time, kills nobody waiting for a
    boat (the flash-flood demo scores water-trapped people as stranded above the water) and
    kills some of those waiting under a landslide (Tangshan's curve), on the same seed.
    """
    from dataclasses import replace

    from sim.hazards.impact import Strike

    sc = demos["demo_flash_flood"]
    assert sc.response.rescue is not None
    stranded = sc.response.rescue.survival_by_cause["flash"]
    assert min(stranded.alive) == 1.0 and min(sc.response.rescue.survival.alive) < 0.1
    base = sim.run(sc, seed=3).impact
    dead: dict[str, int] = {}
    for cause in ("flash", "landslide"):
        zones = tuple(replace(zi, strikes=(Strike(time_h=zi.onset_h, cause=cause,
                                                  trapped=0.02),))
                      for zi in base.zones)
        r = sim.run(sc, seed=3, impact=replace(base, zones=zones, episodes=()))
        assert r.metrics["trapped_total"] > 100
        dead[cause] = r.metrics["rescued_dead"]
    assert dead["flash"] == 0
    assert dead["landslide"] > 0
