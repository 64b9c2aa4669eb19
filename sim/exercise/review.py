"""The analysis behind an exercise's after-action report (HSEEP's AAR/IP), as plain data.

:func:`review_exercise` reads what an exercise produced (the run's :class:`~sim.results.RunResult`,
the MSEL, the exercise log and its forks) and returns a :class:`Review`:

- **expected against actual actions**: each expected action of the MSEL, whether its inject was
  delivered, when and by whom it was taken, and its status: ``taken``, ``late`` (after the
  ``by_h`` of a contingency inject that names it), ``missing`` (asked and never taken) or
  ``not_due`` (its inject was never delivered: a contingency whose condition did not hold);
- **targets** met or missed at the end of the run, each linked to the objectives it measures;
- **forks**: what each fork said, with the decision taken at its time;
- **per objective**: strengths and areas for improvement with their evidence, and HSEEP's rating;
- **the improvement plan**: one row per area for improvement (issue, corrective action,
  capability, owner role).

Rules (written here, applied the same to every exercise):

- A target measures an objective when its kind belongs to the objective's core capability
  (:data:`CAPABILITY_TARGETS`, matched on words of the capability's name) or its id is the
  objective's id.
- A met target and an action taken on time are strengths; a missed target, a late action and a
  missing action are areas for improvement.
- Rating: ``P`` (performed without challenges) when the objective has no area for improvement;
  ``S`` (some challenges) when its only areas are late or missing actions; ``M`` (major
  challenges) when a target it is measured by was missed; ``U`` (unable to be performed) when
  every target it is measured by was missed and none of its expected actions that were asked
  was taken.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.exercise.msel import Msel
    from sim.results import RunResult
    from sim.scenario.schema import Scenario
    from sim.targets import TargetResult

__all__ = [
    "CAPABILITY_TARGETS",
    "CAPABILITY_ZH",
    "RATINGS",
    "ActionCheck",
    "Improvement",
    "Observation",
    "ObjectiveReview",
    "Review",
    "TargetCheck",
    "review_exercise",
    "zone_relief",
]

CAPABILITY_TARGETS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("warning", "public information"), frozenset({"warning_reach_within"})),
    (("transportation", "evacuation"), frozenset({"evacuated_before_onset"})),
    (("search and rescue", "rescue"),
     frozenset({"trapped_reached_within", "air_response_within", "first_on_scene_within",
                "teams_suffice", "deaths_per_million"})),
    (("fire",), frozenset({"first_on_scene_within"})),
    (("logistics", "supply"),
     frozenset({"relief_within", "stock_covers", "stock_covers_townships",
                "supplies_in_place_within"})),
    (("mass care", "shelter"), frozenset({"relief_within", "shelter_area_per_person"})),
    (("health", "medical"), frozenset({"deaths_per_million"})),
    (("fatality",), frozenset({"deaths_per_million"})),
)
"""Words of an HSEEP core capability's name (lower case) and the target kinds that measure it."""

CAPABILITY_ZH: dict[str, str] = {
    "Planning": "计划制定",
    "Public Information and Warning": "公共信息与预警",
    "Operational Coordination": "行动协调",
    "Critical Transportation": "关键运输",
    "Environmental Response/Health and Safety": "环境应对与健康安全",
    "Fatality Management Services": "遇难者处置",
    "Fire Management and Suppression": "火灾管理与扑救",
    "Infrastructure Systems": "基础设施系统",
    "Logistics and Supply Chain Management": "物流与供应链管理",
    "Mass Care Services": "群众生活救助服务",
    "Mass Search and Rescue Operations": "大规模搜救行动",
    "On-scene Security, Protection, and Law Enforcement": "现场安全、防护与执法",
    "Operational Communications": "行动通信",
    "Public Health, Healthcare, and Emergency Medical Services": "公共卫生、医疗与紧急医疗服务",
    "Situational Assessment": "态势评估",
}
"""Chinese names of HSEEP's response core capabilities (the report prints both)."""

RATINGS: dict[str, tuple[str, str]] = {
    "P": ("Performed without challenges", "顺利完成"),
    "S": ("Performed with some challenges", "完成，存在一些问题"),
    "M": ("Performed with major challenges", "完成，存在重大问题"),
    "U": ("Unable to be performed", "未能完成"),
}
"""HSEEP's ratings of an objective's performance, in English and Chinese."""

