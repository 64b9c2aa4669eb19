"""Tabletop exercises: the MSEL (the injects and what they expect of the players).

The exercise command, forks, console and after-action report build on this data layer.
"""

from sim.exercise import msel as _msel
from sim.exercise.msel import *  # noqa: F403  (the names of msel.__all__)

__all__ = list(_msel.__all__)
