"""What would make it hold (何以达标), in Chinese: one answer of the combination search.

:func:`answer_statement_zh` says in Chinese what :func:`sim.study.hold.answer_statement` says in
English, from the same answer document (``hold["per_target"][i]`` or ``hold["plan"]``); the
levers' changes are given in their Chinese words (``changes[i]["zh"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.report.plan_markdown import interval
from sim.study.hold import changes_words

__all__ = ["answer_statement_zh"]


def answer_statement_zh(doc: Mapping[str, Any], currency: str) -> str:
    """One answer of the search in a Chinese sentence.

    Parameters
    ----------
    doc : Mapping
        An answer document of :func:`sim.study.hold.hold_analysis` (``status``, ``goal``,
        ``p_now``, ``answer``, ``ceiling``, ``best_searched``, ``rejected``, ``unchecked``).
    currency : str
        The levers' currency (``CNY``).

    Returns
    -------
    str
        The sentence.
    """
    goal = doc["goal"]
    now = doc.get("p_now")
    head = f"目前达标概率{interval(now)}（{doc['runs_now']}次搜索模拟）；" if now else ""
    rej = doc.get("rejected") or []
    rejected = (f"（另有{len(rej)}个更便宜的组合在搜索模拟中达到{goal:.0%}，但在新模拟上未达到）"
                if rej else "")
    skipped = (f"（另有{doc['unchecked']}个更便宜的组合在搜索模拟中达到，但预算内未在新模拟上核验）"
               if doc.get("unchecked") else "")
    status = doc["status"]
    if status == "already":
        a = doc["answer"]
        return (head + f"已以{goal:.0%}的概率达到：达标概率{interval(a['p_holds'])}"
                f"（{a['runs']}次新模拟）" + rejected)
    if status == "found":
        a = doc["answer"]
        return (head + f"找到的最低费用组合为{currency} {a['cost']:,.0f}："
                f"{changes_words(a, 'zh')}，达标概率{interval(a['p_holds'])}"
                f"（{a['runs']}次新模拟）" + _pruned_zh(doc, currency) + rejected + skipped)
    if status == "ceiling":
        c = doc["ceiling"]
        b = doc["best_searched"]
        best = ("" if b["levels"] == c["levels"] else
                f"；搜索中最好的组合（{currency} {b['cost']:,.0f}）在搜索模拟中为"
                f"{b['p_holds']['estimate']:.3f}")
        return (head + f"没有任何措施组合被证明能达到{goal:.0%}" + rejected + skipped
                + f"：所有措施取最大值时（{currency} {c['cost']:,.0f}）达标概率为"
                f"{interval(c['p_holds'])}（{c['runs']}次新模拟，即上限）{best}")
    return head + "预算内没有组合能在新模拟上核验"


def _pruned_zh(doc: Mapping[str, Any], currency: str) -> str:
    """What pruning dropped from the combination the search found, in Chinese (or nothing)."""
    pr = doc.get("pruning")
    if not pr:
        return ""
    found = pr["found"]
    dropped = "；".join(
        str(d.get("zh") or d["en"])
        + (f"（保留：{d['kept'].get('zh') or d['kept']['en']}）" if d.get("kept") else "（取消）")
        for d in pr["dropped"])
    return (f"；由搜索找到的组合（{currency} {found['cost']:,.0f}，{len(found['changes'])}项调整）"
            f"精简而来，该组合还含有目标不需要的调整：{dropped}，节省{currency} "
            f"{pr['saved']:,.0f}")
