"""The console's words in English and Chinese (指挥台界面文字).

The page (``sim/exercise/static/``) carries no words of its own: ``console.js`` reads every label
from the table the server sends with ``/api/meta`` (:func:`strings`), and the decision and fork
forms' field and kind names from ``/api/schema`` (:func:`form_labels`). English is the default
and is the page as it has always been (English with its Chinese beside it); Chinese is Chinese
only. A template's ``{name}`` fields are filled in by the page.

>>> strings("zh")["btn.step"]
'推进1小时'
"""

from __future__ import annotations

from typing import Any

from sim.i18n import Lang

__all__ = ["FIELD_ZH", "KIND_ZH", "STRINGS", "form_labels", "scenario_names_zh", "strings"]

STRINGS: dict[str, tuple[str, str]] = {
    # the page's fixed words (elements with data-t in index.html)
    "title": ("Exercise console · 演练指挥台", "演练指挥台"),
    "busy": ("fork running · 推演中", "推演中"),
    "h.clock": ("Clock · 时钟", "时钟"),
    "btn.step": ("Step 1 h · 推进1小时", "推进1小时"),
    "label.to": ("to T =", "推进至 T ="),
    "btn.to": ("Go · 推进至", "推进"),
    "btn.next": ("Next inject · 下一条注入", "下一条注入"),
    "btn.save": ("Save · 保存", "保存"),
    "btn.report": ("End & write report · 结束并生成评估报告", "结束并生成评估报告"),
    "h.zones": ("Zones · 区域", "区域"),
    "h.zones.sub": ("(people by state · 人员状态)", "（人员状态）"),
    "map.label": ("map of the zones", "区域地图"),
    "h.feed": ("Inject feed · 信息流", "信息流"),
    "h.fork": ("Last fork · 最近一次推演", "最近一次推演"),
    "fan.label": ("fan chart of the last fork", "最近一次推演的扇形图"),
    "fan.none": ("No fork yet · 尚未推演", "尚未推演"),
    "h.targets": ("Targets · 预案目标", "预案目标"),
    "h.decision": ("Decision · 决策", "决策"),
    "label.by": ("by · 角色", "角色"),
    "label.action": ("action · 预期行动", "预期行动"),
    "label.note": ("note · 说明", "说明"),
    "btn.decide": ("Decide now · 立即决策", "立即决策"),
    "btn.inject": ("Inject now · 立即注入", "立即注入"),
    "h.forkform": ("Fork · 推演分叉", "推演分叉"),
    "label.futures": ("futures · 未来情景数", "未来情景数"),
    "fork.hint": ("Optional alternative decision (paired difference) · "
                  "可选的替代决策（配对差异）", "可选的替代决策（配对差异）"),
    "btn.fork": ("Fork · 分叉推演", "分叉推演"),
    "h.shelters": ("Shelters · 避灾安置场所", "避灾安置场所"),
    "h.stock": ("Stock · 物资储备", "物资储备"),
    "h.vehicles": ("Vehicles · 车辆 & teams · 队伍", "车辆与队伍"),
    "footer.before": ("Served locally by", "由"),
    "footer.after": ("; no internet needed · 本地服务，无需联网.", "本地服务，无需联网。"),
    # words the script writes
    "view.players": ("Players' view · 参演人员视图", "参演人员视图"),
    "view.facilitator": ("Facilitator's view · 导调视图 (players: /players)",
                         "导调视图（参演人员视图：/players）"),
    "seed": ("seed {seed}", "随机种子 {seed}"),
    "clock.ended": (" · ended 结束", " · 已结束"),
    "next": ("Next inject · 下一条: #{n} at {t} → {to}: {synopsis}",
             "下一条注入：#{n}，{t}，发往{to}：{synopsis}"),
    "next.contingency": (" (contingency · 应急)", "（应急注入）"),
    "next.none": ("No more injects due · 无待发注入", "无待发注入"),
    "legend.marks": ("■ shelter 安置点 · ▲ stock point 储备点 · ● teams 队伍",
                     "■ 安置点 · ▲ 储备点 · ● 队伍"),
    "closed": ("closed · 未开放", "未开放"),
    "shelter.closed": (" · closed 未开放", " · 未开放"),
    "stock.lost": (" · lost 损毁", " · 损毁"),
    "vehicles.busy": ("{fleet} ({kind}) busy · 执行任务", "{fleet}（{kind}）执行任务"),
    "th.team": ("team 队伍", "队伍"),
    "th.zone": ("zone 区域", "区域"),
    "th.task": ("task 任务", "任务"),
    "team.idle": ("idle 待命", "待命"),
    "team.last": (" · {what} in {zone} until {t}", " · {what}（{zone}），至{t}"),
    "th.target": ("target 目标", "目标"),
    "th.value": ("value 当前值", "当前值"),
    "th.threshold": ("threshold 阈值", "阈值"),
    "verdict.missed": ("missed 未达成", "未达成"),
    "verdict.risk": ("at risk 有风险", "有风险"),
    "verdict.met": ("met 达成", "达成"),
    "form.name": ("name", "名称"),
    "form.value": ("value", "数值"),
    "kinds.decisions": ("Decisions · 决策", "决策"),
    "kinds.events": ("Events · 事件", "事件"),
    "kinds.all": ("Kinds · 类型", "类型"),
    "decide.none": ("— no model effect · 仅记录 —", "— 仅记录，不影响模型 —"),
    "decide.kind": ("decision or event · 决策或事件", "决策或事件"),
    "fork.none": ("— none · 无 —", "— 无 —"),
    "fork.kind": ("alternative · 替代决策", "替代决策"),
    "fork.started": ("fork of {n} futures started · 推演开始", "推演开始：{n}个未来情景"),
    "fork.running": ("running · 推演中: {n} futures, {s} s", "推演中：{n}个未来情景，已用{s}秒"),
    "fork.estimate": (" of about {s} s", "（预计约{s}秒）"),
    "fork.failed": ("failed · 失败: {error}", "失败：{error}"),
    "fork.title": ("{id} at {t}, {n} futures, {s} s", "{id}，{t}，{n}个未来情景，用时{s}秒"),
    "fork.alternative": (" · alternative 替代: {what}", " · 替代决策：{what}"),
    "th.p": ("P(holds) 达成概率", "达成概率"),
    "th.p_alt": ("P alternative 替代", "替代决策达成概率"),
    "th.diff": ("difference 差异", "差异"),
    "pts": ("pts", "个百分点"),
    "fan.caption": ("median, 50 % and 90 % of futures", "中位数及50%、90%未来情景区间"),
    "fan.dashed": (" · dashed: alternative", " · 虚线：替代决策"),
    "act.one": (" · 1 new entry", " · 新增1条记录"),
    "act.many": (" · {n} new entries", " · 新增{n}条记录"),
    "saved": ("saved at {t} · 已保存: {path}", "已保存（{t}）：{path}"),
    "report.confirm": ("Run the exercise to its end and write the after-action report?\n"
                       "结束演练并生成评估报告？", "结束演练并生成评估报告？"),
    "report.writing": ("writing the report · 正在生成报告…", "正在生成报告…"),
    "report.written": ("report written · 报告已生成: {files}", "报告已生成：{files}"),
    "error": ("{error}", "错误：{error}"),
    # people's states (the map's legend and pies) and the feed's entry kinds
    "state.at_home": ("at_home 在家", "在家"),
    "state.warned": ("warned 已预警", "已预警"),
    "state.evacuating": ("evacuating 转移中", "转移中"),
    "state.sheltered": ("sheltered 集中安置", "集中安置"),
    "state.dispersed": ("dispersed 分散安置", "分散安置"),
    "state.exposed": ("exposed 受灾暴露", "受灾暴露"),
    "state.displaced": ("displaced 无家可归", "无家可归"),
    "state.injured": ("injured 受伤", "受伤"),
    "state.trapped": ("trapped 被困", "被困"),
    "state.rescued": ("rescued 获救", "获救"),
    "state.killed": ("killed 死亡失踪", "死亡失踪"),
    "log.inject": ("inject 注入", "注入"),
    "log.contingency": ("contingency 应急注入", "应急注入"),
    "log.decision": ("decision 决策", "决策"),
    "log.fork": ("fork 推演", "推演"),
    "log.effect": ("effect 效果", "效果"),
    "log.note": ("note 备注", "备注"),
    # vehicle kinds and team tasks as the status names them
    "vkind.truck": ("truck", "货车"),
    "vkind.bus": ("bus", "客车"),
    "vkind.ambulance": ("ambulance", "救护车"),
    "vkind.boat": ("boat", "船只"),
    "vkind.helicopter": ("helicopter", "直升机"),
    "task.idle": ("idle", "待命"),
    "task.at work": ("at work", "作业中"),
    "task.turnout": ("turnout", "出动"),
    "task.rest": ("rest", "休整"),
    "task.extract": ("extract", "搜救"),
    "task.clear": ("clear", "道路抢通"),
    "task.open_shelter": ("open_shelter", "开设安置场所"),
    "task.travel": ("travel", "行驶"),
}
"""Key -> (English, Chinese): every word the console's page shows."""

