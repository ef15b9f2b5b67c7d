"""The scanner's state: a problem of the stream reader is tied to the record being read only when it cuts it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from provpack.problems import Problem
from provpack.rawreader import RawReader
from provpack.warcscan import Scanner
from provpack.warcstream import GAP, Gap, Source

from warcbuild import record

ID = "<urn:uuid:00000000-0000-4000-8000-00000000000a>"
RECORD = record("resource", b"block " * 100, record_id=ID)
HALF = len(RECORD) // 2


class Scripted(Source):
    """The first half of RECORD; a bad-gzip said at offset 7, cutting (then a gap) or not; the second half of RECORD."""

    def __init__(self, cuts: bool) -> None:
        self.scanner: Scanner | None = None
        super().__init__(RawReader(io.BytesIO(b"")), b"", self._to_scanner)
        self._cuts = cuts

    def _to_scanner(self, offset: int, kind: str, message: str, cuts: bool, skipped: tuple[int, int] | None) -> None:
        assert self.scanner is not None
        self.scanner.source_problem(offset, kind, message, cuts, skipped)

    def chunks(self) -> Iterator[bytes | Gap]:
        yield RECORD[:HALF]
        self.report(7, "bad-gzip", "gzip member is corrupt: incorrect data check", cuts=self._cuts)
        if self._cuts:
            yield GAP
        yield RECORD[HALF:]


def scan(cuts: bool) -> Scanner:
    source = Scripted(cuts)
    scanner = source.scanner = Scanner(source)
    scanner.walk()
    return scanner


@pytest.mark.parametrize("cuts", [False, True])
def test_a_source_problem_is_the_records_only_when_it_cuts_it(cuts: bool) -> None:
    """Said while a record is read (by the full reader: the record is not whole in the buffer): a problem that
    cuts nothing (a gzip member's wrong trailer, its output all passed on) is no record's, and the record read
    across it is verified; one that cuts it (a gap follows) is that record's, and the record is not verified."""
    scanner = scan(cuts)
    if cuts:
        assert scanner.problems == [Problem(7, ID, "bad-gzip", "gzip member is corrupt: incorrect data check")]
        assert (scanner.records, scanner.verified) == (1, 0)
    else:
        assert scanner.problems == [Problem(7, None, "bad-gzip", "gzip member is corrupt: incorrect data check")]
        assert (scanner.records, scanner.verified) == (1, 1)
