"""WACZ 1.1.1 package of one WARC: the archive, its CDXJ index, a page per excerpt (or per HTML page).

Layout (specs.webrecorder.net/wacz/1.1.1): `archive/<name>.warc.gz`,
`indexes/index.cdx`, `pages/pages.jsonl`, `datapackage.json`,
`datapackage-digest.json`. Every entry is stored uncompressed and dated when the
WACZ is made (SOURCE_DATE_EPOCH when set, else now), as `created` says, so the
same WARC and SOURCE_DATE_EPOCH always give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ._version import __version__
from .arguments import FLAG, PATH, TEXT, file_path, require
from .atomic import archive_files, atomic_writer, refuse_input
from .cdxj import CdxjLine, archive_date, cdxj_text, index
from .errors import ArchiveError, InputError, IntegrityError, not_utf8, option, require_utf8
from .fsnames import text_name
from .httpbytes import redirected
from .inflate import errors, fast_inflater
from .provcheck import is_provenance, parse
from .rawreader import RawReader
from .replaykeys import SERVED, Clash, ReplayKeys, Source, replayable, warn_clashes, warn_unreplayable
from .sniff import NotWarcError, holds_several_records, is_gzipped_warc, open_source, refuse_stream
from .stalesig import warn_stale_wacz

__all__ = ["WACZ_VERSION", "make_wacz"]

log = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
INDEX_PATH = "indexes/index.cdx"   # CDXJ data (WACZ 1.1.1); pywb's wb-manager takes only *.cdx and *.cdx.gz
PAGES_PATH = "pages/pages.jsonl"

_BLOCK_SIZE = 1024 * 1024
_HEAD_BYTES = 64 * 1024   # read of a record to find its WARC-Record-ID
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_DATAPACKAGE_BYTES = 16 * 1024 * 1024   # datapackage.json read to find the archive a WACZ holds
_NOT_IN_NAME = re.compile(r"[^-a-z0-9._/]")  # what a Frictionless resource name may hold


@dataclass(frozen=True, slots=True)
class _Resource:
    """One file of the package, as datapackage.json lists it."""

    path: str
    sha256: str
    size: int

    def as_json(self) -> dict[str, Any]:
        """The datapackage.json entry."""
        name = _NOT_IN_NAME.sub("-", self.path.rsplit("/", 1)[-1].lower())
        return {"name": name, "path": self.path, "hash": f"sha256:{self.sha256}", "bytes": self.size}


def make_wacz(
    warc_path: Path | str,
    out_path: Path | str,
    *,
    title: str | None = None,
    description: str | None = None,
    force: bool = False,
    created: datetime | None = None,
    lock: bool = True,
    replay_warnings: bool = True,
) -> Path:
    """Package `warc_path` as a WACZ at `out_path` (written atomically) and return that path.

    `created` (datapackage.json's created and modified, and the entries' dates) is when the
    WACZ is made: SOURCE_DATE_EPOCH when set, else now, unless given, as package's `date`: with a time
    zone and a year from 1000 to 9999 in UTC (else an InputError); as a ZIP dates its entries only in
    the years 1980 to 2107, an earlier or later year is written there as the nearest of them. An existing
    `out_path` is replaced only with `force=True`. A gzipped WARC whose gzip data is cut off or damaged, or a
    WARC with bytes where a record should start that are not one (as `index` says them), is refused
    (IntegrityError): a replay tool could not read it to its end.
    `lock=False`: the caller already holds `out_path`'s lock (atomic.output_lock). `replay_warnings=False`:
    no warning about records replay tools cannot tell apart (`package --wacz`: package warned about them).
    """
    require((("warc_path", warc_path, PATH), ("out_path", out_path, PATH), ("title", title, TEXT.or_none),
             ("description", description, TEXT.or_none), ("force", force, FLAG), ("lock", lock, FLAG),
             ("replay_warnings", replay_warnings, FLAG)))
    warc = file_path("warc_path", warc_path)
    out = Path(out_path)
    refuse_stream(warc)   # (it is read several times)
    refuse_input(out, archive_files(warc))
    bad = not_utf8(text_name(warc.name))   # (its bytes as UTF-8, whatever the locale)
    if bad is not None:
        raise InputError(warc, f"the archive's file name is not UTF-8 ({bad})",
                         fix="rename the file in UTF-8 (the WACZ holds it as archive/NAME)")
    require_utf8(((option("--title"), title), (option("--description"), description)))
    from .package import checked_date, run_date   # here, not at the top: only this needs the packager's clock

    date = run_date() if created is None else checked_date(created, "created")   # as package checks its date
    archive_name = _archive_name(warc)
    _check_gzip(warc)
    if archive_date(warc) is None:
        raise ArchiveError(warc, "holds no record", fix="package a WARC written by `provpack package`")
    lines = list(index(warc, filename=archive_name, post_append=True))
    index_bytes = cdxj_text(lines).encode("utf-8")
    pages_bytes = _pages_jsonl(warc, lines, warn=replay_warnings)
    stamp = (min(max(date.year, 1980), 2107), date.month, date.day, date.hour, date.minute, date.second)
    created_text = date.strftime("%Y-%m-%dT%H:%M:%SZ")

    with atomic_writer(out, force=force, lock=lock) as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as zf:
        resources = [
            _add_file(zf, f"archive/{archive_name}", warc, stamp),
            _add_bytes(zf, INDEX_PATH, index_bytes, stamp),
            _add_bytes(zf, PAGES_PATH, pages_bytes, stamp),
        ]
        package: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title if title is not None else _stem(archive_name),
        }
        if description is not None:
            package["description"] = description
        package.update(
            created=created_text,
            modified=created_text,
            software=f"provpack {__version__}",
            resources=[resource.as_json() for resource in resources],
        )
        datapackage = _json_bytes(package)
        _add_bytes(zf, "datapackage.json", datapackage, stamp)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest()}
        digest_bytes = _json_bytes(digest)
        _add_bytes(zf, "datapackage-digest.json", digest_bytes, stamp)
    log.info("%s: WACZ of %s with %d index lines", out, warc, len(lines))
    warn_stale_wacz(warc, out, "sha256:" + hashlib.sha256(digest_bytes).hexdigest())
    return out


def warn_wraps_another(archive: Path, wacz: Path, *, size: int, sha256: str, replaced: bool) -> None:
    """Warn when the WACZ `wacz` holds archive/NAME (NAME the archive's) of other bytes than the archive of `size`
    bytes and this `sha256` just written under that name (`replaced`: an archive had the name before): it is the
    WACZ of the archive replaced, and replay tools given it show that one."""
    held = _held_archive(wacz, text_name(archive.name))
    if held is None or held == (size, sha256):
        return
    former = "the archive this run replaced" if replaced else "an archive of this name that was gone before this run"
    log.warning("%s holds %s (%s bytes, sha256 %s), not this one; make it again with 'provpack wacz %s -o %s --force'",
                wacz, former, f"{held[0]:,}", held[1], archive, wacz)


def _held_archive(wacz: Path, name: str) -> tuple[int, str] | None:
    """(bytes, sha256) that the WACZ's datapackage.json gives archive/NAME; None when it lists none, or the WACZ
    cannot be read (not a regular file, not a ZIP, no datapackage.json): then it says nothing of the archive."""
    try:
        if not os.path.isfile(wacz):   # (a FIFO would block the read)
            return None
        with zipfile.ZipFile(wacz) as bundle:
            info = bundle.getinfo("datapackage.json")
            if info.file_size > _MAX_DATAPACKAGE_BYTES:
                return None
            package = json.loads(bundle.read(info))
        for resource in package["resources"]:
            if resource.get("path") == f"archive/{name}":
                size, digest = resource.get("bytes"), resource.get("hash")
                if isinstance(size, int) and isinstance(digest, str) and digest.startswith("sha256:"):
                    return size, digest.removeprefix("sha256:")
    except Exception:   # noqa: BLE001 - any WACZ that cannot be read (damaged, hostile): nothing to say of it
        return None
    return None


def _archive_name(warc: Path) -> str:
    """The WARC's name inside archive/, checked against its compression (read from its first bytes) as WACZ requires."""
    try:
        gzipped = is_gzipped_warc(warc)
    except NotWarcError as exc:
        raise ArchiveError(warc, f"not a WARC file: {exc.what}", fix=exc.fix("wacz")) from None
    except OSError as exc:
        raise ArchiveError.unreadable(warc, exc) from exc
    suffix = ".warc.gz" if gzipped else ".warc"
    misnamed = not warc.name.endswith(suffix) or warc.name == suffix
    if gzipped and _gzipped_whole(warc):   # said first: renaming alone would only bring this refusal next
        stem = warc.name[:warc.name.find(".warc")] if warc.name.find(".warc") > 0 else warc.name
        out = f"{stem}{'' if misnamed else '-recompressed'}.warc.gz"   # (here: the WARC's folder may be read-only)
        raise ArchiveError(
            warc,
            "is gzipped as a whole (its first gzip member holds more than one record), which warcio and replay tools"
            " cannot read record by record" + (", and a WACZ needs a gzipped WARC to be named NAME.warc.gz"
                                               if misnamed else ""),
            fix=f"run 'warcio recompress {warc} {out}' (one gzip member a record"
                f"{', under a name a WACZ takes' if misnamed else ''}) and make the WACZ of that",
        )
    if misnamed:
        raise ArchiveError(
            warc,
            f"a WACZ needs a {'gzipped' if gzipped else 'plain'} WARC to be named NAME{suffix}",
            fix=f"rename it to end in {suffix}",
        )
    return text_name(warc.name)


_FIRST_MEMBER_PEEK = 1 << 20   # bytes of the first gzip member inflated to tell a WARC gzipped as a whole


def _gzipped_whole(warc: Path) -> bool:
    """True when the first gzip member of `warc` goes on past its first record (a WARC gzipped as a whole, or
    several records a member), as its first MiB inflated shows; False when it ends with the record, or cannot tell
    (a first record over a MiB, damaged data: said by what reads it next)."""
    try:
        with open(warc, "rb") as stream:
            return holds_several_records(stream, 0, _FIRST_MEMBER_PEEK)
    except OSError:
        return False


def _check_gzip(warc: Path) -> None:
    """Refuse a gzipped WARC whose members do not all end cleanly (cut off, corrupt, or junk between them).

    Only the gzip layer is read (verify's reader, inflating every member): a WACZ holding such a
    file fails `wacz validate` and stops replay at the damage. Other findings (digests, headers)
    are `provpack verify`'s to report; they do not keep a WARC out of a WACZ.
    """
    found: list[tuple[int, str, str]] = []
    try:
        with open(warc, "rb") as stream:
            try:
                source = open_source(RawReader(stream), lambda offset, kind, message, cuts, skipped: found.append(
                    (offset, kind, message)))
            except NotWarcError:
                return   # _archive_name has refused it already
            if not source.compressed:
                return
            for _ in source.chunks():
                if found:
                    break
    except OSError as exc:
        raise ArchiveError.unreadable(warc, exc) from exc
    if found:
        offset, kind, message = found[0]
        raise IntegrityError(warc, f"byte {offset}: {kind}: {message}; no WACZ written (replay would stop "
                             "there); `provpack verify` gives the full report")


def _stem(archive_name: str) -> str:
    """The WARC's name without .warc or .warc.gz."""
    return archive_name.removesuffix(".gz").removesuffix(".warc")


def _pages_jsonl(warc: Path, lines: Sequence[CdxjLine], *, warn: bool = True) -> bytes:
    """pages.jsonl: the header line, then one page per provpack provenance record (in a WARC without one, a
    page per HTML page captured: _html_pages).

    Records replay tools cannot tell apart (see replaykeys) are warned about, named by their pages (`warn`). A
    document whose url replay tools cannot replay (mailto:, data:: replaykeys.replayable) is no page (and said, `warn`).
    """
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    out = [json.dumps(header, ensure_ascii=False)]
    with open(warc, "rb") as stream:
        clashes, count = _clashes(lines) if warn else ([], 0)
        ids = {offset: _record_id(warc, stream, offset)   # the clashing records' ids, by offset
               for clash in clashes for offset in (clash.later.offset, clash.first.offset)}
        wanted: dict[str, Source | None] = dict.fromkeys(filter(None, ids.values()))   # id -> its document
        documents = 0
        unreplayable: list[tuple[str, str]] = []   # (page, url)
        for line in lines:
            if line.record_type != "metadata" or line.mime != "application/ld+json":
                continue
            provenance = _provenance(warc, stream, line)
            if provenance is None:
                continue
            page = {
                "id": str(provenance.get("name") or f"record-{line.offset}"),
                "url": provenance.get("@id") or line.url,
                "ts": _iso(line.timestamp),
                "title": _title(provenance),
            }
            if wanted:
                _name_records(wanted, provenance, f"page {page['id']}")
            documents += 1
            if isinstance(page["url"], str) and not replayable(page["url"]):
                unreplayable.append((f"page {page['id']}", page["url"]))
                continue
            out.append(json.dumps(page, ensure_ascii=False))
        if documents:   # a provpack archive: its documents' records are named (another WARC's are not its concern)
            if warn:
                warn_unreplayable(unreplayable, prefix=f"{warc}: ", again=True)
            _warn_clashes(warc, clashes, count, {offset: wanted.get(ids[offset]) for offset in ids})
        else:
            out.extend(json.dumps(page, ensure_ascii=False) for page in _html_pages(lines))
    return ("\n".join(out) + "\n").encode("utf-8")


HTML_TYPES = frozenset(("text/html", "application/xhtml", "application/xhtml+xml"))   # py-wacz's HTML_MIME_TYPES


def _html_pages(lines: Sequence[CdxjLine]) -> list[dict[str, str]]:
    """The pages of a WARC another tool wrote: each URL's first capture that replays as an HTML page (a GET
    response with status 200, or a resource record, of an HTML type, at an http(s) URL), in the order of the file.
    No title: ReplayWeb.page then shows the URL, and no record is read. (py-wacz 0.6.0's `--detect-pages` differs:
    README.)"""
    pages: list[dict[str, str]] = []
    seen: set[str] = set()
    for line in lines:
        if line.record_type == "response":
            if line.status != "200" or line.method is not None:
                continue
        elif line.record_type != "resource":
            continue
        if (line.url is None or (line.mime or "").lower() not in HTML_TYPES or line.url in seen
                or not line.url.lower().startswith(("http://", "https://"))):
            continue
        seen.add(line.url)
        pages.append({"id": f"record-{line.offset}", "url": line.url, "ts": _iso(line.timestamp)})
    return pages


def _clashes(lines: Sequence[CdxjLine]) -> tuple[list[Clash], int]:
    """The first clashes between lines replay tools cannot tell apart, and how many in all; a response after a
    redirect is taken for the next of its capture (see ReplayKeys.add)."""
    replay = ReplayKeys()
    redirect = False
    try:
        for line in lines:
            if line.record_type in SERVED and line.url is not None:
                replay.add_key(line.urlkey, line.timestamp,
                               Source(f"the record at byte {line.offset}", f"url {line.url}", False, line.offset),
                               chained=redirect and line.record_type == "response", digest=line.digest)
                redirect = line.record_type == "response" and (line.status or "").startswith("3")
        return replay.clashes(), replay.count
    finally:
        replay.close()


def _name_records(wanted: dict[str, Source | None], provenance: dict[str, Any], page: str) -> None:
    """Name the wanted records that are this page's excerpt or original (an original shared: by its first page)."""
    record_id = provenance.get("record_id")
    if isinstance(record_id, str) and record_id in wanted and wanted[record_id] is None:
        wanted[record_id] = Source(page, f"url {provenance.get('@id')}", True)
    original = provenance.get("original")
    if not isinstance(original, dict):
        return
    exchanges = original.get("exchanges")
    hops = [hop.get("response_record_id") for hop in exchanges if isinstance(hop, dict)] if isinstance(
        exchanges, list) else []
    for record_id in (original.get("record_id"), *hops):   # a local copy's resource, or a capture's responses
        if isinstance(record_id, str) and record_id in wanted and wanted[record_id] is None:
            if original.get("how") == "local":
                what = f"original {original.get('path')} (source_url {original.get('target_uri')})"
            else:
                what = f"original fetched from {original.get('url')}"
                if redirected(original):
                    what += f" (redirected to {original.get('final_url')})"
            wanted[record_id] = Source(page, what, False)


def _warn_clashes(warc: Path, clashes: list[Clash], count: int, named_at: dict[int, Source | None]) -> None:
    """Warn about the clashes, each record named by its page where it is a document's (`named_at` its offset); a
    clash of two records of no document is left out."""
    named = []
    for clash in clashes:
        later, first = named_at[clash.later.offset], named_at[clash.first.offset]
        if later is None and first is None:
            count -= 1
            continue
        named.append(clash._replace(later=later or clash.later, first=first or clash.first))
    warn_clashes(named, count, prefix=f"{warc}: ", again=True)


def _record_id(warc: Path, stream: IO[bytes], offset: int) -> str:
    """The WARC-Record-ID of the record at `offset` ("" if it has none), read from its first bytes."""
    stream.seek(offset)
    raw = stream.read(_HEAD_BYTES)
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, _HEAD_BYTES)
        except zlib.error as exc:
            raise ArchiveError(warc, f"byte {offset}: bad gzip member: {exc}") from exc
    for header in raw.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"warc-record-id":
            return value.strip().decode("utf-8", "replace")
    return ""


