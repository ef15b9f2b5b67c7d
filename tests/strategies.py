"""Hypothesis strategies: excerpt texts with markers, CRLF, BOM, non-ASCII, no trailing newline."""

from __future__ import annotations

from hypothesis import strategies as st

MARKERS = ["[...]", "[\u2026]", "[. . .]", "[ ... ]", "[....]"]
WORDS = ["al-Qaeda", "Tehran", "caf\u00e9", "na\u00efve", "\u201cquoted\u201d", "\u2014", "\u65e5\u672c",
         "\U0001f600", "word", "the", "and", "Iran\u2019s", "12", "Mr."]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
pieces = st.one_of(words, st.sampled_from(MARKERS))
newlines = st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"])


@st.composite
def excerpt_texts(draw: st.DrawFn) -> str:
    """A text of words and markers in paragraphs, maybe with a BOM and a final newline."""
    paragraphs = draw(st.lists(st.lists(pieces, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=5))
    text = draw(newlines).join(paragraphs)
    if draw(st.booleans()):
        text += draw(newlines)
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


ORIGINAL_WORDS = ["harbour", "council", "voted", "storm", "the", "pier", "mayor", "said", "road", "it", "bridge",
                  "engineers", "million", "market", "ferry", "of", "residents", "rotted", "school", "final"]
SENTENCE_ENDS = [".", "!", "?", "...", ";"]
JOINS = [" [...] ", " [\u2026] ", "[...]", "... ", " \u2026 ", "\u2026", " (...) ", " . . . ", " ", "\n\n",
         "\n\n[...] ", " [...]\n\n"]


@st.composite
def quoted_originals(draw: st.DrawFn, excerpts: int = 4) -> tuple[str, list[str]]:
    """An original of paragraphs of sentences, and excerpts quoting it: stretches of its words cut at any
    word or inside one, reordered, repeated, glued to markers (bracketed and possible) or plain joins, some
    words put in."""
    vocabulary = st.sampled_from(ORIGINAL_WORDS)
    sentences = st.tuples(st.lists(vocabulary, min_size=2, max_size=12), st.sampled_from(SENTENCE_ENDS)).map(
        lambda words_end: " ".join(words_end[0]).capitalize() + words_end[1])
    paragraphs = draw(st.lists(st.lists(sentences, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=4))
    original = "\n\n".join(paragraphs) + "\n"
    words = original.split()
    stretch = st.tuples(st.integers(0, len(words) - 1), st.integers(1, 14))
    texts = []
    for _ in range(excerpts):
        parts = []
        for at, size in draw(st.lists(stretch, min_size=1, max_size=5)):
            quoted = words[at : at + size]
            if draw(st.booleans()):
                quoted.insert(draw(st.integers(0, len(quoted))), draw(vocabulary))
            head, tail = draw(st.integers(0, 3)), draw(st.integers(0, 3))   # letters cut off its edge words
            quoted[0], quoted[-1] = quoted[0][head:] or quoted[0], quoted[-1][: len(quoted[-1]) - tail] or quoted[-1]
            parts.append(" ".join(quoted))
        text = parts[0]
        for part in parts[1:]:
            text += draw(st.sampled_from(JOINS)) + part
        lead, tail = draw(st.sampled_from(["", "[...] ", "... "])), draw(st.sampled_from(["", " [...]", "..."]))
        texts.append(lead + text + tail + "\n")
    return original, texts
