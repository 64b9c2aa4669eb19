"""Plain names of a scenario's uncertain inputs, in English and Chinese, with their units.

An uncertain input is named by its path (``hazard.rmw_km``, ``vehicles[city_trucks].count``,
``stock_points[county_depot].items.quilt``); reports show those paths to people who plan relief,
so each gets a plain name: :func:`input_label` returns the pair (English, Chinese), e.g.

>>> input_label("hazard.rmw_km")
Label(en='radius of maximum wind, km', zh='最大风速半径（千米）')

Hazard coefficients are named from a table (:data:`HAZARD`); per-entity inputs (zones, shelters,
stock points, fleets, hospitals, supplies, the warning chain) by rule, using the entity's
``name_zh`` and the item's ``name_zh`` and unit where the scenario gives them. A path no rule
knows raises :class:`KeyError` in :func:`input_label`; :func:`describe` never raises and falls
back to the path's words (the test suite checks that no input of a bundled scenario needs it).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["HAZARD", "RESPONSE", "Label", "describe", "input_label", "input_labels"]


class Label(NamedTuple):
    """The plain name of an input in English and in Chinese, unit included."""

    en: str
    zh: str

    def both(self) -> str:
        """``English (中文)``."""
        return f"{self.en} ({self.zh})"


HAZARD: dict[str, tuple[str, str]] = {
    # typhoon
    "hazard.max_wind_ms": ("maximum sustained wind at landfall, m/s", "登陆时最大风速（米/秒）"),
    "hazard.rmw_km": ("radius of maximum wind, km", "最大风速半径（千米）"),
    "hazard.holland_b": ("storm profile peakedness (Holland B)",
                         "台风风廓线形状参数（Holland B）"),
    "hazard.heading_deg": ("direction the storm moves at landfall, degrees from north",
                           "登陆时台风移动方向（度，自正北起算）"),
    "hazard.translation_speed_kmh": ("forward speed of the storm, km/h",
                                     "台风移动速度（千米/小时）"),
    "hazard.landfall_offset_km": ("landfall point shifted along the coast from the forecast, km",
                                  "实际登陆点相对预报的沿岸偏移（千米）"),
    "hazard.warning_lead_h": ("warning lead before landfall, h", "预警提前时间（小时）"),
    "hazard.road_reopen_after_h": (
        "hours after the wind drops below the closure wind until roads reopen, h",
        "风力降至封路标准以下后道路恢复通行所需时间（小时）"),
    "hazard.damage.v_half_ms": ("wind at which buildings lose half their value, m/s",
                                "房屋损失一半价值时的风速（米/秒）"),
    "hazard.damage.displaced_per_damage": (
        "share of residents left homeless per unit of wind damage",
        "单位风灾损失率对应的无家可归居民比例"),
    "hazard.surge.tide_m": ("astronomical tide when the surge arrives, m above mean sea level",
                            "风暴潮来临时天文潮位（米，平均海平面以上）"),
    "hazard.surge.duration_h": ("hours the land behind the coast stays flooded, h",
                                "沿海低地淹没持续时间（小时）"),
    # earthquake
    "hazard.magnitude": ("earthquake magnitude (Ms)", "地震震级（面波震级 Ms）"),
    "hazard.depth_km": ("focal depth, km", "震源深度（千米）"),
    "hazard.epicentre_east_km": ("epicentre shifted east, km", "震中向东偏移（千米）"),
    "hazard.epicentre_north_km": ("epicentre shifted north, km", "震中向北偏移（千米）"),
    "hazard.strike_deg": ("fault strike (long axis of the shaking), degrees",
                          "断层走向（烈度长轴方位，度）"),
    "hazard.intensity_epsilon": (
        "ground shaking above or below the attenuation law's median, in standard deviations",
        "烈度衰减残差（标准差）"),
    "hazard.hour_of_day": ("local hour of the mainshock, 0-24", "主震发生时刻（时，0-24）"),
    "hazard.trapped_share": ("share of survivors in collapsed buildings who are trapped",
                             "倒塌房屋中幸存者被埋压比例"),
    "hazard.road_reopen_h": ("hours to clear blocked roads, h", "受阻道路抢通时间（小时）"),
    "hazard.occupancy.day": ("share of people indoors in the daytime", "白天室内人员比例"),
    "hazard.occupancy.night": ("share of people indoors at night", "夜间室内人员比例"),
    "hazard.occupancy.commute": ("share of people indoors at commuting hours",
                                 "通勤时段室内人员比例"),
    "hazard.aftershocks.b_value": ("aftershock magnitude slope (Gutenberg-Richter b)",
                                   "余震震级-频度关系斜率（G-R b 值）"),
    "hazard.aftershocks.c_days": ("aftershock decay time offset (Omori c), days",
                                  "余震衰减时间常数（Omori c，天）"),
    "hazard.aftershocks.delta_m": ("mainshock minus largest aftershock magnitude (Båth Δm)",
                                   "主震与最大余震震级差（Båth Δm）"),
    # flood, flash flood, landslide
    "hazard.rain.total_mm": ("storm rainfall (areal mean), mm", "过程面雨量（毫米）"),
    "hazard.rain.duration_h": ("rainfall duration, h", "降雨历时（小时）"),
    "hazard.rain.start_h": ("hour the rain starts on the run's clock, h",
                            "降雨开始时刻（小时）"),
    "hazard.rain.peak_fraction": ("timing of the rain's peak, as a share of its duration",
                                  "雨峰出现时刻占降雨历时的比例"),
    "hazard.river.peak_level_m": ("peak river stage at the gauge, m", "控制站洪峰水位（米）"),
    "hazard.river.rise_h": ("hours the river takes to rise to its peak, h",
                            "洪水涨水历时（小时）"),
    "hazard.river.fall_h": ("hours the river takes to fall from its peak, h",
                            "洪水退水历时（小时）"),
    "hazard.water.cleanup_h": ("hours after the water recedes until roads and facilities reopen, h",
                               "洪水退后道路与设施恢复所需时间（小时）"),
    "hazard.water.displaced_per_damage": (
        "share of residents left homeless per unit of flood damage",
        "单位洪水损失率对应的无家可归居民比例"),
    "hazard.water.trapped_share": ("share of people in deep water who are trapped",
                                   "深水区人员被困比例"),
    "hazard.landslide.fragility_median_ratio": (
        "rain over the slide threshold, as a multiple, at which half the hazard points fail",
        "隐患点半数失稳时的降雨超阈值倍数"),
    "hazard.landslide.fragility_beta": ("spread of the slope failure curve (lognormal beta)",
                                        "滑坡易损性曲线离散度（对数正态β）"),
    "hazard.landslide.antecedent_mm": ("rain of the days before the storm (effective), mm",
                                       "前期有效降雨量（毫米）"),
    "hazard.landslide.antecedent_scale_mm": (
        "earlier rain that makes slopes fail at a third of the rain excess, mm",
        "使失稳所需超阈值倍数降至约三分之一的前期雨量（毫米）"),
    "hazard.landslide.residents_per_point": ("residents threatened per landslide hazard point",
                                             "每处地质灾害隐患点受威胁人数"),
    "hazard.landslide.deaths_per_failure": ("dead and missing per failed hazard point",
                                            "每起地质灾害死亡失踪人数"),
    "hazard.landslide.trapped_per_failure": ("people buried alive per failed hazard point",
                                             "每起地质灾害被埋压幸存人数"),
    "hazard.landslide.registered_share": (
        "share of hazard-point residents at monitored registered points",
        "纳入群测群防监测的隐患点居民比例"),
    "hazard.landslide.warning_success": (
        "chance the monitoring warns and moves hazard-point residents in time",
        "群测群防与气象风险预警及时转移隐患点居民的概率"),
    "hazard.landslide.warning_lead_h": ("hours before a slide that warned residents are moved, h",
                                        "滑坡发生前提前转移时间（小时）"),
    "hazard.landslide.road_reopen_h": ("hours to clear a landslide from a road, h",
                                       "滑坡阻断道路抢通时间（小时）"),
}
"""Plain names of the hazard coefficients, by input path."""

RESPONSE: dict[str, tuple[str, str]] = {
    "response.warning.coverage": ("share of people the warning reaches", "预警信息覆盖率"),
    "response.warning.spread_h": ("hours over which the warning reaches people, h",
                                  "预警信息传播历时（小时）"),
    "response.evacuation.compliance": ("share of warned people told to leave who leave",
                                       "接到转移指令的群众实际转移比例"),
    "response.evacuation.dispersed_share": (
        "share of people leaving home who stay with relatives (dispersed, 分散安置)",
        "投亲靠友分散安置比例"),
    "response.evacuation.mobilisation_h": ("hours between being warned and leaving, h",
                                           "接到预警至出发转移的时间（小时）"),
    "response.evacuation.return_after_h": (
        "hours after roads reopen until people with usable homes return, h",
        "道路恢复后房屋完好群众返家时间（小时）"),
    "response.evacuation.risk_concentration": (
        "share of the harm that falls on the people the evacuation order targets",
        "灾害伤亡损失集中于转移对象人群的比例"),
    "response.evacuation.transport_share": (
        "share of people going to a shelter who need an evacuation vehicle",
        "需车辆转运的避险群众比例"),
    "response.rescue.extraction_h": ("hours for a team to extract one trapped person (median), h",
                                     "救援队营救一名被困人员所需时间（中位数，小时）"),
    "response.rescue.turnout_min": ("minutes from the call until a team leaves its base, min",
                                    "救援队接警出动时间（分钟）"),
    "response.medical.untreated_sev3_mean_h": (
        "mean hours a critically injured patient survives without hospital care, h",
        "危重伤员未获救治时的平均存活时间（小时）"),
    "response.air.dispatch_min": ("minutes from a request to an aircraft taking off, min",
                                  "航空救援接报至起飞时间（分钟）"),
    "response.logistics.handout_households_per_team_h": (
        "households one village team hands relief items to per hour",
        "每支村级队伍每小时发放物资户数"),
    "response.logistics.cover_days": ("days of needs a shelter orders to hold, days",
                                      "避难场所物资申领保障天数（天）"),
    "response.logistics.dispatch": ("relief dispatch rule (nearest stock point, or tier by tier)",
                                    "物资调运规则（就近调运或按储备层级逐级调运）"),
    "response.shelter.registration_min": ("minutes to register one household at a desk, min",
                                          "每户登记平均用时（分钟）"),
    "response.shelter.damage_factor": (
        "multiplier of the chance a shelter is put out of service by the hazard",
        "避难场所因灾停用概率的放大系数"),
    "response.rescue.extraction_sigma": ("spread of one extraction's duration (log-sd)",
                                         "单次营救用时离散度（对数标准差）"),
    "response.rescue.rest_h": ("rest after a shift, h", "救援队轮休时间（小时）"),
    "response.medical.first_aid_h": ("hours of on-site first aid for a minor injury, h",
                                     "轻伤员现场救治时间（小时）"),
    "response.medical.stay_h": ("hours in a hospital bed for a serious or critical injury, h",
                                "重伤和危重伤员住院时间（小时）"),
    "response.medical.load_h": ("hours to load or hand over a patient, h",
                                "伤员装载与交接时间（小时）"),
    "response.air.on_scene_h": ("hours on scene per air sortie, h",
                                "航空救援每架次现场作业时间（小时）"),
    "roads.damage.clear_h": ("hours for one crew to clear one blocked road (median), h",
                             "一支抢通队伍打通一条受阻道路所需时间（中位数，小时）"),
    "roads.damage.median": ("intensity that blocks half the road links",
                            "致半数道路受阻的烈度"),
}
"""Plain names of the response rules' uncertain parameters, by input path."""

