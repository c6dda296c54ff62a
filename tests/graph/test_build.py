"""Building the RDF graph: each YAML field becomes the documented triple."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from mlsd.graph.build import SCHEME, build_graph, load_graph, load_ontology
from mlsd.graph.load import load_records
from mlsd.graph.vocab import DCTERMS, DOAP, ID, MLSD, RDF, RDFS, SCHEMA, SKOS, SPDX, to_iri


@pytest.fixture(scope="module")
def example_graph(example_path):
    return load_graph(example_path)


def iri(ref: str) -> URIRef:
    return to_iri(*ref.split("/", 1))


def test_every_item_has_its_class_and_label(example_graph, example_path):
    recs = load_records(example_path)
    from mlsd.graph.vocab import CLASS_OF
    for kind, table in recs.items.items():
        for slug, it in table.items():
            node = to_iri(kind, slug)
            assert (node, RDF.type, CLASS_OF[kind]) in example_graph
            assert example_graph.value(node, RDFS.label) == Literal(it["label"], lang="en")


def test_tool_fields(example_graph):
    t = iri("tool/evidently")
    g = example_graph
    assert g.value(t, DOAP.name) == Literal("Evidently")
    assert g.value(t, DOAP.homepage) == URIRef("https://www.evidentlyai.com/")
    assert g.value(t, DOAP.repository) == URIRef("https://github.com/evidentlyai/evidently")
    assert g.value(t, MLSD.licenseId) == Literal("Apache-2.0")
    assert g.value(t, DOAP.license) == SPDX["Apache-2.0"]
    assert g.value(t, DOAP["programming-language"]) == Literal("Python")
    assert g.value(t, MLSD.openSource) == Literal(True)
    assert g.value(t, MLSD.category) == iri("category/ml-monitoring")
    assert (t, MLSD.implements, iri("technique/drift-detection")) in g
    assert (t, MLSD.solves, iri("problem/data-distribution-shift")) in g
    assert (t, MLSD.stage, iri("stage/monitoring")) in g
    desc = g.value(t, DCTERMS.description)
    assert desc.language == "en" and "  " not in str(desc) and "\n" not in str(desc)


def test_proprietary_tool_has_no_spdx_licence(make_data_dir):
    data = make_data_dir(replace={"    license: Apache-2.0 ": "    license: proprietary ",
                                  "    open_source: true ": "    open_source: false "})
    g = load_graph(data)
    t = iri("tool/evidently")
    assert g.value(t, MLSD.licenseId) == Literal("proprietary")
    assert g.value(t, DOAP.license) is None
    assert g.value(t, MLSD.openSource) == Literal(False)


def test_alternatives_are_made_symmetric(make_data_dir):
    other = """tools:
  - id: other
    label: Other
    description: Another monitoring tool.
    homepage: https://example.org/other
    license: proprietary
    open_source: false
    category: category/ml-monitoring
    stages: [stage/monitoring]
    alternatives: [tool/evidently]
