"""Tests for provpack.htmltext: boilerplate, main content, paragraphs, charsets."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack import htmltags
from provpack import htmltext as htmltext_module
from provpack.htmltext import (
    charset_from_content_type,
    decode_html,
    extract_text,
    html_to_text,
)

ORIGINALS = Path(__file__).parent / "data" / "originals"


def test_declaration_page_keeps_the_article_and_drops_boilerplate() -> None:
    """Script, style, header, nav, aside, form, footer and noscript are gone; entities decoded."""
    result = extract_text((ORIGINALS / "declaration.html").read_bytes())
    assert result.scope == "article"
    for boilerplate in ("Home", "Founding Documents", "The Constitution", "window.analytics",
                        "font-family", "Related", "Search", "public domain", "Enable JavaScript"):
        assert boilerplate not in result.text
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0] == "In Congress, July 4, 1776"
    assert paragraphs[2].startswith("When in the Course of human events")
    assert "Nature's God" in paragraphs[2]
    assert "Happiness.\u2014That to secure" in paragraphs[3]
    assert result.text.endswith("to which they are accustomed.\n")
    assert result.charset.encoding == "utf-8" and result.charset.source == "meta"


def test_page_without_article_or_main_uses_the_body() -> None:
    """Without <article>/<main> the body is used; a soft hyphen from &shy; is kept as stored."""
    result = extract_text((ORIGINALS / "second-inaugural.html").read_bytes())
    assert result.scope == "body"
    assert "bond\u00adman\u2019s" not in result.text
    assert "bond\u00adman's two hundred" in result.text
    assert "\u201cthe judgments of the Lord are true and righteous altogether.\u201d" in result.text
    assert result.charset.declared_meta == "utf-8"


def test_implied_paragraph_ends_line_breaks_and_lists() -> None:
    """Unclosed <p> and <li> end at the next block; <br> is a line break, not a paragraph."""
    text, scope = html_to_text(
        "<body><p>One  two\n three<p>Four<br>five<ul><li>six<li>seven</ul>eight</body>"
    )
    assert scope == "body"
    assert text == "One two three\n\nFour\nfive\n\nsix\n\nseven\n\neight\n"


def test_pre_keeps_its_whitespace() -> None:
    """Text inside <pre> keeps its spaces and line breaks."""
    text, _ = html_to_text("<main><p>a   b</p><pre>x   y\n  z</pre></main>")
    assert text == "a b\n\nx   y\n  z\n"


def test_longest_article_wins_and_roles_are_respected() -> None:
    """Of several articles the longest is taken; role=navigation and hidden parts are dropped."""
    page = (
        "<body><article><p>Short teaser.</p></article>"
        "<article><p>The long story itself, with more words.</p>"
        "<div role='navigation'>Next story</div><p hidden>secret</p></article></body>"
    )
    assert html_to_text(page) == ("The long story itself, with more words.\n", "article")


@pytest.mark.parametrize("wrapper", ["aside", "nav", "footer", "div hidden", "div role='complementary'"])
def test_an_article_inside_what_is_left_out_is_not_the_story(wrapper: str) -> None:
    """A longer <article> (or <main>) in an <aside>, <nav>, <footer> or hidden part is not taken over the story."""
    tag = wrapper.split()[0]
    comment = "Reader comment: I have used this library for thirty years and this is a terrible decision."
    page = (f"<body><article><p>The library will close at four.</p></article>"
            f"<{wrapper}><article><p>{comment}</p></article></{tag}></body>")
    assert html_to_text(page) == ("The library will close at four.\n", "article")
    page = f"<body><p>The story.</p><{wrapper}><main><p>{comment}</p></main></{tag}></body>"
    assert html_to_text(page) == ("The story.\n", "body")


def test_a_page_held_in_a_form_keeps_its_text() -> None:
    """ASP.NET WebForms pages hold the whole body in one <form>: its article, its main, or else its body text
    is the page's text (the form's own controls are not)."""
    story = "<p>First para of the story.</p>"
    assert html_to_text(f"<body><form><main><article>{story}</article></main></form></body>") == (
        "First para of the story.\n", "article")
    assert html_to_text(f"<body><form id='aspnetForm'><div>{story}<button>Go</button>"
                        "<select><option>x</option></select></div></form></body>") == ("First para of the story.\n",
                                                                                     "body")


def test_role_main_counts_as_main() -> None:
    """A div with role=main is the main content when there is no <article>."""
    page = "<body><div>Site chrome</div><div role='main'><p>Body text.</p></div></body>"
    assert html_to_text(page) == ("Body text.\n", "main")


def test_table_cells_are_separated() -> None:
    """Cells of a row are separated by a space; rows are paragraphs."""
    text, _ = html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert text == "a b\n\nc\n"


def test_http_latin1_declared_but_bytes_are_utf8() -> None:
    """A wrong HTTP charset (latin-1) on UTF-8 bytes: decoded as UTF-8, and the note says so."""
    data = "<p>Nature\u2019s God \u2014 caf\u00e9</p>".encode("utf-8")
    text, charset = decode_html(data, http_charset="ISO-8859-1")
    assert text == data.decode("utf-8")
    assert charset.encoding == "utf-8" and charset.source == "http"
    assert charset.note == "'ISO-8859-1' declared in the HTTP Content-Type, but the bytes are valid UTF-8; decoded as UTF-8"


def test_http_latin1_with_latin1_bytes_is_windows_1252() -> None:
    """Real latin-1 bytes under a latin-1 label decode as windows-1252 (as browsers do)."""
    data = "<p>caf\u00e9 \u2019</p>".encode("cp1252")
    text, charset = decode_html(data, http_charset="latin1")
    assert text == "<p>caf\u00e9 \u2019</p>"
    assert (charset.encoding, charset.source, charset.note) == ("windows-1252", "http", None)


def test_http_charset_wins_over_meta() -> None:
    """The HTTP charset is used before the <meta> one."""
    data = '<meta charset="windows-1252"><p>\u00e9</p>'.encode("iso-8859-15")
    _, charset = decode_html(data, http_charset="iso-8859-15")
    assert (charset.encoding, charset.source, charset.declared_meta) == ("iso-8859-15", "http", "windows-1252")


def test_meta_http_equiv_is_found() -> None:
    """<meta http-equiv=Content-Type content='...; charset=...'> is honoured."""
    data = '<meta http-equiv="content-type" content="text/html; charset=koi8-r"><p>\u0416</p>'.encode("koi8-r")
    text, charset = decode_html(data)
    assert "\u0416" in text and charset.encoding == "koi8-r" and charset.source == "meta"


def test_declared_utf8_but_invalid_falls_back_with_a_note() -> None:
    """UTF-8 declared over latin-1 bytes: windows-1252 used, the note names the bad byte."""
    data = "<p>caf\u00e9</p>".encode("latin-1")
    text, charset = decode_html(data, http_charset="utf-8")
    assert text == "<p>caf\u00e9</p>"
    assert charset.encoding == "windows-1252" and charset.source == "fallback"
    assert charset.note == (
        "'utf-8' declared in the HTTP Content-Type, but byte 6 is not valid utf-8; "
        "not valid UTF-8 (byte 6); decoded as windows-1252"
    )


@pytest.mark.parametrize("http, meta", [("utf-8", None), (None, "utf-8"), (None, None)])
def test_utf8_with_a_stray_byte_stays_utf8(http: str | None, meta: str | None) -> None:
    """A UTF-8 page with one bad byte is decoded as UTF-8 with U+FFFD for that byte, as browsers do,
    not wholly as windows-1252 (which would turn every other accented letter into mojibake)."""
    head = f'<meta charset="{meta}">' if meta else ""
    data = (head + "<p>The caf\u00e9 owner said: \u201cWe\u2019re closing.\u201d</p>").encode("utf-8") + b"<p>\xa9 2019</p>"
    text, charset = decode_html(data, http_charset=http)
    assert "caf\u00e9 owner said: \u201cWe\u2019re closing.\u201d" in text and "<p>\ufffd 2019</p>" in text
    assert charset.encoding == "utf-8"
    assert charset.source == ("http" if http else "meta" if meta else "default")
    assert charset.note is not None and charset.note.endswith("1 bad byte sequence read as U+FFFD")
    assert "byte %d" % data.rindex(b"\xa9") in charset.note


def test_a_literal_replacement_character_is_not_counted_as_a_bad_byte() -> None:
    """U+FFFD written in the page is a good character: with one stray byte, one bad sequence is counted."""
    data = "<p>\ufffd caf\u00e9</p>".encode("utf-8") + b"\xff"
    text, charset = decode_html(data, http_charset="utf-8")
    assert text == "<p>\ufffd caf\u00e9</p>\ufffd"
    assert charset.note is not None and charset.note.endswith("; 1 bad byte sequence read as U+FFFD")


def test_unknown_label_and_no_declaration() -> None:
    """An unknown label is noted and UTF-8 is tried; no declaration means UTF-8 by default."""
    _, charset = decode_html(b"<p>plain</p>", http_charset="x-klingon")
    assert (charset.encoding, charset.source) == ("utf-8", "default")
    assert charset.note == "unknown charset 'x-klingon' declared in the HTTP Content-Type"
    _, charset = decode_html(b"<p>plain</p>")
    assert (charset.encoding, charset.source, charset.note) == ("utf-8", "default", None)


def test_bom_wins_and_is_not_part_of_the_text() -> None:
    """A UTF-8 BOM decides the encoding even against a declaration, and is dropped."""
    text, charset = decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", http_charset="latin-1")
    assert text == "<p>\u00e9</p>" and charset.source == "bom"


def test_undefined_windows_1252_bytes_do_not_fail() -> None:
    """Bytes windows-1252 leaves undefined (0x81...) decode to C1 controls, not an error."""
    text, charset = decode_html(b"<p>a\x81b\x93</p>", http_charset="windows-1252")
    assert text == "<p>a\x81b\u201c</p>" and charset.encoding == "windows-1252"


@pytest.mark.parametrize("label", ["base64", "hex", "zlib", "rot13", "quopri", "uu", "bz2", "undefined",
                                   "unicode_escape", "palmos", "mbcs", "idna", "punycode", "utf-7", "cp1006"])
@pytest.mark.parametrize("where", ["http", "meta"])
def test_labels_outside_the_encoding_standard_are_ignored(label: str, where: str) -> None:
    """Only the WHATWG Encoding Standard's labels name an encoding: Python's other codecs (bytes-to-bytes ones
    such as base64, `undefined`, unicode_escape) are unknown labels, noted and ignored, never used."""
    page = "<p>The quick brown fox \u2014 caf\u00e9.</p>"
    data = (f'<meta charset="{label}">' if where == "meta" else "").encode() + page.encode("utf-8")
    text, charset = decode_html(data, http_charset=label if where == "http" else None)
    assert text.endswith(page)
    declared = "the HTTP Content-Type" if where == "http" else "a <meta> tag"
    assert (charset.encoding, charset.source, charset.note) == (
        "utf-8", "default", f"unknown charset {label!r} declared in {declared}")
    assert extract_text(data, content_type=f"text/html; charset={label}").text == "The quick brown fox \u2014 caf\u00e9.\n"


def test_an_unknown_meta_label_is_skipped_for_the_next_meta() -> None:
    """HTML's prescan ignores a <meta> whose label is unknown and takes the next one."""
    data = '<meta charset="undefined"><meta charset="koi8-r"><p>\u0416</p>'.encode("koi8-r")
    text, charset = decode_html(data)
    assert text.endswith("<p>\u0416</p>")
    assert (charset.encoding, charset.source, charset.declared_meta, charset.note) == (
        "koi8-r", "meta", "koi8-r", "unknown charset 'undefined' declared in a <meta> tag")


