"""RunResult: everything one run produced, as plain arrays, with tables on demand.

The engine fills a RunResult with numpy arrays and lists; pandas is imported only by the
``*_frame`` methods that notebook users call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.response.ledger import State

if TYPE_CHECKING:
    import pandas as pd

    from sim.hazards.impact import Impact
    from sim.interventions import Intervention
    from sim.targets import TargetResult

__all__ = ["RunResult", "weighted_quantile"]

STATES = [s.name for s in State]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` repeated ``weights`` times (inverted CDF).

    Returns ``nan`` when the weights sum to zero.
    """
    total = weights.sum()
    if total <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    k = int(np.searchsorted(cum, q * total - 1e-9, side="left"))
    return float(values[order][min(k, len(order) - 1)])


@dataclass
class RunResult:
    """The outcome of one run.

    Times are hours from the hazard onset. ``people[t, z, s]`` is the number of people of zone
    ``z`` in state ``s`` at ``times[t]``; every ``people[t]`` sums to the population.
    """

    scenario: str
    seed: dict[str, Any]
    interventions: list[Intervention]
    draws: dict[str, float]
    impact: Impact
    zones: list[str]
    population: np.ndarray
    items: list[str]
    per_day: np.ndarray
    once: np.ndarray
    shelters: list[str]
    shelter_capacity: list[int]
    shelter_area_m2: list[float | None]
    shelter_peak: list[int]
    shelter_zone: list[int]
    """Zone index of each shelter."""
    points: list[str]
    point_tiers: list[str]
    times: np.ndarray
    people: np.ndarray
    shelter_occupancy: np.ndarray
    stock: np.ndarray
    events: list[tuple[float, str, str, int]]
    transitions: list[tuple[float, int, int, int, int]]
    """Every move of the ledger: (time_h, zone, from_state, to_state, count)."""
    moves_before: np.ndarray
    """Number of ``transitions`` made before each snapshot of ``people``."""
    relief_n: np.ndarray
    """People per relief record."""
    relief_t: np.ndarray
    """Hours from onset to basic relief per record (``inf``: not relieved in the run; relief
    before onset counts as 0)."""
    relief_t_need: np.ndarray
    relief_zone: np.ndarray
    """Home zone index per relief record."""
    hospitals: list[str]
    hospital_beds: list[int]
    bed_occupancy: np.ndarray
    """Occupied beds by time and hospital."""
    sites: list[dict[str, Any]]
    """Rescue sites: zone, opened_h, first_arrival_h, first_by_kind (team kind -> hour)."""
    reached: list[tuple[int, float]]
    """(people, hours from entrapment to a team starting on them)."""
    air_requests: list[tuple[float, float, float]]
    """(km from the nearest air base, hours to arrival, hours to take-off; inf if unanswered). The
    hours run from the request, or from when a flight could first leave if gales grounded the
    units."""
    deliveries: list[tuple[int, int, int, float, float, float]]
    """(truck, stock point, shelter, dispatched_h, delivered_h, kg) of every supply trip."""
    team_activity: dict[str, list[tuple[float, float, str, int]]]
    """Per team unit (``name#k``): (start_h, end_h, activity, zone) intervals."""
    metrics: dict[str, Any] = field(default_factory=dict)
    targets: list[TargetResult] = field(default_factory=list)
    reached_kind: list[str] = field(default_factory=list)
    """The kind of team that started on each ``reached`` record."""
    supply_cover: list[tuple[str, list[tuple[float, int, float]]]] = field(default_factory=list)
    """Per relief point (shelter or distribution point): (name, [(hour, people arrived needing
    first relief, people whose first day the stock received there covers), ...]) at each
    change (see :class:`sim.scenario.clauses.SuppliesInPlaceWithin`)."""
    warning_channels: list[tuple[str, str]] = field(default_factory=list)
    """(name, kind) of each warning channel; one ``implicit`` channel when the rule has none."""
    warning_issued_h: float = math.nan
    """When the warning was issued (hours from onset; ``-warning_lead_h``)."""
    warning_reach: list[tuple[float, int, int, int, int]] = field(default_factory=list)
    """Warning cohorts: (time_h, zone, channel index into ``warning_channels`` (-1: implicit),
    people newly warned, people newly reached by a channel of that kind)."""

    # -- views -------------------------------------------------------------------------------
    def final_people(self) -> dict[str, int]:
        """People by state at the end of the run."""
        return {s: int(v) for s, v in zip(STATES, self.people[-1].sum(axis=0), strict=True)}

    def relief_quantile(self, q: float) -> float:
        """Quantile of the time to basic relief over people who needed it (``inf`` if unmet)."""
        return weighted_quantile(self.relief_t, self.relief_n.astype(float), q)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: scenario, seed, targets, final people, metrics, draws, impact."""
        def clean(x: Any) -> Any:
            if isinstance(x, float) and not math.isfinite(x):
                return None
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, list | tuple):
                return [clean(v) for v in x]
            if isinstance(x, np.generic):
                return clean(x.item())
            return x

        doc: dict[str, Any] = clean({
            "scenario": self.scenario,
            "seed": self.seed,
            "interventions": [i.model_dump(mode="json") for i in self.interventions],
            "targets": [t.to_dict() for t in self.targets],
            "people": self.final_people(),
            "population": int(self.population.sum()),
            "metrics": self.metrics,
            "draws": self.draws,
            "impact": {
                "hazard": self.impact.hazard,
                "intensity_unit": self.impact.intensity_unit,
                "details": self.impact.details,
                "components": list(self.impact.components),
                "episodes": len(self.impact.episodes),
                "facilities_out": [f.name for f in self.impact.facilities_out],
                "expected_if_nobody_left": self.impact.expected_outcomes(
                    [int(n) for n in self.population]),
                "zones": [
                    {"zone": z, "intensity": zi.intensity, "home_loss": zi.home_loss,
                     "roads_closed": list(zi.roads_closed) if zi.roads_closed else None}
                    for z, zi in zip(self.zones, self.impact.zones, strict=True)
                ],
            },
        })
        return doc

    # -- tables (pandas imported lazily) -----------------------------------------------------
    def events_frame(self) -> pd.DataFrame:
        """The event log as a table: time_h, event, subject, count."""
        import pandas as pd

        return pd.DataFrame(self.events, columns=["time_h", "event", "subject", "count"])

    def people_frame(self) -> pd.DataFrame:
        """People by time, zone and state (long format)."""
        import pandas as pd

        t, z, s = self.people.shape
        idx = pd.MultiIndex.from_product([self.times, self.zones, STATES],
                                         names=["time_h", "zone", "state"])
        return pd.DataFrame({"people": self.people.reshape(t * z * s)}, index=idx).reset_index()

    def shelter_frame(self) -> pd.DataFrame:
        """Shelter occupancy by time (one column per shelter)."""
        import pandas as pd

        return pd.DataFrame(self.shelter_occupancy, index=pd.Index(self.times, name="time_h"),
                            columns=self.shelters)

    def stock_frame(self) -> pd.DataFrame:
        """Stock on hand by time, point and item (long format)."""
        import pandas as pd

        t, p, i = self.stock.shape
        idx = pd.MultiIndex.from_product([self.times, self.points, self.items],
                                         names=["time_h", "point", "item"])
        return pd.DataFrame({"quantity": self.stock.reshape(t * p * i)}, index=idx).reset_index()

    def relief_frame(self) -> pd.DataFrame:
        """Relief records: people, when they needed relief, hours from onset to relief."""
        import pandas as pd

        return pd.DataFrame({"people": self.relief_n, "t_need_h": self.relief_t_need,
                             "hours_to_relief": self.relief_t})
