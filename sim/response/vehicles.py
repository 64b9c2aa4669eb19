"""Vehicles and teams, and how they move over the zone network."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["TeamUnit", "Vehicle", "drive", "go_home"]


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


@dataclass(eq=False)
class TeamUnit(Vehicle):
    """One response team: a vehicle that works where it arrives.

    ``activity`` records ``(start_h, end_h, what, zone)`` intervals ("travel" has the
    destination as zone); a team is in one place at a time, so its intervals never overlap.
    """

    kind: str = ""
    headcount: int = 0
    skills: tuple[str, ...] = ()
    shift_h: float | None = None
    activity: list[tuple[float, float, str, int]] = field(default_factory=list)

    def note(self, start: float, end: float, what: str, zone: int) -> None:
        """Record an activity interval."""
        if end > start:
            self.activity.append((start, end, what, zone))


def drive(m: Model, v: Vehicle, dst: int) -> Generator[Any, Any, None]:
    """Drive ``v`` to zone ``dst`` by road.

    Waits while no open path exists (until the network changes) and does not start a trip that
    would run into a road closure of either end zone.
    """
    net = m.net
    env = m.env
    while v.location != dst:
        if not net.reachable(v.location, dst):
            yield net.changed
            continue
        hours = net.trip_hours(v.location, dst, v.speed_kmh)
        depart = net.earliest_departure(v.location, dst, env.now, hours)
        if depart > env.now:
            yield env.timeout(depart - env.now)
            continue
        start = env.now
        yield env.timeout(hours)
        if isinstance(v, TeamUnit):
            v.note(start, env.now, "travel", dst)
        v.location = dst


def go_home(m: Model, v: Vehicle) -> Generator[Any, Any, None]:
    """Drive an idle vehicle back to its base (it is busy until it arrives)."""
    v.busy = True
    start = m.env.now
    yield from drive(m, v, v.home)
    v.busy_h += m.env.now - start
    v.busy = False
