"""Statistics: Wilson intervals cover at the nominal rate; sequential stopping meets its goal;
bootstrap intervals in O(n) memory give the numbers of the O(n²) computation they replaced."""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import astuple

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, binomtest, norm

import sim
from sim.study import run_study, stats
from sim.study.runner import summarize
from sim.study.stats import (
    QUANTILES,
    Interval,
    bootstrap_mean,
    bootstrap_quantiles,
    newcombe_paired,
    paired_mean_difference,
    required_runs,
    summarize_values,
    wilson,
)
from tests.study_helpers import P_STOCK, tiny_scenario


def wilson_closed_form(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    z = norm.ppf(0.5 + conf / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (48, 200), (199, 200)])
def test_wilson_matches_the_closed_form(k: int, n: int) -> None:
    iv = wilson(k, n)
    lo, hi = wilson_closed_form(k, n)
    assert iv.low == pytest.approx(lo, abs=1e-9) and iv.high == pytest.approx(hi, abs=1e-9)
    assert iv.estimate == k / n
    assert math.isnan(wilson(0, 0).estimate)


def exact_coverage(n: int, p: float, conf: float = 0.95) -> float:
    """P(the Wilson interval of Binomial(n, p) contains p), summed over every outcome."""
    total = 0.0
    for k in range(n + 1):
        lo, hi = wilson_closed_form(k, n, conf)
        if lo <= p <= hi:
            total += binom.pmf(k, n, p)
    return total


def check_coverage(covered: int, trials: int, n: int, p: float) -> None:
    exact = exact_coverage(n, p)
    assert 0.92 <= exact <= 0.98  # Wilson is close to nominal at these n and p
    # The observed rate agrees with the exact coverage (a binomial test; 1 in 1,000 false alarms).
    assert binomtest(covered, trials, exact).pvalue > 1e-3, (covered, trials, exact)


def test_wilson_covers_at_the_nominal_rate_on_synthetic_bernoulli() -> None:
    rng = np.random.default_rng(2024)
    for n, p in [(30, 0.1), (100, 0.5), (400, 0.93)]:
        trials = 2000
        ks = rng.binomial(n, p, size=trials)
        ivs = {k: wilson(k, n) for k in set(ks.tolist())}
        covered = sum(ivs[k].low <= p <= ivs[k].high for k in ks.tolist())
        check_coverage(covered, trials, n, p)


def test_wilson_covers_the_true_probability_of_a_synthetic_target() -> None:
    """The tiny scenario's stock target holds with probability exactly 0.25 (its quilt stock is
    uniform on [0, 8000] and the target needs 6,000). One study of 2,400 runs is 80 independent
    studies of 30 runs (disjoint spawn keys of one root), each giving a Wilson interval."""
    sc = tiny_scenario()
    n, studies = 30, 80
    st = run_study(sc, n * studies, 99, workers=2, progress=False)
    quilt = st.table["draw.stock_points[county_depot].items.quilt"].to_numpy()
    met = st.table["met.stock_covers_county"].to_numpy()
    assert (met == (quilt >= 6000)).all()  # the target is what the helper says it is
    covered = 0
    for b in range(studies):
        k = int(met[b * n:(b + 1) * n].sum())
        iv = wilson(k, n)
        covered += iv.low <= P_STOCK <= iv.high
    check_coverage(covered, studies, n, P_STOCK)


def test_required_runs_gives_the_half_width() -> None:
    for p, h in [(0.5, 0.02), (0.1, 0.02), (0.97, 0.01), (1.0, 0.02)]:
        n = required_runs(p, h)
        k = round(p * n)
        assert wilson(k, n).half_width <= h + 2e-3
        assert n == 1 or wilson(round(p * (n - 5)), n - 5).half_width > h - 2e-3


