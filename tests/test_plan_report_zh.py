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


RESULTS = ROOT / "results"
REPORTS = sorted(p.parent.name for p in RESULTS.glob("*/report.json"))
LATIN = re.compile(r"[A-Za-z]")
NAMES = re.compile(r"PRIM|Morris|Wilson|Friedman & Fisher|Holland B|mu\\\*(/max)?|sha256|CNY"
                   r"|p5|p95|Natural Earth")
"""Names of methods, parameters and currencies, written as they are in Chinese texts too."""


def _doc(name: str) -> dict[str, Any]:
    """A committed report's document, with any budget field written since filled in."""
    from dataclasses import asdict

    from sim.report.plan_report import QUICK

    doc: dict[str, Any] = json.loads((RESULTS / name / "report.json").read_text(encoding="utf-8"))
    for k, v in asdict(QUICK).items():  # a report written before a budget field existed
        doc["budget"].setdefault(k, v)
    return doc


def _sections(md: str) -> dict[str, list[str]]:
    """The report's ``##`` sections: heading to body lines."""
    out: dict[str, list[str]] = {}
    for sec in md.split("\n## ")[1:]:
        head, *body = sec.splitlines()
        out[head] = body
    return out


def _words(line: str, cells_cut: int) -> str:
    """A body line's own words: without code spans, figure links, sources and texts as written.

    Sources (the last cell of a table whose last column is 来源, what follows a source mark),
    ids (in backticks) and author texts marked 原文 are left out: they stay as written.
    """
    if line.startswith("|") and cells_cut:
        line = "|".join(line.split("|")[:-2])
    line = NAMES.sub("", re.sub(r"`[^`]*`|!\[[^\]]*\]\([^)]*\)", "", line))
    return re.sub(r"(原文）：|（原文）|\*\*假设\*\*|\*\*部分为假设\*\*|有出处：).*?(?=\||$)",
                  "", line)


def _latin_share(body: list[str], assumptions: bool = False) -> float:
    cut = 0
    kept: list[str] = []
    for line in body:
        if line.startswith("!["):
            continue  # a figure: its file name is not prose
        if line.startswith("| ") and not line.startswith("|---"):
            cut = cut if kept and kept[-1].startswith("|") else int(line.rstrip(" |")
                                                                    .endswith("来源"))
        if assumptions and line.startswith("- "):
            line = line.split("：")[0]  # an assumption's text is its source, as written
        kept.append(_words(line, cut))
    text = "".join(kept)
    latin, han = len(LATIN.findall(text)), len(HAN.findall(text))
    return latin / max(latin + han, 1)


@pytest.mark.parametrize("name", REPORTS)
def test_a_committed_report_is_all_in_chinese(name: str) -> None:
    """Every section of every committed report: a Chinese heading and Chinese body."""
    doc = _doc(name)
    zh = render_markdown_zh(doc)
    sections = _sections(zh)
    en_heads = [h for h in _sections(render_markdown(doc)) if not h.startswith("The response")]
    assert len(sections) >= len(en_heads) - 1  # the zone table needs relief, as in English
    for head, body in sections.items():
        assert HAN.search(head) and not LATIN.search(head.replace("PRIM", "")), head
        share = _latin_share(body, assumptions=head == "情景中的全部假设")
        assert share < 0.12, (head, round(share, 3))
    assert "英文" not in zh and "### Every" not in zh


