"""Plan reports in Markdown, rendered from their JSON document alone.

:func:`render_markdown` turns the document :func:`sim.report.plan_report.build_report` writes to
``report.json`` into ``report.md``: every number of the report comes from that document. The
sections whose structure does not depend on the language (:func:`verdict_table_md`,
:func:`failure_md`, :func:`zone_waits_md`, :func:`hold_md`, :func:`readings_md`,
:func:`standards_md`, :func:`sensitivity_md`, :func:`assumptions_md`) and the cell helpers
(:func:`num`, :func:`pct`, :func:`hours`, :func:`interval`, :func:`esc`...) take ``lang`` and
pick their words with :func:`sim.i18n.say`; the Chinese report
(:mod:`sim.report.plan_markdown_zh`) calls them with ``lang="zh"``. English is the default, and
English output is what it was before the languages were joined.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.i18n import Lang, clause_of, say
from sim.report.failure_zh import (
    failure_plain_zh,
    holds_when_zh,
    metric_sentence_zh,
    statement_failure_zh,
    target_label_zh,
)
from sim.report.units_zh import unit_zh
from sim.scenario.provenance import plan_citations
from sim.study.hold import changes_words
from sim.words import fmt_num, joined

__all__ = ["assumptions_md", "esc", "failure_md", "figure", "fmt_num", "fmt_p", "fmt_value",
           "hold_md", "hold_sentence", "hours", "interval", "joined", "kind_mark", "num", "pct",
           "reading_sentence", "readings_md", "relief_drivers", "render_markdown", "sensitivity_md",
           "short", "standards_md",
           "value_text", "verdict", "verdict_table_md", "zone_waits_md"]

_NA_ZH = {"n/a": "不适用", "never": "从未"}


def _is_share(unit: str | None) -> bool:
    return bool(unit) and str(unit).startswith("share")


def fmt_value(x: Any, unit: str | None) -> str:
    """A target's value in the report: shares as percentages, other values with 3 digits."""
    if x is None:
        return "n/a"
    if _is_share(unit) and math.isfinite(float(x)):
        return f"{100 * float(x):.1f} %"
    return fmt_num(x)


def fmt_p(t: Mapping[str, Any], lang: Lang = "en") -> str:
    """P(holds) with its interval, as printed in the verdict table.

    A verdict that is not a finding (its basis is not ``simulated``) is said in words, never
    as a bare 0.000 or 1.000: in English instead of the number, in Chinese after it.
    """
    if t["p_holds"] is None:
        return say(lang, "n/a (never applies)", "不适用（从不适用）")
    p = f"{t['p_holds']:.3f} [{t['ci_low']:.3f}, {t['ci_high']:.3f}]"
    basis = t.get("basis") or "simulated"
    if basis == "simulated":
        return p
    if lang == "zh":
        return f"{p}（{(t.get('basis_words') or {}).get('zh') or basis}）"
    if basis == "unreachable":
        return "cannot hold: its inputs bound it away from the threshold"
    if basis == "resolution":
        return f"not measurable at this resolution (runs gave {t['p_holds']:.3f})"
    if basis == "not_applicable":
        return "n/a (nothing to measure in any run)"
    if t["p_holds"] >= 1.0:
        return "holds by construction"
    if t["p_holds"] <= 0.0:
        return "fails by construction"
    return f"{p}, by construction"


def basis_words(t: Mapping[str, Any]) -> str:
    """The basis of a target's verdict in words, English / Chinese."""
    w = t.get("basis_words") or {}
    if not w:
        return "simulated"
    return f"{w['en']} / {w['zh']}"


