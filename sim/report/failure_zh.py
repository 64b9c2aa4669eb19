"""When a target fails (失败条件), in Chinese, from the structured fields of ``report.json``.

The analysis writes its failure sentences in English (:func:`sim.study.failure_words.
plain_failure`, :func:`~sim.study.failure_words.metric_sentence`); these functions say the same
in Chinese from the fields beside them: a PRIM box's restrictions (``low``, ``high``,
``data_min``, ``data_max``, ``words_zh``), its mass, density and coverage, the base rate, and
the run metrics' means with their ``words_zh``. A report written before the structured fields of
other targets' failures and of 达标条件 (``holds_when_box``) were kept is read from its English
sentences, whose conditions carry the inputs' Chinese names, so every committed report renders in
Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sim.words import fmt_num

__all__ = ["box_sentence_zh", "condition_zh", "failure_plain_zh", "holds_when_zh",
           "metric_sentence_zh", "plain_box_zh", "statement_failure_zh", "target_label_zh"]

_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _name(r: Mapping[str, Any]) -> str:
    zh = r.get("words_zh")
    if zh:
        return str(zh)
    from sim.scenario.labels import describe

    return describe(str(r["input"]), lang="zh")


def condition_zh(r: Mapping[str, Any]) -> str:
    """One restriction of a PRIM box in Chinese, its numbers as the box's ``text`` gives them.

    Parameters
    ----------
    r : Mapping
        A restriction of ``report.json`` (``input``, ``low``, ``high``, ``text``; with
        ``data_min`` and ``data_max`` the share of the input's range is said too).

    Returns
    -------
    str
        E.g. ``预警提前时间（小时）不超过21.33（取值范围下部78%）``.
    """
    nums = _NUM.findall(str(r["text"]).replace(str(r["input"]), " "))
    lo = nums[0] if r.get("low") is not None and nums else None
    hi = nums[-1] if r.get("high") is not None and nums else None
    span = None
    if r.get("data_min") is not None and r.get("data_max") is not None:
        span = (float(r["data_max"]) - float(r["data_min"])) or 1.0
    name = _name(r)
    if lo is not None and hi is not None:
        share = "" if span is None else (
            f"（占模拟中取值范围的{(float(r['high']) - float(r['low'])) / span:.0%}）")
        return f"{name}介于{lo}与{hi}之间{share}"
    if lo is not None:
        share = "" if span is None else (
            f"（取值范围上部{(float(r['data_max']) - float(r['low'])) / span:.0%}）")
        return f"{name}不低于{lo}{share}"
    share = "" if span is None else (
        f"（取值范围下部{(float(r['high']) - float(r['data_min'])) / span:.0%}）")
    return f"{name}不超过{hi}{share}"


def _joined(parts: Sequence[str]) -> str:
    return "、".join(parts[:-1]) + "且" + parts[-1] if len(parts) > 1 else "".join(parts)


def _significant(box: Mapping[str, Any]) -> bool:
    return any(r.get("quasi_p") is not None and r["quasi_p"] <= 0.05
               for r in box["restrictions"])


def box_sentence_zh(label: str, box: Mapping[str, Any], base_rate: float,
                    holds: bool = False) -> str:
    """A significant PRIM box in a Chinese sentence (failure conditions, or 达标条件).

    Parameters
    ----------
    label : str
        The target in Chinese (its clause), or ``"该目标"``.
    box : Mapping
        The box (``restrictions``, ``mass``, ``density``, ``coverage``).
    base_rate : float
        The share of all runs where the target fails (holds, for ``holds=True``).
    holds : bool
        The box of the runs where the target holds (``holds_when_box``).

    Returns
    -------
    str
        The sentence.
    """
    conds = _joined([condition_zh(r) for r in box["restrictions"]])
    if holds:
        return (f"{label}最常达到的条件（各次模拟间的关联，并非已证实的原因）：{conds}。"
                f"此类模拟占全部模拟的{box['mass']:.0%}，其中{box['density']:.0%}达到"
                f"（总体为{base_rate:.0%}），占全部达标模拟的{box['coverage']:.0%}。")
    text = (f"{label}最常未达到的条件（各次模拟间的关联，并非已证实的原因）：{conds}。"
            f"此类模拟占全部模拟的{box['mass']:.0%}，其中{box['density']:.0%}未达到"
            f"（总体为{base_rate:.0%}），占该目标全部未达标模拟的{box['coverage']:.0%}。")
    if box["density"] < base_rate + 0.1:
        text += "这一集中程度较弱：失败分布在各输入的大部分取值范围内。"
    return text


def failure_plain_zh(f: Mapping[str, Any], label: str) -> str:
    """When a target fails, in Chinese: what ``plain`` says in English, from its fields.

    Parameters
    ----------
    f : Mapping
        ``report.json`` ``failure`` (or an entry of ``other_failures`` with ``runs``,
        ``failures``, ``base_rate`` and ``box``).
    label : str
        The target in Chinese.

    Returns
    -------
    str
        The sentence.
    """
    runs, cases, rate = int(f["runs"]), int(f["failures"]), float(f["base_rate"])
    box = f.get("box")
    if box is None or not _significant(box):
        if cases == 0:
            return f"{label}在全部{runs:,}次模拟中均达到：没有需要解释的失败。"
        if cases == runs:
            return (f"{label}在全部{runs:,}次模拟中均未达到，与不确定输入的取值无关："
                    "任何输入的任何取值范围都不能使其达到。")
        return (f"{label}在{runs:,}次模拟中有{rate:.0%}未达到，失败分布在每个不确定输入的"
                "整个取值范围内（没有哪个输入的取值范围能显著集中失败）。")
    return box_sentence_zh(label, box, rate)


_COND = re.compile(
    r"\(([^()]*[\u4e00-\u9fff][^()]*)\) is (at least|at most|between) (\S+?)"
    r"(?: and (\S+?))? \((?:the top |the bottom )?(\d+)%")
_FAILS = re.compile(r"Such runs are (\d+)% of all runs, the target fails in (\d+)% of them "
                    r"\(against (\d+)% overall\), and they hold (\d+)% of its failures")
_HOLDS = re.compile(r"Such runs are (\d+)% of all runs, it holds in (\d+)% of them "
                    r"\(against (\d+)% overall\), and they are (\d+)% of the runs where it holds")


def _conditions_of_plain(plain: str) -> list[str]:
    """The conditions of an English box sentence in Chinese (its inputs' Chinese names in it)."""
    out = []
    for zh, op, a, b, share in _COND.findall(plain):
        if op == "at least":
            out.append(f"{zh}不低于{a}（取值范围上部{share}%）")
        elif op == "at most":
            out.append(f"{zh}不超过{a}（取值范围下部{share}%）")
        else:
            out.append(f"{zh}介于{a}与{b}之间（占模拟中取值范围的{share}%）")
    return out


def plain_box_zh(plain: str, label: str, holds: bool = False) -> str | None:
    """A box sentence of an older report (no structured fields) in Chinese, or None.

    Reads the English sentence of :func:`sim.study.failure_words.plain_failure` (or
    ``plain_success`` for ``holds=True``): its conditions carry the inputs' Chinese names.
    """
    conds = _conditions_of_plain(plain)
    m = (_HOLDS if holds else _FAILS).search(plain)
    if not conds or not m:
        return None
    mass, density, base, coverage = m.groups()
    if holds:
        return (f"{label}最常达到的条件（各次模拟间的关联，并非已证实的原因）：{_joined(conds)}。"
                f"此类模拟占全部模拟的{mass}%，其中{density}%达到（总体为{base}%），占全部达标"
                f"模拟的{coverage}%。")
    text = (f"{label}最常未达到的条件（各次模拟间的关联，并非已证实的原因）：{_joined(conds)}。"
            f"此类模拟占全部模拟的{mass}%，其中{density}%未达到（总体为{base}%），占该目标全部"
            f"未达标模拟的{coverage}%。")
    if "weak concentration" in plain:
        text += "这一集中程度较弱：失败分布在各输入的大部分取值范围内。"
    return text


def statement_failure_zh(o: Mapping[str, Any], label: str) -> str:
    """An entry of ``other_failures`` in Chinese.

    From its fields (``runs``, ``failures``, ``base_rate``, ``box``) or, in a report written
    before they were kept, from its English ``plain`` sentence (:func:`plain_box_zh`).
    """
    if "runs" in o and "base_rate" in o:
        return failure_plain_zh(o, label)
    plain = str(o.get("plain", ""))
    boxed = plain_box_zh(plain, label)
    if boxed:
        return boxed
    n = re.search(r"(\d[\d,]*) runs", plain)
    runs = n.group(1) if n else "?"
    if "held in every one" in plain:
        return f"{label}在全部{runs}次模拟中均达到：没有需要解释的失败。"
    if "failed in every one" in plain:
        return f"{label}在全部{runs}次模拟中均未达到，与不确定输入的取值无关。"
    p = re.search(r"fails in (\d+)% of the", plain)
    return (f"{label}在{runs}次模拟中有{p.group(1) if p else '?'}%未达到，失败分布在每个"
            "不确定输入的整个取值范围内（没有哪个输入的取值范围能显著集中失败）。")


def metric_sentence_zh(metrics: Sequence[Mapping[str, Any]], top: int = 3) -> str:
    """How failing runs differ from holding runs, in Chinese (what ``metrics_plain`` says).

    Parameters
    ----------
    metrics : sequence of Mapping
        ``report.json`` ``failure.metrics`` (``words_zh``, ``effect``, ``mean_fails``,
        ``mean_holds``, ``kind``).
    top : int
        How many of each kind to name.

    Returns
    -------
    str
        The sentences (empty without metrics).
    """
    def part(m: Mapping[str, Any]) -> str:
        more = "更多" if m["effect"] > 0 else "更少"
        name = m.get("words_zh") or m.get("words") or m["metric"]
        return (f"{name}{more}（平均{fmt_num(m['mean_fails'])}，对比"
                f"{fmt_num(m['mean_holds'])}）")

    ops = [part(m) for m in metrics if m.get("kind", "operations") == "operations"][:top]
    sev = [part(m) for m in metrics if m.get("kind") == "severity"][:top]
    text = []
    if ops:
        text.append("在响应的资源与行动方面，未达标的模拟与达标的模拟相比：" + "；".join(ops)
                    + "（各次模拟间的关联，并非已证实的原因）。")
    if sev:
        text.append("未达标模拟的灾情严重程度（灾害的后果，而非失败的原因）：" + "；".join(sev)
                    + "。")
    return "".join(text)


def target_label_zh(doc: Mapping[str, Any], tid: str) -> str:
    """A target of a report in Chinese: its clause with its id, else its id."""
    for t in doc["study"]["targets"]:
        if t["id"] == tid:
            zh = (t.get("clause") or {}).get("zh")
            return f"目标“{zh}”（`{tid}`）" if zh else f"目标`{tid}`"
    return f"目标`{tid}`"


def holds_when_zh(f: Mapping[str, Any], label: str) -> str:
    """When a mostly failing target holds (达标条件), in Chinese (empty if not found)."""
    hb = f.get("holds_when_box")
    if hb and hb.get("box"):
        return box_sentence_zh("该目标", hb["box"], float(hb["base_rate"]), holds=True)
    if f.get("holds_when"):  # an older report: the sentence only, its box not kept
        return plain_box_zh(str(f["holds_when"]), "该目标", holds=True) or ""
    return ""
