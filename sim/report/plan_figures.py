"""Figures of plan reports: time to relief over all runs, shelters in total, capacity curves.

Like :mod:`sim.report.figures`, every function returns a :class:`matplotlib.figure.Figure` and
imports matplotlib only when called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.report.figures import COLOR, FAIL, _fan, _figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["capacity_curves", "relief_distribution", "shelter_totals"]


def relief_distribution(hours_to_share: np.ndarray, hours: float, share: float, goal: float,
                        series: pd.DataFrame | None = None, title: str = "") -> Figure:
    """Time until a share of people is relieved, over runs, against the target's hours.

    Parameters
    ----------
    hours_to_share : array of float
        Per run, hours from onset until ``share`` of the people needing relief were relieved
        (``inf``: not within the run; NaN: nobody needed relief, left out).
    hours, share : float
        The target: ``share`` relieved within ``hours``.
    goal : float
        The probability the target should hold with (drawn on the cumulative curve).
    series : pandas.DataFrame, optional
        Time series of runs (``time_h``, ``relief.share``): adds a fan chart of the share
        relieved over time.
    title : str
        Figure title.
    """
    x = np.asarray(hours_to_share, dtype=float)
    x = x[~np.isnan(x)]
    fin = np.sort(x[np.isfinite(x)])
    never = int(np.isinf(x).sum())
    panels = 3 if series is not None else 2
    fig = _figure(5.0 * panels, 4.0)
    axes = fig.subplots(1, panels)
    ax = axes[0]
    if len(fin):
        top = max(float(np.quantile(fin, 0.99)), hours * 1.5)
        bins = np.linspace(0.0, top, 41)
        ax.hist(np.clip(fin, 0, top), bins=bins, color=COLOR, alpha=0.85)
    ax.axvline(hours, color=FAIL, lw=2, label=f"target: {hours:g} h")
    ax.set_xlabel(f"hours from onset until {share:.0%} relieved")
    ax.set_ylabel("runs")
    ax.set_title(f"{len(x)} runs" + (f"; {never} never reach {share:.0%}" if never else ""),
                 fontsize=9)
    ax.legend(fontsize=8)
    ax2 = axes[1]
    n = len(x)
    if n:
        ax2.step(fin, np.arange(1, len(fin) + 1) / n, where="post", color=COLOR,
                 label="share of runs")
    ax2.axvline(hours, color=FAIL, lw=1.5, ls="--", label=f"{hours:g} h")
    ax2.axhline(goal, color="grey", lw=1, ls=":", label=f"goal {goal:.0%}")
    ax2.set_xscale("symlog", linthresh=1.0)
    ax2.set_xlim(left=0)
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel(f"hours until {share:.0%} relieved (log scale)")
    ax2.set_ylabel("share of runs (cumulative)")
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, loc="lower right")
    if series is not None:
        ax3 = axes[2]
        s = series[series["time_h"] >= 0]
        _fan(ax3, s, "relief.share")
        ax3.axhline(share, color=FAIL, lw=1, ls="--")
        ax3.axvline(hours, color=FAIL, lw=1, ls="--")
        ax3.plot([hours], [share], "o", color=FAIL, label="target")
        ax3.set_xlabel("hours from onset")
        ax3.set_ylabel("share of people needing relief who are relieved")
        ax3.set_ylim(0, 1.02)
        ax3.set_title(f"{s['run'].nunique()} runs with time series", fontsize=9)
        ax3.legend(fontsize=7, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def shelter_totals(series: pd.DataFrame, capacities: Mapping[str, float],
                   reserve: Sequence[str] = (), top: int = 5, title: str = "") -> Figure:
    """Fan charts of people in shelters: all shelters together, then the fullest ones.

    Parameters
    ----------
    series : pandas.DataFrame
        Time series of runs with ``shelter.<name>`` columns.
    capacities : mapping of str to float
        Places per shelter (stated capacity, or area over the area standard).
    reserve : sequence of str
        Reserve shelters (their places are drawn apart in the total).
    top : int
        How many single shelters to draw: those most often full at their peak.
    """
    cols = [c for c in series.columns if c.startswith("shelter.")]
    if not cols:
        raise ValueError("no shelter series in these runs")
    s = series.assign(**{"shelter.(all)": series[cols].sum(axis=1)})
    peaks = series.groupby("run")[cols].max()
    full = {}
    for c in cols:
        cap = capacities.get(c.removeprefix("shelter."))
        full[c] = float((peaks[c] >= cap).mean()) if cap else 0.0
    med = {c: float(np.median(peaks[c].to_numpy(dtype=float))) for c in cols}
    ranked = sorted(cols, key=lambda c: (-full[c], -med[c]))[:top]
    panels = ["shelter.(all)", *ranked]
    ncol = min(3, len(panels))
    nrow = math.ceil(len(panels) / ncol)
    fig = _figure(4.4 * ncol, 2.9 * nrow + 0.5)
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    for ax, c in zip(axes, panels, strict=False):
        _fan(ax, s, c)
        name = c.removeprefix("shelter.")
        if c == "shelter.(all)":
            planned = sum(v for k, v in capacities.items() if k not in reserve)
            ax.axhline(planned, color=FAIL, lw=1, ls="--", label="planned places")
            if reserve:
                ax.axhline(planned + sum(capacities.get(r, 0) for r in reserve), color=FAIL,
                           lw=1, ls=":", label="with reserve sites")
            ax.set_title(f"all {len(cols)} shelters", fontsize=9)
        else:
            cap = capacities.get(name)
            if cap:
                ax.axhline(cap, color=FAIL, lw=1, ls="--", label="places")
            ax.set_title(f"{name}: full in {full[c]:.0%} of runs", fontsize=9)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel("hours from onset")
        ax.set_ylabel("people")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def capacity_curves(searches: Sequence[Mapping[str, Any]], goal: float,
                    title: str = "") -> Figure:
    """P(target holds) against the increase of each resource searched, with intervals.

    Parameters
    ----------
    searches : sequence of mapping
        :meth:`sim.study.capacity.CapacityPlan.to_dict` documents, with a ``label`` key and a
        ``reference`` (the resource's size, to draw increases as a share of it).
    goal : float
        The probability sought.
    """
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    for i, sd in enumerate(searches):
        pts = sorted(sd["evaluated"], key=lambda e: e["increase"])
        ref = float(sd.get("reference") or 1.0)
        x = np.array([e["increase"] / ref for e in pts]) * 100
        est = np.array([e["estimate"] for e in pts], dtype=float)
        lo = np.array([e["low"] for e in pts], dtype=float)
        hi = np.array([e["high"] for e in pts], dtype=float)
        color = f"C{i}"
        ax.plot(x, est, "o-", color=color, ms=4, label=sd.get("label", sd["resource"]))
        ax.fill_between(x, lo, hi, color=color, alpha=0.15, lw=0)
    ax.axhline(goal, color=FAIL, lw=1, ls="--", label=f"goal {goal:.0%}")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)
    ax.set_xlabel("increase, % of the resource in the plan (log scale above 10 %)")
    ax.set_ylabel("P(target holds), 95 % Wilson interval")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return fig
