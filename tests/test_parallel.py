"""Tests for provpack.parallel: results in task order, bounded windows, errors and interrupts."""

from __future__ import annotations

import errno
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from provpack.errors import ArchiveError, CaptureError, InputError, IntegrityError, ProvpackError
from provpack import parallel
from provpack.parallel import WORKER_GC_THRESHOLD, OrderedPool, _context, _signals_held, default_jobs


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


def worker_signal_state(_: int) -> tuple[bool, bool, bool]:
    """In a worker: SIGINT ignored, SIGTERM's default action, SIGTERM blocked?"""
    return (signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
            signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, []))


def exit_on_three(number: int) -> int:
    if number == 3:
        os._exit(3)
    return number


def exit_0_on_three(number: int) -> int:
    if number == 3:
        os._exit(0)
    return number


def kill_self_on_three(number: int, signal_number: int = signal.SIGKILL) -> int:
    if number == 3:
        if signal_number != signal.SIGKILL:   # (a disposition inherited from the test run, e.g. nohup's, is undone)
            signal.signal(signal_number, signal.SIG_DFL)
        os.kill(os.getpid(), signal_number)
        time.sleep(5)
    return number


def test_default_jobs_follows_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's affinity mask (of pid 0: itself) counts, not the machine's CPUs; else cpu_count; at least 1."""
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {1, 5, 7} if pid == 0 else set(range(64)),
                        raising=False)
    assert default_jobs() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert default_jobs() == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert default_jobs() == 64
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_jobs() == 1


def test_default_window_is_twice_the_jobs() -> None:
    """Without a window, 2 x jobs tasks are in flight: 4 taken at first, then one more as each result comes."""
    taken: list[int] = []

    def tasks() -> object:
        for number in range(20):
            taken.append(number)
            yield number

    with OrderedPool(slow_square, jobs=2) as pool:
        results = pool.map(tasks())  # type: ignore[arg-type]
        assert next(results) == 0
        assert len(taken) == 5
        assert list(results) == [n * n for n in range(1, 20)]


def worker_sighup_state(_: int) -> tuple[object, bool]:
    """In a worker: SIGHUP's handler, and whether it is blocked."""
    return signal.getsignal(signal.SIGHUP), signal.SIGHUP in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")
def test_workers_end_on_sighup_unless_it_is_ignored() -> None:
    """A caller's SIGHUP handler (provpack's, that raises) is its own: in a worker SIGHUP has its default action,
    and is not left blocked by the fork; ignored by the caller (nohup), it stays ignored in the workers."""
    previous = signal.signal(signal.SIGHUP, lambda number, frame: None)
    try:
        with OrderedPool(worker_sighup_state, jobs=2) as pool:
            assert set(pool.map(range(4))) == {(signal.SIG_DFL, False)}
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        with OrderedPool(worker_sighup_state, jobs=2) as pool:
            assert set(pool.map(range(4))) == {(signal.SIG_IGN, False)}
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_workers_ignore_ctrl_c_and_end_on_sigterm() -> None:
    """In a worker SIGINT is ignored, SIGTERM has its default action and is not left blocked by the fork."""
    with OrderedPool(worker_signal_state, jobs=2) as pool:
        assert set(pool.map(range(4))) == {(True, True, False)}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and forkserver: Linux")
