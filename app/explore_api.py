"""A small JSON route the Explore canvas calls on a double-click: the expanded view's elements.

A double-click still goes through the page's Dash callback (state, details panel, address bar),
but Dash's handling of a callback costs 100–200 ms in the browser on a 2-core machine, so the
canvas asks this route directly and draws the new nodes as soon as they arrive
(``app/assets/explore.js``); the callback's copy of the same canvas then changes nothing.

``POST /_mlsd/canvas`` with ``{"query": "<the view's URL query>", "event": "expand", "ref": "<node>"}``
answers 200 with the canvas of :func:`mlsd.app.callbacks_explore.canvas_after`, 400 for a malformed
request and 404 for an unknown node, always as JSON (``{"error": "..."}``). It reads the graph only.
"""
from __future__ import annotations

import flask

from mlsd.graph.errors import NotFoundError

from .callbacks_explore import canvas_after
from .state import current_kg

__all__ = ["CANVAS_ROUTE", "register_explore_api"]

CANVAS_ROUTE = "/_mlsd/canvas"
_MAX_BODY = 64 * 1024


def register_explore_api(server: flask.Flask) -> None:
    """Add :data:`CANVAS_ROUTE` to ``server`` (whose graph :func:`mlsd.app.state.current_kg` reads)."""
    server.add_url_rule(CANVAS_ROUTE, "mlsd_canvas", _canvas, methods=["POST"])


def _error(message: str, status: int):
    return flask.jsonify({"error": message}), status


def _canvas():
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
        canvas = canvas_after(current_kg(), fields["query"], fields["event"], fields["ref"])
    except NotFoundError as exc:
        return _error(str(exc), 404)
    except ValueError as exc:
        return _error(str(exc), 400)
    response = flask.jsonify(canvas)
    response.headers["Cache-Control"] = "no-store"
    return response
