"""Per-process state of the web app: the knowledge graph the pages read, and cached derived tables.

The graph is loaded once by :func:`mlsd.app.server.run_server` and attached to the Flask server;
callbacks read it through :func:`current_kg` (request context) and never change it. Per-user state
lives in the browser (``dcc.Store`` and the URL), never here.
"""
from __future__ import annotations

import threading

import flask

__all__ = ["KG_KEY", "attach_kg", "current_kg", "cached"]

KG_KEY = "MLSD_KG"
_CACHE_KEY = "MLSD_VIEW_CACHE"
_LOCK = threading.Lock()


def attach_kg(server: flask.Flask, kg) -> None:
    """Make ``kg`` the graph every page of ``server`` reads."""
    server.config[KG_KEY] = kg
    server.config[_CACHE_KEY] = {}


def current_kg():
    """The graph of the app serving the current request."""
    return flask.current_app.config[KG_KEY]


def cached(name: str, build):
    """A table derived from the graph (``build(kg)``), computed once per process and app.

    The graph never changes after start-up, so derived tables such as the tool catalog can be
    shared by every request; they are treated as read-only.
    """
    cfg = flask.current_app.config
    cache = cfg.setdefault(_CACHE_KEY, {})
    if name not in cache:
        with _LOCK:
            if name not in cache:
                cache[name] = build(cfg[KG_KEY])
    return cache[name]
