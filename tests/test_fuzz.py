"""Fuzzing: random and mutated archives, texts and sidecars never crash provpack.

Every library entry point either succeeds or raises ProvpackError; the command
returns 0, 1 or 2 and never raises. docs/robustness.md lists what is covered.
Set PROVPACK_FUZZ_FULL=1 for the exhaustive sweep (every byte, not a stride), and
PROVPACK_FUZZ_EXAMPLES=N for more hypothesis examples per test (default 150).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import gzip
import io
import os
import tempfile
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
# (imported here, not in the tests that use them: a module of @given tests imported while a @given test runs
# is a nested @given to hypothesis 6.170 and later, a failed health check when test_fuzz.py runs alone)
from test_origcheck import CAN_SPLIT, Archive

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


# -- provenance records of excerpts aligned with an original, mutated (origcheck, cutcheck, --deep) ----------

NEWS_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Harbour news</title></head>
<body><nav>Home | Archive</nav><article><h1>The pier vote</h1>
<p>The harbour council voted on Tuesday to rebuild the old pier. Engineers said the timber had rotted past repair.</p>
<p>The mayor said the ferry would run from the market road until the work is done. Residents asked about the cost.</p>
<p>The final bill is expected to reach four million. The school will close its road for a week.</p>
</article><footer>Contact us</footer></body></html>
"""
STORM_TXT = ("Storm notes from the bridge.\n\nThe storm reached the coast at noon. The bridge was closed to traffic"
             " for an hour. Ferry crews waited in the harbour.\n\nBy evening the road was open again. The council"
             " thanked the engineers.\n")
# h: markers that cut nothing (one possible), a changed word, a paragraph's end cut; t: segments out of order;
# s: a paragraph's start cut and a passage between
ALIGNED = {
    "h": ("The harbour council voted on Tuesday to rebuild the old pier [...] Engineers said the wood had rotted"
          " past repair...\n\nThe mayor said the ferry would run from the market road [...]\n", "originals/news.html"),
    "t": ("By evening the road was open again [...] The storm reached the coast at noon. The bridge was closed"
          " [...] to traffic for an hour.\n", "originals/storm.txt"),
    "s": ("[...] Ferry crews waited in the harbour. [\u2026] The council thanked the engineers.\n",
          "originals/storm.txt"),
}
BEYOND = 600   # characters: past the end of every excerpt and original text above
ALIGNMENT_KEYS = ("segments", "elisions", "differences", "original", "out_of_order", "parts")
GENERATORS = ["provpack 0.4.0", "provpack 0.3.0", "provpack 0.4", "provpack 9.9.9", "provpack 0.4.0+local",
              "provpack 99999999999999999999.0.0", "provpack", "other 1.0", "", "\x00"]
HOSTILE = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1, -(2**63), 2**64, 10**30, 1.5, -0.0, float("inf"), float("nan"),
                     "", "x", "\u202e", "[...]", "local", "fetched", "<urn:uuid:x>", [], {}, [[]], [{}], {"": None},
                     [0, 1], [[0, 1]], {"start": 0, "end": 1}]),
    st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8),
    st.recursive(st.none() | st.integers(-3, 300) | st.text(max_size=3),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                 max_leaves=5),
)
Path_ = tuple[object, ...]


