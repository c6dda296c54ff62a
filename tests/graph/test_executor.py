"""run_guarded end to end: worker processes, results, caps, timeouts, named graphs, updates, sandbox."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import time

import psutil
import pyoxigraph as ox
import pytest
import rdflib

from mlsd.graph.errors import QueryError
from mlsd.graph.executor import get_pool, materialise_store
from mlsd.graph.guard import (GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryLimitError, QueryRefusedError,
                              QuerySyntaxError, QueryTimeoutError, UpdatesDisabledError, load_named_graphs,
                              run_guarded)
from mlsd.graph.store import KnowledgeGraph, to_python

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
LABELS = "SELECT ?t ?label WHERE { ?t a mlsd:Tool ; rdfs:label ?label } ORDER BY ?t"


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def copy_kg(kg, fingerprint=None) -> KnowledgeGraph:
    store = ox.Store()
    store.bulk_load(kg.store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    return KnowledgeGraph(store, kg.fingerprint if fingerprint is None else fingerprint)


@pytest.fixture(scope="module")
def kg(example_kg):
    return copy_kg(example_kg)


def test_select_rows_are_sparql_json_terms_matching_the_store(kg):
    res = run_guarded(kg, LABELS)
    expected = kg.select(LABELS)  # in process, straight on the store
    assert res.kind == "select" and res.variables == ["t", "label"] and not res.truncated
    assert [(r["t"]["value"], r["label"]["value"]) for r in res.rows] == [(e["t"], e["label"]) for e in expected]
    assert all(r["t"]["type"] == "uri" and r["label"]["type"] == "literal" for r in res.rows)
    assert res.elapsed_ms > 0


def test_literal_terms_carry_language_and_datatype(kg):
    res = run_guarded(kg, "SELECT ?n ?s ?l WHERE { BIND(3 AS ?n) BIND('x' AS ?s) BIND('y'@en AS ?l) BIND(?u AS ?unbound) }")
    assert res.rows == [{"n": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
                         "s": {"type": "literal", "value": "x"},
                         "l": {"type": "literal", "value": "y", "xml:lang": "en"}}]


def test_ask_construct_describe(kg):
    assert run_guarded(kg, "ASK { ?t a mlsd:Tool }").boolean is True
    assert run_guarded(kg, "ASK { ?t a mlsd:NoSuchClass }").boolean is False
    n = len(kg.store)
    built = run_guarded(kg, "CONSTRUCT WHERE { ?s ?p ?o }", max_rows=n + 1)
    assert built.kind == "construct" and len(built.triples) == n and not built.truncated
    tool = kg.select("SELECT ?t WHERE { ?t a <https://w3id.org/mlsd/ontology#Tool> } LIMIT 1")[0]["t"]
    described = run_guarded(kg, f"DESCRIBE <{tool}>")
    direct = len(list(kg.store.quads_for_pattern(ox.NamedNode(tool), None, None)))
    assert described.kind == "describe" and len(described.triples) >= direct > 0


@pytest.mark.parametrize("form", ["SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"])
def test_row_cap_truncates_and_says_so(kg, form):
    n = len(kg.store)
    exact = run_guarded(kg, form, max_rows=n)
    cut = run_guarded(kg, form, max_rows=n - 1)
    assert (len(exact.rows or exact.triples), exact.truncated) == (n, False)
    assert (len(cut.rows or cut.triples), cut.truncated) == (n - 1, True)


@pytest.mark.parametrize("media", RESULT_MEDIA_TYPES)
def test_select_serializations_round_trip(kg, media):
    res = run_guarded(kg, LABELS)
    if media == "text/csv":  # lossy by design: plain values, no parser in Oxigraph
        table = list(csv.reader(io.StringIO(res.serialize(media).decode("utf-8"))))
        assert table == [["t", "label"], *([r["t"]["value"], r["label"]["value"]] for r in res.rows)]
        return
    fmt = getattr(ox.QueryResultsFormat, RESULT_MEDIA_TYPES[media])
    parsed = ox.parse_query_results(res.serialize(media), format=fmt)
    assert [s["t"].value for s in parsed] == [r["t"]["value"] for r in res.rows]


def test_ask_serializations(kg):
    res = run_guarded(kg, "ASK {}")
    assert json.loads(res.serialize()) == {"head": {}, "boolean": True}
    assert b"<boolean>true</boolean>" in res.serialize("application/sparql-results+xml")


@pytest.mark.parametrize("media", GRAPH_MEDIA_TYPES)
def test_graph_serializations_round_trip(kg, media):
    res = run_guarded(kg, "CONSTRUCT WHERE { ?s a mlsd:Tool ; rdfs:label ?l }")
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
           "application/ld+json": "json-ld"}[media]
    assert len(rdflib.Graph().parse(data=res.serialize(media), format=fmt)) == len(res.triples) > 0


def test_serialize_refuses_a_wrong_media_type(kg):
    with pytest.raises(QueryError, match="a SELECT result cannot be written as text/turtle"):
        run_guarded(kg, "SELECT * {}").serialize("text/turtle")


def test_syntax_error_names_line_and_column_and_points_at_it(kg):
    with pytest.raises(QuerySyntaxError, match=r"^SPARQL syntax error at line 2, column \d+: ") as info:
        run_guarded(kg, "SELECT *\nWHERE { ?s ?p }")
    column = int(re.search(r"column (\d+)", str(info.value)).group(1))
    source, caret = str(info.value).splitlines()[-2:]
    assert source == "  WHERE { ?s ?p }" and caret == "  " + " " * (column - 1) + "^"


def test_evaluation_error_is_a_query_error(kg):
    with pytest.raises(QueryError, match="SPARQL evaluation error"):
        run_guarded(kg, "SELECT * WHERE { BIND(<http://example.org/fn>(1) AS ?x) }")


def test_runaway_query_is_killed_while_others_are_served(kg):
    pool = get_pool(kg)
    outcome = {}

    def runaway():
        started = time.monotonic()
        try:
            run_guarded(kg, RUNAWAY, timeout=2)
        except QueryTimeoutError as exc:
            outcome["error"] = str(exc)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    assert run_guarded(kg, "ASK { ?s ?p ?o }", timeout=5).boolean is True
    assert "seconds" not in outcome, "the simple query waited for the runaway one"
    thread.join(30)
    assert outcome["error"] == "the query ran longer than the 2 s timeout and was stopped"
    assert outcome["seconds"] < 2 + 5
    runaway_pid = pool.last_pids[-2]
    assert not psutil.pid_exists(runaway_pid), "the runaway worker survived its timeout"
    assert run_guarded(kg, "ASK {}").boolean is True  # the pool recovers


def test_busy_pool_answers_with_a_timeout(example_kg, monkeypatch):
    monkeypatch.setenv("MLSD_QUERY_WORKERS", "1")
    one = copy_kg(example_kg)
    thread = threading.Thread(target=lambda: pytest.raises(QueryTimeoutError, run_guarded, one, RUNAWAY, timeout=3))
    thread.start()
    time.sleep(1)
    with pytest.raises(QueryTimeoutError, match=r"the server is busy \(all 1 query workers stayed busy\)"):
        run_guarded(one, "ASK {}", timeout=0.5)
    thread.join(30)


def test_memory_hog_is_stopped(example_kg, monkeypatch):
    monkeypatch.setenv("MLSD_QUERY_MEMORY_MB", "1024")
    small = copy_kg(example_kg)
    with pytest.raises(QueryLimitError, match="needed more memory than a query may use"):
        run_guarded(small, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i", timeout=60)


def test_worker_sandbox_blocks_service_that_bypasses_the_guard(kg, listener):
    port, seen = listener
    pool = get_pool(kg)
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    reply = pool.run({"query": query, "prefixes": {}, "max_rows": 10}, timeout=10)
    assert reply["ok"] is False and reply["error"] == "eval"
    time.sleep(0.3)
    assert seen == []


def test_guard_refuses_service_before_any_worker(kg, listener):
    port, seen = listener
    with pytest.raises(QueryRefusedError, match="SERVICE is not allowed"):
        run_guarded(kg, f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
    assert seen == []


RDF_FILES = {
    "g.ttl": "@prefix ex: <http://example.org/> . ex:a ex:p ex:b .",
    "g.nt": "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n",
    "g.rdf": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
             '<rdf:Description rdf:about="http://example.org/a"><ex:p rdf:resource="http://example.org/b"/>'
             '</rdf:Description></rdf:RDF>',
    "g.jsonld": '{"@id": "http://example.org/a", "http://example.org/p": {"@id": "http://example.org/b"}}',
}


@pytest.mark.parametrize("name", RDF_FILES)
def test_named_graph_files_by_extension(example_kg, tmp_path, name):
    path = tmp_path / name
    path.write_text(RDF_FILES[name])
    g = copy_kg(example_kg)
    assert load_named_graphs(g, [str(path), f"{path}=http://example.org/graph"]) == [
        path.resolve().as_uri(), "http://example.org/graph"]
    res = run_guarded(g, "SELECT ?g WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } } ORDER BY ?g",
                      named_graph_uris=["http://example.org/graph"], default_graph_uris=[])
    assert [r["g"]["value"] for r in res.rows] == ["http://example.org/graph"]
    assert run_guarded(g, f"ASK FROM <{path.resolve().as_uri()}> {{ ?s ?p ?o }}").boolean is True
    assert run_guarded(g, "ASK { <http://example.org/a> ?p ?o }").boolean is False  # not in the default graph


@pytest.mark.parametrize("name, text, message", [
    ("g.csv", "a,b", r"unknown RDF format `\.csv`"),
    ("missing.ttl", None, "no such file"),
    ("bad.ttl", "@prefix ex: <http://example.org/> . ex:a ex:p", "cannot read it as TURTLE"),
    ("g.nt=not an iri", "", "the graph name `not an iri` is not an absolute IRI"),
])
def test_named_graph_errors(example_kg, tmp_path, name, text, message):
    path = tmp_path / name.split("=")[0]
    if text is not None:
        path.write_text(text)
    with pytest.raises(QueryError, match=message):
        load_named_graphs(copy_kg(example_kg), [str(tmp_path / name)])


def test_updates_need_permission_and_stay_off_the_shared_store(example_kg):
    g = copy_kg(example_kg)
    insert = "INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/s> <http://example.org/p> 1 } }"
    with pytest.raises(UpdatesDisabledError):
        run_guarded(g, insert)
    shared = get_pool(g).path
    assert run_guarded(g, insert, allow_update=True).kind == "update"
    assert run_guarded(g, "ASK { GRAPH <http://example.org/new> { ?s ?p 1 } }").boolean is True
    assert get_pool(g).path != shared and "http://example.org/new" in get_pool(g).graphs
    assert run_guarded(g, "ASK FROM <http://example.org/new> { ?s ?p 1 }").boolean is True
    other = copy_kg(example_kg)  # same content: served from the untouched shared folder
    assert get_pool(other).path == shared
    assert run_guarded(other, "ASK { GRAPH ?g { ?s ?p 1 } }").boolean is False


def test_update_with_using_graph(example_kg):
    g = copy_kg(example_kg)
    run_guarded(g, "INSERT DATA { GRAPH <http://example.org/src> { <http://example.org/s> a <http://example.org/C> } }",
                allow_update=True)
    run_guarded(g, "INSERT { GRAPH <http://example.org/out> { ?s a <http://example.org/D> } } WHERE { ?s a ?c }",
                allow_update=True, default_graph_uris=["http://example.org/src"])
    assert run_guarded(g, "SELECT ?s WHERE { GRAPH <http://example.org/out> { ?s ?p ?o } }").rows == [
        {"s": {"type": "uri", "value": "http://example.org/s"}}]
    run_guarded(g, "PREFIX ex: <http://example.org/> INSERT { GRAPH ex:out2 { ?s a ex:E } } WHERE { ?s a ex:C }",
                allow_update=True, default_graph_uris=["http://example.org/src"])
    assert run_guarded(g, "ASK { GRAPH <http://example.org/out2> { ?s ?p ?o } }").boolean is True
    with pytest.raises(QueryRefusedError, match="cannot be combined with an update that has its own USING or WITH"):
        run_guarded(g, "WITH <http://example.org/src> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", allow_update=True,
                    default_graph_uris=["http://example.org/src"])


def test_update_syntax_error(example_kg):
    with pytest.raises(QuerySyntaxError, match="line 1, column 10"):
        run_guarded(copy_kg(example_kg), "CLEAR XYZ", allow_update=True)


def test_snapshot_is_shared_by_key(example_kg, tmp_path):
    first = materialise_store(copy_kg(example_kg), tmp_path)
    assert materialise_store(copy_kg(example_kg), tmp_path) == first
    assert first.suffix == ".nq"
    assert first.with_name(first.name + ".graphs").read_text().splitlines()[0] == str(len(example_kg.store))
    unkeyed = copy_kg(example_kg, fingerprint="")
    unkeyed.store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("1")))
    assert materialise_store(unkeyed, tmp_path) != first


def test_large_graphs_use_an_on_disk_store(example_kg, tmp_path, monkeypatch):
    monkeypatch.setenv("MLSD_QUERY_IN_MEMORY_MAX", "10")
    g = copy_kg(example_kg)
    path = get_pool(g).path
    assert os.path.isdir(path) and os.path.exists(os.path.join(path, "MLSD_COMPLETE"))
    assert run_guarded(g, LABELS).rows == run_guarded(copy_kg(example_kg), LABELS).rows
    run_guarded(g, "INSERT DATA { GRAPH <http://example.org/d> { <http://example.org/s> <http://example.org/p> 2 } }",
                allow_update=True)
    assert run_guarded(g, "ASK { GRAPH <http://example.org/d> { ?s ?p 2 } }").boolean is True
    assert get_pool(g).path != path


def test_workers_see_the_same_data_as_the_store(kg):
    rows = run_guarded(kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    assert int(rows[0]["n"]["value"]) == to_python(next(iter(kg.store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"])


def test_worker_processes_are_sandboxed_and_memory_limited(kg):
    run_guarded(kg, "ASK {}")
    pid = get_pool(kg).last_pids[-1]
    limits = psutil.Process(pid).rlimit(psutil.RLIMIT_AS)
    assert limits[0] == int(os.environ.get("MLSD_QUERY_MEMORY_MB", "2048")) << 20
    assert psutil.Process(pid).status() != psutil.STATUS_ZOMBIE


def test_update_waits_for_running_queries_and_gives_up_when_they_outlast_it(example_kg):
    g = copy_kg(example_kg)
    thread = threading.Thread(target=lambda: pytest.raises(QueryTimeoutError, run_guarded, g, RUNAWAY, timeout=3))
    thread.start()
    time.sleep(0.8)
    insert = "INSERT DATA { <http://example.org/s> <http://example.org/p> 7 }"
    with pytest.raises(QueryTimeoutError, match=r"the server is busy \(queries or updates kept the store busy\)"):
        run_guarded(g, insert, allow_update=True, timeout=0.5)
    thread.join(30)
    run_guarded(g, insert, allow_update=True, timeout=5)
    assert run_guarded(g, "ASK { ?s ?p 7 }").boolean is True


def test_orphaned_worker_stops_even_mid_query(tmp_path):
    """A server killed with SIGKILL leaves no runaway worker behind."""
    script = tmp_path / "server.py"
    script.write_text(
        "import os, sys, threading\n"
        "from mlsd.graph.load import default_data_dir\n"
        "from mlsd.graph.store import load_knowledge_graph\n"
        "from mlsd.graph.guard import run_guarded\n"
        "from mlsd.graph.executor import get_pool\n"
        "kg = load_knowledge_graph(default_data_dir() / 'schema' / 'example.yaml', cache=False)\n"
        "run_guarded(kg, 'ASK {}')\n"
        "print(get_pool(kg).last_pids[-1], flush=True)\n"
        f"run_guarded(kg, {RUNAWAY!r}, timeout=600)\n")
    import subprocess
    import sys
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "MLSD_QUERY_WORKERS": "1"})
    try:
        worker = int(server.stdout.readline())
        time.sleep(1.5)
        assert psutil.Process(worker).status() != psutil.STATUS_ZOMBIE, "the worker is not running the query"
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(worker) and psutil.Process(worker).status() != psutil.STATUS_ZOMBIE \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not psutil.pid_exists(worker) or psutil.Process(worker).status() == psutil.STATUS_ZOMBIE
