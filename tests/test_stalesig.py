"""Tests for provpack.stalesig: an archive written again keeps no signature of the bytes it replaced."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import zipfile
from pathlib import Path

import pytest

import provpack
from provpack.cli import main
from provpack.errors import ArchiveError
from provpack.signing import check_signature, keygen, sign
from provpack.wacz import make_wacz

DATE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A key pair: (private, public)."""
    return keygen(tmp_path / "keys" / "signer")


@pytest.fixture
def signed(seed_dir: Path, tmp_path: Path, keys: tuple[Path, Path]) -> Path:
    """A packaged archive with its ARCHIVE.sig and an ARCHIVE.sig.tsr beside it (the token is not read here)."""
    archive = provpack.package(seed_dir, out=tmp_path / "out" / "seeds.warc.gz", date=DATE).warc_path
    sign(archive, keys[0])
    archive.with_name("seeds.warc.gz.sig.tsr").write_bytes(b"a token")
    return archive


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]


def test_package_force_removes_the_signature_of_the_archive_it_replaced(
        signed: Path, seed_dir: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    """Other bytes under the archive's name: ARCHIVE.sig and its .tsr are removed, the result and a warning say
    so, and verify --key finds no signature, where it used to call the untouched archive changed after signing."""
    old = signed.read_bytes()
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE, force=True)
    sig, token = signed.with_name("seeds.warc.gz.sig"), signed.with_name("seeds.warc.gz.sig.tsr")
    assert result.removed_signatures == (sig, token)
    assert not os.path.lexists(sig) and not os.path.lexists(token)
    assert _warnings(caplog) == [
        f"removed {sig} and {token}: they signed and timestamped the archive this run replaced ({len(old):,} bytes, "
        f"sha256 {hashlib.sha256(old).hexdigest()}), not this one; sign this one with 'provpack sign {signed} "
        "--key KEY --tsa URL'"]
    assert check_signature(signed, keys[1]).kind == "missing-signature"


def test_a_signature_alone_is_removed_and_said_so(signed: Path, seed_dir: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """Without a token, the warning names the signature alone and asks for no --tsa."""
    signed.with_name("seeds.warc.gz.sig.tsr").unlink()
    old = signed.read_bytes()
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1), force=True)
    sig = signed.with_name("seeds.warc.gz.sig")
    assert result.removed_signatures == (sig,)
    assert _warnings(caplog) == [
        f"removed {sig}: it signed the archive this run replaced ({len(old):,} bytes, sha256 "
        f"{hashlib.sha256(old).hexdigest()}), not this one; sign this one with 'provpack sign {signed} --key KEY'"]


