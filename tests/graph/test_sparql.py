"""Named queries (graph/queries/*.rq) and the one function that runs SPARQL."""
from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from mlsd.graph.errors import QueryError
from mlsd.graph.sparql import list_queries, load_query, run_sparql, to_term
from mlsd.graph.vocab import PREFIXES

QUERIES = list_queries()
ID = "https://w3id.org/mlsd/id/"


def _inputs(text: str) -> list[str]:
    """Variables a query's header comment declares as inputs (``Input: ?x``)."""
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    m = re.search(r"Inputs?:\s*((?:\?\w+(?:\s*\([^)]*\))?[,\s]*(?:and\s*)?)+)", header)
    return re.findall(r"\?(\w+)", m.group(1)) if m else []


def _projection(text: str) -> str:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return re.search(r"SELECT\s+(.*?)\s*WHERE", body, re.S | re.I).group(1)


def test_there_are_named_queries():
    assert len(QUERIES) >= 10
    assert {"tools_for_problem", "where_discussed", "node_index", "graph_edges"} <= set(QUERIES)


@pytest.mark.parametrize("name", QUERIES)
def test_query_starts_with_a_comment(name):
    text = load_query(name)
    first = text.splitlines()[0]
    assert first.startswith("# ") and len(first) > 10, f"{name}.rq must begin with a comment on its purpose"
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any(re.search(r"\bInputs?\b|\bNo inputs\b|\bVariables\b", line) for line in header), \
        f"{name}.rq must say what its inputs are"


@pytest.mark.parametrize("name", QUERIES)
def test_query_parses_with_rdflib(name):
    prepareQuery(load_query(name), initNs=PREFIXES)


@pytest.mark.parametrize("name", QUERIES)
def test_query_parses_with_oxigraph(name):
    res = ox.Store().query(load_query(name), prefixes=PREFIXES)
    assert isinstance(res, ox.QuerySolutions)
    assert list(res) == [] or name in ("class_counts",)  # an empty store yields no rows


@pytest.mark.parametrize("name", QUERIES)
def test_bound_inputs_are_projected(name):
    text = load_query(name)
    projection = _projection(text)
    for var in _inputs(text):
        assert re.search(rf"\?{var}\b", projection), f"{name}.rq: input ?{var} must be projected in SELECT"


#: For each named query: bindings on example.yaml and a check of the rows it returns.
EXPECTED = {
    "alternatives": ({"tool": "tool/evidently"}, lambda rows: rows == []),
    "class_counts": ({}, lambda rows: {r["label"]: r["count"] for r in rows}["Tool"] == 1),
    "concepts_of_chapter": ({"chapter": "chapter/8"}, lambda rows: {r["concept"] for r in rows} == {
        ID + "problem/data-distribution-shift", ID + "technique/drift-detection", ID + "concept/two-sample-test"}),
    "concepts_per_chapter": ({}, lambda rows: [(r["key"], r["count"]) for r in rows] == [(ID + "chapter/8", 3)]),
    "graph_edges": ({}, lambda rows: {"s": ID + "tool/evidently", "p": "https://w3id.org/mlsd/ontology#solves",
                                      "o": ID + "problem/data-distribution-shift"} in rows),
    "neighborhood": ({"node": "tool/evidently"}, lambda rows: {(r["otherLabel"], r["direction"]) for r in rows} >= {
        ("ML monitoring and drift detection", "out"), ("Data distribution shift", "out"), ("Drift detection", "out")}),
    "node_details": ({"node": "tool/evidently"}, lambda rows: {r["value"] for r in rows} >= {
        "Evidently", "Apache-2.0", "https://www.evidentlyai.com/"}),
    "node_index": ({}, lambda rows: {r["label"] for r in rows} >= {"Evidently", "Data distribution shift"}),
    "problems_per_stage": ({}, lambda rows: [(r["label"], r["count"]) for r in rows] == [("Monitoring", 1)]),
    "property_counts": ({}, lambda rows: {r["property"].rsplit("#", 1)[-1]: r["count"] for r in rows}["solves"] == 2),
    "stage_overview": ({}, lambda rows: [(r["label"], r["problems"], r["techniques"], r["tools"]) for r in rows]
                       == [("Monitoring", 1, 1, 1)]),
    "techniques_for_problem": ({"problem": "problem/data-distribution-shift"},
                               lambda rows: [r["label"] for r in rows] == ["Drift detection"]),
    "tool_catalog": ({}, lambda rows: [(r["label"], r["license"], r["openSource"], r["stages"]) for r in rows]
                     == [("Evidently", "Apache-2.0", True, "Monitoring")]),
    "tools_for_problem": ({"problem": "problem/data-distribution-shift"},
                          lambda rows: sorted((r["toolLabel"], r["via"], r["midLabel"]) for r in rows)
                          == [("Evidently", "solves", None), ("Evidently", "technique", "Drift detection")]),
    "tools_implementing": ({"technique": "technique/drift-detection"}, lambda rows: [r["label"] for r in rows] == ["Evidently"]),
    "tools_per_category": ({}, lambda rows: [(r["label"], r["count"]) for r in rows]
                           == [("ML monitoring and drift detection", 1)]),
    "tools_per_stage": ({}, lambda rows: [(r["label"], r["count"]) for r in rows] == [("Monitoring", 1)]),
    "where_discussed": ({"concept": "problem/data-distribution-shift"}, lambda rows: [
        (r["number"], r["title"], r["page"], r["chapterNumber"]) for r in rows] == [("8.2", "Data Distribution Shifts", 234, 8)]),
}


