"""One-line descriptions of interventions, in English and Chinese, for logs, console and AAR."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    Aftershock,
    Branch,
    CloseRoads,
    CloseShelter,
    CutLink,
    DispatchTeam,
    ExtendEvacuation,
    ExtraRain,
    HospitalOut,
    Intervention,
    OpenShelter,
    OrderEvacuation,
    RaiseResponseLevel,
    ReleaseAgreement,
    ReopenLink,
    RequestMutualAid,
    SetDeliveryPriority,
    SetDispatchRule,
    StockPointLost,
    SupplierDelayed,
    TeamUnavailable,
    _Harm,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["describe"]


class _Zh:
    """Chinese names of a scenario's zones, shelters, points, teams, hospitals and items."""

    def __init__(self, scenario: Scenario | None) -> None:
        self.names: dict[str, str] = {}
        if scenario is not None:
            for group in (scenario.zones, scenario.shelters, scenario.stock_points,
                          scenario.teams, scenario.hospitals):
                self.names.update({x.name: x.name_zh for x in group if x.name_zh})
            self.names.update({k: v.name_zh for k, v in scenario.items.items() if v.name_zh})
            self.names.update({x.name: x.name_zh for x in scenario.supplies if x.name_zh})

    def __call__(self, name: str) -> str:
        return self.names.get(name, name)


