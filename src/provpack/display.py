"""How `provpack show` looks: tables and a diff-style view of each elision in a terminal, plain text elsewhere."""

from __future__ import annotations

import codecs
import io
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from typing import IO, Any, cast

from rich.console import Console

from .drawing import Drawing, Piece
from .errors import INVISIBLE, REORDERING, ArchiveError, printable, spelled
from .httpbytes import is_error_status, redirected
from .reader import ArchivedDocument, no_documents

CONTEXT = 40


def show_json(document: ArchivedDocument) -> dict[str, Any]:
    """The stable JSON shape of one document for `show --json`."""
    provenance = document.provenance
    return {
        "name": document.name,
        "record_id": document.record_id,
        "target_uri": document.target_uri,
        "sha256": document.sha256,
        "length_bytes": document.length_bytes,
        "fields": provenance.get("fields", {}),
        "elisions": [
            {**{key: e.get(key) for key in ("marker", "start", "end", "byte_start", "byte_end", "line", "column",
                                            "kind", "omitted_reason", "omitted_scope", "confirmed")},
             "omitted": _omitted_json(e.get("omitted"))}
            for e in provenance.get("elisions", [])
        ],
        "segments": provenance.get("segments", []),
        "alterations": provenance.get("alterations", []),
        "original": _original_json(provenance.get("original")),
        "differences": provenance.get("differences", []),
        "out_of_order": provenance.get("out_of_order", []),
    }


def _omitted_json(omitted: Any) -> dict[str, Any] | None:
    """The omitted passage as {"text", "start", "end"} (offsets into the original's text)."""
    if not isinstance(omitted, dict):
        return None
    return {key: omitted.get(key) for key in ("text", "start", "end")}


def _original_json(original: Any) -> dict[str, Any] | None:
    """Where the original came from and which records hold it."""
    if not isinstance(original, dict):
        return None
    keys = ("how", "url", "final_url", "path", "status", "fetched_at", "record_id", "conversion_record_id",
            "target_uri", "content_type", "length_chars", "scope", "charset", "no_text")
    return {key: original[key] for key in keys if key in original}


def print_documents(path: str, documents: Iterable[ArchivedDocument], out: IO[str], *,
                    color: bool | None = None, records: int | None = None) -> None:
    """Print every document: a summary, its fields, and each elision in its context; with none, and the
    number of WARC records read given, that the file holds no provpack documents (another tool's WARC)."""
    with DocumentPrinter(out, color=color) as printer:
        for document in documents:
            printer.add(document)
        printer.finish(path, records=records)


class DocumentPrinter:
    """print_documents a document at a time, in memory that does not grow with their number: each is drawn as it
    comes (into memory, past 8 MiB into a temporary file: _Spool), and finish() prints the count line, then what
    was drawn."""

    def __init__(self, out: IO[str], *, color: bool | None = None) -> None:
        self.count = 0
        self._out = out
        self._spool = _Spool()
        terminal = out.isatty()
        # Piped, each document is drawn into a buffer and written without the padding rich puts at line ends; on a
        # terminal, to a stand-in for it that writes to the spool.
        self._buffer = None if terminal else io.StringIO()
        self._drawn_to = _Terminal(out, self._spool)
        self._console = Console(file=self._buffer or cast(IO[str], self._drawn_to), force_terminal=color,
                                no_color=color is False, highlight=False, width=None if terminal else 1000)
        self._drawing = Drawing(self._console)   # (what rich prints, drawn faster where it can be)

    def add(self, document: ArchivedDocument) -> None:
        """Draw the document (after a blank line)."""
        self._drawing.line(())   # (a blank line)
        _print_document(self._drawing, _shown(document))
        _flush(self._buffer, self._spool)
        self.count += 1

    def finish(self, path: str, *, records: int | None = None) -> None:
        """Print the count line, then the documents drawn; with none, and the number of WARC records read given,
        that the file holds no provpack documents (another tool's WARC)."""
        count = f"{self.count} document{'s' if self.count != 1 else ''}"
        if not self.count and records is not None:
            count = no_documents(records)
        self._drawn_to.target = self._out
        self._drawing.line(((printable(path), "bold"), (f": {count}", "")))
        _flush(self._buffer, self._out)
        self._spool.copy_to(self._out)

    def close(self) -> None:
        """Remove the temporary file."""
        self._spool.close()

    def __enter__(self) -> DocumentPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class JsonPrinter:
    """`show --json`'s text a document at a time, in memory that does not grow with their number: each document's
    JSON is written as it comes (into a _Spool, as DocumentPrinter's drawing), and finish() prints the whole, which
    is json.dumps({"documents": [show_json(d) for d in documents]}, indent=2, ensure_ascii=ensure_ascii) with the
    characters of _JSON_UNSAFE_RE escaped in it."""

    def __init__(self, *, ensure_ascii: bool) -> None:
        self.count = 0
        self._ensure_ascii = ensure_ascii
        self._spool = _Spool()

    def add(self, document: ArchivedDocument) -> None:
        """Write the document's JSON, indented as an item of the list."""
        text = json.dumps(show_json(document), indent=2, ensure_ascii=self._ensure_ascii)
        # (JSON has no line break but between its tokens: a string's are escaped)
        self._spool.write(("\n    " if self.count == 0 else ",\n    ")
                          + _JSON_UNSAFE_RE.sub(_json_escape, text).replace("\n", "\n    "))
        self.count += 1

    def finish(self, out: IO[str]) -> None:
        """Print the JSON of every document added, and a line break."""
        if not self.count:
            out.write('{\n  "documents": []\n}\n')
            return
        out.write('{\n  "documents": [')
        self._spool.copy_to(out)
        out.write("\n  ]\n}\n")

    def close(self) -> None:
        """Remove the temporary file."""
        self._spool.close()

    def __enter__(self) -> JsonPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# json escapes C0 controls but not C1 (U+0080-U+009F: CSI among them), nor the characters that reorder the line or
