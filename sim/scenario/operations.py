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
from sim.scenario.distributions import UncertainNonNeg, UncertainPositive

__all__ = [
    "AirRule",
    "MedicalRule",
    "RescueRule",
    "RoadDamage",
    "RoadLink",
    "Roads",
    "Supply",
    "SurvivalCurve",
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
    items: dict[Name, UncertainNonNeg] = Field(description="Total quantity available per item.")
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
