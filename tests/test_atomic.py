"""Tests for provpack.atomic: whole-or-nothing writes, the output lock, and what a failure says."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import importlib
import io
import os
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import provpack
from provpack import atomic
from provpack.atomic import atomic_files, atomic_writer, lock_path_for, output_lock
from provpack.cli import main
from provpack.errors import ArchiveError

from conftest import SEED_NAME, write_text

DATE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


def leftovers(folder: Path) -> list[str]:
    """Temp and lock files in `folder`: there must never be any after a run."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock")))


def test_writes_whole_file_with_usual_mode(tmp_path: Path) -> None:
    """The file appears with its bytes and 0644 less the umask; no temp or lock file stays."""
    path = tmp_path / "sub" / "deeper" / "f.bin"
    with atomic_writer(path) as out:
        out.write(b"hello")
        assert not path.exists() and lock_path_for(path).exists()
    assert path.read_bytes() == b"hello"
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644 & ~mask
    assert leftovers(path.parent) == []


def test_private_mode_is_kept(tmp_path: Path) -> None:
    """A file written with mode 0600 is never readable by others, not even while it is written."""
    path = tmp_path / "key"
    with atomic_writer(path, mode=0o600) as out:
        assert os.fstat(out.fileno()).st_mode & 0o077 == 0
        out.write(b"secret")
    assert path.stat().st_mode & 0o777 == 0o600


def test_exception_leaves_old_file(tmp_path: Path) -> None:
    """Any exception, KeyboardInterrupt included, removes the temp file and keeps the old content."""
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    for error in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(error)), atomic_writer(path, force=True) as out:
            out.write(b"new, half")
            raise error
        assert path.read_bytes() == b"old"
        assert leftovers(tmp_path) == []


class FullDisk(io.BufferedWriter):
    """A temp file on a disk that fills up after `room` bytes."""

    room = 5000

    def write(self, data: Any) -> int:
        FullDisk.room -= len(data)
        if FullDisk.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every temp file atomic opens runs out of space after 5000 bytes."""
    real = atomic._open_temp

    def open_temp(path: Path) -> tuple[Path, Any]:
        temp_path, handle = real(path)
        handle.close()
        FullDisk.room = 5000
        return temp_path, FullDisk(io.FileIO(temp_path, "wb"))

    monkeypatch.setattr(atomic, "_open_temp", open_temp)


def big_source(folder: Path, count: int = 4) -> Path:
    """A few texts too big to compress below 5000 bytes."""
    import random

    rng = random.Random(1)
    for n in range(count):
        words = " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
                         for _ in range(1500))
        write_text(folder, f"doc{n}", f"{words} [...] end\n".encode())
    return folder


def test_disk_full_mid_write_keeps_old_archive(tmp_path: Path, seed_dir: Path, full_disk: None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """ENOSPC mid-write: exit 2, 'disk full' named, old archive and its .sha256 untouched, no temp files."""
    out = tmp_path / "out" / "a.warc.gz"
    FullDisk.room = 10**9
    provpack.package(seed_dir, out=out, date=DATE)
    before = out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()
    assert main(["package", str(big_source(tmp_path / "big")), "-o", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "disk full (no space left on device) while writing; nothing was changed" in err and str(out) in err
    assert (out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()) == before
    assert leftovers(out.parent) == []


def test_disk_full_at_the_last_flush_keeps_old_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC when the last buffered bytes are flushed still leaves the old archive and its .sha256 in place."""
    out = tmp_path / "a.warc.gz"
    write_text(tmp_path / "src", "doc", b"a text [...] here\n")
    provpack.package(tmp_path / "src", out=out, date=DATE)
    before = out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    with pytest.raises(ArchiveError, match="disk full"):
        provpack.package(tmp_path / "src", out=out, date=DATE, force=True, description="changed")
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert (out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()) == before
    assert leftovers(tmp_path) == []


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "64k") -> Iterator[Path]:
    """A real tmpfs of `size` mounted at folder; skips the test where mounting is not allowed."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root in a sandbox that allows it): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)


def test_real_full_tmpfs(tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a real 64 KiB file system that fills up: exit 2 'disk full', the old archive intact, nothing left over."""
    source = big_source(tmp_path / "big", count=12)
    with small_tmpfs(tmp_path / "small") as disk:
        out = disk / "a.warc.gz"
        assert main(["package", str(seed_dir), "-o", str(out)]) == 0
        before = out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()
        capsys.readouterr()
        assert main(["package", str(source), "-o", str(out), "--force"]) == 2
        assert "disk full" in capsys.readouterr().err
        assert (out.read_bytes(), out.with_name("a.warc.gz.sha256").read_bytes()) == before
        assert leftovers(disk) == []
        assert main(["verify", str(out)]) == 0


def test_second_writer_is_refused(tmp_path: Path) -> None:
    """While one run holds the lock, another run on the same output fails at once, naming it."""
    path = tmp_path / "a.warc.gz"
    with output_lock(path):
        with pytest.raises(ArchiveError, match="another provpack is writing a.warc.gz"), atomic_writer(path):
            pass
        assert not path.exists()
    with atomic_writer(path) as out:  # released: the next run goes ahead
        out.write(b"x")
    assert leftovers(tmp_path) == []


def test_stale_lock_and_temp_files_do_not_block(tmp_path: Path) -> None:
    """A lock file and temp file left by a killed run (kill -9) neither block nor survive the next run."""
    path = tmp_path / "a.warc.gz"
    lock_path_for(path).write_bytes(b"")
    stale = tmp_path / ".a.warc.gz.k1ll3d_9.tmp"
    stale.write_bytes(b"half an archive")
    other = tmp_path / ".a.warc.gz.x.warc.gz.abcdefgh.tmp"  # another output's temp file: not ours to delete
    other.write_bytes(b"")
    with atomic_writer(path) as out:
        out.write(b"whole")
    assert path.read_bytes() == b"whole"
    assert not stale.exists() and other.exists()
    assert not lock_path_for(path).exists()


