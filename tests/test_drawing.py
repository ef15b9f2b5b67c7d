"""Tests for provpack.drawing: show's lines drawn without rich are byte for byte what rich prints.

The reference below is show's view as rich alone drew it (provpack.display before provpack.drawing, kept here
but for names, and for one change made with drawing: what an archive holds is printed as Text, never read as
console markup or :emoji: codes, where rich failed on a `[/x]` in an elision's offsets and made an emoji of a
`:smile:` in a URL): every generated document, sane or hostile, must come out of print_documents exactly as out
of it, piped and on terminals of several widths, with and without colour.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace
from typing import IO, Any

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from provpack import display
from provpack.display import _ASSUMED, _UNSAFE_RE, CONTEXT, _error_answer, _flat, _flush, _IDENTIFIER_KEYS, _not_found
from provpack.display import _preview, print_documents
from provpack.drawing import Drawing
from provpack.errors import printable, spelled
from provpack.reader import ArchivedDocument, no_documents


# --- the reference: show's view as rich drew it ------------------------------------------------------------

def reference_print_documents(path: str, documents: tuple[ArchivedDocument, ...], out: IO[str], *,
                              color: bool | None = None, records: int | None = None) -> None:
    terminal = out.isatty()
    buffer = None if terminal else io.StringIO()
    console = Console(file=buffer or out, force_terminal=color, no_color=color is False, highlight=False,
                      width=None if terminal else 1000)
    count = f"{len(documents)} document{'s' if len(documents) != 1 else ''}"
    if not documents and records is not None:
        count = no_documents(records)
    console.print(Text.assemble((printable(path), "bold"), f": {count}"))
    for document in documents:
        console.print()
        _reference_document(console, _reference_shown(document))
        _flush(buffer, out)
    _flush(buffer, out)


def _reference_shown(document: ArchivedDocument) -> ArchivedDocument:
    return replace(document, name=printable(document.name), record_id=printable(document.record_id),
                   target_uri=printable(document.target_uri), sha256=printable(document.sha256),
                   provenance=_reference_safe(document.provenance))


def _reference_safe(value: Any) -> Any:
    made: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, bool]] = [(value, made, 0, False)]
    while stack:
        item, into, at, identifier = stack.pop()
        if isinstance(item, str):
            into[at] = printable(item) if identifier else _UNSAFE_RE.sub(spelled, item)
        elif isinstance(item, dict):
            copy: dict[Any, Any] = {}
            into[at] = copy
            entries = []
            for key, inner in item.items():
                shown = printable(key) if isinstance(key, str) else key
                copy[shown] = None
                entries.append((inner, copy, shown, identifier or (isinstance(key, str) and key in _IDENTIFIER_KEYS)))
            stack.extend(reversed(entries))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            into[at] = items
            stack.extend((inner, items, index, identifier) for index, inner in reversed(list(enumerate(item))))
        else:
            into[at] = item
    return made[0]


def _reference_document(console: Console, document: ArchivedDocument) -> None:
    provenance = document.provenance
    console.print(Text(document.name, style="bold cyan"))
    for label, value in (("record", document.record_id), ("target", document.target_uri),
                         ("sha256", document.sha256),
                         ("size", f"{document.length_bytes:,} bytes, {provenance.get('length_chars', 0):,} characters")):
        console.print(Text(f"{label:<6}  {value}"), soft_wrap=True)

    fields = provenance.get("fields", {})
    if fields:
        table = Table("field", "value", "from", "chars", title=None, show_edge=False, pad_edge=False)
        for name, field in sorted(fields.items()):
            span = field.get("span")
            table.add_row(Text(name), Text(str(field.get("value")), overflow="fold"), Text(str(field.get("from"))),
                          Text(f"{span[0]}-{span[1]}" if span else ""))
        console.print(table)

    original = provenance.get("original")
    no_text = isinstance(original, dict) and original.get("no_text") is not None
    error = no_text and isinstance(original, dict) and _error_answer(original)
    elisions = provenance.get("elisions", [])
    bracketed = sum(1 for e in elisions if e.get("kind") == "bracketed")
    console.print(Text(f"elisions: {bracketed} bracketed, {len(elisions) - bracketed} possible; "
                       f"segments: {len(provenance.get('segments', []))}"))
    for number, elision in enumerate(elisions, start=1):
        console.print(Text.assemble(
            f"  {number}. ", (str(elision['marker']), "bold"), f" {elision['kind']}: "
            f"chars {elision['start']}-{elision['end']}, "
            f"bytes {elision['byte_start']}-{elision['byte_end']}, line {elision['line']} col {elision['column']}",
        ))
        console.print(_reference_in_context(elision, provenance.get("length_chars")))
        omitted = elision.get("omitted")
        if isinstance(omitted, dict) and omitted.get("text") is not None:
            scope = elision.get("omitted_scope")
            assumed = _ASSUMED.get(scope) if isinstance(scope, str) else None
            line = Text()
            line.append(f"     - cut {omitted.get('start')}-{omitted.get('end')}{f' ({assumed})' if assumed else ''}: "
                        + _preview(str(omitted["text"])), style="red")
            console.print(line)
        elif elision.get("omitted_reason"):
            console.print(Text(f"     ({elision['omitted_reason']})", style="dim"))
        elif elision.get("kind") == "bracketed":
            why = ("the original fetched is the server's error answer, not the page" if error else
                   "the original has no text to align against" if no_text else "no original in the archive")
            console.print(Text(f"     (what it cut is not known: {why})", style="dim"))
        if elision.get("kind") == "possible" and elision.get("confirmed") is not None:
            verdict = " confirmed: the original has text there" if elision["confirmed"] else ": not a cut"
            console.print(Text(f"     possible elision{verdict}", style="dim"))
    alterations = provenance.get("alterations", [])
    if alterations:
        console.print(Text(f"alterations: {len(alterations)}"))
    for number, alteration in enumerate(alterations, start=1):
        console.print(Text.assemble(
            f"  {number}. ", (str(alteration.get("marker")), "bold"), f": "
            f"chars {alteration.get('start')}-{alteration.get('end')}, bytes {alteration.get('byte_start')}-"
            f"{alteration.get('byte_end')}, line {alteration.get('line')} col {alteration.get('column')}",
        ))
    _reference_original(console, provenance)


def _reference_original(console: Console, provenance: dict[str, Any]) -> None:
    original = provenance.get("original")
    if not isinstance(original, dict):
        return
    if original.get("how") == "fetched":
        where = f"fetched {original.get('url')} (HTTP {original.get('status')}, {original.get('fetched_at')})"
        if original.get("final_url") != original.get("url"):
            where += f" -> {original.get('final_url')}"
    else:
        where = f"local copy {original.get('path')}"
    if original.get("no_text") is not None:
        why = (f"{original.get('no_text')}" if _error_answer(original) else
               f"no text to align against ({original.get('no_text')})")
        console.print(Text(f"original: {where}; archived, not aligned: {why}"), soft_wrap=True)
        return
    console.print(Text(f"original: {where}; text {original.get('length_chars', 0):,} characters "
                       f"from the {original.get('scope')}, record {original.get('conversion_record_id')}"),
                  soft_wrap=True)
    missing = _not_found(provenance)
    if missing:
        console.print(Text(f"segments not found in the original: {len(missing)} of {len(provenance['segments'])} "
                           f"(chars {', '.join(f'{start}-{end}' for start, end in missing)})"), soft_wrap=True)
    differences = provenance.get("differences", [])
    out_of_order = provenance.get("out_of_order", [])
    console.print(Text(f"differences: {len(differences)}"
                       + (f"; segments out of order: {out_of_order}" if out_of_order else "")))
    for difference in differences:
        line = Text(f"  {difference.get('kind')} at chars {difference.get('start')}-{difference.get('end')}: ")
        line.append(repr(_preview(str(difference.get("excerpt")), 60)), style="red")
        line.append(" for ")
        line.append(repr(_preview(str(difference.get("source")), 60)), style="green")
        console.print(line)


def _reference_in_context(elision: dict[str, Any], length: Any) -> Text:
    prefix = suffix = ""
    for selector in elision.get("oa:hasTarget", {}).get("oa:hasSelector", []):
        prefix = str(selector.get("oa:prefix", prefix))
        suffix = str(selector.get("oa:suffix", suffix))
    start, end = elision.get("start"), elision.get("end")
    before, after = _flat(prefix), _flat(suffix)
    at_start = type(start) is int and len(prefix) >= start and len(before) <= CONTEXT
    at_end = type(end) is int and type(length) is int and end + len(suffix) >= length and len(after) <= CONTEXT
    line = Text("     ")
    if not at_start:
        line.append("…", style="dim")
    line.append(before[-CONTEXT:])
    line.append(str(elision["marker"]), style="bold red")
    line.append(after[:CONTEXT])
    if not at_end:
        line.append("…", style="dim")
    return line


# --- generated documents -----------------------------------------------------------------------------------

SANE = ["Tehran", "was", "next.", "Némbra", "Burtrér", "thitstätdourk", "“mean”", "—", "2009-08-15", "the", "a",
        "Zürich", "naïve", "façade", "Ελληνικά", "кириллица"]
HOSTILE = [
    "漢字テスト", "ｆｕｌｌ", "e\u0301\u0301", "a\u0308\u0324", "😀", "👨\u200d👩\u200d👧", "❤\ufe0f", "☺\ufe0f x", "\u200d ",
    "\t", "a\tb", "\n", "x\ny", "\r\n", "\x0b", "\x0c", "\x07", "\x08", "\x1b[31m", "\x9b2J", "\x00", "\x7f",
    "\u202e", "\u2066", "\u200b", "\u2028", "\u2029", "\xa0", "\u3000", "trailing   ", "   ", "",
    "[bold]x[/]", "[/]", "[/x]", "[red", "]", "[...]", "[ ... ]", "[a]b", "x[", "\\", "\\\\", "\\[b]", "a\\", "[@click]",
    ":smile:", ":+1:", "a:b:c", ":thumbs_up-emoji:", "https://e.org:8080/a", "03:04:05", ":", "[link=x]y[/link]",
    "w" * 300, " ".join(["word"] * 150), "漢" * 80, "x" * 1200, ("ab " * 400).strip(), "e\u0301" * 60 + "  ",
]


def _text(rng: random.Random, hostile: bool, words: int = 4) -> str:
    pool = HOSTILE + SANE if hostile and rng.random() < 0.5 else SANE
    return " ".join(rng.choice(pool) for _ in range(rng.randint(0 if hostile else 1, words)))


def _value(rng: random.Random, hostile: bool) -> Any:
    if hostile and rng.random() < 0.15:
        return rng.choice([None, 12, 3.5, True, ["a", 1], {"x": 1}, "[b]", ":smile:"])
    return rng.randint(0, 100_000)


def _document(rng: random.Random, hostile: bool) -> ArchivedDocument:
    def text(words: int = 4) -> str:
        return _text(rng, hostile, words)

    length = rng.randint(0, 20_000)
    fields = {}
    for _ in range(rng.randint(0, 5)):
        span: Any = rng.choice([None, [rng.randint(0, 99), rng.randint(100, 999)]])
        if hostile and rng.random() < 0.2:
            span = [text(1), text(1)]
        fields[text(2) or "title"] = {"value": text(12) if rng.random() < 0.9 else rng.choice([None, 7, ["x"]]),
                                      "from": rng.choice(["text", "sidecar", text(1)]), "span": span}
    elisions = []
    for _ in range(rng.randint(0, 6)):
        start = rng.randint(0, length)
        marker = rng.choice(["[...]", "[…]", "…", "...", "[ ... ]", "[. . .]"]) if rng.random() < 0.8 else text(1)
        kind = rng.choice(["bracketed", "possible"]) if rng.random() < 0.8 else text(1)
        elision: dict[str, Any] = {
            "marker": marker, "kind": kind, "start": start, "end": start + 5,
            "byte_start": _value(rng, hostile), "byte_end": _value(rng, hostile),
            "line": _value(rng, hostile), "column": _value(rng, hostile),
            "omitted": None, "omitted_reason": None, "omitted_scope": None,
            "confirmed": rng.choice([None, True, False]),
            "oa:hasTarget": {"oa:hasSelector": [{"@type": "oa:TextPositionSelector"},
                                                {"oa:prefix": text(12), "oa:suffix": text(12)}]},
        }
        what = rng.random()
        if what < 0.3:
            elision["omitted"] = {"text": text(40), "start": _value(rng, hostile), "end": _value(rng, hostile)}
            elision["omitted_scope"] = rng.choice([None, "paragraph-end", "paragraph-start", "between"])
        elif what < 0.5:
            elision["omitted_reason"] = text(8)
        elisions.append(elision)
    segments = [{"start": rng.randint(0, 50), "end": rng.randint(50, 99), "source_start": rng.choice([None, 3])}
                for _ in range(rng.randint(0, 4))]
    alterations: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 3)):
        start = rng.randint(0, length)
        alterations.append({
            "marker": rng.choice(["[sic]", "[emphasis added]", "[sic!]", "[ibid]"]) if rng.random() < 0.7 else text(1),
            "start": start, "end": start + 5, "byte_start": _value(rng, hostile), "byte_end": _value(rng, hostile),
            "line": _value(rng, hostile), "column": _value(rng, hostile)})
    if hostile and rng.random() < 0.3:   # (a document not read_archive's: an alteration of other keys)
        alterations.append({"kind": {text(1): text(1)}, "from": [text(1)], text(1): text(2)})
    provenance: dict[str, Any] = {"length_chars": length, "fields": fields, "elisions": elisions,
                                  "segments": segments, "@context": {"oa": "http://www.w3.org/ns/oa#"},
                                  "alterations": alterations}
    if rng.random() < 0.6:
        how = rng.choice(["fetched", "local"])
        provenance["original"] = {
            "how": how, "url": rng.choice(["https://e.org/a", "https://e.org:8080/a?b=c:d", text(1)]),
            "final_url": rng.choice(["https://e.org/a", "https://e.org/b"]), "status": rng.choice([200, 404, 503]),
            "fetched_at": "2026-01-02T03:04:05Z", "path": text(1), "length_chars": rng.randint(0, 99_999),
            "scope": rng.choice(["article", "body", text(1)]), "conversion_record_id": "<urn:uuid:3>",
            "no_text": rng.choice([None, None, "application/pdf", text(3)]),
        }
        provenance["differences"] = [
            {"kind": rng.choice(["changed", "missing", text(1)]), "start": _value(rng, hostile),
             "end": _value(rng, hostile), "excerpt": text(30), "source": text(30)}
            for _ in range(rng.randint(0, 3))]
        provenance["out_of_order"] = rng.choice([[], [[2, 1]], [[i, i + 1] for i in range(rng.randint(0, 300))]])
    return ArchivedDocument(name=text(2) or "doc", record_id="<urn:uuid:1>" if rng.random() < 0.8 else text(1),
                            target_uri=rng.choice(["urn:provpack:sha256:" + "ab" * 32, text(1)]),
                            sha256="ab" * 32, length_bytes=rng.randint(0, 10**7), offset=0, provenance=provenance)


DOCUMENTS = [_document(random.Random(seed), hostile=seed % 3 != 0) for seed in range(150)]


class _Terminal(io.StringIO):
    """What show writes to when it is run in a terminal (of `encoding`)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__()
        self._encoding = encoding

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:   # type: ignore[override]
        return self._encoding


