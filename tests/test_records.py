"""Tests for provpack.records and provpack.provenance: deterministic records and their JSON-LD."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.errors import InputError
from provpack.metadata import merge
from provpack.model import FieldValue, Metadata
from provpack import provenance
from provpack.provenance import CONTEXT, FORMAT, to_json_bytes
from provpack._version import __version__
from provpack.records import NAMESPACE, document_records, header_value, record_id, uri_value, uuid5, warcinfo_record

from conftest import SEED_NAME, SEEDS
from strategies import excerpt_texts


def seed_records(sidecar: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    return raw, document_records(document, analyse(document), merge(document.parsed, sidecar))


def test_ids_depend_on_role_name_target_and_content() -> None:
    """Record ids are UUIDv5: stable, and different when any input differs."""
    base = record_id("excerpt", "a", "urn:x", "00")
    assert base == record_id("excerpt", "a", "urn:x", "00")
    assert base.startswith("<urn:uuid:") and base[24] == "5"
    others = {record_id("provenance", "a", "urn:x", "00"), record_id("excerpt", "b", "urn:x", "00"),
              record_id("excerpt", "a", "urn:y", "00"), record_id("excerpt", "a", "urn:x", "01")}
    assert base not in others and len(others) == 4


def test_resource_and_metadata_records() -> None:
    """The resource holds the exact bytes; the metadata record refers to it."""
    raw, (resource, metadata) = seed_records()
    digest = hashlib.sha256(raw).hexdigest()
    assert resource.block == raw and resource.warc_type == "resource" and resource.payload_digest
    assert resource.target_uri == f"urn:provpack:sha256:{digest}"
    assert metadata.warc_type == "metadata" and not metadata.payload_digest
    assert dict(metadata.extra_headers) == {"WARC-Refers-To": resource.record_id,
                                            "WARC-Concurrent-To": resource.record_id}
    assert metadata.content_type == "application/ld+json"
    assert resource.block_sha256 == digest and metadata.block_sha256 == hashlib.sha256(metadata.block).hexdigest()


def test_provenance_json_ld() -> None:
    """The JSON-LD has an inline context, PROV-O source, annotations whose selectors match."""
    raw, (resource, metadata) = seed_records({"source_url": "https://www.theatlantic.com/x/",
                                              "url": "https://blog.example.org/post"})
    assert metadata.block.endswith(b"\n") and metadata.block.count(b"\n") == 1
    description = json.loads(metadata.block)
    assert json.dumps(description, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" \
        == metadata.block
    assert description["@context"] == CONTEXT and description["format"] == FORMAT
    assert description["@id"] == "https://blog.example.org/post" == resource.target_uri
    assert description["prov:wasQuotedFrom"] == {
        "@id": "https://www.theatlantic.com/x/", "@type": "prov:Entity", "dcterms:date": "2017-11-12",
        "dcterms:publisher": "The Atlantic", "dcterms:title": "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help"}
    assert description["record_id"] == resource.record_id
    assert description["sha256"] == hashlib.sha256(raw).hexdigest()
    text = raw.decode()
    for elision in description["elisions"]:
        position, quote = elision["oa:hasTarget"]["oa:hasSelector"]
        assert (position["oa:start"], position["oa:end"]) == (elision["start"], elision["end"])
        assert quote["oa:exact"] == text[elision["start"]:elision["end"]] == elision["marker"]
        assert text[:elision["start"]].endswith(quote["oa:prefix"])
        assert text[elision["end"]:].startswith(quote["oa:suffix"])
        assert elision["omitted"] is None
    assert description["fields"]["title"]["from"] == "text"
    assert description["fields"]["url"]["from"] == "sidecar"


def test_header_injection_is_impossible() -> None:
    """A value with CR/LF can never reach a WARC header."""
    with pytest.raises(InputError, match="control character"):
        warcinfo_record("x.warc.gz", operator="me\r\nWARC-Type: response")


@pytest.mark.parametrize("bad", ["\x85", "\x9b", "\x80", "\x9f", "\u2028", "\u2029"])
def test_c1_controls_and_line_separators_never_reach_a_header(bad: str) -> None:
    """NEL, the other C1 controls and U+2028/U+2029 (line breaks to str.splitlines and Unicode readers) are refused."""
    with pytest.raises(InputError, match="control character"):
        warcinfo_record("x.warc.gz", operator=f"me{bad}WARC-Type: response")
    with pytest.raises(InputError, match="control character"):
        warcinfo_record(f"x{bad}.warc.gz")
    with pytest.raises(InputError, match="control character"):
        header_value(f"https://example.org/a{bad}b", what="url")


def test_warcinfo_fields() -> None:
    """warcinfo names the software, format, standard and description."""
    spec = warcinfo_record("seeds.warc.gz", operator="Jane Archivist")
    block = spec.block.decode()
    assert block.startswith("software: provpack/")
    assert "format: WARC File Format 1.1\r\n" in block
    assert "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/" in block
    assert "operator: Jane Archivist\r\n" in block
    assert dict(spec.extra_headers) == {"WARC-Filename": "seeds.warc.gz"}


@given(name=st.text(max_size=80))
def test_uuid5_is_the_standard_one(name: str) -> None:
    """The fast uuid5 spells exactly what uuid.uuid5 does."""
    try:
        expected = str(uuid.uuid5(NAMESPACE, name))
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            uuid5(NAMESPACE, name)
        return
    assert uuid5(NAMESPACE, name) == expected


@given(role=st.sampled_from(["excerpt", "provenance"]), name=st.text(max_size=40),
       target=st.none() | st.text(max_size=40), digest=st.text("0123456789abcdef", max_size=64))
def test_record_id_is_the_standard_uuid5(role: str, name: str, target: str | None, digest: str) -> None:
    """record_id, which hashes the namespace's cached bytes, is uuid.uuid5 of NAMESPACE and the joined key."""
    key = "\n".join((role, name, target or "", digest))
    try:
        expected = f"<urn:uuid:{uuid.uuid5(NAMESPACE, key)}>"
    except UnicodeEncodeError:
        return
    assert record_id(role, name, target, digest) == expected


