"""Interventions (injects): decisions and events scheduled into a run at a given time.

An intervention is data, validated like a scenario, so that a run is replayed exactly from its
seed and its list of interventions. At its time, an intervention acts before anything else
scheduled for that moment, whether it was listed when the run began or added while stepping.

Kinds
-----
``add_stock``
    Supplies arrive at a stock point (a donation, an agreement supplier's delivery).
``add_vehicles``
    More vehicles join an existing fleet at its base (mutual aid, requisition).
``open_shelter``
    A reserve shelter site opens in a zone.
``close_roads``
    The roads of a zone close for some hours (a collapsed bridge, a landslide).
``branch``
    From this moment the run's random streams take a new, numbered branch: a fork of the
    future (:meth:`sim.Simulation.fork`). Everything before it is unchanged.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field, TypeAdapter, ValidationError

from sim.scenario.base import Frozen, Name
from sim.scenario.distributions import as_float, capped, support_of
from sim.scenario.limits import INTERVENTIONS, PLACES, STOCK_UNITS, VEHICLES
from sim.scenario.loader import (
    Problem,
    ScenarioError,
    _locate,
    build_yaml,
    compose_yaml,
    read_text,
)

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.scenario.schema import Scenario

__all__ = [
    "AddStock",
    "AddVehicles",
    "Branch",
    "CloseRoads",
    "Intervention",
    "OpenShelter",
    "apply_intervention",
    "check_interventions",
    "load_interventions",
]

Hours = Annotated[float, Field(allow_inf_nan=False)]


class _Base(Frozen):
    at_h: Hours = Field(description="When it happens, hours from the hazard onset.")
    note: str | None = Field(default=None, description="Why (for the exercise log).")


class AddStock(_Base):
    """Supplies arrive at a stock point."""

    kind: Literal["add_stock"]
    point: Name
    items: dict[Name, Annotated[float, Field(gt=0, allow_inf_nan=False), capped(STOCK_UNITS)]]


class AddVehicles(_Base):
    """More vehicles join a fleet."""

    kind: Literal["add_vehicles"]
    fleet: Name
    count: Annotated[int, Field(strict=True, gt=0), capped(VEHICLES)]


class OpenShelter(_Base):
    """A reserve shelter opens."""

    kind: Literal["open_shelter"]
    name: Name
    zone: Name
    capacity: Annotated[int, Field(strict=True, gt=0), capped(PLACES)] | None = None
    usable_area_m2: Annotated[float, Field(gt=0)] | None = None


class CloseRoads(_Base):
    """The roads of a zone close for a while."""

    kind: Literal["close_roads"]
    zone: Name
    hours: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Branch(_Base):
    """The future takes random branch number ``branch`` from here on."""

    kind: Literal["branch"]
    branch: Annotated[int, Field(strict=True, ge=0)]


Intervention = Annotated[
    AddStock | AddVehicles | OpenShelter | CloseRoads | Branch, Field(discriminator="kind")
]
_LIST = TypeAdapter(list[Intervention])
_ONE: TypeAdapter[Intervention] = TypeAdapter(Intervention)


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


def parse_intervention(data: object) -> Intervention:
    """Validate one intervention given as a mapping (raises pydantic ``ValidationError``)."""
    return _ONE.validate_python(data)


def load_interventions(path: str | Path, scenario: Scenario) -> list[Intervention]:
    """Read a YAML list of interventions, with located one-line errors.

    Raises
    ------
    ScenarioError
        With ``FILE:LINE: [i].field: message`` problems.
    """
    file = str(path)
    node = compose_yaml(read_text(path, file), file)
    if node is None:
        return []
    problems: list[Problem] = []
    data, root = build_yaml(node, file, problems)
    if problems:
        raise ScenarioError(problems)
    if isinstance(data, list) and len(data) > INTERVENTIONS.value:
        raise ScenarioError([Problem(file, root.line, "", f"{len(data):,} interventions; "
                                     f"{INTERVENTIONS.words()}")])
    try:
        items = _LIST.validate_python(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            p, line = _locate(tuple(err["loc"]), data, root)
            problems.append(Problem(file, line, p, str(err["msg"]).removeprefix("Value error, ")))
        raise ScenarioError(problems) from None
    for i, field, msg in check_interventions(items, scenario):
        p, line = _locate((i, *field.split(".")), data, root)
        problems.append(Problem(file, line, p, msg))
    if problems:
        raise ScenarioError(problems)
    return items


def apply_intervention(m: Model, it: Intervention) -> None:
    """Carry out an intervention on a running model (at the current time)."""
    m.log("intervention", it.kind, 0)
    if isinstance(it, AddStock):
        point = m.logistics.point_by_name[it.point]
        qty = np.array([it.items.get(k, 0.0) for k in m.items])
        m.logistics.add_stock(point, qty)
    elif isinstance(it, AddVehicles):
        fleet = next(v for v in m.sc.vehicles if v.name == it.fleet)
        if fleet.kind == "truck":
            m.logistics.add_trucks(fleet.name, fleet.base, it.count, float(fleet.capacity_kg or 0),
                                   fleet.speed_kmh, as_float(fleet.unloading_h))
        else:
            add = {"ambulance": m.medical.add_ambulances, "helicopter": m.air.add_units}.get(
                fleet.kind, m.evac.add_buses)
            add(fleet.name, m.zone_index[fleet.base], it.count, int(fleet.capacity_persons or 0),
                fleet.speed_kmh, as_float(fleet.unloading_h))
    elif isinstance(it, OpenShelter):
        m.shelters.add(it.name, m.zone_index[it.zone], it.capacity, it.usable_area_m2, m.env.now)
        m.evac.retry_unplaced()
    elif isinstance(it, CloseRoads):
        m.net.add_closure(m.zone_index[it.zone], m.env.now, m.env.now + it.hours)
    elif isinstance(it, Branch):
        m.streams.branch(f"{it.at_h!r}#{it.branch}")