def test_lock_retries_when_the_file_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the previous holder removes the lock file between our open and our flock, we lock the new file."""
    import fcntl

    path = tmp_path / "a.warc.gz"
    lock_path = lock_path_for(path)
    real_flock = fcntl.flock
    calls = []

    def flock(fd: int, operation: int) -> None:
        calls.append(fd)
        if len(calls) == 1:  # the previous holder finishes right now: unlink, and a third run recreates it
            lock_path.unlink()
            lock_path.write_bytes(b"")
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    with output_lock(path):
        assert len(calls) == 2
        assert os.path.samestat(os.fstat(calls[1]), lock_path.stat())


def test_existing_output_needs_force(tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """package refuses to replace an archive (or a dangling link in its place) without --force."""
    out = tmp_path / "a.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out)]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", str(out), "--description", "other"]) == 2
    assert "a.warc.gz: already exists; pass --force" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--description", "other"]) == 0
    assert out.read_bytes() != before
    dangling = tmp_path / "b.warc.gz"
    dangling.symlink_to(tmp_path / "nowhere")
    assert main(["package", str(seed_dir), "-o", str(dangling)]) == 2
    assert not (tmp_path / "nowhere").exists()


def test_output_path_with_dotdot(tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'..' in the output goes where the OS says; no folders are invented behind it; nothing lands elsewhere."""
    (tmp_path / "real").mkdir()
    out = tmp_path / "real" / ".." / "up.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out)]) == 0
    assert (tmp_path / "up.warc.gz").exists() and (tmp_path / "up.warc.gz.sha256").exists()
    assert list((tmp_path / "real").iterdir()) == []
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", str(tmp_path / "ghost" / ".." / "x.warc.gz")]) == 2
    assert "does not exist; create it first" in capsys.readouterr().err
    assert not (tmp_path / "ghost").exists() and not (tmp_path / "x.warc.gz").exists()


