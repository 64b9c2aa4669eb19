"""Floods: river flood, mountain flash flood, urban waterlogging and rain-triggered landslides.

Rain drives three mechanisms per zone, each acting on the share of residents it reaches (from the
zone's exposure):

- **flash flood** (rational method + Kirpich + Manning): the running mean rain intensity over the
  catchment's time of concentration gives the peak discharge ``Q = k C i A``; a wide rectangular
  channel carries it at depth ``h = (n q / sqrt(S))^(3/5)``; water above the bank-full depth
  floods the danger zone;
- **waterlogging** (SCS curve number, TR-55): runoff beyond what the drains carry ponds in the low
  streets, ``depth = stored runoff x drained area / ponding area``;
- **landslide** (Caine 1980 threshold): when a rain intensity-duration pair exceeds ``I = a D^b``,
  hazard points fail with a given probability.

The **river** flood comes from the stage at a reference gauge (given, or the Gumbel quantile of a
return period) travelling down to each zone; a floodplain floods when the stage tops its levee.

Water depth becomes outcomes by the depth-damage curve (JRC Asia residential), the depth-casualty
curve (TCDSE demo default) and a trapped rule; see :func:`water_outcome`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.hazards.common import (
    DT_H,
    Outcome,
    combine,
    curve,
    f,
    facility_outages,
    harm_since,
    hazard_rng,
    running_mean,
    strikes,
)
from sim.hazards.impact import Impact, ZoneImpact
from sim.hazards.landslide import landslide_outcome
from sim.scenario.exposure import FlashExposure, WaterloggingExposure
from sim.scenario.hazard import (
    FlashFloodModel,
    FloodHazard,
    FloodVulnerability,
    LandslideModel,
    RiverFlood,
    WaterloggingModel,
)
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = [
    "DT_H",
    "flash_depth",
    "flood_impact",
    "gumbel_level",
    "hyetograph",
    "kirpich_hours",
    "manning_depth",
    "rain_outcomes",
    "river_outcome",
    "running_mean",
    "scs_runoff_mm",
    "water_outcome",
    "waterlogging_depth",
]


# -- small published formulas ------------------------------------------------------------------
def gumbel_level(return_period_y: float, location: float, scale: float) -> float:
    """Annual-maximum stage of return period T from a Gumbel fit: ``mu - beta ln(-ln(1-1/T))``."""
    if return_period_y <= 1.0:
        raise ValueError("the return period must exceed 1 year")
    return location - scale * math.log(-math.log(1.0 - 1.0 / return_period_y))


def kirpich_hours(length_km: float, slope: float, m: FlashFloodModel) -> float:
    """Time of concentration (Kirpich 1940), hours: ``k L^a S^b`` minutes with L in metres."""
    minutes = (m.kirpich_coefficient * (length_km * 1000.0) ** m.kirpich_length_exponent
               * slope ** m.kirpich_slope_exponent)
    return float(minutes) / 60.0


def manning_depth(q_m3s: float, width_m: float, slope: float, n: float) -> float:
    """Normal depth of a wide rectangular channel (Manning): ``(n q / sqrt(S))^(3/5)``, m."""
    if q_m3s <= 0:
        return 0.0
    return float((n * (q_m3s / width_m) / math.sqrt(slope)) ** 0.6)


def scs_runoff_mm(p_mm: np.ndarray, curve_number: float, ia_ratio: float) -> np.ndarray:
    """SCS curve-number direct runoff (USDA TR-55) for cumulative rain ``p_mm``, mm.

    ``S = 25400 / CN - 254``, ``Ia = ia_ratio S``, ``Q = (P - Ia)^2 / (P - Ia + S)`` for P > Ia.
    """
    s = 25400.0 / curve_number - 254.0
    ia = ia_ratio * s
    p = np.asarray(p_mm, dtype=float)
    excess = np.maximum(p - ia, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(excess > 0, excess**2 / (excess + s), 0.0)
    return np.asarray(q)


# -- mechanisms ------------------------------------------------------------------------------
def flash_depth(t: np.ndarray, rate: np.ndarray, ex: FlashExposure,
                m: FlashFloodModel) -> tuple[np.ndarray, float]:
    """Overbank depth series of a flash-flood stream, and its time of concentration (h)."""
    slope = f(ex.slope)
    tc = kirpich_hours(f(ex.stream_length_km), slope, m)
    i = running_mean(rate, max(tc, DT_H))
    q = m.rational_k * f(ex.runoff_coefficient) * i * f(ex.catchment_km2)
    width, n, bank = f(ex.channel_width_m), f(ex.manning_n), f(ex.bankfull_depth_m)
    h = np.array([manning_depth(x, width, slope, n) for x in q.tolist()])
    return np.maximum(h - bank, 0.0), tc


def waterlogging_depth(rate: np.ndarray, ex: WaterloggingExposure,
                       m: WaterloggingModel, dt: float = DT_H) -> np.ndarray:
    """Ponding depth series (m): a bucket filled by SCS runoff and emptied by the drains."""
    p = np.cumsum(rate) * dt
    q = scs_runoff_mm(p, ex.curve_number, m.initial_abstraction_ratio)
    dq = np.diff(np.concatenate([[0.0], q]))
    drain = f(ex.drainage_mm_h) * dt
    store = []
    s = 0.0
    for x in dq.tolist():
        s = s + x - drain
        if not s > 0.0:  # max(0.0, s) without the call
            s = 0.0
        store.append(s)
    return np.array(store, dtype=float) / 1000.0 * f(ex.ponding_ratio)


def water_outcome(name: str, t: np.ndarray, depth: np.ndarray, share: float,
                  v: FloodVulnerability) -> Outcome | None:
    """Outcomes of a depth series on the share of residents it floods (None if it stays dry)."""
    wet = np.nonzero(depth > 0.0)[0]
    if share <= 0.0 or wet.size == 0:
        return None
    d = float(depth.max())
    onset = float(t[wet[0]])
    dt = float(t[1] - t[0]) if len(t) > 1 else DT_H
    flooded = float(wet.size * dt)
    damage = float(curve(v.depth_damage, d))
    home = share * min(1.0, f(v.displaced_per_damage) * damage)
    killed = share * float(curve(v.depth_killed, d))
    trapped = 0.0
    if d >= f(v.trapped_depth_m):
        trapped = share * f(v.trapped_share) * (1.0 - float(curve(v.depth_killed, d)))
    inj = tuple(min(1.0, killed * f(x)) for x in v.injured_per_killed)
    cleanup = f(v.cleanup_h)
    roads = (onset, onset + flooded + cleanup) if d >= f(v.road_closure_depth_m) else None
    return Outcome(
        name=name, onset_h=onset, home_loss=home, killed=killed,
        injured=(inj[0], inj[1], inj[2]), trapped=trapped, share=share, depth_m=d,
        flooded_h=flooded,
        displacement_days=flooded / 24.0 + f(v.recovery_days_at_total_loss) * damage,
        facility_out=share if d >= f(v.facility_depth_m) else 0.0,
        roads=roads, measures={f"{name}_depth_m": d, f"{name}_onset_h": onset},
    )


def rain_outcomes(realised: Scenario, t: np.ndarray, rates: np.ndarray,
                  v: FloodVulnerability, flash: FlashFloodModel | None,
                  logging: WaterloggingModel | None,
                  landslide: LandslideModel | None) -> list[list[Outcome]]:
    """Every rain-driven mechanism's outcomes, per zone (rates: zones x time, mm/h)."""
    out: list[list[Outcome]] = []
    for zi, z in enumerate(realised.zones):
        parts: list[Outcome] = []
        ex = z.exposure
        r = rates[zi]
        if ex is not None and float(r.sum()) > 0:
            if ex.flash is not None and flash is not None:
                d, tc = flash_depth(t, r, ex.flash, flash)
                o = water_outcome("flash", t, d, f(ex.flash.share), v)
                if o is not None:
                    o.measures["flash_tc_h"] = tc
                    parts.append(o)
            if ex.waterlogging is not None and logging is not None:
                d = waterlogging_depth(r, ex.waterlogging, logging)
                o = water_outcome("waterlogging", t, d, f(ex.waterlogging.share), v)
                if o is not None:
                    parts.append(o)
            if ex.landslide is not None and landslide is not None:
                o = landslide_outcome(t, r, ex.landslide, landslide, v.injured_per_killed)
                if o is not None:
                    parts.append(o)
        out.append(parts)
    return out


