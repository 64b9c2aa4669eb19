"""Plain-text reports of studies, comparisons, sensitivity, discovery and capacity plans."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sim.i18n import Lang, say
from sim.report.text import table
from sim.report.units_zh import unit_zh

if TYPE_CHECKING:
    from sim.study.capacity import CapacityPlan
    from sim.study.compare import Comparison
    from sim.study.discovery import Discovery
    from sim.study.runner import StudySummary, TargetSummary
    from sim.study.sensitivity import SensitivityResult
    from sim.study.stats import Interval

__all__ = [
    "format_comparison",
    "format_discovery",
    "format_plan",
    "format_sensitivity",
    "format_summary",
]


def _g(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "never" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def _p(iv: Interval) -> str:
    return f"{iv.estimate:.3f}" if math.isfinite(iv.estimate) else "n/a"


def _ci(iv: Interval, fmt: str = ".3f") -> str:
    if not (math.isfinite(iv.low) and math.isfinite(iv.high)):
        return "n/a"
    return f"[{iv.low:{fmt}}, {iv.high:{fmt}}]"


def _signed(iv: Interval) -> str:
    if not math.isfinite(iv.estimate):
        return "n/a"
    return f"{iv.estimate:+.3f} [{iv.low:+.3f}, {iv.high:+.3f}]"


_SUMMARY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("id", "target"), ("p", "P(holds)"), ("ci", "{conf} CI (Wilson)"), ("basis", "basis"),
           ("held", "held"), ("mean", "value mean [{conf} CI, bootstrap]"),
           ("quantiles", "value p5 / p50 / p95"), ("threshold", "threshold"), ("unit", "unit")),
    "zh": (("id", "目标"), ("clause", "预案条款"), ("p", "达标概率"),
           ("ci", "{conf}置信区间（Wilson）"), ("basis", "依据"), ("held", "达到次数"),
           ("quantiles", "数值 p5 / p50 / p95"), ("threshold", "阈值"), ("unit", "单位")),
}
"""The summary table's columns per language: the cell's key and its heading. The Chinese table
gives each target's plan clause (预案条款) and leaves out the mean's bootstrap interval."""


def _summary_cells(t: TargetSummary, lang: Lang, clauses: Mapping[str, str]) -> dict[str, str]:
    """One target's cells of the summary table, in ``lang``."""
    q = t.value.quantiles
    qs = " / ".join(_g(q[k].estimate) for k in sorted(q)) if q else "n/a"
    simulated = t.basis is None or t.basis.kind == "simulated"
    basis = t.basis.kind if t.basis else "simulated"
    na = t.runs - t.applicable
    return {
        "id": t.id, "clause": clauses.get(t.id, ""),
        "p": _p(t.p_holds) if simulated else f"({_p(t.p_holds)})", "ci": _ci(t.p_holds),
        "basis": say(lang, basis.replace("_", " "),
                     "模拟所得" if t.basis is None else t.basis.words_zh),
        "held": f"{t.holds}/{t.applicable}"
                + (say(lang, f" ({na} n/a)", f"（{na}次不适用）") if na > 0 else ""),
        "mean": f"{_g(t.value.mean.estimate)} [{_g(t.value.mean.low)}, {_g(t.value.mean.high)}]",
        "quantiles": say(lang, qs, qs.replace("n/a", "不适用").replace("never", "从未")),
        "threshold": f"{t.comparison} {_g(t.threshold)}"
                     + (say(lang, " (median)", "（中位数）") if t.threshold_varies else ""),
        "unit": say(lang, t.unit or "", unit_zh(t.unit)),
    }


def format_summary(s: StudySummary, lang: Lang = "en",
                   clauses: Mapping[str, str] | None = None) -> str:
    """P(holds) of every target with its interval, and the distribution of its value.

    Parameters
    ----------
    s : StudySummary
        The study's summary.
    lang : {"en", "zh"}
        Language of the table.
    clauses : mapping of str to str, optional
        Per target id, its clause in ``lang`` (a column of the Chinese table).

    Returns
    -------
    str
        The table, the targets that are not findings, and how the study stopped.
    """
    conf = f"{s.confidence:.0%}"
    columns = _SUMMARY_COLUMNS[lang]
    rows = []
    for t in s.targets:
        cells = _summary_cells(t, lang, clauses or {})
        rows.append(tuple(cells[k] for k, _ in columns))
    if lang == "zh":
        head = f"情景 {s.scenario} 的研究：{s.runs}次模拟，根随机种子 {s.seed}"
        if s.elapsed_s:
            head += f"，用时 {s.elapsed_s:.1f} 秒"
    else:
        head = f"study {s.scenario}: {s.runs} runs, root seed {s.seed}"
        if s.executor:
            head += f", {s.executor}"
        if s.elapsed_s:
            head += f", {s.elapsed_s:.1f} s ({s.runs / s.elapsed_s:.0f} runs/s this session)" \
                if s.stop and s.stop.runs == s.runs else f", {s.elapsed_s:.1f} s"
    lines = [head, ""]
    lines.append(table(rows, tuple(h.format(conf=conf) for _, h in columns)))
    built = [t for t in s.targets if t.basis is not None and t.basis.kind != "simulated"]
    if built:
        lines += ["", say(lang, "not findings of the runs (P in brackets):",
                          "非模拟结论（括号中的概率）：")]
        lines += [say(lang, f"  {t.id}: {t.basis.words}: {t.basis.reason}",
                      f"  {t.id}：{t.basis.words_zh}：{t.basis.reason}")
                  for t in built if t.basis is not None]
    if s.stop is not None and s.stop.until_ci is not None:
        st = s.stop
        rounds = ", ".join(str(r) for r in st.rounds)
        why = {"precision": ("every interval's half-width is within",
                             "每个置信区间的半宽均已不超过"),
               "max_runs": ("the maximum number of runs was reached before reaching",
                            "达到模拟次数上限，尚未使半宽均不超过")}[st.reason]
        lines += ["", say(lang, f"sequential stopping: {st.runs} runs in rounds {rounds}; "
                                f"{why[0]} {st.until_ci:g} (widest half-width "
                                f"{st.max_half_width:.4f})",
                          f"序贯停止：共{st.runs}次模拟，分批 {rounds}；{why[1]} {st.until_ci:g}"
                          f"（最宽半宽 {st.max_half_width:.4f}）")]
    return "\n".join(lines)