def test_a_file_on_the_way_is_named_before_the_dotdot_rule(tmp_path: Path, seed_dir: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A file where a folder should be is the problem named, with '..' in the path or in output_dir."""
    (tmp_path / "fx").mkdir()
    (tmp_path / "fx" / "plain.txt").write_bytes(b"a file")
    (tmp_path / "w").mkdir()
    monkeypatch.chdir(tmp_path / "w")
    for output in ("../fx/plain.txt/x.warc.gz", "../fx/plain.txt/sub/x.warc.gz"):
        assert main(["package", str(seed_dir), "-o", output]) == 2
        err = capsys.readouterr().err
        assert f"{output}: ../fx/plain.txt is not a folder; choose another output path" in err, err
    config = tmp_path / "w" / "provpack.yaml"
    for output_dir, said in (("../fx/plain.txt", "is not a folder; set output_dir to a folder, or give -o"),
                             ("../ghost", "does not exist; create it first, or set output_dir to a path without "
                                          "'..', or give -o")):
        config.write_text(f"output_dir: {output_dir}\n")
        assert main(["package", str(seed_dir)]) == 2
        err = capsys.readouterr().err
        assert f"{config}: 'output_dir': " in err and said in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fx", "w", seed_dir.name])
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["provpack.yaml"]
    assert [p.name for p in (tmp_path / "fx").iterdir()] == ["plain.txt"]


def test_symlinked_output_folder_and_file(tmp_path: Path, seed_dir: Path) -> None:
    """A symlinked output folder receives the archive; a symlink at the output name is replaced, not its target."""
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target, target_is_directory=True)
    assert main(["package", str(seed_dir), "-o", str(tmp_path / "link" / "a.warc.gz")]) == 0
    assert sorted(p.name for p in target.iterdir()) == ["a.warc.gz", "a.warc.gz.sha256"]
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    (tmp_path / "b.warc.gz").symlink_to(victim)
    assert main(["package", str(seed_dir), "-o", str(tmp_path / "b.warc.gz"), "--force"]) == 0
    assert victim.read_bytes() == b"do not touch"
    assert not (tmp_path / "b.warc.gz").is_symlink()
    assert main(["verify", str(tmp_path / "b.warc.gz")]) == 0


@pytest.mark.parametrize("points_to, shown", [
    ("/proc/self/fd/1", "an open file descriptor (/proc/self/fd/1)"),
    ("/dev/stdout", "an open file descriptor (/proc/self/fd/1)"),
    ("/dev/fd/1", "an open file descriptor (/dev/fd/1)"),
    ("/dev/null", "a character device (/dev/null)"),
    ("FIFO", "a named pipe (FIFO) (FIFO)"),
])
def test_a_link_to_standard_output_or_a_device_is_refused_even_with_force(
        tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str], points_to: str, shown: str) -> None:
    """-o naming a link to an open file descriptor (as /dev/stdout is), a device or a FIFO: exit 2 saying so, the link
    left in place (a rename would replace it: /dev/stdout itself, run as root), stdout given even as a regular file."""
    assert main(["package", str(seed_dir), "-o", str(tmp_path / "a.warc.gz")]) == 0
    if points_to == "FIFO":
        points_to = str(tmp_path / "fifo")
        os.mkfifo(points_to)
        shown = shown.replace("(FIFO) (FIFO)", f"(FIFO) ({points_to})")
    link = tmp_path / "out.txt"
    link.symlink_to(points_to)
    capsys.readouterr()
    assert main(["extract", str(tmp_path / "a.warc.gz"), SEED_NAME, "-o", str(link), "--force"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {link}: is a symbolic link to {shown}, not a regular file; "
                                       "provpack does not replace it, even with --force; name a regular "   # (extract's)
                                       "file to write (the commands extract and index write to standard output with "
                                       "-o -)\n")
    assert os.readlink(link) == points_to


def test_output_is_a_folder_or_under_a_file(tmp_path: Path) -> None:
    """Writing onto a folder, or under something that is a file, is an ArchiveError naming the path."""
    (tmp_path / "dir.bin").mkdir()
    with pytest.raises(ArchiveError, match="is a folder"), atomic_writer(tmp_path / "dir.bin", force=True):
        pass
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(ArchiveError, match="is not a folder"), atomic_writer(tmp_path / "file" / "x"):
        pass


def test_a_device_or_fifo_is_never_replaced(tmp_path: Path, seed_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO or a device at the output name is refused, even with --force, and is still there after."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ArchiveError, match="is a named pipe .FIFO., not a regular file"), \
            atomic_writer(fifo, force=True):
        pass
    archive = tmp_path / "a.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(archive)]) == 0
    name = provpack.read_archive(archive)[0].name
    os.mkfifo(tmp_path / "p.warc.gz")
    os.mkfifo(tmp_path / "w.wacz")
    cases = [(["extract", str(archive), name, "-o"], fifo), (["index", str(archive), "-o"], fifo),
             (["extract", str(archive), name, "-o"], Path(os.devnull)), (["index", str(archive), "-o"], Path(os.devnull)),
             (["package", str(seed_dir), "-o"], tmp_path / "p.warc.gz"),
             (["package", str(seed_dir), "--wacz", "-o", str(tmp_path / "w.warc.gz")], tmp_path / "w.wacz")]
    for args, special in cases:
        given = args if args[-1] != "-o" else [*args, str(special)]
        for force in (["--force"], []):
            capsys.readouterr()
            assert main([*given, *force]) == 2, given
            err = capsys.readouterr().err
            assert f"{special}: is a " in err and "not a regular file" in err and "-o -" in err, err
            assert "already exists" not in err and "Traceback" not in err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert all(stat.S_ISFIFO(os.lstat(tmp_path / fifo_name).st_mode) for fifo_name in ("pipe", "p.warc.gz", "w.wacz"))
    assert not (tmp_path / "w.warc.gz").exists()
    assert leftovers(tmp_path) == []


def test_companions_commit_after_the_main_file(tmp_path: Path) -> None:
    """Staged files all appear on success, and none does when the block fails."""
    main_path, companion = tmp_path / "a", tmp_path / "a.sha256"
    with atomic_files(main_path) as staging:
        staging.open(main_path).write(b"A")
        staging.open(companion).write(b"sum of A")
    assert main_path.read_bytes() == b"A" and companion.read_bytes() == b"sum of A"
    with pytest.raises(RuntimeError), atomic_files(main_path, force=True) as staging:
        staging.open(main_path).write(b"B")
        staging.open(companion).write(b"sum of B")
        raise RuntimeError("stop")
    assert main_path.read_bytes() == b"A" and companion.read_bytes() == b"sum of A"
    assert leftovers(tmp_path) == []


def _signal_after_first_rename(monkeypatch: pytest.MonkeyPatch, signum: int) -> list[str]:
    """Make the first rename of a commit to a final name deliver `signum` to this process, as a signal arriving
    mid-commit would (the renames that set old files aside, to temp names, are not counted)."""
    renamed: list[str] = []
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        real_replace(source, target)
        if Path(target).name.endswith(atomic.TEMP_SUFFIX):
            return
        renamed.append(Path(target).name)
        if len(renamed) == 1:
            signal.raise_signal(signum)

    monkeypatch.setattr(atomic.os, "replace", replace)
    return renamed


@pytest.mark.parametrize("signum, code, words", [(signal.SIGTERM, 143, "terminated (SIGTERM)"),
                                                 (signal.SIGINT, 130, "interrupted"),
                                                 (signal.SIGHUP, 129, "terminated (SIGHUP)")])
def test_a_signal_mid_commit_waits_for_the_commit(tmp_path: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str], signum: int, code: int,
                                                  words: str) -> None:
    """SIGTERM, Ctrl-C or SIGHUP between the archive's rename and its checksum's: both take their names, then the
    run stops (143/130/129) with a message that is true; the archive verifies against its new .sha256."""
    out = tmp_path / "out" / "a.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out), "-q"]) == 0
    old = out.read_bytes()
    (seed_dir / "extra.txt").write_text("A Title\n\nSome text [...] here.\n", encoding="utf-8")
    renamed = _signal_after_first_rename(monkeypatch, signum)
    capsys.readouterr()
    missed: list[int] = []   # (SIGTERM or SIGHUP main() does not catch comes here, not to the default action)
    outside = signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT
                            else lambda number, frame: missed.append(number))
    try:
        assert main(["package", str(seed_dir), "-o", str(out), "--force", "-q"]) == code
    finally:
        signal.signal(signum, outside)
    assert missed == []
    err = capsys.readouterr().err
    assert renamed == ["a.warc.gz", "a.warc.gz.sha256"]
    assert words in err and "each output file is complete or as it was before" in err
    assert sorted(p.name for p in out.parent.iterdir()) == ["a.warc.gz", "a.warc.gz.sha256"]
    assert out.read_bytes() != old and provpack.verify(out).ok
    monkeypatch.undo()
    assert main(["verify", "-q", str(out)]) == 0


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_as_the_temp_file_is_made_leaves_none(tmp_path: Path, seed_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch, signum: int,
                                                       code: int) -> None:
    """A signal just after the temp file is created, before the run has noted it: it waits until the file is
    noted, so the run removes it as it stops (it was left, as large as the archive it became, with no run to
    remove it but the next on that output)."""
    real_open_temp = atomic._open_temp

    def open_temp(path: Path) -> Any:
        made = real_open_temp(path)
        signal.raise_signal(signum)
        return made

    monkeypatch.setattr(atomic, "_open_temp", open_temp)
    out = tmp_path / "out" / "a.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out), "-q"]) == code
    assert list(out.parent.iterdir()) == []


def test_a_signal_as_the_lock_is_taken_leaves_no_lock_file(tmp_path: Path, seed_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM just as the lock is taken: the run stops (143) and removes its lock file, as at any other moment."""
    real_acquire = atomic._acquire

    def acquire(lock_path: Path, path: Path) -> int:
        fd = real_acquire(lock_path, path)
        signal.raise_signal(signal.SIGTERM)
        return fd

    monkeypatch.setattr(atomic, "_acquire", acquire)
    out = tmp_path / "out" / "a.warc.gz"
    assert main(["package", str(seed_dir), "-o", str(out), "-q"]) == 143
    assert list(out.parent.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: POSIX")
def test_a_forked_process_does_not_keep_the_lock(tmp_path: Path) -> None:
    """A process forked while the lock is held (a worker) has no copy of it, so it cannot keep the lock once the
    run is gone; the run itself still holds it."""
    import fcntl

    target = tmp_path / "a.warc.gz"
    with atomic.output_lock(target) as lock_path:
        child = os.fork()
        if child == 0:   # (the child: is any descriptor of the lock file open? exit status 1 if so)
            try:
                held = any(os.path.realpath(f"/proc/self/fd/{fd}") == str(lock_path.resolve())
                           for fd in os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else False
            finally:
                os._exit(1 if held else 0)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        other = os.open(lock_path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
    assert atomic._HELD_LOCKS == set()


def test_signals_held_delivers_after_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """A signal during signals_held() reaches the handler that was there before, once, after the block."""
    seen: list[tuple[int, bool]] = []
    inside = [False]

    def handler(signum: int, frame: object) -> None:
        seen.append((signum, inside[0]))

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with atomic.signals_held():
            inside[0] = True
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGTERM)
            assert seen == []
            inside[0] = False
        assert seen == [(signal.SIGTERM, False)]
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_failed_rename_mid_commit_says_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename that fails after the main file took its name: the error names it, rather than 'nothing changed'."""
    main_path, companion = tmp_path / "a", tmp_path / "a.sha256"
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target) == companion:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(ArchiveError, match=rf"while renaming the files into place: {main_path} written, the others "
                                           "not; fix the folder"), atomic_files(main_path) as staging:
        staging.open(main_path).write(b"A")
        staging.open(companion).write(b"sum of A")
    assert main_path.read_bytes() == b"A" and not companion.exists()
    assert leftovers(tmp_path) == []


def test_a_killed_runs_temp_file_is_noted_without_v(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The temp file a kill -9 left is removed with a one-line note (no -v needed); -q keeps quiet about it."""
    from conftest import ARCHIVE

    out = tmp_path / "x.cdxj"
    stale = tmp_path / ".x.cdxj.k1ll3d_9.tmp"
    stale.write_bytes(b"half an index")
    assert main(["index", str(ARCHIVE / "seeds.warc.gz"), "-o", str(out)]) == 0
    assert f"provpack: warning: removing {stale}, left by an interrupted run\n" in capsys.readouterr().err
    assert not stale.exists()
    stale.write_bytes(b"half an index")
    assert main(["index", "-q", str(ARCHIVE / "seeds.warc.gz"), "-o", str(out), "--force"]) == 0
    assert capsys.readouterr().err == "" and not stale.exists()


def test_the_defaults_refuse_an_existing_output_and_hold_the_lock(tmp_path: Path) -> None:
    """Without force an existing output is refused, named; without lock=False the block holds the output lock."""
    path = tmp_path / "a"
    path.write_bytes(b"old")
    with pytest.raises(ArchiveError, match="already exists"), atomic_files(path):
        pass
    with pytest.raises(ArchiveError, match="already exists"), atomic_writer(path):
        pass
    assert path.read_bytes() == b"old"
    with atomic_writer(path, force=True) as out:
        assert lock_path_for(path).exists()
        with pytest.raises(ArchiveError, match="another provpack is writing a"), output_lock(path):
            pass
        out.write(b"new")
    assert path.read_bytes() == b"new" and leftovers(tmp_path) == []
    with atomic_files(path, force=True):
        with pytest.raises(ArchiveError, match="another provpack is writing a"), output_lock(path):
            pass


def test_a_block_that_stages_nothing_changes_nothing(tmp_path: Path) -> None:
    """A block that opens no file commits nothing and leaves nothing behind."""
    with atomic_files(tmp_path / "a") as staging:
        assert staging.committed == []
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_old_companions_go_before_the_new_main_file_takes_its_name(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the renames leaves the new main file without a checksum, never with the old one."""
    main_path, companion = tmp_path / "a", tmp_path / "a.sha256"
    main_path.write_bytes(b"A")
    companion.write_bytes(b"sum of A")
    seen: list[bool] = []
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target) == main_path:
            seen.append(companion.exists())
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with atomic_files(main_path, force=True) as staging:
        staging.open(main_path).write(b"B")
        staging.open(companion).write(b"sum of B")
    assert seen == [False]
    assert main_path.read_bytes() == b"B" and companion.read_bytes() == b"sum of B"


def test_a_companion_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    """Staging a file onto a folder is refused before anything is written, naming the folder."""
    (tmp_path / "a.sha256").mkdir()
    with pytest.raises(ArchiveError, match=r"a\.sha256: is a folder"), atomic_files(tmp_path / "a") as staging:
        staging.open(tmp_path / "a").write(b"A")
        staging.open(tmp_path / "a.sha256")
    assert not (tmp_path / "a").exists() and leftovers(tmp_path) == []
    (tmp_path / "b").mkdir()
    with pytest.raises(ArchiveError, match=r"b: is a folder"), atomic_files(tmp_path / "b"):
        pass


def test_stale_temps_of_the_other_kind_are_left(tmp_path: Path) -> None:
    """A file write removes only stale temp files, a folder write only stale temp folders."""
    path = tmp_path / "a"
    folder = tmp_path / ".a.abcdefgh.tmp"
    folder.mkdir()
    (tmp_path / ".a.ijklmnop.tmp").write_bytes(b"")
    atomic.remove_stale_temps(path, folders=True)
    assert not folder.exists() and (tmp_path / ".a.ijklmnop.tmp").exists()
    folder.mkdir()
    with atomic_writer(path) as out:
        out.write(b"x")
    assert folder.is_dir() and not (tmp_path / ".a.ijklmnop.tmp").exists()


def test_the_lock_file_is_private(tmp_path: Path) -> None:
    """The lock file is made with mode 0600 (less the umask), never following a symlink."""
    path = tmp_path / "a"
    with output_lock(path) as lock_path:
        assert stat.S_IMODE(lock_path.stat().st_mode) == 0o600 & ~atomic._umask()
    lock_path_for(path).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ArchiveError, match="cannot create the lock file .a.lock"), output_lock(path):
        pass
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, which takes no new files")
def test_a_folder_that_takes_no_new_files_is_said_so(tmp_path: Path) -> None:
    """/proc refuses a new file with ENOENT ('No such file or directory'): said as what it is, not as a permissions
    problem; so is a folder removed meanwhile, and a folder where the lock file goes."""
    with pytest.raises(ArchiveError) as caught, atomic_writer(Path("/proc/x.warc.gz")):
        pass
    assert str(caught.value) == ("/proc/x.warc.gz: cannot create the lock file .x.warc.gz.lock: the folder /proc takes "
                                 "no new files (no such file or directory: a virtual file system, such as /proc or "
                                 "/sys); write to a folder on an ordinary file system")
    with pytest.raises(ArchiveError) as caught, atomic_writer(Path("/proc/new/x.warc.gz")):
        pass
    assert str(caught.value) == ("/proc/new/x.warc.gz: cannot create the folder /proc/new: the folder /proc takes no new "
                                 "files (no such file or directory: a virtual file system, such as /proc or /sys); "
                                 "write to a folder on an ordinary file system")
    assert atomic._not_created(OSError(errno.ENOENT, "No such file or directory"), tmp_path / "gone") == (
        f"the folder {tmp_path / 'gone'} is gone (it was removed meanwhile)", "create it, then run again")


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "disk full (no space left on device)"),
    (errno.EDQUOT, "disk quota exceeded"),
    (errno.EROFS, "read-only file system"),
    (errno.EFBIG, "the file-size limit was reached (ulimit -f, or the largest file this file system takes)"),
    (errno.ENAMETOOLONG, "a name in the path, or the whole path, is too long for this file system"),
    (errno.ENOTDIR, "a part of the path is a file, not a folder"),
    (errno.EACCES, "permission denied"),
    (errno.EPERM, "operation not permitted"),
    (errno.EBUSY, "device or resource busy"),
])
def test_each_write_failure_is_said_in_words(code: int, words: str) -> None:
    """The failures a write meets most are said in plain words, whatever the OS's strerror spells."""
    assert atomic.reason(OSError(code, "Some OS Text")) == words


def test_other_failures_fall_back_to_what_the_error_says() -> None:
    """Any other errno: the OS's text; without one, the error's own text; without that, its type."""
    assert atomic.reason(OSError(errno.EIO, "Input/output error")) == "Input/output error"
    assert atomic.reason(OSError("no errno here")) == "no errno here"
    assert atomic.reason(FileExistsError()) == "FileExistsError"


def test_what_to_do_after_a_failed_write_fits_the_failure() -> None:
    """A full disk: free space; the file-size limit: raise it; other failures: space or permissions."""
    assert [atomic.write_fix(OSError(code, "x")) for code in (errno.ENOSPC, errno.EFBIG, errno.EACCES)] == [
        "free some space, then run again",
        "raise the file-size limit (ulimit -f) or write to another file system, then run again",
        "free some space or fix the folder's permissions, then run again"]


def _creating_fails(monkeypatch: pytest.MonkeyPatch, code: int, words: str) -> None:
    """atomic's os.open fails with `code` for every file it would create (opening an existing one still works)."""
    real_open = os.open

    def failing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            raise OSError(code, words, os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", failing)


def test_a_read_only_file_system_is_said_so_not_as_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EROFS (a file system mounted read-only, simulated): the fix says so and to write elsewhere; it said "check the
    folder's permissions", which are not the cause."""
    _creating_fails(monkeypatch, errno.EROFS, "Read-only file system")
    out = tmp_path / "o.warc.gz"
    with pytest.raises(ArchiveError) as caught, atomic_writer(out):
        pass
    assert str(caught.value) == (f"{out}: cannot create the lock file .o.warc.gz.lock: read-only file system; the file "
                                 "system is mounted read-only: write elsewhere, or remount it read-write")
    assert atomic.write_fix(OSError(errno.EROFS, "x")) == (
        "the file system is mounted read-only: write elsewhere, or remount it read-write")


def test_the_open_files_limit_is_said_as_the_process_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No descriptor left for the lock file or the output (EMFILE): said as the process's limit, with what to do; it
    said "too many open files; check the folder's permissions", which are not the cause."""
    from provpack import errors

    monkeypatch.setattr(errors, "_open_files_limit", lambda: 60)
    _creating_fails(monkeypatch, errno.EMFILE, "Too many open files")
    out = tmp_path / "o.warc.gz"
    with pytest.raises(ArchiveError) as caught, atomic_writer(out):
        pass
    limit = "too many open files in this process (its limit is 60); raise the limit (ulimit -n), or close files this " \
            "process holds open"
    assert str(caught.value) == f"{out}: cannot create the lock file .o.warc.gz.lock: {limit}"
    emfile = OSError(errno.EMFILE, "Too many open files")
    assert f"{atomic.reason(emfile)}; {atomic.write_fix(emfile)}" == limit


def test_a_file_size_limit_mid_write_says_so(tmp_path: Path, seed_dir: Path) -> None:
    """Under ulimit -f, the archive's write fails with EFBIG: said as the file-size limit, not as a full disk."""
    resource = pytest.importorskip("resource")
    out = tmp_path / "out" / "a.warc.gz"
    source = big_source(tmp_path / "big", count=2)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))   # Python ignores SIGXFSZ: writes fail with EFBIG
    try:
        with pytest.raises(ArchiveError) as caught:
            provpack.package(source, out=out, date=DATE)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(caught.value) == (
        f"{out}: the file-size limit was reached (ulimit -f, or the largest file this file system takes) while "
        "writing; nothing was changed; raise the file-size limit (ulimit -f) or write to another file system, "
        "then run again")
    assert sorted(os.listdir(out.parent)) == []


def _name_max(folder: Path) -> int:
    return int(os.pathconf(folder, "PC_NAME_MAX"))


@pytest.mark.parametrize("char", ["a", "\u00e9"])
def test_any_name_the_file_system_takes_can_be_written(tmp_path: Path, char: str) -> None:
    """A name too long for `.NAME.lock` and `.NAME.XXXXXXXX.tmp` (up to the file system's NAME_MAX) is written
    all the same: its helpers are named by its start and a hash, still valid UTF-8; none is left behind."""
    limit = _name_max(tmp_path)
    name = char * ((limit - 4) // len(char.encode())) + ".txt"
    path = tmp_path / name
    assert limit - 13 < len(os.fsencode(name)) <= limit
    seen: list[str] = []
    with atomic_writer(path) as out:
        out.write(b"x")
        seen = sorted(os.listdir(tmp_path))
    assert path.read_bytes() == b"x" and os.listdir(tmp_path) == [name]
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    stem = atomic.helper_stem(path)
    assert stem.endswith(f"~{digest}") and stem.startswith("." + char * 10)
    assert limit - len(char.encode()) < len(os.fsencode(stem)) + len(".XXXXXXXX.tmp") <= limit   # as long as fits
    assert [entry.startswith(stem) for entry in seen] == [True, True] and f"{stem}.lock" in seen
    stale = tmp_path / f"{stem}.abcdefgh.tmp"   # a temp file a killed run left: the next run removes it
    stale.write_bytes(b"")
    with atomic_writer(path, force=True) as out:
        out.write(b"y")
    assert os.listdir(tmp_path) == [name]


def test_a_short_name_keeps_its_helper_names(tmp_path: Path) -> None:
    """Names with room keep `.NAME.lock` and `.NAME.XXXXXXXX.tmp`, as a killed run's leftovers are named."""
    assert lock_path_for(tmp_path / "a.warc.gz") == tmp_path / ".a.warc.gz.lock"
    name = "b" * (_name_max(tmp_path) - 14)
    assert atomic.helper_stem(tmp_path / name) == "." + name
    assert atomic.helper_stem(tmp_path / (name + "b")) != "." + name + "b"


def test_a_name_too_long_for_the_file_system_is_refused_first(tmp_path: Path) -> None:
    """One byte over NAME_MAX: refused before anything is made, saying the limit; a missing folder is not made."""
    limit = _name_max(tmp_path)
    path = tmp_path / "new" / ("c" * (limit + 1))
    with pytest.raises(ArchiveError) as caught, atomic_writer(path):
        pass
    assert str(caught.value) == (f"{path}: the name is too long for this file system: {limit + 1:,} bytes, at most "
                                 f"{limit:,}; choose a shorter name")
    assert os.listdir(tmp_path) == []


def test_an_archive_name_leaves_room_for_its_sha256(tmp_path: Path, seed_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive whose .sha256 would be too long is refused before the sources are even listed; one that
    leaves just room is written, with its .sha256."""
    limit = _name_max(tmp_path)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    fits = tmp_path / ("d" * (limit - 7 - 8) + ".warc.gz")
    result = provpack.package(seed_dir, out=fits, date=DATE)
    assert sorted(os.listdir(tmp_path)) == [fits.name, fits.name + ".sha256"] and provpack.verify(fits).ok
    assert result.sha256_path.read_text(encoding="ascii").endswith(f"  {fits.name}\n")
    over = tmp_path / ("e" * (limit - 7 - 7) + ".warc.gz")
    monkeypatch.setattr(importlib.import_module("provpack.package"), "list_sources", None)   # (called: TypeError)
    with pytest.raises(ArchiveError) as caught:
        provpack.package(seed_dir, out=over, date=DATE)
    assert str(caught.value) == (f"{over}: the name is too long for this file system with the .sha256 written "
                                 f"beside it: {limit - 6:,} bytes, at most {limit - 7:,}; choose a shorter name")
    assert sorted(os.listdir(tmp_path)) == [fits.name, fits.name + ".sha256"]


def _failing_rename(monkeypatch: pytest.MonkeyPatch, code: int, *, onto: Path | None = None,
                    away: Path | None = None) -> None:
    """Make a rename onto `onto` (or away from `away`) fail with `code`, as over an immutable file or a mount point."""
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target) == onto or Path(source) == away:
            raise OSError(code, os.strerror(code))
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)


def _staged_pair(main_path: Path, companion: Path) -> None:
    with atomic_files(main_path, force=True) as staging:
        staging.open(main_path).write(b"B")
        staging.open(companion).write(b"sum of B")


@pytest.mark.parametrize("code, fix", [
    (errno.EPERM, "it may be immutable (chattr -i it) or append-only (chattr -a), or another user's in a sticky folder "
                  "such as /tmp: fix that or choose another name, then run again"),
    (errno.EBUSY, "it may be a mount point or in use: unmount it or choose another name, then run again"),
])
def test_a_first_file_that_cannot_be_replaced_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              code: int, fix: str) -> None:
    """The main file's rename fails (immutable: EPERM; a mount point: EBUSY): the old checksum and signature, set
    aside for it, are put back, so 'nothing was changed' is true; the fix says why a file cannot be replaced."""
    main_path, companion, retired = tmp_path / "a", tmp_path / "a.sha256", tmp_path / "a.sig"
    main_path.write_bytes(b"A")
    companion.write_bytes(b"sum of A")
    retired.write_bytes(b"signs A")
    _failing_rename(monkeypatch, code, onto=main_path)
    said: list[object] = []
    with pytest.raises(ArchiveError) as caught, atomic_files(main_path, force=True) as staging:
        staging.open(main_path).write(b"B")
        staging.open(companion).write(b"sum of B")
        staging.retire([retired], lambda removed, failed: said.append(removed))
    assert str(caught.value) == f"{main_path}: cannot be replaced ({atomic.reason(OSError(code, 'x'))}); nothing was " \
                                f"changed; {fix}"
    assert [p.read_bytes() for p in (main_path, companion, retired)] == [b"A", b"sum of A", b"signs A"]
    assert leftovers(tmp_path) == [] and said == []


def test_an_old_companion_that_cannot_be_moved_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An old checksum that cannot be moved aside (immutable) stops the commit before the main file takes its name,
    naming the checksum: the new main file never stands beside the old checksum."""
    main_path, companion = tmp_path / "a", tmp_path / "a.sha256"
    main_path.write_bytes(b"A")
    companion.write_bytes(b"sum of A")
    _failing_rename(monkeypatch, errno.EPERM, away=companion)
    with pytest.raises(ArchiveError) as caught:
        _staged_pair(main_path, companion)
    assert str(caught.value).startswith(f"{companion}: cannot be replaced (operation not permitted); nothing was "
                                        "changed; it may be immutable (chattr -i it)")
    assert (main_path.read_bytes(), companion.read_bytes()) == (b"A", b"sum of A")
    assert leftovers(tmp_path) == []


def test_an_old_companion_that_cannot_be_put_back_is_said_where_it_is(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The main file's rename fails and the old checksum set aside cannot be renamed back either: the error does not
    say 'nothing was changed', but where the old checksum is, and to rename it back."""
    main_path, companion = tmp_path / "a", tmp_path / "a.sha256"
    main_path.write_bytes(b"A")
    companion.write_bytes(b"sum of A")
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target) in (main_path, companion):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(ArchiveError) as caught:
        _staged_pair(main_path, companion)
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith(".a.sha256.")]
    assert str(caught.value) == (f"{main_path}: cannot be replaced (Input/output error), and what was set aside could "
                                 f"not be put back: {companion} is at {aside}; rename it back before anything else; "
                                 "then: free some space or fix the folder's permissions, then run again")
    assert main_path.read_bytes() == b"A" and aside.read_bytes() == b"sum of A" and not companion.exists()


def _chattr(flag: str, path: Path) -> None:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot chattr {flag} here (needs root and a file system with attributes): {done.stderr.strip()}")


def test_an_immutable_archive_keeps_its_checksum(tmp_path: Path, seed_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """package --force over an archive made immutable (chattr +i): exit 2, the archive and its .sha256 as they were
    (the .sha256 was deleted, under 'nothing was changed'), and the fix names chattr -i, not free space."""
    out = tmp_path / "a.warc.gz"
    assert main(["-q", "package", str(seed_dir), "-o", str(out)]) == 0
    before = snapshot_pair(out)
    _chattr("+i", out)
    try:
        assert main(["package", str(seed_dir), "-o", str(out), "--force", "--description", "other"]) == 2
    finally:
        _chattr("-i", out)
    assert capsys.readouterr().err == (
        f"provpack: error: {out}: cannot be replaced (operation not permitted); nothing was changed; it may be "
        "immutable (chattr -i it) or append-only (chattr -a), or another user's in a sticky folder such as /tmp: fix "
        "that or choose another name, then run again\n")
    assert snapshot_pair(out) == before and leftovers(tmp_path) == []


def snapshot_pair(archive: Path) -> tuple[bytes, bytes]:
    return archive.read_bytes(), archive.with_name(archive.name + ".sha256").read_bytes()


def test_a_key_that_is_a_mount_point_keeps_its_public_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """keygen --force over a KEY that is a mount point (mount --bind): exit 2 (EBUSY), KEY.pub as it was."""
    key = tmp_path / "k"
    assert main(["-q", "keygen", "-o", str(key)]) == 0
    pub = key.with_name("k.pub").read_bytes()
    (tmp_path / "other").write_bytes(b"x")
    done = subprocess.run(["mount", "--bind", str(tmp_path / "other"), str(key)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root in a sandbox that allows it): {done.stderr.strip()}")
    try:
        assert main(["keygen", "-o", str(key), "--force"]) == 2
    finally:
        subprocess.run(["umount", str(key)], capture_output=True, check=False)
    assert capsys.readouterr().err == (
        f"provpack: error: {key}: cannot be replaced (device or resource busy); nothing was changed; it may be a mount "
        "point or in use: unmount it or choose another name, then run again\n")
    assert key.with_name("k.pub").read_bytes() == pub and leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: POSIX")
@pytest.mark.parametrize("dies_at", range(4), ids=["before-anything", "old-sha256-aside", "archive-renamed",
                                                   "sha256-renamed"])
def test_kill_9_at_any_point_of_the_commit(tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str],
                                           dies_at: int) -> None:
    """A run killed (kill -9; os._exit here) at each step of its commit: before the old .sha256 is set aside, before
    the archive's rename, before the .sha256's, before the old .sha256 set aside is removed. A .sha256 under its name
    always matches the archive beside it; until the new archive is in, the old .sha256 is kept (under its temp
    name). The next run removes what was left, each with a one-line warning, and writes both."""
    out = tmp_path / "a.warc.gz"
    sha256_path = out.with_name("a.warc.gz.sha256")
    provpack.package(seed_dir, out=out, date=DATE)
    old = snapshot_pair(out)
    child = os.fork()
    if child == 0:   # (the run that dies: no finally, no cleanup, as under kill -9)
        try:
            steps = [0]

            def dying(real: Any) -> Any:
                def call(*args: Any) -> Any:
                    if steps[0] == dies_at:
                        os._exit(137)
                    steps[0] += 1
                    return real(*args)
                return call

            atomic.os.replace = dying(os.replace)   # type: ignore[assignment]
            atomic.os.unlink = dying(os.unlink)   # type: ignore[assignment]
            provpack.package(seed_dir, out=out, date=DATE, force=True, description="new")
        finally:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 137
    temps = sorted(p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    if sha256_path.exists():
        assert sha256_path.read_text().split()[0] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (out.read_bytes() == old[0]) == (dies_at < 2)
    assert (sha256_path.exists(), old[1] in [p.read_bytes() for p in temps]) == {
        0: (True, False), 1: (False, True), 2: (False, True), 3: (True, True)}[dies_at]
    assert main(["package", str(seed_dir), "-o", str(out), "--force", "--description", "new"]) == 0
    err = capsys.readouterr().err
    assert sorted(line for line in err.splitlines() if "left by an interrupted run" in line) == [
        f"provpack: warning: removing {temp}, left by an interrupted run" for temp in temps]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != seed_dir.name) == ["a.warc.gz", "a.warc.gz.sha256"]
    assert main(["verify", "-q", str(out)]) == 0


def test_a_replaced_file_keeps_its_permissions_never_wider(tmp_path: Path) -> None:
    """A file replaced keeps its permission bits (0600 stays 0600, 0640 0640, 0444 0444), but never gets wider than
    a new file's (0666 becomes 0644, less the umask); a link replaced gives way to a new file of the usual mode,
    the file it points to untouched."""
    usual = 0o644 & ~atomic._umask()
    for before, after in ((0o600, 0o600), (0o640, 0o640 & usual), (0o444, 0o444 & usual), (0o666, usual),
                          (0o755, usual)):
        path = tmp_path / f"f{before:o}"
        path.write_bytes(b"old")
        path.chmod(before)
        with atomic_writer(path, force=True) as out:
            out.write(b"new")
        assert (path.read_bytes(), stat.S_IMODE(path.stat().st_mode)) == (b"new", after), oct(before)
    key = tmp_path / "key"
    key.write_bytes(b"old")
    key.chmod(0o644)
    with atomic_writer(key, force=True, mode=0o600) as out:   # (a private file asked for stays private)
        out.write(b"new")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 & ~atomic._umask()
    target = tmp_path / "target"
    target.write_bytes(b"target")
    target.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(target)
    with atomic_writer(link, force=True) as out:
        out.write(b"new")
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == usual
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == (b"target", 0o600)


def test_force_keeps_a_private_output_private(tmp_path: Path, seed_dir: Path) -> None:
    """package, extract, index, wacz and sign with --force over outputs made private (0600): each stays 0600, an
    archive's .sha256 too (they became 0644, readable by all)."""
    archive = tmp_path / "a.warc.gz"
    assert main(["-q", "keygen", "-o", str(tmp_path / "key")]) == 0
    runs = [(["package", str(seed_dir), "-o", str(archive)], [archive, archive.with_name("a.warc.gz.sha256")]),
            (["extract", str(archive), SEED_NAME, "-o", str(tmp_path / "t.txt")], [tmp_path / "t.txt"]),
            (["index", str(archive), "-o", str(tmp_path / "i.cdxj")], [tmp_path / "i.cdxj"]),
            (["wacz", str(archive), "-o", str(tmp_path / "w.wacz")], [tmp_path / "w.wacz"]),
            (["sign", str(archive), "--key", str(tmp_path / "key")], [archive.with_name("a.warc.gz.sig")])]
    for args, outputs in runs:
        assert main(["-q", *args]) == 0, args
        for output in outputs:
            output.chmod(0o600)
        assert main(["-q", *args, "--force"]) == 0, args
        assert [stat.S_IMODE(output.stat().st_mode) for output in outputs] == [0o600] * len(outputs), args


def _path_of(folder: Path, size: int, name: str) -> Path:
    """A path in `folder`, through folders of at most 200 bytes, whose absolute form is `size` bytes long."""
    base = os.path.abspath(folder)
    left = size - len(base) - 1 - len(name)
    parts = []
    while left > 0:
        length = min(200, left - 1)
        if 0 < left - length - 1 < 3:   # (leave room for one more folder of a byte or two)
            length -= 3
        parts.append("d" * length)
        left -= length + 1
    path = Path(base, *parts, name)
    assert len(os.fsencode(str(path))) == size
    return path


def test_a_path_too_long_for_the_file_system_is_refused_first(tmp_path: Path, seed_dir: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """25 folders of 200 bytes: a ProvpackError naming the path and saying to choose a shorter one (it was a bare
    OSError from the library, and the command said 'too long for this file system' with nothing to do), before any
    folder is made; the longest path that fits (its temp files' names included) is written."""
    path_max = os.pathconf(tmp_path, "PC_PATH_MAX")
    deep = tmp_path.joinpath(*["d" * 200] * 25, "a.warc.gz")
    with pytest.raises(provpack.ProvpackError) as caught, atomic_writer(deep):
        pass
    size = len(os.fsencode(str(deep)))
    assert str(caught.value) == (f"{deep}: the path is too long for this file system: {size:,} bytes as a full path, "
                                 f"at most {path_max - 15:,}; choose a shorter path (fewer or shorter folder names)")
    assert main(["package", str(seed_dir), "-o", str(deep)]) == 2
    assert capsys.readouterr().err == (
        f"provpack: error: {deep}: the path is too long for this file system with the .sha256 written beside it: "
        f"{size:,} bytes as a full path, at most {path_max - 22:,}; choose a shorter path (fewer or shorter folder "
        "names)\n")
    assert sorted(os.listdir(tmp_path)) == [seed_dir.name]
    longest = _path_of(tmp_path / "fits", path_max - 22, "a.warc.gz")
    assert provpack.verify(provpack.package(seed_dir, out=longest, date=DATE).warc_path).ok
    with pytest.raises(ArchiveError, match="the path is too long"):
        provpack.package(seed_dir, out=_path_of(tmp_path / "over", path_max - 21, "a.warc.gz"), date=DATE)
    assert atomic.name_max(deep.parent) == _name_max(tmp_path)   # (it raised ENAMETOOLONG, looking the folder up)
