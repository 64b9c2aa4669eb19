"""Peak memory of a study's summary at 1,000 and 20,000 runs.

Run with ``make bench`` (or ``python benchmarks/memory.py [SCENARIO] [--runs 1000 20000]``).
A few real runs of the scenario give the table's shape (its columns, which targets apply in
which runs, the thresholds); the synthetic table of N runs draws its rows from them with
replacement and jitters the targets' values so that they are continuous, with each run's
verdict recomputed from its value. The summary is the study code's own entry point,
:meth:`sim.study.Study.summary` (P(holds), the value's BCa mean and bootstrap quantiles, the
verdict basis, for every target). For each N it prints:

* the tracemalloc peak during the summary (what Python and numpy allocated, above the table);
* the rise of the process's peak resident set during the summary (VmHWM after the summary minus
  VmRSS before it, the high-water mark being reset first where Linux allows it; otherwise the
  rise of ``ru_maxrss``, which is 0 when an earlier step of the process had reached as high);
* the time the summary took.

It is a measurement, not a test: nothing here fails (tests/test_study_stats.py holds the 20,000-run
summary below 300 MiB).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.study import Study, run_study  # noqa: E402

MIB = 1024 * 1024


def synthetic_table(real: pd.DataFrame, target_info: dict[str, dict[str, str]], runs: int,
                    seed: int = 0) -> pd.DataFrame:
    """A table of ``runs`` runs shaped like ``real``: rows drawn with replacement, each target's
    value jittered (a share stays in [0, 1]) and its verdict recomputed from the value."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(real), size=runs)
    table = real.iloc[rows].reset_index(drop=True)
    table["run"] = np.arange(runs)
    for tid, meta in target_info.items():
        v = table[f"value.{tid}"].to_numpy(dtype=float)
        lo, hi = np.nanmin(v) if np.isfinite(v).any() else 0.0, np.nanmax(v) if len(v) else 0.0
        spread = (hi - lo) if np.isfinite(hi - lo) and hi > lo else max(abs(lo), 1.0)
        v = v + rng.normal(0.0, 0.05 * spread, size=runs)
        if 0.0 <= lo and hi <= 1.0:
            v = np.clip(v, 0.0, 1.0)
        thr = table[f"threshold.{tid}"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            met = (v <= thr) if meta.get("comparison") == "<=" else (v >= thr)
        table[f"value.{tid}"] = v
        table[f"met.{tid}"] = met & np.isfinite(v)
    return table


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset VmHWM to VmRSS
    except OSError:
        return False
    return True


def measure(study: Study) -> dict[str, Any]:
    """Peak memory and time of ``study.summary()`` (a fresh summary, not the cached one)."""
    study._summary = None
    gc.collect()
    reset = _reset_peak_rss()
    rss_before = _status_kib("VmRSS")
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    error = None
    try:
        study.summary()
    except MemoryError:
        error = "MemoryError"
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    hwm = _status_kib("VmHWM")
    if reset and hwm is not None and rss_before is not None:
        rss_delta = (hwm - rss_before) * 1024
    else:
        rss_delta = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before) * 1024
    return {"runs": len(study.table), "tracemalloc_peak_mib": peak / MIB,
            "peak_rss_delta_mib": rss_delta / MIB, "rss_reset": reset,
            "summary_s": elapsed, "error": error}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?",
                    default=str(ROOT / "scenarios" / "demo_coastal_typhoon.yaml"))
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 20000])
    ap.add_argument("--real-runs", type=int, default=24,
                    help="real runs whose rows the synthetic table is drawn from")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    scenario = sim.load_scenario(args.scenario)
    real = run_study(scenario, args.real_runs, 1, workers=1, progress=False)
    results = []
    for n in sorted(args.runs):
        table = synthetic_table(real.table, real.target_info, n)
        study = Study(scenario, 1, table, real.manifest, None)
        results.append(measure(study))
        del study, table
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"Study summary memory: {scenario.name}, {len(scenario.targets)} targets, "
          f"2,000 resamples, tables drawn from {args.real_runs} real runs "
          f"(sim from {Path(sim.__file__).parent})")
    print(f"{'runs':>8}  {'tracemalloc peak':>16}  {'peak RSS delta':>14}  {'time':>7}")
    for r in results:
        err = f"  {r['error']}" if r["error"] else ""
        print(f"{r['runs']:>8,}  {r['tracemalloc_peak_mib']:>12.1f} MiB  "
              f"{r['peak_rss_delta_mib']:>10.1f} MiB  {r['summary_s']:>6.1f}s{err}")


if __name__ == "__main__":
    main()