def test_markdown_of_a_committed_report_in_chinese() -> None:
    """The demo's committed report in Chinese, against its document's structured fields."""
    doc = _doc("demo_coastal_typhoon")
    zh = render_markdown_zh(doc)
    heads = [line for line in zh.splitlines() if line.startswith("## ")]
    assert heads[:3] == ["## 情景与灾害", "## 结论", "## 基本生活救助时间与10小时要求"]
    assert zh.startswith("# 沿海县台风登陆：预案目标能否达到？")
    # the headline: P(holds) of the relief target, its interval and runs, below the goal
    t = next(x for x in doc["study"]["targets"] if x["id"] == doc["relief"]["target"])
    assert (f"达标概率 = {t['p_holds']:.3f} [{t['ci_low']:.3f}, {t['ci_high']:.3f}]"
            "（按解读`dispersed_relief: hosts`）（95% Wilson置信区间，4,000次模拟）：低于90%。"
            in zh)
    verdict = zh[zh.index("## 结论"):zh.index("## 基本生活救助时间")]
    assert "| 目标 | 预案条款 |" in verdict and CLAUSE in verdict
    assert "![各目标达标概率](p_holds.png)" in verdict
    assert ("`shelter_area`（由设定决定）：由场景设定（而非模拟抽样）决定：其数值至少为1.67"
            in verdict)
    assert "`relief_within_10h`：10小时内获救助人员比例" in verdict
    for x in doc["study"]["targets"]:  # one row per target, in the study's order
        assert f"| `{x['id']}` | {x['clause']['zh'] or x['clause']['en']} |" in verdict
    # the failure condition of the relief target, from the PRIM box's fields
    f = doc["failure"]
    fail = "\n".join(_sections(zh)["基本生活救助何时未达到：与失败相伴的条件"])
    assert ("风力降至封路标准以下后道路恢复通行所需时间（小时）不低于3.807（取值范围上部70%）、"
            "实际登陆点相对预报的沿岸偏移（千米）介于-55.56与52.93之间（占模拟中取值范围的36%）"
            "且预警提前时间（小时）不超过21.33（取值范围下部78%）。"
            f"此类模拟占全部模拟的{f['box']['mass']:.0%}，其中{f['box']['density']:.0%}未达到"
            f"（总体为{f['base_rate']:.0%}），占该目标全部未达标模拟的"
            f"{f['box']['coverage']:.0%}。") in fail
    assert "灾前转移人数更少（平均10,543，对比16,011）" in fail
    # the other targets' failures, each from its structured fields (box, runs, failures)
    others = doc["other_failures"]
    assert len(others) == 7
    for o in others:
        assert o["plain"][:40] not in fail  # never the English sentence
        head = f"（`{o['target']}`）" if _clause_zh(doc, o["target"]) else f"`{o['target']}`"
        line = next(x for x in fail.splitlines() if x.startswith("- ") and head in x)
        if o["box"] is None:
            assert o["failures"] == o["runs"]
            assert f"在全部{o['runs']:,}次模拟中均未达到，与不确定输入的取值无关" in line
            continue
        box = o["box"]
        for r in box["restrictions"]:
            assert r["words_zh"] in line, (o["target"], r["words_zh"])
        assert (f"此类模拟占全部模拟的{box['mass']:.0%}，其中{box['density']:.0%}未达到"
                f"（总体为{o['base_rate']:.0%}），占该目标全部未达标模拟的"
                f"{box['coverage']:.0%}。") in line
    assert ("- 目标“县级储备至少满足3个乡镇应急保障需要”（`county_stock_three_townships`）"
            "最常未达到的条件（各次模拟间的关联，并非已证实的原因）：台风风廓线形状参数"
            "（Holland B）不低于1.338（取值范围上部78%）") in fail
    assert "- 目标“县级储备满足5000至7000人紧急转移安置需要”（`stock_covers_county`）在全部" in fail
    # the zones where people wait longest, one row per zone of zone_waits
    for z in doc["zone_waits"]:
        assert (f"| {z['name_zh']} (`{z['zone']}`) | {z['runs_with_need']:,} | "
                f"{z['p95_h_median']:.1f}小时 | {100 * z['within_median']:.1f}% | "
                f"{100 * z['worst_in_failing']:.0f}% |") in zh
    assert "| 山区乡 (`hill_village`) | 3,999 | 8.0小时 | 98.8% | 36% |" in zh
    # no search: the levers file is named as missing
    assert ("未搜索：预案没有措施文件（`scenarios/levers/demo_coastal_typhoon_levers.yaml`"
            in zh)
    en = render_markdown(doc)
    assert "## Verdict" in en and "## 结论" not in en


def _clause_zh(doc: dict[str, Any], target: str) -> str | None:
    """A target's Chinese clause in a report's document, if it has one."""
    t = next(x for x in doc["study"]["targets"] if x["id"] == target)
    return (t.get("clause") or {}).get("zh")


