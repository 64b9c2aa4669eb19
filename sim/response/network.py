"""Travel between zones over a road network that the hazard can break and crews can mend.

Without a ``roads`` block every pair of zones is linked directly (travel matrix, or great-circle
distance times circuity). With one, travel follows shortest paths over the links; blocked links
drop out until a crew clears them, and a zone with no open path is cut off. Zones also close
their roads during the hazard's gale window (no trip is started into a closure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from sim.hazards.geo import haversine_km
from sim.scenario.distributions import as_float
from sim.scenario.operations import Roads
from sim.scenario.schema import Travel, Zone

__all__ = ["Link", "Network"]

REF_SPEED_KMH = 40.0
"""Speed used to choose routes on links that give a length but no time."""


@dataclass(eq=False)
class Link:
    """One road link and its state."""

    idx: int
    a: int
    b: int
    km: float
    minutes: float | None
    kind: str
    blocked: bool = False
    blocked_at: float = math.nan
    cleared_at: float = math.nan
    claimed: bool = False
    """A crew is on its way to clear it."""


class Network:
    """Zone-to-zone travel for one run.

    Parameters
    ----------
    zones : sequence of Zone
        The scenario's zones (coordinates, optional intra-zone minutes).
    travel : Travel
        The sampled travel block (matrix or circuity, variability).
    roads : Roads or None
        The sampled road network, if the scenario has one.
    closures : sequence of (start_h, end_h) or None
        Road closure window of each zone, from the hazard's Impact.
    rng : numpy.random.Generator
        The run's ``travel`` stream (per-trip variability).
    env : simpy.Environment
        Used to signal changes of the network to vehicles waiting for a route.
    """

    def __init__(self, zones: Sequence[Zone], travel: Travel, roads: Roads | None,
                 closures: Sequence[tuple[float, float] | None],
                 rng: np.random.Generator, env: simpy.Environment) -> None:
        n = len(zones)
        self.n = n
        self.env = env
        self.rng = rng
        self.sigma = as_float(travel.variability_sigma)
        self.lonlat = np.array([(z.lon, z.lat) for z in zones])
        self._air: list[list[float]] | None = None
        self.intra_h = np.array([
            (z.intra_zone_minutes if z.intra_zone_minutes is not None
             else travel.intra_zone_minutes) / 60.0
            for z in zones
        ])
        self.closures: list[list[tuple[float, float]]] = [
            [c] if c is not None else [] for c in closures
        ]
        self.changed = simpy.Event(env)
        self.version = 0
        """Incremented at every change of routes or closures (keys caches of 'nearest')."""
        self.links: list[Link] = []
        index = {z.name: i for i, z in enumerate(zones)}
        # fixed_h: hours on links with a given time; var_km: km on links timed by speed.
        self.fixed_h = np.zeros((n, n))
        self.var_km = np.zeros((n, n))
        if roads is not None:
            for i, lk in enumerate(roads.links):
                self.links.append(Link(i, index[lk.a], index[lk.b], lk.km, lk.minutes, lk.kind))
            self._shortest_paths()
        elif travel.minutes is not None:
            m = np.asarray(travel.minutes, dtype=float) / 60.0
            self.fixed_h = m.copy()
            diag = np.diag(m)
            self.intra_h = np.where(diag > 0, diag, self.intra_h)
            np.fill_diagonal(self.fixed_h, 0.0)
        else:
            for i, a in enumerate(zones):
                for j in range(i + 1, n):
                    b = zones[j]
                    d = haversine_km(a.lon, a.lat, b.lon, b.lat) * travel.circuity
                    self.var_km[i, j] = self.var_km[j, i] = d
        self._tables()
        self.history: list[tuple[float, int]] = [(float(env.now), self.unreachable_pairs())]

    # -- routes ------------------------------------------------------------------------------
    def _shortest_paths(self) -> None:
        """All-pairs shortest paths over open links (Floyd-Warshall, numpy)."""
        n = self.n
        cost = np.full((n, n), np.inf)
        fixed = np.zeros((n, n))
        km = np.zeros((n, n))
        np.fill_diagonal(cost, 0.0)
        for lk in self.links:
            if lk.blocked:
                continue
            f, k = (lk.minutes / 60.0, 0.0) if lk.minutes is not None else (0.0, lk.km)
            c = f + k / REF_SPEED_KMH
            for a, b in ((lk.a, lk.b), (lk.b, lk.a)):
                if c < cost[a, b]:
                    cost[a, b], fixed[a, b], km[a, b] = c, f, k
        for k in range(n):
            cand = cost[:, k, None] + cost[None, k, :]
            better = cand < cost
            if better.any():
                cost = np.where(better, cand, cost)
                fixed = np.where(better, fixed[:, k, None] + fixed[None, k, :], fixed)
                km = np.where(better, km[:, k, None] + km[None, k, :], km)
        fixed[~np.isfinite(cost)] = np.inf
        self.fixed_h = fixed
        self.var_km = km
        self._tables()

    def _tables(self) -> None:
        """Python copies of the route tables: lookups of one pair are the hot path of a run."""
        self._fixed: list[list[float]] = self.fixed_h.tolist()
        self._km: list[list[float]] = self.var_km.tolist()
        self._intra: list[float] = self.intra_h.tolist()
        self._rank = [[self._intra[a] if a == b else f + k / REF_SPEED_KMH
                       for b, (f, k) in enumerate(zip(fr, kr, strict=True))]
                      for a, (fr, kr) in enumerate(zip(self._fixed, self._km, strict=True))]

    def reachable(self, a: int, b: int) -> bool:
        """Whether an open road path joins zones ``a`` and ``b``."""
        return a == b or self._fixed[a][b] < math.inf

    def base_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """Typical travel time from zone ``a`` to ``b`` at ``speed_kmh`` (``inf`` if cut off)."""
        if a == b:
            return self._intra[a]
        return self._fixed[a][b] + self._km[a][b] / speed_kmh

    def rank(self, a: int, b: int) -> float:
        """Ordering key for 'nearest' (hours at the reference speed; ``inf`` if cut off)."""
        return self._rank[a][b]

    def trip_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """One trip's travel time: the base time times a lognormal factor of median 1."""
        base = self.base_hours(a, b, speed_kmh)
        if self.sigma > 0.0 and math.isfinite(base):
            base *= math.exp(self.sigma * float(self.rng.standard_normal()))
        return base

    def air_km(self, a: int, b: int) -> float:
        """Great-circle distance between the centres of two zones, km."""
        if self._air is None:
            ll = self.lonlat.tolist()
            self._air = [[haversine_km(lo1, la1, lo2, la2) for lo2, la2 in ll] for lo1, la1 in ll]
        return self._air[a][b]

    # -- closures and damage -----------------------------------------------------------------
    def is_closed(self, zone: int, t: float) -> bool:
        """Whether the roads of ``zone`` are closed (gales, an intervention) at time ``t``."""
        return any(s <= t < e for s, e in self.closures[zone])

    def earliest_departure(self, a: int, b: int, t: float, duration: float) -> float:
        """First time >= ``t`` at which a trip from ``a`` to ``b`` meets no closure.

        A trip of ``duration`` hours is not started if it would overlap a closure window of
        either end zone; it waits until the window ends.
        """
        windows = self.closures[a] + (self.closures[b] if b != a else [])
        depart = t
        moved = True
        while moved:
            moved = False
            for s, e in windows:
                if depart < e and depart + duration > s:
                    depart = e
                    moved = True
        return depart

    def add_closure(self, zone: int, start_h: float, end_h: float) -> None:
        """Close the roads of ``zone`` during ``[start_h, end_h)``."""
        self.closures[zone].append((start_h, end_h))
        self._signal()

    def block(self, link: Link) -> None:
        """The hazard blocks ``link``."""
        if not link.blocked:
            link.blocked = True
            link.blocked_at = float(self.env.now)
            self._shortest_paths()
            self._signal()

    def clear(self, link: Link) -> None:
        """A crew reopens ``link``."""
        if link.blocked:
            link.blocked = False
            link.claimed = False
            link.cleared_at = float(self.env.now)
            self._shortest_paths()
            self._signal()

    def _signal(self) -> None:
        self.version += 1
        self.history.append((float(self.env.now), self.unreachable_pairs()))
        old, self.changed = self.changed, simpy.Event(self.env)
        old.succeed()

    def unreachable_pairs(self) -> int:
        """Ordered pairs of zones with no open path."""
        return int((~np.isfinite(self.fixed_h)).sum())
