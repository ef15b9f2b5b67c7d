"""Fetch an original with requests and keep the exchange as it went over the wire.

The only module that touches the network. Redirects are followed here, hop by hop, so that
every hop is checked (http/https only, a Location with a host; no private, loopback or link-local
address unless allowed; no loops: back to a URL with the cookies it was asked with before, while
a cookie set since, as a cookie check sets one, is followed; a limit on their number) and kept. The session made by
`capture_session()` records the request bytes as sent and the response head as received
(through `wire`'s urllib3 connection classes), through the proxy the environment names (HTTP_PROXY,
HTTPS_PROXY, NO_PROXY) and with nothing else taken from it (no .netrc); a caller's own session gets
rebuilt heads instead, and `Exchange.exact` says which. Bodies are read raw (Content-Encoding kept),
with the size cap enforced while streaming; see `httpbytes` for chunked bodies.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import ipaddress
import logging
import math
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from requests.utils import get_environ_proxies, select_proxy
from urllib3 import ProxyManager
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import InvalidChunkLength, LocationValueError, ProtocolError, ReadTimeoutError

from ._version import __version__
from .arguments import FLAG, FUNCTION, INT, NUMBER, TEXT, Kind, require
from .defaults import CONNECT_TIMEOUT, MAX_FETCH_BYTES, MAX_REDIRECTS, READ_TIMEOUT, TOTAL_TIMEOUT
from .errors import CaptureError, InputError, option
from .httpbytes import (
    Exchange,
    build_request_head,
    build_response_head,
    decode_body,
    dechunked_head,
    has_credentials,
    is_error_status,
    parse_head,
    reason_phrase,
    split_message,
)
from .iri import with_ascii_host
from .urlhost import ipv4_address
from .wire import CURRENT, BlockedAddress, RecordingHTTPPool, RecordingHTTPSPool, Wire, address_problem

__all__ = [
    "MiB",
    "USER_AGENT",
    "Capture",
    "address_problem",
    "capture",
    "capture_session",
]

log = logging.getLogger(__name__)

MiB = 1024 * 1024
USER_AGENT = f"provpack/{__version__} (+https://pypi.org/project/provpack/)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
REQUEST_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}
_READ_CHUNK = 64 * 1024
_RETRY_AFTER_CAP = 30.0


@dataclass(frozen=True, slots=True)
class Capture:
    """A fetched original: every redirect hop and the final exchange, with its decoded body, or None and
    `decode_problem` saying why when its Content-Encoding cannot be undone (the exchange is kept as received)."""

    requested_url: str
    redirects: tuple[Exchange, ...]
    response: Exchange
    decoded_body: bytes | None
    attempts: int
    decode_problem: str | None = None

    @property
    def url(self) -> str:
        """The final URL, after redirects."""
        return self.response.url

    @property
    def sent_url(self) -> str:
        """The final URL as it was requested on the wire (percent-encoded by requests)."""
        return self.response.sent_url

    @property
    def status(self) -> int:
        """The final HTTP status."""
        return self.response.status

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """The final response's headers as received."""
        return self.response.headers

    @property
    def fetched_at(self) -> dt.datetime:
        """When the final response arrived (UTC)."""
        return self.response.fetched_at

    @property
    def content_type(self) -> str | None:
        """The final response's Content-Type header."""
        return self.response.header("Content-Type")

    @property
    def request_bytes(self) -> bytes:
        """The final request as sent."""
        return self.response.request_block

    @property
    def response_bytes(self) -> bytes:
        """The final response as stored (see httpbytes for chunked bodies)."""
        return self.response.response_block

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """Every exchange in order: redirect hops, then the final one."""
        return self.redirects + (self.response,)


_RECORDING_POOLS = {"http": RecordingHTTPPool, "https": RecordingHTTPSPool}


