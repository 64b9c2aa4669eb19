"""What a zone exposes to hazards: ground, coast, rivers, slopes and buildings.

``Zone.exposure`` holds one :class:`ZoneExposure`. Every part is optional: a zone without a
``coast`` block is never flooded by storm surge, a zone without ``flash`` has no flash-flood
channel, a zone without ``buildings`` uses the hazard's default building class. Shares are shares
of the zone's residents (who live in the seawall-protected lowland, along the stream, on a slope,
in a building class).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Name, Sourced
from sim.scenario.distributions import (
    Uncertain,
    UncertainFraction,
    UncertainNonNeg,
    UncertainPositive,
)

__all__ = [
    "CoastExposure",
    "FlashExposure",
    "LandslideExposure",
    "RiverExposure",
    "WaterloggingExposure",
    "ZoneExposure",
]

Share = UncertainFraction


class CoastExposure(Sourced):
    """A coastal zone's low-lying land behind a seawall (storm surge)."""

    ground_m: Uncertain = Field(
        description="Ground elevation of the zone's low-lying part above mean sea level, m."
    )
    distance_km: UncertainNonNeg = Field(
        default=0.0, description="Distance of the low-lying part from the shoreline, km."
    )
    seawall_crest_m: UncertainNonNeg | None = Field(
        default=None,
        description="Crest of the seawall above mean sea level, m; no seawall when absent.",
    )
    share: Share = Field(description="Share of residents living in the low-lying part.")


class RiverExposure(Sourced):
    """A zone's floodplain along the river whose reference gauge drives the river flood."""

    ground_m: Uncertain = Field(description="Floodplain ground level in the gauge's datum, m.")
    levee_crest_m: Uncertain | None = Field(
        default=None, description="Levee crest in the gauge's datum, m; no levee when absent."
    )
    lag_h: Uncertain = Field(
        default=0.0, description="Hours by which the flood wave reaches the zone after the gauge."
    )
    share: Share = Field(description="Share of residents living on the floodplain.")


class FlashExposure(Sourced):
    """A mountain stream above or through the zone (flash flood, rational method + Manning)."""

    catchment_km2: UncertainPositive = Field(description="Catchment area above the village, km².")
    stream_length_km: UncertainPositive = Field(description="Main stream length, km.")
    slope: UncertainPositive = Field(description="Mean slope of the main stream, m/m.")
    runoff_coefficient: UncertainFraction = Field(
        description="Rational-method runoff coefficient C of the catchment."
    )
    channel_width_m: UncertainPositive = Field(description="Width of the channel and its banks, m.")
    bankfull_depth_m: UncertainNonNeg = Field(description="Depth at which the stream overtops, m.")
    manning_n: UncertainPositive = Field(description="Manning roughness of the channel.")
    share: Share = Field(description="Share of residents living in the flash-flood danger zone.")


class WaterloggingExposure(Sourced):
    """Urban waterlogging (内涝): rain that the drains cannot carry ponds in low streets."""

    curve_number: Annotated[float, Field(gt=0, le=100)] = Field(
        description="SCS curve number of the drained area (impervious ~ 98)."
    )
    drainage_mm_h: UncertainNonNeg = Field(
        description="Rain intensity the drainage network carries away, mm/h."
    )
    ponding_ratio: UncertainPositive = Field(
        description="Drained area over ponding (low-lying) area."
    )
    share: Share = Field(description="Share of residents living in the low-lying streets.")


class LandslideExposure(Sourced):
    """Residents at mapped landslide and debris-flow hazard points (地质灾害隐患点)."""

    share: Share = Field(description="Share of residents living at hazard points.")


class ZoneExposure(Sourced):
    """Everything of a zone the hazard models need besides its people and position."""

    elevation_m: Uncertain | None = Field(
        default=None, description="Typical ground elevation above mean sea level, m."
    )
    coast: CoastExposure | None = None
    river: RiverExposure | None = None
    flash: FlashExposure | None = None
    waterlogging: WaterloggingExposure | None = None
    landslide: LandslideExposure | None = None
    buildings: dict[Name, Share] | None = Field(
        default=None,
        description=(
            "Share of residents by building class (classes of the hazard's vulnerability "
            "block); normalised to sum to 1."
        ),
    )
    multi_family_share: Share = Field(
        default=0.5,
        description="Share of residents in multi-family buildings (Hazus displacement weights).",
    )
    kind: Literal["urban", "rural", "mixed"] = "mixed"
