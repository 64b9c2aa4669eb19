"""Invariants of the response operations under any Impact, and more resources never hurting.

The response engine is tested on its own: hypothesis draws a scenario with every operation
(roads that break, rescue teams, ambulances, hospitals, air units, agreement and mutual-aid
supply, reserve shelters, registration desks) and a synthetic Impact (onsets, casualties,
entrapment, home loss, road closures), so that every mechanism is exercised whatever the hazard
models give.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import sim
from sim.hazards.impact import Episode, FacilityOutage, Impact, ZoneImpact
from sim.response.evacuation import concentrate
from sim.response.ledger import State
from tests.strategies import scenario_dicts, seeds


@st.composite
def operations(draw: Any) -> dict[str, Any]:
    """A random valid scenario dict with every response operation."""
    d = draw(scenario_dicts(max_zones=4))
    zones = [z["name"] for z in d["zones"]]
    links = [{"a": zones[i], "b": zones[i + 1], "km": draw(st.floats(2, 40)),
              "kind": draw(st.sampled_from(["road", "bridge"]))} for i in range(len(zones) - 1)]
    if len(zones) > 2 and draw(st.booleans()):
        links.append({"a": zones[0], "b": zones[-1], "km": draw(st.floats(2, 40))})
    if links:
        d["roads"] = {"links": links, "damage": {
            "median": draw(st.floats(5, 80)), "beta": draw(st.floats(0.1, 1.0)),
            "bridge_factor": draw(st.floats(0.5, 1.0)), "clear_h": draw(st.floats(0.5, 10)),
            "clear_sigma": draw(st.floats(0, 1))}}
    d["teams"] = [
        {"name": f"team{i}", "kind": draw(st.sampled_from(["fire_rescue", "professional",
                                                            "village"])),
         "base": draw(st.sampled_from(zones)), "headcount": draw(st.integers(5, 40)),
         "count": draw(st.integers(1, 3)),
         "skills": draw(st.sampled_from([["rescue"], ["road_clearing"],
                                         ["rescue", "shelter_management"]])),
         "shift_h": draw(st.one_of(st.none(), st.floats(4, 16)))}
        for i in range(draw(st.integers(0, 4)))
    ]
    staff = [t["name"] for t in d["teams"] if "shelter_management" in t["skills"]]
    for sh in d["shelters"]:
        sh["desks"] = draw(st.integers(1, 6))
        if staff and draw(st.booleans()):
            sh["staff_team"] = draw(st.sampled_from(staff))
    d["shelters"].append({"name": "reserve", "zone": draw(st.sampled_from(zones)),
                          "capacity": draw(st.integers(1, 3000)), "reserve": True})
    d["hospitals"] = [{"name": f"h{i}", "zone": draw(st.sampled_from(zones)),
                       "beds": draw(st.integers(0, 40))} for i in range(draw(st.integers(0, 2)))]
    d["vehicles"] += [
        {"name": "amb", "kind": "ambulance", "base": draw(st.sampled_from(zones)),
         "count": draw(st.integers(0, 3)), "capacity_persons": draw(st.integers(1, 2))},
        {"name": "heli", "kind": "helicopter", "base": draw(st.sampled_from(zones)),
         "count": draw(st.integers(0, 2)), "capacity_persons": draw(st.integers(1, 4)),
         "speed_kmh": 200},
    ]
    if d["stock_points"]:
        d["supplies"] = [{"name": "contract", "kind": draw(st.sampled_from(["agreement",
                                                                            "mutual_aid"])),
                          "deliver_to": d["stock_points"][0]["name"],
                          "trigger": draw(st.sampled_from(["warning", "onset", "shortage"])),
                          "lead_time_h": draw(st.floats(0, 20)),
                          "items": {"meal": draw(st.integers(0, 50_000)),
                                    "quilt": draw(st.integers(0, 5_000))},
                          "daily_capacity": draw(st.one_of(st.none(), st.just({"meal": 8000.0})))}]
    r = d["response"]
    r["warning"]["chain"] = [{"tier": "township", "delay_h": draw(st.floats(0, 3))},
                             {"tier": "village", "delay_h": draw(st.floats(0, 3))}]
    for z in d["zones"]:
        tier = draw(st.sampled_from([None, "township", "village"]))
        if tier is not None:
            z["warning_tier"] = tier
    r["shelter"]["registration_min"] = draw(st.floats(0, 5))
    r["shelter"]["damage_factor"] = draw(st.floats(0, 1))
    r["shelter"]["overflow"] = draw(st.sampled_from(["wait", "relatives"]))
    r["logistics"]["dispatch"] = draw(st.sampled_from(["nearest", "tiered"]))
    r["logistics"]["dispersed_relief"] = draw(st.sampled_from(["hosts", "delivered", "none"]))
    # the last mile: village teams (drawn above) or one per committee, or none (on delivery)
    r["logistics"]["handout_households_per_team_h"] = draw(st.floats(0.5, 60))
    r["logistics"]["village_households"] = draw(st.one_of(st.none(), st.floats(50, 5000)))
    r["rescue"] = {"dispatch": draw(st.sampled_from(["nearest", "largest", "survival"])),
                   "turnout_min": draw(st.floats(0, 5)), "extraction_h": draw(st.floats(0.1, 3)),
                   "rest_h": draw(st.floats(0, 10)),
                   "survival": {"hours": [0, 24, 72], "alive": [1.0, 0.8, 0.3]}}
    r["medical"] = {"first_aid_h": draw(st.floats(0, 3)), "stay_h": {"2": 48, "3": 120},
                    "untreated_sev3_mean_h": draw(st.floats(0.5, 30))}
    r["air"] = {"dispatch_min": draw(st.floats(0, 60)), "range_km": draw(st.floats(10, 300)),
                "grounded_in_gales": draw(st.booleans())}
    d["targets"] += [
        {"id": "evac", "kind": "evacuated_before_onset", "share": 0.9},
        {"id": "towns", "kind": "stock_covers_townships", "townships": 2, "days": 1},
        {"id": "fire", "kind": "first_on_scene_within", "minutes": 30,
         "team_kinds": ["fire_rescue"]},
        {"id": "reached", "kind": "trapped_reached_within", "hours": 24, "share": 0.9},
        {"id": "air", "kind": "air_response_within", "minutes": 60, "radius_km": 50},
        {"id": "deaths", "kind": "deaths_per_million", "max": 10},
    ]
    return d


def handout_teams(sc: sim.Scenario) -> list[int]:
    """Hand-out teams per zone as the last mile counts them (village teams, else committees)."""
    rule = sc.response.logistics
    teams = []
    for z in sc.zones:
        n = sum(t.count for t in sc.teams if t.kind == "village" and t.base == z.name)
        if n == 0 and rule.village_households is not None and z.households > 0:
            n = math.ceil(z.households / rule.village_households - 1e-9)
        teams.append(n)
    return teams


def shelter_capacities(sc: sim.Scenario) -> np.ndarray:
    """Each shelter's capacity worked out from the scenario, not taken from the run.

    ``area_standard`` admits floor(usable area / area per person) where the area is given;
    ``stated_capacity`` admits the stated capacity, or the area's number when none is stated.
    """
    rule = sc.response.shelter
    caps = []
    for s in sc.shelters:
        by_area = (None if s.usable_area_m2 is None
                   else math.floor(round(s.usable_area_m2 / rule.area_per_person_m2, 9)))
        if rule.admission == "area_standard" and by_area is not None:
            caps.append(by_area)
        elif s.capacity is not None:
            caps.append(s.capacity)
        else:
            assert by_area is not None  # the schema asks for one of the two
            caps.append(by_area)
    return np.array(caps, dtype=int)


def check_shelters_within_capacity(sc: sim.Scenario, r: Any) -> None:
    """Occupancy and peaks never exceed the capacities the scenario gives (no shelter opened
    during the run by an intervention), and the run reports those same capacities."""
    cap = shelter_capacities(sc)
    assert r.shelter_occupancy.shape[1] == len(cap)
    assert (r.shelter_occupancy <= cap[None, :]).all(), (cap, r.shelter_occupancy.max(axis=0))
    assert (np.array(r.shelter_peak) <= cap).all(), (cap, r.shelter_peak)
    assert list(r.shelter_capacity) == cap.tolist()


def check_last_mile(sc: sim.Scenario, r: Any) -> None:
    """Relief at distribution points follows the items' arrival and the hand-out rate."""
    m = r.metrics
    zones = [z.name for z in sc.zones]
    at_points = [(t, subj.split("/")[0], n) for t, kind, subj, n in r.events
                 if kind == "relieved" and subj.endswith("/distribution")]
    dispersed_ever = sum(n for (_, _, _a, b, n) in r.transitions if b == State.dispersed)
    assert 0 <= m["dispersed_handed_out"] <= m["dispersed_relieved"] <= dispersed_ever
    assert m["dispersed_relieved"] == sum(n for *_, n in at_points)
    if sc.response.logistics.dispersed_relief != "delivered":
        assert not at_points and m["dispersed_relieved"] == 0
        return
    first: dict[str, float] = {}
    for _truck, _p, idx, _d, delivered, _kg in r.deliveries:
        if idx <= -2:
            z = zones[-2 - idx]
            first[z] = min(first.get(z, math.inf), delivered)
    teams = handout_teams(sc)
    rate = float(sc.response.logistics.handout_households_per_team_h)  # type: ignore[arg-type]
    done: dict[str, int] = {}
    for t, z, n in sorted(at_points):
        assert t >= first[z] - 1e-9  # items reached the point first
        j = zones.index(z)
        if teams[j]:
            zone = sc.zones[j]
            hh = zone.population / zone.households
            done[z] = done.get(z, 0) + n
            assert t > first[z]  # the hand-out takes time
            assert done[z] <= teams[j] * rate * hh * (t - first[z]) + 1e-6, (z, t, done[z])
    if m["dispersed_handed_out"]:
        assert m["handout_mean_h"] > 0
    assert m["dispersed_handed_out"] == sum(
        n for _t, z, n in at_points if teams[zones.index(z)])


