"""Figures of studies (matplotlib, object-oriented: no pyplot state, any backend).

Every function returns a :class:`matplotlib.figure.Figure`, which notebooks display and
``fig.savefig(path)`` writes. matplotlib is imported here only, when a figure is drawn; the engine
and the study runner never import it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.i18n import Lang, say
from sim.report.cjk_font import localized

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.study.discovery import Discovery
    from sim.study.runner import Study, StudySummary
    from sim.study.sensitivity import SensitivityResult

__all__ = [
    "discovery_box",
    "fan_chart",
    "p_holds",
    "relief_time",
    "save_study_figures",
    "sensitivity_bars",
]

BANDS = ((0.05, 0.95), (0.25, 0.75))
COLOR = "#1f5f8b"
FAIL = "#b2182b"
HOLD = "#2166ac"


def _figure(w: float, h: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), layout="constrained")


@localized
def p_holds(summary: StudySummary, *, lang: Lang = "en") -> Figure:
    """P(holds) of every target with its interval, and the number of runs (labels in ``lang``)."""
    ts = summary.targets
    fig = _figure(7, 0.6 * len(ts) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(ts))[::-1]
    est = np.array([t.p_holds.estimate for t in ts])
    lo = np.array([t.p_holds.low for t in ts])
    hi = np.array([t.p_holds.high for t in ts])
    found = np.array([t.basis is None or t.basis.kind == "simulated" for t in ts])
    for mask, color in ((found, COLOR), (~found, "0.6")):
        if mask.any():
            ax.errorbar(est[mask], y[mask], xerr=[(est - lo)[mask], (hi - est)[mask]], fmt="o",
                        color=color, capsize=4)
    for yi, t, f in zip(y, ts, found, strict=True):
        text = (f"{t.p_holds.estimate:.2f} [{t.p_holds.low:.2f}, {t.p_holds.high:.2f}]" if f
                else say(lang, f"not a finding: {t.basis.words if t.basis else ''}",
                         f"非模拟结论：{_basis_zh(t)}"))
        ax.annotate(text, (t.p_holds.estimate, yi), textcoords="offset points", xytext=(0, 7),
                    ha="center", fontsize=8, color="black" if f else "0.4")
    ax.set_yticks(y, [t.id for t in ts])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.7, len(ts) - 0.3)
    ax.set_xlabel(say(lang, f"P(target holds), {summary.confidence:.0%} Wilson interval",
                      f"目标达标概率（{summary.confidence:.0%} Wilson置信区间）"))
    ax.set_title(say(lang, f"{summary.scenario}: {summary.runs} runs, seed {summary.seed}",
                     f"{summary.scenario}：{summary.runs}次模拟，随机种子{summary.seed}"),
                 fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _relief_target(study: Study, target: str | None) -> Any:
    ts = [t for t in study.scenario.targets if t.kind == "relief_within"]
    if target is not None:
        ts = [t for t in ts if t.id == target]
    if not ts:
        which = f" {target!r}" if target else ""
        raise ValueError(f"the scenario has no relief_within target{which}")
    return ts[0]


def _need_series(study: Study) -> pd.DataFrame:
    s = study.series
    if s is None:
        raise ValueError("this study kept no time series; run it with series=True (--series)")
    return s


def relief_time(study: Study, target: str | None = None) -> Figure:
    """Time to basic relief against a ``relief_within`` target.

    Left: the distribution over runs of the time by which the target's share of people was
    relieved (runs that never get there within the horizon are counted apart), with the target's
    hours as a line. Right: fan chart of the share relieved over time, with the target's point.
    """
    t = _relief_target(study, target)
    s = _need_series(study)
    s = s[s["time_h"] >= 0]
    times: list[float] = []
    for _, g in s.groupby("run", sort=True):
        ok = g["time_h"].to_numpy()[g["relief.share"].to_numpy() >= t.share - 1e-12]
        times.append(float(ok[0]) if len(ok) else math.inf)
    arr = np.array(times)
    never = int(np.isinf(arr).sum())
    fig = _figure(11, 4)
    ax1, ax2 = fig.subplots(1, 2)
    fin = arr[np.isfinite(arr)]
    if len(fin):
        ax1.hist(fin, bins=min(40, max(10, len(np.unique(fin)))), color=COLOR, alpha=0.8)
    ax1.axvline(t.hours, color=FAIL, lw=2, label=f"target: {t.hours:g} h")
    share_ok = float(np.mean(arr <= t.hours + 1e-9))
    ax1.set_xlabel(f"hours from onset until {t.share:.0%} of people needing relief were relieved")
    ax1.set_ylabel("runs")
    ax1.set_title(f"{t.id}: met in {share_ok:.0%} of {len(arr)} runs"
                  + (f"; {never} runs never reach {t.share:.0%}" if never else ""), fontsize=10)
    ax1.legend()
    _fan(ax2, s, "relief.share")
    ax2.axhline(t.share, color=FAIL, lw=1, ls="--")
    ax2.axvline(t.hours, color=FAIL, lw=1, ls="--")
    ax2.plot([t.hours], [t.share], "o", color=FAIL, label="target")
    ax2.set_xlabel("hours from onset")
    ax2.set_ylabel("share relieved")
    ax2.set_ylim(0, 1.02)
    ax2.legend(loc="lower right")
    return fig


def _basis_zh(t: Any) -> str:
    words = getattr(t.basis, "words_zh", None) if t.basis else None
    return str(words or (t.basis.words if t.basis else ""))


def _fan(ax: Axes, s: pd.DataFrame, col: str, color: str = COLOR, lang: Lang = "en") -> None:
    g = s.groupby("time_h", sort=True)[col]
    t = np.array(sorted(s["time_h"].unique()))
    for (a, b), alpha in zip(BANDS, (0.2, 0.4), strict=True):
        lo, hi = g.quantile(a).to_numpy(), g.quantile(b).to_numpy()
        ax.fill_between(t, lo, hi, color=color, alpha=alpha, lw=0,
                        label=say(lang, f"{a:.0%}-{b:.0%} of runs", f"{a:.0%}-{b:.0%}的模拟"))
    ax.plot(t, g.median().to_numpy(), color=color, lw=1.5, label=say(lang, "median", "中位数"))
    ax.grid(alpha=0.3)


@localized
def fan_chart(study: Study, kind: str = "shelter", columns: list[str] | None = None, *,
              lang: Lang = "en") -> Figure:
    """Fan charts over time across runs: ``shelter`` occupancy, ``stock`` on hand, ``people``.

    Parameters
    ----------
    study : Study
        A study run with ``series=True``.
    kind : {"shelter", "stock", "people"}
        Which series: one panel per shelter (with its capacity), item, or state.
    columns : list of str, optional
        Only these shelters / items / states.
    lang : {"en", "zh"}
        Language of the labels; Chinese uses the shelters' ``name_zh`` where they have one.
    """
    s = _need_series(study)
    prefix = f"{kind}."
    cols = [c for c in s.columns if c.startswith(prefix)]
    if columns is not None:
        cols = [f"{prefix}{c}" for c in columns if f"{prefix}{c}" in s.columns]
    if kind == "people":
        cols = [c for c in cols if s[c].max() > 0]
    if not cols:
        raise ValueError(f"no {kind} series in this study")
    n = len(cols)
    ncol = min(3, n)
    nrow = math.ceil(n / ncol)
    fig = _figure(4.2 * ncol, 2.8 * nrow + 0.4)
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    caps = {sh.name: sh.capacity for sh in study.scenario.shelters}
    shown = _shown_names(study, kind, lang)
    for ax, c in zip(axes, cols, strict=False):
        _fan(ax, s, c, lang=lang)
        name = c.removeprefix(prefix)
        if kind == "shelter" and caps.get(name):
            ax.axhline(caps[name], color=FAIL, lw=1, ls="--",
                       label=say(lang, "stated capacity", "标称容量"))
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(shown.get(name, name), fontsize=9)
        ax.set_xlabel(say(lang, "hours from onset", "灾害发生后小时数"))
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    if lang == "zh":
        what = {"shelter": "各避灾安置场所人数", "stock": "库存物资（全部储备点）",
                "people": "各状态人数"}.get(kind, kind)
        fig.suptitle(f"{study.scenario.name}：{what}，{study.runs}次模拟", fontsize=10)
        return fig
    what = {"shelter": "people in each shelter", "stock": "stock on hand (all points)",
            "people": "people by state"}.get(kind, kind)
    fig.suptitle(f"{study.scenario.name}: {what}, {study.runs} runs", fontsize=10)
    return fig


def _shown_names(study: Study, kind: str, lang: Lang) -> dict[str, str]:
    """Panel titles in Chinese: shelters' and items' ``name_zh``, states' plan terms."""
    if lang == "en":
        return {}
    from sim.i18n import CATALOGUE, name_of

    sc = study.scenario
    if kind == "shelter":
        return {sh.name: name_of(sh, lang) for sh in sc.shelters}
    if kind == "stock":
        items = getattr(sc, "items", None) or {}
        out: dict[str, str] = {}
        for key, item in (items.items() if isinstance(items, dict) else []):
            zh = getattr(item, "name_zh", None)
            if zh:
                out[key] = str(zh)
        return out
    return dict(CATALOGUE)


