"""Evaluate a scenario's static standards from its data alone (no run).

A static standard (:mod:`sim.scenario.standards`) is a promise of the plan about what exists: the
stations, the teams and their sizes, the shelters' standard, the bases. Its value is fixed by the
scenario, so it is reported apart from the simulated targets, with the data it rests on and how
much of that data is assumed rather than cited. :func:`evaluate_standards` gives one
:class:`StandardResult` per standard of the scenario.

An input is counted as *assumed* when its provenance starts with ``assumption``, and as *partly
assumed* when it cites a source and also states an assumption (``plan line; assumption: ...``):
such a provenance may assume a neighbouring number only, so the inputs are listed one by one for
the reader to judge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.scenario.base import Provenance, provenance_kind
from sim.scenario.schema import Scenario
from sim.scenario.standards import (
    AirBases,
    FirefightersPerMille,
    FireStationArea,
    ShelterAreaStandard,
    SheltersToStandard,
    Standard,
    TeamHeadcount,
)

__all__ = ["StandardInput", "StandardResult", "evaluate_standard", "evaluate_standards",
           "provenance_kind"]



@dataclass(frozen=True)
class StandardInput:
    """One piece of scenario data a standard's value rests on."""

    what: str
    value: float | int | str
    source: str | None

    @property
    def provenance(self) -> Provenance:
        """How the input is sourced (see :func:`provenance_kind`)."""
        return provenance_kind(self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"what": self.what, "value": self.value, "source": self.source,
                "provenance": self.provenance}


@dataclass(frozen=True)
class StandardResult:
    """The reading of one static standard on a scenario.

    Attributes
    ----------
    id, kind : str
        The standard's id and kind.
    clause_zh, clause_en : str
        The plan's words.
    source : str
        The plan line or reference of the standard.
    value : float or None
        The measured value (None when the scenario lacks the data).
    threshold : float
        The standard's bound.
    comparison : {'<=', '>='}
        How ``value`` must compare with ``threshold``.
    met : bool or None
        Whether the scenario's data meet the standard (None: cannot be told).
    unit : str
        Unit of ``value`` and ``threshold``.
    note : str
        What the value means and what it cannot show.
    inputs : list of StandardInput
        The data the value rests on.
    by_construction : bool
        True when the scenario's own rules make the value meet the standard whatever the data.
    value_is : {'exact', 'lower_bound', 'upper_bound'}
        What the value is to the quantity the plan means: a lower bound (on-duty crews for the
        whole staff, the bases the scenario places) decides only when it already meets a ``>=``
        standard, an upper bound only when it meets a ``<=`` one; otherwise ``met`` is None.
    """

    id: str
    kind: str
    clause_zh: str
    clause_en: str
    source: str
    value: float | None
    threshold: float
    comparison: Literal["<=", ">="]
    met: bool | None
    unit: str
    note: str
    inputs: list[StandardInput] = field(default_factory=list)
    by_construction: bool = False
    value_is: Literal["exact", "lower_bound", "upper_bound"] = "exact"

    @property
    def n_inputs(self) -> int:
        """Number of inputs."""
        return len(self.inputs)

    @property
    def n_assumed(self) -> int:
        """Number of inputs whose provenance is an assumption (or absent)."""
        return sum(i.provenance in ("assumed", "unsourced") for i in self.inputs)

    @property
    def n_partly_assumed(self) -> int:
        """Number of inputs whose provenance cites a source and also states an assumption."""
        return sum(i.provenance == "partly_assumed" for i in self.inputs)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (the report's row of static standards)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "clause": {"zh": self.clause_zh, "en": self.clause_en},
            "source": self.source,
            "basis": "static",
            "value": self.value,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "met": self.met,
            "unit": self.unit,
            "note": self.note,
            "by_construction": self.by_construction,
            "value_is": self.value_is,
            "n_inputs": self.n_inputs,
            "n_assumed": self.n_assumed,
            "n_partly_assumed": self.n_partly_assumed,
            "inputs": [i.to_dict() for i in self.inputs],
        }


def _result(st: Standard, value: float | None, threshold: float, comparison: Literal["<=", ">="],
            unit: str, note: str, inputs: list[StandardInput], *,
            met: bool | None = None, by_construction: bool = False,
            value_is: Literal["exact", "lower_bound", "upper_bound"] = "exact") -> StandardResult:
    if met is None and value is not None:
        met = value <= threshold if comparison == "<=" else value >= threshold
        # A miss is decided by an exact value, or by a bound on the far side of the threshold.
        decisive = (value_is == "exact"
                    or (value_is == "lower_bound" and comparison == "<=")
                    or (value_is == "upper_bound" and comparison == ">="))
        if not met and not decisive:
            met = None
            note = (f"Undecided: the value is a {value_is.replace('_', ' ')} of what the plan "
                    "measures and does not meet the standard, so the scenario's data cannot "
                    "tell whether the jurisdiction does. " + note)
    return StandardResult(
        id=st.id, kind=st.kind, clause_zh=st.clause.zh, clause_en=st.clause.en, source=st.source,
        value=value, threshold=threshold, comparison=comparison, met=met, unit=unit, note=note,
        inputs=inputs, by_construction=by_construction, value_is=value_is,
    )


