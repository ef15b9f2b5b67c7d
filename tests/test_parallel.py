"""Tests for provpack.parallel: results in task order, bounded windows, errors and interrupts."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor

import pytest

from provpack.errors import ArchiveError, CaptureError, InputError, IntegrityError, ProvpackError
from provpack.parallel import WORKER_GC_THRESHOLD, OrderedPool, default_jobs


def slow_square(number: int) -> int:
    """Later tasks finish first, so order must be restored."""
    time.sleep(0.002 * (number % 3))
    return number * number


def fail_on_seven(number: int) -> int:
    if number == 7:
        raise InputError("doc7.txt", "invalid UTF-8 (0xFF)", offset=12, fix="re-save the file as UTF-8")
    return number


def worker_pid(_: int) -> int:
    return os.getpid()


def worker_gc(_: int) -> tuple[int, bool]:
    return gc.get_threshold()[0], gc.isenabled()


def test_results_come_in_task_order() -> None:
    """Whatever finishes first, results are yielded in the order of the tasks."""
    with OrderedPool(slow_square, jobs=2, window=4) as pool:
        assert list(pool.map(range(40))) == [n * n for n in range(40)]


def test_window_bounds_tasks_in_flight() -> None:
    """No more than `window` tasks are taken from the iterator ahead of the consumer."""
    taken: list[int] = []

    def tasks() -> object:
        for number in range(100):
            taken.append(number)
            yield number

    with OrderedPool(slow_square, jobs=2, window=3) as pool:
        results = pool.map(tasks())  # type: ignore[arg-type]
        assert next(results) == 0
        assert len(taken) <= 4
        assert list(results) == [n * n for n in range(1, 100)]


def test_work_runs_in_other_processes() -> None:
    """The function runs in worker processes, not in the caller."""
    with OrderedPool(worker_pid, jobs=2) as pool:
        assert os.getpid() not in set(pool.map(range(8)))


def test_workers_collect_garbage_rarely_and_leave_the_caller_alone() -> None:
    """Workers raise the collector's first threshold (still enabled); the caller's stays as it was."""
    before = gc.get_threshold()
    with OrderedPool(worker_gc, jobs=2) as pool:
        assert set(pool.map(range(4))) == {(WORKER_GC_THRESHOLD, True)}
    assert gc.get_threshold() == before


def test_worker_error_arrives_whole() -> None:
    """An InputError raised in a worker is raised in the caller with its message and attributes."""
    with OrderedPool(fail_on_seven, jobs=2, window=4) as pool:
        results = pool.map(range(20))
        assert [next(results) for _ in range(7)] == list(range(7))
        with pytest.raises(InputError) as caught:
            next(results)
    error = caught.value
    assert str(error) == "doc7.txt: byte 12: invalid UTF-8 (0xFF); re-save the file as UTF-8"
    assert (error.path.name, error.offset, error.problem) == ("doc7.txt", 12, "invalid UTF-8 (0xFF)")


@pytest.mark.parametrize("error", [
    InputError("a.yaml", "malformed YAML", line=3, column=4, fix="fix it"),
    ArchiveError("x.warc.gz", "already exists", fix="pass --force"),
    CaptureError("https://example.org/", "timed out"),
    IntegrityError("x.warc.gz", "digest mismatch"),
    ProvpackError("plain"),
])
def test_errors_pickle_whole(error: ProvpackError) -> None:
    """Every provpack error survives pickling: same type, message, attributes and exit code."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error) and copy.args == error.args
    assert copy.__dict__ == error.__dict__ and copy.exit_code == error.exit_code


def test_interrupt_in_the_consumer_stops_the_pool() -> None:
    """KeyboardInterrupt while consuming cancels the rest and leaves no worker behind."""
    pool = OrderedPool(slow_square, jobs=2, window=4)
    processes = []
    with pytest.raises(KeyboardInterrupt):
        with pool:
            for result in pool.map(range(1000)):
                if result > 50:
                    assert pool._executor is not None
                    processes = list(pool._executor._processes.values())
                    raise KeyboardInterrupt
    assert len(processes) == 2
    assert all(not process.is_alive() for process in processes)


def test_ctrl_c_while_the_pool_starts_leaves_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C arriving while submit forks the workers waits until the pool is whole, then stops it cleanly.

    Delivered at once, it left workers that no manager thread would ever stop
    (the command then hung at exit), or a manager thread that join() refused.
    """
    launched: list[object] = []
    launch = ProcessPoolExecutor._launch_processes

    def launch_then_interrupt(executor: ProcessPoolExecutor) -> None:
        launch(executor)
        launched.extend(executor._processes.values())   # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(ProcessPoolExecutor, "_launch_processes", launch_then_interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            with OrderedPool(slow_square, jobs=2) as pool:
                list(pool.map(range(8)))
        for process in launched:
            process.join(timeout=5)   # type: ignore[attr-defined]
        assert launched and not any(process.is_alive() for process in launched)   # type: ignore[attr-defined]
    finally:
        for process in launched:   # without the fix: end them, or the test run would hang at exit
            if process.is_alive():   # type: ignore[attr-defined]
                process.kill()   # type: ignore[attr-defined]
                process.join()   # type: ignore[attr-defined]


def test_ctrl_c_given_to_another_thread_waits_for_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread running (a progress bar's), the OS hands SIGINT to it while submit starts the pool;
    Python still raises in the main thread, so the handler there puts it off until the pool is whole: the
    KeyboardInterrupt comes from outside the executor's submit, and every worker ends."""
    spawned: list[object] = []
    spawn = ProcessPoolExecutor._spawn_process   # type: ignore[attr-defined]

    def spawn_then_interrupt(executor: ProcessPoolExecutor) -> None:
        spawn(executor)
        spawned.extend(executor._processes.values())
        if len(spawned) == 1:
            os.kill(os.getpid(), signal.SIGINT)   # blocked in this thread: the other thread takes it
            time.sleep(0.05)   # (long enough for Python to act on it)

    stop = threading.Event()
    other = threading.Thread(target=lambda: stop.wait(30), daemon=True)
    other.start()
    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", spawn_then_interrupt)
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            with OrderedPool(slow_square, jobs=2) as pool:
                list(pool.map(range(8)))
        files = [frame.filename for frame in traceback.extract_tb(caught.value.__traceback__)]
        assert not any(name.endswith(os.path.join("concurrent", "futures", "process.py")) for name in files), files
        for process in spawned:
            process.join(timeout=5)   # type: ignore[attr-defined]
        assert spawned and not any(process.is_alive() for process in spawned)   # type: ignore[attr-defined]
    finally:
        stop.set()
        other.join(timeout=5)   # (no thread left over: the pool of a later test would take forkserver)
        for process in spawned:
            if process.is_alive():   # type: ignore[attr-defined]
                process.kill()   # type: ignore[attr-defined]
                process.join()   # type: ignore[attr-defined]


def test_default_jobs_is_the_cpus_available() -> None:
    """At least one, and no more than the machine has."""
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)
