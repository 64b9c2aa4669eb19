"""Monte Carlo studies: many runs of one scenario, their table, and P(each target holds).

Run *i* of a study with root seed *S* is ``sim.run(scenario, SeedSequence(S, spawn_key=(i,)))``,
which is ``SeedSequence(S).spawn(n)[i]`` for any ``n > i``: a run's row is the same whatever the
batch it ran in, the executor, the number of workers, or whether the study was interrupted and
resumed. Rows are gathered into a pandas table (one row per run), written to Parquet part files as
batches finish when the study has a directory, and summarised per target with Wilson intervals.

With ``until_ci``, runs are added in rounds until every target's interval is narrow enough. The
round sizes depend only on the rows of earlier rounds (never on timing), so a sequential study is
reproducible too.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.interventions import Intervention
from sim.scenario.loader import load_scenario
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario
from sim.study.basis import Basis, verdict_basis
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.stats import Interval, ValueSummary, required_runs, summarize_values, wilson
from sim.study.store import (
    FORMAT,
    ResultStore,
    StoreError,
    code_version,
    file_hash,
    scenario_hash,
)
from sim.study.tasks import RunSpec, Task, TaskResult, run_task

if TYPE_CHECKING:
    import pandas as pd

    from sim.results import RunResult

__all__ = [
    "StopInfo",
    "Study",
    "StudySummary",
    "TargetSummary",
    "check_until_ci",
    "execute",
    "frame",
    "resume_study",
    "run_study",
]

ROUND = 50
"""Sequential rounds end on multiples of this many runs."""


# -- tables --------------------------------------------------------------------------------------
def frame(rows: Sequence[Mapping[str, Any]], scenario: Scenario) -> pd.DataFrame:
    """Build the canonical per-run table from rows (any order, any batching).

    Columns come in a fixed order (``run, seed, key``; ``value.`` and ``met.`` per target in the
    scenario's order; ``metric.`` columns sorted; ``draw.`` columns in the scenario's order) with
    fixed dtypes (int64, float64, bool), and rows are sorted by ``run``; so the same runs always
    give an identical table.
    """
    import pandas as pd

    df = pd.DataFrame(list(rows))
    return canonical(df, scenario)


def canonical(df: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Put a table of runs into canonical column order, dtypes and row order."""
    cols = set(df.columns)
    order = ["run", "seed", "key"]
    for t in scenario.targets:
        order += [f"value.{t.id}", f"met.{t.id}"]
        if f"threshold.{t.id}" in cols:
            order.append(f"threshold.{t.id}")
    order += sorted(c for c in cols if c.startswith("metric."))
    paths = [f"draw.{p}" for p in uncertain_inputs(scenario)]
    order += [c for c in paths if c in cols]
    order += sorted(c for c in cols if c.startswith("draw.") and c not in paths)
    order += sorted(cols - set(order))
    out = df.reindex(columns=order)
    for c in out.columns:
        if c in ("run", "seed", "key"):
            out[c] = out[c].astype("int64")
        elif c.startswith("met."):
            out[c] = out[c].astype(bool)
        else:
            out[c] = out[c].astype("float64")
    return out.sort_values("run", kind="stable").reset_index(drop=True)


def _series_frame(series: Iterable[Mapping[str, np.ndarray]]) -> pd.DataFrame | None:
    import pandas as pd

    parts = [pd.DataFrame(dict(s)) for s in series]
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True, sort=False)


# -- execution -----------------------------------------------------------------------------------
def execute(tasks: Sequence[Task], info: ExecutorInfo,
            on_done: Callable[[Task, TaskResult], None]) -> None:
    """Run tasks on an executor (or serially), calling ``on_done`` as each one finishes.

    At most two tasks per worker are in flight, so memory stays bounded on long studies. If a
    task fails or the user interrupts, pending tasks are cancelled and the error propagates;
    tasks already passed to ``on_done`` are kept.
    """
    if info.executor is None:
        for t in tasks:
            on_done(t, run_task(t))
        return
    ex: Executor = info.executor
    queue = list(reversed(tasks))
    pending: dict[Future[TaskResult], Task] = {}
    limit = max(2, 2 * info.workers)
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                t = queue.pop()
                pending[ex.submit(run_task, t)] = t
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for f in sorted(done, key=lambda f: pending[f].specs[0].index):
                t = pending.pop(f)
                on_done(t, f.result())
    finally:
        for f in pending:
            f.cancel()


