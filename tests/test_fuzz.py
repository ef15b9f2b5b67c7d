"""Fuzzing: random and mutated archives, texts and sidecars never crash provpack.

Every library entry point either succeeds or raises ProvpackError; the command
returns 0, 1 or 2 and never raises. docs/robustness.md lists what is covered.
Set PROVPACK_FUZZ_FULL=1 for the exhaustive sweep (every byte, not a stride), and
PROVPACK_FUZZ_EXAMPLES=N for more hypothesis examples per test (default 150).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import os
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import provpack
from provpack.cli import main
from provpack.document import parse_document
from provpack.errors import ProvpackError
from provpack.metadata import load_sidecar
from provpack.reader import extract, read_archive
from provpack.verify import verify

from conftest import SEED_EPOCH, SEEDS, write_text

FULL = os.environ.get("PROVPACK_FUZZ_FULL") == "1"
NAMES = ("000_8dbb4f68ea601904", "second")
EXAMPLES = int(os.environ.get("PROVPACK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])


def build_archive(folder: Path) -> Path:
    """A real provpack archive: the seed plus a second text with a sidecar, CRLF and a BOM."""
    src = folder / "src"
    src.mkdir(parents=True)
    seed = SEEDS / f"{NAMES[0]}.txt"
    write_text(src, NAMES[0], seed.read_bytes())
    write_text(src, NAMES[1], "\ufeffFirst line\r\n\r\nA quote [\u2026] and ... more.\r\n".encode(),
               sidecar="title: Second\nurl: https://example.org/second\nauthor: [A, B]\n")
    return provpack.package(src, out=folder / "a.warc.gz",
                            date=dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc)).warc_path


class Blob(bytes):
    """Bytes that print short, so that a failing example's report stays readable."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes>"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a real .warc.gz archive."""
    return Blob(build_archive(tmp_path_factory.mktemp("fuzz")).read_bytes())


@pytest.fixture(scope="module")
def plain(archive: bytes) -> bytes:
    """The same archive uncompressed: mutations reach the WARC parser instead of the gzip checksum."""
    out, data = [], bytes(archive)
    while data:
        decompressor = zlib.decompressobj(31)
        out.append(decompressor.decompress(data))
        data = decompressor.unused_data
    return Blob(b"".join(out))


def library_calls(path: Path) -> list[Callable[[], object]]:
    calls: list[Callable[[], object]] = [lambda: read_archive(path), lambda: verify(path)]
    calls += [lambda name=name: extract(path, name, io.BytesIO()) for name in NAMES]  # type: ignore[misc]
    return calls


def exercise(data: bytes, *, suffix: str = ".warc.gz", sha256: bytes | None = None) -> None:
    """Feed `data` as an archive to every reader: library calls raise only ProvpackError, the CLI exits 0/1/2."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        if sha256 is not None:
            path.with_name(path.name + ".sha256").write_bytes(sha256)
        for call in library_calls(path):
            try:
                call()
            except ProvpackError:
                pass
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            for argv in (["verify", str(path)], ["verify", "--json", str(path)], ["show", str(path)],
                         ["show", "--json", str(path)],
                         ["extract", str(path), NAMES[1], "-o", str(Path(folder) / "x"), "--force"]):
                code = main(argv)
                assert code in (0, 1, 2), (argv, code, sink.getvalue()[-2000:])


def recompress(plain_warc: bytes) -> bytes:
    """A plain WARC as one gzip member per record-ish chunk (split at each 'WARC/1.1' line)."""
    pieces = plain_warc.split(b"WARC/1.1\r\n")
    members = [gzip.compress((b"WARC/1.1\r\n" if n else b"") + piece, mtime=0)
               for n, piece in enumerate(pieces) if n or piece]
    return b"".join(members)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    """Arbitrary bytes, as .warc.gz and as .warc."""
    exercise(data)
    exercise(data, suffix=".warc")


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_gzip_members(data: bytes) -> None:
    """Arbitrary bytes inside a valid gzip member, and after a valid WARC header line."""
    exercise(gzip.compress(data))
    exercise(gzip.compress(b"WARC/1.1\r\n" + data))


@FUZZ
@given(st.data())
def test_mutated_archive(archive: bytes, plain: bytes, data: st.DataObject) -> None:
    """A real archive with bytes changed, inserted, deleted or cut off, compressed or not."""
    source = bytearray(data.draw(st.sampled_from([archive, plain]), label="form"))
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        if not source:
            break
        at = data.draw(st.integers(0, len(source) - 1), label="at")
        edit = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]), label="edit")
        if edit == "flip":
            source[at] ^= data.draw(st.integers(1, 255), label="mask")
        elif edit == "insert":
            source[at:at] = data.draw(st.binary(min_size=1, max_size=64), label="bytes")
        elif edit == "delete":
            del source[at:at + data.draw(st.integers(1, 64), label="length")]
        else:
            del source[at:]
    mutated = bytes(source)
    exercise(mutated, sha256=b"0" * 64 + b"  f.warc.gz\n")
    if source[:8] != b"\x1f\x8b\x08\x00\x00\x00\x00\x00":
        exercise(recompress(mutated))


HEADER_VALUES = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["", " ", "sha256:", "sha1:ZZZ", "<urn:uuid:>", "-0", "1e9", "0x10", "\u0661\u0662"]),
)


@FUZZ
@given(st.data())
def test_mutated_headers(plain: bytes, data: st.DataObject) -> None:
    """Real records with one header's value replaced: Content-Length, digests, ids, types, Refers-To."""
    names = [b"Content-Length", b"WARC-Block-Digest", b"WARC-Payload-Digest", b"WARC-Record-ID",
             b"WARC-Type", b"WARC-Refers-To", b"Content-Type", b"WARC-Date", b"WARC-Target-URI"]
    name = data.draw(st.sampled_from(names), label="header")
    lines = plain.split(b"\r\n")
    spots = [n for n, line in enumerate(lines) if line.startswith(name + b": ")]
    spot = data.draw(st.sampled_from(spots), label="which")
    value = data.draw(HEADER_VALUES, label="value")
    lines[spot] = name + b": " + value.encode("utf-8", "surrogatepass")
    mutated = b"\r\n".join(lines)
    exercise(mutated, suffix=".warc")
    exercise(recompress(mutated))


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=20),
    st.sampled_from(["[/]", "[bold red]x", "[link=file:///etc/passwd]y[/link]", "\x1b[31mred", "\u202e"]),
    st.lists(st.integers(-5, 10**6), max_size=3), st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@FUZZ
