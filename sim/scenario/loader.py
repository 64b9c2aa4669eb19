"""Read scenario files: safe YAML with line numbers, and located one-line errors.

Every problem in a file becomes a :class:`Problem` ``FILE:LINE: field.path: what was expected``,
whatever its origin (broken YAML, a wrong type, an unknown key, a bad cross-reference). The YAML is
read with ``yaml.SafeLoader`` only: a scenario is data, never code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.schema import CrossReferenceError, Loc, Scenario

__all__ = ["Problem", "ScenarioError", "load_scenario", "parse_scenario"]


@dataclass(frozen=True)
class Problem:
    """One located problem in a scenario file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario file could not be read or is not valid.

    Attributes
    ----------
    problems : list of Problem
        Every problem found, in file order; ``str(error)`` gives them one per line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))


class _Node:
    """A YAML value together with the line where it starts, and its children."""

    __slots__ = ("children", "line")

    def __init__(self, line: int, children: dict[Any, _Node] | None = None) -> None:
        self.line = line
        self.children = children or {}


def _build(node: yaml.Node, file: str, problems: list[Problem], path: str) -> tuple[Any, _Node]:
    """Construct Python data from a composed YAML node, recording lines and duplicate keys."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        data: dict[Any, Any] = {}
        kids: dict[Any, _Node] = {}
        for key_node, value_node in node.value:
            key, _ = _build(key_node, file, problems, path)
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(Problem(file, key_node.start_mark.line + 1, path,
                                        f"expected a plain key, got {type(key).__name__}"))
                continue
            sub = f"{path}.{key}" if path else str(key)
            if key in data:
                problems.append(Problem(file, key_node.start_mark.line + 1, sub,
                                        f"duplicate key {key!r} (first on line {kids[key].line})"))
                continue
            value, child = _build(value_node, file, problems, sub)
            child.line = key_node.start_mark.line + 1 if isinstance(
                value_node, yaml.MappingNode | yaml.SequenceNode) and not value_node.flow_style \
                else value_node.start_mark.line + 1
            data[key] = value
            kids[key] = child
        return data, _Node(line, kids)
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        kids = {}
        for i, item_node in enumerate(node.value):
            value, child = _build(item_node, file, problems, f"{path}[{i}]")
            items.append(value)
            kids[i] = child
        return items, _Node(line, kids)
    # Scalars: let the safe constructor resolve the tag (int, float, bool, null, str, timestamp).
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    return value, _Node(line)


_TAG_KEYS = ("kind", "type", "dist")


def _locate(loc: Loc, data: Any, root: _Node) -> tuple[str, int]:
    """Turn a pydantic error location into a readable field path and a YAML line.

    pydantic puts union branch labels into locations (``dist``, ``uniform``, ``int``,
    ``literal['displaced']``); those are not keys of the data and are skipped. A key that is absent
    from a mapping (a missing field) stays in the path and the line is its parent's.
    """
    out = ""
    cur: Any = data
    node: _Node | None = root
    line = root.line
    for part in loc:
        if isinstance(cur, Mapping) and part in cur and not (
            isinstance(part, str) and part.startswith("~")
        ):
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        elif isinstance(cur, Mapping) and isinstance(part, str) and part.isidentifier() and not (
            any(cur.get(k) == part for k in _TAG_KEYS)
        ):
            cur = None  # a missing field: keep it in the path
            node = None
        else:
            continue  # a union branch label
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        if node is not None:
            node = node.children.get(part)
            if node is not None:
                line = node.line
    return out, line


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the scenario format; check its spelling)"
    if kind == "missing":
        return "required field is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    value = err.get("input")
    if kind == "unknown_distribution" and isinstance(value, Mapping) and "dist" in value:
        return f"unknown distribution {value['dist']!r}; {msg}"
    if (
        "got" not in msg
        and isinstance(value, str | int | float | bool)
        and len(repr(value)) <= 40
        and kind not in ("missing", "extra_forbidden")
    ):
        msg += f", got {value!r}"
    return msg


def compose_mapping(text: str, file: str, empty: str, fields: str) -> tuple[dict[str, Any], _Node]:
    """Parse YAML text into plain data with line numbers, and require a mapping.

    Parameters
    ----------
    text, file : str
        The YAML text and the file name errors name.
    empty, fields : str
        What an empty file should have held, and what the mapping's keys are, for the errors.

    Raises
    ------
    ScenarioError
        With one located :class:`Problem` per defect (invalid YAML, an empty file, a document
        that is not a mapping).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "not valid YAML"
        raise ScenarioError([Problem(file, line, "", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "", f"invalid YAML: {exc}")]) from None
    if node is None:
        raise ScenarioError([Problem(file, 1, "", f"the file is empty; expected {empty}")])
    problems: list[Problem] = []
    try:
        data, root = _build(node, file, problems, "")
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, node.start_mark.line + 1, "",
                                     f"invalid YAML value: {exc}")]) from None
    if problems:
        raise ScenarioError(problems)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, root.line, "",
                                     f"expected a mapping of {fields}, got "
                                     f"{type(data).__name__}")])
    return data, root


def parse_scenario(text: str, file: str = "<string>") -> Scenario:
    """Parse and validate scenario YAML text.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        Name used in error messages.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        With one located :class:`Problem` per defect.
    """
    data, root = compose_mapping(text, file, "a scenario mapping", "scenario fields")
    problems: list[Problem] = []
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] == "union_tag_invalid":  # point at the tag itself (`kind: ...`)
                loc = (*loc, str(err.get("ctx", {}).get("discriminator", "")).strip("'"))
            path, line = _locate(loc, data, root)
            problems.append(Problem(file, line, path, _message(err)))
    except CrossReferenceError as exc:
        for loc, msg in exc.problems:
            path, line = _locate(loc, data, root)
            problems.append(Problem(file, line, path, msg))
    raise ScenarioError(problems)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file cannot be read or is not a valid scenario.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError([Problem(str(path), None, "", f"cannot read the file: {reason}")]) \
            from None
    return parse_scenario(text, str(path))
