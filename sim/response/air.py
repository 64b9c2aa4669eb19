"""Air units: helicopters answering requests from rescue sites and for medical evacuation.

A request (a new rescue site, injured people waiting) goes to the nearest idle air unit within
range; the unit takes off after the dispatch delay, flies straight to the zone, spends its time
on scene, carries the most urgent patients it can to the nearest hospital with a free bed, and
flies home. Units do not fly to or from a zone while gales close its roads (when the rule says
so). The response time of a request is from the request to the unit's arrival over the zone;
when gales ground the units, the clock starts when a flight from the nearest base to the zone
can first leave (a plan's air-response promise cannot run while nothing may fly).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.response.vehicles import Vehicle
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["Air", "AirRequest", "AirUnit"]


@dataclass(eq=False)
class AirUnit(Vehicle):
    """One helicopter."""

    capacity: int = 1


@dataclass(eq=False)
class AirRequest:
    """A call for an air unit."""

    zone: int
    reason: str
    at_h: float
    km_from_base: float
    answered_h: float | None = None
    departed_h: float | None = None
    """When the unit sent to it left its base (after the dispatch delay and any grounding)."""
    served: bool = False
    flyable_h: float = -math.inf
    """When a flight from a base to the zone can first leave (gales ground the units)."""

    @property
    def response_h(self) -> float:
        """Hours from the request (or from when flying became possible) to arrival."""
        if self.answered_h is None:
            return math.inf
        return self.answered_h - max(self.at_h, self.flyable_h)

    @property
    def takeoff_response_h(self) -> float:
        """Hours from the request (or from when flying became possible) to the unit leaving."""
        if self.departed_h is None:
            return math.inf
        return max(0.0, self.departed_h - max(self.at_h, self.flyable_h))


class Air:
    """Air units and their requests for one run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        self.rule = sc.response.air
        self.units: list[AirUnit] = []
        for v in sc.vehicles:
            if v.kind == "helicopter":
                self.add_units(v.name, model.zone_index[v.base], int(as_float(v.count)),
                               int(v.capacity_persons or 1), v.speed_kmh, as_float(v.unloading_h))
        self.requests: list[AirRequest] = []
        self.queue: list[AirRequest] = []
        if self.rule is not None:
            self.dispatch_h = as_float(self.rule.dispatch_min) / 60.0
            self.on_scene_h = as_float(self.rule.on_scene_h)
            self.range_km = self.rule.range_km

    def add_units(self, fleet: str, base: int, count: int, capacity: int, speed_kmh: float,
                  unloading_h: float) -> None:
        """Add ``count`` air units of ``fleet`` based in zone ``base``; they fly open requests."""
        for _ in range(count):
            self.units.append(AirUnit(len(self.units), fleet, base, speed_kmh, unloading_h, base,
                                      capacity=capacity))
        if self.m.started and self.active:
            self.dispatch()

    @property
    def active(self) -> bool:
        """Whether the scenario has air units and rules for them."""
        return self.rule is not None and bool(self.units)

    def request(self, zone: int, reason: str) -> None:
        """Ask for an air unit over ``zone`` (ignored without air units)."""
        if not self.active:
            return
        m = self.m
        if any(r.zone == zone and not r.served for r in self.queue):
            return  # one open request per zone is enough
        km = min(m.net.air_km(u.home, zone) for u in self.units)
        now = float(m.env.now)
        req = AirRequest(zone, reason, now, km)
        if self.rule is not None and self.rule.grounded_in_gales:
            req.flyable_h = min(
                m.net.earliest_departure(u.home, zone, now, m.net.air_km(u.home, zone)
                                         / u.speed_kmh) for u in self.units)
        self.requests.append(req)
        if km <= self.range_km:
            self.queue.append(req)
            self.dispatch()

    def dispatch(self) -> None:
        """Send the nearest idle unit to each open request, oldest first."""
        net = self.m.net
        while self.queue:
            idle = [u for u in self.units if not u.busy]
            if not idle:
                return
            req = self.queue[0]
            unit = min(idle, key=lambda u: (net.air_km(u.location, req.zone), u.idx))
            self.queue.pop(0)
            unit.busy = True
            self.m.env.process(self._sortie(unit, req))

    def _fly(self, unit: AirUnit, dst: int, req: AirRequest | None = None
             ) -> Generator[Any, Any, None]:
        m = self.m
        if unit.location == dst:
            if req is not None:
                req.departed_h = float(m.env.now)
            return
        hours = m.net.air_km(unit.location, dst) / unit.speed_kmh
        if self.rule is not None and self.rule.grounded_in_gales:
            depart = m.net.earliest_departure(unit.location, dst, m.env.now, hours)
            if depart > m.env.now:
                yield m.env.timeout(depart - m.env.now)
        if req is not None:
            req.departed_h = float(m.env.now)
        start = float(m.env.now)
        yield m.env.timeout(hours)
        unit.legs.append((start, float(m.env.now), unit.location, dst))
        unit.location = dst

    def _sortie(self, unit: AirUnit, req: AirRequest) -> Generator[Any, Any, None]:
        m = self.m
        start = float(m.env.now)
        yield m.env.timeout(self.dispatch_h)
        yield from self._fly(unit, req.zone, req)
        req.answered_h = float(m.env.now)
        req.served = True
        m.log("air_on_scene", m.zone_names[req.zone], 0)
        yield m.env.timeout(self.on_scene_h)
        load = m.medical.take(req.zone, unit.capacity)
        for p, h in load:
            yield from self._fly(unit, h.zone)
            yield m.env.timeout(unit.unloading_h)
            m.medical.admit(p, h)
        yield from self._fly(unit, unit.home)
        unit.trips += 1
        unit.busy_h += float(m.env.now) - start
        unit.busy = False
        self.dispatch()

    def response_h(self, radius_km: float) -> list[float]:
        """Response hours of the requests within ``radius_km`` (inf if unanswered)."""
        return [r.response_h for r in self.requests if r.km_from_base <= radius_km]
