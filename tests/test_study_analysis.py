"""Comparisons on common random numbers, capacity search, sensitivity, discovery, figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import sim
from sim.study import compare, discover, plan_capacity, prim, run_study, sensitivity
from sim.study.sensitivity import NOISE
from tests.study_helpers import recomputed_verdicts, tiny_scenario, wilson_interval

QUILT = "stock_points[county_depot].items.quilt"


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return tiny_scenario()


def test_compare_pairs_runs_on_the_same_disasters(tiny: sim.Scenario) -> None:
    comp = compare(tiny, {"same": {"zones[0].population": 600},
                          "quilts": {QUILT: {"dist": "uniform", "low": 2000, "high": 10000}},
                          "trucks": {"vehicles[county_trucks].count": 4}},
                   runs=60, seed=3, workers=1, progress=False)
    base = comp.studies["base"].table
    drawn = [c for c in base.columns if c.startswith("draw.")]
    # the tiny scenario's uncertain inputs: the hazard's, the response's, and its own four
    assert {"draw.hazard.max_wind_ms", "draw.response.warning.coverage",
            "draw.zones[harbour_town].evacuation_share",
            f"draw.{QUILT}", "draw.vehicles[county_trucks].count"} <= set(drawn)
    changes = {"base": set(), "same": set(), "quilts": {f"draw.{QUILT}"},
               "trucks": {"draw.vehicles[county_trucks].count"}}
    assert set(comp.studies) == set(changes)
    for name, st in comp.studies.items():
        assert (st.table["key"] == base["key"]).all(), name
        # Every input the variant does not change is drawn identically (common random numbers).
        for col in drawn:
            if col not in changes[name]:
                assert col in st.table, (name, col)
                pdt.assert_series_equal(st.table[col], base[col], obj=f"{name}: {col}")
    assert "draw.vehicles[county_trucks].count" not in comp.studies["trucks"].table  # fixed: 4
    # The wider quilt range is drawn on the same uniform: U(2000, 10000) = U(0, 8000) + 2000.
    moved = comp.studies["quilts"].table[f"draw.{QUILT}"] - base[f"draw.{QUILT}"]
    assert np.allclose(moved, 2000.0)
    df = comp.differences()
    same = df[(df["variant"] == "same")]
    assert (same["p_diff"] == 0).all()
    applies = same["target"].map(lambda t: base[f"value.{t}"].notna().any())
    assert (same.loc[applies, "mean_diff"] == 0).all()
    assert same.loc[~applies, "mean_diff"].isna().all()  # a target that never applies
    q = df[(df["variant"] == "quilts") & (df["target"] == "stock_covers_county")].iloc[0]
    assert q["p_diff"] > 0.1 and q["p_diff_low"] > 0  # 0.25 -> 0.5 on the same runs
    assert q["p_diff_low"] <= q["p_diff"] <= q["p_diff_high"]
    doc = comp.to_dict()
    assert doc["baseline"] == "base" and len(doc["differences"]) == 3 * len(tiny.targets)


def test_crn_removes_variance_compared_with_independent_runs(tiny: sim.Scenario) -> None:
    """The paired estimate's variance is far below that of two independent studies."""
    variant = {QUILT: {"dist": "uniform", "low": 500, "high": 8500}}
    comp = compare(tiny, {"v": variant}, runs=200, seed=8, workers=1, progress=False)
    dp, dv = comp.pairs("v", "stock_covers_county")
    assert dv.var_paired < 0.2 * dv.var_independent
    # Against truly independent runs of the variant (other spawn keys of the same root).
    changed = sim.scenario.overrides.apply_overrides(tiny, variant)
    indep = run_study(changed, 200, 8, workers=1, key_offset=10_000, progress=False)
    a = indep.table["value.stock_covers_county"].to_numpy()
    b = comp.studies["base"].table["value.stock_covers_county"].to_numpy()
    assert np.var(a - b, ddof=1) > 5 * dv.var_paired
    assert np.var(a - b, ddof=1) == pytest.approx(dv.var_independent, rel=0.35)


def test_compare_rejects_a_variant_named_like_the_baseline(tiny: sim.Scenario) -> None:
    with pytest.raises(ValueError, match="baseline"):
        compare(tiny, {"base": {}}, runs=5, workers=1)


