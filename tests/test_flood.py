"""Floods and packs: published formulas, monotone water, river flood, pack overrides."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.hazards import compute_impact
from sim.hazards.common import curve
from sim.hazards.flood import (
    gumbel_level,
    hyetograph,
    manning_depth,
    scs_runoff_mm,
    water_outcome,
)
from sim.scenario.loader import ScenarioError
from sim.scenario.packs import deep_merge
from sim.scenario.sampling import sample_scenario
from sim.streams import Streams
from tests.conftest import ROOT

FLOOD = ROOT / "scenarios" / "demo_flash_flood.yaml"


@pytest.fixture(scope="module")
def fl() -> sim.Scenario:
    return sim.load_scenario(FLOOD)


def test_published_curves_and_formulas(fl: sim.Scenario) -> None:
    w = fl.hazard.water  # type: ignore[union-attr]
    # JRC Asia residential and TCDSE come back at their tabulated depths
    for d, dmg, kill in ((0.5, 0.327, 0.0), (2.0, 0.721, 0.0105), (4.0, 0.932, 0.161),
                         (6.0, 1.0, 0.744)):
        assert float(curve(w.depth_damage, d)) == pytest.approx(dmg)
        assert float(curve(w.depth_killed, d)) == pytest.approx(kill)
    assert float(curve(w.depth_damage, 2.5)) == pytest.approx((0.721 + 0.870) / 2)
    # Gumbel: T = 1 / (1 - exp(-1)) gives the location parameter
    assert gumbel_level(1 / (1 - math.exp(-1)), 4.0, 0.8) == pytest.approx(4.0)
    assert gumbel_level(100, 4.0, 0.8) == pytest.approx(4.0 - 0.8 * math.log(-math.log(0.99)))
    # SCS-CN: S = 25400/CN - 254; P = 100 mm, CN 80: S = 63.5, Q = (100-12.7)^2 / (100+50.8)
    assert float(scs_runoff_mm(np.array([100.0]), 80, 0.2)[0]) == pytest.approx(
        87.3**2 / 150.8)
    # Manning, wide channel: q = 10 m2/s, n = 0.04, S = 0.01 -> (0.04 * 10 / 0.1)^0.6
    assert manning_depth(100.0, 10.0, 0.01, 0.04) == pytest.approx(4.0**0.6)
    # hyetographs integrate to 1
    t = np.arange(-5, 30, 0.25)
    for r in (None, 0.3, 0.5):
        assert float(hyetograph(t, 0.0, 12.0, r).sum() * 0.25) == pytest.approx(1.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(80, 250), st.floats(1.05, 1.5))
def test_more_rain_never_lowers_expected_displacement(seed: int, mm: float, k: float) -> None:
    sc = sim.load_scenario(FLOOD)
    pops = [z.population for z in sc.zones]
    out = []
    for total in (mm, min(300.0, mm * k)):
        st_ = Streams(seed)
        r, _ = sample_scenario(sc, st_, {"hazard.rain.total_mm": total})
        imp = compute_impact(r, st_)
        out.append((imp.expected_outcomes(pops), [z.depth_m for z in imp.zones]))
    assert out[1][0]["displaced"] >= out[0][0]["displaced"] - 1e-6
    assert out[1][0]["killed"] >= out[0][0]["killed"] - 1e-9
    assert all(b >= a - 1e-9 for a, b in zip(out[0][1], out[1][1], strict=True))


def _river(fl: sim.Scenario, peak: float) -> sim.Scenario:
    data = fl.model_dump(by_alias=True, exclude_none=True)
    data["hazard"]["river"] = {"peak_level_m": peak, "base_level_m": 1.0, "rise_h": 12,
                               "fall_h": 24, "source": "test"}
    data["hazard"]["rain"]["total_mm"] = 0.0
    data["zones"][0]["exposure"]["river"] = {"ground_m": 3.0, "levee_crest_m": 5.0, "lag_h": 2,
                                             "share": 0.2}
    return sim.Scenario.model_validate(data)


def test_river_flood_tops_the_levee_and_deeper_water_does_more(fl: sim.Scenario) -> None:
    dry = compute_impact(sample_scenario(_river(fl, 4.9), Streams(1))[0], Streams(1))
    assert dry.zones[0].depth_m == 0.0
    res = []
    for peak in (5.5, 6.5, 8.0):
        imp = compute_impact(sample_scenario(_river(fl, peak), Streams(1))[0], Streams(1))
        z = imp.zones[0]
        assert z.depth_m == pytest.approx(peak - 3.0)
        assert z.onset_h < 2.0  # the levee is topped before the peak reaches the zone
        res.append((z.home_loss, z.killed, z.displacement_days))
    # Each quantity on its own: deeper water never loses fewer homes, and kills more and keeps
    # people out longer (the water stays over the ground longer and damages more).
    home, killed, days = (np.array(x) for x in zip(*res, strict=True))
    assert (np.diff(home) >= 0).all(), home
    assert (np.diff(killed) > 0).all(), killed
    assert (np.diff(days) > 0).all(), days


def test_flash_flood_warning_and_landslide_chain(fl: sim.Scenario) -> None:
    """An intense short storm floods the steep streams within hours of the rain's start."""
    r, _ = sample_scenario(fl, Streams(5), {"hazard.rain.total_mm": 280.0,
                                            "hazard.rain.duration_h": 4.0})
    imp = compute_impact(r, Streams(5))
    flashed = [z for z in imp.zones if "flash_depth_m" in z.measures]
    assert flashed
    for z in flashed:
        assert z.onset_h < 6.0
        assert z.roads_closed is not None
    assert "landslide" in imp.components


