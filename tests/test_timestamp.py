"""Tests for provpack.timestamp and sign --tsa / verify --tsa-ca, against a stand-in TSA on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import provpack
from provpack.cli import main
from provpack.errors import CaptureError, InputError
from provpack.signing import keygen, sign
from provpack.timestamp import TimestampCheck, check_timestamp, token_path_for
from provpack.tsarequest import request_timestamp

from tsa import WHEN, Authority, make_authority, serve

DATE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def tsa() -> Iterator[Authority]:
    """A running stand-in TSA."""
    with serve(make_authority()) as authority:
        yield authority


@pytest.fixture
def signed(seed_dir: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(archive, its .sig, the public key)."""
    archive = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=DATE).warc_path
    key, pub = keygen(tmp_path / "keys" / "k")
    return archive, sign(archive, key), pub


@pytest.fixture
def ca_file(tsa: Authority, tmp_path: Path) -> Path:
    path = tmp_path / "tsa-ca.pem"
    path.write_bytes(tsa.root_pem())
    return path


def test_timestamp_round_trip(tsa: Authority, signed: tuple[Path, Path, Path], ca_file: Path) -> None:
    """The TSA's token is stored as .sig.tsr and checks out with its CA: the time and the TSA are named."""
    _, sig, _ = signed
    token_path, when = request_timestamp(sig, tsa.url)
    assert token_path == token_path_for(sig) and token_path.name == "seeds.warc.gz.sig.tsr"
    assert when == WHEN and len(tsa.queries) == 1
    check = check_timestamp(sig, ca_file)
    assert check.ok and check.time == WHEN and check.tsa == "CN=provpack test TSA"
    assert "timestamped 2024-05-06T07:08:09+00:00 by CN=provpack test TSA" == check.message


def test_signature_paths_without_a_file_name_or_empty_are_input_errors(signed: tuple[Path, Path, Path]) -> None:
    """A signature path '.' names no file to add .tsr to (pathlib's with_name raised ValueError); '' is refused naming
    the argument; sign_with_timestamp's -o '.' is refused before the TSA is asked."""
    from provpack.tsarequest import sign_with_timestamp

    archive, sig, _ = signed
    for call, said in ((lambda: token_path_for(Path(".")), ".: is a folder, not a file; give a file"),
                       (lambda: request_timestamp(".", "http://127.0.0.1:9/"), ".: is a folder, not a file; give a file"),
                       (lambda: check_timestamp("", sig), "signature_path: empty path; give a path"),
                       (lambda: check_timestamp(sig, ""), "ca_path: empty path; give a path"),
                       (lambda: sign_with_timestamp(archive, sig, "http://127.0.0.1:9/", out="."),
                        ".: is a folder, not a file; name a file to write")):
        with pytest.raises(InputError) as caught:
            call()
        assert str(caught.value) == said


