"""The W3C SPARQL 1.1 Protocol test suite, run against the real endpoint over HTTP.

The manifest (vendored in ``tests/data/w3c-sparql11-protocol``, W3C test-suite licence) is read
with rdflib; each request is sent as written (method, path, headers, body) to an endpoint in a
thread on a free loopback port, and status and result format are checked.

The data: ``data1.nt``–``data3.nt`` are loaded as the named graphs the tests name. Several tests
name ``…/data0.rdf`` as a protocol dataset but the suite ships no such file; this endpoint
refuses graphs it does not hold (it never fetches remote data), so the harness declares
``data0.rdf`` as an empty named graph, which is what the tests expect it to be.
Update tests run against a second endpoint started with ``allow_update`` and a token, and send
``Authorization: Bearer <token>``.
"""
from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib import Namespace, URIRef
from rdflib.collection import Collection

SUITE = Path(__file__).parents[1] / "data" / "w3c-sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATA = "http://kasei.us/2009/09/sparql/data/"
TOKEN = "w3c-suite-token"
RESULT_TYPES = {"boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
                "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                            "text/tab-separated-values"},
                "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"}}


def _manifest(name: str) -> tuple[rdflib.Graph, list[URIRef]]:
    g = rdflib.Graph().parse(SUITE / name, format="turtle", publicID=f"file://{SUITE}/{name}")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    return g, list(Collection(g, g.value(manifest, MF.entries)))


def _requests(g: rdflib.Graph, test: URIRef) -> list[dict]:
    action = g.value(test, MF.action)
    out = []
    for req in Collection(g, g.value(action, HT.requests)):
        headers = {}
        if g.value(req, HT.headers) is not None:
            for h in Collection(g, g.value(req, HT.headers)):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body = g.value(req, HT.body)
        resp = g.value(req, HT.resp)
        boolean = g.value(resp, MF.expectedBoolean)
        out.append({"method": str(g.value(req, HT.methodName)), "path": str(g.value(req, HT.absolutePath)),
                    "headers": headers,
                    "body": None if body is None else str(g.value(body, CNT.chars)).encode(
                        str(g.value(body, CNT.characterEncoding) or "UTF-8")),
                    "status": {str(s).rsplit("#StatusCode", 1)[1][0] for s in g.objects(resp, MF.expectedStatus)},
                    "format": str(g.value(resp, MF.expectedFormat) or "") or None,
                    "boolean": None if boolean is None else boolean.toPython()})
    return out


PROTOCOL, ENTRIES = _manifest("manifest.ttl")
TESTS = {str(t).rsplit("#", 1)[1]: t for t in ENTRIES}
UPDATE_TESTS = sorted(n for n in TESTS if "update" in n)
QUERY_TESTS = sorted(n for n in TESTS if "update" not in n)






@pytest.fixture(scope="module")
def endpoints(example_kg, tmp_path_factory, wsgi_server):
    from mlsd.app.endpoint import create_endpoint_app
    empty = tmp_path_factory.mktemp("w3c") / "data0.nt"
    empty.write_text("")
    load = [f"{SUITE / f'data{i}.nt'}={DATA}data{i}.rdf" for i in (1, 2, 3)] + [f"{empty}={DATA}data0.rdf"]
    servers = {
        "read-only": wsgi_server(create_endpoint_app(example_kg.copy(), {"load": load, "timeout": 10})),
        "update": wsgi_server(create_endpoint_app(example_kg.copy(), {"load": load, "timeout": 10,
                                                                     "allow_update": True, "token": TOKEN})),
    }
    yield {name: s.server_port for name, s in servers.items()}
    for s in servers.values():
        s.shutdown()


