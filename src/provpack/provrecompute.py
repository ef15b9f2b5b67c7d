"""`provpack verify --deep`: a provenance record compared with what provpack itself writes for its excerpt.

The excerpt is parsed and analysed again by provpack's own parser and analyser (document.py,
elisions.py), its fields merged with the record's `sidecar` (metadata.py) and described
(provenance.py); every key derivable from the excerpt must then be as written. With an original,
`realign` aligns the excerpt with the original's extracted text again (align.py), and every
alignment key must be as written; `reextract` extracts that text from the original's source record
again (htmltext.py), for origcheck to compare with the conversion record's. This trusts provpack's writer: it checks a record against what
provpack would write, not an independent reading.
"""

from __future__ import annotations

import json
from typing import Any

from .defaults import MAX_FETCH_BYTES
from .document import parse_document
from .elisions import analyse
from .errors import ProvpackError
from .metadata import merge
from .provenance import describe
from .records import excerpt_target

# Keys taken from the record itself (not derivable from the excerpt) or filled in by alignment with an original.
_GIVEN = frozenset({"generator", "name", "sidecar", "sidecar_file", "original", "differences", "out_of_order"})
_ALIGNED = frozenset({"omitted", "omitted_reason", "omitted_scope", "confirmed", "source_start", "source_end",
                      "in_order"})


def recompute(doc: dict[str, Any], block: bytes, *, record_id: str) -> list[str]:
    """Each key of `doc` that differs from what provpack writes for the excerpt `block`; one message per key.

    The excerpt's target (`@id`, each annotation's `oa:hasSource`) is derived as `package` derives
    it: the record's sidecar `url`, else the content URN of `block` (records.excerpt_target)."""
    try:
        document = parse_document(str(doc.get("name") or "excerpt"), block)
        sidecar = doc.get("sidecar")
        metadata = merge(document.parsed, sidecar if isinstance(sidecar, dict) else None,
                         sidecar_name=doc.get("sidecar_file") if isinstance(doc.get("sidecar_file"), str) else None)
        target = excerpt_target(document, metadata)
        expected = describe(document, analyse(document), metadata, target_uri=target, record_id=record_id,
                            sha256=str(doc.get("sha256")))
    except ProvpackError as exc:
        return [f"--deep: provpack cannot read the excerpt as an excerpt ({exc})"]
    expected = json.loads(json.dumps(expected))   # as a reader sees it: tuples made lists
    out: list[str] = []
    for key in sorted(set(expected) | set(doc)):
        if key in _GIVEN:
            continue
        if key not in expected:
            if not key.startswith("_"):
                out.append(f"--deep: {key} is not a key provpack writes for this excerpt")
            continue
        value = doc.get(key, _MISSING)
        want = expected[key]
        if key in ("elisions", "segments") and isinstance(value, list):
            value = [{k: v for k, v in item.items() if k not in _ALIGNED} if isinstance(item, dict) else item
                     for item in value]
            want = [{k: v for k, v in item.items() if k not in _ALIGNED} for item in want]
        if value is _MISSING:
            out.append(f"--deep: {key} is missing; provpack writes {_short(want)}")
        elif _canonical(value) != _canonical(want):
            shown, wanted = _differing(value, want)
            out.append(f"--deep: {key} is {shown} but provpack reads the excerpt as {wanted}")
    return out


_MISSING: Any = object()


