"""Tests for provpack.signing and the keygen / sign / verify --key commands: detached Ed25519 signatures."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import provpack
from provpack import signing
from provpack.cli import main
from provpack.errors import ArchiveError, InputError, IntegrityError
from provpack.jsondepth import MAX_DEPTH
from provpack.signing import Statement, check_signature, keygen, parse_signature_file, sign
from conftest import ARCHIVE, C_LOCALE, locale_env, run_in, utf8_env

DATE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def archive(seed_dir: Path, tmp_path: Path) -> Path:
    """A freshly packaged archive with its .sha256."""
    return provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=DATE).warc_path


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A key pair: (private, public)."""
    return keygen(tmp_path / "keys" / "signer")


def test_keygen_writes_pem_pair_with_private_mode(tmp_path: Path) -> None:
    """keygen writes KEY (PKCS#8 PEM, 0600) and KEY.pub (PEM), and never overwrites without force."""
    key, pub = keygen(tmp_path / "k")
    assert pub == tmp_path / "k.pub"
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert key.stat().st_mode & 0o777 == 0o600
    first = pub.read_bytes()
    with pytest.raises(ArchiveError, match="already exists"):
        keygen(tmp_path / "k")
    keygen(tmp_path / "k", force=True)
    assert pub.read_bytes() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k", "k.pub"]


