"""Read scenario files: safe YAML with line numbers, and located one-line errors.

Every problem in a file becomes a :class:`Problem` ``FILE:LINE: field.path: what was expected``,
whatever its origin (broken YAML, a wrong type, an unknown key, a bad cross-reference). The YAML is
read with a subclass of ``yaml.SafeLoader`` only: a scenario is data, never code.

Every YAML input of the project (scenarios, interventions, overrides, ``--set`` values, back-tests,
plan items, parameter packs) goes through :func:`read_text`, :func:`compose_yaml` and
:func:`build_yaml`, which turn everything a malformed file can do into a located problem: bytes
that are not UTF-8, NUL and other characters YAML refuses, scalars the safe constructor cannot
build (a date such as ``2001-02-30``), nesting deeper than
:data:`~sim.scenario.limits.YAML_DEPTH`, more values than :data:`~sim.scenario.limits.YAML_NODES`
once aliases are expanded (a "billion laughs" file), and files larger than
:data:`~sim.scenario.limits.FILE_BYTES`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.limits import FILE_BYTES, YAML_DEPTH, YAML_NODES
from sim.scenario.schema import CrossReferenceError, Loc, Scenario

__all__ = [
    "Problem",
    "ScenarioError",
    "build_yaml",
    "compose_yaml",
    "load_scenario",
    "load_yaml_data",
    "parse_scenario",
    "read_text",
    "validation_problems",
]


@dataclass(frozen=True)
class Problem:
    """One located problem in a scenario file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        # a path typed by the user may hold a newline or other control characters: escaped,
        # so that the error stays one line
        path = self.path if self.path.isprintable() else repr(self.path)[1:-1]
        return f"{where}: {path}: {self.message}" if path else f"{where}: {self.message}"


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


def _too_deep() -> str:
    return f"nesting too deep: {YAML_DEPTH.words()}"


def _too_many() -> str:
    return f"too many values: {YAML_NODES.words()}"


