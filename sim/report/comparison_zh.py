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
                     failed: Mapping[str, str] | None = None,
                     resolutions: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]] = ()
                     ) -> str:
    """``results/README.zh.md`` from report documents.

    Parameters
    ----------
    plans, examples : sequence of Mapping
        The reports' documents (with ``_dir``, the report's directory), plans then examples.
    missing : sequence of str
        Plan scenarios without a report.
    failed : Mapping of str to str, optional
        Per scenario, why its report could not be made.
    resolutions : sequence of (Mapping, Mapping)
        A plan's report and the report of the same plan at a finer resolution.

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
    for coarse, fine in resolutions:
        L += _resolution_section_zh(coarse, fine)
    if missing or failed:
        L += ["", "## 未生成报告", ""]
        L += [f"- {n}：{(failed or {}).get(n, '尚无情景文件或报告')}" for n in missing]
    return "\n".join(L).rstrip() + "\n"


def _resolution_section_zh(coarse: Mapping[str, Any], fine: Mapping[str, Any]) -> list[str]:
    """The index's section comparing a plan's report with its finer-resolution report."""
    from sim.report.comparison import applies_share, difference_text, resolution_rows

    c, f = coarse["scenario"], fine["scenario"]
    L = ["", "## 同一预案的更细分区", "",
         f"{_link(fine)}：把{_link(coarse)}的{c['zones']}个分区细分为{f['zones']}个"
         f"（常住人口{_residents_zh(c, f)}；与县级情景共用哪些数据、各乡镇数据的"
         f"来源见其情景文件）。其研究为{fine['study']['runs']:,}次模拟（县级为"
         f"{coarse['study']['runs']:,}次；一次乡镇级模拟的计算量相当于数次县级模拟），不做措施"
         "搜索。受分区粒度所限的目标在另一分区粒度下可能可以度量；差值为细分研究的达标概率减去"
         "县级的，置信区间为两个独立研究的Newcombe区间（两者种子相同，灾害抽样一致，故区间偏保守）。"
         "目标适用的模拟比例变化较大时，说明细分区看到了粗分区平均掉的需求（被阻断的乡镇会请求"
         "航空医疗转运，而其所在县整体仍与医院连通时则不会）：原因见细分报告的失败分析。细分情景"
         "中属于假设的数据（乡镇位置、道路连接），以其为依据的差值同样是假设性的。",
         "",
         f"| 目标 | 依据（{c['zones']}个分区 → {f['zones']}个） | 适用的模拟比例 "
         f"| 达标概率（{c['zones']}个分区） | 达标概率（{f['zones']}个分区） "
         "| 差值 [95%置信区间] |",
         "|---|---|---|---|---|---|"]
    for ct, ft, diff in resolution_rows(coarse, fine):
        basis = [(t.get("basis_words") or {}).get("zh") or "模拟所得" for t in (ct, ft)]
        L.append(f"| `{ct['id']}` | {basis[0]} → {basis[1]} | "
                 f"{applies_share(ct)} → {applies_share(ft)} | {esc(fmt_p(ct, 'zh'))} | "
                 f"{esc(fmt_p(ft, 'zh'))} | {difference_text(diff)} |")
    return L


def _residents_zh(c: Mapping[str, Any], f: Mapping[str, Any]) -> str:
    if c["population"] == f["population"]:
        return f"同为{f['population']:,}人"
    return f"{f['population']:,}人（县级{c['population']:,}人）"