_SEVERITY = {"0": ("1 (minor)", "1级（轻伤）"), "1": ("2 (serious)", "2级（重伤）"),
             "2": ("3 (critical)", "3级（危重）")}

_ZONE_FIELDS: dict[str, tuple[str, str]] = {
    "evacuation_share": ("share of residents of {en} the evacuation order targets",
                         "{zh}需转移人口比例"),
    "exposure.coast.distance_km": ("distance of {en}'s low-lying part from the shore, km",
                                   "{zh}低洼区距海岸线距离（千米）"),
    "exposure.coast.ground_m": ("ground height of {en}'s low-lying part above sea level, m",
                                "{zh}低洼区地面高程（米）"),
    "exposure.coast.seawall_crest_m": ("seawall crest of {en} above sea level, m",
                                       "{zh}海堤堤顶高程（米）"),
    "exposure.flash.bankfull_depth_m": ("depth at which {en}'s stream overtops its banks, m",
                                        "{zh}河道平滩水深（米）"),
    "exposure.flash.catchment_km2": ("catchment area above {en}, km²",
                                     "{zh}上游集水面积（平方千米）"),
    "exposure.flash.channel_width_m": ("width of {en}'s stream channel, m",
                                       "{zh}河道宽度（米）"),
    "exposure.flash.runoff_coefficient": ("runoff coefficient of {en}'s catchment",
                                          "{zh}流域径流系数"),
    "exposure.flash.slope": ("slope of {en}'s main stream, m/m", "{zh}主河道比降（米/米）"),
    "exposure.flash.stream_length_km": ("length of {en}'s main stream, km",
                                        "{zh}主河道长度（千米）"),
    "exposure.flash.manning_n": ("roughness of {en}'s stream channel (Manning n)",
                                 "{zh}河道糙率（曼宁系数）"),
    "exposure.landslide.share": ("share of residents of {en} living at landslide hazard points",
                                 "{zh}居住在地质灾害隐患点的人口比例"),
    "exposure.river.ground_m": ("floodplain ground level of {en} (gauge datum), m",
                                "{zh}河滩地面高程（测站基面，米）"),
    "exposure.river.lag_h": ("hours the flood wave takes from the gauge to {en}, h",
                             "洪水自控制站传播至{zh}的时间（小时）"),
    "exposure.river.levee_crest_m": ("levee crest of {en} (gauge datum), m",
                                     "{zh}堤防堤顶高程（测站基面，米）"),
    "exposure.river.share": ("share of residents of {en} living on the floodplain",
                             "{zh}居住在河滩洪泛区的人口比例"),
    "exposure.waterlogging.drainage_mm_h": ("rain intensity {en}'s drains carry away, mm/h",
                                            "{zh}排水能力（毫米/小时）"),
    "exposure.waterlogging.share": ("share of residents of {en} in low-lying streets",
                                    "{zh}居住在易涝低洼街区的人口比例"),
}

