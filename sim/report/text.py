"""Plain-text verdict tables for the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.results import RunResult

if TYPE_CHECKING:
    from sim.standards import StandardResult

__all__ = ["format_run", "format_standards", "table"]


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Format rows as an aligned text table."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), line]
    out += [fmt.format(*(str(x) for x in r)) for r in rows]
    return "\n".join(out)


def _num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return "never"
    return f"{x:.{digits}g}"


def _hours(x: float | None) -> str:
    return "never" if x is None or not math.isfinite(x) else f"{x:.3g} h"


def format_run(r: RunResult) -> str:
    """The verdict table of one run, with the headline metrics."""
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


def format_standards(results: Sequence[StandardResult]) -> str:
    """The static standards of a scenario: value, threshold and whether its data meet it."""
    rows = [(r.id, _num(r.value), f"{r.comparison} {_num(r.threshold)}",
             "UNDECIDED" if r.met is None else "MET" if r.met else "NOT MET",
             r.unit, f"{r.n_inputs} inputs ({r.n_assumed} assumed, {r.n_partly_assumed} partly)",
             r.source)
            for r in results]
    return table(rows, ("standard", "value", "threshold", "verdict", "unit", "rests on",
                        "source"))
