"""IRI -> URI (RFC 3987 section 3.1), for WARC headers and Linked Data ids that must name one resource one way.

WARC-Target-URI takes a URI, and readers such as pywb refuse a header that is not Latin-1; a
crawler writes the URL it sent, which is this same ASCII form. A non-ASCII host becomes IDNA
(punycode, IDNA 2008 with UTS 46 mapping, as browsers do); every other character RFC 3986 does not
allow where it stands (non-ASCII, space, < > " { } | \\ ^ and the backtick, [ and ] outside an IPv6
host, a second #) is percent-encoded as UTF-8. What is allowed, and any %XX already there, is left as it is.
What has no one obvious repair is a ValueError saying why: a `%` not followed by two hex digits,
a port that is not a number up to 65535, a host with characters no host may hold.
"""

from __future__ import annotations

import ipaddress
import re

from .urlhost import idna_host, read_host

__all__ = ["as_uri", "with_ascii_host"]

# RFC 3986 appendix B, anchored on a scheme (section 3.1); group 2 is None without "//".
_PARTS = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(//([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?", re.DOTALL)
# Section 3: unreserved, sub-delims, and what each component adds; '%' is checked apart.
_SUB_DELIMS = "!$&'()*+,;="
_UNRESERVED = "A-Za-z0-9\\-._~"
_NOT_IN_PATH = re.compile(f"[^{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@/%]")          # pchar / "/"
_NOT_IN_QUERY = re.compile(f"[^{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@/?%]")        # query, fragment
_NOT_IN_USERINFO = re.compile(f"[^{_UNRESERVED}{re.escape(_SUB_DELIMS)}:%]")
_REG_NAME = re.compile(f"[{_UNRESERVED}{re.escape(_SUB_DELIMS)}%]*")
_IP_FUTURE = re.compile(f"[vV][0-9A-Fa-f]+\\.[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:]+")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A URI that needs no change at all: the common case, settled by one match (and the %-escape check).
_PLAIN = re.compile(f"[A-Za-z][A-Za-z0-9+.\\-]*://[A-Za-z0-9\\-.]+(?::[0-9]{{1,4}})?"
                    f"(?:/[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@/%]*)?"
                    f"(?:\\?[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@/?%]*)?"
                    f"(?:#[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@/?%]*)?")


def as_uri(value: str) -> str:
    """The URI form of the IRI or URL `value` (itself when already a URI); ValueError saying why it has none."""
    if _PLAIN.fullmatch(value) and ("%" not in value or _BAD_ESCAPE.search(value) is None):
        return value
    parts = _PARTS.fullmatch(value)
    if parts is None:
        raise ValueError("it does not begin with a scheme (such as https:)")
    scheme, has_authority, authority, path, query, fragment = parts.groups()
    bad = _BAD_ESCAPE.search(value)
    if bad is not None:
        raise ValueError(f"'{value[bad.start():bad.start() + 3]}' at character {bad.start() + 1} is not a "
                         "percent-escape (% and two hex digits); write a % sign itself as %25")
    out = [scheme, ":"]
    if has_authority is not None:
        out.append("//" + _authority(authority, scheme.lower()))
    out.append(_encoded(_NOT_IN_PATH, path))
    if query is not None:
        out.append("?" + _encoded(_NOT_IN_QUERY, query[1:]))
    if fragment is not None:
        out.append("#" + _encoded(_NOT_IN_QUERY, fragment[1:]))
    return "".join(out)


def with_ascii_host(url: str) -> str:
    """`url` with its host as a browser reads it when it is not plain ASCII: a non-ASCII host in IDNA, as `as_uri`
    writes it (`http://example\u3002com/a`, a full-width host: `http://example.com/a`), a host with percent-escapes
    decoded (`http://ex%61mple.com/a`: `http://example.com/a`), all else as written; a ValueError naming a host the
    WHATWG URL standard refuses (`urlhost.read_host`), whether or not it is changed. What capture asks for: requests'
    own IDNA, without the UTS 46 mapping, refuses such a host, which a sidecar's check accepts, and it passes escapes
    on as written (but for those of letters, digits and `-._~`, which it decodes), for a proxy to decode."""
    parts = _PARTS.fullmatch(url)
    if parts is None or parts.group(3) is None:
        return url
    authority = parts.group(3)
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        return url
    host, colon, port = hostport.partition(":")
    read = read_host(host)
    if host.isascii() and "%" not in host:
        return url
    return url[:parts.start(3)] + userinfo + at + read + colon + port + url[parts.end(3):]


def _authority(authority: str, scheme: str) -> str:
    """`userinfo@host:port` with the userinfo encoded and the host in IDNA; ValueError for a bad host or port."""
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        close = hostport.find("]")
        host, rest = (hostport[:close + 1], hostport[close + 1:]) if close >= 0 else (hostport, "")
        if not _ip_literal(host):
            raise ValueError(f"the host {host!r} is not an IPv6 address in brackets")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{rest!r} follows the host {host!r}; only ':port' may")
        port = rest[1:] if rest else None
    else:
        host, colon, port_text = hostport.partition(":")
        port = port_text if colon else None
        if not host.isascii():
            host = idna_host(host)
        elif not _REG_NAME.fullmatch(host):
            bad = next(char for char in host if not _REG_NAME.fullmatch(char))
            raise ValueError(f"the host {host!r} holds {bad!r}, which no host name may")
        if not host and scheme in ("http", "https"):
            raise ValueError(f"an {scheme} address needs a host after '//'")
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise ValueError(f"the port {port!r} is not a number from 0 to 65535")
    return (_encoded(_NOT_IN_USERINFO, userinfo) + at + host + ("" if port is None else ":" + port))


def _ip_literal(host: str) -> bool:
    """Whether `host` is RFC 3986's IP-literal: [IPv6address] or [vX.future]."""
    inner = host[1:-1]
    if not (host.endswith("]") and inner):
        return False
    if inner[0] in "vV":
        return _IP_FUTURE.fullmatch(inner) is not None
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return False
    return "%" not in inner   # a zone id (RFC 6874) is not part of a URI's host


def _encoded(not_allowed: re.Pattern[str], text: str) -> str:
    """`text` with each character `not_allowed` matches percent-encoded as UTF-8 (upper-case hex)."""
    return not_allowed.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    try:
        raw = match.group().encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate: no UTF-8 form, so no URI form
        raise ValueError(f"it holds {match.group()!r}, which is not a Unicode character") from None
    return "".join(f"%{byte:02X}" for byte in raw)
