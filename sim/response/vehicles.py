"""Vehicles and teams, and how they move over the zone network."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.response.network import Network

__all__ = ["IdlePool", "TeamUnit", "Vehicle", "drive", "go_home"]

V = TypeVar("V", bound="Vehicle")


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
    legs: list[tuple[float, float, int, int]] = field(default_factory=list)
    """Every move between zones, ``(depart_h, arrive_h, from_zone, to_zone)`` (recording only:
    the invariant tests check it against the road closures)."""


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


class IdlePool(Generic[V]):
    """The idle vehicles of a fleet grouped by zone, for the picks of one dispatch round.

    :meth:`nearest` returns the idle vehicle with the smallest ``(rank(location, zone), idx)``,
    the rule every dispatcher uses, looking at each occupied zone once instead of at each
    vehicle. Build the pool at the start of a round (vehicles in ``idx`` order) and
    :meth:`take` every vehicle sent; nothing else may change who is idle during the round.
    """

    def __init__(self, vehicles: Iterable[V]) -> None:
        self.by_zone: dict[int, list[V]] = {}
        for v in vehicles:
            if not v.busy:
                self.by_zone.setdefault(v.location, []).append(v)
        for group in self.by_zone.values():
            group.reverse()  # lowest idx last, where nearest() looks and take() pops

    def __bool__(self) -> bool:
        return bool(self.by_zone)

    def nearest(self, net: Network, zone: int) -> V:
        """The idle vehicle nearest to ``zone`` (ties: lowest ``idx``)."""
        rank = net.rank
        by = self.by_zone
        at = min(by, key=lambda z: (rank(z, zone), by[z][-1].idx))
        return by[at][-1]

    def take(self, v: V) -> None:
        """``v`` (the last :meth:`nearest`) leaves the pool and is marked busy."""
        group = self.by_zone[v.location]
        if group[-1] is v:
            group.pop()
        else:
            group.remove(v)
        if not group:
            del self.by_zone[v.location]
        v.busy = True


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
        v.legs.append((float(start), float(env.now), v.location, dst))
        v.location = dst


def go_home(m: Model, v: Vehicle) -> Generator[Any, Any, None]:
    """Drive an idle vehicle back to its base (it is busy until it arrives)."""
    v.busy = True
    start = m.env.now
    yield from drive(m, v, v.home)
    v.busy_h += m.env.now - start
    v.busy = False
