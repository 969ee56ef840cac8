"""Executing the runs of a sweep: one run on a worker, local worker processes, or Dask; and a
whole sweep, resumable."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.sweeps.outcomes import OUTCOMES, outcomes
from experiments.sweeps.spec import RunTask, Sweep, SweepError
from experiments.sweeps.store import ResultStore

# Test hooks (documented in docs/sweeps.md): make chosen runs raise, or kill their worker once.
FAIL_ENV = "MORALE_SWEEP_FAIL"    # comma-separated run_ids that raise
CRASH_ENV = "MORALE_SWEEP_CRASH"  # RUN_ID:FLAG_FILE -> the worker process dies once (flag absent)


def _forced_failures(rid: str) -> None:
    """Test hooks: raise for the run_ids in MORALE_SWEEP_FAIL; die once for MORALE_SWEEP_CRASH."""
    if rid in os.environ.get(FAIL_ENV, "").split(","):
        raise RuntimeError(f"forced failure of run {rid} ({FAIL_ENV})")
    target, _, flag = os.environ.get(CRASH_ENV, "").partition(":")
    if target == rid and flag and not os.path.exists(flag):
        Path(flag).touch()
        os._exit(70)


def _describe_exception(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _row(task: RunTask, status: str, error: str | None, wall: float,
         found: dict[str, Any] | None) -> dict[str, Any]:
    from model.outputs import package_version

    return {
        "run_id": task.run_id, **task.parameters, "seed": task.seed, "days": task.days,
        "status": status, "error": error, "wall_time_s": wall, "version": package_version(),
        **(found or dict.fromkeys(OUTCOMES)),
    }


def failed_result(task: RunTask, error: str, wall: float = 0.0) -> dict[str, Any]:
    """The result of a run that raised or whose worker died."""
    return {"row": _row(task, "failed", error, wall, None), "timeseries": None}


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one simulation; never raises for a failing run, returns it as ``failed``.

    Returns ``{"row": dict, "timeseries": DataFrame or None}``.
    """
    from model.model import MoraleModel

    start = time.perf_counter()
    try:
        _forced_failures(task.run_id)
        model = MoraleModel(rng=task.seed, params=task.parameters, events=task.events)
        model.run(task.days)
        series = model.timeseries()
        found = outcomes(model, series)
    except Exception as exc:  # a failing run is a result, not the end of the sweep
        return failed_result(task, _describe_exception(exc), time.perf_counter() - start)
    kept = None
    if task.timeseries_every:
        last = int(series["day"].iloc[-1])
        keep = (series["day"] % task.timeseries_every == 0) | (series["day"] == last)
        kept = series.loc[keep].reset_index(drop=True)
        kept.insert(0, "run_id", task.run_id)
    return {"row": _row(task, "ok", None, time.perf_counter() - start, found), "timeseries": kept}


OnResult = Callable[[dict[str, Any]], None]


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True  # no /proc: trust kill(0)