JSON_LEAVES = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20)
               | st.floats(allow_nan=False, allow_infinity=False))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@given(value=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6))
def test_json_bytes_do_not_depend_on_orjson(value: dict[str, object]) -> None:
    """With or without orjson, to_json_bytes writes the same bytes (floats and big integers included)."""
    fast = to_json_bytes(value)
    with mock.patch.object(provenance, "_orjson", None):
        assert fast == to_json_bytes(value)
    assert json.loads(fast) == value


def test_descriptions_take_the_fast_json_path() -> None:
    """A real provenance description is plain (no float), and orjson and json agree on it."""
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    metadata = merge(document.parsed, {"title": "T", "tags": ["a", "b"], "count": 3, "when": None})
    description = provenance.describe(document, analyse(document), metadata, target_uri="urn:x",
                                      record_id="<urn:uuid:x>", sha256="00")
    assert provenance._plain([description])
    fast = to_json_bytes(description)
    with mock.patch.object(provenance, "_orjson", None):
        assert to_json_bytes(description) == fast


FIELD_VALUES = st.one_of(st.text(max_size=12), st.integers(-2**70, 2**70),
                         st.floats(allow_nan=False, allow_infinity=False), st.lists(st.text(max_size=8), max_size=3))


@given(text=excerpt_texts(), sidecar=st.none() | st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4),
       fields=st.dictionaries(st.sampled_from(["title", "publication", "author", "published", "source_url",
                                               "license"]), FIELD_VALUES, max_size=4))
@example(text="a [...] b", sidecar={"ratio": 1e16}, fields={})
@example(text="a", sidecar=None, fields={"title": 2.5e-08})
def test_describe_json_is_the_reference_serialisation(text: str, sidecar: dict[str, object] | None,
                                                      fields: dict[str, object]) -> None:
    """describe_json, which looks for floats only in the sidecar and fields, writes to_json_bytes(describe())."""
    # source_url an address, as load_sidecar lets through (merge makes an int text, which would not be one)
    if isinstance(fields.get("source_url"), (str, int)):
        fields["source_url"] = "https://example.org/" + str(fields["source_url"]).replace("%", "%25")
    document = parse_document("doc", text.encode("utf-8"))
    analysis = analyse(document)
    metadata = merge(document.parsed, None if sidecar is None and not fields else {**(sidecar or {}), **fields})
    arguments = dict(target_uri="urn:x", record_id="<urn:uuid:x>", sha256="00")
    expected = to_json_bytes(provenance.describe(document, analysis, metadata, **arguments))  # type: ignore[arg-type]
    assert provenance.describe_json(document, analysis, metadata, **arguments) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("sidecar", [None, {"notes": "n"}])
