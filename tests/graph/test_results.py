"""Formatting query results: SPARQL 1.1 JSON, CSV, TSV, XML, a table, RDF for graphs."""
from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib

from mlsd.graph.errors import QueryError
from mlsd.graph.results import compact_iri, format_results

SELECT = "SELECT ?tool ?label WHERE { ?tool a mlsd:Tool ; rdfs:label ?label }"
ASK = "ASK { ?t a mlsd:Tool }"
CONSTRUCT = "CONSTRUCT { ?t rdfs:label ?l } WHERE { ?t a mlsd:Tool ; rdfs:label ?l }"


def fmt(kg, query, f):
    return format_results(kg, kg.sparql(query), f)


@pytest.mark.parametrize(("iri", "short"), [
    ("https://w3id.org/mlsd/id/tool/feast", "id:tool/feast"),
    ("https://w3id.org/mlsd/ontology#solves", "mlsd:solves"),
    ("http://www.w3.org/2004/02/skos/core#broader", "skos:broader"),
    ("urn:x", "<urn:x>"),
])
def test_compact_iri(iri, short):
    assert compact_iri(iri) == short


def test_json_is_sparql_results_json(example_kg):
    doc = json.loads(fmt(example_kg, SELECT, "json"))
    assert doc["head"]["vars"] == ["tool", "label"]
    (b,) = doc["results"]["bindings"]
    assert b["tool"] == {"type": "uri", "value": "https://w3id.org/mlsd/id/tool/evidently"}
    assert b["label"]["value"] == "Evidently" and b["label"]["type"] == "literal"


@pytest.mark.parametrize(("f", "delim"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_have_a_header(example_kg, f, delim):
    text = fmt(example_kg, SELECT, f)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    assert [c.lstrip("?") for c in rows[0]] == ["tool", "label"]
    assert len(rows) == 2 and "Evidently" in rows[1][1]


def test_xml_results(example_kg):
    text = fmt(example_kg, SELECT, "xml")
    assert "<sparql" in text and "evidently" in text


def test_table(example_kg):
    lines = fmt(example_kg, SELECT, "table").splitlines()
    assert lines[0].split() == ["tool", "label"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split()[0] == "id:tool/evidently"
    assert lines[-1] == "(1 rows)"


def test_table_truncates_long_cells(example_kg):
    lines = fmt(example_kg, "SELECT ?d WHERE { ?t a mlsd:Tool ; dcterms:description ?d }", "table").splitlines()
    assert len(lines[2]) == 60 and lines[2].endswith("…")


def test_ask(example_kg):
    assert fmt(example_kg, ASK, "table") == "true\n"
    assert json.loads(fmt(example_kg, ASK, "json")) == {"head": {}, "boolean": True}
    assert fmt(example_kg, "ASK { ?t a mlsd:Nothing }", "table") == "false\n"


def test_ask_in_a_graph_format(example_kg):
    with pytest.raises(QueryError, match=r"an ASK result cannot be written as ttl"):
        fmt(example_kg, ASK, "ttl")


def test_select_in_a_graph_format(example_kg):
    with pytest.raises(QueryError, match=r"a SELECT result cannot be written as nt"):
        fmt(example_kg, SELECT, "nt")


@pytest.mark.parametrize(("f", "parser"), [("table", "turtle"), ("ttl", "turtle"), ("nt", "nt")])
def test_construct_as_rdf(example_kg, f, parser):
    text = fmt(example_kg, CONSTRUCT, f)
    g = rdflib.Graph().parse(data=text, format=parser)
    assert len(g) == 1
    assert str(next(iter(g.objects()))) == "Evidently"


def test_construct_as_json_is_refused(example_kg):
    with pytest.raises(QueryError, match=r"a CONSTRUCT/DESCRIBE result cannot be written as json; use ttl or nt"):
        fmt(example_kg, CONSTRUCT, "json")