@pytest.mark.parametrize("label, encoding, data, expected", [
    ("ISO-8859-1", "windows-1252", b"\x80", "\u20ac"),      # latin-1 and ascii labels mean windows-1252
    ("ascii", "windows-1252", b"\x93", "\u201c"),
    (" Latin1\t", "windows-1252", b"\x9f", "\u0178"),
    ("iso-8859-9", "windows-1254", b"\x80", "\u20ac"),       # ... and latin-5 means windows-1254
    ("tis-620", "windows-874", b"\x80", "\u20ac"),
    ("shift_jis", "shift_jis", b"\x87\x40", "\u2460"),      # Microsoft's Shift_JIS (cp932)
    ("euc-kr", "euc-kr", b"\x81\x41", "\uac02"),            # ... and EUC-KR (cp949)
    ("gb2312", "gbk", b"\x81\x30\x81\x30", "\x80"),         # GBK is read by gb18030's decoder
    ("big5", "big5", b"\x88\x40", "\u31c0"),                # Big5-HKSCS
    ("windows-1250", "windows-1250", b"\x81", "\x81"),       # undefined 0x80-0x9F: C1 controls
    ("x-user-defined", "x-user-defined", b"\x80\xff", "\uf780\uf7ff"),
    ("utf-16", "utf-16le", "\u0416".encode("utf-16-le"), "\u0416"),   # from HTTP: as declared
])
def test_labels_resolve_as_the_encoding_standard_says(label: str, encoding: str, data: bytes, expected: str) -> None:
    """A label names the standard's encoding, decoded as browsers decode it, and recorded by its name."""
    text, charset = decode_html(data, http_charset=label, sniff_meta=False)
    assert (text, charset.encoding, charset.source, charset.note) == (expected, encoding, "http", None)


@pytest.mark.parametrize("label, encoding", [("utf-16", "utf-8"), ("UTF-16BE", "utf-8"), ("x-user-defined", "windows-1252")])
def test_meta_utf16_means_utf8_and_x_user_defined_windows_1252(label: str, encoding: str) -> None:
    """HTML's prescan: a <meta> naming UTF-16 (found in ASCII bytes) means UTF-8; x-user-defined windows-1252."""
    text, charset = decode_html(f'<meta charset="{label}"><p>\u0416 \u20ac</p>'.encode("utf-8"
                                if encoding == "utf-8" else "cp1252", errors="replace"))
    assert (charset.encoding, charset.source, charset.declared_meta) == (encoding, "meta", label)
    assert text.endswith("<p>\u0416 \u20ac</p>" if encoding == "utf-8" else "<p>? \u20ac</p>")


@pytest.mark.parametrize("label", ["iso-2022-kr", "hz-gb-2312", "csiso2022kr", "replacement", "iso-2022-cn"])
def test_the_replacement_encoding_has_no_text(label: str) -> None:
    """Labels of the standard's replacement encoding: browsers show one U+FFFD, so there is no text."""
    with pytest.raises(ValueError) as info:
        extract_text(b"<p>text</p>", content_type=f"text/html; charset={label}")
    assert str(info.value) == (f"its charset {label!r} (declared in the HTTP Content-Type) is one browsers show no "
                               "text for (the Encoding Standard's replacement encoding)")
    if label != "replacement":   # (not a label of itself)
        with pytest.raises(ValueError):
            extract_text(f'<meta charset="{label}"><p>text</p>'.encode())


def test_every_encoding_of_the_standard_has_a_decoder() -> None:
    """Each encoding webencodings' label table can name is one this module decodes (or knows has no text)."""
    import webencodings

    from provpack import htmltext
    assert set(webencodings.LABELS.values()) == set(htmltext._PYTHON_CODECS) | {"replacement"}


