"""What would make it hold: the cheapest combination of levers, found by a search on CRN runs.

For a chosen set of targets and a goal probability, the search looks for the cheapest candidate
(one level per lever of a :class:`~sim.study.levers.LeverSpace`) such that P(all chosen targets
hold) reaches the goal. A run holds when every chosen target is met or does not apply in it.

* **Search.** Candidates are proposed by Optuna (Akiba et al. 2019): its TPE sampler with the
  goal as a constraint (cost minimised subject to ``goal - P <= 0``), or, when the whole space
  fits in the budget, every candidate in order of cost. The baseline (nothing
  changed) and the top (every lever at its largest level) are evaluated first. Every candidate is
  a study of ``runs`` runs on the *same* seeds (common random numbers, as
  :mod:`sim.study.capacity`), so candidates differ by their levers, not by their luck. No shape
  of P against the levers is assumed (more shelter places can be worse).
* **Pruning.** The cheapest of a few dozen candidates sampled in a large space carries levers
  that do nothing. Before its fresh check, each candidate reaching the goal is pruned
  (:class:`Pruning`): its changes, dearest first, are lowered one at a time (to nothing, else
  by bisecting a step lever's steps), and a lower level is kept only when the candidate still
  reaches the goal on the same search runs (the search's own rule; every lowered level is
  evaluated, none presumed). Pruning evaluations go through the search's cache and count in
  its budget (up to ``prune`` of them are reserved out of the search's runs). When the pruned
  candidate falls short on the fresh runs, the candidate as found is checked next.
* **Fresh check.** The cheapest candidates whose estimate reaches the goal on the search runs
  are checked, in order of cost, on ``fresh_runs`` runs with seeds the search never used (spawn
  keys from :data:`FRESH_KEY`): a candidate is the answer only when the lower end of its Wilson
  interval on those runs reaches the goal. Picking the best of many noisy estimates flatters
  it; the fresh runs do not know which candidate was picked.
* **Ceiling.** When no candidate passes, the top candidate is run on the fresh runs: its P is
  the most the levers were seen to give (a finding: the goal is out of reach of these levers),
  with what bounds it: the target's bound from the scenario's inputs where one is known
  (:mod:`sim.target_bounds`) and the conditions under which the target still fails at the top
  (scenario discovery, :func:`sim.study.discovery.discover`).
* **Budget and resuming.** ``budget`` counts every run, the fresh checks included (their runs
  are reserved up front). Every evaluated candidate is appended to ``evaluations.jsonl`` in the
  output directory as soon as it is known, so a killed search resumes where it stopped (the
  sampler is rebuilt from the stored candidates), and a search for another goal or budget in
  the same directory reuses every stored candidate and fresh check. Runs go to the study
  executors (local processes or Dask, :mod:`sim.study.executors`).
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.schema import Scenario
from sim.study.executors import ExecutorInfo, open_executor
from sim.study.levers import LeverSpace, StepLever, load_levers
from sim.study.stats import Interval, wilson

__all__ = ["FRESH_KEY", "Evaluation", "SearchResult", "TargetAnswer", "format_search",
           "Pruning", "pareto_front", "search"]

FRESH_KEY = 1_000_000_000
"""Spawn key of the first fresh run: the search's own runs use keys 0 to ``runs - 1``."""

LOG = "evaluations.jsonl"
MANIFEST = "search.json"
_REUSABLE = ("budget", "goal", "checks")
"""Arguments a stored search may be resumed with changed: its evaluations are counts of runs
that held, whatever the goal, so a search for another goal reuses them."""
MAX_REPEATS = 200
"""Stop when the sampler proposes this many already evaluated candidates in a row."""


@dataclass(frozen=True)
class Evaluation:
    """One candidate evaluated on one set of runs.

    Attributes
    ----------
    levels : tuple of int
        One level per lever (0: unchanged).
    cost : float
    phase : str
        ``search`` (the CRN runs) or ``fresh`` (runs the search never used).
    runs, held : int
        Runs, and runs in which every chosen target held.
    per_target : dict of str to int
        Runs in which each chosen target held.
    note : str
        For a fresh check of the top candidate: what bounds it (empty otherwise).
    notes : dict of str to str
        The same, per target that fails at the top.
    """

    levels: tuple[int, ...]
    cost: float
    phase: str
    runs: int
    held: int
    per_target: dict[str, int] = field(default_factory=dict)
    note: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    def p(self, confidence: float = 0.95) -> Interval:
        """P(all chosen targets hold) with its Wilson interval."""
        return wilson(self.held, self.runs, confidence)

    def p_of(self, target: str | None, confidence: float = 0.95) -> Interval:
        """P(one target holds) with its Wilson interval (None: all chosen targets together)."""
        if target is None:
            return self.p(confidence)
        return wilson(self.per_target.get(target, 0), self.runs, confidence)

    def held_of(self, target: str | None) -> int:
        """Runs in which one target held (None: all chosen targets together)."""
        return self.held if target is None else self.per_target.get(target, 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"levels": list(self.levels), "cost": self.cost, "phase": self.phase,
                "runs": self.runs, "held": self.held, "per_target": self.per_target,
                "note": self.note, "notes": self.notes}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evaluation:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(int(x) for x in d["levels"]), float(d["cost"]), str(d["phase"]),
                   int(d["runs"]), int(d["held"]),
                   {str(k): int(v) for k, v in dict(d.get("per_target") or {}).items()},
                   str(d.get("note") or ""),
                   {str(k): str(v) for k, v in dict(d.get("notes") or {}).items()})


