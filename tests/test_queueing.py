"""The shelter registration desks against queueing theory (Erlang C)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.response.shelters import Desks
from sim.study.validation import ERLANG_CASES, check_erlang_c, erlang_c_wait


def test_erlang_c_closed_form() -> None:
    # M/M/1: Wq = rho / (mu - lam); M/M/2 with a = 1: P(wait) = 1/3, Wq = P(wait) / (2 mu - lam)
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(0.5 / 0.5)
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx((1 / 3) / 1.0)
    with pytest.raises(ValueError):
        erlang_c_wait(3.0, 1.0, 3)


@pytest.mark.parametrize("lam, mean_service, c, start", ERLANG_CASES)
def test_desks_reproduce_erlang_c_mean_wait(lam: float, mean_service: float, c: int,
                                            start: float) -> None:
    # runs start before the onset: arrivals at negative hours meet the same queue; the check
    # compares the mean wait after a warm-up with Erlang C within a 99.9 % batch-means interval
    res = check_erlang_c(lam, mean_service, c, start)
    assert res.closed_form == pytest.approx(erlang_c_wait(lam, 1 / mean_service, c))
    assert res.passed, res
    assert 0 < res.tolerance < 0.3 * res.closed_form  # the interval is narrow enough to fail


def test_erlang_c_check_fails_for_slower_desks(monkeypatch: pytest.MonkeyPatch) -> None:
    # desks 10 % slower than the formula is told are caught by the check
    import sim.response.shelters as shelters

    class SlowDesks(Desks):
        def __init__(self, c: int, mean_h: float, rng: np.random.Generator) -> None:
            super().__init__(c, 1.1 * mean_h, rng)

    assert check_erlang_c(20.0, 0.08, 2, arrivals=40_000, warmup=10_000).passed
    monkeypatch.setattr(shelters, "Desks", SlowDesks)
    assert not check_erlang_c(20.0, 0.08, 2, arrivals=40_000, warmup=10_000).passed


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
