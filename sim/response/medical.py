"""Medical care: triage by severity, ambulances, hospital beds, deaths from delayed care.

Injured people come from the hazard's strike with a severity (Hazus 1 to 3):

- severity 1 gets first aid on site and goes home;
- severities 2 and 3 need a hospital bed for a stay; they wait in their zone, severity 3 first,
  and are carried by ambulance to the nearest hospital with a free bed (overflow goes to the next
  one); without ambulances they go by their own means;
- a zone asks for an air medevac when its injured have no open road to a hospital in service,
  or when it has severity-3 injured and there is no ambulance service;
- a severity-3 patient not in a bed within an exponential time (mean ``untreated_sev3_mean_h``)
  dies.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from sim.response.ledger import State
from sim.response.vehicles import IdleIndex, Vehicle, drive, go_home
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["Hospital", "Medical", "Patient"]


@dataclass(eq=False)
class Patient:
    """One injured person waiting for, or in, care."""

    zone: int
    severity: int
    injured_at: float
    dies_at: float = math.inf
    status: str = "waiting"
    """waiting, moving, in_bed, discharged or dead."""


@dataclass(eq=False)
class Hospital:
    """A hospital's beds during a run."""

    idx: int
    name: str
    zone: int
    beds: int
    occupied: int = 0
    reserved: int = 0
    peak: int = 0
    out: bool = False
    """Out of service (damaged, flooded): admits nobody new."""

    @property
    def free(self) -> int:
        """Beds neither occupied nor promised to a patient on the way (none when out)."""
        return 0 if self.out else self.beds - self.occupied - self.reserved