@dataclass(frozen=True)
class Pruning:
    """A candidate as the search found it, and what pruning left of it.

    Attributes
    ----------
    found : Evaluation
        The candidate as sampled, on the search runs.
    pruned : Evaluation
        The candidate with every change that was not needed lowered, on the same runs (the
        same as ``found`` when nothing could be lowered).
    evaluations : int
        Candidates evaluated for this pruning that were not already in the cache.
    complete : bool
        False when the budget ran out before every change was tried.
    """

    found: Evaluation
    pruned: Evaluation
    evaluations: int
    complete: bool

    @property
    def changed(self) -> bool:
        """Whether pruning lowered anything."""
        return self.pruned.levels != self.found.levels

    @property
    def saved(self) -> float:
        """Cost saved by pruning."""
        return self.found.cost - self.pruned.cost

    def lowered(self) -> list[tuple[int, int, int]]:
        """``(lever, level found, level kept)`` of each lever pruning lowered."""
        return [(i, a, b) for i, (a, b) in
                enumerate(zip(self.found.levels, self.pruned.levels, strict=True)) if a != b]

    def to_dict(self, space: LeverSpace | None = None) -> dict[str, Any]:
        """JSON-ready mapping; with ``space``, the changes dropped or lowered in plan terms."""
        out: dict[str, Any] = {
            "found_levels": list(self.found.levels), "found_cost": self.found.cost,
            "found_held": self.found.held, "found_per_target": dict(self.found.per_target),
            "levels": list(self.pruned.levels), "cost": self.pruned.cost,
            "saved": self.saved, "evaluations": self.evaluations, "complete": self.complete,
            "lowered": [{"lever": i, "from": a, "to": b} for i, a, b in self.lowered()]}
        if space is not None:
            out["found_changes"] = space.changes(self.found.levels)
            out["dropped"] = _dropped(space, self)
        return out


def _dropped(space: LeverSpace, p: Pruning) -> list[dict[str, Any]]:
    """The changes pruning removed or reduced, in plan terms, with the cost each saved."""
    out = []
    for i, a, b in p.lowered():
        one = [0] * len(p.found.levels)
        one[i] = a
        was = space.changes(one)[0]
        one[i] = b
        kept = space.changes(one) if b else []
        lv = space.levers.levers[i]
        out.append({**was, "kept": kept[0] if kept else None,
                    "saved": float(lv.cost(a) - lv.cost(b))})
    return out


@dataclass
class TargetAnswer:
    """The answer of a search for one chosen target alone, from the same evaluations.

    Attributes
    ----------
    target : str
    answer : Evaluation or None
        The cheapest candidate whose fresh interval for this target reaches the goal.
    checks : list of Evaluation
        Fresh checks consulted, cheapest first (shared with the other answers).
    ceiling : Evaluation or None
        The top candidate on the fresh runs, when no candidate passed.
    unchecked : int
        Candidates that reached the goal on the search runs but could not be checked on fresh
        runs within the budget.
    pruning : Pruning or None
        How the answer was pruned from the candidate the search found (None when it was not
        pruned).
    """

    target: str
    answer: Evaluation | None
    checks: list[Evaluation]
    ceiling: Evaluation | None
    unchecked: int = 0
    pruning: Pruning | None = None


