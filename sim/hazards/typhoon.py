"""Typhoon: landfall point, wind field, damage and road closures per zone.

A deliberately simple wind field for now (a modified Rankine vortex centred on the landfall
point); the damage function is Emanuel (2011) as calibrated for mainland China by
Eberenz et al. (2021). The result is an :class:`~sim.hazards.impact.Impact`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.hazards.geo import destination, haversine_km
from sim.hazards.impact import Impact, ZoneImpact
from sim.scenario.distributions import as_float
from sim.scenario.hazard import TyphoonHazard
from sim.scenario.schema import Zone

__all__ = ["emanuel_mdd", "rankine_wind", "typhoon_impact"]


def rankine_wind(r_km: np.ndarray | float, v_max: float, rmw_km: float, x: float) -> np.ndarray:
    """Peak wind at distance ``r_km`` from the centre in a modified Rankine vortex, m/s.

    ``V = v_max`` for ``r <= rmw`` and ``v_max (rmw / r)^x`` beyond.
    """
    r = np.maximum(np.asarray(r_km, dtype=float), 1e-9)
    return np.where(r <= rmw_km, v_max, v_max * (rmw_km / r) ** x)


def emanuel_mdd(v_ms: np.ndarray | float, v_thresh: float, v_half: float) -> np.ndarray:
    """Mean damage ratio of Emanuel (2011): ``v^3 / (1 + v^3)``.

    ``v = max(0, V - v_thresh) / (v_half - v_thresh)``. At ``V = v_half`` the ratio is 0.5.
    """
    if v_half <= v_thresh:
        raise ValueError(f"v_half ({v_half}) must exceed v_thresh ({v_thresh})")
    v = np.maximum(0.0, np.asarray(v_ms, dtype=float) - v_thresh) / (v_half - v_thresh)
    v3 = v**3
    return v3 / (1.0 + v3)


def typhoon_impact(h: TyphoonHazard, zones: Sequence[Zone]) -> Impact:
    """Turn a sampled typhoon into an Impact.

    Parameters
    ----------
    h : TyphoonHazard
        The hazard block with every quantity already sampled.
    zones : sequence of Zone
        The scenario's zones.
    """
    offset = as_float(h.landfall_offset_km)
    lon, lat = destination(h.landfall.lon, h.landfall.lat, h.coast_bearing_deg, offset)
    r = np.array([haversine_km(z.lon, z.lat, lon, lat) for z in zones])
    v_max = as_float(h.max_wind_ms)
    wind = rankine_wind(r, v_max, as_float(h.rmw_km), as_float(h.decay_exponent))
    mdd = emanuel_mdd(wind, as_float(h.damage.v_thresh_ms), as_float(h.damage.v_half_ms))
    loss = np.minimum(1.0, as_float(h.damage.displaced_per_damage) * mdd)
    closure_wind = as_float(h.road_closure_wind_ms)
    window = (-as_float(h.gale_before_h), as_float(h.gale_after_h))
    out = tuple(
        ZoneImpact(
            onset_h=0.0,
            intensity=float(w),
            home_loss=float(p),
            roads_closed=window if w >= closure_wind else None,
        )
        for w, p in zip(wind, loss, strict=True)
    )
    return Impact(
        hazard="typhoon",
        intensity_unit="peak wind m/s",
        zones=out,
        details={
            "landfall_lon": lon,
            "landfall_lat": lat,
            "landfall_offset_km": offset,
            "max_wind_ms": v_max,
            "nearest_zone_km": float(r.min()),
        },
    )
