"""Detecting and explaining a resource whose increase makes a target hold less often."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.study.monotone import adverse_effect, mechanism_from_tables

N = 200


def paired(drop: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Base verdicts and the same runs with ``drop`` of the held runs now failing."""
    rng = np.random.default_rng(seed)
    base = rng.random(N) < 0.6
    more = base.copy()
    more[np.flatnonzero(base)[:drop]] = False
    return base, more


def tables(base: np.ndarray, more: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Study-like tables: people move from the county gymnasium to the harbour school, whose
    zone is relieved in time less often; the river town does not change."""
    rng = np.random.default_rng(2)
    gym = rng.normal(2000, 300, N)
    school = rng.normal(2000, 300, N)
    moved = rng.normal(1300, 100, N)
    river = rng.normal(800, 50, N)
    harbour_in_time = rng.uniform(0.9, 1.0, N)
    tb = pd.DataFrame({"met.relief": base,
                       "metric.first_stockout_h.county_depot.quilt": np.full(N, np.nan),
                       "metric.shelter_peak.county_gymnasium": gym,
                       "metric.shelter_peak.harbour_middle_school": school,
                       "metric.shelter_peak.river_town_school": river,
                       "zone_relief_within.harbour_town": harbour_in_time,
                       "zone_relief_within.river_town": np.full(N, 0.97)})
    tm = tb.copy()
    tm["met.relief"] = more
    tm["metric.first_stockout_h.county_depot.quilt"] = np.where(more, np.nan, -6.0)
    tm["metric.shelter_peak.county_gymnasium"] = gym - moved
    tm["metric.shelter_peak.harbour_middle_school"] = school + moved
    tm["zone_relief_within.harbour_town"] = harbour_in_time - rng.uniform(0.01, 0.05, N)
    return tb, tm


def test_a_significant_drop_is_reported_with_its_interval_and_mechanism() -> None:
    base, more = paired(20)
    tb, tm = tables(base, more)
    eff = adverse_effect(base, more, target="relief", resource="shelters[harbour].capacity",
                         increase="+2500", base_table=tb, more_table=tm)
    assert eff is not None
    assert eff.difference.estimate == pytest.approx(-20 / N)
    assert eff.difference.high < 0
    assert eff.p_base == pytest.approx(base.mean()) and eff.p_more == pytest.approx(more.mean())
    assert set(eff.shifts["shelters"]) == {"county_gymnasium", "harbour_middle_school"}
    assert eff.shifts["shelters"]["harbour_middle_school"] > 1000
    assert set(eff.shifts["zones"]) == {"harbour_town"}
    assert "harbour_middle_school" in eff.mechanism and "county_gymnasium" in eff.mechanism
    assert "就近" in eff.mechanism and "harbour_town" in eff.mechanism
    # the 20 lost runs all ran out of quilts at the depot with the increase
    assert eff.shifts["stockouts"] == {"county_depot.quilt": 20.0}
    assert "In the 20 runs" in eff.mechanism
    d = eff.to_dict()
    assert d["difference"]["high"] < 0 and d["resource"] == "shelters[harbour].capacity"
    assert "-0.100" in eff.statement()


def test_no_record_when_the_interval_reaches_zero() -> None:
    base, more = paired(2)
    assert adverse_effect(base, more, target="relief", resource="r", increase="+1") is None
    # a gain is not adverse
    assert adverse_effect(more, base, target="relief", resource="r", increase="+1") is None
    with pytest.raises(ValueError, match="paired"):
        adverse_effect(base, more[:-1], target="relief", resource="r", increase="+1")


def test_mechanism_without_shifts_says_so() -> None:
    base, more = paired(20)
    tb, _ = tables(base, more)
    text, shifts = mechanism_from_tables(tb, tb.copy(), "r")
    assert shifts == {"shelters": {}, "zones": {}, "stockouts": {}}
    assert "No shelter" in text
