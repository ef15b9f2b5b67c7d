"""Tests for provpack.gzipper: deterministic, standard gzip members from either backend."""

from __future__ import annotations

import dataclasses
import gzip
import logging
import random
import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import gzipper
from provpack.errors import InputError
from provpack.gzipper import GZIP_HEADER, ONE_SHOT_LIMIT, Deflate, available_backends, choose

BACKENDS = available_backends()


@given(data=st.binary(max_size=5000), backend=st.sampled_from(BACKENDS), level=st.integers(0, 3))
def test_member_is_standard_gzip(data: bytes, backend: str, level: int) -> None:
    """Every member decompresses to its data with gzip, one member, with our fixed header."""
    member = Deflate(backend, level).member(data[:len(data) // 2], data[len(data) // 2:])
    assert gzip.decompress(member) == data
    decompressor = zlib.decompressobj(31)
    assert decompressor.decompress(member) == data and decompressor.eof and not decompressor.unused_data
    assert member[:10] == GZIP_HEADER


def test_header_has_no_time_no_name_and_a_fixed_os() -> None:
    """mtime 0, no FNAME/FEXTRA flags, XFL 0, OS 3: the same header on every platform."""
    for backend in BACKENDS:
        header = Deflate(backend, 1).member(b"x")[:10]
        assert header[3] == 0 and header[4:8] == b"\0\0\0\0" and header[8] == 0 and header[9] == 3


@given(data=st.binary(max_size=3000), level=st.integers(0, 9))
def test_zlib_backend_writes_zlibs_own_deflate_stream(data: bytes, level: int) -> None:
    """The zlib backend's bytes after the header are zlib's gzip output exactly (what archives held before)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    reference = compressor.compress(data) + compressor.flush()
    assert Deflate("zlib", level).member(data)[10:] == reference[10:]


@pytest.mark.skipif("isal" not in BACKENDS, reason="python-isal is not installed")
@given(data=st.binary(max_size=3000), level=st.integers(0, 3))
def test_isal_backend_writes_isals_own_gzip_member(data: bytes, level: int) -> None:
    """The isal backend's bytes after the header are ISA-L's whole gzip member's (what archives held before)."""
    from isal import igzip_lib

    pieces = Deflate("isal", level).pieces(data[:7], data[7:])
    assert b"".join(pieces)[10:] == igzip_lib.compress(data, level, igzip_lib.COMP_GZIP)[10:]


@pytest.mark.parametrize("backend", BACKENDS)
def test_large_data_streams_in_slices(backend: str) -> None:
    """Past ONE_SHOT_LIMIT the member comes in pieces, is the same every time, and is still one gzip member."""
    block = bytes(range(256)) * ((ONE_SHOT_LIMIT // 256) + 300)
    deflate = Deflate(backend, 1)
    pieces = list(deflate.pieces(b"head\r\n", block, b"\r\n\r\n"))
    assert len(pieces) > 3
    member = b"".join(pieces)
    assert member == deflate.member(b"head\r\n", block, b"\r\n\r\n")
    assert gzip.decompress(member) == b"head\r\n" + block + b"\r\n\r\n"


def test_zlib_output_does_not_depend_on_slicing() -> None:
    """zlib's streamed member equals its one-shot member, so the slice size never changes zlib archives."""
    block = bytes(range(256)) * ((ONE_SHOT_LIMIT // 256) + 300)
    streamed = Deflate("zlib", 6).member(block)
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    assert streamed[10:] == (compressor.compress(block) + compressor.flush())[10:]


def test_choose_defaults_and_refusals() -> None:
    """Default backend and level; unknown backends and out-of-range levels are input errors."""
    assert choose() == Deflate(gzipper.default_backend(), gzipper.DEFAULT_LEVELS[gzipper.default_backend()])
    assert choose("zlib") == Deflate("zlib", 6)
    assert choose("zlib", 9) == Deflate("zlib", 9)
    with pytest.raises(InputError, match="unknown deflate backend"):
        choose("brotli")
    with pytest.raises(InputError, match="levels are 0 to 9"):
        choose("zlib", 10)
    if "isal" in BACKENDS:
        assert choose() == Deflate("isal", 1)
        with pytest.raises(InputError, match="isal levels are 0 to 3"):
            choose("isal", 6)


def test_without_isal_zlib_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where python-isal is not installed, the default is zlib and asking for isal says how to get it."""
    monkeypatch.setattr(gzipper, "_ISAL", None)
    assert available_backends() == ("zlib",)
    assert choose() == Deflate("zlib", 6)
    with pytest.raises(InputError, match="not installed"):
        choose("isal")


@pytest.mark.skipif("isal" not in available_backends(), reason="python-isal is not installed")
@given(data=st.binary(max_size=3000) | st.text(max_size=2000).map(lambda text: text.encode("utf-8") * 3),
       level=st.integers(0, 3))
def test_isal_member_is_the_raw_deflate_stream_in_our_gzip_frame(data: bytes, level: int) -> None:
    """Our header, a raw deflate stream of the data, and the RFC 1952 trailer.

    (Not compared byte for byte with `isal_zlib.compress(data, level, -15)`: in one full-suite run
    that separate entry point of python-isal gave another valid stream than usual for the same
    input and level, which could not be made to happen again. The bytes provpack writes are
    compared with the entry point it calls, igzip_lib, above.)
    """
    member = Deflate("isal", level).member(data[:7], data[7:])
    assert member[:10] == GZIP_HEADER
    assert zlib.decompress(member[10:-8], -15) == data
    assert member[-8:] == struct.pack("<II", zlib.crc32(data), len(data))


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_shot_up_to_the_limit_then_slices(backend: str) -> None:
    """Exactly ONE_SHOT_LIMIT bytes are deflated in one call; one byte more streams; an odd length is
    recorded exactly in the trailer either way."""
    data = bytes(range(251)) * (ONE_SHOT_LIMIT // 251) + b"x" * (ONE_SHOT_LIMIT % 251)
    assert len(data) == ONE_SHOT_LIMIT
    deflate = Deflate(backend, 1)
    one_shot = list(deflate.pieces(data))
    assert len(one_shot) == (2 if backend == "isal" else 3)
    for block in (data, data + b"y"):
        member = deflate.member(block)
        assert gzip.decompress(member) == block
        assert member[-8:] == struct.pack("<II", zlib.crc32(block), len(block))
    assert len(list(deflate.pieces(data + b"y"))) > 3


def test_zlib_window_reaches_back_32_kib() -> None:
    """zlib finds a 20,000-byte random run again at 20,000 bytes' distance (the full 32 KiB window), deflating in
    one call and streaming in slices. (ISA-L at these levels keeps such data stored, whatever the window.)"""
    run = random.Random(5).randbytes(20_000)
    for copies in (2, 60):
        data = run * copies
        member = Deflate("zlib", 1).member(data)
        assert gzip.decompress(member) == data
        assert len(member) < 2 * len(run), copies   # a 16 KiB window would find no repeat: about 20,000 x copies


def test_deflate_is_frozen() -> None:
    """A Deflate cannot be changed once chosen (it is shared by every record of a run)."""
    deflate = choose("zlib")
    with pytest.raises(dataclasses.FrozenInstanceError):
        deflate.level = 1  # type: ignore[misc]
    assert hash(deflate) == hash(Deflate("zlib", 6))


def test_choose_level_bounds() -> None:
    """The lowest and highest level of each backend are accepted; one past either end is refused."""
    for backend in BACKENDS:
        allowed = gzipper.LEVELS[backend]
        assert choose(backend, allowed[0]).level == allowed[0] and choose(backend, allowed[-1]).level == allowed[-1]
        for level in (allowed[0] - 1, allowed[-1] + 1):
            with pytest.raises(InputError, match=f"{backend} levels are {allowed[0]} to {allowed[-1]}, not {level}"):
                choose(backend, level)
    assert (gzipper.LEVELS["zlib"][0], gzipper.LEVELS["zlib"][-1]) == (0, 9)
    assert (gzipper.LEVELS["isal"][0], gzipper.LEVELS["isal"][-1]) == (0, 3)


def test_refusal_messages_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refusal names the option, the problem and what to do."""
    with pytest.raises(InputError) as caught:
        choose("brotli")
    assert str(caught.value) == "--deflate (deflate): unknown deflate backend 'brotli'; use one of isal, zlib"
    with pytest.raises(InputError) as caught:
        choose("zlib", 12)
    assert str(caught.value) == ("--level (level): zlib levels are 0 to 9, not 12; pick a level in that range, or "
                                 "another --deflate (deflate) backend")
    monkeypatch.setattr(gzipper, "_ISAL", None)
    with pytest.raises(InputError) as caught:
        choose("isal")
    assert str(caught.value) == ("--deflate (deflate): the isal backend is not installed; pip install isal, or use "
                                 "--deflate zlib (deflate='zlib')")


def test_zlib_fallback_is_logged_only_when_isal_was_not_asked_against(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Without isal, the default falling back to zlib says so (at info); asking for zlib, or isal there, says nothing."""
    with caplog.at_level(logging.INFO, logger="provpack.gzipper"):
        choose()
        assert caplog.messages == [] or "isal" not in BACKENDS
    caplog.clear()
    monkeypatch.setattr(gzipper, "_ISAL", None)
    with caplog.at_level(logging.INFO, logger="provpack.gzipper"):
        choose("zlib")
        assert caplog.messages == []
        choose()
    assert caplog.messages == ["isal is not installed: compressing with zlib (slower, different bytes)"]


@pytest.mark.skipif("isal" not in BACKENDS, reason="python-isal is not installed")
def test_isal_streams_with_isal_too() -> None:
    """Past ONE_SHOT_LIMIT the isal backend still deflates with ISA-L (its bytes are not zlib's)."""
    block = bytes(range(256)) * ((ONE_SHOT_LIMIT // 256) + 300)
    isal = Deflate("isal", 1).member(block)
    assert gzip.decompress(isal) == block
    assert isal != Deflate("zlib", 1).member(block)
