"""Tests for provpack.capture against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from localserver import (CHUNKS, ENCODED, HUGE, PAGE, WRONG_CHARSET, ProxyState, ServerState, serve, serve_proxy,
                         serve_tls, unused_port)
from provpack import capture as capture_module
from provpack._version import __version__
from provpack.capture import USER_AGENT, capture
from provpack.errors import CaptureError
from provpack.htmltext import extract_text
from provpack.httpbytes import http_record_blocks, parse_head, split_message

FETCHED_AT = dt.datetime(2017, 11, 12, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def server() -> Iterator[ServerState]:
    """The local test server."""
    with serve() as state:
        yield state


class Sleeps(list[float]):
    """Records the backoff delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(url: str, **options: Any) -> Any:
    """capture() for local URLs: private allowed, fixed clock, no real sleeping."""
    options.setdefault("allow_private", True)
    options.setdefault("sleep", Sleeps())
    return capture(url, clock=lambda: FETCHED_AT, **options)


def test_200_keeps_the_exact_request_and_response_bytes(server: ServerState) -> None:
    """The request as sent and the response as received are stored byte for byte."""
    result = fetch(server.url("/page.html"))
    exchange = result.response
    assert (result.status, result.url, result.redirects, result.attempts) == (200, server.url("/page.html"), (), 1)
    assert exchange.exact and not exchange.dechunked
    assert exchange.request_head.startswith(
        f"GET /page.html HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode()
    )
    assert exchange.request_head.endswith(b"\r\n\r\n")
    request_line, seen_headers = server.requests[0]
    start, sent_headers = parse_head(exchange.request_head)
    assert start == request_line
    assert list(sent_headers) == seen_headers
    assert dict(sent_headers)["User-Agent"] == USER_AGENT == f"provpack/{__version__} (+https://pypi.org/project/provpack/)"
    assert exchange.response_head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert result.response_bytes == exchange.response_head + PAGE
    assert result.decoded_body == PAGE and exchange.body == PAGE
    assert exchange.peer_address == "127.0.0.1"
    assert result.fetched_at == FETCHED_AT
    assert result.content_type == "text/html; charset=utf-8"


def test_head_is_recorded_exactly_as_received(server: ServerState) -> None:
    """Odd spacing and header case in the response head survive untouched."""
    result = fetch(server.url("/odd-head"))
    assert result.response.response_head == b"HTTP/1.1 200  Fine\r\nX-Odd:   spaced  \r\ncontent-length: 2\r\n\r\n"
    assert result.response.reason == " Fine" or result.response.reason == "Fine"
    assert result.response.header("x-odd") == "spaced"


@pytest.mark.parametrize("path", ["/continue", "/early-hints", "/processing"])
def test_interim_1xx_heads_are_skipped_and_the_final_answer_recorded(server: ServerState, path: str) -> None:
    """A 100 Continue, 102 Processing or 103 Early Hints before the answer is skipped, as http.client skips only a
    100 (a 103 was taken for the answer: HTTP 103, a failure); the response record holds the final response."""
    result = fetch(server.url(path))
    assert (result.status, result.response.exact, result.response.body) == (200, True, PAGE)
    assert result.response.response_head == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(PAGE))


def test_a_101_is_no_interim_answer(server: ServerState) -> None:
    """A 101 Switching Protocols ends the exchange (the connection is another protocol's from there): it is not
    skipped as an interim head, and not an answer to archive."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/switching"))
    assert str(caught.value) == f"{server.url('/switching')}: HTTP 101 Switching Protocols"


def test_redirects_are_followed_and_every_hop_kept(server: ServerState) -> None:
    """301 then 302 (relative Location, fragment dropped): both hops kept in order."""
    result = fetch(server.url("/redirect-abs"))
    assert [hop.status for hop in result.redirects] == [301, 302]
    assert [hop.url for hop in result.redirects] == [server.url("/redirect-abs"), server.url("/redirect")]
    assert result.url == server.url("/page.html")
    assert result.redirects[1].body == b"moved"
    assert b"Location: /page.html\r\n" in result.redirects[1].response_head
    assert [e.url for e in result.exchanges][-1] == result.url


def test_a_utf8_location_is_followed_as_utf8(server: ServerState) -> None:
    """A Location holding UTF-8 bytes (/café) is read as UTF-8, as requests and browsers read it, not as
    latin-1 (which asked for /cafÃ© and got a 404)."""
    result = fetch(server.url("/to-cafe"))
    assert result.response.status == 200
    assert result.url == server.url("/caf\u00e9/page")   # (kept as an IRI, as a non-ASCII source_url is)
    assert server.hits["/caf%C3%A9/page"] == 1


def test_a_url_fetched_as_given_is_its_own_final_url(server: ServerState) -> None:
    """Not redirected, the final URL is the URL asked for as it was written, less its #fragment: an empty `?` and an
    upper-case scheme were rebuilt away (urlunsplit), and show, package and wacz said it was redirected."""
    for given in (server.url("/page.html?"), f"HTTP://127.0.0.1:{server.port}/page.html?e"):
        result = fetch(given + "#part")
        assert (result.requested_url, result.url, result.redirects) == (given + "#part", given, ())
    assert server.hits["/page.html?"] == 0 and server.hits["/page.html?e"] == 1   # (requests drops an empty ?)


@pytest.mark.parametrize(("host", "ascii_host"), [
    ("\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", "localhost"),   # full-width letters
    ("127\u30020\u30020\u30021", "127.0.0.1"),   # ideographic full stops
])
def test_a_host_a_sidecar_check_accepts_is_fetched_in_its_ascii_form(server: ServerState, host: str,
                                                                      ascii_host: str) -> None:
    """A host UTS 46 maps to ASCII, as a sidecar's check (iri.as_uri) reads it, is fetched in that form, checked
    for a private address in it; requests' own IDNA refused it ('is not a valid IDNA label')."""
    given = f"http://{host}:{server.port}/page.html"
    result = fetch(given)
    assert (result.status, result.url, result.sent_url) == (200, given, f"http://{ascii_host}:{server.port}/page.html")
    with pytest.raises(CaptureError) as caught:
        capture(given, sleep=Sleeps())
    assert str(caught.value) == (f"{given}: host '{ascii_host}' resolves to 127.0.0.1, which is loopback; refused "
                                 "(pass --allow-private (allow_private=True) to fetch it)")


@pytest.mark.parametrize("path", ["/no-location", "/blank-location"])
def test_a_redirect_without_a_location_says_so(server: ServerState, path: str) -> None:
    """A 302 with no Location, or one of white space alone, is a failure that says why: the status alone read as
    if a 302 could not be archived, and white space was joined to the URL asked for, a 'redirect loop'."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url(path))
    assert str(caught.value) == f"{server.url(path)}: HTTP 302 Found: a redirect without a Location (no URL to follow)"
    assert server.hits[path] == 1


def test_backslashes_in_a_location_are_slashes_as_browsers_read_them(server: ServerState) -> None:
    """`Location: /\\localhost:PORT/page.html` goes where a browser goes (WHATWG URL: in an http URL a backslash is a
    slash), to localhost, not to a path on this host; a backslash in the query stays as it is (sent as %5C)."""
    result = fetch(server.url("/goto?to=" + quote(f"/\\localhost:{server.port}/page.html?q=a\\b")))
    assert (result.status, result.url) == (200, f"http://localhost:{server.port}/page.html?q=a\\b")
    assert result.sent_url == f"http://localhost:{server.port}/page.html?q=a%5Cb"
    assert result.redirects[0].header("Location") == f"/\\localhost:{server.port}/page.html?q=a\\b"
    result = fetch(server.url("/goto?to=" + quote(f"http:\\\\127.0.0.1:{server.port}\\page.html")))
    assert result.url == server.url("/page.html")


def test_redirect_to_file_is_refused(server: ServerState) -> None:
    """A Location with another scheme stops the capture with a clear error."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/to-file"))
    assert caught.value.url == server.url("/to-file")
    assert str(caught.value) == (
        f"{server.url('/to-file')}: redirect from {server.url('/to-file')} to file:///etc/passwd "
        "refused: only http and https URLs are fetched, not file"
    )


def test_redirect_loop_is_reported(server: ServerState) -> None:
    """A -> B -> A is a loop, named in the error."""
    with pytest.raises(CaptureError, match="redirect loop: .*/loop-a -> .*/loop-b -> .*/loop-a$"):
        fetch(server.url("/loop-a"))


