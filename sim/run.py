"""One run: ``run(scenario, seed, interventions) -> RunResult``, and the stepper behind it.

:func:`run` is a pure function of its arguments. :class:`Simulation` is the same run advanced in
steps: run to a time, look at the state, schedule interventions, continue. A stepped run and a
replay from the same seed and the same interventions give identical results, because an
intervention always acts first at its time (SimPy's URGENT priority), whether it was known at the
start or added at that very moment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import simpy
from simpy.events import URGENT

from sim.hazards import compute_impact
from sim.hazards.impact import Impact
from sim.interventions import Branch, Intervention, apply_intervention, check_interventions
from sim.response.cohorts import ReliefLog
from sim.response.gcpause import paused_gc
from sim.response.ledger import State
from sim.response.model import Model
from sim.response.quantities import total
from sim.results import RunResult
from sim.scenario.sampling import sample_scenario
from sim.scenario.schema import Scenario
from sim.streams import Streams, as_seed_sequence
from sim.targets import evaluate_targets

__all__ = ["Simulation", "partial_result", "run"]


class Simulation:
    """A run that can be advanced step by step.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : int or numpy.random.SeedSequence
        The run's seed (a study passes each run's child sequence).
    interventions : iterable of Intervention
        Interventions known from the start.
    inputs : mapping of str to float, optional
        Values for some uncertain inputs instead of drawing them (paths as in
        :func:`sim.scenario.uncertain_inputs`).
    impact : Impact, optional
        Use this Impact instead of computing one from the hazard block (an observed or
        externally modelled footprint, or a test's synthetic one).

    Examples
    --------
    >>> sim = Simulation(scenario, seed=1)          # doctest: +SKIP
    >>> sim.run_until(-6); sim.state()["people"]     # doctest: +SKIP
    >>> sim.schedule(AddStock(kind="add_stock", at_h=-6, point="depot", items={"meal": 5000}))
    ... # doctest: +SKIP
    >>> result = sim.finish()                        # doctest: +SKIP
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence = 0,
                 interventions: Iterable[Intervention] = (),
                 inputs: Mapping[str, float] | None = None,
                 impact: Impact | None = None) -> None:
        self.scenario = scenario
        self.seed_sequence = as_seed_sequence(seed)
        streams = Streams(self.seed_sequence)
        self.inputs = dict(inputs) if inputs else None
        self.realised, self.draws = sample_scenario(scenario, streams, inputs)
        self._impact_given = impact is not None
        self.impact = compute_impact(self.realised, streams) if impact is None else impact
        if len(self.impact.zones) != len(scenario.zones):
            raise ValueError(f"the impact has {len(self.impact.zones)} zones, the scenario "
                             f"{len(scenario.zones)}")
        self.model = Model(self.realised, self.impact, streams)
        self.interventions: list[Intervention] = []
        self._result: RunResult | None = None
        self.model.start()
        for it in interventions:
            self.schedule(it)

    @property
    def now(self) -> float:
        """Current time, hours from onset."""
        return float(self.model.env.now)

    @property
    def end(self) -> float:
        """End of the run, hours from onset."""
        return self.model.end_h

    def schedule(self, it: Intervention) -> None:
        """Schedule an intervention at ``it.at_h`` (not in the past, not after the end).

        Raises
        ------
        ValueError
            If the time is in the past or after the end, or the intervention names something
            the scenario lacks.
        """
        if self._result is not None:
            raise ValueError("the run has finished")
        if it.at_h < self.now - 1e-9:
            raise ValueError(f"at_h={it.at_h} is in the past (now is {self.now:g} h)")
        if it.at_h > self.end:
            raise ValueError(f"at_h={it.at_h} is after the end of the run ({self.end:g} h)")
        problems = check_interventions([*self.interventions, it], self.scenario)
        mine = [p for p in problems if p[0] == len(self.interventions)]
        if mine:
            raise ValueError("; ".join(f"{f}: {msg}" for _, f, msg in mine))
        self.interventions.append(it)
        env = self.model.env
        ev = simpy.Event(env)
        ev._ok = True
        ev._value = None
        ev.callbacks.append(lambda _e: apply_intervention(self.model, it))
        env.schedule_at(ev, URGENT, max(it.at_h, env.now))

    def fork(self, branches: int | Iterable[int]) -> list[Simulation]:
        """Fork the future: copies of this run up to now, each on its own random branch.

        Each fork is a new Simulation replayed from the seed and the interventions so far, plus
        a :class:`~sim.interventions.Branch` at the current time, so it can itself be replayed
        exactly (``run(scenario, seed, fork.interventions)``). ``fork(1)`` differs from this run
        only after now; ``fork([0, 1, ...])`` gives several futures of the same past.
        """
        ids = range(branches) if isinstance(branches, int) else branches
        out = []
        for b in ids:
            f = Simulation(self.scenario, self.seed_sequence, self.interventions, self.inputs,
                           self.impact if self._impact_given else None)
            f.schedule(Branch(kind="branch", at_h=self.now, branch=b))
            f.run_until(self.now)
            out.append(f)
        return out

    def run_until(self, t: float) -> None:
        """Advance to time ``t`` (hours from onset); events at ``t`` itself are not yet run."""
        if self._result is not None:
            raise ValueError("the run has finished")
        t = min(t, self.end)
        if t < self.now - 1e-9:
            raise ValueError(f"cannot go back to {t:g} h (now is {self.now:g} h)")
        self.model.env.run_to(t)

    def state(self) -> dict[str, Any]:
        """The current state: people by state, shelters, stock, open orders."""
        m = self.model
        return {
            "time_h": self.now,
            "people": {s.name: int(v) for s, v in zip(State, m.ledger.totals(), strict=True)},
            "shelters": {s.name: {"present": s.present, "assigned": s.assigned,
                                  "capacity": s.capacity, "open": self.now >= s.opens_at}
                         for s in m.shelters.list},
            "stock": {p.name: dict(zip(m.items, p.on_hand.round(1).tolist(), strict=True))
                      for p in m.logistics.points},
            "open_orders": len(m.logistics.orders),
            "backorders": len(m.logistics.backorders),
            "relieved": int(sum(n for n, t in zip(m.relief.n, m.relief.t_relief, strict=True)
                                if math.isfinite(t))),
        }

    def finish(self) -> RunResult:
        """Run to the end and return the result (idempotent)."""
        if self._result is None:
            m = self.model
            m.env.run_to(self.end, last=True)
            if not m.series_t or m.series_t[-1] < self.end:
                m.snapshot()
            self._result = _collect(self)
        return self._result


