"""provpack.iri: an IRI as the URI WARC headers and Linked Data ids take (RFC 3987 section 3.1)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.iri import as_uri, with_ascii_host

# RFC 3986 appendix A, the URI production, written out here apart from provpack's own code.
_UNRESERVED, _PCT, _SUB = r"[A-Za-z0-9\-._~]", r"%[0-9A-Fa-f]{2}", r"[!$&'()*+,;=]"
_PCHAR = f"(?:{_UNRESERVED}|{_PCT}|{_SUB}|[:@])"
_SEGMENT = f"{_PCHAR}*"
_QUERY = f"(?:{_PCHAR}|[/?])*"
_DEC_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_H16 = "[0-9A-Fa-f]{1,4}"
_LS32 = f"(?:{_H16}:{_H16}|{_DEC_OCTET}(?:\\.{_DEC_OCTET}){{3}})"
_IPV6 = "|".join([f"(?:{_H16}:){{6}}{_LS32}", f"::(?:{_H16}:){{5}}{_LS32}"] + [
    f"(?:(?:{_H16}:){{0,{n - 1}}}{_H16})?::(?:{_H16}:){{{5 - n}}}{_LS32}" for n in range(1, 6)] + [
    f"(?:(?:{_H16}:){{0,5}}{_H16})?::{_H16}", f"(?:(?:{_H16}:){{0,6}}{_H16})?::"])
_IP_LITERAL = f"\\[(?:{_IPV6}|[vV][0-9A-Fa-f]+\\.(?:{_UNRESERVED}|{_SUB}|:)+)\\]"
_HOST = f"(?:{_IP_LITERAL}|(?:{_UNRESERVED}|{_PCT}|{_SUB})*)"   # reg-name covers IPv4address
_AUTHORITY = f"(?:(?:{_UNRESERVED}|{_PCT}|{_SUB}|:)*@)?{_HOST}(?::[0-9]*)?"
_HIER = (f"(?://{_AUTHORITY}(?:/{_SEGMENT})*|/(?:{_PCHAR}+(?:/{_SEGMENT})*)?|{_PCHAR}+(?:/{_SEGMENT})*|)")
RFC3986_URI = re.compile(f"[A-Za-z][A-Za-z0-9+.\\-]*:{_HIER}(?:\\?{_QUERY})?(?:#{_QUERY})?")


@pytest.mark.parametrize("iri, uri", [
    ("https://example.org/plain?q=1#f", "https://example.org/plain?q=1#f"),
    ("https://\u4f8b\u3048.jp/\u8a18\u4e8b?x=1&y=2", "https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B?x=1&y=2"),
    ("https://B\u00fccher.DE/", "https://xn--bcher-kva.de/"),
    ("https://us\u00e9r:p\u00e4@\u4f8b\u3048.jp:8080/a%20b/\u00e9#\u00e9",
     "https://us%C3%A9r:p%C3%A4@xn--r8jz45g.jp:8080/a%20b/%C3%A9#%C3%A9"),
    ("http://[::1]:80/\u00e9", "http://[::1]:80/%C3%A9"),
    ("https://ex.org/caf%C3%A9\u00e9", "https://ex.org/caf%C3%A9%C3%A9"),   # what is encoded stays as it is
    ("urn:example:\u00e9t\u00e9", "urn:example:%C3%A9t%C3%A9"),
])
def test_iris_become_uris(iri: str, uri: str) -> None:
    """Hosts in IDNA, other non-ASCII characters percent-encoded as UTF-8, ASCII left alone."""
    assert as_uri(iri) == uri


def test_a_host_idna_refuses_is_a_value_error() -> None:
    """An empty label or a character IDNA forbids is named, not passed on."""
    with pytest.raises(ValueError, match="the host 'a..\u4f8b' is not a valid internationalized domain name"):
        as_uri("https://a..\u4f8b/x")


@pytest.mark.parametrize("url, ascii_host", [
    ("http://example\u3002com/a", "http://example.com/a"),
    ("http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com:8080/\u00e9?q=\u00e9#\u00e9",
     "http://example.com:8080/\u00e9?q=\u00e9#\u00e9"),
    ("https://us\u00e9r@B\u00fccher.DE/", "https://us\u00e9r@xn--bcher-kva.de/"),
    ("http://EXAMPLE.com/a?", "http://EXAMPLE.com/a?"),   # an ASCII host: all as written
    ("http://[::1]:80/\u00e9", "http://[::1]:80/\u00e9"),
    ("mailto:\u00e9@example.org", "mailto:\u00e9@example.org"),
    ("http://ex%61mple.com:8080/%61?%61", "http://example.com:8080/%61?%61"),   # escapes decoded in the host alone
    ("http://user@Loc%41lhost%2E/a", "http://user@localhost./a"),
    ("http://%C3%A9xample.com/a", "http://xn--xample-9ua.com/a"),
    ("http://127.0.0.1%EF%BC%8E/a", "http://127.0.0.1./a"),
    ("http://0x7f.1/a", "http://0x7f.1/a"),   # an IPv4 address as written
])
def test_with_ascii_host_changes_the_host_alone(url: str, ascii_host: str) -> None:
    """A non-ASCII host becomes what as_uri makes it (UTS 46: an ideographic full stop is a dot, full-width
    letters ASCII), a host's percent-escapes are decoded (as browsers decode them), the rest of the URL as it was
    written."""
    assert with_ascii_host(url) == ascii_host
    with pytest.raises(ValueError, match="the host 'a..\u4f8b' is not a valid internationalized domain name"):
        with_ascii_host("https://a..\u4f8b/x")


@pytest.mark.parametrize("url, message", [
    ("http://a%ffb/x", "the host 'a%ffb' is not UTF-8 text once its percent-escapes are decoded (%FF is not UTF-8 "
                       "where it stands)"),
    ("http://a%2fb:80/x", "the host 'a%2fb' holds '/' once its percent-escapes are decoded, which no host name may"),
    ("http://1.2.3.09/x", "the host '1.2.3.09' ends in a number but is not an IPv4 address as browsers read one: '09' "
                          "is not a number (decimal, octal after a leading 0, hexadecimal after 0x)"),
])
def test_with_ascii_host_refuses_what_browsers_read_as_no_host(url: str, message: str) -> None:
    """A host the WHATWG URL standard refuses is a ValueError saying why, even when it is left as written."""
    with pytest.raises(ValueError) as caught:
        with_ascii_host(url)
    assert str(caught.value) == message


@pytest.mark.parametrize("given, uri", [
    ("https://ex.org/a<b>{c}|d", "https://ex.org/a%3Cb%3E%7Bc%7D%7Cd"),
    ("https://ex.org/q\"b\\c^d`e", "https://ex.org/q%22b%5Cc%5Ed%60e"),
    ("https://ex.org/[x]?q=[1]#a#b", "https://ex.org/%5Bx%5D?q=%5B1%5D#a%23b"),
    ("https://us<er@ex.org/", "https://us%3Cer@ex.org/"),
    ("urn:example:a b", "urn:example:a%20b"),
    ("https://ex.org/caf%c3%a9<", "https://ex.org/caf%c3%a9%3C"),   # escapes there kept as written
    ("http://[::1]:8080/a?b=c#d", "http://[::1]:8080/a?b=c#d"),
    ("https://ex.org:/x", "https://ex.org:/x"),   # an empty port is RFC 3986's own
])
def test_characters_rfc3986_forbids_are_percent_encoded(given: str, uri: str) -> None:
    """Each character a URI may not hold where it stands is percent-encoded, as non-ASCII ones are."""
    assert as_uri(given) == uri and RFC3986_URI.fullmatch(uri)
    assert RFC3986_URI.fullmatch(given) is None or given == uri


@pytest.mark.parametrize("given, reason", [
    ("https://ex.org/%zz", "'%zz' at character 16 is not a percent-escape"),
    ("https://ex.org/100%", "'%' at character 19 is not a percent-escape"),
    ("https://ex.org:99999/", "the port '99999' is not a number from 0 to 65535"),
    ("https://ex.org:8o/", "the port '8o' is not a number from 0 to 65535"),
    ("https://ex<.org/", "the host 'ex<.org' holds '<', which no host name may"),
    ("https://ex.org\\evil.example/", "the host 'ex.org\\\\evil.example' holds"),
    ("https://[::1/", "the host '[::1' is not an IPv6 address"),
    ("http://[::1]x/", "'x' follows the host '[::1]'"),
    ("https:///path", "an https address needs a host after '//'"),
    ("no scheme", "does not begin with a scheme"),
])
def test_what_has_no_one_repair_is_refused(given: str, reason: str) -> None:
    """A bad %-escape, port or host: a ValueError saying which, never a guess."""
    with pytest.raises(ValueError, match=re.escape(reason)):
        as_uri(given)


@given(st.text(min_size=1))
def test_any_path_becomes_an_rfc3986_uri_that_decodes_to_it(path: str) -> None:
    """Any text (a % sign itself written %25) after the host: the result is an RFC 3986 URI, ASCII,
    a fixed point, and percent-decoding it gives the text back."""
    text = path.replace("%", "%25")
    uri = as_uri("https://example.org/" + text)
    assert RFC3986_URI.fullmatch(uri) and uri.isascii() and as_uri(uri) == uri
    assert unquote(uri, errors="strict") == "https://example.org/" + path


@pytest.mark.parametrize("given, outcome", [
    ("http://ex.org:65535/", "http://ex.org:65535/"),                       # the highest port
    ("https://ex.org:65535/\u00e9", "https://ex.org:65535/%C3%A9"),          # ... outside the fast path too
    ("https://ex.org:65536/\u00e9", "the port '65536' is not a number from 0 to 65535"),
    ("http:///path", "an http address needs a host after '//'"),           # http as well as https
    ("file:///path/\u00e9", "file:///path/%C3%A9"),                          # other schemes may have no host
    ("http://[v1.x]/", "http://[v1.x]/"),                                   # an IPvFuture literal, whole
    ("http://[V1F.a:b]:8/", "http://[V1F.a:b]:8/"),
    ("http://[::1:]/", "the host '[::1:]' is not an IPv6 address in brackets"),   # its last character counts
    ("http://[fe80::1%25eth0]/", "the host '[fe80::1%25eth0]' is not an IPv6 address"),   # a zone id is no host
    ("https://ex.org/a\ud800", "it holds '\\ud800', which is not a Unicode character"),   # no UTF-8 form
])
def test_port_host_and_ip_literal_boundaries(given: str, outcome: str) -> None:
    """Port 65535 is a port and 65536 is not; an empty host is refused for http and https alone; an IP literal
    is read to its last character, IPvFuture ('v' or 'V' first) apart from IPv6."""
    if "://" in outcome:
        assert as_uri(given) == outcome
    else:
        with pytest.raises(ValueError, match=re.escape(outcome)):
            as_uri(given)


def test_exported_names_exist() -> None:
    """__all__ names what the module defines."""
    from provpack import iri
    assert iri.__all__ == ["as_uri", "with_ascii_host"] and all(callable(getattr(iri, name)) for name in iri.__all__)
