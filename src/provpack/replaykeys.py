"""Records that replay tools cannot tell apart: one URL key at one second.

pywb and ReplayWeb.page find a record by its CDXJ key: its URL's SURT, which urlkey.py computes as
cdxj-indexer does (no #fragment and no scheme, a leading www. dropped, host, path and query in lower
case, a trailing / and session ids dropped, query parameters sorted), and its WARC-Date to the
second. Of two records they serve by URL (resource, response, revisit) under one key and second,
they replay one. `ReplayKeys` takes such records in archive order and keeps where one has the key
of an earlier one; `warn_clashes` says so, naming both and what to do.

A content URN (urn:provpack:sha256:HEX, an excerpt's target when its sidecar gives no `url`, or an
original's when it gives no `source_url`) names the bytes under it: records sharing one hold the same
bytes, and replay loses nothing, so they are left out, unless their digests (given by a caller that
reads them from an archive: wacz) differ: then one of them is not what its URN names (a record forged
under another's URN: verify reports it), replay shows only one, and that is a clash.

Memory stays flat for any number of records: each key is a 64-bit hash in an IdSet (about 10 bytes;
two keys with one hash, a chance in 2**64 a pair, would be taken for one), and who gave it goes to
a spooled temporary file, read back once, at the end, and only when there are clashes to name.
"""

from __future__ import annotations

import functools
import logging
import re
import struct
import tempfile
import weakref
from collections.abc import Sequence
from typing import NamedTuple

from .idset import IdSet
from .spill import Held, discard, no_room, spilling
from .urlkey import CONTENT_URN, urlkey

__all__ = ["MOST", "Clash", "ReplayKeys", "Source", "cdx_timestamp", "replayable", "warn_clashes", "warn_unreplayable"]

log = logging.getLogger(__name__)

MOST = 10   # warning lines at most: one per clash, the last counting the rest when there are more
SERVED = frozenset({"resource", "response", "revisit"})   # the record types replay tools find by URL
_SPOOL_BYTES = 1 << 20   # what the log keeps in memory before it moves to a temporary file
_LOG: Held = ("the list of who gave each record replay tools find by URL",
              f"past {_SPOOL_BYTES >> 20} MiB it is kept there, not in memory")
_ENTRY = struct.Struct("<qBqII")   # key hash, excerpt or not, offset, bytes of `where`, bytes of `what`
_NOT_DIGITS = str.maketrans("", "", "-T:Z")


class Source(NamedTuple):
    """Who gave a record, in words: its document (`where`) and the record (`what`, with its URL)."""

    where: str      # a sidecar's path, or `page NAME`
    what: str       # `url https://...`, `original PATH (source_url https://...)`, ...
    excerpt: bool   # an excerpt's own record (else an original's, or another record)
    offset: int = -1   # where the record starts in the archive, when the caller knows it


class Clash(NamedTuple):
    """A record with the key and second of an earlier one."""

    later: Source
    first: Source
    urlkey: str
    timestamp: str


class ReplayKeys:
    """The keys of the records replay tools serve by URL, added in archive order; the clashes among them."""

    __slots__ = ("_seen", "_contents", "_log", "_found", "count", "_most", "_chain", "__weakref__")

    def __init__(self, *, most: int = MOST) -> None:
        self._seen = IdSet()
        self._contents = IdSet()   # the content URNs' keys with each digest they were given (see add_key)
        self._log = tempfile.SpooledTemporaryFile(_SPOOL_BYTES)  # noqa: SIM115 - closed by close() or collection
        weakref.finalize(self, discard, self._log)
        self._found: list[tuple[int, Source, str, str]] = []   # the first `most` clashes: key hash, later, key
        self._most = most
        self.count = 0   # clashes in all
        self._chain: set[int] = set()   # the keys of the redirects (and the response) of the capture added last

    def add(self, url: str, timestamp: str, source: Source, *, chained: bool = False,
            digest: str | None = None) -> None:
        """A record served by `url` (its WARC-Target-URI), dated `timestamp` (14 digits).

        `chained`: a response of the capture whose redirect was added just before: a key of that
        capture's again (http to https, a trailing /) is left out, as replay follows such a redirect.
        `digest`: the record's payload digest, as its index line gives it (see add_key).
        """
        if not CONTENT_URN.fullmatch(url):   # (surt loads only for a URL to key)
            self.add_key(urlkey(url), timestamp, source, chained=chained)
        elif digest is not None:
            self.add_key(url, timestamp, source, digest=digest)

    def add_key(self, urlkey: str, timestamp: str, source: Source, *, chained: bool = False,
                digest: str | None = None) -> None:
        """A record whose CDXJ key is `urlkey` (its URL's SURT), dated `timestamp` (14 digits); `chained` as for add.

        A content URN's records are left out when no `digest` is given (package's, whose URNs are their texts'),
        and else clash only where their digests differ (letter case aside): same bytes, nothing lost.
        """
        if CONTENT_URN.fullmatch(urlkey):
            if digest is None:
                return
            key = hash((urlkey, timestamp))
            first = self._contents.add(key)
            if self._contents.add(hash((urlkey, timestamp, digest.strip().lower()))) and not first:
                self.count += 1   # (another digest under a URN and second seen before)
                if len(self._found) < self._most:
                    self._found.append((key, source, urlkey, timestamp))
            self._write(key, source)
            return
        key = hash((urlkey, timestamp))
        if not chained:
            self._chain.clear()
        elif key in self._chain:
            return
        self._chain.add(key)
        if not self._seen.add(key):
            self.count += 1
            if len(self._found) < self._most:
                self._found.append((key, source, urlkey, timestamp))
        self._write(key, source)

    def _write(self, key: int, source: Source) -> None:
        """Log who gave a record of key `key`, for clashes() to name the first."""
        where = source.where.encode("utf-8", "surrogatepass")
        what = source.what.encode("utf-8", "surrogatepass")
        try:   # (past _SPOOL_BYTES: the file made, and written; a try costs nothing a record, a `with` would)
            self._log.write(_ENTRY.pack(key, source.excerpt, source.offset, len(where), len(what)) + where + what)
        except OSError as exc:
            raise no_room(exc, _LOG) from exc

    def clashes(self) -> list[Clash]:
        """The first `most` clashes (of `count`), each with the first record that had its key and second."""
        if not self._found:
            return []
        first: dict[int, Source | None] = {key: None for key, *_ in self._found}
        missing = len(first)
        with spilling(_LOG):   # (what is still buffered is written first)
            self._log.seek(0)
        read = self._log.read
        while missing and (head := read(_ENTRY.size)):
            key, excerpt, offset, where_size, what_size = _ENTRY.unpack(head)
            body = read(where_size + what_size)
            if key in first and first[key] is None:
                first[key] = Source(body[:where_size].decode("utf-8", "surrogatepass"),
                                    body[where_size:].decode("utf-8", "surrogatepass"), bool(excerpt), offset)
                missing -= 1
        self._log.seek(0, 2)
        return [Clash(later, owner, urlkey, timestamp) for key, later, urlkey, timestamp in self._found
                if (owner := first[key]) is not None]

    def close(self) -> None:
        discard(self._log)


