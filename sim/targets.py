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
    SuppliesInPlaceWithin,
    Target,
    TeamsSuffice,
    TrappedReachedWithin,
    WarningReachWithin,
)
from sim.scenario.distributions import support_of
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.results import RunResult

__all__ = ["BOUNDS", "Bound", "TargetResult", "evaluate_targets", "relieved_share_within",
           "supplies_in_place_at", "target_bound"]

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
    """People out before onset over the order's people whom the warning actually reached.

    The order's people the warning missed cannot leave in time whatever the evacuation does;
    they are counted apart (metric ``evacuation_targeted_unwarned``) and in the warning-reach
    target, so this value measures the evacuation itself.
    """
    unit = "share of warned targeted people out before onset"
    warned = r.metrics.get("evacuation_targeted_warned")
    if warned is None:  # a run stored before the warned denominator existed
        warned = r.metrics["evacuation_targeted"]
    if warned <= 0:
        return None, t.share, ">=", unit, "the warning reached none of the order's people"
    value = min(1.0, r.metrics["evacuated_before_onset"] / warned)
    unwarned = r.metrics.get("evacuation_targeted_unwarned")
    note = f"{unwarned:,} of the order's people were not warned before onset" if unwarned else None
    return value, t.share, ">=", unit, note


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
    verb = "reached" if t.measure == "arrival" else "flown to (take-off)"
    unit = f"share of air requests within {t.radius_km:g} km {verb} in {t.minutes:g} min"
    col = 1 if t.measure == "arrival" else 2
    times = np.array([req[col] for req in r.air_requests if req[0] <= t.radius_km],
                     dtype=float)
    if times.size == 0:
        return None, t.share, ">=", unit, "no air request within the radius in this run"
    return _share_within(times * 60.0, np.ones(times.size), t.minutes), t.share, ">=", unit, None


def _annual_frequency(t: DeathsPerMillion) -> float:
    """Events a year: 1 for ``per: event`` (the event alone), 1 / return period for a year."""
    if t.per == "year" and t.return_period_years is not None:
        return 1.0 / t.return_period_years
    return 1.0


def _deaths(t: DeathsPerMillion, r: RunResult, sc: Scenario) -> Verdict:
    pop = float(r.population.sum())
    per_event = r.metrics["killed"] / pop * 1e6 if pop else 0.0
    if t.per == "event":
        return per_event, t.max, "<=", "deaths and missing per million residents", None
    note = (f"{per_event:.3g} per million in this event x 1/{t.return_period_years:g} a year "
            "(its return period); the year's other disasters would add to it")
    return (per_event * _annual_frequency(t), t.max, "<=",
            "deaths and missing per million residents a year (this event's contribution to "
            "the annual average)", note)


def _deaths_bound(t: DeathsPerMillion, sc: Scenario) -> Bound:
    freq = _annual_frequency(t)
    if t.per == "year":
        inputs = (f"at most every resident killed (1,000,000 per million) x 1/"
                  f"{t.return_period_years:g} years (the event's return period)")
    else:
        inputs = "at most every resident killed (1,000,000 per million)"
    return Bound(low=0.0, high=1e6 * freq, inputs=inputs)


BOUNDS[DeathsPerMillion] = _deaths_bound


def supplies_in_place_at(result: RunResult, hours: float) -> tuple[int, float] | None:
    """People arrived at relief points needing first relief by ``hours`` and those covered.

    Returns ``(arrived, covered)`` summed over the points, where a point's covered people are
    those whose first day the stock it received by then covers, at most its arrived people;
    None when nobody had arrived at any point.
    """
    arrived, covered = 0, 0.0
    for _name, log in result.supply_cover:
        last = None
        for row in log:
            if row[0] <= hours + EPS:
                last = row
            else:
                break
        if last is None or last[1] <= 0:
            continue
        arrived += last[1]
        covered += min(float(last[1]), math.floor(last[2] + EPS))
    return (arrived, covered) if arrived else None


def _supplies(t: SuppliesInPlaceWithin, r: RunResult, sc: Scenario) -> Verdict:
    unit = f"share of first-day needs in place at the relief points {t.hours:g} h after onset"
    got = supplies_in_place_at(r, t.hours)
    if got is None:
        return (None, t.share, ">=", unit,
                f"nobody had reached a shelter or distribution point {t.hours:g} h after onset")
    arrived, covered = got
    return covered / arrived, t.share, ">=", unit, None


def _supplies_bound(t: SuppliesInPlaceWithin, sc: Scenario) -> Bound:
    return Bound(low=0.0, high=1.0, inputs="a share of the first-day needs of people at points")


BOUNDS[SuppliesInPlaceWithin] = _supplies_bound


