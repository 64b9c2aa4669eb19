"""One realisation of a scenario: every distribution replaced by a draw.

Each uncertain input draws from its own stream, keyed by the input's path
(``hazard.max_wind_ms``, ``shelters[school].opening_delay_h``), so a draw depends only on the
run's seed and the input's name. The draws of non-degenerate distributions are returned by path:
they are the inputs of sensitivity analysis and scenario discovery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.distributions import INTEGER, Fixed, _DistBase
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = ["item_key", "sample_scenario", "uncertain_inputs"]


def item_key(item: Any, index: int) -> str:
    """How an input path names a list item: its ``name`` or ``id``, else its position."""
    for attr in ("name", "id"):
        v = getattr(item, attr, None)
        if isinstance(v, str):
            return v
    return str(index)


@dataclass(frozen=True)
class _Node:
    """A model, list or dict under the scenario that holds distributions."""

    value: Any
    children: tuple[tuple[Any, int | _Node], ...]
    """(field name, list index or dict key; the leaf's index in the plan or the child node) of
    every child that is or holds a distribution."""


@dataclass(frozen=True)
class _Plan:
    """Where a scenario's distributions are and how to rebuild it around their draws."""

    leaves: tuple[tuple[str, _DistBase, bool], ...]
    """(path, distribution, integer) of every distribution, in the order of the fields."""
    root: _Node | None
    """The scenario's node (None when it holds no distribution)."""


_PLANS: dict[int, tuple[Scenario, _Plan]] = {}
"""Plans by scenario identity (the scenario kept alive here, so its id is not reused)."""


def _plan(scenario: Scenario) -> _Plan:
    """The scenario's :class:`_Plan`, made once per scenario object (scenarios are frozen)."""
    hit = _PLANS.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    leaves: list[tuple[str, _DistBase, bool]] = []

    def scan(value: Any, path: str, integer: bool) -> int | _Node | None:
        if isinstance(value, _DistBase):
            leaves.append((path, value, integer))
            return len(leaves) - 1
        items: list[tuple[Any, str, Any, bool]]
        if isinstance(value, BaseModel):
            items = [(name, f"{path}.{name}" if path else name, getattr(value, name),
                      any(m is INTEGER for m in info.metadata))
                     for name, info in type(value).model_fields.items()]
        elif isinstance(value, list):
            items = [(i, f"{path}[{item_key(v, i)}]", v, integer) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            items = [(k, f"{path}.{k}", v, integer) for k, v in value.items()]
        else:
            return None
        children = []
        for key, sub, v, whole in items:
            child = scan(v, sub, whole)
            if child is not None:
                children.append((key, child))
        return _Node(value, tuple(children)) if children else None

    root = scan(scenario, "", False)
    assert not isinstance(root, int)
    if len(_PLANS) >= 16:
        _PLANS.clear()
    _PLANS[id(scenario)] = (scenario, _Plan(tuple(leaves), root))
    return _PLANS[id(scenario)][1]


def _rebuild(node: _Node, values: list[float]) -> Any:
    """A copy of ``node.value`` with every distribution under it replaced by its value."""
    new = {key: values[c] if isinstance(c, int) else _rebuild(c, values)
           for key, c in node.children}
    v = node.value
    if isinstance(v, BaseModel):
        return v.model_copy(update=new)
    out = list(v) if isinstance(v, list) else dict(v)
    for key, x in new.items():
        out[key] = x
    return out


def sample_scenario(scenario: Scenario, streams: Streams,
                    fixed: Mapping[str, float] | None = None) -> tuple[Scenario, dict[str, float]]:
    """Draw every uncertain input of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    streams : Streams
        The run's streams; input ``p`` draws from stream ``"input:" + p``.
    fixed : mapping of str to float, optional
        Values to use instead of drawing, by input path (as listed by :func:`uncertain_inputs`):
        the design points of a sensitivity analysis. Every other input is still drawn from its
        own stream, so it takes the same value as without ``fixed``.

    Returns
    -------
    realised : Scenario
        The same scenario with every distribution replaced by its draw (a plain float).
    draws : dict of str to float
        The drawn value of every non-degenerate distribution, by input path.
    """
    plan = _plan(scenario)
    fixed = dict(fixed or {})
    if fixed:
        unknown = sorted(set(fixed) - set(uncertain_inputs(scenario)))
        if unknown:
            raise KeyError(f"not uncertain inputs of the scenario: {unknown}")
    draws: dict[str, float] = {}
    values: list[float] = []
    for path, dist, integer in plan.leaves:
        if isinstance(dist, Fixed):
            x = dist.value
        elif path in fixed:
            x = float(fixed[path])
            lo, hi = dist.support()
            if not lo <= x <= hi:
                raise ValueError(f"{path}: {x} lies outside the input's support [{lo}, {hi}]")
        else:
            x = dist.sample(streams.fresh("input:" + path))
        if integer:
            x = float(round(x))
        if not isinstance(dist, Fixed):
            draws[path] = x
        values.append(x)
    return (scenario if plan.root is None else _rebuild(plan.root, values)), draws


def uncertain_inputs(scenario: Scenario) -> dict[str, _DistBase]:
    """Return every non-degenerate distribution of ``scenario`` by input path."""
    return {path: dist for path, dist, _ in _plan(scenario).leaves if not isinstance(dist, Fixed)}
