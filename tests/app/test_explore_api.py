"""The route Explore asks before its Dash callback (``POST /_mlsd/view``) and the function behind it."""
from __future__ import annotations

import pytest

from mlsd.app import callbacks_explore as logic
from mlsd.app import explore_api as api
from mlsd.app import explore_panels as panels
from mlsd.app.explore_api import VIEW_ROUTE
from mlsd.graph.errors import NotFoundError

SKEW = "problem/training-serving-skew"


@pytest.fixture(scope="module")
def client(kg):
    from mlsd.app.server import create_app
    return create_app(kg, {}).server.test_client()


def _ids(canvas, nodes=True):
    return {e["data"]["id"] for e in canvas["elements"] if ("source" in e["data"]) != nodes}


def test_view_after_is_what_the_page_state_gives_for_the_same_event(kg):
    state = logic.parse_state(kg, {"focus": SKEW, "kinds": "tool,technique,problem,stage"})
    expanded = logic.reduce_state(state, "expand", "stage/monitoring")
    expected = logic.to_canvas(expanded, logic.view_of(kg, expanded))
    got = api.view_after(kg, logic.to_query(state)[1:], "expand", "stage/monitoring")
    assert got["canvas"] == expected
    assert got["details"] == panels.details_data(kg, expanded, logic.view_of(kg, expanded))
    got = got["canvas"]
    assert got["layout"]["name"] == "preset" and got["anchor"] == "stage/monitoring"
    assert "expand=stage/monitoring" in got["query"] and "kinds=tool,technique,problem,stage" in got["query"]


def test_more_pages_through_the_neighbours_of_a_node(kg):
    big = max((r for r in kg.nodes if r in kg.nx), key=lambda r: kg.nx.degree(r))
    first = api.view_after(kg, f"focus={big}", "expand", big)["canvas"]  # the focus is expanded already
    second = api.view_after(kg, f"focus={big}", "more", big)["canvas"]
    assert _ids(first) < _ids(second)


@pytest.mark.parametrize("event, ref, error, match", [
    ("path", SKEW, ValueError, "not one of focus, select, expand, more, collapse"),
    ("expand", "tool/no-such-tool", NotFoundError, "no node `tool/no-such-tool`"),
])
def test_view_after_refuses_other_events_and_unknown_nodes(kg, event, ref, error, match):
    with pytest.raises(error, match=match):
        api.view_after(kg, f"focus={SKEW}", event, ref)


def test_route_answers_the_expanded_canvas_as_json(client, kg):
    r = client.post(VIEW_ROUTE, json={"query": f"focus={SKEW}", "event": "expand", "ref": "tool/feast"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Cache-Control"] == "no-store"
    canvas = r.get_json()["canvas"]
    assert r.get_json() == api.view_after(kg, f"focus={SKEW}", "expand", "tool/feast")
    before = _ids(api.view_after(kg, f"focus={SKEW}", "collapse", "tool/feast")["canvas"])
    assert before < _ids(canvas)  # Feast's neighbours were added


@pytest.mark.parametrize("body, status, match", [
    ("not json", 400, "send a JSON object"),
    ({"query": "", "event": "expand"}, 400, "`ref` must be a non-empty string"),
    ({"query": 3, "event": "", "ref": SKEW}, 400, "`query`, `event` must be"),
    ({"query": "", "event": "delete", "ref": SKEW}, 400, "`delete` is not one of"),
    ({"query": "", "event": "expand", "ref": "tool/nope"}, 404, "no node `tool/nope`"),
])
def test_route_rejects_bad_requests_with_a_json_error(client, body, status, match):
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body, "content_type": "text/plain"}
    r = client.post(VIEW_ROUTE, **kwargs)
    assert r.status_code == status
    assert match in r.get_json()["error"]


def test_route_is_post_only_and_bounded(client):
    assert client.get(VIEW_ROUTE).mimetype == "text/html"  # a GET is the app's own "no such page"
    r = client.post(VIEW_ROUTE, json={"query": "x" * 70_000, "event": "expand", "ref": SKEW})
    assert r.status_code == 413 and "larger than" in r.get_json()["error"]


def test_an_unknown_focus_in_the_query_falls_back_like_a_shared_link(kg):
    canvas = api.view_after(kg, "layout=bogus&expand=zzz/unknown", "expand", "tool/feast")["canvas"]
    assert "focus=" + logic.default_focus(kg) in canvas["query"]


def test_a_pick_gives_the_new_focus_and_a_click_only_its_details(kg):
    picked = api.view_after(kg, "focus=chapter/1", "focus", "tool/feast")
    assert picked["canvas"]["layout"]["name"] == "cose" and picked["canvas"]["anchor"] == "tool/feast"
    assert picked["details"]["title"] == "Feast"
    clicked = api.view_after(kg, f"focus={SKEW}", "select", "tool/feast")
    assert clicked["canvas"] is None and clicked["details"]["title"] == "Feast"
    assert {"text": "Focus here", "href": "/?focus=tool%2Ffeast"} in clicked["details"]["actions"]
