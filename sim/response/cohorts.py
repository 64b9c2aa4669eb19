"""Cohorts: groups of people who move and are served together, and their relief record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Cohort", "ReliefLog"]


@dataclass(slots=True, eq=False)
class Cohort:
    """People from one home zone who share their history since they needed relief.

    Attributes
    ----------
    home : int
        Index of the home zone.
    n : int
        Number of people (always a whole number; a cohort is split, never divided).
    t_need : float
        When these people left home or lost it (hours from onset).
    relieved_at : float or None
        When they received basic relief, if they have.
    closed : bool
        True once the cohort's relief outcome has been written to the log.
    """

    home: int
    n: int
    t_need: float
    relieved_at: float | None = None
    closed: bool = False
    next_ration_h: float = math.inf
    where: int = -1
    """Index of the shelter the cohort is in (-1: none)."""

    def split(self, k: int) -> Cohort:
        """Detach ``k`` people into a new cohort with the same history."""
        if not 0 < k < self.n:
            raise ValueError(f"cannot split {k} from a cohort of {self.n}")
        self.n -= k
        return Cohort(self.home, k, self.t_need, self.relieved_at, self.closed, self.next_ration_h,
                      self.where)


@dataclass(slots=True)
class ReliefLog:
    """Time to basic relief of every person who needed it: (zone, count, t_need, t_relief) rows.

    ``t_relief`` is ``inf`` for people never relieved within the run (censored at its end, or
    gone home unrelieved).
    """

    zone: list[int] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    t_need: list[float] = field(default_factory=list)
    t_relief: list[float] = field(default_factory=list)

    def add(self, zone: int, n: int, t_need: float, t_relief: float) -> None:
        """Record ``n`` people of home ``zone`` with their need and relief times."""
        if n > 0:
            self.zone.append(zone)
            self.n.append(n)
            self.t_need.append(t_need)
            self.t_relief.append(t_relief)

    def close(self, c: Cohort) -> None:
        """Write a cohort's outcome (relieved or not) once."""
        if not c.closed:
            c.closed = True
            self.add(c.home, c.n, c.t_need,
                     math.inf if c.relieved_at is None else c.relieved_at)
