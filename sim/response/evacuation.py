"""Warning, evacuation, the hazard's strike on people in place, and the return home.

The chain, per zone:

1. The warning is issued ``warning_lead_h`` before onset, passes down the chain to each zone's
   tier and reaches ``coverage`` of the people, spread over ``spread_h`` hours in hourly
   cohorts; with ``channels``, each channel reaches its people after its delay, a person being
   warned by the first working channel that reaches them (:mod:`sim.response.warning`).
2. Of each warned cohort, the targeted share (``zone.evacuation_share``) is drawn, then those who
   comply; they leave after the mobilisation delay, unless the roads have closed or the hazard
   has struck by then.
3. People leaving home go to relatives (``dispersed_share``) or to the nearest shelter with room,
   by their own means or, for ``transport_share`` of them, by evacuation bus.
4. Each mechanism strikes the people present and unhurt in the zone at its own time (killed,
   injured, trapped, home lost): people who left before it (while the roads were open) or were
   moved out of hazard points are spared; from the first harm nobody else leaves; at the
   all-clear (roads reopen) the unhurt go home and those whose home is lost
   look for a place to stay, like evacuees.
5. ``return_after_h`` after the all-clear, people whose home is usable leave shelters and
   relatives; people whose home was lost (same probability as for those who stayed) remain.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.response.cohorts import Cohort
from sim.response.ledger import State
from sim.response.vehicles import IdleIndex, Vehicle, drive, go_home
from sim.response.warning import WarningChannels
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.hazards.impact import Episode, Strike
    from sim.response.model import Model
    from sim.response.shelters import ShelterState

__all__ = ["Bus", "Evacuation", "concentrate"]


@dataclass(eq=False)
class Bus(Vehicle):
    """An evacuation bus or boat."""

    capacity: int = 0


def concentrate(p: tuple[float, ...], c: float, share: float
                ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Split zone-average outcome probabilities between the targeted residents and the rest.

    A share ``c`` of each outcome's expected count falls on the targeted ``share`` of residents:
    their probability is ``p c / share``, the others' ``p (1 - c) / (1 - share)``. Where that
    would exceed 1 for the targeted, the excess falls on the others, so the zone's expected
    harm is unchanged. The casualty outcomes (all but the last, home loss) are scaled down
    together if they would sum above 1.
    """
    risk, rest = [], []
    for q in p:
        a = min(1.0, q * c / share)
        b = (q - a * share) / (1.0 - share)
        risk.append(a)
        rest.append(min(1.0, max(0.0, b)))
    for group in (risk, rest):
        total = sum(group[:-1])
        if total > 1.0:
            group[:-1] = [x / total for x in group[:-1]]
    return tuple(risk), tuple(rest)


EVACUATION_KINDS = ("bus", "boat")
"""Vehicle kinds that carry evacuees."""


