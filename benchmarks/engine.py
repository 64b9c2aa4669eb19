"""Event rate of a full run against bare SimPy, in the same process.

Bare SimPy: processes that only yield timeouts (the cheapest event SimPy has). Model: whole runs
of a scenario (sampling, hazard, response, results), events counted by the model's Environment.
The ratio is what the model's own work costs per event; it is reported, never asserted.

Usage: ``python benchmarks/engine.py [SCENARIO] [--runs N]``
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

import simpy

import sim
from sim.response.gcpause import paused_gc

ROOT = Path(__file__).resolve().parents[1]


def _ticking(processes: int) -> simpy.Environment:
    """An environment of ``processes`` processes that only yield unit timeouts."""
    env = simpy.Environment()

    def tick(env: simpy.Environment):  # type: ignore[no-untyped-def]
        while True:
            yield env.timeout(1.0)

    for _ in range(processes):
        env.process(tick(env))
    return env


def bare_simpy_rate(processes: int = 100, horizon: float = 3000.0) -> float:
    """Events per second of ``processes`` processes yielding unit timeouts."""
    env = _ticking(processes)
    start = time.perf_counter()
    env.run(until=horizon)
    return processes * horizon / (time.perf_counter() - start)


def bare_simpy_cpu(events: int = 100_000, processes: int = 100) -> float:
    """CPU seconds of ``events`` bare SimPy timeout events (``processes`` ticking processes)."""
    env = _ticking(processes)
    start = time.process_time()
    env.run(until=events / processes)
    return time.process_time() - start


def cpu_ratio(scenario: sim.Scenario, runs: int = 5, reps: int = 4) -> tuple[float, float, float]:
    """The issue-13 measure: CPU time of one run against 100,000 bare SimPy events.

    Bare events and runs (seeds ``0 .. runs - 1``, their mean) are measured in turn ``reps``
    times in this process and the best of each is kept, so that a load that comes and goes
    weighs on both alike. Returns ``(run CPU s, bare CPU s, ratio)``.
    """
    bare, model = [], []
    for _ in range(reps):
        bare.append(bare_simpy_cpu())
        start = time.process_time()
        for seed in range(runs):
            sim.run(scenario, seed)
        model.append((time.process_time() - start) / runs)
    return min(model), min(bare), min(model) / min(bare)


def model_rate(scenario: sim.Scenario, runs: int) -> tuple[float, float, int]:
    """(events per second, seconds per run, events per run) over ``runs`` seeds."""
    events = 0
    start = time.perf_counter()
    for seed in range(runs):
        events += sim.run(scenario, seed).metrics["simpy_events"]
    elapsed = time.perf_counter() - start
    return events / elapsed, elapsed / runs, events // runs


def phases(scenario: sim.Scenario, runs: int) -> dict[str, float]:
    """Milliseconds per run in each phase: sampling, hazard, response (SimPy), results.

    The phases are timed on their own, one after the other on the same seeds, as
    :class:`sim.Simulation` runs them; ``response`` is the Environment's run and ``results``
    the collection of the RunResult and its targets. Each seed is timed with the cyclic
    collector paused, as :func:`sim.run` pauses it, so that collecting earlier seeds' garbage
    is not counted in whichever phase it happens to fall.
    """
    from sim.hazards import compute_impact
    from sim.scenario.sampling import sample_scenario
    from sim.streams import Streams, as_seed_sequence

    out = {"sampling": 0.0, "hazard": 0.0, "response": 0.0, "results": 0.0}
    for seed in range(runs):
        with paused_gc():
            streams = Streams(as_seed_sequence(seed))
            t0 = time.perf_counter()
            realised, _ = sample_scenario(scenario, streams, None)
            t1 = time.perf_counter()
            compute_impact(realised, streams)
            t2 = time.perf_counter()
            s = sim.Simulation(scenario, seed)
            t3 = time.perf_counter()
            s.model.env.run_to(s.end)
            t4 = time.perf_counter()
            s.finish()
            t5 = time.perf_counter()
        out["sampling"] += t1 - t0
        out["hazard"] += t2 - t1
        out["response"] += t4 - t3
        out["results"] += t5 - t4
    return {k: 1000 * v / runs for k, v in out.items()}


def main() -> None:
    """Print the comparison as text and one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?",
                    default=str(ROOT / "scenarios/demo_coastal_typhoon.yaml"))
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    sc = sim.load_scenario(args.scenario)
    sim.run(sc, 0)  # warm up imports and caches
    bare = bare_simpy_rate()
    rate, per_run, per_run_events = model_rate(sc, args.runs)
    tracemalloc.start()
    sim.run(sc, 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"bare SimPy          {bare:12,.0f} events/s")
    print(f"model ({sc.name}) {rate:12,.0f} events/s  ({per_run_events:,} events, "
          f"{per_run * 1000:.1f} ms per run, peak {peak / 2**20:.1f} MiB)")
    print(f"ratio model / bare  {rate / bare:12.3f}")
    run_cpu, bare_cpu, ratio = cpu_ratio(sc, runs=min(args.runs, 5))
    print(f"CPU per run {run_cpu * 1000:.1f} ms against {bare_cpu * 1000:.1f} ms for 100,000 bare "
          f"SimPy events: ratio {ratio:.2f} (issue 13 asks at most 1.4 for Wenzhou)")
    ph = phases(sc, args.runs)
    total = sum(ph.values())
    print("per run: " + ", ".join(f"{k} {v:.1f} ms ({v / total:.0%})" for k, v in ph.items()))
    in_sim = per_run_events / (ph["response"] / 1000)
    print(f"events/s inside the response phase {in_sim:12,.0f}  (ratio {in_sim / bare:.3f}; "
          f"{1e6 / in_sim:.1f} us per event against {1e6 / bare:.1f} us bare)")
    print(json.dumps({"bench": "engine_events", "scenario": sc.name, "bare_events_per_s": bare,
                      "model_events_per_s": rate, "ratio": rate / bare,
                      "ms_per_run": per_run * 1000, "events_per_run": per_run_events,
                      "peak_mib": peak / 2**20, "phases_ms": ph,
                      "response_events_per_s": in_sim, "response_ratio": in_sim / bare,
                      "run_cpu_ms": run_cpu * 1000, "bare_100k_cpu_ms": bare_cpu * 1000,
                      "cpu_ratio_100k": ratio}))


if __name__ == "__main__":
    main()
