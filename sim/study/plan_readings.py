"""Every target under the plan's other readings, on the same disasters as the study.

Each reading (:func:`sim.study.readings.readings`) is run again on the study's first runs
(common random numbers); annual death targets are also read per event, on the same runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.study.executors import ExecutorInfo
    from sim.study.plan_analysis import Budget
    from sim.study.runner import Study

__all__ = ["per_event_readings", "readings_section"]


def readings_section(sc: Scenario, study: Study, relief_id: str | None, budget: Budget,
                     seed: int, info: ExecutorInfo, progress: bool | None,
                     log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Each target's P(holds) under each other reading, paired with the study's first runs."""
    from sim.scenario.overrides import apply_overrides
    from sim.study.readings import readings
    from sim.study.runner import run_study
    from sim.study.stats import paired_difference

    runs = min(budget.probe_runs, study.runs)
    out = []
    for rd in readings(sc):
        current = rd.current
        ids = [t.id for t in sc.targets if t.kind in rd.kinds]
        if not ids:
            continue
        st = run_study(apply_overrides(sc, {rd.path: rd.value}), runs, seed, executor=info,
                       progress=progress)
        for tid in ids:
            vals = study.table.iloc[:runs][f"value.{tid}"].to_numpy(dtype=float)
            applies = np.isfinite(vals) & np.isfinite(st.table[f"value.{tid}"].to_numpy(float))
            base = study.table.iloc[:runs][f"met.{tid}"].to_numpy(dtype=bool)[applies]
            met = st.table[f"met.{tid}"].to_numpy(dtype=bool)[applies]
            if not len(met):
                continue
            diff = paired_difference(met, base).difference
            p_study = study.p_holds(tid).estimate
            out.append({"path": rd.path, "value": rd.value, "current": current,
                        "words": rd.words, "words_zh": rd.words_zh, "source": rd.source,
                        "target": tid, "relief": tid == relief_id,
                        "runs": int(len(met)), "p_base": float(base.mean()),
                        "p_reading": float(met.mean()), "difference": diff.to_dict(),
                        "p_study": min(1.0, max(0.0, p_study + diff.estimate))})
            log(f"  reading {rd.path}={rd.value}: {tid} P {base.mean():.3f} -> "
                f"{met.mean():.3f}")
    return out + per_event_readings(sc, study)


def per_event_readings(sc: Scenario, study: Study) -> list[dict[str, Any]]:
    """Annual death targets read per event as well (the same runs: no new study).

    The plans' deaths per million are annual averages (年均); a target measured ``per: year``
    is the event's deaths per million over its return period. The strict reading compares one
    event's deaths with the whole annual ceiling.
    """
    from sim.study.stats import paired_difference

    out = []
    for t in sc.targets:
        if t.kind != "deaths_per_million" or t.per != "year" or not t.return_period_years:
            continue
        vals = study.table[f"value.{t.id}"].to_numpy(dtype=float)
        ok = np.isfinite(vals)
        base = study.table[f"met.{t.id}"].to_numpy(dtype=bool)[ok]
        event = vals[ok] * t.return_period_years <= t.max + 1e-9
        if not len(base):
            continue
        diff = paired_difference(event, base).difference
        out.append({"path": f"targets[{t.id}].per", "value": "event", "current": "year",
                    "words": (f"one event's deaths per million against the annual ceiling of "
                              f"{t.max:g} (not divided by its return period of "
                              f"{t.return_period_years:g} years: the strict reading)"),
                    "words_zh": "单次灾害的百万人口死亡率直接对照年均指标（严格解读）",
                    "source": t.source, "target": t.id, "relief": False,
                    "runs": int(len(base)), "p_base": float(base.mean()),
                    "p_reading": float(event.mean()), "difference": diff.to_dict(),
                    "p_study": float(event.mean())})
    return out
