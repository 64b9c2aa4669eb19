"""Hazard models: a sampled hazard block becomes an :class:`Impact`."""

from sim.hazards.earthquake import quake_impact
from sim.hazards.flood import flood_impact
from sim.hazards.impact import Episode, FacilityOutage, Impact, ZoneImpact
from sim.hazards.typhoon import typhoon_impact
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = ["Episode", "FacilityOutage", "Impact", "ZoneImpact", "compute_impact"]


def compute_impact(realised: Scenario, streams: Streams | None = None) -> Impact:
    """Compute the Impact of a sampled scenario's hazard (dispatch on ``hazard.type``).

    Parameters
    ----------
    realised : Scenario
        The scenario with every uncertain input sampled.
    streams : Streams, optional
        The run's streams; the hazard model's own draws (aftershocks, facility outages) use the
        ``hazard_model`` stream. Without them the draws are seeded from the sampled inputs (see
        :func:`sim.hazards.common.hazard_rng`).
    """
    h = realised.hazard
    if h.type == "typhoon":
        return typhoon_impact(realised, streams)
    if h.type == "flood":
        return flood_impact(realised, streams)
    if h.type == "earthquake":
        return quake_impact(realised, streams)
    raise ValueError(f"no model for hazard type {h.type!r}")  # pragma: no cover - schema forbids
