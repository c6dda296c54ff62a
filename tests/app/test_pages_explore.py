"""Explore: view state, canvas elements and details as functions, and the page in Chromium."""
from __future__ import annotations

import re

import pytest

from mlsd.app import callbacks_explore as logic
from mlsd.graph.network import find_neighbors, find_path
from mlsd.graph.views import EXPANSION_CAP, build_view, describe_card

SKEW = "problem/training-serving-skew"
SHIFT = "problem/data-distribution-shift"  # more neighbours than a page holds


def _neighbour_count(kg, ref: str) -> int:
    return len({n["id"] for n in find_neighbors(kg, ref, limit=10**6)["neighbors"]})


# ------------------------------------------------------------------ state and view logic

def test_state_round_trips_through_the_url(kg):
    state = logic.parse_state(kg, {"focus": SKEW, "expand": "tool/feast~2,stage/monitoring", "kinds": "tool,problem",
                                   "rels": "solves", "stages": "stage/monitoring", "layout": "concentric",
                                   "path": "tool/feast|chapter/3", "per": "50", "selected": "tool/feast"})
    again = logic.parse_state(kg, dict(p.split("=", 1) for p in logic.to_query(state)[1:].split("&")))
    assert {k: again[k] for k in again if k != "history"} == {k: state[k] for k in state if k != "history"}
    assert state["expanded"] == [["tool/feast", 2], ["stage/monitoring", 1]] and state["per"] == 50
    assert "per=" not in logic.to_query({**state, "per": EXPANSION_CAP})  # the default stays out of the URL


@pytest.mark.parametrize("query", [{}, {"focus": "no/such-node"}, {"layout": "nonsense", "expand": "zzz/unknown"},
                                   {"per": "7"}, {"per": "lots"}, {"per": "-25"}])
def test_bad_or_missing_url_state_falls_back_to_a_real_view(kg, query):
    state = logic.parse_state(kg, query)
    assert state["focus"] in kg.nodes
    assert state["layout"] in logic.LAYOUTS and state["expanded"] == [] and state["per"] == EXPANSION_CAP


def test_new_nodes_per_expansion_sets_the_page_size_and_undo_restores_it(kg):
    focus = SHIFT
    s0 = logic.parse_state(kg, {"focus": focus})
    total = _neighbour_count(kg, focus)
    assert len(logic.view_of(kg, s0)["nodes"]) == EXPANSION_CAP + 1 < total + 1
    s1 = logic.reduce_state(s0, "per", 10)
    assert s1["per"] == 10 and len(logic.view_of(kg, s1)["nodes"]) == 11
    assert logic.view_of(kg, s1)["more"][focus] == total - 10
    assert logic.reduce_state(s1, "per", 33) == s1  # only the offered sizes
    assert logic.reduce_state(s1, "undo")["per"] == EXPANSION_CAP


def test_reduce_state_expand_collapse_undo_never_mutates(kg):
    s0 = logic.parse_state(kg, {"focus": SKEW})
    frozen = repr(s0)
    s1 = logic.reduce_state(s0, "expand", "tool/feast")
    assert s1["expanded"] == [["tool/feast", 1]] and repr(s0) == frozen
    s2 = logic.reduce_state(s1, "collapse", "tool/feast")
    assert s2["expanded"] == []
    s3 = logic.reduce_state(s2, "undo")
    assert s3["expanded"] == [["tool/feast", 1]]
    assert logic.reduce_state(s0, "undo") == s0


def test_goto_takes_the_view_the_browser_shows_and_undo_returns_from_it(kg):
    s0 = logic.parse_state(kg, {"focus": SKEW})
    target = logic.parse_state(kg, {"focus": SKEW, "expand": "tool/feast", "selected": "tool/feast"})
    s1 = logic.reduce_state(s0, "goto", target)
    assert s1["expanded"] == [["tool/feast", 1]] and s1["selected"] == "tool/feast" and s1["redraw"]
    assert logic.reduce_state(s1, "undo")["expanded"] == []
    s2 = logic.reduce_state(s1, "goto", {**target, "selected": SKEW})  # a click: only the selection moves
    assert s2["selected"] == SKEW and not s2["redraw"] and s2["history"] == s1["history"]


def test_double_tap_expands_and_single_tap_selects(kg):
    s0 = logic.parse_state(kg, {"focus": SKEW})
    s1 = logic.reduce_state(s0, "tap", {"id": "tool/feast", "ts": 1000})
    assert s1["selected"] == "tool/feast" and s1["expanded"] == []
    s2 = logic.reduce_state(s1, "tap", {"id": "tool/feast", "ts": 1000 + logic.DOUBLE_TAP_MS - 50})
    assert s2["expanded"] == [["tool/feast", 1]]
    s3 = logic.reduce_state(s1, "tap", {"id": "tool/feast", "ts": 1000 + logic.DOUBLE_TAP_MS + 500})
    assert s3["expanded"] == []


