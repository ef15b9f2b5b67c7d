"""Sidecar YAML -> JSON-ready values; merge them with the fields parsed from the text.

Sidecars are read with the safe loader only (the C one when PyYAML has it), so no
tag can construct a Python object; plain ones are built straight from its node tree. Every value is made JSON-ready here, with
limits on size, nesting and alias expansion so that no sidecar can exhaust memory.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .iri import as_uri
from .model import FieldValue, Metadata, ParsedField
from .regular import NotRegularFile, open_regular
from .typos import folded, near_names, swapped

try:
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader
# Whether libyaml reads the sidecars: then what only PyYAML's own loader refuses (tabs it does not take as spaces, a
# '?' in a plain value in [ ] or { }) is read, as it always was; PyYAML's own refuses it, so no sidecar gives two
# different archives, one with each loader (tests/test_metadata.py reads tricky and generated ones with both).
_LIBYAML = _SafeLoader is not yaml.SafeLoader

MAX_SIDECAR_BYTES = 1024 * 1024
MAX_VALUES = 10_000
MAX_DEPTH = 32
MAX_STRING = 64 * 1024

KNOWN_TEXT_KEYS = ("title", "publication", "published", "source_url", "url", "retrieved",
                   "license", "notes", "original", "description")
KNOWN_KEYS = KNOWN_TEXT_KEYS + ("author",)
FIELD_KEYS = ("title", "publication", "author", "published", "source_url", "url", "retrieved", "license")
# Keys of one's own that are words a typo of a known key could make, and so not taken for one: `publisher: Penguin`.
_OWN_NEIGHBOURS = frozenset({"publisher", "urn"})
_KNOWN_OR_OWN = frozenset(KNOWN_KEYS) | _OWN_NEIGHBOURS
SHORT_KEY = 6   # letters (case, '-' and '_' set aside) of a known key one edit from which a key is taken for its typo
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f-\x9f]+")   # \s holds U+2028/9; C1 as records' headers
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STR, _SEQ, _MAP, _VALUE, _MERGE, _TIMESTAMP = (f"tag:yaml.org,2002:{name}" for name in
                                                ("str", "seq", "map", "value", "merge", "timestamp"))


def load_sidecar(path: Path | str, *, within: str | None = None, listed: bool = False) -> dict[str, Any]:
    """The sidecar's mapping, made JSON-ready and checked; an InputError naming file and line if not, or
    (`within` given) if it is reached by a symbolic link out of that folder (regular.open_regular).

    `listed`: the file was found listing its folder, so one not there now has disappeared since (said as a text
    that disappeared is, inputs.read_bytes), not been named wrong."""
    try:   # a str path needs no Path built and formatted per sidecar
        fd, info = open_regular(path, within=within)
        try:   # sized by what it holds (no buffer of the limit per sidecar); one byte more tells it grew
            raw = os.read(fd, min(info.st_size, MAX_SIDECAR_BYTES) + 1)
            if info.st_size < len(raw) <= MAX_SIDECAR_BYTES:
                raw += os.read(fd, MAX_SIDECAR_BYTES + 1 - len(raw))
        finally:
            os.close(fd)
    except NotRegularFile as exc:   # a folder given as a sidecar, or a file listed as regular and swapped since
        if os.path.isdir(path):
            raise InputError.unreadable(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))) from exc
        raise InputError(path, "not a regular file (it changed while packaging)", fix="run again") from exc
    except OSError as exc:
        if listed and isinstance(exc, FileNotFoundError):
            raise InputError(path, "the file disappeared while packaging", fix="run again") from exc
        raise InputError.unreadable(path, exc) from exc
    if len(raw) > MAX_SIDECAR_BYTES:
        raise InputError(path, f"sidecar is larger than {MAX_SIDECAR_BYTES} bytes", fix="keep sidecars small")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "invalid UTF-8", offset=exc.start, fix="re-save the sidecar as UTF-8") from exc
    try:
        _check_portable(source)
        quick = _quick_load(source)
        loaded = yaml.load(source, Loader=_Loader) if quick is None else None  # noqa: S506 - safe loader
    except _Refused as exc:
        raise exc.error(path) from None
    except _Unportable as exc:
        raise exc.error(path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if problem == "found unexpected ':'" and mark is not None:   # libyaml's, of what _check_flow refuses
            raise _colon(source, mark.index).error(path) from exc
        if mark is None:
            raise InputError(path, f"malformed YAML: {problem}", fix="fix the YAML syntax") from exc
        long_key = _long_key(source, exc.problem_mark)
        if long_key is not None:
            raise InputError(path, f"a key of {long_key[1]:,} characters: YAML reads a key on one line of at most"
                             f" {_KEY_MOST:,} (PyYAML's simple-key limit)", line=mark.line + 1, column=long_key[0] + 1,
                             fix="shorten the key") from exc
        raise InputError(path, f"malformed YAML: {problem}", line=mark.line + 1, column=mark.column + 1,
                         fix="fix the YAML syntax") from exc
    except yaml.YAMLError as exc:
        raise InputError(path, f"malformed YAML: {exc}", fix="fix the YAML syntax") from exc
    except RecursionError as exc:  # the pure-Python loader, without libyaml's own depth limit
        raise InputError(path, "malformed YAML: nested too deeply", fix="flatten it") from exc
    except (ValueError, OverflowError) as exc:   # a value PyYAML's code fails on (none known: _check_portable's)
        raise InputError(path, f"malformed YAML: a value cannot be read ({str(exc)[:120]})",
                         fix="fix the YAML syntax") from exc
    if quick is not None:
        sidecar = quick
    elif loaded is None:
        return {}
    elif not isinstance(loaded, dict):
        raise InputError(path, f"sidecar must be a mapping of keys to values, not a {type(loaded).__name__}",
                         fix="write it as 'key: value' lines")
    else:
        sidecar = _jsonable(loaded, path, None, [MAX_VALUES], 0, set())
    _check_known(sidecar, path, source)
    return sidecar


_KEY_MOST = 1024   # characters of a key written on one line (a simple key) that PyYAML reads
# A key's indentation, "- " (once or more), flow "{" or ",". (The "- " are `(?:-[ \t]+)*` without a group's repeat,
# which took a frame of re's stack for each, 58 MiB a MB of them, though YAML refuses a line of more than 999 before
# a key: from the first, any character up to the first place where neither a space nor "- " follows.)
# A whole number as Python writes it (what load_sidecar keeps as a number), and the longest value
# not so written whose number a refusal works out and shows.
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
SHOWN_NUMBER = 40
_KEY_AFTER = re.compile(r"[ \t]*(?:-[ \t].*?(?![ \t]|-[ \t]))?(?:.*[{\[,][ \t]*)?")


def _long_key(source: str, mark: Any) -> tuple[int, int] | None:
    """(column, length) of a key too long for YAML, when the error at `mark` is at the ':' after it (PyYAML
    says "mapping values are not allowed in this context" or "could not find expected ':'"); else None."""
    if mark is None or source[mark.index:mark.index + 1] != ":":
        return None
    line = source[mark.index - mark.column:mark.index]
    start = _KEY_AFTER.match(line).end()   # type: ignore[union-attr]   # (it matches the empty string)
    key = line[start:]
    if len(key) <= _KEY_MOST or ": " in key or key.rstrip() != key:
        return None
    return start, len(key)


# What libyaml (the C loader) and PyYAML's own loader read differently, refused whichever reads the sidecar, so
# that it gives one result or one refusal: checked on its text, each with a test of one character first. (The
# patterns are compiled when first used, by re's cache: most are for text few sidecars hold.)
_BREAKS = "\r\n\x85\u2028\u2029"   # line breaks to YAML 1.1 (and to both loaders)
_BLANKS = frozenset(" " + _BREAKS)
_BREAK = r"\r\n|[\r\n\x85\u2028\u2029]"
_BLANK_LINE = r"[ \t]*(?:#[^\r\n\x85\u2028\u2029]*)?(?:\r\n|[\r\n\x85\u2028\u2029])"
_DIRECTIVE = r"%([^ \t\r\n\x85\u2028\u2029]*)[ \t]*([^ \t\r\n\x85\u2028\u2029]*)[^\r\n\x85\u2028\u2029]*"
# \uD800-\uDFFF, and \U of a surrogate or beyond 10FFFF (the \U found here are those, checked): escapes of no
# character (libyaml refuses them, PyYAML's own makes a surrogate of the first, that no UTF-8 holds, and fails on
# the second)
_NO_CHARACTER = r"\\(?:u[dD][89a-fA-F][0-9a-fA-F]{2}|U[0-9a-fA-F]{8})"
_PAIRED = r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"   # the second of a surrogate pair's escapes
_INDENTED = r"[|>](?:[+-]?[1-9]|[1-9][+-]?)"   # a block scalar's header giving its indentation
_FLOW_INDICATORS = (",", "[", "]", "{", "}")
_FLOW_INDICATOR = r"[,\[\]{}]"
# What only a scan tells from text like it: a block scalar's header with a comment and no space before it (libyaml
# takes it, PyYAML's own refuses it)
_HEADER_COMMENT = r"[|>][-+1-9]{0,2}#"
_BEFORE_TAG = frozenset(" \t\r\n\x85\u2028\u2029[]{},?:\ufeff")   # what a tag's '!' may follow (or the start)
_TAB = ("a tab outside quoted and block (| or >) values and comments, where YAML readers differ (libyaml reads it "
        "as a space, PyYAML's own refuses it)", "write spaces instead")


class _Unportable(Exception):
    """Text libyaml and PyYAML's own loader read differently, at `index` of the sidecar's `source`."""

    def __init__(self, source: str, index: int, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.source, self.index, self.problem, self.fix = source, index, problem, fix

    def error(self, path: Path | str) -> InputError:
        """The InputError naming `path` and the line and column (counted as PyYAML counts them)."""
        line, start = 1, 0
        for found in re.compile(_BREAK).finditer(self.source, 0, self.index):
            line, start = line + 1, found.end()
        return InputError(path, self.problem, line=line, column=self.index - start + 1, fix=self.fix)


def _check_portable(source: str) -> None:
    """Refuse (_Unportable) what libyaml and PyYAML's own loader read differently: a byte order mark past the start,
    a %YAML directive but 1.1 or 1.2 and any directive but %YAML and %TAG (libyaml refuses them), and what a scan by
    PyYAML's own scanner tells (_check_scanned: an escape of no character, a tab where a block scalar's indentation
    is found, and, with PyYAML's own loader only, a tab it refuses, which libyaml reads as a space), made when
    the text holds a tab, an escape of no character, or text like a block scalar's header with a comment. Each is
    first tested for with one character or a short pattern: most sidecars hold none. (Plain values in [ ] or { }
    and tags on empty values are _check_flow's and _check_empty's, on the nodes.) tests/test_metadata.py reads
    tricky and generated sidecars with both loaders."""
    bom = source.find("\ufeff", 1) if "\ufeff" in source else -1   # (at the start, both skip it)
    if bom >= 0:
        raise _Unportable(source, bom, "a byte order mark (U+FEFF) past the start of the sidecar, which YAML readers"
                          " take differently (libyaml skips it at a line's start, PyYAML's own keeps it as text)",
                          "remove it (to keep the character in a value, write it \"\\uFEFF\" in double quotes)")
    if "%" in source:
        _check_directives(source)
    escapes = [found for found in re.finditer(_NO_CHARACTER, source) if _escapes(source, found.start()) and
               (0xD800 <= int(found.group()[2:], 16) <= 0xDFFF or int(found.group()[2:], 16) > 0x10FFFF)] \
        if "\\" in source else ()
    if escapes or "\t" in source or "#" in source and re.search(_HEADER_COMMENT, source):
        _check_scanned(source, escapes)


def _check_directives(source: str) -> None:
    """Refuse a directive, at the start of the text (after blank and comment lines), that one loader reads and the
    other refuses: %YAML but 1.1 and 1.2, or another than %YAML and %TAG."""
    at = 1 if source.startswith("\ufeff") else 0
    while True:
        blank = re.compile(_BLANK_LINE).match(source, at)
        if blank is not None:
            at = blank.end()
            continue
        if not source.startswith("%", at):
            return
        directive = re.compile(_DIRECTIVE).match(source, at)
        assert directive is not None   # (it matches "%" and anything after it on the line)
        name, value = directive.groups()
        shown = directive.group()[:SHOWN_VALUE].rstrip()
        if name == "YAML" and value not in ("1.1", "1.2"):
            raise _Unportable(source, at, f"'{shown}': a YAML version other than 1.1 and 1.2, which YAML readers take"
                              " differently (libyaml refuses it, PyYAML's own reads it as 1.1)",
                              "write %YAML 1.1, or remove the line")
        if name not in ("YAML", "TAG"):
            raise _Unportable(source, at, f"'{shown}': a directive other than %YAML and %TAG, which YAML readers take"
                              " differently (libyaml refuses it, PyYAML's own skips it)", "remove the line")
        at = directive.end()
        if at < len(source):
            at += 2 if source.startswith("\r\n", at) else 1


def _escapes(source: str, at: int) -> bool:
    """Whether the backslash at `at` starts an escape (is not itself escaped by an odd number before it)."""
    before = at
    while before and source[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 0


def _check_scanned(source: str, escapes: Sequence[re.Match[str]]) -> None:
    """Scan `source` with PyYAML's own scanner, its escapes of no character made harmless, and refuse the first of:
    a scanning error (said as a tab's when at a tab), one of `escapes` in double quotes, and a tab where a block
    scalar's indentation is being found."""
    text = source
    for found in escapes:   # (as long, so every place stays where it is)
        text = f"{text[:found.start() + 2]}{'0' * (found.end() - found.start() - 4)}41{text[found.end():]}"
    scanner: Any = yaml.SafeLoader(text)   # (PyYAML's own, whichever loader reads the sidecar)
    refusals: list[tuple[int, Exception]] = []
    try:
        while scanner.check_token():
            token = scanner.get_token()
            start, end = token.start_mark.index, token.end_mark.index
            kind = type(token)
            if kind is yaml.ScalarToken and token.style == '"':
                refusals.extend((found.start(), _no_character(source, found)) for found in escapes
                                if start < found.start() < end)
            elif kind is yaml.ScalarToken and token.style in ("|", ">"):
                tab = _first_indentation_tab(source, start, end) if "\t" in source[start:end] and \
                    not re.compile(_INDENTED).match(source, start) else None
                if tab is not None:
                    refusals.append((tab, _Unportable(
                        source, tab, "a tab where a block value's (| or >) indentation is being found, which YAML "
                        "readers take differently (libyaml refuses it, PyYAML's own keeps it as text)",
                        "indent with spaces, or give the indentation after the | or > (|2 for 2 spaces)")))
    except yaml.MarkedYAMLError as exc:   # (PyYAML's own refuses the text: libyaml, reading it, may take it)
        mark = exc.problem_mark
        at = len(text) if mark is None else mark.index
        if not _LIBYAML:
            refusals.append((at, _Unportable(source, at, *_TAB) if text.startswith("\t", at) else exc))
    finally:
        scanner.dispose()
    if refusals:
        raise min(refusals, key=lambda refusal: refusal[0])[1]


def _colon(source: str, at: int) -> _Unportable:
    """The refusal of the ':' at `at`, right before , [ ] { } after a plain value in [ ] or { }."""
    return _Unportable(source, at, "a ':' right before , ? [ ] { } after a plain value in [ ] or { }, which YAML "
                       "readers take differently (libyaml refuses it, PyYAML's own reads a key)",
                       "put a space after the ':', or quote the value")


def _first_indentation_tab(source: str, start: int, end: int) -> int | None:
    """The tab right after the leading spaces of a line of the block scalar at source[start:end] (its header without
    an indentation) up to its first line of text, where libyaml finds its indentation; None if none."""
    found = re.compile(_BREAK).search(source, start, end)
    while found is not None:
        at = found.end()
        while at < end and source[at] == " ":
            at += 1
        if at >= end or source[at] not in _BREAKS + "\t":
            return None
        if source[at] == "\t":
            return at
        found = re.compile(_BREAK).match(source, at)   # (a line of spaces: on to the next)
    return None


def _no_character(source: str, found: re.Match[str]) -> _Unportable:
    """The refusal of the escape `found` in double quotes, of no character (a surrogate, or past U+10FFFF)."""
    written = found.group()
    code = int(written[2:], 16)
    follows = source[found.end():found.end() + 6]
    if 0xD800 <= code < 0xDC00 and re.fullmatch(_PAIRED, follows):
        pair = 0x10000 + ((code - 0xD800) << 10) + (int(follows[2:], 16) - 0xDC00)
        return _Unportable(source, found.start(), f"'{written}{follows}' in double quotes: a UTF-16 surrogate pair, "
                           "whose escapes are of no character (libyaml refuses them, PyYAML's own keeps two halves of "
                           "one that no UTF-8 text can hold)", f"write the character's own escape, \\U{pair:08X}")
    what = "no character (past U+10FFFF)" if code > 0x10FFFF else "a UTF-16 surrogate, no character"
    return _Unportable(source, found.start(), f"'{written}' in double quotes: the escape of {what}, which YAML readers"
                       " take differently (libyaml refuses it, PyYAML's own " + (
                           "fails on it)" if code > 0x10FFFF else "keeps it, and no UTF-8 text can hold it)"),
                       "write the character meant, or its escape")


SHOWN_VALUE = 80   # a refused value longer than this is shown by its start and its length


class _Refused(Exception):
    """A scalar or key load_sidecar refuses, with the node it is about; `error` words it for the file."""

    def __init__(self, node: yaml.Node, problem: str, *, quote: bool = True, first: str | None = None,
                 fix: str = "keep one of them") -> None:
        super().__init__(problem)
        self.node = node
        self.problem = problem   # {at} stands for the scalar as written: 'key: value', the key '...' or '...'
        self.quote = quote
        self.fix = fix   # what to do, when not to quote it
        self.first = first   # what to do before quoting, which only keeps the value as text (a date that is none)
        self.key: str | None = None   # the mapping key whose value `node` is, when known
        self.is_key = False

    def error(self, path: Path | str) -> InputError:
        """The InputError naming `path`, the node's line and column, and the quoted form to write."""
        written = str(self.node.value)
        whole = len(written) <= SHOWN_VALUE   # (else a value of thousands of digits: its start, no copy to paste)
        if not whole:
            written = f"{written[:SHOWN_VALUE]}... ({len(written):,} characters)"
        if self.key is not None:
            at, quoted = f"'{self.key}: {written}'", f'{self.key}: "{written}"'
        else:
            at, quoted = (f"the key '{written}'" if self.is_key else f"'{written}'"), f'"{written}"'
        fix = f"quote it: {quoted}" if whole else "put the value in double quotes"
        if self.first is not None:
            fix = f"{self.first} (or, to keep it as text, {fix})"
        mark = self.node.start_mark
        return InputError(path, self.problem.replace("{at}", at, 1), line=mark.line + 1, column=mark.column + 1,
                          fix=fix if self.quote else self.fix)


_NO_DIGITS = "{at} is tagged as a number but holds no digits"


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    """PyYAML's int, refused unless it is written as Python writes it: 0123, 0x1F, 1_000, 12:30, +5 are not.

    A long value not so written is refused without working out its number: PyYAML's base 60 takes
    time quadratic in the length (a 1 MiB `1:1:1...` some two minutes), and the number it gives
    may be too long to write (over 4,300 digits).
    """
    if len(node.value) > SHOWN_NUMBER and _PLAIN_INT.fullmatch(node.value) is None:
        raise _Refused(node, "{at} reads as a number in YAML (written with a sign, leading zeros, underscores, "
                             "colons, or in hex, octal or binary), not as the text written")
    try:
        value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except IndexError:   # an explicit !!int on nothing but signs and underscores (PyYAML reads its first character)
        raise _Refused(node, _NO_DIGITS) from None
    except ValueError as exc:   # over 4,300 digits (Python 3.11 and later), or an explicit !!int on something else
        if _PLAIN_INT.fullmatch(node.value) is not None:
            raise _Refused(node, f"{{at}} reads as a number of {len(node.value.lstrip('-')):,} digits in YAML, "
                                 "more than Python reads (4,300)") from None
        raise _Refused(node, f"a value YAML reads as a number cannot be read ({{at}}): {str(exc)[:120]}") from None
    if str(value) != node.value:
        raise _Refused(node, f"{{at}} reads as the number {value} in YAML, not as the text written")
    return value


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    """PyYAML's float, refused unless it is written as Python writes it: 1.10, .5, 1e3, .inf are not."""
    try:
        value: float = yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    except IndexError:   # an explicit !!float on nothing but underscores (PyYAML reads its first character)
        raise _Refused(node, _NO_DIGITS) from None
    except ValueError as exc:   # an explicit !!float on something else
        raise _Refused(node, f"a value YAML reads as a number cannot be read ({{at}}): {str(exc)[:120]}") from None
    if repr(value) != node.value:   # also infinities and NaN, which JSON cannot hold
        what = (f"the number {value!r}" if math.isfinite(value) else "not-a-number" if value != value
                else "infinity" if value > 0 else "minus infinity")
        raise _Refused(node, f"{{at}} reads as {what} in YAML, not as the text written")
    return value


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    """True and false (in any case PyYAML reads); yes, no, on, off (which JSON would write true or false) refused."""
    spelled = node.value.lower()
    if spelled == "true":
        return True
    if spelled == "false":
        return False
    what = "true" if loader.bool_values.get(spelled) else "false" if spelled in loader.bool_values else ""
    raise _Refused(node, f"{{at}} reads as {what} in YAML, not as the text written" if what else
                   "{at} is tagged as a boolean but is neither true nor false")


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> dt.date:
    """PyYAML's date or date-time; a date that does not exist (2017-02-30) refused with its place, and so is a
    date-time whose fraction of a second has more than 6 digits (PyYAML keeps 6 and drops the rest unsaid)."""
    try:
        value: dt.date = yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, AttributeError) as exc:   # AttributeError: an explicit !!timestamp on something else
        if isinstance(exc, AttributeError):
            raise _Refused(node, "{at} reads as a date in YAML but is not a valid date (not written YYYY-MM-DD)"
                           ) from None
        # written as one, a day, month or hour that does not exist (2024-02-30): quoted, it would be kept as such
        raise _Refused(node, f"{{at}} reads as a date in YAML but is not a valid date ({str(exc)[:120]})",
                       first="correct the date") from None
    if isinstance(value, dt.datetime) and "." in node.value:
        fraction = loader.timestamp_regexp.match(node.value).group("fraction")
        if len(fraction) > _FRACTION_DIGITS:
            raise _Refused(node, f"{{at}} reads as the date-time {value.isoformat()} in YAML, its fraction of a"
                           f" second cut from {len(fraction)} digits to {_FRACTION_DIGITS}, not as the text written")
    return value