def _outcome(draw: Any, document: ArchivedDocument, out: io.StringIO, color: bool | None) -> str:
    draw("a:smile:[b]\\.warc.gz" if document.name == "doc" else "x.warc.gz", (document,), out, color=color)
    return out.getvalue()


MODES = [   # (terminal columns, or None: piped; colour as the CLI leaves it (None) or forced; TERM; NO_COLOR)
    (None, None, "xterm-256color", None),
    (None, True, "xterm-256color", None),
    (None, True, "dumb", "1"),
    (80, None, "xterm-256color", None),
    (80, False, "xterm", None),
    (24, None, "xterm", None),
    (132, None, "xterm-truecolor", "1"),
    (300, True, "linux", None),
]


@pytest.mark.parametrize(("columns", "color", "term", "no_color"), MODES)
def test_show_draws_every_document_as_rich_does(monkeypatch: pytest.MonkeyPatch, columns: int | None,
                                                  color: bool | None, term: str, no_color: str | None) -> None:
    """Sane and hostile documents (wide, combining, joined and invisible characters, controls, markup, emoji
    codes, long values, odd types) print as rich printed them, piped and on terminals, with and without colour;
    and most lines are drawn without rich (else this would prove nothing)."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM", "NO_COLOR", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", term)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    if columns is not None:
        monkeypatch.setenv("COLUMNS", str(columns))
    drawn = []
    lines = Drawing._drawn

    def counted(self: Drawing, *args: Any) -> str | None:
        line = lines(self, *args)
        drawn.append(line is not None)
        return line

    monkeypatch.setattr(Drawing, "_drawn", counted)
    for document in DOCUMENTS:
        new, old = (_Terminal(), _Terminal()) if columns is not None else (io.StringIO(), io.StringIO())
        assert _outcome(print_documents, document, new, color) == _outcome(reference_print_documents, document, old,
                                                                           color), document
    assert len(drawn) > 2500 and sum(drawn) > 0.95 * len(drawn)


def test_an_ascii_terminal_gets_rich_s_ascii_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal whose encoding is not UTF-8, the fields table is drawn in ASCII, as rich draws it."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    for document in DOCUMENTS[:60]:
        new, old = _Terminal("ascii"), _Terminal("ascii")
        assert _outcome(print_documents, document, new, None) == _outcome(reference_print_documents, document, old,
                                                                          None), document
    out = _Terminal("ascii")
    print_documents("x", (DOCUMENTS[1],), out, color=False)
    assert "-+-" in out.getvalue() and "\u2501" not in out.getvalue()


def test_the_fields_table_is_drawn_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table of plain cells that fits is drawn here: rich's Table is not used."""
    monkeypatch.setattr("provpack.drawing.Table", None)
    out = io.StringIO()
    Drawing(Console(file=out, width=1000)).table(("field", "value"), [("title", "A Title"), ("author", "Ann")])
    assert out.getvalue().split("\n") == ["field  ┃ value  ", "━━━━━━━╇━━━━━━━━", "title  │ A Title",
                                          "author │ Ann    ", ""]


