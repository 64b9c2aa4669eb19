"""Hazard models against documented real events: 200 seeds per hazard type.

For each demo scenario the event's defining input is pinned (landfall intensity, storm rainfall,
magnitude); everything else keeps its declared uncertainty. Each run goes through the whole
engine (warning, evacuation, strike), so 'relocated' counts people evacuated before onset plus
people whose home the hazard made unusable, and 'killed' counts deaths among people present.
The published figures are ratios to the people officially 'affected' (受灾人口); the model's
'affected' is the population of zones the hazard reached (gale winds, water, intensity >= VI).
Nothing here is tuned to the events: a miss is reported as a miss.

Run: ``python benchmarks/hazard_events.py [--seeds 200] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

EVENTS: list[dict[str, Any]] = [
    {
        "hazard": "typhoon",
        "scenario": "demo_coastal_typhoon",
        "pin": {"hazard.max_wind_ms": 50.0},
        "event": "Typhoon Meranti 2016, Quanzhou (landfall Xiamen; jurisdictions.md §1.5 E2); "
                 "landfall intensity pinned to Doksuri 2023's 50 m/s",
        "affected": 681424, "relocated": 112250, "killed": 9, "killed_missing": 17,
        "other": "Doksuri 2023 Fujian: relocated/affected 162,400/2,666,900 = 6.1 %; "
                 "pre-emptive 399,500 (15 %); Quanzhou 39 lightly injured by midday of the "
                 "landfall day, an early count (jurisdictions.md §1.5 E1). Typhoon of 12 Aug "
                 "2004, Zhejiang: 27 hospitalised injuries per 100,000 residents (Gong et al., "
                 "a calibration source of the wind-injury rates, so not a test)",
    },
    {
        "hazard": "flood",
        "scenario": "demo_flash_flood",
        "pin": {"hazard.rain.total_mm": 77.8, "hazard.rain.zone_factor.mulan": 2.7},
        "event": "Shicheng rainstorm 2023-05-21/22 (county mean 77.8 mm, townships up to 210 mm; "
                 "jurisdictions.md §3.5 E1): 69 evacuated, 4 relocated and sheltered, 0 dead",
        "affected": None, "relocated": 73, "killed": 0, "killed_missing": 0,
        "other": "June 2022 southern Jiangxi floods: 733,000 affected, 162,000 moved (22 %), "
                 "1 dead (jurisdictions.md §3.5 E2)",
    },
    {
        "hazard": "earthquake",
        "scenario": "demo_earthquake",
        "pin": {"hazard.magnitude": 6.5},
        "event": "Ludian (Yunnan) Ms 6.5, 2014-08-03, depth 12 km: 617 dead, 112 missing, 3,143 "
                 "injured, 229,700 relocated, 1,088,400 affected (MCA via China News Service, "
                 "2014-08-06/08); not a Shanxi event: Jincheng has no damaging instrumental-era "
                 "earthquake (jurisdictions.md §4.5 E4)",
        "affected": 1088400, "relocated": 229700, "killed": 617, "killed_missing": 729,
        "injured": 3143,
        "other": "Shanxi historic: 512 Yuanping-Daixian M7.5, 5,310 dead; 1038 Dingxiang-Xinzhou "
                 "M7.25, 32,308 dead (jurisdictions.md §4.3; populations of the time unknown)",
    },
]


def _affected(sc: sim.Scenario, r: sim.RunResult) -> int:
    n = 0
    for z, zi in zip(sc.zones, r.impact.zones, strict=True):
        hit = zi.intensity >= 6.0 if r.impact.hazard == "earthquake" else zi.exposed_share > 0
        n += z.population if hit else 0
    return n


def run_event(ev: dict[str, Any], seeds: int) -> dict[str, Any]:
    """Run one event's scenario over ``seeds`` seeds; summarise model vs published."""
    sc = sim.load_scenario(ROOT / "scenarios" / f"{ev['scenario']}.yaml")
    rows = []
    t0 = time.time()
    for s in range(seeds):
        r = sim.run(sc, s, inputs=ev["pin"])
        m = r.metrics
        pops = [z.population for z in sc.zones]
        exp = r.impact.expected_outcomes(pops)
        rows.append({
            "affected": _affected(sc, r),
            "relocated": m["evacuated_before_onset"] + m["displaced_by_hazard"],
            "displaced": m["displaced_by_hazard"],
            "killed": m["killed"],
            "injured": m["injured"],
            "injured_hospital": sum(m["injured_by_severity"][1:]),
            "killed_if_nobody_left": exp["killed"],
            "displaced_if_nobody_left": exp["displaced"],
        })
    arr = {k: np.array([row[k] for row in rows], dtype=float) for k in rows[0]}
    q = {k: [float(np.percentile(v, p)) for p in (5, 50, 95)] + [float(v.mean())]
         for k, v in arr.items()}
    aff = np.maximum(arr["affected"], 1.0)
    ratio = {
        "relocated_per_affected": [float(np.percentile(arr["relocated"] / aff, p))
                                   for p in (5, 50, 95)],
        "killed_per_100k_affected": [float(np.percentile(arr["killed"] / aff * 1e5, p))
                                     for p in (5, 50, 95)],
        "hospital_injuries_per_100k_affected": [
            float(np.percentile(arr["injured_hospital"] / aff * 1e5, p)) for p in (5, 50, 95)],
    }
    pub: dict[str, Any] = {"relocated": ev["relocated"], "killed": ev["killed"],
                           "killed_missing": ev["killed_missing"]}
    if ev.get("affected"):
        pub["relocated_per_affected"] = ev["relocated"] / ev["affected"]
        pub["killed_per_100k_affected"] = [ev["killed"] / ev["affected"] * 1e5,
                                           ev["killed_missing"] / ev["affected"] * 1e5]
    return {"hazard": ev["hazard"], "scenario": ev["scenario"], "pinned": ev["pin"],
            "event": ev["event"], "other": ev["other"], "seeds": seeds,
            "seconds": round(time.time() - t0, 1), "model_p5_p50_p95_mean": q,
            "model_ratios_p5_p50_p95": ratio, "published": pub}


def main() -> None:
    """Run every event and print a table (and JSON with --json)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    out = [run_event(ev, args.seeds) for ev in EVENTS]
    for o in out:
        q = o["model_p5_p50_p95_mean"]
        print(f"\n## {o['hazard']}: {o['event']}  ({o['seeds']} seeds, {o['seconds']} s)")
        for k in ("affected", "relocated", "displaced", "killed", "injured", "injured_hospital",
                  "killed_if_nobody_left", "displaced_if_nobody_left"):
            p5, p50, p95, mean = q[k]
            print(f"  {k:26s} p5 {p5:12,.0f}  p50 {p50:12,.0f}  p95 {p95:12,.0f}  "
                  f"mean {mean:12,.1f}")
        for k, (a, b, c) in o["model_ratios_p5_p50_p95"].items():
            print(f"  {k:26s} p5 {a:12.4g}  p50 {b:12.4g}  p95 {c:12.4g}")
        print(f"  published: {o['published']}")
        print(f"  also: {o['other']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
