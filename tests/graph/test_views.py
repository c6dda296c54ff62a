"""mlsd.graph.views: the explorer's subgraph, node cards, book outline and tool rows."""
from __future__ import annotations

import pytest

from mlsd.graph.errors import NotFoundError
from mlsd.graph.load import default_data_dir
from mlsd.graph.store import load_knowledge_graph
from mlsd.graph.views import EXPANSION_CAP, EXPANSION_CAPS, build_view, compare_tools, describe_card, find_book_outline, find_tool_rows


@pytest.fixture(scope="module")
def kg():
    return load_knowledge_graph(default_data_dir() / "schema" / "example.yaml", cache=False)


def test_view_of_focus_holds_its_neighbours_and_edges(kg):
    v = build_view(kg, "problem/data-distribution-shift")
    ids = {n["id"] for n in v["nodes"]}
    assert {"tool/evidently", "technique/drift-detection"} <= ids
    assert all(e["source"] in ids and e["target"] in ids for e in v["edges"])
    assert v["nodes"][0]["role"] == "focus" and v["more"] == {}


def test_expansion_is_capped_and_reports_the_rest(kg):
    total = len(build_view(kg, "problem/data-distribution-shift")["nodes"]) - 1
    for cap in (2, 4):
        v = build_view(kg, "problem/data-distribution-shift", cap=cap)
        assert len(v["nodes"]) == cap + 1 and v["more"]["problem/data-distribution-shift"] == total - cap
    assert EXPANSION_CAP in EXPANSION_CAPS


def test_a_capped_page_samples_every_relation_before_structural_ones(full_kg):
    # 43 neighbours, 13 of them tools: the first page of 20 is not the first relations in full
    focus = "problem/data-distribution-shift"
    v = build_view(full_kg, focus, cap=EXPANSION_CAP)
    assert v["more"][focus] > 0
    shown = {e["predicate"] for e in v["edges"] if focus in (e["source"], e["target"])}
    assert {"solves", "causes", "broader", "related", "discussedIn", "about"} <= shown
    assert "stage" not in shown  # structural relations wait for "+N more"
    kinds = [n["kind"] for n in v["nodes"]]
    assert kinds.count("tool") >= 2 and kinds.count("section") >= 2
    # what solves it, both kinds: the techniques (2 of them) as well as the first tools
    assert {"technique/drift-detection", "technique/model-monitoring"} <= {n["id"] for n in v["nodes"]}


def test_unknown_focus_raises_not_found(kg):
    with pytest.raises(NotFoundError, match="nothing in the graph matches"):
        build_view(kg, "qqqq zzzz")


def test_card_of_a_tool_has_safe_links_and_facts(kg):
    card = describe_card(kg, "tool/evidently")
    assert card["links"]["homepage"].startswith("https://")
    assert card["facts"]["Licence"] == "Apache-2.0" and card["facts"]["Open source"] == "yes"
    assert {"id": "problem/data-distribution-shift", "label": "Data distribution shift"} in card["groups"]["solves"]


def test_card_of_a_problem_lists_tools_with_evidence_and_pages(kg):
    card = describe_card(kg, "problem/data-distribution-shift")
    assert card["tools"][0]["id"] == "tool/evidently" and card["tools"][0]["evidence"][0] == "Evidently"
    assert [loc["page"] for loc in card["locations"]] == [234]


def test_outline_and_tool_rows(kg):
    outline = find_book_outline(kg)
    assert [s["number"] for s in outline[0]["sections"]] == ["8.2", "8.2.3"]
    rows = find_tool_rows(kg)
    assert [r["id"] for r in rows] == ["tool/evidently"] and rows[0]["stages"] == ["Monitoring"]
    assert compare_tools(kg, ["tool/nope", "tool/evidently"], rows) == rows
