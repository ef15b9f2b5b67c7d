"""WARC digest header values: labels as seen in the wild, values in base32, base16 or base64."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from .typos import folded, one_edit

HashFactory = Callable[..., Any]

# Normalised label (lower case, "-" and "_" removed) -> (canonical name, hashlib constructor).
_ALGORITHMS: dict[str, tuple[str, HashFactory]] = {
    "md5": ("md5", hashlib.md5),
    "sha1": ("sha1", hashlib.sha1),
    "sha224": ("sha224", hashlib.sha224),
    "sha256": ("sha256", hashlib.sha256),
    "sha384": ("sha384", hashlib.sha384),
    "sha512": ("sha512", hashlib.sha512),
    "sha3224": ("sha3-224", hashlib.sha3_224),
    "sha3256": ("sha3-256", hashlib.sha3_256),
    "sha3384": ("sha3-384", hashlib.sha3_384),
    "sha3512": ("sha3-512", hashlib.sha3_512),
    # BLAKE2 at its full size (hashlib's default, and warcio's through hashlib.new): blake2b 64 bytes, blake2s 32.
    "blake2b": ("blake2b", hashlib.blake2b),
    "blake2s": ("blake2s", hashlib.blake2s),
    # The multihash (and OpenSSL 3) names of SHA-2, which hashlib.new and so warcio accept too.
    "sha2224": ("sha224", hashlib.sha224),
    "sha2256": ("sha256", hashlib.sha256),
    "sha2384": ("sha384", hashlib.sha384),
    "sha2512": ("sha512", hashlib.sha512),
}
FACTORIES: dict[str, HashFactory] = {name: factory for name, factory in _ALGORITHMS.values()}
_SIZES = {name: factory().digest_size for name, factory in FACTORIES.items()}
# Lengths of a value per encoding, without "=" padding: name -> (base16, base32, base64).
_LENGTHS = {name: (2 * size, -(-size * 8 // 5), -(-size * 4 // 3)) for name, size in _SIZES.items()}
_B32_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz"
_B16_CHARS = b"0123456789abcdefABCDEF"


def _b32_table() -> bytes:
    """Translate table from base32 (A-Z, 2-7, any case) to int(..., 32) digits; other bytes to "!"."""
    table = bytearray(b"!" * 256)
    for digit, char in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"):
        target = ord("0123456789ABCDEFGHIJKLMNOPQRSTUV"[digit])
        table[ord(char)] = target
        table[ord(char.lower())] = target
    return bytes(table)


_B32_BYTES = _b32_table()
_label_cache: dict[str, str | None] = {}
_UNKNOWN = object()
LABELS: dict[bytes, str | None] = {}  # labels as written -> canonical algorithm name (None: unknown), as seen


class DigestClaim(NamedTuple):
    """One `WARC-*-Digest` header value: what the record says its digest is."""

    header: str  # "WARC-Block-Digest" or "WARC-Payload-Digest"
    label: str  # the label as written, e.g. "sha-256"
    algorithm: str | None  # canonical name ("sha256"), None when the label is unknown
    value: str  # the value as written

    @property
    def raw(self) -> str:
        """The header value as written."""
        return f"{self.label}:{self.value}" if self.label else self.value


def algorithm_for(label: str) -> str | None:
    """Canonical algorithm name for a label in any spelling (`SHA-1`, `sha256`, `sha_512`), or None."""
    try:
        return _label_cache[label]
    except KeyError:
        pass
    known = _ALGORITHMS.get(label.strip().lower().replace("-", "").replace("_", ""))
    name = known[0] if known else None
    if len(_label_cache) < 256:
        _label_cache[label] = name
    return name


def split_value(raw: bytes) -> tuple[str | None, bytes, bytes]:
    """A digest header value as (algorithm or None when unknown, value without the label, raw)."""
    label, sep, value = raw.partition(b":")
    if not sep:
        return None, raw, raw
    algorithm = LABELS.get(label, _UNKNOWN)
    if algorithm is _UNKNOWN:
        algorithm = algorithm_for(label.decode("ascii", "replace"))
        if len(LABELS) < 256:
            LABELS[label] = algorithm
    return algorithm, value.strip(), raw  # type: ignore[return-value]


_LABEL_CHARS = re.compile(rb"[A-Za-z0-9_-]+")
# Real algorithms one edit away from a known one: unknown here, but not a damaged label.
_REAL_NEIGHBOURS = frozenset({"md2", "md4", "md6", "sha0", "sha2", "sha3", "sha256d", "blake2", "blake3"})
QUOTED = 16  # characters of a label quoted in a message


def quote(text: bytes) -> str:
    """A label (or the start of a value) quoted for a message, shortened to QUOTED characters."""
    shown = text.decode("ascii", "replace")
    return repr(shown if len(shown) <= QUOTED else shown[:QUOTED] + "…")


def fault(raw: bytes) -> str | None:
    """Why a digest header value with no known algorithm is damaged, not of an algorithm provpack does not
    know (its record then fails, never is a mere warning); None for a sound `label:value` of another
    algorithm. Quotes only the label, shortened."""
    return fault_and_neighbours(raw)[0]


def fault_and_neighbours(raw: bytes) -> tuple[str | None, tuple[str, ...]]:
    """fault(raw), and the known algorithms its label is one edit from when that is the fault (else ()):
    a value that is one of those algorithms' digest shows the label misspelt, not damaged."""
    text = raw.strip()
    if not text:
        return "is empty", ()
    label, sep, _ = text.partition(b":")
    label = label.strip()
    if not sep:
        return f"is not 'algorithm:value': there is no ':' (it starts {quote(text[:10])})", ()
    if not label:
        return "has no algorithm label before its ':'", ()
    if _LABEL_CHARS.fullmatch(label) is None:
        return f"has the label {quote(label)}, which is not letters, digits, '-' and '_'", ()
    near = near_algorithms(label.decode("ascii"))
    if near:
        return f"has the label {quote(label)}, not a known algorithm; a damaged {' or '.join(map(repr, near))}?", near
    return None, ()


