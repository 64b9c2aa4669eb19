"""The analyses of a plan report as one plain document: does it hold, why not, what would.

:func:`analyse_plan` runs, for one scenario file,

1. a Monte Carlo study until every applicable target's P(holds) interval is narrow enough
   (:func:`sim.study.run_study` with ``until_ci``), and a shorter study on the same runs that keeps
   time series for fan charts;
2. scenario discovery (PRIM) of the targets' failures in the scenario's own inputs, with the run
   metrics that differ most between failing and holding runs (:mod:`sim.study.failure_words`);
3. a Morris screening of the relief target and of every target below the goal, with the
   provenance of each input (:mod:`sim.study.plan_sensitivity`);
4. "what would make it hold": one search over combinations of the plan's levers for every
   simulated target and for the plan as a whole (:mod:`sim.study.hold`);
5. every target under the plan's other readings (:mod:`sim.study.plan_readings`);

and returns the document (plain data, every number of the report) with the study objects the
figures are drawn from. :mod:`sim.report.plan_report` writes and renders it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.plan_items import plan_item_status
from sim.scenario.provenance import assumptions, plan_citations
from sim.standards import evaluate_standards
from sim.study.hold import HoldSettings, hold_analysis, simulated_targets
from sim.study.plan_facts import (
    relief_section,
    relief_target,
    scenario_facts,
    target_label,
    zone_waits_section,
)

if TYPE_CHECKING:
    from sim.study.discovery import Discovery
    from sim.study.runner import Study, StudySummary

__all__ = ["FULL", "QUICK", "Budget", "PlanAnalysis", "analyse_plan", "plain", "with_overrides"]

FORMAT = "sim-plan-report/2"


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
        Runs of each other reading of the plan (the study's first ones).
    search_runs, search_fresh_runs : int
        "What would make it hold": common-random-number runs per candidate, and runs of each
        fresh check.
    search_checks, search_each_checks : int
        Most fresh checks for the plan's answer (and each target's), and fresh checks reserved
        for the targets' own answers beyond the plan's.
    search_budget : int
        Runs of the search in all, fresh checks included (0: no search).
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
    search_runs: int = 40
    search_fresh_runs: int = 100
    search_checks: int = 2
    search_each_checks: int = 3
    search_budget: int = 2000
    goal: float = 0.9

    def __post_init__(self) -> None:
        from sim.study.runner import check_until_ci

        check_until_ci(self.until_ci)
        if self.max_runs < 1:
            raise ValueError(f"max_runs must be at least 1, got {self.max_runs}")

    def hold(self) -> HoldSettings:
        """The settings of the search behind "what would make it hold"."""
        return HoldSettings(goal=self.goal, runs=self.search_runs,
                            fresh_runs=self.search_fresh_runs, checks=self.search_checks,
                            each_checks=self.search_each_checks, budget=self.search_budget)


FULL = Budget()
"""The budget of ``sim report`` and ``make results``.