def _worker_init(sweep_pid: int, environment: dict[str, str]) -> None:
    """In a local worker process: leave Ctrl-C to the sweep, and exit when the sweep dies.

    Workers are children of the forkserver, which outlives the sweep while any worker
    holds its pipe; so each worker watches the sweep's process itself and exits when it
    is gone, even after ``kill -9``. The forkserver then exits as well. The forkserver was
    started with the environment of the first pool; each worker takes the environment of
    the process that made its pool, as a spawned process would.
    """
    import signal

    os.environ.clear()
    os.environ.update(environment)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while _alive(sweep_pid):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def new_worker_pool(workers: int):
    """A pool of worker processes forked from a server that has the model imported already.

    Importing Mesa and pandas takes seconds; the forkserver does it once, so workers,
    and a new pool after a worker died, start in milliseconds.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["experiments.sweeps", "model.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(), dict(os.environ)))


def run_in_processes(tasks: list[RunTask], workers: int, on_result: OnResult) -> None:
    """Run on ``workers`` local processes (in this process for one worker).

    A worker process that dies takes the pool with it: the runs that were in
    flight are then retried one at a time, so the run that kills its worker is
    found and recorded as failed and the others complete.
    """
    if workers <= 1:
        for task in tasks:
            on_result(execute_run(task))
        return
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pending, suspects = deque(tasks), deque()
    while pending or suspects:
        pool = new_worker_pool(workers)
        in_flight: dict[Any, RunTask] = {}
        try:
            while suspects:
                task = suspects.popleft()
                try:
                    result = pool.submit(execute_run, task).result()
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_worker_pool(workers)
                    result = failed_result(task, "the worker process died while running this run")
                on_result(result)
            while pending or in_flight:
                while pending and len(in_flight) < 2 * workers:
                    future = pool.submit(execute_run, pending[0])  # raises if the pool broke
                    in_flight[future] = pending.popleft()
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    if future.exception() is not None:  # only BrokenProcessPool: runs never raise
                        raise future.exception()
                    on_result(future.result())
                    del in_flight[future]
        except BrokenProcessPool:
            for future, task in in_flight.items():
                if future.done() and future.exception() is None:
                    on_result(future.result())
                else:
                    suspects.append(task)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def dask_client(address: str, workers: int) -> Iterator[Any]:
    """A Dask client for the block: on a new LocalCluster of ``workers`` processes (``address ==
    "local"``) or on a running scheduler; both closed at the end.

    Raises ConnectionError ("cannot reach the Dask scheduler at ADDRESS: why; check ...") when
    the cluster cannot be made or the scheduler answers nothing; callers add their option's name.
    """
    import logging

    import dask
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address == "local":
            # Dask's statistical profiler samples every worker thread 100 times a second and
            # competes for the GIL with the run; our own cluster does without it.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout=15)
    except Exception as exc:  # OSError, TimeoutError, ValueError, a malformed address...
        if cluster is not None:
            cluster.close()
        raise ConnectionError(f"cannot reach the Dask scheduler at {address}: {' '.join(str(exc).split())}; "
                              "check the address (tcp://HOST:PORT) and that the scheduler runs") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on_dask(tasks: list[RunTask], address: str, workers: int, on_result: OnResult) -> None:
    """Run on a Dask cluster: a new LocalCluster (``address == "local"``) or a running scheduler.

    Dask reschedules the runs of a worker that dies; a run whose workers keep
    dying (Dask's ``allowed-failures``) is recorded as failed.
    """
    from distributed import as_completed

    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(address, workers))
        except ConnectionError as exc:
            raise SweepError(f"{exc}, or use --dask local") from None
        session = uuid.uuid4().hex[:8]
        keys = [f"morale-run-{t.run_id}-{session}" for t in tasks]
        futures = client.map(execute_run, tasks, key=keys, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            task = by_key[future.key]
            try:
                result = future.result()
            except Exception as exc:  # e.g. KilledWorker: its workers kept dying
                result = failed_result(task, _describe_exception(exc))
            on_result(result)
            future.release()


@dataclass
class SweepReport:
    """What happened: counts, the consolidated table and where it is."""

    total: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    runs: pd.DataFrame | None
    runs_file: Path


def run_sweep(
    sweep: Sweep,
    out_dir: Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SweepReport:
    """Run every planned run not finished yet, then write ``runs.parquet``.

    ``on_start(total, already_done)`` is called once before the first run and
    ``progress(row)`` after each run is saved.
    """
    store = ResultStore(out_dir)
    fresh = not store.dir.exists()
    store.open(sweep)
    done = store.finished()
    todo = [t for t in sweep.tasks if t.run_id not in done]
    if todo:
        store.runs_file.unlink(missing_ok=True)  # present only when every run has a part
    if on_start is not None:
        on_start(len(sweep.tasks), len(sweep.tasks) - len(todo))
    def save(result: dict[str, Any]) -> None:
        store.write(result)
        if progress is not None:
            progress(result["row"])

    start = time.perf_counter()
    if todo:
        if dask is not None:
            try:
                run_on_dask(todo, dask, workers, save)
            except SweepError:  # no scheduler: a folder made for nothing is not left behind
                if fresh and not store.finished() and not store.failed():
                    shutil.rmtree(store.dir, ignore_errors=True)
                raise
        else:
            run_in_processes(todo, workers, save)
    runs = store.consolidate(sweep)
    failed = int((runs["status"] != "ok").sum())
    return SweepReport(len(sweep.tasks), len(sweep.tasks) - len(todo), len(todo), failed,
                       time.perf_counter() - start, runs, store.runs_file)


def format_seconds(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
