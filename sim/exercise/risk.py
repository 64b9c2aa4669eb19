"""Each target's value on the run so far, and whether it is at risk (目标风险).

An exercise's status board shows every plan target (预案目标) while the disaster unfolds. The
value is the target evaluated on the run so far (:func:`sim.run.partial_result`, which leaves
the run undisturbed); "at risk" depends on the kind of target, and ``why`` says in words what
it means for that target:

``relief_within`` (基本生活救助时限)
    Before the deadline: at risk when the people needing relief so far who still must be
    relieved to reach the share outnumber what the relief pace so far (people relieved per hour
    since the first need) reaches by the deadline. After it: missed when the share relieved in
    time is below the threshold (later needs can only lower it).
``deaths_per_million`` (死亡人数)
    At risk when the deaths so far already exceed the limit (deaths only rise).
other kinds
    At risk when the value on the run so far misses the threshold.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.results import RunResult
from sim.scenario.clauses import DeathsPerMillion, ReliefWithin, Target
from sim.targets import TargetResult

__all__ = ["target_status"]

EPS = 1e-9


def _relief(t: ReliefWithin, tr: TargetResult, r: RunResult, now: float) -> tuple[bool, str]:
    n = r.relief_n.astype(float)
    needing = float(n.sum())
    if needing == 0:
        return False, "nobody has needed relief so far"
    relieved = float(n[np.isfinite(r.relief_t)].sum())
    value = tr.value if tr.value is not None else 1.0
    if now >= t.hours - EPS:
        if value < t.share - EPS:
            return True, (f"missed: {value:.1%} of the {needing:,.0f} people needing relief were "
                          f"relieved within {t.hours:g} h (needs {t.share:.0%}); later needs "
                          "can only lower it")
        return False, (f"{value:.1%} relieved within {t.hours:g} h so far (needs "
                       f"{t.share:.0%}); people displaced later count too")
    still = max(0.0, t.share * needing - relieved)
    if still <= 0:
        return False, (f"{relieved / needing:.1%} of the {needing:,.0f} people needing relief so "
                       f"far are relieved (needs {t.share:.0%} by {t.hours:g} h)")
    first = float(r.relief_t_need.min())
    elapsed = max(now - max(first, 0.0), 0.0)
    left = t.hours - now
    pace = relieved / elapsed if elapsed > EPS else 0.0
    reach = pace * left
    behind = reach < still - EPS
    pace_words = (f"{pace:,.0f} people/h so far" if elapsed > EPS
                  else "no relief pace yet (relief counts from the onset)")
    return behind, (f"{still:,.0f} more of the {needing:,.0f} people needing relief so far must "
                    f"be relieved in the {left:g} h left to reach {t.share:.0%}; at "
                    f"{pace_words} {'only ' if behind else ''}{min(reach, 1e12):,.0f} would be"
                    + (" (behind the pace needed)" if behind else " (on pace)"))


def _deaths(t: DeathsPerMillion, tr: TargetResult, r: RunResult, now: float
            ) -> tuple[bool, str]:
    value = tr.value or 0.0
    if not tr.met:
        return True, (f"deaths so far are already {value:.3g} per million, above the limit of "
                      f"{t.max:g}; they can only rise")
    return False, f"deaths so far: {value:.3g} per million (limit {t.max:g})"


def _generic(t: Target, tr: TargetResult, r: RunResult, now: float) -> tuple[bool, str]:
    if tr.value is None:
        return False, f"does not apply so far ({tr.note})" if tr.note else "does not apply so far"
    if tr.met:
        return False, (f"the run so far meets it ({tr.value:.3g} {tr.comparison} "
                       f"{tr.threshold:g} {tr.unit}); it may still change")
    return True, (f"the run so far misses it ({tr.value:.3g}, needs {tr.comparison} "
                  f"{tr.threshold:g} {tr.unit}); it may still change")


def target_status(targets: list[Target], result: RunResult, now: float) -> list[dict[str, Any]]:
    """Each target's value so far, whether it is met so far and at risk, and why.

    Parameters
    ----------
    targets : list of Target
        The scenario's targets, in the order of ``result.targets``.
    result : RunResult
        The run so far (:func:`sim.run.partial_result`).
    now : float
        The exercise clock, hours from onset.

    Returns
    -------
    list of dict
        ``{id, kind, clause_en, clause_zh, value, threshold, met, at_risk, why}`` per target.
    """
    out = []
    for t, tr in zip(targets, result.targets, strict=True):
        if isinstance(t, ReliefWithin):
            at_risk, why = _relief(t, tr, result, now)
        elif isinstance(t, DeathsPerMillion):
            at_risk, why = _deaths(t, tr, result, now)
        else:
            at_risk, why = _generic(t, tr, result, now)
        value = tr.value if tr.value is None or math.isfinite(tr.value) else None
        out.append({"id": tr.id, "kind": tr.kind, "clause_en": tr.clause_en,
                    "clause_zh": tr.clause_zh, "value": value, "threshold": tr.threshold,
                    "comparison": tr.comparison, "unit": tr.unit, "met": tr.met,
                    "at_risk": bool(at_risk), "why": why})
    return out
