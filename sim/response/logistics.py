"""Relief logistics: stock points, orders, and trucks that carry supplies to shelters.

A shelter's shortfall is allocated to stock points in order of travel time (nearest stock with
inventory first); what no point can supply waits as a back order until stock arrives. Idle
trucks take the oldest open order, the nearest truck first; a truck loads at the stock point
(mixed loads in proportion to the order, up to its mass capacity), drives to the shelter over
the road network (waiting out road closures), unloads, and takes the next order or goes home.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from sim.response.quantities import above, plus, total, weight
from sim.response.vehicles import IdleIndex, Vehicle, drive, go_home
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model
    from sim.response.shelters import ShelterState

__all__ = ["Logistics", "PointState", "Truck"]

EPS = 1e-9
T = TypeVar("T")
TIER_ORDER = {"village": 0, "township": 1, "county": 2, "city": 3}
"""Order of the tiers for ``dispatch: tiered`` (the lowest tier serves first)."""


@dataclass(eq=False)
class PointState:
    """The live state of one stock point."""

    idx: int
    name: str
    zone: int
    tier: str
    on_hand: np.ndarray
    """Physically present (falls when a truck loads)."""
    available: np.ndarray
    """Not yet promised to an order (falls when an order is allocated); a view of its row of
    ``Logistics.available``."""
    loading_h: float
    out: bool = False
    """Out of service (damaged, flooded, cut off by the hazard): nothing leaves it."""
    arrivals: list[tuple[float, np.ndarray, int]] = field(default_factory=list)
    """Stock that arrived, ``(hour, quantities, records taken before)`` (recording only)."""
    issues: list[tuple[float, np.ndarray, int]] = field(default_factory=list)
    """Truckloads that left, ``(hour, quantities, records taken before)`` (recording only)."""
    lost: list[tuple[float, np.ndarray, int]] = field(default_factory=list)
    """Stock destroyed (``stock_point_lost``), ``(hour, quantities, records taken before)``."""


@dataclass(eq=False)
class Truck(Vehicle):
    """One truck, based at a stock point."""

    capacity_kg: float = 0.0


class Logistics:
    """Stock points, trucks and the open orders of a run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        items = model.items
        self.kg = np.array([sc.items[k].kg_per_unit for k in items])
        self._kg: list[float] = self.kg.tolist()
        self.points: list[PointState] = []
        stock = np.array([[as_float(p.items.get(k, 0.0)) for k in items]
                          for p in sc.stock_points], dtype=float).reshape(-1, len(items))
        self.available = stock.copy()
        """Every point's ``available`` as one (points, items) array: ``PointState.available``
        is a view of its row, so one comparison finds the points with stock to allocate."""
        for i, p in enumerate(sc.stock_points):
            self.points.append(PointState(i, p.name, model.zone_index[p.zone], p.tier.value,
                                          stock[i].copy(), self.available[i],
                                          as_float(p.loading_h)))
        self.point_by_name = {p.name: p for p in self.points}
        self._point_zones = sorted({p.zone for p in self.points})
        self.trucks: list[Truck] = []
        self.idle: IdleIndex[Truck] = IdleIndex()
        for v in sc.vehicles:
            if v.kind == "truck":
                self.add_trucks(v.name, v.base, int(as_float(v.count)), float(v.capacity_kg or 0),
                                v.speed_kmh, as_float(v.unloading_h))
        self.orders: dict[tuple[int, int], np.ndarray] = {}
        """Allocated, not yet loaded: (point, shelter) -> quantities."""
        self.backorders: dict[int, list[float]] = {}
        """Not allocated to any point: shelter -> quantities."""
        self.first_stockout: dict[str, float] = {}
        self._order_cache: dict[tuple[int, int], list[PointState]] = {}
        self.deliveries: list[tuple[int, int, int, float, float, float]] = []
        """(truck, stock point, shelter, dispatched_h, delivered_h, kg) of every trip."""
        self.priority: tuple[frozenset[int], frozenset[int]] | None = None
        """Shelter indexes and zones served first (``set_delivery_priority``); None: none."""
        self._held: list[bool] | None = None
        """Per item, whether some point has at least EPS available (None: to be read again;
        set to None wherever ``available`` changes)."""

    def add_trucks(self, fleet: str, base: str, count: int, capacity_kg: float,
                   speed_kmh: float, unloading_h: float) -> None:
        """Add ``count`` trucks based at stock point ``base``."""
        point = self.point_by_name[base]
        for _ in range(count):
            truck = Truck(len(self.trucks), fleet, point.zone, speed_kmh, unloading_h, point.zone,
                          capacity_kg=capacity_kg)
            self.trucks.append(truck)
            self.idle.register(truck)
        if self.m.started:
            self.dispatch()

    def add_stock(self, point: PointState, qty: np.ndarray) -> None:
        """Stock arrives at ``point``; back orders are retried."""
        point.on_hand += qty
        point.available += qty
        self._held = None
        point.arrivals.append((float(self.m.env.now), np.array(qty, dtype=float),
                               len(self.m.series_t)))
        self.m.log("stock_added", point.name, round(total(qty.tolist())))
        self._retry_backorders()

    # -- orders ------------------------------------------------------------------------------
    def request(self, shelter: ShelterState, qty: np.ndarray | list[float]) -> None:
        """Allocate a shelter's shortfall (per item) to stock points, nearest first."""
        # Python floats in the loop (a few items, many points): the same arithmetic as numpy's
        # element-wise operations, without their per-call cost.
        rest = qty.tolist() if isinstance(qty, np.ndarray) else list(qty)
        # A point gives an item only if it holds at least EPS of it and at least EPS is asked
        # (take = min(a, r) < EPS otherwise): the points that can give anything asked are found
        # for all points at once (only the point being visited changes in the loop, and what is
        # asked only falls). Most requests ask for items no point holds (a shelter's shortfall
        # or a back order retried while the stock it waits for is still out): which items some
        # point holds is kept between requests, and those are not walked.
        held = self._held
        if held is None:
            held = self._held = cast(list[bool], (self.available >= EPS).any(axis=0).tolist())
        for h, r in zip(held, rest, strict=True):
            if h and r >= EPS:
                break
        else:
            self._backorder(shelter, rest)  # no point holds any item asked
            return
        self._held = None  # stock is taken below
        asked = [r >= EPS for r in rest]
        has = cast(list[bool], (self.available[:, asked] >= EPS).any(axis=1).tolist())
        for p in self._sources(shelter):
            if p.out or not has[p.idx]:
                continue
            take: list[float] = []
            gives = False
            for r, a in zip(rest, p.available.tolist(), strict=True):
                t = a if a < r else r
                if t >= EPS:
                    take.append(t)
                    gives = True
                else:
                    take.append(0.0)
            if not gives:
                continue
            took = np.array(take)
            p.available -= took
            rest = [r - t for r, t in zip(rest, take, strict=True)]
            key = (p.idx, shelter.idx)
            self.orders[key] = self.orders.get(key, 0.0) + took
            for i, (a, t) in enumerate(zip(p.available.tolist(), take, strict=True)):
                if a <= EPS and t > 0:
                    name = f"{p.name}.{self.m.items[i]}"
                    if name not in self.first_stockout:
                        self.first_stockout[name] = self.m.env.now
            if not any(r > EPS for r in rest):
                break
        self._backorder(shelter, rest)

    def _backorder(self, shelter: ShelterState, rest: list[float]) -> None:
        """What no stock point could give (``rest``, per item) waits as a back order."""
        left, some = above(rest, EPS)
        if some:
            old = self.backorders.get(shelter.idx)
            self.backorders[shelter.idx] = left if old is None else plus(old, left)
            self.m.log("backorder", shelter.name, round(total(left)))
            self.m.supply.shortage()
        self.dispatch()

    def set_out(self, point: PointState, out: bool) -> None:
        """Take a stock point out of service, or bring it back.

        Open orders on a point going out are given back and allocated elsewhere; its stock
        stays on hand, unavailable, until it is back.
        """
        if point.out == out:
            return
        point.out = out
        if out:
            # Every open order on the point is withdrawn before any is allocated again: a
            # request dispatches trucks, which would otherwise take the point's other orders.
            withdrawn = [(k, self.orders.pop(k)) for k in list(self.orders) if k[0] == point.idx]
            for key, qty in withdrawn:
                point.available += qty
                self._held = None
                self.request(self.m.shelters.by_idx(key[1]), qty)
        else:
            self._retry_backorders()

    def _sources(self, shelter: ShelterState) -> list[PointState]:
        """Stock points in dispatch order for ``shelter`` (cached until the routes change)."""
        net = self.m.net
        rows = net.row_version  # the order reads the routes from every point's zone
        key = (shelter.zone, sum(rows[z] for z in self._point_zones))
        order = self._order_cache.get(key)
        if order is None:
            tiered = self.m.sc.response.logistics.dispatch == "tiered"

            def rank(p: PointState) -> tuple[float, float, int]:
                tier = TIER_ORDER.get(p.tier, 0) if tiered else 0
                return (tier, net.rank(p.zone, shelter.zone), p.idx)

            order = self._order_cache[key] = sorted(self.points, key=rank)
        return order

    def _retry_backorders(self) -> None:
        """Allocate the back orders again (stock arrived or a point is back), in priority order.

        Most wait for items that no point holds yet: ``request`` keeps those as they are
        without walking the points.
        """
        pending, self.backorders = self.backorders, {}
        for si, qty in self._by_priority(pending.items(), lambda kv: kv[0]):
            self.request(self.m.shelters.by_idx(si), qty)

    # -- decisions during the run (sim.interventions) ---------------------------------------
    def set_dispatch_rule(self, rule: str) -> None:
        """From now on, allocate orders to stock points by ``rule`` (``nearest``, ``tiered``).

        The rule is the realised scenario's ``response.logistics.dispatch``: the model's
        scenario becomes a copy with the new rule, and the cached point orders are dropped.
        """
        sc = self.m.sc
        rules = sc.response.logistics.model_copy(update={"dispatch": rule})
        response = sc.response.model_copy(update={"logistics": rules})
        self.m.sc = sc.model_copy(update={"response": response})
        self._order_cache.clear()

    def set_priority(self, shelters: set[int], zones: set[int]) -> None:
        """Serve the shelters ``shelters`` and those of ``zones`` first from now on.

        Their open orders are given to trucks before the others', and their back orders are
        allocated first when stock arrives (otherwise oldest first, as before).
        """
        self.priority = (frozenset(shelters), frozenset(zones))
        self.dispatch()

    def lose(self, point: PointState, share: float) -> np.ndarray:
        """Destroy ``share`` of the stock of ``point`` not promised to an order or a truck.

        Stock allocated to open orders or loads on their way stays (so nothing promised is
        lost twice, and stock never falls below zero). Returns the quantities lost.
        """
        lost: np.ndarray = np.maximum(point.available, 0.0) * share
        point.on_hand -= lost
        point.available -= lost
        self._held = None
        point.lost.append((float(self.m.env.now), lost.copy(), len(self.m.series_t)))
        self.m.log("stock_lost", point.name, int(round(float(lost.sum()))))
        return lost

    def _first(self, shelter: int) -> bool:
        """Whether shelter (or distribution point) index ``shelter`` has priority."""
        if self.priority is None:
            return False
        idx, zones = self.priority
        return shelter in idx or self.m.shelters.by_idx(shelter).zone in zones

    def _by_priority(self, items: Iterable[T], shelter: Callable[[T], int]) -> list[T]:
        """Open or back orders with the priority shelters' first, oldest first within each.

        ``shelter`` gives an item's shelter index; the sort is stable.
        """
        out = list(items)
        if self.priority is not None:
            out.sort(key=lambda x: not self._first(shelter(x)))
        return out

    # -- trucks ------------------------------------------------------------------------------
    def dispatch(self) -> None:
        """Give open orders to idle trucks: oldest order first, nearest idle truck."""
        idle = self.idle
        if not self.orders or not idle:  # most calls: nothing to give, or no truck to take it
            return
        net = self.m.net
        for key in self._by_priority(self.orders, lambda k: k[1]):
            if not idle:
                return
            point = self.points[key[0]]
            truck = idle.nearest(net, point.zone)
            load = self._take_load(key, truck)
            idle.take(truck)
            self.m.env.process(self._trip(truck, point, self.m.shelters.by_idx(key[1]), load))

    def _take_load(self, key: tuple[int, int], truck: Truck) -> np.ndarray:
        """Remove one truckload (in proportion to the order) from an open order."""
        qty = self.orders[key]
        q: list[float] = qty.tolist()
        kg = self._kg
        cap = truck.capacity_kg
        # Python floats over the few items: numpy's element-wise operations, in its order.
        mass = weight(q, kg)
        if mass <= cap + EPS:
            del self.orders[key]
            return qty
        f = cap / mass
        load = [float(math.floor(a * f + EPS)) for a in q]
        if not any(load):  # a single unit heavier than the share: carry the largest item
            i = q.index(max(q))
            load[i] = min(max(1.0, float(math.floor(cap / kg[i]))), q[i])
        rest: list[float] = []
        for a, b in zip(q, load, strict=True):
            r = a - b
            rest.append(r if r >= EPS else 0.0)
        if any(rest):
            self.orders[key] = np.array(rest)
        else:
            del self.orders[key]
        return np.array(load)

    def _trip(self, truck: Truck, point: PointState, shelter: ShelterState,
              load: np.ndarray) -> Generator[Any, Any, None]:
        m = self.m
        start = m.env.now
        yield from drive(m, truck, point.zone)
        if point.out:  # it went out of service on the way: the order goes elsewhere
            point.available += load
            self._held = None
            truck.busy_h += m.env.now - start
            truck.busy = False
            self.request(shelter, load)
            if not truck.busy and truck.location != truck.home:
                yield from go_home(m, truck)
                self.dispatch()
            return
        yield m.env.timeout(point.loading_h)
        point.on_hand -= load  # loads only what was allocated, so never below zero
        point.issues.append((float(m.env.now), load.copy(), len(m.series_t)))
        dispatched = float(m.env.now)
        amounts: list[float] = load.tolist()
        m.log("dispatched", f"{point.name}>{shelter.name}", round(total(amounts)))
        yield from drive(m, truck, shelter.zone)
        yield m.env.timeout(truck.unloading_h)
        m.shelters.deliver(shelter, load)
        self.deliveries.append((truck.idx, point.idx, shelter.idx, dispatched, float(m.env.now),
                                weight(amounts, self._kg)))
        truck.trips += 1
        truck.busy_h += m.env.now - start
        truck.busy = False
        self.dispatch()
        if not truck.busy and truck.location != truck.home:
            yield from go_home(m, truck)
            self.dispatch()
