"""The Master Scenario Events List (MSEL) of a tabletop exercise, validated with located errors.

An MSEL (HSEEP's term) lists the injects a controller gives the players, in scenario time. Each
inject has HSEEP's fields: a unique number (``"1.3"``), the scenario time ``at_h`` in hours from
the hazard's onset, a synopsis, the message in Chinese and English, ``from`` (the controller),
``to`` (a declared player role), the expected player action (an id the decision log and the
after-action report refer to), the exercise objective it serves, and optionally:

``effect``
    What the inject does to the simulation: an intervention of :mod:`sim.interventions`, any
    kind but ``branch`` (events such as ``cut_link``, ``close_shelter``, ``aftershock``, and
    decisions such as ``order_evacuation``), validated the same way, its ``at_h`` taken from
    the inject.
``when_not``
    ``{action: ID, by_h: H}`` makes it a contingency inject: it is due only if the expected
    action ``ID`` of an earlier inject has not been taken by hour ``H`` (see
    :func:`due_injects`).
``source``
    Where it comes from (``004_wenzhou_plan.txt#L433``).

YAML
----
A mapping with the exercise's metadata and its injects::

    name: wenzhou_typhoon_tabletop
    name_zh: 温州台风桌面推演
    scenario: ../wenzhou_typhoon.yaml       # relative to the MSEL file
    objectives:
      - {id: relief_10h, capability: Logistics and Supply Chain Management}
    roles:
      - {id: city_hq, name: City flood and typhoon HQ, name_zh: 市防指}
    injects:
      - number: "1.1"                      # quoted: YAML reads 1.10 as the number 1.1
        at_h: -24
        synopsis: ...
        message: {zh: ..., en: ...}
        from: exercise_control
        to: city_hq
        expected_action: {id: issue_warning, en: ..., zh: ...}
        objective: relief_10h
        effect: {kind: add_stock, point: city_warehouse, items: {meal: 20000}}

CSV (for an MSEL kept in a spreadsheet)
---------------------------------------
One sheet, saved as UTF-8 CSV (Excel's "CSV UTF-8"; a byte-order mark is accepted). Its first
rows are the metadata, one row each, the key in the first cell::

    name,wenzhou_typhoon_tabletop
    name_zh,温州台风桌面推演
    scenario,../wenzhou_typhoon.yaml
    objective,<id>,<capability>[,<description>[,<description_zh>]]
    role,<id>[,<name>[,<name_zh>]]

then the header row, whose first cell is ``number``, then one row per inject. Blank rows, and rows
whose first cell starts with ``#``, are skipped. The columns are named as the YAML fields; a
field of a nested mapping is its parent's name, ``_`` and its key: ``message_zh``,
``message_en``, ``expected_action_id``, ``expected_action_en``, ``expected_action_zh``,
``when_not_action``, ``when_not_by_h``, ``effect_kind``, ``effect_<field>`` for each field of
the effect's kind (``effect_point``, ``effect_zone``, ``effect_hours``, ``effect_a``,
``effect_share``, ...; a list of names, as ``effect_zones``, in one cell separated by spaces or
commas), ``effect_note`` and ``effect_items_<item>`` (one column per relief item, e.g.
``effect_items_meal``). An empty cell is an absent field. Errors name
the file's line and the column: ``msel.csv:7: column at_h: expected a number, got 'six'``.
Format the ``number`` column as text in the spreadsheet: as a number, ``1.10`` becomes ``1.1``.
:func:`msel_to_csv` writes this layout from a loaded MSEL.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.interventions import Effect, check_interventions
from sim.interventions.load import field_path
from sim.scenario.base import Frozen, Name
from sim.scenario.limits import INTERVENTIONS
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    _message,
    _Node,
    compose_mapping,
    read_text,
)
from sim.scenario.schema import CrossReferenceError, Loc

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "Effect",
    "ExpectedAction",
    "Inject",
    "Message",
    "Msel",
    "Objective",
    "Role",
    "WhenNot",
    "check_msel",
    "due_injects",
    "load_msel",
    "msel_to_csv",
    "parse_msel_csv",
    "parse_msel_yaml",
    "scenario_path",
    "validate_msel_file",
]

Hours = Annotated[float, Field(allow_inf_nan=False)]
Words = Annotated[str, Field(min_length=1, max_length=4000)]


_NUMBER = re.compile(r"^[0-9A-Za-z]+([.\-][0-9A-Za-z]+)*$")


class Message(Frozen):
    """The text of an inject as the players receive it, in Chinese and English."""

    zh: Words
    en: Words


class ExpectedAction(Frozen):
    """What the players are expected to do, with the id decisions and contingencies name."""

    id: Name
    en: Words
    zh: Words | None = None


class WhenNot(Frozen):
    """A contingency: the inject is due only if ``action`` was not taken by ``by_h``."""

    action: Name = Field(description="An expected action id of an earlier inject.")
    by_h: Hours = Field(description="Hours from onset by which the action should be taken.")


class Objective(Frozen):
    """An exercise objective and the HSEEP core capability it exercises."""

    id: Name
    capability: Words = Field(description="HSEEP core capability, e.g. 'Mass Care Services'.")
    description: Words | None = None
    description_zh: Words | None = None


class Role(Frozen):
    """A player role (a command post, a working group, a county)."""

    id: Name
    name: Words | None = None
    name_zh: Words | None = None


class Inject(Frozen):
    """One inject of the MSEL (HSEEP's fields, plus an optional effect and contingency)."""

    number: str = Field(max_length=20, description='Unique inject number, e.g. "1.3".')
    at_h: Hours = Field(description="Scenario time: hours from the hazard's onset.")
    synopsis: Words
    message: Message
    from_: Words = Field(alias="from", description="The controller who delivers it.")
    to: Name = Field(description="The player role it is addressed to (a declared role).")
    expected_action: ExpectedAction | None = None
    objective: Name = Field(description="The objective it serves (a declared objective id).")
    effect: Effect | None = None
    when_not: WhenNot | None = None
    source: str | None = Field(default=None, description="Provenance (a plan line, an event).")

    @model_validator(mode="before")
    @classmethod
    def _effect_at_inject_time(cls, data: Any) -> Any:
        """Give the effect the inject's ``at_h`` (an effect written with one is checked later)."""
        if isinstance(data, dict) and isinstance(data.get("effect"), dict) \
                and "at_h" not in data["effect"]:
            at = data.get("at_h")
            ok = isinstance(at, int | float) and not isinstance(at, bool)
            data = {**data, "effect": {**data["effect"], "at_h": at if ok else 0.0}}
        return data

    @field_validator("number", mode="before")
    @classmethod
    def _number_is_text(cls, v: Any) -> Any:
        if not isinstance(v, str):
            raise ValueError(f'write the inject number as text in quotes ("1.3"), got {v!r} '
                             "(YAML reads 1.10 as the number 1.1)")
        if not _NUMBER.match(v):
            raise ValueError(f"an inject number is letters and digits separated by '.' or '-' "
                             f'("1.3", "2-4b"), got {v!r}')
        return v


class Msel(Frozen):
    """A Master Scenario Events List: the exercise's metadata and its injects."""

    name: Name
    name_zh: Words | None = None
    scenario: Words = Field(description="The scenario file it is written for, relative to it.")
    objectives: list[Objective] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    injects: list[Inject] = Field(min_length=1, max_length=int(INTERVENTIONS.value))

    @model_validator(mode="after")
    def _cross_check(self) -> Msel:
        problems = list(_cross_problems(self))
        if problems:
            raise CrossReferenceError(problems)
        return self

    def inject(self, number: str) -> Inject:
        """The inject numbered ``number`` (``KeyError`` if there is none)."""
        for it in self.injects:
            if it.number == number:
                return it
        raise KeyError(number)


def _duplicates(loc: str, ids: list[str], field: str, what: str) -> Iterator[tuple[Loc, str]]:
    first: dict[str, int] = {}
    for i, x in enumerate(ids):
        if x in first:
            yield (loc, i, field), f"duplicate {what} {x!r} (first at {loc}[{first[x]}])"
        else:
            first[x] = i


def _cross_problems(m: Msel) -> Iterator[tuple[Loc, str]]:
    yield from _duplicates("objectives", [o.id for o in m.objectives], "id", "objective id")
    yield from _duplicates("roles", [r.id for r in m.roles], "id", "role id")
    yield from _duplicates("injects", [i.number for i in m.injects], "number", "inject number")
    roles = {r.id for r in m.roles}
    objectives = {o.id for o in m.objectives}
    asked: dict[str, int] = {}
    for i, it in enumerate(m.injects):
        if it.to not in roles:
            yield ("injects", i, "to"), f"unknown role {it.to!r}; declared: {sorted(roles)}"
        if it.objective not in objectives:
            yield ("injects", i, "objective"), (f"unknown objective {it.objective!r}; declared: "
                                                f"{sorted(objectives)}")
        if it.effect is not None and it.effect.at_h != it.at_h:
            yield ("injects", i, "effect", "at_h"), (
                f"an effect happens at its inject's at_h ({it.at_h:g}); remove this at_h")
        if it.expected_action is not None:
            a = it.expected_action.id
            if a in asked:
                yield ("injects", i, "expected_action", "id"), (
                    f"duplicate expected action id {a!r} (first at injects[{asked[a]}])")
            else:
                asked[a] = i
    for i, it in enumerate(m.injects):
        w = it.when_not
        if w is None:
            continue
        j = asked.get(w.action)
        if j is None or j == i:
            yield ("injects", i, "when_not", "action"), (
                f"{w.action!r} is not the expected action of another inject")
        elif m.injects[j].at_h > w.by_h:
            yield ("injects", i, "when_not", "by_h"), (
                f"by_h={w.by_h:g} is before inject {m.injects[j].number} asks for {w.action!r} "
                f"(at_h={m.injects[j].at_h:g})")
        if w.by_h > it.at_h:
            yield ("injects", i, "when_not", "by_h"), (
                f"by_h={w.by_h:g} is after the inject's at_h={it.at_h:g}: whether it is due "
                "must be known when it is due")


def due_injects(msel: Msel, now_h: float, actions_taken: Mapping[str, float],
                after_h: float = -math.inf) -> list[Inject]:
    """The injects due by ``now_h``, contingency injects included when their condition holds.

    Parameters
    ----------
    msel : Msel
        The MSEL.
    now_h : float
        The scenario time, hours from onset.
    actions_taken : mapping of str to float
        Each expected action id the players have taken, with the hour they took it.
    after_h : float
        Leave out injects at or before this hour (those already delivered); default none.

    Returns
    -------
    list of Inject
        Injects with ``after_h < at_h <= now_h``, in time order (file order at equal times). A
        contingency inject (``when_not``) is among them only if its action was not taken at or
        before its ``by_h``.
    """
    out: list[tuple[float, int, Inject]] = []
    for k, it in enumerate(msel.injects):
        if not after_h < it.at_h <= now_h:
            continue
        w = it.when_not
        if w is not None:
            taken = actions_taken.get(w.action)
            if taken is not None and taken <= w.by_h:
                continue
        out.append((it.at_h, k, it))
    return [it for _, _, it in sorted(out, key=lambda x: (x[0], x[1]))]


def check_msel(msel: Msel, scenario: Scenario) -> list[tuple[Loc, str]]:
    """Check an MSEL against the scenario it is written for.

    Every ``at_h`` and ``when_not.by_h`` must lie in the scenario's ``[time.start_h,
    time.end_h]``; effects are checked as interventions are
    (:func:`sim.interventions.check_interventions`): the zones, shelters, stock points, items and
    fleets they name exist, a new shelter's name is free, vehicles stay within the limit.

    Returns
    -------
    list of (loc, message)
        ``loc`` is the path of the offending field (``("injects", 3, "effect", "zone")``);
        empty when the MSEL fits the scenario.
    """
    out: list[tuple[Loc, str]] = []
    start, end = scenario.time.start_h, scenario.time.end_h
    window = f"the run lasts from time.start_h {start:g} to time.end_h {end:g} h"
    for i, it in enumerate(msel.injects):
        if not start <= it.at_h <= end:
            out.append((("injects", i, "at_h"), f"at_h={it.at_h:g} is outside the scenario: "
                        f"{window}"))
        if it.when_not is not None and not start <= it.when_not.by_h <= end:
            out.append((("injects", i, "when_not", "by_h"),
                        f"by_h={it.when_not.by_h:g} is outside the scenario: {window}"))
    where = [i for i, it in enumerate(msel.injects) if it.effect is not None]
    effects = [e for e in (msel.injects[i].effect for i in where) if e is not None]
    for j, field, msg in check_interventions(list(effects), scenario):
        if field != "at_h":  # reported above for every inject
            out.append((("injects", where[j], "effect", *field_path(field)), msg))
    return out


# -- loading ------------------------------------------------------------------------------------
Locator = Callable[[Loc], tuple[str, int | None]]


def _validate(data: Any, file: str, locate: Locator, scenario: Scenario | None) -> Msel:
    """Validate plain data into an :class:`Msel`, turning every problem into a located one."""
    problems: list[Problem] = []

    def add(loc: Loc, msg: str) -> None:
        path, line = locate(loc)
        problems.append(Problem(file, line, path, msg))

    try:
        msel = Msel.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] == "union_tag_invalid":  # point at the tag itself (`kind: ...`)
                loc = (*loc, str(err.get("ctx", {}).get("discriminator", "")).strip("'"))
            add(loc, _message(err).replace("the scenario format", "the MSEL format"))
        raise ScenarioError(problems) from None
    except CrossReferenceError as exc:
        for loc, msg in exc.problems:
            add(loc, msg)
        raise ScenarioError(problems) from None
    if scenario is not None:
        for loc, msg in check_msel(msel, scenario):
            add(loc, msg)
        if problems:
            raise ScenarioError(problems)
    return msel