def _batches(indices: Sequence[int], size: int) -> list[list[int]]:
    return [list(indices[i:i + size]) for i in range(0, len(indices), size)]


def _auto_batch(n: int, workers: int) -> int:
    return int(min(64, max(4, math.ceil(n / (4 * max(workers, 1))))))


# -- summaries -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetSummary:
    """One target over the runs of a study.

    ``p_holds`` is over the runs where the target applies (``applicable`` of ``runs``): a
    clause about the trapped says nothing in a run where nobody is trapped, so such runs count
    neither for nor against it.
    """

    id: str
    kind: str
    unit: str | None
    threshold: float | None
    """The threshold (its median over runs when it varies, e.g. with the number displaced)."""
    runs: int
    holds: int
    p_holds: Interval
    applicable: int
    value: ValueSummary
    clause_en: str | None = None
    clause_zh: str | None = None
    source: str | None = None
    comparison: str = ">="
    threshold_varies: bool = False
    basis: Basis | None = None
    """What the verdict rests on (:mod:`sim.study.basis`)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with at least ``id, p_holds, ci_low, ci_high, runs, basis``."""
        b = self.basis
        return {
            "id": self.id, "kind": self.kind,
            "p_holds": self.p_holds.to_dict()["estimate"],
            "ci_low": self.p_holds.to_dict()["low"], "ci_high": self.p_holds.to_dict()["high"],
            "half_width": (self.p_holds.half_width if math.isfinite(self.p_holds.half_width)
                           else None),
            "runs": self.runs, "holds": self.holds, "applicable_runs": self.applicable,
            "p_applies": self.applicable / self.runs if self.runs else None,
            "threshold": self.threshold, "comparison": self.comparison,
            "threshold_varies": self.threshold_varies, "unit": self.unit,
            "value": self.value.to_dict(),
            "clause": {"en": self.clause_en, "zh": self.clause_zh}, "source": self.source,
            "basis": b.kind if b else None, "basis_reason": b.reason if b else None,
            "basis_words": {"en": b.words, "zh": b.words_zh} if b else None,
            "value_bound": {"low": b.low, "high": b.high} if b else None,
        }


@dataclass(frozen=True)
class StopInfo:
    """Why a study stopped where it did."""

    reason: str
    """``runs`` (the requested number), ``precision`` (every interval narrow enough) or
    ``max_runs`` (the cap was reached first)."""
    runs: int
    until_ci: float | None = None
    max_half_width: float | None = None
    rounds: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"reason": self.reason, "runs": self.runs, "until_ci": self.until_ci,
                "max_half_width": self.max_half_width, "rounds": list(self.rounds)}


@dataclass(frozen=True)
class StudySummary:
    """Per-target results of a study."""

    scenario: str
    seed: int
    runs: int
    confidence: float
    targets: list[TargetSummary]
    stop: StopInfo | None = None
    executor: str | None = None
    elapsed_s: float | None = None

    def target(self, target_id: str) -> TargetSummary:
        """The summary of one target."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"no target {target_id!r}; known: {[t.id for t in self.targets]}")

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready document."""
        return {
            "scenario": self.scenario, "seed": self.seed, "runs": self.runs,
            "confidence": self.confidence,
            "methods": {"p_holds": "Wilson score interval",
                        "value_mean": "bootstrap BCa", "value_quantiles": "bootstrap percentile"},
            "stop": self.stop.to_dict() if self.stop else None,
            "executor": self.executor,
            "elapsed_s": self.elapsed_s,
            "runs_per_s": (self.runs / self.elapsed_s) if self.elapsed_s else None,
            "targets": [t.to_dict() for t in self.targets],
        }