def test_describe_json_without_sorting_writes_the_sorted_bytes(sidecar: dict[str, object] | None) -> None:
    """Without sidecar, orjson writes describe's dicts as built (no sorting): every key must already be in order."""
    text = ("12 November 2017\n\nThe Atlantic: Al-Qaeda Has Rebuilt\n\nIt [...] grew (...) and [sic] spread... "
            "far [. . .] away\n\nNo comments:\nPost a Comment\n")
    document = parse_document("doc", text.encode("utf-8"))
    analysis = analyse(document)
    assert {f.name for f in document.parsed} == {"published", "publication", "title"} and analysis.alterations
    assert {e.kind for e in analysis.elisions} == {"bracketed", "possible"} and document.trailer is not None
    metadata = merge(document.parsed, sidecar)
    arguments = dict(target_uri="urn:x", record_id="<urn:uuid:x>", sha256="00")
    expected = to_json_bytes(provenance.describe(document, analysis, metadata, **arguments))  # type: ignore[arg-type]
    assert provenance.describe_json(document, analysis, metadata, **arguments) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value, overridden", [(2.5e-08, None), ("t", 1e16), ("t", 2.5e-08)])
def test_describe_json_checks_field_values_apart_from_the_sidecar(value: object, overridden: object) -> None:
    """A float in a field (not in the sidecar) still goes through json, as to_json_bytes(describe()) would."""
    document = parse_document("doc", b"a [...] b")
    metadata = Metadata(fields={"title": FieldValue(value, "sidecar", overridden=overridden)},  # type: ignore[arg-type]
                        sidecar=None)
    arguments = dict(target_uri="urn:x", record_id="<urn:uuid:x>", sha256="00")
    expected = to_json_bytes(provenance.describe(document, analyse(document), metadata, **arguments))  # type: ignore[arg-type]
    assert provenance.describe_json(document, analyse(document), metadata, **arguments) == expected  # type: ignore[arg-type]


def _documented_id(role: str, name: str, target: str | None, block: bytes) -> str:
    """A record id by docs/format.md's recipe, with the uuid module alone."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:provpack")
    return f"<urn:uuid:{uuid.uuid5(namespace, chr(10).join((role, name, target or '', hashlib.sha256(block).hexdigest())))}>"


def test_warcinfo_record_in_full() -> None:
    """The default warcinfo: its exact block (default description, no operator) and every field of its spec."""
    spec = warcinfo_record("seeds.warc.gz")
    assert spec.block == (
        f"software: provpack/{__version__}\r\nformat: WARC File Format 1.1\r\n"
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
        "description: Quoted excerpts with their elision markers and provenance, packaged by provpack\r\n"
    ).encode()
    assert (spec.warc_type, spec.target_uri, spec.content_type, spec.payload_digest) == (
        "warcinfo", None, "application/warc-fields", False)
    assert spec.record_id == _documented_id("warcinfo", "seeds.warc.gz", None, spec.block)
    assert b"description: Mine\r\n" in warcinfo_record("x.warc.gz", description="Mine").block


def test_excerpt_records_follow_the_documented_recipe() -> None:
    """The excerpt's content type and both record ids are what docs/format.md says, namespace included."""
    raw, (resource, metadata) = seed_records()
    assert resource.content_type == "text/plain; charset=utf-8"
    assert resource.record_id == _documented_id("excerpt", SEED_NAME, resource.target_uri, raw)
    assert metadata.record_id == _documented_id("provenance", SEED_NAME, resource.target_uri, metadata.block)


def test_header_value_errors_in_full() -> None:
    """A refused header value names what it is for, the value, and what to do."""
    with pytest.raises(InputError) as caught:
        warcinfo_record("x\n.warc.gz")
    assert str(caught.value) == ("output file name: control character in a WARC header value: 'x\\n.warc.gz'; "
                                 "remove line breaks and control characters")


def test_uri_value_refuses_control_characters_and_what_has_no_uri() -> None:
    """A URI header value: control characters refused before percent-encoding could hide them; no scheme, an
    InputError saying so; an IRI, its URI."""
    with pytest.raises(InputError, match="doc: url: control character in a WARC header value"):
        uri_value("https://example.org/a\nb", what="doc: url")
    with pytest.raises(InputError) as caught:
        uri_value("example.org/a", what="doc: url")
    assert str(caught.value) == "doc: url: it does not begin with a scheme (such as https:); check the address"
    assert uri_value("https://example.org/\u00e9", what="doc: url") == "https://example.org/%C3%A9"


