"""An excerpt's original -> its WARC records and the text that alignment offsets point into.

Two ways in: a local copy named by the sidecar (`original: PATH`, archived as a `resource`
record) or a capture of `source_url` (`request` + `response` records per exchange, redirect
hops included). Either way a `conversion` record holds the extracted text, with
`WARC-Refers-To` the record it was extracted from. A capture whose body has no text to
extract (a PDF, an image, a Content-Encoding that cannot be undone, an empty body), or whose
final answer is an HTTP error (a 404, a 410, a 503), is archived all the same, without a
conversion: it is not aligned; a local copy with no text is refused.
Record ids depend only on what their records hold (URL, content, the exchange or source record), so two
excerpts of one original share its records, and records that differ never share an id.
"""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, as_seen, option
from .fsnames import os_name, text_name
from .htmltext import Extraction, PageTooLarge, extract_text
from .httpbytes import (REQUEST_CONTENT_TYPE, RESPONSE_CONTENT_TYPE, Exchange, is_error_status, reason_phrase,
                        split_message)
from .inputs import check_readable, read_bytes
from .model import RecordSpec
from .records import TEXT_TYPE, record_id, uri_value
from .urlkey import CONTENT_URN
from .warcwriter import warc_date

if TYPE_CHECKING:
    from .capture import Capture

log = logging.getLogger(__name__)

MAX_ORIGINAL_BYTES = 64 * 1024 * 1024
_NEAR_SHOWN = 3   # files a message names whose names look like the one a sidecar gives
_TYPES_BY_SUFFIX = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".pdf": "application/pdf",
}

# Statuses whose response has no body (RFC 9110 15.3.5, 15.3.6): no page to align against, whatever follows.
_NO_BODY = frozenset({204, 205})
_REASON_SHOWN = 200   # characters of a status line's reason phrase quoted, as capture quotes the server's words


@dataclass(frozen=True, slots=True)
class Original:
    """An original's records, the text extracted from it and how it was obtained."""

    records: tuple[RecordSpec, ...]
    source_record_id: str
    conversion_record_id: str
    target_uri: str
    text: str
    description: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TextlessOriginal:
    """A captured original archived without a conversion: its body has no text to align against."""

    records: tuple[RecordSpec, ...]
    source_record_id: str
    target_uri: str
    reason: str
    description: dict[str, Any]


def original_path(sidecar_path: Path, value: object, *, follow_symlinks: bool = False) -> Path:
    """The file a sidecar's `original:` names: relative to the sidecar, inside its folder."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(sidecar_path, "'original' must be a file path relative to the sidecar",
                         fix="write e.g. 'original: originals/article.html'")
    relative = Path(value)
    if relative.is_absolute() or ".." in relative.parts:
        raise InputError(sidecar_path, f"'original' must stay inside the source folder: {value!r}",
                         fix="copy the original into a folder beside the sidecar (e.g. originals/; a .txt "
                         "right beside it would be packaged as an excerpt) and name it relative to it")
    folder = sidecar_path.parent.resolve()
    path = sidecar_path.parent / os_name(value)   # (the sidecar's UTF-8 text as the os names it, whatever the locale)
    resolved = path.resolve()
    if not resolved.is_relative_to(folder) and not follow_symlinks:
        raise InputError(sidecar_path, f"'original' {value!r} is a symbolic link out of the source "
                         f"folder (to {resolved})",
                         fix=f"copy the file in, or pass {option('--follow-symlinks', 'follow_symlinks=True')}")
    if not resolved.is_file():
        if resolved.is_dir():
            raise InputError(sidecar_path, f"'original' {value!r} is a folder", fix="name the file in it")
        from .regular import special_kind   # (here: the check stays one block)

        try:
            kind = special_kind(resolved.stat().st_mode)
        except OSError:   # (none there)
            kind = None
        if kind is not None:   # (a FIFO would hang the read; a device or socket is no saved page)
            raise InputError(sidecar_path, f"'original' {value!r} is {kind}, not a regular file",
                             fix="name a regular file: a saved copy of the original")
        near = _near_files(sidecar_path.parent, relative.parts)
        if near:
            raise InputError(sidecar_path, f"'original' {value!r}: no such file, only {_near_said(value, near)}",
                             fix="rename the file as the sidecar names it, or name it in the sidecar as it is")
        raise InputError(sidecar_path, f"'original' {value!r}: no such file", fix="check the path")
    return path


def _look(name: str) -> str:
    """A name as it looks: its letters in one case and one Unicode normalisation (NFKC, which also makes a
    full-width letter or a ligature the plain one), without the characters that show as nothing."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", as_seen(name)).casefold())