def _provenance(warc: Path, stream: IO[bytes], line: CdxjLine) -> dict[str, Any] | None:
    """The provenance JSON of the metadata record `line` points at, or None if it is not ours."""
    block = _record_block(warc, stream, line)
    try:
        data, _ = parse(block)   # orjson where it reads the block (about 3x faster), else json
    except ValueError as exc:   # (nested too deep for provpack to read too: jsondepth)
        log.warning("%s: byte %d: the metadata record's JSON does not parse: %s; no page for it", warc, line.offset,
                    exc)
        return None
    return data if is_provenance(data) else None


def _record_block(warc: Path, stream: IO[bytes], line: CdxjLine) -> bytes:
    """The block of the record at `line`'s offset, read from its own gzip member."""
    stream.seek(line.offset)
    raw = stream.read(line.length)
    if raw[:2] == _GZIP_MAGIC:
        inflater = fast_inflater() or zlib
        try:
            raw = inflater.decompressobj(wbits=31).decompress(raw)
        except errors(inflater) as exc:
            raise ArchiveError(warc, f"byte {line.offset}: bad gzip member: {exc}") from exc
    head, _, rest = raw.partition(b"\r\n\r\n")
    for header in head.split(b"\r\n"):
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return rest[: int(value.strip())]
    raise ArchiveError(warc, f"byte {line.offset}: record has no Content-Length")


