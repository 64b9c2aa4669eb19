"""Search and rescue: sites of trapped people, teams dispatched to them, survival over time.

Every zone where the hazard traps people becomes a site. Teams with the ``rescue`` skill are
sent by the scenario's dispatch policy (every site first gets one team, in policy order; spare
teams then join the sites that need them most). A team turns out from its base, drives to the
site (waiting out closures and cut roads), and extracts people one at a time; each extraction
takes a lognormal time scaled by the team's size. A person extracted ``t`` hours after being
trapped is alive with probability ``S(t)``, the scenario's survival curve (e.g. Tangshan 1976),
or the curve the scenario gives for the mechanism that trapped them (``survival_by_cause``:
people stranded above flood water are not buried in rubble).
Teams with a shift length rest on site after each shift. People freed alive have no home to go
back to (it collapsed on them, or water surrounded it): they leave the site together within the
hour and look for a place to stay, needing basic relief like the hazard's other homeless.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.response.ledger import State
from sim.response.vehicles import IdleIndex, TeamUnit, WhenFree, drive
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["Rescue", "Site", "survival"]

RELEASE_BATCH_H = 1.0
"""People freed alive in a zone within this many hours leave the site together."""


def survival(hours: float, points_h: np.ndarray, alive: np.ndarray) -> float:
    """Probability that a person trapped ``hours`` ago is alive.

    Linear between the curve's points, flat beyond the last one.
    """
    return float(np.interp(hours, points_h, alive))


@dataclass(eq=False)
class Site:
    """Trapped people of one zone."""

    idx: int
    zone: int
    opened_h: float
    waiting: list[list[float]] = field(default_factory=list)
    """Groups ``[count, trapped_at_h, curve]`` not yet reached, oldest first (``curve``: the
    index of their survival curve in :attr:`Rescue.curves`)."""
    teams: int = 0
    """Teams on their way or working here."""
    first_arrival_h: float | None = None
    first_arrival_by_kind: dict[str, float] = field(default_factory=dict)

    @property
    def n_waiting(self) -> int:
        """People not yet reached."""
        return int(sum(g[0] for g in self.waiting))


class Rescue:
    """Sites, rescue teams and their dispatch for one run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        rule = model.sc.response.rescue
        self.rule = rule
        self.rng = model.streams.generator("rescue")
        self.sites: list[Site] = []
        self.teams = [t for t in model.teams if "rescue" in t.skills]
        self.idle: IdleIndex[TeamUnit] = IdleIndex(self.teams)
        self.when_free = WhenFree()
        """Players' orders for teams at work, carried out when they come free."""
        self.reached: list[tuple[int, float]] = []
        """(count, hours from entrapment to a team starting on them)."""
        self.reached_kind: list[str] = []
        """The kind of the team that started on each ``reached`` record (recording only)."""
        self.alive = 0
        self.dead = 0
        n = len(model.sc.zones)
        self.freed = [0] * n
        """People freed alive per zone, not yet gone to look for a place."""
        self.release_pending = [False] * n
        if rule is not None:
            self.turnout_h = as_float(rule.turnout_min) / 60.0
            self.extraction_h = as_float(rule.extraction_h)
            self.extraction_sigma = as_float(rule.extraction_sigma)
            self.rest_h = as_float(rule.rest_h)
        self.curves: list[tuple[np.ndarray, np.ndarray]] = []
        """Survival curves (hours, alive): the rule's own first, then one per cause."""
        self.curve_of: dict[str, int] = {}
        """Index in :attr:`curves` of the curve of people trapped by each cause."""
        if rule is not None:
            for i, (cause, c) in enumerate([("", rule.survival),
                                            *rule.survival_by_cause.items()]):
                self.curves.append((np.array(c.hours, dtype=float),
                                    np.array(c.alive, dtype=float)))
                if cause:
                    self.curve_of[cause] = i

    @property
    def active(self) -> bool:
        """Whether the scenario has rescue rules and teams to apply them."""
        return self.rule is not None and bool(self.teams)

    def alive_after(self, hours: float, curve: int) -> float:
        """Probability that a person of survival curve ``curve`` trapped ``hours`` ago lives."""
        h, a = self.curves[curve]
        return survival(hours, h, a)

    def trap(self, zone: int, n: int, cause: str = "") -> None:
        """``n`` people of ``zone`` have just been trapped by ``cause`` (already in the ledger)."""
        now = float(self.m.env.now)
        site = next((s for s in self.sites if s.zone == zone), None)
        if site is None:
            site = Site(len(self.sites), zone, now)
            self.sites.append(site)
            self.m.log("site_opened", self.m.zone_names[zone], n)
            self.m.air.request(zone, "rescue_site")
        site.waiting.append([float(n), now, float(self.curve_of.get(cause, 0))])
        self.dispatch()

    def _release(self, zone: int, _event: object) -> None:
        """The people freed alive in ``zone`` since the last release look for a place."""
        k, self.freed[zone], self.release_pending[zone] = self.freed[zone], 0, False
        self.m.evac.made_homeless(zone, State.rescued, k)

    # -- dispatch ----------------------------------------------------------------------------
    def _site_key(self, s: Site) -> tuple[float, ...]:
        policy = self.rule.dispatch if self.rule else "nearest"
        now = float(self.m.env.now)
        if policy == "largest":
            return (s.teams > 0, -s.n_waiting, s.idx)
        if policy == "survival":
            # expected lives still to save: people waiting times their survival now
            lives = sum(g[0] * self.alive_after(now - g[1], int(g[2])) for g in s.waiting)
            return (s.teams > 0, -lives / (1 + s.teams), s.idx)
        return (s.teams > 0, s.opened_h, s.idx)  # nearest force to each site, oldest first

    def dispatch(self) -> None:
        """Send idle teams to sites until no idle team or no site needs one."""
        if self.when_free:
            self.when_free.run()
        if not self.active:
            return
        net = self.m.net
        idle = self.idle
        while True:
            if not idle:
                return
            need = [s for s in self.sites if s.n_waiting > s.teams]
            if not need:
                return
            site = min(need, key=self._site_key)
            team = idle.nearest(net, site.zone)
            idle.take(team)
            site.teams += 1
            self.m.env.process(self._work(team, site))

    def send(self, team: TeamUnit, zone: int) -> bool:
        """Send idle ``team`` to work the rescue site of ``zone`` (a player's decision).

        Returns False when the zone has no site with people waiting (the team is not sent).
        """
        site = next((s for s in self.sites if s.zone == zone and s.n_waiting > 0), None)
        if site is None or not self.active or team.busy:
            return False
        self.idle.take(team)
        site.teams += 1
        self.m.env.process(self._work(team, site))
        return True

    # -- a team at work ----------------------------------------------------------------------
    def _work(self, team: TeamUnit, site: Site) -> Generator[Any, Any, None]:
        m = self.m
        env = m.env
        start = float(env.now)
        if team.location == team.home and self.turnout_h > 0:
            yield env.timeout(self.turnout_h)
            team.note(start, float(env.now), "turnout", team.location)
        yield from drive(m, team, site.zone)
        now = float(env.now)
        if site.first_arrival_h is None:
            site.first_arrival_h = now
            m.log("first_on_scene", m.zone_names[site.zone], 0)
        site.first_arrival_by_kind.setdefault(team.kind, now)
        shift_start = now
        per_person = self.extraction_h * self.rule.reference_headcount / team.headcount \
            if self.rule else 0.0
        while site.waiting:
            if team.shift_h is not None and env.now - shift_start >= team.shift_h:
                t0 = float(env.now)
                yield env.timeout(self.rest_h)
                team.note(t0, float(env.now), "rest", site.zone)
                shift_start = float(env.now)
                if not site.waiting:
                    break
            group = site.waiting[0]
            trapped_at, curve = group[1], int(group[2])
            group[0] -= 1
            if group[0] <= 0:
                site.waiting.pop(0)
            t0 = float(env.now)
            self.reached.append((1, t0 - trapped_at))
            self.reached_kind.append(team.kind)
            dur = per_person * math.exp(self.extraction_sigma * float(self.rng.standard_normal()))
            yield env.timeout(dur)
            team.note(t0, float(env.now), "extract", site.zone)
            p = self.alive_after(float(env.now) - trapped_at, curve)
            alive = bool(self.rng.random() < p)
            m.ledger.move(env.now, site.zone, State.trapped,
                          State.rescued if alive else State.killed, 1)
            if alive:
                self.alive += 1
                self.freed[site.zone] += 1
                if not self.release_pending[site.zone]:
                    self.release_pending[site.zone] = True
                    ev = env.timeout(RELEASE_BATCH_H)
                    ev.callbacks.append(partial(self._release, site.zone))
            else:
                self.dead += 1
        site.teams -= 1
        team.busy_h += float(env.now) - start
        team.trips += 1
        team.busy = False
        self.dispatch()
        if not team.busy and not any(s.n_waiting for s in self.sites) and \
                team.location != team.home:
            team.busy = True
            t0 = float(env.now)
            yield from drive(m, team, team.home)
            team.busy_h += float(env.now) - t0
            team.busy = False
            self.dispatch()

    # -- results -----------------------------------------------------------------------------
    def first_on_scene_h(self, kinds: list[str] | None = None) -> list[float]:
        """Hours from each site's opening to its first team (``inf`` if none came)."""
        out = []
        for s in self.sites:
            if kinds is None:
                t = s.first_arrival_h
            else:
                ts = [v for k, v in s.first_arrival_by_kind.items() if k in kinds]
                t = min(ts) if ts else None
            out.append(math.inf if t is None else t - s.opened_h)
        return out