KIND_ZH: dict[str, str] = {
    "add_stock": "补充物资",
    "add_vehicles": "增派车辆",
    "aftershock": "余震",
    "branch": "情景分支",
    "close_roads": "封闭道路",
    "close_shelter": "关闭安置场所",
    "cut_link": "道路中断",
    "dispatch_team": "派遣救援队伍",
    "extend_evacuation": "扩大转移范围",
    "extra_rain": "追加降雨",
    "hospital_out": "医院停止收治",
    "open_shelter": "开放安置场所",
    "order_evacuation": "下达转移命令",
    "raise_response_level": "提升应急响应级别",
    "release_agreement": "启用协议储备",
    "reopen_link": "道路恢复通行",
    "request_mutual_aid": "请求跨区支援",
    "set_delivery_priority": "设定配送优先顺序",
    "set_dispatch_rule": "设定调度规则",
    "stock_point_lost": "储备点损毁",
    "supplier_delayed": "供应商延误",
    "team_unavailable": "救援队伍不可用",
}
"""Intervention kind -> its Chinese name (the forms' kind lists)."""

FIELD_ZH: dict[str, str] = {
    "a": "起点区域",
    "at_h": "时间（小时）",
    "b": "终点区域",
    "branch": "分支",
    "by": "执行方",
    "capacity": "容量（人）",
    "count": "数量",
    "fleet": "车队或队伍",
    "homes_lost": "倒损房屋（户）",
    "hospital": "医院",
    "hours": "时长（小时）",
    "injured_1": "重伤人数",
    "injured_2": "中度伤人数",
    "injured_3": "轻伤人数",
    "intensity": "烈度",
    "items": "物资",
    "killed": "死亡人数",
    "kind": "类型",
    "lead_h": "提前量（小时）",
    "level": "响应级别",
    "mechanism": "机制",
    "name": "名称",
    "note": "说明",
    "point": "储备点",
    "road_block": "道路阻断",
    "roads_closed_h": "道路封闭时长（小时）",
    "rule": "规则",
    "share": "比例",
    "share_lost": "损失比例",
    "shelter": "安置场所",
    "shelters": "安置场所",
    "sized_by": "规模依据",
    "supplier": "供应商",
    "supply": "供应协议",
    "task": "任务",
    "trapped": "被困人数",
    "usable_area_m2": "可用面积（平方米）",
    "zone": "区域",
    "zones": "区域",
}
"""Intervention field -> its Chinese label (the forms' field titles)."""


