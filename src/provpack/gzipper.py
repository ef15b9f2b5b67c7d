"""Deterministic gzip members, one per WARC record: the same data, backend and level give the same bytes.

A member is a fixed 10-byte header (no mtime, no file name, XFL 0, OS 3), a raw
deflate stream and the CRC-32 + length trailer of RFC 1952. Writing the header
ourselves keeps it the same on every platform (zlib writes its build's OS code).

Backends: `isal` (ISA-L through python-isal: about 6x zlib's speed here, same
ratio as zlib level 1-2; the default where it is installed) and `zlib` (the
standard library: everywhere, and the same deflate bytes on every machine with
the reference zlib). Different backends give different, equally standard, gzip.
"""

from __future__ import annotations

import logging
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InputError, option

log = logging.getLogger(__name__)

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
BACKENDS = ("isal", "zlib")
LEVELS = {"isal": range(0, 4), "zlib": range(0, 10)}
DEFAULT_LEVELS = {"isal": 1, "zlib": 6}
ONE_SHOT_LIMIT = 1 << 20   # blocks up to this size are deflated in one call; larger ones in slices
SLICE = 1 << 20
_RAW = -15                 # raw deflate: no zlib or gzip wrapper, we write our own


try:
    from isal import igzip_lib as _IGZIP
    from isal import isal_zlib as _ISAL
except ImportError:  # python-isal has no wheel for this platform: zlib only
    _ISAL = None  # type: ignore[assignment]
    _IGZIP = None  # type: ignore[assignment]


def available_backends() -> tuple[str, ...]:
    """The backends this installation can use, fastest first."""
    return tuple(name for name in BACKENDS if name != "isal" or _ISAL is not None)


def default_backend() -> str:
    """isal when installed, else zlib."""
    return available_backends()[0]


@dataclass(frozen=True, slots=True)
class Deflate:
    """A deflate backend and level; turns a record's bytes into one gzip member."""

    backend: str
    level: int

    def member(self, *parts: bytes) -> bytes:
        """One gzip member holding the concatenation of `parts`."""
        return b"".join(self.pieces(*parts))

    def pieces(self, *parts: bytes) -> Iterable[bytes]:
        """The member in a few pieces; large data deflated slice by slice, as the pieces are consumed."""
        size = sum(map(len, parts))
        if size > ONE_SHOT_LIMIT:
            return self._stream(parts)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if self.backend == "isal":   # ISA-L writes the deflate stream and the CRC-32 and length trailer
            return (GZIP_HEADER, _isal_gzip_without_header(data, self.level))
        return (GZIP_HEADER, _zlib_one_shot(data, self.level), struct.pack("<II", zlib.crc32(data), size))

    def _stream(self, parts: Sequence[bytes]) -> Iterator[bytes]:
        compressor = _compressobj(self.backend, self.level)
        yield GZIP_HEADER
        crc = 0
        size = 0
        for part in parts:
            view = memoryview(part)
            for start in range(0, len(view), SLICE):
                piece = view[start:start + SLICE]
                crc = zlib.crc32(piece, crc)
                yield compressor.compress(piece)
            size += len(view)
        yield compressor.flush()
        yield struct.pack("<II", crc, size & 0xFFFFFFFF)


_ZLIB = option("--deflate zlib", "deflate='zlib'")


def choose(backend: str | None = None, level: int | None = None) -> Deflate:
    """The Deflate for a backend name (None: the default) and level (None: the backend's default)."""
    name = default_backend() if backend is None else backend
    if name not in BACKENDS:
        raise InputError(option("--deflate"), f"unknown deflate backend {name!r}",
                         fix=f"use one of {', '.join(BACKENDS)}")
    if name not in available_backends():
        raise InputError(option("--deflate"), f"the {name} backend is not installed",
                         fix=f"pip install isal, or use {_ZLIB}")
    chosen = DEFAULT_LEVELS[name] if level is None else level
    if chosen not in LEVELS[name]:
        allowed = LEVELS[name]
        raise InputError(option("--level"), f"{name} levels are {allowed[0]} to {allowed[-1]}, not {chosen}",
                         fix=f"pick a level in that range, or another {option('--deflate')} backend")
    if backend is None and name != "isal":
        log.info("isal is not installed: compressing with zlib (slower, different bytes)")
    return Deflate(name, chosen)


def _isal_gzip_without_header(data: bytes, level: int) -> bytes:
    """A gzip member from ISA-L without its header: the deflate stream and the CRC-32 and length trailer."""
    result: bytes = _IGZIP.compress(data, level, _IGZIP.COMP_GZIP_NO_HDR)
    return result


def _zlib_one_shot(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, _RAW)
    return compressor.compress(data) + compressor.flush()


def _compressobj(backend: str, level: int) -> Any:
    if backend == "isal":
        return _ISAL.compressobj(level, _ISAL.DEFLATED, _RAW)
    return zlib.compressobj(level, zlib.DEFLATED, _RAW)
