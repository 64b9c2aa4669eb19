"""Forks of an exercise (推演分支): N futures from now, with and without an alternative decision.

Future ``b`` is the run replayed from its seed with the interventions so far, then a
:class:`~sim.interventions.Branch` number ``b`` at the fork's time (the same past, its own
future), then the effects of the injects still to come (as if the players took no further
decision). It is exactly ``run(scenario, seed, interventions)`` with those interventions
(:func:`future_interventions`), so a future can be replayed alone.

Under an alternative decision, future ``b`` takes the decision at the fork's time before the
same branch ``b``: both variants see the same disasters (common random numbers), and the
difference of P(holds) is paired (Newcombe's interval, :func:`sim.study.stats.paired_difference`).
A target's P(holds) has a Wilson interval (:func:`sim.study.stats.wilson`), over the futures in
which it applies.

Futures run on the study's executors (:func:`sim.study.executors.open_executor`): they are
plain data (a scenario path or object, a seed, interventions), never live simulations, and the
table does not depend on the number of workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.interventions import Branch, Intervention
from sim.run import run
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.study.executors import open_executor
from sim.study.stats import paired_difference, paired_mean_difference, wilson

if TYPE_CHECKING:
    from sim.exercise.session import Exercise
    from sim.results import RunResult

__all__ = ["FAN_QUANTILES", "MAX_FUTURES", "ForkReport", "FutureSpec", "fork_futures",
           "future_interventions", "run_future", "unrelieved_at"]

MAX_FUTURES = 10_000
"""Most futures one fork may run."""
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
QUANTITIES: dict[str, tuple[str, str]] = {
    "relief_p50_h": ("median time to basic relief, h", "基本生活救助时间中位数（小时）"),
    "relief_p90_h": ("90th percentile of the time to basic relief, h",
                     "90%受灾人员得到基本生活救助的时间（小时）"),
    "waiting_person_h": ("person-hours waiting for basic relief after the fork",
                         "分支后等待基本生活救助的人·小时"),
    "killed": ("deaths", "死亡人数"),
}
"""Quantities a fork compares besides the targets (mean over futures, paired difference)."""
QUANTITY_EN = "displaced people not yet given basic relief (relief counted from onset)"
QUANTITY_ZH = "尚未得到基本生活救助的受灾人数"


@dataclass(frozen=True)
class FutureSpec:
    """One future as plain, picklable data."""

    scenario: Scenario | str
    """The scenario, or the path of its file (loaded once per worker process)."""
    seed: int
    interventions: tuple[Intervention, ...]
    times: tuple[float, ...]
    """Where the fan's quantity is read."""
    variant: int = 0
    """0: the course as it stands; 1: under the alternative decision."""
    branch: int = 0


@dataclass
class ForkReport:
    """What a fork said: each target's P(holds), the paired difference, and a fan."""

    id: str
    t_h: float
    futures: int
    workers: int
    decision: tuple[str, str] | None
    """The alternative decision in English and Chinese (None without one)."""
    targets: list[dict[str, Any]]
    """``{id, clause_en, clause_zh, n, p, lo, hi, n_alt, p_alt, lo_alt, hi_alt, n_pairs, diff,
    diff_lo, diff_hi}`` (the ``_alt`` and ``diff`` fields None without an alternative)."""
    fan: dict[str, Any]
    """``{times, quantity_en, quantity_zh, q05, q25, q50, q75, q95}``."""
    fan_alt: dict[str, Any] | None
    seconds: float
    """Wall time of the fork."""
    cpu_seconds: float = 0.0
    """CPU time of all the futures together (in their processes)."""
    decision_data: dict[str, Any] | None = None
    """The alternative decision as an intervention mapping."""
    met: dict[str, list[bool | None]] = field(default_factory=dict)
    """Per target, whether it held in each future (None: did not apply), branch order."""
    met_alt: dict[str, list[bool | None]] | None = None
    quantities: list[dict[str, Any]] = field(default_factory=list)
    """``{id, en, zh, mean, n_infinite, mean_alt, n_infinite_alt, diff, diff_lo, diff_hi,
    n_pairs}`` for each of :data:`QUANTITIES` and each target's value (``value:<target id>``):
    the mean over the futures with a finite value, how many futures have an infinite one (a
    relief time some people never reach) and, with an alternative, the paired mean difference
    (alternative minus the course as it stands, pairs with finite values) with its t
    interval."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        from sim.exercise.session import jsonable

        d = asdict(self)
        d["decision"] = list(self.decision) if self.decision else None
        out: dict[str, Any] = jsonable(d)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ForkReport:
        """Rebuild a report from :meth:`to_dict`'s mapping."""
        d = dict(d)
        if d.get("decision") is not None:
            d["decision"] = tuple(d["decision"])
        return cls(**d)

    def target(self, target_id: str) -> dict[str, Any]:
        """The row of one target (``KeyError`` if absent)."""
        for t in self.targets:
            if t["id"] == target_id:
                return t
        raise KeyError(target_id)

    def summary(self) -> tuple[str, str]:
        """One line in English and one in Chinese: P(holds) of each target, and the change."""

        def pct(x: float | None) -> str:
            return "n/a" if x is None else f"{100 * x:.0f}%"

        parts = []
        for t in self.targets:
            if t["p"] is None:
                continue  # applied in no future
            if t["diff"] is not None:
                parts.append(f"{t['id']} {pct(t['p'])} -> {pct(t['p_alt'])} "
                             f"({100 * t['diff']:+.0f} points [{100 * t['diff_lo']:+.0f}, "
                             f"{100 * t['diff_hi']:+.0f}])")
            else:
                parts.append(f"{t['id']} {pct(t['p'])} [{pct(t['lo'])}, {pct(t['hi'])}]")
        when = f"T{self.t_h:+g} h"
        head_en = f"Fork {self.id} at {when}: {self.futures} futures"
        head_zh = f"分支{self.id}（{when}）：{self.futures}个未来"
        if self.decision:
            head_en += f", with and without: {self.decision[0]}"
            head_zh += f"，比较有无决策：{self.decision[1]}"
        return (f"{head_en}; P(holds): " + "; ".join(parts),
                f"{head_zh}；目标达成概率：" + "；".join(parts))


