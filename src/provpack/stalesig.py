"""An archive's signature (ARCHIVE.sig, ARCHIVE.sig.tsr) when the archive is written again.

`provpack sign` writes them beside the archive. Once `package --force` has put
other bytes under the archive's name, the signature vouches for a file that no
longer exists, and `verify --key` would call the new archive "changed after
signing" although nothing was tampered with. So a provpack signature naming
other bytes is removed with its timestamp as the new archive takes its name, in
the same commit (`atomic.Staging.retire`: moved aside just before the rename,
removed after it, Ctrl-C and SIGTERM held off throughout), and a warning says
so; one that names the new archive's very size and sha256 (the
same sources packaged again with SOURCE_DATE_EPOCH) is kept. A file of that
name that is not a provpack signature (GPG's, say), or that cannot be read (a
link to no file), is left in place, with a warning. A signature without its
archive is refused unless `force`, as a .sha256 is: it is someone's file. A
signature that also covered a WACZ (`sign --wacz`) is said to, and the warning
asks for the WACZ made again and signed with the archive (only signed, when the
command that writes the archive makes that WACZ next: `package --wacz` sets
WACZ_NEXT, since the library's package writes none).

A WACZ written again under the name a signature covers (`sign --wacz`) leaves
the signature in place, since it still vouches for the WARC, with a warning that
`verify --key` will call it bad until it is signed again.
"""

from __future__ import annotations

import contextvars
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FORCE, ArchiveError, ProvpackError
from .fsnames import os_name, text_name

if TYPE_CHECKING:
    from .signing import Statement

log = logging.getLogger(__name__)

SIGNATURE_SUFFIX = ".sig"   # as signing.SIGNATURE_SUFFIX and timestamp.TOKEN_SUFFIX, which import cryptography
TOKEN_SUFFIX = ".tsr"
_MAX_SIGNATURE_BYTES = 16 * 1024
# The WACZ the caller makes from the archive right after writing it (`package --wacz`), else None.
WACZ_NEXT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("provpack_wacz_next", default=None)


def signature_path(archive: Path) -> Path:
    """ARCHIVE -> ARCHIVE.sig."""
    return archive.with_name(archive.name + SIGNATURE_SUFFIX)


def token_path(archive: Path) -> Path:
    """ARCHIVE -> ARCHIVE.sig.tsr."""
    return archive.with_name(archive.name + SIGNATURE_SUFFIX + TOKEN_SUFFIX)


def refuse_orphan(archive: Path, *, force: bool) -> None:
    """Without `force`, refuse an ARCHIVE.sig that is there without its archive: writing the archive would strand it."""
    sig_path = signature_path(archive)
    if not force and os.path.lexists(sig_path) and not os.path.lexists(archive):
        raise ArchiveError(sig_path, "already exists (without its archive)",
                           fix=f"pass {FORCE} to write the archive all the same (a provpack signature is then "
                               "removed unless it signs the new archive's very bytes), or remove it, or choose another "
                               "name")


@dataclass(frozen=True)
class StaleSignature:
    """ARCHIVE.sig (and ARCHIVE.sig.tsr) of other bytes than the archive about to take its name."""

    archive: Path
    paths: tuple[Path, ...]   # the signature, then its token if there is one
    statement: Statement
    former: str   # the archive it signed, in words

    def said(self, removed: tuple[Path, ...], failed: tuple[tuple[Path, OSError], ...]) -> None:
        """Warn of what was removed (`removed`) and what could not be (`failed`, with why)."""
        from .atomic import reason

        for path, exc in failed:
            log.warning("%s: signs %s, not this one, but could not be removed (%s); remove it", path, self.former,
                        reason(exc))
        if not removed:
            return
        archive, signed = self.archive, self.statement
        timestamped = token_path(archive) in removed
        if signed.wacz_name is None:
            recipe = ("sign this one with 'provpack sign {0} --key KEY --tsa URL'" if timestamped
                      else "sign this one with 'provpack sign {0} --key KEY'").format(archive)
            wacz = ""
        else:   # (the WACZ of that name beside it holds the archive it replaced, if any)
            beside = archive.with_name(os_name(signed.wacz_name))   # (the statement holds the name as UTF-8 text)
            following = WACZ_NEXT.get()
            remade = following is not None and following.absolute() == beside.absolute()
            signing = ("'provpack sign {0} --key KEY --wacz {1} --tsa URL'" if timestamped else
                       "'provpack sign {0} --key KEY --wacz {1}'").format(archive, beside)
            recipe = (f"this run makes the WACZ again: once it is written, sign both with {signing}" if remade else
                      "make the WACZ again and sign both with 'provpack wacz {0} -o {1} --force' and {2}".format(
                          archive, beside, signing))
            wacz = f" and the WACZ {beside.name}"
        log.warning("removed %s: %s %s (%s bytes, sha256 %s)%s, not this one; %s",
                    " and ".join(str(path) for path in removed),
                    "they signed and timestamped" if len(removed) > 1 else "it signed", self.former,
                    f"{signed.size_bytes:,}", signed.sha256, wacz, recipe)