"""
    g = load_graph(make_data_dir(files={"other.yaml": other}))
    a, b = iri("tool/other"), iri("tool/evidently")
    assert (a, MLSD.alternativeTo, b) in g and (b, MLSD.alternativeTo, a) in g


def test_concepts_are_skos_concepts_in_the_scheme(example_graph):
    g = example_graph
    for ref in ("problem/data-distribution-shift", "technique/drift-detection", "concept/two-sample-test"):
        node = iri(ref)
        assert (node, RDF.type, SKOS.Concept) in g
        assert (node, SKOS.inScheme, SCHEME) in g
        assert len(list(g.objects(node, SKOS.prefLabel))) == 1
        assert g.value(node, SKOS.definition) is not None
    p = iri("problem/data-distribution-shift")
    assert {str(x) for x in g.objects(p, SKOS.altLabel)} == {"data drift", "dataset shift"}
    assert len(list(g.objects(p, MLSD.symptom))) == 1
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in g


def test_caused_by_becomes_causes_from_the_cause(make_data_dir):
    data = make_data_dir(patch=("problems", "data-distribution-shift", "caused_by", ["concept/two-sample-test"]))
    g = load_graph(data)
    assert (iri("concept/two-sample-test"), MLSD.causes, iri("problem/data-distribution-shift")) in g


def test_role_concerns_become_concern_of(example_graph):
    assert (iri("problem/data-distribution-shift"), MLSD.concernOf, iri("role/ml-engineer")) in example_graph


def test_book_chapter_and_sections(example_graph):
    g = example_graph
    ch, s, sub = iri("chapter/8"), iri("section/8.2"), iri("section/8.2.3")
    assert g.value(ch, MLSD.chapterNumber) == Literal(8)
    assert g.value(ch, MLSD.pageStart) == Literal(223)
    assert (ch, DCTERMS.isPartOf, iri("book/dmls")) in g
    assert (ch, RDF.type, SCHEMA.Chapter) in g
    assert g.value(s, DCTERMS.isPartOf) == ch
    assert g.value(sub, DCTERMS.isPartOf) == s
    assert g.value(sub, MLSD.inChapter) == ch and g.value(s, MLSD.inChapter) == ch
    assert g.value(sub, MLSD.sectionNumber) == Literal("8.2.3")
    assert g.value(sub, MLSD.pageStart) == Literal(239)
    book = iri("book/dmls")
    assert g.value(book, SCHEMA.author) == Literal("Chip Huyen")
    assert g.value(book, SCHEMA.datePublished) == Literal("2022", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))


def test_decision_options_are_nodes(example_graph):
    g = example_graph
    d = iri("decision/monitoring-granularity")
    options = sorted(g.objects(d, MLSD.option))
    assert options == [ID["decision/monitoring-granularity/option-1"], ID["decision/monitoring-granularity/option-2"]]
    assert all((o, RDF.type, MLSD.DecisionOption) in g for o in options)
    assert g.value(options[0], MLSD.refersTo) == iri("technique/drift-detection")
    assert g.value(options[1], MLSD.refersTo) is None
    assert g.value(d, MLSD.question) is not None
    assert len(list(g.objects(d, MLSD.tradeoff))) == 1


def test_stage_category_resource(example_graph):
    g = example_graph
    st = iri("stage/monitoring")
    assert g.value(st, MLSD.order) == Literal(7)
    assert (st, MLSD.stageChapter, iri("chapter/8")) in g
    assert (iri("category/ml-monitoring"), MLSD.stage, iri("stage/monitoring")) in g
    r = iri("resource/monitoring-ml-models")
    assert g.value(r, SCHEMA.url) == URIRef("https://example.org/monitoring-ml-models")
    assert g.value(r, MLSD.forChapter) == iri("chapter/8")
    assert (r, MLSD.about, iri("problem/data-distribution-shift")) in g
    assert g.value(r, MLSD.topic) == Literal("Monitoring", lang="en")


def test_with_ontology_toggle(example_path):
    recs = load_records(example_path)
    with_onto, without = build_graph(recs), build_graph(recs, with_ontology=False)
    assert (MLSD.Problem, RDFS.subClassOf, MLSD.Concept) in with_onto
    assert (MLSD.Problem, RDFS.subClassOf, MLSD.Concept) not in without
    assert len(with_onto) - len(without) == len(load_ontology())


def test_only_mlsd_iris_as_subjects_besides_the_ontology(example_path):
    g = build_graph(load_records(example_path), with_ontology=False)
    for s in set(g.subjects()):
        assert str(s).startswith(str(ID)), s


def test_build_is_deterministic(example_path):
    recs = load_records(example_path)
    assert isomorphic(build_graph(recs), build_graph(recs))
    assert set(build_graph(recs, with_ontology=False)) == set(build_graph(recs, with_ontology=False))
