"""IRI -> URI (RFC 3987 section 3.1), for WARC headers and Linked Data ids that must name one resource one way.

WARC-Target-URI takes a URI, and readers such as pywb refuse a header that is not Latin-1; a
crawler writes the URL it sent, which is this same ASCII form. A non-ASCII host becomes IDNA
(punycode, IDNA 2008 with UTS 46 mapping, as browsers do); every other non-ASCII character is
percent-encoded as UTF-8. ASCII, and any %XX already there, is left as it is.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["as_uri"]

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def as_uri(value: str) -> str:
    """The URI form of the IRI `value` (itself when ASCII); ValueError naming a host IDNA refuses."""
    if value.isascii():
        return value
    scheme, netloc, path, query, fragment = urlsplit(value)
    if netloc and not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.rpartition(":")
        if not colon or not port.isdigit():   # no port ("[::1]" splits inside the brackets: no digits after)
            host, colon, port = hostport, "", ""
        if not host.isascii():
            import idna   # requests' own dependency

            try:
                host = idna.encode(host, uts46=True).decode("ascii")
            except idna.IDNAError as exc:
                raise ValueError(f"the host {host!r} is not a valid internationalized domain name ({exc})") from exc
        netloc = _percent_encoded(userinfo) + at + host + colon + port
    return urlunsplit((scheme, netloc, *(_percent_encoded(part) for part in (path, query, fragment))))


def _percent_encoded(text: str) -> str:
    """Each run of non-ASCII characters percent-encoded as UTF-8."""
    return _NON_ASCII.sub(lambda run: quote(run.group(), safe=""), text)