@st.composite
def impacts(draw: Any, n: int) -> Impact:
    """A synthetic Impact for ``n`` zones."""
    zs = []
    for _ in range(n):
        onset = draw(st.floats(-3, 3))
        closed = draw(st.one_of(st.none(), st.tuples(st.floats(0, 6), st.floats(0, 12))))
        zs.append(ZoneImpact(
            onset_h=onset, intensity=draw(st.floats(0, 80)),
            home_loss=draw(st.floats(0, 0.3)), killed=draw(st.floats(0, 1e-3)),
            injured=(draw(st.floats(0, 5e-3)), draw(st.floats(0, 3e-3)),
                     draw(st.floats(0, 2e-3))),
            trapped=draw(st.floats(0, 5e-3)),
            roads_closed=None if closed is None else (onset - closed[0], onset + closed[1]),
        ))
    return Impact("synthetic", "units", tuple(zs))


@st.composite
def cases(draw: Any) -> tuple[sim.Scenario, Impact, int]:
    sc = sim.Scenario.model_validate(draw(operations()))
    impact = draw(impacts(len(sc.zones)))
    # later strikes (aftershocks) and facilities the hazard puts out of service
    episodes = tuple(
        Episode(time_h=draw(st.floats(0, 30)), zone=draw(st.integers(0, len(sc.zones) - 1)),
                cause="aftershock", intensity=draw(st.floats(0, 80)),
                home_loss=draw(st.floats(0, 0.2)), killed=draw(st.floats(0, 1e-3)),
                injured=(draw(st.floats(0, 3e-3)), 0.0, draw(st.floats(0, 1e-3))),
                trapped=draw(st.floats(0, 3e-3)))
        for _ in range(draw(st.integers(0, 3))))
    facilities = ([("shelter", s.name, s.zone) for s in sc.shelters]
                  + [("hospital", h.name, h.zone) for h in sc.hospitals]
                  + [("stock_point", p.name, p.zone) for p in sc.stock_points])
    zone_of = {z.name: i for i, z in enumerate(sc.zones)}
    outages = []
    for kind, name, zone in draw(st.lists(st.sampled_from(facilities), max_size=3,
                                          unique=True)) if facilities else []:
        start = draw(st.floats(-2, 20))
        outages.append(FacilityOutage(name, kind, zone_of[zone], start,
                                      draw(st.sampled_from([math.inf, start + 10.0])),
                                      "test", 1.0))
    impact = replace(impact, episodes=episodes, facilities_out=tuple(outages))
    return sc, impact, draw(seeds)


