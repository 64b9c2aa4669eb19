"""The response model of one run: state, processes and recording on one SimPy Environment.

The clock is in hours relative to the hazard's onset (landfall, mainshock, flood peak): the
Environment starts at ``time.start_h`` (negative: before the onset) and the run ends at
``time.end_h``. Everything random draws from the run's named streams.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np

from sim.hazards.impact import Episode, FacilityOutage, Impact, Strike
from sim.response.air import Air
from sim.response.cohorts import Cohort, ReliefLog
from sim.response.distribution import Distribution
from sim.response.engine import Environment
from sim.response.evacuation import Evacuation
from sim.response.ledger import Ledger
from sim.response.logistics import Logistics
from sim.response.medical import Medical
from sim.response.network import Network
from sim.response.rescue import Rescue
from sim.response.roads import RoadWorks
from sim.response.shelters import Shelters
from sim.response.supply import ExternalSupply
from sim.response.vehicles import IdleIndex, TeamUnit
from sim.scenario.distributions import as_float
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = ["Environment", "Model"]


class Model:
    """Everything that changes during one run.

    Parameters
    ----------
    realised : Scenario
        The scenario with every uncertain input sampled.
    impact : Impact
        The hazard's Impact for this realisation.
    streams : Streams
        The run's random streams.
    """

    def __init__(self, realised: Scenario, impact: Impact, streams: Streams) -> None:
        sc = realised
        self.sc = sc
        self.impact = impact
        self.start_h = sc.time.start_h
        self.end_h = sc.time.end_h
        self.env = Environment(initial_time=self.start_h)
        self.streams = streams
        self.rng_behaviour = streams.generator("behaviour")
        self.rng_hazard = streams.generator("hazard")
        self.zone_names = [z.name for z in sc.zones]
        self.zone_index = {z: i for i, z in enumerate(self.zone_names)}
        self.items = list(sc.items)
        self.per_day = np.array([as_float(sc.needs[k].per_day) if k in sc.needs else 0.0
                                 for k in self.items])
        self.once = np.array([as_float(sc.needs[k].once) if k in sc.needs else 0.0
                              for k in self.items])
        self.basic = np.array([k in sc.needs and sc.needs[k].basic for k in self.items])
        self.warning_at = -as_float(sc.hazard.warning_lead_h)
        chain = sc.response.warning.chain
        self.warning_reaches_at = self.warning_at + sum(as_float(t.delay_h) for t in chain)
        """When the warning has passed down the whole chain (the last tier's people hear it)."""
        by_tier: dict[str, float] = {}
        heard = self.warning_at
        for tier in chain:
            heard += as_float(tier.delay_h)
            by_tier[tier.tier] = heard  # a tier listed twice: the later link
        self.zone_warned_at = [self.warning_reaches_at if z.warning_tier is None
                               else by_tier[z.warning_tier] for z in sc.zones]
        """When the warning reaches each zone's residents (its tier of the chain)."""
        self.started = False
        self.response_level: int | None = None
        """The response level declared by a ``raise_response_level`` decision (1 = I, the
        highest; None: none declared)."""
        self.events: list[tuple[float, str, str, int]] = []
        self.cohorts: list[Cohort] = []
        self.relief = ReliefLog()
        self.ledger = Ledger([z.population for z in sc.zones])
        self.net = Network(sc.zones, sc.travel, sc.roads, [z.roads_closed for z in impact.zones],
                           streams.generator("travel"), self.env)
        self.teams: list[TeamUnit] = []
        for t in sc.teams:
            base = self.zone_index[t.base]
            for _ in range(t.count):
                self.teams.append(TeamUnit(len(self.teams), t.name, base, t.speed_kmh, 0.0, base,
                                           kind=t.kind, headcount=t.headcount,
                                           skills=tuple(t.skills), shift_h=t.shift_h))
        self.air = Air(self)
        self.medical = Medical(self)
        self.rescue = Rescue(self)
        self.roads = RoadWorks(self)
        self.supply = ExternalSupply(self)
        self.shelters = Shelters(self)
        self.distribution = Distribution(self)
        self.logistics = Logistics(self)
        self.evac = Evacuation(self)
        self.series_t: list[float] = []
        self.series_moves: list[int] = []
        self.series_people: list[np.ndarray] = []
        self.series_shelter: list[list[int]] = []
        self.series_stock: list[np.ndarray] = []
        self.series_beds: list[list[int]] = []

    def close(self) -> None:
        """Free a finished run's objects at once, by breaking the cycles among them.

        The model's parts refer to it and to each other, idle vehicles and their indexes to
        each other, and waiting processes to the events they wait on; left alone, all of it is
        freed only by Python's cyclic collector, which walks it object by object: about 10 ms
        of a 140 ms Wenzhou run (7 %, measured per seed, interleaved). :func:`sim.run` calls
        this once the run's result is collected; the result holds lists the model made, never
        its parts. The model cannot be used afterwards.
        """
        self.env.close()
        self.net.close()
        for part in (self.air, self.medical, self.rescue, self.roads, self.supply, self.shelters,
                     self.distribution, self.logistics, self.evac, self.net):
            for value in vars(part).values():
                if isinstance(value, IdleIndex):
                    value.clear()
            vars(part).clear()
        vars(self).clear()

    def log(self, kind: str, subject: str, n: int) -> None:
        """Append an entry to the event log."""
        self.events.append((self.env.now, kind, subject, n))

    # -- schedule ----------------------------------------------------------------------------
    def start(self) -> None:
        """Schedule the run's processes (called once, before the first step)."""
        env = self.env
        self.started = True
        env.process(self._recorder())
        env.process(self.call_at(self.warning_at, self.log, "warning_issued", "all", 0))
        groups: dict[float, list[int]] = {}
        for z, at in enumerate(self.zone_warned_at):
            groups.setdefault(at, []).append(z)
        for at, zones in sorted(groups.items()):
            env.process(self._at(at, lambda zs=zones: self.evac.warning(zs)))
        self.shelters.start()
        self.supply.start()
        return_after = self.evac.return_after_h
        for z, imp in enumerate(self.impact.zones):
            clear = imp.roads_closed[1] if imp.roads_closed else imp.onset_h
            clear = max(clear, imp.onset_h)
            for s in imp.timeline():  # moves first: they precede a strike at the same time
                if s.moved > 0:
                    env.process(self.call_at(s.moved_at_h, self.evac.move_out, z, s))
            env.process(self.call_at(imp.onset_h, self.strike, z))
            for s in imp.timeline():
                if s.time_h > imp.onset_h and s.harmful:
                    env.process(self.call_at(s.time_h, self.harm, z, s))
            env.process(self.call_at(clear, self.evac.all_clear, z))
            env.process(self.call_at(clear + return_after, self.evac.return_home, z))
            if imp.displacement_days > 0:
                back = max(imp.onset_h + 24.0 * imp.displacement_days, clear + return_after)
                env.process(self.call_at(back, self.evac.return_home, z, True))
            if imp.roads_closed:
                env.process(self.call_at(imp.roads_closed[0], self.log, "roads_closed",
                                         self.zone_names[z], 0))
        for ep in self.impact.episodes:
            env.process(self.call_at(ep.time_h, self.episode, ep))
        for fo in self.impact.facilities_out:
            env.process(self.call_at(fo.from_h, self.outage, fo, True))
            if math.isfinite(fo.until_h):
                env.process(self.call_at(fo.until_h, self.outage, fo, False))

    def episode(self, ep: Episode) -> None:
        """A later strike (an aftershock) on the unhurt people of one zone."""
        z = ep.zone
        if ep.roads_closed is not None:
            self.net.add_closure(z, *ep.roads_closed)
        _killed, injured, trapped = self.evac.harm(z, ep, concentrated=False)
        self.roads.strike(z, ep.intensity, again=True)
        self._casualties(z, injured, trapped, "aftershock")

    def outage(self, fo: FacilityOutage, out: bool) -> None:
        """A facility goes out of service (``out``) or comes back."""
        self.log("facility_out" if out else "facility_back", fo.name, 0)
        if fo.kind == "shelter":
            s = next((x for x in self.shelters.list if x.name == fo.name), None)
            if s is not None:
                self.shelters.close(s) if out else self.shelters.reopen(s)
        elif fo.kind == "hospital":
            h = next((x for x in self.medical.hospitals if x.name == fo.name), None)
            if h is not None:
                h.out = out
                if not out:
                    self.medical.dispatch()
        elif fo.kind == "stock_point":
            p = self.logistics.point_by_name.get(fo.name)
            if p is not None:
                self.logistics.set_out(p, out)

    def strike(self, zone: int) -> None:
        """The hazard reaches ``zone``: roads may fail; the mechanisms arriving with it strike."""
        imp = self.impact.zones[zone]
        self.evac.arrive(zone)
        self.roads.strike(zone)
        for s in imp.timeline():
            if s.time_h <= imp.onset_h and s.harmful:
                self.harm(zone, s)

    def harm(self, zone: int, s: Strike) -> None:
        """Mechanism ``s`` strikes ``zone`` at its own time: people present, then its roads."""
        _killed, injured, trapped = self.evac.harm(zone, s)
        if s.road_block > 0:
            self.roads.block(zone, s.road_block)
        self._casualties(zone, injured, trapped, s.cause)

    def injected_strike(self, zone: int, s: Strike) -> None:
        """A strike injected during the run (``extra_rain``): harm, then its roads.

        As :meth:`harm`, but the probabilities apply alike to everyone present and unhurt (no
        risk concentration on the evacuation order's people), so that the shares or counts an
        exercise controller gives are what the zone's people suffer on average.
        """
        _killed, injured, trapped = self.evac.harm(zone, s, concentrated=False)
        if s.road_block > 0:
            self.roads.block(zone, s.road_block)
        self._casualties(zone, injured, trapped, s.cause)

    def _casualties(self, zone: int, injured: tuple[int, int, int], trapped: int,
                    cause: str) -> None:
        """The injured go to medical care, the trapped (by ``cause``) wait for rescue."""
        if any(injured):
            self.medical.injure(zone, injured)
        if trapped:
            self.rescue.trap(zone, trapped, cause)

    def _at(self, t: float, proc: Any) -> Generator[Any, Any, None]:
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)
        yield from proc()

    def call_at(self, t: float, fn: Any, *args: Any) -> Generator[Any, Any, None]:
        """A process that calls ``fn(*args)`` at time ``t`` (now if ``t`` has passed)."""
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)
        fn(*args)

    # -- recording ---------------------------------------------------------------------------
    def series(self) -> tuple[list[Any], ...]:
        """The recorded time series: times, moves before, people, shelters, stock, beds."""
        return (self.series_t, self.series_moves, self.series_people, self.series_shelter,
                self.series_stock, self.series_beds)

    def series_row(self) -> tuple[Any, ...]:
        """The values of :meth:`series` at the current time, in the same order."""
        return (self.env.now, len(self.ledger.log), self.ledger.table(),
                [s.present for s in self.shelters.list],
                np.array([p.on_hand for p in self.logistics.points]),
                [h.occupied for h in self.medical.hospitals])

    def snapshot(self) -> None:
        """Record the time series at the current time."""
        for series, value in zip(self.series(), self.series_row(), strict=True):
            series.append(value)

    def _recorder(self) -> Generator[Any, Any, None]:
        dt = self.sc.time.record_every_h
        while True:
            self.snapshot()
            yield self.env.timeout(dt)