@pytest.fixture(scope="module")
def aligned_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Excerpts aligned with a local HTML and a plain-text original."""
    src = tmp_path_factory.mktemp("aligned")
    (src / "originals").mkdir()
    (src / "originals" / "news.html").write_text(NEWS_HTML, encoding="utf-8")
    (src / "originals" / "storm.txt").write_text(STORM_TXT, encoding="utf-8")
    for name, (text, original) in ALIGNED.items():
        write_text(src, name, text.encode(), sidecar=f"original: {original}\n")
    out = tmp_path_factory.mktemp("out") / "o.warc.gz"
    return Blob(provpack.package(src, out=out, date=dt.datetime.fromtimestamp(SEED_EPOCH, dt.timezone.utc))
                .warc_path.read_bytes())


def _paths(value: object, at: Path_) -> list[Path_]:
    """`at` and the path of everything inside `value`."""
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*at, index))
    return found


def _at(doc: Any, path: Path_) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _has(doc: Any, path: Path_) -> bool:
    try:
        _at(doc, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def mutate_alignment(doc: dict[str, Any], data: st.DataObject, length: int, other: dict[str, Any] | None) -> None:
    """One hostile change to an alignment key of `doc` (a provenance record's JSON) or to its generator: a value
    of another type, removed, a list longer or shorter, an offset beyond the text (`length`) or off by a little, or
    the value at the same place in `other` (another record's JSON, whose shapes are right but do not fit)."""
    key = data.draw(st.sampled_from(("generator", *ALIGNMENT_KEYS)), label="key")   # (each as likely)
    path = data.draw(st.sampled_from(_paths(doc[key], (key,)) if key in doc else [(key,)]), label="path")
    *above, last = path
    parent: Any = doc
    for step in above:
        parent = parent[step]
    value = parent.get(last) if path == (key,) else parent[last]
    edits = ["replace"] + (["remove"] if type(parent) is list or last in parent else [])
    edits += ["longer", "shorter"] if isinstance(value, list) and value else []
    edits += ["beyond", "nudge"] if type(value) is int else []
    edits += ["swap"] if other is not None and _has(other, path) else []
    edits += ["version"] if key == "generator" else []
    edit = data.draw(st.sampled_from(edits), label="edit")
    if edit == "replace":
        parent[last] = data.draw(HOSTILE, label="value")
    elif edit == "remove":
        del parent[last]
    elif edit == "longer":
        value.append(data.draw(st.sampled_from(value) | HOSTILE, label="appended"))
    elif edit == "shorter":
        del value[data.draw(st.integers(0, len(value) - 1), label="dropped"):]
    elif edit == "beyond":
        parent[last] = value + length + data.draw(st.integers(0, 2**40), label="past")
    elif edit == "nudge":
        parent[last] = value + data.draw(st.integers(-3, 3), label="by")
    elif edit == "swap":
        parent[last] = copy.deepcopy(_at(other, path))
    else:
        parent[last] = data.draw(st.sampled_from(GENERATORS), label="generator")


def mutated_aligned(aligned_archive: bytes, data: st.DataObject) -> bytes:
    """The aligned archive with one to three provenance records mutated (their digests made to agree)."""

    archive = Archive(aligned_archive)
    docs = {name: archive.doc(name) for name in ALIGNED}
    for name in data.draw(st.lists(st.sampled_from(sorted(ALIGNED)), min_size=1, max_size=3), label="docs"):
        other = docs[data.draw(st.sampled_from(sorted(set(ALIGNED) - {name})), label="other")]
        for _ in range(data.draw(st.integers(1, 3), label="changes")):
            archive.edit_doc(name, lambda doc, other=other: mutate_alignment(  # type: ignore[misc]
                doc, data, BEYOND, other))
    return archive.data()


@settings(FUZZ, max_examples=max(10, EXAMPLES // 3))
@given(st.data())
def test_mutated_alignment(aligned_archive: bytes, data: st.DataObject) -> None:
    """Alignment keys of provenance records (segments, elisions, differences, original, out_of_order, parts,
    generator) of any type or value: verify (jobs 1, deep or not) gives a report, exit 0 or 1; never raises."""
    mutated = mutated_aligned(aligned_archive, data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "o.warc.gz"
        path.write_bytes(mutated)
        for deep in (False, True):
            found = verify(path, jobs=1, deep=deep)
            assert found.files[0].error is None and found.exit_code() in (0, 1)
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = main(["verify", "--jobs", "1", *(["--deep"] if deep else []), str(path)])
            assert code == found.exit_code(), sink.getvalue()[-2000:]


@settings(FUZZ, max_examples=max(5, EXAMPLES // 30))
@given(st.data())
def test_mutated_alignment_read_in_two_parts(aligned_archive: bytes, data: st.DataObject) -> None:
    """A mutated archive read in two parts (split at a record drawn) gives the report of one read."""

    from provpack import verifysplit
    from provpack.verify import _verify_path

    if not CAN_SPLIT:
        pytest.skip("two-part reading forks: not on this platform")
    mutated = mutated_aligned(aligned_archive, data)
    splits = [at for at in range(1, len(mutated)) if mutated.startswith(b"\x1f\x8b\x08\x00", at)]
    split = data.draw(st.sampled_from(splits), label="split")
    deep = data.draw(st.booleans(), label="deep")
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder) / "o.warc.gz"
        path.write_bytes(mutated)
        serial = _verify_path(path, jobs=1, deep=deep)
        patch.setattr(verifysplit, "MIN_SIZE", 0)
        patch.setattr(verifysplit, "busy", lambda: False)
        patch.setattr(threading, "active_count", lambda: 1)
        patch.setattr(verifysplit, "find_split", lambda *args, **kwargs: split)
        assert _verify_path(path, jobs=2, deep=deep) == serial
