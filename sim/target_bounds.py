"""The bound a scenario's inputs put on the value of the built-in target kinds.

Registered in :data:`sim.targets.BOUNDS` on import (``sim.targets`` imports this module), so a
study can tell a finding from a verdict fixed by how the target is built
(:mod:`sim.study.basis`). Each rule reads the scenario only, never a run.
"""

from __future__ import annotations

import math
from typing import Any

from sim.scenario.clauses import FirstOnSceneWithin, ShelterAreaPerPerson
from sim.scenario.distributions import support_of
from sim.scenario.schema import Scenario
from sim.targets import BOUNDS, Bound

__all__ = ["first_on_scene_bound", "shelter_area_bound"]

EPS = 1e-9


def _admitted(sh: Any, sc: Scenario) -> int | None:
    """The most people a shelter admits (as :mod:`sim.response.shelters` computes it)."""
    std = sc.response.shelter.area_per_person_m2
    area = sh.usable_area_m2
    by_area = None if area is None else int(math.floor(area / std + EPS))
    if sc.response.shelter.admission == "area_standard" and by_area is not None:
        return by_area
    return sh.capacity if sh.capacity is not None else by_area


def shelter_area_bound(t: ShelterAreaPerPerson, sc: Scenario) -> Bound | None:
    """Bound the area per person of shelters.

    Per sheltered person at least area / capacity (a shelter admits no more than its
    capacity); per resident at most the shelters' total area over the residents (outages
    only lower it).
    """
    std = sc.response.shelter.area_per_person_m2
    if t.per == "resident":
        zones = set(t.zones) if t.zones else {z.name for z in sc.zones}
        area = sum(sh.usable_area_m2 or 0.0 for sh in sc.shelters if sh.zone in zones)
        residents = sum(z.population for z in sc.zones if z.name in zones)
        if residents <= 0:
            return None
        n = sum(1 for sh in sc.shelters if sh.zone in zones and sh.usable_area_m2)
        factor = sc.response.shelter.damage_factor
        never_fail = factor is not None and support_of(factor)[1] <= 0
        return Bound(low=area / residents if never_fail else 0.0, high=area / residents,
                     fixed=never_fail,
                     inputs=(f"{n} shelter(s) with a known area in the measured zones, "
                             f"{area:,.0f} m2 in all, for {residents:,} residents"))
    ratios, from_area = [], 0
    for sh in sc.shelters:
        cap = _admitted(sh, sc)
        if sh.usable_area_m2 is None or not cap:
            continue
        ratios.append(sh.usable_area_m2 / cap)
        from_area += cap == int(math.floor(sh.usable_area_m2 / std + EPS))
    if not ratios:
        return None
    if from_area == len(ratios):
        words = (f"every shelter's capacity is its usable area / {std:g} m2 (GB 21734), so a "
                 "full shelter still has that much per person")
    else:
        words = (f"the stated capacities and usable areas of {len(ratios)} shelter(s): a full "
                 "shelter has its area / capacity per person")
    return Bound(low=min(ratios), inputs=words)


def _intra_minutes(sc: Scenario) -> list[float]:
    """Each zone's average trip within the zone, minutes (as the road network takes it)."""
    default = sc.travel.intra_zone_minutes
    out = [z.intra_zone_minutes if z.intra_zone_minutes is not None else default
           for z in sc.zones]
    if sc.travel.minutes is not None:
        out = [float(row[i]) if float(row[i]) > 0 else out[i]
               for i, row in enumerate(sc.travel.minutes)]
    return out


def first_on_scene_bound(t: FirstOnSceneWithin, sc: Scenario) -> Bound | None:
    """Label first-on-scene targets that the zones' size decides.

    A site is a whole zone, reached by the zone's average trip: when even a team based in
    the zone needs longer than the target (turnout at its fastest plus that trip), the value
    measures the zones' size, not the teams.
    """
    kinds = set(t.team_kinds) if t.team_kinds else None
    bases = {tm.base for tm in sc.teams if kinds is None or tm.kind in kinds}
    if not bases:
        return Bound(high=0.0, inputs="no team of the counted kinds in the scenario")
    rescue = sc.response.rescue
    turnout = support_of(rescue.turnout_min)[0] if rescue is not None else 0.0
    intra = _intra_minutes(sc)
    fastest = min(turnout + intra[i] for i, z in enumerate(sc.zones) if z.name in bases)
    if fastest <= t.minutes:
        return None
    trips = sorted({intra[i] for i, z in enumerate(sc.zones) if z.name in bases})
    span = f"{trips[0]:g}" if len(trips) == 1 else f"{trips[0]:g}-{trips[-1]:g}"
    return Bound(resolution=(
        f"a rescue site is a whole zone reached by the zone's average trip ({span} min here, "
        f"after a turnout of at least {turnout:g} min), against a {t.minutes:g}-minute run: "
        "at this resolution the value measures the zones' size, not the stations; a "
        "town-level scenario is needed to test it"),
        inputs=f"zones' average trips {span} min, turnout from {turnout:g} min")


BOUNDS[ShelterAreaPerPerson] = shelter_area_bound
BOUNDS[FirstOnSceneWithin] = first_on_scene_bound