_FRACTION_DIGITS = 6   # of a second, that PyYAML's date-times (Python's datetime) keep


_KEY_KINDS = {f"tag:yaml.org,2002:{tag}": kind for tag, kind in
              (("int", "a number"), ("float", "a number"), ("bool", "a boolean"), ("null", "null"))}


def _check_unique(loader: Any, node: yaml.MappingNode) -> None:
    """Refuse a key given twice among the mapping's own (YAML 1.2 requires unique keys; PyYAML keeps the last),
    spelled alike or not: date-times of one instant (`10:00:00Z`, `11:00:00+01:00`) are one key to PyYAML, and
    a date and the text of its ISO 8601 form (`2017-01-01`, `"2017-01-01"`) one in the record's copy."""
    seen: dict[object, yaml.ScalarNode] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            kind = _KEY_KINDS.get(key_node.tag)
            if kind is not None:
                # `true:`, `null:`, `007:`, `1.0:` are keys YAML reads as other things (and True, 1 and 1.0 as one
                # key): respelled True, None, 7 or merged, a value lost; so a key must be written as text.
                refused = _Refused(key_node, f"{{at}} reads as {kind} in YAML, not as text")
                refused.is_key = True
                raise refused
            names: tuple[object, ...]
            if key_node.tag == _TIMESTAMP:   # the date (equal as PyYAML reads it) and its text (as _jsonable writes it)
                value = loader.construct_object(key_node)
                names = (value, value.isoformat())
            else:
                tag = _STR if key_node.tag == _VALUE else key_node.tag   # flatten_mapping makes '=' text
                names = (key_node.value,) if tag == _STR else ((tag, key_node.value),)
            for name in names:
                first = seen.setdefault(name, key_node)
                if first is not key_node:
                    raise _duplicate(loader, first, key_node)


