"""Real SPARQL clients against the endpoint: SPARQLWrapper, rdflib's SPARQLStore, plain urllib."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

G1 = "http://example.org/g1"
MLSD = "https://w3id.org/mlsd/ontology#"
TOOLS = f"SELECT ?t ?label WHERE {{ ?t a <{MLSD}Tool> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }} ORDER BY ?t"


@pytest.fixture(scope="module")
def endpoint(example_kg, tmp_path_factory):
    import pyoxigraph as ox
    from werkzeug.serving import make_server

    from mlsd.app.endpoint import create_endpoint_app
    from mlsd.graph.store import KnowledgeGraph
    folder = tmp_path_factory.mktemp("clients")
    (folder / "g1.nt").write_text('<http://example.org/a> <http://example.org/p> "in g1" .\n')
    store = ox.Store()
    store.bulk_load(example_kg.store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    kg = KnowledgeGraph(store, example_kg.fingerprint)
    exchanges = []  # (query string, Accept, response Content-Type) of every request
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSD_CACHE_DIR", str(folder / "cache"))
        app = create_endpoint_app(kg, {"timeout": 10, "load": [f"{folder / 'g1.nt'}={G1}"]})

        @app.after_request
        def record(response):
            from flask import request
            exchanges.append((request.args.to_dict(flat=False), request.headers.get("Accept"), response.content_type))
            return response

        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield {"url": f"http://127.0.0.1:{server.server_port}/sparql", "tools": [r["t"] for r in kg.select(TOOLS)],
               "exchanges": exchanges}
        server.shutdown()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_select(endpoint, method, fmt):
    client = SPARQLWrapper(endpoint["url"])
    client.setQuery(TOOLS)
    client.setMethod(method)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        tools = [b["t"]["value"] for b in result["results"]["bindings"]]
    else:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        tools = [r.find(f"{ns}binding[@name='t']/{ns}uri").text for r in _etree(result).iter(f"{ns}result")]
    assert tools == endpoint["tools"] and tools


def _etree(dom):
    import xml.etree.ElementTree as ET
    return ET.fromstring(dom.toxml())


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask_and_construct(endpoint, method):
    client = SPARQLWrapper(endpoint["url"])
    client.setMethod(method)
    client.setQuery(f"ASK {{ ?t a <{MLSD}Tool> }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery(f"CONSTRUCT WHERE {{ ?t a <{MLSD}Tool> }}")
    client.setReturnFormat("turtle")
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert sorted(str(s) for s in graph.subjects()) == sorted(endpoint["tools"])


def test_sparqlwrapper_sees_syntax_errors(endpoint):
    client = SPARQLWrapper(endpoint["url"])
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error at line 1"):
        client.query()


def test_rdflib_sparqlstore_select_and_ask(endpoint):
    graph = rdflib.Graph(store=SPARQLStore(endpoint["url"]))
    assert [str(r.t) for r in graph.query(TOOLS)] == endpoint["tools"]
    assert graph.query(f"ASK {{ ?t a <{MLSD}Tool> }}").askAnswer is True


def test_rdflib_sparqlstore_construct_asks_for_rdf_xml(endpoint):
    graph = rdflib.Graph(store=SPARQLStore(endpoint["url"]))
    built = graph.query(f"CONSTRUCT WHERE {{ ?t a <{MLSD}Tool> }}").graph
    assert sorted(str(s) for s in built.subjects()) == sorted(endpoint["tools"])
    _, accept, served = endpoint["exchanges"][-1]
    assert "application/rdf+xml" in accept and served == "application/rdf+xml"


def test_rdflib_sparqlstore_sends_its_graph_as_default_graph_uri(endpoint):
    named = rdflib.Graph(store=SPARQLStore(endpoint["url"]), identifier=rdflib.URIRef(G1))
    assert [str(r.o) for r in named.query("SELECT ?o WHERE { ?s ?p ?o }")] == ["in g1"]
    assert endpoint["exchanges"][-1][0]["default-graph-uri"] == [G1]
    assert len(named) == 1  # SPARQLStore counts with a query too
    other = rdflib.Graph(store=SPARQLStore(endpoint["url"]), identifier=rdflib.URIRef("http://127.0.0.1:9/remote"))
    with pytest.raises(ValueError):  # SPARQLStore turns the 400 into a ValueError without the message
        list(other.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert endpoint["exchanges"][-1][2] == "text/plain; charset=utf-8"


def _urlopen(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read()


@pytest.mark.parametrize("args, status, message", [
    (("?query=ASK%20%7B",), 400, b"SPARQL syntax error at line 1, column"),
    (("?" + urlencode({"query": "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"}),), 400, b"SERVICE is not allowed"),
    (("", b"ASK {}", {"Content-Type": "text/plain"}), 400, b"got Content-Type text/plain"),
    (("", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}), 403, b"updates are disabled"),
    (("?" + urlencode({"query": "ASK {}"}), None, {"Accept": "image/png"}), 406, b"none of the accepted media types"),
    (("", None, {}, "DELETE"), 405, b"method DELETE is not allowed"),
])
def test_raw_http_errors(endpoint, args, status, message):
    suffix, *rest = args
    got, ctype, body = _urlopen(endpoint["url"] + suffix, *rest)
    assert (got, ctype) == (status, "text/plain; charset=utf-8") and message in body, body


def test_raw_http_json(endpoint):
    status, ctype, body = _urlopen(endpoint["url"] + "?" + urlencode({"query": TOOLS}))
    assert (status, ctype) == (200, "application/sparql-results+json")
    assert [b["t"]["value"] for b in json.loads(body)["results"]["bindings"]] == endpoint["tools"]
