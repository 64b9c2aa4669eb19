"""The units of targets and standards (``unit`` in ``report.json``) in Chinese.

A target's unit is written by :mod:`sim.targets` in English with its parameters in it ("share
relieved within 10 h", "share of air requests within 50 km reached in 60 min"); :func:`unit_zh`
says it in Chinese with the same numbers. A unit no rule knows is returned as written.

>>> unit_zh("share relieved within 10 h")
'10小时内获救助人员比例'
>>> unit_zh("share of air requests within 120 km flown to (take-off) in 30 min")
'120千米内的空中救援请求在30分钟内起飞前往的比例'
"""

from __future__ import annotations

import re

__all__ = ["unit_zh"]

_FIXED = {
    "bases": "个基地",
    "km²/station": "平方千米/站",
    "m2 of shelters in service per resident": "每位居民拥有的在用避灾安置场所面积（平方米）",
    "m2 per person (smallest shelter, at peak)": "人均面积（平方米，高峰时最小的安置场所）",
    "members per team": "人/队",
    "m² per place": "平方米/安置位",
    "share of residents reached by broadcast channels before onset":
        "灾害发生前通过广播渠道收到预警的居民比例",
    "share of residents reached by the warning before onset": "灾害发生前收到预警的居民比例",
    "share of shelters": "避灾安置场所比例",
    "share of warned targeted people out before onset": "灾害发生前已转移的预警转移对象比例",
    "‰ of residents": "‰（占居民）",
    "deaths and missing per million residents a year (this event's contribution to the annual "
    "average)": "每百万居民年均死亡失踪人数（本次灾害对年均值的贡献）",
}

_N = r"(\d+(?:\.\d+)?)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"share relieved within {_N} h"), r"\1小时内获救助人员比例"),
    (re.compile(rf"people covered for {_N} days?"), r"可保障\1天的人数"),
    (re.compile(rf"most affected zones covered at once for {_N} days?"),
     r"可同时保障\1天的受灾最重区域数"),
    (re.compile(rf"share of trapped reached within {_N} h by (.+) teams"),
     r"\2队伍在\1小时内到达的被困人员比例"),
    (re.compile(rf"share of trapped reached within {_N} h"), r"\1小时内到达的被困人员比例"),
    (re.compile(rf"share of air requests within {_N} km flown to \(take-off\) in {_N} min"),
     r"\1千米内的空中救援请求在\2分钟内起飞前往的比例"),
    (re.compile(rf"share of air requests within {_N} km reached in {_N} min"),
     r"\1千米内的空中救援请求在\2分钟内到达的比例"),
    (re.compile(rf"share of sites reached within {_N} min"), r"\1分钟内到达的救援现场比例"),
    (re.compile(rf"share of residents reached by the warning within {_N} h of its issue"),
     r"预警发布后\1小时内收到预警的居民比例"),
    (re.compile(rf"share of first-day needs in place at the relief points {_N} h after onset"),
     r"灾害发生后\1小时救助点已到位的首日需求比例"),
]


def unit_zh(unit: str | None) -> str:
    """A target's or standard's unit in Chinese (as written when no rule knows it).

    Parameters
    ----------
    unit : str or None
        The unit as ``report.json`` gives it.

    Returns
    -------
    str
        The unit in Chinese; empty for no unit.
    """
    if not unit:
        return ""
    if unit in _FIXED:
        return _FIXED[unit]
    for pat, zh in _RULES:
        m = pat.fullmatch(unit)
        if m:
            return m.expand(zh)
    return unit
