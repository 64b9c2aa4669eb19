"""Typhoon: track, Holland wind field, inland decay, wind damage, storm surge, rain and floods.

One realisation:

1. **Track.** The landfall point is the forecast point shifted along the coast by the sampled
   offset; the storm moves on a straight line through it with the sampled heading and speed.
   t = 0 is landfall.
2. **Intensity.** The maximum sustained wind is given in the scenario's averaging period (China:
   2-min) and turned into a 1-min wind (Harper et al. 2010 factors, as in CLIMADA). Before
   landfall it is the landfall intensity; after landfall it decays as Kaplan & DeMaria (1995):
   ``V(t) = V_b + (R V_0 - V_b) exp(-alpha t)``.
3. **Wind field.** Holland (1980) with Coriolis, at gradient level (``V_max / 0.9``) and brought
   to the surface by 0.9 (CLIMADA's H1980 model); B is sampled in [1.0, 2.5].
4. **Per zone.** Peak 1-min wind and its time; gale arrival (first wind at or above the gale
   threshold) is the zone's onset; roads are closed while the wind is at or above the closure
   threshold and ``road_reopen_after_h`` more.
5. **Damage.** Emanuel (2011) ``MDD = v^3/(1+v^3)`` with the China-calibrated ``v_half``; the
   share of residents displaced is ``min(1, displaced_per_damage x MDD)``.
6. **Storm surge** (coastal zones): CLIMADA's bathtub model: ``h = 0.1023 max(V - 26.8, 0) + 1.83``
   m (Xu 2010), lowered 0.2 m per km inland, plus the tide; behind a seawall only an overtopping
   level floods the lowland; depth -> damage and casualties by the flood curves.
7. **Rain** (R-CLIPER, Tuleya et al. 2007) integrated along the track per zone; with a ``flood``
   block it drives flash floods, waterlogging and landslides (the compound chain).

All mechanisms are combined into one strike per zone at the earliest onset (gale, surge or
water), because the engine strikes each zone once; the per-mechanism onsets are in
``ZoneImpact.measures``.
"""

from __future__ import annotations

import math

import numpy as np

from sim.hazards.common import (
    Outcome,
    combine,
    curve,
    f,
    facility_outages,
    harm_since,
    hazard_rng,
    strikes,
    window_union,
)
from sim.hazards.flood import DT_H, rain_outcomes
from sim.hazards.geo import EARTH_RADIUS_KM, destination, destinations, haversine_km
from sim.hazards.grades import MS_PER_KT, typhoon_grade
from sim.hazards.impact import Impact, ZoneImpact
from sim.scenario.hazard import FloodVulnerability, TyphoonHazard, TyphoonRain
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = [
    "OMEGA",
    "emanuel_mdd",
    "holland_wind",
    "inland_decay",
    "rcliper_rate",
    "surge_height",
    "track",
    "typhoon_impact",
]

OMEGA = 7.2921e-5
"""Earth's angular velocity, rad/s (for the Coriolis parameter)."""


def emanuel_mdd(v_ms: np.ndarray | float, v_thresh: float, v_half: float) -> np.ndarray:
    """Mean damage ratio of Emanuel (2011): ``v^3 / (1 + v^3)``.

    ``v = max(0, V - v_thresh) / (v_half - v_thresh)``. At ``V = v_half`` the ratio is 0.5.
    """
    if v_half <= v_thresh:
        raise ValueError(f"v_half ({v_half}) must exceed v_thresh ({v_thresh})")
    v = np.maximum(0.0, np.asarray(v_ms, dtype=float) - v_thresh) / (v_half - v_thresh)
    v3 = v**3
    return np.asarray(v3 / (1.0 + v3))


