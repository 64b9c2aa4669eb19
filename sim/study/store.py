"""The result store of a study: a directory of Parquet part files, a manifest and a lock.

Layout of a study directory::

    manifest.json          scenario hash, code version, root seed, requested runs, parameters
    scenario.json          the validated scenario the runs used (exactly; resume reads it)
    part-00000040-n20.parquet     rows of 20 runs, the smallest being run 40
    series-00000040-n20.parquet   their time series (when the study keeps them)
    .lock                  held (``flock``) while a study writes here

A part is written to a hidden temporary file, flushed to disk and renamed into place, so a part
either exists whole or not at all; a study killed at any moment loses at most the batches that
were still running. The rows file is renamed last: it is what marks a batch as done.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario

__all__ = ["FORMAT", "ResultStore", "StoreError", "code_version", "scenario_hash"]

FORMAT = "sim-study/1"
_PART = re.compile(r"^part-(\d{8,})-n(\d+)\.parquet$")


class StoreError(Exception):
    """A study directory cannot be used (in use, not a study, another scenario...)."""


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON (what the runs actually depend on)."""
    text = scenario.model_dump_json(by_alias=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_version() -> dict[str, Any]:
    """Versions that decide the results: sim (and its git commit when known), Python, numpy."""
    import numpy as np

    from sim import __version__

    git: str | None = None
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists():
        try:
            out = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty",
                                  "--abbrev=12"], capture_output=True, text=True, timeout=5,
                                 check=False)
            git = out.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            git = None
    return {"sim": __version__, "git": git, "python": platform.python_version(),
            "numpy": np.__version__}


class _Lock:
    """An exclusive lock on a study directory, released when the process ends (even killed)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".lock"
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            _lock_file(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreError(f"{self.path.parent} is in use by another study ({holder}); "
                             "wait for it to finish or use another directory") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {platform.node()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.seek(0)
                self._fh.truncate()
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None


def _lock_file(fh: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fh: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@dataclass
class ResultStore:
    """A study directory (see the module docstring). Open it with :meth:`create` or :meth:`open`.

    Attributes
    ----------
    directory : Path
    manifest : dict
    """

    directory: Path
    manifest: dict[str, Any]
    _lock: _Lock | None = None

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, directory: str | Path, manifest: dict[str, Any], scenario: Scenario
               ) -> ResultStore:
        """Create a new study directory (it may exist if empty) and lock it.

        Raises
        ------
        StoreError
            If the directory already holds a study or other files, or is in use.
        """
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise StoreError(f"{d} exists and is not a directory")
        d.mkdir(parents=True, exist_ok=True)
        store = cls(d, manifest)
        store._acquire()
        try:
            others = [p.name for p in d.iterdir() if p.name != ".lock"]
            if (d / "manifest.json").exists():
                raise StoreError(f"{d} already holds a study; continue it with --resume {d} "
                                 "or choose another --out directory")
            if others:
                raise StoreError(f"{d} is not empty ({', '.join(sorted(others)[:3])}...); "
                                 "choose an empty or new --out directory")
            _atomic_write(d / "scenario.json",
                          scenario.model_dump_json(by_alias=True, exclude_unset=True, indent=1))
            store.write_manifest()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, directory: str | Path, *, lock: bool = True) -> ResultStore:
        """Open an existing study directory (locked, unless ``lock=False`` for reading).

        Raises
        ------
        StoreError
            If the directory holds no study or is in use.
        """
        d = Path(directory)
        mpath = d / "manifest.json"
        if not mpath.is_file():
            raise StoreError(f"{d} holds no study (no manifest.json)")
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{mpath}: unreadable manifest: {exc}") from None
        if manifest.get("format") != FORMAT:
            raise StoreError(f"{mpath}: not a {FORMAT} manifest")
        store = cls(d, manifest)
        if lock:
            store._acquire()
            store.clean()
        return store

    def _acquire(self) -> None:
        self._lock = _Lock(self.directory)
        self._lock.acquire()

    def close(self) -> None:
        """Release the lock."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- contents ----------------------------------------------------------------------------
    def scenario(self) -> Scenario:
        """The scenario of the study, exactly as its runs used it."""
        from sim.scenario.schema import Scenario

        text = (self.directory / "scenario.json").read_text(encoding="utf-8")
        return Scenario.model_validate_json(text)

    def write_manifest(self) -> None:
        """Write the manifest atomically."""
        _atomic_write(self.directory / "manifest.json",
                      json.dumps(self.manifest, indent=1, ensure_ascii=False, sort_keys=True))

    def parts(self) -> list[Path]:
        """Completed row parts, in name order."""
        return sorted(p for p in self.directory.iterdir() if _PART.match(p.name))

    def clean(self) -> None:
        """Remove what an interrupted study left: temporary files and series without rows."""
        rows = {p.name.removeprefix("part-") for p in self.parts()}
        for p in self.directory.iterdir():
            if p.name.startswith(".tmp-") or (
                p.name.startswith("series-") and p.name.removeprefix("series-") not in rows
            ):
                p.unlink(missing_ok=True)

    def write_part(self, rows: pd.DataFrame, series: pd.DataFrame | None = None) -> Path:
        """Write the rows (and series) of one finished batch, atomically.

        The part is named after its smallest run and its size; the series file is renamed into
        place before the rows file, which marks the batch as done.
        """
        first = int(rows["run"].min())
        name = f"{first:08d}-n{len(rows)}.parquet"
        if series is not None:
            _atomic_parquet(series, self.directory / f"series-{name}")
        path = self.directory / f"part-{name}"
        _atomic_parquet(rows, path)
        return path

    def read_rows(self) -> pd.DataFrame | None:
        """Every stored row (unsorted), or None when no part exists yet.

        Raises
        ------
        StoreError
            If two parts hold the same run.
        """
        import pandas as pd

        frames = [pd.read_parquet(p, engine="pyarrow") for p in self.parts()]
        if not frames:
            return None
        df = pd.concat(frames, ignore_index=True, sort=False)
        dup = df["run"].duplicated()
        if dup.any():
            raise StoreError(f"{self.directory}: run {int(df['run'][dup].iloc[0])} is stored "
                             "twice; the directory was changed by hand")
        return df

    def read_series(self) -> pd.DataFrame | None:
        """Every stored time series row, or None when the study kept none."""
        import pandas as pd

        files = sorted(self.directory.glob("series-*.parquet"))
        if not files:
            return None
        return pd.concat([pd.read_parquet(p, engine="pyarrow") for p in files],
                         ignore_index=True, sort=False)


def _fsync_dir(d: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    df.to_parquet(tmp, engine="pyarrow", index=False)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
