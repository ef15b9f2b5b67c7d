"""Run a function over tasks in worker processes and get the results back in task order, memory bounded.

Only a window of tasks is in flight at once, so results never pile up; an
exception raised by the function in a worker is raised again in the caller
(provpack's errors pickle whole). Workers ignore SIGINT: on Ctrl-C the caller
gets KeyboardInterrupt. Leaving the with block on an exception (Ctrl-C,
SIGTERM, an error) kills the workers and reaps them without waiting for any
result: one may have died half-way through sending it.
A worker that dies (kill -9, the OOM killer) is noticed within a second: the
other workers are stopped and the caller gets a ProvpackError saying so.
Workers whose parent died (kill -9) exit within a second; they run the cyclic
garbage collector rarely (see `_worker_start`). A worker that cannot be started
(fork refused at the process limit, a worker unable to start its thread) stops the
run with a ProvpackError saying so, not a hang; `usable_jobs` caps the workers asked for,
and `can_start_workers` says whether any may be had (not in a daemonic process).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Generic, TypeVar

from .atomic import signals_held
from .errors import ProvpackError, option

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0
SETTLE_SECONDS = 1.0   # allowed for a worker the pool found dead to give its exit status
STATUS_POLL_SECONDS = 0.005   # between two looks at the status of a worker that has ended
WORKER_GC_THRESHOLD = 10_000   # container objects allocated (net) between two collections in a worker
JOBS_PER_CPU = 4   # workers beyond this many per CPU available only take turns: they are not started

_SIGHUP: signal.Signals | None = getattr(signal, "SIGHUP", None)   # (POSIX)
_ENDING = {signal.SIGTERM, *((_SIGHUP,) if _SIGHUP is not None else ())}   # signals that end a worker

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_start_workers() -> bool:
    """False in a daemonic process (a multiprocessing.Pool's worker): multiprocessing lets it start no process."""
    return not multiprocessing.current_process().daemon


def usable_jobs(jobs: int, tasks: int) -> int:
    """The workers worth starting for `tasks` tasks when `jobs` are asked for: no more than there are
    tasks, nor than JOBS_PER_CPU per CPU available; at least 1."""
    return max(1, min(jobs, tasks, JOBS_PER_CPU * default_jobs()))


class _StartFailed(Exception):
    """Raised in a worker, for each task, when setting the worker up failed: the reason travels to the caller."""


_start_failure: str | None = None   # in a worker: why it could not be set up, if it could not


def _worker_start(parent: int) -> None:
    """Set up a worker: its signals, and a collector that runs rarely.

    Tasks make many objects and free them by reference counting when they end; with
    the default threshold (700) the collector ran some 350 times per worker over
    20,000 documents and found 6 objects, for 2-3% of the worker's CPU. Cyclic
    garbage is still collected, once every WORKER_GC_THRESHOLD allocations.
    A failure here (no thread to be had at the process limit) is kept and given back
    for each task (see `_call`): raised, the executor would print a traceback and end
    the worker, and the caller would only learn that a worker died.
    """
    global _start_failure
    try:
        _worker_signals()
        _watch_parent(parent or os.getppid())
        gc.set_threshold(WORKER_GC_THRESHOLD)
    except Exception as exc:   # noqa: BLE001 - any failure: said to the caller, whole
        _start_failure = _reason(exc)


def _call(function: Callable[[T], R], task: T) -> R:
    """Run in a worker: function(task), unless the worker could not be set up."""
    if _start_failure is not None:
        raise _StartFailed(_start_failure)
    return function(task)


def _reason(exc: BaseException) -> str:
    """What went wrong, in words: an OSError's strerror without the [Errno N] prefix."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _watch_parent(parent: int) -> None:
    """End this worker once `parent` is no longer its parent (kill -9, the OOM killer; even before we got here).

    Forked workers share the task pipe's writing end, so none of them ever sees it
    close: without this, they would wait for tasks for ever, holding the dead run's
    stdout and stderr open (a caller reading them to the end would hang too).
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="provpack-parent-watch", daemon=True).start()


def _worker_signals() -> None:
    """Ctrl-C is the caller's to handle; SIGTERM (the executor stopping a broken pool) and SIGHUP just end the worker.

    A worker forked from the command line inherits its SIGTERM and SIGHUP handler,
    which would raise in the worker and print a traceback for a stop that is expected.
    SIGHUP ignored by the caller (nohup) stays ignored. SIGTERM and SIGHUP are blocked
    while workers are forked (see `_signals_held`): one sent then waits until here,
    instead of being lost in the fork and leaving a worker that blocks for ever on a
    result nobody reads.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _SIGHUP is not None and signal.getsignal(_SIGHUP) != signal.SIG_IGN:
        signal.signal(_SIGHUP, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _ENDING)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGTERM and SIGHUP blocked in this thread (and the processes it forks), and Ctrl-C put off, for the block.

    A submit may start the pool: fork the workers, then start the executor's manager
    thread. Ctrl-C in between left workers that nothing would stop (the run hung at
    exit) or a thread that shutdown() could not join. Blocking SIGINT in this thread is
    not enough once another thread runs (a progress bar's): the OS gives it that thread,
    and Python still raises KeyboardInterrupt here. So in the main thread SIGINT's
    handler only notes it during the block, and it is sent again once the pool is whole.
    """
    noted: list[int] = []
    handler = signal.getsignal(signal.SIGINT)
    swap = threading.current_thread() is threading.main_thread() and handler is not None
    if swap:
        signal.signal(signal.SIGINT, lambda number, frame: noted.append(number))
    masked = hasattr(signal, "pthread_sigmask")
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {*_ENDING, signal.SIGINT}) if masked else None
    try:
        yield
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if swap:
            signal.signal(signal.SIGINT, handler)
            if noted:
                signal.raise_signal(signal.SIGINT)   # now, to the handler it was meant for


