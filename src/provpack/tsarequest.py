"""Ask a timestamping authority (TSA) for an RFC 3161 token dating ARCHIVE.sig (`provpack sign --tsa`).

The request, sent over http(s) with requests under a total time limit, and the answer, checked to be
a granted answer to this very request, stored as ARCHIVE.sig.tsr beside the signature (timestamp.py
reads and checks it; it is kept apart so that `verify` reaches no HTTP code).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ._version import __version__
from .arguments import file_path
from .atomic import atomic_files, atomic_writer, refuse_input
from .errors import FORCE, ArchiveError, CaptureError, InputError, printable
from .signing import read_small, signature_file, signed_files, signing_paths
from .sniff import quoted
from .timestamp import MAX_RESPONSE_BYTES, MAX_SIGNATURE_BYTES, _library, token_path_for

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
QUERY_TYPE = "application/timestamp-query"

Post = Callable[[str, bytes], bytes]  # (TSA URL, DER TimeStampReq) -> DER TimeStampResp


def request_timestamp(
    signature_path: Path | str,
    tsa_url: str,
    *,
    post: Post | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[Path, dt.datetime]:
    """Ask the TSA at `tsa_url` to timestamp the signature file; write ARCHIVE.sig.tsr; return it and the time."""
    check_tsa_url(tsa_url)
    sig_path = file_path("signature_path", signature_path)
    rfc3161 = _library()
    message = read_small(sig_path, MAX_SIGNATURE_BYTES, what="signature file")
    answer, when = _timestamp(rfc3161, message, tsa_url, post if post is not None else _poster(timeout))
    token_path = token_path_for(sig_path)
    with atomic_writer(token_path, force=force) as handle:
        handle.write(answer)
    log.info("%s: timestamped %s by %s", token_path, when, tsa_url)
    return token_path, when


def sign_with_timestamp(
    archive: Path | str,
    key_path: Path | str,
    tsa_url: str,
    *,
    wacz: Path | str | None = None,
    out: Path | str | None = None,
    force: bool = False,
    post: Post | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[Path, Path, dt.datetime]:
    """Sign as `signing.sign` does and have the TSA timestamp the signature; write ARCHIVE.sig and
    ARCHIVE.sig.tsr together, or neither; return both paths and the time."""
    check_tsa_url(tsa_url)
    archive_path, sig_path = signing_paths(archive, key_path, wacz=wacz, out=out, force=force)
    rfc3161 = _library()
    token_path = token_path_for(sig_path)
    for written in (sig_path, token_path):
        refuse_input(written, signed_files(archive_path, key_path, wacz))
    data = signature_file(archive_path, key_path, wacz=wacz)
    with atomic_files(sig_path, force=force) as staging:   # refuses an existing ARCHIVE.sig before the TSA is asked
        if os.path.isdir(token_path):
            raise ArchiveError(token_path, "is a folder", fix="move it away, or give -o another name")
        if os.path.lexists(token_path) and not force:
            raise ArchiveError(token_path, "already exists", fix=f"pass {FORCE} to replace it (and the "
                               "signature), or give -o another name")
        answer, when = _timestamp(rfc3161, data, tsa_url, post if post is not None else _poster(timeout))
        staging.open(sig_path).write(data)
        staging.open(token_path).write(answer)
    log.info("%s: timestamped %s by %s", token_path, when, tsa_url)
    return sig_path, token_path, when


def check_tsa_url(url: str) -> None:
    """An InputError unless `url` is an http or https address with a host (checked before any work)."""
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        raise InputError("--tsa", f"a TSA address must be http or https, with a host and a valid port: "
                         f"{url[:100]!r}", fix="give the TSA's URL, e.g. http://timestamp.example.org/tsa")


def _timestamp(rfc3161: ModuleType, message: bytes, tsa_url: str, sender: Post) -> tuple[bytes, dt.datetime]:
    """The TSA's DER TimeStampResp for `message`, checked to be a granted answer to this very request."""
    request = (rfc3161.TimestampRequestBuilder().data(message).nonce(nonce=True)
               .cert_request(cert_request=True).build())
    answer = sender(tsa_url, request.as_bytes())
    try:
        response = rfc3161.decode_timestamp_response(answer)
        status = response.status
    except ValueError as exc:
        found = f"it starts {quoted(answer)}" if answer else "it is empty"
        raise CaptureError(tsa_url, f"the answer is not an RFC 3161 timestamp response ({found}); check that --tsa "
                           "gives the TSA's RFC 3161 address (the one its documentation gives for timestamp queries), "
                           "not a web page") from exc
    if status not in (rfc3161.PKIStatus.GRANTED, rfc3161.PKIStatus.GRANTED_WITH_MODS):
        said = printable("; ".join(response.status_string))[:200] or "no reason given"
        raise CaptureError(tsa_url, f"the TSA refused (status {status}: {said}); see what the TSA's documentation "
                           "asks of a query, or use another TSA")
    try:
        info = response.tst_info
        same = info.nonce == request.nonce and info.message_imprint.message == request.message_imprint.message
        when: dt.datetime = info.gen_time
    except ValueError as exc:
        raise CaptureError(tsa_url, "the TSA granted a timestamp, but its token cannot be read (ASN.1 parse error); "
                           "try again, or use another TSA") from exc
    if not same:
        raise CaptureError(tsa_url, "the TSA answered for another request (nonce or message imprint differ); "
                           "try again, or use another TSA: this one's answers cannot be relied on")
    return answer, when


