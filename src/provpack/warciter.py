"""warcio's ArchiveIterator, with the warning it writes to stderr turned into a log record, and header blocks capped."""

from __future__ import annotations

import logging
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 1024 * 1024


class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """ArchiveIterator that logs, rather than prints, a record not followed by the blank lines that end it.

    warcio formats INC_RECORD and writes it to sys.stderr itself; empty, it writes
    nothing, and the warning is logged here instead (the library never prints). A header
    block (WARC or HTTP) over MAX_HEADER_BYTES is an ArchiveLoadFailed (see BoundedReader).
    """

    INC_RECORD = ""

    def __init__(self, *args: Any, source: object = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source = source
        self.reader = BoundedReader(self.fh, block_size=self.reader.block_size)  # type: ignore[has-type]

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        errors = self.err_count
        result: tuple[bytes | None, int] = super()._consume_blanklines()
        if self.err_count != errors:
            log.warning("%s: the record at byte %d is not followed by the blank lines that end a WARC record; "
                        "its Content-Length may be wrong (run 'provpack verify')", self._source, self.offset)
        return result


class BoundedReader(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's decompressing reader, refusing header blocks over MAX_HEADER_BYTES.

    warcio reads headers line by line without a limit, so one compressed header
    line of a gigabyte would be held in memory whole; here it is an error.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0

    def read(self, length: int | None = None) -> bytes:
        self._header_bytes = 0
        data: bytes = super().read(length)
        return data

    def readline(self, length: int | None = None) -> bytes:
        room = MAX_HEADER_BYTES - self._header_bytes + 1
        line: bytes = super().readline(room if length is None else min(length, room))
        self._header_bytes = self._header_bytes + len(line) if line.strip(b"\r\n") else 0
        if self._header_bytes > MAX_HEADER_BYTES:
            raise ArchiveLoadFailed(f"a header block is larger than {MAX_HEADER_BYTES} bytes")
        return line
