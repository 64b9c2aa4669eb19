"""Other readings of a plan's rules, to compare on the same disasters.

A reading is one override of a scenario (an input path and the value it takes) that states the
plan's rule differently: Jincheng's nearest-force dispatch (003_jincheng_plan.txt#L821, 就近调配)
against the other dispatch rules, the dispersed families relieved by delivery against by their
hosts. A report runs each reading on common random numbers and shows the targets' P(holds) under
it beside the scenario's own (:func:`sim.study.plan_readings.readings_section`).

:func:`plan_readings` gives the readings a scenario's plan rules call for (the dispatch rule);
:func:`dispersed_relief_readings` the relief reading the scenario does not report;
:func:`readings` both (what the plan reports run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.schema import Scenario

__all__ = ["PlanReading", "dispersed_relief_readings", "nearest_dispatch_line", "plan_readings",
           "readings"]

PLANS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "plans"
"""Where the seed plans live (``scenarios/plans``)."""

NEAREST_FORCE = re.compile(r"就近(调配|调派|调度|调集|派遣)")
"""How a plan names nearest-force dispatch (就近调配 and its variants)."""

RESCUE_KINDS = ("trapped_reached_within", "first_on_scene_within", "teams_suffice",
                "deaths_per_million")
"""Target kinds a rescue dispatch rule can move."""

RELIEF_KINDS = ("relief_within", "supplies_in_place_within")
"""Target kinds the dispersed families' relief reading can move."""

DISPATCH_WORDS: dict[str, tuple[str, str]] = {
    "nearest": ("each site gets the nearest idle team, the oldest site first (nearest force, "
                "the plan's rule)", "就近调配：各救援点由最近的空闲队伍处置，先发生者先派"),
    "largest": ("the site with the most people still trapped gets the next team first",
                "优先派往被困人数最多的救援点"),
    "survival": ("the site where a team saves the most expected lives per hour gets the next "
                 "team first (trapped people weighted by their chance to be found alive)",
                 "优先派往每小时可挽救生命最多的救援点（按被困者存活概率加权）"),
}
"""Plain English and Chinese words for each value of ``response.rescue.dispatch``."""


@dataclass(frozen=True)
class PlanReading:
    """One alternative reading: set ``path`` to ``value`` and compare on the same disasters."""

    path: str
    """The scenario input path the reading sets (see :mod:`sim.scenario.overrides`)."""
    value: Any
    """The alternative value."""
    current: Any
    """The scenario's own value at ``path`` (the reading reported by default)."""
    words: str
    """What the alternative means, in plain English."""
    words_zh: str
    """The same in Chinese."""
    kinds: tuple[str, ...]
    """The target kinds the reading is compared on."""
    source: str
    """Where the rule comes from: the plan line, or an assumption."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"path": self.path, "value": self.value, "current": self.current,
                "words": self.words, "words_zh": self.words_zh, "kinds": list(self.kinds),
                "source": self.source}


def nearest_dispatch_line(plan: str | None, plans_dir: Path = PLANS_DIR) -> str | None:
    """The line of ``plan`` that names nearest-force dispatch, as ``FILE#LN``, or None.

    The plan file is read from ``plans_dir``; a plan that is not there, or that does not name
    the rule, gives None.
    """
    if plan is None:
        return None
    path = plans_dir / plan
    if not path.is_file():
        return None
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if NEAREST_FORCE.search(line):
            return f"{plan}#L{i}"
    return None


def _rescue_kinds(sc: Scenario) -> tuple[str, ...]:
    present = {t.kind for t in sc.targets}
    return tuple(k for k in RESCUE_KINDS if k in present)


def plan_readings(sc: Scenario, plans_dir: Path = PLANS_DIR) -> list[PlanReading]:
    """The readings a scenario's plan rules call for.

    When the scenario's plan names nearest-force dispatch (就近调配) and the scenario has rescue
    rules, each other value of ``response.rescue.dispatch`` is a reading of the rescue targets
    (the scenario keeps its own rule as the one reported). Nothing otherwise.
    """
    rule = sc.response.rescue
    line = nearest_dispatch_line(sc.plan, plans_dir)
    if rule is None or line is None:
        return []
    kinds = _rescue_kinds(sc)
    if not kinds:
        return []
    out = []
    for value, (en, zh) in DISPATCH_WORDS.items():
        if value == rule.dispatch:
            continue
        src = (f"{line} names nearest-force dispatch (就近调配); this is the other rule, on the "
               "same disasters")
        out.append(PlanReading("response.rescue.dispatch", value, rule.dispatch, en, zh, kinds,
                               src))
    return out


def dispersed_relief_readings(sc: Scenario) -> list[PlanReading]:
    """The other value of ``response.logistics.dispersed_relief`` (``delivered`` or ``hosts``).

    ``delivered``: dispersed families (with relatives) are relieved when the last mile brings
    their items (001_fuzhou_plan.txt#L200, 004_wenzhou_plan.txt#L433: the supplies reach every
    displaced person); ``hosts``: their hosts relieve them on arrival (the optimistic reading).
    Nothing when the scenario has no relief target.
    """
    present = {t.kind for t in sc.targets}
    kinds = tuple(k for k in RELIEF_KINDS if k in present)
    current = sc.response.logistics.dispersed_relief
    if not kinds or current not in ("delivered", "hosts"):
        return []
    if current == "hosts":
        return [PlanReading(
            "response.logistics.dispersed_relief", "delivered", current,
            "dispersed families (with relatives) are relieved when the last mile brings their "
            "items (distribution point, then village teams), not by their hosts on arrival",
            "分散安置群众的救助物资经乡村末端配送到户后才算得到救助", kinds,
            "001_fuzhou_plan.txt#L200; 004_wenzhou_plan.txt#L433")]
    return [PlanReading(
        "response.logistics.dispersed_relief", "hosts", current,
        "dispersed families are relieved by their hosts (relatives) on arrival, with no "
        "delivery from the stock system (the optimistic reading)",
        "投亲靠友的分散安置群众到达即由亲友保障基本生活（乐观解读）", kinds,
        "assumption: relatives provide food, water and bedding at once")]


def readings(sc: Scenario, plans_dir: Path = PLANS_DIR) -> list[PlanReading]:
    """Every reading to compare for ``sc``: its plan's rules, then the dispersed relief."""
    return [*plan_readings(sc, plans_dir), *dispersed_relief_readings(sc)]
