"""Earthquake: intensity, building damage, casualties, displacement, aftershocks, roads.

One realisation:

1. **Intensity** by the elliptical attenuation ``I = A + B M + C lg(R + R0)`` on the long
   (strike-parallel) and short axes (eastern strong-earthquake area of China, the only rows whose
   R0 is certain, parameters.md §12). A site lies on the iso-intensity ellipse whose semi-axes
   ``R_a(I)``, ``R_b(I)`` satisfy ``(x/R_a)^2 + (y/R_b)^2 = 1``; its intensity is found by
   bisection. Along any ray from the epicentre intensity never rises. A between-event residual
   ``epsilon x sigma`` shifts every zone alike. (parameters.md prints ``ln``; with ``ln`` the two
   axes disagree at the epicentre by more than 4 degrees, with ``lg`` they agree to 0.01, so the
   relation is in ``lg``.)
2. **Damage states** by the macroseismic method (Lagomarsino & Giovinazzi 2006): mean damage
   grade ``mu_D = 2.5 (1 + tanh((I + 6.25 V - 13.1) / Q))`` and a binomial distribution of the
   EMS-98 grades D0-D5 with ``p = mu_D / 5``. D1 -> slight, D2 -> moderate, D3 -> extensive,
   D4 + D5 -> complete, of which ``collapse_share`` collapses (Hazus).
3. **Casualties**: Hazus indoor casualty rates by damage state and severity (Sev 1-3 injured,
   Sev 4 killed) on the share of residents indoors at that hour; survivors of collapses are
   trapped with probability ``trapped_share``.
4. **Displacement**: Hazus weights of moderate / extensive / complete damage for single- and
   multi-family buildings; days out of home from the Hazus building recovery times.
5. **Aftershocks**: Båth (largest at ``M - delta_m``), Gutenberg-Richter magnitudes down to
   ``m_min``, Omori-Utsu times; each aftershock that shakes a zone harder than before becomes an
   :class:`~sim.hazards.impact.Episode` with the extra damage.
6. **Roads** close where intensity reaches ``road_closure_intensity``; facilities of the
   ``facility_class`` are out of service with their probability of extensive or worse damage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.hazards.common import f, facility_outages, hazard_rng
from sim.hazards.geo import EARTH_RADIUS_KM
from sim.hazards.impact import Episode, Impact, ZoneImpact
from sim.scenario.hazard import Attenuation, BuildingClass, EarthquakeHazard
from sim.scenario.schema import Scenario, Zone
from sim.streams import Streams

__all__ = [
    "DamageOutcome",
    "aftershock_sequence",
    "damage_state_probabilities",
    "ellipse_intensity",
    "epicentral_intensity",
    "indoor_share",
    "mean_damage_grade",
    "omori_integral",
    "quake_impact",
    "zone_outcome",
]


def epicentral_intensity(m: float, att: Attenuation) -> float:
    """Intensity at the epicentre (R = 0): the smaller of the two axes' values, capped."""
    long = att.long_a + att.b * m + att.long_c * math.log10(att.long_r0)
    short = att.short_a + att.b * m + att.short_c * math.log10(att.short_r0)
    return min(long, short, att.max_intensity)


def _radii(i: np.ndarray, m: float, att: Attenuation) -> tuple[np.ndarray, np.ndarray]:
    ra = 10 ** ((i - att.long_a - att.b * m) / att.long_c) - att.long_r0
    rb = 10 ** ((i - att.short_a - att.b * m) / att.short_c) - att.short_r0
    return ra, rb


