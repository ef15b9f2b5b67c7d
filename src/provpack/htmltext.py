"""HTML (or plain text) bytes -> the text that alignment offsets into an original point at.

Pure: no I/O. Uses the standard library's `html.parser` (tolerant, maintained with CPython,
no dependency) with a small tree builder that closes the elements HTML closes implicitly
(`<p>`, `<li>`, cells). Boilerplate (script, style, nav, header, footer, aside,
noscript, ...), short or link-dense ad and related-link blocks, ruby annotations and footnote
reference marks are dropped, the main content is preferred (the longest `<article>` when it holds at least
half the text of the page's `<main>` or body or is 500 characters or two paragraphs of prose,
then `<main>`), entities are decoded, block elements become
blank-line paragraph breaks, `<br>` a line break, and whitespace inside a paragraph
collapses to one space (`<pre>` keeps its own).
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import webencodings

from .combining import COMBINING_MARKS
from .htmlmarkup import MarkupReader

__all__ = [
    "Charset",
    "Extraction",
    "PageTooLarge",
    "charset_from_content_type",
    "decode_html",
    "extract_text",
    "html_to_text",
]

CharsetSource = Literal["bom", "http", "meta", "default", "fallback"]
Scope = Literal["article", "main", "body", "document", "plain-text"]

# Not text of the page. <form> is not among them: ASP.NET WebForms pages hold their whole body in one. A ruby's
# annotations (<rt>, <rtc>, and the <rp> parentheses shown where ruby is not) are not either: `漢<ruby>字<rt>じ
# </rt></ruby>` reads `漢字`, as a quote gives it.
_SKIP = frozenset(
    "script style nav header footer aside noscript template head title svg math "
    "iframe object embed canvas button select textarea dialog rt rp rtc".split()
)
# What an <article> or <main> inside is not the page's story in: asides, navigation, footers, hidden parts.
_NOT_STORY = frozenset("nav header footer aside template dialog".split())
_SKIP_ROLES = frozenset("navigation banner contentinfo complementary search dialog".split())
# The attributes the text depends on: an element keeps no others.
_ATTRIBUTES = frozenset("class id role hidden href".split())
# Ad slots: always left out (an AMP ad's fallback says "Advertisement").
_AD_TAGS = frozenset("amp-ad amp-embed amp-sticky-ad amp-auto-ads".split())
# Class or id words (whole tokens, or parts of one between - and _) naming ad, promotion, related-link and
# newsletter blocks, as readability-style extractors leave out; never substrings ("head", "shadow", "loaded").
_BOILERPLATE_WORDS = frozenset(
    "ad ads advert adverts advertisement advertisements advertising adslot adunit adsbygoogle promo promos "
    "related newsletter newsletters sponsored outbrain taboola".split()
)
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")   # where a tag, end tag, comment or declaration starts
# A decimal character reference of 32 digits or more (int() reads 4,300 at most: html.unescape raised ValueError).
_LONG_DECIMAL_REF = re.compile(r"&#[0-9]{32,}")
_MAX_CODE_POINT_DIGITS = 7   # (0x10FFFF is 1114111)
_NAME_PARTS_RE = re.compile(r"[\s_-]+")
# What a marked block may still hold, and is then kept: a page wrapper classed "has-ads" holds the story.
_STORY_TAGS = frozenset("html body main article".split())
_FOOTNOTE_MARK_RE = re.compile(r"\[\s*[^\W_]{1,4}\s*\]|\(\s*\d{1,3}\s*\)|[*\u2020\u2021\u00a7\u00b6]{1,3}")
# (Its group's repeat, and _LONG_WORD_END_RE's, read a few characters: a <sup>'s text of _FOOTNOTE_LINK_CHARS at most,
# the _FOOTNOTE_BEFORE_CHARS before it; a group repeated over a long text keeps a frame of re's stack for each pass.)
_FOOTNOTE_NUMBER_RE = re.compile(r"\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*")
# Bare digits in a <sup> are a footnote mark after a word of three or more letters or closing punctuation,
# unless that is the ")" of an expression ("(a+b)", no spaces, an operator inside). Letters are counted with
# the combining marks after them, which are not letters: a Hindi word of three ends in a vowel sign (`बारिश`),
# an Arabic one in a vowel point; `किमी` (km) is two letters, each with its vowel sign, and its `2` an exponent.
_LONG_WORD_END_RE = re.compile(rf"(?<![^\W_{COMBINING_MARKS}])(?:[^\W\d_][{COMBINING_MARKS}]*){{3,}}$")
# Two Han, kana or Hangul characters are a word too (`中国`, `東京`, `한국`): each is a syllable or a morpheme.
_DENSE_WORD_END_RE = re.compile(
    r"(?<![^\W_])[\u3005\u3006\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff66-\uff9d\U00020000-\U0003134f]{2}$")
# Closing punctuation, of every script: the closing brackets (but square and curly ones and those of
# mathematics, which an exponent may follow: `[0,1]<sup>2</sup>`) and final quotes, and the sentence and clause
# punctuation, told by its Unicode name: the full stops, commas, colons, question and exclamation marks,
# ellipses and straight quotes of every script, the dandas (`।`), the Myanmar, Khmer and Tibetan section
# marks, the Greek ano teleia and the Hebrew sof pasuq. Read from Unicode 3.2's database, which every Python
# version keeps as it is, so that the text is the same on each.
_CLOSING_NAME_RE = re.compile(
    r"(?<!INVERTED )(?:\bFULL STOP|\b(?:SEMI)?COLON|\bCOMMA|\bQUESTION MARK|\bEXCLAMATION MARK|\bELLIPSIS|"
    r"\bINTERROBANG|\bQUOTATION MARK|\bAPOSTROPHE|\bDANDA|MYANMAR SIGN (?:LITTLE )?SECTION|KHMER SIGN KHAN|"
    r"KHMER SIGN BARIYOOSAN|\bSHAD|GREEK ANO TELEIA|SOF PASUQ)$")
_NOT_CLOSING_BRACKET_RE = re.compile(r"SQUARE BRACKET|CURLY BRACKET|SUPERSCRIPT|SUBSCRIPT")
# The brackets of the blocks Miscellaneous Technical and Miscellaneous Mathematical Symbols-A and -B: `⟨x⟩`.
_MATHEMATICAL_BLOCKS = (("\u2300", "\u23ff"), ("\u27c0", "\u27ef"), ("\u2980", "\u29ff"))


_EXPRESSION_END_RE = re.compile(r"[(\uff08][^\s()\uff08\uff09]*[+\-\u2212\u00d7*/=^\uff0b\uff0d\uff1d][^\s()\uff08\uff09]*[)\uff09]$")
_FOOTNOTE_BEFORE_CHARS = 24
_FOOTNOTE_LINK_CHARS = 20
_HEADER_DEPTH = 3
_PROSE_CHARS = 80
_PROSE_PARAGRAPHS = 3
_MARKED_BLOCK_CHARS = 200
_STORY_ARTICLE_CHARS = 500
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6 hgroup".split())
_BLOCK = frozenset(
    "address article blockquote body caption dd details div dl dt fieldset figcaption figure "
    "h1 h2 h3 h4 h5 h6 hgroup hr li main ol p pre section summary table tbody tfoot thead tr "
    "ul center".split()
)
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()
)
_CLOSES_P = _BLOCK | {"form", "header", "footer", "nav", "aside", "menu"}
# A start tag of the key closes the innermost open _SIBLINGS element unless a _LIST_SCOPE one is open inside it.
# (A ruby's <rt> or <rp> ends the <rb>, <rt> or <rp> before it: `<ruby>漢<rp>(<rt>かん<rp>)</ruby>`.)
_LIST_SCOPE = {tag: frozenset(scope.split()) for tag, scope in (
    ("li", "ul ol menu"), ("dt", "dl"), ("dd", "dl"), ("tr", "table tbody thead tfoot"),
    ("td", "tr table"), ("th", "tr table"), ("rb", "ruby"), ("rt", "ruby"), ("rp", "ruby"), ("rtc", "ruby"))}
_SIBLINGS = {tag: frozenset(siblings.split()) for tag, siblings in (
    ("li", "li"), ("dt", "dt dd"), ("dd", "dt dd"), ("tr", "tr td th"), ("td", "td th"), ("th", "td th"),
    ("rb", "rb rt rp rtc"), ("rt", "rb rt rp"), ("rp", "rb rt rp"), ("rtc", "rb rt rp rtc"))}
# A start tag in _CLOSES_P closes the innermost open <p> unless one of these is open inside it.
_P = frozenset({"p"})
_P_STOPS = (_BLOCK - _P) | {"button", "td", "th"}
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_TAG_NAMES = {tag: tag for tag in _SKIP | _BLOCK | _VOID | _CLOSES_P | _P_STOPS | _HEADINGS | _AD_TAGS | _SIBLINGS.keys()
              | frozenset("a abbr b bdi bdo cite code data dfn em font i kbd label mark q ruby s samp small span "
                          "strong sub sup time u var html".split())}
# Each encoding of the WHATWG Encoding Standard (by its name, as webencodings gives it) -> the Python codec that
# decodes it as the standard does. Labels resolve to these names by the standard's table (webencodings.lookup),
# never by Python's own aliases: no codec outside this list decodes a page. GBK is read by gb18030's decoder, and
# the standard's Shift_JIS, EUC-KR and Big5 are Microsoft's and Hong Kong's supersets, as browsers read them.
_PYTHON_CODECS = {
    "utf-8": "utf-8", "ibm866": "cp866", "iso-8859-2": "iso8859-2", "iso-8859-3": "iso8859-3",
    "iso-8859-4": "iso8859-4", "iso-8859-5": "iso8859-5", "iso-8859-6": "iso8859-6", "iso-8859-7": "iso8859-7",
    "iso-8859-8": "iso8859-8", "iso-8859-8-i": "iso8859-8", "iso-8859-10": "iso8859-10",
    "iso-8859-13": "iso8859-13", "iso-8859-14": "iso8859-14", "iso-8859-15": "iso8859-15",
    "iso-8859-16": "iso8859-16", "koi8-r": "koi8-r", "koi8-u": "koi8-u", "macintosh": "mac-roman",
    "windows-874": "cp874", "windows-1250": "cp1250", "windows-1251": "cp1251", "windows-1252": "cp1252",
    "windows-1253": "cp1253", "windows-1254": "cp1254", "windows-1255": "cp1255", "windows-1256": "cp1256",
    "windows-1257": "cp1257", "windows-1258": "cp1258", "x-mac-cyrillic": "mac-cyrillic", "gbk": "gb18030",
    "gb18030": "gb18030", "big5": "big5hkscs", "euc-jp": "euc_jp", "iso-2022-jp": "iso2022_jp",
    "shift_jis": "cp932", "euc-kr": "cp949", "utf-16be": "utf-16-be", "utf-16le": "utf-16-le",
    "x-user-defined": "x-user-defined",   # decoded here: bytes 0x80-0xFF are U+F780-U+F7FF
}
# Labels of the "replacement" encoding (ISO-2022-KR, HZ, ...): browsers decode such a page as one U+FFFD.
_REPLACEMENT = "replacement"
_META_ENCODINGS = {"utf-16be": "utf-8", "utf-16le": "utf-8", "x-user-defined": "windows-1252"}
_X_USER_DEFINED = {byte: 0xF780 + byte - 0x80 for byte in range(0x80, 0x100)}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16le"), (codecs.BOM_UTF16_BE, "utf-16be"))
_PRESCAN_BYTES = 4096
# The most elements, and pieces of text (split by tags, comments, a stray `<`), a page's tree holds: each element
# takes some 200 bytes while the text is extracted, each piece some 50 to 90 (`<b>` is 3 bytes of the page), so that
# 64 MiB of `<b>` would take gigabytes; at these limits some 200 MiB. The largest pages measured hold a fifth of it
# and less (Node.js's API in one page, 8.4 MB: 182,081 elements and 266,977 pieces; Rust's NEON intrinsics source,
# 8.5 MB: 153,911 and 296,422).
_MAX_ELEMENTS = 1_000_000
_MAX_PIECES = 2_000_000


class PageTooLarge(ValueError):
    """A page of more elements or pieces of text than its text is extracted from (the limit, in its message)."""


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


# What an element with no kept attribute, or no children, holds: one dict and one list for all such elements (never
# changed: the tree builder appends only to the children of an open element, which gets a list of its own).
_NO_ATTRIBUTES: dict[str, str | None] = {}
_NO_CHILDREN: list[_Node | str] = []


class _Node:
    """An element of the parsed page, in as few bytes as Python holds one in (slots; a void or empty element shares
    _NO_CHILDREN, one without kept attributes _NO_ATTRIBUTES): a page is refused past _MAX_ELEMENTS of them."""

    __slots__ = ("tag", "attrs", "children", "holds_story")

    def __init__(self, tag: str, attrs: dict[str, str | None], children: list[_Node | str] = _NO_CHILDREN) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children = children
        self.holds_story = False


class _TreeBuilder(MarkupReader):
    """Builds a forgiving element tree, closing what HTML closes implicitly.

    Where each tag is open on the stack is indexed, so finding the innermost open element of a tag (or the
    innermost one that stops a search) takes constant time: a page nested thousands deep parses in linear time.
    An element keeps only the attributes the text depends on (a tag of millions of others is held in flat memory).
    """

    kept_attributes = _ATTRIBUTES

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", _NO_ATTRIBUTES, [])
        self.stack: list[_Node] = [self.root]
        self._depths: dict[str, list[int]] = {}  # tag -> stack positions of its open elements, innermost last
        self._p_stops: list[int] = []  # stack positions of open elements a <p> is not closed across
        self.elements = self.pieces = 0   # elements and pieces of text in the tree

    def _push(self, node: _Node) -> None:
        depth = len(self.stack)
        self.stack.append(node)
        self._depths.setdefault(node.tag, []).append(depth)
        if node.tag in _P_STOPS:
            self._p_stops.append(depth)

    def _close_to(self, depth: int) -> None:
        """Close the open element at this stack position and everything opened inside it."""
        while len(self.stack) > depth:
            node = self.stack.pop()
            if not node.children:
                node.children = _NO_CHILDREN   # (its list freed)
            self._depths[node.tag].pop()
            if node.tag in _P_STOPS:
                self._p_stops.pop()

    def _innermost(self, tags: frozenset[str]) -> int:
        """The stack position of the innermost open element with one of these tags, or 0 for none."""
        return max((positions[-1] for tag in tags if (positions := self._depths.get(tag))), default=0)

    def _implied_ends(self, tag: str) -> None:
        if tag in _CLOSES_P:
            paragraph = self._innermost(_P)
            if paragraph > (self._p_stops[-1] if self._p_stops else 0):
                self._close_to(paragraph)
        siblings = _SIBLINGS.get(tag)
        if siblings:
            sibling = self._innermost(siblings)
            if sibling > self._innermost(_LIST_SCOPE[tag]):
                self._close_to(sibling)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _TAG_NAMES.get(tag, tag)   # (one string for all elements of a known tag)
        self._implied_ends(tag)
        if tag in _VOID:
            self._add(_Node(tag, _kept(attrs)))
        else:
            node = _Node(tag, _kept(attrs), [])
            self._add(node)
            self._push(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _TAG_NAMES.get(tag, tag)
        self._implied_ends(tag)
        self._add(_Node(tag, _kept(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if positions := self._depths.get(tag):
            self._close_to(positions[-1])
        elif tag in ("br", "p"):
            self.handle_startendtag(tag, [])

    def handle_data(self, data: str) -> None:
        self.pieces += 1
        if self.pieces > _MAX_PIECES:
            raise PageTooLarge(f"its HTML splits its text in more than {_MAX_PIECES:,} pieces (by tags, comments or "
                               f"stray `<`), more than a real page does")
        self.stack[-1].children.append(data)

    def _add(self, node: _Node) -> None:
        self.elements += 1
        if self.elements > _MAX_ELEMENTS:
            raise PageTooLarge(f"its HTML holds more than {_MAX_ELEMENTS:,} elements, more than a real page does")
        self.stack[-1].children.append(node)


def _kept(attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
    """The attributes the text depends on, as `dict(attrs)` holds them (the last value of a name)."""
    kept = {name: value for name, value in attrs if name in _ATTRIBUTES} if attrs else None
    return kept or _NO_ATTRIBUTES


class _MetaCharset(MarkupReader):
    """Finds the <meta charset> and http-equiv Content-Type charsets, in order."""

    kept_attributes = frozenset({"charset", "http-equiv", "content"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charsets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {name: value or "" for name, value in attrs}
        if values.get("charset"):
            self.charsets.append(values["charset"])
        elif values.get("http-equiv", "").lower() == "content-type":
            if (charset := charset_from_content_type(values.get("content", ""))) is not None:
                self.charsets.append(charset)

    handle_startendtag = handle_starttag


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of a Content-Type value, if any."""
    for param in (value or "").split(";")[1:]:
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            return param_value.strip().strip("\"'") or None
    return None


