"""The remote store gives the same answers as the embedded one (against a private Virtuoso).

The shipped knowledge base is pushed once into a Virtuoso started for the session
(``tests/virtuoso_fixture.py``); then every named query, the search, find_tools and
find_locations, the NetworkX projection and raw SELECTs past Virtuoso's 10,000-row cap are run on
both and compared.
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from virtuoso_fixture import pushed_store, virtuoso  # noqa: E402,F401  (fixtures)

from mlsd.graph.errors import QueryError  # noqa: E402
from mlsd.graph.find import describe_node, find_locations, find_tools  # noqa: E402
from mlsd.graph.remote import (RemoteError, RemoteKnowledgeGraph, SparqlEndpoint, add_bindings,  # noqa: E402
                               load_knowledge_graph_remote)
from mlsd.graph.sparql import list_queries, load_query  # noqa: E402

#: The kinds of node each input variable of the named queries takes.
INPUT_KINDS = {"tool": ("tool",), "chapter": ("chapter",), "problem": ("problem",), "technique": ("technique",),
               "concept": ("problem", "technique", "concept", "decision"), "node": ("tool", "problem", "section"),
               "category": ("category",), "stage": ("stage",), "section": ("section",)}

TEXTS = ["training-serving skew", "data drift", "feature store", "noisy labels", "slow inference",
         "class imbalance", "privacy"]


def query_inputs(name: str) -> list[str]:
    """The input variables a named query documents in its header (``# Input: ?a (IRI), ?b``)."""
    header = "\n".join(line for line in load_query(name).splitlines() if line.startswith("#"))
    m = re.search(r"Inputs?:(.*?)(?:Output|$)", header, re.S)
    return re.findall(r"\?(\w+)", m.group(1)) if m else []


def samples(kg, var: str, n: int = 2) -> list[str]:
    """The ``n`` best-connected nodes of the kinds ``var`` takes (so the queries return rows)."""
    if var not in INPUT_KINDS:
        pytest.fail(f"no representative binding for ?{var}: add its kinds to INPUT_KINDS")
    out = []
    for kind in INPUT_KINDS[var]:
        refs = [r for r, d in kg.nodes.items() if d["kind"] == kind]
        out += sorted(refs, key=lambda r: (-kg.nx.degree(r) if r in kg.nx else 0, r))[:n]
    return out


def cases():
    from mlsd.graph.store import load_knowledge_graph
    kg = load_knowledge_graph()
    for name in list_queries():
        inputs = query_inputs(name)
        if not inputs:
            yield pytest.param(name, {}, id=name)
        for var in inputs:
            for ref in samples(kg, var):
                yield pytest.param(name, {var: ref}, id=f"{name}-{ref}")


def concat_columns(query: str) -> dict[str, str]:
    """Columns built with GROUP_CONCAT and their separators: SPARQL leaves the order inside unspecified."""
    return {m.group(2): m.group(1) for m in re.finditer(
        r'GROUP_CONCAT\([^;)]*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)', query, re.I)}


def normalised(rows: list[dict], concat: dict[str, str] | None = None) -> collections.Counter:
    """Rows as a multiset, with group-concatenated values sorted."""
    out = []
    for r in rows:
        r = dict(r)
        for col, sep in (concat or {}).items():
            if isinstance(r.get(col), str):
                r[col] = sep.join(sorted(r[col].split(sep))) if sep else "".join(sorted(r[col]))
        out.append(json.dumps(r, sort_keys=True))
    return collections.Counter(out)


@pytest.mark.parametrize(("name", "bindings"), list(cases()))
def test_named_query_same_rows(full_kg, pushed_store, name, bindings):
    embedded = full_kg.run(name, **bindings)
    remote = pushed_store.run(name, **bindings)
    concat = concat_columns(load_query(name))
    e, r = normalised(embedded, concat), normalised(remote, concat)
    assert e == r, (f"{name}{bindings}: {len(embedded)} rows embedded, {len(remote)} remote; "
                    f"only embedded: {list((e - r))[:2]}; only remote: {list((r - e))[:2]}")


def test_every_input_query_is_exercised_with_rows(full_kg):
    for name in list_queries():
        for var in query_inputs(name):
            assert any(full_kg.run(name, **{var: ref}) for ref in samples(full_kg, var)), \
                f"{name}: no representative ?{var} returns rows; the parity test would compare nothing"


def test_same_size_fingerprint_and_nodes(full_kg, pushed_store):
    assert len(pushed_store) == len(full_kg)
    assert pushed_store.fingerprint == full_kg.fingerprint
    assert pushed_store.nodes.keys() == full_kg.nodes.keys()
    for ref, node in full_kg.nodes.items():
        other = pushed_store.nodes[ref]
        assert (other["label"], other["kind"], sorted(other["synonyms"])) == \
            (node["label"], node["kind"], sorted(node["synonyms"])), ref


def test_same_networkx_projection(full_kg, pushed_store):
    e, r = full_kg.nx, pushed_store.nx
    assert dict(e.nodes(data=True)) == dict(r.nodes(data=True))
    assert sorted(e.edges(keys=True)) == sorted(r.edges(keys=True))


def _stable(result: dict) -> dict:
    """find_tools output with each tool's equally long evidence chains in a fixed order."""
    for t in result.get("tools", []):
        t["evidence"] = sorted(t["evidence"], key=lambda ev: (len(ev), ev))
    return result


@pytest.mark.parametrize("text", TEXTS)
def test_find_tools_same(full_kg, pushed_store, text):
    assert _stable(find_tools(pushed_store, text)) == _stable(find_tools(full_kg, text))


@pytest.mark.parametrize("text", TEXTS)
def test_find_locations_same(full_kg, pushed_store, text):
    assert find_locations(pushed_store, text) == find_locations(full_kg, text)


@pytest.mark.parametrize("text", TEXTS)
def test_search_same(full_kg, pushed_store, text):
    assert pushed_store.search_index.search(text) == full_kg.search_index.search(text)


def test_describe_node_same(full_kg, pushed_store):
    for ref in samples(full_kg, "node"):
        e, r = describe_node(full_kg, ref), describe_node(pushed_store, ref)
        for d in (e, r):
            d["synonyms"].sort()
            d["properties"] = {p: sorted(v, key=json.dumps) for p, v in d["properties"].items()}
        assert r == e


def test_select_past_the_row_cap_is_complete(full_kg, pushed_store):
    """Virtuoso cuts results at 10,000 rows without saying so; the client pages past it."""
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert len(full_kg.select(q)) > pushed_store.page_size
    assert len(pushed_store.select(q)) == len(full_kg.select(q))
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"  # blank node labels differ
    assert normalised(pushed_store.select(q)) == normalised(full_kg.select(q))


def test_construct_and_ask(full_kg, pushed_store):
    q = "CONSTRUCT { ?t a mlsd:Tool } WHERE { ?t a mlsd:Tool }"
    assert {str(t) for t in pushed_store.sparql(q)} == {str(t) for t in full_kg.sparql(q)}
    assert bool(pushed_store.sparql("ASK { ?t a mlsd:Tool }")) is True


def test_binding_values_cannot_change_the_query(pushed_store):
    nasty = 'x" } } ; DROP ALL ; SELECT * { ?s ?p "'
    rows = pushed_store.select("SELECT ?label ?t WHERE { ?t rdfs:label ?label }", {"label": nasty})
    assert rows == []
    assert "DROP ALL" in add_bindings("SELECT ?l WHERE { ?t rdfs:label ?l }", {"l": nasty})
    assert len(pushed_store) > 0


def test_remote_syntax_error_is_a_query_error(pushed_store):
    with pytest.raises(QueryError, match="rejected the query"):
        pushed_store.select("SELECT ?x WHERE { ?x ?y }")


def test_unreachable_endpoint_is_a_clear_error():
    with pytest.raises(RemoteError, match=r"cannot reach the SPARQL endpoint http://127\.0\.0\.1:9/sparql"):
        load_knowledge_graph_remote("http://127.0.0.1:9/sparql")


@pytest.mark.parametrize("url", ["ftp://example.org/sparql", "not a url", ""])
def test_non_http_url_is_refused(url):
    with pytest.raises(RemoteError, match="is not an http"):
        SparqlEndpoint(url)


def test_wrong_path_and_empty_graph_are_clear_errors(virtuoso, pushed_store):
    with pytest.raises(RemoteError, match="HTTP 404"):
        load_knowledge_graph_remote(virtuoso.base + "/no-such-endpoint")
    with pytest.raises(RemoteError, match=r"graph https://example\.org/empty at .* is empty"):
        load_knowledge_graph_remote(virtuoso.endpoint, "https://example.org/empty")


def test_no_local_store_on_a_remote_graph(pushed_store):
    assert isinstance(pushed_store, RemoteKnowledgeGraph)
    with pytest.raises(QueryError, match="needs the embedded store"):
        pushed_store.store.quads_for_pattern(None, None, None)


def test_missing_virtuoso_says_how_to_install(monkeypatch):
    import virtuoso_fixture
    monkeypatch.setattr(virtuoso_fixture.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"apt-get install -y virtuoso-opensource"):
        virtuoso_fixture.start_virtuoso()