@dataclass
class SearchResult:
    """What a search found.

    Attributes
    ----------
    scenario : str
    targets : list of str
    goal : float
    runs, fresh_runs, seed, budget : int
    runs_used : int
        Runs spent, search and fresh checks together.
    currency : str
    evaluated : list of Evaluation
        Every candidate evaluated on the search runs, in order.
    checks : list of Evaluation
        Candidates run on the fresh runs, in order (the last may be the ceiling).
    answer : Evaluation or None
        The cheapest candidate whose fresh interval's lower end reaches the goal.
    ceiling : Evaluation or None
        The top candidate on the fresh runs, when no candidate passed.
    descriptions : dict
        Levels (as a string key) to the changes in words.
    sampler : str
    confidence : float
    each : dict of str to TargetAnswer
        With ``each=True``: the answer for each chosen target alone, from the same candidate
        evaluations and fresh checks.
    pruning : Pruning or None
        How the plan's answer was pruned from the candidate the search found.
    prunings : list of Pruning
        Every pruning made (of the candidates checked on fresh runs), in order.
    """

    scenario: str
    targets: list[str]
    goal: float
    runs: int
    fresh_runs: int
    seed: int
    budget: int
    runs_used: int
    currency: str
    evaluated: list[Evaluation]
    checks: list[Evaluation]
    answer: Evaluation | None
    ceiling: Evaluation | None
    descriptions: dict[str, list[str]]
    sampler: str
    confidence: float = 0.95
    each: dict[str, TargetAnswer] = field(default_factory=dict)
    pruning: Pruning | None = None
    prunings: list[Pruning] = field(default_factory=list)

    @property
    def baseline(self) -> Evaluation | None:
        """The unchanged scenario on the search runs."""
        return next((e for e in self.evaluated if not any(e.levels)), None)

    def front(self, target: str | None = None) -> list[Evaluation]:
        """The cost-against-P(holds) front of the evaluated candidates (:func:`pareto_front`).

        For one chosen target with ``target``, else for all of them together.
        """
        return pareto_front(self.evaluated, target)

    def words(self, e: Evaluation) -> str:
        """The changes of a candidate, in words."""
        parts = self.descriptions.get(_key(e.levels), [])
        return "; ".join(parts) if parts else "nothing changed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        def ev(e: Evaluation | None) -> dict[str, Any] | None:
            if e is None:
                return None
            return {**e.to_dict(), "p_holds": e.p(self.confidence).to_dict(),
                    "changes": self.descriptions.get(_key(e.levels), [])}

        return {
            "scenario": self.scenario, "targets": self.targets, "goal": self.goal,
            "runs": self.runs, "fresh_runs": self.fresh_runs, "seed": self.seed,
            "budget": self.budget, "runs_used": self.runs_used, "currency": self.currency,
            "sampler": self.sampler, "confidence": self.confidence,
            "answer": ev(self.answer), "ceiling": ev(self.ceiling),
            "baseline": ev(self.baseline),
            "checks": [ev(e) for e in self.checks],
            "front": [ev(e) for e in self.front()],
            "evaluated": [ev(e) for e in self.evaluated],
            "statement": self.statement(),
            "each": {t: {"target": t, "answer": ev(a.answer), "ceiling": ev(a.ceiling),
                         "checks": [ev(e) for e in a.checks], "unchecked": a.unchecked,
                         "pruning": _prune_doc(a.pruning, self.descriptions)}
                     for t, a in self.each.items()},
            "pruning": _prune_doc(self.pruning, self.descriptions),
        }

    def statement(self) -> str:
        """The answer in a paragraph, as a plan owner reads it."""
        tg = " and ".join(self.targets)
        cur = self.currency
        head = f"{tg} at P >= {self.goal:g}: "
        base = self.baseline
        if base is not None:
            b = base.p(self.confidence)
            head += (f"now {b.estimate:.3f} [{b.low:.3f}, {b.high:.3f}] on {base.runs} runs; ")
        tail = (f" ({len(self.evaluated)} candidates on {self.runs} common-random-number runs "
                f"each, {self.runs_used:,} runs of a budget of {self.budget:,})")
        if self.answer is not None:
            a = self.answer.p(self.confidence)
            n = len(self.checks)
            order = (f" (checked after {n - 1} cheaper candidate(s) fell short on the same fresh "
                     "runs)" if n > 1 else "")
            pr = self.pruning
            pruned = ""
            if pr is not None and pr.changed:
                pruned = (f" (pruned from the candidate found, {cur} {pr.found.cost:,.0f}: "
                          f"{len(pr.lowered())} change(s) dropped or lowered, saving {cur} "
                          f"{pr.saved:,.0f})")
            return (head + f"the cheapest combination found, {cur} {self.answer.cost:,.0f}: "
                    f"{self.words(self.answer)}, holds with P {a.estimate:.3f} "
                    f"[{a.low:.3f}, {a.high:.3f}] on {self.answer.runs} fresh runs" + pruned
                    + order + tail)
        if self.ceiling is not None:
            c = self.ceiling.p(self.confidence)
            rejected = [e for e in self.checks if e is not self.ceiling and
                        e.levels != self.ceiling.levels]
            rej = ""
            if rejected:
                rej = (f"{len(rejected)} candidate(s) that reached the goal on the search runs "
                       "fell short on fresh runs; ")
            found = ("no combination of these levers is shown to reach the goal" if not
                     c.low >= self.goal else "every lever at its largest level reaches it")
            return (head + rej + f"{found}: with every lever at its largest level ({cur} "
                    f"{self.ceiling.cost:,.0f}) P is {c.estimate:.3f} [{c.low:.3f}, "
                    f"{c.high:.3f}] on {self.ceiling.runs} fresh runs (the ceiling)"
                    + (f"; {self.ceiling.note}" if self.ceiling.note else "") + tail)
        return head + "no candidate could be checked on fresh runs within the budget" + tail