def test_plain_text_original_is_kept_as_is() -> None:
    """A text/plain original is decoded, not parsed: tags and CRLF stay."""
    result = extract_text(b"a <b> c\r\nd", content_type="text/plain; charset=utf-8")
    assert (result.text, result.scope) == ("a <b> c\r\nd", "plain-text")


def test_sniffs_html_without_a_content_type() -> None:
    """Without a content type, bytes that start like HTML are parsed as HTML."""
    assert extract_text(b"  <!DOCTYPE html><p>x &amp; y</p>").text == "x & y\n"
    assert extract_text(b"x &amp; y").text == "x &amp; y"


def test_refuses_binary_types() -> None:
    """A PDF or image original has no text to extract here."""
    with pytest.raises(ValueError, match="application/pdf"):
        extract_text(b"%PDF-1.4", content_type="application/pdf")


@pytest.mark.parametrize(("data", "content_type", "why"), [
    (b"", None, "it is empty (0 bytes)"),
    (b"", "text/html", "it is empty (0 bytes)"),
    (b"\n \r\n", "text/plain", "it holds no text (4 bytes, only white space)"),
    (b"\xef\xbb\xbf", "text/plain", "it holds no text (3 bytes)"),
    (b"<html><body><nav>Home</nav><script>x()</script></body></html>", None,
     "its HTML holds no text outside the parts left out (script, style, nav, header, footer, aside, noscript, ad and "
     "related-link blocks; 61 bytes; a page its scripts fill in has none until they run)"),
])
def test_no_text_is_refused_with_why(data: bytes, content_type: str | None, why: str) -> None:
    """Nothing to align against (no bytes, white space, HTML whose text is all left out) is a ValueError saying
    which, not an empty text."""
    with pytest.raises(ValueError) as caught:
        extract_text(data, content_type=content_type)
    assert str(caught.value) == why


def test_charset_from_content_type() -> None:
    """The charset parameter is found in any position, quoted or not."""
    assert charset_from_content_type('text/html; Charset="UTF-8"') == "UTF-8"
    assert charset_from_content_type("text/html;foo=bar;charset=latin1") == "latin1"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
               | st.sampled_from(" \n\t")))
def test_paragraph_text_round_trips_through_escaping(text: str) -> None:
    """Escaped text in one <p> comes back with only its ASCII whitespace collapsed."""
    expected = re.sub(r"[ \t\n\r\f]+", " ", text).strip(" ")
    out, _ = html_to_text("<p>" + html.escape(text) + "</p>")
    assert out == (expected + "\n" if expected else "")


def test_a_page_nested_far_deeper_than_the_recursion_limit() -> None:
    """Thousands of nested elements (more than Python's recursion limit) give the text, not a RecursionError."""
    import sys

    depth = sys.getrecursionlimit() * 3
    page = "<html><body>" + "<div>" * depth + "<p>alpha beta zeta</p>" + "</div>" * depth + "</body></html>"
    assert html_to_text(page) == ("alpha beta zeta\n", "body")
    inline = "<html><body><p>" + "<span>" * depth + "deep <br>text" + "</span>" * depth + "</p></body></html>"
    assert html_to_text(inline) == ("deep\ntext\n", "body")


def _recursive_walk(writer: object, node: object, pre: bool = False, in_story: bool = False) -> None:
    """The walk as it was written recursively: the reference the iterative walk must agree with."""
    from provpack import htmltext

    assert isinstance(writer, htmltext._TextWriter) and isinstance(node, htmltext._Node)
    if writer.leaves_out(node, in_story):
        return
    block = node.tag in htmltext._BLOCK
    if block:
        writer.paragraph_break()
    if node.tag == "br":
        writer.line_break()
    elif node.tag in ("td", "th"):
        writer.text(" ", False)
    inside_pre = pre or node.tag == "pre"
    inside_story = in_story or htmltext._is_story(node)
    for child in node.children:
        if isinstance(child, str):
            writer.text(child, inside_pre)
        else:
            _recursive_walk(writer, child, inside_pre, inside_story)
    if block:
        writer.paragraph_break()


def _both_walks(page: str) -> tuple[list[str], list[str]]:
    from provpack import htmltext

    builder = htmltext._TreeBuilder()
    builder.feed(page)
    builder.close()
    iterative, recursive = htmltext._TextWriter(), htmltext._TextWriter()
    iterative.walk(builder.root)
    iterative.paragraph_break()
    _recursive_walk(recursive, builder.root)
    recursive.paragraph_break()
    return iterative.paragraphs, recursive.paragraphs


_TAGS = ("div", "p", "span", "pre", "br", "td", "th", "li", "ul", "article", "nav", "script", "b", "h1",
         "section", "table", "tr", "hr", "sup", "header", "main")


@st.composite
def _pages(draw: st.DrawFn) -> str:
    """Random tag soup: opening, closing and void tags of block, inline, skipped and pre elements, with text."""
    pieces = draw(st.lists(st.one_of(
        st.sampled_from(_TAGS).map(lambda tag: f"<{tag}>"),
        st.sampled_from(_TAGS).map(lambda tag: f"</{tag}>"),
        st.sampled_from(['<div hidden>', '<div role="navigation">', "<br/>", "\n", "  ", '<div class="ad">',
                         "<sup>1</sup>", '<sup><a href="#n">a</a></sup>', "<amp-ad>", "</amp-ad>"]),
        st.text(alphabet="ab \n\t", min_size=1, max_size=6)), max_size=40))
    return "<html><body>" + "".join(pieces) + "</body></html>"


@given(_pages())
def test_the_iterative_walk_gives_what_the_recursive_one_gave(page: str) -> None:
    """On random tag soup, the walk with its own stack yields the same paragraphs as the recursive walk."""
    iterative, recursive = _both_walks(page)
    assert iterative == recursive


@pytest.mark.parametrize("name", ["declaration.html", "second-inaugural.html"])
def test_the_iterative_walk_on_the_fixture_pages(name: str) -> None:
    """On the real pages kept as fixtures, both walks give the same paragraphs."""
    iterative, recursive = _both_walks((ORIGINALS / name).read_text(encoding="utf-8"))
    assert iterative == recursive and iterative


_P1 = ("Officials in Dunmore said on Friday that the town's water treatment plant would be closed for six weeks "
       "while a new filtration system is installed.")
_P2 = ("Residents will receive water from a temporary supply line connected to the neighbouring town of "
       "Ashcombe, the utility said.")


def test_a_teaser_card_in_an_article_is_not_taken_over_the_story_beside_it() -> None:
    """An <article> holding under half the text of the page's <main> (a "Most read" card) is not the story."""
    cards = "<article><h3>Ferry fares to rise by a fifth</h3></article>"
    page = (f"<body><main><div class=story><p>{_P1}</p><p>{_P2}</p></div>"
            f"<section><h2>Most read</h2>{cards}</section></main></body>")
    text, scope = html_to_text(page)
    assert scope == "main" and text.startswith(_P1) and _P2 in text
    no_main = f"<body><div class=story><p>{_P1}</p><p>{_P2}</p></div><div>{cards}</div></body>"
    text, scope = html_to_text(no_main)
    assert scope == "body" and text.startswith(_P1)


def test_an_article_holding_half_the_main_text_is_taken() -> None:
    """The longest <article> is the story when it holds at least half the text of the page's <main>."""
    page = f"<body><main><article><p>{_P1}</p></article><div><p>{_P2}</p></div></main></body>"
    assert html_to_text(page) == (_P1 + "\n", "article")


