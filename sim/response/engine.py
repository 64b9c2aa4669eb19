"""The model's SimPy Environment: SimPy's events and order, with less work per event.

A Wenzhou run processes 6,000-40,000 events, and SimPy's own bookkeeping was about a seventh
of its CPU time (14 % under cProfile). :class:`Environment` keeps SimPy's classes, queue and
ordering rule (time, then priority, then the order of scheduling), so every event happens at
the same instant and in the same order as under :class:`simpy.Environment`, and changes three
things:

- :meth:`Environment.run_to` steps through the queue in one loop instead of one method call
  per event, and stops at its stop event without SimPy's ``StopSimulation`` exception;
- :meth:`Environment.timeout` builds a :class:`simpy.Timeout` directly (SimPy binds its
  event classes to the environment only for :class:`simpy.Environment` itself, so a subclass
  paid for a new bound method at every ``env.timeout``);
- :meth:`Environment.process` makes a :class:`Process` whose end is not scheduled as an event
  when nothing waits for it: SimPy would queue the finished process and process it later with
  no callbacks, a sixth of a run's events (13,251 of 76,664 on Wenzhou seeds 0-4). It is
  marked processed at once instead (a process that later yields it resumes at once, as with
  any processed event). Only the event count (``processed``) differs from SimPy's.
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, URGENT, EventPriority, Initialize, Timeout

from sim.response.gcpause import paused_gc

__all__ = ["Environment", "Process"]

_new = object.__new__


class Process(simpy.Process):
    """A SimPy process whose end is an event only if something waits for it."""

    def __init__(self, env: Environment, generator: Generator[Any, Any, Any]) -> None:
        if not hasattr(generator, "throw"):
            raise ValueError(f"{generator} is not a generator.")
        self.env = env
        self.callbacks = []
        self._generator = generator
        init = _new(Initialize)
        init.env = env
        init.callbacks = [self._resume]
        init._value = None
        init._ok = True
        heappush(env._queue, (env._now, URGENT, next(env._eid), init))
        self._target = init

    def _resume(self, event: simpy.Event) -> None:
        """Resume the generator with ``event``'s value (SimPy's, with the end above)."""
        env = self.env
        env._active_proc = self
        send = self._generator.send
        while True:
            try:
                if event._ok:
                    event = send(event._value)
                else:
                    event._defused = True
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    event = self._generator.throw(exc)
            except StopIteration as e:
                event = None  # type: ignore[assignment]
                self._ok = True
                self._value = e.args[0] if e.args else None
                if self.callbacks:
                    env.schedule(self)
                else:  # nothing waits: processed now, no event
                    self.callbacks = None  # type: ignore[assignment]
                break
            except BaseException as e:
                event = None  # type: ignore[assignment]
                self._ok = False
                e.__traceback__ = e.__traceback__.tb_next  # type: ignore[union-attr]
                self._value = e
                env.schedule(self)
                break
            try:
                callbacks = event.callbacks
            except AttributeError:
                raise RuntimeError(f'Invalid yield value "{event}"') from None
            if callbacks is not None:
                callbacks.append(self._resume)
                break
        self._target = event
        env._active_proc = None


class Environment(simpy.Environment):
    """A SimPy Environment that steps cheaply and can schedule an event at an exact time.

    ``schedule(event, priority, delay)`` computes ``now + delay`` in floating point, so the same
    instant reached from two different ``now`` values may differ in the last bit. Interventions
    and step boundaries are placed with :meth:`schedule_at` instead, so a stepped run and its
    replay put them at bit-identical times.
    """

    processed: int = 0
    """Events processed so far (for the event-rate benchmark)."""

    now: float = 0.0
    """The current time: a plain attribute kept equal to SimPy's ``_now`` (SimPy's is a
    property, and the model reads the clock some 40,000 times a Wenzhou run)."""

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self.now = self._now

    def timeout(self, delay: float, value: Any = None) -> Timeout:  # type: ignore[override]
        """A :class:`simpy.Timeout` of ``delay`` hours (scheduled now)."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        ev = _new(Timeout)
        ev.env = self
        ev.callbacks = []
        ev._value = value
        ev._delay = delay
        ev._ok = True
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), ev))
        return ev

    def process(self, generator: Generator[Any, Any, Any]) -> Process:
        """Start a :class:`Process` running ``generator``."""
        return Process(self, generator)

    def step(self) -> None:
        """Process the next event, counting it."""
        self.processed += 1
        try:
            super().step()
        finally:
            self.now = self._now

    def schedule_at(self, event: simpy.Event, priority: EventPriority, at: float) -> None:
        """Schedule ``event`` at absolute time ``at`` (not before now)."""
        if at < self._now:
            raise ValueError(f"cannot schedule at {at} before now ({self._now})")
        heappush(self._queue, (at, priority, next(self._eid), event))

    def close(self) -> None:
        """Drop every queued event and its callbacks (a finished run: see ``Model.close``)."""
        for *_, event in self._queue:
            event.callbacks = None  # type: ignore[assignment]
        self._queue.clear()

    def run_to(self, at: float, *, last: bool = False) -> None:
        """Process every event before ``at`` (and URGENT ones at ``at`` scheduled earlier).

        ``last`` marks the run's final call (``at`` is its end): then, even when the clock is
        already at ``at``, the URGENT events queued there since the last stop (interventions
        scheduled after stepping to the end) still act, as in a replay that knew them from the
        start. Earlier steps to the current time do nothing, so that several interventions
        scheduled at one instant act together, before anything the first of them starts.
        """
        if at < self._now or (at == self._now and not last):
            return
        stop = simpy.Event(self)
        stop._ok = True
        stop._value = None
        self.schedule_at(stop, URGENT, at)
        queue = self._queue
        done = 0
        with paused_gc():
            try:
                while True:
                    now, _, _, event = heappop(queue)
                    self._now = self.now = now
                    if event is stop:
                        stop.callbacks = None  # type: ignore[assignment]
                        return
                    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
                    for callback in callbacks:
                        callback(event)
                    done += 1
                    if not event._ok and not hasattr(event, "_defused"):
                        exc = type(event._value)(*event._value.args)
                        exc.__cause__ = event._value
                        raise exc
            finally:
                self.processed += done
