"""Hazard blocks of a scenario, chosen by ``hazard.type``.

Only the parameters live here (inert, validated data); the physics that turns a sampled hazard into
an :class:`~sim.hazards.impact.Impact` lives in :mod:`sim.hazards`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.base import Sourced
from sim.scenario.distributions import (
    Uncertain,
    UncertainNonNeg,
    UncertainPositive,
)

__all__ = ["Hazard", "LonLat", "TyphoonDamage", "TyphoonHazard"]


class LonLat(Sourced):
    """A point in WGS84 degrees."""

    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east.")
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north.")


class TyphoonDamage(Sourced):
    """Wind damage function of Emanuel (2011), as used by CLIMADA.

    Mean damage ratio ``MDD = v^3 / (1 + v^3)`` with
    ``v = max(0, V - v_thresh) / (v_half - v_thresh)``, V the peak 1-min wind in m/s.
    """

    v_thresh_ms: UncertainNonNeg = Field(
        description="Wind below which no damage occurs, m/s (Emanuel 2011: 25.7)."
    )
    v_half_ms: UncertainPositive = Field(
        description="Wind at which half the value is lost, m/s (Eberenz et al. 2021, China: 112.8)."
    )
    displaced_per_damage: UncertainNonNeg = Field(
        description=(
            "Share of a zone's residents whose home is unusable, per unit of mean damage ratio "
            "(capped at 1)."
        )
    )


class TyphoonHazard(Sourced):
    """A landfalling typhoon with an uncertain landfall point, intensity and timing.

    The clock of a run is counted in hours from landfall (t = 0). The wind field here is a
    modified Rankine vortex around the landfall point: ``V(r) = V_max`` inside the radius of
    maximum wind and ``V_max (R_max / r)^x`` beyond it. Zones whose peak wind reaches the road
    closure threshold cannot be driven through from ``gale_before_h`` before landfall until
    ``gale_after_h`` after it.
    """

    type: Literal["typhoon"]
    landfall: LonLat = Field(description="Forecast landfall point.")
    coast_bearing_deg: float = Field(
        ge=0, lt=360, description="Bearing of the coastline along which the landfall may shift."
    )
    landfall_offset_km: Uncertain = Field(
        description="Shift of the actual landfall along the coast from the forecast, km."
    )
    max_wind_ms: UncertainPositive = Field(description="Maximum sustained wind at landfall, m/s.")
    rmw_km: UncertainPositive = Field(description="Radius of maximum wind, km.")
    decay_exponent: UncertainPositive = Field(
        description="Exponent x of the modified Rankine vortex outside the radius of maximum wind."
    )
    gale_before_h: UncertainNonNeg = Field(
        description="Hours before landfall at which gales close the roads of affected zones."
    )
    gale_after_h: UncertainNonNeg = Field(
        description="Hours after landfall at which the roads of affected zones can be used again."
    )
    road_closure_wind_ms: UncertainPositive = Field(
        description="Peak wind in a zone above which its roads close during the gale, m/s."
    )
    warning_lead_h: UncertainNonNeg = Field(
        description="Hours before landfall at which the evacuation warning is issued."
    )
    damage: TyphoonDamage


Hazard = TyphoonHazard
"""The hazard block; flood and earthquake join as a union discriminated by ``type``."""