def ellipse_intensity(x_km: np.ndarray, y_km: np.ndarray, m: float,
                      att: Attenuation) -> np.ndarray:
    """Intensity at sites ``x`` km along and ``y`` km across the strike from the epicentre.

    The largest I at which the site is inside the ellipse of semi-axes ``R_a(I)``, ``R_b(I)``
    (bisection, 60 steps); 0 where even intensity 0 does not reach.
    """
    x = np.abs(np.asarray(x_km, dtype=float))
    y = np.abs(np.asarray(y_km, dtype=float))
    hi = np.full(x.shape, epicentral_intensity(m, att))
    lo = np.zeros(x.shape)

    def inside(i: np.ndarray) -> np.ndarray:
        ra, rb = _radii(i, m, att)
        ok = (ra > 0) & (rb > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (x / np.where(ok, ra, 1.0)) ** 2 + (y / np.where(ok, rb, 1.0)) ** 2
        return np.asarray(ok & (q <= 1.0))

    reach0 = inside(lo)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        ins = inside(mid)
        lo = np.where(ins, mid, lo)
        hi = np.where(ins, hi, mid)
    return np.asarray(np.where(reach0, lo, 0.0))


def mean_damage_grade(intensity: np.ndarray | float, v_index: float,
                      ductility: float) -> np.ndarray:
    """Macroseismic mean damage grade ``2.5 (1 + tanh((I + 6.25 V - 13.1) / Q))`` in [0, 5]."""
    i = np.asarray(intensity, dtype=float)
    return np.asarray(2.5 * (1.0 + np.tanh((i + 6.25 * v_index - 13.1) / ductility)))


def damage_state_probabilities(intensity: float, cls: BuildingClass) -> np.ndarray:
    """Shares in none, slight, moderate, extensive, complete (standing), collapse.

    Binomial EMS-98 grades with ``p = mu_D / 5``; D4 and D5 are Hazus's complete state, of which
    ``collapse_share`` collapses.
    """
    from scipy.stats import binom  # here, not at import: scipy.stats costs about 1 s to load

    mu = float(mean_damage_grade(intensity, f(cls.vulnerability_index), cls.ductility))
    pk = binom.pmf(np.arange(6), 5, min(1.0, max(0.0, mu / 5.0)))
    complete = pk[4] + pk[5]
    col = f(cls.collapse_share)
    return np.array([pk[0], pk[1], pk[2], pk[3], complete * (1.0 - col), complete * col])


def indoor_share(hour: float, h: EarthquakeHazard) -> float:
    """Share of residents indoors at a clock hour (night, commute or day)."""
    hr = hour % 24.0
    a, b = h.occupancy.night_hours
    night = (a <= hr < b) if a < b else (hr >= a or hr < b)
    if night:
        return f(h.occupancy.night)
    if any(lo <= hr < hi for lo, hi in h.occupancy.commute_hours):
        return f(h.occupancy.commute)
    return f(h.occupancy.day)


@dataclass
class DamageOutcome:
    """Per-person outcome probabilities and damage of one zone at one intensity."""

    states: np.ndarray
    killed: float
    injured: tuple[float, float, float]
    trapped: float
    home_loss: float
    displacement_days: float
    facility_out: float


def _mix(zone: Zone, h: EarthquakeHazard) -> dict[str, float]:
    ex = zone.exposure
    if ex is None or not ex.buildings:
        return {h.default_class: 1.0}
    raw = {k: f(v) for k, v in ex.buildings.items()}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()} if total > 0 else {h.default_class: 1.0}


def zone_outcome(intensity: float, zone: Zone, h: EarthquakeHazard, occupancy: float
                 ) -> DamageOutcome:
    """Outcome probabilities of a zone at ``intensity`` with ``occupancy`` residents indoors."""
    mix = _mix(zone, h)
    mf = f(zone.exposure.multi_family_share if zone.exposure is not None
           else h.multi_family_share)
    tau = f(h.trapped_share)
    w_sf = [f(x) for x in h.displaced_weights["single_family"]]
    w_mf = [f(x) for x in h.displaced_weights["multi_family"]]
    rec_sf = [f(x) for x in h.recovery_days["single_family"]]
    rec_mf = [f(x) for x in h.recovery_days["multi_family"]]
    states = np.zeros(6)
    killed = trapped = home = days = 0.0
    inj = [0.0, 0.0, 0.0]
    for name, share in mix.items():
        cls = h.building_classes[name]
        p = damage_state_probabilities(intensity, cls)
        states += share * p
        rates = np.asarray(cls.casualty_rates, dtype=float) / 100.0  # severity x state
        pd = p[1:]  # slight, moderate, extensive, complete, collapse
        killed += share * occupancy * float(rates[3] @ pd)
        alive_col = pd[4] * (1.0 - rates[3, 4])
        trapped += share * occupancy * alive_col * tau
        for s in range(3):
            inj[s] += share * occupancy * float(rates[s, :4] @ pd[:4]
                                                + rates[s, 4] * pd[4] * (1.0 - tau))
        complete = pd[3] + pd[4]
        sf = w_sf[0] * pd[1] + w_sf[1] * pd[2] + w_sf[2] * complete
        mfl = w_mf[0] * pd[1] + w_mf[1] * pd[2] + w_mf[2] * complete
        home += share * ((1.0 - mf) * sf + mf * mfl)
        days += share * (
            (1.0 - mf) * (w_sf[0] * pd[1] * rec_sf[1] + w_sf[1] * pd[2] * rec_sf[2]
                          + w_sf[2] * complete * rec_sf[3])
            + mf * (w_mf[0] * pd[1] * rec_mf[1] + w_mf[1] * pd[2] * rec_mf[2]
                    + w_mf[2] * complete * rec_mf[3]))
    fac = damage_state_probabilities(intensity, h.building_classes[h.facility_class])
    return DamageOutcome(
        states=states, killed=min(1.0, killed), injured=(inj[0], inj[1], inj[2]),
        trapped=trapped, home_loss=min(1.0, home),
        displacement_days=days / home if home > 0 else 0.0,
        facility_out=float(fac[3:].sum()),
    )