_CORRECTIVE: dict[str, tuple[str, str]] = {
    "relief_within": (
        "Pre-position relief stock at or near the shelters and add delivery vehicles, so that "
        "every displaced person has basic relief within the promised hours",
        "在安置点就近前置救灾物资并增加配送车辆，确保受灾群众在承诺时限内得到基本生活救助"),
    "evacuated_before_onset": (
        "Order the evacuation earlier and add buses for the zones still moving at onset",
        "提前下达转移命令，为灾害发生时仍在转移的区域增派车辆"),
    "shelter_area_per_person": (
        "Open reserve shelters before the planned ones fill up",
        "在现有安置点满员前启用备用安置点"),
    "stock_covers": (
        "Raise the physical stockpile or the agreement reserves of the items that ran short",
        "增加短缺物资的实物储备或协议储备"),
    "stock_covers_townships": (
        "Raise the county stockpile so that it covers the townships named in the plan at once",
        "增加县级储备，满足预案规定的多个乡镇同时受灾的需求"),
    "supplies_in_place_within": (
        "Pre-position supplies at the relief points before onset",
        "灾前在救助点预置物资"),
    "first_on_scene_within": (
        "Pre-deploy fire and rescue crews to the zones at risk before onset",
        "灾前向高风险区域预置消防救援力量"),
    "trapped_reached_within": (
        "Pre-deploy rescue teams and clear access roads to the zones with trapped people first",
        "预置救援队伍，优先抢通被困人员所在区域的道路"),
    "teams_suffice": (
        "Add teams or mutual aid for the peak of rescue demand",
        "为救援需求高峰增加队伍或请求增援"),
    "air_response_within": (
        "Station air units closer to the areas at risk, or launch before the gales ground them",
        "将航空救援力量前置到风险区域附近，或在大风停飞前起飞"),
    "deaths_per_million": (
        "Evacuate the high-risk zones earlier and speed the rescue of trapped people",
        "提前转移高风险区域人员，加快被困人员救援"),
    "warning_reach_within": (
        "Add warning channels (emergency broadcast, door-to-door) for the people not reached",
        "为未覆盖人群增加预警渠道（应急广播、入户通知）"),
}
_DEFAULT_CORRECTIVE = (
    "Check the resources behind this clause with a Monte Carlo study (sim plan)",
    "用蒙特卡洛分析（sim plan）检查该条款所需资源")

EPS = 1e-9


@dataclass
class ActionCheck:
    """One expected action of the MSEL against what the players did."""

    id: str
    en: str
    zh: str | None
    inject: str
    """Number of the inject that asks for it."""
    inject_at_h: float
    objective: str
    role: str
    """The role the inject is addressed to (who is expected to act)."""
    asked: bool
    """The inject was delivered."""
    taken_h: float | None
    """When a decision fulfilled it (hours from onset); None if never."""
    by: str | None
    """The role that took it."""
    deadline_h: float | None
    """The ``by_h`` of a contingency inject that fires when it is not taken; None if none."""
    status: str
    """``taken``, ``late``, ``missing`` or ``not_due``."""
    contingency: str | None = None
    """Number of a contingency inject that fired because it was not taken in time."""

    @property
    def delay_h(self) -> float | None:
        """Hours from the inject to the action (None if not taken)."""
        return None if self.taken_h is None else self.taken_h - self.inject_at_h


@dataclass
class TargetCheck:
    """One plan target at the end of the run, with the objectives it measures."""

    id: str
    kind: str
    clause_en: str | None
    clause_zh: str | None
    value: float | None
    threshold: float
    unit: str
    comparison: str
    met: bool
    source: str | None
    note: str | None
    objectives: list[str] = field(default_factory=list)


@dataclass
class Observation:
    """A strength or an area for improvement, with its evidence in both languages."""

    ref: str
    """The expected action id or target id it rests on."""
    what: str
    """``action`` or ``target``."""
    en: str
    zh: str


@dataclass
class ObjectiveReview:
    """One exercise objective: its evidence, strengths, areas for improvement and rating."""

    id: str
    capability: str
    description: str | None
    description_zh: str | None
    actions: list[str]
    targets: list[str]
    strengths: list[Observation]
    areas: list[Observation]
    rating: str
    """A key of :data:`RATINGS`."""