def test_openssl_reads_the_token(tsa: Authority, signed: tuple[Path, Path, Path], ca_file: Path) -> None:
    """openssl ts -verify accepts the .tsr for the .sig with the CA: checkable without provpack."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    _, sig, _ = signed
    token_path, _ = request_timestamp(sig, tsa.url)
    done = subprocess.run(["openssl", "ts", "-verify", "-in", str(token_path), "-data", str(sig),
                           "-CAfile", str(ca_file)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stdout + done.stderr


def test_changed_signature_or_other_ca_is_bad(tsa: Authority, signed: tuple[Path, Path, Path],
                                              ca_file: Path, tmp_path: Path) -> None:
    """A token checked against a changed .sig, another CA, or a damaged token: bad-timestamp."""
    _, sig, _ = signed
    token_path, _ = request_timestamp(sig, tsa.url)
    again = "timestamp the signature again with 'provpack sign ARCHIVE --key KEY --tsa URL --force'"
    other_ca = tmp_path / "other.pem"
    other_ca.write_bytes(make_authority("other").root_pem())
    check = check_timestamp(sig, other_ca)
    assert (check.kind, check.message) == ("bad-timestamp", f"{token_path}: the timestamp token was signed by "
                                           f"CN=provpack test TSA, which no CA certificate in {other_ca} certifies; "
                                           "give that TSA's CA certificate with --tsa-ca (tsa_ca)")
    original = sig.read_bytes()
    sig.write_bytes(original.replace(b"ed25519", b"ed25518"))
    check = check_timestamp(sig, ca_file)
    assert (check.kind, check.message) == ("bad-timestamp", f"{token_path}: the timestamp token dates another "
                                           f"signature file, not {sig} as it is now (it was replaced or changed after "
                                           f"it was timestamped); {again}, or put back the signature file it dates")
    sig.unlink()
    check = check_timestamp(sig, ca_file)
    assert (check.kind, check.message) == ("bad-timestamp", f"{token_path}: the signature file it dates, {sig}, "
                                           "is not there")
    sig.write_bytes(original)
    good = token_path.read_bytes()
    token = bytearray(good)
    token[len(token) // 2] ^= 0x01
    token_path.write_bytes(bytes(token))
    assert check_timestamp(sig, ca_file).kind == "bad-timestamp"
    token_path.write_bytes(b"junk")
    check = check_timestamp(sig, ca_file)
    assert (check.kind, check.message) == ("bad-timestamp", f"{token_path}: not an RFC 3161 timestamp token "
                                           f"(damaged, or not the answer a TSA sent; ASN.1 parse error); {again}")
    signature_at = good.rindex(good[-64:])   # the last bytes of the token: the end of the TSA's signature
    token_path.write_bytes(good[:signature_at] + bytes(b ^ 0x55 for b in good[signature_at:]))
    check = check_timestamp(sig, ca_file)
    assert check.kind == "bad-timestamp" and check.message.startswith(
        f"{token_path}: the timestamp token's signature or its TSA certificate does not check against the CA "
        f"certificates in {ca_file} (")
    assert check.message.endswith(f"): the token was altered, or is not from a TSA those CAs certify; {again}")
    assert "ErrorStack" not in check.message and len(check.message) < 500
    token_path.unlink()
    assert check_timestamp(sig, ca_file).kind == "missing-timestamp"


_RFC3161_ADDRESS = ("check that --tsa gives the TSA's RFC 3161 address (the one its documentation gives for "
                    "timestamp queries), not a web page")


@pytest.mark.parametrize("mode, message", [
    ("reject", "the TSA refused (status 2: unsupported); see what the TSA's documentation asks of a query, or use "
               "another TSA"),
    ("garbage", "the answer is not an RFC 3161 timestamp response (it starts '<html>not a timestamp</html>'); "
                + _RFC3161_ADDRESS),
    ("empty", "the answer is not an RFC 3161 timestamp response (it is empty); " + _RFC3161_ADDRESS),
    ("other", "the TSA answered for another request (nonce or message imprint differ); try again, or use another "
              "TSA: this one's answers cannot be relied on"),
    ("500", "the TSA answered HTTP 500 Internal Server Error; check the address and the network, or sign without "
            "--tsa now and timestamp later by signing again with --tsa and --force (the same key and archive give "
            "the same signature)"),
    ("404", "the TSA answered HTTP 404 Not Found: this address takes no timestamp queries; check --tsa against the "
            "TSA's documentation"),
    ("redirect", "the TSA answered HTTP 307 Temporary Redirect to http://127.0.0.1:{port}/elsewhere: provpack does "
                 "not follow redirects when asking a TSA; give the address it points to with --tsa"),
    ("huge", "the answer is larger than 1048576 bytes, so it is no timestamp response (a TSA's takes a few KiB); "
             "check that --tsa gives the TSA's RFC 3161 address"),
])
def test_tsa_failures_write_nothing(tsa: Authority, signed: tuple[Path, Path, Path], mode: str, message: str) -> None:
    """A TSA that refuses, talks nonsense, answers another query or fails: a CaptureError saying what came back
    and what to do (a redirect: where to; an answer that is no timestamp: its first bytes), no token."""
    _, sig, _ = signed
    tsa.mode = mode
    with pytest.raises(CaptureError) as caught:
        request_timestamp(sig, tsa.url)
    assert str(caught.value) == f"{tsa.url}: {message.format(port=tsa.port)}"
    assert not token_path_for(sig).exists()


def test_a_granted_answer_whose_token_cannot_be_read(signed: tuple[Path, Path, Path]) -> None:
    """An answer that decodes, granted, but whose token's TSTInfo does not parse: a CaptureError saying so, no
    token; it used to escape as a ValueError traceback."""
    import rfc3161_client

    authority = make_authority()

    def broken(url: str, query: bytes) -> bytes:
        good = authority.answer(query)
        for at in range(len(good)):   # the first one-bit change that leaves the status readable, TSTInfo not
            answer = bytearray(good)
            answer[at] ^= 0x01
            try:
                response = rfc3161_client.decode_timestamp_response(bytes(answer))
                response.status
            except ValueError:
                continue
            try:
                response.tst_info.gen_time
            except ValueError:
                return bytes(answer)
        raise AssertionError("no such change found")

    _, sig, _ = signed
    with pytest.raises(CaptureError) as caught:
        request_timestamp(sig, "http://tsa.example.org/", post=broken)
    assert str(caught.value) == ("http://tsa.example.org/: the TSA granted a timestamp, but its token cannot be read "
                                 "(ASN.1 parse error); try again, or use another TSA")
    assert not token_path_for(sig).exists()


@pytest.mark.parametrize("location, shown", [
    ("http://alice:s3cret@tsa.example.org/tsa?x=1#f", " to http://tsa.example.org/tsa?x=1"),
    ("https://[::1]:8443/t", " to https://[::1]:8443/t"),
    ("/relative", ""),
    ("ftp://tsa.example.org/", ""),
    (None, ""),
])
def test_a_redirect_names_where_to_without_credentials(location: str | None, shown: str) -> None:
    """The target of a TSA's redirect is shown when it is an http(s) address, never with a password in it."""
    from provpack.tsarequest import _refused

    fix = "give the address it points to with --tsa" + ("" if shown else " (the TSA's documentation names it)")
    assert _refused(302, "Found", location) == (f"the TSA answered HTTP 302 Found{shown}: provpack does not follow "
                                                f"redirects when asking a TSA; {fix}")