class _LimitedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses nesting deeper than ``YAML_DEPTH``.

    PyYAML's composer recurses once per level of nesting, so 3,000 nested brackets overflow
    Python's stack (``RecursionError``), and its scanner's look-ahead is quadratic in the open
    flow collections; this loader stops both at the limit with a marked error.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def fetch_flow_collection_start(self, token_class: Any) -> None:  # noqa: D102
        # The scanner looks ahead over every open flow collection ("[[[["), each token costing
        # a pass over them: 3,000 brackets took 0.4 s and 30,000 would take a minute. Stop it.
        if self.flow_level >= YAML_DEPTH.value:
            raise yaml.scanner.ScannerError(None, None, _too_deep(), self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        self._depth += 1
        try:
            self._nodes += 1
            if self._depth > YAML_DEPTH.value or self._nodes > YAML_NODES.value:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, _too_deep() if self._depth >
                                                  YAML_DEPTH.value else _too_many(),
                                                  event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_text(path: str | Path, file: str | None = None) -> str:
    """Read a UTF-8 text file for the YAML loaders, with located one-line errors.

    Parameters
    ----------
    path : str or Path
        The file.
    file : str, optional
        The name errors give (default ``str(path)``).

    Raises
    ------
    ScenarioError
        If the file cannot be read, is larger than ``FILE_BYTES``, or is not UTF-8 (the
        problem names the line of the first bad byte).
    """
    name = str(path) if file is None else file
    try:
        with open(path, "rb") as fh:
            data = fh.read(int(FILE_BYTES.value) + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError([Problem(name, None, "", f"cannot read the file: {reason}")]) \
            from None
    if len(data) > FILE_BYTES.value:
        raise ScenarioError([Problem(name, None, "",
                                     f"the file is too large: {FILE_BYTES.words()}")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError([Problem(
            name, line, "", f"not UTF-8 text: byte 0x{data[exc.start]:02x} at column {col} "
            "(save the file as UTF-8)")]) from None


@functools.lru_cache(maxsize=16)
def _compose(text: str) -> yaml.Node | None:
    """The node graph of ``text``, composed once per process.

    Composing is most of a scenario's load (0.4 s for Wenzhou, in pure Python under the limits),
    and commands and studies read the same files again (a variant's base, back-tests, workers).
    The graph is only read afterwards (:class:`_Builder` builds new data from it); a text that
    fails is not cached.
    """
    return yaml.compose(text, Loader=_LimitedLoader)


def compose_yaml(text: str, file: str, path: str = "") -> yaml.Node | None:
    """Compose YAML text into a node graph with the limited safe loader.

    Parameters
    ----------
    text, file : str
        The YAML text and the file name errors name.
    path : str
        Field path errors name (for a ``--set`` value).

    Returns
    -------
    yaml.Node or None
        ``None`` for an empty document.

    Raises
    ------
    ScenarioError
        One located problem: invalid YAML, a character YAML refuses (NUL, control characters),
        or nesting deeper than ``YAML_DEPTH``.
    """
    try:
        return _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "not valid YAML"
        raise ScenarioError([Problem(file, line, path, f"invalid YAML: {what}")]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError([Problem(file, line, path, f"invalid YAML: character #x{char:04x} "
                                     f"is not allowed ({exc.reason})")]) from None
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        raise ScenarioError([Problem(file, None, path, f"invalid YAML: {what}")]) from None
    except RecursionError:  # pragma: no cover - the depth limit stops nesting before this
        raise ScenarioError([Problem(file, None, path, "invalid YAML: nesting too deep")]) \
            from None


def _check_size(root: yaml.Node, file: str, path: str) -> None:
    """Refuse a node graph that expands to more than ``YAML_NODES`` values, or is cyclic.

    Aliases make the composed graph a DAG (or, with an alias inside its own anchor, a cycle)
    whose tree can be exponentially larger than the text: sizes are summed bottom-up with each
    shared node counted once per use but computed once, so a "billion laughs" is found in
    microseconds and located at the smallest value that is too large.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, where: str, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        line = node.start_mark.line + 1
        shown = where if len(where) <= 60 else where[:57] + "..."
        if key in active:
            raise ScenarioError([Problem(file, line, shown, "an alias is used inside its own "
                                         "anchor: the value would contain itself")])
        if depth > YAML_DEPTH.value:  # pragma: no cover - the composer refuses this first
            raise ScenarioError([Problem(file, line, shown, _too_deep())])
        active.add(key)
        n = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                n += size(k, where, depth + 1)
                n += size(v, f"{where}.{name}" if where else str(name), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                n += size(v, f"{where}[{i}]", depth + 1)
        active.discard(key)
        if n > YAML_NODES.value:
            raise ScenarioError([Problem(file, line, shown, f"{_too_many()} once aliases are "
                                         "expanded")])
        sizes[key] = n
        return n

    size(root, path, 1)


class _Builder:
    """Builds plain data from a node graph (its size checked first by :func:`_check_size`)."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.loader = yaml.SafeLoader("")

    def close(self) -> None:
        self.loader.dispose()

    def scalar(self, node: yaml.Node, path: str) -> Any:
        """Let the safe constructor resolve the tag (int, float, bool, null, str, timestamp)."""
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError, KeyError,
                AttributeError) as exc:  # the last two: `!!bool maybe`, `!!timestamp x`
            self.loader.dispose()
            self.loader = yaml.SafeLoader("")  # its state may be half-way through the node
            tag = str(node.tag).rsplit(":", 1)[-1]
            why = getattr(exc, "problem", None) or str(exc)
            text = str(node.value)
            shown = repr(text if len(text) <= 40 else text[:37] + "...")
            if tag == "timestamp":
                msg = f"{shown} reads as a YAML date but is not a real date ({why})"
            else:
                msg = f"{shown} cannot be read as a YAML {tag} ({why})"
            self.problems.append(Problem(self.file, node.start_mark.line + 1, path,
                                         msg + "; quote it if it is text"))
            return None

    def build(self, node: yaml.Node, path: str) -> tuple[Any, _Node]:
        """Construct Python data from a composed node, recording lines and duplicate keys."""
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            data: dict[Any, Any] = {}
            kids: dict[Any, _Node] = {}
            for key_node, value_node in node.value:
                key, _ = self.build(key_node, path)
                if not isinstance(key, str | int | float | bool) or key is None:
                    self.problems.append(Problem(
                        self.file, key_node.start_mark.line + 1, path,
                        f"expected a plain key, got {type(key).__name__}"))
                    continue
                sub = f"{path}.{key}" if path else str(key)
                if key in data:
                    self.problems.append(Problem(
                        self.file, key_node.start_mark.line + 1, sub,
                        f"duplicate key {key!r} (first on line {kids[key].line})"))
                    continue
                value, child = self.build(value_node, sub)
                child.line = key_node.start_mark.line + 1 if isinstance(
                    value_node, yaml.MappingNode | yaml.SequenceNode) and not \
                    value_node.flow_style else value_node.start_mark.line + 1
                data[key] = value
                kids[key] = child
            return data, _Node(line, kids)
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            kids = {}
            for i, item_node in enumerate(node.value):
                value, child = self.build(item_node, f"{path}[{i}]")
                items.append(value)
                kids[i] = child
            return items, _Node(line, kids)
        return self.scalar(node, path), _Node(line)


def build_yaml(node: yaml.Node, file: str, problems: list[Problem],
               path: str = "") -> tuple[Any, _Node]:
    """Build plain data (dicts, lists, scalars) and its line tree from a composed YAML node.

    Parameters
    ----------
    node : yaml.Node
        From :func:`compose_yaml`.
    file : str
        The file name problems name.
    problems : list of Problem
        Receives a located problem per duplicate key, non-scalar key or unreadable scalar (the
        value is then ``None``).
    path : str
        Field path of ``node`` (for problems).

    Returns
    -------
    data, lines
        The data and, for :func:`_locate`, the line of every value.

    Raises
    ------
    ScenarioError
        If the data would hold more than ``YAML_NODES`` values once aliases are expanded,
        or nest deeper than ``YAML_DEPTH`` levels through a recursive alias.
    """
    _check_size(node, file, path)
    builder = _Builder(file, problems)
    try:
        return builder.build(node, path)
    finally:
        builder.close()


def load_yaml_data(text: str, file: str, path: str = "") -> Any:
    """Parse YAML text into plain data with every limit and located error of the loaders.

    Returns
    -------
    object
        The data (``None`` for an empty document).

    Raises
    ------
    ScenarioError
        With one located problem per defect.
    """
    node = compose_yaml(text, file, path)
    if node is None:
        return None
    problems: list[Problem] = []
    data, _ = build_yaml(node, file, problems, path)
    if problems:
        raise ScenarioError(problems)
    return data


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


def validation_problems(exc: ValidationError, data: Any, root: _Node,
                        file: str) -> list[Problem]:
    """One located :class:`Problem` per error of a pydantic validation of YAML ``data``.

    The message is pydantic's, without its ``Value error,`` prefix (the scenario loader words
    its own with :func:`_message`).
    """
    out = []
    for err in exc.errors(include_url=False):
        path, line = _locate(tuple(err["loc"]), data, root)
        out.append(Problem(file, line, path, str(err["msg"]).removeprefix("Value error, ")))
    return out


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
    node = compose_yaml(text, file)
    if node is None:
        raise ScenarioError([Problem(file, 1, "", f"the file is empty; expected {empty}")])
    problems: list[Problem] = []
    data, root = build_yaml(node, file, problems)
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
    return parse_scenario(read_text(path), str(path))
