"""An exercise's after-action report (HSEEP's AAR/IP), in Markdown and self-contained HTML.

:func:`write_aar` writes, for a played :class:`~sim.exercise.session.Exercise`:

``aar.md``
    The report in Markdown, bilingual (English and Chinese in each section), its figures in
    ``figures/``.
``aar.html``
    The same report as one page: figures inline as base64 PNG, the style in the page, no script
    and no external reference, so it opens in a room without internet.
``events.csv``
    The run's event log, one row per event (``time_h, event, subject, count``).
``exercise.json``
    ``Exercise.record()``: metadata, the exercise log, forks, status.
``review.json``
    The analysis the report shows (:func:`sim.exercise.review.review_exercise`).

This module only renders: every judgement (taken, late, missing; strengths, areas for
improvement, ratings; the improvement plan) is made in :mod:`sim.exercise.review`. The report is
built once as a list of blocks (headings, paragraphs, lists, tables, figures) and written in both
formats from it.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.exercise.review import CAPABILITY_ZH, RATINGS, Review, review_exercise
from sim.i18n import Lang, say
from sim.words import fmt_num

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.exercise.msel import Msel
    from sim.exercise.session import Exercise
    from sim.results import RunResult
    from sim.scenario.schema import Scenario

__all__ = ["render_html", "render_markdown", "write_aar", "write_events_csv"]


KIND_ZH = {"inject": "情景注入", "contingency": "条件注入", "decision": "决策",
           "fork": "推演分支", "effect": "影响", "note": "备注"}
STATUS = {"taken": ("taken", "已采取"), "late": ("late", "延迟"), "missing": ("missing", "未采取"),
          "not_due": ("not due (contingency not triggered)", "未触发")}


# -- blocks ----------------------------------------------------------------------------------------
@dataclass
class Block:
    """One element of the report: ``h`` (heading), ``p``, ``list``, ``table`` or ``fig``."""

    kind: str
    text: str = ""
    level: int = 2
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    figure: str = ""
    """For ``fig``: the figure's key (its file is ``figures/<key>.png``)."""


def _h(text: str, level: int = 2) -> Block:
    return Block("h", text=text, level=level)


def _p(text: str) -> Block:
    return Block("p", text=text)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Block:
    return Block("table", header=list(header), rows=[[_cell(x) for x in r] for r in rows])


