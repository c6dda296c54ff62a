"""The web app: a Dash multi-page app over one knowledge graph, plus the SPARQL endpoint.

:func:`create_app` builds the Dash app around an already loaded graph; :func:`run_server` (what
``mlsd serve`` calls) loads the graph once, mounts the SPARQL endpoint at ``/sparql`` and serves
either with the development server or, with ``--workers N``, with gunicorn (each worker process
loads the graph once, from the on-disk cache, and serves both the pages and the endpoint).

Everything the browser loads comes from this server: Dash serves its own scripts
(``serve_locally``), the theme is ``app/assets/mlsd.css``, and no page refers to a CDN or a web
font. Nothing runs at import time.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

__all__ = ["create_app", "run_server", "build_server", "GunicornApp", "PAGES_DIR", "ASSETS_DIR", "NAV"]

PAGES_DIR = Path(__file__).with_name("pages")
ASSETS_DIR = Path(__file__).with_name("assets")

#: The navigation bar: (path, label).
NAV = [("/", "Explore"), ("/find", "Find tools"), ("/tools", "Tool catalog"), ("/book", "Book"),
       ("/query", "SPARQL")]

log = logging.getLogger("mlsd.app")


def _shell():
    import dash
    from dash import dcc, html
    nav = [dcc.Link(label, href=path, className="nav-link", id=f"nav-{label.split()[0].lower()}") for path, label in NAV]
    return html.Div([
        html.Header([
            dcc.Link([html.Span("mlsd", className="brand-mark"),
                      html.Span("ML system design explorer", className="brand-sub")], href="/", className="brand"),
            html.Nav(nav, className="nav"),
        ], className="topbar"),
        html.Main(dash.page_container, className="page"),
        html.Footer([
            html.Span("Problems, where “Designing Machine Learning Systems” explains them, and the tools that deal "
                      "with them. "),
            html.A("SPARQL endpoint", href="/sparql", className="footer-link"),
        ], className="footer"),
    ], className="shell")


def create_app(kg, options: dict | None = None):
    """Build the Dash app over ``kg``.

    Parameters
    ----------
    kg : KnowledgeGraph
        The graph every page reads; never changed by the app.
    options : dict, optional
        ``debug`` (bool), ``timeout`` (seconds a SPARQL query from the editor may run) and
        ``max_rows`` (rows it may return).

    Returns
    -------
    dash.Dash
        Its Flask server is ``app.server``.
    """
    import dash
    import flask

    from .explore_api import register_explore_api
    from .state import attach_kg

    options = {"debug": False, "timeout": 10.0, "max_rows": 1000, **(options or {})}
    here = Path(__file__).parent
    # mlsd is a namespace package: give Flask its paths instead of letting it search for them
    server = flask.Flask("mlsd.app", root_path=str(here), instance_path=str(here / "instance"))
    app = dash.Dash(
        "mlsd.app",
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        title="mlsd — ML system design explorer",
        update_title=None,
        suppress_callback_exceptions=True,
        include_assets_files=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    attach_kg(app.server, kg)
    register_explore_api(app.server)
    app.server.config["MLSD_OPTIONS"] = options
    app.layout = _shell
    app.enable_dev_tools(debug=bool(options["debug"]), dev_tools_disable_version_check=True,
                         dev_tools_ui=bool(options["debug"]), dev_tools_props_check=bool(options["debug"]),
                         dev_tools_hot_reload=False)
    return app


def _mount_endpoint(server, kg, args) -> bool:
    """Mount the SPARQL endpoint on ``server``; False when ``mlsd.app.endpoint`` is not there."""
    try:
        from mlsd.app.endpoint import register_endpoint
    except ModuleNotFoundError as exc:
        if exc.name not in ("mlsd.app.endpoint",):
            raise
        log.warning("mlsd.app.endpoint is missing: serving the app without the SPARQL endpoint")
        return False
    register_endpoint(server, kg, args)
    return True


def _options(args) -> dict:
    return {"debug": bool(getattr(args, "debug", False)), "timeout": float(getattr(args, "timeout", 10.0) or 10.0),
            "max_rows": min(int(getattr(args, "max_rows", 1000) or 1000), 1000)}


def build_server(args, kg=None):
    """Load the graph (unless given) and return the Flask server ``args`` asks for."""
    if kg is None:  # the embedded store, or the remote one of --store URL
        from mlsd.app.commands import open_kg
        kg = open_kg(args)
    if getattr(args, "endpoint_only", False):
        from mlsd.app.endpoint import create_endpoint_app
        return create_endpoint_app(kg, args)
    app = create_app(kg, _options(args))
    _mount_endpoint(app.server, kg, args)
    return app.server


def _gunicorn_base():
    from gunicorn.app.base import BaseApplication
    return BaseApplication


class GunicornApp:
    """``mlsd serve --workers N``: gunicorn, configured in code, with N worker processes.

    The graph is loaded in each worker after the fork (``preload_app`` off), so each process
    holds its own read-only store and no Oxigraph state crosses a fork.
    """

    def __new__(cls, args):
        base = _gunicorn_base()

        class _App(base):
            def __init__(self):
                self.args = args
                super().__init__()

            def load_config(self):
                bind = f"{args.host}:{args.port}"
                settings = {"bind": bind, "workers": args.workers, "worker_class": "gthread", "threads": 4,
                            "timeout": max(30, int(getattr(args, "timeout", 10) or 10) * 3), "preload_app": False,
                            "accesslog": None, "errorlog": "-", "loglevel": "warning", "proc_name": "mlsd"}
                for key, value in settings.items():
                    self.cfg.set(key, value)

            def load(self):
                return build_server(self.args)

        return _App()


def run_server(args) -> int:
    """Serve the app (and the SPARQL endpoint) as ``args`` says; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not getattr(args, "debug", False):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    workers = int(getattr(args, "workers", 0) or 0)
    if workers < 0:
        from mlsd.graph.errors import MlsdError
        raise MlsdError("--workers must be 0 (development server) or a positive number of processes")
    where = f"http://{args.host}:{args.port}/"
    if workers > 0:
        print(f"mlsd: serving {where} with gunicorn, {workers} worker(s)", file=sys.stderr, flush=True)
        GunicornApp(args).run()
        return 0
    server = build_server(args)
    print(f"mlsd: serving {where}  (SPARQL endpoint at {where}sparql)", file=sys.stderr, flush=True)
    if getattr(args, "endpoint_only", False):
        server.run(host=args.host, port=args.port, debug=False, threaded=True)
        return 0
    # the Dash app is reachable from its server; run through Dash to honour dev-tools settings
    from werkzeug.serving import run_simple
    run_simple(args.host, args.port, server, threaded=True, use_reloader=False, use_debugger=bool(args.debug))
    return 0