def test_too_many_redirects(server: ServerState) -> None:
    """More hops than max_redirects fail; exactly max_redirects pass."""
    with pytest.raises(CaptureError, match="more than 2 redirects"):
        fetch(server.url("/chain/3"), max_redirects=2)
    assert fetch(server.url("/chain/2"), max_redirects=2).decoded_body == b"end of chain"


def test_404_fails_at_once(server: ServerState) -> None:
    """A 404 is not retried and the error names status and URL."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/missing"), sleep=sleeps)
    assert str(caught.value) == f"{server.url('/missing')}: HTTP 404 Not Found"
    assert server.hits["/missing"] == 1 and sleeps == []


def test_500_is_retried_with_backoff_then_fails(server: ServerState) -> None:
    """A 500 is tried retries+1 times with doubling delays, then reported."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/error"), sleep=sleeps)
    assert str(caught.value).endswith("HTTP 500 Internal Server Error (after 4 attempts)")
    assert server.hits["/error"] == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_transient_503_then_success(server: ServerState) -> None:
    """Two 503s then a 200: the capture succeeds and counts its attempts."""
    sleeps = Sleeps()
    result = fetch(server.url("/flaky"), sleep=sleeps)
    assert (result.status, result.attempts, sleeps) == (200, 3, [0.5, 1.0])


def test_429_honours_retry_after(server: ServerState) -> None:
    """Retry-After (seconds) lengthens the wait."""
    sleeps = Sleeps()
    assert fetch(server.url("/too-many"), sleep=sleeps).status == 200
    assert sleeps == [7.0]


@pytest.mark.parametrize(("value", "said"), [("3600", "3,600 seconds"), ("31", "31 seconds"),
                                           ("9" * 20, "more than a year")])
def test_a_retry_after_longer_than_provpack_waits_is_not_retried(server: ServerState, value: str, said: str) -> None:
    """A Retry-After past the 30 s provpack waits is not cut short to 30 s and retried against the server's word: the
    429 is the answer, at once, saying why."""
    sleeps = Sleeps()
    url = server.url(f"/retry-after?value={value}")
    with pytest.raises(CaptureError) as caught:
        fetch(url, sleep=sleeps)
    assert str(caught.value) == (f"{url}: HTTP 429 Too Many Requests (not retried: the server asked to wait {said} "
                                 "before retrying, longer than provpack waits, 30 seconds; try again later)")
    assert server.hits[f"/retry-after?value={value}"] == 1 and sleeps == []


def test_a_retry_after_of_30_seconds_is_waited(server: ServerState) -> None:
    """30 s, the most provpack waits, is waited and retried."""
    sleeps = Sleeps()
    assert fetch(server.url("/retry-after?value=30"), sleep=sleeps).status == 200
    assert sleeps == [30.0]


def test_keep_errors_keeps_a_429_that_asks_for_a_longer_wait_at_once(server: ServerState) -> None:
    """With keep_errors the 429 is the answer archived, after one attempt and no sleep."""
    sleeps = Sleeps()
    result = fetch(server.url("/retry-after?value=3600"), keep_errors=True, sleep=sleeps)
    assert (result.status, result.attempts, sleeps) == (429, 1, [])


def test_a_retry_after_http_date_is_read(server: ServerState) -> None:
    """Retry-After as an HTTP-date, counted from the response's Date: 10 s ahead is waited (give or take the
    dates' whole seconds), two hours ahead is not retried."""
    sleeps = Sleeps()
    assert fetch(server.url("/retry-after?in=10"), sleep=sleeps).status == 200
    assert len(sleeps) == 1 and 8.0 <= sleeps[0] <= 11.0
    url = server.url("/retry-after?in=7200")
    with pytest.raises(CaptureError, match=r"^.*HTTP 429 Too Many Requests \(not retried: the server asked to wait "
                                           r"7,[12]\d\d seconds before retrying"):
        fetch(url, sleep=Sleeps())


def test_a_retry_after_date_past_the_year_9999_in_utc_is_unreadable(server: ServerState) -> None:
    """A date that parses but passes the year 9999 once made UTC is no date (was an OverflowError, and in package
    --fetch a fetch failure with nothing archived): the usual backoff."""
    sleeps = Sleeps()
    url = server.url("/retry-after?value=Fri%2C%2031%20Dec%209999%2023%3A59%3A59%20-1200")
    assert fetch(url, sleep=sleeps).status == 200
    assert sleeps == [0.5]


def test_a_retry_after_date_without_a_date_header_counts_from_the_fetch(server: ServerState) -> None:
    """Without a Date header the wait counts from when the answer came (an aware time, or a naive one read as
    local time, as the record's WARC-Date reads it); the seconds said are rounded up, never `30 seconds, longer
    than ... 30 seconds`."""
    from provpack.capture import _retry_after, _seconds

    answer = fetch(server.url("/page.html")).response
    for fetched in (dt.datetime(2017, 11, 12, 9, 30, 0, 700_000, tzinfo=dt.timezone.utc),
                    dt.datetime(2017, 11, 12, 9, 30, 0, 700_000, tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)):
        exchange = replace(answer, fetched_at=fetched,
                           headers=(("Retry-After", "Sun, 12 Nov 2017 09:30:31 GMT"), ("Content-Length", "0")))
        assert _retry_after(exchange) == pytest.approx(30.3)
    assert (_seconds(30.3), _seconds(3600), _seconds(366 * 86400 + 1)) == ("31 seconds", "3,600 seconds",
                                                                           "more than a year")


def test_an_unreadable_retry_after_is_backoff(server: ServerState) -> None:
    """A Retry-After that is neither seconds nor a date is ignored: the usual backoff."""
    sleeps = Sleeps()
    assert fetch(server.url("/retry-after?value=soon"), sleep=sleeps).status == 200
    assert sleeps == [0.5]


def test_a_retry_that_would_pass_the_total_time_limit_is_not_made(server: ServerState) -> None:
    """Retry-After 7 with 1 s left: no sleep past the limit; the 429 is reported at once."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError, match=r"HTTP 429 .*retry would pass the total time limit"):
        fetch(server.url("/too-many"), sleep=sleeps, total_timeout=1.0)
    assert sleeps == []
    assert server.hits["/too-many"] == 1


def test_a_connection_retry_that_would_pass_the_total_time_limit_is_not_made() -> None:
    """Backoff is not slept past the total time limit either."""
    url = f"http://127.0.0.1:{unused_port()}/"
    sleeps = Sleeps()
    with pytest.raises(CaptureError, match=r"gave up after 1 attempt: a retry would pass the total time limit"):
        fetch(url, sleep=sleeps, backoff=5.0, total_timeout=1.0)
    assert sleeps == []


def test_connection_refused_is_retried_then_reported() -> None:
    """Nothing listening: retried with backoff, then one clear error."""
    url = f"http://127.0.0.1:{unused_port()}/page.html"
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(url, retries=2, sleep=sleeps)
    message = str(caught.value)
    assert message.startswith(f"{url}: could not connect: ")
    assert message.endswith("(gave up after 3 attempts)")
    assert sleeps == [0.5, 1.0]


def test_a_head_trickled_past_the_total_time_limit_stops_there(server: ServerState) -> None:
    """A server sending its head a line at a time, each well within the read timeout, is cut off at the
    total time limit (it could hold a run for 100 lines x the read timeout), and not retried."""
    started = time.monotonic()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/trickle-head"), timeout=(1.0, 1.0), total_timeout=0.5)
    assert str(caught.value) == f"{server.url('/trickle-head')}: the capture took longer than its total time limit (0.5 s)"
    assert time.monotonic() - started < 1.5
    assert server.hits["/trickle-head"] == 1


def test_one_header_line_trickled_past_the_total_time_limit_stops_there(server: ServerState) -> None:
    """One header line sent a byte at a time (each byte well within the read timeout) is cut off at the total
    time limit, inside the line: the limit was checked only between lines, so a 64 KiB line could hold a run."""
    started = time.monotonic()
    with pytest.raises(CaptureError, match="longer than its total time limit"):
        fetch(server.url("/trickle-line"), timeout=(1.0, 1.0), total_timeout=0.5)
    assert time.monotonic() - started < 1.2
    assert server.hits["/trickle-line"] == 1


def test_a_head_within_the_limit_is_read_whole(server: ServerState) -> None:
    """The line-by-line read under a deadline gives http.client the same head: status, headers and body."""
    captured = fetch(server.url("/trickle-line"), timeout=(1.0, 1.0), total_timeout=30)
    assert captured.response.status == 200 and captured.response.body == b""
    assert captured.response.header("X-Slow") == "x" * 40


def test_slow_response_hits_the_read_timeout(server: ServerState) -> None:
    """A server slower than the read timeout fails fast, without retrying."""
    began = time.monotonic()
    with pytest.raises(CaptureError, match=r"no response within the read timeout of 0.2 s"):
        fetch(server.url("/slow"), timeout=(1.0, 0.2))
    assert time.monotonic() - began < 0.9
    assert server.hits["/slow"] == 1


def test_dripping_body_hits_the_total_time_limit(server: ServerState) -> None:
    """A body that trickles in under the read timeout still stops at the total limit."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/drip"), timeout=(1.0, 1.0), total_timeout=0.3)
    assert str(caught.value) == f"{server.url('/drip')}: the capture took longer than its total time limit (0.3 s)"


