"""Read a provpack archive back: its documents, their provenance, and their exact bytes."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import zlib
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, NamedTuple

from warcio.exceptions import ArchiveLoadFailed

from .arguments import FLAG, FUNCTION, INT, PATH, TEXT, Kind, binary_stream, require
from .callerstream import writer
from .defaults import MAX_PROVENANCE_BYTES
from .errors import ArchiveError, InputError, IntegrityError, ProvpackError, printable, unreadable
from .fsnames import ENCODING
from .gzipsource import PROBE
from .jsondepth import TooDeep, loads
from .provshape import shape_problem
from .resync import WINDOW, gzip_start, next_start, plain_start
from .sniff import (GZIP_OF_NO_WARC, QUOTED, SEVERAL_RECORDS, check_end, check_length, foreign_format,
                    inflates_to_nothing, quoted, quoted_text, refuse_stream, several_records, unreadable_reason)
from .warciter import QuietArchiveIterator

log = logging.getLogger(__name__)

PROVENANCE_FORMAT = "provpack-provenance/1"
_CHUNK = 1024 * 1024
_HELD_IN_MEMORY = 8 << 20   # bytes of a document held in memory until checked; the rest in a temporary file
_NAMES_LISTED = 20  # names an unknown-name error lists


@dataclass(frozen=True, slots=True)
class ArchivedDocument:
    """One excerpt as the archive records it (hashed by all but its provenance, a dict: equal ones hash alike)."""

    name: str
    record_id: str
    target_uri: str
    sha256: str
    length_bytes: int
    offset: int | None
    provenance: dict[str, Any] = field(hash=False)


def read_archive(path: Path | str, *,
                 on_damage: Callable[[IntegrityError], None] | None = None) -> tuple[ArchivedDocument, ...]:
    """Every document described by a provpack provenance record, in archive order.

    Damage to the file (a gzip member cut off or corrupt, bytes between members that are not gzip data, or
    bytes where a record should start that are not one: junk, to verify; a Content-Length verify finds wrong; a
    WARC header that cannot delimit its record, with no Content-Length or its blank line damaged; a
    WARC header block over 1 MiB, the blank line counted; a provenance record whose JSON does not parse, or is
    not of the shape docs/format.md gives; a record a document is lost in, _unreadable) is an IntegrityError naming
    the byte where it is. Given `on_damage`, that error is passed to it instead, and reading resumes at the next
    gzip member (or, in a plain WARC, the next WARC header) past the damage that holds a record, as verify
    reads on: the documents before and after each damaged place are returned. A document whose provenance
    record is read but whose resource record lies in the damage (or is not in the file) has no `offset`; its
    resource record may come before or after its provenance record.
    """
    return read_listing(path, on_damage=on_damage).documents


class ArchiveListing(NamedTuple):
    """What reading an archive found: its documents, and how many WARC records it read (of any tool)."""

    documents: tuple[ArchivedDocument, ...]
    records: int
    unnamed: tuple[int, ...] = ()   # offsets of the resource records read that no provenance record read names


def read_listing(path: Path | str, *,
                 on_damage: Callable[[IntegrityError], None] | None = None) -> ArchiveListing:
    """read_archive's documents, with the number of records read (outside any damage): a WARC of another
    tool's, with no provpack documents, is then said as such (show, and an unknown name to extract)."""
    return _listing(path, on_damage)[0]


def _listing(path: Path | str, on_damage: Callable[[IntegrityError], None] | None
             ) -> tuple[ArchiveListing, ReadEach]:
    """read_listing's answer, with read_each's (text_damage: which damaged place holds a document's text; unread:
    where the provenance record of a document whose text was not read is; warcinfo_at)."""
    documents: list[ArchivedDocument] = []
    try:
        read = read_each(path, documents.append, on_damage=on_damage)
    except OSError as exc:   # the archive's reading failed (EIO): said of it, not bare (extract -o blamed its output)
        if isinstance(exc, ProvpackError):
            raise
        raise ArchiveError.unreadable(path, exc, doing="cannot read it") from exc
    found = read.resource_offsets   # a resource record may follow its provenance record (docs/format.md)
    listed = (document if document.offset is not None or document.record_id not in found
              else replace(document, offset=found[document.record_id]) for document in documents)
    named = {document.record_id for document in documents}
    named.update(_original_id(document.provenance) for document in documents)   # a local original's resource
    return ArchiveListing(tuple(listed), read.records,
                          tuple(sorted(offset for record_id, offset in found.items() if record_id not in named))
                          ), read


def _original_id(provenance: Mapping[str, Any]) -> str:
    """The WARC-Record-ID of the resource record holding the document's local original, or ""."""
    original = provenance.get("original")
    record_id = original.get("record_id") if isinstance(original, dict) and original.get("how") == "local" else None
    return record_id if isinstance(record_id, str) else ""


class ReadEach(NamedTuple):
    """What read_each read besides the documents it handed on."""

    records: int   # WARC records read (of any tool), outside any damage
    resource_offsets: Mapping[str, int]   # WARC-Record-ID -> offset of each resource record read
    # record_id -> the damaged place where the text of a document handed on with no `offset` lies (its resource record
    # was not read after it either): the one found just before its provenance record, no record read between them
    # (package writes the text just before), else the first after it (a text may follow); a document with no text
    # read that is not in it has its text nowhere in the file (`unread`).
    text_damage: Mapping[str, IntegrityError] = MappingProxyType({})
    # record_id -> the offset of the provenance record of each document handed on with no `offset` whose resource
    # record was not read after it either (outside any damage, not in the file: show and extract say so).
    unread: Mapping[str, int] = MappingProxyType({})
    warcinfo_at: int | None = None   # the offset of the last warcinfo record read (None: none was)