class _RecordingAdapter(HTTPAdapter):
    """A requests adapter whose connections record the wire bytes, through an HTTP proxy too."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_RECORDING_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):   # (a SOCKS proxy's manager has pools of its own: heads rebuilt)
            manager.pool_classes_by_scheme = dict(_RECORDING_POOLS)
        return manager


class _ProxiedSession(requests.Session):
    """A session that goes through the proxy the environment names for a URL (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
    NO_PROXY, read as requests reads them), even with `trust_env` off, which keeps out the rest of what requests
    takes from the environment: a .netrc's password (sent as an Authorization header, and recorded in an archive
    meant to be published) and REQUESTS_CA_BUNDLE (a CA that could vouch for a TLS-intercepting proxy's copy of a
    page). Proxies given to the session itself come first."""

    def merge_environment_settings(self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> Any:
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        chosen = dict(merged["proxies"] or {})
        if not self.trust_env and url:
            text = url.decode("utf-8", "replace") if isinstance(url, bytes) else url
            for scheme, proxy in get_environ_proxies(text, no_proxy=chosen.get("no_proxy")).items():
                chosen.setdefault(scheme, proxy)
        # A proxy written without a scheme (`proxy.corp:3128`, `user:pw@proxy:3128`) is an http:// one, as curl reads
        # it; requests read `proxy.corp` as the scheme and said the page's URL was malformed.
        merged["proxies"] = {key: _with_scheme(proxy) if key != "no_proxy" else proxy for key, proxy in chosen.items()}
        return merged


def _with_scheme(proxy: Any) -> Any:
    """A proxy's URL with `http://` before it if it has no scheme."""
    return f"http://{proxy}" if isinstance(proxy, str) and proxy and "://" not in proxy else proxy


def capture_session(*, trust_env: bool = False) -> requests.Session:
    """A requests session that records exact wire bytes (and holds a Wire's deadline while a head arrives).
    It goes through the proxy HTTP_PROXY, HTTPS_PROXY or ALL_PROXY names for a URL whose host NO_PROXY does not
    list, as requests does; with `trust_env` it also takes a .netrc's credentials and REQUESTS_CA_BUNDLE."""
    session = _ProxiedSession()
    session.trust_env = trust_env
    adapter = _RecordingAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- one request -----------------------------------------------------------------------


class _Transient(Exception):
    """A failure worth retrying (connection refused or reset, DNS failure)."""


@dataclass(frozen=True, slots=True)
class _Settings:
    timeout: tuple[float, float]
    max_bytes: int
    allow_private: bool
    deadline: float
    clock: Callable[[], dt.datetime]
    total: float   # the seconds of the whole capture, which `deadline` ends

    @property
    def too_long(self) -> str:
        return f"the capture took longer than its total time limit ({self.total:g} s)"

    @property
    def no_retry(self) -> str:
        return f"a retry would pass the total time limit ({self.total:g} s)"


def _host_problem(url: str, allow_private: bool, proxy: str | None) -> str | None:
    """Resolve the URL's host and say why it may not be fetched, if so. Through a `proxy`, which resolves the host
    itself and connects to it, what can be checked here is: the host written as an address, `localhost` (and a name
    ending in `.localhost`), and what this machine's resolver gives for it when it gives anything. The host is read
    as a resolver reads it: in any case, with or without one trailing dot, an IPv6 address without its zone id; and
    as the WHATWG URL standard reads it (`with_ascii_host` has decoded its percent-escapes; an IPv4 address in any
    of the standard's forms), as browsers and the proxies that follow them read it."""
    if allow_private:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""   # (lower case)
    name = host[:-1] if host.endswith(".") else host
    refused = f"; refused (pass {option('--allow-private', 'allow_private=True')} to fetch it)"
    loopback = f"host {host!r} names this machine (loopback){refused}"
    localhost = name == "localhost" or name.endswith(".localhost")   # (RFC 6761: never a name of another machine)
    if localhost and proxy is not None:
        return loopback
    written = _written_address(name)
    if written is not None:   # (never resolved: a resolver may refuse it, a zone id, and a proxy would take it on)
        problem = address_problem(written)
        return None if problem is None else f"host {host!r} resolves to {written}, which is {problem}{refused}"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        if localhost:
            return loopback
        if proxy is not None:   # (a network that reaches the web through a proxy may resolve no name outside)
            return None
        raise _Transient(f"cannot resolve host {host!r}: {exc}{_NO_PROXY_HINT}") from exc
    for info in infos:
        address = str(info[4][0])
        problem = address_problem(address)
        if problem is not None:
            return f"host {host!r} resolves to {address}, which is {problem}{refused}"
    return loopback if localhost else None


