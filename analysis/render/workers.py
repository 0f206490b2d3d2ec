"""Worker processes for the meeting pack: its charts are built and drawn on more than one core.

matplotlib holds the GIL while it lays out and draws, so threads do not help; processes do. They are started
from a fork server that has imported :mod:`analysis.render.report` once (so a worker is ready in milliseconds, not the
second an import takes), never forked from the web server itself, whose other threads may hold locks (a
chart render in progress, logging) that a forked child would wait on for ever.

Starting takes about a second, in a background thread: :func:`start` returns at once. Until the workers are
ready this process does the work itself (or :func:`share` says ``None`` and the caller does it its own way,
as it would without workers); workers join in as soon as they are ready. This process always does a share of
the work too, from the other end of the list, so a build is never slower for having workers.
Note for scripts: like any fork-server or spawn child, a worker imports the main script as ``__mp_main__``,
so a script must keep its work under ``if __name__ == "__main__":``. A worker that dies (or any error in one) makes the caller do that task itself, where a
real error is raised as usual.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["count", "ready", "share", "start", "stop"]

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None  # set once the workers have answered
_starting = False
_started = threading.Event()  # set while no start is under way
_started.set()


def count() -> int:
    """Worker processes to start: one core is left for this process, which works too."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2
    return max(1, min(3, cores - 1))


def _hello() -> int:
    return os.getpid()


def _watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the process that started the workers has gone, however it ended (killed,
    or ended without stopping them), so that no worker, and so no fork server, is left behind."""

    def watch() -> None:
        try:
            handle = os.pidfd_open(parent)  # Linux: readable once the process has ended
            select.select([handle], [], [])
        except (AttributeError, OSError):  # no pidfd here, or the parent is gone already: look every second
            while True:
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start() -> None:
    global _pool, _starting
    try:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["analysis.render.report"])
        pool = ProcessPoolExecutor(
            max_workers=count(), mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
        )
        for future in [pool.submit(_hello) for _ in range(count())]:
            future.result(timeout=120)
    except Exception:  # no fork server on this system, or it would not start: the work stays here
        with _lock:
            _starting = False
            _started.set()
        return
    with _lock:
        _pool, _starting = pool, False
        _started.set()


def start() -> None:
    """Start the workers in the background, if they are not running or starting already."""
    global _starting
    with _lock:
        if _pool is not None or _starting:
            return
        _starting = True
        _started.clear()
    threading.Thread(target=_start, name="pack-workers", daemon=True).start()


def ready() -> bool:
    return _pool is not None


def stop() -> None:
    """Stop the workers (they stop by themselves when this process exits)."""
    global _pool
    _started.wait(timeout=120)
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _discard(pool: ProcessPoolExecutor) -> None:
    """A worker died: later builds work alone until the workers are started again."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def share(
    function: Callable[..., T], tasks: Sequence[tuple[Any, ...]], *, late: bool = True
) -> list[T] | None:
    """``[function(*task) for task in tasks]``, shared between the workers and this process; ``None`` when
    no workers run or start. ``function`` and the tasks must be picklable (module-level, plain data).

    The workers take tasks from the front, as they become free (one waiting besides, when this process has
    other tasks left to take); this process takes them from the back. So each task is done once, and nobody
    waits long at the end. Workers that are still starting join in as soon as they are ready, even while this
    process is in the middle of a task (``late``); until then this process works alone.
    """
    with _lock:
        pool, starting = _pool, _starting and late
    if pool is None and not starting:
        return None
    results: dict[int, T] = {}
    running: dict[Future[T], int] = {}
    claims = threading.Lock()
    front, back = 0, len(tasks) - 1
    finished = threading.Event()

    def feed() -> None:
        # A worker gets a task when one is free, or one more to wait when this process has others left:
        # a task handed over cannot be taken back.
        nonlocal front, pool
        pool = pool or _pool
        with claims:
            while pool is not None and front <= back:
                busy = sum(1 for future in running if not future.done())
                if busy >= count() + (1 if front < back else 0):
                    return
                try:
                    running[pool.submit(function, *tasks[front])] = front
                except Exception:  # the pool broke or was stopped: the rest is done here
                    return
                front += 1

    def feeder() -> None:
        while not finished.wait(0.05):
            feed()

    def take() -> int | None:
        nonlocal back
        with claims:
            if front > back:
                return None
            back -= 1
            return back + 1

    def collect(future: Future[T], index: int) -> None:
        try:
            results[index] = future.result()
        except Exception as error:
            if isinstance(error, BrokenProcessPool) and pool is not None:
                _discard(pool)
            results[index] = function(*tasks[index])

    feed()
    helper = threading.Thread(target=feeder, name="pack-feeder", daemon=True)
    helper.start()
    try:
        while (index := take()) is not None:
            results[index] = function(*tasks[index])
    finally:
        finished.set()
        helper.join()
    for future, index in list(running.items()):
        collect(future, index)
    if len(results) != len(tasks):  # pragma: no cover - every index is filled above
        raise RuntimeError("A task was lost.")
    return [results[index] for index in range(len(tasks))]
