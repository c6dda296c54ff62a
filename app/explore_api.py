"""A small JSON route Explore calls on a click, a double-click or a picked suggestion: the canvas
and details panel that follow.

Every interaction still goes through the page's Dash callback (state, address bar, status), but
Dash's handling of a callback costs 60–100 ms in the browser on a 2-core machine, so
``app/assets/explore.js`` asks this route first, draws its answer, and only then tells the
callback, whose copy of the same canvas and details changes nothing.

``POST /_mlsd/view`` with ``{"query": "<the view's URL query>", "event": "expand", "ref": "<node>"}``
answers 200 with :func:`view_after`, 400 for a malformed request, 404 for an unknown node and
413 for a body over 64 KiB, always as JSON (errors as ``{"error": "..."}``). It reads the graph only.
"""
from __future__ import annotations

from urllib.parse import parse_qs

import flask

from mlsd.graph.errors import NotFoundError

from .callbacks_explore import parse_state, reduce_state, to_canvas, to_query, view_of
from .explore_panels import details_data
from .state import current_kg

__all__ = ["VIEW_ROUTE", "VIEW_EVENTS", "register_explore_api", "view_after"]

VIEW_ROUTE = "/_mlsd/view"
VIEW_EVENTS = ("focus", "select", "expand", "more", "collapse")
_MAX_BODY = 64 * 1024


def view_after(kg, query: str, event: str, ref: str) -> dict:
    """What the page shows after ``event`` (one of :data:`VIEW_EVENTS`) on node ``ref`` in the view
    that the URL query ``query`` describes, computed without the page's state.

    Returns ``{"query", "canvas", "details"}``: the URL query of the view after the event, its
    canvas (:func:`~mlsd.app.callbacks_explore.to_canvas`; None for ``select``, which changes
    only the details) and its details panel (:func:`~mlsd.app.explore_panels.details_data`).
    The browser asks for it on a click or a pick, draws it, then hands ``query`` to the page's
    Dash callback (event ``goto`` of :func:`~mlsd.app.callbacks_explore.reduce_state`), which
    brings its state to the same view.

    Raises
    ------
    ValueError
        ``event`` is not one of :data:`VIEW_EVENTS`.
    NotFoundError
        ``ref`` is not a node of ``kg``.
    """
    if event not in VIEW_EVENTS:
        raise ValueError(f"`{event}` is not one of {', '.join(VIEW_EVENTS)}")
    if ref not in kg.nodes:
        raise NotFoundError(f"no node `{ref}` in the graph")
    state = reduce_state(parse_state(kg, parse_qs(query or "")), event, ref)
    view = view_of(kg, state)
    return {"query": to_query(state)[1:], "canvas": to_canvas(state, view) if state.get("redraw", True) else None,
            "details": details_data(kg, state, view)}


def register_explore_api(server: flask.Flask) -> None:
    """Add :data:`VIEW_ROUTE` to ``server`` (whose graph :func:`mlsd.app.state.current_kg` reads)."""
    server.add_url_rule(VIEW_ROUTE, "mlsd_view", _view, methods=["POST"])


def _error(message: str, status: int):
    return flask.jsonify({"error": message}), status


def _view():
    request = flask.request
    if (request.content_length or 0) > _MAX_BODY:
        return _error(f"the request body is larger than {_MAX_BODY} bytes", 413)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error('send a JSON object: {"query": "...", "event": "expand", "ref": "..."}', 400)
    fields = {name: body.get(name) for name in ("query", "event", "ref")}
    wrong = [name for name, value in fields.items() if not isinstance(value, str) or (name != "query" and not value)]
    if wrong:
        return _error(f"`{'`, `'.join(wrong)}` must be a non-empty string", 400)
    try:
        answer = view_after(current_kg(), fields["query"], fields["event"], fields["ref"])
    except NotFoundError as exc:
        return _error(str(exc), 404)
    except ValueError as exc:
        return _error(str(exc), 400)
    response = flask.jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response