def test_provenance_terms_format_and_quote_context_as_documented() -> None:
    """format is 'provpack-provenance/1'; title, published and license are dcterms of the excerpt; publication,
    title, author and published of its source; quote selectors hold 32 characters each side."""
    raw, (resource, metadata) = seed_records({"source_url": "https://www.theatlantic.com/x/", "author": "A. Writer",
                                              "license": "CC-BY-4.0"})
    description = json.loads(metadata.block)
    assert description["format"] == "provpack-provenance/1"
    assert (description["dcterms:title"], description["dcterms:date"], description["dcterms:license"]) == (
        "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help", "2017-11-12", "CC-BY-4.0")
    assert description["prov:wasQuotedFrom"]["dcterms:creator"] == "A. Writer"
    text = raw.decode()
    for elision in description["elisions"]:
        quote = elision["oa:hasTarget"]["oa:hasSelector"][1]
        assert quote["oa:prefix"] == text[elision["start"] - 32:elision["start"]]
        assert quote["oa:suffix"] == text[elision["end"]:elision["end"] + 32]


def test_aligned_original_is_frozen() -> None:
    """An AlignedOriginal, once made, cannot be changed."""
    import dataclasses
    original = provenance.AlignedOriginal({}, "text", "urn:x", "<urn:uuid:x>", None)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.text = "other"  # type: ignore[misc]


def test_a_source_url_with_no_uri_form_is_an_input_error() -> None:
    """A sidecar source_url (as verify --deep reads one back) that has no URI form is an InputError saying why."""
    with pytest.raises(InputError) as caught:
        seed_records({"source_url": "no scheme"})
    assert str(caught.value) == "source_url: it does not begin with a scheme (such as https:); check the address"


def test_alterations_and_a_quote_near_the_start_in_full() -> None:
    """Each alteration's entry in full; a cut near the start has the whole text before it as prefix."""
    text = "[T]he said [...] it."
    document = parse_document("doc", text.encode())
    _, metadata = document_records(document, analyse(document), merge(document.parsed, None))
    description = json.loads(metadata.block)
    assert description["alterations"] == [{"marker": "[T]", "start": 0, "end": 3, "byte_start": 0, "byte_end": 3,
                                           "line": 1, "column": 1}]
    [elision] = description["elisions"]
    quote = elision["oa:hasTarget"]["oa:hasSelector"][1]
    assert (quote["oa:prefix"], quote["oa:exact"], quote["oa:suffix"]) == ("[T]he said ", "[...]", " it.")


def test_json_bytes_refuse_nan_and_keep_an_overridden_value() -> None:
    """NaN has no JSON form (to_json_bytes refuses it); a sidecar value that replaces the text's keeps the text's."""
    with pytest.raises(ValueError):
        to_json_bytes({"ratio": float("nan")})
    _, (_, metadata) = seed_records({"title": "Another Title"})
    title = json.loads(metadata.block)["fields"]["title"]
    assert (title["value"], title["from"], title["overridden"]) == (
        "Another Title", "sidecar", "Al-Qaeda Has Rebuilt Itself\u2014With Iran's Help")


def _documented_recipe() -> tuple[str, dict[str, list[str]]]:
    """From docs/format.md: the namespace UUID it gives, and each row of its record-id table (the record, then the
    role strings written in its ROLE cell)."""
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
    namespace = re.search(r'`uuid\.uuid5\(uuid\.NAMESPACE_URL, "urn:provpack"\)` = `([0-9a-f-]{36})`', text)
    assert namespace is not None
    table = text[text.index("| record | `ROLE` | `NAME` | `TARGET` |"):]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table[:table.index("\n\n")].split("\n")[2:]]
    return namespace.group(1), {row[0]: re.findall(r"`([a-z]+)`", row[1]) for row in rows}


