"""Tests for provpack.wire: address classification and head recording."""

from __future__ import annotations

import io
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from provpack.wire import (
    CURRENT,
    BlockedAddress,
    HeadRecorder,
    RecordingHTTPPool,
    RecordingHTTPSPool,
    Wire,
    address_problem,
)

from localserver import self_signed


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "not globally routable"),
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    """Addresses are classified without any network access."""
    assert address_problem(address) == problem


def test_head_recorder_keeps_the_final_head_after_interim_ones() -> None:
    """A 100 Continue head is dropped; the final head is kept through its blank line."""
    recorder = HeadRecorder(io.BytesIO(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\nbody"))
    while recorder.readline() not in (b"", b"\r\n") or len(recorder.lines) < 3:
        pass
    assert recorder.final_head() == b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"
    assert recorder.read() == b"body"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_recording_pools_keep_the_plaintext_request_and_head(scheme: str, tmp_path: Path) -> None:
    """Over HTTP and TLS alike, the Wire gets the request bytes sent, the response head and the peer."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet."""

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.send_header("X-Seen", "yes")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    options: dict[str, str] = {}
    if scheme == "https":
        cert, key = self_signed(tmp_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        options["ca_certs"] = str(cert)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pool_class = RecordingHTTPSPool if scheme == "https" else RecordingHTTPPool
    pool = pool_class("127.0.0.1", server.server_address[1], **options)
    wire = Wire(allow_private=True)
    token = CURRENT.set(wire)
    try:
        answer = pool.urlopen("GET", "/page?q=1", headers={"User-Agent": "test"})
        assert answer.status == 200 and answer.data == b"ok"
    finally:
        CURRENT.reset(token)
        pool.close()
        server.shutdown()
        server.server_close()
        thread.join()
    assert bytes(wire.sent).startswith(b"GET /page?q=1 HTTP/1.1\r\n") and b"User-Agent: test\r\n" in wire.sent
    assert wire.head is not None and wire.head.startswith(b"HTTP/1.0 200 OK\r\n")
    assert b"X-Seen: yes\r\n" in wire.head and wire.head.endswith(b"\r\n\r\n")
    assert wire.peer == "127.0.0.1"


def test_recording_pool_refuses_a_private_peer_unless_allowed() -> None:
    """With allow_private off, the first send to a loopback peer raises BlockedAddress."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pool = RecordingHTTPPool("127.0.0.1", server.server_address[1], retries=False)
    token = CURRENT.set(Wire(allow_private=False))
    try:
        with pytest.raises(BlockedAddress, match="loopback"):
            pool.urlopen("GET", "/")
    finally:
        CURRENT.reset(token)
        pool.close()
        server.shutdown()
        server.server_close()
        thread.join()
