"""Where a scenario's numbers come from, and its inputs in words.

Every number of a scenario has a provenance (:class:`sim.scenario.base.Sourced`): a
distribution's own ``source``, its entity's per-field ``sources`` or ``source``, or the ``source``
of an enclosing entity (a road network's source covers its links). This module finds the
provenance of an input path (``stock_points[county_depot].items.quilt``), lists every assumption
a scenario makes, and names an input path in plain words for reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from sim.scenario.base import Sourced, provenance_kind
from sim.scenario.distributions import _DistBase
from sim.scenario.overrides import parse_path
from sim.scenario.sampling import item_key
from sim.scenario.schema import Scenario

__all__ = [
    "Assumption",
    "assumptions",
    "describe_input",
    "plan_citations",
    "provenance",
    "source_kind",
]

CITATION = re.compile(r"(\d{3}_\w+?_plan\.txt)#L(\d+)(?:[-–]L?(\d+))?")
"""A citation of a seed plan line: ``004_wenzhou_plan.txt#L433`` or ``...#L470-474``."""


def source_kind(source: str | None) -> str:
    """Classify a provenance text, in the report's words.

    Returns
    -------
    str
        ``assumption`` (the text starts with "assumption"), ``partly assumed`` (it cites
        something but also says "assumption"), ``cited`` (anything else) or ``none``
        (:func:`sim.scenario.base.provenance_kind` in words).
    """
    return _KIND_WORDS[provenance_kind(source)]


_KIND_WORDS = {"assumed": "assumption", "partly_assumed": "partly assumed", "cited": "cited",
               "unsourced": "none"}


def plan_citations(source: str | None) -> list[str]:
    """The seed-plan lines a provenance text cites, e.g. ``["004_wenzhou_plan.txt#L433"]``."""
    if not source:
        return []
    return [m.group(0) for m in CITATION.finditer(source)]


def _select(items: list[Any], sel: str) -> Any:
    for item in items:
        if sel in (getattr(item, "name", None), getattr(item, "id", None)):
            return item
    if re.fullmatch(r"-?\d+", sel) and -len(items) <= int(sel) < len(items):
        return items[int(sel)]
    return None


def provenance(scenario: Scenario, path: str) -> str | None:
    """The provenance of the number at an input path, or None if it has none.

    The distribution's own source comes first, then the innermost entity's source for the field
    (its ``sources`` entry, else its ``source``), then the enclosing entities' sources outwards.

    Raises
    ------
    KeyError
        If the path does not lead to a value of the scenario.
    """
    cur: Any = scenario
    # (entity, the field of that entity the path went through), innermost last
    chain: list[tuple[Sourced, str]] = []
    for tok in parse_path(path):
        if tok.startswith("["):
            sel = tok[1:-1]
            if isinstance(cur, list):
                cur = _select(cur, sel)
            elif isinstance(cur, dict):
                cur = cur.get(sel)
            else:
                cur = None
        elif isinstance(cur, BaseModel) and not isinstance(cur, _DistBase) \
                and tok in type(cur).model_fields:
            if isinstance(cur, Sourced):
                chain.append((cur, tok))
            cur = getattr(cur, tok)
        elif isinstance(cur, dict):
            cur = cur.get(tok)
        else:
            cur = None
        if cur is None:
            raise KeyError(f"{path!r} is not a value of scenario {scenario.name!r}")
    if isinstance(cur, _DistBase) and cur.source:
        return cur.source
    for entity, fld in reversed(chain):
        src = entity.source_of(fld)
        if src:
            return src
    return None


@dataclass
class Assumption:
    """One assumption of a scenario and the numbers it covers.

    Attributes
    ----------
    text : str
        The provenance text (it says "assumption").
    kind : str
        ``assumption`` or ``partly assumed`` (see :func:`source_kind`).
    paths : list of str
        Where it is attached: entities (``zones[harbour_town]``), fields
        (``hazard.coast_bearing_deg``) or distributions.
    """

    text: str
    kind: str
    paths: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"text": self.text, "kind": self.kind, "paths": list(self.paths)}


def _sources(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (path, provenance text) attached anywhere in ``value``."""
    if isinstance(value, _DistBase):
        if value.source:
            yield path, value.source
        return
    if isinstance(value, BaseModel):
        if isinstance(value, Sourced):
            if value.source:
                yield path or "(scenario)", value.source
            for f, text in (value.sources or {}).items():
                yield (f"{path}.{f}" if path else f), text
        for name in type(value).model_fields:
            if name in ("source", "sources"):
                continue
            yield from _sources(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _sources(v, f"{path}[{item_key(v, i)}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _sources(v, f"{path}.{k}")


def assumptions(scenario: Scenario) -> list[Assumption]:
    """Every assumption of a scenario, one per distinct text, in the order they first appear."""
    found: dict[str, Assumption] = {}
    for path, text in _sources(scenario, ""):
        kind = source_kind(text)
        if kind not in ("assumption", "partly assumed"):
            continue
        found.setdefault(text, Assumption(text, kind)).paths.append(path)
    return list(found.values())


_ENTITY = {
    "zones": "zone", "shelters": "shelter", "stock_points": "stock point",
    "vehicles": "fleet", "teams": "team", "hospitals": "hospital", "supplies": "supply",
    "targets": "target",
}
_UNITS = (("_kmh", "km/h"), ("_ms", "m/s"), ("_km2", "km²"), ("_km", "km"), ("_m2", "m²"),
          ("_mm_h", "mm/h"), ("_mm", "mm"), ("_min", "min"), ("_deg", "°"), ("_kg", "kg"),
          ("_h", "h"), ("_m", "m"), ("_l", "L"))


def _words(tok: str) -> str:
    for suffix, unit in _UNITS:
        if tok.endswith(suffix) and len(tok) > len(suffix):
            return f"{tok[: -len(suffix)].replace('_', ' ')} ({unit})"
    return tok.replace("_", " ")


def describe_input(path: str) -> str:
    """An input path in words.

    Examples
    --------
    >>> describe_input("hazard.max_wind_ms")
    'max wind (m/s) of the hazard'
    >>> describe_input("vehicles[county_trucks].count")
    'count of fleet county_trucks'
    >>> describe_input("stock_points[county_depot].items.quilt")
    'quilt stock of stock point county_depot'
    """
    try:
        toks = parse_path(path)
    except ValueError:
        return path
    head = toks[0]
    rest = toks[1:]
    if head in _ENTITY and rest and rest[0].startswith("["):
        owner = f"{_ENTITY[head]} {rest[0][1:-1]}"
        rest = rest[1:]
    elif head == "hazard":
        owner = "the hazard"
    elif head == "response" and rest:
        owner = f"the {rest[0].replace('_', ' ')} rule"
        rest = rest[1:]
    else:
        owner = head.replace("_", " ")
    if len(rest) >= 2 and rest[-2] == "items" and not rest[-1].startswith("["):
        return f"{_words(rest[-1])} stock of {owner}"
    names: list[str] = []
    for t in rest:
        if t.startswith("[") and names:
            names[-1] += f" {t[1:-1]}"
        elif not t.startswith("["):
            names.append(t)
    if not names:
        return owner
    what = _words(names[-1])
    ctx = [n.replace("_", " ") for n in names[:-1]]
    if ctx:
        what = f"{what} ({', '.join(ctx)})"
    return f"{what} of {owner}"
