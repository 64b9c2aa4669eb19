"""Plan targets (clauses) as scenario data: what is promised, with its plan line.

Each kind has an evaluator in :mod:`sim.targets`. A target reads like the plan: "relief within
10 hours for 95 % of the displaced", "the county stock covers 3 townships at once", "first team
on scene within 5 minutes".
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

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
    "SuppliesInPlaceWithin",
    "Target",
    "TeamsSuffice",
    "TrappedReachedWithin",
    "WarningReachWithin",
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
    """Share of air requests within ``radius_km`` of an air base answered within ``minutes``.

    ``measure: arrival`` (default) counts a request answered when the unit is over the zone;
    ``measure: takeoff`` when the unit leaves its base for it (响应 read as the unit responding,
    not arriving). Where the plan's words allow both, a scenario states both targets so the
    readings stand side by side.
    """

    kind: Literal["air_response_within"]
    minutes: Positive
    radius_km: Positive
    share: Share = 1.0
    measure: Literal["arrival", "takeoff"] = "arrival"


class DeathsPerMillion(_TargetBase):
    """Deaths and missing per million residents at most ``max``.

    ``per: event`` (default): the event's own deaths per million residents.
    ``per: year``: the event's contribution to the annual average the plans set (年均每百万人口因
    自然灾害死亡率): its deaths per million times its annual frequency, ``1 / return_period_years``
    (the return period of an event of the scenario's class in the jurisdiction, cited in
    ``sources.return_period_years``). The whole annual budget is compared with one kind of event's
    contribution, a strict reading: the year's other disasters add to the average.
    """

    kind: Literal["deaths_per_million"]
    max: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    per: Literal["event", "year"] = "event"
    return_period_years: Positive | None = Field(
        default=None,
        description="With per: year, the mean years between events of the scenario's class.",
    )

    @model_validator(mode="after")
    def _annual_needs_return_period(self) -> DeathsPerMillion:
        if self.per == "year":
            if self.return_period_years is None:
                raise ValueError("per: year needs return_period_years")
            if not (self.sources and self.sources.get("return_period_years")):
                raise ValueError("per: year needs sources.return_period_years (its citation)")
        elif self.return_period_years is not None:
            raise ValueError("return_period_years is used only with per: year")
        return self


class SuppliesInPlaceWithin(_TargetBase):
    """The first day's basic supplies physically at the relief points ``hours`` after onset.

    For each relief point (a shelter, or a zone's distribution point for dispersed families),
    the people who arrived there needing their first relief by ``hours`` after onset need one
    day's ration and their one-off items of every basic need. The point has in place what it
    received by then (its prepositioned stock and every delivery, less the later days' rations
    it issued): the people whose first day that covers, at most those who arrived. The value is
    the covered people over the arrived people, summed over the points (not applicable when
    nobody had arrived at any point).
    Unlike ``relief_within`` it does not wait for shelters to open or desks to register people:
    it measures the stock system (001_fuzhou_plan.txt#L474, 000_jinjiang_plan.txt#L375: 按照10
    小时救灾物资到位目标). Points count only the people who reached them: with ``dispersed_relief:
    hosts`` there are no distribution points and only the shelters are measured.
    """

    kind: Literal["supplies_in_place_within"]
    hours: Positive
    share: Share = 1.0


class TeamsSuffice(_TargetBase):
    """Whether the named teams suffice for the rescue work: the trapped they reach in time.

    It asks whether the grassroots teams a plan builds suffice for the rescue work of its
    disasters (002_shicheng_plan.txt#L141: township teams of 30 and village teams of 10, so
    that a disaster is handled 第一时间). The value is the share of the trapped people left to
    them whom a team of one of ``team_kinds`` starts to extract within ``hours`` of their
    entrapment; the people another kind of team (the county's brigades) reached within
    ``hours`` are left out of both counts, so the county's help neither credits nor blames the
    named teams. Anybody reached late, by any team, or never, counts against them. Not
    applicable when nobody was trapped. Evacuation is not team work in the model (people move
    on foot, by their own means or by bus), so only the rescue work is measured.
    """

    kind: Literal["teams_suffice"]
    hours: Positive
    share: Share
    team_kinds: list[TeamKind] = Field(min_length=1)


class WarningReachWithin(_TargetBase):
    """Share of residents the warning reaches within ``hours`` of its issue, or before onset.

    A plan's warning-reach promise (预警信息公众覆盖率, 应急广播主动发布终端人口覆盖率) measured
    on the warning chain and its channels: the residents of ``zones`` (default all) reached by
    any working channel, or with ``channel_kind`` by a channel of that kind (a broadcast
    terminal coverage is the broadcast channel's own reach), within ``hours`` of the warning's
    issue, or (``by: onset``) before the hazard reaches their zone. Give exactly one of
    ``hours`` and ``by``.
    """

    kind: Literal["warning_reach_within"]
    share: Share
    hours: Positive | None = None
    by: Literal["onset"] | None = None
    zones: list[Name] | None = Field(default=None, description="Zones measured (default: all).")
    channel_kind: Literal["broadcast", "cell_broadcast", "loudspeaker", "door_to_door"] | None = \
        Field(default=None, description="Count only channels of this kind (default: any).")

    @model_validator(mode="after")
    def _hours_or_by(self) -> WarningReachWithin:
        if (self.hours is None) == (self.by is None):
            raise ValueError("give exactly one of `hours` and `by`")
        return self


Target = Annotated[
    ReliefWithin | EvacuatedBeforeOnset | ShelterAreaPerPerson | StockCovers
    | StockCoversTownships | FirstOnSceneWithin | TrappedReachedWithin | AirResponseWithin
    | DeathsPerMillion | SuppliesInPlaceWithin | TeamsSuffice | WarningReachWithin,
    Field(discriminator="kind"),
]