def test_more_node_pages_through_a_big_neighbourhood(kg):
    big = max((r for r in kg.nodes if r in kg.nx), key=lambda r: kg.nx.degree(r))
    total = _neighbour_count(kg, big)
    assert total > EXPANSION_CAP
    s0 = logic.parse_state(kg, {"focus": big})
    v0 = logic.view_of(kg, s0)
    assert len(v0["nodes"]) == EXPANSION_CAP + 1 and v0["more"][big] == total - EXPANSION_CAP
    els = logic.to_elements(v0)
    assert any(e["data"]["id"] == f"more::{big}" and e["data"]["label"] == f"+{total - EXPANSION_CAP} more" for e in els)
    s1 = logic.reduce_state(s0, "tap", {"id": f"more::{big}", "ts": 5})
    v1 = logic.view_of(kg, s1)
    assert len(v1["nodes"]) == min(total, 2 * EXPANSION_CAP) + 1
    again = logic.parse_state(kg, {"focus": big, "expand": logic.to_query(s1).split("expand=")[1].split("&")[0]})
    assert again["expanded"] == s1["expanded"] == [[big, 2]]  # the focus's second page survives the URL


def test_filters_keep_only_chosen_kinds_and_relations(kg):
    v = build_view(kg, SKEW, kinds=["tool"], relations=["solves"])
    assert {n["kind"] for n in v["nodes"] if n["id"] != SKEW} == {"tool"}
    assert {e["predicate"] for e in v["edges"]} <= {"solves"}


def test_path_is_drawn_and_marked(kg):
    steps = find_path(kg, "tool/feast", "chapter/3")
    v = build_view(kg, SKEW, path=("tool/feast", "chapter/3"))
    marked = {(e["source"], e["target"]) for e in v["edges"] if e["on_path"]}
    assert marked == {(s["source"], s["target"]) for s in steps}


# ------------------------------------------------------------------ in the browser

def _node_count(page) -> int:
    return page.cy("return cy.nodes().filter(n => !n.id().startsWith('more::')).length;")


def _open_big_view(page, live_server, kg) -> int:
    """Open the view of :data:`SHIFT`, check it shows one page of neighbours; how many it has."""
    page.open(live_server + "/?focus=" + SHIFT)
    assert _node_count(page) == EXPANSION_CAP + 1
    return _neighbour_count(kg, SHIFT)


@pytest.mark.browser
def test_explore_loads_without_console_errors(page, live_server):
    page.open(live_server + "/")
    page.wait_for_selector("#explore-details-title")
    assert _node_count(page) > 1
    page.shoot("test-explore-home")
    assert page.console.errors == []


@pytest.mark.browser
def test_search_then_details_show_chapter_and_page(page, live_server, kg):
    page.open(live_server + "/")
    page.fill("#explore-search input, input#explore-search", "training-serving skew")
    page.locator(".hit").first.click()
    page.wait_for_function("document.querySelector('#explore-details-title').innerText.includes('Training-serving')")
    locs = page.inner_text("#explore-locations")
    for loc in describe_card(kg, SKEW)["locations"]:
        assert f"Chapter {loc['chapter']}" in locs and f"p. {loc['page']}" in locs
    page.wait_for_function("location.search.includes('focus=problem/training-serving-skew')")
    page.shoot("test-explore-search")
    assert page.console.errors == []


@pytest.mark.browser
def test_double_click_and_expand_button_add_nodes_and_undo_removes_them(page, live_server, kg):
    page.open(live_server + "/?focus=" + SKEW)
    before = _node_count(page)
    # double-click a tool on the canvas, at its rendered position
    pos = page.cy("""const n = cy.getElementById('tool/feast'); const p = n.renderedPosition();
                     const r = cy.container().getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y};""")
    page.mouse.dblclick(pos["x"], pos["y"])
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length != {before}")
    after = _node_count(page)
    feast_new = {n["id"] for n in find_neighbors(kg, "tool/feast", limit=10**6)["neighbors"]}
    assert after > before and after <= before + len(feast_new)
    page.wait_for_function("location.search.includes('expand=tool/feast')")
    page.shoot("test-explore-expanded")
    page.click("#explore-undo")
    page.wait_for_function("document.querySelector('#explore-status').innerText.startsWith('%d nodes')" % before)
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {before}")
    page.wait_for_function("!location.search.includes('expand=')")
    # the toolbar: select the tool with one click, then Expand, Collapse, Undo
    pos = page.cy("""const n = cy.getElementById('tool/feast'); const p = n.renderedPosition();
                     const r = cy.container().getBoundingClientRect(); return {x: r.left + p.x, y: r.top + p.y};""")
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#explore-details-title:has-text('Feast')")
    page.click("#explore-expand")
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {after}")
    page.wait_for_function("location.search.includes('expand=tool/feast')")
    page.click("#explore-collapse")
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {before}")
    page.wait_for_function("!location.search.includes('expand=')")
    page.click("#explore-undo")  # one step back: the expansion, recorded once
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {after}")
    page.wait_for_function("location.search.includes('expand=tool/feast')")
    page.click("#explore-undo")
    page.wait_for_function("!location.search.includes('expand=')")
    assert page.console.errors == []


