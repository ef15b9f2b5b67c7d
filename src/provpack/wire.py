"""Record what goes over the wire: the request bytes sent, the response head received, the peer.

urllib3 connection and pool classes that report to the `Wire` set in `CURRENT` (a context
variable, so a pooled connection reports to whichever capture is using it). The first send
on a request checks the connected peer's address, so a host whose DNS changed after the
capture checked it is still refused. Used by `capture`, which mounts these pools in a
requests adapter.
"""

from __future__ import annotations

import contextvars
import http.client
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

__all__ = [
    "CURRENT",
    "BlockedAddress",
    "HeadRecorder",
    "RecordingHTTPPool",
    "RecordingHTTPSPool",
    "Wire",
    "address_problem",
]


def address_problem(address: str) -> str | None:
    """Why an IP address may not be fetched by default ("loopback", "private", ...), or None."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    return next((name for name, applies in checks if applies), None)


@dataclass
class Wire:
    """What one request sent and received, filled in by the recording connection."""

    allow_private: bool
    deadline: float | None = None  # time.monotonic() by which the response head must have arrived
    sent: bytearray = field(default_factory=bytearray)
    head: bytes | None = None
    peer: str | None = None


CURRENT: contextvars.ContextVar[Wire | None] = contextvars.ContextVar("provpack_wire", default=None)


class BlockedAddress(Exception):
    """The connection reached an address the capture may not fetch."""

    def __init__(self, address: str, problem: str) -> None:
        super().__init__(f"{address} is {problem}")
        self.address = address
        self.problem = problem


class HeadRecorder:
    """Wraps a response's socket file and keeps the lines http.client reads as the head.

    With a deadline, each line must arrive before it: the socket's timeout is cut to the time
    left, so a server sending its head a line at a time cannot hold the capture past it.
    """

    def __init__(self, fp: Any, sock: socket.socket | None = None, deadline: float | None = None) -> None:
        self.fp = fp
        self.lines: list[bytes] = []
        self._sock = sock
        self._deadline = deadline
        self.timeout = sock.gettimeout() if sock is not None else None  # as it was, to restore

    def readline(self, limit: int = -1) -> bytes:
        if self._deadline is None or self._sock is None or not hasattr(self.fp, "peek"):
            line: bytes = self.fp.readline(limit)
        else:
            line = self._readline_by(self._deadline, self._sock, limit)
        self.lines.append(line)
        return line

    def _readline_by(self, deadline: float, sock: socket.socket, limit: int) -> bytes:
        """One line, read as it arrives (each wait cut to the time left): a line trickled a byte at a time,
        each within the read timeout, still ends at the deadline."""
        line = bytearray()
        while limit < 0 or len(line) < limit:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the total time limit passed while the response head was read")
            sock.settimeout(left if self.timeout is None else min(self.timeout, left))
            buffered: bytes = self.fp.peek(1)   # what has arrived, waiting for at most one read if nothing has
            if not buffered:
                break
            room = len(buffered) if limit < 0 else min(len(buffered), limit - len(line))
            end = buffered.find(b"\n", 0, room)
            line += self.fp.read(room if end < 0 else end + 1)   # bytes already buffered: no wait
            if end >= 0:
                break
        return bytes(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fp, name)

    def final_head(self) -> bytes:
        """The last head read (interim 1xx heads dropped: the answer is the last), through its blank line."""
        heads: list[bytes] = []
        current = bytearray()
        for line in self.lines:
            current += line
            if line in (b"\r\n", b"\n"):
                heads.append(bytes(current))
                current = bytearray()
        return heads[-1] if heads else bytes(current)


class _RecordingResponse(http.client.HTTPResponse):
    """An http.client response that hands its raw head to the current Wire."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        wire = CURRENT.get()
        self._sock = sock
        self.fp: Any = HeadRecorder(self.fp, sock, None if wire is None else wire.deadline)

    def _read_status(self) -> tuple[str, int, str]:
        """The status line; an interim 1xx other than 101 (102 Processing, 103 Early Hints) reads as a 100, whose
        head begin() skips as it skips 100 Continue's: http.client skips only 100, and took a 103 for the answer.
        (A 101 ends the exchange: what follows is another protocol.)"""
        version, status, reason = super()._read_status()  # type: ignore[misc]
        return (version, http.client.CONTINUE if 101 < status < 200 else status, reason)

    def begin(self) -> None:
        recorder = self.fp
        super().begin()
        if isinstance(recorder, HeadRecorder) and recorder.lines:
            self._sock.settimeout(recorder.timeout)   # the body is read with the usual read timeout
        wire = CURRENT.get()
        if wire is not None and isinstance(recorder, HeadRecorder):
            wire.head = recorder.final_head()
        if isinstance(self.fp, HeadRecorder):
            self.fp = self.fp.fp


def _record_send(connection: HTTPConnection, data: Any) -> None:
    """Check the peer's address and keep the bytes about to be sent. Through a proxy the peer is the proxy, which
    the user named (it may well be on a private network): not checked, nor recorded as the server's address."""
    wire = CURRENT.get()
    if wire is None:
        return
    if wire.peer is None and connection.sock is not None and connection.proxy is None:
        wire.peer = str(connection.sock.getpeername()[0])
        problem = None if wire.allow_private else address_problem(wire.peer)
        if problem is not None:
            raise BlockedAddress(wire.peer, problem)
    if isinstance(data, (bytes, bytearray, memoryview)):
        wire.sent += data


class _Recording(HTTPConnection):
    """Records the bytes a connection sends and the head it receives (a mixin for both schemes)."""

    response_class = _RecordingResponse
    _tunnelling = False

    def send(self, data: Any) -> None:
        if self.sock is None:
            self.connect()
        if not self._tunnelling:
            _record_send(self, data)
        super().send(data)

    def _tunnel(self) -> None:
        """The CONNECT that opens a tunnel through a proxy (its answer's head read by the Wire's deadline too): no
        part of the exchange with the server, so not recorded; the socket's timeout is restored after it."""
        timeout = self.sock.gettimeout() if self.sock is not None else None
        self._tunnelling = True
        try:
            super()._tunnel()
        finally:
            self._tunnelling = False
            if self.sock is not None:
                self.sock.settimeout(timeout)


class _RecordingHTTPConnection(_Recording):
    """urllib3 connection that records the bytes it sends and the head it receives."""


class _RecordingHTTPSConnection(_Recording, HTTPSConnection):
    """The TLS variant: records the plaintext HTTP bytes."""


class RecordingHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _RecordingHTTPConnection


class RecordingHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _RecordingHTTPSConnection
