"""The items of a plan a simulation could test, and what the project does with each.

The notes on each seed plan mark the items a disaster-response simulation could test
(**[SIM]**). ``scenarios/plans/NNN_<place>_items.yaml`` lists each of them with its plan line and
the plan's words, and says what tests it: a target of the plan's scenario (``target: <id>``), a
static standard of it (``standard: <id>``), or nothing yet (``untested: <reason>``). A report
shows the untested items with their reasons beside the verdicts, so that no promise of the plan
silently drops out.

A scenario names its plan in ``plan:`` (``004_wenzhou_plan.txt``); a scenario without it is
matched to the plan its sources cite most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.scenario.base import Frozen, Name
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    _message,
    compose_mapping,
    load_scenario,
    read_text,
)
from sim.scenario.schema import Scenario

__all__ = [
    "PLANS_DIR",
    "ItemText",
    "PlanItem",
    "PlanItemStatus",
    "PlanItems",
    "items_path",
    "load_plan_items",
    "load_plan_items_file",
    "plan_item_status",
    "plan_of_scenario",
]

PLANS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "plans"

_PLAN_FILE = re.compile(r"\d{3}_[a-z]+_plan\.txt")
PlanFile = Annotated[str, Field(pattern=r"^\d{3}_[a-z]+_plan\.txt$")]
LineRef = Annotated[str, Field(pattern=r"^L\d+(-L\d+)?$",
                               description="A plan line (L205) or range (L155-L162).")]


class ItemText(Frozen):
    """An item in English and in the plan's own Chinese words."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1, description="The plan's words (an ellipsis … marks a cut).")


class PlanItem(Frozen):
    """One [SIM] item of a plan and what tests it (exactly one of target, standard, untested)."""

    line: LineRef
    item: ItemText
    target: Name | None = Field(default=None, description="A target id of the plan's scenario.")
    standard: Name | None = Field(default=None, description="A standard id of the scenario.")
    untested: str | None = Field(
        default=None, min_length=1, description="Why nothing tests the item, in one sentence."
    )

    @model_validator(mode="after")
    def _one(self) -> PlanItem:
        given = [k for k in ("target", "standard", "untested") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "an item needs exactly one of target, standard or untested; got "
                f"{given or 'none'}"
            )
        return self

    @property
    def lines(self) -> tuple[int, int]:
        """First and last plan line of the item (1-based, inclusive)."""
        parts = [int(p.lstrip("L")) for p in self.line.split("-")]
        return parts[0], parts[-1]


class PlanItems(Frozen):
    """A whole items file."""

    plan: PlanFile
    scenario: str = Field(min_length=1, description="The plan's scenario file in scenarios/.")
    items: list[PlanItem] = Field(min_length=1)


@dataclass(frozen=True)
class PlanItemStatus:
    """What a scenario does with one plan item.

    Attributes
    ----------
    line, en, zh : str
        The item (plan line, English, the plan's words).
    status : {'target', 'standard', 'untested', 'missing'}
        ``missing``: the item names a target or standard that the scenario lacks.
    ref : str or None
        The target or standard id.
    reason : str or None
        Why the item is untested or missing.
    """

    line: str
    en: str
    zh: str
    status: Literal["target", "standard", "untested", "missing"]
    ref: str | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"line": self.line, "item": {"en": self.en, "zh": self.zh},
                "status": self.status, "ref": self.ref, "reason": self.reason}


def load_plan_items_file(path: str | Path) -> PlanItems:
    """Read and validate one items file.

    Parameters
    ----------
    path : str or Path
        A ``*_items.yaml`` file.

    Returns
    -------
    PlanItems

    Raises
    ------
    ScenarioError
        With one located ``FILE:LINE: field: message`` problem per defect.
    """
    file = str(path)
    data, root = compose_mapping(read_text(path, file), file, "a mapping",
                                 "plan, scenario and items")
    problems: list[Problem] = []
    try:
        return PlanItems.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            where, line = _locate(tuple(err["loc"]), data, root)
            problems.append(Problem(file, line, where, _message(err)))
    raise ScenarioError(problems)


def plan_of_scenario(path: str | Path, scenario: Scenario | None = None) -> str | None:
    """Return the plan file a scenario tests (``004_wenzhou_plan.txt``), or None.

    The scenario's ``plan`` field when it has one, else the plan file its text cites most.
    """
    if scenario is not None:
        named = getattr(scenario, "plan", None)
        if isinstance(named, str):
            return named
    counts = Counter(_PLAN_FILE.findall(Path(path).read_text(encoding="utf-8")))
    return counts.most_common(1)[0][0] if counts else None


def items_path(plan: str, plans_dir: Path | None = None) -> Path:
    """Return the items file of a plan (``004_wenzhou``, ``004_wenzhou_plan.txt``)."""
    stem = plan.removesuffix(".txt").removesuffix("_plan")
    return (plans_dir or PLANS_DIR) / f"{stem}_items.yaml"


def load_plan_items(scenario_path_or_plan_id: str | Path) -> list[PlanItem]:
    """Load the [SIM] items of a plan.

    Parameters
    ----------
    scenario_path_or_plan_id : str or Path
        A scenario file (its plan is found from its ``plan`` field or its sources), an items
        file, or a plan id (``004_wenzhou`` or ``004_wenzhou_plan.txt``).

    Returns
    -------
    list of PlanItem

    Raises
    ------
    ScenarioError
        If the items file is missing or invalid, or the scenario names no plan.
    """
    arg = Path(scenario_path_or_plan_id)
    if arg.suffix in (".yaml", ".yml"):
        if arg.name.endswith("_items.yaml"):
            return list(load_plan_items_file(arg).items)
        plan = plan_of_scenario(arg, load_scenario(arg))
        if plan is None:
            raise ScenarioError([Problem(str(arg), None, "plan",
                                         "the scenario cites no seed plan")])
        return list(load_plan_items_file(items_path(plan, arg.parent / "plans")).items)
    return list(load_plan_items_file(items_path(str(scenario_path_or_plan_id))).items)


def plan_item_status(scenario_path: str | Path,
                     scenario: Scenario | None = None) -> list[PlanItemStatus]:
    """Return each [SIM] item of a scenario's plan with what the scenario does with it.

    Parameters
    ----------
    scenario_path : str or Path
        The scenario file.
    scenario : Scenario, optional
        The scenario already loaded from it.

    Returns
    -------
    list of PlanItemStatus
        Empty when the scenario tests no seed plan or its plan has no items file.
    """
    path = Path(scenario_path)
    sc = scenario if scenario is not None else load_scenario(path)
    plan = plan_of_scenario(path, sc)
    if plan is None:
        return []
    file = items_path(plan, path.parent / "plans")
    if not file.exists():
        return []
    targets = {t.id for t in sc.targets}
    standards = {s.id for s in getattr(sc, "standards", [])}
    out: list[PlanItemStatus] = []
    for it in load_plan_items_file(file).items:
        status: Literal["target", "standard", "untested", "missing"]
        ref = it.target or it.standard
        reason = it.untested
        if it.target is not None:
            status = "target" if it.target in targets else "missing"
        elif it.standard is not None:
            status = "standard" if it.standard in standards else "missing"
        else:
            status = "untested"
        if status == "missing":
            reason = f"{ref!r} is not in the scenario: planned, not yet measured"
        out.append(PlanItemStatus(it.line, it.item.en, it.item.zh, status, ref, reason))
    return out
