"""Tool catalog: filters and records as functions, and the table in Chromium."""
from __future__ import annotations

import pytest

from mlsd.app import callbacks_tools as logic
from mlsd.graph.views import find_tool_rows


def test_records_cover_every_tool_and_link_to_explore(kg):
    rows = find_tool_rows(kg)
    recs = logic.to_records(rows)
    assert len(recs) == len({n for n in kg.nodes if n.startswith("tool/")}) == len(rows)
    assert all(r["explore"].startswith("[Explore →](/?focus=tool/") for r in recs)


@pytest.mark.parametrize("field,value", [("categories", "Feature store"), ("stages", "Monitoring"),
                                         ("licenses", "MIT"), ("languages", "Python")])
def test_each_filter_keeps_only_matching_rows(kg, field, value):
    rows = find_tool_rows(kg)
    kept = logic.filter_rows(rows, **{field: [value]})
    key = {"categories": "category", "stages": "stages", "licenses": "license", "languages": "language"}[field]
    assert kept and len(kept) < len(rows)
    assert all((value in r[key]) if isinstance(r[key], list) else r[key] == value for r in kept)


@pytest.mark.browser
def test_catalog_filters_and_offers_comparison(page, live_server, kg):
    page.open(live_server + "/tools")
    total = len(find_tool_rows(kg))
    assert page.inner_text("#tools-count") == f"{total} of {total} tools"
    page.fill("#tools-text", "feature store")
    expected = logic.filter_rows(find_tool_rows(kg), text="feature store")
    page.wait_for_function(f"document.querySelector('#tools-count').innerText.startsWith('{len(expected)} of')")
    rows = page.locator("#tools-table tbody tr:has(td)")
    assert rows.count() == min(len(expected), 25)
    page.locator("#tools-table input[type=checkbox]").nth(0).check()
    page.locator("#tools-table input[type=checkbox]").nth(1).check()
    link = page.locator("#tools-compare")
    link.wait_for(state="visible")
    assert link.get_attribute("href").startswith("/find?compare=tool/")
    page.shoot("test-tools")
    link.click()
    page.wait_for_selector("#find-compare-table")
    assert page.console.errors == []