@pytest.mark.browser
def test_show_more_button_adds_the_next_page_of_the_selected_node(page, live_server, kg):
    focus, total = SHIFT, _open_big_view(page, live_server, kg)
    page.click("#explore-more")  # the focus is selected
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {min(total, 2 * EXPANSION_CAP) + 1}")
    page.wait_for_function(f"location.search.includes('expand={focus}~2') || location.search.includes('expand={focus}%7E2')")
    assert page.console.errors == []


@pytest.mark.browser
def test_shared_url_restores_filters_layout_and_path(page, live_server, kg):
    page.open(live_server + "/?focus=tool/feast&kinds=tool,technique,problem&layout=concentric&path=tool/feast|chapter/3")
    kinds = set(page.cy("return cy.nodes().filter(n => !n.id().startsWith('more::') && !n.hasClass('on-path'))"
                        ".map(n => n.data('kind'));"))
    assert kinds <= {"tool", "technique", "problem"}
    path_nodes = page.cy("return cy.nodes('.on-path').map(n => n.id());")
    assert {"tool/feast", "chapter/3"} <= set(path_nodes)
    steps = find_path(kg, "tool/feast", "chapter/3")
    assert page.cy("return cy.edges('.on-path').length;") == len(steps)
    assert page.inner_text("#explore-path-result").startswith("Path:")
    assert page.evaluate("location.search").find("layout=concentric") > 0
    # the same through the form: names typed into From/To
    page.fill("#explore-path-from", kg.label("tool/tecton"))
    page.fill("#explore-path-to", kg.label("chapter/8"))
    page.click("#explore-path-go")
    page.wait_for_function("location.search.includes('path=tool/tecton%7Cchapter/8') || "
                           "location.search.includes('path=tool/tecton|chapter/8')")
    page.wait_for_function("document.querySelector('#explore-path-result').innerText.includes(%r)"
                           % kg.label("chapter/8"))
    page.shoot("test-explore-path")


@pytest.mark.browser
def test_new_nodes_per_expansion_is_a_control_kept_in_the_url(page, live_server, kg):
    focus, total = SHIFT, _open_big_view(page, live_server, kg)
    assert page.cy(f"return cy.getElementById('more::{focus}').data('label');") == f"+{total - EXPANSION_CAP} more"
    page.click("#explore-per")
    page.click(".dash-dropdown-option:has-text('50 at a time')")  # the open list is a portal, outside #explore-per
    page.wait_for_function("location.search.includes('per=50')")
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length === {min(total, 50) + 1}")
    page.reload()  # a shared link keeps the page size
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length === {min(total, 50) + 1}")
    assert page.console.errors == []


@pytest.mark.browser
def test_download_this_view_as_offline_html_and_png(page, live_server, kg):
    page.open(live_server + "/?focus=tool/feast")
    with page.expect_download() as dl:
        page.click("#explore-dl-html")
    html = open(dl.value.path(), encoding="utf-8").read()
    assert "Feast" in html and "vis-network" in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    with page.expect_download() as dl:
        page.click("#explore-dl-png")
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def _positions(page) -> dict:
    return page.cy("const out = {}; cy.nodes().forEach(n => { out[n.id()] = n.position(); }); return out;")


def _dblclick(page, ref: str) -> None:
    pos = page.cy(f"""const n = cy.getElementById({ref!r}); const p = n.renderedPosition();
                      const r = cy.container().getBoundingClientRect(); return {{x: r.left + p.x, y: r.top + p.y}};""")
    page.mouse.dblclick(pos["x"], pos["y"])


