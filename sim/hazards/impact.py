"""The Impact of one hazard realisation: what the hazard does to each zone, and when.

The hazard models produce per-person and per-home *probabilities* for each zone, not counts:
who is still in the zone when the hazard arrives is decided by the response model (people who
evacuated in time are not hurt), which then draws integer outcomes for the people present.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Impact", "ZoneImpact"]


@dataclass(frozen=True, slots=True)
class ZoneImpact:
    """What the hazard does to one zone.

    Attributes
    ----------
    onset_h : float
        When the hazard strikes the zone, hours relative to the scenario's onset (landfall).
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
    """

    onset_h: float
    intensity: float
    home_loss: float
    killed: float = 0.0
    injured: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trapped: float = 0.0
    roads_closed: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        total = self.killed + sum(self.injured) + self.trapped
        for name, p in (("home_loss", self.home_loss), ("casualties", total)):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} probability {p} outside [0, 1]")


@dataclass(frozen=True, slots=True)
class Impact:
    """The hazard's effect on every zone of a scenario (in the scenario's zone order)."""

    hazard: str
    intensity_unit: str
    zones: tuple[ZoneImpact, ...]
    details: dict[str, float] = field(default_factory=dict)
    """Realised hazard quantities worth reporting (landfall position, peak wind...)."""

    def expected_home_loss(self, populations: list[int]) -> float:
        """Expected number of residents whose home is unusable."""
        return sum(z.home_loss * n for z, n in zip(self.zones, populations, strict=True))
