"""provpack.iri: an IRI as the URI WARC headers and Linked Data ids take (RFC 3987 section 3.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provpack.iri import as_uri


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


@given(st.text(min_size=1))
def test_the_result_is_ascii_and_a_fixed_point(path: str) -> None:
    """Whatever the path holds, the URI is ASCII (a Latin-1 header any reader takes) and converting again
    changes nothing."""
    uri = as_uri("https://example.org/" + path.replace("#", "").replace("?", ""))
    assert uri.isascii() and as_uri(uri) == uri