def _duplicate(loader: Any, first: yaml.ScalarNode, again: yaml.ScalarNode, *, merged: bool = False) -> _Refused:
    """The refusal of key `again`, one key with `first` once read; said with both spellings when they differ."""
    line = first.start_mark.line + 1
    if _TIMESTAMP not in (first.tag, again.tag) or first.value == again.value and first.tag == again.tag:
        return _Refused(again, f"duplicate key '{again.value}' (first given on line {line}): YAML keys must be "
                               "unique", quote=False)
    value = loader.construct_object(first if first.tag == _TIMESTAMP else again)
    what = "date-time" if isinstance(value, dt.datetime) else "date"
    both = (f"both read as the {what} {value.isoformat()}" if first.tag == again.tag else
            f"a {what} and a text, both '{value.isoformat()}' in the record's copy")
    if merged:
        return _Refused(again, f"the key '{again.value}' overrides the key '{first.value}' merged in from line {line}"
                               f" ({both}), whose spelling YAML would keep", quote=False, fix="spell them alike")
    return _Refused(again, f"duplicate key '{again.value}' (first given on line {line} as '{first.value}'; {both}): "
                           "YAML keys must be unique", quote=False)


def _check_merged(loader: Any, node: yaml.MappingNode) -> None:
    """Refuse date keys of one instant among a mapping's pairs once a merge key's joined them (flatten_mapping),
    though spelled differently: PyYAML keeps the first one's spelling with the last one's value."""
    seen: dict[object, yaml.ScalarNode] = {}
    for key_node, _ in node.value:
        if key_node.tag == _TIMESTAMP and isinstance(key_node, yaml.ScalarNode):
            value = loader.construct_object(key_node)
            first = seen.setdefault(value, key_node)
            if first is not key_node and loader.construct_object(first).isoformat() != value.isoformat():
                raise _duplicate(loader, first, key_node, merged=True)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader refusing a mapping key given twice, or written as something other than text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()
        self.source = stream   # (for the places _check_flow and _check_empties find)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Check the mapping's own keys once (before a merge key's pairs join them, which they may override)."""
        if id(node) not in self._checked:
            self._checked.add(id(node))
            _check_unique(self, node)
        merges = any(key_node.tag == _MERGE for key_node, _ in node.value)
        super().flatten_mapping(node)
        if merges:
            _check_merged(self, node)