def test_new_structured_failure_fields_render_in_chinese() -> None:
    """A report with ``holds_when_box`` and other targets' boxes: Chinese from those fields."""
    doc = _doc("demo_coastal_typhoon")
    f = doc["failure"]
    box = {**f["box"], "density": 0.81, "mass": 0.24, "coverage": 0.66}
    f["holds_when_box"] = {"runs": 4000, "holds": 2435, "base_rate": 0.30, "box": box}
    f["holds_when"] = "an English sentence the Chinese report does not read"
    doc["other_failures"] = [{"target": "evacuated_before_landfall", "plain": "English",
                              "statement": "English", "runs": 4000, "failures": 3995,
                              "base_rate": 0.99875, "box": f["box"]},
                             {"target": "stock_covers_county", "plain": "English",
                              "statement": "English", "runs": 4000, "failures": 4000,
                              "base_rate": 1.0, "box": None}]
    fail = "\n".join(_sections(render_markdown_zh(doc))["基本生活救助何时未达到：与失败相伴的条件"])
    assert ("该目标最常达到的条件（各次模拟间的关联，并非已证实的原因）：风力降至封路标准以下后"
            "道路恢复通行所需时间（小时）不低于3.807") in fail
    assert "此类模拟占全部模拟的24%，其中81%达到（总体为30%），占全部达标模拟的66%。" in fail
    assert ("- 目标“高风险区域人员百分之百转移”（`evacuated_before_landfall`）最常未达到的条件"
            in fail)
    assert "其中68%未达到（总体为100%）" in fail and "这一集中程度较弱" in fail
    assert "在全部4,000次模拟中均未达到，与不确定输入的取值无关" in fail
    assert "English" not in fail


def test_units_of_the_committed_reports_in_chinese() -> None:
    from sim.report.units_zh import unit_zh

    units = {x.get("unit") for name in REPORTS for d in [_doc(name)]
             for x in [*d["study"]["targets"], *d["standards"]] if x.get("unit")}
    assert len(units) > 10
    for u in units:
        zh = unit_zh(u)
        assert HAN.search(zh) and not re.search(r"\b(share|of|within|per|people)\b", zh), u
    assert unit_zh("share of trapped reached within 72 h") == "72小时内到达的被困人员比例"
    assert (unit_zh("share of trapped reached within 2 h by township, village teams")
            == "township, village队伍在2小时内到达的被困人员比例")
    assert unit_zh("not a known unit") == "not a known unit"


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
    # one analysis, two reports: English (report.md, <name>.png), Chinese (report.zh.md,
    # <name>.zh.png), as make results writes them
    doc = build_report(DEMO, tmp_path, budget=budget, workers=1, progress=False,
                       lang=("en", "zh"), log=lambda _: None)
    md = (tmp_path / "report.zh.md").read_text(encoding="utf-8")
    assert md.startswith("# 沿海县台风登陆：预案目标能否达到？")
    assert "## 结论" in md and CLAUSE in md
    zh, en = doc["figures_by_lang"]["zh"], doc["figures_by_lang"]["en"]
    assert doc["figures"] == en and set(zh) == set(en)
    assert "map" in zh and "## 一次模拟中的响应：地图与时间线" in md
    for key in zh:
        assert zh[key].endswith(".zh.png") and f"]({zh[key]})" in md, key
        assert not any(HAN.search(t) for t in drawn[en[key]] if "name_zh" not in t), key
    for key in ("p_holds", "relief_time", "shelters", "stock", "map", "gantt"):
        name = zh[key]
        assert any(HAN.search(t) for t in drawn[name]), (name, drawn[name][:5])
    assert "目标达标概率（95% Wilson置信区间）" in drawn["p_holds.zh.png"]
    english = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert english.startswith("# ") and english.splitlines()[0].endswith("does the plan hold?")
    assert all(f"]({name})" in english for name in en.values())


