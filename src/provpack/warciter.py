"""warcio's ArchiveIterator, with the warning it writes to stderr turned into a log record."""

from __future__ import annotations

import logging
from typing import Any

from warcio.archiveiterator import ArchiveIterator

log = logging.getLogger(__name__)


class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """ArchiveIterator that logs, rather than prints, a record not followed by the blank lines that end it.

    warcio formats INC_RECORD and writes it to sys.stderr itself; empty, it writes
    nothing, and the warning is logged here instead (the library never prints).
    """

    INC_RECORD = ""

    def __init__(self, *args: Any, source: object = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source = source

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        errors = self.err_count
        result: tuple[bytes | None, int] = super()._consume_blanklines()
        if self.err_count != errors:
            log.warning("%s: the record at byte %d is not followed by the blank lines that end a WARC record; "
                        "its Content-Length may be wrong (run 'provpack verify')", self._source, self.offset)
        return result
