"""A small HTTP server on 127.0.0.1 for capture tests: redirects, errors, slow, huge, gzip, chunked, binary."""

from __future__ import annotations

import email.utils
import gzip
import http.client
import select
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ORIGINALS = Path(__file__).parent / "data" / "originals"
PAGE = (ORIGINALS / "declaration.html").read_bytes()
HUGE = 2 * 1024 * 1024
CHUNKS = [b"<p>Four score and seven years ago ", b"our fathers brought forth", b" on this continent.</p>"]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BLOB = bytes(range(256)) * 4
LF_HEAD_BODY = b"<!-- before -->\r\n\r\n" + PAGE
# path -> (Content-Encoding, body): brotli (never asked for), a gzip stream cut short, not gzip at all
ENCODED = {"/br": ("br", b"\x1b\x03\x00\xf8\x25\x82\x82\x8c\x8d\x00"),
           "/gzip-cut": ("gzip", gzip.compress(PAGE, mtime=0)[:200]),
           "/gzip-bad": ("gzip", b"not gzip at all")}
WRONG_CHARSET = "<p>Nature\u2019s God \u2014 caf\u00e9</p>".encode("utf-8")


@dataclass
class ServerState:
    """What the server saw: hits per path, request heads."""

    port: int = 0
    scheme: str = "http"
    hits: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: ServerState

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        key = self.path
        self.state.hits[key] += 1
        self.state.requests.append((self.requestline, list(self.headers.items())))
        hits = self.state.hits[key]
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/page.html":
            self._send(200, PAGE, html)
        elif path == "/redirect":
            self._send(302, b"moved", {"Location": "/page.html"})
        elif path == "/self":   # to the same URL as replay tools key it (a trailing / aside)
            self._send(301, b"", {"Location": "/self/"})
        elif path == "/self/":
            self._send(200, PAGE, html)
        elif path == "/redirect-abs":
            self._send(301, b"", {"Location": self.state.url("/redirect#frag")})
        elif path == "/to-bad-port":
            self._send(302, b"", {"Location": "http://127.0.0.1:99999/x"})
        elif path == "/to-bad-ipv6":
            self._send(302, b"", {"Location": "http://[::1/x"})
        elif path == "/to-cafe":   # a Location in UTF-8, as servers send one: http.server writes str as latin-1
            self._send(302, b"", {"Location": "/caf\u00e9/page".encode("utf-8").decode("latin-1")})
        elif path == "/to-bare-percent":   # a '%' that starts no escape: requests sends it as %25
            self._send(302, b"", {"Location": "/page.html?off=50%"})
        elif path == "/caf%C3%A9/page":
            self._send(200, PAGE, html)
        elif path == "/to-file":
            self._send(302, b"", {"Location": "file:///etc/passwd"})
        elif path in ("/loop-a", "/loop-b"):
            self._send(302, b"", {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left:
                self._send(302, b"", {"Location": f"/chain/{left - 1}"})
            else:
                self._send(200, b"end of chain", {"Content-Type": "text/plain"})
        elif path == "/missing":
            self._send(404, b"no such page", {"Content-Type": "text/plain"})
        elif path == "/error":
            self._send(500, b"boom", {"Content-Type": "text/plain"})
        elif path == "/flaky":
            if hits <= 2:
                self._send(503, b"busy")
            else:
                self._send(200, PAGE, html)
        elif path == "/too-many":
            if hits == 1:
                self._send(429, b"slow down", {"Retry-After": "7"})
            else:
                self._send(200, PAGE, html)
        elif path == "/retry-after":   # a 429 first, its Retry-After `value` as given or an HTTP-date `in` seconds
            query = parse_qs(urlsplit(self.path).query)
            if hits == 1:
                wait = query["value"][0] if "value" in query else email.utils.formatdate(
                    time.time() + float(query["in"][0]), usegmt=True)
                self._send(429, b"slow down", {"Retry-After": wait})
            else:
                self._send(200, PAGE, html)
        elif path == "/slow":
            time.sleep(1.0)
            self._send(200, PAGE, html)
        elif path == "/trickle-head":   # each header line well within any read timeout, the head never ending soon
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for number in range(40):
                    self.wfile.write(b"X-Slow-%d: x\r\n" % number)
                    self.wfile.flush()
                    time.sleep(0.1)
                self.wfile.write(b"Content-Length: 0\r\n\r\n")
            except OSError:   # the client gave up: so much the better
                self.close_connection = True
        elif path == "/trickle-line":   # one header line, a byte at a time, each well within any read timeout
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
                self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
            except OSError:   # the client gave up: so much the better
                self.close_connection = True
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        elif path in ("/odd-length", "/long-length"):   # a Content-Length int() refuses: superscript two, 5,000 digits
            value = "\u00b2" if path == "/odd-length" else "9" * 5000
            self.send_response(200)
            self.send_header("Content-Length", value)   # (http.server writes it as latin-1: the byte B2)
            self.end_headers()
            self.wfile.write(b"ab")
            self.close_connection = True
        elif path == "/huge":
            self._stream_huge(with_length=True)
        elif path == "/huge-nolength":
            self._stream_huge(with_length=False)
        elif path == "/gzip":
            self._send(200, gzip.compress(PAGE, mtime=0), {**html, "Content-Encoding": "gzip"})
        elif path in ENCODED:   # received in full, but a Content-Encoding that cannot be undone
            coding, body = ENCODED[path]
            self._send(200, body, {**html, "Content-Encoding": coding})
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/paper.pdf":
            self._send(200, PDF, {"Content-Type": "application/pdf"})
        elif path == "/blob":
            self._send(200, BLOB, {"Content-Type": "application/octet-stream"})
        elif path == "/to-pdf":
            self._send(302, b"see the PDF", {"Location": "/paper.pdf"})
        elif path == "/wrong-charset":
            self._send(200, WRONG_CHARSET, {"Content-Type": "text/html; charset=iso-8859-1"})
        elif path.startswith("/status/"):   # /status/NNN: a 3xx to /page.html, any other with the page (204: empty)
            status = int(path.rsplit("/", 1)[1])
            self._send(status, b"" if status == 204 else PAGE, {"Location": "/page.html"} if 300 <= status < 400 else html)
        elif path in ("/empty", "/blank", "/script-only", "/empty-gzip"):   # 200, but no text
            body = {"/empty": b"", "/blank": b" \r\n\t", "/empty-gzip": gzip.compress(b"", mtime=0),
                    "/script-only": b"<!doctype html><body><div id=app></div><script>draw()</script></body>"}[path]
            self._send(200, body, {**html, "Content-Encoding": "gzip"} if path == "/empty-gzip" else
                       {"Content-Type": "text/plain"} if path == "/blank" else html)
        elif path in ("/cookie-check", "/cookie-a"):   # a 302 that sets a cookie (to itself, or by way of
            if "seen=1" in (self.headers.get("Cookie") or ""):   # /cookie-b), then the page to the cookie
                self._send(200, PAGE, html)
            elif path == "/cookie-a":
                self._send(302, b"", {"Location": "/cookie-b"})
            else:
                self._send(302, b"", {"Location": "/cookie-check", "Set-Cookie": "seen=1; Path=/"})
        elif path == "/cookie-b":
            self._send(302, b"", {"Location": "/cookie-a", "Set-Cookie": "seen=1; Path=/"})
        elif path in ("/cookie-same", "/cookie-new"):   # to itself for ever, the same cookie each time, or a new one
            self._send(302, b"", {"Location": path, "Set-Cookie": f"n={1 if path == '/cookie-same' else hits}; Path=/"})
        elif path == "/visits":   # the page, each answer numbered (X-Visit): the same page, another response
            self._send(200, PAGE, {**html, "X-Visit": str(hits)})
        elif path in ("/no-location", "/blank-location"):   # a 302 with no Location, or one of white space alone
            self._send(302, b"moved", {} if path == "/no-location" else {"Location": "  "})
        elif path == "/goto":   # /goto?to=URL: a 302 to that URL
            self._send(302, b"", {"Location": parse_qs(urlsplit(self.path).query)["to"][0]})
        elif path.startswith("/declares/"):   # /declares/N: Content-Length N, then two bytes and the end
            self.send_response(200)
            self.send_header("Content-Length", path.rsplit("/", 1)[1])
            self.end_headers()
            self.wfile.write(b"ab")
            self.close_connection = True
        elif path == "/stall-body":   # two bytes of ten, then nothing for a second
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"ab")
            self.wfile.flush()
            time.sleep(1.0)
            self.close_connection = True
        elif path == "/says-chunked":   # a header whose value says chunked, but no Transfer-Encoding
            self._send(200, b"plain", {"X-Note": "not chunked"})
        elif path == "/lf-head":   # a head in bare LFs (http.client takes them), CRLF CRLF inside the body
            self.wfile.write(b"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: %d\n\n%s"
                             % (len(LF_HEAD_BODY), LF_HEAD_BODY))
        elif path == "/http09":   # no status line, no head: the body alone (HTTP/0.9)
            self.wfile.write(b"<p>" + b"x" * 1000 + b"</p>")
            self.close_connection = True
        elif path == "/many-headers":   # more than http.client's 100
            self.wfile.write(b"HTTP/1.1 200 OK\r\n" + b"X-N: 1\r\n" * 101 + b"Content-Length: 0\r\n\r\n")
            self.close_connection = True
        elif path == "/long-header":   # a header line over http.client's 64 KiB
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Long: " + b"y" * 70000 + b"\r\nContent-Length: 0\r\n\r\n")
            self.close_connection = True
        elif path == "/long-reason":   # a 404 whose reason phrase goes on for 5,000 characters
            self.wfile.write(b"HTTP/1.1 404 " + b"z" * 5000 + b"\r\nContent-Length: 0\r\n\r\n")
        elif path == "/utf8-reason":   # a 404 whose reason phrase is UTF-8 (Russian: "not found")
            self.wfile.write(b"HTTP/1.1 404 " + "Не найдено".encode("utf-8") + b"\r\nContent-Length: 0\r\n\r\n")
        elif path == "/latin1-reason":   # a 404 whose reason phrase is Latin-1 (French: "not found", with a \xe9)
            self.wfile.write(b"HTTP/1.1 404 Non trouv\xe9\r\nContent-Length: 0\r\n\r\n")
        elif path == "/no-reason":   # a 410 with no reason phrase (HTTP/1.1 allows none)
            self.wfile.write(b"HTTP/1.1 410\r\nContent-Length: 4\r\n\r\ngone")
        elif path in ("/cut-chunk", "/bad-chunk"):   # one chunk, then the connection closes / a size that is no number
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"5\r\nhello\r\n" + (b"zz\r\nmore\r\n0\r\n\r\n" if path == "/bad-chunk" else b""))
            self.close_connection = True
        elif path in ("/continue", "/early-hints", "/processing"):   # interim 1xx heads, then the answer
            interim = {"/continue": b"HTTP/1.1 100 Continue\r\n\r\n",
                       "/early-hints": b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
                       "/processing": b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"}[path]
            self.wfile.write(interim + b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(PAGE), PAGE))
        elif path == "/switching":   # a 101 to a GET that asked for no upgrade: no answer to archive
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            self.close_connection = True
        elif path == "/odd-head":
            self.wfile.write(b"HTTP/1.1 200  Fine\r\nX-Odd:   spaced  \r\ncontent-length: 2\r\n\r\nok")
        else:
            self._send(404)

    def _stream_huge(self, *, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if with_length:
            self.send_header("Content-Length", str(HUGE))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            for _ in range(HUGE // 65536):
                self.wfile.write(b"\0" * 65536)
        except OSError:
            pass


class _QuietServer(ThreadingHTTPServer):
    """Does not print tracebacks when a client hangs up early (the cap tests do)."""

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore: clients in these tests close connections on purpose."""


@contextmanager
def _running(server: ThreadingHTTPServer) -> Iterator[None]:
    """Serve in a thread for the duration of the block, then shut the server down and close it."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


@contextmanager
def serve(tls: ssl.SSLContext | None = None) -> Iterator[ServerState]:
    """Run the server on 127.0.0.1 in a thread for the duration of the block (over TLS with `tls`)."""
    state = ServerState(scheme="https" if tls else "http")
    handler = type("Handler", (_Handler,), {"state": state})
    server = _QuietServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.block_on_close = False
    state.port = server.server_address[1]
    with _running(server):
        yield state


@dataclass
class ProxyState:
    """What the proxy saw: each request's line and headers (a GET to forward, or a CONNECT)."""

    port: int = 0
    seen: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    credentials: str | None = None   # a Proxy-Authorization asked for (407 without it), or None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class _ProxyHandler(BaseHTTPRequestHandler):
    """An HTTP proxy to one origin on 127.0.0.1, whatever host a request names: a GET in absolute form is forwarded
    (its answer relayed with a Via header added), a CONNECT opens a tunnel."""

    protocol_version = "HTTP/1.1"
    state: ProxyState
    origin: int

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def _allowed(self) -> bool:
        self.state.seen.append((self.requestline, list(self.headers.items())))
        if self.state.credentials is None or self.headers.get("Proxy-Authorization") == self.state.credentials:
            return True
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._allowed():
            return
        target = urlsplit(self.path)
        upstream = http.client.HTTPConnection("127.0.0.1", self.origin, timeout=5)
        headers = {name: value for name, value in self.headers.items() if name.lower() != "proxy-authorization"}
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Via", "1.1 test-proxy")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()

    def do_CONNECT(self) -> None:  # noqa: N802
        if not self._allowed():
            return
        upstream = socket.create_connection(("127.0.0.1", self.origin), timeout=5)
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        ends = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(ends, [], [], 5)
                data = readable[0].recv(65536) if readable else b""
                if not data:
                    break
                (upstream if readable[0] is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True


@contextmanager
def serve_proxy(origin: int) -> Iterator[ProxyState]:
    """An HTTP proxy on 127.0.0.1 that sends every request on to 127.0.0.1:origin, for the block's duration."""
    state = ProxyState()
    handler = type("ProxyHandler", (_ProxyHandler,), {"state": state, "origin": origin})
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    state.port = server.server_address[1]
    with _running(server):
        yield state


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA, valid for a day either side of now) and its key,
    written to folder/cert.pem and folder/key.pem."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def serve_tls(folder: Path) -> Iterator[tuple[ServerState, Path]]:
    """The server over TLS, with a self-signed certificate for 127.0.0.1 written to folder/cert.pem (for `verify`)."""
    ca, key_path = self_signed(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca, key_path)
    with serve(context) as state:
        yield state, ca