Its search (40 runs a candidate, 100 fresh runs a check, 2,000 runs at most) was sized on
Wenzhou, the dearest plan: about 0.5 CPU-seconds a run, so at most about 8 minutes on 2 cores (a
measured search with a budget of 1,500 used 1,280 runs: 22 candidates on the search runs and 4
fresh checks). Over the five plans (about 0.88 s of 2-core time for one run of each) that is at
most 29 minutes, against the 21 minutes of the one-resource capacity searches it replaced.
"""

QUICK = Budget(first_round=40, max_runs=80, series_runs=24, morris_trajectories=2,
               morris_max_inputs=12, probe_runs=16, search_runs=8, search_fresh_runs=16,
               search_checks=1, search_each_checks=1, search_budget=128)
"""A small budget for tests and previews (``--quick``)."""


RESOLUTION = Budget(first_round=200, max_runs=400, series_runs=50, morris_trajectories=2,
                    morris_max_inputs=20, probe_runs=50, search_budget=0)
"""The budget of a plan scenario at a finer resolution (``make results``: Wenzhou's 186 towns).

A town-level Wenzhou run costs about 7.5 county-level runs (``make bench``: 737 against 98 ms
of CPU), so its report rests on 400 runs
(intervals of about ±0.05 instead of ±0.02), a 2-trajectory Morris screening, 50 runs per
other reading and no search: what it is for is the side-by-side with the county-level report,
target by target (``results/README.md``).
"""


def with_overrides(budget: Budget, **kw: Any) -> Budget:
    """The budget with the given fields replaced (None values are ignored)."""
    return replace(budget, **{k: v for k, v in kw.items() if v is not None})


@dataclass
class PlanAnalysis:
    """A plan's analyses: the plain document, and the studies its figures are drawn from."""

    doc: dict[str, Any]
    study: Study
    series: Study
    summary: StudySummary
    relief: Any
    discovery: Discovery | None
    sensitivity: Any


def plain(x: Any) -> Any:
    """JSON-ready data: numpy numbers as Python numbers, non-finite floats as None."""
    if isinstance(x, float | np.floating) and not math.isfinite(float(x)):
        return None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [plain(v) for v in x]
    return x


def analyse_plan(scenario: str | Path, *, seed: int = 0, budget: Budget = FULL,
                 workers: int | None = None, progress: bool | None = None,
                 levers: str | Path | None = None,
                 log: Callable[[str], None] | None = None) -> PlanAnalysis:
    """Run every analysis of a plan report on one scenario file.

    Parameters
    ----------
    scenario : path
        The scenario file.
    seed : int
        Root seed of every study (all on common random numbers).
    budget : Budget
        Run counts (:data:`FULL` or :data:`QUICK`, or a variant of them).
    workers : int, optional
        Local worker processes (default all cores).
    progress : bool, optional
        Progress bars on stderr (default: when stderr is a terminal).
    levers : path, optional
        The levers file (default ``levers/<stem>_levers.yaml`` beside the scenario).
    log : callable, optional
        Receives one line per stage.

    Returns
    -------
    PlanAnalysis

    Raises
    ------
    ScenarioError
        If the scenario or levers file is invalid.
    """
    from sim.scenario.loader import load_scenario
    from sim.study.discovery import discover
    from sim.study.executors import open_executor
    from sim.study.failure_words import failure_section, plain_failure
    from sim.study.plan_readings import readings_section
    from sim.study.plan_sensitivity import sensitivity_section
    from sim.study.runner import run_study
    from sim.study.store import code_version, file_hash, scenario_hash

    def say(msg: str) -> None:
        if log is not None:
            log(msg)

    file = Path(scenario)
    sc = load_scenario(file)  # one snapshot of the file for every analysis of the report
    fhash = file_hash(file)
    relief = relief_target(sc)
    relief_id = relief.id if relief is not None else None
    timings: dict[str, float] = {}
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
        failure: dict[str, Any] | None = None
        disc = None
        others: list[dict[str, Any]] = []
        t0 = time.perf_counter()
        if relief is not None:
            failure, disc = failure_section(study, relief.id, target_label(relief))
        for t in sc.targets:
            if t.id == relief_id:
                continue
            ts = summary.target(t.id)
            if ts.applicable and ts.holds < ts.applicable:
                d = discover(study, t.id)
                others.append({"target": t.id, "plain": plain_failure(d, target_label(t)),
                               "statement": d.statement,  # and its fields, for other languages
                               **{k: v for k, v in d.to_dict().items()
                                  if k in ("runs", "failures", "base_rate", "box")}})
        timings["discovery"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        say("  sensitivity (Morris)")
        sens, sres = sensitivity_section(sc, study, summary, relief_id, budget, seed, info,
                                         progress)
        timings["sensitivity"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ids = simulated_targets(summary)
        hold: dict[str, Any]
        if budget.search_budget > 0:
            say(f"  what would make it hold: one search for {len(ids)} simulated targets")
            hold = hold_analysis(sc, file, ids, {t.id: target_label(t) for t in sc.targets},
                                 budget.hold(), seed=seed, levers=levers, info=info,
                                 progress=progress, log=say)
        else:
            hold = {"status": "skipped", "goal": budget.goal, "targets": ids, "plan": None,
                    "per_target": []}
        timings["hold"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        readings = readings_section(sc, study, relief_id, budget, seed, info, progress, say)
        timings["readings"] = time.perf_counter() - t0
        executor = info.description
    relief_doc = (relief_section(study, series, relief, budget.goal)
                  if relief is not None else None)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "scenario": scenario_facts(sc, file, study),
        "seed": seed,
        "budget": asdict(budget),
        "study": summary.to_dict(),
        "series_runs": series.runs,
        "relief": relief_doc,
        "failure": failure,
        "zone_waits": zone_waits_section(study, relief_id),
        "other_failures": others,
        "sensitivity": sens,
        "hold": hold,
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
    }
    return PlanAnalysis(doc, study, series, summary, relief, disc, sres)
