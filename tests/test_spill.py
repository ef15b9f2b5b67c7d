"""Tests for provpack.spill: temporary files, and the error naming the temporary folder when it cannot hold them."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from provpack import spill
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