def test_plan_finds_the_smallest_increase(tiny: sim.Scenario) -> None:
    # P(U(0, 8000) + d >= 6000) = (2000 + d) / 8000 reaches 0.9 at d = 5200.
    plan = plan_capacity(tiny, "stock_covers_county", QUILT, 0.9, runs=80, seed=4, workers=1,
                         step=400, progress=False)
    assert plan.step == 400
    assert plan.increase is not None and plan.p_holds is not None
    assert plan.p_holds.estimate >= 0.9
    below = plan.evaluated[plan.increase - plan.step]
    assert below.estimate < 0.9
    assert abs(plan.increase - 5200) <= 800
    from sim.study.capacity import _default_step

    assert _default_step({"dist": "uniform", "low": 0, "high": 8000}) == (100.0, True)
    assert plan.increase_low is not None and plan.increase_low <= plan.increase
    assert plan.increase_high is None or plan.increase_high >= plan.increase
    assert "lifts it to" in plan.statement()
    again = plan_capacity(tiny, "stock_covers_county", QUILT, 0.9, runs=80, seed=4, workers=2,
                          step=400, progress=False)
    assert again.to_dict() == plan.to_dict()


def test_plan_when_the_goal_is_met_or_out_of_reach(tiny: sim.Scenario) -> None:
    met = plan_capacity(tiny, "shelter_area", "vehicles[county_trucks].count", 0.9, runs=20,
                        workers=1, progress=False)
    assert met.increase == 0
    never = plan_capacity(tiny, "stock_covers_county", "vehicles[county_trucks].count", 0.9,
                          runs=20, max_increase=4, workers=1, progress=False)
    assert never.increase is None and "no increase" in never.statement()
    with pytest.raises(ValueError, match="unknown target"):
        plan_capacity(tiny, "nope", QUILT, 0.9, runs=10, workers=1)


def test_morris_finds_the_only_input_of_the_stock_target(tiny: sim.Scenario) -> None:
    res = sensitivity(tiny, method="morris", n=4, seed=2, workers=1, progress=False,
                      targets=["stock_covers_county", "relief_within_10h"])
    top = res.ranking("stock_covers_county")
    assert top.iloc[0]["input"] == QUILT
    assert (top.iloc[1:]["mu_star"] == 0).all()  # nothing else moves the stock on hand
    assert res.runs == 4 * (len(sim.scenario.uncertain_inputs(tiny)) + 2)
    assert NOISE in set(res.indices["input"])


def test_sobol_indices(tiny: sim.Scenario) -> None:
    res = sensitivity(tiny, method="sobol", n=16, seed=1, workers=2, progress=False,
                      inputs=[QUILT, "vehicles[county_trucks].count"],
                      targets=["stock_covers_county"])
    df = res.ranking("stock_covers_county").set_index("input")
    assert df.loc[QUILT, "ST"] > 0.7 and df.loc[QUILT, "S1"] > 0.5
    assert abs(df.loc["vehicles[county_trucks].count", "ST"]) < 0.05
    assert abs(df.loc[NOISE, "ST"]) < 0.05
    with pytest.raises(ValueError, match="power of 2"):
        sensitivity(tiny, n=10)
    with pytest.raises(ValueError, match="not uncertain inputs"):
        sensitivity(tiny, inputs=["hazard.nope"])


def test_prim_recovers_a_planted_box() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((2000, 4)), columns=["a", "b", "c", "d"])
    inside = (x["a"] > 0.6) & (x["b"] < 0.5)
    y = np.where(inside, rng.random(2000) < 0.9, rng.random(2000) < 0.05)
    box, traj = prim(x, y)
    assert box is not None
    names = {r.input: r for r in box.restrictions}
    assert set(names) == {"a", "b"}
    # PRIM keeps the densest box holding half the cases: at or just inside the planted edges.
    assert 0.58 <= names["a"].low <= 0.7 and names["a"].high is None
    assert 0.4 <= names["b"].high <= 0.52 and names["b"].low is None
    assert box.density > 0.8 and box.coverage > 0.7
    assert traj["mass"].is_monotonic_decreasing
    assert box.contains(x).sum() == box.runs_in_box


