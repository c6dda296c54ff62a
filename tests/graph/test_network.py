"""The NetworkX projection: nodes, edges, paths, neighbours, neighbourhoods."""
from __future__ import annotations

import networkx as nx
import pytest

from mlsd.graph.errors import NotFoundError
from mlsd.graph.network import find_neighbors, find_path, resolve_node, short_predicate, subgraph_around
from mlsd.graph.vocab import KINDS


@pytest.mark.parametrize(("iri", "name"), [
    ("https://w3id.org/mlsd/ontology#solves", "solves"),
    ("http://www.w3.org/2004/02/skos/core#broader", "broader"),
    ("http://purl.org/dc/terms/isPartOf", "isPartOf"),
    ("http://usefulinc.com/ns/doap#programming-language", "programming-language"),
])
def test_short_predicate(iri, name):
    assert short_predicate(iri) == name


def test_projection_of_the_example(example_kg):
    g = example_kg.nx
    assert isinstance(g, nx.MultiDiGraph)
    assert g.nodes["tool/evidently"] == {"label": "Evidently", "kind": "tool"}
    assert g.has_edge("tool/evidently", "problem/data-distribution-shift", key="solves")
    assert g.has_edge("tool/evidently", "technique/drift-detection", key="implements")
    assert g.has_edge("section/8.2.3", "section/8.2", key="isPartOf")
    assert g.has_edge("problem/data-distribution-shift", "role/ml-engineer", key="concernOf")
    assert all(u != v for u, v in g.edges())
    for _, _, k, d in g.edges(keys=True, data=True):
        assert d["predicate"] == k


def test_every_item_is_a_node(example_kg, example_path):
    from mlsd.graph.load import load_records
    recs = load_records(example_path)
    refs = {f"{k}/{s}" for k, t in recs.items.items() for s in t}
    assert refs <= set(example_kg.nx)


def test_decision_options_are_not_shown_as_decisions(example_kg):
    g = example_kg.nx
    assert [n for n, d in g.nodes(data=True) if "/option-" in n and d["kind"] == "decision"] == []


def test_resolve_node(example_kg):
    assert resolve_node(example_kg, "tool/evidently") == "tool/evidently"
    assert resolve_node(example_kg, "https://w3id.org/mlsd/id/tool/evidently") == "tool/evidently"
    assert resolve_node(example_kg, "Evidently") == "tool/evidently"
    assert resolve_node(example_kg, "data drift") == "problem/data-distribution-shift"
    assert resolve_node(example_kg, "drift", kinds=("technique",)) == "technique/drift-detection"


@pytest.mark.parametrize("text", ["qqzzxx", "tool/does-not-exist-anywhere-at-all"])
def test_resolve_unknown(example_kg, text):
    with pytest.raises(NotFoundError, match="nothing in the graph matches"):
        resolve_node(example_kg, text)


def test_path_prefers_semantic_edges(example_kg):
    steps = find_path(example_kg, "tool/evidently", "problem/data-distribution-shift")
    assert steps == [{"source": "tool/evidently", "source_label": "Evidently", "predicate": "solves",
                      "target": "problem/data-distribution-shift", "target_label": "Data distribution shift"}]


def test_path_steps_chain_and_keep_stored_direction(example_kg):
    steps = find_path(example_kg, "concept/two-sample-test", "role/ml-engineer")
    ends = {"concept/two-sample-test", "role/ml-engineer"}
    nodes = [steps[0]["source"], steps[0]["target"]]
    assert ends & set(nodes)
    for s in steps:
        assert example_kg.nx.has_edge(s["source"], s["target"], key=s["predicate"])
    # consecutive steps share a node
    for a, b in zip(steps, steps[1:]):
        assert {a["source"], a["target"]} & {b["source"], b["target"]}
    touched = {n for s in steps for n in (s["source"], s["target"])}
    assert ends <= touched


def test_path_to_itself_is_empty(example_kg):
    assert find_path(example_kg, "tool/evidently", "Evidently") == []


def test_no_path(make_data_dir):
    from mlsd.graph.store import load_knowledge_graph
    lonely = "roles:\n  - id: hermit\n    label: Hermit\n    description: Cares about nothing.\n"
    kg = load_knowledge_graph(make_data_dir(files={"r.yaml": lonely}), cache=False)
    with pytest.raises(NotFoundError, match=r"no path between `role/hermit` and `tool/evidently`"):
        find_path(kg, "role/hermit", "tool/evidently")


def test_path_on_the_full_graph_avoids_structural_edges(full_kg):
    steps = find_path(full_kg, "tool/feast", "problem/data-leakage")
    assert steps, "Feast and data leakage are connected"
    assert not {s["predicate"] for s in steps} & {"stage", "category", "inScheme"}


def test_neighbors(example_kg):
    res = find_neighbors(example_kg, "Evidently")
    assert (res["node"], res["label"], res["more"]) == ("tool/evidently", "Evidently", 0)
    got = {(n["id"], n["predicate"], n["direction"]) for n in res["neighbors"]}
    assert ("problem/data-distribution-shift", "solves", "out") in got
    assert ("category/ml-monitoring", "category", "out") in got
    for n in res["neighbors"]:
        assert set(n) == {"id", "label", "type", "predicate", "direction"}
    incoming = find_neighbors(example_kg, "problem/data-distribution-shift")["neighbors"]
    assert ("tool/evidently", "solves", "in") in {(n["id"], n["predicate"], n["direction"]) for n in incoming}


def test_neighbors_limit_reports_the_rest(example_kg):
    full = find_neighbors(example_kg, "stage/monitoring")
    total = len(full["neighbors"])
    assert total > 2 and full["more"] == 0
    capped = find_neighbors(example_kg, "stage/monitoring", limit=2)
    assert len(capped["neighbors"]) == 2 and capped["more"] == total - 2
    assert capped["neighbors"] == full["neighbors"][:2]


def test_neighbors_list_semantic_edges_before_structural(full_kg):
    rows = find_neighbors(full_kg, "tool/feast", limit=500)["neighbors"]
    preds = [r["predicate"] for r in rows]
    assert preds.index("solves") < preds.index("stage")


def test_subgraph_around(example_kg):
    whole = subgraph_around(example_kg)
    assert set(whole) == set(example_kg.nx)
    assert whole is not example_kg.nx
    zero = subgraph_around(example_kg, "tool/evidently", depth=0)
    assert list(zero) == ["tool/evidently"]
    one = subgraph_around(example_kg, "tool/evidently", depth=1)
    und = example_kg.nx.to_undirected(as_view=True)
    assert set(one) == {"tool/evidently", *und.neighbors("tool/evidently")}
    two = subgraph_around(example_kg, "tool/evidently", depth=2)
    assert set(one) < set(two)


def test_subgraph_cap(full_kg):
    sub = subgraph_around(full_kg, "stage/monitoring", depth=3, limit=25)
    assert len(sub) == 25 and "stage/monitoring" in sub


def test_subgraph_is_a_copy(example_kg):
    sub = subgraph_around(example_kg, "tool/evidently")
    sub.add_node("x/y")
    assert "x/y" not in example_kg.nx


def test_full_projection_has_only_known_kinds(full_kg):
    kinds = {d["kind"] for _, d in full_kg.nx.nodes(data=True)}
    assert kinds <= set(KINDS)