def future_interventions(ex: Exercise, branch: int, alternative: Intervention | None = None
                         ) -> list[Intervention]:
    """The interventions of future ``branch`` from the exercise's current time.

    ``run(ex.scenario, ex.seed, future_interventions(ex, b, alt))`` is that future.
    """
    alt = [alternative] if alternative is not None else []
    return [*ex.sim.interventions, *alt, Branch(kind="branch", at_h=ex.now, branch=branch),
            *ex.future_interventions()]


def unrelieved_at(result: RunResult, times: Sequence[float]) -> np.ndarray:
    """People needing relief and not yet relieved at each time (relief counted from onset)."""
    t = np.asarray(times, dtype=float)[:, None]
    need = result.relief_t_need[None, :] <= t + 1e-9
    waiting = result.relief_t[None, :] > t + 1e-9
    out: np.ndarray = ((need & waiting) * result.relief_n[None, :]).sum(axis=1)
    return out


_SCENARIOS: dict[str, Scenario] = {}


def _scenario(s: Scenario | str) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if s not in _SCENARIOS:
        _SCENARIOS[s] = load_scenario(s)
    return _SCENARIOS[s]


def run_future(spec: FutureSpec) -> dict[str, Any]:
    """Run one future; its targets (met, or None where a target does not apply), fan, CPU."""
    t0 = time.process_time()
    r = run(_scenario(spec.scenario), spec.seed, list(spec.interventions))
    fan = unrelieved_at(r, spec.times)
    waiting = float(np.sum((fan[1:] + fan[:-1]) * np.diff(spec.times)) / 2.0) \
        if len(spec.times) > 1 else 0.0
    return {"variant": spec.variant, "branch": spec.branch,
            "met": [None if t.value is None else bool(t.met) for t in r.targets],
            "value": [t.value for t in r.targets],
            "quantities": [float(r.metrics[k]) if k in r.metrics else waiting
                           for k in QUANTITIES],
            "fan": fan.tolist(),
            "cpu": time.process_time() - t0}


def _run_batch(specs: list[FutureSpec]) -> list[dict[str, Any]]:
    return [run_future(s) for s in specs]


def _fan(values: np.ndarray, times: Sequence[float]) -> dict[str, Any]:
    qs = np.quantile(values, FAN_QUANTILES, axis=0) if len(values) else np.full(
        (len(FAN_QUANTILES), len(times)), math.nan)
    out: dict[str, Any] = {"times": list(times), "quantity_en": QUANTITY_EN,
                           "quantity_zh": QUANTITY_ZH}
    for q, row in zip(FAN_QUANTILES, qs, strict=True):
        out[f"q{round(100 * q):02d}"] = [float(x) for x in row]
    return out


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _mean(x: np.ndarray) -> float | None:
    ok = x[np.isfinite(x)]
    return float(ok.mean()) if len(ok) else None


def _p(met: list[bool | None]) -> tuple[int, float | None, float | None, float | None]:
    ok = [m for m in met if m is not None]
    if not ok:
        return 0, None, None, None
    iv = wilson(sum(ok), len(ok))
    return len(ok), iv.estimate, iv.low, iv.high