def format_comparison(c: Comparison) -> str:
    """Paired differences of every variant against the baseline, and the CRN variance gain."""
    df = c.differences()
    rows = []
    for r in df.to_dict("records"):
        rows.append((
            r["variant"], r["target"],
            f"{r['p_base']:.3f} -> {r['p_variant']:.3f}",
            f"{r['p_diff']:+.3f} [{r['p_diff_low']:+.3f}, {r['p_diff_high']:+.3f}]",
            (f"{r['mean_diff']:+.4g} [{r['mean_diff_low']:+.4g}, {r['mean_diff_high']:+.4g}]"
             if math.isfinite(r["mean_diff_low"]) else _g(r["mean_diff"])),
            f"{_pct(r['p_var_reduction'])} / {_pct(r['value_var_reduction'])}",
            (f"{r['value_independent_runs']:,.0f}" if math.isfinite(r["value_independent_runs"])
             else "n/a"),
        ))
    base = c.studies[c.baseline]
    head = (f"compare {base.scenario.name}: {len(c.studies) - 1} variant(s) against "
            f"{c.baseline!r}, {base.runs} paired runs each (root seed {base.seed}; "
            "common random numbers)")
    body = table(rows, ("variant", "target", "P(holds)", "diff [95% CI, Newcombe paired]",
                        "value mean diff [95% CI, paired t]",
                        "var removed by CRN (verdict / value)", "indep. runs, same precision"))
    note = ("var removed by CRN: 1 - var(variant - base) / (var(variant) + var(base)), for the "
            "verdict (held or not) and for the target's value; the last column is how many "
            "independent runs per variant would give the paired value interval's precision.")
    return f"{head}\n\n{body}\n\n{note}"


def _pct(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{round(x, 4) + 0.0:.2%}" if x > 0.99 else f"{round(x, 2) + 0.0:.0%}"


def format_sensitivity(r: SensitivityResult, top: int = 8) -> str:
    """The most influential inputs of each target."""
    out = [f"sensitivity ({r.method}, {r.runs} runs, seed {r.seed}):"]
    for t in dict.fromkeys(r.indices["target"]) if len(r.indices) else []:
        df = r.ranking(t, top)
        rows: list[tuple[str, ...]]
        hdr: tuple[str, ...]
        if r.method == "sobol":
            rows = [(x["input"], f"{x['ST']:.3f} +/- {x['ST_conf']:.3f}",
                     f"{x['S1']:.3f} +/- {x['S1_conf']:.3f}") for x in df.to_dict("records")]
            hdr = ("input", "total index ST", "first-order S1")
        else:
            rows = [(x["input"], f"{x['mu_star']:.4g} +/- {x['mu_star_conf']:.3g}",
                     f"{x['mu_star_norm']:.2f}", f"{x['sigma']:.4g}")
                    for x in df.to_dict("records")]
            hdr = ("input", "mu*", "mu* / max", "sigma")
        out += ["", f"{t}:", table(rows, hdr)]
    for t, why in r.notes.items():
        out += ["", f"{t}: {why}"]
    return "\n".join(out)


def format_discovery(d: Discovery) -> str:
    """The failure conditions of one target, with each restriction's significance."""
    lines = [d.statement]
    if d.box is not None:
        rows = [(r.text(), f"[{_g(r.data_min, 4)}, {_g(r.data_max, 4)}]", f"{r.quasi_p:.2g}")
                for r in d.box.restrictions]
        lines += ["", table(rows, ("condition", "range in the runs", "quasi-p"))]
    return "\n".join(lines)


def format_plan(p: CapacityPlan) -> str:
    """The capacity search's answer and every step it evaluated."""
    rows = [(f"+{_g(d, 6)}", f"{iv.estimate:.3f}", _ci(iv),
             "yes" if iv.estimate >= p.goal else "no")
            for d, iv in sorted(p.evaluated.items())]
    return (p.statement() + "\n\n"
            + table(rows, ("increase", "P(holds)", "95% CI (Wilson)", "goal reached")))