def test_sequential_stopping_meets_its_half_width() -> None:
    sc = tiny_scenario()
    st = run_study(sc, 50, 5, workers=2, until_ci=0.04, max_runs=3000, progress=False)
    assert st.stop is not None and st.stop.reason == "precision"
    assert st.stop.runs == st.runs and st.stop.rounds[-1] == st.runs
    assert st.stop.rounds == sorted(st.stop.rounds) and st.stop.rounds[0] == 50
    for t in st.summary().targets:
        assert t.applicable == 0 or t.p_holds.half_width <= 0.04  # n/a in every run: no P
    # The last round before stopping did not meet it (it stopped as early as its rounds allow).
    if len(st.stop.rounds) > 1:
        prev = st.table[st.table["run"] < st.stop.rounds[-2]]
        from sim.study.runner import max_half_width, summarize

        assert max_half_width(summarize(prev, sc, 5, values=False)) > 0.04
    again = run_study(sc, 50, 5, workers=1, until_ci=0.04, max_runs=3000, progress=False)
    assert again.stop == st.stop and again.table.equals(st.table)


def test_sequential_stopping_reports_the_cap() -> None:
    st = run_study(tiny_scenario(), 20, 5, workers=1, until_ci=0.01, max_runs=120,
                   progress=False)
    assert st.stop is not None and st.stop.reason == "max_runs" and st.runs == 120
    assert st.stop.max_half_width is not None and st.stop.max_half_width > 0.01


def test_bootstrap_intervals() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(10, 2, size=300)
    m = bootstrap_mean(x, rng=0)
    assert m.low < m.estimate < m.high and m.high - m.low == pytest.approx(
        2 * 1.96 * 2 / math.sqrt(300), rel=0.25)
    assert bootstrap_mean(x, rng=0) == m  # seeded
    c = bootstrap_mean(np.full(20, 1.68))
    assert (c.estimate, c.low, c.high) == (1.68, 1.68, 1.68)
    q = bootstrap_quantiles(x)
    assert q[0.05].estimate < q[0.5].estimate < q[0.95].estimate
    for iv in q.values():
        assert iv.low <= iv.estimate <= iv.high
    assert math.isnan(bootstrap_mean(np.array([np.nan])).estimate)


def test_newcombe_paired_interval() -> None:
    rng = np.random.default_rng(7)
    same = rng.random(200) < 0.4
    iv = newcombe_paired(same, same)
    assert iv.estimate == 0 and iv.low < 0 < iv.high and iv.high - iv.low < 0.05
    # Coverage on correlated pairs (a is b with 10 % of runs flipped to success).
    p_b, flip, n, trials, covered, width = 0.4, 0.1, 150, 600, 0, 0.0
    true_diff = (1 - p_b) * flip
    for _ in range(trials):
        b = rng.random(n) < p_b
        a = b | (rng.random(n) < flip)
        d = newcombe_paired(a, b)
        covered += d.low <= true_diff <= d.high
        width += (d.high - d.low) / trials
    # A 95 % interval covers in 95 % of trials: the count must lie in the central 99.9 % of
    # Binomial(trials, 0.95), so an interval too narrow (covers too rarely) and one too wide
    # (covers nearly always) both fail.
    lo, hi = binom.ppf(0.0005, trials, 0.95), binom.isf(0.0005, trials, 0.95)
    assert 0.91 < lo / trials and hi / trials < 0.98  # narrow enough to tell 90 % or 99 %
    assert lo <= covered <= hi, (covered, trials, lo, hi)
    # 600 trials cannot tell 95 % from 97 % coverage; the mean width can: a - b is 1 in a share
    # true_diff of runs and 0 otherwise, so a 95 % interval is about 2 x 1.96 standard errors.
    expected = 2 * norm.ppf(0.975) * math.sqrt(true_diff * (1 - true_diff) / n)
    assert width == pytest.approx(expected, rel=0.1), (width, expected)


def test_paired_difference_removes_common_variance() -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(0, 5, size=400)
    a, b = common + 1.0 + rng.normal(0, 0.5, 400), common + rng.normal(0, 0.5, 400)
    d = paired_mean_difference(a, b)
    assert d.difference.low < 1.0 < d.difference.high
    assert d.variance_reduction > 0.9
    assert d.to_dict()["independent_runs_for_same_precision"] > 400 * 10