def hyetograph(t: np.ndarray, start: float, duration: float,
               peak_fraction: float | None) -> np.ndarray:
    """Rain intensity per mm of storm total (1/h) at times ``t``; integrates to 1 over the storm.

    Uniform ``1 / D``, or the triangular hyetograph of Yen & Chow (1980): zero at the start and
    end, ``2 / D`` at ``start + peak_fraction D``. Each step holds the mean over its interval.
    """
    edges = np.append(t, t[-1] + DT_H) if len(t) else t

    def cum(x: np.ndarray) -> np.ndarray:
        u = np.clip((x - start) / duration, 0.0, 1.0)
        if peak_fraction is None:
            return u
        r = min(max(peak_fraction, 1e-9), 1.0 - 1e-9)
        return np.where(u <= r, u**2 / r, 1.0 - (1.0 - u) ** 2 / (1.0 - r))

    c = cum(edges)
    return np.asarray(np.diff(c) / DT_H)


def river_stage(t: np.ndarray, peak: float, base: float, rise: float, fall: float,
                lag: float) -> np.ndarray:
    """Triangular hydrograph: base -> peak at ``lag`` (rising ``rise`` h) -> base (``fall`` h)."""
    x = t - lag
    up = base + (peak - base) * np.clip(1.0 + x / rise, 0.0, 1.0)
    down = base + (peak - base) * np.clip(1.0 - x / fall, 0.0, 1.0)
    return np.where(x <= 0, up, down)


