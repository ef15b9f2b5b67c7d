"""Hand-built WARC bytes read back through the verifier's pieces, for its tests."""

from __future__ import annotations

import io

from provpack.rawreader import RawReader
from provpack.sniff import open_source
from provpack.verify import FileReport, verify_stream
from provpack.warcstream import Source

from warcbuild import record

Found = list[tuple[int, str, str]]


def read_all(data: bytes, read_size: int = 1 << 20) -> tuple[Source, list[bytes | object], Found]:
    found: Found = []
    source = open_source(RawReader(io.BytesIO(data), read_size=read_size),
                         lambda offset, kind, message, cuts, skipped: found.append((offset, kind, message)))
    return source, list(source.chunks()), found


def joined(chunks: list[bytes | object]) -> bytes:
    return b"".join(c for c in chunks if isinstance(c, bytes))


RECORDS = [record("resource", b"block %d " % i * 50) for i in range(3)]


def check(data: bytes, *, seekable: bool = True) -> FileReport:
    stream: io.RawIOBase | io.BytesIO = io.BytesIO(data) if seekable else Unseekable(data)
    return verify_stream(stream, name="t.warc")  # type: ignore[arg-type]


class Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def kinds(report: FileReport) -> list[str]:
    return [p.kind for p in report.problems]
