"""The worker processes that print, and how jobs reach them.

- :class:`PrintPool`: spawned workers (they inherit no lock or file) that exit when their parent dies.
  It counts the jobs it holds, so that a job waiting in this process can go to a worker that is free.
- :class:`Alternating`: hands jobs to several pools in turn.
- :class:`Waiting`: the printable manuals, held here until a worker is free. Each goes to a worker of
  their own pool, or to a sheet worker that has nothing left to do. A manual holds a few hundred MB
  while it renders, so on a small machine only one renders at a time while sheets remain, and the
  last ones render side by side once the sheets are done.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any


def pool_size() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool_sizes() -> tuple[int, int]:
    """(workers for sheets, packs and packets; workers for the printable manuals): one process per core
    in all. A printable manual holds a few hundred MB while it renders, so on a small machine only one
    renders at a time while the other workers print the sheets (see :class:`Waiting` for the end)."""
    cores = pool_size()
    books = 1 if cores < 4 else cores // 2
    return max(1, cores - books), books


def _exit_with_parent(parent: int) -> None:
    """Worker side: stop as soon as the build that started this worker is gone (even after SIGKILL)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _init_worker(parent: int) -> None:
    from .pdf import quiet_weasyprint

    _exit_with_parent(parent)
    quiet_weasyprint()


class PrintPool:
    """Worker processes for rendering, started on first use and ended with :meth:`close`/:meth:`terminate`.

    It counts the jobs it has been given and not finished, and calls its ``when_free`` hooks (in the
    pool's result thread) each time one finishes."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or pool_size()
        self._pool: Any = None
        self._held = 0
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []
        self._ended = False

    def free_workers(self) -> int:
        """Workers with nothing to do (0 while jobs are queued for them)."""
        with self._lock:
            return max(0, self.workers - self._held)

    def when_free(self, hook: Callable[[], None]) -> None:
        """Call ``hook()`` after every job this pool finishes. It runs in the pool's result thread and
        must not raise."""
        self._hooks.append(hook)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """An ``AsyncResult`` of ``fn(*args)`` run in a worker (``.get()`` waits for it)."""
        return self.submit_then(fn, args)

    def submit_then(self, fn: Callable[..., Any], args: tuple[Any, ...],
                    done: Callable[[bool, Any], None] | None = None) -> Any:
        """:meth:`submit`, and ``done(succeeded, result or exception)`` once the job ends."""
        with self._lock:  # checked and started under the lock: a pool being ended never starts again
            if self._ended:
                raise RuntimeError("this print pool has been closed")
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = context.Pool(self.workers, initializer=_init_worker, initargs=(os.getpid(),))
            self._held += 1
            pool = self._pool
        return pool.apply_async(fn, args, callback=lambda value: self._finished(done, True, value),
                                error_callback=lambda error: self._finished(done, False, error))

    def _finished(self, done: Callable[[bool, Any], None] | None, succeeded: bool, value: Any) -> None:
        with self._lock:
            self._held -= 1
        if done is not None:
            done(succeeded, value)
        for hook in self._hooks:
            hook()

    def close(self) -> None:
        """Let the workers finish what they hold, then end them (they delete their temporary font folders)."""
        self._end(kill=False)

    def terminate(self) -> None:
        """Kill the workers now (a failed or interrupted build)."""
        self._end(kill=True)

    def _end(self, kill: bool) -> None:
        with self._lock:
            self._ended, pool, self._pool = True, self._pool, None
        if pool is not None:  # joined outside the lock: finishing jobs take it
            pool.terminate() if kill else pool.close()
            pool.join()


class Alternating:
    """Hands jobs to several pools in turn (the previews the pages wait for go to every worker)."""

    def __init__(self, *pools: PrintPool) -> None:
        self._pools = pools
        self._turn = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        pool = self._pools[self._turn % len(self._pools)]
        self._turn += 1
        return pool.submit(fn, *args)


class Handle:
    """The outcome of a job that may still be waiting for a worker; ``.get()`` waits for it and
    raises what the job raised (as ``AsyncResult.get`` does)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._succeeded = False
        self._value: Any = None

    def settle(self, succeeded: bool, value: Any) -> None:
        self._succeeded, self._value = succeeded, value
        self._done.set()

    def get(self, timeout: float | None = None) -> Any:
        if not self._done.wait(timeout):
            raise multiprocessing.TimeoutError(f"no result after {timeout} s")
        if not self._succeeded:
            raise self._value
        return self._value


class Waiting:
    """Jobs held in this process, in order, until a worker is free: first the workers of ``own``, and
    then those of each pool :meth:`lend` names once that pool has nothing else to do.

    The printable manuals wait here: they are the longest jobs and the largest in memory, so they get
    a pool of their own while the sheets print, and the sheet workers join in at the end."""

    def __init__(self, own: PrintPool) -> None:
        self._pools = [own]
        self._jobs: deque[tuple[Callable[..., Any], tuple[Any, ...], Handle]] = deque()
        self._lock = threading.Lock()
        own.when_free(self._feed)

    def lend(self, pool: PrintPool) -> None:
        """From now on, each worker of ``pool`` that is free takes the next waiting job."""
        with self._lock:
            self._pools.append(pool)
        pool.when_free(self._feed)
        self._feed()

    def __len__(self) -> int:
        """Jobs still waiting for a worker."""
        with self._lock:
            return len(self._jobs)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        handle = Handle()
        with self._lock:
            self._jobs.append((fn, args, handle))
        self._feed()
        return handle

    def _feed(self) -> None:
        """Hand waiting jobs to free workers (also called in a pool's result thread: it never raises)."""
        with self._lock:
            for pool in self._pools:
                while self._jobs and pool.free_workers():
                    fn, args, handle = self._jobs.popleft()
                    try:
                        pool.submit_then(fn, args, handle.settle)
                    except Exception as exc:  # a closed pool (a build that failed): the job fails, visibly
                        handle.settle(False, exc)
