"""The provpack command: argparse over the library API; prints, and picks the exit code.

Exit codes: 0 success, 1 an integrity problem was found, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ._entry import Terminated, report_interrupt, stopped_by
from ._version import __version__
from .defaults import (CDXJ_RECORDS, CONNECT_TIMEOUT, MAX_FETCH_BYTES, MAX_REDIRECTS, MAX_TEXT_BYTES, READ_TIMEOUT,
                       TOTAL_TIMEOUT)
from .errors import EMPTY_PATH, InputError, IntegrityError, ProvpackError, descriptors, not_utf8, printable

if TYPE_CHECKING:
    from .config import Config
    from .model import UnalignedOriginal, UnmatchedOriginal
    from .stdout import OutputError

# Each command imports what only it needs (requests, warcio, surt, cryptography, rich, yaml,
# and provpack's own packager, listing and indexer) when it runs, so that `provpack verify`
# starts fast; the defaults its help shows come from defaults.py, which imports nothing.

log = logging.getLogger("provpack")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors take one line and point to --help, not the whole usage."""

    def error(self, message: str) -> NoReturn:
        """Print 'provpack: error: MESSAGE; see provpack COMMAND --help' and exit 2."""
        self.exit(2, usage_error(message, self.prog))


class _UsageError(ProvpackError):
    """A usage error a command finds once it runs (a value the parser does not check): said as the parser says its
    own, 'provpack: error: MESSAGE; see provpack COMMAND --help'; exit 2."""


