"""Provpack-style WARCs written with warcio, following docs/format.md, for tests."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provpack._version import __version__

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:provpack")
DATE = "2017-11-12T00:00:00Z"


@dataclass(frozen=True)
class Doc:
    """One excerpt: its name, exact bytes, optional published URL and titles."""

    name: str
    text: bytes
    url: str | None = None
    title: str | None = None
    field_title: str | None = None

    @property
    def target(self) -> str:
        """WARC-Target-URI: the URL, else the content URN."""
        return self.url or f"urn:provpack:sha256:{hashlib.sha256(self.text).hexdigest()}"


@dataclass(frozen=True)
class Capture:
    """An original fetched over HTTP: request, response and its extracted text."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"


DOCS = (
    Doc(
        "000_8dbb4f68ea601904",
        "12 November 2017\n\nThe Atlantic: Al-Qaeda Has Rebuilt Itself\u2014With Iran\u2019s Help\n\n"
        "Our research reveals [...] that a door was opened.\n".encode(),
        field_title="The Atlantic: Al-Qaeda Has Rebuilt Itself\u2014With Iran\u2019s Help",
    ),
    Doc(
        "001_quote",
        b"A quoted passage. [...] And the rest, with CRLF.\r\nSecond line.\r\n",
        url="https://www.Example.org/articles/2017/quote?b=2&a=1",
        title="Example article (d\u00e9j\u00e0 vu)",
        field_title="Not this one",
    ),
    Doc(
        "002_plain",
        "Caf\u00e9 \u2026 no title here\n".encode(),
        url="http://example.com/plain",
    ),
)


def sha256_label(data: bytes) -> str:
    """`sha256:<hex>` of `data`."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def record_id(role: str, name: str, target: str, block: bytes) -> str:
    """Deterministic record id, as docs/format.md describes."""
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, '|'.join((role, name, target, sha256_label(block))))}>"


class _Writer(WARCWriter):  # type: ignore[misc]
    """warcio writer that adds no payload digest to warcinfo and metadata records."""

    def ensure_digest(self, record: Any, block: bool = True, payload: bool = True) -> None:
        if record.rec_type in ("warcinfo", "metadata"):
            payload = False
        super().ensure_digest(record, block=block, payload=payload)


def provenance(doc: Doc, rid: str) -> bytes:
    """The metadata record's block: a trimmed provpack-provenance/1 JSON."""
    text = doc.text.decode("utf-8")
    data: dict[str, Any] = {
        "@context": {
            "@vocab": "urn:provpack:terms:",
            "dcterms": "http://purl.org/dc/terms/",
            "oa": "http://www.w3.org/ns/oa#",
            "prov": "http://www.w3.org/ns/prov#",
        },
        "@id": doc.target,
        "@type": "prov:Entity",
        "alterations": [],
        "differences": [],
        "elisions": [],
        "fields": {},
        "format": "provpack-provenance/1",
        "generator": f"provpack {__version__}",
        "length_bytes": len(doc.text),
        "length_chars": len(text),
        "name": doc.name,
        "record_id": rid,
        "segments": [],
        "sha256": hashlib.sha256(doc.text).hexdigest(),
        "sidecar": None,
    }
    if doc.title is not None:
        data["dcterms:title"] = doc.title
    if doc.field_title is not None:
        data["fields"]["title"] = {"from": "text", "span": None, "byte_span": None, "value": doc.field_title}
    return (json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def write_provpack_warc(
    path: Path,
    docs: Sequence[Doc] = DOCS,
    *,
    date: str = DATE,
    captures: Sequence[Capture] = (),
) -> Path:
    """Write warcinfo, then resource + metadata per doc, then request/response/conversion per capture."""
    with open(path, "wb") as out:
        writer = _Writer(out, gzip=True, warc_version="1.1")

        def write(
            rec_type: str,
            target: str | None,
            body: bytes,
            content_type: str,
            headers: dict[str, str],
            *,
            http: StatusAndHeaders | None = None,
            payload_digest: bool = True,
        ) -> None:
            block = body
            if http is not None:
                http.compute_headers_buffer(None)
                block = http.headers_buff + body
            warc_headers = {"WARC-Date": date, "WARC-Block-Digest": sha256_label(block), **headers}
            if payload_digest:
                warc_headers["WARC-Payload-Digest"] = sha256_label(body)
            record = writer.create_warc_record(
                target or "",
                rec_type,
                payload=BytesIO(body),
                length=len(body),
                warc_content_type=content_type,
                warc_headers_dict=warc_headers,
                http_headers=http,
            )
            writer.write_record(record)

        info = (
            f"software: provpack {__version__}\r\nformat: WARC File Format 1.1\r\n"
            "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
            "description: test archive\r\n"
        ).encode()
        write(
            "warcinfo", None, info, "application/warc-fields",
            {"WARC-Record-ID": record_id("warcinfo", "", "", info), "WARC-Filename": path.name},
            payload_digest=False,
        )
        for doc in sorted(docs, key=lambda d: d.name):
            rid = record_id("excerpt", doc.name, doc.target, doc.text)
            write("resource", doc.target, doc.text, "text/plain; charset=utf-8", {"WARC-Record-ID": rid})
            meta = provenance(doc, rid)
            write(
                "metadata", None, meta, "application/ld+json",
                {"WARC-Record-ID": record_id("provenance", doc.name, doc.target, meta),
                 "WARC-Refers-To": rid, "WARC-Concurrent-To": rid},
                payload_digest=False,
            )
        for capture in captures:
            host = capture.url.split("/")[2]
            request = StatusAndHeaders("GET /" + capture.url.split("/", 3)[-1] + " HTTP/1.1",
                                       [("Host", host), ("User-Agent", f"provpack/{__version__}")],
                                       is_http_request=True)
            response = StatusAndHeaders(capture.status, [("Content-Type", capture.content_type),
                                                         ("Content-Length", str(len(capture.body)))],
                                        protocol="HTTP/1.1")
            response_id = record_id("response", "", capture.url, capture.body)
            write("response", capture.url, capture.body, "application/http; msgtype=response",
                  {"WARC-Record-ID": response_id}, http=response)
            write("request", capture.url, b"", "application/http; msgtype=request",
                  {"WARC-Record-ID": record_id("request", "", capture.url, b""),
                   "WARC-Concurrent-To": response_id}, http=request)
            text = capture.body.decode("utf-8", "replace").encode()
            write("conversion", capture.url, text, "text/plain; charset=utf-8",
                  {"WARC-Record-ID": record_id("conversion", "", capture.url, text),
                   "WARC-Refers-To": response_id})
    return path