def summarize(table: pd.DataFrame, scenario: Scenario, seed: int, confidence: float = 0.95,
              n_resamples: int = 2000, stop: StopInfo | None = None,
              executor: str | None = None, elapsed_s: float | None = None,
              values: bool = True, targets: Mapping[str, Mapping[str, str]] | None = None
              ) -> StudySummary:
    """Summarise a per-run table: P(holds) with Wilson intervals, value distribution.

    ``targets`` gives each target's ``unit`` and ``comparison`` as the engine reported them
    (:attr:`Study.target_info`); without it they are inferred from the scenario.
    """
    out = []
    info = targets or {}
    for t in scenario.targets:
        vals = table[f"value.{t.id}"].to_numpy(dtype=float)
        applies = np.isfinite(vals)  # a target that does not apply in a run has no value
        met = table[f"met.{t.id}"].to_numpy(dtype=bool)[applies]
        n, k = len(met), int(met.sum())
        vs = (summarize_values(vals, confidence, n_resamples, rng=seed) if values
              else ValueSummary(int(np.isfinite(vals).sum()),
                                Interval(math.nan, math.nan, math.nan, confidence), math.nan, {}))
        col = f"threshold.{t.id}"
        thr_vals = table[col].to_numpy(dtype=float) if col in table else np.array([])
        thr_vals = thr_vals[np.isfinite(thr_vals)]
        thr = float(np.median(thr_vals)) if len(thr_vals) else _threshold(t)
        meta = info.get(t.id, {})
        comparison = meta.get("comparison") or _comparison(t)
        all_thr = table[col].to_numpy(dtype=float) if col in table else np.full(len(vals), thr)
        out.append(TargetSummary(
            id=t.id, kind=t.kind, unit=meta.get("unit") or _unit(t), threshold=thr,
            runs=len(table), holds=k, p_holds=wilson(k, n, confidence), applicable=n,
            value=vs, clause_en=t.clause.en if t.clause else None,
            clause_zh=t.clause.zh if t.clause else None, source=t.source,
            comparison=comparison,
            threshold_varies=bool(len(thr_vals) and np.ptp(thr_vals) > 0),
            basis=verdict_basis(t, scenario, vals, np.asarray(all_thr, dtype=float), comparison),
        ))
    return StudySummary(scenario.name, seed, len(table), confidence, out, stop, executor,
                        elapsed_s)


def _threshold(t: Any) -> float | None:
    for attr in ("share", "min_m2"):
        v = getattr(t, attr, None)
        if isinstance(v, int | float):
            return float(v)
    people = getattr(t, "people", None)
    return float(people) if isinstance(people, int) else None


def _comparison(t: Any) -> str:
    """How a kind compares its value with its threshold when the engine did not say."""
    return "<=" if t.kind == "deaths_per_million" else ">="


def _unit(t: Any) -> str | None:
    if t.kind == "relief_within":
        return f"share relieved within {t.hours:g} h"
    if t.kind == "shelter_area_per_person":
        return "m2 per person"
    if t.kind == "stock_covers":
        return f"people covered for {t.days:g} days"
    return None


def max_half_width(summary: StudySummary) -> float:
    """The widest P(holds) interval's half-width over targets (0 with no target)."""
    hws = [t.p_holds.half_width for t in summary.targets if math.isfinite(t.p_holds.half_width)]
    return max(hws, default=0.0)


def next_round(summary: StudySummary, n: int, until_ci: float, max_runs: int,
               confidence: float = 0.95) -> int:
    """The run count of the next round: enough for every target's interval, by the rows so far.

    Grows at most fourfold per round (a first estimate of P can be far off) and ends on a
    multiple of :data:`ROUND`.
    """
    need = n + ROUND
    for t in summary.targets:
        if t.p_holds.half_width > until_ci:
            need = max(need, required_runs(t.p_holds.estimate, until_ci, confidence))
    need = min(need, 4 * n)
    need = int(math.ceil(need / ROUND) * ROUND)
    return max(n + 1, min(need, max_runs))