_PLAN_LINE = re.compile(r"\d{3}_[a-z]+_plan\.txt#L\d+")


def _cites_clause(source: str | None, standard_source: str) -> bool:
    """Whether ``source`` cites a plan line that the standard's ``source`` cites."""
    if not source:
        return False
    lines = set(_PLAN_LINE.findall(standard_source))
    return any(m in lines for m in _PLAN_LINE.findall(source))


def _fire_station_area(s: Scenario, st: FireStationArea) -> StandardResult:
    zones = {z.name: z for z in s.zones}
    inputs: list[StandardInput] = []
    missing: list[str] = []
    area = 0.0
    for name in st.zones:
        z = zones[name]
        if z.area_km2 is None:
            missing.append(name)
            continue
        area += z.area_km2
        inputs.append(StandardInput(f"land area of {name}, km²", z.area_km2,
                                    z.source_of("area_km2")))
    stations = 0
    for t in s.teams:
        if t.kind == "fire_rescue" and t.base in st.zones:
            stations += t.count
            inputs.append(StandardInput(f"fire and rescue stations of team {t.name}", t.count,
                                        t.source_of("count")))
    note = (f"{area:g} km² of zone land over {stations} fire and rescue station(s) of the "
            f"zones {', '.join(st.zones)}; each fire_rescue team counts as `count` stations. "
            "Zone areas are whole districts' land (hills and farmland included), not the "
            "built-up area a station protects, so the value overstates the protection area.")
    if missing:
        return _result(st, None, st.max_km2, "<=", "km²/station",
                       f"zone(s) without area_km2: {', '.join(missing)}; " + note, inputs)
    if stations == 0:
        return _result(st, None, st.max_km2, "<=", "km²/station",
                       "no fire_rescue team is based in the zones; " + note, inputs, met=False)
    return _result(st, area / stations, st.max_km2, "<=", "km²/station", note, inputs,
                   value_is="upper_bound")


def _team_headcount(s: Scenario, st: TeamHeadcount) -> StandardResult:
    zone_names = st.zones if st.zones is not None else [z.name for z in s.zones]
    teams = [t for t in s.teams if t.kind == st.team_kind and t.base in zone_names]
    inputs = [StandardInput(f"members of each of the {t.count} team(s) {t.name}", t.headcount,
                            t.source_of("headcount")) for t in teams]
    without = [z for z in zone_names if not any(t.base == z for t in teams)]
    small = [t.name for t in teams if t.headcount < st.min_headcount]
    n_teams = sum(t.count for t in teams)
    parts = [f"{n_teams} {st.team_kind} team(s) in {len(zone_names)} zone(s); smallest "
             f"{min((t.headcount for t in teams), default=0)} members"]
    met = not without and not small and bool(teams)
    if without:
        parts.append(f"zones without such a team: {', '.join(without)}")
    if small:
        parts.append(f"teams below {st.min_headcount}: {', '.join(small)}")
    if st.units is not None:
        inputs.append(StandardInput("units that must each have a team", st.units,
                                    st.source_of("units")))
        parts.append(f"{n_teams} teams for {st.units} units")
        if n_teams < st.units:
            met = False
    value = float(min((t.headcount for t in teams), default=0))
    # Headcounts set from this very clause make the check hold by construction.
    built = bool(teams) and all(_cites_clause(t.source_of("headcount"), st.source)
                                for t in teams)
    if built:
        parts.append("every headcount is cited to the standard's own plan line (set from the "
                     "promise, not observed): by construction")
    return _result(st, value, float(st.min_headcount), ">=", "members per team",
                   "; ".join(parts), inputs, met=met, by_construction=built and bool(met))


def _firefighters(s: Scenario, st: FirefightersPerMille) -> StandardResult:
    zone_names = set(st.zones) if st.zones is not None else {z.name for z in s.zones}
    population = sum(z.population for z in s.zones if z.name in zone_names)
    teams = [t for t in s.teams if t.kind == "fire_rescue" and t.base in zone_names]
    members = sum(t.headcount * t.count for t in teams)
    inputs = [StandardInput(f"members of {t.count} x {t.name}", t.headcount * t.count,
                            t.source_of("headcount")) for t in teams]
    inputs += [StandardInput(f"residents of {z.name}", z.population, z.source_of("population"))
               for z in s.zones if z.name in zone_names]
    note = (f"{members} fire and rescue team members for {population} residents. The scenario's "
            "teams are the crews on duty during the event, not the whole full-time staff, so "
            "the value is a lower bound of the plan's ratio.")
    value = 1000.0 * members / population if population else None
    return _result(st, value, st.min_per_mille, ">=", "‰ of residents", note, inputs,
                   value_is="lower_bound")