def fork_futures(ex: Exercise, futures: int, alternative: Intervention | None = None, *,
                 workers: int = 1, fork_id: str = "F1") -> ForkReport:
    """Run ``futures`` futures of an exercise from now (and under ``alternative``).

    Parameters
    ----------
    ex : Exercise
        The exercise (not changed).
    futures : int
        Number of futures (branches ``0 .. futures - 1``).
    alternative : Intervention, optional
        A decision at the current time; the same branches run with it too.
    workers : int
        Local processes (1: in this process). The report is the same for any number.
    fork_id : str
        The report's id.

    Returns
    -------
    ForkReport
    """
    if isinstance(futures, bool) or not isinstance(futures, int) \
            or not 1 <= futures <= MAX_FUTURES:
        raise ValueError(f"futures must be a whole number from 1 to {MAX_FUTURES:,}, "
                         f"got {futures!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    from sim.exercise.session import describe_intervention

    t_start = time.perf_counter()
    now = ex.now
    step = max(float(ex.scenario.time.record_every_h), (ex.end - now) / 200.0)
    times = tuple(float(x) for x in np.arange(now, ex.end + 1e-9, step)) or (now,)
    scen: Scenario | str = (str(ex.scenario_path) if ex.scenario_path is not None
                            else ex.scenario)
    variants = [None] if alternative is None else [None, alternative]
    specs = [FutureSpec(scen, ex.seed, tuple(future_interventions(ex, b, alt)), times, v, b)
             for v, alt in enumerate(variants) for b in range(futures)]
    results: list[dict[str, Any]] = []
    with open_executor(workers) as info:
        if info.executor is None:
            results = _run_batch(specs)
        else:
            size = max(1, math.ceil(len(specs) / (4 * info.workers)))
            jobs: list[Future[list[dict[str, Any]]]] = [
                info.executor.submit(_run_batch, specs[i:i + size])
                for i in range(0, len(specs), size)]
            for j in jobs:
                results.extend(j.result())
    results.sort(key=lambda r: (r["variant"], r["branch"]))
    targets = list(ex.scenario.targets)
    by_variant = [[r for r in results if r["variant"] == v] for v in range(len(variants))]
    met = {t.id: [r["met"][k] for r in by_variant[0]] for k, t in enumerate(targets)}
    met_alt = ({t.id: [r["met"][k] for r in by_variant[1]] for k, t in enumerate(targets)}
               if alternative is not None else None)
    rows = []
    for t in targets:
        n, p, lo, hi = _p(met[t.id])
        row: dict[str, Any] = {"id": t.id, "clause_en": t.clause.en if t.clause else None,
                               "clause_zh": t.clause.zh if t.clause else None,
                               "n": n, "p": p, "lo": lo, "hi": hi, "n_alt": None,
                               "p_alt": None, "lo_alt": None, "hi_alt": None, "n_pairs": None,
                               "diff": None, "diff_lo": None, "diff_hi": None}
        if met_alt is not None:
            row["n_alt"], row["p_alt"], row["lo_alt"], row["hi_alt"] = _p(met_alt[t.id])
            pairs = [(a, b) for a, b in zip(met_alt[t.id], met[t.id], strict=True)
                     if a is not None and b is not None]
            row["n_pairs"] = len(pairs)
            if pairs:
                d = paired_difference(np.array([a for a, _ in pairs]),
                                      np.array([b for _, b in pairs])).difference
                row["diff"], row["diff_lo"], row["diff_hi"] = d.estimate, d.low, d.high
        rows.append(row)
    quantities = []
    names = [(k, en, zh) for k, (en, zh) in QUANTITIES.items()] + [
        (f"value:{t.id}", f"{t.id}: value", f"{t.clause.zh if t.clause else t.id}：数值")
        for t in targets]
    for k, (qid, en, zh) in enumerate(names):
        def column(rows: list[dict[str, Any]], k: int = k) -> np.ndarray:
            key, j = ("quantities", k) if k < len(QUANTITIES) else ("value", k - len(QUANTITIES))
            return np.array([np.nan if r[key][j] is None else r[key][j] for r in rows],
                            dtype=float)

        base = column(by_variant[0])
        q: dict[str, Any] = {"id": qid, "en": en, "zh": zh, "mean": _mean(base),
                             "n_infinite": int(np.isinf(base).sum()), "mean_alt": None,
                             "n_infinite_alt": None, "diff": None, "diff_lo": None,
                             "diff_hi": None, "n_pairs": None}
        if alternative is not None:
            alt_v = column(by_variant[1])
            q["mean_alt"] = _mean(alt_v)
            q["n_infinite_alt"] = int(np.isinf(alt_v).sum())
            pm = paired_mean_difference(alt_v, base)
            q["n_pairs"] = pm.runs
            iv = pm.difference
            q["diff"], q["diff_lo"], q["diff_hi"] = (_num(iv.estimate), _num(iv.low),
                                                     _num(iv.high))
        quantities.append(q)
    fan = _fan(np.array([r["fan"] for r in by_variant[0]]), times)
    fan_alt = (_fan(np.array([r["fan"] for r in by_variant[1]]), times)
               if alternative is not None else None)
    return ForkReport(
        id=fork_id, t_h=now, futures=futures, workers=workers,
        decision=(describe_intervention(alternative, ex.scenario)
                  if alternative is not None else None),
        targets=rows, fan=fan, fan_alt=fan_alt, seconds=time.perf_counter() - t_start,
        cpu_seconds=float(sum(r["cpu"] for r in results)),
        decision_data=alternative.model_dump(mode="json") if alternative is not None else None,
        met=met, met_alt=met_alt, quantities=quantities)