# -- the study object ----------------------------------------------------------------------------
class Study:
    """The runs of a Monte Carlo study and what they say.

    Attributes
    ----------
    scenario : Scenario
    seed : int
        The root seed: run ``i`` used ``SeedSequence(seed, spawn_key=(i,))``.
    table : pandas.DataFrame
        One row per run (see :func:`sim.study.tasks.result_row` for the columns).
    manifest : dict
        Scenario hash, code version, seed, parameters (also written to the study directory).
    stop : StopInfo
    directory : Path or None
    """

    def __init__(self, scenario: Scenario, seed: int, table: pd.DataFrame,
                 manifest: dict[str, Any], stop: StopInfo | None,
                 directory: Path | None = None, series: pd.DataFrame | None = None,
                 interventions: Sequence[Intervention] = (),
                 inputs: Mapping[str, float] | None = None,
                 executor: str | None = None, elapsed_s: float | None = None) -> None:
        self.target_info: dict[str, dict[str, str]] = dict(manifest.get("targets") or {})
        """Per target: ``kind``, ``unit``, ``comparison`` as the engine reports them."""
        self.scenario = scenario
        self.seed = seed
        self.table = table
        self.manifest = manifest
        self.stop = stop
        self.directory = directory
        self._series = series
        self.interventions = tuple(interventions)
        self.inputs = dict(inputs or {})
        self.executor = executor
        self.elapsed_s = elapsed_s
        self._summary: StudySummary | None = None

    def __repr__(self) -> str:
        return (f"<Study {self.scenario.name!r}: {len(self.table)} runs, seed {self.seed}"
                + (f", in {self.directory}" if self.directory else "") + ">")

    @property
    def runs(self) -> int:
        """Number of runs in the table."""
        return len(self.table)

    @property
    def target_ids(self) -> list[str]:
        """The scenario's target ids, in order."""
        return [t.id for t in self.scenario.targets]

    @property
    def series(self) -> pd.DataFrame | None:
        """Time series of every run (``series=True`` studies), long format; else None."""
        if self._series is None and self.directory is not None:
            store = ResultStore.open(self.directory, lock=False)
            s = store.read_series()
            if s is not None:
                s = s[s["run"].isin(self.table["run"])]
                self._series = s.sort_values(["run", "time_h"], kind="stable").reset_index(
                    drop=True)
        return self._series

    def inputs_frame(self) -> pd.DataFrame:
        """The drawn uncertain inputs, one column per input path (for discovery)."""
        cols = [c for c in self.table.columns if c.startswith("draw.")]
        return self.table[cols].rename(columns=lambda c: c.removeprefix("draw."))

    def summary(self, confidence: float = 0.95, n_resamples: int = 2000) -> StudySummary:
        """Per-target P(holds) with Wilson intervals and the value's distribution."""
        if self._summary is not None and confidence == self._summary.confidence \
                and n_resamples == 2000:
            return self._summary
        s = summarize(self.table, self.scenario, self.seed, confidence, n_resamples, self.stop,
                      self.executor, self.elapsed_s, targets=self.target_info)
        if confidence == 0.95 and n_resamples == 2000:
            self._summary = s
        return s

    def p_holds(self, target: str, confidence: float = 0.95) -> Interval:
        """P(target holds | it applies) with its Wilson interval (see :class:`TargetSummary`)."""
        applies = np.isfinite(self.table[f"value.{target}"].to_numpy(dtype=float))
        met = self.table[f"met.{target}"].to_numpy(dtype=bool)[applies]
        return wilson(int(met.sum()), len(met), confidence)

    def run_result(self, run: int) -> RunResult:
        """Re-run one run of the study (identical to the stored row) for a closer look."""
        from sim.run import run as run_one
        from sim.study.tasks import run_seed

        row = self.table.loc[self.table["run"] == run]
        if row.empty:
            raise KeyError(f"run {run} is not in the study")
        key = int(row["key"].iloc[0])
        return run_one(self.scenario, run_seed(self.seed, key), self.interventions,
                       self.inputs or None)

    @classmethod
    def open(cls, directory: str | Path) -> Study:
        """Read a study directory (without locking it): complete or partial."""
        store = ResultStore.open(directory, lock=False)
        sc = store.scenario()
        m = store.manifest
        rows = store.read_rows()
        if rows is None:
            raise StoreError(f"{directory} holds no finished run yet")
        stop = StopInfo(**m["stop"]) if m.get("stop") else None
        if stop is not None:
            rows = rows[rows["run"] < stop.runs]
        from sim.interventions import parse_intervention

        its = [parse_intervention(x) for x in m["parameters"].get("interventions", [])]
        return cls(sc, int(m["seed"]), canonical(rows, sc), m, stop, Path(directory),
                   interventions=its, inputs=m["parameters"].get("inputs"))