def _prune_doc(p: Pruning | None, descriptions: dict[str, list[str]]
               ) -> dict[str, Any] | None:
    if p is None:
        return None
    return {**p.to_dict(), "found_changes": descriptions.get(_key(p.found.levels), [])}


def _key(levels: Sequence[int]) -> str:
    return ",".join(str(int(k)) for k in levels)


def pareto_front(evals: Sequence[Evaluation], target: str | None = None) -> list[Evaluation]:
    """Non-dominated candidates, by increasing cost.

    A candidate is on the front when no other costs no more and holds no less often (on the
    same runs), with one of the two strictly. P is that of all chosen targets together, or of
    ``target`` alone.
    """
    order = sorted(evals, key=lambda e: (e.cost, -e.held_of(target) / max(e.runs, 1)))
    out: list[Evaluation] = []
    best = -1.0
    for e in order:
        p = e.held_of(target) / max(e.runs, 1)
        if p > best:
            out.append(e)
            best = p
    return out


# -- evaluating a candidate ------------------------------------------------------------------
def _bound_words(space: LeverSpace, sc: Scenario, targets: Sequence[str], study: Any) -> str:
    """What bounds P at the top: the targets' bounds, and where each still fails."""
    return "; ".join(_bound_notes(sc, targets, study).values())


def _bound_notes(sc: Scenario, targets: Sequence[str], study: Any) -> dict[str, str]:
    """Per target: its bound from the scenario's inputs, and where it still fails at the top."""
    from sim.study.discovery import discover
    from sim.targets import target_bound

    out: dict[str, str] = {}
    by_id = {t.id: t for t in sc.targets}
    for t in targets:
        parts = []
        b = target_bound(by_id[t], sc)
        if b is not None and (b.inputs or b.resolution):
            parts.append(f"{t}: bounded by {b.resolution or b.inputs}"
                         + (f" (value at most {b.high:g})" if b.high is not None else ""))
        met = study.table[f"met.{t}"].to_numpy(dtype=bool)
        if not met.all():
            try:
                d = discover(study, t)
            except Exception as exc:  # noqa: BLE001 - discovery is a description, not the answer
                parts.append(f"{t}: failure conditions not found ({type(exc).__name__})")
            else:
                what = f"{t} fails in {1 - met.mean():.0%} of these runs ({_values(study, t)})"
                # failing everywhere, how far the value stays from the line says more
                parts.append(what if not met.any() else f"{what}; {_conditions(d)}")
        if parts:
            out[t] = "; ".join(parts)
    return out


MIN_LIFT = 1.25
"""A failure box is reported only if it fails this many times as often as the runs overall,
or holds less than :data:`MAX_MASS` of the runs."""
MAX_MASS = 0.8


def _conditions(d: Any) -> str:
    """Discovery's statement, or that it found nothing, when its box is nearly every run.

    PRIM always returns a box; one that holds most runs and fails hardly more often than the
    runs overall (Shicheng's ceiling: 96 % of runs, failing in 83 % against 81 %) names no
    condition of failure, and is not reported as one.
    """
    box = d.box
    if box is None or not d.base_rate:
        return str(d.statement)
    lift = box.density / d.base_rate
    if box.mass >= MAX_MASS and lift < MIN_LIFT:
        return (f"no condition of its failures was found (the best box of runs holds "
                f"{box.mass:.0%} of them and fails in {box.density:.0%}, against "
                f"{d.base_rate:.0%} overall)")
    return str(d.statement)


def _values(study: Any, target: str) -> str:
    """The target's value over the runs against its threshold, in words."""
    v = study.table[f"value.{target}"].to_numpy(dtype=float)
    thr = study.table.get(f"threshold.{target}")
    v = v[np.isfinite(v)]
    if not len(v):
        return "it applies in none"
    q5, q50, q95 = np.percentile(v, [5, 50, 95])
    line = ""
    if thr is not None and np.isfinite(thr.to_numpy(dtype=float)).any():
        line = f" against {float(np.nanmedian(thr.to_numpy(dtype=float))):.4g}"
    return (f"value median {q50:.4g}, 5-95 % {q5:.4g}-{q95:.4g}, range {v.min():.4g}-"
            f"{v.max():.4g}{line}")