@given(st.data())
def test_mutated_provenance_json(plain: bytes, data: st.DataObject) -> None:
    """Provenance JSON with a value swapped for another type, number or markup (Content-Length kept right)."""
    import json

    records = plain.split(b"WARC/1.1\r\n")[1:]
    index = data.draw(st.sampled_from([n for n, r in enumerate(records) if b"ld+json" in r]), label="record")
    head, _, rest = records[index].partition(b"\r\n\r\n")
    block = json.loads(rest[:-4])
    where = data.draw(st.sampled_from(["top", "elision", "field", "selector"]), label="where")
    if where == "elision" and block["elisions"]:
        target = block["elisions"][0]
    elif where == "selector" and block["elisions"]:
        target = block["elisions"][0]["oa:hasTarget"]["oa:hasSelector"][1]
    elif where == "field":
        target = next(iter(block["fields"].values()))
    else:
        target = block
    key = data.draw(st.sampled_from(sorted(target)), label="key")
    target[key] = data.draw(JSON_VALUES, label="value")
    body = json.dumps(block).encode()
    head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.startswith(b"Content-Length"))
    records[index] = head + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body + b"\r\n\r\n"
    mutated = b"".join(b"WARC/1.1\r\n" + r for r in records)
    exercise(mutated, suffix=".warc")


def stride(length: int, cases: int) -> range:
    return range(0, length, 1 if FULL else max(1, length // cases))


@pytest.mark.slow
def test_byte_flip_and_truncation_sweep(archive: bytes, plain: bytes) -> None:
    """Flip each byte (at a stride; every byte with PROVPACK_FUZZ_FULL=1) and cut the file at each point."""
    for source in (archive, plain):
        for at in stride(len(source), 120):
            flipped = bytearray(source)
            flipped[at] ^= 0xFF
            exercise(bytes(flipped))
        for at in stride(len(source), 60):
            exercise(source[:at])


def test_flipped_block_byte_is_always_found(plain: bytes, tmp_path: Path) -> None:
    """Every changed byte inside a record block (uncompressed) makes verify fail: nothing slips through."""
    blocks = []
    offset = 0
    for record in plain.split(b"WARC/1.1\r\n")[1:]:
        start = offset + len(b"WARC/1.1\r\n") + record.index(b"\r\n\r\n") + 4
        length = int(record.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        blocks.append((start, start + length))
        offset += len(b"WARC/1.1\r\n") + len(record)
    path = tmp_path / "f.warc"
    for start, end in blocks:
        for at in stride(end - start, 15):
            flipped = bytearray(plain)
            flipped[start + at] ^= 0x01
            path.write_bytes(bytes(flipped))
            assert not verify(path).ok, f"flip at {start + at} not found"


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_text_bytes(data: bytes) -> None:
    """Any bytes as a text: parsed, or an InputError (naming the file); never another exception."""
    try:
        parse_document("doc", data, path=Path("doc.txt"))
    except provpack.InputError as exc:
        assert "doc.txt" in str(exc)


@FUZZ
@given(text=st.one_of(st.text(max_size=400), st.lists(
    st.sampled_from(["a: ", "- ", "&x ", "*x ", "!!str ", "!!python/object:os.system ", "{", "}", "[", "]",
                     "\n", "  ", "title", "author", "url", ": ", "'", '"', "|", ">", "? ", "%YAML 1.1\n", "---\n",
                     "2017-11-12", "1e400", ".nan", "<<: *x\n", "~", "\t"]), max_size=40).map("".join)))
def test_random_sidecars(tmp_path: Path, text: str) -> None:
    """Any text as a sidecar: a mapping, or an InputError naming the file; never another exception."""
    path = tmp_path / "doc.yaml"
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        assert isinstance(load_sidecar(path), dict)
    except provpack.InputError as exc:
        assert "doc.yaml" in str(exc)