def test_pack_values_are_overridable_and_keep_provenance(fl: sim.Scenario,
                                                        tmp_path: Path) -> None:
    base = {"a": 1, "b": 2, "source": "pack"}
    merged = deep_merge(base, {"a": 5})
    assert merged == {"a": 5, "b": 2, "sources": {"b": "pack"}}
    merged = deep_merge(base, {"a": 5, "source": "mine"})
    assert merged["source"] == "mine" and "sources" not in merged
    data = fl.model_dump(by_alias=True, exclude_none=True)
    data["hazard"]["water"]["road_closure_depth_m"] = {"value": 0.5, "source": "override"}
    sc = sim.Scenario.model_validate(data)
    assert sc.hazard.water.road_closure_depth_m.value == 0.5  # type: ignore[union-attr]
    # an unknown pack in a file is a located one-line error
    bad = tmp_path / "bad.yaml"
    bad.write_text(FLOOD.read_text(encoding="utf-8").replace("pack: water_china",
                                                            "pack: no_such_pack"),
                   encoding="utf-8")
    # (located at the hazard block: the packs are merged before its fields are checked)
    with pytest.raises(ScenarioError, match=r"bad\.yaml:175: hazard: unknown parameter pack "
                                            r"'no_such_pack'; available: \[") as e:
        sim.load_scenario(bad)
    assert len(str(e.value).splitlines()) == 1


def test_params_lists_every_coefficient_with_a_source() -> None:
    from sim.hazards.params import coefficients

    for f in ("demo_coastal_typhoon", "demo_flash_flood", "demo_earthquake"):
        rows = coefficients(sim.load_scenario(ROOT / "scenarios" / f"{f}.yaml"))
        assert len(rows) > 20
        assert not [p for p, _v, s in rows if s == "MISSING"], f


def test_a_peak_topping_the_crest_between_time_steps_floods_nothing() -> None:
    """Regression: a river peak above the levee crest for less than one time step used to raise
    IndexError (no grid point above the crest)."""
    from types import SimpleNamespace

    from sim.hazards.flood import DT_H, river_outcome

    t = np.arange(-10.0, 20.0 + DT_H / 2, DT_H)
    rv = SimpleNamespace(ground_m=5.0, levee_crest_m=6.0, lag_h=0.1 * DT_H, share=0.1)
    realised = SimpleNamespace(zones=[SimpleNamespace(exposure=SimpleNamespace(river=rv))])
    river = SimpleNamespace(base_level_m=0.0, rise_h=1.0, fall_h=1.0)
    # the stage peaks at 6.01 m at t = lag, between two grid points, where it is below 6 m
    out = river_outcome(t, river, 6.01, realised, 0, None)  # type: ignore[arg-type]
    assert out is None


