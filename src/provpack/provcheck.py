"""Check a provpack provenance record (`"format": "provpack-provenance/1"`) against its excerpt's bytes.

The rules are those of docs/format.md, "What provpack verify checks". Reads the JSON
and the resource block only; imports nothing of the writer.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import json
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Container
from operator import itemgetter
from types import ModuleType
from typing import Any, Final, NamedTuple

from . import fastjson
from . import problems as kinds
from ._version import __version__
from .blockring import BlockRing
from .idset import IdSet
from .jsondepth import TooDeep
from .jsondepth import check as check_depth
from .origcheck import alignment_messages, provpack_version
from .problems import Problem
from .provshape import shape_problem

orjson: ModuleType | None = fastjson.orjson   # (None: the standard library parses everything)

PROVENANCE_FORMAT = "provpack-provenance/1"
MAX_MESSAGES = 10
KEEP_BUDGET = 32 << 20  # total bytes of resource blocks kept at once
LAST_BLOCK_LIMIT = 64 << 10  # the block of the resource read last is kept as it came up to this size
KEEP_RECORDS = 10_000  # resource records remembered for provenance records that come later
_MARK = PROVENANCE_FORMAT.encode("ascii")
_CHECKED = "provpack provenance records checked"
_CHECKED_PART = "provpack provenance records checked without their resource block (too large)"
COUNTED = (_CHECKED, _CHECKED_PART)   # the counts that say a file holds provpack provenance
_FAMILY = PROVENANCE_FORMAT.rpartition("/")[0] + "/"
_VOCAB = "urn:provpack:terms:"   # (provenance.CONTEXT's @vocab)
UNKNOWN_FORMAT = (f"metadata records that look like provpack provenance but do not say \"format\": "
                  f"\"{PROVENANCE_FORMAT}\", not checked (another version's format, or the key changed)")
# --deep compares a record with what this provpack writes; a record another version wrote is only noted
# (a newer analyser may read an excerpt differently: that is no damage to the archive).
WRITER = f"provpack {__version__}"
_OTHER_WRITER = (f"--deep: provpack provenance records written by another version than {WRITER}, not compared"
                 " with its reading (every other check ran)")


# package writes every record of an archive in one run, the warcinfo first (`software: provpack/VERSION`), each
# provenance record's generator `provpack VERSION`: a provenance record after a warcinfo of provpack's whose
# generator is another (an earlier version's rules are laxer) or none was changed, not written so.
WARCINFO_LIMIT = 1 << 20   # of a warcinfo block, the lines in this many first bytes are read for its software
UNSETTLED_KEPT = 16   # generators a segment notes before its first warcinfo (more: the first part reads on)
# A record whose block is provpack provenance but which is not a JSON metadata record: not checked, nor listed by
# show and extract. A metadata record so (package writes each as application/ld+json) after a warcinfo of
# provpack's is a problem; a record of another type but warcinfo (an excerpt may quote such a document, an original
# may be one) or any record elsewhere, a note.
HIDDEN_MARK = b"provpack-provenance"   # (also in the format spelled "provpack-provenance\/1")
# The first byte of a block that may be a JSON object, as json.loads (show's and extract's reader) reads one: "{",
# JSON white space, a UTF-8 BOM's; or UTF-16 or UTF-32: a NUL, a BOM's first byte. Only such blocks are looked at by
# may_hide (an excerpt's text seldom starts so: the search costs little).
JSON_START = frozenset(b" \t\r\n{\xef\x00\xfe\xff")
_ESCAPE = b"\\u"   # JSON may spell any character so ("provpack\u002dprovenance/1"), which HIDDEN_MARK misses
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")   # UTF-16's, and the first half of UTF-32's


@functools.cache
def _object() -> re.Pattern[bytes]:
    """How a JSON object starts in UTF-8 (json.loads takes a BOM); compiled when first needed (some 1M instructions
    of sre, which a file without a block that starts as JSON may never need)."""
    return re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*\{")


def may_hide(buf: bytes | bytearray, start: int, stop: int) -> bool:
    """Whether buf[start:stop], a block whose first byte is in JSON_START, may be a JSON object that says provpack's
    format (as `hidden` decides, on the parsed value): in UTF-8, one that holds HIDDEN_MARK or a \\u escape (which
    may spell any character of it, or of its key); in UTF-16 or UTF-32 (as json.loads tells them: a BOM, or a NUL in
    the first two bytes), any. A text that only starts with white space is not searched at all; an object, for the
    mark, and for the escape only when it holds a backslash (memchr)."""
    if buf[start] == 0 or (stop - start > 1 and (buf[start + 1] == 0 or buf[start:start + 2] in _WIDE_BOMS)):
        return _wide_object(bytes(buf[start:min(stop, start + _WIDE_HEAD)]))
    if _object().match(buf, start, stop) is None:
        return False   # (no JSON object: no provenance)
    return buf.find(HIDDEN_MARK, start, stop) >= 0 or (buf.find(b"\\", start, stop) >= 0
                                                       and buf.find(_ESCAPE, start, stop) >= 0)


_WIDE_HEAD = 256   # bytes of a UTF-16 or UTF-32 block read to tell whether it starts as a JSON object


def _wide_object(head: bytes) -> bool:
    """Whether `head`, the first bytes of a block json.loads would read as UTF-16 or UTF-32, starts as a JSON object
    (a BOM, JSON white space, then "{"; white space to its end may go on into one). A video, a font or an image whose
    first bytes hold a NUL (MP4's `\\0\\0\\0\\x18ftyp`) is not one: it is not parsed (the depth check alone walked a 5 MB
    one character by character)."""
    encoding = json.detect_encoding(head)
    if not encoding.startswith("utf-16") and not encoding.startswith("utf-32"):
        return False
    text = codecs.getincrementaldecoder(encoding)("ignore").decode(head)   # (a character cut at the end: left out)
    first = text.lstrip("\ufeff").lstrip(" \t\r\n")[:1]
    return first in ("{", "")


HIDDEN = (f"records holding provpack provenance (\"format\": \"{PROVENANCE_FORMAT}\") that are not JSON metadata"
          " records (WARC-Type metadata, a JSON Content-Type), so not checked, and their excerpts not listed by show"
          " or extract")


def software_writer(block: bytes | None) -> str | None:
    """The generator a provenance record written with this warcinfo `block` has: `provpack VERSION` for one whose
    first `software` field is `provpack/VERSION`; None for any other (or none, or a block not read). Of a block over
    WARCINFO_LIMIT bytes (the callers give its first WARCINFO_LIMIT + 1 at least), the whole lines in the first
    WARCINFO_LIMIT bytes are read: padding after the field does not hide it."""
    if block is None:
        return None
    if len(block) > WARCINFO_LIMIT:
        block = block[:block.rfind(b"\n", 0, WARCINFO_LIMIT) + 1]
    for line in block.split(b"\n"):   # (application/warc-fields: `name: value` lines; read once a file)
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() == b"software":
            value = value.strip()
            if value[:9].lower() != b"provpack/":
                return None
            return "provpack " + value[9:].decode("utf-8", "replace")
    return None


# A resource record's WARC-Target-URI urn:provpack:sha256:HEX (an excerpt's without `url`, a local original's
# without `source_url`) names its block by content: HEX must be the block's sha256 (docs/format.md). (Not a
# conversion's: it carries its source record's target.)
CONTENT_URN = b"urn:provpack:sha256:"


def content_urn(target: bytes | None) -> bytes | None:
    """`target` (a WARC-Target-URI value) when it is a provpack content URN (its prefix in any case, in <> or
    not), stripped of white space and <>; else None."""
    if target is None:
        return None
    value = target.strip(b" \t<>")
    return value if value[:20].lower() == CONTENT_URN else None


def content_urn_fault(urn: bytes, sha256_hex: bytes) -> str | None:
    """Why a resource record's content URN `urn` (see content_urn) does not name its block, whose sha256 is
    `sha256_hex` (lower-case hex); None when it does."""
    named = urn[20:]
    if named == sha256_hex or named.lower() == sha256_hex:
        return None
    shown = urn.decode("utf-8", "replace")
    return (f"WARC-Target-URI {shown[:100]}{'...' if len(shown) > 100 else ''} is a provpack content URN, but the"
            f" block's sha256 is {sha256_hex.decode('ascii')}: a urn:provpack:sha256: target names the exact bytes"
            " of its record")


class ResourceFacts(NamedTuple):
    """What is known about the resource record a provenance record refers to."""

    record_id: str
    length: int
    sha256_hex: str | None  # None when it was not computed
    block: bytes | None  # None when the block was too large to keep
    target: str | None = None  # its WARC-Target-URI, None when it has none


_new_facts: Callable[[type[ResourceFacts], tuple[str, int, str | None, bytes | None, str | None]], ResourceFacts] = (
    tuple.__new__)

# A resource record held for provenance records to come (a plain tuple: one is made for every
# resource read): ResourceFacts' record_id, length and sha256_hex, then its block when it is not
# in the ring (else None), where the block starts in the ring (-1: not there), its length (0: none),
# and its WARC-Target-URI.
_Kept = tuple[str, int, "str | None", "bytes | None", int, int, "str | None"]
_START: Final = 4
_SIZE: Final = 5


class Deferred:
    """A provenance record that waits for a record after it (its resource, or its original's records): where it
    came (in a segment), and how it ended. A problem found when what it waits for comes (or never comes) takes it
    back from the verified or unverified records (the scanner's `late`)."""

    __slots__ = ("sequence", "problems_at", "outcome", "warning", "refers_hash", "peak_records", "peak_bytes")

    def __init__(self, sequence: int = 0, problems_at: int = 0) -> None:
        self.sequence = sequence
        self.problems_at = problems_at  # problems the segment had found before it
        self.outcome = "failed"  # then "verified" or "unverified"
        self.warning: Problem | None = None  # its warning, when it was listed
        self.refers_hash = 0
        self.peak_records = 0
        self.peak_bytes = 0


Waiting = tuple[int | None, str | None, dict[str, Any], Deferred | None]  # (offset, record id, doc, context)


class Resolution(NamedTuple):
    """A waiting provenance record settled by the first part: its problems (None: still waiting) and count."""

    context: Deferred
    problems: list[Problem] | None
    counted: str | None


def writer_mismatch(generator: object, writer: str) -> str:
    """The problem of a provenance record whose `generator` is not `writer`, the warcinfo's (see software_writer),
    with the rules verify applies to it by its generator (docs/verify.md)."""
    said = "no generator" if generator is None else f"generator {generator!r}"
    return (f"{said}, but the warcinfo record before it says software: provpack/{writer.partition(' ')[2]}: package"
            f" writes every record of an archive in one run, each with generator {writer!r}"
            f" ({_rules_applied(generator, writer)})")


def _rules_applied(generator: object, writer: str) -> str:
    """Which rules verify applies to a provenance record of `generator`, said beside the `writer` it should name."""
    if generator is None:
        return "this version's rules, the newest, are applied to a record that names none"
    if type(generator) is not str:
        return "a generator that is no text is taken as none: this version's rules, the newest, are applied to it"
    version, written = provpack_version(generator), provpack_version(writer)
    if version is None:
        return ("another writer's: its markers get this version's rules, and its alignment with an original is"
                " checked without provpack's rules of alignment")
    own = provpack_version(WRITER)
    if own is not None and version > own:   # (this verify knows no rules of a version after its own)
        return "a later version than this one: this version's rules, the newest, are applied to it"
    if written is None or version == written:
        return "the rules of the version it names are applied to it"
    if version < written:
        return "an earlier version's rules are applied to it"
    return "a later version's rules are applied to it"


def _not_a_resource(refers_to: str) -> str:
    return (f"WARC-Refers-To {refers_to} names an earlier record that is not a resource record"
            f" (or is more than {KEEP_RECORDS} resource records back)")


class ProvenanceTracker:
    """Pairs provenance records with the resource records they refer to, in either order, in bounded memory."""

    def __init__(self, counts: Counter[str], *, segment: bool = False, deep: bool = False) -> None:
        self.counts = counts
        self.deep = deep  # each record also compared with what provpack writes for its excerpt (provrecompute)
        self._resources: OrderedDict[str, _Kept] = OrderedDict()
        self._kept_bytes = 0
        self._keep_records, self._keep_budget = KEEP_RECORDS, KEEP_BUDGET   # (as set when it was made)
        self._ring = BlockRing(KEEP_BUDGET)  # the blocks of the resources held
        # The resource read last while it is held (its provenance record nearly always comes next):
        # handed back by held() as it came, its block not read back from the ring.
        self._last: ResourceFacts | None = None
        # Provenance records whose resource has not been seen yet: WARC-Refers-To -> (offset, id, doc, context).
        self._pending: dict[str, list[Waiting]] = {}
        # A segment (the second part of a file verified in parallel) notes what the first part may change.
        self.segment = segment
        self.resource_keys = IdSet()  # hashes of the resource record ids it kept (one per resource)
        self.refused_keys: set[int] = set()  # hashes of WARC-Refers-To found earlier but not as a resource
        self.peak_records = 0  # the most resource records held at once (before evicting the oldest)
        self.peak_bytes = 0  # the most bytes of blocks held at once
        self.deferred: Deferred | None = None  # set by metadata() for a waiting record
        # The waiting records a problem was found in since the scanner last looked (by resource() and finish()).
        self.late: list[Deferred] = []
        self.parsed: dict[str, Any] | None = None  # set by metadata(): the provenance JSON it read, else None
        # The generator the provenance records must have: the last warcinfo's, when it is provpack's (software_writer);
        # a segment does not know it until its own first warcinfo (`settled`), and notes what it met before that
        # (`unsettled`: the generators, None for none; `hidden`: metadata records holding provenance) for the first
        # part, which knows it, to judge (verifysplit.absorb).
        self.writer: str | None = None
        self.by_provpack = False   # a warcinfo of provpack's was read: the file is a provpack archive, damaged or not
        self.settled = not segment
        self.unsettled: set[str | None] = set()
        self.unsettled_hidden = False

    def resource(self, facts: ResourceFacts) -> list[Problem]:
        """A resource record was read; problems of provenance records that were waiting for it."""
        resources = self._resources
        old = resources.pop(facts.record_id, None)
        if old is not None:
            self._forget(old)
        block = facts.block
        size = 0 if block is None else len(block)
        # The rule: add it, then drop the oldest while over a limit. The oldest go first here,
        # so that the ring has their space for this one; the same ones go.
        if self.segment:
            self.resource_keys.add(hash(facts.record_id))
            self.peak_records = max(self.peak_records, len(resources) + 1)
            self.peak_bytes = max(self.peak_bytes, self._kept_bytes + size)
        most, budget = self._keep_records, self._keep_budget
        while resources and (len(resources) >= most or self._kept_bytes + size > budget):
            self._forget(resources.popitem(last=False)[1])
        if size <= budget:
            start = None if block is None else self._ring.put(block)
            resources[facts.record_id] = (
                (facts.record_id, facts.length, facts.sha256_hex, block, -1, size, facts.target) if start is None else
                (facts.record_id, facts.length, facts.sha256_hex, None, start, size, facts.target))
            self._kept_bytes += size
            # (a large block is not kept twice: it is read back from the ring like the others)
            self._last = facts if size <= LAST_BLOCK_LIMIT else None
        else:
            self._last = None
        found: list[Problem] = []
        if self._pending:
            for offset, record_id, doc, context in self._pending.pop(facts.record_id, []):
                problems = self._check(offset, record_id, doc, facts)
                if problems:
                    found += problems
                    if context is not None:
                        self.late.append(context)
        return found

    def _forget(self, kept: _Kept) -> None:
        self._kept_bytes -= kept[_SIZE]
        if kept[_START] >= 0:
            self._ring.drop(kept[_START], kept[_SIZE])

    def held(self, record_id: str) -> ResourceFacts | None:
        """The resource record `record_id` when it is among those held, its block as read."""
        last = self._last
        if last is not None and last.record_id == record_id:
            return last
        kept = self._resources.get(record_id)
        return None if kept is None else self._facts(kept)

    def _facts(self, kept: _Kept) -> ResourceFacts:
        """The facts of a resource held, its block read back from the ring."""
        record_id, length, sha256_hex, block, start, size, target = kept
        if start >= 0:
            block = self._ring.get(start, size)
        return _new_facts(ResourceFacts, (record_id, length, sha256_hex, block, target))   # (without the Python-level __new__)

    def warcinfo(self, block: bytes | None) -> None:
        """A warcinfo record was read (its block, None when not kept): the provenance records after it must have
        its writer's generator when it is provpack's."""
        self.writer = software_writer(block)
        self.by_provpack = self.by_provpack or self.writer is not None
        self.settled = True

    def generator(self, offset: int | None, record_id: str | None, doc: dict[str, Any]) -> Problem | None:
        """The problem of a provenance record `doc` whose generator is not `writer`, the warcinfo's; None when it
        is, or when there is nothing to hold it to; in a segment before its first warcinfo, noted (`unsettled`)."""
        generator = doc.get("generator")
        if not self.settled:
            if len(self.unsettled) <= UNSETTLED_KEPT:
                self.unsettled.add(generator if type(generator) is str or generator is None else repr(generator))
            return None
        writer = self.writer
        if writer is None or generator == writer:
            return None
        return Problem(offset, record_id, kinds.METADATA_MISMATCH, writer_mismatch(generator, writer))

    def hidden(self, offset: int | None, record_id: str | None, warc_type: bytes, content_type: bytes | None,
               block: bytes) -> list[Problem]:
        """A resource, or a metadata record that is not JSON: a problem, or a count (HIDDEN), when its block is
        provpack provenance all the same (see HIDDEN)."""
        if not block or block[0] not in JSON_START or not may_hide(block, 0, len(block)):
            return []
        try:
            doc, _ = parse(block)
        except (UnicodeDecodeError, ValueError):
            return []
        if not is_provenance(doc):
            return []
        if warc_type == b"metadata":
            if self.writer is not None:
                shown = "none" if content_type is None else repr(content_type.strip().decode("utf-8", "replace")[:80])
                return [Problem(offset, record_id, kinds.METADATA_MISMATCH,
                                f"the block is provpack provenance (\"format\": \"{PROVENANCE_FORMAT}\"), but the"
                                f" record's Content-Type is {shown}, not JSON: it is not checked, and show and extract"
                                " do not list its excerpt (package writes it as application/ld+json)")]
            if not self.settled:
                self.unsettled_hidden = True
        self.counts[HIDDEN] += 1
        return []

    def metadata(
        self, offset: int | None, record_id: str | None, block: bytes, refers: bytes | None, *, seen: Container[int],
        position: tuple[int, int] | None = None,
    ) -> list[Problem]:
        """A metadata record's block; problems when it is provpack provenance that disagrees.

        `seen` holds the hashes of the record ids read so far: a WARC-Refers-To among them that
        names no resource record kept is a problem (looked up only then). A provenance record that
        waits for its resource is given a context, `deferred`, for the caller to say how it ended
        (a problem found when its resource comes takes it back: `late`); in a segment, with
        `position` (record number, problems so far), for the first part of the file to settle.
        (Its generator is the caller's to compare with `writer`, after these: see generator().)
        """
        self.deferred = None
        self.parsed = None   # the provenance JSON read, for origcheck
        try:
            doc, quick = parse(block)
        except TooDeep as exc:   # whatever it holds, show and extract read past it as damage (reader.py)
            return [Problem(offset, record_id, kinds.METADATA_MISMATCH, f"the JSON does not parse: {exc}; show and "
                            "extract take this record for damage")]
        except (UnicodeDecodeError, ValueError) as exc:
            if not marked(block):  # other JSON: not ours to judge
                return []
            return [Problem(offset, record_id, kinds.METADATA_MISMATCH, f"the provenance JSON does not parse: {exc}")]
        # Decided on the parsed value, as `show` and `extract` decide (reader.py): JSON may spell the
        # format with escapes ("provpack-provenance\/1"), which a search of the bytes would miss.
        if not (isinstance(doc, dict) and doc.get("format") == PROVENANCE_FORMAT):  # (is_provenance)
            if looks_like_provenance(doc):
                self.counts[UNKNOWN_FORMAT] += 1
            return []
        self.parsed = doc
        if refers is None:
            return [Problem(offset, record_id, kinds.METADATA_MISMATCH, "provenance record has no WARC-Refers-To")]
        refers_to = refers.decode("utf-8", "replace")
        facts = self.held(refers_to)
        if facts is not None:
            if not self.deep and sound(doc, facts):  # the usual case (as _check)
                self.counts[_CHECKED] += 1
                return [Problem(offset, record_id, kinds.METADATA_MISMATCH, message)   # (sound: as it read them)
                        for message in shape_messages(doc, block if quick else None, sound=True)]
            return self._check(offset, record_id, doc, facts, block if quick else None)
        if quick:
            doc = json.loads(block)  # a waiting document is kept as the standard library reads it
        if hash(refers) in seen:
            if self.segment:
                self.refused_keys.add(hash(refers_to))
            return [Problem(offset, record_id, kinds.METADATA_MISMATCH, _not_a_resource(refers_to))]
        context = self.deferred = Deferred() if position is None else Deferred(*position)
        if position is not None:
            context.refers_hash = hash(refers)
            context.peak_records = self.peak_records
            context.peak_bytes = self.peak_bytes
        self._pending.setdefault(refers_to, []).append((offset, record_id, doc, context))
        return []

    def finish(self) -> list[Problem]:
        """At the end of the file: provenance records whose resource never came. The resources
        held are let go (the ring unmapped) here, not when the tracker is collected."""
        found = [
            Problem(offset, record_id, kinds.METADATA_MISMATCH,
                    f"provenance WARC-Refers-To {refers_to} names no record in this file")
            for refers_to, waiting in self._pending.items()
            for offset, record_id, _doc, _context in waiting
        ]
        self.late += [context for waiting in self._pending.values() for _, _, _, context in waiting
                      if context is not None]
        self._pending.clear()
        self._resources.clear()
        self._last = None
        self._kept_bytes = 0
        self._ring.close()
        return found

    def pending(self) -> list[tuple[str, Waiting]]:
        """Provenance records still waiting for their resource, in the order they came."""
        waiting = [(refers_to, entry) for refers_to, entries in self._pending.items() for entry in entries]
        return sorted(waiting, key=lambda item: item[1][3].sequence if item[1][3] is not None else -1)

    def resolve(self, waiting: list[tuple[str, Waiting]], seen: Container[int]) -> list[Resolution] | None:
        """What this tracker (the first part of a file) says of a segment's waiting provenance records.

        For each: the problems found at the point where it came, or None when it still waits (for a
        resource after it, or none). `seen` holds the record id hashes of the first part. None when
        a record's outcome cannot be told exactly (then the caller reads the segment itself).
        """
        if not waiting:
            return []
        # For each resource waited for: how many resources, and bytes of blocks, from it to the newest.
        resources = self._resources
        wanted = {refers_to for refers_to, _ in waiting if refers_to in resources}
        newer: dict[str, tuple[int, int]] = {}
        count = total = 0
        for key, kept in reversed(resources.items()):
            if len(newer) == len(wanted):
                break
            count += 1
            total += kept[_SIZE]
            if key in wanted:
                newer[key] = (count, total)
        found: list[Resolution] = []
        for refers_to, (offset, record_id, doc, context) in waiting:
            if context is None:
                return None
            since = newer.get(refers_to)
            if since is not None and (since[0] + context.peak_records <= self._keep_records
                                      and since[1] + context.peak_bytes <= self._keep_budget):
                facts = self._facts(resources[refers_to])
                messages, complete = check_provenance(doc, facts, deep=self.deep)
                messages = messages or shape_messages(doc)
                if self.deep and complete and doc.get("generator") != WRITER:
                    self.counts[_OTHER_WRITER] += 1
                problems = [Problem(offset, record_id, kinds.METADATA_MISMATCH, m) for m in messages]
                found.append(Resolution(context, problems, _CHECKED if complete else _CHECKED_PART))
            elif context.refers_hash in seen:
                problem = Problem(offset, record_id, kinds.METADATA_MISMATCH, _not_a_resource(refers_to))
                found.append(Resolution(context, [problem], None))
            else:
                found.append(Resolution(context, None, None))
        return found

    def holds_any(self, hashes: IdSet | set[int]) -> bool:
        """True when the hash of a WARC-Refers-To value waiting, or of a resource id held, is in `hashes`."""
        held = {hash(key) for key in self._pending}
        held.update(map(hash, self._resources))
        return not hashes.isdisjoint(held)

    def adopt(self, waiting: list[tuple[str, Waiting]]) -> None:
        """Take on a segment's provenance records that still wait, after this tracker's own."""
        for refers_to, entry in waiting:
            self._pending.setdefault(refers_to, []).append(entry)

    def _check(
        self, offset: int | None, record_id: str | None, doc: dict[str, Any], facts: ResourceFacts,
        raw: bytes | None = None,
    ) -> list[Problem]:
        """Problems of one provenance record; `raw` is its JSON when orjson read `doc` (see parse)."""
        messages: list[str] = []
        complete = True
        if self.deep:   # every rule, the derived facts in full, then provpack's own reading compared
            parsed = json.loads(raw) if raw is not None else doc
            messages, complete = explain(parsed, facts, full=True)
            if complete:
                messages = _capped(messages + deep_messages(parsed, facts))
                if parsed.get("generator") != WRITER:
                    self.counts[_OTHER_WRITER] += 1
        elif not sound(doc, facts):  # what is wrong is said of the standard library's reading
            messages, complete = explain(json.loads(raw) if raw is not None else doc, facts)
        messages = messages or shape_messages(doc, raw)
        self.counts[_CHECKED if complete else _CHECKED_PART] += 1
        return [Problem(offset, record_id, kinds.METADATA_MISMATCH, message) for message in messages]


class _Bad(Exception):
    """One failed check; its message goes into the report."""


def parse(block: bytes) -> tuple[Any, bool]:
    """The JSON document in `block`, and True when orjson read it; json.loads's errors when it does not parse.

    orjson reads what it accepts as json.loads does, except integers beyond 64 bits (a float,
    not an int): a document it read may be taken as sound (see `sound`), but anything to
    report is said of json.loads's reading. What orjson refuses (NaN, lone surrogates, a BOM,
    other encodings, numbers too large) json.loads decides. A block nested more than jsondepth.MAX_DEPTH
    levels deep is neither's to read: TooDeep (a ValueError).
    """
    check_depth(block)
    if orjson is not None:
        try:
            return orjson.loads(block), True
        except orjson.JSONDecodeError:
            pass
    return json.loads(block), False


def marked(block: bytes | bytearray) -> bool:
    """Whether a JSON block that does not parse holds the provenance format's name: damaged provenance, which verify
    reports and show and extract take for damage. Other JSON that does not parse is another tool's to judge: verify
    passes it, and show and extract read past it (they took it for damage, exit 1, of a file verify found sound)."""
    return block.find(_MARK) >= 0   # (`in` would first try the mark as an int)


def shape_messages(doc: dict[str, Any], raw: bytes | None = None, *, sound: bool = False) -> list[str]:
    """The problem of a provenance record whose other checks found none, but which is not of the shape show and
    extract read (provshape; they take it for damage): verify passed a record whose name was null, or whose sidecar
    was text, which the excerpt's rules never look at. Said of json.loads's reading, as show reads it (`raw`: the
    JSON when orjson read `doc`, which reads an integer beyond 64 bits as a float)."""
    problem = shape_problem(doc, sound=sound)
    if problem is not None and raw is not None:
        problem = shape_problem(json.loads(raw))   # (orjson's reading was sound: json.loads's is not known to be)
    if problem is None:
        return []
    return [f"the provenance JSON is not of the shape docs/format.md gives: {problem}; show and extract take this "
            "record for damage"]


def is_provenance(doc: object) -> bool:
    """True when a parsed JSON document says it is provpack provenance."""
    return isinstance(doc, dict) and doc.get("format") == PROVENANCE_FORMAT


def looks_like_provenance(doc: object) -> bool:
    """A JSON document that is not provenance of this format but bears provpack's marks: a format of the
    family (another version's), provpack's vocabulary as its context, or provpack as its generator."""
    if not isinstance(doc, dict):
        return False
    form, context, generator = doc.get("format"), doc.get("@context"), doc.get("generator")
    return ((type(form) is str and form.startswith(_FAMILY))
            or (isinstance(context, dict) and context.get("@vocab") == _VOCAB)
            or (type(generator) is str and generator.startswith("provpack ")))


def check_provenance(doc: dict[str, Any], resource: ResourceFacts, *, deep: bool = False) -> tuple[list[str], bool]:
    """Every disagreement between the provenance JSON and the resource; (messages, fully checked).

    With `deep`, also every key that differs from what provpack itself writes for the excerpt."""
    if not deep:
        return ([], True) if sound(doc, resource) else explain(doc, resource)
    messages, complete = explain(doc, resource, full=True)
    if complete:
        messages = _capped(messages + deep_messages(doc, resource))
    return messages, complete


def deep_messages(doc: dict[str, Any], resource: ResourceFacts) -> list[str]:
    """provrecompute's comparison (which imports provpack's parser, analyser and writer: only for --deep);
    none for a record another provpack version wrote (the callers count those)."""
    block = resource.block
    if block is None or doc.get("generator") != WRITER:
        return []
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return []   # (said already)
    from .provrecompute import recompute

    return recompute(doc, block, record_id=resource.record_id)


def deep_realign(doc: dict[str, Any], excerpt: bytes, text: str) -> list[str] | None:
    """--deep, for origcheck: the record's alignment compared with provrecompute's aligning the excerpt
    (its block, `excerpt`) with the conversion `text` again (which imports the aligner: only for --deep);
    None when not comparable: a record another provpack version wrote, or an excerpt not UTF-8."""
    if doc.get("generator") != WRITER:
        return None
    try:
        excerpt.decode("utf-8")
    except UnicodeDecodeError:
        return None   # (said already)
    from .provrecompute import realign

    return realign(doc, excerpt, text)


def deep_reextract(how: str, block: bytes, content_type: object, content_encoding: object) -> tuple[str, str, Any] | str:
    """--deep, for origcheck: the text, scope and charset provrecompute extracts again from an original's
    source record `block` (which imports the extractor: only for --deep), or why it extracts none."""
    from .provrecompute import reextract

    return reextract(how, block, content_type, content_encoding)


def explain(doc: dict[str, Any], resource: ResourceFacts, *, full: bool = False) -> tuple[list[str], bool]:
    """check_provenance, the long way: each rule in turn, each disagreement in words (`full`: see derived)."""
    messages: list[str] = []
    _collect(messages, _check_totals, doc, resource)
    block = resource.block
    if block is None:
        return _capped(messages), False
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as exc:
        messages.append(f"resource block is not valid UTF-8 at byte {exc.start}")
        return _capped(messages), True
    _collect(messages, _check_length_chars, doc, text)
    for index, segment in enumerate(_list(doc, "segments", messages)):
        _collect(messages, _check_segment, index, segment, block, text)
    for key in ("elisions", "alterations"):
        for index, mark in enumerate(_list(doc, key, messages)):
            _collect(messages, _check_mark, key, index, mark, block, text)
    messages += derived(doc, text, block, resource, full=full)
    return _capped(messages), True


_SPAN = itemgetter("start", "end", "byte_start", "byte_end")
_SELECTOR_PAIR = itemgetter(0, 1)


def sound(doc: dict[str, Any], resource: ResourceFacts) -> bool:
    """True only when check_provenance finds nothing wrong with a resource whose block is kept:
    the usual case, checked in one pass. False leaves it to check_provenance to say what is wrong.

    Stricter than check_provenance where that is quicker (the integers must be exactly int, an
    elision has exactly its two selectors), never looser: for JSON documents it agrees with
    check_provenance's verdict, and for one read by orjson, with check_provenance's verdict on
    json.loads's reading. The rules of `derived` are checked here too, in the same pass.
    """
    block = resource.block
    if block is None:
        return False
    get = doc.get
    if get("record_id") != resource.record_id:   # (every provpack writes it: none is a mismatch)
        return False
    length = get("length_bytes")
    sha = get("sha256")
    if type(length) is not int or length != resource.length or type(sha) is not str:
        return False
    expected = resource.sha256_hex
    if expected is not None and sha != expected and sha.lower() != expected:
        return False
    segments = get("segments", [])
    elisions = get("elisions", [])
    alterations = get("alterations", [])
    if type(segments) is not list or type(elisions) is not list or type(alterations) is not list:
        return False
    size = len(block)
    view = memoryview(block)
    sha256 = hashlib.sha256
    try:
        # The text is decoded piece by piece, cut where the segments start and end, so that each
        # segment's characters are known to be its bytes without encoding them again: its byte
        # span must decode to exactly the characters its char span counts to (stricter than
        # comparing the texts, which a repeated passage could pass at the wrong offsets).
        pieces: list[str] = []
        append = pieces.append
        at = chars_at = 0
        for segment in segments:
            start, end, byte_start, byte_end = _SPAN(segment)
            if not (type(start) is type(end) is type(byte_start) is type(byte_end) is int
                    and at <= byte_start <= byte_end <= size):
                return False   # (out of order or overlapping: left to the rule-by-rule check)
            gap = block[at:byte_start].decode("utf-8")
            piece = block[byte_start:byte_end].decode("utf-8")
            if chars_at + len(gap) != start or start + len(piece) != end:
                return False
            sha = segment.get("sha256")
            actual = sha256(view[byte_start:byte_end]).hexdigest()
            if sha != actual and (type(sha) is not str or sha.lower() != actual):
                return False
            append(gap)
            append(piece)
            chars_at = end
            at = byte_end
        append(block[at:].decode("utf-8"))
        text = "".join(pieces)
        count = len(text)
        chars = get("length_chars")
        if type(chars) is not int or chars != count:
            return False
        # (derived) @id is the WARC-Target-URI; the parts: a body pair, a trailer null or a pair after it
        doc_id = get("@id")
        target = resource.target
        if target is not None and target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        if doc_id != target:
            return False
        parts = get("parts")
        if type(parts) is not dict or _pair(parts.get("body"), count) is None:
            return False
        trailer = parts.get("trailer")
        limit = count
        if trailer is not None:
            pair = _pair(trailer, count)
            if pair is None or pair[0] < parts["body"][1]:
                return False
            limit = pair[0]
        prefix_of_id = f"{resource.record_id.strip('<>')}#elision-"
        generator = get("generator")   # (by the rule of the provpack that wrote it; a list would not hash)
        shape_kept, shape_of = _SHAPES[_marker_rule(generator if type(generator) is str else None)]
        previous = 0
        for mark in elisions:
            start, end, byte_start, byte_end = _SPAN(mark)
            get = mark.get
            marker = get("marker")
            if not (type(start) is type(end) is type(byte_start) is type(byte_end) is int
                    and previous <= start <= end <= count and 0 <= byte_start <= byte_end <= size
                    and type(marker) is str and text[start:end] == marker
                    and block[byte_start:byte_end] == marker.encode("utf-8")):
                return False   # (listed once each, in text order: each starts after the one before)
            previous = end
            line, column, omitted = get("line"), get("column"), get("omitted")
            if not (type(line) is type(column) is int and line >= 0 and column >= 0) or (omitted and
                                                                                        type(omitted) is not dict):
                return False   # (of the shape show reads, provshape: the rest of it is checked here already)
            kind = get("kind")
            shape = shape_kept(marker) if len(marker) <= _SHAPES_KEPT else shape_of(marker)
            if not (kind == shape == "bracketed" or (kind == shape == "possible" and end <= limit)):
                return False
            annotation = get("@id")
            if annotation is not None and annotation != f"{prefix_of_id}{start}":
                return False
            target_of = get("oa:hasTarget")
            source = target_of["oa:hasSource"]   # (a target without a source is said by the rule-by-rule check)
            if (source.get("@id") if type(source) is dict else source) != doc_id or doc_id is None:
                return False
            selectors = target_of["oa:hasSelector"]
            if type(selectors) is not list or len(selectors) != 2:
                return False
            position, quote = _SELECTOR_PAIR(selectors)
            if type(position) is not dict or type(quote) is not dict:
                return False
            if position.get("@type") != _POSITION:
                position, quote = quote, position
            if position.get("@type") != _POSITION or quote.get("@type") != _QUOTE:
                return False
            first, last = position.get("oa:start"), position.get("oa:end")
            prefix, suffix = quote.get("oa:prefix", ""), quote.get("oa:suffix", "")
            if (first != start or last != end or type(first) is not int or type(last) is not int
                    or quote.get("oa:exact") != marker or type(prefix) is not str or type(suffix) is not str
                    or not text.endswith(prefix, 0, start) or not text.startswith(suffix, end)):
                return False
        previous = 0
        for mark in alterations:
            start, end, byte_start, byte_end = _SPAN(mark)
            get = mark.get
            marker = get("marker")
            if not (type(start) is type(end) is type(byte_start) is type(byte_end) is int
                    and previous <= start <= end <= count and 0 <= byte_start <= byte_end <= size
                    and type(marker) is str and text[start:end] == marker
                    and block[byte_start:byte_end] == marker.encode("utf-8")
                    and (shape_kept(marker) if len(marker) <= _SHAPES_KEPT else shape_of(marker)) == "alteration"):
                return False
            previous = end
            target_of = get("oa:hasTarget")
            if target_of is None:
                continue
            selectors = target_of.get("oa:hasSelector") if type(target_of) is dict else None
            if type(selectors) is not list:
                return False
            for selector in selectors:
                kind = selector.get("@type")
                if kind == _POSITION:
                    first, last = selector.get("oa:start"), selector.get("oa:end")
                    if first != start or last != end or type(first) is not int or type(last) is not int:
                        return False
                elif kind == _QUOTE:
                    prefix = selector.get("oa:prefix", "")
                    suffix = selector.get("oa:suffix", "")
                    if (selector.get("oa:exact") != marker or type(prefix) is not str
                            or type(suffix) is not str or not text.endswith(prefix, 0, start)
                            or not text.startswith(suffix, end)):
                        return False
        if alignment_messages(doc, text):   # (derived's last rule: the alignment keys, origcheck.py)
            return False
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):  # an item that is not an object,
        return False      # or lacks a field; bytes not UTF-8 (UnicodeDecodeError is a ValueError)
    return True


def _collect(messages: list[str], check: Any, *args: Any) -> None:
    try:
        check(*args)
    except _Bad as exc:
        messages.append(str(exc))


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_MESSAGES:
        return messages
    return messages[: MAX_MESSAGES - 1] + [f"... and {len(messages) - MAX_MESSAGES + 1} more disagreements"]


def _check_totals(doc: dict[str, Any], resource: ResourceFacts) -> None:
    problems = []
    record_id = doc.get("record_id")
    if record_id is None:   # (every provpack writes it; show and extract find the excerpt by it)
        problems.append(f"record_id is missing (WARC-Refers-To names {resource.record_id})")
    elif record_id != resource.record_id:
        problems.append(f"record_id {record_id} but WARC-Refers-To names {resource.record_id}")
    length = _int(doc, "length_bytes", "provenance")
    if length != resource.length:
        problems.append(f"length_bytes {length} but the resource block has {resource.length} bytes")
    sha = doc.get("sha256")
    if not isinstance(sha, str):
        problems.append("sha256 is missing or not a string")
    elif resource.sha256_hex is not None and sha.lower() != resource.sha256_hex:
        problems.append(f"sha256 {sha} but the resource block hashes to {resource.sha256_hex}")
    if problems:
        raise _Bad("; ".join(problems))


def _check_length_chars(doc: dict[str, Any], text: str) -> None:
    chars = _int(doc, "length_chars", "provenance")
    if chars != len(text):
        raise _Bad(f"length_chars {chars} but the resource text has {len(text)} characters")


def _check_segment(index: int, segment: object, block: bytes, text: str) -> None:
    where = f"segments[{index}]"
    if not isinstance(segment, dict):
        raise _Bad(f"{where} is not an object")
    start, end, byte_start, byte_end = _span(segment, where, block, text)
    sha = segment.get("sha256")
    actual = hashlib.sha256(block[byte_start:byte_end]).hexdigest()
    if not isinstance(sha, str) or sha.lower() != actual:
        raise _Bad(f"{where}: sha256 {sha!r} but bytes {byte_start}-{byte_end} hash to {actual}")
    _same_text(where, block, text, start, end, byte_start, byte_end)


def _check_mark(key: str, index: int, mark: object, block: bytes, text: str) -> None:
    where = f"{key}[{index}]"
    if not isinstance(mark, dict):
        raise _Bad(f"{where} is not an object")
    start, end, byte_start, byte_end = _span(mark, where, block, text)
    marker = mark.get("marker")
    if not isinstance(marker, str):
        raise _Bad(f"{where}: marker is missing or not a string")
    _same_text(where, block, text, start, end, byte_start, byte_end)
    if text[start:end] != marker:
        raise _Bad(f"{where}: characters {start}-{end} are {text[start:end]!r}, not the marker {marker!r}")
    target = mark.get("oa:hasTarget")
    if target is None and key == "alterations":
        return
    selectors = target.get("oa:hasSelector") if isinstance(target, dict) else None
    if not isinstance(selectors, list):
        raise _Bad(f"{where}: oa:hasTarget has no oa:hasSelector list")
    for selector in selectors:
        if not isinstance(selector, dict):
            raise _Bad(f"{where}: a selector is not an object")
        kind = selector.get("@type")
        if kind == "oa:TextPositionSelector":
            position = (selector.get("oa:start"), selector.get("oa:end"))
            if position != (start, end) or not all(type(value) is int for value in position):  # (1.0, True: no)
                raise _Bad(
                    f"{where}: TextPositionSelector {selector.get('oa:start')}-{selector.get('oa:end')}"
                    f" disagrees with start/end {start}-{end}"
                )
        elif kind == "oa:TextQuoteSelector":
            _check_quote(where, selector, marker, text, start, end)


def _check_quote(where: str, selector: dict[str, Any], marker: str, text: str, start: int, end: int) -> None:
    if selector.get("oa:exact") != marker:
        raise _Bad(f"{where}: TextQuoteSelector exact {selector.get('oa:exact')!r} is not the marker {marker!r}")
    prefix = selector.get("oa:prefix", "")
    suffix = selector.get("oa:suffix", "")
    if not isinstance(prefix, str) or not text.endswith(prefix, 0, start):
        raise _Bad(f"{where}: TextQuoteSelector prefix {prefix!r} is not the text before character {start}")
    if not isinstance(suffix, str) or not text.startswith(suffix, end):
        raise _Bad(f"{where}: TextQuoteSelector suffix {suffix!r} is not the text after character {end}")


def _span(item: dict[str, Any], where: str, block: bytes, text: str) -> tuple[int, int, int, int]:
    start = _int(item, "start", where)
    end = _int(item, "end", where)
    byte_start = _int(item, "byte_start", where)
    byte_end = _int(item, "byte_end", where)
    if not 0 <= start <= end <= len(text):
        raise _Bad(f"{where}: characters {start}-{end} are outside the text (0-{len(text)})")
    if not 0 <= byte_start <= byte_end <= len(block):
        raise _Bad(f"{where}: bytes {byte_start}-{byte_end} are outside the block (0-{len(block)})")
    return start, end, byte_start, byte_end


def _same_text(
    where: str, block: bytes, text: str, start: int, end: int, byte_start: int, byte_end: int
) -> None:
    try:
        by_bytes = block[byte_start:byte_end].decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad(f"{where}: bytes {byte_start}-{byte_end} do not decode as UTF-8 (a split character)") from None
    if by_bytes != text[start:end]:
        raise _Bad(f"{where}: characters {start}-{end} and bytes {byte_start}-{byte_end} select different text")


def _int(item: dict[str, Any], key: str, where: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(f"{where}: {key} is missing or not an integer")
    return value


def _list(doc: dict[str, Any], key: str, messages: list[str]) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        messages.append(f"{key} is not a list")
        return []
    return value


# The markers of docs/format.md ("Markers"), written here again: the verifier imports nothing of the writer.
# What may pad and space a marker's dots: every Unicode space (Zs), the tab, U+200B, U+2060 and U+FEFF, and the
# direction marks, isolates and embeddings U+061C, U+200E, U+200F, U+202A to U+202C and U+2066 to U+2069, since
# provpack 0.6.0 (elisions.py), which also took the East Asian marks (`［中略］`, `［……］`, `[···]`, `⋯⋯`, `．．．`,
# `（中略）` possible); 0.5.0
# took the same spaces but no direction mark, and no East Asian mark; before 0.5.0 only the space, U+00A0,
# U+2009 and U+202F padded a marker. A record provpack wrote is checked by the rule of its version (its
# `[\t...]` before 0.5.0, its `[\u200f...]` and `（中略）` before 0.6.0, are an alteration and text, not cuts).
_PAD = ("\t \u00a0\u061c\u1680\u2000-\u200b\u200e\u200f\u202a-\u202c\u202f\u205f\u2060\u2066-\u2069\u3000"
        "\ufeff")
_PAD_0_5 = "\t \u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
_PAD_BEFORE = " \u00a0\u2009\u202f"
PAD_SINCE = (0, 5, 0)
MARKS_SINCE = (0, 6, 0)
# (words for "left out" that, in brackets or parentheses, are a cut; each ends in 略 or 략, which _is_cut finds)
_OMISSION_WORDS = ("中略", "前略", "後略", "后略", "上略", "下略", "以下略", "以下省略", "省略", "略",
                   "중략", "후략", "하략", "상략", "생략")
_OTHER_OPENERS = "\uff3b\u3010\u3014"   # where a bracketed cut not at '[' starts: ［ 【 〔
_MIDDLE_DOTS = "\u00b7{3,}|\u30fb{3,}"   # three or more of Korea's `···` or Japan's `・・・`, side by side


def _marker_patterns(pad: str, wide: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    r"""The bracketed and the possible cuts whose dots `pad`'s characters may pad and space; `wide`: with the
    East Asian marks, as provpack reads them since MARKS_SINCE (the possible ones for fullmatch only).

    Every unbounded repeat is of one character class, never of a group: re keeps a frame on its stack for each pass
    of a group's repeat (some 120 to 190 bytes), so a marker of 16 MB of `.` took 2 GB to check. Spaces and dots
    with a dot (`gap*(?:dot gap*)+`) are `gap*dot[pad dots]*`; three dots or more, one space at most between two
    (`\.(?:gap?\.){2,}`), are three, then spaces and dots with no character but a dot after a space (a look-ahead)."""
    gap = f"[{pad}]"
    if not wide:
        return (re.compile(rf"\[{gap}*[.\u2026][{pad}.\u2026]*\]"),
                re.compile(rf"\({gap}*[.\u2026][{pad}.\u2026]*\)|\.(?:{gap}?\.){{2}}(?!.*?[^.](?!\.))[{pad}.]*"
                           r"|\u2026+"))
    dots = rf"[.\u2025\u2026\u22ef\uff0e][{pad}.\u2025\u2026\u22ef\uff0e]*"
    # A bracket, an ellipsis or a word, the bracket closing it: each part once, conditionals choosing the closing
    # bracket (re compiles it faster than an alternative for each bracket: `gap` is most of its work); possible: an
    # ellipsis or a word in parentheses, or an ellipsis alone (three `.` or `．`: the other one nowhere after them)
    words = f"{_MIDDLE_DOTS}|{'|'.join(_OMISSION_WORDS)}"
    return (re.compile(r"(?:(\[)|(\uff3b)|(\u3010)|\u3014)"   # [ ［ 【 〔
                       rf"{gap}*(?:{dots}|(?:{words}){gap}*)"
                       r"(?(1)\]|(?(2)\uff3d|(?(3)\u3011|\u3015)))"),
            re.compile(rf"(?:(\()|\uff08){gap}*(?:{dots}|(?:{words}){gap}*)(?(1)\)|\uff09)"
                       rf"|(?:(\.)|\uff0e)(?:{gap}?(?(2)\.|\uff0e)){{2}}"
                       rf"(?!.*?(?:[^.\uff0e](?![.\uff0e])|(?(2)\uff0e|\.)))[{pad}.\uff0e]*"
                       rf"|\u2026+|\u22ef+|\u2025\u2025+|{_MIDDLE_DOTS}"))


# The rules of markers, by the version of provpack that wrote a record: _RULES[_marker_rule(generator)]
_RULES = ((_PAD_BEFORE, False), (_PAD_0_5, False), (_PAD, True))
_NEWEST = len(_RULES) - 1
# The characters only East Asian marks hold (a marker or text without them is read by the newest rule's patterns
# without those marks, which find there what the full ones would: they compile at a fifth of the cost); in UTF-8
# all but ⋯, ‥ and · start with E3, E7, EB or EF.
_WIDE = frozenset("\u22ef\u2025\uff08\uff09\uff3b\uff3d\u3010\u3011\u3014\u3015\uff0e\u7565\ub7b5\u00b7\u30fb")
_BRACKETED, _POSSIBLE = _marker_patterns(_PAD, False)


@functools.cache
def _patterns_of(rule: int, wide: bool = False) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The bracketed and possible cuts by one of _RULES, for a marker or text with East Asian marks' characters
    (`wide`) or without (an earlier version's, or the East Asian ones: compiled when first needed)."""
    pad, marks = _RULES[rule]
    return (_BRACKETED, _POSSIBLE) if rule == _NEWEST and not wide else _marker_patterns(pad, marks and wide)


_ALTERATION = re.compile(r"\[[^\[\]\r\n]{1,80}\]")
_POSITION, _QUOTE = "oa:TextPositionSelector", "oa:TextQuoteSelector"
_KINDS = ("bracketed", "possible")


def _is_cut(marker: str) -> bool:
    """Whether a match of the patterns stands for a cut: three dots or more ('.' and '．' one each, '‥' two), one
    '…' or '⋯', three middle dots side by side, or an omission word."""
    return ("\u2026" in marker or marker.count(".") >= 3 or "\u22ef" in marker
            or marker.count(".") + marker.count("\uff0e") + 2 * marker.count("\u2025") >= 3
            or "\u7565" in marker or "\ub7b5" in marker or "\u00b7\u00b7\u00b7" in marker
            or "\u30fb\u30fb\u30fb" in marker)


@functools.lru_cache(maxsize=16)
def _marker_rule(generator: object) -> int:
    """Which of _RULES a record of this `generator` was written by: 0 for a provpack before PAD_SINCE, 1 for one
    before MARKS_SINCE, _NEWEST for any other generator, or none (checked by the rule docs/format.md gives: a
    deleted generator must not earn an earlier version's laxer rule)."""
    version = provpack_version(generator)
    if version is None or version >= MARKS_SINCE:
        return _NEWEST
    return 0 if version < PAD_SINCE else 1


def _shape_of(marker: str) -> str | None:
    """What a marker is: "bracketed" (a cut in brackets), "possible" (a cut without them),
    "alteration" (an editorial mark in square brackets, not a cut), or None."""
    if _WIDE.isdisjoint(marker):
        return _shape_by(marker, _BRACKETED, _POSSIBLE)
    return _shape_by(marker, *_patterns_of(_NEWEST, True))


def _shape_by(marker: str, bracketed: re.Pattern[str], possible: re.Pattern[str]) -> str | None:
    if bracketed.fullmatch(marker) and _is_cut(marker):
        return "bracketed"
    if possible.fullmatch(marker) and _is_cut(marker):
        return "possible"
    return "alteration" if _ALTERATION.fullmatch(marker) else None


def _shape_by_rule(rule: int, marker: str) -> str | None:
    """What a marker is by one of the earlier _RULES (as _shape_of)."""
    return _shape_by(marker, *_patterns_of(rule))


_SHAPES_KEPT = 100   # the shapes of the markers seen last are remembered, for markers up to this length
# (an archive's markers are a few, seen again and again; one argument: lru_cache's quickest key)
Shape = Callable[[str], str | None]
_SHAPE_BY: tuple[Shape, ...] = (*(functools.partial(_shape_by_rule, rule) for rule in range(_NEWEST)), _shape_of)
# (kept, plain) for each rule: the shape of a marker up to _SHAPES_KEPT characters, and of any
_SHAPES: tuple[tuple[Shape, Shape], ...] = tuple((functools.lru_cache(maxsize=128)(plain), plain)
                                                  for plain in _SHAPE_BY)


def _square_marks(text: str, block: bytes, limit: int,
                  rule: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The bracketed cuts and the alterations before `limit`, by one of _RULES: at each '[', a cut, else an
    alteration, else neither; then (by the newest rule) the cuts in other brackets, but inside an alteration.
    (East Asian marks are looked for only where the text's UTF-8 `block` holds E3, E7, EB or EF, or the text
    ⋯, ‥ or ···: see _WIDE.)"""
    cuts: list[tuple[int, int]] = []
    alterations: list[tuple[int, int]] = []
    find = text.find
    wide = rule == _NEWEST and (0xEF in block or 0xE3 in block or 0xE7 in block or 0xEB in block
                                or "\u22ef" in text or "\u2025" in text
                                or ("\u00b7" in text and "\u00b7\u00b7\u00b7" in text))
    bracketed, alteration = _patterns_of(rule, wide)[0].match, _ALTERATION.match
    at = find("[", 0, limit)
    while at >= 0:
        match = bracketed(text, at, limit)
        if match is not None and _is_cut(match.group()):
            cuts.append((at, match.end()))
        else:
            match = alteration(text, at, limit)
            if match is not None:
                alterations.append((at, match.end()))
        at = find("[", at + 1, limit)
    if wide:
        starts = [at for opener in _OTHER_OPENERS for at in _all(text, opener, limit)]
        for at in starts:
            match = bracketed(text, at, limit)
            if match is not None and _is_cut(match.group()) and not _inside(alterations, at):
                cuts.append((at, match.end()))
        cuts.sort()
    return cuts, alterations


def _inside(marks: list[tuple[int, int]], at: int) -> bool:
    """Whether `at` lies inside one of the sorted, disjoint `marks` (a cut in other brackets never holds a '[' or
    ']': it overlaps an alteration only when it lies inside it)."""
    index = bisect.bisect_right(marks, at, key=itemgetter(0)) - 1   # (the last to start before it)
    return index >= 0 and marks[index][0] < at < marks[index][1]


def _all(text: str, needle: str, limit: int) -> list[int]:
    """Where `needle` (one character) is in text[:limit]."""
    found: list[int] = []
    at = text.find(needle, 0, limit)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1, limit)
    return found


def _pair(value: object, size: int) -> tuple[int, int] | None:
    """A [start, end] pair of integers within 0..size, or None."""
    if (type(value) is list and len(value) == 2 and type(value[0]) is int and type(value[1]) is int
            and 0 <= value[0] <= value[1] <= size):
        return value[0], value[1]
    return None


def _spans(where: str, marks: list[tuple[int, int]]) -> str:
    shown = ", ".join(f"{start}-{end}" for start, end in marks[:5])
    return f"{where} {shown}{' ...' if len(marks) > 5 else ''}" if marks else f"no {where}"


def derived(doc: dict[str, Any], text: str, block: bytes, resource: ResourceFacts, *, full: bool = False) -> list[str]:
    """Disagreements between the facts the provenance JSON derives from the text and the text itself.

    Besides the entries' agreement with the bytes (checked by `sound` and `explain`), always: `@id`
    is the resource's WARC-Target-URI; every annotation's `@id`, source and two selectors; the
    parts are pairs in order; the markers are listed once each, in text order; each elision's kind
    fits its marker. With `full` (verify --deep) also what needs a walk over the text: the list of
    bracketed cuts and alterations is complete, the segments are the body cut there, the lines and
    columns are right. (The default stays cheap: these walks would cost verify about half again.)
    sound() checks the same default rules in its own pass: a rule changed here is changed there too.
    """
    try:
        return _derived(doc, text, block, resource, full)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:  # a shape no rule foresaw
        return [f"the provenance JSON is malformed ({type(exc).__name__}: {exc})"]


def _derived(doc: dict[str, Any], text: str, block: bytes, resource: ResourceFacts, full: bool) -> list[str]:
    out: list[str] = []
    size = len(text)
    doc_id = doc.get("@id")
    target = resource.target
    if target is not None and target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    if doc_id != target:
        out.append(f"@id {doc_id!r} cannot be matched: the resource record has no WARC-Target-URI" if target is None
                   else f"@id {doc_id!r} but the resource record's WARC-Target-URI is {target}")
    # parts: the segments lie in the body, the markers before the trailer (the rest is for --deep)
    parts = doc.get("parts")
    body = trailer = None
    given_trailer = None
    if type(parts) is dict:
        body = _pair(parts.get("body"), size)
        given_trailer = parts.get("trailer")
        trailer = _pair(given_trailer, size)
    if body is None or (given_trailer is not None and (trailer is None or trailer[0] < body[1])):
        out.append(f"parts {parts!r} has no body [start, end] within the text (0-{size}), or a trailer that is"
                   " not null or a [start, end] pair after it")
    limit = trailer[0] if trailer is not None else size

    # elisions and alterations: in order, without overlaps or repeats; every bracketed cut and alteration listed
    elisions = doc.get("elisions", [])
    alterations = doc.get("alterations", [])
    elisions = elisions if type(elisions) is list else []
    alterations = alterations if type(alterations) is list else []
    record = resource.record_id.strip("<>")
    generator = doc.get("generator")   # (a marker's shape: by the rule of the provpack that wrote it)
    rule = _marker_rule(generator if type(generator) is str else None)   # (cached: a list would not hash)
    shape_kept, shape_of = _SHAPES[rule]
    listed_cuts: list[tuple[int, int]] = []
    listed_alterations: list[tuple[int, int]] = []
    possible: list[tuple[int, int]] = []
    for key, marks in (("elisions", elisions), ("alterations", alterations)):
        previous = -1
        lines = _Lines(text)
        if not full:
            lines.at = -1   # (lines and columns: for --deep)
        for index, mark in enumerate(marks):
            if type(mark) is not dict:
                continue   # (said by the rule-by-rule check)
            get = mark.get
            start, end, marker = get("start"), get("end"), get("marker")
            if type(start) is not int or type(end) is not int or type(marker) is not str:
                continue
            if start < previous:
                out.append(f"{key}[{index}] at {start}-{end} comes before the end of the one listed before it"
                           f" ({previous}): each marker is listed once, in text order")
                lines.at = -1   # (lines and columns are not checked after a marker out of order)
            if end > previous:
                previous = end
            if lines.at >= 0 and (start > size or lines.line_column(start) != (get("line"), get("column"))
                                  or type(get("line")) is not int or type(get("column")) is not int):
                found = lines.line_column(start) if start <= size else None
                out.append(f"{key}[{index}]: line {get('line')!r} column {get('column')!r}, but character {start}"
                           f" is at line {found[0] if found else '?'} column {found[1] if found else '?'}")
            shape = shape_kept(marker) if len(marker) <= _SHAPES_KEPT else shape_of(marker)
            if key == "alterations":
                listed_alterations.append((start, end))
                if shape != "alteration":
                    out.append(f"{key}[{index}]: {marker!r} at {start}-{end} is not an editorial mark ('[sic]',"
                               " '[T]he')")
                continue
            kind = get("kind")
            if kind == "bracketed":
                listed_cuts.append((start, end))
                if shape != "bracketed":
                    out.append(f"{key}[{index}]: {marker!r} at {start}-{end} is not a bracketed elision marker"
                               " ('[...]', '[…]', '[. . .]')")
            elif kind != "possible":
                out.append(f"{key}[{index}]: kind {kind!r} is not 'bracketed' or 'possible'")
            elif shape != "possible" or end > limit:
                out.append(f"{key}[{index}]: {marker!r} at {start}-{end} is not a possible elision marker"
                           " ('...', '…', '. . .', '(...)', '(…)') before the trailer")
            else:
                possible.append((start, end))
            annotation = get("@id")
            if annotation is not None and annotation != f"{record}#elision-{start}":
                out.append(f"{key}[{index}]: @id {annotation!r} is not {record}#elision-{start}")
            target_of = get("oa:hasTarget")
            if type(target_of) is not dict:
                continue   # (said by the rule-by-rule check)
            source = target_of.get("oa:hasSource")
            source_id = source.get("@id") if type(source) is dict else source
            if source_id != doc_id or doc_id is None:
                out.append(f"{key}[{index}]: oa:hasSource {source_id!r} is not the excerpt's @id {doc_id!r}")
            selectors = target_of.get("oa:hasSelector")
            if type(selectors) is list and not (
                    len(selectors) == 2 and type(selectors[0]) is dict and type(selectors[1]) is dict
                    and (selectors[0].get("@type"), selectors[1].get("@type")) in _BOTH_ORDERS):
                types = [s.get("@type") if type(s) is dict else s for s in selectors]
                out.append(f"{key}[{index}]: oa:hasSelector holds {types!r}, not one {_POSITION} and one {_QUOTE}")
    out += alignment_messages(doc, text)   # (what alignment with an original adds: origcheck.py)
    if not full:
        return out
    cuts, square = _square_marks(text, block, limit, rule)
    if listed_cuts != cuts:
        out.append("elisions: the bracketed ones are not the text's bracketed cuts before the trailer ("
                   + _difference(cuts, listed_cuts, "a bracketed cut") + ")")
    if listed_alterations != square:
        out.append("alterations are not the text's bracketed editorial marks before the trailer ("
                   + _difference(square, listed_alterations, "one") + ")")
    if possible and (cuts or square):
        spans = sorted([*cuts, *square, *possible])
        for (_, end), (start, _) in zip(spans, spans[1:]):
            if start < end:
                out.append(f"a possible elision overlaps a bracketed mark at character {start}")
                break

    # segments: the body cut at its bracketed cuts, each piece trimmed of white space, empty ones left out
    segments = doc.get("segments", [])
    if body is not None and type(segments) is list:
        if not _segments_right(text, body, cuts, segments):
            listed = [(s["start"], s["end"]) if type(s) is dict and type(s.get("start")) is int
                      and type(s.get("end")) is int else (-1, -1) for s in segments]
            out.append("segments are not the body cut at its bracketed elisions ("
                       + _spans("expected", _segments_of(text, body, cuts)) + "; " + _spans("listed", listed) + ")")
        for index, segment in enumerate(segments):
            if type(segment) is dict and segment.get("index") != index:
                out.append(f"segments[{index}]: index {segment.get('index')!r} is not {index}")

    return out


_BOTH_ORDERS = ((_POSITION, _QUOTE), (_QUOTE, _POSITION))   # (compared as tuples: a @type that is a list or object is no error)


def _blank(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is empty or white space only."""
    return start >= end or text[start:end].isspace()


def _segments_right(text: str, body: tuple[int, int], cuts: list[tuple[int, int]], segments: list[Any]) -> bool:
    """Whether `segments` are the body's pieces between its cuts, each trimmed, the blank ones left out."""
    at, body_end = body
    index = 0
    count = len(segments)
    for cut_start, cut_end in [*(cut for cut in cuts if body[0] <= cut[0] and cut[1] <= body_end), (body_end, body_end)]:
        segment = segments[index] if index < count else None
        start = end = None
        if type(segment) is dict:
            start, end = segment.get("start"), segment.get("end")
        if (type(start) is int and type(end) is int and at <= start < end <= cut_start
                and not text[start].isspace() and not text[end - 1].isspace()
                and _blank(text, at, start) and _blank(text, end, cut_start)):
            index += 1
        elif not _blank(text, at, cut_start):
            return False
        at = cut_end
    return index == count


def _segments_of(text: str, body: tuple[int, int], cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The body's pieces between its cuts, each trimmed, the blank ones left out (for messages)."""
    found: list[tuple[int, int]] = []
    at = body[0]
    for start, end in [*(cut for cut in cuts if body[0] <= cut[0] and cut[1] <= body[1]), (body[1], body[1])]:
        piece = text[at:start]
        lead = len(piece) - len(piece.lstrip())
        if lead < len(piece):
            found.append((at + lead, start - (len(piece) - len(piece.rstrip()))))
        at = end
    return found


def _difference(expected: list[tuple[int, int]], listed: list[tuple[int, int]], what: str) -> str:
    """What differs between two lists of spans, in words."""
    missing = [span for span in expected if span not in listed]
    extra = [span for span in listed if span not in expected]
    said = [_spans("not listed:", missing)] if missing else []
    said += [_spans(f"listed but not {what}:", extra)] if extra else []
    return "; ".join(said) or "the same, listed in another order or repeated"


class _Lines:
    """Line and column of offsets given in increasing order, the text walked once."""

    __slots__ = ("text", "cr", "line", "line_start", "at")

    def __init__(self, text: str) -> None:
        self.text = text
        self.cr = "\r" in text
        self.line, self.line_start, self.at = 1, 0, 0

    def line_column(self, start: int) -> tuple[int, int]:
        """1-based line (a break is CR LF, CR or LF) and column (in code points) of `start`, not before the last."""
        at = self.at
        if start > at:
            text = self.text
            if self.cr:
                self.line += text.count("\r", at, start) + text.count("\n", at, start) - text.count("\r\n", at, start)
                found = max(text.rfind("\n", at, start), text.rfind("\r", at, start))
            else:
                self.line += text.count("\n", at, start)
                found = text.rfind("\n", at, start)
            if found >= 0:
                self.line_start = found + 1
            self.at = start
        return self.line, start - self.line_start + 1
