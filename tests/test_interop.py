"""WARC files written by other tools (shared/interop): each gets the verdict EXPECTED.json gives it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from provpack.cli import main
from provpack.verify import render_text, verify, verify_stream

from conftest import INTEROP

EXPECTED: dict[str, dict[str, str]] = (
    json.loads((INTEROP / "EXPECTED.json").read_text(encoding="utf-8")) if INTEROP.is_dir() else {}
)
EXIT = {"valid": 0, "unverified": 0, "invalid": 1}
STRICT_EXIT = {"valid": 0, "unverified": 1, "invalid": 1}

pytestmark = pytest.mark.skipif(not EXPECTED, reason=f"{INTEROP} is missing")


def test_all_fourteen_are_listed() -> None:
    """EXPECTED.json lists the fourteen files, all present."""
    assert len(EXPECTED) == 14
    assert all((INTEROP / name).is_file() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict(name: str) -> None:
    """Exit code, problems and unverified count agree with the expected verdict, with and without strict."""
    entry = EXPECTED[name]
    report = verify(INTEROP / name)
    (file,) = report.files
    verdict = entry["verdict"]
    assert report.exit_code() == EXIT[verdict], f"{entry['reason']}\n{render_text(report)}"
    assert report.exit_code(strict=True) == STRICT_EXIT[verdict]
    assert bool(file.problems) == (verdict == "invalid"), render_text(report)
    assert (file.unverified > 0) == (verdict == "unverified") or verdict == "invalid"
    if verdict == "valid":
        assert file.verified == file.records > 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_json(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`provpack verify --json [--strict]` gives the same verdicts."""
    verdict = EXPECTED[name]["verdict"]
    assert main(["verify", "--json", str(INTEROP / name)]) == EXIT[verdict]
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    file = report["files"][0]
    assert bool(file["problems"]) == (verdict == "invalid")
    if verdict == "unverified":
        assert file["unverified"] > 0
    assert main(["verify", "--strict", str(INTEROP / name)]) == STRICT_EXIT[verdict]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stream_agrees_with_file(name: str) -> None:
    """Reading the file as a stream (standard input) gives the same report."""
    data = (INTEROP / name).read_bytes()
    streamed = verify_stream(io.BytesIO(data), name="-")
    (from_file,) = verify(INTEROP / name).files
    assert (streamed.records, streamed.verified, streamed.unverified, streamed.problems) == (
        from_file.records, from_file.verified, from_file.unverified, from_file.problems)


def kinds_of(name: str) -> list[str]:
    return [p.kind for p in verify(INTEROP / name).files[0].problems]


def test_details_of_the_broken_files() -> None:
    """Each invalid file fails for the reason EXPECTED.json gives, not by accident."""
    assert kinds_of("clipped.warc.gz") == ["truncated"]
    assert kinds_of("example-bad-non-chunked.warc.gz") == ["digest-mismatch"]
    digest = verify(INTEROP / "example-digest.warc").files[0].problems
    assert digest[0].offset == 0 and digest[0].kind == "digest-mismatch"
    assert "WARC-Payload-Digest sha1:1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ" in digest[0].message
    trunc = verify(INTEROP / "example-trunc.warc").files[0].problems
    assert [(p.offset, p.kind) for p in trunc] == [(1197, "bad-length"), (1197, "digest-mismatch"),
                                                   (1197, "digest-mismatch")]
    wrong = verify(INTEROP / "example-wrong-chunks.warc.gz").files[0].problems
    assert [(p.offset, p.kind) for p in wrong] == [(0, "bad-length"), (0, "digest-mismatch")]
    assert "WARC-Block-Digest" in wrong[1].message


def test_details_of_the_sound_files() -> None:
    """Gzip found by magic bytes, revisits, chunked payloads, resource payloads, base64 values."""
    bad_name = verify(INTEROP / "example-bad.warc.gz.bad").files[0]
    assert bad_name.records == 6 and "gzip: 1 members" in bad_name.notes
    named_plain = verify(INTEROP / "example-warcinfo-metadata.warc").files[0]
    assert named_plain.verified == 2 and "gzip: 4 members" in named_plain.notes
    chunked = verify(INTEROP / "example-iana.org-chunked.warc").files[0]
    assert any("matched the raw chunked body" in note for note in chunked.notes)
    revisits = verify(INTEROP / "example.warc").files[0]
    assert revisits.verified == 2 and any("revisit" in note for note in revisits.notes)
    resource = verify(INTEROP / "example-resource.warc.gz").files[0]
    assert resource.verified == 1 and resource.unverified == 2
    digest = verify(INTEROP / "example-digest.warc").files[0]
    assert digest.records == 4  # base64 and base64url values on records 2-4 match
    assert [p.kind for p in digest.problems[1:]] == ["duplicate-record-id"] * 3
