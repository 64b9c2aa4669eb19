"""Static standards of a plan as scenario data: what the scenario's own data must satisfy.

A standard is checked from the scenario alone, without a run: "a fire station for every 7 km² of
the central city" (001_fuzhou_plan.txt#L586), "a semi-professional team of 30 or more in each
township" (002_shicheng_plan.txt#L141), "0.4 full-time firefighters per thousand residents"
(002_shicheng_plan.txt#L131). Each kind has an evaluator in :mod:`sim.standards`; the results are
shown apart from the simulated targets, because nothing in them varies from run to run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Frozen, Name, Sourced
from sim.scenario.clauses import Positive, TeamKind

__all__ = [
    "AirBases",
    "FireStationArea",
    "FirefightersPerMille",
    "ShelterAreaStandard",
    "SheltersToStandard",
    "Standard",
    "StandardClause",
    "TeamHeadcount",
    "standards_cross_check",
]

Share = Annotated[float, Field(ge=0, le=1)]
PositiveInt = Annotated[int, Field(strict=True, gt=0)]


class StandardClause(Frozen):
    """The plan's words of a standard, in Chinese (the original) and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _StandardBase(Sourced):
    id: Name
    clause: StandardClause = Field(description="The plan's own words, Chinese and English.")
    source: str = Field(min_length=1, description="The plan line or reference of the standard.")


class FireStationArea(_StandardBase):
    """At most ``max_km2`` of the ``zones``' land per fire station (protection area per station).

    The value is the zones' summed ``area_km2`` over the number of fire and rescue stations based
    in them (teams of kind ``fire_rescue``, each ``count`` a station).
    """

    kind: Literal["fire_station_area"]
    zones: list[Name] = Field(min_length=1, description="The zones the standard covers.")
    max_km2: Positive = Field(description="Largest protection area of one station, km².")


class TeamHeadcount(_StandardBase):
    """Every team of ``team_kind`` has at least ``min_headcount`` members, one in each zone.

    With ``units`` (the number of townships or villages the plan asks a team of), the teams of the
    kind together must also number at least ``units``.
    """

    kind: Literal["team_headcount"]
    team_kind: TeamKind
    min_headcount: PositiveInt
    zones: list[Name] | None = Field(
        default=None, description="Zones that must each hold such a team (default: every zone)."
    )
    units: PositiveInt | None = Field(
        default=None,
        description="Number of units (townships, villages) that must each have a team; cite it.",
    )


class FirefightersPerMille(_StandardBase):
    """Full-time firefighters (fire and rescue teams' members) per thousand residents."""

    kind: Literal["firefighters_per_mille"]
    min_per_mille: Positive
    zones: list[Name] | None = Field(default=None, description="Default: every zone.")


class SheltersToStandard(_StandardBase):
    """Share of shelters built to the standard (规范化建设率) at least ``min_share``.

    The scenario's shelters carry no per-site standard flag; the share known for the
    jurisdiction is given here as ``share`` with its provenance in ``sources.share``.
    """

    kind: Literal["shelters_to_standard"]
    min_share: Share
    share: Share = Field(description="The known share of shelters built to the standard.")


class ShelterAreaStandard(_StandardBase):
    """Every shelter's usable area per place is at least ``min_m2_per_place`` (GB 21734).

    Read statically: a shelter with an area and a stated capacity is checked as area / capacity;
    a shelter with an area only gets its capacity from area / the response's area standard, so
    it meets the standard by construction; a shelter with a capacity only cannot be checked.
    """

    kind: Literal["shelter_area_standard"]
    min_m2_per_place: Positive


class AirBases(_StandardBase):
    """At least ``min_count`` distinct bases (zones) of the scenario's helicopters."""

    kind: Literal["air_bases"]
    min_count: PositiveInt


Standard = Annotated[
    FireStationArea | TeamHeadcount | FirefightersPerMille | SheltersToStandard
    | ShelterAreaStandard | AirBases,
    Field(discriminator="kind"),
]

Loc = tuple[str | int, ...]


def standards_cross_check(
    standards: Iterable[FireStationArea | TeamHeadcount | FirefightersPerMille
                        | SheltersToStandard | ShelterAreaStandard | AirBases],
    zones: set[str],
) -> Iterator[tuple[Loc, str]]:
    """Yield ``(loc, message)`` for duplicate standard ids and unknown zones.

    Parameters
    ----------
    standards : iterable of Standard
        The scenario's ``standards`` in file order.
    zones : set of str
        The scenario's zone names.

    Yields
    ------
    tuple of (loc, str)
        The path of the offending field and what is wrong with it.
    """
    seen: set[str] = set()
    for i, st in enumerate(standards):
        if st.id in seen:
            yield ("standards", i, "id"), f"duplicate id {st.id!r}"
        seen.add(st.id)
        names = getattr(st, "zones", None) or []
        for j, z in enumerate(names):
            if z not in zones:
                yield ("standards", i, "zones", j), (
                    f"unknown zone {z!r}; expected one of {sorted(zones)}"
                )
