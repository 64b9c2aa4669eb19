"""Invariants of a run, each worked out independently from the scenario and the run's logs.

Every check here recomputes what must hold from the scenario (its sampled inputs) and from the
run's raw records (the ledger's moves, the event log, the series, the delivery log, and the
read-only records the engine keeps for this purpose: stock arrivals and issues at each point,
deliveries received and issues at each shelter, every road or air leg of every vehicle), never
from the engine's own summary (metrics, verdicts, capacities it reports).

The runs are drawn over the three hazards with real harm (:func:`tests.strategies.any_scenarios`)
and, for the operations the hazards rarely trigger, over synthetic impacts
(:func:`tests.test_response_properties.cases`). Example counts are kept small for the fast
suite; the slow suite's deep profile multiplies them (tests/conftest.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sim
from sim.hazards.impact import Impact
from sim.interventions import AddStock, CloseRoads, Intervention
from sim.response.ledger import State
from sim.scenario.clauses import (
    AirResponseWithin,
    DeathsPerMillion,
    EvacuatedBeforeOnset,
    FirstOnSceneWithin,
    ReliefWithin,
    ShelterAreaPerPerson,
    StockCovers,
    StockCoversTownships,
    SuppliesInPlaceWithin,
    TeamsSuffice,
    TrappedReachedWithin,
    WarningReachWithin,
)
from sim.scenario.distributions import as_float
from sim.targets import evaluate_targets
from tests.conftest import DEMO
from tests.strategies import (
    any_scenarios,
    earthquake_scenarios,
    record_hard_cases,
    scenarios_any_hazard,
    seeds,
)
from tests.test_response_properties import cases

EPS = 1e-6
S = State

# -- the legal moves of people (the design's states, sim/response/ledger.py) -------------------
HARM = {S.killed, S.injured, S.trapped}
PRESENT = {S.at_home, S.warned, S.exposed, S.displaced}
"""People in the zone whom a strike can reach (the homeless waiting there included)."""
LEGAL: dict[State, set[State]] = {
    S.at_home: {S.warned, S.exposed, S.displaced} | HARM,
    S.warned: {S.evacuating, S.exposed, S.displaced} | HARM,
    # arrive somewhere; or a failed departure: back home, still warned
    S.evacuating: {S.sheltered, S.dispersed, S.displaced, S.warned},
    # home after the all-clear; moved on when the shelter closes
    S.sheltered: {S.at_home, S.evacuating},
    S.dispersed: {S.at_home},
    # all-clear; home lost; harm; moved out by the hazard-point monitors
    S.exposed: {S.at_home, S.displaced, S.evacuating} | HARM,
    # look for a place, or home again; a later strike on those waiting in the zone
    S.displaced: {S.evacuating, S.at_home} | HARM,
    # discharged home, discharged homeless, or died
    S.injured: {S.at_home, S.displaced, S.killed},
    S.trapped: {S.rescued, S.killed},
    # freed alive: homeless, home, or into care
    S.rescued: {S.displaced, S.at_home, S.injured},
    S.killed: set(),  # final
}


def _sim(sc: sim.Scenario, seed: int, its: Iterable[Intervention] = (),
         impact: Impact | None = None) -> tuple[sim.Simulation, sim.RunResult]:
    s = sim.Simulation(sc, seed, its, impact=impact)
    return s, s.finish()


def check_transitions(sc: sim.Scenario, r: sim.RunResult) -> None:
    """Every move is legal; nobody evacuates unwarned; harm only when the hazard strikes."""
    warned_in = defaultdict(int)
    evac_from_warned = defaultdict(int)
    strike_times: dict[int, set[float]] = defaultdict(set)
    for z, zi in enumerate(r.impact.zones):
        strike_times[z] |= {zi.onset_h, *(s.time_h for s in zi.strikes)}
    for ep in r.impact.episodes:
        strike_times[ep.zone].add(ep.time_h)
    ever_killed = defaultdict(int)
    for t, z, a, b, n in r.transitions:
        src, dst = S(a), S(b)
        assert n > 0
        assert dst in LEGAL[src], f"illegal move {src.name} -> {dst.name} at t={t} zone {z}"
        if src == S.killed:
            raise AssertionError("a move out of killed")
        if dst == S.killed:
            ever_killed[z] += n
        if dst == S.warned:
            warned_in[z] += n
        if src == S.warned and dst == S.evacuating:
            evac_from_warned[z] += n
            # nobody leaves on the warning before they were warned (counted per zone)
            assert evac_from_warned[z] <= warned_in[z]
        # harm to people present, and homes lost, only at the zone's strike times
        if src in PRESENT and (dst in HARM or (dst == S.displaced and src != S.displaced)):
            assert any(abs(t - ts) <= 1e-9 for ts in strike_times[z]), \
                (f"{src.name} -> {dst.name} at t={t} in zone {z}: no strike then "
                 f"({sorted(strike_times[z])})")
    # killed is final: the dead at the end are everyone who ever died
    final = r.people[-1]
    for z in range(len(r.zones)):
        assert final[z, S.killed] == ever_killed[z]


@settings(max_examples=20)
@given(any_scenarios(), seeds)
def test_people_move_only_by_legal_transitions(sc: sim.Scenario, seed: int) -> None:
    r = sim.run(sc, seed)
    record_hard_cases(r)
    check_transitions(sc, r)


@settings(max_examples=8)
@given(earthquake_scenarios(), seeds)
def test_legal_transitions_in_earthquakes_with_aftershocks(sc: sim.Scenario, seed: int) -> None:
    """Earthquakes apart, so that aftershock episodes (later strikes) are reached often."""
    r = sim.run(sc, seed)
    record_hard_cases(r)
    check_transitions(sc, r)


@settings(max_examples=15)
@given(cases())
def test_legal_transitions_under_every_operation(case: tuple[sim.Scenario, Impact, int]) -> None:
    sc, impact, seed = case
    r = sim.run(sc, seed, impact=impact)
    check_transitions(sc, r)


# -- vehicles ------------------------------------------------------------------------------------
def _fleets(s: sim.Simulation) -> dict[str, Any]:
    """Each fleet of the run's scenario (sampled counts) by name."""
    return {v.name: v for v in s.realised.vehicles}


