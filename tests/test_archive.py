"""The committed archive/: rebuilt byte for byte, read by warcio, and every byte guarded."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import provpack
from provpack.gzipper import DEFAULT_LEVELS, available_backends

from conftest import ARCHIVE, SEED_EPOCH, SEEDS

WARCIO = shutil.which("warcio") or str(Path(sys.executable).with_name("warcio"))
COMMITTED = ARCHIVE / "seeds.warc.gz"
REBUILD = (f"SOURCE_DATE_EPOCH={SEED_EPOCH} provpack package seeds/ -o archive/seeds.warc.gz --force "
           "--deflate zlib")


def test_committed_archive_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    """Packaging seeds/ with the documented SOURCE_DATE_EPOCH and the portable zlib backend gives the committed bytes."""
    result = provpack.package(SEEDS, out=tmp_path / "seeds.warc.gz", deflate="zlib",
                              date=dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc))
    assert result.warc_path.read_bytes() == COMMITTED.read_bytes(), f"archive/ is stale: run {REBUILD}"
    assert result.sha256_path.read_bytes() == COMMITTED.with_name("seeds.warc.gz.sha256").read_bytes()


def test_every_backend_writes_the_committed_records(tmp_path: Path) -> None:
    """Whatever the deflate backend and level, the records inside are the committed archive's, byte for byte."""
    for backend in available_backends():
        for level in (0, DEFAULT_LEVELS[backend]):
            out = tmp_path / backend / str(level) / "seeds.warc.gz"
            provpack.package(SEEDS, out=out, deflate=backend, level=level,
                             date=dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc))
            assert gzip.decompress(out.read_bytes()) == gzip.decompress(COMMITTED.read_bytes())


def test_committed_archive_verifies() -> None:
    """The committed archive passes provpack verify with no unverified record."""
    report = provpack.verify(COMMITTED)
    assert report.ok and report.unverified == 0 and report.exit_code(strict=True) == 0


def test_warcio_reads_it() -> None:
    """warcio check and warcio index accept the archive."""
    check = subprocess.run([WARCIO, "check", "-v", str(COMMITTED)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 3
    index = subprocess.run([WARCIO, "index", str(COMMITTED)],
                           capture_output=True, text=True, check=False)
    assert index.returncode == 0 and index.stdout.count('"offset"') == 3


def test_every_byte_flip_is_caught(tmp_path: Path) -> None:
    """Changing any single byte of the committed archive makes verify report a problem."""
    original = COMMITTED.read_bytes()
    target = tmp_path / "seeds.warc.gz"
    (tmp_path / "seeds.warc.gz.sha256").write_bytes(COMMITTED.with_name("seeds.warc.gz.sha256").read_bytes())
    missed = []
    for offset in range(len(original)):
        data = bytearray(original)
        data[offset] ^= 0xFF
        target.write_bytes(bytes(data))
        if provpack.verify(target).exit_code() != 1:
            missed.append(offset)
    assert missed == []
