"""Which uncertain inputs move each target's value: global sensitivity analysis with SALib.

The design points come from SALib (Saltelli/Sobol' sequences for Sobol' indices, trajectories for
the Morris screening), are mapped through each input's declared distribution
(:mod:`sim.study.design`) and pinned with ``run(..., inputs=...)``, while every other source of
randomness of a run keeps its own stream.

A run is stochastic even with every declared input pinned (behaviour, travel times, the
departure of each cohort). That run-to-run randomness is treated as one more factor, named
:data:`NOISE`, whose coordinate picks the run's seed: design points that share the coordinate
share the seed. Its indices say how much of a target's variance no declared input explains. With
``noise=False`` every point uses one seed: the analysis is then conditional on that one
realisation of the run-to-run randomness.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.loader import load_scenario
from sim.scenario.sampling import uncertain_inputs
from sim.scenario.schema import Scenario
from sim.study.design import to_inputs
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.runner import _auto_batch, _batches, execute, frame
from sim.study.tasks import RunSpec, Task, TaskResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NOISE", "SensitivityResult", "analyze_design", "interval_excludes_zero", "sensitivity",
           "significant_drivers"]

NOISE = "(run-to-run randomness)"
"""Name of the factor that stands for a run's own randomness (its seed)."""


@dataclass
class SensitivityResult:
    """Sensitivity indices of every target's value to every uncertain input.

    Attributes
    ----------
    method : str
        ``sobol`` or ``morris``.
    indices : pandas.DataFrame
        One row per target and input. Sobol': ``S1, S1_conf, ST, ST_conf`` (first-order and
        total indices with the half-width of their bootstrap interval). Morris: ``mu_star,
        mu_star_conf, mu, sigma`` and ``mu_star_norm`` (mu_star over the largest mu_star of the
        target). Sorted by target, then by importance.
    table : pandas.DataFrame
        The runs of the design (one row per design point, as in a study).
    runs : int
    seed : int
    notes : dict of str to str
        Targets that could not be analysed, and why.
    """

    method: str
    indices: pd.DataFrame
    table: pd.DataFrame
    runs: int
    seed: int
    confidence: float
    notes: dict[str, str] = field(default_factory=dict)

    def ranking(self, target: str, top: int | None = None) -> pd.DataFrame:
        """The inputs that matter most for a target's value, most important first."""
        df = self.indices[self.indices["target"] == target]
        return df.head(top) if top else df

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        recs = self.indices.to_dict("records")
        clean = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                  for k, v in r.items()} for r in recs]
        return {"method": self.method, "runs": self.runs, "seed": self.seed,
                "confidence": self.confidence, "notes": self.notes, "indices": clean}