def _poster(timeout: float) -> Post:
    """POST a query to a TSA over http(s) with requests: no redirects, at most MAX_RESPONSE_BYTES back, and
    `timeout` seconds in all (connecting, the answer's head and its body), however slowly the TSA trickles."""
    import requests

    from .capture import capture_session
    from .wire import CURRENT, Wire

    def post(url: str, body: bytes) -> bytes:
        check_tsa_url(url)
        headers = {"Content-Type": QUERY_TYPE, "Accept": "application/timestamp-reply",
                   "User-Agent": f"provpack/{__version__}"}
        too_slow = f"the TSA did not answer within {timeout:g} s; {_LATER}"
        deadline = time.monotonic() + timeout
        token = CURRENT.set(Wire(allow_private=True, deadline=deadline))   # the head, line by line, by the deadline
        try:
            with capture_session(trust_env=True) as session, session.post(
                    url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True) as answer:
                if answer.status_code != 200:
                    raise CaptureError(url, _refused(answer.status_code, answer.reason, answer.headers.get("Location")))
                data = _read_answer(answer, url, deadline, timeout)
        except requests.Timeout as exc:
            raise CaptureError(url, too_slow) from exc
        except requests.RequestException as exc:
            raise CaptureError(url, f"cannot reach the TSA ({_cause(exc)}); {_LATER}") from exc
        except TimeoutError as exc:
            raise CaptureError(url, too_slow) from exc
        finally:
            CURRENT.reset(token)
        return data

    return post


def _read_answer(answer: requests.Response, url: str, deadline: float, timeout: float) -> bytes:
    """The answer's body, each wait for more cut to the time left before `deadline` (TimeoutError after it)."""
    from urllib3.exceptions import HTTPError as Urllib3HTTPError
    from urllib3.exceptions import ReadTimeoutError

    connection = getattr(answer.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    data = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the total time limit passed while the answer was read")
        if isinstance(sock, socket.socket):
            sock.settimeout(min(timeout, left))
        try:
            chunk = answer.raw.read1(64 * 1024, decode_content=True)
        except ReadTimeoutError as exc:
            raise TimeoutError("no more of the answer arrived in time") from exc
        except Urllib3HTTPError as exc:
            raise CaptureError(url, f"cannot reach the TSA ({_cause(exc)}); {_LATER}") from exc
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > MAX_RESPONSE_BYTES:
            raise CaptureError(url, f"the answer is larger than {MAX_RESPONSE_BYTES} bytes, so it is no timestamp "
                               "response (a TSA's takes a few KiB); check that --tsa gives the TSA's RFC 3161 address")


def _refused(status: int, reason: str | None, location: str | None) -> str:
    """What an HTTP status other than 200 from a TSA means, and what to do."""
    said = f"the TSA answered HTTP {status} {printable(str(reason or ''))[:100]}".rstrip()
    if 300 <= status < 400:
        where = _shown_location(location)
        return (f"{said}{f' to {where}' if where else ''}: provpack does not follow redirects when asking a "
                "TSA; give the address it points to with --tsa"
                + ("" if where else " (the TSA's documentation names it)"))
    if status in (404, 405):
        return f"{said}: this address takes no timestamp queries; check --tsa against the TSA's documentation"
    return f"{said}; {_LATER}"


def _shown_location(location: str | None) -> str:
    """A redirect's target for a message: an http(s) URL without any user name or password, cut short; else ""."""
    try:
        parts = urllib.parse.urlsplit(location or "")
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    shown = urllib.parse.urlunsplit((parts.scheme, host + port, parts.path, parts.query, ""))
    return printable(shown if len(shown) <= 200 else shown[:197] + "...")


_LATER = ("check the address and the network, or sign without --tsa now and timestamp later by signing "
          "again with --tsa and --force (the same key and archive give the same signature)")


def _cause(exc: BaseException) -> str:
    """The root of a requests error in a few words ('connection refused'), not urllib3's repr of its pool."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        error = todo.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(error, ssl.SSLError):
            return f"TLS failed: {error.reason or error}"
        if isinstance(error, OSError) and error.strerror and error.errno is not None:
            return str(error.strerror).lower()
        todo += [e for e in (error.__cause__, error.__context__, getattr(error, "reason", None), *error.args)
                 if isinstance(e, BaseException)]
    return type(exc).__name__
