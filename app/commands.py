"""CLI commands that run servers or talk to other stores: ``serve``, ``push``, ``import``.

Registered into the ``mlsd`` parser by :func:`register`; each command imports its web or network
dependencies only when it runs.
"""
from __future__ import annotations

import argparse

__all__ = ["register", "parse_load_spec"]


def parse_load_spec(spec: str) -> tuple[str, str | None]:
    """Split ``PATH[=GRAPH_IRI]``.

    Examples
    --------
    >>> parse_load_spec("tools.ttl=https://example.org/g")
    ('tools.ttl', 'https://example.org/g')
    >>> parse_load_spec("tools.ttl")
    ('tools.ttl', None)
    """
    path, sep, iri = spec.partition("=")
    return path, (iri if sep else None)


def cmd_serve(args) -> int:
    from mlsd.app.server import run_server
    return run_server(args)


def register(sub) -> None:
    sp = sub.add_parser("serve", help="run the web app and the SPARQL endpoint",
                        description="Run the Dash app on http://HOST:PORT/ with the SPARQL 1.1 endpoint at /sparql.")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8050)
    sp.add_argument("--workers", type=int, default=0,
                    help="serve with gunicorn and N worker processes (0: the development server)")
    sp.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    sp.add_argument("--endpoint-only", action="store_true", help="serve only the SPARQL endpoint, no app pages")
    sp.add_argument("--load", action="append", default=[], metavar="PATH[=GRAPH_IRI]",
                    help="add an RDF file as a named graph (repeatable)")
    sp.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    sp.add_argument("--max-rows", type=int, default=10000, help="rows a query may return (default 10000)")
    sp.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (needs --token or MLSD_TOKEN)")
    sp.add_argument("--token", help="bearer token required for updates (or the MLSD_TOKEN variable)")
    sp.add_argument("--store", metavar="URL", help="query a remote SPARQL endpoint instead of the embedded store")
    sp.set_defaults(func=cmd_serve)
