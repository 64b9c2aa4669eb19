"""Checking interventions against a scenario (names it has, times in its run, sizes in limits)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    CloseRoads,
    Intervention,
    OpenShelter,
)
from sim.scenario.distributions import support_of
from sim.scenario.limits import VEHICLES

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["check_interventions"]


def check_interventions(items: list[Intervention],
                        scenario: Scenario) -> list[tuple[int, str, str]]:
    """Check that interventions fit the scenario: in its time window, naming what it has.

    An intervention must happen between ``time.start_h`` and ``time.end_h`` (a run cannot act
    before it starts or after it ends), and the vehicles injected, with the scenario's own,
    must stay within :data:`sim.scenario.limits.VEHICLES`.

    Returns
    -------
    list of (index, field, message)
        Empty when every intervention fits the scenario.
    """
    zones = {z.name for z in scenario.zones}
    points = {p.name for p in scenario.stock_points}
    fleets = {v.name for v in scenario.vehicles}
    shelters = {s.name for s in scenario.shelters}
    out: list[tuple[int, str, str]] = []
    start, end = scenario.time.start_h, scenario.time.end_h
    vehicles = sum(support_of(v.count)[1] for v in scenario.vehicles)
    for i, it in enumerate(items):
        if not start <= it.at_h <= end:
            out.append((i, "at_h", f"at_h={it.at_h:g} is outside the run, which lasts from "
                        f"time.start_h {start:g} to time.end_h {end:g} h"))
        if isinstance(it, AddVehicles):
            vehicles += it.count
            if vehicles > VEHICLES.value:
                out.append((i, "count", f"with these the scenario may have {vehicles:,.0f} "
                            f"vehicles; {VEHICLES.words()}"))
                vehicles = -math.inf  # say it once
        if isinstance(it, AddStock):
            if it.point not in points:
                out.append((i, "point", f"unknown stock point {it.point!r}"))
            for k in it.items:
                if k not in scenario.items:
                    out.append((i, f"items.{k}", f"unknown item {k!r}"))
        elif isinstance(it, AddVehicles) and it.fleet not in fleets:
            out.append((i, "fleet", f"unknown fleet {it.fleet!r}"))
        elif isinstance(it, OpenShelter):
            if it.zone not in zones:
                out.append((i, "zone", f"unknown zone {it.zone!r}"))
            if it.name in shelters:
                out.append((i, "name", f"a shelter named {it.name!r} exists already"))
            shelters.add(it.name)
            if it.capacity is None and it.usable_area_m2 is None:
                out.append((i, "capacity", "give capacity or usable_area_m2"))
        elif isinstance(it, CloseRoads) and it.zone not in zones:
            out.append((i, "zone", f"unknown zone {it.zone!r}"))
    return out
