"""The Impact of one hazard realisation: what the hazard does to each zone, and when.

The hazard models produce per-person and per-home *probabilities* for each zone, not counts:
who is still in the zone when the hazard arrives is decided by the response model (people who
evacuated in time are not hurt), which then draws integer outcomes for the people present.

What the engine consumes
------------------------
- ``ZoneImpact.onset_h``: when the hazard reaches the zone (the first mechanism's arrival: gales,
  water, shaking). People may still leave while its roads are open, until the first harm.
- ``ZoneImpact.strikes``: each mechanism's harm at its own time (:class:`Strike`: wind near the
  zone's wind peak, surge when it arrives, water when it arrives, landslides when the rain
  crosses the threshold). Each applies to the people present and unhurt in the zone at that
  time, so people who left before a mechanism arrives are spared it. Without strikes (a caller
  that gives only the totals, an earthquake's mainshock) the totals strike at onset.
- ``ZoneImpact.roads_closed``: the zone's road closure window.
- ``Impact.episodes``: later strikes (aftershocks). Each :class:`Episode` gives, for the people
  present in ``zone`` at ``time_h`` who are still unhurt and at home or exposed, the conditional
  probabilities of being killed, injured (severity 1-3), trapped, and of losing their home, plus an
  optional extra road closure window. Probabilities already account for the damage done before.
- ``Impact.facilities_out``: shelters, hospitals and stock points the hazard puts out of service,
  from ``from_h`` until ``until_h`` (``inf``: not within the run).
- ``ZoneImpact.road_damage``: probability that a road link into the zone is blocked and waits
  for a crew (landslides); ``roads_closed`` is the zone-level window that gales, water or
  shaking close its roads for, reopening by itself; a scenario's road fragility blocks links by
  intensity (the only link damage of an earthquake). ``displacement_days``: expected days a
  displaced resident stays out of home; ``flooded_h``: how long water stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Episode", "FacilityOutage", "Impact", "Strike", "ZoneImpact"]


def _check_probabilities(what: str, home_loss: float, killed: float,
                         injured: tuple[float, float, float], trapped: float) -> None:
    total = killed + sum(injured) + trapped
    for name, p in (("home_loss", home_loss), ("casualties", total), ("killed", killed),
                    ("trapped", trapped), *((f"injured[{i}]", x) for i, x in enumerate(injured))):
        if not 0.0 <= p <= 1.0 + 1e-12 or math.isnan(p):
            raise ValueError(f"{what}: {name} probability {p} outside [0, 1]")


@dataclass(frozen=True, slots=True)
class Strike:
    """One mechanism's harm on one zone, at its own time.

    The probabilities apply to each person present in the zone at ``time_h`` who is neither
    killed, injured nor trapped yet, at home or exposed (``home_loss``: whose home was still
    usable); mechanisms act as independent risks, one after the other.
    """

    time_h: float
    cause: str
    """The mechanism: ``wind``, ``surge``, ``flash``, ``waterlogging``, ``river``,
    ``landslide``, ``shaking``."""
    home_loss: float = 0.0
    killed: float = 0.0
    injured: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trapped: float = 0.0
    road_block: float = 0.0
    """Probability that each road link into the zone is blocked (and waits for a crew)."""
    roads_from_h: float | None = None
    """When the roads this mechanism closes close (None: it closes none)."""
    arrival_h: float | None = None
    """When the mechanism reaches the zone (gales for wind; None: at ``time_h``)."""
    moved: float = 0.0
    """Probability per resident of being moved out before the strike (at ``moved_at_h``)."""
    moved_at_h: float = math.nan

    def __post_init__(self) -> None:
        _check_probabilities(f"{self.cause} strike", self.home_loss, self.killed, self.injured,
                             self.trapped)
        if not 0.0 <= self.moved <= 1.0:
            raise ValueError(f"{self.cause} strike: moved probability {self.moved} outside [0, 1]")

    @property
    def harmful(self) -> bool:
        """Whether the strike can hurt anybody or block anything."""
        return (self.killed + sum(self.injured) + self.trapped + self.home_loss
                + self.road_block) > 0.0


@dataclass(frozen=True, slots=True)
class ZoneImpact:
    """What the hazard does to one zone.

    Attributes
    ----------
    onset_h : float
        When the hazard strikes the zone, hours relative to the scenario's onset (landfall,
        mainshock, flood reference time); may be negative (gales before landfall).
    intensity : float
        Peak intensity in the zone, in the unit named by :attr:`Impact.intensity_unit`.
    home_loss : float
        Probability that a resident's home is unusable (the resident is displaced).
    killed : float
        Probability that a person present in the zone at onset is killed.
    injured : tuple of float
        Probability of injury of severity 1, 2 and 3 for a person present at onset.
    trapped : float
        Probability that a person present at onset is trapped.
    roads_closed : tuple of (float, float) or None
        Interval (start_h, end_h) during which the zone's roads cannot be used.
    peak_h : float or None
        When the intensity peaks in the zone.
    exposed_share : float
        Share of residents inside the hazard's footprint (any nonzero intensity).
    depth_m : float
        Deepest water (storm surge or flood) over the flooded part of the zone, m.
    flooded_h : float
        Hours the water stays.
    rain_mm : float
        Storm rainfall in the zone, mm.
    damage_states : tuple of float
        Shares of the zone's buildings in each damage state: none, slight, moderate, extensive,
        complete (standing), collapse (earthquakes; empty otherwise).
    displacement_days : float
        Expected days a displaced resident stays out of home.
    road_damage : float
        Probability that a road link into the zone is blocked.
    road_clear_h : float
        Hours for a crew to clear a link the hazard blocked (used when the scenario's road
        network gives no clearing time of its own).
    measures : dict of str to float
        Intensities of each mechanism (``wind_ms``, ``surge_m``, ``flash_m``, ``mmi`` ...).
    strikes : tuple of Strike
        Each mechanism's harm at its own time (empty: the totals above strike at onset). The
        totals above are the mechanisms combined as independent risks, for reports.
    """

    onset_h: float
    intensity: float
    home_loss: float
    killed: float = 0.0
    injured: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trapped: float = 0.0
    roads_closed: tuple[float, float] | None = None
    peak_h: float | None = None
    exposed_share: float = 1.0
    depth_m: float = 0.0
    flooded_h: float = 0.0
    rain_mm: float = 0.0
    damage_states: tuple[float, ...] = ()
    displacement_days: float = 0.0
    road_damage: float = 0.0
    road_clear_h: float = 0.0
    measures: dict[str, float] = field(default_factory=dict)
    strikes: tuple[Strike, ...] = ()

    def __post_init__(self) -> None:
        _check_probabilities("zone impact", self.home_loss, self.killed, self.injured,
                             self.trapped)
        for s in self.strikes:
            if s.time_h < self.onset_h:
                raise ValueError(f"{s.cause} strike at {s.time_h} h precedes the zone's onset "
                                 f"at {self.onset_h} h")

    def timeline(self) -> tuple[Strike, ...]:
        """The zone's strikes in time order (the totals at onset when it has none)."""
        if self.strikes:
            return tuple(sorted(self.strikes, key=lambda s: s.time_h))
        cause = "shaking" if self.damage_states else "hazard"
        return (Strike(time_h=self.onset_h, cause=cause, home_loss=self.home_loss,
                       killed=self.killed, injured=self.injured, trapped=self.trapped,
                       road_block=self.road_damage,
                       roads_from_h=None if self.roads_closed is None else self.roads_closed[0]),)


