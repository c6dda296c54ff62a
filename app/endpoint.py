"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: a thin HTTP layer over :mod:`mlsd.graph.guard`.

- Queries: ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or direct
  (``application/sparql-query``, UTF-8). ``default-graph-uri``/``named-graph-uri`` replace the
  query's ``FROM``/``FROM NAMED``; every graph named must be in the store (no remote data).
  Other parameters (SPARQLWrapper's ``format``/``output``/``results``) are ignored.
- Results by content negotiation (q-values, wildcards): SELECT/ASK as SPARQL JSON (default), XML,
  CSV, TSV; CONSTRUCT/DESCRIBE as Turtle (default), N-Triples, RDF/XML, JSON-LD; else 406.
  ``application/json`` alone gets SPARQL JSON (results) or JSON-LD (graphs), labelled as asked.
- ``GET`` without a query returns the SPARQL service description (Turtle unless asked otherwise).
- Updates (``POST`` ``update=`` or ``application/sparql-update``) answer 403 unless the server
  runs with ``--allow-update``; then they need ``Authorization: Bearer <token>`` (else 401).
- Errors are ``text/plain``: 400 bad request or query (what and where), 405 other methods,
  406 no acceptable format, 503 a query over its timeout (its worker process is killed).
- A result cut at ``--max-rows`` carries the header ``X-Mlsd-Truncated: true``.
- CORS: ``Access-Control-Allow-Origin: *`` on every answer; ``OPTIONS`` preflight allows
  ``Content-Type`` and ``Authorization``.
"""
from __future__ import annotations

import hmac
import os
from urllib.parse import parse_qs

__all__ = ["register_endpoint", "create_endpoint_app", "endpoint_options"]

#: Accept values served with another format's body: plain JSON gets SPARQL JSON or JSON-LD.
ALIASES = {"results": {"application/json": "application/sparql-results+json"},
           "graph": {"application/json": "application/ld+json"}}
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Mlsd-Truncated"}
_MAX_BODY = 4 << 20
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_SD_PREFIXES = {"sd": _SD, "formats": _FORMATS_NS, "void": "http://rdfs.org/ns/void#",
                "xsd": "http://www.w3.org/2001/XMLSchema#"}
_FORMAT_IRIS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]


class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def endpoint_options(options) -> dict:
    """Read ``timeout``, ``max_rows``, ``allow_update``, ``token`` and ``load`` from an argparse
    namespace or a dict (the token falls back to ``$MLSD_TOKEN``)."""
    get = options.get if isinstance(options, dict) else (lambda k, d=None: getattr(options, k, d))
    opts = {"timeout": float(get("timeout", 10.0) or 10.0), "max_rows": int(get("max_rows", 10000) or 10000),
            "allow_update": bool(get("allow_update", False)), "token": get("token") or os.environ.get("MLSD_TOKEN"),
            "load": list(get("load", None) or [])}
    if opts["allow_update"] and not opts["token"]:
        from mlsd.graph.errors import MlsdError
        raise MlsdError("--allow-update needs a token: pass --token TOKEN or set MLSD_TOKEN")
    return opts


def _text(status: int, message: str, headers: dict | None = None):
    import flask
    resp = flask.Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    resp.headers.update({**_CORS, **(headers or {})})
    return resp


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _negotiate(offers: list[str], aliases: dict | None = None) -> str:
    from flask import request
    accept = request.accept_mimetypes
    if not accept:
        return offers[0]
    best = accept.best_match(offers + list(aliases or {}))
    if best is None:
        raise _HttpError(406, f"none of the accepted media types ({request.headers.get('Accept')}) can hold "
                              f"this result; available: {', '.join(offers)}")
    return best


def _service_description(kg, opts: dict, url: str) -> tuple[list, str]:
    import pyoxigraph as ox
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple
    sd = lambda name: NamedNode(_SD + name)  # noqa: E731
    a = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    svc, dataset, default = BlankNode(), BlankNode(), BlankNode()
    from mlsd.graph.remote import RemoteKnowledgeGraph
    remote = isinstance(kg, RemoteKnowledgeGraph)
    size = len(kg) if remote else len(list(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    out = [Triple(svc, a, sd("Service")), Triple(svc, sd("endpoint"), NamedNode(url)),
           Triple(svc, sd("supportedLanguage"), sd("SPARQL11Query")),
           Triple(svc, sd("defaultDataset"), dataset), Triple(dataset, a, sd("Dataset")),
           Triple(dataset, sd("defaultGraph"), default), Triple(default, a, sd("Graph")),
           Triple(default, NamedNode("http://rdfs.org/ns/void#triples"),
                  Literal(str(size), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
    if opts["allow_update"]:
        out.append(Triple(svc, sd("supportedLanguage"), sd("SPARQL11Update")))
    out += [Triple(svc, sd("resultFormat"), NamedNode(_FORMATS_NS + f)) for f in _FORMAT_IRIS]
    for g in ([] if remote else sorted(kg.store.named_graphs(), key=str)):
        node, graph = BlankNode(), BlankNode()
        out += [Triple(dataset, sd("namedGraph"), node), Triple(node, a, sd("NamedGraph")),
                Triple(node, sd("name"), g), Triple(node, sd("graph"), graph), Triple(graph, a, sd("Graph"))]
    return out, _negotiate(["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"])


def _read_request(request) -> tuple[str, str, list, list]:
    """(operation, text, default graphs, named graphs) of a protocol request; raises _HttpError."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise _HttpError(400, "an update must be sent with POST (update= form field or application/sparql-update)")
        queries = args.getlist("query")
        if len(queries) > 1:
            raise _HttpError(400, f"exactly one query= parameter is allowed; got {len(queries)}")
        return ("describe-service" if not queries else "query", queries[0] if queries else "",
                args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))
    if (request.content_length or 0) > _MAX_BODY:
        raise _HttpError(413, f"the request body is larger than {_MAX_BODY >> 20} MB")
    mime, charset = request.mimetype, request.mimetype_params.get("charset", "utf-8")
    if charset.lower().replace("-", "") != "utf8":
        raise _HttpError(400, f"the body must be UTF-8; got charset={charset}")
    try:
        body = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _HttpError(400, f"the body is not valid UTF-8 (byte {exc.start})") from None
    if mime == "application/x-www-form-urlencoded":
        form = parse_qs(body, keep_blank_values=True)
        both = lambda k: args.getlist(k) + form.get(k, [])  # noqa: E731
        queries, updates = both("query"), both("update")
        if not queries and not updates:
            raise _HttpError(400, "the form has no query= or update= field")
        if queries and updates:
            raise _HttpError(400, "the form has both query= and update=; send one operation")
        if len(queries) + len(updates) > 1:
            what = "query" if queries else "update"
            raise _HttpError(400, f"exactly one {what}= field is allowed; got {len(queries) + len(updates)}")
        if queries:
            return "query", queries[0], both("default-graph-uri"), both("named-graph-uri")
        return "update", updates[0], both("using-graph-uri"), both("using-named-graph-uri")
    if mime in ("application/sparql-query", "application/sparql-update"):
        op = mime.rsplit("-", 1)[1]
        if "query" in args or "update" in args:
            raise _HttpError(400, f"a {mime} POST carries the {op} in its body, not in a URL parameter")
        if op == "query":
            return "query", body, args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
        return "update", body, args.getlist("using-graph-uri"), args.getlist("using-named-graph-uri")
    got = f"Content-Type {mime}" if mime else "no Content-Type"
    raise _HttpError(400, f"a POST needs Content-Type application/x-www-form-urlencoded, application/sparql-query "
                          f"or application/sparql-update; got {got}")


