"""The Explore panels as data: suggestions and details (drawn by app/assets/explore.js)."""
from __future__ import annotations

import re

import pytest

from mlsd.app import callbacks_explore as logic
from mlsd.app import explore_panels as panels
from mlsd.app.ui import KIND_NAMES, location_text
from mlsd.graph.views import describe_card

SKEW = "problem/training-serving-skew"


@pytest.mark.parametrize("text, ref", [("train/serve skew", SKEW), ("feast", "tool/feast")])
def test_suggestions_are_data_the_browser_draws_as_text(kg, text, ref):
    data = panels.hit_list(kg, text)
    assert data["text"] == text and data["hits"][0]["id"] == ref
    first = data["hits"][0]
    assert set(first) == {"id", "label", "kind", "colour", "matched"}
    assert first["kind"] in KIND_NAMES.values() and re.fullmatch(r"#[0-9a-fA-F]{6}", first["colour"])
    assert panels.hit_list(kg, "x")["hits"] == []


def test_details_show_book_locations_and_tools(kg):
    card = describe_card(kg, SKEW)
    assert card["locations"] and card["tools"]
    data = panels.details_data(kg, logic.parse_state(kg, {"focus": SKEW}))
    assert data["title"] == card["label"] and data["kind"] == "Problem"
    assert [loc["text"] for loc in data["locations"]] == [location_text(loc) for loc in card["locations"]]
    assert all(loc["href"].startswith("/?focus=section%2F") for loc in data["locations"])
    assert data["tools"]["items"][0]["text"] == card["tools"][0]["label"]
    assert data["tools"]["items"][0]["why"].startswith(card["tools"][0]["label"] + " —")
    assert {"text": "Find tools →", "href": "/find?q=Training-serving+skew"} in data["actions"]


def test_details_links_keep_the_filters_and_only_leave_the_app_over_http(kg):
    state = logic.parse_state(kg, {"focus": "tool/feast", "kinds": "tool,technique", "layout": "concentric"})
    data = panels.details_data(kg, state)
    links = [i for g in data["groups"] for i in g["items"]]
    assert links and all(i["href"].startswith("/?focus=") and "kinds=tool%2Ctechnique" in i["href"]
                         and "layout=concentric" in i["href"] for i in links)
    assert data["links"] and all(link["href"].startswith(("https://", "http://")) for link in data["links"])
    assert panels.details_data(kg, {**state, "selected": "no/such", "focus": "no/such"})["notice"]["kind"] == "info"
