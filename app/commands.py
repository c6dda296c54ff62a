"""CLI commands that run servers or talk to other stores: ``serve``, ``push``, ``import``.

Registered into the ``mlsd`` parser by :func:`register`; each command imports its web or network
dependencies only when it runs.
"""
from __future__ import annotations

import os
import sys

__all__ = ["register", "parse_load_spec", "open_kg", "TextProgress"]


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


def _store_graphs(values):
    """``--store-graph`` values → the graph argument of the remote store (None: endpoint default)."""
    from mlsd.graph.remote import DEFAULT_GRAPH
    if not values:
        return DEFAULT_GRAPH
    if values == ["default"]:
        return None
    return values[0] if len(values) == 1 else list(values)


def open_kg(args):
    """The knowledge graph a command (or ``run_server``) works on, embedded or remote.

    Remote when ``args.store`` (``mlsd serve --store URL``) or ``args.store_url`` (the global
    ``mlsd --store URL``) is set; the graph comes from ``--store-graph`` and the credentials from
    ``MLSD_STORE_USER`` / ``MLSD_STORE_PASSWORD``. Otherwise the embedded store from ``--data``.
    """
    from mlsd.graph.remote import open_knowledge_graph
    url = getattr(args, "store", None) or getattr(args, "store_url", None)
    return open_knowledge_graph(url, graph=_store_graphs(getattr(args, "store_graph", None)),
                                user=os.environ.get("MLSD_STORE_USER"), password=os.environ.get("MLSD_STORE_PASSWORD"),
                                data_dir=getattr(args, "data", None), cache=not getattr(args, "no_cache", False))


class TextProgress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line per quarter otherwise."""

    def __init__(self, label: str, unit: str, stream=None, width: int = 30):
        self.label, self.unit, self.width = label, unit, width
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._quarter = -1

    def __call__(self, done: int, total: int) -> None:
        frac = done / total if total else 1.0
        filled = int(frac * self.width)
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} {done:,}/{total:,} {self.unit}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif int(frac * 4) > self._quarter:
            self._quarter = int(frac * 4)
            self.stream.write(line + "\n")
        self.stream.flush()


def cmd_push(args) -> int:
    from mlsd.graph.push import graph_for_file, load_rdf_file, push_graph
    from mlsd.graph.remote import DEFAULT_GRAPH, SparqlEndpoint
    from mlsd.graph.store import load_knowledge_graph
    password = args.password if args.password is not None else os.environ.get("MLSD_STORE_PASSWORD")
    endpoint = SparqlEndpoint(args.endpoint, user=args.user, password=password, timeout=args.timeout)
    if args.file:
        kg, graph = load_rdf_file(args.file), args.graph or graph_for_file(args.file)
    else:
        kg, graph = load_knowledge_graph(args.data, cache=not args.no_cache), args.graph or DEFAULT_GRAPH
    res = push_graph(kg, endpoint, graph=graph, batch=args.batch,
                     progress=None if args.quiet else TextProgress("push", "triples"))
    rate = res["triples"] / res["seconds"] if res["seconds"] else 0
    print(f"pushed {res['triples']:,} triples into <{res['graph']}> at {args.endpoint} "
          f"in {res['seconds']:.1f} s ({rate:,.0f} triples/s, {res['batches']} batches)")
    return 0


def cmd_import_landscape(args) -> int:
    from mlsd.graph.landscape import import_landscape, load_landscape
    from mlsd.graph.store import load_knowledge_graph
    doc = load_landscape(args.file)
    kg = load_knowledge_graph(args.data, cache=not args.no_cache)
    res = import_landscape(doc, kg, source=args.file,
                           progress=None if args.quiet else TextProgress("import", "items"))
    out = args.output or (os.path.splitext(args.file)[0] + ".ttl")
    res.write(out)
    for problem in res.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    s = res.summary
    print(f"wrote {out}: {s['imported']} tools imported, {s['merged']} merged into curated tools, "
          f"{s['repeated']} listed again elsewhere, {s['skipped']} skipped (bad items), "
          f"{s['excluded']} not tools ({', '.join(res.excluded_categories) or 'none'}); "
          f"{s['mapped']} mapped to mlsd categories, {s['triples']} triples")
    return 0


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

    sp = sub.add_parser("push", help="load the built graph into a remote triplestore (SPARQL Update)",
                        description="Replace a named graph of a remote store with the built knowledge graph: "
                        "DROP SILENT GRAPH, then INSERT DATA in batches, then a count check. Safe to re-run.",
                        epilog="Virtuoso: --endpoint http://HOST:8890/sparql-auth --user dba (digest auth). "
                        "Query several pushed graphs together with `mlsd --store URL --store-graph IRI1 "
                        "--store-graph IRI2 ...`.")
    sp.add_argument("--endpoint", required=True, metavar="URL", help="SPARQL endpoint that accepts updates")
    sp.add_argument("--graph", metavar="IRI", help="target named graph (default https://w3id.org/mlsd/graph/kb; "
                    "for --file, https://w3id.org/mlsd/graph/FILE-STEM)")
    sp.add_argument("--file", metavar="RDF_FILE", help="push this RDF file (e.g. the output of `mlsd import`) "
                    "instead of the knowledge base")
    sp.add_argument("--user", help="user for HTTP digest or basic authentication")
    sp.add_argument("--password", help="password (or the MLSD_STORE_PASSWORD variable, which stays out of `ps`)")
    sp.add_argument("--batch", type=int, default=500, metavar="N", help="triples per INSERT DATA request (default 500)")
    sp.add_argument("--timeout", type=float, default=120, help="seconds to wait for each request (default 120)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_push)

    sp = sub.add_parser("import", help="import tools from other catalogues into RDF",
                        description="Import tools from other catalogues as an RDF file to load next to the graph.")
    imp = sp.add_subparsers(dest="source", required=True, metavar="SOURCE")
    sp = imp.add_parser("landscape", help="a landscape2 landscape.yml (e.g. the LF AI & Data landscape)",
                        description="Turn the items of a landscape2 landscape.yml into mlsd:Tool nodes (names, URLs, "
                        "category names, maturity; no descriptions), merged with curated tools by repository URL.")
    sp.add_argument("file", metavar="FILE.yml")
    sp.add_argument("-o", "--output", metavar="OUT.ttl", help="Turtle file to write (default: FILE.ttl)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_import_landscape)