def test_discover_states_failure_in_scenario_paths(tiny: sim.Scenario) -> None:
    st = run_study(tiny, 300, 6, workers=2, series=True, progress=False)
    d = discover(st, "stock_covers_county")
    assert d.box is not None
    r = next(r for r in d.box.restrictions if r.input == QUILT)
    assert r.high is not None and 5500 < r.high < 6000 and r.low is None
    assert d.box.density == 1.0 and d.box.coverage > 0.9
    assert QUILT in d.statement and "coverage" in d.statement and "density" in d.statement
    never = discover(st, "shelter_area")
    assert never.box is None and "never fails" in never.statement


def test_figures(tiny: sim.Scenario, tmp_path: Path) -> None:
    from sim.report import figures

    st = run_study(tiny, 60, 2, workers=1, series=True, out=tmp_path / "s", progress=False)
    opened = sim.study.Study.open(tmp_path / "s")
    written = figures.save_study_figures(opened, tmp_path / "f")
    names = {p.name for p in written}
    assert {"p_holds.png", "relief_time.png", "shelters.png", "stock.png",
            "discovery_stock_covers_county.png"} <= names
    for p in written:
        assert p.stat().st_size > 5000
    # What the figures draw, read from their axes and worked out here from the runs.
    runs = st.table
    ax = figures.p_holds(opened.summary()).axes[0]
    label_at = {round(y): lab.get_text() for y, lab in zip(ax.get_yticks(), ax.get_yticklabels(),
                                                           strict=True)}
    drawn: dict[str, tuple[float, float, float]] = {}
    for c in ax.containers:
        line, _caps, (bars,) = c.lines
        for x, y, seg in zip(line.get_xdata(), line.get_ydata(), bars.get_segments(),
                             strict=True):
            if len(seg):  # a target that never applied has no point (NaN)
                drawn[label_at[round(y)]] = (float(x), float(seg[0][0]), float(seg[1][0]))
    assert [label_at[y] for y in sorted(label_at, reverse=True)] == [t.id for t in tiny.targets]
    for t in tiny.targets:
        applies, met = recomputed_verdicts(runs, t)
        if applies.any():
            want = wilson_interval(int(met[applies].sum()), int(applies.sum()))
            assert drawn[t.id] == pytest.approx(want, abs=1e-9), t.id
        else:
            assert t.id not in drawn
    # time to relief: the first recorded time each run had 95 % relieved, against the 10 h line
    s = st.series
    assert s is not None
    s = s[s["time_h"] >= 0]
    first = np.array([g.loc[g["relief.share"] >= 0.95 - 1e-12, "time_h"].min()
                      for _, g in s.groupby("run")])
    first = np.where(np.isnan(first), np.inf, first)
    ax1 = figures.relief_time(opened).axes[0]
    assert sum(b.get_height() for b in ax1.patches) == np.isfinite(first).sum()
    assert list(ax1.lines[0].get_xdata()) == [10, 10]  # the target's hours
    assert f"met in {np.mean(first <= 10 + 1e-9):.0%} of 60 runs" in ax1.get_title()
    # shelter occupancy: the median over runs at each recorded time, and the stated capacity
    ax = figures.fan_chart(opened, "shelter").axes[0]
    assert ax.get_title() == "school"
    whole = st.series
    times = np.sort(whole["time_h"].unique())
    median = [np.median(whole.loc[whole["time_h"] == t, "shelter.school"]) for t in times]
    line = next(ln for ln in ax.lines if ln.get_label() == "median")
    assert np.allclose(line.get_xdata(), times) and np.allclose(line.get_ydata(), median)
    cap = next(ln for ln in ax.lines if ln.get_label() == "stated capacity")
    assert list(cap.get_ydata()) == [150, 150]
    assert max(median) > 0  # the fan shows people in the shelter
    res = sensitivity(tiny, method="morris", n=2, seed=0, workers=1, progress=False,
                      targets=["stock_covers_county"])
    figures.sensitivity_bars(res, "stock_covers_county").savefig(tmp_path / "sens.png")
    figures.fan_chart(st, "people").savefig(tmp_path / "people.png")
    no_series = run_study(tiny, 5, 2, workers=1, progress=False)
    with pytest.raises(ValueError, match="series"):
        figures.relief_time(no_series)


def test_engine_and_studies_never_import_matplotlib(tmp_path: Path) -> None:
    code = ("import sys, sim, sim.study\n"
            "from tests.study_helpers import tiny_scenario\n"
            "sim.study.run_study(tiny_scenario(), 5, 1, workers=1)\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n")
    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                       timeout=120)
    assert p.returncode == 0, p.stderr
