"""Levers (调整手段): what a plan owner may change in a scenario, in steps, and what each costs.

A levers file (YAML, e.g. ``scenarios/levers/wenzhou_typhoon_levers.yaml``) lists the changes a
search over combinations (:mod:`sim.study.search`) may make. Each lever is a scenario path, as
the overrides of :mod:`sim.scenario.overrides` name them, with either

* a **step**: ``step`` added up to ``max_steps`` times, each step costing ``cost_per_step``; a
  number grows by the step, a distribution is shifted (every draw grows by the step), a
  lognormal's median moves by the step; a path that is not set (a shelter's ``prepositioned``
  item, say) starts from 0::

      - path: vehicles[city_trucks].count
        step: 2
        max_steps: 10
        cost_per_step: 600000
        source: "assumption: ..."

* or **options**: alternative values (a rule such as ``response.logistics.dispatch``, a warning
  channel appended with ``response.warning.channels[+]``), each with its cost; level 0 keeps the
  scenario's own value::

      - path: response.logistics.dispatch
        options:
          - {value: nearest, cost: 0, source: "assumption: ..."}

Every cost carries a ``source`` (a published unit price or procurement notice, or
``assumption: reason``). A candidate is one level per lever (0 = unchanged). The file is read
through the project's limited YAML loader; every problem is one located line
``FILE:LINE: levers[i].field: message``, including a lever whose largest step makes the scenario
invalid (checked at load by applying each lever at its maximum, and all of them together).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, ValidationError, field_validator

from sim.scenario.base import Frozen, Name, Text
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    build_yaml,
    compose_yaml,
    read_text,
    validation_problems,
)
from sim.scenario.overrides import Override, apply_overrides, parse_path, shifted, value_at
from sim.scenario.schema import Scenario

__all__ = [
    "LeverSpace",
    "Levers",
    "OptionLever",
    "StepLever",
    "load_levers",
]

MAX_LEVERS = 40
"""Most levers in one file (the search space grows as the product of their levels)."""

Cost = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Source = Annotated[str, Field(min_length=1)]


def _check_path(path: str) -> str:
    try:
        parse_path(path)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return path


class StepLever(Frozen):
    """A count or quantity changed in equal steps, each with a cost."""

    path: str = Field(description="Scenario path, e.g. vehicles[city_trucks].count.")
    step: float = Field(allow_inf_nan=False, description="Change per step (negative: less).")
    max_steps: Annotated[int, Field(strict=True, ge=1, le=1000)]
    cost_per_step: Cost = Field(description="Cost of one step, in the file's currency.")
    source: Source = Field(description="Where the cost comes from (or 'assumption: reason').")
    what: Text | None = None

    @field_validator("path")
    @classmethod
    def _path_ok(cls, v: str) -> str:
        return _check_path(v)

    @field_validator("step")
    @classmethod
    def _nonzero(cls, v: float) -> float:
        if v == 0:
            raise ValueError("a step must not be 0")
        return v

    @property
    def levels(self) -> int:
        """Number of levels, 0 (unchanged) to ``max_steps``."""
        return self.max_steps + 1

    def cost(self, level: int) -> float:
        """Cost of ``level`` steps."""
        return level * self.cost_per_step


class Option(Frozen):
    """One alternative value of an option lever."""

    value: Any = Field(description="The value the path takes (YAML data).")
    cost: Cost
    source: Source
    label: str | None = None


class OptionLever(Frozen):
    """A rule or an addition chosen among alternatives (level 0: the scenario's own value)."""

    path: str
    options: list[Option] = Field(min_length=1, max_length=20)
    what: Text | None = None

    @field_validator("path")
    @classmethod
    def _path_ok(cls, v: str) -> str:
        return _check_path(v)

    @property
    def levels(self) -> int:
        """Number of levels: 0 (unchanged) and one per option."""
        return len(self.options) + 1

    def cost(self, level: int) -> float:
        """Cost of option ``level`` (0: nothing)."""
        return 0.0 if level == 0 else self.options[level - 1].cost


def _lever_kind(v: Any) -> str:
    return "~options" if isinstance(v, Mapping) and "options" in v else "~step"


Lever = Annotated[
    Annotated[StepLever, Tag("~step")] | Annotated[OptionLever, Tag("~options")],
    Discriminator(_lever_kind),
]


class Levers(Frozen):
    """A whole levers file."""

    scenario: Name | None = Field(
        default=None, description="Name of the scenario the levers are for (checked).")
    currency: str = "CNY"
    description: str | None = None
    levers: list[Lever] = Field(min_length=1, max_length=MAX_LEVERS)


def _moved(value: Any, delta: float, path: str) -> Any:
    """``value`` changed by ``delta`` (a lognormal's median moves; other values shift)."""
    if isinstance(value, Mapping) and value.get("dist") == "lognormal":
        out = dict(value)
        med = float(out.get("median", math.nan)) + delta
        if not med > 0:
            raise ScenarioError([Problem("--levers", None, path,
                                         f"the lognormal's median would be {med:g}")])
        out["median"] = med
        return out
    return shifted(value, delta, path)


@dataclass(frozen=True)
class LeverSpace:
    """Levers bound to a scenario: what every candidate changes and costs.

    Attributes
    ----------
    levers : Levers
    scenario : Scenario or path
        The base scenario (a file gives located errors in it too).
    base_values : tuple
        Each step lever's raw value in the scenario (0 where the path is not set); None for
        option levers.
    file : str
        The levers file (for messages and overrides).
    lines : tuple of int or None
        Line of each lever in the file.
    digest : str
        SHA-256 of the levers file's text (a stored search checks it on resume).
    """

    levers: Levers
    scenario: Scenario | str | Path
    base_values: tuple[Any, ...]
    file: str = "<levers>"
    lines: tuple[int | None, ...] = ()
    digest: str = ""
    option_lines: tuple[tuple[int | None, ...], ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of levels of each lever."""
        return tuple(lv.levels for lv in self.levers.levers)

    @property
    def size(self) -> int:
        """Number of candidates (combinations of levels)."""
        return math.prod(self.shape)

    @property
    def top(self) -> tuple[int, ...]:
        """The top candidate: every lever at its last level (largest step, last option)."""
        return tuple(n - 1 for n in self.shape)

    def cost(self, levels: Sequence[int]) -> float:
        """Total cost of a candidate."""
        return float(sum(lv.cost(k) for lv, k in zip(self.levers.levers, levels, strict=True)))

    def overrides(self, levels: Sequence[int]) -> list[Override]:
        """The scenario overrides a candidate makes (none for levels at 0)."""
        out = []
        for i, (lv, k) in enumerate(zip(self.levers.levers, levels, strict=True)):
            if not 0 <= k < lv.levels:
                raise ValueError(f"level {k} of lever {i} ({lv.path}) is outside "
                                 f"0..{lv.levels - 1}")
            if k == 0:
                continue
            line = self.lines[i] if i < len(self.lines) else None
            if isinstance(lv, StepLever):
                value = _moved(self.base_values[i], k * lv.step, lv.path)
            else:
                value = lv.options[k - 1].value
                if i < len(self.option_lines) and self.option_lines[i][k - 1] is not None:
                    line = self.option_lines[i][k - 1]
            out.append(Override(lv.path, value, self.file, line))
        return out

    def scenario_at(self, levels: Sequence[int]) -> Scenario:
        """The scenario changed by a candidate (validated).

        Raises
        ------
        ScenarioError
            If the changed scenario is invalid (located in the levers file).
        """
        ovs = self.overrides(levels)
        if not ovs and isinstance(self.scenario, Scenario):
            return self.scenario
        return apply_overrides(self.scenario, ovs)

    @cached_property
    def _base_scenario(self) -> Scenario:
        """The base scenario as a model (loaded once when given as a file)."""
        if isinstance(self.scenario, Scenario):
            return self.scenario
        from sim.scenario.loader import load_scenario

        return load_scenario(self.scenario)

    def describe(self, levels: Sequence[int]) -> list[str]:
        """One phrase per changed lever, e.g. ``vehicles[city_trucks].count +6 (CNY 1,800,000)``."""
        cur = self.levers.currency
        out = []
        for lv, k in zip(self.levers.levers, levels, strict=True):
            if k == 0:
                continue
            if isinstance(lv, StepLever):
                d = k * lv.step
                out.append(f"{lv.path} {d:+,.6g} ({cur} {lv.cost(k):,.0f})")
            else:
                opt = lv.options[k - 1]
                shown = opt.label or _short(opt.value)
                out.append(f"{lv.path} = {shown} ({cur} {opt.cost:,.0f})")
        return out


    def changes(self, levels: Sequence[int]) -> list[dict[str, Any]]:
        """The changes of a candidate in plan terms, one mapping per changed lever.

        Each has ``path``, ``change`` (``+6`` or the option's label), ``cost``, and ``en`` and
        ``zh``: the lever's ``what`` (times the steps taken), or the path's plain name
        (:func:`sim.scenario.labels.describe`) with the change.
        """
        from sim.scenario.labels import describe

        out = []
        named: Scenario | None = None  # names stock points, items and units in plan terms
        for lv, k in zip(self.levers.levers, levels, strict=True):
            if k == 0:
                continue
            if lv.what is None and named is None:
                named = self._base_scenario
            if isinstance(lv, StepLever):
                change = f"{k * lv.step:+,.6g}"
                cost = lv.cost(k)
                times = f" ×{k}" if k > 1 else ""
            else:
                opt = lv.options[k - 1]
                change = f"= {opt.label or _short(opt.value)}"
                cost = opt.cost
                times = f" ({change[2:]})"
            if lv.what is not None:
                en = f"{lv.what.en}{times}"
                zh = f"{lv.what.zh or lv.what.en}{times}"
            else:
                en = f"{describe(lv.path, named)} {change}"
                zh = f"{describe(lv.path, named, lang='zh')} {change}"
            out.append({"path": lv.path, "change": change, "cost": float(cost), "en": en,
                        "zh": zh})
        return out


def _short(value: Any) -> str:
    if isinstance(value, Mapping) and "name" in value:
        return f"+{value['name']}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _raw_or_zero(scenario: Scenario | str | Path, path: str) -> Any:
    """The raw value at ``path``, or 0 when the path resolves but is not set."""
    try:
        return value_at(scenario, path)
    except ScenarioError as exc:
        if all(p.message == "the path is not set" or " is not set, it has no field" in p.message
               for p in exc.problems):
            return 0
        raise


def load_levers(path: str | Path, scenario: Scenario | str | Path) -> LeverSpace:
    """Read a levers file and check it against a scenario, with located one-line errors.

    Every lever must resolve on the scenario, and the scenario must stay valid with each lever
    at its largest level and with all of them there together.

    Parameters
    ----------
    path : path
        The levers file.
    scenario : Scenario or path
        The scenario the levers change.

    Returns
    -------
    LeverSpace

    Raises
    ------
    ScenarioError
        ``FILE:LINE: levers[i].field: message`` problems.
    """
    file = str(path)
    text = read_text(path, file)
    node = compose_yaml(text, file)
    if node is None:
        raise ScenarioError([Problem(file, 1, "", "the file is empty; expected a mapping with "
                                                  "`levers:` (a list of levers)")])
    problems: list[Problem] = []
    data, root = build_yaml(node, file, problems)
    if problems:
        raise ScenarioError(problems)
    try:
        levers = Levers.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, data, root, file)) from None
    lever_nodes = root.children.get("levers")
    lines: list[int | None] = []
    option_lines: list[tuple[int | None, ...]] = []
    for i, lv in enumerate(levers.levers):
        n = lever_nodes.children.get(i) if lever_nodes is not None else None
        lines.append(n.line if n is not None else None)
        opts = n.children.get("options") if n is not None else None
        count = len(lv.options) if isinstance(lv, OptionLever) else 0
        option_lines.append(tuple(
            (o.line if (o := opts.children.get(j)) is not None else None)
            if opts is not None else None for j in range(count)))
    if isinstance(scenario, Scenario):
        sc_name = scenario.name
    else:
        from sim.scenario.loader import load_scenario

        sc_name = load_scenario(scenario).name
    if levers.scenario is not None and levers.scenario != sc_name:
        line = root.children["scenario"].line if "scenario" in root.children else root.line
        raise ScenarioError([Problem(file, line, "scenario", f"the levers are for scenario "
                                     f"{levers.scenario!r}, not {sc_name!r}")])
    base: list[Any] = []
    for i, lv in enumerate(levers.levers):
        where = f"levers[{i}]"
        if isinstance(lv, OptionLever):
            base.append(None)
            continue
        try:
            v = _raw_or_zero(scenario, lv.path)
            _moved(v, lv.step, lv.path)
        except ScenarioError as exc:
            problems += [Problem(file, lines[i], f"{where}.path", p.message)
                         for p in exc.problems]
            base.append(None)
            continue
        base.append(v)
    if problems:
        raise ScenarioError(problems)
    space = LeverSpace(levers, scenario, tuple(base), file, tuple(lines),
                       hashlib.sha256(text.encode("utf-8")).hexdigest(), tuple(option_lines))
    _check_extremes(space, problems)
    if problems:
        raise ScenarioError(problems)
    return space


def _check_extremes(space: LeverSpace, problems: list[Problem]) -> None:
    """Check that the scenario stays valid at every lever's extreme levels; keep the problems.

    All levers at their last level are applied together first, then the other options one at
    a time; when the top fails, each lever is applied alone at its last level too, to say which.
    """
    n = len(space.shape)
    try:
        space.scenario_at(space.top)
        top_ok = True
    except ScenarioError as exc:
        top_ok = False
        top_problems = exc.problems
    for i, lv in enumerate(space.levers.levers):
        if isinstance(lv, StepLever):
            ks = [] if top_ok else [lv.levels - 1]
        else:
            ks = list(range(1, lv.levels - 1 if top_ok else lv.levels))
        for k in ks:
            levels = [0] * n
            levels[i] = k
            try:
                space.scenario_at(levels)
            except ScenarioError as exc:
                where = (f"levers[{i}]" if isinstance(lv, StepLever)
                         else f"levers[{i}].options[{k - 1}]")
                what = (f" (at its largest level, {lv.max_steps} steps of {lv.step:g})"
                        if isinstance(lv, StepLever) else "")
                problems += [Problem(p.file, p.line, where, f"{p.path}: {p.message}{what}")
                             for p in exc.problems]
    if not top_ok and not problems:
        problems += [Problem(space.file, p.line, "levers",
                             f"all levers at their largest level: {p.path}: {p.message}")
                     for p in top_problems]