def read_each(path: Path | str, each: Callable[[ArchivedDocument], None], *,
              on_damage: Callable[[IntegrityError], None] | None = None) -> ReadEach:
    """read_archive's documents handed to `each` one at a time, in archive order, as they are read: memory does not
    grow with their number (`provpack show`). A document is handed on once no damage found later can take it back
    (the record read last, which warcio may give whole though damage cuts it off). A document whose resource
    record follows its provenance record is handed on with no `offset`: that record's offset is in the answer's
    resource_offsets, by the document's record_id, when it was read (read_listing fills it in). An error raised
    stops the reading: the documents handed on before it were read, but the archive as a whole was not."""
    require((("path", path, PATH), ("each", each, FUNCTION), ("on_damage", on_damage, FUNCTION.or_none)))
    archive = Path(path)
    documents = _Held(each)
    state = _Reading()
    try:
        _read_past_damage(archive, documents, state, on_damage)
    except _FromEach as exc:   # `each`'s own error, not damage to the file
        raise exc.error from None
    documents.hand_on()
    return ReadEach(len(state.read_ids), MappingProxyType(state.resource_offsets), MappingProxyType(state.text_damage),
                    MappingProxyType(state.unread), state.warcinfo_at)


def _read_past_damage(archive: Path, documents: _Held, state: _Reading,
                      on_damage: Callable[[IntegrityError], None] | None) -> None:
    """Read the documents into `documents`, from the start, on past each damaged place when `on_damage` is given."""
    start = 0
    while True:
        try:
            _read_documents(archive, documents, state, start, on_damage)
            break
        except _NoRecordAt as exc:   # a likely start past damage that holds no record after all
            after = exc.start
        except IntegrityError as exc:
            if on_damage is None or isinstance(exc, _SharedId):   # (which record a document names is unknown)
                raise
            if exc.offset is not None:
                _take_back(archive, state, documents, exc.offset, whole=not isinstance(exc, _WrongLength))
            said = state.damage
            if said is None or exc.offset is None or said.offset != exc.offset:   # (a record said as it was read,
                on_damage(_bare(exc))                                              # then found damaged again: once)
                _found(state, exc)
            state.damage_next = True
            if exc.offset is None:
                break
            after = max(exc.offset, start)
        resumed = _resume_after(archive, after, state)
        if resumed is None:
            break
        start = resumed


class _Held:
    """The document read last, held back from `each` until the next one is read: until then damage found past it
    can take it back (_take_back)."""

    __slots__ = ("_each", "_document")

    def __init__(self, each: Callable[[ArchivedDocument], None]) -> None:
        self._each = each
        self._document: ArchivedDocument | None = None

    def append(self, document: ArchivedDocument) -> None:
        """Hold `document`, handing on the one held before (its record is no longer the one read last)."""
        self.hand_on()
        self._document = document

    def pop(self) -> None:
        """Forget the document held (read from the record taken back)."""
        self._document = None

    def hand_on(self) -> None:
        """Hand the document held to `each`."""
        document, self._document = self._document, None
        if document is not None:
            try:
                self._each(document)
            except IntegrityError as exc:   # (not to be taken for damage the reading found)
                raise _FromEach(exc) from exc


class _FromEach(Exception):
    """An IntegrityError that read_each's `each` raised, carried past the reading's handling of damage."""

    def __init__(self, error: IntegrityError) -> None:
        super().__init__(error)
        self.error = error


def _bare(error: IntegrityError) -> IntegrityError:
    """`error` without its traceback and the exceptions it was raised while handling or from: an on_damage that
    keeps every error passed to it (a list's append) would keep with them the frames of the reading that found
    each, and the buffers they hold, alive (about a megabyte a damaged place)."""
    error.__traceback__ = None
    error.__context__ = None
    error.__cause__ = None
    return error


class DamageSeen:
    """An on_damage for read_archive that keeps the first damaged place passed to it and how many there were,
    not every one: memory stays the same however many places are damaged."""

    __slots__ = ("first", "count")

    def __init__(self) -> None:
        self.first: IntegrityError | None = None
        self.count = 0

    def __call__(self, error: IntegrityError) -> None:
        if self.first is None:
            self.first = error
        self.count += 1

    def said(self, place: IntegrityError | None = None) -> str:
        """The damaged place `place` (by default the first) in words, and how many more there are ("" when there is
        none)."""
        place = place or self.first
        if place is None:
            return ""
        more = self.count - 1
        return place.problem + (f" (and {more:,} more damaged place{'s' if more > 1 else ''})" if more else "")

    @property
    def them(self) -> str:
        """The damaged places, as a message names them after said(): "it" (one) or "them"."""
        return "it" if self.count <= 1 else "them"


@dataclass(slots=True)
class _Reading:
    """What a reading of an archive has seen so far, kept across the damaged places it reads past."""

    read_ids: dict[int, str] = field(default_factory=dict)   # offset -> WARC-Record-ID of each record read, in order
    own_ids: dict[str, int] = field(default_factory=dict)   # WARC-Record-ID -> offset, of provpack's kinds of record
    resource_offsets: dict[str, int] = field(default_factory=dict)
    block: tuple[int, bytearray, Any] | None = None   # the last provenance record read: offset, block, headers
    listed_at: int = -1   # the offset of the provenance record the last document was taken from
    compressed: bool | None = None   # whether its records are in gzip members (known at the first damage)
    damage: IntegrityError | None = None   # the damaged place found last
    text_damage: dict[str, IntegrityError] = field(default_factory=dict)   # (ReadEach.text_damage)
    damage_next: bool = False   # a damaged place was found, and no record has been read since
    unread: dict[str, int] = field(default_factory=dict)   # (ReadEach.unread)
    warcinfo_at: int | None = None   # the offset of the last warcinfo record read


