"""Tests for provpack.display: the show command's views."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from provpack.display import print_documents, show_json
from provpack.reader import ArchivedDocument
from provpack.package import package
from provpack.reader import read_archive

from conftest import ARCHIVE, SEED_NAME


def test_plain_view_lists_fields_and_elisions_in_context() -> None:
    """Without a terminal the view is plain text with each elision in its context."""
    documents = read_archive(ARCHIVE / "seeds.warc.gz")
    out = io.StringIO()
    print_documents("seeds.warc.gz", documents, out)
    text = out.getvalue()
    assert "\x1b[" not in text
    assert SEED_NAME in text and "The Atlantic" in text
    assert "chars 1019-1024, bytes 1029-1034, line 5 col 942" in text
    assert "Tehran was next. [...] There is no evidence" in text


def test_colour_marks_the_marker() -> None:
    """With colour forced, the marker is highlighted."""
    out = io.StringIO()
    print_documents("x", read_archive(ARCHIVE / "seeds.warc.gz"), out, color=True)
    assert "\x1b[1;31m[...]" in out.getvalue()


def test_json_shape_is_stable() -> None:
    """show --json has exactly the documented keys."""
    (document,) = [show_json(d) for d in read_archive(ARCHIVE / "seeds.warc.gz")]
    assert set(document) == {"name", "record_id", "target_uri", "sha256", "length_bytes", "fields", "elisions",
                             "segments", "alterations", "original", "differences", "out_of_order"}
    assert set(document["elisions"][0]) == {"marker", "start", "end", "byte_start", "byte_end", "line", "column",
                                            "kind", "omitted", "omitted_reason", "omitted_scope", "confirmed"}


def test_readme_documents_the_json_shape() -> None:
    """Every key show --json gives is named where the README describes it."""
    readme = (ARCHIVE.parent / "README.md").read_text(encoding="utf-8")
    described = readme[readme.index("`--json` gives"):][:900]
    (document,) = [show_json(d) for d in read_archive(ARCHIVE / "seeds.warc.gz")]
    missing = [key for key in [*document, *document["elisions"][0]] if f'"{key}"' not in described]
    assert missing == []


def test_plain_view_has_no_trailing_spaces() -> None:
    """Piped, no line ends in the padding of rich's tables (the README's transcript has none)."""
    out = io.StringIO()
    print_documents("seeds.warc.gz", read_archive(ARCHIVE / "seeds.warc.gz"), out)
    lines = out.getvalue().split("\n")
    assert [line for line in lines if line != line.rstrip()] == []
    assert "record  <urn:uuid:36034ffd-15e0-5b81-bbea-631edd1d2129>" in lines


def test_control_characters_of_an_original_do_not_reach_the_terminal(tmp_path: Path) -> None:
    """An escape sequence in an original's omitted passage, or the quote's context, is shown escaped."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "page.html").write_bytes(b"<p>We hold these truths to be self-evident, that all \x1b]0;owned\x1b\\ "
                                       b"\x1b[2J men are created equal, that they are endowed by their Creator.</p>")
    (source / "a.txt").write_text("We hold these truths to be self-evident \x1b[31m[...] that they are endowed "
                                  "by their Creator.\n", encoding="utf-8")
    (source / "a.yaml").write_text("original: page.html\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    text = out.getvalue()
    assert "\x1b" not in text
    assert "cut 39-" in text and "\\x1b[2J men are created equal" in text
    assert "self-evident \\x1b[31m[...] that they" in text


def test_nothing_read_from_a_hostile_archive_reaches_the_terminal_raw() -> None:
    """Escape sequences anywhere a provenance record or record header puts them (name, ids, field names
    and values, markers, the original's description) are spelled out; line breaks in a value are kept."""
    evil = "\x1b]0;owned\x07\x1b[2J\r\x9b"
    document = ArchivedDocument(
        name=f"doc{evil}", record_id=f"<urn:uuid:{evil}>", target_uri=f"urn:x:{evil}", sha256=evil,
        length_bytes=3, offset=0,
        provenance={
            "length_chars": 3,
            "fields": {f"title{evil}": {"value": f"A{evil}\nB", "from": f"sidecar{evil}", "span": [0, 1]}},
            "elisions": [{"marker": f"[...]{evil}", "kind": "bracketed", "start": 0, "end": 1, "byte_start": 0,
                          "byte_end": 1, "line": 1, "column": 1, "omitted": None, "omitted_reason": f"why{evil}"}],
            "segments": [],
            "original": {"how": "fetched", "url": f"https://e.org/{evil}", "status": 200, "fetched_at": evil,
                         "final_url": f"https://e.org/{evil}", "length_chars": 1, "scope": evil,
                         "conversion_record_id": evil},
            "differences": [{"kind": evil, "start": 0, "end": 1, "excerpt": evil, "source": evil}],
        },
    )
    out = io.StringIO()
    print_documents("x.warc.gz", (document,), out)
    text = out.getvalue()
    assert not any(ch in text for ch in "\x1b\x07\r\x9b"), repr(text)
    assert "doc\\x1b]0;owned\\x07\\x1b[2J\\x0d\\x9b" in text   # (a name is an identifier: its CR spelled out too)
    assert "A\\x1b" in text and "why\\x1b" in text and "https://e.org/\\x1b" in text


def test_identifiers_have_every_control_character_spelled_out(tmp_path: Path) -> None:
    """A document name with LF, TAB or CR (a file may be named so) is one line, spelled as messages spell it;
    so are field names and the original's URL and path; a field's value keeps its line break (text)."""
    plain = ArchivedDocument(
        name="new\nline\tand\rcr", record_id="<urn:uuid:a\nb>", target_uri="urn:x:a\tb", sha256="ab\n",
        length_bytes=3, offset=0,
        provenance={"length_chars": 3,
                    "fields": {"ti\ttle\n": {"value": "A\nB", "from": "side\ncar", "span": [0, 1]}},
                    "elisions": [], "segments": [],
                    "original": {"how": "local", "path": "pa\nge.html", "length_chars": 1, "scope": "body",
                                 "conversion_record_id": "<urn:uuid:c\td>"}})
    out = io.StringIO()
    print_documents("x.warc.gz", (plain,), out)
    lines = out.getvalue().split("\n")
    assert lines[2:6] == ["new\\x0aline\\x09and\\x0dcr", "record  <urn:uuid:a\\x0ab>", "target  urn:x:a\\x09b",
                          "sha256  ab\\x0a"]
    assert lines[9:11] == ["ti\\x09tle\\x0a │ A     │ side\\x0acar │ 0-1", "              │ B     │             │"]
    assert "original: local copy pa\\x0age.html; text 1 characters from the body, record <urn:uuid:c\\x09d>" in lines


def test_a_value_nested_however_deep_is_made_safe_without_recursion() -> None:
    """Every string of the provenance is made safe with a stack of its own: a value nested 5,000 deep (an
    ArchivedDocument built by hand: read_archive reads none deeper than jsondepth.MAX_DEPTH) raised RecursionError.
    Keys stay in order, and of two keys spelled alike the later one's value is kept, as before."""
    from provpack.display import _safe

    deep: object = "in\x1bside"
    for _ in range(5000):
        deep = [{"a\tb": deep}]
    safe = _safe({"x": deep, "url": "u\tv", "z\x1b": ["p\x1bq", {"url": ["r\ts"]}, 3, None]})
    assert list(safe) == ["x", "url", "z\\x1b"]
    assert safe["url"] == "u\\x09v" and safe["z\\x1b"] == ["p\\x1bq", {"url": ["r\\x09s"]}, 3, None]
    inner = safe["x"]
    for _ in range(5000):
        assert type(inner) is list and list(inner[0]) == ["a\\x09b"]
        inner = inner[0]["a\\x09b"]
    assert inner == "in\\x1bside"
    assert _safe({"a\tb": 1, "a\\x09b": 2, "c": 3}) == {"a\\x09b": 2, "c": 3}
    assert list(_safe({"a\tb": 1, "c": 3, "a\\x09b": 2})) == ["a\\x09b", "c"]


def test_show_spells_out_a_packaged_name_with_a_line_break(tmp_path: Path) -> None:
    """The names of texts named with LF and TAB, packaged as they are, come out of show on one line each."""
    lines = _shown_lines(tmp_path, {"new\nline": b"New [...] name.\n", "t\tab": b"tab [...]\n"})
    assert [line for line in lines if line.startswith(("new", "t\\"))] == ["new\\x0aline", "t\\x09ab"]


def test_a_crlf_excerpt_reads_as_text(tmp_path: Path) -> None:
    """CRLF line breaks around a marker show as spaces in its context, not as spelled-out \\x0d."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_bytes(b"First line of the quote\r\n[...]\r\nand the second line of it.\r\n")
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    text = out.getvalue()
    assert "First line of the quote [...] and the second" in text
    assert "\\x0d" not in text and "\r" not in text


def _full() -> ArchivedDocument:
    """A document with every part show draws: fields, each kind of elision, an original fetched and redirected,
    differences, segments out of order."""
    return ArchivedDocument(
        name="quote", record_id="<urn:uuid:1>", target_uri="urn:provpack:quote", sha256="ab" * 32,
        length_bytes=1234, offset=0,
        provenance={
            "length_chars": 1200,
            "fields": {"title": {"value": "A Title", "from": "sidecar", "span": [3, 9]},
                       "author": {"value": "Ann", "from": "text"}},
            "elisions": [
                {"marker": "[...]", "kind": "bracketed", "start": 50, "end": 55, "byte_start": 51, "byte_end": 56,
                 "line": 2, "column": 7, "omitted": {"text": "the words  that\nwere cut", "start": 300, "end": 324},
                 "omitted_reason": None, "omitted_scope": "between", "confirmed": None,
                 "oa:hasTarget": {"oa:hasSelector": [
                     {"type": "TextPositionSelector"},
                     {"type": "TextQuoteSelector", "oa:prefix": "0123456789" * 5 + "before\n\tit ",
                      "oa:suffix": " after\nit" + "9876543210" * 5}]}},
                {"marker": "[…]", "kind": "bracketed", "start": 80, "end": 83, "byte_start": 83, "byte_end": 88,
                 "line": 3, "column": 1, "omitted": None, "omitted_reason": "the original moves on", "confirmed": None},
                {"marker": "...", "kind": "possible", "start": 90, "end": 93, "byte_start": 95, "byte_end": 98,
                 "line": 3, "column": 11, "omitted": None, "omitted_reason": None, "confirmed": True},
                {"marker": "…", "kind": "possible", "start": 99, "end": 100, "byte_start": 104, "byte_end": 107,
                 "line": 3, "column": 20, "omitted": None, "omitted_reason": None, "confirmed": False},
            ],
            "segments": [{"start": 0, "end": 50}],
            "alterations": [{"marker": "[sic]", "start": 60, "end": 65, "byte_start": 61, "byte_end": 66, "line": 2,
                             "column": 17}],
            "original": {"how": "fetched", "url": "https://e.org/a", "final_url": "https://e.org/b", "status": 200,
                         "fetched_at": "2026-01-02T03:04:05Z", "record_id": "<urn:uuid:2>",
                         "conversion_record_id": "<urn:uuid:3>", "target_uri": "https://e.org/a",
                         "content_type": "text/html", "length_chars": 4321, "scope": "article", "extra": 1},
            "differences": [{"kind": "changed", "start": 10, "end": 14,
                             "excerpt": " ".join(f"w{i:02}" for i in range(30)), "source": "color"}],
            "out_of_order": [[2, 1]],
        },
    )


def _no_text() -> ArchivedDocument:
    """A document whose original (a local PDF) has no text to align against."""
    return replace(_full(), name="scan", provenance={
        "length_chars": 5,
        "elisions": [{"marker": "[...]", "kind": "bracketed", "start": 1, "end": 6, "byte_start": 1, "byte_end": 6,
                      "line": 1, "column": 2, "omitted": None, "omitted_reason": None, "confirmed": None}],
        "original": {"how": "local", "path": "scan.pdf", "no_text": "application/pdf", "length_chars": 0}})


def test_every_part_of_a_document_is_drawn() -> None:
    """Piped, the view is exactly: summary, fields with their spans, each elision in 40 characters of context
    with what it cut or why not, each alteration, then the original, where it was redirected, and each difference
    cut to 60."""
    out = io.StringIO()
    print_documents("x.warc.gz", (_full(), _no_text()), out)
    assert out.getvalue().split("\n") == [
        "x.warc.gz: 2 documents",
        "",
        "quote",
        "record  <urn:uuid:1>",
        "target  urn:provpack:quote",
        "sha256  " + "ab" * 32,
        "size    1,234 bytes, 1,200 characters",
        "field  ┃ value   ┃ from    ┃ chars",
        "━━━━━━━╇━━━━━━━━━╇━━━━━━━━━╇━━━━━━",
        "author │ Ann     │ text    │",
        "title  │ A Title │ sidecar │ 3-9",
        "elisions: 2 bracketed, 2 possible; segments: 1",
        "  1. [...] bracketed: chars 50-55, bytes 51-56, line 2 col 7",
        "     …012345678901234567890123456789before it [...] after it9876543210987654321098765432109…",
        "     - cut 300-324: the words that were cut",
        "  2. […] bracketed: chars 80-83, bytes 83-88, line 3 col 1",
        "     …[…]…",
        "     (the original moves on)",
        "  3. ... possible: chars 90-93, bytes 95-98, line 3 col 11",
        "     …...…",
        "     possible elision confirmed: the original has text there",
        "  4. … possible: chars 99-100, bytes 104-107, line 3 col 20",
        "     ………",
        "     possible elision: not a cut",
        "alterations: 1",
        "  1. [sic]: chars 60-65, bytes 61-66, line 2 col 17",
        "original: fetched https://e.org/a (HTTP 200, 2026-01-02T03:04:05Z) -> https://e.org/b; "
        "text 4,321 characters from the article, record <urn:uuid:3>",
        "differences: 1; segments out of order: [[2, 1]]",
        "  changed at chars 10-14: 'w00 w01 w02 w03 w04 w05 w06  …  w23 w24 w25 w26 w27 w28 w29' for 'color'",
        "",
        "scan",
        "record  <urn:uuid:1>",
        "target  urn:provpack:quote",
        "sha256  " + "ab" * 32,
        "size    1,234 bytes, 5 characters",
        "elisions: 1 bracketed, 0 possible; segments: 0",
        "  1. [...] bracketed: chars 1-6, bytes 1-6, line 1 col 2",
        "     …[...]",
        "     (what it cut is not known: the original has no text to align against)",
        "original: local copy scan.pdf; archived, not aligned: no text to align against (application/pdf)",
        "",
    ]


def test_what_an_archive_holds_is_shown_as_it_is_never_read_as_markup_or_emoji() -> None:
    """Brackets and colons in an archive's values (a file name, an elision's offsets, a field's span, a URL, a local
    original's path) are shown as they are: rich read them as console markup (`[/x]` made show fail with a
    MarkupError, `[draft]` vanished) and `:smile:` as an emoji."""
    document = _full()
    provenance = dict(document.provenance)
    provenance["elisions"] = [dict(provenance["elisions"][1], start="[/x]", line=":smile:")]
    provenance["fields"] = {"title": {"value": "A Title", "from": "text", "span": ["[b]", ":+1:"]}}
    provenance["original"] = dict(provenance["original"], url="https://e.org/[/i]:smile:", final_url="https://e.org/a")
    local = replace(_no_text(), provenance=dict(_no_text().provenance, original={
        "how": "local", "path": "originals/article [draft] :smile:.pdf", "no_text": "application/pdf"}))
    out = io.StringIO()
    print_documents("a [bold]b[/] :smile:.warc.gz", (replace(document, provenance=provenance), local), out)
    lines = out.getvalue().split("\n")
    assert lines[0] == "a [bold]b[/] :smile:.warc.gz: 2 documents"
    assert lines[9] == "title │ A Title │ text │ [b]-:+1:"
    assert lines[11] == "  1. […] bracketed: chars [/x]-83, bytes 83-88, line :smile: col 1"
    assert lines[16] == ("original: fetched https://e.org/[/i]:smile: (HTTP 200, 2026-01-02T03:04:05Z) -> https://e.org/a; "
                         "text 4,321 characters from the article, record <urn:uuid:3>")
    assert ("original: local copy originals/article [draft] :smile:.pdf; archived, not aligned: no text to align "
            "against (application/pdf)") in lines


ERROR_503 = "HTTP 503 Service Unavailable: the server answered with an error, not the page"


@pytest.mark.parametrize(("status", "cut", "original"), [
    (503, "the original fetched is the server's error answer, not the page", ERROR_503),
    ("503", "the original has no text to align against", f"no text to align against ({ERROR_503})"),
])
def test_an_error_answer_is_shown_as_one(status: object, cut: str, original: str) -> None:
    """A fetched original whose final status is 4xx or 5xx is shown as the server's error answer, its `no_text`
    as written (it says so), and each cut as not known for that reason; a status that is no number is taken for
    none."""
    document = replace(_no_text(), provenance={
        **_no_text().provenance,
        "original": {"how": "fetched", "url": "https://e.org/gone", "final_url": "https://e.org/gone",
                     "status": status, "fetched_at": "2026-01-02T03:04:05Z", "no_text": ERROR_503,
                     "length_chars": None}})
    out = io.StringIO()
    print_documents("x.warc.gz", (document,), out)
    assert out.getvalue().split("\n")[-4:] == [
        "     …[...]",
        f"     (what it cut is not known: {cut})",
        f"original: fetched https://e.org/gone (HTTP {status}, 2026-01-02T03:04:05Z); archived, not aligned: {original}",
        "",
    ]


def _unfound() -> ArchivedDocument:
    """A document aligned with its original: a marker opening and one ending the quote (each cut assumed to
    reach the paragraph's start or end), segments not found, one of them only a dash."""
    context = "Footballers scored twice. [...] — [...] The mayor said no."
    return replace(_full(), name="unfound", provenance={
        "length_chars": 120,
        "elisions": [
            {"marker": "[...]", "kind": "bracketed", "start": 0, "end": 5, "byte_start": 0, "byte_end": 5,
             "line": 1, "column": 1, "omitted": {"text": "Then", "start": 0, "end": 4}, "omitted_reason": None,
             "omitted_scope": "paragraph-start", "confirmed": None},
            {"marker": "[...]", "kind": "bracketed", "start": 32, "end": 37, "byte_start": 32, "byte_end": 37,
             "line": 1, "column": 33, "omitted": None, "omitted_reason": "neighbouring segment not found",
             "omitted_scope": "between", "confirmed": None,
             "oa:hasTarget": {"oa:hasSelector": [{"oa:prefix": context[6:32], "oa:suffix": context[37:]}]}},
            {"marker": "[...]", "kind": "bracketed", "start": 40, "end": 45, "byte_start": 42, "byte_end": 47,
             "line": 1, "column": 41, "omitted": None, "omitted_reason": "neighbouring segment not found",
             "omitted_scope": "between", "confirmed": None,
             "oa:hasTarget": {"oa:hasSelector": [{"oa:prefix": context[8:40], "oa:suffix": context[45:]}]}},
            {"marker": "[...]", "kind": "bracketed", "start": 115, "end": 120, "byte_start": 117, "byte_end": 122,
             "line": 1, "column": 116, "omitted": {"text": "the rest", "start": 50, "end": 58},
             "omitted_reason": None, "omitted_scope": "paragraph-end", "confirmed": None},
        ],
        "segments": [{"start": 6, "end": 31, "source_start": None, "source_end": None},
                     {"start": 38, "end": 39, "source_start": None, "source_end": None},
                     {"start": 46, "end": 64, "source_start": 5, "source_end": 23},
                     {"start": 66, "end": 114, "source_start": None, "source_end": None}],
        "original": {"how": "local", "path": "o.txt", "length_chars": 58, "scope": "plain-text",
                     "conversion_record_id": "<urn:uuid:3>"},
        "differences": [], "out_of_order": []})


def test_assumed_cuts_and_segments_not_found_are_said() -> None:
    """A cut a marker opening or ending the quote is assumed to make (to the paragraph's start or end) is said
    to be one; the segments not found in the original are counted and placed, but for one the markers' context
    shows to be only punctuation."""
    out = io.StringIO()
    print_documents("x.warc.gz", (_unfound(),), out)
    lines = out.getvalue().split("\n")
    assert [line for line in lines if line.startswith(("     - cut", "segments not found", "differences"))] == [
        "     - cut 0-4 (assumed: the start of the paragraph): Then",
        "     - cut 50-58 (assumed: the rest of the paragraph): the rest",
        "segments not found in the original: 2 of 4 (chars 6-31, 66-114)",
        "differences: 0",
    ]
    assert [e["omitted_scope"] for e in show_json(_unfound())["elisions"]] == [
        "paragraph-start", "between", "between", "paragraph-end"]


def test_a_quote_none_of_whose_words_the_original_has_says_so(tmp_path: Path) -> None:
    """Packaged against an original that has none of its words, show says the segment was not found rather
    than only "differences: 0"."""
    source = tmp_path / "src"
    (source / "originals").mkdir(parents=True)
    (source / "originals" / "o.txt").write_text("The mayor said no. Then the council voted.", encoding="utf-8")
    (source / "q.txt").write_text("Completely different words about football matches and a striker who scored "
                                  "twice in the final.", encoding="utf-8")
    (source / "q.yaml").write_text("original: originals/o.txt\n", encoding="utf-8")
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    assert out.getvalue().split("\n")[-3:] == ["segments not found in the original: 1 of 1 (chars 0-94)",
                                               "differences: 0", ""]


def test_colour_marks_cuts_notes_and_differences() -> None:
    """In colour: a cut in red, notes dim, a difference's excerpt red and its source green; numbers are not
    highlighted."""
    out = io.StringIO()
    print_documents("x.warc.gz", (_full(),), out, color=True)
    text = out.getvalue()
    assert "\n\x1b[31m     - cut 300-324: the words that were cut\x1b[0m\n" in text
    assert "\n\x1b[2m     (the original moves on)\x1b[0m\n" in text
    assert "\n\x1b[2m     possible elision: not a cut\x1b[0m\n" in text
    assert ": \x1b[31m'w00 " in text and " w29'\x1b[0m for \x1b[32m'color'\x1b[0m\n" in text
    assert "\nsize    1,234 bytes, 1,200 characters\n" in text
    assert "\nelisions: 2 bracketed, 2 possible; segments: 1\n" in text


def test_json_gives_every_value() -> None:
    """show --json carries each value of the provenance record, the documented keys only."""
    document = _full()
    shown = show_json(document)
    provenance = document.provenance
    elision = {key: value for key, value in provenance["elisions"][0].items() if key != "oa:hasTarget"}
    assert shown["elisions"][0] == elision and shown["elisions"][1]["omitted"] is None
    assert shown["original"] == {key: value for key, value in provenance["original"].items() if key != "extra"}
    for key in ("fields", "segments", "alterations", "differences", "out_of_order"):
        assert shown[key] == provenance[key], key
    assert (shown["name"], shown["record_id"], shown["target_uri"], shown["sha256"], shown["length_bytes"]) == (
        "quote", "<urn:uuid:1>", "urn:provpack:quote", "ab" * 32, 1234)


def test_a_fetch_not_redirected_and_a_long_cut() -> None:
    """No arrow when the original was not redirected; a cut longer than 100 characters is shown by its ends."""
    document = _full()
    original = {**document.provenance["original"], "final_url": "https://e.org/a"}
    cut = " ".join(f"c{i:02}" for i in range(25)) + "!!"   # 101 characters
    elision = {**document.provenance["elisions"][0], "omitted": {"text": cut, "start": 1, "end": 102}}
    out = io.StringIO()
    print_documents("x.warc.gz", (replace(document, provenance={**document.provenance, "original": original,
                                                                 "elisions": [elision]}),), out)
    text = out.getvalue()
    assert "\noriginal: fetched https://e.org/a (HTTP 200, 2026-01-02T03:04:05Z); text 4,321 characters" in text
    assert ("\n     - cut 1-102: c00 c01 c02 c03 c04 c05 c06 c07 c08 c09 c10 c11  … "
            "13 c14 c15 c16 c17 c18 c19 c20 c21 c22 c23 c24!!\n") in text


def test_an_aligned_original_of_no_recorded_length_is_shown() -> None:
    """An original aligned (no `no_text`) whose `length_chars` is null, which read_archive lets through (null is an
    original with no text) and verify reports: shown as of no recorded length. `show` failed on it with a TypeError
    (None's format spec `,`), a traceback."""
    document = _full()
    original = {**document.provenance["original"], "length_chars": None}
    out = io.StringIO()
    print_documents("x.warc.gz", (replace(document, provenance={**document.provenance, "original": original}),), out)
    assert ("\noriginal: fetched https://e.org/a (HTTP 200, 2026-01-02T03:04:05Z) -> https://e.org/b; text of no "
            "recorded length from the article, record <urn:uuid:3>\n") in out.getvalue()


@pytest.mark.parametrize("exchanges", [1, 2])
def test_a_redirect_is_said_by_the_exchanges_not_by_the_urls(exchanges: int) -> None:
    """An arrow to the final URL when the fetch was redirected (more than one exchange), whatever the URLs say: an
    archive whose final_url was written as urlunsplit rebuilt it (`https://e.org/a?` -> `https://e.org/a`) was
    shown as redirected."""
    document = _full()
    hop = {"url": "https://e.org/a?", "status": 200}
    original = {**document.provenance["original"], "url": "https://e.org/a?", "final_url": "https://e.org/a",
                "exchanges": [hop] * exchanges}
    out = io.StringIO()
    print_documents("x.warc.gz", (replace(document, provenance={**document.provenance, "original": original}),), out)
    arrow = " -> https://e.org/a" if exchanges > 1 else ""
    assert f"\noriginal: fetched https://e.org/a? (HTTP 200, 2026-01-02T03:04:05Z){arrow}; text 4,321 " in out.getvalue()


def _shown_lines(tmp_path: Path, texts: dict[str, bytes]) -> list[str]:
    """show's plain view of an archive packaged from `texts`."""
    source = tmp_path / "src"
    source.mkdir()
    for name, raw in texts.items():
        (source / f"{name}.txt").write_bytes(raw)
    result = package(source, out=tmp_path / "out.warc.gz")
    out = io.StringIO()
    print_documents("out.warc.gz", read_archive(result.warc_path), out)
    return out.getvalue().split("\n")


def test_alterations_are_listed_where_they_are_as_the_elisions_are(tmp_path: Path) -> None:
    """[sic] and [emphasis added] were only in show --json: the view lists them after the elisions, each where it
    is; a text without any shows no such line (as the seeds' views in README)."""
    lines = _shown_lines(tmp_path, {"a": "He wrote teh [sic] word [...] and more [emphasis added] é.\n".encode(),
                                    "b": b"No [...] alteration.\n"})
    start = lines.index("alterations: 2")
    assert lines[start - 3:start + 3] == [
        "  1. [...] bracketed: chars 24-29, bytes 24-29, line 1 col 25",
        "     He wrote teh [sic] word [...] and more [emphasis added] é.",
        "     (what it cut is not known: no original in the archive)",
        "alterations: 2",
        "  1. [sic]: chars 13-18, bytes 13-18, line 1 col 14",
        "  2. [emphasis added]: chars 39-55, bytes 39-55, line 1 col 40"]
    assert lines[start + 3] == "" and sum(line.startswith("alterations") for line in lines) == 1


def test_the_context_has_an_ellipsis_only_where_text_is_left_out(tmp_path: Path) -> None:
    """A marker that is the whole text has no "…"; one at the start has it after, one at the end before,
    one with more text each side than the quote selector's 32 characters on both; a short text has none."""
    lines = _shown_lines(tmp_path, {
        "a_only": b"[...]\n",
        "b_start": b"[...] and then " + b"x" * 50 + b".\n",
        "c_end": b"y" * 50 + b" and finally [...]",
        "d_middle": b"z" * 50 + b" before [...] after " + b"w" * 50 + b"\n",
        "e_short": b"Short [...] text.\n",
    })
    context = [line for line in lines if line.startswith("     ") and "[...]" in line]
    assert context == [
        "     [...]",
        "     [...] and then " + "x" * 22 + "…",
        "     …" + "y" * 19 + " and finally [...]",
        "     …" + "z" * 24 + " before [...] after " + "w" * 25 + "…",
        "     Short [...] text.",
    ]


class _Terminal(io.StringIO):
    """What show writes to when it is run in a terminal."""

    def isatty(self) -> bool:
        return True


def test_ids_uris_and_digests_are_never_cut_at_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal 30 columns wide, the record id, target URI, sha256 and the original's line are printed
    whole on one line each (the terminal wraps them: a copied URI is the URI), and a field's value is folded,
    never cut with an ellipsis."""
    monkeypatch.setenv("COLUMNS", "30")
    url = "https://example.org/a/very/long/path/to/the/document.html?x=1"
    document = _full()
    document = replace(document, target_uri=url, record_id="<urn:uuid:36034ffd-15e0-5b81-bbea-631edd1d2129>",
                       provenance={**document.provenance,
                                   "fields": {"source_url": {"value": url, "from": "sidecar"}}})
    out = _Terminal()
    print_documents("x.warc.gz", (document,), out, color=False)
    lines = [line.rstrip(" ") for line in out.getvalue().split("\n")]
    assert lines[3:6] == [
        "record  <urn:uuid:36034ffd-15e0-5b81-bbea-631edd1d2129>",
        f"target  {url}",
        "sha256  " + "ab" * 32,
    ]
    assert ("original: fetched https://e.org/a (HTTP 200, 2026-01-02T03:04:05Z) -> https://e.org/b; "
            "text 4,321 characters from the article, record <urn:uuid:3>") in lines
    value = "".join(line.split("│")[1].strip() for line in lines if line.count("│") == 3)
    assert value == url


def test_characters_that_reorder_a_line_are_spelled_out() -> None:
    """A name's or a title's bidirectional controls are spelled out (`report<RLO>txt.exe` would show as
    "reportexe", "Safe <RLO>txet eht" as "Safe the text"), as are those of an excerpt's context, a cut passage
    and a difference; a name's zero-width characters too (`a<LRM>b` looks like `ab`), while a title keeps the
    joiners of a Persian word and an emoji."""
    rlo = "\u202e"
    document = ArchivedDocument(
        name=f"report{rlo}txt.exe", record_id="<urn:uuid:1>", target_uri="urn:x:1", sha256="ab", length_bytes=3,
        offset=0,
        provenance={
            "length_chars": 30,
            "fields": {"title": {"value": f"Safe {rlo}txet eht", "from": "sidecar", "span": None},
                       "subtitle": {"value": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645 \U0001f468\u200d\U0001f469",
                                    "from": "sidecar", "span": None},
                       "a\u200bb": {"value": "x", "from": "sidecar", "span": None}},
            "elisions": [{"marker": "[...]", "kind": "bracketed", "start": 9, "end": 14, "byte_start": 9,
                          "byte_end": 14, "line": 1, "column": 10,
                          "omitted": {"text": f"cut {rlo}txet", "start": 9, "end": 17},
                          "oa:hasTarget": {"oa:hasSelector": [{"oa:prefix": f"x {rlo}abc ", "oa:suffix": " end"}]}}],
            "segments": [],
            "original": {"how": "local", "path": f"o/a{rlo}lmth.html", "length_chars": 30, "scope": "body",
                         "conversion_record_id": "<urn:uuid:2>"},
            "differences": [{"kind": "changed", "start": 0, "end": 1, "excerpt": f"e{rlo}x", "source": "s\u2067y"}],
        },
    )
    out = io.StringIO()
    print_documents(f"a{rlo}b.warc.gz", (document,), out)
    text = out.getvalue()
    assert rlo not in text and "\u2067" not in text and "\u200b" not in text
    assert text.split("\n") == [
        "a\\u202eb.warc.gz: 1 document", "", "report\\u202etxt.exe", "record  <urn:uuid:1>", "target  urn:x:1",
        "sha256  ab", "size    3 bytes, 30 characters",
        "field    \u2503 value               \u2503 from    \u2503 chars",
        "\u2501" * 9 + "\u2547" + "\u2501" * 21 + "\u2547" + "\u2501" * 9 + "\u2547" + "\u2501" * 6,
        "a\\u200bb \u2502 x                   \u2502 sidecar \u2502",
        "subtitle \u2502 \u0645\u06cc\u200c\u062e\u0648\u0627\u0645 \U0001f468\u200d\U0001f469"
        "           \u2502 sidecar \u2502",
        "title    \u2502 Safe \\u202etxet eht \u2502 sidecar \u2502",
        "elisions: 1 bracketed, 0 possible; segments: 0",
        "  1. [...] bracketed: chars 9-14, bytes 9-14, line 1 col 10",
        "     x \\u202eabc [...] end\u2026",
        "     - cut 9-17: cut \\u202etxet",
        "original: local copy o/a\\u202elmth.html; text 30 characters from the body, record <urn:uuid:2>",
        "differences: 1",
        "  changed at chars 0-1: 'e\\\\u202ex' for 's\\\\u2067y'",
        ""]


_HOSTILE_NAMES = ["plain", "é and 中文 and 😀", "line\nbreak\ttab\rcr", "\u2028\u2029", "lone \ud800 \udfff surrogates",
                  "c1 \x85\x9b[31m", "\u202egnp.exe", "zero\u200bwidth\ufeff", 'quote " and \\ backslash', "\x00\x1f\x7f",
                  "[bold]x[/bold] :smile:", ""]


def _json_documents() -> list[ArchivedDocument]:
    """Hostile documents (test_drawing's, and names of every kind of character JSON or a terminal treats apart)."""
    from test_drawing import DOCUMENTS

    documents = [document for document in DOCUMENTS if isinstance(document.provenance.get("elisions", []), list)]
    base = read_archive(ARCHIVE / "seeds.warc.gz")[0]
    named = [replace(base, name=name, target_uri=name[::-1], provenance={**base.provenance, "fields": {
        name: {"value": name, "from": "sidecar", "span": None}}}) for name in _HOSTILE_NAMES]
    return documents + named


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("count", [0, 1, 2, None], ids=["none", "one", "two", "all"])
def test_json_printed_a_document_at_a_time_is_the_whole_dumped(ensure_ascii: bool, count: int | None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """JsonPrinter, which writes each document's JSON as it comes, prints what json.dumps printed of the whole list
    (indent=2; ensure_ascii either way), with the characters JSON leaves raw that a terminal acts on or hides
    escaped as JSON escapes them, for no document, one, and many hostile ones; whether its spool stays in memory
    or goes to a file, read back in pieces that cut characters apart."""
    import json
    import re

    from provpack import display
    from provpack.display import JsonPrinter
    from provpack.errors import INVISIBLE

    documents = _json_documents()[:count]
    whole = json.dumps({"documents": [show_json(d) for d in documents]}, indent=2, ensure_ascii=ensure_ascii)
    unsafe = re.compile(rf"[\x80-\x9f\ud800-\udfff{INVISIBLE}]")
    expected = unsafe.sub(lambda match: json.dumps(match.group())[1:-1], whole) + "\n"
    for in_memory, copied in ((8 << 20, 1 << 20), (100, 7)):
        monkeypatch.setattr(display, "_IN_MEMORY", in_memory)
        monkeypatch.setattr(display, "_COPIED", copied)
        out = io.StringIO()
        with JsonPrinter(ensure_ascii=ensure_ascii) as printer:
            for document in documents:
                printer.add(document)
            printer.finish(out)
            rolled = printer._spool._file._rolled   # type: ignore[attr-defined]
        assert out.getvalue() == expected
        assert rolled == (in_memory == 100 and count != 0)   # (a document's JSON is over 100 bytes)


def test_show_draws_a_document_at_a_time_as_it_drew_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """DocumentPrinter, which draws each document as it comes and prints the count line first, prints what rich
    printed of them all (test_drawing's reference), its spool in memory or in a file read back in pieces."""
    from test_drawing import reference_print_documents

    from provpack import display
    from provpack.display import DocumentPrinter

    documents = tuple(_json_documents())
    expected = io.StringIO()
    reference_print_documents("x.warc.gz", documents, expected)
    for in_memory, copied in ((8 << 20, 1 << 20), (100, 7)):
        monkeypatch.setattr(display, "_IN_MEMORY", in_memory)
        monkeypatch.setattr(display, "_COPIED", copied)
        out = io.StringIO()
        with DocumentPrinter(out) as printer:
            for document in documents:
                printer.add(document)
            printer.finish("x.warc.gz")
            assert printer._spool._file._rolled == (in_memory == 100)   # type: ignore[attr-defined]
        assert out.getvalue() == expected.getvalue()


def test_a_listing_that_cannot_go_to_a_temporary_file_says_where_and_what_to_do(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Drawn text past what show keeps in memory goes to a temporary file; when that cannot be made (a full disk,
    a missing folder), the error names the folder and says what to do, not only the system's words."""
    from provpack import display
    from provpack.errors import ArchiveError

    missing = tmp_path / "gone"
    monkeypatch.setattr(display, "_IN_MEMORY", 100)
    monkeypatch.setattr("tempfile.tempdir", str(missing))
    for make in (lambda: display.DocumentPrinter(io.StringIO()), lambda: display.JsonPrinter(ensure_ascii=False)):
        with make() as printer, pytest.raises(ArchiveError) as caught:
            for _ in range(3):
                printer.add(_full())
        assert str(caught.value) == (
            f"{missing}: cannot hold the listing in a temporary file there (a listing over 0 MiB waits there for the "
            "count line): No such file or directory; free some space or fix the folder's permissions, then run again; "
            "or set TMPDIR to a folder with room")


def test_a_file_size_limit_on_the_temporary_file_says_to_raise_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past a file-size limit (ulimit -f), the advice is to raise it, not to free space."""
    import errno
    import tempfile

    from provpack import display
    from provpack.errors import ArchiveError

    class Limited(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", lambda size: Limited())
    with display.JsonPrinter(ensure_ascii=False) as printer, pytest.raises(ArchiveError) as caught:
        printer.add(_full())
    assert str(caught.value) == (
        f"{tempfile.gettempdir()}: cannot hold the listing in a temporary file there (a listing over 8 MiB waits "
        "there for the count line): the file-size limit was reached (ulimit -f, or the largest file this file system "
        "takes); raise the file-size limit (ulimit -f) or write to another file system, then run again; or set TMPDIR "
        "to a folder with room")
