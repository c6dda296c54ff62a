"""Labels and definitions that look like HTML are shown as text everywhere, never run."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script> Evidently"


def test_html_labels_render_literally_on_every_page(page, xss_server, xss_kg):
    assert xss_kg.label("problem/data-distribution-shift") == IMG
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.open(xss_server + "/?focus=problem/data-distribution-shift")
    assert page.inner_text("#explore-details-title") == IMG
    assert "<b onmouseover" in page.inner_text("#explore-details")
    assert page.locator("#explore-details img, #explore-details b").count() == 0
    labels = page.cy("return cy.nodes().map(n => n.data('label'));")
    assert IMG in labels and SCRIPT in labels
    page.fill("#explore-search", "img")
    page.wait_for_selector(".hit")
    assert IMG in page.inner_text("#explore-hits")
    page.shoot("test-xss-explore")
    with page.expect_download() as dl:
        page.click("#explore-dl-html")
    exported = open(dl.value.path(), encoding="utf-8").read()
    assert IMG not in exported and "<script>alert(2)" not in exported
    page.open(xss_server + "/find?q=drift")
    page.click("#find-go")
    page.wait_for_selector(".tool-card")
    assert SCRIPT in page.inner_text("#find-tools")
    page.open(xss_server + "/tools")
    assert SCRIPT in page.inner_text("#tools-table")
    page.open(xss_server + "/book?chapter=8")
    assert IMG in page.text_content("#book-toc")
    page.open(xss_server + "/query")
    page.fill("#query-editor", 'SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(CONTAINS(?l, "<")) }')
    page.click("#query-run")
    page.wait_for_selector("#query-table")
    assert IMG in page.inner_text("#query-table")
    page.mouse.move(10, 10)
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x], script:not([src])').length") == \
        page.evaluate("document.querySelectorAll('script:not([src])').length") - page.evaluate(
            "[...document.querySelectorAll('script:not([src])')].filter(s => s.textContent.includes('alert')).length")
    assert page.evaluate("[...document.querySelectorAll('script')].some(s => s.textContent.includes('alert(2)'))") is False
