"""Distributions draw what they declare; named streams are independent and stable."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from sim.scenario.distributions import Dist, Uncertain, UncertainCount, UncertainFraction
from sim.scenario.sampling import sample_scenario, uncertain_inputs
from sim.scenario.schema import Scenario
from sim.streams import Streams

DIST = TypeAdapter(Dist)
N = 4000
ALPHA = 0.001  # a false alarm in one of these KS tests is 1 in 1000

CASES = [
    ({"dist": "uniform", "low": 2, "high": 5}, stats.uniform(2, 3)),
    ({"dist": "triangular", "low": 1, "mode": 2, "high": 6}, stats.triang(0.2, loc=1, scale=5)),
    ({"dist": "normal", "mean": 3, "sd": 2}, stats.norm(3, 2)),
    ({"dist": "truncnormal", "mean": 0, "sd": 60, "low": -100, "high": 150},
     stats.truncnorm(-100 / 60, 150 / 60, loc=0, scale=60)),
    ({"dist": "lognormal", "median": 4, "sigma": 0.5}, stats.lognorm(0.5, scale=4)),
    ({"dist": "beta", "a": 2, "b": 5, "low": 10, "high": 20}, stats.beta(2, 5, loc=10, scale=10)),
]


@pytest.mark.parametrize("spec, ref", CASES, ids=[c[0]["dist"] for c in CASES])
def test_continuous_draws_follow_declared_distribution(spec: dict, ref: object) -> None:
    d = DIST.validate_python(spec)
    rng = np.random.default_rng(20261125)
    x = np.array([d.sample(rng) for _ in range(N)])
    assert stats.kstest(x, ref.cdf).pvalue > ALPHA  # type: ignore[attr-defined]
    lo, hi = d.support()
    assert (x >= lo).all() and (x <= hi).all()
    assert d.mean() == pytest.approx(ref.mean(), rel=1e-9)  # type: ignore[attr-defined]


def test_poisson_and_choice_frequencies() -> None:
    rng = np.random.default_rng(7)
    p = DIST.validate_python({"dist": "poisson", "lam": 3.5})
    x = np.array([p.sample(rng) for _ in range(N)]).astype(int)
    k = np.arange(0, 9)
    obs = np.array([(x == i).sum() for i in k] + [(x >= 9).sum()])
    exp = np.append(stats.poisson(3.5).pmf(k), stats.poisson(3.5).sf(8)) * N
    assert stats.chisquare(obs, exp).pvalue > ALPHA
    c = DIST.validate_python({"dist": "choice", "values": [4, 5, 6], "weights": [1, 2, 1]})
    y = np.array([c.sample(rng) for _ in range(N)])
    obs = np.array([(y == v).sum() for v in (4, 5, 6)])
    assert stats.chisquare(obs, np.array([0.25, 0.5, 0.25]) * N).pvalue > ALPHA


@pytest.mark.parametrize("spec", [
    {"dist": "uniform", "low": 3, "high": 3},
    {"dist": "triangular", "low": 1, "mode": 9, "high": 6},
    {"dist": "normal", "mean": 0, "sd": 0},
    {"dist": "normal", "mean": 0, "sd": 1, "low": 50, "high": 60},
    {"dist": "lognormal", "median": -1, "sigma": 0.3},
    {"dist": "beta", "a": 0, "b": 1},
    {"dist": "poisson", "lam": -2},
    {"dist": "choice", "values": []},
    {"dist": "choice", "values": [1, 2], "weights": [0, 0]},
    {"dist": "weibull", "k": 2},
    {"dist": "uniform", "low": 0, "high": float("inf")},
])
def test_impossible_distributions_are_refused(spec: dict) -> None:
    with pytest.raises(ValidationError):
        DIST.validate_python(spec)


def test_bounds_apply_to_the_whole_support() -> None:
    frac = TypeAdapter(UncertainFraction)
    frac.validate_python({"dist": "beta", "a": 2, "b": 2})
    with pytest.raises(ValidationError, match="fraction"):
        frac.validate_python({"dist": "normal", "mean": 0.5, "sd": 0.1})  # unbounded
    with pytest.raises(ValidationError):
        frac.validate_python(1.5)
    count = TypeAdapter(UncertainCount)
    assert count.validate_python(3) == 3
    with pytest.raises(ValidationError, match="whole"):
        count.validate_python(2.5)
    q = TypeAdapter(Uncertain)
    assert q.validate_python({"value": 3, "source": "x"}).value == 3
    with pytest.raises(ValidationError):
        q.validate_python("3")


def test_named_streams_are_stable_and_independent() -> None:
    a, b = Streams(5), Streams(5)
    assert a.generator("hazard").random() == b.generator("hazard").random()
    # asking in another order, or for other streams first, does not change a stream
    c = Streams(5)
    c.generator("logistics").random()
    assert c.generator("travel").random() == Streams(5).generator("travel").random()
    assert Streams(5).generator("x").random() != Streams(6).generator("x").random()
    with pytest.raises(ValueError):
        Streams(-1)


def test_one_input_changing_leaves_other_draws_alone(demo: Scenario) -> None:
    streams = Streams(42)
    _, draws = sample_scenario(demo, streams)
    data = demo.model_dump(by_alias=True, exclude_none=True)
    data["hazard"]["max_wind_ms"] = {"dist": "uniform", "low": 60, "high": 70}
    data["zones"][0]["evacuation_share"] = 0.2  # one input less
    other = Scenario.model_validate(data)
    _, draws2 = sample_scenario(other, Streams(42))
    assert draws2["hazard.max_wind_ms"] >= 60
    for k, v in draws.items():
        if k not in ("hazard.max_wind_ms", "zones[harbour_town].evacuation_share"):
            assert draws2[k] == v, k
    assert set(uncertain_inputs(demo)) == set(draws)
    assert all(math.isfinite(v) for v in draws.values())
    assert draws["vehicles[county_trucks].count"] in (4.0, 5.0, 6.0)


def test_fixed_inputs_replace_only_their_draws(demo: Scenario) -> None:
    _, draws = sample_scenario(demo, Streams(3))
    _, pinned = sample_scenario(demo, Streams(3), {"hazard.max_wind_ms": 54.0})
    assert pinned["hazard.max_wind_ms"] == 54.0
    assert {k: v for k, v in pinned.items() if k != "hazard.max_wind_ms"} == {
        k: v for k, v in draws.items() if k != "hazard.max_wind_ms"}
    with pytest.raises(ValueError, match="outside"):
        sample_scenario(demo, Streams(3), {"hazard.max_wind_ms": 99.0})
    with pytest.raises(KeyError):
        sample_scenario(demo, Streams(3), {"hazard.nothing": 1.0})
