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

from sim.report.fingerprint import fingerprint
from sim.report.plan_markdown import fmt_num, joined, render_markdown
from sim.report.provenance import (
    assumptions,
    describe_input,
    plan_citations,
    provenance,
    source_kind,
)
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.plan_items import plan_item_status
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario
from sim.standards import evaluate_standards

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

    def __post_init__(self) -> None:
        from sim.study.runner import check_until_ci

        check_until_ci(self.until_ci)
        if self.max_runs < 1:
            raise ValueError(f"max_runs must be at least 1, got {self.max_runs}")


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
                      for q in sorted({0.05, 0.25, 0.5, 0.75, 0.9, 0.95, goal})},
        "goal": goal,
        "from_series": f"metric.relief_p{round(float(target.share) * 100)}_h"
        not in study.table,
    }


def _plain_condition(r: Any) -> str:
    from sim.scenario.labels import describe
    from sim.study.discovery import _fmt

    en = getattr(r, "words", "") or describe(r.input)
    zh = getattr(r, "words_zh", "") or describe(r.input, lang="zh")
    name = f"{en} ({zh})"
    lo = None if r.low is None else _fmt(r.low, r.integer)
    hi = None if r.high is None else _fmt(r.high, r.integer)
    span = (r.data_max - r.data_min) or 1.0
    if lo is not None and hi is not None:
        share = (r.high - r.low) / span
        return f"{name} is between {lo} and {hi} ({share:.0%} of its range in the runs)"
    if lo is not None:
        return f"{name} is at least {lo} (the top {(r.data_max - r.low) / span:.0%} of its range)"
    return f"{name} is at most {hi} (the bottom {(r.high - r.data_min) / span:.0%} of its range)"


def _significant(box: Any) -> bool:
    return any(r.quasi_p <= 0.05 for r in box.restrictions)