def test_a_signature_of_the_very_bytes_written_again_is_kept(
        signed: Path, seed_dir: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    """The same sources and date give the same bytes: the signature still holds, and it and its token stay."""
    sig_bytes = signed.with_name("seeds.warc.gz.sig").read_bytes()
    with caplog.at_level("INFO", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE, force=True)
    assert result.removed_signatures == ()
    assert signed.with_name("seeds.warc.gz.sig").read_bytes() == sig_bytes
    assert signed.with_name("seeds.warc.gz.sig.tsr").read_bytes() == b"a token"
    assert check_signature(signed, keys[1]).ok
    assert _warnings(caplog) == []
    assert (f"{signed}.sig kept: it signs this very archive ({result.size_bytes} bytes, sha256 {result.sha256})"
            in [record.getMessage() for record in caplog.records])


def test_nothing_is_removed_before_the_new_archive_is_in_place(
        signed: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails before its archive takes the name leaves the old archive with its signature and token."""
    from provpack import atomic

    def fail(self: object) -> None:
        raise OSError(28, "No space left on device")

    old = signed.read_bytes()
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    monkeypatch.setattr(atomic.Staging, "_commit", fail)
    with pytest.raises(ArchiveError):
        provpack.package(seed_dir, out=signed, date=DATE, force=True)
    assert signed.read_bytes() == old
    assert signed.with_name("seeds.warc.gz.sig").exists()
    assert signed.with_name("seeds.warc.gz.sig.tsr").read_bytes() == b"a token"


def _recorded(monkeypatch: pytest.MonkeyPatch, fail: str | None = None) -> list[str]:
    """The renames and removals of files, as 'replace A B' and 'unlink A' (names, a temp name as TEMP); with
    `fail`, the rename to that name fails (ENOSPC)."""
    from provpack import atomic

    done: list[str] = []
    real_replace, real_unlink = os.replace, os.unlink

    def name(path: str | Path) -> str:
        return "TEMP" if Path(path).name.endswith(".tmp") else Path(path).name

    def replace(source: str | Path, target: str | Path) -> None:
        done.append(f"replace {name(source)} {name(target)}")
        if Path(target).name == fail:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    def unlink(path: str | Path, *args: object, **kwargs: object) -> None:
        done.append(f"unlink {name(path)}")
        real_unlink(path)

    monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.setattr(atomic.os, "unlink", unlink)
    return done


def test_the_signature_goes_in_the_commit_moved_aside_before_the_archive_takes_its_name(
        signed: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old .sha256, the signature and token are moved aside, the archive and its .sha256 take their names,
    then what was moved aside is removed: a crash at any point leaves the old archive with its signature (under a
    temp name once moved aside) or the new archive with none of the old."""
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    done = _recorded(monkeypatch)
    provpack.package(seed_dir, out=signed, date=DATE, force=True)
    assert [step for step in done if "lock" not in step] == [
        "replace seeds.warc.gz.sha256 TEMP",
        "replace seeds.warc.gz.sig TEMP", "replace seeds.warc.gz.sig.tsr TEMP",
        "replace TEMP seeds.warc.gz", "replace TEMP seeds.warc.gz.sha256",
        "unlink TEMP", "unlink TEMP", "unlink TEMP"]
    assert sorted(p.name for p in signed.parent.iterdir()) == ["seeds.warc.gz", "seeds.warc.gz.sha256"]


def test_an_archive_that_cannot_take_its_name_keeps_its_signature(
        signed: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rename of the new archive fails (after its .sha256 and signature were moved aside): the .sha256,
    signature and token are put back beside the old archive, and nothing is left under a temp name."""
    old, sig_bytes = signed.read_bytes(), signed.with_name("seeds.warc.gz.sig").read_bytes()
    sha256_bytes = signed.with_name("seeds.warc.gz.sha256").read_bytes()
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    _recorded(monkeypatch, fail="seeds.warc.gz")
    with pytest.raises(ArchiveError):
        provpack.package(seed_dir, out=signed, date=DATE, force=True)
    assert signed.read_bytes() == old
    assert signed.with_name("seeds.warc.gz.sig").read_bytes() == sig_bytes
    assert signed.with_name("seeds.warc.gz.sig.tsr").read_bytes() == b"a token"
    assert signed.with_name("seeds.warc.gz.sha256").read_bytes() == sha256_bytes
    assert sorted(p.name for p in signed.parent.iterdir()) == ["seeds.warc.gz", "seeds.warc.gz.sha256",
                                                              "seeds.warc.gz.sig", "seeds.warc.gz.sig.tsr"]


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_renames_leaves_no_stale_signature(
        signed: Path, seed_dir: Path, keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], signum: int, code: int) -> None:
    """SIGTERM or Ctrl-C as the new archive takes its name: the commit ends, the old signature and token with it,
    and the warning is said, before the run stops; verify --key finds no signature, where it called the untouched
    archive changed after signing."""
    from provpack import atomic

    real_replace = os.replace

    def replace(source: str | Path, target: str | Path) -> None:
        real_replace(source, target)
        if Path(target) == signed:
            signal.raise_signal(signum)

    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    monkeypatch.setattr(atomic.os, "replace", replace)
    assert main(["package", str(seed_dir), "-o", str(signed), "--force"]) == code
    monkeypatch.undo()
    warning, stopped = capsys.readouterr().err.splitlines()
    assert warning.startswith(f"provpack: warning: removed {signed}.sig and {signed}.sig.tsr: they signed and "
                              "timestamped the archive this run replaced (")
    assert stopped == (f"provpack: {'terminated (SIGTERM)' if code == 143 else 'interrupted'}; no partial output was "
                       "left: each output file is complete or as it was before")
    assert sorted(p.name for p in signed.parent.iterdir()) == ["seeds.warc.gz", "seeds.warc.gz.sha256"]
    assert check_signature(signed, keys[1]).kind == "missing-signature"
    assert main(["-q", "verify", str(signed)]) == 0


def test_a_file_that_is_not_a_provpack_signature_is_left_with_a_warning(
        signed: Path, seed_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """ARCHIVE.sig from another tool (GPG's): provpack cannot tell what it signed, so it stays, and a warning
    says it does not sign the new archive if it signed the old one."""
    sig = signed.with_name("seeds.warc.gz.sig")
    sig.write_bytes(b"\x89\x01\x33 a GPG signature")
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1), force=True)
    assert result.removed_signatures == ()
    assert sig.read_bytes() == b"\x89\x01\x33 a GPG signature"
    assert signed.with_name("seeds.warc.gz.sig.tsr").exists()
    assert _warnings(caplog) == [
        f"{sig}: left in place: not a provpack signature (not UTF-8 text); if it signed the archive this run "
        "replaced, it does not sign this one"]


def test_a_signature_that_cannot_be_read_is_left_and_said_so(
        signed: Path, seed_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """ARCHIVE.sig a link to no file, or a folder: left in place with its token, said as what it is, not as a
    file that is no provpack signature."""
    sig = signed.with_name("seeds.warc.gz.sig")
    sig.unlink()
    sig.symlink_to("nowhere.sig")
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1), force=True)
    assert result.removed_signatures == () and os.readlink(sig) == "nowhere.sig"
    assert _warnings(caplog) == [f"{sig}: left in place: a symbolic link to 'nowhere.sig', where there is no file "
                                 "(no signature)"]
    sig.unlink()
    sig.mkdir()
    caplog.clear()
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=2), force=True)
    assert result.removed_signatures == () and sig.is_dir()
    assert signed.with_name("seeds.warc.gz.sig.tsr").read_bytes() == b"a token"
    assert _warnings(caplog) == [f"{sig}: left in place: the signature file is not a regular file (a FIFO, device or "
                                 "folder); if it signed the archive this run replaced, it does not sign this one"]


def test_a_signature_that_also_covered_a_wacz_asks_for_both_again(
        signed: Path, seed_dir: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    """The removed signature covered the WARC and a WACZ (sign --wacz): the warning says so and asks for the WACZ
    made again and signed with it, which keeps what sign --wacz vouched for (the plain recipe lost the WACZ)."""
    wacz = make_wacz(signed, signed.with_name("seeds.wacz"), created=DATE)
    sign(signed, keys[0], wacz=wacz, force=True)
    old = signed.read_bytes()
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    with caplog.at_level("WARNING", logger="provpack"):
        provpack.package(seed_dir, out=signed, date=DATE, force=True)
    sig, token = signed.with_name("seeds.warc.gz.sig"), signed.with_name("seeds.warc.gz.sig.tsr")
    assert _warnings(caplog) == [
        f"removed {sig} and {token}: they signed and timestamped the archive this run replaced ({len(old):,} bytes, "
        f"sha256 {hashlib.sha256(old).hexdigest()}) and the WACZ seeds.wacz, not this one; make the WACZ again and "
        f"sign both with 'provpack wacz {signed} -o {wacz} --force' and 'provpack sign {signed} --key KEY --wacz "
        f"{wacz} --tsa URL'"]
    assert main(["-q", "wacz", str(signed), "-o", str(wacz), "--force"]) == 0   # the recipe, but for --tsa
    assert main(["-q", "sign", str(signed), "--key", str(keys[0]), "--wacz", str(wacz)]) == 0
    found = check_signature(signed, keys[1])
    assert found.ok and found.message.endswith(f", with the WACZ {wacz}"), found.message


def test_a_signature_that_cannot_be_removed_is_said_so(
        signed: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A signature that cannot be moved: the archive is written all the same, and a warning asks to remove it."""
    from provpack import atomic

    real_replace = os.replace
    sig = signed.with_name("seeds.warc.gz.sig")

    def replace(source: str | Path, target: str | Path) -> None:
        if Path(source) == sig:
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1), force=True)
    token = signed.with_name("seeds.warc.gz.sig.tsr")
    assert result.removed_signatures == (token,)
    assert sig.exists()
    assert sorted(p.name for p in signed.parent.iterdir()) == ["seeds.warc.gz", "seeds.warc.gz.sha256",
                                                              "seeds.warc.gz.sig"]
    warnings = _warnings(caplog)
    assert warnings[0] == (f"{sig}: signs the archive this run replaced, not this one, but could not be removed "
                           "(permission denied); remove it")
    assert warnings[1].startswith(f"removed {token}: it signed the archive this run replaced (")


def test_a_signature_without_its_archive_is_refused_unless_force(signed: Path, seed_dir: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """ARCHIVE.sig whose archive is gone, as a lone .sha256: refused before anything is written; with force the
    archive is written and the signature, of other bytes, removed, said of the archive that was gone."""
    old = signed.read_bytes()
    signed.unlink()
    signed.with_name("seeds.warc.gz.sha256").unlink()
    sig = signed.with_name("seeds.warc.gz.sig")
    with pytest.raises(ArchiveError) as caught:
        provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1))
    assert str(caught.value) == (
        f"{sig}: already exists (without its archive); pass --force (force=True) to write the archive all the same (a provpack "
        "signature is then removed unless it signs the new archive's very bytes), or remove it, or choose another "
        "name")
    assert sorted(p.name for p in signed.parent.iterdir()) == ["seeds.warc.gz.sig", "seeds.warc.gz.sig.tsr"]
    with caplog.at_level("WARNING", logger="provpack"):
        result = provpack.package(seed_dir, out=signed, date=DATE + dt.timedelta(seconds=1), force=True)
    token = signed.with_name("seeds.warc.gz.sig.tsr")
    assert result.removed_signatures == (sig, token)
    assert _warnings(caplog) == [   # (no archive was replaced: there was none)
        f"removed {sig} and {token}: they signed and timestamped an archive of this name that was gone before this "
        f"run ({len(old):,} bytes, sha256 {hashlib.sha256(old).hexdigest()}), not this one; sign this one with "
        f"'provpack sign {signed} --key KEY --tsa URL'"]


def test_the_command_line_repro(tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """keygen, package, sign, change a text, package --force, verify --key: exit 1 for a missing signature (the
    archive is not signed), not a bad one (it was not tampered with); the warning is on standard error."""
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "keygen", "-o", "key"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "s.warc.gz"]) == 0
    assert main(["-q", "sign", "s.warc.gz", "--key", "key"]) == 0
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", "s.warc.gz", "--force"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("provpack: warning: removed s.warc.gz.sig: it signed the archive this run replaced (")
    assert err.endswith("), not this one; sign this one with 'provpack sign s.warc.gz --key KEY'\n")
    assert main(["verify", "s.warc.gz", "--key", "key.pub"]) == 1
    out = capsys.readouterr().out
    assert "s.warc.gz: missing-signature: s.warc.gz.sig: no signature file; if it was written elsewhere" in out
    assert "bad-signature" not in out


@pytest.mark.parametrize("covered", ["s.wacz", "other.wacz"])
def test_package_wacz_force_asks_only_to_sign_the_wacz_it_made_again(
        tmp_path: Path, seed_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        covered: str) -> None:
    """package --wacz --force over an archive signed with its WACZ (sign --wacz): the run has made that WACZ again,
    so the warning asks only for both signed (it asked for `provpack wacz ... --force` too); the recipe then checks.
    A signature that covered a WACZ of another name still asks for that one made again."""
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "keygen", "-o", "key"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "s.warc.gz", "--wacz"]) == 0
    if covered != "s.wacz":
        assert main(["-q", "wacz", "s.warc.gz", "-o", covered]) == 0
    assert main(["-q", "sign", "s.warc.gz", "--key", "key", "--wacz", covered]) == 0
    old = Path("s.warc.gz").read_bytes()
    (seed_dir / "000_8dbb4f68ea601904.txt").write_bytes(b"changed [...] x\n")
    capsys.readouterr()
    assert main(["package", str(seed_dir), "-o", "s.warc.gz", "--wacz", "--force"]) == 0
    recipe = ("this run makes the WACZ again: once it is written, sign both with 'provpack sign s.warc.gz --key KEY"
              " --wacz s.wacz'" if covered == "s.wacz" else
              f"make the WACZ again and sign both with 'provpack wacz s.warc.gz -o {covered} --force' and 'provpack"
              f" sign s.warc.gz --key KEY --wacz {covered}'")
    assert capsys.readouterr().err == (
        f"provpack: warning: removed s.warc.gz.sig: it signed the archive this run replaced ({len(old):,} bytes, "
        f"sha256 {hashlib.sha256(old).hexdigest()}) and the WACZ {covered}, not this one; {recipe}\n")
    if covered == "s.wacz":
        assert main(["-q", "sign", "s.warc.gz", "--key", "key", "--wacz", "s.wacz"]) == 0
        assert main(["-q", "verify", "s.warc.gz", "--key", "key.pub"]) == 0


