"""The public API: __all__ and what the package exports agree."""

from __future__ import annotations

import dataclasses
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import provpack


def test_all_matches_exports() -> None:
    """Every name in __all__ exists, and every public top-level name is in __all__."""
    public = {name for name in dir(provpack) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(provpack, name)).__name__ == "module"}
    assert set(provpack.__all__) - {"__version__"} == public - modules
    assert all(hasattr(provpack, name) for name in provpack.__all__)


def test_errors_share_one_base() -> None:
    """Every error provpack raises on purpose is a ProvpackError with an exit code."""
    for error in (provpack.InputError, provpack.ArchiveError, provpack.CaptureError):
        assert issubclass(error, provpack.ProvpackError)
    assert provpack.ProvpackError.exit_code == 2


def test_types_the_public_functions_return_are_exported() -> None:
    """A class that a public function returns, or that a returned object holds or returns, is importable from
    provpack: `provpack.index` yields CdxjLine, `PackageResult.summed()` gives Totals."""
    import dataclasses
    import inspect
    import typing

    for name in provpack.__all__:
        getattr(provpack, name)   # load every public module, so that annotations naming their classes resolve
    names: dict[str, object] = {}
    for module in [m for m in sys.modules.values() if m is not None and m.__name__.startswith("provpack")]:
        names.update(vars(module))
    found: set[type] = set()

    def returned(function: object) -> object:
        hint = inspect.get_annotations(function).get("return")  # type: ignore[arg-type]
        return eval(hint, getattr(function, "__globals__", {}), names) if isinstance(hint, str) else hint

    def walk(hint: object) -> None:
        for arg in typing.get_args(hint):
            walk(arg)
        if isinstance(hint, type) and hint.__module__.startswith("provpack.") and hint not in found:
            found.add(hint)
            if dataclasses.is_dataclass(hint):
                for field_hint in typing.get_type_hints(hint, localns=names).values():
                    walk(field_hint)
            for name, member in inspect.getmembers(hint, inspect.isfunction):
                if not name.startswith("_"):
                    walk(returned(member))
            for name, member in inspect.getmembers(hint, lambda m: isinstance(m, property)):
                walk(returned(member.fget))

    for name in provpack.__all__:
        value = getattr(provpack, name)
        if inspect.isfunction(value):
            walk(returned(value))
    assert {"VerifyReport", "ArchivedDocument"} <= {cls.__name__ for cls in found}
    missing = sorted(cls.__name__ for cls in found if cls.__name__ not in provpack.__all__)
    assert missing == []