def load_unique_keys(text: str, path: Path | str) -> Any:
    """YAML `text` read safely, every mapping's keys unique and text: else an InputError naming `path`, the
    line and the key (the settings file's loader; sidecars use the stricter one below)."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader
    except _Refused as exc:
        raise exc.error(path) from None


def _check_flow(node: yaml.CollectionNode, source: str) -> None:
    """Refuse (_Unportable) among the flow mapping's own keys (of `source`) a plain key whose ':' comes right before
    , [ ] { } (PyYAML's own reading: libyaml refuses it). (A plain scalar holding a '?' in [ ] or { }, `[why?]`,
    `[https://example.org/?q=1]`, is libyaml's to read: PyYAML's own refuses it, so the two never give different
    archives, and it is taken where libyaml reads the sidecar, as it always was.)"""
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if type(key) is _SCALAR_NODE and not key.style:   # plain: None, or libyaml's ""
                at = key.end_mark.index
                while source[at:at + 1] in _BLANKS:   # (libyaml's plain value goes on over them)
                    at += 1
                if source[at:at + 1] == ":" and source[at + 1:at + 2] in _FLOW_INDICATORS:
                    raise _colon(source, at)


def _check_empty(node: yaml.ScalarNode, source: str) -> None:
    """Refuse (_Unportable) an empty scalar of `source` tagged '!' alone (libyaml reads text, PyYAML's own null), or
    by a tag running into , [ ] { } (libyaml ends it there; PyYAML's own takes them into it and knows no such tag)."""
    at = node.start_mark.index
    if source.startswith("&", at):   # an anchor before the tag
        at = _after_word(source, at)
        while source[at:at + 1] == " ":
            at += 1
    if not source.startswith("!", at):
        return
    tag = source[at:_after_word(source, at)]
    if tag in ("!", "!<!>") or not tag.startswith("!<") and re.search(_FLOW_INDICATOR, tag):
        alone = tag in ("!", "!<!>")
        raise _Unportable(source, at, f"the tag '{tag[:SHOWN_VALUE]}', which YAML readers take differently" + (
                          " (on an empty value, libyaml reads text, PyYAML's own null)" if alone else
                          " (in [ ] or { }, libyaml ends it at the , [ ] { } that PyYAML's own takes into it)"),
                          "remove it (to keep a value as text, quote it)" if alone else "put a space after the tag")


def _has_tag(source: str) -> bool:
    """Whether a '!' in `source` may start a tag (comes first, or after a space, a line break or , [ ] { } ? :)."""
    at = source.find("!")
    while at >= 0:
        if at == 0 or source[at - 1] in _BEFORE_TAG:
            return True
        at = source.find("!", at + 1)
    return False


def _check_empties(node: yaml.Node, source: str) -> None:
    """_check_empty on every empty scalar under `node`, in the order of the text."""
    stack, seen = [node], set()
    while stack:
        below = stack.pop()
        if isinstance(below, yaml.ScalarNode):
            if not below.value:
                _check_empty(below, source)
        elif id(below) not in seen:
            seen.add(id(below))
            stack.extend(reversed(below.value) if isinstance(below, yaml.SequenceNode) else
                         [item for pair in reversed(below.value) for item in reversed(pair)])


def _after_word(source: str, at: int) -> int:
    """Where the run of characters from `at` to the next space or line break (or the end) ends."""
    found = re.compile(r"[ \t\r\n\x85\u2028\u2029]").search(source, at)
    return len(source) if found is None else found.start()


class _Loader(_UniqueKeyLoader):
    """The safe loader with checked numbers, booleans and dates, and unique keys; both paths use it."""

    def construct_document(self, node: yaml.Node) -> Any:
        """SafeConstructor's, once every flow collection (_check_flow) is checked, in the order _quick_value checks
        them, and then every empty scalar if the text may hold a tag (_check_empties), as _quick_load does."""
        stack, seen = [node], set()
        while stack:
            below = stack.pop()
            if isinstance(below, yaml.CollectionNode) and id(below) not in seen:
                seen.add(id(below))
                if below.flow_style:
                    _check_flow(below, self.source)
                stack.extend(reversed(below.value) if isinstance(below, yaml.SequenceNode) else
                             [item for pair in reversed(below.value) for item in reversed(pair)])
        if "!" in self.source and _has_tag(self.source):
            _check_empties(node, self.source)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """SafeConstructor's, with a refused scalar told which key it is or belongs to."""
        try:
            return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]
        except _Refused as exc:
            if exc.key is None and not exc.is_key:
                for key_node, value_node in node.value:
                    if key_node is exc.node:
                        exc.is_key = True
                    elif value_node is exc.node and isinstance(key_node, yaml.ScalarNode):
                        exc.key = str(key_node.value)
            raise


for _name, _construct in (("int", _construct_int), ("float", _construct_float), ("bool", _construct_bool),
                          ("timestamp", _construct_timestamp)):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_name}", _construct)


