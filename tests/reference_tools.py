"""The other tools our output is checked against: cdxj-indexer and py-wacz's validator."""

from __future__ import annotations

import gc
import subprocess
import sys
import warnings
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer
from cdxj_indexer.main import main as cdxj_indexer_main

VALIDATE = "import sys; from wacz.main import main; sys.exit(main(sys.argv[1:]))"


def cdxj_indexer(warc: Path, tmp_path: Path, *args: str) -> str | None:
    """What cdxj-indexer writes for `warc` with the given options; None if it fails."""
    assert "warcinfo" not in CDXJIndexer.DEFAULT_RECORDS, "py-wacz, imported here, changed cdxj-indexer"
    out = tmp_path / "reference.cdxj"
    failed = False
    with warnings.catch_warnings():
        # warcio, under cdxj-indexer, leaves the spool file it digests a record into unclosed
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            cdxj_indexer_main([str(warc), "-o", str(out), *args])
        except Exception:  # cdxj-indexer lets whatever warcio raises through
            failed = True
        gc.collect()
    return None if failed else out.read_text(encoding="utf-8")


def py_wacz_pages(warc: Path, tmp_path: Path, *args: str) -> list[tuple[str, str]]:
    """(url, ts) of each page in pages/pages.jsonl of what `wacz create [args] warc` (py-wacz) writes; [] when it
    writes no pages file (it finds none). In a child process, as wacz_validate."""
    import json
    import zipfile

    out = tmp_path / "py-wacz.wacz"
    proc = subprocess.run([sys.executable, "-c", VALIDATE, "create", *args, "-o", str(out), str(warc)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(out) as zf:
        if "pages/pages.jsonl" not in zf.namelist():
            return []
        lines = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]
    return [(page["url"], page["ts"]) for page in map(json.loads, lines)]


def wacz_validate(path: Path) -> tuple[int, str]:
    """Exit code and output of `wacz validate -f path`.

    In a child process: importing py-wacz appends "warcinfo" to cdxj-indexer's
    default record types, which would skew cdxj_indexer() above. Not
    `python -m wacz`, which exits 0 whatever main() returns.
    """
    proc = subprocess.run(
        [sys.executable, "-c", VALIDATE, "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr
