"""The Oxigraph-backed KnowledgeGraph and its cache."""
from __future__ import annotations

import os

import pyoxigraph as ox
import pytest

import mlsd.graph.store as store_mod
from mlsd.graph.errors import DataError
from mlsd.graph.store import KnowledgeGraph, default_cache_dir, load_knowledge_graph, to_python


def _ground(kg) -> set:
    return {q for q in kg.store if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


def _cache_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def counting_build(monkeypatch):
    """Count calls of build_graph; calls after the first raise (so a second build fails the test)."""
    calls = []
    real = store_mod.build_graph

    def build(recs, **kw):
        calls.append(1)
        if len(calls) > 1:
            raise AssertionError("build_graph ran again: the cache was not used")
        return real(recs, **kw)

    monkeypatch.setattr(store_mod, "build_graph", build)
    return calls


def test_second_load_hits_the_cache(make_data_dir, tmp_path, counting_build):
    data, cache = make_data_dir(), tmp_path / "cache"
    first = load_knowledge_graph(data, cache_dir=cache)
    assert len(counting_build) == 1
    files = _cache_files(cache)
    assert files == [f"kg-{first.fingerprint}.nt"]
    second = load_knowledge_graph(data, cache_dir=cache)
    assert len(counting_build) == 1
    assert second.fingerprint == first.fingerprint
    assert len(second) == len(first)
    assert _ground(second) == _ground(first)
    assert second.label("tool/evidently") == "Evidently"


def test_cache_dir_comes_from_the_environment(make_data_dir, isolated_cache, counting_build):
    data = make_data_dir()
    kg = load_knowledge_graph(data)
    assert _cache_files(isolated_cache) == [f"kg-{kg.fingerprint}.nt"]
    load_knowledge_graph(data)
    assert len(counting_build) == 1


def test_a_data_change_invalidates_the_cache(make_data_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    data = make_data_dir()
    first = load_knowledge_graph(data, cache_dir=cache)
    path = data / "example.yaml"
    path.write_text(path.read_text().replace("label: Evidently ", "label: Evidently AI "), encoding="utf-8")
    calls = []
    real = store_mod.build_graph
    monkeypatch.setattr(store_mod, "build_graph", lambda recs, **kw: calls.append(1) or real(recs, **kw))
    second = load_knowledge_graph(data, cache_dir=cache)
    assert calls == [1]
    assert second.fingerprint != first.fingerprint
    assert second.label("tool/evidently") == "Evidently AI"
    assert len(_cache_files(cache)) == 2


def test_a_new_file_invalidates_the_cache(make_data_dir, tmp_path):
    cache = tmp_path / "cache"
    data = make_data_dir()
    first = load_knowledge_graph(data, cache_dir=cache)
    (data / "more.yaml").write_text("roles:\n  - id: analyst\n    label: Analyst\n    description: Reads dashboards.\n")
    second = load_knowledge_graph(data, cache_dir=cache)
    assert second.fingerprint != first.fingerprint
    assert second.label("role/analyst") == "Analyst"


def test_cache_false_neither_reads_nor_writes(make_data_dir, isolated_cache, counting_build):
    data = make_data_dir()
    load_knowledge_graph(data, cache=False)
    assert _cache_files(isolated_cache) == []


def test_cache_false_ignores_an_existing_cache(make_data_dir, tmp_path):
    cache, data = tmp_path / "cache", make_data_dir()
    kg = load_knowledge_graph(data, cache_dir=cache)
    (cache / f"kg-{kg.fingerprint}.nt").write_text("")  # an emptied cache file
    assert len(load_knowledge_graph(data, cache=False, cache_dir=cache)) == len(kg)
    assert len(load_knowledge_graph(data, cache_dir=cache)) == 0  # the cache is trusted when asked


def test_unwritable_cache_does_not_stop_loading(make_data_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    kg = load_knowledge_graph(make_data_dir(), cache_dir=blocker / "cache")
    assert kg.label("tool/evidently") == "Evidently"


def test_failed_load_leaves_existing_cache_untouched(make_data_dir, tmp_path):
    cache = tmp_path / "cache"
    good = make_data_dir()
    load_knowledge_graph(good, cache_dir=cache)
    before = _cache_files(cache)
    bad = make_data_dir(patch=("tools", "evidently", "license", "Apache2"))
    with pytest.raises(DataError):
        load_knowledge_graph(bad, cache_dir=cache)
    assert _cache_files(cache) == before


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MLSD_CACHE_DIR", str(tmp_path / "a"))
    assert default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("MLSD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "mlsd"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "mlsd"


def test_fingerprint_is_stable(example_path, example_kg):
    again = load_knowledge_graph(example_path, cache=False)
    assert again.fingerprint == example_kg.fingerprint and len(again.fingerprint) == 24


def test_store_holds_data_and_vocabulary(example_kg):
    assert isinstance(example_kg, KnowledgeGraph)
    assert len(example_kg) == len(example_kg.store) > 0
    mlsd = "https://w3id.org/mlsd/ontology#"
    ask = example_kg.sparql("ASK { mlsd:Problem rdfs:subClassOf mlsd:Concept . <https://w3id.org/mlsd/id/tool/evidently> a mlsd:Tool }")
    assert bool(ask)
    assert ox.Quad(ox.NamedNode(f"{mlsd}Problem"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                   ox.NamedNode(f"{mlsd}Concept"), ox.DefaultGraph()) in example_kg.store


def test_nodes_table(example_kg):
    nodes = example_kg.nodes
    p = nodes["problem/data-distribution-shift"]
    assert p["kind"] == "problem"
    assert p["iri"] == "https://w3id.org/mlsd/id/problem/data-distribution-shift"
    assert p["label"] == "Data distribution shift"
    assert sorted(p["synonyms"]) == ["data drift", "dataset shift"]
    assert "production" in p["text"]
    assert nodes["tool/evidently"]["text"].startswith("A Python library")
    assert nodes["chapter/8"]["text"] == ""
    assert {"book", "chapter", "section", "stage", "category", "role", "problem", "technique", "concept",
            "tool", "resource", "decision"} <= {n["kind"] for n in nodes.values()}


def test_nodes_table_holds_only_items_of_known_kinds(example_kg):
    """Items of the data kinds, plus decision options (kind `option`, for their labels); no scheme."""
    from mlsd.graph.vocab import KINDS
    odd = {ref: n["kind"] for ref, n in example_kg.nodes.items() if n["kind"] not in KINDS or ref.count("/") != 1}
    assert odd == {"decision/monitoring-granularity/option-1": "option",
                   "decision/monitoring-granularity/option-2": "option"}


def test_label_lookup(example_kg):
    assert example_kg.label("tool/evidently") == "Evidently"
    assert example_kg.label("https://w3id.org/mlsd/id/tool/evidently") == "Evidently"
    assert example_kg.label("tool/unknown") == "tool/unknown"


def test_select_and_run_return_python_values(example_kg):
    rows = example_kg.select("SELECT ?n ?p WHERE { ?c mlsd:chapterNumber ?n ; mlsd:pageStart ?p }")
    assert rows == [{"n": 8, "p": 223}]
    rows = example_kg.select("SELECT ?o WHERE { ?t mlsd:openSource ?o }")
    assert rows == [{"o": True}]
    rows = example_kg.run("tools_implementing", technique="technique/drift-detection")
    assert [r["label"] for r in rows] == ["Evidently"]


@pytest.mark.parametrize(("term", "value"), [
    (ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), 3),
    (ox.Literal("2.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), 2.5),
    (ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")), True),
    (ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")), False),
    (ox.Literal("hello", language="en"), "hello"),
    (ox.Literal("2022", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")), "2022"),
    (ox.NamedNode("https://w3id.org/mlsd/id/tool/feast"), "https://w3id.org/mlsd/id/tool/feast"),
    (None, None),
])
def test_to_python(term, value):
    out = to_python(term)
    assert out == value and type(out) is type(value)


def test_cache_file_is_written_atomically(make_data_dir, tmp_path):
    cache = tmp_path / "cache"
    load_knowledge_graph(make_data_dir(), cache_dir=cache)
    assert not [p for p in cache.iterdir() if p.suffix == ".tmp"]
    assert all(os.path.getsize(p) > 0 for p in cache.iterdir())


def test_damaged_cache_file_is_rebuilt(make_data_dir, tmp_path):
    cache, data = tmp_path / "cache", make_data_dir()
    kg = load_knowledge_graph(data, cache_dir=cache)
    path = cache / f"kg-{kg.fingerprint}.nt"
    path.write_bytes(path.read_bytes()[:5000] + b"<broken")
    again = load_knowledge_graph(data, cache_dir=cache)
    assert len(again) == len(kg)
