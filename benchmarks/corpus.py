"""Generate a deterministic benchmark corpus of excerpts: NAME.txt (+ NAME.yaml) from a seed.

The texts are made of invented words (no third-party text), laid out as blog
reposts are: a date line and "Publication: Title" header for most, quoted
paragraphs, sometimes a blog trailer. Sizes are long-tailed (log-normal, mean
about 3.3 KB), 60% of the texts carry elision markers and 30% have a YAML
sidecar. The same seed and options always give the same files.

    python benchmarks/corpus.py /tmp/corpus --docs 20000 --seed 1
    python benchmarks/corpus.py /tmp/tiny --docs 100000 --tiny
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import shutil
import sys
from pathlib import Path

MEAN_BYTES = 3300
SIGMA = 0.9
MAX_BYTES = 256 * 1024
TINY_BYTES = 100
ELISION_SHARE = 0.6
SIDECAR_SHARE = 0.3
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
BRACKETED = ("[...]", "[\u2026]", "[. . .]", "[ ... ]", "[....]")
POSSIBLE = ("...", "\u2026", "(...)")
ALTERATIONS = ("[sic]", "[emphasis added]", "[T]he")
TRAILERS = ("No comments:\n\nPost a Comment\n", "2 comments:\n\nNewer Post Older Post Home\n")
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st",
           "tr", "ch", "sh", "th", "pl", "gr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "\u00e9", "\u00e4")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk")


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = []
    for _ in range(size):
        syllables = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        words.append("".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                             for _ in range(syllables)))
    return words


class Generator:
    """Invented prose from one random stream; every call advances it deterministically."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng)
        self.cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.words))))

    def sentence(self) -> str:
        count = self.rng.randint(6, 28)
        picked = self.rng.choices(self.words, cum_weights=self.cum_weights, k=count)
        picked[0] = picked[0].capitalize()
        if self.rng.random() < 0.15:
            picked.insert(self.rng.randrange(len(picked)), "\u201c" + self.rng.choice(self.words) + "\u201d")
        if self.rng.random() < 0.1:
            picked.insert(self.rng.randrange(len(picked)), "\u2014")
        return " ".join(picked) + self.rng.choice((".", ".", ".", "?", "!", ";"))

    def body(self, target: int, *, elisions: bool) -> str:
        paragraphs: list[str] = []
        size = 0
        while size < target:
            sentences = []
            for _ in range(self.rng.randint(2, 8)):
                sentences.append(self.sentence())
                if elisions and self.rng.random() < 0.12:
                    sentences.append(self.rng.choice(BRACKETED))
                elif self.rng.random() < 0.03:
                    sentences.append(self.rng.choice(POSSIBLE + ALTERATIONS))
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
        text = "\n\n".join(paragraphs)
        cut = text.rfind(". ", 0, target)  # end near the target size: sizes keep their distribution
        if cut > 0:
            text = text[:cut + 1]
        if elisions and not any(marker in text for marker in BRACKETED):
            cut = text.find(". ", len(text) // 2)
            text = text[:cut + 2] + "[...] " + text[cut + 2:] if cut >= 0 else text + " [...]"
        return text

    def title(self) -> str:
        return " ".join(w.capitalize() for w in self.rng.choices(self.words, k=self.rng.randint(3, 9)))

    def date(self) -> tuple[int, int, int]:
        return self.rng.randint(1998, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28)


def document(gen: Generator, number: int, *, tiny: bool) -> tuple[str, bytes, str | None]:
    """Name, text bytes and sidecar YAML (or None) of document `number`."""
    rng = gen.rng
    name = f"doc{number:06d}_{rng.getrandbits(32):08x}"
    elisions = rng.random() < ELISION_SHARE
    sidecar_wanted = rng.random() < SIDECAR_SHARE
    if tiny:
        text = gen.body(TINY_BYTES, elisions=elisions)
        raw = text.encode("utf-8")[:TINY_BYTES].decode("utf-8", "ignore") + "\n"
    else:
        target = min(MAX_BYTES, int(rng.lognormvariate(math.log(MEAN_BYTES) - SIGMA ** 2 / 2, SIGMA)))
        year, month, day = gen.date()
        parts = []
        if rng.random() < 0.7:
            parts.append(f"{day} {MONTHS[month - 1]} {year}\n\n{gen.title()}: {gen.title()}\n\n")
        parts.append(gen.body(target, elisions=elisions) + "\n")
        if rng.random() < 0.2:
            parts.append("\n" + rng.choice(TRAILERS))
        raw = "".join(parts)
    if rng.random() < 0.05:
        raw = raw.replace("\n", "\r\n")
    sidecar = _sidecar(gen, name) if sidecar_wanted else None
    return name, raw.encode("utf-8"), sidecar


def _sidecar(gen: Generator, name: str) -> str:
    rng = gen.rng
    year, month, day = gen.date()
    lines = [
        f"title: \"{gen.title()}\"",
        f"url: https://blog.example.org/{year}/{month:02d}/{name}.html",
        f"source_url: https://news.example.com/{year}/{month:02d}/{day:02d}/{name}",
        f"published: {year}-{month:02d}-{day:02d}",
        f"retrieved: {year + 1}-{month:02d}-{day:02d}T12:00:00Z",
        f"publication: {gen.title()}",
    ]
    authors = [gen.title() for _ in range(rng.randint(1, 3))]
    if len(authors) == 1:
        lines.append(f"author: {authors[0]}")
    else:
        lines.append("author:")
        lines.extend(f"  - {author}" for author in authors)
    lines.append("tags: [" + ", ".join(rng.choices(gen.words, k=rng.randint(0, 5))) + "]")
    lines.append("notes: >\n  " + gen.sentence() + "\n  " + gen.sentence())
    return "\n".join(lines) + "\n"


def generate(folder: Path, *, docs: int, seed: int = 1, tiny: bool = False) -> int:
    """Write `docs` documents into `folder` (emptied first); return the bytes of text written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    gen = Generator(seed)
    total = 0
    for number in range(docs):
        name, raw, sidecar = document(gen, number, tiny=tiny)
        (folder / f"{name}.txt").write_bytes(raw)
        if sidecar is not None:
            (folder / f"{name}.yaml").write_text(sidecar, encoding="utf-8")
        total += len(raw)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tiny", action="store_true", help=f"{TINY_BYTES}-byte documents")
    args = parser.parse_args(argv)
    total = generate(args.folder, docs=args.docs, seed=args.seed, tiny=args.tiny)
    print(f"{args.folder}: {args.docs} documents, {total:,} bytes of text", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