def holland_wind(r_km: np.ndarray | float, v_max_ms: np.ndarray | float, rmw_km: float,
                 b: float, lat_deg: np.ndarray | float, air_density: float = 1.15,
                 gradient_to_surface: float = 0.9, max_radius_km: float = math.inf,
                 coriolis: bool = True) -> np.ndarray:
    """Surface wind at ``r_km`` from the centre by the Holland (1980) profile, m/s.

    ``V_max`` is the surface maximum wind; the gradient-level maximum is
    ``V_g = V_max / gradient_to_surface``, the pressure drop ``dp = V_g^2 e rho / B`` and the
    gradient wind ``sqrt((B/rho)(R/r)^B dp exp(-(R/r)^B) + (r f / 2)^2) - r f / 2`` (Holland 1980,
    eqs. 5-6, as in CLIMADA), brought back to the surface by ``gradient_to_surface``. Without
    Coriolis the profile peaks at exactly ``V_max`` at ``r = R``. Arrays broadcast.
    """
    r = np.maximum(np.asarray(r_km, dtype=float), 1e-6) * 1000.0
    rm = rmw_km * 1000.0
    vg = np.asarray(v_max_ms, dtype=float) / gradient_to_surface
    dp = vg**2 * math.e * air_density / b
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    fcor = 2.0 * OMEGA * np.abs(np.sin(lat)) if coriolis else 0.0 * lat
    x = (rm / r) ** b
    half = r * fcor / 2.0
    v = np.sqrt((b / air_density) * x * dp * np.exp(-x) + half**2) - half
    out = gradient_to_surface * v
    return np.asarray(np.where(r / 1000.0 > max_radius_km, 0.0, out))


def inland_decay(t_h: np.ndarray | float, v0: float, alpha: float, vb: float,
                 factor: float) -> np.ndarray:
    """Kaplan & DeMaria (1995): ``V_b + (R V_0 - V_b) exp(-alpha t)`` after landfall, V_0 before.

    Never above ``R V_0`` after landfall (a storm weaker than V_b does not strengthen over land).
    """
    t = np.asarray(t_h, dtype=float)
    after = np.minimum(factor * v0, vb + (factor * v0 - vb) * np.exp(-alpha * np.maximum(t, 0.0)))
    return np.asarray(np.where(t <= 0.0, v0, after))


def rcliper_rate(r_km: np.ndarray | float, v_max_ms: np.ndarray | float,
                 c: TyphoonRain) -> np.ndarray:
    """R-CLIPER rain rate (mm/h) at ``r_km`` from a centre with 1-min max wind ``v_max_ms``."""
    u = 1.0 + (np.asarray(v_max_ms, dtype=float) / MS_PER_KT - 35.0) / 33.0
    t0 = c.a1 + c.b1 * u
    tm = c.a2 + c.b2 * u
    rm = c.a3 + c.b3 * u
    re = c.a4 + c.b4 * u
    r = np.asarray(r_km, dtype=float)
    inner = t0 + (tm - t0) * r / rm
    outer = tm * np.exp(-(r - rm) / re)
    rate = np.where(r <= rm, inner, outer)
    rate = np.where(np.isfinite(rate), np.maximum(rate, 0.0), 0.0)
    return np.asarray(rate * 25.4 / 24.0)  # inch/day -> mm/h


def surge_height(v1_ms: float, slope: float, threshold: float, intercept: float) -> float:
    """Peak surge at the coast from the peak 1-min wind (Xu 2010 via CLIMADA), m."""
    return slope * max(v1_ms - threshold, 0.0) + intercept


