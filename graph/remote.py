"""The knowledge graph in a remote triplestore, queried over the SPARQL 1.1 Protocol.

:class:`RemoteKnowledgeGraph` has the interface the library uses on
:class:`~mlsd.graph.store.KnowledgeGraph` (``run``, ``select``, ``sparql``, ``nodes``, ``label``,
``search_index``, ``nx``, ``len``, ``fingerprint``), so every named query, search and page works
against a production store (Virtuoso, Fuseki, GraphDB, ...) with the same answers as the embedded
Oxigraph store. :func:`open_knowledge_graph` returns one or the other.

How the answers are kept identical:

- bindings go into a ``VALUES`` block of serialised RDF terms at the start of the WHERE group
  (like rdflib's ``SPARQLStore`` does for ``initBindings``, but placed where Virtuoso joins it),
  never formatted into the query text;
- the mlsd prefixes are declared in front of every query, as Oxigraph pre-declares them;
- the dataset is the one named graph ``mlsd push`` filled (``default-graph-uri``);
- result terms are normalised: Virtuoso's ``typed-literal``, explicit ``xsd:string``, booleans
  written ``1``/``0``, upper-case language tags and ``nodeID://`` blank nodes;
- a SELECT that comes back with exactly ``page_size`` rows (Virtuoso's ``ResultSetMaxRows`` cuts
  results at 10,000 rows without saying so) is fetched again in ordered pages.
"""
from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from functools import cached_property

import pyoxigraph as ox

from .errors import MlsdError, QueryError, RemoteError
from .sparql import _PROLOGUE, query_form
from .sparql import bind_values as add_bindings  # the name this module used to define
from .sparql import load_query
from .store import KnowledgeGraph, to_python
from .vocab import PREFIXES

__all__ = ["RemoteError", "SparqlEndpoint", "RemoteKnowledgeGraph", "load_knowledge_graph_remote",
           "open_knowledge_graph", "add_bindings", "query_form", "DEFAULT_GRAPH", "META_GRAPH_SUFFIX"]

#: The named graph ``mlsd push`` writes and ``--store`` reads unless told otherwise.
DEFAULT_GRAPH = "https://w3id.org/mlsd/graph/kb"
#: ``mlsd push`` records the fingerprint of what it pushed in ``GRAPH + META_GRAPH_SUFFIX``.
META_GRAPH_SUFFIX = "/meta"

_JSON = "application/sparql-results+json"
_NT = "application/n-triples"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PREFIX_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
def _split_prologue(query: str) -> tuple[str, str]:
    end = _PROLOGUE.match(query).end()
    return query[:end], query[end:]


class SparqlEndpoint:
    """A SPARQL 1.1 Protocol endpoint: queries (and updates) over HTTP POST, with optional auth.

    Parameters
    ----------
    url : str
        The endpoint, e.g. ``http://127.0.0.1:8890/sparql`` (or ``/sparql-auth`` for updates).
    user, password : str, optional
        Sent with HTTP digest or basic authentication, whichever the server asks for.
    timeout : float
        Seconds to wait for an answer.
    """

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None, timeout: float = 120):
        parts = urllib.parse.urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError(f"`{url}` is not an http(s) URL of a SPARQL endpoint")
        self.url, self.timeout = url, timeout
        handlers = []
        if user is not None:
            pm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            pm.add_password(None, url, user, password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(pm), urllib.request.HTTPBasicAuthHandler(pm)]
        self._opener = urllib.request.build_opener(*handlers)
        self._user = user

    def post(self, params: dict, accept: str) -> tuple[str, bytes, dict]:
        """POST form ``params``; return ``(content type, body, headers)`` or raise a clear error."""
        data = urllib.parse.urlencode(params, doseq=True).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            "User-Agent": "mlsd"})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.headers.get("Content-Type", ""), resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            raise self._http_error(exc.code, detail) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach the SPARQL endpoint {self.url}: {reason}") from None

    def _http_error(self, code: int, detail: str) -> MlsdError:
        first = " ".join(re.split(r"\s+SPARQL query:", detail, maxsplit=1)[0].split())[:600]  # no echoed query
        if code in (401, 403):
            who = "without credentials (give --user and --password)" if self._user is None else f"as `{self._user}`"
            return RemoteError(f"{self.url} refused the request {who} (HTTP {code})")
        if code == 404:
            return RemoteError(f"no SPARQL endpoint at {self.url} (HTTP 404)")
        if re.search(r"SECURITY|no permission|not allowed", first, re.I):
            return RemoteError(f"{self.url} does not allow this request (HTTP {code}): {first}. For updates use an "
                               "endpoint that accepts them, e.g. Virtuoso's /sparql-auth with --user dba")
        if code == 400 or re.search(r"\b(SP0\d\d|syntax|SPARQL compiler)\b", first, re.I):
            return QueryError(f"the remote store rejected the query (HTTP {code}): {first}")
        return RemoteError(f"{self.url} answered HTTP {code}: {first}")

    def update(self, text: str) -> None:
        """Run a SPARQL Update request."""
        self.post({"update": text}, "*/*")