def check_vehicles(s: sim.Simulation, r: sim.RunResult) -> None:
    """Loads within capacity (masses from the scenario's items), fleets never exceeded, one
    place at a time."""
    m = s.model
    sc = s.realised
    fleets = _fleets(s)
    kg = np.array([sc.items[k].kg_per_unit for k in r.items])
    trucks = m.logistics.trucks
    for truck, _p, _sh, dispatched, delivered, mass in r.deliveries:
        cap = float(fleets[trucks[truck].fleet].capacity_kg)
        assert mass <= cap + EPS, (trucks[truck].fleet, mass, cap)
        assert dispatched <= delivered
    for p in m.logistics.points:
        for _t, load, _b in p.issues:
            assert (load >= -EPS).all()
            # a load fits the smallest truck that can be sent from anywhere (any truck may
            # load at any point): within the largest fleet capacity
            cap = max(float(f.capacity_kg) for f in fleets.values() if f.kind == "truck")
            assert float(load @ kg) <= cap + EPS
    units: dict[str, set[int]] = defaultdict(set)
    for group in (trucks, m.air.units, m.evac.buses, m.medical.ambulances):
        for v in group:
            legs = sorted(v.legs)
            if legs or v.trips:
                units[v.fleet].add(v.idx)
            for (_d0, a0, _f0, t0), (d1, _a1, f1, _t1) in zip(legs, legs[1:], strict=False):
                assert d1 >= a0 - 1e-9, (v.fleet, v.idx, legs)  # one leg at a time
                assert f1 == t0  # departs from where it arrived
            for d, a, f, t in legs:
                assert a >= d and f != t
    for name, used in units.items():
        count = int(as_float(fleets[name].count))
        assert len(used) <= count, (name, used, count)


@settings(max_examples=15)
@given(any_scenarios(), seeds)
def test_vehicle_loads_and_fleets(sc: sim.Scenario, seed: int) -> None:
    s, r = _sim(sc, seed)
    record_hard_cases(r)
    check_vehicles(s, r)


@settings(max_examples=12)
@given(cases())
def test_vehicle_loads_and_fleets_under_every_operation(
        case: tuple[sim.Scenario, Impact, int]) -> None:
    sc, impact, seed = case
    s, r = _sim(sc, seed, impact=impact)
    check_vehicles(s, r)


