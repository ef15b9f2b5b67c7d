"""CPU per document of each stage of `provpack package`, in one process, on a generated corpus.

    python benchmarks/bench_package.py --docs 3000

Each stage runs over the same documents in turn, several rounds; the least CPU
time of a round counts, so other load on the machine disturbs it little. The
stages are those a worker runs per document; compressing is `encode`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from provpack.document import parse_document  # noqa: E402
from provpack.elisions import analyse  # noqa: E402
from provpack.gzipper import choose  # noqa: E402
from provpack.inputs import list_sources, read_bytes  # noqa: E402
from provpack.metadata import load_sidecar, merge  # noqa: E402
from provpack.records import document_records  # noqa: E402
from provpack.warcwriter import encode  # noqa: E402

DATE = "2017-11-12T00:00:00Z"


def best_of(rounds: int, items: list[Any], work: Callable[[Any], object]) -> float:
    """The least CPU seconds, over `rounds`, of `work` on every item."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for item in items:
            work(item)
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "corpus"
        corpus.generate(folder, docs=args.docs, seed=args.seed)
        listing = list_sources([folder])
        sources = [listing.source(index) for index in range(len(listing))]
        raws = [read_bytes(source.text_path) for source in sources]
        documents = [parse_document(s.name, raw, path=s.text_path) for s, raw in zip(sources, raws)]
        analyses = [analyse(document) for document in documents]
        sidecars = [load_sidecar(s.sidecar_path) if s.sidecar_path else None for s in sources]
        metadata = [merge(d.parsed, side, sidecar_name=s.sidecar_path.name if s.sidecar_path else None)
                    for d, side, s in zip(documents, sidecars, sources)]
        specs = [document_records(d, a, m) for d, a, m in zip(documents, analyses, metadata)]
        deflate = choose()
        stages: list[tuple[str, list[Any], Callable[[Any], object]]] = [
            ("list + source", [None], lambda _: [listing.source(i) for i in range(len(listing))]),
            ("read", sources, lambda s: read_bytes(s.text_path)),
            ("parse_document", list(zip(sources, raws)), lambda x: parse_document(x[0].name, x[1], path=x[0].text_path)),
            ("analyse", documents, lambda d: analyse(parse_document(d.name, d.raw))),
            ("  (parse again, to subtract)", documents, lambda d: parse_document(d.name, d.raw)),
            ("load_sidecar", [s for s in sources if s.sidecar_path], lambda s: load_sidecar(s.sidecar_path)),
            ("merge", list(zip(documents, sidecars)), lambda x: merge(x[0].parsed, x[1])),
            ("document_records", list(zip(documents, analyses, metadata)), lambda x: document_records(*x)),
            ("encode (gzip members)", specs, lambda pair: [b"".join(encode(spec, date=DATE, deflate=deflate))
                                                            for spec in pair]),
        ]
        count = len(sources)
        totals: dict[str, float] = {}
        for label, items, work_on in stages:
            totals[label] = best_of(args.rounds, items, work_on)
        totals["analyse"] -= totals.pop("  (parse again, to subtract)")
        print(f"{count} documents, {sum(map(len, raws)):,} bytes of text, "
              f"{sum(1 for s in sources if s.sidecar_path)} sidecars; least CPU of {args.rounds} rounds")
        for label, seconds in totals.items():
            print(f"  {label:24s} {seconds / count * 1e6:7.1f} us/document")
        print(f"  {'total':24s} {sum(totals.values()) / count * 1e6:7.1f} us/document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
