"""What would make it hold (何以达标): the cheapest combination of levers, per target and plan.

One search over combinations of the plan's levers (:func:`sim.study.search.search`, its
``each`` answers) for all the plan's simulated targets: every candidate's runs record each
target, so the answer for each target alone and for the plan as a whole (all of them holding
together in a run) come from the same candidate evaluations. Each distinct answer is confirmed
on fresh runs (the lower end of its interval reaches the goal); when none reaches the goal the
ceiling (every lever at its largest level, on fresh runs) and what bounds it are the finding.

The levers are found by name: ``levers/<scenario file stem>_levers.yaml`` beside the scenario
file (:func:`levers_file_for`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.study.executors import ExecutorInfo
    from sim.study.levers import LeverSpace
    from sim.study.search import Evaluation, SearchResult
    from sim.study.stats import Interval

__all__ = ["HoldSettings", "hold_analysis", "levers_file_for", "simulated_targets"]


@dataclass(frozen=True)
class HoldSettings:
    """Run counts of the search behind "what would make it hold".

    Attributes
    ----------
    goal : float
        P(holds) to reach.
    runs : int
        Common-random-number runs per candidate.
    fresh_runs : int
        Runs of each fresh check (seeds the search never used).
    checks : int
        Most candidates checked on fresh runs for the plan's answer (and for each target's).
    each_checks : int
        Fresh checks reserved for the targets' own answers beyond the plan's (shared).
    budget : int
        Runs in all, fresh checks included.
    prune : int
        Candidate evaluations reserved, out of the budget, for pruning the candidates that
        reach the goal of the changes they do not need (:func:`sim.study.search.search`).
    """

    goal: float = 0.9
    runs: int = 50
    fresh_runs: int = 100
    checks: int = 2
    each_checks: int = 3
    budget: int = 2000
    prune: int = 16


def levers_file_for(scenario_file: str | Path) -> Path:
    """The plan's levers file, found by name: ``levers/<stem>_levers.yaml`` beside it."""
    f = Path(scenario_file)
    return f.parent / "levers" / f"{f.stem}_levers.yaml"


def simulated_targets(summary: Any) -> list[str]:
    """Ids of the targets whose verdict is simulated and that applied in some run."""
    return [t.id for t in summary.targets
            if t.applicable and (t.basis is None or t.basis.kind == "simulated")]


def _iv(iv: Interval) -> dict[str, float]:
    return {"estimate": iv.estimate, "low": iv.low, "high": iv.high}


def _answer_doc(res: SearchResult, space: LeverSpace, target: str | None,
                label: str) -> dict[str, Any]:
    """One answer (a target alone, or the plan with ``target`` None) as plain data."""
    conf = res.confidence
    goal = res.goal
    if target is None:
        answer, ceiling, checks = res.answer, res.ceiling, res.checks
        unchecked = 0
    else:
        a = res.each[target]
        answer, ceiling, checks, unchecked = a.answer, a.ceiling, a.checks, a.unchecked
    base = res.baseline
    doc: dict[str, Any] = {
        "target": target, "label": label, "goal": goal,
        "p_now": _iv(base.p_of(target, conf)) if base is not None else None,
        "runs_now": base.runs if base is not None else 0,
        "unchecked": unchecked,
        "rejected": [_candidate(res, space, e, target) for e in checks
                     if e is not answer and e is not ceiling],
        "front": [_candidate(res, space, e, target) for e in res.front(target)],
    }
    pr = res.pruning if target is None else res.each[target].pruning
    doc["pruning"] = None
    if answer is not None:
        doc["status"] = "already" if not any(answer.levels) else "found"
        doc["answer"] = _candidate(res, space, answer, target)
        doc["ceiling"] = None
        if pr is not None and pr.changed:
            doc["pruning"] = {
                "found": _candidate(res, space, pr.found, target),
                "dropped": pr.to_dict(space)["dropped"],
                "saved": pr.saved, "evaluations": pr.evaluations, "complete": pr.complete}
    elif ceiling is not None:
        doc["status"] = "ceiling"
        doc["answer"] = None
        c = _candidate(res, space, ceiling, target)
        c["bound"] = (ceiling.notes.get(target, "") if target is not None
                      else _plan_bound(ceiling))
        best = max(res.evaluated, key=lambda e: (e.held_of(target), -e.cost))
        doc["best_searched"] = _candidate(res, space, best, target)
        doc["ceiling"] = c
    else:
        doc["status"] = "unchecked"
        doc["answer"] = doc["ceiling"] = None
    doc["statement"] = answer_statement(doc, res.currency)
    return doc


