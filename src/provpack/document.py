"""Bytes -> Document: strict UTF-8, and the fields the text's own layout gives, with their spans.

The layout recognised is the one blog reposts use:

    12 November 2017                      <- date line       -> published
                                          
    The Atlantic: Al-Qaeda Has Rebuilt…   <- "Publication: Title"
                                          
    quoted paragraphs …                   <- body
                                          
    No comments:                          <- blog trailer (boilerplate, not quoted; a line
    Post a Comment                           with a bracketed cut or [sic] is never part of it)

Any other shape still packages: what is not found is simply absent, and the body
is the whole text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from .elisions import holds_bracketed_mark
from .errors import InputError
from .model import Document, ParsedField, Span

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DATE_PATTERNS = (
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})", re.IGNORECASE),
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})", re.IGNORECASE),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
)
# A publication's name starts with a letter or digit (checked further: _names_a_publication), in any script:
# `Правда: ...`
_PUBLICATION_TITLE = re.compile(r"(?P<publication>[^\W_][^:\n]{0,59}?):[ \t]+(?P<title>\S.*?)[ \t]*")
# What ends a sentence, not a publication's name: its last character ("Note, he said: ..."), in any script's
# punctuation (the full-width and ideographic forms, Arabic's, Devanagari's danda, Urdu's full stop).
_NOT_A_NAME_END = ".!?,;\u3002\uff01\uff1f\uff0c\uff1b\u3001\u060c\u061b\u061f\u0964\u06d4"
# A full stop ending a title makes the line a sentence: `.` and the ideographic, full-width, halfwidth,
# Devanagari (danda, double danda), Urdu, Armenian, Ethiopic and Burmese ones.
_FULL_STOPS = (".", "\u3002", "\uff0e", "\uff61", "\u0964", "\u0965", "\u06d4", "\u0589", "\u1362", "\u104b")
# What may close a sentence after its full stop (`他说: “我不知道。”`, `He said: "No."`): quotation marks and
# closing brackets, looked through, and the spaces French sets before `»` (`« Non. »`).
_CLOSERS = "\"')\u00bb\u2019\u201d\u203a\u300d\u300f\uff09 \u00a0\u2009\u202f"   # " ' ) » ’ ” › 」 』 ）
_FILLED = re.compile(r"\S")   # white space as str.strip() sees it, found without copying the line
_TRAILER_LINES = re.compile(
    r"no comments:?|\d+ comments?:?|post a comment|newer post|older post|home|"
    r"newer post\s+older post\s+home|subscribe to:.*|posted by .{1,80}|labels?:.{0,200}|"
    r"share this:?|like this:?|leave a (?:comment|reply)|email this.{0,40}|blogthis!.{0,40}|"
    r"share to (?:twitter|facebook|pinterest).{0,40}|loading\.\.\.|reactions:.{0,80}",
    re.IGNORECASE,
)


_UTF16 = "NUL byte in the text; it looks like UTF-16 ({order}) without a byte order mark (a NUL in every other byte)"
_UTF16_SAMPLE = 4096   # bytes whose NULs tell UTF-16


def _utf16_order(raw: bytes) -> str | None:
    """"little-endian" or "big-endian" when the NULs of the text's start lie in the odd or the even bytes as in UTF-16
    of mostly Latin text (in half the pairs at least, and hardly ever in the other place: not UTF-32); else None."""
    sample = raw[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    even, odd = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    most, other = max(even, odd), min(even, odd)
    if pairs < 2 or most * 2 < pairs or other * 8 > most:
        return None
    return "little-endian" if odd > even else "big-endian"


def decode(raw: bytes, path: Path | str) -> str:
    """The text of `raw`, which must be non-empty UTF-8 without NUL bytes."""
    if not raw or raw.isspace():   # as `not raw.strip()`, without copying the text
        problem = "file is empty" if not raw else "file holds only white space"
        raise InputError(path, problem, fix="give the excerpt's text, or remove the file")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):   # before UTF-16's: FF FE begins both
        raise InputError(path, "text is UTF-32 (it starts with a UTF-32 byte order mark)", offset=0,
                         fix="re-save the file as UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "text is UTF-16 (it starts with a UTF-16 byte order mark)", offset=0,
                         fix="re-save the file as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        order = _utf16_order(raw)
        if order is not None:
            raise InputError(path, _UTF16.format(order=order), offset=raw.find(b"\x00"),
                             fix="re-save the file as UTF-8") from exc
        bad = " ".join(f"0x{b:02X}" for b in raw[exc.start:min(exc.end + 2, exc.start + 4)])
        raise InputError(path, f"invalid UTF-8 ({bad})", offset=exc.start,
                         fix="re-save the file as UTF-8") from exc
    nul = raw.find(b"\x00")
    if nul >= 0:
        order = _utf16_order(raw)
        if order is not None:
            raise InputError(path, _UTF16.format(order=order), offset=nul, fix="re-save the file as UTF-8")
        raise InputError(path, "NUL byte in the text; this is not a plain-text file", offset=nul,
                         fix="give the excerpt as plain UTF-8 text")
    bom = text.startswith("\ufeff")
    if _FILLED.search(text, 1 if bom else 0) is None:   # past the BOM, and white space as str sees it (U+3000)
        problem = ("file holds only white space" if not bom else "file holds only a byte order mark"
                   if len(text) == 1 else "file holds only a byte order mark and white space")
        raise InputError(path, problem, fix="give the excerpt's text, or remove the file")
    return text


def parse_document(name: str, raw: bytes, *, path: Path | str | None = None) -> Document:
    """Decode `raw` strictly and find its date, publication, title, body and trailer."""
    text = decode(raw, path or Path(name))
    # Lines are found with str.find / rfind around the places the layout needs; a line
    # break is CR LF, CR or LF, as for textindex.TextIndex. A line is blank when it holds no
    # \S (the BOM of line 0 not counted), so the first \S at or after a line's end lies on
    # the next filled line, at its first character once stripped.
    has_cr = b"\r" in raw
    has_bom = text.startswith("\ufeff")
    content_start = 1 if has_bom else 0

    parsed: list[ParsedField] = []
    header_end: int | None = None
    filled = _FILLED.search(text, content_start)
    if filled is not None:
        first = filled.start()
        line_end = _line_end(text, first, has_cr)
        date_field = _date_field(text, raw, first, line_end)
        if date_field is not None:
            parsed.append(date_field)
            header_end = line_end
            filled = _FILLED.search(text, line_end)
    if filled is not None:
        first = filled.start()
        line_end = _line_end(text, first, has_cr)
        title_fields = _publication_title(text, raw, first, line_end)
        if title_fields and (header_end is not None or _followed_by_blank(text, line_end, has_cr)):
            parsed.extend(title_fields)
            header_end = line_end

    body_from = header_end if header_end is not None else content_start
    trailer_start = _trailer_start(text, body_from, has_cr, content_start)
    body_to = trailer_start if trailer_start is not None else len(text)
    body_start, body_end = _strip(text, body_from, body_to)
    if body_start >= body_end:
        body_start, body_end = _strip(text, content_start, len(text))
        trailer_start = None
    trailer = None
    if trailer_start is not None:
        trailer = _span(text, raw, *_strip(text, trailer_start, len(text)))
    if not has_cr:
        newline = "LF" if b"\n" in raw else "none"
    else:
        newline = _newline_style(raw)
    return Document(
        name=name,
        raw=raw,
        text=text,
        parsed=tuple(parsed),
        header=_span(text, raw, content_start, header_end) if header_end is not None else None,
        body=_span(text, raw, body_start, body_end),
        trailer=trailer,
        newline=newline,
        has_bom=has_bom,
        final_newline=text.endswith(("\n", "\r")),
    )


def _line_end(text: str, at: int, has_cr: bool) -> int:
    """Where the line holding offset `at` ends, before its line break."""
    end = text.find("\n", at)
    if end < 0:
        end = len(text)
    if has_cr:
        cr = text.find("\r", at, end)
        if cr >= 0:
            return cr
    return end


def _followed_by_blank(text: str, line_end: int, has_cr: bool) -> bool:
    """Whether a line follows the one ending at `line_end` (before its break) and is blank."""
    if line_end >= len(text):
        return False
    start = line_end + (2 if has_cr and text.startswith("\r\n", line_end) else 1)
    return _FILLED.search(text, start, _line_end(text, start, has_cr)) is None


def _span(text: str, raw: bytes, start: int, end: int) -> Span:
    """A Span for [start, end) of `text`, the strict UTF-8 decoding of `raw`: encode the shorter side."""
    if text.isascii():   # O(1): CPython keeps the flag
        return Span(start, end, start, end)
    length = len(text)
    if start <= length - start:
        byte_start = len(text[:start].encode("utf-8"))
    else:
        byte_start = len(raw) - len(text[start:].encode("utf-8"))
    if end - start <= length - end:
        byte_end = byte_start + len(text[start:end].encode("utf-8"))
    else:
        byte_end = len(raw) - len(text[end:].encode("utf-8"))
    return Span(start, end, byte_start, byte_end)


def _date_field(text: str, raw: bytes, first: int, line_end: int) -> ParsedField | None:
    start, end = _strip(text, first, line_end)
    if not text[end - 1].isdecimal():   # every pattern ends in \d, which is str.isdecimal() for re
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text, start, end)
        if match is None:
            continue
        month_text = match.group("month")
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower().rstrip("."))
        if month is None:
            continue
        try:
            date = dt.date(int(match.group("year")), month, int(match.group("day")))
        except ValueError:
            continue
        return ParsedField("published", date.isoformat(), _span(text, raw, start, end))
    return None


def _publication_title(text: str, raw: bytes, first: int, line_end: int) -> list[ParsedField] | None:
    start, end = _strip(text, first, line_end)
    if end - start > 300:
        return None
    if text.find(":", start + 1, start + 61) < 0:   # the pattern's ':' comes 1 to 60 characters in
        return None
    match = _PUBLICATION_TITLE.fullmatch(text, start, end)
    if match is None:
        return None
    publication = match.group("publication").strip()
    title = match.group("title")
    if (not _names_a_publication(publication, title) or len(publication.split()) > 6
            or publication[-1] in _NOT_A_NAME_END or title.rstrip(_CLOSERS).endswith(_FULL_STOPS)
            or holds_bracketed_mark(text, start, end)):   # (quoted text someone edited, as for the trailer)
        return None
    pub_start = match.start("publication")
    return [
        ParsedField("publication", publication, _span(text, raw, pub_start, pub_start + len(publication))),
        ParsedField("title", title, _span(text, raw, match.start("title"), match.end("title"))),
    ]


def _names_a_publication(publication: str, title: str) -> bool:
    """Whether a line `publication: title` may name a publication: the name's first letter (or, in a name of
    digits only, `2017: A Year`, the title's) is upper or title case, in any script with case (`The`,
    `Правда`, `Η Καθημερινή`, `Österreich`, Armenian, Georgian Mtavruli, `20 Minutes`). A lower-case first letter,
    `note: ...`, is running text; so is a letter of a script without case (`朝日新聞`, `هآرتس`, `दैनिक`: Lo), and
    Georgian in Mkhedruli, which has none: every line of it starts with such a letter, sentences
    (`国务院总理在会上表示: ...`, `記者: ...`) as much as names, so a header line in such a script is not read
    (docs/format.md: a known limit)."""
    for text in (publication, title):
        for character in text:
            if character.isalpha():
                return unicodedata.category(character) in ("Lu", "Lt")
    return False


def _trailer_start(text: str, floor: int, has_cr: bool, content_start: int) -> int | None:
    """Where the run of trailer lines (blank lines between them allowed) that ends the text starts."""
    trailer_start = None
    end = len(text)
    rfind = text.rfind
    while end > floor:
        start = (max(rfind("\n", 0, end), rfind("\r", 0, end)) if has_cr else rfind("\n", 0, end)) + 1
        filled = _FILLED.search(text, start if start > content_start else content_start, end)
        if filled is not None:
            if start < content_start:   # the BOM, not white space, begins this line: no trailer line
                break
            last = end
            while text[last - 1].isspace():
                last -= 1
            if _TRAILER_LINES.fullmatch(text, filled.start(), last) is None:
                break
            # A line with a bracketed cut or alteration is quoted text someone edited, not boilerplate:
            # in the trailer, its marks would be recorded nowhere.
            if holds_bracketed_mark(text, filled.start(), last):
                break
            trailer_start = start
        if start == 0:
            break
        end = start - 2 if has_cr and start >= 2 and text.startswith("\r\n", start - 2) else start - 1
    return trailer_start


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _newline_style(raw: bytes) -> str:
    """CRLF, CR, LF, mixed or none; counted in the bytes (UTF-8 has no CR or LF inside other characters)."""
    if b"\r" not in raw:
        return "LF" if b"\n" in raw else "none"
    crlf = raw.count(b"\r\n")
    cr = raw.count(b"\r") - crlf
    lf = raw.count(b"\n") - crlf
    styles = [name for name, count in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if count]
    return styles[0] if len(styles) == 1 else "mixed"