@dataclass
class Improvement:
    """A row of the improvement plan."""

    objective: str
    capability: str
    ref: str
    issue_en: str
    issue_zh: str
    corrective_en: str
    corrective_zh: str
    owner: str
    """The role id that owns the corrective action."""


@dataclass
class Review:
    """Everything the after-action report shows beyond the run's own figures."""

    actions: list[ActionCheck]
    targets: list[TargetCheck]
    objectives: list[ObjectiveReview]
    improvements: list[Improvement]
    forks: list[dict[str, Any]]
    """Each fork's report (``ForkReport.to_dict()``) with ``decision_taken``: the ``{en, zh,
    ref}`` of the decision logged at the fork's time, or None."""
    timeline: list[dict[str, Any]]
    """Log entries in time order, each with ``state``: people sheltered, displaced and
    relieved share at that hour of the run."""
    other_decisions: list[dict[str, Any]]
    """Decisions that fulfil no expected action of the MSEL."""
    relief_hours: float | None = None
    """The hours of the scenario's basic-relief target (10 h in the five plans)."""
    zone_relief: list[dict[str, Any]] = field(default_factory=list)
    """Per zone whose people needed relief, slowest first (see :func:`zone_relief`)."""

    @property
    def unlinked_targets(self) -> list[TargetCheck]:
        """Targets that measure no objective of the exercise (judged nowhere in section 7)."""
        return [t for t in self.targets if not t.objectives]

    def action(self, action_id: str) -> ActionCheck:
        """The check of expected action ``action_id`` (``KeyError`` if the MSEL has none)."""
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (non-finite numbers as None)."""
        from sim.exercise.session import jsonable

        doc = asdict(self)
        for a, d in zip(self.actions, doc["actions"], strict=True):
            d["delay_h"] = a.delay_h
        out: dict[str, Any] = jsonable(doc)
        return out


def _get(entry: Any, name: str, default: Any = None) -> Any:
    """A field of a log entry given as a LogEntry or as its dict."""
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


def _entry_dict(entry: Any) -> dict[str, Any]:
    keys = ("t_h", "kind", "ref", "en", "zh", "role", "action", "objective", "data")
    return {k: _get(entry, k) for k in keys}


def _fork_dict(f: Any) -> dict[str, Any]:
    if isinstance(f, Mapping):
        return dict(f)
    to_dict = getattr(f, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return dict(asdict(f))


# -- expected against actual actions ---------------------------------------------------------------
def _actions(msel: Msel, log: Sequence[Any]) -> list[ActionCheck]:
    delivered = {str(_get(e, "ref")) for e in log if _get(e, "kind") in ("inject", "contingency")}
    taken: dict[str, tuple[float, str | None]] = {}
    for e in log:
        a = _get(e, "action")
        if _get(e, "kind") == "decision" and a and a not in taken:
            taken[a] = (float(_get(e, "t_h")), _get(e, "role"))
    deadline: dict[str, float] = {}
    fired: dict[str, str] = {}
    for it in msel.injects:
        if it.when_not is not None:
            w = it.when_not
            deadline[w.action] = min(deadline.get(w.action, math.inf), w.by_h)
            if it.number in delivered:
                fired.setdefault(w.action, it.number)
    out = []
    for it in msel.injects:
        ea = it.expected_action
        if ea is None:
            continue
        asked = it.number in delivered
        t, by = taken.get(ea.id, (None, None))
        dl = deadline.get(ea.id)
        if t is not None:
            status = "late" if dl is not None and t > dl + EPS else "taken"
        else:
            status = "missing" if asked else "not_due"
        out.append(ActionCheck(id=ea.id, en=ea.en, zh=ea.zh, inject=it.number,
                               inject_at_h=it.at_h, objective=it.objective, role=it.to,
                               asked=asked, taken_h=t, by=by, deadline_h=dl, status=status,
                               contingency=fired.get(ea.id)))
    return out


# -- targets -----------------------------------------------------------------------------------
def _measures(capability: str, objective_id: str, target: TargetResult) -> bool:
    if target.id == objective_id:
        return True
    cap = capability.lower()
    return any(target.kind in kinds and any(w in cap for w in words)
               for words, kinds in CAPABILITY_TARGETS)


def _targets(result: RunResult, msel: Msel | None) -> list[TargetCheck]:
    out = []
    for t in result.targets:
        objs = [] if msel is None else [o.id for o in msel.objectives
                                        if _measures(o.capability, o.id, t)]
        out.append(TargetCheck(id=t.id, kind=t.kind, clause_en=t.clause_en,
                               clause_zh=t.clause_zh, value=t.value, threshold=t.threshold,
                               unit=t.unit, comparison=t.comparison, met=bool(t.met),
                               source=t.source, note=t.note, objectives=objs))
    return out


def _num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "never"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _value(x: float | None, unit: str) -> str:
    if x is not None and unit.startswith("share") and math.isfinite(x):
        return f"{100 * x:.1f} %"
    return _num(x)


def _hours(t: float | None) -> str:
    return "n/a" if t is None else f"T{t:+g} h"


# -- observations --------------------------------------------------------------------------------
def _action_observation(a: ActionCheck, roles: Mapping[str, Any]) -> Observation | None:
    who = a.by or a.role
    zh_role = _role_zh(roles, who)
    zh_act = a.zh or a.en
    if a.status == "taken":
        en = (f"{a.id}: '{a.en}' taken by {who} at {_hours(a.taken_h)}, "
              f"{_num(a.delay_h)} h after inject {a.inject}"
              + (f" (due by {_hours(a.deadline_h)})" if a.deadline_h is not None else ""))
        zh = (f"{a.id}：{zh_role}于{_hours(a.taken_h)}完成“{zh_act}”，"
              f"距第{a.inject}号情景注入{_num(a.delay_h)}小时")
    elif a.status == "late":
        en = (f"{a.id}: '{a.en}' taken late by {who} at {_hours(a.taken_h)}, after its "
              f"deadline {_hours(a.deadline_h)} (inject {a.inject})")
        zh = (f"{a.id}：{zh_role}于{_hours(a.taken_h)}才完成“{zh_act}”，晚于时限"
              f"{_hours(a.deadline_h)}（第{a.inject}号情景注入）")
    elif a.status == "missing":
        en = (f"{a.id}: '{a.en}' asked of {a.role} by inject {a.inject} at "
              f"{_hours(a.inject_at_h)}, never taken")
        zh = (f"{a.id}：第{a.inject}号情景注入（{_hours(a.inject_at_h)}）要求{zh_role}"
              f"“{zh_act}”，未采取")
    else:
        return None
    if a.status != "taken" and a.contingency is not None:
        en += f"; contingency inject {a.contingency} fired"
        zh += f"，触发第{a.contingency}号条件注入"
    return Observation(ref=a.id, what="action", en=en, zh=zh)


def _target_observation(t: TargetCheck, zones: Sequence[Mapping[str, Any]] = (),
                        hours: float | None = None) -> Observation:
    clause_en = t.clause_en or t.id
    clause_zh = t.clause_zh or clause_en
    got = _value(t.value, t.unit)
    need = f"{t.comparison} {_value(t.threshold, t.unit)}"
    if t.met:
        en = f"{t.id}: '{clause_en}' met ({got}, needs {need})"
        zh = f"{t.id}：“{clause_zh}”达到（{got}，要求{need}）"
    else:
        en = f"{t.id}: '{clause_en}' missed ({got}, needs {need})"
        zh = f"{t.id}：“{clause_zh}”未达到（{got}，要求{need}）"
        slow = [z for z in zones if z.get("within") is not None][:3]
        if t.kind == "relief_within" and slow and hours is not None:
            en += "; slowest zones: " + ", ".join(
                f"{z['zone']} {100 * z['within']:.0f} % within {hours:g} h" for z in slow)
            zh += "；最慢区域：" + "，".join(
                f"{z['zone_zh'] or z['zone']}{hours:g}小时内{100 * z['within']:.0f}%"
                for z in slow)
    return Observation(ref=t.id, what="target", en=en, zh=zh)


def _role_zh(roles: Mapping[str, Any], role: str | None) -> str:
    r = roles.get(role or "")
    if r is None:
        return role or "?"
    return str(r.name_zh or r.name or r.id)


def _role_en(roles: Mapping[str, Any], role: str | None) -> str:
    r = roles.get(role or "")
    if r is None:
        return role or "?"
    return str(r.name or r.id)


def _rating(actions: Sequence[ActionCheck], targets: Sequence[TargetCheck]) -> str:
    missed = any(not t.met for t in targets)
    asked = [a for a in actions if a.asked or a.taken_h is not None]
    if missed and all(not t.met for t in targets) and asked \
            and all(a.taken_h is None for a in asked):
        return "U"
    if missed:
        return "M"
    if any(a.status in ("late", "missing") for a in actions):
        return "S"
    return "P"


def _objectives(msel: Msel, actions: Sequence[ActionCheck], targets: Sequence[TargetCheck],
                roles: Mapping[str, Any], zones: Sequence[Mapping[str, Any]] = (),
                hours: float | None = None) -> list[ObjectiveReview]:
    out = []
    for o in msel.objectives:
        acts = [a for a in actions if a.objective == o.id]
        tgts = [t for t in targets if o.id in t.objectives]
        strengths: list[Observation] = []
        areas: list[Observation] = []
        for t in tgts:
            (strengths if t.met else areas).append(_target_observation(t, zones, hours))
        for a in acts:
            ob = _action_observation(a, roles)
            if ob is not None:
                (strengths if a.status == "taken" else areas).append(ob)
        out.append(ObjectiveReview(id=o.id, capability=o.capability, description=o.description,
                                   description_zh=o.description_zh,
                                   actions=[a.id for a in acts], targets=[t.id for t in tgts],
                                   strengths=strengths, areas=areas,
                                   rating=_rating(acts, tgts)))
    return out


def _owner(msel: Msel, objective: str) -> str:
    """The role most often addressed by the objective's injects (the first role if none)."""
    c = Counter(it.to for it in msel.injects if it.objective == objective)
    return c.most_common(1)[0][0] if c else msel.roles[0].id