_BUILDINGS: dict[str, tuple[str, str]] = {
    "adobe": ("adobe", "土坯"), "urm": ("unreinforced masonry", "无筋砌体"),
    "confined_masonry": ("confined masonry", "约束砌体（砖混）"),
    "rc_frame": ("reinforced-concrete frame", "钢筋混凝土框架"),
    "timber": ("timber", "木结构"), "steel": ("steel", "钢结构"),
}

_KIND = {"truck": ("trucks", "卡车"), "bus": ("buses", "客车"), "boat": ("boats", "船只"),
         "ambulance": ("ambulances", "救护车"), "helicopter": ("helicopters", "直升机")}

_TIER = {"city": ("city", "市级"), "county": ("county", "县级"),
         "township": ("township", "乡镇级"), "village": ("village", "村级")}

_UNIT_ZH = {"meal pack": "份", "meal": "份", "L": "升", "piece": "件", "tent": "顶",
            "kg": "千克", "set": "套"}

_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[\]]+")


def _find(items: Any, key: str) -> Any:
    """The list item named ``key`` (or at position ``key``), else None."""
    if not isinstance(items, list):
        return None
    for it in items:
        if getattr(it, "name", None) == key or getattr(it, "id", None) == key:
            return it
    if key.isdigit() and int(key) < len(items):
        return items[int(key)]
    return None