def run(scenario: Scenario, seed: int | np.random.SeedSequence = 0,
        interventions: Iterable[Intervention] = (),
        inputs: Mapping[str, float] | None = None, impact: Impact | None = None) -> RunResult:
    """Simulate one disaster response.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`sim.load_scenario`).
    seed : int or numpy.random.SeedSequence
        Same seed, same result.
    interventions : iterable of Intervention
        Interventions to apply at their times.
    inputs : mapping of str to float, optional
        Values for some uncertain inputs instead of drawing them.
    impact : Impact, optional
        Use this Impact instead of computing one from the hazard block.

    Returns
    -------
    RunResult
    """
    with paused_gc():  # sampling and the hazard allocate as much as the response
        simulation = Simulation(scenario, seed, interventions, inputs, impact)
        result = simulation.finish()
        simulation.model.close()
        return result


def partial_result(sim: Simulation) -> RunResult:
    """The RunResult of a run so far, its targets evaluated on it, without disturbing the run.

    People still waiting for relief count as not relieved (yet); the series end with a
    snapshot of now. A finished run gives its final result.
    """
    if sim._result is not None:
        return sim._result
    return _collect(sim, final=False)


def _collect(sim: Simulation, *, final: bool = True) -> RunResult:
    """The run's RunResult; with ``final=False``, of the run so far, leaving the model as it is.

    A final collection closes the open relief cohorts (their people unrelieved at the end). A
    partial one (:func:`partial_result`) reads copies instead: the open cohorts as they stand
    (relieved or not yet), and the time series with a snapshot of now appended. The result's
    event log and other lists are the model's own: read them before the run advances.
    """
    m = sim.model
    if final:
        for c in m.cohorts:
            if c.n > 0:
                m.relief.close(c)
        relief = m.relief
        series = m.series()
    else:
        relief = ReliefLog(list(m.relief.zone), list(m.relief.n), list(m.relief.t_need),
                           list(m.relief.t_relief))
        for c in m.cohorts:
            if c.n > 0 and not c.closed:
                relief.add(c.home, c.n, c.t_need,
                           math.inf if c.relieved_at is None else c.relieved_at)
        series = tuple(list(x) for x in m.series())
        if not m.series_t or m.series_t[-1] < m.env.now:
            for x, value in zip(series, m.series_row(), strict=True):
                x.append(value)
    series_t, series_moves, series_people, series_shelter, series_stock, series_beds = series
    t_relief = np.array(relief.t_relief, dtype=float)
    relief_t = np.where(np.isfinite(t_relief), np.maximum(t_relief, 0.0), np.inf)
    n_sh = len(m.shelters.list)
    occ = np.zeros((len(series_t), n_sh), dtype=np.int64)
    for i, row in enumerate(series_shelter):
        occ[i, : len(row)] = row
    ss = sim.seed_sequence
    result = RunResult(
        scenario=sim.scenario.name,
        seed={"entropy": int(ss.entropy) if isinstance(ss.entropy, int) else ss.entropy,
              "spawn_key": list(ss.spawn_key)},
        interventions=list(sim.interventions),
        draws=dict(sim.draws),
        impact=sim.impact,
        zones=m.zone_names,
        population=m.ledger.population.copy(),
        items=m.items,
        per_day=m.per_day,
        once=m.once,
        shelters=[s.name for s in m.shelters.list],
        shelter_capacity=[s.capacity for s in m.shelters.list],
        shelter_area_m2=[s.area_m2 for s in m.shelters.list],
        shelter_peak=[s.peak for s in m.shelters.list],
        shelter_zone=[s.zone for s in m.shelters.list],
        points=[p.name for p in m.logistics.points],
        point_tiers=[p.tier for p in m.logistics.points],
        times=np.array(series_t),
        people=np.array(series_people),
        shelter_occupancy=occ,
        stock=np.array(series_stock).reshape(len(series_t), len(m.logistics.points),
                                             len(m.items)),
        events=m.events,
        transitions=m.ledger.log,
        moves_before=np.array(series_moves, dtype=np.int64),
        relief_n=np.array(relief.n, dtype=np.int64),
        relief_t=relief_t,
        relief_t_need=np.array(relief.t_need, dtype=float),
        relief_zone=np.array(relief.zone, dtype=np.int64),
        hospitals=[h.name for h in m.medical.hospitals],
        hospital_beds=[h.beds for h in m.medical.hospitals],
        bed_occupancy=np.array(series_beds, dtype=np.int64).reshape(
            len(series_t), len(m.medical.hospitals)),
        sites=[{"zone": m.zone_names[s.zone], "opened_h": s.opened_h,
                "first_arrival_h": s.first_arrival_h,
                "first_by_kind": dict(s.first_arrival_by_kind)} for s in m.rescue.sites],
        reached=list(m.rescue.reached),
        reached_kind=list(m.rescue.reached_kind),
        supply_cover=[(s.name, list(s.cover_log))
                      for s in [*m.shelters.list, *m.shelters.points.values()] if s.cover_log],
        air_requests=[(r.km_from_base, r.response_h, r.takeoff_response_h)
                      for r in m.air.requests],
        deliveries=list(m.logistics.deliveries),
        team_activity={f"{t.fleet}#{t.idx}": list(t.activity) for t in m.teams},
        warning_channels=list(zip(m.evac.channels.names, m.evac.channels.kinds, strict=True)),
        warning_issued_h=m.warning_at,
        warning_reach=list(m.evac.channels.records),
    )
    result.metrics = _metrics(m, result)
    result.targets = evaluate_targets(list(sim.scenario.targets), result, sim.scenario)
    return result


