"""What each run metric measures: the response's operations, or the disaster's severity.

Comparing the runs where a target fails with those where it holds, a metric like the trucks'
utilisation or the first stock-out says something about *why* the response falls short (it is a
resource or an operation the plan controls), while the number of ambulance trips, the beds'
peak or the number killed says *how severe* the failing runs' disasters were: they are
consequences of the hazard's draw, not causes of the failure, and reports must not present them
as causes.

Kinds
-----
``operations``
    Resources and operations of the response: vehicle and team use, deliveries, stock-outs,
    back orders, registration waits, warning and evacuation performance.
``severity``
    Consequences of the disaster's severity: casualties, entrapment, hospital load, ambulance
    and air demand, the number displaced or in shelters, road damage.
``outcome``
    The measured outcome a relief target reads itself (relief-time quantiles, people relieved):
    comparing it between failing and holding runs restates the verdict.
``bookkeeping``
    Counts of the simulation itself (population, events processed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

__all__ = ["KINDS", "METRIC_KINDS", "metric_kind", "metric_words", "split_metrics"]

Kind = Literal["operations", "severity", "outcome", "bookkeeping"]

KINDS: tuple[Kind, ...] = ("operations", "severity", "outcome", "bookkeeping")

METRIC_KINDS: dict[str, tuple[Kind, str, str]] = {
    # kind, English, Chinese
    "population": ("bookkeeping", "residents", "常住人口"),
    "events": ("bookkeeping", "events logged", "事件记录数"),
    "simpy_events": ("bookkeeping", "simulation events processed", "仿真事件数"),
    "needing_relief": ("severity", "people needing basic relief", "需基本生活救助人数"),
    "relieved": ("outcome", "people relieved", "获得救助人数"),
    "relief_p50_h": ("outcome", "median hours to basic relief",
                     "获得基本生活救助时间中位数（小时）"),
    "relief_p90_h": ("outcome", "90th-percentile hours to basic relief",
                     "获得基本生活救助时间90%分位（小时）"),
    "relief_p95_h": ("outcome", "95th-percentile hours to basic relief",
                     "获得基本生活救助时间95%分位（小时）"),
    "warned": ("operations", "people warned", "接到预警人数"),
    "evacuated_before_onset": ("operations", "people evacuated before onset", "灾前转移人数"),
    "departures_failed": ("operations", "evacuation departures that failed", "转移失败批次"),
    "exposed_at_onset": ("severity", "people in the hazard's path at onset",
                         "灾害发生时处于受灾区域的人数"),
    "moved_from_hazard_points": ("operations", "people moved from monitored hazard points before "
                                 "the slide", "群测群防提前避让转移人数"),
    "evacuation_targeted": ("severity", "people the evacuation order targets", "转移对象人数"),
    "displaced_by_hazard": ("severity", "people displaced by the hazard", "因灾转移安置人数"),
    "shelter_peak_total": ("severity", "peak people in shelters", "避难场所安置人数峰值"),
    "shelter_peak": ("severity", "peak occupancy of a shelter", "单个避难场所安置峰值"),
    "unplaced_peak": ("operations", "peak displaced people without a shelter place",
                      "无安置场所的转移人员峰值"),
    "killed": ("severity", "people killed", "死亡人数"),
    "injured": ("severity", "people injured", "受伤人数"),
    "injured_by_severity": ("severity", "injured by severity", "分级伤员数"),
    "in_care_at_end": ("severity", "injured still in care at the end", "期末仍在救治伤员"),
    "died_awaiting_care": ("severity", "deaths awaiting care", "等待救治期间死亡人数"),
    "bed_peak": ("severity", "peak hospital beds occupied", "医院床位占用峰值"),
    "ambulance_trips": ("severity", "ambulance trips", "救护车出车次数"),
    "trapped_total": ("severity", "people trapped", "被困人数"),
    "rescued_alive": ("severity", "people rescued alive", "生还获救人数"),
    "rescued_dead": ("severity", "trapped people found dead", "被困遇难人数"),
    "still_trapped": ("severity", "people still trapped at the end", "期末仍被困人数"),
    "rescue_sites": ("severity", "rescue sites", "救援现场数"),
    "air_requests": ("severity", "requests for air rescue", "航空救援请求数"),
    "air_sorties": ("severity", "air rescue sorties", "航空救援架次"),
    "links_blocked": ("severity", "road links blocked", "受阻道路数"),
    "zone_pairs_cut_off_peak": ("severity", "peak pairs of zones cut off from each other",
                                "互相阻断的区域对数峰值"),
    "links_cleared": ("severity", "road links cleared (as many as were blocked)", "抢通道路数"),
    "deliveries": ("operations", "supply truck trips", "物资运输车次"),
    "truck_utilisation": ("operations", "truck utilisation", "运输车辆利用率"),
    "bus_trips": ("operations", "evacuation bus trips", "转移客车车次"),
    "bus_utilisation": ("operations", "evacuation bus utilisation", "转移客车利用率"),
    "team_utilisation": ("operations", "rescue team utilisation", "救援队伍利用率"),
    "ration_delay_person_h": ("operations", "person-hours waiting for rations",
                              "等待物资发放的人·小时"),
    "backordered_units": ("operations", "units back-ordered", "缺货待补物资数量"),
    "first_stockout_h": ("operations", "hour of the first stock-out", "首次缺货时间（小时）"),
    "shelters_closed": ("operations", "shelters closed", "关闭的避难场所数"),
    "registration_wait_mean_h": ("operations", "mean wait at shelter registration, h",
                                 "避难场所登记平均等待时间（小时）"),
    "supplies_called_h": ("operations", "hour an external supply was called",
                          "外部供应调用时间（小时）"),
    "supplies_delivered": ("operations", "units delivered by an external supply",
                           "外部供应到货数量"),
    "warned_by_channel": ("operations", "people warned by a channel", "各预警渠道覆盖人数"),
    "warning_reach_share": ("operations", "share of residents the warning reached",
                            "预警信息到达居民比例"),
    "warning_silenced": ("severity", "warning channel silenced by outages",
                         "因停电断网失效的预警渠道"),
    "zones_power_out": ("severity", "zones that lost power", "停电区域数"),
    "zones_network_out": ("severity", "zones that lost the mobile network", "通信中断区域数"),
    "evacuation_targeted_warned": ("operations", "people the evacuation order targets who were "
                                   "warned", "接到预警的转移对象人数"),
    "evacuation_targeted_unwarned": ("operations", "people the evacuation order targets who "
                                     "were not warned", "未接到预警的转移对象人数"),
    "dispersed_relieved": ("outcome", "dispersed people relieved", "分散安置人员获得救助人数"),
    "dispersed_handed_out": ("operations", "relief handed out to dispersed families",
                             "向分散安置家庭发放物资人数"),
    "handout_mean_h": ("operations", "mean wait from items set aside at the distribution "
                       "point to their hand-out, h", "物资到达发放点至发放到户平均等待（小时）"),
    "handout_last_h": ("operations", "hour of the last village hand-out",
                       "村级发放最后时间（小时）"),
    "handout_team_h": ("operations", "village team hours spent handing out",
                       "村级队伍发放工时（小时）"),
}
"""Kind, English and Chinese name of every run metric, by its name (before any ``.key``)."""

_PREFIXES: tuple[tuple[str, Kind], ...] = (
    ("warning_", "operations"), ("warned_", "operations"), ("reach_", "operations"),
    ("evacuated_", "operations"), ("relief_p", "outcome"), ("relief_share", "outcome"),
)


def _base(metric: str) -> str:
    m = metric.removeprefix("metric.")
    return m.split(".", 1)[0]


def metric_kind(metric: str) -> Kind:
    """The kind of a run metric (``metric.`` prefix and ``.key`` suffix allowed).

    Raises
    ------
    KeyError
        If the metric is neither in :data:`METRIC_KINDS` nor of a known family.
    """
    base = _base(metric)
    if base in METRIC_KINDS:
        return METRIC_KINDS[base][0]
    for prefix, kind in _PREFIXES:
        if base.startswith(prefix):
            return kind
    raise KeyError(metric)


def metric_words(metric: str, lang: str = "en") -> str:
    """A run metric's plain name (``en`` or ``zh``), with its key (a shelter, an item) if any."""
    m = metric.removeprefix("metric.")
    base, _, key = m.partition(".")
    row = METRIC_KINDS.get(base)
    name = (row[2] if lang == "zh" else row[1]) if row else base.replace("_", " ")
    return f"{name} ({key})" if key else name


def split_metrics(metrics: Iterable[str]) -> dict[Kind, list[str]]:
    """Metrics by kind; a metric of unknown kind is left out of every list.

    Returns
    -------
    dict
        ``{kind: [metric, ...]}`` for every kind in :data:`KINDS`, in input order.
    """
    out: dict[Kind, list[str]] = {k: [] for k in KINDS}
    for m in metrics:
        try:
            out[metric_kind(m)].append(m)
        except KeyError:
            continue
    return out
