"""The scenario: every entity of a plan and its hazard, as frozen, validated data.

A scenario file is parsed into :class:`Scenario`. Models hold no behaviour beyond validation;
the run samples every uncertain quantity (:mod:`sim.scenario.sampling`) and the response model
reads the sampled copy. Cross-references (a shelter in an unknown zone, an item nobody defined,
duplicate names, a non-square travel matrix) are checked after the field validation and reported
with the path of the offending field, like any other validation error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Name, Sourced, Text
from sim.scenario.clauses import (
    ShelterAreaPerPerson,
    StockCovers,
    StockCoversTownships,
    Target,
    WarningReachWithin,
)
from sim.scenario.distributions import (
    UncertainCount,
    UncertainFraction,
    UncertainNonNeg,
    UncertainPositive,
    capped,
    support_of,
)
from sim.scenario.exposure import ZoneExposure
from sim.scenario.hazard import Hazard, hazard_cross_check
from sim.scenario.limits import (
    DESKS,
    HORIZON_H,
    PLACES,
    RECORDS,
    STOCK_UNITS,
    TEAMS,
    TOTAL_POPULATION,
    VEHICLES,
    ZONE_POPULATION,
)
from sim.scenario.operations import (
    AirRule,
    MedicalRule,
    RescueRule,
    Roads,
    Supply,
    WarningChannel,
    WarningOutages,
    WarningTier,
)
from sim.scenario.standards import Standard, standards_cross_check

__all__ = [
    "CrossReferenceError",
    "Item",
    "Need",
    "Scenario",
    "Shelter",
    "StockPoint",
    "Team",
    "Tier",
    "Vehicle",
    "Zone",
]

Loc = tuple[str | int, ...]

PositiveInt = Annotated[int, Field(strict=True, gt=0)]
NonNegInt = Annotated[int, Field(strict=True, ge=0)]
Minutes = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Stock = Annotated[UncertainNonNeg, capped(STOCK_UNITS)]
"""A quantity of an item at one place, limited (:data:`sim.scenario.limits.STOCK_UNITS`)."""
Places = Annotated[PositiveInt, capped(PLACES)]


class CrossReferenceError(Exception):
    """Raised when a scenario's parts do not fit together.

    Attributes
    ----------
    problems : list of (loc, message)
        ``loc`` is the path of the offending field, as in pydantic errors.
    """

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{_loc_str(loc)}: {msg}" for loc, msg in problems))


def _loc_str(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Tier(StrEnum):
    """Stockpile tiers of the Chinese relief-reserve system."""

    city = "city"
    county = "county"
    township = "township"
    village = "village"


class Item(Sourced):
    """A relief item and its unit."""

    unit: str = Field(description="Counting unit, e.g. 'meal', 'L', 'piece'.")
    kg_per_unit: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="Shipping mass of one unit, kg (vehicles load by mass)."
    )
    name_zh: str | None = None


class Need(Sourced):
    """What one displaced person needs of an item: a daily ration and/or a one-off issue."""

    per_day: UncertainNonNeg = Field(default=0.0, description="Units per person per day.")
    once: UncertainNonNeg = Field(default=0.0, description="Units per person, issued once.")
    basic: bool = Field(
        default=True,
        description="Part of basic relief (基本生活救助): a person is relieved when served this.",
    )

    @model_validator(mode="after")
    def _some(self) -> Need:
        if support_of(self.per_day)[1] <= 0 and support_of(self.once)[1] <= 0:
            raise ValueError("a need must have per_day > 0 or once > 0")
        return self


class Zone(Sourced):
    """A town, street (sub-district) or township."""

    name: Name
    name_zh: str | None = None
    population: Annotated[NonNegInt, capped(ZONE_POPULATION)] = Field(
        description="Resident population, persons."
    )
    households: Annotated[NonNegInt, capped(ZONE_POPULATION)] = Field(description="Households.")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    evacuation_share: UncertainFraction = Field(
        default=0.0,
        description=(
            "Share of residents whom the evacuation order targets (dangerous or low-lying houses, "
            "coastal strip)."
        ),
    )
    intra_zone_minutes: Minutes | None = Field(
        default=None, description="Travel time within the zone; default from `travel`."
    )
    warning_tier: Literal["city", "county", "township", "village"] | None = Field(
        default=None,
        description=(
            "Tier of the warning chain whose message reaches the zone's residents (a county "
            "seat hears the county; villages hear the last tier, the default)."
        ),
    )
    exposure: ZoneExposure | None = Field(
        default=None, description="Ground, coast, streams, slopes and buildings (hazard models)."
    )
    area_km2: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        default=None, description="Land area, km² (static standards); cite it in `sources`."
    )


class Shelter(Sourced):
    """A disaster shelter (避灾点 / 应急避难场所)."""

    name: Name
    name_zh: str | None = None
    zone: Name
    usable_area_m2: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    capacity: Places | None = Field(default=None, description="Stated capacity, persons.")
    opening_delay_h: UncertainNonNeg = Field(
        default=0.0,
        description="Hours from the evacuation warning until the shelter admits people.",
    )
    prepositioned: dict[Name, Stock] = Field(
        default_factory=dict, description="Relief items already stored at the shelter."
    )
    reserve: bool = Field(
        default=False,
        description="A reserve site, opened (after its opening delay) when the others are full.",
    )
    desks: Annotated[PositiveInt, capped(DESKS)] = Field(
        default=2, description="Registration desks working in parallel."
    )
    staff_team: Name | None = Field(
        default=None,
        description=(
            "Team that opens the shelter: the shelter opens its opening delay after this team "
            "arrives (teams open their shelters one after another)."
        ),
    )

    @model_validator(mode="after")
    def _size(self) -> Shelter:
        if self.usable_area_m2 is None and self.capacity is None:
            raise ValueError("a shelter needs usable_area_m2 or capacity (or both)")
        return self


class StockPoint(Sourced):
    """A relief-supply warehouse or store (physical stock)."""

    name: Name
    name_zh: str | None = None
    tier: Tier
    zone: Name
    items: dict[Name, Stock] = Field(description="Quantity of each item, in its unit.")
    loading_h: UncertainNonNeg = Field(
        default=0.5, description="Hours to load one vehicle."
    )


class Vehicle(Sourced):
    """A fleet of identical vehicles: supply trucks (based at a stock point) or evacuation buses."""

    name: Name
    kind: Literal["truck", "bus", "boat", "ambulance", "helicopter"]
    base: Name = Field(
        description="A stock point (trucks) or a zone (buses, boats, ambulances, helicopters)."
    )
    count: Annotated[UncertainCount, capped(VEHICLES)]
    capacity_kg: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    capacity_persons: PositiveInt | None = None
    speed_kmh: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 40.0
    unloading_h: UncertainNonNeg = Field(default=0.25, description="Hours to unload or board.")

    @model_validator(mode="after")
    def _capacity(self) -> Vehicle:
        if self.kind == "truck" and self.capacity_kg is None:
            raise ValueError("a truck needs capacity_kg")
        if self.kind != "truck" and self.capacity_persons is None:
            raise ValueError(f"a {self.kind} needs capacity_persons")
        return self


class Team(Sourced):
    """A response team (fire and rescue station, professional, township, village, volunteer...)."""

    name: Name
    name_zh: str | None = None
    kind: Literal[
        "fire_rescue", "professional", "township_semi_professional", "village", "volunteer",
        "medical", "air",
    ]
    base: Name = Field(description="Zone of the team's base.")
    headcount: PositiveInt
    count: Annotated[PositiveInt, capped(TEAMS)] = Field(
        default=1, description="Number of identical teams."
    )
    skills: list[str] = Field(default_factory=list)
    shift_h: Annotated[float, Field(gt=0, le=24)] | None = Field(
        default=None, description="Hours of work before a rest period."
    )
    speed_kmh: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        default=40.0, description="Road speed of the team's vehicles."
    )


class Hospital(Sourced):
    """A hospital with beds for the injured."""

    name: Name
    name_zh: str | None = None
    zone: Name
    beds: Annotated[UncertainCount, capped(PLACES)]


class Travel(Sourced):
    """How long it takes to move between zones."""

    minutes: list[list[Minutes]] | None = Field(
        default=None,
        description="Square matrix of road travel minutes; rows and columns in `zones` order.",
    )
    circuity: Annotated[float, Field(ge=1, allow_inf_nan=False)] = Field(
        default=1.3,
        description="Road distance over great-circle distance, used when `minutes` is absent.",
    )
    intra_zone_minutes: Minutes = Field(
        default=15.0, description="Travel time within a zone when the zone gives none."
    )
    variability_sigma: UncertainNonNeg = Field(
        default=0.0,
        description="Sigma of the lognormal factor (median 1) applied to each trip's time.",
    )


class WarningRule(Sourced):
    """How the evacuation warning spreads."""

    coverage: UncertainFraction | None = Field(
        default=None,
        description=(
            "Share of people the warning reaches, as one implicit channel (required without "
            "``channels``; ignored with them)."
        ),
    )
    spread_h: UncertainPositive = Field(
        description=(
            "Hours over which the reached share is reached (uniformly); the default of each "
            "channel's spread."
        )
    )
    channels: list[WarningChannel] = Field(
        default_factory=list,
        description=(
            "How the warning reaches people once at their tier (broadcast terminals, cell "
            "broadcast, loudspeakers, door-to-door); a person is warned by the first working "
            "channel that reaches them."
        ),
    )
    outages: WarningOutages | None = Field(
        default=None,
        description="Power and network fragilities that silence channels needing them.",
    )
    chain: list[WarningTier] = Field(
        default_factory=list,
        description=(
            "Tiers the warning passes down before it reaches people; their delays add up "
            "(004_wenzhou_plan.txt#L234: 24 h to counties, 12 h to townships)."
        ),
    )

    @model_validator(mode="after")
    def _channels_or_coverage(self) -> WarningRule:
        if not self.channels and self.coverage is None:
            raise ValueError("a warning rule needs `coverage` or `channels`")
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate warning channel names in {names}")
        return self


class EvacuationRule(Sourced):
    """How targeted people respond to the warning."""

    compliance: UncertainFraction = Field(description="Probability that a warned target leaves.")
    mobilisation_h: UncertainNonNeg = Field(
        description="Hours between being warned and leaving (drawn per hourly cohort)."
    )
    dispersed_share: UncertainFraction = Field(
        description="Share of people leaving home who stay with relatives (分散安置)."
    )
    transport_share: UncertainFraction = Field(
        default=0.0,
        description="Share of people going to a shelter who need an evacuation vehicle.",
    )
    own_means_speed_kmh: Annotated[float, Field(gt=0)] = Field(
        default=30.0, description="Speed of people who move by their own means."
    )
    return_after_h: UncertainNonNeg = Field(
        description="Hours after the roads reopen at which people with usable homes go home."
    )
    risk_concentration: UncertainFraction | None = Field(
        default=None,
        description=(
            "Share of the hazard's harm to a zone's residents (deaths, injuries, entrapment, lost "
            "homes) that falls on the people its evacuation order targets (the zone's "
            "evacuation_share): the order aims at dangerous houses, low-lying streets and hazard "
            "points. Without it the harm falls evenly on everyone present."
        ),
    )


class ShelterRule(Sourced):
    """How shelters admit people."""

    area_per_person_m2: Annotated[float, Field(gt=0)] = Field(
        description="Area standard for capacity from area (GB 21734: 1.5; Sphere: 3.5)."
    )
    registration_min: UncertainNonNeg = Field(
        default=0.0,
        description="Mean minutes to register one household at a desk (exponential).",
    )
    damage_factor: UncertainNonNeg | None = Field(
        default=None,
        description=(
            "Multiplies the hazard model's probability that a shelter is put out of service "
            "(its facility outages: a damaged building, a flooded ground floor); absent: as "
            "the hazard model gives it, 0: shelters never fail. Its people are moved elsewhere."
        ),
    )
    admission: Literal["stated_capacity", "area_standard"] = Field(
        default="stated_capacity",
        description=(
            "stated_capacity: admit up to `capacity` when given, else area / standard; "
            "area_standard: admit up to area / standard when the area is given."
        ),
    )
    overflow: Literal["wait", "relatives"] = Field(
        default="wait",
        description=(
            "When every shelter (reserve sites included) is full: wait, displaced, for a place "
            "to come free; or relatives: go to relatives or friends instead (投亲靠友, "
            "dispersed)."
        ),
    )


class LogisticsRule(Sourced):
    """How relief supplies are ordered and dispatched."""

    cover_days: UncertainPositive = Field(
        default=1.0, description="A shelter orders to hold this many days of needs for its people."
    )
    dispatch: Literal["nearest", "tiered"] = Field(
        default="nearest",
        description=(
            "nearest: the nearest stock point with the item; tiered: township stock first, then "
            "county, then city (each by distance)."
        ),
    )
    dispersed_relief: Literal["hosts", "delivered", "none"] = Field(
        default="hosts",
        description=(
            "hosts: relatives provide basic relief to dispersed people on arrival; delivered: "
            "their zone's distribution point (the village or community committee) orders their "
            "first day's food, water and bedding like a shelter, and once the trucks have "
            "brought them the village teams hand them out (`handout_households_per_team_h`); "
            "they are relieved when their share has been handed out, and fed daily after "
            "(last-mile distribution); none: dispersed people are never counted as relieved."
        ),
    )
    handout_households_per_team_h: UncertainPositive = Field(
        default=20.0,
        description=(
            "Households one village team (村级队伍 / 村委会) hands relief items to per hour at a "
            "distribution point (`dispersed_relief: delivered`)."
        ),
    )
    village_households: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        default=None,
        description=(
            "Households per village or community committee (村(居)委会): a zone without "
            "teams of kind `village` hands out with ceil(households / this) teams, one per "
            "committee. Absent, such a zone hands out on delivery (no village step)."
        ),
    )


class Response(Frozen):
    """The response rules of the plan."""

    warning: WarningRule
    evacuation: EvacuationRule
    shelter: ShelterRule
    logistics: LogisticsRule = LogisticsRule()
    rescue: RescueRule | None = None
    medical: MedicalRule | None = None
    air: AirRule | None = None


class TimeFrame(Sourced):
    """The simulated period, in hours relative to the hazard onset (landfall = 0).

    The run lasts at most :data:`sim.scenario.limits.HORIZON_H` and records at most
    :data:`sim.scenario.limits.RECORDS` snapshots (checked with the scenario's cross-references).
    """

    start_h: Annotated[float, Field(le=0, allow_inf_nan=False)] = -48.0
    end_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 72.0
    record_every_h: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0


class Scenario(Frozen):
    """A whole scenario file."""

    name: Name
    title: Text | None = None
    description: str | None = None
    plan: Annotated[str, Field(pattern=r"^\d{3}_[a-z]+_plan\.txt$")] | None = Field(
        default=None,
        description=(
            "The seed plan whose clauses this scenario tests (a file of scenarios/plans, e.g. "
            "004_wenzhou_plan.txt); reports credit a target to a plan line only for this plan's "
            "own clauses. None: an illustrative scenario that borrows other plans' clauses."
        ),
    )
    time: TimeFrame = TimeFrame()
    items: dict[Name, Item] = Field(min_length=1)
    needs: dict[Name, Need] = Field(min_length=1)
    zones: list[Zone] = Field(min_length=1)
    travel: Travel = Travel()
    roads: Roads | None = None
    shelters: list[Shelter] = Field(default_factory=list)
    stock_points: list[StockPoint] = Field(default_factory=list)
    vehicles: list[Vehicle] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    hospitals: list[Hospital] = Field(default_factory=list)
    supplies: list[Supply] = Field(default_factory=list)
    hazard: Hazard
    response: Response
    standards: list[Standard] = Field(
        default_factory=list, description="Static standards of the plan (sim.standards)."
    )
    targets: list[Target] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        problems = list(_cross_check(self))
        if problems:
            raise CrossReferenceError(problems)
        return self


def _duplicates(loc: str, names: Iterable[str], what: str = "name") -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            yield (loc, i, what), f"duplicate {what} {n!r}"
        seen.add(n)


def _cross_check(s: Scenario) -> Iterator[tuple[Loc, str]]:
    zones = {z.name for z in s.zones}
    points = {p.name for p in s.stock_points}
    items = set(s.items)

    for coll in ("zones", "shelters", "stock_points", "vehicles", "teams", "hospitals"):
        yield from _duplicates(coll, (e.name for e in getattr(s, coll)))
    yield from _duplicates("targets", (t.id for t in s.targets), "id")

    def zone_ref(loc: Loc, z: str) -> Iterator[tuple[Loc, str]]:
        if z not in zones:
            yield loc, f"unknown zone {z!r}; expected one of {sorted(zones)}"

    def item_refs(loc: Loc, names: Iterable[str]) -> Iterator[tuple[Loc, str]]:
        for n in names:
            if n not in items:
                yield (*loc, n), f"unknown item {n!r}; expected one of {sorted(items)}"

    yield from item_refs(("needs",), s.needs)
    for i, sh in enumerate(s.shelters):
        yield from zone_ref(("shelters", i, "zone"), sh.zone)
        yield from item_refs(("shelters", i, "prepositioned"), sh.prepositioned)
    for i, p in enumerate(s.stock_points):
        yield from zone_ref(("stock_points", i, "zone"), p.zone)
        yield from item_refs(("stock_points", i, "items"), p.items)
    for i, v in enumerate(s.vehicles):
        if v.kind == "truck" and v.base not in points:
            yield ("vehicles", i, "base"), (
                f"a truck's base must be a stock point; {v.base!r} is not one of {sorted(points)}"
            )
        elif v.kind != "truck":
            yield from zone_ref(("vehicles", i, "base"), v.base)
    for i, t in enumerate(s.teams):
        yield from zone_ref(("teams", i, "base"), t.base)
    for i, h in enumerate(s.hospitals):
        yield from zone_ref(("hospitals", i, "zone"), h.zone)
    teams = {t.name: t for t in s.teams}
    for i, sh in enumerate(s.shelters):
        if sh.staff_team is not None and sh.staff_team not in teams:
            yield ("shelters", i, "staff_team"), (
                f"unknown team {sh.staff_team!r}; expected one of {sorted(teams)}"
            )
    if s.roads is not None:
        seen_links: set[frozenset[str]] = set()
        for i, link in enumerate(s.roads.links):
            yield from zone_ref(("roads", "links", i, "a"), link.a)
            yield from zone_ref(("roads", "links", i, "b"), link.b)
            if link.a == link.b:
                yield ("roads", "links", i, "b"), "a link must join two different zones"
            key = frozenset((link.a, link.b))
            if key in seen_links:
                yield ("roads", "links", i), f"duplicate link {link.a}-{link.b}"
            seen_links.add(key)
    yield from _duplicates("supplies", (x.name for x in s.supplies))
    for i, sup in enumerate(s.supplies):
        if sup.deliver_to not in points:
            yield ("supplies", i, "deliver_to"), (
                f"unknown stock point {sup.deliver_to!r}; expected one of {sorted(points)}"
            )
        yield from item_refs(("supplies", i, "items"), sup.items)
        if sup.daily_capacity:
            yield from item_refs(("supplies", i, "daily_capacity"), sup.daily_capacity)
    for i, tg in enumerate(s.targets):
        if isinstance(tg, StockCovers | StockCoversTownships) and tg.items:
            for j, n in enumerate(tg.items):
                if n not in items:
                    yield ("targets", i, "items", j), (
                        f"unknown item {n!r}; expected one of {sorted(items)}"
                    )
                elif n not in s.needs:
                    yield ("targets", i, "items", j), f"item {n!r} has no entry in `needs`"
        if isinstance(tg, ShelterAreaPerPerson) and tg.zones:
            if tg.per != "resident":
                yield ("targets", i, "zones"), "zones are measured only with per: resident"
            for j, zname in enumerate(tg.zones):
                yield from zone_ref(("targets", i, "zones", j), zname)
        if isinstance(tg, WarningReachWithin):
            for j, zname in enumerate(tg.zones or []):
                yield from zone_ref(("targets", i, "zones", j), zname)
            kinds = {c.kind for c in s.response.warning.channels}
            if tg.channel_kind is not None and tg.channel_kind not in kinds:
                yield ("targets", i, "channel_kind"), (
                    f"no warning channel of kind {tg.channel_kind!r}; the scenario's channels "
                    f"are of kinds {sorted(kinds)}"
                )

    if not any(n.basic for n in s.needs.values()):
        yield ("needs",), "at least one need must be basic (part of basic relief)"

    m = s.travel.minutes
    if m is not None:
        if len(m) != len(s.zones):
            yield ("travel", "minutes"), (
                f"expected a {len(s.zones)}x{len(s.zones)} matrix (one row per zone), "
                f"got {len(m)} rows"
            )
        for i, row in enumerate(m):
            if len(row) != len(m):
                yield ("travel", "minutes", i), (
                    f"the matrix must be square: row {i} has {len(row)} entries, expected {len(m)}"
                )

    chain_tiers = [t.tier for t in s.response.warning.chain]
    for i, z in enumerate(s.zones):
        if z.warning_tier is not None and z.warning_tier not in chain_tiers:
            yield ("zones", i, "warning_tier"), (
                f"tier {z.warning_tier!r} is not in the warning chain {chain_tiers}")
        if z.households > z.population:
            yield ("zones", i, "households"), (
                f"more households ({z.households}) than people ({z.population})"
            )

    yield from standards_cross_check(s.standards, zones)
    yield from hazard_cross_check(s.hazard, s.zones)

    lead_hi = support_of(s.hazard.warning_lead_h)[1]
    if lead_hi > -s.time.start_h:
        yield ("hazard", "warning_lead_h"), (
            f"the warning may come {lead_hi} h before onset but the run starts at "
            f"{s.time.start_h} h; expected a lead of at most {-s.time.start_h} h (or an earlier "
            "time.start_h)"
        )
    if s.time.end_h <= 0 or not math.isfinite(s.time.end_h):
        yield ("time", "end_h"), "the run must end after the onset"
    yield from _size_check(s)


def _size_check(s: Scenario) -> Iterator[tuple[Loc, str]]:
    """Totals over a scenario that could exhaust the machine (:mod:`sim.scenario.limits`)."""
    horizon = s.time.end_h - s.time.start_h
    if horizon > HORIZON_H.value:
        yield ("time", "end_h"), (
            f"the run lasts {horizon:g} h from start_h {s.time.start_h:g} to end_h "
            f"{s.time.end_h:g}; {HORIZON_H.words()}")
    elif horizon / s.time.record_every_h > RECORDS.value:
        yield ("time", "record_every_h"), (
            f"a record every {s.time.record_every_h:g} h over {horizon:g} h makes "
            f"{horizon / s.time.record_every_h:,.0f} records; {RECORDS.words()}")

    def total(loc: str, sizes: Iterable[float], field: str, limit: Any, what: str
              ) -> Iterator[tuple[Loc, str]]:
        acc = 0.0
        for i, n in enumerate(sizes):
            acc += n
            if acc > limit.value:
                yield (loc, i, field), (
                    f"with this one the scenario's {what} may reach {acc:,.0f}; {limit.words()}")
                return

    yield from total("zones", (z.population for z in s.zones), "population", TOTAL_POPULATION,
                     "population")
    yield from total("vehicles", (support_of(v.count)[1] for v in s.vehicles), "count", VEHICLES,
                     "vehicles")
    yield from total("teams", (t.count for t in s.teams), "count", TEAMS, "teams")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of scenario files (for editors and ``sim schema``)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sim scenario"
    return schema
