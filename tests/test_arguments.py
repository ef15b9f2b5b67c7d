"""Argument type checks: what each kind takes, and how a stream says whether it takes bytes or text."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path, PurePosixPath

import pytest

from provpack.arguments import (FLAG, FUNCTION, INT, NUMBER, PATH, TEXT, binary_stream, file_path, paths, require,
                                text_stream)
from provpack.errors import InputError


class Writer:
    """A stream of no io class that does not say what it takes."""

    def write(self, data: object) -> int:
        return 0


def test_kinds_take_what_they_say() -> None:
    """A bool is no int, bytes no path; None only where a kind is optional."""
    require((("a", 0, INT), ("b", None, INT.or_none), ("c", "x", TEXT), ("d", False, FLAG), ("e", len, FUNCTION),
             ("f", Path("x"), PATH), ("g", PurePosixPath("x"), PATH), ("h", "x", PATH), ("i", 1, NUMBER),
             ("j", 0.5, NUMBER)))
    for name, value, kind, said in (("n", True, INT, "an int, not bool True"), ("n", None, TEXT, "a str, not None"),
                                    ("n", 1, FLAG, "True or False, not int 1"),
                                    ("n", False, NUMBER, "a number (an int or a float), not bool False"),
                                    ("n", b"x", PATH.or_none, "a path (a str or a pathlib.Path) or None, not bytes b'x'")):
        with pytest.raises(InputError) as caught:
            require(((name, value, kind),))
        assert str(caught.value) == f"n: must be {said}"


class Fspath:
    """An os.PathLike of no pathlib class whose __fspath__ gives `value`."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __fspath__(self) -> object:
        return self.value


def test_a_path_like_is_a_path_when_its_fspath_is_a_str() -> None:
    """Any os.PathLike giving a str is a path (and text_stream's); one giving bytes, or what os.fspath refuses, is
    not (Path() refuses it with a TypeError), and the message says what it gives."""
    path = Fspath("x")
    require((("p", path, PATH),))
    text_stream("s", path)
    assert paths("p", path) == [path]
    for value, said in ((Fspath(b"x"), "Fspath whose os.fspath() is bytes b'x'"),
                        (Fspath(5), "Fspath whose os.fspath() is refused")):
        with pytest.raises(InputError) as caught:
            require((("p", value, PATH),))
        assert str(caught.value) == f"p: must be a path (a str or a pathlib.Path), not {said}"
        with pytest.raises(InputError) as caught:
            paths("p", value)
        assert str(caught.value) == f"p: must be a path (a str or a pathlib.Path) or an iterable of them, not {said}"
        with pytest.raises(InputError) as caught:
            text_stream("s", value)
        assert str(caught.value) == ("s: must be a path or a text stream (open(PATH, 'w'), io.StringIO, sys.stdout), "
                                     f"not {said}")


def test_paths_reads_an_iterable_once() -> None:
    """One path is a list of one; an iterator is read into a list; a long value is cut short in the message."""
    assert paths("p", "a") == ["a"] and paths("p", iter([Path("a"), "b"])) == [Path("a"), "b"]
    with pytest.raises(InputError) as caught:
        paths("p", bytearray(b"x"))
    assert str(caught.value) == "p: must be a path (a str or a pathlib.Path) or an iterable of them, not bytearray " \
                                "bytearray(b'x')"
    with pytest.raises(InputError) as caught:
        paths("p", ["a", list(range(100))])
    assert str(caught.value) == "p[1]: must be a path (a str or a pathlib.Path), not list [0, 1, 2, 3, 4, 5, ...]"