def _check_token(request, opts: dict) -> None:
    if not opts["allow_update"]:
        raise _HttpError(403, "updates are disabled: this endpoint is read-only "
                              "(the server accepts SPARQL Update only with --allow-update and a token)")
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), opts["token"].encode()):
        raise _HttpError(401, "updates need the header `Authorization: Bearer <token>` with the server's token",
                         {"WWW-Authenticate": 'Bearer realm="mlsd"'})


def _handle(kg, opts: dict):
    import flask
    from flask import request

    from mlsd.graph.errors import QueryError
    from mlsd.graph.guard import (QueryLimitError, QueryTimeoutError, UpdatesDisabledError, check_query,
                                  run_guarded)
    if request.method == "OPTIONS":
        resp = flask.Response(status=204)
        resp.headers.update({**_CORS, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                             "Access-Control-Allow-Headers": "Content-Type, Authorization, Accept",
                             "Access-Control-Max-Age": "86400"})
        return resp
    if request.method not in ("GET", "HEAD", "POST"):
        return _text(405, f"method {request.method} is not allowed; use GET or POST", {"Allow": "GET, POST, OPTIONS"})
    try:
        op, text, graphs, named = _read_request(request)
        url = request.base_url
        if op == "describe-service":
            triples, media = _service_description(kg, opts, url)
            import pyoxigraph as ox
            from mlsd.graph.guard import GRAPH_MEDIA_TYPES
            fmt = GRAPH_MEDIA_TYPES[media]
            body = ox.serialize(triples, format=getattr(ox.RdfFormat, fmt), prefixes=_SD_PREFIXES
                                if fmt in ("TURTLE", "RDF_XML") else None)
            resp = flask.Response(body, content_type=_content_type(media))
            resp.headers.update(_CORS)
            return resp
        info = check_query(text, allow_update=True, base_iri=url)
        if op == "query" and info.form == "update":
            raise _HttpError(400, "this is a SPARQL Update: POST it as update= or with Content-Type "
                                  "application/sparql-update")
        if op == "update" and info.form != "update":
            raise _HttpError(400, "this is a query, not an update: send it as query= or application/sparql-query")
        if op == "update":
            _check_token(request, opts)
            run_guarded(kg, text, timeout=opts["timeout"], allow_update=True, base_iri=url,
                        default_graph_uris=graphs or None, named_graph_uris=named or None)
            return _text(200, "update done")
        from mlsd.graph.guard import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES
        kind = "graph" if info.form in ("construct", "describe") else "results"
        aliases = ALIASES[kind]
        media = _negotiate(list(GRAPH_MEDIA_TYPES if kind == "graph" else RESULT_MEDIA_TYPES), aliases)
        dataset = bool(graphs or named)
        res = run_guarded(kg, text, timeout=opts["timeout"], max_rows=opts["max_rows"], base_iri=url,
                          default_graph_uris=graphs if dataset else None, named_graph_uris=named if dataset else None)
    except _HttpError as exc:
        return _text(exc.status, str(exc), exc.headers)
    except UpdatesDisabledError as exc:
        return _text(403, str(exc))
    except (QueryTimeoutError, QueryLimitError) as exc:
        return _text(503, str(exc), {"Retry-After": "5"})
    except QueryError as exc:
        return _text(400, str(exc))
    resp = flask.Response(res.serialize(aliases.get(media, media)), content_type=_content_type(media))
    resp.headers.update(_CORS)
    if res.truncated:
        resp.headers["X-Mlsd-Truncated"] = "true"
    return resp


