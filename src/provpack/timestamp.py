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
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from .errors import InputError, ProvpackError
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
    """ARCHIVE.sig -> ARCHIVE.sig.tsr."""
    return signature_path.with_name(signature_path.name + TOKEN_SUFFIX)


def check_timestamp(signature_path: Path | str, ca_path: Path | str) -> TimestampCheck:
    """Check ARCHIVE.sig.tsr: a TSA certified by a CA in `ca_path` (PEM) dated exactly this signature file."""
    rfc3161 = _library()
    roots = load_certificates(ca_path)
    sig_path = Path(signature_path)
    token_path = token_path_for(sig_path)
    if not token_path.exists():
        return TimestampCheck(token_path, "missing-timestamp", f"{token_path}: no timestamp token")
    token = read_small(token_path, MAX_RESPONSE_BYTES, what="timestamp token")
    message = read_small(sig_path, MAX_SIGNATURE_BYTES, what="signature file") if sig_path.exists() else b""
    try:
        response = rfc3161.decode_timestamp_response(token)
        builder = rfc3161.VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        builder.build().verify_message(response, message)
    except (ValueError, rfc3161.VerificationError) as exc:
        return TimestampCheck(token_path, "bad-timestamp", f"{token_path}: the timestamp does not hold: {exc}")
    tsa = _signer_name(response)
    when = response.tst_info.gen_time
    return TimestampCheck(token_path, None, f"timestamped {when.isoformat()} by {tsa}", when, tsa)


def load_certificates(path: Path | str) -> list[x509.Certificate]:
    """The PEM certificates in a file (a TSA's CA); an InputError if there are none."""
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
