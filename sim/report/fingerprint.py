"""Were the committed results made by the current code? A behavioural fingerprint of a report.

A plan report stores in ``report.json`` (key ``fingerprint``) the root seed and, for the first
:data:`RUNS` runs of its main study, every target's value and verdict, a few run metrics and a
hash of the run's drawn inputs. Run *i* of a study is reproducible alone (``sim.run(scenario,
SeedSequence(seed, spawn_key=(key,)))``, see :mod:`sim.study.runner`), so :func:`check_report`
re-runs just those runs with the code and scenario file of today and compares the numbers
exactly. Any change of the engine, the sampling or the scenario that moves a stored number shows
as a mismatch naming the scenario, the run and the value: the report is stale.

This is a test of behaviour, not a hash of the source: a refactoring that changes no number
leaves the results fresh; a change that moves one run's value makes them stale.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.study.runner import Study

__all__ = ["FORMAT", "METRICS", "RUNS", "Check", "check_report", "check_results",
           "fingerprint", "fingerprint_rows", "rerun_rows"]

FORMAT = "sim-fingerprint/1"
RUNS = 5
"""Runs of the study (its first ones) kept in the fingerprint."""

METRICS = ("population", "warned", "killed", "injured", "needing_relief", "relieved",
           "relief_p95_h", "shelter_peak_total", "deliveries")
"""Run metrics kept in the fingerprint besides every target's value and verdict."""


def _num(x: Any) -> float | None:
    """A JSON-exact number: ``None`` for NaN and infinities (as in ``report.json``)."""
    v = float(x)
    return v if math.isfinite(v) else None


def _draws_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 over the run's drawn inputs (``draw.<path>`` columns), exact float text."""
    draws = sorted((k, repr(float(v))) for k, v in row.items() if str(k).startswith("draw."))
    return hashlib.sha256(json.dumps(draws).encode()).hexdigest()


def fingerprint_rows(rows: Sequence[Mapping[str, Any]], seed: int) -> dict[str, Any]:
    """The fingerprint of runs given as study rows (:func:`sim.study.tasks.result_row`).

    Parameters
    ----------
    rows : sequence of mappings
        Rows of the study's first runs, in run order.
    seed : int
        The study's root seed.

    Returns
    -------
    dict
        ``format``, ``seed``, ``k`` and ``runs``: per run ``run``, ``key``, ``values``
        (target id to value, ``None`` when the target does not apply), ``met`` (target id to
        bool), ``metrics`` (name to value, those of :data:`METRICS` the run has) and
        ``draws_sha256``.
    """
    runs = []
    for row in rows:
        ids = [str(k)[len("value."):] for k in row if str(k).startswith("value.")]
        runs.append({
            "run": int(row["run"]),
            "key": int(row["key"]),
            "values": {t: _num(row[f"value.{t}"]) for t in ids},
            "met": {t: bool(row[f"met.{t}"]) for t in ids},
            "metrics": {m: _num(row[f"metric.{m}"]) for m in METRICS if f"metric.{m}" in row},
            "draws_sha256": _draws_hash(row),
        })
    return {"format": FORMAT, "seed": int(seed), "k": len(runs), "runs": runs}


def fingerprint(study: Study, k: int = RUNS) -> dict[str, Any]:
    """The fingerprint of a study's first ``k`` runs (see :func:`fingerprint_rows`)."""
    rows = [{str(c): v for c, v in r.items()} for r in study.table.iloc[:k].to_dict("records")]
    return fingerprint_rows(rows, study.seed)


def rerun_rows(scenario: Scenario, seed: int, runs: Sequence[tuple[int, int]]
               ) -> list[dict[str, Any]]:
    """Re-run single runs of a study, given as ``(run, key)`` pairs, and return their rows."""
    from sim.study.tasks import RunSpec, Task, run_task

    task = Task(scenario, int(seed), tuple(RunSpec(i, k) for i, k in runs))
    return run_task(task).rows