def test_show_on_the_test_documents_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The view of the committed archive, piped and in colour, is the reference's."""
    from conftest import ARCHIVE
    from provpack.reader import read_archive

    documents = read_archive(ARCHIVE / "seeds.warc.gz")
    for color in (None, True):
        new, old = io.StringIO(), io.StringIO()
        print_documents("seeds.warc.gz", documents, new, color=color)
        reference_print_documents("seeds.warc.gz", documents, old, color=color)
        assert new.getvalue() == old.getvalue()


def test_safe_is_the_reference_s() -> None:
    """display._safe makes the same copy as the walk it replaced, of every generated provenance."""
    for document in DOCUMENTS:
        assert display._safe(document.provenance) == _reference_safe(document.provenance)


# --- each kind of line, against console.print ----------------------------------------------------------------

EDGES = HOSTILE + ["e\u0301" * 30 + "\u3000", "e\u0301" * 11 + "\u3000", "e\u0301" * 11 + "  ", "\u3000" * 3,
                   "x\xa0", "\u200dx", "x\u200d", "\u200d\u200d\u200d\u200d ab", "\ufe0f", " \ufe0f", "a" * 23 + "\u3000"]
STYLES = ["", "bold", "bold cyan", "dim", "red"]


def _console(width: int, terminal: bool, color: bool | None) -> Console:
    """A console as show makes one: piped, or on a terminal `width` columns wide."""
    return Console(file=_Terminal() if terminal else io.StringIO(), force_terminal=color, no_color=color is False,
                   highlight=False, width=width)