def test_pool_started_from_another_thread_uses_a_fork_server() -> None:
    """Single-threaded, workers are forked; with another thread running (here the pool's own), a fork server
    starts them, and they work (they watch the fork server, their parent, not the caller)."""
    assert _context().get_start_method() == "fork"
    found: list[object] = []

    def run() -> None:
        found.append(_context().get_start_method())
        with OrderedPool(worker_pid, jobs=2) as pool:
            found.append(sorted(set(pool.map(range(6)))))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and len(found) == 2, found
    assert found[0] == "forkserver"
    pids = found[1]
    assert isinstance(pids, list) and pids and os.getpid() not in pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and forkserver: Linux")
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_start_method_the_caller_set_is_kept(method: str) -> None:
    """multiprocessing.set_start_method("spawn") or ("forkserver"), even single-threaded, is used (the caller may
    know of threads a C library started, which threading does not count); "fork" is not taken as an order to fork
    while other threads run, and unset the choice is provpack's."""
    before = multiprocessing.get_start_method(allow_none=True)
    try:
        multiprocessing.set_start_method(method, force=True)
        assert _context().get_start_method() == method
        multiprocessing.set_start_method("fork", force=True)
        assert _context().get_start_method() == "fork"
        found: list[str] = []
        thread = threading.Thread(target=lambda: found.append(_context().get_start_method()))
        thread.start()
        thread.join()
        assert found == ["forkserver"]
        multiprocessing.set_start_method(None, force=True)
        assert _context().get_start_method() == "fork"
    finally:
        multiprocessing.set_start_method(before, force=True)


def test_workers_start_only_where_processes_may_be_started() -> None:
    """Not in a daemonic process (a multiprocessing.Pool's worker), which multiprocessing forbids to start any."""
    assert parallel.can_start_workers()
    with multiprocessing.get_context("fork").Pool(1) as outer:
        assert outer.apply(parallel.can_start_workers) is False


FROM_STDIN = """
import threading
from provpack.errors import ProvpackError
from provpack.parallel import OrderedPool

stop = threading.Event()
other = threading.Thread(target=stop.wait)   # another thread: workers are started by a fork server
other.start()
try:
    with OrderedPool(abs, jobs=1) as pool:
        print(list(pool.map(range(-3, 0))))
except ProvpackError as exc:
    print(exc)
finally:
    stop.set()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and forkserver: Linux")
def test_a_worker_that_dies_starting_says_what_a_script_needs() -> None:
    """A script read from stdin, with another thread running: the fork server cannot import its main module again,
    each worker ends with status 1 (printing why), and the error says what a script needs, or jobs=1."""
    done = subprocess.run([sys.executable, "-"], input=FROM_STDIN, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.stdout == ("a worker process died (exit status 1); nothing was written; workers started by forkserver "
                           "import the main module again: a script calling provpack must keep its work under "
                           '`if __name__ == "__main__":` and be run from a file, not stdin; or pass jobs=1\n')
    assert "<stdin>" in done.stderr


def exit_1_on_three(number: int) -> int:
    if number == 3:
        os._exit(1)
    return number


def test_a_forked_worker_that_exits_1_says_only_that() -> None:
    """Forked workers do not import the main module again: no advice about it."""
    with OrderedPool(exit_1_on_three, jobs=1, window=2) as pool:
        with pytest.raises(ProvpackError) as caught:
            list(pool.map(range(10)))
    assert str(caught.value) in ("a worker process died (exit status 1); nothing was written",
                                 "a worker process died (killed or crashed); nothing was written")


@pytest.mark.parametrize(("function", "how"), [
    (exit_on_three, "exit status 3"),
    (exit_0_on_three, "exit status 0"),
    (kill_self_on_three, "killed by signal 9"),
    (functools.partial(kill_self_on_three, signal_number=signal.SIGHUP), "killed by signal 1"),
])
def test_a_worker_that_dies_stops_the_run(function: Callable[[int], int], how: str) -> None:
    """A worker ending mid-task stops the run with a ProvpackError, not a hang, before the task it died on gives a
    result; it names how the worker ended, unless the pool had already let go of it (a race with its thread)."""
    got: list[int] = []
    with OrderedPool(function, jobs=1, window=2) as pool:
        results = pool.map(range(10))
        with pytest.raises(ProvpackError) as caught:
            got.extend(results)
    assert got == [0, 1, 2][:len(got)]
    assert str(caught.value) in (f"a worker process died ({how}); nothing was written",
                                 "a worker process died (killed or crashed); nothing was written")


HALF_SENT = """
import multiprocessing, os, signal, struct, sys, time
from provpack.parallel import OrderedPool

