"""CDXJ index of a WARC file, field for field what `cdxj-indexer` writes.

A line is `<SURT> <14-digit timestamp> <JSON>`, the JSON holding, in this order
and only when known: url, mime, status, digest, length, offset, filename. The
offset and length are those of the record as stored: its gzip member in a
record-compressed file, so a replay tool can seek straight to it.

With `post_append` (`cdxj-indexer --post-append`, what py-wacz and pywb's
`wb-manager add` index with), a POST or PUT exchange is keyed by its URL plus
`__wb_method=post&<the request body as a query>`, and its response line also holds
`requestBody` and `method`, so pywb can match a replayed POST to it. The body is
turned into a query by cdxj-indexer's own code (form, JSON, multipart, AMF, else
base64), so both keep giving the same keys.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import json.encoder
import os
import re
import reprlib
import tempfile
import zlib
from collections.abc import Callable, Collection, Generator, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from .arguments import FLAG, PATH, TEXT, require, text_stream
from .atomic import archive_files, atomic_writer, refuse_input
from .callerstream import writer
from .defaults import CDXJ_RECORDS
from .errors import ArchiveError, InputError, not_utf8, require_utf8
from .fsnames import text_name
from .sniff import refuse_stream
from .spill import Held, discard, spilling
from .urlkey import urlkey as _urlkey
from .warcheader import date_fault

if TYPE_CHECKING:
    from .recordwalk import WalkedRecord

__all__ = [
    "DEFAULT_RECORDS",
    "RECORD_TYPES",
    "CdxjLine",
    "archive_date",
    "cdxj_text",
    "check_record_types",
    "index",
    "write_index",
]

_json_string: Callable[[str], str] = getattr(
    json.encoder, "c_encode_basestring_ascii", None) or json.encoder.encode_basestring_ascii

#: Record types cdxj-indexer indexes unless told otherwise.
DEFAULT_RECORDS = CDXJ_RECORDS
#: The WARC-Types (WARC 1.1) that `records` may name.
RECORD_TYPES = frozenset({"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
                          "continuation"})
# cdxj-indexer skips application/warc-fields records only when its --records is exactly this list.
_DEFAULT_ORDER = ("response", "revisit", "resource", "metadata")
_POST_METHODS = ("POST", "PUT")
_SPOOL_SIZE = 64 * 1024   # a request body larger than this is spooled to disk, as cdxj-indexer does
_SPOOL_CHUNK = 64 * 1024   # bytes copied into a spool at a time
_BODY: Held = ("a POST or PUT request's body", f"past {_SPOOL_SIZE >> 10} KiB it is kept there, as cdxj-indexer does")

_MIME_END = re.compile(r"[;\s]")
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE32_PAIRS = [a + b for a in _BASE32 for b in _BASE32]   # base32 of each 10-bit number
_BLOCK_SIZE = 64 * 1024
_RECENT = 256   # values remembered by the per-record conversions below
_SNIFFED = 512   # first bytes read to recognise another format (a tar header's magic is at 257)
# Inflated bytes of the gzip member of a record warcio cannot read looked through for a second record (a WARC
# gzipped as a whole, which `warcio recompress` makes readable record by record).
_SEVERAL_PEEK = 64 << 20
# warcio computes no payload digest for these when the header is missing.
_NO_PAYLOAD_DIGEST = ("warcinfo", "revisit")
# Types whose block warcio parses as HTTP (given an http(s) target URI): left to warcio.
_HTTP_RECORDS = ("response", "request", "revisit")
_WARC_FIELDS_TYPES = ("resource", "metadata")
_WARCIO = object()   # a record the quick walk leaves to warcio


@dataclass(frozen=True, slots=True)
class CdxjLine:
    """One index line: where a record is and what it holds."""

    urlkey: str
    timestamp: str
    url: str | None
    mime: str | None
    status: str | None
    digest: str | None
    length: int
    offset: int
    filename: str
    record_type: str
    method: str | None = None   # POST or PUT on the response of such an exchange, with post_append
    request_body: str | None = None   # that request's body as a query (None when its length was unreadable)

    def fields(self) -> dict[str, str | None]:
        """The JSON part, in cdxj-indexer's key order, unknown values left out."""
        candidates = (
            ("url", self.url),
            ("mime", self.mime),
            ("status", self.status),
            ("digest", self.digest),
            ("length", str(self.length)),
            ("offset", str(self.offset)),
            ("filename", self.filename),
        )
        fields: dict[str, str | None] = {key: value for key, value in candidates if value is not None}
        if self.method is not None:
            fields.update(requestBody=self.request_body, method=self.method)
        return fields

    def __str__(self) -> str:
        # What json.dumps(self.fields()) writes (every value is a string), without its per-call set-up.
        text = ", ".join([f'"{key}": {_json_string(value)}' for key, value in (
            ("url", self.url), ("mime", self.mime), ("status", self.status), ("digest", self.digest))
            if value is not None])
        place = f'"length": "{self.length}", "offset": "{self.offset}", "filename": {_json_string(self.filename)}'
        if self.method is not None:
            body = "null" if self.request_body is None else _json_string(self.request_body)
            place += f', "requestBody": {body}, "method": {_json_string(self.method)}'
        return f"{self.urlkey} {self.timestamp} {{{text}, {place}}}" if text else \
            f"{self.urlkey} {self.timestamp} {{{place}}}"