@given(cases())
def test_operations_keep_every_invariant(case: tuple[sim.Scenario, Impact, int]) -> None:
    sc, impact, seed = case
    r = sim.run(sc, seed, impact=impact)
    # people: whole, non-negative, conserved per zone at every snapshot
    assert (r.people >= 0).all()
    assert (r.people.sum(axis=2) == r.population[None, :]).all()
    # stock never negative; shelters and beds within capacity
    assert (r.stock >= -1e-6).all()
    check_shelters_within_capacity(sc, r)
    assert (r.bed_occupancy <= np.array(r.hospital_beds)[None, :]).all()
    assert (r.people[:, :, State.sheltered].sum(axis=1) == r.shelter_occupancy.sum(axis=1)).all()
    # a team is in one place at a time: its activity intervals never overlap
    for name, acts in r.team_activity.items():
        acts = sorted(acts)
        for (_s0, e0, *_), (s1, _e1, *_) in zip(acts, acts[1:], strict=False):
            assert s1 >= e0 - 1e-9, (name, acts)
        assert all(e >= s for s, e, *_ in acts)
    # no delivery before its dispatch, none before the run began; a truck carries one load
    # at a time (its trips from loading to delivery never overlap)
    trips: dict[int, list[tuple[float, float]]] = {}
    for truck, _p, _s, dispatched, delivered, kg in r.deliveries:
        assert r.times[0] <= dispatched <= delivered and kg > 0
        trips.setdefault(truck, []).append((dispatched, delivered))
    for truck, legs in trips.items():
        legs.sort()
        assert all(b[0] >= a[1] - 1e-9 for a, b in zip(legs, legs[1:], strict=False)), truck
    # the last mile: dispersed families are relieved at their point no earlier than items
    # reached it, and by time t a zone's village teams have handed out at most
    # teams x rate x (t - first delivery) households; none without delivered relief
    m = r.metrics
    check_last_mile(sc, r)
    # rescue outcomes add up: everyone extracted was trapped, alive or dead
    assert m["rescued_alive"] + m["rescued_dead"] + m["still_trapped"] == m["trapped_total"]
    done = m["rescued_alive"] + m["rescued_dead"]
    teams = sum(t.count for t in sc.teams if "rescue" in t.skills)
    assert done <= len(r.reached) <= done + teams  # reached but still being freed at the end
    assert all(h >= 0 for _, h in r.reached)
    # targets are finite numbers or do not apply
    for t in r.targets:
        assert t.value is None or math.isfinite(t.value)
    # a shelter out of service holds nobody while it is out
    for fo in impact.facilities_out:
        if fo.kind == "shelter":
            j = r.shelters.index(fo.name)
            during = (r.times > fo.from_h + 1e-9) & (r.times < fo.until_h)
            assert (r.shelter_occupancy[during, j] == 0).all(), fo