def _written_address(name: str) -> str | None:
    """The address a host (lower case, without a trailing dot) is written as, or None for a name: IPv6 without its
    zone id (`fe80::1%25eth0`), IPv4 in any form a URL's host may take (`127.1`, `0x7f.1`, `2130706433`, `0x`)."""
    if ":" in name:
        address = name.split("%", 1)[0]
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return None
        return address
    try:
        return ipv4_address(name)
    except ValueError:   # (`1.2.3.09.` of `1.2.3.09..`, which the URL standard reads as a name: resolved as one)
        return None


_NO_PROXY_HINT = "; if this network reaches the web only through a proxy, set HTTPS_PROXY and HTTP_PROXY to it"
_PROXY_PASSWORD = (": the proxy asks for a user name and password; give them in its URL in HTTPS_PROXY and HTTP_PROXY "
                   "(http://user:password@proxy:port; they are not archived)")
_TUNNEL_FAILED = "Tunnel connection failed: "   # (http.client's words for a CONNECT answered with another status)


def _proxy_for(session: requests.Session, url: str) -> str | None:
    """The proxy a request for `url` goes through (the session's, or the environment's as `_ProxiedSession` reads
    it), or None: straight to the host."""
    proxies = session.merge_environment_settings(url, {}, True, None, None)["proxies"]
    return select_proxy(url, proxies) if proxies else None


def _resolution_failed(exc: BaseException) -> bool:
    """Whether a connection failed because the host's name could not be resolved."""
    return any(isinstance(inner, socket.gaierror) for inner in _chain(exc))


def _without_credentials(url: str) -> str:
    """The URL with its user name and password left out, to name it in a message."""
    try:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))
    except ValueError:
        return "(a URL that does not parse)"


def _url_problem(url: str) -> str | None:
    """Why a URL cannot be fetched at all (malformed, scheme, host), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"the URL is malformed: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"only http and https URLs are fetched, not {parts.scheme or 'a URL without a scheme'}"
    if not parts.hostname:
        return "the URL has no host"
    return None


def _describe(exc: BaseException) -> str:
    """The innermost useful message of a requests/urllib3 exception chain."""
    reason: BaseException = exc
    while True:
        inner = getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    text = str(reason) or type(reason).__name__
    return text.split(": ", 1)[-1] if "object at 0x" in text else text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every one it was raised from or wraps (urllib3 keeps some in its args), once each."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        pending.extend(reversed([e for e in inner if isinstance(e, BaseException)]))


def _clip(text: str, limit: int = 200) -> str:
    """A server's text quoted in a message: at most `limit` characters, the cut marked."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _protocol_problem(exc: BaseException) -> str | None:
    """What is wrong when the server's reply is not HTTP/1.x that http.client can read (an HTTP/0.9 reply, a
    status or header line over 64 KiB, more than 100 headers), or None: not worth retrying, unlike a connection
    the peer closed (RemoteDisconnected, also a BadStatusLine) or reset."""
    for inner in _chain(exc):
        if isinstance(inner, http.client.BadStatusLine) and not isinstance(inner, ConnectionError):
            return f"the server's reply is not HTTP/1.x: its first line is {_clip(repr(str(inner)))}"
        if isinstance(inner, http.client.HTTPException) and not isinstance(inner, (ConnectionError,
                                                                                 http.client.IncompleteRead)):
            return f"the server's reply is not HTTP that can be read: {_clip(str(inner) or type(inner).__name__)}"
    return None


_INT_BASE_16 = "invalid literal for int() with base 16: "


def _bad_chunk_size(exc: BaseException) -> str | None:
    """The chunk size line of a chunked body that could not be read (repr of its bytes; "" when the connection
    closed where one was due), or None when that is not what went wrong. urllib3 says so with InvalidChunkLength,
    http.client (which reads chunks for read1) with the ValueError of int() behind an IncompleteRead."""
    for inner in _chain(exc):
        if isinstance(inner, InvalidChunkLength):
            return repr(inner.length) if inner.length.strip() else ""
        if isinstance(inner, ValueError) and str(inner).startswith(_INT_BASE_16):
            line = str(inner)[len(_INT_BASE_16):]
            return "" if line in ("b''", "''") else line
    return None


