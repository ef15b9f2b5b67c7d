"""Build small WARC files by hand for the verifier's tests, independently of provpack's writer.

Records follow WARC/1.1 and docs/format.md; nothing here imports provpack.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import uuid
import zlib
from collections.abc import Iterable, Sequence

DATE = "2017-11-12T00:00:00Z"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:provpack")
_serial = itertools.count()


def digest_text(algorithm: str, data: bytes, encoding: str = "base16", label: str | None = None) -> str:
    """A digest header value such as `sha256:<hex>` or `sha1:<BASE32>`."""
    raw = hashlib.new(algorithm.replace("-", ""), data).digest()
    if encoding == "base16":
        value = raw.hex()
    elif encoding == "base32":
        value = base64.b32encode(raw).decode("ascii")
    elif encoding == "base64":
        value = base64.b64encode(raw).decode("ascii")
    else:
        raise ValueError(encoding)
    return f"{label or algorithm}:{value}"


# Fields the WARC standard requires on a record's type, and the values record() gives them (None: `target`).
_TARGET = ("WARC-Target-URI", None)
REQUIRED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "response": (_TARGET,), "resource": (_TARGET,), "request": (_TARGET,), "conversion": (_TARGET,),
    "revisit": (_TARGET, ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")),
    "continuation": (_TARGET, ("WARC-Segment-Origin-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"),
                     ("WARC-Segment-Number", "2")),
}


def record(
    warc_type: str,
    block: bytes,
    *,
    record_id: str | None = None,
    date: str = DATE,
    content_type: str | None = "application/octet-stream",
    block_digest: str | None = "sha256",
    payload_digest: str | None = None,
    payload: bytes | None = None,
    headers: Sequence[tuple[str, str]] = (),
    version: str = "WARC/1.1",
    content_length: int | None = None,
    target: str | None = "urn:example:record",
) -> bytes:
    """One uncompressed record; digests given as an algorithm name ("sha256") or a full header value.

    A type the WARC standard requires fields on gets them (REQUIRED: `target` as its WARC-Target-URI), each
    unless `headers` give it; with `target` None, none of them."""
    record_id = record_id or f"<urn:uuid:{uuid.uuid5(NAMESPACE, f'{warc_type} {next(_serial)}')}>"
    lines = [version, f"WARC-Type: {warc_type}", f"WARC-Record-ID: {record_id}", f"WARC-Date: {date}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if target is not None:   # the fields the WARC standard requires on this type, where headers give none
        given = {name.lower() for name, _ in headers}
        lines += [f"{name}: {target if value is None else value}" for name, value in REQUIRED.get(warc_type, ())
                  if name.lower() not in given]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if block_digest is not None:
        value = block_digest if ":" in block_digest else digest_text(block_digest, block)
        lines.append(f"WARC-Block-Digest: {value}")
    if payload_digest is not None:
        value = payload_digest if ":" in payload_digest else digest_text(
            payload_digest, block if payload is None else payload)
        lines.append(f"WARC-Payload-Digest: {value}")
    lines.append(f"Content-Length: {len(block) if content_length is None else content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def gzip_member(data: bytes, level: int = 6) -> bytes:
    """One gzip member, mtime 0 and no file name (as provpack writes them)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def warc(records: Iterable[bytes], *, gzip: bool = True) -> bytes:
    """Concatenate records, each in its own gzip member when `gzip`."""
    return b"".join(gzip_member(r) if gzip else r for r in records)


def http_response(body: bytes, *, chunked: bool = False, chunk_size: int = 7) -> tuple[bytes, bytes]:
    """An HTTP/1.1 response as transmitted, and its payload as transmitted (chunked when asked)."""
    if chunked:
        pieces = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
        sent = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    else:
        sent = body
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + sent, sent


# What may pad a marker's dots (docs/format.md): every Unicode space (Zs), the tab, U+200B, U+2060, U+FEFF, the
# direction marks, isolates and embeddings U+061C, U+200E, U+200F, U+202A-U+202C, U+2066-U+2069; before provpack
# 0.6.0 not these last; before 0.5.0 only the space, U+00A0, U+2009 and U+202F. (The East Asian marks of 0.6.0,
# `（中略）`, `［……］`, are not written here: a record made here reads them as 0.5.0 did.)
PAD = "\t \u00a0\u061c\u1680\u2000-\u200b\u200e\u200f\u202a-\u202c\u202f\u205f\u2060\u2066-\u2069\u3000\ufeff"
PAD_0_5 = "\t \u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
PAD_BEFORE_0_5 = " \u00a0\u2009\u202f"
_EDIT = re.compile(r"\[[^\[\]\r\n]{1,80}\]")                # other bracketed text: an alteration


def _cut_pattern(pad: str) -> re.Pattern[str]:
    """docs/format.md's bracketed markers, their dots padded by `pad`'s characters."""
    return re.compile(rf"\[[{pad}]*(?:[.\u2026][{pad}]*)+\]")


def _is_cut(marker: str) -> bool:
    return "\u2026" in marker or marker.count(".") >= 3