@given(cases())
def test_operations_are_deterministic(case: tuple[sim.Scenario, Impact, int]) -> None:
    sc, impact, seed = case
    a = sim.run(sc, seed, impact=impact)
    b = sim.run(sc, seed, impact=impact)
    assert a.to_dict() == b.to_dict() and a.events == b.events


def _paired(sc: sim.Scenario, more: sim.Scenario, n: int, key: Any) -> tuple[float, float]:
    diff = np.array([key(sim.run(more, s)) - key(sim.run(sc, s)) for s in range(n)])
    half = stats.t.ppf(0.995, n - 1) * diff.std(ddof=1) / math.sqrt(n) if diff.std() > 0 else 0
    return float(diff.mean()), float(half)


def test_more_trucks_and_stock_never_worsen_relief(demo: sim.Scenario) -> None:
    """With common random numbers (same seeds), doubling the trucks and the county stock never
    lowers the share relieved within 10 h beyond the noise of a paired 99 % interval."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["vehicles"][0]["count"] = 12
    data["stock_points"][0]["items"] = {"meal": 108000, "water_l": 108000, "quilt": 12000}
    more = sim.Scenario.model_validate(data)

    def within_10h(r: sim.RunResult) -> float:
        return next(t.value for t in r.targets if t.id == "relief_within_10h") or 0.0

    mean, half = _paired(demo, more, 30, within_10h)
    assert mean + half >= 0.0, (mean, half)
    assert mean > 0.0  # and here they help


def test_more_rescue_teams_reach_the_trapped_sooner(demo: sim.Scenario) -> None:
    """Doubling the fire-rescue squads never slows down reaching the trapped (paired, 99 %)."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    more_data = demo.model_dump(by_alias=True, exclude_none=True)
    fire = next(i for i, t in enumerate(more_data["teams"]) if t["name"] == "county_fire_station")
    more_data["teams"][fire]["count"] = 4
    base, more = sim.Scenario.model_validate(data), sim.Scenario.model_validate(more_data)
    imp = Impact("synthetic", "u", tuple(
        ZoneImpact(onset_h=0.0, intensity=10.0, home_loss=0.0, trapped=4e-4)
        for _ in demo.zones))

    def mean_reach(r: sim.RunResult) -> float:
        return float(np.mean([h for _, h in r.reached])) if r.reached else 0.0

    diff = np.array([mean_reach(sim.run(base, s, impact=imp)) -
                     mean_reach(sim.run(more, s, impact=imp)) for s in range(20)])
    half = stats.t.ppf(0.995, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    assert diff.mean() + half >= 0.0
    assert diff.mean() > 0.0


@given(st.lists(st.floats(0, 0.2), min_size=6, max_size=6), st.floats(0, 1), st.floats(0.01, 0.99))
def test_concentrated_harm_keeps_the_zone_total(p: list[float], c: float, share: float) -> None:
    risk, rest = concentrate(tuple(p), c, share)
    assert all(0.0 <= x <= 1.0 for x in (*risk, *rest))
    raw_risk = [q * c / share for q in p]
    raw_rest = [q * (1 - c) / (1 - share) for q in p]
    if max(raw_risk) <= 1 and max(raw_rest) <= 1 and sum(raw_risk[:-1]) <= 1 \
            and sum(raw_rest[:-1]) <= 1:
        # no probability had to be capped: the zone's expected harm is split, not changed
        for q, a, b in zip(p, risk, rest, strict=True):
            assert share * a + (1 - share) * b == pytest.approx(q, abs=1e-12)
    if c == share:  # no concentration: everybody alike
        assert risk == pytest.approx(rest)


def test_evacuating_the_people_at_risk_saves_lives(demo: sim.Scenario) -> None:
    """When the harm concentrates on the people the order targets, getting them out saves
    lives: with the same disasters (seeds), deaths fall far below the even-harm case."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["evacuation"].pop("risk_concentration", None)
    even = sim.Scenario.model_validate(data)
    data["response"]["evacuation"]["risk_concentration"] = 0.9
    aimed = sim.Scenario.model_validate(data)
    imp = Impact("synthetic", "u", tuple(
        ZoneImpact(onset_h=0.0, intensity=10.0, home_loss=0.01, killed=2e-3)
        for _ in demo.zones))
    deaths_even = [sim.run(even, s, impact=imp).metrics["killed"] for s in range(10)]
    deaths_aimed = [sim.run(aimed, s, impact=imp).metrics["killed"] for s in range(10)]
    assert np.mean(deaths_aimed) < 0.6 * np.mean(deaths_even)


def test_casualties_summing_to_one_with_rounding_do_not_break_the_draw(demo: sim.Scenario) -> None:
    """Regression: killed + trapped summing to 1 plus one rounding ulp made a negative
    home-loss probability, which numpy's multinomial refuses."""
    imp = Impact("synthetic", "u", tuple(
        ZoneImpact(onset_h=0.0, intensity=10.0, home_loss=0.9731854316480659,
                   killed=0.026814568351934194, trapped=0.9731854316480659)
        for _ in demo.zones))
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["evacuation"].pop("risk_concentration", None)  # the values as given
    r = sim.run(sim.Scenario.model_validate(data), 1, impact=imp)
    assert r.metrics["killed"] + r.metrics["trapped_total"] > 0
    assert (r.people.sum(axis=2) == r.population[None, :]).all()


def test_homeless_walk_to_a_shelter_of_their_zone_while_its_roads_are_closed(
        demo: sim.Scenario) -> None:
    """Roads closed for 30 h after the strike: the county seat's homeless do not wait for them
    to reopen when their own zone has shelters with room; other zones' homeless still do."""
    seat = [z.name for z in demo.zones].index("county_seat")
    imp = Impact("synthetic", "u", tuple(
        ZoneImpact(onset_h=0.0, intensity=10.0, home_loss=0.02, roads_closed=(0.0, 30.0))
        for _ in demo.zones))
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["evacuation"]["compliance"] = 0.0  # nobody leaves before the strike
    sc = sim.Scenario.model_validate(data)
    r = sim.run(sc, 3, impact=imp)
    during = (r.times > 6.0) & (r.times < 29.0)
    local = {s.zone for s in sc.shelters}
    for z, zone in enumerate(sc.zones):
        sheltered = r.people[during, z, State.sheltered]
        if zone.name in local:
            assert sheltered.max() > 0, zone.name
        else:
            assert sheltered.max() == 0, zone.name
    assert r.people[during, seat, State.sheltered].max() > 0


def test_people_freed_alive_need_relief(demo: sim.Scenario) -> None:
    """Nobody leaves and no home is lost, but people are trapped: everyone freed alive (and
    released from the site before the end) is a person needing basic relief."""
    imp = Impact("synthetic", "u", tuple(
        ZoneImpact(onset_h=0.0, intensity=10.0, home_loss=0.0, trapped=4e-4)
        for _ in demo.zones))
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["evacuation"]["compliance"] = 0.0
    sc = sim.Scenario.model_validate(data)
    for seed in range(3):
        r = sim.run(sc, seed, impact=imp)
        freed = r.metrics["rescued_alive"] - r.final_people()["rescued"]
        assert freed > 0
        assert r.metrics["needing_relief"] == freed == r.metrics["displaced_by_hazard"]


def test_dispersed_families_are_relieved_by_deliveries_to_their_zone(demo: sim.Scenario) -> None:
    """dispersed_relief: delivered. A family staying with relatives is relieved only after a
    truck has reached its zone's distribution point, and never before it became dispersed;
    the relief share within 10 h cannot beat relatives who provide at once."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["response"]["logistics"]["dispersed_relief"] = "delivered"
    sc = sim.Scenario.model_validate(data)
    zones = [z.name for z in sc.zones]
    gains = []
    for seed in range(6):
        r = sim.run(sc, seed)
        first: dict[str, float] = {}
        for _truck, _p, idx, _d, delivered, _kg in r.deliveries:
            if idx <= -2:
                z = zones[-2 - idx]
                first[z] = min(first.get(z, math.inf), delivered)
        relieved_at_points = [(t, subj, n) for t, kind, subj, n in r.events
                              if kind == "relieved" and subj.endswith("/distribution")]
        assert relieved_at_points, "some dispersed families were relieved at their points"
        for t, subj, _n in relieved_at_points:
            assert t >= first[subj.split("/")[0]] - 1e-9
        dispersed_ever = sum(n for (_, _, a, b, n) in r.transitions if b == State.dispersed)
        assert sum(n for *_, n in relieved_at_points) <= dispersed_ever
        hosts = sim.run(demo, seed)
        gains.append(hosts.targets[0].value - r.targets[0].value)
    assert np.mean(gains) >= -0.01  # relatives who provide at once are never slower on average


def test_overflow_to_relatives_leaves_nobody_waiting_for_a_place(demo: sim.Scenario) -> None:
    """Shelters far too small: with overflow 'wait' people queue unplaced; with 'relatives'
    nobody is ever unplaced and the overflow is dispersed instead."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    for sh in data["shelters"]:
        sh["capacity"] = 20
        sh.pop("usable_area_m2", None)
    wait = sim.Scenario.model_validate(data)
    data["response"]["shelter"]["overflow"] = "relatives"
    rel = sim.Scenario.model_validate(data)
    for seed in range(3):
        a, b = sim.run(wait, seed), sim.run(rel, seed)
        def unplaced(r: sim.RunResult) -> int:
            return sum(n for _, kind, _, n in r.events if kind == "unplaced")

        assert unplaced(a) > 0 and unplaced(b) == 0
        moved = sum(n for _, kind, _, n in b.events if kind == "overflow_to_relatives")
        assert moved > 0
        assert b.people[:, :, State.dispersed].sum(axis=1).max() > \
            a.people[:, :, State.dispersed].sum(axis=1).max()
