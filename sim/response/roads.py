"""Road damage and clearing: links blocked by the hazard, crews that reopen them.

At a zone's onset, each link touching it is blocked by the scenario's lognormal fragility on the
larger intensity of its end zones (drawn once per link). A mechanism that blocks links itself
(landslides: ``Strike.road_block``) blocks each open link into its zone with that probability
when it strikes, not before. Crews (teams with the
``road_clearing`` skill) go to the blocked link nearest to them that they can reach, clear it in
a lognormal time, and move on; each reopened link updates every route.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.response.network import Link
from sim.response.vehicles import TeamUnit, WhenFree, drive
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["RoadWorks"]


class RoadWorks:
    """Link damage and clearing crews for one run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        roads = model.sc.roads
        self.damage = roads.damage if roads is not None else None
        self.rng = model.streams.generator("roads")
        self.crews = [t for t in model.teams if "road_clearing" in t.skills]
        self.when_free = WhenFree()
        """Players' orders for crews at work, carried out when they come free."""
        self.blocked_total = 0
        self.decided: set[int] = set()
        if self.damage is not None:
            self.median = as_float(self.damage.median)
            self.beta = as_float(self.damage.beta)
            self.bridge = as_float(self.damage.bridge_factor)
            self.clear_h = as_float(self.damage.clear_h)
            self.clear_sigma = as_float(self.damage.clear_sigma)

    def p_block(self, link: Link, intensity: float | None = None) -> float:
        """Probability that the scenario's road fragility blocks ``link``.

        At the link's intensity: the larger intensity of its end zones, or ``intensity`` when
        given (0 without a fragility).
        """
        if self.damage is None:
            return 0.0
        imp = self.m.impact.zones
        if intensity is None:
            intensity = max(imp[link.a].intensity, imp[link.b].intensity)
        median = self.median * (self.bridge if link.kind == "bridge" else 1.0)
        ratio = intensity / median
        if not ratio > 0:
            return 0.0
        return 0.5 * (1.0 + math.erf(math.log(ratio) / (self.beta * math.sqrt(2.0))))

    def hazard_clear_h(self, link: Link) -> float:
        """Hours to clear ``link`` according to the hazard model (0: it gives none)."""
        imp = self.m.impact.zones
        return max(imp[link.a].road_clear_h, imp[link.b].road_clear_h)

    def strike(self, zone: int, intensity: float | None = None, again: bool = False) -> None:
        """The hazard reaches ``zone``: links touching it may be blocked.

        A link's fate is drawn once, at the first strike on either end; a later strike
        (``again``, an aftershock of ``intensity``) draws again for the links still open.
        """
        for link in self.m.net.links:
            if zone in (link.a, link.b) and (again or link.idx not in self.decided):
                self.decided.add(link.idx)
                if link.blocked:
                    continue
                p = self.p_block(link, intensity) if again else self.p_block(link)
                if p > 0 and self.rng.random() < p:
                    self.m.net.block(link)
                    self.blocked_total += 1
                    self.m.log("link_blocked", f"{self.m.zone_names[link.a]}-"
                               f"{self.m.zone_names[link.b]}", 0)
        self.dispatch()

    def block(self, zone: int, p: float) -> None:
        """A mechanism striking ``zone`` blocks each open link into it with probability ``p``.

        Without a scenario fragility, only links the hazard model gives a clearing time for
        can be blocked (a crew must be able to clear them).
        """
        for link in self.m.net.links:
            if zone not in (link.a, link.b) or link.blocked:
                continue
            if self.damage is None and self.hazard_clear_h(link) <= 0:
                continue
            if self.rng.random() < p:
                self.m.net.block(link)
                self.blocked_total += 1
                self.m.log("link_blocked", f"{self.m.zone_names[link.a]}-"
                           f"{self.m.zone_names[link.b]}", 0)
        self.dispatch()

    def dispatch(self) -> None:
        """Send idle crews to the nearest blocked link they can reach."""
        if self.when_free:
            self.when_free.run()
        net = self.m.net
        for crew in [c for c in self.crews if not c.busy]:
            todo = [lk for lk in net.links if lk.blocked and not lk.claimed]
            if not todo:
                return

            def key(lk: Link, crew: TeamUnit = crew) -> tuple[float, int]:
                return (min(net.rank(crew.location, lk.a), net.rank(crew.location, lk.b)), lk.idx)

            link = min(todo, key=key)
            if not math.isfinite(key(link)[0]):
                continue  # this crew is cut off from every blocked link
            link.claimed = True
            crew.busy = True
            self.m.env.process(self._clear(crew, link))

    def send(self, crew: TeamUnit, zone: int) -> bool:
        """Send idle ``crew`` to clear the nearest blocked link into ``zone`` (a decision).

        Returns False when no blocked, unclaimed link that the crew can reach touches the zone.
        """
        net = self.m.net
        todo = [lk for lk in net.links if lk.blocked and not lk.claimed and zone in (lk.a, lk.b)]
        if crew.busy or not todo:
            return False

        def key(lk: Link) -> tuple[float, int]:
            return (min(net.rank(crew.location, lk.a), net.rank(crew.location, lk.b)), lk.idx)

        link = min(todo, key=key)
        if not math.isfinite(key(link)[0]):
            return False
        link.claimed = True
        crew.busy = True
        self.m.env.process(self._clear(crew, link))
        return True

    def _clear(self, crew: TeamUnit, link: Link) -> Generator[Any, Any, None]:
        m = self.m
        net = m.net
        start = float(m.env.now)
        end = link.a if net.rank(crew.location, link.a) <= net.rank(crew.location, link.b) \
            else link.b
        yield from drive(m, crew, end)
        t0 = float(m.env.now)
        if self.damage is not None:
            hours = self.clear_h * math.exp(self.clear_sigma * float(self.rng.standard_normal()))
        else:
            hours = self.hazard_clear_h(link)
        yield m.env.timeout(hours)
        crew.note(t0, float(m.env.now), "clear", end)
        net.clear(link)
        m.log("link_cleared", f"{m.zone_names[link.a]}-{m.zone_names[link.b]}", 0)
        crew.trips += 1
        crew.busy_h += float(m.env.now) - start
        crew.busy = False
        self.dispatch()
