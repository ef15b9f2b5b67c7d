"""Hand-built WARC bytes read back through the verifier's pieces, for its tests."""

from __future__ import annotations

import io

from provpack.rawreader import RawReader
from provpack.sniff import open_source
from provpack.warcstream import Source

from warcbuild import record

Found = list[tuple[int, str, str]]


def read_all(data: bytes, read_size: int = 1 << 20) -> tuple[Source, list[bytes | object], Found]:
    found: Found = []
    source = open_source(RawReader(io.BytesIO(data), read_size=read_size),
                         lambda offset, kind, message: found.append((offset, kind, message)))
    return source, list(source.chunks()), found


def joined(chunks: list[bytes | object]) -> bytes:
    return b"".join(c for c in chunks if isinstance(c, bytes))


RECORDS = [record("resource", b"block %d " % i * 50) for i in range(3)]
