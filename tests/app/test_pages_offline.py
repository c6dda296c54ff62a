"""The app works with every request to another host blocked, and never tries one."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_every_page_works_offline(page, live_server):
    outside: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    for path in ("/", "/find", "/tools", "/book", "/query"):
        page.open(live_server + path)
    page.open(live_server + "/")
    page.fill("#explore-search", "data leakage")
    page.locator(".hit").first.click()
    page.wait_for_function("document.querySelector('#explore-details-title').innerText.length > 0")
    page.open(live_server + "/book?chapter=8")
    page.wait_for_selector("#book-stages .main-svg")
    assert outside == []
    assert page.console.errors == []
