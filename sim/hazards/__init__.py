"""Hazard models: a sampled hazard block becomes an :class:`Impact`."""

from sim.hazards.impact import Impact, ZoneImpact
from sim.hazards.typhoon import typhoon_impact
from sim.scenario.schema import Scenario

__all__ = ["Impact", "ZoneImpact", "compute_impact"]


def compute_impact(realised: Scenario) -> Impact:
    """Compute the Impact of a sampled scenario's hazard (dispatch on ``hazard.type``)."""
    h = realised.hazard
    if h.type == "typhoon":
        return typhoon_impact(h, realised.zones)
    raise ValueError(f"no model for hazard type {h.type!r}")  # pragma: no cover - schema forbids
