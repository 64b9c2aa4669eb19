"""Drivers named only when their sensitivity interval excludes zero (synthetic designs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.study.sensitivity import (
    NOISE,
    SensitivityResult,
    analyze_design,
    interval_excludes_zero,
    significant_drivers,
)


def _result(method: str, seed: int = 3) -> SensitivityResult:
    """A known model: y = 4 a + 1.5 b² + noise(seed coordinate); c has no effect at all."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    names = ["a", "b", "c", NOISE]
    problem = {"num_vars": 4, "names": names, "bounds": [[0.0, 1.0]] * 4}
    if method == "morris":
        x = morris_sample.sample(problem, 40, num_levels=4, seed=seed)
    else:
        x = sobol_sample.sample(problem, 256, calc_second_order=False, scramble=True, seed=seed)
    # run-to-run randomness depends only on the seed coordinate (common random numbers)
    noise = 0.3 * np.sin(1e3 * x[:, 3])
    y = 4.0 * x[:, 0] + 1.5 * x[:, 1] ** 2 + noise
    df = analyze_design(method, names, x, {"t": y}, seed=seed)
    return SensitivityResult(method, df, pd.DataFrame(), len(x), seed, 0.95)


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_a_zero_effect_input_is_not_a_driver(method: str) -> None:
    res = _result(method)
    drivers = significant_drivers(res, "t")
    assert list(drivers["input"]) == ["a", "b"]
    assert (drivers["low"] > 0).all()
    with_noise = significant_drivers(res, "t", include_noise=True)
    assert NOISE in set(with_noise["input"])
    assert "c" not in set(with_noise["input"])
    assert list(significant_drivers(res, "t", top=1)["input"]) == ["a"]


def test_interval_excludes_zero_rows() -> None:
    assert interval_excludes_zero({"mu_star": 0.5, "mu_star_conf": 0.2})
    assert not interval_excludes_zero({"mu_star": 0.5, "mu_star_conf": 0.6})
    assert not interval_excludes_zero({"ST": 0.0, "ST_conf": 0.0})
    assert interval_excludes_zero({"ST": 0.3, "ST_conf": 0.1})
    assert not interval_excludes_zero({"mu_star": float("nan"), "mu_star_conf": 0.1})
    assert not interval_excludes_zero({})


def test_no_driver_when_nothing_is_significant() -> None:
    res = _result("morris")
    flat = res.indices.assign(mu_star_conf=res.indices["mu_star"] + 1.0)
    res2 = SensitivityResult("morris", flat, pd.DataFrame(), res.runs, res.seed, 0.95)
    assert significant_drivers(res2, "t").empty
    assert significant_drivers(res, "unknown").empty


def _row(path: str, mu: float, conf: float) -> dict[str, object]:
    return {"input": path, "words": f"name of {path}", "words_zh": f"{path}名称",
            "mu_star": mu, "mu_star_conf": conf, "mu_star_norm": mu / 0.5,
            "source_kind": "cited", "significant": mu - conf > 0}


def test_headline_names_only_significant_drivers() -> None:
    from sim.report.plan_markdown import _top_inputs

    rows = [_row("a", 0.5, 0.1), _row("b", 0.4, 0.5), _row("c", 0.2, 0.05)]
    doc = {"relief": {"target": "r"},
           "sensitivity": {"runs": 50, "targets": [{"target": "r", "inputs": rows,
                                                    "drivers": ["a", "c"]}]}}
    text = _top_inputs(doc)
    assert "name of a (a名称)" in text and "name of c" in text and "name of b" not in text
    # a report.json without ``drivers`` falls back to the rows' intervals
    del doc["sensitivity"]["targets"][0]["drivers"]  # type: ignore[index]
    assert "name of b" not in _top_inputs(doc) and "name of a" in _top_inputs(doc)
    doc["sensitivity"]["targets"][0]["drivers"] = []  # type: ignore[index]
    assert "no main driver can be named" in _top_inputs(doc)


def test_min_share_drops_a_negligible_but_significant_input() -> None:
    res = _result("morris")
    idx = res.indices.copy()
    small = (idx["input"] == "c")
    idx.loc[small, ["mu_star", "mu_star_conf"]] = [0.01, 0.005]  # significant, but 0.25 % of a's
    res2 = SensitivityResult("morris", idx, pd.DataFrame(), res.runs, res.seed, 0.95)
    assert "c" in set(significant_drivers(res2, "t")["input"])
    assert "c" not in set(significant_drivers(res2, "t", min_share=0.1)["input"])
    assert "a" in set(significant_drivers(res2, "t", min_share=0.1)["input"])
