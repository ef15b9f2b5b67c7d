"""A raw byte stream read in large blocks: every byte hashed exactly once (for a sidecar), progress told as it goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

READ_SIZE = 1 << 20


class RawReader:
    """Reads a binary stream in large blocks; hashes every byte exactly once when given a hasher."""

    def __init__(self, stream: BinaryIO, *, hasher: Any = None, read_size: int = READ_SIZE,
                 on_read: Callable[[int], None] | None = None) -> None:
        self._stream = stream
        self._hasher = hasher
        self._read_size = read_size
        self.on_read = on_read  # told the offset reached after each block (progress)
        self.offset = 0  # raw offset of the next byte read() returns
        self._hashed_upto = 0

    def read(self) -> bytes:
        """The next block of raw bytes; b"" at the end of the stream."""
        data = self._stream.read(self._read_size)
        if self._hasher is not None and data:
            end = self.offset + len(data)
            if end > self._hashed_upto:
                skip = self._hashed_upto - self.offset
                self._hasher.update(memoryview(data)[skip:] if skip > 0 else data)
                self._hashed_upto = end
        self.offset += len(data)
        if self.on_read is not None:
            self.on_read(self.offset)
        return data

    @property
    def read_size(self) -> int:
        """The bytes each read() asks the stream for."""
        return self._read_size

    @property
    def hashing(self) -> bool:
        """True when every byte read is hashed (for a sidecar)."""
        return self._hasher is not None

    def fileno(self) -> int | None:
        """The stream's file descriptor, or None when it has none."""
        try:
            return int(self._stream.fileno())
        except (AttributeError, OSError, ValueError):
            return None

    def seekable(self) -> bool:
        """True when the stream can be re-read from an earlier offset."""
        try:
            return bool(self._stream.seekable())
        except (AttributeError, OSError, ValueError):
            return False

    def seek(self, offset: int) -> None:
        """Continue reading at raw `offset`."""
        self._stream.seek(offset)
        self.offset = offset

    def hand_over_hashing(self) -> tuple[Any, int] | None:
        """Stop hashing: the hasher and the offset up to which it has hashed, for another reader to go
        on from (None when not hashing)."""
        if self._hasher is None:
            return None
        hasher, self._hasher = self._hasher, None
        return hasher, self._hashed_upto

    def drain(self) -> None:
        """Read (and hash) whatever is left, so the whole stream has been seen."""
        if self._hasher is not None and self.seekable() and self._hashed_upto > self.offset:
            self.seek(self._hashed_upto)
        while self.read():
            pass