def _line_column(text: str, at: int) -> tuple[int, int]:
    before = text[:at]
    line = before.count("\r") + before.count("\n") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, at - start + 1


def provenance(text: str, *, record_id: str, target: str, generator: str = "warcbuild (tests)",
               pad: str = PAD) -> dict[str, object]:
    """A provenance JSON document as docs/format.md describes it, for the excerpt `text` (no header,
    no trailer: the body is the whole text, trimmed; bracketed cuts and alterations listed); `pad`: the
    characters that may pad a marker's dots (PAD_BEFORE_0_5 for a record as provpack 0.4.0 wrote it, PAD_0_5 as
    0.5.0 did)."""
    raw = text.encode("utf-8")
    cut = _cut_pattern(pad)

    def byte_at(char: int) -> int:
        return len(text[:char].encode("utf-8"))

    elisions: list[dict[str, object]] = []
    alterations: list[dict[str, object]] = []
    cuts: list[tuple[int, int]] = []
    at = text.find("[")
    while at >= 0:
        match = cut.match(text, at)
        is_cut = match is not None and _is_cut(match.group())
        if not is_cut:
            match = _EDIT.match(text, at)
        if match is not None:
            start, end = match.span()
            line, column = _line_column(text, start)
            entry: dict[str, object] = {
                "marker": match.group(), "start": start, "end": end, "byte_start": byte_at(start),
                "byte_end": byte_at(end), "line": line, "column": column}
            if is_cut:
                cuts.append((start, end))
                entry.update({
                    "@id": f"{record_id.strip('<>')}#elision-{start}",
                    "@type": "oa:Annotation",
                    "oa:motivatedBy": {"@id": "oa:describing"},
                    "oa:hasTarget": {"oa:hasSource": {"@id": target}, "oa:hasSelector": [
                        {"@type": "oa:TextPositionSelector", "oa:start": start, "oa:end": end},
                        {"@type": "oa:TextQuoteSelector", "oa:exact": match.group(),
                         "oa:prefix": text[max(0, start - 32) : start],
                         "oa:suffix": text[end : end + 32]}]},
                    "kind": "bracketed", "omitted": None})
                elisions.append(entry)
            else:
                alterations.append(entry)
        at = text.find("[", at + 1)
    content = 1 if text.startswith("\ufeff") else 0
    body = (content + len(text[content:]) - len(text[content:].lstrip()), len(text.rstrip()))
    segments = []
    at = body[0]
    for cut_start, cut_end in [*cuts, (body[1], body[1])]:
        piece = text[at:cut_start]
        if piece.strip():
            segments.append((at + len(piece) - len(piece.lstrip()), cut_start - (len(piece) - len(piece.rstrip()))))
        at = cut_end
    return {
        "@context": {"@vocab": "urn:provpack:terms:", "prov": "http://www.w3.org/ns/prov#"},
        "@id": target,
        "@type": "prov:Entity",
        "format": "provpack-provenance/1",
        "generator": generator,
        "name": "doc",
        "record_id": record_id,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "length_bytes": len(raw),
        "length_chars": len(text),
        "parts": {"header": None, "body": list(body), "trailer": None},
        "segments": [
            {"index": i, "start": s, "end": e, "byte_start": byte_at(s), "byte_end": byte_at(e),
             "sha256": hashlib.sha256(raw[byte_at(s) : byte_at(e)]).hexdigest()}
            for i, (s, e) in enumerate(segments)
        ],
        "elisions": elisions,
        "alterations": alterations,
        "differences": [],
    }