def _teams(t: TeamsSuffice, r: RunResult, sc: Scenario) -> Verdict:
    kinds = ", ".join(t.team_kinds)
    unit = f"share of trapped reached within {t.hours:g} h by {kinds} teams"
    total = r.metrics["trapped_total"]
    if total == 0:
        return None, t.share, ">=", unit, "nobody was trapped in this run"
    named = others = 0
    for (n, h), k in zip(r.reached, r.reached_kind, strict=True):
        if h <= t.hours + EPS:
            if k in t.team_kinds:
                named += n
            else:
                others += n
    left = total - others
    note = (f"{others} reached in time by other teams, left out" if others else None)
    if left <= 0:
        return None, t.share, ">=", unit, "other teams reached every trapped person in time"
    return named / left, t.share, ">=", unit, note


def _teams_bound(t: TeamsSuffice, sc: Scenario) -> Bound | None:
    named = [tm for tm in sc.teams if tm.kind in t.team_kinds and "rescue" in tm.skills]
    if not named:
        return Bound(low=0.0, high=0.0, fixed=True,
                     inputs=f"no rescue team of kind {', '.join(t.team_kinds)} in the scenario")
    if sc.response.rescue is None:
        return Bound(low=0.0, high=0.0, fixed=True, inputs="the scenario has no rescue rules")
    return None


BOUNDS[TeamsSuffice] = _teams_bound


def _warning_reach(t: WarningReachWithin, r: RunResult, sc: Scenario) -> Verdict:
    """Share of the residents of the target's zones warned in time (by any or one kind)."""
    zones = ({r.zones.index(z) for z in t.zones} if t.zones else set(range(len(r.zones))))
    pop = float(sum(int(r.population[z]) for z in zones))
    when = f"within {t.hours:g} h of its issue" if t.hours is not None else "before onset"
    what = f"{t.channel_kind} channels" if t.channel_kind else "the warning"
    unit = f"share of residents reached by {what} {when}"
    if pop <= 0:
        return None, t.share, ">=", unit, "the zones have no residents"
    kinds = [k for _, k in r.warning_channels]
    reached = 0
    for time_h, z, c, new, new_kind in r.warning_reach:
        if z not in zones:
            continue
        limit = (r.warning_issued_h + t.hours if t.hours is not None
                 else r.impact.zones[z].onset_h)
        if time_h > limit + EPS:
            continue
        if t.channel_kind is None:
            reached += new
        elif c >= 0 and kinds[c] == t.channel_kind:
            reached += new_kind
    return min(1.0, reached / pop), t.share, ">=", unit, None


def _warning_reach_bound(t: WarningReachWithin, sc: Scenario) -> Bound:
    """``1 - prod(1 - max coverage)`` over the channels counted (outages and time only lower it).

    Each resident is reached independently, so a run's share scatters around its expectation:
    the bound adds 4 standard deviations of that draw over the measured residents (a few
    hundredths of a point for a county), so that no run exceeds it.
    """
    rule = sc.response.warning
    chans = [c for c in rule.channels if t.channel_kind in (None, c.kind)]
    miss = 1.0
    parts = []
    if not rule.channels:
        hi = support_of(rule.coverage)[1] if rule.coverage is not None else 0.0
        miss = 1.0 - hi
        parts.append(f"warning coverage at most {hi:.1%}")
    for c in chans:
        hi = support_of(c.coverage)[1]
        miss *= 1.0 - hi
        parts.append(f"{c.name} ({c.name_zh}) coverage at most {hi:.1%}" if c.name_zh
                     else f"{c.name} coverage at most {hi:.1%}")
    names = set(t.zones) if t.zones else None
    n = sum(z.population for z in sc.zones if names is None or z.name in names)
    p = 1.0 - miss
    high = min(1.0, p + 4.0 * math.sqrt(p * (1.0 - p) / n)) if n else p
    inputs = "; ".join(parts) if not rule.channels else (
        "warning channels: " + "; ".join(parts)
        + " (a resident is missed by every channel with probability prod(1 - coverage))")
    return Bound(low=0.0, high=high, inputs=inputs)


def _evacuated_bound(t: EvacuatedBeforeOnset, sc: Scenario) -> Bound:
    """At most the largest compliance: the share of warned targeted people who leave."""
    hi = support_of(sc.response.evacuation.compliance)[1]
    return Bound(low=0.0, high=hi, inputs=(
        f"evacuation compliance at most {hi:.1%} (share of the warned people of the order who "
        "leave; the unwarned are left out of the denominator)"))


BOUNDS[WarningReachWithin] = _warning_reach_bound
BOUNDS[EvacuatedBeforeOnset] = _evacuated_bound


_EVALUATORS: dict[type, Callable[[Any, RunResult, Scenario], Verdict]] = {
    WarningReachWithin: _warning_reach,
    ReliefWithin: _relief,
    EvacuatedBeforeOnset: _evacuated,
    ShelterAreaPerPerson: _area,
    StockCovers: _stock,
    StockCoversTownships: _townships,
    FirstOnSceneWithin: _first_on_scene,
    TrappedReachedWithin: _reached,
    AirResponseWithin: _air,
    DeathsPerMillion: _deaths,
    SuppliesInPlaceWithin: _supplies,
    TeamsSuffice: _teams,
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


# The built-in kinds' bounds register themselves in BOUNDS (kept apart from the evaluators).
import sim.target_bounds  # noqa: E402, F401