@localized
def sensitivity_bars(result: SensitivityResult, target: str, top: int = 12, *,
                     lang: Lang = "en", scenario: Any | None = None) -> Figure:
    """Bars of the sensitivity indices of one target's value (Sobol' ST and S1, or Morris mu*).

    Parameters
    ----------
    result : SensitivityResult
    target : str
    top : int
        How many inputs to draw, most important first.
    lang : {"en", "zh"}
        Language of the labels; Chinese names the inputs in words
        (:func:`sim.scenario.labels.describe`).
    scenario : Scenario, optional
        Lets the Chinese input names use the scenario's own names.
    """
    df = result.ranking(target, top)
    if df.empty:
        raise ValueError(result.notes.get(target, f"no indices for {target!r}"))
    fig = _figure(8, 0.38 * len(df) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(df))[::-1]
    if result.method == "sobol":
        ax.barh(y + 0.18, df["ST"], 0.36, xerr=df["ST_conf"], color=COLOR,
                label=say(lang, "total (ST)", "总效应指数（ST）"))
        ax.barh(y - 0.18, df["S1"], 0.36, xerr=df["S1_conf"], color="#9ecae1",
                label=say(lang, "first order (S1)", "一阶指数（S1）"))
        ax.set_xlabel(say(lang, f"Sobol' index ({result.confidence:.0%} bootstrap interval)",
                          f"Sobol'敏感性指数（{result.confidence:.0%} bootstrap区间）"))
        ax.legend()
    else:
        ax.barh(y, df["mu_star"], 0.6, xerr=df["mu_star_conf"], color=COLOR)
        ax.set_xlabel(say(lang, "Morris mu* (mean absolute elementary effect)",
                          "Morris mu*（基本效应绝对值的均值）"))
    inputs = [str(i) for i in df["input"]]
    ax.set_yticks(y, inputs if lang == "en" else [_input_zh(i, scenario) for i in inputs],
                  fontsize=8)
    ax.set_title(say(lang, f"{target}: sensitivity of the value ({result.runs} runs)",
                     f"{target}：目标数值的敏感性（{result.runs}次模拟）"), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _input_zh(path: str, scenario: Any | None = None, words_zh: str = "") -> str:
    """An input's Chinese name (its restriction's ``words_zh``, else its plain label)."""
    if words_zh:
        return words_zh
    from sim.scenario.labels import describe

    return describe(path, scenario, "zh")


@localized
def discovery_box(d: Discovery, study: Study | None = None, *, lang: Lang = "en") -> Figure:
    """The PRIM box: each restricted input's range (normalised), and the peeling trajectory.

    With ``study``, the runs are drawn on the two most significant inputs, failures in red.
    With ``lang="zh"`` the labels are Chinese and the inputs are named by their restrictions'
    ``words_zh`` (else :func:`sim.scenario.labels.describe`).
    """
    if d.box is None:
        raise ValueError(d.statement)
    rs = d.box.restrictions
    sc = study.scenario if study is not None else None

    def name(r: Any) -> str:
        return r.input if lang == "en" else _input_zh(r.input, sc, r.words_zh)

    panels = 3 if study is not None and len(rs) >= 2 else 2
    fig = _figure(5 * panels, max(3.0, 0.55 * len(rs) + 1.8))
    axes = fig.subplots(1, panels)
    ax = axes[0]
    for i, r in enumerate(rs[::-1]):
        span = (r.data_max - r.data_min) or 1.0
        a = 0.0 if r.low is None else (r.low - r.data_min) / span
        b = 1.0 if r.high is None else (r.high - r.data_min) / span
        ax.plot([0, 1], [i, i], color="lightgrey", lw=6, solid_capstyle="butt")
        ax.plot([a, b], [i, i], color=FAIL, lw=6, solid_capstyle="butt")
        ax.annotate(f"{_num(r.data_min)}", (0, i), xytext=(0, -11), textcoords="offset points",
                    ha="left", fontsize=7, color="grey")
        ax.annotate(f"{_num(r.data_max)}", (1, i), xytext=(0, -11), textcoords="offset points",
                    ha="right", fontsize=7, color="grey")
        ax.annotate(r.text().replace(r.input, "x"), ((a + b) / 2, i), xytext=(0, 6),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(rs)), [say(lang, f"{r.input}\n(quasi-p {r.quasi_p:.1g})",
                                       f"{name(r)}\n（拟p值 {r.quasi_p:.1g}）")
                                   for r in rs[::-1]], fontsize=7)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.8, len(rs) - 0.3)
    ax.set_xlabel(say(lang, "range in the runs (normalised)", "模拟中的取值范围（归一化）"))
    ax.set_title(say(lang, f"{d.target} fails: coverage {d.box.coverage:.2f}, "
                     f"density {d.box.density:.2f}",
                     f"{d.target}未达到：覆盖率{d.box.coverage:.2f}，密度{d.box.density:.2f}"),
                 fontsize=9)
    tr = d.trajectory
    if tr is not None:
        pts = axes[1].scatter(tr["coverage"], tr["density"], c=tr["restricted"],
                              cmap="viridis", s=14)
        fig.colorbar(pts, ax=axes[1], label=say(lang, "inputs restricted", "受限制的输入数"))
        axes[1].plot([d.box.coverage], [d.box.density], "o", mfc="none", mec=FAIL, ms=12,
                     label=say(lang, "chosen box (after pasting and pruning)",
                               "选定的框（粘贴和修剪后）"))
        axes[1].set_xlabel(say(lang, "coverage", "覆盖率"))
        axes[1].set_ylabel(say(lang, "density", "密度"))
        axes[1].set_title(say(lang, "peeling trajectory", "剥离轨迹"), fontsize=9)
        axes[1].legend(fontsize=7, loc="lower left")
        axes[1].grid(alpha=0.3)
    if panels == 3 and study is not None:
        ax3 = axes[2]
        x = study.inputs_frame()
        fails = ~study.table[f"met.{d.target}"].to_numpy(dtype=bool)
        r1, r2 = rs[0], rs[1]
        ax3.scatter(x[r1.input][~fails], x[r2.input][~fails], s=6, color=HOLD, alpha=0.4,
                    label=say(lang, "holds", "达到"))
        ax3.scatter(x[r1.input][fails], x[r2.input][fails], s=6, color=FAIL, alpha=0.6,
                    label=say(lang, "fails", "未达到"))
        lo1 = r1.low if r1.low is not None else r1.data_min
        hi1 = r1.high if r1.high is not None else r1.data_max
        lo2 = r2.low if r2.low is not None else r2.data_min
        hi2 = r2.high if r2.high is not None else r2.data_max
        ax3.plot([lo1, hi1, hi1, lo1, lo1], [lo2, lo2, hi2, hi2, lo2], color="black", lw=1)
        ax3.set_xlabel(name(r1), fontsize=8)
        ax3.set_ylabel(name(r2), fontsize=8)
        ax3.legend(fontsize=7)
    return fig


def _num(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() else f"{x:.3g}"


def save_study_figures(study: Study, directory: str | Path, dpi: int = 110) -> list[Path]:
    """Write every figure a study supports as PNG files into ``directory``.

    Always ``p_holds.png`` and, for targets with failures that PRIM explains,
    ``discovery_<target>.png``; with time series also ``relief_time.png``, ``shelters.png`` and
    ``stock.png``.
    """
    from sim.study.discovery import discover

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []

    def save(fig: Figure, name: str) -> None:
        p = d / name
        fig.savefig(p, dpi=dpi)
        out.append(p)

    save(p_holds(study.summary()), "p_holds.png")
    if study.series is not None:
        if any(t.kind == "relief_within" for t in study.scenario.targets):
            save(relief_time(study), "relief_time.png")
        if any(c.startswith("shelter.") for c in study.series.columns):
            save(fan_chart(study, "shelter"), "shelters.png")
        save(fan_chart(study, "stock"), "stock.png")
    for t in study.target_ids:
        disc = discover(study, t)
        if disc.box is not None:
            save(discovery_box(disc, study), f"discovery_{t}.png")
    return out
