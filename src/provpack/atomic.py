"""Write files so that they appear whole or not at all, and only one run writes them at a time.

Each file is written under a temp name beside its final one (`.NAME.XXXXXXXX.tmp`),
flushed and fsynced, renamed over the final name, and the folder fsynced so the
rename survives a power cut. The file takes the permissions its writer asks for (0644, a
private key 0600, less the umask), never wider than those of the file it replaces: a
private archive replaced with --force stays private. A lock file `.NAME.lock` beside the output, held
with flock for the whole run, makes a second run on the same output fail at once
instead of racing the first; the kernel drops the lock if a run dies, so a
leftover lock file never blocks the next run (processes it forks, its workers,
close their copies of the lock at once: they would hold it). A NAME too long for those names in
its file system (NAME_MAX, most often 255 bytes) is shortened in them to its start
and a hash of the whole (see `helper_stem`): any name the file system takes can be written.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .arguments import file_path
from .errors import FORCE, ArchiveError, descriptors
from .regular import special_kind
from .written import note

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
LOCK_SUFFIX = ".lock"
FILE_MODE = 0o644
_LOCK_ATTEMPTS = 20
_REASONS = {
    errno.ENOSPC: "disk full (no space left on device)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EFBIG: "the file-size limit was reached (ulimit -f, or the largest file this file system takes)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EBUSY: "device or resource busy",
    errno.ENAMETOOLONG: "a name in the path, or the whole path, is too long for this file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}
_WRITE_FIXES = {
    errno.ENOSPC: "free some space, then run again",
    errno.EDQUOT: "free some space, then run again",
    errno.EFBIG: "raise the file-size limit (ulimit -f) or write to another file system, then run again",
    errno.EROFS: "the file system is mounted read-only: write elsewhere, or remount it read-write",
    errno.ENAMETOOLONG: "choose a shorter name",
    errno.ENOTDIR: "choose another output path",
}
_REPLACE_FIXES = {   # a rename over a file that failed (write_fix for any other errno)
    errno.EPERM: "it may be immutable (chattr -i it) or append-only (chattr -a), or another user's in a sticky folder "
                 "such as /tmp: fix that or choose another name, then run again",
    errno.EBUSY: "it may be a mount point or in use: unmount it or choose another name, then run again",
}
DEFAULT_NAME_MAX = 255   # where the file system does not say (pathconf PC_NAME_MAX)
_HASH_CHARS = 16   # hex digits of sha256(NAME) in a shortened helper name
_LONGEST_HELPER = len(".XXXXXXXX") + len(TEMP_SUFFIX)   # bytes a helper name adds after its stem: the temp file's


def write_fix(exc: OSError) -> str:
    """What to do about a write that failed with `exc`."""
    limit = descriptors(exc)
    if limit is not None:
        return limit[1]
    return _WRITE_FIXES.get(exc.errno or 0, "free some space or fix the folder's permissions, then run again")


def reason(exc: OSError) -> str:
    """What an OSError means, in words: 'disk full (no space left on device)'."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    limit = descriptors(exc)
    if limit is not None:
        return limit[0]
    return exc.strerror or str(exc) or type(exc).__name__


def name_max(folder: Path) -> int:
    """The most bytes a name may have in `folder`'s file system (of its nearest existing ancestor)."""
    return _limit(folder, "PC_NAME_MAX") or DEFAULT_NAME_MAX


def _limit(folder: Path, name: str) -> int | None:
    """The file system's limit `name` (pathconf) for `folder`, as its nearest existing ancestor answers it (a path
    too long to look up is not there); None where no ancestor answers (no pathconf: Windows)."""
    while True:
        try:
            return int(os.pathconf(folder, name))
        except (OSError, ValueError, AttributeError):   # a folder not made yet; or no pathconf (Windows)
            if folder.parent == folder or os.path.exists(folder):   # (os.path's: False for a path too long)
                return None
            folder = folder.parent