def test_record_ids_are_what_docs_format_md_says(tmp_path: Path) -> None:
    """Every record id of an archive with a local original and a fetched one (a redirect hop, a conversion) is
    recomputed from the recipe docs/format.md gives, with the standard library's uuid5 (not provpack's): its
    namespace, its table's role strings, the four parts joined with "\\n", the block's sha256 hex without
    "sha256:", the provenance keyed by its excerpt's target, a request and its response named by their exchange
    (date, address, both blocks' sha256), a conversion by its source record. So is the committed archive's."""
    import shutil

    from warcio.archiveiterator import ArchiveIterator

    from localserver import serve
    from provpack.package import package

    namespace, roles = _documented_recipe()
    assert namespace == str(NAMESPACE) == str(uuid.uuid5(uuid.NAMESPACE_URL, "urn:provpack"))
    role = {"warcinfo": roles["`warcinfo`"], "excerpt": roles["excerpt `resource`"],
            "provenance": roles["provenance `metadata`"], "original": roles["local original `resource`"],
            "request": roles["`request`, `response`"][:1], "response": roles["`request`, `response`"][1:],
            "conversion": roles["`conversion`"]}
    assert role == {kind: [kind] for kind in role}   # (one role string each, the record's own word for it)

    def recomputed(kind: str, name: str, target: str | None, block: bytes) -> str:
        parts = (role[kind][0], name, target or "", hashlib.sha256(block).hexdigest())
        return f"<urn:uuid:{uuid.uuid5(uuid.UUID(namespace), chr(10).join(parts))}>"

    source = tmp_path / "src"
    shutil.copytree(SEEDS, source)
    (source / "decl.txt").write_text("We hold these truths to be self-evident, that all men are created equal [...]\n",
                                     encoding="utf-8")
    shutil.copy(Path(__file__).parent / "data" / "originals" / "declaration.html", source / "decl.html")
    (source / "decl.yaml").write_text("original: decl.html\n", encoding="utf-8")
    (source / "fetched.txt").write_text("Some text [...] here.\n", encoding="utf-8")
    with serve() as server:
        (source / "fetched.yaml").write_text(f"source_url: {server.url('/redirect')}\n", encoding="utf-8")
        archive = package(source, out=tmp_path / "out.warc.gz", fetch=True, allow_private=True).warc_path
    committed = Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz"
    excerpt = ["excerpt", "provenance"]
    for path, kinds in ((archive, ["warcinfo", *excerpt, *excerpt, "original", "conversion", *excerpt, "request",
                                   "response", "request", "response", "conversion"]),
                        (committed, ["warcinfo", *excerpt])):
        with path.open("rb") as handle:
            found = [(dict(record.rec_headers.headers), record.raw_stream.read())
                     for record in ArchiveIterator(handle, no_record_parse=True)]
        described = {headers["WARC-Refers-To"]: json.loads(block) for headers, block in found
                     if headers["WARC-Type"] == "metadata"}   # excerpt record id -> its provenance
        targets = {headers["WARC-Record-ID"]: headers.get("WARC-Target-URI") for headers, _ in found}
        by_id = {headers["WARC-Record-ID"]: (headers, block) for headers, block in found}
        seen = []
        for headers, block in found:
            kind, own = headers["WARC-Type"], headers["WARC-Record-ID"]
            if kind == "warcinfo":
                expected = recomputed(kind, headers["WARC-Filename"], None, block)
            elif kind == "metadata":
                kind, refers_to = "provenance", headers["WARC-Refers-To"]
                expected = recomputed(kind, described[refers_to]["name"], targets[refers_to], block)
            elif kind == "resource" and own in described:
                kind = "excerpt"
                expected = recomputed(kind, described[own]["name"], headers["WARC-Target-URI"], block)
            elif kind in ("request", "response"):   # named by the exchange: date, address, both blocks' sha256
                other, other_block = by_id[headers["WARC-Concurrent-To"]]
                request, response = (block, other_block) if kind == "request" else (other_block, block)
                address = (headers if kind == "response" else other).get("WARC-IP-Address", "")
                exchange = " ".join((headers["WARC-Date"], address, hashlib.sha256(request).hexdigest(),
                                     hashlib.sha256(response).hexdigest()))
                expected = recomputed(kind, exchange, headers["WARC-Target-URI"], block)
            elif kind == "conversion":   # named by its source record
                expected = recomputed(kind, headers["WARC-Refers-To"], headers["WARC-Target-URI"], block)
            else:
                kind = "original" if kind == "resource" else kind
                expected = recomputed(kind, "", headers["WARC-Target-URI"], block)
            assert own == expected, (path.name, kind)
            seen.append(kind)
        assert seen == kinds
