"""``--lang zh|en`` on the command line: Chinese tables and figures, English by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.report.text import width
from tests.cli_helpers import sim_main

DEMO = Path(__file__).resolve().parents[1] / "sim" / "bundled" / "demo_coastal_typhoon.yaml"
CLAUSE = "确保灾害发生后10小时内受灾人员基本生活得到有效救助"  # the demo's relief_within_10h


def test_run_table_in_chinese_with_the_targets_clauses() -> None:
    r = sim_main("run", DEMO, "--lang", "zh")
    assert r.returncode == 0, r.stderr
    head, rule = r.stdout.split("\n\n")[1].splitlines()[:2]
    assert head.split() == ["目标", "预案条款", "数值", "阈值", "结论", "单位"]
    assert CLAUSE in r.stdout and "需要基本生活救助" in r.stdout
    # columns line up in a terminal: a Chinese character takes two columns
    assert len(rule.split("  ")[1]) >= width(CLAUSE) == 2 * len(CLAUSE) - 2


def test_run_default_stays_english() -> None:
    en = sim_main("run", DEMO)
    assert en.returncode == 0, en.stderr
    assert en.stdout.split("\n\n")[1].splitlines()[0].split()[:3] == ["target", "value",
                                                                      "threshold"]
    assert CLAUSE not in en.stdout
    assert sim_main("run", DEMO, "--lang", "en").stdout == en.stdout


def test_study_table_in_chinese() -> None:
    r = sim_main("study", DEMO, "--runs", "4", "--workers", "1", "--no-progress", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("情景 demo_coastal_typhoon 的研究：4次模拟")
    assert "达标概率" in r.stdout and CLAUSE in r.stdout and "模拟所得" in r.stdout
    # units in Chinese too (sim.report.units_zh), none left in English
    assert "10小时内获救助人员比例" in r.stdout and "可保障3天的人数" in r.stdout
    assert "share relieved" not in r.stdout and "people covered" not in r.stdout


@pytest.mark.parametrize("bad", ["fr", "ZH-CN", ""])
@pytest.mark.parametrize("command", [["run", DEMO], ["study", DEMO, "--runs", "2"],
                                     ["report", DEMO, "--out", "unused"],
                                     ["search", DEMO, "--levers", DEMO, "--targets", "all"]])
def test_a_bad_lang_is_one_line_and_exit_2(command: list[str | Path], bad: str,
                                          tmp_path: Path) -> None:
    r = sim_main(*command, "--lang", bad)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "--lang" in r.stderr and "en, zh" in r.stderr
    assert "Traceback" not in r.stderr


def test_footprint_figure_in_chinese(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import warnings

    from sim.hazards import compute_impact
    from sim.report.footprint import footprint_figure
    from sim.scenario.loader import load_scenario
    from sim.scenario.sampling import sample_scenario
    from sim.streams import Streams

    sc = load_scenario(DEMO)
    streams = Streams(0)
    realised, _ = sample_scenario(sc, streams)
    imp = compute_impact(realised, streams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = footprint_figure(sc, imp, lang="zh")
        fig.savefig(tmp_path / "fp.svg")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    zh = {z.name_zh for z in sc.zones if z.name_zh}
    assert zh and zh <= set(ticks)
    assert "登陆点" in texts
    assert fig.axes[0].get_xlabel() == "经度"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_after_action_figures_in_chinese(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import warnings

    from sim.report import aar_figures as F
    from sim.run import run
    from sim.scenario.loader import load_scenario

    r = run(load_scenario(DEMO), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = {"people": F.people_by_state(r, [2.0], lang="zh"),
                "shelters": F.shelter_occupancy(r, [2.0], lang="zh"),
                "stock": F.stock_over_time(r, lang="zh"),
                "relief": F.relief_times(r, 10.0, 0.95, lang="zh")}
        for k, fig in figs.items():
            fig.savefig(tmp_path / f"{k}.png")  # type: ignore[attr-defined]
    people = figs["people"].axes[0]  # type: ignore[attr-defined]
    assert people.get_title() == "各状态人数" and people.get_xlabel() == "灾害发生后小时数"
    legend = [t.get_text() for t in people.get_legend().get_texts()]
    assert "决策" in legend and "已预警" in legend
    relief = figs["relief"].axes  # type: ignore[attr-defined]
    assert relief[0].get_xlabel() == "灾害发生至获得基本生活救助的小时数"
    assert relief[1].get_title() == "各时刻已获救助比例"
    assert F.people_by_state(r).axes[0].get_title() == "People by state"


def test_results_index_in_chinese_leaves_the_english_one(tmp_path: Path) -> None:
    import shutil

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "results" / "demo_coastal_typhoon", tmp_path / "demo_coastal_typhoon")
    r = sim_main("results", "--readme-only", "--lang", "zh", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "README.zh.md")
    assert not (tmp_path / "README.md").exists()
    zh = (tmp_path / "README.zh.md").read_text(encoding="utf-8")
    assert zh.startswith("# 各预案目标能否达到")
    # the committed reports are in both languages: the Chinese index links the Chinese one
    assert "[沿海县台风登陆](demo_coastal_typhoon/report.zh.md) | 台风 |" in zh
    assert CLAUSE in zh


LEVERS = """\
scenario: demo_coastal_typhoon
levers:
  - path: vehicles[county_trucks].count
    step: 2
    max_steps: 1
    cost_per_step: 400000
    what: {en: "2 more county trucks", zh: "县级车队增加2辆卡车"}
    source: "assumption: a test price"
"""


def test_search_in_chinese(tmp_path: Path) -> None:
    """``sim search --lang zh`` (a tiny search, about 5 s): the answer, front and checks."""
    levers = tmp_path / "levers.yaml"
    levers.write_text(LEVERS, encoding="utf-8")
    args = ("search", DEMO, "--levers", levers, "--targets", "relief_within_10h", "--runs", "3",
            "--fresh-runs", "3", "--budget", "30", "--workers", "1", "--no-progress", "--seed",
            "0", "--out", tmp_path / "s")
    r = sim_main(*args, "--lang", "zh")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("`relief_within_10h`达到的概率不低于0.9：目前为")
    assert "费用（CNY）与搜索模拟上的达标概率（非劣候选）：" in out
    assert "新模拟核验（搜索从未使用的模拟）：" in out
    assert "县级车队增加2辆卡车" in out and "2 more county trucks" not in out
    assert "]  不作调整" in out
    # the same numbers as the English output (the search is resumed from its directory)
    en = sim_main(*args)
    assert en.returncode == 0, en.stderr
    nums = re.compile(r"\d+\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]")
    assert nums.findall(out) and set(nums.findall(out)) == set(nums.findall(en.stdout))
    assert "falls short" in en.stdout and "县级车队" not in en.stdout
