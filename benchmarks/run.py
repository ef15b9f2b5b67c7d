"""Benchmark provpack against the naive warcio writer, warcio check and fastwarc check, in one run.

    python benchmarks/run.py --docs 20000          # the issue's corpus (about a minute and a half here)
    python benchmarks/run.py --docs 5000           # quick: under a minute
    python benchmarks/run.py --docs 20000 --flat 100000 --tiny 100000 --compression --big 200 --crawl 20000

Every command runs as its own process, best of --repeat runs taken in rounds (each
command once, then again) so that the machine's drift falls on all alike; peak memory is
measured in one more run, sampling the whole process tree. Ratios are taken
within the run, so they hold on a loaded machine better than absolute times.
provpack's commands run as a user types them (not -q): what they print is part of the cost.
Needs `pip install -e '.[bench]'` (fastwarc); the naive baseline is written by
this script: one resource and one JSON metadata record per document through
warcio's WARCWriter (its default gzip level 9) and PyYAML's pure-Python loader.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

NAIVE_WRITER = '''\
import json, re, sys
from io import BytesIO
from pathlib import Path
import yaml
from warcio.warcwriter import WARCWriter
MARKER = re.compile(r"\\[\\s*(?:[.\\u2026]\\s*)+\\]")
src, out = Path(sys.argv[1]), sys.argv[2]
with open(out, "wb") as fh:
    writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
    for txt in sorted(src.glob("*.txt")):
        raw = txt.read_bytes()
        text = raw.decode("utf-8")
        side = txt.with_suffix(".yaml")
        meta = yaml.load(side.read_text("utf-8"), Loader=yaml.SafeLoader) if side.exists() else {}
        uri = meta.get("url") or f"urn:excerpt:{txt.stem}"
        rec = writer.create_warc_record(uri, "resource", payload=BytesIO(raw), length=len(raw),
                                        warc_content_type="text/plain; charset=utf-8")
        writer.write_record(rec)
        info = {"name": txt.stem, "sidecar": meta, "elisions": [
            {"marker": m.group(), "start": m.start(), "end": m.end()} for m in MARKER.finditer(text)]}
        block = json.dumps(info, default=str, sort_keys=True).encode()
        writer.write_record(writer.create_warc_record(
            uri, "metadata", payload=BytesIO(block), length=len(block), warc_content_type="application/json",
            warc_headers_dict={"WARC-Refers-To": rec.rec_headers.get_header("WARC-Record-ID")}))
'''


@dataclass
class Measure:
    """One command's best time, the CPU time of that run (all its processes) and peak memory."""

    label: str
    seconds: float
    cpu: float = 0.0
    tree_mb: float = 0.0
    largest_mb: float = 0.0


def tool(name: str) -> str:
    """A console script of this Python's environment."""
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else (shutil.which(name) or name)


def run(command: list[str] | str, *, shell: bool = False) -> float:
    """Seconds the command took; it must succeed."""
    return timed(command, shell=shell)[0]