def test_a_standfirst_in_the_articles_header_is_part_of_the_story() -> None:
    """A <header> inside the <article> holding a paragraph (a dek) is kept; the site header is not."""
    page = ("<body><header><p>Site banner text</p></header><article><header><h1>Plant to close</h1>"
            "<p class=dek>Dunmore residents face six weeks on a temporary supply.</p></header>"
            f"<p>{_P1}</p></article></body>")
    assert html_to_text(page) == (
        "Plant to close\n\nDunmore residents face six weeks on a temporary supply.\n\n" + _P1 + "\n", "article")
    bare = f"<body><article><header><h1>Plant to close</h1><span>By A. Writer</span></header><p>{_P1}</p></article></body>"
    assert html_to_text(bare) == (_P1 + "\n", "article")
    hidden = f"<body><main><header hidden><p>Hidden dek</p></header><p>{_P1}</p></main></body>"
    assert html_to_text(hidden) == (_P1 + "\n", "main")


@pytest.mark.parametrize(("inner", "expected"), [
    ("completed in spring<sup>1</sup> and enlarged in 1971.<sup>2</sup> Neither was late.",
     "completed in spring and enlarged in 1971. Neither was late."),
    ("as Smith<sup>12</sup> wrote, \u201cnever\u201d<sup>3</sup> and (see below)<sup>4</sup>; so:<sup>5</sup>",
     "as Smith wrote, \u201cnever\u201d and (see below); so:"),
    ("to cut watering by a third. <sup>[2]</sup> Several have fines.", "to cut watering by a third. Several have fines."),
    ("since 1954.<sup><a href='#fn1'>1</a></sup> Then", "since 1954. Then"),
    ("a budget<sup>*</sup> and a plan<sup>\u2020</sup> and notes<sup>3, 4</sup>.", "a budget and a plan and notes."),
    ("Wikipedia says so.<sup class=reference><a href='#cite_note-7'>[7]</a></sup>", "Wikipedia says so."),
    ("कल बारिश<sup>2</sup> हुई, सड़क<sup>3</sup> पर पानी।",
     "कल बारिश हुई, सड़क पर पानी।"),
    ("المكتوبُ<sup>3</sup> أمس.",
     "المكتوبُ أمس."),
    # after the sentence punctuation of other scripts: a danda, an ideographic full stop and comma, an Arabic
    # question mark and comma, an Urdu full stop, a corner bracket, book title marks, fullwidth punctuation
    ("वह घर गया।<sup>1</sup> फिर ।॥<sup>2</sup>",
     "वह घर गया। फिर ।॥"),
    ("他去散步。<sup>2</sup>然后、<sup>3</sup>我，<sup>4</sup>你．<sup>5</sup>",
     "他去散步。然后、我，你．"),
    ("هل ذهب؟<sup>3</sup> نعم،<sup>4</sup> لا؛<sup>5</sup> ہے۔<sup>6</sup>",
     "هل ذهب؟ نعم، لا؛ ہے۔"),
    ("「こんにちは」<sup>4</sup>と『本』<sup>5</sup>《红楼梦》<sup>6</sup>（注）<sup>7</sup>。",
     "「こんにちは」と『本』《红楼梦》（注）。"),
    ("and so on…<sup>8</sup> Then Ա։<sup>9</sup> ሀ።<sup>10</sup>",
     "and so on… Then Ա։ ሀ።"),
    # after a word of two Han, kana or Hangul characters
    ("中国<sup>1</sup>很大，東京<sup>2</sup>とカナ<sup>3</sup> 한국<sup>4</sup>은",
     "中国很大，東京とカナ 한국은"),
])
def test_footnote_reference_marks_are_not_text(inner: str, expected: str) -> None:
    """A <sup> holding only a footnote mark (digits, [n], *, a dagger, a #fragment link) is left out; after a
    word of three letters whose letters carry combining marks (Hindi `बारिश`, `सड़क`; Arabic `المكتوبُ`), after the
    closing punctuation of any script (`गया।`, `散步。`, `ذهب؟`, `」`), and after two Han, kana or Hangul
    characters (`中国`, `東京`, `한국`)."""
    assert html_to_text(f"<body><article><p>{inner}</p></article></body>") == (expected + "\n", "article")


@pytest.mark.parametrize("inner", ["1," * 500_000 + "1", "1, " * 10 + "1", "\u0661\u2013" * 8 + "2"])
def test_footnote_numbers_are_read_in_a_few_characters(monkeypatch: pytest.MonkeyPatch, inner: str) -> None:
    """The footnote-number pattern, a group repeated, is given a <sup>'s text of 20 characters at most: a <sup> of a
    million `1,` after a word is text, kept, and never read by it (a group's repeat took 113 MiB of re's stack for a
    million characters)."""
    import provpack.htmltext as htmltext

    read: list[str] = []
    pattern = htmltext._FOOTNOTE_NUMBER_RE

    class Recording:
        def fullmatch(self, text: str) -> re.Match[str] | None:
            read.append(text)
            return pattern.fullmatch(text)

    monkeypatch.setattr(htmltext, "_FOOTNOTE_NUMBER_RE", Recording())
    text, _ = html_to_text(f"<body><article><p>Smith<sup>{inner}</sup> wrote.</p></article></body>")
    assert text == ("Smith wrote.\n" if len(inner) <= 20 else f"Smith{inner} wrote.\n")
    assert set(read) == ({inner} if len(inner) <= 20 else set())


def test_closing_punctuation_is_the_same_on_every_python() -> None:
    """What counts as closing punctuation before a footnote mark comes from Unicode 3.2's classes and names,
    which every Python keeps as they are: this list, on each version."""
    from provpack.htmltext import _closing_punctuation

    closing = _closing_punctuation.__wrapped__   # (not filling the cache with every character)
    assert "".join(chr(code) for code in range(0x110000) if closing(chr(code))) == (
        "!\"'),.:;?\u00bb\u037e\u0387\u055a\u055c\u055d\u055e\u0589\u05c3\u060c\u061b\u061f\u06d4\u0701\u0702\u0703"
        "\u0704\u0705\u0964\u0965\u0f08\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f3b\u0f3d\u104a\u104b\u1362\u1363\u1364\u1365"
        "\u1366\u1367\u166e\u169c\u17d4\u17d5\u1801\u1802\u1803\u1804\u1808\u1809\u2019\u201d\u2026\u203a\u203c\u203d"
        "\u2047\u2048\u2049\u204f\u2769\u276b\u276d\u276f\u2771\u2773\u3001\u3002\u3009\u300b\u300d\u300f\u3011\u3015"
        "\u3017\u3019\u301e\u301f\ufd3f\ufe36\ufe3a\ufe3c\ufe3e\ufe40\ufe42\ufe44\ufe50\ufe51\ufe52\ufe54\ufe55\ufe56"
        "\ufe57\ufe5a\ufe5e\uff01\uff02\uff07\uff09\uff0c\uff0e\uff1a\uff1b\uff1f\uff60\uff61\uff63\uff64")


