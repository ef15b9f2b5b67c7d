"""What `provpack verify` finds wrong with an archive: one `Problem` each, with a short stable kind."""

from __future__ import annotations

from dataclasses import dataclass

# Problem kinds (documented in docs/verify.md; stable, used in --json output).
TRUNCATED = "truncated"
BAD_GZIP = "bad-gzip"
JUNK = "junk"
BAD_VERSION = "bad-version"
MALFORMED_HEADER = "malformed-header"
MISSING_HEADER = "missing-header"
BAD_LENGTH = "bad-length"
DIGEST_MISMATCH = "digest-mismatch"
DUPLICATE_RECORD_ID = "duplicate-record-id"
SIDECAR_MISMATCH = "sidecar-mismatch"
BAD_SIDECAR = "bad-sidecar"
METADATA_MISMATCH = "metadata-mismatch"
MISSING_SIGNATURE = "missing-signature"  # verify --key: no ARCHIVE.sig
BAD_SIGNATURE = "bad-signature"  # verify --key: ARCHIVE.sig does not vouch for these bytes with this key
MISSING_TIMESTAMP = "missing-timestamp"  # verify --tsa-ca: no ARCHIVE.sig.tsr
BAD_TIMESTAMP = "bad-timestamp"  # verify --tsa-ca: the token does not date this .sig, or no trusted TSA made it
# Warning kinds: a record that cannot be checked. Problems only under --strict.
MISSING_DIGEST = "missing-digest"
UNKNOWN_DIGEST = "unknown-digest"

PROBLEM_KINDS = (
    TRUNCATED,
    BAD_GZIP,
    JUNK,
    BAD_VERSION,
    MALFORMED_HEADER,
    MISSING_HEADER,
    BAD_LENGTH,
    DIGEST_MISMATCH,
    DUPLICATE_RECORD_ID,
    SIDECAR_MISMATCH,
    BAD_SIDECAR,
    METADATA_MISMATCH,
    MISSING_SIGNATURE,
    BAD_SIGNATURE,
    MISSING_TIMESTAMP,
    BAD_TIMESTAMP,
)
WARNING_KINDS = (MISSING_DIGEST, UNKNOWN_DIGEST)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an archive: where (record offset, record id), what kind, and a message; for a corrupt
    gzip member after which reading skipped bytes unread to the next member (or the end of the file), the raw
    offsets [start, end) of those bytes (the message says them too)."""

    offset: int | None
    record_id: str | None
    kind: str
    message: str
    skipped: tuple[int, int] | None = None

    def to_json(self) -> dict[str, object]:
        """The problem as a JSON-ready dict."""
        skipped = self.skipped
        return {
            "offset": self.offset,
            "record_id": self.record_id,
            "kind": self.kind,
            "message": self.message,
            "skipped": None if skipped is None else {"from": skipped[0], "to": skipped[1],
                                                     "bytes": skipped[1] - skipped[0]},
        }