def _plan_bound(top: Evaluation) -> str:
    """The targets that still fail with every lever at its top, least often holding first."""
    short = sorted((k, t) for t, k in top.per_target.items() if k < top.runs)
    if not short:
        return ""
    return ("the targets that still fail there: " + ", ".join(
        f"{t} (holds in {k / top.runs:.0%} of the runs)" for k, t in short)
            + "; each one's bound is given with its own answer")


def _candidate(res: SearchResult, space: LeverSpace, e: Evaluation, target: str | None
               ) -> dict[str, Any]:
    return {"levels": list(e.levels), "cost": e.cost, "phase": e.phase, "runs": e.runs,
            "held": e.held_of(target), "p_holds": _iv(e.p_of(target, res.confidence)),
            "changes": space.changes(e.levels)}


def changes_words(c: Mapping[str, Any], lang: str = "en") -> str:
    """A candidate's changes in plan terms, in one language (``en`` or ``zh``)."""
    parts = [str(x[lang]) for x in c.get("changes") or []]
    if not parts:
        return "nothing changed" if lang == "en" else "不作调整"
    return "; ".join(parts)


def answer_statement(doc: Mapping[str, Any], currency: str) -> str:
    """One answer in a sentence, as a plan owner reads it."""
    goal = doc["goal"]
    now = doc.get("p_now")
    head = (f"now {now['estimate']:.3f} [{now['low']:.3f}, {now['high']:.3f}] on "
            f"{doc['runs_now']} search runs; " if now else "")
    rej = doc.get("rejected") or []
    rejected = (f" ({len(rej)} cheaper candidate(s) that reached {goal:.0%} on the search runs "
                "fell short on the fresh runs)" if rej else "")
    skipped = (f" ({doc['unchecked']} cheaper candidate(s) reached it on the search runs but "
               "were not checked on fresh runs within the budget)" if doc.get("unchecked")
               else "")
    if doc["status"] == "already":
        a = doc["answer"]["p_holds"]
        return (head + f"it already holds at {goal:.0%}: P {a['estimate']:.3f} [{a['low']:.3f}, "
                f"{a['high']:.3f}] on {doc['answer']['runs']} fresh runs" + rejected)
    if doc["status"] == "found":
        a = doc["answer"]
        p = a["p_holds"]
        return (head + f"the cheapest combination found, {currency} {a['cost']:,.0f}: "
                f"{changes_words(a)}, holds with P {p['estimate']:.3f} [{p['low']:.3f}, "
                f"{p['high']:.3f}] on {a['runs']} fresh runs" + _pruned_words(doc, currency)
                + rejected + skipped)
    if doc["status"] == "ceiling":
        c = doc["ceiling"]
        p = c["p_holds"]
        b = doc["best_searched"]
        bp = b["p_holds"]
        best = ("" if b["levels"] == c["levels"] else
                f"; the best candidate of the search, {currency} {b['cost']:,.0f}, gave "
                f"{bp['estimate']:.3f} on the search runs")
        return (head + f"no combination of the levers is shown to reach {goal:.0%}" + rejected
                + skipped + f": with every lever at its largest level ({currency} "
                f"{c['cost']:,.0f}) P is {p['estimate']:.3f} [{p['low']:.3f}, {p['high']:.3f}] "
                f"on {c['runs']} fresh runs (the ceiling){best}"
                + (f". What bounds it: {c['bound']}" if c.get("bound") else ""))
    return head + "no candidate could be checked on fresh runs within the budget"


def _pruned_words(doc: Mapping[str, Any], currency: str) -> str:
    """What pruning dropped from the candidate the search found, in a clause (or nothing)."""
    pr = doc.get("pruning")
    if not pr:
        return ""
    found = pr["found"]
    dropped = "; ".join(
        d["en"] + (f" (kept: {d['kept']['en']})" if d.get("kept") else " (dropped)")
        for d in pr["dropped"])
    return (f"; pruned from the combination the search found ({currency} "
            f"{found['cost']:,.0f}, {len(found['changes'])} changes), which also carried "
            f"changes the goal did not need: {dropped}, saving {currency} {pr['saved']:,.0f}")


