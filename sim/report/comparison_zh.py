"""The results index in Chinese (``sim results`` writes ``results/README.zh.md``).

One row per plan: its Chinese title, hazard, runs, the probability that basic relief within
10 hours (基本生活救助) holds with its interval, the time to relief, and every target with its
clause in the plan's Chinese words; rendered from each report's ``report.json`` alone, like the
English ``README.md`` (:func:`sim.report.comparison.render_readme`), which it leaves unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.i18n import clause_of
from sim.report.plan_markdown import esc, fmt_p, hours, relief_summary, verdict
from sim.report.plan_markdown_zh import HAZARD_ZH

__all__ = ["render_readme_zh"]


def _link(doc: Mapping[str, Any]) -> str:
    title = doc["scenario"]["title"]
    # the report's languages in order: the first is report.md, another is report.<lang>.md
    later = list(doc.get("figures_by_lang", {}))[1:]
    report = "report.zh.md" if "zh" in later else "report.md"
    return f"[{title.get('zh') or title['en']}]({doc['_dir']}/{report})"


def render_readme_zh(plans: Sequence[Mapping[str, Any]],
                     examples: Sequence[Mapping[str, Any]] = (),
                     missing: Sequence[str] = (),
                     failed: Mapping[str, str] | None = None) -> str:
    """``results/README.zh.md`` from report documents.

    Parameters
    ----------
    plans, examples : sequence of Mapping
        The reports' documents (with ``_dir``, the report's directory), plans then examples.
    missing : sequence of str
        Plan scenarios without a report.
    failed : Mapping of str to str, optional
        Per scenario, why its report could not be made.

    Returns
    -------
    str
        Markdown.
    """
    L = ["# 各预案目标能否达到：种子预案对比", "",
         "由 `make results`（`sim results`）根据各报告的 `report.json` 生成；"
         "英文索引见 `README.md`。", ""]
    docs = [*plans, *examples]
    if docs:
        L += ["## 灾害发生后10小时内基本生活救助", "",
              "达标概率为各研究全部模拟的估计值及其95% Wilson置信区间；救助时间为95%需救助人员"
              "获得基本生活救助所需时间（各次模拟的中位数 / 第90百分位）。", "",
              "| 辖区 | 灾种 | 模拟次数 | 10小时内基本生活救助达标概率 [95%置信区间] | 结论 "
              "| 救助时间（中位数 / 第90百分位） |",
              "|---|---|---|---|---|---|"]
        for d in docs:
            t = relief_summary(d)
            r = d.get("relief") or {}
            q = r.get("quantiles") or {}
            L.append("| " + " | ".join(esc(x) for x in (
                _link(d), HAZARD_ZH.get(d["scenario"]["hazard"], d["scenario"]["hazard"]),
                f"{d['study']['runs']:,}", fmt_p(t, "zh") if t else "无基本生活救助目标",
                verdict(t, d["budget"]["goal"], "zh") if t else "—",
                f"{hours(q.get('0.5'), 'zh')} / {hours(q.get('0.9'), 'zh')}" if q
                else "不适用")) + " |")
        L += ["", "## 全部目标", "",
              "| 辖区 | 目标 | 预案条款 | 达标概率 [95%置信区间] | 结论 |",
              "|---|---|---|---|---|"]
        for d in docs:
            for t in d["study"]["targets"]:
                L.append("| " + " | ".join(esc(x) for x in (
                    _link(d), f"`{t['id']}`", clause_of(t, "zh"), fmt_p(t, "zh"),
                    verdict(t, d["budget"]["goal"], "zh"))) + " |")
    if missing or failed:
        L += ["", "## 未生成报告", ""]
        L += [f"- {n}：{(failed or {}).get(n, '尚无情景文件或报告')}" for n in missing]
    return "\n".join(L).rstrip() + "\n"
