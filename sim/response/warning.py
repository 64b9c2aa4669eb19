"""Warning channels: who the warning reaches, by which channel and when, and the outages.

Once the warning has reached a zone's tier of the chain, each channel of the warning rule
(broadcast terminals 应急广播主动发布终端, cell broadcast and SMS 手机短信, loudspeakers and gongs
大喇叭、铜锣, door-to-door notice 入户通知) starts ``delay_h`` later and reaches its people over
``spread_h`` hours in hourly cohorts. Each channel reaches each resident independently with
probability ``coverage``: the number it reaches in a zone is binomial, and of the people in one
of its cohorts, the number not warned yet is hypergeometric (a cohort is a uniform draw from the
residents the channel has not reached yet, independent of the other channels). A resident is
warned by the first working channel that reaches them, so the expected share reached by none is
``prod(1 - coverage)``.

The hazard silences channels: per zone, the grid and the telecom network fail with a lognormal
fragility of the zone's peak intensity (:class:`~sim.scenario.operations.WarningOutages`), from
the hazard's arrival in the zone (gale arrival for a typhoon, the water for a flood, the
mainshock) to the end of the run. One uniform per zone decides both (a zone whose network fails
has lost power too when the network is the sturdier: base stations ride out short cuts on
batteries). A channel that needs power or the network delivers nothing in a zone from then on.

Every cohort is recorded as ``(time_h, zone, channel, newly warned, newly reached by the
channel's kind)``; the reach target (``warning_reach_within``) is evaluated from these records.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.distributions import as_float

if TYPE_CHECKING:
    from sim.response.model import Model

__all__ = ["IMPLICIT", "WarningChannels", "fragility", "hourly_weights"]

IMPLICIT = -1
"""Channel index of the warning rule's single implicit channel (no ``channels`` given)."""


def fragility(intensity: float, median: float, beta: float) -> float:
    """Lognormal fragility ``Phi(ln(I / median) / beta)`` (0 for a zero intensity)."""
    if not intensity > 0:
        return 0.0
    return 0.5 * (1.0 + math.erf(math.log(intensity / median) / (beta * math.sqrt(2.0))))


def hourly_weights(spread_h: float) -> np.ndarray:
    """Share of a spread's people reached in each hourly cohort (the last may be partial)."""
    slices = max(1, math.ceil(spread_h - 1e-9))
    widths = np.ones(slices)
    widths[-1] = spread_h - (slices - 1) if spread_h > slices - 1 else 1.0
    out: np.ndarray = widths / widths.sum()
    return out


