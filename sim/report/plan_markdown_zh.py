"""The plan report in Chinese (``sim report --lang zh``), from its JSON document only.

Every section of :func:`sim.report.plan_markdown.render_markdown` in Chinese, with the same
numbers. Sections whose structure is shared (the verdict table, the failure tables, the zones,
何以达标, the readings, standards, sensitivity and assumptions) are the English module's
functions called with ``lang="zh"``; the sentences Chinese builds differently are here (the
headline, the scenario, the time to basic relief, the response run) and in
:mod:`sim.report.plan_sections_zh`, :mod:`sim.report.failure_zh` and :mod:`sim.report.hold_zh`.
The search's changes of levers without Chinese words are named from the scenario
(:mod:`sim.report.lever_words_zh`). Plan terms carry the project's Chinese names (转移, 集中安置,
基本生活救助, 协议储备); sources, ids and the assumptions' texts stay as written.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.i18n import tr
from sim.report import plan_markdown as M
from sim.report import plan_sections_zh as S
from sim.report.plan_markdown import figure, hours, num

__all__ = ["render_markdown_zh"]

HAZARD_ZH = {"typhoon": "台风", "flood": "洪水", "earthquake": "地震"}

DIST_ZH = {"normal": "正态分布", "uniform": "均匀分布", "triangular": "三角分布",
           "lognormal": "对数正态分布", "truncnormal": "截断正态分布", "beta": "贝塔分布",
           "poisson": "泊松分布", "choice": "离散取值"}

_OUTCOMES = {"needing_relief": "人需要基本生活救助",
             "evacuated_before_onset": "人在灾害发生前转移",
             "displaced_by_hazard": "人因灾失去住所",
             "shelter_peak_total": "人在高峰时集中安置",
             "unplaced_peak": "人在高峰时无处安置",
             "killed": "人死亡", "injured": "人受伤"}

def _scenario_zh(sc: Mapping[str, Any]) -> str:
    stocks = "、".join(f"{tr(tier, 'zh')} {n}个" for tier, n in sc["stock_points"].items())
    parts = [
        f"情景共有{sc['zones']}个区域、{sc['population']:,}名居民；"
        f"{sc['shelters']}处避灾安置场所，规划安置{num(sc['shelter_places'], 'zh')}人"
        + (f"，另有{sc['reserve_shelters']}处备用场所可安置{num(sc['reserve_places'], 'zh')}人"
           if sc["reserve_shelters"] else "")
        + f"；{sum(sc['stock_points'].values())}个物资储备点（{stocks or '无'}）；"
        f"{sc['truck_fleets']}个车队平均{num(sc['trucks_mean'], 'zh')}辆卡车；"
        f"{sc['teams']}支队伍共{sc['team_members']:,}人；"
        f"{sc['supplies']}项协议储备或外部支援物资；{sc['uncertain_inputs']}个不确定输入。"]
    hz = sc.get("hazard_inputs") or []
    if hz:
        from sim.scenario.labels import describe

        txt = "；".join(f"{describe(h['input'], lang='zh')} {num(h['p5'], 'zh')}–"
                       f"{num(h['p95'], 'zh')}（{DIST_ZH.get(h['dist'], h['dist'])}）"
                       for h in hz[:8])
        parts.append(f"灾种为{HAZARD_ZH.get(sc['hazard'], sc['hazard'])}；"
                     f"主要输入在各次模拟中的范围（第5至第95百分位）：{txt}。")
    oc = sc.get("outcomes") or {}
    bits = [f"{num(v['p50'], 'zh')}（{num(v['p5'], 'zh')}–{num(v['p95'], 'zh')}）{_OUTCOMES[k]}"
            for k, v in oc.items() if v is not None and k in _OUTCOMES]
    if bits:
        parts.append("中位数模拟（第5至第95百分位）中：" + "；".join(bits) + "。")
    return "".join(parts)


def _headline(doc: Mapping[str, Any]) -> list[str]:
    t = M.relief_summary(doc)
    if t is None:
        return ["**本情景没有基本生活救助目标。**", ""]
    r = doc["relief"]
    goal = doc["budget"]["goal"]
    verdict = M.verdict(t, goal, "zh")
    reading = doc["scenario"].get("dispersed_relief")
    under = f"（按解读`dispersed_relief: {reading}`）" if reading else ""
    return [f"**灾害发生后{r['hours']:g}小时内基本生活救助能否达到？** "
            f"达标概率 = {M.fmt_p(t, 'zh')}{under}（95% Wilson置信区间，"
            f"{t['applicable_runs']:,}次模拟）："
            f"{verdict}。\n", *S.headline_extra_zh(doc),
            f"**以{goal:.0%}概率达到需要什么：**{M.hold_sentence(doc, 'zh')}\n"]


def _relief(doc: Mapping[str, Any]) -> list[str]:
    r = doc["relief"]
    q = r["quantiles"]
    L = [f"## 基本生活救助时间与{r['hours']:g}小时要求", ""]
    n = r["runs_with_need"]
    if n == 0:
        return [*L, f"{r['runs']:,}次模拟中均无人需要基本生活救助。", ""]
    at_goal = q.get(f"{r['goal']:g}", q.get("0.9"))
    L.append(
        f"从灾害发生到{r['share']:.0%}需要救助的人员获得基本生活救助所需时间（依据"
        f"{'各次模拟的逐小时时间序列' if r.get('from_series') else '各次模拟的救助记录'}）："
        f"中位数{hours(q['0.5'], 'zh')}，第75百分位{hours(q['0.75'], 'zh')}，第90百分位"
        f"{hours(q['0.9'], 'zh')}。{n:,}次模拟中有{r['within_hours']:,}次在{r['hours']:g}小时内达到"
        + (f"；{r['never']:,}次在模拟期内始终未达到{r['share']:.0%}" if r["never"] else "")
        + (f"；{r['runs_without_need']:,}次模拟无人需要救助" if r.get("runs_without_need")
           else "")
        + f"。以{r['goal']:.0%}概率可以承诺的时间（第{100 * r['goal']:.0f}百分位）为"
        f"{hours(at_goal, 'zh')}。")
    L.append("")
    L += figure(doc, "relief_time", "基本生活救助时间")
    return L


def render_markdown_zh(doc: Mapping[str, Any]) -> str:
    """The plan report in Chinese, from its JSON document only.

    Parameters
    ----------
    doc : Mapping
        The report's document (``report.json``), as :func:`sim.report.plan_report.build_report`
        writes it.

    Returns
    -------
    str
        Markdown: every section of the English report, in Chinese. The search's changes of
        levers without Chinese words are named from the report's scenario file
        (:func:`sim.report.lever_words_zh.with_changes_zh`).
    """
    from sim.report.lever_words_zh import with_changes_zh

    doc = with_changes_zh(doc)
    sc = doc["scenario"]
    figs = doc.get("figures", {})
    title = sc["title"].get("zh") or sc["title"]["en"]
    L = [f"# {title}：预案目标能否达到？", "",
         f"由 `sim report {sc['file']} --lang zh`（随机种子{doc['seed']}）根据本目录的 "
         "`report.json` 生成；以下每个数字均来自模拟。", ""]
    L += _headline(doc)
    L += ["## 情景与灾害", "", _scenario_zh(sc), ""]
    L += M.verdict_table_md(doc, "zh")
    if doc.get("relief"):
        L += _relief(doc)
    if figs.get("shelters") or figs.get("stock"):
        L += ["## 避灾安置场所与物资随时间的变化", "",
              f"前{doc['series_runs']}次模拟的扇形图（中位数、25–75%与5–95%的模拟），横轴为灾害"
              "发生后的小时数。", ""]
        L += figure(doc, "shelters", "集中安置人数")
        L += figure(doc, "stock", "物资库存")
    L += _response(doc)
    L += M.failure_md(doc, "zh")
    L += M.zone_waits_md(doc, "zh")
    L += M.hold_md(doc, "zh")
    L += M.readings_md(doc, "zh")
    L += M.standards_md(doc, "zh")
    L += M.sensitivity_md(doc, "zh")
    L += M.assumptions_md(doc, "zh")
    L += S.method_zh(doc)
    return "\n".join(L).rstrip() + "\n"


def _response(doc: Mapping[str, Any]) -> list[str]:
    """The map and the Gantt chart of one representative run, in Chinese."""
    rr = doc.get("response_run")
    if not rr or not doc.get("figures", {}).get("map"):
        return []
    why = (f"其`{rr['target']}`最接近各次模拟中位数的一次" if rr["target"] else "研究的第一次模拟")
    shade = "模拟结束时仍在等待救助的人数" if rr["shade"] == "waiting" else "人口"
    L = ["## 一次模拟中的响应：地图与时间线", "",
         f"研究中的第{rr['run']}次模拟（{why}；随机种子{doc['seed']}的派生键{rr['key']}）。"
         f"地图按{shade}为区域着色，并显示该次模拟中道路的通行状态和灾害峰值强度；甘特图按区域显示"
         "各项响应工作的时间。陆地与海岸线：Natural Earth（公有领域）。", ""]
    return L + figure(doc, "map", "模拟地图") + figure(doc, "gantt", "响应时间线")