def _title(provenance: dict[str, Any]) -> str:
    """The excerpt's title: dcterms:title, else the parsed title field, else its name."""
    title = provenance.get("dcterms:title")
    if isinstance(title, str) and title:
        return title
    fields = provenance.get("fields")
    field = fields.get("title") if isinstance(fields, dict) else None
    value = field.get("value") if isinstance(field, dict) else None
    if isinstance(value, str) and value:
        return value
    return str(provenance.get("name", ""))


@functools.lru_cache(maxsize=64)   # a provpack archive's records share the run's date
def _iso(timestamp: str) -> str:
    """RFC 3339 form of a 14-digit CDX timestamp; a year before 1000 in 4 digits (strftime's %Y gives fewer on Linux
    before Python 3.13: `1-01-01T00:00:00Z`)."""
    when = datetime.strptime(timestamp, "%Y%m%d%H%M%S")
    return f"{when.year:04d}-{when:%m-%dT%H:%M:%S}Z"


def _json_bytes(data: dict[str, Any]) -> bytes:
    """Indented UTF-8 JSON with a final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _zip_info(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """A stored entry whose header depends only on its name and the archive date."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def _add_bytes(
    zf: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, int, int, int, int, int]
) -> _Resource:
    """Store `data` as `name` and describe it."""
    zf.writestr(_zip_info(name, stamp), data)
    return _Resource(name, hashlib.sha256(data).hexdigest(), len(data))


def _add_file(
    zf: zipfile.ZipFile, name: str, source: Path, stamp: tuple[int, int, int, int, int, int]
) -> _Resource:
    """Store the file `source` as `name`, hashing it in the same pass. An error reading `source` names it; one
    writing the WACZ is left to atomic_writer, which names the WACZ (a full disk there is not the archive's)."""
    info = _zip_info(name, stamp)
    hasher = hashlib.sha256()
    size = 0
    try:
        src = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ArchiveError.unreadable(source, exc) from exc
    with src:
        info.file_size = os.fstat(src.fileno()).st_size  # lets zipfile pick ZIP64 up front
        with zf.open(info, "w") as dest:
            while True:
                try:
                    chunk = src.read(_BLOCK_SIZE)
                except OSError as exc:
                    raise ArchiveError.unreadable(source, exc) from exc
                if not chunk:
                    break
                hasher.update(chunk)
                dest.write(chunk)
                size += len(chunk)
    return _Resource(name, hasher.hexdigest(), size)
