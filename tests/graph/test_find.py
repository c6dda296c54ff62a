"""find_tools, find_locations, find_matches and describe_node: the user's questions."""
from __future__ import annotations

import pytest

from mlsd.graph.errors import NotFoundError
from mlsd.graph.find import describe_node, find_locations, find_matches, find_tools, find_tools_for


def test_find_matches_by_reference_and_iri(example_kg):
    for text in ("problem/data-distribution-shift", "https://w3id.org/mlsd/id/problem/data-distribution-shift"):
        assert find_matches(example_kg, text) == [{"id": "problem/data-distribution-shift", "label": "Data distribution shift",
                                                   "type": "problem", "score": 1.0, "matched": "id"}]


def test_find_matches_respects_kinds(example_kg):
    assert find_matches(example_kg, "tool/evidently") == []
    assert find_matches(example_kg, "evidently") == []
    assert find_matches(example_kg, "evidently", kinds=("tool",))[0]["id"] == "tool/evidently"


def test_find_matches_keeps_only_close_runners_up(example_kg):
    matches = find_matches(example_kg, "data drift")
    assert matches[0]["id"] == "problem/data-distribution-shift"
    assert all(m["score"] >= 0.75 * matches[0]["score"] for m in matches)


def test_find_tools_on_the_example(example_kg):
    res = find_tools(example_kg, "data drift")
    assert res["query"] == "data drift"
    assert [m["id"] for m in res["matches"]] == ["problem/data-distribution-shift"]
    assert len(res["tools"]) == 1
    tool = res["tools"][0]
    assert (tool["id"], tool["label"]) == ("tool/evidently", "Evidently")
    assert tool["evidence"] == [["Evidently", "solves", "Data distribution shift"],
                                ["Evidently", "implements", "Drift detection", "solves", "Data distribution shift"]]
    # the best evidence counts fully, the second a tenth of its weight (technique: 0.8)
    assert tool["score"] == pytest.approx(1.0 + 0.1 * 0.8)
    assert res["read"] == [{"chapter": 8, "section": "8.2 Data Distribution Shifts", "page": 234}]


def test_find_tools_for_a_technique(example_kg):
    matches = [{"id": "technique/drift-detection", "label": "Drift detection", "type": "technique", "score": 1.0}]
    tools = find_tools_for(example_kg, matches)
    assert [(t["id"], t["evidence"]) for t in tools] == [("tool/evidently", [["Evidently", "implements", "Drift detection"]])]
    assert tools[0]["score"] == pytest.approx(0.9)


def test_find_tools_for_nothing(example_kg):
    assert find_tools_for(example_kg, []) == []
    res = find_tools(example_kg, "zzqqxx")
    assert res == {"query": "zzqqxx", "matches": [], "tools": [], "read": []}


def test_find_tools_follows_narrower_problems(make_data_dir):
    from mlsd.graph.store import load_knowledge_graph
    extra = """problems:
  - id: drift-in-general
    label: Drift in general
    synonyms: [general drift]
    definition: Any change in the data over time.
"""
    data = make_data_dir(files={"more.yaml": extra},
                         patch=("problems", "data-distribution-shift", "broader", ["problem/drift-in-general"]))
    kg = load_knowledge_graph(data, cache=False)
    res = find_tools(kg, "problem/drift-in-general")
    assert res["tools"][0]["evidence"] == [["Evidently", "solves", "Data distribution shift", "broader", "Drift in general"]]


def test_find_tools_on_the_full_graph(full_kg):
    res = find_tools(full_kg, "train/serve skew")
    assert res["matches"][0]["id"] == "problem/training-serving-skew"
    ids = [t["id"] for t in res["tools"]]
    assert "tool/feast" in ids
    feast = res["tools"][ids.index("tool/feast")]
    assert ["Feast", "solves", "Training-serving skew"] in feast["evidence"]
    assert ["Feast", "implements", "Feature store", "solves", "Training-serving skew"] in feast["evidence"]
    assert [len(e) for e in feast["evidence"]] == sorted(len(e) for e in feast["evidence"])
    scores = [t["score"] for t in res["tools"]]
    assert scores == sorted(scores, reverse=True)
    for t in res["tools"]:
        assert t["evidence"] and all(ev[-1] in {m["label"] for m in res["matches"]} for ev in t["evidence"])
    assert res["read"] and all(isinstance(r["chapter"], int) and isinstance(r["page"], int) for r in res["read"])
    assert len({(r["chapter"], r["section"]) for r in res["read"]}) == len(res["read"])


def test_find_tools_limit(full_kg):
    assert len(find_tools(full_kg, "train/serve skew", limit=3)["tools"]) == 3


def test_find_locations_on_the_example(example_kg):
    res = find_locations(example_kg, "drift detection")
    assert res["matches"][0]["id"] == "technique/drift-detection"
    locs = [loc for loc in res["locations"] if loc["concept"] == "technique/drift-detection"]
    assert locs == [{"concept": "technique/drift-detection", "chapter": 8, "chapter_title": "Data Distribution Shifts and Monitoring",
                     "section": "Detecting Data Distribution Shifts", "section_number": "8.2.3", "page": 239}]
    pages = [loc["page"] for loc in res["locations"]]
    assert pages == sorted(pages)


def test_find_locations_of_a_decision(example_kg):
    res = find_locations(example_kg, "decision/monitoring-granularity")
    assert [(loc["section_number"], loc["page"]) for loc in res["locations"]] == [("8.2.3", 239)]


def test_find_locations_of_a_chapter_level_concept(make_data_dir):
    from mlsd.graph.store import load_knowledge_graph
    data = make_data_dir(patch=("concepts", "two-sample-test", "discussed_in", ["chapter/8"]))
    kg = load_knowledge_graph(data, cache=False)
    locs = find_locations(kg, "concept/two-sample-test")["locations"]
    assert locs == [{"concept": "concept/two-sample-test", "chapter": 8, "chapter_title": "Data Distribution Shifts and Monitoring",
                     "section": "Data Distribution Shifts and Monitoring", "section_number": "8", "page": 223}]


def test_find_locations_nothing(example_kg):
    assert find_locations(example_kg, "zzqqxx") == {"query": "zzqqxx", "matches": [], "locations": []}


def test_find_locations_on_the_full_graph(full_kg):
    res = find_locations(full_kg, "data drift")
    assert res["matches"][0]["id"] == "problem/data-distribution-shift"
    chapters = {loc["chapter"] for loc in res["locations"] if loc["concept"] == "problem/data-distribution-shift"}
    assert 8 in chapters


def test_describe_node(example_kg):
    d = describe_node(example_kg, "tool/evidently")
    assert (d["id"], d["label"], d["kind"]) == ("tool/evidently", "Evidently", "tool")
    props = d["properties"]
    assert props["solves"] == [{"id": "problem/data-distribution-shift", "label": "Data distribution shift"}]
    assert props["category"] == [{"id": "category/ml-monitoring", "label": "ML monitoring and drift detection"}]
    assert props["licenseId"] == ["Apache-2.0"]
    assert props["openSource"] == [True]
    assert d["locations"] == []


def test_describe_node_by_name_with_locations(example_kg):
    d = describe_node(example_kg, "data drift")
    assert d["id"] == "problem/data-distribution-shift"
    assert sorted(d["synonyms"]) == ["data drift", "dataset shift"]
    assert [loc["section_number"] for loc in d["locations"]] == ["8.2"]


def test_describe_unknown_node(example_kg):
    with pytest.raises(NotFoundError, match=r"nothing in the graph matches `qqzzxx`"):
        describe_node(example_kg, "qqzzxx")
