"""Tests for provpack.signing and the keygen / sign / verify --key commands: detached Ed25519 signatures."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import provpack
from provpack import signing
from provpack.cli import main
from provpack.errors import ArchiveError, InputError, IntegrityError
from provpack.signing import Statement, check_signature, keygen, parse_signature_file, sign

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
    wacz = make_wacz(archive.with_name("seeds.wacz"), {"archive/data.warc.gz": archive.read_bytes(),
                                                       "pages/pages.jsonl": b'{"format": "json-pages-1.0"}\n'})
    sign(archive, keys[0], wacz=wacz)
    check = check_signature(archive, keys[1])
    assert check.ok and check.statement is not None and check.statement.wacz_name == "seeds.wacz"
    assert check.statement.wacz_datapackage_digest == "sha256:" + hashlib.sha256(
        zipfile.ZipFile(wacz).read("datapackage-digest.json")).hexdigest()
    make_wacz(wacz, {"archive/data.warc.gz": archive.read_bytes(), "pages/pages.jsonl": b"{}\n"})
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
    (it is left in place: nothing is deleted); no warning when there is no token."""
    key = str(keys[0])
    assert main(["sign", str(archive), "--key", key]) == 0
    assert "dates the signature" not in capsys.readouterr().err
    token = archive.with_name("seeds.warc.gz.sig.tsr")
    token.write_bytes(b"old token")
    assert main(["sign", str(archive), "--key", key, "--force"]) == 0
    assert "seeds.warc.gz.sig.tsr dates the signature this run replaced" in capsys.readouterr().err
    assert token.read_bytes() == b"old token"


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
