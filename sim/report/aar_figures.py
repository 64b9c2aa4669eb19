"""Figures of an exercise's after-action report: one run, over scenario time.

Like :mod:`sim.report.figures`, every function returns a :class:`matplotlib.figure.Figure` and
imports matplotlib only when called. The series come from
:func:`sim.study.tasks.result_series` (the same columns a study keeps for its fan charts); the
vertical marks are the hours of the exercise's decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.report.figures import COLOR, FAIL, _figure
from sim.study.tasks import result_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import RunResult

__all__ = ["people_by_state", "relief_times", "shelter_occupancy", "stock_over_time"]


def _marks(ax: Axes, marks: Sequence[float]) -> None:
    for i, t in enumerate(sorted(set(marks))):
        ax.axvline(t, color="0.45", lw=0.8, ls=":", label="decision" if i == 0 else None)
    ax.axvline(0, color="0.2", lw=0.8)
    ax.set_xlabel("hours from onset")
    ax.grid(alpha=0.3)


def people_by_state(r: RunResult, marks: Sequence[float] = ()) -> Figure:
    """People by state over time, over all zones (states nobody is ever in left out)."""
    s = result_series(r, 0)
    t = s["time_h"]
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    for col in s:
        if col.startswith("people.") and s[col].max() > 0:
            ax.plot(t, s[col], lw=1.4, label=col.removeprefix("people."))
    ax.set_yscale("symlog", linthresh=10)
    ax.set_ylabel("people (log scale above 10)")
    ax.set_title("People by state", fontsize=10)
    _marks(ax, marks)
    ax.legend(fontsize=7, ncols=2, loc="center left")
    return fig


def shelter_occupancy(r: RunResult, marks: Sequence[float] = (), top: int = 5) -> Figure:
    """People in all shelters against their places, and the fullest shelters against theirs."""
    t = r.times.astype(float)
    occ = r.shelter_occupancy.astype(float)
    fig = _figure(11, 4)
    ax1, ax2 = fig.subplots(1, 2)
    if occ.size:
        ax1.plot(t, occ.sum(axis=1), color=COLOR, lw=1.6, label="in shelters")
    ax1.axhline(sum(r.shelter_capacity), color=FAIL, lw=1, ls="--", label="places")
    ax1.set_ylabel("people")
    ax1.set_title(f"All {len(r.shelters)} shelters", fontsize=10)
    _marks(ax1, marks)
    ax1.legend(fontsize=7, loc="upper left")
    if occ.size:
        cap = np.maximum(np.array(r.shelter_capacity, dtype=float), 1.0)
        full = occ.max(axis=0) / cap
        for i, j in enumerate(np.argsort(-full, kind="stable")[:top]):
            ax2.plot(t, occ[:, j] / cap[j], lw=1.3, color=f"C{i}", label=r.shelters[j])
    ax2.axhline(1.0, color=FAIL, lw=1, ls="--")
    ax2.set_ylabel("occupancy / places")
    ax2.set_title(f"The {min(top, len(r.shelters))} fullest shelters", fontsize=10)
    _marks(ax2, marks)
    ax2.legend(fontsize=7, loc="upper left")
    return fig


def stock_over_time(r: RunResult, marks: Sequence[float] = ()) -> Figure:
    """Stock on hand over all points, per item, as a share of its largest level."""
    s = result_series(r, 0)
    t = s["time_h"]
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    for col in s:
        if col.startswith("stock."):
            top = float(s[col].max())
            if top > 0:
                ax.plot(t, s[col] / top, lw=1.4,
                        label=f"{col.removeprefix('stock.')} (max {top:,.0f})")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("on hand / largest level")
    ax.set_title("Stock on hand over all points", fontsize=10)
    _marks(ax, marks)
    ax.legend(fontsize=7, loc="lower left")
    return fig


def relief_times(r: RunResult, hours: float = 10.0, share: float | None = None,
                 marks: Sequence[float] = ()) -> Figure:
    """Time to basic relief per person: the share relieved by each hour, against ``hours``.

    Parameters
    ----------
    r : RunResult
        The run.
    hours : float
        The target's hours (the plans' 10 h).
    share : float, optional
        The target's share, drawn as a point at ``hours``.
    marks : sequence of float
        Hours of decisions.
    """
    n = r.relief_n.astype(float)
    tt = r.relief_t.astype(float)
    fig = _figure(11, 4)
    ax1, ax2 = fig.subplots(1, 2)
    fin = np.isfinite(tt)
    total = float(n.sum())
    if total > 0 and fin.any():
        top = max(float(tt[fin].max()), hours * 1.5)
        ax1.hist(tt[fin], bins=np.linspace(0, top, 41), weights=n[fin], color=COLOR, alpha=0.85)
        order = np.argsort(tt[fin], kind="stable")
        x = tt[fin][order]
        y = np.cumsum(n[fin][order]) / total
        ax2.step(np.r_[0.0, x], np.r_[0.0, y], where="post", color=COLOR, label="relieved")
    never = int(n[~fin].sum())
    ax1.axvline(hours, color=FAIL, lw=2, label=f"{hours:g} h")
    ax1.set_xlabel("hours from onset to basic relief")
    ax1.set_ylabel("people")
    ax1.set_title(f"{int(total):,} people needed relief"
                  + (f"; {never:,} not relieved in the run" if never else ""), fontsize=10)
    ax1.legend(fontsize=8)
    ax2.axvline(hours, color=FAIL, lw=1.2, ls="--", label=f"{hours:g} h")
    if share is not None:
        ax2.axhline(share, color=FAIL, lw=1, ls=":")
        ax2.plot([hours], [share], "o", color=FAIL, label=f"target {share:.0%}")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlim(left=0)
    ax2.set_ylabel("share of people needing relief")
    ax2.set_title("Relieved by each hour", fontsize=10)
    _marks(ax2, [m for m in marks if m >= 0])
    ax2.legend(fontsize=8, loc="lower right")
    return fig
