"""The model's Environment (sim.response.engine) keeps SimPy's events and their order.

It steps through the queue in one loop, builds timeouts directly and does not queue the end of a
process that nothing waits for; whatever the processes do, they must resume at the same times
and in the same order as under ``simpy.Environment``. And a finished run frees its objects
without the cyclic collector (``Model.close``).
"""

from __future__ import annotations

import gc
from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.response.engine import Environment

# A process: delays to wait in turn (0 and repeated values make ties), and optionally another
# process (by index, an earlier one) to wait for before its last delay.
PROCS = st.lists(st.tuples(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 0.25]),
                                    min_size=1, max_size=4),
                           st.none() | st.integers(0, 10)), min_size=1, max_size=12)


def _trace(env: simpy.Environment, procs: list[tuple[list[float], int | None]],
           run: Any) -> list[tuple[float, int, int]]:
    log: list[tuple[float, int, int]] = []
    started: list[simpy.Process] = []

    def body(i: int, delays: list[float], wait: int | None) -> Generator[Any, Any, int]:
        for step, d in enumerate(delays):
            if step == len(delays) - 1 and wait is not None and wait < len(started):
                value = yield started[wait]  # finished or not: its value either way
                log.append((env.now, i, 100 + value))
            yield env.timeout(d)
            log.append((env.now, i, step))
        return i

    for i, (delays, wait) in enumerate(procs):
        started.append(env.process(body(i, delays, wait)))
    run(env)
    return log


@given(PROCS)
def test_processes_resume_in_simpys_order(procs: list[tuple[list[float], int | None]]) -> None:
    ref = _trace(simpy.Environment(), procs, lambda e: e.run(until=50.0))
    ours = _trace(Environment(), procs, lambda e: e.run_to(50.0))
    assert ours == ref


@given(PROCS, st.sampled_from([0.25, 0.5, 1.0, 2.5]))
def test_stepping_equals_running_straight(procs: list[tuple[list[float], int | None]],
                                          step: float) -> None:
    def stepped(env: Environment) -> None:
        t = 0.0
        while t < 50.0:
            t = min(50.0, t + step)
            env.run_to(t, last=t == 50.0)

    assert _trace(Environment(), procs, stepped) == \
        _trace(Environment(), procs, lambda e: e.run_to(50.0, last=True))


def test_a_process_end_is_an_event_only_when_waited_for() -> None:
    env = Environment()

    def short() -> Generator[Any, Any, str]:
        yield env.timeout(1.0)
        return "done"

    alone = env.process(short())
    env.run_to(5.0)
    # Initialize and the timeout: no event for the end nobody waited for.
    assert env.processed == 2 and alone.processed and alone.value == "done"
    got: list[str] = []

    def waiter(p: simpy.Process) -> Generator[Any, Any, None]:
        got.append((yield p))  # already finished: resumes at once with its value

    def waited() -> Generator[Any, Any, None]:
        got.append((yield env.process(short())))

    env.process(waiter(alone))
    env.process(waited())
    env.run_to(10.0)
    assert got == ["done", "done"] and env.now == 10.0
    # waiter: Initialize; waited: Initialize; short: Initialize, timeout, its end (waited for)
    assert env.processed == 2 + 5


def test_a_failing_process_raises_out_of_the_run() -> None:
    env = Environment()

    def bad() -> Generator[Any, Any, None]:
        yield env.timeout(1.0)
        raise KeyError("boom")

    env.process(bad())
    with pytest.raises(KeyError, match="boom"):
        env.run_to(5.0)


def test_a_finished_run_leaves_no_cyclic_garbage(demo: sim.Scenario) -> None:
    """``sim.run`` closes the model: its parts are freed by reference counting at once (a
    Wenzhou run left 12,869 objects in cycles for the collector; now about a hundred)."""
    sim.run(demo, 1)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        sim.run(demo, 2)
        left = gc.collect()
    finally:
        if was:
            gc.enable()
    assert left < 200
