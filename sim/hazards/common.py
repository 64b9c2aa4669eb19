"""Pieces shared by the hazard models: curves, combining outcomes, facility outages, randomness."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.hazards.impact import FacilityOutage, Strike
from sim.scenario.distributions import as_float
from sim.scenario.hazard import Curve
from sim.scenario.schema import Scenario
from sim.streams import Streams

__all__ = [
    "DT_H",
    "Outcome",
    "combine",
    "curve",
    "facility_outages",
    "harm_since",
    "hazard_rng",
    "running_mean",
    "strikes",
    "window_union",
]


DT_H = 0.25
"""Time step of the hazards' wind, rain and water series, hours."""


def curve(c: Curve, x: np.ndarray | float) -> np.ndarray:
    """Evaluate a piecewise-linear curve (flat beyond its first and last points)."""
    return np.asarray(np.interp(np.asarray(x, dtype=float), np.asarray(c.x, dtype=float),
                                np.asarray(c.y, dtype=float)))


@dataclass
class Outcome:
    """Per-person outcome probabilities of one mechanism in one zone.

    ``share`` is the share of residents the mechanism reaches; the probabilities are per resident
    of the zone (already multiplied by the share).
    """

    name: str
    onset_h: float
    """When the mechanism reaches the zone (gales, water, the rain crossing a threshold)."""
    strike_h: float | None = None
    """When its harm happens (the wind's peak for wind; None: at ``onset_h``)."""
    home_loss: float = 0.0
    killed: float = 0.0
    injured: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trapped: float = 0.0
    share: float = 0.0
    depth_m: float = 0.0
    flooded_h: float = 0.0
    displacement_days: float = 0.0
    facility_out: float = 0.0
    roads: tuple[float, float] | None = None
    road_block: float = 0.0
    """Probability that a road link into the zone is blocked (and waits for a crew)."""
    road_clear_h: float = 0.0
    """Hours for a crew to clear such a link."""
    moved: float = 0.0
    """Probability per resident that they are moved out before the mechanism strikes (people at
    monitored landslide hazard points under 群测群防, for example), at ``moved_at_h``."""
    moved_at_h: float = math.nan
    """When they are moved (hours); the engine moves those still at home then."""
    measures: dict[str, float] = field(default_factory=dict)


def combine(parts: Sequence[Outcome]) -> Outcome:
    """Combine independent mechanisms acting on the same zone.

    A person escapes all mechanisms only if they escape each; home loss likewise. Casualty
    probabilities are combined as independent risks (killed first, then trapped, then injured)
    and scaled so that they never add up to more than 1.
    """
    if not parts:
        return Outcome("none", 0.0)
    onset = min(p.onset_h for p in parts)
    keep_home = math.prod(1.0 - p.home_loss for p in parts)
    alive = math.prod(1.0 - p.killed for p in parts)
    free = math.prod(1.0 - p.trapped for p in parts)
    killed = 1.0 - alive
    trapped = alive * (1.0 - free)
    injured = tuple(min(1.0, sum(p.injured[s] for p in parts)) for s in range(3))
    room = max(0.0, 1.0 - killed - trapped)
    total_inj = sum(injured)
    if total_inj > room:
        injured = tuple(x * room / total_inj for x in injured)
    home_loss = 1.0 - keep_home
    days = (sum(p.displacement_days * p.home_loss for p in parts) / sum(p.home_loss for p in parts)
            if home_loss > 0 else 0.0)
    roads = window_union([p.roads for p in parts])
    measures: dict[str, float] = {}
    for p in parts:
        measures.update(p.measures)
    return Outcome(
        name="+".join(p.name for p in parts), onset_h=onset, home_loss=home_loss, killed=killed,
        injured=(injured[0], injured[1], injured[2]), trapped=trapped,
        share=1.0 - math.prod(1.0 - p.share for p in parts),
        depth_m=max(p.depth_m for p in parts), flooded_h=max(p.flooded_h for p in parts),
        displacement_days=days,
        facility_out=1.0 - math.prod(1.0 - p.facility_out for p in parts),
        roads=roads, road_block=1.0 - math.prod(1.0 - p.road_block for p in parts),
        road_clear_h=max(p.road_clear_h for p in parts),
        measures=measures,
    )