def test_a_content_length_int_refuses_does_not_crash(server: ServerState) -> None:
    """A Content-Length int() refuses (a superscript two; 5,000 digits) gave a ValueError's traceback: the first is
    no length (the body is read to the connection's end, as http.client reads it), the second over any cap."""
    assert fetch(server.url("/odd-length"), retries=0).response.body == b"ab"
    with pytest.raises(CaptureError, match=r"Content-Length 9{5000} is over the cap"):
        fetch(server.url("/long-length"), retries=0)


def test_huge_body_with_content_length_is_refused_before_reading(server: ServerState) -> None:
    """A declared length over the cap fails at once."""
    with pytest.raises(CaptureError, match=f"Content-Length {HUGE} is over the cap of 65536 bytes"):
        fetch(server.url("/huge"), max_bytes=65536)


def test_huge_body_without_length_is_capped_while_streaming(server: ServerState) -> None:
    """An undeclared length is capped as the bytes arrive."""
    with pytest.raises(CaptureError, match="body is over the cap of 100000 bytes; stopped reading"):
        fetch(server.url("/huge-nolength"), max_bytes=100_000)


def test_gzip_body_is_kept_encoded_and_decoded_for_text(server: ServerState) -> None:
    """Content-Encoding gzip: the stored body is the gzip bytes, the decoded one the page."""
    result = fetch(server.url("/gzip"))
    assert result.response.body == gzip.compress(PAGE, mtime=0)
    assert result.decoded_body == PAGE
    blocks = http_record_blocks(result.response)
    head, payload = split_message(blocks.response)
    assert b"Content-Encoding: gzip\r\n" in head and payload == result.response.body
    assert blocks.response_payload_digest == "sha256:" + hashlib.sha256(payload).hexdigest()


NOT_UNDONE = {
    "/br": "cannot undo Content-Encoding br: provpack undoes only gzip, x-gzip, deflate and identity",
    "/gzip-cut": "cannot undo Content-Encoding gzip: the compressed body ends early",
    "/gzip-bad": "cannot undo Content-Encoding gzip: the body is not valid gzip (Error -3 while decompressing data: "
                 "incorrect header check)",
}


@pytest.mark.parametrize("path", sorted(NOT_UNDONE))
def test_a_content_encoding_that_cannot_be_undone_is_kept_with_why(server: ServerState, path: str) -> None:
    """A response received in full whose Content-Encoding cannot be undone is a capture, not a failure: the
    exchange as received, no decoded body, and why; one attempt."""
    result = fetch(server.url(path))
    assert (result.status, result.attempts, result.decoded_body) == (200, 1, None)
    assert result.decode_problem == NOT_UNDONE[path]
    assert result.response.body == ENCODED[path][1]
    head, payload = split_message(result.response_bytes)
    assert payload == ENCODED[path][1] and f"Content-Encoding: {ENCODED[path][0]}\r\n".encode() in head
    assert fetch(server.url("/gzip")).decode_problem is None


def test_a_decoded_body_over_the_cap_is_kept_undecoded(server: ServerState) -> None:
    """A gzip body within the cap that decodes to more than it is kept as received, not decoded."""
    result = fetch(server.url("/gzip"), max_bytes=2000)   # 1,263 bytes sent, 2,410 decoded
    assert result.decoded_body is None and result.response.body == gzip.compress(PAGE, mtime=0)
    assert result.decode_problem == "cannot undo Content-Encoding gzip: the decoded body is larger than the cap of " \
                                    "2000 bytes"


def test_chunked_body_is_stored_dechunked_with_rewritten_headers(server: ServerState) -> None:
    """Chunk framing is gone; Transfer-Encoding kept as X-Crawler-, Content-Length added."""
    result = fetch(server.url("/chunked"))
    exchange = result.response
    body = b"".join(CHUNKS)
    assert exchange.dechunked and exchange.body == body == result.decoded_body
    head, payload = split_message(exchange.response_block)
    assert payload == body
    _, headers = parse_head(head)
    names = [name for name, _ in headers]
    assert "Transfer-Encoding" not in names
    assert ("X-Crawler-Transfer-Encoding", "chunked") in headers
    assert ("Content-Length", str(len(body))) in headers
    assert exchange.header("Transfer-Encoding") == "chunked"


def test_wrong_charset_bytes_are_kept_and_decoding_says_why(server: ServerState) -> None:
    """Declared latin-1, sent UTF-8: bytes untouched; text extraction uses UTF-8 and notes it."""
    result = fetch(server.url("/wrong-charset"))
    assert result.response.body == WRONG_CHARSET
    extraction = extract_text(result.decoded_body, content_type=result.content_type)
    assert extraction.text == "Nature\u2019s God \u2014 caf\u00e9\n"
    assert extraction.charset.encoding == "utf-8"
    assert extraction.charset.note is not None and "valid UTF-8" in extraction.charset.note


def test_private_addresses_are_refused_by_default(server: ServerState) -> None:
    """Without allow_private, a loopback host is refused before any request is sent."""
    for host in ("127.0.0.1", "localhost"):
        url = f"http://{host}:{server.port}/page.html"
        with pytest.raises(CaptureError, match=r"which is loopback; refused \(pass --allow-private \(allow_private=True\) to fetch it\)$"):
            capture(url, sleep=Sleeps())
    assert server.hits["/page.html"] == 0


def test_redirect_hop_to_a_private_address_is_refused(
    server: ServerState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hop is checked: a redirect target that resolves privately is refused."""
    checked: list[str] = []

    def first_hop_public(url: str, allow_private: bool, proxy: str | None) -> str | None:
        checked.append(url)
        return None if len(checked) == 1 else "host resolves to 127.0.0.1, which is loopback; refused"

    monkeypatch.setattr(capture_module, "_host_problem", first_hop_public)
    with pytest.raises(CaptureError, match=r"redirect to .*/page.html: host resolves to 127.0.0.1"):
        fetch(server.url("/redirect"), allow_private=True)
    assert server.hits["/page.html"] == 0


def test_connection_to_a_private_peer_is_refused_even_after_a_public_lookup(
    server: ServerState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If DNS changed between the check and the connection, the peer check still refuses."""
    monkeypatch.setattr(capture_module, "_host_problem", lambda url, allow_private, proxy: None)
    with pytest.raises(CaptureError, match="connected to 127.0.0.1, which is loopback"):
        capture(server.url("/page.html"), sleep=Sleeps())
    assert server.hits["/page.html"] == 0


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "example.org/page", "http:///x"])
def test_only_http_and_https_urls(url: str) -> None:
    """Other schemes, and URLs without a host, fail before any connection."""
    with pytest.raises(CaptureError) as caught:
        capture(url)
    assert caught.value.url == url


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:99999/x", "the URL is malformed"),
    ("http://127.0.0.1:port/x", "the URL is malformed"),
    ("http://[::1/x", "the URL is malformed"),
    ("http://" + "a" * 70 + ".example/x", "the URL is malformed|cannot resolve host"),
])
def test_a_malformed_url_is_a_capture_error(url: str, message: str, allow_private: bool) -> None:
    """A port out of range, a broken IPv6 literal or an overlong host label fail as CaptureError."""
    with pytest.raises(CaptureError, match=message) as caught:
        capture(url, allow_private=allow_private, retries=0, sleep=Sleeps())
    assert caught.value.url == url