def sensitivity(scenario: Scenario | str | Path, *, method: str = "sobol", n: int = 64,
                seed: int = 0, targets: Sequence[str] | None = None,
                inputs: Sequence[str] | None = None, noise: bool = True, levels: int = 4,
                workers: int | None = None, executor: Executor | ExecutorInfo | None = None,
                scheduler: str | None = None, dask_local: bool = False,
                progress: bool | None = None, num_resamples: int = 200,
                confidence: float = 0.95) -> SensitivityResult:
    """Sensitivity of each target's value to the scenario's uncertain inputs.

    Parameters
    ----------
    scenario : Scenario or path
    method : {"sobol", "morris"}
        Sobol' first-order and total indices (``n * (D + 2)`` runs for ``D`` factors) or
        Morris elementary effects (``n * (D + 1)`` runs).
    n : int
        Sobol': base sample size (a power of 2). Morris: number of trajectories.
    seed : int
        Seeds the design and the runs.
    targets : sequence of str, optional
        Targets to analyse (default all).
    inputs : sequence of str, optional
        Input paths to vary (default every uncertain input); the others keep their own draws.
    noise : bool
        Treat run-to-run randomness as a factor (see the module docstring).
    levels : int
        Morris grid levels.
    workers, executor, scheduler, dask_local, progress
        As for :func:`sim.study.run_study`.
    num_resamples, confidence
        Bootstrap of the indices' intervals.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ValueError
        For an unknown method, target or input, or a scenario with no uncertain input.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if method not in ("sobol", "morris"):
        raise ValueError(f"method must be 'sobol' or 'morris', got {method!r}")
    all_inputs = uncertain_inputs(sc)
    if inputs is not None:
        unknown = sorted(set(inputs) - set(all_inputs))
        if unknown:
            raise ValueError(f"not uncertain inputs of the scenario: {unknown}")
        dists = {k: all_inputs[k] for k in inputs}
    else:
        dists = dict(all_inputs)
    if not dists:
        raise ValueError(f"scenario {sc.name!r} has no uncertain input to analyse")
    ids = [t.id for t in sc.targets]
    chosen = list(targets) if targets is not None else ids
    bad = sorted(set(chosen) - set(ids))
    if bad:
        raise ValueError(f"unknown target(s) {bad}; known: {ids}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    names = [*dists, *([NOISE] if noise else [])]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    if method == "sobol":
        if n & (n - 1):
            raise ValueError(f"Sobol' needs n to be a power of 2, got {n}")
        x = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
        u = x
    else:
        x = morris_sample.sample(problem, n, num_levels=levels, seed=seed)
        u = (x * (levels - 1) + 0.5) / levels  # grid levels -> quantiles inside (0, 1)
    values = to_inputs(u[:, : len(dists)], dists)
    if noise:
        keys = np.floor(np.clip(u[:, -1], 0, 1 - 1e-12) * 2**32).astype(np.int64).tolist()
    else:
        keys = [0] * len(values)
    specs = [RunSpec(i, int(keys[i]), tuple(sorted(values[i].items())))
             for i in range(len(values))]
    rows: dict[int, dict[str, Any]] = {}

    with ExitStack() as stack:
        info = executor if isinstance(executor, ExecutorInfo) else stack.enter_context(
            open_executor(workers, scheduler=scheduler, dask_local=dask_local,
                          executor=executor))
        from tqdm import tqdm

        bar = tqdm(total=len(specs), unit="run", desc=f"{method} design", file=sys.stderr,
                   disable=not (sys.stderr.isatty() if progress is None else progress))

        def on_done(task: Task, res: TaskResult) -> None:
            for r in res.rows:
                rows[int(r["run"])] = r
            bar.update(len(res.rows))

        size = _auto_batch(len(specs), info.workers)
        idx = list(range(len(specs)))
        tasks = [Task(sc, seed, tuple(specs[i] for i in b)) for b in _batches(idx, size)]
        try:
            execute(tasks, info, on_done)
        finally:
            bar.close()
    table = frame([rows[i] for i in range(len(specs))], sc)

    values_by_target: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    for t in chosen:
        y = table[f"value.{t}"].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            notes[t] = "the value is undefined (the target does not apply) in some runs"
            continue
        if np.ptp(y) == 0:
            notes[t] = f"the value is {y[0]:g} in every run: no input changes it"
            continue
        values_by_target[t] = y
    df = analyze_design(method, names, x, values_by_target, levels=levels,
                        num_resamples=num_resamples, confidence=confidence, seed=seed)
    return SensitivityResult(method, df, table, len(specs), seed, confidence, notes)


def analyze_design(method: str, names: Sequence[str], x: np.ndarray,
                   values_by_target: dict[str, np.ndarray], *, levels: int = 4,
                   num_resamples: int = 200, confidence: float = 0.95,
                   seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of each target's values over a SALib design.

    Parameters
    ----------
    method : {"sobol", "morris"}
    names : sequence of str
        The factors, in the design's column order.
    x : numpy.ndarray
        The design on the unit cube (as SALib sampled it), one row per run.
    values_by_target : dict of str to numpy.ndarray
        Each target's value in each run of the design (finite, not constant).
    levels, num_resamples, confidence, seed
        Morris grid levels; bootstrap of the intervals.

    Returns
    -------
    pandas.DataFrame
        As :attr:`SensitivityResult.indices`: one row per target and factor, sorted by target
        (in the given order), then by importance (ST or mu_star).
    """
    import pandas as pd
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    problem = {"num_vars": len(names), "names": list(names),
               "bounds": [[0.0, 1.0]] * len(names)}
    out = []
    for t, y in values_by_target.items():
        if method == "sobol":
            res = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                        num_resamples=num_resamples, conf_level=confidence,
                                        seed=seed)
            for j, name in enumerate(names):
                out.append({"target": t, "input": name, "S1": float(res["S1"][j]),
                            "S1_conf": float(res["S1_conf"][j]), "ST": float(res["ST"][j]),
                            "ST_conf": float(res["ST_conf"][j])})
        else:
            res = morris_analyze.analyze(problem, x, y, num_resamples=num_resamples,
                                         conf_level=confidence, num_levels=levels, seed=seed)
            top = float(np.max(res["mu_star"])) or 1.0
            for j, name in enumerate(names):
                out.append({"target": t, "input": name, "mu_star": float(res["mu_star"][j]),
                            "mu_star_conf": float(res["mu_star_conf"][j]),
                            "mu": float(res["mu"][j]), "sigma": float(res["sigma"][j]),
                            "mu_star_norm": float(res["mu_star"][j]) / top})
    key = "ST" if method == "sobol" else "mu_star"
    cols = (["target", "input", "S1", "S1_conf", "ST", "ST_conf"] if method == "sobol"
            else ["target", "input", "mu_star", "mu_star_conf", "mu", "sigma", "mu_star_norm"])
    df = pd.DataFrame(out, columns=cols)
    if len(df):
        order = {t: i for i, t in enumerate(values_by_target)}
        df = df.assign(_o=df["target"].map(order)).sort_values(
            ["_o", key], ascending=[True, False], kind="stable").drop(columns="_o")
        df = df.reset_index(drop=True)
    return df