# show as nothing (a name's U+202E); in JSON they occur only in strings: escaped there.
_JSON_UNSAFE_RE = re.compile(rf"[\x80-\x9f\ud800-\udfff{INVISIBLE}]")


def _json_escape(match: re.Match[str]) -> str:
    """A character as JSON escapes it: \\uNNNN, or the two of its UTF-16 surrogates past U+FFFF."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


_IN_MEMORY = 8 << 20   # bytes of drawn text kept in memory before the rest goes to a temporary file
_COPIED = 1 << 20   # bytes copied from it at a time


class _Spool:
    """Text drawn before it is printed: its first _IN_MEMORY bytes in memory, the rest in a temporary file (in the
    system's temporary folder, gone when closed). Every string written comes back as it was (a lone surrogate
    too; no line break translated)."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(_IN_MEMORY)  # noqa: SIM115 - closed by close()

    def write(self, text: str) -> int:
        try:
            self._file.write(text.encode("utf-8", "surrogatepass"))
        except OSError as exc:   # (the temporary file made or written past _IN_MEMORY: a full disk, a file-size limit)
            from .atomic import reason, write_fix

            raise ArchiveError(tempfile.gettempdir(), "cannot hold the listing in a temporary file there (a listing "
                               f"over {_IN_MEMORY >> 20} MiB waits there for the count line): {reason(exc)}",
                               fix=f"{write_fix(exc)}; or set TMPDIR to a folder with room") from exc
        return len(text)

    def flush(self) -> None:
        """(Nothing to do: copy_to reads what was written.)"""

    def copy_to(self, out: IO[str]) -> None:
        """Write what was written here to `out`."""
        self._file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        while chunk := self._file.read(_COPIED):
            if text := decoder.decode(chunk):
                out.write(text)
        if text := decoder.decode(b"", final=True):   # (none: whole characters were written)
            out.write(text)

    def close(self) -> None:
        self._file.close()


class _Terminal:
    """A terminal as rich sees it (isatty, encoding), whose writes go to `target`: first a _Spool."""

    def __init__(self, terminal: IO[str], target: _Spool | IO[str]) -> None:
        self._terminal = terminal
        self.target = target

    def write(self, text: str) -> int:
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return self._terminal.isatty()

    @property
    def encoding(self) -> str | None:
        return getattr(self._terminal, "encoding", None)


def _flush(buffer: io.StringIO | None, out: _Spool | IO[str]) -> None:
    """Write what is in `buffer` to `out`, each line without trailing spaces, and empty it."""
    if buffer is None:
        return
    out.write("\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n")))
    buffer.seek(0)
    buffer.truncate()