@pytest.mark.parametrize("path", ["/to-bad-port", "/to-bad-ipv6"])
def test_a_redirect_to_a_malformed_url_is_a_capture_error(server: ServerState, path: str) -> None:
    """A server's Location that does not parse stops the capture with a CaptureError naming it."""
    with pytest.raises(CaptureError, match=r"redirect from .* refused: the URL is malformed") as caught:
        fetch(server.url(path))
    assert caught.value.url == server.url(path)


def test_a_plain_session_gets_rebuilt_heads(server: ServerState) -> None:
    """With a caller's own session the heads are rebuilt and marked inexact."""
    with requests.Session() as session:
        session.trust_env = False
        result = fetch(server.url("/page.html"), session=session)
    exchange = result.response
    assert not exchange.exact
    assert exchange.request_head.startswith(
        f"GET /page.html HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode()
    )
    assert exchange.response_head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert exchange.body == PAGE


def test_every_exported_name_exists() -> None:
    """`from provpack.capture import *` works: every name in __all__ is defined."""
    assert all(hasattr(capture_module, name) for name in capture_module.__all__)
    assert {"MiB", "USER_AGENT", "Capture", "capture", "capture_session"} <= set(capture_module.__all__)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed(server: ServerState, status: int) -> None:
    """301, 302, 303, 307 and 308 with a Location are followed, the hop kept."""
    result = fetch(server.url(f"/status/{status}"))
    assert [hop.status for hop in result.redirects] == [status] and result.url == server.url("/page.html")


def test_the_default_cap_is_50_mib(server: ServerState) -> None:
    """Without max_bytes, a declared Content-Length of 50 MiB + 1 is refused before the body is read."""
    with pytest.raises(CaptureError, match=r"Content-Length 52428801 is over the cap of 52428800 bytes"):
        fetch(server.url("/declares/52428801"), retries=0)


def test_a_body_of_exactly_the_cap_is_kept(server: ServerState) -> None:
    """The cap is inclusive: a declared length, or a streamed body, of exactly max_bytes is kept; one byte less
    of cap refuses it."""
    assert fetch(server.url("/page.html"), max_bytes=len(PAGE)).response.body == PAGE
    with pytest.raises(CaptureError, match=f"Content-Length {len(PAGE)} is over the cap of {len(PAGE) - 1} bytes"):
        fetch(server.url("/page.html"), max_bytes=len(PAGE) - 1)
    assert len(fetch(server.url("/huge-nolength"), max_bytes=HUGE).response.body) == HUGE
    with pytest.raises(CaptureError, match=f"body is over the cap of {HUGE - 1} bytes"):
        fetch(server.url("/huge-nolength"), max_bytes=HUGE - 1)


def test_a_stalled_body_hits_the_read_timeout(server: ServerState) -> None:
    """A body that stops arriving for longer than the read timeout: a CaptureError naming the timeout."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/stall-body"), timeout=(1.0, 0.2), retries=0)
    assert str(caught.value) == f"{server.url('/stall-body')}: read timed out after 0.2 s while receiving the body"


def test_https_urls_are_fetched_and_schemeless_ones_named() -> None:
    """https is fetched (here: nothing listens, so it cannot connect); a URL without a scheme is named as such."""
    url = f"https://127.0.0.1:{unused_port()}/"
    with pytest.raises(CaptureError, match=r"could not connect: "):
        fetch(url, retries=0)
    with pytest.raises(CaptureError) as caught:
        capture("example.org/page")
    assert str(caught.value) == "example.org/page: only http and https URLs are fetched, not a URL without a scheme"


def test_connection_errors_are_described_without_object_addresses() -> None:
    """urllib3's '<...Connection object at 0x...>: reason' is cut to the reason; other messages are kept whole."""
    describe = capture_module._describe
    assert describe(OSError("<HTTPConnection object at 0x7f00>: Failed to connect: [Errno 111] refused")) \
        == "Failed to connect: [Errno 111] refused"
    assert describe(OSError("name or service not known: example.invalid")) == "name or service not known: example.invalid"
    url = f"http://127.0.0.1:{unused_port()}/"
    with pytest.raises(CaptureError) as caught:
        fetch(url, retries=0)
    assert "object at 0x" not in str(caught.value) and "refused" in str(caught.value)


def test_a_header_merely_mentioning_chunked_is_not_dechunked(server: ServerState) -> None:
    """Only Transfer-Encoding: chunked marks a chunked body: another header whose value says 'chunked' does not."""
    exchange = fetch(server.url("/says-chunked")).response
    assert not exchange.dechunked and exchange.body == b"plain"
    assert exchange.response_head.endswith(b"X-Note: not chunked\r\nContent-Length: 5\r\n\r\n")


def test_a_url_with_credentials_is_refused_without_naming_them(server: ServerState) -> None:
    """capture() called as a library refuses user:password@ as package refuses it in a sidecar: it would be sent
    and recorded in the archive; the error names the URL without them, and nothing is fetched."""
    before = len(server.requests)
    with pytest.raises(CaptureError) as caught:
        fetch(f"http://user:secret@127.0.0.1:{server.port}/page.html")
    assert str(caught.value) == (
        f"http://127.0.0.1:{server.port}/page.html: the URL holds a user name or password (user:password@host): "
        "archives are meant to be published, and it would be recorded in them (and sent as an Authorization "
        "header); remove the user:password@ part, or for a page behind a login, save it and package the copy as a "
        "local original")
    assert "secret" not in str(caught.value) and len(server.requests) == before


def test_a_redirect_hop_that_cannot_connect_is_named(server: ServerState) -> None:
    """A redirect to where nothing listens: the error names the hop, whether retries ran out or a retry would
    pass the total time limit (the URL asked for is named without 'redirect to')."""
    dead = f"http://127.0.0.1:{unused_port()}/x"
    url = server.url(f"/goto?to={dead}")
    with pytest.raises(CaptureError) as caught:
        fetch(url, retries=0)
    assert str(caught.value).startswith(f"{url}: redirect to {dead}: could not connect: ")
    assert str(caught.value).endswith(" (gave up after 1 attempt)")
    with pytest.raises(CaptureError) as caught:
        fetch(url, retries=1, backoff=5.0, total_timeout=1.0)
    assert str(caught.value).startswith(f"{url}: redirect to {dead}: could not connect: ")
    assert str(caught.value).endswith(" (gave up after 1 attempt: a retry would pass the total time limit (1 s))")
    with pytest.raises(CaptureError) as caught:
        fetch(dead, retries=1, backoff=5.0, total_timeout=1.0)
    assert str(caught.value).startswith(f"{dead}: could not connect: ")


def test_an_http_retry_past_the_limit_counts_its_attempts(server: ServerState) -> None:
    """An HTTP 500 retried once, the next retry past the total time limit: the message counts both attempts (one
    attempt is worded in the singular, above)."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/error"), sleep=sleeps, backoff=2.0, total_timeout=3.0)
    assert str(caught.value) == (f"{server.url('/error')}: HTTP 500 Internal Server Error (gave up after 2 attempts: "
                                 "a retry would pass the total time limit (3 s))")
    assert sleeps == [2.0]
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/too-many"), sleep=Sleeps(), total_timeout=1.0)
    assert str(caught.value) == (f"{server.url('/too-many')}: HTTP 429 Too Many Requests (gave up after 1 attempt: "
                                 "a retry would pass the total time limit (1 s))")


def test_five_redirects_by_default(server: ServerState) -> None:
    """max_redirects is 5 unless given: five hops are followed, a sixth refused."""
    assert fetch(server.url("/chain/5")).decoded_body == b"end of chain"
    with pytest.raises(CaptureError, match="more than 5 redirects"):
        fetch(server.url("/chain/6"))


@pytest.mark.parametrize("option", ["retries", "max_redirects", "max_bytes"])
def test_negative_limits_are_refused_and_zero_allowed(server: ServerState, option: str) -> None:
    """retries, max_redirects or max_bytes below 0: an InputError naming it, as any argument out of its range (was a
    CaptureError naming the URL, as if it could not be fetched); 0 is a limit like any other."""
    from provpack.errors import InputError

    with pytest.raises(InputError) as caught:
        fetch(server.url("/page.html"), **{option: -1})
    assert str(caught.value) == f"{option}: must be 0 or more, not -1"
    assert server.requests == []
    if option == "max_bytes":
        assert fetch(server.url("/status/204"), max_bytes=0).response.body == b""
    else:
        assert fetch(server.url("/page.html"), **{option: 0}).status == 200


def test_a_redirect_loop_is_worded(server: ServerState) -> None:
    """The loop's message lists the hops from the URL asked for."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/loop-a"))
    assert str(caught.value) == (f"{server.url('/loop-a')}: redirect loop: {server.url('/loop-a')} -> "
                                 f"{server.url('/loop-b')} -> {server.url('/loop-a')}")