_QUICK_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))
# SafeLoader's implicit resolvers by first character (plus any wildcard ones), as Resolver.resolve tries them.
_WILDCARD = tuple(_SafeLoader.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS = {first: tuple(resolvers) + _WILDCARD
              for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items() if first is not None}


_SCALAR_NODE = yaml.ScalarNode


class _Unusual(Exception):
    """The document needs PyYAML's whole constructor (aliases, merge keys, other tags, limits reached)."""


class _QuickLoader(_Loader):
    """_Loader with Resolver.resolve as one table lookup; SafeLoader has no path resolvers."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _RESOLVERS.get(value[:1], _WILDCARD):  # type: ignore[index]
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        """Nothing to track: path resolvers are the only users of the path."""

    def ascend_resolver(self) -> None:
        """Nothing to track: path resolvers are the only users of the path."""


def _quick_load(source: str) -> dict[str, Any] | None:
    """The JSON-ready mapping of a plain sidecar, as yaml.load then _jsonable give it; None if unusual."""
    loader = _QuickLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            return None
        values = [1]
        try:
            mapping: dict[str, Any] = _quick_value(loader, node, 0, values, set())
        except _Unusual:
            return None
        if "!" in source and _has_tag(source):
            _check_empties(node, source)
        return mapping if values[0] <= MAX_VALUES else None
    finally:
        loader.dispose()


def _quick_value(loader: Any, node: yaml.Node, depth: int, values: list[int], seen: set[int]) -> Any:
    """The JSON-ready value of `node`, counting values into `values`; _Unusual when PyYAML must decide."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            if len(node.value) > MAX_STRING:
                raise _Unusual
            return node.value
        if tag not in _QUICK_SCALAR_TAGS:
            raise _Unusual
        try:  # _Loader's checked ints, floats, bools and dates; any refusal is worded by the whole loader
            value = loader.yaml_constructors[tag](loader, node)
        except Exception as exc:
            raise _Unusual from exc
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    if id(node) in seen or depth >= MAX_DEPTH:  # an alias (maybe recursive), or nesting near the limit
        raise _Unusual
    seen.add(id(node))
    values[0] += len(node.value)
    # Text scalars, most values, are taken here as _quick_value would take them, without a call each.
    if tag == _MAP and isinstance(node, yaml.MappingNode):
        if node.flow_style:
            _check_flow(node, loader.source)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR or not isinstance(key_node, yaml.ScalarNode):
                raise _Unusual
            if value_node.tag == _STR and type(value_node) is _SCALAR_NODE and len(value_node.value) <= MAX_STRING:
                mapping[key_node.value] = value_node.value
            else:
                mapping[key_node.value] = _quick_value(loader, value_node, depth + 1, values, seen)
        if len(mapping) != len(node.value):   # a key given twice: refused by the whole loader
            raise _Unusual
        return mapping
    if tag == _SEQ and isinstance(node, yaml.SequenceNode):
        return [item.value if item.tag == _STR and type(item) is _SCALAR_NODE and len(item.value) <= MAX_STRING
                else _quick_value(loader, item, depth + 1, values, seen) for item in node.value]
    raise _Unusual


# Where a value sits, built only for an error message: None at the top, else (parent, key or index).
_Where = tuple[Any, "str | int"] | None


def _where(where: _Where) -> str:
    """'a.b[2]' for the chain (((None, 'a'), 'b'), 2); '' for None."""
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}[{key}]" if isinstance(key, int) else f"{text}.{key}" if text else key
    return text


