"""Plan targets (clauses) evaluated on a run: value, threshold, met.

Each target kind of :mod:`sim.scenario.clauses` has an evaluator here. Evaluators read only the
:class:`~sim.results.RunResult`, so a target can be re-evaluated on stored runs. A target that
does not apply in a run (nobody trapped, no air request) has value ``None``, counts as met, and
says why in its note.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.clauses import (
    AirResponseWithin,
    DeathsPerMillion,
    EvacuatedBeforeOnset,
    FirstOnSceneWithin,
    ReliefWithin,
    ShelterAreaPerPerson,
    StockCovers,
    StockCoversTownships,
    Target,
    TrappedReachedWithin,
)
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.results import RunResult

__all__ = ["BOUNDS", "Bound", "TargetResult", "evaluate_targets", "relieved_share_within",
           "target_bound"]

EPS = 1e-9


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
    """``>=``: met when value >= threshold; ``<=``: met when value <= threshold."""
    clause_en: str | None = None
    clause_zh: str | None = None
    source: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


@dataclass(frozen=True)
class Bound:
    """What a scenario's inputs allow a target's value to be, known before any run.

    A study compares the threshold with it (:mod:`sim.study.basis`): a threshold outside
    ``[low, high]`` cannot be met (``unreachable``) or cannot be missed (``by_construction``).
    """

    low: float | None = None
    """The smallest value the inputs allow (None: no bound known)."""
    high: float | None = None
    """The largest value the inputs allow (None: no bound known)."""
    inputs: str = ""
    """The inputs that set the bound, in plain words with their values."""
    fixed: bool = False
    """The value is set by the scenario alone (e.g. capacity computed from area / 1.5 m2)."""
    resolution: str | None = None
    """When the scenario's zones are too coarse to measure the target: why, in words."""


BoundRule = Callable[[Any, Scenario], "Bound | None"]

BOUNDS: dict[type, BoundRule] = {}
"""The bound each target kind's inputs put on its value, by clause class (kinds without an
entry declare none)."""


def target_bound(target: Target, scenario: Scenario) -> Bound | None:
    """The bound the scenario's inputs put on a target's value, or None when none is known."""
    rule = BOUNDS.get(type(target))
    return rule(target, scenario) if rule else None


Verdict = tuple[float | None, float, str, str, str | None]
"""(value, threshold, comparison, unit, note)."""


def relieved_share_within(result: RunResult, hours: float) -> float:
    """Share of people needing relief who were relieved by ``hours`` after onset (1 if none)."""
    n = result.relief_n
    total = int(n.sum())
    if total == 0:
        return 1.0
    return float(n[result.relief_t <= hours + EPS].sum()) / total


def _share_within(times: np.ndarray, weights: np.ndarray, limit: float) -> float | None:
    total = float(weights.sum())
    if total == 0:
        return None
    return float(weights[times <= limit + EPS].sum()) / total


def _relief(t: ReliefWithin, r: RunResult, sc: Scenario) -> Verdict:
    note = None if r.relief_n.sum() else "nobody needed relief in this run"
    return (relieved_share_within(r, t.hours), t.share, ">=",
            f"share relieved within {t.hours:g} h", note)


def _evacuated(t: EvacuatedBeforeOnset, r: RunResult, sc: Scenario) -> Verdict:
    targeted = r.metrics["evacuation_targeted"]
    if targeted <= 0:
        return None, t.share, ">=", "share of targeted people out", "nobody was targeted"
    value = min(1.0, r.metrics["evacuated_before_onset"] / targeted)
    return value, t.share, ">=", "share of targeted people out before onset", None


def _area(t: ShelterAreaPerPerson, r: RunResult, sc: Scenario) -> Verdict:
    if t.per == "resident":
        zones = {r.zones.index(z) for z in t.zones} if t.zones else set(range(len(r.zones)))
        out = {f.name for f in r.impact.facilities_out if f.kind == "shelter"}
        area = sum(a for name, a, z in zip(r.shelters, r.shelter_area_m2, r.shelter_zone,
                                           strict=True)
                   if a is not None and z in zones and name not in out)
        residents = float(sum(int(r.population[z]) for z in zones))
        return (area / residents, t.min_m2, ">=",
                "m2 of shelters in service per resident", None)
    vals = [a / p for a, p in zip(r.shelter_area_m2, r.shelter_peak, strict=True)
            if a is not None and p > 0]
    unit = "m2 per person (smallest shelter, at peak)"
    if not vals:
        return None, t.min_m2, ">=", unit, "no shelter with a known area was used"
    return float(min(vals)), t.min_m2, ">=", unit, None


def _stock_vector(r: RunResult, tiers: list[str] | None) -> np.ndarray:
    keep = [i for i, tier in enumerate(r.point_tiers) if tiers is None or tier in tiers]
    out: np.ndarray = r.stock[0][keep].sum(axis=0) if keep else np.zeros(len(r.items))
    return out


