"""Detached Ed25519 signatures over an archive's sha256: keygen, sign, check_signature.

What is signed is a short statement in a fixed text form, not the bare digest:

    provpack-signature/1
    algorithm: ed25519
    file: seeds.warc.gz
    size: 5042
    sha256: <hex of the whole archive>
    key: sha256:<hex of the raw 32-byte public key>
    wacz: seeds.wacz                                  (only with --wacz)
    wacz-datapackage-digest: sha256:<hex of its datapackage-digest.json>

A WACZ is signed (and checked) only as the WACZ of the archive: its datapackage.json
lists archive/FILE with the archive's sha256 and size.

The signature file ARCHIVE.sig is that statement followed by one line
`signature: <base64 of the 64-byte Ed25519 signature over the statement's bytes>`.
The first line names the format, so a signature made here cannot be passed off as
a signature over anything else. Keys are PEM files (PKCS#8 private, mode 0600;
SubjectPublicKeyInfo public), which OpenSSL reads too: the signature can be
checked without provpack (see docs/threat-model.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .arguments import FLAG, PATH, file_path, require
from .atomic import archive_files, atomic_files, atomic_writer, refuse_input
from .errors import FORCE, ArchiveError, InputError, IntegrityError, ProvpackError, option
from .fsnames import os_name, text_name
from .jsondepth import TooDeep, loads
from .regular import NotRegularFile, open_regular

log = logging.getLogger(__name__)

STATEMENT_FORMAT = "provpack-signature/1"
ALGORITHM = "ed25519"
SIGNATURE_SUFFIX = ".sig"
PUBLIC_SUFFIX = ".pub"
MAX_KEY_BYTES = 16 * 1024
MAX_SIGNATURE_BYTES = 16 * 1024
MAX_WACZ_JSON_BYTES = 64 * 1024 * 1024
DATAPACKAGE_DIGEST = "datapackage-digest.json"
DATAPACKAGE = "datapackage.json"
ARCHIVE_FOLDER = "archive/"   # where a WACZ holds its WARC files (as archive/NAME, NAME the WARC's file name)
# The commands that make an archive's WACZ again, and sign the two again: format(ARCHIVE, WACZ).
_REMAKE = "'provpack wacz {0} -o {1} --force'"
_RESIGN = "'provpack sign {0} --key KEY --wacz {1} --force'"
_CHUNK = 1024 * 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")

CheckKind = Literal["missing-signature", "bad-signature"]


@dataclass(frozen=True, slots=True)
class Statement:
    """What a signature vouches for: this file, these bytes, this key (and maybe a WACZ)."""

    file_name: str
    size_bytes: int
    sha256: str
    key_fingerprint: str
    wacz_name: str | None = None
    wacz_datapackage_digest: str | None = None

    def lines(self) -> list[tuple[str, str]]:
        """The statement's key/value lines, in their fixed order."""
        pairs = [("algorithm", ALGORITHM), ("file", self.file_name), ("size", str(self.size_bytes)),
                 ("sha256", self.sha256), ("key", self.key_fingerprint)]
        if self.wacz_name is not None and self.wacz_datapackage_digest is not None:
            pairs += [("wacz", self.wacz_name), ("wacz-datapackage-digest", self.wacz_datapackage_digest)]
        return pairs

    def to_bytes(self) -> bytes:
        """The exact bytes that are signed."""
        return (STATEMENT_FORMAT + "\n" + "".join(f"{key}: {value}\n" for key, value in self.lines())).encode()


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The outcome of checking ARCHIVE.sig against a public key; `kind` is None when it holds."""

    archive: Path
    signature_path: Path
    key_fingerprint: str
    kind: CheckKind | None
    message: str
    statement: Statement | None = None

    @property
    def ok(self) -> bool:
        """True when the signature is valid and the archive (and WACZ) are the bytes it names."""
        return self.kind is None


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """sha256:<hex> of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


