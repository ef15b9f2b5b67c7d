"""Document + analysis + metadata -> the JSON-LD provenance description (W3C PROV-O, Web Annotation).

The JSON is serialised with sorted keys, no insignificant white space and integers
only, so that the same input always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import fastjson
from ._version import __version__
from .errors import InputError
from .iri import as_uri
from .model import Analysis, Document, Elision, FieldValue, Marker, Metadata, Span

if TYPE_CHECKING:   # only runs with originals align; the rest need not import it
    from .align import Alignment, ElisionMatch

_orjson: Any = fastjson.orjson   # (None: the standard library's json writes the same bytes)

FORMAT = "provpack-provenance/1"
# JSON-LD 1.1 (its default processing mode; no "@version": 1.1, which would be the one float in
# the record): `sidecar` is the user's own data, one JSON literal (its keys are not read as terms,
# so an "@context" or "@id" in it can neither make a processor fetch a URL nor add statements about
# the excerpt); [start, end] pairs and the redirect chain are ordered lists, not sets of values.
_ORDERED: dict[str, str] = {"@container": "@list"}
CONTEXT: dict[str, Any] = {
    "@vocab": "urn:provpack:terms:",
    "body": _ORDERED,
    "byte_span": _ORDERED,
    "dcterms": "http://purl.org/dc/terms/",
    "exchanges": _ORDERED,
    "header": _ORDERED,
    "oa": "http://www.w3.org/ns/oa#",
    "oa:end": {"@type": "xsd:nonNegativeInteger"},   # (as W3C's own anno.jsonld types them)
    "oa:start": {"@type": "xsd:nonNegativeInteger"},
    "out_of_order": _ORDERED,
    "prov": "http://www.w3.org/ns/prov#",
    "sidecar": {"@type": "@json"},
    "span": _ORDERED,
    "trailer": _ORDERED,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_SORTED = 0 if _orjson is None else _orjson.OPT_SORT_KEYS | _orjson.OPT_APPEND_NEWLINE
# CONTEXT as orjson writes it within a description (sorted keys, compact), for describe_json to include as it is.
_CONTEXT_JSON = None if _orjson is None else _orjson.Fragment(_orjson.dumps(CONTEXT, option=_orjson.OPT_SORT_KEYS))
QUOTE_CONTEXT = 32
# (field, term), in the order of the terms
_DCTERMS = (("published", "dcterms:date"), ("license", "dcterms:license"), ("title", "dcterms:title"))
_SOURCE_DCTERMS = (("author", "dcterms:creator"), ("published", "dcterms:date"), ("publication", "dcterms:publisher"),
                   ("title", "dcterms:title"))   # and source_url, the source's @id


@dataclass(frozen=True, slots=True)
class AlignedOriginal:
    """An original in the archive and how the excerpt aligns with its extracted text."""

    description: dict[str, Any]
    text: str
    target_uri: str
    conversion_record_id: str
    alignment: Alignment


def describe(
    document: Document,
    analysis: Analysis,
    metadata: Metadata,
    *,
    target_uri: str,
    record_id: str,
    sha256: str,
    original: AlignedOriginal | None = None,
    unaligned_original: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance description of one excerpt, ready to serialise.

    `unaligned_original`: the description of an original archived without text to align
    against; it becomes `original`, and nothing is aligned (as without an original).
    """
    fields = metadata.fields
    # Every dict is built with its keys in sorted order, so that describe_json's orjson need not sort them.
    field_entries = {name: _field(value) for name, value in sorted(fields.items())}
    source: dict[str, Any] | None = None
    source_terms = {term: fields[name].value for name, term in _SOURCE_DCTERMS if name in fields}
    source_url = fields.get("source_url")
    if source_url is not None or source_terms:   # the IRI as the URI its original's records name (iri.py)
        source = {"@id": _source_uri(source_url.value)} if source_url is not None else {}
        source["@type"] = "prov:Entity"
        source.update(source_terms)
    description: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": target_uri,
        "@type": "prov:Entity",
        "alterations": [_marker(m) for m in analysis.alterations],
    }
    for name, term in _DCTERMS:
        if name in fields:
            description[term] = fields[name].value
    description.update({
        "differences": [],
        "elisions": [_annotation(document.text, e, target_uri, record_id) for e in analysis.elisions],
        "fields": field_entries,
        "format": FORMAT,
        "generator": f"provpack {__version__}",
        "length_bytes": len(document.raw),
        "length_chars": len(document.text),
        "name": document.name,
        "original": None,
        "parts": {"body": _pair(document.body), "header": _pair(document.header),
                  "trailer": _pair(document.trailer)},
    })
    if source is not None:
        description["prov:wasQuotedFrom"] = source
    description.update({
        "record_id": record_id,
        "segments": [
            {"byte_end": s.span.byte_end, "byte_start": s.span.byte_start, "end": s.span.end, "index": s.index,
             "sha256": s.sha256, "start": s.span.start} for s in analysis.segments
        ],
        "sha256": sha256,
        "sidecar": metadata.sidecar,
        "sidecar_file": metadata.sidecar_name,
        "text": {"bom": document.has_bom, "encoding": "utf-8", "final_newline": document.final_newline,
                 "newline": document.newline},
    })
    if original is not None:
        add_alignment(description, original)
    elif unaligned_original is not None:
        description["original"] = unaligned_original
    return description