# -- running -------------------------------------------------------------------------------------
def _as_scenario(scenario: Scenario | str | Path) -> tuple[Scenario, str | None, str | None]:
    if isinstance(scenario, Scenario):
        return scenario, None, None
    return load_scenario(scenario), str(scenario), file_hash(scenario)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return int(seed)


def check_until_ci(until_ci: float | None) -> None:
    """Refuse a sequential-stopping goal that is not an interval half-width in (0, 0.5).

    Raises
    ------
    ValueError
        If ``until_ci`` is given and outside (0, 0.5).
    """
    if until_ci is not None and not 0 < until_ci < 0.5:
        raise ValueError(f"until_ci must be a half-width in (0, 0.5), got {until_ci}")


def run_study(scenario: Scenario | str | Path, runs: int = 100, seed: int = 0, *,
              workers: int | None = None, executor: Executor | ExecutorInfo | None = None,
              scheduler: str | None = None, dask_local: bool = False,
              out: str | Path | None = None, until_ci: float | None = None,
              max_runs: int = 20_000, batch_size: int | None = None,
              interventions: Iterable[Intervention] = (),
              inputs: Mapping[str, float] | None = None, series: bool = False,
              progress: bool | None = None, confidence: float = 0.95,
              key_offset: int = 0) -> Study:
    """Run a Monte Carlo study of a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        The scenario (a file is loaded and its hash recorded).
    runs : int
        Number of runs; with ``until_ci``, the size of the first round.
    seed : int
        Root seed: run ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``.
    workers : int, optional
        Local worker processes (default all cores; 1 runs in this process).
    executor : concurrent.futures.Executor or ExecutorInfo, optional
        Run on this executor instead (e.g. ``distributed.Client.get_executor()``).
    scheduler : str, optional
        Address of a Dask scheduler to run on.
    dask_local : bool
        Start a Dask LocalCluster of ``workers`` processes.
    out : path, optional
        Study directory for Parquet parts and the manifest (new or empty); see
        :func:`resume_study` to continue one.
    until_ci : float, optional
        Add runs until every target's P(holds) interval has at most this half-width.
    max_runs : int
        Cap on the number of runs with ``until_ci``.
    batch_size : int, optional
        Runs per task (default: about four tasks per worker, 4 to 64 runs each).
    interventions : iterable of Intervention
        Applied to every run.
    inputs : mapping of str to float, optional
        Uncertain inputs pinned in every run (the others keep their own draws).
    series : bool
        Keep every run's time series (people, shelters, stock, relief share) for fan charts.
    progress : bool, optional
        Show a progress bar with ETA on stderr (default: when stderr is a terminal).
    confidence : float
        Confidence level of the intervals.
    key_offset : int
        Spawn key of run 0 (runs use keys ``key_offset + i``); leave 0 except to build
        deliberately *independent* replicate studies on one root seed.

    Returns
    -------
    Study

    Raises
    ------
    ValueError
        For impossible arguments.
    StoreError
        If ``out`` holds another study or is in use.
    StudyRunError
        If a run fails (completed batches stay in ``out``).
    """
    sc, path, fhash = _as_scenario(scenario)
    seed = _check_seed(seed)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    check_until_ci(until_ci)
    if until_ci is not None and max_runs < runs:
        raise ValueError(f"max_runs ({max_runs}) is below the first round ({runs})")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    its = tuple(interventions)
    pinned = {k: float(v) for k, v in (inputs or {}).items()}
    unknown = sorted(set(pinned) - set(uncertain_inputs(sc)))
    if unknown:
        raise ValueError(f"not uncertain inputs of the scenario: {unknown}")
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": {"name": sc.name, "file": path, "file_sha256": fhash,
                     "sha256": scenario_hash(sc)},
        "code": code_version(),
        "seed": seed,
        "runs": runs,
        "parameters": {
            "until_ci": until_ci, "max_runs": max_runs if until_ci is not None else runs,
            "confidence": confidence, "series": series, "key_offset": key_offset,
            "interventions": [i.model_dump(mode="json") for i in its],
            "inputs": pinned, "batch_size": batch_size,
        },
        "status": "running",
        "stop": None,
    }
    with ExitStack() as stack:
        store = None
        if out is not None:
            store = stack.enter_context(ResultStore.create(out, manifest, sc))
        info = _executor(stack, executor, workers, scheduler, dask_local)
        return _drive(sc, manifest, store, info, {}, [], batch_size, progress)


