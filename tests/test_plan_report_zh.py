"""Plan reports in Chinese (``sim report --lang zh``): headings, clauses and figure labels."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.report.plan_markdown import render_markdown
from sim.report.plan_markdown_zh import render_markdown_zh

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "sim" / "bundled" / "demo_coastal_typhoon.yaml"
CLAUSE = "确保灾害发生后10小时内受灾人员基本生活得到有效救助"
HAN = re.compile(r"[\u4e00-\u9fff]")

pytest.importorskip("matplotlib")


def _texts(fig: Any) -> list[str]:
    """Every text a figure shows: titles, axis labels, legends, annotations, tick labels."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture
def strict_glyphs() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "Glyph ... missing from font(s)"
        yield


def test_markdown_of_a_committed_report_in_chinese() -> None:
    from dataclasses import asdict

    from sim.report.plan_report import QUICK

    doc = json.loads((ROOT / "results" / "demo_coastal_typhoon" / "report.json")
                     .read_text(encoding="utf-8"))
    for k, v in asdict(QUICK).items():  # a report written before a budget field existed
        doc["budget"].setdefault(k, v)
    zh = render_markdown_zh(doc)
    heads = [line for line in zh.splitlines() if line.startswith("## ")]
    assert heads[:3] == ["## 情景与灾害", "## 结论", "## 基本生活救助时间与10小时要求"]
    assert zh.startswith("# 沿海县台风登陆：预案目标能否达到？")
    verdict = zh[zh.index("## 结论"):zh.index("## 基本生活救助时间")]
    assert "| 目标 | 预案条款 |" in verdict and CLAUSE in verdict
    assert "![各目标达标概率](p_holds.png)" in verdict
    # the detailed sections follow in English, one level down, nothing dropped
    assert "## 详细章节（英文）" in zh and "### Every assumption in the scenario" in zh
    en = render_markdown(doc)
    assert "## Verdict" in en and "## 结论" not in en


def test_plan_figures_label_in_chinese(strict_glyphs: None, tmp_path: Path) -> None:
    from sim.report.plan_figures import relief_distribution, shelter_totals

    rng = np.random.default_rng(0)
    times = np.r_[rng.gamma(4.0, 3.0, 40), np.inf]
    series = pd.DataFrame({"run": np.repeat([0, 1], 5), "time_h": np.tile(np.arange(5.0), 2),
                           "relief.share": np.tile(np.linspace(0, 1, 5), 2),
                           "shelter.school": np.tile([0, 50, 90, 100, 80], 2)})
    figs = [relief_distribution(times, 10.0, 0.95, 0.9, series, "标题", lang="zh"),
            shelter_totals(series, {"school": 90.0}, lang="zh", names={"school": "中学"})]
    for i, fig in enumerate(figs):
        fig.savefig(tmp_path / f"{i}.png")
    relief, shelters = (_texts(f) for f in figs)
    assert "灾害发生后至95%人员获救助的小时数" in relief and "模拟次数" in relief
    assert "目标：10小时" in relief and "；1次始终未达到95%" in "".join(relief)
    assert "中学：100%的模拟中满员" in shelters and "规划安置容量" in shelters
    en = _texts(relief_distribution(times, 10.0, 0.95, 0.9, series))
    assert not any(HAN.search(t) for t in en)


@pytest.mark.slow
def test_a_plan_report_renders_in_chinese(tmp_path: Path, strict_glyphs: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A small report of the demo (about 20 s): Chinese text, clauses and figure labels."""
    from matplotlib.figure import Figure

    from sim.report.plan_report import QUICK, build_report, with_overrides

    drawn: dict[str, list[str]] = {}
    save = Figure.savefig

    def recording(self: Figure, fname: Any, *a: Any, **k: Any) -> None:
        drawn[Path(str(fname)).name] = _texts(self)
        save(self, fname, *a, **k)

    monkeypatch.setattr(Figure, "savefig", recording)
    budget = with_overrides(QUICK, first_round=12, max_runs=12, series_runs=6,
                            morris_trajectories=2, morris_max_inputs=4, probe_runs=4,
                            search_budget=0)
    doc = build_report(DEMO, tmp_path, budget=budget, workers=1, progress=False, lang="zh",
                       log=lambda _: None)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# 沿海县台风登陆：预案目标能否达到？")
    assert "## 结论" in md and CLAUSE in md
    assert "map" in doc["figures"] and "## 一次模拟中的响应：地图与时间线" in md
    for key in ("p_holds", "relief_time", "shelters", "stock", "map", "gantt"):
        name = doc["figures"][key]
        assert any(HAN.search(t) for t in drawn[name]), (name, drawn[name][:5])
    assert "目标达标概率（95% Wilson置信区间）" in drawn["p_holds.png"]


def test_what_would_make_it_hold_in_chinese() -> None:
    from sim.report.hold_zh import answer_statement_zh
    from sim.study.hold import answer_statement

    p = {"estimate": 0.95, "low": 0.91, "high": 0.97}
    change = {"path": "vehicles[trucks].count", "change": "+4", "cost": 80000.0,
              "en": "4 more trucks", "zh": "增加4辆卡车"}
    found = {"target": "relief_within_10h", "goal": 0.9, "status": "found", "runs_now": 100,
             "p_now": {"estimate": 0.5, "low": 0.4, "high": 0.6}, "unchecked": 0,
             "rejected": [{}], "answer": {"cost": 80000.0, "p_holds": p, "runs": 200,
                                          "changes": [change], "levels": [1]}}
    zh = answer_statement_zh(found, "CNY")
    assert zh == ("目前达标概率0.500 [0.400, 0.600]（100次搜索模拟）；找到的最低费用组合为"
                  "CNY 80,000：增加4辆卡车，达标概率0.950 [0.910, 0.970]（200次新模拟）"
                  "（另有1个更便宜的组合在搜索模拟中达到90%，但在新模拟上未达到）")
    assert "4 more trucks" in answer_statement(found, "CNY")
    already = {**found, "status": "already", "p_now": None, "rejected": [],
               "answer": {**found["answer"], "changes": [], "levels": [0]}}
    assert answer_statement_zh(already, "CNY") == ("已以90%的概率达到：达标概率0.950 "
                                                   "[0.910, 0.970]（200次新模拟）")