def index(
    warc_path: Path | str,
    *,
    filename: str | None = None,
    records: Collection[str] | None = DEFAULT_RECORDS,
    express: bool = True,
    post_append: bool = False,
) -> Generator[CdxjLine, None, None]:
    """Yield one CDXJ line per indexed record of `warc_path`, in file order.

    `records=None` indexes every record (cdxj-indexer's `--records all`); else it is a
    collection of WARC-Types (RECORD_TYPES; a bare str, none, or another name is an
    InputError, raised at the call). With the
    default set, `resource`/`metadata` records of type `application/warc-fields`
    are skipped, as cdxj-indexer does. As there, a sequence counts as the default
    only when it is `response, revisit, resource, metadata` in this order (a set
    equal to DEFAULT_RECORDS has no order and counts). `post_append` keys POST and
    PUT exchanges as `cdxj-indexer --post-append` does (see the module). The usual records (one per gzip member, or in
    a plain WARC, of types that need no HTTP parsing) are read by a quick walk of our
    own, the rest by warcio from the first record the walk cannot vouch for on; the
    lines are the same either way. `express=False` reads every record with warcio.
    """
    require((("warc_path", warc_path, PATH), ("filename", filename, TEXT.or_none), ("express", express, FLAG),
             ("post_append", post_append, FLAG)))
    check_record_types(records)
    _check_filename(warc_path, filename)
    return _index(warc_path, filename=filename, records=records, express=express, post_append=post_append)


def _check_filename(warc_path: Path | str, filename: str | None) -> None:
    """An InputError unless the name the lines give the file (`filename`, else the file's own) is UTF-8 text, and
    not empty.

    A CDXJ line is UTF-8 text, its "filename" a JSON string: a file name's bytes that are not UTF-8 (which
    os.fsdecode makes lone surrogates) have no spelling there. json.dumps, as cdxj-indexer writes, gives the
    escape of a lone surrogate ("\\udcfe.warc.gz"), which names no file but to a Python reader on a file
    system that takes such bytes; JSON.parse and Java read another name. Refused, as make_wacz and make_bag
    refuse such a name.
    """
    if filename is not None:
        if not filename:   # (each line would name no file, which a replay tool cannot open)
            raise InputError("filename", "empty, but each CDXJ line names the archive's file by it",
                             fix="give the file's name as the index's readers find it, or None for its own")
        require_utf8((("filename", filename),))
        return
    bad = not_utf8(text_name(Path(warc_path).name))   # (its bytes as UTF-8, whatever the locale)
    if bad is not None:
        raise InputError(warc_path, f"the archive's file name is not UTF-8 ({bad})",
                         fix="rename the file in UTF-8 (each CDXJ line names it, in JSON text)")


def check_record_types(records: Collection[str] | None, *, name: str = "records", every: str = "None") -> None:
    """An InputError naming `name` (the argument, or the command's option) unless `records` is None or a
    collection of WARC-Types; `every` is how that caller asks for them all (`None`, or `--records all`)."""
    if records is None:
        return
    fix = f"use {every} or some of {','.join(sorted(RECORD_TYPES))}"
    if isinstance(records, (str, bytes)) or not isinstance(records, Collection):
        one = f"[{records!r}] for one type, " if isinstance(records, str) else ""
        raise InputError(name, f"not a collection of WARC record types: {type(records).__name__} "
                               f"{reprlib.repr(records)}", fix=f"give {one}a list of names, or {every}")
    if not records:
        raise InputError(name, "no WARC record type given", fix=fix)
    unknown = sorted({kind if isinstance(kind, str) else repr(kind) for kind in records} - RECORD_TYPES)
    if unknown:
        raise InputError(name, f"not WARC record types: {', '.join(unknown)}", fix=fix)


