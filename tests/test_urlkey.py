"""provpack.urlkey: surt's keys, with surt loaded without tldextract (and requests)."""

from __future__ import annotations

import json
import subprocess
import sys

URLS = ["https://WWW.Blog.Example.org:443/Post/?b=2&a=1#quote-1", "http://127.0.0.1:8080/x;jsessionid=ABC?y=1",
        "https://caf\u00e9.example/%7Euser/./a/../b", "urn:provpack:sha256:" + "0f" * 32, "mailto:someone@example.org",
        "http://[::1]/a", "not a url", "https://example.org/%zz"]

_KEYS = """
import json, sys
from provpack.urlkey import urlkey
keys = [urlkey(url) for url in json.loads(sys.argv[1])]
loaded = sorted(name for name in ("surt", "tldextract", "requests") if name in sys.modules)
handed_on = sys.modules["surt.handyurl"].tldextract.TLDExtract.__module__
print(json.dumps([keys, loaded, handed_on, sorted(name for name in ("tldextract", "requests") if name in sys.modules)]))
"""


def run(code: str, *args: str) -> list[object]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def test_keys_are_surts_without_loading_tldextract() -> None:
    """Keying loads surt alone (tldextract imports requests: some 0.55 G instructions a process); what surt
    asks of tldextract later is handed on to it, loaded then; the keys are surt's own."""
    keys, loaded, handed_on, later = run(_KEYS, json.dumps(URLS))
    assert loaded == ["surt"]
    assert handed_on == "tldextract.tldextract" and later == ["requests", "tldextract"]
    import surt

    assert keys == [surt.surt(url) if not url.startswith("urn:") else url for url in URLS]


def test_surt_loads_as_usual_where_tldextract_is_loaded() -> None:
    """A process that holds tldextract already gets surt as surt imports itself."""
    keys, loaded, handed_on, _ = run("import tldextract\n" + _KEYS, json.dumps(URLS[:1]))
    assert keys == ["org,example,blog)/post?a=1&b=2"]
    assert loaded == ["requests", "surt", "tldextract"] and handed_on == "tldextract.tldextract"
