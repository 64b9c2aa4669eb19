"""Gantt chart of one run's response per zone: who did what, when.

Every bar is read from the run's own records (:class:`sim.results.RunResult`):

========== ==========================================================================
lane       bar
========== ==========================================================================
warning    first to last warning cohort reaching the zone's people (``warning_reach``)
evacuation first to last move of the zone's people into ``evacuating`` (the ledger's
           ``transitions``: leaving before the hazard, or displaced people leaving after it)
shelters   each shelter of the zone, from ``shelter_open`` to ``shelter_closed``
           (or the end of the run)
deliveries each supply trip to a shelter or the distribution point of the zone, from
           dispatch to delivery (``deliveries``)
rescue     rescue teams at work in the zone (``turnout``, ``extract``, ``rest`` in
           ``team_activity``)
roads      road crews clearing a link towards the zone (``clear``)
medical    the zone's hospitals holding the event's patients (``bed_occupancy`` > 0)
========== ==========================================================================

matplotlib is imported inside :func:`gantt_figure`: the engine never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.i18n import Lang, name_of, say

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.results import RunResult
    from sim.scenario.schema import Scenario

__all__ = ["LANES", "Bar", "gantt_bars", "gantt_figure"]

LANES: dict[str, tuple[str, str, str]] = {
    "warning": ("warning", "预警", "#fdae61"),
    "evacuation": ("evacuation", "转移", "#d7191c"),
    "shelters": ("shelter open", "避灾安置场所开放", "#2b83ba"),
    "deliveries": ("deliveries", "物资配送", "#1b7837"),
    "rescue": ("rescue", "搜救", "#762a83"),
    "roads": ("road clearing", "道路抢通", "#8c510a"),
    "medical": ("medical (beds in use)", "医疗救治（占用床位）", "#c51b7d"),
}
"""Lane id: (English label, Chinese label, colour), top to bottom within a zone's row."""

MIN_WIDTH_H = 0.1
"""Bars of an instant (one warning cohort, one departure) are drawn this wide, in hours."""

_RESCUE = frozenset({"turnout", "extract", "rest"})


class Bar(NamedTuple):
    """One bar: a zone, a lane of :data:`LANES`, its start and end (hours from onset)."""

    zone: str
    lane: str
    start_h: float
    end_h: float


def _spans(zone: str, lane: str, times: list[float]) -> list[Bar]:
    return [Bar(zone, lane, min(times), max(times))] if times else []


def gantt_bars(scenario: Scenario, run: RunResult) -> list[Bar]:
    """The bars of a run's Gantt chart, read from its records (see the module's table).

    Parameters
    ----------
    scenario : Scenario
        The scenario that was run (for the hospitals' zones).
    run : RunResult

    Returns
    -------
    list of Bar
    """
    from sim.results import STATES

    zones = list(run.zones)
    evacuating = STATES.index("evacuating")
    end = float(run.times[-1]) if len(run.times) else 0.0
    bars: list[Bar] = []
    for zi, z in enumerate(zones):
        bars += _spans(z, "warning", [float(c[0]) for c in run.warning_reach if c[1] == zi])
        bars += _spans(z, "evacuation", [float(t) for t, zone, _src, dst, _n in run.transitions
                                         if zone == zi and dst == evacuating])
    shelter_zone = {s: zones[run.shelter_zone[i]] for i, s in enumerate(run.shelters)}
    opened: dict[str, float] = {}
    for t, kind, subj, _ in run.events:
        if subj not in shelter_zone:
            continue
        if kind in ("shelter_open", "shelter_reopened", "shelter_added", "reserve_activated"):
            opened.setdefault(subj, float(t))
        elif kind == "shelter_closed" and subj in opened:
            bars.append(Bar(shelter_zone[subj], "shelters", opened.pop(subj), float(t)))
    bars += [Bar(shelter_zone[s], "shelters", t0, max(end, t0)) for s, t0 in opened.items()]
    for _truck, _point, dest, t0, t1, _kg in run.deliveries:
        # a shelter's index, or -2 - zone for a zone's distribution point for dispersed families
        zi = run.shelter_zone[dest] if dest >= 0 else -2 - dest
        bars.append(Bar(zones[zi], "deliveries", float(t0), float(t1)))
    for acts in run.team_activity.values():
        for t0, t1, what, zi in acts:
            lane = "rescue" if what in _RESCUE else "roads" if what == "clear" else None
            if lane is not None and 0 <= zi < len(zones):
                bars.append(Bar(zones[zi], lane, float(t0), float(t1)))
    hospital_zone = {h.name: h.zone for h in scenario.hospitals}
    occ = np.asarray(run.bed_occupancy)
    times = np.asarray(run.times, dtype=float)
    for hi, h in enumerate(run.hospitals):
        if h not in hospital_zone or occ.ndim != 2 or hi >= occ.shape[1]:
            continue
        busy = occ[:, hi] > 0
        k = 0
        while k < len(busy):
            if busy[k]:
                j = k
                while j + 1 < len(busy) and busy[j + 1]:
                    j += 1
                stop = float(times[j + 1]) if j + 1 < len(times) else end
                bars.append(Bar(hospital_zone[h], "medical", float(times[k]), stop))
                k = j + 1
            else:
                k += 1
    return bars