def timed(command: list[str] | str, *, shell: bool = False) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, every process it waited for) of a command that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          executable="/bin/bash" if shell else None)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {command}\n{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def peak_memory(command: list[str] | str, *, shell: bool = False) -> tuple[float, float]:
    """Peak memory (MB) of the whole process tree (proportional set size, so pages that forked
    workers share with their parent count once) and peak resident memory of its largest process."""
    process = subprocess.Popen(command, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               executable="/bin/bash" if shell else None)
    peaks = [0, 0]

    def sample() -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while process.poll() is None:
            tree = _tree(process.pid)
            peaks[0] = max(peaks[0], sum(_pss(pid) for pid in tree))
            peaks[1] = max(peaks[1], max((_rss(pid, page) for pid in tree), default=0))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    sampler.join()
    return peaks[0] / 1e6, peaks[1] / 1e6


def _tree(pid: int) -> list[int]:
    found = [pid]
    for parent in found:
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _rss(pid: int, page: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * page
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Entry:
    """A command to time: its row label, how to run it, and whether to measure its memory."""

    label: str
    command: list[str] | str
    shell: bool = False
    memory: bool = True


def cell(label: str) -> str:
    """A row label as a Markdown table cell: a '|' of its own escaped (the progress lines on stderr show it as is)."""
    return label.replace("|", "\\|")


def interleaved(entries: list[Entry], repeat: int) -> list[Measure]:
    """Each command's best of `repeat` runs, taken in rounds (A B C, A B C, ...) so that the machine's
    drift from minute to minute falls on every command alike; then one more run each for memory."""
    timings: list[list[tuple[float, float]]] = [[] for _ in entries]
    for _ in range(repeat):
        for entry, runs in zip(entries, timings):
            runs.append(timed(entry.command, shell=entry.shell))
    measures = []
    for entry, runs in zip(entries, timings):
        measure = Measure(entry.label, *min(runs))
        if entry.memory:
            measure.tree_mb, measure.largest_mb = peak_memory(entry.command, shell=entry.shell)
        print(f"  {entry.label:<36} {measure.seconds:7.2f} s  cpu {measure.cpu:7.2f} s", file=sys.stderr)
        measures.append(measure)
    return measures


def machine() -> str:
    """CPUs, model, Python and load, as the README reports them."""
    model = "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                      if line.startswith("Model name")), model)
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
            f"load average {load[0]:.2f} at start")


def backends() -> str:
    """The deflate and JSON libraries provpack found."""
    from provpack import gzipper, provenance
    return (f"deflate backend {gzipper.default_backend()} (level {gzipper.DEFAULT_LEVELS[gzipper.default_backend()]}),"
            f" json {'orjson' if provenance._orjson is not None else 'stdlib'}")


def package_command(source: Path, out: Path, *extra: str) -> list[str]:
    return [tool("provpack"), "package", str(source), "-o", str(out), "--force", *extra]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents in the corpus (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best counts (default 3)")
    parser.add_argument("--work", type=Path, help="folder for corpora and archives (default: a temp folder)")
    parser.add_argument("--flat", type=int, metavar="N", help="also measure peak memory with N documents")
    parser.add_argument("--tiny", type=int, metavar="N", help="also time N 100-byte documents")
    parser.add_argument("--compression", action="store_true", help="also compare deflate backends and levels")
    parser.add_argument("--big", type=int, metavar="MB", help="also package one text of MB megabytes")
    parser.add_argument("--crawl", type=int, metavar="N",
                        help="also verify a crawl-like WARC of N pages (response and request records, sha1 base32)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="provpack-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def compile_bytecode() -> None:
    """Compile provpack's modules to bytecode first, as a regular install does: an editable install
    run with PYTHONDONTWRITEBYTECODE set would otherwise compile them again in every timed run."""
    import compileall

    import provpack
    compileall.compile_dir(str(Path(provpack.__file__).parent), quiet=1)


def _bench(args: argparse.Namespace, work: Path) -> int:
    compile_bytecode()
    header = machine()
    source = work / f"corpus-{args.docs}"
    text_bytes = corpus.generate(source, docs=args.docs, seed=args.seed)
    naive_script = work / "naive_writer.py"
    naive_script.write_text(NAIVE_WRITER, encoding="utf-8")
    naive_out, ours = work / "naive.warc.gz", work / "provpack.warc.gz"
    print(f"{args.docs} documents, {text_bytes / 1e6:.1f} MB of text; {header}; {backends()}", file=sys.stderr)

    naive, pack, pack_one, library, startup = interleaved([
        Entry("naive warcio writer", [sys.executable, str(naive_script), str(source), str(naive_out)]),
        Entry("provpack package", package_command(source, ours)),
        Entry("provpack package --jobs 1", package_command(source, ours, "--jobs", "1")),
        Entry("provpack.package() (no CLI start-up)",
              [sys.executable, "-c", "import sys, provpack; provpack.package(sys.argv[1], out=sys.argv[2], "
               "force=True)", str(source), str(ours)], memory=False),
        Entry("provpack --version (CLI start-up)", [tool("provpack"), "--version"], memory=False),
    ], args.repeat)
    archive_mb = ours.stat().st_size / 1e6
    # `verify` reads in two processes unless the load average says the second core is busy; the
    # runs above leave it high for a minute, so the two-process read is also timed on its own.
    warcio_check, fastwarc_check, verify, verify_one, verify_two, floor = interleaved([
        Entry("warcio check", [tool("warcio"), "check", str(ours)]),
        Entry("fastwarc check", [tool("fastwarc"), "check", "-q", str(ours)]),
        Entry("provpack verify", [tool("provpack"), "verify", str(ours)]),
        Entry("provpack verify --jobs 1", [tool("provpack"), "verify", "--jobs", "1", str(ours)]),
        Entry("provpack verify --jobs 2", [tool("provpack"), "verify", "--jobs", "2", str(ours)]),
        Entry("zcat | sha256sum (floor)", f"zcat {ours} | sha256sum", shell=True),
    ], args.repeat)
    uncompressed_mb = float(subprocess.run(f"zcat {ours} | wc -c", shell=True, capture_output=True, text=True,
                                           executable="/bin/bash").stdout) / 1e6
    load_end = os.getloadavg()[0]

    rows = [
        (naive, f"{args.docs / naive.seconds:,.0f} docs/s", "1.0x"),
        (pack, f"{args.docs / pack.seconds:,.0f} docs/s", f"{naive.seconds / pack.seconds:.1f}x naive"),
        (pack_one, f"{args.docs / pack_one.seconds:,.0f} docs/s", f"{naive.seconds / pack_one.seconds:.1f}x naive"),
        (library, f"{args.docs / library.seconds:,.0f} docs/s", f"{naive.seconds / library.seconds:.1f}x naive"),
        (startup, "", ""),
        (warcio_check, f"{uncompressed_mb / warcio_check.seconds:,.0f} MB/s", "1.0x"),
        (fastwarc_check, f"{uncompressed_mb / fastwarc_check.seconds:,.0f} MB/s",
         f"{warcio_check.seconds / fastwarc_check.seconds:.1f}x warcio check"),
        (verify, f"{uncompressed_mb / verify.seconds:,.0f} MB/s",
         f"{warcio_check.seconds / verify.seconds:.1f}x warcio check, "
         f"{fastwarc_check.seconds / verify.seconds:.2f}x fastwarc check"),
        (verify_one, f"{uncompressed_mb / verify_one.seconds:,.0f} MB/s",
         f"{warcio_check.seconds / verify_one.seconds:.1f}x warcio check, "
         f"{fastwarc_check.seconds / verify_one.seconds:.2f}x fastwarc check"),
        (verify_two, f"{uncompressed_mb / verify_two.seconds:,.0f} MB/s",
         f"{warcio_check.seconds / verify_two.seconds:.1f}x warcio check, "
         f"{fastwarc_check.seconds / verify_two.seconds:.2f}x fastwarc check"),
        (floor, f"{uncompressed_mb / floor.seconds:,.0f} MB/s", ""),
    ]
    print(f"\n{args.docs:,} documents ({text_bytes / 1e6:.1f} MB of text; archive {archive_mb:.1f} MB, "
          f"{uncompressed_mb:.1f} MB uncompressed; naive archive {naive_out.stat().st_size / 1e6:.1f} MB)")
    print(f"{header}, {load_end:.2f} at end; {backends()}; best of {args.repeat}\n")
    print("| command | best time | CPU time | throughput | ratio | peak memory, all processes (PSS) "
          "| largest process (RSS) |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for measure, speed, ratio in rows:
        print(f"| {cell(measure.label)} | {measure.seconds:.2f} s | {measure.cpu:.2f} s | {speed} | {ratio} "
              + (f"| {measure.tree_mb:.0f} MB | {measure.largest_mb:.0f} MB |" if measure.tree_mb
                 else "| not measured | not measured |"))
    if args.flat:
        _flat(args, work, pack, verify)
    if args.tiny:
        _tiny(args, work)
    if args.compression:
        _compression(args, source, work)
    if args.big:
        _big(args, work)
    if args.crawl:
        _crawl(args, work)
    return 0


def _flat(args: argparse.Namespace, work: Path, pack: Measure, verify: Measure) -> None:
    """Peak memory for --flat documents against the main corpus."""
    source = work / f"corpus-{args.flat}"
    corpus.generate(source, docs=args.flat, seed=args.seed)
    out = work / "flat.warc.gz"
    pack_tree, pack_largest = peak_memory(package_command(source, out))
    verify_tree, verify_largest = peak_memory([tool("provpack"), "verify", str(out)])
    print(f"\nPeak memory, {args.docs:,} vs {args.flat:,} documents (all processes PSS / largest process RSS):\n")
    print(f"| command | {args.docs:,} documents | {args.flat:,} documents | change |")
    print("|---|---:|---:|---:|")
    for label, small, large in (("provpack package", pack, (pack_tree, pack_largest)),
                                ("provpack verify", verify, (verify_tree, verify_largest))):
        print(f"| {label} | {small.tree_mb:.0f} / {small.largest_mb:.0f} MB | {large[0]:.0f} / {large[1]:.0f} MB "
              f"| {100 * (large[0] / small.tree_mb - 1):+.0f}% / {100 * (large[1] / small.largest_mb - 1):+.0f}% |")


def _crawl(args: argparse.Namespace, work: Path) -> None:
    """The checkers on a WARC as crawlers write them, not as provpack does: response and request
    records with HTTP headers, sha1 digests in base32 (benchmarks/crawl.py, made with warcio)."""
    import crawl

    out = work / f"crawl-{args.crawl}.warc.gz"
    crawl.generate(out, pages=args.crawl, seed=args.seed)
    size_mb = float(subprocess.run(f"zcat {out} | wc -c", shell=True, capture_output=True, text=True,
                                   executable="/bin/bash").stdout) / 1e6
    warcio_check, fastwarc_check, one, two = interleaved([
        Entry("warcio check", [tool("warcio"), "check", str(out)]),
        Entry("fastwarc check", [tool("fastwarc"), "check", "-q", str(out)]),
        Entry("provpack verify --jobs 1", [tool("provpack"), "verify", "--jobs", "1", str(out)]),
        Entry("provpack verify --jobs 2", [tool("provpack"), "verify", "--jobs", "2", str(out)]),
    ], args.repeat)
    print(f"\nA crawl-like WARC of {args.crawl:,} pages ({out.stat().st_size / 1e6:.1f} MB, {size_mb:.1f} MB "
          f"uncompressed; best of {args.repeat}):\n")
    print("| command | best time | CPU time | throughput | ratio | peak memory, all processes (PSS) "
          "| largest process (RSS) |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for measure in (warcio_check, fastwarc_check, one, two):
        ratio = (f"{warcio_check.seconds / measure.seconds:.1f}x warcio check, "
                 f"{fastwarc_check.seconds / measure.seconds:.2f}x fastwarc check")
        print(f"| {cell(measure.label)} | {measure.seconds:.2f} s | {measure.cpu:.2f} s | "
              f"{size_mb / measure.seconds:,.0f} MB/s | {ratio} | {measure.tree_mb:.0f} MB | {measure.largest_mb:.0f} MB |")


def _tiny(args: argparse.Namespace, work: Path) -> None:
    """Cost per document: many 100-byte documents."""
    source = work / f"tiny-{args.tiny}"
    corpus.generate(source, docs=args.tiny, seed=args.seed, tiny=True)
    seconds = run(package_command(source, work / "tiny.warc.gz"))
    print(f"\n{args.tiny:,} documents of about {corpus.TINY_BYTES} bytes: provpack package {seconds:.1f} s "
          f"({args.tiny / seconds:,.0f} docs/s)")


def _big(args: argparse.Namespace, work: Path) -> None:
    """Peak memory for one large text: a book-like file of short lines with a few markers."""
    source = work / "big"
    source.mkdir(exist_ok=True)
    gen = corpus.Generator(args.seed)
    block = "\n".join(gen.sentence() for _ in range(2000)).encode("utf-8") + b"\n[...]\n"
    size = 0
    with (source / "book.txt").open("wb") as handle:
        while size < args.big * 1_000_000:
            handle.write(block)
            size += len(block)
    command = package_command(source, work / "big.warc.gz", "--max-text-bytes", str(size + 1))
    seconds = run(command)
    tree, largest = peak_memory(command)
    print(f"\nOne text of {size / 1e6:.0f} MB: provpack package {seconds:.1f} s, peak memory {tree:.0f} MB "
          f"(all processes, PSS), largest process {largest:.0f} MB")


def _compression(args: argparse.Namespace, source: Path, work: Path) -> None:
    """Archive size and packaging time (one run each) for each deflate backend and level."""
    from provpack import gzipper
    print("\n| deflate | level | archive | ratio to text+JSON | provpack package |")
    print("|---|---:|---:|---:|---:|")
    out = work / "level.warc.gz"
    uncompressed = None
    for backend in gzipper.available_backends():
        for level in gzipper.LEVELS[backend]:
            if backend == "zlib" and level not in (1, 6, 9):
                continue
            seconds = run(package_command(source, out, "--deflate", backend, "--level", str(level)))
            if uncompressed is None:
                uncompressed = float(subprocess.run(f"zcat {out} | wc -c", shell=True, capture_output=True,
                                                    text=True, executable="/bin/bash").stdout)
            size = out.stat().st_size
            print(f"| {backend} | {level} | {size / 1e6:.1f} MB | {uncompressed / size:.2f} | {seconds:.2f} s |")


if __name__ == "__main__":
    sys.exit(main())
