"""Time `provpack verify` against `warcio check`, `fastwarc check` and a `zcat | sha256sum` floor.

    python benchmarks/bench_verify.py --docs 20000 [--repeat 3] [--keep PATH] [--profile]

The WARC is generated deterministically with plain zlib (no provpack writer): per
document a `resource` record (~3 KB of text, sha256 block + payload digest) and a
`metadata` record (JSON, sha256 block digest), one gzip member per record. Each tool
runs in its own process (the installed `provpack` script, so start-up and imports count);
the best of --repeat runs is reported. fastwarc is timed when installed (pip install fastwarc).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which"
    " but have an they you were her she there been one all we their has would when if so no will"
    " archive record provenance quoted excerpt elision marker source original text page digest"
).split()
DATE = "2017-11-12T00:00:00Z"


def _record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One gzip member holding one WARC/1.1 record."""
    lines = ["WARC/1.1"] + [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {len(block)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"
    gz = zlib.compressobj(6, zlib.DEFLATED, 31)
    return gz.compress(raw) + gz.flush()


def generate(path: Path, docs: int, *, kb: int = 3, seed: int = 1) -> int:
    """Write the benchmark WARC (resource blocks of about `kb` KB); the number of records."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        info = b"software: bench_verify\r\nformat: WARC File Format 1.1\r\n"
        out.write(_record([
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"),
            ("WARC-Date", DATE),
            ("Content-Type", "application/warc-fields"),
            ("WARC-Block-Digest", "sha256:" + hashlib.sha256(info).hexdigest()),
        ], info))
        for index in range(docs):
            words = [rng.choice(WORDS) for _ in range(rng.randint(150 * kb, 200 * kb))]
            text = (" ".join(words) + "\n").encode("utf-8")
            digest = "sha256:" + hashlib.sha256(text).hexdigest()
            resource_id = f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"
            uri = f"urn:provpack:sha256:{hashlib.sha256(text).hexdigest()}"
            out.write(_record([
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", resource_id),
                ("WARC-Date", DATE),
                ("WARC-Target-URI", uri),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("WARC-Block-Digest", digest),
                ("WARC-Payload-Digest", digest),
            ], text))
            meta = (json.dumps({
                "@id": uri, "name": f"doc_{index:06d}", "sha256": digest[7:],
                "length_bytes": len(text), "words": len(words),
            }, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
            out.write(_record([
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"),
                ("WARC-Date", DATE),
                ("WARC-Target-URI", uri),
                ("WARC-Refers-To", resource_id),
                ("Content-Type", "application/ld+json"),
                ("WARC-Block-Digest", "sha256:" + hashlib.sha256(meta).hexdigest()),
            ], meta))
    return 1 + 2 * docs


def tools(warc: Path) -> dict[str, list[str] | None]:
    """Command line per tool; None when the tool is not installed."""
    provpack = shutil.which("provpack") or str(Path(sys.executable).with_name("provpack"))
    commands: dict[str, list[str] | None] = {
        "provpack verify --jobs 2": [provpack, "-q", "verify", "--jobs", "2", str(warc)],
        "provpack verify --jobs 1": [provpack, "-q", "verify", "--jobs", "1", str(warc)],
        "warcio check": [sys.executable, "-m", "warcio.cli", "check", str(warc)],
        "fastwarc check": None,
        "zcat | sha256sum": ["sh", "-c", f"zcat '{warc}' | sha256sum"] if shutil.which("zcat") else None,
    }
    fastwarc = shutil.which("fastwarc") or str(Path(sys.executable).with_name("fastwarc"))
    if Path(fastwarc).exists():
        commands["fastwarc check"] = [fastwarc, "check", "-q", str(warc)]
    return commands


def best_time(command: list[str], repeat: int) -> tuple[float, int]:
    """Fastest wall time of `repeat` runs, and the exit code."""
    best = float("inf")
    code = 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True)
        best = min(best, time.perf_counter() - start)
        code = proc.returncode
    return best, code


def profile(warc: Path) -> None:
    """Print where provpack verify spends its time."""
    import cProfile
    import pstats

    from provpack.verify import verify

    profiler = cProfile.Profile()
    profiler.runcall(verify, warc, jobs=1)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--kb", type=int, default=3, help="approximate size of each resource record in KB")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the WARC here and keep it")
    parser.add_argument("--reuse", action="store_true", help="use the --keep file as is when it exists")
    parser.add_argument("--only", action="append", help="time only these tools (repeatable)")
    parser.add_argument("--profile", action="store_true", help="also run cProfile on provpack verify")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        warc = args.keep or Path(tmp) / "bench.warc.gz"
        start = time.perf_counter()
        if args.reuse and args.keep and warc.exists():
            print(f"reusing {warc}")
        else:
            records = generate(warc, args.docs, kb=args.kb)
            print(f"generated {warc.name}: {records} records in {time.perf_counter() - start:.1f} s")
        size = warc.stat().st_size
        print(f"{warc.name}: {size / 1e6:.1f} MB compressed")
        results: dict[str, float] = {}
        for name, command in tools(warc).items():
            if args.only and name not in args.only:
                continue
            if command is None:
                print(f"{name:26} skipped: not installed")
                continue
            seconds, code = best_time(command, args.repeat)
            results[name] = seconds
            print(f"{name:26} {seconds:7.2f} s  {size / seconds / 1e6:7.1f} MB/s  exit {code}")
        from provpack.verify import verify

        for jobs in (2, 1):
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                report = verify(warc, jobs=jobs)
                best = min(best, time.perf_counter() - start)
            results[f"provpack API, jobs={jobs}"] = best
            print(f"{f'provpack API jobs={jobs}':26} {best:7.2f} s  {size / best / 1e6:7.1f} MB/s"
                  f"  exit {report.exit_code()}  (in-process: no start-up or imports)")
        for ours_name in ("provpack verify --jobs 2", "provpack verify --jobs 1"):
            ours = results.get(ours_name)
            for name, seconds in results.items():
                if ours and not name.startswith("provpack"):
                    print(f"{ours_name} is {seconds / ours:5.2f}x as fast as {name}")
        if args.profile:
            profile(warc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