def _send(port: int, req: dict, auth: bool) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(req["headers"])
    if auth:
        headers["Authorization"] = f"Bearer {TOKEN}"
    assert req["path"].startswith("/sparql/")
    path = "/sparql" + req["path"][len("/sparql/"):]  # the manifest's /sparql/ is our /sparql
    conn.request(req["method"], path, body=req["body"], headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, (resp.getheader("Content-Type") or "").split(";")[0].strip(), data


def _boolean(ctype: str, data: bytes) -> bool:
    if ctype == "application/sparql-results+json":
        return json.loads(data)["boolean"]
    root = ET.fromstring(data)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


def _check(port: int, name: str, auth: bool) -> None:
    for i, req in enumerate(_requests(PROTOCOL, TESTS[name])):
        status, ctype, data = _send(port, req, auth)
        where = f"{name} request {i + 1} ({req['method']} {req['path'][:60]})"
        assert str(status)[0] in req["status"], f"{where}: status {status}: {data[:300]!r}"
        if req["format"]:
            assert ctype in RESULT_TYPES[req["format"]], f"{where}: {ctype} is not a {req['format']} format"
            if req["format"] == "RDF":
                fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}[ctype]
                rdflib.Graph().parse(data=data, format=fmt)
            elif ctype == "application/sparql-results+json":
                json.loads(data)
        if req["boolean"] is not None:
            assert _boolean(ctype, data) is req["boolean"], f"{where}: wrong boolean"


@pytest.mark.parametrize("name", QUERY_TESTS)
def test_query_protocol(endpoints, name):
    _check(endpoints["read-only"], name, auth=False)


@pytest.mark.parametrize("name", UPDATE_TESTS)
def test_update_protocol_with_updates_allowed(endpoints, name):
    _check(endpoints["update"], name, auth=True)


@pytest.mark.parametrize("name", [n for n in UPDATE_TESTS if n.startswith("bad_")])
def test_bad_update_is_refused_by_read_only_endpoint(endpoints, name):
    _check(endpoints["read-only"], name, auth=False)


def test_every_manifest_entry_is_run():
    assert set(QUERY_TESTS) | set(UPDATE_TESTS) == set(TESTS)
    assert len(TESTS) == 34


SD_GRAPH, SD_ENTRIES = _manifest("service-description-manifest.ttl")


@pytest.fixture(scope="module")
def service_description(endpoints):
    conn = http.client.HTTPConnection("127.0.0.1", endpoints["read-only"], timeout=30)
    conn.request("GET", "/sparql")
    resp = conn.getresponse()
    return resp.status, resp.getheader("Content-Type"), resp.read(), f"http://127.0.0.1:{endpoints['read-only']}/sparql"


@pytest.mark.parametrize("name", sorted(str(t).rsplit("#", 1)[1] for t in SD_ENTRIES))
def test_service_description(service_description, name):
    status, ctype, data, url = service_description
    assert status == 200 and ctype.startswith("text/turtle")
    g = rdflib.Graph().parse(data=data, format="turtle")
    services = list(g.subjects(rdflib.RDF.type, SD.Service))
    if name == "returns-rdf":
        assert len(g) > 10 and services
    elif name == "has-endpoint-triple":
        assert (services[0], SD.endpoint, URIRef(url)) in g
    elif name == "conforms-to-schema":
        svc = services[0]
        assert set(g.objects(svc, SD.supportedLanguage)) == {SD.SPARQL11Query}
        assert len(set(g.objects(svc, SD.resultFormat))) == 8
        dataset = g.value(svc, SD.defaultDataset)
        assert (dataset, rdflib.RDF.type, SD.Dataset) in g
        assert (g.value(dataset, SD.defaultGraph), rdflib.RDF.type, SD.Graph) in g
        names = {str(g.value(n, SD.name)) for n in g.objects(dataset, SD.namedGraph)}
        assert names == {f"{DATA}data{i}.rdf" for i in range(4)}
        for n in g.objects(dataset, SD.namedGraph):
            assert (n, rdflib.RDF.type, SD.NamedGraph) in g and (g.value(n, SD.graph), rdflib.RDF.type, SD.Graph) in g
    else:
        pytest.fail(f"no check written for service-description test {name}")
    assert urlsplit(url).path == "/sparql"