def parse_msel_yaml(text: str, file: str = "<string>", scenario: Scenario | None = None) -> Msel:
    """Parse and validate an MSEL written in YAML.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        The name errors give.
    scenario : Scenario, optional
        Also check the MSEL against it (:func:`check_msel`).

    Raises
    ------
    ScenarioError
        With ``FILE:LINE: field.path: message`` problems.
    """
    data, root = compose_mapping(text, file, "an MSEL mapping", "MSEL fields")
    return _validate(data, file, lambda loc: _locate(loc, data, root), scenario)


_META_SCALARS = ("name", "name_zh", "scenario")
_META_ROWS = {"objective": ("objectives", ("id", "capability", "description", "description_zh")),
              "role": ("roles", ("id", "name", "name_zh"))}
_INJECT_COLUMNS = ("number", "at_h", "synopsis", "from", "to", "objective", "source")
_GROUPS = ("message", "expected_action", "when_not", "effect")
_TEXT_COLUMNS = {"number", "synopsis", "from", "to", "objective", "source", "message_zh",
                 "message_en", "expected_action_id", "expected_action_en", "expected_action_zh",
                 "when_not_action", "effect_kind", "effect_point", "effect_fleet", "effect_name",
                 "effect_zone", "effect_note", "effect_a", "effect_b", "effect_shelter",
                 "effect_hospital", "effect_supplier", "effect_supply", "effect_zones",
                 "effect_shelters", "effect_rule", "effect_task", "effect_mechanism",
                 "effect_sized_by", "effect_level"}
