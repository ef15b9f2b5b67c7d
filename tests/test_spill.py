"""Tests for provpack.spill: temporary files, and the error naming the temporary folder when it cannot hold them."""

from __future__ import annotations

import errno
import gc
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from provpack import errors, spill
from provpack.errors import ProvpackError
from conftest import FullTemporaryFolder

HELD = ("the things", "they are kept there")


@pytest.mark.parametrize(("code", "said"), [
    (errno.ENOSPC, "disk full (no space left on device); free space there, or set TMPDIR to another folder"),
    (errno.EDQUOT, "disk quota exceeded; free space there, or set TMPDIR to another folder"),
    (errno.EACCES, "permission denied; set TMPDIR to another folder"),
    (errno.EROFS, "read-only file system; set TMPDIR to another folder"),
])
def test_no_room_names_the_temporary_folder_and_what_to_do(code: int, said: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The error names the temporary folder, what it was to hold and why, the failure in words and the fix: free
    space there only when it is full."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    error = spill.no_room(OSError(code, os.strerror(code)), HELD)
    assert type(error) is ProvpackError and error.exit_code == 2
    assert str(error) == f"{tmp_path}: cannot hold the things in this temporary folder (they are kept there): {said}"


def test_a_temporary_file_that_cannot_be_made_names_the_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR gone: the file cannot be made, and the error says so, of that folder (not a bare OSError)."""
    missing = tmp_path / "gone"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    with pytest.raises(ProvpackError) as caught:
        spill.temporary_file(HELD)
    assert str(caught.value) == (f"{missing}: cannot hold the things in this temporary folder (they are kept there): "
                                 "No such file or directory; set TMPDIR to another folder")


def test_spilling_turns_an_oserror_of_its_block_only(full_tmpdir: FullTemporaryFolder) -> None:
    """A write that fails in the block is the temporary folder's; other errors pass as they are."""
    with pytest.raises(ProvpackError) as caught, spill.spilling(HELD):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(caught.value).startswith(f"{full_tmpdir.folder}: cannot hold the things")
    with pytest.raises(ValueError, match="other"), spill.spilling(HELD):
        raise ValueError("other")


def test_discard_drops_what_could_not_be_written(full_tmpdir: FullTemporaryFolder) -> None:
    """A full temporary file's buffered bytes are dropped on discard: no second error, and the file is closed."""
    held = tempfile.TemporaryFile()
    held.write(b"x" * 10)   # buffered: the write fails only when flushed
    with pytest.raises(OSError, match="No space left"):
        held.flush()
    spill.discard(held)
    assert held.closed


def test_a_released_spill_holds_no_descriptor_and_reads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             descriptors: Callable[[], int]) -> None:
    """A Spill reads back what was written, by offset; released, it holds no file descriptor, and a read opens its
    file for that read only; written again, it goes on at the end."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    before = descriptors()
    held = spill.Spill(HELD)
    held.write(b"0123")
    held.write(bytearray(b"456789"))
    assert descriptors() == before + 1 and held.read(2, 5) == b"23456"
    held.release()
    assert descriptors() == before
    assert held.read(0, 10) == b"0123456789" and held.read(8, 5) == b"89" and held.read(10, 1) == b""
    assert descriptors() == before
    held.write(b"ab")
    assert held.read(9, 3) == b"9ab"
    held.release()
    assert descriptors() == before and held.read(0, 12) == b"0123456789ab"
    assert [path.name[:9] for path in tmp_path.iterdir()] == ["provpack-"]


def test_a_spill_is_removed_when_collected_but_not_by_a_forked_process(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Its file goes with it; a process forked meanwhile (a worker) that drops its copy leaves the file alone."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    held = spill.Spill(HELD)
    held.write(b"rows")
    path = Path(held.path)
    if hasattr(os, "fork"):
        child = os.fork()
        if child == 0:   # (the forked copy: collected here, then gone without running anything else)
            del held
            gc.collect()
            os._exit(0)
        assert os.waitpid(child, 0)[1] == 0
    assert path.read_bytes() == b"rows"
    held.release()
    del held
    gc.collect()
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_spill_removed_meanwhile_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A released file taken away meanwhile (a cleaner of old temporary files) is an error naming it, what it held
    and what to do, not a bare FileNotFoundError."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    held = spill.Spill(HELD)
    held.write(b"rows")
    held.release()
    os.unlink(held.path)
    with pytest.raises(ProvpackError) as caught:
        held.read(0, 4)
    assert str(caught.value) == (
        f"{held.path}: cannot read back the things from this temporary file (they are kept there): the file is gone "
        "(removed meanwhile, e.g. by a cleaner of old temporary files); package again, and keep the temporary "
        "folder's provpack- files while a result is in use")


def test_the_open_files_limit_is_not_blamed_on_the_temporary_folder(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """No descriptor left to make (or to open again) a temporary file: the process's limit is said, not the folder's
    room or permissions ('set TMPDIR to another folder' would not help)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(errors, "_open_files_limit", lambda: 60)
    emfile = OSError(errno.EMFILE, os.strerror(errno.EMFILE))
    assert str(spill.no_room(emfile, HELD)) == (
        f"{tmp_path}: cannot make a temporary file for the things (they are kept there): too many open files in this "
        "process (its limit is 60); raise the limit (ulimit -n), or close files this process holds open")
    assert str(spill.lost(emfile, "/tmp/provpack-x", HELD)) == (
        "/tmp/provpack-x: cannot read back the things from this temporary file (they are kept there): too many open "
        "files in this process (its limit is 60); raise the limit (ulimit -n), or close files this process holds open")


def test_a_spill_the_temporary_folder_cannot_hold_is_said_when_written(full_tmpdir: FullTemporaryFolder) -> None:
    """Its writes are flushed: a full folder fails the write, in the run, with no_room's error."""
    full_tmpdir.room = 4
    held = spill.Spill(HELD)
    held.write(b"four")
    with pytest.raises(ProvpackError) as caught:
        held.write(b"more")
    assert str(caught.value) == (f"{full_tmpdir.folder}: cannot hold the things in this temporary folder (they are "
                                 "kept there): disk full (no space left on device); free space there, or set TMPDIR "
                                 "to another folder")