def check_name(path: Path, *, companion: str = "") -> None:
    """Refuse, before any work, a name longer than its file system takes, or a path longer than it looks up (with
    `companion`, e.g. '.sha256', also written beside it under the name plus that suffix)."""
    beside = f" with the {companion} written beside it" if companion else ""
    limit = name_max(path.parent) - len(os.fsencode(companion))
    size = len(os.fsencode(path.name))
    if size > limit:
        raise ArchiveError(path, f"the name is too long for this file system{beside}: {size:,} bytes, at most "
                                 f"{limit:,}", fix="choose a shorter name")
    path_max = _limit(path.parent, "PC_PATH_MAX")
    if path_max is None:
        return
    # The longest path given the OS: the companion's temp file, `FOLDER/.NAME<companion>.XXXXXXXX.tmp`, with the NUL
    # that ends it; tempfile makes FOLDER absolute (a relative one as given is longer only with '..' in it).
    most = path_max - len(".") - len(os.fsencode(companion)) - _LONGEST_HELPER - 1
    size = max(len(os.fsencode(os.path.abspath(path))), len(os.fsencode(os.fspath(path))))
    if size > most:
        raise ArchiveError(path, f"the path is too long for this file system{beside}: {size:,} bytes as a full path, "
                                 f"at most {most:,}", fix="choose a shorter path (fewer or shorter folder names)")


def helper_stem(path: Path) -> str:
    """How the lock and temp files of `path` begin: `.NAME`, or, when their names would be too long for
    the file system, `.START~HASH` (NAME's first characters and 16 hex digits of its sha256)."""
    stem = f".{path.name}"
    limit = name_max(path.parent) - _LONGEST_HELPER
    if len(os.fsencode(stem)) <= limit:
        return stem
    digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:_HASH_CHARS]
    start = path.name
    while start and len(os.fsencode(f".{start}~{digest}")) > limit:
        start = start[:-1]   # whole characters off the end: the start stays valid UTF-8
    return f".{start}~{digest}"


def lock_path_for(path: Path) -> Path:
    """The lock file that guards `path`: `.NAME.lock` in the same folder (see `helper_stem` for long names)."""
    return path.with_name(f"{helper_stem(path)}{LOCK_SUFFIX}")


@contextlib.contextmanager
def output_lock(path: Path) -> Iterator[Path]:
    """Hold the lock on `path` for the block; an ArchiveError at once if another run holds it."""
    lock_path = lock_path_for(path)
    fd: int | None = None
    try:
        with signals_held():   # (a signal once the lock file is made, before it is noted, would leave it)
            fd = _acquire(lock_path, path)
            _HELD_LOCKS.add(fd)
        yield lock_path
    finally:
        if fd is not None:
            # Remove the file while still holding the lock: a run that opened it in
            # the meantime sees that its inode is no longer the file's and retries.
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
            _HELD_LOCKS.discard(fd)
            os.close(fd)


_HELD_LOCKS: set[int] = set()   # the lock files this process holds open (their descriptors)


def _close_locks_in_child() -> None:
    """In a process just forked (a worker): close its copies of the parent's lock files.

    The lock belongs to the open file, which a forked child shares: a worker holding a
    copy kept the lock after the run itself was killed (kill -9), until it noticed (up to
    a second), and the next run was refused meanwhile. Closing a copy leaves the parent's
    lock as it is.
    """
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):   # (POSIX)
    os.register_at_fork(after_in_child=_close_locks_in_child)