def interval_excludes_zero(row: Any) -> bool:
    """Whether a row of sensitivity indices has an interval that excludes zero.

    Morris: ``mu_star - mu_star_conf > 0``; Sobol': ``ST - ST_conf > 0``. Missing or
    non-finite numbers count as not significant.
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    for est, conf in (("mu_star", "mu_star_conf"), ("ST", "ST_conf")):
        e, c = get(est, None), get(conf, None)
        if e is None or c is None:
            continue
        e, c = float(e), float(c)
        return bool(math.isfinite(e) and math.isfinite(c) and e - c > 0)
    return False


def significant_drivers(result: SensitivityResult, target: str, *, top: int | None = None,
                        include_noise: bool = False, min_share: float = 0.0) -> pd.DataFrame:
    """The inputs whose effect on a target's value is distinguishable from zero, ranked.

    An input is kept when the lower end of its bootstrap interval is above zero (Morris:
    ``mu_star - mu_star_conf > 0``; Sobol': ``ST - ST_conf > 0``). Rows are ranked by that lower
    end, largest first, so a large but uncertain index does not outrank a smaller sure one.

    Parameters
    ----------
    result : SensitivityResult
    target : str
    top : int, optional
        Keep at most this many.
    include_noise : bool
        Keep the :data:`NOISE` factor (run-to-run randomness) if it is significant; it is not a
        driver one can act on, so it is left out by default.
    min_share : float
        Also require the index to be at least this share of the target's largest index (e.g.
        0.1: a tenth of the strongest input's effect). mu* is a mean of absolute changes, so an
        input that perturbs the run at all has mu* > 0 and may pass the interval test with a
        negligible effect; this keeps such inputs out of a headline.

    Returns
    -------
    pandas.DataFrame
        The rows of :attr:`SensitivityResult.indices` kept, with a ``low`` column (the lower end
        of the interval); empty when no input is significant.
    """
    df = result.ranking(target)
    if df.empty:
        return df.assign(low=[])
    est, conf = ("ST", "ST_conf") if result.method == "sobol" else ("mu_star", "mu_star_conf")
    low = df[est].astype(float) - df[conf].astype(float)
    keep = low.gt(0) & low.notna()
    if min_share > 0:
        keep &= df[est].astype(float) >= min_share * float(df[est].astype(float).max())
    if not include_noise:
        keep &= df["input"] != NOISE
    out = df.assign(low=low)[keep].sort_values("low", ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    return out.head(top) if top else out