def _shown(document: ArchivedDocument) -> ArchivedDocument:
    """The document with every string read from the archive made safe for a terminal (an archive from
    elsewhere is hostile input: its names, fields and markers could hold escape sequences, or characters
    that reorder the line or show as nothing, to pass for another name or value). Of its provenance, only what
    the view reads is kept (the JSON-LD context and the parts are half of it)."""
    provenance = document.provenance
    if isinstance(provenance, dict):
        provenance = {key: value for key, value in provenance.items() if key in _VIEWED}
    return replace(document, name=printable(document.name), record_id=printable(document.record_id),
                   target_uri=printable(document.target_uri), sha256=printable(document.sha256),
                   provenance=_safe(provenance))


# The keys of a document's provenance that the view reads (no other key is shown as one of these: the keys are
# shown as printable() leaves them, and it leaves these alone and gives them to no other).
_VIEWED = frozenset({"length_chars", "fields", "elisions", "alterations", "segments", "original", "differences",
                     "out_of_order"})


# Values that identify rather than tell (a document name is not text to lay out): every control character
# of theirs is spelled out, line breaks and tabs too, and every invisible one (errors.printable), as are those
# of every key.
_IDENTIFIER_KEYS = frozenset({"marker", "kind", "from", "how", "url", "final_url", "path", "record_id",
                              "conversion_record_id", "target_uri", "content_type", "charset", "scope",
                              "fetched_at"})


def _safe(value: Any) -> Any:
    """`value` with the control and reordering characters of its strings spelled out, white space aside; in
    identifiers (keys, and the values of _IDENTIFIER_KEYS) white space and every invisible character too. Walked
    with a stack of its own, not by recursion: however deep a value nests (a document not read_archive's), no
    RecursionError."""
    if not isinstance(value, (dict, list)):
        return _UNSAFE_RE.sub(spelled, value) if isinstance(value, str) else value
    made: Any = {} if isinstance(value, dict) else [None] * len(value)
    stack: list[tuple[Any, Any, bool]] = [(value, made, False)]   # (value, its copy to fill, identifier)
    while stack:
        item, copy, identifier = stack.pop()
        # each copy is made, and put in place, when its key is reached: keys shown alike, the later one's wins
        entries = item.items() if isinstance(item, dict) else enumerate(item)
        for key, inner in entries:
            inside = identifier
            if isinstance(key, str):   # (a dict's: a list's are its indexes)
                inside = identifier or key in _IDENTIFIER_KEYS
                if not (key.isascii() and key.isprintable()):   # (else as printable() leaves it)
                    key = printable(key)
            if isinstance(inner, str):
                copy[key] = (inner if inner.isascii() and inner.isprintable() else   # (as both leave it)
                             printable(inner) if inside else _UNSAFE_RE.sub(spelled, inner))
            elif isinstance(inner, dict):
                copy[key] = {}
                stack.append((inner, copy[key], inside))
            elif isinstance(inner, list):
                copy[key] = [None] * len(inner)
                stack.append((inner, copy[key], inside))
            else:
                copy[key] = inner
    return made


def _print_document(drawing: Drawing, document: ArchivedDocument) -> None:
    provenance = document.provenance
    drawing.line(((document.name, "bold cyan"),))
    # Ids, the target URI and the digest are copied from here: never cut at the terminal's width (rich's
    # ellipsis) nor broken by a line break; the terminal wraps them.
    for label, value in (("record", document.record_id), ("target", document.target_uri),
                         ("sha256", document.sha256),
                         ("size", f"{document.length_bytes:,} bytes, {provenance.get('length_chars', 0):,} characters")):
        drawing.line(((f"{label:<6}  {value}", ""),), soft_wrap=True)

    fields = provenance.get("fields", {})
    if fields:
        rows = []
        for name, field in sorted(fields.items()):
            span = field.get("span")
            rows.append((name, str(field.get("value")), str(field.get("from")), f"{span[0]}-{span[1]}" if span else ""))
        drawing.table(("field", "value", "from", "chars"), rows, fold={1})

    original = provenance.get("original")
    no_text = isinstance(original, dict) and original.get("no_text") is not None
    error = no_text and isinstance(original, dict) and _error_answer(original)
    elisions = provenance.get("elisions", [])
    bracketed = sum(1 for e in elisions if e.get("kind") == "bracketed")
    counts = (f"elisions: {bracketed} bracketed, {len(elisions) - bracketed} possible; "
              f"segments: {len(provenance.get('segments', []))}")
    drawing.line(((counts, ""),))
    for number, elision in enumerate(elisions, start=1):
        marker, kind = elision["marker"], elision["kind"]
        where = (f"chars {elision['start']}-{elision['end']}, "
                 f"bytes {elision['byte_start']}-{elision['byte_end']}, line {elision['line']} col {elision['column']}")
        drawing.line(((f"  {number}. ", ""), (str(marker), "bold"), (f" {kind}: {where}", "")))
        drawing.line(_in_context(elision, provenance.get("length_chars")))
        omitted = elision.get("omitted")
        if isinstance(omitted, dict) and omitted.get("text") is not None:
            scope = elision.get("omitted_scope")
            assumed = _ASSUMED.get(scope) if isinstance(scope, str) else None
            cut = f"     - cut {omitted.get('start')}-{omitted.get('end')}{f' ({assumed})' if assumed else ''}: "
            drawing.line(((cut + _preview(str(omitted["text"])), "red"),))
        elif elision.get("omitted_reason"):
            drawing.line(((f"     ({elision['omitted_reason']})", "dim"),))
        elif elision.get("kind") == "bracketed":
            why = ("the original fetched is the server's error answer, not the page" if error else
                   "the original has no text to align against" if no_text else "no original in the archive")
            drawing.line(((f"     (what it cut is not known: {why})", "dim"),))
        if elision.get("kind") == "possible" and elision.get("confirmed") is not None:
            verdict = " confirmed: the original has text there" if elision["confirmed"] else ": not a cut"
            drawing.line(((f"     possible elision{verdict}", "dim"),))
    _print_alterations(drawing, provenance.get("alterations", []))
    _print_original(drawing, provenance)


