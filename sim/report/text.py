"""Plain-text verdict tables for the terminal."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.i18n import Lang, clause_of
from sim.results import RunResult

if TYPE_CHECKING:
    from sim.standards import StandardResult

__all__ = ["format_run", "format_standards", "table"]


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Format rows as an aligned text table (wide characters counted as two columns)."""
    widths = [max(width(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)

    def fmt(cells: Sequence[object]) -> str:
        return "  ".join(str(x) + " " * (w - width(str(x)))
                         for x, w in zip(cells, widths, strict=True))

    out = [fmt(header), line]
    out += [fmt(r) for r in rows]
    return "\n".join(out)


def _num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return "never"
    return f"{x:.{digits}g}"


def _hours(x: float | None) -> str:
    return "never" if x is None or not math.isfinite(x) else f"{x:.3g} h"


def format_run(r: RunResult, lang: Lang = "en") -> str:
    """The verdict table of one run, with the headline metrics.

    Parameters
    ----------
    r : RunResult
        The run.
    lang : {"en", "zh"}
        Language of the table; Chinese adds each target's clause in the plan's words.

    Returns
    -------
    str
        The table.
    """
    if lang == "zh":
        return _format_run_zh(r)
    rows = [
        (t.id, _num(t.value), f"{t.comparison} {_num(t.threshold)}",
         "NOT APPLICABLE" if t.value is None else "HOLDS" if t.met else "FAILS",
         t.unit if t.value is not None else f"{t.unit} ({t.note})" if t.note else t.unit,
         t.source or "")
        for t in r.targets
    ]
    m = r.metrics
    head = (f"scenario {r.scenario}  seed {r.seed['entropy']}"
            + (f" spawn {r.seed['spawn_key']}" if r.seed["spawn_key"] else "")
            + f"  population {m['population']:,}")
    facts = (
        f"needing relief {m['needing_relief']:,}; relieved {m['relieved']:,}; "
        f"time to relief p50 {_hours(m['relief_p50_h'])}, p95 {_hours(m['relief_p95_h'])}; "
        f"evacuated before onset {m['evacuated_before_onset']:,}; "
        f"displaced by the hazard {m['displaced_by_hazard']:,}; "
        f"shelter peak {m['shelter_peak_total']:,}; without a place at peak {m['unplaced_peak']:,}"
    )
    body = table(rows, ("target", "value", "threshold", "verdict", "unit", "source"))
    return f"{head}\n\n{body}\n\n{facts}"


_VERDICT_ZH = {True: "达到", False: "未达到", None: "不适用"}


def _format_run_zh(r: RunResult) -> str:
    rows = [(t.id, clause_of(t, "zh"), _num(t.value).replace("n/a", "不适用"),
             f"{t.comparison} {_num(t.threshold)}",
             _VERDICT_ZH[None if t.value is None else bool(t.met)], t.unit or "")
            for t in r.targets]
    m = r.metrics
    head = (f"情景 {r.scenario}  随机种子 {r.seed['entropy']}"
            + (f" 派生 {r.seed['spawn_key']}" if r.seed["spawn_key"] else "")
            + f"  人口 {m['population']:,}")

    def h(x: float | None) -> str:
        return "从未达到" if x is None or not math.isfinite(x) else f"{x:.3g}小时"

    facts = (
        f"需要基本生活救助 {m['needing_relief']:,}人；已救助 {m['relieved']:,}人；"
        f"救助时间中位数 {h(m['relief_p50_h'])}，第95百分位 {h(m['relief_p95_h'])}；"
        f"灾前转移 {m['evacuated_before_onset']:,}人；因灾失去住所 {m['displaced_by_hazard']:,}人；"
        f"集中安置高峰 {m['shelter_peak_total']:,}人；高峰时无处安置 {m['unplaced_peak']:,}人"
    )
    body = table(rows, ("目标", "预案条款", "数值", "阈值", "结论", "单位"))
    return f"{head}\n\n{body}\n\n{facts}"


def format_standards(results: Sequence[StandardResult]) -> str:
    """The static standards of a scenario: value, threshold and whether its data meet it."""
    rows = [(r.id, _num(r.value), f"{r.comparison} {_num(r.threshold)}",
             "UNDECIDED" if r.met is None else "MET" if r.met else "NOT MET",
             r.unit, f"{r.n_inputs} inputs ({r.n_assumed} assumed, {r.n_partly_assumed} partly)",
             r.source)
            for r in results]
    return table(rows, ("standard", "value", "threshold", "verdict", "unit", "rests on",
                        "source"))
