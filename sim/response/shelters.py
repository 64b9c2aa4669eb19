"""Shelters: allocation to the nearest shelter with room, admission, relief and daily rations.

A person is *relieved* (基本生活救助) when they are admitted to an open shelter that holds their
first day's ration and their one-off items (bedding) for every *basic* need. Relieved people then
draw a daily ration every 24 hours; a ration that cannot be served is late, and the delay is
counted in person-hours. Each shelter keeps stock to cover its assigned people for
``logistics.cover_days`` and orders the shortfall from the logistics system.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.response.cohorts import Cohort
from sim.response.ledger import State
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["ShelterState", "Shelters"]

EPS = 1e-9


@dataclass(eq=False)
class ShelterState:
    """The live state of one shelter during a run."""

    idx: int
    name: str
    zone: int
    capacity: int
    area_m2: float | None
    opens_at: float
    inventory: np.ndarray
    on_order: np.ndarray
    assigned: int = 0
    """People allocated to the shelter: on their way or present."""
    present: int = 0
    """People admitted (in the ledger as sheltered)."""
    peak: int = 0
    waiting: list[Cohort] = field(default_factory=list)
    relieved: list[Cohort] = field(default_factory=list)
    hungry: list[Cohort] = field(default_factory=list)

    @property
    def room(self) -> int:
        """Places not yet allocated."""
        return self.capacity - self.assigned

    @property
    def relieved_present(self) -> int:
        """People present who have had their first issue."""
        return sum(c.n for c in self.relieved)


class Shelters:
    """Every shelter of a run and the rules that fill and supply them."""

    def __init__(self, model: Model) -> None:
        self.m = model
        sc = model.sc
        rule = sc.response.shelter
        zone_of = model.zone_index
        items = model.items
        self.per_day = model.per_day
        self.once = model.once
        self.first = self.per_day + self.once
        self.basic = model.basic
        self.cover_days = as_float(sc.response.logistics.cover_days)
        self.list: list[ShelterState] = []
        for i, s in enumerate(sc.shelters):
            self.list.append(self._new_state(
                i, s.name, zone_of[s.zone], s.capacity, s.usable_area_m2,
                model.warning_at + as_float(s.opening_delay_h),
                np.array([as_float(s.prepositioned.get(k, 0.0)) for k in items]),
                rule.admission, rule.area_per_person_m2,
            ))
        self.ration_delay_person_h = 0.0

    def _new_state(self, idx: int, name: str, zone: int, capacity: int | None,
                   area: float | None, opens_at: float, inventory: np.ndarray,
                   admission: str, area_per_person: float) -> ShelterState:
        by_area = None if area is None else int(math.floor(area / area_per_person + EPS))
        if admission == "area_standard" and by_area is not None:
            cap = by_area
        else:
            cap = capacity if capacity is not None else (by_area or 0)
        return ShelterState(idx, name, zone, cap, area, opens_at, inventory.astype(float),
                            np.zeros_like(inventory, dtype=float))

    def add(self, name: str, zone: int, capacity: int | None, area: float | None,
            opens_at: float) -> ShelterState:
        """Open a new shelter during the run (a reserve site)."""
        rule = self.m.sc.response.shelter
        s = self._new_state(len(self.list), name, zone, capacity, area, opens_at,
                            np.zeros(len(self.m.items)), rule.admission, rule.area_per_person_m2)
        self.list.append(s)
        self.m.log("shelter_added", name, s.capacity)
        return s

    # -- allocation --------------------------------------------------------------------------
    def allocate(self, zone: int, n: int) -> list[tuple[ShelterState, int]]:
        """Reserve places for ``n`` people of ``zone``: nearest shelter with room first.

        Returns the (shelter, count) parts; their counts sum to at most ``n`` (less when every
        shelter is full).
        """
        net = self.m.net
        parts: list[tuple[ShelterState, int]] = []
        left = n
        for s in sorted(self.list, key=lambda s: (net.rank(zone, s.zone), s.idx)):
            if left == 0:
                break
            k = min(left, s.room)
            if k > 0:
                s.assigned += k
                left -= k
                parts.append((s, k))
        for s, _ in parts:
            self.reorder(s)
        return parts

    def free_room(self) -> int:
        """Places not yet allocated, over all shelters."""
        return sum(max(0, s.room) for s in self.list)

    # -- arrival and admission ---------------------------------------------------------------
    def arrive(self, s: ShelterState, c: Cohort) -> None:
        """A cohort reaches shelter ``s``; it is admitted now or when the shelter opens."""
        env = self.m.env
        if env.now + EPS < s.opens_at:
            ev = env.timeout(s.opens_at - env.now)
            ev.callbacks.append(lambda _e: self._admit(s, c))
        else:
            self._admit(s, c)

    def _admit(self, s: ShelterState, c: Cohort) -> None:
        m = self.m
        m.ledger.move(m.env.now, c.home, State.evacuating, State.sheltered, c.n)
        s.present += c.n
        s.peak = max(s.peak, s.present)
        s.waiting.append(c)
        m.log("admitted", s.name, c.n)
        self.serve(s)

    # -- relief and rations -------------------------------------------------------------------
    def _servable(self, s: ShelterState, need: np.ndarray, n: int) -> int:
        """How many of ``n`` people the shelter's stock can serve ``need`` (basic items gate)."""
        k = n
        for i in np.flatnonzero(self.basic & (need > 0)):
            k = min(k, int(math.floor(s.inventory[i] / need[i] + EPS)))
        return max(k, 0)

    def _issue(self, s: ShelterState, need: np.ndarray, k: int) -> None:
        take = np.minimum(s.inventory, need * k)
        s.inventory = np.maximum(s.inventory - take, 0.0)

    def serve(self, s: ShelterState) -> None:
        """Relieve waiting cohorts, then feed late rations, as far as the stock allows."""
        m = self.m
        now = m.env.now
        while s.waiting and now + EPS >= s.opens_at:
            c = s.waiting[0]
            k = self._servable(s, self.first, c.n)
            if k == 0:
                break
            if k < c.n:
                c = c.split(k)
            else:
                s.waiting.pop(0)
            self._issue(s, self.first, c.n)
            c.relieved_at = now
            m.relief.close(c)
            s.relieved.append(c)
            m.log("relieved", s.name, c.n)
            self._schedule_ration(s, c, now + 24.0)
        while s.hungry:
            c = s.hungry[0]
            k = self._servable(s, self.per_day, c.n)
            if k == 0:
                break
            if k < c.n:
                c = c.split(k)
                s.relieved.append(c)
            else:
                s.hungry.pop(0)
            self._issue(s, self.per_day, c.n)
            self.ration_delay_person_h += c.n * (now - c.next_ration_h)
            self._schedule_ration(s, c, now + 24.0)
        self.reorder(s)

    def _schedule_ration(self, s: ShelterState, c: Cohort, at: float) -> None:
        c.next_ration_h = at
        if at >= self.m.end_h or not self.per_day.any():
            return
        ev = self.m.env.timeout(at - self.m.env.now)
        ev.callbacks.append(lambda _e: self._ration(s, c))

    def _ration(self, s: ShelterState, c: Cohort) -> None:
        if c.n == 0:
            return  # gone home
        k = self._servable(s, self.per_day, c.n)
        if k < c.n:
            late = c.split(c.n - k) if k > 0 else c
            s.hungry.append(late)
            if k > 0:
                s.relieved.append(late)
            self.m.log("ration_short", s.name, late.n)
        if k > 0:
            self._issue(s, self.per_day, k)
            self._schedule_ration(s, c, c.next_ration_h + 24.0)
        self.reorder(s)

    # -- supply ------------------------------------------------------------------------------
    def reorder(self, s: ShelterState) -> None:
        """Order what is missing to cover the assigned people for ``cover_days``."""
        pending_once = max(s.assigned - s.relieved_present, 0)
        target = s.assigned * self.per_day * self.cover_days + pending_once * self.once
        short = target - s.inventory - s.on_order
        short[short < EPS] = 0.0
        if short.any():
            s.on_order += short
            self.m.logistics.request(s, short)

    def deliver(self, s: ShelterState, qty: np.ndarray) -> None:
        """Receive a delivery."""
        s.inventory += qty
        s.on_order = np.maximum(s.on_order - qty, 0.0)
        self.m.log("delivered", s.name, int(round(float(qty.sum()))))
        self.serve(s)

    # -- departure ---------------------------------------------------------------------------
    def release(self, s: ShelterState, c: Cohort, k: int, dst: State) -> None:
        """``k`` people of cohort ``c`` leave shelter ``s`` for state ``dst``."""
        m = self.m
        if k <= 0:
            return
        m.ledger.move(m.env.now, c.home, State.sheltered, dst, k)
        s.present -= k
        s.assigned -= k
        c.n -= k
        if c.n == 0:
            for lst in (s.waiting, s.relieved, s.hungry):
                if c in lst:
                    lst.remove(c)
        m.log("left_shelter", s.name, k)

    def cohorts_from(self, s: ShelterState, zone: int) -> list[Cohort]:
        """Cohorts present in ``s`` whose home is ``zone`` (each listed once)."""
        seen: list[Cohort] = []
        for lst in (s.waiting, s.relieved, s.hungry):
            for c in lst:
                if c.home == zone and c.n > 0 and c not in seen:
                    seen.append(c)
        return seen
