"""Bytes -> Document: strict UTF-8, and the fields the text's own layout gives, with their spans.

The layout recognised is the one blog reposts use:

    12 November 2017                      <- date line       -> published
                                          
    The Atlantic: Al-Qaeda Has Rebuilt…   <- "Publication: Title"
                                          
    quoted paragraphs …                   <- body
                                          
    No comments:                          <- blog trailer (boilerplate, not quoted)
    Post a Comment

Any other shape still packages: what is not found is simply absent, and the body
is the whole text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import InputError
from .model import Document, ParsedField
from .textindex import TextIndex

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
_PUBLICATION_TITLE = re.compile(r"(?P<publication>[A-Z0-9][^:\n]{0,59}?):[ \t]+(?P<title>\S.*?)[ \t]*")
_FILLED = re.compile(r"\S")   # white space as str.strip() sees it, found without copying the line
_TRAILER_LINES = re.compile(
    r"no comments:?|\d+ comments?:?|post a comment|newer post|older post|home|"
    r"newer post\s+older post\s+home|subscribe to:.*|posted by .{1,80}|labels?:.{0,200}|"
    r"share this:?|like this:?|leave a (?:comment|reply)|email this.{0,40}|blogthis!.{0,40}|"
    r"share to (?:twitter|facebook|pinterest).{0,40}|loading\.\.\.|reactions:.{0,80}",
    re.IGNORECASE,
)


def decode(raw: bytes, path: Path) -> str:
    """The text of `raw`, which must be non-empty UTF-8 without NUL bytes."""
    if not raw or raw.isspace():   # as `not raw.strip()`, without copying the text
        problem = "file is empty" if not raw else "file holds only white space"
        raise InputError(path, problem, fix="give the excerpt's text, or remove the file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "text is UTF-16 (it starts with a UTF-16 byte order mark)", offset=0,
                         fix="re-save the file as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = " ".join(f"0x{b:02X}" for b in raw[exc.start:min(exc.end + 2, exc.start + 4)])
        raise InputError(path, f"invalid UTF-8 ({bad})", offset=exc.start,
                         fix="re-save the file as UTF-8") from exc
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(path, "NUL byte in the text; this is not a plain-text file", offset=nul,
                         fix="give the excerpt as plain UTF-8 text")
    return text


def parse_document(name: str, raw: bytes, *, path: Path | None = None) -> Document:
    """Decode `raw` strictly and find its date, publication, title, body and trailer."""
    text = decode(raw, path or Path(name))
    index = TextIndex.of(text, byte_length=len(raw))
    lines = index.lines()
    has_bom = text.startswith("\ufeff")
    content_start = 1 if has_bom else 0

    def blank(number: int) -> bool:
        start, end = lines[number]
        return _FILLED.search(text, start if start > content_start else content_start, end) is None

    parsed: list[ParsedField] = []
    header_end: int | None = None
    line_no = _next_filled(lines, 0, blank)
    if line_no is not None:
        date_field = _date_field(text, index, lines[line_no], content_start)
        if date_field is not None:
            parsed.append(date_field)
            header_end = lines[line_no][1]
            line_no = _next_filled(lines, line_no + 1, blank)
    if line_no is not None:
        followed_by_blank = line_no + 1 < len(lines) and blank(line_no + 1)
        title_fields = _publication_title(text, index, lines[line_no], content_start)
        if title_fields and (followed_by_blank or header_end is not None):
            parsed.extend(title_fields)
            header_end = lines[line_no][1]

    body_from = header_end if header_end is not None else content_start
    trailer_start = _trailer_start(text, lines, blank, body_from)
    body_to = trailer_start if trailer_start is not None else len(text)
    body_start, body_end = _strip(text, body_from, body_to)
    if body_start >= body_end:
        body_start, body_end = _strip(text, content_start, len(text))
        trailer_start = None
    trailer = None
    if trailer_start is not None:
        trailer = index.span(*_strip(text, trailer_start, len(text)))
    return Document(
        name=name,
        raw=raw,
        text=text,
        parsed=tuple(parsed),
        header=index.span(content_start, header_end) if header_end is not None else None,
        body=index.span(body_start, body_end),
        trailer=trailer,
        newline=_newline_style(raw),
        has_bom=has_bom,
        final_newline=text.endswith(("\n", "\r")),
    )


def _next_filled(lines: Sequence[tuple[int, int]], start: int, blank: Callable[[int], bool]) -> int | None:
    for number in range(start, len(lines)):
        if not blank(number):
            return number
    return None


def _date_field(text: str, index: TextIndex, line: tuple[int, int], floor: int) -> ParsedField | None:
    start, end = _strip(text, max(line[0], floor), line[1])
    candidate = text[start:end]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(candidate)
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
        return ParsedField("published", date.isoformat(), index.span(start, end))
    return None


def _publication_title(
    text: str, index: TextIndex, line: tuple[int, int], floor: int
) -> list[ParsedField] | None:
    start, end = _strip(text, max(line[0], floor), line[1])
    if end - start > 300:
        return None
    match = _PUBLICATION_TITLE.fullmatch(text, start, end)
    if match is None:
        return None
    publication = match.group("publication").strip()
    title = match.group("title")
    if len(publication.split()) > 6 or publication[-1] in ".!?,;" or title.endswith("."):
        return None
    pub_start = match.start("publication")
    return [
        ParsedField("publication", publication, index.span(pub_start, pub_start + len(publication))),
        ParsedField("title", title, index.span(match.start("title"), match.end("title"))),
    ]


def _trailer_start(text: str, lines: Sequence[tuple[int, int]], blank: Callable[[int], bool], floor: int) -> int | None:
    trailer_start = None
    for number in range(len(lines) - 1, -1, -1):
        start, end = lines[number]
        if end <= floor:
            break
        if blank(number):
            continue
        if _TRAILER_LINES.fullmatch(text[start:end].strip()) is None:
            break
        trailer_start = start
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
