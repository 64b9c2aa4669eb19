"""How many hand-made mutants of the engine and study core the test suite kills, before and after.

Issue 12 asks for the count of a sample of mutants that the suite kills before and after its
test fixes. The mutants are the patch files in ``benchmarks/mutants/`` (first line: what the
mistake is; the rest: a ``git apply`` patch of one line or two of ``sim/``). For each mutant and
each suite the script applies the patch, runs the test files chosen for the mutated module
(:data:`SELECTION`, the files that import it or run the engine through it; the same names for
both suites), and reverses the patch. A mutant is killed when a test that passes on the
unmutated code fails.

The "before" suite is ``tests/`` at commit ``fe7e511`` (the last commit before the issue-12
test fixes), extracted into ``tests_before/`` with its ``tests.`` imports pointed at
``tests_before.``; the "after" suite is the ``tests/`` of the tree. The unmutated baseline is
run lazily, test by test: when a mutant's first failing test has not been checked yet, it is
run on the unmutated code; a test failing there too (the old tests can fail on today's engine
for reasons unrelated to any mutant) is deselected for that suite, listed in the output, and
the mutant is run again. A run stopped at ``--timeout`` leaves its mutant undecided.

The two suites can run at the same time in two private worktrees (``--suites before`` in
one, ``--suites after`` in the other), each writing its own ``--log``.

It changes files under ``sim/``: run it only in a private worktree, never in a shared one::

    git worktree add --detach /tmp/mut HEAD
    cd /tmp/mut && nice -n 19 .../python benchmarks/mutants.py --json /tmp/mutants.json

It is a measurement, not a test: ``make test`` does not run it. Every run uses
``HYPOTHESIS_PROFILE=ci`` (derandomized), ``-x -q -p no:cacheprovider`` and ``-m ""``: the
tests marked slow run too (the "before" suite had no such marks; ``make test-slow`` is part of
the "after" suite that CI runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "benchmarks" / "mutants"
BEFORE_REF = "fe7e511"
SUITES = {"before": "tests_before", "after": "tests"}
TIMEOUT = -1
"""Exit code given to a pytest run stopped after ``--timeout`` seconds (undecided, not killed)."""

_RESPONSE = ["test_response_properties.py", "test_run_properties.py", "test_harm_timing.py",
             "test_flood_statistics.py", "test_results_tables.py", "test_warning_channels.py",
             "test_invariants.py", "test_result_readers.py"]
"""Files that import a module of ``sim.response`` (the ledger, evacuation): the tests of a
response module that no test imports by name."""

SELECTION: dict[str, list[str]] = {
    "sim/study/stats.py": ["test_study_stats.py", "test_capacity_search.py"],
    "sim/study/store.py": ["test_study_store.py", "test_results_fresh.py"],
    "sim/hazards/flood.py": ["test_flood.py"],
    "sim/hazards/common.py": ["test_flood.py", "test_landslide.py", "test_harm_timing.py"],
    "sim/hazards/typhoon.py": ["test_typhoon.py"],
    "sim/hazards/earthquake.py": ["test_earthquake.py"],
    "sim/hazards/landslide.py": ["test_landslide.py"],
    "sim/response/shelters.py": ["test_queueing.py", *_RESPONSE],
    "sim/response/evacuation.py": ["test_response_properties.py", "test_warning_channels.py"],
    "sim/response/ledger.py": _RESPONSE,
    "sim/response/medical.py": _RESPONSE,
    "sim/response/rescue.py": _RESPONSE,
    "sim/response/logistics.py": _RESPONSE,
    "sim/response/supply.py": _RESPONSE,
    "sim/response/air.py": _RESPONSE,
    "sim/response/network.py": _RESPONSE,
    "sim/results.py": ["test_flood_statistics.py", "test_harm_timing.py", "test_new_targets.py",
                       "test_invariants.py", "test_result_readers.py"],
    "sim/targets.py": ["test_targets.py", "test_new_targets.py", "test_basis.py",
                       "test_warning_channels.py", "test_zone_waits.py", "test_invariants.py",
                       "test_result_readers.py"],
}
"""Test files run for a mutant of each module: the files that import the module by name (for
a response module that none imports, those that import any ``sim.response`` module), and the
module's own ``test_<name>.py``. By file name, the same for both suites; a name missing from a
suite is skipped there (the new files of the "after" suite are part of what it adds). The files
that only reach a module through ``sim.run`` are left out: most of the suite would qualify,
and the machine could not run it 60 times."""


@dataclass
class Outcome:
    """One mutant under one suite."""

    killed: bool
    by: str | None
    """The first failing test (node id), or why the run ended otherwise."""
    seconds: float
    timed_out: bool = False
    """The run was stopped at the time limit before any test failed: undecided."""


@dataclass
class Mutant:
    """A patch file and what happened to it."""

    name: str
    what: str
    module: str
    results: dict[str, Outcome] = field(default_factory=dict)


def load_mutants(only: set[str] | None = None) -> list[Mutant]:
    """The patch files of :data:`MUTANTS`, in name order."""
    out = []
    for p in sorted(MUTANTS.glob("*.patch")):
        if only and p.stem not in only:
            continue
        text = p.read_text(encoding="utf-8")
        what = text.splitlines()[0].strip()
        m = re.search(r"^\+\+\+ b/(\S+)", text, re.M)
        if m is None:
            raise SystemExit(f"{p}: no '+++ b/FILE' line")
        if m.group(1) not in SELECTION:
            raise SystemExit(f"{p}: no test selection for {m.group(1)}")
        out.append(Mutant(p.stem, what, m.group(1)))
    return out


def prepare_before(tree: Path, ref: str) -> None:
    """Extract ``tests/`` at ``ref`` into ``tree/tests_before`` (imports pointed at it)."""
    dst = tree / SUITES["before"]
    if dst.exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(tree), "archive", ref, "tests"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        shutil.move(str(Path(tmp) / "tests"), dst)
    pattern = re.compile(r"\btests\.(conftest|strategies|study_helpers|cli_helpers|test_\w+)")
    for f in dst.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        f.write_text(pattern.sub(r"tests_before.\1", text), encoding="utf-8")


def pytest_run(tree: Path, suite: str, files: list[str], deselect: list[str], stop: bool,
               timeout: float) -> tuple[int, list[str], float]:
    """Run pytest on ``files`` of ``suite``; (exit code, failing node ids, seconds)."""
    d = SUITES[suite]
    paths = [f if "::" in f else f"{d}/{f}" for f in files
             if "::" in f or (tree / d / f).is_file()]
    if not paths:
        return 5, [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
               "-m", "", f"--junitxml={xml}"]
        if stop:
            cmd.append("-x")
        for node in deselect:
            cmd += ["--deselect", node]
        env = dict(os.environ, PYTHONPATH=str(tree), HYPOTHESIS_PROFILE="ci")
        t0 = time.monotonic()
        try:
            rc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True,
                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return TIMEOUT, [], time.monotonic() - t0
        seconds = time.monotonic() - t0
        failed: list[str] = []
        if xml.is_file():
            for case in ET.parse(xml).getroot().iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    path = case.get("classname", "").replace(".", "/")
                    failed.append(f"{path}.py::{case.get('name')}")
    return rc, failed, seconds


def git_apply(tree: Path, patch: Path, reverse: bool = False) -> None:
    """Apply (or reverse) a mutant's patch in ``tree``."""
    cmd = ["git", "-C", str(tree), "apply", *(["-R"] if reverse else []), str(patch)]
    subprocess.run(cmd, check=True)


