"""`mlsd push` into a private Virtuoso, and `mlsd --store URL ...` answering like the embedded store.

The Virtuoso comes from ``tests/virtuoso_fixture.py`` (needs the Debian package
``virtuoso-opensource``; without it these tests fail and say how to install it).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from virtuoso_fixture import virtuoso  # noqa: E402,F401  (fixture)

from mlsd.graph.remote import load_knowledge_graph_remote  # noqa: E402


@pytest.fixture(scope="module")
def pushed(virtuoso, run_cli):
    """Push the shipped knowledge base with the CLI; returns (virtuoso, stdout, stderr)."""
    code, out, err = run_cli("push", "--endpoint", virtuoso.update_endpoint, "--user", "dba",
                             env={"MLSD_STORE_PASSWORD": virtuoso.password})
    assert code == 0, err
    return virtuoso, out, err


def test_push_reports_count_and_progress(pushed, full_kg):
    _, out, err = pushed
    assert re.search(rf"pushed {len(full_kg):,} triples into <https://w3id.org/mlsd/graph/kb>", out)
    assert "push [" in err and f"100% {len(full_kg):,}/{len(full_kg):,} triples" in err


def test_push_twice_keeps_the_same_triples(pushed, run_cli, full_kg):
    v, _, _ = pushed
    before = len(load_knowledge_graph_remote(v.endpoint))
    code, out, err = run_cli("push", "--endpoint", v.update_endpoint, "--user", "dba", "--batch", "97", "-q",
                             env={"MLSD_STORE_PASSWORD": v.password})
    assert code == 0, err
    assert err == ""  # -q: no progress bar
    assert before == len(load_knowledge_graph_remote(v.endpoint)) == len(full_kg)


COMMANDS = [
    ("find-tools", "training-serving skew"),
    ("find-tools", "data drift"),
    ("where", "data drift"),
    ("search", "feature store"),
    ("show", "tool/feast"),
    ("neighbors", "problem/data-distribution-shift"),
    ("path", "tool/feast", "problem/training-serving-skew"),
    ("stats",),
]


def _stable(data):
    """JSON output with the lists whose order the SPARQL engines may choose sorted."""
    if isinstance(data, dict):
        out = {k: _stable(v) for k, v in data.items()}
        if "evidence" in out:
            out["evidence"] = sorted(out["evidence"], key=lambda ev: (len(ev), ev))
        if "synonyms" in out:
            out["synonyms"] = sorted(out["synonyms"])
        if isinstance(out.get("properties"), dict) and all(isinstance(v, list) for v in out["properties"].values()):
            out["properties"] = {p: sorted(v, key=json.dumps) for p, v in out["properties"].items()}
        return out
    if isinstance(data, list):
        return [_stable(v) for v in data]
    return data


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_store_option_gives_the_same_answers(pushed, run_cli, command):
    v, _, _ = pushed
    code_e, out_e, err_e = run_cli(*command, "--json")
    code_r, out_r, err_r = run_cli("--store", v.endpoint, *command, "--json")
    assert (code_r, err_r) == (code_e, err_e)
    assert _stable(json.loads(out_r)) == _stable(json.loads(out_e))


def test_store_option_runs_sparql(pushed, run_cli):
    v, _, _ = pushed
    q = "SELECT ?label WHERE { ?t a mlsd:Tool ; rdfs:label ?label } ORDER BY ?label LIMIT 5"
    code_e, out_e, _ = run_cli("query", q, "--format", "csv")
    code_r, out_r, err_r = run_cli("--store", v.endpoint, "query", q, "--format", "csv")
    assert code_r == code_e == 0, err_r
    assert out_r == out_e


def test_unreachable_store_is_a_clear_error(run_cli):
    code, out, err = run_cli("--store", "http://127.0.0.1:9/sparql", "find-tools", "data drift")
    assert code == 7  # remote store error
    assert "mlsd: error: cannot reach the SPARQL endpoint http://127.0.0.1:9/sparql" in err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:9/sparql-auth", "cannot reach the SPARQL endpoint"),
    ("localhost:8890/sparql", "is not an http(s) URL"),
])
def test_push_to_a_bad_endpoint_is_a_clear_error(run_cli, url, message):
    code, _, err = run_cli("push", "--endpoint", url, "-q")
    assert code == 7  # remote store error
    assert message in err and "Traceback" not in err


def test_push_with_a_wrong_password_is_refused(pushed, run_cli):
    v, _, _ = pushed
    code, _, err = run_cli("push", "--endpoint", v.update_endpoint, "--user", "dba", "-q",
                           env={"MLSD_STORE_PASSWORD": "wrong"})
    assert code == 7  # remote store error
    assert "refused the request as `dba` (HTTP 401)" in err


def test_push_without_update_rights_is_refused(pushed, run_cli):
    v, _, _ = pushed
    code, _, err = run_cli("push", "--endpoint", v.endpoint, "-q")
    assert code == 7  # remote store error
    assert f"mlsd: error: {v.endpoint} does not allow this request" in err and "/sparql-auth" in err
    assert len(load_knowledge_graph_remote(v.endpoint)) > 0


def test_export_needs_the_embedded_store(pushed, run_cli, tmp_path):
    v, _, _ = pushed
    code, _, err = run_cli("--store", v.endpoint, "export", "--format", "ttl", "-o", tmp_path / "x.ttl")
    assert code == 3
    assert "needs the embedded store" in err


def test_push_an_import_and_query_it_with_the_knowledge_base(pushed, run_cli, tmp_path, full_kg):
    from rdflib import Graph
    from mlsd.graph.vocab import ID, MLSD, RDF, RDFS, to_ref
    v, _, _ = pushed
    sample = Path(__file__).resolve().parents[1] / "data" / "landscape-sample.yml"
    out = tmp_path / "lfai.ttl"
    assert run_cli("import", "landscape", sample, "-o", out, "-q")[0] == 0
    g = Graph().parse(out, format="turtle")
    new = sorted(to_ref(t) for t in g.subjects(RDF.type, MLSD.Tool) if to_ref(t) not in full_kg.nodes)[0]
    label = str(g.value(ID[new], RDFS.label))
    code, stdout, err = run_cli("push", "--endpoint", v.update_endpoint, "--user", "dba", "--file", out, "-q",
                                env={"MLSD_STORE_PASSWORD": v.password})
    assert code == 0, err
    assert "into <https://w3id.org/mlsd/graph/lfai>" in stdout
    kb = "https://w3id.org/mlsd/graph/kb"
    both = ["--store", v.endpoint, "--store-graph", kb, "--store-graph", "https://w3id.org/mlsd/graph/lfai"]
    code, stdout, err = run_cli(*both, "search", label, "--type", "tool", "--json")
    assert code == 0, err
    assert json.loads(stdout)["results"][0]["id"] == new
    code, stdout, _ = run_cli("--store", v.endpoint, "search", label, "--type", "tool", "--json")
    assert code == 4 or new not in {r["id"] for r in json.loads(stdout)["results"]}  # not in the KB alone


def test_push_a_bad_file_names_it(run_cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    code, _, err = run_cli("push", "--endpoint", "http://127.0.0.1:9/sparql-auth", "--file", bad, "-q")
    assert code == 5
    assert f"mlsd: error: {bad}: not valid ttl" in err


def _get_json(url: str) -> tuple[int, dict | str]:
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_serve_with_store_answers_pages_and_sparql_from_the_remote_store(pushed, full_kg, start_mlsd):
    """`mlsd serve --store URL`: the app and /sparql run on Virtuoso, with the same answers and refusals."""
    v, _, _ = pushed
    _, base = start_mlsd("--store", v.endpoint)
    query = ("SELECT ?t WHERE { ?t mlsd:solves <https://w3id.org/mlsd/id/problem/training-serving-skew> ; "
             "a mlsd:Tool } ORDER BY ?t")
    code, doc = _get_json(f"{base}/sparql?query={urllib.parse.quote(query)}")
    assert code == 200, doc
    remote = [b["t"]["value"] for b in doc["results"]["bindings"]]
    embedded = [r["t"] for r in full_kg.select(query)]
    assert remote == embedded and "https://w3id.org/mlsd/id/tool/feast" in remote
    code, text = _get_json(f"{base}/sparql?query={urllib.parse.quote('SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }')}")
    assert code == 400 and "SERVICE" in text
    with urllib.request.urlopen(f"{base}/tools", timeout=30) as resp:  # a page renders from the remote graph
        assert resp.status == 200