class Staging:
    """Files written under temp names; they take their final names together when the block ends."""

    def __init__(self, force_option: str = FORCE) -> None:
        self.force_option = force_option   # the option that replaces an output, as the caller names it
        self._files: list[tuple[Path, Path, BinaryIO, int]] = []
        self._retired: list[Path] = []
        self._said: Callable[[tuple[Path, ...], tuple[tuple[Path, OSError], ...]], None] | None = None
        self.committed: list[Path] = []   # the files that already have their final names

    def retire(self, paths: Sequence[Path],
               said: Callable[[tuple[Path, ...], tuple[tuple[Path, OSError], ...]], None]) -> None:
        """Files that go when the first staged file takes its name (the signature of the file it replaces).

        In the commit, each is moved aside to a temp name of its own just before the first
        file's rename, as the old companions are, and removed once every staged file has its
        name; if the first file does not take its name, they are put back. A crash in between
        (kill -9, a power cut) leaves the old file with these and its companions under temp
        names, never the new file beside them. `said(removed, failed)` is called in the commit once the
        files have their names (failed: those that could not be moved, with why).
        """
        self._retired = list(paths)
        self._said = said

    def open(self, path: Path, *, mode: int = FILE_MODE) -> BinaryIO:
        """A new temp file beside `path` that replaces `path` on success, with permissions `mode` less the umask, and
        no wider than those of the file it replaces (`_kept_mode`)."""
        if os.path.isdir(path):
            raise ArchiveError(path, "is a folder", fix="name a file to write")
        refuse_special(path, force_option=self.force_option)
        check_name(path)
        _remove_stale_temps(path)
        with signals_held():   # a signal between the file's creation and this note of it would leave it behind
            try:
                temp_path, handle = _open_temp(path)
            except OSError as exc:
                problem, fix = _not_created(exc, path.parent)
                raise ArchiveError(path, f"cannot write here: {problem}", fix=fix) from exc
            self._files.append((path, temp_path, handle, mode))
        return handle

    def _sync(self) -> None:
        for final, temp_path, handle, mode in self._files:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(temp_path, _kept_mode(final, mode & ~_umask()))

    def _commit(self) -> None:
        """Give every staged file its final name; Ctrl-C, SIGTERM or SIGHUP meanwhile waits until all have theirs.

        Companions (checksums) describe the first file: the old ones are moved aside to temp names of their own
        before the new first file takes its name, so that a crash in between (kill -9, a power cut) leaves a file
        without its checksum (the old one under its temp name, which the next run on that output removes, with a
        warning), never with a wrong one. What is retired (a signature of the old file) is moved aside then too.
        If the first file does not take its name, all of them are put back, and nothing was changed; once it has
        it, they are removed.
        """
        if not self._files:
            return
        first, *companions = self._files
        with signals_held():
            moved, unmoved = _set_aside([final for final, _, _, _ in companions])
            if unmoved:   # (an old checksum left beside the new file would be wrong: stop while nothing is changed)
                raise _not_replaced(unmoved[0][0], unmoved[0][1], _put_back(moved)) from unmoved[0][1]
            aside, failed = _set_aside(self._retired)
            try:
                os.replace(first[1], first[0])
            except OSError as exc:
                raise _not_replaced(first[0], exc, _put_back([*moved, *aside])) from exc
            self.committed.append(first[0])
            note(first[0])
            try:
                for final, temp_path, _, _ in companions:
                    os.replace(temp_path, final)
                    self.committed.append(final)
                    note(final)
            finally:
                for _, temp_path in (*moved, *aside):   # the old file is gone: so are its checksum and signature
                    with contextlib.suppress(OSError):
                        os.unlink(temp_path)
            for folder in dict.fromkeys(final.parent for final, _, _, _ in self._files):
                fsync_folder(folder)
            if self._said is not None and (aside or failed):
                self._said(tuple(retired for retired, _ in aside), failed)

    def _discard(self) -> None:
        for _, temp_path, handle, _ in self._files:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                temp_path.unlink()


def _kept_mode(path: Path, mode: int) -> int:
    """The permissions of a file written to `path`: `mode`, but no wider than those of the regular file it replaces
    there (a private 0600 archive replaced with --force stays 0600: it never becomes readable by all). A link at
    `path` is replaced, not the file it points to: it leaves `mode` as it is."""
    try:
        there = os.lstat(path)
    except OSError:   # nothing there (or nothing to read): a new file
        return mode
    return mode & stat.S_IMODE(there.st_mode) if stat.S_ISREG(there.st_mode) else mode


