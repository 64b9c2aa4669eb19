"""Injects and decisions (issue 14 item 2): every kind validated, described, logged, replayable,
and with its effect in the model (not only in the log)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.interventions import (
    DECISION_KINDS,
    EVENT_KINDS,
    Intervention,
    check_interventions,
    describe,
    load_interventions,
    parse_intervention,
    response_level,
)
from sim.interventions.describe import _TEXT
from sim.response.ledger import State
from sim.scenario.loader import ScenarioError, load_scenario


@pytest.fixture(scope="module")
def quake() -> sim.Scenario:
    return load_scenario("scenarios/demo_earthquake.yaml")


def it_(**data: Any) -> Intervention:
    return parse_intervention(data)


def _events(r: sim.RunResult, kind: str) -> list[tuple[float, str, str, int]]:
    return [e for e in r.events if e[1] == kind]


def _conserved(r: sim.RunResult) -> None:
    """Everybody in exactly one state at every record, no count negative."""
    assert (r.people >= 0).all()
    assert (r.people.sum(axis=2) == r.population).all()
    assert (r.stock >= -1e-6).all()


# -- every kind ------------------------------------------------------------------------------
def test_every_kind_is_described_and_classified() -> None:
    members = get_args(get_args(Intervention)[0])
    assert set(_TEXT) == set(members)  # every kind has its text
    kinds = {get_args(m.model_fields["kind"].annotation)[0] for m in members}
    assert kinds == DECISION_KINDS | EVENT_KINDS | {"branch"}
    assert not DECISION_KINDS & EVENT_KINDS


def test_describe_uses_chinese_names(quake: sim.Scenario) -> None:
    it = it_(kind="close_roads", at_h=6, zone="zezhou", hours=12)
    assert describe(it) == ("Roads of zezhou closed for 12 h", "zezhou道路中断12小时")
    assert describe(it, quake) == ("Roads of zezhou closed for 12 h", "泽州县道路中断12小时")
    cut = it_(kind="cut_link", at_h=6, a="chengqu", b="zezhou", hours=12)
    assert describe(cut, quake) == ("Road link chengqu-zezhou cut for 12 h",
                                    "城区-泽州县道路中断12小时")
    aid = it_(kind="request_mutual_aid", at_h=6, lead_h=4, point="city_depot",
              items={"meal": 20000})
    assert describe(aid, quake)[1] == ("请求外部支援，4小时后到达：方便食品20,000运抵"
                                       "市级救灾物资储备库")
    level = it_(kind="raise_response_level", at_h=0, level="二级")
    assert describe(level) == ("Response raised to level II", "应急响应提升至二级")


def _all_kinds(t: float) -> list[Intervention]:
    """One of each kind (but branch) on the coastal demo, from hour ``t`` on."""
    return [it_(**d) for d in [
        {"kind": "raise_response_level", "at_h": t, "level": 3},
        {"kind": "order_evacuation", "at_h": t, "zones": "salt_flats harbour_town", "share": 0.6},
        {"kind": "extend_evacuation", "at_h": t + 1, "zones": ["river_town"], "by": 0.2},
        {"kind": "set_dispatch_rule", "at_h": t + 1, "rule": "tiered"},
        {"kind": "set_delivery_priority", "at_h": t + 2, "zones": ["salt_flats"],
         "shelters": ["county_gymnasium"]},
        {"kind": "dispatch_team", "at_h": t + 2, "fleet": "county_fire_station",
         "zone": "salt_flats"},
        {"kind": "request_mutual_aid", "at_h": t + 3, "lead_h": 6, "fleet": "county_trucks",
         "count": 2, "point": "county_depot", "items": {"meal": 5000}},
        {"kind": "release_agreement", "at_h": t + 3, "supply": "city_mutual_aid"},
        {"kind": "supplier_delayed", "at_h": t + 4, "supplier": "supermarket_contract",
         "hours": 5},
        {"kind": "team_unavailable", "at_h": t + 4, "fleet": "county_road_crew", "count": 1,
         "hours": 10},
        {"kind": "cut_link", "at_h": t + 5, "a": "county_seat", "b": "river_town",
         "hours": 20},
        {"kind": "close_shelter", "at_h": t + 30, "shelter": "harbour_middle_school",
         "hours": 12},
        {"kind": "hospital_out", "at_h": t + 30, "hospital": "county_hospital", "hours": 6},
        {"kind": "stock_point_lost", "at_h": t + 31, "point": "harbour_store",
         "share_lost": 0.5, "hours": 8},
        {"kind": "extra_rain", "at_h": t + 36, "zone": "river_town", "sized_by": "count",
         "injured_2": 20, "trapped": 5, "homes_lost": 300, "road_block": 0.5},
        {"kind": "aftershock", "at_h": t + 37, "zone": "hill_village", "injured_1": 0.01,
         "killed": 0.001},
        {"kind": "reopen_link", "at_h": t + 40, "a": "county_seat", "b": "river_town"},
        {"kind": "open_shelter", "at_h": t + 40, "name": "reserve_hall", "zone": "county_seat",
         "capacity": 800},
        {"kind": "close_shelter", "at_h": t + 41, "shelter": "reserve_hall"},
    ]]


def test_all_kinds_valid_and_applied(demo: sim.Scenario) -> None:
    its = _all_kinds(-30)
    assert {it.kind for it in its} == DECISION_KINDS | EVENT_KINDS - {"add_stock",
                                                                         "add_vehicles",
                                                                         "close_roads"}
    assert check_interventions(its, demo) == []
    r = sim.run(demo, 4, its)
    assert [e[2] for e in _events(r, "intervention")] == [it.kind for it in its]
    _conserved(r)
    # every kind left its own trace in the log besides the 'intervention' entry
    for kind in ["link_cut", "link_reopened", "shelter_closed", "facility_out", "stock_lost",
                 "strike_flash", "strike_aftershock (inject)", "supply_delayed",
                 "teams_unavailable", "response_level", "evacuation_ordered",
                 "mutual_aid_arrived", "dispatch_rule", "delivery_priority", "shelter_added"]:
        assert _events(r, kind), kind


def test_stepped_decisions_equal_the_same_list_at_the_start(demo: sim.Scenario) -> None:
    its = _all_kinds(-30)
    s = sim.Simulation(demo, 7)
    for it in sorted(its, key=lambda x: x.at_h):
        s.run_until(it.at_h)
        s.schedule(it)
    stepped = s.finish()
    replay = sim.run(demo, 7, its)
    assert stepped.events == replay.events
    assert np.array_equal(stepped.people, replay.people)
    assert np.array_equal(stepped.stock, replay.stock)
    assert stepped.metrics == replay.metrics


# -- events ----------------------------------------------------------------------------------
def test_cut_link_changes_routes_and_reopens(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1)
    net = s.model.net
    zi = s.model.zone_index
    a, b = zi["harbour_town"], zi["salt_flats"]
    before = net.base_hours(a, b, 60.0)
    s.schedule(it_(kind="cut_link", at_h=-30, a="salt_flats", b="harbour_town", hours=5))
    s.schedule(it_(kind="cut_link", at_h=-30, a="salt_flats", b="county_seat"))
    s.run_until(-29)
    assert not net.reachable(a, b)  # both links of salt_flats cut: cut off
    assert math.isinf(net.base_hours(a, b, 60.0))
    s.run_until(-25.5)
    assert not net.reachable(a, b)  # crews do not clear a cut link
    s.run_until(-24.9)
    assert net.reachable(a, b) and net.base_hours(a, b, 60.0) == pytest.approx(before)
    s.schedule(it_(kind="reopen_link", at_h=-20, a="county_seat", b="salt_flats"))
    s.run_until(-19)
    assert not any(lk.blocked for lk in net.links)


def test_cut_link_detour_is_longer(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1)
    net, zi = s.model.net, s.model.zone_index
    a, b = zi["harbour_town"], zi["salt_flats"]
    before = net.base_hours(a, b, 60.0)
    s.schedule(it_(kind="cut_link", at_h=-30, a="harbour_town", b="salt_flats"))
    s.run_until(-29)
    assert net.reachable(a, b)
    assert net.base_hours(a, b, 60.0) > before + 0.3  # round by county_seat (38 km, not 9)


def test_close_shelter_admits_nobody_and_replaces_its_people(demo: sim.Scenario) -> None:
    name = "harbour_middle_school"
    base = sim.run(demo, 2)
    idx = base.shelters.index(name)
    t_close = 2.0
    row = int(np.searchsorted(base.times, t_close))
    assert base.shelter_occupancy[row, idx] > 0
    r = sim.run(demo, 2, [it_(kind="close_shelter", at_h=t_close, shelter=name, hours=20)])
    _conserved(r)
    closed = [t for t, k, n, _ in r.events if k == "shelter_closed" and n == name]
    assert closed == [t_close]
    occ = r.shelter_occupancy[:, idx]
    during = (r.times > t_close) & (r.times < t_close + 20)
    assert (occ[during] == 0).all()
    assert not [e for e in r.events
                if e[1] == "admitted" and e[2] == name and t_close <= e[0] < t_close + 20]
    # its people left the shelter for another place or, the others being full, wait for one
    j = int(np.searchsorted(r.times, t_close + 1))
    moved = base.shelter_occupancy[row, idx]
    sheltered = r.people[j, :, State.sheltered].sum()
    assert sheltered <= base.people[j, :, State.sheltered].sum() - moved + 50
    waiting = r.people[j, :, [State.displaced, State.evacuating]].sum()
    assert waiting >= base.people[j, :, [State.displaced, State.evacuating]].sum() + moved - 50
    assert [e for e in r.events if e[1] == "shelter_reopened" and e[2] == name]


def test_hospital_out_admits_nobody(quake: sim.Scenario) -> None:
    name = "city_hospitals"
    shock = it_(kind="aftershock", at_h=21, zone="chengqu", injured_2=0.001, injured_3=0.001)
    base = sim.run(quake, 3, [shock])
    s = sim.Simulation(quake, 3, [shock])
    s.run_until(20)
    h = next(x for x in s.model.medical.hospitals if x.name == name)
    on_way, occupied = h.reserved, h.occupied
    s.schedule(it_(kind="hospital_out", at_h=20, hospital=name, hours=12))
    peak = occupied
    for t in np.arange(20.5, 32, 0.5):
        s.run_until(float(t))
        assert h.out and h.free == 0
        peak = max(peak, h.occupied)
    assert peak <= occupied + on_way  # only those already on their way with a bed promised
    r = s.finish()
    _conserved(r)
    i = r.hospitals.index(name)
    window = (r.times > 21) & (r.times < 32)
    assert base.bed_occupancy[window, i].max() > r.bed_occupancy[window, i].max()
    assert [e[0] for e in r.events if e[1] == "facility_back" and e[2] == name] == [32.0]
    assert not h.out


def test_stock_point_lost(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 5)
    m = s.model
    p = m.logistics.point_by_name["county_depot"]
    s.run_until(-20)
    avail = p.available.copy()
    s.schedule(it_(kind="stock_point_lost", at_h=-20, point="county_depot", share_lost=0.25,
                   hours=30))
    s.run_until(-19.5)
    assert p.out
    (t, lost, _), = p.lost
    assert t == -20 and np.allclose(lost, 0.25 * np.maximum(avail, 0))
    r = s.finish()
    _conserved(r)
    assert not p.out
    # nothing left the point while it was out
    assert not [q for t, q, _ in p.issues if -20 <= t < 10]
    init = np.array([float(s.realised.stock_points[p.idx].items.get(k, 0)) for k in r.items])
    flows = init + sum(q for _, q, _ in p.arrivals) - sum(q for _, q, _ in p.issues) - lost
    assert np.allclose(p.on_hand, flows)


def test_aftershock_by_counts_traps_and_injures(quake: sim.Scenario) -> None:
    base = sim.run(quake, 1)
    shock = it_(kind="aftershock", at_h=30, zone="zezhou", sized_by="count", trapped=40,
                injured_3=30, killed=10, intensity=8, roads_closed_h=3)
    r = sim.run(quake, 1, [shock])
    _conserved(r)
    (t, _, zone, n), = _events(r, "strike_aftershock (inject)")
    assert (t, zone) == (30.0, "zezhou") and 40 < n < 130  # 80 expected, drawn
    assert r.metrics["trapped_total"] > base.metrics["trapped_total"]
    assert sum(r.metrics["injured_by_severity"]) > sum(base.metrics["injured_by_severity"])


def test_extra_rain_by_shares(demo: sim.Scenario) -> None:
    rain = it_(kind="extra_rain", at_h=20, zone="river_town", mechanism="flash",
               homes_lost=0.1, injured_1=0.01)
    s = sim.Simulation(demo, 1)
    s.run_until(20)
    m = s.model
    z = m.zone_index["river_town"]
    here = sum(m.ledger.count(st, z) for st in (State.at_home, State.warned, State.exposed))
    s.schedule(rain)
    r = s.finish()
    _conserved(r)
    (_, _, _, hurt), = [e for e in r.events if e[1] == "strike_flash" and e[0] == 20]
    (_, _, _, made), = [e for e in r.events if e[1] == "made_homeless" and e[0] == 20]
    assert abs(hurt - 0.01 * here) < 5 * math.sqrt(0.01 * here)
    assert abs(made - 0.099 * here) < 5 * math.sqrt(0.1 * here)
    assert r.metrics["needing_relief"] > sim.run(demo, 1).metrics["needing_relief"]


def test_supplier_delayed(demo: sim.Scenario) -> None:
    base = sim.Simulation(demo, 6)
    base.finish()
    late = sim.Simulation(demo, 6, [it_(kind="supplier_delayed", at_h=-36,
                                        supplier="supermarket_contract", hours=10)])
    late.finish()
    t0 = base.model.supply.first_delivery["supermarket_contract"]
    assert late.model.supply.first_delivery["supermarket_contract"] == pytest.approx(t0 + 10)


def test_team_unavailable(demo: sim.Scenario) -> None:
    rain = it_(kind="extra_rain", at_h=-25, zone="river_town", road_block=1.0)
    off = it_(kind="team_unavailable", at_h=-30, fleet="county_road_crew", count=2, hours=10)
    base = sim.run(demo, 1, [rain])
    r = sim.run(demo, 1, [off, rain])
    blocked = [e for e in r.events if e[1] == "link_blocked"]
    cleared = [e[0] for e in r.events if e[1] == "link_cleared"]
    cleared0 = [e[0] for e in base.events if e[1] == "link_cleared"]
    assert len(blocked) == len(cleared) == len(cleared0) == 2
    assert min(cleared0) < -20 <= min(cleared)  # the crews start when they are back
    for t in [v for k, v in r.team_activity.items() if k.startswith("county_road_crew")]:
        assert (-30.0, -20.0, "unavailable") == t[0][:3]
        assert all(a[0] >= -20 for a in t[1:])


def test_team_unavailable_takes_teams_at_work_when_they_finish(quake: sim.Scenario) -> None:
    s = sim.Simulation(quake, 1, [it_(kind="team_unavailable", at_h=1, fleet="city_fire_rescue",
                                      count=2, hours=30)])
    r = s.finish()
    teams = [t for t in s.model.teams if t.fleet == "city_fire_rescue"]
    assert [e[3] for e in r.events if e[1] == "teams_unavailable_when_free"] == [2]
    off = [t for t in teams if any(a[2] == "unavailable" for a in t.activity)]
    assert len(off) == 2
    for t in off:
        (start, end, _, _), = [a for a in t.activity if a[2] == "unavailable"]
        assert 1 < start and end == 31
        assert not [a for a in t.activity if a[2] != "unavailable" and start <= a[0] < end]
    assert [e[0] for e in r.events if e[1] == "teams_back"] == [31.0, 31.0]


# -- decisions -------------------------------------------------------------------------------
def test_dispatch_team_stages_before_a_site(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1, [it_(kind="dispatch_team", at_h=-30,
                                     fleet="county_fire_station", count=2, zone="salt_flats")])
    s.run_until(-20)
    teams = [t for t in s.model.teams if t.fleet == "county_fire_station"]
    assert [t.location for t in teams] == [s.model.zone_index["salt_flats"]] * 2
    assert not any(t.busy for t in teams)


def test_dispatch_team_sends_to_a_waiting_site(demo: sim.Scenario) -> None:
    rain = it_(kind="extra_rain", at_h=-20, zone="river_town", sized_by="count", trapped=2)
    s = sim.Simulation(demo, 0, [rain])
    s.run_until(-19.9)
    m = s.model
    site, = m.rescue.sites
    assert 0 < site.n_waiting <= site.teams  # the dispatcher sends no more
    team = next(t for t in m.rescue.teams if not t.busy)  # an idle team elsewhere
    teams = site.teams
    s.schedule(it_(kind="dispatch_team", at_h=-19.9, fleet=team.fleet, zone="river_town"))
    s.run_until(-19.8)
    assert team.busy and site.teams == teams + 1
    r = s.finish()
    assert [e for e in r.events if e[1] == "teams_dispatched" and e[3] == 1]
    assert any(a[2] == "travel" and a[3] == site.zone for a in team.activity)


def test_dispatch_team_orders_teams_at_work(quake: sim.Scenario) -> None:
    s = sim.Simulation(quake, 1)
    s.run_until(1)
    team = next(t for t in s.model.teams if t.fleet == "mine_rescue_team")
    assert team.busy  # at a collapse site in Gaoping
    s.schedule(it_(kind="dispatch_team", at_h=1, fleet="mine_rescue_team", zone="qinshui"))
    r = s.finish()
    (t_free, _, _, n), = [e for e in r.events if e[1] in ("teams_dispatched", "teams_staged")
                          and e[0] > 1]
    assert n == 1 and [e[3] for e in r.events if e[1] == "teams_ordered"] == [1]
    gaoping, qinshui = s.model.zone_index["gaoping"], s.model.zone_index["qinshui"]
    assert all(a[3] == gaoping for a in team.activity if 1 <= a[0] < t_free)
    trip = next(a for a in team.activity if a[0] >= t_free)
    assert trip[0] == t_free and trip[2:] == ("travel", qinshui)


def test_release_and_response_level(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1, [it_(kind="release_agreement", at_h=-30,
                                     supply="city_mutual_aid")])
    s.finish()
    assert s.model.supply.called["city_mutual_aid"] == -30
    again = sim.run(demo, 1, [it_(kind="release_agreement", at_h=-30, supply="city_mutual_aid"),
                              it_(kind="release_agreement", at_h=-20, supply="city_mutual_aid")])
    assert [e[0] for e in again.events if e[1] == "supply_called"
            and e[2] == "city_mutual_aid"] == [-30]
    assert [e[0] for e in again.events if e[1] == "supply_already_called"] == [-20]
    s4 = sim.Simulation(demo, 1, [it_(kind="raise_response_level", at_h=-30, level="IV")])
    s4.finish()
    assert s4.model.supply.called["supermarket_contract"] > -30  # at the warning, as before
    assert response_level(s4.model) == 4
    s3 = sim.Simulation(demo, 1, [it_(kind="raise_response_level", at_h=-30, level=3)])
    s3.finish()
    assert s3.model.supply.called["supermarket_contract"] == -30
    assert s3.model.supply.called.get("city_mutual_aid", 0) != -30
    s2 = sim.Simulation(demo, 1, [it_(kind="raise_response_level", at_h=-30, level=2),
                                  it_(kind="raise_response_level", at_h=-29, level=4)])
    s2.finish()
    assert s2.model.supply.called["city_mutual_aid"] == -30
    assert response_level(s2.model) == 2  # a lower level afterwards changes nothing


def test_request_mutual_aid_arrives_after_its_lead_time(demo: sim.Scenario) -> None:
    aid = it_(kind="request_mutual_aid", at_h=-10, lead_h=8, fleet="county_trucks", count=4,
              point="harbour_store", items={"meal": 7000, "quilt": 500})
    s = sim.Simulation(demo, 2, [aid])
    n0 = len(s.model.logistics.trucks)
    s.run_until(-2.5)
    assert len(s.model.logistics.trucks) == n0
    s.run_until(-1.5)
    assert len(s.model.logistics.trucks) == n0 + 4
    p = s.model.logistics.point_by_name["harbour_store"]
    t, q, _ = p.arrivals[-1]
    assert t == -2 and q[s.model.items.index("meal")] == 7000
    _conserved(s.finish())


def test_order_and_extend_evacuation(demo: sim.Scenario) -> None:
    base = sim.Simulation(demo, 3)
    rb = base.finish()
    z = base.model.zone_index["county_seat"]
    share0 = base.model.evac.target_share[z]
    order = it_(kind="order_evacuation", at_h=-30, zones=["county_seat"], share=0.5)
    s = sim.Simulation(demo, 3, [order])
    r = s.finish()
    _conserved(r)
    assert s.model.evac.target_share[z] == 0.5 > share0
    left = sum(n for _, k, zz, n in r.events if k == "evacuate" and zz == "county_seat")
    left0 = sum(n for _, k, zz, n in rb.events if k == "evacuate" and zz == "county_seat")
    assert left > left0 + 20000  # 85,000 residents, about 45 % more ordered out
    first = min(t for t, k, zz, _ in r.events if k == "evacuate" and zz == "county_seat")
    assert first == pytest.approx(-30 + s.model.evac.mobilisation_h)
    ext = sim.Simulation(demo, 3, [it_(kind="extend_evacuation", at_h=-30,
                                       zones="county_seat", by=0.1)])
    ext.finish()
    assert ext.model.evac.target_share[z] == pytest.approx(share0 + 0.1)


def test_set_dispatch_rule(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1)
    lg = s.model.logistics
    gym = next(x for x in s.model.shelters.list if x.name == "county_gymnasium")
    assert [p.name for p in lg._sources(gym)][0] == "county_depot"  # nearest
    s.schedule(it_(kind="set_dispatch_rule", at_h=-30, rule="tiered"))
    s.run_until(-29)
    assert s.model.sc.response.logistics.dispatch == "tiered"
    assert [p.name for p in lg._sources(gym)][0] == "harbour_store"  # township tier first


def test_set_delivery_priority(demo: sim.Scenario) -> None:
    s = sim.Simulation(demo, 1)
    s.run_until(-10)
    lg = s.model.logistics
    sh = s.model.shelters
    lg.orders = {(0, 0): np.ones(len(s.model.items)), (0, 3): np.ones(len(s.model.items)),
                 (1, 5): np.ones(len(s.model.items))}
    def order_keys() -> list[tuple[int, int]]:
        return lg._by_priority(lg.orders, lambda k: k[1])

    assert order_keys() == [(0, 0), (0, 3), (1, 5)]
    lg.priority = (frozenset({5}), frozenset({sh.list[3].zone}))
    assert order_keys() == [(0, 3), (1, 5), (0, 0)]
    lg.orders, lg.priority = {}, None
    r = sim.run(demo, 1, [it_(kind="set_delivery_priority", at_h=-30,
                              shelters=["hill_village_school"])])
    base = sim.run(demo, 1)
    i = r.shelters.index("hill_village_school")
    first = min(d[4] for d in r.deliveries if d[2] == i)
    first0 = min(d[4] for d in base.deliveries if d[2] == i)
    assert first <= first0


# -- validation ------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "field", "words"), [
    ({"kind": "cut_link", "a": "harbour_town", "b": "hill_village"}, "b", "no road link"),
    ({"kind": "cut_link", "a": "harbour_town", "b": "atlantis"}, "b", "unknown zone"),
    ({"kind": "close_shelter", "shelter": "nowhere"}, "shelter", "unknown shelter"),
    ({"kind": "hospital_out", "hospital": "nowhere"}, "hospital", "unknown hospital"),
    ({"kind": "stock_point_lost", "point": "nowhere"}, "point", "unknown stock point"),
    ({"kind": "supplier_delayed", "supplier": "nowhere", "hours": 3}, "supplier",
     "unknown supply"),
    ({"kind": "team_unavailable", "fleet": "county_road_crew", "count": 3, "hours": 3},
     "count", "has 2 teams"),
    ({"kind": "dispatch_team", "fleet": "county_road_crew", "zone": "salt_flats",
      "task": "rescue"}, "task", "lacks the skill"),
    ({"kind": "order_evacuation", "zones": "salt_flats atlantis", "share": 0.5}, "zones.1",
     "unknown zone"),
    ({"kind": "set_delivery_priority", "shelters": ["reserve_x"]}, "shelters.0",
     "opens only at 10"),
    ({"kind": "aftershock", "zone": "hill_village", "sized_by": "count", "killed": 9000},
     "killed", "more than"),
])
def test_bad_names_and_sizes(demo: sim.Scenario, data: dict[str, Any], field: str,
                             words: str) -> None:
    opening = it_(kind="open_shelter", at_h=10, name="reserve_x", zone="salt_flats",
                  capacity=100)
    problems = check_interventions([opening, it_(at_h=0, **data)], demo)
    assert [(i, f) for i, f, _ in problems] == [(1, field)]
    assert words in problems[0][2]


@pytest.mark.parametrize("data", [
    {"kind": "extra_rain", "zone": "z", "killed": 0.7, "trapped": 0.5},
    {"kind": "extra_rain", "zone": "z"},
    {"kind": "aftershock", "zone": "z", "sized_by": "count", "killed": 1.5},
    {"kind": "request_mutual_aid", "lead_h": 3, "fleet": "x"},
    {"kind": "request_mutual_aid", "lead_h": 3},
    {"kind": "raise_response_level", "level": "V"},
    {"kind": "set_dispatch_rule", "rule": "fastest"},
    {"kind": "set_delivery_priority"},
    {"kind": "cut_link", "a": "x", "b": "y", "hours": -1},
])
def test_malformed(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        it_(at_h=0, **data)


def test_no_roads_block(demo: sim.Scenario) -> None:
    flat = demo.model_copy(update={"roads": None})
    problems = check_interventions([it_(kind="reopen_link", at_h=0, a="harbour_town",
                                        b="salt_flats")], flat)
    assert problems and "no roads block" in problems[0][2]


def test_located_errors_in_a_file(demo: sim.Scenario, tmp_path: Path) -> None:
    f = tmp_path / "injects.yaml"
    f.write_text("- {kind: order_evacuation, at_h: -20, zones: [salt_flats], share: 0.5}\n"
                 "- kind: cut_link\n"
                 "  at_h: 6\n"
                 "  a: harbour_town\n"
                 "  b: atlantis\n"
                 "- {kind: close_shelter, at_h: 2, shelter: harbour_middle_school}\n",
                 encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_interventions(f, demo)
    assert str(e.value).splitlines() == [f"{f}:5: [1].b: unknown zone 'atlantis'"]
    f.write_text(f.read_text(encoding="utf-8").replace("atlantis", "salt_flats"),
                 encoding="utf-8")
    assert [it.kind for it in load_interventions(f, demo)] == [
        "order_evacuation", "cut_link", "close_shelter"]


def test_kinds_absent_keep_runs_identical(demo: sim.Scenario) -> None:
    """A level IV response and a priority that is the default order change nothing else."""
    r0 = sim.run(demo, 9)
    r1 = sim.run(demo, 9, [it_(kind="raise_response_level", at_h=-30, level=4)])
    assert [e for e in r1.events if e[1] not in ("intervention", "response_level")] == r0.events
    assert np.array_equal(r0.people, r1.people)


def test_located_error_in_a_list_of_zones(demo: sim.Scenario, tmp_path: Path) -> None:
    f = tmp_path / "injects.yaml"
    f.write_text("- kind: order_evacuation\n"
                 "  at_h: -20\n"
                 "  zones:\n"
                 "    - salt_flats\n"
                 "    - atlantis\n"
                 "  share: 0.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_interventions(f, demo)
    assert str(e.value) == f"{f}:5: [0].zones[1]: unknown zone 'atlantis'"


# -- any mix of kinds ------------------------------------------------------------------------
_ZONES = ["harbour_town", "salt_flats", "county_seat", "river_town", "hill_village"]
_LINKS = [("harbour_town", "salt_flats"), ("harbour_town", "county_seat"),
          ("salt_flats", "county_seat"), ("county_seat", "river_town"),
          ("river_town", "hill_village")]
_SHELTERS = ["harbour_middle_school", "county_gymnasium", "river_town_school",
             "county_exhibition_hall"]


@st.composite
def _inject(draw: st.DrawFn) -> Intervention:
    """One intervention of any kind on the coastal demo, at a time within the run.

    Not at the very end (72 h): an intervention scheduled while stepping at the end time does
    not act, while in a replay it does (``Simulation.finish`` does not run events at the end
    once the clock is there), a difference of the stepper, not of the kinds.
    """
    t = draw(st.floats(-36, 71.9).map(lambda x: round(x, 2)))
    hours = draw(st.one_of(st.none(), st.floats(0.5, 48).map(lambda x: round(x, 2))))
    zone = draw(st.sampled_from(_ZONES))
    a, b = draw(st.sampled_from(_LINKS))
    share = draw(st.floats(0, 1).map(lambda x: round(x, 3)))
    data: dict[str, Any] = draw(st.sampled_from([
        {"kind": "cut_link", "a": a, "b": b, "hours": hours},
        {"kind": "reopen_link", "a": a, "b": b},
        {"kind": "close_shelter", "shelter": draw(st.sampled_from(_SHELTERS)), "hours": hours},
        {"kind": "hospital_out", "hospital": "county_hospital", "hours": hours},
        {"kind": "stock_point_lost", "point": draw(st.sampled_from(["county_depot",
                                                                    "harbour_store"])),
         "share_lost": share, "hours": hours},
        {"kind": "extra_rain", "zone": zone, "trapped": share / 50, "homes_lost": share / 5,
         "injured_2": 0.002, "road_block": share},
        {"kind": "aftershock", "zone": zone, "sized_by": "count", "killed": 2, "trapped": 10,
         "homes_lost": 200, "intensity": 8},
        {"kind": "supplier_delayed", "supplier": "supermarket_contract", "hours": hours or 3},
        {"kind": "team_unavailable", "fleet": "county_fire_station", "count": 2,
         "hours": hours or 3},
        {"kind": "dispatch_team", "fleet": draw(st.sampled_from(["county_fire_station",
                                                                 "county_road_crew"])),
         "zone": zone},
        {"kind": "release_agreement", "supply": "city_mutual_aid"},
        {"kind": "request_mutual_aid", "lead_h": hours or 0, "fleet": "harbour_buses",
         "count": 2, "point": "harbour_store", "items": {"water_l": 4000}},
        {"kind": "order_evacuation", "zones": [zone], "share": max(share, 0.01)},
        {"kind": "extend_evacuation", "zones": _ZONES[:2], "by": max(share, 0.01) / 2},
        {"kind": "raise_response_level", "level": draw(st.integers(1, 4))},
        {"kind": "set_dispatch_rule", "rule": draw(st.sampled_from(["nearest", "tiered"]))},
        {"kind": "set_delivery_priority", "zones": [zone]},
    ]))
    return it_(at_h=t, **{k: v for k, v in data.items() if v is not None})


@settings(max_examples=12)
@given(st.lists(_inject(), min_size=1, max_size=8), st.integers(0, 2**16))
def test_any_mix_is_conserved_and_replays_stepped(demo: sim.Scenario, its: list[Intervention],
                                                  seed: int) -> None:
    assert check_interventions(its, demo) == []
    replay = sim.run(demo, seed, its)
    _conserved(replay)
    s = sim.Simulation(demo, seed)
    for it in sorted(its, key=lambda x: x.at_h):  # each decided at its very moment
        s.run_until(it.at_h)
        s.schedule(it)
    stepped = s.finish()
    assert stepped.events == replay.events
    assert np.array_equal(stepped.people, replay.people)
    assert stepped.metrics == replay.metrics
    for p in s.model.logistics.points:
        assert (p.on_hand >= -1e-6).all() and (p.available >= -1e-6).all()