def _take_back(archive: Path, state: _Reading, documents: _Held, at: int, *,
               whole: bool = True) -> None:
    """Forget the record read last when the damage found at offset `at` lies in it (it starts there; the records
    before it end before the damage), unless it shows itself whole (_whole; `whole` False: the damage is in the
    record itself, not to be looked at so): warcio gives a record whose gzip member fails past its first 16 KiB,
    or that the end of the file cuts off, as though it were sound."""
    if not state.read_ids:
        return
    offset, record_id = next(reversed(state.read_ids.items()))   # (in the order read)
    block = state.block if state.block is not None and state.block[0] == offset else None
    if offset < at or (whole and _whole(archive, offset, block)):
        return
    del state.read_ids[offset]
    if state.own_ids.get(record_id) == offset:
        del state.own_ids[record_id]
    if state.resource_offsets.get(record_id) == offset:
        del state.resource_offsets[record_id]
    if state.listed_at == offset:
        documents.pop()
        state.listed_at = -1


def _whole(archive: Path, offset: int, block: tuple[int, bytearray, Any] | None) -> bool:
    """Whether the record at `offset` is whole though damage was found where it starts: its `block` (a provenance
    record's: offset, block, headers) matches its WARC-Block-Digest, or its gzip member inflates to its end, CRC-32
    and length right (the damage follows the record in its member)."""
    from .digests import matches, new_hasher, parse_claim

    digest = None if block is None else block[2].get_header("WARC-Block-Digest")
    if block is not None and digest is not None:
        claim = parse_claim("WARC-Block-Digest", digest)
        if claim.algorithm is not None and matches(claim, new_hasher(claim.algorithm, block[1]).digest()):
            return True
    try:
        handle = archive.open("rb")
    except OSError:
        return False
    with handle:
        handle.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        data = handle.read(_CHUNK)
        if not data.startswith(b"\x1f\x8b"):
            return False
        try:
            while data and not inflater.eof:
                inflater.decompress(data, _CHUNK)
                while inflater.unconsumed_tail and not inflater.eof:   # (output is dropped as it comes)
                    inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                data = handle.read(_CHUNK)
        except zlib.error:
            return False
        return inflater.eof


def _resume_after(archive: Path, after: int, state: _Reading) -> int | None:
    """Where a record seems to start past offset `after` (damage), or None."""
    try:
        handle = archive.open("rb")
    except OSError:
        return None
    with handle:
        if state.compressed is None:   # whether the records are in gzip members: found once
            head = handle.read(5)
            compressed = head.startswith(b"\x1f\x8b")
            if not compressed and head != b"WARC/":   # bytes before the first record: what follows them counts
                first = _first_start(handle)
                if first is not None:
                    handle.seek(first)
                    compressed = handle.read(2) == b"\x1f\x8b"
            state.compressed = compressed
        return next_start(handle, after, compressed=state.compressed)


def _read_documents(archive: Path, documents: _Held, state: _Reading, start: int,
                    on_damage: Callable[[IntegrityError], None] | None) -> None:
    """Give each document to `documents` as its provenance record is read, from the record at `start` on. A record
    that is delimited but cannot be read as what it holds (_unreadable) is damage passed to `on_damage` (raised
    without it) as it is met: the reading goes on at the next record."""
    resource_offsets = state.resource_offsets
    read_ids, own_ids = state.read_ids, state.own_ids
    for record, offset in _records(archive, start=start):
        after_damage, state.damage_next = state.damage_next, False   # (the record read first after a damaged place)
        warc_type = (record.rec_type or "").lower()   # (read in any case, as verify reads it)
        warc_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        read_ids[offset] = warc_id
        provenance_kind = warc_type == "metadata" and _is_jsonld(record.rec_headers.get_header("Content-Type"))
        # Documents are read from resource and JSON-LD metadata records, found by their ids: two of these with one
        # id leave which a document names unknown. Another tool's other records that repeat an id (requests, in
        # warcio's example-digest.warc) are verify's to report: they hide no document.
        if warc_type == "resource" or provenance_kind:
            if not warc_id and not provenance_kind:   # (a text no provenance record can name)
                _said(_unreadable(archive, record, offset, warc_type, warc_id, state), state, on_damage)
                continue
            if warc_id in own_ids:
                raise _SharedId(archive, f"the {warc_type} record at byte {offset} has the WARC-Record-ID "
                                f"{quoted_text(warc_id, 100)} of the record at byte {own_ids[warc_id]}: which one a "
                                "document names is unknown; `provpack verify` gives the full report")
            if warc_id:   # (a provenance record without one: nothing names it, so it shares none; verify says it)
                own_ids[warc_id] = offset
        if warc_type == "resource":
            resource_offsets[warc_id] = offset
            if state.unread:
                state.unread.pop(warc_id, None)   # (read after its provenance record)
                if state.text_damage:
                    state.text_damage.pop(warc_id, None)   # (not in the damage)
            continue
        if not provenance_kind:
            if warc_type == "warcinfo":
                state.warcinfo_at = offset
            elif not warc_type or warc_type == "metadata":   # (none in a sound provpack archive)
                _said(_unreadable(archive, record, offset, warc_type, warc_id, state), state, on_damage)
            continue
        block = _read_capped(record.content_stream(), MAX_PROVENANCE_BYTES + 1)
        state.block = (offset, block, record.rec_headers)
        if len(block) > MAX_PROVENANCE_BYTES:
            raise ArchiveError(archive, f"metadata record at offset {offset} is larger than "
                               f"{MAX_PROVENANCE_BYTES} bytes, more than provpack package writes for a document",
                               fix="run 'provpack verify' on the file, and 'provpack index' to list its records")
        try:
            provenance = loads(block)   # (one nested deeper than provpack's is TooDeep: damage too)
        except (ValueError, UnicodeDecodeError) as exc:
            _check_block(archive, offset)   # a block in a gzip member cut off or corrupt is said as such
            from .provcheck import marked

            if not isinstance(exc, TooDeep) and not marked(block):   # another tool's JSON, as verify reads it
                continue
            raise IntegrityError(archive, f"the metadata record at byte {offset} ({quoted_text(warc_id, 100)}) is "
                                 f"damaged: its JSON does not parse: {exc}; `provpack verify` gives the full report",
                                 offset=offset) from None
        if not isinstance(provenance, dict) or provenance.get("format") != PROVENANCE_FORMAT:
            continue
        problem = shape_problem(provenance)
        if problem is not None:   # damage too, as JSON that does not parse: the other documents are read past it
            raise IntegrityError(archive, f"the metadata record at byte {offset} ({quoted_text(warc_id, 100)}) is "
                                 f"damaged: its provenance JSON is not of the shape docs/format.md gives: {problem};"
                                 " `provpack verify` gives the full report", offset=offset)
        text_at = resource_offsets.get(provenance["record_id"])
        if text_at is None:
            state.unread[provenance["record_id"]] = offset
            if state.damage is not None and after_damage:   # (package writes the text just before: there it lies;
                state.text_damage[provenance["record_id"]] = state.damage   # past a record read, it is not there)
        documents.append(ArchivedDocument(
            name=provenance["name"],
            record_id=provenance["record_id"],
            target_uri=str(provenance.get("@id", "")),
            sha256=provenance["sha256"],
            length_bytes=provenance["length_bytes"],
            offset=text_at,
            provenance=provenance,
        ))
        state.listed_at = offset


