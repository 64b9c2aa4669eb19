"""When a target fails, in words: PRIM boxes and the run metrics that differ.

Scenario discovery (:func:`sim.study.discovery.discover`) of a target's failures, stated as
conditions under which it fails (an association across the runs, never a cause), with inputs
named in English and Chinese, and the run metrics that differ most between failing and holding
runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario.provenance import describe_input, provenance, source_kind
from sim.words import fmt_num, joined

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.discovery import Discovery
    from sim.study.runner import Study

__all__ = ["failure_conditions", "failure_section", "metric_contrast", "metric_sentence",
           "plain_failure", "plain_success", "success_box"]


def _plain_condition(r: Any) -> str:
    from sim.scenario.labels import describe
    from sim.study.discovery import _fmt

    en = getattr(r, "words", "") or describe(r.input)
    zh = getattr(r, "words_zh", "") or describe(r.input, lang="zh")
    name = f"{en} ({zh})"
    lo = None if r.low is None else _fmt(r.low, r.integer)
    hi = None if r.high is None else _fmt(r.high, r.integer)
    span = (r.data_max - r.data_min) or 1.0
    if lo is not None and hi is not None:
        share = (r.high - r.low) / span
        return f"{name} is between {lo} and {hi} ({share:.0%} of its range in the runs)"
    if lo is not None:
        return f"{name} is at least {lo} (the top {(r.data_max - r.low) / span:.0%} of its range)"
    return f"{name} is at most {hi} (the bottom {(r.high - r.data_min) / span:.0%} of its range)"


def _significant(box: Any) -> bool:
    return any(r.quasi_p <= 0.05 for r in box.restrictions)


def plain_failure(d: Discovery, label: str) -> str:
    """One sentence on when a target fails, from its PRIM box, in words.

    The box is stated as the conditions under which the target fails, an association across the
    runs, never as a cause; inputs are named in English and Chinese (:mod:`sim.scenario.labels`).

    A box none of whose restrictions is significant (quasi-p above 5 %) is not a failure
    condition: the failures are then said to be spread over the inputs' ranges.
    """
    if d.box is None or not _significant(d.box):
        if d.cases == 0:
            return (f"{label} held in every one of the {d.runs} runs: there is no failure to "
                    "explain.")
        if d.cases == d.runs:
            return (f"{label} failed in every one of the {d.runs} runs, whatever the uncertain "
                    "inputs: no range of any input makes it hold.")
        return (f"{label} fails in {d.base_rate:.0%} of the {d.runs} runs, spread over the whole "
                "range of every uncertain input (no range of any input concentrates the "
                "failures significantly).")
    b = d.box
    text = (f"The conditions under which {label[:1].lower() + label[1:]} fails most often (an "
            "association across the runs, not a proven cause): "
            f"{joined(failure_conditions(d))}. Such runs are "
            f"{b.mass:.0%} of all runs, the target fails in {b.density:.0%} of them (against "
            f"{d.base_rate:.0%} overall), and they hold {b.coverage:.0%} of its failures.")
    if b.density < d.base_rate + 0.1:
        text += " This is a weak concentration: failures occur over most of the inputs' ranges."
    return text


def success_box(study: Study, target_id: str) -> Discovery | None:
    """The PRIM box of the runs where a target that mostly fails holds (``cases``: holds).

    None when the target holds in half the runs or more, in fewer than 10 runs, or when no
    significant box is found.
    """
    from sim.study.discovery import Discovery, label_box, prim

    met = study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    n, k = len(met), int(met.sum())
    if k < 10 or k >= n / 2:
        return None
    x = study.inputs_frame()
    x = x.loc[:, x.nunique() > 1]
    if x.shape[1] == 0:
        return None
    box, _ = prim(x, met)
    box = label_box(box, study.scenario)
    if box is None or not _significant(box):
        return None
    return Discovery(target_id, n, k, k / n, box, None, "")


def plain_success(study: Study, target_id: str, label: str,
                  found: Discovery | None = None) -> str | None:
    """When a target that mostly fails holds: a PRIM box of the runs where it holds, in words.

    None when :func:`success_box` finds none (``found``: its answer, already computed).
    """
    d = found if found is not None else success_box(study, target_id)
    if d is None or d.box is None:
        return None
    box, n, k = d.box, d.runs, d.cases
    conds = failure_conditions(d)
    return ("The conditions under which it holds most often (an association, not a proven "
            f"cause): {joined(conds)}. Such runs are {box.mass:.0%} of all runs, "
            f"it holds in {box.density:.0%} of them (against {k / n:.0%} overall), and they are "
            f"{box.coverage:.0%} of the runs where it holds.")


def failure_conditions(d: Discovery) -> list[str]:
    """The restrictions of a PRIM box in words (empty without a box)."""
    return [] if d.box is None else [_plain_condition(r) for r in d.box.restrictions]


def metric_sentence(metrics: Sequence[Mapping[str, Any]], top: int = 3) -> str:
    """How failing runs differ from holding runs, from :func:`metric_contrast`, in words.

    The response's resources and operations (what the plan controls) are said apart from the
    consequences of the disaster's severity (casualties, hospital load, ambulance trips): the
    latter describe how severe the failing runs were, not why the target fails. Both are
    associations across the runs, not proven causes.
    """
    from sim.study.metric_kinds import metric_words

    def part(m: Mapping[str, Any]) -> str:
        more = "more" if m["effect"] > 0 else "less"
        return (f"{more} {m.get('words') or metric_words(m['metric'])} (mean "
                f"{fmt_num(m['mean_fails'])} against {fmt_num(m['mean_holds'])})")

    ops = [part(m) for m in metrics if m.get("kind", "operations") == "operations"][:top]
    sev = [part(m) for m in metrics if m.get("kind") == "severity"][:top]
    text = []
    if ops:
        text.append("In the response's resources and operations, the runs where it fails have "
                    + "; ".join(ops) + " than the runs where it holds (an association across "
                    "the runs, not a proven cause).")
    if sev:
        text.append("How severe the failing runs were (consequences of the disaster, not "
                    "causes of the failure): " + "; ".join(sev) + ".")
    return " ".join(text)


_SKIP_METRICS = ("metric.relief_p", "metric.events", "metric.simpy_events", "metric.population",
                 "metric.needing_relief", "metric.relieved")


def metric_contrast(table: pd.DataFrame, fails: np.ndarray, top: int = 8
                    ) -> list[dict[str, Any]]:
    """The run metrics that differ most between runs where a target fails and where it holds.

    Each carries its ``kind`` (:mod:`sim.study.metric_kinds`): ``operations`` (resources and
    operations of the response) or ``severity`` (consequences of the disaster's severity, to be
    read as how severe the failing runs were, not as causes); outcome and bookkeeping metrics
    are left out. Ranked by the absolute standardised difference of means (difference over the
    standard deviation across all runs), the ``top`` of each kind kept; metrics that are
    undefined in most runs of either group are left out.
    """
    out: list[dict[str, Any]] = []
    f = np.asarray(fails, dtype=bool)
    if f.sum() < 3 or (~f).sum() < 3:
        return []
    from sim.study.metric_kinds import metric_kind, metric_words

    for c in table.columns:
        if not c.startswith("metric.") or c.startswith(_SKIP_METRICS):
            continue
        try:
            kind: str = metric_kind(c)
        except KeyError:
            kind = "unclassified"
        if kind in ("outcome", "bookkeeping"):
            continue
        v = table[c].to_numpy(dtype=float)
        v = np.where(np.isfinite(v), v, np.nan)
        a, b = v[f], v[~f]
        if np.isnan(a).mean() > 0.5 or np.isnan(b).mean() > 0.5:
            continue
        sd = float(np.nanstd(v))
        if not sd > 0:
            continue
        eff = (float(np.nanmean(a)) - float(np.nanmean(b))) / sd
        out.append({"metric": c.removeprefix("metric."), "median_holds": float(np.nanmedian(b)),
                    "median_fails": float(np.nanmedian(a)), "mean_holds": float(np.nanmean(b)),
                    "mean_fails": float(np.nanmean(a)), "effect": eff, "kind": kind,
                    "words": metric_words(c), "words_zh": metric_words(c, "zh")})
    out.sort(key=lambda r: -abs(float(r["effect"])))
    seen: dict[str, int] = {}
    kept = []
    for r in out:
        seen[r["kind"]] = seen.get(r["kind"], 0) + 1
        if seen[r["kind"]] <= top:
            kept.append(r)
    return kept


def failure_section(study: Study, target_id: str, label: str) -> tuple[dict[str, Any],
                                                                     Discovery]:
    """When a target fails: its PRIM box with sources, in words, and the metrics that differ."""
    from sim.study.discovery import discover

    d = discover(study, target_id)
    fails = ~study.table[f"met.{target_id}"].to_numpy(dtype=bool)
    doc = d.to_dict()
    doc.pop("trajectory", None)
    if doc.get("box"):
        for r in doc["box"]["restrictions"]:
            r["words"] = r.get("words") or describe_input(r["input"])
            src = provenance(study.scenario, r["input"])
            r["source"] = src
            r["source_kind"] = source_kind(src)
    doc["plain"] = plain_failure(d, label)
    doc["significant"] = d.box is not None and _significant(d.box)
    doc["conditions"] = failure_conditions(d) if doc["significant"] else []
    ok = success_box(study, target_id)
    doc["holds_when"] = plain_success(study, target_id, label, ok)
    doc["holds_when_box"] = (None if ok is None or ok.box is None else  # for other languages
                             {"runs": ok.runs, "holds": ok.cases, "base_rate": ok.base_rate,
                              "box": ok.box.to_dict()})
    doc["metrics"] = metric_contrast(study.table, fails)
    doc["metrics_plain"] = metric_sentence(doc["metrics"])
    return doc, d
