"""HTML (or plain text) bytes -> the text that alignment offsets into an original point at.

Pure: no I/O. Uses the standard library's `html.parser` (tolerant, maintained with CPython,
no dependency) with a small tree builder that closes the elements HTML closes implicitly
(`<p>`, `<li>`, cells). Boilerplate (script, style, nav, header, footer, aside, form,
noscript, ...) is dropped, the main content is preferred (`<article>`, then `<main>`),
entities are decoded, block elements become blank-line paragraph breaks, `<br>` a line
break, and whitespace inside a paragraph collapses to one space (`<pre>` keeps its own).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal

__all__ = [
    "Charset",
    "Extraction",
    "charset_from_content_type",
    "decode_html",
    "extract_text",
    "html_to_text",
]

CharsetSource = Literal["bom", "http", "meta", "default", "fallback"]
Scope = Literal["article", "main", "body", "document", "plain-text"]

# Not text of the page. <form> is not among them: ASP.NET WebForms pages hold their whole body in one.
_SKIP = frozenset(
    "script style nav header footer aside noscript template head title svg math "
    "iframe object embed canvas button select textarea dialog".split()
)
# What an <article> or <main> inside is not the page's story in: asides, navigation, footers, hidden parts.
_NOT_STORY = frozenset("nav header footer aside template dialog".split())
_SKIP_ROLES = frozenset("navigation banner contentinfo complementary search dialog".split())
_BLOCK = frozenset(
    "address article blockquote body caption dd details div dl dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 hgroup hr li main ol p pre section summary table tbody tfoot thead tr "
    "ul center".split()
)
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()
)
_CLOSES_P = _BLOCK | {"form", "header", "footer", "nav", "aside", "menu"}
_LIST_SCOPE = {"li": {"ul", "ol", "menu"}, "dt": {"dl"}, "dd": {"dl"}, "tr": {"table", "tbody", "thead", "tfoot"},
               "td": {"tr", "table"}, "th": {"tr", "table"}}
_SIBLINGS = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"},
             "td": {"td", "th"}, "th": {"td", "th"}}
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_SINGLE_BYTE_LABELS = frozenset(
    "iso-8859-1 iso8859-1 latin1 latin-1 l1 ascii us-ascii windows-1252 cp1252 x-cp1252 "
    "iso_8859-1 iso-ir-100 cp819 ibm819 csisolatin1".split()
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_PRESCAN_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Charset:
    """Which encoding decoded the bytes, why, and what was declared."""

    encoding: str
    source: CharsetSource
    declared_http: str | None
    declared_meta: str | None
    note: str | None

    def to_json(self) -> dict[str, object]:
        """The choice as plain JSON types."""
        return {
            "encoding": self.encoding,
            "source": self.source,
            "declared_http": self.declared_http,
            "declared_meta": self.declared_meta,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Extraction:
    """The extracted text, the charset used and which part of the page it came from."""

    text: str
    charset: Charset
    scope: Scope


@dataclass(eq=False)
class _Node:
    """An element of the parsed page."""

    tag: str
    attrs: dict[str, str | None]
    parent: _Node | None
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """Builds a forgiving element tree, closing what HTML closes implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {}, None)
        self.stack: list[_Node] = [self.root]

    def _close_to(self, node: _Node) -> None:
        while self.stack and self.stack[-1] is not node:
            self.stack.pop()
        if len(self.stack) > 1:
            self.stack.pop()

    def _open(self, tag: str) -> _Node | None:
        """The innermost open element with this tag, if any."""
        return next((n for n in reversed(self.stack) if n.tag == tag), None)

    def _implied_ends(self, tag: str) -> None:
        if tag in _CLOSES_P:
            for node in reversed(self.stack):
                if node.tag == "p":
                    self._close_to(node)
                    break
                if node.tag in _BLOCK or node.tag in ("button", "td", "th"):
                    break
        siblings = _SIBLINGS.get(tag)
        if siblings:
            for node in reversed(self.stack):
                if node.tag in siblings:
                    self._close_to(node)
                    break
                if node.tag in _LIST_SCOPE[tag]:
                    break

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._implied_ends(tag)
        node = _Node(tag, dict(attrs), self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._implied_ends(tag)
        self.stack[-1].children.append(_Node(tag, dict(attrs), self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        node = self._open(tag)
        if node is not None:
            self._close_to(node)
        elif tag in ("br", "p"):
            self.handle_startendtag(tag, [])

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class _MetaCharset(HTMLParser):
    """Finds the first <meta charset> or http-equiv Content-Type charset."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charset: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta" or self.charset is not None:
            return
        values = {name: value or "" for name, value in attrs}
        if values.get("charset"):
            self.charset = values["charset"].strip()
        elif values.get("http-equiv", "").lower() == "content-type":
            self.charset = charset_from_content_type(values.get("content", ""))

    handle_startendtag = handle_starttag


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of a Content-Type value, if any."""
    for param in (value or "").split(";")[1:]:
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            return param_value.strip().strip("\"'") or None
    return None


def _codec(label: str | None) -> str | None:
    """A Python codec for a charset label (latin-1 and ASCII labels mean windows-1252)."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _SINGLE_BYTE_LABELS:
        return "cp1252"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "utf-8" if codec.startswith("utf-16") else codec


def _decode_cp1252(data: bytes) -> str:
    """windows-1252 as browsers decode it: its five undefined bytes become C1 controls."""
    parts = re.split(rb"([\x81\x8d\x8f\x90\x9d]+)", data)
    return "".join(p.decode("latin-1") if i % 2 else p.decode("cp1252") for i, p in enumerate(parts))


def _meta_charset(data: bytes) -> str | None:
    """The charset declared by a <meta> tag near the start of the page."""
    scanner = _MetaCharset()
    scanner.feed(data[:_PRESCAN_BYTES].decode("latin-1"))
    return scanner.charset


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes, *, http_charset: str | None = None, sniff_meta: bool = True) -> tuple[str, Charset]:
    """Decode page bytes: BOM, then the HTTP charset, then <meta charset>, then UTF-8, then windows-1252
    (UTF-8 with a few bad bytes stays UTF-8, as _mostly_utf8 tells)."""
    meta = _meta_charset(data) if sniff_meta else None
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(bom_codec, errors="replace")
            return text, Charset(bom_codec, "bom", http_charset, meta, None)
    notes: list[str] = []
    declared: list[tuple[CharsetSource, str | None]] = [("http", http_charset), ("meta", meta)]
    for source, label in declared:
        if label is None:
            continue
        codec = _codec(label)
        where = "the HTTP Content-Type" if source == "http" else "a <meta> tag"
        if codec is None:
            notes.append(f"unknown charset {label!r} declared in {where}")
            continue
        if codec == "cp1252" and not data.isascii() and _is_utf8(data):
            notes.append(f"{label!r} declared in {where}, but the bytes are valid UTF-8; decoded as UTF-8")
            return data.decode("utf-8"), Charset("utf-8", source, http_charset, meta, "; ".join(notes))
        try:
            text = _decode_cp1252(data) if codec == "cp1252" else data.decode(codec)
        except UnicodeDecodeError as exc:
            notes.append(f"{label!r} declared in {where}, but byte {exc.start} is not valid {codec}")
            if codec == "utf-8" and (mostly := _mostly_utf8(data)) is not None:
                notes.append(mostly[1])
                return mostly[0], Charset("utf-8", source, http_charset, meta, "; ".join(notes))
            continue
        return text, Charset(codec, source, http_charset, meta, "; ".join(notes) or None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if (mostly := _mostly_utf8(data)) is not None:
            notes.append(f"not valid UTF-8 at byte {exc.start}; {mostly[1]}")
            return mostly[0], Charset("utf-8", "default", http_charset, meta, "; ".join(notes))
        notes.append(f"not valid UTF-8 (byte {exc.start}); decoded as windows-1252")
        return _decode_cp1252(data), Charset("cp1252", "fallback", http_charset, meta, "; ".join(notes))
    return text, Charset("utf-8", "default", http_charset, meta, "; ".join(notes) or None)


_ASCII = bytes(range(128))


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with a few bad bytes: the text with each bad sequence as U+FFFD, and a note; else None.

    A page with more well-formed multi-byte characters than bad sequences is UTF-8 with stray bytes
    (decoded as browsers decode UTF-8); one with fewer is another encoding labelled UTF-8 (a latin-1
    page a server calls UTF-8), which windows-1252 reads as meant.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    non_ascii = len(text) - (len(data) - len(data.translate(None, _ASCII)))
    if non_ascii - bad <= bad:
        return None
    return text, f"{bad} bad byte sequence{'s' if bad > 1 else ''} read as U+FFFD"


def _skipped(node: _Node) -> bool:
    if node.tag in _SKIP or "hidden" in node.attrs:
        return True
    return (node.attrs.get("role") or "").lower() in _SKIP_ROLES


class _TextWriter:
    """Collects paragraphs from a walk over the tree."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.parts: list[tuple[str, str]] = []

    def text(self, data: str, pre: bool) -> None:
        self.parts.append(("pre" if pre else "text", data))

    def line_break(self) -> None:
        self.parts.append(("br", "\n"))

    def paragraph_break(self) -> None:
        if not self.parts:
            return
        pieces: list[str] = []
        for kind, data in self.parts:
            pieces.append(_HTML_SPACE_RE.sub(" ", data) if kind == "text" else data)
        joined = "".join(pieces)
        if not any(kind == "pre" for kind, _ in self.parts):
            joined = "\n".join(line.strip(" \t\r\f") for line in joined.split("\n"))
        paragraph = joined.strip("\n")
        if paragraph:
            self.paragraphs.append(paragraph)
        self.parts = []

    def walk(self, root: _Node) -> None:
        """Visit `root` and everything in it in document order, with a stack of its own: a page nested
        thousands of elements deep must not exhaust Python's recursion limit."""
        pending: list[tuple[_Node | str | None, bool]] = [(root, False)]   # None: the end of a block element
        while pending:
            item, pre = pending.pop()
            if item is None:
                self.paragraph_break()
                continue
            if isinstance(item, str):
                self.text(item, pre)
                continue
            if _skipped(item):
                continue
            if item.tag in _BLOCK:
                self.paragraph_break()
                pending.append((None, False))
            if item.tag == "br":
                self.line_break()
            elif item.tag in ("td", "th"):
                self.text(" ", False)
            inside_pre = pre or item.tag == "pre"
            pending.extend((child, inside_pre) for child in reversed(item.children))


def _render(node: _Node) -> str:
    writer = _TextWriter()
    writer.walk(node)
    writer.paragraph_break()
    return "\n\n".join(writer.paragraphs) + ("\n" if writer.paragraphs else "")


def _find_all(node: _Node, wanted: str, stop_inside: bool) -> list[_Node]:
    """Elements with this tag in document order (not looking inside a found one if stop_inside), none of
    them inside what the text leaves out (an <article> in an <aside> is a comment, not the story)."""
    found: list[_Node] = []
    pending: list[_Node] = [node]
    while pending:
        current = pending.pop()
        if current is not node and (current.tag in _NOT_STORY or "hidden" in current.attrs
                                    or (current.attrs.get("role") or "").lower() in _SKIP_ROLES):
            continue
        is_match = current.tag == wanted or (wanted == "main" and current.attrs.get("role") == "main")
        if is_match and current is not node:
            found.append(current)
            if stop_inside:
                continue
        pending.extend(child for child in reversed(current.children) if isinstance(child, _Node))
    return found


def html_to_text(html: str) -> tuple[str, Scope]:
    """Text of the page's main content and which element it came from."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    root = builder.root
    articles = [(len(_render(a)), -i, a) for i, a in enumerate(_find_all(root, "article", True))]
    articles = [a for a in articles if a[0] > 0]
    if articles:
        return _render(max(articles, key=lambda a: (a[0], a[1]))[2]), "article"
    for scope in ("main", "body"):
        candidates = _find_all(root, scope, True)
        if candidates and _render(candidates[0]):
            return _render(candidates[0]), "main" if scope == "main" else "body"
    return _render(root), "document"


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<p", b"<div"))


def extract_text(data: bytes, *, content_type: str | None = None) -> Extraction:
    """Decode an original's bytes and extract its text (HTML parsed, plain text kept as is)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    is_html = mime in ("text/html", "application/xhtml+xml") or (not mime and _looks_like_html(data))
    if not is_html and mime and not mime.startswith("text/"):
        raise ValueError(f"cannot extract text from {mime}")
    text, charset = decode_html(data, http_charset=charset_from_content_type(content_type), sniff_meta=is_html)
    if not is_html:
        return Extraction(text, charset, "plain-text")
    body, scope = html_to_text(text)
    return Extraction(body, charset, scope)