def _said(damage: IntegrityError | None, state: _Reading, on_damage: Callable[[IntegrityError], None] | None) -> None:
    """`damage` (a record read whole, _unreadable's) passed to `on_damage`, or raised without it; None: nothing."""
    if damage is None:
        return
    if on_damage is None:
        raise damage
    on_damage(damage)
    _found(state, damage)
    state.damage_next = True


def _found(state: _Reading, damage: IntegrityError) -> None:
    """A damaged place found: the last, and the place of the texts not read of the provenance records before it that
    have none yet (no damaged place just before them: their text may follow, in the first after them)."""
    state.damage = damage
    if damage.offset is not None:
        for record_id, at in state.unread.items():
            if at < damage.offset and record_id not in state.text_damage:
                state.text_damage[record_id] = damage


def _unreadable(archive: Path, record: Any, offset: int, warc_type: str, warc_id: str,
                state: _Reading) -> IntegrityError | None:
    """The damage, in verify's words, of a record read whole that a document may be lost in (or None): one with no
    WARC-Type header, whose kind is unknown; a resource record with no WARC-Record-ID, which no provenance record
    can name; a metadata record whose block is provpack provenance but whose Content-Type is not JSON (damaged, in
    a file whose warcinfo is provpack's: verify's metadata-mismatch; in another's, a note), its document not read.
    Sound archives have none: only a metadata record that is not JSON-LD has its block looked at."""
    named = f" ({quoted_text(warc_id, 100)})" if warc_id else ""
    if not warc_type:
        return IntegrityError(archive, f"the record at byte {offset}{named}: no WARC-Type header: what it holds is not "
                              "read; `provpack verify` gives the full report", offset=offset)
    if warc_type == "resource":
        return IntegrityError(archive, f"the resource record at byte {offset}: no WARC-Record-ID header: no "
                              "provenance record can name it, and the text it holds is not read; `provpack verify` "
                              "gives the full report", offset=offset)
    from .provcheck import JSON_START, may_hide

    stream = record.content_stream()
    block = bytearray(stream.read(1))   # (another tool's metadata, seldom JSON, is not read further)
    if not block or block[0] not in JSON_START:
        return None
    block += _read_capped(stream, MAX_PROVENANCE_BYTES)
    if not may_hide(block, 0, len(block)):
        return None
    try:
        provenance = loads(block)   # (as a provenance record's is read)
    except (ValueError, UnicodeDecodeError):
        return None
    if (not isinstance(provenance, dict) or provenance.get("format") != PROVENANCE_FORMAT
            or not _by_provpack(archive, state.warcinfo_at)):
        return None
    content_type = record.rec_headers.get_header("Content-Type")
    shown = "none" if content_type is None else quoted_text(content_type.strip(), 80)
    return IntegrityError(archive, f"the metadata record at byte {offset}{named}: the block is provpack provenance "
                          f"(\"format\": \"{PROVENANCE_FORMAT}\"), but the record's Content-Type is {shown}, not "
                          "JSON (package writes it as application/ld+json): its document is not read; "
                          "`provpack verify` gives the full report", offset=offset)


def _by_provpack(archive: Path, warcinfo_at: int | None) -> bool:
    """Whether the warcinfo record at `warcinfo_at` (None: none read) is provpack's, as verify tells it."""
    from .provcheck import WARCINFO_LIMIT, software_writer

    if warcinfo_at is None:
        return False
    records = _records(archive, start=warcinfo_at)
    try:
        record, _ = next(records)
        return software_writer(bytes(_read_capped(record.content_stream(), WARCINFO_LIMIT + 1))) is not None
    except (ProvpackError, StopIteration, _NoRecordAt):
        return False
    finally:
        records.close()


def find(path: Path | str, name: str) -> ArchivedDocument:
    """The document called `name`, or shown so by `provpack show` (see _named); an ArchiveError listing the
    names there are, as show prints them, if none is."""
    listing = read_listing(path)
    return _named(path, listing.documents, listing.records, name)


def not_in_file(name: str, record_id: str, at: int, more: int = 0) -> str:
    """What show and extract say of a document `name` whose text is not in the file (no damage found): its provenance
    record at byte `at` names the resource record `record_id`, which no record read is (verify: "names no record in
    this file"); `more`: how many more documents have none."""
    others = f" (and {more:,} more document{'s' if more > 1 else ''} whose text is not in the file)" if more else ""
    return (f"the provenance record at byte {at} names the resource record {quoted_text(record_id, 100)} as the text of "
            f"{shown_name(name)}, and no resource record in the file has that WARC-Record-ID{others}; "
            "`provpack verify` gives the full report")


def shown_name(name: str, limit: int = QUOTED) -> str:
    """A document's name in quotes as `provpack show` prints it (control characters, tabs and line breaks
    spelled \\xNN: 'a\\x09b'), so a name a message gives can be typed back; its first `limit` characters."""
    return f"'{printable(name[:limit])}'" + ("..." if len(name) > limit else "")