def basis_notes(targets: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per target whose verdict is not a finding of the runs, with the reason."""
    return [f"- `{t['id']}`, {basis_words(t)}: {t['basis_reason']}."
            for t in targets if (t.get("basis") or "simulated") != "simulated"
            and t.get("basis_reason")]


def pct(x: float | None, lang: Lang = "en") -> str:
    """A share as a whole percentage (``37 %``, ``37%`` in Chinese); n/a for None."""
    if x is None:
        return say(lang, "n/a", "不适用")
    return say(lang, f"{100 * x:.0f} %", f"{100 * float(x):.0f}%")


def interval(p: Mapping[str, Any]) -> str:
    """A P(holds) with its interval, ``0.950 [0.910, 0.970]`` (``estimate``, ``low``, ``high``)."""
    return f"{p['estimate']:.3f} [{p['low']:.3f}, {p['high']:.3f}]"


def num(x: Any, lang: Lang = "en") -> str:
    """A number of the report (:func:`sim.words.fmt_num`), its n/a and never in ``lang``."""
    s = fmt_num(x)
    return say(lang, s, _NA_ZH.get(s, s))


def value_text(x: Any, unit: str | None, lang: Lang = "en") -> str:
    """A target's value (:func:`fmt_value`), its n/a in ``lang``."""
    s = fmt_value(x, unit)
    return say(lang, s, _NA_ZH.get(s, s))


def verdict(t: Mapping[str, Any], goal: float, lang: Lang = "en") -> str:
    """A target's verdict at ``goal`` from its P(holds) interval, in ``lang``."""
    if t["p_holds"] is None:
        return say(lang, "never applies", "从不适用")
    if (t.get("basis") or "simulated") != "simulated":
        return say(lang, "not a finding (see basis)", "非模拟结论（见依据）")
    if t["ci_low"] >= goal:
        return say(lang, f"holds (P ≥ {goal:.0%})", f"达到（概率≥{goal:.0%}）")
    if t["ci_high"] < goal:
        return (say(lang, "fails", "未达到") if t["ci_high"] < 0.5
                else say(lang, f"below {goal:.0%}", f"低于{goal:.0%}"))
    return say(lang, f"near {goal:.0%}", f"接近{goal:.0%}")


def _line_links(source: str | None, plans_link: str | None, plan: str | None = None) -> str:
    """The plan-line column: a line of the scenario's own plan, linked, only for its own clauses.

    A clause borrowed from another plan says so; a target with no plan line shows its real
    source (a standard, a reference section, an assumption).
    """
    cites = plan_citations(source)
    own = [c for c in cites if plan is not None and c.partition("#")[0] == plan]
    if not own:
        if cites:
            return f"another plan's clause ({', '.join(cites)})"
        if not source:
            return "—"
        head = source.split(" (")[0]
        return head if len(head) <= 60 else head[:57] + "…"
    out = []
    for c in own:
        if plans_link:
            fname, _, line = c.partition("#")
            out.append(f"[{c}]({plans_link}/{fname}#{line.split('-')[0]})")
        else:
            out.append(c)
    return ", ".join(out)


def _clause(t: Mapping[str, Any]) -> str:
    cl = t.get("clause") or {}
    parts = [p for p in (cl.get("zh"), cl.get("en")) if p]
    return " / ".join(parts) if parts else t["id"]


def esc(s: str) -> str:
    """Text for a Markdown table cell: pipes escaped, line breaks as spaces."""
    return s.replace("|", "\\|").replace("\n", " ")


def figure(doc: Mapping[str, Any], key: str, alt: str) -> list[str]:
    """The Markdown lines showing figure ``key`` of the report (none if it was not drawn)."""
    path = doc.get("figures", {}).get(key)
    return [f"![{alt}]({path})", ""] if path else []


def _response_md(doc: Mapping[str, Any]) -> list[str]:
    """The map and the Gantt chart of one representative run (none in older reports)."""
    rr = doc.get("response_run")
    if not rr or not doc.get("figures", {}).get("map"):
        return []
    why = (f"the run whose {rr['target']} is nearest its median over the runs" if rr["target"]
           else "the study's first run")
    shade = ("people still waiting for relief at the end of the run" if rr["shade"] == "waiting"
             else "population")
    L = ["## The response in one run: map and timeline", "",
         f"Run {rr['run']} of the study ({why}; spawn key {rr['key']} of seed {doc['seed']}). "
         f"The map shades zones by {shade}, with the road links' state in that run and the "
         "hazard's peak intensity as rings; the Gantt chart shows who did what, when, per zone. "
         "Land and coastline: Natural Earth (public domain).", ""]
    return L + figure(doc, "map", "map of the run") + figure(doc, "gantt", "response timeline")


def hours(x: Any, lang: Lang = "en") -> str:
    """Hours with one decimal (``7.9 h``, ``7.9小时``); never reached for None."""
    if x is None:
        return say(lang, "never", "从未达到")
    return say(lang, f"{float(x):.1f} h", f"{float(x):.1f}小时")


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The report in Markdown, from its JSON document only."""
    sc = doc["scenario"]
    figs = doc.get("figures", {})
    L: list[str] = []
    title = sc["title"]["en"] + (f" ({sc['title']['zh']})" if sc["title"].get("zh") else "")
    L += [f"# {title}: does the plan hold?", ""]
    L += [f"Generated by `sim report {sc['file']}` (seed {doc['seed']}) from "
          f"`report.json` in this directory; every number below comes from the runs.", ""]
    L += _headline(doc)
    L += ["## The scenario and its hazard", "", _scenario_paragraph(sc), ""]
    L += verdict_table_md(doc)
    if doc.get("relief"):
        L += _relief_md(doc)
    if figs.get("shelters") or figs.get("stock"):
        L += ["## Shelters and stock over time", ""]
        n = doc["series_runs"]
        L += [f"Fan charts over the first {n} runs of the study (median, 25-75 % and 5-95 % of "
              "runs), hours from the hazard onset.", ""]
        L += figure(doc, "shelters", "people in shelters")
        L += figure(doc, "stock", "stock on hand")
    L += _response_md(doc)
    L += failure_md(doc)
    L += zone_waits_md(doc)
    L += hold_md(doc)
    L += readings_md(doc)
    L += standards_md(doc)
    L += sensitivity_md(doc)
    L += assumptions_md(doc)
    L += _method_md(doc)
    return "\n".join(L).rstrip() + "\n"


def relief_summary(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The study summary of a report's basic-relief target (None without one)."""
    r = doc.get("relief")
    if not r:
        return None
    for t in doc["study"]["targets"]:
        if t["id"] == r["target"]:
            found: Mapping[str, Any] = t
            return found
    return None


def _headline(doc: Mapping[str, Any]) -> list[str]:
    t = relief_summary(doc)
    goal = doc["budget"]["goal"]
    if t is None:
        return ["**The scenario has no basic-relief target.**", ""]
    r = doc["relief"]
    p = fmt_p(t)
    reading = doc["scenario"].get("dispersed_relief")
    relief_readings = [rd for rd in doc.get("readings") or []
                       if rd.get("relief", True) and rd["path"].endswith("dispersed_relief")]
    under = f" under the reading `dispersed_relief: {reading}`" if reading else ""
    lines = [f"**Does basic relief within {r['hours']:g} hours hold?** "
             f"P(holds) = {p}{under} (95 % Wilson interval, {t['applicable_runs']:,} runs): "
             + _answer(t, goal) + "."
             + "".join(f" Under `{rd['value']}` ({rd['words']}): about {rd['p_study']:.3f}."
                       for rd in relief_readings)]
    f = doc.get("failure")
    if f and f.get("failures"):
        lines.append(f"**When it fails:** {f['plain']}"
                     + (f" {f['holds_when']}" if f.get("holds_when") else "")
                     + (f" {f['metrics_plain']}" if f.get("metrics_plain") else "")
                     + _top_inputs(doc))
    lines.append(f"**What would make it hold at {goal:.0%}:** {hold_sentence(doc)}")
    for rd in relief_readings:
        lines.append(f"**What the verdict rests on:** {reading_sentence(rd)}")
    built = [x for x in doc["study"]["targets"] if (x.get("basis") or "simulated") != "simulated"]
    if built:
        lines.append("**Not findings:** " + "; ".join(
            f"`{x['id']}` is {basis_words(x)}" for x in built)
            + " (see *What the verdicts rest on* under the verdict table).")
    return [x + "\n" for x in lines]


def _reading_row(rd: Mapping[str, Any], lang: Lang) -> list[str]:
    """One other reading's cells, in ``lang``.

    The reading, its target, P as reported and under it, the paired difference, the whole
    study's estimate and the source.
    """
    d = rd["difference"]
    rule = f"{rd['path'].split('.')[-1]}: {rd['value']}"
    head = ([f"`{rule}` (reported `{rd['current']}`): {rd['words']}", rd.get("words_zh") or ""]
            if lang == "en" else
            [f"{rd.get('words_zh') or rd['words']}（`{rule}`，报告采用`{rd['current']}`）"])
    return [*head, f"`{rd.get('target', '')}`",
            f"{rd['p_base']:.3f} → {rd['p_reading']:.3f}"
            + say(lang, f" ({rd['runs']} runs)", f"（{rd['runs']}次模拟）"),
            f"{d['estimate']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]",
            f"{rd['p_study']:.3f}", short(rd.get("source"), 60)]


def readings_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """Every target under the plan's other readings, on the same disasters, in ``lang``."""
    rds = doc.get("readings") or []
    if not rds:
        return []
    L = [say(lang, "## Other readings of the plan, on the same disasters",
             "## 预案的其他解读（同一批灾害）"), "",
         say(lang, "Each row runs the study's first runs again with one rule read another way "
             "(common random numbers); \"about\" is the whole study's P(holds) plus the paired "
             "difference.",
             "每一行把研究的前若干次模拟按另一种解读重新运行（共同随机数）；“全部研究约为”是整个"
             "研究的达标概率加上配对差。"), "",
         say(lang, "| reading | 解读 | target | P(holds) as reported → under the reading | paired "
             "difference [95 % CI] | about, whole study | source |",
             "| 解读 | 目标 | 达标概率：报告所用 → 该解读 | 配对差 [95%置信区间] | 全部研究约为 "
             "| 来源 |"),
         say(lang, "|---|---|---|---|---|---|---|", "|---|---|---|---|---|---|")]
    for rd in rds:
        L.append("| " + " | ".join(esc(x) for x in _reading_row(rd, lang)) + " |")
    return L + [""]


_VALUE_IS_ZH = {"upper_bound": "上限", "lower_bound": "下限", "exact": "确切值"}


def _standard_row(x: Mapping[str, Any], lang: Lang) -> list[str]:
    """One static standard's cells: id, clause, value, threshold, met and what it rests on."""
    met = (say(lang, "undecided (the data give only a bound)", "无法判定（数据只给出界限）")
           if x.get("met") is None else
           say(lang, "yes", "是") if x["met"] else say(lang, "no", "否"))
    n, a, pa = x.get("n_inputs", 0), x.get("n_assumed", 0), x.get("n_partly_assumed", 0)
    note = short(x.get("note"), 90) if x.get("note") else ""
    if lang == "zh":
        vis = _VALUE_IS_ZH.get(x.get("value_is") or "", "")
        cl = (x.get("clause") or {}).get("zh") or (x.get("clause") or {}).get("en") or x["id"]
        return [f"`{x['id']}`", cl,
                f"{num(x.get('value'), 'zh')} {unit_zh(x.get('unit'))}"
                + (f"（{vis}）" if vis else ""),
                f"{x.get('comparison', '')} {num(x.get('threshold'), 'zh')}", met,
                f"{n}个输入：{a}个为假设，{pa}个部分为假设"
                + ("，由设定决定" if x.get("by_construction") else "")
                + (f"；说明（原文）：{note}" if note else "")]
    return [f"`{x['id']}`", _clause(x), f"{fmt_num(x.get('value'))} {x.get('unit') or ''}",
            f"{x.get('comparison', '')} {fmt_num(x.get('threshold'))}", met,
            f"{n} input(s): {a} assumed, {pa} partly assumed"
            + (", by construction" if x.get("by_construction") else "")
            + (f"; {note}" if note else "")]


def standards_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The plan's static standards and its testable items left untested, in ``lang``.

    The standards are checked from the scenario's data, not simulated.
    """
    std = doc.get("standards") or []
    items = doc.get("plan_items") or []
    L: list[str] = []
    if std:
        L += [say(lang, "## Static standards (from the scenario's data, not simulated)",
                  "## 静态标准（依据情景数据，非模拟）"), "",
              say(lang, "| standard | plan clause | value | threshold | met | rests on |",
                  "| 标准 | 预案条款 | 数值 | 阈值 | 是否达到 | 依据 |"),
              "|---|---|---|---|---|---|"]
        for x in std:
            L.append("| " + " | ".join(esc(str(v)) for v in _standard_row(x, lang)) + " |")
        L.append("")
    untested = [x for x in items if x.get("status") in ("untested", "missing")]
    if items:
        done = len(items) - len(untested)
        L += [say(lang, "## The plan's testable items", "## 预案中可检验的事项"), "",
              say(lang, f"{done} of the {len(items)} items the plan notes mark as testable by "
                  "simulation are targets or standards here; the others are not tested, for the "
                  "reason given:",
                  f"预案注释标为可通过模拟检验的{len(items)}项中，有{done}项在此作为目标或标准"
                  "检验；其余未检验，原因如下："), ""]
        for x in untested:
            it, line = x["item"], x.get("line", "")
            L.append(say(lang, f"- {line}: {it.get('zh') or ''} / {it.get('en') or ''} — "
                         f"{x.get('reason') or 'no reason given'}",
                         f"- {line}：{it.get('zh') or it.get('en') or ''}——原因（原文）："
                         f"{x.get('reason') or '未说明'}"))
        L.append("")
    return L


def reading_sentence(rd: Mapping[str, Any]) -> str:
    """One other reading of the plan (``report.json`` ``readings``) and what it does to P."""
    d = rd["difference"]
    return (f"`{rd['path']}: {rd['current']}`. If instead {rd['words']} "
            f"(`{rd['value']}`), P(holds) on the first {rd['runs']} runs goes from "
            f"{rd['p_base']:.3f} to {rd['p_reading']:.3f} (paired difference "
            f"{d['estimate']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]), about "
            f"{rd['p_study']:.3f} for the whole study.")


def _top_inputs(doc: Mapping[str, Any], top: int = 3) -> str:
    """The main drivers of the relief target's value, as a clause.

    Only inputs whose Morris mu* interval excludes zero (mu* - its bootstrap half-width > 0) and
    whose mu* is at least a tenth of the largest (``drivers`` of the report's sensitivity rows)
    are named, ranked by the interval's lower end, in English and Chinese; when none is, the
    clause says so.
    """
    rows = relief_drivers(doc, top)
    if rows is None:
        return ""
    if not rows:
        runs = (doc.get("sensitivity") or {}).get("runs", 0)
        return (" No input's effect on the share relieved in time is distinguishable from "
                f"zero in the Morris screening ({runs:,} runs): no main driver can be named.")
    names = [r["words"] + (f" ({r['words_zh']})" if r.get("words_zh") else "")
             + (" [an assumption]" if r["source_kind"] == "assumption"
                else " [partly assumed]" if r["source_kind"] == "partly assumed" else "")
             for r in rows]
    return (" Main drivers (inputs whose Morris effect on the share relieved in time is "
            f"distinguishable from zero, largest first): {'; '.join(names)}.")


def relief_drivers(doc: Mapping[str, Any], top: int = 3) -> list[Mapping[str, Any]] | None:
    """The main drivers of the relief target's value: its sensitivity rows, largest first.

    Only inputs whose Morris mu* interval excludes zero and whose mu* is at least a tenth of
    the largest (the report's ``drivers``) are named; None if the relief target was not
    analysed.
    """
    s = doc.get("sensitivity") or {}
    rid = (doc.get("relief") or {}).get("target")
    for pt in s.get("targets", []):
        if pt["target"] != rid:
            continue
        by_path = {r["input"]: r for r in pt["inputs"]}
        if "drivers" in pt:
            return [by_path[p] for p in pt["drivers"] if p in by_path][:top]
        # a report.json written before the drivers were recorded
        return sorted((r for r in pt["inputs"] if r["source_kind"] != "randomness"
                       and r["mu_star"] - r["mu_star_conf"] > 0 and r["mu_star_norm"] >= 0.1),
                      key=lambda r: -(r["mu_star"] - r["mu_star_conf"]))[:top]
    return None


def _answer(t: Mapping[str, Any], goal: float) -> str:
    p, lo, hi = t["p_holds"], t["ci_low"], t["ci_high"]
    if lo >= goal:
        return f"the target holds with a probability of at least {goal:.0%}"
    if hi < goal:
        return (f"it does not hold at {goal:.0%}; it holds in about {p:.0%} of the disasters "
                "simulated")
    return f"the data cannot tell whether it holds at {goal:.0%}"


def hold_sentence(doc: Mapping[str, Any], lang: Lang = "en") -> str:
    """What would make basic relief, and the plan as a whole, hold: the search's answers.

    English reads each answer's stored ``statement``; Chinese says it from the answer's fields
    (:func:`sim.report.hold_zh.answer_statement_zh`).
    """
    h = doc.get("hold") or {}
    status = h.get("status")
    if status == "no_levers":
        lf = h.get("levers_file")
        return say(lang, f"not searched: the plan has no levers file (`{lf}`: what may change "
                   "and what it costs).",
                   f"未搜索：预案没有措施文件（`{lf}`：可调整什么及其费用）。")
    if status == "no_targets":
        return say(lang, "not searched: the plan has no simulated target.",
                   "未搜索：预案没有模拟目标。")
    if status != "searched":
        return say(lang, "not searched (quick report or no budget for it).",
                   "未搜索（快速报告或没有搜索预算）。")
    relief = (doc.get("relief") or {}).get("target")
    n = len(h["targets"])
    if lang == "zh":
        from sim.report.hold_zh import answer_statement_zh

        cur = h["currency"]
        parts = [f"`{a['target']}`：{answer_statement_zh(a, cur)}" for a in h["per_target"]
                 if a["target"] == relief]
        parts.append(f"整个预案（其{n}个模拟目标在同一次模拟中同时达到）："
                     f"{answer_statement_zh(h['plan'], cur)}")
        return "；".join(parts) + "。"
    parts = [f"{_who(a)}: {a['statement']}" for a in h["per_target"] if a["target"] == relief]
    parts.append(f"the plan as a whole (its {n} simulated targets holding "
                 f"together in a run): {h['plan']['statement']}")
    return "; ".join(parts) + "."


def _who(a: Mapping[str, Any]) -> str:
    return str(a.get("label") or a["target"])



def _many(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _scenario_paragraph(sc: Mapping[str, Any]) -> str:
    parts = []
    if sc.get("description"):
        parts.append(sc["description"].rstrip(".") + ".")
    stocks = ", ".join(f"{n} {tier}" for tier, n in sc["stock_points"].items())
    supplies = "agreement or mutual-aid supplies"
    parts.append(
        f"The scenario has {_many(sc['zones'], 'zone')} with {sc['population']:,} residents; "
        f"{_many(sc['shelters'], 'shelter')} with {fmt_num(sc['shelter_places'])} planned places"
        + (f" and {_many(sc['reserve_shelters'], 'reserve site')} with "
           f"{fmt_num(sc['reserve_places'])} more" if sc["reserve_shelters"] else "")
        + f"; {_many(sum(sc['stock_points'].values()), 'stock point')} ({stocks or 'none'}); "
        f"{fmt_num(sc['trucks_mean'])} trucks on average in {_many(sc['truck_fleets'], 'fleet')}; "
        f"{_many(sc['teams'], 'team')} with {sc['team_members']:,} members; "
        f"{_many(sc['supplies'], 'agreement or mutual-aid supply', supplies)}; "
        f"{_many(sc['uncertain_inputs'], 'uncertain input')}.")
    hz = sc.get("hazard_inputs") or []
    if hz:
        txt = "; ".join(f"{h['words']} {fmt_num(h['p5'])}–{fmt_num(h['p95'])} ({h['dist']})"
                        for h in hz[:8])
        parts.append(f"The hazard is a {sc['hazard']}; its main inputs range (5th–95th "
                     f"percentile of the runs) over: {txt}.")
    oc = sc.get("outcomes") or {}
    words = {"needing_relief": "people needed basic relief",
             "evacuated_before_onset": "were evacuated before onset",
             "displaced_by_hazard": "were displaced by the hazard itself",
             "shelter_peak_total": "were in shelters at the peak",
             "unplaced_peak": "had no place at the peak",
             "killed": "were killed", "injured": "were injured"}
    bits = [f"{fmt_num(v['p50'])} ({fmt_num(v['p5'])}–{fmt_num(v['p95'])}) {words[k]}"
            for k, v in oc.items() if v is not None]
    if bits:
        parts.append("In the median run (5th–95th percentile) " + "; ".join(bits) + ".")
    return " ".join(parts)


_STOP = {"precision": ("every applicable target's interval half-width is at most {ci}",
                       "每个适用目标的置信区间半宽均不超过{ci}"),
         "max_runs": ("the cap of {runs} runs was reached before every interval was within ±{ci} "
                      "(widest half-width {hw})",
                      "达到{runs}次模拟上限（要求半宽不超过{ci}，最宽半宽{hw}）"),
         "runs": ("a fixed number of runs", "达到固定模拟次数")}
"""Why the study stopped, in English and Chinese."""

_VERDICT_COLUMNS = {
    "en": ("| target | plan clause | plan line | basis | P(holds) [95 % CI] | verdict | applies "
           "| value median (p5–p95) | threshold |", "|---|---|---|---|---|---|---|---|---|"),
    "zh": ("| 目标 | 预案条款 | 依据 | 达标概率 [95%置信区间] | 结论 | 适用比例 "
           "| 数值中位数（p5–p95） | 阈值 |", "|---|---|---|---|---|---|---|---|"),
}
"""The verdict table's head per language; the Chinese table has no plan-line column."""


def _verdict_row(doc: Mapping[str, Any], t: Mapping[str, Any], lang: Lang) -> list[str]:
    """A target's cells of the verdict table, in ``lang``."""
    q = t["value"]["quantiles"]
    med, p5, p95 = ((q.get(k) or {}).get("estimate") for k in ("0.5", "0.05", "0.95"))
    u = t["unit"]
    val = (value_text(med, u, lang)
           + _paren(f"{value_text(p5, u, lang)}–{value_text(p95, u, lang)}", lang)
           if t["applicable_runs"] else say(lang, "n/a", "不适用"))
    thr = f"{t['comparison']} {value_text(t['threshold'], u, lang)}"
    if t.get("threshold_varies"):
        thr += say(lang, " (median)", "（中位数）")
    if lang == "zh":
        return [f"`{t['id']}`", clause_of(t, "zh"),
                (t.get("basis_words") or {}).get("zh") or "模拟所得", fmt_p(t, "zh"),
                verdict(t, doc["budget"]["goal"], "zh"), pct(t["p_applies"], "zh"), val, thr]
    return [f"`{t['id']}`", _clause(t), _line_links(t["source"], doc.get("plans_link"),
                                                   doc["scenario"].get("plan")),
            basis_words(t), fmt_p(t), verdict(t, doc["budget"]["goal"]), pct(t["p_applies"]),
            val, thr]


def verdict_table_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The verdict table: every target's P(holds), verdict and value, with their units."""
    st = doc["study"]
    stop = st.get("stop") or {}
    why = say(lang, *_STOP.get(stop.get("reason", "runs"), ("", ""))).format(
        ci=num(stop.get("until_ci"), lang), runs=f"{st['runs']:,}",
        hw=num(stop.get("max_half_width"), lang))
    L = [say(lang, "## Verdict", "## 结论"), "",
         say(lang, f"{st['runs']:,} runs (root seed {st['seed']}); the study stopped when {why}. "
             "P(holds) counts the runs where the target applies; 95 % Wilson intervals.",
             f"共{st['runs']:,}次模拟（根随机种子{st['seed']}）；{why}时停止。达标概率按目标适用"
             "的模拟计算，95% Wilson置信区间。"), "", *_VERDICT_COLUMNS[lang]]
    for t in st["targets"]:
        L.append("| " + " | ".join(esc(x) for x in _verdict_row(doc, t, lang)) + " |")
    if lang == "zh":
        from sim.report.plan_sections_zh import basis_notes_zh

        notes = basis_notes_zh(st["targets"])
    else:
        notes = basis_notes(st["targets"])
    if notes:
        L += ["", say(lang, "**What the verdicts rest on.** A verdict is a finding only when its "
                      "basis is *simulated*: the value varies with what the runs draw and the "
                      "threshold is within its reach. The others:",
                      "**各结论的依据。** 只有依据为“模拟所得”的结论才是模拟的发现：其数值随各次"
                      "模拟的抽样而变化，且阈值在其可及范围内。其余结论："), ""] + notes
    units = [(t["id"], say(lang, t["unit"], unit_zh(t["unit"]))) for t in st["targets"]
             if t.get("unit")]
    L += ["", say(lang, "Units: ", "单位：")
          + say(lang, "; ", "；").join(say(lang, f"`{i}`: {u}", f"`{i}`：{u}") for i, u in units)
          + say(lang, ".", "。"), ""]
    L += figure(doc, "p_holds", say(lang, "P(holds) per target", "各目标达标概率"))
    return L


def _relief_md(doc: Mapping[str, Any]) -> list[str]:
    r = doc["relief"]
    q = r["quantiles"]
    L = [f"## Time to basic relief against the {r['hours']:g} h line", ""]
    n = r["runs_with_need"]
    src = ("the run's time series (hourly)" if r["from_series"]
           else "each run's relief records")
    if n == 0:
        return [*L, f"Nobody needed basic relief in any of the {r['runs']:,} runs.", ""]
    at_goal = q.get(f"{r['goal']:g}", q.get("0.9"))
    L.append(
        f"Hours from the onset until {r['share']:.0%} of the people needing basic relief were "
        f"relieved, from {src}: median {hours(q['0.5'])}, 75th percentile {hours(q['0.75'])}, "
        f"90th percentile {hours(q['0.9'])}. It is within {r['hours']:g} h in "
        f"{r['within_hours']:,} of {n:,} runs"
        + (f"; in {r['never']:,} runs {r['share']:.0%} is never reached within the simulated "
           "period" if r["never"] else "")
        + (f"; {r['runs_without_need']:,} runs had nobody needing relief"
           if r["runs_without_need"] else "")
        + f". The time the plan could promise with {r['goal']:.0%} probability (the "
        f"{100 * r['goal']:.0f}th percentile) is {hours(at_goal)}.")
    L.append("")
    L += figure(doc, "relief_time", "time to relief")
    return L


_METRIC_KINDS = {"operations": ("resources and operations", "资源与行动"),
                 "severity": ("how severe the failing runs were (not a cause)",
                              "失败模拟的严重程度（并非原因）")}


def _paren(x: str, lang: Lang) -> str:
    """``x`` in brackets after a word: `` (x)`` in English, ``（x）`` in Chinese."""
    return say(lang, f" ({x})", f"（{x}）")


def _failure_sentences(doc: Mapping[str, Any], lang: Lang) -> list[str]:
    """The failure section's sentences: the failure box, when it holds, how runs differ.

    English from the analysis' own sentences; Chinese from the structured fields beside them
    (:mod:`sim.report.failure_zh`), whose sentence structure differs.
    """
    f = doc["failure"]
    if lang == "en":
        return [f["plain"], f.get("holds_when") or "", f.get("metrics_plain") or ""]
    label = "基本生活救助目标"
    return [failure_plain_zh(f, label), holds_when_zh(f, label),
            metric_sentence_zh(f.get("metrics") or [])]


def _box_paragraph(f: Mapping[str, Any], lang: Lang) -> str:
    """What the PRIM box of the relief target's failures is, with its coverage and density."""
    box = f["box"]
    if lang == "zh":
        return (("" if f.get("significant") else "PRIM找到的最佳区域不显著（没有任何限制条件的"
                 "准p值不超过5%），因此不作为失败条件解读，仅作记录：")
                + f"PRIM（Friedman & Fisher 1999）基于研究的{f['runs']:,}次模拟，以情景自身的输入"
                f"表示：覆盖率{box['coverage']:.2f}（区域内失败占全部失败的比例），密度"
                f"{box['density']:.2f}（区域内模拟未达标的比例），总体为{f['base_rate']:.2f}；"
                f"区域包含{box['mass']:.0%}的模拟。")
    return (("" if f.get("significant") else "The best box PRIM found is not significant "
             "(no restriction has a quasi-p of 5 % or less), so it is not read as a failure "
             "condition; for the record: ")
            + f"PRIM (Friedman & Fisher 1999) over the {f['runs']:,} runs of the study, in the "
            f"scenario's own inputs: coverage {box['coverage']:.2f} (share of all failures "
            f"inside the box), density {box['density']:.2f} (share of runs inside the box that "
            f"fail), against {f['base_rate']:.2f} overall; the box holds {box['mass']:.0%} of "
            "the runs.")


def failure_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """When basic relief fails, in ``lang``.

    The sentences, the PRIM box's table, the run metrics' table and the other targets' failures.
    """
    f = doc.get("failure")
    L = [say(lang, "## When basic relief fails: the conditions that go with failure",
             "## 基本生活救助何时未达到：与失败相伴的条件"), ""]
    if not f:
        return [*L, say(lang, "The scenario has no basic-relief target.",
                        "本情景没有基本生活救助目标。"), ""]
    first, *more = _failure_sentences(doc, lang)
    L += [first, ""]
    for x in more:
        L += [x, ""] if x else []
    box = f.get("box")
    if box:
        L += [_box_paragraph(f, lang), "",
              say(lang, "| condition | input | range in the runs | quasi-p | source |",
                  "| 条件 | 输入 | 模拟中的取值范围 | 准p值 | 来源 |"), "|---|---|---|---|---|"]
        for r in box["restrictions"]:
            words = (r["words"] + (f" / {r['words_zh']}" if r.get("words_zh") else "")
                     if lang == "en" else r.get("words_zh") or r["words"])
            src = f"{kind_mark(r.get('source_kind'), lang)} {short(r.get('source'))}"
            L.append("| " + " | ".join(esc(x) for x in (
                f"`{r['text']}`", words,
                f"{num(r['data_min'], lang)} – {num(r['data_max'], lang)}",
                f"{r['quasi_p']:.2g}" if r["quasi_p"] is not None else say(lang, "n/a", "不适用"),
                src if lang == "en" else src.strip())) + " |")
        L.append("")
        L += figure(doc, "failure", say(lang, "failure conditions", "失败条件"))
    if f.get("metrics"):
        L += [say(lang, "What differs between the runs where it fails and where it holds (run "
                  "metrics, largest standardised difference first):",
                  "未达标与达标的模拟之间差别最大的模拟指标（按标准化差值从大到小）："), "",
              say(lang, "| metric | what it measures | mean (median) when it holds | mean "
                  "(median) when it fails | difference (sd) |",
                  "| 指标 | 衡量内容 | 达标时平均值（中位数） | 未达标时平均值（中位数） "
                  "| 差值（标准差） |"), "|---|---|---|---|---|"]
        for m in f["metrics"]:
            kind = m.get("kind", "")
            kind = say(lang, *_METRIC_KINDS[kind]) if kind in _METRIC_KINDS else kind
            name = (m.get("words") if lang == "en" else m.get("words_zh") or m.get("words"))
            L.append(f"| {name or m['metric']} (`{m['metric']}`) | {kind} | "
                     f"{num(m['mean_holds'], lang)}{_paren(num(m['median_holds'], lang), lang)} | "
                     f"{num(m['mean_fails'], lang)}{_paren(num(m['median_fails'], lang), lang)} | "
                     f"{m['effect']:+.2f} |")
        L.append("")
    if doc.get("other_failures"):
        L += [say(lang, "Other targets that fail in some runs:", "在部分模拟中未达到的其他目标："),
              ""]
        for o in doc["other_failures"]:
            L.append(f"- `{o['target']}`: {o['plain']}" if lang == "en" else
                     f"- {statement_failure_zh(o, target_label_zh(doc, o['target']))}")
        L.append("")
    return L


def zone_waits_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The table "Where people wait longest" from ``report.json`` ``zone_waits``, in ``lang``."""
    rows = doc.get("zone_waits") or []
    r = doc.get("relief") or {}
    if not rows or not r:
        return []
    h = f"{r['hours']:g}"
    nf = rows[0].get("failing_runs") or 0
    L = [say(lang, "## Where people wait longest", "## 等待时间最长的区域"), "",
         say(lang, f"Per zone, over the runs where some of its people needed basic relief: the "
             f"median over runs of the zone's 95th-percentile hours from onset to relief, the "
             f"median share relieved within {h} h, and in how many of the {nf:,} runs where the "
             f"target fails the zone has the lowest share relieved within {h} h (ties shared).",
             f"按区域统计（仅计有人需要基本生活救助的模拟）：该区域从灾害发生到获得救助的第95百分位"
             f"小时数在各次模拟中的中位数；{h}小时内获救助比例的中位数；以及在目标未达到的{nf:,}次"
             f"模拟中，该区域{h}小时内获救助比例最低的模拟所占比例（并列时共享）。"), "",
         say(lang, f"| zone | runs with need | 95th-percentile wait, median over runs | "
             f"share within {h} h, median | worst zone in failing runs |",
             f"| 区域 | 有需求的模拟次数 | 第95百分位等待时间（各次模拟中位数） | "
             f"{h}小时内获救助比例（中位数） | 未达标模拟中最差的比例 |"), "|---|---|---|---|---|"]
    for z in rows:
        name = say(lang, z["zone"] + (f" ({z['name_zh']})" if z.get("name_zh") else ""),
                   f"{z.get('name_zh') or z['zone']} (`{z['zone']}`)")
        p95 = (say(lang, "not relieved", "未获救助") if z["p95_h_median"] is None
               else hours(z["p95_h_median"], lang))
        w = z["within_median"]
        within = (say(lang, "n/a", "不适用") if w is None
                  else say(lang, f"{100 * w:.1f} %", f"{100 * w:.1f}%"))
        L.append(f"| {esc(name)} | {z['runs_with_need']:,} | {p95} | {within} | "
                 f"{pct(z['worst_in_failing'], lang)} |")
    return [*L, ""]


_KIND_MARK = {"assumption": ("**assumption**", "**假设**"),
              "partly assumed": ("**partly assumed**", "**部分为假设**"),
              "none": ("**no source**", "**无来源**"), "randomness": ("", "")}


def kind_mark(kind: str | None, lang: Lang = "en") -> str:
    """How a source is marked: an assumption in bold, a cited source as such."""
    en, zh = _KIND_MARK.get(kind or "", ("cited:", "有出处："))
    return say(lang, en, zh)


def short(s: str | None, n: int = 110) -> str:
    """A source or note on one line, cut to ``n`` characters."""
    if not s:
        return ""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _hold_intro(h: Mapping[str, Any], goal: float, lang: Lang) -> str:
    """How the combination search was made, for the 何以达标 section."""
    if lang == "zh":
        return (f"在预案的{h['levers']}项措施（`{h['levers_file']}`：可调整什么、每一步的费用及"
                f"来源）的组合中一次搜索全部{len(h['targets'])}个模拟目标：在{h['space_size']:,}个组合中"
                f"评估了{h['candidates']}个，每个都在相同的{h['runs']}次模拟上（共同随机数；抽样方法"
                f"{h['sampler']}），每次模拟记录每个目标，因此各目标与整个预案（同一次模拟中全部达到）"
                f"的答案来自同样的评估。只有在未用于选择的{h['fresh_runs']}次新模拟上95%置信区间下限"
                f"达到{goal:.0%}的组合才算答案；若没有，则给出所有措施取最大值时在新模拟上的上限及其"
                f"制约因素。共用{h['runs_used']:,}次模拟，预算{h['budget']:,}次。"
                + ("" if h.get("fresh_can_show", True) else
                   f"{h['fresh_runs']}次新模拟不足以证明{goal:.0%}：即使全部达到，区间下限也只有"
                   f"{h['fresh_best_low']:.3f}（快速报告）。"))
    return (f"One search over combinations of the plan's {h['levers']} levers "
            f"(`{h['levers_file']}`: what may change and what each step costs, with sources), "
            f"for all {len(h['targets'])} simulated targets at once: {h['candidates']} of "
            f"{h['space_size']:,} combinations, each on the same {h['runs']} runs (common random "
            f"numbers; sampler {h['sampler']}), every run recording every target, so the answer "
            "for each target and for the plan as a whole (all of them holding together in a run) "
            "come from the same evaluations. An answer counts only when the lower end of its "
            f"95 % interval reaches {goal:.0%} on {h['fresh_runs']} fresh runs it was not "
            "selected on; when none does, the ceiling is every lever at its largest level, on "
            f"fresh runs, with what bounds it. {h['runs_used']:,} runs of a budget of "
            f"{h['budget']:,}." + ("" if h.get("fresh_can_show", True) else
                                   f" {h['fresh_runs']} fresh runs cannot show {goal:.0%}: even "
                                   "if every one holds, the interval's lower end is "
                                   f"{h['fresh_best_low']:.3f} (a quick report)."))


def _unpruned_tops(h: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The answers that are the top candidate (every lever at its largest level), unpruned.

    The top's levels are read from a ceiling (every ceiling is the top on fresh runs); without
    one, no answer is known to be the top.
    """
    everyone = [h["plan"], *h["per_target"]]
    top = next((a["ceiling"]["levels"] for a in everyone if a.get("ceiling")), None)
    return [a for a in everyone if top is not None and a["status"] == "found"
            and (a.get("answer") or {}).get("levels") == top and not a.get("pruning")]


def _unpruned_note(answers: Sequence[Mapping[str, Any]], lang: Lang) -> str:
    """Why an answer at the top is an upper bound: which of its changes it needs is unknown."""
    names = [f"`{a['target']}`" if a["target"] else say(lang, "the plan", "整个预案")
             for a in answers]
    ids = "、".join(names) if lang == "zh" else joined(names)
    n = sum(int(a.get("unchecked") or 0) for a in answers)
    if lang == "zh":
        return (f"{ids}的答案是所有措施取最大值：在搜索预算内未能对其精简（逐项降低各项调整并在"
                "同样的搜索模拟上检验）"
                + (f"，另有{n}个更便宜、在搜索模拟上达到目标的候选未能在新模拟上核验" if n else "")
                + "。因此尚不清楚该目标实际需要其中哪些调整：这一费用只是使其达到的费用上限。")
    return (f"The answer for {ids} is every lever at its largest level, not pruned within the "
            "search's budget (its changes were not lowered one at a time on the search runs)"
            + (f", and {n} cheaper candidate(s) that reached the goal on the search runs could "
               "not be checked on fresh runs" if n else "")
            + ". Which of these changes the target needs is therefore not known: the cost is an "
            "upper bound on what makes it hold.")


def hold_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """What would make each target, and the plan as a whole, hold: the combination search.

    One table of every answer, what bounds the ceilings, and the plan's cost-against-P front,
    in ``lang``; the Chinese section also gives each answer in a sentence.
    """
    h = doc.get("hold") or {}
    goal = h.get("goal", doc["budget"]["goal"])
    L = [say(lang, f"## What would make it hold at {goal:.0%} (何以达标)",
             f"## 何以达标：以{goal:.0%}概率达到所需的最低费用措施组合"), ""]
    if h.get("status") != "searched":
        hs = hold_sentence(doc, lang)
        return [*L, say(lang, hs[:1].upper() + hs[1:], hs), ""]
    cur = h["currency"]
    L += [_hold_intro(h, goal, lang), "",
          say(lang, f"| target | P now (search runs) | cheapest combination found (调整组合) | "
              f"cost ({cur}) | P(holds) on fresh runs [95 % CI] |",
              f"| 目标 | 目前达标概率（搜索模拟） | 找到的最低费用组合（调整组合） | 费用（{cur}） "
              "| 新模拟上的达标概率 [95%置信区间] |"), "|---|---|---|---|---|"]
    unpruned = _unpruned_tops(h)
    for a in [h["plan"], *h["per_target"]]:
        now = a.get("p_now") or {}
        name = (say(lang, "**the plan as a whole**", "**整个预案**") if a["target"] is None
                else say(lang, f"{esc(_who(a))} (`{a['target']}`)", f"`{a['target']}`"))
        c = a.get("answer") or a.get("ceiling")
        if c is None:
            L.append(f"| {name} | {now.get('estimate', 0):.3f} | "
                     + say(lang, "not checked within the budget | | |", "预算内未核验 | | |"))
            continue
        words = (" / ".join(esc(changes_words(c, x)) for x in ("en", "zh")) if lang == "en"
                 else esc(changes_words(c, "zh")))
        if a in unpruned:
            words = say(lang, "every lever at its top, not pruned (see below): ",
                        "所有措施取最大值，未经精简（见下）：") + words
        what = {"already": say(lang, "already holds (nothing to change)", "已经达到（无需调整）"),
                "found": words,
                "ceiling": say(lang, f"none reaches {goal:.0%}; ceiling, every lever at its top",
                               f"没有组合达到{goal:.0%}；上限为所有措施取最大值")}[a["status"]]
        p = c["p_holds"]
        L.append(f"| {name} | {now.get('estimate', 0):.3f} | {what} | {c['cost']:,.0f} | "
                 f"{interval(p)}" + say(lang, f" ({c['runs']} runs) |", f"（{c['runs']}次模拟） |"))
    L.append("")
    if unpruned:
        L += [_unpruned_note(unpruned, lang), ""]
    if lang == "zh":  # each answer in a sentence (the English headline quotes the relief one)
        from sim.report.hold_zh import answer_statement_zh

        L += [f"- {'整个预案' if a['target'] is None else '`' + a['target'] + '`'}："
              f"{answer_statement_zh(a, cur)}。" for a in [*h["per_target"], h["plan"]]]
        L.append("")
    bounds = [a for a in [h["plan"], *h["per_target"]]
              if a["status"] == "ceiling" and (a.get("ceiling") or {}).get("bound")]
    if bounds:
        L += [say(lang, "What bounds the ceilings (every lever at its largest level, on the "
                  "fresh runs):", "上限的制约因素（所有措施取最大值，新模拟上）："), ""]
        for a in bounds:
            who = (say(lang, "the plan as a whole", "整个预案") if a["target"] is None
                   else f"`{a['target']}`")
            bound = esc(a["ceiling"]["bound"])  # composed in English only: as written (原文)
            L.append(say(lang, f"- {who}: {bound}", f"- {who}：（原文）{bound}"))
        L.append("")
    L += [say(lang, "The cost-against-P front of the plan as a whole (candidates no cheaper one "
              f"beats, on the {h['runs']} search runs):",
              f"整个预案的费用—达标概率前沿（没有更便宜的候选能胜过的候选，基于{h['runs']}次"
              "搜索模拟）："), "",
          say(lang, f"| cost ({cur}) | P(all hold) | changes |",
              f"| 费用（{cur}） | 全部达到的概率 | 调整 |"), "|---|---|---|"]
    for c in h["plan"]["front"][:10]:
        L.append(f"| {c['cost']:,.0f} | {c['p_holds']['estimate']:.3f} | "
                 f"{esc(changes_words(c, lang))} |")
    L.append("")
    L += figure(doc, "hold", say(lang, "cost against P(holds)", "费用与达标概率"))
    return L


_NOTES_ZH = {"the value is undefined (the target does not apply) in some runs":
             "部分模拟中该数值无定义（目标不适用）"}


def _note(v: str, lang: Lang) -> str:
    """Why a target was not analysed; in Chinese where the reason is known, else as written."""
    return say(lang, v, _NOTES_ZH.get(v, f"（原文）{v}"))


def _screen(s: Mapping[str, Any], lang: Lang) -> str:
    """Which inputs the Morris screening moved."""
    if not s["screened"]:
        return say(lang, f"all {s['inputs_varied']} uncertain inputs",
                   f"全部{s['inputs_varied']}个不确定输入")
    return say(lang, f"the {s['inputs_varied']} of {s['inputs_declared']} uncertain inputs most "
               "rank-correlated with these targets' values in the study's runs (the others keep "
               "their own random draws and count as run-to-run randomness)",
               f"在{s['inputs_declared']}个不确定输入中与这些目标的数值秩相关最强的"
               f"{s['inputs_varied']}个（其余输入保留各自的随机抽样，计为模拟间的随机性）")


def sensitivity_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The assumptions that matter most (Morris screening), in ``lang``."""
    s = doc.get("sensitivity") or {}
    L = [say(lang, "## The assumptions that matter most", "## 影响最大的假设（敏感性）"), ""]
    notes = s.get("notes") or {}
    if not s.get("targets"):
        why = say(lang, "; ", "；").join(say(lang, f"`{k}`: ", f"`{k}`：") + _note(v, lang)
                                          for k, v in notes.items())
        return [*L, say(lang, "No sensitivity analysis was possible"
                        + (f" ({why})." if why else "."),
                        "无法进行敏感性分析" + (f"（{why}）。" if why else "。")), ""]
    screen = _screen(s, lang)
    L += [say(lang, f"Morris elementary effects ({s['trajectories']} trajectories, "
              f"{s['runs']:,} runs) over {screen}. mu\\* is the mean absolute change of the "
              "target's value per move of an input across its range (in the value's unit); "
              "mu\\*/max compares inputs within a target. Inputs whose source is an assumption "
              "are marked.",
              f"Morris基本效应法（{s['trajectories']}条轨迹，{s['runs']:,}次模拟），范围为{screen}。"
              "mu\\*是输入在其取值范围内每移动一步，目标数值平均的绝对变化（单位与数值相同）；"
              "mu\\*/max用于比较同一目标的各输入。来源为假设的输入已标出。"), ""]
    top = s.get("assumptions_that_matter") or []
    if top:
        L += [say(lang, "Assumptions that move a target most (mu\\*/max ≥ 0.1 for some target):",
                  "对某一目标影响最大的假设（mu\\*/max ≥ 0.1）："), ""]
        for r in top:
            src = f"{kind_mark(r['source_kind'], lang)} {short(r['source'])}"
            L.append(say(lang, f"- {r['words']} (`{r['input']}`): mu\\*/max "
                         f"{r['mu_star_norm']:.2f} for `{r['target']}`; {src}",
                         f"- {r.get('words_zh') or r['words']}（`{r['input']}`）：对`{r['target']}`"
                         f"的mu\\*/max为{r['mu_star_norm']:.2f}；{src}"))
        L.append("")
    for pt in s["targets"]:
        L += [f"### `{pt['target']}`", "",
              say(lang, "| input | mu\\* [95 % CI] | mu\\*/max | interval excludes 0 | source |",
                  "| 输入 | mu\\* [95%置信区间] | mu\\*/max | 区间不含0 | 来源 |"),
              "|---|---|---|---|---|"]
        shown = [r for r in pt["inputs"] if r["mu_star_norm"] >= 0.05][:10] or pt["inputs"][:3]
        for r in shown:
            sig = r.get("significant", r["mu_star"] - r["mu_star_conf"] > 0)
            name = say(lang, r["words"] + (f" / {r['words_zh']}" if r.get("words_zh") else "")
                       + f" (`{r['input']}`)",
                       f"{r.get('words_zh') or r['words']}（`{r['input']}`）")
            L.append("| " + " | ".join(esc(x) for x in (
                name, f"{num(r['mu_star'], lang)} ± {num(r['mu_star_conf'], lang)}",
                f"{r['mu_star_norm']:.2f}",
                say(lang, "yes", "是") if sig else say(lang, "no", "否"),
                f"{kind_mark(r['source_kind'], lang)} {short(r['source'], 90)}".strip())) + " |")
        L.append("")
        L += figure(doc, f"sensitivity_{pt['target']}",
                    say(lang, f"sensitivity of {pt['target']}", f"{pt['target']}的敏感性"))
    for k, v in notes.items():
        L.append(say(lang, f"- `{k}`: not analysed, {v}.", f"- `{k}`：未分析，{_note(v, lang)}。"))
    if notes:
        L.append("")
    return L


def assumptions_md(doc: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """Every assumption in the scenario; their texts are sources and stay as written."""
    a = doc.get("assumptions") or []
    n_paths = sum(len(x["paths"]) for x in a)
    L = [say(lang, "## Every assumption in the scenario", "## 情景中的全部假设"), "",
         say(lang, f"{len(a)} distinct assumptions cover {n_paths} entities, fields or "
             "distributions of the scenario file (their `source` says \"assumption\"; “partly” "
             "marks a cited number with an assumed part).",
             f"{len(a)}条不同的假设涉及情景文件中的{n_paths}个实体、字段或分布（其`source`为"
             "“assumption”；“部分”表示有出处的数字中含有假设部分）。假设原文照录。"), ""]
    for x in a:
        where = say(lang, ", ", "、").join(f"`{p}`" for p in x["paths"][:4])
        if len(x["paths"]) > 4:
            more = len(x["paths"]) - 4
            where += say(lang, f" and {more} more", f"等另外{more}处")
        mark = say(lang, " (partly)", "（部分）") if x["kind"] == "partly assumed" else ""
        L.append(f"- {where}{mark}{say(lang, ': ', '：')}{esc(' '.join(x['text'].split()))}")
    L.append("")
    return L


def _method_md(doc: Mapping[str, Any]) -> list[str]:
    tm = doc.get("timings_s") or {}
    b = doc["budget"]
    code = doc.get("code") or {}
    return ["## How this report was made", "",
            f"Study: {doc['study']['runs']:,} runs (first round {b['first_round']}, target "
            f"half-width {b['until_ci']}, cap {b['max_runs']:,}); time series kept for the first "
            f"{doc['series_runs']} runs; PRIM on the study's runs; Morris screening of "
            f"{(doc.get('sensitivity') or {}).get('runs', 0):,} runs; other readings on "
            f"{b['probe_runs']} runs; the combination search on {b['search_runs']} runs per "
            f"candidate and {b['search_fresh_runs']} fresh runs per check. All on "
            f"{doc.get('executor')}, root seed {doc['seed']}, in "
            f"{tm.get('total', 0):.0f} s. Scenario sha256 `{doc.get('scenario_sha256', '')[:16]}`"
            f"; code {code.get('git') or code.get('sim')}.", ""]