def _utilisation(units: list[Any], hours: float) -> float | None:
    return sum(u.busy_h for u in units) / (len(units) * hours) if units else None


def _warning_metrics(m: Model) -> dict[str, Any]:
    """Who the warning reached, by channel, and the evacuation order's people it missed."""
    ch = m.evac.channels
    ev = m.evac
    warned_targeted = sum(ev.targeted_warned)
    pop = int(m.ledger.population.sum())
    return {
        "warning_reach_share": (pop - sum(ch.unwarned)) / pop if pop else 0.0,
        "warned_by_channel": ch.reached_by_channel(),
        "warning_silenced": dict(zip(ch.names, ch.silenced, strict=True)),
        "zones_power_out": sum(1 for t in ch.power_out_h if math.isfinite(t)),
        "zones_network_out": sum(1 for t in ch.network_out_h if math.isfinite(t)),
        "evacuation_targeted_warned": warned_targeted,
        "evacuation_targeted_unwarned": sum(
            max(0, round(int(n) * sh) - w) for n, sh, w in zip(
                m.ledger.population, ev.target_share, ev.targeted_warned, strict=True)),
    }


def _metrics(m: Model, r: RunResult) -> dict[str, Any]:
    hours = m.end_h - m.start_h
    trucks = m.logistics.trucks
    buses = m.evac.buses
    entered = [0] * len(State)  # people who moved into each state over the run
    for _t, _zone, _src, dst, n in m.ledger.log:
        entered[dst] += n

    totals = r.people.sum(axis=1)
    return {
        "population": int(r.population.sum()),
        "warned": entered[State.warned],
        "evacuated_before_onset": m.evac.evacuated_before_onset,
        "departures_failed": m.evac.failed_departures,
        "exposed_at_onset": m.evac.exposed_at_onset,
        "displaced_by_hazard": sum(n for _, k, _, n in m.events
                                   if k in ("made_homeless", "homeless_after_care")),
        "moved_from_hazard_points": m.evac.moved_from_hazard_points,
        "needing_relief": int(r.relief_n.sum()),
        "relieved": int(r.relief_n[np.isfinite(r.relief_t)].sum()),
        "relief_p50_h": r.relief_quantile(0.5),
        "relief_p90_h": r.relief_quantile(0.9),
        "relief_p95_h": r.relief_quantile(0.95),
        "shelter_peak_total": int(totals[:, State.sheltered].max()),
        "shelter_peak": dict(zip(r.shelters, r.shelter_peak, strict=True)),
        "unplaced_peak": int(totals[:, State.displaced].max()),
        "killed": int(totals[-1, State.killed]),
        "injured": int(sum(m.medical.injured_counts)),
        "in_care_at_end": int(totals[-1, State.injured]),
        "deliveries": sum(t.trips for t in trucks),
        "truck_utilisation": _utilisation(trucks, hours),
        "bus_trips": sum(b.trips for b in buses),
        "bus_utilisation": _utilisation(buses, hours),
        "ration_delay_person_h": m.shelters.ration_delay_person_h,
        "dispersed_relieved": m.distribution.relieved,
        "dispersed_handed_out": m.distribution.handed_out,
        "handout_mean_h": m.distribution.handout_mean_h(),
        "handout_last_h": m.distribution.last_handout_h,
        "handout_team_h": m.distribution.team_h,
        "backordered_units": total(total(q) for q in m.logistics.backorders.values()),
        "first_stockout_h": dict(m.logistics.first_stockout),
        "evacuation_targeted": m.evac.targeted_total,
        **_warning_metrics(m),
        "shelters_closed": m.shelters.closed_count,
        "registration_wait_mean_h": (float(np.mean(waits)) if (waits := [
            w for s in m.shelters.list if s.desks for w in s.desks.waits]) else None),
        "supplies_called_h": dict(m.supply.called),
        "supplies_delivered": dict(m.supply.delivered),
        "trapped_total": entered[State.trapped],
        "rescued_alive": m.rescue.alive,
        "rescued_dead": m.rescue.dead,
        "still_trapped": int(totals[-1, State.trapped]),
        "rescue_sites": len(m.rescue.sites),
        "team_utilisation": _utilisation(m.teams, hours),
        "injured_by_severity": list(m.medical.injured_counts),
        "died_awaiting_care": m.medical.died_waiting,
        "bed_peak": dict(zip(r.hospitals, (h.peak for h in m.medical.hospitals), strict=True)),
        "ambulance_trips": sum(a.trips for a in m.medical.ambulances),
        "air_sorties": sum(u.trips for u in m.air.units),
        "air_requests": len(m.air.requests),
        "links_blocked": m.roads.blocked_total,
        "links_cleared": sum(1 for lk in m.net.links if math.isfinite(lk.cleared_at)),
        "zone_pairs_cut_off_peak": max(n for _, n in m.net.history),
        "events": len(m.events),
        "simpy_events": m.env.processed,
    }
