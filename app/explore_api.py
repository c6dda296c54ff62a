"""A small JSON route Explore calls on a click, a double-click or a picked suggestion: the canvas
and details panel that follow.

Every interaction still goes through the page's Dash callback (state, address bar, status), but
Dash's handling of a callback costs 60–100 ms in the browser on a 2-core machine, so
``app/assets/explore.js`` asks this route first, draws its answer, and only then tells the
callback, whose copy of the same canvas and details changes nothing.

``POST /_mlsd/view`` with ``{"query": "<the view's URL query>", "event": "expand", "ref": "<node>"}``
answers 200 with :func:`mlsd.app.callbacks_explore.view_after`, 400 for a malformed request, 404
for an unknown node and 413 for a body over 64 KiB, always as JSON (errors as ``{"error": "..."}``).
It reads the graph only.
"""
from __future__ import annotations

import flask

from mlsd.graph.errors import NotFoundError

from .callbacks_explore import view_after
from .state import current_kg

__all__ = ["VIEW_ROUTE", "register_explore_api"]

VIEW_ROUTE = "/_mlsd/view"
_MAX_BODY = 64 * 1024


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
