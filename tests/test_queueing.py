"""The shelter registration desks against queueing theory (Erlang C)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.response.shelters import Desks


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula)."""
    a = lam / mu
    rho = a / c
    assert rho < 1
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize("lam, mean_service, c, start", [(50.0, 0.05, 3, 0.0),
                                                         (20.0, 0.08, 2, -48.0),
                                                         (12.0, 0.4, 6, -12.5)])
def test_desks_reproduce_erlang_c_mean_wait(lam: float, mean_service: float, c: int,
                                            start: float) -> None:
    # runs start before the onset: arrivals at negative hours meet the same queue
    rng = np.random.default_rng(2026)
    desks = Desks(c, mean_service, rng)
    arrivals = start + np.cumsum(rng.exponential(1 / lam, size=120_000))
    for t in arrivals:
        desks.serve(float(t))
    waits = np.array(desks.waits[20_000:])  # drop the warm-up from an empty system
    batches = waits.reshape(50, -1).mean(axis=1)  # batch means are nearly independent
    mean = batches.mean()
    half = stats.t.ppf(0.9995, len(batches) - 1) * batches.std(ddof=1) / math.sqrt(len(batches))
    expected = erlang_c_wait(lam, 1 / mean_service, c)
    assert abs(mean - expected) <= half, (mean, expected, half)


def test_desks_are_fifo_and_never_overlap() -> None:
    rng = np.random.default_rng(1)
    d = Desks(2, 0.1, rng)
    ends = [d.serve(t)[0] for t in (0.0, 0.0, 0.0, 0.05, 0.3)]
    # three households at once on two desks: the third waits for the first free desk
    assert d.waits[0] == d.waits[1] == 0.0 and d.waits[2] > 0.0
    assert d.waits[2] == pytest.approx(min(ends[0], ends[1]))
    assert all(w >= 0 for w in d.waits)


@pytest.mark.parametrize("t", [-30.0, -0.5, 0.0, 7.25])
def test_a_first_household_waits_for_nobody_whatever_the_clock(t: float) -> None:
    d = Desks(2, 0.1, np.random.default_rng(5))
    done = d.serve(t, 2)
    assert d.waits == [0.0, 0.0] and all(x > t for x in done)


def test_desks_serve_a_group_as_its_households_one_by_one() -> None:
    one, group = Desks(2, 0.1, np.random.default_rng(3)), Desks(2, 0.1, np.random.default_rng(3))
    singly = [one.serve(0.5)[0] for _ in range(7)]
    assert group.serve(0.5, 7) == singly and group.waits == one.waits
    assert group.busy_h == pytest.approx(one.busy_h)