def _index(
    warc_path: Path | str, *, filename: str | None, records: Collection[str] | None, express: bool, post_append: bool,
) -> Generator[CdxjLine, None, None]:
    """index()'s lines, read as they are asked for (its arguments checked)."""
    path = Path(warc_path)
    name = filename if filename is not None else text_name(path.name)
    wanted = None if records is None else frozenset(records)
    skip_warc_fields = _is_default(records)
    refuse_stream(path)
    try:
        stream = open(path, "rb")
    except OSError as exc:
        raise ArchiveError.unreadable(path, exc) from exc
    with stream:
        if not stream.seekable():   # (a stream opened by another name, such as /dev/stdin)
            raise ArchiveError.not_seekable(path)
        gzipped = _check_warc(path, stream)
        last = 0   # where the last record read starts: damage warcio meets is there or after it
        if express:
            resume_at = yield from _express_lines(stream, wanted, skip_warc_fields, name, post_append)
            if resume_at is None:
                return
            last = resume_at[1]
            stream.seek(resume_at[0])
        lines = _warcio_lines(path, stream, wanted, skip_warc_fields, name, post_append, last=last,
                              gzipped=gzipped)
        yield from (_paired(lines) if post_append else (line for line, _ in lines if line is not None))


def _is_default(records: Collection[str] | None) -> bool:
    """Whether cdxj-indexer would take `records` for its default list (and skip warc-fields records)."""
    if records is None:
        return False
    if isinstance(records, (set, frozenset)):
        return records == DEFAULT_RECORDS
    return tuple(records) == _DEFAULT_ORDER


def _express_lines(
    stream: IO[bytes], wanted: frozenset[str] | None, skip_warc_fields: bool, filename: str, post_append: bool
) -> Generator[CdxjLine, None, tuple[int, int] | None]:
    """Lines of the records the quick walk reads; returns where warcio has to go on and where the last record
    the walk read starts (0: none), or None when warcio has nothing to read."""
    from .recordwalk import RecordWalk

    walk = RecordWalk(stream)
    last = 0
    for record in walk:
        line = _walked_line(record, wanted, skip_warc_fields, filename, post_append)
        if line is _WARCIO:
            return record.offset, last
        if isinstance(line, CdxjLine):
            yield line
        last = record.offset
    return None if walk.resume_at is None else (walk.resume_at, last)


class _Exchange(NamedTuple):
    """What cdxj-indexer's --post-append looks at to pair a request with its response."""

    rec_type: str
    url: str | None
    record_id: str | None
    concurrent_to: str | None
    method: str | None = None   # a request's HTTP method
    query: str | None = None   # a POST or PUT request's body as a query
    append: str = ""   # what is appended to its URL for the key


