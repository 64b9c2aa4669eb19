"""What a worker does: run a batch of runs and turn each result into one flat row.

Everything here is module-level and picklable, so that any executor (a local process pool under
``spawn`` or ``forkserver``, a Dask cluster) can run it. A run's row depends only on the scenario,
the root seed and the run's spawn key, never on the batch it was in or the worker that ran it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.interventions import Intervention
from sim.results import STATES, RunResult
from sim.scenario.schema import Scenario

__all__ = [
    "RunSpec",
    "StudyRunError",
    "Task",
    "TaskResult",
    "result_row",
    "result_series",
    "run_seed",
    "run_task",
]


class StudyRunError(RuntimeError):
    """A run raised an exception; the message names the run and its seed to reproduce it."""


def run_seed(root: int, key: int | tuple[int, ...]) -> np.random.SeedSequence:
    """The seed of one run: ``SeedSequence(root).spawn(n)[key]``, for any ``n > key``.

    Parameters
    ----------
    root : int
        The study's root seed.
    key : int or tuple of int
        The run's spawn key (its index in the study).
    """
    spawn_key = (key,) if isinstance(key, int) else tuple(key)
    return np.random.SeedSequence(root, spawn_key=spawn_key)


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch.

    Attributes
    ----------
    index : int
        The run's row number in its table (``run`` column).
    key : int
        The run's spawn key below the root seed; equal to ``index`` in a plain study. Runs of
        different variants with the same key see the same disaster (common random numbers).
    inputs : tuple of (path, value), optional
        Uncertain inputs pinned to a value (design points of a sensitivity analysis).
    """

    index: int
    key: int
    inputs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Task:
    """A batch of runs of one scenario, executed by :func:`run_task`."""

    scenario: Scenario
    root: int
    specs: tuple[RunSpec, ...]
    interventions: tuple[Intervention, ...] = ()
    inputs: tuple[tuple[str, float], ...] = ()
    """Inputs pinned for every run of the task (a study with ``inputs=``)."""
    series: bool = False


@dataclass
class TaskResult:
    """Rows (and optionally time series) of the runs of one task, in the task's order."""

    rows: list[dict[str, Any]]
    series: list[dict[str, np.ndarray]] = field(default_factory=list)
    targets: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per target id: ``kind``, ``unit`` and ``comparison`` (``>=`` or ``<=``), from a run."""


def _num(x: Any) -> float:
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, int | float | np.integer | np.floating):
        return float(x)
    return math.nan


def result_row(r: RunResult, spec: RunSpec, root: int,
               relief_hours: float | None = None) -> dict[str, Any]:
    """The flat row of one run.

    Columns: ``run``, ``seed`` (root), ``key`` (spawn key); ``value.<target>`` (float, NaN when the
    target does not apply), ``met.<target>`` (bool) and ``threshold.<target>`` per target;
    ``metric.<name>`` per numeric metric (dict metrics flattened one level,
    ``metric.<name>.<key>``); ``draw.<path>`` for every uncertain input;
    ``zone_relief_p95_h.<zone>`` and (given ``relief_hours``, the basic-relief target's hours)
    ``zone_relief_within.<zone>`` per zone (:mod:`sim.study.zone_waits`). Every number is a
    float, so that the dtypes never depend on the batch.
    """
    from sim.study.zone_waits import zone_relief_columns

    row: dict[str, Any] = {"run": spec.index, "seed": root, "key": spec.key}
    for t in r.targets:
        row[f"value.{t.id}"] = math.nan if t.value is None else float(t.value)
        row[f"met.{t.id}"] = bool(t.met)
        row[f"threshold.{t.id}"] = _num(t.threshold)
    for name, v in r.metrics.items():
        if isinstance(v, Mapping):
            for k, x in v.items():
                row[f"metric.{name}.{k}"] = _num(x)
        else:
            row[f"metric.{name}"] = _num(v)
    for path, x in r.draws.items():
        row[f"draw.{path}"] = float(x)
    row.update(zone_relief_columns(r, relief_hours))
    return row


def result_series(r: RunResult, index: int) -> dict[str, np.ndarray]:
    """Time series of one run for fan charts, as columns of equal length.

    Columns: ``run``, ``time_h``; ``people.<state>`` (totals over zones); ``shelter.<name>``
    (occupancy); ``stock.<item>`` (on hand over all points); ``relief.share`` (share of the run's
    people needing relief who were relieved by that time; 1 when nobody needed relief).
    """
    t = r.times.astype(float)
    out: dict[str, np.ndarray] = {
        "run": np.full(len(t), index, dtype=np.int64),
        "time_h": t,
    }
    totals = r.people.sum(axis=1)
    for j, s in enumerate(STATES):
        out[f"people.{s}"] = totals[:, j].astype(float)
    for j, s in enumerate(r.shelters):
        out[f"shelter.{s}"] = r.shelter_occupancy[:, j].astype(float)
    stock = r.stock.sum(axis=1) if r.stock.size else np.zeros((len(t), len(r.items)))
    for j, item in enumerate(r.items):
        out[f"stock.{item}"] = stock[:, j].astype(float)
    n = r.relief_n.astype(float)
    total = n.sum()
    if total > 0:
        order = np.argsort(r.relief_t, kind="stable")
        cum = np.cumsum(n[order]) / total
        k = np.searchsorted(r.relief_t[order], t + 1e-9, side="right")
        out["relief.share"] = np.where(k > 0, cum[np.maximum(k - 1, 0)], 0.0)
    else:
        out["relief.share"] = np.ones(len(t))
    return out


def run_task(task: Task) -> TaskResult:
    """Run every run of a batch and return its rows (module-level, so executors can pickle it).

    Raises
    ------
    StudyRunError
        If a run fails; the message gives the root seed and the spawn key that reproduce it.
    """
    from sim.run import run
    from sim.study.zone_waits import relief_hours

    rows: list[dict[str, Any]] = []
    series: list[dict[str, np.ndarray]] = []
    hours = relief_hours(task.scenario)
    for spec in task.specs:
        inputs = dict(task.inputs)
        inputs.update(spec.inputs)
        try:
            r = run(task.scenario, run_seed(task.root, spec.key), task.interventions,
                    inputs or None)
        except Exception as exc:  # a bug or an impossible input: name the run, keep going up
            raise StudyRunError(
                f"run {spec.index} of scenario {task.scenario.name!r} failed "
                f"(sim.run(scenario, numpy.random.SeedSequence({task.root}, "
                f"spawn_key=({spec.key},)), inputs={inputs or None})): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        rows.append(result_row(r, spec, task.root, hours))
        if task.series:
            series.append(result_series(r, spec.index))
    meta = {t.id: {"kind": t.kind, "unit": t.unit, "comparison": t.comparison}
            for t in r.targets} if task.specs else {}
    return TaskResult(rows, series, meta)
