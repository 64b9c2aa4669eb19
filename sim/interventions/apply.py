"""Carrying out an intervention on a running model, at its time.

Each kind acts through the model's own paths (``sim.response``): road links are blocked and
cleared on the :class:`~sim.response.network.Network`, shelters closed and reopened by
:class:`~sim.response.shelters.Shelters` (their people re-placed), hospitals and stock points
taken out of service as the hazard's facility outages are, harm struck through
:meth:`Model.harm` and :meth:`Model.episode`, supplies called and delayed on
:class:`~sim.response.supply.ExternalSupply`, teams sent by the rescue and road-works
dispatchers. Whatever follows later (a reopening after ``hours``, aid arriving after its lead
time) is scheduled when the intervention acts, so a stepped run and its replay schedule it
identically. Every kind writes one ``intervention`` entry to the event log, then its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.hazards.impact import Episode, FacilityOutage, Strike
from sim.interventions.check import SKILL_OF_TASK
from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    Aftershock,
    Branch,
    CloseRoads,
    CloseShelter,
    CutLink,
    DispatchTeam,
    ExtendEvacuation,
    ExtraRain,
    HospitalOut,
    Intervention,
    OpenShelter,
    OrderEvacuation,
    RaiseResponseLevel,
    ReleaseAgreement,
    ReopenLink,
    RequestMutualAid,
    SetDeliveryPriority,
    SetDispatchRule,
    StockPointLost,
    SupplierDelayed,
    TeamUnavailable,
    _Harm,
)
from sim.response.ledger import State
from sim.response.vehicles import WhenFree, drive
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.response.network import Link
    from sim.response.vehicles import TeamUnit

__all__ = ["AGREEMENT_LEVEL", "MUTUAL_AID_LEVEL", "apply_intervention", "response_level"]

AGREEMENT_LEVEL = 3
"""From this response level (三级) up, every agreement supply not yet called is called
(assumption: the scenarios give the levels no rules; calling the contracted reserves is the
least a declared level III response does)."""
MUTUAL_AID_LEVEL = 2
"""From this level (二级) up, every mutual-aid supply is called too (assumption: the 2024
national guidance asks areas of medium or higher risk to stock for a level-II response, so a
level-II response is taken to exceed local stock; reference/parameters.md)."""


def response_level(m: Model) -> int | None:
    """The response level declared so far in run ``m`` (1 = I highest; None: none declared)."""
    return m.response_level


def _later(m: Model, hours: float | None, fn: Callable[..., Any], *args: Any) -> None:
    """Call ``fn(*args)`` ``hours`` from now (never when ``hours`` is None)."""
    if hours is not None:
        m.env.process(m.call_at(m.env.now + hours, fn, *args))


# -- resources ---------------------------------------------------------------------------------
def _add_stock(m: Model, point: str, items: dict[str, float]) -> None:
    p = m.logistics.point_by_name[point]
    qty = np.array([items.get(k, 0.0) for k in m.items])
    m.logistics.add_stock(p, qty)


def _add_vehicles(m: Model, fleet_name: str, count: int) -> None:
    fleet = next(v for v in m.sc.vehicles if v.name == fleet_name)
    if fleet.kind == "truck":
        m.logistics.add_trucks(fleet.name, fleet.base, count, float(fleet.capacity_kg or 0),
                               fleet.speed_kmh, as_float(fleet.unloading_h))
    else:
        add = {"ambulance": m.medical.add_ambulances, "helicopter": m.air.add_units}.get(
            fleet.kind, m.evac.add_buses)
        add(fleet.name, m.zone_index[fleet.base], count, int(fleet.capacity_persons or 0),
            fleet.speed_kmh, as_float(fleet.unloading_h))


def _mutual_aid(m: Model, it: RequestMutualAid) -> None:
    m.log("mutual_aid_arrived", it.fleet or it.point or "", it.count or 0)
    if it.fleet is not None and it.count is not None:
        _add_vehicles(m, it.fleet, it.count)
    if it.point is not None and it.items is not None:
        _add_stock(m, it.point, it.items)


# -- roads -------------------------------------------------------------------------------------
def _links(m: Model, a: str, b: str) -> list[Link]:
    za, zb = m.zone_index[a], m.zone_index[b]
    return [lk for lk in m.net.links if {lk.a, lk.b} == {za, zb}]


def _cut(m: Model, it: CutLink) -> None:
    for lk in _links(m, it.a, it.b):
        m.net.block(lk)
        lk.claimed = True  # no crew clears it: it reopens by time or by reopen_link
        m.log("link_cut", f"{it.a}-{it.b}", 0)
    _later(m, it.hours, _reopen, m, it.a, it.b)


def _reopen(m: Model, a: str, b: str) -> None:
    for lk in _links(m, a, b):
        if lk.blocked:
            m.net.clear(lk)
            m.log("link_reopened", f"{a}-{b}", 0)
    m.roads.dispatch()


# -- facilities --------------------------------------------------------------------------------
def _close_shelter(m: Model, it: CloseShelter) -> None:
    s = next(x for x in m.shelters.list if x.name == it.shelter)
    m.shelters.close(s)
    _later(m, it.hours, m.shelters.reopen, s)


def _hospital_out(m: Model, it: HospitalOut) -> None:
    h = next(x for x in m.medical.hospitals if x.name == it.hospital)
    until = math.inf if it.hours is None else m.env.now + it.hours
    fo = FacilityOutage(h.name, "hospital", h.zone, float(m.env.now), until, "inject", 1.0)
    m.outage(fo, True)
    _later(m, it.hours, m.outage, fo, False)


def _stock_point_lost(m: Model, it: StockPointLost) -> None:
    p = m.logistics.point_by_name[it.point]
    until = math.inf if it.hours is None else m.env.now + it.hours
    fo = FacilityOutage(p.name, "stock_point", p.zone, float(m.env.now), until, "inject", 1.0)
    m.outage(fo, True)
    if it.share_lost > 0:
        m.logistics.lose(p, it.share_lost)
    _later(m, it.hours, m.outage, fo, False)


# -- harm --------------------------------------------------------------------------------------
def _shares(m: Model, it: _Harm) -> tuple[float, tuple[float, float, float], float, float]:
    """(killed, injured 1-3, trapped, home loss) probabilities per person present and unhurt."""
    hurt = (it.killed, it.injured_1, it.injured_2, it.injured_3, it.trapped)
    if it.sized_by == "share":
        k, i1, i2, i3, t = hurt
        return k, (i1, i2, i3), t, it.homes_lost
    z = m.zone_index[it.zone]
    here = sum(m.ledger.count(s, z) for s in (State.at_home, State.warned, State.exposed))
    if here == 0:
        return 0.0, (0.0, 0.0, 0.0), 0.0, 0.0
    p = [min(1.0, x / here) for x in hurt]
    total = sum(p)
    if total > 1.0:
        p = [x / total for x in p]
    left = here * (1.0 - sum(p))
    home = min(1.0, it.homes_lost / left) if left > 0 else 0.0
    return p[0], (p[1], p[2], p[3]), p[4], home


def _aftershock(m: Model, it: Aftershock) -> None:
    z = m.zone_index[it.zone]
    killed, injured, trapped, home = _shares(m, it)
    now = float(m.env.now)
    closed = None if it.roads_closed_h is None else (now, now + it.roads_closed_h)
    m.episode(Episode(now, z, "aftershock (inject)", it.intensity, home, killed, injured,
                      trapped, closed))
    if it.road_block > 0:
        m.roads.block(z, it.road_block)


def _extra_rain(m: Model, it: ExtraRain) -> None:
    z = m.zone_index[it.zone]
    killed, injured, trapped, home = _shares(m, it)
    m.injected_strike(z, Strike(float(m.env.now), it.mechanism, home, killed, injured, trapped,
                                it.road_block))


# -- supplies and teams ------------------------------------------------------------------------
def _release(m: Model, name: str) -> None:
    s = next(x for x in m.supply.supplies if x.name == name)
    if name in m.supply.called:
        m.log("supply_already_called", name, 0)
    m.supply.call(s)


def _teams(m: Model, fleet: str, count: int) -> tuple[list[TeamUnit], list[TeamUnit]]:
    """Up to ``count`` teams of ``fleet``: the idle ones first, then teams at work."""
    units = [t for t in m.teams if t.fleet == fleet]
    idle = [t for t in units if not t.busy][:count]
    return idle, [t for t in units if t.busy][:count - len(idle)]


def _when_free(m: Model, team: TeamUnit) -> WhenFree | None:
    """The orders of the dispatcher that frees ``team`` (None: no dispatcher uses it)."""
    if "rescue" in team.skills:
        return m.rescue.when_free
    if "road_clearing" in team.skills:
        return m.roads.when_free
    return None


def _team_unavailable(m: Model, it: TeamUnavailable) -> None:
    idle, busy = _teams(m, it.fleet, it.count)
    until = float(m.env.now) + it.hours
    for t in idle:
        _unavailable(m, t, until)
    m.log("teams_unavailable", it.fleet, len(idle))
    _later(m, it.hours, _teams_back, m, idle)
    for t in busy:  # at work: unavailable from when they finish, to the same end
        orders = _when_free(m, t)
        if orders is not None:
            orders.add(t, partial(_unavailable_later, m, until=until))
    if busy:
        m.log("teams_unavailable_when_free", it.fleet, len(busy))


def _unavailable(m: Model, t: TeamUnit, until: float) -> None:
    t.busy = True
    t.note(float(m.env.now), until, "unavailable", t.location)


def _unavailable_later(m: Model, t: TeamUnit, until: float) -> None:
    if until > m.env.now:
        _unavailable(m, t, until)
        m.log("teams_unavailable", t.fleet, 1)
        m.env.process(m.call_at(until, _teams_back, m, [t]))


def _teams_back(m: Model, teams: list[TeamUnit]) -> None:
    for t in teams:
        t.busy = False
    if teams:
        m.log("teams_back", teams[0].fleet, len(teams))
    m.rescue.dispatch()
    m.roads.dispatch()


def _dispatch_team(m: Model, it: DispatchTeam) -> None:
    z = m.zone_index[it.zone]
    idle, busy = _teams(m, it.fleet, it.count)
    skills = next(t.skills for t in m.sc.teams if t.name == it.fleet)
    task: str = it.task or next(t for t, skill in SKILL_OF_TASK.items() if skill in skills)
    label = f"{it.fleet}>{it.zone}"
    sent = sum(_send(m, t, z, task) for t in idle)
    m.log("teams_dispatched", label, sent)
    if len(idle) > sent:
        m.log("teams_staged", label, len(idle) - sent)
    orders = m.rescue.when_free if task == "rescue" else m.roads.when_free
    for t in busy:  # at work: sent when they finish their task
        orders.add(t, partial(_send_later, m, zone=z, task=task, label=label))
    if busy:
        m.log("teams_ordered", label, len(busy))


def _send(m: Model, t: TeamUnit, zone: int, task: str) -> bool:
    """Send idle team ``t`` to work in ``zone``; else stage it there. True if sent to work."""
    if m.rescue.send(t, zone) if task == "rescue" else m.roads.send(t, zone):
        return True
    t.busy = True  # at once, so that no dispatcher takes it before it leaves
    m.env.process(_stage(m, t, zone))
    return False


def _send_later(m: Model, t: TeamUnit, zone: int, task: str, label: str) -> None:
    m.log("teams_dispatched" if _send(m, t, zone, task) else "teams_staged", label, 1)


def _stage(m: Model, t: TeamUnit, zone: int) -> Generator[Any, Any, None]:
    """Drive team ``t`` (marked busy) to ``zone`` and leave it there, idle (pre-positioned)."""
    start = float(m.env.now)
    yield from drive(m, t, zone)
    t.busy_h += float(m.env.now) - start
    t.busy = False
    m.rescue.dispatch()
    m.roads.dispatch()


# -- evacuation, level, logistics rules --------------------------------------------------------
def _order(m: Model, zones: list[str], share: float | None, by: float | None) -> None:
    for name in zones:
        z = m.zone_index[name]
        target = share if share is not None else min(1.0, m.evac.target_share[z] + (by or 0.0))
        m.evac.order(z, target)


def _raise_level(m: Model, it: RaiseResponseLevel) -> None:
    if m.response_level is not None and it.level >= m.response_level:
        m.log("response_level_unchanged", str(it.level), m.response_level)
        return
    m.response_level = it.level
    m.log("response_level", str(it.level), 0)
    for s in m.supply.supplies:
        if (s.kind == "agreement" and it.level <= AGREEMENT_LEVEL) or (
                s.kind == "mutual_aid" and it.level <= MUTUAL_AID_LEVEL):
            m.supply.call(s)


def _priority(m: Model, it: SetDeliveryPriority) -> None:
    idx = {s.idx for s in m.shelters.list if s.name in it.shelters}
    zones = {m.zone_index[z] for z in it.zones}
    m.log("delivery_priority", ",".join([*it.shelters, *it.zones]), len(idx))
    m.logistics.set_priority(idx, zones)


def _dispatch_rule(m: Model, it: SetDispatchRule) -> None:
    m.log("dispatch_rule", it.rule, 0)
    m.logistics.set_dispatch_rule(it.rule)


def apply_intervention(m: Model, it: Intervention) -> None:
    """Carry out an intervention on a running model (at the current time)."""
    m.log("intervention", it.kind, 0)
    if isinstance(it, AddStock):
        _add_stock(m, it.point, it.items)
    elif isinstance(it, AddVehicles):
        _add_vehicles(m, it.fleet, it.count)
    elif isinstance(it, OpenShelter):
        m.shelters.add(it.name, m.zone_index[it.zone], it.capacity, it.usable_area_m2, m.env.now)
        m.evac.retry_unplaced()
    elif isinstance(it, CloseRoads):
        m.net.add_closure(m.zone_index[it.zone], m.env.now, m.env.now + it.hours)
    elif isinstance(it, Branch):
        m.streams.branch(f"{it.at_h!r}#{it.branch}")
    elif isinstance(it, CutLink):
        _cut(m, it)
    elif isinstance(it, ReopenLink):
        _reopen(m, it.a, it.b)
    elif isinstance(it, CloseShelter):
        _close_shelter(m, it)
    elif isinstance(it, HospitalOut):
        _hospital_out(m, it)
    elif isinstance(it, StockPointLost):
        _stock_point_lost(m, it)
    elif isinstance(it, Aftershock):
        _aftershock(m, it)
    elif isinstance(it, ExtraRain):
        _extra_rain(m, it)
    elif isinstance(it, SupplierDelayed):
        m.supply.delay(it.supplier, it.hours)
    elif isinstance(it, TeamUnavailable):
        _team_unavailable(m, it)
    elif isinstance(it, DispatchTeam):
        _dispatch_team(m, it)
    elif isinstance(it, ReleaseAgreement):
        _release(m, it.supply)
    elif isinstance(it, RequestMutualAid):
        m.log("mutual_aid_requested", it.fleet or it.point or "", it.count or 0)
        m.env.process(m.call_at(m.env.now + it.lead_h, _mutual_aid, m, it))
    elif isinstance(it, OrderEvacuation):
        _order(m, it.zones, it.share, None)
    elif isinstance(it, ExtendEvacuation):
        _order(m, it.zones, None, it.by)
    elif isinstance(it, RaiseResponseLevel):
        _raise_level(m, it)
    elif isinstance(it, SetDispatchRule):
        _dispatch_rule(m, it)
    elif isinstance(it, SetDeliveryPriority):
        _priority(m, it)