@dataclass
class Check:
    """The outcome of checking one report.

    Attributes
    ----------
    name : str
        The report's directory name (the scenario's name).
    status : str
        ``fresh``, ``stale``, ``no_fingerprint`` (a report written before fingerprints: cannot
        tell) or ``no_scenario`` (its scenario file is gone).
    problems : list of str
        One line per mismatch (or the reason the report cannot be checked).
    """

    name: str
    status: str
    problems: list[str] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        """Whether the report was verified to come from the current code and scenario."""
        return self.status == "fresh"

    def lines(self) -> list[str]:
        """Human-readable lines: a headline, then one line per problem."""
        head = {
            "fresh": f"{self.name}: fresh (the fingerprint's runs are reproduced exactly)",
            "stale": (f"{self.name}: STALE: the results were not generated by the current code "
                      "and scenario; regenerate them (make results)"),
            "no_fingerprint": (f"{self.name}: cannot tell: report.json has no fingerprint "
                               "(written before fingerprints); regenerate it (make results)"),
            "no_scenario": f"{self.name}: cannot tell: its scenario file is missing",
        }[self.status]
        return [head, *(f"  {p}" for p in self.problems)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def compare(stored: Mapping[str, Any], now: Mapping[str, Any], name: str) -> list[str]:
    """Every difference between a stored fingerprint and a fresh one, one line each."""
    out: list[str] = []
    if stored.get("seed") != now.get("seed"):
        out.append(f"{name}: seed {stored.get('seed')} stored, {now.get('seed')} now")
    fresh = {r["run"]: r for r in now["runs"]}
    for old in stored["runs"]:
        run = old["run"]
        new = fresh.get(run)
        if new is None:
            out.append(f"{name}: run {run}: not re-run")
            continue
        for part in ("values", "met", "metrics"):
            a, b = old.get(part, {}), new.get(part, {})
            for key in sorted(set(a) | set(b)):
                if key not in b:
                    out.append(f"{name}: run {run}: {part}.{key} = {a[key]!r} stored, "
                               "absent now")
                elif key not in a:
                    out.append(f"{name}: run {run}: {part}.{key} absent in the report, "
                               f"{b[key]!r} now")
                elif not _same(a[key], b[key]):
                    out.append(f"{name}: run {run}: {part}.{key} = {a[key]!r} stored, "
                               f"{b[key]!r} now")
        if old.get("draws_sha256") != new.get("draws_sha256"):
            out.append(f"{name}: run {run}: the drawn inputs differ (draws_sha256)")
    return out


def check_report(doc: Mapping[str, Any], scenario_file: str | Path, name: str | None = None
                 ) -> Check:
    """Re-run a report's fingerprint runs with the current code and compare exactly.

    Parameters
    ----------
    doc : mapping
        The report's JSON document.
    scenario_file : path
        The scenario file the report was made from (as it is now).
    name : str, optional
        Name used in messages (default: the scenario's name in the report).
    """
    from sim.scenario.loader import load_scenario
    from sim.study.store import file_hash

    label = name or str(doc.get("scenario", {}).get("name", "report"))
    fp = doc.get("fingerprint")
    if not fp:
        return Check(label, "no_fingerprint")
    path = Path(scenario_file)
    if not path.is_file():
        return Check(label, "no_scenario", [f"{path}: no such file"])
    problems = []
    stored_hash = doc.get("file_sha256")
    if stored_hash and stored_hash != file_hash(path):
        problems.append(f"{label}: {path} changed since the report was written (file_sha256)")
    sc = load_scenario(path)
    rows = rerun_rows(sc, int(fp["seed"]), [(int(r["run"]), int(r["key"])) for r in fp["runs"]])
    problems += compare(fp, fingerprint_rows(rows, int(fp["seed"])), label)
    return Check(label, "stale" if problems else "fresh", problems)


def check_results(results: str | Path, scenarios: str | Path,
                  only: Sequence[str] | None = None) -> list[Check]:
    """Check every report ``results/<name>/report.json`` against the scenario files.

    The scenario file of a report is ``scenarios/<file name recorded in the report>``.
    With ``only`` (scenario names or file stems), just those reports are checked.
    """
    out = []
    for p in sorted(Path(results).glob("*/report.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        facts = doc.get("scenario") or {}
        file = Path(str(facts.get("file") or f"{p.parent.name}.yaml"))
        if only is not None and p.parent.name not in only and file.stem not in only:
            continue
        out.append(check_report(doc, Path(scenarios) / file.name, p.parent.name))
    return out
