"""The kinds of intervention: pydantic models, one per ``kind``, and their union.

Every field of a kind is a scalar or a list of names, so that an MSEL kept as a CSV sheet can
give it in one cell (``effect_<field>``; a list as names separated by spaces or commas).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from sim.scenario.base import Frozen, Name
from sim.scenario.distributions import capped
from sim.scenario.limits import HORIZON_H, PLACES, STOCK_UNITS, TEAMS, VEHICLES

__all__ = [
    "DECISION_KINDS",
    "EVENT_KINDS",
    "AddStock",
    "AddVehicles",
    "Aftershock",
    "Branch",
    "CloseRoads",
    "CloseShelter",
    "CutLink",
    "DispatchTeam",
    "Effect",
    "ExtendEvacuation",
    "ExtraRain",
    "HospitalOut",
    "Intervention",
    "OpenShelter",
    "OrderEvacuation",
    "RaiseResponseLevel",
    "ReleaseAgreement",
    "ReopenLink",
    "RequestMutualAid",
    "SetDeliveryPriority",
    "SetDispatchRule",
    "StockPointLost",
    "SupplierDelayed",
    "TeamUnavailable",
]

Hours = Annotated[float, Field(allow_inf_nan=False)]
Duration = Annotated[float, Field(gt=0, allow_inf_nan=False), capped(HORIZON_H)]
"""A positive number of hours, at most a year."""
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share or probability in [0, 1]."""


def _names(v: Any) -> Any:
    """A list of names given as one text (a CSV cell): split on spaces and commas."""
    if isinstance(v, str):
        return [x for x in re.split(r"[\s,，]+", v) if x]
    return v


Names = Annotated[list[Name], BeforeValidator(_names), Field(min_length=1, max_length=1000)]
"""One or more names (a YAML list, or one text of names separated by spaces or commas)."""


class _Base(Frozen):
    at_h: Hours = Field(description="When it happens, hours from the hazard onset.")
    note: str | None = Field(default=None, description="Why (for the exercise log).")


class AddStock(_Base):
    """Supplies arrive at a stock point."""

    kind: Literal["add_stock"]
    point: Name
    items: dict[Name, Annotated[float, Field(gt=0, allow_inf_nan=False), capped(STOCK_UNITS)]]


class AddVehicles(_Base):
    """More vehicles join a fleet."""

    kind: Literal["add_vehicles"]
    fleet: Name
    count: Annotated[int, Field(strict=True, gt=0), capped(VEHICLES)]


class OpenShelter(_Base):
    """A reserve shelter opens."""

    kind: Literal["open_shelter"]
    name: Name
    zone: Name
    capacity: Annotated[int, Field(strict=True, gt=0), capped(PLACES)] | None = None
    usable_area_m2: Annotated[float, Field(gt=0)] | None = None


class CloseRoads(_Base):
    """The roads of a zone close for a while."""

    kind: Literal["close_roads"]
    zone: Name
    hours: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Branch(_Base):
    """The future takes random branch number ``branch`` from here on."""

    kind: Literal["branch"]
    branch: Annotated[int, Field(strict=True, ge=0)]


# -- events (controllers inject) ------------------------------------------------------------
class CutLink(_Base):
    """A road link of the scenario's network is cut (a bridge down, a landslide on the road).

    The link is named by its two zones, as in the scenario's ``roads.links`` (either order;
    every link between them is cut). Road crews do not clear it; it reopens after ``hours``,
    or with a ``reopen_link``, or never.
    """

    kind: Literal["cut_link"]
    a: Name
    b: Name
    hours: Duration | None = None


class ReopenLink(_Base):
    """A cut or blocked road link between two zones is open again (a landslide cleared)."""

    kind: Literal["reopen_link"]
    a: Name
    b: Name


class CloseShelter(_Base):
    """A shelter is closed or flooded: nobody new is admitted and its people move on.

    Its people are sent to the nearest shelter with room (the model's re-placement path); its
    stock is lost. It reopens, empty, after ``hours`` (never without).
    """

    kind: Literal["close_shelter"]
    shelter: Name
    hours: Duration | None = None


class HospitalOut(_Base):
    """A hospital loses power or service: it admits nobody new (for ``hours``, or for good)."""

    kind: Literal["hospital_out"]
    hospital: Name
    hours: Duration | None = None


class StockPointLost(_Base):
    """A stock point is out of service (flooded, cut off): nothing leaves it.

    Its open orders go to other points. ``share_lost`` of its stock not yet promised to a
    truck on its way is destroyed. It is back after ``hours`` (never without).
    """

    kind: Literal["stock_point_lost"]
    point: Name
    share_lost: Share = 0.0
    hours: Duration | None = None