class WarningChannels:
    """The warning's channels and outages in one run, and the reach they achieve.

    Parameters
    ----------
    model : Model
        The run's model (its scenario is realised: every input is a number).
    """

    def __init__(self, model: Model) -> None:
        self.m = model
        rule = model.sc.response.warning
        spread = as_float(rule.spread_h)
        chans = rule.channels
        self.names = [c.name for c in chans] if chans else ["warning"]
        self.kinds = [c.kind for c in chans] if chans else ["implicit"]
        self.coverage = [as_float(c.coverage) for c in chans] if chans else [
            as_float(rule.coverage) if rule.coverage is not None else 0.0]
        self.delay_h = [as_float(c.delay_h) for c in chans] if chans else [0.0]
        self.spread_h = [spread if c.spread_h is None else as_float(c.spread_h)
                         for c in chans] if chans else [spread]
        self.needs_power = [c.needs_power for c in chans]
        self.needs_network = [c.needs_network for c in chans]
        n = len(model.zone_names)
        self.power_out_h = [math.inf] * n
        """When each zone loses grid power (``inf``: not in the run)."""
        self.network_out_h = [math.inf] * n
        """When each zone loses the mobile network (``inf``: not in the run)."""
        self.p_power = [0.0] * n
        self.p_network = [0.0] * n
        out = rule.outages
        if chans and out is not None and (out.power is not None or out.network is not None):
            u = model.streams.generator("outages").random(n)
            for z, zi in enumerate(model.impact.zones):
                if out.power is not None:
                    self.p_power[z] = fragility(zi.intensity, as_float(out.power.median),
                                                as_float(out.power.beta))
                    if u[z] < self.p_power[z]:
                        self.power_out_h[z] = zi.onset_h
                if out.network is not None:
                    self.p_network[z] = fragility(zi.intensity, as_float(out.network.median),
                                                  as_float(out.network.beta))
                    if u[z] < self.p_network[z]:
                        self.network_out_h[z] = zi.onset_h
        pops = [int(p) for p in model.ledger.population]
        self.unwarned = list(pops)
        """Residents of each zone no channel has reached yet."""
        self.unreached_kind = {k: list(pops) for k in dict.fromkeys(self.kinds)}
        """Residents of each zone no channel of a kind has reached yet, by kind."""
        self.records: list[tuple[float, int, int, int, int]] = []
        """(time_h, zone, channel, newly warned, newly reached by the channel's kind)."""
        self.silenced = [0] * len(self.names)
        """People each channel would have reached but for the outages (its own reach)."""
        self.sent = [[0] * n for _ in self.names]
        """People each channel has reached so far, by zone (its cohorts are disjoint)."""

    def working(self, channel: int, zone: int, t: float) -> bool:
        """Whether ``channel`` can deliver in ``zone`` at time ``t`` (outages)."""
        if channel == IMPLICIT:
            return True
        if self.needs_power[channel] and t >= self.power_out_h[zone]:
            return False
        return not (self.needs_network[channel] and t >= self.network_out_h[zone])

    def record_implicit(self, t: float, zone: int, n: int) -> None:
        """The implicit channel reached ``n`` of ``zone``'s residents (no overlap to draw)."""
        if n:
            n = min(n, self.unwarned[zone])
            self.unwarned[zone] -= n
            self.unreached_kind["implicit"][zone] -= n
            self.records.append((t, zone, IMPLICIT, n, n))

    def plan(self, zones: list[int], rng: np.random.Generator, start: float
             ) -> list[tuple[float, int, int, int]]:
        """Draw every channel's cohorts for ``zones`` (the warning reached their tier at ``start``).

        Returns
        -------
        list of (time_h, zone, channel, people the channel reaches in that cohort), in time order
        (channels in their order at equal times).
        """
        pops = self.m.ledger.population
        out: list[tuple[float, int, int, int]] = []
        for c, (cov, delay, spread) in enumerate(zip(self.coverage, self.delay_h, self.spread_h,
                                                      strict=True)):
            p = hourly_weights(spread)
            for z in zones:
                counts = rng.multinomial(rng.binomial(int(pops[z]), cov), p)
                out += [(start + delay + k, z, c, int(x)) for k, x in enumerate(counts) if x]
        out.sort(key=lambda e: (e[0], e[2], e[1]))
        return out

    def deliver(self, t: float, zone: int, channel: int, n: int, rng: np.random.Generator
                ) -> int:
        """Channel ``channel`` reaches ``n`` residents of ``zone`` at ``t``: how many are new.

        The channel's cohorts are disjoint: its ``n`` people are a uniform draw from the
        residents it has not reached yet (everyone it reached is warned), so the people new to
        its kind are hypergeometric among them, and the newly warned hypergeometric among those
        (whom no channel has reached, no channel of the kind has either). A silenced channel
        reaches nobody (its people are counted in :attr:`silenced`); an outage lasts to the end
        of the run, so a channel silenced in a zone stays silenced there.
        """
        if not self.working(channel, zone, t):
            self.silenced[channel] += n
            return 0
        left = int(self.m.ledger.population[zone]) - self.sent[channel][zone]
        n = min(n, left)
        self.sent[channel][zone] += n
        kind = self.kinds[channel]
        free_k = min(self.unreached_kind[kind][zone], left)
        new_k = int(rng.hypergeometric(free_k, left - free_k, n)) if free_k and n else 0
        free = min(self.unwarned[zone], free_k)  # nobody has reached them: nor has the kind
        new = int(rng.hypergeometric(free, free_k - free, new_k)) if free and new_k else 0
        self.unwarned[zone] -= new
        self.unreached_kind[kind][zone] -= new_k
        if new or new_k:
            self.records.append((t, zone, channel, new, new_k))
        return new

    def reached_by_channel(self) -> dict[str, int]:
        """People each channel warned first (the channel that reached them first)."""
        out = dict.fromkeys(self.names, 0)
        for _, _, c, new, _ in self.records:
            out[self.names[c] if c != IMPLICIT else self.names[0]] += new
        return out