def river_outcome(t: np.ndarray, river: RiverFlood, peak: float, realised: Scenario, zi: int,
                  v: FloodVulnerability) -> Outcome | None:
    """Outcome of the river flood on zone ``zi``'s floodplain (None if it stays dry)."""
    ex = realised.zones[zi].exposure
    if ex is None or ex.river is None:
        return None
    rv = ex.river
    ground = f(rv.ground_m)
    crest = max(ground, f(rv.levee_crest_m)) if rv.levee_crest_m is not None else ground
    stage = river_stage(t, peak, f(river.base_level_m), f(river.rise_h), f(river.fall_h),
                        f(rv.lag_h))
    if peak <= crest:
        return None
    over = np.nonzero(stage > crest)[0]
    if over.size == 0:
        return None  # the peak tops the crest for less than one time step: no flooding
    first = int(over[0])
    depth = np.where(np.arange(len(t)) >= first, np.maximum(stage - ground, 0.0), 0.0)
    # after the levee is overtopped the floodplain drains only as the river falls below ground
    return water_outcome("river", t, depth, f(rv.share), v)


def flood_impact(realised: Scenario, streams: Streams | None = None) -> Impact:
    """Turn a sampled flood into an Impact."""
    h = realised.hazard
    assert isinstance(h, FloodHazard)
    v = h.water
    start = realised.time.start_h
    end = realised.time.end_h
    t = np.arange(start, end + DT_H / 2, DT_H)
    nz = len(realised.zones)
    rates = np.zeros((nz, len(t)))
    components: list[str] = []
    details: dict[str, float] = {}
    if h.rain is not None:
        rs = h.rain
        total, dur, t0 = f(rs.total_mm), f(rs.duration_h), f(rs.start_h)
        shape = hyetograph(t, t0, dur, None if rs.peak_fraction is None else f(rs.peak_fraction))
        for zi, z in enumerate(realised.zones):
            fac = f(rs.zone_factor[z.name]) if z.name in rs.zone_factor else 1.0
            rates[zi] = shape * total * fac
        components.append("rain")
        details.update({"rain_total_mm": total, "rain_duration_h": dur, "rain_start_h": t0})
    per_zone = rain_outcomes(realised, t, rates, v, h.flash, h.waterlogging, h.landslide)
    if h.river is not None:
        rv = h.river
        if rv.peak_level_m is not None:
            peak = f(rv.peak_level_m)
        else:
            peak = gumbel_level(f(rv.return_period_y), f(rv.gumbel_location_m),
                                f(rv.gumbel_scale_m))
            details["return_period_y"] = f(rv.return_period_y)
        details["river_peak_m"] = peak
        components.append("river")
        for zi in range(nz):
            o = river_outcome(t, rv, peak, realised, zi, v)
            if o is not None:
                per_zone[zi].append(o)
    rain_mm = rates.sum(axis=1) * DT_H
    zones, p_out, since, until = _zone_impacts(per_zone, rain_mm, f(v.cleanup_h))
    for parts in per_zone:
        components += [p.name for p in parts if p.name not in components]
    rng = hazard_rng(realised, streams)
    return Impact(
        hazard="flood", intensity_unit="max water depth m", zones=tuple(zones),
        details=details,
        facilities_out=facility_outages(realised, p_out, since, until, "flood", rng),
        components=tuple(dict.fromkeys(components)),
    )


def _zone_impacts(per_zone: Sequence[Sequence[Outcome]], rain_mm: np.ndarray, cleanup_h: float,
                  ) -> tuple[list[ZoneImpact], list[float], list[float], list[float]]:
    zones: list[ZoneImpact] = []
    p_out: list[float] = []
    since: list[float] = []
    until: list[float] = []
    for zi, parts in enumerate(per_zone):
        if not parts:
            zones.append(ZoneImpact(onset_h=0.0, intensity=0.0, home_loss=0.0, exposed_share=0.0,
                                    rain_mm=float(rain_mm[zi])))
            p_out.append(0.0)
            since.append(0.0)
            until.append(0.0)
            continue
        c = combine(parts)
        zones.append(ZoneImpact(
            onset_h=c.onset_h, intensity=c.depth_m, home_loss=c.home_loss, killed=c.killed,
            injured=c.injured, trapped=c.trapped, roads_closed=c.roads,
            peak_h=None, exposed_share=c.share, depth_m=c.depth_m, flooded_h=c.flooded_h,
            rain_mm=float(rain_mm[zi]), displacement_days=c.displacement_days,
            road_damage=c.road_block,  # gales and water close roads by the window
            road_clear_h=c.road_clear_h, measures=c.measures, strikes=strikes(parts),
        ))
        p_out.append(c.facility_out)
        since.append(harm_since(parts) if c.facility_out > 0 else c.onset_h)
        until.append(c.onset_h + c.flooded_h + cleanup_h)
    return zones, p_out, since, until