def usage_error(message: str, prog: str = "provpack") -> str:
    """The one line a usage error prints: 'provpack: error: MESSAGE; see PROG --help'."""
    return printable(f"provpack: error: {message}; see {prog} --help") + "\n"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="provpack",
        description="Package quoted excerpts, their elisions and provenance into verifiable WARC files.",
        epilog="Exit codes: 0 success, 1 integrity problem found, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"provpack {__version__}")
    _add_common(parser, default=None)
    # The same options after the command: their default is SUPPRESS, so a value given before
    # the command is not overwritten by the subcommand's own default.
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, default=argparse.SUPPRESS)
    commands = _Commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), common)

    pack = commands.add_parser("package", help="package texts into a WARC file",
                               description="Package NAME.txt files (with optional NAME.yaml sidecars) "
                                           "into one WARC file, and write OUT.warc.gz.sha256 beside it.")
    pack.add_argument("sources", nargs="+", type=_path, metavar="SRC", help="a folder of .txt files, or .txt files")
    pack.add_argument("-o", "--output", type=_path, metavar="OUT.warc.gz",
                      help="archive to write (default: archive/<first source>.warc.gz)")
    pack.add_argument("--force", action="store_true", help="replace an existing archive")
    pack.add_argument("--description", type=_text, help="description for the warcinfo record")
    pack.add_argument("--operator", type=_text, help="operator for the warcinfo record (person or organisation)")
    pack.add_argument("--level", type=int, metavar="N",
                      help="deflate level: 0-3 with isal (default 1), 0-9 with zlib (default 6)")
    pack.add_argument("--deflate", choices=("isal", "zlib"),
                      help="gzip backend (default: isal where installed, else zlib); zlib gives the same bytes "
                           "on every machine with the reference zlib")
    pack.add_argument("-j", "--jobs", type=int, metavar="N",
                      help="worker processes (default: the CPUs available; the archive is the same for any N)")
    pack.add_argument("--follow-symlinks", action="store_true",
                      help="accept symbolic links that point outside the source folder")
    pack.add_argument("--max-text-bytes", type=_byte_count, default=MAX_TEXT_BYTES, metavar="N",
                      help=f"refuse texts larger than N bytes; K, M, G suffixes (default {MAX_TEXT_BYTES // 2**20}M)")
    pack.add_argument("--fetch", action="store_true",
                      help="fetch each sidecar's source_url (unless it names a local 'original') and "
                           f"archive the HTTP exchange (each URL: {CONNECT_TIMEOUT:g} s to connect, {READ_TIMEOUT:g} s "
                           f"for each read, {TOTAL_TIMEOUT:g} s in all, at most {MAX_FETCH_BYTES // 2**20} MiB and "
                           f"{MAX_REDIRECTS} redirects; through the proxy HTTPS_PROXY or HTTP_PROXY names, unless "
                           "NO_PROXY lists the host); without it nothing touches the network")
    pack.add_argument("--wacz", action="store_true",
                      help="also write OUT.wacz (WACZ 1.1.1) beside the archive")
    pack.add_argument("--allow-private", action="store_true",
                      help="with --fetch, also fetch from private, loopback and link-local addresses")
    pack.set_defaults(handler=_package)

    check = commands.add_parser("verify", help="check a WARC file's digests and structure",
                                description="Recompute every digest and check the structure of WARC files "
                                            "(any tool's); for provpack archives also the .sha256 file and "
                                            "the provenance records.")
    check.add_argument("files", nargs="+", type=_path, metavar="FILE", help="WARC file(s); - reads standard input")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--strict", action="store_true",
                       help="unverified records are problems (exit 1): those without a digest (missing-digest: none, "
                       "or only a revisit's payload digest) and those whose digests cannot be checked "
                       "(unknown-digest: an algorithm verify does not know)")
    check.add_argument("--key", type=_path, metavar="PUB", help="also check each FILE.sig against this public key "
                       "(from 'provpack keygen'), and the WACZ it names, beside FILE; a missing or bad signature "
                       "is a problem (exit 1)")
    check.add_argument("--signature", type=_path, metavar="SIG", help="with --key and one FILE: the signature is SIG "
                       "(written with sign -o SIG), not FILE.sig; its timestamp is SIG.tsr")
    check.add_argument("--wacz", type=_path, metavar="WACZ",
                       help="with --key and one FILE: the WACZ the signature covers (signed with sign --wacz) is this "
                       "file, not the one of its name beside FILE")
    check.add_argument("--tsa-ca", type=_path, metavar="PEM",
                       help="with --key, also check each FILE.sig.tsr: an RFC 3161 timestamp of FILE.sig by a TSA "
                       "certified by these CA certificates")
    check.add_argument("--jobs", type=int, metavar="N",
                       help="processes to use for a large file (default: two for a file of 8 MiB or more, unless "
                       "other work keeps the cores busy; 1 reads in one go; more than two are not used)")
    check.add_argument("--deep", action="store_true", help="also parse each provpack excerpt again with provpack's "
                       "own parser and compare every key its provenance record derives from it; with an original archived, align "
                       "the excerpt and extract the original's text again too (about 5x the CPU)")
    check.set_defaults(handler=_verify)

    show = commands.add_parser("show", help="list the documents in an archive and their elisions",
                               description="List each document in a provpack archive: its title, source and "
                                           "elisions, with the omitted text where the original is archived.")
    show.add_argument("file", type=_path, metavar="FILE", help="a provpack archive (.warc.gz)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)

    get = commands.add_parser("extract", help="write a document back, byte for byte",
                              description="Write a document's text back byte for byte, after checking it against "
                                          "its recorded sha256 (exit 1, and nothing written, if it no longer matches).")
    get.add_argument("file", type=_path, metavar="FILE", help="a provpack archive (.warc.gz)")
    get.add_argument("name", metavar="NAME", help="the document's name (its file stem when packaged)")
    get.add_argument("-o", "--output", type=_path, metavar="PATH",
                     help="file to write; - or none: standard output (./- names a file called -)")
    get.add_argument("--force", action="store_true", help="replace an existing file")
    get.set_defaults(handler=_extract)

    cdx = commands.add_parser("index", help="write the CDXJ index of a WARC file, for pywb",
                              description="Index a WARC file (any tool's) as CDXJ: line for line what "
                                          "`cdxj-indexer --sort` writes, ready for a pywb collection.")
    cdx.add_argument("file", type=_path, metavar="ARCHIVE", help="a WARC file (.warc.gz or .warc)")
    cdx.add_argument("-o", "--output", type=_path, metavar="OUT.cdxj",
                     help="file to write (default, or -: standard output)")
    cdx.add_argument("--records", metavar="TYPES",
                     help="comma-separated WARC-Types to index, or 'all' (default: response,revisit,resource,"
                          "metadata, as cdxj-indexer; given so, in this order, and only so, application/warc-fields "
                          "records are left out, as cdxj-indexer does)")
    cdx.add_argument("--post-append", action="store_true",
                     help="key POST and PUT exchanges by method and request body, as cdxj-indexer --post-append "
                          "(and py-wacz, and pywb's wb-manager add), so pywb can replay them")
    cdx.add_argument("--unsorted", action="store_true", help="keep the file's order (as cdxj-indexer without --sort)")
    cdx.add_argument("--force", action="store_true", help="replace an existing file")
    cdx.set_defaults(handler=_index)

    zipped = commands.add_parser("wacz", help="package a WARC file as WACZ, for ReplayWeb.page",
                                 description="Write a WACZ 1.1.1 file: the archive, its CDXJ index, a page "
                                             "per excerpt with its title, and datapackage.json with sha256s.")
    zipped.add_argument("file", type=_path, metavar="ARCHIVE", help="a WARC file (.warc.gz or .warc)")
    zipped.add_argument("-o", "--output", type=_path, metavar="OUT.wacz",
                        help="file to write (default: ARCHIVE with .wacz for .warc.gz)")
    zipped.add_argument("--title", type=_text, help="title of the collection (default: the archive's name)")
    zipped.add_argument("--description", type=_text, help="description of the collection (Markdown)")
    zipped.add_argument("--force", action="store_true", help="replace an existing file")
    zipped.set_defaults(handler=_wacz)

    bagging = commands.add_parser("bag", help="put archive files in a BagIt bag, for transfer",
                                description="Copy files into a new BagIt 1.0 bag (RFC 8493) with sha256 and "
                                            "sha512 manifests.")
    bagging.add_argument("files", nargs="+", type=_path, metavar="ARCHIVE",
                         help="files to bag (e.g. the .warc.gz and its .sha256)")
    bagging.add_argument("-o", "--output", required=True, type=_path, metavar="DIR",
                         help="the bag: a new or empty folder")
    bagging.set_defaults(handler=_bag)

    keys = commands.add_parser("keygen", help="make an Ed25519 key pair for signing archives",
                               description="Write KEY (private key, PEM PKCS#8, mode 0600) and KEY.pub "
                                           "(public key, PEM). Keep KEY secret; give KEY.pub to those who check.")
    keys.add_argument("-o", "--output", required=True, type=_path, metavar="KEY", help="private key file to write")
    keys.add_argument("--force", action="store_true", help="replace an existing key pair")
    keys.set_defaults(handler=_keygen)

    seal = commands.add_parser("sign", help="write a detached Ed25519 signature over an archive's sha256",
                               description="Sign a statement naming the archive's file name, size and sha256 "
                                           "(and a WACZ's datapackage digest) with KEY; write ARCHIVE.sig. "
                                           "'provpack verify ARCHIVE --key KEY.pub' checks it, reading ARCHIVE.sig "
                                           "and the WACZ of its name beside ARCHIVE; when they are elsewhere, "
                                           "give them with verify's --signature SIG and --wacz WACZ.")
    seal.add_argument("archive", type=_path, metavar="ARCHIVE", help="the WARC file to sign (e.g. the .warc.gz)")
    seal.add_argument("--key", required=True, type=_path, metavar="KEY", help="private key from 'provpack keygen'")
    seal.add_argument("--wacz", type=_path, metavar="FILE",
                      help="also sign this WACZ's datapackage-digest.json: the WACZ of ARCHIVE, which holds it as "
                      "archive/NAME ('provpack wacz ARCHIVE' writes one)")
    seal.add_argument("-o", "--output", type=_path, metavar="SIG",
                      help="signature file (default: ARCHIVE.sig; verify needs --signature SIG for any other)")
    seal.add_argument("--force", action="store_true", help="replace an existing signature file")
    seal.add_argument("--tsa", metavar="URL", help="also get an RFC 3161 timestamp of the signature from this "
                      "timestamping authority; writes the signature file's name + .tsr, ARCHIVE.sig.tsr by default "
                      "(needs the timestamp extra: pip install '.[timestamp]' in provpack's checkout)")
    seal.set_defaults(handler=_sign)
    return parser


def _path(text: str) -> str:
    """A path argument as given; a usage error naming the argument when it is empty (pathlib reads '' as '.', the
    current folder, which an empty value, an unset shell variable, does not mean) or no file name can hold it (a
    NUL, which `main(argv)` can be given, though no command line can)."""
    if not text:
        raise argparse.ArgumentTypeError("; ".join(EMPTY_PATH))
    from .arguments import path_flaw   # (as every command's module does: not for --help or --version)

    flaw = path_flaw(text)
    if flaw is not None:
        raise argparse.ArgumentTypeError(flaw)
    return text


def _text(text: str) -> str:
    """A value of free text (a description, a title) as the locale reads it, or as UTF-8 where the locale cannot
    read its bytes and they are UTF-8 (a C locale reads only ASCII): fsnames.command_text."""
    from .fsnames import command_text

    return command_text(text)


def _config_path(text: str) -> Path:
    """--config FILE: a path, not an empty one."""
    return Path(_path(text))


def _add_common(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """--config, -q and -v: accepted before the command and after it."""
    parser.add_argument("--config", type=_config_path, metavar="FILE", default=default,
                        help="settings file (default: ./provpack.yaml, or [tool.provpack] in ./pyproject.toml)")
    flag = False if default is None else default
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", default=flag,
                       help="print only errors and the problems verify finds: no progress bar, summary, 'wrote' line "
                            "or warning (what a command outputs, show's listing, index's CDXJ, --json, still prints)")
    noise.add_argument("-v", "--verbose", action="store_true", default=flag, help="log each step")


class _Commands:
    """The subparsers action, giving each command the common options."""

    def __init__(self, action: Any, common: argparse.ArgumentParser) -> None:
        self._action = action
        self._common = common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A new command that also takes --config, -q and -v."""
        parser: argparse.ArgumentParser = self._action.add_parser(name, parents=[self._common], **kwargs)
        return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run provpack with `argv` (default: the command line); return the exit code."""
    from .stdout import OutputError, present_stderr, whole_stdout
    from .written import noting

    code = 0
    # stderr closed (`2>&-`): its messages go nowhere, not onto standard output. A full disk under standard output
    # is an error (exit 2), not a short file and exit 0; the files the command wrote before are said to be complete.
    with present_stderr(), whole_stdout(), noting():
        try:
            code = _run(argv)   # an OutputError a command raises is reported there; this is for the output still
            sys.stdout.flush()  # buffered (all of it, when it is short), and for --help, --version
        except BrokenPipeError:   # `... | head`: the reader has what it wanted; the command's verdict stands
            pass
        except OutputError as exc:
            return _output_failed(exc)
    return code


def _output_failed(exc: OutputError) -> int:
    """Say that standard output failed, with the files the run wrote (whole) before; the exit code."""
    from .written import so_far

    print(f"provpack: error: {printable(exc.after(so_far()))}", file=sys.stderr)
    return exc.exit_code


# -o - is standard output for extract and index; the other commands write what cannot go there: refused, rather
# than written to a file or folder called '-'. (command -> why, and what to name instead)
_NOT_STANDARD_OUTPUT = {
    "package": ("an archive cannot go to standard output (-): its .sha256 is written beside it", "file"),
    "wacz": ("a WACZ cannot go to standard output (-): readers open the ZIP file by seeking", "file"),
    "bag": ("a bag is a folder: it cannot go to standard output (-)", "folder"),
    "keygen": ("a key pair cannot go to standard output (-): it is two files, KEY (mode 0600) and KEY.pub", "file"),
    "sign": ("a signature cannot go to standard output (-): verify reads it from a file, ARCHIVE.sig or "
             "--signature SIG", "file"),
}


def _run(argv: Sequence[str] | None) -> int:
    """main() without the standard output check."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:   # the command's own --help is the one that lists what it takes
            parser.exit(2, usage_error(f"unrecognized arguments: {' '.join(extra)}", f"provpack {args.command}"))
        if args.quiet and args.verbose:   # one before the command, the other after it
            parser.exit(2, usage_error("argument -q/--quiet: not allowed with argument -v/--verbose",
                                       f"provpack {args.command}"))
        if getattr(args, "output", None) == "-" and args.command in _NOT_STANDARD_OUTPUT:
            said, kind = _NOT_STANDARD_OUTPUT[args.command]
            parser.exit(2, usage_error(f"argument -o/--output: {said}; name a {kind} (./- names a {kind} called -)",
                                       f"provpack {args.command}"))
        if args.command == "package" and args.allow_private and not args.fetch:   # else it would do nothing
            parser.exit(2, usage_error("argument --allow-private: not allowed without argument --fetch (it lets "
                                       "--fetch reach loopback and private addresses; nothing else is fetched)",
                                       "provpack package"))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    from .stdout import OutputError   # (loaded already: main() wraps standard output with it)

    restore = _configure_logging(args)
    previous = _catch_termination()
    try:
        args.settings = _settings(args.config)
        code: int = args.handler(args)
        return code
    except _UsageError as exc:
        print(usage_error(str(exc), f"provpack {args.command}"), end="", file=sys.stderr)
        return exc.exit_code
    except OutputError as exc:
        return _output_failed(exc)
    except ProvpackError as exc:
        print(f"provpack: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return report_interrupt(exc)
    except BrokenPipeError:
        return 0
    except OSError as exc:
        from .atomic import reason

        where = f"{exc.filename}: " if exc.filename else ""
        limit = descriptors(exc)   # (the one failure said with what to do: it is no fault of the file named)
        print(f"provpack: error: {printable(where + reason(exc))}{f'; {limit[1]}' if limit else ''}", file=sys.stderr)
        return 2
    except MemoryError:
        print("provpack: error: out of memory; give smaller inputs (see --max-text-bytes)", file=sys.stderr)
        return 2
    except UnicodeEncodeError as exc:
        if exc.reason != "surrogates not allowed":   # any other is a bug: its traceback is wanted
            raise
        # Only bytes that were not UTF-8 on the command line or in a file name become lone surrogates;
        # a value no check caught before it was written out: a usage error, not a traceback.
        near = exc.object[max(0, exc.start - 30):exc.end + 30]
        print(printable(f"provpack: error: a command-line value or file name is not UTF-8 text "
                        f"({not_utf8(exc.object[exc.start:exc.end])}, in '{near}'); give it in UTF-8, or rename the "
                        "file"), file=sys.stderr)
        return 2
    finally:
        restore()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _settings(path: Path | None) -> Config:
    """The settings file, read and checked for every command: a missing --config FILE or a typo is an error."""
    from .config import load_config   # imports yaml or tomllib only when there is a file to read

    return load_config(path)


def _catch_termination() -> dict[int, Any]:
    """Turn SIGTERM and SIGHUP (the terminal closed) into Terminated while main runs (main thread only); return the
    handlers to restore. SIGHUP ignored (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    owner = os.getpid()

    def terminate(signum: int, frame: object) -> None:
        if os.getpid() != owner:   # a forked worker, stopped by its pool: end quietly, as without the handler
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated(signum)

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and (signum == signal.SIGTERM or signal.getsignal(signum) != signal.SIG_IGN):
            previous[signum] = signal.signal(signum, terminate)
    return previous


def _byte_count(text: str) -> int:
    """'512M' -> 536870912; for --max-text-bytes."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    number, scale = (text[:-1], units[text[-1].upper()]) if text[-1:].upper() in units else (text, 1)
    try:
        value = int(number) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of bytes: {text!r} (e.g. 1000000, 64M, 1G)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte, not {text!r}")
    return value


class _LowerLevelFormatter(logging.Formatter):
    """'provpack: warning: ...', as the command's own messages say it, not logging's 'WARNING'.

    Control characters in a message (a library's warning quoting a file raw) are escaped, so that
    none reaches the terminal.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's naming
        copy = logging.makeLogRecord(record.__dict__)   # the record itself may go on to other handlers
        copy.levelname = record.levelname.lower()
        return printable(super().formatMessage(copy))   # paths and names from disk or an archive: no escapes


def _configure_logging(args: argparse.Namespace) -> Callable[[], None]:
    """Send provpack's log, and warcio's, to stderr for this run; return what undoes it (main() may run in-process).

    warcio's records are read through provpack's own warnings; any it logs itself still come out
    prefixed, escaped and silenced by -q, never through logging's last-resort handler.
    """
    loggers = (log, logging.getLogger("warcio"))
    saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LowerLevelFormatter("provpack: %(levelname)s: %(message)s"))
    for logger in loggers:
        logger.handlers[:] = [handler]
        logger.setLevel(logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.WARNING)
        logger.propagate = False

    def restore() -> None:
        for logger, (handlers, level, propagate) in zip(loggers, saved):
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate

    return restore


def _package(args: argparse.Namespace) -> int:
    config: Config = args.settings
    _check_deflate(args, config)
    output = _archive_path(args.output, args.sources, config)
    if not args.wacz:
        return _package_into(args, config, output, wacz_locked=False)
    # Before anything is written: a WACZ that cannot be written must not leave the archive alone. Its lock
    # (a stale .NAME.wacz.lock folder, another run) is taken now and held until the WACZ is written.
    _check_new(_wacz_name(output), force=args.force)
    if not output.parent.is_dir():   # package makes the folder; make_wacz takes the lock in it then
        return _package_into(args, config, output, wacz_locked=False)
    from .atomic import output_lock

    with output_lock(_wacz_name(output)):
        return _package_into(args, config, output, wacz_locked=True)


def _package_into(args: argparse.Namespace, config: Config, output: Path, *, wacz_locked: bool) -> int:
    """package's work once the output is chosen (and, with --wacz, the WACZ's name checked and its lock held)."""
    wacz_path = _wacz_name(output)
    # Which files are there now: a Ctrl-C or SIGTERM after this run's archive took its name, but before its WACZ
    # did, is said with what to do (with --wacz, the WACZ's lock keeps it as it is meanwhile).
    before = (_identity(output), _identity(wacz_path))
    try:
        return _package_run(args, config, output, wacz_path, replaced=before[0] is not None,
                            existed=before[1] is not None, wacz_locked=wacz_locked)
    except KeyboardInterrupt as exc:
        if args.wacz and _identity(output) not in (None, before[0]) and _identity(wacz_path) == before[1]:
            error = _wacz_not_written(output, _sha256_name(output), wacz_path, before[1] is not None, exc)
            print(printable(f"provpack: error: {error}"), file=sys.stderr)
        raise


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at `path` (device, inode), or None when there is none: another after a rename."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _sha256_name(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def _package_run(args: argparse.Namespace, config: Config, output: Path, wacz_path: Path, *, replaced: bool,
                 existed: bool, wacz_locked: bool) -> int:
    """package's run: the archive, what it says of it, then with --wacz the WACZ (`replaced`: an archive was there,
    `existed`: a WACZ was); without, a WACZ beside it of the archive replaced is warned of."""
    from .package import package
    from .progress import progress_bar, wanted
    from .stalesig import WACZ_NEXT

    # (a signature of the archive replaced that covered this WACZ asks only for both signed: this run remakes it)
    following = WACZ_NEXT.set(wacz_path if args.wacz else None)
    try:
        with progress_bar("package", unit="docs", enabled=wanted(sys.stderr, quiet=args.quiet)) as update:
            result = package(
                args.sources,
                out=output,
                force=args.force,
                description=args.description or config.description,
                operator=args.operator or config.operator,
                level=_level(args, config),
                deflate=args.deflate or config.deflate,
                jobs=args.jobs if args.jobs is not None else config.jobs,
                follow_symlinks=args.follow_symlinks,
                fetch=args.fetch,
                allow_private=args.allow_private,
                max_text_bytes=args.max_text_bytes,
                progress=update,
            )
    finally:
        WACZ_NEXT.reset(following)
    from .stdout import OutputError

    stdout_closed = False   # (`| head -0`: the summary is not wanted, but the WACZ still is)
    stdout_failed: OutputError | None = None   # (`> /dev/full`: the WACZ is still made, then the failure is said)

    def say(text: str) -> None:
        nonlocal stdout_closed, stdout_failed
        if not stdout_closed:
            try:
                print(text)
            except BrokenPipeError:
                stdout_closed = True
            except OutputError as exc:
                stdout_closed, stdout_failed = True, exc

    # Warnings, as the library's are logged: -q silences them (the log's formatter escapes control characters)
    for failure in result.fetch_failures:
        log.warning("%s: not fetched: %s", failure.name, failure.message)
    answered = [u for u in result.unaligned if _error_answer(u)]   # archived, but the server's error, not the page
    textless = [u for u in result.unaligned if not _error_answer(u)]
    for unaligned in result.unaligned:
        log.warning("%s: fetched %s but not aligned: %s%s", unaligned.name, unaligned.url, unaligned.reason,
                    _ERROR_ANSWER_FIX if _error_answer(unaligned) else "")
    for unmatched in result.unmatched:
        log.warning("%s", _unmatched_warning(unmatched))
    if not args.quiet:
        totals = result.summed()
        # the counts in show's words: every marker is an elision, bracketed (certain) or possible
        say(f"packaged {totals.documents:,} document{'s' if totals.documents != 1 else ''} "
              f"({totals.text_bytes:,} bytes of text); elisions: {totals.elisions:,} bracketed, "
              f"{totals.possible_elisions:,} possible")
        if totals.with_original or args.fetch:
            # with_original counts every document with an original archived, aligned or not; the segments not found
            # (said only when there are some) are those of every document aligned, unmatched ones too
            say(f"originals: {totals.with_original - len(result.unaligned)} aligned "
                  f"({totals.omitted_found} omitted passage{'' if totals.omitted_found == 1 else 's'} found, "
                  f"{totals.differences} difference{'' if totals.differences == 1 else 's'}"
                  + (f"; {totals.segments_not_found} segment{'' if totals.segments_not_found == 1 else 's'} not "
                     "found in the original" if totals.segments_not_found else "") + ")"
                  + (f"; {len(textless)} archived but not aligned (no text): "
                     + _some([u.url for u in textless]) if textless else "")
                  + (f"; {len(answered)} answered with an HTTP error (archived, not aligned): "
                     + _some([f"{u.url} (HTTP {u.status})" for u in answered]) if answered else "")
                  + (f"; {len(result.unmatched)} with no segment found in the original"
                     if result.unmatched else "")
                  + (f"; {len(result.fetch_failures)} not fetched: "
                     + _some([f.url for f in result.fetch_failures]) if result.fetch_failures else ""))
        say(printable(f"wrote {result.warc_path} ({result.records:,} records, {result.size_bytes:,} bytes)"))
        say(printable(f"sha256 {result.sha256}  ({result.sha256_path})"))
    if not args.wacz and existed:
        from .wacz import warn_wraps_another

        warn_wraps_another(result.warc_path, wacz_path, size=result.size_bytes, sha256=result.sha256,
                           replaced=replaced)
    if args.wacz:
        from .wacz import make_wacz

        try:
            make_wacz(result.warc_path, wacz_path, force=args.force, lock=not wacz_locked,
                      replay_warnings=False)   # (package warned about the same records)
        except (ProvpackError, OSError) as exc:   # the archive is already in place: say so, and what is stale
            raise _wacz_not_written(result.warc_path, result.sha256_path, wacz_path, existed, exc) from exc
        if not args.quiet:
            say(printable(f"wrote {wacz_path}"))
    if stdout_failed is not None:
        raise stdout_failed
    return 0


_ERROR_ANSWER_FIX = ("; its answer is archived as received (to align the excerpt, check the URL or try again later, or "
                     "save the page and name the copy with `original:` in the sidecar)")


def _error_answer(unaligned: UnalignedOriginal) -> bool:
    """True when the original archived is the server's error answer (a 404, a 503), not a page with no text."""
    from .httpbytes import is_error_status

    return unaligned.status is not None and is_error_status(unaligned.status)


def _unmatched_warning(unmatched: UnmatchedOriginal) -> str:
    """What package says of a document none of whose segments its original has: the original's charset, how
    it was chosen and its note (as `original.charset` records them), and what to do."""
    charset = unmatched.charset
    count = unmatched.segments
    note = charset.get("note")
    return (f"{unmatched.name}: none of its {count} segment{'s' if count != 1 else ''} was found in its original "
            f"{unmatched.original}, charset {charset.get('encoding')} ({charset.get('source')}"
            f"{f': {note}' if note else ''}); "
            + ("if the original is in another encoding, save it as UTF-8 or declare its charset (<meta charset> in "
               "HTML), else check that it is the text quoted" if unmatched.how == "local" else
               "if the page is in another encoding, save a copy as UTF-8 and name it with `original:` in the "
               "sidecar, else check that it is the text quoted"))


def _wacz_not_written(archive: Path, sha256_path: Path, wacz: Path, existed: bool,
                      exc: ProvpackError | OSError | KeyboardInterrupt) -> ProvpackError:
    """The error of a WACZ that failed, or was stopped by a signal, after package wrote the archive: what was
    written, what is now stale."""
    from .atomic import reason
    from .errors import ArchiveError

    command = f"`provpack wacz {archive} -o {wacz} --force`"
    if isinstance(exc, KeyboardInterrupt):
        problem, fix = f"the run was {stopped_by(exc)[0]}", f"to make it, run {command}"
    else:
        problem = getattr(exc, "problem", None) or (reason(exc) if isinstance(exc, OSError) else str(exc))
        problem, fix = problem.removesuffix("; nothing was changed"), f"fix that, then run {command}"   # (of the WACZ)
    stale = (f"; the {wacz.name} already there is the previous run's and no longer matches the archive"
             if existed else "")
    return ArchiveError(wacz, f"not written ({problem}), but {archive} and {sha256_path} were: this run's "
                              f"archive is in place{stale}", fix=fix)


def _archive_path(given: str | None, sources: Sequence[str], config: Config) -> Path:
    """Where package writes: -o (a folder gets the default name inside it), else output_dir, else archive/."""
    from .atomic import folder_problem
    from .package import default_output, output_path

    if given is not None or config.output_dir is None:
        return output_path(given, sources)   # (package's out, checked alike)
    unusable = folder_problem(config.output_dir)
    if unusable is not None and config.source is not None:   # blame the settings file that named it
        raise InputError(config.source, f"'output_dir': {unusable[0]}",
                         fix=unusable[1].replace("give a path", "set output_dir to a path")
                         .replace("choose another output path", "set output_dir to a folder") + ", or give -o")
    return config.output_dir / default_output(sources).name


def _check_new(path: Path, *, force: bool) -> None:
    """Refuse, before any work, a file that `--force` alone may replace, a folder in its place, or a name too long."""
    from .atomic import check_name, refuse_special
    from .errors import ArchiveError

    check_name(path)
    if path.is_dir():
        raise ArchiveError(path, "is a folder", fix="move it away, or give -o another name")
    refuse_special(path, force_option="--force")
    if os.path.lexists(path) and not force:
        raise ArchiveError(path, "already exists", fix="pass --force to replace it, or give -o another name")


def _level(args: argparse.Namespace, config: Config) -> int | None:
    """The deflate level package is given: --level; else the settings file's level, but not when --deflate picks
    another backend than the file's deflate, whose level it is (`deflate: zlib`, `level: 6` with --deflate isal,
    whose levels are 0 to 3): that backend's default then."""
    if args.level is not None:
        return int(args.level)
    if args.deflate is not None and config.deflate is not None and args.deflate != config.deflate:
        return None
    return config.level


def _check_deflate(args: argparse.Namespace, config: Config) -> None:
    """A deflate backend or level from the settings file that does not fit is blamed on that file."""
    from .gzipper import choose

    from .errors import option

    given = {"--level": args.level is None and _level(args, config) is not None,
             "--deflate": args.deflate is None and config.deflate is not None}
    if config.source is None or not any(given.values()):
        return
    try:
        choose(args.deflate or config.deflate, _level(args, config))
    except InputError as exc:
        flag = next((flag for flag in given if str(exc.path) == option(flag)), None)
        if flag is None or not given[flag]:
            raise
        raise InputError(config.source, f"{flag.removeprefix('--')!r}: {exc.problem}",
                         fix=f"change it there, or give {flag} on the command line") from exc


def _wacz_name(warc_path: Path) -> Path:
    return warc_path.with_name(warc_path.name.removesuffix(".warc.gz") + ".wacz")


def _verify(args: argparse.Namespace) -> int:
    from .verify import (SIGNATURE_NAMES, WACZ_NAMES, VerifyReport, render_text, standard_input,  # this command's
                         verify, verify_stream)

    if "-" in args.files:
        if len(args.files) > 1:
            raise ProvpackError("verify: '-' (standard input) cannot be combined with other files")
        if args.key is not None:
            raise ProvpackError("verify: --key needs the archive's file name (FILE.sig sits beside it), not '-'")
        for option, given, names in (("--signature", args.signature, SIGNATURE_NAMES),
                                     ("--wacz", args.wacz, WACZ_NAMES)):
            if given is not None:
                raise ProvpackError(f"verify: {option} {names.format('the')}; only --key checks a signature, and "
                                    "--key needs the archive's file name, not '-'")
        report = VerifyReport(files=(verify_stream(standard_input(), name="-", deep=args.deep),), strict=args.strict)
    else:
        from .progress import progress_bar, wanted

        total = sum(Path(f).stat().st_size for f in args.files if Path(f).is_file())
        mib = 1 << 20
        with progress_bar("verify", unit="MiB", enabled=wanted(sys.stderr, quiet=args.quiet)) as update:
            report = verify(args.files, strict=args.strict, key=args.key, tsa_ca=args.tsa_ca,
                            signature=args.signature, wacz=args.wacz, jobs=args.jobs, deep=args.deep, progress=lambda files, count, size: update(size // mib, total // mib, size))
    code = report.exit_code(strict=args.strict)
    for file in report.files:   # a file that is not a WARC: an error, as for any input that cannot be used
        if file.error is not None:
            print(printable(f"provpack: error: {file.path}: {file.error}"), file=sys.stderr)
    checked = VerifyReport(tuple(f for f in report.files if f.error is None), strict=report.strict)
    try:
        if args.json:
            print(json.dumps(report.to_json(), indent=2, sort_keys=True))
        elif checked.files and (not args.quiet or not checked.ok):
            print(render_text(checked, strict=args.strict, quiet=args.quiet))
    except BrokenPipeError:   # `verify ... | head` must still fail when a file did: the finding outranks the pipe
        return code
    return code


_NAMES_SAID = 10   # documents named in a message before "and N more"


def _some(names: list[str]) -> str:
    """The first _NAMES_SAID names, then how many more there are: a summary line, not a list of every URL."""
    said = ", ".join(names[:_NAMES_SAID])
    return said + (f", and {len(names) - _NAMES_SAID:,} more" if len(names) > _NAMES_SAID else "")


def _show(args: argparse.Namespace) -> int:
    from . import reader
    from .display import DocumentPrinter, JsonPrinter

    _not_stdin(args.file)
    damage = reader.DamageSeen()   # the documents outside damage to the file are listed, then it is said
    textless: list[tuple[str, str]] = []   # (record id, name) of the documents read before their text, if any
    if args.json:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        printer: DocumentPrinter | JsonPrinter = JsonPrinter(   # \u00e9 where é cannot go
            ensure_ascii=encoding not in ("utf8", "utf16", "utf32"))
    else:
        printer = DocumentPrinter(sys.stdout)
    with printer:   # (each document is drawn as it is read, into memory then a file: the count line comes first)
        def each(document: reader.ArchivedDocument) -> None:
            if document.offset is None:
                textless.append((document.record_id, document.name))
            printer.add(document)

        read = reader.read_each(args.file, each, on_damage=damage)
        count = printer.count
        if damage.first is not None and not count:
            raise IntegrityError(damage.first.path, damage.said())
        if isinstance(printer, JsonPrinter):
            printer.finish(sys.stdout)
        else:
            printer.finish(args.file, records=read.records)
    if damage.first is not None:
        listed = "the document" if count == 1 else f"the {count:,} documents"
        said = (f"{printable(str(damage.first.path))}: {damage.said()}; {listed} read outside {damage.them} "
                f"{'is' if count == 1 else 'are'} listed")
        # (a document's resource record may follow its provenance record: read_each gives where)
        places: dict[int, tuple[IntegrityError, list[str]]] = {}   # (by id: each damaged place holding a text)
        absent: list[tuple[str, str]] = []   # (texts in no damaged place, nor anywhere in the file)
        for record_id, name in textless:
            if record_id not in read.resource_offsets:
                place = read.text_damage.get(record_id)
                if place is None and record_id in read.unread:
                    absent.append((record_id, name))
                    continue
                place = place or damage.first
                places.setdefault(id(place), (place, []))[1].append(name)
        for place, unread in places.values():
            names = ", ".join(reader.shown_name(name) for name in unread[:_NAMES_SAID])
            if len(unread) > _NAMES_SAID:
                names += f", and {len(unread) - _NAMES_SAID:,} more"
            said += f"; the text of {names} lies in {_place(place, damage.first)}"
        if absent:
            record_id, name = absent[0]
            said += f"; {reader.not_in_file(name, record_id, read.unread[record_id], len(absent) - 1)}"
        print(printable(f"provpack: error: {said}"), file=sys.stderr)
        return damage.first.exit_code
    missing = [(record_id, name) for record_id, name in textless if record_id in read.unread]
    if missing:   # (no damage found: the text is not in the file)
        record_id, name = missing[0]
        listed = "the document is" if count == 1 else f"the {count:,} documents are"
        said = reader.not_in_file(name, record_id, read.unread[record_id], len(missing) - 1)
        print(printable(f"provpack: error: {args.file}: {said}; {listed} listed"), file=sys.stderr)
        return 1
    return 0


def _place(place: IntegrityError, first: IntegrityError) -> str:
    """A damaged place as show's message names it after naming the first: "it", or where it is."""
    if place is first:
        return "it"
    return "another damaged place" if place.offset is None else f"the damaged place at byte {place.offset}"


def _extract(args: argparse.Namespace) -> int:
    from . import reader
    from .atomic import archive_files, atomic_writer, refuse_input
    from .fsnames import utf8_reading

    _not_stdin(args.file)
    # The archive holds names as UTF-8: NAME's bytes are read so too, where the locale reads them otherwise (café's
    # UTF-8 in a Latin-1 or C locale), and the locale's reading of them is looked for as well (0xE9 in Latin-1).
    also = utf8_reading(args.name)
    if args.output in (None, "-"):
        # extract holds the bytes back until their sha256 checks: a changed text writes nothing.
        reader.extract_into(args.file, args.name, sys.stdout.buffer, hold=True, argument="dest", also=also)
        sys.stdout.buffer.flush()
        return 0
    _file_output(args.output, Path(args.name).name or "TEXT")
    # (the library's extract writes to a stream and takes no force: only the flag is named)
    refuse_input(args.output, archive_files(args.file), force_option="--force")
    with atomic_writer(Path(args.output), force=args.force, force_option="--force") as out:
        # Straight into the temp file beside the output: it is renamed over the output only once the sha256
        # checks, and removed on an IntegrityError, so the bytes need not be held back elsewhere first.
        # (a failed write of it is atomic_writer's to say, naming the output, not the temp file)
        document = reader.extract_into(args.file, args.name, out, hold=False, argument=None, also=also)
    if not args.quiet:
        print(printable(f"wrote {args.output} ({document.length_bytes:,} bytes, sha256 {document.sha256})"), file=sys.stderr)
    return 0


def _file_output(given: str, example: str) -> str:
    """-o FILE as given, refused when it ends in '/': a folder, which Path drops (the command then wrote a file of the
    folder's name); `example`: a name for the file in it."""
    if given.endswith(("/", os.sep, os.altsep or "/")):
        raise InputError(given, "ends in '/', as a folder does; this command writes a file",
                         fix=f"name the file, e.g. {os.path.join(given, example)}")
    return given


def _record_types(value: str | None) -> Collection[str] | None:
    """--records: None for all, the default set when not given, else the named WARC-Types in their order."""
    from .cdxj import check_record_types

    if value is None:
        return CDXJ_RECORDS
    if value.strip() == "all":
        return None
    types = tuple(name.strip() for name in value.split(",") if name.strip())
    try:
        check_record_types(types, name="--records", every="'all'")
    except InputError as exc:
        raise _UsageError(f"argument {exc}") from exc
    return types


def _not_stdin(name: str) -> None:
    """'-' (standard input, to verify) given to a command that goes back to records by their offsets: refused
    as a pipe is, rather than looked for as a file called '-'."""
    if name == "-":
        from .errors import ArchiveError

        raise ArchiveError("-", "standard input cannot be read twice; this command goes back to records by their "
                                "offsets", fix="save it to a file first (`provpack verify -` reads it as it is; "
                                               "./- names a file called -)")


def _index(args: argparse.Namespace) -> int:
    from .cdxj import write_index

    _not_stdin(args.file)
    records = _record_types(args.records)
    if args.output in (None, "-"):   # '-' is standard output, as for extract (./- names a file called -)
        from .stdout import utf8_stdout

        with utf8_stdout() as out:   # (CDXJ is UTF-8, as -o FILE writes it, whatever the locale)
            write_index(args.file, out, records=records, sort=not args.unsorted, post_append=args.post_append)
        return 0
    _file_output(args.output, Path(args.file).name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")
    lines = write_index(args.file, Path(args.output), records=records, sort=not args.unsorted, force=args.force,
                        post_append=args.post_append)
    if not args.quiet:
        print(printable(f"wrote {args.output} ({lines} line{'s' if lines != 1 else ''})"))
    return 0


def _wacz(args: argparse.Namespace) -> int:
    from .arguments import file_path
    from .wacz import make_wacz

    _not_stdin(args.file)
    archive = file_path("ARCHIVE", args.file)   # (a folder, '.', has no name to make the WACZ's of)
    default = archive.with_name(archive.name.removesuffix(".gz").removesuffix(".warc") + ".wacz")
    output = default if args.output is None else Path(_file_output(args.output, default.name))
    written = make_wacz(archive, output, title=args.title, description=args.description, force=args.force)
    if not args.quiet:
        print(printable(f"wrote {written} ({written.stat().st_size:,} bytes)"))
    return 0


def _bag(args: argparse.Namespace) -> int:
    from .bag import make_bag

    written = make_bag(args.files, Path(args.output))
    if not args.quiet:
        count = len(args.files)
        print(printable(f"wrote bag {written} ({count} file{'s' if count != 1 else ''}, sha256 and sha512 manifests)"))
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from . import signing

    key_path, pub_path = signing.keygen(_file_output(args.output, "key"), force=args.force)
    if not args.quiet:
        print(printable(f"wrote {key_path} (private key: keep it secret) and {pub_path} (public key, "
                        f"{signing.fingerprint(signing.load_public_key(pub_path))})"))
    return 0


def _sign(args: argparse.Namespace) -> int:
    from . import signing, timestamp, tsarequest

    if args.output is not None:
        _file_output(args.output, Path(args.archive).name + ".sig")
    if args.tsa is not None:   # both files, or neither: a TSA that fails leaves no signature behind
        sig_path, token_path, when = tsarequest.sign_with_timestamp(args.archive, args.key, args.tsa, wacz=args.wacz,
                                                                   out=args.output, force=args.force)
        if not args.quiet:
            print(printable(f"wrote {sig_path}"))
            print(printable(f"wrote {token_path} (timestamped {when.isoformat()} by {args.tsa})"))
        return 0
    target = Path(args.output) if args.output is not None else signing.signature_path_for(Path(args.archive))
    before = _small_file(target) if os.path.lexists(target) else None   # (b"" for one that cannot be read)
    sig_path = signing.sign(args.archive, args.key, wacz=args.wacz, out=args.output, force=args.force)
    if not args.quiet:
        print(printable(f"wrote {sig_path}"))
    token = timestamp.token_path_for(sig_path)
    if not token.exists() or before == _small_file(sig_path):   # the very bytes it dated: it still dates them
        return 0
    if before is None:
        log.warning("%s was there without a signature: it dates none that this run replaced, and not the new one "
                    "(verify --tsa-ca will call it bad): timestamp the new one with --tsa, or remove it", token)
    else:
        log.warning("%s dates the signature this run replaced, not the new one (verify --tsa-ca will call it "
                    "bad): timestamp the new one with --tsa, or remove it", token)
    return 0


def _small_file(path: Path) -> bytes:
    """A signature file's bytes; b"" for one that is not a regular file, cannot be read or is larger than one is."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > 64 * 1024:
            return b""
        return path.read_bytes()
    except OSError:
        return b""
