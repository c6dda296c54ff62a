"""Book: the table of contents tree and the lifecycle chart."""
from __future__ import annotations

import pytest

from mlsd.app import callbacks_book as logic
from mlsd.graph.views import find_book_outline


def test_outline_lists_chapters_in_order_with_sections_and_topics(kg):
    outline = find_book_outline(kg)
    numbers = [c["number"] for c in outline]
    assert numbers == sorted(numbers) and len(numbers) == len([n for n in kg.nodes if n.startswith("chapter/")])
    sections = [s for c in outline for s in c["sections"]]
    assert sections and any(s["items"] for s in sections)
    problem_items = [i for s in sections for i in s["items"] if i["kind"] == "problem"]
    assert any(i["tools"] for i in problem_items)


def test_stage_figure_has_one_bar_per_stage_and_series(kg):
    rows = logic.stage_rows(kg)
    fig = logic.stage_figure(rows)
    assert [t["name"] for t in fig["data"]] == ["Problems", "Techniques", "Tools"]
    assert all(len(t["x"]) == len(rows) for t in fig["data"])
    assert [r["order"] for r in rows] == sorted(r["order"] for r in rows)


@pytest.mark.browser
def test_book_page_opens_a_chapter_and_draws_the_lifecycle(page, live_server, kg):
    outline = find_book_outline(kg)
    ch = next(c for c in outline if c["sections"])
    page.open(live_server + f"/book?chapter={ch['number']}")
    page.wait_for_selector("#book-stages .main-svg")
    chapter = page.locator(f"#book-chapter-{ch['number']}")
    assert chapter.get_attribute("open") is not None
    sec = next(s for s in ch["sections"] if s["items"])
    chapter.locator("summary", has_text=f"{sec['number']} {sec['title']}").first.click()
    assert sec["items"][0]["label"] in chapter.inner_text()
    bars = page.locator("#book-stages .bars path").count()
    assert bars >= len(logic.stage_rows(kg))
    page.shoot("test-book")
    assert page.console.errors == []
