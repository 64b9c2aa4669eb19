"""The facts a plan report states: the scenario, its basic-relief target, the waits by zone.

Pieces of :func:`sim.study.plan_analysis.analyse_plan`, each computed from the scenario and a
study's runs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.distributions import mean_of
from sim.scenario.provenance import describe_input, provenance
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.study.runner import Study

__all__ = ["relief_section", "relief_target", "relief_times", "scenario_facts",
           "shelter_places", "target_label", "zone_waits_section"]


def relief_target(scenario: Scenario) -> Any:
    """The scenario's basic-relief target.

    The ``relief_within`` target of 10 h if there is one, else its first ``relief_within``
    target, else None.
    """
    ts = [t for t in scenario.targets if t.kind == "relief_within"]
    for t in ts:
        if math.isclose(float(t.hours), 10.0):
            return t
    return ts[0] if ts else None



def shelter_places(scenario: Scenario) -> dict[str, float]:
    """Places per shelter: the stated capacity, or the usable area over the area standard."""
    std = scenario.response.shelter.area_per_person_m2
    by_area = scenario.response.shelter.admission == "area_standard"
    out: dict[str, float] = {}
    for sh in scenario.shelters:
        if sh.usable_area_m2 is not None and (by_area or sh.capacity is None):
            out[sh.name] = float(math.floor(sh.usable_area_m2 / std))
        else:
            out[sh.name] = float(sh.capacity or 0)
    return out



def _q(x: np.ndarray, q: float) -> float:
    """A quantile of the values that are not NaN (NaN when none)."""
    x = x[~np.isnan(x)]
    return float(np.quantile(x, q, method="inverted_cdf")) if len(x) else math.nan



def scenario_facts(sc: Scenario, file: Path, study: Study) -> dict[str, Any]:
    """The scenario in numbers: its size, hazard inputs and outcomes over the runs."""
    places = shelter_places(sc)
    reserve = {sh.name for sh in sc.shelters if sh.reserve}
    t = study.table
    hz: list[dict[str, Any]] = []
    inputs = uncertain_inputs(sc)
    paths = [p for p in inputs if p.startswith("hazard.") and "[" not in p]
    paths.sort(key=lambda p: p.count("."))  # the hazard's own inputs first, then its parts
    for path in paths[:8]:
        col = t.get(f"draw.{path}")
        vals = col.to_numpy(dtype=float) if col is not None else np.array([])
        hz.append({"input": path, "words": describe_input(path),
                   "dist": str(getattr(inputs[path], "dist", "distribution")),
                   "p5": _q(vals, 0.05), "p50": _q(vals, 0.5), "p95": _q(vals, 0.95),
                   "source": provenance(sc, path)})

    def metric(name: str) -> dict[str, float] | None:
        col = t.get(f"metric.{name}")
        if col is None:
            return None
        v = col.to_numpy(dtype=float)
        return {"p5": _q(v, 0.05), "p50": _q(v, 0.5), "p95": _q(v, 0.95)}

    trucks = [v for v in sc.vehicles if v.kind == "truck"]
    return {
        "name": sc.name, "file": str(file), "plan": sc.plan,
        "dispersed_relief": sc.response.logistics.dispersed_relief,
        "title": {"en": sc.title.en if sc.title else sc.name,
                  "zh": sc.title.zh if sc.title else None},
        "description": " ".join((sc.description or "").split()),
        "hazard": sc.hazard.type,
        "zones": len(sc.zones),
        "population": int(sum(z.population for z in sc.zones)),
        "shelters": len(sc.shelters),
        "shelter_places": float(sum(v for k, v in places.items() if k not in reserve)),
        "reserve_shelters": len(reserve),
        "reserve_places": float(sum(places[k] for k in reserve)),
        "stock_points": {tier: sum(1 for p in sc.stock_points if p.tier == tier)
                         for tier in dict.fromkeys(p.tier.value for p in sc.stock_points)},
        "truck_fleets": len(trucks),
        "trucks_mean": float(sum(mean_of(v.count) for v in trucks)),
        "teams": len(sc.teams),
        "team_members": int(sum(tm.headcount * tm.count for tm in sc.teams)),
        "supplies": len(sc.supplies),
        "hazard_inputs": hz,
        "uncertain_inputs": len(uncertain_inputs(sc)),
        "outcomes": {k: metric(k) for k in ("needing_relief", "evacuated_before_onset",
                                            "displaced_by_hazard", "shelter_peak_total",
                                            "unplaced_peak", "killed", "injured")
                     if f"metric.{k}" in t},
    }


def relief_times(study: Study, series: Study | None, target: Any) -> np.ndarray:
    """Per run of the study, hours until the target's share is relieved.

    NaN: nobody needed relief; inf: never within the run.
    """
    pct = round(float(target.share) * 100)
    col = f"metric.relief_p{pct}_h"
    if math.isclose(pct, float(target.share) * 100) and col in study.table:
        x: np.ndarray = study.table[col].to_numpy(dtype=float)
        need = study.table.get("metric.needing_relief")
        if need is not None:
            x = np.where(need.to_numpy(dtype=float) > 0, x, np.nan)
        return x
    if series is None or series.series is None:
        return np.full(study.runs, np.nan)
    s = series.series[series.series["time_h"] >= 0]
    out = []
    for _, g in s.groupby("run", sort=True):
        ok = g["time_h"].to_numpy()[g["relief.share"].to_numpy() >= target.share - 1e-12]
        out.append(float(ok[0]) if len(ok) else math.inf)
    return np.array(out)


def relief_section(study: Study, series: Study | None, target: Any, goal: float
                   ) -> dict[str, Any]:
    """The time until the relief target's share is relieved, over the study's runs."""
    x = relief_times(study, series, target)
    known = x[~np.isnan(x)]
    n = len(known)
    within = int((known <= target.hours + 1e-9).sum())
    return {
        "target": target.id, "hours": float(target.hours), "share": float(target.share),
        "runs": int(len(x)), "runs_with_need": n, "runs_without_need": int(len(x) - n),
        "within_hours": within, "never": int(np.isinf(known).sum()),
        "quantiles": {f"{q:g}": (_q(known, q) if n else math.nan)
                      for q in sorted({0.05, 0.25, 0.5, 0.75, 0.9, 0.95, goal})},
        "goal": goal,
        "from_series": f"metric.relief_p{round(float(target.share) * 100)}_h"
        not in study.table,
    }



def zone_waits_section(study: Study, target_id: str | None, top: int = 8
                        ) -> list[dict[str, Any]]:
    """The zones whose people wait longest for basic relief (:func:`sim.study.zone_waits`)."""
    from sim.study.zone_waits import zone_waits

    return zone_waits(study, target_id, top=top) if target_id is not None else []


def target_label(target: Any) -> str:
    """A target's name in a sentence: ``Basic relief within 10 h`` or its clause."""
    if target.kind == "relief_within":
        return f"Basic relief within {target.hours:g} h"
    if target.clause is not None and target.clause.en:
        en = str(target.clause.en)
        return f"The target “{en[:1].upper() + en[1:]}”"
    return f"The target {target.id}"
