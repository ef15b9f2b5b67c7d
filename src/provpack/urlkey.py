"""A URL's CDXJ key: its SURT, as cdxj-indexer computes it (and so pywb and ReplayWeb.page find records by).

The one home of `surt`: `cdxj` keys its index lines with it, `replaykeys` the records it checks.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from typing import Any

__all__ = ["CONTENT_URN", "urlkey"]

#: A provpack content URN: an excerpt's target without `url`, an original's without `source_url`.
CONTENT_URN = re.compile(r"urn:provpack:sha256:[0-9a-f]{64}")


@functools.lru_cache(maxsize=256)   # an excerpt and its provenance record share their target URI
def urlkey(url: str | None) -> str:
    """SURT of the URL, or the URL itself when it cannot be canonicalised ("-" for none)."""
    if url is not None and CONTENT_URN.fullmatch(url):
        # A provpack content URN is its own SURT: surt lowercases and %-escapes the path of a URL
        # without host, which leaves these characters alone (tests/test_cdxj.py checks it against surt).
        return url
    surt = _surt()
    try:
        return str(surt.surt(url))
    except Exception:  # surt raises whatever its parsers raise; cdxj-indexer falls back too
        return url if url is not None else "-"


def _surt() -> Any:
    """The surt module, loaded without tldextract when that is not loaded yet.

    surt imports tldextract at its top for public-suffix helpers that a SURT never calls (and
    that fetch the suffix list from the network), and tldextract imports requests: some 0.55 G
    instructions (0.13 s) a process, where surt alone takes 0.02 G. While surt loads, a stand-in
    takes tldextract's place; surt keeps it, and it hands whatever is asked of it on to the real
    tldextract, imported then.
    """
    if "surt" in sys.modules or "tldextract" in sys.modules:
        import surt

        return surt
    stand_in = types.ModuleType("tldextract", "tldextract, imported when first used (see provpack.urlkey)")

    def real(name: str) -> Any:
        import importlib

        module = importlib.import_module("tldextract")
        if module is stand_in:   # (asked for while surt loads: nothing to hand on to yet)
            raise AttributeError(f"module 'tldextract' has no attribute {name!r} yet")
        return getattr(module, name)

    stand_in.__getattr__ = real   # type: ignore[method-assign]   # (PEP 562)
    sys.modules["tldextract"] = stand_in
    try:
        import surt
    finally:
        if sys.modules.get("tldextract") is stand_in:
            del sys.modules["tldextract"]
    return surt
