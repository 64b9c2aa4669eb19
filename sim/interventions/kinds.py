"""The kinds of intervention: pydantic models, one per ``kind``, and their union."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Frozen, Name
from sim.scenario.distributions import capped
from sim.scenario.limits import PLACES, STOCK_UNITS, VEHICLES

__all__ = [
    "DECISION_KINDS",
    "EVENT_KINDS",
    "AddStock",
    "AddVehicles",
    "Branch",
    "CloseRoads",
    "Intervention",
    "OpenShelter",
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



DECISION_KINDS: frozenset[str] = frozenset({
    "open_shelter", "dispatch_team", "release_agreement", "request_mutual_aid",
    "order_evacuation", "extend_evacuation", "raise_response_level", "set_dispatch_rule",
    "set_delivery_priority",
})
"""Kinds the players choose (decisions); the others, but ``branch``, are events."""

EVENT_KINDS: frozenset[str] = frozenset({
    "add_stock", "add_vehicles", "close_roads", "cut_link", "reopen_link", "close_shelter",
    "hospital_out", "stock_point_lost", "aftershock", "extra_rain", "supplier_delayed",
    "team_unavailable",
})
"""Kinds the controllers inject (events). ``branch`` is neither: it forks the random future."""