def resume_study(directory: str | Path, *, runs: int | None = None, workers: int | None = None,
                 executor: Executor | ExecutorInfo | None = None, scheduler: str | None = None,
                 dask_local: bool = False, batch_size: int | None = None,
                 progress: bool | None = None,
                 scenario: Scenario | str | Path | None = None) -> Study:
    """Continue an interrupted study in ``directory`` (or extend a finished one to ``runs``).

    Runs already stored are kept; the missing ones are run with the study's own scenario, seed
    and parameters (from the directory), so the final table is identical to an uninterrupted
    study's.

    Parameters
    ----------
    directory : path
        The study directory.
    runs : int, optional
        A larger number of runs to extend a fixed-size study to.
    scenario : Scenario or path, optional
        If given, it must be the study's scenario (checked by hash).
    workers, executor, scheduler, dask_local, batch_size, progress
        As for :func:`run_study`; they do not change the results.

    Raises
    ------
    StoreError
        If the directory holds no study, is in use, or ``scenario`` differs from the study's.
    """
    with ExitStack() as stack:
        store = stack.enter_context(ResultStore.open(directory))
        m = store.manifest
        sc = store.scenario()
        if scenario_hash(sc) != m["scenario"]["sha256"]:
            raise StoreError(f"{directory}/scenario.json does not match the manifest's hash")
        if scenario is not None:
            given, _, _ = _as_scenario(scenario)
            if scenario_hash(given) != m["scenario"]["sha256"]:
                raise StoreError(f"the scenario given differs from the one of the study in "
                                 f"{directory}; resume without it or start a new study")
        code = code_version()
        if code != m["code"]:
            warnings.warn(f"resuming {directory} with code {code} (the study began with "
                          f"{m['code']}): runs from both may differ if the model changed",
                          stacklevel=2)
        p = m["parameters"]
        if runs is not None:
            if p["until_ci"] is not None:
                raise ValueError("a sequential (until_ci) study sets its own number of runs")
            if runs < m["runs"]:
                raise ValueError(f"the study already asked for {m['runs']} runs; "
                                 f"give more to extend it, not {runs}")
            if runs > m["runs"]:
                m["runs"] = p["max_runs"] = runs
                m["stop"] = None
        m["status"] = "running"
        store.write_manifest()
        done_df = store.read_rows()
        done: dict[int, dict[str, Any]] = (
            {int(r["run"]): {str(k): v for k, v in r.items()}
             for r in done_df.to_dict("records")} if done_df is not None else {})
        info = _executor(stack, executor, workers, scheduler, dask_local)
        return _drive(sc, m, store, info, done, [], batch_size or p.get("batch_size"), progress,
                      resumed=True)