@dataclass(frozen=True, slots=True)
class Episode:
    """A later strike on one zone (an aftershock), with conditional outcome probabilities.

    The probabilities apply to people present in ``zone`` at ``time_h`` who are neither killed,
    injured nor trapped yet (for ``home_loss``: whose home was still usable).
    """

    time_h: float
    zone: int
    cause: str
    intensity: float
    home_loss: float
    killed: float = 0.0
    injured: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trapped: float = 0.0
    roads_closed: tuple[float, float] | None = None
    magnitude: float | None = None

    def __post_init__(self) -> None:
        _check_probabilities("episode", self.home_loss, self.killed, self.injured, self.trapped)


@dataclass(frozen=True, slots=True)
class FacilityOutage:
    """A shelter, hospital or stock point the hazard puts out of service."""

    name: str
    kind: str
    """``shelter``, ``hospital`` or ``stock_point``."""
    zone: int
    from_h: float
    until_h: float
    """``inf`` when it is not back within the run."""
    cause: str
    probability: float
    """The probability of the outage that was drawn (for reports)."""


@dataclass(frozen=True, slots=True)
class Impact:
    """The hazard's effect on every zone of a scenario (in the scenario's zone order)."""

    hazard: str
    intensity_unit: str
    zones: tuple[ZoneImpact, ...]
    details: dict[str, float] = field(default_factory=dict)
    """Realised hazard quantities worth reporting (landfall position, peak wind...)."""
    episodes: tuple[Episode, ...] = ()
    facilities_out: tuple[FacilityOutage, ...] = ()
    components: tuple[str, ...] = ()
    """Mechanisms that acted: ``wind``, ``surge``, ``rain``, ``flash``, ``waterlogging``,
    ``river``, ``landslide``, ``shaking``, ``aftershocks``."""

    def expected_outcomes(self, populations: list[int]) -> dict[str, float]:
        """Expected outcomes if everybody stayed home (no evacuation), summed over zones.

        ``exposed`` counts residents in the footprint; later episodes add their conditional
        outcomes on the people still unhurt.
        """
        out = {"exposed": 0.0, "displaced": 0.0, "killed": 0.0, "injured_1": 0.0,
               "injured_2": 0.0, "injured_3": 0.0, "trapped": 0.0}
        alive = [float(n) for n in populations]
        homes = [float(n) for n in populations]
        for z, n in zip(self.zones, populations, strict=True):
            out["exposed"] += z.exposed_share * n
        for i, z in enumerate(self.zones):
            self._add(out, alive, homes, i, z.killed, z.injured, z.trapped, z.home_loss)
        for e in self.episodes:
            self._add(out, alive, homes, e.zone, e.killed, e.injured, e.trapped, e.home_loss)
        return out

    @staticmethod
    def _add(out: dict[str, float], alive: list[float], homes: list[float], i: int,
             killed: float, injured: tuple[float, float, float], trapped: float,
             home_loss: float) -> None:
        n = alive[i]
        out["killed"] += killed * n
        out["trapped"] += trapped * n
        for s in range(3):
            out[f"injured_{s + 1}"] += injured[s] * n
        alive[i] = n * (1.0 - killed - sum(injured) - trapped)
        out["displaced"] += home_loss * homes[i]
        homes[i] *= 1.0 - home_loss
