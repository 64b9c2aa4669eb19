"""The people ledger: how many people of each zone are in each state, at every moment.

People are counted in integers and only ever *moved* between states, so the total of every
zone stays its population. Every move is logged (time, zone, from, to, count), which lets the
ledger be rebuilt at any time and proves conservation.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Ledger", "State"]


class State(IntEnum):
    """States of people (the design's vocabulary). Each person is in exactly one."""

    at_home = 0
    """In their usable home, not warned (or the warning has not reached them)."""
    warned = 1
    """Reached by the warning, still at home."""
    evacuating = 2
    """Left home (转移) and on the way, or waiting for transport, to a place to stay."""
    sheltered = 3
    """In a shelter (集中安置)."""
    dispersed = 4
    """Staying with relatives or friends (分散安置)."""
    exposed = 5
    """In the zone when the hazard struck, unhurt, until the all-clear."""
    displaced = 6
    """Home unusable or left, and no place to stay yet."""
    injured = 7
    """Injured (any severity)."""
    trapped = 8
    """Trapped under debris or cut off, awaiting rescue."""
    rescued = 9
    """Extracted alive from entrapment."""
    killed = 10
    """Dead or missing."""

    @property
    def zh(self) -> str:
        """Chinese name of the state."""
        return _ZH[self]


_ZH = {
    State.at_home: "在家",
    State.warned: "已预警",
    State.evacuating: "转移中",
    State.sheltered: "集中安置",
    State.dispersed: "分散安置",
    State.exposed: "受影响",
    State.displaced: "无家可归",
    State.injured: "受伤",
    State.trapped: "被困",
    State.rescued: "获救",
    State.killed: "死亡失踪",
}

N_STATES = len(State)


class Ledger:
    """Integer counts of people by (zone, state).

    Parameters
    ----------
    populations : sequence of int
        Population of each zone; everyone starts :attr:`State.at_home`.
    """

    def __init__(self, populations: list[int]) -> None:
        self.counts: list[list[int]] = [[0] * N_STATES for _ in populations]
        """People by zone and state (Python ints: a move is a few list operations, where
        numpy's element access cost more than the move itself); :meth:`table` as an array."""
        for row, n in zip(self.counts, populations, strict=True):
            row[State.at_home] = int(n)
        self.population = np.asarray(populations, dtype=np.int64)
        self.log: list[tuple[float, int, int, int, int]] = []
        """Every move: (time_h, zone, from_state, to_state, count)."""

    def move(self, t: float, zone: int, src: State, dst: State, n: int) -> None:
        """Move ``n`` people of ``zone`` from ``src`` to ``dst`` at time ``t``.

        Raises
        ------
        ValueError
            If ``n`` is negative or more than the people in ``src``: the model asked to move
            people who are not there, which is a bug that must not be papered over.
        """
        if n == 0:
            return
        row = self.counts[zone]
        have = row[src]
        if n < 0 or n > have:
            raise ValueError(
                f"cannot move {n} people of zone {zone} from {src.name} (holds {have}) "
                f"to {dst.name} at t={t}"
            )
        n = int(n)
        row[src] = have - n
        row[dst] += n
        self.log.append((t, zone, int(src), int(dst), n))

    def table(self) -> np.ndarray:
        """People by zone and state, as a (zones, states) array (a copy)."""
        return np.array(self.counts, dtype=np.int64).reshape(len(self.counts), N_STATES)

    def totals(self) -> np.ndarray:
        """People by state, summed over zones."""
        out: np.ndarray = self.table().sum(axis=0)
        return out

    def count(self, state: State, zone: int | None = None) -> int:
        """People in ``state`` (in ``zone``, or everywhere)."""
        if zone is None:
            return sum(row[state] for row in self.counts)
        return self.counts[zone][state]