def _executor(stack: ExitStack, executor: Executor | ExecutorInfo | None, workers: int | None,
              scheduler: str | None, dask_local: bool) -> ExecutorInfo:
    if isinstance(executor, ExecutorInfo):
        return executor
    return stack.enter_context(open_executor(workers, scheduler=scheduler,
                                             dask_local=dask_local, executor=executor))


def _drive(sc: Scenario, manifest: dict[str, Any], store: ResultStore | None,
           info: ExecutorInfo, done: dict[int, dict[str, Any]],
           series: list[Mapping[str, np.ndarray]], batch_size: int | None,
           progress: bool | None, resumed: bool = False) -> Study:
    from sim.interventions import parse_intervention

    p = manifest["parameters"]
    seed = int(manifest["seed"])
    until_ci = p["until_ci"]
    max_runs = int(p["max_runs"])
    confidence = float(p["confidence"])
    key_offset = int(p.get("key_offset", 0))
    its = tuple(parse_intervention(x) for x in p["interventions"])
    pinned = tuple(sorted((k, float(v)) for k, v in p["inputs"].items()))
    keep_series = bool(p["series"])
    n = int(manifest["runs"]) if until_ci is None else min(int(manifest["runs"]), max_runs)
    rounds: list[int] = []
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm import tqdm

    bar = tqdm(total=n, initial=sum(1 for i in done if i < n), unit="run",
               desc=sc.name[:24], file=sys.stderr, disable=not progress, smoothing=0.05,
               mininterval=0.5, dynamic_ncols=True)
    t0 = time.perf_counter()
    ran = 0

    def on_done(task: Task, res: TaskResult) -> None:
        nonlocal ran
        if store is not None:
            store.write_part(frame(res.rows, sc),
                             _series_frame(res.series) if keep_series else None)
        for r in res.rows:
            done[int(r["run"])] = r
        if res.targets and not manifest.get("targets"):
            manifest["targets"] = res.targets
            if store is not None:
                store.write_manifest()
        if keep_series and store is None:
            series.extend(res.series)
        ran += len(res.rows)
        bar.update(len(res.rows))

    stop: StopInfo
    try:
        while True:
            rounds.append(n)
            missing = [i for i in range(n) if i not in done]
            if missing:
                size = batch_size or _auto_batch(len(missing), info.workers)
                tasks = [Task(sc, seed, tuple(RunSpec(i, key_offset + i) for i in b), its,
                              pinned, keep_series) for b in _batches(missing, size)]
                execute(tasks, info, on_done)
            table = frame([done[i] for i in range(n)], sc)
            if until_ci is None:
                stop = StopInfo("runs", n, rounds=rounds)
                break
            summ = summarize(table, sc, seed, confidence, values=False)
            hw = max_half_width(summ)
            if hw <= until_ci:
                stop = StopInfo("precision", n, until_ci, hw, rounds)
                break
            if n >= max_runs:
                stop = StopInfo("max_runs", n, until_ci, hw, rounds)
                break
            n = next_round(summ, n, until_ci, max_runs, confidence)
            bar.total = n
            bar.refresh()
    except BaseException:
        bar.close()
        if store is not None:
            manifest["status"] = "interrupted"
            store.write_manifest()
        raise
    bar.close()
    elapsed = time.perf_counter() - t0
    manifest["status"] = "complete"
    manifest["stop"] = stop.to_dict()
    manifest["last_session"] = {"executor": info.description, "runs": ran,
                                "elapsed_s": round(elapsed, 3), "resumed": resumed}
    if store is not None:
        store.write_manifest()
    ser = None
    if keep_series and store is None:
        ser = _series_frame(series)
        if ser is not None:
            ser = ser.sort_values(["run", "time_h"], kind="stable").reset_index(drop=True)
    return Study(sc, seed, table, manifest, stop, store.directory if store else None, ser,
                 its, dict(pinned), info.description, elapsed if ran else None)
