"""RFC 3161 timestamps of signature files: a timestamping authority (TSA) vouches that ARCHIVE.sig existed.

Asking a TSA for a token is tsarequest's job (`provpack sign --tsa`): this module only reads and
checks tokens, so that `verify` reaches no HTTP code. The token covers the sha256 of the whole signature file, so it dates the signed
statement and, through it, the archive's digest. It is stored beside it as
ARCHIVE.sig.tsr, the DER TimeStampResp the TSA sent (`openssl ts -reply -in` reads
it). Checking needs the TSA's CA certificate(s): the chain, the TSA certificate's
critical timeStamping key usage, the CMS signature and the message imprint are all
checked (by rfc3161-client, Trail of Bits' library, which sigstore uses). Install
with `pip install '.[timestamp]'` in provpack's checkout (provpack is not on PyPI).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from .arguments import PATH, file_path, require
from .errors import InputError, ProvpackError, option
from .signing import read_small

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

log = logging.getLogger(__name__)

TOKEN_SUFFIX = ".tsr"
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_SIGNATURE_BYTES = 16 * 1024
MAX_CA_BYTES = 1024 * 1024
TimestampKind = Literal["missing-timestamp", "bad-timestamp"]


@dataclass(frozen=True, slots=True)
class TimestampCheck:
    """The outcome of checking ARCHIVE.sig.tsr; `kind` is None when it holds."""

    token_path: Path
    kind: TimestampKind | None
    message: str
    time: dt.datetime | None = None
    tsa: str | None = None

    @property
    def ok(self) -> bool:
        """True when a trusted TSA dated exactly this signature file."""
        return self.kind is None


def token_path_for(signature_path: Path) -> Path:
    """ARCHIVE.sig -> ARCHIVE.sig.tsr; an InputError for a signature path that names no file ('.')."""
    signature_path = file_path("signature_path", signature_path)
    return signature_path.with_name(signature_path.name + TOKEN_SUFFIX)


def check_timestamp(signature_path: Path | str, ca_path: Path | str) -> TimestampCheck:
    """Check ARCHIVE.sig.tsr: a TSA certified by a CA in `ca_path` (PEM) dated exactly this signature file."""
    require((("signature_path", signature_path, PATH), ("ca_path", ca_path, PATH)))
    rfc3161 = _library()
    roots = load_certificates(ca_path)
    sig_path = file_path("signature_path", signature_path)
    token_path = token_path_for(sig_path)

    def bad(problem: str) -> TimestampCheck:
        return TimestampCheck(token_path, "bad-timestamp", f"{token_path}: {problem}")

    if not token_path.exists():
        return TimestampCheck(token_path, "missing-timestamp", f"{token_path}: no timestamp token")
    token = read_small(token_path, MAX_RESPONSE_BYTES, what="timestamp token")
    if not sig_path.exists():
        return bad(f"the signature file it dates, {sig_path}, is not there")
    message = read_small(sig_path, MAX_SIGNATURE_BYTES, what="signature file")
    try:
        response = rfc3161.decode_timestamp_response(token)
        imprint = response.tst_info.message_imprint
    except ValueError as exc:
        return bad(f"not an RFC 3161 timestamp token (damaged, or not the answer a TSA sent; {_detail(exc)}); "
                   f"{_AGAIN}")
    hashing = _IMPRINT_HASHES.get(imprint.hash_algorithm.dotted_string)
    if hashing is not None and hashlib.new(hashing, message).digest() != imprint.message:
        return bad(f"the timestamp token dates another signature file, not {sig_path} as it is now (it was "
                   f"replaced or changed after it was timestamped); {_AGAIN}, or put back the signature file "
                   "it dates")
    try:
        builder = rfc3161.VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        builder.build().verify_message(response, message)
    except (ValueError, rfc3161.VerificationError) as exc:
        text = str(exc)
        if text.startswith(_CHAIN_FAILED) and _UNKNOWN_ISSUER in text:
            return bad(f"the timestamp token was signed by {_signer_name(response)}, which no CA certificate in "
                       f"{ca_path} certifies; give that TSA's CA certificate with {option('--tsa-ca')}")
        if text.startswith(_CHAIN_FAILED):
            return bad(f"the timestamp token's signature or its TSA certificate does not check against the CA "
                       f"certificates in {ca_path} ({_detail(exc)}): the token was altered, or is not from a TSA "
                       f"those CAs certify; {_AGAIN}")
        return bad(f"the timestamp token does not hold ({_detail(exc)}); {_AGAIN}")
    tsa = _signer_name(response)
    when = response.tst_info.gen_time
    return TimestampCheck(token_path, None, f"timestamped {when.isoformat()} by {tsa}", when, tsa)


_AGAIN = "timestamp the signature again with 'provpack sign ARCHIVE --key KEY --tsa URL --force'"
# rfc3161-client's words when OpenSSL's PKCS7_verify fails, and OpenSSL's when no CA given issued the signer's chain
_CHAIN_FAILED = "Error while verifying certificates"
_UNKNOWN_ISSUER = "unable to get local issuer certificate"
_IMPRINT_HASHES = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
                   "2.16.840.1.101.3.4.2.3": "sha512", "1.3.14.3.2.26": "sha1"}
_OPENSSL_DATA = re.compile(r'data: "([^"]{1,200})"|reason: "([^"]{1,200})"')
_DETAIL_LIMIT = 120


def _detail(exc: BaseException) -> str:
    """A library's error in a few words: OpenSSL's own reason out of its error stack, else the text, cut short."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    found = _OPENSSL_DATA.search(text)
    if found:
        text = (found.group(1) or found.group(2)).removeprefix("Verify error: ")
    elif "ParseError" in text:   # the Rust parser's debug form says nothing a reader can act on
        text = "ASN.1 parse error"
    return text if len(text) <= _DETAIL_LIMIT else text[:_DETAIL_LIMIT - 3] + "..."


def load_certificates(path: Path | str) -> list[x509.Certificate]:
    """The PEM certificates in a file (a TSA's CA); an InputError if there are none."""
    require((("path", path, PATH),))
    ca_path = Path(path)
    data = read_small(ca_path, MAX_CA_BYTES, what="CA certificate file")
    try:
        with _old_certificates_quietly():
            certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InputError(ca_path, "no PEM certificate in it", fix="give the TSA's CA certificate, in PEM") from exc
    return certificates


@contextlib.contextmanager
def _old_certificates_quietly() -> Iterator[None]:
    """Parse certificates without cryptography's warning about a serial number <= 0.

    System bundles hold old roots like that: cryptography warns, with its source line, that it
    will refuse them one day. They are the user's trust choice, not ours to comment on in a report.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _signer_name(response: TimeStampResponse) -> str:
    signed = response.signed_data
    infos = list(signed.signer_infos)
    for der in signed.certificates:
        with _old_certificates_quietly():
            certificate = x509.load_der_x509_certificate(der)
        if infos and certificate.serial_number == infos[0].serial_number and certificate.issuer == infos[0].issuer:
            return str(certificate.subject.rfc4514_string())
    return "the TSA"


def _library() -> ModuleType:
    try:
        import rfc3161_client
    except ImportError as exc:
        raise ProvpackError("RFC 3161 timestamps need the rfc3161-client package: in provpack's checkout, "
                            "pip install '.[timestamp]' (or pip install rfc3161-client)") from exc
    return rfc3161_client
