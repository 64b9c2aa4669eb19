"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every choice is a :class:`concurrent.futures.Executor` (or ``None`` for serial execution in this
process), so a study only ever calls ``submit`` and waits for futures. Dask is reached through its
standard ``concurrent.futures`` interface, :meth:`distributed.Client.get_executor`.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["SCHEDULER_TIMEOUT_S", "ExecutorInfo", "cpu_count", "open_executor"]

SCHEDULER_TIMEOUT_S = 5.0
"""Seconds to wait for a Dask scheduler to answer (``--scheduler``): a scheduler on a working
network answers in well under a second; Dask's own default waits 30 s before failing."""


def cpu_count() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class ExecutorInfo:
    """An executor and what it is, for progress messages and the manifest.

    Attributes
    ----------
    executor : Executor or None
        ``None`` runs tasks in this process.
    kind : str
        ``serial``, ``processes``, ``dask`` or ``custom``.
    workers : int
        Number of tasks that can run at once.
    description : str
        One line for the user (``2 local processes``, ``Dask at tcp://...``).
    """

    executor: Executor | None
    kind: str
    workers: int
    description: str


WORKER_PRELOAD = ("sim.study.tasks", "sim.run", "scipy.stats")
"""Modules a worker needs for its first run, imported before any task arrives: once per command
in the fork server of the local pool (its workers are forked from it with them loaded), and at
start in each Dask worker of a local cluster. ``scipy.stats`` is imported lazily by the first
draw of a bounded distribution and costs about a CPU-second on its own."""


def _mp_context() -> Any:
    # fork is unsafe with threads (progress bars, Dask); the fork server imports the modules a
    # run needs once, and every worker is forked from it with them loaded. sim.cli too: a worker
    # of the `sim` command runs its main script again (multiprocessing's spawn preparation),
    # which then finds the module imported.
    if sys.platform.startswith("linux"):
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([*WORKER_PRELOAD, "sim.cli"])
        return ctx
    return mp.get_context("spawn")


@contextmanager
def open_executor(workers: int | None = None, *, scheduler: str | None = None,
                  dask_local: bool = False, executor: Executor | None = None
                  ) -> Iterator[ExecutorInfo]:
    """Open the executor a study asked for, and shut it down afterwards.

    Parameters
    ----------
    workers : int, optional
        Local processes (default: all cores); ``1`` runs serially in this process. With
        ``dask_local``, the number of Dask workers.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    dask_local : bool
        Start a Dask ``LocalCluster`` of ``workers`` single-threaded worker processes.
    executor : Executor, optional
        Use this executor as it is (not shut down here): any ``concurrent.futures.Executor``.

    Yields
    ------
    ExecutorInfo

    Raises
    ------
    ValueError
        If options conflict, ``workers`` is below 1, or the scheduler cannot be reached within
        :data:`SCHEDULER_TIMEOUT_S` (one line naming the address).
    ImportError
        If Dask is asked for but ``dask[distributed]`` is not installed.
    """
    if scheduler and dask_local:
        raise ValueError("give either --scheduler or --dask-local, not both")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if executor is not None:
        n = int(getattr(executor, "_max_workers", 0) or workers or cpu_count())
        yield ExecutorInfo(executor, "custom", n, f"{type(executor).__name__} ({n} workers)")
        return
    if scheduler or dask_local:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImportError("Dask needs the optional dependencies: "
                              "pip install 'reliefplan-sim[dask]'") from exc
        if dask_local:
            n = workers or cpu_count()
            # No statistical profiler in the workers: it samples the running task's stack
            # every 10 ms, and a run's thread then takes about a quarter more CPU time than
            # in a process of the local pool (there is no dashboard to show the profiles).
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=n, threads_per_worker=1, processes=True,
                    dashboard_address=None, preload=list(WORKER_PRELOAD))
            client = Client(cluster)  # type: ignore[no-untyped-call]
            desc = f"Dask LocalCluster of {n} worker processes"
        else:
            cluster = None
            client = _connect(Client, str(scheduler))
            info = client.scheduler_info()
            n = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()) or 1
            desc = f"Dask scheduler {scheduler} ({n} threads)"
        try:
            ex = client.get_executor(pure=False)  # type: ignore[no-untyped-call]
            yield ExecutorInfo(ex, "dask", n, desc)
        finally:
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()
        return
    n = workers or cpu_count()
    if n == 1:
        yield ExecutorInfo(None, "serial", 1, "serial (this process)")
        return
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context())
    try:
        yield ExecutorInfo(pool, "processes", n, f"{n} local processes")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _connect(client_type: Any, address: str) -> Any:
    """Connect to the Dask scheduler at ``address``, failing within ``SCHEDULER_TIMEOUT_S``.

    Raises
    ------
    ValueError
        One line: the address and why it could not be used (a timeout, a refused connection, a
        malformed address, or a service that is not a Dask scheduler).
    """
    try:
        return client_type(address, timeout=f"{SCHEDULER_TIMEOUT_S:g}s")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the user's address
        why = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, MemoryError):  # a service that answers, but not in Dask's protocol
            why = "the service there does not speak Dask's protocol"
        raise ValueError(f"--scheduler {address}: cannot connect to a Dask scheduler: {why}") \
            from None
