"""Result store: atomic Parquet parts, manifest, lock, and resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import sim
from sim.study import ResultStore, StoreError, Study, resume_study, run_study
from sim.study.store import scenario_hash
from tests.study_helpers import tiny_scenario, write_scenario


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return tiny_scenario()


def test_store_round_trip_and_manifest(tiny: sim.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "study"
    st = run_study(tiny, 30, 4, workers=1, batch_size=7, out=out, series=True, progress=False)
    names = sorted(p.name for p in out.iterdir())
    parts = [n for n in names if n.startswith("part-")]
    assert len(parts) == 5 and len([n for n in names if n.startswith("series-")]) == 5
    assert not [n for n in names if n.startswith(".tmp-")]
    m = json.loads((out / "manifest.json").read_text())
    assert m["seed"] == 4 and m["runs"] == 30 and m["status"] == "complete"
    assert m["scenario"]["sha256"] == scenario_hash(tiny)
    assert m["code"]["sim"] == sim.__version__
    assert m["stop"]["reason"] == "runs" and m["stop"]["runs"] == 30
    back = Study.open(out)
    pdt.assert_frame_equal(back.table, st.table)
    assert back.scenario == tiny
    assert back.series is not None and set(back.series["run"]) == set(range(30))
    assert back.summary().to_dict()["targets"] == st.summary().to_dict()["targets"]


def test_directory_with_a_study_or_other_files_is_refused(tiny: sim.Scenario,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "s"
    run_study(tiny, 5, 1, workers=1, out=out, progress=False)
    with pytest.raises(StoreError, match="already holds a study"):
        run_study(tiny, 5, 1, workers=1, out=out, progress=False)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty"):
        run_study(tiny, 5, 1, workers=1, out=other, progress=False)
    assert (other / "notes.txt").read_text() == "mine"


def _snapshot(d: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a directory with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(d.iterdir())}


def test_a_second_study_cannot_use_a_directory_in_use(tiny: sim.Scenario,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "s"
    run_study(tiny, 5, 1, workers=1, out=out, progress=False)
    holder = ResultStore.open(out)  # holds the lock, as a running study does
    try:
        # A part the running study is writing: the refused resume must not clean it up.
        (out / ".tmp-part-00000005-n5.parquet-1").write_bytes(b"PAR1 being written")
        before = _snapshot(out)
        with pytest.raises(StoreError, match="in use"):
            resume_study(out, runs=10, workers=1, progress=False)
        assert _snapshot(out) == before  # same files, same bytes, same modification times
        assert "pid" in (out / ".lock").read_text()  # the holder still named in the lock
    finally:
        holder.close()
    st = resume_study(out, runs=10, workers=1, progress=False)  # free again
    assert st.runs == 10
    assert not list(out.glob(".tmp-*"))  # what the holder left is cleaned up once it is free


def test_resume_extends_and_checks_the_scenario(tiny: sim.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "s"
    run_study(tiny, 12, 9, workers=1, out=out, progress=False)
    longer = resume_study(out, runs=30, workers=2, progress=False)
    fresh = run_study(tiny, 30, 9, workers=1, progress=False)
    pdt.assert_frame_equal(longer.table, fresh.table)
    with pytest.raises(ValueError, match="already asked for"):
        resume_study(out, runs=20, workers=1, progress=False)
    changed = sim.scenario.overrides.apply_overrides(tiny, {"zones[0].population": 700})
    with pytest.raises(StoreError, match="differs"):
        resume_study(out, scenario=changed, workers=1, progress=False)
    with pytest.raises(StoreError, match="holds no study"):
        resume_study(tmp_path / "nothing", workers=1, progress=False)


def test_killed_study_resumes_to_the_uninterrupted_table(tiny: sim.Scenario,
                                                         tmp_path: Path) -> None:
    file = write_scenario(tiny, tmp_path / "tiny.yaml")
    out = tmp_path / "killed"
    runs = 600
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "study", str(file), "--runs", str(runs), "--seed", "21",
         "--out", str(out), "--workers", "1", "--batch-size", "10", "--series", "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if out.is_dir() and len(list(out.glob("part-*.parquet"))) >= 3:
                break
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.01)
        else:
            pytest.fail("the study wrote no part in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the study's own process group, started above
        proc.wait(timeout=30)
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "running"  # killed: it never wrote "complete"
    stored = Study.open(out).table
    assert 30 <= len(stored) < runs, "the study finished before it could be killed"
    # A torn write left by a kill during a write, and a series file without its rows file
    # (a kill after a batch's series was renamed into place, before its rows were): the
    # series of 7 runs not stored, with made-up values, that no resumed batch overwrites.
    (out / ".tmp-part-00000590-n10.parquet-123").write_bytes(b"PAR1 torn")
    first_missing = int(stored["run"].max()) + 1
    some = pd.read_parquet(sorted(out.glob("series-*.parquet"))[0])
    orphan = some[some["run"] < some["run"].min() + 7].copy()
    orphan["run"] += first_missing - orphan["run"].min()
    orphan[[c for c in orphan.columns if c not in ("run", "time_h")]] = -1
    orphan_file = out / f"series-{first_missing:08d}-n7.parquet"
    orphan.to_parquet(orphan_file, index=False)
    cli = subprocess.run([sys.executable, "-m", "sim", "study", "--resume", str(out),
                          "--workers", "2", "--json"], capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["runs"] == runs
    resumed = Study.open(out)
    assert not list(out.glob(".tmp-*"))
    uninterrupted = run_study(tiny, runs, 21, workers=2, progress=False)
    pdt.assert_frame_equal(resumed.table, uninterrupted.table)
    assert resumed.table["run"].is_unique
    # The orphan series was removed: every run has its own series once, none made up.
    assert not orphan_file.exists()
    series = resumed.series
    assert series is not None and set(series["run"]) == set(range(runs))
    assert not series.duplicated(["run", "time_h"]).any()
    assert series.groupby("run").size().nunique() == 1  # one row per recorded time, each run
    assert not (series.drop(columns=["run", "time_h"]) == -1).all(axis=1).any()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_sequential_study_resumes_to_the_same_stop(tiny: sim.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "seq"
    whole = run_study(tiny, 50, 13, workers=1, until_ci=0.05, max_runs=2000, batch_size=25,
                      out=out, progress=False)
    assert whole.stop is not None and len(whole.stop.rounds) > 1
    # Lose the last batches, as a kill during the last round would, and mark it unfinished.
    parts = sorted(out.glob("part-*.parquet"))
    for p in parts[len(parts) // 2:]:
        p.unlink()
    m = json.loads((out / "manifest.json").read_text())
    m.update(status="running", stop=None)
    (out / "manifest.json").write_text(json.dumps(m))
    again = resume_study(out, workers=2, progress=False)
    assert again.stop == whole.stop
    pdt.assert_frame_equal(again.table, whole.table)


def test_a_batch_interrupted_between_its_files_is_not_done(tiny: sim.Scenario, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows file marks a batch done, so it is written last: a study killed after the series
    file and before the rows file leaves no part (the batch runs again on resume) and only a
    series file that ``clean`` removes, never a done batch without its series."""
    import sim.study.store as store_module

    out = tmp_path / "study"
    run_study(tiny, 7, 4, workers=1, batch_size=7, out=out, series=True, progress=False)
    store = ResultStore.open(out)
    rows = pd.read_parquet(store.parts()[0])
    series = store.read_series()
    assert series is not None
    for p in out.glob("*-00000000-n7.parquet"):
        p.unlink()
    real = store_module._atomic_parquet
    written: list[str] = []

    def crash_on_second(df: pd.DataFrame, path: Path) -> None:
        if written:
            raise KeyboardInterrupt("killed between the two files")
        written.append(path.name)
        real(df, path)

    monkeypatch.setattr(store_module, "_atomic_parquet", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        store.write_part(rows, series)
    assert written == ["series-00000000-n7.parquet"]
    assert store.parts() == []
    store.clean()
    assert not list(out.glob("series-*"))
