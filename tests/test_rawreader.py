"""The raw reader: large blocks, every byte hashed once."""

from __future__ import annotations

import hashlib
import io

from provpack.rawreader import RawReader


def test_raw_reader_hashes_every_byte_once() -> None:
    """Seeking back and reading again does not hash bytes twice; drain hashes the rest."""
    data = bytes(range(256)) * 40
    hasher = hashlib.sha256()
    reader = RawReader(io.BytesIO(data), hasher=hasher, read_size=1000)
    reader.read()
    reader.read()
    reader.seek(500)
    reader.read()
    reader.drain()
    assert hasher.hexdigest() == hashlib.sha256(data).hexdigest()


def test_read_size_is_what_each_read_asks_for() -> None:
    """The block size, for a reader that cuts its work where blocks read from some offset would end (gzipsource)."""
    reader = RawReader(io.BytesIO(b"x" * 20), read_size=7)
    assert reader.read_size == 7 and len(reader.read()) == 7