class _Harm(_Base):
    """A new strike of harm on a zone (see :class:`Aftershock`, :class:`ExtraRain`).

    With ``sized_by: share`` (the default) the numbers are probabilities for each person
    present in the zone and unhurt (at home, warned, or exposed): killed, injured at severity
    1-3 (Hazus), trapped, and home lost (for those not hurt). With ``sized_by: count`` they are
    expected numbers of people, turned into those probabilities over the people present at
    that moment (capped at them). ``road_block`` is the probability that each road link into
    the zone is blocked (crews clear it).
    """

    zone: Name
    sized_by: Literal["share", "count"] = "share"
    killed: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    injured_1: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    injured_2: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    injured_3: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    trapped: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    homes_lost: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(PLACES)] = 0.0
    road_block: Share = 0.0

    @model_validator(mode="after")
    def _sized(self) -> _Harm:
        harm = (self.killed, self.injured_1, self.injured_2, self.injured_3, self.trapped)
        if self.sized_by == "share":
            if any(x > 1 for x in (*harm, self.homes_lost)):
                raise ValueError("with sized_by: share, each number is a share in [0, 1]")
            if sum(harm) > 1 + 1e-9:
                raise ValueError(f"the shares killed, injured_1-3 and trapped sum to "
                                 f"{sum(harm):g}, above 1")
        elif any(not float(x).is_integer() for x in (*harm, self.homes_lost)):
            raise ValueError("with sized_by: count, each number is a whole number of people")
        if not any((*harm, self.homes_lost, self.road_block)):
            raise ValueError("give at least one of killed, injured_1, injured_2, injured_3, "
                             "trapped, homes_lost or road_block")
        return self


class Aftershock(_Harm):
    """An aftershock strikes a zone (the earthquake model's later-strike path).

    ``intensity`` (MMI) also draws road damage from the scenario's road fragility, as the
    hazard's own aftershocks do; ``roads_closed_h`` closes the zone's roads for that long.
    """

    kind: Literal["aftershock"]
    intensity: Annotated[float, Field(ge=0, le=12, allow_inf_nan=False)] = 0.0
    roads_closed_h: Duration | None = None


class ExtraRain(_Harm):
    """More rain than forecast strikes a zone: a flash flood, waterlogging, a landslide.

    Goes through the hazard's harm path as a mechanism of its own (:meth:`Model.harm`'s
    outcomes, drawn alike for everyone present: no risk concentration, so the given shares or
    counts are what the zone suffers on average); the trapped wait for rescue on the
    mechanism's survival curve, the homeless look for a place as the hazard's do.
    """

    kind: Literal["extra_rain"]
    mechanism: Literal["flash", "waterlogging", "river", "landslide"] = "flash"


class SupplierDelayed(_Base):
    """An agreement or mutual-aid supply's next delivery comes ``hours`` later.

    Not yet called: its lead time grows by ``hours``. Delivering in batches: the next batch,
    and so every later one, is ``hours`` later.
    """

    kind: Literal["supplier_delayed"]
    supplier: Name
    hours: Duration


class TeamUnavailable(_Base):
    """Teams of a fleet are unavailable for ``hours`` (injured, exhausted, called away).

    Up to ``count`` of its teams: the idle ones now, then teams at work (rescue or road
    clearing) when they finish their task, until the same end.
    """

    kind: Literal["team_unavailable"]
    fleet: Name
    count: Annotated[int, Field(strict=True, gt=0), capped(TEAMS)]
    hours: Duration


# -- decisions (players take) ----------------------------------------------------------------
class DispatchTeam(_Base):
    """Send up to ``count`` teams of a fleet to a zone, for ``task``.

    ``rescue``: they work the zone's rescue site with people waiting, else they go there and
    wait, idle, for the dispatcher (pre-positioned); ``roads``: they clear the nearest blocked
    link into the zone, else likewise. Idle teams go now; teams at work (if the fleet has too
    few idle) go when they finish their task. Without ``task``, the fleet's skill decides
    (rescue first).
    """

    kind: Literal["dispatch_team"]
    fleet: Name
    zone: Name
    count: Annotated[int, Field(strict=True, gt=0), capped(TEAMS)] = 1
    task: Literal["rescue", "roads"] | None = None


class ReleaseAgreement(_Base):
    """Call an agreement (or mutual-aid) supply now, whatever its trigger."""

    kind: Literal["release_agreement"]
    supply: Name


class RequestMutualAid(_Base):
    """Vehicles and/or stock from outside arrive ``lead_h`` hours later.

    ``fleet`` and ``count``: vehicles joining that fleet at its base; ``point`` and
    ``items``: supplies delivered to that stock point.
    """

    kind: Literal["request_mutual_aid"]
    lead_h: Annotated[float, Field(ge=0, allow_inf_nan=False), capped(HORIZON_H)]
    fleet: Name | None = None
    count: Annotated[int, Field(strict=True, gt=0), capped(VEHICLES)] | None = None
    point: Name | None = None
    items: dict[Name, Annotated[float, Field(gt=0, allow_inf_nan=False),
                                capped(STOCK_UNITS)]] | None = None

    @model_validator(mode="after")
    def _something(self) -> RequestMutualAid:
        if (self.fleet is None) != (self.count is None):
            raise ValueError("give fleet and count together")
        if (self.point is None) != (self.items is None):
            raise ValueError("give point and items together")
        if self.fleet is None and self.point is None:
            raise ValueError("give vehicles (fleet, count), stock (point, items), or both")
        return self


