"""provpack.replaykeys: records that replay tools cannot tell apart, found in flat memory and named."""

from __future__ import annotations

import tracemalloc

import pytest

from provpack import replaykeys
from provpack.errors import ProvpackError
from provpack.replaykeys import Clash, ReplayKeys, Source, cdx_timestamp, warn_clashes
from conftest import FullTemporaryFolder

SECOND = "20171112000000"
ADVICE = ("give each excerpt a url of its own, one whose path or query differs from every other url's and "
          "source_url's by more than letter case (replay tools set aside a #fragment, http or https, a leading "
          "www., a trailing / and the order of query parameters), or leave url out so the excerpt gets its "
          "urn:provpack:sha256 target")


def excerpt(name: str, url: str) -> Source:
    return Source(f"{name}.yaml", f"url {url}", True)


@pytest.mark.parametrize("other", [
    "https://blog.example.org/post#quote-2", "http://blog.example.org/post", "https://www.blog.example.org/post",
    "https://BLOG.example.org/post", "https://blog.example.org/Post", "https://blog.example.org/post/",
    "https://blog.example.org:443/post", "https://www2.blog.example.org/post#x"])
def test_urls_one_surt_apart_are_one_key(other: str) -> None:
    """A #fragment, the scheme, www., letter case, a trailing / or a default port do not part two URLs."""
    keys = ReplayKeys()
    keys.add("https://blog.example.org/post#quote-1", SECOND, excerpt("a", "https://blog.example.org/post#quote-1"))
    keys.add(other, SECOND, excerpt("b", other))
    assert keys.count == 1
    assert keys.clashes() == [Clash(excerpt("b", other), excerpt("a", "https://blog.example.org/post#quote-1"),
                                    "org,example,blog)/post", SECOND)]


@pytest.mark.parametrize("other", ["https://blog.example.org/post?quote=2", "https://blog.example.org/post/2",
                                   "https://blog.example.org/post?quote=1&x", "https://other.example.org/post"])
def test_urls_of_another_path_or_query_are_other_keys(other: str) -> None:
    """What the warning advises (another path or query) does part them."""
    keys = ReplayKeys()
    keys.add("https://blog.example.org/post?quote=1", SECOND, excerpt("a", "https://blog.example.org/post?quote=1"))
    keys.add(other, SECOND, excerpt("b", other))
    assert (keys.count, keys.clashes()) == (0, [])


def test_the_query_order_does_not_part_two_urls() -> None:
    keys = ReplayKeys()
    keys.add("https://example.org/p?b=2&a=1", SECOND, excerpt("a", "https://example.org/p?b=2&a=1"))
    keys.add("https://example.org/p?a=1&b=2", SECOND, excerpt("b", "https://example.org/p?a=1&b=2"))
    assert [clash.urlkey for clash in keys.clashes()] == ["org,example)/p?a=1&b=2"]


def test_another_second_is_another_capture() -> None:
    """Replay tools tell captures of one URL apart by their time."""
    keys = ReplayKeys()
    keys.add("https://example.org/p", SECOND, excerpt("a", "https://example.org/p"))
    keys.add("https://example.org/p", "20171112000001", excerpt("b", "https://example.org/p"))
    assert keys.count == 0


def test_content_urns_never_clash() -> None:
    """Records under one content URN hold the same bytes: replay loses nothing, so nothing is kept or counted."""
    urn = "urn:provpack:sha256:" + "ab" * 32
    keys = ReplayKeys()
    for name in "abc":
        keys.add(urn, SECOND, excerpt(name, urn))
        keys.add_key(urn, SECOND, excerpt(name, urn))
    assert (keys.count, keys.clashes()) == (0, [])


