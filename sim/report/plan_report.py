"""A plan report: does each target of a plan hold, why not, and what would make it hold.

:func:`build_report` runs, for one scenario file,

1. a Monte Carlo study until every applicable target's P(holds) interval is narrow enough
   (:func:`sim.study.run_study` with ``until_ci``), and a shorter study on the same runs that keeps
   time series for fan charts;
2. scenario discovery (PRIM, :func:`sim.study.discover`) of the relief target's failures, in the
   scenario's own inputs, with the run metrics that differ most between failing and holding runs;
3. a Morris screening (:func:`sim.study.sensitivity`) of the relief target's value and of every
   target below the goal, with the provenance of each input;
4. a capacity search (:func:`sim.study.plan_capacity`) for the relief target: candidate resources
   chosen from the scenario (each truck fleet, the basic items of the largest stock point, the
   reserve shelters), ranked by the change of P(holds) when each grows by about half on common
   random numbers, then searched in that order for the smallest increase reaching the goal;

and writes ``report.json`` (every number of the report) and ``report.md`` with PNG figures.
The Markdown is rendered from the JSON document alone (:func:`render_markdown`): no number of the
report is typed in.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.report.provenance import (
    assumptions,
    describe_input,
    plan_citations,
    provenance,
    source_kind,
)
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.discovery import Discovery
    from sim.study.executors import ExecutorInfo
    from sim.study.runner import Study, StudySummary

__all__ = [
    "FULL",
    "QUICK",
    "Budget",
    "build_report",
    "candidate_resources",
    "relief_target",
    "render_markdown",
]

FORMAT = "sim-plan-report/1"


@dataclass(frozen=True)
class Budget:
    """How many runs each part of a report may use.

    Attributes
    ----------
    first_round, until_ci, max_runs : int, float, int
        The main study: first round, the P(holds) half-width to reach, the cap on runs.
    series_runs : int
        Runs (the study's first ones) that keep time series for fan charts.
    morris_trajectories, morris_max_inputs : int
        Morris screening: trajectories, and the most inputs varied (the others are screened out
        by their rank correlation with the targets' values in the study's runs).
    probe_runs : int
        Common-random-number runs to rank candidate resources.
    capacity_candidates, capacity_runs : int
        How many candidates are searched, and runs per evaluated increase.
    capacity_max_factor : float
        Largest increase tried, as a multiple of the resource's size in the plan.
    capacity_grid : int
        About this many grid steps up to the largest increase.
    max_probes : int or None
        Probe at most this many candidate resources (None: all of them).
    goal : float
        The probability a target should hold with.
    """

    first_round: int = 200
    until_ci: float = 0.02
    max_runs: int = 4000
    series_runs: int = 200
    morris_trajectories: int = 8
    morris_max_inputs: int = 40
    probe_runs: int = 200
    capacity_candidates: int = 3
    capacity_runs: int = 200
    capacity_max_factor: float = 3.0
    capacity_grid: int = 12
    goal: float = 0.9
    max_probes: int | None = None


FULL = Budget()
"""The budget of ``sim report`` and ``make results``."""

QUICK = Budget(first_round=40, max_runs=80, series_runs=24, morris_trajectories=2,
               morris_max_inputs=12, probe_runs=16, capacity_candidates=1, capacity_runs=16,
               capacity_max_factor=1.0, capacity_grid=2, max_probes=2)
"""A small budget for tests and previews (``--quick``)."""


# -- helpers ----------------------------------------------------------------------------------
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


def _mean(value: Any) -> float:
    from sim.scenario.distributions import _DistBase

    if isinstance(value, _DistBase):
        return float(value.mean())
    return float(value)


def _high(value: Any) -> float:
    from sim.scenario.distributions import _DistBase

    if isinstance(value, _DistBase):
        hi = value.support()[1]
        return float(hi) if math.isfinite(hi) else float(value.mean())
    return float(value)


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


@dataclass(frozen=True)
class Candidate:
    """A resource whose increase may make a target hold."""

    path: str
    label: str
    reference: float
    """The resource's size in the plan (the top of its range when uncertain)."""


def _share_of_runs(table: pd.DataFrame | None, column: str, test: Callable[[np.ndarray],
                                                                          np.ndarray]) -> float:
    if table is None or column not in table:
        return 0.0
    v = table[column].to_numpy(dtype=float)
    return float(np.mean(test(v))) if len(v) else 0.0


def candidate_resources(scenario: Scenario, table: pd.DataFrame | None = None
                        ) -> list[Candidate]:
    """Resources to try for the relief target, chosen from the scenario (and a study's runs).

    * the largest truck fleet (by count times load);
    * basic relief items of the largest stock point (by the mass of its basic items): with a
      study's table, those that ran out in some run, at most two, most often out first; without,
      all of them;
    * the places of the reserve shelter that was full in most runs (the largest one on a tie;
      the largest shelter when none is in reserve).
    """
    out: list[Candidate] = []
    trucks = [v for v in scenario.vehicles if v.kind == "truck"]
    if trucks:
        v = max(trucks, key=lambda v: _mean(v.count) * float(v.capacity_kg or 0))
        out.append(Candidate(f"vehicles[{v.name}].count", f"trucks of fleet {v.name}",
                             _high(v.count)))
    basic = [k for k, nd in scenario.needs.items() if nd.basic]

    def mass(p: Any) -> float:
        return sum(_mean(q) * scenario.items[k].kg_per_unit
                   for k, q in p.items.items() if k in basic)

    def out_share(point: str, item: str) -> float:
        return _share_of_runs(table, f"metric.first_stockout_h.{point}.{item}", np.isfinite)

    if scenario.stock_points:
        big = max(scenario.stock_points, key=mass)
        items = [(big, k) for k in basic if k in big.items]
        if table is not None:
            items = sorted((x for x in items if out_share(x[0].name, x[1]) > 0),
                           key=lambda x: -out_share(x[0].name, x[1]))[:2]
        for p, k in items:
            out.append(Candidate(f"stock_points[{p.name}].items.{k}",
                                 f"{k} at {p.name} ({p.tier} stock)", _high(p.items[k])))
    places = shelter_places(scenario)
    reserve = [sh for sh in scenario.shelters if sh.reserve] or (
        [max(scenario.shelters, key=lambda s: places[s.name])] if scenario.shelters else [])
    if reserve:
        def full(sh: Any) -> float:
            cap = places[sh.name]
            return _share_of_runs(table, f"metric.shelter_peak.{sh.name}",
                                  lambda v: v >= cap) if cap else 0.0

        sh = max(reserve, key=lambda s: (full(s), places[s.name]))
        fld = "capacity" if sh.capacity is not None else "usable_area_m2"
        what = "places" if fld == "capacity" else "usable area (m²)"
        size = sh.capacity if sh.capacity is not None else sh.usable_area_m2
        out.append(Candidate(f"shelters[{sh.name}].{fld}",
                             f"{what} of {'reserve ' if sh.reserve else ''}shelter {sh.name}",
                             float(size or 0)))
    return out


def _nice(x: float) -> float:
    """The number of the 1-2-5 series nearest above ``x`` (at least ``x``)."""
    if x <= 0:
        return 1.0
    mag = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * mag >= x * (1 - 1e-9):
            return m * mag
    return 10.0 * mag


def _grid(reference: float, factor: float, steps: int, integer: bool) -> tuple[float, float]:
    """(step, largest increase) of a capacity search."""
    cap = max(reference * factor, 1.0)
    step = _nice(cap / max(steps, 1))
    if integer:
        step = max(1.0, math.ceil(step))
    return step, math.ceil(cap / step) * step


def _is_integer(value: Any) -> bool:
    from sim.study.capacity import _default_step

    return _default_step(value)[1]


def _finite(x: Any) -> Any:
    if isinstance(x, float | np.floating) and not math.isfinite(float(x)):
        return None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, dict):
        return {str(k): _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def _q(x: np.ndarray, q: float) -> float:
    x = x[~np.isnan(x)]
    return float(np.quantile(x, q, method="inverted_cdf")) if len(x) else math.nan


# -- the parts of a report ------------------------------------------------------------------------
def _scenario_facts(sc: Scenario, file: Path, study: Study) -> dict[str, Any]:
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
        "name": sc.name, "file": str(file),
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
        "trucks_mean": float(sum(_mean(v.count) for v in trucks)),
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


def _relief_times(study: Study, series: Study | None, target: Any) -> np.ndarray:
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


def _relief_section(study: Study, series: Study | None, target: Any, goal: float
                    ) -> dict[str, Any]:
    x = _relief_times(study, series, target)
    known = x[~np.isnan(x)]
    n = len(known)
    within = int((known <= target.hours + 1e-9).sum())
    return {
        "target": target.id, "hours": float(target.hours), "share": float(target.share),
        "runs": int(len(x)), "runs_with_need": n, "runs_without_need": int(len(x) - n),
        "within_hours": within, "never": int(np.isinf(known).sum()),
        "quantiles": {f"{q:g}": (_q(known, q) if n else math.nan)
                      for q in (0.05, 0.25, 0.5, 0.75, 0.9, 0.95)},
        "goal": goal,
        "from_series": f"metric.relief_p{round(float(target.share) * 100)}_h"
        not in study.table,
    }


def _plain_condition(r: Any) -> str:
    from sim.study.discovery import _fmt

    name = describe_input(r.input)
    lo = None if r.low is None else _fmt(r.low, r.integer)
    hi = None if r.high is None else _fmt(r.high, r.integer)
    span = (r.data_max - r.data_min) or 1.0
    if lo is not None and hi is not None:
        share = (r.high - r.low) / span
        return f"{name} is between {lo} and {hi} ({share:.0%} of its range in the runs)"
    if lo is not None:
        return f"{name} is at least {lo} (the top {(r.data_max - r.low) / span:.0%} of its range)"
    return f"{name} is at most {hi} (the bottom {(r.high - r.data_min) / span:.0%} of its range)"


def _joined(conds: Sequence[str]) -> str:
    return conds[0] if len(conds) == 1 else ", ".join(conds[:-1]) + " and " + conds[-1]


def _significant(box: Any) -> bool:
    return any(r.quasi_p <= 0.05 for r in box.restrictions)


def plain_failure(d: Discovery, label: str) -> str:
    """One sentence on when a target fails, from its PRIM box, in words.

    A box none of whose restrictions is significant (quasi-p above 5 %) is not a failure
    condition: the failures are then said to be spread over the inputs' ranges.
    """
    if d.box is None or not _significant(d.box):
        if d.cases == 0:
            return (f"{label} held in every one of the {d.runs} runs: there is no failure to "
                    "explain.")
        if d.cases == d.runs:
            return (f"{label} failed in every one of the {d.runs} runs, whatever the uncertain "
                    "inputs: no range of any input makes it hold.")
        return (f"{label} fails in {d.base_rate:.0%} of the {d.runs} runs, spread over the whole "
                "range of every uncertain input (no range of any input concentrates the "
                "failures significantly).")
    b = d.box
    text = (f"{label} fails mostly when {_joined(failure_conditions(d))}: such runs are "
            f"{b.mass:.0%} of all runs, the target fails in {b.density:.0%} of them (against "
            f"{d.base_rate:.0%} overall), and they hold {b.coverage:.0%} of its failures.")
    if b.density < d.base_rate + 0.1:
        text += " This is a weak concentration: failures occur over most of the inputs' ranges."
    return text


def plain_success(study: Study, target_id: str, label: str) -> str | None:
    """When a target that mostly fails holds: a PRIM box of the runs where it holds, in words.

    None when the target holds in half the runs or more, in fewer than 10 runs, or when no
    significant box is found.
    """
    from sim.study.discovery import Discovery, prim

    met = study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    n, k = len(met), int(met.sum())
    if k < 10 or k >= n / 2:
        return None
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    if x.shape[1] == 0:
        return None
    box, _ = prim(x, met)
    if box is None or not _significant(box):
        return None
    conds = failure_conditions(Discovery(target_id, n, k, k / n, box, None, ""))
    return (f"It holds mostly when {_joined(conds)}: such runs are {box.mass:.0%} of all runs, "
            f"it holds in {box.density:.0%} of them (against {k / n:.0%} overall), and they are "
            f"{box.coverage:.0%} of the runs where it holds.")


def failure_conditions(d: Discovery) -> list[str]:
    """The restrictions of a PRIM box in words (empty without a box)."""
    return [] if d.box is None else [_plain_condition(r) for r in d.box.restrictions]


def metric_sentence(metrics: Sequence[Mapping[str, Any]], top: int = 3) -> str:
    """One sentence on how failing runs differ from holding runs, from :func:`metric_contrast`."""
    parts = []
    for m in metrics[:top]:
        more = "more" if m["effect"] > 0 else "less"
        parts.append(f"{more} `{m['metric']}` (mean {_num(m['mean_fails'])} against "
                     f"{_num(m['mean_holds'])})")
    if not parts:
        return ""
    return "Compared with the runs where it holds, the runs where it fails have " + \
        "; ".join(parts) + "."


_SKIP_METRICS = ("metric.relief_p", "metric.events", "metric.simpy_events", "metric.population",
                 "metric.needing_relief", "metric.relieved")


def metric_contrast(table: pd.DataFrame, fails: np.ndarray, top: int = 8
                    ) -> list[dict[str, Any]]:
    """The run metrics that differ most between runs where a target fails and where it holds.

    Ranked by the absolute standardised difference of means (difference over the standard
    deviation across all runs); metrics that are undefined in most runs of either group are left
    out.
    """
    out: list[dict[str, Any]] = []
    f = np.asarray(fails, dtype=bool)
    if f.sum() < 3 or (~f).sum() < 3:
        return []
    for c in table.columns:
        if not c.startswith("metric.") or c.startswith(_SKIP_METRICS):
            continue
        v = table[c].to_numpy(dtype=float)
        v = np.where(np.isfinite(v), v, np.nan)
        a, b = v[f], v[~f]
        if np.isnan(a).mean() > 0.5 or np.isnan(b).mean() > 0.5:
            continue
        sd = float(np.nanstd(v))
        if not sd > 0:
            continue
        eff = (float(np.nanmean(a)) - float(np.nanmean(b))) / sd
        out.append({"metric": c.removeprefix("metric."), "median_holds": float(np.nanmedian(b)),
                    "median_fails": float(np.nanmedian(a)), "mean_holds": float(np.nanmean(b)),
                    "mean_fails": float(np.nanmean(a)), "effect": eff})
    out.sort(key=lambda r: -abs(float(r["effect"])))
    return out[:top]


def _failure_section(study: Study, target_id: str, label: str) -> tuple[dict[str, Any],
                                                                      Discovery]:
    from sim.study.discovery import discover

    d = discover(study, target_id)
    fails = ~study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    doc = d.to_dict()
    doc.pop("trajectory", None)
    if doc.get("box"):
        for r in doc["box"]["restrictions"]:
            r["words"] = describe_input(r["input"])
            src = provenance(study.scenario, r["input"])
            r["source"] = src
            r["source_kind"] = source_kind(src)
    doc["plain"] = plain_failure(d, label)
    doc["significant"] = d.box is not None and _significant(d.box)
    doc["conditions"] = failure_conditions(d) if doc["significant"] else []
    doc["holds_when"] = plain_success(study, target_id, label)
    doc["metrics"] = metric_contrast(study.table, fails)
    doc["metrics_plain"] = metric_sentence(doc["metrics"])
    return doc, d


def _screen_inputs(study: Study, targets: Sequence[str], limit: int) -> tuple[list[str], bool]:
    """The inputs to vary in the screening.

    All of them, or the ``limit`` most rank-correlated with the targets' values in the study's
    runs.
    """
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    names = [p for p in uncertain_inputs(study.scenario) if p in x.columns]
    if len(names) <= limit:
        return names, False
    ranks = x[names].rank().to_numpy(dtype=float)
    rc = ranks - ranks.mean(axis=0)
    score = np.zeros(len(names))
    for t in targets:
        y = study.table[f"value.{t}"].to_numpy(dtype=float)
        ok = np.isfinite(y)
        if ok.sum() < 10 or np.ptp(y[ok]) == 0:
            continue
        ry = _ranks(y[ok])
        ry = ry - ry.mean()
        xs = rc[ok] - rc[ok].mean(axis=0)
        den = np.sqrt((xs ** 2).sum(axis=0) * (ry ** 2).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where(den > 0, (xs * ry[:, None]).sum(axis=0) / den, 0.0)
        score = np.maximum(score, np.abs(rho))
    order = np.argsort(-score, kind="stable")[:limit]
    return [names[i] for i in sorted(order)], True


def _ranks(y: np.ndarray) -> np.ndarray:
    import pandas as pd

    r: np.ndarray = pd.Series(y).rank().to_numpy(dtype=float)
    return r


def _sensitivity_section(sc: Scenario, study: Study, summary: StudySummary, relief_id: str | None,
                         budget: Budget, seed: int, info: ExecutorInfo,
                         progress: bool | None) -> tuple[dict[str, Any], Any]:
    from sim.study.sensitivity import NOISE, sensitivity

    chosen: list[str] = []
    if relief_id is not None:
        chosen.append(relief_id)
    for t in summary.targets:
        if t.applicable and t.p_holds.estimate < budget.goal and t.id not in chosen:
            chosen.append(t.id)
    if not chosen or not uncertain_inputs(sc):
        return {"targets": [], "notes": {}, "runs": 0}, None
    inputs, screened = _screen_inputs(study, chosen, budget.morris_max_inputs)
    if not inputs:
        return {"targets": [], "notes": {}, "runs": 0}, None
    res = sensitivity(sc, method="morris", n=budget.morris_trajectories, seed=seed,
                      targets=chosen, inputs=inputs, executor=info, progress=progress)
    per_target: list[dict[str, Any]] = []
    for tid in chosen:
        df = res.ranking(tid)
        if df.empty:
            continue
        rows: list[dict[str, Any]] = []
        for r in df.to_dict("records"):
            path = str(r["input"])
            src = None if path == NOISE else provenance(sc, path)
            rows.append({"input": path,
                         "words": "run-to-run randomness (not a declared input)"
                         if path == NOISE else describe_input(path),
                         "mu_star": float(r["mu_star"]), "mu_star_conf": float(r["mu_star_conf"]),
                         "mu_star_norm": float(r["mu_star_norm"]), "sigma": float(r["sigma"]),
                         "source": src, "source_kind": "randomness" if path == NOISE
                         else source_kind(src)})
        per_target.append({"target": tid, "inputs": rows})
    # The assumptions that matter most: across targets, by normalised mu*.
    best: dict[str, dict[str, Any]] = {}
    for pt in per_target:
        for r in pt["inputs"]:
            if r["source_kind"] not in ("assumption", "partly assumed", "none"):
                continue
            if r["mu_star_norm"] < 0.1:
                continue
            cur = best.get(r["input"])
            if cur is None or r["mu_star_norm"] > cur["mu_star_norm"]:
                best[r["input"]] = {**r, "target": pt["target"]}
    ranked = sorted(best.values(), key=lambda r: -r["mu_star_norm"])
    doc = {"method": "morris", "trajectories": budget.morris_trajectories, "runs": res.runs,
           "inputs_varied": len(inputs), "inputs_declared": len(uncertain_inputs(sc)),
           "screened": screened, "targets": per_target, "notes": res.notes,
           "assumptions_that_matter": ranked[:12], "noise": NOISE}
    return doc, res


def _p_first(study: Study, target: str, n: int) -> Any:
    """P(target holds | applies) over the first ``n`` runs of a study, with its interval."""
    from sim.study.stats import wilson

    t = study.table.iloc[:n]
    applies = np.isfinite(t[f"value.{target}"].to_numpy(dtype=float))
    met = t[f"met.{target}"].to_numpy(dtype=bool)[applies]
    return wilson(int(met.sum()), len(met))


def _capacity_section(sc: Scenario, study: Study, relief_id: str | None, budget: Budget,
                      seed: int, info: ExecutorInfo, progress: bool | None,
                      log: Callable[[str], None]) -> dict[str, Any]:
    from sim.scenario.overrides import increase, value_at
    from sim.study.capacity import plan_capacity
    from sim.study.runner import run_study
    from sim.study.stats import paired_difference, wilson

    goal = budget.goal
    doc: dict[str, Any] = {"goal": goal, "target": relief_id, "candidates": [],
                           "searches": [], "best": None}
    if relief_id is None:
        doc["status"] = "no_target"
        return doc
    p = study.p_holds(relief_id)
    doc["p_holds"] = p.to_dict()
    if p.estimate >= goal:
        doc["status"] = "already"
        return doc
    if budget.capacity_candidates < 1:
        doc["status"] = "skipped"
        return doc
    runs = min(budget.probe_runs, study.runs)
    base = study.table.iloc[:runs]
    base_met = base[f"met.{relief_id}"].to_numpy(dtype=bool)
    probes = []
    for c in candidate_resources(study.scenario, study.table)[:budget.max_probes]:
        try:
            raw = value_at(sc, c.path)
            integer = _is_integer(raw)
            step, cap = _grid(c.reference, budget.capacity_max_factor, budget.capacity_grid,
                              integer)
            delta = max(step, math.ceil(0.5 * c.reference / step) * step)
            changed = increase(sc, c.path, delta)
        except ScenarioError as exc:
            log(f"  capacity: skipping {c.path}: {exc}")
            continue
        st = run_study(changed, runs, seed, executor=info, progress=progress)
        met = st.table[f"met.{relief_id}"].to_numpy(dtype=bool)
        diff = paired_difference(met, base_met)
        probes.append({"resource": c.path, "label": c.label, "reference": c.reference,
                       "base_value": raw, "probe_increase": delta, "step": step,
                       "max_increase": cap, "runs": runs,
                       "p_base": float(base_met.mean()), "p_probe": float(met.mean()),
                       "difference": diff.difference.to_dict()})
        log(f"  capacity probe {c.path} +{delta:g}: P {base_met.mean():.3f} -> {met.mean():.3f}")
    probes.sort(key=lambda r: -r["difference"]["estimate"])
    doc["candidates"] = probes
    n_cap = min(budget.capacity_runs, study.runs)
    p0 = _p_first(study, relief_id, n_cap)
    for pr in [r for r in probes if r["difference"]["estimate"] > 0][:budget.capacity_candidates]:
        # One study at the largest increase first: if even that cannot reach the goal (the upper
        # end of its interval stays below), there is nothing to search for on this resource.
        top = run_study(increase(sc, pr["resource"], pr["max_increase"]), n_cap, seed,
                        executor=info, progress=progress).p_holds(relief_id)
        if top.high < goal:
            pts = [{"increase": 0.0, **p0.to_dict()}]
            if pr["runs"] == n_cap:
                pts.append({"increase": pr["probe_increase"],
                            **wilson(round(pr["p_probe"] * n_cap), n_cap).to_dict()})
            pts.append({"increase": pr["max_increase"], **top.to_dict()})
            sd: dict[str, Any] = {
                "target": relief_id, "resource": pr["resource"], "goal": goal,
                "base_value": pr["base_value"], "step": pr["step"], "increase": None,
                "p_holds": None, "increase_low": None, "increase_high": None,
                "max_increase": pr["max_increase"], "runs": n_cap, "seed": seed,
                "evaluated": pts, "searched": False,
                "statement": (f"even +{_num(pr['max_increase'])} (the largest increase tried) "
                              f"gives P(holds) {top.estimate:.3f} [{top.low:.3f}, "
                              f"{top.high:.3f}]: the goal {goal:g} is out of reach on this "
                              "resource alone, so no finer search was run.")}
        else:
            plan = plan_capacity(sc, relief_id, pr["resource"], goal, runs=n_cap, seed=seed,
                                 step=pr["step"], max_increase=pr["max_increase"],
                                 executor=info, progress=progress)
            sd = plan.to_dict()
            statement = plan.statement()
            if plan.increase is None:
                best = max(plan.evaluated.items(), key=lambda kv: kv[1].estimate)
                statement = (f"no increase up to +{_num(pr['max_increase'])} lifts the estimated "
                             f"P(holds) to {goal:g} (best {best[1].estimate:.3f} "
                             f"[{best[1].low:.3f}, {best[1].high:.3f}] at +{_num(best[0])})"
                             + (f"; the upper end of the interval reaches it from "
                                f"+{_num(plan.increase_low)}" if plan.increase_low is not None
                                else "") + ".")
            sd.update({"statement": statement, "searched": True})
        sd.update({"label": pr["label"], "reference": pr["reference"]})
        doc["searches"].append(sd)
        log(f"  capacity search {pr['resource']}: increase {sd['increase']}")
    found = [s for s in doc["searches"] if s["increase"] is not None]
    if found:
        best = min(found, key=lambda s: s["increase"] / (s["reference"] or 1.0))
        doc["best"] = {k: best[k] for k in ("resource", "label", "increase", "increase_low",
                                            "increase_high", "p_holds", "reference", "runs")}
        doc["best"]["relative"] = best["increase"] / (best["reference"] or 1.0)
    doc["status"] = ("found" if found else "not_found" if doc["searches"]
                     else "no_candidate_helps")
    return doc


# -- the report --------------------------------------------------------------------------------
def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_report(scenario: str | Path, out: str | Path, *, seed: int = 0,
                 budget: Budget = FULL, workers: int | None = None,
                 progress: bool | None = None,
                 log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Study a scenario file and write its plan report into ``out``.

    Parameters
    ----------
    scenario : path
        The scenario file.
    out : path
        Directory for ``report.md``, ``report.json`` and the figures (created if missing).
    seed : int
        Root seed of every study of the report (all on common random numbers).
    budget : Budget
        Run counts (:data:`FULL` or :data:`QUICK`, or a variant of them).
    workers : int, optional
        Local worker processes (default all cores).
    progress : bool, optional
        Progress bars on stderr (default: when stderr is a terminal).
    log : callable, optional
        Receives one line per stage (default: print to stderr).

    Returns
    -------
    dict
        The report's JSON document (also written to ``out/report.json``).

    Raises
    ------
    ScenarioError
        If the scenario file is invalid.
    """
    from sim.study.executors import open_executor
    from sim.study.runner import run_study
    from sim.study.store import code_version, file_hash, scenario_hash

    say = log or _stderr
    file = Path(scenario)
    fhash = file_hash(file)
    sc = load_scenario(file)  # one snapshot of the file for every analysis of the report
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    relief = relief_target(sc)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    with open_executor(workers) as info:
        t0 = time.perf_counter()
        say(f"{sc.name}: study until every P(holds) interval is within ±{budget.until_ci:g} "
            f"(at most {budget.max_runs} runs) on {info.description}")
        study = run_study(sc, min(budget.first_round, budget.max_runs), seed,
                          until_ci=budget.until_ci, max_runs=budget.max_runs, executor=info,
                          progress=progress)
        summary = study.summary()
        timings["study"] = time.perf_counter() - t0
        say(f"  {study.runs} runs in {timings['study']:.0f} s")
        t0 = time.perf_counter()
        series = run_study(sc, min(budget.series_runs, study.runs), seed, series=True,
                           executor=info, progress=progress)
        timings["series"] = time.perf_counter() - t0
        label = _label(relief) if relief is not None else ""
        failure: dict[str, Any] | None = None
        disc = None
        others: list[dict[str, Any]] = []
        t0 = time.perf_counter()
        if relief is not None:
            failure, disc = _failure_section(study, relief.id, label)
        for t in sc.targets:
            if relief is not None and t.id == relief.id:
                continue
            ts = summary.target(t.id)
            if ts.applicable and ts.holds < ts.applicable:
                from sim.study.discovery import discover

                d = discover(study, t.id)
                others.append({"target": t.id, "plain": plain_failure(d, _label(t)),
                               "statement": d.statement})
        timings["discovery"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        say("  sensitivity (Morris)")
        sens, sres = _sensitivity_section(sc, study, summary,
                                          relief.id if relief is not None else None, budget,
                                          seed, info, progress)
        timings["sensitivity"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        say("  capacity search")
        capacity = _capacity_section(sc, study, relief.id if relief is not None else None,
                                     budget, seed, info, progress, say)
        timings["capacity"] = time.perf_counter() - t0
        executor = info.description
    relief_doc = (_relief_section(study, series, relief, budget.goal)
                  if relief is not None else None)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "scenario": _scenario_facts(sc, file, study),
        "seed": seed,
        "budget": asdict(budget),
        "study": summary.to_dict(),
        "series_runs": series.runs,
        "relief": relief_doc,
        "failure": failure,
        "other_failures": others,
        "sensitivity": sens,
        "capacity": capacity,
        "assumptions": [a.to_dict() for a in assumptions(sc)],
        "provenance": {t.id: {"source": t.source, "citations": plan_citations(t.source)}
                       for t in sc.targets},
        "executor": executor,
        "timings_s": timings,
        "code": code_version(),
        "scenario_sha256": scenario_hash(sc),
        "file_sha256": fhash,
    }
    plans = file.resolve().parent / "plans"
    doc["plans_link"] = (os.path.relpath(plans, outdir.resolve()).replace(os.sep, "/")
                         if plans.is_dir() else None)
    t0 = time.perf_counter()
    doc["figures"] = _write_figures(outdir, study, series, summary, relief, relief_doc, disc,
                                    sres, sens, capacity, budget.goal)
    timings["figures"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_all
    doc = _finite(doc)
    (outdir / "report.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    (outdir / "report.md").write_text(render_markdown(doc), encoding="utf-8")
    say(f"  wrote {outdir / 'report.md'} ({timings['total']:.0f} s)")
    return doc


def _label(target: Any) -> str:
    if target.kind == "relief_within":
        return f"Basic relief within {target.hours:g} h"
    if target.clause is not None and target.clause.en:
        en = str(target.clause.en)
        return f"The target “{en[:1].upper() + en[1:]}”"
    return f"The target {target.id}"


def _write_figures(outdir: Path, study: Study, series: Study, summary: StudySummary,
                   relief: Any, relief_doc: Mapping[str, Any] | None, disc: Discovery | None,
                   sres: Any, sens: Mapping[str, Any], capacity: Mapping[str, Any],
                   goal: float) -> dict[str, str]:
    from sim.report import figures as F
    from sim.report import plan_figures as P

    out: dict[str, str] = {}
    dpi = 90

    def save(fig: Any, key: str, name: str) -> None:
        fig.savefig(outdir / name, dpi=dpi)
        out[key] = name

    for old in outdir.glob("*.png"):
        old.unlink()
    save(F.p_holds(summary), "p_holds", "p_holds.png")
    if relief is not None and relief_doc is not None:
        x = _relief_times(study, series, relief)
        save(P.relief_distribution(x, relief.hours, relief.share, goal, series.series,
                                   f"{relief.id}: time until {relief.share:.0%} of the people "
                                   f"needing relief are relieved"), "relief_time",
             "relief_time.png")
    sser = series.series
    if sser is not None and any(c.startswith("shelter.") for c in sser.columns):
        sc = study.scenario
        save(P.shelter_totals(sser, shelter_places(sc),
                              [s.name for s in sc.shelters if s.reserve],
                              title=f"{sc.name}: people in shelters, {series.runs} runs"),
             "shelters", "shelters.png")
    if sser is not None and any(c.startswith("stock.") for c in sser.columns):
        save(F.fan_chart(series, "stock"), "stock", "stock.png")
    if disc is not None and disc.box is not None:
        save(F.discovery_box(disc, study), "failure", f"failure_{disc.target}.png")
    if sres is not None:
        for pt in sens.get("targets", []):
            save(F.sensitivity_bars(sres, pt["target"]), f"sensitivity_{pt['target']}",
                 f"sensitivity_{pt['target']}.png")
    if capacity.get("searches"):
        save(P.capacity_curves(capacity["searches"], goal,
                               f"{capacity['target']}: P(holds) as each resource grows"),
             "capacity", "capacity.png")
    return out


# -- Markdown ------------------------------------------------------------------------------------
def _num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "n/a"
    x = float(x)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if float(x).is_integer():
        return f"{int(x)}"
    return f"{x:.{digits}g}"


def _is_share(unit: str | None) -> bool:
    return bool(unit) and str(unit).startswith("share")


def fmt_value(x: Any, unit: str | None) -> str:
    """A target's value in the report: shares as percentages, other values with 3 digits."""
    if x is None:
        return "n/a"
    if _is_share(unit) and math.isfinite(float(x)):
        return f"{100 * float(x):.1f} %"
    return _num(x)


def fmt_p(t: Mapping[str, Any]) -> str:
    """P(holds) with its interval, as printed in the verdict table."""
    if t["p_holds"] is None:
        return "n/a (never applies)"
    return f"{t['p_holds']:.3f} [{t['ci_low']:.3f}, {t['ci_high']:.3f}]"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f} %"


def _verdict(t: Mapping[str, Any], goal: float) -> str:
    if t["p_holds"] is None:
        return "never applies"
    if t["ci_low"] >= goal:
        return f"holds (P ≥ {goal:.0%})"
    if t["ci_high"] < goal:
        return "fails" if t["ci_high"] < 0.5 else f"below {goal:.0%}"
    return f"near {goal:.0%}"


def _line_links(source: str | None, plans_link: str | None) -> str:
    cites = plan_citations(source)
    if not cites:
        if not source:
            return "—"
        short = source.split(" (")[0]
        return short if len(short) <= 60 else short[:57] + "…"
    out = []
    for c in cites:
        if plans_link:
            fname, _, line = c.partition("#")
            out.append(f"[{c}]({plans_link}/{fname}#{line.split('-')[0]})")
        else:
            out.append(c)
    return ", ".join(out)


def _clause(t: Mapping[str, Any]) -> str:
    cl = t.get("clause") or {}
    parts = [p for p in (cl.get("zh"), cl.get("en")) if p]
    return " / ".join(parts) if parts else t["id"]


def _esc(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _hours(x: Any) -> str:
    if x is None:
        return "never"
    return f"{float(x):.1f} h"


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The report in Markdown, from its JSON document only."""
    sc = doc["scenario"]
    figs = doc.get("figures", {})
    L: list[str] = []
    title = sc["title"]["en"] + (f" ({sc['title']['zh']})" if sc["title"].get("zh") else "")
    L += [f"# {title}: does the plan hold?", ""]
    L += [f"Generated by `sim report {sc['file']}` (seed {doc['seed']}) from "
          f"`report.json` in this directory; every number below comes from the runs.", ""]
    L += _headline(doc)
    L += ["## The scenario and its hazard", "", _scenario_paragraph(sc), ""]
    L += _verdict_table(doc)
    if doc.get("relief"):
        L += _relief_md(doc)
    if figs.get("shelters") or figs.get("stock"):
        L += ["## Shelters and stock over time", ""]
        n = doc["series_runs"]
        L += [f"Fan charts over the first {n} runs of the study (median, 25-75 % and 5-95 % of "
              "runs), hours from the hazard onset.", ""]
        if figs.get("shelters"):
            L += [f"![people in shelters]({figs['shelters']})", ""]
        if figs.get("stock"):
            L += [f"![stock on hand]({figs['stock']})", ""]
    L += _failure_md(doc)
    L += _capacity_md(doc)
    L += _sensitivity_md(doc)
    L += _assumptions_md(doc)
    L += _method_md(doc)
    return "\n".join(L).rstrip() + "\n"


def _relief_t(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    r = doc.get("relief")
    if not r:
        return None
    for t in doc["study"]["targets"]:
        if t["id"] == r["target"]:
            found: Mapping[str, Any] = t
            return found
    return None


def _headline(doc: Mapping[str, Any]) -> list[str]:
    t = _relief_t(doc)
    goal = doc["budget"]["goal"]
    if t is None:
        return ["**The scenario has no basic-relief target.**", ""]
    r = doc["relief"]
    p = fmt_p(t)
    lines = [f"**Does basic relief within {r['hours']:g} hours hold?** "
             f"P(holds) = {p} (95 % Wilson interval, {t['applicable_runs']:,} runs): "
             + _answer(t, goal) + "."]
    f = doc.get("failure")
    if f and f.get("failures"):
        lines.append(f"**Why not:** {f['plain']}"
                     + (f" {f['holds_when']}" if f.get("holds_when") else "")
                     + (f" {f['metrics_plain']}" if f.get("metrics_plain") else "")
                     + _top_inputs(doc))
    cap = doc.get("capacity") or {}
    lines.append(f"**What would make it hold at {goal:.0%}:** {_capacity_sentence(cap)}")
    return ["", *[x + "\n" for x in lines]]


def _top_inputs(doc: Mapping[str, Any], top: int = 3) -> str:
    """The inputs that move the relief target's value most (Morris), as a clause."""
    s = doc.get("sensitivity") or {}
    rid = (doc.get("relief") or {}).get("target")
    for pt in s.get("targets", []):
        if pt["target"] == rid:
            rows = [r for r in pt["inputs"] if r["mu_star_norm"] >= 0.1
                    and r["source_kind"] != "randomness"][:top]
            if not rows:
                return ""
            names = [r["words"] + (" (an assumption)" if r["source_kind"] == "assumption"
                                   else " (partly assumed)"
                                   if r["source_kind"] == "partly assumed" else "")
                     for r in rows]
            return (" The inputs that move the share relieved in time most (Morris "
                    f"screening) are: {_joined(names)}.")
    return ""


def _answer(t: Mapping[str, Any], goal: float) -> str:
    p, lo, hi = t["p_holds"], t["ci_low"], t["ci_high"]
    if lo >= goal:
        return f"the target holds with a probability of at least {goal:.0%}"
    if hi < goal:
        return (f"it does not hold at {goal:.0%}; it holds in about {p:.0%} of the disasters "
                "simulated")
    return f"the data cannot tell whether it holds at {goal:.0%}"


def _capacity_sentence(cap: Mapping[str, Any]) -> str:
    status = cap.get("status")
    goal = cap.get("goal", 0.9)
    if status == "already":
        return "nothing: it already holds at that level."
    if status == "no_target":
        return "no relief target to search for."
    if status == "skipped":
        return "no capacity search was run (quick report)."
    if status == "no_candidate_helps":
        tried = ", ".join(c["label"] for c in cap.get("candidates", [])) or "none"
        return (f"none of the candidate resources ({tried}) changed P(holds) when increased by "
                "about half: the target depends on something else (see the failure conditions "
                "and the sensitivity below).")
    if status == "not_found":
        parts = []
        for s in cap["searches"]:
            best = max(s["evaluated"], key=lambda e: e["estimate"])
            parts.append(f"{s['label']} up to +{_num(s['max_increase'])} "
                         f"(best {best['estimate']:.3f} [{best['low']:.3f}, {best['high']:.3f}] "
                         f"at +{_num(best['increase'])})")
        return f"no single resource searched reached {goal:.0%}: " + "; ".join(parts) + "."
    b = cap.get("best")
    if not b:
        return "n/a"
    p = b["p_holds"]
    return (f"+{_num(b['increase'])} {b['label']} (+{100 * b['relative']:.0f} % of "
            f"{_num(b['reference'])}) lifts P(holds) to {p['estimate']:.3f} "
            f"[{p['low']:.3f}, {p['high']:.3f}] on {b['runs']} common-random-number runs.")


def _many(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _scenario_paragraph(sc: Mapping[str, Any]) -> str:
    parts = []
    if sc.get("description"):
        parts.append(sc["description"].rstrip(".") + ".")
    stocks = ", ".join(f"{n} {tier}" for tier, n in sc["stock_points"].items())
    supplies = "agreement or mutual-aid supplies"
    parts.append(
        f"The scenario has {_many(sc['zones'], 'zone')} with {sc['population']:,} residents; "
        f"{_many(sc['shelters'], 'shelter')} with {_num(sc['shelter_places'])} planned places"
        + (f" and {_many(sc['reserve_shelters'], 'reserve site')} with "
           f"{_num(sc['reserve_places'])} more" if sc["reserve_shelters"] else "")
        + f"; {_many(sum(sc['stock_points'].values()), 'stock point')} ({stocks or 'none'}); "
        f"{_num(sc['trucks_mean'])} trucks on average in {_many(sc['truck_fleets'], 'fleet')}; "
        f"{_many(sc['teams'], 'team')} with {sc['team_members']:,} members; "
        f"{_many(sc['supplies'], 'agreement or mutual-aid supply', supplies)}; "
        f"{_many(sc['uncertain_inputs'], 'uncertain input')}.")
    hz = sc.get("hazard_inputs") or []
    if hz:
        txt = "; ".join(f"{h['words']} {_num(h['p5'])}–{_num(h['p95'])} ({h['dist']})"
                        for h in hz[:8])
        parts.append(f"The hazard is a {sc['hazard']}; its main inputs range (5th–95th "
                     f"percentile of the runs) over: {txt}.")
    oc = sc.get("outcomes") or {}
    words = {"needing_relief": "people needed basic relief",
             "evacuated_before_onset": "were evacuated before onset",
             "displaced_by_hazard": "were displaced by the hazard itself",
             "shelter_peak_total": "were in shelters at the peak",
             "unplaced_peak": "had no place at the peak",
             "killed": "were killed", "injured": "were injured"}
    bits = [f"{_num(v['p50'])} ({_num(v['p5'])}–{_num(v['p95'])}) {words[k]}"
            for k, v in oc.items() if v is not None]
    if bits:
        parts.append("In the median run (5th–95th percentile) " + "; ".join(bits) + ".")
    return " ".join(parts)


def _verdict_table(doc: Mapping[str, Any]) -> list[str]:
    st = doc["study"]
    goal = doc["budget"]["goal"]
    stop = st.get("stop") or {}
    L = ["## Verdict", ""]
    why = {"precision": f"every applicable target's interval half-width is at most "
                        f"{_num(stop.get('until_ci'))}",
           "max_runs": f"the cap of {st['runs']:,} runs was reached before every interval was "
                       f"within ±{_num(stop.get('until_ci'))} (widest half-width "
                       f"{_num(stop.get('max_half_width'))})",
           "runs": "a fixed number of runs"}.get(stop.get("reason", "runs"), "")
    L += [f"{st['runs']:,} runs (root seed {st['seed']}); the study stopped when {why}. "
          f"P(holds) counts the runs where the target applies; 95 % Wilson intervals.", ""]
    L += ["| target | plan clause | plan line | P(holds) [95 % CI] | verdict | applies "
          "| value median (p5–p95) | threshold |",
          "|---|---|---|---|---|---|---|---|"]
    for t in st["targets"]:
        q = t["value"]["quantiles"]
        med = (q.get("0.5") or {}).get("estimate")
        p5 = (q.get("0.05") or {}).get("estimate")
        p95 = (q.get("0.95") or {}).get("estimate")
        val = (f"{fmt_value(med, t['unit'])} ({fmt_value(p5, t['unit'])}–"
               f"{fmt_value(p95, t['unit'])})" if t["applicable_runs"] else "n/a")
        thr = f"{t['comparison']} {fmt_value(t['threshold'], t['unit'])}"
        if t.get("threshold_varies"):
            thr += " (median)"
        applies = _pct(t["p_applies"])
        L.append("| " + " | ".join(_esc(x) for x in (
            f"`{t['id']}`", _clause(t), _line_links(t["source"], doc.get("plans_link")),
            fmt_p(t), _verdict(t, goal), applies, val, thr)) + " |")
    L += ["", "Units: " + "; ".join(f"`{t['id']}`: {t['unit']}" for t in st["targets"]
                                    if t.get("unit")) + ".", ""]
    if doc.get("figures", {}).get("p_holds"):
        L += [f"![P(holds) per target]({doc['figures']['p_holds']})", ""]
    return L


def _relief_md(doc: Mapping[str, Any]) -> list[str]:
    r = doc["relief"]
    q = r["quantiles"]
    L = [f"## Time to basic relief against the {r['hours']:g} h line", ""]
    n = r["runs_with_need"]
    src = ("the run's time series (hourly)" if r["from_series"]
           else "each run's relief records")
    L.append(
        f"Hours from the onset until {r['share']:.0%} of the people needing basic relief were "
        f"relieved, from {src}: median {_hours(q['0.5'])}, 75th percentile {_hours(q['0.75'])}, "
        f"90th percentile {_hours(q['0.9'])}. It is within {r['hours']:g} h in "
        f"{r['within_hours']:,} of {n:,} runs"
        + (f"; in {r['never']:,} runs {r['share']:.0%} is never reached within the simulated "
           "period" if r["never"] else "")
        + (f"; {r['runs_without_need']:,} runs had nobody needing relief"
           if r["runs_without_need"] else "")
        + f". The time the plan could promise with {r['goal']:.0%} probability is the 90th "
        f"percentile: {_hours(q['0.9'])}.")
    L.append("")
    if doc.get("figures", {}).get("relief_time"):
        L += [f"![time to relief]({doc['figures']['relief_time']})", ""]
    return L


def _failure_md(doc: Mapping[str, Any]) -> list[str]:
    f = doc.get("failure")
    L = ["## Why basic relief fails: the main failure conditions", ""]
    if not f:
        return [*L, "The scenario has no basic-relief target.", ""]
    L += [f["plain"], ""]
    if f.get("holds_when"):
        L += [f["holds_when"], ""]
    if f.get("metrics_plain"):
        L += [f["metrics_plain"], ""]
    box = f.get("box")
    if box:
        L += [("" if f.get("significant") else "The best box PRIM found is not significant "
               "(no restriction has a quasi-p of 5 % or less), so it is not read as a failure "
               "condition; for the record: ")
              + f"PRIM (Friedman & Fisher 1999) over the {f['runs']:,} runs of the study, in the "
              f"scenario's own inputs: coverage {box['coverage']:.2f} (share of all failures "
              f"inside the box), density {box['density']:.2f} (share of runs inside the box that "
              f"fail), against {f['base_rate']:.2f} overall; the box holds {box['mass']:.0%} of "
              "the runs.", "",
              "| condition | input | range in the runs | quasi-p | source |",
              "|---|---|---|---|---|"]
        for r in box["restrictions"]:
            L.append("| " + " | ".join(_esc(x) for x in (
                f"`{r['text']}`", r["words"], f"{_num(r['data_min'])} – {_num(r['data_max'])}",
                f"{r['quasi_p']:.2g}" if r["quasi_p"] is not None else "n/a",
                f"{_kind_mark(r['source_kind'])} {_short(r['source'])}")) + " |")
        L.append("")
        if doc.get("figures", {}).get("failure"):
            L += [f"![failure conditions]({doc['figures']['failure']})", ""]
    if f.get("metrics"):
        L += ["What differs between the runs where it fails and where it holds (run metrics, "
              "largest standardised difference first):", "",
              "| metric | mean (median) when it holds | mean (median) when it fails | "
              "difference (sd) |", "|---|---|---|---|"]
        for m in f["metrics"]:
            L.append(f"| `{m['metric']}` | {_num(m['mean_holds'])} ({_num(m['median_holds'])}) "
                     f"| {_num(m['mean_fails'])} ({_num(m['median_fails'])}) | "
                     f"{m['effect']:+.2f} |")
        L.append("")
    if doc.get("other_failures"):
        L += ["Other targets that fail in some runs:", ""]
        for o in doc["other_failures"]:
            L.append(f"- `{o['target']}`: {o['plain']}")
        L.append("")
    return L


def _kind_mark(kind: str | None) -> str:
    return {"assumption": "**assumption**", "partly assumed": "**partly assumed**",
            "none": "**no source**", "randomness": ""}.get(kind or "", "cited:")


def _short(s: str | None, n: int = 110) -> str:
    if not s:
        return ""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _capacity_md(doc: Mapping[str, Any]) -> list[str]:
    cap = doc.get("capacity") or {}
    goal = cap.get("goal", doc["budget"]["goal"])
    L = [f"## The smallest extra resource for {goal:.0%}", ""]
    L += [_capacity_sentence(cap), ""]
    if cap.get("candidates"):
        c0 = cap["candidates"][0]
        L += [f"Candidates, chosen from the scenario and ranked by the change in P(holds) when "
              f"each grows by about half, on the first {c0['runs']} runs of the study (the same "
              "disasters for every variant; Newcombe interval for paired proportions):", "",
              "| resource | in the plan | probe | P(holds) before → after | difference [95 % CI] |",
              "|---|---|---|---|---|"]
        for c in cap["candidates"]:
            d = c["difference"]
            L.append(f"| {_esc(c['label'])} (`{c['resource']}`) | {_num(c['reference'])} | "
                     f"+{_num(c['probe_increase'])} | {c['p_base']:.3f} → {c['p_probe']:.3f} | "
                     f"{d['estimate']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] |")
        L.append("")
    for s in cap.get("searches", []):
        L += [f"**{s['label']}** (`{s['resource']}`, {_num(s['reference'])} in the plan; search "
              f"grid +{_num(s['step'])} up to +{_num(s['max_increase'])}, {s['runs']} "
              "common-random-number runs per step): " + s["statement"], ""]
        L += ["| increase | P(holds) [95 % CI] |", "|---|---|"]
        for e in s["evaluated"]:
            L.append(f"| +{_num(e['increase'])} | {e['estimate']:.3f} [{e['low']:.3f}, "
                     f"{e['high']:.3f}] |")
        L.append("")
    if doc.get("figures", {}).get("capacity"):
        L += [f"![capacity search]({doc['figures']['capacity']})", ""]
    return L


def _sensitivity_md(doc: Mapping[str, Any]) -> list[str]:
    s = doc.get("sensitivity") or {}
    L = ["## The assumptions that matter most", ""]
    if not s.get("targets"):
        notes = "; ".join(f"`{k}`: {v}" for k, v in (s.get("notes") or {}).items())
        return [*L, "No sensitivity analysis was possible" + (f" ({notes})." if notes else "."),
                ""]
    screen = (f"the {s['inputs_varied']} of {s['inputs_declared']} uncertain inputs most "
              "rank-correlated with these targets' values in the study's runs (the others keep "
              "their own random draws and count as run-to-run randomness)"
              if s["screened"] else f"all {s['inputs_varied']} uncertain inputs")
    L += [f"Morris elementary effects ({s['trajectories']} trajectories, {s['runs']:,} runs) "
          f"over {screen}. mu\\* is the mean absolute change of the target's value per move of "
          "an input across its range (in the value's unit); mu\\*/max compares inputs within a "
          "target. Inputs whose source is an assumption are marked.", ""]
    top = s.get("assumptions_that_matter") or []
    if top:
        L += ["Assumptions that move a target most (mu\\*/max ≥ 0.1 for some target):", ""]
        for r in top:
            L.append(f"- {r['words']} (`{r['input']}`): mu\\*/max {r['mu_star_norm']:.2f} for "
                     f"`{r['target']}`; {_kind_mark(r['source_kind'])} {_short(r['source'])}")
        L.append("")
    for pt in s["targets"]:
        L += [f"### `{pt['target']}`", "",
              "| input | mu\\* [95 % CI] | mu\\*/max | source |", "|---|---|---|---|"]
        shown = [r for r in pt["inputs"] if r["mu_star_norm"] >= 0.05][:10] or pt["inputs"][:3]
        for r in shown:
            L.append("| " + " | ".join(_esc(x) for x in (
                f"{r['words']} (`{r['input']}`)",
                f"{_num(r['mu_star'])} ± {_num(r['mu_star_conf'])}", f"{r['mu_star_norm']:.2f}",
                f"{_kind_mark(r['source_kind'])} {_short(r['source'], 90)}".strip())) + " |")
        L.append("")
        fig = doc.get("figures", {}).get(f"sensitivity_{pt['target']}")
        if fig:
            L += [f"![sensitivity of {pt['target']}]({fig})", ""]
    for k, v in (s.get("notes") or {}).items():
        L.append(f"- `{k}`: not analysed, {v}.")
    if s.get("notes"):
        L.append("")
    return L


def _assumptions_md(doc: Mapping[str, Any]) -> list[str]:
    a = doc.get("assumptions") or []
    n_paths = sum(len(x["paths"]) for x in a)
    L = ["## Every assumption in the scenario", "",
         f"{len(a)} distinct assumptions cover {n_paths} entities, fields or distributions of the "
         "scenario file (their `source` says \"assumption\"; “partly” marks a cited number with "
         "an assumed part).", ""]
    for x in a:
        where = ", ".join(f"`{p}`" for p in x["paths"][:4])
        if len(x["paths"]) > 4:
            where += f" and {len(x['paths']) - 4} more"
        mark = " (partly)" if x["kind"] == "partly assumed" else ""
        L.append(f"- {where}{mark}: {_esc(' '.join(x['text'].split()))}")
    L.append("")
    return L


def _method_md(doc: Mapping[str, Any]) -> list[str]:
    tm = doc.get("timings_s") or {}
    b = doc["budget"]
    code = doc.get("code") or {}
    return ["## How this report was made", "",
            f"Study: {doc['study']['runs']:,} runs (first round {b['first_round']}, target "
            f"half-width {b['until_ci']}, cap {b['max_runs']:,}); time series kept for the first "
            f"{doc['series_runs']} runs; PRIM on the study's runs; Morris screening of "
            f"{(doc.get('sensitivity') or {}).get('runs', 0):,} runs; capacity probes of "
            f"{b['probe_runs']} runs and searches of {b['capacity_runs']} runs per step. All on "
            f"{doc.get('executor')}, root seed {doc['seed']}, in "
            f"{tm.get('total', 0):.0f} s. Scenario sha256 `{doc.get('scenario_sha256', '')[:16]}`"
            f"; code {code.get('git') or code.get('sim')}.", ""]


def run_reports(files: Sequence[str | Path], out_root: str | Path, *, seed: int = 0,
                budget: Budget = FULL, workers: int | None = None,
                progress: bool | None = None,
                log: Callable[[str], None] | None = None) -> list[Path]:
    """Write the report of each scenario file into ``out_root/<scenario name>/``.

    Files that do not exist are skipped with a message. Returns the report directories written.
    """
    say = log or _stderr
    done = []
    for f in files:
        p = Path(f)
        if not p.is_file():
            say(f"skipping {p}: no such file yet")
            continue
        name = load_scenario(p).name
        d = Path(out_root) / name
        build_report(p, d, seed=seed, budget=budget, workers=workers, progress=progress,
                     log=say)
        done.append(d)
    return done


def with_overrides(budget: Budget, **kw: Any) -> Budget:
    """The budget with the given fields replaced (None values are ignored)."""
    return replace(budget, **{k: v for k, v in kw.items() if v is not None})
