"""A stand-in RFC 3161 timestamping authority on 127.0.0.1: a test CA, a TSA certificate, signed tokens.

Tokens are built with asn1crypto (test-only) and signed with cryptography, the way a
real TSA signs them: CMS SignedData over a TSTInfo, with content-type, message-digest
and signing-certificate-v2 attributes, and the TSA certificate included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)


@dataclass
class Authority:
    """A CA and the TSA it certified; `mode` says how the server answers (good, chain, reject, garbage, empty, other,
    404, 500, redirect, huge, slow-head, slow-body)."""

    root: x509.Certificate
    tsa: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey
    mode: str = "good"
    port: int = 0
    queries: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tsa"

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def answer(self, query: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq."""
        request = tsp.TimeStampReq.load(query)
        if self.mode == "reject":
            return _Refusal({"status": {"status": "rejection", "status_string": ["unsupported"]}}).dump()
        imprint = request["message_imprint"]
        if self.mode == "other":
            imprint = tsp.MessageImprint({"hash_algorithm": {"algorithm": "sha256"},
                                          "hashed_message": hashlib.sha256(b"something else").digest()})
        info = tsp.TSTInfo({"version": "v1", "policy": "1.3.6.1.4.1.99999.1", "message_imprint": imprint,
                            "serial_number": len(self.queries), "gen_time": WHEN,
                            "nonce": request["nonce"].native})
        content = info.dump()
        tsa_der = self.tsa.public_bytes(serialization.Encoding.DER)
        certificate = asn1_x509.Certificate.load(tsa_der)
        attributes = cms.CMSAttributes([
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
            cms.CMSAttribute({"type": "signing_certificate_v2", "values": [tsp.SigningCertificateV2({
                "certs": [tsp.ESSCertIDv2({"hash_algorithm": {"algorithm": "sha256"},
                                           "cert_hash": hashlib.sha256(tsa_der).digest()})]})]}),
        ])
        signed = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(content)},
            # (mode "chain": the root first, as TSAs sending their whole chain do; the signer is found by the sid)
            "certificates": ([asn1_x509.Certificate.load(self.root.public_bytes(serialization.Encoding.DER))]
                             if self.mode == "chain" else []) + [certificate],
            "signer_infos": [{
                "version": "v1",
                "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                    "issuer": certificate.issuer, "serial_number": certificate.serial_number}}),
                "digest_algorithm": {"algorithm": "sha256"},
                "signed_attrs": attributes,
                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                "signature": self.tsa_key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256())),
            }],
        })
        return tsp.TimeStampResp({"status": {"status": "granted"},
                                  "time_stamp_token": {"content_type": "signed_data", "content": signed}}).dump()


class _Refusal(core.Sequence):
    """A TimeStampResp without a token (asn1crypto's own type insists on one, RFC 3161 does not)."""

    _fields = [("status", tsp.PKIStatusInfo)]


def make_authority(name: str = "provpack test") -> Authority:
    """A root CA and a TSA certificate it issued (critical timeStamping key usage), valid 2020-2120."""
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} root")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(1)
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=36500))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (x509.CertificateBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} TSA")]))
           .issuer_name(root_name).public_key(tsa_key.public_key()).serial_number(2)
           .not_valid_before(start).not_valid_after(start + dt.timedelta(days=36500))
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
           .sign(root_key, hashes.SHA256()))
    return Authority(root=root, tsa=tsa, tsa_key=tsa_key)


@contextmanager
def serve(authority: Authority) -> Iterator[Authority]:
    """Run the TSA over HTTP on 127.0.0.1 for the block."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet."""

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            authority.queries.append(query)
            if authority.mode == "500":
                status, body = 500, b"down"
            elif authority.mode == "garbage":
                status, body = 200, b"<html>not a timestamp</html>"
            elif authority.mode == "empty":
                status, body = 200, b""
            elif authority.mode == "404":
                status, body = 404, b"no such page"
            elif authority.mode == "redirect":
                self.send_response(307)
                self.send_header("Location", f"http://127.0.0.1:{authority.port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            elif authority.mode in ("slow-head", "slow-body"):   # a byte at a time, each well within any read timeout
                self._trickle(authority.answer(query), head=authority.mode == "slow-head")
                return
            elif authority.mode == "huge":
                status, body = 200, b"\x30" * (2 * 1024 * 1024)
            else:
                status, body = 200, authority.answer(query)
            self.send_response(status)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _trickle(self, body: bytes, *, head: bool) -> None:
            """Send the answer's head (or its body) one byte every 50 ms, until the client hangs up."""
            start = (b"HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n"
                     b"Content-Length: %d\r\n" % len(body))
            slow, rest = (start + b"X-Slow: " + b"x" * 200 + b"\r\n\r\n", body) if head else (body, b"")
            try:
                if not head:
                    self.wfile.write(start + b"\r\n")
                for byte in slow:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
                self.wfile.write(rest)
            except OSError:   # the client gave up: so much the better
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    authority.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield authority
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