def _improvements(msel: Msel, objectives: Sequence[ObjectiveReview],
                  actions: Sequence[ActionCheck], targets: Sequence[TargetCheck],
                  roles: Mapping[str, Any]) -> list[Improvement]:
    by_action = {a.id: a for a in actions}
    by_target = {t.id: t for t in targets}
    out = []
    for o in objectives:
        for area in o.areas:
            if area.what == "action":
                a = by_action[area.ref]
                trigger = msel.inject(a.inject).synopsis
                role_en, role_zh = _role_en(roles, a.role), _role_zh(roles, a.role)
                if a.status == "late":
                    ce = (f"Set a trigger so that {role_en} takes '{a.en}' by "
                          f"{_hours(a.deadline_h)}, when '{trigger}'")
                    cz = (f"明确触发条件：{role_zh}须在{_hours(a.deadline_h)}前完成"
                          f"“{a.zh or a.en}”")
                else:
                    ce = f"Add '{a.en}' to the checklist of {role_en}, triggered by '{trigger}'"
                    cz = f"将“{a.zh or a.en}”列入{role_zh}的工作清单，并明确触发条件"
                out.append(Improvement(objective=o.id, capability=o.capability, ref=a.id,
                                       issue_en=area.en, issue_zh=area.zh, corrective_en=ce,
                                       corrective_zh=cz, owner=a.role))
            else:
                t = by_target[area.ref]
                ce, cz = _CORRECTIVE.get(t.kind, _DEFAULT_CORRECTIVE)
                out.append(Improvement(objective=o.id, capability=o.capability, ref=t.id,
                                       issue_en=area.en, issue_zh=area.zh, corrective_en=ce,
                                       corrective_zh=cz, owner=_owner(msel, o.id)))
    return out