@pytest.mark.browser
def test_a_searched_node_gets_a_laid_out_neighbourhood(page, live_server):
    page.open(live_server + "/?focus=chapter/1")
    page.fill("input#explore-search", "training-serving skew")
    page.locator(".hit").first.click()
    page.cy_wait(f"cy.getElementById({SKEW!r}).hasClass('focus')")
    page.wait_for_timeout(300)  # the layout runs once the new elements are in
    spread = page.cy("""const bb = cy.nodes().renderedBoundingBox({includeLabels: false});
                        const spots = new Set(cy.nodes().map(n => Math.round(n.position('x')) + ',' + Math.round(n.position('y'))));
                        return {w: bb.w / cy.width(), h: bb.h / cy.height(), spots: spots.size, n: cy.nodes().length};""")
    # the nodes fill the canvas rather than sitting in a clump where they were added
    assert max(spread["w"], spread["h"]) > 0.6 and spread["spots"] == spread["n"]
    assert page.console.errors == []


@pytest.mark.browser
def test_expanding_keeps_the_drawn_nodes_in_place_and_tidy_lays_out_again(page, live_server):
    page.open(live_server + "/?focus=" + SKEW)
    before = _positions(page)
    _dblclick(page, SHIFT)  # a full page of new nodes
    page.cy_wait(f"cy.nodes().length > {len(before)}")
    after = _positions(page)
    moved = [ref for ref, p in before.items() if abs(after[ref]["x"] - p["x"]) > 0.5 or abs(after[ref]["y"] - p["y"]) > 0.5]
    assert moved == []
    new = {ref: p for ref, p in after.items() if ref not in before}
    assert len({(round(p["x"]), round(p["y"])) for p in new.values()}) == len(new)  # no two on one spot
    page.wait_for_function("location.search.includes('expand=problem/data-distribution-shift')")  # the page state follows
    page.wait_for_selector("#explore-details-title:has-text('distribution shift')")
    pos = page.cy("""const p = cy.getElementById('tool/feast').renderedPosition(); const r = cy.container().getBoundingClientRect();
                     return {x: r.left + p.x, y: r.top + p.y};""")
    page.mouse.click(pos["x"], pos["y"])  # a single click: the details of the node, nothing else
    page.wait_for_selector("#explore-details-title:has-text('Feast')")
    page.wait_for_function("location.search.includes('selected=tool/feast')")
    assert _positions(page).keys() == after.keys()
    page.click("#explore-tidy")
    page.wait_for_timeout(300)
    tidied = _positions(page)
    assert any(abs(tidied[r]["x"] - p["x"]) > 1 for r, p in after.items())
    assert page.console.errors == []


@pytest.mark.browser
def test_double_click_and_more_node_work_without_the_view_route(page, live_server, kg):
    page.route("**/_mlsd/view", lambda route: route.abort())
    big = max((r for r in kg.nodes if r in kg.nx and kg.nodes[r]["kind"] == "stage"), key=lambda r: kg.nx.degree(r))
    page.open(live_server + "/?focus=" + SKEW)
    before = _node_count(page)
    _dblclick(page, "tool/feast")
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length > {before}")
    page.wait_for_function("location.search.includes('expand=tool/feast')")
    page.open(live_server + "/?focus=" + big)
    shown = _node_count(page)
    page.cy(f"cy.getElementById('more::{big}').emit('tap');")
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length > {shown}")
    page.wait_for_function(f"location.search.includes('expand={big}~2') || location.search.includes('expand={big}%7E2')")
    page.click("#explore-collapse")  # the toolbar, told to the callback without the route's answer
    page.cy_wait(f"cy.nodes().filter(n => !n.id().startsWith('more::')).length == {shown}")
    page.wait_for_function(f"!location.search.includes('expand={big}')")
    page.fill("input#explore-search", "feast")
    page.locator(".hit").first.click()
    page.wait_for_function("(document.querySelector('#explore-details-title') || {}).innerText === 'Feast'")
    page.wait_for_function("location.search.includes('focus=tool/feast')")
    # the aborted route requests are the only errors (the browser reports each failed load)
    assert all("net::ERR_FAILED" in e for e in page.console.errors)


@pytest.mark.browser
def test_a_link_in_the_details_moves_within_the_app(page, live_server, kg):
    page.open(live_server + "/?focus=" + SKEW)
    page.evaluate("window.__same_page = true")
    first = describe_card(kg, SKEW)["locations"][0]
    page.click("#explore-locations a")
    page.wait_for_function("(document.querySelector('#explore-details-title') || {}).innerText === %r"
                           % kg.label(f"section/{first['section_number']}"))
    assert "focus=section" in page.evaluate("location.search")
    assert page.evaluate("window.__same_page") is True  # no reload: a dcc.Link-style move
    assert page.console.errors == []
