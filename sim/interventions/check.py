"""Checking interventions against a scenario (names it has, times in its run, sizes in limits)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    Aftershock,
    CloseRoads,
    CloseShelter,
    CutLink,
    DispatchTeam,
    ExtendEvacuation,
    ExtraRain,
    HospitalOut,
    Intervention,
    OpenShelter,
    OrderEvacuation,
    ReleaseAgreement,
    ReopenLink,
    RequestMutualAid,
    SetDeliveryPriority,
    StockPointLost,
    SupplierDelayed,
    TeamUnavailable,
)
from sim.scenario.distributions import support_of
from sim.scenario.limits import VEHICLES

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["SKILL_OF_TASK", "check_interventions"]

SKILL_OF_TASK = {"rescue": "rescue", "roads": "road_clearing"}
"""The team skill each ``dispatch_team`` task needs."""

Problems = list[tuple[int, str, str]]


class _Names:
    """What a scenario names, for the checks."""

    def __init__(self, sc: Scenario, items: list[Intervention]) -> None:
        self.sc = sc
        self.zones = {z.name: z for z in sc.zones}
        self.points = {p.name for p in sc.stock_points}
        self.fleets = {v.name for v in sc.vehicles}
        self.teams = {t.name: t for t in sc.teams}
        self.hospitals = {h.name for h in sc.hospitals}
        self.supplies = {s.name: s for s in sc.supplies}
        self.links = ({frozenset((lk.a, lk.b)) for lk in sc.roads.links}
                      if sc.roads is not None else set())
        self.shelter_from: dict[str, float] = {s.name: -math.inf for s in sc.shelters}
        """When each shelter exists: from the start, or from the open_shelter that adds it."""
        for it in items:
            if isinstance(it, OpenShelter):
                self.shelter_from.setdefault(it.name, it.at_h)
        self.opened = {s.name for s in sc.shelters}
        """Shelters of the scenario and those opened so far in the list (no name twice)."""


def _zone(n: _Names, out: Problems, i: int, field: str, zone: str) -> None:
    if zone not in n.zones:
        out.append((i, field, f"unknown zone {zone!r}"))


def _shelter(n: _Names, out: Problems, i: int, field: str, name: str, at_h: float) -> None:
    when = n.shelter_from.get(name)
    if when is None:
        out.append((i, field, f"unknown shelter {name!r}"))
    elif when > at_h:
        out.append((i, field, f"shelter {name!r} opens only at {when:g} h (open_shelter)"))


def _link(it: CutLink | ReopenLink, n: _Names, out: Problems, i: int) -> None:
    _zone(n, out, i, "a", it.a)
    _zone(n, out, i, "b", it.b)
    if it.a in n.zones and it.b in n.zones:
        if n.sc.roads is None:
            out.append((i, "a", "the scenario has no roads block, so no links to cut or reopen "
                        "(close_roads closes a zone's roads)"))
        elif frozenset((it.a, it.b)) not in n.links:
            out.append((i, "b", f"no road link joins {it.a!r} and {it.b!r} in roads.links"))


def _team_count(n: _Names, out: Problems, i: int, fleet: str, count: int) -> None:
    team = n.teams.get(fleet)
    if team is None:
        out.append((i, "fleet", f"unknown team fleet {fleet!r}"))
    elif count > team.count:
        out.append((i, "count", f"fleet {fleet!r} has {team.count} teams, not {count}"))


def _check_one(it: Intervention, n: _Names, out: Problems, i: int) -> None:
    """The checks of one intervention's names and sizes (not its time)."""
    if isinstance(it, AddStock | RequestMutualAid):
        if it.point is not None and it.point not in n.points:
            out.append((i, "point", f"unknown stock point {it.point!r}"))
        for k in it.items or {}:
            if k not in n.sc.items:
                out.append((i, f"items.{k}", f"unknown item {k!r}"))
    if isinstance(it, AddVehicles | RequestMutualAid):
        if it.fleet is not None and it.fleet not in n.fleets:
            out.append((i, "fleet", f"unknown fleet {it.fleet!r}"))
    elif isinstance(it, OpenShelter):
        _zone(n, out, i, "zone", it.zone)
        if it.name in n.opened:
            out.append((i, "name", f"a shelter named {it.name!r} exists already"))
        n.opened.add(it.name)
        if it.capacity is None and it.usable_area_m2 is None:
            out.append((i, "capacity", "give capacity or usable_area_m2"))
    elif isinstance(it, CloseRoads | Aftershock | ExtraRain | DispatchTeam):
        _zone(n, out, i, "zone", it.zone)
    if isinstance(it, CutLink | ReopenLink):
        _link(it, n, out, i)
    elif isinstance(it, CloseShelter):
        _shelter(n, out, i, "shelter", it.shelter, it.at_h)
    elif isinstance(it, HospitalOut) and it.hospital not in n.hospitals:
        out.append((i, "hospital", f"unknown hospital {it.hospital!r}"))
    elif isinstance(it, StockPointLost) and it.point not in n.points:
        out.append((i, "point", f"unknown stock point {it.point!r}"))
    elif isinstance(it, Aftershock | ExtraRain) and it.sized_by == "count" \
            and it.zone in n.zones:
        pop = n.zones[it.zone].population
        for f in ("killed", "injured_1", "injured_2", "injured_3", "trapped", "homes_lost"):
            if getattr(it, f) > pop:
                out.append((i, f, f"{getattr(it, f):,.0f} people, more than {it.zone!r} has "
                            f"({pop:,})"))
    elif isinstance(it, SupplierDelayed) and it.supplier not in n.supplies:
        out.append((i, "supplier", f"unknown supply {it.supplier!r} (scenario supplies)"))
    elif isinstance(it, ReleaseAgreement) and it.supply not in n.supplies:
        out.append((i, "supply", f"unknown supply {it.supply!r} (scenario supplies)"))
    elif isinstance(it, TeamUnavailable):
        _team_count(n, out, i, it.fleet, it.count)
    elif isinstance(it, DispatchTeam):
        _team_count(n, out, i, it.fleet, it.count)
        team = n.teams.get(it.fleet)
        if team is not None:
            tasks = [t for t, skill in SKILL_OF_TASK.items() if skill in team.skills]
            if it.task is not None and it.task not in tasks:
                out.append((i, "task", f"fleet {it.fleet!r} lacks the skill "
                            f"{SKILL_OF_TASK[it.task]!r} for task {it.task!r}"))
            elif not tasks:
                out.append((i, "fleet", f"fleet {it.fleet!r} has neither the rescue nor the "
                            "road_clearing skill"))
    elif isinstance(it, OrderEvacuation | ExtendEvacuation):
        for j, z in enumerate(it.zones):
            _zone(n, out, i, f"zones.{j}", z)
    elif isinstance(it, SetDeliveryPriority):
        for j, z in enumerate(it.zones):
            _zone(n, out, i, f"zones.{j}", z)
        for j, s in enumerate(it.shelters):
            _shelter(n, out, i, f"shelters.{j}", s, it.at_h)