def test_a_content_urn_whose_records_differ_in_digest_clashes(caplog: pytest.LogCaptureFixture) -> None:
    """Records under one content URN and second given with their digests (wacz) clash where the digests differ
    (letter case aside): one is not the text its URN names (forged under it), and replay shows only one. The
    same digest again, or another second, is no clash; one given without a digest is left out as before."""
    urn = "urn:provpack:sha256:" + "ab" * 32
    keys = ReplayKeys()
    keys.add(urn, SECOND, excerpt("a", urn), digest="sha256:" + "ab" * 32)
    keys.add_key(urn, SECOND, excerpt("b", urn), digest="SHA256:" + "AB" * 32)
    keys.add(urn, SECOND, excerpt("c", urn))
    keys.add(urn, "20171112000001", excerpt("d", urn), digest="sha256:" + "cd" * 32)
    assert keys.count == 0
    keys.add_key(urn, SECOND, excerpt("e", urn), digest="sha256:" + "cd" * 32)
    keys.add(urn, SECOND, excerpt("f", urn), digest="sha256:" + "ab" * 32)
    assert keys.count == 1
    (clash,) = keys.clashes()
    assert clash == Clash(excerpt("e", urn), excerpt("a", urn), urn, SECOND)
    with caplog.at_level("WARNING", logger="provpack"):
        warn_clashes([clash], 1, again=True)
    assert [r.getMessage() for r in caplog.records] == [
        f"e.yaml: url {urn} and a.yaml's url {urn} are one capture to replay tools (pywb and ReplayWeb.page find a "
        f"record by its URL's SURT and second, here {urn} {SECOND}), so only one of the two replays: a "
        "urn:provpack:sha256 target names the exact bytes of its record, and these two differ, so one is not the "
        "text its URN names: run 'provpack verify' on the archive"]


def test_each_clash_names_the_first_record_of_its_key() -> None:
    """The second and third records of a key are each named with the first; only the first `most` are kept."""
    keys = ReplayKeys(most=2)
    for name in "abcd":
        keys.add("https://example.org/p", SECOND, excerpt(name, "https://example.org/p"))
    first = excerpt("a", "https://example.org/p")
    assert keys.count == 3
    assert keys.clashes() == [Clash(excerpt(name, "https://example.org/p"), first, "org,example)/p", SECOND)
                              for name in "bc"]


def test_a_redirect_chain_is_one_capture() -> None:
    """A capture's responses (a redirect from http to https, then the page) may share a key: replay follows
    the redirect; another record of that key still clashes with the first."""
    keys = ReplayKeys()
    original = Source("a.yaml", "original fetched from http://example.org/p", False)
    keys.add("http://example.org/p", SECOND, original)
    keys.add("https://example.org/p", SECOND, original, chained=True)
    assert keys.count == 0
    keys.add("https://example.org/p#x", SECOND, excerpt("b", "https://example.org/p#x"))
    assert keys.clashes() == [Clash(excerpt("b", "https://example.org/p#x"), original, "org,example)/p", SECOND)]


def test_memory_stays_flat_for_100000_records() -> None:
    """100,000 keys take about 11 bytes each (a dict of their URLs would take some 150); who gave them waits in a
    temporary file, read back to name the first record of a clash."""
    keys = ReplayKeys()
    tracemalloc.start()
    try:
        for number in range(100_000):
            keys.add_key(f"org,example)/{number}", SECOND, excerpt(f"d{number}", f"https://example.org/{number}"))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 2_000_000, held
    keys.add_key("org,example)/54321", SECOND, excerpt("late", "https://example.org/54321#x"))
    assert keys.clashes() == [Clash(excerpt("late", "https://example.org/54321#x"),
                                    excerpt("d54321", "https://example.org/54321"), "org,example)/54321", SECOND)]


def test_names_outside_utf8_are_kept() -> None:
    """A sidecar's path may hold bytes that are not UTF-8 (escaped as lone surrogates): it comes back the same."""
    keys = ReplayKeys()
    odd = Source("caf\udce9.yaml", "url https://example.org/p", True)
    keys.add("https://example.org/p", SECOND, odd)
    keys.add("https://example.org/p", SECOND, excerpt("b", "https://example.org/p"))
    assert keys.clashes()[0].first == odd


def test_warnings_name_both_records_and_what_to_do(caplog: pytest.LogCaptureFixture) -> None:
    """An excerpt involved: the advice on urls; two originals: separate archives; one document: `its`."""
    clashes = [
        Clash(excerpt("b", "https://e.org/p#2"), excerpt("a", "https://e.org/p#1"), "org,e)/p", SECOND),
        Clash(Source("d.yaml", "original d.html (source_url https://e.org/d)", False),
              Source("d.yaml", "url https://e.org/d", True), "org,e)/d", SECOND),
        Clash(Source("f.yaml", "original f.html (source_url https://e.org/x)", False),
              Source("e.yaml", "original e.html (source_url https://e.org/x)", False), "org,e)/x", SECOND)]
    with caplog.at_level("WARNING", logger="provpack"):
        warn_clashes(clashes, 3, prefix="s.warc.gz: ")
    opening = ("are one capture to replay tools (pywb and ReplayWeb.page find a record by its URL's SURT and second, "
               "here")
    assert [r.getMessage() for r in caplog.records] == [
        f"s.warc.gz: b.yaml: url https://e.org/p#2 and a.yaml's url https://e.org/p#1 {opening} org,e)/p {SECOND}), "
        f"so only one of the two replays: {ADVICE}",
        f"s.warc.gz: d.yaml: original d.html (source_url https://e.org/d) and its url https://e.org/d {opening} "
        f"org,e)/d {SECOND}), so only one of the two replays: {ADVICE}",
        f"s.warc.gz: f.yaml: original f.html (source_url https://e.org/x) and e.yaml's original e.html (source_url "
        f"https://e.org/x) {opening} org,e)/x {SECOND}), so only one of the two replays: the archive holds both; "
        "package excerpts whose originals differ but share a source_url into separate archives to replay each"]


