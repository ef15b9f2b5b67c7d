"""Shared fixtures: a temp copy of the seeds, a fixed clock, the interop folder."""

from __future__ import annotations

import datetime as dt
import errno
import importlib.util
import io
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
ARCHIVE = REPO / "archive"
SEED_NAME = "000_8dbb4f68ea601904"
SEED_EPOCH = 1510444800  # 2017-11-12T00:00:00Z, the seed's own date
INTEROP = REPO.parent / "shared" / "interop"

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


def benchmark_module(name: str) -> ModuleType:
    """benchmarks/NAME.py (the corpus and crawl generators), imported from its file."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A temporary copy of seeds/."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def fixed_date() -> dt.datetime:
    """The date the committed archive is built with."""
    return dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc)


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


class FullTemporaryFolder:
    """The system's temporary folder (`folder`), full: each temporary file made takes `room` bytes, then its writes
    fail with ENOSPC, as on a full tmpfs; buffered as a real one is (a write may fail only when it is flushed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.room = 0
        self.made = 0   # temporary files made

    def temporary_file(self, *args: Any, **kwargs: Any) -> io.BufferedRandom:
        fd, name = tempfile.mkstemp(dir=self.folder)
        os.unlink(name)
        self.made += 1
        return io.BufferedRandom(_Full(fd, self.room))

    def named_temporary_file(self, *args: Any, prefix: str = "tmp", delete: bool = True,
                             **kwargs: Any) -> io.BufferedRandom:
        """A named one (delete=False: a Spill's), whose `name` is its path."""
        assert not delete
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=prefix)
        os.close(fd)
        self.made += 1
        return io.BufferedRandom(_Full(name, self.room))


class _Full(io.FileIO):
    def __init__(self, file: int | str, room: int) -> None:
        super().__init__(file, "r+b")
        self.room = room

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def full_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FullTemporaryFolder:
    """The temporary folder full (see FullTemporaryFolder): tempfile.TemporaryFile, and the file a
    SpooledTemporaryFile rolls over to, and tempfile.NamedTemporaryFile (a Spill's) make its files;
    tempfile.gettempdir() names it."""
    folder = tmp_path / "full-tmp"
    folder.mkdir()
    full = FullTemporaryFolder(folder)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(tempfile, "TemporaryFile", full.temporary_file)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full.named_temporary_file)
    return full


def write_text(folder: Path, name: str, data: bytes, sidecar: str | None = None) -> Path:
    """Write NAME.txt (and NAME.yaml) into folder; return the text's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_bytes(data)
    if sidecar is not None:
        (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
    return path
