"""Rain-triggered landslides: regional threshold, fragility, 群测群防 moves, deaths per failure."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.hazards.common import DT_H, running_mean
from sim.hazards.landslide import (
    failure_probability,
    landslide_outcome,
    landslide_trigger,
    threshold_mm_h,
)
from sim.scenario.exposure import LandslideExposure
from sim.scenario.hazard import LandslideModel
from sim.scenario.sampling import sample_scenario
from sim.streams import Streams
from tests.conftest import ROOT

FLOOD = ROOT / "scenarios" / "demo_flash_flood.yaml"
T = np.arange(-24.0, 72.0 + DT_H / 2, DT_H)


@pytest.fixture(scope="module")
def model() -> LandslideModel:
    """The pack's landslide block, sampled once, then pinned to round values."""
    realised, _ = sample_scenario(sim.load_scenario(FLOOD), Streams(3))
    m = realised.hazard.landslide  # type: ignore[union-attr]
    assert m is not None
    return m.model_copy(update={
        "fragility_median_ratio": 5.0, "fragility_beta": 0.6, "antecedent_mm": 0.0,
        "antecedent_scale_mm": 150.0, "residents_per_point": 40.0, "deaths_per_failure": 0.03,
        "trapped_per_failure": 0.02, "registered_share": 0.8, "warning_success": 0.75,
        "warning_lead_h": 3.0, "road_reopen_h": 24.0})


@pytest.fixture(scope="module")
def exposure() -> LandslideExposure:
    realised, _ = sample_scenario(sim.load_scenario(FLOOD), Streams(3))
    ex = next(z.exposure.landslide for z in realised.zones
              if z.exposure is not None and z.exposure.landslide is not None)
    return ex.model_copy(update={"share": 0.03})


def storm(total_mm: float, start_h: float, duration_h: float) -> np.ndarray:
    """Uniform rain of ``total_mm`` over ``duration_h`` from ``start_h`` (mm/h on grid T)."""
    on = (T >= start_h) & (T < start_h + duration_h)
    return np.where(on, total_mm / duration_h, 0.0)


def test_threshold_and_fragility_match_their_closed_forms() -> None:
    # Caine (1980): I = 14.82 D^-0.39
    assert threshold_mm_h(24.0, 14.82, -0.39) == pytest.approx(14.82 * 24.0 ** -0.39)
    assert threshold_mm_h(1.0, 14.82, -0.39) == pytest.approx(14.82)
    nd = NormalDist()
    for r, theta, beta in ((1.0, 5.0, 0.6), (2.9, 5.0, 0.6), (5.0, 5.0, 0.6), (12.0, 4.0, 0.8)):
        assert failure_probability(r, theta, beta) == pytest.approx(
            nd.cdf(math.log(r / theta) / beta), abs=1e-12)
    assert failure_probability(5.0, 5.0, 0.6) == pytest.approx(0.5)
    # antecedent rain lowers the median ratio: theta_A = theta exp(-A / A_s)
    theta_a = 5.0 * math.exp(-80.0 / 150.0)
    assert failure_probability(2.0, 5.0, 0.6, 80.0, 150.0) == pytest.approx(
        nd.cdf(math.log(2.0 / theta_a) / 0.6), abs=1e-12)


def test_trigger_ratio_is_the_largest_window_exceedance(model: LandslideModel) -> None:
    """Steady rain long enough to fill every window: the longest window binds (b < 0)."""
    rate = np.where(T >= 0.0, 6.0, 0.0)
    when, ratio = landslide_trigger(T, rate, model)
    longest = max(model.windows_h)
    expect = 6.0 / threshold_mm_h(longest, model.threshold_a, model.threshold_b)
    assert ratio == pytest.approx(expect)
    # the D-window mean after n wet steps is 6 n DT / D: it reaches a D^b after
    # n = ceil(D a D^b / (6 DT)) steps, i.e. at t = (n - 1) DT; the earliest window wins
    first = min((math.ceil(d * threshold_mm_h(d, model.threshold_a, model.threshold_b)
                           / (6.0 * DT_H) - 1e-9) - 1) * DT_H
                for d in model.windows_h
                if threshold_mm_h(d, model.threshold_a, model.threshold_b) <= 6.0)
    assert when == pytest.approx(first)


@given(r=st.floats(0.0, 0.999), theta=st.floats(0.5, 10.0), beta=st.floats(0.1, 2.0),
       a=st.floats(0.0, 500.0))