def no_documents(records: int) -> str:
    """What a WARC holding no provpack documents holds, in words (show's and extract's)."""
    return (f"holds no provpack documents ({records:,} WARC record{'s' if records != 1 else ''}; "
            "'provpack index' lists them)")


def _named(path: Path | str, documents: tuple[ArchivedDocument, ...], records: int, name: str,
           also: str | None = None) -> ArchivedDocument:
    """The document of `documents` called `name`: the one of that exact name, else the one `provpack show`
    prints so (a\\x09b for a tab) or whose name `name` spells with escapes (caf\\xe9, caf\\u00e9: as show prints
    what the locale cannot, and show --json and Python's ascii() spell names), else the one of that name in another
    Unicode normalisation, each taken only when exactly one document is it.

    `also`: another reading of the same argument, its bytes read as UTF-8 where the locale read them otherwise
    (fsnames.utf8_reading); each reading is looked for so, and when the two find different documents, neither is
    taken."""
    found = _one_named(path, documents, name)
    other = None if also is None else _one_named(path, documents, also)
    if found is not None and other is not None and found is not other:
        raise ArchiveError(path, f"{shown_name(name)} names two documents: {shown_name(found.name)} as this locale "
                           f"({ENCODING}) reads it, and {shown_name(other.name)} as its bytes read as UTF-8",
                           fix=f"type {ascii(found.name)} for the one or {ascii(other.name)} for the other "
                               "(escaped so, a name means the same in any locale)")
    chosen = found if found is not None else other
    if chosen is not None:
        return chosen
    import difflib

    asked = shown_name(name) if also is None else (f"{shown_name(name)} (as this locale, {ENCODING}, reads it) or "
                                                   f"{shown_name(also)} (its bytes read as UTF-8)")
    if not documents:   # another tool's WARC: no name would do
        raise ArchiveError(path, f"no document named {asked}: the file {no_documents(records)}",
                           fix="extract gives back the excerpts 'provpack package' archived")
    every = [d.name for d in documents]
    shown = [printable(known) for known in every]   # (similar: close to either reading, as shown)
    similar = list(dict.fromkeys(close for reading in ((name,) if also is None else (also, name))
                                 for close in difflib.get_close_matches(printable(reading), shown, n=5)))
    names = ", ".join(shown_name(known) for known in every[:_NAMES_LISTED]) or "none"
    if len(every) > _NAMES_LISTED:
        names += f", and {len(every) - _NAMES_LISTED:,} more"
    raise ArchiveError(path, f"no document named {asked}"
                       + (f"; similar: {', '.join(shown_name(known) for known in similar[:5])}" if similar else "")
                       + f" (documents: {names})", fix="use a name that 'provpack show' lists")


def _one_named(path: Path | str, documents: tuple[ArchivedDocument, ...], name: str) -> ArchivedDocument | None:
    """_named's document for one reading of the name; None when none is it; an ArchiveError when two are, alike."""
    for document in documents:
        if document.name == name:
            return document
    if "\\" in name:   # show spells control characters out: the name may be copied from its output, or escaped
        text = unescaped(name)
        shown = [d for d in documents if printable(d.name) == name or d.name == text]
        if len(shown) == 1:
            return shown[0]
        if shown:
            raise ArchiveError(path, f"no document named {shown_name(name)}; {len(shown)} names are shown so: "
                               f"{', '.join(ascii(d.name) for d in shown)}",
                               fix="type the name exactly as 'provpack show --json' gives it")
    import unicodedata

    # The same letters in another Unicode normalisation (a name typed on macOS is NFD, most files NFC):
    # taken when exactly one document is that name, else said, since the names look the same on screen.
    folded = unicodedata.normalize("NFC", name)
    twins = [d for d in documents if unicodedata.normalize("NFC", d.name) == folded]
    if len(twins) == 1:
        return twins[0]
    if twins:
        raise ArchiveError(path, f"no document named {shown_name(name)}; {len(twins)} names differ from it only in "
                           f"Unicode normalisation: {', '.join(ascii(d.name) for d in twins)}",
                           fix="type the name exactly as 'provpack show --json' gives it")
    return None