class OrderEvacuation(_Base):
    """Order the evacuation of zones: at least ``share`` of their residents are to leave.

    Raises each zone's evacuation share to ``share`` (a lower one is kept). The people at home
    or warned whom the widened order now covers hear it at once; those who comply (the
    scenario's compliance) leave after the mobilisation delay, unless the hazard has struck
    or the roads are closed by then. Later warnings use the new share.
    """

    kind: Literal["order_evacuation"]
    zones: Names
    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class ExtendEvacuation(_Base):
    """Widen the evacuation of zones by ``by`` (a share of residents, added to each zone's)."""

    kind: Literal["extend_evacuation"]
    zones: Names
    by: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


_LEVELS = {"I": 1, "II": 2, "III": 3, "IV": 4, "一级": 1, "二级": 2, "三级": 3, "四级": 4,
           "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}


def _level(v: Any) -> Any:
    if isinstance(v, str):
        t = v.strip().removeprefix("level").strip()
        if t.upper() in _LEVELS or t in _LEVELS:
            return _LEVELS.get(t.upper(), _LEVELS.get(t))
        if t.isdigit():
            return int(t)
    return v


class RaiseResponseLevel(_Base):
    """The response level (I highest to IV, 一级-四级) is raised.

    Give ``level`` as 1-4, ``I``-``IV`` or ``一级``-``四级``. The scenarios give the levels no
    rules, so the effect is this project's assumption (the national relief plan ties the
    levels to the scale of a disaster, not to resources): from level III (三级) every agreement
    supply (协议储备) not yet called is called now, and from level II (二级) every mutual-aid
    supply too; level IV changes nothing in the model. A level not above the current one
    changes nothing.
    """

    kind: Literal["raise_response_level"]
    level: Annotated[int, BeforeValidator(_level), Field(strict=True, ge=1, le=4)]


class SetDispatchRule(_Base):
    """From now on, shelters' orders go to stock points by ``rule``.

    ``nearest``: the nearest point with stock; ``tiered``: the lowest tier first (village,
    township, county, city), nearest within a tier.
    """

    kind: Literal["set_dispatch_rule"]
    rule: Literal["nearest", "tiered"]


class SetDeliveryPriority(_Base):
    """From now on, trucks serve these shelters, or the shelters of these zones, first.

    Their open orders (and their back orders, when stock arrives) go before the others'; the
    others keep their order. An empty priority is not allowed; a new one replaces the old.
    """

    kind: Literal["set_delivery_priority"]
    shelters: Annotated[list[Name], BeforeValidator(_names), Field(max_length=1000)] = []
    zones: Annotated[list[Name], BeforeValidator(_names), Field(max_length=1000)] = []

    @model_validator(mode="after")
    def _some(self) -> SetDeliveryPriority:
        if not self.shelters and not self.zones:
            raise ValueError("give shelters, zones, or both")
        return self


Effect = Annotated[
    AddStock | AddVehicles | OpenShelter | CloseRoads | CutLink | ReopenLink | CloseShelter
    | HospitalOut | StockPointLost | Aftershock | ExtraRain | SupplierDelayed | TeamUnavailable
    | DispatchTeam | ReleaseAgreement | RequestMutualAid | OrderEvacuation | ExtendEvacuation
    | RaiseResponseLevel | SetDispatchRule | SetDeliveryPriority,
    Field(discriminator="kind"),
]
"""Every kind but ``branch``: what an MSEL inject or a player's decision can do."""

Intervention = Annotated[
    AddStock | AddVehicles | OpenShelter | CloseRoads | CutLink | ReopenLink | CloseShelter
    | HospitalOut | StockPointLost | Aftershock | ExtraRain | SupplierDelayed | TeamUnavailable
    | DispatchTeam | ReleaseAgreement | RequestMutualAid | OrderEvacuation | ExtendEvacuation
    | RaiseResponseLevel | SetDispatchRule | SetDeliveryPriority | Branch,
    Field(discriminator="kind"),
]
"""Any intervention (the discriminated union on ``kind``)."""



DECISION_KINDS: frozenset[str] = frozenset({
    "open_shelter", "dispatch_team", "release_agreement", "request_mutual_aid",
    "order_evacuation", "extend_evacuation", "raise_response_level", "set_dispatch_rule",
    "set_delivery_priority",
})
"""Kinds the players choose (decisions); the others, but ``branch``, are events."""

EVENT_KINDS: frozenset[str] = frozenset({
    "add_stock", "add_vehicles", "close_roads", "cut_link", "reopen_link", "close_shelter",
    "hospital_out", "stock_point_lost", "aftershock", "extra_rain", "supplier_delayed",
    "team_unavailable",
})
"""Kinds the controllers inject (events). ``branch`` is neither: it forks the random future."""
