"""Travel between zones over a road network that the hazard can break and crews can mend.

Without a ``roads`` block every pair of zones is linked directly (travel matrix, or great-circle
distance times circuity). With one, travel follows shortest paths over the links; blocked links
drop out until a crew clears them, and a zone with no open path is cut off. Zones also close
their roads during the hazard's gale window (no trip is started into a closure).

Routes are computed when a trip asks for them, per origin, and forgotten at every change of the
roads: a run of many zones and many link changes pays for the origins its trips use, not for
all pairs at every change (the town-level Wenzhou scenario has 194 zones and about 170 link
changes a run). Up to ``FLOYD_MAX_ZONES`` zones the table of all pairs is computed at once
(Floyd-Warshall with numpy, as before: identical routes to the last bit); above it, each origin
by Dijkstra's algorithm over the open links (the same shortest paths; the sums along a path can
differ from Floyd-Warshall's in the last bit of a float).
"""

from __future__ import annotations

import heapq
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

FLOYD_MAX_ZONES = 64
"""Up to this many zones, all routes are computed at once (Floyd-Warshall); above, per origin."""


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


class _UntilReachable:
    """Resumes ``done``'s waiter once ``a`` and ``b`` are joined (:meth:`Network.until_reachable`).

    A callback on :attr:`Network.changed` that otherwise waits for the next change.
    """

    __slots__ = ("a", "b", "done", "net")

    def __init__(self, net: Network, a: int, b: int, done: simpy.Event) -> None:
        self.net, self.a, self.b, self.done = net, a, b, done

    def __call__(self, _event: simpy.Event) -> None:
        net = self.net
        if not net.reachable(self.a, self.b):
            net.changed.callbacks.append(self)
            return
        # Resume the waiter now, inside the processing of the change, as before.
        done = self.done
        done._ok = True
        done._value = None
        callbacks, done.callbacks = done.callbacks, None  # type: ignore[assignment]
        for callback in callbacks or ():
            callback(done)


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
        self._ll: list[list[float]] = self.lonlat.tolist()
        self._air: list[list[float] | None] = [None] * n
        self.intra_h = np.array([
            (z.intra_zone_minutes if z.intra_zone_minutes is not None
             else travel.intra_zone_minutes) / 60.0
            for z in zones
        ])
        self.closures: list[list[tuple[float, float]]] = [
            [c] if c is not None else [] for c in closures
        ]
        self.changed = simpy.Event(env)
        self.row_version = [0] * len(zones)
        """Per origin zone, incremented when its routes may change (a link blocked or cleared on
        its shortest-path tree, or any link in all-pairs mode): the only changes of
        :meth:`rank` from that origin (closures only delay departures). Caches of orders by
        nearness are keyed on the versions of the rows they read, so that a change elsewhere,
        or a closure, leaves them valid."""
        self.links: list[Link] = []
        index = {z.name: i for i, z in enumerate(zones)}
        # Route rows per origin: hours on links with a given time, km on links timed by speed,
        # and the 'nearest' key; None until a trip from that origin asks.
        self._fixed: list[list[float] | None] = [None] * n
        self._km: list[list[float] | None] = [None] * n
        self._rank: list[list[float] | None] = [None] * n
        self._intra: list[float] = self.intra_h.tolist()
        self._circuity = float(travel.circuity)
        self._mode = "circuity"
        self._cut = 0
        """Ordered pairs of zones with no open path, as of the last change."""
        self._component: list[int] = [0] * n
        """Per-origin mode: a zone's connected component over the open links."""
        # fixed_h: hours on links with a given time; var_km: km on links timed by speed (the
        # whole table, kept where it is computed at once: a travel matrix or Floyd-Warshall).
        self.fixed_h = np.zeros((n, n))
        self.var_km = np.zeros((n, n))
        if roads is not None:
            for i, lk in enumerate(roads.links):
                self.links.append(Link(i, index[lk.a], index[lk.b], lk.km, lk.minutes, lk.kind))
            if n <= FLOYD_MAX_ZONES:
                self._mode = "floyd"
                self._shortest_paths()
            else:
                self._mode = "dijkstra"
                self._adj: list[list[tuple[int, float, float, float, Link]]] = [
                    [] for _ in range(n)]
                for link in self.links:
                    f, k, c = self._link_parts(link)
                    self._adj[link.a].append((link.b, f, k, c, link))
                    self._adj[link.b].append((link.a, f, k, c, link))
                self._cost: list[list[float] | None] = [None] * n
                self._pred: list[list[int] | None] = [None] * n
                self._routes_changed(None)
        elif travel.minutes is not None:
            self._mode = "matrix"
            m = np.asarray(travel.minutes, dtype=float) / 60.0
            self.fixed_h = m.copy()
            diag = np.diag(m)
            self.intra_h = np.where(diag > 0, diag, self.intra_h)
            self._intra = self.intra_h.tolist()
            np.fill_diagonal(self.fixed_h, 0.0)
            self._tables()
            self._cut = int((~np.isfinite(self.fixed_h)).sum())
        self.history: list[tuple[float, int]] = [(float(env.now), self.unreachable_pairs())]

    # -- routes ------------------------------------------------------------------------------
    def _shortest_paths(self) -> None:
        """All-pairs shortest paths over open links (Floyd-Warshall, numpy, in place)."""
        n = self.n
        cost = np.full((n, n), np.inf)
        fixed = np.zeros((n, n))
        km = np.zeros((n, n))
        np.fill_diagonal(cost, 0.0)
        for lk in self.links:
            if lk.blocked:
                continue
            f, k, c = self._link_parts(lk)
            for a, b in ((lk.a, lk.b), (lk.b, lk.a)):
                if c < cost[a, b]:
                    cost[a, b], fixed[a, b], km[a, b] = c, f, k
        cand = np.empty((n, n))
        better = np.empty((n, n), dtype=bool)
        via = np.empty((n, n))
        for k in range(n):
            np.add(cost[:, k, None], cost[None, k, :], out=cand)
            np.less(cand, cost, out=better)
            if better.any():
                np.copyto(cost, cand, where=better)
                np.add(fixed[:, k, None], fixed[None, k, :], out=via)
                np.copyto(fixed, via, where=better)
                np.add(km[:, k, None], km[None, k, :], out=via)
                np.copyto(km, via, where=better)
        fixed[~np.isfinite(cost)] = np.inf
        self.fixed_h = fixed
        self.var_km = km
        self._tables()
        self._cut = int((~np.isfinite(self.fixed_h)).sum())

    def _tables(self) -> None:
        """Python copies of the whole route tables: lookups of one pair are the hot path."""
        rank = self.fixed_h + self.var_km / REF_SPEED_KMH
        np.fill_diagonal(rank, self.intra_h)
        self._fixed = list(self.fixed_h.tolist())
        self._km = list(self.var_km.tolist())
        self._rank = list(rank.tolist())

    def _routes_changed(self, link: Link | None) -> None:
        """Forget the routes that ``link`` changes and count the pairs cut off (per-origin mode).

        An origin's routes stay when the link was blocked and is on none of them (its shortest
        path tree does not use it), or was opened and gives no path as short as one it has:
        computing them again would give the same values. ``None``: forget every origin's.
        """
        n = self.n
        for a in range(n):
            cost, pred = self._cost[a], self._pred[a]
            if cost is None or pred is None:
                continue
            if link is not None:
                u, v = link.a, link.b
                if link.blocked:
                    if pred[u] != link.idx and pred[v] != link.idx:
                        continue
                else:
                    c = self._link_parts(link)[2]
                    if not (min(cost[u], cost[v]) < math.inf
                            and (cost[u] + c <= cost[v] or cost[v] + c <= cost[u])):
                        continue
            self._fixed[a] = self._km[a] = self._rank[a] = None
            self._cost[a] = self._pred[a] = None
            self.row_version[a] += 1
        self._count_cut()

    def _count_cut(self) -> None:
        """Connected components over the open links, and the ordered pairs they leave cut off."""
        n = self.n
        parent = list(range(n))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for lk in self.links:
            if not lk.blocked:
                ra, rb = root(lk.a), root(lk.b)
                if ra != rb:
                    parent[ra] = rb
        self._component = [root(i) for i in range(n)]
        sizes: dict[int, int] = {}
        for r in self._component:
            sizes[r] = sizes.get(r, 0) + 1
        self._cut = n * n - sum(s * s for s in sizes.values())

    @staticmethod
    def _link_parts(link: Link) -> tuple[float, float, float]:
        """A link's hours on a given time, km timed by speed, and routing cost in hours."""
        f, k = (link.minutes / 60.0, 0.0) if link.minutes is not None else (0.0, link.km)
        return f, k, f + k / REF_SPEED_KMH

    def _row(self, a: int) -> list[float]:
        """Compute the routes from ``a``; returns its 'nearest' row.

        All-pairs mode computes every origin's at once (after a change of the roads).
        """
        n = self.n
        inf = math.inf
        if self._mode == "floyd":
            self._shortest_paths()
            row = self._rank[a]
            assert row is not None
            return row
        if self._mode == "dijkstra":
            cost = [inf] * n
            fixed = [inf] * n
            km = [0.0] * n
            pred = [-1] * n
            done = [False] * n
            cost[a] = fixed[a] = 0.0
            heap = [(0.0, a)]
            adj = self._adj
            while heap:
                c, u = heapq.heappop(heap)
                if done[u]:
                    continue
                done[u] = True
                fu, ku = fixed[u], km[u]
                for v, f, k, lc, lk in adj[u]:
                    if lk.blocked or done[v]:
                        continue
                    nc = c + lc
                    if nc < cost[v]:
                        cost[v], fixed[v], km[v], pred[v] = nc, fu + f, ku + k, lk.idx
                        heapq.heappush(heap, (nc, v))
            self._cost[a] = cost
            self._pred[a] = pred
        else:  # circuity: great-circle distance times circuity, the same value both ways
            ll = self._ll
            fixed = [0.0] * n
            km = [0.0 if b == a else haversine_km(*ll[min(a, b)], *ll[max(a, b)])
                  * self._circuity for b in range(n)]
        self._fixed[a] = fixed
        self._km[a] = km
        row = [f + k / REF_SPEED_KMH for f, k in zip(fixed, km, strict=True)]
        row[a] = self._intra[a]
        self._rank[a] = row
        return row

    def reachable(self, a: int, b: int) -> bool:
        """Whether an open road path joins zones ``a`` and ``b``."""
        if a == b:
            return True
        if self._mode == "dijkstra":  # connected components: no route needed
            return self._component[a] == self._component[b]
        fr = self._fixed[a]
        if fr is None:
            self._row(a)
            fr = self._fixed[a]
            assert fr is not None
        return fr[b] < math.inf

    def base_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """Typical travel time from zone ``a`` to ``b`` at ``speed_kmh`` (``inf`` if cut off)."""
        if a == b:
            return self._intra[a]
        fr, kr = self._fixed[a], self._km[a]
        if fr is None or kr is None:
            self._row(a)
            fr, kr = self._fixed[a], self._km[a]
            assert fr is not None and kr is not None
        return fr[b] + kr[b] / speed_kmh

    def rank(self, a: int, b: int) -> float:
        """Ordering key for 'nearest' (hours at the reference speed; ``inf`` if cut off)."""
        return self.rank_row(a)[b]

    def rank_row(self, a: int) -> list[float]:
        """:meth:`rank` from ``a`` to every zone (a list to read, not to change)."""
        row = self._rank[a]
        if row is None:
            row = self._row(a)
        return row

    def trip_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """One trip's travel time: the base time times a lognormal factor of median 1."""
        base = self.base_hours(a, b, speed_kmh)
        if self.sigma > 0.0 and math.isfinite(base):
            base *= math.exp(self.sigma * float(self.rng.standard_normal()))
        return base

    def air_km(self, a: int, b: int) -> float:
        """Great-circle distance between the centres of two zones, km."""
        row = self._air[a]
        if row is None:
            lo1, la1 = self._ll[a]
            row = self._air[a] = [haversine_km(lo1, la1, lo2, la2) for lo2, la2 in self._ll]
        return row[b]

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
            self._reroute(link)
            self._signal()

    def clear(self, link: Link) -> None:
        """A crew reopens ``link``."""
        if link.blocked:
            link.blocked = False
            link.claimed = False
            link.cleared_at = float(self.env.now)
            self._reroute(link)
            self._signal()

    def _reroute(self, link: Link) -> None:
        if self._mode == "floyd":
            # Every origin's routes may change: computed again (all at once) when a trip next
            # asks for one, so that changes at one instant cost one Floyd-Warshall; the pairs
            # cut off are counted from the connected components meanwhile (the same count).
            self.row_version = [v + 1 for v in self.row_version]
            self._fixed = [None] * self.n
            self._km = [None] * self.n
            self._rank = [None] * self.n
            self._count_cut()
        else:
            self._routes_changed(link)

    def until_reachable(self, a: int, b: int) -> simpy.Event:
        """An event that a process yields to wait until an open path joins ``a`` and ``b``.

        Yielding it is the same as yielding :attr:`changed` again after every change until the
        pair is joined, without resuming the waiting process at the changes that leave it cut
        off: waiters times changes wake-ups (at the town level 44,700 of a run's 76,300 process
        resumptions were these; their CPU time was within the noise of a run). The check takes
        the waiter's place among :attr:`changed`'s callbacks, so the waiting processes resume in
        the same order and at the same events as before; the event is never scheduled, so the
        run's event count is unchanged.
        """
        done = simpy.Event(self.env)
        self.changed.callbacks.append(_UntilReachable(self, a, b, done))
        return done

    def close(self) -> None:
        """Drop the waiters of a finished run (see :meth:`sim.response.model.Model.close`)."""
        self.changed.callbacks = None  # type: ignore[assignment]

    def _signal(self) -> None:
        self.history.append((float(self.env.now), self.unreachable_pairs()))
        old, self.changed = self.changed, simpy.Event(self.env)
        old.succeed()

    def unreachable_pairs(self) -> int:
        """Ordered pairs of zones with no open path."""
        return self._cut