# \xNN, \uNNNN and \UNNNNNNNN, as show, Python's ascii() and JSON spell a character; and \\, \t, \n, ... as the
# last two spell a backslash, a tab, a line break (and JSON a quote and a slash)
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([\\\"/bfnrt]))")
_SPELLED = {"\\": "\\", "\"": "\"", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def unescaped(name: str) -> str:
    """`name` with each escape read as the character it spells (caf\\u00e9 is café); a pair of UTF-16 surrogates
    (as JSON spells a character past U+FFFF) as that character; an escape past U+10FFFF as it is."""
    def character(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2) or match.group(3)
        if code is None:
            return _SPELLED[match.group(4)]
        number = int(code, 16)
        return chr(number) if number <= 0x10FFFF else match.group()

    text = _ESCAPE.sub(character, name)
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


_NAME_OR_DOCUMENT = Kind(lambda value: isinstance(value, (str, ArchivedDocument)),
                         "a str (a document's name) or an ArchivedDocument")


def extract(path: Path | str, name: str | ArchivedDocument, dest: IO[bytes], *,
            hold: bool = True) -> ArchivedDocument:
    """Write the exact bytes of a document to `dest` once they match their recorded sha256.

    The document is named (as `find` finds it, reading the archive), or is one `read_archive` gave for
    this file: then only its resource record is read, at its offset, so that extracting each document of
    a large archive reads each record once, not the whole archive each time (a record must still start
    there, bear the document's WARC-Record-ID and hold bytes that match the sha256, else an IntegrityError; a
    field of the wrong type is an InputError). A named document read past damage to the file (see
    `read_archive`) is given all the same, with a warning naming the damage; one not found there, or whose
    resource record lies in the damage, is an IntegrityError naming the damage.

    They are held back (in memory up to 8 MiB, beyond that in a temporary file) until checked, so that
    on an IntegrityError nothing has been written to `dest`. With `hold=False` they go straight to `dest`
    as they are read, for a `dest` the caller throws away on an IntegrityError (a temporary file renamed
    over the output only on success), so they are not written twice; when they then do not match, they are
    cut off again where `dest` allows it (seekable and truncatable, holding nothing after them: a file or
    BytesIO written at its end), and the error says "nothing was written", else that they were written.

    A `dest` that is closed or not open for writing is an InputError, before the archive is read; a write to it
    that fails (a full disk) is an ArchiveError naming it, and a pipe whose reader has gone BrokenPipeError.
    """
    require((("path", path, PATH), ("name", name, _NAME_OR_DOCUMENT), ("hold", hold, FLAG)))
    binary_stream("dest", dest)   # before the archive is read, not at the first write after it
    return extract_into(path, name, dest, hold=hold, argument="dest")


def extract_into(path: Path | str, name: str | ArchivedDocument, dest: IO[bytes], *, hold: bool,
                 argument: str | None, also: str | None = None) -> ArchivedDocument:
    """extract, its arguments checked; a failed write to `dest` is an ArchiveError naming it as the caller's
    `argument` (callerstream), or with None (the command's temp file, which atomic_writer says a failure of,
    naming the output) the write's own OSError. `also`: the name's other reading, as `_named` takes it (the command
    line's bytes read as UTF-8)."""
    archive = Path(path)
    damage = DamageSeen()
    text_damage: Mapping[str, IntegrityError] = {}
    unread: Mapping[str, int] = {}
    if isinstance(name, ArchivedDocument):
        _check_fields(name)
        document = name
    else:
        listing, read = _listing(archive, damage)
        text_damage, unread = read.text_damage, read.unread
        try:
            document = _named(archive, listing.documents, listing.records, name, also)
        except ArchiveError:
            if damage.first is not None:   # it may lie in the damage
                # texts no provenance read names are said in provpack's archive (a document read, or its warcinfo:
                # every provenance record may lie in the damage), not in another tool's, whose resources are no texts
                ours = bool(listing.documents) or _by_provpack(archive, read.warcinfo_at)
                asked = shown_name(name) if also is None else f"{shown_name(name)} (or {shown_name(also)})"
                raise IntegrityError(damage.first.path, f"{damage.said()}; no document named "
                                     f"{asked} outside {damage.them}"
                                     f"{_unnamed(archive, listing.unnamed if ours else (), name)}"
                                     ) from None
            raise
    if document.offset is None:
        place = text_damage.get(document.record_id)
        at = unread.get(document.record_id)
        if damage.first is not None and (place is not None or at is None):   # (see ReadEach.text_damage)
            raise IntegrityError(archive, f"{damage.said(place)}; the text of {shown_name(document.name)} "
                                 f"lies in it (its resource record {printable(document.record_id)} could not be read)")
        if at is not None:
            raise IntegrityError(archive, not_in_file(document.name, document.record_id, at), offset=at)
        raise IntegrityError(archive, f"{printable(document.name)}: its resource record "
                             f"{printable(document.record_id)} is missing")
    write = dest.write if argument is None else writer(dest, argument, shown_name(document.name))
    if not hold:
        _copy_unheld(archive, document, dest, write)
    else:
        _copy_held(archive, document, write)
    if damage.first is not None:
        log.warning("%s: %s; %s lies outside %s: extracted, its sha256 checked", printable(str(archive)),
                    damage.said(), shown_name(document.name), damage.them)
    return document


_OFFSETS_SAID = 3   # offsets of text records without their provenance record named before "and N more"


def _unnamed(archive: Path, offsets: tuple[int, ...], name: str) -> str:
    """What extract adds to "no document named NAME outside the damage" when text records of a provpack archive were
    read whose provenance records were not (they lie in the damage, and with them the names: NAME may be one of those
    texts), and how to get their bytes; "" when there are none."""
    if not offsets:
        return ""
    said = ", ".join(str(offset) for offset in offsets[:_OFFSETS_SAID])
    if len(offsets) > _OFFSETS_SAID:
        said += f" and {len(offsets) - _OFFSETS_SAID:,} more"
    shown = printable(str(archive))
    if len(offsets) == 1:
        return (f", but no provenance record read names the text record at byte {said}: its provenance record, with "
                f"its document's name, lies in the damage (or is missing), so {shown_name(name)} may be that text; "
                f"'warcio extract --payload {shown} {offsets[0]}' gives its bytes (unchecked)")
    return (f", but no provenance record read names the text records at bytes {said}: theirs, with their documents'"
            f" names, lie in the damage (or are missing), so {shown_name(name)} may be one of those texts; 'warcio "
            f"extract --payload {shown} OFFSET' gives one's bytes (unchecked)")


def _check_fields(document: ArchivedDocument) -> None:
    """An InputError naming the field of an ArchivedDocument (not one read_archive gave) that extract cannot use."""
    require((("name.name", document.name, TEXT), ("name.record_id", document.record_id, TEXT),
             ("name.sha256", document.sha256, TEXT), ("name.length_bytes", document.length_bytes, INT),
             ("name.offset", document.offset, INT.or_none)))
    if document.offset is not None and document.offset < 0:
        raise InputError("name.offset", f"must be a byte offset from 0, not {document.offset}",
                         fix="pass a document that read_archive gave for this file")


def _copy_held(archive: Path, document: ArchivedDocument, write: Callable[[bytes], object]) -> None:
    """_copy_checked by `write`, the bytes held back until they are checked."""
    with tempfile.SpooledTemporaryFile(max_size=_HELD_IN_MEMORY) as held:

        def hold_back(chunk: bytes) -> int:
            try:
                return held.write(chunk)
            except OSError as exc:   # past 8 MiB the bytes go to a file in the temporary folder
                from .atomic import reason

                folder = tempfile.gettempdir()
                raise ProvpackError(f"{folder}: cannot hold {shown_name(document.name)} in this temporary folder "
                                    f"until its sha256 is checked: {reason(exc)}; nothing was written; free space "
                                    "there, or set TMPDIR to another folder ('provpack extract -o FILE', or "
                                    "extract(..., hold=False) into a file, needs none)") from exc

        _copy_checked(archive, document, hold_back, lambda size: "nothing was written")
        held.seek(0)
        while chunk := held.read(_CHUNK):
            write(chunk)


def _copy_unheld(archive: Path, document: ArchivedDocument, dest: IO[bytes], write: Callable[[bytes], object]) -> None:
    """_copy_checked straight into `dest`, by `write`; bytes that do not match are cut off it again where it allows
    it."""
    start: int | None
    try:
        position = dest.tell()
        end = dest.seek(0, 2)
        dest.seek(position)
        start = position if end == position else None   # (bytes of the caller's after it: never cut off)
    except (OSError, ValueError, AttributeError):   # (a pipe, a socket's file)
        start = None

    def cut_back(size: int) -> str:
        """The `size` bytes written from `start` cut off `dest` again, when they are its end; what became of them."""
        try:
            if start is not None and dest.seek(0, 2) == start + size:
                dest.seek(start)
                dest.truncate()
                return "nothing was written"
        except (OSError, ValueError, AttributeError):   # (io.UnsupportedOperation is an OSError)
            pass
        return (f"its {size:,} bytes were written to the output as they were read (hold=False), which cannot be "
                "cut back: throw it away")

    _copy_checked(archive, document, write, cut_back)


def _copy_checked(archive: Path, document: ArchivedDocument, write: Callable[[bytes], object],
                  undo: Callable[[int], str]) -> None:
    """Copy the document's bytes with `write`; an IntegrityError after the copy when they do not match, saying
    what `undo` (given the number of bytes written) made of them. What the archive gives (the name, ids, the type
    and the digest, which the provenance JSON or a WARC header may fill with control characters) is said as `show`
    prints it (printable)."""
    name = printable(document.name)
    digest = hashlib.sha256()
    size = 0
    moved = ("; nothing was written; the file changed since it was read, or the document is another archive's: "
             "run 'provpack verify'")
    writing = False   # (an OSError then is the output's, not the archive's)
    try:
        for record, offset in _records(archive, start=document.offset or 0):
            found = record.rec_headers.get_header("WARC-Record-ID") or ""
            if (record.rec_type or "").lower() != "resource" or found != document.record_id:
                raise IntegrityError(archive, f"{name}: the record at offset {offset} is {quoted_text(found, 100)} "
                                     f"({printable(record.rec_type)}), not its resource record "
                                     f"{quoted_text(document.record_id, 100)}{moved}")
            stream = record.content_stream()
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                writing = True
                write(chunk)
                writing = False
            break
    except _NoRecordAt as exc:
        raise IntegrityError(archive, f"{name}: {exc.what(document.record_id)}{moved}") from None
    except OSError as exc:   # reading the archive failed (EIO): said of it, not of the output (extract -o blamed it)
        if writing or isinstance(exc, ProvpackError):
            raise
        problem, fix = unreadable(exc)
        raise ArchiveError(archive, f"{name}: cannot read its bytes: {problem}; {undo(size)}", fix=fix) from exc
    if digest.hexdigest() != document.sha256 or size != document.length_bytes:
        raise IntegrityError(archive, f"{name}: extracted bytes (sha256 {digest.hexdigest()}, {size} bytes) "
                             f"do not match the recorded sha256 {printable(document.sha256)}; {undo(size)}; "
                             "run 'provpack verify'")


def _check_block(archive: Path, offset: int) -> None:
    """An IntegrityError when the record at `offset` lies in damage to the file: its gzip member cut off by the end
    of the file or corrupt (warcio gives what it inflated before the damage as the whole block), or the record
    cut off; _WrongLength when its Content-Length is wrong, as verify finds it (a block a few bytes short of its
    JSON's end is said so, not as JSON that does not parse)."""
    try:
        handle = archive.open("rb")
    except OSError:
        return   # the caller's own error says enough
    with handle:
        check_end(archive, handle, offset, failed_at=offset)
        try:
            check_length(archive, handle, offset)
        except IntegrityError as exc:
            raise _WrongLength(archive, exc.problem, offset=exc.offset) from None


class _SharedId(IntegrityError):
    """Two resource or JSON-LD metadata records with one WARC-Record-ID: reading does not go on past it (as past
    damage), since which record a document names is unknown."""


class _WrongLength(IntegrityError):
    """The record read last has a Content-Length verify finds wrong (warcio read on past it): damage in the record
    itself, which its gzip member inflating whole does not make whole (_take_back)."""


class _NoRecordAt(Exception):
    """No WARC record starts at the offset (not 0) `_records` was asked to start from: what is there instead."""

    def __init__(self, start: int, found: bytes, size: int) -> None:
        super().__init__(start)
        self.start = start
        self.found = found   # the bytes there
        self.size = size   # the file's

    def what(self, record_id: str) -> str:
        """The words for it, of a document whose resource record `record_id` should be there."""
        was = f"where its resource record {quoted_text(record_id, 100)} should be"
        if self.start >= self.size:
            return f"offset {self.start}, {was}, is past the end of the file ({self.size:,} bytes)"
        return f"no WARC record starts at offset {self.start}, {was} (the bytes there: {quoted(self.found, QUOTED)})"


def _records(archive: Path, *, start: int = 0) -> Generator[tuple[Any, int], None, None]:
    """Each record of the archive with its offset, from the record at `start` on (_NoRecordAt when none starts
    there, `start` not 0); the damage the end of the reading meets is an IntegrityError (check_end)."""
    refuse_stream(archive)
    try:
        handle = archive.open("rb")
    except OSError as exc:
        raise ArchiveError.unreadable(archive, exc) from exc
    with handle:
        if not handle.seekable():   # (a stream opened by another name, such as /dev/stdin)
            raise ArchiveError.not_seekable(archive)
        handle.seek(start)
        head = handle.read(5)
        if not head and start == 0:
            raise ArchiveError(archive, "not a WARC file: the file is empty", fix="give a .warc or .warc.gz file")
        if not (head.startswith(b"\x1f\x8b") or head == b"WARC/"):
            handle.seek(start)
            first = handle.read(1024)
            if start != 0:
                raise _NoRecordAt(start, first[:QUOTED + 1], handle.seek(0, 2))
            foreign = foreign_format(first)
            if foreign is not None:
                raise ArchiveError(archive, f"not a WARC file: {foreign.what}",
                                   fix=foreign.fix("read") or "give a .warc or .warc.gz file")
            _check_lead(archive, handle, first)
            raise ArchiveError(archive, f"not a WARC file (the bytes at byte 0: {quoted(first, QUOTED)})",
                               fix="give a .warc or .warc.gz file; 'provpack verify' says more")
        if start == 0 and head.startswith(b"\x1f\x8b"):   # members of nothing: no record (verify's words)
            handle.seek(0)
            if inflates_to_nothing(handle):
                raise ArchiveError(archive, f"not a WARC file: {GZIP_OF_NO_WARC}", fix="give a .warc or .warc.gz file")
        handle.seek(start)
        # No HTTP parsing: only resource and metadata blocks are read, and warcio's HTTP parsing of a response
        # with no WARC-Target-URI fails with an AttributeError.
        iterator = QuietArchiveIterator(handle, no_record_parse=True, check_digests=False, source=archive,
                                        plain=head == b"WARC/")
        last = start   # where the last record read starts: a cut-off member is there or after it
        earliest = start   # where the next record can start in gzip data, past the last one's member
        try:
            for record in iterator:
                # `offset` is where this record starts, in the file; get_record_offset()
                # would read the record to its end before we could.
                offset = int(iterator.offset)
                if iterator.damaged_at is not None:   # the record before: its block not where its Content-Length says
                    _check_length(archive, handle, iterator)
                if offset < earliest and head != b"WARC/":   # (warcio's offset of a record in the last one's member)
                    raise several_records(archive, last)
                earliest = offset + 1
                if record.format != "warc" or not str(record.rec_headers.protocol).startswith("WARC/"):
                    check_end(archive, handle, last, failed_at=offset)   # (a damaged member's output)
                    _not_at_start(handle, start, offset)
                    raise ArchiveError(archive, f"not a WARC file: the record at offset {offset} has no "
                                       "WARC/1.x header line", fix="give a WARC file (.warc or .warc.gz)")
                if iterator.reader.header_cut:   # its header may be cut short, another record's following
                    iterator.reader.header_cut = False
                    _check_header(archive, handle, offset)
                last = offset
                yield record, offset
        except ArchiveLoadFailed as exc:
            at = max(int(iterator.offset), start)
            # A file cut off, or a gzip member damaged, is said as such, not as what warcio met there.
            check_end(archive, handle, last, failed_at=at)
            _not_at_start(handle, start, at)
            if str(exc) == SEVERAL_RECORDS:   # a sound WARC gzipped whole: verify reads it, with a note
                raise several_records(archive, max(at, last)) from None   # (the member of the record read last)
            raise ArchiveError(archive, f"not a readable WARC file: at or after byte {at}: "
                               f"{unreadable_reason(exc, handle, at)}",
                               fix="run 'provpack verify' on it for details") from exc
        _check_length(archive, handle, iterator)
        check_end(archive, handle, last, ended=True)   # warcio ends quietly at a cut-off or corrupt gzip member


def _check_lead(archive: Path, handle: IO[bytes], first: bytes) -> None:
    """An IntegrityError naming the bytes before the first record when a WARC record (or a gzip member holding one)
    follows them in the file's first window: damage, read past as verify reads past it, not another format."""
    found = _first_start(handle)
    if found is None:
        return
    check_end(archive, handle, 0, failed_at=found)   # verify's words for them
    raise IntegrityError(archive, f"no WARC record starts at byte 0 ({found:,} byte{'s' if found > 1 else ''} that "
                         f"are not a WARC record before the first one; the bytes there: {quoted(first, QUOTED)}); "
                         "`provpack verify` gives the full report", offset=0)


def _first_start(handle: IO[bytes]) -> int | None:
    """Where the first record of a file that does not start with one starts, within its first window (a gzip
    member that holds a record, or a WARC header), or None: whether the file is compressed, from which is first."""
    handle.seek(0)
    data = handle.read(WINDOW + PROBE)
    limit = min(WINDOW, len(data))
    member, header = gzip_start(data, limit), plain_start(data, limit, after_record=False)
    if member is None or header is None:
        return header if member is None else member
    return min(member, header)


def _check_header(archive: Path, handle: IO[bytes], offset: int) -> None:
    """An IntegrityError when verify finds the header of the record at `offset` cut short, another record's
    following (warcio read the two as one); the handle is left where it was, for warcio to read on."""
    position = handle.tell()
    try:
        check_end(archive, handle, offset, failed_at=offset)
    finally:
        handle.seek(position)


def _check_length(archive: Path, handle: IO[bytes], iterator: QuietArchiveIterator) -> None:
    """_WrongLength when the record read last has a Content-Length verify finds wrong (iterator.check_length)."""
    try:
        iterator.check_length(archive, handle)
    except IntegrityError as exc:
        raise _WrongLength(archive, exc.problem, offset=exc.offset) from None


def _not_at_start(handle: IO[bytes], start: int, failed_at: int) -> None:
    """_NoRecordAt when reading from `start` (not 0) failed on its very first record."""
    if start != 0 and failed_at == start:
        handle.seek(start)
        raise _NoRecordAt(start, handle.read(QUOTED + 1), handle.seek(0, 2))


def _read_capped(stream: Any, limit: int) -> bytearray:
    """Up to `limit` bytes, gathered chunk by chunk so that memory holds them once, not twice."""
    block = bytearray()
    while len(block) < limit and (chunk := stream.read(min(_CHUNK, limit - len(block)))):
        block += chunk
    return block


def _is_jsonld(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in ("application/ld+json", "application/json")