def hold_analysis(sc: Scenario, file: str | Path, targets: Sequence[str],
                  labels: Mapping[str, str], settings: HoldSettings, *, seed: int = 0,
                  levers: str | Path | None = None, info: ExecutorInfo | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  dask_local: bool = False, progress: bool | None = None,
                  out: str | Path | None = None,
                  log: Callable[[str], None] | None = None,
                  known: Sequence[Evaluation] = ()) -> dict[str, Any]:
    """What would make each target, and the plan as a whole, hold at the goal.

    Parameters
    ----------
    sc : Scenario
        The scenario (the snapshot of ``file`` every analysis uses).
    file : path
        The scenario file (its levers file is found by name unless ``levers`` is given).
    targets : sequence of str
        The targets to answer for (the plan's simulated targets); the plan's answer is for all
        of them holding together in a run.
    labels : mapping
        A label per target for the sentences.
    settings : HoldSettings
    seed : int
        Root seed (the search runs are the study's first runs, on common random numbers).
    levers : path, optional
        The levers file (default :func:`levers_file_for`).
    info, workers, scheduler, dask_local, progress
        Where the runs go (:func:`sim.study.executors.open_executor`), and progress bars.
    out : path, optional
        Directory of the search's log (resumable); none by default.
    log : callable, optional
        Receives one line per answer.
    known : sequence of Evaluation
        Candidates already run on the search runs (the unchanged plan's study of its first
        ``settings.runs`` runs), reused by the search and counted in its budget.

    Returns
    -------
    dict
        ``status`` (``searched``, ``no_levers`` or ``no_targets``), the search's settings,
        ``plan`` and ``per_target`` answers (each ``already``, ``found``, ``ceiling`` or
        ``unchecked``, with cost, changes in plan terms (en/zh), P on fresh runs and the
        front, and ``pruning``: the combination the search found, the changes pruning
        dropped or lowered and the cost saved, or None), and ``evaluated``: every
        candidate's cost and P per target and together.

    Raises
    ------
    ScenarioError
        For a bad levers file (located).
    ValueError
        For impossible settings.
    """
    from sim.study.levers import load_levers
    from sim.study.search import search

    path = Path(levers) if levers is not None else levers_file_for(file)
    shown = os.path.relpath(path) if path.is_absolute() else str(path)
    doc: dict[str, Any] = {"goal": settings.goal, "levers_file": shown.replace(os.sep, "/"),
                           "targets": list(targets), "plan": None, "per_target": []}
    if not path.is_file():
        doc["status"] = "no_levers"
        return doc
    if not targets:
        doc["status"] = "no_targets"
        return doc
    space = load_levers(path, sc)
    res = search(sc, space, list(targets), settings.goal, runs=settings.runs,
                 budget=settings.budget, seed=seed, fresh_runs=settings.fresh_runs,
                 checks=settings.checks, out=out, workers=workers, executor=info,
                 scheduler=scheduler, dask_local=dask_local, progress=progress, each=True,
                 each_checks=settings.each_checks, prune=settings.prune, known=known)
    from sim.study.stats import wilson

    full = wilson(res.fresh_runs, res.fresh_runs, res.confidence).low
    doc.update({
        "status": "searched", "fresh_can_show": full >= settings.goal,
        "fresh_best_low": full, "currency": res.currency, "runs": res.runs,
        "fresh_runs": res.fresh_runs, "budget": res.budget, "runs_used": res.runs_used,
        "sampler": res.sampler, "candidates": len(res.evaluated), "space_size": space.size,
        "prune": settings.prune,
        "pruning_evaluations": sum(p.evaluations for p in res.prunings),
        "levers": len(space.shape), "confidence": res.confidence,
        "plan": _answer_doc(res, space, None, "all simulated targets together"),
        "per_target": [_answer_doc(res, space, t, labels.get(t, t)) for t in targets],
        "evaluated": [{"levels": list(e.levels), "cost": e.cost, "runs": e.runs,
                       "held": e.held, "per_target": dict(e.per_target)}
                      for e in res.evaluated],
    })
    if log is not None:
        for a in [doc["plan"], *doc["per_target"]]:
            log(f"  hold {a['target'] or 'plan'}: {a['status']}"
                + (f", {res.currency} {a['answer']['cost']:,.0f}" if a.get("answer") else ""))
    return doc
