"""Document + analysis + metadata -> the WARC records that describe it; deterministic.

Record ids are UUIDv5 over (role, name, target URI, block digest), the name a document's
(or, for an original's records, what tells one from another record of the same bytes: see
original.py), so the same input always gives the same ids; nothing here reads a clock or a file.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from ._version import __version__
from .errors import InputError
from .iri import as_uri
from .model import Analysis, Document, Metadata, RecordSpec
from .provenance import AlignedOriginal, describe_json

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:provpack")
WARC_FORMAT = "WARC File Format 1.1"
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
DEFAULT_DESCRIPTION = "Quoted excerpts with their elision markers and provenance, packaged by provpack"
TEXT_TYPE = "text/plain; charset=utf-8"
JSONLD_TYPE = "application/ld+json"
# C0 and C1 controls (NEL among them) and U+2028/U+2029: line breaks to str.splitlines and Unicode-aware readers
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def record_id(role: str, name: str, target: str | None, block_sha256: str) -> str:
    """A WARC-Record-ID that depends only on what the record is and holds."""
    key = "\n".join((role, name, target or "", block_sha256))
    return f"<urn:uuid:{_uuid5(_NAMESPACE_BYTES, key)}>"


def uuid5(namespace: uuid.UUID, name: str) -> str:
    """str(uuid.uuid5(namespace, name)), without building UUID objects (a few times faster)."""
    return _uuid5(namespace.bytes, name)


_NAMESPACE_BYTES = NAMESPACE.bytes   # UUID.bytes builds them anew at each call
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}   # RFC 4122: 10xx


def _uuid5(namespace: bytes, name: str) -> str:
    """uuid5 from the namespace's 16 bytes, spelled from the SHA-1's hex digits (version 5 replaces the 13th)."""
    hexed = hashlib.sha1(namespace + name.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{hexed[:8]}-{hexed[8:12]}-5{hexed[13:16]}-{_VARIANT[hexed[16]]}{hexed[17:20]}-{hexed[20:32]}"


def header_value(value: str, *, what: str) -> str:
    """`value`, refused when it holds CR, LF, other C0 or C1 control characters or U+2028/9 (no header injection)."""
    if _UNSAFE_HEADER.search(value):
        raise InputError(what, f"control character in a WARC header value: {value[:80]!r}",
                         fix="remove line breaks and control characters")
    return value


def uri_value(value: str, *, what: str) -> str:
    """`value` (a URI or an IRI) as the URI a WARC header takes (see iri.as_uri); InputError if it cannot be."""
    header_value(value, what=what)
    try:
        return as_uri(value)
    except ValueError as exc:
        raise InputError(what, str(exc), fix="check the address") from exc


def warcinfo_record(filename: str, *, description: str | None = None, operator: str | None = None) -> RecordSpec:
    """The warcinfo record that opens every archive."""
    lines = [
        ("software", f"provpack/{__version__}"),
        ("format", WARC_FORMAT),
        ("conformsTo", CONFORMS_TO),
        ("description", description or DEFAULT_DESCRIPTION),
    ]
    if operator:
        lines.append(("operator", operator))
    block = "".join(f"{key}: {header_value(value, what=key)}\r\n" for key, value in lines).encode("utf-8")
    digest = hashlib.sha256(block).hexdigest()
    name = header_value(filename, what="output file name")
    return RecordSpec(
        warc_type="warcinfo",
        record_id=record_id("warcinfo", name, None, digest),
        target_uri=None,
        content_type="application/warc-fields",
        block=block,
        payload_digest=False,
        extra_headers=(("WARC-Filename", name),),
    )


def excerpt_target(document: Document, metadata: Metadata, *, text_sha256: str | None = None) -> str:
    """Where the excerpt was published (sidecar `url`), else a URN of its content; never a path."""
    url = metadata.fields.get("url")
    if url is not None and url.origin == "sidecar":
        return uri_value(str(url.value), what=f"{document.name}: url")
    return f"urn:provpack:sha256:{text_sha256 or hashlib.sha256(document.raw).hexdigest()}"


def document_records(document: Document, analysis: Analysis, metadata: Metadata, *,
                     original: AlignedOriginal | None = None,
                     unaligned_original: dict[str, Any] | None = None) -> tuple[RecordSpec, RecordSpec]:
    """The excerpt's resource record and the metadata record describing it (`describe` says what the originals are)."""
    text_sha256 = hashlib.sha256(document.raw).hexdigest()
    target = excerpt_target(document, metadata, text_sha256=text_sha256)
    resource_id = record_id("excerpt", document.name, target, text_sha256)
    resource = RecordSpec(
        warc_type="resource",
        record_id=resource_id,
        target_uri=target,
        content_type=TEXT_TYPE,
        block=document.raw,
        payload_digest=True,
        block_sha256=text_sha256,
    )
    block = describe_json(document, analysis, metadata, target_uri=target, record_id=resource_id,
                          sha256=text_sha256, original=original, unaligned_original=unaligned_original)
    block_sha256 = hashlib.sha256(block).hexdigest()
    provenance = RecordSpec(
        warc_type="metadata",
        record_id=record_id("provenance", document.name, target, block_sha256),
        target_uri=None,
        content_type=JSONLD_TYPE,
        block=block,
        payload_digest=False,
        extra_headers=(("WARC-Refers-To", resource_id), ("WARC-Concurrent-To", resource_id)),
        block_sha256=block_sha256,
    )
    return resource, provenance
