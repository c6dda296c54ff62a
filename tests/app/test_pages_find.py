"""Find tools: candidates, ranking with filters and comparison, as functions and in Chromium."""
from __future__ import annotations

import pytest

from mlsd.app import callbacks_find as logic
from mlsd.graph.find import find_tools
from mlsd.graph.views import find_tool_rows

SKEW_WORDS = "train/serve skew"


@pytest.fixture(scope="module")
def catalog(kg):
    return {r["id"]: r for r in find_tool_rows(kg)}


def test_candidates_and_ranking_agree_with_the_library(kg):
    cands = logic.find_candidates(kg, SKEW_WORDS)
    assert cands and cands[0]["id"] == find_tools(kg, SKEW_WORDS)["matches"][0]["id"]
    ranked = logic.rank_tools(kg, [cands[0]["id"]])
    assert "tool/feast" in [t["id"] for t in ranked]
    assert all(t["evidence"] for t in ranked)


@pytest.mark.parametrize("text", ["", "   ", "qwxzv plorp"])
def test_no_candidates_for_empty_or_unknown_text(kg, text):
    assert logic.find_candidates(kg, text) == []


def test_filters_use_catalog_facts(kg, catalog):
    ranked = logic.rank_tools(kg, [logic.find_candidates(kg, SKEW_WORDS)[0]["id"]])
    open_only = logic.filter_tools(ranked, catalog, open_only=True)
    assert open_only and all(catalog[t["id"]]["open_source"] for t in open_only)
    assert len(open_only) < len(ranked)  # some feature stores are proprietary
    lic = catalog["tool/feast"]["license"]
    assert {catalog[t["id"]]["license"] for t in logic.filter_tools(ranked, catalog, licenses=[lic])} == {lic}


def test_comparison_table_names_each_tool(kg):
    rows = find_tool_rows(kg)
    table = logic.render_comparison(kg, ["tool/feast", "tool/tecton"], rows)
    text = repr(table)
    assert "Feast" in text and "Tecton" in text
    assert "notice" in repr(logic.render_comparison(kg, ["tool/feast"], rows))


@pytest.mark.browser
def test_find_returns_feast_with_evidence_and_where_to_read(page, live_server, kg):
    page.open(live_server + "/find")
    assert page.console.errors == []
    page.fill("#find-text", SKEW_WORDS)
    page.click("#find-go")
    page.wait_for_selector(".tool-card")
    tools = page.inner_text("#find-tools")
    assert "Feast" in tools and "solves" in tools
    expected = find_tools(kg, SKEW_WORDS)
    read = page.inner_text("#find-read")
    assert all(f"p. {r['page']}" in read for r in expected["read"])
    page.shoot("test-find")
    assert page.console.errors == []


@pytest.mark.browser
def test_ticking_two_tools_compares_them_and_open_source_filter_applies(page, live_server, catalog):
    page.open(live_server + "/find?q=" + SKEW_WORDS.replace(" ", "+"))
    page.click("#find-go")
    page.wait_for_selector(".tool-card")
    boxes = page.locator("#find-tools input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.wait_for_selector("#find-compare-table")
    head = page.inner_text("#find-compare-table thead")
    names = page.locator("#find-tools .name")
    assert names.nth(0).inner_text() in head and names.nth(1).inner_text() in head
    page.wait_for_function("location.search.includes('compare=')")
    before = page.inner_text("#find-summary")
    page.locator("#find-open input").check()
    page.wait_for_function(f"document.querySelector('#find-summary').innerText != {before!r}")
    shown = page.locator("#find-tools .name").all_inner_texts()
    by_label = {r["label"]: r for r in catalog.values()}
    assert shown and all(by_label[n]["open_source"] for n in shown)
    page.shoot("test-find-compare")