@pytest.mark.parametrize(("inner", "expected"), [
    ("an area of 40 km<sup>2</sup> in all", "an area of 40 km2 in all"),
    ("about 10<sup>6</sup> cells", "about 106 cells"),
    ("the 1<sup>st</sup> of May", "the 1st of May"),
    ("see <sup>the note below</sup>", "see the note below"),
    ("E = mc<sup>2</sup>.", "E = mc2."),
    ("Radiocarbon (<sup>14</sup>C) dating", "Radiocarbon (14C) dating"),
    ("the isotope <sup>235</sup>U is rare", "the isotope 235U is rare"),
    ("The area is (a+b)<sup>2</sup> in all", "The area is (a+b)2 in all"),
    ("so 1,000<sup>2</sup> is a million; 100<sup>2</sup> is ten thousand",
     "so 1,0002 is a million; 1002 is ten thousand"),
    ("completed in 1954<sup>1</sup> and", "completed in 19541 and"),
    # a word of two letters, each with its vowel sign (km, cm in Hindi), and a full-width bracketed expression
    ("क्षेत्रफल 32,87,263 किमी<sup>2</sup> और 5 सेमी<sup>2</sup> है।", "क्षेत्रफल 32,87,263 किमी2 और 5 सेमी2 है।"),
    ("式（a+b）<sup>2</sup>を展開する。", "式（a+b）2を展開する。"),
    ("the unit square [0,1]<sup>2</sup> and {x}<sup>3</sup> and ⟨x⟩<sup>2</sup> and ［x］<sup>2</sup>",
     "the unit square [0,1]2 and {x}3 and ⟨x⟩2 and ［x］2"),
    ("面积 5米<sup>2</sup>、宽 5厘米<sup>2</sup>、一<sup>1</sup>",   # (a number's unit)
     "面积 5米2、宽 5厘米2、一1"),
    ("¿qué?<sup>2</sup> ¡<sup>3</sup> 5%<sup>4</sup> f′<sup>2</sup>",
     "¿qué? ¡3 5%4 f′2"),
])
def test_exponents_and_other_superscripts_stay(inner: str, expected: str) -> None:
    """Digits after a number, a short word, '(', a space or an expression are text (an exponent, an isotope's
    mass number); so, a known limit, are digits marking a footnote after a year (`1954<sup>1</sup>`)."""
    assert html_to_text(f"<body><article><p>{inner}</p></article></body>") == (expected + "\n", "article")


@pytest.mark.parametrize("block", [
    "<div class=ad>Advertisement</div>",
    "<div class='ad-slot'><span>Advertisement</span></div>",
    "<amp-ad width=300 height=250 type=doubleclick><div fallback>Advertisement</div></amp-ad>",
    "<div class='inline-related'>Read more: <a href='/y'>Ashcombe mayor resigns</a></div>",
    "<aside class=x>Also read</aside>",
    "<div id='newsletter-signup'><p>Sign up for our daily newsletter</p></div>",
    "<section class='Related_Stories'><article><h3>Ferry fares rise</h3></article></section>",
    "<ins class='adsbygoogle'>Sponsored</ins>",
    "<div class='promo'><p>Subscribe for one pound a week</p></div>",
])
def test_ad_and_related_link_blocks_between_paragraphs_are_left_out(block: str) -> None:
    """Ad slots, AMP ads and blocks whose class or id names ads, promotions, related links or newsletters go."""
    page = f"<body><article><p>{_P1}</p>{block}<p>{_P2}</p></article></body>"
    assert html_to_text(page) == (f"{_P1}\n\n{_P2}\n", "article")


@pytest.mark.parametrize("names", [
    "class=header-box", "class=shadow", "class='loaded reading'", "class=download", "id=adam",
    "class=badge", "class=head", "class=addendum", "class=relatedness",
])
def test_class_names_merely_containing_ad_words_are_kept(names: str) -> None:
    """Only whole class or id words count: 'shadow', 'head', 'download', 'adam' are not 'ad'."""
    page = f"<body><article><p>{_P1}</p><div {names}>Kept words here.</div></article></body>"
    assert html_to_text(page) == (f"{_P1}\n\nKept words here.\n", "article")


def test_a_wrapper_classed_like_an_ad_block_that_holds_the_story_is_kept() -> None:
    """A body, main or wrapper named "has-ads", or a story body named "has-inline-ads", still gives the story."""
    story = f"<p>{_P1}</p><p>{_P2}</p><p>{_P1}</p>"
    assert html_to_text(f"<body class=has-ads><div class=with-ads><h1>Headline</h1><p>{_P1}</p></div></body>") == (
        f"Headline\n\n{_P1}\n", "body")
    assert html_to_text(f"<body><main class='no-ads'><p>{_P1}</p></main></body>") == (f"{_P1}\n", "main")
    text, scope = html_to_text(f"<body><div class='article-body has-inline-ads'>{story}</div></body>")
    assert scope == "body" and text.count("Officials") == 2


def test_white_space_collapses_across_inline_elements_and_dropped_marks() -> None:
    """Spaces either side of an inline element, or of a dropped footnote mark, collapse to one."""
    assert html_to_text("<p>a <span> </span> b</p>") == ("a b\n", "document")
    assert html_to_text("<p>a third. <sup>[2]</sup> Several</p>") == ("a third. Several\n", "document")


def _node_reads(monkeypatch: pytest.MonkeyPatch, page: str) -> int:
    """How many times extracting the page's text reads an element's tag or children: the work it does."""
    from provpack import htmltext

    reads = [0]

    class CountedNode(htmltext._Node):
        def __getattribute__(self, name: str) -> object:
            if name in ("tag", "children"):
                reads[0] += 1
            return object.__getattribute__(self, name)

    with monkeypatch.context() as patch:
        patch.setattr(htmltext, "_Node", CountedNode)
        html_to_text(page)
    return reads[0]


@pytest.mark.parametrize("shape", [
    lambda n: "<body>" + "<header>" * n + "x" + "</header>" * n,
    lambda n: "<body>" + "<nav><footer>" * n + "x",
    lambda n: "<body>" + "<span>" * n + "<p>x</p>" * n,
    lambda n: "<body>" + "<span>" * n + "<li>x</li>" * n,
    lambda n: "<body>" + "<span>" * n + "</i></p>" * n,
    lambda n: "<body><article>" + "<header><p><td><table>" * n + "x",
], ids=["nested-headers", "nested-nav-footer", "paragraphs-in-deep-spans", "items-in-deep-spans",
        "stray-end-tags", "kept-headers-nested"])
def test_work_grows_linearly_with_nesting_depth(monkeypatch: pytest.MonkeyPatch, shape: object) -> None:
    """Twice as deep a page costs about twice the work, not four times (hostile input must not take minutes)."""
    assert callable(shape)
    small, large = (_node_reads(monkeypatch, shape(n)) for n in (600, 1200))
    assert large < 2.5 * small, (small, large)