def _per_person(r: RunResult, sc: Scenario, items: list[str] | None, days: float
                ) -> dict[int, float]:
    names = items or [k for k, nd in sc.needs.items() if nd.basic]
    out = {}
    for k in names:
        i = r.items.index(k)
        need = r.per_day[i] * days + r.once[i]
        if need > 0:
            out[i] = need
    return out


def _stock(t: StockCovers, r: RunResult, sc: Scenario) -> Verdict:
    stock = _stock_vector(r, list(t.tiers) if t.tiers else None)
    need = _per_person(r, sc, t.items, t.days)
    covered = min((stock[i] / q for i, q in need.items()), default=math.inf)
    people = float(r.relief_n.sum()) if t.people == "displaced" else float(t.people)
    value = float(math.floor(covered + EPS)) if math.isfinite(covered) else None
    return value, people, ">=", f"people covered for {t.days:g} days", None


def _townships(t: StockCoversTownships, r: RunResult, sc: Scenario) -> Verdict:
    stock = _stock_vector(r, list(t.tiers) if t.tiers else None)
    need = _per_person(r, sc, t.items, t.days)
    people = np.zeros(len(r.zones))
    np.add.at(people, r.relief_zone, r.relief_n)
    affected = sorted((p for p in people if p > 0), reverse=True)
    unit = f"most affected zones covered at once for {t.days:g} days"
    if not affected:
        return None, float(t.townships), ">=", unit, "no zone needed relief in this run"
    covered, total = 0, 0.0
    for p in affected:
        total += p
        if all(stock[i] + EPS >= total * q for i, q in need.items()):
            covered += 1
        else:
            break
    threshold = float(min(t.townships, len(affected)))
    note = (f"only {len(affected)} zone(s) needed relief; all must be covered"
            if len(affected) < t.townships else None)
    return float(covered), threshold, ">=", unit, note


def _first_on_scene(t: FirstOnSceneWithin, r: RunResult, sc: Scenario) -> Verdict:
    kinds = list(t.team_kinds) if t.team_kinds else None
    times = []
    for site in r.sites:
        if kinds is None:
            first = site["first_arrival_h"]
        else:
            ts = [v for k, v in site["first_by_kind"].items() if k in kinds]
            first = min(ts) if ts else None
        times.append(math.inf if first is None else first - site["opened_h"])
    unit = f"share of sites reached within {t.minutes:g} min"
    if not times:
        return None, t.share, ">=", unit, "no rescue site in this run"
    arr = np.array(times)
    value = _share_within(arr * 60.0, np.ones(len(arr)), t.minutes)
    return value, t.share, ">=", unit, None


def _reached(t: TrappedReachedWithin, r: RunResult, sc: Scenario) -> Verdict:
    unit = f"share of trapped reached within {t.hours:g} h"
    total_trapped = r.metrics["trapped_total"]
    if total_trapped == 0:
        return None, t.share, ">=", unit, "nobody was trapped in this run"
    hours = np.array([h for _, h in r.reached], dtype=float)
    within = float((hours <= t.hours + EPS).sum())
    return within / total_trapped, t.share, ">=", unit, None


def _air(t: AirResponseWithin, r: RunResult, sc: Scenario) -> Verdict:
    unit = f"share of air requests within {t.radius_km:g} km answered in {t.minutes:g} min"
    times = np.array([h for km, h in r.air_requests if km <= t.radius_km], dtype=float)
    if times.size == 0:
        return None, t.share, ">=", unit, "no air request within the radius in this run"
    return _share_within(times * 60.0, np.ones(times.size), t.minutes), t.share, ">=", unit, None


def _deaths(t: DeathsPerMillion, r: RunResult, sc: Scenario) -> Verdict:
    pop = float(r.population.sum())
    value = r.metrics["killed"] / pop * 1e6 if pop else 0.0
    return value, t.max, "<=", "deaths and missing per million residents", None


_EVALUATORS: dict[type, Callable[[Any, RunResult, Scenario], Verdict]] = {
    ReliefWithin: _relief,
    EvacuatedBeforeOnset: _evacuated,
    ShelterAreaPerPerson: _area,
    StockCovers: _stock,
    StockCoversTownships: _townships,
    FirstOnSceneWithin: _first_on_scene,
    TrappedReachedWithin: _reached,
    AirResponseWithin: _air,
    DeathsPerMillion: _deaths,
}


def evaluate_targets(targets: list[Target], result: RunResult, scenario: Scenario
                     ) -> list[TargetResult]:
    """Evaluate every target of a scenario on one run."""
    out = []
    for t in targets:
        value, thr, cmp, unit, note = _EVALUATORS[type(t)](t, result, scenario)
        if value is None:
            met = True
        elif cmp == ">=":
            met = bool(value >= thr - EPS)
        else:
            met = bool(value <= thr + EPS)
        out.append(TargetResult(
            id=t.id, kind=t.kind, value=value, threshold=thr, met=met, unit=unit,
            comparison=cmp, clause_en=t.clause.en if t.clause else None,
            clause_zh=t.clause.zh if t.clause else None, source=t.source, note=note,
        ))
    return out