WRITE_FILE = "name a file to write"   # what to do about an output path that names a folder ('.')


def public_path_for(key_path: Path) -> Path:
    """KEY -> KEY.pub; an InputError for a KEY that names no file ('.')."""
    key_path = file_path("key_path", key_path, fix=WRITE_FILE)
    return key_path.with_name(key_path.name + PUBLIC_SUFFIX)


def signature_path_for(archive: Path) -> Path:
    """ARCHIVE -> ARCHIVE.sig; an InputError for an ARCHIVE that names no file ('.')."""
    archive = file_path("archive", archive)
    return archive.with_name(archive.name + SIGNATURE_SUFFIX)


def keygen(path: Path | str, *, force: bool = False) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: PATH (private, PKCS#8 PEM, mode 0600) and PATH.pub; return both paths."""
    require((("path", path, PATH), ("force", force, FLAG)))
    key_path = file_path("path", path, fix=WRITE_FILE)
    pub_path = public_path_for(key_path)
    if os.path.lexists(pub_path) and not force:
        raise ArchiveError(pub_path, "already exists",
                           fix=f"pass {FORCE} to replace the key pair, or choose another name")
    private_key = Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    with atomic_files(key_path, force=force) as staging:
        staging.open(key_path, mode=0o600).write(private_pem)
        staging.open(pub_path).write(public_pem)
    log.info("wrote %s and %s (%s)", key_path, pub_path, fingerprint(private_key.public_key()))
    return key_path, pub_path


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; a ProvpackError saying what is wrong if it is not one."""
    require((("path", path, PATH),))
    key_path = Path(path)
    data = read_small(key_path, MAX_KEY_BYTES, what="key file")
    if b"PUBLIC KEY" in data and b"PRIVATE KEY" not in data:
        raise InputError(key_path, "this is a public key",
                         fix=f"give the private key, {key_path.name.removesuffix(PUBLIC_SUFFIX)}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # encrypted, and no password given
        raise InputError(key_path, "the private key is encrypted; provpack reads unencrypted keys only",
                         fix="decrypt it with 'openssl pkey', or make one with 'provpack keygen'") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(key_path, "not a PEM private key", fix="give the KEY file 'provpack keygen' wrote") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(key_path, f"not an Ed25519 key ({type(key).__name__})", fix="make one with 'provpack keygen'")
    mode = key_path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s: private key is readable by others (mode %03o); chmod 600 it", key_path, mode & 0o777)
    return key


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file; a ProvpackError saying what is wrong if it is not one."""
    require((("path", path, PATH),))
    pub_path = Path(path)
    data = read_small(pub_path, MAX_KEY_BYTES, what="public key file")
    if b"PRIVATE KEY" in data:
        raise InputError(pub_path, "this is a private key", fix=f"give the public key, {pub_path.name}{PUBLIC_SUFFIX}")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(pub_path, "not a PEM public key", fix="give the KEY.pub file 'provpack keygen' wrote") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(pub_path, f"not an Ed25519 key ({type(key).__name__})", fix="give an Ed25519 public key")
    return key


def sign(
    archive: Path | str,
    key_path: Path | str,
    *,
    wacz: Path | str | None = None,
    out: Path | str | None = None,
    force: bool = False,
) -> Path:
    """Sign the archive's sha256 (and a WACZ's datapackage digest) with KEY; write ARCHIVE.sig, return its path."""
    archive_path, sig_path = signing_paths(archive, key_path, wacz=wacz, out=out, force=force)
    refuse_input(sig_path, signed_files(archive_path, key_path, wacz))
    data = signature_file(archive_path, key_path, wacz=wacz)
    with atomic_writer(sig_path, force=force) as handle:
        handle.write(data)
    return sig_path


def signing_paths(archive: Path | str, key_path: Path | str, *, wacz: Path | str | None, out: Path | str | None,
                  force: bool) -> tuple[Path, Path]:
    """`sign`'s arguments checked (an InputError for an empty path, an archive or `out` that names no file), and
    the archive's path and the signature's (`out`, else ARCHIVE.sig)."""
    require((("archive", archive, PATH), ("key_path", key_path, PATH), ("wacz", wacz, PATH.or_none),
             ("out", out, PATH.or_none), ("force", force, FLAG)))
    archive_path = file_path("archive", archive)
    return archive_path, (file_path("out", out, fix=WRITE_FILE) if out is not None
                          else signature_path_for(archive_path))


def signed_files(archive: Path, key_path: Path | str, wacz: Path | str | None) -> list[tuple[Path | str, str]]:
    """What `sign` reads, as atomic.refuse_input takes them: a signature must not be written over any of them."""
    reads: list[tuple[Path | str, str]] = [item for item in archive_files(archive)
                                           if not item[0].name.endswith((SIGNATURE_SUFFIX, ".tsr"))]
    reads.append((key_path, "the private key this command signs with"))
    if wacz is not None:
        reads.append((wacz, "the WACZ this command signs"))
    return reads


def signature_file(archive: Path | str, key_path: Path | str, *, wacz: Path | str | None = None) -> bytes:
    """The bytes of the archive's signature file: the statement, then the line with its signature by KEY."""
    archive_path = Path(archive)
    key = load_private_key(key_path)
    _check_name(archive_path)
    size, digest = _sha256_of(archive_path)
    _check_warc(archive_path)
    _check_sha256_file(archive_path, digest)
    wacz_name = wacz_digest = None
    if wacz is not None:
        wacz_path = Path(wacz)
        _check_name(wacz_path)
        wacz_digest, archives = _wacz_chain(wacz_path)
        other = _not_holding(archives, archive_path, text_name(archive_path.name), size, digest)
        if other is not None:
            raise IntegrityError(wacz_path, f"{other}; refusing to sign it with the archive (run "
                                 f"{_REMAKE.format(archive_path, wacz_path)}, then sign again)")
        wacz_name = text_name(wacz_path.name)
    statement = Statement(text_name(archive_path.name), size, digest, fingerprint(key.public_key()), wacz_name,
                          wacz_digest)
    message = statement.to_bytes()
    signature = base64.b64encode(key.sign(message)).decode("ascii")
    return message + f"signature: {signature}\n".encode("ascii")


def check_signature(
    archive: Path | str,
    pub_path: Path | str,
    *,
    signature_path: Path | str | None = None,
    wacz: Path | str | None = None,
) -> SignatureCheck:
    """Check ARCHIVE.sig (or `signature_path`): made by this key, over a statement naming these very bytes.

    A statement naming a WACZ is checked against `wacz`, else the file of its name beside the archive; a `wacz`
    given for a statement naming none is a bad-signature (nothing vouches for it).
    """
    require((("archive", archive, PATH), ("pub_path", pub_path, PATH), ("signature_path", signature_path, PATH.or_none),
             ("wacz", wacz, PATH.or_none)))
    archive_path = file_path("archive", archive)
    public_key = load_public_key(pub_path)
    key_id = fingerprint(public_key)
    sig_path = Path(signature_path) if signature_path is not None else signature_path_for(archive_path)

    def result(kind: CheckKind | None, message: str, statement: Statement | None = None) -> SignatureCheck:
        return SignatureCheck(archive_path, sig_path, key_id, kind, message, statement)

    if not sig_path.exists():
        elsewhere = "" if signature_path is not None else (
            "; if it was written elsewhere (sign -o), give it with verify "
            f"{option('--signature SIG', 'signature=SIG')}")
        return result("missing-signature", f"{sig_path}: no signature file{elsewhere}")
    try:
        statement, signed, signature = parse_signature_file(read_small(sig_path, MAX_SIGNATURE_BYTES,
                                                                          what="signature file"))
    except ValueError as exc:   # (an InputError, for one too large, names the file itself: said once)
        return result("bad-signature", f"{sig_path}: malformed signature file: "
                      f"{exc.problem if isinstance(exc, InputError) else exc}")
    if statement.key_fingerprint != key_id:
        return result("bad-signature", f"{sig_path}: signed by key {statement.key_fingerprint}, "
                      f"not by {Path(pub_path).name} ({key_id})", statement)
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        return result("bad-signature", f"{sig_path}: the signature does not match the statement "
                      "(the signature file was altered)", statement)
    size, digest = _sha256_of(archive_path)
    if (size, digest) != (statement.size_bytes, statement.sha256):
        return result("bad-signature", f"{archive_path}: sha256 {digest} ({size} bytes), but the signed statement "
                      f"says {statement.sha256} ({statement.size_bytes} bytes): the archive changed after signing",
                      statement)
    renamed = "" if statement.file_name == text_name(archive_path.name) else f" (signed as {statement.file_name})"
    if statement.wacz_name is None:
        if wacz is not None:
            return result("bad-signature", f"{wacz}: given as the signed WACZ, but {sig_path} covers no WACZ "
                          "(it was made without sign --wacz): the WACZ is not vouched for", statement)
        return result(None, f"good signature by {key_id}{renamed}", statement)
    wacz_path = Path(wacz) if wacz is not None else archive_path.with_name(os_name(statement.wacz_name))
    if wacz is None and not os.path.lexists(wacz_path):
        return result("bad-signature", f"the signature also covers the WACZ {statement.wacz_name}, which is not "
                      f"beside the archive ({wacz_path}: no such file): if it is elsewhere, give it with verify "
                      f"{option('--wacz WACZ', 'wacz=WACZ')}", statement)
    try:
        wacz_digest, archives = _wacz_chain(wacz_path)
    except ProvpackError as exc:
        return result("bad-signature", f"the signature also covers {statement.wacz_name}: {exc}", statement)
    if wacz_digest != statement.wacz_datapackage_digest:
        return result("bad-signature", f"{wacz_path}: {DATAPACKAGE_DIGEST} is {wacz_digest}, but the signed "
                      f"statement says {statement.wacz_datapackage_digest}: the WACZ changed after signing",
                      statement)
    other = _not_holding(archives, archive_path, statement.file_name, size, digest)
    if other is not None:   # (signed by a provpack that did not check this, or by hand)
        return result("bad-signature", f"the signature also covers {statement.wacz_name}: {wacz_path}: {other}; "
                      f"make the WACZ again with {_REMAKE.format(archive_path, wacz_path)}, then sign both again "
                      f"with {_RESIGN.format(archive_path, wacz_path)}", statement)
    if text_name(wacz_path.name) != statement.wacz_name:
        renamed += f" (WACZ signed as {statement.wacz_name})"
    return result(None, f"good signature by {key_id}{renamed}, with the WACZ {wacz_path}", statement)


def parse_signature_file(data: bytes) -> tuple[Statement, bytes, bytes]:
    """(statement, the signed bytes, the raw signature) from a .sig file; ValueError if malformed."""
    try:
        text = data.decode("ascii") if data.isascii() else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("not UTF-8 text") from exc
    if not text:
        raise ValueError("the file is empty")
    if "\r" in text or not text.endswith("\n"):
        raise ValueError("lines must end in a single LF")
    lines = text[:-1].split("\n")
    if lines[0] != STATEMENT_FORMAT:
        raise ValueError(f"the first line must be {STATEMENT_FORMAT}")
    if len(lines) < 2:
        raise ValueError(f"it holds only its first line, {STATEMENT_FORMAT}: the statement and the signature line "
                         "are missing")
    pairs = []
    for number, line in enumerate(lines[1:], start=2):
        key, sep, value = line.partition(": ")
        if not sep or not value:
            raise ValueError(f"line {number} is not 'key: value'")
        pairs.append((key, value))
    if pairs[-1][0] != "signature":
        raise ValueError("the last line must be 'signature: <base64>'")
    try:
        signature = base64.b64decode(pairs[-1][1], validate=True)
    except binascii.Error as exc:
        raise ValueError("the signature is not base64") from exc
    if len(signature) != 64:
        raise ValueError(f"an Ed25519 signature has 64 bytes, not {len(signature)}")
    fields = dict(pairs[:-1])
    try:
        statement = Statement(fields["file"], int(fields["size"]), fields["sha256"], fields["key"],
                              fields.get("wacz"), fields.get("wacz-datapackage-digest"))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"missing or invalid field {exc}") from exc
    signed = data[:len(data) - len(f"signature: {pairs[-1][1]}\n".encode())]
    # Only the canonical form is accepted: no reordered, repeated or unknown lines.
    if statement.to_bytes() != signed or fields.get("algorithm") != ALGORITHM:
        raise ValueError("the statement is not in canonical form (fields missing, repeated, unknown or reordered)")
    if not _HEX64.fullmatch(statement.sha256) or statement.size_bytes < 0:
        raise ValueError("sha256 must be 64 lower-case hex digits and size a count of bytes")
    return statement, signed, signature


