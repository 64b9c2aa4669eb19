"""The typhoon impact: published formulas reproduced, physical monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.hazards.geo import destination, haversine_km
from sim.hazards.typhoon import emanuel_mdd, rankine_wind


def test_emanuel_half_damage_at_v_half() -> None:
    for v_half in (74.7, 80.2, 112.8):
        assert emanuel_mdd(v_half, 25.7, v_half) == pytest.approx(0.5)
    assert emanuel_mdd(25.7, 25.7, 112.8) == 0.0
    assert emanuel_mdd(10.0, 25.7, 112.8) == 0.0
    # v = 1/2 of the way to v_half: (1/8) / (1 + 1/8)
    assert emanuel_mdd(25.7 + 0.5 * (112.8 - 25.7), 25.7, 112.8) == pytest.approx(1 / 9)


@given(st.floats(0, 300), st.floats(0, 300), st.floats(20, 80), st.floats(5, 80),
       st.floats(0.3, 0.8))
def test_wind_never_rises_with_distance(r1: float, r2: float, vmax: float, rmw: float,
                                        x: float) -> None:
    a, b = sorted((r1, r2))
    assert rankine_wind(b, vmax, rmw, x) <= rankine_wind(a, vmax, rmw, x) + 1e-12
    assert rankine_wind(a, vmax, rmw, x) <= vmax + 1e-12


@given(st.floats(0, 100), st.floats(0, 100), st.floats(30, 120))
def test_damage_never_falls_with_wind(v1: float, v2: float, v_half: float) -> None:
    a, b = sorted((v1, v2))
    assert emanuel_mdd(a, 25.7, v_half + 26) <= emanuel_mdd(b, 25.7, v_half + 26)


def test_geodesy_round_trip() -> None:
    lon, lat = destination(120.68, 27.58, 30.0, 60.0)
    assert haversine_km(120.68, 27.58, lon, lat) == pytest.approx(60.0, rel=1e-9)
    # one degree of latitude is about 111.2 km
    assert haversine_km(120, 27, 120, 28) == pytest.approx(111.19, abs=0.05)


def test_stronger_storm_displaces_more(demo: sim.Scenario) -> None:
    """With the same seed (same landfall, same people), a stronger storm never lowers the home
    loss of any zone and displaces at least as many people on average."""
    data = demo.model_dump(by_alias=True, exclude_none=True)
    out = []
    for v in (35.0, 50.0, 65.0):
        data["hazard"]["max_wind_ms"] = v
        sc = sim.Scenario.model_validate(data)
        rs = [sim.run(sc, s) for s in range(20)]
        out.append((np.array([[z.home_loss for z in r.impact.zones] for r in rs]),
                    np.mean([r.metrics["displaced_by_hazard"] for r in rs])))
    for (loss_a, disp_a), (loss_b, disp_b) in zip(out, out[1:], strict=False):
        assert (loss_b >= loss_a).all()
        assert disp_b >= disp_a
    assert out[-1][1] > out[0][1]
