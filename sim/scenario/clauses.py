"""Plan targets (clauses) as scenario data: what is promised, with its plan line.

Each kind has an evaluator in :mod:`sim.targets`. A target reads like the plan: "relief within
10 hours for 95 % of the displaced", "the county stock covers 3 townships at once", "first team
on scene within 5 minutes".
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Name, Sourced, Text

__all__ = [
    "AirResponseWithin",
    "DeathsPerMillion",
    "EvacuatedBeforeOnset",
    "FirstOnSceneWithin",
    "ReliefWithin",
    "ShelterAreaPerPerson",
    "StockCovers",
    "StockCoversTownships",
    "Target",
    "TrappedReachedWithin",
]

Share = Annotated[float, Field(gt=0, le=1)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
TeamKind = Literal["fire_rescue", "professional", "township_semi_professional", "village",
                   "volunteer", "medical", "air"]
TierName = Literal["city", "county", "township", "village"]


class _TargetBase(Sourced):
    id: Name
    clause: Text | None = Field(default=None, description="The plan's own words.")


class ReliefWithin(_TargetBase):
    """Share of people needing relief who receive basic relief within ``hours`` of onset."""

    kind: Literal["relief_within"]
    hours: Positive
    share: Share


class EvacuatedBeforeOnset(_TargetBase):
    """Share of the people the evacuation order targets who are out before the hazard strikes."""

    kind: Literal["evacuated_before_onset"]
    share: Share


class ShelterAreaPerPerson(_TargetBase):
    """Shelter area per person.

    ``per: sheltered`` (default): the smallest area per sheltered person over the shelters with a
    known area, at each one's peak occupancy (GB 21734's living-area standard).
    ``per: resident``: the usable area of the shelters in ``zones`` that the hazard left in
    service, divided by those zones' residents (a plan's 人均应急避难场所面积, e.g.
    001_fuzhou_plan.txt#L612).
    """

    kind: Literal["shelter_area_per_person"]
    min_m2: Positive
    per: Literal["sheltered", "resident"] = "sheltered"
    zones: list[Name] | None = Field(
        default=None, description="With per: resident, the zones measured (default: all)."
    )


class StockCovers(_TargetBase):
    """Physical stock of the chosen tiers covers ``people`` for ``days`` of every need."""

    kind: Literal["stock_covers"]
    people: Annotated[int, Field(strict=True, gt=0)] | Literal["displaced"]
    days: Positive
    items: list[Name] | None = Field(
        default=None, description="Items that must be covered; default every basic need."
    )
    tiers: list[TierName] | None = Field(default=None, description="Default: every tier.")


class StockCoversTownships(_TargetBase):
    """The stock of the chosen tiers covers the needs of ``townships`` zones at once.

    Measured on each run's own needs: the zones with most people needing relief are taken in
    order, and the value is how many of them the stock covers together for ``days``
    (002_shicheng_plan.txt#L212: 县级储备至少满足3个乡镇应急保障需要).
    """

    kind: Literal["stock_covers_townships"]
    townships: Annotated[int, Field(strict=True, gt=0)]
    days: Positive
    tiers: list[TierName] | None = None
    items: list[Name] | None = None


class FirstOnSceneWithin(_TargetBase):
    """Share of rescue sites whose first team arrives within ``minutes`` of the site appearing."""

    kind: Literal["first_on_scene_within"]
    minutes: Positive
    share: Share = 1.0
    team_kinds: list[TeamKind] | None = Field(
        default=None, description="Count only these kinds of teams (default: any)."
    )


class TrappedReachedWithin(_TargetBase):
    """Share of trapped people a team starts to extract within ``hours`` of their entrapment."""

    kind: Literal["trapped_reached_within"]
    hours: Positive
    share: Share


class AirResponseWithin(_TargetBase):
    """Share of air requests within ``radius_km`` of an air base reached within ``minutes``."""

    kind: Literal["air_response_within"]
    minutes: Positive
    radius_km: Positive
    share: Share = 1.0


class DeathsPerMillion(_TargetBase):
    """Deaths and missing per million residents at most ``max``."""

    kind: Literal["deaths_per_million"]
    max: Annotated[float, Field(ge=0, allow_inf_nan=False)]


Target = Annotated[
    ReliefWithin | EvacuatedBeforeOnset | ShelterAreaPerPerson | StockCovers
    | StockCoversTownships | FirstOnSceneWithin | TrappedReachedWithin | AirResponseWithin
    | DeathsPerMillion,
    Field(discriminator="kind"),
]