class Medical:
    """Patients, hospitals and ambulances of one run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        self.rule = sc.response.medical
        self.rng = model.streams.generator("medical")
        self.hospitals = [Hospital(i, h.name, model.zone_index[h.zone], int(as_float(h.beds)))
                          for i, h in enumerate(sc.hospitals)]
        self._bed_order: dict[tuple[int, int], list[Hospital]] = {}
        """Hospitals nearest first from a zone, by network version."""
        self.ambulances: list[Vehicle] = []
        self.idle: IdleIndex[Vehicle] = IdleIndex()
        self.capacity: dict[str, int] = {}
        """Patients per ambulance, by fleet."""
        for v in sc.vehicles:
            if v.kind == "ambulance":
                self.add_ambulances(v.name, model.zone_index[v.base], int(as_float(v.count)),
                                    int(v.capacity_persons or 1), v.speed_kmh,
                                    as_float(v.unloading_h))
        self.waiting: list[list[Patient]] = [[] for _ in sc.zones]
        self.waiting_zones: set[int] = set()
        """The zones whose ``waiting`` list is not empty (kept as the lists change, so that
        :meth:`dispatch` does not scan every zone)."""
        self.patients: list[Patient] = []
        self.to_bed_h: list[tuple[int, float]] = []
        """(severity, hours from injury to a bed) of every patient who reached one."""
        self.died_waiting = 0
        self.injured_counts = [0, 0, 0]
        if self.rule is not None:
            self.first_aid_h = as_float(self.rule.first_aid_h)
            self.stay_h = {2: as_float(self.rule.stay_h["2"]), 3: as_float(self.rule.stay_h["3"])}
            self.sev3_mean_h = as_float(self.rule.untreated_sev3_mean_h)
            self.load_h = as_float(self.rule.load_h)

    def add_ambulances(self, fleet: str, base: int, count: int, capacity: int,
                       speed_kmh: float, unloading_h: float) -> None:
        """Add ``count`` ambulances of ``fleet`` based in zone ``base``; they answer at once."""
        self.capacity[fleet] = capacity
        for _ in range(count):
            amb = Vehicle(len(self.ambulances), fleet, base, speed_kmh, unloading_h, base)
            self.ambulances.append(amb)
            self.idle.register(amb)
        if self.m.started and self.rule is not None:
            self.dispatch()

    def injure(self, zone: int, counts: tuple[int, int, int]) -> None:
        """People of ``zone`` were injured (already ``injured`` in the ledger), by severity."""
        for i in range(3):
            self.injured_counts[i] += counts[i]
        if self.rule is None:
            return  # no medical rules: the injured stay injured
        m = self.m
        now = float(m.env.now)
        if counts[0]:
            ev = m.env.timeout(self.first_aid_h)
            ev.callbacks.append(partial(self._first_aid_done, zone, counts[0]))
        # The severity-3 patients' survival times in one draw: the same numbers, in the same
        # order, as one draw per patient.
        dies_in = self.rng.exponential(self.sev3_mean_h, size=counts[2]).tolist() \
            if counts[2] else []
        for sev, k in ((3, counts[2]), (2, counts[1])):
            for i in range(k):
                p = Patient(zone, sev, now)
                if sev == 3:
                    p.dies_at = now + dies_in[i]
                    ev = m.env.timeout(p.dies_at - now)
                    ev.callbacks.append(partial(self._deteriorate, p))
                self.patients.append(p)
                self.waiting[zone].append(p)
        self.waiting[zone].sort(key=lambda p: (-p.severity, p.injured_at))
        if self.waiting[zone]:
            self.waiting_zones.add(zone)
        if counts[1] or counts[2]:
            if self.ambulances:
                self.dispatch()
            else:
                for p in list(self.waiting[zone]):
                    self._own_means(p)
            if self.cut_off(zone) or (counts[2] and not self.ambulances):
                m.air.request(zone, "medevac")

    def cut_off(self, zone: int) -> bool:
        """Whether no open road leads from ``zone`` to a hospital in service."""
        net = self.m.net
        return not any(net.reachable(zone, h.zone) for h in self.hospitals if not h.out)

    def _first_aid_done(self, zone: int, k: int, _event: object) -> None:
        """Lightly injured people, treated on site, go home or look for a place.

        Their home is lost with the zone's home-loss probability.
        """
        m = self.m
        k = min(k, m.ledger.count(State.injured, zone))
        lost = int(self.rng.binomial(k, min(1.0, max(0.0, m.impact.zones[zone].home_loss))))
        m.ledger.move(m.env.now, zone, State.injured, State.at_home, k - lost)
        m.evac.made_homeless(zone, State.injured, lost)

    def _deteriorate(self, p: Patient, _event: object) -> None:
        if p.status in ("waiting", "moving"):
            m = self.m
            if p.status == "waiting":
                self._unwait(p)
            p.status = "dead"
            self.died_waiting += 1
            m.ledger.move(m.env.now, p.zone, State.injured, State.killed, 1)

    # -- beds --------------------------------------------------------------------------------
    def reserve_bed(self, zone: int) -> Hospital | None:
        """Promise a bed at the nearest hospital with one free (road time, then air)."""
        net = self.m.net
        key = (zone, net.row_version[zone])
        order = self._bed_order.get(key)
        if order is None:
            order = self._bed_order[key] = sorted(
                self.hospitals, key=lambda h: (net.rank(zone, h.zone), net.air_km(zone, h.zone),
                                               h.idx))
        for h in order:
            if h.free > 0:
                h.reserved += 1
                return h
        return None

    def admit(self, p: Patient, h: Hospital) -> None:
        """Hand a patient over to hospital ``h`` (a bed was reserved)."""
        m = self.m
        h.reserved -= 1
        if p.status == "dead":
            return
        p.status = "in_bed"
        h.occupied += 1
        h.peak = max(h.peak, h.occupied)
        self.to_bed_h.append((p.severity, float(m.env.now) - p.injured_at))
        ev = m.env.timeout(self.stay_h[p.severity])
        ev.callbacks.append(lambda _e: self._discharge(p, h))

    def _discharge(self, p: Patient, h: Hospital) -> None:
        m = self.m
        h.occupied -= 1
        p.status = "discharged"
        m.ledger.move(m.env.now, p.zone, State.injured, State.at_home, 1)
        self.dispatch()

    # -- transport ---------------------------------------------------------------------------
    def _own_means(self, p: Patient) -> None:
        h = self.reserve_bed(p.zone)
        if h is None:
            return  # waits for a bed; retried on discharge
        self._unwait(p)
        p.status = "moving"
        self.m.env.process(self._walk(p, h))

    def _walk(self, p: Patient, h: Hospital) -> Generator[Any, Any, None]:
        m = self.m
        walker = Vehicle(-1, "own_means", p.zone, m.sc.response.evacuation.own_means_speed_kmh,
                         0.0, p.zone)
        yield from drive(m, walker, h.zone)
        self.admit(p, h)

    def dispatch(self) -> None:
        """Send idle ambulances to the most urgent waiting patients."""
        if not self.ambulances:
            for z in range(len(self.waiting)):
                for p in list(self.waiting[z]):
                    self._own_means(p)
            return
        net = self.m.net
        idle = self.idle
        while True:
            if not idle:
                return
            zones = self.waiting_zones
            if not zones or not any(h.free > 0 for h in self.hospitals):
                return
            waiting = self.waiting
            z = min(zones, key=lambda z: (-waiting[z][0].severity, waiting[z][0].injured_at, z))
            amb = idle.nearest(net, z)
            load = self.take(z, self.capacity[amb.fleet])
            if not load:
                return
            idle.take(amb)
            self.m.env.process(self._run(amb, z, load))

    def _run(self, amb: Vehicle, zone: int, load: list[tuple[Patient, Hospital]]
             ) -> Generator[Any, Any, None]:
        m = self.m
        start = float(m.env.now)
        yield from drive(m, amb, zone)
        yield m.env.timeout(self.load_h)
        for p, h in sorted(load, key=lambda x: m.net.rank(zone, x[1].zone)):
            yield from drive(m, amb, h.zone)
            yield m.env.timeout(amb.unloading_h)
            self.admit(p, h)
        amb.trips += 1
        amb.busy_h += float(m.env.now) - start
        amb.busy = False
        self.dispatch()
        if not amb.busy and amb.location != amb.home:
            yield from go_home(m, amb)
            self.dispatch()

    def take(self, zone: int, capacity: int) -> list[tuple[Patient, Hospital]]:
        """Load up to ``capacity`` waiting patients of ``zone``, most urgent first.

        Each gets a bed reserved; fewer are loaded when beds run out.
        """
        load: list[tuple[Patient, Hospital]] = []
        while self.waiting[zone] and len(load) < capacity:
            h = self.reserve_bed(zone)
            if h is None:
                break
            p = self.waiting[zone].pop(0)
            p.status = "moving"
            load.append((p, h))
        if not self.waiting[zone]:
            self.waiting_zones.discard(zone)
        return load

    def _unwait(self, p: Patient) -> None:
        """Take a waiting patient off its zone's list."""
        w = self.waiting[p.zone]
        w.remove(p)
        if not w:
            self.waiting_zones.discard(p.zone)