def _near_files(folder: Path, parts: tuple[str, ...]) -> list[str]:
    """The files (a few) whose path from `folder` differs from `parts` only in how its names are written: letter
    case, Unicode normalisation (a name copied from a Mac is NFD, one typed mostly NFC), characters that show as
    nothing; each as a path relative to `folder`, "/" between its names. Looked for only when `parts` is not there.
    """
    paths: list[tuple[str, Path]] = [("", folder)]
    for part in parts:
        wanted = _look(part)
        found: list[tuple[str, Path]] = []
        for shown, where in paths:
            try:
                names = sorted(os.listdir(where))
            except OSError:
                continue
            texts = ((text_name(name), name) for name in names)   # (as a sidecar spells it: UTF-8 text)
            found += [(f"{shown}/{text}" if shown else text, where / name) for text, name in texts
                      if _look(text) == wanted]
        paths = found[:_NEAR_SHOWN]
    return [shown for shown, where in paths if where.is_file()]


def _near_said(value: str, near: list[str]) -> str:
    """'o/café.txt', whose name differs in Unicode normalisation ('o/caf\\xe9.txt' and 'o/cafe\\u0301.txt')."""
    ways = {_how_near(value, name) for name in near}
    how = ways.pop() if len(ways) == 1 else "letter case, Unicode normalisation or characters that show as nothing"
    whose = "whose name differs" if len(near) == 1 else "whose names differ"
    spelled = "" if "".join([value, *near]).isascii() else (
        f" ({ascii(value)} and {', '.join(ascii(name) for name in near)})")
    return f"{', '.join(repr(name) for name in near)}, {whose} in {how}{spelled}"


def _how_near(given: str, name: str) -> str:
    """How two names that look alike (_look) differ: "letter case", "Unicode normalisation", ..."""
    if as_seen(given) == as_seen(name):
        return "characters that show as nothing"
    if unicodedata.normalize("NFKC", given) == unicodedata.normalize("NFKC", name):
        return "Unicode normalisation"
    if given.casefold() == name.casefold():
        return "letter case"
    return "letter case, Unicode normalisation or characters that show as nothing"


def _content_type(path: Path, data: bytes) -> str:
    """A fixed suffix table (never the system's), else HTML if it looks like HTML, else text."""
    known = _TYPES_BY_SUFFIX.get(path.suffix.lower())
    if known is not None:
        return known
    if b"\0" in data[:8192]:
        return "application/octet-stream"
    head = data[:1024].lstrip().lower()
    return "text/html" if head.startswith((b"<!doctype html", b"<html")) else "text/plain"


def _extract(data: bytes, content_type: str | None, where: str) -> Extraction:
    try:
        return extract_text(data, content_type=content_type)
    except PageTooLarge as exc:
        raise InputError(where, f"the original's text is not extracted: {exc}",
                         fix="give a copy of the article alone (or its text as a plain-text original)") from exc
    except ValueError as exc:
        raise InputError(where, f"the original has no text to align against: {exc}",
                         fix="give an HTML or plain-text copy that holds the text quoted") from exc


def conversion_target(source_target: str, text_sha256: str) -> str:
    """The WARC-Target-URI of the conversion of a source record whose target is `source_target`.

    WARC 1.1 makes it a copy of the source's, and so it is for every URL. A content URN is no URL
    anything was captured from but the name of its record's bytes: the conversion of a source so named
    gets the URN of its own text, which no other bytes have (under the source's URN, replay tools that
    index conversions, such as pywb's `wb-manager add`, gave the text for the original's bytes).
    """
    return f"urn:provpack:sha256:{text_sha256}" if CONTENT_URN.fullmatch(source_target) else source_target