def track(h: TyphoonHazard, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Storm centre positions (lon, lat arrays) at times ``t`` and the landfall point."""
    lon0, lat0 = destination(h.landfall.lon, h.landfall.lat, h.coast_bearing_deg,
                             f(h.landfall_offset_km))
    heading = f(h.heading_deg) % 360.0
    speed = f(h.translation_speed_kmh)
    pts = destinations(lon0, lat0, heading, [speed * x for x in t.tolist()])
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts]), (lon0, lat0)


def _distances(lon: np.ndarray, lat: np.ndarray, zlon: float, zlat: float) -> np.ndarray:
    p1, p2 = np.radians(lat), math.radians(zlat)
    dl = np.radians(zlon - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a))))


def typhoon_impact(realised: Scenario, streams: Streams | None = None) -> Impact:
    """Turn a sampled typhoon into an Impact.

    Parameters
    ----------
    realised : Scenario
        The scenario with every quantity sampled; ``hazard`` is a :class:`TyphoonHazard`.
    streams : Streams, optional
        The run's streams (facility outages draw from ``hazard_model``).
    """
    h = realised.hazard
    assert isinstance(h, TyphoonHazard)
    t = np.arange(realised.time.start_h, realised.time.end_h + DT_H / 2, DT_H)
    lon, lat, (lon0, lat0) = track(h, t)
    to1 = h.holland.to_1min[h.wind_averaging]
    v0 = f(h.max_wind_ms) * to1
    vmax_t = inland_decay(t, v0, h.decay.alpha_per_h, h.decay.background_ms,
                          h.decay.landfall_factor)
    rmw, b = f(h.rmw_km), f(h.holland_b)
    gale = f(h.gale_ms) * to1
    close = f(h.road_closure_wind_ms) * to1
    reopen = f(h.road_reopen_after_h)
    dmg = h.damage
    v_thr, v_half, dpd = f(dmg.v_thresh_ms), f(dmg.v_half_ms), f(dmg.displaced_per_damage)
    inj_per_mdd = [f(x) for x in dmg.injured_per_damage]
    nz = len(realised.zones)
    rates = np.zeros((nz, len(t)))
    parts: list[list[Outcome]] = [[] for _ in range(nz)]
    peaks: list[tuple[float, float, float]] = []  # (peak wind 1-min, time of peak, nearest km)
    for zi, z in enumerate(realised.zones):
        r = _distances(lon, lat, z.lon, z.lat)
        wind = holland_wind(r, vmax_t, rmw, b, lat, h.holland.air_density,
                            h.holland.gradient_to_surface, h.holland.max_radius_km)
        k = int(np.argmax(wind))
        vpk, tpk = float(wind[k]), float(t[k])
        peaks.append((vpk, tpk, float(r.min())))
        above = np.nonzero(wind >= gale)[0]
        onset = float(t[above[0]]) if above.size else tpk
        closed = np.nonzero(wind >= close)[0]
        roads = (float(t[closed[0]]), float(t[closed[-1]]) + DT_H + reopen) if closed.size else None
        mdd = float(emanuel_mdd(vpk, v_thr, v_half))
        hurt = [min(1.0, x * mdd) for x in inj_per_mdd] if above.size else [0.0, 0.0, 0.0]
        parts[zi].append(Outcome(
            name="wind", onset_h=onset, strike_h=tpk, home_loss=min(1.0, dpd * mdd),
            injured=(hurt[0], hurt[1], hurt[2]),
            share=1.0 if above.size else 0.0,
            displacement_days=f(dmg.recovery_days_at_total_loss) * mdd,
            facility_out=min(1.0, dpd * mdd), roads=roads,
            measures={"wind_1min_ms": vpk, "wind_peak_h": tpk, "gale_onset_h": onset,
                      "mdd": mdd},
        ))
        if h.rain is not None:
            rates[zi] = rcliper_rate(r, vmax_t, h.rain) * f(h.rain.factor)
        if h.surge is not None and z.exposure is not None and z.exposure.coast is not None:
            o = _surge(h, z.exposure.coast, vpk, tpk, h.water)
            if o is not None:
                parts[zi].append(o)
    components = ["wind"]
    if h.surge is not None and any(p.name == "surge" for ps in parts for p in ps):
        components.append("surge")
    if h.rain is not None:
        components.append("rain")
        if h.water is not None:
            for zi, extra in enumerate(rain_outcomes(realised, t, rates, h.water, h.flash,
                                                     h.waterlogging, h.landslide)):
                parts[zi] += extra
                components += [p.name for p in extra]
    rain_mm = rates.sum(axis=1) * DT_H
    zones: list[ZoneImpact] = []
    p_out: list[float] = []
    since: list[float] = []
    until: list[float] = []
    for zi in range(nz):
        c = combine(parts[zi])
        vpk, tpk, _ = peaks[zi]
        roads = window_union([c.roads])
        zones.append(ZoneImpact(
            onset_h=c.onset_h, intensity=vpk / to1, home_loss=c.home_loss, killed=c.killed,
            injured=c.injured, trapped=c.trapped, roads_closed=roads, peak_h=tpk,
            exposed_share=c.share, depth_m=c.depth_m, flooded_h=c.flooded_h,
            rain_mm=float(rain_mm[zi]), displacement_days=c.displacement_days,
            road_damage=c.road_block,  # gales and water close roads by the window
            road_clear_h=c.road_clear_h, measures=c.measures, strikes=strikes(parts[zi]),
        ))
        p_out.append(c.facility_out)
        since.append(harm_since(parts[zi]) if c.facility_out > 0 else c.onset_h)
        until.append(math.inf if c.facility_out > 0 else c.onset_h)
    rng = hazard_rng(realised, streams)
    grade = typhoon_grade(v0 / h.holland.to_1min.get("2min", to1))
    nearest = min(haversine_km(z.lon, z.lat, lon0, lat0) for z in realised.zones)
    return Impact(
        hazard="typhoon",
        intensity_unit=f"peak wind m/s ({h.wind_averaging} mean)",
        zones=tuple(zones),
        details={
            "landfall_lon": lon0,
            "landfall_lat": lat0,
            "landfall_offset_km": f(h.landfall_offset_km),
            "heading_deg": f(h.heading_deg) % 360.0,
            "translation_speed_kmh": f(h.translation_speed_kmh),
            "max_wind_ms": f(h.max_wind_ms),
            "max_wind_1min_ms": v0,
            "holland_b": b,
            "rmw_km": rmw,
            "nearest_zone_km": nearest,
            "grade": float(["-", "TD", "TS", "STS", "TY", "STY", "SuperTY"].index(grade)),
        },
        facilities_out=facility_outages(realised, p_out, since, until, "typhoon", rng),
        components=tuple(dict.fromkeys(components)),
    )


def _surge(h: TyphoonHazard, coast: object, vpk: float, tpk: float,
           flood: FloodVulnerability | None) -> Outcome | None:
    """Storm-surge outcome of a coastal zone's lowland (None when it stays dry)."""
    s = h.surge
    assert s is not None
    from sim.scenario.exposure import CoastExposure

    assert isinstance(coast, CoastExposure)
    if vpk < s.applies_above_ms:
        return None
    height = surge_height(vpk, s.slope_m_per_ms, s.threshold_ms, s.intercept_m)
    level = height - s.inland_decay_m_per_km * f(coast.distance_km) + f(s.tide_m)
    crest = f(coast.seawall_crest_m) if coast.seawall_crest_m is not None else -math.inf
    depth = level - f(coast.ground_m)
    if level <= crest or depth <= 0:
        return None
    share = f(coast.share)
    dur = f(s.duration_h)
    measures = {"surge_level_m": level, "surge_depth_m": depth, "surge_h": tpk}
    if flood is None:
        return Outcome(name="surge", onset_h=tpk, share=share, depth_m=depth, flooded_h=dur,
                       measures=measures)
    damage = float(curve(flood.depth_damage, depth))
    killed = share * float(curve(flood.depth_killed, depth))
    trapped = (share * f(flood.trapped_share) * (1.0 - float(curve(flood.depth_killed, depth)))
               if depth >= f(flood.trapped_depth_m) else 0.0)
    inj = tuple(min(1.0, killed * f(x)) for x in flood.injured_per_killed)
    roads = ((tpk, tpk + dur + f(flood.cleanup_h))
             if depth >= f(flood.road_closure_depth_m) else None)
    return Outcome(
        name="surge", onset_h=tpk, home_loss=share * min(1.0, f(flood.displaced_per_damage)
                                                          * damage),
        killed=killed, injured=(inj[0], inj[1], inj[2]), trapped=trapped, share=share,
        depth_m=depth, flooded_h=dur,
        displacement_days=dur / 24.0 + f(flood.recovery_days_at_total_loss) * damage,
        facility_out=share if depth >= f(flood.facility_depth_m) else 0.0, roads=roads,
        measures=measures,
    )