def test_paired_t_interval_on_five_pairs_is_the_textbook_one() -> None:
    """Five paired differences 1, 2, 3, 4, 6: mean 3.2, s = sqrt(3.7), and the 95 % half-width
    t(0.975, 4 degrees of freedom) s / sqrt(5) with t = 2.776 (Student's table), as scipy's
    ttest_rel gives it; few pairs make the degrees of freedom matter."""
    from scipy.stats import ttest_rel

    b = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    a = b + np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    d = paired_mean_difference(a, b)
    half = 2.776 * math.sqrt(3.7) / math.sqrt(5)
    assert d.difference.estimate == pytest.approx(3.2)
    assert d.difference.high - 3.2 == pytest.approx(half, abs=5e-3)
    ci = ttest_rel(a, b).confidence_interval(0.95)
    assert (d.difference.low, d.difference.high) == pytest.approx((ci.low, ci.high), rel=1e-12)


def test_tiny_scenario_is_valid() -> None:
    assert isinstance(tiny_scenario(), sim.Scenario)


# The bootstrap as it was computed before the O(n) version: scipy.stats.bootstrap (all resamples
# at once, and the BCa jackknife as n x (n - 1) leave-one-out resamples) and every quantile
# resample at once: O(n * resamples) and O(n²) memory. The reference for the tests below only.
def reference_mean(x: np.ndarray, confidence: float = 0.95, n_resamples: int = 2000,
                   rng: int | np.random.Generator = 0) -> Interval:
    import warnings

    from scipy.stats import bootstrap

    def gen() -> np.random.Generator:
        return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return Interval(math.nan, math.nan, math.nan, confidence)
    if (x == x[0]).all():
        return Interval(float(x[0]), float(x[0]), float(x[0]), confidence)
    m = float(np.mean(x))
    if len(x) < 2 or not np.isfinite(x).all():
        return Interval(m, math.nan, math.nan, confidence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when BCa is degenerate
        ci = bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                       method="BCa", vectorized=True, rng=gen()).confidence_interval
        lo, hi = float(ci.low), float(ci.high)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            ci = bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                           method="percentile", vectorized=True, rng=gen()).confidence_interval
            lo, hi = float(ci.low), float(ci.high)
    return Interval(m, lo, hi, confidence)


def reference_quantiles(x: np.ndarray, confidence: float = 0.95, n_resamples: int = 2000,
                        rng: int | np.random.Generator = 0) -> dict[float, Interval]:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return {q: Interval(math.nan, math.nan, math.nan, confidence) for q in QUANTILES}
    est = {q: float(np.quantile(x, q, method="inverted_cdf")) for q in QUANTILES}
    if len(x) < 2 or (x == x[0]).all():
        return {q: Interval(est[q], est[q], est[q], confidence) for q in QUANTILES}
    g = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    idx = g.integers(0, len(x), size=(n_resamples, len(x)))
    boot = np.quantile(x[idx], QUANTILES, axis=1, method="inverted_cdf")
    a = (1 - confidence) / 2
    out = {}
    for j, q in enumerate(QUANTILES):
        lo, hi = np.quantile(boot[j], [a, 1 - a], method="inverted_cdf")
        out[q] = Interval(est[q], float(lo), float(hi), confidence)
    return out


def same(a: Interval, b: Interval, rel: float = 0.0) -> bool:
    """Equal, NaN equal to NaN; the bounds within ``rel`` (relative) of each other."""
    for u, v in zip(astuple(a), astuple(b), strict=True):
        if math.isnan(u) and math.isnan(v):
            continue
        if not (u == v or abs(u - v) <= rel * max(abs(u), abs(v))):
            return False
    return True


def samples() -> dict[str, np.ndarray]:
    """One sample of each kind a target's value takes, small enough for the O(n²) reference."""
    g = np.random.default_rng(11)
    return {
        "normal": g.normal(3, 2, 577),
        "skewed": g.lognormal(0, 2, 600),
        "share": np.clip(g.beta(0.3, 0.2, 500), 0, 1),
        "proportion": (g.random(400) < 0.07).astype(float),
        "rare": np.r_[np.zeros(499), 1.0],
        "count": g.poisson(2.5, 450).astype(float),
        "with_nan_and_inf": np.r_[g.exponential(size=300), np.inf, np.nan, np.nan],
        "two": np.array([1.0, 2.0]),
        "one": np.array([4.0]),
        "constant": np.full(50, 1.68),
        "empty": np.array([np.nan]),
    }