_INT = re.compile(r"^[+-]?\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # as YAML refuses them


def _column_ok(col: str) -> bool:
    return col in _INJECT_COLUMNS or any(
        col.startswith(g + "_") and len(col) > len(g) + 1 for g in _GROUPS)


def _cell_value(col: str, cell: str) -> float | int | str:
    """A cell as the field expects it: text, or a number for the numeric columns."""
    if col in _TEXT_COLUMNS:
        return cell
    if _INT.match(cell):
        return int(cell)
    try:
        return float(cell)
    except ValueError:
        raise ValueError(f"expected a number, got {cell[:40]!r}") from None


def _put(inject: dict[str, Any], col: str, value: Any) -> None:
    """Place a cell's value in the inject's nested data (``effect_items_meal`` -> items.meal)."""
    if col.startswith("effect_items_"):
        effect = inject.setdefault("effect", {})
        effect.setdefault("items", {})[col.removeprefix("effect_items_")] = value
        return
    for g in _GROUPS:
        if col.startswith(g + "_"):
            inject.setdefault(g, {})[col.removeprefix(g + "_")] = value
            return
    inject[col] = value


def _csv_path(path: str) -> str:
    """A field path of the data as the CSV's reader sees it: a column, or a metadata row."""
    m = re.match(r"^injects\[\d+\]\.?(.*)$", path)
    if m:
        if m.group(1) == "message":  # both columns empty or absent
            return "columns message_zh, message_en"
        return f"column {m.group(1).replace('.', '_')}" if m.group(1) else ""
    m = re.match(r"^(objectives|roles)\[\d+\]\.?(.*)$", path)
    if m:
        return f"{m.group(1)[:-1]} {m.group(2)}".strip()
    return path


def parse_msel_csv(text: str, file: str = "<string>", scenario: Scenario | None = None) -> Msel:
    """Parse and validate an MSEL kept as a CSV sheet (layout in the module's docstring).

    Parameters
    ----------
    text : str
        The CSV text.
    file : str
        The name errors give.
    scenario : Scenario, optional
        Also check the MSEL against it (:func:`check_msel`).

    Raises
    ------
    ScenarioError
        With ``FILE:LINE: column NAME: message`` problems (the line of the inject's row).
    """
    text = text.removeprefix("\ufeff")
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    root = _Node(1)
    meta_lines: dict[str, list[_Node]] = {"objectives": [], "roles": []}
    header: list[str] | None = None
    header_line = 1
    injects: list[dict[str, Any]] = []
    inject_nodes: dict[Any, _Node] = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    try:
        for row in reader:
            line, last = last + 1, reader.line_num
            cells = [c.strip() for c in row]
            bad = next((c for c in cells if _CONTROL.search(c)), None)
            if bad is not None:
                char = ord(_CONTROL.findall(bad)[0])
                problems.append(Problem(file, line, "", f"control character #x{char:04x} in "
                                        f"cell {cells.index(bad) + 1} is not allowed"))
                continue
            if not any(cells) or cells[0].startswith("#"):
                continue
            if header is None:
                key = cells[0]
                if key == "number":
                    header, header_line = cells, line
                    while header and not header[-1]:
                        header.pop()
                    seen: set[str] = set()
                    for col in header:
                        if not col or col in seen or not _column_ok(col):
                            why = ("an empty column name" if not col else "duplicate column"
                                   if col in seen else "unknown column; expected "
                                   + ", ".join((*_INJECT_COLUMNS, *(g + "_*" for g in _GROUPS))))
                            problems.append(Problem(file, line, f"column {col}".strip(), why))
                        seen.add(col)
                elif key in _META_SCALARS:
                    extra = [c for c in cells[2:] if c]
                    if extra or len(cells) < 2 or not cells[1]:
                        problems.append(Problem(file, line, key, "expected one value after "
                                                f"{key!r} in the next cell"))
                    elif key in data:
                        problems.append(Problem(file, line, key, f"a second {key!r} row"))
                    else:
                        data[key] = cells[1]
                        root.children[key] = _Node(line)
                elif key in _META_ROWS:
                    field, names = _META_ROWS[key]
                    values = cells[1:]
                    if any(values[len(names):]):
                        problems.append(Problem(file, line, key, f"more cells than {key} "
                                                f"fields ({', '.join(names)})"))
                    data.setdefault(field, []).append(
                        {n: v for n, v in zip(names, values, strict=False) if v})
                    meta_lines[field].append(_Node(line))
                else:
                    problems.append(Problem(file, line, "", f"unknown metadata row "
                                            f"{key[:40]!r}; expected {', '.join(_META_SCALARS)}, "
                                            "objective, role, or the header row whose first "
                                            "cell is 'number'"))
                continue
            if len(injects) >= INTERVENTIONS.value:
                problems.append(Problem(file, line, "", f"too many injects: "
                                        f"{INTERVENTIONS.words()}"))
                break
            inject: dict[str, Any] = {}
            if any(cells[len(header):]):
                problems.append(Problem(file, line, "", f"{len(cells)} cells but "
                                        f"{len(header)} columns in the header (line "
                                        f"{header_line})"))
            for col, cell in zip(header, cells, strict=False):
                if not cell:
                    continue
                try:
                    _put(inject, col, _cell_value(col, cell))
                except ValueError as exc:
                    problems.append(Problem(file, line, f"column {col}", str(exc)))
            inject_nodes[len(injects)] = _Node(line)
            injects.append(inject)
    except csv.Error as exc:
        problems.append(Problem(file, last + 1, "", f"not a readable CSV row: {exc}"))
    if header is None and not problems:
        problems.append(Problem(file, max(last, 1), "", "no header row: the inject table "
                                "starts with a row whose first cell is 'number'"))
    if problems:
        raise ScenarioError(problems)
    data["injects"] = injects
    root.children["injects"] = _Node(header_line, inject_nodes)
    for field, nodes in meta_lines.items():
        root.children[field] = _Node(nodes[0].line if nodes else header_line, dict(
            enumerate(nodes)))

    def locate(loc: Loc) -> tuple[str, int | None]:
        path, line = _locate(loc, data, root)
        return _csv_path(path), line

    return _validate(data, file, locate, scenario)


def load_msel(path: str | Path, scenario: Scenario | None = None) -> Msel:
    """Read an MSEL file: CSV if its name ends in ``.csv``, else YAML.

    Parameters
    ----------
    path : str or Path
        The MSEL file.
    scenario : Scenario, optional
        Also check the MSEL against it (:func:`check_msel`).

    Returns
    -------
    Msel

    Raises
    ------
    ScenarioError
        With located one-line problems.
    """
    file = str(path)
    text = read_text(path, file)
    if file.lower().endswith(".csv"):
        return parse_msel_csv(text, file, scenario)
    return parse_msel_yaml(text, file, scenario)


def scenario_path(msel: Msel, msel_file: str | Path) -> Path:
    """The scenario file an MSEL is written for, resolved from the MSEL file's directory."""
    return Path(os.path.normpath(Path(msel_file).parent / msel.scenario))


def validate_msel_file(msel_file: str | Path, scenario_file: str | Path | None = None) -> str:
    """Load an MSEL, check it against its scenario, and describe it in one line.

    Parameters
    ----------
    msel_file : str or Path
        The MSEL (YAML or CSV).
    scenario_file : str or Path, optional
        The scenario to check it against; default the MSEL's own ``scenario``.

    Raises
    ------
    ScenarioError
        With located one-line problems (of the MSEL or of the scenario file).
    """
    from sim.scenario.loader import load_scenario

    msel = load_msel(msel_file)
    sc_file = Path(scenario_file) if scenario_file is not None else scenario_path(msel, msel_file)
    msel = load_msel(msel_file, load_scenario(sc_file))
    n_eff = sum(it.effect is not None for it in msel.injects)
    n_con = sum(it.when_not is not None for it in msel.injects)
    return (f"{msel_file}: valid MSEL {msel.name!r} for {sc_file} ({len(msel.injects)} injects, "
            f"{n_eff} with effects, {n_con} contingent; {len(msel.objectives)} objectives, "
            f"{len(msel.roles)} roles)")


def _csv_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def msel_to_csv(msel: Msel) -> str:
    """Write an MSEL in the CSV layout :func:`parse_msel_csv` reads (a spreadsheet's sheet).

    Returns
    -------
    str
        The CSV text; only the columns some inject uses are written.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for key in _META_SCALARS:
        value = getattr(msel, key)
        if value is not None:
            w.writerow([key, value])
    for key, (field, names) in _META_ROWS.items():
        for item in getattr(msel, field):
            cells = [getattr(item, n) or "" for n in names]
            while cells and not cells[-1]:
                cells.pop()
            w.writerow([key, *cells])
    w.writerow([])
    rows: list[dict[str, Any]] = []
    for it in msel.injects:
        d = it.model_dump(by_alias=True, exclude_none=True)
        flat: dict[str, Any] = {}
        for k, v in d.items():
            if k == "effect":
                v = {kk: vv for kk, vv in v.items() if kk != "at_h"}
                for kk, vv in v.pop("items", {}).items():
                    flat[f"effect_items_{kk}"] = vv
            if isinstance(v, dict):
                flat.update({f"{k}_{kk}": " ".join(vv) if isinstance(vv, list) else vv
                             for kk, vv in v.items()})
            else:
                flat[k] = v
        rows.append(flat)
    order = ["number", "at_h", "synopsis", "message_zh", "message_en", "from", "to",
             "expected_action_id", "expected_action_en", "expected_action_zh", "objective",
             "when_not_action", "when_not_by_h"]
    extra = sorted({c for r in rows for c in r} - {*order, "source"},
                   key=lambda c: (c != "effect_kind", c))
    columns = [c for c in order if any(c in r for r in rows)] + extra
    columns += ["source"] if any("source" in r for r in rows) else []
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_number(v) if isinstance(v, int | float) and not isinstance(v, bool)
                    and c not in _TEXT_COLUMNS else ("" if v is None else v)
                    for c, v in ((c, r.get(c)) for c in columns)])
    return out.getvalue()
