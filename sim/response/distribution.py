"""The last mile: village teams hand relief items out to dispersed families (分散安置).

With ``logistics.dispersed_relief: delivered`` a zone's dispersed families register at its
distribution point (the village or community committee), which orders their first day's items
from the stock system like a shelter. When the items are at the point they are set aside for the
families in registration order, and the zone's village teams hand them out: a SimPy process per
zone serves the waiting families first come first served at ``teams × rate`` households per hour,
in batches of at most :data:`BATCH_H` hours of work. A family is *relieved* when its share has
been handed out, not when the truck arrives.

The zone's hand-out teams are its teams of kind ``village`` (the plans' village teams, e.g.
002_shicheng_plan.txt#L39: 10-20 members in each of 156 villages), or, for a zone without any,
one per village or community committee: ``ceil(households / logistics.village_households)``.
A zone with neither hands out on delivery (the fallback: relief when the items reach the point,
as without a village step). The hand-out uses the teams' time only as a rate: it does not take
them off rescue work (a simplification).

Counts are whole people (cohorts are split, never divided); a batch is rounded to whole people and
is at least one person.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.response.cohorts import Cohort
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.response.shelters import ShelterState

__all__ = ["BATCH_H", "Distribution", "Waiting"]

BATCH_H = 0.5
"""Hours of hand-out work after which a batch of families is counted relieved together."""


@dataclass(eq=False)
class Waiting:
    """A dispersed cohort whose items are at the point, waiting to be handed out."""

    cohort: Cohort
    ready_h: float
    """When its items were set aside at the distribution point."""


class Distribution:
    """The hand-out process of every zone's distribution point."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        rule = sc.response.logistics
        self.rate = as_float(rule.handout_households_per_team_h)
        """Households per team-hour."""
        village_teams = [0] * len(sc.zones)
        for t in sc.teams:
            if t.kind == "village":
                village_teams[model.zone_index[t.base]] += t.count
        self.teams: list[int] = []
        """Hand-out teams per zone (0: hand out on delivery, the fallback)."""
        for z, zone in enumerate(sc.zones):
            n = village_teams[z]
            if n == 0 and rule.village_households is not None and zone.households > 0:
                n = math.ceil(zone.households / rule.village_households - 1e-9)
            self.teams.append(n)
        self.hh_size = [z.population / z.households if z.households else 1.0 for z in sc.zones]
        self.queues: list[deque[Waiting]] = [deque() for _ in sc.zones]
        self._wake: list[simpy.Event | None] = [None] * len(sc.zones)
        self._running = [False] * len(sc.zones)
        self.relieved = 0
        """Dispersed people relieved at distribution points (by hand-out or on delivery)."""
        self.handed_out = 0
        """Of them, relieved by a village team's hand-out."""
        self.wait_person_h = 0.0
        """Person-hours between items set aside at the point and their hand-out."""
        self.team_h = 0.0
        """Team-hours of hand-out work."""
        self.first_handout_h: float | None = None
        self.last_handout_h: float | None = None

    def handout_mean_h(self) -> float | None:
        """Mean hours from items at the point to hand-out, per person handed out."""
        return self.wait_person_h / self.handed_out if self.handed_out else None

    # -- entry from the distribution point -------------------------------------------------------
    def ready(self, s: ShelterState, c: Cohort) -> None:
        """The first-day items of dispersed cohort ``c`` have been set aside at point ``s``.

        The cohort is kept by the point (``s.relieved``, counted in ``relieved_present`` so its
        items are not ordered twice) and waits for the zone's village teams; with no teams it is
        relieved now.
        """
        m = self.m
        z = s.zone
        m.cohorts.append(c)  # closed at the end of the run if never handed out
        s.relieved.append(c)
        s.relieved_present += c.n
        if self.teams[z] <= 0:
            self._relieve(s, c, float(m.env.now))
            return
        self.queues[z].append(Waiting(c, float(m.env.now)))
        if not self._running[z]:
            self._running[z] = True
            m.env.process(self._run(s))
        elif self._wake[z] is not None:
            ev, self._wake[z] = self._wake[z], None
            assert ev is not None
            ev.succeed()

    def waiting(self, c: Cohort) -> bool:
        """True if ``c`` is waiting for its hand-out (its items set aside, not yet relieved)."""
        return c.relieved_at is None and any(w.cohort is c for w in self.queues[c.home])

    # -- the hand-out ----------------------------------------------------------------------------
    def _run(self, s: ShelterState) -> Generator[Any, Any, None]:
        """Hand out to the zone's waiting families, first come first served."""
        m = self.m
        z = s.zone
        queue = self.queues[z]
        per_h = self.teams[z] * self.rate  # households per hour
        hh = self.hh_size[z]
        batch_people = max(1, int(round(BATCH_H * per_h * hh)))
        while True:
            while queue and (queue[0].cohort.n == 0 or queue[0].cohort.where != s.idx):
                queue.popleft()  # gone home before their hand-out
            if not queue:
                ev = self._wake[z] = m.env.event()
                yield ev
                continue
            w = queue[0]
            k = min(batch_people, w.cohort.n)
            work_h = (k / hh) / per_h
            yield m.env.timeout(work_h)
            self.team_h += work_h * self.teams[z]
            c = w.cohort
            k = min(k, c.n)  # some may have gone home meanwhile
            if k <= 0 or c.where != s.idx:
                continue
            if k < c.n:
                part = c.split(k)
                m.cohorts.append(part)
                s.relieved.append(part)
            else:
                part = c
                queue.popleft()
            now = float(m.env.now)
            self.handed_out += part.n
            self.wait_person_h += part.n * (now - w.ready_h)
            if self.first_handout_h is None:
                self.first_handout_h = now
            self.last_handout_h = now
            self._relieve(s, part, now)

    def _relieve(self, s: ShelterState, c: Cohort, now: float) -> None:
        m = self.m
        c.relieved_at = now
        m.relief.close(c)
        self.relieved += c.n
        m.log("relieved", s.name, c.n)
        m.shelters.schedule_ration(s, c, now + 24.0)
