"""Run a function over tasks in worker processes and get the results back in task order, memory bounded.

Only a window of tasks is in flight at once, so results never pile up; an
exception raised by the function in a worker is raised again in the caller
(provpack's errors pickle whole). Workers ignore SIGINT: on Ctrl-C the caller
gets KeyboardInterrupt, cancels what has not started and waits for what has.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds but is only safe from a single-threaded process (and
    # not on macOS); with other threads running, forkserver; elsewhere the platform's default (spawn).
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
        return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
    return multiprocessing.get_context()


class OrderedPool(Generic[T, R]):
    """`jobs` worker processes applying `function` to tasks; use as a context manager."""

    def __init__(self, function: Callable[[T], R], *, jobs: int, window: int | None = None) -> None:
        self._function = function
        self._jobs = jobs
        self._window = window if window is not None else 2 * jobs
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> OrderedPool[T, R]:
        self._executor = ProcessPoolExecutor(max_workers=self._jobs, mp_context=_context(),
                                             initializer=_ignore_sigint)
        log.debug("started %d worker processes", self._jobs)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def map(self, tasks: Iterable[T]) -> Iterator[R]:
        """function(task) for each task, in the order of `tasks`; at most `window` tasks in flight."""
        executor = self._executor
        if executor is None:
            raise RuntimeError("OrderedPool.map outside its with block")
        pending: deque[Future[R]] = deque()
        remaining = iter(tasks)
        try:
            for task in remaining:
                pending.append(executor.submit(self._function, task))
                if len(pending) >= self._window:
                    break
            while pending:
                result = pending.popleft().result()
                for task in remaining:
                    pending.append(executor.submit(self._function, task))
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()
