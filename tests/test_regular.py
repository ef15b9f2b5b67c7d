"""regular.open_regular: a regular file only, and (given `within`) no symbolic link out of that folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provpack import regular
from provpack.errors import InputError
from provpack.regular import NotRegularFile, open_regular


def _read(path: Path, within: str | None) -> bytes:
    fd, info = open_regular(path, within=within)
    try:
        return os.read(fd, info.st_size)
    finally:
        os.close(fd)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_bytes(b"secret")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "inside.txt").write_bytes(b"inside")
    return tmp_path / "src"


def test_a_link_out_of_within_is_refused_in_full(folder: Path) -> None:
    """A text that is (now) a link out of its folder: the listing's refusal, naming the link and its target."""
    secret = folder.parent / "outside" / "secret.txt"
    (folder / "a.txt").symlink_to(secret)
    with pytest.raises(InputError) as caught:
        open_regular(folder / "a.txt", within=str(folder))
    assert str(caught.value) == (f"{folder / 'a.txt'}: symbolic link points outside the source folder (to {secret}); "
                                 "copy the file in, or pass --follow-symlinks (follow_symlinks=True)")
    assert _read(folder / "a.txt", None) == b"secret"   # without `within`, links are followed (--follow-symlinks)


def test_a_link_inside_within_is_read(folder: Path) -> None:
    """A link to a file in the same folder is allowed, as the listing allows it."""
    (folder / "a.txt").symlink_to("inside.txt")
    assert _read(folder / "a.txt", str(folder)) == b"inside"
    assert _read(folder / "inside.txt", str(folder)) == b"inside"


def test_a_sub_folder_linked_out_is_refused(folder: Path) -> None:
    """A path through a sub-folder (a local original's) that is a link out of `within` is refused too."""
    (folder / "originals").symlink_to(folder.parent / "outside")
    with pytest.raises(InputError, match="symbolic link points outside the source folder"):
        open_regular(folder / "originals" / "secret.txt", within=str(folder))


def test_a_file_replaced_while_checked_is_refused(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link out opened, then put back before its path is resolved: the file opened is not the one named."""
    link = folder / "a.txt"
    link.symlink_to(folder.parent / "outside" / "secret.txt")
    realpath = os.path.realpath

    def swap_back(path: str | os.PathLike[str]) -> str:
        if os.fspath(path) == str(link) and link.is_symlink():
            link.unlink()
            link.write_bytes(b"harmless")
        return realpath(path)

    monkeypatch.setattr(regular.os.path, "realpath", swap_back)
    with pytest.raises(InputError) as caught:
        open_regular(link, within=str(folder))
    assert str(caught.value) == f"{link}: it was replaced while packaging (a symbolic link changed); run again"


def test_a_fifo_is_not_a_regular_file(folder: Path) -> None:
    """A FIFO is opened without waiting and refused, with `within` too."""
    os.mkfifo(folder / "pipe.txt")
    with pytest.raises(NotRegularFile):
        open_regular(folder / "pipe.txt", within=str(folder))