def stale_signature(archive: Path, *, size: int, sha256: str, replaced: bool) -> StaleSignature | None:
    """ARCHIVE.sig and ARCHIVE.sig.tsr to remove as an archive of `size` bytes and this `sha256` takes the name;
    None when there is none, when it signs these very bytes, or when it is not a provpack signature (a warning
    says it is left in place).

    `replaced`: an archive had that name before (else the signature was there without one, and `force` let the
    archive be written). The caller removes them as the archive takes its name (`atomic.Staging.retire`), then
    has `StaleSignature.said` say so.
    """
    sig_path = signature_path(archive)
    if not os.path.lexists(sig_path):
        return None
    former = "the archive this run replaced" if replaced else "an archive of this name that was gone before this run"
    signed = _signed(sig_path, former)
    if signed is None:
        return None
    if (signed.size_bytes, signed.sha256) == (size, sha256):
        log.info("%s kept: it signs this very archive (%d bytes, sha256 %s)", sig_path, size, sha256)
        return None
    paths = tuple(path for path in (sig_path, token_path(archive)) if os.path.lexists(path))
    return StaleSignature(archive, paths, signed, former)


def warn_stale_wacz(archive: Path, wacz: Path, datapackage_digest: str) -> None:
    """Warn when ARCHIVE.sig covers a WACZ of `wacz`'s name beside it, but not this one (`datapackage_digest`:
    sha256:<hex> of its datapackage-digest.json)."""
    sig_path = signature_path(archive)
    if wacz.absolute().parent != archive.absolute().parent or not os.path.isfile(sig_path):
        return   # verify --key reads the WACZ beside the archive (another one only when given with --wacz)
    from .signing import parse_signature_file, read_small

    try:
        statement, _, _ = parse_signature_file(read_small(sig_path, _MAX_SIGNATURE_BYTES, what="signature file"))
    except (ProvpackError, ValueError):
        return   # not one provpack wrote, or not one sign --wacz wrote: it says nothing about this WACZ
    if statement.wacz_name != text_name(wacz.name) or statement.wacz_datapackage_digest == datapackage_digest:
        return
    log.warning("%s covers another %s (datapackage digest %s) than the one this run wrote: 'provpack verify %s "
                "--key PUB' calls the signature bad until it is signed again with 'provpack sign %s --key KEY --wacz "
                "%s --force'", sig_path, wacz.name, statement.wacz_datapackage_digest, archive, archive, wacz)


def _signed(sig_path: Path, former: str) -> Statement | None:
    """The statement the signature file signs; None, with a warning, when it is not a provpack signature, or cannot
    be read (`former`: the archive it may have signed, for the warning)."""
    from .signing import parse_signature_file, read_small   # cryptography: only when there is a signature

    if os.path.islink(sig_path) and not os.path.exists(sig_path):
        from .sniff import quoted_text

        log.warning("%s: left in place: a symbolic link to %s, where there is no file (no signature)", sig_path,
                    quoted_text(os.readlink(sig_path), 200))
        return None
    try:
        data = read_small(sig_path, _MAX_SIGNATURE_BYTES, what="signature file")
    except ProvpackError as exc:   # (its message's own words: the file named, and what to do, are ours here)
        log.warning("%s: left in place: %s; if it signed %s, it does not sign this one", sig_path,
                    getattr(exc, "problem", None) or str(exc), former)
        return None
    try:
        statement, _, _ = parse_signature_file(data)
    except ValueError as exc:
        log.warning("%s: left in place: not a provpack signature (%s); if it signed %s, it does not sign this one",
                    sig_path, exc, former)
        return None
    return statement