@pytest.mark.parametrize("mode", ["slow-head", "slow-body"])
def test_a_trickling_tsa_is_cut_off_at_the_total_limit(tsa: Authority, signed: tuple[Path, Path, Path],
                                                      mode: str) -> None:
    """A TSA sending its answer (head or body) a byte at a time, each well within the read timeout, is cut off
    at the total limit: requests' timeout applies to each read, so it could hold `sign --tsa` for ever."""
    import time

    _, sig, _ = signed
    tsa.mode = mode
    started = time.monotonic()
    with pytest.raises(CaptureError, match=r"the TSA did not answer within 0.5 s"):
        request_timestamp(sig, tsa.url, timeout=0.5)
    assert time.monotonic() - started < 1.2
    assert not token_path_for(sig).exists()


def test_a_trickling_tsa_is_cut_off_at_the_total_limit_through_a_proxy_too(
        tsa: Authority, signed: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Through an HTTP proxy (here the TSA itself, answering the POST sent to it as to a proxy) the answer's head is
    held to the total limit too: the proxy's connections were requests' own, which hold it only to each read."""
    import time

    _, sig, _ = signed
    tsa.mode = "slow-head"
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{tsa.port}")
    started = time.monotonic()
    with pytest.raises(CaptureError, match=r"the TSA did not answer within 0.5 s"):
        request_timestamp(sig, "http://tsa.invalid/tsa", timeout=0.5)
    assert time.monotonic() - started < 1.2 and len(tsa.queries) == 1


def test_unreachable_tsa_and_bad_urls(signed: tuple[Path, Path, Path]) -> None:
    """No TSA listening, or an address that is not http(s): clear errors."""
    _, sig, _ = signed
    with pytest.raises(CaptureError, match="cannot reach the TSA"):
        request_timestamp(sig, "http://127.0.0.1:9/tsa", timeout=2)
    with pytest.raises(InputError, match="must be http or https"):
        request_timestamp(sig, "file:///etc/passwd")


def test_cli_sign_tsa_and_verify_tsa_ca(tsa: Authority, signed: tuple[Path, Path, Path], ca_file: Path,
                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """sign --tsa writes the token; verify --key --tsa-ca passes, and fails (exit 1) once the token is gone."""
    archive, sig, pub = signed
    key = pub.with_suffix("")
    assert main(["sign", str(archive), "--key", str(key), "--tsa", tsa.url, "--force"]) == 0
    assert "seeds.warc.gz.sig.tsr (timestamped 2024-05-06T07:08:09+00:00" in capsys.readouterr().out
    assert main(["verify", "--key", str(pub), "--tsa-ca", str(ca_file), str(archive)]) == 0
    assert "timestamp: timestamped 2024-05-06" in capsys.readouterr().out
    token_path_for(sig).unlink()
    assert main(["verify", "--key", str(pub), "--tsa-ca", str(ca_file), str(archive)]) == 1
    assert "missing-timestamp" in capsys.readouterr().out
    assert main(["verify", "--tsa-ca", str(ca_file), str(archive)]) == 2  # a timestamp dates a signature
    (tmp_path / "empty.pem").write_text("")
    assert main(["verify", "--key", str(pub), "--tsa-ca", str(tmp_path / "empty.pem"), str(archive)]) == 2
    tsa.mode = "reject"
    assert main(["sign", str(archive), "--key", str(key), "--tsa", tsa.url, "--force"]) == 2
    assert "the TSA refused" in capsys.readouterr().err


def test_a_signature_given_by_path_is_dated_by_its_own_token(tsa: Authority, signed: tuple[Path, Path, Path],
                                                           ca_file: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """sign -o SIG --tsa writes SIG and SIG.tsr; verify --key --signature SIG --tsa-ca checks both (exit 0)."""
    archive, _, pub = signed
    key = pub.with_suffix("")
    sig = tmp_path / "kept" / "elsewhere.sig"
    sig.parent.mkdir()
    assert main(["-q", "sign", str(archive), "--key", str(key), "--tsa", tsa.url, "-o", str(sig)]) == 0
    assert token_path_for(sig).exists()
    archive.with_name("seeds.warc.gz.sig").unlink()
    assert main(["verify", "--key", str(pub), "--signature", str(sig), "--tsa-ca", str(ca_file), str(archive)]) == 0
    assert "timestamp: timestamped 2024-05-06T07:08:09+00:00 by CN=provpack test TSA" in capsys.readouterr().out


def test_without_the_extra(signed: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without rfc3161-client installed, asking for a timestamp says which extra to install."""
    import sys

    from provpack.errors import ProvpackError

    monkeypatch.setitem(sys.modules, "rfc3161_client", None)
    with pytest.raises(ProvpackError, match=r"in provpack's checkout, pip install '\.\[timestamp\]'"):
        request_timestamp(signed[1], "http://127.0.0.1:9/")


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("url, words", [
    ("notaurl", "a TSA address must be http or https"),
    ("https:///tsa", "a TSA address must be http or https"),
    ("http://127.0.0.1:99999/", "a valid port"),
    ("closed", "cannot reach the TSA (connection refused); check the address and the network, or sign "
               "without --tsa now and timestamp later by signing again with --tsa and --force"),
])
def test_sign_with_a_tsa_that_fails_writes_no_signature(seed_dir: Path, tmp_path: Path, url: str, words: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """sign --tsa checks the address and gets the timestamp before it writes: a bad address or a TSA that
    cannot be reached leaves no ARCHIVE.sig (so the re-run needs no --force), in one line naming the URL."""
    archive = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=DATE).warc_path
    key, _ = keygen(tmp_path / "keys" / "k")
    if url == "closed":
        url = f"http://127.0.0.1:{_closed_port()}/tsa"
    assert main(["sign", str(archive), "--key", str(key), "--tsa", url]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and url in captured.err and captured.err.count("\n") == 1
    assert "Max retries" not in captured.err and captured.out == ""
    assert sorted(p.name for p in archive.parent.iterdir()) == ["seeds.warc.gz", "seeds.warc.gz.sha256"]


def test_sign_with_tsa_writes_both_or_neither(tsa: Authority, seed_dir: Path, tmp_path: Path, ca_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A refusing TSA leaves neither file; the re-run needs no --force and writes both; an existing token is
    refused before the TSA is asked; --force replaces both."""
    archive = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=DATE).warc_path
    key, pub = keygen(tmp_path / "keys" / "k")
    sig, token = archive.with_name("seeds.warc.gz.sig"), archive.with_name("seeds.warc.gz.sig.tsr")
    tsa.mode = "reject"
    assert main(["sign", str(archive), "--key", str(key), "--tsa", tsa.url]) == 2
    assert "the TSA refused" in capsys.readouterr().err
    assert not sig.exists() and not token.exists()
    tsa.mode = "good"
    assert main(["sign", str(archive), "--key", str(key), "--tsa", tsa.url]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"wrote {sig}"
    assert check_timestamp(sig, ca_file).ok
    asked = len(tsa.queries)
    sig.unlink()
    assert main(["sign", str(archive), "--key", str(key), "--tsa", tsa.url]) == 2
    assert "seeds.warc.gz.sig.tsr: already exists; pass --force" in capsys.readouterr().err
    assert len(tsa.queries) == asked and not sig.exists()
    assert main(["-q", "sign", str(archive), "--key", str(key), "--tsa", tsa.url, "--force"]) == 0
    assert main(["-q", "verify", "--key", str(pub), "--tsa-ca", str(ca_file), str(archive)]) == 0


def test_a_ca_bundle_with_a_negative_serial_prints_no_warning(tsa: Authority, signed: tuple[Path, Path, Path],
                                                              tmp_path: Path) -> None:
    """verify --tsa-ca with a bundle holding an old root whose serial number is negative (as system bundles do)
    prints nothing on stderr: cryptography's deprecation warning, with its source line, is not shown."""
    import base64
    import sys
    import warnings

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.utils import CryptographyDeprecationWarning

    archive, sig, pub = signed
    request_timestamp(sig, tsa.url)
    der = make_authority("old").root.public_bytes(serialization.Encoding.DER)
    assert der.count(b"\x02\x01\x01") >= 1   # its serial number, 1
    negative = der.replace(b"\x02\x01\x01", b"\x02\x01\xff", 1)
    pem = ("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(negative).decode()
           + "-----END CERTIFICATE-----\n").encode()
    with warnings.catch_warnings(record=True) as seen:   # the bundle does provoke the warning
        warnings.simplefilter("always")
        x509.load_pem_x509_certificates(pem)
    assert any(issubclass(w.category, CryptographyDeprecationWarning) for w in seen)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem + tsa.root_pem())
    done = subprocess.run([sys.executable, "-m", "provpack", "-q", "verify", "--key", str(pub), "--tsa-ca",
                           str(bundle), str(archive)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("which, limit, what", [
    ("token", 1024 * 1024, "timestamp token"),
    ("sig", 16 * 1024, "signature file"),
    ("ca", 1024 * 1024, "CA certificate file"),
])
def test_the_size_limits_of_token_signature_and_ca(tmp_path: Path, which: str, limit: int, what: str) -> None:
    """A token of up to 1 MiB, a signature file of up to 16 KiB and a CA file of up to 1 MiB are read (a junk token
    is then a bad-timestamp); one byte more is an InputError naming the file and the limit."""
    root = make_authority().root_pem()
    sizes = {"token": 4, "sig": 3, "ca": len(root)}
    paths = {"sig": tmp_path / "a.warc.gz.sig", "token": tmp_path / "a.warc.gz.sig.tsr", "ca": tmp_path / "ca.pem"}

    def write(size: int) -> None:
        sizes[which] = size
        paths["token"].write_bytes(b"junk".ljust(sizes["token"], b"\0"))
        paths["sig"].write_bytes(b"sig".ljust(sizes["sig"], b"\n"))
        paths["ca"].write_bytes(root.ljust(sizes["ca"], b"\n"))

    write(limit)
    check = check_timestamp(paths["sig"], paths["ca"])
    assert check.kind == "bad-timestamp"
    assert check.message.startswith(f"{paths['token']}: not an RFC 3161 timestamp token")
    write(limit + 1)
    with pytest.raises(InputError) as caught:
        check_timestamp(paths["sig"], paths["ca"])
    assert str(caught.value) == f"{paths[which]}: the {what} is larger than {limit} bytes; it is not one provpack wrote"


def test_missing_token_and_empty_ca_are_worded(tmp_path: Path) -> None:
    """No ARCHIVE.sig.tsr: missing-timestamp naming it; a CA file without a PEM certificate: an InputError naming
    it and saying what to give."""
    sig, ca = tmp_path / "a.warc.gz.sig", tmp_path / "ca.pem"
    sig.write_bytes(b"sig")
    ca.write_bytes(make_authority().root_pem())
    check = check_timestamp(sig, ca)
    assert (check.kind, check.message) == ("missing-timestamp", f"{tmp_path / 'a.warc.gz.sig.tsr'}: no timestamp token")
    ca.write_text("not a certificate\n")
    with pytest.raises(InputError) as caught:
        check_timestamp(sig, ca)
    assert str(caught.value) == f"{ca}: no PEM certificate in it; give the TSA's CA certificate, in PEM"


def test_a_token_carrying_its_chain_names_the_tsa(tsa: Authority, signed: tuple[Path, Path, Path],
                                                 ca_file: Path) -> None:
    """A token carrying the root's certificate as well as the TSA's checks out and names the TSA, the signer,
    not the root (the order of a token's certificates is not kept: see the next test)."""
    _, sig, _ = signed
    tsa.mode = "chain"
    request_timestamp(sig, tsa.url)
    check = check_timestamp(sig, ca_file)
    assert check.ok and check.tsa == "CN=provpack test TSA"


def test_the_check_is_a_frozen_slotted_value(tmp_path: Path) -> None:
    """TimestampCheck is immutable and has no per-instance dict, like every result provpack returns."""
    import dataclasses

    check = TimestampCheck(tmp_path / "a.sig.tsr", None, "fine")
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.message = "changed"  # type: ignore[misc]
    assert not hasattr(check, "__dict__")


def test_the_signer_is_found_by_issuer_and_serial_number() -> None:
    """Of a token's certificates, in whatever order, the TSA named is the one matching the signer info's issuer
    and serial number; with no signer info, none is (the TSA is then named as such, never an exception)."""
    from types import SimpleNamespace

    from cryptography.hazmat.primitives import serialization

    from provpack.timestamp import _signer_name

    authority = make_authority()
    ders = [authority.root.public_bytes(serialization.Encoding.DER),
            authority.tsa.public_bytes(serialization.Encoding.DER)]
    signer = SimpleNamespace(serial_number=authority.tsa.serial_number, issuer=authority.tsa.issuer)
    for certificates in (ders, ders[::-1]):
        response = SimpleNamespace(signed_data=SimpleNamespace(signer_infos=[signer], certificates=certificates))
        assert _signer_name(response) == "CN=provpack test TSA"  # type: ignore[arg-type]
    response = SimpleNamespace(signed_data=SimpleNamespace(signer_infos=[], certificates=ders))
    assert _signer_name(response) == "the TSA"  # type: ignore[arg-type]


def test_a_token_changed_by_one_bit_checks_out_only_where_nothing_signed_changed(tmp_path: Path) -> None:
    """Every one-bit change of a token: those that still check out leave the TSTInfo, the signed attributes,
    the signature, the signer's id and the certificates as they were (what they change, the CMS version
    numbers and the signer's signature algorithm identifier, no signature covers and nothing reads)."""
    import hashlib

    from asn1crypto import tsp

    authority = make_authority()
    sig = tmp_path / "a.sig"
    sig.write_bytes(b"a signature file\n")
    query = tsp.TimeStampReq({"version": 1, "message_imprint": {
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": hashlib.sha256(sig.read_bytes()).digest()},
        "nonce": 7, "cert_req": True}).dump()
    good = authority.answer(query)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(authority.root_pem())
    token = token_path_for(sig)
    token.write_bytes(good)
    assert check_timestamp(sig, ca).ok

    def signed_parts(der: bytes) -> tuple[bytes, ...]:
        signed = tsp.TimeStampResp.load(der)["time_stamp_token"]["content"]
        signer = signed["signer_infos"][0]
        return (signed["encap_content_info"].dump(), signer["signed_attrs"].dump(), signer["signature"].dump(),
                signer["sid"].dump(), signer["digest_algorithm"].dump(), signed["certificates"].dump())

    accepted = []
    for at in range(len(good)):
        for bit in range(8):
            changed = bytearray(good)
            changed[at] ^= 1 << bit
            token.write_bytes(bytes(changed))
            if check_timestamp(sig, ca).ok:
                accepted.append(bytes(changed))
    assert 0 < len(accepted) < 100   # (some: the test looks at them; few: everything else is refused)
    for changed in accepted:
        assert signed_parts(changed) == signed_parts(good)
