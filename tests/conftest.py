"""Shared fixtures: a temp copy of the seeds, a fixed clock, the interop folder."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import importlib.util
import io
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from collections.abc import Callable, Iterator
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


PROXY_VARIABLES = tuple(name for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
                        for name in (base, base.upper()))


@pytest.fixture(autouse=True)
def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fetches go through the proxy the environment names: the tests' local servers are reached straight."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


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


def _file_descriptors() -> int:
    """How many descriptors this process holds open on files (not sockets, pipes or other kernel objects, which
    the threads of an earlier test's server or pool may still be closing)."""
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:   # (closed since it was listed, the listing's own among them)
            continue
        count += target.startswith("/")
    return count


@pytest.fixture
def descriptors() -> Iterator[Callable[[], int]]:
    """Counts the descriptors this process holds open on files, with the cyclic garbage collector held still:
    garbage of earlier tests (a file in a reference cycle) is collected first, and none is collected mid-test,
    where it closed descriptors between two counts (CI once saw 17 where 16 + 3 were due). Skips where
    /proc/self/fd is not."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("counts descriptors in /proc/self/fd")
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield _file_descriptors
    finally:
        if was_enabled:
            gc.enable()


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


# Locales whose file system encoding is not UTF-8: "C" with Python's UTF-8 coercions off (ASCII, surrogateescape;
# there on every POSIX system), and ones localedef builds where it can (else their tests are skipped).
C_LOCALE = "C"
LATIN_1 = "en_US.ISO-8859-1"
EUC_JP = "ja_JP.EUC-JP"   # (a multibyte one, whose C library's reading of bytes Python's codec does not always undo)
BUILT_LOCALES = (LATIN_1, "tr_TR.ISO-8859-9")


def locale_env(tmp_path: Path, locale: str) -> dict[str, str]:
    """The environment of a `python -m provpack` in `locale`; the test is skipped when the locale cannot be had
    or Python's file system encoding there is UTF-8 all the same (macOS, Windows)."""
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANG", "PYTHONIO"))}
    env.update(LC_ALL=locale, PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    if locale != C_LOCALE:
        language, _, charset = locale.partition(".")
        folder = tmp_path / "locales"
        folder.mkdir(exist_ok=True)
        try:
            subprocess.run(["localedef", "-i", language, "-f", charset, str(folder / locale)], capture_output=True,
                           timeout=120)
        except OSError:
            pytest.skip("no localedef here")
        if not (folder / locale).is_dir():   # (its exit status is 1 for mere warnings)
            pytest.skip(f"localedef cannot build {locale} here")
        env["LOCPATH"] = str(folder)
    encoding = subprocess.run([sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"],
                              capture_output=True, text=True, env=env, timeout=60).stdout.strip()
    if encoding in ("", "utf-8"):
        pytest.skip(f"the file system encoding is {encoding or 'unknown'} in {locale} here")
    return env


def utf8_env() -> dict[str, str]:
    """The environment of a `python -m provpack` in UTF-8 mode, whatever the locale."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANG", "PYTHONIO"))}
    env.update(PYTHONUTF8="1")
    return env


def run_in(env: dict[str, str], cwd: Path, *args: str | bytes) -> Any:
    """`provpack ARGS` run from `cwd` in `env` (with SOURCE_DATE_EPOCH at the seed's date): the CompletedProcess,
    output as bytes. An argument given as bytes is those bytes on the command line, whatever the locale."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "provpack", *args], capture_output=True, cwd=cwd,
                          env={**env, "SOURCE_DATE_EPOCH": str(SEED_EPOCH)}, timeout=120)