# -- stock ---------------------------------------------------------------------------------------
def check_stock_balance(s: sim.Simulation, r: sim.RunResult,
                        its: Iterable[Intervention] = ()) -> None:
    """Per point: initial + arrivals - issues = on hand at every record; what left the points
    reached the shelters (or is on a truck at the end); per shelter: prepositioned + received
    - issued - lost = left; arrivals come only from the supplies and interventions."""
    m = s.model
    sc = s.realised
    items = list(r.items)
    kg = np.array([sc.items[k].kg_per_unit for k in items])
    for i, p in enumerate(sc.stock_points):
        init = np.array([as_float(p.items.get(k, 0.0)) for k in items])
        state = m.logistics.points[i]
        for j, t in enumerate(r.times):
            # the record j sees every arrival and issue made before it was taken
            want = init.copy()
            for ta, q, before in state.arrivals:
                if before <= j:
                    assert ta <= t + 1e-9
                    want += q
            for ti, q, before in state.issues:
                if before <= j:
                    assert ti <= t + 1e-9
                    want -= q
            assert np.allclose(r.stock[j, i], want, atol=1e-6), (p.name, t, r.stock[j, i], want)
        # arrivals: at most what the supplies delivering here and the interventions carry
        can = np.zeros(len(items))
        for sup in sc.supplies:
            if sup.deliver_to == p.name:
                can += np.array([as_float(sup.items.get(k, 0.0)) for k in items])
        for it in its:
            if isinstance(it, AddStock) and it.point == p.name:
                can += np.array([it.items.get(k, 0.0) for k in items])
        got = sum((q for _t, q, _b in state.arrivals), np.zeros(len(items)))
        assert (got <= can + 1e-6).all(), (p.name, got, can)
        # supplies are called at the warning, at onset or at the first back order
        calls = [r.warning_issued_h, 0.0, *(t for t, kind, *_ in r.events if kind == "backorder"),
                 *(it.at_h for it in its)]
        for ta, _q, _b in state.arrivals:
            assert ta >= min(calls) - 1e-9
    # issued = delivered + still on a truck at the end: every delivery is one of the issues
    issued = sorted(round(float(q @ kg), 6) for p in m.logistics.points for _t, q, _b in p.issues)
    delivered = sorted(round(d[5], 6) for d in r.deliveries)
    left = list(issued)
    for x in delivered:
        assert x in left, ("a delivery no point issued", x)
        left.remove(x)
    assert len(left) <= len(m.logistics.trucks)  # at most one load on each truck at the end
    # received at shelters = the delivery log, shelter by shelter
    by_shelter: dict[int, float] = defaultdict(float)
    for _tr, _p, sh, _d, _dl, mass in r.deliveries:
        by_shelter[sh] += mass
    places = [*m.shelters.list, *m.shelters.points.values()]
    for place in places:
        got = sum(float(q @ kg) for _t, q in place.received_log)
        assert got == pytest.approx(by_shelter.get(place.idx, 0.0), abs=1e-6)
    # per shelter: prepositioned + received - issued - lost = left, never negative
    pre = {sh.name: np.array([as_float((sh.prepositioned or {}).get(k, 0.0)) for k in items])
           for sh in sc.shelters}
    for place in places:
        start = pre.get(place.name, np.zeros(len(items))) if not place.point \
            else np.zeros(len(items))
        bal = start + sum((q for _t, q in place.received_log), np.zeros(len(items)))
        bal -= sum((q for _t, _k, q in place.issued_log), np.zeros(len(items)))
        bal -= sum((q for _t, q in place.lost_log), np.zeros(len(items)))
        assert np.allclose(bal, place.inventory, atol=1e-6), (place.name, bal, place.inventory)
        assert (bal >= -1e-6).all()
        # issued to people: at most each person's need (first issue or a day's ration)
        per_day = np.array(r.per_day)
        first = per_day + np.array(r.once)
        for _t, k, q in place.issued_log:
            assert (q <= first * k + 1e-6).all()


@settings(max_examples=15)
@given(any_scenarios(), seeds)
def test_stock_mass_balance(sc: sim.Scenario, seed: int) -> None:
    s, r = _sim(sc, seed)
    record_hard_cases(r)
    check_stock_balance(s, r)


@settings(max_examples=12)
@given(cases())
def test_stock_mass_balance_under_every_operation(
        case: tuple[sim.Scenario, Impact, int]) -> None:
    sc, impact, seed = case
    s, r = _sim(sc, seed, impact=impact)
    check_stock_balance(s, r)