def _normalise_term(t: dict) -> dict:
    kind = t.get("type")
    value = t.get("value")
    value = json.dumps(value) if isinstance(value, (int, float)) and not isinstance(value, str) else str(value)
    if kind in ("literal", "typed-literal"):
        out = {"type": "literal", "value": value}
        lang, dt = t.get("xml:lang") or t.get("lang"), t.get("datatype")
        if lang:
            out["xml:lang"] = lang.lower()
        elif dt and dt != _XSD + "string":
            out["datatype"] = dt
            if dt == _XSD + "boolean":
                out["value"] = {"1": "true", "0": "false"}.get(value, value)
        return out
    if kind == "bnode":
        return {"type": "bnode", "value": re.sub(r"\W", "_", value.rsplit("/", 1)[-1]) or "b"}
    return {"type": kind, "value": value}


def _parse_solutions(body: bytes, content_type: str, url: str):
    """Parse a SPARQL JSON result into Oxigraph solutions (or a boolean) after normalising terms."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise RemoteError(f"{url} did not answer with SPARQL JSON results (got {content_type or 'no content type'})") from None
    if "boolean" in doc:
        return ox.parse_query_results(json.dumps({"head": {}, "boolean": bool(doc["boolean"])}),
                                      format=ox.QueryResultsFormat.JSON), 0
    try:
        rows = [{k: _normalise_term(v) for k, v in b.items()} for b in doc["results"]["bindings"]]
        clean = {"head": {"vars": doc["head"].get("vars", [])}, "results": {"bindings": rows}}
    except (KeyError, TypeError, AttributeError):
        raise RemoteError(f"{url} answered JSON that is not a SPARQL result") from None
    return ox.parse_query_results(json.dumps(clean), format=ox.QueryResultsFormat.JSON), len(rows)


class RemoteKnowledgeGraph(KnowledgeGraph):
    """The knowledge graph in a remote SPARQL store (read-only).

    Parameters
    ----------
    endpoint : SparqlEndpoint
        Where to send queries.
    graph : str, list of str, or None
        The named graph(s) that hold the data (``default-graph-uri``; several are queried as their
        union); None for the endpoint's own default graph (on Virtuoso that is the union of every
        graph, system graphs included).
    page_size : int
        The server's row cap; a SELECT answered with this many rows is fetched again in pages.
    """

    def __init__(self, endpoint: SparqlEndpoint, graph: str | list[str] | None = DEFAULT_GRAPH, *,
                 page_size: int = 10000):
        # the base initialiser is not called: there is no local store, and the fingerprint is read lazily
        self.endpoint, self.graph, self.page_size = endpoint, graph, page_size

    @property
    def store(self):
        """There is no local Oxigraph store: say so clearly (e.g. to ``mlsd export --store``)."""
        raise QueryError(f"this command needs the embedded store; the graph is remote ({self.endpoint.url}). "
                         "Run it without --store")

    def __repr__(self) -> str:
        return f"RemoteKnowledgeGraph({self.endpoint.url!r}, graph={self.graph!r})"

    def _params(self, text: str) -> dict:
        params = {"query": _PREFIX_HEADER + text}
        if self.graph:
            params["default-graph-uri"] = [self.graph] if isinstance(self.graph, str) else list(self.graph)
        return params

    def sparql(self, query: str, bindings: dict | None = None):
        """Run a query remotely; returns Oxigraph solutions, a boolean result, or a list of triples."""
        text = add_bindings(query, bindings)
        form = query_form(text)
        if form == "UPDATE":
            raise QueryError("only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) run on the store; use `mlsd push` to write")
        if form in ("CONSTRUCT", "DESCRIBE"):
            ctype, body, _ = self.endpoint.post(self._params(text), f"{_NT}, text/plain;q=0.5")
            try:
                quads = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
                return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            except SyntaxError:
                raise RemoteError(f"{self.endpoint.url} did not answer with N-Triples (got {ctype})") from None
        res, n = self._solutions(text)
        if n >= self.page_size and form == "SELECT":
            return self._paged(text, [v.value for v in res.variables])
        return res

    def _solutions(self, text: str):
        ctype, body, _ = self.endpoint.post(self._params(text), _JSON)
        return _parse_solutions(body, ctype, self.endpoint.url)

    def _paged(self, text: str, head: list[str]):
        """Fetch a SELECT in ordered pages of ``page_size`` rows (past the server's silent row cap).

        The ordered query is a subquery without LIMIT and the pages are cut outside it: Virtuoso
        refuses ORDER BY with OFFSET + LIMIT beyond its cap on one level.
        """
        prologue, body = _split_prologue(text)
        order = " ".join(f"?{v}" for v in head)
        rows, offset = [], 0
        while True:
            page = (f"{prologue}SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ {body}\n}} }} ORDER BY {order} }} }}\n"
                    f"LIMIT {self.page_size} OFFSET {offset}")
            ctype, raw, _ = self.endpoint.post(self._params(page), _JSON)
            try:
                batch = json.loads(raw)["results"]["bindings"]
            except (ValueError, KeyError, TypeError):
                raise RemoteError(f"{self.endpoint.url} did not answer a page with SPARQL JSON results ({ctype})") from None
            rows += [{k: _normalise_term(v) for k, v in b.items()} for b in batch]
            if len(batch) < self.page_size:
                break
            offset += self.page_size
        clean = {"head": {"vars": head}, "results": {"bindings": rows}}
        return ox.parse_query_results(json.dumps(clean), format=ox.QueryResultsFormat.JSON)

    def select(self, query: str, bindings: dict | None = None) -> list[dict]:
        """Run a SELECT query and return rows as dicts of plain Python values."""
        res = self.sparql(query, bindings)
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        names = [v.value for v in res.variables]
        return [{n: to_python(sol[n]) for n in names} for sol in res]

    def run(self, name: str, **bindings) -> list[dict]:
        """Run the named query ``graph/queries/{name}.rq`` with ``bindings``."""
        return self.select(load_query(name), bindings)

    def __len__(self) -> int:
        return self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]

    @cached_property
    def fingerprint(self) -> str:  # noqa: F811 - replaces the attribute the base class sets
        """The fingerprint ``mlsd push`` recorded, else a hash of endpoint, graph and size."""
        if isinstance(self.graph, str):
            meta = self.graph + META_GRAPH_SUFFIX
            q = add_bindings("SELECT ?g ?s ?f WHERE { GRAPH ?g { ?s dcterms:identifier ?f } }",
                             {"g": meta, "s": self.graph})
            params = {"query": _PREFIX_HEADER + q}  # no default-graph-uri: the GRAPH names it
            ctype, body, _ = self.endpoint.post(params, _JSON)
            res, _ = _parse_solutions(body, ctype, self.endpoint.url)
            found = [sol["f"].value for sol in res]
            if found:
                return found[0]
        return hashlib.sha256(f"{self.endpoint.url}|{self.graph}|{len(self)}".encode()).hexdigest()[:24]


def load_knowledge_graph_remote(url: str, graph: str | list[str] | None = DEFAULT_GRAPH, user: str | None = None,
                                password: str | None = None, *, timeout: float = 120,
                                page_size: int = 10000, check: bool = True) -> RemoteKnowledgeGraph:
    """Open the knowledge graph held in ``graph`` at the SPARQL endpoint ``url``.

    With ``check`` (the default) one query makes sure the endpoint answers and the graph is not
    empty, so a wrong URL or graph fails here with a clear message, not on the first page view.

    Raises
    ------
    RemoteError
        When the endpoint cannot be reached, refuses us, or the graph holds no triples.
    """
    kg = RemoteKnowledgeGraph(SparqlEndpoint(url, user=user, password=password, timeout=timeout), graph,
                              page_size=page_size)
    if check:
        try:
            found = bool(kg.sparql("ASK { ?s a ?class }"))
        except QueryError as exc:
            raise RemoteError(f"{url} does not look like a SPARQL query endpoint: {exc}") from None
        if not found:
            where = f"graph {graph}" if graph else "the default graph"
            raise RemoteError(f"{where} at {url} is empty; load it with `mlsd push --endpoint URL`")
    return kg


def open_knowledge_graph(store: str | None = None, *, graph: str | list[str] | None = DEFAULT_GRAPH, user: str | None = None,
                         password: str | None = None, data_dir=None, cache: bool = True):
    """The knowledge graph a command works on: remote when ``store`` (a SPARQL endpoint URL) is given,
    else the embedded store built from ``data_dir``."""
    if store:
        return load_knowledge_graph_remote(store, graph, user, password)
    from .store import load_knowledge_graph
    return load_knowledge_graph(data_dir, cache=cache)
