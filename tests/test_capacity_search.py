"""The capacity search does not presume that P(holds) rises with the resource."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim.study.capacity import (
    _coarse_grid,
    grid_search,
    non_monotone_steps,
    plan_capacity,
)
from sim.study.stats import Interval, wilson

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo_coastal_typhoon.yaml"
TRUCKS = "vehicles[county_trucks].count"
RUNS = 200


def curve(p: Callable[[int], float]) -> tuple[Callable[[float], Interval], list[float]]:
    """A fake evaluator: P(holds) = p(increase) as a Wilson interval on RUNS runs; logs calls."""
    calls: list[float] = []

    def evaluate(d: float) -> Interval:
        calls.append(d)
        return wilson(round(p(int(d)) * RUNS), RUNS)

    return evaluate, calls


def bisection(p: Callable[[int], float], goal: float, cap_k: int) -> int | None:
    """The search this module used to run: double, then bisect (presumes a rising curve)."""
    if p(0) >= goal:
        return 0
    lo, hi = 0, 1
    while p(hi) < goal:
        lo = hi
        if hi >= cap_k:
            return None
        hi = min(hi * 2, cap_k)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if p(mid) >= goal:
            hi = mid
        else:
            lo = mid
    return hi


def dip(k: int) -> float:
    """Adequate at 3 (estimate 0.92), inadequate from 4 to 11 (0.5), adequate again from 12."""
    if k == 3 or k >= 12:
        return 0.92 if k == 3 else 0.99
    return 0.3 + 0.02 * k if k < 3 else 0.5


def test_finds_the_smallest_adequate_increase_that_bisection_misses() -> None:
    # Bisection on a presumed monotone curve tries 1, 2, 4, 8, 16, then 12, 10, 11: it never
    # sees the adequate increase of 3 and answers 12.
    assert bisection(dip, 0.9, 16) == 12
    evaluate, calls = curve(dip)
    plan = plan_capacity(DEMO, "relief_within_10h", TRUCKS, 0.9, step=1, max_increase=16,
                         evaluate=evaluate)
    assert plan.increase == 3
    assert plan.p_holds is not None and plan.p_holds.estimate == pytest.approx(0.92)
    # at 3 the interval's lower end (0.875) is below the goal: only from 12 is the goal shown
    assert plan.increase_high == 12 and plan.increase_low is not None and plan.increase_low <= 3
    # every increase below the answer was evaluated and is inadequate
    assert all(plan.evaluated[float(k)].estimate < 0.9 for k in range(3))
    # the drop after the adequate increase is reported
    drops = plan.non_monotone
    assert drops and drops[0]["from"] == 3 and drops[0]["p_to"] == pytest.approx(0.5)
    assert len(calls) == len(set(calls))  # each increase evaluated once


def test_refines_between_coarse_grid_points_to_one_step() -> None:
    # A rising curve crossing the goal of 0.8 at an increase of 74 (37 steps of 2), searched up
    # to 400 (200 steps).
    def rising(d: int) -> float:
        return 0.2 + 0.6 * d / 74 if d < 74 else 0.85 + 0.0005 * (d - 74)

    evaluate, calls = curve(rising)
    plan = plan_capacity(DEMO, "relief_within_10h", TRUCKS, 0.8, step=2, max_increase=400,
                         evaluate=evaluate)
    assert plan.increase == 74
    assert plan.evaluated[72].estimate < 0.8 <= plan.evaluated[74].estimate
    assert plan.non_monotone == []
    assert len(calls) < 200 / 4  # a grid and its refinements, not every step


def test_non_monotone_inside_a_refinement_keeps_the_smallest() -> None:
    # Coarse grid up to 64: 0, 1, 2, 3, 5, 8, 13, 23, 38, 64. Adequate at 15 and from 21 only:
    # the crossing 13-23 is refined at 15, 18 and 21, and 15 is kept (bisection answers 21).
    def bumpy(k: int) -> float:
        return 0.92 if k == 15 or k >= 21 else 0.4

    assert _coarse_grid(64, 8) == [0, 1, 2, 3, 5, 8, 13, 23, 38, 64]
    assert bisection(bumpy, 0.9, 64) == 21
    found = grid_search(lambda k: wilson(round(bumpy(k) * RUNS), RUNS), 0.9, 64)
    assert found["estimate"] == 15


def test_criteria_order_and_out_of_reach() -> None:
    def rising(k: int) -> float:
        return 0.5 + 0.05 * k

    found = grid_search(lambda k: wilson(round(min(rising(k), 1.0) * RUNS), RUNS), 0.8, 20)
    assert found["estimate"] == 6
    assert found["high"] is not None and found["low"] is not None
    assert found["high"] <= found["estimate"] <= found["low"]
    evaluate, _ = curve(lambda k: 0.3)
    plan = plan_capacity(DEMO, "relief_within_10h", TRUCKS, 0.9, step=1, max_increase=5,
                         evaluate=evaluate)
    assert plan.increase is None and plan.increase_high is None
    assert sorted(plan.evaluated) == [0, 1, 2, 3, 4, 5]
    assert "no increase" in plan.statement() and "up to +5 " in plan.statement()


def test_a_paired_drop_is_flagged_significant_only_when_its_interval_is_below_zero() -> None:
    rng = np.random.default_rng(3)
    base = rng.random(RUNS) < 0.7
    worse = base.copy()
    worse[np.flatnonzero(base)[:20]] = False  # 20 runs that held fail: a paired drop of 0.1
    slight = base.copy()
    slight[np.flatnonzero(base)[:1]] = False
    ev = {0.0: wilson(int(base.sum()), RUNS), 1.0: wilson(int(worse.sum()), RUNS),
          2.0: wilson(int(base.sum()), RUNS), 3.0: wilson(int(slight.sum()), RUNS)}
    rows = non_monotone_steps(ev, {0.0: base, 1.0: worse, 2.0: base, 3.0: slight})
    assert [(r["from"], r["to"]) for r in rows] == [(0.0, 1.0), (2.0, 3.0)]
    assert rows[0]["significant"] is True
    assert rows[0]["difference"]["estimate"] == pytest.approx(-0.1)
    assert rows[1]["significant"] is False
    assert math.isclose(rows[1]["difference"]["estimate"], -1 / RUNS)
