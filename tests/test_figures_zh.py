"""Chinese labels of the discovery box, sensitivity bars and cost-against-P(holds) figures."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.i18n import Lang

pytest.importorskip("matplotlib")

from sim.report.figures import discovery_box, sensitivity_bars  # noqa: E402
from sim.report.plan_figures import hold_front  # noqa: E402
from sim.study.discovery import Box, Discovery, Restriction  # noqa: E402
from sim.study.sensitivity import SensitivityResult  # noqa: E402

HAN = re.compile(r"[\u4e00-\u9fff]")
WIND = "hazard.max_wind_ms"
TRUCKS = "vehicles[county_trucks].count"


def _texts(fig: Any) -> list[str]:
    """Every text a figure shows: titles, axis labels, legends, annotations, tick labels."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _labels(fig: Any) -> list[str]:
    """Titles, axis labels, y tick labels with words, and legend entries of every axes."""
    out: list[str] = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_yticklabels()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return [s for s in out if re.search(r"[A-Za-z\u4e00-\u9fff]", s)]  # not number ticks


@pytest.fixture
def strict_glyphs() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "Glyph ... missing from font(s)"
        yield


def _discovery() -> tuple[Discovery, Any]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({WIND: rng.uniform(30, 60, 80), TRUCKS: rng.integers(2, 12, 80)})
    met = ~((x[WIND] >= 46.2) & (x[TRUCKS] <= 5))
    rs = [Restriction(WIND, 46.2, None, 30.0, 60.0, quasi_p=0.001),
          Restriction(TRUCKS, None, 5, 2, 11, integer=True, quasi_p=0.02,
                      words_zh="县级运输车队卡车数")]
    box = Box(rs, coverage=0.9, density=0.8, mass=0.2, runs_in_box=16, cases_in_box=13)
    traj = pd.DataFrame({"coverage": [1.0, 0.95, 0.9], "density": [0.2, 0.5, 0.8],
                         "restricted": [0, 1, 2]})
    d = Discovery("relief_10h", 80, int((~met).sum()), float((~met).mean()), box, traj, "")
    study = SimpleNamespace(scenario=None, inputs_frame=lambda: x,
                            table=pd.DataFrame({"met.relief_10h": met}))
    return d, study


def _sensitivity(method: str) -> SensitivityResult:
    ind = pd.DataFrame({"target": ["relief_10h"] * 2, "input": [WIND, TRUCKS],
                        "S1": [0.5, 0.2], "S1_conf": [0.05, 0.05], "ST": [0.6, 0.3],
                        "ST_conf": [0.05, 0.05], "mu_star": [3.0, 1.0],
                        "mu_star_conf": [0.3, 0.2]})
    return SensitivityResult(method, ind, pd.DataFrame(), 64, 0, 0.95, {})


def _hold(top_cost: float) -> dict[str, Any]:
    cand = {"cost": top_cost, "runs": 40, "p_holds": {"estimate": 0.9, "low": 0.77,
                                                       "high": 0.96},
            "changes": [{"en": "two more trucks", "zh": "增加两辆卡车"}]}
    ans = {"status": "found", "answer": cand, "front": [
        {"cost": 0.0, "p_holds": {"estimate": 0.5}}, cand]}
    ev = [{"cost": 0.0, "held": 20, "runs": 40, "per_target": {"relief_10h": 22}},
          {"cost": top_cost, "held": 36, "runs": 40, "per_target": {"relief_10h": 37}}]
    return {"goal": 0.8, "currency": "CNY", "plan": ans, "evaluated": ev,
            "per_target": [{**ans, "target": "relief_10h"}]}


def _draws(lang: Lang) -> list[tuple[str, Any]]:
    d, study = _discovery()
    return [("discovery", discovery_box(d, study, lang=lang)),
            ("sobol", sensitivity_bars(_sensitivity("sobol"), "relief_10h", lang=lang)),
            ("morris", sensitivity_bars(_sensitivity("morris"), "relief_10h", lang=lang)),
            ("front", hold_front(_hold(2e6), "t", lang=lang)),
            ("front_small", hold_front(_hold(5e4), lang=lang))]


def test_chinese_labels_and_no_missing_glyphs(strict_glyphs: None, tmp_path: Path) -> None:
    for name, fig in _draws("zh"):
        labels = _labels(fig)
        english = [s for s in labels if re.search(r"[a-z]{4,}", s) and not HAN.search(s)]
        assert not english, (name, english)
        for ax in fig.axes:
            if ax.get_xlabel() and ax.get_label() != "<colorbar>":
                assert HAN.search(ax.get_xlabel()), (name, ax.get_xlabel())
        assert any(HAN.search(ax.get_title()) for ax in fig.axes), name
        fig.savefig(tmp_path / f"{name}.png", dpi=40)
    d, study = _discovery()
    texts = _texts(discovery_box(d, study, lang="zh"))
    assert any(t.startswith("县级运输车队卡车数\n") for t in texts)
    assert "登陆时最大风速（米/秒）" in texts  # the scatter's axis, via labels.describe
    assert "百万CNY" in hold_front(_hold(2e6), lang="zh").axes[0].get_xlabel()


# The labels as drawn before the figures could be drawn in Chinese (English must not change).
EN = {
    "discovery": [
        "relief_10h fails: coverage 0.90, density 0.80", "range in the runs (normalised)",
        f"{TRUCKS}\n(quasi-p 0.02)", f"{WIND}\n(quasi-p 0.001)", "peeling trajectory",
        "coverage", "density", "chosen box (after pasting and pruning)", WIND, TRUCKS,
        "holds", "fails", "inputs restricted"],
    "sobol": ["relief_10h: sensitivity of the value (64 runs)",
              "Sobol' index (95% bootstrap interval)", TRUCKS, WIND, "total (ST)",
              "first order (S1)"],
    "morris": ["relief_10h: sensitivity of the value (64 runs)",
               "Morris mu* (mean absolute elementary effect)", TRUCKS, WIND],
    "front": ["all simulated targets together", "cost (CNY million)", "P(holds)",
              "candidates (search runs)", "front", "answer (fresh runs)", "goal 80%",
              "relief_10h", "cost (CNY million)", "P(holds)"],
    "front_small": ["all simulated targets together", "cost (CNY)", "P(holds)",
                    "candidates (search runs)", "front", "answer (fresh runs)", "goal 80%",
                    "relief_10h", "cost (CNY)", "P(holds)"],
}


def test_english_labels_unchanged() -> None:
    for name, fig in _draws("en"):
        assert sorted(_labels(fig)) == sorted(EN[name]), name
    d, study = _discovery()
    assert _labels(discovery_box(d, study)) == _labels(discovery_box(d, study, lang="en"))