def test_no_failure_below_the_threshold(r: float, theta: float, beta: float, a: float) -> None:
    assert failure_probability(r, theta, beta, a, 100.0) == 0.0


def test_no_outcome_when_rain_stays_below_the_threshold(model: LandslideModel,
                                                        exposure: LandslideExposure) -> None:
    # 40 mm over 24 h: 1.7 mm/h against a 24 h threshold of 4.3 mm/h (and higher for shorter D)
    assert landslide_outcome(T, storm(40.0, 0.0, 24.0), exposure, model) is None


@given(r1=st.floats(1.0, 50.0), dr=st.floats(0.0, 50.0), a1=st.floats(0.0, 300.0),
       da=st.floats(0.0, 300.0), theta=st.floats(1.0, 10.0), beta=st.floats(0.2, 1.5))
def test_failure_probability_grows_with_exceedance_and_antecedent_rain(
        r1: float, dr: float, a1: float, da: float, theta: float, beta: float) -> None:
    p = failure_probability(r1, theta, beta, a1, 150.0)
    assert failure_probability(r1 + dr, theta, beta, a1, 150.0) >= p
    assert failure_probability(r1, theta, beta, a1 + da, 150.0) >= p
    if dr > 0.5 and 1e-9 < p < 1 - 1e-9:
        assert failure_probability(r1 + dr, theta, beta, a1, 150.0) > p


@settings(max_examples=60, deadline=None)
@given(total=st.floats(20.0, 400.0), start=st.floats(-12.0, 24.0), dur=st.floats(1.0, 36.0))
def test_failure_never_precedes_the_threshold_crossing(model: LandslideModel,
                                                       exposure: LandslideExposure,
                                                       total: float, start: float,
                                                       dur: float) -> None:
    rate = storm(total, start, dur)
    o = landslide_outcome(T, rate, exposure, model)
    # brute force: the first step at which any window's mean reaches its threshold
    crossed = np.zeros(len(T), dtype=bool)
    for d in model.windows_h:
        crossed |= running_mean(rate, d) >= threshold_mm_h(d, model.threshold_a,
                                                           model.threshold_b)
    if not crossed.any():
        assert o is None
        return
    assert o is not None
    first = float(T[np.argmax(crossed)])
    assert o.onset_h == pytest.approx(first)
    assert o.onset_h >= start - 1e-9  # no slope fails before the rain
    # the warned residents leave before the failure, never more than live at failing points
    p = o.measures["landslide_failure_probability"]
    assert 0.0 < o.moved <= o.share * p <= o.share
    assert o.moved_at_h < o.onset_h
    assert o.moved_at_h == pytest.approx(o.onset_h - 3.0)


def test_deaths_per_failed_point_are_calibrated_to_the_bulletins(
        model: LandslideModel, exposure: LandslideExposure) -> None:
    """Among the residents not moved, expected deaths = points x P_f x deaths per point."""
    o = landslide_outcome(T, storm(300.0, 0.0, 6.0), exposure, model)
    assert o is not None
    pop = 12_000
    _, ratio = landslide_trigger(T, storm(300.0, 0.0, 6.0), model)
    p = failure_probability(ratio, 5.0, 0.6, 0.0, 150.0)
    assert o.measures["landslide_failure_probability"] == pytest.approx(p)
    points = pop * 0.03 / 40.0
    assert o.moved == pytest.approx(0.03 * p * 0.8 * 0.75)
    stay = pop * (1.0 - o.moved)
    assert stay * o.killed == pytest.approx(points * p * 0.03)
    assert stay * o.trapped == pytest.approx(points * p * 0.02)
    assert o.home_loss == pytest.approx(0.03 * p)
    assert o.road_block == pytest.approx(p)
    # more warning success moves more residents and leaves the same expected deaths
    better = landslide_outcome(T, storm(300.0, 0.0, 6.0), exposure,
                               model.model_copy(update={"warning_success": 0.95}))
    assert better is not None and better.moved > o.moved
    assert pop * (1.0 - better.moved) * better.killed == pytest.approx(points * p * 0.03)


def test_wetter_antecedent_conditions_raise_the_failure_probability(
        model: LandslideModel, exposure: LandslideExposure) -> None:
    rate = storm(150.0, 0.0, 12.0)
    dry = landslide_outcome(T, rate, exposure, model)
    wet = landslide_outcome(T, rate, exposure, model.model_copy(update={"antecedent_mm": 120.0}))
    assert dry is not None and wet is not None
    assert wet.killed > dry.killed
    assert wet.onset_h == dry.onset_h  # antecedent rain changes how many fail, not when