def add_alignment(description: dict[str, Any], original: AlignedOriginal) -> None:
    """Fill in `original`, each elision's `omitted`, segment sources and `differences`."""
    alignment = original.alignment
    description["original"] = original.description
    for entry, match in zip(description["segments"], alignment.segments):
        entry.update({"source_start": match.source_start, "source_end": match.source_end,
                      "in_order": match.in_order})
    for entry, elision in zip(description["elisions"], alignment.elisions):
        entry["omitted"] = _omitted(elision, original)
        entry["omitted_reason"] = elision.reason
        entry["omitted_scope"] = elision.scope
        entry["confirmed"] = elision.confirmed
    description["differences"] = [d.to_json() for d in alignment.differences]
    description["out_of_order"] = [list(pair) for pair in alignment.out_of_order]


def _omitted(elision: ElisionMatch, original: AlignedOriginal) -> dict[str, Any] | None:
    """The omitted passage with Web Annotation selectors into the conversion record's text."""
    passage = elision.omitted
    if passage is None:
        return None
    text = original.text
    return {
        "text": passage.text,
        "start": passage.start,
        "end": passage.end,
        "record_id": original.conversion_record_id,
        "oa:hasSource": {"@id": original.target_uri},
        "oa:hasSelector": [
            {"@type": "oa:TextPositionSelector", "oa:start": passage.start, "oa:end": passage.end},
            {"@type": "oa:TextQuoteSelector", "oa:exact": passage.text,
             "oa:prefix": text[max(0, passage.start - QUOTE_CONTEXT):passage.start],
             "oa:suffix": text[passage.end:passage.end + QUOTE_CONTEXT]},
        ],
    }


def describe_json(
    document: Document,
    analysis: Analysis,
    metadata: Metadata,
    *,
    target_uri: str,
    record_id: str,
    sha256: str,
    original: AlignedOriginal | None = None,
    unaligned_original: dict[str, Any] | None = None,
) -> bytes:
    """`to_json_bytes(describe(...))`, looking for floats only where they can be: the sidecar and field values."""
    description = describe(document, analysis, metadata, target_uri=target_uri, record_id=record_id,
                           sha256=sha256, original=original, unaligned_original=unaligned_original)
    if original is not None or unaligned_original is not None:
        return to_json_bytes(description)
    suspects: list[Any] = [metadata.sidecar]
    for value in metadata.fields.values():
        if type(value.value) is not str or value.overridden is not None:   # str and None are plain
            suspects.append((value.value, value.overridden))
    if _CONTEXT_JSON is not None and _plain(suspects):
        # orjson sorts no keys unless the sidecar's own dicts or values are in: describe builds every other
        # dict with its keys in order. The context, the same in every description, goes in as the bytes it gives.
        description["@context"] = _CONTEXT_JSON
        try:
            own_only = metadata.sidecar is None and len(suspects) == 1   # (every field value a str)
            encoded: bytes = _orjson.dumps(description, option=_orjson.OPT_APPEND_NEWLINE if own_only else _SORTED)
            return encoded
        except (TypeError, ValueError):
            description["@context"] = CONTEXT   # what orjson refuses (integers beyond 64 bits, surrogates): json decides
    return to_json_bytes(description, check=suspects)


