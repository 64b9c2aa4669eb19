"""Plan targets (clauses) evaluated on a run: value, threshold, met.

Each target kind of :mod:`sim.scenario.schema` has an evaluator here. Evaluators read only the
:class:`~sim.results.RunResult`, so a target can be re-evaluated on stored runs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.clauses import ReliefWithin, ShelterAreaPerPerson, StockCovers, Target
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.results import RunResult

__all__ = ["TargetResult", "evaluate_targets", "relieved_share_within"]


@dataclass(frozen=True)
class TargetResult:
    """One target's verdict in one run."""

    id: str
    kind: str
    value: float | None
    """The measured value (None when the target does not apply in this run)."""
    threshold: float
    met: bool
    unit: str
    comparison: str
    """``>=``: met when value >= threshold."""
    clause_en: str | None = None
    clause_zh: str | None = None
    source: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


def relieved_share_within(result: RunResult, hours: float) -> float:
    """Share of people needing relief who were relieved by ``hours`` after onset (1 if none)."""
    n = result.relief_n
    total = int(n.sum())
    if total == 0:
        return 1.0
    return float(n[result.relief_t <= hours + 1e-9].sum()) / total


def _relief(t: ReliefWithin, r: RunResult) -> tuple[float | None, float, str | None]:
    note = None if r.relief_n.sum() else "nobody needed relief in this run"
    return relieved_share_within(r, t.hours), t.share, note


def _area(t: ShelterAreaPerPerson, r: RunResult) -> tuple[float | None, float, str | None]:
    vals = [a / p for a, p in zip(r.shelter_area_m2, r.shelter_peak, strict=True)
            if a is not None and p > 0]
    if not vals:
        return None, t.min_m2, "no shelter with a known area was used"
    return float(min(vals)), t.min_m2, None


def _stock(t: StockCovers, r: RunResult, sc: Scenario) -> tuple[float | None, float, str | None]:
    items = t.items or [k for k, nd in sc.needs.items() if nd.basic]
    tiers = set(t.tiers) if t.tiers else None
    idx = [r.items.index(k) for k in items]
    keep = [i for i, tier in enumerate(r.point_tiers) if tiers is None or tier in tiers]
    stock = r.stock[0][keep].sum(axis=0) if keep else np.zeros(len(r.items))
    covered = math.inf
    for i in idx:
        per_person = r.per_day[i] * t.days + r.once[i]
        if per_person > 0:
            covered = min(covered, stock[i] / per_person)
    people = float(r.relief_n.sum()) if t.people == "displaced" else float(t.people)
    value = float(math.floor(covered + 1e-9)) if math.isfinite(covered) else None
    return value, people, None


def evaluate_targets(targets: list[Target], result: RunResult, scenario: Scenario
                     ) -> list[TargetResult]:
    """Evaluate every target of a scenario on one run."""
    out = []
    for t in targets:
        if isinstance(t, ReliefWithin):
            value, thr, note = _relief(t, result)
            unit = f"share relieved within {t.hours:g} h"
        elif isinstance(t, ShelterAreaPerPerson):
            value, thr, note = _area(t, result)
            unit = "m2 per person (smallest shelter, at peak)"
        elif isinstance(t, StockCovers):
            value, thr, note = _stock(t, result, scenario)
            unit = f"people covered for {t.days:g} days"
        else:
            raise NotImplementedError(t.kind)
        met = True if value is None else bool(value >= thr - 1e-9)
        out.append(TargetResult(
            id=t.id, kind=t.kind, value=value, threshold=thr, met=met, unit=unit,
            comparison=">=", clause_en=t.clause.en if t.clause else None,
            clause_zh=t.clause.zh if t.clause else None, source=t.source, note=note,
        ))
    return out