def _conversion(source_target: str, extraction: Extraction, refers_to: str, date: str | None = None) -> RecordSpec:
    """The conversion record of `extraction`; dated `date` (its source record's WARC-Date) when given, else
    as the run, as its source record is."""
    block = extraction.text.encode("utf-8")
    text_sha256 = hashlib.sha256(block).hexdigest()
    target = conversion_target(source_target, text_sha256)
    dated = () if date is None else (("WARC-Date", date),)
    return RecordSpec(
        warc_type="conversion",
        # Named by its source record too: the same text extracted from another record (another capture of the URL,
        # another copy given the same source_url) is another conversion, which refers to that record.
        record_id=record_id("conversion", refers_to, target, text_sha256),
        target_uri=target,
        content_type=TEXT_TYPE,
        block=block,
        payload_digest=True,
        extra_headers=(*dated, ("WARC-Refers-To", refers_to)),
        block_sha256=text_sha256,
    )


def _conversion_description(extraction: Extraction, conversion: RecordSpec) -> dict[str, Any]:
    return {
        "conversion_record_id": conversion.record_id,
        "text_sha256": hashlib.sha256(conversion.block).hexdigest(),
        "length_chars": len(extraction.text),
        "scope": extraction.scope,
        "charset": extraction.charset.to_json(),
    }


_ORIGINAL_TOO_LARGE = ("a local original is read up to this fixed limit: give a copy of the article alone, or leave "
                       "`original` out of the sidecar")


def check_local_original(sidecar_path: Path, value: object, *, follow_symlinks: bool = False) -> None:
    """What `local_original` would raise finding and opening the file (not what reading it finds), without reading
    it: a run that fetches checks every document's before it fetches anything."""
    path = original_path(sidecar_path, value, follow_symlinks=follow_symlinks)
    check_readable(path, limit=MAX_ORIGINAL_BYTES, too_large=_ORIGINAL_TOO_LARGE,
                   within=None if follow_symlinks else str(sidecar_path.parent))


def local_original(sidecar_path: Path, value: object, *, source_url: str | None = None,
                   follow_symlinks: bool = False) -> Original:
    """Records for a local copy of the original named by the sidecar."""
    path = original_path(sidecar_path, value, follow_symlinks=follow_symlinks)
    data = read_bytes(path, limit=MAX_ORIGINAL_BYTES, too_large=_ORIGINAL_TOO_LARGE,
                      within=None if follow_symlinks else str(sidecar_path.parent))   # checked again, as opened
    content_type = _content_type(path, data)
    data_sha256 = hashlib.sha256(data).hexdigest()
    target = uri_value(source_url, what=f"{sidecar_path}: source_url") if source_url else (
        f"urn:provpack:sha256:{data_sha256}")
    resource = RecordSpec(
        warc_type="resource",
        record_id=record_id("original", "", target, data_sha256),
        target_uri=target,
        content_type=content_type,
        block=data,
        payload_digest=True,
    )
    extraction = _extract(data, content_type, str(path))
    conversion = _conversion(target, extraction, resource.record_id)
    description = {
        "how": "local",
        "path": str(value),
        "record_id": resource.record_id,
        "target_uri": target,
        "content_type": content_type,
        "sha256": data_sha256,
        "length_bytes": len(data),
        **_conversion_description(extraction, conversion),
    }
    return Original((resource, conversion), resource.record_id, conversion.record_id, target,
                    extraction.text, description)


def _exchange_records(exchange: Exchange) -> tuple[RecordSpec, RecordSpec]:
    """The request and response records of one exchange, each Concurrent-To the other."""
    # The URL as requested on the wire, not as given: a Location of '/page?off=50%' went out as '...50%25'.
    target = uri_value(exchange.sent_url, what="captured URL")
    response_block = exchange.response_block
    request_block = exchange.request_block
    response_sha256 = hashlib.sha256(response_block).hexdigest()
    request_sha256 = hashlib.sha256(request_block).hexdigest()
    when = warc_date(exchange.fetched_at)
    # Both ids name the whole exchange, not only their own bytes: the same request sent again (a URL answered 503,
    # then 200 by way of another excerpt's redirect) is another exchange, with a request record of its own
    # Concurrent-To its own response (WARC 1.1 5.7: one capture event). Ids are equal only for equal records.
    exchange_name = " ".join((when, exchange.peer_address or "", request_sha256, response_sha256))
    response_id = record_id("response", exchange_name, target, response_sha256)
    request_id = record_id("request", exchange_name, target, request_sha256)
    date = ("WARC-Date", when)
    address = (("WARC-IP-Address", exchange.peer_address),) if exchange.peer_address else ()
    request = RecordSpec(
        warc_type="request", record_id=request_id, target_uri=target, content_type=REQUEST_CONTENT_TYPE,
        block=request_block, payload_digest=True, payload_offset=len(exchange.request_head),
        extra_headers=(date, ("WARC-Concurrent-To", response_id)), block_sha256=request_sha256,
    )
    response = RecordSpec(
        warc_type="response", record_id=response_id, target_uri=target, content_type=RESPONSE_CONTENT_TYPE,
        block=response_block, payload_digest=True, payload_offset=len(exchange.response_head),
        extra_headers=(date, *address, ("WARC-Concurrent-To", request_id)), block_sha256=response_sha256,
    )
    if split_message(response_block)[1] != exchange.body:
        raise ValueError(f"{exchange.url}: the stored response head is not followed by the body")
    return request, response