def test_streams_say_whether_they_take_bytes() -> None:
    """io classes and a mode say it; a stream that does not say is taken for what is asked."""
    with tempfile.TemporaryFile("w+b") as binary, tempfile.TemporaryFile("w+") as text, \
            tempfile.NamedTemporaryFile("w") as named_text, tempfile.SpooledTemporaryFile(mode="w+b") as spooled:
        for stream in (io.BytesIO(), binary, spooled, sys.stdout.buffer, Writer()):
            binary_stream("s", stream)
        for stream in (io.StringIO(), text, named_text, sys.stdout, Writer(), "out.cdxj", Path("out.cdxj")):
            text_stream("s", stream)
        for stream in (io.StringIO(), text, named_text):
            with pytest.raises(InputError, match=r"^s: must be a binary stream .*, not a text stream \("):
                binary_stream("s", stream)
        for stream in (io.BytesIO(), binary, spooled):
            with pytest.raises(InputError, match=r"^s: must be a path or a text stream .*, not a binary stream \("):
                text_stream("s", stream)
        with pytest.raises(InputError, match=r"^s: must be a path or a text stream .*, not int 5$"):
            text_stream("s", 5)


def test_paths_no_file_name_can_hold_are_input_errors() -> None:
    """A NUL, or a lone surrogate other than the U+DC80 to U+DCFF os.fsdecode makes of a name's undecodable bytes,
    is an InputError naming the argument (the os raised a bare ValueError, or a UnicodeEncodeError), for a str or a
    path-like, one path or an item of several, and for text_stream's path; those os.fsdecode makes are paths."""
    nul = "'a\\x00b' holds a NUL character, which no file name can hold; check the path"
    surrogate = ("'a\\ud800b' holds U+D800, a lone surrogate, which no file name can hold (os.fsdecode gives only "
                 "U+DC80 to U+DCFF, for bytes that are not UTF-8); check the path")
    for value, said in (("a\0b", nul), (Path("a\0b"), nul), (Fspath("a\0b"), nul), ("a\ud800b", surrogate),
                        (Path("a\ud800b"), surrogate)):
        for check in (lambda: require((("p", value, PATH),)), lambda: require((("p", value, PATH.or_none),)),
                      lambda: paths("p", value), lambda: text_stream("p", value)):
            with pytest.raises(InputError) as caught:
                check()
            assert str(caught.value) == f"p: {said}"
        with pytest.raises(InputError) as caught:
            paths("p", ["x", value])
        assert str(caught.value) == f"p[1]: {said}"
    with pytest.raises(InputError) as caught:
        require((("p", "\udc7f", PATH),))   # (below U+DC80: no byte's stand-in)
    assert str(caught.value) == ("p: '\\udc7f' holds U+DC7F, a lone surrogate, which no file name can hold "
                                 "(os.fsdecode gives only U+DC80 to U+DCFF, for bytes that are not UTF-8); check the "
                                 "path")
    undecodable = os.fsdecode(b"caf\xe9/\xff.warc.gz")
    require((("p", undecodable, PATH), ("q", Path(undecodable), PATH)))
    assert paths("p", [undecodable]) == [undecodable]
    text_stream("p", undecodable)


def test_a_path_the_file_system_encoding_cannot_spell_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where file names are not UTF-8 (Python not in UTF-8 mode under a Latin-1 locale), a character the
    encoding has not is refused as such, not as a surrogate."""
    monkeypatch.setattr(os, "fsencode", lambda text: text.encode("latin-1", "surrogateescape"))
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "latin-1")
    with pytest.raises(InputError) as caught:
        require((("p", "caf\u00e9 \u2014", PATH),))
    assert str(caught.value) == ("p: 'café —' holds U+2014, which file names cannot hold in this system's encoding "
                                 "(latin-1); check the path")


def test_an_empty_path_is_refused_wherever_a_path_is_taken() -> None:
    """'' is no path: pathlib reads it as '.', the current folder, which an empty value does not mean. Refused as a
    path, an optional one, one of several or a stream's path, naming the argument; a text stream is no path."""
    for check, named in ((lambda: require((("out", "", PATH),)), "out"),
                         (lambda: require((("out", Fspath(""), PATH.or_none),)), "out"),
                         (lambda: paths("sources", ""), "sources"), (lambda: paths("sources", ["a", ""]), "sources[1]"),
                         (lambda: text_stream("out", ""), "out"), (lambda: file_path("archive", ""), "archive")):
        with pytest.raises(InputError) as caught:
            check()
        assert str(caught.value) == f"{named}: empty path; give a path"
    require((("text", "", TEXT), ("out", None, PATH.or_none)))
    text_stream("out", io.StringIO())