def test_displacement_lasts_the_hours_flooded_plus_the_repairs(fl: sim.Scenario) -> None:
    """Displacement days = hours under water / 24 + recovery days at total loss x damage.

    Two depth series with the same peak (the same damage) that start at different hours and
    stay wet for different lengths: the days differ by exactly the extra wet hours / 24, and
    the onset does not enter (a model reading the onset instead of the wet hours fails).
    """
    v = sample_scenario(fl, Streams(3))[0].hazard.water  # the demo's flood pack, one draw
    assert v is not None
    t = np.arange(0.0, 48.0, 0.25)

    def series(start_h: float, wet_h: float) -> np.ndarray:
        d = np.zeros_like(t)
        d[(t >= start_h) & (t < start_h + wet_h)] = 1.2
        return d

    early_short = water_outcome("flash", t, series(2.0, 6.0), 0.5, v)
    late_short = water_outcome("flash", t, series(20.0, 6.0), 0.5, v)
    early_long = water_outcome("flash", t, series(2.0, 18.0), 0.5, v)
    assert early_short and late_short and early_long
    repair = float(v.recovery_days_at_total_loss) * float(curve(v.depth_damage, 1.2))
    assert early_short.flooded_h == pytest.approx(6.0)
    assert early_short.displacement_days == pytest.approx(6.0 / 24.0 + repair, abs=1e-12)
    assert late_short.displacement_days == pytest.approx(early_short.displacement_days,
                                                         abs=1e-12)
    assert early_long.displacement_days - early_short.displacement_days == pytest.approx(
        12.0 / 24.0, abs=1e-12)


def test_mechanisms_combine_as_independent_risks() -> None:
    """Two mechanisms on one zone: killed = 1 - (1 - k1)(1 - k2); the trapped are trapped by
    either among those who survive both, (1 - killed)(1 - (1 - t1)(1 - t2)); the injured fit
    in what is left."""
    from sim.hazards.common import Outcome, combine

    a = Outcome("flash", 1.0, home_loss=0.5, killed=0.5, injured=(0.1, 0.0, 0.0), trapped=0.2)
    b = Outcome("landslide", 3.0, home_loss=0.2, killed=0.4, injured=(0.0, 0.1, 0.0), trapped=0.5)
    c = combine([a, b])
    alive = 0.5 * 0.6
    assert c.killed == pytest.approx(1.0 - alive, abs=1e-12)
    assert c.trapped == pytest.approx(alive * (1.0 - 0.8 * 0.5), abs=1e-12)
    assert c.home_loss == pytest.approx(1.0 - 0.5 * 0.8, abs=1e-12)
    assert c.killed + c.trapped + sum(c.injured) <= 1.0 + 1e-12
    assert c.onset_h == 1.0


def test_waterlogging_ponds_what_the_drains_cannot_carry() -> None:
    """The ponding bucket fills with SCS runoff and empties at the drainage rate: drains that
    carry more than the runoff at its peak leave the streets dry, more drainage never leaves
    deeper water, and the final depth is the runoff less what drained, times the ponding
    ratio."""
    from sim.hazards.flood import waterlogging_depth
    from sim.scenario.exposure import WaterloggingExposure
    from sim.scenario.hazard import WaterloggingModel

    dt = 0.25
    rate = np.concatenate([np.full(8, 20.0), np.full(8, 80.0), np.zeros(16)])  # mm/h
    model = WaterloggingModel(initial_abstraction_ratio=0.2, source="test")

    def depth(drain: float) -> np.ndarray:
        ex = WaterloggingExposure(curve_number=90, drainage_mm_h=drain, ponding_ratio=4,
                                  share=0.1, source="test")
        return waterlogging_depth(rate, ex, model, dt)

    q = scs_runoff_mm(np.cumsum(rate) * dt, 90, 0.2)
    peak_runoff_rate = float(np.max(np.diff(np.concatenate([[0.0], q]))) / dt)
    assert depth(peak_runoff_rate + 1.0).max() == 0.0
    d10, d30 = depth(10.0), depth(30.0)
    assert d10.max() > d30.max() > 0.0
    assert (d30 <= d10 + 1e-12).all()
    # From the last empty step k0 on, the store is the runoff since then less the drainage since
    # then (the bucket does not empty again while the heavy rain lasts).
    k0 = int(np.flatnonzero(d10[:16] == 0.0)[-1])
    assert 0 <= k0 < 15 and (d10[k0 + 1:16] > 0).all()
    expect = (q[15] - q[k0] - 10.0 * (15 - k0) * dt) / 1000.0 * 4
    assert d10[15] == pytest.approx(expect, rel=1e-9)
