"""Study throughput: runs per second serially and on every core, and Dask's overhead.

Run with ``make bench`` (or ``python benchmarks/run_benchmarks.py [SCENARIO] [--runs N]``).
It prints one table of ratios measured in the same process, so they are comparable with each
other even on a busy machine (the load average is printed with them):

* runs/s with 1 worker (in this process) and with all cores (a local process pool);
* parallel efficiency = speed-up / workers;
* Dask overhead = time on a Dask LocalCluster of as many worker processes / time on the pool;
* start-up of the pool and of the cluster, measured apart from the runs.

It also checks that the three executors produced identical per-run tables. It is a measurement,
not a test: nothing here fails on slowness.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas.testing as pdt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.study import open_executor, run_study  # noqa: E402
from sim.study.executors import cpu_count  # noqa: E402


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?",
                    default=str(ROOT / "scenarios/demo_coastal_typhoon.yaml"))
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=cpu_count())
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sc = sim.load_scenario(args.scenario)
    n, w = args.runs, args.workers
    sim.run(sc, 0)  # warm caches and imports

    serial, t1 = timed(lambda: run_study(sc, n, args.seed, workers=1, progress=False))
    with open_executor(w) as pool:
        _, start_pool = timed(lambda: run_study(sc, 2 * w, 10**6, executor=pool,
                                                batch_size=1, progress=False))
        par, tp = timed(lambda: run_study(sc, n, args.seed, executor=pool, progress=False))
    dask_ok = True
    try:
        (cluster_cm, cluster), start_dask = timed(lambda: _enter(open_executor(w,
                                                                               dask_local=True)))
        try:
            _, warm = timed(lambda: run_study(sc, 2 * w, 10**6, executor=cluster, batch_size=1,
                                              progress=False))
            dsk, td = timed(lambda: run_study(sc, n, args.seed, executor=cluster,
                                              progress=False))
        finally:
            cluster_cm.__exit__(None, None, None)
        start_dask += warm
    except ImportError:
        dask_ok = False
    pdt.assert_frame_equal(serial.table, par.table)
    if dask_ok:
        pdt.assert_frame_equal(serial.table, dsk.table)
    res = {
        "scenario": sc.name, "runs": n, "workers": w, "load_average": os.getloadavg(),
        "serial_runs_per_s": n / t1, "parallel_runs_per_s": n / tp,
        "speedup": t1 / tp, "parallel_efficiency": t1 / tp / w,
        "pool_startup_s": start_pool,
        "dask_runs_per_s": n / td if dask_ok else None,
        "dask_overhead_vs_pool": td / tp if dask_ok else None,
        "dask_startup_s": start_dask if dask_ok else None,
        "identical_tables": True,
    }
    if args.json:
        print(json.dumps(res, indent=1))
        return
    la = ", ".join(f"{x:.2f}" for x in res["load_average"])
    print(f"{sc.name}: {n} runs per measurement, {w} workers, load average {la}")
    print(f"  serial (1 worker)         {res['serial_runs_per_s']:8.1f} runs/s")
    print(f"  local pool ({w} processes)  {res['parallel_runs_per_s']:8.1f} runs/s   "
          f"speed-up {res['speedup']:.2f}, parallel efficiency {res['parallel_efficiency']:.2f}"
          f"   (start-up {start_pool:.1f} s, not counted)")
    if dask_ok:
        print(f"  Dask LocalCluster ({w})     {res['dask_runs_per_s']:8.1f} runs/s   "
              f"Dask overhead vs pool {res['dask_overhead_vs_pool']:.2f}x time"
              f"   (start-up {start_dask:.1f} s, not counted)")
    else:
        print("  Dask: not installed (pip install 'reliefplan-sim[dask]')")
    print("  per-run tables of the executors: identical")


def _enter(cm):  # type: ignore[no-untyped-def]
    return cm, cm.__enter__()


if __name__ == "__main__":
    main()
