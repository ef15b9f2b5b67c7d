"""WARC digest header values: labels as seen in the wild, values in base32, base16 or base64."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

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
}
FACTORIES: dict[str, HashFactory] = {name: factory for name, factory in _ALGORITHMS.values()}
_SIZES = {name: factory().digest_size for name, factory in FACTORIES.items()}
# Lengths of a value per encoding, without "=" padding: name -> (base16, base32, base64).
_LENGTHS = {name: (2 * size, -(-size * 8 // 5), -(-size * 4 // 3)) for name, size in _SIZES.items()}
# Standard base32 (A-Z, 2-7) to the digits int(..., 32) reads (0-9, A-V).
_B32_TO_INT = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz",
    "0123456789ABCDEFGHIJKLMNOPQRSTUV0123456789ABCDEFGHIJKLMNOP",
)
_B32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz")
_label_cache: dict[str, str | None] = {}


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
    hex_len, b32_len, b64_len = _LENGTHS[claim.algorithm]
    value = claim.value
    stripped = value.rstrip("=")
    if len(value) == hex_len and _decodes(bytes.fromhex, value):
        return "base16"
    if len(stripped) == b32_len and _B32_ALPHABET.issuperset(stripped):
        return "base32"
    if len(stripped) == b64_len and _decodes(_b64, stripped):
        return "base64"
    return None


def matches(claim: DigestClaim, digest: bytes) -> bool:
    """True when the claimed value is `digest` in base16 or base32 (any case), or base64/base64url."""
    algorithm = claim.algorithm
    if algorithm is None:
        return False
    hex_len, b32_len, b64_len = _LENGTHS[algorithm]
    value = claim.value
    if len(value) == hex_len and value.lower() == digest.hex():
        return True
    stripped = value.rstrip("=")
    if len(stripped) == b32_len and _B32_ALPHABET.issuperset(stripped):
        # Exact: the unused low bits of the last character must be zero, as the encoder writes them.
        excess = b32_len * 5 - len(digest) * 8
        return int(stripped.translate(_B32_TO_INT), 32) == int.from_bytes(digest, "big") << excess
    if len(stripped) == b64_len:
        encoded = base64.b64encode(digest).decode("ascii").rstrip("=")
        return stripped == encoded or stripped == encoded.replace("+", "-").replace("/", "_")
    return False


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