def to_json_bytes(description: dict[str, Any], *, check: Sequence[Any] | None = None) -> bytes:
    """Canonical bytes: sorted keys, compact separators, UTF-8, one final newline.

    orjson, when installed, writes the same bytes as the standard library's json
    several times faster, for plain values; floats (orjson spells exponents
    differently) and any other type go through json. `check`: the only values
    that may not be plain, when the caller knows the rest is.
    """
    if _orjson is not None and _plain([description] if check is None else check):
        try:
            encoded: bytes = _orjson.dumps(description, option=_SORTED)
            return encoded
        except (TypeError, ValueError):
            pass  # what orjson refuses (integers beyond 64 bits, surrogates, non-str keys): json decides
    return (json.dumps(description, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                       allow_nan=False) + "\n").encode("utf-8")


_PLAIN_LEAVES = frozenset((str, int, bool, type(None)))


def _plain(value: Any) -> bool:
    """Whether `value` holds only dicts, lists, tuples, str, int, bool and None: no float, nothing else."""
    stack = [value]
    while stack:
        item = stack.pop()
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind in _PLAIN_LEAVES:
                continue
            if kind is dict or kind is list or kind is tuple:
                stack.append(child)
                continue
            return False
    return True


def _pair(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start, span.end]


def _source_uri(value: Any) -> Any:
    """The source_url as the URI its original's records name (iri.py); InputError if it has none (load_sidecar
    refuses such a value first, so only a record's sidecar, as verify --deep reads it, gets here)."""
    if type(value) is not str:
        return value
    try:
        return as_uri(value)
    except ValueError as exc:
        raise InputError("source_url", str(exc), fix="check the address") from exc


def _field(value: FieldValue) -> dict[str, Any]:
    span = value.span
    if value.overridden is not None:
        return {"byte_span": None if span is None else [span.byte_start, span.byte_end], "from": value.origin,
                "overridden": value.overridden, "span": None if span is None else [span.start, span.end],
                "value": value.value}
    return {"byte_span": None if span is None else [span.byte_start, span.byte_end], "from": value.origin,
            "span": None if span is None else [span.start, span.end], "value": value.value}


def _marker(marker: Marker) -> dict[str, Any]:
    span = marker.span
    return {"byte_end": span.byte_end, "byte_start": span.byte_start, "column": marker.column, "end": span.end,
            "line": marker.line, "marker": marker.text, "start": span.start}


def _annotation(text: str, elision: Elision, target_uri: str, record_id: str) -> dict[str, Any]:
    marker = elision.marker
    span = marker.span
    start, end = span.start, span.end
    return {
        # Web Annotation Data Model 3.1: an Annotation MUST have one IRI. The excerpt record's id (one per
        # text and target: two documents of the same text published at two addresses differ) and the
        # marker's first character; the same whenever the same document is packaged.
        "@id": f"{record_id.strip('<>')}#elision-{start}",
        "@type": "oa:Annotation",
        "byte_end": span.byte_end, "byte_start": span.byte_start, "column": marker.column, "end": end,
        "kind": elision.kind, "line": marker.line, "marker": marker.text,
        "oa:hasTarget": {
            "oa:hasSelector": [
                {"@type": "oa:TextPositionSelector", "oa:end": end, "oa:start": start},
                {"@type": "oa:TextQuoteSelector", "oa:exact": marker.text,
                 "oa:prefix": text[max(0, start - QUOTE_CONTEXT):start],
                 "oa:suffix": text[end:end + QUOTE_CONTEXT]},
            ],
            "oa:hasSource": {"@id": target_uri},
        },
        "oa:motivatedBy": {"@id": "oa:describing"},
        "omitted": None,
        "start": start,
    }
