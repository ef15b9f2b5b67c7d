"""Time align() on a generated 200 KB original and a 20 KB excerpt cut from it with drift."""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from provpack.align import align  # noqa: E402

ORIGINAL_CHARS = 200_000
EXCERPT_CHARS = 20_000


def make_original(rng: random.Random) -> str:
    """Paragraphs of pseudo-words from a Zipf-ish vocabulary, with realistic repetition."""
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
                  for _ in range(6000)]
    common = ["the", "of", "and", "to", "a", "in", "that", "is", "was", "it"]
    paragraphs, size = [], 0
    while size < ORIGINAL_CHARS:
        words = [rng.choice(common) if rng.random() < 0.3 else vocabulary[int(rng.paretovariate(1.1)) % 6000]
                 for _ in range(rng.randint(40, 160))]
        paragraph = " ".join(words).capitalize() + "."
        paragraph = paragraph.replace(" and ", ", and ").replace(" that ", " \u2014 that ")
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:ORIGINAL_CHARS]


def make_excerpt(original: str, rng: random.Random) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Cut ~20 KB of word-aligned pieces in order, join them with [...], add drift and typos."""
    bounds = [m.start() for m in re.finditer(r"(?<=\s)\S", original)]
    pieces: list[str] = []
    position = 0
    while sum(len(p) for p in pieces) < EXCERPT_CHARS:
        start = bounds[bisect_right(bounds, position + rng.randint(200, 1500))]
        end = bounds[bisect_right(bounds, start + rng.randint(150, 900))] - 1
        piece = original[start:end].replace("\u2014", "--").replace("\n\n", "\n")
        words = piece.split(" ")
        if len(words) > 10:
            words[rng.randrange(len(words))] = "mistyped"
            del words[rng.randrange(len(words))]
        pieces.append(" ".join(words))
        position = end
    excerpt, segments, elisions = "", [], []
    for k, piece in enumerate(pieces):
        if k:
            elisions.append((len(excerpt), len(excerpt) + 5, "bracketed"))
            excerpt += "[...] "
        segments.append((len(excerpt), len(excerpt) + len(piece)))
        excerpt += piece + " "
    return excerpt, segments, elisions


def bisect_right(values: list[int], x: int) -> int:
    """Index of the first value greater than x, clamped to the last one."""
    import bisect

    return min(bisect.bisect_right(values, x), len(values) - 1)


def main(argv: list[str] | None = None) -> None:
    """Print the median of a few runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of align() to take the median of (default 5)")
    parser.add_argument("--seed", type=int, default=1863, help="seed of the generated original and excerpt")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be 1 or more, not {args.runs}")
    rng = random.Random(args.seed)
    original = make_original(rng)
    excerpt, segments, elisions = make_excerpt(original, rng)
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        result = align(excerpt, segments, elisions, original)
        times.append(time.perf_counter() - began)
    found = sum(1 for s in result.segments if s.found)
    omitted = sum(1 for e in result.elisions if e.omitted is not None)
    print(f"original {len(original)} chars, excerpt {len(excerpt)} chars, "
          f"{len(segments)} segments ({found} found), {len(elisions)} elisions ({omitted} bounded), "
          f"{len(result.differences)} differences")
    print(f"align: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