def _cell(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return _num(x)
    return str(x)


_num = fmt_num


def _t(x: float | None) -> str:
    if x is None:
        return ""
    return f"T{x:+g} h" if float(x).is_integer() else f"T{x:+.1f} h"


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{100 * float(x):.0f} %"


def _value(x: float | None, unit: str) -> str:
    if x is not None and unit.startswith("share") and math.isfinite(x):
        return f"{100 * x:.1f} %"
    return _num(x)


# -- sections --------------------------------------------------------------------------------------
def _overview(ex: Exercise, result: RunResult, review: Review) -> list[Block]:
    sc, m = ex.scenario, ex.msel
    title = getattr(sc, "title", None)
    n_inj = sum(1 for e in review.timeline if e["kind"] in ("inject", "contingency"))
    n_dec = sum(1 for e in review.timeline if e["kind"] == "decision")
    rows: list[list[Any]] = [
        ["Scenario", "情景", sc.name + (f": {title.en}" if title else ""),
         (title.zh or "") if title else ""],
        ["Scenario file", "情景文件", str(ex.scenario_path or ""), ""],
        ["Seed", "随机种子", ex.seed, ""],
        ["Scenario time", "推演时段", f"{_t(sc.time.start_h)} to {_t(sc.time.end_h)}",
         f"{_t(sc.time.start_h)}至{_t(sc.time.end_h)}（以灾害发生时刻为0）"],
        ["Population", "人口", f"{int(result.population.sum()):,}", ""],
    ]
    if m is not None:
        rows += [["MSEL", "主情景事件清单", m.name, m.name_zh or ""],
                 ["MSEL file", "清单文件", str(ex.msel_path or ""), ""],
                 ["Injects delivered", "已下达注入", f"{n_inj} of {len(m.injects)}",
                  f"{n_inj}/{len(m.injects)}"]]
    rows += [["Decisions logged", "决策记录", n_dec, ""],
             ["Forks", "推演分支", len(review.forks), ""]]
    out = [_h("Exercise overview 演练概况"), _table(["Item", "项目", "English", "中文"], rows)]
    if m is not None:
        ratings = {o.id: o.rating for o in review.objectives}
        out += [_h("Objectives and core capabilities 演练目标与核心能力", 3),
                _table(["Objective", "Core capability 核心能力", "Objective (English)", "目标",
                        "Rating 评定"],
                       [[o.id, f"{o.capability} {CAPABILITY_ZH.get(o.capability, '')}".strip(),
                         o.description, o.description_zh, _rating(ratings[o.id])]
                        for o in m.objectives]),
                _h("Player roles 参演角色", 3),
                _table(["Role", "Name", "名称"], [[r.id, r.name, r.name_zh] for r in m.roles])]
    return out


def _rating(key: str) -> str:
    en, zh = RATINGS[key]
    return f"{key}: {en} / {zh}"


def _summary(review: Review) -> list[Block]:
    met = sum(t.met for t in review.targets)
    n = len(review.targets)
    c = {k: sum(a.status == k for a in review.actions) for k in STATUS}
    items = [
        f"Targets met at the end of the run: {met} of {n}. 运行结束时达到的预案目标：{met}/{n}。",
    ]
    if review.actions:
        items.append(
            f"Expected actions: {c['taken']} taken on time, {c['late']} late, {c['missing']} "
            f"missing, {c['not_due']} not due. 预期行动：按时采取{c['taken']}项，延迟{c['late']}"
            f"项，未采取{c['missing']}项，未触发{c['not_due']}项。")
    if review.objectives:
        r = {k: sum(o.rating == k for o in review.objectives) for k in RATINGS}
        items.append("Objectives rated " + ", ".join(f"{k}: {v}" for k, v in r.items())
                     + ". 目标评定：" + "，".join(f"{k}{v}项" for k, v in r.items()) + "。")
    if review.improvements:
        items.append(f"Improvement plan: {len(review.improvements)} corrective actions. "
                     f"改进计划：{len(review.improvements)}项整改措施。")
    relief = [t.id for t in review.targets if t.kind == "relief_within"]
    for f in review.forks:
        row = next((t for t in f.get("targets", []) if relief and t.get("id") == relief[0]),
                   None)
        if row is None:
            continue
        p = _p_ci(row.get("p"), row.get("lo"), row.get("hi"))
        head = f"Fork {f.get('id')} at {_t(f.get('t_h'))} ({f.get('futures')} futures)"
        head_zh = f"推演分支{f.get('id')}（{_t(f.get('t_h'))}，{f.get('futures')}个未来）"
        dec = f.get("decision")
        if dec and row.get("p_alt") is not None:
            pa = _p_ci(row.get("p_alt"), row.get("lo_alt"), row.get("hi_alt"))
            d = _p_ci(row.get("diff"), row.get("diff_lo"), row.get("diff_hi"), signed=True)
            items.append(f"{head}: P({relief[0]}) {p} without '{dec[0]}', {pa} with it, "
                         f"difference {d}. {head_zh}：不采取“{dec[1]}”时达成概率{p}，采取时{pa}，"
                         f"差值{d}。")
        else:
            items.append(f"{head}: P({relief[0]}) {p}. {head_zh}：达成概率{p}。")
    return [_h("Summary 概要"), Block("list", items=items)]


def _timeline(review: Review) -> list[Block]:
    rows = []
    for e in _grouped(review.timeline):
        s = e["state"]
        en, zh = e["en"], e["zh"]
        if e["kind"] == "fork":  # its table is in "What the forks said"
            en = f"Fork {e['ref']}: see 'What the forks said'"
            zh = f"推演分支{e['ref']}：见“推演分支结果”"
        rows.append([_t(e["t_h"]), f"{e['kind']} {KIND_ZH.get(e['kind'], '')}".strip(),
                     e["ref"], e["role"], en, zh, f"{s['sheltered']:,}",
                     f"{s['displaced']:,}", _pct(s["relieved_share"])])
    out = [_h("Timeline of injects, decisions and consequences 情景注入、决策与后果时间线"),
           _p("Each row is an entry of the exercise log; the last three columns are the run's "
              "state at that hour (people sheltered, displaced without a place to stay, share of "
              "the people needing relief who have it). 每行为一条演练记录；后三列为该时刻的模拟状态"
              "（集中安置人数、无处安置人数、已得到基本生活救助的比例）。")]
    if not rows:
        return [*out, _p("The log is empty. 演练记录为空。")]
    return [*out, _table(["Time 时间", "Kind 类型", "Ref 编号", "Role 角色", "English", "中文",
                          "Sheltered 集中安置", "Displaced 无处安置", "Relieved 已救助"], rows)]


def _grouped(timeline: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The timeline with consecutive consequences of one kind at one time merged into one row.

    Supplies called from 14 contracts at the same hour become one row naming the others.
    """
    out: list[dict[str, Any]] = []
    more: list[str] = []

    def close() -> None:
        if more:
            names = ", ".join(more[:6]) + (", ..." if len(more) > 6 else "")
            out[-1]["en"] += f"; and {len(more)} more: {names}"
            out[-1]["zh"] += f"；另有{len(more)}处：{names}"
            more.clear()

    for e in timeline:
        prev = out[-1] if out else None
        if prev is not None and e["kind"] == "effect" and prev["kind"] == "effect" \
                and e["ref"] == prev["ref"] and abs(e["t_h"] - prev["t_h"]) < 0.05:
            more.append(str((e.get("data") or {}).get("subject", e["en"])))
            continue
        close()
        out.append(dict(e))
    close()
    return out


def _actions(review: Review) -> list[Block]:
    out = [_h("Expected against actual actions 预期行动与实际行动"),
           _p("An action is late when it was taken after the deadline of the contingency inject "
              "that fires without it; missing when its inject was delivered and no decision took "
              "it. 若行动晚于其条件注入的时限则为延迟；若注入已下达而未采取则为未采取。")]
    if not review.actions:
        out.append(_p("No MSEL: no expected actions. 无情景事件清单，无预期行动。"))
        return out + _other_decisions(review)
    rows = []
    for a in review.actions:
        en, zh = STATUS[a.status]
        rows.append([a.inject, _t(a.inject_at_h), a.role, a.id, a.en, a.zh, f"{en} / {zh}",
                     _t(a.taken_h), a.by, _t(a.deadline_h),
                     "" if a.delay_h is None else f"{a.delay_h:g} h"])
    out.append(_table(["Inject 注入", "At 时间", "To 对象", "Action", "Expected action",
                       "预期行动", "Status 状态", "Taken 采取时间", "By 采取者",
                       "Deadline 时限", "Delay 用时"], rows))
    return out + _other_decisions(review)


def _other_decisions(review: Review) -> list[Block]:
    if not review.other_decisions:
        return []
    return [_h("Decisions outside the MSEL's expected actions 预期行动以外的决策", 3),
            _table(["Time 时间", "Role 角色", "English", "中文"],
                   [[_t(d["t_h"]), d["role"], d["en"], d["zh"]]
                    for d in review.other_decisions])]


def _forks(review: Review) -> list[Block]:
    out = [_h("What the forks said 推演分支结果"),
           _p("A fork runs N futures from the same moment (the same past, independent futures); "
              "with an alternative decision, the same futures are run again with it, and the "
              "difference is paired. P is the share of futures in which the target holds, with "
              "its 95 % interval. 推演分支从同一时刻模拟N种未来；如有备选决策，则在相同未来下再模拟"
              "一次，给出配对差值。P为目标达成的未来所占比例及其95%置信区间。")]
    if not review.forks:
        return [*out, _p("No fork was run. 未进行推演分支。")]
    for f in review.forks:
        dec = f.get("decision")
        taken = f.get("decision_taken")
        head = f"{f.get('id')} at {_t(f.get('t_h'))}: {f.get('futures')} futures"
        if f.get("workers"):
            head += f" on {f.get('workers')} worker{'s' if f.get('workers') != 1 else ''}"
        if f.get("seconds") is not None:
            head += f", {float(f['seconds']):.1f} s"
        out.append(_h(head, 3))
        if dec:
            out.append(_p(f"Alternative: {dec[0]}. 备选决策：{dec[1]}。"))
        if taken:
            out.append(_p(f"Decision taken at this time: {taken['en']}. 此时采取的决策："
                          f"{taken['zh']}。"))
        rows = []
        for t in f.get("targets", []):
            row = [t.get("id"), t.get("clause_en"), t.get("clause_zh"),
                   _p_ci(t.get("p"), t.get("lo"), t.get("hi"))]
            if dec:
                row += [_p_ci(t.get("p_alt"), t.get("lo_alt"), t.get("hi_alt")),
                        _p_ci(t.get("diff"), t.get("diff_lo"), t.get("diff_hi"), signed=True)]
            rows.append(row)
        head_p = (["P(holds) without it 不采取", "P(holds) with it 采取",
                   "Difference 差值 (with - without)"] if dec else ["P(holds) 达成概率"])
        out.append(_table(["Target 目标", "Clause", "条款", *head_p], rows))
        if f.get("fan"):
            out.append(Block("fig", figure=f"fork_{f.get('id')}",
                             text=f"{f.get('id')}: fan of futures / 未来分布 "
                                  f"({f['fan'].get('quantity_en')} / "
                                  f"{f['fan'].get('quantity_zh')})"))
    return out


def _p_ci(p: Any, lo: Any, hi: Any, signed: bool = False) -> str:
    if p is None:
        return "n/a"
    f = "+.2f" if signed else ".2f"
    if lo is None or hi is None:
        return f"{float(p):{f}}"
    return f"{float(p):{f}} [{float(lo):{f}}, {float(hi):{f}}]"


def _targets(review: Review) -> list[Block]:
    rows = [[t.id, t.clause_en, t.clause_zh, _value(t.value, t.unit),
             f"{t.comparison} {_value(t.threshold, t.unit)}",
             "met / 达到" if t.met else "MISSED / 未达到", ", ".join(t.objectives), t.source]
            for t in review.targets]
    return [_h("Targets met or missed 预案目标达成情况"),
            _p("The plan's clauses evaluated on the exercise's run at its end. "
               "预案条款在本次推演模拟结束时的评估结果。"),
            _table(["Target 目标", "Clause", "条款", "Value 数值", "Threshold 要求",
                    "Result 结果", "Objectives 演练目标", "Source 来源"], rows)]


def _zones(review: Review, top: int = 10) -> list[Block]:
    zs = review.zone_relief
    if not zs:
        return []
    h = review.relief_hours
    rows = [[z["zone"], z["zone_zh"], f"{z['people']:,}",
             _pct(z["within"]) if h is not None else "", _hours(z["p95_h"])] for z in zs[:top]]
    more = (f" The {top} slowest of {len(zs)} zones. 共{len(zs)}个区域，列出最慢的{top}个。"
            if len(zs) > top else "")
    return [_h("Where basic relief was slowest 基本生活救助最慢的区域", 3),
            _p("Per zone, the people who needed basic relief, the share relieved within the "
               f"target's {_num(h)} h, and the 95th percentile of their hours from onset to "
               f"relief. 各区域需要基本生活救助的人数、{_num(h)}小时内得到救助的比例、"
               f"及得到救助时间的第95百分位数。{more}"),
            _table(["Zone 区域", "名称", "People 人数", f"Within {_num(h)} h 时限内",
                    "95th pct 第95百分位"], rows)]


def _hours(x: float | None) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    return "not relieved in the run 未救助" if math.isinf(x) else f"{x:.1f} h"


def _analysis(review: Review) -> list[Block]:
    out = [_h("Strengths and areas for improvement 优势与待改进事项"),
           _p("Per objective: a target it is measured by that was met, and an expected action "
              "taken on time, are strengths; a missed target, a late or a missing action is an "
              "area for improvement. 按演练目标：相关预案目标达到、预期行动按时采取为优势；"
              "目标未达到、行动延迟或未采取为待改进事项。")]
    for o in review.objectives:
        out.append(_h(f"{o.id}: {o.capability} {CAPABILITY_ZH.get(o.capability, '')}".strip(),
                      3))
        if o.description or o.description_zh:
            out.append(_p(f"{o.description or ''} {o.description_zh or ''}".strip()))
        out.append(_p(f"Rating 评定: {_rating(o.rating)}"))
        out.append(_p("Strengths 优势:"))
        out.append(Block("list", items=[f"{s.en}\n{s.zh}" for s in o.strengths]
                         or ["none / 无"]))
        out.append(_p("Areas for improvement 待改进事项:"))
        out.append(Block("list", items=[f"{a.en}\n{a.zh}" for a in o.areas] or ["none / 无"]))
    loose = review.unlinked_targets
    if loose:
        out += [_h("Targets outside the objectives 未对应演练目标的预案目标", 3),
                _p("These plan targets measure no core capability of the exercise's objectives; "
                   "they are listed under 'Targets met or missed' and not judged here. "
                   "以下预案目标不对应本次演练目标的核心能力，见“预案目标达成情况”，此处不作评价。"),
                Block("list", items=[f"{t.id}: {'met / 达到' if t.met else 'MISSED / 未达到'}"
                                     for t in loose])]
    return out


def _plan(review: Review, msel: Msel | None) -> list[Block]:
    out = [_h("Improvement plan 改进计划")]
    if not review.improvements:
        return [*out, _p("No area for improvement. 无待改进事项。")]
    roles = {r.id: r for r in msel.roles} if msel is not None else {}

    def owner(rid: str) -> str:
        r = roles.get(rid)
        return rid if r is None else f"{rid} ({r.name or ''} {r.name_zh or ''})".replace(" )", ")")

    rows = [[i.objective, f"{i.capability} {CAPABILITY_ZH.get(i.capability, '')}".strip(),
             i.issue_en, i.issue_zh, i.corrective_en, i.corrective_zh, owner(i.owner)]
            for i in review.improvements]
    return [*out, _table(["Objective 目标", "Capability 能力", "Issue", "问题",
                          "Corrective action", "整改措施", "Owner 责任角色"], rows)]


FIGURES = (("people", "People by state over time 各状态人数随时间变化"),
           ("shelters", "Shelter occupancy 安置点占用"),
           ("stock", "Stock on hand 物资库存"),
           ("relief", "Time to basic relief per person against the target hours "
                      "每人得到基本生活救助的时间与目标时限"))


def _figures_section(keys: Sequence[str]) -> list[Block]:
    out = [_h("Figures 图表"),
           _p("Dotted lines mark the hours of decisions; the solid line the hazard's onset. "
              "虚线为决策时刻，实线为灾害发生时刻。")]
    for key, caption in FIGURES:
        if key in keys:
            out.append(Block("fig", figure=key, text=caption))
    return out


def _files(n_events: int) -> list[Block]:
    return [_h("Files 文件"), Block("list", items=[
        f"events.csv: the run's event log, {n_events:,} events. 模拟事件记录，{n_events:,}条。",
        "exercise.json: the exercise record (metadata, log, forks, status). 演练记录。",
        "review.json: the analysis this report shows. 本报告的分析数据。"])]


def build_blocks(ex: Exercise, result: RunResult, review: Review,
                 figures: Sequence[str]) -> list[Block]:
    """The report as blocks, in order (the same for Markdown and HTML)."""
    m = ex.msel
    name = m.name if m is not None else ex.scenario.name
    name_zh = (m.name_zh or "") if m is not None else ""
    blocks = [_h(f"After-Action Report / Improvement Plan: {name}", 1),
              _p(f"事后评估报告/改进计划：{name_zh or name}")]
    blocks += _overview(ex, result, review)
    blocks += _summary(review)
    blocks += _timeline(review)
    blocks += _actions(review)
    blocks += _forks(review)
    blocks += _targets(review)
    blocks += _zones(review)
    if m is not None:
        blocks += _analysis(review)
        blocks += _plan(review, m)
    blocks += _figures_section(figures)
    blocks += _files(len(result.events))
    n = 0
    for b in blocks:  # number the sections (7 and 8 exist only with an MSEL)
        if b.kind == "h" and b.level == 2:
            n += 1
            b.text = f"{n}. {b.text}"
    return blocks


# -- rendering -------------------------------------------------------------------------------------
def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: Sequence[Block], figure_dir: str = "figures") -> str:
    """The report in Markdown; figures are linked as ``figure_dir/<key>.png``."""
    out: list[str] = []
    for b in blocks:
        if b.kind == "h":
            out += ["#" * b.level + " " + b.text, ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind == "list":
            out += ["- " + x.replace("\n", "  \n  ") for x in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in b.header) + " |")
            out.append("|" + "---|" * len(b.header))
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
            out.append("")
        elif b.kind == "fig":
            out += [f"![{b.text}]({figure_dir}/{b.figure}.png)", "", f"*{b.text}*", ""]
    return "\n".join(out)


_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 1200px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #1f5f8b; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: .88em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #e8eef3; }
td:first-child { white-space: nowrap; }
td.bad { color: #b2182b; font-weight: bold; } td.warn { color: #b35806; font-weight: bold; }
td.good { color: #1a7837; }
tr:nth-child(even) td { background: #f7f9fb; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-style: italic; font-size: .9em; }
"""


_MARKS = (("MISSED", "bad"), ("missing", "bad"), ("late", "warn"), ("met /", "good"),
          ("taken /", "good"))


def _mark(cell: str) -> str:
    """A class for a verdict cell (met, missed, late...), coloured by the page's style."""
    for start, cls in _MARKS:
        if cell.startswith(start):
            return f' class="{cls}"'
    return ""


def render_html(blocks: Sequence[Block], images: Mapping[str, bytes]) -> str:
    """The report as one HTML page: figures inline (base64 PNG), no script, no external link."""
    e = html.escape
    title = next((b.text for b in blocks if b.kind == "h"), "After-Action Report")
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{_STYLE}</style></head><body>"]
    for b in blocks:
        if b.kind == "h":
            out.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif b.kind == "p":
            out.append(f"<p>{e(b.text)}</p>")
        elif b.kind == "list":
            out.append("<ul>" + "".join("<li>" + e(x).replace("\n", "<br>") + "</li>"
                                        for x in b.items) + "</ul>")
        elif b.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            body = "".join("<tr>" + "".join(f"<td{_mark(c)}>{e(c)}</td>" for c in r) + "</tr>"
                           for r in b.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif b.kind == "fig" and b.figure in images:
            data = base64.b64encode(images[b.figure]).decode("ascii")
            out.append(f'<figure><img alt="{e(b.text)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{e(b.text)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


# -- figures and files -----------------------------------------------------------------------------
def _png(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _relief_target(scenario: Scenario) -> tuple[float, float | None]:
    for t in scenario.targets:
        if t.kind == "relief_within":
            return float(t.hours), float(t.share)
    return 10.0, None


def _fork_fan(fork: Mapping[str, Any], lang: Lang = "en") -> Figure:
    from sim.report.cjk_font import font_rc

    if lang == "en":
        return _fork_fan_drawn(fork, lang)
    import matplotlib

    with matplotlib.rc_context(cast(Any, font_rc(lang))):
        return _fork_fan_drawn(fork, lang)


def _fork_fan_drawn(fork: Mapping[str, Any], lang: Lang) -> Figure:
    from sim.report.figures import BANDS, COLOR, FAIL, _figure

    fig = _figure(8, 3.6)
    ax = fig.add_subplot()
    for key, color, label in (
            ("fan", COLOR, say(lang, "without the alternative", "不采用备选决策")),
            ("fan_alt", FAIL, say(lang, "with the alternative", "采用备选决策"))):
        fan = fork.get(key)
        if not fan:
            continue
        t = fan["times"]
        for (a, b), alpha in zip(BANDS, (0.15, 0.3), strict=True):
            ax.fill_between(t, fan[f"q{round(a * 100):02d}"], fan[f"q{round(b * 100):02d}"],
                            color=color, alpha=alpha, lw=0)
        ax.plot(t, fan["q50"], color=color, lw=1.5,
                label=say(lang, f"median, {label}", f"中位数，{label}"))
    fan0 = fork.get("fan") or {}
    ax.set_ylabel(say(lang, "people", "人数"))
    ax.set_xlabel(say(lang, "hours from onset", "灾害发生后小时数"))
    ax.set_title(say(lang, f"{fork.get('id')}: {fork.get('futures')} futures from "
                           f"{_t(fork.get('t_h'))}; {fan0.get('quantity_en', '')}",
                     f"{fork.get('id')}：自{_t(fork.get('t_h'))}起{fork.get('futures')}个未来；"
                     f"{fan0.get('quantity_zh') or fan0.get('quantity_en', '')}"), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _draw(ex: Exercise, result: RunResult, review: Review, lang: Lang = "en"
          ) -> dict[str, bytes]:
    from sim.report import aar_figures as F

    marks = [float(e["t_h"]) for e in review.timeline if e["kind"] == "decision"]
    hours, share = _relief_target(ex.scenario)
    draw: dict[str, Callable[[], Figure]] = {
        "people": lambda: F.people_by_state(result, marks, lang=lang),
        "shelters": lambda: F.shelter_occupancy(result, marks, lang=lang),
        "stock": lambda: F.stock_over_time(result, marks, lang=lang),
        "relief": lambda: F.relief_times(result, hours, share, marks, lang=lang),
    }
    out = {k: _png(f()) for k, f in draw.items()}
    for fk in review.forks:
        if fk.get("fan"):
            out[f"fork_{fk.get('id')}"] = _png(_fork_fan(fk, lang))
    return out


def write_events_csv(result: RunResult, path: Path) -> None:
    """The run's event log as CSV: ``time_h, event, subject, count``, one row per event."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["time_h", "event", "subject", "count"])
        for t, ev, subject, count in result.events:
            w.writerow([f"{t:.6g}", ev, subject, count])


def _json(doc: Any) -> str:
    from sim.exercise.session import jsonable

    return json.dumps(jsonable(doc), ensure_ascii=False, indent=1, allow_nan=False, default=str)


def write_aar(ex: Exercise, out_dir: Path, lang: Lang = "en") -> list[Path]:
    """Write the after-action report of an exercise (run to its end first).

    Parameters
    ----------
    ex : Exercise
        The exercise (:class:`sim.exercise.session.Exercise`); it is finished if it is not.
    out_dir : Path
        Directory to write to (created if missing).
    lang : {"en", "zh"}
        Language of the figures' labels (the report's text is in both languages either way).

    Returns
    -------
    list of Path
        ``aar.md``, ``aar.html``, ``events.csv``, ``exercise.json``, ``review.json`` and the
        figures' PNG files, in that order.
    """
    out_dir = Path(out_dir)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    result = ex.finish()
    review = review_exercise(result, ex.msel, ex.log, ex.forks, ex.scenario)
    images = _draw(ex, result, review, lang)
    blocks = build_blocks(ex, result, review, list(images))
    paths = [out_dir / n for n in ("aar.md", "aar.html", "events.csv", "exercise.json",
                                   "review.json")]
    paths[0].write_text(render_markdown(blocks), encoding="utf-8")
    paths[1].write_text(render_html(blocks, images), encoding="utf-8")
    write_events_csv(result, paths[2])
    paths[3].write_text(_json(ex.record()), encoding="utf-8")
    paths[4].write_text(_json(review.to_dict()), encoding="utf-8")
    for key, png in images.items():
        p = fig_dir / f"{key}.png"
        p.write_bytes(png)
        paths.append(p)
    return paths
