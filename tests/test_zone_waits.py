"""Where people wait longest: per-zone relief figures of each run and their ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.run import run
from sim.scenario.loader import load_scenario
from sim.study import Study, run_study
from sim.study.zone_waits import P95, WITHIN, zone_relief_columns, zone_waits
from sim.targets import relieved_share_within

DEMO = Path(__file__).parent.parent / "scenarios" / "demo_coastal_typhoon.yaml"


def test_zone_figures_bracket_the_run_figures() -> None:
    sc = load_scenario(DEMO)
    for seed in range(3):
        r = run(sc, np.random.SeedSequence(seed))
        cols = zone_relief_columns(r, 10.0)
        assert set(cols) == {P95 + z for z in r.zones} | {WITHIN + z for z in r.zones}
        within = np.array([cols[WITHIN + z] for z in r.zones])
        p95 = np.array([cols[P95 + z] for z in r.zones])
        if r.relief_n.sum() == 0:
            assert np.isnan(within).all()
            continue
        overall = relieved_share_within(r, 10.0)
        # the run's share is the need-weighted mean of the zones' shares
        assert np.nanmin(within) - 1e-12 <= overall <= np.nanmax(within) + 1e-12
        assert r.relief_quantile(0.95) <= np.nanmax(p95) + 1e-9
        need = np.array([r.relief_n[r.relief_zone == j].sum() for j in range(len(r.zones))])
        assert np.isnan(within[need == 0]).all() and not np.isnan(within[need > 0]).any()
        assert np.isclose(np.nansum(within * need) / need.sum(), overall)


@pytest.fixture(scope="module")
def small_study() -> Study:
    return run_study(DEMO, runs=24, seed=3, workers=1, progress=False)


def test_zone_waits_ranking(small_study: Study) -> None:
    st = small_study
    sc = st.scenario
    assert any(c.startswith(P95) for c in st.table.columns)
    ranked = zone_waits(st)
    assert ranked
    meds = [np.inf if d["p95_h_median"] is None else d["p95_h_median"] for d in ranked]
    assert meds == sorted(meds, reverse=True)
    zh = {z.name: z.name_zh for z in sc.zones}
    for d in ranked:
        assert d["name_zh"] == zh[d["zone"]]
        col = st.table[P95 + d["zone"]].to_numpy(dtype=float)
        assert d["runs_with_need"] == int((~np.isnan(col)).sum())
    fails = int((~st.table["met.relief_within_10h"].to_numpy(dtype=bool)).sum())
    assert all(d["failing_runs"] == fails for d in ranked)
    if fails:
        assert sum(d["worst_in_failing"] for d in ranked) == pytest.approx(1.0)
    assert len(zone_waits(st, top=2)) == min(2, len(ranked))