def _warcio_lines(
    path: Path, stream: IO[bytes], wanted: frozenset[str] | None, skip_warc_fields: bool, name: str,
    post_append: bool = False, *, last: int, gzipped: bool,
) -> Generator[tuple[CdxjLine | None, _Exchange | None], None, None]:
    """Lines of the records warcio reads from the stream's position on (None: not indexed), each with
    what pairs it with a request or response when `post_append` (else None); `last` is where the last record
    read before that position starts (damage warcio meets is looked for from there); `gzipped`: the file
    starts with gzip data (a record warcio cannot read may then be a WARC gzipped as a whole)."""
    # warcio is imported here (surt by urlkey, at the first key), not at the top, so that `import provpack` stays fast.
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    from .sniff import (SEVERAL_RECORDS, check_end, holds_several_records, several_records,
                        unreadable_reason)
    from .warciter import QuietArchiveIterator

    begin = stream.tell()
    iterator = QuietArchiveIterator(stream, arc2warc=True, source=path, plain=not gzipped)
    start = iterator.offset  # where the last record read began: warcio's offset is negative for a whole-file gzip
    since = last   # where damage met next is looked for from: the last record read, by the walk or by warcio
    earliest = begin   # where the next record can start in gzip data, past the last one's member
    records = iter(iterator)
    try:
        while True:
            try:
                record = next(records)
            except StopIteration:
                iterator.check_length(path, stream)
                check_end(path, stream, since, ended=True)   # warcio ends quietly at a cut-off or corrupt member
                break
            except AttributeError as exc:   # warcio's own slip: an HTTP record with no WARC-Target-URI
                at = max(iterator.offset, start)
                raise ArchiveError(path, f"cannot read the record at or after byte {at}: warcio fails on it "
                                   f"({exc}); an HTTP record with no WARC-Target-URI does this",
                                   fix="check it with `provpack verify`") from exc
            if iterator.damaged_at is not None:   # the record before: its block not where its Content-Length says
                iterator.check_length(path, stream)
            if gzipped and iterator.offset < earliest:   # (warcio's offset of a record in the last one's member)
                raise several_records(path, max(start, begin))
            start = iterator.offset
            earliest = start + 1
            since = max(start, begin)
            if iterator.reader.header_cut:   # its header may be cut short, another record's following
                iterator.reader.header_cut = False
                position = stream.tell()
                check_end(path, stream, start, failed_at=start)
                stream.seek(position)
            block = record.raw_stream
            exchange, spool = _exchange(record) if post_append else (None, None)
            try:
                if not _selected(record, wanted, skip_warc_fields):
                    if exchange is not None:
                        yield None, exchange
                    continue
                try:
                    line = _line(path, record, iterator, name)
                except ArchiveError:   # a record header cut short by the end of the file is said as such
                    check_end(path, stream, start)
                    raise
                if iterator.damaged_at is not None:   # (the record read to its end for its length)
                    iterator.check_length(path, stream)
                yield line, exchange
            finally:
                if spool is not None:   # warcio reads the record's (spent) block stream to its end next
                    record.raw_stream = block
                    discard(spool)
    except (
        ArchiveLoadFailed,
        StatusAndHeadersParserException,
        zlib.error,
        EOFError,
        ValueError,
    ) as exc:
        at = max(iterator.offset, start)
        # A file cut off, or a gzip member damaged, is said as such, not as what warcio met there.
        check_end(path, stream, since, failed_at=at)
        if str(exc) == SEVERAL_RECORDS:   # a sound WARC gzipped whole: verify reads it, with a note
            raise several_records(path, max(start, begin)) from None   # (the member of the record read last)
        raise ArchiveError(
            path,
            f"cannot read the record at or after byte {at}: {unreadable_reason(exc, stream, at)}",
            fix="check it with `provpack verify`" + ("; a WARC gzipped as a whole needs `warcio recompress` first"
                                                      if gzipped and holds_several_records(stream, at, _SEVERAL_PEEK) else ""),
        ) from exc
    finally:
        iterator.close()


def _exchange(record: Any) -> tuple[_Exchange, IO[bytes] | None]:
    """The record's pairing details; a POST or PUT request's block is copied to a spool (returned, to be
    closed) that stands in for the block warcio has been read, so its digest can still be computed."""
    header = record.rec_headers.get_header
    exchange = _Exchange(record.rec_type, header("WARC-Target-URI"), header("WARC-Record-ID"),
                         header("WARC-Concurrent-To"))
    if record.rec_type != "request" or record.http_headers is None:
        return exchange, None
    method = record.http_headers.protocol
    if method.upper() not in _POST_METHODS:
        return exchange._replace(method=method), None
    # cdxj-indexer's own code turns the body into a query; it is imported only for --post-append.
    from cdxj_indexer.postquery import append_method_query

    spool = _spooled(record.raw_stream)   # closed by the caller
    record.raw_stream = spool
    body = _spooled(record.content_stream())   # de-chunked and decoded, as cdxj-indexer buffers it
    with contextlib.closing(body):
        query, append = append_method_query(method, record.http_headers.get_header("Content-Type"),
                                            record.http_headers.get_header("Content-Length"), body,
                                            exchange.url)
    spool.seek(0)
    return exchange._replace(method=method, query=query, append=append), spool


