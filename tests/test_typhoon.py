"""The typhoon model: published formulas reproduced, physical monotonicity, sampled inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sim
from sim.hazards import compute_impact
from sim.hazards.geo import destination, haversine_km
from sim.hazards.grades import typhoon_grade
from sim.hazards.typhoon import (
    emanuel_mdd,
    holland_wind,
    inland_decay,
    rcliper_rate,
    surge_height,
)
from sim.scenario.loader import ScenarioError
from sim.scenario.overrides import apply_overrides
from sim.scenario.sampling import sample_scenario
from sim.streams import Streams
from tests.conftest import DEMO

KS_ALPHA = 0.001  # a false alarm in one KS test is 1 in 1000


def test_emanuel_half_damage_at_v_half() -> None:
    for v_half in (74.7, 80.2, 112.8):
        assert emanuel_mdd(v_half, 25.7, v_half) == pytest.approx(0.5)
    assert emanuel_mdd(25.7, 25.7, 112.8) == 0.0
    assert emanuel_mdd(10.0, 25.7, 112.8) == 0.0
    # v = 1/2 of the way to v_half: (1/8) / (1 + 1/8)
    assert emanuel_mdd(25.7 + 0.5 * (112.8 - 25.7), 25.7, 112.8) == pytest.approx(1 / 9)


@pytest.mark.parametrize("b", [1.0, 1.5, 2.5])
def test_holland_reproduces_vmax_at_rmax(b: float) -> None:
    # without Coriolis the surface profile peaks at exactly v_max, at r = R_max
    r = np.linspace(1, 300, 30000)
    v = holland_wind(r, 45.0, 30.0, b, 27.0, coriolis=False)
    assert float(holland_wind(30.0, 45.0, 30.0, b, 27.0, coriolis=False)) == pytest.approx(45.0)
    assert r[int(np.argmax(v))] == pytest.approx(30.0, abs=0.02)
    # with Coriolis at 27 N the gradient term r f / 2 lowers it by less than 1 m/s
    vc = float(holland_wind(30.0, 45.0, 30.0, b, 27.0))
    f = 2 * 7.2921e-5 * math.sin(math.radians(27.0))
    vg = 45.0 / 0.9
    half = 30e3 * f / 2
    assert vc == pytest.approx(0.9 * (math.sqrt(vg**2 + half**2) - half), rel=1e-9)
    assert 44.0 < vc < 45.0


@given(st.floats(0, 400), st.floats(0, 400), st.floats(20, 80), st.floats(5, 80),
       st.floats(1.0, 2.5))
def test_wind_never_rises_with_distance_beyond_rmax(r1: float, r2: float, vmax: float,
                                                   rmw: float, b: float) -> None:
    a, c = sorted((max(r1, rmw), max(r2, rmw)))
    assert holland_wind(c, vmax, rmw, b, 27.0) <= holland_wind(a, vmax, rmw, b, 27.0) + 1e-9
    assert holland_wind(a, vmax, rmw, b, 27.0, coriolis=False) <= vmax + 1e-9


def test_kaplan_demaria_decay() -> None:
    v0, vb = 50.0, 13.74
    assert float(inland_decay(-3.0, v0, 0.095, vb, 0.9)) == v0
    assert float(inland_decay(0.0, v0, 0.095, vb, 0.9)) == v0
    # V(t) = Vb + (R V0 - Vb) e^{-alpha t}
    for t in (1.0, 6.0, 24.0):
        want = vb + (0.9 * v0 - vb) * math.exp(-0.095 * t)
        assert float(inland_decay(t, v0, 0.095, vb, 0.9)) == pytest.approx(want)
    assert float(inland_decay(200.0, v0, 0.095, vb, 0.9)) == pytest.approx(vb, abs=1e-6)


def test_rcliper_known_values(demo: sim.Scenario) -> None:
    rain = demo.hazard.rain  # type: ignore[union-attr]
    assert rain is not None
    # a 35 kt storm has U = 1: T0 = -1.10 + 3.96 = 2.86 in/day at the centre
    v35 = 35 * 1852 / 3600
    assert float(rcliper_rate(0.0, v35, rain)) == pytest.approx(2.86 * 25.4 / 24)
    # at r = rm = 64.5 - 13 = 51.5 km: Tm = -1.6 + 4.8 = 3.2 in/day
    assert float(rcliper_rate(51.5, v35, rain)) == pytest.approx(3.2 * 25.4 / 24)
    # beyond rm it decays with e-folding re = 150 - 16 = 134 km
    assert float(rcliper_rate(51.5 + 134, v35, rain)) == pytest.approx(3.2 * 25.4 / 24 / math.e)


def test_surge_line_and_grades() -> None:
    assert surge_height(26.8224, 0.1023, 26.8224, 1.8288) == pytest.approx(1.8288)
    assert surge_height(46.8224, 0.1023, 26.8224, 1.8288) == pytest.approx(1.8288 + 2.046)
    assert [typhoon_grade(v) for v in (10.0, 17.2, 24.5, 32.7, 41.5, 50.9, 51.0)] == [
        "-", "TS", "STS", "TY", "STY", "STY", "SuperTY"]


def test_geodesy_round_trip() -> None:
    lon, lat = destination(120.68, 27.58, 30.0, 60.0)
    assert haversine_km(120.68, 27.58, lon, lat) == pytest.approx(60.0, rel=1e-9)
    assert haversine_km(120, 27, 120, 28) == pytest.approx(111.19, abs=0.05)


def test_gale_arrival_differs_by_zone_and_track(demo: sim.Scenario) -> None:
    st_ = Streams(4)
    realised, _ = sample_scenario(demo, st_)
    imp = compute_impact(realised, st_)
    onsets = [z.onset_h for z in imp.zones]
    assert len(set(onsets)) > 1
    assert min(onsets) < 0  # gales arrive before landfall
    for z in imp.zones:
        if z.roads_closed:
            assert z.roads_closed[0] <= z.roads_closed[1]
        assert z.peak_h is not None


def _with(demo: sim.Scenario, **hazard: object) -> sim.Scenario:
    return apply_overrides(demo, {f"hazard.{k}": v for k, v in hazard.items()})


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(33.0, 54.0), st.floats(0.05, 1.0))
def test_stronger_storm_never_lowers_expected_displacement(seed: int, v: float,
                                                           frac: float) -> None:
    demo = sim.load_scenario(DEMO)
    pops = [z.population for z in demo.zones]
    out = []
    # the stronger storm lies between v and the top of the declared range (55 m/s): always
    # strictly stronger, never clipped to the same value
    for w in (v, v + frac * (55.0 - v)):
        st_ = Streams(seed)
        realised, _ = sample_scenario(demo, st_, {"hazard.max_wind_ms": w})
        imp = compute_impact(realised, st_)
        out.append(imp.expected_outcomes(pops))
    for k in ("displaced", "injured_1", "injured_2", "injured_3"):
        assert out[1][k] >= out[0][k] - 1e-6, k


def test_wind_injuries_follow_the_damage_ratio(demo: sim.Scenario) -> None:
    """Without surge and rain, a zone's injury probabilities are the pack's rates x its MDD,
    and gales close roads for a window without blocking links."""
    dry = _with(demo, surge=None, rain=None)
    for seed in range(5):
        st_ = Streams(seed)
        realised, _ = sample_scenario(dry, st_)
        rates = [float(x) for x in realised.hazard.damage.injured_per_damage]  # type: ignore
        imp = compute_impact(realised, st_)
        assert imp.components == ("wind",)
        for z in imp.zones:
            mdd = z.measures["mdd"]
            gale = z.exposed_share > 0
            expected = [min(1.0, r * mdd) if gale else 0.0 for r in rates]
            assert z.injured == pytest.approx(tuple(expected), rel=1e-12, abs=0.0)
            assert z.killed == 0.0  # wind deaths are not modelled (pack note)
            # gales close roads for a window; no link waits for a crew without landslides
            assert z.road_damage == 0.0
    assert rates[0] > rates[1] > rates[2] > 0
    assert any(z.roads_closed for z in imp.zones)


def test_sampled_track_inputs_follow_their_distributions(demo: sim.Scenario) -> None:
    h = demo.hazard
    x = np.array([sample_scenario(demo, Streams(s))[1]["hazard.heading_deg"] for s in range(600)])
    ref = stats.truncnorm((250 - 300) / 20, (350 - 300) / 20, loc=300, scale=20)
    assert stats.kstest(x, ref.cdf).pvalue > KS_ALPHA
    b = np.array([sample_scenario(demo, Streams(s))[1]["hazard.holland_b"] for s in range(600)])
    assert stats.kstest(b, stats.uniform(1.0, 1.5).cdf).pvalue > KS_ALPHA
    assert h.type == "typhoon"


def test_holland_b_outside_published_range_is_refused(demo: sim.Scenario) -> None:
    with pytest.raises(ScenarioError, match=r"hazard\.holland_b"):
        _with(demo, holland_b={"dist": "uniform", "low": 0.8, "high": 2.0})


def test_rain_feeds_floods_and_landslides(demo: sim.Scenario) -> None:
    """A slow, wet storm passing over the county floods streams and triggers landslides."""
    sc = _with(demo, translation_speed_kmh=8.0, landfall_offset_km=-20.0, heading_deg=300.0,
               max_wind_ms=50.0)
    imp = compute_impact(sample_scenario(sc, Streams(1))[0], Streams(1))
    assert all(z.rain_mm > 100 for z in imp.zones)
    assert "landslide" in imp.components
    hill = imp.zones[[z.name for z in sc.zones].index("hill_village")]
    assert hill.killed > 0 and hill.measures["landslide_threshold_ratio"] >= 1.0


def test_shelter_damage_factor_thins_the_hazards_shelter_outages(demo: sim.Scenario) -> None:
    """Shelters fail once, by the hazard's facility outages scaled by the scenario's factor:
    0 keeps every shelter, 1 is the hazard's own rate, and the other facilities never change."""

    def outages(factor: float, seed: int) -> list[tuple[str, str]]:
        sc = apply_overrides(demo, {"response.shelter.damage_factor": factor,
                                    "hazard.max_wind_ms": 55.0})
        r = sim.Simulation(sc, seed)
        return [(o.kind, o.name) for o in r.impact.facilities_out]

    none = [outages(0.0, s) for s in range(30)]
    full = [outages(1.0, s) for s in range(30)]
    assert all(k != "shelter" for o in none for k, _ in o)
    assert sum(k == "shelter" for o in full for k, _ in o) > 0
    assert [[x for x in o if x[0] != "shelter"] for o in none] == \
        [[x for x in o if x[0] != "shelter"] for o in full]
