"""Verify a large WARC file in two parts at once: this process reads the first half, a forked one the second.

The second part starts at a gzip member (or, in a plain WARC, a `WARC/1.` line) found
near the middle. The first part must end exactly there, with nothing running on past
it; then the second part's findings are merged in (absorb), and the report is
the one reading the whole file in one go gives. Whenever that cannot be told for sure
(a false start, a record id or a provenance pair that crosses the split, a child that
failed), the first part simply reads on to the end itself.
"""

from __future__ import annotations

import logging
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import recordcheck
from .gzipsource import GzipSource
from .idset import IdSet
from .problems import Problem
from .origcheck import Want
from .provcheck import Waiting
from .rawreader import RawReader
from .resync import WINDOW, gzip_start, plain_start
from .warcscan import Scanner, junk_message
from .warcstream import PlainSource, Source

logger = logging.getLogger(__name__)

MIN_SIZE = 8 << 20  # smaller files are read in one go: forking would cost more than it saves
WINDOWS = 4  # windows tried before giving up (e.g. a file that is one gzip member)
PROGRESS_INTERVAL = 0.25  # seconds between progress reports while waiting for the second part
_OFFSET = struct.Struct("=q")  # the raw offset the second part's reader has reached, in memory both processes share


def can_split(path: Path, size: int, jobs: int | None) -> bool:
    """True when a file of `size` bytes may be read in two parts here; `jobs` None: as the machine allows."""
    # fork without exec: only where it is the usual way (not macOS), and only without other threads.
    if not (size >= MIN_SIZE and hasattr(os, "fork") and sys.platform != "darwin"
            and threading.active_count() == 1 and path.is_file()):
        return False
    if jobs is None:   # (asked last: it takes a few milliseconds, which add up over many small files)
        return not busy() and cores() > 1
    return jobs > 1


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def busy() -> bool:
    """True when other work already keeps the cores busy (all but half of one): a second process
    would only take turns with this one, and this one would wait for it.

    Where the system says how many tasks are running right now (Linux's /proc/loadavg), that
    count decides: the load average lags a minute behind, and just after `provpack package`
    it still counts the workers that have finished. Elsewhere, the load average.
    """
    running = running_others()
    if running is not None:
        return running > cores() - 0.5
    try:
        return os.getloadavg()[0] > cores() - 0.5
    except (AttributeError, OSError):
        return False


LOADAVG = "/proc/loadavg"


def running_others(samples: int = 3) -> int | None:
    """Tasks running now besides this one (the least of a few looks, a millisecond apart); None where unknown."""
    counts = []
    for sample in range(samples):
        try:
            with open(LOADAVG, encoding="ascii") as handle:
                running = int(handle.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return None
        counts.append(max(0, running - 1))   # this process is running as it reads
        if sample + 1 < samples:
            time.sleep(0.001)
    return min(counts)


def find_split(path: Path, size: int, *, compressed: bool) -> int | None:
    """A raw offset near the middle where a gzip member (or a plain record) seems to start, or None."""
    with path.open("rb") as stream:
        for window in range(WINDOWS):
            start = size // 2 + window * WINDOW
            if start >= size:
                return None
            stream.seek(start)
            data = stream.read(WINDOW + (64 << 10))
            found = gzip_start(data) if compressed else plain_start(data)
            if found is not None:
                return start + found
    return None


HASH_BLOCK = 256 << 10  # bytes hashed at a time by HashRest


class HashRest:
    """Hashes a file from `offset` to its end into `hasher`, in a thread of its own; join() to wait,
    cancel() to stop it at the next block (a read abandoned, by Ctrl-C or an error, does not wait
    for the rest of a large file to be hashed)."""

    def __init__(self, path: Path, hasher: Any, offset: int) -> None:
        self._error: OSError | None = None
        self._stop = threading.Event()
        self._later: tuple[Path, Any, int] | None = None
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, args=(path, hasher, offset), name="provpack-sidecar-hash", daemon=True)
        try:
            self._thread.start()
        except RuntimeError:   # no thread to be had (the process limit, ulimit -u): hashed in join() instead
            self._thread, self._later = None, (path, hasher, offset)

    def _run(self, path: Path, hasher: Any, offset: int) -> None:
        try:
            # One buffer, read into again and again: the thread's allocator arena stays untouched.
            block = bytearray(HASH_BLOCK)
            view = memoryview(block)
            with path.open("rb", buffering=0) as stream:
                stream.seek(offset)
                while not self._stop.is_set() and (count := stream.readinto(block)):
                    hasher.update(view[:count])
        except OSError as exc:
            self._error = exc

    def join(self) -> None:
        """Wait for the end of the file; OSError when it could not be read."""
        if self._thread is not None:
            self._thread.join()
        elif self._later is not None:
            self._run(*self._later)
            self._later = None
        if self._error is not None:
            raise self._error

    def cancel(self) -> None:
        """Stop hashing at the next block and wait for the thread (the hash is then incomplete)."""
        self._stop.set()
        self._later = None
        if self._thread is not None:
            self._thread.join()


