"""One realisation of a scenario: every distribution replaced by a draw.

Each uncertain input draws from its own stream, keyed by the input's path
(``hazard.max_wind_ms``, ``shelters[school].opening_delay_h``), so a draw depends only on the
run's seed and the input's name. The draws of non-degenerate distributions are returned by path:
they are the inputs of sensitivity analysis and scenario discovery.
"""

from __future__ import annotations

from collections.abc import Mapping
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


_FREE: dict[int, tuple[Any, frozenset[int]]] = {}
"""Per scenario (by identity, kept alive here): the ids of its containers without distributions."""


def _distribution_free(root: Any) -> frozenset[int]:
    """Ids of the models, lists and dicts under ``root`` that hold no distribution.

    Scenarios are frozen, so this is computed once per scenario object; :func:`_walk` returns
    such subtrees as they are without visiting them.
    """
    hit = _FREE.get(id(root))
    if hit is not None and hit[0] is root:
        return hit[1]
    free: set[int] = set()

    def scan(value: Any) -> bool:
        if isinstance(value, _DistBase):
            return True
        if isinstance(value, BaseModel):
            children: Any = [getattr(value, name) for name in type(value).model_fields]
        elif isinstance(value, list):
            children = value
        elif isinstance(value, dict):
            children = value.values()
        else:
            return False
        found = False
        for child in children:
            found = scan(child) or found
        if not found:
            free.add(id(value))
        return found

    scan(root)
    if len(_FREE) >= 16:
        _FREE.clear()
    _FREE[id(root)] = (root, frozenset(free))
    return _FREE[id(root)][1]


def _walk(value: Any, path: str, integer: bool, visit: Any,
          free: frozenset[int] = frozenset()) -> Any:
    """Rebuild ``value`` with ``visit(path, dist, integer)`` applied to every distribution.

    Containers whose id is in ``free`` hold no distribution and are returned unvisited.
    """
    if isinstance(value, _DistBase):
        return visit(path, value, integer)
    if id(value) in free:
        return value
    if isinstance(value, BaseModel):
        update: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            old = getattr(value, name)
            new = _walk(old, f"{path}.{name}" if path else name,
                        any(m is INTEGER for m in info.metadata), visit, free)
            if new is not old:
                update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, list):
        out = [_walk(v, f"{path}[{item_key(v, i)}]", integer, visit, free)
               for i, v in enumerate(value)]
        return out if any(a is not b for a, b in zip(out, value, strict=True)) else value
    if isinstance(value, dict):
        dout = {k: _walk(v, f"{path}.{k}", integer, visit, free) for k, v in value.items()}
        return dout if any(dout[k] is not value[k] for k in value) else value
    return value


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
    draws: dict[str, float] = {}
    fixed = dict(fixed or {})
    if fixed:
        unknown = sorted(set(fixed) - set(uncertain_inputs(scenario)))
        if unknown:
            raise KeyError(f"not uncertain inputs of the scenario: {unknown}")

    def visit(path: str, dist: _DistBase, integer: bool) -> float:
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
        return x

    realised = _walk(scenario, "", False, visit, _distribution_free(scenario))
    return realised, draws


def uncertain_inputs(scenario: Scenario) -> dict[str, _DistBase]:
    """Return every non-degenerate distribution of ``scenario`` by input path."""
    found: dict[str, _DistBase] = {}

    def visit(path: str, dist: _DistBase, integer: bool) -> _DistBase:
        if not isinstance(dist, Fixed):
            found[path] = dist
        return dist

    _walk(scenario, "", False, visit, _distribution_free(scenario))
    return found