def _encoding(label: str) -> str | None:
    """The WHATWG encoding a charset label names, by the Encoding Standard's table (ASCII white space around it
    and ASCII case ignored), or None for a label the standard does not know: browsers ignore it."""
    try:
        found = webencodings.lookup(label)
    except UnicodeError:   # (a lone surrogate: no label)
        return None
    name = None if found is None else str(found.name)
    return name if name in _PYTHON_CODECS or name == _REPLACEMENT else None


@functools.cache
def _windows_table(name: str) -> str:
    """The decoding table of a windows-* encoding as the standard defines it: the bytes 0x80-0x9F Python's codec
    leaves undefined are the C1 controls of the same number; others it leaves undefined stay errors."""
    codec = _PYTHON_CODECS[name]
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            chars.append(chr(byte) if 0x80 <= byte < 0xA0 else "\ufffe")   # (U+FFFE: undefined, for charmap)
    return "".join(chars)


def _decode(data: bytes, name: str) -> str:
    """Bytes in a WHATWG encoding (not the replacement one) as text; UnicodeDecodeError at the first bad byte."""
    if name == "x-user-defined":
        return data.decode("latin-1").translate(_X_USER_DEFINED)
    if name.startswith("windows-"):
        return codecs.charmap_decode(data, "strict", _windows_table(name))[0]
    return data.decode(_PYTHON_CODECS[name])


