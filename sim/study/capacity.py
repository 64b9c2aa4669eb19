"""What would make a target hold: the smallest increase of one resource, by CRN studies.

For an increase ``d`` of a resource (a count such as ``vehicles[county_trucks].count`` or a
quantity such as ``stock_points[county_depot].items.quilt``), a study of the changed scenario on
the *same* runs (common random numbers) estimates P(target holds). P need not rise with ``d``:
more shelter places, for one, can keep people in a remote shelter that is supplied later (see
:mod:`sim.study.monotone`). The search therefore does not bisect on a presumed monotone curve:
it evaluates a grid of increases in increasing order (every step up to a few, then a geometric
grid up to the cap), takes the smallest adequate grid value, and refines between it and the
evaluated value below it; drops of P between consecutive evaluated increases are reported,
with their paired difference on the same runs.

Three answers are given, each the smallest evaluated increase such that:

* ``increase``: the estimated P(holds) reaches the goal;
* ``increase_low``: the upper end of its interval reaches the goal (the data cannot rule out
  that this much is enough);
* ``increase_high``: the lower end of its interval reaches the goal (the data show this much is
  enough, at the interval's confidence).

An adequate increase lying strictly between two inadequate grid values is not seen: the
answers are exact on the evaluated grid, which is dense (every step) near the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.overrides import increase as increase_scenario
from sim.scenario.overrides import shifted, value_at
from sim.scenario.schema import Scenario
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.runner import run_study
from sim.study.stats import Interval, paired_difference

__all__ = ["CapacityPlan", "grid_search", "non_monotone_steps", "plan_capacity"]


@dataclass
class CapacityPlan:
    """The result of a capacity search.

    Attributes
    ----------
    target, resource : str
    goal : float
        The probability the target should hold with.
    base_value : object
        The resource's value in the scenario (a number or a distribution mapping).
    step : float
        The search grid: increases are multiples of ``step``.
    increase : float or None
        Smallest increase whose estimated P(holds) reaches the goal (None: not within the cap).
    p_holds : Interval or None
        P(holds) at ``increase``.
    increase_low, increase_high : float or None
        See the module docstring.
    evaluated : dict of float to Interval
        P(holds) at every increase tried.
    runs, seed : int
    max_increase : float
        The largest increase the search could try.
    non_monotone : list of dict
        Each drop of the estimated P(holds) from one evaluated increase to the next larger one
        (see :func:`non_monotone_steps`).
    """

    target: str
    resource: str
    goal: float
    base_value: Any
    step: float
    increase: float | None
    p_holds: Interval | None
    increase_low: float | None
    increase_high: float | None
    evaluated: dict[float, Interval] = field(default_factory=dict)
    runs: int = 0
    seed: int = 0
    max_increase: float = math.inf
    non_monotone: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "target": self.target, "resource": self.resource, "goal": self.goal,
            "base_value": self.base_value, "step": self.step, "increase": self.increase,
            "p_holds": self.p_holds.to_dict() if self.p_holds else None,
            "increase_low": self.increase_low, "increase_high": self.increase_high,
            "max_increase": self.max_increase if math.isfinite(self.max_increase) else None,
            "runs": self.runs, "seed": self.seed, "non_monotone": self.non_monotone,
            "evaluated": [{"increase": d, **iv.to_dict()}
                          for d, iv in sorted(self.evaluated.items())],
        }

    def statement(self) -> str:
        """One paragraph for the terminal."""
        return self._answer() + self._drops()

    def _drops(self) -> str:
        sig = [r for r in self.non_monotone if r.get("significant")]
        if not sig:
            return ""
        parts = "; ".join(
            f"+{_n(r['from'])} to +{_n(r['to'])}: {r['difference']['estimate']:+.3f} "
            f"[{r['difference']['low']:+.3f}, {r['difference']['high']:+.3f}]" for r in sig)
        return (f" P(holds) does not rise with {self.resource} everywhere: it falls "
                f"significantly on the same runs from {parts}.")

    def _answer(self) -> str:
        if self.increase is None:
            best = max(self.evaluated.items(), key=lambda kv: kv[1].estimate)
            top = max(self.evaluated)
            return (f"{self.target}: no increase of {self.resource} up to +{_n(top)} "
                    f"lifts P(holds) to {self.goal:g} (best: {best[1].estimate:.3f} "
                    f"[{best[1].low:.3f}, {best[1].high:.3f}] at +{_n(best[0])}); "
                    "the target depends on something else")
        assert self.p_holds is not None
        base = self.evaluated.get(0.0)
        head = (f"{self.target}: P(holds) {base.estimate:.3f} [{base.low:.3f}, {base.high:.3f}]"
                f" now; " if base else f"{self.target}: ")
        if self.increase == 0:
            return head + f"the goal {self.goal:g} is already reached"
        hi = ("not shown within the search" if self.increase_high is None
              else f"+{_n(self.increase_high)}")
        return (head + f"+{_n(self.increase)} on {self.resource} lifts it to "
                f"{self.p_holds.estimate:.3f} [{self.p_holds.low:.3f}, {self.p_holds.high:.3f}]"
                f" (goal {self.goal:g}; {self.runs} common-random-number runs per step). "
                f"The data are consistent with needing from +{_n(self.increase_low)} "
                f"(upper bound reaches the goal) to {hi} (lower bound reaches it).")


def _n(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{int(x)}" if float(x).is_integer() else f"{x:.4g}"


def _default_step(value: Any) -> tuple[float, bool]:
    """Search step and whether the resource is a whole number.

    The step is the power of ten nearest below 5 % of the value, at least 1 for whole numbers.
    """
    if isinstance(value, dict):
        nums = [v for k, v in value.items()
                if k in ("value", "values", "low", "mode", "high", "mean")]
        flat = [x for v in nums for x in (v if isinstance(v, list) else [v])]
    else:
        flat = [value]
    integer = bool(flat) and all(
        isinstance(x, int | float) and not isinstance(x, bool) and float(x).is_integer()
        for x in flat)
    ref = max((abs(float(x)) for x in flat), default=0.0)
    mag = 10.0 ** math.floor(math.log10(ref * 0.05)) if ref > 0 else 1.0
    return (max(1.0, mag) if integer else mag), integer


def _coarse_grid(cap_k: int, points: int) -> list[int]:
    """Steps of the first pass: every step up to ``points``, else a geometric grid to ``cap_k``.

    The geometric grid (about ``points`` values from 1 to ``cap_k``, and 0) is dense near zero,
    where small answers must be resolved, and sparse at large increases, which are refined
    where the goal is crossed.
    """
    if cap_k <= points:
        return list(range(cap_k + 1))
    ks = {0, 1, cap_k}
    for i in range(1, points + 1):
        ks.add(max(1, min(cap_k, round(cap_k ** (i / points)))))
    return sorted(ks)


def _first(ks: list[int], p_at: Callable[[int], Interval],
           test: Callable[[Interval], bool]) -> int | None:
    """Index of the first ``k`` of ``ks`` (in order) whose P(holds) passes ``test``."""
    for i, k in enumerate(ks):
        if test(p_at(k)):
            return i
    return None


def grid_search(p_at: Callable[[int], Interval], goal: float, cap_k: int, *,
                points: int = 8, refine: int = 3) -> dict[str, int | None]:
    """Smallest number of steps reaching ``goal`` under each criterion, not assuming monotonicity.

    A first pass evaluates the coarse grid of :func:`_coarse_grid` in increasing order and stops
    once the strictest criterion (the interval's lower end reaches the goal) is met: every
    smaller grid value has then been evaluated, so the first adequate grid value of each
    criterion is known whatever the shape of the curve. Each criterion's crossing (its first
    adequate value and the evaluated value below it) is then refined: ``refine`` evenly spaced
    steps inside are evaluated and the smallest adequate one is kept, until the crossing is one
    step wide.

    Parameters
    ----------
    p_at : callable
        P(holds) at ``k`` steps (the caller caches it: values are asked for more than once).
    goal : float
    cap_k : int
        Largest number of steps tried.
    points, refine : int
        Size of the coarse grid and of each refinement.

    Returns
    -------
    dict
        ``estimate``, ``high`` and ``low``: the smallest evaluated ``k`` whose estimate, upper end
        or lower end of its interval reaches the goal (None: none up to ``cap_k``).
    """
    tests: dict[str, Callable[[Interval], bool]] = {
        "estimate": lambda iv: iv.estimate >= goal,
        "high": lambda iv: iv.high >= goal,
        "low": lambda iv: iv.low >= goal,
    }
    seen: list[int] = []
    for k in _coarse_grid(cap_k, points):
        seen.append(k)
        if tests["low"](p_at(k)):
            break
    out: dict[str, int | None] = {}
    for name, test in tests.items():
        i = _first(seen, p_at, test)
        if i is None:
            out[name] = None
            continue
        lo, hi = (seen[i - 1], seen[i]) if i > 0 else (seen[i], seen[i])
        while hi - lo > 1:
            inner = sorted({lo + round(j * (hi - lo) / (refine + 1))
                            for j in range(1, refine + 1)} - {lo, hi})
            ks = [lo, *inner, hi]
            j = _first(ks[1:], p_at, test)
            if j is None:  # cannot happen: hi passes
                break
            lo, hi = ks[j], ks[j + 1]
        out[name] = hi
    return out


def non_monotone_steps(evaluated: dict[float, Interval],
                       met: dict[float, np.ndarray] | None = None,
                       confidence: float = 0.95) -> list[dict[str, Any]]:
    """Drops of the estimated P(holds) between consecutive evaluated increases.

    Parameters
    ----------
    evaluated : dict of float to Interval
        P(holds) at each increase.
    met : dict of float to ndarray, optional
        Whether the target held in each run at each increase (the same runs at every increase):
        with it, each drop carries its paired difference (Newcombe) and ``significant`` says
        whether that interval lies entirely below zero.
    confidence : float

    Returns
    -------
    list of dict
        ``from``, ``to`` (increases), ``p_from``, ``p_to`` (estimates), and with ``met``
        ``difference`` (P at ``to`` minus P at ``from``) and ``significant``.
    """
    ds = sorted(evaluated)
    out: list[dict[str, Any]] = []
    for a, b in zip(ds, ds[1:], strict=False):
        if evaluated[b].estimate >= evaluated[a].estimate:
            continue
        row: dict[str, Any] = {"from": a, "to": b, "p_from": evaluated[a].estimate,
                               "p_to": evaluated[b].estimate, "significant": None}
        if met is not None and a in met and b in met:
            diff = paired_difference(met[b], met[a], confidence).difference
            row["difference"] = diff.to_dict()
            row["significant"] = bool(diff.high < 0)
        out.append(row)
    return out


def plan_capacity(scenario: Scenario | str | Path, target: str, resource: str,
                  probability: float = 0.9, *, runs: int = 200, seed: int = 0,
                  step: float | None = None, max_increase: float | None = None,
                  workers: int | None = None, executor: Executor | ExecutorInfo | None = None,
                  scheduler: str | None = None, dask_local: bool = False,
                  progress: bool | None = None, confidence: float = 0.95,
                  on_step: Callable[[float, Interval], None] | None = None,
                  evaluate: Callable[[float], Interval] | None = None,
                  grid_points: int = 8) -> CapacityPlan:
    """Find the smallest increase of ``resource`` that lifts P(``target`` holds) to ``probability``.

    Parameters
    ----------
    scenario : Scenario or path
    target : str
        A target id.
    resource : str
        Path of a count or quantity (see :mod:`sim.scenario.overrides`).
    probability : float
        The goal.
    runs, seed : int
        Runs per evaluated increase, and the common root seed.
    step : float, optional
        Grid of increases (default: the power of ten nearest below 5 % of the value, at least 1
        for whole numbers; e.g. 1 for a fleet of 5, 100 for 6,000 quilts).
    max_increase : float, optional
        Largest increase tried (default ``2**12`` steps).
    workers, executor, scheduler, dask_local, progress
        As for :func:`sim.study.run_study`.
    confidence : float
        Confidence level of the intervals.
    on_step : callable, optional
        Called with each evaluated increase and its P(holds) (for progress reports).
    evaluate : callable, optional
        P(holds) at an increase, in place of a study of the changed scenario (for tests of the
        search on a known curve; no drops are then tested for significance).
    grid_points : int
        Size of the coarse grid (see :func:`grid_search`).

    Returns
    -------
    CapacityPlan

    Raises
    ------
    ScenarioError
        If the resource path does not hold a count or quantity.
    ValueError
        For an unknown target or impossible arguments.
    """
    from sim.scenario.loader import load_scenario

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    ids = [t.id for t in base.targets]
    if target not in ids:
        raise ValueError(f"unknown target {target!r}; known: {ids}")
    if not 0 < probability < 1:
        raise ValueError(f"probability must be in (0, 1), got {probability}")
    value = value_at(scenario, resource)
    shifted(value, 1.0, resource)  # a count or a quantity, or a shiftable distribution
    default_step, integer = _default_step(value)
    step = float(step) if step is not None else default_step
    if step <= 0 or (integer and not step.is_integer()):
        raise ValueError(f"step must be positive{' and whole' if integer else ''}, got {step}")
    cap = float(max_increase) if max_increase is not None else step * 2**12
    increase_scenario(scenario, resource, step)  # fail early on a bad resource or value
    evaluated: dict[float, Interval] = {}
    met: dict[float, np.ndarray] = {}
    cap_k = max(int(cap // step), 0)

    with ExitStack() as stack:
        info = None
        if evaluate is None:
            info = executor if isinstance(executor, ExecutorInfo) else stack.enter_context(
                open_executor(workers, scheduler=scheduler, dask_local=dask_local,
                              executor=executor))

        def p_at(k: int) -> Interval:
            d = k * step
            if d not in evaluated:
                if evaluate is not None:
                    evaluated[d] = evaluate(d)
                else:
                    sc = base if k == 0 else increase_scenario(scenario, resource, d)
                    st = run_study(sc, runs, seed, executor=info, progress=progress,
                                   confidence=confidence)
                    evaluated[d] = st.p_holds(target, confidence)
                    met[d] = st.table[f"met.{target}"].to_numpy(dtype=bool)
                if on_step is not None:
                    on_step(d, evaluated[d])
            return evaluated[d]

        found = grid_search(p_at, probability, cap_k, points=grid_points)
        k_est, k_low, k_high = found["estimate"], found["high"], found["low"]

    def d(k: int | None) -> float | None:
        return None if k is None else k * step

    return CapacityPlan(
        target, resource, probability, value, step, d(k_est),
        evaluated[k_est * step] if k_est is not None else None, d(k_low), d(k_high),
        evaluated, runs, seed, cap,
        non_monotone_steps(evaluated, met or None, confidence))