# -- targets -------------------------------------------------------------------------------------
def _expected_threshold(t: Any, r: sim.RunResult) -> tuple[float | None, str]:
    """A target's threshold and comparison from its clause (None: depends on the run)."""
    if isinstance(t, DeathsPerMillion):
        return float(t.max), "<="
    if isinstance(t, ShelterAreaPerPerson):
        return float(t.min_m2), ">="
    if isinstance(t, StockCovers):
        people = float(r.relief_n.sum()) if t.people == "displaced" else float(t.people)
        return people, ">="
    if isinstance(t, StockCoversTownships):
        zones_in_need = len({int(z) for z, n in zip(r.relief_zone, r.relief_n, strict=True)
                             if n > 0})
        return float(min(t.townships, zones_in_need)), ">="
    return float(t.share), ">="


def _independent_value(t: Any, sc: sim.Scenario, r: sim.RunResult) -> float | None | str:
    """The target's value worked out here from the raw records ("skip": not recomputed)."""
    into = defaultdict(int)
    for _t, _z, _a, b, n in r.transitions:
        into[S(b)] += n
    if isinstance(t, ReliefWithin):
        total = int(r.relief_n.sum())
        if total == 0:
            return 1.0
        done = sum(int(n) for n, tt in zip(r.relief_n, r.relief_t, strict=True)
                   if tt <= t.hours + 1e-9)
        return done / total
    if isinstance(t, DeathsPerMillion):
        pop = float(r.population.sum())
        per_event = into[S.killed] / pop * 1e6 if pop else 0.0
        if t.per == "year" and t.return_period_years is not None:
            return per_event / t.return_period_years
        return per_event
    if isinstance(t, TrappedReachedWithin):
        if into[S.trapped] == 0:
            return None
        return sum(1 for _n, h in r.reached if h <= t.hours + 1e-9) / into[S.trapped]
    if isinstance(t, StockCovers):
        keep = [i for i, tier in enumerate(r.point_tiers) if not t.tiers or tier in t.tiers]
        stock = r.stock[0][keep].sum(axis=0)
        names = t.items or [k for k, nd in sc.needs.items() if nd.basic]
        cover = math.inf
        for k in names:
            i = list(r.items).index(k)
            need = r.per_day[i] * t.days + r.once[i]
            if need > 0:
                cover = min(cover, stock[i] / need)
        return float(math.floor(cover + 1e-9)) if math.isfinite(cover) else None
    return "skip"


def check_targets(sc: sim.Scenario, r: sim.RunResult) -> set[str]:
    """Each verdict's threshold, comparison and met agree with the clause and the value."""
    by_id = {t.id: t for t in sc.targets}
    kinds = set()
    assert [t.id for t in r.targets] == list(by_id)
    for v in r.targets:
        t = by_id[v.id]
        kinds.add(t.kind)
        assert v.kind == t.kind
        thr, cmp = _expected_threshold(t, r)
        assert v.comparison == cmp, (v.id, v.comparison)
        if thr is not None:
            assert v.threshold == pytest.approx(thr), (v.id, v.threshold, thr)
        if v.value is None:
            assert v.met, v.id  # does not apply: counts as met
        elif cmp == ">=":
            assert v.met == (v.value >= v.threshold - 1e-9), (v.id, v.value, v.threshold)
        else:
            assert v.met == (v.value <= v.threshold + 1e-9), (v.id, v.value, v.threshold)
        if isinstance(t, ReliefWithin | SuppliesInPlaceWithin | EvacuatedBeforeOnset
                      | TrappedReachedWithin | AirResponseWithin | FirstOnSceneWithin
                      | TeamsSuffice | WarningReachWithin) and v.value is not None:
            assert -1e-9 <= v.value <= 1.0 + 1e-9, (v.id, v.value)  # a share
        want = _independent_value(t, sc, r)
        if want != "skip":
            if want is None:
                assert v.value is None, (v.id, v.value)
            else:
                assert v.value == pytest.approx(want, abs=1e-9), (v.id, v.value, want)
    return kinds