def _digest_file_sha256(wacz: Path) -> str:
    with zipfile.ZipFile(wacz) as bundle:
        return "sha256:" + hashlib.sha256(bundle.read("datapackage-digest.json")).hexdigest()


def test_a_wacz_written_again_under_a_signed_name_is_warned_of(
        signed: Path, keys: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    """The signature covers the WARC and a WACZ (sign --wacz); a new WACZ of that name beside it keeps the
    signature (it still vouches for the WARC) and warns that verify --key calls it bad until signed again. The same
    WACZ bytes again, or a WACZ elsewhere, warn of nothing."""
    wacz = make_wacz(signed, signed.with_name("seeds.wacz"), created=DATE)
    sign(signed, keys[0], wacz=wacz, force=True)
    signed_digest = _digest_file_sha256(wacz)
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(signed, wacz, created=DATE, force=True)
        make_wacz(signed, signed.parent.parent / "seeds.wacz", created=DATE + dt.timedelta(days=1))
    assert _warnings(caplog) == []
    with caplog.at_level("WARNING", logger="provpack"):
        make_wacz(signed, wacz, created=DATE + dt.timedelta(days=1), force=True)
    sig = signed.with_name("seeds.warc.gz.sig")
    assert _warnings(caplog) == [
        f"{sig} covers another seeds.wacz (datapackage digest {signed_digest}) than the one this run wrote: "
        f"'provpack verify {signed} --key PUB' calls the signature bad until it is signed again with 'provpack "
        f"sign {signed} --key KEY --wacz {wacz} --force'"]
    assert sig.exists()
    assert check_signature(signed, keys[1]).kind == "bad-signature"


def test_a_signed_wacz_is_named_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a C locale (ASCII file names), café.wacz signed with its archive: remaking the WACZ warns that the
    signature covers another WACZ (the statement's name, UTF-8 text, was compared with the os's spelling, and the
    warning never came), and packaging again with --wacz says this run makes that WACZ again (it named a
    caf\\xe9.wacz that is not there, and said to make the WACZ again)."""
    import subprocess
    import sys

    from provpack.signing import keygen

    from conftest import C_LOCALE, locale_env, write_text

    keygen(tmp_path / "k")
    write_text(tmp_path / "src", "a", b"One [...] text.\n")
    env = locale_env(tmp_path, C_LOCALE)

    def run(epoch: int, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "provpack", *args], capture_output=True, cwd=tmp_path,
                              env={**env, "SOURCE_DATE_EPOCH": str(epoch)}, timeout=120)

    for args in (("package", "src", "-o", "caf\u00e9.warc.gz"), ("wacz", "caf\u00e9.warc.gz", "-o", "caf\u00e9.wacz"),
                 ("sign", "caf\u00e9.warc.gz", "--key", "k", "--wacz", "caf\u00e9.wacz")):
        assert run(1510444800, "-q", *args).returncode == 0
    remade = run(1600000000, "wacz", "caf\u00e9.warc.gz", "-o", "caf\u00e9.wacz", "--force")
    assert remade.returncode == 0
    assert b"caf\\xc3\\xa9.warc.gz.sig covers another caf\\xc3\\xa9.wacz (datapackage digest" in remade.stderr
    again = run(1600000000, "package", "src", "-o", "caf\u00e9.warc.gz", "--force", "--wacz")
    assert again.returncode == 0, again.stderr
    assert b"this run makes the WACZ again: once it is written, sign both with" in again.stderr, again.stderr
    assert b"caf\\xe9" not in again.stderr