def plain_failure(d: Discovery, label: str) -> str:
    """One sentence on when a target fails, from its PRIM box, in words.

    The box is stated as the conditions under which the target fails, an association across the
    runs, never as a cause; inputs are named in English and Chinese (:mod:`sim.scenario.labels`).

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
    text = (f"The conditions under which {label[:1].lower() + label[1:]} fails most often (an "
            "association across the runs, not a proven cause): "
            f"{joined(failure_conditions(d))}. Such runs are "
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
    from sim.study.discovery import Discovery, label_box, prim

    met = study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    n, k = len(met), int(met.sum())
    if k < 10 or k >= n / 2:
        return None
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    if x.shape[1] == 0:
        return None
    box, _ = prim(x, met)
    box = label_box(box, study.scenario)
    if box is None or not _significant(box):
        return None
    conds = failure_conditions(Discovery(target_id, n, k, k / n, box, None, ""))
    return ("The conditions under which it holds most often (an association, not a proven "
            f"cause): {joined(conds)}. Such runs are {box.mass:.0%} of all runs, "
            f"it holds in {box.density:.0%} of them (against {k / n:.0%} overall), and they are "
            f"{box.coverage:.0%} of the runs where it holds.")


def failure_conditions(d: Discovery) -> list[str]:
    """The restrictions of a PRIM box in words (empty without a box)."""
    return [] if d.box is None else [_plain_condition(r) for r in d.box.restrictions]


def metric_sentence(metrics: Sequence[Mapping[str, Any]], top: int = 3) -> str:
    """How failing runs differ from holding runs, from :func:`metric_contrast`, in words.

    The response's resources and operations (what the plan controls) are said apart from the
    consequences of the disaster's severity (casualties, hospital load, ambulance trips): the
    latter describe how severe the failing runs were, not why the target fails. Both are
    associations across the runs, not proven causes.
    """
    from sim.study.metric_kinds import metric_words

    def part(m: Mapping[str, Any]) -> str:
        more = "more" if m["effect"] > 0 else "less"
        return (f"{more} {m.get('words') or metric_words(m['metric'])} (mean "
                f"{fmt_num(m['mean_fails'])} against {fmt_num(m['mean_holds'])})")

    ops = [part(m) for m in metrics if m.get("kind", "operations") == "operations"][:top]
    sev = [part(m) for m in metrics if m.get("kind") == "severity"][:top]
    text = []
    if ops:
        text.append("In the response's resources and operations, the runs where it fails have "
                    + "; ".join(ops) + " than the runs where it holds (an association across "
                    "the runs, not a proven cause).")
    if sev:
        text.append("How severe the failing runs were (consequences of the disaster, not "
                    "causes of the failure): " + "; ".join(sev) + ".")
    return " ".join(text)


_SKIP_METRICS = ("metric.relief_p", "metric.events", "metric.simpy_events", "metric.population",
                 "metric.needing_relief", "metric.relieved")


def metric_contrast(table: pd.DataFrame, fails: np.ndarray, top: int = 8
                    ) -> list[dict[str, Any]]:
    """The run metrics that differ most between runs where a target fails and where it holds.

    Each carries its ``kind`` (:mod:`sim.study.metric_kinds`): ``operations`` (resources and
    operations of the response) or ``severity`` (consequences of the disaster's severity, to be
    read as how severe the failing runs were, not as causes); outcome and bookkeeping metrics
    are left out. Ranked by the absolute standardised difference of means (difference over the
    standard deviation across all runs), the ``top`` of each kind kept; metrics that are
    undefined in most runs of either group are left out.
    """
    out: list[dict[str, Any]] = []
    f = np.asarray(fails, dtype=bool)
    if f.sum() < 3 or (~f).sum() < 3:
        return []
    from sim.study.metric_kinds import metric_kind, metric_words

    for c in table.columns:
        if not c.startswith("metric.") or c.startswith(_SKIP_METRICS):
            continue
        try:
            kind: str = metric_kind(c)
        except KeyError:
            kind = "unclassified"
        if kind in ("outcome", "bookkeeping"):
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
                    "mean_fails": float(np.nanmean(a)), "effect": eff, "kind": kind,
                    "words": metric_words(c), "words_zh": metric_words(c, "zh")})
    out.sort(key=lambda r: -abs(float(r["effect"])))
    seen: dict[str, int] = {}
    kept = []
    for r in out:
        seen[r["kind"]] = seen.get(r["kind"], 0) + 1
        if seen[r["kind"]] <= top:
            kept.append(r)
    return kept


def _failure_section(study: Study, target_id: str, label: str) -> tuple[dict[str, Any],
                                                                      Discovery]:
    from sim.study.discovery import discover

    d = discover(study, target_id)
    fails = ~study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    doc = d.to_dict()
    doc.pop("trajectory", None)
    if doc.get("box"):
        for r in doc["box"]["restrictions"]:
            r["words"] = r.get("words") or describe_input(r["input"])
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
    from sim.scenario.labels import describe
    from sim.study.sensitivity import (
        NOISE,
        interval_excludes_zero,
        sensitivity,
        significant_drivers,
    )

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
                         if path == NOISE else describe(path, sc),
                         "words_zh": "单次运行的随机性（非设定输入）"
                         if path == NOISE else describe(path, sc, "zh"),
                         "significant": interval_excludes_zero(r),
                         "mu_star": float(r["mu_star"]), "mu_star_conf": float(r["mu_star_conf"]),
                         "mu_star_norm": float(r["mu_star_norm"]), "sigma": float(r["sigma"]),
                         "source": src, "source_kind": "randomness" if path == NOISE
                         else source_kind(src)})
        per_target.append({"target": tid, "inputs": rows,
                           "drivers": [str(p) for p in significant_drivers(
                               res, tid, min_share=0.1)["input"]]})
    # The assumptions that matter most: across targets, by normalised mu*.
    best: dict[str, dict[str, Any]] = {}
    for pt in per_target:
        for r in pt["inputs"]:
            if r["source_kind"] not in ("assumption", "partly assumed", "none"):
                continue
            if r["mu_star_norm"] < 0.1 or not r["significant"]:
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
    from sim.study.monotone import adverse_effect
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
        # More of a resource must not make the target significantly worse unexplained.
        eff = adverse_effect(base_met, met, target=relief_id, resource=c.label,
                             increase=f"+{delta:g}", base_table=base, more_table=st.table)
        probes.append({"resource": c.path, "label": c.label, "reference": c.reference,
                       "base_value": raw, "probe_increase": delta, "step": step,
                       "max_increase": cap, "runs": runs,
                       "p_base": float(base_met.mean()), "p_probe": float(met.mean()),
                       "difference": diff.difference.to_dict(),
                       "adverse": eff.to_dict() if eff is not None else None,
                       "adverse_statement": eff.statement() if eff is not None else None})
        log(f"  capacity probe {c.path} +{delta:g}: P {base_met.mean():.3f} -> {met.mean():.3f}")
    probes.sort(key=lambda r: -r["difference"]["estimate"])
    doc["candidates"] = probes
    n_cap = min(budget.capacity_runs, study.runs)
    p0 = _p_first(study, relief_id, n_cap)
    doc["p_search_base"] = p0.to_dict()
    doc["search_runs"] = n_cap
    # The search runs on the first n_cap runs, whose P(holds) differs from the whole study's by
    # sampling: it looks for the smallest increase whose paired gain on those runs lifts the
    # whole study's estimate to the goal, i.e. for P_search >= goal + (p0 - p).
    shift = p0.estimate - p.estimate
    search_goal = goal + shift
    doc["search_goal"] = search_goal
    if search_goal >= 1.0 - 1e-9 or search_goal <= 0.0:
        # Every search run already holds (or none could): no paired gain can be resolved.
        doc["status"] = "near"
        return doc
    for pr in [r for r in probes if r["difference"]["estimate"] > 0][:budget.capacity_candidates]:
        # A screen before the search: the probe, the middle of the range and its top. P need
        # not rise with the resource (more shelter places can keep people in shelters the storm
        # cuts off), so the screen stops the search only when none of them can reach the goal,
        # and says which increases it tried.
        mid = max(pr["step"], round(0.5 * pr["max_increase"] / pr["step"]) * pr["step"])
        screen = {inc: run_study(increase(sc, pr["resource"], inc), n_cap, seed, executor=info,
                                 progress=progress).p_holds(relief_id)
                  for inc in dict.fromkeys((mid, pr["max_increase"]))}
        if pr["runs"] == n_cap:
            screen[pr["probe_increase"]] = wilson(round(pr["p_probe"] * n_cap), n_cap)
        top = max(screen.values(), key=lambda iv: iv.high)
        if top.high < search_goal:
            pts = [{"increase": 0.0, **p0.to_dict()}]
            pts += [{"increase": inc, **iv.to_dict()} for inc, iv in sorted(screen.items())]
            sd: dict[str, Any] = {
                "target": relief_id, "resource": pr["resource"], "goal": goal,
                "base_value": pr["base_value"], "step": pr["step"], "increase": None,
                "p_holds": None, "increase_low": None, "increase_high": None,
                "max_increase": pr["max_increase"], "runs": n_cap, "seed": seed,
                "evaluated": pts, "searched": False,
                "statement": (f"none of +{', +'.join(fmt_num(x) for x in sorted(screen))} "
                              f"(up to the largest increase tried) reaches the goal: the best "
                              f"gives P(holds) {top.estimate:.3f} [{top.low:.3f}, "
                              f"{top.high:.3f}] on these runs (about "
                              f"{top.estimate - shift:.3f} for the whole study), so no finer "
                              "search was run.")}
        else:
            # The probe ran on these very runs: when it already shows the goal reached, nothing
            # beyond it needs to be tried.
            probe_ok = pr["runs"] == n_cap and wilson(
                round(pr["p_probe"] * n_cap), n_cap).low >= search_goal
            plan = plan_capacity(sc, relief_id, pr["resource"], search_goal, runs=n_cap,
                                 seed=seed,
                                 step=pr["step"],
                                 max_increase=pr["probe_increase"] if probe_ok
                                 else pr["max_increase"],
                                 executor=info, progress=progress)
            sd = plan.to_dict()
            sd["goal"] = goal
            if plan.increase is None:
                best = max(plan.evaluated.items(), key=lambda kv: kv[1].estimate)
                statement = (f"no increase up to +{fmt_num(pr['max_increase'])} lifts the "
                             f"estimated P(holds) of the whole study to {goal:g} (best "
                             f"{best[1].estimate:.3f} [{best[1].low:.3f}, {best[1].high:.3f}] "
                             f"on these runs at +{fmt_num(best[0])}, about "
                             f"{best[1].estimate - shift:.3f} for the whole study)"
                             + (f"; the upper end of the interval reaches it from "
                                f"+{fmt_num(plan.increase_low)}" if plan.increase_low is not None
                                else "") + ".")
            else:
                assert plan.p_holds is not None
                at = plan.p_holds
                hi = ("not shown within the search" if plan.increase_high is None
                      else f"+{fmt_num(plan.increase_high)}")
                statement = (f"+{fmt_num(plan.increase)} lifts P(holds) on these runs from "
                             f"{p0.estimate:.3f} to {at.estimate:.3f} [{at.low:.3f}, "
                             f"{at.high:.3f}], a paired gain of {at.estimate - p0.estimate:+.3f}"
                             f" that brings the whole study's {p.estimate:.3f} to about "
                             f"{at.estimate - shift:.3f} (goal {goal:g}). The data are "
                             f"consistent with needing from +{fmt_num(plan.increase_low)} "
                             f"(upper bound reaches the goal) to {hi} (lower bound reaches it).")
                sd["p_study"] = at.estimate - shift
            sd.update({"statement": statement, "searched": True})
        sd.update({"label": pr["label"], "reference": pr["reference"]})
        doc["searches"].append(sd)
        log(f"  capacity search {pr['resource']}: increase {sd['increase']}")
    found = [s for s in doc["searches"] if s["increase"] is not None]
    if found:
        best = min(found, key=lambda s: s["increase"] / (s["reference"] or 1.0))
        doc["best"] = {k: best[k] for k in ("resource", "label", "increase", "increase_low",
                                            "increase_high", "p_holds", "p_study", "reference",
                                            "runs")}
        doc["best"]["relative"] = best["increase"] / (best["reference"] or 1.0)
    doc["status"] = ("found" if found else "not_found" if doc["searches"]
                     else "no_candidate_helps")
    return doc


# -- the report --------------------------------------------------------------------------------
def _readings_section(sc: Scenario, study: Study, relief_id: str | None, budget: Budget,
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
    return out + _per_event_readings(sc, study)


def _per_event_readings(sc: Scenario, study: Study) -> list[dict[str, Any]]:
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
    sc = load_scenario(file)  # one snapshot of the file for every analysis of the report
    fhash = file_hash(file)
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
        t0 = time.perf_counter()
        readings = _readings_section(sc, study, relief.id if relief is not None else None,
                                     budget, seed, info, progress, say)
        timings["readings"] = time.perf_counter() - t0
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
        "zone_waits": _zone_waits_section(study, relief.id if relief is not None else None),
        "other_failures": others,
        "sensitivity": sens,
        "capacity": capacity,
        "readings": readings,
        "standards": [r.to_dict() for r in evaluate_standards(sc)],
        "plan_items": ([x.to_dict() for x in plan_item_status(file, sc)] if sc.plan else []),
        "assumptions": [a.to_dict() for a in assumptions(sc)],
        "provenance": {t.id: {"source": t.source, "citations": plan_citations(t.source)}
                       for t in sc.targets},
        "executor": executor,
        "timings_s": timings,
        "code": code_version(),
        "scenario_sha256": scenario_hash(sc),
        "file_sha256": fhash,
        # The first runs' numbers, re-run by ``sim results --check`` (sim.report.fingerprint).
        "fingerprint": fingerprint(study),
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


def _zone_waits_section(study: Study, target_id: str | None, top: int = 8
                        ) -> list[dict[str, Any]]:
    """The zones whose people wait longest for basic relief (:func:`sim.study.zone_waits`)."""
    from sim.study.zone_waits import zone_waits

    return zone_waits(study, target_id, top=top) if target_id is not None else []


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


def run_reports(files: Sequence[str | Path], out_root: str | Path, *, seed: int = 0,
                budget: Budget = FULL, workers: int | None = None,
                progress: bool | None = None,
                log: Callable[[str], None] | None = None
                ) -> tuple[list[Path], dict[str, str]]:
    """Write the report of each scenario file into ``out_root/<scenario name>/``.

    Files that do not exist are skipped with a message. A scenario that is invalid or whose
    runs fail is reported as failed and the others go on.

    Returns
    -------
    written : list of pathlib.Path
        The report directories written.
    failed : dict of str to str
        Per scenario file stem that failed, the one-line reason.
    """
    from sim.study.tasks import StudyRunError

    say = log or _stderr
    done: list[Path] = []
    failed: dict[str, str] = {}
    for f in files:
        p = Path(f)
        if not p.is_file():
            say(f"skipping {p}: no such file yet")
            continue
        d = Path(out_root) / p.stem
        try:
            d = Path(out_root) / load_scenario(p).name
            build_report(p, d, seed=seed, budget=budget, workers=workers, progress=progress,
                         log=say)
        except ScenarioError as exc:
            failed[p.stem] = "invalid scenario: " + "; ".join(str(x) for x in exc.problems)
        except StudyRunError as exc:
            failed[p.stem] = f"a run failed: {exc}"
        else:
            done.append(d)
            continue
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()  # made for a report that did not come
        say(f"{p}: report failed ({failed[p.stem]}); going on with the others")
    return done, failed


def with_overrides(budget: Budget, **kw: Any) -> Budget:
    """The budget with the given fields replaced (None values are ignored)."""
    return replace(budget, **{k: v for k, v in kw.items() if v is not None})
