"""The synthetic graph generator of the benchmarks: size, determinism, shape, and that the real
named queries, search and find_tools give sensible answers on it."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from mlsd.graph.find import find_tools
from mlsd.graph.sparql import list_queries, load_query
from mlsd.graph.store import KnowledgeGraph

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"mlsd_bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


synthetic = _load_module("synthetic")
common = _load_module("common")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "g10k.nt"
    info = synthetic.generate(10_000, path, seed=3)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return info, KnowledgeGraph(store, "synthetic"), path


@pytest.mark.parametrize("text, n", [("10k", 10_000), ("1M", 1_000_000), ("2500", 2500), ("0.5m", 500_000)])
def test_parse_size(text, n):
    assert synthetic.parse_size(text) == n


@pytest.mark.parametrize("text", ["", "ten", "10g", "-5k"])
def test_parse_size_rejects_bad_input(text):
    with pytest.raises(ValueError, match="bad size"):
        synthetic.parse_size(text)


def test_size_is_about_the_target_and_every_line_is_a_distinct_triple(generated):
    info, kg, _ = generated
    assert 8_500 <= info["triples"] <= 11_500
    assert len(kg) == info["triples"]  # valid N-Triples, no duplicate lines


def test_same_seed_same_graph_in_any_process_other_seed_other_graph(tmp_path):
    """Byte-identical output across processes (string hashing differs between them)."""
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    for path, hashseed in ((a, "1"), (b, "2")):
        subprocess.run([sys.executable, str(BENCH / "synthetic.py"), "3k", str(path), "--seed", "5"], check=True,
                       capture_output=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": hashseed})
    synthetic.generate(3000, c, seed=6)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_node_proportions_follow_the_real_graph(generated):
    info, kg, _ = generated
    counts = {r["label"]: r["count"] for r in kg.run("class_counts")}
    assert counts["Tool"] == info["counts"]["tool"]
    assert counts["Problem"] == info["counts"]["problem"]
    # the real graph has about 7 tools per problem and 2.7 sections per problem
    assert 5 <= counts["Tool"] / counts["Problem"] <= 10
    assert 2 <= counts["Section"] / counts["Problem"] <= 4
    assert counts["Lifecycle stage"] == 10


def test_ontology_is_included_so_subclass_paths_work(generated):
    info, kg, _ = generated
    rows = kg.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a/rdfs:subClassOf* mlsd:Concept }")
    expected = sum(info["counts"][k] for k in ("problem", "technique", "concept"))
    assert rows[0]["n"] == expected


def test_tools_for_problem_returns_tools_with_evidence(generated):
    info, kg, _ = generated
    rows = kg.run("tools_for_problem", problem=info["bindings"]["problem"]["hub"])
    assert rows
    assert {r["via"] for r in rows} <= {"solves", "technique", "narrower"}
    assert all(r["tool"].startswith("https://w3id.org/mlsd/id/tool/") for r in rows)


@pytest.mark.parametrize("name", [q for q in list_queries() if common.input_variables(load_query(q))])
def test_named_queries_with_inputs_answer_for_the_hub_nodes(generated, name):
    info, kg, _ = generated
    kinds = {"problem": "problem", "technique": "technique", "tool": "tool", "chapter": "chapter",
             "concept": "concept", "node": "problem"}
    inputs = common.input_variables(load_query(name))
    if any(v not in kinds for v in inputs):
        pytest.skip(f"no synthetic binding for {inputs}")
    rows = kg.run(name, **{v: info["bindings"][kinds[v]]["hub"] for v in inputs})
    assert rows, f"{name} returned nothing for the hub nodes"


@pytest.mark.parametrize("name", ["problems_per_stage", "tools_per_category", "concepts_per_chapter", "node_index"])
def test_coverage_queries_count_something(generated, name):
    _, kg, _ = generated
    rows = kg.run(name)
    assert rows
    if "count" in rows[0]:
        assert sum(r["count"] for r in rows) > 0


def test_search_and_find_tools_hit_the_planted_anchors(generated):
    _, kg, _ = generated
    assert kg.search_index.search("trainig serving skew")[0]["ref"] == "problem/training-serving-skew"
    result = find_tools(kg, "train/serve skew")
    assert result["matches"][0]["id"] == "problem/training-serving-skew"
    assert result["tools"]


def test_command_line_writes_the_graph_and_reports_json(tmp_path):
    out = tmp_path / "g.nt"
    proc = subprocess.run([sys.executable, str(BENCH / "synthetic.py"), "2k", str(out), "--seed", "2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert out.read_text().count("\n") == info["triples"]


def test_command_line_rejects_a_bad_size(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH / "synthetic.py"), "lots", str(tmp_path / "g.nt")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "bad size 'lots'" in proc.stderr
