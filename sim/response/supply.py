"""Stock from outside the stockpile: agreement suppliers (协议储备) and mutual aid.

A supply is called at the warning, at onset, or at the first back order of the run. After its
lead time it delivers to its stock point: everything at once, or at its daily capacity in
batches until its total is exhausted. Deliveries are ordinary stock arrivals: back orders are
retried and trucks take it on.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.response.quantities import total
from sim.scenario.distributions import as_float
from sim.scenario.operations import Supply

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["ExternalSupply"]


class ExternalSupply:
    """Every agreement and mutual-aid supply of a run."""

    def __init__(self, model: Model) -> None:
        self.m = model
        self.supplies = list(model.sc.supplies)
        self.called: dict[str, float] = {}
        self.delivered: dict[str, float] = {s.name: 0.0 for s in self.supplies}
        self.first_delivery: dict[str, float] = {}
        self.delayed: dict[str, float] = {}
        """Hours still to add before each supply's next delivery (``supplier_delayed``)."""
        self._shortage_seen = False
        """Whether a back order has appeared (a run's supplies are fixed at its start)."""

    def delay(self, name: str, hours: float) -> None:
        """Supply ``name``'s next delivery comes ``hours`` later (``supplier_delayed``).

        Not yet called, or waiting for its lead time: the first delivery is later; between
        batches: the next batch, and so the later ones. Delays add up.
        """
        self.delayed[name] = self.delayed.get(name, 0.0) + hours
        self.m.log("supply_delayed", name, 0)

    def _delays(self, s: Supply) -> Generator[Any, Any, None]:
        """Wait out the delays given to ``s`` (none: no event at all)."""
        while self.delayed.get(s.name, 0.0) > 0.0:
            yield self.m.env.timeout(self.delayed.pop(s.name))

    def start(self) -> None:
        """Schedule the supplies called at the warning or at onset."""
        m = self.m
        for s in self.supplies:
            if s.trigger == "warning":
                m.env.process(m.call_at(m.warning_at, self.call, s))
            elif s.trigger == "onset":
                m.env.process(m.call_at(0.0, self.call, s))

    def shortage(self) -> None:
        """A back order appeared: call the supplies waiting for one (the first time only)."""
        if self._shortage_seen:
            return  # every supply waiting for a shortage was called then
        self._shortage_seen = True
        for s in self.supplies:
            if s.trigger == "shortage" and s.name not in self.called:
                self.call(s)

    def call(self, s: Supply) -> None:
        """Call supply ``s`` now."""
        if s.name in self.called:
            return
        m = self.m
        self.called[s.name] = float(m.env.now)
        m.log("supply_called", s.name, 0)
        m.env.process(self._deliver(s))

    def _deliver(self, s: Supply) -> Generator[Any, Any, None]:
        m = self.m
        items = m.items
        left = [as_float(s.items.get(k, 0.0)) for k in items]
        point = m.logistics.point_by_name[s.deliver_to]
        yield m.env.timeout(as_float(s.lead_time_h))
        yield from self._delays(s)
        if s.daily_capacity is None:
            batch = list(left)
            step = 0.0
        else:
            batch = [as_float(s.daily_capacity.get(k, 0.0)) / s.batches_per_day for k in items]
            step = 24.0 / s.batches_per_day
        # Python floats over the few items: numpy's element-wise operations and sums.
        while total(left) > 1e-9:
            qty = [a if a < b else b for a, b in zip(left, batch, strict=True)]
            if not any(qty):
                return  # nothing more it can deliver of what is left
            left = [a - b for a, b in zip(left, qty, strict=True)]
            self.first_delivery.setdefault(s.name, float(m.env.now))
            self.delivered[s.name] += total(qty)
            m.logistics.add_stock(point, np.array(qty))
            if total(left) > 1e-9:
                yield m.env.timeout(step)
                yield from self._delays(s)