def _n(x: float) -> str:
    """A quantity as people write it: ``20,000``, ``1.5``."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"


def _items(items: Mapping[str, float], zh: _Zh | None = None) -> str:
    if zh is not None:
        return "，".join(f"{zh(k)}{_n(q)}" for k, q in items.items())
    return ", ".join(f"{_n(q)} {k}" for k, q in items.items())


def _for(hours: float | None, zh: bool = False) -> str:
    """`` for 12 h`` / ``12小时`` (nothing when open-ended)."""
    if hours is None:
        return "" if zh else " until further notice"
    return f"{_n(hours)}小时" if zh else f" for {_n(hours)} h"


def _add_stock(it: AddStock, zh: _Zh) -> tuple[str, str]:
    return (f"Supplies arrive at {it.point}: {_items(it.items)}",
            f"物资运抵{zh(it.point)}：{_items(it.items, zh)}")


def _add_vehicles(it: AddVehicles, zh: _Zh) -> tuple[str, str]:
    return (f"{it.count} more vehicles join fleet {it.fleet}",
            f"{zh(it.fleet)}增加{it.count}辆")


def _open_shelter(it: OpenShelter, zh: _Zh) -> tuple[str, str]:
    size = (f"{it.capacity:,} places" if it.capacity is not None
            else f"{_n(it.usable_area_m2 or 0)} m²")
    size_zh = (f"{it.capacity:,}人" if it.capacity is not None
               else f"{_n(it.usable_area_m2 or 0)}平方米")
    return (f"Shelter {it.name} opens in {it.zone} ({size})",
            f"在{zh(it.zone)}开放避灾安置场所{zh(it.name)}（{size_zh}）")


def _close_roads(it: CloseRoads, zh: _Zh) -> tuple[str, str]:
    return (f"Roads of {it.zone} closed for {_n(it.hours)} h",
            f"{zh(it.zone)}道路中断{_n(it.hours)}小时")


def _branch(it: Branch, zh: _Zh) -> tuple[str, str]:
    return (f"Future branch {it.branch} (fork)", f"推演分支{it.branch}（分叉）")


def _pct(x: float) -> str:
    return f"{100 * x:.4g}%"


def _cut_link(it: CutLink, zh: _Zh) -> tuple[str, str]:
    return (f"Road link {it.a}-{it.b} cut{_for(it.hours)}",
            f"{zh(it.a)}-{zh(it.b)}道路中断{_for(it.hours, True) or '（待通知）'}")


def _reopen_link(it: ReopenLink, zh: _Zh) -> tuple[str, str]:
    return (f"Road link {it.a}-{it.b} reopened", f"{zh(it.a)}-{zh(it.b)}道路恢复通行")


def _close_shelter(it: CloseShelter, zh: _Zh) -> tuple[str, str]:
    return (f"Shelter {it.shelter} closed{_for(it.hours)}, its people moved on",
            f"避灾安置场所{zh(it.shelter)}关闭，人员转移安置"
            + (f"（{_for(it.hours, True)}后恢复）" if it.hours is not None else ""))


def _hospital_out(it: HospitalOut, zh: _Zh) -> tuple[str, str]:
    return (f"Hospital {it.hospital} out of service{_for(it.hours)}",
            f"医院{zh(it.hospital)}停电停诊" + (f"{_for(it.hours, True)}" if it.hours else ""))


def _stock_point_lost(it: StockPointLost, zh: _Zh) -> tuple[str, str]:
    lost = f", {_pct(it.share_lost)} of its stock lost" if it.share_lost else ""
    lost_zh = f"，损失{_pct(it.share_lost)}库存" if it.share_lost else ""
    return (f"Stock point {it.point} out of service{_for(it.hours)}{lost}",
            f"物资储备点{zh(it.point)}无法使用{lost_zh}"
            + (f"（{_for(it.hours, True)}）" if it.hours is not None else ""))


def _harm(it: _Harm, zh: _Zh) -> tuple[str, str]:
    parts = [("killed", "killed", "死亡"), ("injured_1", "slightly injured", "轻伤"),
             ("injured_2", "seriously injured", "重伤"), ("injured_3", "critically injured",
                                                          "危重"),
             ("trapped", "trapped", "被困"), ("homes_lost", "homes lost", "失去住所")]
    given = [(label, cn, getattr(it, f)) for f, label, cn in parts if getattr(it, f)]
    if it.sized_by == "share":
        en = ", ".join(f"{_pct(v)} {k}" for k, _, v in given)
        cn = "，".join(f"{c}{_pct(v)}" for _, c, v in given)
    else:
        en = ", ".join(f"{_n(v)} {k}" for k, _, v in given)
        cn = "，".join(f"{c}{_n(v)}人" for _, c, v in given)
    if it.road_block:
        en += (", " if en else "") + f"roads blocked with p={it.road_block:g}"
        cn += ("，" if cn else "") + f"道路阻断概率{it.road_block:g}"
    return en, cn


def _aftershock(it: Aftershock, zh: _Zh) -> tuple[str, str]:
    en, cn = _harm(it, zh)
    mmi = f" (MMI {it.intensity:g})" if it.intensity else ""
    mmi_zh = f"（烈度{it.intensity:g}度）" if it.intensity else ""
    return (f"Aftershock strikes {it.zone}{mmi}: {en}", f"{zh(it.zone)}发生余震{mmi_zh}：{cn}")


_MECHANISM_ZH = {"flash": "山洪", "waterlogging": "内涝", "river": "洪水", "landslide": "滑坡"}


def _extra_rain(it: ExtraRain, zh: _Zh) -> tuple[str, str]:
    en, cn = _harm(it, zh)
    return (f"Extra rain: {it.mechanism} strikes {it.zone}: {en}",
            f"强降雨加剧，{zh(it.zone)}发生{_MECHANISM_ZH[it.mechanism]}：{cn}")


def _supplier_delayed(it: SupplierDelayed, zh: _Zh) -> tuple[str, str]:
    return (f"Supplier {it.supplier} delayed by {_n(it.hours)} h",
            f"{zh(it.supplier)}供货推迟{_n(it.hours)}小时")


def _team_unavailable(it: TeamUnavailable, zh: _Zh) -> tuple[str, str]:
    return (f"{it.count} team(s) of {it.fleet} unavailable for {_n(it.hours)} h",
            f"{zh(it.fleet)}{it.count}支队伍{_n(it.hours)}小时内无法出动")


def _dispatch_team(it: DispatchTeam, zh: _Zh) -> tuple[str, str]:
    task = {"rescue": " for rescue", "roads": " to clear roads", None: ""}[it.task]
    task_zh = {"rescue": "开展救援", "roads": "抢通道路", None: "增援"}[it.task]
    return (f"Send {it.count} team(s) of {it.fleet} to {it.zone}{task}",
            f"派{zh(it.fleet)}{it.count}支队伍赴{zh(it.zone)}{task_zh}")


def _release_agreement(it: ReleaseAgreement, zh: _Zh) -> tuple[str, str]:
    return (f"Call supply {it.supply} now", f"启用{zh(it.supply)}储备")


def _request_mutual_aid(it: RequestMutualAid, zh: _Zh) -> tuple[str, str]:
    en, cn = [], []
    if it.fleet is not None:
        en.append(f"{it.count} vehicles for {it.fleet}")
        cn.append(f"{zh(it.fleet)}车辆{it.count}辆")
    if it.point is not None and it.items is not None:
        en.append(f"{_items(it.items)} to {it.point}")
        cn.append(f"{_items(it.items, zh)}运抵{zh(it.point)}")
    return (f"Request mutual aid, arriving in {_n(it.lead_h)} h: {'; '.join(en)}",
            f"请求外部支援，{_n(it.lead_h)}小时后到达：{'；'.join(cn)}")


def _zones(zones: list[str], zh: _Zh | None = None) -> str:
    return "、".join(zh(z) for z in zones) if zh is not None else ", ".join(zones)


def _order_evacuation(it: OrderEvacuation, zh: _Zh) -> tuple[str, str]:
    return (f"Order evacuation of {_pct(it.share)} of residents in {_zones(it.zones)}",
            f"命令{_zones(it.zones, zh)}转移{_pct(it.share)}居民")


def _extend_evacuation(it: ExtendEvacuation, zh: _Zh) -> tuple[str, str]:
    return (f"Extend evacuation by {_pct(it.by)} of residents in {_zones(it.zones)}",
            f"扩大{_zones(it.zones, zh)}转移范围，增加{_pct(it.by)}居民")


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def _raise_level(it: RaiseResponseLevel, zh: _Zh) -> tuple[str, str]:
    return (f"Response raised to level {_ROMAN[it.level]}",
            f"应急响应提升至{_LEVEL_ZH[it.level]}")


def _dispatch_rule(it: SetDispatchRule, zh: _Zh) -> tuple[str, str]:
    en = {"nearest": "nearest stock point first", "tiered": "lowest stockpile tier first"}
    cn = {"nearest": "就近调运", "tiered": "按储备层级逐级调运"}
    return (f"Dispatch rule: {en[it.rule]}", f"物资调运规则：{cn[it.rule]}")


def _priority(it: SetDeliveryPriority, zh: _Zh) -> tuple[str, str]:
    names = [*it.shelters, *it.zones]
    return (f"Deliveries to {_zones(names)} first", f"优先向{_zones(names, zh)}配送物资")


_TEXT: dict[type, Callable[[Any, _Zh], tuple[str, str]]] = {
    AddStock: _add_stock,
    AddVehicles: _add_vehicles,
    OpenShelter: _open_shelter,
    CloseRoads: _close_roads,
    Branch: _branch,
    CutLink: _cut_link,
    ReopenLink: _reopen_link,
    CloseShelter: _close_shelter,
    HospitalOut: _hospital_out,
    StockPointLost: _stock_point_lost,
    Aftershock: _aftershock,
    ExtraRain: _extra_rain,
    SupplierDelayed: _supplier_delayed,
    TeamUnavailable: _team_unavailable,
    DispatchTeam: _dispatch_team,
    ReleaseAgreement: _release_agreement,
    RequestMutualAid: _request_mutual_aid,
    OrderEvacuation: _order_evacuation,
    ExtendEvacuation: _extend_evacuation,
    RaiseResponseLevel: _raise_level,
    SetDispatchRule: _dispatch_rule,
    SetDeliveryPriority: _priority,
}


def describe(it: Intervention, scenario: Scenario | None = None) -> tuple[str, str]:
    """One line in English and one in Chinese saying what an intervention does.

    Parameters
    ----------
    it : Intervention
        Any kind of intervention.
    scenario : Scenario, optional
        When given, the Chinese line uses the ``name_zh`` of the zones, shelters, stock points,
        teams, hospitals and items it names.

    Returns
    -------
    tuple of (str, str)
        ``(english, chinese)``, e.g. ``("Roads of x closed for 6 h", "x道路中断6小时")``.
        Names are the scenario's, in Chinese where it gives ``name_zh``.

    Examples
    --------
    >>> from sim.interventions import parse_intervention
    >>> describe(parse_intervention({"kind": "close_roads", "at_h": 6, "zone": "x", "hours": 12}))
    ('Roads of x closed for 12 h', 'x道路中断12小时')
    """
    return _TEXT[type(it)](it, _Zh(scenario))
