"""Generate a deterministic crawl-like WARC with warcio: response + request records, sha1 base32 digests.

The WARC looks like what crawlers (Heritrix, wget, warcio, browsertrix) write: per page a
`response` record (`application/http; msgtype=response`, an HTML body of invented words)
followed by its `request` record, both with `sha1:BASE32` block and payload digests, one
gzip member per record. A few pages vary so that the slower readings stay exercised: about
1 in 50 has a chunked body, 1 in 40 a gzip Content-Encoding, and 1 in 200 is followed by a
`revisit` record. Record ids and dates come from the seed, so the same seed and options
always give the same file.

    python benchmarks/crawl.py /tmp/crawl.warc.gz --pages 20000 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import random
import sys
import uuid
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "sk")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "", "n", "r", "s", "l", "nd", "rk")
_START = dt.datetime(2021, 3, 4, 5, 6, 7)
CHUNKED_EVERY = 50
GZIP_EVERY = 40
REVISIT_EVERY = 200


def _words(rng: random.Random, size: int = 3000) -> list[str]:
    """Invented words (no third-party text)."""
    return ["".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                    for _ in range(rng.choice((1, 2, 2, 3)))) for _ in range(size)]


def _chunked(body: bytes, rng: random.Random) -> bytes:
    """`body` in HTTP/1.1 chunked transfer coding, in chunks of random sizes."""
    out = bytearray()
    pos = 0
    while pos < len(body):
        size = rng.randint(1, 4096)
        out += b"%x\r\n" % len(body[pos : pos + size]) + body[pos : pos + size] + b"\r\n"
        pos += size
    return bytes(out + b"0\r\n\r\n")


def generate(path: Path, *, pages: int, seed: int = 1) -> int:
    """Write the crawl WARC of `pages` pages to `path`; return the number of records written."""
    rng = random.Random(seed)
    words = _words(rng)
    records = 0

    def headers(uri_number: int, offset: int) -> dict[str, Any]:
        date = _START + dt.timedelta(seconds=uri_number, microseconds=offset)
        return {"WARC-Record-ID": f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>",
                "WARC-Date": date.strftime("%Y-%m-%dT%H:%M:%SZ")}

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number in range(pages):
            uri = f"https://example.org/page/{number}"
            text = " ".join(rng.choice(words) for _ in range(rng.randint(50, 1500)))
            body = ("<html><body>" + text + "</body></html>").encode()
            fields = [("Content-Type", "text/html; charset=utf-8")]
            if number % GZIP_EVERY == GZIP_EVERY - 1:
                body = gzip.compress(body, mtime=0)
                fields.append(("Content-Encoding", "gzip"))
            if number % CHUNKED_EVERY == CHUNKED_EVERY - 1:
                body = _chunked(body, rng)
                fields.append(("Transfer-Encoding", "chunked"))
            else:
                fields.append(("Content-Length", str(len(body))))
            response = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), length=len(body), warc_headers_dict=headers(number, 0),
                http_headers=StatusAndHeaders("200 OK", fields, protocol="HTTP/1.1"))
            request = writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b""), length=0, warc_headers_dict=headers(number, 1),
                http_headers=StatusAndHeaders(f"GET /page/{number} HTTP/1.1",
                                              [("Host", "example.org"), ("User-Agent", "crawler")],
                                              protocol="HTTP/1.1", is_http_request=True))
            writer.write_record(response)
            writer.write_record(request)
            records += 2
            if number % REVISIT_EVERY == REVISIT_EVERY - 1:
                digest = response.rec_headers.get_header("WARC-Payload-Digest")
                revisit = writer.create_revisit_record(
                    uri, digest, uri, response.rec_headers.get_header("WARC-Date"),
                    http_headers=StatusAndHeaders("200 OK", fields[:1], protocol="HTTP/1.1"),
                    warc_headers_dict=headers(number, 2))
                writer.write_record(revisit)
                records += 1
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    records = generate(args.out, pages=args.pages, seed=args.seed)
    print(f"{args.out}: {args.pages} pages, {records} records, {args.out.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
