"""Tabletop exercises: the MSEL, the exercise session, decisions and forks.

:mod:`~sim.exercise.msel` (the injects and what they expect of the players),
:mod:`~sim.exercise.session` (:class:`Exercise`: stepping, injects, decisions, status, save and
resume), :mod:`~sim.exercise.forks` (N futures from now, with and without a decision),
:mod:`~sim.exercise.risk` (targets at risk on the run so far),
:mod:`~sim.exercise.decisions` (decision scripts, :func:`play`).
"""

from sim.exercise import msel as _msel
from sim.exercise.decisions import DecisionScript, load_decisions, play
from sim.exercise.forks import ForkReport
from sim.exercise.msel import *  # noqa: F403  (the names of msel.__all__)
from sim.exercise.session import Exercise, LogEntry

__all__ = [*_msel.__all__, "DecisionScript", "Exercise", "ForkReport", "LogEntry",
           "load_decisions", "play"]