_PATH = "a path (a str or a pathlib.Path)"
_BINARY = "a binary stream (open(PATH, 'wb'), io.BytesIO, sys.stdout.buffer)"
_TEXT = "a path or a text stream (open(PATH, 'w'), io.StringIO, sys.stdout)"
COMMITTED = str(Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz")
SEEDS = str(Path(__file__).resolve().parents[1] / "seeds")


@pytest.mark.parametrize(("call", "message"), [
    (lambda out: provpack.package(SEEDS, out=out, description=5), "description: must be a str or None, not int 5"),
    (lambda out: provpack.package(SEEDS, out=out, jobs="2"), "jobs: must be an int or None, not str '2'"),
    (lambda out: provpack.package(SEEDS, out=out, jobs=True), "jobs: must be an int or None, not bool True"),
    (lambda out: provpack.package(SEEDS, out=out, force="no"), "force: must be True or False, not str 'no'"),
    (lambda out: provpack.package(SEEDS, out=out, max_text_bytes=None), "max_text_bytes: must be an int, not None"),
    (lambda out: provpack.package(SEEDS, out=out, progress=5), "progress: must be a function or None, not int 5"),
    (lambda out: provpack.package(SEEDS, out=5), f"out: must be {_PATH} or None, not int 5"),
    (lambda out: provpack.package(5, out=out), f"sources: must be {_PATH} or an iterable of them, not int 5"),
    (lambda out: provpack.package([SEEDS, b"x"], out=out), f"sources[1]: must be {_PATH}, not bytes b'x'"),
    (lambda out: provpack.verify(5), f"paths: must be {_PATH} or an iterable of them, not int 5"),
    (lambda out: provpack.verify(COMMITTED, key=5), f"key: must be {_PATH} or None, not int 5"),
    (lambda out: provpack.verify(COMMITTED, strict="yes"), "strict: must be True or False, not str 'yes'"),
    (lambda out: provpack.read_archive(None), f"path: must be {_PATH}, not None"),
    (lambda out: provpack.read_archive(COMMITTED, on_damage=5), "on_damage: must be a function or None, not int 5"),
    (lambda out: provpack.package(BytesPath("seeds"), out=out),
     f"sources: must be {_PATH} or an iterable of them, not BytesPath whose os.fspath() is bytes b'seeds'"),
    (lambda out: provpack.package(SEEDS, out=BytesPath("a.warc.gz")),
     f"out: must be {_PATH} or None, not BytesPath whose os.fspath() is bytes b'a.warc.gz'"),
    (lambda out: provpack.write_index(COMMITTED, BytesPath("a.cdxj")),
     f"out: must be {_TEXT}, not BytesPath whose os.fspath() is bytes b'a.cdxj'"),
    (lambda out: provpack.extract(COMMITTED, 5, io.BytesIO()), "name: must be a str (a document's name) or an ArchivedDocument, not int 5"),
    (lambda out: provpack.extract(COMMITTED, "x", io.StringIO()), f"dest: must be {_BINARY}, not a text stream "
                                                                  "(StringIO)"),
    (lambda out: provpack.extract(COMMITTED, "x", "out.txt"), f"dest: must be {_BINARY}, not str 'out.txt'"),
    (lambda out: provpack.index(COMMITTED, filename=3), "filename: must be a str or None, not int 3"),
    (lambda out: provpack.index(b"a.warc.gz"), f"warc_path: must be {_PATH}, not bytes b'a.warc.gz'"),
    (lambda out: provpack.write_index(COMMITTED, io.BytesIO()), f"out: must be {_TEXT}, not a binary stream (BytesIO)"),
    (lambda out: provpack.write_index(COMMITTED, out, sort=None), "sort: must be True or False, not None"),
    (lambda out: provpack.make_wacz(COMMITTED, out, title=["t"]), "title: must be a str or None, not list ['t']"),
    (lambda out: provpack.make_wacz(COMMITTED, 5), f"out_path: must be {_PATH}, not int 5"),
    (lambda out: provpack.make_bag(COMMITTED, None), f"out_dir: must be {_PATH}, not None"),
    (lambda out: provpack.make_bag([COMMITTED, 5], out), f"paths[1]: must be {_PATH}, not int 5"),
    (lambda out: provpack.package(SEEDS, out=out, allow_private=True),
     "allow_private: changes nothing without fetch=True (it lets the fetch reach loopback and private addresses; "
     "nothing else is fetched); pass fetch=True as well, or leave it out"),
    (lambda out: provpack.package(SEEDS, out=out, fetch=True, allow_private=True, fetcher=print),
     "allow_private: changes nothing with a fetcher given (it lets provpack's own fetcher, provpack.capture.capture, "
     "reach loopback and private addresses); pass it to your fetcher itself (for capture: "
     "functools.partial(capture, allow_private=True)), or leave it out"),
])
def test_wrong_argument_types_are_input_errors_naming_the_argument(call: Callable[[Path], object], message: str,
                                                                    tmp_path: Path) -> None:
    """A public function given a value of the wrong type raises an InputError (a ProvpackError) naming the argument
    and what it must be, before any work: not an AttributeError or TypeError from inside, nor after a read."""
    with pytest.raises(provpack.InputError) as caught:
        call(tmp_path / "out.warc.gz")
    assert str(caught.value) == message
    assert list(tmp_path.iterdir()) == []


_NUL = "holds a NUL character, which no file name can hold; check the path"
_SURROGATE = ("holds U+D800, a lone surrogate, which no file name can hold (os.fsdecode gives only U+DC80 to U+DCFF, "
              "for bytes that are not UTF-8); check the path")


@pytest.mark.parametrize(("bad", "said"), [("a\0b", _NUL), ("a\ud800b", _SURROGATE)], ids=["nul", "surrogate"])
@pytest.mark.parametrize(("call", "argument"), [
    (lambda bad, out: provpack.package(bad, out=out), "sources"),
    (lambda bad, out: provpack.package([SEEDS, bad], out=out), "sources[1]"),
    (lambda bad, out: provpack.package(SEEDS, out=Path(bad)), "out"),
    (lambda bad, out: provpack.verify(bad), "paths"),
    (lambda bad, out: provpack.verify([COMMITTED, Path(bad)]), "paths[1]"),
    (lambda bad, out: provpack.verify(COMMITTED, key=bad), "key"),
    (lambda bad, out: provpack.verify(COMMITTED, key=COMMITTED, signature=bad), "signature"),
    (lambda bad, out: provpack.read_archive(bad), "path"),
    (lambda bad, out: provpack.extract(bad, "x", io.BytesIO()), "path"),
    (lambda bad, out: provpack.index(bad), "warc_path"),
    (lambda bad, out: provpack.write_index(bad, out), "warc_path"),
    (lambda bad, out: provpack.write_index(COMMITTED, bad), "out"),
    (lambda bad, out: provpack.make_wacz(bad, out), "warc_path"),
    (lambda bad, out: provpack.make_wacz(COMMITTED, bad), "out_path"),
    (lambda bad, out: provpack.make_bag(bad, out), "paths"),
    (lambda bad, out: provpack.make_bag(COMMITTED, TextPath(bad)), "out_dir"),
])
def test_paths_no_file_name_can_hold_are_input_errors_naming_the_argument(
        call: Callable[[str, Path], object], argument: str, bad: str, said: str, tmp_path: Path) -> None:
    """A path with a NUL, or a lone surrogate that stands for no byte of a file name, is an InputError naming the
    argument and the path (was the os's bare ValueError, "embedded null byte", or a UnicodeEncodeError), before any
    work."""
    with pytest.raises(provpack.InputError) as caught:
        call(bad, tmp_path / "out")
    assert str(caught.value) == f"{argument}: {bad!r} {said}"
    assert list(tmp_path.iterdir()) == []


def test_paths_of_undecodable_file_names_are_read_and_written(tmp_path: Path) -> None:
    """A file name whose bytes are not UTF-8, as os.fsdecode gives it (lone surrogates U+DC80 to U+DCFF), names
    its file: read, verified, written to (an archive's own name must be UTF-8 where it is recorded: its WARC-Filename,
    a WACZ's archive/NAME, a bag's manifests)."""
    import shutil

    folder = tmp_path / os.fsdecode(b"caf\xe9")
    archive = folder / os.fsdecode(b"\xff.warc.gz")
    folder.mkdir()
    shutil.copyfile(COMMITTED, archive)
    assert provpack.verify(str(archive)).ok
    assert [document.name for document in provpack.read_archive(str(archive))] == ["000_8dbb4f68ea601904"]
    assert provpack.write_index(COMMITTED, str(folder / os.fsdecode(b"\xfe.cdxj"))) == 2
    assert provpack.make_bag(COMMITTED, str(folder / os.fsdecode(b"\xfd"))).is_dir()
    assert provpack.package(SEEDS, out=str(folder / "a.warc.gz")).records == 3


class BytesPath:
    """An os.PathLike whose __fspath__ gives bytes: no path provpack takes (Path() refuses it)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __fspath__(self) -> bytes:
        return self.path.encode()


class TextPath:
    """An os.PathLike of no pathlib class, whose __fspath__ gives a str: a path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __fspath__(self) -> str:
        return str(self.path)


def test_write_index_takes_any_path_like(tmp_path: Path) -> None:
    """write_index writes to an os.PathLike of no pathlib class as to a path (it was taken for a stream and failed
    with an AttributeError after indexing), and refuses it, even with force, when it is the archive read."""
    import shutil

    out, text = tmp_path / "out.cdxj", io.StringIO()
    assert provpack.write_index(COMMITTED, TextPath(out)) == provpack.write_index(COMMITTED, text) == 2
    assert out.read_text(encoding="utf-8") == text.getvalue()
    archive = tmp_path / "seeds.warc.gz"
    shutil.copyfile(COMMITTED, archive)
    with pytest.raises(provpack.ArchiveError) as caught:
        provpack.write_index(archive, TextPath(archive), force=True)
    assert str(caught.value) == (f"{archive}: is the archive this command reads ({archive}); provpack does not write "
                                 "over it, even with --force (force=True); write to another file")
    assert archive.read_bytes() == Path(COMMITTED).read_bytes()


def test_extract_checks_its_stream_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """extract into a text stream is refused before the archive is read, not by the first write after it."""
    from provpack import reader

    def read(path: object) -> object:
        raise AssertionError("the archive was read")

    monkeypatch.setattr(reader, "read_archive", read)
    with pytest.raises(provpack.InputError, match="^dest: must be a binary stream"):
        provpack.extract(COMMITTED, "000_8dbb4f68ea601904", io.StringIO())


def test_streams_closed_or_open_to_read_are_refused_before_any_work(tmp_path: Path) -> None:
    """extract and write_index given a stream that is closed, or open only for reading, raise an InputError naming
    it before the archive is read (a missing archive is not even looked for): they raised ValueError or
    io.UnsupportedOperation once the whole archive was read and checked. package, verify and make_bag given an open
    file where paths are refuse it (its lines were taken for paths, a closed one's raised ValueError)."""
    missing = str(tmp_path / "missing.warc.gz")
    closed_binary, closed_text = io.BytesIO(), io.StringIO()
    closed_binary.close()
    closed_text.close()
    with open(COMMITTED, "rb") as binary, open(COMMITTED, encoding="latin-1") as text:
        for call, message in (
                (lambda: provpack.extract(missing, "x", closed_binary),
                 "dest: a binary stream (BytesIO) is closed; pass an open one (open(PATH, 'wb'))"),
                (lambda: provpack.extract(missing, "x", binary, hold=False),
                 "dest: a binary stream (BufferedReader) is not open for writing (mode 'rb'); pass one open for "
                 "writing (open(PATH, 'wb'))"),
                (lambda: provpack.write_index(missing, closed_text),
                 "out: a text stream (StringIO) is closed; pass an open one (open(PATH, 'w'))"),
                (lambda: provpack.write_index(missing, text),
                 "out: a text stream (TextIOWrapper) is not open for writing (mode 'r'); pass one open for writing "
                 "(open(PATH, 'w'))"),
                (lambda: provpack.package(text, out=tmp_path / "a.warc.gz"),
                 f"sources: must be {_PATH} or an iterable of them, not a text stream (TextIOWrapper): a file's lines "
                 "are not taken for paths; pass the file's path, or a list of the paths in it"),
                (lambda: provpack.verify(closed_binary),
                 f"paths: must be {_PATH} or an iterable of them, not a binary stream (BytesIO): a file's lines are "
                 "not taken for paths; pass the file's path, or a list of the paths in it"),
                (lambda: provpack.make_bag(binary, tmp_path / "bag"),
                 f"paths: must be {_PATH} or an iterable of them, not a binary stream (BufferedReader): a file's lines "
                 "are not taken for paths; pass the file's path, or a list of the paths in it")):
            with pytest.raises(provpack.InputError) as caught:
                call()
            assert str(caught.value) == message
        assert binary.tell() == text.tell() == 0
    assert list(tmp_path.iterdir()) == []


def test_results_hash_alike_when_equal(tmp_path: Path) -> None:
    """The result dataclasses hash, as the README says, and equal ones alike: a dict they hold (a document's
    provenance, an unmatched original's charset) is left out of the hash (it made ArchivedDocument, and a
    PackageResult with an unmatched original, unhashable)."""
    documents = provpack.read_archive(COMMITTED)
    assert len({*documents, *provpack.read_archive(COMMITTED)}) == len(documents) == 1
    charset = {"encoding": "utf-8", "source": "default"}
    unmatched = [provpack.UnmatchedOriginal(name="a", how="local", original="a.html", segments=2, charset=dict(charset))
                 for _ in range(2)]
    assert hash(unmatched[0]) == hash(unmatched[1]) and unmatched[0] == unmatched[1]
    result = provpack.package(SEEDS, out=tmp_path / "a.warc.gz")
    assert hash(dataclasses.replace(result, unmatched=(unmatched[0],))) == hash(
        dataclasses.replace(result, unmatched=(unmatched[1],)))
