"""Carrying out an intervention on a running model, at its time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.interventions.kinds import (
    AddStock,
    AddVehicles,
    Branch,
    CloseRoads,
    Intervention,
    OpenShelter,
)
from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["apply_intervention"]


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