def _item(scenario: Any, key: str) -> tuple[str, str, str, str]:
    """An item's English name, Chinese name, unit and Chinese unit."""
    it = None if scenario is None else getattr(scenario, "items", {}).get(key)
    en = key.replace("_l", "").replace("_", " ") if key.endswith("_l") else key.replace("_", " ")
    zh = getattr(it, "name_zh", None) or key
    unit = str(getattr(it, "unit", "") or ("L" if key.endswith("_l") else "units"))
    return en, zh, unit, _UNIT_ZH.get(unit, unit)


def _zone_names(scenario: Any, key: str) -> tuple[str, str]:
    z = _find(getattr(scenario, "zones", None), key) if scenario is not None else None
    zh = getattr(z, "name_zh", None)
    return f"zone {key}", zh or key


def _entity(head: str, key: str, rest: list[str], scenario: Any) -> Label:
    obj = _find(getattr(scenario, head, None), key) if scenario is not None else None
    zh_name = getattr(obj, "name_zh", None)
    field = ".".join(rest)
    if head == "zones":
        en, zh = _zone_names(scenario, key)
        if field in _ZONE_FIELDS:
            e, z = _ZONE_FIELDS[field]
            return Label(e.format(en=en), z.format(zh=zh))
        if len(rest) == 3 and rest[:2] == ["exposure", "buildings"] and rest[2] in _BUILDINGS:
            ce, cz = _BUILDINGS[rest[2]]
            return Label(f"share of residents of {en} in {ce} buildings",
                         f"{zh}{cz}房屋居住人口比例")
        raise KeyError(field)
    if head == "vehicles" and field == "count":
        kind = str(getattr(obj, "kind", "truck")) if obj is not None else "truck"
        ke, kz = _KIND.get(kind, ("vehicles", "车辆"))
        return Label(f"{ke} of fleet {key}", f"{zh_name or key} 车队{kz}数")
    if head == "hospitals" and field == "beds":
        return Label(f"beds of hospital {key}", f"{zh_name or key} 床位数（张）")
    if head == "shelters":
        zh = zh_name or f"避难场所 {key}"
        if field == "opening_delay_h":
            return Label(f"hours from the warning until shelter {key} admits people, h",
                         f"{zh}预警后开放时间（小时）")
        if len(rest) == 2 and rest[0] == "prepositioned":
            ie, iz, u, uz = _item(scenario, rest[1])
            return Label(f"{ie} stored in advance at shelter {key}, {u}",
                         f"{zh}预置{iz}（{uz}）")
        if field == "desks":
            return Label(f"registration desks at shelter {key}", f"{zh}登记台数")
        if field in ("capacity", "usable_area_m2"):
            return (Label(f"places of shelter {key}", f"{zh}容纳人数") if field == "capacity"
                    else Label(f"usable area of shelter {key}, m²", f"{zh}有效面积（平方米）"))
        raise KeyError(field)
    if head == "stock_points" and len(rest) == 2 and rest[0] == "items":
        ie, iz, u, uz = _item(scenario, rest[1])
        return Label(f"{ie} stock at stock point {key}, {u}",
                     f"{zh_name or f'储备点 {key}'}{iz}储备量（{uz}）")
    if head == "supplies":
        zh = zh_name or f"外部供应 {key}"
        if field == "lead_time_h":
            return Label(f"hours from calling supplier {key} to its first delivery, h",
                         f"{zh}调用至首批到货时间（小时）")
        if len(rest) == 2 and rest[0] == "daily_capacity":
            ie, iz, u, uz = _item(scenario, rest[1])
            return Label(f"{ie} per day from supplier {key}, {u}/day",
                         f"{zh}每日可供{iz}（{uz}/天）")
        if len(rest) == 2 and rest[0] == "items":
            ie, iz, u, uz = _item(scenario, rest[1])
            return Label(f"{ie} available from supplier {key}, {u}",
                         f"{zh}可供{iz}总量（{uz}）")
        raise KeyError(field)
    if head == "teams":
        zh = zh_name or f"队伍 {key}"
        if field == "count":
            return Label(f"units of team {key}", f"{zh}队伍数")
        if field == "size":
            return Label(f"members per unit of team {key}", f"{zh}每队人数")
        raise KeyError(field)
    raise KeyError(field)


