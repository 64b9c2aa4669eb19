"""Scenario models of the response operations: roads, rescue, medical care, external supply, air.

These are the plan's resources and rules beyond people, shelters and stock: the road links and
how they fail, how rescue teams are dispatched and how fast the trapped lose their chance,
how the injured are treated, what agreement suppliers and mutual aid deliver and when, and how
air units respond.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Name, Sourced
from sim.scenario.distributions import (
    UncertainFraction,
    UncertainNonNeg,
    UncertainPositive,
    capped,
)
from sim.scenario.limits import STOCK_UNITS

__all__ = [
    "AirRule",
    "MedicalRule",
    "RescueRule",
    "RoadDamage",
    "RoadLink",
    "Roads",
    "Supply",
    "OutageFragility",
    "SurvivalCurve",
    "WarningChannel",
    "WarningOutages",
    "WarningTier",
]

PosFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class WarningTier(Sourced):
    """One link of the warning chain (city -> county -> township -> village)."""

    tier: Literal["city", "county", "township", "village"]
    delay_h: UncertainNonNeg = Field(
        description="Hours for the warning to pass from the previous tier to this one."
    )


ChannelKind = Literal["broadcast", "cell_broadcast", "loudspeaker", "door_to_door"]
"""Warning channels as the plans name them: emergency broadcast terminals (应急广播主动发布终端),
cell broadcast and SMS (手机短信), loudspeakers and gongs (大喇叭、铜锣), door-to-door notice by
village teams and disaster information officers (入户通知)."""


class WarningChannel(Sourced):
    """One way the warning reaches residents once it has reached their zone's tier.

    Each channel reaches each resident independently with probability ``coverage``; a resident
    is warned by the first working channel that reaches them, so the share reached by none of
    the working channels is the product of ``1 - coverage``. A channel that needs power or the
    telecom network delivers nothing in a zone from the hour the hazard knocks that out there.
    """

    name: Name
    name_zh: str | None = None
    kind: ChannelKind
    coverage: UncertainFraction = Field(
        description="Share of a zone's residents the channel can reach (independently of others)."
    )
    delay_h: UncertainNonNeg = Field(
        default=0.0,
        description="Hours from the warning reaching the zone's tier to the channel's start.",
    )
    spread_h: UncertainPositive | None = Field(
        default=None,
        description="Hours over which the channel reaches its people (default: the rule's spread).",
    )
    needs_power: bool = Field(default=False, description="Fails where the grid is out.")
    needs_network: bool = Field(default=False, description="Fails where the mobile network is out.")


class OutageFragility(Sourced):
    """Probability that a zone loses a utility: ``Phi(ln(I / median) / beta)``.

    ``I`` is the zone's peak hazard intensity in the hazard's own unit (wind m/s in the
    scenario's averaging, water depth m, seismic intensity), as for road damage.
    """

    median: UncertainPositive = Field(description="Intensity at which half the zones lose it.")
    beta: UncertainPositive = Field(description="Log-standard deviation of the fragility.")


class WarningOutages(Sourced):
    """The hazard's power and telecom outages that silence warning channels, per zone.

    An outage acts from the hazard's arrival in the zone (``ZoneImpact.onset_h``: gale arrival
    for a typhoon, water arrival for a flood, the mainshock) to the end of the run.
    """

    power: OutageFragility | None = Field(default=None, description="Grid power (停电).")
    network: OutageFragility | None = Field(
        default=None, description="Mobile network: base stations down (通信中断)."
    )


class RoadLink(Sourced):
    """A road between two zones (both directions)."""

    a: Name
    b: Name
    km: PosFloat = Field(description="Road length, km.")
    minutes: NonNegFloat | None = Field(
        default=None, description="Travel time when known; otherwise km / vehicle speed."
    )
    kind: Literal["road", "bridge", "tunnel", "ferry"] = "road"


class RoadDamage(Sourced):
    """How links fail and are cleared.

    A link is blocked with probability ``Phi(ln(I / median) / beta)`` where ``I`` is the larger
    hazard intensity of its two end zones (in the hazard's own unit: wind m/s, depth m, MMI),
    with the median scaled by ``bridge_factor`` for bridges.
    """

    median: UncertainPositive = Field(description="Intensity blocking half the links.")
    beta: UncertainPositive = Field(description="Log-standard deviation of the fragility.")
    bridge_factor: UncertainPositive = Field(
        default=1.0, description="Multiplier of the median for bridges (below 1: more fragile)."
    )
    clear_h: UncertainPositive = Field(
        description="Median hours for one crew to clear one blocked link."
    )
    clear_sigma: UncertainNonNeg = Field(
        default=0.0, description="Log-sd of the clearing time of each link."
    )


class Roads(Sourced):
    """The road network. Without it, every pair of zones is linked directly."""

    links: list[RoadLink] = Field(min_length=1)
    damage: RoadDamage | None = None


class SurvivalCurve(Sourced):
    """Share of trapped people still alive after a time, piecewise linear between points."""

    hours: list[NonNegFloat] = Field(min_length=2)
    alive: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=2)

    @model_validator(mode="after")
    def _shape(self) -> SurvivalCurve:
        if len(self.hours) != len(self.alive):
            raise ValueError(f"{len(self.hours)} hours but {len(self.alive)} alive values")
        if self.hours[0] != 0 or any(b <= a for a, b in zip(self.hours, self.hours[1:],
                                                            strict=False)):
            raise ValueError("hours must start at 0 and increase")
        if any(b > a for a, b in zip(self.alive, self.alive[1:], strict=False)):
            raise ValueError("alive must not increase with time")
        return self


Cause = Literal["wind", "surge", "flash", "waterlogging", "river", "landslide", "shaking",
                "aftershock"]
"""A hazard mechanism that can trap people (the ``cause`` of a strike)."""


class RescueRule(Sourced):
    """How search-and-rescue teams are dispatched and how long extraction takes."""

    dispatch: Literal["nearest", "largest", "survival"] = Field(
        default="nearest",
        description=(
            "nearest: each site gets the nearest idle team (003_jincheng_plan.txt#L821); "
            "largest: the site with most people waiting first; survival: the site where a team "
            "saves most expected lives per hour first."
        ),
    )
    turnout_min: UncertainNonNeg = Field(
        description="Minutes from the call (the site appearing) to a team leaving its base."
    )
    extraction_h: UncertainPositive = Field(
        description="Median hours for a reference team to extract one trapped person."
    )
    extraction_sigma: UncertainNonNeg = Field(
        default=0.5, description="Log-sd of one extraction's duration."
    )
    reference_headcount: Annotated[int, Field(gt=0)] = Field(
        default=20, description="Team size at which extraction takes `extraction_h`."
    )
    rest_h: UncertainNonNeg = Field(
        default=8.0, description="Rest after a shift of `shift_h` (teams without shift_h work on)."
    )
    survival: SurvivalCurve
    survival_by_cause: dict[Cause, SurvivalCurve] = Field(
        default_factory=dict,
        description=(
            "Survival curves of people trapped by one mechanism (flash, river, waterlogging, "
            "surge: stranded above the water; landslide: buried), used instead of `survival` "
            "for them."
        ),
    )


class MedicalRule(Sourced):
    """Triage and care of the injured (severity 1 to 3, as Hazus)."""

    first_aid_h: UncertainNonNeg = Field(
        description="Hours of on-site first aid after which a severity-1 patient goes home."
    )
    stay_h: dict[Literal["2", "3"], UncertainPositive] = Field(
        description="Hours in a hospital bed for severity 2 and 3."
    )
    untreated_sev3_mean_h: UncertainPositive = Field(
        description=(
            "Mean of the exponential time a severity-3 patient survives without hospital care."
        )
    )
    load_h: UncertainNonNeg = Field(default=0.25, description="Hours to load or hand over.")


class Supply(Sourced):
    """Stock from outside the stockpile: an agreement supplier (协议储备) or mutual aid."""

    name: Name
    name_zh: str | None = None
    kind: Literal["agreement", "mutual_aid"]
    deliver_to: Name = Field(description="The stock point that receives the deliveries.")
    trigger: Literal["warning", "onset", "shortage"] = Field(
        description="When it is called: at the warning, at onset, or at the first back order."
    )
    lead_time_h: UncertainNonNeg = Field(description="Hours from the call to the first delivery.")
    items: dict[Name, Annotated[UncertainNonNeg, capped(STOCK_UNITS)]] = Field(
        description="Total quantity available per item."
    )
    daily_capacity: dict[Name, UncertainPositive] | None = Field(
        default=None, description="Units per day per item; without it, everything comes at once."
    )
    batches_per_day: Annotated[int, Field(gt=0, le=24)] = 2


class AirRule(Sourced):
    """Air units: how fast they launch and how far they go."""

    dispatch_min: UncertainNonNeg = Field(description="Minutes from a request to take-off.")
    range_km: PosFloat = Field(description="Largest distance flown to a request.")
    on_scene_h: UncertainNonNeg = Field(
        default=0.5, description="Hours on scene per sortie (landing, loading)."
    )
    grounded_in_gales: bool = Field(
        default=True,
        description="Air units do not fly to or from a zone while gales close its roads.",
    )