@pytest.mark.parametrize("width", [12, 24, 80, 1000])
@pytest.mark.parametrize(("terminal", "color"), [(False, None), (True, None), (True, False), (False, True)])
def test_each_line_is_drawn_as_rich_prints_it(monkeypatch: pytest.MonkeyPatch, width: int, terminal: bool,
                                              color: bool | None) -> None:
    """Lines of pieces and plain strings (Text: markup and :emoji: codes as they are), of every edge string in
    every style, beside each other, come out as console.print gives them; as do tables of them."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    rng = random.Random(width)
    cases = [[(rng.choice(EDGES + SANE), rng.choice(STYLES)) for _ in range(rng.randint(0, 4))] for _ in range(150)]
    cases += [[(edge, style)] for edge in EDGES for style in ("", "bold cyan")]
    cases += [[("a :sm", ""), ("ile: b", "")], [("x", "bold"), ("y", "bold")], [("[b", ""), ("x", "bold"), ("]", "")],
              [("a" * (width - 1) + "\u200d", ""), ("bc", "bold")]]   # (rich crops what its pieces measure)
    console, reference = _console(width, terminal, color), _console(width, terminal, color)
    drawn, expected = console.file, reference.file
    assert isinstance(drawn, io.StringIO) and isinstance(expected, io.StringIO)
    drawing = Drawing(console)
    for pieces in cases:
        for soft_wrap in (False, True):
            text = Text()
            for piece, style in pieces:
                text.append(piece, style or None)
            drawing.line(pieces, soft_wrap=soft_wrap)
            reference.print(text, soft_wrap=soft_wrap)
            plain = "".join(piece for piece, _ in pieces)
            drawing.plain(plain, soft_wrap=soft_wrap)
            reference.print(Text(plain), soft_wrap=soft_wrap)
        assert drawn.getvalue() == expected.getvalue(), pieces
    tables = [[[rng.choice(EDGES + SANE) for _ in range(3)] + [rng.choice(["", "1-2", "[b]", ":+1:", "[/]"])]
               for _ in range(rng.randint(1, 3))] for _ in range(60)]
    tables += [[["title", edge, "text", "1-2"], [edge, "v", edge, ""]] for edge in EDGES]
    for rows in tables:
        table = Table("field", "value", "from", "chars", show_edge=False, pad_edge=False)
        for row in rows:
            table.add_row(Text(row[0]), Text(row[1], overflow="fold"), Text(row[2]), Text(row[3]))
        try:
            reference.print(table)
        except Exception:
            continue
        drawing.table(("field", "value", "from", "chars"), rows, fold={1})
        assert drawn.getvalue() == expected.getvalue(), rows
