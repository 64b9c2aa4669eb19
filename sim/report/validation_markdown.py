"""The validation page (``docs/validation.md``) and its figures: rendering only.

:func:`validation_page` turns back-test results (:mod:`sim.study.backtest`) and closed-form checks
(:mod:`sim.study.validation`) into Markdown; :func:`backtest_figure` draws one back-test's
reported figures against the simulated distributions; :func:`format_backtest` is the plain-text
table of ``sim backtest``. Nothing here runs the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.study.backtest import (
    FIGURE_ZH,
    FIGURES,
    HIGH_Q,
    LOW_Q,
    BacktestResult,
    FigureComparison,
    judged_by,
    miss_words,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.scenario.loader import Problem
    from sim.study.validation import CheckResult

__all__ = ["backtest_figure", "format_backtest", "validation_page"]

VERDICT_WORDS = {
    "inside": "inside",
    "below": "**outside: record below** (model too high)",
    "above": "**outside: record above** (model too low)",
    "no record": "no record",
}


def _n(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if math.isinf(x):
        return "inf"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _ratio(c: FigureComparison) -> str:
    if c.ratio is None:
        return "-"
    if math.isinf(c.ratio):
        return "inf (record 0)"
    return f"{c.ratio:,.0f}" if c.ratio >= 100 else f"{c.ratio:.3g}"


def _cell(s: str | None) -> str:
    return (s or "").replace("|", "\\|").replace("\n", " ").strip()


def _figure_rows(res: BacktestResult) -> list[str]:
    rows = ["| figure | reported | scope and source | simulated median | 90 % interval "
            f"({LOW_Q:g}th-{HIGH_Q:g}th pct.) | verdict | median / reported |",
            "|---|---|---|---:|---|---|---:|"]
    for c in res.comparisons:
        rep = c.reported
        scope = f"{rep.scope.strip().rstrip('.')}. " if rep.scope else ""
        rows.append(
            f"| {c.figure} ({FIGURE_ZH[c.figure]}) | {rep.words()} | "
            f"{_cell(scope + 'Source: ' + rep.source)} | {_n(c.median)} | "
            f"{_n(c.low)} to {_n(c.high)} | {VERDICT_WORDS[c.verdict]} | {_ratio(c)} |")
    return rows


def _judged_on(res: BacktestResult, others: Sequence[BacktestResult], path: str) -> str:
    names = judged_by(res, others, path)
    return (f"; judged on {', '.join(names)}" if names
            else "; no other back-test here judges it")


def _backtest_section(res: BacktestResult, figure: str | None,
                      others: Sequence[BacktestResult] = ()) -> list[str]:
    bt = res.backtest
    title = bt.title.en + (f" ({bt.title.zh})" if bt.title.zh else "")
    out = [f"### {title}", "",
           f"`{bt.name}` ({bt.file}): {bt.hazard}, {bt.date}; scenario `{res.scenario.name}` "
           f"({bt.scenario}); {res.runs} runs, seed {res.seed}, "
           f"{res.elapsed_s:.0f} s.", ""]
    out += ["**Inputs as observed** (applied to the scenario as overrides; every other input "
            "is sampled as the scenario gives it):", ""]
    if bt.observed:
        out += ["| input | value | source |", "|---|---|---|"]
        for o in bt.observed:
            out.append(f"| `{o.path}` | {_cell(_value(o.value))} | {_cell(o.source)} |")
    else:
        out.append("none (the scenario as it is)")
    out += ["", "**Reported against simulated:**", "", *_figure_rows(res), ""]
    if figure:
        out += [f"![{bt.name}: reported figures against the simulated runs]({figure})", ""]
    out += ["**What the model gets wrong, and why:**", ""]
    misses = res.misses
    for c in misses:
        out.append(f"- {c.figure}: {miss_words(c)}.")
    if not misses:
        out.append("- every recorded figure lies inside the simulated 90 % interval.")
    none = [c.figure for c in res.comparisons if c.verdict == "no record"]
    if none:
        out.append(f"- no record to compare for: {', '.join(none)}.")
    if bt.notes:
        out += ["", f"Notes of the back-test: {' '.join(bt.notes.split())}"]
    out += ["", "**Tuned inputs** (set from this event, so it cannot validate them): "
            + ("; ".join(f"`{t.path}`" + (f" ({t.note})" if t.note else "")
                         + _judged_on(res, others, t.path) for t in bt.tuned)
               if bt.tuned else "none."), ""]
    return out


def _value(v: Any) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def _checks_table(checks: Sequence[CheckResult]) -> list[str]:
    rows = ["| check | compared | model | closed form | tolerance | how the tolerance was derived "
            "| verdict |", "|---|---|---:|---:|---:|---|---|"]
    for c in checks:
        unit = f" {c.unit}" if c.unit else ""
        rows.append(f"| {c.name} | {_cell(c.compared)} ({_cell(c.reference)}) | "
                    f"{c.simulated:.6g}{unit} | {c.closed_form:.6g}{unit} | {c.tolerance:.3g} "
                    f"| {_cell(c.basis)} | {'pass' if c.passed else '**FAIL**'} |")
    return rows


def _statistics_table(checks: Sequence[CheckResult]) -> list[str]:
    rows = ["| scenario and figure | model | over which runs | records | how it is judged "
            "| verdict |", "|---|---:|---|---|---|---|"]
    for c in checks:
        unit = f" {c.unit}" if c.unit else ""
        rows.append(f"| {c.name} | {c.simulated:.3g}{unit} | {_cell(c.compared)} | "
                    f"{_cell(c.reference)} | {_cell(c.basis)} | "
                    f"{'inside' if c.passed else '**outside**'} |")
    return rows


def validation_page(results: Sequence[BacktestResult], checks: Sequence[CheckResult],
                    figures: Mapping[str, str], *, engine: str | None, command: str,
                    problems: Sequence[Problem] = (), reduced: bool = False,
                    statistics: Sequence[CheckResult] = ()) -> str:
    """The Markdown of the validation page.

    Parameters
    ----------
    results : sequence of BacktestResult
        One per back-test file that loaded.
    checks : sequence of CheckResult
        The closed-form checks.
    figures : mapping
        Back-test name -> figure path relative to the page.
    engine : str or None
        The engine's commit (``git describe``).
    command : str
        The command that wrote the page.
    problems : sequence of Problem
        Back-test files that did not load (shown, never dropped silently).
    reduced : bool
        Whether this is the reduced form (few runs, for the tests).
    statistics : sequence of CheckResult
        The water scenarios' casualty rates against China's flood statistics (ranges of
        records: a miss is a finding).
    """
    out = ["# Validation: the model against recorded disasters and closed forms (验证)", "",
           f"Written by `{command}` with engine commit `{engine or 'unknown'}`"
           + (" (REDUCED form: few runs, for the tests; not the published page)" if reduced
              else "") + ". Do not edit by hand.", "",
           "Each back-test (`validation/backtests/*.yaml`) runs its scenario with the hazard as "
           "observed and sets each reported figure beside the simulated median and 90 % interval "
           f"(the {LOW_Q:g}th to {HIGH_Q:g}th percentile of the runs). The verdict is *inside* "
           "when the record (or its recorded range) meets that interval, *record below* when it "
           "lies wholly under it (the model is too high), *record above* when wholly over it "
           "(the model is too low), and *no record* when no figure was found. Misses are shown, "
           "never hidden. Figures compared: killed = 死亡失踪 (dead and missing), injured, "
           "evacuated = 紧急转移 before the hazard, displaced = homes unusable, sheltered = "
           "集中安置 at peak, trapped.", ""]
    # summary
    out += ["## Summary", "", "| back-test | hazard | runs | inside | outside | no record | "
            "tuned inputs |", "|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        k = [c.verdict for c in r.comparisons]
        out.append(f"| [{r.backtest.name}](#{_anchor(r)}) | {r.backtest.hazard} | {r.runs} | "
                   f"{k.count('inside')} | {k.count('below') + k.count('above')} | "
                   f"{k.count('no record')} | {len(r.backtest.tuned) or '-'} |")
    n_fail = sum(not c.passed for c in checks)
    out += ["", f"Closed-form checks: {len(checks) - n_fail} of {len(checks)} pass"
            + (f", **{n_fail} FAIL**" if n_fail else "") + ".", ""]
    misses = [(r, c) for r in results for c in r.misses]
    if misses:
        out += ["Misses:", ""]
        out += [f"- {r.backtest.name}, {c.figure}: {miss_words(c)}" for r, c in misses]
        out.append("")
    if problems:
        out += ["## Back-test files that do not load", ""]
        out += [f"- `{p}`" for p in problems]
        out.append("")
    out += ["## Back-tests", ""]
    for r in results:
        out += _backtest_section(r, figures.get(r.backtest.name), results)
    out += ["## Closed-form checks", "",
            "Statistical checks take their tolerance from a 99.9 % confidence interval (a correct "
            "model fails one in a thousand); exact formulas from floating-point rounding or the "
            "grid they are evaluated on; the check on a recorded series from its recording step. "
            "The hazard formulas are checked at the points tests/test_typhoon.py, "
            "tests/test_flood.py and tests/test_earthquake.py use; the desks as in "
            "tests/test_queueing.py.", "", *_checks_table(checks), ""]
    if statistics:
        n_out = sum(not c.passed for c in statistics)
        out += ["## Flood casualties against China's flood statistics", "",
                "Each water scenario's runs against the ranges China's records give "
                "(docs/reference/parameters.md §16): deaths by water (flash floods, "
                "waterlogging, river floods, surge) per million residents of the zones the water "
                "reaches, set against the national flood bulletins and the worst single events; "
                "injuries of hospital level per water death against the hospitalised per dead "
                "and missing of the 2016 all-hazard bulletins (the flood pack's injuries per "
                "death are taken from those figures, so that comparison is not independent). "
                f"{len(statistics) - n_out} of {len(statistics)} inside"
                + (f"; **{n_out} outside**" if n_out else "") + ": an outside figure is a "
                "finding about the model, shown here, not a failed test. The model never kills "
                "by water where the water is zero (tests/test_flood_statistics.py).", "",
                *_statistics_table(statistics), ""]
    out += ["## The back-test file format", "",
            "One YAML file per recorded event, `validation/backtests/NAME.yaml` (NAME = the file "
            "stem): `name`, `title` {en, zh}, `hazard` (typhoon, flood, earthquake), `date` (a "
            "quoted YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD), `scenario` (a scenario file relative "
            "to the back-test), `runs`, `observed` (a list of {path, value, source}: input paths "
            "as in `sim study --set`, applied as overrides), `reported` (per figure {value, low, "
            "high, scope, source}; `value: null` without a figure; low/high a recorded range, or "
            "without a value the only bounds found), `tuned` (a list of {path, note}) and "
            "`notes`. The figures are compared with these run metrics: "
            + ", ".join(f"{k} -> `{v}`" for k, v in FIGURES.items())
            + ". Check one file with `sim backtest FILE`; bad files get one located line per "
            "problem (FILE:LINE: field: message) and exit status 2.", ""]
    return "\n".join(out)


def _anchor(r: BacktestResult) -> str:
    t = r.backtest.title
    text = (t.en + (f" ({t.zh})" if t.zh else "")).lower()
    keep = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return keep.replace(" ", "-")


def format_backtest(res: BacktestResult) -> str:
    """The plain-text table of one back-test (``sim backtest``)."""
    from sim.report.text import table

    bt = res.backtest
    head = (f"{bt.name}: {bt.title.en} ({bt.hazard}, {bt.date}); scenario {res.scenario.name}, "
            f"{res.runs} runs, seed {res.seed}; interval = {LOW_Q:g}th-{HIGH_Q:g}th percentile")
    rows = [(f"{c.figure} {FIGURE_ZH[c.figure]}", c.reported.words(), _n(c.median),
             f"{_n(c.low)} to {_n(c.high)}", c.verdict, _ratio(c)) for c in res.comparisons]
    body = table(rows, ("figure", "reported", "median", "90 % interval", "verdict",
                        "median/reported"))
    lines = [head, body]
    for c in res.misses:
        lines.append(f"  {c.figure}: {miss_words(c)}")
    if bt.tuned:
        lines.append("tuned: " + ", ".join(t.path for t in bt.tuned))
    return "\n".join(lines)


def backtest_figure(res: BacktestResult) -> Figure:
    """Each reported figure against the simulated runs of its metric.

    One row per figure: the runs (dots), their 90 % interval (bar) and median (white diamond),
    and the record (red line, or red band for a range; none when there is no record), on a
    symmetric-log axis so that zeros and large counts share it.
    """
    from matplotlib.figure import Figure

    comps = res.comparisons
    fig = Figure(figsize=(8, 0.75 * len(comps) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # jitter of the dots only (drawing, not the model)
    top = 1.0
    for i, c in enumerate(comps):
        y = len(comps) - 1 - i
        v = res.values[c.figure]
        v = v[np.isfinite(v)]
        ax.scatter(v, y + rng.uniform(-0.18, 0.18, len(v)), s=6, color="#1f5f8b", alpha=0.35,
                   linewidths=0)
        ax.plot([c.low, c.high], [y, y], color="#1f5f8b", lw=5, alpha=0.8, solid_capstyle="butt")
        ax.plot([c.median], [y], marker="D", color="white", mec="#1f5f8b", ms=7)
        top = max(top, float(v.max()) if len(v) else 0.0, c.high)
        rr = c.reported.range
        if rr is not None:
            lo, hi = rr
            hi_draw = hi if math.isfinite(hi) else max(top, lo) * 10
            if hi_draw > lo:
                ax.fill_betweenx([y - 0.35, y + 0.35], lo, hi_draw, color="#b2182b", alpha=0.25)
            if c.reported.value is not None:
                ax.plot([c.reported.value] * 2, [y - 0.38, y + 0.38], color="#b2182b", lw=2.5)
            top = max(top, lo, hi if math.isfinite(hi) else lo)
        label = f"record {c.verdict}" if c.verdict in ("below", "above") else c.verdict
        ax.annotate(label, (1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8,
                    color="#b2182b" if c.verdict in ("below", "above") else "0.3")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(-0.5, top * 2 + 1)
    ax.set_yticks(range(len(comps)), [c.figure for c in reversed(comps)])
    ax.set_ylim(-0.7, len(comps) - 0.3)
    ax.set_xlabel("people (symmetric log scale)")
    ax.set_title(f"{res.backtest.name}: {res.runs} runs (blue: runs, 90 % interval, median); "
                 "red: record", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return fig