def count(tree: Path, mutants: list[Mutant], suites: list[str], timeout: float,
          log: Path | None = None) -> dict[str, list[str]]:
    """Run every mutant under every suite; returns the tests that fail on the unmutated code.

    A baseline is run lazily: when a mutant's first failing test has not been seen yet, that
    test is run once on the unmutated code; if it fails there too it is deselected for the
    suite (and listed in the result) and the mutant is run again.
    """
    failing: dict[str, list[str]] = {s: [] for s in suites}
    passing: dict[str, set[str]] = {s: set() for s in suites}
    for m in mutants:
        patch = MUTANTS / f"{m.name}.patch"
        if subprocess.run(["git", "-C", str(tree), "apply", "--check", str(patch)],
                          capture_output=True).returncode:
            print(f"{m.name}: does not apply to this tree (the code changed); skipped",
                  flush=True)
            continue
        for s in suites:
            spent = 0.0
            while True:
                git_apply(tree, patch)
                try:
                    rc, failed, sec = pytest_run(tree, s, SELECTION[m.module], failing[s], True,
                                                 timeout)
                finally:
                    git_apply(tree, patch, reverse=True)
                spent += sec
                if rc == TIMEOUT:
                    outcome = Outcome(False, "timeout", round(spent, 1), timed_out=True)
                    break
                if rc in (0, 5) or not failed:
                    outcome = Outcome(rc not in (0, 5), None if rc in (0, 5) else
                                      (failed[0] if failed else f"exit {rc}"), round(spent, 1))
                    break
                test = failed[0]
                if test not in passing[s]:
                    rc0, _, _ = pytest_run(tree, s, [test], [], True, timeout)
                    if rc0 != 0:  # fails without the mutant too: not the mutant's doing
                        failing[s].append(test)
                        continue
                    passing[s].add(test)
                outcome = Outcome(True, test, round(spent, 1))
                break
            m.results[s] = outcome
            line = (f"{m.name} {s}: {'KILLED' if outcome.killed else 'survived'} "
                    f"{outcome.by or ''} ({spent:.0f} s)")
            print(line, flush=True)
            if log is not None:
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"mutant": m.name, "suite": s, **asdict(outcome),
                                         "baseline_failing": failing[s]}) + "\n")
    return failing


