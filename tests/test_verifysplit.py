"""Reading a file in two parts at once gives the report one serial read gives, whatever the file and split."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provpack import provcheck, recordcheck, verifysplit, warcscan
from provpack.verify import FileReport, _verify_path

from conftest import INTEROP
from warcbuild import archives, gzip_member, http_response, provpack_records, record, texts, warc

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin",
                                reason="two-part reading forks (not on macOS)")


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Splitting allowed for any size; the outcome of every merge attempt is recorded."""
    outcomes: list[bool] = []
    absorb = verifysplit.absorb

    def recording(scanner: warcscan.Scanner, part: verifysplit.Segment) -> bool:
        merged = absorb(scanner, part)
        outcomes.append(merged)
        return merged

    monkeypatch.setattr(verifysplit, "MIN_SIZE", 0)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)  # threads other tests may leave
    monkeypatch.setattr(verifysplit, "absorb", recording)
    yield outcomes


def serial_and_split(path: Path, split: int, monkeypatch: pytest.MonkeyPatch) -> tuple[FileReport, FileReport]:
    """The report of one serial read, and of a two-part read split at raw offset `split`."""
    monkeypatch.setattr(verifysplit, "find_split", lambda *args, **kwargs: split)
    return _verify_path(path, jobs=1), _verify_path(path, jobs=2)


def member_starts(data: bytes) -> list[int]:
    """Offsets of the gzip members of a per-record archive."""
    return [i for i in range(len(data)) if data.startswith(b"\x1f\x8b\x08\x00", i)]


