"""Sentences of the plan report that Chinese says in its own structure, from ``report.json``.

The sections whose structure both languages share (tables, loops over targets, zones, inputs)
are one function in :mod:`sim.report.plan_markdown` taking the language; what stays here is
Chinese sentence templates: what each verdict rests on (依据, composed from the basis and value
bound, where English quotes the analysis' reason), the headline's lines after the verdict (when
basic relief fails, the reading it rests on, the verdicts that are not findings), one other
reading of the plan (其他解读) and how the report was made.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sim.report.failure_zh import failure_plain_zh, holds_when_zh, metric_sentence_zh
from sim.report.plan_markdown import num, relief_drivers

__all__ = ["basis_notes_zh", "headline_extra_zh", "method_zh", "reading_sentence_zh"]

def _basis_reason(t: Mapping[str, Any]) -> str:
    """Why a verdict is not a finding of the runs, from its basis and value bound."""
    b = t.get("basis")
    vb = t.get("value_bound") or {}
    lo, hi = vb.get("low"), vb.get("high")
    rng = ("、".join(x for x in (f"至少为{num(lo, 'zh')}" if lo is not None else "",
                                f"至多为{num(hi, 'zh')}" if hi is not None else "") if x))
    thr = f"阈值{t['comparison']} {num(t['threshold'], 'zh')}"
    if b == "by_construction":
        return (f"由场景设定（而非模拟抽样）决定：其数值{rng or '由输入固定'}，"
                f"因此{'每次模拟都满足' if (t['p_holds'] or 0) >= 1 else '任何模拟都不满足'}{thr}")
    if b == "unreachable":
        return f"其输入使数值{rng or '受限'}，达不到{thr}"
    if b == "resolution":
        return "在本情景的空间分辨率下，该数值衡量的是区域大小而非被检验的能力，需要更细的情景"
    if b == "not_applicable":
        return "任何模拟中都没有可衡量的对象"
    return str(b)


def basis_notes_zh(targets: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per target whose verdict is not a finding of the runs, with the reason."""
    return [f"- `{t['id']}`（{(t.get('basis_words') or {}).get('zh') or t['basis']}）："
            f"{_basis_reason(t)}。" for t in targets
            if (t.get("basis") or "simulated") != "simulated"]


def _drivers(doc: Mapping[str, Any], top: int = 3) -> str:
    rows = relief_drivers(doc, top)
    if rows is None:
        return ""
    if not rows:
        runs = (doc.get("sensitivity") or {}).get("runs", 0)
        return (f"Morris筛选（{runs:,}次模拟）中没有哪个输入对按时获救助比例的影响可与零区分："
                "无法指出主要驱动因素。")
    names = [(r.get("words_zh") or r["words"])
             + ("【假设】" if r["source_kind"] == "assumption"
                else "【部分为假设】" if r["source_kind"] == "partly assumed" else "")
             for r in rows]
    return "主要驱动因素（Morris效应可与零区分的输入，按大小排列）：" + "；".join(names) + "。"


def headline_extra_zh(doc: Mapping[str, Any]) -> list[str]:
    """The headline's lines after the verdict: when it fails, the readings, not findings."""
    lines = []
    f = doc.get("failure")
    t_label = "基本生活救助目标"
    if f and f.get("failures"):
        lines.append("**何时未达到：**" + failure_plain_zh(f, t_label)
                     + holds_when_zh(f, t_label) + metric_sentence_zh(f.get("metrics") or [])
                     + _drivers(doc))
    for rd in doc.get("readings") or []:
        if rd.get("relief", True) and rd["path"].endswith("dispersed_relief"):
            lines.append("**结论所依据的解读：**" + reading_sentence_zh(rd))
    built = [x for x in doc["study"]["targets"] if (x.get("basis") or "simulated") != "simulated"]
    if built:
        lines.append("**非模拟结论：**" + "；".join(
            f"`{x['id']}`为{(x.get('basis_words') or {}).get('zh') or x['basis']}"
            for x in built) + "（见结论表下的“各结论的依据”）。")
    return [x + "\n" for x in lines]


def reading_sentence_zh(rd: Mapping[str, Any]) -> str:
    """One other reading of the plan and what it does to P(holds), in Chinese."""
    d = rd["difference"]
    return (f"报告采用的解读为`{rd['path']}: {rd['current']}`。如果改为"
            f"“{rd.get('words_zh') or rd['words']}”（`{rd['value']}`），前{rd['runs']}次模拟的"
            f"达标概率从{rd['p_base']:.3f}变为{rd['p_reading']:.3f}（配对差"
            f"{d['estimate']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]），全部研究约为"
            f"{rd['p_study']:.3f}。")


def _executor(e: Any) -> str:
    m = re.fullmatch(r"(\d+) local process(?:es)?", str(e))
    return f"本机{m.group(1)}个进程" if m else str(e)


def method_zh(doc: Mapping[str, Any]) -> list[str]:
    """How the report was made, in Chinese."""
    tm = doc.get("timings_s") or {}
    b = doc["budget"]
    code = doc.get("code") or {}
    return ["## 本报告的生成方法", "",
            f"研究：{doc['study']['runs']:,}次模拟（首轮{b['first_round']}次，目标半宽"
            f"{b['until_ci']}，上限{b['max_runs']:,}次）；保留前{doc['series_runs']}次模拟的时间"
            f"序列；PRIM基于研究的全部模拟；Morris筛选"
            f"{(doc.get('sensitivity') or {}).get('runs', 0):,}次模拟；其他解读各"
            f"{b['probe_runs']}次模拟；措施组合搜索每个候选{b['search_runs']}次模拟、每次核验"
            f"{b['search_fresh_runs']}次新模拟。全部在{_executor(doc.get('executor'))}上运行，"
            "根随机种子"
            f"{doc['seed']}，用时{tm.get('total', 0):.0f}秒。情景sha256 "
            f"`{doc.get('scenario_sha256', '')[:16]}`；代码版本"
            f"`{code.get('git') or code.get('sim')}`。", ""]