def check_interventions(items: list[Intervention],
                        scenario: Scenario) -> list[tuple[int, str, str]]:
    """Check that interventions fit the scenario: in its time window, naming what it has.

    An intervention must happen between ``time.start_h`` and ``time.end_h`` (a run cannot act
    before it starts or after it ends); it must name zones, links (``roads.links``, by their
    two zones), shelters (the scenario's, or one an earlier ``open_shelter`` adds), hospitals,
    stock points, items, fleets, team fleets and supplies the scenario has; teams are taken
    or sent at most as many as their fleet has, with a skill for the task; the vehicles
    injected, with the scenario's own, must stay within :data:`sim.scenario.limits.VEHICLES`.

    Returns
    -------
    list of (index, field, message)
        Empty when every intervention fits the scenario. ``field`` is a dotted path within the
        intervention (``zones.2``).
    """
    names = _Names(scenario, items)
    out: Problems = []
    start, end = scenario.time.start_h, scenario.time.end_h
    vehicles = sum(support_of(v.count)[1] for v in scenario.vehicles)
    for i, it in enumerate(items):
        if not start <= it.at_h <= end:
            out.append((i, "at_h", f"at_h={it.at_h:g} is outside the run, which lasts from "
                        f"time.start_h {start:g} to time.end_h {end:g} h"))
        count = it.count if isinstance(it, AddVehicles | RequestMutualAid) else None
        if count is not None:
            vehicles += count
            if vehicles > VEHICLES.value:
                out.append((i, "count", f"with these the scenario may have {vehicles:,.0f} "
                            f"vehicles; {VEHICLES.words()}"))
                vehicles = -math.inf  # say it once
        _check_one(it, names, out, i)
    return out
