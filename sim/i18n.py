"""Words of the output in English or Chinese (``--lang en|zh``).

English is the default and the catalogue's key: :func:`tr` returns an English UI string as it is
for ``lang="en"`` and its Chinese translation for ``lang="zh"``, so English output never changes
through this module. Scenario words (a target's clause, a zone's or shelter's name, a plan term)
come from the scenario's own Chinese fields: :func:`pick` reads a ``{en, zh}`` pair (a
:class:`~sim.scenario.base.Text`, a :class:`~sim.scenario.labels.Label`, a mapping or a tuple),
:func:`name_of` an entity's ``name``/``name_zh``, :func:`clause_of` a target's
``clause_en``/``clause_zh``. Where Chinese is asked for and there is none, the English word (or
id) is used and the fallback is logged once per word at INFO level.

>>> tr("target", "zh")
'目标'
>>> pick({"en": "basic needs met within 10 h", "zh": "10小时内基本生活得到救助"}, "zh")
'10小时内基本生活得到救助'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

__all__ = [
    "CATALOGUE",
    "LANGS",
    "Lang",
    "clause_of",
    "name_of",
    "parse_lang",
    "pick",
    "say",
    "tr",
]

log = logging.getLogger(__name__)

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

CATALOGUE: dict[str, str] = {
    # words of tables and reports
    "target": "目标",
    "targets": "目标",
    "clause": "条款",
    "plan clause": "预案条款",
    "value": "数值",
    "threshold": "阈值",
    "met": "达到",
    "not met": "未达到",
    "yes": "是",
    "no": "否",
    "holds": "达到",
    "fails": "未达到",
    "P(holds)": "达标概率",
    "P(holds) with 95 % interval": "达标概率（95%置信区间）",
    "runs": "模拟次数",
    "run": "模拟",
    "seed": "随机种子",
    "median": "中位数",
    "mean": "平均值",
    "interval": "区间",
    "source": "来源",
    "kind": "类型",
    "zone": "区域",
    "zones": "区域",
    "shelter": "避灾安置场所",
    "shelters": "避灾安置场所",
    "stock point": "物资储备点",
    "stock points": "物资储备点",
    "scenario": "情景",
    "city": "市级",
    "county": "县级",
    "township": "乡镇级",
    "village": "村级",
    "variant": "方案",
    "hazard": "灾种",
    "typhoon": "台风",
    "flood": "洪水",
    "earthquake": "地震",
    "people": "人",
    "hours": "小时",
    "hours after onset": "灾害发生后小时数",
    "time after onset, h": "灾害发生后时间（小时）",
    "share of people": "人员比例",
    "people displaced": "受灾需安置人员",
    "people relieved": "已获基本生活救助人员",
    "people not yet relieved": "尚未获得基本生活救助人员",
    "relieved": "已救助",
    "not yet relieved": "尚未救助",
    "basic relief": "基本生活救助",
    "evacuated": "转移",
    "sheltered": "集中安置",
    "dispersed": "分散安置",
    "displaced": "受灾需安置",
    "warned": "已预警",
    "at_home": "在家",
    "evacuating": "转移途中",
    "exposed": "受灾暴露",
    "injured": "受伤",
    "trapped": "被困",
    "rescued": "获救",
    "killed": "死亡",
    "longitude": "经度",
    "latitude": "纬度",
    "input": "输入",
    "inputs": "输入",
    "effect": "影响",
    "lever": "措施",
    "cost": "费用",
    "status": "状态",
    "time": "时间",
    "number": "编号",
    "action": "行动",
    "role": "角色",
    "inject": "情景注入",
    "decision": "决策",
    "fork": "分支推演",
    "observation": "观察",
    "none": "无",
}


_warned: set[str] = set()


def _fallback(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        log.info("no Chinese for %s; English used", what)


def parse_lang(value: object) -> Lang:
    """Check a language code.

    Parameters
    ----------
    value : object
        What the user gave (``"en"`` or ``"zh"``, any case, surrounding blanks ignored).

    Returns
    -------
    Lang
        ``"en"`` or ``"zh"``.

    Raises
    ------
    ValueError
        For any other value, with a one-line message naming the accepted codes.
    """
    code = str(value).strip().lower() if isinstance(value, str) else value
    if code not in LANGS:
        raise ValueError(f"language {value!r} is not one of: {', '.join(LANGS)}")
    return code


def tr(text: str, lang: Lang = "en") -> str:
    """Translate an English UI string of the catalogue.

    Parameters
    ----------
    text : str
        The English string, as the English output prints it.
    lang : {"en", "zh"}
        The language asked for.

    Returns
    -------
    str
        ``text`` itself for English; its Chinese for ``"zh"``, or ``text`` (logged) where the
        catalogue has none.
    """
    if lang == "en":
        return text
    zh = CATALOGUE.get(text)
    if zh is None:
        _fallback(repr(text))
        return text
    return zh


def pick(value: Any, lang: Lang = "en", default: str = "") -> str:
    """The English or Chinese of a ``{en, zh}`` pair.

    Parameters
    ----------
    value : Text, Label, Mapping, tuple, str or None
        An object with ``en``/``zh`` attributes (:class:`~sim.scenario.base.Text`,
        :class:`~sim.scenario.labels.Label`), a mapping with ``en``/``zh`` keys, a pair
        ``(en, zh)``, a plain string (returned as it is) or None.
    lang : {"en", "zh"}
        The language asked for.
    default : str
        Returned when ``value`` has no text at all.

    Returns
    -------
    str
        The Chinese for ``"zh"`` where there is some, else the English (logged), else
        ``default``.
    """
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        en, zh = value.get("en"), value.get("zh")
    elif isinstance(value, tuple) and not hasattr(value, "en"):
        en, zh = (value + (None, None))[:2]
    else:
        en, zh = getattr(value, "en", None), getattr(value, "zh", None)
    if lang == "zh":
        if zh:
            return str(zh)
        if en:
            _fallback(repr(en))
    return str(en) if en else (str(zh) if zh else default)


def name_of(entity: Any, lang: Lang = "en") -> str:
    """An entity's name: its ``name_zh`` for Chinese where it has one, else its ``name``.

    Parameters
    ----------
    entity : object or Mapping
        A zone, shelter, stock point, role... with ``name`` (or ``id``) and optionally
        ``name_zh``; a mapping with those keys works too.
    lang : {"en", "zh"}
        The language asked for.

    Returns
    -------
    str
        The name; the English id where Chinese is asked for and the entity has no ``name_zh``
        (logged).
    """
    def get(key: str) -> Any:
        if isinstance(entity, Mapping):
            return entity.get(key)
        return getattr(entity, key, None)

    name = get("name") or get("id") or ""
    if lang == "zh":
        zh = get("name_zh")
        if zh:
            return str(zh)
        _fallback(f"name {name!r}")
    return str(name)


def clause_of(target: Any, lang: Lang = "en") -> str:
    """A target's clause in the plan's words, in the language asked for.

    Parameters
    ----------
    target : object or Mapping
        A :class:`~sim.targets.TargetResult`-like object (``clause_en``, ``clause_zh``, ``id``),
        a scenario target (``clause`` as a ``{en, zh}`` text, ``id``) or a target of a report's
        document (a mapping with ``clause: {en, zh}`` and ``id``).
    lang : {"en", "zh"}
        The language asked for.

    Returns
    -------
    str
        The clause; the other language's clause, then the target's id, where it has none.
    """
    if isinstance(target, Mapping):  # a target of a report's document (report.json)
        cl = target.get("clause") or {}
        en, zh, tid = cl.get("en"), cl.get("zh"), str(target.get("id") or "")
    else:
        clause = getattr(target, "clause", None)
        if clause is not None:
            en, zh = getattr(clause, "en", None), getattr(clause, "zh", None)
        else:
            en, zh = getattr(target, "clause_en", None), getattr(target, "clause_zh", None)
        tid = str(getattr(target, "id", "") or "")
    if lang == "zh":
        if zh:
            return str(zh)
        _fallback(f"clause of {tid!r}")
        return str(en or tid)
    return str(en or zh or tid)


def say(lang: Lang, en: str, zh: str) -> str:
    """``en`` or ``zh`` by language: for words built with numbers (figure labels, headings).

    Parameters
    ----------
    lang : {"en", "zh"}
        The language asked for.
    en, zh : str
        The same words in English and in Chinese.

    Returns
    -------
    str
        ``zh`` for ``"zh"``, else ``en``.
    """
    return zh if lang == "zh" else en