@functools.lru_cache(maxsize=64)   # a run's records share a date or a few
def cdx_timestamp(warc_date: str) -> str:
    """The 14-digit CDX timestamp of a WARC-Date as provpack writes it (2017-11-12T00:00:00Z: whole seconds)."""
    digits = warc_date.translate(_NOT_DIGITS)
    if len(digits) != 14 or not digits.isdigit():
        raise ValueError(f"not a WARC-Date in whole seconds: {warc_date!r}")
    return digits


# pywb keeps an address whose scheme is followed by a / (http://, ftp://, file:/) or a urn:, and reads any other as a
# host (mailto:a@b.org as http://mailto:a@b.org/, which is nowhere) but a data: URL, which it refuses (400).
_KEPT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/|urn:")
UNREPLAYABLE = ("replay tools cannot replay it (pywb takes an address with no / after its scheme, but a urn:, for a"
                " host name, and refuses a data: URL), so it is no page of a WACZ")


def replayable(url: str) -> bool:
    """Whether pywb replays a record under `url` (its WARC-Target-URI): an address whose scheme is followed by a /,
    or a urn: (so a content URN); not mailto:, data:, tel:, tag: ... (tested in tests/test_replay.py)."""
    return _KEPT.match(url) is not None


def warn_unreplayable(given: Sequence[tuple[str, str]], *, prefix: str = "", again: bool = False) -> None:
    """Warn, in at most MOST lines, that each (who, url) of `given` (a sidecar or a page, and the url it gives an
    excerpt) cannot be replayed; `again`: the archive is made (wacz)."""
    fix = ("package the excerpt again with its web address as url, or none" if again else
           "give the excerpt's web address as url, or leave url out")
    fix += " (an excerpt without url gets its urn:provpack:sha256 target, which replays)"
    shown = given[: MOST if len(given) <= MOST else MOST - 1]
    for where, url in shown:
        log.warning("%s%s: url %s: %s: %s", prefix, where, url, UNREPLAYABLE, fix)
    if len(shown) < len(given):
        log.warning("%s%d more urls replay tools cannot replay (%s among them): %s", prefix, len(given) - len(shown),
                    given[len(shown)][0], fix)


def warn_clashes(clashes: Sequence[Clash], count: int, *, prefix: str = "", again: bool = False) -> None:
    """Warn about the clashes (`count` in all) in at most MOST lines, each naming both records and what to do;
    `prefix` opens each line (the archive's name), `again`: the archive is made, its excerpts must be packaged again."""
    shown = clashes[: MOST if count <= MOST else MOST - 1]
    for later, first, urlkey, timestamp in shown:
        whose = "its" if first.where == later.where else f"{first.where}'s"
        log.warning("%s%s: %s and %s %s are one capture to replay tools (pywb and ReplayWeb.page find a record by "
                    "its URL's SURT and second, here %s %s), so only one of the two replays: %s", prefix,
                    later.where, later.what, whose, first.what, urlkey, timestamp,
                    _NOT_ITS_CONTENT if CONTENT_URN.fullmatch(urlkey) else
                    _advice(again) if later.excerpt or first.excerpt else _SEPARATE)
    if len(shown) < count:   # (a caller may count clashes it names no more, such as another tool's records)
        among = f" ({clashes[len(shown)].later.where} among them)" if len(shown) < len(clashes) else ""
        log.warning("%s%d more excerpts or originals are one capture with an earlier one to replay tools%s: %s",
                    prefix, count - len(shown), among, _advice(again))


_NOT_ITS_CONTENT = ("a urn:provpack:sha256 target names the exact bytes of its record, and these two differ, so one "
                    "is not the text its URN names: run 'provpack verify' on the archive")
_SEPARATE = ("the archive holds both; package excerpts whose originals differ but share a source_url into separate "
             "archives to replay each")
_DISTINCT = ("one whose path or query differs from every other url's and source_url's by more than letter case "
             "(replay tools set aside a #fragment, http or https, a leading www., a trailing / and the order of "
             "query parameters)")


def _advice(again: bool) -> str:
    if again:
        return (f"package the excerpts again, each with a url of its own, {_DISTINCT}, or none (an excerpt without "
                "url gets its urn:provpack:sha256 target)")
    return (f"give each excerpt a url of its own, {_DISTINCT}, or leave url out so the excerpt gets its "
            "urn:provpack:sha256 target")