def test_paths_without_a_file_name_or_empty_are_input_errors(archive: Path, keys: tuple[Path, Path],
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """keygen('.'), sign('.', key), sign(..., out='.') and the like: an InputError naming the path (pathlib's
    with_name raised ValueError: 'PosixPath('.') has an empty name'); '' is refused naming the argument."""
    key, pub = keys
    monkeypatch.chdir(tmp_path)
    listed = sorted(tmp_path.rglob("*"))
    for call, said in ((lambda: keygen("."), ".: is a folder, not a file; name a file to write"),
                       (lambda: keygen("/"), "/: is a folder, not a file; name a file to write"),
                       (lambda: sign(".", key), ".: is a folder, not a file; give a file"),
                       (lambda: sign(archive, key, out="."), ".: is a folder, not a file; name a file to write"),
                       (lambda: check_signature("..", pub), "..: is a folder, not a file; give a file"),
                       (lambda: signing.signature_path_for(Path("/")), "/: is a folder, not a file; give a file"),
                       (lambda: keygen(""), "path: empty path; give a path"),
                       (lambda: sign("", key), "archive: empty path; give a path"),
                       (lambda: sign(archive, ""), "key_path: empty path; give a path"),
                       (lambda: sign(archive, key, wacz=""), "wacz: empty path; give a path"),
                       (lambda: check_signature(archive, ""), "pub_path: empty path; give a path"),
                       (lambda: signing.load_private_key(""), "path: empty path; give a path")):
        with pytest.raises(InputError) as caught:
            call()
        assert str(caught.value) == said
    assert sorted(tmp_path.rglob("*")) == listed


def test_sign_and_check(archive: Path, keys: tuple[Path, Path]) -> None:
    """A fresh signature checks out, names the file, its size, sha256 and the key's fingerprint."""
    key, pub = keys
    sig = sign(archive, key)
    assert sig == archive.with_name("seeds.warc.gz.sig")
    check = check_signature(archive, pub)
    assert check.ok and check.kind is None and "good signature" in check.message
    statement = check.statement
    assert statement is not None
    assert statement.file_name == "seeds.warc.gz" and statement.size_bytes == archive.stat().st_size
    assert statement.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    raw_pub = signing.load_public_key(pub).public_bytes_raw()
    assert statement.key_fingerprint == "sha256:" + hashlib.sha256(raw_pub).hexdigest()


def test_signature_file_layout(archive: Path, keys: tuple[Path, Path]) -> None:
    """The .sig is the canonical statement plus one signature line; signing twice gives the same bytes."""
    sig = sign(archive, keys[0])
    text = sig.read_text()
    lines = text.splitlines()
    assert lines[0] == "provpack-signature/1"
    assert [line.split(": ")[0] for line in lines[1:]] == ["algorithm", "file", "size", "sha256", "key", "signature"]
    first = sig.read_bytes()
    sign(archive, keys[0], force=True)
    assert sig.read_bytes() == first  # Ed25519 is deterministic: reproducible signatures


def test_openssl_checks_it_without_provpack(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """The documented OpenSSL command verifies the statement with KEY.pub: no provpack needed."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    sig = sign(archive, keys[0])
    lines = sig.read_bytes().split(b"\n")
    (tmp_path / "statement").write_bytes(b"\n".join(lines[:-2]) + b"\n")
    (tmp_path / "sig.bin").write_bytes(base64.b64decode(lines[-2].split(b": ")[1]))
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(keys[1]), "-rawin",
                           "-in", str(tmp_path / "statement"), "-sigfile", str(tmp_path / "sig.bin")],
                          capture_output=True, text=True, check=False)
    if "rawin" in done.stderr and done.returncode != 0:
        pytest.skip(f"this openssl lacks -rawin (OpenSSL 3 needed): {done.stderr.strip()}")
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stderr


def test_changed_archive_is_a_bad_signature(archive: Path, keys: tuple[Path, Path]) -> None:
    """One changed byte in the archive: bad-signature, saying the archive changed after signing."""
    sign(archive, keys[0])
    data = bytearray(archive.read_bytes())
    data[100] ^= 1
    archive.write_bytes(bytes(data))
    check = check_signature(archive, keys[1])
    assert check.kind == "bad-signature" and "changed after signing" in check.message


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("size: ", "size: 1"),
    lambda t: t.replace("file: seeds", "file: other"),
    lambda t: t.replace("algorithm: ed25519\n", ""),
    lambda t: t.replace("algorithm: ed25519\n", "algorithm: ed25519\nextra: field\n"),
    lambda t: t.replace("provpack-signature/1", "provpack-signature/2"),
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t[:-10] + "AAAAAAAAA\n",
    lambda t: t.rstrip("\n"),
    lambda t: t.replace("signature: ", "signature: !!"),
    lambda t: "",
])
def test_altered_signature_file_is_bad(archive: Path, keys: tuple[Path, Path], edit: object) -> None:
    """Any edit to the .sig (statement, order, line ends, signature) is a bad-signature, never an exception."""
    sig = sign(archive, keys[0])
    sig.write_text(edit(sig.read_text()), newline="")  # type: ignore[operator]
    check = check_signature(archive, keys[1])
    assert check.kind == "bad-signature", check.message


def test_other_key_and_missing_signature(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Another key's signature is bad (naming both fingerprints); no .sig at all is missing-signature."""
    assert check_signature(archive, keys[1]).kind == "missing-signature"
    _, other_pub = keygen(tmp_path / "other")
    sign(archive, keys[0])
    check = check_signature(archive, other_pub)
    assert check.kind == "bad-signature" and "signed by key sha256:" in check.message


def test_refuses_to_sign_a_file_that_fails_its_checksum(archive: Path, keys: tuple[Path, Path]) -> None:
    """An archive that no longer matches its .sha256 is not signed."""
    data = bytearray(archive.read_bytes())
    data[-5] ^= 1
    archive.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="refusing to sign"):
        sign(archive, keys[0])
    assert not archive.with_name("seeds.warc.gz.sig").exists()


def test_bad_key_files(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Wrong or broken key files are InputErrors saying what they are."""
    (tmp_path / "junk").write_text("not a key")
    with pytest.raises(InputError, match="not a PEM private key"):
        sign(archive, tmp_path / "junk")
    with pytest.raises(InputError, match="this is a private key"):
        check_signature(archive, keys[0])
    with pytest.raises(InputError, match="not a PEM public key"):
        check_signature(archive, tmp_path / "junk")
    with pytest.raises(InputError, match="cannot read"):
        sign(archive, tmp_path / "none")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pem").write_bytes(other.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    with pytest.raises(InputError, match="not an Ed25519 key"):
        sign(archive, tmp_path / "ec.pem")
    encrypted = signing.load_private_key(keys[0]).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass"))
    (tmp_path / "enc.pem").write_bytes(encrypted)
    with pytest.raises(InputError, match="encrypted"):
        sign(archive, tmp_path / "enc.pem")


def test_group_readable_key_warns(archive: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    """A private key others can read still signs, with a warning."""
    keys[0].chmod(0o644)
    sign(archive, keys[0])
    assert "readable by others" in caplog.text


def test_file_names_that_cannot_be_stated(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A name with a line break cannot be put in a one-line statement: refused."""
    odd = tmp_path / "a\nb.warc.gz"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match="line break"):
        sign(odd, keys[0])


def test_renamed_archive_still_checks(archive: Path, keys: tuple[Path, Path]) -> None:
    """Renaming archive and signature keeps the signature good, and the check says the signed name."""
    sign(archive, keys[0])
    moved = archive.with_name("renamed.warc.gz")
    archive.rename(moved)
    archive.with_name("seeds.warc.gz.sig").rename(moved.with_name("renamed.warc.gz.sig"))
    check = check_signature(moved, keys[1])
    assert check.ok and "signed as seeds.warc.gz" in check.message


def make_wacz(path: Path, files: dict[str, bytes], *, listed: dict[str, bytes] | None = None) -> Path:
    """A minimal WACZ: the files, datapackage.json listing them (or `listed`), datapackage-digest.json over it."""
    resources = [{"name": Path(name).name, "path": name, "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                  "bytes": len(data)} for name, data in (listed or files).items()]
    package = json.dumps({"profile": "data-package", "wacz_version": "1.1.1", "resources": resources}).encode()
    digest = json.dumps({"path": "datapackage.json",
                         "hash": "sha256:" + hashlib.sha256(package).hexdigest()}).encode()
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
        bundle.writestr("datapackage.json", package)
        bundle.writestr("datapackage-digest.json", digest)
    return path


def test_wacz_digest_is_signed_and_checked(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """With --wacz the statement adds its datapackage digest; a changed file inside the WACZ is then caught."""
    wacz = make_wacz(archive.with_name("seeds.wacz"), {"archive/seeds.warc.gz": archive.read_bytes(),
                                                       "pages/pages.jsonl": b'{"format": "json-pages-1.0"}\n'})
    sign(archive, keys[0], wacz=wacz)
    check = check_signature(archive, keys[1])
    assert check.ok and check.statement is not None and check.statement.wacz_name == "seeds.wacz"
    assert check.statement.wacz_datapackage_digest == "sha256:" + hashlib.sha256(
        zipfile.ZipFile(wacz).read("datapackage-digest.json")).hexdigest()
    make_wacz(wacz, {"archive/seeds.warc.gz": archive.read_bytes(), "pages/pages.jsonl": b"{}\n"})
    check = check_signature(archive, keys[1])
    assert check.kind == "bad-signature" and "the WACZ changed after signing" in check.message
    wacz.unlink()
    assert check_signature(archive, keys[1]).kind == "bad-signature"


def test_wacz_with_a_broken_chain_is_not_signed(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A WACZ whose files do not match datapackage.json, or that is not a zip, is refused at signing."""
    wacz = make_wacz(tmp_path / "x.wacz", {"a.txt": b"changed"}, listed={"a.txt": b"a"})
    with pytest.raises(IntegrityError, match="a.txt: sha256 "):
        sign(archive, keys[0], wacz=wacz)
    wacz = make_wacz(tmp_path / "x.wacz", {"a.txt": b"a"}, listed={"a.txt": b"a", "b.txt": b"b"})
    with pytest.raises(IntegrityError, match="b.txt is listed in datapackage.json but missing"):
        sign(archive, keys[0], wacz=wacz)
    (tmp_path / "y.wacz").write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match="y.wacz: not a WACZ file: a WACZ is a ZIP file, and this is not one; "
                       "give the .wacz file 'provpack wacz' wrote$"):
        sign(archive, keys[0], wacz=tmp_path / "y.wacz")


@given(data=st.binary(max_size=600))
def test_random_signature_files_never_crash(data: bytes) -> None:
    """parse_signature_file takes any bytes: a Statement, or ValueError; never another exception."""
    try:
        statement, signed, signature = parse_signature_file(data)
    except ValueError:
        return
    assert signed == statement.to_bytes() and len(signature) == 64


@given(name=st.text(min_size=1, max_size=30).filter(lambda n: not any(ord(c) < 32 or ord(c) == 127 for c in n)),
       size=st.integers(0, 2**63), sha=st.binary(min_size=32, max_size=32))
def test_statement_round_trips(name: str, size: int, sha: bytes) -> None:
    """Every statement parses back to itself from the bytes it signs."""
    statement = Statement(name, size, sha.hex(), "sha256:" + "ab" * 32)
    data = statement.to_bytes() + b"signature: " + base64.b64encode(b"\0" * 64) + b"\n"
    assert parse_signature_file(data)[0] == statement


def test_cli_keygen_sign_verify(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """keygen, sign, verify --key: exit 0 when good; 1 on a missing or bad signature; 2 on a bad key file."""
    key = tmp_path / "k"
    assert main(["keygen", "-o", str(key)]) == 0
    assert "k.pub (public key, sha256:" in capsys.readouterr().out
    assert main(["keygen", "-o", str(key)]) == 2
    assert main(["verify", "--key", f"{key}.pub", str(archive)]) == 1
    assert "missing-signature" in capsys.readouterr().out
    assert main(["sign", str(archive), "--key", str(key)]) == 0
    assert main(["sign", str(archive), "--key", str(key)]) == 2  # exists: needs --force
    capsys.readouterr()
    assert main(["verify", "--key", f"{key}.pub", str(archive)]) == 0
    assert "signature: " in capsys.readouterr().out
    sig = archive.with_name("seeds.warc.gz.sig")
    sig.write_text(sig.read_text().replace("size: ", "size: 9"))
    assert main(["verify", "--key", f"{key}.pub", "--json", str(archive)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [p["kind"] for p in report["files"][0]["problems"]] == ["bad-signature"]
    assert main(["verify", "--key", str(key), str(archive)]) == 2  # the private key is not the public one
    assert main(["verify", "--key", f"{key}.pub", "-"]) == 2


def test_public_key_given_to_sign_is_named_as_such(
    archive: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """KEY.pub given where KEY belongs is refused as a public key, with no warning about its file mode."""
    keys[1].chmod(0o644)
    with pytest.raises(InputError, match="this is a public key"):
        sign(archive, keys[1])
    assert "readable by others" not in caplog.text


def test_resigning_warns_of_a_token_left_from_the_old_signature(
    archive: Path, keys: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """sign --force without --tsa beside an ARCHIVE.sig.tsr: warned that the token dates the replaced signature
    (it is left in place: nothing is deleted); no warning when there is no token, or when the new signature file
    is the very one it dated (the same key and archive); a token there without a signature is said as such."""
    key = str(keys[0])
    assert main(["sign", str(archive), "--key", key]) == 0
    assert capsys.readouterr().err == ""
    token = archive.with_name("seeds.warc.gz.sig.tsr")
    token.write_bytes(b"old token")
    assert main(["sign", str(archive), "--key", key, "--force"]) == 0   # (the same bytes again)
    assert capsys.readouterr().err == ""
    other = keygen(archive.parent / "other")[0]
    assert main(["sign", str(archive), "--key", str(other), "--force"]) == 0
    assert capsys.readouterr().err == (
        f"provpack: warning: {token} dates the signature this run replaced, not the new one (verify --tsa-ca will call "
        "it bad): timestamp the new one with --tsa, or remove it\n")
    assert token.read_bytes() == b"old token"
    archive.with_name("seeds.warc.gz.sig").unlink()
    assert main(["sign", str(archive), "--key", key]) == 0
    assert capsys.readouterr().err == (
        f"provpack: warning: {token} was there without a signature: it dates none that this run replaced, and not the "
        "new one (verify --tsa-ca will call it bad): timestamp the new one with --tsa, or remove it\n")


def _provpack(*args: str) -> subprocess.CompletedProcess[str]:
    """provpack in a child with a time limit: a read that blocks on a FIFO must fail the test, not hang it."""
    import sys

    return subprocess.run([sys.executable, "-m", "provpack", *args], capture_output=True, text=True, timeout=20)


@pytest.mark.parametrize("suffix, what", [(".sig", "signature file"), (".sha256", "checksum file")])
def test_a_fifo_for_the_signature_or_checksum_is_exit_2(archive: Path, keys: tuple[Path, Path], suffix: str,
                                                        what: str) -> None:
    """ARCHIVE.sig or ARCHIVE.sha256 made a FIFO: verify --key and sign exit 2 naming it; they used to wait for
    a writer for ever."""
    import os

    key, pub = keys
    sign(archive, key)
    fifo = archive.with_name(archive.name + suffix)
    fifo.unlink()
    os.mkfifo(fifo)
    # verify --key reads the .sig; sign reads the .sha256 to check the archive first (it never reads a .sig)
    commands = [["verify", str(archive), "--key", str(pub)] if suffix == ".sig"
                else ["sign", str(archive), "--key", str(key), "--force"]]
    for command in commands:
        done = _provpack(*command)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr == f"provpack: error: {fifo}: the {what} is not a regular file (a FIFO, device or " \
                              "folder); put the file itself there\n"


def test_a_fifo_for_the_archive_is_not_signed(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    """Signing a FIFO (its size and sha256 mean nothing) is refused at once, naming it."""
    import os

    fifo = tmp_path / "a.warc.gz"
    os.mkfifo(fifo)
    done = _provpack("sign", str(fifo), "--key", str(keys[0]))
    assert done.returncode == 2 and f"{fifo}: is not a regular file" in done.stderr, done.stderr


def test_read_small_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    """The small-file reader takes regular files only: a folder is an ArchiveError naming it (FIFOs: above, in a
    child process, so that a regression fails rather than hangs)."""
    with pytest.raises(ArchiveError, match=f"^{tmp_path}: the key file is not a regular file"):
        signing.read_small(tmp_path, 100, what="key file")
    (tmp_path / "ok").write_bytes(b"x" * 5)
    assert signing.read_small(tmp_path / "ok", 100, what="key file") == b"xxxxx"


def test_keygen_never_replaces_a_lone_public_key(tmp_path: Path) -> None:
    """KEY.pub there without KEY (someone's public key kept under that name): keygen refuses, naming KEY.pub, and
    writes nothing; the private key's own check would not see it."""
    pub = tmp_path / "k.pub"
    pub.write_bytes(b"someone's key")
    with pytest.raises(ArchiveError) as caught:
        keygen(tmp_path / "k")
    assert str(caught.value) == (f"{pub}: already exists; pass --force (force=True) to replace the key pair, or "
                                 "choose another name")
    assert pub.read_bytes() == b"someone's key" and not (tmp_path / "k").exists()


@pytest.mark.parametrize("which", ["private", "public", "signature"])
def test_key_and_signature_files_are_read_up_to_16_kib(archive: Path, keys: tuple[Path, Path], which: str) -> None:
    """A key file or .sig of 16 KiB is read (a key padded with blank lines still loads; a padded .sig is
    malformed); one byte more is refused unread, naming the file and the limit (for a .sig: a bad-signature)."""
    key, pub = keys
    sign(archive, key)
    path, what = {"private": (key, "key file"), "public": (pub, "public key file"),
                  "signature": (archive.with_name("seeds.warc.gz.sig"), "signature file")}[which]
    original = path.read_bytes()

    def run() -> signing.SignatureCheck:
        if which == "private":
            sign(archive, key, force=True)
        return check_signature(archive, pub)

    path.write_bytes(original.ljust(16 * 1024, b"\n"))
    check = run()
    assert check.ok if which != "signature" else check.message.startswith(f"{path}: malformed signature file: ")
    path.write_bytes(original.ljust(16 * 1024 + 1, b"\n"))
    refusal = f"{path}: the {what} is larger than 16384 bytes; it is not one provpack wrote"
    if which == "signature":   # a .sig is a finding: a bad-signature
        assert run().message == (f"{path}: malformed signature file: the {what} is larger than 16384 bytes;"
                                 " it is not one provpack wrote")
        return
    with pytest.raises(InputError) as caught:
        run()
    assert str(caught.value) == refusal


def test_a_read_error_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small file that opens but fails while read (an I/O error) is an InputError saying what was being read."""
    import errno
    import io
    import os

    (tmp_path / "k").write_bytes(b"key")

    class Failing(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: object) -> int:
            raise OSError(errno.EIO, "Input/output error")

    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: object, **kwargs: object) -> Failing:
        real_fdopen(fd).close()
        return Failing()

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(InputError) as caught:
        signing.read_small(tmp_path / "k", 100, what="key file")
    monkeypatch.undo()
    assert str(caught.value).startswith(f"{tmp_path / 'k'}: cannot read the key file: input/output error")


def test_wrong_key_files_are_worded(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A public key file that is not PEM, and a folder given as the archive: messages naming the file and the fix."""
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key")
    with pytest.raises(InputError) as caught:
        check_signature(archive, junk)
    assert str(caught.value) == f"{junk}: not a PEM public key; give the KEY.pub file 'provpack keygen' wrote"
    folder = tmp_path / "folder.warc.gz"
    folder.mkdir()
    with pytest.raises(ArchiveError) as refused:
        sign(folder, keys[0])
    assert str(refused.value) == f"{folder}: is not a regular file (a FIFO, device or folder); sign the file itself"


def _statement_file(**replace: bytes) -> bytes:
    """A well-formed .sig (a dummy signature), with lines replaced by prefix: {b"size": b"size: x"}."""
    statement = Statement("a.warc.gz", 5, "ab" * 32, "sha256:" + "cd" * 32).to_bytes()
    lines = (statement + b"signature: " + base64.b64encode(b"\0" * 64) + b"\n").split(b"\n")[:-1]
    lines = [next((new for old, new in replace.items() if line.startswith(old.encode())), line) for line in lines]
    return b"".join(line + b"\n" for line in lines if line != b"-")


@pytest.mark.parametrize("data, message", [
    (b"provpack-signature/1\n\xff\n", "not UTF-8 text"),
    (_statement_file().replace(b"\n", b"\r\n"), "lines must end in a single LF"),
    (_statement_file()[:-1], "lines must end in a single LF"),
    (b"", "the file is empty"),
    (b"provpack-signature/1\n",
     "it holds only its first line, provpack-signature/1: the statement and the signature line are missing"),
    (_statement_file(provpack=b"provpack-signature/2"), "the first line must be provpack-signature/1"),
    (_statement_file(algorithm=b"-", file=b"-", size=b"-", sha256=b"-", key=b"-"), "missing or invalid field 'file'"),
    (_statement_file(file=b"file a.warc.gz"), "line 3 is not 'key: value'"),
    (_statement_file(signature=b"-"), "the last line must be 'signature: <base64>'"),
    (_statement_file(signature=b"signature: !!"), "the signature is not base64"),
    (_statement_file(signature=b"signature: " + base64.b64encode(b"\0" * 63)),
     "an Ed25519 signature has 64 bytes, not 63"),
    (_statement_file(file=b"size: 5", size=b"file: a.warc.gz"),
     "the statement is not in canonical form (fields missing, repeated, unknown or reordered)"),
    (_statement_file(sha256=b"sha256: " + b"AB" * 32), "sha256 must be 64 lower-case hex digits and size a count of bytes"),
])
def test_malformed_signature_files_say_what_is_wrong(data: bytes, message: str) -> None:
    """Each way a .sig can be malformed has its own message (verify prints it after the file's name)."""
    assert parse_signature_file(_statement_file())[0].file_name == "a.warc.gz"
    with pytest.raises(ValueError) as caught:
        parse_signature_file(data)
    assert str(caught.value) == message


def test_a_checksum_file_is_read_up_to_4_kib_and_quoted_briefly(archive: Path, keys: tuple[Path, Path]) -> None:
    """ARCHIVE.sha256 of 4 KiB is read (padding after the digest is fine), one byte more is refused; a wrong or
    empty one, or one not UTF-8, is an IntegrityError quoting at most 64 characters of what it says."""
    sha = archive.with_name("seeds.warc.gz.sha256")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    sha.write_bytes(f"{digest}  seeds.warc.gz\n".encode().ljust(4096))
    sign(archive, keys[0])
    sha.write_bytes(f"{digest}  seeds.warc.gz\n".encode().ljust(4097))
    with pytest.raises(InputError, match=r"the checksum file is larger than 4096 bytes"):
        sign(archive, keys[0], force=True)
    start = f"{archive}: its sha256 is {digest}, but seeds.warc.gz.sha256 says "
    end = "; refusing to sign a file that changed (run 'provpack verify')"
    for content, says in [(b"", "nothing"), (b"f" * 70 + b"  seeds.warc.gz\n", "f" * 64),
                          (b"\xff" * 3 + b"  seeds.warc.gz\n", "\ufffd" * 3)]:
        sha.write_bytes(content)
        with pytest.raises(IntegrityError) as caught:
            sign(archive, keys[0], force=True)
        assert str(caught.value) == start + says + end


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def _chained(package: dict[str, object] | bytes, **members: bytes) -> dict[str, bytes]:
    """The members of a WACZ whose datapackage-digest.json holds the right hash of this datapackage.json."""
    data = package if isinstance(package, bytes) else json.dumps(package).encode()
    digest = json.dumps({"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()})
    return {**members, "datapackage.json": data, "datapackage-digest.json": digest.encode()}


def _holding(archive: Path, *resources: dict[str, object], algorithm: str = "sha256",
             **members: bytes) -> dict[str, bytes]:
    """The members of a WACZ that holds `archive` as archive/NAME (its hash by `algorithm`), with these other
    resources and members, chained."""
    data = archive.read_bytes()
    listed = {"path": f"archive/{archive.name}", "hash": f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}",
              "bytes": len(data)}
    return _chained({"resources": [listed, *resources]}, **{f"archive/{archive.name}": data}, **members)


def test_a_wacz_chain_that_does_not_hold_is_worded(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Each break in a WACZ's chain of hashes, or in its layout, is refused at signing with its own message."""
    wacz = tmp_path / "x.wacz"
    say = {"hash": "sha256:" + "0" * 64}
    cases: list[tuple[dict[str, bytes], type[Exception], str]] = [
        ({"datapackage.json": b"{}", "datapackage-digest.json": json.dumps(say).encode()}, IntegrityError,
         f"datapackage-digest.json says sha256:{'0' * 64}, but datapackage.json has sha256:"
         + hashlib.sha256(b"{}").hexdigest()),
        ({"datapackage.json": b"{}"}, ArchiveError, "no datapackage-digest.json in it; give a WACZ file"),
        (_chained(b"[]"), ArchiveError, "datapackage.json is not a JSON object"),
        (_chained(b"[" * 3000 + b"]" * 3000), ArchiveError, "datapackage.json does not parse: it nests arrays and "
         f"objects 3,000 levels deep, more than the {MAX_DEPTH} provpack reads"),   # (was json.loads's RecursionError)
        (_chained({"resources": [{"path": 5}]}), ArchiveError, "datapackage.json: a resource without a path"),
        (_chained({"resources": [{"path": "a.txt", "hash": "crc32:" + "0" * 100}]}, **{"a.txt": b"a"}), ArchiveError,
         "datapackage.json: a.txt: hash " + repr(("crc32:" + "0" * 100)[:80]) + " is not 'sha256:<hex>'"),
    ]
    for members, error, message in cases:
        with pytest.raises(error) as caught:
            sign(archive, keys[0], wacz=_zip(wacz, members), force=True)
        assert str(caught.value) == f"{wacz}: {message}"


def test_a_wacz_member_nothing_vouches_for_is_refused(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A WACZ holding a file datapackage.json does not list (an added WARC or index, which a replay tool reads), or
    a name twice (zipfile reads the last copy, another reader may take the first), is refused at signing, and a
    signed WACZ changed so is a bad-signature; an empty folder entry holds nothing and passes."""
    listed = {"archive/seeds.warc.gz": archive.read_bytes(), "pages/pages.jsonl": b'{"format": "json-pages-1.0"}\n'}
    wacz = make_wacz(tmp_path / "x.wacz", listed)
    with zipfile.ZipFile(wacz, "a") as bundle:
        bundle.writestr(zipfile.ZipInfo("archive/"), b"")
    sign(archive, keys[0], wacz=wacz)
    assert check_signature(archive, keys[1], wacz=wacz).ok
    extra = tmp_path / "extra.wacz"
    shutil.copyfile(wacz, extra)
    with zipfile.ZipFile(extra, "a") as bundle:
        bundle.writestr("archive/evil.warc.gz", b"WARC/1.1\r\n")
        bundle.writestr("indexes/evil.cdx", b"forged index\n")
    doubled = tmp_path / "doubled.wacz"
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(doubled, "w") as bundle:
        bundle.writestr("archive/seeds.warc.gz", b"WARC/1.1\r\n")   # first: the copy zipfile does not read
        for info in source.infolist():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)   # (zipfile's "Duplicate name")
                bundle.writestr(info, source.read(info))
    said = {extra: "archive/evil.warc.gz (and 1 more) is in the zip but not listed in datapackage.json: nothing "
                   "vouches for it, and a replay tool would read it",
            doubled: "archive/seeds.warc.gz is in the zip twice: a reader may take either copy, and only one is hashed "
                     "in datapackage.json"}
    for changed, message in said.items():
        check = check_signature(archive, keys[1], wacz=changed)
        assert (check.kind, check.message) == ("bad-signature",
                                               f"the signature also covers x.wacz: {changed}: {message}")
        with pytest.raises(IntegrityError) as caught:
            sign(archive, keys[0], wacz=changed, force=True)
        assert str(caught.value) == f"{changed}: {message}"


def test_a_wacz_member_zipfile_cannot_read_is_worded(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A member in a compression method zipfile lacks: an ArchiveError saying the WACZ is not readable, and how
    to check it."""
    members = _chained({"resources": [{"path": "a.txt", "hash": "sha256:" + hashlib.sha256(b"a").hexdigest()}]},
                       **{"a.txt": b"a"})
    data = bytearray(_zip(tmp_path / "x.wacz", members).read_bytes())
    entry = data.index(b"PK\x01\x02")   # the central directory's entry for a.txt, written first
    data[entry + 10:entry + 12] = (99).to_bytes(2, "little")
    (tmp_path / "x.wacz").write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as caught:
        sign(archive, keys[0], wacz=tmp_path / "x.wacz")
    assert str(caught.value) == (f"{tmp_path / 'x.wacz'}: not a readable WACZ (zip) file: That compression method is "
                                 "not supported; check it with `wacz validate`, or make it again with 'provpack wacz'")


@pytest.mark.parametrize("algorithm", ["sha256", "md5", "sha1", "sha512"])
def test_wacz_resources_may_be_hashed_with_any_common_algorithm(archive: Path, keys: tuple[Path, Path],
                                                                tmp_path: Path, algorithm: str) -> None:
    """A resource's hash may be sha256, md5, sha1 or sha512 (WACZ allows them): checked with it, then signed; the
    archive's too (its sha256 is then hashed as well, to compare with the archive's)."""
    value = hashlib.new(algorithm, b"a").hexdigest()
    wacz = _zip(tmp_path / "x.wacz", _holding(archive, {"path": "a.txt", "hash": f"{algorithm}:{value}"},
                                              algorithm=algorithm, **{"a.txt": b"a"}))
    sign(archive, keys[0], wacz=wacz)
    assert check_signature(archive, keys[1], wacz=wacz).ok
    _zip(wacz, _holding(archive, {"path": "a.txt", "hash": f"{algorithm}:{value}"}, algorithm=algorithm,
                        **{"a.txt": b"b"}))
    with pytest.raises(IntegrityError, match=f"a.txt: {algorithm} {hashlib.new(algorithm, b'b').hexdigest()}, but"):
        sign(archive, keys[0], wacz=wacz, force=True)


def test_wacz_json_is_read_up_to_64_mib(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A datapackage.json of 64 MiB is read; one byte more is refused from its size, before it is read."""
    limit = 64 * 1024 * 1024
    wacz = tmp_path / "x.wacz"
    members = _holding(archive)
    held = {"archive/seeds.warc.gz": members["archive/seeds.warc.gz"]}
    sign(archive, keys[0], wacz=_zip(wacz, _chained(members["datapackage.json"].ljust(limit), **held)))
    _zip(wacz, _chained(members["datapackage.json"].ljust(limit + 1), **held))
    with pytest.raises(ArchiveError) as caught:
        sign(archive, keys[0], wacz=wacz, force=True)
    assert str(caught.value) == f"{wacz}: datapackage.json is larger than {limit} bytes"


def test_a_stale_wacz_is_not_signed_and_not_vouched_for(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The WACZ of an earlier archive of the same name (package --wacz, then package --force without it): sign
    --wacz refuses it (exit 1, as an archive its .sha256 disagrees with) and writes nothing; a signature made over
    the two all the same (by a provpack that did not check, stood in for here) is a bad-signature (exit 1). It used
    to be signed and called "good signature ..., with the WACZ". Made again with `provpack wacz`, both sign and
    verify (exit 0)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    Path("src/a.txt").write_text("One [...] text.\n")
    assert main(["-q", "package", "src", "-o", "o/a.warc.gz", "--wacz"]) == 0
    old = Path("o/a.warc.gz").read_bytes()
    Path("src/a.txt").write_text("Two [...] text.\n")
    assert main(["-q", "package", "src", "-o", "o/a.warc.gz", "--force"]) == 0
    new = Path("o/a.warc.gz").read_bytes()
    assert main(["-q", "keygen", "-o", "k"]) == 0
    capsys.readouterr()
    assert main(["sign", "o/a.warc.gz", "--key", "k", "--wacz", "o/a.wacz"]) == 1
    holds = (f"holds another a.warc.gz (archive/a.warc.gz: {len(old):,} bytes, sha256 "
             f"{hashlib.sha256(old).hexdigest()}) than o/a.warc.gz ({len(new):,} bytes, sha256 "
             f"{hashlib.sha256(new).hexdigest()}), so it is not that archive's WACZ")
    assert capsys.readouterr() == ("", f"provpack: error: o/a.wacz: {holds}; refusing to sign it with the archive (run "
                                       "'provpack wacz o/a.warc.gz -o o/a.wacz --force', then sign again)\n")
    assert not Path("o/a.warc.gz.sig").exists()
    with monkeypatch.context() as unchecked:
        unchecked.setattr(signing, "_not_holding", lambda *args: None)
        assert main(["-q", "sign", "o/a.warc.gz", "--key", "k", "--wacz", "o/a.wacz"]) == 0
    assert main(["verify", "o/a.warc.gz", "--key", "k.pub"]) == 1
    assert _problems(capsys) == [
        f"o/a.warc.gz: bad-signature: the signature also covers a.wacz: o/a.wacz: {holds}; make the WACZ again with "
        "'provpack wacz o/a.warc.gz -o o/a.wacz --force', then sign both again with 'provpack sign o/a.warc.gz --key "
        "KEY --wacz o/a.wacz --force'"]
    assert main(["-q", "wacz", "o/a.warc.gz", "-o", "o/a.wacz", "--force"]) == 0
    assert main(["-q", "sign", "o/a.warc.gz", "--key", "k", "--wacz", "o/a.wacz", "--force"]) == 0
    assert main(["verify", "o/a.warc.gz", "--key", "k.pub"]) == 0
    assert capsys.readouterr().out.count(", with the WACZ o/a.wacz\n") == 1
    assert Path("o/a.warc.gz").read_bytes() == new


def test_a_wacz_of_another_archive_is_named_with_what_it_holds(archive: Path, keys: tuple[Path, Path]) -> None:
    """A WACZ whose datapackage.json lists no archive/NAME of the archive's sha256 and size is refused at signing,
    saying what it holds: the archive under another name, other archives, none at all (a hand-made ZIP of a
    consistent datapackage.json and datapackage-digest.json), or archive/NAME recorded with another size or none.
    Each is a bad-signature for a signature made over it all the same."""
    data = archive.read_bytes()
    size, sha = len(data), hashlib.sha256(data).hexdigest()
    other = b"WARC/1.1\r\n\r\n"
    other_sha = hashlib.sha256(other).hexdigest()

    def listed(path: str, content: bytes, **fields: object) -> dict[str, object]:
        return {"path": path, "hash": "sha256:" + hashlib.sha256(content).hexdigest(), **fields}

    wacz = archive.with_name("x.wacz")
    cases = [
        (_chained({"resources": [listed("archive/data.warc.gz", data, bytes=size)]},
                  **{"archive/data.warc.gz": data}),
         f"holds the bytes of {archive} as archive/data.warc.gz, not as archive/seeds.warc.gz, the name they are "
         "signed under"),
        (_chained({"resources": [listed("archive/b.warc.gz", other, bytes=len(other)),
                                 listed("archive/c.warc", other, bytes=len(other))]},
                  **{"archive/b.warc.gz": other, "archive/c.warc": other}),
         f"holds archive/b.warc.gz (and 1 more), not archive/seeds.warc.gz, so it is not the WACZ of {archive}"),
        (_chained({"resources": []}),
         f"holds no archive (its datapackage.json lists no archive/ file), so it is not the WACZ of {archive}"),
        (_chained({"resources": [listed("archive/seeds.warc.gz", other, bytes=len(other))]},
                  **{"archive/seeds.warc.gz": other}),
         f"holds another seeds.warc.gz (archive/seeds.warc.gz: {len(other)} bytes, sha256 {other_sha}) than {archive} "
         f"({size:,} bytes, sha256 {sha}), so it is not that archive's WACZ"),
        (_chained({"resources": [listed("archive/seeds.warc.gz", data, bytes=size + 1)]},
                  **{"archive/seeds.warc.gz": data}),
         f"holds another seeds.warc.gz (archive/seeds.warc.gz: {size + 1:,} bytes, sha256 {sha}) than {archive} "
         f"({size:,} bytes, sha256 {sha}), so it is not that archive's WACZ"),
        (_chained({"resources": [listed("archive/seeds.warc.gz", data, bytes=True)]},
                  **{"archive/seeds.warc.gz": data}),
         f"holds another seeds.warc.gz (archive/seeds.warc.gz: no count of bytes, sha256 {sha}) than {archive} "
         f"({size:,} bytes, sha256 {sha}), so it is not that archive's WACZ"),
    ]
    sig = archive.with_name("seeds.warc.gz.sig")
    for members, holds in cases:
        _zip(wacz, members)
        with pytest.raises(IntegrityError) as caught:
            sign(archive, keys[0], wacz=wacz, force=True)
        assert str(caught.value) == (f"{wacz}: {holds}; refusing to sign it with the archive (run 'provpack wacz "
                                     f"{archive} -o {wacz} --force', then sign again)")
        assert not sig.exists()
        with pytest.MonkeyPatch.context() as unchecked:
            unchecked.setattr(signing, "_not_holding", lambda *args: None)
            sign(archive, keys[0], wacz=wacz)
        check = check_signature(archive, keys[1])
        assert (check.kind, check.message) == (
            "bad-signature", f"the signature also covers x.wacz: {wacz}: {holds}; make the WACZ again with 'provpack "
            f"wacz {archive} -o {wacz} --force', then sign both again with 'provpack sign {archive} --key KEY --wacz "
            f"{wacz} --force'")
        sig.unlink()
    _zip(wacz, _holding(archive))   # the archive/NAME provpack's wacz writes, hashed "sha256:<hex>", with its bytes
    sign(archive, keys[0], wacz=wacz)
    assert check_signature(archive, keys[1]).ok


def test_a_signed_wacz_gone_is_named(archive: Path, keys: tuple[Path, Path]) -> None:
    """The signature covers a WACZ that is no longer there: bad-signature saying so, with why."""
    wacz = _zip(archive.with_name("seeds.wacz"), _holding(archive))
    sign(archive, keys[0], wacz=wacz)
    wacz.unlink()
    check = check_signature(archive, keys[1])
    assert check.kind == "bad-signature"
    assert check.message == (f"the signature also covers the WACZ seeds.wacz, which is not beside the archive "
                             f"({wacz}: no such file): if it is elsewhere, give it with verify --wacz WACZ (wacz=WACZ)")
    assert check_signature(archive, keys[1], wacz=wacz).message == (
        f"the signature also covers seeds.wacz: {wacz}: no such file; check the path")   # named: no hint


def test_a_name_that_is_not_utf8_is_refused_before_anything_is_written(
        archive: Path, keys: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file name whose bytes are not UTF-8 cannot be put in the statement: exit 2 naming it (bytes escaped),
    and no signature file; it used to be a UnicodeEncodeError traceback (exit 1). The same for --wacz."""
    import os

    odd = tmp_path / os.fsdecode(b"caf\xe9.warc.gz")
    archive.rename(odd)
    assert main(["sign", str(odd), "--key", str(keys[0])]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path}/caf\\xe9.warc.gz: has a name that is not valid "
                                       "UTF-8, which a signed statement cannot name; rename the file, then sign it\n")
    assert not os.path.lexists(signing.signature_path_for(odd))
    odd.rename(archive)
    wacz = _zip(tmp_path / os.fsdecode(b"caf\xe9.wacz"), _holding(archive))
    with pytest.raises(InputError) as caught:
        sign(archive, keys[0], wacz=wacz)
    assert caught.value.problem == "has a name that is not valid UTF-8, which a signed statement cannot name"
    assert not os.path.lexists(signing.signature_path_for(archive))


@pytest.mark.parametrize("data, what", [
    (b"", "the file is empty"),
    (b"PK\x03\x04" + b"\0" * 60, "a ZIP file (a WACZ?)"),
], ids=["empty", "zip"])
def test_what_is_not_a_warc_is_not_signed(tmp_path: Path, keys: tuple[Path, Path], data: bytes, what: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """verify checks signatures of WARC files only, so sign refuses anything else (a WACZ above all: it is
    signed along with its WARC, with --wacz), exit 2 and no signature; it used to sign what nothing could check."""
    other = tmp_path / "a.wacz"
    other.write_bytes(data)
    assert main(["sign", str(other), "--key", str(keys[0])]) == 2
    assert capsys.readouterr().err == (
        f"provpack: error: {other}: not a WARC file: {what}; provpack signs WARC files, which 'provpack verify "
        "--key' checks; sign the WARC file instead (a WACZ is signed along with its WARC: provpack sign "
        "ARCHIVE.warc.gz --key KEY --wacz ARCHIVE.wacz)\n")
    assert not other.with_name("a.wacz.sig").exists()


def test_a_signature_or_wacz_given_by_path(archive: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    """check_signature with signature_path and wacz: the files named, wherever they are; a WACZ named that the
    signature does not cover is not vouched for; a missing ARCHIVE.sig points to where else it may be."""
    elsewhere = tmp_path / "pub"
    elsewhere.mkdir()
    wacz = _zip(elsewhere / "other.wacz", _holding(archive))
    sig = sign(archive, keys[0], wacz=wacz, out=tmp_path / "a.sig")
    check = check_signature(archive, keys[1])
    assert check.kind == "missing-signature"
    assert check.message == (f"{archive}.sig: no signature file; if it was written elsewhere (sign -o), give it "
                             "with verify --signature SIG (signature=SIG)")
    check = check_signature(archive, keys[1], signature_path=sig, wacz=wacz)
    assert check.ok and check.message == (f"good signature by {check.key_fingerprint}, with the WACZ {wacz}")
    moved = wacz.rename(elsewhere / "renamed.wacz")
    check = check_signature(archive, keys[1], signature_path=sig, wacz=moved)
    assert check.ok and check.message == (f"good signature by {check.key_fingerprint} (WACZ signed as other.wacz), "
                                          f"with the WACZ {moved}")
    plain = sign(archive, keys[0], out=tmp_path / "plain.sig")
    check = check_signature(archive, keys[1], signature_path=plain, wacz=moved)
    assert check.kind == "bad-signature" and check.message == (
        f"{moved}: given as the signed WACZ, but {plain} covers no WACZ (it was made without sign --wacz): "
        "the WACZ is not vouched for")
    check = check_signature(tmp_path / "nothere.warc.gz", keys[1], signature_path=tmp_path / "none.sig")
    assert check.kind == "missing-signature" and check.message == f"{tmp_path / 'none.sig'}: no signature file"


def test_results_are_frozen_slotted_values(archive: Path, keys: tuple[Path, Path]) -> None:
    """Statement and SignatureCheck are immutable, without a per-instance dict."""
    import dataclasses

    sign(archive, keys[0])
    check = check_signature(archive, keys[1])
    for value in (check, check.statement):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, "changed")  # type: ignore[arg-type]
        assert not hasattr(value, "__dict__")


def _problems(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if "-signature: " in line]


def test_verify_finds_a_signature_and_wacz_written_elsewhere(archive: Path, keys: tuple[Path, Path],
                                                            tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """sign -o SIG and sign --wacz with the WACZ in another folder: verify --key says where it looked and how
    to name the files (--signature, --wacz); named, the untouched files check (exit 0). They used to be
    reported missing or bad with no way to point verify to them."""
    key, pub = (str(k) for k in keys)
    (tmp_path / "pub").mkdir()
    wacz = _zip(tmp_path / "pub" / "seeds.wacz", _holding(archive))
    sig = tmp_path / "elsewhere.sig"
    assert main(["-q", "sign", str(archive), "--key", key, "--wacz", str(wacz), "-o", str(sig)]) == 0
    assert main(["verify", str(archive), "--key", pub]) == 1
    assert _problems(capsys) == [f"{archive}: missing-signature: {archive}.sig: no signature file; if it was "
                                 "written elsewhere (sign -o), give it with verify --signature SIG (signature=SIG)"]
    assert main(["verify", str(archive), "--key", pub, "--signature", str(sig)]) == 1
    assert _problems(capsys) == [
        f"{archive}: bad-signature: the signature also covers the WACZ seeds.wacz, which is not beside the "
        f"archive ({archive.with_name('seeds.wacz')}: no such file): if it is elsewhere, give it with verify "
        "--wacz WACZ (wacz=WACZ)"]
    assert main(["verify", str(archive), "--key", pub, "--signature", str(sig), "--wacz", str(wacz)]) == 0
    assert "good signature by sha256:" in capsys.readouterr().out
    assert main(["-q", "sign", str(archive), "--key", key, "--wacz", str(wacz)]) == 0   # ARCHIVE.sig, WACZ away
    assert main(["verify", str(archive), "--key", pub, "--wacz", str(wacz)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("argv, message", [
    (["{archive}", "{archive}", "--key", "{pub}", "--signature", "{sig}"],
     "--signature (signature): names the signature of one archive, but 2 files were given, so which archive it belongs "
     "to is unclear; verify that archive alone with it"),
    (["{archive}", "{archive}.sha256", "--key", "{pub}", "--wacz", "{sig}"],
     "--wacz (wacz): names the WACZ signed with one archive, but 2 files were given, so which archive it belongs "
     "to is unclear; verify that archive alone with it"),
    (["{archive}", "--signature", "{sig}"],
     "--signature (signature): names the signature of the archive; only --key (key) checks a signature: give --key "
     "(key) as well"),
    (["{archive}", "--wacz", "{sig}"], "--wacz (wacz): names the WACZ signed with the archive; only --key (key) "
     "checks a signature: give --key (key) as well"),
    (["{archive}", "--key", "{pub}", "--signature", "{archive}.none"], "{archive}.none: no such file; check the path"),
    (["{archive}", "--key", "{pub}", "--wacz", "{archive}.none"], "{archive}.none: no such file; check the path"),
    (["-", "--signature", "{sig}"], "verify: --signature names the signature of the archive; only --key checks a "
     "signature, and --key needs the archive's file name, not '-'"),
    (["-", "--wacz", "{sig}"], "verify: --wacz names the WACZ signed with the archive; only --key checks a "
     "signature, and --key needs the archive's file name, not '-'"),
])
def test_signature_options_that_cannot_apply_are_refused(archive: Path, keys: tuple[Path, Path], argv: list[str],
                                                         message: str, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """--signature and --wacz belong to one archive's signature: without --key, with several files or standard
    input, or naming no file, verify refuses (exit 2) before reading anything."""
    import io
    import sys

    sig = sign(archive, keys[0])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(archive.read_bytes())))
    names = {"archive": archive, "pub": keys[1], "sig": sig}
    assert main(["verify", *(part.format(**names) for part in argv)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"provpack: error: {message.format(**names)}\n")


def test_sign_help_says_where_verify_looks(capsys: pytest.CaptureFixture[str]) -> None:
    """sign --help names what verify reads and the options for files kept elsewhere."""
    assert main(["sign", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ("'provpack verify ARCHIVE --key KEY.pub' checks it, reading ARCHIVE.sig and the WACZ of its name beside "
            "ARCHIVE; when they are elsewhere, give them with verify's --signature SIG and --wacz WACZ.") in text
    assert "signature file (default: ARCHIVE.sig; verify needs --signature SIG for any other)" in text
    assert ("also sign this WACZ's datapackage-digest.json: the WACZ of ARCHIVE, which holds it as archive/NAME "
            "('provpack wacz ARCHIVE' writes one)") in text


def test_a_statement_names_the_files_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names) `sign café.warc.gz --wacz café.wacz` signs the statement a UTF-8 locale
    signs (file: café.warc.gz, its name's bytes read as UTF-8), where it refused the name; and a signature made
    in a UTF-8 locale is checked there with the WACZ it names found beside the archive, where it was "not beside
    the archive (caf\\xe9.wacz: no such file)"."""
    keygen(tmp_path / "k")
    signatures = []
    for env, folder in ((utf8_env(), tmp_path / "u"), (locale_env(tmp_path, C_LOCALE), tmp_path / "c")):
        folder.mkdir()
        (folder / "caf\u00e9.warc.gz").write_bytes((ARCHIVE / "seeds.warc.gz").read_bytes())
        assert run_in(utf8_env(), folder, "-q", "wacz", "caf\u00e9.warc.gz", "-o", "caf\u00e9.wacz").returncode == 0
        done = run_in(env, folder, "-q", "sign", "caf\u00e9.warc.gz", "--key", "../k", "--wacz", "caf\u00e9.wacz")
        assert (done.returncode, done.stderr) == (0, b"")
        signatures.append((folder / "caf\u00e9.warc.gz.sig").read_bytes())
    assert signatures[0] == signatures[1] and b"file: caf\xc3\xa9.warc.gz\n" in signatures[0]
    checked = run_in(locale_env(tmp_path, C_LOCALE), tmp_path / "u", "verify", "caf\u00e9.warc.gz", "--key", "../k.pub")
    assert checked.returncode == 0, checked.stdout
    assert b"caf\\xc3\\xa9.warc.gz: note: signature: good signature by sha256:" in checked.stdout
    assert b", with the WACZ caf\\xc3\\xa9.wacz\n" in checked.stdout