def test_a_file_path_names_a_file() -> None:
    """'.', '/' and '..' name a folder: an InputError (a ValueError too, as pathlib's with_name raised), naming the
    path, with what to do."""
    assert file_path("archive", "a/b.warc.gz") == Path("a/b.warc.gz")
    for value in (".", "/", "a/..", Path("."), "./"):
        with pytest.raises(InputError) as caught:
            file_path("archive", value)
        assert str(caught.value) == f"{value}: is a folder, not a file; give a file"
    with pytest.raises(ValueError, match=r"^\.: is a folder, not a file; name a file to write$"):
        file_path("out", ".", fix="name a file to write")


class Untold(Writer):
    """A stream that cannot tell whether it is writable (its writable() raises), nor says it is closed."""

    def writable(self) -> bool:
        raise OSError("cannot tell")


def test_a_stream_closed_or_open_only_to_read_is_refused(tmp_path: Path) -> None:
    """A stream that says it is closed, or open only for reading, is an InputError naming the argument with what to
    pass (a closed one raised ValueError, one open to read io.UnsupportedOperation, at the first write, after the
    whole archive was read); a stream that does not say passes, and its first write will tell."""
    source = tmp_path / "a.txt"
    source.write_bytes(b"x")
    closed_binary, closed_text = io.BytesIO(), io.StringIO()
    closed_binary.close()
    closed_text.close()
    with open(source, "rb") as binary, open(source, encoding="utf-8") as text:
        for check, stream, said in (
                (binary_stream, closed_binary, "a binary stream (BytesIO) is closed; pass an open one (open(PATH, "
                                               "'wb'))"),
                (binary_stream, binary, "a binary stream (BufferedReader) is not open for writing (mode 'rb'); pass "
                                        "one open for writing (open(PATH, 'wb'))"),
                (text_stream, closed_text, "a text stream (StringIO) is closed; pass an open one (open(PATH, 'w'))"),
                (text_stream, text, "a text stream (TextIOWrapper) is not open for writing (mode 'r'); pass one open "
                                    "for writing (open(PATH, 'w'))")):
            with pytest.raises(InputError) as caught:
                check("s", stream)
            assert str(caught.value) == f"s: {said}"
    for untold in (Writer(), Untold()):
        binary_stream("s", untold)
        text_stream("s", untold)


def test_an_open_file_is_no_list_of_paths(tmp_path: Path) -> None:
    """A file (open, closed, or another stream to read) given where paths are is refused naming the argument: its
    lines were taken for paths (`seeds\\x0a: no such file or folder`), and a closed one's raised ValueError."""
    listing = tmp_path / "list.txt"
    listing.write_text("seeds\n", encoding="utf-8")
    closed = open(listing, "rb")
    closed.close()
    with open(listing, encoding="utf-8") as text, open(listing, "rb") as binary, \
            tempfile.NamedTemporaryFile() as wrapper:
        for value, said in ((text, "a text stream (TextIOWrapper)"), (binary, "a binary stream (BufferedReader)"),
                            (closed, "a binary stream (BufferedReader)"),
                            (wrapper, "a binary stream (_TemporaryFileWrapper)")):
            with pytest.raises(InputError) as caught:
                paths("sources", value)
            assert str(caught.value) == (f"sources: must be a path (a str or a pathlib.Path) or an iterable of them, "
                                         f"not {said}: a file's lines are not taken for paths; pass the file's path, "
                                         "or a list of the paths in it")
        assert text.read() == "seeds\n"   # (not read)