def _shelters_to_standard(s: Scenario, st: SheltersToStandard) -> StandardResult:
    inputs = [StandardInput("share of shelters built to standard", st.share, st.source_of("share"))]
    note = (f"The scenario's {len(s.shelters)} shelter entries are aggregates without a "
            "per-site standard flag; the value is the one known share given with the "
            "standard, so it is fixed by that input and says nothing the scenario computes.")
    return _result(st, st.share, st.min_share, ">=", "share of shelters", note, inputs)


def _shelter_area(s: Scenario, st: ShelterAreaStandard) -> StandardResult:
    rule = s.response.shelter
    checked: list[tuple[str, float]] = []
    derived: list[str] = []
    unknown: list[str] = []
    inputs: list[StandardInput] = []
    for sh in s.shelters:
        if sh.usable_area_m2 is None:
            unknown.append(sh.name)
        elif sh.capacity is None or rule.admission == "area_standard":
            derived.append(sh.name)
        else:
            checked.append((sh.name, sh.usable_area_m2 / sh.capacity))
            inputs.append(StandardInput(f"usable area / stated capacity of {sh.name}",
                                        round(sh.usable_area_m2 / sh.capacity, 4),
                                        sh.source_of("capacity")))
    inputs.append(StandardInput("area standard of admission, m² per person",
                                rule.area_per_person_m2, rule.source_of("area_per_person_m2")))
    parts = [f"{len(checked)} shelter(s) with area and stated capacity checked",
             f"{len(derived)} admit by area / {rule.area_per_person_m2:g} m² (by construction)",
             f"{len(unknown)} without an area (not checked)"]
    if checked:
        worst = min(checked, key=lambda x: x[1])
        parts.append(f"tightest: {worst[0]}")
        # A stated capacity equal to area / the admission standard (rounded down by at most
        # 2 %) was computed from the area: the check then holds by construction whenever that
        # standard is at least the bound.
        sized = all(0.98 * sh.usable_area_m2 / rule.area_per_person_m2 - 1.0
                    <= sh.capacity <= sh.usable_area_m2 / rule.area_per_person_m2 + 1.0
                    for sh in s.shelters
                    if sh.usable_area_m2 is not None and sh.capacity is not None)
        if sized:
            parts.append(f"every stated capacity is area / {rule.area_per_person_m2:g} m² "
                         "(sized by the standard: by construction)")
        return _result(st, worst[1], st.min_m2_per_place, ">=", "m² per place",
                       "; ".join(parts), inputs,
                       by_construction=sized and rule.area_per_person_m2 >= st.min_m2_per_place)
    if derived:
        met = rule.area_per_person_m2 >= st.min_m2_per_place
        return _result(st, rule.area_per_person_m2, st.min_m2_per_place, ">=", "m² per place",
                       "; ".join(parts), inputs, met=met, by_construction=True)
    return _result(st, None, st.min_m2_per_place, ">=", "m² per place",
                   "; ".join(parts), inputs)


def _air_bases(s: Scenario, st: AirBases) -> StandardResult:
    heli = [v for v in s.vehicles if v.kind == "helicopter"]
    bases = sorted({v.base for v in heli})
    inputs = [StandardInput(f"base of {v.name}", v.base, v.source_of("base")) for v in heli]
    note = (f"distinct helicopter bases in the scenario: {', '.join(bases) or 'none'}. The "
            "scenario places the helicopters it models; bases the plan builds but the scenario "
            "does not place are not counted.")
    return _result(st, float(len(bases)), float(st.min_count), ">=", "bases", note, inputs,
                   value_is="lower_bound")


_RULES: dict[type, Callable[[Scenario, Any], StandardResult]] = {
    FireStationArea: _fire_station_area,
    TeamHeadcount: _team_headcount,
    FirefightersPerMille: _firefighters,
    SheltersToStandard: _shelters_to_standard,
    ShelterAreaStandard: _shelter_area,
    AirBases: _air_bases,
}
"""The evaluator of each standard kind (as :data:`sim.targets._EVALUATORS` for targets)."""


def evaluate_standard(scenario: Scenario, standard: Standard) -> StandardResult:
    """Evaluate one static standard on a scenario.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (not a sampled copy: standards read the stated data).
    standard : Standard
        One of ``scenario.standards`` (or any standard whose zones the scenario has).

    Returns
    -------
    StandardResult
    """
    rule = _RULES.get(type(standard))
    if rule is not None:
        return rule(scenario, standard)
    raise TypeError(f"unknown standard kind {type(standard).__name__}")


def evaluate_standards(scenario: Scenario,
                       standards: Iterable[Standard] | None = None) -> list[StandardResult]:
    """Evaluate a scenario's static standards.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    standards : iterable of Standard, optional
        Default: ``scenario.standards``.

    Returns
    -------
    list of StandardResult
        One per standard, in order.
    """
    chosen = scenario.standards if standards is None else standards
    return [evaluate_standard(scenario, st) for st in chosen]