def _print_alterations(drawing: Drawing, alterations: list[dict[str, Any]]) -> None:
    """The editorial alterations ([sic], [emphasis added]: bracketed text that is no cut), each where it is, as the
    elisions are listed; nothing when there are none."""
    if not alterations:
        return
    drawing.line(((f"alterations: {len(alterations)}", ""),))
    for number, alteration in enumerate(alterations, start=1):
        where = (f"chars {alteration.get('start')}-{alteration.get('end')}, bytes {alteration.get('byte_start')}-"
                 f"{alteration.get('byte_end')}, line {alteration.get('line')} col {alteration.get('column')}")
        drawing.line(((f"  {number}. ", ""), (str(alteration.get("marker")), "bold"), (f": {where}", "")))


def _print_original(drawing: Drawing, provenance: dict[str, Any]) -> None:
    original = provenance.get("original")
    if not isinstance(original, dict):
        return
    if original.get("how") == "fetched":
        where = f"fetched {original.get('url')} (HTTP {original.get('status')}, {original.get('fetched_at')})"
        if redirected(original):
            where += f" -> {original.get('final_url')}"
    else:
        where = f"local copy {original.get('path')}"
    if original.get("no_text") is not None:
        why = (f"{original.get('no_text')}" if _error_answer(original) else   # (it says so: HTTP 404 Not Found: ...)
               f"no text to align against ({original.get('no_text')})")
        drawing.line(((f"original: {where}; archived, not aligned: {why}", ""),), soft_wrap=True)
        return   # nothing compared: no differences to list
    chars = original.get("length_chars", 0)   # (a count, or null: read_archive lets no other value through)
    size = "of no recorded length" if chars is None else f"{chars:,} characters"   # (verify reports a null)
    drawing.plain(f"original: {where}; text {size} "
                  f"from the {original.get('scope')}, record {original.get('conversion_record_id')}",
                  soft_wrap=True)   # URIs and a record id: the terminal wraps them, nothing cuts or breaks them
    missing = _not_found(provenance)
    if missing:
        drawing.plain(f"segments not found in the original: {len(missing)} of {len(provenance['segments'])} "
                      f"(chars {', '.join(f'{start}-{end}' for start, end in missing)})", soft_wrap=True)
    differences = provenance.get("differences", [])
    out_of_order = provenance.get("out_of_order", [])
    drawing.plain(f"differences: {len(differences)}"
                  + (f"; segments out of order: {out_of_order}" if out_of_order else ""))
    for difference in differences:
        drawing.line(((f"  {difference.get('kind')} at chars {difference.get('start')}-{difference.get('end')}: ", ""),
                      (repr(_preview(str(difference.get("excerpt")), 60)), "red"), (" for ", ""),
                      (repr(_preview(str(difference.get("source")), 60)), "green")))