# -- timeline and forks --------------------------------------------------------------------------
def _state_at(result: RunResult, t_h: float) -> dict[str, Any]:
    """People sheltered and displaced, and the share relieved, at hour ``t_h`` of the run."""
    from sim.response.ledger import State

    times = result.times
    k = max(int(((times - EPS) <= t_h).sum()) - 1, 0)
    totals = result.people[k].sum(axis=0)
    n = result.relief_n.astype(float)
    total = float(n.sum())
    relieved = float(n[result.relief_t <= t_h + EPS].sum()) / total if total > 0 else None
    return {"time_h": float(times[k]), "sheltered": int(totals[State.sheltered]),
            "displaced": int(totals[State.displaced]),
            "relieved_share": relieved if t_h >= 0 else None}


def _timeline(result: RunResult, log: Sequence[Any]) -> list[dict[str, Any]]:
    rows = [_entry_dict(e) for e in log]
    rows.sort(key=lambda r: float(r["t_h"]))  # stable: log order at equal times
    for r in rows:
        r["state"] = _state_at(result, float(r["t_h"]))
    return rows


def _forks(forks: Sequence[Any], log: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    decisions = [e for e in log if _get(e, "kind") == "decision"]
    for f in forks:
        d = _fork_dict(f)
        t = float(d.get("t_h", math.nan))
        taken = next((e for e in decisions if abs(float(_get(e, "t_h")) - t) <= EPS), None)
        d["decision_taken"] = None if taken is None else {
            "en": _get(taken, "en"), "zh": _get(taken, "zh"), "ref": _get(taken, "ref"),
            "role": _get(taken, "role"), "action": _get(taken, "action")}
        out.append(d)
    return out


def zone_relief(result: RunResult, hours: float | None,
                scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """Basic relief per zone in the run, the zones that waited longest first.

    Returns
    -------
    list of dict
        For each zone whose people needed relief: ``zone``, ``zone_zh`` (the scenario's
        ``name_zh`` or None), ``people`` (who needed relief), ``within`` (share relieved within
        ``hours``; None without hours) and ``p95_h`` (95th percentile of the hours from onset
        to relief; ``inf`` when more than 5 % were not relieved in the run). Sorted by
        ``within`` (or ``p95_h`` without hours), then by people, most first.
    """
    from sim.study.zone_waits import P95, WITHIN, zone_relief_columns

    cols = zone_relief_columns(result, hours)
    zh = {z.name: getattr(z, "name_zh", None) for z in scenario.zones} if scenario else {}
    n = result.relief_n.astype(float)
    out: list[dict[str, Any]] = []
    for j, name in enumerate(result.zones):
        people = int(n[result.relief_zone == j].sum())
        if people <= 0:
            continue
        within = cols.get(WITHIN + name)
        out.append({"zone": name, "zone_zh": zh.get(name), "people": people,
                    "within": None if within is None or math.isnan(within) else within,
                    "p95_h": cols[P95 + name]})
    if hours is not None:
        out.sort(key=lambda z: (z["within"] if z["within"] is not None else 2.0, -z["people"]))
    else:
        out.sort(key=lambda z: (-z["p95_h"], -z["people"]))
    return out


def review_exercise(result: RunResult, msel: Msel | None, log: Sequence[Any] = (),
                    forks: Sequence[Any] = (), scenario: Scenario | None = None) -> Review:
    """Analyse an exercise for its after-action report.

    Parameters
    ----------
    result : RunResult
        The finished run of the exercise (its targets evaluated).
    msel : Msel or None
        The exercise's MSEL; without one there are no expected actions, objectives or
        improvement plan, only targets, forks and the timeline.
    log : sequence of LogEntry (or of their dicts)
        The exercise log (``kind`` ``inject``, ``contingency``, ``decision``, ``fork``,
        ``effect``, ``note``). An inject counts as delivered when an ``inject`` or
        ``contingency`` entry names its number in ``ref``; a decision fulfils the expected
        action in its ``action`` (the first such decision counts).
    forks : sequence of ForkReport (or of their dicts)
        The exercise's forks.
    scenario : Scenario, optional
        The scenario: the hours of its relief target (else 10 h, the five plans' promise) and
        the Chinese names of its zones.

    Returns
    -------
    Review
    """
    from sim.study.zone_waits import relief_hours

    targets = _targets(result, msel)
    hours = relief_hours(scenario) if scenario is not None else 10.0
    zones = zone_relief(result, hours, scenario)
    decisions = [e for e in log if _get(e, "kind") == "decision"]
    if msel is None:
        actions: list[ActionCheck] = []
        objectives: list[ObjectiveReview] = []
        improvements: list[Improvement] = []
        known: set[str] = set()
    else:
        roles = {r.id: r for r in msel.roles}
        actions = _actions(msel, log)
        objectives = _objectives(msel, actions, targets, roles, zones, hours)
        improvements = _improvements(msel, objectives, actions, targets, roles)
        known = {a.id for a in actions}
    other = [_entry_dict(e) for e in decisions if _get(e, "action") not in known]
    return Review(actions=actions, targets=targets, objectives=objectives,
                  improvements=improvements, forks=_forks(forks, log),
                  timeline=_timeline(result, log), other_decisions=other,
                  relief_hours=hours, zone_relief=zones)
