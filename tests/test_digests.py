"""Digest header values: labels in every spelling seen in the wild, values in base16/32/64."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.digests import (
    DigestClaim,
    algorithm_for,
    claim_from_bytes,
    describe,
    encoding_of,
    fault,
    matches,
    near_algorithms,
    parse_claim,
    split_value,
    value_encoding,
    value_matches,
)

ALGORITHMS = ["md5", "sha1", "sha256", "sha512", "blake2b", "blake2s"]


@pytest.mark.parametrize("label, algorithm", [
    ("sha1", "sha1"), ("SHA1", "sha1"), ("SHA-1", "sha1"), ("sha-1", "sha1"),
    ("sha256", "sha256"), ("sha-256", "sha256"), ("SHA-256", "sha256"), ("sha_256", "sha256"),
    ("sha512", "sha512"), ("SHA-512", "sha512"), ("md5", "md5"), ("MD5", "md5"),
    ("sha3-256", "sha3-256"), ("crc32", None), ("sha0", None), ("", None),
    ("sha2-256", "sha256"), ("SHA2_256", "sha256"), ("SHA2-512", "sha512"), ("sha2-224", "sha224"),
    ("sha2-384", "sha384"), ("sha2", None),
    ("sha224", "sha224"), ("sha384", "sha384"), ("SHA3-224", "sha3-224"), ("sha3_384", "sha3-384"),
    ("sha3-512", "sha3-512"), ("blake2b", "blake2b"), ("BLAKE2s", "blake2s"), ("blake2", None), ("blake3", None),
])
def test_labels(label: str, algorithm: str | None) -> None:
    """Labels are read case-insensitively, with or without a dash; unknown ones give None."""
    assert algorithm_for(label) == algorithm
    assert split_value(f"{label}:abc".encode())[0] == algorithm


def test_value_without_label_is_unknown() -> None:
    """A value with no `label:` has no algorithm."""
    assert split_value(b"ABCDEF") == (None, b"ABCDEF", b"ABCDEF")
    assert parse_claim("WARC-Block-Digest", "ABCDEF").algorithm is None


def encodings_of(digest: bytes) -> list[str]:
    b32 = base64.b32encode(digest).decode()
    b64 = base64.b64encode(digest).decode()
    return [digest.hex(), digest.hex().upper(), b32, b32.lower(), b32.rstrip("="), b64, b64.rstrip("="),
            base64.urlsafe_b64encode(digest).decode()]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_encoding_matches(algorithm: str) -> None:
    """base16 (any case), base32 (any case, padded or not), base64 and base64url all match."""
    digest = hashlib.new(algorithm, b"payload").digest()
    other = hashlib.new(algorithm, b"other").digest()
    for text in encodings_of(digest):
        assert value_matches(algorithm, text.encode(), digest), text
        assert not value_matches(algorithm, text.encode(), other), text
        assert value_encoding(parse_claim("WARC-Block-Digest", f"{algorithm}:{text}")) is not None


def test_interop_values() -> None:
    """Values from the interop files: sha1 base32, sha1 hex, sha-256 hex, base64 and base64url."""
    empty = hashlib.sha1(b"").digest()
    assert value_matches("sha1", b"3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", empty)
    assert value_matches("sha1", b"2jmj7l5rSw0yVb/vlWAYkK/YBwk=", empty)
    assert value_matches("sha1", b"2jmj7l5rSw0yVb_vlWAYkK_YBwk=", empty)
    assert not value_matches("sha1", b"1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", empty)
    assert value_matches("sha256", b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                         hashlib.sha256(b"").digest())


def test_base32_padding_bits_must_be_zero() -> None:
    """A base32 value whose unused low bits are set is not the digest (no flip hides there)."""
    digest = hashlib.sha256(b"x").digest()
    text = base64.b32encode(digest).decode().rstrip("=")  # 52 chars, the last carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    last = alphabet.index(text[-1])
    for bits in range(1, 16):
        changed = text[:-1] + alphabet[last ^ bits]
        assert not value_matches("sha256", changed.encode(), digest)


def test_undecodable_value() -> None:
    """A value that is no encoding of a digest of that size never matches, and is described as such."""
    claim = parse_claim("WARC-Payload-Digest", "sha1:1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")
    assert value_encoding(claim) is None
    assert not matches(claim, hashlib.sha1(b"").digest())
    assert describe(claim, hashlib.sha1(b"").digest()) == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    for text in ("", "xyz", "-" * 40, "g" * 40, " " + "a" * 39, "+1" * 16):
        assert not value_matches("sha1", text.encode(), hashlib.sha1(b"").digest())


def test_describe_uses_the_claims_encoding() -> None:
    """Mismatch messages show the computed digest the way the record wrote its own."""
    digest = hashlib.sha1(b"a").digest()
    hex_claim = parse_claim("WARC-Block-Digest", "SHA-1:" + "0" * 40)
    assert describe(hex_claim, digest) == "SHA-1:" + digest.hex()
    b64_claim = parse_claim("WARC-Block-Digest", "sha1:" + "A" * 27 + "=")
    assert describe(b64_claim, digest) == "sha1:" + base64.b64encode(digest).decode()
    assert hex_claim.raw == "SHA-1:" + "0" * 40


@given(st.binary(max_size=64), st.sampled_from(ALGORITHMS), st.integers(0, 7), st.data())
def test_any_changed_character_fails(data: bytes, algorithm: str, which: int, draw: st.DataObject) -> None:
    """Changing any one character of a correct value (in any encoding) makes it not match."""
    digest = hashlib.new(algorithm, data).digest()
    text = encodings_of(digest)[which].rstrip("=")
    index = draw.draw(st.integers(0, len(text) - 1))
    replacement = draw.draw(st.sampled_from("0123456789abcdefABCDEFxyzXYZ+/-_=!"))
    changed = text[:index] + replacement + text[index + 1 :]
    if changed.lower() == text.lower() and which < 5:
        return  # base16/base32 are case-insensitive: a case change is the same value
    if changed.translate(str.maketrans("-_", "+/")) == text.translate(str.maketrans("-_", "+/")):
        return  # base64url spelling of the same value
    assert not value_matches(algorithm, changed.encode(), digest)


@pytest.mark.parametrize("raw, words", [
    (b"sha256;563941b4aa", "is not 'algorithm:value': there is no ':' (it starts 'sha256;563')"),
    (b"NK5H6R47ZYUCSLQZCIYEA2QYMUEAVDM7", "there is no ':' (it starts 'NK5H6R47ZY')"),
    (b"", "is empty"),
    (b"   ", "is empty"),
    (b":ABCDEF", "has no algorithm label before its ':'"),
    (b"sha.256:ABC", "has the label 'sha.256', which is not letters, digits, '-' and '_'"),
    (b"sha 256:ABC", "has the label 'sha 256', which is not"),
    (b"she256:ABC", "has the label 'she256', not a known algorithm; a damaged 'sha256'?"),
    (b"sha265:ABC", "a damaged 'sha256'?"),
    (b"SHA-265:ABC", "has the label 'SHA-265', not a known algorithm; a damaged 'sha256'?"),
    (b"sah1:ABC", "a damaged 'sha1'?"),
    (b"sha2566:ABC", "a damaged 'sha256'?"),
    (b"ha256:ABC", "a damaged 'sha256'?"),
    (b"sha3-265:ABC", "a damaged 'sha3-256'?"),
    (b"mb5:ABC", "a damaged 'md5'?"),
    (b"sha254:ABC", "has the label 'sha254', not a known algorithm; a damaged 'sha224' or 'sha256'?"),
    (b"x" * 40 + b".:ABC", "has the label 'xxxxxxxxxxxxxxxx…', which"),
])
def test_damaged_labels_are_faults(raw: bytes, words: str) -> None:
    """A value that is not `label:value`, a label of other characters, or one edit from a known algorithm
    is damaged; the message quotes only the label (or the value's start), shortened."""
    found = fault(raw)
    assert found is not None and words in found
    assert "563941b4aa" not in found and "ABC" not in found.replace("'ABC", "")


@pytest.mark.parametrize("raw", [b"blake3:ABC", b"crc32:ABC", b"md4:ABC", b"sha0:ABC", b"md6:ABC", b"sha3:ABC",
                                 b"sha256d:ABC", b"xxh64:ABC", b"md2:ABC", b"sha2:ABC",
                                 b"sha512-256:ABC", b"x" * 40 + b":ABC", b"-:ABC"])
def test_other_algorithms_are_not_faults(raw: bytes) -> None:
    """A well-formed label of an algorithm provpack does not know, far from a known one (or a real one
    next to it, as md4 and sha0), is no fault: the record is unverified, not failed."""
    assert split_value(raw)[0] is None and fault(raw) is None


@given(st.sampled_from(["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-512", "blake2b",
                        "blake2s"]),
       st.data())
def test_every_one_edit_damage_of_a_known_label_is_caught(name: str, data: st.DataObject) -> None:
    """A letter changed, added, dropped or two neighbours swapped in a known label gives a fault naming a
    known algorithm, unless the result is itself a known label (sha3-256 without its 3 is sha-256) or a
    real algorithm provpack does not check (md4, sha0)."""
    edit = data.draw(st.sampled_from(["change", "add", "drop", "swap"]))
    at = data.draw(st.integers(0, len(name) - (2 if edit == "swap" else 1)))
    char = data.draw(st.sampled_from("abcdefhs0123456789"))
    if edit == "change":
        damaged = name[:at] + char + name[at + 1 :]
    elif edit == "add":
        damaged = name[:at] + char + name[at:]
    elif edit == "drop":
        damaged = name[:at] + name[at + 1 :]
    else:
        damaged = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if algorithm_for(damaged) is None and damaged not in ("md2", "md4", "md6", "sha0", "sha2", "sha3", "sha256d",
                                                          "blake2", "blake3"):
        assert near_algorithms(damaged), damaged
        assert "a damaged" in (fault(f"{damaged}:ABC".encode()) or ""), damaged


@pytest.mark.parametrize("label, near", [
    ("sha254", ("sha224", "sha256")), ("SHA-254", ("sha224", "sha256")), ("sha3-254", ("sha3-224", "sha3-256")),
    ("sha265", ("sha256",)), ("sha2-257", ("sha256",)), ("sha256", ()), ("md4", ()), ("blake3", ()),
])
def test_near_algorithms_are_all_those_one_edit_away(label: str, near: tuple[str, ...]) -> None:
    """Every known algorithm one edit from a label, each named once (sha2-256 is sha256); none for a known or
    a real other algorithm."""
    assert near_algorithms(label) == near


def test_multihash_names_of_sha2_match() -> None:
    """`sha2-256:<hex>` (the multihash name, which hashlib.new and so warcio accept) is sha256, not a damaged
    'sha256' label."""
    digest = hashlib.sha256(b"hello world").digest()
    for label in ("sha2-256", "SHA2_256", "Sha2-256"):
        algorithm, value, _ = split_value(f"{label}:{digest.hex()}".encode())
        assert algorithm == "sha256" and value_matches("sha256", value, digest)
        assert fault(f"{label}:{digest.hex()}".encode()) is None


@pytest.mark.parametrize("value, encoding", [
    (b"a" * 40, "base16"), (b"A" * 32, "base32"), (b"A" * 32 + b"====", "base32"), (b"A" * 27 + b"=", "base64"),
    (b"a" * 39 + b" ", None), (b"a" * 20 + b" " + b"a" * 19, None), (b"!!garbage!!", None), (b"", None),
    (b"\xff" * 40, None), (b"-_" + b"A" * 25 + b"=", "base64"), (b"+/" + b"A" * 25 + b"=", "base64"),
])
def test_encoding_of(value: bytes, encoding: str | None) -> None:
    """The encoding a sha1 value is written in, from its length and alphabet; None for no encoding."""
    assert encoding_of("sha1", value) == encoding


def test_a_value_without_a_label_is_all_value() -> None:
    """A digest header value with no ':' is a claim with no label, no algorithm, and the whole text as its value."""
    assert parse_claim("WARC-Block-Digest", " ABCDEF ") == DigestClaim("WARC-Block-Digest", "", None, "ABCDEF")
    assert parse_claim("WARC-Block-Digest", " ABCDEF ").raw == "ABCDEF"


def test_a_claim_of_an_unknown_algorithm_never_matches() -> None:
    """A claim whose algorithm is unknown matches no digest, has no encoding, and is described in base32."""
    digest = hashlib.sha1(b"").digest()
    claim = parse_claim("WARC-Block-Digest", "blake3:" + digest.hex())
    assert claim.algorithm is None and not matches(claim, digest) and value_encoding(claim) is None
    assert describe(claim, digest) == "blake3:" + base64.b32encode(digest).decode()


def test_bytes_that_are_not_ascii_are_replaced_not_fatal() -> None:
    """A digest header value with bytes outside ASCII gives a claim (and a fault message) with U+FFFD, no error."""
    claim = claim_from_bytes("WARC-Payload-Digest", b"sha1:\xff" + b"A" * 31)
    assert claim == DigestClaim("WARC-Payload-Digest", "sha1", "sha1", "\ufffd" + "A" * 31)
    assert not matches(claim, hashlib.sha1(b"").digest())
    assert fault(b"sha\xff1:ABC") == "has the label 'sha\ufffd1', which is not letters, digits, '-' and '_'"


@pytest.mark.parametrize("label, shown", [("a.b" + "c" * 13, "'a.b" + "c" * 13 + "'"),
                                          ("a.b" + "c" * 14, "'a.b" + "c" * 13 + "…'")])
def test_labels_are_quoted_up_to_sixteen_characters(label: str, shown: str) -> None:
    """A label of 16 characters is quoted whole; a longer one is cut to 16 and marked with an ellipsis."""
    assert fault(f"{label}:ABC".encode()) == f"has the label {shown}, which is not letters, digits, '-' and '_'"


def test_a_missing_label_message() -> None:
    """A value starting with ':' says there is no algorithm label, in those words."""
    assert fault(b" :ABCDEF") == "has no algorithm label before its ':'"


def test_a_value_of_the_right_length_that_does_not_decode_is_no_encoding() -> None:
    """27 characters are a sha1 in base64 only if they decode: 27 `*` are no value at all, and a revisit whose
    payload digest is one is said."""
    from readback import check
    from warcbuild import record

    assert encoding_of("sha1", b"*" * 27) is None
    data = record("revisit", b"", content_type=None, headers=[
        ("WARC-Target-URI", "http://x/"), ("WARC-Payload-Digest", "sha1:" + "*" * 27),
        ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")])
    assert [(problem.kind, problem.message) for problem in check(data).problems] == [
        ("digest-mismatch", f"WARC-Payload-Digest sha1:{'*' * 27} is not a sha1 value in base32, base16 or base64"
                            " (it describes another record, not checked here)")]