def _run_rows(sc: Scenario, seed: int, first: int, n: int, info: ExecutorInfo,
              targets: Sequence[str]) -> tuple[int, dict[str, int], list[dict[str, Any]]]:
    """Run ``first..first+n-1`` of a scenario on the executor; count the runs that held.

    The rows are those :func:`sim.study.runner.run_study` gives, without building its table.
    Returns the runs where every target held, the runs where each held, and the rows.
    """
    from sim.study.runner import execute
    from sim.study.tasks import RunSpec, Task, TaskResult

    size = int(min(64, max(1, -(-n // (4 * max(info.workers, 1))))))
    specs = [RunSpec(i, first + i) for i in range(n)]
    tasks = [Task(sc, seed, tuple(specs[i:i + size])) for i in range(0, n, size)]
    held = 0
    per = dict.fromkeys(targets, 0)

    rows: list[dict[str, Any]] = []

    def done(_: Task, r: TaskResult) -> None:
        nonlocal held
        rows.extend(r.rows)
        for row in r.rows:
            ok = [bool(row[f"met.{t}"]) for t in targets]
            held += all(ok)
            for t, m in zip(targets, ok, strict=True):
                per[t] += m

    execute(tasks, info, done)
    return held, per, rows


# -- the search ------------------------------------------------------------------------------
def _read_log(path: Path) -> list[Evaluation]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            out.append(Evaluation.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            break  # a line cut short by a kill: what follows it cannot be trusted
    return out


def _append(path: Path | None, e: Evaluation) -> None:
    if path is None:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(e.to_dict()) + "\n")
        fh.flush()


def _open_store(out: str | Path | None, manifest: dict[str, Any]) -> tuple[Path | None,
                                                                           list[Evaluation]]:
    if out is None:
        return None, []
    d = Path(out)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{d}: cannot make the search directory: "
                         f"{exc.strerror or exc}") from None
    m = d / MANIFEST
    if m.exists():
        try:
            old = json.loads(m.read_text(encoding="utf-8"))
        except ValueError:
            raise ValueError(f"{m}: not a search manifest (JSON expected)") from None
        diff = sorted(k for k in manifest if k not in _REUSABLE and old.get(k) != manifest[k])
        if diff:
            raise ValueError(f"{d} holds another search (different {', '.join(diff)}); "
                             "give another --out or the same arguments")
    elif any(d.iterdir()):
        raise ValueError(f"{d} is not empty and holds no search")
    m.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    log = d / LOG
    done = _read_log(log)
    if log.exists():  # drop a line cut short by a kill, so that new lines follow good ones
        tmp = log.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(e.to_dict()) + "\n" for e in done), encoding="utf-8")
        tmp.replace(log)
    return log, done


def _sampler(kind: str, space: LeverSpace, evaluations_left: int, seed: int) -> tuple[Any, str]:
    """Optuna's TPE sampler, or None for every candidate in order of cost (``brute``)."""
    import optuna

    if kind == "auto":
        kind = "brute" if space.size <= evaluations_left else "tpe"
    if kind == "brute":
        return None, kind
    if kind != "tpe":
        raise ValueError(f"sampler must be auto, tpe or brute, got {kind!r}")

    return optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                      n_startup_trials=10), kind


