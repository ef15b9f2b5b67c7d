"""The provenance JSON read as Linked Data: a JSON-LD processor (pyld), offline, against PROV-O and Web Annotation."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from warcio.archiveiterator import ArchiveIterator

from provpack.document import parse_document
from provpack.elisions import analyse
from provpack.metadata import merge
from provpack.package import package
from provpack.provenance import CONTEXT
from provpack.records import document_records

from conftest import ARCHIVE, SEED_NAME, SEEDS
from localserver import serve
from test_package_originals import make_source

OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
LIST_LINKS = {RDF + "first", RDF + "rest"}   # the links of an rdf:List, for keys the context declares @list
VOCAB = "urn:provpack:terms:"
DATE = dt.datetime(2017, 11, 12, tzinfo=dt.timezone.utc)
# one N-Quads line: subject, predicate, object (IRI, blank node or literal with datatype/language), default graph
_QUAD = re.compile(r'^(<[^>]*>|_:\S+) <([^>]*)> (<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@\S+)?) \.$')
# an absolute IRI (RFC 3987): a scheme, then no white space, controls or the characters IRIs exclude
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\x00-\x1f\x7f]+$')


def _no_network(url: str, options: object = None) -> Any:
    raise AssertionError(f"the JSON-LD processor tried to load {url}: the context must be inline")


Quad = tuple[str, str, str]


def to_quads(description: dict[str, Any]) -> list[Quad]:
    """The description as RDF (subject, predicate, object), converted offline."""
    nquads = jsonld.to_rdf(description, {"format": "application/n-quads", "documentLoader": _no_network})
    quads = []
    for line in nquads.splitlines():
        match = _QUAD.match(line)
        assert match is not None, line
        quads.append((match[1], match[2], match[3]))
    return quads


def metadata_blocks(path: Path) -> list[dict[str, Any]]:
    """Every provenance JSON in an archive."""
    with path.open("rb") as handle:
        return [json.loads(record.content_stream().read()) for record in ArchiveIterator(handle)
                if record.rec_type == "metadata"]


@pytest.fixture(scope="module")
def descriptions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """The seed archive's provenance and that of excerpts with a local and with a fetched original."""
    base = tmp_path_factory.mktemp("jsonld")
    found = {"seed": metadata_blocks(ARCHIVE / "seeds.warc.gz")[0]}
    make_source(base / "local", "original: decl.html\ntitle: Declaration\nauthor: [Thomas Jefferson, John Adams]\n"
                "publication: Congress\nlicense: public domain\nurl: https://example.org/quote\n")
    package(base / "local", out=base / "local.warc.gz", date=DATE)
    found["local"] = metadata_blocks(base / "local.warc.gz")[0]
    with serve() as server:
        make_source(base / "fetched", f"source_url: {server.url('/redirect')}\n", with_copy=False)
        package(base / "fetched", out=base / "fetched.warc.gz", date=DATE, fetch=True, allow_private=True)
    found["fetched"] = metadata_blocks(base / "fetched.warc.gz")[0]
    yield found