def _jsonable(value: Any, path: Path | str, where: _Where, budget: list[int], depth: int, active: set[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(path, f"more than {MAX_VALUES} values (YAML aliases can multiply them)",
                         fix="simplify the sidecar")
    if depth > MAX_DEPTH:
        raise InputError(path, f"nested deeper than {MAX_DEPTH} levels at {_where(where) or 'top'}", fix="flatten it")
    if isinstance(value, str):   # most values: tested first
        if len(value) > MAX_STRING:
            raise InputError(path, f"value of {_where(where)} is longer than {MAX_STRING} characters",
                             fix="shorten it")
        return value
    if isinstance(value, (dict, list, set)):
        if id(value) in active:
            raise InputError(path, f"recursive YAML alias at {_where(where) or 'top'}",
                             fix="remove the self-reference")
        active = active | {id(value)}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, (dt.date, dt.datetime)):
                name = key.isoformat()
            elif isinstance(key, str):
                name = key
            else:
                # YAML reads `true:`, `null:`, `007:` and `1.0:` as other things, and True, 1 and 1.0 as one
                # key: a value would be lost or its key respelled (True, None, 7), so it must be written as text.
                raise InputError(path, f"a key in {_where(where) or 'the top level'} reads as {_kind(key)} in "
                                 f"YAML ({key!r}), not as text", fix="quote the key: write it as text")
            if name in out:   # a date key and a quoted one spelled as its ISO 8601 text
                raise InputError(path, f"duplicate key '{name}' in {_where(where) or 'the top level'}",
                                 fix="keep one of them")
            out[name] = _jsonable(item, path, (where, name), budget, depth + 1, active)
        return out
    if isinstance(value, list):
        return [_jsonable(item, path, (where, n), budget, depth + 1, active) for n, item in enumerate(value)]
    if isinstance(value, set):   # never in the set's order, which is the hash seed's: the members' (text, date,
        # bytes: two of a type are never one text) to check them in, the JSON text of each to write them in
        items = sorted(value, key=lambda item: (type(item).__name__, str(item)))
        members = [_jsonable(item, path, (where, n), budget, depth + 1, active) for n, item in enumerate(items)]
        return sorted(members, key=_member_order)
    if isinstance(value, (bool, int, float)) or value is None:   # finite floats only: _Loader refuses the rest
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise InputError(path, f"value of {_where(where)} has a type JSON cannot hold ({type(value).__name__})",
                     fix="write it as text")


def _member_order(member: object) -> tuple[int, str]:
    """Where a set's JSON-ready member goes: texts (all a set holds: its members are keys) in their order, before
    any other value in its JSON text's (one for each value, keys sorted): a total order."""
    if isinstance(member, str):
        return 0, member
    return 1, json.dumps(member, ensure_ascii=False, sort_keys=True)


def _kind(value: object) -> str:
    """What YAML made of a plain scalar, in words."""
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    return "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"


def _check_known(sidecar: dict[str, Any], path: Path | str, source: str) -> None:
    """An InputError naming the first known key whose value provpack cannot take, with the line and column
    of that value in `source` (the sidecar's text) when a top-level key gives it."""
    def refuse(key: str, problem: str, fix: str) -> InputError:
        line, column = _position(source, key)
        return InputError(path, problem, line=line, column=column, fix=fix)

    texts: list[str] = []
    for key in KNOWN_TEXT_KEYS:
        value = sidecar.get(key)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, (bool, float)):   # an int is kept: _Loader let it through only as written (1984)
            spelled = str(value).lower() if isinstance(value, bool) else repr(value)
            what = spelled if isinstance(value, bool) else f"the number {spelled}"
            raise refuse(key, f"'{key}: {spelled}' reads as {what} in YAML, not as text",
                         fix=f"quote it: {key}: \"{spelled}\"")
        elif value is not None and not isinstance(value, int):
            raise refuse(key, f"'{key}' must be text, not a {type(value).__name__}",
                         fix=f"write one text instead: {key}: \"...\"")
    author = sidecar.get("author")
    if author is not None and not (isinstance(author, str) or
                                   (isinstance(author, list) and all(isinstance(a, str) for a in author))):
        raise refuse("author", "'author' must be text or a list of texts", fix="write 'author: Name'")
    for key in ("url", "source_url"):
        value = sidecar.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not _URI.fullmatch(value):
            raise refuse(key, f"'{key}' is not an absolute URI without spaces: {str(value)[:80]!r}",
                         fix="give the full address, e.g. https://example.org/post")
        if key == "source_url" and not value.lower().startswith(("http://", "https://")):
            raise refuse(key, "'source_url' must be an http or https address", fix="give the article's web address")
        try:   # its URI form goes into WARC headers and provenance ids, so it must have one (iri.py)
            as_uri(value)
        except ValueError as exc:
            raise refuse(key, f"'{key}': {exc}", fix="check the address") from exc
        if "@" in value:
            from .httpbytes import has_credentials
            if has_credentials(value):   # (the value is not repeated: it holds a password)
                fetched = " (and sent, fetched, as an Authorization header)" if key == "source_url" else ""
                raise refuse(key, f"'{key}' holds a user name or password (user:password@host): archives are "
                             f"meant to be published, and it would be recorded in them{fetched}",
                             fix="remove the user:password@ part" + (
                                 "; for a page behind a login, save it and name the copy with `original:`"
                                 if key == "source_url" else ""))
    if not _CONTROL.search("".join(texts)):  # one scan for all; the loop names the first such key
        return
    for key, value in sidecar.items():
        if isinstance(value, str) and key in KNOWN_TEXT_KEYS and _CONTROL.search(value):
            raise refuse(key, f"'{key}' holds control characters", fix="remove them")


