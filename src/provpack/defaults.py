"""Defaults and limits that the library and the command line share.

They live apart, in a module that imports nothing, so that the command line can show
them in its help without importing the modules they belong to: `provpack verify` and
`provpack --version` then start without the packager's listing, model or indexer.
"""

from __future__ import annotations

# An excerpt needs about 8 times its size in memory while it is packaged (measured:
# 30 MiB of text with 30,000 elisions peaked at 230 MiB), so 64 MiB keeps a run under
# about half a GiB; --max-text-bytes raises it for machines that have the room.
MAX_TEXT_BYTES = 64 * 1024 * 1024

# The largest provenance record (the JSON-LD of one document) provpack writes, and the largest
# `show`, `extract`, `read_archive` and `verify` read whole: about 90,000 elisions' worth.
MAX_PROVENANCE_BYTES = 64 * 1024 * 1024

# The most markers (elisions and alterations) one text may hold. Each costs about 3.7 KiB of memory
# while it is packaged (measured: 1,000,000 markers in 8 MB of text peaked at 3.7 GB) and about
# 750 bytes of provenance JSON, so past this the record would pass MAX_PROVENANCE_BYTES anyway:
# the limit refuses such a text after its scan, before the memory is spent.
MAX_MARKERS = 100_000

# The largest WARC (or HTTP) header block the commands that read with warcio (show, extract, index, wacz) take: its
# lines, the version or status line among them, and the blank line that ends them, each with its CRLF, as verify
# counts a WARC header (recordcheck.MAX_HEADER; warcio would hold a longer one whole in memory). The quick walk of
# `index` leaves a longer one to warcio, which refuses it so.
MAX_HEADER_BYTES = 1024 * 1024

# The most bytes a fetched original's body may have, as received and with its Content-Encoding undone
# (capture's default); `verify --deep` undoes a body's Content-Encoding up to it to extract its text again.
MAX_FETCH_BYTES = 50 * 1024 * 1024

# capture's limits on each URL fetched: seconds to connect, seconds to wait for each read (the head's first
# byte, or more of the body), seconds in all (retries, redirects and waits between them included), and redirects.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
TOTAL_TIMEOUT = 120.0
MAX_REDIRECTS = 5

#: Record types cdxj-indexer indexes unless told otherwise.
CDXJ_RECORDS: frozenset[str] = frozenset({"response", "revisit", "resource", "metadata"})