@dataclass(frozen=True, slots=True)
class Segment:
    """What the scanner of a file's second part found; see absorb."""

    problems: list[Problem]
    junk: list[tuple[int, int, int, bool]]  # problems whose message gives a decompressed offset
    warnings: list[Problem]
    records: int
    verified: int
    unverified: int
    counts: Counter[str]
    seen_ids: IdSet
    resource_keys: IdSet
    refused_keys: set[int]
    waiting: list[tuple[str, Waiting]]
    starts_with_record: bool
    members: int
    origin_waiting: list[tuple[str, Want]]   # provenance records waiting for their original's records (origcheck)
    origin_unheld: list[str]   # excerpts not at hand to check (and, --deep, align again) with their original
    # Before its first warcinfo: the provenance records' generators (provcheck: unsettled), and whether a metadata
    # record held provenance not as JSON (unsettled_hidden); the first part's last warcinfo decides what they are.
    unsettled: frozenset[str | None] = frozenset()
    unsettled_hidden: bool = False
    # Conversions held for provenance records waiting for their excerpt or source (origcheck): the most bytes held
    # at once, and whether one not held awaits the first part's warcinfo to say if that is a problem.
    origin_postponed_peak: int = 0
    origin_unsure: bool = False
    # Unverified records it took back, a problem found after them (recordcheck: _late): its warnings are not the
    # ones one read lists past the limit.
    taken_back: int = 0


@dataclass
class Child:
    """A forked process verifying the second part of a file, from raw offset `split`."""

    pid: int
    reader: int  # pipe the pickled Segment comes through
    split: int
    reached: mmap.mmap  # the raw offset the child's reader has reached (shared: the child writes it)
    done: bool = False

    def read_so_far(self) -> int:
        """Bytes of its part the child has read (0 once it is reaped: its part is then counted elsewhere)."""
        if self.done:
            return 0
        reached: int = _OFFSET.unpack_from(self.reached)[0]
        return max(0, reached - self.split)

    def wait(self, tick: Callable[[], None], interval: float = PROGRESS_INTERVAL) -> None:
        """Return when the child's findings start to come (its part is read, or it died), calling
        tick() every `interval` seconds until then. (poll, not select: a process with more than
        1,024 files open may get a descriptor select cannot watch.)"""
        poller = select.poll()
        poller.register(self.reader, select.POLLIN | select.POLLHUP | select.POLLERR)
        while not poller.poll(interval * 1000):
            tick()

    def result(self) -> Segment | None:
        """Wait for the child's findings; None when it failed."""
        found = None
        try:   # unpickled as it comes through the pipe, not gathered and joined first
            with os.fdopen(self.reader, "rb", closefd=False) as pipe:
                try:
                    found = pickle.load(pipe)
                except Exception:  # a child that died mid-write: read the part here instead
                    logger.debug("the process verifying the second part failed")
                while pipe.read(1 << 16):   # whatever follows, up to the child's end
                    pass
        finally:
            self._reap()
        return found if isinstance(found, Segment) else None

    def cancel(self) -> None:
        """Stop the child (when its part is not needed after all)."""
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def _reap(self) -> None:
        if not self.done:
            self.done = True
            os.close(self.reader)
            self.reached.close()
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # SIGCHLD ignored: the system reaped it
                pass


def start(path: Path, split: int, *, compressed: bool, deep: bool = False) -> Child | None:
    """Fork a process that verifies `path` from raw offset `split` on; None when forking fails."""
    reached = mmap.mmap(-1, _OFFSET.size)  # anonymous and shared: the child's writes are seen here
    _OFFSET.pack_into(reached, 0, split)
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        reached.close()
        return None
    if pid:
        os.close(writer)
        return Child(pid, reader, split, reached)
    try:  # the child: never returns
        os.close(reader)
        try:
            found: Segment | None = scan_segment(path, split, compressed=compressed, deep=deep,
                                                 on_read=lambda offset: _OFFSET.pack_into(reached, 0, offset))
        except BaseException:
            found = None
        with os.fdopen(writer, "wb") as pipe:   # pickled straight into the pipe, a frame at a time
            pickle.dump(found, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)


def scan_segment(path: Path, split: int, *, compressed: bool, deep: bool = False,
                 on_read: Callable[[int], None] | None = None) -> Segment:
    """Verify `path` from raw offset `split` to its end, as the second part of the file;
    `on_read(offset)` is told the raw offset reached after each block read."""
    scanner: Scanner | None = None

    def report(offset: int, kind: str, message: str, cuts: bool, skipped: tuple[int, int] | None) -> None:
        if scanner is not None:
            scanner.source_problem(offset, kind, message, cuts, skipped)

    with path.open("rb", buffering=0) as stream:
        raw = RawReader(stream, on_read=on_read)
        raw.seek(split)
        first = raw.read()
        source: Source
        if compressed:
            source = GzipSource(raw, first, report)
        else:
            source = PlainSource(raw, first, report)
            source.upos = split
        scanner = Scanner(source, segment=True, deep=deep)
        scanner.walk()
        return segment_of(scanner)


def segment_of(scanner: Scanner) -> Segment:
    """What a segment's scanner (of the second part of a file) found, for the first part to absorb."""
    return Segment(
        problems=scanner.problems, junk=scanner.junk, warnings=scanner.warnings, records=scanner.records,
        verified=scanner.verified, unverified=scanner.unverified, counts=scanner.counts,
        seen_ids=scanner.seen_ids, resource_keys=scanner.provenance.resource_keys,
        refused_keys=scanner.provenance.refused_keys, waiting=scanner.provenance.pending(),
        starts_with_record=scanner.starts_with_record,
        members=getattr(scanner.source, "member_count", 0),
        origin_waiting=scanner.origins.waiting(),
        origin_unheld=scanner.origins.unheld,
        unsettled=frozenset(scanner.provenance.unsettled),
        unsettled_hidden=scanner.provenance.unsettled_hidden,
        origin_postponed_peak=scanner.origins.postponed_peak,
        origin_unsure=scanner.origins.unsure,
        taken_back=scanner.taken_back,
    )


def absorb(scanner: Scanner, part: Segment) -> bool:
    """Give `scanner` what the second part of the file found, as if it had read on from where it
    stopped (walk returned True); False, changing nothing, when that cannot be done exactly."""
    if scanner.silent and not part.starts_with_record:
        return False  # this scanner would have skipped the segment's first bytes silently
    if not part.seen_ids.isdisjoint(scanner.seen_ids):
        return False  # a record id on both sides: duplicates and provenance pairs cross over
    held = scanner.provenance   # a few thousand ids at most; the segment's resources can be millions
    if held.holds_any(part.resource_keys) or held.holds_any(part.refused_keys):
        return False
    if scanner.origins.crosses(part.origin_waiting, part.seen_ids, scanner.seen_ids, part.origin_unheld):
        return False  # a provenance record and a record of its original on either side (origcheck)
    writer = held.writer   # (the generator the warcinfo read last says; None: not provpack's, or none)
    if writer is not None and (part.unsettled_hidden or any(generator != writer for generator in part.unsettled)):
        return False  # records before the segment's first warcinfo that the first part's says are wrong
    if (writer is not None and part.origin_unsure) or not scanner.origins.room(part.origin_postponed_peak):
        return False  # a conversion the segment held (or not) for a provenance record that one read would not
    if part.taken_back:
        return False  # (a warning withdrawn: past the limit, one read lists others)
    if any(want[4].get("context") is not None and want[4]["context"].outcome == "unverified"
           for _, want in part.origin_waiting):
        return False  # a problem at the end of the file would withdraw its warning, from a list that shifts
    resolved = scanner.provenance.resolve(part.waiting, scanner.seen_ids)
    if resolved is None:
        return False
    verified, unverified = part.verified, part.unverified
    inserts: list[tuple[int, int, list[Problem]]] = []
    still: list[tuple[str, Waiting]] = []
    failed = []
    for (refers_to, entry), resolution in zip(part.waiting, resolved):
        context = resolution.context
        if context.outcome == "unverified" and resolution.problems != []:
            return False  # it would not be listed as a warning (now, or at the end of the file): the list shifts
        if resolution.problems is None:
            still.append((refers_to, entry))
            continue
        if resolution.problems:
            if context.outcome == "verified":
                verified -= 1
            failed.append(context)
            inserts.append((context.problems_at, context.sequence, resolution.problems))
    for context in failed:   # (taken back here: a later problem of it, at the end of the file, takes nothing)
        context.outcome = "failed"
    problems = list(part.problems)
    base = scanner.upos  # decompressed offset of the split in this scanner
    for index, start, end, last in part.junk:
        old = problems[index]
        problems[index] = replace(old, message=junk_message(start + base, end + base, compressed=True, last=last))
    for at, _, found in sorted(inserts, key=lambda item: (item[0], item[1]), reverse=True):
        problems[at:at] = found
    for resolution in resolved:
        if resolution.counted is not None:
            scanner.counts[resolution.counted] += 1
    scanner.problems.extend(problems)
    room = max(0, recordcheck.MAX_WARNINGS - len(scanner.warnings))
    listed = part.warnings[:room]
    if len(part.warnings) > len(listed):
        scanner.counts[recordcheck.NOT_LISTED] += len(part.warnings) - len(listed)
    scanner.warnings.extend(listed)
    scanner.counts.update(part.counts)
    scanner.records += part.records
    scanner.verified += verified
    scanner.unverified += unverified
    scanner.seen_ids.update(part.seen_ids)
    scanner.provenance.adopt(still)
    scanner.origins.adopt(part.origin_waiting, part.origin_unheld)
    return True
