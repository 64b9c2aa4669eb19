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

from sim.i18n import Lang, say, tr
from sim.report.cjk_font import localized
from sim.report.figures import COLOR, FAIL, _figure
from sim.study.tasks import result_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.results import RunResult

__all__ = ["people_by_state", "relief_times", "shelter_occupancy", "stock_over_time"]


def _marks(ax: Axes, marks: Sequence[float], lang: Lang = "en") -> None:
    for i, t in enumerate(sorted(set(marks))):
        ax.axvline(t, color="0.45", lw=0.8, ls=":",
                   label=say(lang, "decision", "决策") if i == 0 else None)
    ax.axvline(0, color="0.2", lw=0.8)
    ax.set_xlabel(say(lang, "hours from onset", "灾害发生后小时数"))
    ax.grid(alpha=0.3)


@localized
def people_by_state(r: RunResult, marks: Sequence[float] = (), *, lang: Lang = "en") -> Figure:
    """People by state over time, over all zones (states nobody is ever in left out)."""
    s = result_series(r, 0)
    t = s["time_h"]
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    for col in s:
        if col.startswith("people.") and s[col].max() > 0:
            ax.plot(t, s[col], lw=1.4, label=tr(col.removeprefix("people."), lang))
    ax.set_yscale("symlog", linthresh=10)
    ax.set_ylabel(say(lang, "people (log scale above 10)", "人数（10以上为对数刻度）"))
    ax.set_title(say(lang, "People by state", "各状态人数"), fontsize=10)
    _marks(ax, marks, lang)
    ax.legend(fontsize=7, ncols=2, loc="center left")
    return fig


@localized
def shelter_occupancy(r: RunResult, marks: Sequence[float] = (), top: int = 5, *,
                      lang: Lang = "en") -> Figure:
    """People in all shelters against their places, and the fullest shelters against theirs."""
    t = r.times.astype(float)
    occ = r.shelter_occupancy.astype(float)
    fig = _figure(11, 4)
    ax1, ax2 = fig.subplots(1, 2)
    if occ.size:
        ax1.plot(t, occ.sum(axis=1), color=COLOR, lw=1.6,
                 label=say(lang, "in shelters", "集中安置"))
    ax1.axhline(sum(r.shelter_capacity), color=FAIL, lw=1, ls="--",
                label=say(lang, "places", "容量"))
    ax1.set_ylabel(say(lang, "people", "人数"))
    ax1.set_title(say(lang, f"All {len(r.shelters)} shelters",
                      f"全部{len(r.shelters)}处避灾安置场所"), fontsize=10)
    _marks(ax1, marks, lang)
    ax1.legend(fontsize=7, loc="upper left")
    if occ.size:
        cap = np.maximum(np.array(r.shelter_capacity, dtype=float), 1.0)
        full = occ.max(axis=0) / cap
        for i, j in enumerate(np.argsort(-full, kind="stable")[:top]):
            ax2.plot(t, occ[:, j] / cap[j], lw=1.3, color=f"C{i}", label=r.shelters[j])
    ax2.axhline(1.0, color=FAIL, lw=1, ls="--")
    ax2.set_ylabel(say(lang, "occupancy / places", "安置人数 / 容量"))
    ax2.set_title(say(lang, f"The {min(top, len(r.shelters))} fullest shelters",
                      f"最满的{min(top, len(r.shelters))}处避灾安置场所"), fontsize=10)
    _marks(ax2, marks, lang)
    ax2.legend(fontsize=7, loc="upper left")
    return fig


@localized
def stock_over_time(r: RunResult, marks: Sequence[float] = (), *, lang: Lang = "en") -> Figure:
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
                        label=say(lang, f"{col.removeprefix('stock.')} (max {top:,.0f})",
                                  f"{col.removeprefix('stock.')}（最高{top:,.0f}）"))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(say(lang, "on hand / largest level", "库存 / 最高库存"))
    ax.set_title(say(lang, "Stock on hand over all points", "全部储备点库存"), fontsize=10)
    _marks(ax, marks, lang)
    ax.legend(fontsize=7, loc="lower left")
    return fig


@localized
def relief_times(r: RunResult, hours: float = 10.0, share: float | None = None,
                 marks: Sequence[float] = (), *, lang: Lang = "en") -> Figure:
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
    lang : {"en", "zh"}
        Language of the labels.
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
        ax2.step(np.r_[0.0, x], np.r_[0.0, y], where="post", color=COLOR,
                 label=say(lang, "relieved", "已救助"))
    never = int(n[~fin].sum())
    h_label = say(lang, f"{hours:g} h", f"{hours:g}小时")
    ax1.axvline(hours, color=FAIL, lw=2, label=h_label)
    ax1.set_xlabel(say(lang, "hours from onset to basic relief",
                       "灾害发生至获得基本生活救助的小时数"))
    ax1.set_ylabel(say(lang, "people", "人数"))
    ax1.set_title(say(lang, f"{int(total):,} people needed relief"
                      + (f"; {never:,} not relieved in the run" if never else ""),
                      f"{int(total):,}人需要基本生活救助"
                      + (f"；{never:,}人在本次模拟中未获救助" if never else "")), fontsize=10)
    ax1.legend(fontsize=8)
    ax2.axvline(hours, color=FAIL, lw=1.2, ls="--", label=h_label)
    if share is not None:
        ax2.axhline(share, color=FAIL, lw=1, ls=":")
        ax2.plot([hours], [share], "o", color=FAIL,
                 label=say(lang, f"target {share:.0%}", f"目标{share:.0%}"))
    ax2.set_ylim(0, 1.02)
    ax2.set_xlim(left=0)
    ax2.set_ylabel(say(lang, "share of people needing relief", "需救助人员中已获救助的比例"))
    ax2.set_title(say(lang, "Relieved by each hour", "各时刻已获救助比例"), fontsize=10)
    _marks(ax2, [m for m in marks if m >= 0], lang)
    ax2.legend(fontsize=8, loc="lower right")
    return fig