def _set_aside(paths: Sequence[Path]) -> tuple[list[tuple[Path, Path]], tuple[tuple[Path, OSError], ...]]:
    """Each of `paths` there renamed to a temp name beside it (`.NAME.XXXXXXXX.tmp`): (path, temp name) for those
    moved, and (path, error) for those that could not be."""
    moved: list[tuple[Path, Path]] = []
    failed: list[tuple[Path, OSError]] = []
    for path in paths:
        if not os.path.lexists(path):
            continue
        try:
            temp_path, handle = _open_temp(path)   # a name of its own, taken
            handle.close()
        except OSError as exc:
            failed.append((path, exc))
            continue
        try:
            os.replace(path, temp_path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp_path.unlink()
            failed.append((path, exc))
            continue
        moved.append((path, temp_path))
    return moved, tuple(failed)


def _put_back(moved: Sequence[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Each (path, temp name) `_set_aside` moved, renamed back to its path: those that could not be."""
    stuck: list[tuple[Path, Path]] = []
    for path, temp_path in moved:
        try:
            os.replace(temp_path, path)
        except OSError:
            stuck.append((path, temp_path))
    return stuck


def _not_replaced(path: Path, exc: OSError, stuck: Sequence[tuple[Path, Path]]) -> ArchiveError:
    """The error for a commit stopped because `path` could not be renamed (`exc`) before any new file had its name;
    `stuck`: the old files set aside that could not be put back (then something was changed, and is said)."""
    if not stuck:
        return ArchiveError(path, f"cannot be replaced ({reason(exc)}); nothing was changed", fix=replace_fix(exc))
    where = "; ".join(f"{old} is at {temp_path}" for old, temp_path in stuck)
    return ArchiveError(path, f"cannot be replaced ({reason(exc)}), and what was set aside could not be put back: "
                              f"{where}", fix=f"rename {'it' if len(stuck) == 1 else 'each'} back before anything "
                                              f"else; then: {replace_fix(exc)}")


def replace_fix(exc: OSError) -> str:
    """What to do when a file there cannot be replaced by a rename (or renamed aside) that failed with `exc`."""
    return _REPLACE_FIXES.get(exc.errno or 0) or write_fix(exc)


@contextlib.contextmanager
def atomic_files(path: Path, *, force: bool = False, lock: bool = True,
                 force_option: str = FORCE) -> Iterator[Staging]:
    """Lock `path`, refuse to replace it unless `force`, and commit what the block stages, or nothing.

    `force_option`: how messages name `force` to the caller, the command's flag and the API's argument by default;
    a command whose library function takes no `force` (extract writes to a stream) gives its flag alone."""
    if os.path.isdir(path):
        raise ArchiveError(path, "is a folder", fix="name a file to write")
    check_name(path)
    refuse_special(path, force_option=force_option)
    make_folder(path)
    with output_lock(path) if lock else contextlib.nullcontext(lock_path_for(path)):
        refuse_special(path, force_option=force_option)   # again under the lock: it may have appeared meanwhile
        if os.path.lexists(path) and not force:
            raise ArchiveError(path, "already exists",
                               fix=f"pass {force_option} to replace it, or choose another name")
        staging = Staging(force_option)
        try:
            yield staging
            staging._sync()
            staging._commit()
        except BaseException as exc:
            staging._discard()
            if isinstance(exc, OSError) and not isinstance(exc, ArchiveError):
                if staging.committed:   # a rename failed after others were done: say which files are new
                    done = ", ".join(str(final) for final in staging.committed)
                    raise ArchiveError(path, f"{reason(exc)} while renaming the files into place: {done} "
                                             "written, the others not",
                                       fix=f"fix the folder, then run again with {force_option}") from exc
                raise ArchiveError(path, f"{reason(exc)} while writing; nothing was changed",
                                   fix=write_fix(exc)) from exc
            raise


_FD_FOLDER = re.compile(r"/proc/[0-9]+(/task/[0-9]+)?/fd")   # /proc/self/fd and /dev/fd, resolved
_LINK_HOPS = 40   # as the kernel's limit on links followed in one lookup


def refuse_special(path: Path, *, force_option: str = FORCE) -> None:
    """Refuse, even with --force, an output that is a device, FIFO or socket: a rename over it would destroy it
    (`force_option` as atomic_files takes it).

    So is a symbolic link to one, or to an open file descriptor (/dev/stdout, /proc/self/fd/1, /dev/fd/1:
    whatever standard output is, even a regular file): the rename would replace the link, /dev/stdout itself
    for root. A link to a regular file passes: the rename replaces the link, never what it points to.
    """
    kind = _special_kind(path)
    if kind is not None:
        raise ArchiveError(path, f"is {kind}, not a regular file; provpack does not replace it, even with "
                                 f"{force_option}",
                           fix="name a regular file to write (the commands extract and index write to standard "
                               "output with -o -)")


def _special_kind(path: Path) -> str | None:
    """What makes `path` no file to replace ("a named pipe (FIFO)"), or None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        hop = os.fspath(path)
        for _ in range(_LINK_HOPS):   # each link on the way: /dev/stdout -> /proc/self/fd/1 -> (the file)
            if _FD_FOLDER.fullmatch(os.path.realpath(os.path.dirname(os.path.abspath(hop)))):
                return f"a symbolic link to an open file descriptor ({hop})"
            try:
                hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
            except OSError:   # not a link: the end of the chain
                break
        try:
            mode = os.stat(path).st_mode
        except OSError:   # dangling, or a loop: no device behind it
            return None
        kind = special_kind(mode)
        return None if kind is None else f"a symbolic link to {kind} ({os.path.realpath(path)})"
    return special_kind(mode)


def refuse_input(output: Path | str, reads: Iterable[tuple[Path | str, str]], *, force_option: str = FORCE) -> None:
    """Refuse, even with --force, an output that is a file the command reads (or one that vouches for it;
    `force_option` as atomic_files takes it).

    `reads`: (path, what it is, e.g. "the archive this command reads"). Compared as files (device and
    inode), so another spelling of the path, or an input given through a link to the output, is caught
    too: the rename that ends the write would otherwise destroy the input it was made from. A link at
    the output name itself passes: the rename replaces the link, never the file it points to.
    """
    try:
        written = os.lstat(output)
    except OSError:   # nothing there (or nothing reachable) to destroy
        return
    for path, what in reads:
        try:
            read = os.stat(path)
        except OSError:
            continue
        if os.path.samestat(written, read):
            raise ArchiveError(output, f"is {what} ({path}); provpack does not write over it, even with {force_option}",
                               fix="write to another file")


def archive_files(archive: Path | str) -> tuple[tuple[Path, str], ...]:
    """An archive a command reads, with its .sha256, .sig and .sig.tsr, as `refuse_input` takes them; an InputError
    for an archive path that names no file ('.')."""
    path = file_path("archive", archive)
    return ((path, "the archive this command reads"),
            (path.with_name(path.name + ".sha256"), "the checksum file of the archive this command reads"),
            (path.with_name(path.name + ".sig"), "the signature of the archive this command reads"),
            (path.with_name(path.name + ".sig.tsr"), "the timestamp of the archive's signature"))


HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP for the block, then deliver them: a commit, once begun, completes.

    Only the main thread can set handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[signal.Signals, Any] = {}
    for signum in HELD_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is None:   # set outside Python: cannot be put back, so leave it
            continue
        previous[signum] = handler
        signal.signal(signum, lambda number, frame: arrived.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for number in dict.fromkeys(arrived):
            signal.raise_signal(number)   # the handler put back now runs (KeyboardInterrupt, provpack's Terminated)


@contextlib.contextmanager
def atomic_writer(path: Path, *, force: bool = False, mode: int = FILE_MODE,
                  lock: bool = True, force_option: str = FORCE) -> Iterator[BinaryIO]:
    """Yield a temp file in `path`'s folder; on success it replaces `path`, on failure it vanishes (`force_option`
    as atomic_files takes it)."""
    with atomic_files(path, force=force, lock=lock, force_option=force_option) as staging:
        yield staging.open(path, mode=mode)


def make_folder(path: Path) -> None:
    """Create the folder `path` goes in, durably; refuse to invent folders behind a '..'."""
    problem = folder_problem(path.parent)
    if problem is not None:
        raise ArchiveError(path, problem[0], fix=problem[1])
    missing: list[Path] = []
    folder = path.parent
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(exist_ok=True)
        except OSError as exc:
            why, fix = _not_created(exc, new.parent)
            raise ArchiveError(path, f"cannot create the folder {new}: {why}", fix=fix) from exc
        fsync_folder(new.parent)


def folder_problem(folder: Path) -> tuple[str, str] | None:
    """Why `folder` cannot be made (something not a folder on its way, or a missing one behind '..') and the fix."""
    missing = False
    ancestor = folder
    while not ancestor.is_dir():
        if os.path.lexists(ancestor):   # checked before '..': a file on the way is the real problem
            return f"{ancestor} is not a folder", "choose another output path"
        missing = True
        ancestor = ancestor.parent
    if missing and ".." in folder.parts:
        return f"the folder {folder} does not exist", "create it first, or give a path without '..'"
    return None


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files of `path` that a killed run (kill -9, power cut) left; we hold its lock, so none is live."""
    remove_stale_temps(path, folders=False)


def remove_stale_temps(path: Path, *, folders: bool) -> None:
    """Delete the temp files (or, with `folders`, the temp folders) of `path` that a killed run left.

    Only for a caller that holds `path`'s output lock, so that none of them belongs to a live run.
    """
    stale = re.compile(rf"{re.escape(helper_stem(path))}\.[a-z0-9_]{{8}}{re.escape(TEMP_SUFFIX)}")
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not stale.fullmatch(entry.name):
                continue
            if folders and entry.is_dir(follow_symlinks=False):
                log.warning("removing %s, left by an interrupted run", entry.path)
                shutil.rmtree(entry.path, ignore_errors=True)
            elif not folders and entry.is_file(follow_symlinks=False):
                log.warning("removing %s, left by an interrupted run", entry.path)
                os.unlink(entry.path)


def _open_temp(path: Path) -> tuple[Path, BinaryIO]:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{helper_stem(path)}.", suffix=TEMP_SUFFIX)
    return Path(name), os.fdopen(fd, "wb")


def _open_fix(exc: OSError) -> str:
    """What to do when a file cannot be created in the folder."""
    limit = descriptors(exc)
    if limit is not None:
        return limit[1]
    return _WRITE_FIXES.get(exc.errno or 0, "check the folder's permissions")


def _not_created(exc: OSError, folder: Path) -> tuple[str, str]:
    """Why a file could not be created in `folder`, and what to do. ENOENT there: a folder that takes no new file
    (/proc, /sys), or one removed meanwhile; EISDIR: a folder of the file's name. Neither is a matter of permissions."""
    if exc.errno == errno.ENOENT:
        if folder.is_dir():
            return (f"the folder {folder} takes no new files (no such file or directory: a virtual file system, "
                    "such as /proc or /sys)", "write to a folder on an ordinary file system")
        return f"the folder {folder} is gone (it was removed meanwhile)", "create it, then run again"
    if exc.errno == errno.EISDIR:   # (a stale lock of that name, made by hand or by another tool)
        return "a folder of that name is in the way", "move it away, then run again"
    return reason(exc), _open_fix(exc)


def _acquire(lock_path: Path, path: Path) -> int:
    try:
        import fcntl
    except ImportError:  # not POSIX: an exclusive create stands in for flock
        return _acquire_exclusive(lock_path, path)
    for _ in range(_LOCK_ATTEMPTS):
        try:
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(lock_path, flags, 0o600)
        except OSError as exc:
            problem, fix = _not_created(exc, lock_path.parent)
            raise ArchiveError(path, f"cannot create the lock file {lock_path.name}: {problem}", fix=fix) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise ArchiveError(path, f"another provpack is writing {path.name} (it holds {lock_path.name})",
                               fix="wait for it to finish, or write to another name") from exc
        except OSError as exc:
            os.close(fd)
            raise ArchiveError(path, f"cannot lock {lock_path.name}: {reason(exc)}",
                               fix="write to a local file system") from exc
        try:
            current = os.stat(lock_path, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            return fd
        os.close(fd)  # the previous holder removed the file after we opened it: try the new one
    raise ArchiveError(path, f"could not take the lock {lock_path.name}: it keeps changing",
                       fix="make sure only one provpack writes this file")


def _acquire_exclusive(lock_path: Path, path: Path) -> int:
    try:
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ArchiveError(path, f"another provpack is writing {path.name} (it holds {lock_path.name})",
                           fix=f"wait for it to finish; if none is running, delete {lock_path}") from exc
    except OSError as exc:
        problem, fix = _not_created(exc, lock_path.parent)
        raise ArchiveError(path, f"cannot create the lock file {lock_path.name}: {problem}", fix=fix) from exc


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no /proc: read it the only other way there is, and put it back
    os.umask(mask)
    return mask
