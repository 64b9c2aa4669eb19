"""Small geodesy helpers (spherical Earth)."""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["EARTH_RADIUS_KM", "destination", "destinations", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), km."""


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two points given in degrees, km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def destination(lon: float, lat: float, bearing_deg: float,
                distance_km: float) -> tuple[float, float]:
    """Point reached from (lon, lat) after ``distance_km`` on initial bearing ``bearing_deg``."""
    return destinations(lon, lat, bearing_deg, [distance_km])[0]


def destinations(lon: float, lat: float, bearing_deg: float,
                 distances_km: Iterable[float]) -> list[tuple[float, float]]:
    """:func:`destination` of every distance on one bearing (the start's sines computed once)."""
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    sin_p1, cos_p1, sin_b, cos_b = math.sin(p1), math.cos(p1), math.sin(b), math.cos(b)
    out = []
    for distance_km in distances_km:
        d = distance_km / EARTH_RADIUS_KM
        sin_d, cos_d = math.sin(d), math.cos(d)
        p2 = math.asin(sin_p1 * cos_d + cos_p1 * sin_d * cos_b)
        l2 = l1 + math.atan2(sin_b * sin_d * cos_p1, cos_d - sin_p1 * math.sin(p2))
        out.append(((math.degrees(l2) + 540.0) % 360.0 - 180.0, math.degrees(p2)))
    return out