def _status_line(status: int, reason: str) -> str:
    """`HTTP 404 Not Found`: the status with the reason phrase as the server sent it (cut at _REASON_SHOWN
    characters), not Python's name for it, which differs between versions (413, 422 in 3.13) and knows no 520;
    UTF-8 read as UTF-8 (httpbytes.reason_phrase)."""
    reason = reason_phrase(reason).strip()
    if len(reason) > _REASON_SHOWN:
        reason = f"{reason[:_REASON_SHOWN]}... ({len(reason):,} characters)"
    return f"HTTP {status} {reason}".rstrip()


def fetched_original(capture: Capture) -> Original | TextlessOriginal:
    """Records for a captured original: every exchange, then the conversion of the final body.

    A final answer with an error status (4xx, 5xx: `no_text` says `HTTP 404 Not Found: the server answered with
    an error, not the page`), or a body with no text to extract (say, `application/pdf`, a Content-Encoding that
    cannot be undone, an empty body, a 204 or 205 status, nothing but white space) gives a TextlessOriginal: the
    exchanges are kept as received, there is no conversion, and the description says why.
    """
    records: list[RecordSpec] = []
    hops: list[dict[str, Any]] = []
    for exchange in capture.exchanges:
        request, response = _exchange_records(exchange)
        records += [request, response]
        hops.append({"url": exchange.url, "status": exchange.status, "request_record_id": request.record_id,
                     "response_record_id": response.record_id, "exact": exchange.exact,
                     "dechunked": exchange.dechunked})
    response_id = records[-1].record_id
    target = uri_value(capture.sent_url, what="captured URL")   # as the response record's WARC-Target-URI
    description: dict[str, Any] = {
        "how": "fetched",
        "url": capture.requested_url,
        "final_url": capture.url,
        "record_id": response_id,
        "request_record_id": records[-2].record_id,
        "target_uri": target,
        "status": capture.status,
        "content_type": capture.content_type,
        "content_encoding": capture.response.header("Content-Encoding"),
        "fetched_at": warc_date(capture.fetched_at),
        "attempts": capture.attempts,
        "exchanges": hops,
    }
    log.debug("%s: captured %d exchange(s)", capture.requested_url, len(hops))
    extraction: Extraction | None = None
    no_text = capture.decode_problem or "the body's Content-Encoding cannot be undone"
    if is_error_status(capture.status):   # (whatever its body says, it is not the page quoted)
        no_text = _status_line(capture.status, capture.response.reason) + ": the server answered with an error, not the page"
    elif capture.status in _NO_BODY:
        no_text = f"HTTP {capture.status} {HTTPStatus(capture.status).phrase}: the response has no body"
    elif capture.decoded_body == b"":
        no_text = f"HTTP {capture.status} with an empty body"
    elif capture.decoded_body is not None:
        try:
            extraction = extract_text(capture.decoded_body, content_type=capture.content_type)
        except ValueError as exc:
            no_text = str(exc)
    if extraction is None:
        log.debug("%s: no text to align against: %s", capture.url, no_text)
        description.update({"conversion_record_id": None, "text_sha256": None, "length_chars": None,
                            "scope": None, "charset": None, "no_text": no_text})
        return TextlessOriginal(tuple(records), response_id, target, no_text, description)
    # Dated as the response it was extracted from, in the run that fetched it: under the run's date it was one more
    # capture of the URL to replay tools that index conversions (pywb's `wb-manager add`), at SOURCE_DATE_EPOCH.
    conversion = _conversion(target, extraction, response_id, date=dict(records[-1].extra_headers)["WARC-Date"])
    description.update(_conversion_description(extraction, conversion))
    records.append(conversion)
    return Original(tuple(records), response_id, conversion.record_id, target, extraction.text, description)