@pytest.mark.parametrize("path", ["/cookie-check", "/cookie-a"])
def test_a_redirect_back_with_a_cookie_set_is_followed(server: ServerState, path: str) -> None:
    """A cookie check (a 302 to the same URL, or back by way of another, that sets a cookie) is followed as browsers
    follow it: the URL asked for again, with the cookie, gives the page; each exchange is kept."""
    result = fetch(server.url(path))
    assert (result.status, result.decoded_body) == (200, PAGE)
    urls = [exchange.url for exchange in result.exchanges]
    assert urls == ([server.url(path)] * 2 if path == "/cookie-check" else
                    [server.url("/cookie-a"), server.url("/cookie-b"), server.url("/cookie-a")])
    assert [dict(parse_head(exchange.request_head)[1]).get("Cookie") for exchange in result.exchanges] == (
        [None, "seen=1"] if path == "/cookie-check" else [None, None, "seen=1"])


def test_a_redirect_to_the_same_url_with_the_same_cookie_is_a_loop(server: ServerState) -> None:
    """Back to a URL with the cookies it was asked with before is a loop: the cookie set again changes nothing."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/cookie-same"))
    same = server.url("/cookie-same")
    assert str(caught.value) == f"{same}: redirect loop: {same} -> {same} -> {same}"


def test_a_redirect_setting_a_new_cookie_each_time_stops_at_the_limit(server: ServerState) -> None:
    """A server that redirects to the same URL with a new cookie each time is followed up to the redirect limit."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/cookie-new"), max_redirects=2)
    new = server.url("/cookie-new")
    assert str(caught.value) == f"{new}: more than 2 redirects: {new} -> {new} -> {new} -> {new}"


@pytest.mark.parametrize("location", ["http://", "https://", "//", "http:///page.html", "http://?q=1"])
def test_a_location_with_an_empty_host_says_so(server: ServerState, location: str) -> None:
    """A Location with nothing after '//' (urljoin reads `http://` as the URL itself) is refused as naming no URL,
    not reported as a redirect loop."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/goto?to=" + quote(location, safe="")))
    assert str(caught.value) == (f"{server.url('/goto?to=' + quote(location, safe=''))}: redirect from "
                                 f"{server.url('/goto?to=' + quote(location, safe=''))} to {location} refused: its "
                                 "Location has an empty host (nothing after '//'): it names no URL to go to")


@pytest.mark.parametrize("status", [200, 204, 299])
def test_every_2xx_status_is_a_capture(server: ServerState, status: int) -> None:
    """Any 2xx status but 206 is a success (299 too; a 204's empty body is archived, not aligned); 300 without a
    Location is not."""
    assert fetch(server.url(f"/status/{status}")).status == status


def test_a_206_partial_content_is_not_the_page(server: ServerState) -> None:
    """A 206 (Partial Content), which no request of provpack asks for, is a fetch failure that says so: part of a
    page is not the page."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/status/206"))
    assert str(caught.value) == (f"{server.url('/status/206')}: HTTP 206 Partial Content: only part of the page "
                                 "(a byte range, which was not asked for)")


@pytest.mark.parametrize(("path", "status", "body"), [("/missing", 404, b"no such page"), ("/status/410", 410, PAGE),
                                                       ("/status/451", 451, PAGE), ("/status/403", 403, PAGE)])
def test_keep_errors_returns_an_error_answer_as_received(server: ServerState, path: str, status: int,
                                                         body: bytes) -> None:
    """With keep_errors a 4xx is the server's answer, returned as a 200 is (once, not retried), its body kept byte
    for byte whatever it holds (a 410 with the page's text too); without, a CaptureError (above)."""
    sleeps = Sleeps()
    result = fetch(server.url(path), keep_errors=True, sleep=sleeps)
    assert (result.status, result.attempts, result.redirects, sleeps) == (status, 1, (), [])
    assert result.response.response_head.startswith(f"HTTP/1.1 {status} ".encode())
    assert result.response.body == result.decoded_body == body and result.response.exact
    assert server.hits[path] == 1


def test_keep_errors_returns_a_5xx_once_the_retries_give_up(server: ServerState) -> None:
    """A 500 is retried as without keep_errors (4 attempts, doubling delays); the last answer is returned, counted;
    one whose next retry would pass the total time limit too (it was the server's answer)."""
    sleeps = Sleeps()
    result = fetch(server.url("/error"), keep_errors=True, sleep=sleeps)
    assert (result.status, result.response.body, result.attempts) == (500, b"boom", 4)
    assert server.hits["/error"] == 4 and sleeps == [0.5, 1.0, 2.0]
    sleeps = Sleeps()
    result = fetch(server.url("/error"), keep_errors=True, sleep=sleeps, backoff=2.0, total_timeout=3.0)
    assert (result.status, result.attempts, sleeps) == (500, 2, [2.0])


def test_keep_errors_keeps_the_redirect_to_an_error(server: ServerState) -> None:
    """A redirect to a 404: both exchanges, the 404 the final answer."""
    url = server.url(f"/goto?to={server.url('/missing')}")
    result = fetch(url, keep_errors=True)
    assert [exchange.status for exchange in result.exchanges] == [302, 404]
    assert (result.url, result.requested_url, result.response.body) == (server.url("/missing"), url, b"no such page")


@pytest.mark.parametrize(("path", "problem"), [
    ("/status/206", "HTTP 206 Partial Content: only part of the page (a byte range, which was not asked for)"),
    ("/status/300", "HTTP 300 Multiple Choices"),
])
def test_keep_errors_keeps_no_partial_or_unfollowed_answer(server: ServerState, path: str, problem: str) -> None:
    """keep_errors keeps an error answer only: a 206 (part of a page) or a 3xx not followed is still a failure."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url(path), keep_errors=True)
    assert str(caught.value) == f"{server.url(path)}: {problem}"


def test_keep_errors_keeps_no_failure_without_an_answer(server: ServerState) -> None:
    """No HTTP answer, nothing to keep: a refused connection is a CaptureError with keep_errors as without."""
    dead = f"http://127.0.0.1:{unused_port()}/x"
    with pytest.raises(CaptureError) as caught:
        fetch(dead, keep_errors=True, retries=0)
    assert str(caught.value).startswith(f"{dead}: could not connect: ")
    assert str(caught.value).endswith(" (gave up after 1 attempt)")


def test_https_is_recorded_exactly_and_verified(tmp_path: Path) -> None:
    """Over TLS the recording session keeps the exact bytes too, checking the certificate against the session's
    `verify` (a CA file); a session whose `verify` is None still checks certificates (it never turns them off)."""
    with serve_tls(tmp_path) as (state, ca):
        session = capture_module.capture_session()
        session.verify = str(ca)
        result = fetch(state.url("/page.html"), session=session)
        assert result.status == 200 and result.response.exact and result.response.body == PAGE
        assert result.response.request_head.startswith(b"GET /page.html HTTP/1.1\r\n")
        session.verify = None  # type: ignore[assignment]
        with pytest.raises(CaptureError, match=r"TLS failed: .*certificate verify failed"):
            fetch(state.url("/page.html"), session=session, retries=0)


@pytest.mark.parametrize("path, problem", [
    ("/huge", f"Content-Length {HUGE} is over the cap of 65536 bytes"),
    ("/stall-body", "read timed out after 0.2 s while receiving the body"),
])
def test_a_failure_after_a_redirect_names_the_url_asked_for_and_the_redirect(
        server: ServerState, path: str, problem: str) -> None:
    """An error met on a redirect's target is reported for the URL asked for (the sidecar's source_url), saying
    it was a redirect and to where."""
    url = server.url(f"/goto?to={server.url(path)}")
    with pytest.raises(CaptureError) as caught:
        fetch(url, max_bytes=65536, timeout=(1.0, 0.2), retries=0)
    assert (caught.value.url, str(caught.value)) == (url, f"{url}: redirect to {server.url(path)}: {problem}")


@pytest.mark.parametrize("path, problem", [
    ("/http09", "the server's reply is not HTTP/1.x: its first line is '<p>" + "x" * 196 + "... (1,009 characters)"),
    ("/many-headers", "the server's reply is not HTTP that can be read: got more than 100 headers"),
    ("/long-header", "the server's reply is not HTTP that can be read: got more than 65536 bytes when reading "
                     "header line"),
])
def test_a_reply_that_is_not_http_is_a_protocol_error_not_retried(server: ServerState, path: str, problem: str) -> None:
    """An HTTP/0.9 reply, more than 100 headers or a header line over 64 KiB is no connection failure: said as what
    it is, tried once, and the server's bytes quoted at most 200 characters."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url(path), sleep=sleeps)
    assert str(caught.value) == f"{server.url(path)}: {problem}"
    assert server.hits[path] == 1 and sleeps == []


