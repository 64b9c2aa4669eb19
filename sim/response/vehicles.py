"""Vehicles and teams, and how they move over the zone network."""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.response.network import Network

__all__ = ["IdleIndex", "TeamUnit", "Vehicle", "WhenFree", "drive", "go_home"]

V = TypeVar("V", bound="Vehicle")


class _Busy:
    """``Vehicle.busy``: a flag that keeps the idle indexes holding the vehicle up to date.

    Only setting goes through the descriptor; the value is kept in the instance's ``__dict__``
    under the same name, where Python reads it without a call (a descriptor without
    ``__get__`` defers reads to the instance dict; dispatchers read the flag far more often
    than they set it).
    """

    def __set__(self, obj: Vehicle, value: bool) -> None:
        d = obj.__dict__
        value = bool(value)
        if d.get("busy") is value:
            return
        d["busy"] = value
        for index in d.get("indexes", ()):
            if value:
                index.remove(obj)
            else:
                index.insert(obj)


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
    """At work (or driving home); setting it updates the :class:`IdleIndex` entries (through
    :class:`_Busy`, set on the class below)."""
    busy_h: float = 0.0
    trips: int = 0
    legs: list[tuple[float, float, int, int]] = field(default_factory=list)
    """Every move between zones, ``(depart_h, arrive_h, from_zone, to_zone)`` (recording only:
    the invariant tests check it against the road closures)."""
    indexes: list[IdleIndex[Any]] = field(default_factory=list, init=False, repr=False)
    """The idle indexes the vehicle is registered in."""


Vehicle.busy = _Busy()  # type: ignore[assignment]  # after the dataclass took False as default


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


class IdleIndex(Generic[V]):
    """The idle vehicles of a collection grouped by zone, kept current as vehicles change.

    :meth:`nearest` returns the idle vehicle with the smallest ``(rank(location, zone), idx)``,
    the rule every dispatcher uses, looking at each occupied zone once instead of at each
    vehicle. A vehicle enters when it is registered idle or its ``busy`` flag falls, and leaves
    when the flag rises (:class:`_Busy`); an idle vehicle that moves is regrouped by
    :func:`drive`. Dispatchers keep one index per collection instead of scanning the fleet at
    every call.
    """

    def __init__(self, vehicles: Iterable[V] = ()) -> None:
        self.by_zone: dict[int, list[V]] = {}
        """Idle vehicles by zone, highest ``idx`` first (the lowest is last, where
        :meth:`nearest` looks and :meth:`remove` pops)."""
        self._zone: dict[int, int] = {}
        """Zone under which each idle vehicle (by ``idx``) is filed."""
        for v in vehicles:
            self.register(v)

    def register(self, v: V) -> None:
        """Add a vehicle of the collection (filed at once if idle)."""
        v.indexes.append(self)
        if not v.busy:
            self.insert(v)

    def insert(self, v: V) -> None:
        """File an idle vehicle under its location."""
        group = self.by_zone.setdefault(v.location, [])
        insort(group, v, key=lambda u: -u.idx)
        self._zone[v.idx] = v.location

    def remove(self, v: V) -> None:
        """Take a vehicle that is no longer idle out of the index."""
        zone = self._zone.pop(v.idx)
        group = self.by_zone[zone]
        if group[-1] is v:
            group.pop()
        else:
            group.remove(v)
        if not group:
            del self.by_zone[zone]

    def __bool__(self) -> bool:
        return bool(self.by_zone)

    def clear(self) -> None:
        """Forget every vehicle (a finished run: see :meth:`sim.response.model.Model.close`)."""
        self.by_zone.clear()
        self._zone.clear()

    def __len__(self) -> int:
        """Idle vehicles in the index."""
        return len(self._zone)

    def nearest(self, net: Network, zone: int) -> V:
        """The idle vehicle nearest to ``zone`` (ties: lowest ``idx``)."""
        rank = net.rank
        by = self.by_zone
        at = min(by, key=lambda z: (rank(z, zone), by[z][-1].idx))
        return by[at][-1]

    def take(self, v: V) -> None:
        """``v`` is sent: marked busy, which takes it out of the index."""
        v.busy = True


class WhenFree:
    """Orders waiting for busy teams to come free (a player's order for a team at work).

    A dispatcher runs them first whenever it dispatches (:meth:`run`), so a team that comes
    free is handed to its order before the dispatcher's own rule sees it. Empty: nothing runs.
    """

    def __init__(self) -> None:
        self.waiting: dict[int, tuple[TeamUnit, Callable[[TeamUnit], None]]] = {}

    def __bool__(self) -> bool:
        return bool(self.waiting)

    def add(self, team: TeamUnit, order: Callable[[TeamUnit], None]) -> None:
        """Call ``order(team)`` when ``team`` is next idle (replacing an earlier order)."""
        self.waiting[team.idx] = (team, order)

    def run(self) -> None:
        """Carry out the orders of the teams that are idle now."""
        for idx, (team, order) in list(self.waiting.items()):
            if not team.busy:
                del self.waiting[idx]
                order(team)


def drive(m: Model, v: Vehicle, dst: int) -> Generator[Any, Any, None]:
    """Drive ``v`` to zone ``dst`` by road.

    Waits while no open path exists (until the network changes) and does not start a trip that
    would run into a road closure of either end zone.
    """
    net = m.net
    env = m.env
    while v.location != dst:
        if not net.reachable(v.location, dst):
            yield net.until_reachable(v.location, dst)
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
        if not v.busy and v.indexes:  # an idle vehicle moved: filed under its new zone
            for index in v.indexes:
                index.remove(v)
                index.insert(v)


def go_home(m: Model, v: Vehicle) -> Generator[Any, Any, None]:
    """Drive an idle vehicle back to its base (it is busy until it arrives)."""
    v.busy = True
    start = m.env.now
    yield from drive(m, v, v.home)
    v.busy_h += m.env.now - start
    v.busy = False