def _error_answer(original: dict[str, Any]) -> bool:
    """True when the original fetched is the server's error answer (its final status 4xx or 5xx)."""
    status = original.get("status")
    return original.get("how") == "fetched" and type(status) is int and is_error_status(status)


def _not_found(provenance: dict[str, Any]) -> list[tuple[int, int]]:
    """The spans of the segments alignment did not find in the original (`source_start` null), but for those
    the markers' context shows to have no letter or digit: a segment of punctuation (`[...] — [...]`) has no
    words to look up, and is no quoted text missing from the original."""
    segments = provenance.get("segments")
    if not isinstance(segments, list):
        return []
    known = _known_characters(provenance.get("elisions"))
    out = []
    for segment in segments:
        if not isinstance(segment, dict) or "source_start" not in segment or segment["source_start"] is not None:
            continue
        start, end = segment.get("start"), segment.get("end")
        if type(start) is not int or type(end) is not int:
            continue
        text = [known.get(at) for at in range(start, end)] if end - start <= 2 * _SELECTOR_CONTEXT else [None]
        if None not in text and not _WORD_RE.search("".join(str(ch) for ch in text)):
            continue
        out.append((start, end))
    return out


_SELECTOR_CONTEXT = 32   # characters of text a marker's quote selector gives each side of it
_WORD_RE = re.compile(r"[^\W_]")


def _known_characters(elisions: Any) -> dict[int, str]:
    """The characters of the excerpt its markers' quote selectors give (each marker's prefix and suffix), by
    offset."""
    known: dict[int, str] = {}
    for elision in elisions if isinstance(elisions, list) else ():
        if not isinstance(elision, dict) or type(elision.get("start")) is not int or type(elision.get("end")) is not int:
            continue
        target = elision.get("oa:hasTarget")
        selectors = target.get("oa:hasSelector") if isinstance(target, dict) else None
        for selector in selectors if isinstance(selectors, list) else ():
            if not isinstance(selector, dict):
                continue
            prefix, suffix = selector.get("oa:prefix"), selector.get("oa:suffix")
            if isinstance(prefix, str):
                known.update(zip(range(elision["start"] - len(prefix), elision["start"]), prefix))
            if isinstance(suffix, str):
                known.update(zip(range(elision["end"], elision["end"] + len(suffix)), suffix))
    return known


_ASSUMED = {"paragraph-end": "assumed: the rest of the paragraph",
            "paragraph-start": "assumed: the start of the paragraph"}


def _in_context(elision: dict[str, Any], length: Any) -> list[Piece]:
    """The marker between up to CONTEXT characters each side, with "…" only where text is left out: not at
    the text's start or end (the quote selector's prefix reaches back to offset 0, its suffix to `length`)."""
    prefix = suffix = ""
    for selector in elision.get("oa:hasTarget", {}).get("oa:hasSelector", []):
        prefix = str(selector.get("oa:prefix", prefix))
        suffix = str(selector.get("oa:suffix", suffix))
    start, end = elision.get("start"), elision.get("end")
    before, after = _flat(prefix), _flat(suffix)
    at_start = type(start) is int and len(prefix) >= start and len(before) <= CONTEXT
    at_end = type(end) is int and type(length) is int and end + len(suffix) >= length and len(after) <= CONTEXT
    return [("     ", ""), *(() if at_start else (("…", "dim"),)), (before[-CONTEXT:], ""),
            (str(elision["marker"]), "bold red"), (after[:CONTEXT], ""), *(() if at_end else (("…", "dim"),))]


# Tabs and line breaks are laid out, and rich drops CR, VT and FF itself (a CRLF excerpt's context
# must read as text, not "\x0d"); every other control character is spelled out, and so are the characters
# that reorder text (a title's U+202E would show "Safe <U+202E>txet eht" as "Safe the text"). Text keeps
# its other invisible characters: the zero-width joiners of Indic words and emoji, a variation selector.
_UNSAFE_RE = re.compile(rf"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff{REORDERING}]")


def _visible(text: str) -> str:
    """Text made one line with its control and reordering characters (an original's escape sequences)
    spelled out, so they never reach the terminal."""
    return _UNSAFE_RE.sub(spelled, text)


def _flat(text: str) -> str:
    return _visible(re.sub(r"\s+", " ", text))


def _preview(text: str, width: int = 100) -> str:
    flat = _visible(" ".join(text.split()))
    return flat if len(flat) <= width else f"{flat[:width // 2 - 2]} … {flat[-(width // 2 - 2):]}"
