"""Travel between zones: base times, per-trip variability and road closures."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.hazards.geo import haversine_km
from sim.scenario.distributions import as_float
from sim.scenario.schema import Travel, Zone

__all__ = ["Network"]


class Network:
    """Zone-to-zone travel for one run.

    Parameters
    ----------
    zones : sequence of Zone
        The scenario's zones (coordinates, optional intra-zone minutes).
    travel : Travel
        The sampled travel block (matrix or circuity, variability).
    closures : sequence of (start_h, end_h) or None
        Road closure window of each zone, from the hazard's Impact.
    rng : numpy.random.Generator
        The run's ``travel`` stream (per-trip variability).
    """

    def __init__(self, zones: Sequence[Zone], travel: Travel,
                 closures: Sequence[tuple[float, float] | None],
                 rng: np.random.Generator) -> None:
        n = len(zones)
        self.n = n
        self.rng = rng
        self.sigma = as_float(travel.variability_sigma)
        km = np.zeros((n, n))
        for i, a in enumerate(zones):
            for j in range(i + 1, n):
                b = zones[j]
                km[i, j] = km[j, i] = haversine_km(a.lon, a.lat, b.lon, b.lat) * travel.circuity
        self.road_km = km
        self.minutes = None if travel.minutes is None else np.asarray(travel.minutes, dtype=float)
        self.intra_h = np.array([
            (z.intra_zone_minutes if z.intra_zone_minutes is not None
             else travel.intra_zone_minutes) / 60.0
            for z in zones
        ])
        if self.minutes is not None:
            # The matrix's diagonal, when given, is the zone's internal travel time.
            diag = np.diag(self.minutes) / 60.0
            self.intra_h = np.where(diag > 0, diag, self.intra_h)
        self.closures: list[list[tuple[float, float]]] = [
            [c] if c is not None else [] for c in closures
        ]

    def base_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """Typical travel time from zone ``a`` to zone ``b``, hours.

        The matrix time when the scenario gives one; otherwise road distance over ``speed_kmh``.
        """
        if a == b:
            return float(self.intra_h[a])
        if self.minutes is not None:
            return float(self.minutes[a, b]) / 60.0
        return float(self.road_km[a, b]) / speed_kmh

    def rank(self, a: int, b: int) -> float:
        """Ordering key for 'nearest': matrix minutes, or road km at 60 km/h, in hours."""
        return self.base_hours(a, b, 60.0)

    def trip_hours(self, a: int, b: int, speed_kmh: float) -> float:
        """One trip's travel time: the base time times a lognormal factor of median 1."""
        base = self.base_hours(a, b, speed_kmh)
        if self.sigma > 0.0:
            base *= math.exp(self.sigma * float(self.rng.standard_normal()))
        return base

    def is_closed(self, zone: int, t: float) -> bool:
        """Whether the roads of ``zone`` are closed at time ``t``."""
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
