"""Check what a provenance record says of its alignment with an original against the archive.

docs/format.md, "The provenance JSON", says what alignment with an original writes: `original`
(the records of the original), each elision's `omitted` passage, the segments' `source_start`
and `source_end`, `differences`, `out_of_order`. Two halves:

* `alignment_messages(doc, text)`: what the record's own JSON and its excerpt's text can tell
  (provcheck.derived calls it with the other rules of the record): the alignment keys are
  absent (or null, or empty) without an aligned original, and with one, of the shape alignment
  writes and consistent with each other and with the excerpt;
* `OriginTracker`: pairs each provenance record that names an original with the records it
  names (the source `resource` or `response`, the final `request`, the `conversion`), in
  either order, and checks the record against them: their types and targets, the digests and
  lengths of the source block and of the extracted text, every offset into that text, and what
  each marker cut by alignment's rules wherever the record tells them (cutcheck, imported when the
  first record aligned with an original comes; the words of the excerpt's pieces read when the
  provenance record comes, from the excerpt provcheck holds). Alignment's rules (what each marker cut, the
  reasons, in_order) are this version's aligner's, applied to records provpack 0.4.0 or later wrote
  (`other_rules`), and to records that name no generator (a deleted one must not earn laxer rules); a record an
  earlier provpack or another writer wrote gets the other checks, and a note counts it. One rule is a
  provpack 0.6.0 one (`_once`): markers with no word between them cut one passage, not one each.

It does not align again: what it checks is what the archive alone can tell. Imports nothing of
the writer (like provcheck, of which it is a part). Under `verify --deep` it is given a `realign`
function (provcheck.deep_realign, which imports the aligner), and a provenance record is aligned again
with the conversion text, each alignment key compared;
and a `reextract` function (provcheck.deep_reextract, which imports the extractor): the text is
extracted again from the original's source record and compared with the conversion's.

Memory: a provenance record waiting for records of its original keeps its alignment lists
(and its pieces: a few numbers each) until they come (as provcheck keeps a record waiting for
its resource); of the records that came, the facts of the last KEEP_RECORDS conversion, request
and response records are kept (record id, type, target, WARC-Refers-To, sha256, length), with
the texts of the conversion records among them (and under --deep the blocks of the responses a
provenance record waited for) up to KEEP_BUDGET bytes in all, the oldest let go first; under
--deep, what extracting each of the last KEEP_RECORDS sources again gave (a message, a scope and
a charset). The resource records are provcheck's (`held`). An archive without originals keeps
nothing here.

Order: package writes an excerpt before its provenance record, a source before its conversion. A
provenance record that comes before its excerpt waits for it too (the `excerpt` entry of `pending`, its
JSON kept): the pieces' words are read when it comes. Its conversion, if it comes first, is held (with
its text) until then, and checked then; under --deep, the same while the source it is extracted from
has not come. The texts so held take up to HOLD_BUDGET bytes; one that does not fit is checked at once
without them, a problem after a warcinfo of provpack's (`by_provpack`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Container, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from . import problems as kinds
from ._version import __version__
from .problems import Problem

if TYPE_CHECKING:
    from . import cutcheck
    from .provcheck import Deferred, ResourceFacts   # (provcheck imports this module)

QUOTE_CONTEXT = 32  # characters of text in a TextQuoteSelector's prefix and suffix (as the writer's)
KEEP_RECORDS = 10_000  # conversion, request and response records remembered for provenance records to come
KEEP_BUDGET = 32 << 20  # total bytes of conversion texts kept at once
HOLD_BUDGET = 32 << 20  # and held for provenance records that wait for their excerpt or source (see _postpone)
MAX_MESSAGES = 10
SHOWN = 100  # characters of a text shown in a message
ORIGIN_TYPES = frozenset({b"conversion", b"request", b"response"})   # the record types noted here (not resource)
STATUS_PEEK = 1024   # bytes of a response block read for its status line (response_status)
CHECKED = "provpack alignments with an original checked against its records"
CHECKED_PART = "provpack alignments with an original checked without the extracted text (over 16 MiB)"
REALIGNED = "--deep: provpack alignments with an original aligned again and compared"
NOT_REALIGNED = ("--deep: provpack alignments with an original not aligned again (the excerpt or the extracted"
                 " text not at hand, or another version wrote them)")
REEXTRACTED = "--deep: provpack conversions of an original extracted again from its source record and compared"
NOT_REEXTRACTED = ("--deep: provpack conversions of an original not extracted again (the source record's block or"
                   " the extracted text not at hand, or another version wrote them)")
WRITER = f"provpack {__version__}"   # the generator of the records --deep compares with what this version writes
SHOWN_DIFFERENCE = 40   # characters shown from where an extracted text first differs
# The rules of alignment verify applies (cutcheck's, in_order's) are those of the aligner of provpack 0.4.0 and
# later: a segment's span covers all its pieces, in_order judges whole segments, the reasons changed. A record
# another writer wrote gets the checks that are the same under every aligner, and is counted.
RULES_SINCE = (0, 4, 0)
OLDER_RULES = ("provpack alignments with an original written before 0.4.0: checked without alignment's rules, which"
               " changed in 0.4.0 (what each marker cut, its omitted_reason and omitted_scope, in_order)")
OTHER_RULES = ("alignments with an original whose generator is not provpack (another writer): checked"
               " without provpack's rules of alignment (what each marker cut, its omitted_reason and omitted_scope,"
               " in_order)")
# Since provpack 0.6.0, markers with no word between them cut one passage, the first one's (docs/format.md); an
# earlier provpack gave each of them the passage. A record that names no generator gets the newer rule.
ONCE_SINCE = (0, 6, 0)
# A generator "provpack X.Y[.Z]" and a suffix (`.dev3`, `+local`, `rc1`): `(?:[.+-]?[0-9A-Za-z]+)*`, letters, digits
# and `.`, `+`, `-`, each of those before a letter or digit. Written so, a group's repeat, re tried each split of the
# letters of a hostile record's "provpack 0.6.0aaa...!" (22 letters: 0.66 s, each more doubling it: 40, two days).
# The suffix is one class and a look-ahead, after the longest version (a shorter one leaves digits, and dots before
# them, to a suffix that fails as the rest does: the same versions).
_GENERATOR = re.compile(r"provpack (\d+)\.(\d+)(?:\.(\d+))?")
_SUFFIX = re.compile(r"(?![.+\-0-9A-Za-z]*?[.+-](?![0-9A-Za-z]))[.+\-0-9A-Za-z]*")
# A conversion's WARC-Target-URI is its source's (WARC 1.1), but since 0.6.0 the conversion of a source whose target is
# a content URN has the URN of its own text (a content URN names its record's bytes: under the source's, pywb's
# `wb-manager add` replayed the text for the original). Records of an earlier provpack are held to the copy.
OWN_URN_SINCE = (0, 6, 0)
_CONTENT_URN = re.compile(r"urn:provpack:sha256:[0-9a-f]{64}")

# Under --deep: (provenance JSON, excerpt block, conversion text) -> disagreements, or None when not comparable.
Realign = Callable[[dict[str, Any], bytes, str], "list[str] | None"]
# Under --deep: (original.how, source block, original.content_type, original.content_encoding) -> the text, scope
# and charset provpack extracts from the source, or why it extracts none.
Reextract = Callable[[str, bytes, object, object], "tuple[str, str, Any] | str"]

_SEGMENT_KEYS = frozenset(("source_start", "source_end", "in_order"))
_ELISION_KEYS = frozenset(("omitted_reason", "omitted_scope", "confirmed"))
_SCOPES = ("between", "paragraph-end", "paragraph-start")
_DIFFERENCE_KINDS = ("changed", "added", "dropped", "case")
_POSITION, _QUOTE = "oa:TextPositionSelector", "oa:TextQuoteSelector"
_NO_TEXT_NULLS = ("conversion_record_id", "text_sha256", "length_chars", "scope", "charset")


class Record(NamedTuple):
    """A record an original may be made of, as read."""

    kind: str  # its WARC-Type: resource, response, request or conversion
    record_id: str
    target: str | None
    refers: str | None  # its WARC-Refers-To
    sha256_hex: str | None  # of its block; None when not computed
    length: int
    block: bytes | None  # a conversion's, when kept; else None
    status: int | None = None  # a response's: the status code in its block's status line (response_status)


def response_status(head: bytes) -> int | None:
    """The status code of the HTTP status line a response block starts with (`head`: its first STATUS_PEEK bytes),
    read as http.client reads it, which gave package the status it wrote: `HTTP/...`, white space, three digits
    (100 to 999); None when the block starts with no such line."""
    line = head.split(b"\n", 1)[0]
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        return None
    code = parts[1]
    if len(code) != 3 or not code.isdigit() or code < b"100" or (len(parts) == 2 and len(line) >= STATUS_PEEK):
        return None   # (the last: the line runs on past what was read, the code perhaps with it)
    return int(code)


# A provenance record waiting for a record of its original: (offset, record id, field of `original`
# naming it, the type that record must have, the record's alignment keys).
Want = tuple[int | None, str | None, str, str, dict[str, Any]]


def provpack_version(generator: object) -> tuple[int, int, int] | None:
    """(X, Y, Z) of a `generator` "provpack X.Y.Z" (a missing Z is 0; a suffix such as .dev3 or +local is
    not compared); None for any other generator, or none (a list or object from a hostile record too)."""
    return _version_of(generator) if type(generator) is str else None


@functools.lru_cache(maxsize=16)
def _version_of(generator: str) -> tuple[int, int, int] | None:
    found = _GENERATOR.match(generator)
    if found is None or _SUFFIX.fullmatch(generator, found.end()) is None:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


@functools.lru_cache(maxsize=16)
def _other_rules(generator: object) -> str | None:
    """None when a record of this `generator` follows the rules of alignment verify applies (provpack 0.4.0 or
    later, or none given: the newest rules, as provcheck's markers; a deleted generator must not earn older,
    laxer ones); else the note that counts it: OLDER_RULES (an earlier provpack) or OTHER_RULES (a string that
    names no provpack)."""
    if generator is None:
        return None
    version = provpack_version(generator)
    if version is None:
        return OTHER_RULES
    return None if version >= RULES_SINCE else OLDER_RULES


@functools.lru_cache(maxsize=16)
def _once(generator: object) -> bool:
    """Whether a record of this `generator` (one following alignment's rules: see _other_rules) gives each passage
    once, to the first of the markers with no word between them (provpack 0.6.0 and later, or none given)."""
    version = provpack_version(generator)
    return version is None or version >= ONCE_SINCE


@functools.lru_cache(maxsize=16)
def _ellipsis_before(generator: object) -> bool:
    """Whether a record of this `generator` (one that follows the rules of alignment verify applies) was written
    by a provpack before cutcheck.ELLIPSIS_SINCE, whose aligner knew fewer forms of the original's own ellipsis."""
    version = provpack_version(generator)
    return version is not None and version < cutcheck.ELLIPSIS_SINCE


def other_rules(doc: dict[str, Any]) -> str | None:
    """None when the record `doc` follows the rules of alignment verify applies; else the note counting it."""
    generator = doc.get("generator")
    return _other_rules(generator if type(generator) is str else None)   # (one that is no text: as none)


def _rules() -> None:
    """Import cutcheck, alignment's rules, the first time they are needed: a verify run that meets no record
    aligned with an original does without them (4.5M instructions)."""
    global cutcheck
    if "cutcheck" not in globals():
        from . import cutcheck


def _show(value: object) -> str:
    """repr() of a value, a long text cut short."""
    if isinstance(value, str) and len(value) > SHOWN:
        return repr(value[:SHOWN]) + f" (... {len(value)} characters)"
    return repr(value)


def _int(value: object) -> TypeGuard[int]:
    return type(value) is int


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_MESSAGES:
        return messages
    return messages[: MAX_MESSAGES - 1] + [f"... and {len(messages) - MAX_MESSAGES + 1} more disagreements"]


def _bare(target: str | None) -> str | None:
    """A WARC-Target-URI without the angle brackets WARC 1.0 put around it."""
    if target is not None and target.startswith("<") and target.endswith(">"):
        return target[1:-1]
    return target


# -- what the record and its excerpt tell -------------------------------------------------------


def aligned(original: object) -> TypeGuard[dict[str, Any]]:
    """True when `original` says the excerpt was aligned with its text (an object without `no_text`)."""
    return type(original) is dict and "no_text" not in original


def alignment_messages(doc: dict[str, Any], text: str) -> list[str]:
    """Disagreements of the alignment keys with each other and with the excerpt's `text` (see the module)."""
    original = doc.get("original")
    if original is None and doc.get("differences") == [] and "out_of_order" not in doc:
        # The usual case, checked in one pass before anything else (plain loops: the cheapest in CPython).
        try:
            for segment in doc.get("segments", ()):
                if "source_start" in segment or "source_end" in segment or "in_order" in segment:
                    break
            else:
                for elision in doc.get("elisions", ()):
                    if (elision["omitted"] is not None or "omitted_reason" in elision or "omitted_scope" in elision
                            or "confirmed" in elision):
                        break
                else:
                    return []
        except (TypeError, KeyError):
            pass   # (an entry that is not an object, or an elision without `omitted`: said below)
    try:
        if aligned(original):
            return _aligned_messages(doc, original, text)
        return _unaligned_messages(doc, original)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:  # a shape no rule foresaw
        return [f"the alignment with the original is malformed ({type(exc).__name__}: {exc})"]


def _unaligned_messages(doc: dict[str, Any], original: object) -> list[str]:
    """Without an aligned original: no alignment keys."""
    segments = doc.get("segments")
    elisions = doc.get("elisions")
    why = "original is null" if original is None else "original.no_text says it has no text"
    out: list[str] = []
    if original is not None and type(original) is not dict:
        out.append(f"original is {_show(original)}, not an object or null")
        why = "there is no original"
    if type(original) is dict:
        out += _original_messages(original, with_text=False)
        for key in _NO_TEXT_NULLS:
            if original.get(key) is not None:
                out.append(f"original.{key} is {_show(original.get(key))}, not null: {why}")
    if type(segments) is list:
        for index, segment in enumerate(segments):
            if type(segment) is dict and not segment.keys().isdisjoint(_SEGMENT_KEYS):
                out.append(f"segments[{index}] has {', '.join(sorted(_SEGMENT_KEYS & segment.keys()))}, but {why}")
    if type(elisions) is list:
        for index, elision in enumerate(elisions):
            if type(elision) is not dict:
                continue
            if elision.get("omitted") is not None:
                out.append(f"elisions[{index}].omitted is {_show(elision.get('omitted'))}, not null: {why}")
            if not elision.keys().isdisjoint(_ELISION_KEYS):
                out.append(f"elisions[{index}] has {', '.join(sorted(_ELISION_KEYS & elision.keys()))}, but {why}")
    differences = doc.get("differences", [])
    if differences != []:
        out.append(f"differences is {_show(differences)}, not []: {why}")
    if "out_of_order" in doc:
        out.append(f"out_of_order is given, but {why}")
    return _capped(out)


def _original_messages(original: dict[str, Any], *, with_text: bool) -> list[str]:
    """The shape of `original`: how it was obtained, the records it names, its digests and lengths."""
    out: list[str] = []
    how = original.get("how")
    strings = ["record_id", "target_uri"] + (["conversion_record_id", "text_sha256"] if with_text else [])
    if how == "local":
        strings.append("sha256")
        if not _int(original.get("length_bytes")) or original["length_bytes"] < 0:
            out.append(f"original.length_bytes {_show(original.get('length_bytes'))} is not a count of bytes")
    elif how == "fetched":
        strings.append("request_record_id")
        exchanges = original.get("exchanges")
        status = original.get("status")
        if with_text and _int(status) and 400 <= status <= 599:
            out.append(f"original.status {status} is an error answer (400 to 599), which package archives with no"
                       " conversion (original.no_text says why), but the original is aligned with one")
        last = exchanges[-1] if type(exchanges) is list and exchanges else None
        if type(last) is not dict:
            out.append(f"original.exchanges {_show(exchanges)} is not a list of exchanges")
        else:
            for key, field in (("response_record_id", "record_id"), ("request_record_id", "request_record_id")):
                if last.get(key) != original.get(field):
                    out.append(f"original.exchanges[-1].{key} {_show(last.get(key))} is not original.{field}"
                               f" {_show(original.get(field))}")
    else:
        out.append(f"original.how {_show(how)} is not 'local' or 'fetched'")
    for key in strings:
        if type(original.get(key)) is not str:
            out.append(f"original.{key} {_show(original.get(key))} is missing or not a string")
    if with_text and (not _int(original.get("length_chars")) or original["length_chars"] < 0):
        out.append(f"original.length_chars {_show(original.get('length_chars'))} is not a count of characters")
    return out


def _aligned_messages(doc: dict[str, Any], original: dict[str, Any], text: str) -> list[str]:
    current = other_rules(doc) is None   # (an earlier writer's reasons are not this aligner's)
    if current:
        _rules()
    out = _original_messages(original, with_text=True)
    segments = doc.get("segments")
    segments = segments if type(segments) is list else []
    not_in_order = []
    for index, segment in enumerate(segments):
        if type(segment) is not dict:
            continue
        where = f"segments[{index}]"
        missing = sorted(_SEGMENT_KEYS - segment.keys())
        if missing:
            out.append(f"{where} has no {', '.join(missing)} (an aligned original gives each segment them)")
            continue
        source_start, source_end, in_order = segment["source_start"], segment["source_end"], segment["in_order"]
        if type(in_order) is not bool:
            out.append(f"{where}: in_order {_show(in_order)} is not true or false")
        elif not in_order:
            not_in_order.append(index)
        if source_start is None and source_end is None:
            if in_order is False:
                out.append(f"{where}: in_order is false, but the segment was not found in the original")
        elif not (_int(source_start) and _int(source_end) and 0 <= source_start < source_end):
            out.append(f"{where}: source_start {_show(source_start)} and source_end {_show(source_end)} are not"
                       " both null or a span of characters (start before end)")
    out_of_order = doc.get("out_of_order")
    if type(out_of_order) is not list or not all(
            type(pair) is list and len(pair) == 2 and _int(pair[0]) and _int(pair[1])
            and 0 <= pair[0] <= pair[1] < len(segments) for pair in out_of_order):
        out.append(f"out_of_order {_show(out_of_order)} is not a list of [earlier, later] segment indexes")
    elif sorted({pair[1] for pair in out_of_order}) != not_in_order:
        out.append(f"out_of_order names segments {sorted({pair[1] for pair in out_of_order})} as out of order,"
                   f" but those with in_order false are {not_in_order}")

    elisions = doc.get("elisions")
    for index, elision in enumerate(elisions if type(elisions) is list else []):
        if type(elision) is dict:
            out += _elision_messages(f"elisions[{index}]", elision, original, current)

    differences = doc.get("differences")
    if type(differences) is not list:
        out.append(f"differences {_show(differences)} is not a list")
        differences = []
    for index, difference in enumerate(differences):
        out += _difference_messages(f"differences[{index}]", difference, segments, text)
    return _capped(out)


def _elision_messages(where: str, elision: dict[str, Any], original: dict[str, Any], current: bool) -> list[str]:
    missing = sorted(_ELISION_KEYS - elision.keys())
    if missing:
        return [f"{where} has no {', '.join(missing)} (an aligned original gives each elision them)"]
    out: list[str] = []
    omitted, reason, scope, confirmed = (elision.get("omitted"), elision["omitted_reason"], elision["omitted_scope"],
                                         elision["confirmed"])
    if scope not in _SCOPES:
        out.append(f"{where}: omitted_scope {_show(scope)} is not one of {', '.join(_SCOPES)}")
    if omitted is None:
        if type(reason) is not str:
            out.append(f"{where}: omitted is null, but omitted_reason {_show(reason)} gives no reason")
    elif reason is not None:
        out.append(f"{where}: omitted_reason {_show(reason)}, but a passage is omitted (expected null)")
    kind = elision.get("kind")
    expected: tuple[object, ...] = (None,) if kind != "possible" else (True,) if omitted is not None else (False, None)
    if confirmed not in expected or type(confirmed) not in (bool, type(None)):
        out.append(f"{where}: confirmed {_show(confirmed)}, but a {kind} elision"
                   f"{' with' if omitted is not None else ' without'} an omitted passage has"
                   f" {' or '.join(_show(value).lower().replace('none', 'null') for value in expected)}")
    elif omitted is None and type(reason) is str and current:
        out += _reason_messages(where, kind, reason, confirmed)
    if omitted is None:
        return out
    if type(omitted) is not dict:
        return [*out, f"{where}.omitted {_show(omitted)} is not an object or null"]
    text, start, end = omitted.get("text"), omitted.get("start"), omitted.get("end")
    if not (type(text) is str and _int(start) and _int(end) and 0 <= start <= end):
        return [*out, f"{where}.omitted: text {_show(text)}, start {_show(start)}, end {_show(end)} are not a"
                f" text and its span"]
    if len(text) != end - start or not text or text != text.strip():
        out.append(f"{where}.omitted: text {_show(text)} is not the {end - start} characters {start}-{end},"
                   " trimmed of white space")
    if omitted.get("record_id") != original.get("conversion_record_id"):
        out.append(f"{where}.omitted: record_id {_show(omitted.get('record_id'))} is not original.conversion_record_id"
                   f" {_show(original.get('conversion_record_id'))}")
    source = omitted.get("oa:hasSource")
    source_id = source.get("@id") if type(source) is dict else None
    if source_id != original.get("target_uri"):
        out.append(f"{where}.omitted: oa:hasSource {_show(source)} is not original.target_uri"
                   f" {_show(original.get('target_uri'))}")
    selectors = omitted.get("oa:hasSelector")
    if type(selectors) is not list:
        return [*out, f"{where}.omitted: oa:hasSelector {_show(selectors)} is not a list of selectors"]
    types = [s.get("@type") if type(s) is dict else None for s in selectors]
    if sorted(map(str, types)) != [_POSITION, _QUOTE]:
        return [*out, f"{where}.omitted: oa:hasSelector holds {_show(types)}, not one {_POSITION} and one {_QUOTE}"]
    for selector in selectors:
        if selector["@type"] == _POSITION:
            if (selector.get("oa:start"), selector.get("oa:end")) != (start, end) or not (
                    _int(selector.get("oa:start")) and _int(selector.get("oa:end"))):
                out.append(f"{where}.omitted: TextPositionSelector {_show(selector.get('oa:start'))}-"
                           f"{_show(selector.get('oa:end'))} disagrees with start/end {start}-{end}")
        elif selector.get("oa:exact") != text:
            out.append(f"{where}.omitted: TextQuoteSelector exact {_show(selector.get('oa:exact'))} is not the"
                       f" omitted text {_show(text)}")
    return out


def _reason_messages(where: str, kind: object, reason: str, confirmed: object) -> list[str]:
    """Why a marker omits nothing: one of the reasons alignment gives, and for a possible marker, confirmed
    false exactly when the original has nothing there (or the ellipsis itself)."""
    if not reason.startswith(cutcheck.REASONS):
        return [f"{where}: omitted_reason {_show(reason)} is none of the reasons alignment gives (docs/format.md)"]
    empty = reason.startswith(cutcheck.EMPTY)
    if kind == "possible" and (confirmed is False) != empty:
        return [f"{where}: confirmed {_show(confirmed)}, but alignment gives {'false' if empty else 'null'} with"
                f" omitted_reason {_show(reason)}"]
    if kind == "bracketed" and reason.startswith(cutcheck.ELLIPSIS):
        return [f"{where}: omitted_reason {_show(reason)}, but alignment gives it only to a possible marker"]
    return []


def _difference_messages(where: str, difference: object, segments: list[Any], text: str) -> list[str]:
    if type(difference) is not dict:
        return [f"{where} is not an object"]
    get = difference.get
    kind, segment_index = get("kind"), get("segment")
    start, end, source_start, source_end = get("start"), get("end"), get("source_start"), get("source_end")
    excerpt, source = get("excerpt"), get("source")
    if not (_int(start) and _int(end) and _int(source_start) and _int(source_end) and type(excerpt) is str
            and type(source) is str and 0 <= start <= end <= len(text) and 0 <= source_start <= source_end):
        return [f"{where}: start {_show(start)}, end {_show(end)}, source_start {_show(source_start)},"
                f" source_end {_show(source_end)}, excerpt and source are not spans and their texts"
                f" (the excerpt has {len(text)} characters)"]
    out: list[str] = []
    if kind not in _DIFFERENCE_KINDS:
        out.append(f"{where}: kind {_show(kind)} is not one of {', '.join(_DIFFERENCE_KINDS)}")
    segment = segments[segment_index] if _int(segment_index) and 0 <= segment_index < len(segments) else None
    if type(segment) is not dict:
        out.append(f"{where}: segment {_show(segment_index)} is not the index of a segment")
    elif not (_int(segment.get("start")) and _int(segment.get("end"))
              and segment["start"] <= start <= end <= segment["end"]):
        out.append(f"{where}: characters {start}-{end} are not inside segments[{segment_index}]"
                   f" ({_show(segment.get('start'))}-{_show(segment.get('end'))})")
    if text[start:end] != excerpt:
        out.append(f"{where}: excerpt {_show(excerpt)} but characters {start}-{end} of the excerpt are"
                   f" {_show(text[start:end])}")
    if len(source) != source_end - source_start:
        out.append(f"{where}: source {_show(source)} is not the {source_end - source_start} characters"
                   f" {source_start}-{source_end}")
    empty = {"added": "source", "dropped": "excerpt"}.get(kind) if type(kind) is str else None
    for name, value in (("excerpt", excerpt), ("source", source)):
        if (name == empty) != (value == ""):
            out.append(f"{where}: a {kind} difference with {name} {_show(value)}"
                       f" ({'empty' if name == empty else 'not empty'} in one)")
    return out


# -- what the archive tells ---------------------------------------------------------------------


def conversion_target(doc: dict[str, Any], original: dict[str, Any]) -> tuple[str, bool] | None:
    """When the source's target (`original.target_uri`) is a content URN: the URN of the conversion's own text,
    and whether the source's target will do too: not for provpack 0.6.0 or later (OWN_URN_SINCE), which writes
    the former; only it for an earlier provpack, which wrote the latter (None is returned); either for another
    writer or none (WARC 1.1 says the latter). None when the conversion carries its source's target (or
    text_sha256, said elsewhere, is no text)."""
    target, sha = original.get("target_uri"), original.get("text_sha256")
    if type(target) is not str or not _CONTENT_URN.fullmatch(target) or type(sha) is not str:
        return None
    version = provpack_version(doc.get("generator"))
    if version is not None and version < OWN_URN_SINCE:
        return None
    return f"urn:provpack:sha256:{sha.lower()}", version is None


def _target_messages(field: str, record_id: str, parts: dict[str, Any], record: Record) -> list[str]:
    original, target = parts["original"], _bare(record.target)
    own = parts.get("conversion_target") if field == "conversion_record_id" else None
    if own is not None and target != own[0] and not (own[1] and target == original.get("target_uri")):
        either = " or its source's (as WARC 1.1 says)" if own[1] else " (as provpack writes it since 0.6.0)"
        return [f"original.target_uri {_show(original.get('target_uri'))} is a content URN, so the conversion"
                f" record original.{field} {record_id} names must have the URN of its own text, {own[0]},{either}"
                f" but has WARC-Target-URI {_show(target)}"]
    if own is None and target != original.get("target_uri"):
        return [f"original.target_uri {_show(original.get('target_uri'))} but the record original.{field}"
                f" {record_id} names has WARC-Target-URI {_show(target)}"]
    return []


def record_messages(field: str, kind: str, parts: dict[str, Any], record: Record) -> tuple[list[str], bool]:
    """Disagreements of a provenance record's alignment (`parts`) with the record `original.<field>` names
    (which must be of type `kind`); and False when the conversion's text was not there to check."""
    original = parts["original"]
    record_id = original[field]
    if record.kind != kind:
        return [f"original.{field} {record_id} names a {record.kind} record, not a {kind} record"], True
    out = _target_messages(field, record_id, parts, record)
    if field == "record_id" and kind == "resource":
        sha, length = original.get("sha256"), original.get("length_bytes")
        if record.sha256_hex is not None and (type(sha) is not str or sha.lower() != record.sha256_hex):
            out.append(f"original.sha256 {_show(sha)} but the source record {record_id} block hashes to"
                       f" {record.sha256_hex}")
        if length != record.length:
            out.append(f"original.length_bytes {_show(length)} but the source record {record_id} block has"
                       f" {record.length} bytes")
    if field == "record_id" and kind == "response" and record.status is not None:
        status = original.get("status")
        if type(status) is not int or status != record.status:   # (package wrote the final response's status)
            out.append(f"original.status {_show(status)} but the response record {record_id} has status"
                       f" {record.status} in its status line")
    if kind != "conversion":
        return out, True
    if record.refers != original.get("record_id"):
        out.append(f"original.record_id {_show(original.get('record_id'))} but the conversion record {record_id}"
                   f" has WARC-Refers-To {_show(record.refers)}")
    sha = original.get("text_sha256")
    if record.sha256_hex is not None and (type(sha) is not str or sha.lower() != record.sha256_hex):
        out.append(f"original.text_sha256 {_show(sha)} but the conversion record {record_id} block hashes to"
                   f" {record.sha256_hex}")
    if record.block is None:
        return out, False
    try:
        text = record.block.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [*out, f"the conversion record {record_id} block is not valid UTF-8 at byte {exc.start}"], True
    try:
        out += _text_messages(parts, text, record_id)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:  # (said by alignment_messages)
        out.append(f"the alignment with the original is malformed ({type(exc).__name__}: {exc})")
    return out, True


def _text_messages(parts: dict[str, Any], text: str, record_id: str) -> list[str]:
    """Every offset into the conversion's `text` the alignment gives, checked against it; in_order and what each
    marker cut by alignment's rules only for a record that follows them (parts["rules"] None: other_rules)."""
    current = parts.get("rules") is None
    if current:
        _rules()
    out: list[str] = []
    size = len(text)
    chars = parts["original"].get("length_chars")
    if chars != size:
        out.append(f"original.length_chars {_show(chars)} but the conversion record {record_id} text has"
                   f" {size} characters")
    spans: list[tuple[int, int, int, int] | None] = []   # (start, end, source_start, source_end) of each segment
    previous: tuple[int, int] | None = None   # the source span of the last segment found
    pieces = parts.get("pieces")
    cuts = None if pieces is None else cutcheck.Cuts(pieces, parts["segments"], parts.get("body"), text,
                                                      once=parts["once"],
                                                      ellipsis_before=parts.get("ellipsis_before", False))
    for index, segment in enumerate(parts["segments"]):
        get = segment.get if type(segment) is dict else {}.get
        source_start, source_end = get("source_start"), get("source_end")
        if not (_int(source_start) and _int(source_end) and 0 <= source_start < source_end):
            spans.append(None)
            continue
        where = f"segments[{index}]"
        if source_end > size:
            out.append(f"{where}: source {source_start}-{source_end} is outside the conversion text (0-{size})")
        elif text[source_start].isspace() or text[source_end - 1].isspace():
            out.append(f"{where}: source {source_start}-{source_end} of the conversion text is"
                       f" {_show(text[source_start:source_end])}, which starts or ends with white space")
        in_order = get("in_order") if current else None
        if in_order is True and previous is not None and not cutcheck.follows(previous, (source_start, source_end),
                                                                              text):
            out.append(f"{where}: in_order is true, but its source {source_start}-{source_end} starts before the end"
                       f" ({previous[1]}) of the segment found before it, with words between")
        elif in_order is False:
            out += _out_of_order_messages(where, (source_start, source_end), previous, text)
        previous = (source_start, source_end)
        start, end = get("start"), get("end")
        spans.append((start, end, source_start, source_end) if _int(start) and _int(end) else None)
    for index, elision in enumerate(parts["elisions"]):
        omitted = elision.get("omitted") if type(elision) is dict else None
        if type(omitted) is dict:
            out += _omitted_messages(f"elisions[{index}]", omitted, text)
        if type(elision) is dict:
            out += _cut_messages(f"elisions[{index}]", elision, cuts, text, spans)
    for index, difference in enumerate(parts["differences"]):
        get = difference.get if type(difference) is dict else {}.get
        source_start, source_end, source = get("source_start"), get("source_end"), get("source")
        if not (_int(source_start) and _int(source_end) and 0 <= source_start <= source_end):
            continue   # (said by alignment_messages)
        if source_end > size or text[source_start:source_end] != source:
            out.append(f"differences[{index}]: source {_show(source)} but characters {source_start}-{source_end} of"
                       f" the conversion text are {_show(text[source_start:source_end])}")
    return out


def _out_of_order_messages(where: str, span: tuple[int, int], before: tuple[int, int] | None,
                           text: str) -> list[str]:
    """A segment found says it is not in order: the segment found before it (`before`, its source span; None:
    none) says whether it is (each segment's span covers all its pieces)."""
    if before is None:
        return [f"{where}: in_order is false, but no segment before it was found in the original"]
    if not cutcheck.follows(before, span, text):
        return []
    if span[0] >= before[1]:
        return [f"{where}: in_order is false, but its source {span[0]}-{span[1]} starts at or after the end"
                f" ({before[1]}) of the segment found before it"]
    return [f"{where}: in_order is false, but its source {span[0]}-{span[1]} starts inside the source"
            f" {before[0]}-{before[1]} of the segment found before it with no letter or digit between"]


def _omitted_messages(where: str, omitted: dict[str, Any], text: str) -> list[str]:
    start, end, passage = omitted.get("start"), omitted.get("end"), omitted.get("text")
    if not (_int(start) and _int(end) and 0 <= start <= end and type(passage) is str):
        return []   # (said by alignment_messages)
    where = f"{where}.omitted"
    if end > len(text):
        return [f"{where}: characters {start}-{end} are outside the conversion text (0-{len(text)})"]
    out: list[str] = []
    if text[start:end] != passage:
        out.append(f"{where}: text {_show(passage)} but characters {start}-{end} of the conversion text are"
                   f" {_show(text[start:end])}")
    selectors = omitted.get("oa:hasSelector")
    for selector in selectors if type(selectors) is list else []:
        if type(selector) is not dict or selector.get("@type") != _QUOTE:
            continue
        prefix, suffix = text[max(0, start - QUOTE_CONTEXT):start], text[end:end + QUOTE_CONTEXT]
        if selector.get("oa:prefix") != prefix:
            out.append(f"{where}: TextQuoteSelector prefix {_show(selector.get('oa:prefix'))} is not the"
                       f" {len(prefix)} characters of the conversion text before character {start} ({_show(prefix)})")
        if selector.get("oa:suffix") != suffix:
            out.append(f"{where}: TextQuoteSelector suffix {_show(selector.get('oa:suffix'))} is not the"
                       f" {len(suffix)} characters of the conversion text after character {end} ({_show(suffix)})")
    return out


def _span_of(omitted: dict[str, Any], size: int) -> tuple[int, int] | None:
    """An omitted passage's start and end when it is of the shape written, inside a text of `size` characters."""
    start, end = omitted.get("start"), omitted.get("end")
    if _int(start) and _int(end) and 0 <= start <= end <= size and type(omitted.get("text")) is str:
        return start, end
    return None


_SIDES = {"between": "segments with words lie on both sides of the marker",
          "paragraph-end": "segments with words lie before the marker and none after it",
          "paragraph-start": "no segment with words lies before the marker"}


def _cut_messages(where: str, elision: dict[str, Any], cuts: cutcheck.Cuts | None, text: str,
                  spans: list[tuple[int, int, int, int] | None]) -> list[str]:
    """What a marker cut, by alignment's rules (cutcheck), against what the record says: its scope, its
    passage or none, and the reason for none. Where the record does not tell what the rules need,
    a bracketed cut's passage is only checked to lie between the segments found on either side of it."""
    start, end, kind = elision.get("start"), elision.get("end"), elision.get("kind")
    if not (_int(start) and _int(end)) or kind not in ("bracketed", "possible"):
        return []   # (said by provcheck)
    omitted, reason, scope = elision.get("omitted"), elision.get("omitted_reason"), elision.get("omitted_scope")
    out: list[str] = []
    cut = None
    if cuts is not None:
        marker = elision.get("marker")
        expected, cut = cuts.cut(start, end, kind, marker if type(marker) is str else "")
        if expected is not None and scope in _SCOPES and scope != expected:
            out.append(f"{where}: omitted_scope {_show(scope)}, but {_SIDES[expected]} (expected {expected!r})")
    passage = omitted if type(omitted) is dict else None
    if cut is None:
        if passage is not None and kind == "bracketed":
            out += _between_found(where, elision, passage, text, spans)
        return out
    if cut.passage is not None:
        span = None if passage is None else _span_of(passage, len(text))
        if omitted is None and cut.shared and reason == cutcheck.SHARED:
            pass   # (a marker before it, with no word between them, may omit the passage: not told)
        elif omitted is None:
            out.append(f"{where}: omitted is null (omitted_reason {_show(reason)}), but {cut.why()}")
        elif span is not None and span != cut.passage:
            out.append(f"{where}.omitted: characters {span[0]}-{span[1]}, but the conversion text {cut.stretch()}, white"
                       f" space trimmed, is {cut.trimmed[0]}-{cut.trimmed[1]}")
    elif passage is not None:
        out.append(f"{where}.omitted: a passage is omitted ({scope}), but {cut.why()}")
    elif (omitted is None and type(reason) is str and reason.startswith(cutcheck.REASONS)
          and reason not in cut.reasons):   # (confirmed agrees with the reason: _reason_messages)
        out.append(f"{where}: omitted_reason {_show(reason)}, but {cut.why()}: alignment gives"
                   f" {' or '.join(repr(expected) for expected in cut.reasons)}")   # (whole: a few known lengths)
    return out


def _between_found(where: str, elision: dict[str, Any], omitted: dict[str, Any], text: str,
                   spans: list[tuple[int, int, int, int] | None]) -> list[str]:
    """A bracketed cut's passage is the original's text between the segments found on either side of it
    (to the paragraph's end or from its start at the quote's ends), white space trimmed: checked so far
    where the record does not tell each piece's source (cutcheck)."""
    span = _span_of(omitted, len(text))
    if span is None:
        return []   # (said by _omitted_messages)
    start, end = span
    out: list[str] = []
    where = f"{where}.omitted"
    marker_start, marker_end, scope = elision.get("start"), elision.get("end"), elision.get("omitted_scope")
    if not (_int(marker_start) and _int(marker_end)):
        return out
    before = max((i for i, s in enumerate(spans) if s is not None and s[1] <= marker_start), default=None)
    after = min((i for i, s in enumerate(spans) if s is not None and s[0] >= marker_end), default=None)
    low = spans[before][3] if before is not None and scope != "paragraph-start" else None  # type: ignore[index]
    high = spans[after][2] if after is not None and scope != "paragraph-end" else None  # type: ignore[index]
    if (scope != "paragraph-start" and low is None) or (scope != "paragraph-end" and high is None):
        side = "before" if scope != "paragraph-start" and low is None else "after"
        return [*out, f"{where}: a passage is omitted ({scope}), but no segment {side} the marker was found in"
                f" the original"]
    size = len(text)
    gap_start = min(low, size) if low is not None else start
    gap_end = min((max(low, high) if low is not None else high) if high is not None else end, size)
    while gap_start < gap_end and text[gap_start].isspace():
        gap_start += 1
    while gap_end > gap_start and text[gap_end - 1].isspace():
        gap_end -= 1
    if (gap_start, gap_end) != (start, end):
        out.append(f"{where}: characters {start}-{end}, but the conversion text"
                   + (f" from the end of segments[{before}] ({low})" if low is not None else "")
                   + (f" to the start of segments[{after}] ({high})" if high is not None else "")
                   + f", white space trimmed, is {gap_start}-{gap_end}"
                   + (" up to the passage's end" if high is None else "")
                   + (" from the passage's start" if low is None else ""))
    return out


class OriginTracker:
    """Pairs provenance records that name an original with the original's records, in either order."""

    def __init__(self, counts: Counter[str], held: Callable[[str], ResourceFacts | None], *,
                 realign: Realign | None = None, reextract: Reextract | None = None, segment: bool = False,
                 by_provpack: Callable[[], bool | None] = lambda: None) -> None:
        self.counts = counts
        self._held = held   # the resource records provcheck holds, by record id
        # Whether a warcinfo of provpack's came last (None: not known yet, a segment before its first warcinfo).
        self._by_provpack = by_provpack
        # Conversion records held for provenance records that wait for their excerpt (or, --deep, their source)
        # before checking them (see _postpone): the bytes of their texts, at most HOLD_BUDGET.
        self.postponed_bytes = 0
        self.postponed_peak = 0   # (a segment) the most it held, the last conversion with them
        self.unsure = False   # (a segment) a conversion not held whose problem the first part's warcinfo decides
        self._realign = realign   # --deep: align again (see the module)
        self._reextract = reextract   # --deep: extract the original's text again (see the module)
        # --deep: what extracting a source again gave, by source and conversion (ids, digests) and how it was
        # read: where the conversion's text first differs from it (a message, or None), its scope and charset.
        self._extracted: OrderedDict[tuple[object, ...], tuple[str | None, object, object]] = OrderedDict()
        self._records: OrderedDict[str, Record] = OrderedDict()
        self._kept_bytes = 0
        self.pending: dict[str, list[Want]] = {}   # record id named -> provenance records waiting for it
        self.segment = segment   # the second part of a file read in two: notes the excerpts it did not hold
        self.unheld: list[str] = []   # (a segment's) excerpts not at hand to read the pieces' words and align again
        # The waiting provenance records a problem was found in since the scanner last looked (by record() and
        # finish()): their contexts, which the scanner takes back from the verified or unverified records.
        self.late: list[Deferred] = []

    def provenance(self, offset: int | None, record_id: str | None, doc: dict[str, Any] | None,
                   seen: Container[int], context: Deferred | None = None) -> list[Problem]:
        """A provenance record was read (`doc`: its JSON, None when it is not provenance): problems with the
        records its original names that came before it; it waits for the others, with its `context` (where the
        caller says how the record ended). `seen`: the hashes of the record ids read so far."""
        if doc is None:
            return []
        original = doc.get("original")
        if type(original) is not dict:
            return []
        parts: dict[str, Any] = {"original": original, "segments": _list(doc, "segments"),
                                 "elisions": _list(doc, "elisions"), "differences": _list(doc, "differences"),
                                 "context": context}
        if aligned(original):
            parts["conversion_target"] = conversion_target(doc, original)
            parts["rules"] = rules = other_rules(doc)
            if rules is None:
                _rules()
            excerpt_id = doc.get("record_id")
            excerpt = self._held(excerpt_id) if type(excerpt_id) is str else None
            if excerpt is None and type(excerpt_id) is str and self.segment:
                self.unheld.append(excerpt_id)
            if excerpt is None and type(excerpt_id) is str and hash(excerpt_id.encode("utf-8", "replace")) not in seen:
                # The excerpt comes later (package writes it first): the conversion is checked when it has come.
                parts["due"] = {"excerpt"}
                parts["doc"] = doc
                self.pending.setdefault(excerpt_id, []).append((offset, record_id, "excerpt", "resource", parts))
            block = None if excerpt is None else excerpt.block
            try:
                text = None if block is None else block.decode("utf-8")
            except UnicodeDecodeError:
                text = None   # (said by provcheck)
            body = doc.get("parts")
            parts["body"] = body.get("body") if type(body) is dict else None
            # (what each marker cut: its words read here; not for a record another aligner wrote)
            parts["pieces"] = cutcheck.pieces(doc, text) if rules is None else None
            generator = doc.get("generator")
            parts["once"] = _once(generator if type(generator) is str else None)
            if rules is None:
                parts["ellipsis_before"] = _ellipsis_before(generator if type(generator) is str else None)
            if self._realign is not None or self._reextract is not None:
                parts["doc"] = doc   # (kept while it waits, with its excerpt: --deep only)
                parts["excerpt"] = block
        how = original.get("how")
        names = [("record_id", "resource" if how == "local" else "response")]
        if how == "fetched":
            names.append(("request_record_id", "request"))
        if aligned(original):
            names.append(("conversion_record_id", "conversion"))
        messages: list[str] = []
        for field, kind in names:
            named = original.get(field)
            if type(named) is not str:
                continue   # (said by alignment_messages)
            record = self._find(named)
            if record is not None:
                messages += self._check(field, kind, parts, record)
            elif hash(named.encode("utf-8", "replace")) in seen:
                messages.append(f"original.{field} {named} names an earlier record that is not a {kind} record"
                                f" (or is more than {KEEP_RECORDS} such records back)")
            else:
                self.pending.setdefault(named, []).append((offset, record_id, field, kind, parts))
                if field == "record_id" and aligned(original) and self._extracts(original, doc):
                    # --deep: the source comes later: the conversion, if it comes first, is held until it has come
                    parts.setdefault("due", set()).add(field)
        return [Problem(offset, record_id, kinds.METADATA_MISMATCH, message) for message in _capped(messages)]

    def _extracts(self, original: dict[str, Any], doc: dict[str, Any]) -> bool:
        """--deep: whether the conversion of this `original` is extracted again (see _extract_again)."""
        return (self._reextract is not None and doc.get("generator") == WRITER
                and original.get("how") in ("local", "fetched"))

    def _find(self, record_id: str) -> Record | None:
        record = self._records.get(record_id)
        if record is not None:
            return record
        resource = self._held(record_id)
        if resource is None:
            return None
        return Record("resource", resource.record_id, resource.target, None, resource.sha256_hex, resource.length,
                      None)

    def _check(self, field: str, kind: str, parts: dict[str, Any], record: Record) -> list[str]:
        if field == "conversion_record_id" and record.kind == kind and parts.get("due"):
            late = self._postpone(parts, record)
            if late is None:
                return []
        else:
            late = []
        messages, complete = record_messages(field, kind, parts, record)
        messages = late + messages
        if field == "conversion_record_id" and record.kind == kind:
            self.counts[CHECKED if complete else CHECKED_PART] += 1
            if parts.get("rules") is not None:
                self.counts[parts["rules"]] += 1
            if self._realign is not None:
                messages += self._again(parts, record)
            if self._reextract is not None:
                messages += self._extract_again(parts, record)
        return messages

    def _postpone(self, parts: dict[str, Any], conversion: Record) -> list[str] | None:
        """The conversion came before the excerpt (or, --deep, the source) its provenance record waits for: held
        until that comes (None), its text counted in postponed_bytes; when that would go over HOLD_BUDGET, checked
        now, without it: [], or after a warcinfo of provpack's, which writes them first, the problem that says so."""
        size = 0 if conversion.block is None else len(conversion.block)
        if self.postponed_bytes + size <= HOLD_BUDGET:
            parts["conversion"] = conversion
            self.postponed_bytes += size
            self.postponed_peak = max(self.postponed_peak, self.postponed_bytes)
            return None
        due = parts.pop("due")
        by_provpack = self._by_provpack()
        if by_provpack is None:
            self.unsure = True
        if not by_provpack:
            return []
        named = " and ".join(f"the {'excerpt' if field == 'excerpt' else 'source'} record"
                             f" {parts['doc' if field == 'excerpt' else 'original'].get('record_id')}"
                             for field in sorted(due))
        one = len(due) == 1
        return [f"the conversion record {conversion.record_id} comes before {named}, which {'comes' if one else 'come'}"
                " after this provenance record: package writes an excerpt before its provenance record and a source"
                f" before its conversion; with more than {HOLD_BUDGET:,} bytes of conversion texts held for others"
                f" already, it is checked without {'it' if one else 'them'} (the records were moved)"]

    def room(self, peak: int) -> bool:
        """Whether the conversions a segment held, `peak` bytes at most at once, would have been held by this
        tracker (the first part) too, with what it holds."""
        return not peak or self.postponed_bytes + peak <= HOLD_BUDGET

    def _arrived(self, field: str, parts: dict[str, Any], record: Record) -> list[str]:
        """A record the provenance record (`parts`) waited for before checking its conversion came: the
        excerpt's words read; when nothing else is due, the conversion held (_postpone) checked."""
        due = parts.get("due")
        if not due or field not in due:
            return []
        due.discard(field)
        if field == "excerpt":
            block = record.block if record.kind == "resource" else None
            try:
                text = None if block is None else block.decode("utf-8")
            except UnicodeDecodeError:
                text = block = None   # (said by provcheck)
            if parts.get("rules") is None:
                parts["pieces"] = cutcheck.pieces(parts["doc"], text)
            if self._realign is not None or self._reextract is not None:
                parts["excerpt"] = block
        if due:
            return []
        return self._release(parts)

    def _release(self, parts: dict[str, Any]) -> list[str]:
        """The conversion held for `parts` (if any) checked, and let go."""
        conversion = parts.pop("conversion", None)
        if conversion is None:
            return []
        parts["due"] = None
        self.postponed_bytes -= 0 if conversion.block is None else len(conversion.block)
        return self._check("conversion_record_id", "conversion", parts, conversion)

    def _again(self, parts: dict[str, Any], conversion: Record) -> list[str]:
        """--deep: the alignment compared with aligning the excerpt with the conversion's text again."""
        excerpt, block = parts.get("excerpt"), conversion.block
        found = None
        if self._realign is not None and excerpt is not None and block is not None:
            try:
                found = self._realign(parts["doc"], excerpt, block.decode("utf-8"))
            except UnicodeDecodeError:
                return []   # (said by record_messages)
        self.counts[NOT_REALIGNED if found is None else REALIGNED] += 1
        return found or []

    def _extract_again(self, parts: dict[str, Any], conversion: Record) -> list[str]:
        """--deep: the conversion's text compared with extracting it again from the original's source record
        (a local copy's resource, provcheck's; a fetched one's final response, kept here), for a record this
        version wrote; each extraction once."""
        original, doc, reextract = parts["original"], parts["doc"], self._reextract
        how, source_id = original.get("how"), original.get("record_id")
        source: Record | ResourceFacts | None = None
        if reextract is None or type(source_id) is not str or doc.get("generator") != WRITER:
            pass
        elif how == "local":
            source = self._held(source_id)   # (its block read back from provcheck's ring)
        elif how == "fetched":
            source = self._records.get(source_id)
            source = source if source is not None and source.kind == "response" else None
        if (reextract is None or source is None or conversion.block is None or source.sha256_hex is None
                or conversion.sha256_hex is None):
            self.counts[NOT_REEXTRACTED] += 1
            return []
        key = (source.record_id, source.sha256_hex, conversion.record_id, conversion.sha256_hex, how,
               _show(original.get("content_type")), _show(original.get("content_encoding")))
        found = self._extracted.get(key)
        if found is None:
            if source.block is None:
                self.counts[NOT_REEXTRACTED] += 1
                return []
            try:
                text = conversion.block.decode("utf-8")
            except UnicodeDecodeError:
                self.counts[NOT_REEXTRACTED] += 1
                return []   # (said by record_messages)
            found = self._compare(reextract(str(how), source.block, original.get("content_type"),
                                            original.get("content_encoding")), text, source.record_id,
                                  conversion.record_id)
            while len(self._extracted) >= KEEP_RECORDS:
                self._extracted.popitem(last=False)
            self._extracted[key] = found
        self.counts[REEXTRACTED] += 1
        difference, scope, charset = found
        out = [] if difference is None else [difference]
        for name, value in (("scope", scope), ("charset", charset)):
            if value is not None and original.get(name) != value:
                out.append(f"--deep: original.{name} is {_json(original.get(name))} but extracting the source record"
                           f" {source.record_id} again gives {_json(value)}")
        return out

    @staticmethod
    def _compare(extracted: tuple[str, str, Any] | str, text: str, source: str,
                 conversion: str) -> tuple[str | None, object, object]:
        """Where the conversion's `text` first differs from the text extracted from `source` again (a message, or
        None), and the scope and charset of that extraction (None when there was none)."""
        if isinstance(extracted, str):
            return (f"--deep: provpack extracts no text from the source record {source} again ({extracted}), but"
                    f" the conversion record {conversion} holds one"), None, None
        again, scope, charset = extracted
        at = _first_difference(text, again)
        if at is None:
            return None, scope, charset
        return (f"--deep: the conversion record {conversion} text differs from extracting the source record"
                f" {source} again at character {at}: {_show(text[at:at + SHOWN_DIFFERENCE])} but extracting"
                f" again gives {_show(again[at:at + SHOWN_DIFFERENCE])} (of {len(text)} and {len(again)}"
                " characters)"), scope, charset

    def wants(self, record_id: str | None) -> bool:
        """--deep: True when a provenance record waits for the response `record_id`, whose block is then kept
        (up to the keep limits) to extract its text again."""
        return self._reextract is not None and record_id in self.pending

    def record(self, record: Record) -> list[Problem]:
        """A record an original may be made of was read (a resource only while provenance records wait):
        problems of the provenance records that were waiting for it."""
        if record.kind != "resource":
            self._keep(record)
        waiting = self.pending.pop(record.record_id, None) if self.pending else None
        if waiting is None:
            return []
        found: list[Problem] = []
        for offset, record_id, field, kind, parts in waiting:
            messages = _capped((self._check(field, kind, parts, record) if field != "excerpt" else [])
                               + self._arrived(field, parts, record))
            if messages:
                found += [Problem(offset, record_id, kinds.METADATA_MISMATCH, message) for message in messages]
                self._late(parts)
        return found

    def _late(self, parts: dict[str, Any]) -> None:
        """A problem was found in the waiting provenance record of `parts`: its context told (`late`)."""
        context = parts.get("context")
        if context is not None:
            self.late.append(context)

    def _keep(self, record: Record) -> None:
        records = self._records
        old = records.pop(record.record_id, None)
        if old is not None and old.block is not None:
            self._kept_bytes -= len(old.block)
        size = 0 if record.block is None else len(record.block)
        if size > KEEP_BUDGET:
            record = record._replace(block=None)
            size = 0
        while records and (len(records) >= KEEP_RECORDS or self._kept_bytes + size > KEEP_BUDGET):
            gone = records.popitem(last=False)[1]
            if gone.block is not None:
                self._kept_bytes -= len(gone.block)
        records[record.record_id] = record
        self._kept_bytes += size

    def finish(self) -> list[Problem]:
        """At the end of the file: provenance records naming records of an original that never came."""
        found: list[Problem] = []
        for named, waiting in self.pending.items():
            for offset, record_id, field, kind, parts in waiting:
                messages = [] if field == "excerpt" else [f"original.{field} {named} names no {kind} record in this file"]
                messages += _capped(self._release(parts))   # (what waited for it, checked without it)
                found += [Problem(offset, record_id, kinds.METADATA_MISMATCH, message) for message in messages]
                if messages:
                    self._late(parts)
        self.pending.clear()
        self.postponed_bytes = 0
        self.unheld.clear()
        self._records.clear()
        self._extracted.clear()
        self._kept_bytes = 0
        return found

    def waiting(self) -> list[tuple[str, Want]]:
        """The provenance records still waiting, by record id named, in the order they came."""
        return [(named, want) for named, wants in self.pending.items() for want in wants]

    def crosses(self, waiting: Iterable[tuple[str, Want]], seen_after: Container[int],
                seen_before: Container[int], unheld: Iterable[str] = ()) -> bool:
        """True when a record named on one side of a split file is on the other: what this tracker (of the
        first part) waits for was read after the split (`seen_after`), or what the second part waits for
        (`waiting`), or the excerpts it did not hold (`unheld`), were read before it
        (`seen_before`)."""
        return (any(hash(named.encode("utf-8", "replace")) in seen_after for named in self.pending)
                or any(hash(named.encode("utf-8", "replace")) in seen_before for named, _ in waiting)
                or any(hash(named.encode("utf-8", "replace")) in seen_before for named in unheld))

    def adopt(self, waiting: Iterable[tuple[str, Want]], unheld: Iterable[str] = ()) -> None:
        """Take on the second part's provenance records still waiting, after this tracker's own, and the
        excerpts it did not hold."""
        for named, want in waiting:
            self.pending.setdefault(named, []).append(want)
        self.unheld.extend(unheld)


def _json(value: object) -> str:
    """A JSON value as JSON, keys sorted (so that equal values read the same)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _first_difference(text: str, other: str) -> int | None:
    """The first character where two texts differ (the shorter one's length when it begins the other); None
    when they are equal. Compared a block at a time, then within the block that differs."""
    if text == other:
        return None
    size = min(len(text), len(other))
    start, step = 0, 1 << 16
    while start < size and text[start:start + step] == other[start:start + step]:
        start += step
    end = min(start + step, size)
    return next((at for at in range(start, end) if text[at] != other[at]), end)


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    return value if type(value) is list else []