def strings(lang: Lang) -> dict[str, str]:
    """The page's words in one language.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language.

    Returns
    -------
    dict of str to str
        Key -> the words (same keys in both languages).
    """
    i = 0 if lang == "en" else 1
    return {key: pair[i] for key, pair in STRINGS.items()}


def form_labels(lang: Lang) -> dict[str, dict[str, str]]:
    """The forms' kind and field labels: empty for English (the page shows the names).

    Parameters
    ----------
    lang : {"en", "zh"}
        The language.

    Returns
    -------
    dict
        ``{"kinds": {kind: label}, "fields": {field: label}}``.
    """
    if lang == "en":
        return {"kinds": {}, "fields": {}}
    return {"kinds": dict(KIND_ZH), "fields": dict(FIELD_ZH)}


def scenario_names_zh(scenario: Any, roles: Any = ()) -> dict[str, str]:
    """Chinese names of the scenario's zones, shelters, stock points, items, fleets, roles.

    Parameters
    ----------
    scenario : Scenario
        The scenario (entities with ``name`` and ``name_zh``; items keyed by name).
    roles : iterable, optional
        The MSEL's roles (``id`` and ``name_zh``).

    Returns
    -------
    dict of str to str
        Name -> Chinese name, for the names that have one.
    """
    out: dict[str, str] = {}
    for group in ("zones", "shelters", "stock_points", "vehicles", "teams", "hospitals",
                  "supplies"):
        for e in getattr(scenario, group, None) or []:
            zh = getattr(e, "name_zh", None)
            if zh:
                out[str(e.name)] = str(zh)
    for name, item in (getattr(scenario, "items", None) or {}).items():
        zh = getattr(item, "name_zh", None)
        if zh:
            out[str(name)] = str(zh)
    for r in roles:
        if getattr(r, "name_zh", None):
            out[str(r.id)] = str(r.name_zh)
    return out