@pytest.mark.parametrize("kind", list(samples()))
@pytest.mark.parametrize("batch", [stats.BATCH_VALUES, 20_000])
def test_bootstrap_equals_the_quadratic_computation(kind: str, batch: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Quantile intervals bit-identical; the BCa mean's to rounding (the closed-form jackknife
    sums in another order). ``batch`` 20,000 splits the resamples into tens of batches, the last
    one short."""
    monkeypatch.setattr(stats, "BATCH_VALUES", batch)
    x = samples()[kind]
    for seed in (0, 7):
        ref_m, ref_q = reference_mean(x, rng=seed), reference_quantiles(x, rng=seed)
        assert same(bootstrap_mean(x, rng=seed), ref_m, rel=1e-12)
        q = bootstrap_quantiles(x, rng=seed)
        assert q.keys() == ref_q.keys() and all(same(q[k], ref_q[k]) for k in q)
        vs = summarize_values(x, rng=seed)  # one pass for both: the same numbers
        assert same(vs.mean, ref_m, rel=1e-12)
        assert all(same(vs.quantiles[k], ref_q[k]) for k in ref_q)
    # A generator goes on from where it is, the quantiles drawing after the mean.
    g, ref_g = np.random.default_rng(3), np.random.default_rng(3)
    assert same(bootstrap_mean(x, rng=g), reference_mean(x, rng=ref_g), rel=1e-12)
    q, ref_q = bootstrap_quantiles(x, rng=g), reference_quantiles(x, rng=ref_g)
    assert all(same(q[k], ref_q[k]) for k in ref_q)


def test_bootstrap_fallback_equals_the_quadratic_computation() -> None:
    """With one resample BCa is degenerate (its bias correction is infinite) and the interval
    falls back to the percentile one, from the same draws for a seed and fresh draws for a
    generator."""
    x = np.random.default_rng(2).lognormal(0, 3, 12)
    for seed in range(4):
        iv = bootstrap_mean(x, n_resamples=1, rng=seed)
        assert iv.low == iv.high and math.isfinite(iv.low)
        assert same(iv, reference_mean(x, n_resamples=1, rng=seed))
        g, ref_g = np.random.default_rng(seed), np.random.default_rng(seed)
        assert same(bootstrap_mean(x, n_resamples=1, rng=g),
                    reference_mean(x, n_resamples=1, rng=ref_g))
        assert g.bit_generator.state == ref_g.bit_generator.state  # both drew twice


def synthetic_table(sc: sim.Scenario, runs: int) -> pd.DataFrame:
    """A per-run table for ``sc``'s targets: shares, some runs where a target does not apply."""
    g = np.random.default_rng(4)
    cols: dict[str, np.ndarray] = {"run": np.arange(runs)}
    for t in sc.targets:
        v = g.beta(2.0, 0.5, runs)
        v[g.random(runs) < 0.1] = np.nan
        cols[f"value.{t.id}"] = v
        cols[f"met.{t.id}"] = v >= 0.8
        cols[f"threshold.{t.id}"] = np.full(runs, 0.8)
    return pd.DataFrame(cols)


def test_a_20000_run_summary_stays_under_300_mib() -> None:
    """The summary's allocations at the --until-ci cap of 20,000 runs (6.6 GiB before the O(n)
    bootstrap). Two targets keep it fast; targets are summarised one after the other, so more of
    them would not raise the peak."""
    sc = tiny_scenario()
    sc = sc.model_copy(update={"targets": list(sc.targets[:2])})
    table = synthetic_table(sc, 20_000)
    tracemalloc.start()
    try:
        summary = summarize(table, sc, seed=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 300 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    for t in summary.targets:
        assert t.value.runs == np.isfinite(table[f"value.{t.id}"]).sum() > 17_000
        assert t.value.mean.low < t.value.mean.estimate < t.value.mean.high
