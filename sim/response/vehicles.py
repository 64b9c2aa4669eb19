"""Vehicles and how they drive over the zone network."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["Vehicle", "drive"]


@dataclass(eq=False)
class Vehicle:
    """One vehicle: where it is and how much it has worked."""

    idx: int
    fleet: str
    home: int
    """Zone of its base."""
    speed_kmh: float
    unloading_h: float
    location: int
    busy: bool = False
    busy_h: float = 0.0
    trips: int = 0


def drive(m: Model, v: Vehicle, dst: int) -> Generator[Any, Any, None]:
    """Drive ``v`` to zone ``dst``, waiting until no road closure lies on the trip."""
    if v.location == dst:
        return
    hours = m.net.trip_hours(v.location, dst, v.speed_kmh)
    depart = m.net.earliest_departure(v.location, dst, m.env.now, hours)
    if depart > m.env.now:
        yield m.env.timeout(depart - m.env.now)
    yield m.env.timeout(hours)
    v.location = dst


def go_home(m: Model, v: Vehicle) -> Generator[Any, Any, None]:
    """Drive an idle vehicle back to its base (it is busy until it arrives)."""
    v.busy = True
    start = m.env.now
    yield from drive(m, v, v.home)
    v.busy_h += m.env.now - start
    v.busy = False