def test_a_long_reason_phrase_is_cut(server: ServerState) -> None:
    """A status line's reason phrase is quoted at most 200 characters; one in UTF-8 is read as UTF-8 (http.client
    reads the line as Latin-1), any other as Latin-1."""
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/long-reason"))
    assert str(caught.value) == f"{server.url('/long-reason')}: HTTP 404 {'z' * 200}... (5,000 characters)"
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/utf8-reason"))
    assert str(caught.value) == f"{server.url('/utf8-reason')}: HTTP 404 Не найдено"   # (UTF-8 read as UTF-8)
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/latin1-reason"))
    assert str(caught.value) == f"{server.url('/latin1-reason')}: HTTP 404 Non trouvé"


def test_a_chunked_body_cut_short_or_malformed_says_so(server: ServerState) -> None:
    """A chunked body whose connection closes before the last chunk is 'cut short' (retried, as a broken
    connection is); one with a chunk size that is no number is malformed (not retried); never int()'s words."""
    sleeps = Sleeps()
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/cut-chunk"), sleep=sleeps)
    assert str(caught.value) == (f"{server.url('/cut-chunk')}: the chunked body was cut short: the connection closed "
                                 "after 5 bytes of body, before its last chunk (gave up after 4 attempts)")
    assert server.hits["/cut-chunk"] == 4
    with pytest.raises(CaptureError) as caught:
        fetch(server.url("/bad-chunk"))
    assert str(caught.value) == (f"{server.url('/bad-chunk')}: the chunked body is malformed: after 5 bytes of body, "
                                 "a chunk size line is b'zz\\r\\n', not a hexadecimal number")
    assert server.hits["/bad-chunk"] == 1


def test_a_redirect_to_a_url_with_credentials_is_refused(server: ServerState) -> None:
    """A redirect to user:password@host is not followed (the password would be sent as an Authorization header
    and recorded in the archive): a CaptureError that names the target without them."""
    url = server.url(f"/goto?to=http://alice:s3cret@127.0.0.1:{server.port}/page.html")
    with pytest.raises(CaptureError) as caught:
        fetch(url)
    assert str(caught.value) == (f"{url}: redirect from {url} to {server.url('/page.html')} refused: its URL holds a "
                                 "user name or password, which would be sent and recorded in the archive")
    assert server.hits["/page.html"] == 0


@pytest.mark.parametrize("options, message", [
    ({"url": b"http://127.0.0.1/"}, "url: must be a str, not bytes b'http://127.0.0.1/'"),
    ({"url": None}, "url: must be a str, not None"),
    ({"timeout": "5"}, "timeout: must be a (connect, read) pair of numbers of seconds, not str '5'"),
    ({"timeout": 5}, "timeout: must be a (connect, read) pair of numbers of seconds, not int 5"),
    ({"timeout": (1, True)}, "timeout: must be a (connect, read) pair of numbers of seconds, not tuple (1, True)"),
    ({"timeout": (-1, -1)}, "timeout: the seconds must be more than 0 (and finite), not (-1, -1)"),
    ({"timeout": (1.0, float("nan"))}, "timeout: the seconds must be more than 0 (and finite), not (1.0, nan)"),
    ({"retries": 1.5}, "retries: must be an int, not float 1.5"),
    ({"max_bytes": None}, "max_bytes: must be an int, not None"),
    ({"backoff": float("inf")}, "backoff: must be 0 or more seconds (and finite), not inf"),
    ({"total_timeout": 0}, "total_timeout: must be more than 0 seconds (and finite), not 0"),
    ({"total_timeout": "60"}, "total_timeout: must be a number (an int or a float), not str '60'"),
    ({"session": "s"}, "session: must be a requests.Session or None, not str 's'"),
    ({"allow_private": 1}, "allow_private: must be True or False, not int 1"),
    ({"sleep": 1}, "sleep: must be a function, not int 1"),
    ({"keep_errors": "yes"}, "keep_errors: must be True or False, not str 'yes'"),
])
def test_arguments_are_checked_before_anything_is_sent(server: ServerState, options: dict[str, Any],
                                                       message: str) -> None:
    """An argument of the wrong type or out of its range is an InputError naming it, before any request (was a
    TypeError from inside CaptureError for a url of bytes or None, urllib3's ValueError for a timeout of "5" or
    (-1, -1), a TypeError for retries=1.5)."""
    from provpack.errors import InputError

    options = {"url": server.url("/page.html"), "allow_private": True, "sleep": Sleeps(), **options}
    with pytest.raises(InputError) as caught:
        capture(**options)
    assert str(caught.value) == message
    assert server.requests == []


# --- through a proxy ---------------------------------------------------------------------


@pytest.fixture
def proxy(server: ServerState) -> Iterator[ProxyState]:
    """An HTTP proxy that sends every request on to the local test server."""
    with serve_proxy(server.port) as state:
        yield state


ORIGIN = "http://origin.invalid/page.html"   # (.invalid: no resolver knows it, RFC 6761; the proxy takes it on)
BASIC = "Basic dXNlcjpzZWNyZXQ="   # user:secret


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_an_http_url_goes_through_the_proxy_the_environment_names(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    """HTTP_PROXY (as requests reads it, ALL_PROXY too) is honoured: the request goes to the proxy in absolute form
    and is recorded as sent; the proxy's own address (loopback here) is not refused, the server's is not known, so
    no WARC-IP-Address; a host this machine cannot resolve is left to the proxy. It was ignored: a newsroom behind
    a proxy could not fetch."""
    monkeypatch.setenv(variable, proxy.url)
    result = capture(ORIGIN, sleep=Sleeps(), clock=lambda: FETCHED_AT)
    assert (result.status, result.url, result.response.body, result.response.exact) == (200, ORIGIN, PAGE, True)
    (line, headers), = proxy.seen
    assert line == f"GET {ORIGIN} HTTP/1.1" and server.hits["/page.html"] == 1
    assert result.request_bytes == f"{line}\r\n".encode() + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in headers) + b"\r\n"
    assert result.response.peer_address is None
    assert result.response.header("Via") == "1.1 test-proxy"   # (what came back: the proxy's relay of the answer)


def test_a_proxy_password_is_sent_to_the_proxy_but_never_recorded(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch) -> None:
    """http://user:secret@proxy: the proxy gets its Proxy-Authorization; the request record leaves that line out
    (archives are published), and so says its heads are not exact; errors name the proxy without it."""
    proxy.credentials = BASIC
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("://", "://user:secret@"))
    result = capture(ORIGIN, sleep=Sleeps(), clock=lambda: FETCHED_AT)
    (line, headers), = proxy.seen
    assert dict(headers)["Proxy-Authorization"] == BASIC and result.status == 200
    assert result.request_bytes == f"{line}\r\n".encode() + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in headers if name != "Proxy-Authorization") + b"\r\n"
    assert not result.response.exact