def _local_xy(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray,
              strike_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular offsets (km) rotated to along / across the strike."""
    k = math.pi / 180.0 * EARTH_RADIUS_KM
    east = (lon - lon0) * k * math.cos(math.radians(lat0))
    north = (lat - lat0) * k
    s = math.radians(strike_deg)
    along = east * math.sin(s) + north * math.cos(s)
    across = east * math.cos(s) - north * math.sin(s)
    return along, across


def omori_integral(t: float, p: float, c: float) -> float:
    """``int_0^t (s + c)^-p ds`` (days)."""
    if abs(p - 1.0) < 1e-9:
        return math.log((t + c) / c)
    return float(((t + c) ** (1.0 - p) - c ** (1.0 - p)) / (1.0 - p))


def _omori_inverse(u: np.ndarray, t_max: float, p: float, c: float) -> np.ndarray:
    total = omori_integral(t_max, p, c)
    if abs(p - 1.0) < 1e-9:
        return np.asarray(c * np.exp(u * total) - c)
    return np.asarray((c ** (1.0 - p) + u * total * (1.0 - p)) ** (1.0 / (1.0 - p)) - c)


def aftershock_sequence(m_main: float, h: EarthquakeHazard, window_days: float,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                           dict[str, float]]:
    """Draw the aftershocks of the run's window: times (days), magnitudes, along-strike km.

    The expected count at or above ``m_min`` over the sequence is ``10^(b (M1 - m_min))`` with
    ``M1 = M - delta_m`` (Båth: one aftershock at or above M1); the sequence lasts until its
    first 3 days hold ``within_3_days`` of it under Omori-Utsu; the run sees its window's share.
    """
    a = h.aftershocks
    assert a is not None
    b, p, c = f(a.b_value), f(a.p), f(a.c_days)
    m1 = m_main - f(a.delta_m)
    info = {"largest_expected_m": m1}
    if m1 < a.m_min or window_days <= 0:
        return np.zeros(0), np.zeros(0), np.zeros(0), {**info, "expected_in_window": 0.0}
    n_total = 10 ** (b * (m1 - a.m_min))
    i3 = omori_integral(3.0, p, c)
    share3 = min(max(f(a.within_3_days), 1e-6), 1.0)
    target = i3 / share3
    # sequence length T with I(T) = I(3) / share3 (bisection on days)
    lo, hi = 0.0, 3.0
    while omori_integral(hi, p, c) < target and hi < 1e7:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if omori_integral(mid, p, c) < target else (lo, mid)
    t_seq = hi
    t_win = min(window_days, t_seq)
    expected = n_total * omori_integral(t_win, p, c) / omori_integral(t_seq, p, c)
    n = int(rng.poisson(expected))
    times = _omori_inverse(rng.random(n), t_win, p, c)
    span = 1.0 - 10 ** (-b * (m_main - a.m_min))
    mags = a.m_min - np.log10(1.0 - rng.random(n) * span) / b
    length = 10 ** (a.rupture_a + a.rupture_b * m_main)
    along = (rng.random(n) - 0.5) * length
    order = np.argsort(times)
    info.update({"expected_total": n_total, "sequence_days": t_seq,
                 "expected_in_window": expected, "rupture_km": length})
    return times[order], mags[order], along[order], info


def quake_impact(realised: Scenario, streams: Streams | None = None) -> Impact:
    """Turn a sampled earthquake into an Impact."""
    h = realised.hazard
    assert isinstance(h, EarthquakeHazard)
    rng = hazard_rng(realised, streams)
    att = h.attenuation
    k = math.pi / 180.0 * EARTH_RADIUS_KM
    lat0 = h.epicentre.lat + f(h.epicentre_north_km) / k
    lon0 = h.epicentre.lon + f(h.epicentre_east_km) / (k * math.cos(math.radians(h.epicentre.lat)))
    m = f(h.magnitude)
    strike = f(h.strike_deg)
    eps = f(h.intensity_epsilon) * att.sigma
    zlon = np.array([z.lon for z in realised.zones])
    zlat = np.array([z.lat for z in realised.zones])
    x, y = _local_xy(lon0, lat0, zlon, zlat, strike)
    base = ellipse_intensity(x, y, m, att)
    inten = np.where(base > 0, np.clip(base + eps, 0.0, 12.0), 0.0)
    hour = f(h.hour_of_day)
    occ = indoor_share(hour, h)
    close_at = f(h.road_closure_intensity)
    affected = f(h.affected_intensity)
    reopen = f(h.road_reopen_h)
    zones: list[ZoneImpact] = []
    p_out: list[float] = []
    for zi, z in enumerate(realised.zones):
        o = zone_outcome(float(inten[zi]), z, h, occ)
        roads = (0.0, reopen) if inten[zi] >= close_at else None
        zones.append(ZoneImpact(
            onset_h=0.0, intensity=float(inten[zi]), home_loss=o.home_loss, killed=o.killed,
            injured=o.injured, trapped=o.trapped, roads_closed=roads, peak_h=0.0,
            exposed_share=1.0 if inten[zi] >= affected else 0.0,
            damage_states=tuple(float(s) for s in o.states),
            displacement_days=o.displacement_days,
            measures={"mmi": float(inten[zi]), "along_km": float(x[zi]),
                      "across_km": float(y[zi]), "indoor_share": occ},
        ))
        p_out.append(o.facility_out)
    n = len(zones)
    outages = facility_outages(realised, p_out, [0.0] * n, [math.inf] * n, "earthquake", rng)
    details: dict[str, float] = {
        "magnitude": m, "epicentre_lon": lon0, "epicentre_lat": lat0,
        "depth_km": f(h.depth_km), "strike_deg": strike % 360.0, "hour_of_day": hour,
        "epicentral_intensity": epicentral_intensity(m, att) + eps, "indoor_share": occ,
        "intensity_shift": eps,
    }
    episodes: list[Episode] = []
    components = ["shaking"]
    if h.aftershocks is not None:
        times, mags, along, info = aftershock_sequence(m, h, realised.time.end_h / 24.0, rng)
        details.update({f"aftershocks_{k}": v for k, v in info.items()})
        details["aftershocks_drawn"] = float(len(times))
        episodes = _episodes(realised, h, inten, x, y, times, mags, along, eps, hour)
        if len(times):
            components.append("aftershocks")
            details["aftershocks_max_m"] = float(mags.max())
    return Impact(hazard="earthquake", intensity_unit="seismic intensity (GB/T 17742)",
                  zones=tuple(zones), details=details, episodes=tuple(episodes),
                  facilities_out=outages, components=tuple(components))


def _conditional(new: float, old: float, base: float) -> float:
    """Probability of an outcome now, for someone who escaped it (and all casualties) before."""
    if base >= 1.0:
        return 0.0
    return max(0.0, new - old) / (1.0 - base)


def _episodes(realised: Scenario, h: EarthquakeHazard, inten: np.ndarray, x: np.ndarray,
              y: np.ndarray, times_d: np.ndarray, mags: np.ndarray, along: np.ndarray,
              eps: float, hour0: float) -> list[Episode]:
    """Aftershocks that shake some zone harder than anything before, as episodes."""
    out: list[Episode] = []
    worst = inten.copy()
    close_at = f(h.road_closure_intensity)
    reopen = f(h.road_reopen_h)
    for t_d, ma, al in zip(times_d, mags, along, strict=True):
        t_h = float(t_d) * 24.0
        if t_h > realised.time.end_h:
            break
        ia = ellipse_intensity(x - al, y, float(ma), h.attenuation)
        ia = np.where(ia > 0, np.clip(ia + eps, 0.0, 12.0), 0.0)
        occ = indoor_share(hour0 + t_h, h)
        for zi, z in enumerate(realised.zones):
            if ia[zi] <= worst[zi] + 1e-9:
                continue
            old = zone_outcome(float(worst[zi]), z, h, occ)
            new = zone_outcome(float(ia[zi]), z, h, occ)
            cas_old = old.killed + sum(old.injured) + old.trapped
            killed = _conditional(new.killed, old.killed, cas_old)
            trapped = _conditional(new.trapped, old.trapped, cas_old)
            injured = tuple(_conditional(new.injured[s], old.injured[s], cas_old)
                            for s in range(3))
            total = killed + trapped + sum(injured)
            if total > 1.0:
                killed, trapped = killed / total, trapped / total
                injured = tuple(v / total for v in injured)
            home = _conditional(new.home_loss, old.home_loss, old.home_loss)
            roads = ((t_h, t_h + reopen) if ia[zi] >= close_at > worst[zi] else None)
            worst[zi] = ia[zi]
            if killed + trapped + sum(injured) + home <= 1e-12 and roads is None:
                continue
            out.append(Episode(time_h=t_h, zone=zi, cause=f"aftershock M{ma:.1f}",
                               intensity=float(ia[zi]), home_loss=min(1.0, home),
                               killed=killed, injured=(injured[0], injured[1], injured[2]),
                               trapped=trapped, roads_closed=roads, magnitude=float(ma)))
    return out