def _meta_charsets(data: bytes) -> list[str]:
    """The charsets declared by <meta> tags near the start of the page, in order."""
    scanner = _MetaCharset()
    scanner.feed(_bounded_references(data[:_PRESCAN_BYTES].decode("latin-1")))
    return scanner.charsets


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes, *, http_charset: str | None = None, sniff_meta: bool = True) -> tuple[str, Charset]:
    """Decode page bytes: BOM, then the HTTP charset, then <meta charset>, then UTF-8, then windows-1252
    (UTF-8 with a few bad bytes stays UTF-8, as _mostly_utf8 tells).

    Labels name encodings by the WHATWG Encoding Standard's table; one it does not know is noted and ignored (the
    next <meta> is looked at, as HTML's prescan does). ValueError for the replacement encoding: no text.
    """
    metas = _meta_charsets(data) if sniff_meta else []
    meta = next((label for label in metas if _encoding(label) is not None), metas[0] if metas else None)
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(_PYTHON_CODECS[bom_encoding], errors="replace")
            return text, Charset(bom_encoding, "bom", http_charset, meta, None)
    notes: list[str] = []
    # The <meta> labels up to the first one the standard knows: HTML's prescan stops there.
    metas = metas[: next((i + 1 for i, label in enumerate(metas) if _encoding(label) is not None), len(metas))]
    declared: list[tuple[CharsetSource, str | None]] = [("http", http_charset), *(("meta", m) for m in metas)]
    for source, label in declared:
        if label is None:
            continue
        name = _encoding(label)
        where = "the HTTP Content-Type" if source == "http" else "a <meta> tag"
        if name is None:
            notes.append(f"unknown charset {label!r} declared in {where}")
            continue
        if source == "meta":   # HTML's prescan: found in ASCII bytes, UTF-16 means UTF-8; x-user-defined windows-1252
            name = _META_ENCODINGS.get(name, name)
        if name == _REPLACEMENT:
            raise ValueError(f"its charset {label!r} (declared in {where}) is one browsers show no text for "
                             "(the Encoding Standard's replacement encoding)")
        if name == "windows-1252" and not data.isascii() and _is_utf8(data):
            notes.append(f"{label!r} declared in {where}, but the bytes are valid UTF-8; decoded as UTF-8")
            return data.decode("utf-8"), Charset("utf-8", source, http_charset, meta, "; ".join(notes))
        try:
            text = _decode(data, name)
        except UnicodeDecodeError as exc:
            notes.append(f"{label!r} declared in {where}, but byte {exc.start} is not valid {name}")
            if name == "utf-8" and (mostly := _mostly_utf8(data)) is not None:
                notes.append(mostly[1])
                return mostly[0], Charset("utf-8", source, http_charset, meta, "; ".join(notes))
            continue
        return text, Charset(name, source, http_charset, meta, "; ".join(notes) or None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if (mostly := _mostly_utf8(data)) is not None:
            notes.append(f"not valid UTF-8 at byte {exc.start}; {mostly[1]}")
            return mostly[0], Charset("utf-8", "default", http_charset, meta, "; ".join(notes))
        notes.append(f"not valid UTF-8 (byte {exc.start}); decoded as windows-1252")
        return _decode(data, "windows-1252"), Charset("windows-1252", "fallback", http_charset, meta, "; ".join(notes))
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
    if node.tag in _SKIP or node.tag in _AD_TAGS or "hidden" in node.attrs:
        return True
    return (node.attrs.get("role") or "").lower() in _SKIP_ROLES


def _marked_boilerplate(node: _Node) -> bool:
    """True when the element's class or id names an ad, promotion, related-links or newsletter block."""
    names = f"{node.attrs.get('class') or ''} {node.attrs.get('id') or ''}"
    if not names.strip() or node.tag in _STORY_TAGS:
        return False
    return not _BOILERPLATE_WORDS.isdisjoint(_NAME_PARTS_RE.split(names.lower()))


def _elements(root: _Node) -> list[_Node]:
    """Every element under `root` (itself included), each before the elements inside it."""
    order: list[_Node] = []
    pending: list[_Node] = [root]
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(child for child in node.children if isinstance(child, _Node))
    return order


class _Page:
    """The parsed page: what its text leaves out beyond the tags themselves."""

    def __init__(self, root: _Node) -> None:
        self.root = root
        self._marked_story = False
        self._text_holders: set[_Node] | None = None
        self._droppable: set[int] = set()
        self.keep_marked = False   # set while a scope is read again with every class/id-marked block kept

    def has_text(self, node: _Node) -> bool:
        """True when the element holds any non-blank text (worked out for the whole page at the first call, so
        that asking for each of thousands of nested elements does not walk the elements below it each time)."""
        if self._text_holders is None:
            holders: set[_Node] = set()
            for current in reversed(_elements(self.root)):
                if any(child in holders if isinstance(child, _Node) else child.strip() for child in current.children):
                    holders.add(current)
            self._text_holders = holders
        return node in self._text_holders

    @property
    def has_marked(self) -> bool:
        """True once a block marked by class or id has been met (and the page measured)."""
        return self._marked_story

    def _mark_story_holders(self) -> None:
        """Flag every element that holds the story, which no class or id makes boilerplate: one holding an
        <h1>, a <main> or role=main, or several paragraphs of prose (a story body classed "has-inline-ads");
        and note which marked blocks are short or mostly links, the only ones their class or id drops."""
        self._marked_story = True
        order = _elements(self.root)
        chars: dict[int, int] = {}
        links: dict[int, int] = {}
        prose: dict[int, int] = {}
        for node in reversed(order):
            inner = [child for child in node.children if isinstance(child, _Node)]
            size = sum(chars.pop(id(child)) for child in inner)
            linked = sum(links.pop(id(child)) for child in inner)
            paragraphs = sum(prose.pop(id(child)) for child in inner)
            if _skipped(node):
                size = linked = 0
            else:
                size += sum(len(_HTML_SPACE_RE.sub(" ", child).strip()) for child in node.children
                            if isinstance(child, str))
            if node.tag == "a":
                linked = size
            if node.tag == "p" and size >= _PROSE_CHARS:
                paragraphs += 1
            chars[id(node)], links[id(node)], prose[id(node)] = size, linked, paragraphs
            node.holds_story = (
                node.tag in ("h1", "main") or (node.attrs.get("role") or "").lower() == "main"
                or paragraphs >= _PROSE_PARAGRAPHS or any(child.holds_story for child in inner)
            )
            short = size < _PROSE_CHARS if node.tag == "p" else size <= _MARKED_BLOCK_CHARS
            if (short or 2 * linked >= size) and _marked_boilerplate(node):
                self._droppable.add(id(node))

    def boilerplate(self, node: _Node) -> bool:
        """True for an ad, promotion, related-links or newsletter block by its class or id: one that is short
        (a paragraph under 80 characters, another block at most 200) or at least half links, not the story's
        wrapper."""
        if self.keep_marked or not _marked_boilerplate(node):
            return False
        if not self._marked_story:
            self._mark_story_holders()
        return not node.holds_story and id(node) in self._droppable

    def left_out(self, node: _Node, *, keep_header: bool = False) -> bool:
        """True when an element and everything in it is not text of the page's story."""
        if keep_header and node.tag == "header":
            return ("hidden" in node.attrs or (node.attrs.get("role") or "").lower() in _SKIP_ROLES
                    or self.boilerplate(node))
        return _skipped(node) or self.boilerplate(node)


def _holds_paragraph(node: _Node, page: _Page) -> bool:
    """True when a <p> with text lies within a few levels of the element (a standfirst in a <header>)."""
    level: list[_Node] = [node]
    for _ in range(_HEADER_DEPTH):
        level = [c for n in level for c in n.children if isinstance(c, _Node)]
        if any(n.tag == "p" and page.has_text(n) for n in level):
            return True
    return False


def _inner_text(node: _Node, limit: int) -> str | None:
    """The element's text, or None when it is longer than `limit` characters or elements, or holds a block."""
    parts: list[str] = []
    size = elements = 0
    pending: list[_Node | str] = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            size += len(item)
            if size > limit:
                return None
            continue
        elements += 1
        if elements > limit or (item is not node and item.tag in _BLOCK):
            return None
        pending.extend(reversed(item.children))
    return "".join(parts).strip()


def _links_to_fragment(node: _Node) -> bool:
    """True when the element holds a link to a #fragment of the page (a footnote link)."""
    pending: list[_Node] = [node]
    while pending:
        item = pending.pop()
        if item.tag == "a" and (item.attrs.get("href") or "").startswith("#"):
            return True
        pending.extend(child for child in item.children if isinstance(child, _Node))
    return False


@functools.cache
def _closing_punctuation(char: str) -> bool:
    """True for closing punctuation (see _CLOSING_NAME_RE), by Unicode 3.2's categories and names."""
    category = unicodedata.ucd_3_2_0.category(char)
    if category == "Pf":
        return True
    name = unicodedata.ucd_3_2_0.name(char, "")
    if category == "Pe":
        mathematical = any(low <= char <= high for low, high in _MATHEMATICAL_BLOCKS)
        return not (mathematical or _NOT_CLOSING_BRACKET_RE.search(name))
    return category == "Po" and _CLOSING_NAME_RE.search(name) is not None


def _footnote_reference(node: _Node, before: str) -> bool:
    """True when a <sup> is a footnote reference mark, not prose, an exponent or an isotope's mass number.

    A reference holds only a short mark: a bracketed mark (`[2]`, `[a]`), `(3)`, `*`, `\u2020`,
    `\u2021`, `\u00a7`, `\u00b6`, or a short link to a #fragment; or bare digits straight after (no
    space) a word of three or more letters, or of two Han, kana or Hangul characters, or closing punctuation of
    any script (`Smith<sup>1</sup>`, `中国<sup>1</sup>`, `1971.<sup>2</sup>`, `गया।<sup>1</sup>`).
    Bare digits after a number, a short word, `(`, a space or a bracketed expression (`10<sup>6</sup>`,
    `m<sup>2</sup>`, `(<sup>14</sup>C)`, `(a+b)<sup>2</sup>`) are text.
    """
    text = _inner_text(node, _FOOTNOTE_LINK_CHARS)
    if not text:
        return False
    if _FOOTNOTE_MARK_RE.fullmatch(text) or _links_to_fragment(node):
        return True
    if not _FOOTNOTE_NUMBER_RE.fullmatch(text):
        return False
    tail = before[-_FOOTNOTE_BEFORE_CHARS:]
    if _LONG_WORD_END_RE.search(tail) or _DENSE_WORD_END_RE.search(tail):
        return True
    if not tail or not _closing_punctuation(tail[-1]):
        return False
    return not (tail[-1] in ")\uff09" and _EXPRESSION_END_RE.search(tail))


class _TextWriter:
    """Collects paragraphs from a walk over the tree."""

    def __init__(self, page: _Page | None = None) -> None:
        self.paragraphs: list[str] = []
        self.parts: list[str] = []   # the paragraph's texts, line breaks and <pre> texts so far
        self.kinds: list[str] = []   # which each part is: "text", "br" or "pre"
        self.page = page

    def preceding_text(self) -> str:
        """The text just before this point in the paragraph being written ("" after a line break)."""
        for kind, data in zip(reversed(self.kinds), reversed(self.parts)):
            if kind == "br":
                return ""
            if data:
                return data
        return ""

    def leaves_out(self, node: _Node, in_story: bool) -> bool:
        """True when the walk skips this element: boilerplate, an ad or related block, a footnote mark.

        A <header> inside an <article> or <main> that holds a paragraph (a standfirst) is the story's own.
        """
        if self.page is None:
            self.page = _Page(node)
        keep_header = node.tag == "header" and in_story and _holds_paragraph(node, self.page)
        if self.page.left_out(node, keep_header=keep_header):
            return True
        return node.tag == "sup" and _footnote_reference(node, self.preceding_text())

    def text(self, data: str, pre: bool) -> None:
        self.parts.append(data)
        self.kinds.append("pre" if pre else "text")

    def line_break(self) -> None:
        self.parts.append("\n")
        self.kinds.append("br")

    def paragraph_break(self) -> None:
        if not self.parts:
            return
        pieces: list[str] = []
        run: list[str] = []   # consecutive text parts collapse together: "a <span> </span> b" is "a b"
        for kind, data in zip(self.kinds, self.parts):
            if kind == "text":
                run.append(data)
                continue
            if run:
                pieces.append(_HTML_SPACE_RE.sub(" ", "".join(run)))
                run = []
            pieces.append(data)
        if run:
            pieces.append(_HTML_SPACE_RE.sub(" ", "".join(run)))
        joined = "".join(pieces)
        if "pre" not in self.kinds:
            joined = "\n".join(line.strip(" \t\r\f") for line in joined.split("\n"))
        paragraph = joined.strip("\n")
        if paragraph:
            self.paragraphs.append(paragraph)
        self.parts = []
        self.kinds = []

    def walk(self, root: _Node) -> None:
        """Visit `root` and everything in it in document order, with a stack of its own: a page nested
        thousands of elements deep must not exhaust Python's recursion limit. The stack holds the elements and
        texts themselves (a pointer each), with a mark where a block element ends and one where the
        whether-inside-<pre> and inside-<article>-or-<main> flags its elements change come back."""
        pending: list[_Node | str | tuple[bool, bool] | None] = [root]
        pre = in_story = False
        while pending:
            item = pending.pop()
            if item is None:   # (the end of a block element)
                self.paragraph_break()
                continue
            if isinstance(item, str):
                self.text(item, pre)
                continue
            if isinstance(item, tuple):   # (the flags outside an element that changed them)
                pre, in_story = item
                continue
            if self.leaves_out(item, in_story):
                continue
            if item.tag in _BLOCK:
                self.paragraph_break()
                pending.append(None)
            if item.tag == "br":
                self.line_break()
            elif item.tag in ("td", "th"):
                self.text(" ", False)
            inside_pre = pre or item.tag == "pre"
            inside_story = in_story or _is_story(item)
            if item.children and (inside_pre is not pre or inside_story is not in_story):
                pending.append((pre, in_story))
                pre, in_story = inside_pre, inside_story
            pending.extend(reversed(item.children))


def _is_story(node: _Node) -> bool:
    """True for an <article>, a <main> or an element with role=main."""
    return node.tag in ("article", "main") or (node.attrs.get("role") or "").lower() == "main"


def _render(node: _Node, page: _Page) -> str:
    writer = _TextWriter(page)
    writer.walk(node)
    writer.paragraph_break()
    return "\n\n".join(writer.paragraphs) + ("\n" if writer.paragraphs else "")


def _has_body_text(node: _Node, page: _Page) -> bool:
    """True when the element holds text outside headings and outside what the page leaves out."""
    pending: list[_Node | str] = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if item.strip():
                return True
        elif item is node or not (item.tag in _HEADINGS or page.left_out(item)):
            pending.extend(item.children)
    return False


def _scope_text(node: _Node, page: _Page) -> str:
    """Text of a scope (an article, main, body); when leaving out the blocks its class/id words mark would
    leave it nothing but headings (a poem classed "with-ads"), those blocks are kept."""
    if page.has_marked and not _has_body_text(node, page):
        page.keep_marked = True
        try:
            if _has_body_text(node, page):
                return _render(node, page)
        finally:
            page.keep_marked = False
    return _render(node, page)


def _find_all(node: _Node, wanted: str, stop_inside: bool, page: _Page) -> list[_Node]:
    """Elements with this tag in document order (not looking inside a found one if stop_inside), none of
    them inside what the text leaves out (an <article> in an <aside> is a comment, not the story)."""
    found: list[_Node] = []
    pending: list[_Node] = [node]
    while pending:
        current = pending.pop()
        if current is not node and (current.tag in _NOT_STORY or current.tag in _AD_TAGS
                                    or "hidden" in current.attrs
                                    or (current.attrs.get("role") or "").lower() in _SKIP_ROLES
                                    or page.boilerplate(current)):
            continue
        is_match = current.tag == wanted or (wanted == "main" and current.attrs.get("role") == "main")
        if is_match and current is not node:
            found.append(current)
            if stop_inside:
                continue
        pending.extend(child for child in reversed(current.children) if isinstance(child, _Node))
    return found


def _main_text(page: _Page) -> tuple[str, Scope]:
    """Text of the page's first <main> (or role=main), else of its body, else of the whole document."""
    for scope in ("main", "body"):
        candidates = _find_all(page.root, scope, True, page)
        if candidates and (text := _scope_text(candidates[0], page)):
            return text, "main" if scope == "main" else "body"
    return _scope_text(page.root, page), "document"


def _complete_part(html: str) -> str:
    """The page up to a tag, comment or declaration it leaves unclosed at its end, which is dropped, as
    browsers drop a tag the file ends inside (HTML's "EOF in tag" rule; Python 3.13's html.parser too).

    Handing html.parser such a tail costs time quadratic in its length in the Pythons before that
    fix (each '<' of `'<a x="' * 10_000`, 60 KB, rescans to the end: 15 s); cut off, it costs nothing.
    """
    unclosed = _TAG_OPEN.search(html, html.rfind(">") + 1)
    return html if unclosed is None else html[: unclosed.start()]


def _bounded_references(html: str) -> str:
    """The page with each decimal character reference of 32 digits or more written with its number's digits (no
    leading zeros), or as 1114112 where that number is past Unicode's last code point: html.unescape reads each as
    it read the long one (the character, or U+FFFD past U+10FFFF), where it raised ValueError (Python reads numbers
    of 4,300 digits at most: `&#` and 5,000 digits made a page "have no text")."""
    return _LONG_DECIMAL_REF.sub(_bounded_reference, html)


def _bounded_reference(found: re.Match[str]) -> str:
    digits = found.group()[2:].lstrip("0") or "0"
    return "&#" + (digits if len(digits) <= _MAX_CODE_POINT_DIGITS else "1114112")


def html_to_text(html: str) -> tuple[str, Scope]:
    """Text of the page's main content and which element it came from.

    The longest <article> is taken when its text is at least half as long as that of the page's
    <main> (else its body), or is a story in itself (500 characters, or two paragraphs of prose):
    only a short one (a teaser card in a "Most read" list) is not the story beside it.
    """
    builder = _TreeBuilder()
    builder.feed(_bounded_references(_complete_part(html)))
    builder.close()
    root = builder.root
    page = _Page(root)
    fallback = _main_text(page)
    articles = [(_scope_text(a, page), -i) for i, a in enumerate(_find_all(root, "article", True, page))]
    articles = [a for a in articles if a[0]]
    if articles:
        longest = max(articles, key=lambda a: (len(a[0]), a[1]))[0]
        if 2 * len(longest) >= len(fallback[0]) or _is_a_story(longest):
            return longest, "article"
    return fallback


def _is_a_story(text: str) -> bool:
    """True when an article's text is long enough to be a story, not a teaser: 500 characters, or two
    paragraphs of prose (80 characters or more each)."""
    if len(text) >= _STORY_ARTICLE_CHARS:
        return True
    return sum(len(paragraph) >= _PROSE_CHARS for paragraph in text.split("\n\n")) >= 2


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<p", b"<div"))


def extract_text(data: bytes, *, content_type: str | None = None) -> Extraction:
    """Decode an original's bytes and extract its text (HTML parsed, plain text kept as is).

    ValueError saying why when there is no text to align against: a type that is not text, an encoding
    browsers show none for, no bytes, or nothing but white space once extracted.
    """
    mime = (content_type or "").split(";")[0].strip().lower()
    is_html = mime in ("text/html", "application/xhtml+xml") or (not mime and _looks_like_html(data))
    if not is_html and mime and not mime.startswith("text/"):
        raise ValueError(f"cannot extract text from {mime}")
    if not data:
        raise ValueError("it is empty (0 bytes)")
    text, charset = decode_html(data, http_charset=charset_from_content_type(content_type), sniff_meta=is_html)
    if not is_html:
        if not text.strip():
            raise ValueError(f"it holds no text ({len(data):,} bytes{', only white space' if text else ''})")
        return Extraction(text, charset, "plain-text")
    body, scope = html_to_text(text)
    if not body.strip():
        raise ValueError(f"its HTML holds no text outside the parts left out ({_LEFT_OUT}; {len(data):,} bytes; "
                         "a page its scripts fill in has none until they run)")
    return Extraction(body, charset, scope)


_LEFT_OUT = "script, style, nav, header, footer, aside, noscript, ad and related-link blocks"
