"""Frozen value objects passed between the stages of the pipeline; no I/O here.

Those made per document get a quicker __init__ (`frozen.quick_init`); they are as frozen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .frozen import quick_init

ElisionKind = Literal["bracketed", "possible"]
FieldOrigin = Literal["text", "sidecar"]


@quick_init
@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input text and its optional sidecar, as found on disk."""

    name: str   # the document's name: the file's stem, its bytes read as UTF-8 whatever the locale (fsnames)
    text_path: Path
    sidecar_path: Path | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of the text, in code points and in UTF-8 bytes."""

    start: int
    end: int
    byte_start: int
    byte_end: int


@quick_init
@dataclass(frozen=True, slots=True)
class ParsedField:
    """A metadata value read from the text itself, with where it stood."""

    name: str
    value: str
    span: Span


@quick_init
@dataclass(frozen=True, slots=True)
class Document:
    """An excerpt: its exact bytes, its decoded text and what its layout says."""

    name: str
    raw: bytes
    text: str
    parsed: tuple[ParsedField, ...]
    header: Span | None
    body: Span
    trailer: Span | None
    newline: str
    has_bom: bool
    final_newline: bool


@quick_init
@dataclass(frozen=True, slots=True)
class Marker:
    """An elision marker or an editorial alteration found in the text."""

    text: str
    span: Span
    line: int
    column: int


@quick_init
@dataclass(frozen=True, slots=True)
class Elision:
    """An elision marker: bracketed (certain) or unbracketed (possible)."""

    marker: Marker
    kind: ElisionKind


@quick_init
@dataclass(frozen=True, slots=True)
class Segment:
    """A run of quoted text between elision markers, with its own digest."""

    index: int
    span: Span
    sha256: str


@quick_init
@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything found in one document's text."""

    elisions: tuple[Elision, ...]
    alterations: tuple[Marker, ...]
    segments: tuple[Segment, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class FieldValue:
    """A metadata field after merging the text's value with the sidecar's."""

    value: Any
    origin: FieldOrigin
    span: Span | None = None
    overridden: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Metadata:
    """Merged fields plus the sidecar exactly as given (JSON-ready)."""

    fields: dict[str, FieldValue]
    sidecar: dict[str, Any] | None
    sidecar_name: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class RecordSpec:
    """One WARC record, fully decided: nothing about it depends on the writer."""

    warc_type: str
    record_id: str
    target_uri: str | None
    content_type: str
    block: bytes
    payload_digest: bool
    extra_headers: tuple[tuple[str, str], ...] = ()
    payload_offset: int = 0
    """Where the payload starts in the block: after the HTTP head for request/response records."""
    block_sha256: str | None = None
    """The block's sha256 in hex when its builder computed it already; None: the writer computes it."""


@quick_init
@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What packaging one document produced."""

    name: str
    record_id: str
    sha256: str
    length_bytes: int
    elisions: int
    possible_elisions: int
    original: Literal["local", "fetched"] | None = None
    omitted_found: int = 0
    differences: int = 0
    segments_not_found: int = 0
    """Segments with words that alignment did not find in the original (0 without one): those `show` lists as
    not found; a document none of whose segments was found is also in PackageResult.unmatched."""


@quick_init
@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over the documents of a run, kept as they are written (reading 100,000 summaries back costs seconds)."""

    documents: int = 0
    text_bytes: int = 0
    elisions: int = 0
    possible_elisions: int = 0
    with_original: int = 0
    omitted_found: int = 0
    differences: int = 0
    segments_not_found: int = 0
    """Segments not found in their documents' originals, of every document aligned with one."""

    @classmethod
    def of(cls, summaries: Iterable[DocumentSummary]) -> Totals:
        """The totals of `summaries`."""
        documents = text_bytes = elisions = possible = with_original = omitted = differences = not_found = 0
        for summary in summaries:
            documents += 1
            text_bytes += summary.length_bytes
            elisions += summary.elisions
            possible += summary.possible_elisions
            with_original += summary.original is not None
            omitted += summary.omitted_found
            differences += summary.differences
            not_found += summary.segments_not_found
        return cls(documents, text_bytes, elisions, possible, with_original, omitted, differences, not_found)


@quick_init
@dataclass(frozen=True, slots=True)
class FetchFailure:
    """An original that could not be fetched; its document was packaged without it."""

    name: str
    url: str
    message: str


@quick_init
@dataclass(frozen=True, slots=True)
class UnalignedOriginal:
    """An original fetched and archived (its request and response records) but not aligned: it has no text, or
    the server answered with an error (`status` 4xx or 5xx: a 404, a 410, a 503), archived as received."""

    name: str
    url: str
    reason: str
    status: int | None = None
    """The final HTTP status (None: not known, an UnalignedOriginal made without it)."""


@quick_init
@dataclass(frozen=True, slots=True)
class UnmatchedOriginal:
    """An original aligned with its excerpt in which none of the excerpt's segments was found.

    Often a copy decoded in the wrong charset (a KOI8-R text read as windows-1252), or not the text
    quoted. `original` is the local copy's path as the sidecar gives it, or the URL fetched (`how`);
    `segments` counts the segments with words; `charset` is how its bytes were decoded, as the
    provenance's `original.charset` says it (a dict, left out of the hash: equal ones hash alike).
    """

    name: str
    how: Literal["local", "fetched"]
    original: str
    segments: int
    charset: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class PackageResult:
    """The outcome of `package`: where the archive is and what went into it."""

    warc_path: Path
    sha256_path: Path
    sha256: str
    size_bytes: int
    records: int
    documents: Sequence[DocumentSummary] = field(default_factory=tuple)
    fetch_failures: tuple[FetchFailure, ...] = field(default_factory=tuple)
    unaligned: tuple[UnalignedOriginal, ...] = field(default_factory=tuple)
    """Documents whose fetched original was archived without text to align against (a PDF, an image), or as the
    server's error answer (a 404, a 410: `status`); not fetch failures, since they are archived."""
    unmatched: tuple[UnmatchedOriginal, ...] = field(default_factory=tuple)
    """Documents aligned with an original in which none of their segments was found."""
    totals: Totals | None = None
    """Sums over `documents`; None: computed from them when asked."""
    removed_signatures: tuple[Path, ...] = ()
    """ARCHIVE.sig (and its .tsr) of the archive this run replaced, removed once the new one was in place: they
    signed other bytes. Kept, and not named here, when they sign the new archive's very bytes."""

    def summed(self) -> Totals:
        """Sums over the documents: `totals`, or (when it was not given) read from the summaries."""
        return self.totals if self.totals is not None else Totals.of(self.documents)

    @property
    def elisions(self) -> int:
        """Bracketed elision markers across all documents."""
        return self.summed().elisions

    @property
    def possible_elisions(self) -> int:
        """Unbracketed, possible elisions across all documents."""
        return self.summed().possible_elisions