def near_algorithms(label: str) -> tuple[str, ...]:
    """Every known algorithm a label not known is one edit away from (a letter changed, added, dropped, or
    two swapped; case, '-' and '_' aside): 'sha254' is near both sha224 and sha256."""
    key = folded(label)
    if key in _ALGORITHMS or key in _REAL_NEIGHBOURS:
        return ()
    return tuple(dict.fromkeys(name for known, (name, _) in _ALGORITHMS.items() if one_edit(key, known)))


def value_matches(algorithm: str, value: bytes, digest: bytes) -> bool:
    """True when `value` is `digest` in base16 or base32 (any case), or base64/base64url."""
    hex_len, b32_len, b64_len = _LENGTHS[algorithm]
    if len(value) == hex_len and value.lower() == binascii.hexlify(digest):
        return True
    stripped = value.rstrip(b"=")
    if len(stripped) == b32_len:
        # Exact: the unused low bits of the last character must be zero, as the encoder writes them.
        excess = b32_len * 5 - len(digest) * 8
        try:
            return bool(int(stripped.translate(_B32_BYTES), 32) == int.from_bytes(digest, "big") << excess)
        except ValueError:
            return False
    if len(stripped) == b64_len:
        encoded = binascii.b2a_base64(digest, newline=False).rstrip(b"=")
        return bool(stripped == encoded or stripped == encoded.replace(b"+", b"-").replace(b"/", b"_"))
    return False


def claim_from_bytes(header: str, raw: bytes) -> DigestClaim:
    """A DigestClaim (for messages) from a header value as read."""
    return parse_claim(header, raw.decode("ascii", "replace"))


def parse_claim(header: str, text: str) -> DigestClaim:
    """Split a digest header value `label:value`; an unknown or missing label gives algorithm None."""
    label, sep, value = text.partition(":")
    if not sep:
        return DigestClaim(header, "", None, text.strip())
    return DigestClaim(header, label.strip(), algorithm_for(label), value.strip())


def new_hasher(algorithm: str, data: Any = b"") -> Any:
    """A fresh hashlib object for a canonical algorithm name, fed `data`."""
    return FACTORIES[algorithm](data)


def value_encoding(claim: DigestClaim) -> str | None:
    """Which encoding the claimed value is written in ("base16", "base32", "base64"), None if none fits."""
    if claim.algorithm is None:
        return None
    return encoding_of(claim.algorithm, claim.value.encode("ascii", "replace"))


def encoding_of(algorithm: str, value: bytes) -> str | None:
    """Which encoding a value of this algorithm is written in ("base16", "base32", "base64"), None if none
    fits: a value that is none cannot be the digest of anything."""
    hex_len, b32_len, b64_len = _LENGTHS[algorithm]
    stripped = value.rstrip(b"=")
    if len(value) == hex_len and not value.translate(None, _B16_CHARS):
        return "base16"
    if len(stripped) == b32_len and not stripped.translate(None, _B32_CHARS):
        return "base32"
    if len(stripped) == b64_len and _decodes(_b64, stripped.decode("ascii", "replace")):
        return "base64"
    return None


def matches(claim: DigestClaim, digest: bytes) -> bool:
    """True when the claimed value is `digest` in base16 or base32 (any case), or base64/base64url."""
    if claim.algorithm is None:
        return False
    return value_matches(claim.algorithm, claim.value.encode("ascii", "replace"), digest)


def describe(claim: DigestClaim, digest: bytes) -> str:
    """The computed digest written the way the claim is written, for mismatch messages."""
    encoding = value_encoding(claim)
    if encoding == "base16":
        text = digest.hex()
    elif encoding == "base64":
        text = base64.b64encode(digest).decode("ascii")
    else:
        text = base64.b32encode(digest).decode("ascii")
    return f"{claim.label}:{text}" if claim.label else text


def _b64(text: str) -> bytes:
    """Decode base64 or base64url, padding optional."""
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _decodes(decoder: Callable[[str], bytes], text: str) -> bool:
    try:
        decoder(text)
    except (binascii.Error, ValueError):
        return False
    return True
