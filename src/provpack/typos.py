"""Names near a known one, as a typo makes them: one letter changed, added or dropped, or two neighbours
swapped, once letter case, '-' and '_' are set aside (a misspelt digest label, a misspelt sidecar key)."""

from __future__ import annotations

from collections.abc import Iterable


def folded(name: str) -> str:
    """`name` in lower case without '-' and '_': 'SHA-256' and 'sha256', 'Source-URL' and 'source_url' alike."""
    return name.lower().replace("-", "").replace("_", "")


def one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one substitution, insertion, deletion or swap of neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        rest_a, rest_b = a[start + 1 :], b[start + 1 :]
        swapped = a[start + 2 :] == b[start + 2 :] and a[start : start + 2] == b[start : start + 2][::-1]
        return rest_a == rest_b or swapped
    if len(a) > len(b):
        return a[start + 1 :] == b[start:]
    return b[start + 1 :] == a[start:]


def swapped(a: str, b: str) -> bool:
    """True when a and b differ only by two neighbouring letters swapped ('ulr' and 'url')."""
    if len(a) != len(b) or a == b:
        return False
    start = 0
    while a[start] == b[start]:
        start += 1
    return a[start + 2:] == b[start + 2:] and a[start:start + 2] == b[start:start + 2][::-1]


def near_names(name: str, known: Iterable[str]) -> tuple[str, ...]:
    """The known names, in their order, that `name` (not one of them) is written like: the same but for letter
    case, '-' and '_', or one edit (one_edit) from one so folded; () for a known name."""
    names = tuple(known)
    if name in names:
        return ()
    key = folded(name)
    return tuple(known_name for known_name in names if folded(known_name) == key or one_edit(key, folded(known_name)))