def search(scenario: Scenario | str | Path, levers: LeverSpace | str | Path,
           targets: Sequence[str], goal: float = 0.9, *, runs: int = 100, budget: int = 3000,
           seed: int = 0, fresh_runs: int | None = None, checks: int = 3,
           sampler: str = "auto", out: str | Path | None = None, workers: int | None = None,
           executor: Executor | ExecutorInfo | None = None, scheduler: str | None = None,
           dask_local: bool = False, progress: bool | None = None, confidence: float = 0.95,
           evaluate: Callable[[Sequence[int], int, int], tuple[int, dict[str, int]]]
           | None = None, each: bool = False, each_checks: int | None = None,
           prune: int = 0, known: Sequence[Evaluation] = ()) -> SearchResult:
    """Find the cheapest combination of levers that makes the chosen targets hold together.

    Parameters
    ----------
    scenario : Scenario or path
    levers : LeverSpace or path
        The levers (a file is read with :func:`sim.study.levers.load_levers`).
    targets : sequence of str
        Target ids; ``["all"]`` means every target of the scenario.
    goal : float
        P(all chosen targets hold) to reach, in (0, 1).
    runs : int
        Runs per candidate on the search's common random numbers.
    budget : int
        Runs in all, search and fresh checks (``checks + 1`` fresh evaluations are reserved).
    seed : int
        Root seed of every run (search runs: spawn keys ``0..runs-1``; fresh runs: from
        :data:`FRESH_KEY`).
    fresh_runs : int, optional
        Runs of each fresh check (default ``max(2 * runs, 100)``).
    checks : int
        Most candidates checked on fresh runs before the ceiling is stated.
    sampler : {'auto', 'tpe', 'brute'}
        Optuna's sampler (auto: every candidate when they fit in the budget, else TPE).
    out : path, optional
        Directory of the search (manifest and the evaluations log); an existing search there
        with the same arguments is resumed.
    workers, executor, scheduler, dask_local
        Where the runs go (:func:`sim.study.executors.open_executor`).
    progress : bool, optional
        Progress bar over the budget (default: when stderr is a terminal).
    confidence : float
        Confidence of the Wilson intervals.
    evaluate : callable, optional
        ``evaluate(levels, first_key, n) -> (held, per_target)`` in place of running studies (for
        tests of the search on a known response).
    each : bool
        Also answer for each chosen target alone, from the same candidate evaluations: its
        cheapest candidate reaching the goal on the search runs, confirmed on fresh runs (a
        fresh check already made for another answer is reused, as is the ceiling).
    each_checks : int, optional
        With ``each``: fresh checks reserved for the targets' answers beyond the plan's own,
        shared among the targets (default one per chosen target).
    prune : int
        Candidate evaluations reserved for pruning the candidates that reach the goal before
        their fresh checks (0: no pruning). The reserve is taken out of the search's own runs,
        at most half of them; pruning may also use what the search left.
    known : sequence of Evaluation
        Candidates already evaluated on the search runs (for instance the unchanged plan's
        study of runs ``0..runs-1``): taken into the cache and counted in the budget as if
        the search had run them.

    Returns
    -------
    SearchResult

    Raises
    ------
    ScenarioError
        For a bad scenario or levers file (located lines).
    ValueError
        For impossible arguments, or an output directory that holds another search.
    """
    try:
        import optuna
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("the search needs Optuna, the `search` extra") from exc

    from sim.scenario.loader import load_scenario
    from sim.study.store import scenario_hash

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    space = levers if isinstance(levers, LeverSpace) else load_levers(levers, scenario)
    ids = [t.id for t in base.targets]
    chosen = ids if list(targets) == ["all"] else list(dict.fromkeys(targets))
    unknown = [t for t in chosen if t not in ids]
    if unknown or not chosen:
        raise ValueError(f"unknown target(s) {unknown or '(none given)'}; known: "
                         f"{', '.join(ids)}")
    if not 0 < goal < 1:
        raise ValueError(f"the goal must be a probability in (0, 1), got {goal}")
    if runs < 1 or checks < 1:
        raise ValueError("runs and checks must be at least 1")
    fresh = int(fresh_runs) if fresh_runs is not None else max(2 * runs, 100)
    extra = (len(chosen) if each_checks is None else int(each_checks)) if each else 0
    if extra < 0:
        raise ValueError("each_checks must not be negative")
    reserve = fresh * (checks + 1 + extra)
    if budget < 2 * runs + reserve:
        raise ValueError(f"a budget of {budget:,} runs is too small: the baseline and the top "
                         f"take {2 * runs:,} and the fresh checks reserve {reserve:,} "
                         f"({checks + extra} + 1 checks of {fresh:,} runs); give at least "
                         f"{2 * runs + reserve:,}")
    manifest = {"scenario": base.name, "scenario_sha256": scenario_hash(base),
                "levers_sha256": space.digest, "targets": chosen, "goal": goal, "runs": runs,
                "fresh_runs": fresh, "seed": int(seed), "checks": checks, "budget": budget}
    if prune < 0:
        raise ValueError("prune must not be negative")
    log, done = _open_store(out, manifest)
    searched = {_key(e.levels): e for e in done if e.phase == "search"}
    fresh_done = {_key(e.levels): e for e in done if e.phase == "fresh"}
    used = sum(e.runs for e in done)
    for e in known:
        if e.phase != "search" or e.runs != runs or len(e.levels) != len(space.shape):
            raise ValueError(f"a known evaluation must be on the {runs} search runs of "
                             f"{len(space.shape)} levers")
        if _key(e.levels) not in searched:
            searched[_key(e.levels)] = e
            _append(log, e)
            used += e.runs
    room = max(budget - reserve - 2 * runs, 0)
    prune_reserve = min(int(prune) * runs, room // 2 // runs * runs)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names = [f"l{i}" for i in range(len(space.shape))]
    dists: dict[str, optuna.distributions.BaseDistribution] = {
        n: optuna.distributions.IntDistribution(0, k - 1)
        for n, k in zip(names, space.shape, strict=True)}

    def record(e: Evaluation) -> None:
        p = e.held / e.runs
        study.add_trial(optuna.trial.create_trial(
            params=dict(zip(names, e.levels, strict=True)), distributions=dists, value=e.cost,
            user_attrs={"p": p}, constraints={"goal": goal - p}))

    left = max((budget - reserve - prune_reserve - used) // runs, 0)
    smp, kind = _sampler(sampler, space, left + len(searched), int(seed) + len(searched))
    study = optuna.create_study(direction="minimize",
                                sampler=smp or optuna.samplers.RandomSampler(seed=int(seed)))
    for e in searched.values():
        record(e)

    descriptions: dict[str, list[str]] = {}
    show = sys.stderr.isatty() if progress is None else progress
    with ExitStack() as stack:
        info: ExecutorInfo | None = None
        if evaluate is None:
            info = executor if isinstance(executor, ExecutorInfo) else stack.enter_context(
                open_executor(workers, scheduler=scheduler, dask_local=dask_local,
                              executor=executor))
        bar = None
        if show:
            from tqdm import tqdm

            bar = stack.enter_context(tqdm(total=budget, initial=used, unit="run",
                                           desc=f"search {base.name}", file=sys.stderr))

        def run_candidate(levels: tuple[int, ...], first: int, n: int
                          ) -> tuple[int, dict[str, int], list[dict[str, Any]], Scenario | None]:
            """Run a candidate on runs ``first..first+n-1``: held counts, rows, scenario."""
            if evaluate is not None:
                held, per = evaluate(levels, first, n)
                return held, per, [], None
            assert info is not None
            sc = space.scenario_at(levels)
            return (*_run_rows(sc, int(seed), first, n, info, chosen), sc)

        def evaluated(levels: tuple[int, ...]) -> Evaluation:
            nonlocal used
            k = _key(levels)
            if k in searched:
                return searched[k]
            held, per, _, _ = run_candidate(levels, 0, runs)
            e = Evaluation(levels, space.cost(levels), "search", runs, held, per)
            searched[k] = e
            _append(log, e)
            used += runs
            if bar is not None:
                bar.update(runs)
                best = _cheapest_feasible(list(searched.values()), goal)
                bar.set_postfix_str(f"{len(searched)} candidates; cheapest at the goal: "
                                    + (f"{best.cost:,.0f}" if best else "none"))
            return e

        def tell(trial: Any, e: Evaluation) -> None:
            trial.set_user_attr("p", e.held / e.runs)
            trial.set_constraint("goal", goal - e.held / e.runs)
            study.tell(trial, e.cost)

        for levels in ((0,) * len(names), space.top):
            if _key(levels) not in searched and used + runs <= budget - reserve:
                record(evaluated(levels))
        repeats = 0
        if smp is None:  # every candidate, cheapest first
            for levels in sorted(itertools.product(*(range(k) for k in space.shape)),
                                 key=lambda lv: (space.cost(lv), lv)):
                if used + runs > budget - reserve - prune_reserve:
                    break
                evaluated(tuple(levels))
        while (smp is not None and used + runs <= budget - reserve - prune_reserve
               and len(searched) < space.size and repeats < MAX_REPEATS):
            trial = study.ask(dists)
            levels = tuple(int(trial.params[n]) for n in names)
            if _key(levels) in searched:
                repeats += 1
                tell(trial, searched[_key(levels)])
                continue
            repeats = 0
            tell(trial, evaluated(levels))

        # -- pruning: the changes a candidate does not need ------------------------------
        prune_room = max(budget - reserve - used, 0) if prune else 0
        prunings: list[Pruning] = []
        pruned_cache: dict[tuple[str | None, str], Pruning] = {}

        def pruned(cand: Evaluation, target: str | None) -> Pruning:
            """The candidate with each change it does not need lowered, dearest first."""
            nonlocal prune_room
            if (target, _key(cand.levels)) in pruned_cache:
                return pruned_cache[(target, _key(cand.levels))]
            cur, spent, complete = cand, 0, True

            def reaches(e: Evaluation) -> bool:  # the search's own rule
                return e.held_of(target) / e.runs >= goal

            def at(i: int, k: int) -> Evaluation | None:
                """``cur`` with lever ``i`` at level ``k`` (None: no budget left)."""
                nonlocal prune_room, spent
                lv = tuple(k if j == i else x for j, x in enumerate(cur.levels))
                if _key(lv) not in searched:
                    if prune_room < runs:
                        return None
                    prune_room -= runs
                    spent += 1
                return evaluated(lv)

            levers_ = space.levers.levers
            order = sorted((i for i, k in enumerate(cand.levels) if k),
                           key=lambda i: (-levers_[i].cost(cand.levels[i]), i))
            for i in order if prune else []:
                k = cur.levels[i]
                e = at(i, 0)
                if e is None:
                    complete = False
                    break
                if reaches(e):
                    cur = e
                    continue
                if not isinstance(levers_[i], StepLever):
                    continue
                lo, hi = 0, k  # lo falls short, hi (cur) reaches the goal: bisect
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    e = at(i, mid)
                    if e is None:
                        complete = False
                        break
                    if reaches(e):
                        hi, cur = mid, e
                    else:
                        lo = mid
                if not complete:
                    break
            p = Pruning(cand, cur, spent, complete)
            pruned_cache[(target, _key(cand.levels))] = p
            if prune:
                prunings.append(p)
            return p

        def candidates(ok: list[Evaluation], target: str | None, n: int,
                       can_check: Callable[[], bool] = lambda: True
                       ) -> Iterator[tuple[Evaluation, Pruning | None]]:
            """Up to ``n`` distinct candidates to check, cheapest found first.

            Each pruned one, then, should it fall short on fresh runs, the candidate as found
            (the caller stops at the first that passes). A candidate is pruned only when
            ``can_check()`` says a fresh check remains for what pruning gives.
            """
            seen: set[str] = set()
            given = 0
            for cand in ok:
                pr = pruned(cand, target) if prune and can_check() else None
                for e in ([pr.pruned, cand] if pr is not None else [cand]):
                    if given >= n:
                        return
                    if _key(e.levels) in seen:
                        continue
                    seen.add(_key(e.levels))
                    given += 1
                    yield e, (pr if pr is not None and e is pr.pruned and pr.changed
                              else None)

        # -- fresh checks, cheapest first ---------------------------------------------------
        checked: list[Evaluation] = []
        answer: Evaluation | None = None
        plan_pruning: Pruning | None = None

        def fresh_eval(levels: tuple[int, ...]) -> Evaluation:
            nonlocal used
            k = _key(levels)
            if k in fresh_done:
                return fresh_done[k]
            held, per, rows, sc = run_candidate(levels, FRESH_KEY, fresh)
            notes: dict[str, str] = {}
            if levels == space.top and rows and sc is not None and held < fresh:
                from sim.study.runner import Study, frame

                st = Study(sc, int(seed), frame(rows, sc), {}, None)
                notes = _bound_notes(sc, chosen, st)
            e = Evaluation(levels, space.cost(levels), "fresh", fresh, held, per,
                           "; ".join(notes.values()), notes)
            used += fresh
            if bar is not None:
                bar.update(fresh)
            fresh_done[k] = e
            _append(log, e)
            return e

        feasible = sorted((e for e in searched.values() if e.held / e.runs >= goal),
                          key=lambda e: (e.cost, -e.held))
        for cand, pr in candidates(feasible, None, checks):
            e = fresh_eval(cand.levels)
            checked.append(e)
            if e.p(confidence).low >= goal:
                answer, plan_pruning = e, pr
                break
        ceiling = None
        if answer is None:
            ceiling = fresh_eval(space.top)
            if not checked or checked[-1].levels != ceiling.levels:
                checked.append(ceiling)
            if ceiling.p(confidence).low >= goal:
                answer = ceiling
        answers: dict[str, TargetAnswer] = {}
        spare = extra

        def reaching(t: str) -> list[Evaluation]:
            """The candidates reaching the goal for ``t`` on the search runs, cheapest first."""
            return sorted((e for e in searched.values() if e.held_of(t) / e.runs >= goal),
                          key=lambda e: (e.cost, -e.held_of(t)))

        # The spare fresh checks go first to the targets with the cheapest candidates (the
        # unchanged plan first): a target already holding is not left unchecked for a dearer one.
        order = sorted(chosen if each else [],
                       key=lambda t: min((e.cost for e in reaching(t)), default=float("inf")))
        for t in order:
            mine: list[Evaluation] = []
            found: Evaluation | None = None
            found_pruning: Pruning | None = None
            unchecked = 0
            ok = reaching(t)
            # read when a candidate is about to be pruned: the spare checks left then
            for cand, pr in candidates(ok, t, checks, lambda: spare >= 1):  # noqa: B023
                if _key(cand.levels) not in fresh_done:
                    if spare < 1:
                        unchecked += 1
                        continue
                    spare -= 1
                e = fresh_eval(cand.levels)
                mine.append(e)
                if e.p_of(t, confidence).low >= goal:
                    found, found_pruning = e, pr
                    break
            top = None
            if found is None:
                top = fresh_eval(space.top)
                if top not in mine:
                    mine.append(top)
                if top.p_of(t, confidence).low >= goal:
                    found = top
            answers[t] = TargetAnswer(t, found, mine, top, unchecked, found_pruning)
        answers = {t: answers[t] for t in chosen if t in answers}
        for e in [*searched.values(), *checked, *(e for a in answers.values() for e in a.checks),
                  *(p.found for p in prunings)]:
            descriptions[_key(e.levels)] = space.describe(e.levels)

    return SearchResult(base.name, chosen, goal, runs, fresh, int(seed), budget, used,
                        space.levers.currency, list(searched.values()), checked, answer,
                        ceiling, descriptions, kind, confidence, answers, plan_pruning,
                        prunings)


def _cheapest_feasible(evals: Sequence[Evaluation], goal: float) -> Evaluation | None:
    ok = [e for e in evals if e.held / e.runs >= goal]
    return min(ok, key=lambda e: e.cost) if ok else None


def format_search(result: SearchResult) -> str:
    """The search's answer, its front and its checks, for the terminal."""
    cur = result.currency
    lines = [result.statement(), "", f"cost ({cur}) against P(holds) on the search runs "
             "(non-dominated candidates):"]
    for e in result.front():
        iv = e.p(result.confidence)
        lines.append(f"  {e.cost:>14,.0f}  {iv.estimate:.3f} [{iv.low:.3f}, {iv.high:.3f}]  "
                     f"{result.words(e)}")
    if result.checks:
        lines += ["", "fresh checks (runs the search never used):"]
        for e in result.checks:
            iv = e.p(result.confidence)
            ok = "passes" if iv.low >= result.goal else "falls short"
            lines.append(f"  {e.cost:>14,.0f}  {iv.estimate:.3f} [{iv.low:.3f}, {iv.high:.3f}] "
                         f"on {e.runs} runs: {ok}  ({result.words(e)})")
    return "\n".join(lines)

