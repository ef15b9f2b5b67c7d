"""`provpack verify --deep`: a provenance record compared with what provpack itself writes for its excerpt.

The excerpt is parsed and analysed again by provpack's own parser and analyser (document.py,
elisions.py), its fields merged with the record's `sidecar` (metadata.py) and described
(provenance.py); every key derivable from the excerpt must then be as written. This trusts
provpack's writer: it checks a record against what provpack would write, not an independent reading.
"""

from __future__ import annotations

import json
from typing import Any

from .document import parse_document
from .elisions import analyse
from .errors import ProvpackError
from .metadata import merge
from .provenance import describe

# Keys taken from the record itself (not derivable from the excerpt) or filled in by alignment with an original.
_GIVEN = frozenset({"generator", "name", "sidecar", "sidecar_file", "original", "differences", "out_of_order"})
_ALIGNED = frozenset({"omitted", "omitted_reason", "omitted_scope", "confirmed", "source_start", "source_end",
                      "in_order"})


def recompute(doc: dict[str, Any], block: bytes, *, record_id: str, target: str) -> list[str]:
    """Each key of `doc` that differs from what provpack writes for the excerpt `block`; one message per key."""
    try:
        document = parse_document(str(doc.get("name") or "excerpt"), block)
        sidecar = doc.get("sidecar")
        metadata = merge(document.parsed, sidecar if isinstance(sidecar, dict) else None,
                         sidecar_name=doc.get("sidecar_file") if isinstance(doc.get("sidecar_file"), str) else None)
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
            out.append(f"--deep: {key} is {_short(value)} but provpack reads the excerpt as {_short(want)}")
    return out


_MISSING: Any = object()


def _canonical(value: Any) -> str:
    """Equal JSON values give equal strings, and only they (true is not 1, 1 is not 1.0)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _short(value: Any, limit: int = 160) -> str:
    text = _canonical(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
