"""Stepping a run, interventions, and exact replay from seed + interventions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.interventions import AddStock, AddVehicles, CloseRoads, OpenShelter
from tests.strategies import seeds


def _same(a: sim.RunResult, b: sim.RunResult) -> None:
    assert a.to_dict() == b.to_dict()
    assert a.events == b.events
    assert np.array_equal(a.people, b.people)
    assert np.array_equal(a.stock, b.stock)


def _interventions(t1: float, t2: float) -> list[sim.Intervention]:
    return [
        AddStock(kind="add_stock", at_h=t1, point="county_depot",
                 items={"quilt": 3000, "meal": 20000}),
        OpenShelter(kind="open_shelter", at_h=t1, name="reserve_hall", zone="county_seat",
                    capacity=2000, usable_area_m2=3500),
        AddVehicles(kind="add_vehicles", at_h=t2, fleet="county_trucks", count=3),
        CloseRoads(kind="close_roads", at_h=t2, zone="hill_village", hours=12),
    ]


@given(seeds, st.floats(-30, 20), st.floats(0, 40))
def test_stepped_run_equals_replay(demo: sim.Scenario, seed: int, t1: float, t2: float) -> None:
    t2 = t1 + t2
    its = _interventions(t1, t2)
    # stepped: run to each intervention's time, then schedule it at that very moment
    s = sim.Simulation(demo, seed)
    for it in its:
        s.run_until(it.at_h)
        s.state()
        s.schedule(it)
    stepped = s.finish()
    replay = sim.run(demo, seed, its)
    _same(stepped, replay)
    assert stepped.interventions == its


def test_an_intervention_at_the_end_acts_when_stepped_there(demo: sim.Scenario) -> None:
    """Stepped to the run's last instant, an intervention scheduled there still acts, as it does
    in the replay that knew it from the start (it used to be dropped by finish)."""
    end = demo.time.end_h
    its = [AddStock(kind="add_stock", at_h=end, point="county_depot", items={"meal": 5000})]
    s = sim.Simulation(demo, 4)
    s.run_until(end)
    s.schedule(its[0])
    stepped = s.finish()
    replay = sim.run(demo, 4, its)
    _same(stepped, replay)
    assert ("intervention" in {e[1] for e in stepped.events if e[0] == end})


def test_plain_steps_do_not_change_the_run(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 11)
    for t in np.arange(-36, 72, 3.7):
        s.run_until(float(t))
        assert s.now == pytest.approx(float(t))
    _same(s.finish(), sim.run(demo, 11))


def test_interventions_act(demo: sim.Scenario) -> None:
    base = sim.run(demo, 5)
    more = sim.run(demo, 5, [OpenShelter(kind="open_shelter", at_h=-30, name="reserve_hall",
                                         zone="county_seat", capacity=20000)])
    assert "reserve_hall" in more.shelters
    assert more.metrics["unplaced_peak"] <= base.metrics["unplaced_peak"]
    assert more.metrics["shelter_peak_total"] >= base.metrics["shelter_peak_total"]


def test_schedule_rejects_bad_interventions(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1)
    s.run_until(0)
    with pytest.raises(ValueError, match="in the past"):
        s.schedule(CloseRoads(kind="close_roads", at_h=-1, zone="county_seat", hours=2))
    with pytest.raises(ValueError, match="unknown zone"):
        s.schedule(CloseRoads(kind="close_roads", at_h=1, zone="atlantis", hours=2))
    with pytest.raises(ValueError, match="cannot go back"):
        s.run_until(-5)
    s.finish()
    with pytest.raises(ValueError, match="finished"):
        s.run_until(80)


def test_state_reports_the_ledger(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 2)
    s.run_until(-2)
    st_ = s.state()
    assert sum(st_["people"].values()) == sum(z.population for z in demo.zones)
    assert st_["time_h"] == -2


def test_forks_share_the_past_and_replay_exactly(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 4)
    s.run_until(6.0)
    past = s.state()
    a, b = s.fork([0, 1])
    assert a.state() == past == b.state()  # same past, to the person and the item
    ra, rb = a.finish(), b.finish()
    t = ra.times <= 6.0
    assert np.array_equal(ra.people[t], rb.people[t])
    assert not np.array_equal(ra.people, rb.people)  # different futures
    # a fork is an ordinary run: its seed and interventions replay it exactly
    _same(ra, sim.run(demo, 4, a.interventions))
    again, = s.fork([0])
    _same(again.finish(), ra)
    # the unforked run is untouched by its forks
    _same(s.finish(), sim.run(demo, 4))


def test_each_fleet_serves_its_own_mechanism(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 4)
    fleets = {v.name: v.kind for v in demo.vehicles}
    assert {b.fleet for b in s.model.evac.buses} <= {n for n, k in fleets.items()
                                                     if k in ("bus", "boat")}
    amb, air, buses = (len(s.model.medical.ambulances), len(s.model.air.units),
                       len(s.model.evac.buses))
    s.run_until(2.0)
    for fleet in ("ambulances", "rescue_helicopter"):
        s.schedule(AddVehicles(kind="add_vehicles", at_h=2.0, fleet=fleet, count=2))
    s.finish()
    assert len(s.model.medical.ambulances) == amb + 2
    assert len(s.model.air.units) == air + 2
    assert len(s.model.evac.buses) == buses


def _first_warned(r: sim.RunResult, zone: int) -> float:
    from sim.response.ledger import State

    return min(t for t, z, _a, b, _n in r.transitions if z == zone and b == State.warned)


def test_a_zone_warned_at_its_own_tier_hears_it_earlier(demo: sim.Scenario) -> None:
    """The county seat hears the township link of the chain; the others wait for the village
    link, whose delay comes on top."""
    from sim.scenario.overrides import apply_overrides

    seat = [z.name for z in demo.zones].index("county_seat")
    early = apply_overrides(demo, {"zones[county_seat].warning_tier": "township"})
    for seed in range(3):
        a, b = sim.run(demo, seed), sim.run(early, seed)
        village = b.draws["response.warning.chain[1].delay_h"]
        assert _first_warned(b, seat) == pytest.approx(_first_warned(a, seat) - village)
        other = (seat + 1) % len(demo.zones)
        assert _first_warned(b, other) == pytest.approx(_first_warned(a, other))


def test_a_warning_tier_outside_the_chain_is_refused(demo: sim.Scenario) -> None:
    from sim.scenario.loader import ScenarioError
    from sim.scenario.overrides import apply_overrides

    with pytest.raises(ScenarioError, match=r"warning_tier.*'county' is not in the warning chain"):
        apply_overrides(demo, {"zones[county_seat].warning_tier": "county"})


def test_runs_and_steps_leave_the_cyclic_collector_as_they_found_it(demo: sim.Scenario) -> None:
    """The collector is paused while a run computes (sim.response.gcpause), never left off."""
    import gc

    assert gc.isenabled()
    sim.run(demo, 1)
    assert gc.isenabled()
    s = sim.Simulation(demo, 1)
    s.run_until(0.0)
    assert gc.isenabled()
    gc.disable()
    try:
        plain = sim.run(demo, 1)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
    assert plain.events == s.finish().events  # same run with the collector on or off