def provenance_bytes(doc: dict[str, object]) -> bytes:
    """The provenance JSON as provpack writes it: sorted keys, compact, one final newline."""
    return (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def provpack_records(texts: Sequence[str], *, docs: Sequence[dict[str, object]] | None = None,
                     software: str = "warcbuild", generators: Sequence[str | None] | None = None) -> list[bytes]:
    """warcinfo (its `software`), then per text a resource and its provenance metadata record (docs/format.md
    layout), each record's generator from `generators` (None: none) when given."""
    info = f"software: {software}\r\nformat: WARC File Format 1.1\r\n".encode("utf-8")
    out = [record("warcinfo", info, content_type="application/warc-fields",
                  record_id=f"<urn:uuid:{uuid.uuid5(NAMESPACE, 'warcinfo' + ''.join(texts))}>")]
    for index, text in enumerate(texts):
        raw = text.encode("utf-8")
        target = f"urn:provpack:sha256:{hashlib.sha256(raw).hexdigest()}"
        resource_id = f"<urn:uuid:{uuid.uuid5(NAMESPACE, 'excerpt' + target + str(index))}>"
        out.append(record("resource", raw, record_id=resource_id, content_type="text/plain; charset=utf-8",
                          payload_digest="sha256", headers=[("WARC-Target-URI", target)]))
        doc = docs[index] if docs is not None else provenance(text, record_id=resource_id, target=target)
        if generators is not None:
            doc = {key: value for key, value in doc.items() if key != "generator"}
            if generators[index] is not None:
                doc["generator"] = generators[index]
        meta = provenance_bytes(doc)
        out.append(record("metadata", meta, content_type="application/ld+json",
                          record_id=f"<urn:uuid:{uuid.uuid5(NAMESPACE, 'provenance' + target + str(index))}>",
                          headers=[("WARC-Target-URI", target), ("WARC-Refers-To", resource_id),
                                   ("WARC-Concurrent-To", resource_id)]))
    return out


def nested_in_d2(levels: int) -> tuple[bytes, int, str]:
    """A gzipped WARC of three documents (d1, d2, d3: "doc N [...] text"), d2's provenance given a key "x" nested
    `levels` arrays deep, digests right: (the WARC, d2's provenance record's offset, that record's id)."""
    records = provpack_records([f"doc {number} [...] text\n" for number in (1, 2, 3)])
    for number, at in enumerate((2, 4, 6), 1):
        head, _, block = records[at].partition(b"\r\n\r\n")
        block = block[:-4]
        changed = block.replace(b'"name":"doc"', f'"name":"d{number}"'.encode(), 1)
        if number == 2:
            changed = changed.replace(b'{"@context"', b'{"x":' + b"[" * levels + b"]" * levels + b',"@context"', 1)
        head = head.replace(f"Content-Length: {len(block)}".encode(), f"Content-Length: {len(changed)}".encode())
        head = head.replace(digest_text("sha256", block).encode(), digest_text("sha256", changed).encode())
        records[at] = head + b"\r\n\r\n" + changed + b"\r\n\r\n"
    return warc(records), len(warc(records[:4])), records[4].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()


SAMPLE_TEXTS = (
    "12 November 2017\n\nThe start. [...] The middle—with a dash. […] The end.\n",
    "Ünïcödé first line\r\nsecond [...] third\r\n",
)


def texts(count: int) -> list[str]:
    return [f"Text {n}: {'word ' * (n % 7)}[...] and more {n}.\n" for n in range(count)]


def archives() -> dict[str, bytes]:
    """Per-record gzip archives, sound and broken in ways that cross a split."""
    records = provpack_records(texts(6))
    sound = warc(records)
    members = [gzip_member(r) for r in records]
    out = {"sound": sound}
    # Provenance before its resource (waits across the split), and a provenance record whose
    # resource is missing.
    swapped = [records[0]] + [r for pair in zip(records[2::2], records[1::2]) for r in pair]
    out["provenance first"] = warc(swapped)
    out["resource missing"] = warc(records[:3] + records[4:])
    # A provenance record before its resource that disagrees with it (found when the resource comes), digests or
    # none (unverified).
    docs = [json.loads(r[r.index(b"\r\n\r\n") + 4:-4]) for r in records[2::2]]
    docs[2]["sha256"] = "0" * 64
    late = provpack_records(texts(6), docs=docs)
    late = [late[0]] + [r for pair in zip(late[2::2], late[1::2]) for r in pair]
    out["disagreeing provenance first"] = warc(late)
    late[5] = re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", late[5])
    out["unverified disagreeing provenance first"] = warc(late)
    # The same record id on both sides; a duplicate resource.
    out["duplicate ids"] = warc(records + records[3:5])
    # A provenance record that disagrees with its resource (the pair may cross the split).
    doc = provenance(texts(6)[2], record_id="<urn:x:wrong>", target="urn:x")
    bad_meta = record("metadata", provenance_bytes(doc), content_type="application/ld+json",
                      headers=[("WARC-Refers-To", records[5].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode())])
    out["disagreeing provenance"] = warc(records[:6] + [bad_meta] + records[6:])
    # Corruption: a flipped byte inside a member, a bad CRC, junk between members, a cut-off end.
    flipped = bytearray(sound)
    flipped[sum(len(m) for m in members[:4]) + 30] ^= 0xFF
    out["flipped byte"] = bytes(flipped)
    crc = bytearray(sound)
    crc[sum(len(m) for m in members[:5]) - 6] ^= 0x01
    out["bad crc"] = bytes(crc)
    out["junk between members"] = b"".join(members[:5]) + b"junk!" * 3 + b"".join(members[5:])
    out["cut off"] = sound[: len(sound) - 20]
    # Records without digests (warnings), and several records in one member.
    out["no digests"] = warc([record("resource", f"r{n}".encode(), block_digest=None) for n in range(12)])
    out["records spanning members"] = (gzip_member(b"".join(records[:4])) + gzip_member(records[4][:40])
                                       + gzip_member(records[4][40:] + b"".join(records[5:])))
    # A Content-Length too large, running into the next members; a WARC stored in a resource's block (two records
    # of this archive quoted) whose Content-Length is one byte too large.
    header_end = records[3].index(b"\r\n\r\n")
    length = int(records[3][:header_end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
    overlong = records[3].replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + 300), 1)
    out["content length too large"] = warc(records[:3] + [overlong] + records[4:])
    quoted = b"".join(records[1:3])
    stored = record("resource", quoted, content_type="application/warc", content_length=len(quoted) + 1)
    out["warc quoted in a block"] = warc(records[:5] + [stored] + records[5:])
    return out