class _ScanningTreeBuilder(HTMLParser):
    """The tree builder as first written, searching back through the open elements: the reference."""

    def __init__(self) -> None:
        from provpack import htmltext

        super().__init__(convert_charrefs=True)
        self.h = htmltext
        self.root = htmltext._Node("#document", {}, [])
        self.stack = [self.root]

    def _close_to(self, node: object) -> None:
        while self.stack and self.stack[-1] is not node:
            self.stack.pop()
        if len(self.stack) > 1:
            self.stack.pop()

    def _implied_ends(self, tag: str) -> None:
        if tag in self.h._CLOSES_P:
            for node in reversed(self.stack):
                if node.tag == "p":
                    self._close_to(node)
                    break
                if node.tag in self.h._BLOCK or node.tag in ("button", "td", "th"):
                    break
        siblings = self.h._SIBLINGS.get(tag)
        if siblings:
            for node in reversed(self.stack):
                if node.tag in siblings:
                    self._close_to(node)
                    break
                if node.tag in self.h._LIST_SCOPE[tag]:
                    break

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._implied_ends(tag)
        node = self.h._Node(tag, dict(attrs), [])
        self.stack[-1].children.append(node)
        if tag not in self.h._VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._implied_ends(tag)
        self.stack[-1].children.append(self.h._Node(tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        node = next((n for n in reversed(self.stack) if n.tag == tag), None)
        if node is not None:
            self._close_to(node)
        elif tag in ("br", "p"):
            self.handle_startendtag(tag, [])

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _shape(node: object) -> object:
    """An element tree as nested tuples, to compare two trees."""
    from provpack import htmltext

    if isinstance(node, str):
        return node
    assert isinstance(node, htmltext._Node)
    return node.tag, node.attrs, [_shape(child) for child in node.children]


_TREE_TAGS = _TAGS + ("button", "dl", "dt", "dd", "ol", "tbody", "form", "footer", "menu", "i", "a", "img")


@given(st.lists(st.one_of(st.sampled_from(_TREE_TAGS).map(lambda tag: f"<{tag}>"),
                          st.sampled_from(_TREE_TAGS).map(lambda tag: f"</{tag}>"),
                          st.sampled_from(_TREE_TAGS).map(lambda tag: f"<{tag}/>"),
                          st.just("x")), max_size=60))
def test_the_indexed_tree_builder_builds_what_the_scanning_one_built(pieces: list[str]) -> None:
    """On random tag soup, finding open elements by index gives the same tree as searching back through them."""
    from provpack import htmltext

    page = "".join(pieces)
    indexed, scanning = htmltext._TreeBuilder(), _ScanningTreeBuilder()
    for builder in (indexed, scanning):
        builder.feed(page)
        builder.close()
    assert _shape(indexed.root) == _shape(scanning.root)


@pytest.mark.parametrize("tail", ['<a x="' * 5000, "<a" * 5000, "<!--" * 5000, '<p class="' * 5000 + "text"])
def test_an_unclosed_tag_at_the_end_costs_nothing(tail: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page ending inside a tag: the tail is dropped (as browsers drop it) before html.parser, which rescans
    it from each '<' to the end (quadratic before Python 3.13's fix), ever sees it; the text before it stays."""
    from html.parser import HTMLParser

    calls = []
    real = HTMLParser.parse_starttag

    def counted(self: HTMLParser, i: int) -> int:
        calls.append(i)
        return real(self, i)

    monkeypatch.setattr(HTMLParser, "parse_starttag", counted)
    text, _ = html_to_text("<html><body><p>Kept text.</p> and more" + tail)
    assert text == "Kept text.\n\nand more\n" and len(calls) <= 3


@pytest.mark.parametrize("section", ["<![foo[ x ]]>", "<![ x ]]>", "<![1]>", "<![>"])
def test_a_marked_section_html_parser_cannot_read_is_left_out(section: str) -> None:
    """`<![` with a keyword html.parser does not know, or none, is a comment to the next `>` (browsers' bogus
    comment): html.parser raised AssertionError, and the original "could not be read"."""
    page = f"<html><body><p>Four score.</p>{section}<p>and seven</p></body></html>".encode()
    assert extract_text(page, content_type="text/html").text == "Four score.\n\nand seven\n"


@pytest.mark.parametrize(("reference", "char"), [
    ("&#" + "1" * 5000 + ";", "\ufffd"), ("&#" + "0" * 5000 + "65;", "A"), ("&#" + "0" * 5000, "\ufffd"),
    ("&#" + "0" * 31 + "1114109", "\U0010fffd"), ("&#" + "0" * 30 + "1114112", "\ufffd"), ("&#" + "9" * 32, "\ufffd"),
])
def test_a_decimal_character_reference_of_thousands_of_digits_is_read_as_its_number(reference: str, char: str) -> None:
    """A reference's number, whatever its digits (leading zeros too): past U+10FFFF it is U+FFFD, as html.unescape
    reads it. html.unescape raised ValueError past the 4,300 digits Python reads, and the page "had no text"."""
    page = f"<html><body><p>Four{reference} score.</p></body></html>".encode()
    assert extract_text(page, content_type="text/html").text == f"Four{char} score.\n"


def test_decimal_character_references_of_32_digits_and_more_are_read_as_written_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The long references written shorter (from 32 digits) give the text of the ones written out (generated
    references of up to 52 digits, which Python reads, in text and in a kept attribute)."""
    import random

    rng = random.Random(20250611)
    pages = []
    for _ in range(1000):
        digits = "0" * rng.randint(0, 40) + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 12)))
        reference = "&#" + digits + rng.choice(["", ";", "x", " "])
        assert (htmltext_module._bounded_references(reference) != reference) == (len(digits) >= 32)
        pages.append(f"<p id='{reference}'>a{reference}b</p><div class='ad {reference}'>{reference}</div>")
    shortened = [html_to_text(page) for page in pages]
    monkeypatch.setattr(htmltext_module, "_bounded_references", lambda page: page)
    assert shortened == [html_to_text(page) for page in pages]


@pytest.mark.parametrize("unit", ["<!--x>", "<![CDATA[x>", "<![if x>"])
def test_comments_nothing_closes_are_read_in_linear_time(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of comments or marked sections nothing closes, each read as text to the next `>`: html.parser searched
    the rest of the page for each one's end (200 KB took 7.6 s, 2 MB more than 120 s); read once (2 MB: 0.8 s)."""
    import _markupbase

    searched = []
    for name in ("_commentclose", "_markedsectionclose", "_msmarkedsectionclose"):
        pattern = getattr(_markupbase, name)

        class Counted:
            def search(self, text: str, pos: int = 0, pattern: re.Pattern[str] = pattern) -> re.Match[str] | None:
                searched.append(len(text) - pos)
                return pattern.search(text, pos)

        monkeypatch.setattr(_markupbase, name, Counted())
    page = "<html><body><p>Four score.</p>" + unit * 5000 + "<p>and seven</p></body></html>"
    assert html_to_text(page) == (f"Four score.\n\n{unit * 5000}\n\nand seven\n", "body")
    assert sum(searched) < 2 * len(page)


def test_a_lone_less_than_sign_at_the_end_is_text() -> None:
    assert html_to_text("<p>a < b</p>and c < d")[0] == "a < b\n\nand c < d\n"


_LIBRARY = ("The council voted on Tuesday to close the old library on Main Street, citing the rising cost of repairs "
            "and a falling number of visitors.")
_PETITION = ("Residents said they would fight the decision at the next meeting, and a petition had already gathered "
             "many signatures.")


@pytest.mark.parametrize(("page", "expected", "scope"), [
    (f"<body><nav>Home</nav><article><h1>Library to close</h1><div class='story-body has-ads'>{_LIBRARY}<br><br>"
     f"{_PETITION}</div></article></body>", f"Library to close\n\n{_LIBRARY}\n\n{_PETITION}\n", "article"),
    (f"<body><h1>Paid post</h1><div class='sponsored-content'><p>{_LIBRARY}</p><p>{_PETITION}</p></div></body>",
     f"Paid post\n\n{_LIBRARY}\n\n{_PETITION}\n", "body"),
    ("<body><article><h1>Poem of the week</h1><div class='poem-body with-ads'><p>The rain falls soft</p>"
     "<p>the library door is closed</p><p>and all the words inside it</p><p>are sleeping in their rows</p></div>"
     "</article></body>", "Poem of the week\n\nThe rain falls soft\n\nthe library door is closed\n\n"
     "and all the words inside it\n\nare sleeping in their rows\n", "article"),
    (f"<body><article><h1>Deals</h1><p>{_LIBRARY}</p><p class='promo-code'>Readers can use the code LIBRARY20 at "
     f"checkout to get twenty percent off the reading room membership.</p><p>{_PETITION}</p></article></body>",
     f"Deals\n\n{_LIBRARY}\n\nReaders can use the code LIBRARY20 at checkout to get twenty percent off the reading "
     f"room membership.\n\n{_PETITION}\n", "article"),
    ("<body><div class=promo><p>Ten short words of a paid post.</p></div></body>", "Ten short words of a paid post.\n",
     "body"),
], ids=["long-story-body-has-ads", "sponsored-post", "poem-with-ads", "promo-paragraph", "only-text"])
def test_a_marked_block_holding_real_text_is_kept(page: str, expected: str, scope: str) -> None:
    """A block marked by class or id stays when it is long (over 200 characters; a paragraph of 80) and not
    mostly links, or when leaving it out would leave its scope nothing but headings."""
    assert html_to_text(page) == (expected, scope)


def test_a_long_block_of_related_links_is_left_out() -> None:
    """A related block longer than 200 characters still goes when at least half its text is links; a marked
    block of at most 200 characters goes; an ad's script does not count as its text."""
    links = "".join(f"<li><a href='/s{k}'>Story number {k} about the library closure and the petition</a></li>"
                     for k in range(5))
    page = f"<body><article><p>{_LIBRARY}</p><div class='related'><h3>More</h3><ul>{links}</ul></div></article></body>"
    assert html_to_text(page) == (f"{_LIBRARY}\n", "article")
    for times, kept in ((5, False), (6, True)):   # 189 characters are short, 227 are not
        promo = f"<div class='promo'><p>{'Subscribe today for one pound a week. ' * times}</p></div>"
        text, _ = html_to_text(f"<body><article><p>{_LIBRARY}</p>{promo}</article></body>")
        assert ("Subscribe" in text) is kept
    ad_script = "<div class=ad><script>" + "googletag.cmd.push(function(){});" * 20 + "</script>Advertisement</div>"
    assert html_to_text(f"<body><article><p>{_LIBRARY}</p>{ad_script}</article></body>") == (f"{_LIBRARY}\n", "article")


def test_a_story_article_with_a_long_comment_section_beside_it_is_the_story() -> None:
    """An <article> of 500 characters, or of two paragraphs of prose, is the story even when comments outside it
    are longer; a short teaser card (one paragraph) still loses to the page."""
    comments = "".join(f"<div class=comment><p>User{k} wrote: I cannot believe it. {_LIBRARY} What a shame for this "
                       "town, which keeps losing the places that made it a community.</p></div>" for k in range(6))
    story = f"<article><h1>Library to close</h1><p>{_LIBRARY}</p><p>{_PETITION}</p></article>"
    assert html_to_text(f"<body>{story}<section id=comments>{comments}</section></body>") == (
        f"Library to close\n\n{_LIBRARY}\n\n{_PETITION}\n", "article")
    long_one = f"<article><p>{_LIBRARY} {_PETITION} {_LIBRARY} {_PETITION}</p></article>"
    assert html_to_text(f"<body>{long_one}<section>{comments}</section></body>")[1] == "article"
    teaser = f"<article class=teaser><h2>Other story</h2><p>{_LIBRARY}</p></article>"
    text, scope = html_to_text(f"<body><main>{teaser}<div><p>{_PETITION}</p>{comments}</div></main></body>")
    assert scope == "main" and text.startswith("Other story")


def test_every_name_in_all_is_defined() -> None:
    """`from provpack.htmltext import *` gives every name __all__ lists."""
    import provpack.htmltext as module

    assert all(hasattr(module, name) for name in module.__all__)


def test_charset_serialises_with_its_field_names() -> None:
    """Charset.to_json's keys are its field names."""
    import dataclasses

    _, charset = decode_html(b"<p>plain</p>", http_charset="utf-8")
    assert set(charset.to_json()) == {f.name for f in dataclasses.fields(charset)}
    assert charset.to_json()["declared_http"] == "utf-8"


@pytest.mark.parametrize("ruby", [
    "\u6f22<ruby>\u5b57<rt>\u3058</rt></ruby>",
    "<ruby>\u6f22<rt>\u304b\u3093</rt>\u5b57<rt>\u3058</rt></ruby>",
    "<ruby>\u6f22<rp>(</rp><rt>\u304b\u3093</rt><rp>)</rp>\u5b57<rp>(</rp><rt>\u3058</rt><rp>)</rp></ruby>",
    "<ruby>\u6f22<rp>(<rt>\u304b\u3093<rp>)<rb>\u5b57<rp>(<rt>\u3058<rp>)</ruby>",   # end tags left out
    "<ruby><rb>\u6f22<rb>\u5b57<rtc><rt>\u304b\u3093<rt>\u3058</rtc></ruby>",
])
def test_a_ruby_reading_is_not_text(ruby: str) -> None:
    """A ruby's annotations (<rt>, in an <rtc> or not) and the parentheses (<rp>) shown where ruby is not
    are left out, their end tags given or not: `漢字を書く。` (to write kanji), as a quote gives it."""
    assert html_to_text(f"<p>{ruby}\u3092\u66f8\u304f\u3002</p>") == (
        "\u6f22\u5b57\u3092\u66f8\u304f\u3002\n", "document")


def test_digits_after_a_one_letter_word_in_a_sup_are_text() -> None:
    """A <sup> after a single letter (`X<sup>2</sup>`) is an exponent: it is kept."""
    assert html_to_text("<p>Let the side be X<sup>2</sup> long.</p>") == ("Let the side be X2 long.\n", "document")


def test_a_block_closes_a_paragraph_opened_at_the_top_of_the_page() -> None:
    """A <div> after an unclosed top-level <p> closes it: the hidden paragraph does not hide the div."""
    assert html_to_text("<p hidden>secret<div>kept</div>") == ("kept\n", "document")


def test_two_paragraphs_of_exactly_eighty_characters_make_an_article_a_story() -> None:
    """Prose paragraphs count from 80 characters: two of 80 make a short article the story, two of 79 do not."""
    main = "<main><p>" + "m " * 400 + "</p></main>"
    for size, scope in ((80, "article"), (79, "main")):
        paragraph = f"<p>{'y' * size}</p>"
        assert html_to_text(f"<body><article>{paragraph}{paragraph}</article>{main}</body>")[1] == scope


def test_a_marked_block_with_two_prose_paragraphs_is_still_dropped() -> None:
    """Two paragraphs of prose (fewer than three) do not make a short block classed 'related' the story's."""
    two = "<p>" + "word " * 17 + "</p>"
    page = f"<body><h1>Title</h1><p>Story text here.</p><div class='related'>{two}{two}</div></body>"
    assert html_to_text(page) == ("Title\n\nStory text here.\n", "body")


def test_only_a_meta_tag_declares_the_charset() -> None:
    """A charset attribute on another tag (a <script>) is not the page's charset; the first <meta> wins."""
    _, charset = decode_html(b'<script charset="koi8-r"></script><p>caf\xc3\xa9</p>')
    assert (charset.encoding, charset.declared_meta) == ("utf-8", None)
    _, charset = decode_html(b'<meta charset="utf-8"><meta charset="koi8-r"><p>caf\xc3\xa9</p>')
    assert (charset.encoding, charset.source, charset.declared_meta) == ("utf-8", "meta", "utf-8")


def test_a_charset_is_read_only_from_the_parameters() -> None:
    """The part before the first ';' is the media type, never a charset parameter."""
    assert charset_from_content_type("charset=koi8-r") is None


def test_a_declared_utf16_without_a_bom_is_read_as_utf8() -> None:
    """A page labelled UTF-16 but without a BOM is read as UTF-8, as browsers do."""
    text, charset = decode_html(b'<meta charset="utf-16"><p>caf\xc3\xa9</p>')
    assert "caf\u00e9" in text and (charset.encoding, charset.source) == ("utf-8", "meta")


def test_a_story_element_classed_like_an_ad_is_still_the_story() -> None:
    """An <article> whose class has an ad word ("ad-wrapper") is not itself boilerplate."""
    page = '<body><article class="ad-wrapper"><p>Short story.</p></article></body>'
    assert html_to_text(page) == ("Short story.\n", "article")


def test_a_related_links_block_with_long_link_texts_is_dropped() -> None:
    """Long link texts in a list are not paragraphs of prose: a link-dense 'related' block is still left out."""
    story = "<p>" + "Story text that runs long enough to be prose in any reckoning at all, surely. " * 3 + "</p>"
    links = "<div class='related'><ul>" + "".join(
        f"<li><a href='/s{k}'>{'A related story headline that is long enough to count ' * 2}</a></li>"
        for k in range(3)) + "</ul></div>"
    text, _ = html_to_text(f"<body>{story}{links}</body>")
    assert text.startswith("Story text") and "related story" not in text


def test_a_marked_block_holding_the_h1_or_role_main_is_kept() -> None:
    """A short block with an ad or promo class is kept when it holds the page's <h1> or is role=main."""
    page = "<body><p>Body text.</p><div class='promo-wrapper'><h1>Title</h1><p>Short dek.</p></div></body>"
    assert html_to_text(page) == ("Body text.\n\nTitle\n\nShort dek.\n", "body")
    page = "<body><p>Body text.</p><div class='ad-slot' role='main'><p>Short story.</p></div></body>"
    assert html_to_text(page) == ("Short story.\n", "main")


def test_a_sup_linking_to_a_fragment_is_a_mark_up_to_twenty_characters_or_elements() -> None:
    """A <sup> linking to a #fragment is a footnote mark when its text is at most 20 characters and it holds at
    most 20 elements; a longer one, or one linking elsewhere, is text."""
    for size, expected in ((20, "as shown here\n"), (21, f"as shown{'x' * 21} here\n")):
        assert html_to_text(f"<p>as shown<sup><a href='#n1'>{'x' * size}</a></sup> here</p>")[0] == expected
    assert html_to_text("<p>as the report says<sup><a href='#fn3'>note</a></sup> next</p>")[0] == (
        "as the report says next\n")
    assert html_to_text("<p>as the report says<sup><a href='/page'>note</a></sup> next</p>")[0] == (
        "as the report saysnote next\n")
    for spans, expected in ((19, "Smith wrote\n"), (20, "Smith1 wrote\n")):
        nested = "<span>" * spans + "1" + "</span>" * spans
        assert html_to_text(f"<p>Smith<sup>{nested}</sup> wrote</p>")[0] == expected


def test_a_header_outside_an_article_or_main_is_left_out_even_with_a_paragraph() -> None:
    """Only inside an <article> or <main> is a <header> holding a paragraph (a standfirst) kept."""
    page = "<body><header><p>Standfirst text.</p></header><p>Story.</p></body>"
    assert html_to_text(page) == ("Story.\n", "body")


def test_header_cells_are_spaced_like_data_cells() -> None:
    """Adjacent <th> cells are separated by a space, as <td> cells are."""
    assert html_to_text("<table><tr><th>a</th><th>b</th></tr></table>") == ("a b\n", "document")


def test_implied_cell_and_item_ends_keep_an_ad_cell_to_itself() -> None:
    """A new <td>, <li> or <dd> closes an open ad-classed one (a nested table or list stays in it): only the ad goes."""
    page = ("<table><tr><td class='ad'>Ad<table><tr><td>Sponsored link</td></tr></table></td>"
            "<td>Cell</td></tr></table>")
    assert html_to_text(page) == ("Cell\n", "document")
    assert html_to_text("<table><tr><td class='ad'>Sponsored<td>Cell</table>") == ("Cell\n", "document")
    assert html_to_text("<ul><li class='ad'>Sponsored<ul><li>x</ul><li>Item</ul>") == ("Item\n", "document")
    assert html_to_text("<dl><dt class='ad'>Sponsored<dd>Definition</dl>") == ("Definition\n", "document")


def test_an_article_of_exactly_five_hundred_characters_is_a_story() -> None:
    """500 characters make a short <article> the story beside a much longer <main>; 499 do not."""
    main = "<main><p>" + "m " * 1000 + "</p></main>"
    for size, scope in ((499, "article"), (498, "main")):
        assert html_to_text(f"<body><article><p>{'z' * size}</p></article>{main}</body>")[1] == scope


def test_bytes_are_sniffed_as_html_by_their_first_kilobyte() -> None:
    """Without a Content-Type, bytes starting with `<html` (after up to 1024 bytes of whitespace) are HTML."""
    assert extract_text(b"<html><body><p>Hi</p></body></html>").scope == "body"
    assert extract_text(b" " * 1019 + b"<html><p>Hi</p></html>").text == "Hi\n"
    assert extract_text(b" " * 1020 + b"<html><p>Hi</p></html>").scope == "plain-text"


def test_every_attribute_the_text_reads_is_kept() -> None:
    """An element keeps only the attributes in _ATTRIBUTES (a tag of millions of others is held in flat memory):
    every attribute the module reads is among them."""
    source = Path(htmltext_module.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"attrs\.get\(['\"]([\w-]+)['\"]", source))
    read |= set(re.findall(r"['\"]([\w-]+)['\"] in (?:\w+\.)+attrs\b", source))
    assert read == htmltext_module._ATTRIBUTES


@given(_pages().map(lambda page: page.replace("<div>", '<div id=a class="b c" data-x=1 title=\'t\' role=main>')))
def test_the_text_is_the_same_when_html_parser_reads_the_tags(page: str) -> None:
    """Where html.parser reads tags itself (a Python whose html.parser reads them otherwise), an element's kept
    attributes, and so the text, are the same."""
    flat = html_to_text(page)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(htmltags, "_FLAT", False)
        assert html_to_text(page) == flat


def _extraction_growth_mib(page: str) -> int:
    """MiB the peak memory of a fresh process grows by while it extracts the page's text (VmHWM)."""
    import subprocess
    import sys

    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure peak memory")
    script = ("import sys; from provpack.htmltext import extract_text\n"
              "def peak(): return int([l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1])\n"
              "data = sys.stdin.buffer.read(); before = peak()\n"
              "extract_text(data, content_type='text/html'); print((peak() - before) // 1024)")
    done = subprocess.run([sys.executable, "-c", script], input=page.encode(), capture_output=True, timeout=60,
                          check=True)
    return int(done.stdout)


@pytest.mark.parametrize("unit, count, most_mib", [
    ("<b>", 200_000, 55), ("<br>", 250_000, 45), ("< ", 500_000, 60), ("&a", 500_000, 12),
], ids=["nested elements", "void elements", "stray <", "references"])
def test_the_text_of_a_page_of_many_elements_pieces_or_references_is_extracted_in_lean_memory(
        unit: str, count: int, most_mib: int) -> None:
    """Each element, piece of text or reference costs a few dozen bytes while the text is extracted (600 KB of `<b>`
    38 MiB, 1 MB of `<br>` 25, of `< ` 37, of `&a` 2), not hundreds (74, 93, 90 and 33 MiB): elements in slots,
    sharing one empty dict of attributes and list of children; the walk's stack and a paragraph's parts a pointer
    each, not a tuple; html.unescape read a chunk at a time, not holding a string for each reference of the run."""
    page = f"<html><body><p>{unit * count}</p><p>The end.</p></body></html>"
    assert _extraction_growth_mib(page) < most_mib


@pytest.mark.parametrize("limit, page, said", [
    ("_MAX_ELEMENTS", "<p>x</p>" * 101, "its HTML holds more than 100 elements, more than a real page does"),
    ("_MAX_PIECES", "<p>" + "a < b " * 51, "its HTML splits its text in more than 100 pieces (by tags, comments or "
                                            "stray `<`), more than a real page does"),
])
def test_a_page_of_more_elements_or_pieces_of_text_than_a_real_page_is_refused(
        monkeypatch: pytest.MonkeyPatch, limit: str, page: str, said: str) -> None:
    """Past the limits (1,000,000 elements, 2,000,000 pieces; some 200 MiB) the text is not extracted: PageTooLarge
    (a ValueError) says which limit; at them it is."""
    monkeypatch.setattr(htmltext_module, limit, 100)
    with pytest.raises(htmltext_module.PageTooLarge) as raised:
        extract_text(f"<html><body>{page}</body></html>".encode(), content_type="text/html")
    assert str(raised.value) == said
    monkeypatch.setattr(htmltext_module, limit, 103)
    assert extract_text(f"<html><body>{page}</body></html>".encode(), content_type="text/html").text
