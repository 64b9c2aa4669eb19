"""What would make a target hold: the smallest increase of one resource, by CRN studies.

For an increase ``d`` of a resource (a count such as ``vehicles[county_trucks].count`` or a
quantity such as ``stock_points[county_depot].items.quilt``), a study of the changed scenario on
the *same* runs (common random numbers) estimates P(target holds). The search doubles ``d`` until
the goal is reached, then bisects; with common random numbers the estimated P is a far smoother
function of ``d`` than with fresh runs at every step.

Three answers are given, each the smallest increase on the search grid such that:

* ``increase``: the estimated P(holds) reaches the goal;
* ``increase_low``: the upper end of its interval reaches the goal (the data cannot rule out
  that this much is enough);
* ``increase_high``: the lower end of its interval reaches the goal (the data show this much is
  enough, at the interval's confidence).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.scenario.overrides import increase as increase_scenario
from sim.scenario.overrides import shifted, value_at
from sim.scenario.schema import Scenario
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.runner import run_study
from sim.study.stats import Interval

__all__ = ["CapacityPlan", "plan_capacity"]


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "target": self.target, "resource": self.resource, "goal": self.goal,
            "base_value": self.base_value, "step": self.step, "increase": self.increase,
            "p_holds": self.p_holds.to_dict() if self.p_holds else None,
            "increase_low": self.increase_low, "increase_high": self.increase_high,
            "max_increase": self.max_increase if math.isfinite(self.max_increase) else None,
            "runs": self.runs, "seed": self.seed,
            "evaluated": [{"increase": d, **iv.to_dict()}
                          for d, iv in sorted(self.evaluated.items())],
        }

    def statement(self) -> str:
        """One paragraph for the terminal."""
        if self.increase is None:
            best = max(self.evaluated.items(), key=lambda kv: kv[1].estimate)
            return (f"{self.target}: no increase of {self.resource} up to +{_n(best[0])} "
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


def plan_capacity(scenario: Scenario | str | Path, target: str, resource: str,
                  probability: float = 0.9, *, runs: int = 200, seed: int = 0,
                  step: float | None = None, max_increase: float | None = None,
                  workers: int | None = None, executor: Executor | ExecutorInfo | None = None,
                  scheduler: str | None = None, dask_local: bool = False,
                  progress: bool | None = None, confidence: float = 0.95,
                  on_step: Callable[[float, Interval], None] | None = None) -> CapacityPlan:
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

    with ExitStack() as stack:
        info = executor if isinstance(executor, ExecutorInfo) else stack.enter_context(
            open_executor(workers, scheduler=scheduler, dask_local=dask_local,
                          executor=executor))

        def p_at(k: int) -> Interval:
            d = k * step
            if d not in evaluated:
                sc = base if k == 0 else increase_scenario(scenario, resource, d)
                st = run_study(sc, runs, seed, executor=info, progress=progress,
                               confidence=confidence)
                evaluated[d] = st.p_holds(target, confidence)
                if on_step is not None:
                    on_step(d, evaluated[d])
            return evaluated[d]

        def smallest(ok: Callable[[Interval], bool]) -> int | None:
            """Smallest k on the grid with ok(P(k)), assuming P grows with k."""
            if ok(p_at(0)):
                return 0
            lo, hi = 0, 1
            while not ok(p_at(hi)):
                lo = hi
                if hi * step >= cap:
                    return None
                hi = min(hi * 2, int(cap // step))
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if ok(p_at(mid)):
                    hi = mid
                else:
                    lo = mid
            return hi

        k_est = smallest(lambda iv: iv.estimate >= probability)
        k_low = smallest(lambda iv: iv.high >= probability)
        k_high = smallest(lambda iv: iv.low >= probability)

    def d(k: int | None) -> float | None:
        return None if k is None else k * step

    return CapacityPlan(
        target, resource, probability, value, step, d(k_est),
        evaluated[k_est * step] if k_est is not None else None, d(k_low), d(k_high),
        evaluated, runs, seed, cap)