@pytest.mark.parametrize("where", ["localhost", "user:secret@127.0.0.1"])
def test_a_proxy_without_a_scheme_is_an_http_one(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """HTTP_PROXY=host:port (with a password too) is read as curl reads it, http://host:port; requests took the host
    (or user name) for a scheme, and every fetch said the page's URL was malformed."""
    proxy.credentials = BASIC if "@" in where else None
    monkeypatch.setenv("HTTP_PROXY", f"{where}:{proxy.port}")
    result = capture(ORIGIN, sleep=Sleeps(), clock=lambda: FETCHED_AT)
    (line, headers), = proxy.seen
    assert line == "GET http://origin.invalid/page.html HTTP/1.1" and result.status == 200
    assert dict(headers).get("Proxy-Authorization") == proxy.credentials


def test_a_proxy_without_a_scheme_that_cannot_be_reached_is_named_without_its_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Such a proxy is named in a failure as an http:// one, its password left out."""
    port = unused_port()
    monkeypatch.setenv("HTTP_PROXY", f"user:secret@127.0.0.1:{port}")
    with pytest.raises(CaptureError) as caught:
        capture(ORIGIN, retries=0, sleep=Sleeps())
    assert str(caught.value).startswith(f"{ORIGIN}: could not connect through the proxy http://127.0.0.1:{port}: ")
    assert "secret" not in str(caught.value)


def test_a_proxy_asking_for_a_password_is_a_failure_not_the_servers_answer(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 407 is the proxy's answer: never archived as the page's error answer (keep_errors), and said what to do."""
    proxy.credentials = BASIC
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with pytest.raises(CaptureError) as caught:
        capture(ORIGIN, sleep=Sleeps(), keep_errors=True)
    assert str(caught.value) == (f"{ORIGIN}: HTTP 407 Proxy Authentication Required: the proxy asks for a user name "
                                 "and password; give them in its URL in HTTPS_PROXY and HTTP_PROXY "
                                 "(http://user:password@proxy:port; they are not archived)")
    assert server.hits["/page.html"] == 0


def test_a_proxy_refusing_a_tunnel_is_said_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CONNECT answered 407 (or any other status but 200) is the proxy's refusal: said as such, with what to do for
    a 407, and not retried (it was a 'could not connect', tried four times)."""
    with serve_tls(tmp_path) as (state, _ca), serve_proxy(state.port) as tunnel:
        tunnel.credentials = BASIC
        monkeypatch.setenv("HTTPS_PROXY", tunnel.url)
        with pytest.raises(CaptureError) as caught:
            fetch(state.url("/page.html"))
    assert str(caught.value) == (f"{state.url('/page.html')}: the proxy {tunnel.url} refused to open a tunnel to the "
                                 "server: HTTP 407 Proxy Authentication Required: the proxy asks for a user name and "
                                 "password; give them in its URL in HTTPS_PROXY and HTTP_PROXY "
                                 "(http://user:password@proxy:port; they are not archived)")
    assert len(tunnel.seen) == 1


def test_https_tunnels_through_the_proxy_and_records_the_exchange_not_the_connect(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY: a CONNECT opens a tunnel (with the proxy's password), TLS goes end to end with the server, and
    the request record holds the GET sent through it, exactly, not the CONNECT."""
    with serve_tls(tmp_path) as (state, ca), serve_proxy(state.port) as tunnel:
        tunnel.credentials = BASIC
        monkeypatch.setenv("HTTPS_PROXY", tunnel.url.replace("://", "://user:secret@"))
        session = capture_module.capture_session()
        with pytest.raises(CaptureError) as caught:   # (certifi's CAs: as a TLS-intercepting proxy's certificate)
            fetch(state.url("/page.html"), session=session, retries=0)
        assert str(caught.value).startswith(f"{state.url('/page.html')}: TLS failed through the proxy {tunnel.url}: ")
        assert "certificate verify failed" in str(caught.value)
        assert str(caught.value).endswith(" (if the proxy reads TLS traffic, showing a certificate of its own, it is "
                                          "not trusted: its copy of the page is not the server's)")
        tunnel.seen.clear()
        session.verify = str(ca)
        result = fetch(state.url("/page.html"), session=session)
    (line, headers), = tunnel.seen
    assert line == f"CONNECT 127.0.0.1:{state.port} HTTP/1.0" and dict(headers)["Proxy-Authorization"] == BASIC
    assert (result.status, result.response.body, result.response.exact) == (200, PAGE, True)
    request_line, sent = state.requests[0]
    assert result.request_bytes == f"{request_line}\r\n".encode() + b"".join(
        f"{name}: {value}\r\n".encode() for name, value in sent) + b"\r\n"
    assert result.response.peer_address is None


def test_a_host_no_proxy_lists_is_fetched_straight(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_PROXY is honoured: a host it lists is reached without the proxy (and its address checked and recorded)."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.org,127.0.0.1")
    result = fetch(server.url("/page.html"))
    assert proxy.seen == [] and result.response.peer_address == "127.0.0.1"


@pytest.mark.parametrize(("host", "said"), [
    ("127.0.0.1", "host '127.0.0.1' resolves to 127.0.0.1, which is loopback"),
    ("localhost", "host 'localhost' names this machine (loopback)"),
    ("[::1]", "host '::1' resolves to ::1, which is loopback"),
    ("news.localhost", "host 'news.localhost' names this machine (loopback)"),
])
def test_a_private_host_is_refused_through_a_proxy_too(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, host: str, said: str) -> None:
    """Through a proxy the target is checked on what can be known here: an address written as the host, localhost,
    what this machine's resolver says of the name; nothing reaches the proxy."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    url = f"http://{host}:{server.port}/page.html"
    with pytest.raises(CaptureError) as caught:
        capture(url, sleep=Sleeps())
    assert str(caught.value) == f"{url}: {said}; refused (pass --allow-private (allow_private=True) to fetch it)"
    assert proxy.seen == []


_REFUSED = "; refused (pass --allow-private (allow_private=True) to fetch it)"


@pytest.mark.parametrize("through_proxy", [True, False])
@pytest.mark.parametrize(("host", "said"), [
    ("[::1%25lo]", "host '::1%25lo' resolves to ::1, which is loopback"),
    ("[fe80::1%25eth0]", "host 'fe80::1%25eth0' resolves to fe80::1, which is link-local"),
    ("localhost.", "host 'localhost.' {localhost}"),
    ("LOCALHOST.", "host 'localhost.' {localhost}"),
    ("LOCALHOST", "host 'localhost' {localhost}"),
    ("foo.localhost.", "host 'foo.localhost.' names this machine (loopback)"),
    ("127.0.0.1.", "host '127.0.0.1.' resolves to 127.0.0.1, which is loopback"),
    ("0x7f.1.", "host '0x7f.1.' resolves to 127.0.0.1, which is loopback"),
    # as the WHATWG URL standard reads a host, as browsers and the proxies that follow them do: percent-escapes
    # decoded, UTS 46 applied, an IPv4 address in any of its forms
    ("localhost%2e", "host 'localhost.' {localhost}"),
    ("%6c%6fcalhost", "host 'localhost' {localhost}"),
    ("%4C%4FCALHOST", "host 'localhost' {localhost}"),
    ("%EF%BD%8Cocalhost", "host 'localhost' {localhost}"),   # a full-width l, escaped
    ("foo.localhost%2e", "host 'foo.localhost.' names this machine (loopback)"),
    ("127.0.0.1%2e", "host '127.0.0.1.' resolves to 127.0.0.1, which is loopback"),
    ("%31%32%37.0.0.1", "host '127.0.0.1' resolves to 127.0.0.1, which is loopback"),
    ("127.0.0.1%EF%BC%8E", "host '127.0.0.1.' resolves to 127.0.0.1, which is loopback"),   # a full-width full stop
    ("0x", "host '0x' resolves to 0.0.0.0, which is unspecified"),
    ("0x.0x.0x.0x", "host '0x.0x.0x.0x' resolves to 0.0.0.0, which is unspecified"),
    ("0177.0.0.1", "host '0177.0.0.1' resolves to 127.0.0.1, which is loopback"),
    ("0x7f000001", "host '0x7f000001' resolves to 127.0.0.1, which is loopback"),
    ("2130706433", "host '2130706433' resolves to 127.0.0.1, which is loopback"),
    ("127.1", "host '127.1' resolves to 127.0.0.1, which is loopback"),
    ("169.254.0xa9fe", "host '169.254.0xa9fe' resolves to 169.254.169.254, which is link-local"),
])
def test_a_loopback_host_in_any_spelling_is_refused(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, host: str, said: str,
        through_proxy: bool) -> None:
    """A host is read as a resolver reads it: in any case, with a trailing dot, an IPv6 address with a zone id (which
    this machine's resolver fails on, and through a proxy a failed resolution let it through); and as the WHATWG URL
    standard reads it (`localhost%2e` is `localhost.`, `0x` is 0.0.0.0): through a proxy an escaped host was sent on
    (requests decodes the escapes of letters and digits itself: `localhost%2e` went out as `localhost.`) and
    fetched. Nothing reaches the proxy or the server now."""
    if through_proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
    url = f"http://{host}:{server.port}/page.html"
    with pytest.raises(CaptureError) as caught:
        capture(url, retries=0, sleep=Sleeps())
    # (straight, `localhost` is resolved here, as before; through a proxy, which would resolve it, it is not)
    localhost = "names this machine (loopback)" if through_proxy else "resolves to 127.0.0.1, which is loopback"
    assert str(caught.value) == f"{url}: {said.format(localhost=localhost)}{_REFUSED}"
    assert proxy.seen == [] and server.hits["/page.html"] == 0


def test_a_redirect_to_a_loopback_name_with_a_trailing_dot_is_refused_through_a_proxy(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hop is checked as the first: a redirect to `foo.localhost.` is not followed through the proxy."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    url = "http://origin.invalid/goto?to=http://foo.localhost./page.html"
    with pytest.raises(CaptureError) as caught:
        capture(url, retries=0, sleep=Sleeps())
    assert str(caught.value) == (f"{url}: redirect to http://foo.localhost./page.html: host 'foo.localhost.' names "
                                 f"this machine (loopback){_REFUSED}")
    assert len(proxy.seen) == 1 and server.hits["/page.html"] == 0


_NOT_NUMBER = "is not a number (decimal, octal after a leading 0, hexadecimal after 0x)"


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize("through_proxy", [True, False])
@pytest.mark.parametrize(("host", "said"), [
    ("a%ffb", "the host 'a%ffb' is not UTF-8 text once its percent-escapes are decoded (%FF is not UTF-8 where it "
              "stands)"),
    ("a%2fb", "the host 'a%2fb' holds '/' once its percent-escapes are decoded, which no host name may"),
    ("a%25b", "the host 'a%25b' holds '%' once its percent-escapes are decoded, which no host name may"),
    ("a%00b", "the host 'a%00b' holds '\\x00' once its percent-escapes are decoded, which no host name may"),
    ("1.2.3.09", f"the host '1.2.3.09' ends in a number but is not an IPv4 address as browsers read one: '09' "
                 f"{_NOT_NUMBER}"),
    ("4294967296", "the host '4294967296' ends in a number but is not an IPv4 address as browsers read one: its last "
                   "part, '4294967296', is more than 32 bits hold"),
    ("%31.2.3.09", f"the host '%31.2.3.09' (read as '1.2.3.09') ends in a number but is not an IPv4 address as "
                   f"browsers read one: '09' {_NOT_NUMBER}"),
])
def test_a_host_browsers_read_as_no_host_is_a_malformed_url(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, host: str, said: str,
        through_proxy: bool, allow_private: bool) -> None:
    """A host the WHATWG URL standard refuses (escapes that decode to no UTF-8 text or to a character no host may hold,
    a host ending in a number that is no IPv4 address) names nothing a browser or a proxy that follows it would reach:
    the URL is malformed, refused before anything is sent, with --allow-private too. Through a proxy, such a host
    went to the proxy, for it to read as it reads it (`1.2.3.09`, `4294967296`), or failed in an assertion of
    http.client's (`a%ffb`, `a%2fb`: an AssertionError, no CaptureError); without one, it was 'cannot resolve host'
    (or 'could not connect'); urllib3 alone refused `a%00b`, in other words."""
    if through_proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
    url = f"http://{host}:{server.port}/page.html"
    with pytest.raises(CaptureError) as caught:
        capture(url, retries=0, allow_private=allow_private, sleep=Sleeps())
    assert str(caught.value) == f"{url}: the URL is malformed: {said}"
    assert proxy.seen == [] and server.hits["/page.html"] == 0


@pytest.mark.parametrize(("target", "said"), [
    ("http://localhost%2e:{port}/page.html", "host 'localhost.' names this machine (loopback)" + _REFUSED),
    ("http://0x7f.1:{port}/page.html", "host '0x7f.1' resolves to 127.0.0.1, which is loopback" + _REFUSED),
    ("http://a%ffb:{port}/page.html", "the URL is malformed: the host 'a%ffb' is not UTF-8 text once its "
                                      "percent-escapes are decoded (%FF is not UTF-8 where it stands)"),
])
def test_a_redirect_to_a_host_browsers_read_as_loopback_or_no_host_is_refused_through_a_proxy(
        server: ServerState, proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, target: str, said: str) -> None:
    """Every hop is read as the first: a redirect to `localhost%2e` is not followed through the proxy."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    location = target.format(port=server.port)
    url = "http://origin.invalid/goto?to=" + quote(location, safe="")
    with pytest.raises(CaptureError) as caught:
        capture(url, retries=0, sleep=Sleeps())
    assert str(caught.value) == f"{url}: redirect to {location}: {said}"
    assert len(proxy.seen) == 1 and server.hits["/page.html"] == 0


@pytest.mark.parametrize(("host", "read"), [
    ("ex%61mple.invalid", "example.invalid"),           # (requests decodes these escapes itself: as before)
    ("%C3%A9xample.invalid", "xn--xample-9ua.invalid"),  # (an AssertionError in http.client through a proxy)
    ("a%21b.invalid", "a!b.invalid"),                    # (the same)
])
def test_a_host_with_escapes_is_asked_for_as_browsers_read_it(
        proxy: ProxyState, monkeypatch: pytest.MonkeyPatch, host: str, read: str) -> None:
    """A host with percent-escapes that names no private address is asked for as browsers read it, escapes decoded
    (and in IDNA): what the check read is what the proxy is sent, and no escape is left for it to read otherwise. Its
    final URL is the URL as given; the captured URL (the WARC-Target-URI) is the one sent."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    given = f"http://{host}/page.html"
    result = capture(given, sleep=Sleeps(), clock=lambda: FETCHED_AT)
    assert (result.status, result.url, result.sent_url) == (200, given, f"http://{read}/page.html")
    assert [line for line, _ in proxy.seen] == [f"GET http://{read}/page.html HTTP/1.1"]
    assert result.request_bytes.startswith(f"GET http://{read}/page.html HTTP/1.1\r\nHost: {read}\r\n".encode())


def test_a_proxy_that_cannot_be_reached_is_named_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection failure through a proxy names the proxy (without its password): it is where to look."""
    dead = f"http://127.0.0.1:{unused_port()}"
    monkeypatch.setenv("HTTP_PROXY", dead.replace("://", "://user:secret@"))
    with pytest.raises(CaptureError) as caught:
        capture(ORIGIN, retries=0, sleep=Sleeps())
    assert str(caught.value).startswith(f"{ORIGIN}: could not connect through the proxy {dead}: ")
    assert str(caught.value).endswith(" (gave up after 1 attempt)") and "secret" not in str(caught.value)


@pytest.mark.parametrize("allow_private", [False, True])
def test_a_host_that_cannot_be_resolved_without_a_proxy_says_to_set_one(allow_private: bool) -> None:
    """No proxy set and a name that does not resolve (what a network reaching the web only through a proxy gives):
    the message says which variables to set."""
    with pytest.raises(CaptureError) as caught:
        capture(ORIGIN, retries=0, allow_private=allow_private, sleep=Sleeps())
    assert str(caught.value).startswith(f"{ORIGIN}: cannot resolve host 'origin.invalid': " if not allow_private
                                        else f"{ORIGIN}: could not connect: ")
    assert str(caught.value).endswith("; if this network reaches the web only through a proxy, set HTTPS_PROXY and "
                                      "HTTP_PROXY to it (gave up after 1 attempt)")


def test_a_netrc_password_is_never_sent(proxy: ProxyState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Of what requests takes from the environment, only the proxy is: a .netrc's password for the host would be
    sent as an Authorization header and recorded in an archive meant to be published."""
    (tmp_path / "netrc").write_text("machine origin.invalid login user password secret\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    result = capture(ORIGIN, sleep=Sleeps())
    assert result.status == 200 and "Authorization" not in dict(proxy.seen[0][1])
    assert b"secret" not in result.request_bytes