def input_label(path: str, scenario: Any | None = None) -> Label:
    """The plain name of an uncertain input in English and Chinese, unit included.

    Parameters
    ----------
    path : str
        The input's path, as listed by :func:`sim.scenario.sampling.uncertain_inputs`.
    scenario : Scenario, optional
        Supplies the entities' ``name_zh``, the items' names and units, the vehicles' kinds and
        the warning chain's tiers; without it, raw entity names are used.

    Returns
    -------
    Label

    Raises
    ------
    KeyError
        If no rule names the path.

    Examples
    --------
    >>> input_label("vehicles[city_trucks].count")
    Label(en='trucks of fleet city_trucks', zh='city_trucks 车队卡车数')
    """
    kind = getattr(getattr(scenario, "hazard", None), "type", "typhoon")
    if path == "hazard.warning_lead_h" and kind != "typhoon":
        return Label(f"warning lead before the {kind}'s onset, h", "预警提前时间（小时）")
    if path in HAZARD:
        return Label(*HAZARD[path])
    if path in RESPONSE:
        return Label(*RESPONSE[path])
    toks = _TOKEN.findall(path)
    if not toks:
        raise KeyError(path)
    head = toks[0]
    try:
        if head == "hazard":
            return _hazard_rule(toks[1:], scenario)
        if head == "response" and toks[1:3] == ["warning", "chain"] and len(toks) == 5:
            sel = toks[3][1:-1]
            chain = getattr(getattr(getattr(scenario, "response", None), "warning", None),
                            "chain", None)
            link = _find(chain, sel) if chain is not None else None
            tier = str(getattr(link, "tier", "")) if link is not None else ""
            te, tz = _TIER.get(tier, (f"link {sel}", f"第{sel}级"))
            if toks[4] == "delay_h":
                return Label(f"hours for the warning to pass down to the {te} tier, h",
                             f"预警信息传至{tz}所需时间（小时）")
            raise KeyError(path)
        if head == "response" and toks[1:3] == ["warning", "channels"] and len(toks) == 5:
            return _channel(toks[3][1:-1], toks[4], scenario)
        if head == "response" and toks[1:3] == ["warning", "outages"] and len(toks) == 5:
            ue, uz = _UTILITY[toks[3]]
            if toks[4] == "median":
                return Label(f"hazard intensity at which half the zones lose {ue}",
                             f"致半数区域{uz}的灾害强度")
            if toks[4] == "beta":
                return Label(f"spread of the {ue} outage fragility (log-standard deviation)",
                             f"{uz}易损性曲线对数标准差")
            raise KeyError(path)
        if len(toks) >= 3 and toks[1].startswith("["):
            return _entity(head, toks[1][1:-1], toks[2:], scenario)
    except KeyError:
        raise KeyError(path) from None
    raise KeyError(path)