def realign(doc: dict[str, Any], block: bytes, original_text: str) -> list[str]:
    """Each alignment key of `doc` (segments' sources, elisions' omitted passages, differences,
    out_of_order) that differs from aligning the excerpt `block` with the original's extracted text
    `original_text` again, as `package` aligns it; one message per key."""
    from .align import align
    from .provenance import AlignedOriginal, add_alignment

    original = doc.get("original")
    if not isinstance(original, dict):
        return []
    try:
        document = parse_document(str(doc.get("name") or "excerpt"), block)
        analysis = analyse(document)
        alignment = align(document.text, [(s.span.start, s.span.end) for s in analysis.segments],
                          [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions],
                          original_text, quoted=(document.body.start, document.body.end))
    except (ProvpackError, ValueError) as exc:
        return [f"--deep: provpack cannot align the excerpt with the original again ({exc})"]
    expected: dict[str, Any] = {"segments": [{} for _ in analysis.segments],
                                "elisions": [{} for _ in analysis.elisions]}
    add_alignment(expected, AlignedOriginal(
        description=original, text=original_text, target_uri=str(original.get("target_uri")),
        conversion_record_id=str(original.get("conversion_record_id")), alignment=alignment))
    expected = json.loads(json.dumps(expected))
    out: list[str] = []
    for key in ("segments", "elisions"):
        written = doc.get(key)
        if not isinstance(written, list) or len(written) != len(expected[key]):
            continue   # (said by recompute)
        for index, (item, want) in enumerate(zip(written, expected[key])):
            for name, value in want.items():
                got = item.get(name, _MISSING) if isinstance(item, dict) else _MISSING
                out += _aligned_again(f"{key}[{index}].{name}", got, value)
    for key in ("differences", "out_of_order"):
        out += _aligned_again(key, doc.get(key, _MISSING), expected[key])
    return out


def reextract(how: str, block: bytes, content_type: object, content_encoding: object) -> tuple[str, str, Any] | str:
    """The text, scope and charset (as JSON) provpack extracts from an original's source record `block`, as
    `package` extracts them (original.py): a local copy's bytes, or a fetched response's body after its HTTP
    head with its Content-Encoding undone, read as `content_type` says (each as the provenance record gives
    it); or why it extracts none."""
    from .htmltext import extract_text
    from .httpbytes import decode_body, split_message

    try:
        if how == "fetched":
            body = decode_body(split_message(block)[1], content_encoding if isinstance(content_encoding, str) else None,
                               max_bytes=MAX_FETCH_BYTES)
        else:
            body = block
        extraction = extract_text(body, content_type=content_type if isinstance(content_type, str) else None)
    except ValueError as exc:
        return str(exc)
    return extraction.text, extraction.scope, extraction.charset.to_json()


def _aligned_again(where: str, value: Any, want: Any) -> list[str]:
    if value is _MISSING:
        return [f"--deep: {where} is missing; aligning the excerpt with the original again gives {_short(want)}"]
    if _canonical(value) != _canonical(want):
        shown, wanted = _differing(value, want)
        return [f"--deep: {where} is {shown} but aligning the excerpt with the original again gives {wanted}"]
    return []


def _canonical(value: Any) -> str:
    """Equal JSON values give equal strings, and only they (true is not 1, 1 is not 1.0)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _short(value: Any, limit: int = 160) -> str:
    text = _canonical(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


DIFFERENCE_CONTEXT = 40   # characters shown before where two values' JSON first differ, when they are cut


def _differing(value: Any, want: Any, limit: int = 160) -> tuple[str, str]:
    """Two values that differ as JSON, each cut to `limit` characters (with the "..." that mark a cut) around where
    they first differ, from DIFFERENCE_CONTEXT characters before it, in both at the same place: cut at the same
    start, two long values that differ past it read the same."""
    text, other = _canonical(value), _canonical(want)
    if len(text) <= limit and len(other) <= limit:
        return text, other
    at = next((index for index, (mine, theirs) in enumerate(zip(text, other)) if mine != theirs),
              min(len(text), len(other)))
    start = max(0, at - DIFFERENCE_CONTEXT)
    return _around(text, start, limit), _around(other, start, limit)


def _around(text: str, start: int, limit: int) -> str:
    """`text` from `start`, cut to `limit` characters with the "..." that mark each cut."""
    if len(text) <= limit and start == 0:
        return text
    head = "..." if start else ""
    room = limit - len(head)
    piece = text[start:]
    return head + (piece if len(piece) <= room else piece[: room - 3] + "...")
