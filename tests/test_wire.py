"""Tests for provpack.wire: address classification and head recording."""

from __future__ import annotations

import io

import pytest

from provpack.wire import HeadRecorder, address_problem


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