class Evacuation:
    """Warning, departures, buses, the strike and the return, for every zone."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        ev = sc.response.evacuation
        self.rng = model.rng_behaviour
        rule = sc.response.warning
        self.coverage = as_float(rule.coverage) if rule.coverage is not None else 0.0
        self.spread_h = as_float(rule.spread_h)
        self.channels = WarningChannels(model)
        """The warning's channels, outages and reach records."""
        self.targeted_warned = [0] * len(sc.zones)
        """People of the evacuation order whom the warning reached before their zone's onset."""
        self.compliance = as_float(ev.compliance)
        self.mobilisation_h = as_float(ev.mobilisation_h)
        self.dispersed_share = as_float(ev.dispersed_share)
        self.transport_share = as_float(ev.transport_share)
        self.own_speed = ev.own_means_speed_kmh
        self.return_after_h = as_float(ev.return_after_h)
        self.target_share = [as_float(z.evacuation_share) for z in sc.zones]
        self.targeted_total = sum(z.population * sh for z, sh in zip(sc.zones, self.target_share,
                                                                     strict=True))
        self.at_risk_in_place = [round(z.population * sh)
                                 for z, sh in zip(sc.zones, self.target_share, strict=True)]
        """Targeted residents still in their zone (the order's people, by zone)."""
        rc = ev.risk_concentration
        self.concentration = None if rc is None else as_float(rc)
        """People the evacuation order targets (expected over the warning's reach)."""
        n = len(sc.zones)
        self.bus_queue: list[deque[Cohort]] = [deque() for _ in range(n)]
        self.unplaced: list[list[Cohort]] = [[] for _ in range(n)]
        self.dispersed: list[list[Cohort]] = [[] for _ in range(n)]
        self.struck = [False] * n
        self.cleared = [False] * n
        self.homeless: dict[int, Cohort] = {}
        """People whose home the hazard made unusable, waiting for the all-clear, by zone."""
        self.buses: list[Bus] = []
        """Evacuation vehicles: the bus and boat fleets (ambulances and air units serve
        medical and air requests only)."""
        self.idle: IdleIndex[Bus] = IdleIndex()
        for v in sc.vehicles:
            if v.kind in EVACUATION_KINDS:
                self.add_buses(v.name, model.zone_index[v.base], int(as_float(v.count)),
                               int(v.capacity_persons or 0), v.speed_kmh, as_float(v.unloading_h))
        self.evacuated_before_onset = 0
        self.exposed_at_onset = 0
        """People still in their zone when the hazard struck, within its footprint."""
        self.failed_departures = 0
        self.moved_from_hazard_points = 0
        """People moved out of monitored hazard points before the mechanism struck."""

    def add_buses(self, fleet: str, base: int, count: int, capacity: int, speed_kmh: float,
                  unloading_h: float) -> None:
        """Add ``count`` evacuation vehicles based in zone ``base``."""
        for _ in range(count):
            bus = Bus(len(self.buses), fleet, base, speed_kmh, unloading_h, base,
                      capacity=capacity)
            self.buses.append(bus)
            self.idle.register(bus)
        if self.m.started:
            self.dispatch_buses()

    # -- warning and departure ---------------------------------------------------------------
    def warning(self, zones: list[int]) -> Generator[Any, Any, None]:
        """Spread the warning over ``zones`` in hourly slices from now (it reached their tier)."""
        m = self.m
        every = len(zones) == len(m.zone_names)
        m.log("warning_reaches_people",
              "all" if every else ",".join(m.zone_names[z] for z in zones), 0)
        if m.sc.response.warning.channels:
            yield from self._warning_channels(zones)
            return
        slices = max(1, math.ceil(self.spread_h - 1e-9))
        widths = np.ones(slices)
        widths[-1] = self.spread_h - (slices - 1) if self.spread_h > slices - 1 else 1.0
        p = widths / widths.sum()
        pops = m.ledger.population
        reach = {z: self.rng.multinomial(self.rng.binomial(int(pops[z]), self.coverage), p)
                 for z in zones}
        for k in range(slices):
            if k:
                yield m.env.timeout(1.0)
            for z in zones:
                self.channels.record_implicit(m.env.now, z, int(reach[z][k]))
                n = min(int(reach[z][k]), m.ledger.count(State.at_home, z))
                if n == 0 or self.struck[z]:
                    continue
                self._warned(z, n)

    def _warning_channels(self, zones: list[int]) -> Generator[Any, Any, None]:
        """The warning reaches ``zones`` by the rule's channels (first working channel wins)."""
        m = self.m
        for t, z, c, n in self.channels.plan(zones, self.rng, m.env.now):
            if t > m.env.now:
                yield m.env.timeout(t - m.env.now)
            new = self.channels.deliver(m.env.now, z, c, n, self.rng)
            n = min(new, m.ledger.count(State.at_home, z))
            if n == 0 or self.struck[z]:
                continue
            self._warned(z, n)

    def _warned(self, z: int, n: int) -> None:
        """``n`` people of zone ``z`` at home hear the warning: the order's people may leave."""
        m = self.m
        m.ledger.move(m.env.now, z, State.at_home, State.warned, n)
        targeted = int(self.rng.binomial(n, self.target_share[z]))
        self.targeted_warned[z] += targeted
        going = int(self.rng.binomial(targeted, self.compliance))
        if going:
            m.env.process(self._leave(z, going, self.mobilisation_h))

    def _leave(self, zone: int, n: int, delay: float) -> Generator[Any, Any, None]:
        m = self.m
        yield m.env.timeout(delay)
        if self.struck[zone] or m.net.is_closed(zone, m.env.now):
            self.failed_departures += n
            m.log("departure_blocked", m.zone_names[zone], n)
            return
        n = min(n, m.ledger.count(State.warned, zone))
        m.ledger.move(m.env.now, zone, State.warned, State.evacuating, n)
        self.at_risk_in_place[zone] = max(0, self.at_risk_in_place[zone] - n)
        m.log("evacuate", m.zone_names[zone], n)
        self.go_somewhere(Cohort(zone, n, m.env.now))

    def order(self, zone: int, share: float) -> int:
        """An evacuation order (a decision during the run) covers ``share`` of ``zone``.

        The zone's share of residents to evacuate rises to ``share`` (a lower one is kept), for
        the warnings still to come and for the people now at home or warned: of them, the
        share the order newly covers is drawn, hears it now (at home: warned), and those who
        comply leave after the mobilisation delay, as warned people do (:meth:`_leave`: not
        after the hazard has struck, nor into closed roads). The order's people in place grow
        by those newly covered, so the scenario's risk concentration spreads over more people.

        Returns
        -------
        int
            People newly covered who are leaving.
        """
        m = self.m
        old = self.target_share[zone]
        if share <= old:
            return 0
        self.target_share[zone] = share
        pop = int(m.ledger.population[zone])
        self.targeted_total += pop * (share - old)
        self.at_risk_in_place[zone] += round(pop * (share - old))
        f = (share - old) / (1.0 - old)
        now = m.env.now
        covered = 0
        for st in (State.at_home, State.warned):
            n = m.ledger.count(st, zone)
            k = int(self.rng.binomial(n, f)) if n else 0
            if k and st == State.at_home:
                m.ledger.move(now, zone, State.at_home, State.warned, k)
            covered += k
        self.targeted_warned[zone] += covered
        going = int(self.rng.binomial(covered, self.compliance)) if covered else 0
        m.log("evacuation_ordered", m.zone_names[zone], covered)
        if going:
            m.env.process(self._leave(zone, going, self.mobilisation_h))
        return going

    def go_somewhere(self, c: Cohort) -> None:
        """Send a cohort (state ``evacuating``) to relatives, a bus queue or a shelter."""
        m = self.m
        m.cohorts.append(c)
        z = c.home
        d = int(self.rng.binomial(c.n, self.dispersed_share))
        if d:
            part = c.split(d) if d < c.n else c
            m.cohorts.append(part)
            m.env.process(self._to_relatives(part))
            if part is c:
                return
        t = int(self.rng.binomial(c.n, self.transport_share))
        if t:
            part = c.split(t) if t < c.n else c
            m.cohorts.append(part)
            self.bus_queue[z].append(part)
            self.dispatch_buses()
            if part is c:
                return
        self.place(c)

    def _to_relatives(self, c: Cohort) -> Generator[Any, Any, None]:
        m = self.m
        hours = m.net.trip_hours(c.home, c.home, self.own_speed)
        depart = m.net.earliest_departure(c.home, c.home, m.env.now, hours)
        yield m.env.timeout(depart - m.env.now + hours)  # relatives live nearby (same zone)
        m.ledger.move(m.env.now, c.home, State.evacuating, State.dispersed, c.n)
        self.dispersed[c.home].append(c)
        policy = m.sc.response.logistics.dispersed_relief
        if policy == "hosts":
            c.relieved_at = m.env.now
            m.relief.close(c)
        elif policy == "delivered":
            m.shelters.join_point(c)

    def place(self, c: Cohort, origin: int | None = None) -> None:
        """Send a cohort (``evacuating``) by own means to the nearest shelter with room.

        The trip starts from ``origin`` (default: the cohort's home zone).
        """
        m = self.m
        start = c.home if origin is None else origin
        for s, part in self._assign(c, start):
            m.env.process(self._walk(part, s, start))

    def _assign(self, c: Cohort, origin: int | None = None) -> list[tuple[ShelterState, Cohort]]:
        """Reserve shelter places for cohort ``c`` (nearest with room first).

        Returns the parts of ``c`` with their shelter; people for whom there is no room anywhere
        become ``displaced`` and wait in the zone's unplaced list, or go to relatives when the
        shelter rule's overflow is ``relatives``.
        """
        m = self.m
        out: list[tuple[ShelterState, Cohort]] = []
        for s, k in m.shelters.allocate(c.home if origin is None else origin, c.n):
            part = c.split(k) if k < c.n else c
            m.cohorts.append(part)
            out.append((s, part))
            if part is c:
                return out
        if m.sc.response.shelter.overflow == "relatives":
            m.log("overflow_to_relatives", m.zone_names[c.home], c.n)
            m.env.process(self._to_relatives(c))
            return out
        m.ledger.move(m.env.now, c.home, State.evacuating, State.displaced, c.n)
        self.unplaced[c.home].append(c)
        m.log("unplaced", m.zone_names[c.home], c.n)
        return out

    def _walk(self, c: Cohort, s: ShelterState, origin: int) -> Generator[Any, Any, None]:
        walker = Vehicle(-1, "own_means", origin, self.own_speed, 0.0, origin)
        yield from drive(self.m, walker, s.zone)
        self.m.shelters.arrive(s, c)

    def retry_unplaced(self) -> None:
        """Give shelter places that came free to people waiting without one."""
        m = self.m
        for z, waiting in enumerate(self.unplaced):
            while waiting and m.shelters.free_room() > 0:
                c = waiting.pop(0)
                m.ledger.move(m.env.now, z, State.displaced, State.evacuating, c.n)
                self.place(c)
                if c in self.unplaced[z]:
                    break  # still no room for it

    # -- buses -------------------------------------------------------------------------------
    def dispatch_buses(self) -> None:
        """Send idle buses to zones with people waiting: oldest queue first, nearest bus."""
        m = self.m
        idle = self.idle
        if not idle:
            return
        waiting = [z for z, q in enumerate(self.bus_queue) if q]
        if not waiting:
            return
        # One bus per zone in queue order while buses last: only the first len(idle) zones of
        # the order are served (the keys are unique, so this is the sorted order's head).
        queue = self.bus_queue
        for z in heapq.nsmallest(len(idle), waiting, key=lambda z: (queue[z][0].t_need, z)):
            bus = idle.nearest(m.net, z)
            idle.take(bus)
            m.env.process(self._bus_trip(bus, z))

    def _bus_trip(self, bus: Bus, zone: int) -> Generator[Any, Any, None]:
        m = self.m
        start = m.env.now
        yield from drive(m, bus, zone)
        queue = self.bus_queue[zone]
        take = bus.capacity
        drops: list[tuple[ShelterState, Cohort]] = []
        while queue and take > 0:
            c = queue[0]
            if c.n <= take:
                queue.popleft()
            else:
                c = c.split(take)
                m.cohorts.append(c)
            take -= c.n
            drops += self._assign(c)  # those without a place get off and wait
        if drops:
            yield m.env.timeout(bus.unloading_h)  # boarding
            drops.sort(key=lambda d: (m.net.rank(zone, d[0].zone), d[0].idx))
            for s, part in drops:
                yield from drive(m, bus, s.zone)
                yield m.env.timeout(bus.unloading_h)
                m.shelters.arrive(s, part)
            bus.trips += 1
        bus.busy_h += m.env.now - start
        bus.busy = False
        self.dispatch_buses()
        if not bus.busy and bus.location != bus.home:
            yield from go_home(m, bus)
            self.dispatch_buses()

    # -- the strike, the all-clear, the return -----------------------------------------------
    def arrive(self, zone: int) -> None:
        """The hazard reaches ``zone`` (its first mechanism): count who left and who is here.

        People may still leave while the zone's roads are open, until a mechanism first harms
        the zone (:meth:`harm`).
        """
        m = self.m
        imp = m.impact.zones[zone]
        self.evacuated_before_onset += sum(
            m.ledger.counts[zone][s]
            for s in (State.evacuating, State.sheltered, State.dispersed, State.displaced)
        )
        present = sum(m.ledger.count(s, zone) for s in (State.at_home, State.warned))
        self.exposed_at_onset += round(imp.exposed_share * present)
        m.log("hazard_onset", m.zone_names[zone], present)

    def _exposed(self, zone: int) -> None:
        """The first harm in ``zone``: the people still in it are exposed and stay.

        People queueing for a bus that never came are back in the zone; nobody leaves the zone
        from now until its all-clear (except people moved from hazard points).
        """
        m = self.m
        now = m.env.now
        self.struck[zone] = True
        for c in self.bus_queue[zone]:  # the bus never came: they are still in the zone
            m.ledger.move(now, zone, State.evacuating, State.warned, c.n)
            self.failed_departures += c.n
            self.at_risk_in_place[zone] += c.n
            c.n = 0
            c.closed = True
        self.bus_queue[zone].clear()

    def harm(self, zone: int, s: Strike | Episode, concentrated: bool = True
             ) -> tuple[int, tuple[int, int, int], int]:
        """One mechanism strikes ``zone``: outcomes for everyone present and unhurt in it.

        With the scenario's risk concentration (``concentrated``), the order's people who are
        still in the zone bear the concentrated share of the harm.

        Returns
        -------
        (killed, injured by severity 1-3, trapped)
        """
        m = self.m
        if not self.struck[zone]:
            self._exposed(zone)
        sources = (State.at_home, State.warned, State.exposed)
        here = {st: m.ledger.count(st, zone) for st in sources}
        probs: tuple[float, ...] = (s.killed, *s.injured, s.trapped, s.home_loss)
        share = self.target_share[zone]
        unhurt = None if self.cleared[zone] else State.exposed
        groups: list[tuple[dict[State, int], tuple[float, ...], bool]]
        if not concentrated or self.concentration is None or not 0.0 < share < 1.0:
            groups = [(here, probs, False)]
        else:
            at_risk = min(self.at_risk_in_place[zone], sum(here.values()))
            drawn = (m.rng_hazard.multivariate_hypergeometric([here[st] for st in sources],
                                                              at_risk)
                     if at_risk else np.zeros(len(sources), dtype=np.int64))
            risk = {st: int(k) for st, k in zip(sources, drawn, strict=True)}
            rest = {st: here[st] - risk[st] for st in sources}
            p_risk, p_rest = concentrate(probs, self.concentration, share)
            groups = [(risk, p_risk, True), (rest, p_rest, False)]
        killed, inj, trapped, homeless = 0, [0, 0, 0], 0, 0
        for people, q, at_risk_group in groups:
            o = self.outcomes(zone, people, q[0], (q[1], q[2], q[3]), q[4], q[5], unhurt)
            killed, trapped, homeless = killed + o[0], trapped + o[2], homeless + o[3]
            inj = [a + b for a, b in zip(inj, o[1], strict=True)]
            if at_risk_group:  # the hurt and the homeless are no longer at risk in place
                gone = o[0] + sum(o[1]) + o[2] + o[3]
                self.at_risk_in_place[zone] = max(0, self.at_risk_in_place[zone] - gone)
        m.log(f"strike_{s.cause}", m.zone_names[zone], killed + sum(inj) + trapped)
        if homeless:
            m.log("made_homeless", m.zone_names[zone], homeless)
        return killed, (inj[0], inj[1], inj[2]), trapped

    def move_out(self, zone: int, s: Strike) -> None:
        """People at monitored hazard points of ``zone`` are moved out before ``s`` strikes.

        The monitors (群测群防) warn them and move them: each resident present and unhurt goes
        with the strike's ``moved`` probability, to relatives or a shelter like evacuees.
        """
        m = self.m
        now = m.env.now
        total = 0
        for st in (State.at_home, State.warned, State.exposed):
            n = m.ledger.count(st, zone)
            k = int(self.rng.binomial(n, s.moved)) if n else 0
            if not k:
                continue
            if st == State.at_home:  # the monitors' warning reaches them first
                m.ledger.move(now, zone, State.at_home, State.warned, k)
                st = State.warned
            m.ledger.move(now, zone, st, State.evacuating, k)
            total += k
        self.moved_from_hazard_points += total
        if total:
            m.log(f"moved_before_{s.cause}", m.zone_names[zone], total)
            self.go_somewhere(Cohort(zone, total, now))

    def outcomes(self, zone: int, sources: tuple[State, ...] | dict[State, int], killed: float,
                 injured: tuple[float, float, float], trapped: float, home_loss: float,
                 unhurt: State | None) -> tuple[int, tuple[int, int, int], int, int]:
        """Draw the hazard's outcomes for the people of ``zone`` in ``sources``.

        ``sources`` names states (everyone in them) or maps states to how many of their people
        are struck.

        Each person is killed, injured (severity 1-3), trapped, made homeless or unhurt
        (moved to ``unhurt`` when given, else left where they are). The homeless join the
        zone's cohort waiting for the all-clear, or look for a place at once after it.

        Returns
        -------
        (killed, injured by severity 1-3, trapped, homeless)
        """
        m = self.m
        now = m.env.now
        p = np.clip(np.array([killed, *injured, trapped], dtype=float), 0.0, 1.0)
        if p.sum() > 1.0:  # rounding in the hazard's combination of mechanisms
            p /= p.sum()
        p = np.append(p, min(max(home_loss, 0.0), 1.0) * max(0.0, 1.0 - p.sum()))
        p = np.append(p, max(0.0, 1.0 - p.sum()))
        p /= p.sum()
        total = np.zeros(len(p), dtype=np.int64)
        counts = sources if isinstance(sources, dict) else {
            src: m.ledger.count(src, zone) for src in sources}
        for src, n in counts.items():
            if n == 0:
                continue
            out = m.rng_hazard.multinomial(n, p)
            dsts = (State.killed, State.injured, State.injured, State.injured, State.trapped,
                    State.displaced, unhurt if unhurt is not None else src)
            for dst, k in zip(dsts, out, strict=True):
                if dst != src:
                    m.ledger.move(now, zone, src, dst, int(k))
            total += out
        homeless = int(total[5])
        if homeless:
            self._seek_place(zone, homeless)
        return (int(total[0]), (int(total[1]), int(total[2]), int(total[3])), int(total[4]),
                homeless)

    def made_homeless(self, zone: int, src: State, n: int) -> None:
        """``n`` people of ``zone`` in state ``src`` have no usable home to go back to.

        People freed from a collapsed or flooded building, or given first aid, whose home is
        lost: they are displaced and need basic relief from now, like the hazard's homeless.
        """
        if n > 0:
            self.m.ledger.move(self.m.env.now, zone, src, State.displaced, n)
            self.m.log("homeless_after_care", self.m.zone_names[zone], n)
            self._seek_place(zone, n)

    def _seek_place(self, zone: int, n: int) -> None:
        """``n`` displaced people of ``zone`` (in the ledger already) look for a place.

        While the zone's roads are closed they reach relatives or walk to a shelter of their
        zone, the others wait for the all-clear; after it they look for a place at once.
        """
        m = self.m
        now = m.env.now
        waiting = n
        if not self.cleared[zone] and m.net.is_closed(zone, now):
            waiting -= self._leave_on_foot(zone, n, now)
        pending = self.homeless.get(zone)
        if not waiting:
            return
        if pending is not None:  # they wait for the all-clear with those before
            pending.n += waiting
        elif not self.cleared[zone]:
            self.homeless[zone] = Cohort(zone, waiting, now)
            m.cohorts.append(self.homeless[zone])
        else:  # after the all-clear: they look for a place now
            m.ledger.move(now, zone, State.displaced, State.evacuating, waiting)
            self.go_somewhere(Cohort(zone, waiting, now))

    def _leave_on_foot(self, zone: int, n: int, now: float) -> int:
        """Homeless of ``zone`` while its roads are closed: how many of ``n`` find a place.

        They can still reach relatives (``dispersed_share``; the trip waits out the closure,
        as every trip to relatives does) or walk to a shelter of their own zone with room (a
        village school, a square); the others wait for the all-clear.
        """
        m = self.m
        placed = int(self.rng.binomial(n, self.dispersed_share))
        if placed:
            m.ledger.move(now, zone, State.displaced, State.evacuating, placed)
            c = Cohort(zone, placed, now)
            m.cohorts.append(c)
            m.env.process(self._to_relatives(c))
        for s, k in m.shelters.allocate(zone, n - placed, local=True):
            m.ledger.move(now, zone, State.displaced, State.evacuating, k)
            c = Cohort(zone, k, now)
            m.cohorts.append(c)
            m.env.process(self._walk(c, s, zone))
            placed += k
        return placed

    def all_clear(self, zone: int) -> None:
        """Roads reopen in ``zone``: the unhurt go home, the homeless look for a place."""
        m = self.m
        now = m.env.now
        m.ledger.move(now, zone, State.exposed, State.at_home, m.ledger.count(State.exposed, zone))
        m.log("all_clear", m.zone_names[zone], 0)
        self.cleared[zone] = True
        homeless = self.homeless.pop(zone, None)
        if homeless is not None:
            m.ledger.move(now, zone, State.displaced, State.evacuating, homeless.n)
            self.go_somewhere(homeless)

    def return_home(self, zone: int, repaired: bool = False) -> None:
        """People of ``zone`` whose home is usable leave shelters, relatives and waiting.

        With ``repaired`` (the hazard's displacement duration has passed), everybody's home is
        usable again and the homeless go home too.
        """
        m = self.m
        now = m.env.now
        loss = 0.0 if repaired else m.impact.zones[zone].home_loss
        rng = m.rng_hazard
        gone = 0
        for s in m.shelters.list:
            for c in m.shelters.cohorts_from(s, zone):
                k = c.n - int(rng.binomial(c.n, loss))
                if c.relieved_at is None:
                    m.relief.add(c.home, k, c.t_need, math.inf)
                m.shelters.release(s, c, k, State.at_home)
                gone += k
        point = m.shelters.points.get(zone)
        # at a distribution point every dispersed cohort of the zone is registered, with the
        # parts it split off when only some could be served
        dispersed = list(self.dispersed[zone]) if point is None else \
            m.shelters.cohorts_from(point, zone)
        for c in dispersed:
            k = c.n - int(rng.binomial(c.n, loss))
            if c.relieved_at is None:
                m.relief.add(c.home, k, c.t_need, math.inf)
            m.ledger.move(now, zone, State.dispersed, State.at_home, k)
            if point is not None:
                m.shelters.leave_point(c, k)
            else:
                c.n -= k
            gone += k
            if c.n == 0 and c in self.dispersed[zone]:
                self.dispersed[zone].remove(c)
        for c in list(self.unplaced[zone]):
            if repaired or c.t_need < m.impact.zones[zone].onset_h:  # the homeless stay
                k = c.n - int(rng.binomial(c.n, loss))
                if c.relieved_at is None:  # relieved in a shelter that closed: written then
                    m.relief.add(c.home, k, c.t_need, math.inf)
                m.ledger.move(now, zone, State.displaced, State.at_home, k)
                c.n -= k
                gone += k
                if c.n == 0:
                    self.unplaced[zone].remove(c)
        m.log("return_home", m.zone_names[zone], gone)
        self.retry_unplaced()
