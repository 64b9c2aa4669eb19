"""The earthquake model: published tables reproduced, monotonicity, aftershocks, sampled inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sim
from sim.hazards import compute_impact
from sim.hazards.earthquake import (
    damage_state_probabilities,
    ellipse_intensity,
    epicentral_intensity,
    mean_damage_grade,
    omori_integral,
    zone_outcome,
)
from sim.scenario.sampling import sample_scenario
from sim.streams import Streams
from tests.conftest import ROOT

EQ = ROOT / "scenarios" / "demo_earthquake.yaml"
KS_ALPHA = 0.001


@pytest.fixture(scope="module")
def eq() -> sim.Scenario:
    return sim.load_scenario(EQ)


def _h(sc: sim.Scenario):  # type: ignore[no-untyped-def]
    return sc.hazard


def test_attenuation_axes_agree_at_the_epicentre(eq: sim.Scenario) -> None:
    att = _h(eq).attenuation
    for m in (5.0, 6.5, 7.5):
        long = att.long_a + att.b * m + att.long_c * math.log10(att.long_r0)
        short = att.short_a + att.b * m + att.short_c * math.log10(att.short_r0)
        assert long == pytest.approx(short, abs=0.02)  # only true with lg, not ln
    # M 6.5: I0 = 5.7123 + 1.3626 x 6.5 - 4.2903 lg 25 = 8.57
    assert epicentral_intensity(6.5, att) == pytest.approx(8.57, abs=0.01)
    # on the long axis the published relation comes back exactly
    for r in (5.0, 30.0, 100.0):
        want = att.long_a + att.b * 6.5 + att.long_c * math.log10(r + att.long_r0)
        got = float(ellipse_intensity(np.array([r]), np.array([0.0]), 6.5, att)[0])
        assert got == pytest.approx(want, abs=1e-6)
        want_s = att.short_a + att.b * 6.5 + att.short_c * math.log10(r + att.short_r0)
        got_s = float(ellipse_intensity(np.array([0.0]), np.array([r]), 6.5, att)[0])
        assert got_s == pytest.approx(want_s, abs=1e-6)


@given(st.floats(0, 300), st.floats(0, 300), st.floats(0, 2 * math.pi), st.floats(4.5, 8.0))
def test_intensity_never_rises_with_distance(r1: float, r2: float, angle: float,
                                             m: float) -> None:
    from sim.scenario.hazard import Attenuation

    att = Attenuation(region="east", long_a=5.7123, long_c=-4.2903, long_r0=25, short_a=3.6588,
                      short_c=-3.5406, short_r0=13, b=1.3626, sigma=0.5826)
    a, b = sorted((r1, r2))
    c, s = math.cos(angle), math.sin(angle)
    ia, ib = ellipse_intensity(np.array([a * c, b * c]), np.array([a * s, b * s]), m, att)
    assert ib <= ia + 1e-9


def test_macroseismic_class_b_matches_gbt17742_damage_index(eq: sim.Scenario) -> None:
    """V = 0.72 (EMS-98 class B) reproduces the mean damage index bands of GB/T 17742-2020."""
    bands = {6: (0.0, 0.10), 7: (0.11, 0.30), 8: (0.31, 0.50), 9: (0.51, 0.70), 10: (0.71, 0.90)}
    for i, (lo, hi) in bands.items():
        idx = float(mean_damage_grade(i, 0.72, 2.3)) / 5.0
        assert lo <= idx <= hi, (i, idx)


def test_hazus_rates_come_back_exactly(eq: sim.Scenario) -> None:
    """With every building collapsed or in one state, casualties are the Hazus rates."""
    realised, _ = sample_scenario(eq, Streams(0))
    h = _h(realised)
    cls = h.building_classes["urm"]
    ex = realised.zones[1].exposure
    assert ex is not None
    zone = realised.zones[1].model_copy(update={"exposure": ex.model_copy(
        update={"buildings": {"urm": 1.0}})})
    # at intensity 12 the binomial puts (almost) everything in D5: complete, of which 15 % collapse
    out = zone_outcome(12.0, zone, h, occupancy=1.0)
    p = damage_state_probabilities(12.0, cls)
    rates = np.asarray(cls.casualty_rates) / 100
    assert out.killed == pytest.approx(float(rates[3] @ p[1:]), rel=1e-12)
    assert p[5] == pytest.approx(0.15 * (p[4] + p[5]))
    # Sev 4 (killed) of URML: 0.02 % of complete, 10 % of collapse (Hazus, in % of occupants)
    assert out.killed == pytest.approx(0.0002 * p[4] + 0.10 * p[5] + rates[3, :3] @ p[1:4])


# Hazus indoor casualty rates for URML / URMM, % of occupants, by severity 1-4 and damage state
# slight / moderate / extensive / complete / collapse (docs/reference/parameters.md §1).
HAZUS_URM = [[0.05, 0.35, 2, 10, 40], [0, 0.4, 0.2, 2, 20], [0, 0.001, 0.002, 0.02, 5],
             [0, 0.001, 0.002, 0.02, 10]]


@pytest.mark.parametrize("intensity, occupancy", [(7.0, 0.8), (9.0, 0.6), (11.0, 1.0)])
def test_casualties_by_severity_follow_the_published_hazus_table(
        eq: sim.Scenario, intensity: float, occupancy: float) -> None:
    """Every severity, against the table as published (not the pack's own numbers)."""
    realised, _ = sample_scenario(eq, Streams(0))
    h = _h(realised)
    cls = h.building_classes["urm"]
    assert [list(map(float, row)) for row in cls.casualty_rates] == HAZUS_URM
    ex = realised.zones[1].exposure
    assert ex is not None
    zone = realised.zones[1].model_copy(update={"exposure": ex.model_copy(
        update={"buildings": {"urm": 1.0}})})
    out = zone_outcome(intensity, zone, h, occupancy=occupancy)
    pd = damage_state_probabilities(intensity, cls)[1:]
    tau = float(h.trapped_share)  # type: ignore[arg-type]
    r = np.array(HAZUS_URM) / 100
    # the injured of collapsed buildings who are not trapped; the trapped are counted apart
    for sev in range(3):
        want = occupancy * (r[sev, :4] @ pd[:4] + r[sev, 4] * pd[4] * (1 - tau))
        assert out.injured[sev] == pytest.approx(want, rel=1e-12)
    assert out.killed == pytest.approx(occupancy * (r[3] @ pd), rel=1e-12)
    assert out.trapped == pytest.approx(occupancy * pd[4] * (1 - r[3, 4]) * tau, rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(5.5, 7.0), st.floats(0.05, 0.5))
def test_larger_magnitude_never_lowers_expected_displacement(seed: int, m: float,
                                                             dm: float) -> None:
    sc = sim.load_scenario(EQ)
    r0, _ = sample_scenario(sc, Streams(seed), {"hazard.magnitude": m})
    r1, _ = sample_scenario(sc, Streams(seed), {"hazard.magnitude": min(7.0, m + dm)})
    i0, i1 = compute_impact(r0, Streams(seed)), compute_impact(r1, Streams(seed))
    pops = [z.population for z in sc.zones]
    # the mainshock's expected displacement (aftershocks aside) never falls with magnitude
    d0 = sum(z.home_loss * n for z, n in zip(i0.zones, pops, strict=True))
    d1 = sum(z.home_loss * n for z, n in zip(i1.zones, pops, strict=True))
    assert d1 >= d0 - 1e-6
    for a, b in zip(i0.zones, i1.zones, strict=True):
        assert b.intensity >= a.intensity - 1e-9
        assert b.home_loss >= a.home_loss - 1e-12
        assert b.killed >= a.killed - 1e-12


def test_aftershocks_follow_bath_and_omori(eq: sim.Scenario) -> None:
    h = _h(eq)
    a = h.aftershocks
    assert a is not None
    # Omori-Utsu integral, closed form for p = 1 and p != 1
    assert omori_integral(3.0, 1.0, 0.05) == pytest.approx(math.log(3.05 / 0.05))
    assert omori_integral(3.0, 0.91, 0.05) == pytest.approx(
        (3.05**0.09 - 0.05**0.09) / 0.09)
    counts, mags = [], []
    for s in range(60):
        st_ = Streams(s)
        r, _ = sample_scenario(eq, st_, {"hazard.magnitude": 7.0})
        imp = compute_impact(r, st_)
        counts.append(imp.details["aftershocks_drawn"])
        mags.append(imp.details.get("aftershocks_max_m", 0.0))
        for e in imp.episodes:
            assert 0.0 < e.time_h <= eq.time.end_h
            assert e.magnitude is not None and a.m_min <= e.magnitude <= 7.0
    assert np.mean(counts) > 3
    assert max(mags) <= 7.0


def test_sampled_magnitude_follows_its_distribution(eq: sim.Scenario) -> None:
    x = np.array([sample_scenario(eq, Streams(s))[1]["hazard.magnitude"] for s in range(500)])
    assert stats.kstest(x, stats.uniform(5.5, 1.5).cdf).pvalue > KS_ALPHA
    e = np.array([sample_scenario(eq, Streams(s))[1]["hazard.intensity_epsilon"]
                  for s in range(500)])
    assert stats.kstest(e, stats.norm(0, 1).cdf).pvalue > KS_ALPHA


def test_the_demo_earthquake_runs_and_reports(eq: sim.Scenario) -> None:
    r = sim.run(eq, 2)
    assert r.impact.hazard == "earthquake"
    assert all(len(z.damage_states) == 6 for z in r.impact.zones)
    assert all(abs(sum(z.damage_states) - 1) < 1e-9 for z in r.impact.zones)
    assert sum(r.final_people().values()) == sum(z.population for z in eq.zones)


@pytest.mark.parametrize("median, expect_blocked", [(20.0, False), (5.0, True)])
def test_road_links_are_blocked_by_the_scenarios_fragility(eq: sim.Scenario, median: float,
                                                           expect_blocked: bool) -> None:
    """Strong shaking closes a zone's roads for a while, but whether a link waits for a crew is
    the roads' fragility's to say: a median far above any intensity blocks none."""
    from sim.scenario.overrides import apply_overrides

    sc = apply_overrides(eq, {"roads.damage.median": median,
                              "hazard.magnitude": 7.0, "hazard.intensity_epsilon": 1.0})
    blocked = [sim.run(sc, s).metrics["links_blocked"] for s in range(3)]
    assert all(b > 0 for b in blocked) if expect_blocked else blocked == [0, 0, 0]


@pytest.mark.parametrize(("hour", "period"), [
    (23.98, "night"), (22.0, "night"), (2.5, "night"), (5.99, "night"), (6.0, "day"),
    (7.5, "commute"), (12.0, "day"), (18.0, "commute"), (21.99, "day"), (47.0, "night"),
])
def test_indoor_share_follows_the_clock_across_midnight(eq: sim.Scenario, hour: float,
                                                        period: str) -> None:
    """The pack's night is 22:00-06:00, across midnight: a shock at 23:59 (Jishishan 2023) or
    at 02:30 finds the night's share indoors; commuting 07-09 and 17-19, day otherwise."""
    from sim.hazards.earthquake import indoor_share

    h = sample_scenario(eq, Streams(1))[0].hazard
    occ = h.occupancy
    assert tuple(occ.night_hours) == (22, 6)
    assert indoor_share(hour, h) == {"night": occ.night, "day": occ.day,
                                     "commute": occ.commute}[period]
