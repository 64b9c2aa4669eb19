"""The combination search (``sim search --lang zh``) in Chinese, for the terminal.

:func:`format_search_zh` says in Chinese what :func:`sim.study.search.format_search` prints in
English, from :meth:`sim.study.search.SearchResult.to_dict` only: the answer (措施组合), the
cost-against-P(holds) front and the fresh checks. The changes of a candidate are the levers'
Chinese words (their ``what.zh``, :meth:`sim.study.levers.LeverSpace.changes`); without the
levers the document's English words are used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sim.report.plan_markdown import interval

__all__ = ["format_search_zh", "search_statement_zh"]

Words = Callable[[Sequence[int]], list[str]]


def _words_of(space: Any) -> Words | None:
    if space is None:
        return None

    def words(levels: Sequence[int]) -> list[str]:
        return [str(c["zh"]) for c in space.changes([int(k) for k in levels])]

    return words


def _changes(e: Mapping[str, Any], words: Words | None) -> str:
    parts = words(e["levels"]) if words is not None else [str(x) for x in e.get("changes", [])]
    return "；".join(parts) if parts else "不作调整"


def search_statement_zh(doc: Mapping[str, Any], space: Any = None) -> str:
    """The search's answer in a Chinese paragraph (what ``statement`` says in English).

    Parameters
    ----------
    doc : Mapping
        :meth:`sim.study.search.SearchResult.to_dict`.
    space : LeverSpace, optional
        The levers, for the changes in Chinese.

    Returns
    -------
    str
        The paragraph.
    """
    words = _words_of(space)
    cur = doc["currency"]
    together = "同时" if len(doc["targets"]) > 1 else ""
    head = (f"{'、'.join(f'`{t}`' for t in doc['targets'])}{together}达到的概率不低于"
            f"{doc['goal']:g}：")
    base = doc.get("baseline")
    if base is not None:
        head += f"目前为{interval(base['p_holds'])}（{base['runs']}次模拟）；"
    tail = (f"（{len(doc['evaluated'])}个候选组合，每个在相同的{doc['runs']}次共同随机数模拟上"
            f"评估；共用{doc['runs_used']:,}次模拟，预算{doc['budget']:,}次）")
    a, c = doc.get("answer"), doc.get("ceiling")
    if a is not None:
        n = len(doc.get("checks") or [])
        order = f"（此前{n - 1}个更便宜的候选在同一批新模拟上未达到）" if n > 1 else ""
        pr = doc.get("pruning")
        pruned = ""
        if pr and pr.get("lowered"):
            pruned = (f"（由搜索找到的候选{cur} {pr['found_cost']:,.0f}精简而来：取消或降低了"
                      f"{len(pr['lowered'])}项调整，节省{cur} {pr['saved']:,.0f}）")
        return (head + f"找到的最低费用组合为{cur} {a['cost']:,.0f}：{_changes(a, words)}，"
                f"在{a['runs']}次新模拟上的达标概率为{interval(a['p_holds'])}"
                + pruned + order + tail)
    if c is not None:
        rejected = [e for e in doc.get("checks") or [] if e["levels"] != c["levels"]]
        rej = (f"{len(rejected)}个在搜索模拟中达到目标的候选在新模拟上未达到；"
               if rejected else "")
        found = ("所有措施取最大值时能够达到" if c["p_holds"]["low"] >= doc["goal"]
                 else "没有任何措施组合被证明能达到目标")
        note = f"；制约因素（原文）：{c['note']}" if c.get("note") else ""
        return (head + rej + f"{found}：所有措施取最大值时（{cur} {c['cost']:,.0f}），在"
                f"{c['runs']}次新模拟上的达标概率为{interval(c['p_holds'])}（即上限）"
                + note + tail)
    return head + "预算内没有候选能在新模拟上核验" + tail


def format_search_zh(doc: Mapping[str, Any], space: Any = None) -> str:
    """The search's answer, its front and its checks, in Chinese, for the terminal.

    Parameters
    ----------
    doc : Mapping
        :meth:`sim.study.search.SearchResult.to_dict`.
    space : LeverSpace, optional
        The levers, for the changes in Chinese (their ``what.zh``).

    Returns
    -------
    str
        The text (no trailing newline).
    """
    words = _words_of(space)
    cur = doc["currency"]
    lines = [search_statement_zh(doc, space), "",
             f"费用（{cur}）与搜索模拟上的达标概率（非劣候选）："]
    for e in doc["front"]:
        lines.append(f"  {e['cost']:>14,.0f}  {interval(e['p_holds'])}  {_changes(e, words)}")
    if doc.get("checks"):
        lines += ["", "新模拟核验（搜索从未使用的模拟）："]
        for e in doc["checks"]:
            ok = "通过" if e["p_holds"]["low"] >= doc["goal"] else "未达到"
            lines.append(f"  {e['cost']:>14,.0f}  {interval(e['p_holds'])}（{e['runs']}次模拟）："
                         f"{ok}（{_changes(e, words)}）")
    return "\n".join(lines)
