"""Figures of plan reports: time to relief, shelters in total, the cost-against-P(holds) front.

Like :mod:`sim.report.figures`, every function returns a :class:`matplotlib.figure.Figure` and
imports matplotlib only when called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.i18n import Lang, say
from sim.report.cjk_font import localized
from sim.report.figures import COLOR, FAIL, HOLD, _fan, _figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["hold_front", "relief_distribution", "shelter_totals"]


@localized
def relief_distribution(hours_to_share: np.ndarray, hours: float, share: float, goal: float,
                        series: pd.DataFrame | None = None, title: str = "", *,
                        lang: Lang = "en") -> Figure:
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
    lang : {"en", "zh"}
        Language of the labels.
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
    ax.axvline(hours, color=FAIL, lw=2, label=say(lang, f"target: {hours:g} h",
                                                  f"目标：{hours:g}小时"))
    ax.set_xlabel(say(lang, f"hours from onset until {share:.0%} relieved",
                      f"灾害发生后至{share:.0%}人员获救助的小时数"))
    ax.set_ylabel(say(lang, "runs", "模拟次数"))
    ax.set_title(say(lang, f"{len(x)} runs", f"{len(x)}次模拟")
                 + (say(lang, f"; {never} never reach {share:.0%}",
                        f"；{never}次始终未达到{share:.0%}") if never else ""),
                 fontsize=9)
    ax.legend(fontsize=8)
    ax2 = axes[1]
    n = len(x)
    if n:
        ax2.step(fin, np.arange(1, len(fin) + 1) / n, where="post", color=COLOR,
                 label=say(lang, "share of runs", "模拟次数占比"))
    ax2.axvline(hours, color=FAIL, lw=1.5, ls="--", label=say(lang, f"{hours:g} h",
                                                               f"{hours:g}小时"))
    ax2.axhline(goal, color="grey", lw=1, ls=":", label=say(lang, f"goal {goal:.0%}",
                                                            f"目标概率{goal:.0%}"))
    ax2.set_xscale("symlog", linthresh=1.0)
    ax2.set_xlim(left=0)
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel(say(lang, f"hours until {share:.0%} relieved (log scale)",
                       f"至{share:.0%}人员获救助的小时数（对数刻度）"))
    ax2.set_ylabel(say(lang, "share of runs (cumulative)", "模拟次数累计占比"))
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, loc="lower right")
    if series is not None:
        ax3 = axes[2]
        s = series[series["time_h"] >= 0]
        _fan(ax3, s, "relief.share", lang=lang)
        ax3.axhline(share, color=FAIL, lw=1, ls="--")
        ax3.axvline(hours, color=FAIL, lw=1, ls="--")
        ax3.plot([hours], [share], "o", color=FAIL, label=say(lang, "target", "目标"))
        ax3.set_xlabel(say(lang, "hours from onset", "灾害发生后小时数"))
        ax3.set_ylabel(say(lang, "share of people needing relief who are relieved",
                           "需救助人员中已获基本生活救助的比例"))
        ax3.set_ylim(0, 1.02)
        ax3.set_title(say(lang, f"{s['run'].nunique()} runs with time series",
                          f"{s['run'].nunique()}次记录时间序列的模拟"), fontsize=9)
        ax3.legend(fontsize=7, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


@localized
def shelter_totals(series: pd.DataFrame, capacities: Mapping[str, float],
                   reserve: Sequence[str] = (), top: int = 5, title: str = "", *,
                   lang: Lang = "en", names: Mapping[str, str] | None = None) -> Figure:
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
    title : str
        Figure title.
    lang : {"en", "zh"}
        Language of the labels.
    names : mapping of str to str, optional
        Shelter names to show in place of the ids (e.g. their ``name_zh``).
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
        _fan(ax, s, c, lang=lang)
        name = c.removeprefix("shelter.")
        if c == "shelter.(all)":
            planned = sum(v for k, v in capacities.items() if k not in reserve)
            ax.axhline(planned, color=FAIL, lw=1, ls="--",
                       label=say(lang, "planned places", "规划安置容量"))
            if reserve:
                ax.axhline(planned + sum(capacities.get(r, 0) for r in reserve), color=FAIL,
                           lw=1, ls=":", label=say(lang, "with reserve sites", "含备用场所"))
            ax.set_title(say(lang, f"all {len(cols)} shelters", f"全部{len(cols)}处避灾安置场所"),
                         fontsize=9)
        else:
            cap = capacities.get(name)
            if cap:
                ax.axhline(cap, color=FAIL, lw=1, ls="--", label=say(lang, "places", "容量"))
            shown = (names or {}).get(name, name)
            ax.set_title(say(lang, f"{shown}: full in {full[c]:.0%} of runs",
                             f"{shown}：{full[c]:.0%}的模拟中满员"), fontsize=9)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel(say(lang, "hours from onset", "灾害发生后小时数"))
        ax.set_ylabel(say(lang, "people", "人数"))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


@localized
def hold_front(hold: Mapping[str, Any], title: str = "", *, lang: Lang = "en") -> Figure:
    """Cost against P(holds) of every candidate of a "what would make it hold" search.

    One panel for the plan as a whole (all simulated targets holding together) and one for the
    basic-relief target when there is one: every candidate on the search runs (dots), the
    cost-against-P front (the line), and the answer or the ceiling on fresh runs (with its 95 %
    Wilson interval).

    Parameters
    ----------
    hold : mapping
        The ``hold`` section of a report (:func:`sim.study.hold.hold_analysis`).
    title : str
    lang : {"en", "zh"}
        Language of the labels.
    """
    goal = float(hold["goal"])
    panels: list[tuple[str, Mapping[str, Any], str | None]] = [
        (say(lang, "all simulated targets together", "全部模拟目标同时达到"), hold["plan"], None)]
    relief = next((a for a in hold["per_target"] if str(a["target"]).startswith("relief_")),
                  None)
    if relief is not None:
        rid = str(relief["target"])
        panels.append((say(lang, rid, f"{rid}（基本生活救助目标）"), relief, rid))
    fig = _figure(4.2 * len(panels) + 0.6, 4.0)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    cur = hold.get("currency", "")
    top = max((float(e["cost"]) for e in hold["evaluated"]), default=0.0)
    scale, unit = ((1e6, say(lang, f"{cur} million", f"百万{cur}")) if top >= 1e6
                   else (1.0, cur))
    for ax, (name, ans, tid) in zip(axes, panels, strict=True):
        ev = hold["evaluated"]
        cost = np.array([e["cost"] for e in ev], dtype=float) / scale
        held = np.array([e["held"] if tid is None else e["per_target"].get(tid, 0) for e in ev],
                        dtype=float)
        p = held / np.array([e["runs"] for e in ev], dtype=float)
        ax.scatter(cost, p, s=10, color="0.55",
                   label=say(lang, "candidates (search runs)", "候选组合（搜索模拟）"), zorder=2)
        fr = ans["front"]
        ax.step([c["cost"] / scale for c in fr], [c["p_holds"]["estimate"] for c in fr],
                where="post", color="C0", lw=1.5, marker="o", ms=4,
                label=say(lang, "front", "成本-概率前沿"), zorder=3)
        shown = ans.get("answer") or ans.get("ceiling")
        if shown is not None:
            iv = shown["p_holds"]
            ax.errorbar([shown["cost"] / scale], [iv["estimate"]],
                        yerr=[[iv["estimate"] - iv["low"]], [iv["high"] - iv["estimate"]]],
                        fmt="s", color=HOLD if ans["status"] in ("found", "already") else FAIL,
                        ms=6, capsize=3, zorder=4,
                        label=(say(lang, "answer (fresh runs)", "所求组合（新模拟检验）")
                               if ans.get("answer")
                               else say(lang, "ceiling (fresh runs)", "可达上限（新模拟检验）")))
        ax.axhline(goal, color=FAIL, lw=1, ls="--", label=say(lang, f"goal {goal:.0%}",
                                                             f"目标概率{goal:.0%}"))
        ax.set_xlim(left=-0.02 * max(top / scale, 1e-9))
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(say(lang, f"cost ({unit})", f"成本（{unit}）"))
        ax.set_ylabel(say(lang, "P(holds)", "达标概率"))
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