def _spooled(source: IO[bytes]) -> IO[bytes]:
    """What `source` gives, read to its end into a spool (memory, then a temporary file past _SPOOL_SIZE), at its
    start; a full temporary folder is said as such (spill.no_room), an error reading `source` as it is."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(_SPOOL_SIZE)
    try:
        while chunk := source.read(_SPOOL_CHUNK):
            with spilling(_BODY):
                spool.write(chunk)
        with spilling(_BODY):
            spool.seek(0)
    except BaseException:
        discard(spool)
        raise
    return spool


def _paired(
    lines: Iterable[tuple[CdxjLine | None, _Exchange | None]],
) -> Generator[CdxjLine, None, None]:
    """The lines, a POST or PUT exchange's keyed as cdxj-indexer --post-append keys them.

    As there, a request and a response pair when they are next to each other, with the same
    WARC-Target-URI, the second's WARC-Concurrent-To naming the first; a record pairs at most once.
    """
    held: tuple[CdxjLine | None, _Exchange | None] | None = None
    for line, exchange in lines:
        if held is not None:
            held_line, held_exchange = held
            if held_exchange is not None and exchange is not None and _pair(held_exchange, exchange):
                held = None
                request = held_exchange if held_exchange.rec_type == "request" else exchange
                if request.method is not None and request.method.upper() in _POST_METHODS:
                    key = _urlkey(f"{request.url}{request.append}")
                    held_line = _keyed(held_line, held_exchange, key, request.method.upper(), request.query)
                    line = _keyed(line, exchange, key, request.method.upper(), request.query)
                if held_line is not None:
                    yield held_line
                if line is not None:
                    yield line
                continue
            if held_line is not None:
                yield held_line
        held = line, exchange
    if held is not None and held[0] is not None:
        yield held[0]


def _pair(first: _Exchange, second: _Exchange) -> bool:
    """Whether cdxj-indexer takes two neighbouring records for one request and its response."""
    return (first.url == second.url and second.concurrent_to == first.record_id
            and {first.rec_type, second.rec_type} == {"request", "response"})


def _keyed(line: CdxjLine | None, exchange: _Exchange, key: str, method: str, body: str | None) -> CdxjLine | None:
    """The line under the exchange's key; a response's also names the method and the body."""
    if line is None:
        return None
    if exchange.rec_type == "response":
        return dataclasses.replace(line, urlkey=key, method=method, request_body=body)
    return dataclasses.replace(line, urlkey=key)


def write_index(
    warc_path: Path | str,
    out: Path | str | IO[str],
    *,
    filename: str | None = None,
    records: Collection[str] | None = DEFAULT_RECORDS,
    sort: bool = True,
    force: bool = False,
    post_append: bool = False,
) -> int:
    """Write the CDXJ index of `warc_path` to a path or text stream; return the line count.

    Sorted (as `cdxj-indexer --sort`, which pywb and WACZ readers need) unless
    `sort=False`, which keeps file order (as plain `cdxj-indexer`). An existing
    file is replaced only with `force=True`; it is written atomically. `records`
    and `post_append` are as for `index`. A stream that is closed or not open for
    writing is an InputError, before the archive is read; a write to it that fails
    (a full disk) is an ArchiveError naming it, and a pipe whose reader has gone
    BrokenPipeError.
    """
    text_stream("out", out)
    require((("sort", sort, FLAG), ("force", force, FLAG)))
    lines = index(warc_path, filename=filename, records=records, post_append=post_append)   # (checks the rest)
    if isinstance(out, (str, os.PathLike)):   # before the archive is read: the write must not destroy it
        refuse_input(os.fspath(out), archive_files(warc_path))
    text = cdxj_text(lines, sort=sort)
    if isinstance(out, (str, os.PathLike)):
        with atomic_writer(Path(out), force=force) as stream:
            stream.write(text.encode("utf-8"))
    else:
        writer(out, "out", "the index")(text)
    return text.count("\n")


def cdxj_text(lines: Iterable[CdxjLine], *, sort: bool = True) -> str:
    """Index lines as CDXJ text, one per line; sorted and deduplicated as `cdxj-indexer --sort`."""
    texts = [f"{line}\n" for line in lines]
    return "".join(_sorted_unique(texts) if sort else texts)


def archive_date(warc_path: Path | str) -> datetime | None:
    """WARC-Date of the first record (a provpack archive's warcinfo), to the second, UTC."""
    lines = index(warc_path, records=None)
    try:
        first = next(lines, None)
    finally:
        lines.close()
    if first is None:
        return None
    return datetime.strptime(first.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def _selected(record: Any, wanted: frozenset[str] | None, skip_warc_fields: bool) -> bool:
    """Whether cdxj-indexer would index this record."""
    if wanted is None:
        return True
    if record.rec_type not in wanted:
        return False
    return not (
        skip_warc_fields
        and record.rec_type in ("resource", "metadata")
        and record.rec_headers.get_header("Content-Type") == "application/warc-fields"
    )


def _line(path: Path, record: Any, iterator: Any, filename: str) -> CdxjLine:
    """Index fields of the record `iterator` has just read."""
    url: str | None = record.rec_headers.get_header("WARC-Target-URI")
    date: str | None = record.rec_headers.get_header("WARC-Date")
    if not date:
        kind = f"{record.rec_type} " if record.rec_type else ""   # (a record may lack WARC-Type too)
        raise ArchiveError(
            path,
            f"the {kind}record at byte {iterator.offset} has no WARC-Date",
            fix="a WARC record needs one to be indexed",
        )
    try:
        timestamp = _timestamp(date)
    except (ValueError, TypeError) as exc:
        raise ArchiveError(
            path, f"the record at byte {iterator.offset} has a bad WARC-Date {date!r}: it {exc}"
        ) from exc
    mime = _mime(record)
    status = _status(record)
    digest = _payload_digest(record)
    return CdxjLine(
        urlkey=_urlkey(url),
        timestamp=timestamp,
        url=url,
        mime=mime,
        status=status,
        digest=digest,
        length=iterator.get_record_length(),
        offset=iterator.get_record_offset(),
        filename=filename,
        record_type=record.rec_type,
    )


def _walked_line(
    record: WalkedRecord, wanted: frozenset[str] | None, skip_warc_fields: bool, filename: str,
    post_append: bool = False,
) -> CdxjLine | None | object:
    """The line of a record the quick walk read, None when it is not indexed, or _WARCIO when
    warcio has to read it (HTTP headers to parse, a header warcio would rewrite, a bad date, or
    with post_append any HTTP record, indexed or not: a request pairs with the response beside it)."""
    header = record.headers.get
    rec_type = header("warc-type")
    url = header("warc-target-uri")
    if rec_type is None or (url is not None and (url.startswith("<") or " " in url)):
        return _WARCIO   # warcio rewrites such a target URI (and logs it)
    if post_append and rec_type in _HTTP_RECORDS:
        return _WARCIO
    if wanted is not None and (
        rec_type not in wanted
        or (skip_warc_fields and rec_type in _WARC_FIELDS_TYPES
            and header("content-type") == "application/warc-fields")
    ):
        # Not indexed. warcio would parse the HTTP headers of an HTTP record, harmlessly for
        # an http(s) target URI; without one it would fail, as it has to say.
        return None if rec_type not in _HTTP_RECORDS or url is not None else _WARCIO
    if rec_type in _HTTP_RECORDS:
        return _WARCIO
    date = header("warc-date")
    if not date:
        return _WARCIO
    try:
        timestamp = _timestamp(date)
    except Exception:  # whatever warcio's date parsing raises, reading the record with warcio says it
        return _WARCIO
    digest = header("warc-payload-digest")
    if not digest and rec_type not in _NO_PAYLOAD_DIGEST:   # (an empty header too: see _payload_digest)
        block = memoryview(record.data)[record.block_start : record.block_end]
        digest = "sha1:" + _base32(hashlib.sha1(block).digest())
    return CdxjLine(_urlkey(url), timestamp, url, _bare_mime(header("content-type")), None, digest,
                    record.length, record.offset, filename, rec_type)


@functools.lru_cache(maxsize=_RECENT)   # a provpack archive's records share one date
def _timestamp(date: str) -> str:
    """The 14-digit CDX timestamp of a WARC-Date as warcio reads it (so the key cdxj-indexer and pywb compute);
    a ValueError saying what is wrong for a date it cannot read. `verify` reports every such date (and more:
    a date without its seconds or its Z is read here as warcio reads it, and reported by verify). A number too
    large for a C long (a year of 20 digits) is warcio's OverflowError, said as a date it cannot read. A year
    before 1000 is written in 4 digits, as the 14 say: warcio's strftime writes it in fewer on Linux before Python
    3.13 (0999 as 999: a 13-digit timestamp, which sorted out of place, archive_date read as the year 9990 and
    make_wacz failed on for the year 0001)."""
    from warcio.timeutils import iso_date_to_datetime

    try:
        when = iso_date_to_datetime(date)
        return f"{when.year:04d}{when.month:02d}{when.day:02d}{when.hour:02d}{when.minute:02d}{when.second:02d}"
    except (ValueError, TypeError, OverflowError) as exc:
        fault = date_fault(date.encode("utf-8", "surrogateescape"))   # (the verifier's words for it)
        raise ValueError(fault if fault is not None else f"is not a date warcio can read ({exc})") from exc


def _base32(digest: bytes) -> str:
    """base64.b32encode of a 20-byte digest (no padding then), as text, by 10-bit pairs of letters."""
    if len(digest) != 20:
        return base64.b32encode(digest).decode("ascii")
    number = int.from_bytes(digest, "big")
    pairs = _BASE32_PAIRS
    return "".join([pairs[(number >> shift) & 0x3FF] for shift in range(150, -10, -10)])


def _mime(record: Any) -> str | None:
    """Media type without parameters: the HTTP one for HTTP exchanges."""
    if record.rec_type == "revisit":
        return "warc/revisit"
    value: str | None
    if record.rec_type in ("response", "request"):
        value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        value = record.rec_headers.get_header("Content-Type")
    return _bare_mime(value)


@functools.lru_cache(maxsize=_RECENT)   # an archive's records share a few media types
def _bare_mime(value: str | None) -> str | None:
    """A Content-Type without its parameters."""
    if value:
        value = _MIME_END.split(value, maxsplit=1)[0].strip()
    return value


def _status(record: Any) -> str | None:
    """HTTP status code of a response or revisit that carries HTTP headers."""
    if record.rec_type in ("response", "revisit") and record.http_headers:
        return str(record.http_headers.get_statuscode())
    return None


def _payload_digest(record: Any) -> str | None:
    """WARC-Payload-Digest as written, else sha1 (base32) of the payload, as warcio computes it; for an empty
    header too, where cdxj-indexer writes "" (it reads the empty header, not the one warcio adds: a documented
    difference, as pywb pairs revisits and deduplicates by this digest)."""
    value: str | None = record.rec_headers.get_header("WARC-Payload-Digest")
    if value or record.rec_type in _NO_PAYLOAD_DIGEST:
        return value
    hasher = hashlib.sha1()
    while chunk := record.raw_stream.read(_BLOCK_SIZE):
        hasher.update(chunk)
    return "sha1:" + _base32(hasher.digest())


def _sorted_unique(lines: list[str]) -> list[str]:
    """Lines sorted as text, a line equal to the one before it dropped (cdxj-indexer --sort)."""
    unique: list[str] = []
    for line in sorted(lines):
        if not unique or unique[-1] != line:
            unique.append(line)
    return unique


def _check_warc(path: Path, stream: IO[bytes]) -> bool:
    """Refuse an empty file, one whose first bytes name another format (a ZIP or WACZ, tar, bzip2, xz, zstd), or
    gzip data that inflates to nothing (gzip.compress(b""), which warcio reads as no record without a word); whether
    it is gzip data.

    Only those, as `provpack verify` names them: anything else is left to warcio, which reads ARC files too.
    """
    from .rawreader import RawReader
    from .sniff import GZIP_OF_NO_WARC, NotWarcError, foreign_format, inflates_to_nothing, open_source

    first = stream.read(_SNIFFED)
    if not first:   # as verify, show and wacz say it; warcio would read no record and say nothing
        raise ArchiveError(path, "not a WARC file: the file is empty", fix="give a .warc or .warc.gz file")
    found = foreign_format(first)
    if found is None and not first.startswith((b"\x1f\x8b", b"filedesc://")):   # plain, and no ARC file
        stream.seek(0)
        try:   # as verify and wacz tell it: plain text with no WARC record in its first MiB
            open_source(RawReader(cast(BinaryIO, stream)), lambda offset, kind, message, cuts, skipped: None)
        except NotWarcError as exc:
            found = exc
    if first.startswith(b"\x1f\x8b"):
        stream.seek(0)
        if inflates_to_nothing(stream):   # as verify, show and wacz tell it
            found = NotWarcError(GZIP_OF_NO_WARC)
    if found is not None:
        raise ArchiveError(path, f"not a WARC file: {found.what}", fix=found.fix("index"))
    stream.seek(0)
    return first.startswith(b"\x1f\x8b")