_UTILITY = {"power": ("grid power", "停电"), "network": ("the mobile network", "通信中断")}


def _channel(key: str, field: str, scenario: Any) -> Label:
    """A warning channel's coverage, delay or spread."""
    rule = getattr(getattr(scenario, "response", None), "warning", None)
    ch = _find(getattr(rule, "channels", None), key) if rule is not None else None
    zh = getattr(ch, "name_zh", None) or f"预警渠道 {key}"
    en = f"warning channel {key}"
    if field == "coverage":
        return Label(f"share of a zone's residents {en} can reach", f"{zh}覆盖率")
    if field == "delay_h":
        return Label(f"hours from the warning reaching the zone's tier until {en} starts, h",
                     f"{zh}启动延迟（小时）")
    if field == "spread_h":
        return Label(f"hours over which {en} reaches its people, h", f"{zh}传播历时（小时）")
    raise KeyError(field)


def _hazard_rule(rest: list[str], scenario: Any) -> Label:
    if len(rest) == 3 and rest[:2] == ["rain", "zone_factor"]:
        en, zh = _zone_names(scenario, rest[2])
        return Label(f"rainfall in {en} relative to the storm's areal mean (ratio)",
                     f"{zh}降雨量与面平均雨量之比")
    if len(rest) == 3 and rest[2].startswith("[") and rest[2][1:-1] in _SEVERITY:
        se, sz = _SEVERITY[rest[2][1:-1]]
        if rest[:2] == ["damage", "injured_per_damage"]:
            return Label(f"wind injuries of severity {se} per resident per unit of damage",
                         f"单位风灾损失率对应的{sz}伤员比例")
        if rest[:2] == ["water", "injured_per_killed"]:
            return Label(f"flood injuries of severity {se} per death",
                         f"洪水每死亡一人对应的{sz}伤员数")
    raise KeyError(".".join(rest))


def describe(path: str, scenario: Any | None = None, lang: str = "en") -> str:
    """The plain name of an input in one language (``en``, ``zh``) or both (``both``).

    Never raises: a path no rule knows is given in its own words.
    """
    try:
        lab = input_label(path, scenario)
    except KeyError:
        words = path.replace("_", " ")
        lab = Label(words, words)
    if lang == "zh":
        return lab.zh
    if lang == "both":
        return lab.both()
    return lab.en


def input_labels(scenario: Any) -> dict[str, Label]:
    """The plain name of every uncertain input of a scenario, by path.

    Raises :class:`KeyError` like :func:`input_label` for a path no rule knows.
    """
    from sim.scenario.sampling import uncertain_inputs

    return {p: input_label(p, scenario) for p in uncertain_inputs(scenario)}