def _context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds but is only safe from a single-threaded process (and
    # not on macOS); with other threads running, forkserver; elsewhere the platform's default (spawn).
    # A start method other than fork that the caller set (multiprocessing.set_start_method) is kept:
    # threading.active_count() does not count the threads a C library started, which a fork copies
    # mid-work, and the caller may know of them. (From Python 3.14, once the default context has been
    # used, its forkserver counts as set: safe, a little slower to start.)
    chosen = multiprocessing.get_start_method(allow_none=True)
    if chosen is not None and chosen != "fork":
        return multiprocessing.get_context(chosen)
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
        return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
    return multiprocessing.get_context()


class _ThreadHook:
    """One threading.excepthook for every pool open in this process: a pool's thread failing is told to
    its pool; any other thread's exception goes to the hook there was before.

    Installed when the first pool opens and put back when the last one closes, whichever order pools
    opened in other threads close in; left in place if something else has been installed over it since
    (which may pass exceptions on to it).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catchers: list[Callable[[threading.ExceptHookArgs], bool]] = []
        self._previous: Callable[[threading.ExceptHookArgs], object] | None = None   # None: not installed

    def add(self, catch: Callable[[threading.ExceptHookArgs], bool]) -> None:
        """`catch(args)` is asked first, until removed; True: the exception was its pool's, and is dealt with."""
        with self._lock:
            if self._previous is None:
                self._previous = threading.excepthook
                threading.excepthook = self
            self._catchers.append(catch)

    def remove(self, catch: Callable[[threading.ExceptHookArgs], bool]) -> None:
        """`catch` no longer asked; the last one removed puts back the hook there was before."""
        with self._lock:
            self._catchers = [other for other in self._catchers if other != catch]
            if not self._catchers and self._previous is not None:
                if threading.excepthook is self:
                    threading.excepthook = self._previous
                self._previous = None   # (uninstalled, or another hook over it: the next pool installs it again)

    def __call__(self, args: threading.ExceptHookArgs) -> None:
        with self._lock:
            catchers = list(self._catchers)
            previous = self._previous or threading.__excepthook__
        if not any(catch(args) for catch in catchers):
            previous(args)


_thread_hook = _ThreadHook()


class OrderedPool(Generic[T, R]):
    """`jobs` worker processes applying `function` to tasks; use as a context manager.

    The caller caps `jobs` (see `usable_jobs`): all of them are started at the first task.
    """

    def __init__(self, function: Callable[[T], R], *, jobs: int, window: int | None = None) -> None:
        self._function = function
        self._jobs = jobs
        self._window = window if window is not None else 2 * jobs
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> OrderedPool[T, R]:
        context = _context()
        self._method = context.get_start_method()
        # The process a worker should have as parent: this one, except under a fork server (0: whichever it has).
        parent = 0 if self._method == "forkserver" else os.getpid()
        self._executor = ProcessPoolExecutor(max_workers=self._jobs, mp_context=context,
                                             initializer=_worker_start, initargs=(parent,))
        self._thread_failure: str | None = None
        _thread_hook.add(self._caught_thread_failure)
        log.debug("started %d worker processes", self._jobs)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        executor = self._executor
        if executor is None:
            return
        try:
            if kind is None:
                try:
                    executor.shutdown(wait=True, cancel_futures=True)   # the tasks started end; the workers exit
                    return
                except BaseException:   # Ctrl-C or SIGTERM while waiting for them: stop them as below
                    self._stop(executor)
                    raise
            self._stop(executor)
        finally:
            self._executor = None
            _thread_hook.remove(self._caught_thread_failure)

    def _stop(self, executor: ProcessPoolExecutor) -> None:
        """Unwinding (Ctrl-C, SIGTERM, an error): kill the workers and reap them, never wait for their results.

        A signal sent to the whole process group (systemd stopping the service, `kill --
        -PGID`) may have killed a worker half-way through sending a result: waiting for
        the tasks started, the executor's thread would wait for the rest of it for ever,
        and so would the run, holding its lock and temp file. Another signal meanwhile
        waits until the workers are gone (`signals_held`), so it cannot stop this half-done.
        """
        with signals_held():
            self._abandon()
            executor.shutdown(wait=True, cancel_futures=True)   # (its thread ends at once: no worker is left)

    def _caught_thread_failure(self, args: threading.ExceptHookArgs) -> bool:
        """True when the exception is this pool's thread failing (no thread for its queue at the process
        limit): kept, for `_result` to say."""
        thread = getattr(self._executor, "_executor_manager_thread", None)
        if thread is None or args.thread is not thread or args.exc_value is None:
            return False
        self._thread_failure = _reason(args.exc_value)
        return True

    def map(self, tasks: Iterable[T]) -> Iterator[R]:
        """function(task) for each task, in the order of `tasks`; at most `window` tasks in flight."""
        executor = self._executor
        if executor is None:
            raise RuntimeError("OrderedPool.map outside its with block")
        pending: deque[Future[R]] = deque()
        remaining = iter(tasks)
        try:
            for task in remaining:
                pending.append(self._submit(executor, task))
                if len(pending) >= self._window:
                    break
            while pending:
                result = self._result(pending.popleft())
                for task in remaining:
                    pending.append(self._submit(executor, task))
                    break
                yield result
        finally:
            for future in pending:
                future.cancel()

    def _submit(self, executor: ProcessPoolExecutor, task: T) -> Future[R]:
        """The task handed to the pool; a pool already broken by a dead worker stops the run as _result does."""
        try:
            with _signals_held():   # a submit may fork the workers and start the pool's thread
                return executor.submit(_call, self._function, task)
        except BrokenProcessPool as exc:
            dead = self._dead_worker(settle=SETTLE_SECONDS) or "killed or crashed"
            self._abandon()
            raise self._died(dead) from exc
        except (OSError, RuntimeError) as exc:   # fork refused (EAGAIN), or no thread for the pool
            self._abandon()
            thread = getattr(executor, "_executor_manager_thread", None)
            if thread is not None and thread.ident is None:   # never started: shutdown() must not join it
                setattr(executor, "_executor_manager_thread", None)   # noqa: B010 - typeshed's type refuses None
            raise self._not_started(_reason(exc)) from None

    def _died(self, how: str) -> ProvpackError:
        """A worker ended: how (`_dead_worker`). Status 1 is how one ends that failed to start (printing
        why); under spawn and forkserver that is most often the caller's main module, imported again."""
        if how != "exit status 1" or self._method not in ("spawn", "forkserver"):
            return ProvpackError(f"a worker process died ({how}); nothing was written")
        return ProvpackError(f"a worker process died ({how}); nothing was written; workers started by "
                             f"{self._method} import the main module again: a script calling provpack must keep "
                             'its work under `if __name__ == "__main__":` and be run from a file, not stdin; '
                             "or pass jobs=1")

    def _not_started(self, reason: str) -> ProvpackError:
        return ProvpackError(f"could not start {self._jobs} worker processes: {reason}; "
                             f"nothing was written; use a smaller {option('--jobs')}")

    def _result(self, future: Future[R]) -> R:
        """The future's result, watching the workers while waiting: a dead one stops the run."""
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except _StartFailed as exc:
                self._abandon()
                raise self._not_started(str(exc)) from None
            except FutureTimeout:
                dead = self._dead_worker()
                if dead is not None:
                    self._abandon()
                    raise self._died(dead) from None
                if self._thread_failure is not None or not self._pool_thread_alive():
                    self._abandon()
                    raise self._not_started(self._thread_failure or "the pool's thread ended") from None
            except BrokenProcessPool as exc:
                dead = self._dead_worker(settle=SETTLE_SECONDS) or "killed or crashed"
                self._abandon()
                raise self._died(dead) from exc

    def _pool_thread_alive(self) -> bool:
        """False once the executor's thread has ended while tasks wait: nothing would ever give their results."""
        thread = getattr(self._executor, "_executor_manager_thread", None)
        return thread is None or thread.is_alive()

    def _dead_worker(self, *, settle: float = 0.0) -> str | None:
        """How the first ended worker ended ('killed by signal 9', 'exit status 1'), or None while all run."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        deadline = time.monotonic() + settle
        while True:
            for process in processes:
                code = process.exitcode
                if code is not None:
                    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            remaining = deadline - time.monotonic()
            if not processes or remaining <= 0:
                return None
            # The pool may report a death before the worker has quite ended (it has closed its pipes, not yet
            # exited): up to `settle` seconds for one to end, so that how it ended can be said. One that has
            # ended may still show no status for a moment: the pool's thread reaps it (waitpid) and sets its
            # status just after, and our own waitpid in between finds nothing to reap.
            if multiprocessing.connection.wait([process.sentinel for process in processes], remaining):
                time.sleep(STATUS_POLL_SECONDS)

    def _abandon(self) -> None:
        """Stop every worker and unblock the executor's result thread, so shutdown cannot hang.

        A worker killed while sending its result leaves half a message in the result
        pipe, and the executor's thread would wait for the rest for ever; with every
        worker gone, closing our own copy of the pipe's writing end gives it EOF.
        """
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            if process.exitcode is None:
                process.kill()
        for process in list(processes.values()):
            process.join(timeout=5)
        queue = getattr(executor, "_result_queue", None)
        writer = getattr(queue, "_writer", None)
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass
