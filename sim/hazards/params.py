"""Every coefficient the hazard models use, with its value and source (``sim params FILE``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sim.hazards import grades
from sim.scenario.base import Sourced
from sim.scenario.distributions import _DistBase
from sim.scenario.schema import Scenario

__all__ = ["coefficients", "describe"]


def describe(v: Any) -> str:
    """A short text of a number, a distribution or a list of numbers."""
    if isinstance(v, _DistBase):
        fields = {k: x for k, x in v.model_dump(by_alias=True).items()
                  if k not in ("source", "dist") and x is not None}
        if v.dist == "fixed":  # type: ignore[attr-defined]
            return f"{fields['value']:g}"
        inner = ", ".join(f"{k}={x:g}" if isinstance(x, float | int) else f"{k}={x}"
                          for k, x in fields.items())
        return f"{v.dist}({inner})"  # type: ignore[attr-defined]
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(describe(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {describe(x)}" for k, x in v.items()) + "}"
    return str(v)


def _numeric(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float | _DistBase):
        return True
    if isinstance(v, list | tuple | dict):
        vals = list(v.values()) if isinstance(v, dict) else list(v)
        return bool(vals) and all(_numeric(x) for x in vals)
    return False


def _walk(model: BaseModel, path: str, inherited: str | None,
          out: list[tuple[str, str, str]]) -> None:
    own = model.source if isinstance(model, Sourced) else None
    for name in type(model).model_fields:
        if name in ("source", "sources", "pack", "type"):
            continue
        v = getattr(model, name)
        where = f"{path}.{name}" if path else name
        src = (model.source_of(name) if isinstance(model, Sourced) else None) or own or inherited
        if isinstance(v, BaseModel) and not isinstance(v, _DistBase):
            _walk(v, where, src, out)
        elif isinstance(v, dict) and v and all(isinstance(x, BaseModel)
                                              and not isinstance(x, _DistBase)
                                              for x in v.values()):
            for k, x in v.items():
                _walk(x, f"{where}.{k}", src, out)
        elif isinstance(v, list | tuple) and any(isinstance(x, _DistBase) and x.source
                                                 for x in v):
            for i, x in enumerate(v):  # elements with sources of their own: one row each
                xsrc = x.source if isinstance(x, _DistBase) and x.source else None
                out.append((f"{where}[{i}]", describe(x), xsrc or src or "MISSING"))
        elif _numeric(v):
            dsrc = v.source if isinstance(v, _DistBase) and v.source else None
            out.append((where, describe(v), dsrc or src or "MISSING"))


def coefficients(scenario: Scenario) -> list[tuple[str, str, str]]:
    """``(path, value, source)`` of every hazard coefficient and zone exposure number.

    Covers the hazard block after its packs were merged, every zone's ``exposure``, and the
    fixed published scales the models use (:mod:`sim.hazards.grades`). A source reads
    ``MISSING`` when the scenario gives none.
    """
    out: list[tuple[str, str, str]] = []
    _walk(scenario.hazard, "hazard", None, out)
    for z in scenario.zones:
        if z.exposure is not None:
            _walk(z.exposure, f"zones[{z.name}].exposure", None, out)
    out.append(("constants.gbt19201_grades",
                ", ".join(f"{c} >= {lo:g}" for c, _zh, lo in grades.GBT19201_GRADES),
                grades.SOURCES["GBT19201_GRADES"]))
    out.append(("constants.ms_per_kt", f"{grades.MS_PER_KT:.6f}", grades.SOURCES["MS_PER_KT"]))
    return out