def gantt_figure(scenario: Scenario, run: RunResult, *, lang: Lang = "en", max_zones: int = 30,
                 title: str = "") -> Figure:
    """A Gantt chart of one run: a row per zone, a lane per kind of work (:data:`LANES`).

    Parameters
    ----------
    scenario : Scenario
    run : RunResult
        The run drawn (its seed is in the title).
    lang : {"en", "zh"}
        Language of the labels; zone names in Chinese from their ``name_zh``.
    max_zones : int
        At most this many rows: the zones with the most bars (then the most people), in the
        scenario's order; the title says how many were left out.
    title : str
        Figure title (default: the scenario's name and the run's seed).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from sim.report.maps import _fonts

    with _fonts(lang):
        return _gantt(scenario, run, lang, max_zones, title)


def _gantt(scenario: Scenario, run: RunResult, lang: Lang, max_zones: int,
           title: str) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bars = gantt_bars(scenario, run)
    count: dict[str, int] = {}
    for b in bars:
        count[b.zone] = count.get(b.zone, 0) + 1
    by_name = {z.name: z for z in scenario.zones}
    ranked = sorted(run.zones, key=lambda z: (-count.get(z, 0), -by_name[z].population
                                              if z in by_name else 0))
    shown = set(ranked[:max_zones])
    rows = [z for z in run.zones if z in shown]
    lanes = list(LANES)
    n = len(lanes)
    fig = Figure(figsize=(11, 1.0 + 0.55 * len(rows) + 0.8), layout="constrained")
    ax = fig.add_subplot()
    for r, z in enumerate(rows):
        y0 = len(rows) - 1 - r
        if r % 2 == 0:
            ax.axhspan(y0, y0 + 1, color="0.95", zorder=0)
        for b in bars:
            if b.zone != z:
                continue
            k = lanes.index(b.lane)
            width = max(b.end_h - b.start_h, MIN_WIDTH_H)
            lane_h = 0.84 / n
            ax.broken_barh([(b.start_h, width)], (y0 + 0.92 - (k + 1) * lane_h, 0.9 * lane_h),
                           color=LANES[b.lane][2], zorder=2)
    ax.set_yticks([len(rows) - 0.5 - r for r in range(len(rows))],
                  [name_of(by_name[z], lang) if z in by_name else z for z in rows], fontsize=8)
    ax.set_ylim(0, max(len(rows), 1))
    ax.axvline(0.0, color="k", lw=1, ls="--", zorder=3)
    if np.isfinite(run.warning_issued_h):
        ax.axvline(run.warning_issued_h, color=LANES["warning"][2], lw=1, ls=":", zorder=3)
    ax.set_xlabel(say(lang, "hours from onset (dashed line: onset; dotted: warning issued)",
                      "灾害发生后小时数（虚线：灾害发生；点线：发布预警）"))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=c, label=say(lang, en, zh)) for en, zh, c in LANES.values()],
              fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08 - 0.6 / (len(rows) + 2)),
              ncol=4)
    seed: Any = run.seed.get("entropy", run.seed) if isinstance(run.seed, dict) else run.seed
    left = len(run.zones) - len(rows)
    more = say(lang, f"; {left} zones with less activity not shown",
               f"；另有 {left} 个活动较少的区域未列出") if left else ""
    ax.set_title(title or say(lang, f"{scenario.name}: the response, one run (seed {seed}){more}",
                              f"{scenario.name}：一次模拟的响应过程（随机种子 {seed}）{more}"),
                 fontsize=10)
    return fig
