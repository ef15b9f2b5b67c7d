"""Gzip members for the verifier: the header and the CRC-32/length trailer checked here, the deflate data
inflated by python-isal when it is installed (about twice as fast), else by zlib.

The header is parsed here rather than by the inflater because python-isal accepts reserved
header flags that zlib refuses; the messages are zlib's, whichever library inflates.
"""

from __future__ import annotations

import struct
import zlib
from types import ModuleType
from typing import Any

isal_zlib: ModuleType | None
try:
    from isal import isal_zlib
except ImportError:  # not installed, or no wheel for this platform: zlib does it all
    isal_zlib = None

HEADER_LIMIT = 1 << 20  # a gzip header (FEXTRA, FNAME, FCOMMENT) running on longer than this is refused
TRAILER = struct.Struct("<II")  # CRC-32, then ISIZE: the uncompressed length modulo 2**32

_FHCRC, _FEXTRA, _FNAME, _FCOMMENT, _RESERVED = 0x02, 0x04, 0x08, 0x10, 0xE0


class GzipError(Exception):
    """A gzip member that cannot be read; the message is zlib's wording."""


def fast_inflater() -> ModuleType | None:
    """python-isal's zlib module when it can be used, else None."""
    return isal_zlib


def header_length(buf: bytes, pos: int) -> int:
    """Length of the gzip header at buf[pos] (magic already seen); 0 when `buf` ends first; GzipError when bad."""
    end = len(buf)
    if end - pos < 10:
        return 0
    if buf[pos + 2] != 8:
        raise GzipError("unknown compression method")
    flags = buf[pos + 3]
    if flags & _RESERVED:
        raise GzipError("unknown header flags set")
    cursor = pos + 10
    if flags & _FEXTRA:
        if end - cursor < 2:
            return _need_more(end - pos)
        cursor += 2 + (buf[cursor] | buf[cursor + 1] << 8)
        if cursor > end:
            return _need_more(end - pos)
    for flag in (_FNAME, _FCOMMENT):
        if flags & flag:
            zero = buf.find(b"\0", cursor)
            if zero < 0:
                return _need_more(end - pos)
            cursor = zero + 1
    if flags & _FHCRC:
        if end - cursor < 2:
            return _need_more(end - pos)
        if zlib.crc32(buf[pos:cursor]) & 0xFFFF != buf[cursor] | buf[cursor + 1] << 8:
            raise GzipError("header crc mismatch")
        cursor += 2
    return cursor - pos


def _need_more(have: int) -> int:
    if have > HEADER_LIMIT:
        raise GzipError(f"header fields run on for more than {HEADER_LIMIT} bytes")
    return 0


def check_trailer(buf: bytes, pos: int, crc: int, size: int) -> None:
    """GzipError unless the 8 bytes at buf[pos] are this CRC-32 and length."""
    stored_crc, stored_size = TRAILER.unpack_from(buf, pos)
    if stored_crc != crc:
        raise GzipError("incorrect data check")
    if stored_size != size & 0xFFFFFFFF:
        raise GzipError("incorrect length check")


def reason(exc: BaseException) -> str:
    """An inflater's message without zlib's "Error -3 while decompressing data:" prefix."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def errors(fast: Any) -> tuple[type[BaseException], ...]:
    """The exceptions an inflater raises on bad data."""
    return (zlib.error, GzipError) if fast is None else (zlib.error, GzipError, fast.error)
