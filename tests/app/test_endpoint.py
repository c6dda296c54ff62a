"""The /sparql endpoint over real HTTP: negotiation, errors, CORS, updates, and the security promises."""
from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import quote, urlencode

import flask
import psutil
import pytest
import rdflib

from mlsd.app.endpoint import create_endpoint_app, endpoint_options, register_endpoint
from mlsd.graph.errors import MlsdError
from mlsd.graph.executor import get_pool

TOKEN = "s3cret-token"
SELECT = "SELECT ?t ?label WHERE { ?t a mlsd:Tool ; rdfs:label ?label } ORDER BY ?t"
CONSTRUCT = "CONSTRUCT WHERE { ?t a mlsd:Tool ; rdfs:label ?label }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
G1, G2 = "http://example.org/g1", "http://example.org/g2"






@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("graphs")
    for name, value in (("g1", "1"), ("g2", "2")):
        (folder / f"{name}.ttl").write_text(f'<http://example.org/a> <http://example.org/p> "{value}" .\n')
    return [f"{folder / 'g1.ttl'}={G1}", f"{folder / 'g2.ttl'}={G2}"]


@pytest.fixture(scope="module")
def site(example_kg, graphs, tmp_path_factory, wsgi_server):
    """Two endpoints: read-only (timeout 2 s, 50 rows) and update-enabled with a token."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        kg, kg_rw = example_kg.copy(), example_kg.copy()
        ro = wsgi_server(create_endpoint_app(kg, {"timeout": 2, "max_rows": 50, "load": graphs}))
        rw = wsgi_server(create_endpoint_app(kg_rw, {"timeout": 5, "allow_update": True, "token": TOKEN, "load": graphs}))
        yield {"ro": ro.server_port, "rw": rw.server_port, "kg": kg}
        ro.shutdown()
        rw.shutdown()


def call(port, method="GET", path="/sparql", headers=None, body=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def get(port, query, accept=None, **params):
    qs = urlencode({"query": query, **params}, doseq=True)
    return call(port, path=f"/sparql?{qs}", headers={"Accept": accept} if accept else {})


@pytest.mark.parametrize("query, accept, expected", [
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "*/*", "application/sparql-results+json"),
    (SELECT, "text/csv", "text/csv; charset=utf-8"),
    (SELECT, "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    (SELECT, "text/*", "text/csv; charset=utf-8"),
    (SELECT, "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    (SELECT, "application/json", "application/json"),
    ("ASK {}", "application/sparql-results+xml", "application/sparql-results+xml"),
    (CONSTRUCT, None, "text/turtle; charset=utf-8"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/ld+json;q=0.9, application/n-triples", "application/n-triples"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/json", "application/json"),
])
def test_content_negotiation(site, query, accept, expected):
    status, headers, body = get(site["ro"], query, accept)
    assert (status, headers["Content-Type"]) == (200, expected)
    assert body


@pytest.mark.parametrize("query, accept", [(SELECT, "text/html"), (CONSTRUCT, "application/sparql-results+json"),
                                           (SELECT, "text/turtle;q=1, */*;q=0")])
def test_nothing_acceptable_is_406(site, query, accept):
    status, headers, body = get(site["ro"], query, accept)
    assert status == 406 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"none of the accepted media types" in body and b"available:" in body


def test_select_json_body_is_complete(site):
    status, _, body = get(site["ro"], SELECT, format="json", output="json", results="json")  # SPARQLWrapper extras
    doc = json.loads(body)
    expected = [r["t"] for r in site["kg"].select(SELECT)]
    assert status == 200 and doc["head"]["vars"] == ["t", "label"]
    assert [b["t"]["value"] for b in doc["results"]["bindings"]] == expected


def test_post_forms_give_the_same_answer(site):
    _, _, by_get = get(site["ro"], SELECT)
    form = call(site["ro"], "POST", body=urlencode({"query": SELECT}),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    direct = call(site["ro"], "POST", body=SELECT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert form[2] == direct[2] == by_get


def test_protocol_dataset_overrides_from(site):
    query = f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}"
    as_written = json.loads(get(site["ro"], query)[2])["results"]["bindings"]
    overridden = json.loads(get(site["ro"], query, **{"default-graph-uri": G2})[2])["results"]["bindings"]
    assert [b["o"]["value"] for b in as_written] == ["1"]
    assert [b["o"]["value"] for b in overridden] == ["2"]


def test_named_graph_uri_limits_graph_patterns(site):
    status, _, body = get(site["ro"], "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": G2})
    assert status == 200 and [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [G2]


def test_truncated_results_say_so(site):
    status, headers, body = get(site["ro"], "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and headers["X-Mlsd-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 50
    assert "X-Mlsd-Truncated" not in get(site["ro"], SELECT)[1]


@pytest.mark.parametrize("request_, status, message", [
    (("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D", {}, None), 400,
     b"SPARQL syntax error at line 1, column"),
    (("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"format=json"), 400,
     b"the form has no query= or update= field"),
    (("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%7B%7D&update=CLEAR%20ALL"),
     400, b"the form has both query= and update="),
    (("POST", "/sparql", {"Content-Type": "application/sparql-query"}, "ASK { FILTER('\u00e9') }".encode("latin-1")),
     400, b"the body is not valid UTF-8"),
    (("POST", "/sparql", {"Content-Type": "application/json"}, b"{}"), 400, b"got Content-Type application/json"),
    (("GET", "/sparql?" + urlencode({"query": "CLEAR ALL"}), {}, None), 400, b"this is a SPARQL Update"),
    (("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"ASK {}"), 400, b"this is a query, not an update"),
    (("POST", "/sparql?query=ASK%7B%7D", {"Content-Type": "application/sparql-query"}, b"ASK {}"), 400,
     b"carries the query in its body"),
    (("GET", "/sparql?" + urlencode({"query": ""}), {}, None), 400, b"the query is empty"),
    (("PUT", "/sparql", {}, b""), 405, b"method PUT is not allowed; use GET or POST"),
    (("DELETE", "/sparql", {}, None), 405, b"method DELETE is not allowed"),
    (("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"), 403, b"updates are disabled"),
    (("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"ASK {" + b" " * (5 << 20) + b"}"), 413,
     b"larger than 4 MB"),
])
def test_bad_requests_get_a_plain_message(site, request_, status, message):
    got, headers, body = call(site["ro"], *request_)
    assert got == status, body
    assert headers["Content-Type"] == "text/plain; charset=utf-8" and message in body
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_head_answers_like_get_without_a_body(site):
    status, headers, body = call(site["ro"], "HEAD", "/sparql?" + urlencode({"query": "ASK {}"}))
    assert (status, headers["Content-Type"], body) == (200, "application/sparql-results+json", b"")


def test_405_names_the_allowed_methods(site):
    assert call(site["ro"], "PATCH")[1]["Allow"] == "GET, POST, OPTIONS"


def test_cors_preflight_and_headers(site):
    status, headers, _ = call(site["ro"], "OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"
    assert {"Content-Type", "Authorization"} <= {h.strip() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert get(site["ro"], "ASK {}")[1]["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("accept, fmt", [(None, "turtle"), ("application/n-triples", "nt"),
                                         ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_service_description(site, accept, fmt):
    status, headers, body = call(site["ro"], headers={"Accept": accept} if accept else {})
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    g = rdflib.Graph().parse(data=body, format=fmt)
    svc = g.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert status == 200
    assert g.value(svc, sd.endpoint) == rdflib.URIRef(f"http://127.0.0.1:{site['ro']}/sparql")
    assert set(g.objects(svc, sd.supportedLanguage)) == {sd.SPARQL11Query}
    assert {str(g.value(n, sd.name)) for n in g.objects(g.value(svc, sd.defaultDataset), sd.namedGraph)} == {G1, G2}


def test_service_description_announces_updates_when_enabled(site):
    g = rdflib.Graph().parse(data=call(site["rw"])[2], format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert sd.SPARQL11Update in set(g.objects(None, sd.supportedLanguage))


@pytest.mark.parametrize("auth, status", [(None, 401), ("Bearer wrong", 401), (f"Basic {TOKEN}", 401)])
def test_updates_need_the_token(site, auth, status):
    headers = {"Content-Type": "application/sparql-update", **({"Authorization": auth} if auth else {})}
    got, resp_headers, body = call(site["rw"], "POST", headers=headers, body=b"CLEAR ALL")
    assert got == status and resp_headers["WWW-Authenticate"].startswith("Bearer")
    assert b"Authorization: Bearer <token>" in body


def test_update_with_token_changes_what_queries_see(site):
    insert = 'INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/x> <http://example.org/p> "new" } }'
    status, _, body = call(site["rw"], "POST", body=urlencode({"update": insert}),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Authorization": f"Bearer {TOKEN}"})
    assert (status, body) == (200, b"update done\n")
    ask = json.loads(get(site["rw"], "ASK { GRAPH <http://example.org/new> { ?s ?p 'new' } }")[2])
    assert ask["boolean"] is True
    assert json.loads(get(site["ro"], "ASK { GRAPH ?g { ?s ?p 'new' } }")[2])["boolean"] is False


@pytest.mark.parametrize("kind", ["service", "service-silent", "service-variable", "from", "from-named",
                                  "default-graph-uri", "named-graph-uri", "load"])
def test_nothing_reaches_a_remote_address(site, listener, kind):
    port, seen = listener
    url = f"http://127.0.0.1:{port}/x"
    body, params, target, headers = None, {}, site["ro"], {}
    query = {"service": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
             "service-silent": f"SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
             "service-variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
             "from": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
             "from-named": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}.get(kind, "ASK {}")
    if kind in ("default-graph-uri", "named-graph-uri"):
        params = {kind: url}
    if kind == "load":  # with updates enabled and the right token: still refused
        target, headers = site["rw"], {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        body = f"LOAD <{url}>".encode()
        status, _, text = call(target, "POST", headers=headers, body=body)
    else:
        status, _, text = get(target, query, **params)
    time.sleep(0.3)
    assert status == 400, text
    assert b"not allowed" in text or b"is not a graph of this store" in text
    assert seen == [], "the endpoint contacted the listener"


def test_runaway_query_gets_503_and_its_worker_is_gone(site):
    pool = get_pool(site["kg"])
    result = {}

    def runaway():
        started = time.monotonic()
        result["response"] = get(site["ro"], RUNAWAY)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    status, _, body = get(site["ro"], "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert "seconds" not in result, "the simple query waited for the runaway one"
    thread.join(30)
    status, headers, body = result["response"]
    assert status == 503 and body == b"the query ran longer than the 2 s timeout and was stopped\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert result["seconds"] < 2 + 5
    killed = {pid for pid in pool.last_pids if not psutil.pid_exists(pid)}
    assert len(killed) == 1, "exactly the runaway worker was stopped"
    live = set(pool.last_pids) - killed
    assert all(psutil.Process(pid).cpu_percent(interval=0.2) < 50 for pid in live)


def test_register_on_an_existing_flask_app(example_kg, tmp_path, monkeypatch):
    monkeypatch.setenv("MLSD_CACHE_DIR", str(tmp_path))
    app = flask.Flask("host")
    app.add_url_rule("/", "home", lambda: "home page")
    register_endpoint(app, example_kg.copy(), {"timeout": 5})
    client = app.test_client()
    assert client.get("/").data == b"home page"
    resp = client.get("/sparql?" + urlencode({"query": "ASK { ?t a mlsd:Tool }"}))
    assert resp.status_code == 200 and resp.json == {"head": {}, "boolean": True}


def test_endpoint_only_app_redirects_root(site):
    status, headers, _ = call(site["ro"], path="/")
    assert status == 302 and headers["Location"].endswith("/sparql")


def test_allow_update_without_token_is_refused_at_start(monkeypatch):
    monkeypatch.delenv("MLSD_TOKEN", raising=False)
    with pytest.raises(MlsdError, match="--allow-update needs a token"):
        endpoint_options({"allow_update": True})


def test_token_from_environment(monkeypatch):
    monkeypatch.setenv("MLSD_TOKEN", "from-env")
    assert endpoint_options({"allow_update": True})["token"] == "from-env"


def test_quoted_query_in_url_path(site):
    status, _, body = call(site["ro"], path="/sparql?query=" + quote("ASK { ?s ?p ?o }"))
    assert status == 200 and json.loads(body)["boolean"] is True


def _workers() -> set[int]:
    return {p.pid for p in psutil.Process().children() if "mlsd.graph.worker" in " ".join(p.cmdline())}


def test_query_workers_start_with_the_endpoint(example_kg, tmp_path, monkeypatch):
    monkeypatch.setenv("MLSD_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MLSD_QUERY_WORKERS", "2")
    before = _workers()
    kg = example_kg.copy()
    create_endpoint_app(kg, {"timeout": 5})
    deadline = time.monotonic() + 30
    while len(_workers() - before) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_workers() - before) == 2, "no query worker was started before the first request"