def half_sent_then_terminated(number):
    # SIGTERM to the process group, as it may land: this worker dies half-way through sending a result,
    # and the caller is terminated.
    if number != 2:
        time.sleep(0.2)
        return number
    frame = sys._getframe()
    while frame.f_code.co_name != "_process_worker":
        frame = frame.f_back
    writer = frame.f_locals["result_queue"]._writer
    os.write(writer.fileno(), struct.pack("!i", 1 << 20) + b"half")   # a length, then only part of the bytes
    time.sleep(0.2)   # (the executor's thread starts reading them)
    os.kill(os.getppid(), signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)

def terminated(number, frame):
    raise KeyboardInterrupt("terminated")

signal.signal(signal.SIGTERM, terminated)
pool = OrderedPool(half_sent_then_terminated, jobs=2, window=4)
try:
    with pool:
        list(pool.map(range(8)))
except KeyboardInterrupt as exc:
    print("unwound:", exc, multiprocessing.active_children())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")
def test_sigterm_to_the_group_with_a_result_half_sent_does_not_hang() -> None:
    """A worker killed half-way through sending its result while the caller unwinds from SIGTERM: the with block
    ends at once, its workers killed and reaped, where shutdown waited for ever for the rest of the result."""
    process = subprocess.Popen([sys.executable, "-c", HALF_SENT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the caller hung leaving the with block")
    assert (process.returncode, out, err) == (0, "unwound: terminated []\n", "")


def test_a_worker_dead_between_two_maps_stops_the_next() -> None:
    """A worker killed while the pool is idle: the next map's first submit stops the run, naming the signal."""
    with OrderedPool(worker_pid, jobs=1) as pool:
        [pid] = set(pool.map(range(2)))
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not getattr(pool._executor, "_broken", True) and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ProvpackError) as caught:
            list(pool.map(range(2)))
    assert str(caught.value) == "a worker process died (killed by signal 9); nothing was written"


class _ReapedLate:
    """A worker that has ended (its sentinel is ready) but whose status shows only at the third look: the
    pool's thread reaped it and had not yet set the status when we looked."""

    def __init__(self) -> None:
        self._reader, writer = os.pipe()
        os.close(writer)   # (the reading end is at EOF: ready, as an ended process's sentinel is)
        self.looks = 0

    @property
    def sentinel(self) -> int:
        return self._reader

    @property
    def exitcode(self) -> int | None:
        self.looks += 1
        return -signal.SIGKILL if self.looks >= 3 else None

    def close(self) -> None:
        os.close(self._reader)


def test_a_dead_workers_status_is_waited_for_while_the_pools_thread_reaps_it() -> None:
    """Under load the status of a killed worker showed a moment after its sentinel: the message said
    'killed or crashed' (1 run in 12 of the test above with three busy loops on two cores)."""
    worker = _ReapedLate()
    pool: OrderedPool[int, int] = OrderedPool(worker_pid, jobs=1)
    pool._executor = type("Executor", (), {"_processes": {1: worker}})()
    try:
        assert pool._dead_worker(settle=1.0) == "killed by signal 9"
        assert worker.looks == 3
        pool._executor = type("Executor", (), {"_processes": {}})()
        assert pool._dead_worker(settle=1.0) is None   # (no worker: nothing to wait for)
    finally:
        pool._executor = None
        worker.close()


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")
def test_signals_held_blocks_sigterm_and_puts_ctrl_c_off() -> None:
    """Inside the block SIGTERM and SIGINT are blocked and Ctrl-C is only noted; after it the mask is back and
    the Ctrl-C arrives, as KeyboardInterrupt."""
    before, handler = signal.pthread_sigmask(signal.SIG_BLOCK, []), signal.getsignal(signal.SIGINT)
    reached: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with _signals_held():
            inside = signal.pthread_sigmask(signal.SIG_BLOCK, [])
            signal.raise_signal(signal.SIGINT)
            reached.append("end of block")
    assert reached == ["end of block"]
    assert {signal.SIGTERM, signal.SIGINT, signal.SIGHUP} <= inside
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    assert signal.getsignal(signal.SIGINT) is handler


def touch_then_nap(path: str) -> str:
    Path(path).touch()
    time.sleep(0.05)
    return path


def test_leaving_the_block_mid_map_cancels_the_tasks_not_started(tmp_path: Path) -> None:
    """Leaving the with block while a map is unfinished (its iterator still held) runs only the tasks started."""
    tasks = [str(tmp_path / f"task{n}") for n in range(20)]
    with OrderedPool(touch_then_nap, jobs=1, window=20) as pool:
        results = pool.map(tasks)
        assert next(results) == tasks[0]
    assert len(list(tmp_path.iterdir())) <= 8
    results.close()


def nap_then_square(number: int) -> int:
    time.sleep(0.3)
    return number * number


def test_a_task_longer_than_the_watch_interval_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller looks at the workers every WATCH_SECONDS while it waits; live workers are waited for."""
    monkeypatch.setattr(parallel, "WATCH_SECONDS", 0.02)
    with OrderedPool(nap_then_square, jobs=1, window=2) as pool:
        assert list(pool.map(range(3))) == [0, 1, 4]


def test_map_outside_the_with_block_is_refused() -> None:
    """map needs the workers the with block starts."""
    with pytest.raises(RuntimeError) as caught:
        next(OrderedPool(slow_square, jobs=1).map(range(3)))
    assert str(caught.value) == "OrderedPool.map outside its with block"


def test_usable_jobs_caps_at_the_tasks_and_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """No more workers than tasks, nor than JOBS_PER_CPU per CPU available; at least one."""
    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    assert parallel.JOBS_PER_CPU == 4
    assert [parallel.usable_jobs(jobs, tasks) for jobs, tasks in [(100, 3), (100, 50), (3, 50), (1, 50), (5, 0)]] \
        == [3, 8, 3, 1, 1]


def _pool_processes(pool: OrderedPool[int, int]) -> list[Any]:
    return list((getattr(pool._executor, "_processes", None) or {}).values())


def test_a_fork_refused_stops_the_run_and_leaves_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """fork failing with EAGAIN (the process limit, ulimit -u) once some workers run: a ProvpackError naming the
    jobs, the reason and what to do, and every worker already started ended; before, the run hung for ever."""
    spawn = ProcessPoolExecutor._spawn_process   # type: ignore[attr-defined]
    started: list[Any] = []

    def spawn_two(executor: ProcessPoolExecutor) -> None:
        if len(executor._processes) >= 2:   # type: ignore[attr-defined]
            raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        spawn(executor)
        started.extend(executor._processes.values())   # type: ignore[attr-defined]

    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", spawn_two)
    try:
        with pytest.raises(ProvpackError) as caught:
            with OrderedPool(slow_square, jobs=5) as pool:
                list(pool.map(range(20)))
        assert str(caught.value) == ("could not start 5 worker processes: Resource temporarily unavailable; "
                                     "nothing was written; use a smaller --jobs (jobs)")
        assert caught.value.exit_code == 2
        assert started and not any(process.is_alive() for process in started)
    finally:
        for process in started:   # without the fix: end them, or the test run would hang at exit
            if process.is_alive():
                process.kill()
                process.join()


def _no_thread(parent: int) -> None:
    raise RuntimeError("can't start new thread")


def test_a_worker_that_cannot_start_its_thread_stops_the_run(monkeypatch: pytest.MonkeyPatch,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    """A worker whose set-up fails (no thread to be had under ulimit -u) stops the run with the reason, and no
    traceback; before, the executor printed 'Exception in initializer' tracebacks and the caller saw a dead worker."""
    monkeypatch.setattr(parallel, "_watch_parent", _no_thread)   # (forked workers inherit it)
    capfd.readouterr()
    with pytest.raises(ProvpackError) as caught:
        with OrderedPool(slow_square, jobs=2) as pool:
            try:
                list(pool.map(range(8)))
            finally:
                processes = _pool_processes(pool)
    assert str(caught.value) == ("could not start 2 worker processes: can't start new thread; "
                                 "nothing was written; use a smaller --jobs (jobs)")
    assert len(processes) == 2 and not any(process.is_alive() for process in processes)
    assert capfd.readouterr().err == ""


def test_no_thread_for_the_pool_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's own thread refused in this process: the same error, the workers ended, and no hang at shutdown
    (which would otherwise try to join a thread that never started)."""
    from concurrent.futures import process as executor_module

    def refuse(thread: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(executor_module._ExecutorManagerThread, "start", refuse)
    pool = OrderedPool(slow_square, jobs=2)
    with pytest.raises(ProvpackError) as caught:
        with pool:
            try:
                list(pool.map(range(8)))
            finally:
                processes = _pool_processes(pool)
    assert str(caught.value) == ("could not start 2 worker processes: can't start new thread; "
                                 "nothing was written; use a smaller --jobs (jobs)")
    assert len(processes) == 2 and not any(process.is_alive() for process in processes)


def test_no_thread_for_the_task_queue_stops_the_run(monkeypatch: pytest.MonkeyPatch,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    """The pool's thread failing to start the task queue's own thread (ulimit -u): the same error within a watch,
    no traceback, the workers ended; before, the thread died printing one and the run waited for ever."""
    import multiprocessing.queues

    def refuse(queue: object) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(multiprocessing.queues.Queue, "_start_thread", refuse)
    monkeypatch.setattr(parallel, "WATCH_SECONDS", 0.05)
    hook = threading.excepthook
    capfd.readouterr()
    pool = OrderedPool(slow_square, jobs=2)
    with pytest.raises(ProvpackError) as caught:
        with pool:
            try:
                list(pool.map(range(8)))
            finally:
                processes = _pool_processes(pool)
    assert str(caught.value) == ("could not start 2 worker processes: can't start new thread; "
                                 "nothing was written; use a smaller --jobs (jobs)")
    assert len(processes) == 2 and not any(process.is_alive() for process in processes)
    assert capfd.readouterr().err == ""
    assert threading.excepthook is hook


def test_pools_open_in_two_threads_put_the_thread_hook_back_in_any_order() -> None:
    """Pools opened in two threads and closed in the order they were opened (or the other) leave threading.excepthook
    as it was; while either is open, another thread's exception goes to the hook there was before. Before, the
    first to close left the other's in place, and the last put back the first's, bound to a pool long closed."""
    hook = threading.excepthook
    seen: list[str] = []

    def mine(args: threading.ExceptHookArgs) -> None:
        seen.append(str(args.exc_value))

    def fail() -> None:
        raise ValueError("not a pool's thread")

    threading.excepthook = mine
    try:
        for order in ((0, 1), (1, 0)):
            pools = [OrderedPool(slow_square, jobs=1), OrderedPool(slow_square, jobs=1)]
            pools[0].__enter__()
            pools[1].__enter__()
            thread = threading.Thread(target=fail)
            thread.start()
            thread.join()
            for index in order:
                pools[index].__exit__(None, None, None)
            assert threading.excepthook is mine
        assert seen == ["not a pool's thread"] * 2
    finally:
        threading.excepthook = hook


def test_a_thread_hook_installed_over_the_pools_is_left_in_place() -> None:
    """Something that installs its own threading.excepthook while a pool is open keeps it after the pool closes."""
    hook = threading.excepthook
    try:
        with OrderedPool(slow_square, jobs=1):
            def other(args: threading.ExceptHookArgs) -> None:
                hook(args)

            threading.excepthook = other
        assert threading.excepthook is other
        threading.excepthook = hook   # (the caller puts its own back: the next pool installs the pools' hook again)
        with OrderedPool(slow_square, jobs=1):
            assert threading.excepthook is parallel._thread_hook
        assert threading.excepthook is hook
    finally:
        threading.excepthook = hook