def _check_name(path: Path) -> None:
    name = text_name(path.name)   # (what the statement names: its bytes as UTF-8, whatever the locale)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:   # bytes the file system gave that are not UTF-8 (surrogate escapes)
        raise InputError(path, "has a name that is not valid UTF-8, which a signed statement cannot name",
                         fix="rename the file, then sign it") from None
    if _UNSAFE.search(name):
        raise InputError(path, "the file name holds a line break or control character, which a signed statement "
                         "cannot name", fix="rename the file")


def _check_warc(path: Path) -> None:
    """An InputError unless the file is a WARC (as verify tells one): what verify cannot check is not signed."""
    from .sniff import NotWarcError, is_gzipped_warc

    try:
        is_gzipped_warc(path)
    except NotWarcError as exc:
        raise InputError(path, f"not a WARC file: {exc.what}; provpack signs WARC files, which 'provpack verify "
                         "--key' checks", fix="sign the WARC file instead (a WACZ is signed along with its WARC: "
                         "provpack sign ARCHIVE.warc.gz --key KEY --wacz ARCHIVE.wacz)") from None
    except OSError as exc:
        raise ArchiveError.unreadable(path, exc) from exc


def _sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(open_regular(path)[0], "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except NotRegularFile as exc:
        raise ArchiveError(path, "is not a regular file (a FIFO, device or folder)",
                           fix="sign the file itself") from exc
    except OSError as exc:
        raise ArchiveError.unreadable(path, exc) from exc
    return size, digest.hexdigest()


def _check_sha256_file(archive: Path, digest: str) -> None:
    sha_path = archive.with_name(archive.name + ".sha256")
    if not sha_path.exists():
        return
    recorded = read_small(sha_path, 4096, what="checksum file").decode("utf-8", "replace").split()
    if not recorded or recorded[0].lower() != digest:
        raise IntegrityError(archive, f"its sha256 is {digest}, but {sha_path.name} says "
                             f"{recorded[0][:64] if recorded else 'nothing'}; refusing to sign a file that changed "
                             "(run 'provpack verify')")


def _wacz_chain(wacz: Path) -> tuple[str, dict[str, tuple[int | None, str]]]:
    """sha256:<hex> of the WACZ's datapackage-digest.json, after checking the chain of hashes below it; and the
    archives it holds: each archive/ file datapackage.json lists, with the bytes it records for it (None when it
    records no count) and the sha256 of the file (which the chain checked)."""
    try:
        with zipfile.ZipFile(wacz) as bundle:
            digest_bytes = _zip_member(bundle, wacz, DATAPACKAGE_DIGEST)
            package_bytes = _zip_member(bundle, wacz, DATAPACKAGE)
            digest_json = _json_object(digest_bytes, wacz, DATAPACKAGE_DIGEST)
            package_sha = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
            if str(digest_json.get("hash", "")).lower() != package_sha:
                raise IntegrityError(wacz, f"{DATAPACKAGE_DIGEST} says {str(digest_json.get('hash'))[:80]}, "
                                     f"but {DATAPACKAGE} has {package_sha}")
            resources = _json_object(package_bytes, wacz, DATAPACKAGE).get("resources", [])
            if not isinstance(resources, list):
                raise ArchiveError(wacz, f"{DATAPACKAGE}: 'resources' is not a list")
            _check_members(bundle, wacz, {resource["path"] for resource in resources
                                          if isinstance(resource, dict) and isinstance(resource.get("path"), str)})
            archives: dict[str, tuple[int | None, str]] = {}
            for resource in resources:
                sha256 = _check_resource(bundle, wacz, resource)
                if sha256 is not None:
                    count = resource.get("bytes")
                    archives[resource["path"]] = (count if type(count) is int else None, sha256)   # (not a bool)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        if isinstance(exc, ProvpackError):
            raise
        if isinstance(exc, zipfile.BadZipFile):
            raise ArchiveError(wacz, "not a WACZ file: a WACZ is a ZIP file, and this is not one",
                               fix="give the .wacz file 'provpack wacz' wrote") from exc
        if isinstance(exc, OSError):
            raise ArchiveError.unreadable(wacz, exc) from exc
        raise ArchiveError(wacz, f"not a readable WACZ (zip) file: {exc}",
                           fix="check it with `wacz validate`, or make it again with 'provpack wacz'") from exc
    return "sha256:" + hashlib.sha256(digest_bytes).hexdigest(), archives


def _check_resource(bundle: zipfile.ZipFile, wacz: Path, resource: Any) -> str | None:
    """Check a resource's file against the hash datapackage.json gives it; for an archive/ file, return its sha256
    (hashed as well when the hash given is another algorithm's), else None."""
    if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
        raise ArchiveError(wacz, f"{DATAPACKAGE}: a resource without a path")
    name, expected = resource["path"], str(resource.get("hash", ""))
    algorithm, _, value = expected.partition(":")
    if algorithm.lower() not in ("sha256", "md5", "sha1", "sha512") or not value:
        raise ArchiveError(wacz, f"{DATAPACKAGE}: {name}: hash {expected[:80]!r} is not 'sha256:<hex>'")
    digest = hashlib.new(algorithm.lower())
    archived = name.startswith(ARCHIVE_FOLDER)
    sha256 = digest if algorithm.lower() == "sha256" or not archived else hashlib.sha256()
    try:
        with bundle.open(name) as member:
            while chunk := member.read(_CHUNK):
                digest.update(chunk)
                if sha256 is not digest:
                    sha256.update(chunk)
    except KeyError as exc:
        raise IntegrityError(wacz, f"{name} is listed in {DATAPACKAGE} but missing from the zip") from exc
    if digest.hexdigest() != value.lower():
        raise IntegrityError(wacz, f"{name}: {algorithm} {digest.hexdigest()}, but {DATAPACKAGE} says {value}")
    return sha256.hexdigest() if archived else None


def _not_holding(archives: dict[str, tuple[int | None, str]], archive: Path, name: str, size: int,
                 sha256: str) -> str | None:
    """Why a WACZ holding `archives` (as _wacz_chain gives them) is not the WACZ of `archive`, of `size` bytes and
    this `sha256`, which it holds as archive/NAME (`name`: the name it was signed under); None when it is."""
    path = ARCHIVE_FOLDER + name
    if path in archives:
        count, held = archives[path]
        if (count, held) == (size, sha256):
            return None
        said = "no count of bytes" if count is None else f"{count:,} bytes"
        return (f"holds another {name} ({path}: {said}, sha256 {held}) than {archive} ({size:,} bytes, sha256 "
                f"{sha256}), so it is not that archive's WACZ")
    same = sorted(other for other, (_, held) in archives.items() if held == sha256)
    if same:
        return f"holds the bytes of {archive} as {same[0]}, not as {path}, the name they are signed under"
    if not archives:
        return (f"holds no archive (its {DATAPACKAGE} lists no {ARCHIVE_FOLDER} file), so it is not the WACZ of "
                f"{archive}")
    listed = sorted(archives)
    more = f" (and {len(listed) - 1} more)" if len(listed) > 1 else ""
    return f"holds {listed[0]}{more}, not {path}, so it is not the WACZ of {archive}"


def _check_members(bundle: zipfile.ZipFile, wacz: Path, listed: set[str]) -> None:
    """An IntegrityError when the zip holds a name twice (a reader may take either copy, one unhashed) or a
    file that is neither listed in datapackage.json nor one of the two files that vouch for the rest (an
    empty folder entry holds nothing and passes): nothing vouches for it, and a replay tool would read it."""
    seen: set[str] = set()
    unlisted: list[str] = []
    for info in bundle.infolist():
        name = info.filename
        if name in seen:
            raise IntegrityError(wacz, f"{name} is in the zip twice: a reader may take either copy, and only one is "
                                 f"hashed in {DATAPACKAGE}")
        seen.add(name)
        if name not in listed and name not in (DATAPACKAGE, DATAPACKAGE_DIGEST) and not (
                info.is_dir() and info.file_size == 0):
            unlisted.append(name)
    if unlisted:
        more = f" (and {len(unlisted) - 1} more)" if len(unlisted) > 1 else ""
        raise IntegrityError(wacz, f"{unlisted[0]}{more} is in the zip but not listed in {DATAPACKAGE}: nothing "
                             "vouches for it, and a replay tool would read it")


def _zip_member(bundle: zipfile.ZipFile, wacz: Path, name: str) -> bytes:
    try:
        info = bundle.getinfo(name)
    except KeyError as exc:
        raise ArchiveError(wacz, f"no {name} in it", fix="give a WACZ file") from exc
    if info.file_size > MAX_WACZ_JSON_BYTES:
        raise ArchiveError(wacz, f"{name} is larger than {MAX_WACZ_JSON_BYTES} bytes")
    with bundle.open(info) as member:
        data = member.read(MAX_WACZ_JSON_BYTES + 1)
    if len(data) > MAX_WACZ_JSON_BYTES:
        raise ArchiveError(wacz, f"{name} is larger than {MAX_WACZ_JSON_BYTES} bytes")
    return data


def _json_object(data: bytes, wacz: Path, name: str) -> dict[str, Any]:
    try:
        value = loads(data)
    except TooDeep as exc:   # (json.loads's RecursionError, past some 1,000 levels)
        raise ArchiveError(wacz, f"{name} does not parse: {exc}") from None
    except ValueError as exc:
        raise ArchiveError(wacz, f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ArchiveError(wacz, f"{name} is not a JSON object")
    return value


def read_small(path: Path, limit: int, *, what: str) -> bytes:
    """At most `limit` bytes of a small file (key, signature, token); an InputError naming it otherwise.

    Not a regular file (a FIFO would block the read for ever): an ArchiveError, exit 2 even where a
    malformed file is a finding.
    """
    try:
        fd, _ = open_regular(path)
    except NotRegularFile as exc:
        raise ArchiveError(path, f"the {what} is not a regular file (a FIFO, device or folder)",
                           fix="put the file itself there") from exc
    except OSError as exc:
        raise InputError.unreadable(path, exc, doing=f"cannot read the {what}") from exc
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError.unreadable(path, exc, doing=f"cannot read the {what}") from exc
    if len(data) > limit:
        raise InputError(path, f"the {what} is larger than {limit} bytes; it is not one provpack wrote")
    return data