@settings(max_examples=15)
@given(any_scenarios(), seeds)
def test_met_agrees_with_value_and_threshold(sc: sim.Scenario, seed: int) -> None:
    r = sim.run(sc, seed)
    record_hard_cases(r)
    check_targets(sc, r)
    # the relief share at the run's own relief times and just before them, where an evaluator
    # that counts a boundary wrongly or shifts the clock differs from the count here
    times = sorted({float(t) for t in r.relief_t if math.isfinite(t) and t > 0})
    hours = sorted({h for t in times[:: max(1, len(times) // 8)] for h in (t, t - 0.5) if h > 0})
    extra = [ReliefWithin(id=f"relief_{i}", kind="relief_within", hours=h, share=0.5)
             for i, h in enumerate(hours)]
    for t, v in zip(extra, evaluate_targets(list(extra), r, sc), strict=True):
        want = _independent_value(t, sc, r)
        assert v.value == pytest.approx(want, abs=1e-9), (t.hours, v.value, want)
        assert v.met == (v.value >= 0.5 - 1e-9)


def test_every_target_kind_is_checked() -> None:
    """The hazard strategies carry every target kind the engine evaluates."""
    from hypothesis import find

    from sim.targets import _EVALUATORS

    kinds_wanted = {cls.model_fields["kind"].annotation.__args__[0] for cls in _EVALUATORS}
    sc = find(scenarios_any_hazard(), lambda s: True)
    assert {t.kind for t in sc.targets} == kinds_wanted
    r = sim.run(sc, 0)
    assert check_targets(sc, r) == kinds_wanted


# -- closed roads, gales -------------------------------------------------------------------------
def closure_windows(r: sim.RunResult, its: Iterable[Intervention] = ()
                    ) -> dict[int, list[tuple[float, float, float]]]:
    """Each zone's road closure windows ``(known_from_h, start_h, end_h)``: the Impact's (gales,
    water, shaking, aftershocks) are known from the start, an intervention's from its time."""
    out: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    for z, zi in enumerate(r.impact.zones):
        if zi.roads_closed is not None:
            out[z].append((-math.inf, *zi.roads_closed))
    for ep in r.impact.episodes:
        if ep.roads_closed is not None:
            out[ep.zone].append((-math.inf, *ep.roads_closed))
    for it in its:
        if isinstance(it, CloseRoads):
            z = r.zones.index(it.zone)
            out[z].append((it.at_h, it.at_h, it.at_h + it.hours))
    return out


def check_no_travel_through_closures(s: sim.Simulation, r: sim.RunResult,
                                     its: Iterable[Intervention] = ()) -> int:
    """No vehicle drives into or out of a zone while its roads are closed (a truck's delivery
    leg included), and no helicopter flies while gales close either end (when grounded); a
    closure ordered while a vehicle is on its way does not turn it back."""
    m = s.model
    closed = closure_windows(r, its)
    legs = 0
    road = [*m.logistics.trucks, *m.evac.buses, *m.medical.ambulances, *m.teams]
    air = list(m.air.units) if (sc_air := s.realised.response.air) is not None \
        and sc_air.grounded_in_gales else []
    gales = closure_windows(r)  # helicopters keep to the hazard's closures, not to orders
    for v in [*road, *air]:
        windows = gales if v in air else closed
        for depart, arrive, a, b in v.legs:
            legs += 1
            for z in (a, b):
                for known, lo, hi in windows.get(z, []):
                    if depart < known:  # left before the closure was ordered
                        continue
                    assert not (depart < hi - 1e-9 and arrive > lo + 1e-9), \
                        (v.fleet, v.idx, (depart, arrive, r.zones[a], r.zones[b]),
                         r.zones[z], (lo, hi))
    return legs


@settings(max_examples=15)
@given(any_scenarios(), seeds)
def test_no_travel_while_roads_are_closed(sc: sim.Scenario, seed: int) -> None:
    s, r = _sim(sc, seed)
    record_hard_cases(r)
    check_no_travel_through_closures(s, r)


@settings(max_examples=15)
@given(cases(), st.floats(-10, 40), st.floats(1, 30), st.data())
def test_no_travel_through_closures_under_every_operation(
        case: tuple[sim.Scenario, Impact, int], at: float, hours: float, data: Any) -> None:
    sc, impact, seed = case
    zone = data.draw(st.sampled_from([z.name for z in sc.zones]))
    at = min(max(at, sc.time.start_h), sc.time.end_h)
    its = [CloseRoads(kind="close_roads", at_h=at, zone=zone, hours=hours)]
    s, r = _sim(sc, seed, its, impact=impact)
    check_no_travel_through_closures(s, r, its)


# -- replay, stepping and forks ------------------------------------------------------------------
def _same(a: sim.RunResult, b: sim.RunResult) -> None:
    assert a.to_dict() == b.to_dict()
    assert a.events == b.events
    assert a.transitions == b.transitions
    assert np.array_equal(a.people, b.people)
    assert np.array_equal(a.stock, b.stock)


@settings(max_examples=6)
@given(any_scenarios(max_zones=4), seeds, st.floats(0, 1), st.floats(0, 1), st.data())
def test_replay_and_fork_equivalence(sc: sim.Scenario, seed: int, u1: float, u2: float,
                                     data: Any) -> None:
    """A run stepped with interventions added on the way equals their replay; each fork of it
    replays exactly from the seed and its interventions, shares the past up to the fork and a
    fork on branch b is the same whenever it is made."""
    lo, hi = sc.time.start_h, sc.time.end_h
    t1 = lo + (hi - lo) * u1 * 0.5
    if data.draw(st.booleans()):  # at a record time or the onset: other events share it
        step = sc.time.record_every_h
        t1 = data.draw(st.sampled_from([0.0, lo + step * math.floor((t1 - lo) / step)]))
    t2 = t1 + (hi - t1) * u2 * 0.5
    its: list[Intervention] = [CloseRoads(kind="close_roads", at_h=t1,
                                          zone=data.draw(st.sampled_from([z.name for z in
                                                                          sc.zones])),
                                          hours=data.draw(st.floats(1, 12)))]
    if sc.stock_points:
        its.append(AddStock(kind="add_stock", at_h=t1, point=sc.stock_points[0].name,
                            items={"meal": float(data.draw(st.integers(1, 5000)))}))
    s = sim.Simulation(sc, seed)
    for it in its:
        s.run_until(it.at_h)
        s.schedule(it)
    s.run_until(t2)
    forks = s.fork([0, 1])
    stepped = s.finish()
    _same(stepped, sim.run(sc, seed, its))

    def past(r: sim.RunResult) -> tuple[Any, ...]:
        """Moves, events and records before the fork."""
        k = int((r.times < t2).sum())
        return ([mv for mv in r.transitions if mv[0] < t2], [e for e in r.events if e[0] < t2],
                r.stock[:k].tolist(), r.people[:k].tolist())

    for f in forks:
        out = f.finish()
        _same(out, sim.run(sc, seed, f.interventions))
        # the same past: every move, event and record before the fork is the original's
        assert past(out) == past(stepped)
        assert f.interventions[:-1] == its
    # the same branch made twice is the same future
    again = sim.Simulation(sc, seed, its)
    again.run_until(t2)
    _same(again.fork([1])[0].finish(), forks[1].finish())


# -- more resources --------------------------------------------------------------------------
def _paired_worse(base: list[float], more: list[float]) -> tuple[float, float]:
    """Mean paired gain (more - base) and its 99 % half-width."""
    diff = np.array(more) - np.array(base)
    if diff.std() == 0:
        return float(diff.mean()), 0.0
    half = stats.t.ppf(0.995, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    return float(diff.mean()), float(half)


def _relief_10h(r: sim.RunResult) -> float:
    total = int(r.relief_n.sum())
    return 1.0 if total == 0 else float(r.relief_n[r.relief_t <= 10.0 + 1e-9].sum()) / total


def _with(sc: sim.Scenario, change: str) -> sim.Scenario:
    d = sc.model_dump(by_alias=True, exclude_none=True)
    if change == "trucks":
        for v in d["vehicles"]:
            if v["kind"] == "truck":  # the strategies give whole counts
                v["count"] = 2 * int(v["count"]) + 2
    elif change == "stock":
        for p in d["stock_points"]:
            p["items"] = {k: 3 * _upper(q) + 1000 for k, q in p["items"].items()}
    return sim.Scenario.model_validate(d)


def _upper(q: Any) -> float:
    if isinstance(q, int | float):
        return float(q)
    return float(q.get("high", q.get("value", 0.0)))


RUNS = 8


@pytest.mark.slow  # 8 paired runs per change and example
@settings(max_examples=4)
@given(scenarios_any_hazard(max_zones=4))
def test_more_trucks_or_stock_never_significantly_worse(sc: sim.Scenario) -> None:
    """With common random numbers (the same seeds), more trucks or more stock at every point
    never lowers the share relieved within 10 h beyond a paired 99 % interval, nor raises the
    people left waiting unplaced (sim.study.monotone: only shelter capacity is known to act
    against a target)."""
    base_runs = [sim.run(sc, s) for s in range(RUNS)]
    for r in base_runs:
        record_hard_cases(r)
    for change in ("trucks", "stock"):
        more = _with(sc, change)
        more_runs = [sim.run(more, s) for s in range(RUNS)]
        gain, half = _paired_worse([_relief_10h(r) for r in base_runs],
                                   [_relief_10h(r) for r in more_runs])
        assert gain + half >= -1e-9, (change, gain, half)


@pytest.mark.slow  # 8 paired runs per change and example
@settings(max_examples=3)
@given(scenarios_any_hazard(max_zones=4))
def test_more_shelter_places_never_leave_more_people_unplaced(sc: sim.Scenario) -> None:
    """Shelter capacity can act against the relief target (sim/study/monotone.py), but more
    places never leave more people waiting without a place to stay: the peak of displaced
    people (no place yet) does not rise beyond a paired 99 % interval (same seeds)."""
    d = sc.model_dump(by_alias=True, exclude_none=True)
    for sh in d["shelters"]:
        if "capacity" in sh:
            sh["capacity"] = 3 * sh["capacity"] + 50
        if "usable_area_m2" in sh:
            sh["usable_area_m2"] = 3 * sh["usable_area_m2"] + 200
    more = sim.Scenario.model_validate(d)

    def unplaced_peak(r: sim.RunResult) -> float:
        return float(r.people[:, :, S.displaced].sum(axis=1).max())

    base = [unplaced_peak(sim.run(sc, s)) for s in range(RUNS)]
    bigger = [unplaced_peak(sim.run(more, s)) for s in range(RUNS)]
    gain, half = _paired_worse(bigger, base)  # a fall in the peak is a gain
    assert gain + half >= -1e-9, (gain, half, base, bigger)


# -- findings ------------------------------------------------------------------------------------
def _deep_surge() -> sim.Scenario:
    import copy

    from tests.strategies import _template

    d = copy.deepcopy(_template("typhoon"))
    h = d["hazard"]
    h.update(landfall_offset_km=0.0, max_wind_ms=65.0)
    h["surge"] = {**h["surge"], "tide_m": 2.5}
    for z in d["zones"]:
        if z["name"] == "salt_flats":
            z["exposure"]["coast"] = {**z["exposure"]["coast"], "seawall_crest_m": 2.0,
                                      "share": 0.6}
    return sim.Scenario.model_validate(d)


def _deep_river() -> sim.Scenario:
    import copy

    from tests.strategies import _template

    d = copy.deepcopy(_template("flood"))
    d["hazard"]["river"] = {"peak_level_m": 6.0, "base_level_m": -4.0, "rise_h": 6.0,
                            "fall_h": 12.0}
    d["zones"][0]["exposure"]["river"] = {"ground_m": -2.0, "levee_crest_m": 1.0,
                                          "lag_h": 0.0, "share": 0.3}
    return sim.Scenario.model_validate(d)


@pytest.mark.parametrize("build", [_deep_surge, _deep_river], ids=["surge", "river"])
def test_deep_water_casualties_stay_probabilities(build: Any) -> None:
    """A valid scenario with deep water over many people runs, and its people stay whole.

    Regression: injured = killed x injured_per_killed made killed + injured + trapped exceed 1
    and the Strike refused it ('surge strike: casualties probability 1.15', seed 0; 'river
    strike ... 1.58'); found by these strategies, fixed in d31969a.
    """
    sc = build()
    r = sim.run(sc, 0)
    check_transitions(sc, r)


def test_a_trip_waits_for_closures_at_either_end() -> None:
    """A trip is not started while it would overlap a road closure of the zone it leaves or of
    the zone it drives into (and a zone's own closure holds trips inside it)."""
    sc = sim.load_scenario(DEMO)
    s = sim.Simulation(sc, 1)
    net = s.model.net
    a, b = 0, 1
    for z in range(net.n):
        net.closures[z].clear()
    net.add_closure(b, 10.0, 15.0)
    assert net.earliest_departure(a, b, 9.0, 2.0) == 15.0  # into the closed zone
    assert net.earliest_departure(b, a, 9.0, 2.0) == 15.0  # out of it
    assert net.earliest_departure(a, b, 5.0, 2.0) == 5.0  # arrives before it closes
    assert net.earliest_departure(a, a, 9.0, 2.0) == 9.0  # the other zone is open
    net.add_closure(a, 14.0, 20.0)
    assert net.earliest_departure(a, b, 9.0, 2.0) == 20.0  # both windows, one after the other