def strikes(parts: Sequence[Outcome]) -> tuple[Strike, ...]:
    """Each mechanism's harm at its own time (never before the zone's first arrival).

    The strike's probabilities are the mechanism's own: in the engine they act on the people
    still present and unhurt when it comes, one mechanism after the other.
    """
    if not parts:
        return ()
    onset = min(p.onset_h for p in parts)
    return tuple(
        Strike(time_h=max(onset, p.onset_h if p.strike_h is None else p.strike_h), cause=p.name,
               home_loss=p.home_loss, killed=p.killed, injured=_within(p), trapped=p.trapped,
               road_block=p.road_block, roads_from_h=None if p.roads is None else p.roads[0],
               arrival_h=p.onset_h, moved=p.moved, moved_at_h=p.moved_at_h)
        for p in parts)


def _within(p: Outcome) -> tuple[float, float, float]:
    """``p``'s injury probabilities, scaled down to fit beside its killed and trapped.

    Injuries that follow deaths by a ratio (water, landslides) can exceed the people left where
    the water kills many; a person is hurt at most once.
    """
    room = max(0.0, 1.0 - p.killed - p.trapped)
    total = sum(p.injured)
    if total <= room:
        return p.injured
    k = room / total
    return (p.injured[0] * k, p.injured[1] * k, p.injured[2] * k)


def harm_since(parts: Sequence[Outcome]) -> float:
    """When the first mechanism that puts facilities out of service strikes (inf: none does)."""
    times = [p.onset_h if p.strike_h is None else p.strike_h for p in parts if p.facility_out > 0]
    return min(times) if times else math.inf


def window_union(ws: Sequence[tuple[float, float] | None]) -> tuple[float, float] | None:
    """The smallest window covering every given window (None if there is none)."""
    real = [w for w in ws if w is not None]
    if not real:
        return None
    return (min(w[0] for w in real), max(w[1] for w in real))


def hazard_rng(realised: Scenario, streams: Streams | None) -> np.random.Generator:
    """The generator of the hazard model's own draws (aftershocks, outages, residuals).

    With the run's ``streams`` it is the named stream ``hazard_model``. Without them (a caller
    that passes only the realised scenario) it is seeded from a hash of the realised hazard and
    zones: a deterministic function of the run's sampled inputs, so a run stays reproducible and
    two policy variants on the same seed see the same hazard.
    """
    if streams is not None:
        return streams.generator("hazard_model")
    text = realised.hazard.model_dump_json() + "".join(z.model_dump_json() for z in realised.zones)
    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))


def facility_outages(realised: Scenario, p_out: Sequence[float], from_h: Sequence[float],
                     until_h: Sequence[float], cause: str,
                     rng: np.random.Generator) -> tuple[FacilityOutage, ...]:
    """Draw which shelters, hospitals and stock points the hazard puts out of service.

    Each facility fails independently with its zone's probability ``p_out[zone]``; for
    shelters, times the scenario's ``response.shelter.damage_factor`` when it gives one.
    """
    index = {z.name: i for i, z in enumerate(realised.zones)}
    factor = realised.response.shelter.damage_factor
    scale = {"shelter": 1.0 if factor is None else as_float(factor)}
    out = []
    groups: list[tuple[str, Sequence[object]]] = [
        ("shelter", realised.shelters), ("hospital", realised.hospitals),
        ("stock_point", realised.stock_points),
    ]
    for kind, items in groups:
        for f in items:
            zi = index[getattr(f, "zone")]  # noqa: B009 - facilities of three model types
            p = float(min(1.0, max(0.0, p_out[zi] * scale.get(kind, 1.0))))
            u = rng.random()  # one draw per facility, whatever p is (stable streams)
            if u < p:
                out.append(FacilityOutage(name=str(getattr(f, "name")), kind=kind,  # noqa: B009
                                          zone=zi, from_h=float(from_h[zi]),
                                          until_h=float(until_h[zi]), cause=cause, probability=p))
    return tuple(out)


def f(q: object) -> float:
    """A sampled quantity as a float (shorthand of :func:`as_float`)."""
    return as_float(q)  # type: ignore[arg-type]


def running_mean(rate: np.ndarray, window_h: float, dt: float = DT_H) -> np.ndarray:
    """Mean of ``rate`` over the past ``window_h`` hours at every step (shorter at the start)."""
    k = max(1, int(round(window_h / dt)))
    c = np.concatenate([[0.0], np.cumsum(rate)])
    idx = np.arange(1, len(rate) + 1)
    lo = np.maximum(idx - k, 0)
    return np.asarray((c[idx] - c[lo]) / k)
