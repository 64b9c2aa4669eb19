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

ROOT = Path(__file__).resolve().parents[1]


def bare_simpy_rate(processes: int = 100, horizon: float = 3000.0) -> float:
    """Events per second of ``processes`` processes yielding unit timeouts."""
    env = simpy.Environment()

    def tick(env: simpy.Environment):  # type: ignore[no-untyped-def]
        while True:
            yield env.timeout(1.0)

    for _ in range(processes):
        env.process(tick(env))
    start = time.perf_counter()
    env.run(until=horizon)
    return processes * horizon / (time.perf_counter() - start)


def model_rate(scenario: sim.Scenario, runs: int) -> tuple[float, float, int]:
    """(events per second, seconds per run, events per run) over ``runs`` seeds."""
    events = 0
    start = time.perf_counter()
    for seed in range(runs):
        events += sim.run(scenario, seed).metrics["simpy_events"]
    elapsed = time.perf_counter() - start
    return events / elapsed, elapsed / runs, events // runs


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
    print(json.dumps({"bench": "engine_events", "scenario": sc.name, "bare_events_per_s": bare,
                      "model_events_per_s": rate, "ratio": rate / bare,
                      "ms_per_run": per_run * 1000, "events_per_run": per_run_events,
                      "peak_mib": peak / 2**20}))


if __name__ == "__main__":
    main()