@pytest.mark.parametrize("name", sorted(archives()))
def test_every_split_gives_the_serial_report(name: str, tmp_path: Path, merges: list[bool],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Split at every member start, and at offsets that start no member: the report is the serial one."""
    data = archives()[name]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    (tmp_path / "a.warc.gz.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  a.warc.gz\n")
    splits = member_starts(data)[1:] + [1, len(data) // 2, len(data) - 1]
    for split in splits:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
    assert True in merges  # not only falling back


def test_splits_merge_and_fall_back(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Provenance pairs across the split merge; a record id on both sides falls back to reading on."""
    records = provpack_records(texts(6))
    data = warc(records)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    starts = member_starts(data)
    serial, split_report = serial_and_split(path, starts[4], monkeypatch)  # metadata of the 2nd pair first
    assert split_report == serial and serial.ok and merges == [True]
    assert "provpack provenance records checked: 6" in serial.notes
    duplicated = warc(records + records[1:2])
    path.write_bytes(duplicated)
    serial, split_report = serial_and_split(path, starts[6], monkeypatch)
    assert split_report == serial and merges == [True, False]
    assert [p.kind for p in serial.problems] == ["duplicate-record-id"]


def test_false_candidate_and_stored_member(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip member stored inside a record (level 0) is a false start: the first part reads on."""
    inner = gzip_member(record("resource", b"inner record"))
    records = provpack_records(texts(4))
    outer = [gzip_member(r) for r in records[:3]]
    outer.append(gzip_member(record("resource", inner * 3), level=0))
    outer += [gzip_member(r) for r in records[3:]]
    data = b"".join(outer)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    false_start = data.index(inner, sum(len(m) for m in outer[:3]) + 20)
    serial, split_report = serial_and_split(path, false_start, monkeypatch)
    assert split_report == serial and serial.ok
    assert merges == []  # the first part ran on past the split: the child's work was dropped


def test_a_file_gzipped_in_pieces_with_corrupt_members_split_anywhere(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Records gzipped in pieces of their bytes, two members corrupt: one followed by a member that starts inside a
    record, one by a member that starts a record. Reading resumes at the member after each, and at every split (each
    member start, and all along the file, in the damaged members too) the report is the serial one."""
    ids = [f"<urn:uuid:00000000-0000-4000-8000-0000000000{i:02d}>" for i in range(16)]
    records = [record("resource", b"block %d " % i * 40, record_id=ids[i]) for i in range(16)]
    plain = b"".join(records)
    at = [sum(len(r) for r in records[:i]) for i in range(16)]
    cuts = [0, at[2] + 70, at[4], at[6] - 40, at[8] + 20, at[10] + 7, at[12], at[14] - 9, len(plain)]
    members = [gzip_member(plain[a:b]) for a, b in zip(cuts, cuts[1:])]
    for broken in (3, 5):
        members[broken] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07" + bytes(120)   # (a block of the reserved type)
    data = b"".join(members)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    starts = [sum(len(m) for m in members[:i]) for i in range(1, len(members))]
    serial = None
    damaged = [*range(starts[2], starts[3], 7), *range(starts[4], starts[5], 7)]
    for split in starts + damaged + list(range(1, len(data), 53)):
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
    # (Inflating stops at the 11th byte, the block type's: the 120 bytes after it are skipped unread.)
    assert serial is not None and [(p.offset, p.record_id, p.kind, p.message, p.skipped) for p in serial.problems] == [
        (starts[2], ids[5], "bad-gzip", f"gzip member is corrupt: invalid block type; 120 bytes skipped unread, from"
                                        f" offset {starts[2] + 11} (where inflating stopped) to the next gzip member,"
                                        f" at offset {starts[3]}; that member starts inside a record: reading resumes"
                                        " at the first record start from there on", (starts[2] + 11, starts[3])),
        (starts[4], None, "bad-gzip", f"gzip member is corrupt: invalid block type; 120 bytes skipped unread, from"
                                      f" offset {starts[4] + 11} (where inflating stopped) to the next gzip member, at"
                                      f" offset {starts[5]}", (starts[4] + 11, starts[5])),   # (7 bytes of record 10 before it)
    ]
    assert (serial.records, serial.verified) == (12, 10) and "gzip: 8 members" in serial.notes
    assert True in merges


def test_warnings_beyond_the_listed_limit(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Unverified records are listed up to the limit across the split, and the rest counted."""
    monkeypatch.setattr(recordcheck, "MAX_WARNINGS", 5)
    data = warc([record("resource", f"r{n}".encode(), block_digest=None) for n in range(16)])
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    for split in member_starts(data)[1:]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial and len(serial.warnings) == 5
    assert all(merges)


def test_resources_forgotten_across_the_split(tmp_path: Path, merges: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for few resources, a provenance record after the split finds its resource or not,
    exactly as in one read."""
    monkeypatch.setattr(provcheck, "KEEP_RECORDS", 2)
    every_split_as_one_read(provpack_records(texts(8)), tmp_path, monkeypatch)
    assert any(merges)


@pytest.mark.parametrize("pair", range(7))
def test_resources_forgotten_by_bytes_across_the_split(pair: int, tmp_path: Path, merges: list[bool],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for the bytes of just two blocks, a provenance record after the split finds its
    resource or not, exactly as in one read (the byte budget met exactly, and missed by one)."""
    sample = texts(8)
    monkeypatch.setattr(provcheck, "KEEP_BUDGET", sum(len(text.encode()) for text in sample[pair : pair + 2]))
    every_split_as_one_read(provpack_records(sample), tmp_path, monkeypatch)
    assert any(merges)


def every_split_as_one_read(records: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """warcinfo, all resources, then all provenance records: split at each member, the report of one read."""
    data = warc([records[0]] + records[1::2] + records[2::2])
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    for split in member_starts(data)[1:]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split


def test_a_split_after_a_record_of_no_length_gives_the_serial_report(tmp_path: Path, merges: list[bool],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A record with no Content-Length makes one read skip on silently to the next record: a second part
    that starts there with other bytes is not merged, and at every split the report is the serial one."""
    import re

    records = provpack_records(texts(3))
    header = re.sub(rb"Content-Length: \d+\r\n", b"", record("resource", b"", block_digest=None))
    no_length = header[:header.index(b"\r\n\r\n") + 4]   # its member ends with its header: skipping starts there
    data = warc([*records[:3], no_length]) + gzip_member(b"not a record at all\r\n" * 3) + warc(records[3:])
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    for split in member_starts(data)[1:]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
    assert False in merges


def test_a_problem_of_an_unverified_provenance_record_across_the_split(tmp_path: Path, merges: list[bool],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A provenance record with no digest (unverified) after the split, whose resource before it disagrees
    with it: the merge is refused (its problem cannot be placed exactly), and the report is the serial one."""
    import re

    records = provpack_records(texts(4))
    docs = [json.loads(r[r.index(b"\r\n\r\n") + 4:-4]) for r in records[2::2]]
    docs[1]["sha256"] = "0" * 64   # the 2nd provenance record disagrees with its resource, and has no digest
    records[4] = re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", provpack_records(texts(4), docs=docs)[4])
    data = warc(records)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    serial = None
    for split in member_starts(data)[1:]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
    assert serial is not None and serial.problems and False in merges


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_unverified_records_taken_back_across_the_split(limit: int, tmp_path: Path, merges: list[bool],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An unverified provenance record taken back by a problem found after it (its resource disagreeing, or never
    coming), among unverified records past the listed limit: at every split, the serial report (the merge refused
    when the second part's warnings would not be those one read lists)."""
    import re

    monkeypatch.setattr(recordcheck, "MAX_WARNINGS", limit)
    records = provpack_records(texts(4))
    docs = [json.loads(r[r.index(b"\r\n\r\n") + 4:-4]) for r in records[2::2]]
    docs[1]["sha256"] = "0" * 64
    unverified = re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", provpack_records(texts(4), docs=docs)[4])
    loose = [record("resource", f"loose {n}".encode(), block_digest=None) for n in range(3)]
    for data in (warc([records[0], loose[0], records[1], records[2], unverified, loose[1], records[3], loose[2]]),
                 warc([records[0], loose[0], records[1], records[2], unverified, loose[1], loose[2]])):
        path = tmp_path / "a.warc.gz"
        path.write_bytes(data)
        for split in member_starts(data)[1:]:
            serial, split_report = serial_and_split(path, split, monkeypatch)
            assert split_report == serial, split
            assert (serial.unverified, len(serial.problems)) == (3, 1)
    assert True in merges and False in merges


def test_plain_warc_split_at_record_starts(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """An uncompressed WARC splits at a record's `WARC/1.` line; any other offset reads on."""
    records = provpack_records(texts(5))
    data = b"".join(records)
    path = tmp_path / "a.warc"
    path.write_bytes(data)
    starts = [sum(len(r) for r in records[:i]) for i in range(1, len(records))]
    for split in starts + [7, len(data) // 2]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
    assert merges.count(True) == len(starts)
    broken = bytearray(data)
    broken[starts[3] + 100] ^= 0x20
    path.write_bytes(bytes(broken))
    for split in starts:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial and not serial.ok, split


@pytest.mark.skipif(not INTEROP.is_dir(), reason=f"{INTEROP} is missing")
def test_interop_files(tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file written by another tool, split at each of its first gzip members or records."""
    for source in sorted(INTEROP.glob("*.warc*")):
        data = source.read_bytes()
        path = tmp_path / source.name
        path.write_bytes(data)
        starts = member_starts(data) or [i + 4 for i in range(len(data)) if data.startswith(b"\r\n\r\nWARC/1.", i)]
        for split in starts[1:8] + [len(data) // 2]:
            serial, split_report = serial_and_split(path, split, monkeypatch)
            assert split_report == serial, (source.name, split)
    assert any(merges)


def test_find_split_finds_a_member_near_the_middle(tmp_path: Path) -> None:
    """find_split returns a real member start past the middle; None for a single-member file."""
    records = provpack_records(texts(40))
    data = warc(records)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    split = verifysplit.find_split(path, len(data), compressed=True)
    assert split is not None and split >= len(data) // 2 and split in member_starts(data)
    whole = gzip_member(b"".join(records))
    path.write_bytes(whole)
    assert verifysplit.find_split(path, len(whole), compressed=True) is None
    plain = b"".join(records)
    path.write_bytes(plain)
    split = verifysplit.find_split(path, len(plain), compressed=False)
    assert split is not None and plain.startswith(b"WARC/1.1\r\n", split) and split >= len(plain) // 2


def test_large_file_uses_two_parts_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify() with jobs unset splits a file over MIN_SIZE on a machine with two cores."""
    outcomes: list[bool] = []
    absorb = verifysplit.absorb
    monkeypatch.setattr(verifysplit, "absorb", lambda scanner, part: outcomes.append(absorb(scanner, part)) or outcomes[-1])
    monkeypatch.setattr(verifysplit, "MIN_SIZE", 1 << 16)
    monkeypatch.setattr(verifysplit, "busy", lambda: False)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    data = warc(provpack_records(texts(300)))
    assert len(data) > 1 << 16
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    from provpack.verify import verify

    report = verify(path, jobs=2)
    assert report.ok and report.files[0].records == 601 and outcomes == [True]
    assert report == verify(path, jobs=1)
    assert json.dumps(report.to_json()) == json.dumps(verify(path, jobs=1).to_json())


def test_busy_machine_reads_in_one_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the cores already kept busy by other work, a second process would only slow this one down:
    not by default, but when asked for. Where the load average is all there is, it decides."""
    monkeypatch.setattr(verifysplit, "cores", lambda: 2)
    monkeypatch.setattr(verifysplit, "LOADAVG", str(tmp_path / "no-such-file"))
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    assert verifysplit.running_others() is None and verifysplit.busy()
    monkeypatch.setattr(os, "getloadavg", lambda: (0.3, 1.0, 1.0))
    assert not verifysplit.busy()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.0, 1.0))   # all but half of one core: not yet busy
    assert not verifysplit.busy()
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"x")
    assert verifysplit.can_split(path, verifysplit.MIN_SIZE, None)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    assert not verifysplit.can_split(path, verifysplit.MIN_SIZE, None)
    assert verifysplit.can_split(path, verifysplit.MIN_SIZE, 2)


@pytest.mark.parametrize("line, others, busy", [
    ("1.90 1.20 0.80 1/310 4242\n", 0, False),   # a minute of packaging behind, nothing running now
    ("0.30 0.20 0.10 2/310 4242\n", 1, False),   # one other task: a core is still free
    ("0.30 0.20 0.10 3/310 4242\n", 2, True),    # two others keep both cores busy
    ("0.30 0.20 0.10 9/310 4242\n", 8, True),
])
def test_tasks_running_now_decide_over_the_load_average(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, others: int, busy: bool) -> None:
    """Where /proc/loadavg counts the tasks running now, that count (less this process) decides,
    not the load average, which lags a minute behind."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(line, encoding="ascii")
    monkeypatch.setattr(verifysplit, "LOADAVG", str(loadavg))
    monkeypatch.setattr(verifysplit, "cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (5.0, 5.0, 5.0))   # not consulted
    assert verifysplit.running_others() == others
    assert verifysplit.busy() is busy


def test_the_least_of_three_looks_at_the_running_tasks_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A task running for a moment (seen in one or two looks) does not count: the least of three looks does."""
    loadavg = tmp_path / "loadavg"
    looks = iter(["0.3 0.2 0.1 4/310 42\n", "0.3 0.2 0.1 1/310 42\n"])
    loadavg.write_text("0.3 0.2 0.1 5/310 42\n", encoding="ascii")
    monkeypatch.setattr(verifysplit, "LOADAVG", str(loadavg))
    monkeypatch.setattr(verifysplit.time, "sleep", lambda seconds: loadavg.write_text(next(looks), encoding="ascii"))
    assert verifysplit.running_others() == 0


def test_an_unreadable_task_count_falls_back_to_the_load_average(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A /proc/loadavg of another shape counts as absent."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("0.30 0.20\n", encoding="ascii")
    monkeypatch.setattr(verifysplit, "LOADAVG", str(loadavg))
    monkeypatch.setattr(verifysplit, "cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    assert verifysplit.running_others() is None and verifysplit.busy()


def test_no_second_process_with_threads_or_small_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork only without other threads, for files of MIN_SIZE or more, with jobs > 1."""
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"x")
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 1)
    assert verifysplit.can_split(path, verifysplit.MIN_SIZE, 2)
    assert not verifysplit.can_split(path, verifysplit.MIN_SIZE - 1, 2)
    assert not verifysplit.can_split(path, verifysplit.MIN_SIZE, 1)
    assert not verifysplit.can_split(tmp_path, verifysplit.MIN_SIZE, 2)
    monkeypatch.setattr(verifysplit.threading, "active_count", lambda: 2)
    assert not verifysplit.can_split(path, verifysplit.MIN_SIZE, 2)


def test_small_files_do_not_ask_how_busy_the_machine_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below MIN_SIZE a file is read in one go without looking at the load (a few milliseconds a
    file, which made verifying 500 small files take four times as long)."""
    asked = []
    monkeypatch.setattr(verifysplit, "busy", lambda: asked.append(1) or False)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(b"x")
    assert not verifysplit.can_split(path, verifysplit.MIN_SIZE - 1, None)
    assert asked == []
    assert verifysplit.can_split(path, verifysplit.MIN_SIZE, None) == (verifysplit.cores() > 1)
    assert asked == [1]


@pytest.mark.parametrize("sound", [True, False])
def test_sidecar_hash_goes_on_in_a_thread(sound: bool, tmp_path: Path, merges: list[bool],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With a sidecar, the hash is handed to a thread at the split (this process never hashes the
    second part), joined before the report, which is the serial one, matching sidecar or not."""
    import threading

    data = archives()[sorted(archives())[0]]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    digest = hashlib.sha256(data if sound else data + b"x").hexdigest()
    (tmp_path / "a.warc.gz.sha256").write_text(f"{digest}  a.warc.gz\n")
    handed: list[int] = []

    class Recording(verifysplit.HashRest):
        def __init__(self, path: Path, hasher: object, offset: int) -> None:
            handed.append(offset)
            super().__init__(path, hasher, offset)

    monkeypatch.setattr(verifysplit, "HashRest", Recording)
    split = member_starts(data)[len(member_starts(data)) // 2]
    serial, split_report = serial_and_split(path, split, monkeypatch)
    assert split_report == serial and merges == [True] and len(handed) == 1
    from provpack.rawreader import READ_SIZE

    assert handed == [min(len(data), READ_SIZE)]   # (only the first block, read to sniff, was hashed here)
    assert (any(p.kind == "sidecar-mismatch" for p in serial.problems)) != sound
    assert not any(t.name == "provpack-sidecar-hash" for t in threading.enumerate())


@pytest.mark.parametrize("sound", [True, False])
def test_sidecar_hash_without_a_thread_is_done_here(sound: bool, tmp_path: Path, merges: list[bool],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No thread to be had for the hash (the process limit, ulimit -u): this process hashes the rest when the
    second part is done, and the report is the serial one; before, verify ended with a RuntimeError traceback."""
    import threading

    data = archives()[sorted(archives())[0]]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    digest = hashlib.sha256(data if sound else data + b"x").hexdigest()
    (tmp_path / "a.warc.gz.sha256").write_text(f"{digest}  a.warc.gz\n")
    start = threading.Thread.start
    refused: list[str] = []

    def refuse_the_hash(thread: threading.Thread) -> None:
        if thread.name == "provpack-sidecar-hash":
            refused.append(thread.name)
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse_the_hash)
    split = member_starts(data)[len(member_starts(data)) // 2]
    serial, split_report = serial_and_split(path, split, monkeypatch)
    assert split_report == serial and merges == [True] and refused == ["provpack-sidecar-hash"]
    assert (any(p.kind == "sidecar-mismatch" for p in serial.problems)) != sound


class _GatedHasher:
    """A hasher whose first update waits for `gate`: a test decides when the thread goes on."""

    def __init__(self) -> None:
        import threading

        self.gate = threading.Event()
        self.entered = threading.Event()
        self.updates = 0

    def update(self, data: object) -> None:
        self.updates += 1
        self.entered.set()
        self.gate.wait(10)


def test_hashing_the_rest_stops_when_cancelled(tmp_path: Path) -> None:
    """cancel() stops the thread at the next block; join() hashes to the end."""
    path = tmp_path / "big"
    blocks = 8
    path.write_bytes(b"x" * (verifysplit.HASH_BLOCK * blocks))
    cancelled = _GatedHasher()
    rest = verifysplit.HashRest(path, cancelled, 0)
    assert cancelled.entered.wait(10)   # its thread waits in its first update
    import threading

    stopper = threading.Thread(target=rest.cancel)
    stopper.start()
    assert rest._stop.wait(10)   # cancel() has asked the thread to stop, and waits for it
    cancelled.gate.set()
    stopper.join(10)
    assert not stopper.is_alive() and cancelled.updates == 1
    whole = _GatedHasher()
    whole.gate.set()
    verifysplit.HashRest(path, whole, 0).join()
    assert whole.updates == blocks


def test_hashing_the_rest_of_a_file_that_cannot_be_read_raises_on_join(tmp_path: Path) -> None:
    """The thread's OSError (here: no such file) is raised by join, not lost with the thread."""
    rest = verifysplit.HashRest(tmp_path / "gone.warc.gz", hashlib.sha256(), 0)
    with pytest.raises(FileNotFoundError):
        rest.join()


def test_an_abandoned_two_part_read_does_not_wait_for_the_hash(tmp_path: Path, merges: list[bool],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or an error) during a two-part read with a sidecar cancels the hashing thread, not joins it."""
    data = archives()[sorted(archives())[0]]
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    (tmp_path / "a.warc.gz.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  a.warc.gz\n")
    calls: list[str] = []

    class Recording(verifysplit.HashRest):
        def join(self) -> None:
            calls.append("join")
            super().join()

        def cancel(self) -> None:
            calls.append("cancel")
            super().cancel()

    def interrupted(self: warcscan.Scanner, *args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(verifysplit, "HashRest", Recording)
    monkeypatch.setattr(verifysplit, "find_split", lambda *args, **kwargs: member_starts(data)[1])
    monkeypatch.setattr(warcscan.Scanner, "walk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _verify_path(path, jobs=2)
    assert calls == ["cancel"]


def _large_warc(blocks: int) -> bytes:
    """A gzip WARC of `blocks` resource records of 256 KiB that do not compress (one member each)."""
    return warc(record("resource", random.Random(n).randbytes(256 << 10),
                       headers=[("WARC-Target-URI", f"urn:x:{n}")]) for n in range(blocks))


def test_progress_counts_both_parts_and_never_goes_back(tmp_path: Path, merges: list[bool],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """While this process reads its half and then waits, progress counts what the second process has read too:
    the whole file is told as read before verify() ends, and no report goes back."""
    from provpack.rawreader import READ_SIZE
    from provpack.verify import verify

    data = _large_warc(16)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    split = member_starts(data)[8]
    assert READ_SIZE < split < len(data) - READ_SIZE
    monkeypatch.setattr(verifysplit, "find_split", lambda *args, **kwargs: split)
    monkeypatch.setattr(verifysplit, "PROGRESS_INTERVAL", 0.02)
    scan = verifysplit.scan_segment

    def slow_to_answer(*args: object, **kwargs: object) -> verifysplit.Segment:
        found = scan(*args, **kwargs)   # (run in the child: its whole part is read, then it waits)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(verifysplit, "scan_segment", slow_to_answer)
    told: list[int] = []
    report = verify(path, jobs=2, progress=lambda files, count, size: told.append(size))
    assert report.ok and merges == [True]
    assert told == sorted(told) and told[-1] == len(data)
    assert len(data) in told[:-1]   # told while waiting for the child, before verify()'s own last report
    assert all(size <= len(data) for size in told)


def test_child_progress_is_shared_and_ends_with_its_part(tmp_path: Path) -> None:
    """The child's reader writes the offset it reached where this process reads it; once reaped, it counts 0."""
    data = _large_warc(8)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    split = member_starts(data)[4]
    child = verifysplit.start(path, split, compressed=True)
    assert child is not None
    ticks: list[int] = []
    child.wait(lambda: ticks.append(child.read_so_far()), interval=0.001)
    assert child.read_so_far() == len(data) - split   # read to the end before its findings come
    assert ticks == sorted(ticks) and all(0 <= tick <= len(data) - split for tick in ticks)
    part = child.result()
    assert part is not None and part.records == 4 and child.read_so_far() == 0


def test_child_progress_counts_from_the_split() -> None:
    """read_so_far is the bytes past the split the child's reader has reached: none at the split, never less."""
    import mmap

    reached = mmap.mmap(-1, verifysplit._OFFSET.size)
    child = verifysplit.Child(pid=0, reader=-1, split=100, reached=reached)   # never reaped: no process behind it
    for offset, read in [(100, 0), (99, 0), (101, 1), (150, 50)]:
        verifysplit._OFFSET.pack_into(reached, 0, offset)
        assert child.read_so_far() == read, offset
    child.done = True
    assert child.read_so_far() == 0
    reached.close()


def test_waiting_works_with_a_descriptor_past_1024(tmp_path: Path) -> None:
    """A child whose pipe has a descriptor number select() cannot watch is still waited for."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        if hard != resource.RLIM_INFINITY and hard < 2048:
            pytest.skip("this process may not open descriptor 2000")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    try:
        data = _large_warc(4)
        path = tmp_path / "a.warc.gz"
        path.write_bytes(data)
        child = verifysplit.start(path, member_starts(data)[2], compressed=True)
        assert child is not None
        high = os.dup2(child.reader, 2000)
        os.close(child.reader)
        child.reader = high
        child.wait(lambda: None, interval=0.001)
        part = child.result()
        assert part is not None and part.records == 2
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("bad", ["", "2020-01-02T03:04:05+00:00"])
def test_empty_dates_at_the_split(bad: str, tmp_path: Path, merges: list[bool],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Records with an empty WARC-Date, or one with a zero UTC offset (WARC dates end in Z), on both sides of the
    split: each is malformed-header, whether the part reading it has seen a valid date or not (the second
    part's first record had passed)."""
    records = [record("resource", b"block %d" % number, date=bad if number >= 3 else "2020-01-02T03:04:05Z")
               for number in range(6)]
    data = b"".join(records)
    path = tmp_path / "a.warc"
    path.write_bytes(data)
    for split in [sum(len(r) for r in records[:i]) for i in range(1, len(records))]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
        assert [p.kind for p in serial.problems] == ["malformed-header"] * 3
    assert True in merges


def test_http_headers_covered_by_no_digest_are_counted_on_both_sides(tmp_path: Path, merges: list[bool],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of responses whose HTTP headers no digest covers (only a WARC-Payload-Digest) is the serial one
    whatever the split: each part counts its own."""
    block, payload = http_response(b"hello")
    response = [record("response", block, content_type="application/http; msgtype=response", block_digest=None,
                       payload_digest="sha1", payload=payload, target="http://example.org/") for _ in range(6)]
    data = warc(response)
    path = tmp_path / "a.warc.gz"
    path.write_bytes(data)
    for split in member_starts(data)[1:]:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial and serial.ok
        assert "records whose HTTP headers no digest covers (only a WARC-Payload-Digest, no WARC-Block-Digest): 6" \
            in serial.notes
    assert all(merges) and merges


def test_deep_extraction_again_gives_the_serial_report(tmp_path: Path, merges: list[bool],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """verify --deep extracts each conversion's text from its source record again: a forged conversion (its
    digest and the passages cut from it made to match) is found, and a read in two parts gives the serial
    report at every split (a provenance record and its original's records, or its excerpt, on either side of
    it: read on in one)."""
    import shutil

    from provpack.package import package
    from test_origcheck import A_TEXT, DATE, DECLARATION, D_TEXT, ORIGINALS, Archive, forge_conversion

    source = tmp_path / "source"
    (source / "originals").mkdir(parents=True)
    shutil.copy(ORIGINALS / "declaration.html", source / "originals" / "decl.html")
    for name, text in (("a", A_TEXT), ("d", D_TEXT)):
        (source / f"{name}.txt").write_text(text, encoding="utf-8")
        (source / f"{name}.yaml").write_text(f"source_url: {DECLARATION}\noriginal: originals/decl.html\n",
                                             encoding="utf-8")
    packaged = package(source, out=tmp_path / "o.warc.gz", date=DATE).warc_path.read_bytes()
    original = Archive(packaged).doc("a")["original"]
    text = Archive(packaged).record("conversion", DECLARATION).split(b"\r\n\r\n", 1)[1][:-4].decode("utf-8")
    at = text.index("Liberty")
    data = forge_conversion(Archive(packaged), DECLARATION, "Liberty", "Freedom", "a", "d").data()
    path = tmp_path / "forged.warc.gz"
    path.write_bytes(data)
    serial = _verify_path(path, jobs=1, deep=True)
    assert [p.message for p in serial.problems] == [
        f"--deep: the conversion record {original['conversion_record_id']} text differs from extracting the source"
        f" record {original['record_id']} again at character {at}:"
        f" {text.replace('Liberty', 'Freedom')[at:at + 40]!r} but extracting again gives {text[at:at + 40]!r}"
        f" (of {len(text)} and {len(text)} characters)"] * 2
    assert "--deep: provpack conversions of an original extracted again from its source record and compared: 2" \
        in serial.notes
    for split in member_starts(data)[1:]:
        monkeypatch.setattr(verifysplit, "find_split", lambda *args, split=split, **kwargs: split)
        assert _verify_path(path, jobs=2, deep=True) == serial, split
    assert True in merges and False in merges


def test_generators_after_the_split_are_held_to_the_first_parts_warcinfo(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """The warcinfo is in the first part: a provenance record after the split whose generator is not the one it
    says (or a metadata record holding provenance not as JSON) is reported as in one serial read (the first part
    reads on), and a sound archive's split still merges."""
    words = texts(6)
    sound = warc(provpack_records(words, software="provpack/0.5.0", generators=["provpack 0.5.0"] * 6))
    downgraded = provpack_records(words, software="provpack/0.5.0", generators=["provpack 0.5.0"] * 5 + [None])
    hidden = list(downgraded)
    hidden[-1] = hidden[-1].replace(b"Content-Type: application/ld+json", b"Content-Type: text/plain")
    for data, merged in ((sound, True), (warc(downgraded), False), (warc(hidden), False)):
        path = tmp_path / "a.warc.gz"
        path.write_bytes(data)
        for split in member_starts(data)[1:]:
            merges.clear()
            serial, split_report = serial_and_split(path, split, monkeypatch)
            assert split_report == serial, split
            assert merges == [merged], split
        assert serial.ok is (data is sound)


def test_a_record_right_after_a_header_that_never_ends_is_read_in_either_part(
        tmp_path: Path, merges: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain WARC with a header that never ends, the record after it following its last byte: split at each record
    start, the report is the serial one, which reads that record (one problem: the header)."""
    records = provpack_records(texts(4))
    lost = record("resource", b"lost")
    endless = lost[: lost.index(b"\r\n\r\n") + 2] + b"x" * (1200 << 10)
    parts = [*records[:3], endless + records[3], *records[4:]]
    data = b"".join(parts)
    path = tmp_path / "a.warc"
    path.write_bytes(data)
    starts = [sum(len(part) for part in parts[:i]) for i in range(1, len(parts))]
    for split in starts:
        serial, split_report = serial_and_split(path, split, monkeypatch)
        assert split_report == serial, split
        assert [(p.offset, p.kind) for p in serial.problems] == [(starts[2], "malformed-header")]
        assert (serial.records, serial.verified) == (len(records) + 1, len(records))
    assert True in merges