def _expected_predicates(value: Any, context: dict[str, Any], out: set[str]) -> set[str]:
    """The predicate IRI of every key whose value is not null or empty (JSON-LD drops those: no statement)."""
    if isinstance(value, list):
        for item in value:
            _expected_predicates(item, context, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("@"):
                continue
            definition = context.get(key)
            as_list = isinstance(definition, dict) and definition.get("@container") == "@list"
            literal = isinstance(definition, dict) and definition.get("@type") == "@json"   # null included
            if (item is not None or literal) and (item != [] or as_list):   # an empty @list is rdf:nil
                prefix, colon, rest = key.partition(":")
                out.add(context[prefix] + rest if colon and prefix in context else context["@vocab"] + key)
            if not literal:
                _expected_predicates(item, context, out)
    return out


@pytest.mark.parametrize("which", ["seed", "local", "fetched"])
def test_every_key_becomes_a_statement_offline(descriptions: dict[str, dict[str, Any]], which: str) -> None:
    """Expanded with the inline context and nothing fetched, no key with a value is dropped; ours are urn:provpack:terms:."""
    description = descriptions[which]
    assert description["@context"] == CONTEXT and CONTEXT["@vocab"] == VOCAB
    quads = to_quads(description)
    predicates = {p for _, p, _ in quads}
    assert _expected_predicates(description, CONTEXT, set()) == predicates - {RDF_TYPE} - LIST_LINKS
    for subject, predicate, obj in quads:
        assert _IRI.match(predicate) and predicate.startswith((VOCAB, OA, PROV, DCTERMS, RDF)), predicate
        for term in (subject, obj):
            if term.startswith("<"):
                assert _IRI.match(term[1:-1]), term
    compacted = jsonld.compact(jsonld.expand(description, {"documentLoader": _no_network}), CONTEXT,
                               {"documentLoader": _no_network})
    assert compacted["@id"] == description["@id"] and compacted["format"] == description["format"]


@pytest.mark.parametrize("which", ["seed", "local", "fetched"])
def test_prov_and_web_annotation_terms_are_used_as_defined(descriptions: dict[str, dict[str, Any]],
                                                           which: str) -> None:
    """PROV-O Entities, Annotations motivated by the oa:describing IRI, IRI sources, typed selectors and literals."""
    description = descriptions[which]
    quads = to_quads(description)
    excerpt = f"<{description['@id']}>"
    types = {(s, o) for s, p, o in quads if p == RDF_TYPE}
    assert (excerpt, f"<{PROV}Entity>") in types
    quoted = [o for s, p, o in quads if p == PROV + "wasQuotedFrom"]   # domain and range prov:Entity
    assert len(quoted) == 1 and (quoted[0], f"<{PROV}Entity>") in types
    annotations = [s for s, o in types if o == f"<{OA}Annotation>"]
    assert len(annotations) == len(description["elisions"]) > 0
    # Web Annotation Data Model 3.1: each Annotation MUST have exactly one IRI (no blank node)
    assert sorted(annotations) == sorted(f"<{e['@id']}>" for e in description["elisions"])
    assert all(_IRI.match(a[1:-1]) for a in annotations)
    for annotation in annotations:
        assert (annotation, OA + "motivatedBy", f"<{OA}describing>") in quads   # an oa:Motivation, not a string
    sources = [o for _, p, o in quads if p == OA + "hasSource"]
    assert sources and all(o.startswith("<") for o in sources)   # IRIs, not literals
    assert f"{excerpt}" in sources
    selectors = {o for _, p, o in quads if p == OA + "hasSelector"}
    selector_types = {t for s, t in types if s in selectors}
    assert selector_types == {f"<{OA}TextPositionSelector>", f"<{OA}TextQuoteSelector>"}
    for _, predicate, obj in quads:
        if predicate in (OA + "start", OA + "end"):   # range xsd:nonNegativeInteger, typed so as anno.jsonld does
            assert obj.endswith(f"^^<{XSD}nonNegativeInteger>") and int(obj[1:obj.index('"', 1)]) >= 0
        elif predicate in (OA + "exact", OA + "prefix", OA + "suffix"):   # range xsd:string
            assert obj.startswith('"') and obj.endswith('"')


def test_offsets_stay_the_same_after_rdf(descriptions: dict[str, dict[str, Any]]) -> None:
    """Each annotation's TextPositionSelector in RDF holds the marker's start and end."""
    description = descriptions["seed"]
    quads = to_quads(description)
    starts = sorted(int(o[1:o.index('"', 1)]) for _, p, o in quads if p == OA + "start")
    assert starts == sorted(e["start"] for e in description["elisions"])


def _seed_description(sidecar: dict[str, Any] | None) -> dict[str, Any]:
    raw = (SEEDS / f"{SEED_NAME}.txt").read_bytes()
    document = parse_document(SEED_NAME, raw)
    _, metadata = document_records(document, analyse(document), merge(document.parsed, sidecar))
    return dict(json.loads(metadata.block))


def test_sidecar_keys_are_data_not_json_ld() -> None:
    """A sidecar's keys (@id, @context, foo:bar, a key with a space) are kept as given and change nothing else."""
    sidecar = {"@context": "http://127.0.0.1:9/context.jsonld", "foo:bar": 1, "my key": 2, "sha256": "forged"}
    description = _seed_description(sidecar)
    sidecar["@id"] = description["@id"]   # a YAML key "@id" naming the excerpt would merge its sidecar into it
    description["sidecar"] = sidecar
    quads = to_quads(description)
    assert len([o for s, p, o in quads if p == VOCAB + "sha256" and s == f"<{description['@id']}>"]) == 1
    literal = [o for _, p, o in quads if p == VOCAB + "sidecar"]
    assert len(literal) == 1 and literal[0].endswith("^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>")


def test_offset_pairs_keep_their_order() -> None:
    """`parts`, `span` and `byte_span` pairs are ordered lists in RDF, not sets (a set loses [5, 5] and the order)."""
    description = _seed_description(None)
    description["parts"]["header"] = [5, 5]
    quads = to_quads(description)
    header = [o for _, p, o in quads if p == VOCAB + "header"]
    assert len(header) == 1 and header[0].startswith("_:")   # one rdf:List node, not two (or one) integers


def _keys(value: Any, out: set[str]) -> set[str]:
    """Every key written by provpack (the sidecar's own keys and the field names aside)."""
    if isinstance(value, list):
        for item in value:
            _keys(item, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            if key not in ("sidecar", "fields", "@context"):
                _keys(item, out)
    return out


def test_docs_name_every_key_written(descriptions: dict[str, dict[str, Any]]) -> None:
    """docs/format.md, the contract, shows every key of the seed's, a local and a fetched original's provenance."""
    contract = (Path(__file__).resolve().parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
    written: set[str] = set()
    for description in descriptions.values():
        _keys(description, written)
        for field in description["fields"].values():
            _keys(field, written)
    assert sorted(key for key in written if f'"{key}"' not in contract) == []


def test_annotation_iris_differ_between_documents_of_one_text() -> None:
    """The same text published at two addresses gives two documents whose annotations have distinct IRIs
    (each under its own record's id), the same for the same document packaged again."""
    one = _seed_description({"url": "https://a.example/post"})
    two = _seed_description({"url": "https://b.example/post"})
    again = _seed_description({"url": "https://a.example/post"})
    ids = [[e["@id"] for e in d["elisions"]] for d in (one, two, again)]
    assert ids[0] == ids[2] and not set(ids[0]) & set(ids[1])
    assert all(i.startswith(one["record_id"].strip("<>") + "#elision-") for i in ids[0])


# N-Quads' IRIREF (W3C RDF 1.1 N-Quads, production [10]): what an RDF reader accepts between < and >.
_IRIREF = re.compile(r'<(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')


def test_addresses_with_characters_uris_forbid_are_uris_in_warc_and_rdf(tmp_path: Path) -> None:
    """A sidecar url and source_url holding <>{}|"\\^`[] and a second #: WARC-Target-URI, the provenance
    @id, prov:wasQuotedFrom's @id and the original's target are one RFC 3986 URI, percent-encoded, and
    to_rdf writes them as IRIs an N-Quads reader takes; the fields keep the addresses as written."""
    from test_iri import RFC3986_URI
    from test_package_originals import records

    url = "https://ex.org/a<b>{c}|d\"e\\f^g`h[i]?q=[1]#x#y"
    source = "https://news.example/x<y>/{z}"
    folder = make_source(tmp_path / "src", f"url: '{url}'\nsource_url: '{source}'\noriginal: decl.html\n")
    result = package(folder, out=tmp_path / "out.warc.gz", date=DATE)
    targets = [h["WARC-Target-URI"] for h, _ in records(result.warc_path) if "WARC-Target-URI" in h]
    assert targets == ["https://ex.org/a%3Cb%3E%7Bc%7D%7Cd%22e%5Cf%5Eg%60h%5Bi%5D?q=%5B1%5D#x%23y",
                       "https://news.example/x%3Cy%3E/%7Bz%7D", "https://news.example/x%3Cy%3E/%7Bz%7D"]
    assert all(RFC3986_URI.fullmatch(target) for target in targets)
    (description,) = metadata_blocks(result.warc_path)
    assert description["@id"] == targets[0]
    assert description["prov:wasQuotedFrom"]["@id"] == description["original"]["target_uri"] == targets[1]
    assert description["fields"]["url"]["value"] == url and description["fields"]["source_url"]["value"] == source
    iris = {term for quad in to_quads(description) for term in (quad[0], quad[2]) if term.startswith("<")}
    assert f"<{targets[0]}>" in iris and f"<{targets[1]}>" in iris
    assert all(_IRIREF.fullmatch(iri) for iri in iris), sorted(iri for iri in iris if not _IRIREF.fullmatch(iri))


_ORIGINAL_TEXT = ("Short start. We hold these truths to be self-evident, that all men are created equal, that they are "
                  "endowed by their Creator with certain unalienable Rights, that among these are Life, Liberty and "
                  "the pursuit of Happiness.")


def _aligned_description(excerpt: str) -> dict[str, Any]:
    """The description of `excerpt` aligned with _ORIGINAL_TEXT, as package() would write it."""
    from provpack.align import align
    from provpack.provenance import AlignedOriginal, describe
    document = parse_document("doc", excerpt.encode())
    analysis = analyse(document)
    alignment = align(document.text, [(s.span.start, s.span.end) for s in analysis.segments],
                      [(e.marker.span.start, e.marker.span.end, e.kind) for e in analysis.elisions],
                      _ORIGINAL_TEXT, quoted=(document.body.start, document.body.end))
    original = AlignedOriginal(description={"how": "local"}, text=_ORIGINAL_TEXT, target_uri="urn:example:original",
                               conversion_record_id="<urn:uuid:conversion>", alignment=alignment)
    return describe(document, analysis, merge(document.parsed, None), target_uri="urn:example:excerpt",
                    record_id="<urn:uuid:excerpt>", sha256="0" * 64, original=original)


def test_omitted_passages_select_the_original_text_with_32_characters_each_side() -> None:
    """Each omitted passage's quote selector: up to 32 characters of the original before it (all of them near
    its start) and 32 after; its position selector and record point into the conversion record's text."""
    description = _aligned_description("Short start. [...] these truths to be self-evident, that all men are "
                                       "created equal [...] among these are Life, Liberty and the pursuit of "
                                       "Happiness.\n")
    first, second = (elision["omitted"] for elision in description["elisions"])
    assert (first["text"], first["start"], first["end"]) == ("We hold", 13, 20)
    assert (second["start"], second["end"]) == (84, 162)
    assert second["text"] == _ORIGINAL_TEXT[84:162]
    assert first["oa:hasSelector"] == [
        {"@type": "oa:TextPositionSelector", "oa:start": 13, "oa:end": 20},
        {"@type": "oa:TextQuoteSelector", "oa:exact": "We hold", "oa:prefix": "Short start. ",
         "oa:suffix": " these truths to be self-evident"}]
    quote = second["oa:hasSelector"][1]
    assert (quote["oa:prefix"], quote["oa:suffix"]) == (", that all men are created equal",
                                                       " among these are Life, Liberty a")
    for omitted in (first, second):
        assert omitted["record_id"] == "<urn:uuid:conversion>"
        assert omitted["oa:hasSource"] == {"@id": "urn:example:original"}


def test_segments_name_where_the_original_has_them_and_whether_in_order() -> None:
    """With an original, each segment gains source_start/source_end into its text and in_order; a segment quoted
    before one the original has earlier is out of order."""
    excerpt = ("Among these are Life, Liberty and the pursuit of Happiness [...] these truths to be self-evident, "
               "that all men are created equal.\n")
    description = _aligned_description(excerpt)
    sources = [(s["source_start"], s["source_end"], s["in_order"]) for s in description["segments"]]
    assert sources == [(163, 221, True), (21, 84, False)]
    assert _ORIGINAL_TEXT[163:221] == "among these are Life, Liberty and the pursuit of Happiness"
    assert _ORIGINAL_TEXT[21:84] == excerpt[65:128]   # the segment without its final full stop
    assert description["out_of_order"] == [[0, 1]]
