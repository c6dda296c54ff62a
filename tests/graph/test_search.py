"""Ranked search: exact names, synonyms, typos, word forms, kinds and limits."""
from __future__ import annotations

import pytest

from mlsd.graph.search import SearchIndex, normalize, stem, tokenize
from mlsd.graph.vocab import KINDS

NODES = [
    {"ref": "problem/skew", "label": "Training-serving skew", "kind": "problem",
     "synonyms": ["train/serve skew"], "text": "Features computed online differ from those used in training."},
    {"ref": "problem/leak", "label": "Data leakage", "kind": "problem",
     "synonyms": ["target leakage"], "text": "Information about the label leaks into the features."},
    {"ref": "technique/store", "label": "Feature store", "kind": "technique",
     "synonyms": [], "text": "One place that computes features for training and serving alike."},
    {"ref": "tool/feast", "label": "Feast", "kind": "tool", "synonyms": [], "text": "An open-source feature store."},
    {"ref": "section/8.1", "label": "Causes of ML System Failures", "kind": "section", "synonyms": [], "text": ""},
]


@pytest.fixture(scope="module")
def index():
    return SearchIndex(NODES)


@pytest.mark.parametrize(("text", "expected"), [
    ("Train/Serve  Skew!", "train serve skew"),
    ("  A-B_C  ", "a b c"),
    ("", ""),
    ("Ünïcode ok", "n code ok"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(("a", "b"), [("labels", "label"), ("labeling", "label"), ("degrades", "degraded"),
                                       ("features", "feature"), ("batches", "batch")])
def test_word_forms_share_a_stem(a, b):
    assert stem(a) == stem(b)


def test_tokenize_drops_stop_words():
    assert "the" not in tokenize("the model of the year")
    assert tokenize("") == []


@pytest.mark.parametrize(("query", "ref", "matched"), [
    ("Training-serving skew", "problem/skew", "label"),
    ("training serving skew", "problem/skew", "label"),
    ("TRAIN/SERVE SKEW", "problem/skew", "synonym"),
    ("target leakage", "problem/leak", "synonym"),
])
def test_exact_names_score_one(index, query, ref, matched):
    top = index.search(query)[0]
    assert (top["id"], top["score"], top["matched"]) == (ref, 1.0, matched)


@pytest.mark.parametrize("query", ["trainig serving skew", "trainign-serving skew", "data leakge"])
def test_typos_still_find_the_node(index, query):
    top = index.search(query)[0]
    assert top["id"] in ("problem/skew", "problem/leak")
    assert 0.5 < top["score"] < 1.0
    assert "close spelling" in top["matched"] or top["matched"] == "words"


def test_words_in_definitions_are_found(index):
    hits = index.search("information leaks")
    assert hits and hits[0]["id"] == "problem/leak" and hits[0]["matched"] == "words"


def test_result_shape_and_order(index):
    hits = index.search("feature store")
    assert hits[0]["id"] == "technique/store"
    for h in hits:
        assert set(h) >= {"id", "label", "type", "score", "matched"}
        assert 0 < h["score"] <= 1
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_kinds_filter(index):
    hits = index.search("feature store", kinds=["tool"])
    assert [h["id"] for h in hits] == ["tool/feast"]
    assert index.search("feature store", kinds={"role"}) == []


def test_limit(index):
    assert len(index.search("feature", limit=1)) == 1
    assert len(index.search("feature", limit=10)) <= 10


@pytest.mark.parametrize("query", ["", "   ", "!!!", "the of and"])
def test_empty_or_stop_word_queries_find_nothing(index, query):
    assert index.search(query) == []


def test_nonsense_finds_nothing(index):
    assert index.search("zzxqv") == []


def test_index_of_the_example_graph(example_kg):
    hits = example_kg.search_index.search("data drift")
    assert hits[0]["id"] == "problem/data-distribution-shift" and hits[0]["matched"] == "synonym"
    assert example_kg.search_index.search("evidently")[0]["type"] == "tool"


@pytest.mark.parametrize(("query", "ref"), [
    ("train/serve skew", "problem/training-serving-skew"),
    ("trainig serving skew", "problem/training-serving-skew"),
    ("training-serving skew", "problem/training-serving-skew"),
    ("target leakage", "problem/data-leakage"),
    ("data drift", "problem/data-distribution-shift"),
    ("feast", "tool/feast"),
])
def test_full_graph_finds_what_users_type(full_kg, query, ref):
    assert full_kg.search_index.search(query)[0]["id"] == ref


def test_full_graph_free_text_finds_a_problem(full_kg):
    hits = full_kg.search_index.search("my model degrades after launch", kinds=["problem"], limit=5)
    assert hits, "free text about degradation should match some problem"
    assert all(h["type"] == "problem" for h in hits)


def test_search_returns_only_items(example_kg):
    hits = example_kg.search_index.search("mlsd concepts", limit=50)
    assert [h for h in hits if h["type"] not in KINDS] == []


def test_exact_name_ties_do_not_depend_on_node_order():
    problem = {"ref": "problem/data-leakage", "label": "Data leakage", "kind": "problem", "synonyms": [], "text": ""}
    section = {"ref": "section/5.3", "label": "Data Leakage", "kind": "section", "synonyms": [], "text": ""}
    one = [h["id"] for h in SearchIndex([problem, section]).search("data leakage")]
    other = [h["id"] for h in SearchIndex([section, problem]).search("data leakage")]
    assert one == other == ["problem/data-leakage", "section/5.3"]


def test_same_label_same_kind_ties_do_not_depend_on_node_order():
    a = {"ref": "section/1.3", "label": "Summary", "kind": "section", "synonyms": [], "text": ""}
    b = {"ref": "section/2.6", "label": "Summary", "kind": "section", "synonyms": [], "text": ""}
    one = [h["id"] for h in SearchIndex([a, b]).search("summary")]
    other = [h["id"] for h in SearchIndex([b, a]).search("summary")]
    assert one == other