def test_what_would_make_it_hold_in_chinese() -> None:
    from sim.report.hold_zh import answer_statement_zh
    from sim.study.hold import answer_statement

    p = {"estimate": 0.95, "low": 0.91, "high": 0.97}
    change = {"path": "vehicles[trucks].count", "change": "+4", "cost": 80000.0,
              "en": "4 more trucks", "zh": "增加4辆卡车"}
    found: dict[str, Any] = {
             "target": "relief_within_10h", "goal": 0.9, "status": "found", "runs_now": 100,
             "p_now": {"estimate": 0.5, "low": 0.4, "high": 0.6}, "unchecked": 0,
             "rejected": [{}], "answer": {"cost": 80000.0, "p_holds": p, "runs": 200,
                                          "changes": [change], "levels": [1]}}
    zh = answer_statement_zh(found, "CNY")
    assert zh == ("目前达标概率0.500 [0.400, 0.600]（100次搜索模拟）；找到的最低费用组合为"
                  "CNY 80,000：增加4辆卡车，达标概率0.950 [0.910, 0.970]（200次新模拟）"
                  "（另有1个更便宜的组合在搜索模拟中达到90%，但在新模拟上未达到）")
    assert "4 more trucks" in answer_statement(found, "CNY")
    meals = {"path": "stock[depot].meal", "change": "+1,000", "cost": 5000.0,
             "en": "1,000 more meals", "zh": "增加1000份餐食"}
    pruned = {**found, "rejected": [], "pruning": {
        "found": {"cost": 85000.0, "changes": [change, meals]}, "saved": 5000.0,
        "dropped": [{**meals, "kept": None, "saved": 5000.0}]}}
    assert "pruned from the combination" in answer_statement(pruned, "CNY")
    assert answer_statement_zh(pruned, "CNY").endswith(
        "（200次新模拟）；由搜索找到的组合（CNY 85,000，2项调整）精简而来，该组合还含有目标不需要的"
        "调整：增加1000份餐食（取消），节省CNY 5,000")
    already = {**found, "status": "already", "p_now": None, "rejected": [],
               "answer": {**found["answer"], "changes": [], "levels": [0]}}
    assert answer_statement_zh(already, "CNY") == ("已以90%的概率达到：达标概率0.950 "
                                                   "[0.910, 0.970]（200次新模拟）")


def test_levers_without_chinese_words_are_named_from_the_scenario() -> None:
    """A lever without ``what`` is stored as its path's plain name without the scenario (raw ids);
    the Chinese report names it from the report's scenario file, ids left in code spans."""
    from sim.report.lever_words_zh import change_zh, scenario_of, with_changes_zh

    doc = _doc("jinjiang_typhoon")
    sc = scenario_of(doc)
    assert sc is not None
    stock = {"path": "stock_points[city_depot].items.meal", "change": "+50,000",
             "en": "meal stock at stock point city_depot, units +50,000",
             "zh": "储备点 city_depotmeal储备量（units） +50,000"}
    assert change_zh(stock, sc) == "晋江市救灾物资储备库方便食品储备量（份） +50,000"
    assert change_zh(stock, None) == stock["zh"]
    truck = {"path": "vehicles[anhai_store_truck].count", "change": "+2", "en": "trucks +2",
             "zh": "anhai_store_truck 车队卡车数 +2"}
    assert change_zh(truck, sc) == "`anhai_store_truck` 车队卡车数 +2"
    rule = {"path": "response.logistics.dispatch", "change": "= nearest",
            "en": "response.logistics.dispatch = nearest",
            "zh": "response.logistics.dispatch = nearest"}
    assert change_zh(rule, sc) == "物资调运规则：就近调运"
    own = {**stock, "zh": "市救灾物资仓库增储方便食品 ×5"}  # the lever's own what.zh
    assert change_zh(own, sc) == own["zh"]
    desks = {"path": "shelters[zezhou_parks].desks", "change": "+40", "en": "x",
             "zh": "shelters[zezhou parks].desks +40"}
    jincheng = scenario_of(_doc("jincheng_earthquake"))
    assert change_zh(desks, jincheng) == "泽州县避难场所登记台数 +40"
    # the rendered report: the search's table and answers name them in Chinese
    zh = render_markdown_zh(doc)
    hold = "\n".join(_sections(zh)["何以达标：以90%概率达到所需的最低费用措施组合"])
    assert "晋江市救灾物资储备库饮用水储备量（升） +60,000" in hold
    assert "city_depotmeal" not in hold and "response.logistics" not in hold
    # a changed scenario file is not the report's: the stored words stay
    stale = with_changes_zh({**doc, "file_sha256": "0" * 64})
    assert stale["hold"] == doc["hold"]
    assert render_markdown(doc) == (RESULTS / "jinjiang_typhoon" / "report.md").read_text(
        encoding="utf-8")