@pytest.mark.parametrize("count, lines", [(10, 10), (11, 10), (500, 10)])
def test_warnings_stop_at_ten_lines(count: int, lines: int, caplog: pytest.LogCaptureFixture) -> None:
    """Ten clashes get a line each; more get nine and one counting the rest, naming the tenth."""
    clashes = [Clash(excerpt(f"e{n}", "https://e.org/p"), excerpt("e0", "https://e.org/p"), "org,e)/p", SECOND)
               for n in range(1, min(count, 10) + 1)]
    with caplog.at_level("WARNING", logger="provpack"):
        warn_clashes(clashes, count, again=True)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == lines and all(m.startswith(f"e{n}.yaml: url ") for n, m in enumerate(messages[:9], 1))
    if count > 10:
        assert messages[9] == (
            f"{count - 9} more excerpts or originals are one capture with an earlier one to replay tools (e10.yaml "
            "among them): package the excerpts again, each with a url of its own, one whose path or query differs "
            "from every other url's and source_url's by more than letter case (replay tools set aside a #fragment, "
            "http or https, a leading www., a trailing / and the order of query parameters), or none (an excerpt "
            "without url gets its urn:provpack:sha256 target)")


def test_a_count_past_the_clashes_named_is_said_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """wacz counts clashes it names no more (another tool's records): the rest is counted, naming none."""
    clashes = [Clash(excerpt("b", "https://e.org/p"), excerpt("a", "https://e.org/p"), "org,e)/p", SECOND)]
    with caplog.at_level("WARNING", logger="provpack"):
        warn_clashes(clashes, 12, again=True)
    assert [r.getMessage() for r in caplog.records][1] == (
        "11 more excerpts or originals are one capture with an earlier one to replay tools: package the excerpts "
        "again, each with a url of its own, one whose path or query differs from every other url's and source_url's "
        "by more than letter case (replay tools set aside a #fragment, http or https, a leading www., a trailing / "
        "and the order of query parameters), or none (an excerpt without url gets its urn:provpack:sha256 target)")
    assert len(caplog.records) == 2 and caplog.records[0].getMessage().startswith("b.yaml: url https://e.org/p and ")


def test_cdx_timestamp_of_a_warc_date() -> None:
    """provpack's WARC-Dates (whole seconds, Z) as the 14 digits replay tools key by; anything else is refused."""
    assert cdx_timestamp("2017-11-12T00:00:00Z") == SECOND
    for date in ("2017-11-12T00:00:00.5Z", "2017-11-12", "2017-11-12T00:00:0xZ"):
        with pytest.raises(ValueError, match="not a WARC-Date in whole seconds"):
            cdx_timestamp(date)


def test_a_log_the_temporary_folder_cannot_hold_names_it(monkeypatch: pytest.MonkeyPatch,
                                                         full_tmpdir: FullTemporaryFolder) -> None:
    """Past its spool's size the log of who gave each record moves to a temporary file: one that cannot be written
    is said of the temporary folder, with what to do (not a bare OSError, which package blamed on its output)."""
    monkeypatch.setattr(replaykeys, "_SPOOL_BYTES", 50)
    keys = ReplayKeys()
    with pytest.raises(ProvpackError) as caught:
        for number in range(5):
            keys.add(f"https://example.org/{number}", SECOND, excerpt(f"n{number}", f"https://example.org/{number}"))
    assert str(caught.value) == (
        f"{full_tmpdir.folder}: cannot hold the list of who gave each record replay tools find by URL in this "
        "temporary folder (past 1 MiB it is kept there, not in memory): disk full (no space left on device); free "
        "space there, or set TMPDIR to another folder")
    keys.close()
