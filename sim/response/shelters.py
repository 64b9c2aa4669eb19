"""Shelters: opening, allocation, registration, relief, daily rations, closure.

A shelter opens its opening delay after the warning, or after its staff team arrives when it
names one (a team opens its shelters one after another). Reserve sites open only when the
others are full. People are allocated to the nearest shelter with room (overflow moves on);
arriving people queue at the registration desks (FIFO, several desks, exponential service per
household) and are sheltered once registered. A shelter that the hazard makes unusable closes
and its people are moved to the nearest shelter with room.

A person is *relieved* (基本生活救助) when they are admitted to an open shelter that holds their
first day's ration and their one-off items (bedding) for every *basic* need. Relieved people then
draw a daily ration every 24 hours; a ration that cannot be served is late, and the delay is
counted in person-hours. Each shelter keeps stock to cover its assigned people for
``logistics.cover_days`` and orders the shortfall from the logistics system.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.response.cohorts import Cohort
from sim.response.ledger import State
from sim.response.quantities import above, minus_floor, plus, total
from sim.response.vehicles import TeamUnit, drive
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["Desks", "ShelterState", "Shelters"]

EPS = 1e-9
REGISTRATION_BATCH_H = 0.25
"""Households of one arriving group registered within this many hours are admitted together."""


class Desks:
    """A FIFO queue in front of ``c`` identical registration desks.

    Fed Poisson arrivals with exponential service it is an M/M/c queue.
    Jobs are served in arrival order by the first desk to come free, which is exactly what a
    SimPy ``Resource`` of capacity ``c`` does; computing the start time at arrival avoids one
    process per household.
    """

    def __init__(self, c: int, mean_h: float, rng: np.random.Generator) -> None:
        self.free_at = [-math.inf] * c
        """When each desk comes free (a heap); free from the start of any clock, negative ones
        included (runs start before the onset)."""
        self.mean_h = mean_h
        self.rng = rng
        self.waits: list[float] = []
        self.busy_h = 0.0

    def serve(self, arrival_h: float, n: int = 1) -> list[float]:
        """Queue ``n`` households arriving at ``arrival_h``; return when each is registered.

        The service times are drawn in one call, which gives the same numbers as ``n`` draws.
        """
        free = self.free_at  # a heap: the desk that comes free first is on top
        services = (self.rng.exponential(self.mean_h, size=n).tolist() if self.mean_h > 0
                    else [0.0] * n)
        done: list[float] = []
        waits = self.waits
        busy = self.busy_h
        for service in services:
            start = free[0] if free[0] > arrival_h else arrival_h
            heapq.heapreplace(free, start + service)
            waits.append(start - arrival_h)
            done.append(start + service)
            busy += service
        self.busy_h = busy
        return done


@dataclass(eq=False)
class ShelterState:
    """The live state of one shelter during a run."""

    idx: int
    name: str
    zone: int
    capacity: int
    area_m2: float | None
    opens_at: float
    inventory: list[float]
    """Stock on hand per item (Python floats: a shelter's few items are updated at every
    issue, delivery and order, where numpy's per-call cost was most of the work)."""
    on_order: list[float]
    assigned: int = 0
    """People allocated to the shelter: on their way or present."""
    present: int = 0
    """People admitted (in the ledger as sheltered)."""
    peak: int = 0
    relieved_present: int = 0
    """People present who have had their first issue."""
    reserve: bool = False
    point: bool = False
    """A zone's distribution point for dispersed families, not a shelter (it holds nobody)."""
    active: bool = True
    """Counted for allocation (reserve sites become active when needed)."""
    is_open: bool = False
    closed: bool = False
    opening_delay_h: float = 0.0
    desks: Desks | None = None
    pending: list[Cohort] = field(default_factory=list)
    """Arrived before the shelter opened."""
    waiting: list[Cohort] = field(default_factory=list)
    relieved: list[Cohort] = field(default_factory=list)
    hungry: list[Cohort] = field(default_factory=list)
    arrived_needing: int = 0
    """People who reached the point needing their first relief (recording only)."""
    relieved_total: int = 0
    """People given their first relief here (recording only)."""
    received: list[float] | None = None
    """Stock received for first issues: prepositioned plus deliveries, less the later days'
    rations issued (recording only; None until first used)."""
    cover_log: list[tuple[float, int, float]] = field(default_factory=list)
    """(hour, arrived_needing, people whose first day ``received`` covers) at each change."""
    received_log: list[tuple[float, list[float]]] = field(default_factory=list)
    """Deliveries received, ``(hour, quantities)`` (recording only)."""
    issued_log: list[tuple[float, int, list[float]]] = field(default_factory=list)
    """Issues to people, ``(hour, people, quantities)`` (recording only)."""
    lost_log: list[tuple[float, list[float]]] = field(default_factory=list)
    """Stock lost when the shelter closed, ``(hour, quantities)`` (recording only)."""

    @property
    def room(self) -> int:
        """Places not yet allocated (none in a closed or inactive shelter)."""
        return self.capacity - self.assigned if self.active and not self.closed else 0



class Shelters:
    """Every shelter of a run and the rules that fill and supply them."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        rule = sc.response.shelter
        zone_of = model.zone_index
        items = model.items
        self.per_day = model.per_day
        self.once = model.once
        self.first = self.per_day + self.once
        self.basic = model.basic
        self.first_gate = self._gate(self.first)
        self.ration_gate = self._gate(self.per_day)
        """The basic items that gate a first relief and a daily ration: (item, need per person)."""
        self.cover_days = as_float(sc.response.logistics.cover_days)
        self._per_day: list[float] = self.per_day.tolist()
        self._once: list[float] = self.once.tolist()
        self._first: list[float] = self.first.tolist()
        self._rations = bool(self.per_day.any())
        """Whether anything is issued daily (else no ration is scheduled)."""
        self.registration_h = as_float(rule.registration_min) / 60.0
        self.rng = model.streams.generator("shelters")
        self.hh_size = [z.population / z.households if z.households else 1.0 for z in sc.zones]
        self.list: list[ShelterState] = []
        self.staffed_by: dict[str, list[ShelterState]] = {}
        for i, s in enumerate(sc.shelters):
            st = self._new_state(
                i, s.name, zone_of[s.zone], s.capacity, s.usable_area_m2, math.inf,
                [as_float(s.prepositioned.get(k, 0.0)) for k in items],
                rule.admission, rule.area_per_person_m2, s.desks,
            )
            st.reserve = s.reserve
            st.active = not s.reserve
            st.opening_delay_h = as_float(s.opening_delay_h)
            if s.staff_team is not None:
                self.staffed_by.setdefault(s.staff_team, []).append(st)
            elif not s.reserve:
                st.opens_at = model.warning_at + st.opening_delay_h
            self.list.append(st)
        self.ration_delay_person_h = 0.0
        self.closed_count = 0
        self._order_cache: dict[tuple[int, int, int], list[ShelterState]] = {}
        self.points: dict[int, ShelterState] = {}
        """Distribution points for dispersed families, by zone (``dispersed_relief:
        delivered``); their index is ``-2 - zone``, apart from the shelters'."""

    def by_idx(self, idx: int) -> ShelterState:
        """The shelter, or the distribution point (negative index), with index ``idx``."""
        return self.list[idx] if idx >= 0 else self.points[-2 - idx]

    # -- distribution points for dispersed families ------------------------------------------
    def join_point(self, c: Cohort) -> None:
        """Dispersed cohort ``c`` registers at its zone's distribution point for relief.

        The point orders their first day's items and ``cover_days`` of rations like a shelter
        does; they are relieved when the items are there. Nobody is housed at a point.
        """
        s = self.points.get(c.home)
        if s is None:
            z = c.home
            s = self.points[z] = ShelterState(
                -2 - z, f"{self.m.zone_names[z]}/distribution", z, 0, None, -math.inf,
                [0.0] * len(self.m.items), [0.0] * len(self.m.items), point=True,
                active=False, is_open=True)
        c.where = s.idx
        s.assigned += c.n
        s.waiting.append(c)
        if c.relieved_at is None:
            s.arrived_needing += c.n
            self._log_cover(s)
        self.serve(s)

    def leave_point(self, c: Cohort, k: int) -> None:
        """``k`` people of dispersed cohort ``c`` go home: the point stops providing for them."""
        s = self.points[c.home]
        if self.m.distribution.waiting(c):  # items set aside, not yet handed out
            s.relieved_present -= k
        self._drop(s, c, k)

    @staticmethod
    def _drop(s: ShelterState, c: Cohort, k: int) -> None:
        """``k`` people of cohort ``c`` are no longer provided for by ``s``."""
        s.assigned -= k
        if c.relieved_at is not None:
            s.relieved_present -= k
        c.n -= k
        if c.n == 0:
            for lst in (s.waiting, s.relieved, s.hungry):
                if c in lst:
                    lst.remove(c)

    def start(self) -> None:
        """Schedule openings: by time, or by the arrival of each shelter's staff team."""
        m = self.m
        for st in self.list:
            if math.isfinite(st.opens_at):
                m.env.process(m.call_at(st.opens_at, self.open, st))
        for team_name, shelters in self.staffed_by.items():
            unit = next(t for t in m.teams if t.fleet == team_name)
            unit.busy = True  # kept for opening its shelters until they are open
            m.env.process(self._staff(unit, shelters))

    def _staff(self, unit: TeamUnit, shelters: list[ShelterState]) -> Generator[Any, Any, None]:
        m = self.m
        if m.warning_at > m.env.now:
            yield m.env.timeout(m.warning_at - m.env.now)
        for st in shelters:
            yield from drive(m, unit, st.zone)
            t0 = float(m.env.now)
            st.opens_at = t0 + st.opening_delay_h
            yield m.env.timeout(st.opening_delay_h)
            unit.note(t0, float(m.env.now), "open_shelter", st.zone)
            self.open(st)
        unit.busy = False
        m.rescue.dispatch()
        m.roads.dispatch()

    def open(self, s: ShelterState) -> None:
        """Shelter ``s`` opens: people waiting at its door are registered."""
        if s.is_open or s.closed:
            return
        s.is_open = True
        self.m.log("shelter_open", s.name, s.capacity)
        pending, s.pending = s.pending, []
        for c in pending:
            self._register(s, c)

    def _new_state(self, idx: int, name: str, zone: int, capacity: int | None,
                   area: float | None, opens_at: float, inventory: list[float],
                   admission: str, area_per_person: float, desks: int) -> ShelterState:
        by_area = None if area is None else int(math.floor(area / area_per_person + EPS))
        if admission == "area_standard" and by_area is not None:
            cap = by_area
        else:
            cap = capacity if capacity is not None else (by_area or 0)
        st = ShelterState(idx, name, zone, cap, area, opens_at, [float(x) for x in inventory],
                          [0.0] * len(inventory))
        if self.registration_h > 0:
            st.desks = Desks(desks, self.registration_h, self.rng)
        return st

    def add(self, name: str, zone: int, capacity: int | None, area: float | None,
            opens_at: float) -> ShelterState:
        """Open a new shelter during the run (a reserve site)."""
        rule = self.m.sc.response.shelter
        s = self._new_state(len(self.list), name, zone, capacity, area, opens_at,
                            [0.0] * len(self.m.items), rule.admission, rule.area_per_person_m2,
                            2)
        self.list.append(s)
        self.m.log("shelter_added", name, s.capacity)
        self.m.env.process(self.m.call_at(opens_at, self.open, s))
        return s

    # -- allocation --------------------------------------------------------------------------
    def allocate(self, zone: int, n: int, local: bool = False) -> list[tuple[ShelterState, int]]:
        """Reserve places for ``n`` people of ``zone``: nearest shelter with room first.

        With ``local``, only shelters in ``zone`` itself (reached on foot while its roads are
        closed). Returns the (shelter, count) parts; their counts sum to at most ``n`` (less
        when every shelter is full).
        """
        parts: list[tuple[ShelterState, int]] = []
        left = n
        order = self._nearest(zone)
        if local:
            order = [s for s in order if s.zone == zone]
        for s in order:
            if left == 0:
                break
            k = min(left, s.room)
            if k > 0:
                s.assigned += k
                left -= k
                parts.append((s, k))
        for s in order:  # the others are full: open reserve sites, nearest first
            if left == 0:
                break
            if s.reserve and not s.active and not s.closed:
                self._activate(s)
                k = min(left, s.room)
                s.assigned += k
                left -= k
                parts.append((s, k))
        for s, _ in parts:
            self.reorder(s)
        return parts

    def _nearest(self, zone: int) -> list[ShelterState]:
        """Shelters by road time from ``zone`` (cached until the routes or the list change)."""
        net = self.m.net
        key = (zone, net.row_version[zone], len(self.list))
        order = self._order_cache.get(key)
        if order is None:
            row = net.rank_row(zone)
            order = sorted(self.list, key=lambda s: (row[s.zone], s.idx))
            self._order_cache[key] = order
        return order

    def _activate(self, s: ShelterState) -> None:
        m = self.m
        s.active = True
        s.opens_at = float(m.env.now) + s.opening_delay_h
        m.log("reserve_activated", s.name, s.capacity)
        m.env.process(m.call_at(s.opens_at, self.open, s))

    def free_room(self) -> int:
        """Places not yet allocated, over all shelters."""
        return sum(max(0, s.room) for s in self.list)

    # -- arrival and admission ---------------------------------------------------------------
    def arrive(self, s: ShelterState, c: Cohort) -> None:
        """A cohort reaches shelter ``s``.

        It registers now, or when the shelter opens; if the shelter has closed, it is sent on
        to another.
        """
        if s.closed:
            s.assigned -= c.n
            self.m.evac.place(c, origin=s.zone)
            return
        if c.relieved_at is None:
            s.arrived_needing += c.n
            self._log_cover(s)
        if s.is_open:
            self._register(s, c)
        else:
            s.pending.append(c)

    def _register(self, s: ShelterState, c: Cohort) -> None:
        """Queue the cohort's households at the desks; each is sheltered once registered."""
        if s.desks is None:
            self._admit(s, c)
            return
        env = self.m.env
        now = float(env.now)
        households = max(1, math.ceil(c.n / self.hh_size[c.home] - EPS))
        base, extra = divmod(c.n, households)
        # Households registered within the same batch window are admitted together at the
        # last one's time: fewer events, and nobody is admitted before being registered.
        batch_people, batch_end = 0, -math.inf
        for i, done in enumerate(s.desks.serve(now, households)):
            if batch_people and done - batch_end > REGISTRATION_BATCH_H:
                self._admit_later(s, c.split(batch_people), batch_end)
                batch_people = 0
            if not batch_people:
                batch_end = done
            batch_people += base + (1 if i < extra else 0)
            batch_end = max(batch_end, done)
        self._admit_later(s, c, batch_end)

    def _admit_later(self, s: ShelterState, c: Cohort, at: float) -> None:
        if c.n == 0:
            return
        self.m.cohorts.append(c)
        ev = self.m.env.timeout(at - self.m.env.now)
        ev.callbacks.append(partial(self._admit_event, s, c))

    def _admit_event(self, s: ShelterState, c: Cohort, _event: object) -> None:
        self._admit(s, c)

    def _admit(self, s: ShelterState, c: Cohort) -> None:
        m = self.m
        if s.closed:
            s.assigned -= c.n
            m.evac.place(c, origin=s.zone)
            return
        m.ledger.move(m.env.now, c.home, State.evacuating, State.sheltered, c.n)
        c.where = s.idx
        s.present += c.n
        s.peak = max(s.peak, s.present)
        m.log("admitted", s.name, c.n)
        if c.relieved_at is None:
            s.waiting.append(c)
        else:  # relieved before, moved from a closed shelter
            s.relieved.append(c)
            s.relieved_present += c.n
            if math.isfinite(c.next_ration_h):
                self._schedule_ration(s, c, max(c.next_ration_h, float(m.env.now)))
        self.serve(s)

    def close(self, s: ShelterState) -> None:
        """Shelter ``s`` becomes unusable: its people move to the nearest shelter with room."""
        m = self.m
        if s.closed:
            return
        s.closed = True
        s.is_open = False
        self.closed_count += 1
        m.log("shelter_closed", s.name, s.present)
        movers: list[Cohort] = []
        for lst in (s.waiting, s.relieved):
            for c in lst:
                if c.n > 0 and c not in movers:
                    movers.append(c)
        for c in movers:
            m.ledger.move(m.env.now, c.home, State.sheltered, State.evacuating, c.n)
            c.where = -1
        s.assigned -= s.present + sum(c.n for c in s.pending)
        s.present = 0
        s.relieved_present = 0
        pending, s.pending, s.waiting, s.relieved, s.hungry = s.pending, [], [], [], []
        s.lost_log.append((float(m.env.now), s.inventory))
        s.inventory = [0.0] * len(s.inventory)
        # the people not yet relieved here are counted where they go; what it issued stays in
        s.arrived_needing = s.relieved_total
        s.received = [f * s.relieved_total for f in self._first]
        self._log_cover(s)
        for c in movers + pending:
            m.evac.place(c, origin=s.zone)

    def reopen(self, s: ShelterState) -> None:
        """A closed shelter is usable again (empty, to be filled and supplied afresh)."""
        if s.closed:
            s.closed = False
            self.m.log("shelter_reopened", s.name, s.capacity)
            self.open(s)
            self.m.evac.retry_unplaced()

    # -- relief and rations -------------------------------------------------------------------
    def _gate(self, need: np.ndarray) -> list[tuple[int, float]]:
        return [(int(i), float(need[i])) for i in np.flatnonzero(self.basic & (need > 0))]

    def _servable(self, s: ShelterState, gate: list[tuple[int, float]], n: int) -> int:
        """How many of ``n`` people the shelter's stock can serve (basic items gate)."""
        k = n
        inventory = s.inventory
        for i, per in gate:
            k = min(k, int(math.floor(inventory[i] / per + EPS)))
        return max(k, 0)

    def _issue(self, s: ShelterState, need: list[float], k: int) -> None:
        # numpy's minimum and maximum, element by element (the same values, -0.0 included);
        # a plain loop: comprehensions over zip cost as much as numpy on three items
        take: list[float] = []
        left: list[float] = []
        for a, n in zip(s.inventory, need, strict=True):
            b = n * k
            t = a if a <= b else b
            x = a - t
            take.append(t)
            left.append(x if x >= 0.0 else 0.0)
        s.inventory = left
        s.issued_log.append((float(self.m.env.now), k, take))

    def serve(self, s: ShelterState) -> None:
        """Relieve waiting cohorts, then feed late rations, as far as the stock allows."""
        m = self.m
        now = m.env.now
        while s.waiting and now + EPS >= s.opens_at:
            c = s.waiting[0]
            k = self._servable(s, self.first_gate, c.n)
            if k == 0:
                break
            if k < c.n:
                c = c.split(k)
            else:
                s.waiting.pop(0)
            self._issue(s, self._first, c.n)
            s.relieved_total += c.n
            if s.point:  # a distribution point: the village teams hand the items out
                m.distribution.ready(s, c)
                continue
            c.relieved_at = now
            m.relief.close(c)
            s.relieved.append(c)
            s.relieved_present += c.n
            m.log("relieved", s.name, c.n)
            self._schedule_ration(s, c, now + 24.0)
        while s.hungry:
            c = s.hungry[0]
            k = self._servable(s, self.ration_gate, c.n)
            if k == 0:
                break
            if k < c.n:
                c = c.split(k)
                s.relieved.append(c)
            else:
                s.hungry.pop(0)
            self._issue(s, self._per_day, c.n)
            self._ration_issued(s, c.n)
            self.ration_delay_person_h += c.n * (now - c.next_ration_h)
            self._schedule_ration(s, c, now + 24.0)
        self.reorder(s)

    def schedule_ration(self, s: ShelterState, c: Cohort, at: float) -> None:
        """Schedule cohort ``c``'s next daily ration at ``s`` at time ``at``."""
        self._schedule_ration(s, c, at)

    def _schedule_ration(self, s: ShelterState, c: Cohort, at: float) -> None:
        c.next_ration_h = at
        if at >= self.m.end_h or not self._rations:
            return
        ev = self.m.env.timeout(at - self.m.env.now)
        ev.callbacks.append(lambda _e: self._ration(s, c))

    def _ration(self, s: ShelterState, c: Cohort) -> None:
        if c.n == 0 or c.where != s.idx:
            return  # gone home, or moved to another shelter
        k = self._servable(s, self.ration_gate, c.n)
        if k < c.n:
            late = c.split(c.n - k) if k > 0 else c
            s.hungry.append(late)
            if k > 0:
                s.relieved.append(late)
            self.m.log("ration_short", s.name, late.n)
        if k > 0:
            self._issue(s, self._per_day, k)
            self._ration_issued(s, k)
            self._schedule_ration(s, c, c.next_ration_h + 24.0)
        self.reorder(s)

    # -- supply ------------------------------------------------------------------------------
    def reorder(self, s: ShelterState) -> None:
        """Order what is missing to cover the assigned people for ``cover_days``."""
        pending_once = max(s.assigned - s.relieved_present, 0)
        # Python floats over the few items: the same operations in the same order as numpy's
        # element-wise ones, without their per-call cost (most calls find nothing short).
        assigned, days = s.assigned, self.cover_days
        need: list[float] = []
        for p, o, i, q in zip(self._per_day, self._once, s.inventory, s.on_order, strict=True):
            need.append(assigned * p * days + pending_once * o - i - q)
        short, missing = above(need, EPS)
        if missing:
            s.on_order = plus(s.on_order, short)
            self.m.logistics.request(s, short)

    def deliver(self, s: ShelterState, qty: np.ndarray | list[float]) -> None:
        """Receive a delivery (per item)."""
        q: list[float] = qty.tolist() if isinstance(qty, np.ndarray) else list(qty)
        s.received_log.append((float(self.m.env.now), q))
        s.inventory = plus(s.inventory, q)
        s.on_order = minus_floor(s.on_order, q, 1)
        s.received = plus(self._received(s), q)
        self._log_cover(s)
        self.m.log("delivered", s.name, round(total(q)))
        self.serve(s)

    # -- recording: first-day supplies in place ---------------------------------------------
    def _received(self, s: ShelterState) -> list[float]:
        if s.received is None:
            s.received = list(s.inventory)  # the prepositioned stock, before any issue
        return s.received

    def _ration_issued(self, s: ShelterState, k: int) -> None:
        """A later day's ration for ``k`` people came out of the stock received."""
        s.received = minus_floor(self._received(s), self._per_day, k)
        self._log_cover(s)

    def _log_cover(self, s: ShelterState) -> None:
        """Record how many people's first day the stock received covers, and who came."""
        received = self._received(s)
        covered = min((received[i] / per for i, per in self.first_gate), default=math.inf)
        s.cover_log.append((float(self.m.env.now), s.arrived_needing, covered))

    # -- departure ---------------------------------------------------------------------------
    def release(self, s: ShelterState, c: Cohort, k: int, dst: State) -> None:
        """``k`` people of cohort ``c`` leave shelter ``s`` for state ``dst``."""
        m = self.m
        if k <= 0:
            return
        m.ledger.move(m.env.now, c.home, State.sheltered, dst, k)
        s.present -= k
        self._drop(s, c, k)
        m.log("left_shelter", s.name, k)

    def cohorts_from(self, s: ShelterState, zone: int) -> list[Cohort]:
        """Cohorts present in ``s`` whose home is ``zone`` (each listed once)."""
        seen: list[Cohort] = []
        for lst in (s.waiting, s.relieved, s.hungry):
            for c in lst:
                if c.home == zone and c.n > 0 and c not in seen:
                    seen.append(c)
        return seen