#: A node of example.yaml for each input variable name (queries without an EXPECTED entry).
SAMPLE = {"tool": "tool/evidently", "problem": "problem/data-distribution-shift", "technique": "technique/drift-detection",
          "concept": "problem/data-distribution-shift", "chapter": "chapter/8", "section": "section/8.2",
          "stage": "stage/monitoring", "category": "category/ml-monitoring", "role": "role/ml-engineer",
          "decision": "decision/monitoring-granularity", "resource": "resource/monitoring-ml-models",
          "node": "tool/evidently"}


def test_core_queries_have_expectations():
    assert set(EXPECTED) <= set(QUERIES)


@pytest.mark.parametrize("name", QUERIES)
def test_query_runs_with_its_bindings(example_kg, name):
    inputs = _inputs(load_query(name))
    if name in EXPECTED:
        bindings, check = EXPECTED[name]
        assert sorted(bindings) == sorted(inputs)
    else:
        assert set(inputs) <= set(SAMPLE), f"{name}.rq: add a sample value for its inputs"
        bindings, check = {v: SAMPLE[v] for v in inputs}, lambda rows: isinstance(rows, list)
    rows = example_kg.run(name, **bindings)
    assert check(rows), rows
    for var, value in bindings.items():
        assert all(r[var] == ID + value for r in rows), f"?{var} must come back bound"


def test_bindings_are_values_not_text(example_kg):
    """A value that looks like SPARQL stays a value: no injection through bindings."""
    evil = 'x" } UNION { ?tool ?p ?label } #'
    assert example_kg.run("tools_implementing", technique=evil) == []
    assert example_kg.run("tools_implementing", technique="<https://w3id.org/mlsd/id/technique/drift-detection>") == []


def test_named_query_on_the_full_graph(full_kg):
    rows = full_kg.run("tools_for_problem", problem="problem/training-serving-skew")
    tools = {r["tool"] for r in rows}
    assert ID + "tool/feast" in tools
    assert {"solves", "technique"} <= {r["via"] for r in rows}


def test_unknown_named_query():
    with pytest.raises(QueryError, match=r"no named query `nope`; known: .*tools_for_problem"):
        load_query("nope")


@pytest.mark.parametrize(("query", "where"), [
    ("SELECT * WHERE { ?s ?p }", "1:"),
    ("SELECT ?s\nWHERE {\n  ?s a mlsd:Tool\n  FILTER(\n}", "5:"),
    ("SELEKT ?s WHERE { ?s ?p ?o }", "1:1"),
])
def test_syntax_error_names_line_and_column(query, where):
    with pytest.raises(QueryError, match=rf"SPARQL syntax error: .*\b{where}"):
        run_sparql(ox.Store(), query)


def test_prefixes_are_predeclared(example_kg):
    rows = example_kg.select("SELECT ?t WHERE { ?t a mlsd:Tool ; doap:name ?n ; skos:prefLabel|rdfs:label ?l }")
    assert {r["t"] for r in rows} == {ID + "tool/evidently"}


def test_unknown_prefix_is_a_query_error():
    with pytest.raises(QueryError, match=r"SPARQL syntax error: error at 1:\d+"):
        run_sparql(ox.Store(), "SELECT * WHERE { ?s nosuch:p ?o }")


@pytest.mark.parametrize(("value", "expected"), [
    ("tool/feast", ox.NamedNode(ID + "tool/feast")),
    ("https://example.org/x", ox.NamedNode("https://example.org/x")),
    ("urn:x:y", ox.NamedNode("urn:x:y")),
    (3, ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    (True, ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
    ("train/serve skew", ox.Literal("train/serve skew")),
    ("plain text", ox.Literal("plain text")),
    ("8.2/x", ox.Literal("8.2/x")),
    (ox.Literal("kept", language="en"), ox.Literal("kept", language="en")),
])
def test_to_term(value, expected):
    assert to_term(value) == expected


def test_literal_bindings_work(example_kg):
    rows = example_kg.select("SELECT ?t ?n WHERE { ?t doap:name ?n }", {"n": "Evidently"})
    assert rows == [{"t": ID + "tool/evidently", "n": "Evidently"}]
    rows = example_kg.select("SELECT ?c ?n WHERE { ?c mlsd:chapterNumber ?n }", {"n": 8})
    assert [r["c"] for r in rows] == [ID + "chapter/8"]
