"""Variants of a scenario: overrides addressed by input path, applied as data and re-validated.

A variant changes a few values of a scenario, named by the same paths that
:func:`sim.scenario.uncertain_inputs` uses: list items by their ``name`` (or ``id`` for targets)
or by position, mapping keys and fields after dots::

    vehicles[county_trucks].count: 8
    stock_points[county_depot].items.quilt: 9000
    hazard.max_wind_ms: {dist: uniform, low: 40, high: 55}
    shelters[+]: {name: expo_hall, zone: county_seat, capacity: 4000}   # append an item
    hazard.holland.gradient_to_surface: 0.8    # one coefficient of a parameter pack

Values are YAML data (``yaml.SafeLoader``, never evaluated as code); a value replaces the whole
value at its path. Blocks missing along the path are created, so a coefficient the scenario takes
from a parameter pack is overridden and merged over the pack's block. The changed scenario is
validated again like a scenario file, and every problem is located: in the override file
(``FILE:LINE: path: message``) when it concerns an overridden value, in the scenario file
otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    _message,
    _Node,
    build_yaml,
    compose_yaml,
    load_yaml_data,
    read_text,
)
from sim.scenario.schema import CrossReferenceError, Scenario

__all__ = [
    "Override",
    "apply_overrides",
    "increase",
    "parse_path",
    "parse_set",
    "read_overrides",
    "value_at",
]

_TOKEN = re.compile(r"\.?([^\W\d][\w\-]*)|\[([^\]\[]+)\]")

Step = str | int
"""One step of a resolved path: a mapping key (str) or a list index (int)."""


@dataclass(frozen=True)
class Override:
    """One change: the value at ``path`` becomes ``value``.

    Attributes
    ----------
    path : str
        Where, e.g. ``vehicles[county_trucks].count``.
    value : object
        The new value, as YAML data (a number, a string, a list, a mapping such as a distribution).
    file : str
        Where the override was written (for error messages): a file name or ``--set``.
    line : int or None
        Line of the override in ``file``.
    """

    path: str
    value: Any
    file: str = "<overrides>"
    line: int | None = None


def parse_path(path: str) -> list[str]:
    """Split an input path into its tokens: keys, and bracketed list selectors as ``[x]``.

    Raises
    ------
    ValueError
        If the path is empty or malformed.
    """
    if not path or path != path.strip():
        raise ValueError(f"expected a path like vehicles[trucks].count, got {path!r}")
    out: list[str] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None or (pos == 0 and path.startswith(".")) or (pos > 0 and m.group(1)
                                                                 and path[pos] != "."):
            raise ValueError(f"malformed path {path!r} at character {pos + 1}")
        out.append(m.group(1) if m.group(1) is not None else f"[{m.group(2).strip()}]")
        pos = m.end()
    if out[0].startswith("["):
        raise ValueError(f"malformed path {path!r}: it must start with a field name")
    return out


def _select(items: list[Any], sel: str, where: str, final: bool) -> int:
    if sel == "+":
        if not final:
            raise ValueError(f"{where}[+] appends an item and must end the path")
        return len(items)
    if re.fullmatch(r"-?\d+", sel):
        i = int(sel)
        if not -len(items) <= i < len(items):
            raise ValueError(f"{where} has {len(items)} items; index {i} is out of range")
        return i % len(items)
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and sel in (item.get("name"), item.get("id")):
            return i
    known = [str(it.get("name", it.get("id"))) for it in items if isinstance(it, Mapping)]
    raise ValueError(f"{where} has no item named {sel!r}; known: {', '.join(known) or 'none'}")


def _resolve(data: Any, path: str, create: bool = False) -> list[Step]:
    """Resolve ``path`` on raw scenario data into keys and list indices.

    With ``create``, fields missing along the path are allowed (:func:`_set` makes them
    mappings): a scenario that takes a block from a parameter pack can still override one
    coefficient of it, which is merged over the pack's block.
    """
    tokens = parse_path(path)
    steps: list[Step] = []
    cur: Any = data
    where = ""
    for n, tok in enumerate(tokens):
        final = n == len(tokens) - 1
        if tok.startswith("["):
            sel = tok[1:-1]
            if isinstance(cur, list):
                i = _select(cur, sel, where, final)
                steps.append(i)
                cur = cur[i] if i < len(cur) else None
            elif isinstance(cur, Mapping):
                steps.append(sel)
                cur = cur.get(sel)
            else:
                raise ValueError(f"{where} is {_kind(cur)}, not a list")
            where += tok
        else:
            if cur is None and create and n > 0:
                steps.append(tok)
                where += f".{tok}"
                continue
            if not isinstance(cur, Mapping):
                if cur is None and not final:
                    raise ValueError(f"{where} is not set; set it as a whole instead")
                raise ValueError(f"{where or 'the scenario'} is {_kind(cur)}, "
                                 f"it has no field {tok!r}")
            steps.append(tok)
            cur = cur.get(tok)
            where += f".{tok}" if where else tok
    return steps


def _kind(x: Any) -> str:
    if x is None:
        return "not set"
    if isinstance(x, Mapping):
        return "a mapping"
    if isinstance(x, list):
        return "a list"
    return f"a {type(x).__name__} ({x!r})"


def _index_path(steps: Iterable[Step]) -> str:
    out = ""
    for s in steps:
        out += f"[{s}]" if isinstance(s, int) else (f".{s}" if out else s)
    return out


def _set(data: Any, steps: list[Step], value: Any) -> None:
    cur = data
    for s in steps[:-1]:
        if isinstance(cur, dict) and cur.get(s) is None:
            cur[s] = {}
        cur = cur[s]
    last = steps[-1]
    if isinstance(cur, list):
        assert isinstance(last, int)
        if last == len(cur):
            cur.append(value)
        else:
            cur[last] = value
    else:
        cur[last] = value


def _first_missing(data: Any, steps: list[Step]) -> int:
    """Index of the first step that :func:`_set` will create (the last one if none)."""
    cur = data
    for k, s in enumerate(steps[:-1]):
        if isinstance(cur, dict) and cur.get(s) is None:
            return k
        cur = cur[s]
    return len(steps) - 1


def _copy(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _copy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy(v) for v in x]
    return x


def read_overrides(path: str | Path) -> list[Override]:
    """Read an override file: a YAML mapping of ``path: value``.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not YAML, or is not a mapping of paths.
    """
    file = str(path)
    node = compose_yaml(read_text(path, file), file)
    if node is None:
        raise ScenarioError([Problem(file, 1, "", "the file is empty; expected a mapping of "
                                                  "path: value (e.g. vehicles[trucks].count: 8)")])
    problems: list[Problem] = []
    data, root = build_yaml(node, file, problems)
    if problems:
        raise ScenarioError(problems)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, root.line, "", "expected a mapping of path: value "
                                     f"(e.g. vehicles[trucks].count: 8), got {_kind(data)}")])
    out = []
    for key, value in data.items():
        line = root.children[key].line if key in root.children else None
        if not isinstance(key, str):
            raise ScenarioError([Problem(file, line, str(key), "expected a path as the key")])
        out.append(Override(key, value, file, line))
    return out


def parse_set(expr: str) -> Override:
    """Parse ``PATH=VALUE`` (the ``--set`` option); the value is YAML (``8``, ``{dist: ...}``).

    Raises
    ------
    ScenarioError
        If the expression has no ``=`` or the value is not YAML.
    """
    path, eq, text = expr.partition("=")
    if not eq or not path.strip():
        raise ScenarioError([Problem("--set", None, "", f"expected PATH=VALUE, got {expr!r}")])
    try:
        value = load_yaml_data(text, "--set", path.strip())
    except ScenarioError as exc:  # a line of a one-line option says nothing: give the value
        shown = repr(text if len(text) <= 40 else text[:37] + "...")
        raise ScenarioError([Problem(
            "--set", None, pr.path, pr.message.replace("invalid YAML: ",
                                                        f"invalid YAML value {shown}: ", 1))
            for pr in exc.problems]) from None
    return Override(path.strip(), value, "--set", None)


def _base_data(base: Scenario | str | Path) -> tuple[dict[str, Any], _Node, str]:
    if isinstance(base, Scenario):
        return base.model_dump(mode="json", by_alias=True, exclude_unset=True), _Node(0), \
            f"<scenario {base.name}>"
    from sim.scenario.loader import load_scenario

    load_scenario(base)  # the base must be valid on its own (located errors otherwise)
    file = str(base)
    node = compose_yaml(read_text(base, file), file)
    assert node is not None  # the file is a valid scenario
    data, root = build_yaml(node, file, [])
    return data, root, file


def _as_overrides(overrides: Iterable[Override] | Mapping[str, Any]) -> list[Override]:
    if isinstance(overrides, Mapping):
        return [Override(k, v) for k, v in overrides.items()]
    return list(overrides)


def apply_overrides(base: Scenario | str | Path,
                    overrides: Iterable[Override] | Mapping[str, Any]) -> Scenario:
    """Apply overrides to a scenario (a validated model or a scenario file) and validate it.

    Parameters
    ----------
    base : Scenario or path
        The scenario to change. With a file, problems outside the overrides are located in it.
    overrides : iterable of Override, or mapping of path to value
        The changes, applied in order.

    Returns
    -------
    Scenario
        The changed, validated scenario.

    Raises
    ------
    ScenarioError
        One located problem per defect: a path that does not resolve, or a value the scenario
        format refuses.
    """
    data, root, file = _base_data(base)
    data = _copy(data)
    problems: list[Problem] = []
    changed: list[tuple[str, Override, bool]] = []
    for ov in _as_overrides(overrides):
        try:
            steps = _resolve(data, ov.path, create=True)
        except ValueError as exc:
            problems.append(Problem(ov.file, ov.line, ov.path, str(exc)))
            continue
        made = _first_missing(data, steps)
        _set(data, steps, _copy(ov.value))
        changed.append((_index_path(steps[:made + 1]), ov, made < len(steps) - 1))
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] == "union_tag_invalid":
                loc = (*loc, str(err.get("ctx", {}).get("discriminator", "")).strip("'"))
            problems.append(_place(loc, _message(err), data, root, file, changed))
    except CrossReferenceError as exc:
        for loc, msg in exc.problems:
            problems.append(_place(loc, msg, data, root, file, changed))
    raise ScenarioError(problems)


def _place(loc: tuple[str | int, ...], msg: str, data: Any, root: _Node, file: str,
           changed: list[tuple[str, Override, bool]]) -> Problem:
    path, line = _locate(loc, data, root)
    for prefix, ov, created in reversed(changed):
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            if created:  # a block the override made: name it as the scenario would
                return Problem(ov.file, ov.line, path, msg)
            return Problem(ov.file, ov.line, ov.path + path[len(prefix):], msg)
    for prefix, ov, _created in reversed(changed):
        # a check of a whole block (e.g. a model validator of `hazard`) that an override inside
        # it failed: the override is what to fix
        if prefix.startswith((path + ".", path + "[")):
            return Problem(ov.file, ov.line, ov.path, msg)
    return Problem(file, line or None, path, msg)


def value_at(base: Scenario | str | Path, path: str) -> Any:
    """Return the raw value (number, list, mapping) at ``path`` of a scenario.

    Raises
    ------
    ScenarioError
        If the path does not resolve.
    """
    data, _, _ = _base_data(base)
    try:
        steps = _resolve(data, path)
    except ValueError as exc:
        raise ScenarioError([Problem("--resource", None, path, str(exc))]) from None
    cur: Any = data
    for s in steps:
        if isinstance(cur, list):
            if not isinstance(s, int) or s >= len(cur):
                raise ScenarioError([Problem("--resource", None, path, "the path is not set")])
            cur = cur[s]
        else:
            cur = cur.get(s)
    if cur is None:
        raise ScenarioError([Problem("--resource", None, path, "the path is not set")])
    return cur


_SHIFT_KEYS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "low", "high"),
    "truncnormal": ("mean", "low", "high"),
}


def increase(base: Scenario | str | Path, path: str, delta: float) -> Scenario:
    """Return the scenario with the quantity at ``path`` increased by ``delta``.

    A number grows by ``delta``; a distribution is shifted by ``delta`` (every value of a
    ``choice``; the location and bounds of ``fixed``, ``uniform``, ``triangular`` and ``normal``),
    so that every draw grows by ``delta``.

    Raises
    ------
    ScenarioError
        If the path does not hold a number or a shiftable distribution, or the result is invalid.
    """
    old = value_at(base, path)
    return apply_overrides(base, [Override(path, shifted(old, delta, path), "--resource")])


def shifted(value: Any, delta: float, path: str = "") -> Any:
    """Shift a raw quantity (a number or a distribution mapping) by ``delta``.

    Raises
    ------
    ScenarioError
        If ``value`` is neither a number nor a location-shiftable distribution.
    """
    def add(x: Any) -> Any:
        y = x + delta
        if isinstance(x, int) and not isinstance(x, bool) and float(delta).is_integer():
            return int(round(y))
        return y

    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(float(value)):
            raise ScenarioError([Problem("--resource", None, path, "the value is not finite")])
        return add(value)
    if isinstance(value, Mapping):
        dist = value.get("dist", "fixed")
        out = dict(value)
        if dist == "choice" and isinstance(value.get("values"), list):
            out["values"] = [add(v) for v in value["values"]]
            return out
        keys = _SHIFT_KEYS.get(str(dist))
        if keys is not None:
            for k in keys:
                if isinstance(out.get(k), int | float) and not isinstance(out.get(k), bool):
                    out[k] = add(out[k])
            return out
        raise ScenarioError([Problem("--resource", None, path,
                                     f"cannot increase a {dist} distribution by a constant; "
                                     "use a number, fixed, uniform, triangular, normal or choice")])
    raise ScenarioError([Problem("--resource", None, path,
                                 f"expected a count or a quantity, got {_kind(value)}")])