def main(argv: list[str] | None = None) -> int:
    """Run the count and print (and optionally save) the results."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--only", help="comma-separated mutant names (patch file stems)")
    ap.add_argument("--suites", default="before,after")
    ap.add_argument("--before-ref", default=BEFORE_REF)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per pytest run")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--log", type=Path, help="append one JSON line per mutant and suite here")
    args = ap.parse_args(argv)
    tree = ROOT
    git_dirs = [subprocess.run(["git", "-C", str(tree), "rev-parse", opt], capture_output=True,
                               text=True, check=True).stdout.strip()
                for opt in ("--absolute-git-dir", "--git-common-dir")]
    if Path(git_dirs[0]).resolve() == (tree / git_dirs[1]).resolve():
        print(f"{tree} is a main working tree; run this in a private one "
              "(git worktree add --detach DIR HEAD): it patches sim/", file=sys.stderr)
        return 2
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--", "sim"],
                           capture_output=True, text=True, check=True).stdout.strip()
    if dirty:
        print(f"{tree}: sim/ has uncommitted changes; run in a clean private worktree",
              file=sys.stderr)
        return 2
    mutants = load_mutants(set(args.only.split(",")) if args.only else None)
    suites = args.suites.split(",")
    if "before" in suites:
        prepare_before(tree, args.before_ref)
    failing = count(tree, mutants, suites, args.timeout, args.log)
    for s in suites:
        ran = [m for m in mutants if s in m.results]
        print(f"{s}: {sum(m.results[s].killed for m in ran)} of {len(ran)} killed; "
              f"failing without a mutant: {', '.join(failing[s]) or 'none'}")
    if args.json:
        args.json.write_text(json.dumps({
            "baseline_failing": failing,
            "mutants": [{**asdict(m), "results": {k: asdict(v) for k, v in m.results.items()}}
                        for m in mutants]}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