def _read_body(response: requests.Response, url: str, settings: _Settings) -> bytes:
    """The body as transmitted (Content-Encoding kept), capped while streaming."""
    declared = response.headers.get("Content-Length", "")
    # (ASCII digits only: str.isdigit also takes "²", which int() refuses; and a bounded count of them)
    if declared.isascii() and declared.isdigit() and (len(declared) > 30 or int(declared) > settings.max_bytes):
        raise CaptureError(url, f"Content-Length {declared} is over the cap of {settings.max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > settings.deadline:
            raise CaptureError(url, settings.too_long)
        try:
            chunk = response.raw.read1(_READ_CHUNK, decode_content=False)
        except ReadTimeoutError as exc:
            raise CaptureError(url, f"read timed out after {settings.timeout[1]:g} s while receiving the body") from exc
        except (ProtocolError, Urllib3HTTPError, OSError) as exc:
            size_line = _bad_chunk_size(exc)
            if size_line:
                raise CaptureError(url, f"the chunked body is malformed: after {total:,} bytes of body, a chunk "
                                   f"size line is {_clip(size_line)}, not a hexadecimal number") from exc
            if size_line is not None:
                raise _Transient(f"the chunked body was cut short: the connection closed after {total:,} bytes "
                                 "of body, before its last chunk") from exc
            raise _Transient(f"connection broke while receiving the body: {_describe(exc)}") from exc
        if not chunk:
            break
        total += len(chunk)
        if total > settings.max_bytes:
            raise CaptureError(url, f"body is over the cap of {settings.max_bytes} bytes; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch_once(session: requests.Session, url: str, address: str, settings: _Settings,
                proxy: str | None) -> Exchange:
    """Send one GET for `url` (no redirect following) to `address` (the URL with its host in ASCII), through `proxy`
    if not None, and read the whole response."""
    wire = Wire(allow_private=settings.allow_private, deadline=settings.deadline)
    token = CURRENT.set(wire)
    try:
        try:
            prepared = session.prepare_request(requests.Request("GET", address, headers=REQUEST_HEADERS))
            environment = session.merge_environment_settings(prepared.url, {}, True, None, None)
            # The adapter, not Session.send: with allow_redirects=False the session still
            # reads a redirect's body (decoded) to look ahead, and it would be lost here.
            verify = environment["verify"]
            response = session.get_adapter(prepared.url or url).send(
                prepared, stream=True, timeout=settings.timeout, verify=True if verify is None else verify,
                cert=environment["cert"], proxies=environment["proxies"],
            )
            extract_cookies_to_jar(session.cookies, prepared, response.raw)  # type: ignore[no-untyped-call]
        except (requests.exceptions.InvalidURL, LocationValueError) as exc:
            raise CaptureError(url, f"the URL is malformed: {_describe(exc)}") from exc
        except BlockedAddress as exc:
            raise CaptureError(url, f"connected to {exc.address}, which is {exc.problem}; "
                               f"refused (pass {option('--allow-private', 'allow_private=True')} to fetch it)") from exc
        except requests.exceptions.SSLError as exc:
            if proxy is not None:   # (a proxy that intercepts TLS shows a certificate of its own CA's)
                raise CaptureError(url, f"TLS failed through the proxy {_without_credentials(proxy)}: {_describe(exc)} "
                                   "(if the proxy reads TLS traffic, showing a certificate of its own, it is not "
                                   "trusted: its copy of the page is not the server's)") from exc
            raise CaptureError(url, f"TLS failed: {_describe(exc)}") from exc
        except requests.ConnectionError as exc:
            if (protocol := _protocol_problem(exc)) is not None:
                raise CaptureError(url, protocol) from exc
            if proxy is not None:
                said = _describe(exc)
                if said.startswith(_TUNNEL_FAILED):   # the proxy's answer to the CONNECT: not worth retrying
                    status = said[len(_TUNNEL_FAILED):]
                    raise CaptureError(url, f"the proxy {_without_credentials(proxy)} refused to open a tunnel to the "
                                       f"server: HTTP {status}" + _PROXY_PASSWORD * status.startswith("407 ")) from exc
                raise _Transient(f"could not connect through the proxy {_without_credentials(proxy)}: {said}") from exc
            hint = _NO_PROXY_HINT if _resolution_failed(exc) else ""
            raise _Transient(f"could not connect: {_describe(exc)}{hint}") from exc
        except requests.Timeout as exc:
            if time.monotonic() >= settings.deadline:
                raise CaptureError(url, settings.too_long) from exc
            raise CaptureError(url, f"no response within the read timeout of {settings.timeout[1]:g} s") from exc
        except requests.RequestException as exc:
            via = "" if proxy is None else f" through the proxy {_without_credentials(proxy)}"
            raise CaptureError(url, f"request failed{via}: {_describe(exc)}") from exc
        try:
            body = _read_body(response, url, settings)
        finally:
            response.close()
        return _exchange(url, prepared, response, body, wire, settings.clock())
    finally:
        CURRENT.reset(token)


def _exchange(
    url: str,
    prepared: requests.PreparedRequest,
    response: requests.Response,
    body: bytes,
    wire: Wire,
    fetched_at: dt.datetime,
) -> Exchange:
    """Assemble the exchange from what the wire recorded (or rebuild the heads); a Proxy-Authorization header the
    request sent to a proxy is left out (the proxy's password: archives are meant to be published), and the heads
    are then not exact."""
    exact = wire.head is not None and bool(wire.sent)
    if exact and wire.head is not None:
        request_head, received_head = _without_header(bytes(wire.sent), b"proxy-authorization"), wire.head
        exact = len(request_head) == len(wire.sent)
    else:
        parts = urlsplit(url)
        host = [("Host", parts.netloc.rsplit("@", 1)[-1])]
        request_head = build_request_head(prepared.method or "GET", prepared.path_url,
                                          host + list(prepared.headers.items()))
        version = str(getattr(response.raw, "version_string", "HTTP/1.1"))
        received_head = build_response_head(version, response.status_code, response.reason or "",
                                            list(response.raw.headers.items()))
    _, headers = parse_head(received_head)
    chunked = any(name.lower() == "transfer-encoding" and "chunked" in value.lower()
                  for name, value in headers)
    stored_head = dechunked_head(received_head, len(body)) if chunked else received_head
    return Exchange(
        url=url,
        sent_url=prepared.url or url,
        method=prepared.method or "GET",
        request_head=request_head,
        request_body=b"",
        response_head=stored_head,
        body=body,
        status=response.status_code,
        reason=response.reason or "",
        headers=headers,
        peer_address=wire.peer,
        fetched_at=fetched_at,
        exact=exact,
        dechunked=chunked,
    )


def _without_header(message: bytes, name: bytes) -> bytes:
    """An HTTP message without the lines of its head that hold the header `name` (in lower case)."""
    head, body = split_message(message)
    if name not in head.lower():
        return message
    first, *lines = head.splitlines(keepends=True)
    return first + b"".join(line for line in lines if line.split(b":", 1)[0].strip().lower() != name) + body


def _retry_delay(exchange: Exchange | None, attempt: int, backoff: float) -> float:
    """Exponential backoff, or the server's Retry-After when longer (at most _RETRY_AFTER_CAP: a longer one is
    not retried, see _retry_after)."""
    delay = backoff * float(2**attempt)
    wanted = _retry_after(exchange) if exchange is not None else None
    if wanted is not None:
        delay = max(delay, min(wanted, _RETRY_AFTER_CAP))
    return delay


def _retry_after(exchange: Exchange) -> float | None:
    """The seconds the server's Retry-After asks to wait (RFC 9110 10.2.3: a number of seconds, or an HTTP-date,
    counted from the response's Date when it has one, as the RFC has it, else from the time it was fetched);
    None when there is none or it is neither."""
    value = exchange.header("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit() and value.isascii():
        return float(value) if len(value) <= 12 else float("inf")   # (a number of 13 digits is centuries)
    when = _http_date(value)
    if when is None:
        return None
    sent = _http_date(exchange.header("Date") or "")
    if sent is None:   # (a clock given to capture may be naive: read as local time, as warc_date reads it)
        sent = exchange.fetched_at.astimezone(dt.timezone.utc)
    return max(0.0, (when - sent).total_seconds())


def _http_date(value: str) -> dt.datetime | None:
    """An HTTP-date (IMF-fixdate, or the obsolete forms email.utils reads) in UTC, else None (as for one that
    would pass the year 9999 in UTC: `Fri, 31 Dec 9999 23:59:59 -1200`)."""
    try:
        when = email.utils.parsedate_to_datetime(value)
        return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _fetch_with_retries(
    session: requests.Session,
    requested: str,
    url: str,
    settings: _Settings,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
    keep_errors: bool = False,
) -> tuple[Exchange, int]:
    """Fetch one hop, retrying connection failures and 429/500/502/503/504 with backoff; with `keep_errors`, the
    last answer when a retry would pass the total time limit (else a CaptureError saying so)."""
    attempts = retries + 1
    try:
        address = with_ascii_host(url)   # (the host as browsers read it: UTS 46's IDNA, percent-escapes decoded)
    except ValueError as exc:
        where = "" if url == requested else f"redirect to {url}: "
        raise CaptureError(requested, f"{where}the URL is malformed: {exc}") from exc
    proxy = _proxy_for(session, address)
    for attempt in range(attempts):
        try:
            problem = _host_problem(address, settings.allow_private, proxy)
            if problem is not None:
                raise CaptureError(requested, problem if url == requested else f"redirect to {url}: {problem}")
            exchange = _fetch_once(session, url, address, settings, proxy)
        except CaptureError as exc:
            if url == requested or exc.url == requested:
                raise
            raise CaptureError(requested, f"redirect to {url}: {exc.problem}") from exc
        except _Transient as exc:
            if attempt + 1 == attempts:
                where = "" if url == requested else f"redirect to {url}: "
                raise CaptureError(requested, f"{where}{exc} (gave up after {_attempts(attempts)})") from exc
            delay = _retry_delay(None, attempt, backoff)
            if time.monotonic() + delay > settings.deadline:
                where = "" if url == requested else f"redirect to {url}: "
                raise CaptureError(requested, f"{where}{exc} (gave up after {_attempts(attempt + 1)}: "
                                   f"{settings.no_retry})") from exc
            log.info("%s: %s; retrying", url, exc)
            sleep(delay)
            continue
        if exchange.status in RETRY_STATUSES and attempt + 1 < attempts:
            wanted = _retry_after(exchange)
            if wanted is not None and wanted > _RETRY_AFTER_CAP:
                # The server says when to come back, and it is later than provpack waits: retrying sooner would
                # ignore what it asked (and would most likely get the same answer), so this answer is the last.
                if keep_errors:
                    return exchange, attempt + 1
                where = "" if url == requested else f" from {url}"
                raise CaptureError(requested, f"HTTP {exchange.status} {_clip(reason_phrase(exchange.reason))}{where} "
                                   f"(not retried: the server asked to wait {_seconds(wanted)} before retrying, longer "
                                   f"than provpack waits, {_RETRY_AFTER_CAP:.0f} seconds; try again later)")
            delay = _retry_delay(exchange, attempt, backoff)
            if time.monotonic() + delay > settings.deadline:
                if keep_errors:   # (the server's answer all the same: an error answer, kept)
                    return exchange, attempt + 1
                where = "" if url == requested else f" from {url}"
                raise CaptureError(requested, f"HTTP {exchange.status} {_clip(reason_phrase(exchange.reason))}{where} (gave up after "
                                   f"{_attempts(attempt + 1)}: {settings.no_retry})")
            log.info("%s: HTTP %d; retrying", url, exchange.status)
            sleep(delay)
            continue
        return exchange, attempt + 1
    raise CaptureError(requested, "no attempt was made (retries must be 0 or more)")


def _utf8(value: str) -> str:
    """A header value read as latin-1 (as HTTP libraries read bytes) that is really UTF-8, as servers send a
    non-ASCII Location and as requests and browsers read it; else the value as it was."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _seconds(seconds: float) -> str:
    """A wait in words, in whole seconds rounded up (30.2 is `31 seconds`: more than 30), or `more than a year`."""
    if seconds > 366 * 86400:
        return "more than a year"
    return f"{math.ceil(seconds):,} seconds"


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})


def _with_slashes(location: str) -> str:
    """A Location with each backslash before its query or fragment read as a slash, as browsers read it in an http(s)
    URL (the WHATWG URL standard, for its special schemes): `/\\host/a` is `//host/a`, a URL on another host, which
    urljoin took for a path on this one. A Location of another scheme is left as it is (and refused)."""
    scheme = _SCHEME.match(location)
    if scheme is not None and scheme.group()[:-1].lower() not in _SPECIAL_SCHEMES:
        return location
    end = min((at for at in (location.find("?"), location.find("#")) if at >= 0), default=len(location))
    return location[:end].replace("\\", "/") + location[end:]


def _empty_authority(location: str) -> bool:
    """True when an http(s) or scheme-relative Location has `//` where its host goes but no host after it
    (`http://`, `//`, `http:///p`), which urljoin would read as the current URL or its host: no URL to go to."""
    parts = urlsplit(location)
    rest = location[len(parts.scheme) + 1:] if parts.scheme else location
    return parts.scheme.lower() in ("", "http", "https") and rest.startswith("//") and not parts.netloc


def _cookie_state(session: requests.Session) -> frozenset[tuple[str, str, str, str]]:
    """The session's cookies (domain, path, name, value): what a request sends depends on them."""
    return frozenset((cookie.domain, cookie.path, cookie.name, cookie.value or "") for cookie in session.cookies)


def _without_fragment(url: str) -> str:
    """The URL without its #fragment, and otherwise as written: urlunsplit(urlsplit()) would drop an empty `?` and
    lower-case the scheme, and the capture's final URL would differ from the one asked for, as after a redirect."""
    return url.split("#", 1)[0]


def _is_seconds(value: float) -> bool:
    """A number of seconds to wait: more than 0, and finite (NaN is neither)."""
    return math.isfinite(value) and value > 0


_SESSION = Kind(lambda value: isinstance(value, requests.Session), "a requests.Session")
_TIMEOUT = Kind(lambda value: isinstance(value, tuple) and len(value) == 2 and all(map(NUMBER.accepts, value)),
                "a (connect, read) pair of numbers of seconds",
                flaw=lambda value: None if all(map(_is_seconds, value)) else
                f"the seconds must be more than 0 (and finite), not {value!r}")


def _check_arguments(url: str, session: requests.Session | None, timeout: tuple[float, float], max_bytes: int,
                     max_redirects: int, retries: int, backoff: float, allow_private: bool, total_timeout: float,
                     sleep: Callable[[float], None], clock: Callable[[], dt.datetime], keep_errors: bool) -> None:
    """capture's arguments: an InputError naming the first of the wrong type, or out of its range."""
    require((("url", url, TEXT), ("session", session, _SESSION.or_none), ("timeout", timeout, _TIMEOUT),
             ("max_bytes", max_bytes, INT), ("max_redirects", max_redirects, INT), ("retries", retries, INT),
             ("backoff", backoff, NUMBER), ("allow_private", allow_private, FLAG),
             ("total_timeout", total_timeout, NUMBER), ("sleep", sleep, FUNCTION), ("clock", clock, FUNCTION),
             ("keep_errors", keep_errors, FLAG)))
    for name, count in (("max_bytes", max_bytes), ("max_redirects", max_redirects), ("retries", retries)):
        if count < 0:
            raise InputError(name, f"must be 0 or more, not {count}")
    if not (math.isfinite(backoff) and backoff >= 0):
        raise InputError("backoff", f"must be 0 or more seconds (and finite), not {backoff}")
    if not _is_seconds(total_timeout):
        raise InputError("total_timeout", f"must be more than 0 seconds (and finite), not {total_timeout}")


def capture(
    url: str,
    *,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    max_bytes: int = MAX_FETCH_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    retries: int = 3,
    backoff: float = 0.5,
    allow_private: bool = False,
    total_timeout: float = TOTAL_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], dt.datetime] = _utc_now,
    keep_errors: bool = False,
) -> Capture:
    """Fetch url (following redirects) and return every exchange as bytes; CaptureError on failure.

    `timeout` is the (connect, read) seconds of each request (5 and 20), `total_timeout` those of the whole capture,
    retries and redirects included (120). A final answer with an error status (4xx or 5xx, once retries and redirects
    are done) is a CaptureError, or with `keep_errors` returned as any answer is (its `status` says it), as web
    archivers keep one: the server's answer at that time. An argument of the wrong type, or a number out of its
    range, is an InputError naming it, raised before anything is sent.
    """
    _check_arguments(url, session, timeout, max_bytes, max_redirects, retries, backoff, allow_private, total_timeout,
                     sleep, clock, keep_errors)
    problem = _url_problem(url)
    if problem is not None:
        raise CaptureError(url, problem)
    if has_credentials(url):   # (named without them: the message may be logged)
        raise CaptureError(_without_credentials(url), "the URL holds a user name or password (user:password@host): "
                           "archives are meant to be published, and it would be recorded in them (and sent as an "
                           "Authorization header); remove the user:password@ part, or for a page behind a login, "
                           "save it and package the copy as a local original")
    settings = _Settings(timeout, max_bytes, allow_private, time.monotonic() + total_timeout, clock, total_timeout)
    active = session if session is not None else capture_session()
    try:
        hops: list[Exchange] = []
        seen = [_without_fragment(url)]
        visited = {(seen[0], _cookie_state(active))}
        attempts_total = 0
        while True:
            current = seen[-1]
            exchange, attempts = _fetch_with_retries(active, url, current, settings, retries, backoff, sleep,
                                                     keep_errors)
            attempts_total += attempts
            location = (exchange.header("Location") or "").strip()
            if exchange.status in REDIRECT_STATUSES and location:
                hops.append(exchange)
                target_problem: str | None
                given = _with_slashes(_utf8(location))
                try:
                    target = _without_fragment(urljoin(current, given))
                    empty_host = _empty_authority(given)
                except ValueError as exc:
                    target, target_problem = location, f"the URL is malformed: {exc}"
                else:
                    target_problem = _url_problem(target)
                    if empty_host:   # (urljoin reads `http://` as the current URL: no loop, no URL at all)
                        target, target_problem = location, (
                            "its Location has an empty host (nothing after '//'): it names no URL to go to")
                if target_problem is None and has_credentials(target):
                    target, target_problem = _without_credentials(target), (
                        "its URL holds a user name or password, which would be sent and recorded in the archive")
                if target_problem is not None:
                    raise CaptureError(url, f"redirect from {current} to {target} refused: {target_problem}")
                # Back to a URL visited with the same cookies is a loop; with a cookie set since (a cookie check:
                # a 302 to the same URL with Set-Cookie) it is followed, as browsers follow it, up to the limit.
                state = (target, _cookie_state(active))
                if state in visited:
                    raise CaptureError(url, "redirect loop: " + " -> ".join(seen + [target]))
                if len(hops) > max_redirects:
                    raise CaptureError(url, f"more than {max_redirects} redirects: " + " -> ".join(seen + [target]))
                seen.append(target)
                visited.add(state)
                continue
            kept = 200 <= exchange.status < 300 or keep_errors and is_error_status(exchange.status)
            if not kept or exchange.status in (206, 407):   # (a 407 is a proxy's answer, not the server's)
                tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                where = "" if current == url else f" from {current}"
                partial = ": only part of the page (a byte range, which was not asked for)" * (exchange.status == 206)
                unled = ": a redirect without a Location (no URL to follow)" * (exchange.status in REDIRECT_STATUSES)
                proxy = _PROXY_PASSWORD * (exchange.status == 407)
                raise CaptureError(url, f"HTTP {exchange.status} {_clip(reason_phrase(exchange.reason))}".rstrip()
                                   + f"{where}{tries}{partial}{unled}{proxy}")
            try:
                decoded = decode_body(exchange.body, exchange.header("Content-Encoding"), max_bytes=max_bytes)
            except ValueError as exc:   # received in full all the same: kept, with no text to align against
                return Capture(url, tuple(hops), exchange, None, attempts_total, str(exc))
            return Capture(url, tuple(hops), exchange, decoded, attempts_total)
    finally:
        if session is None:
            active.close()