def register_endpoint(flask_server, kg, options) -> None:
    """Add ``/sparql`` to ``flask_server`` serving ``kg`` (loads ``options.load`` as named graphs first).

    ``options``: the ``mlsd serve`` namespace (or a dict) with ``timeout``, ``max_rows``,
    ``allow_update``, ``token`` and ``load``.
    """
    from mlsd.graph.executor import get_pool
    from mlsd.graph.guard import load_named_graphs
    from mlsd.graph.remote import RemoteKnowledgeGraph
    opts = endpoint_options(options)
    if isinstance(kg, RemoteKnowledgeGraph):  # --store URL: queries go to the remote store, guarded
        if opts["load"] or opts["allow_update"]:
            from mlsd.graph.errors import MlsdError
            raise MlsdError("--load and --allow-update work on the embedded store only, not with --store")
    else:
        if opts["load"]:
            load_named_graphs(kg, opts["load"])
        get_pool(kg).prestart()  # write the snapshot and start the query workers now, not in the first request
    flask_server.add_url_rule("/sparql", "mlsd_sparql", lambda: _handle(kg, opts),
                              methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"])


def create_endpoint_app(kg, options):
    """A Flask app serving only the endpoint (``mlsd serve --endpoint-only``); ``/`` redirects to it."""
    import flask
    app = flask.Flask("mlsd.endpoint")
    register_endpoint(app, kg, options)
    app.add_url_rule("/", "root", lambda: flask.redirect("/sparql"))
    return app