def misspelt_keys(sidecar: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(key, the known keys it is written like) for each top-level key of the sidecar that is not a known key but
    is written like one (typos.near_names: `soruce_url`, `Title`, `source-url`): kept as any key of one's own,
    in the record's copy of the sidecar only, it is worth a warning, not a refusal."""
    if sidecar.keys() <= _KNOWN_OR_OWN:   # (the usual sidecar: one set operation)
        return ()
    return tuple((key, near) for key in sidecar if key not in _KNOWN_OR_OWN for near in (_near_known(key),) if near)


@functools.lru_cache(maxsize=1024)
def _near_known(key: str) -> tuple[str, ...]:
    """near_names(key, KNOWN_KEYS), kept (the same keys of one's own come in sidecar after sidecar); of a known key
    of fewer than SHORT_KEY letters (url, title, notes), only the same but for letter case, '-' and '_', or with two
    neighbours swapped (`ulr`, `titel`): one edit from a word that short is often a word of its own (`uri`, `purl`,
    `noted`, `votes`)."""
    folded_key = folded(key)
    return tuple(name for name in near_names(key, KNOWN_KEYS)
                 if len(folded(name)) >= SHORT_KEY or folded(name) == folded_key or swapped(folded_key, folded(name)))


def misspelt_warning(key: str, near: tuple[str, ...]) -> str:
    """What package says of a sidecar's `key` that misspelt_keys found near the known keys `near`."""
    meant = " or ".join(f"'{name}'" for name in near)
    fix = f"rename it {near[0]}" if len(near) == 1 else "rename it to the key meant"
    return (f"key '{key}' is not one provpack reads, so it is kept only in the record's copy of the sidecar "
            f"(not as a field); a typo of {meant}? If so, {fix}")


def _position(source: str, key: str) -> tuple[int | None, int | None]:
    """The line and column (from 1) where the value of top-level `key` starts in the YAML `source`, given there
    or by a merge key (<<, flattened as PyYAML flattens it: of the pairs then, the last of a key is the one
    loaded); (None, None) if none is. Composed again only for an error message."""
    loader = _SafeLoader(source)
    try:
        node = loader.get_single_node()
        if isinstance(node, yaml.MappingNode):
            loader.flatten_mapping(node)
            for key_node, value_node in reversed(node.value):
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return value_node.start_mark.line + 1, value_node.start_mark.column + 1
        return None, None
    finally:
        loader.dispose()


def merge(parsed: tuple[ParsedField, ...], sidecar: dict[str, Any] | None, *,
          sidecar_name: str | None = None) -> Metadata:
    """Fields from the text, overridden by the sidecar's; each says where it came from."""
    fields: dict[str, FieldValue] = {f.name: FieldValue(f.value, "text", f.span) for f in parsed}
    for key in FIELD_KEYS:
        if sidecar is None or sidecar.get(key) is None:
            continue
        value = sidecar[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        previous = fields.get(key)
        overridden = previous.value if previous is not None and previous.value != value else None
        fields[key] = FieldValue(value, "sidecar", None, overridden=overridden)
    return Metadata(fields=dict(sorted(fields.items())), sidecar=sidecar, sidecar_name=sidecar_name)
