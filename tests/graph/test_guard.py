"""check_query: what the guard refuses before any engine sees a query, and what it lets through."""
from __future__ import annotations

import pytest

from mlsd.graph.errors import QueryError
from mlsd.graph.guard import (QueryRefusedError, QuerySyntaxError, UpdatesDisabledError, check_query)

KNOWN = ["http://example.org/g1", "http://example.org/g2"]

ALLOWED = {
    "word in a string": "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1/> {}' }",
    "word in a long string": 'SELECT * WHERE { ?s ?p """multi\nline SERVICE\n""" }',
    "word in a comment": "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1/> { }",
    "word in an IRI": "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "variable named service": "SELECT ?service WHERE { ?service ?p ?o }",
    "local name service": "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o }",
    "service-description prefix": "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
                                  "SELECT * WHERE { ?s a sd:Service }",
    "load in a query": "SELECT ?load WHERE { ?load ?p 'LOAD <http://x/>' }",
    "less-than then IRI": "SELECT * WHERE { ?s ?p ?o FILTER(?o < <http://example.org/SERVICE>) }",
    "IRIs in a VALUES row": "SELECT * WHERE { VALUES (?a ?b) { (<http://x/a> <http://x/service>) } }",
    "IRIs in a collection": "SELECT * WHERE { ?s <http://x/p> (<http://x/a> <http://x/service>) }",
    "escaped quote in a string": r"SELECT * WHERE { ?s ?p 'it\'s SERVICE' }",
}


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_harmless_mentions_pass(query):
    assert check_query(query).form == "select"


REFUSED_SERVICE = {
    "plain": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "lowercase": "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "variable target": "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
    "in OPTIONAL": "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in a subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "in FILTER EXISTS": "ASK { ?a ?b ?c FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in UNION and MINUS": "SELECT * { { ?a ?b ?c } UNION { ?a ?b ?c MINUS { SeRvIcE <http://127.0.0.1:9/> {} } } }",
    "no space after keyword": "SELECT * WHERE {SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
    "after a comment line": "SELECT * WHERE { # harmless\nSERVICE <http://127.0.0.1:9/> {} }",
    "hidden behind a less-than": "SELECT * WHERE { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE?v#>\n{ } }",
    "after a collection object": "SELECT * WHERE { ?s a (<http://x/a> <http://y#z>) . SERVICE <http://127.0.0.1:9/> {} }",
    "in a CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "in an update": "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("query", REFUSED_SERVICE.values(), ids=REFUSED_SERVICE.keys())
def test_service_is_refused_wherever_it_hides(query):
    with pytest.raises(QueryRefusedError, match=r"SERVICE is not allowed \(at line \d+, column \d+\)"):
        check_query(query, allow_update=True)


def test_prefixed_name_that_reads_as_service_is_refused():
    query = "PREFIX serviceex: <http://127.0.0.1:9/> SELECT * WHERE { serviceex:x ?p ?o }"
    column = query.index("serviceex:x") + 1
    with pytest.raises(QueryRefusedError, match=r"^`serviceex:x` \(Oxigraph reads a name starting with `service` as "
                                                rf"SERVICE; rename the prefix\) is not allowed \(at line 1, column {column}\)"):
        check_query(query)


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "load silent <http://127.0.0.1:9/data.ttl> into graph <http://example.org/g>",
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> } ; LOAD <http://127.0.0.1:9/x>",
])
def test_load_is_refused_even_when_updates_are_allowed(update):
    with pytest.raises(QueryRefusedError, match="LOAD is not allowed"):
        check_query(update, allow_update=True)


def test_error_position_is_line_and_column():
    with pytest.raises(QueryRefusedError, match=r"at line 3, column 5"):
        check_query("SELECT *\nWHERE {\n    SERVICE <http://127.0.0.1:9/> {} }")


@pytest.mark.parametrize("query, what, graph", [
    ("SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "FROM", "http://127.0.0.1:9/x"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "FROM NAMED", "http://127.0.0.1:9/x"),
    ("PREFIX r: <http://127.0.0.1:9/> ASK FROM r:data { }", "FROM", "http://127.0.0.1:9/data"),
    ("BASE <http://127.0.0.1:9/base/> SELECT * FROM <rel> { }", "FROM", "http://127.0.0.1:9/base/rel"),
])
def test_graphs_not_in_the_store_are_refused(query, what, graph):
    with pytest.raises(QueryRefusedError, match=rf"^{what} <{graph}> is not a graph of this store"):
        check_query(query, known_graphs=KNOWN)


def test_graphs_in_the_store_pass_and_are_reported():
    info = check_query("SELECT * FROM <http://example.org/g1> FROM NAMED <http://example.org/g2> { ?s ?p ?o }",
                       known_graphs=KNOWN)
    assert (info.from_graphs, info.from_named_graphs) == (["http://example.org/g1"], ["http://example.org/g2"])


@pytest.mark.parametrize("kwargs, name", [
    ({"default_graph_uris": ["http://127.0.0.1:9/x"]}, "default-graph-uri"),
    ({"named_graph_uris": ["http://example.org/g1", "http://127.0.0.1:9/y"]}, "named-graph-uri"),
])
def test_protocol_graphs_must_be_in_the_store(kwargs, name):
    with pytest.raises(QueryRefusedError, match=rf"^{name} <http://127.0.0.1:9/.> is not a graph"):
        check_query("ASK {}", known_graphs=KNOWN, **kwargs)


def test_known_graphs_come_from_the_store(example_kg):
    with pytest.raises(QueryRefusedError, match="named graphs here: none"):
        check_query("SELECT * FROM <http://example.org/g1> { }", example_kg)


@pytest.mark.parametrize("query, form", [
    ("SELECT * { }", "select"), ("ask {}", "ask"), ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
    ("DESCRIBE <http://x/>", "describe"), ("PREFIX a: <http://x/> BASE <http://y/> ASK {}", "ask"),
    ("ASKWHERE{}", "ask"),
    ("INSERT DATA { <http://x/a> <http://x/b> 1 }", "update"), ("CLEAR ALL", "update"),
    ("PREFIX a: <http://x/> DELETE WHERE { ?s a:p ?o }", "update"), ("WITH <http://x/> DELETE {} WHERE {}", "update"),
])
def test_query_form(query, form):
    assert check_query(query, allow_update=True).form == form


def test_updates_are_refused_unless_allowed():
    with pytest.raises(UpdatesDisabledError, match="updates are disabled"):
        check_query("CLEAR ALL")


@pytest.mark.parametrize("query, message", [
    ("", "the query is empty"),
    ("   \n ", "the query is empty"),
    ("SELECT * WHERE {\n  ?s ?p 'unterminated }", r"line 2, column 9: unterminated string"),
    ("PREFIX ex: <http://x/> SELECT * FROM nope:g { }", "undeclared prefix `nope:`"),
])
def test_syntax_problems_found_by_the_guard(query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        check_query(query, known_graphs=KNOWN)


def test_every_guard_error_is_a_query_error():
    for cls in (QueryRefusedError, QuerySyntaxError, UpdatesDisabledError):
        assert issubclass(cls, QueryError)


def test_mlsd_prefixes_resolve_in_from():
    with pytest.raises(QueryRefusedError, match="FROM <https://w3id.org/mlsd/id/g>"):
        check_query("SELECT * FROM id:g { }", known_graphs=KNOWN)
