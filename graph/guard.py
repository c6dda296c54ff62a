"""Guarded SPARQL: check a query before any engine sees it, then run it with a timeout and a row cap.

:func:`check_query` tokenizes the text (strings, comments and IRIs are single tokens, so words
inside them never count) and refuses what must not reach Oxigraph, which would execute it from
Rust: ``SERVICE`` (also ``SILENT``, variable targets, nested anywhere; Oxigraph needs no space
after a keyword, so any word or prefixed name *starting* with ``service`` counts), ``LOAD``, and
``FROM``/``FROM NAMED``/protocol graphs that are not in the store (the endpoint never fetches
data). ``<`` is an IRI or the less-than operator depending on the grammar; the tokenizer
decides as the grammar does (an operator only right after an operand inside an expression's
brackets). The worker sandbox of :mod:`mlsd.graph.executor` is the second line of defence.

:func:`run_guarded` then runs the query in a worker process (:mod:`mlsd.graph.executor`) and
returns a :class:`GuardedResult` holding SPARQL 1.1 JSON term dicts.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .errors import QueryError
from .vocab import PREFIXES

__all__ = ["run_guarded", "check_query", "load_named_graphs", "GuardedResult", "QueryInfo", "QuerySyntaxError",
           "QueryRefusedError", "UpdatesDisabledError", "QueryTimeoutError", "QueryLimitError",
           "RESULT_MEDIA_TYPES", "GRAPH_MEDIA_TYPES"]


class QuerySyntaxError(QueryError):
    """The text is not valid SPARQL; the message names line and column."""


class QueryRefusedError(QueryError):
    """The query asks for something the guard never allows (SERVICE, LOAD, remote graphs)."""


class UpdatesDisabledError(QueryError):
    """A SPARQL Update was sent where updates are not allowed."""


class QueryTimeoutError(QueryError):
    """The query ran longer than its timeout (its worker was stopped) or no worker became free."""


class QueryLimitError(QueryError):
    """The query's worker died, usually from exceeding its memory limit."""


#: Media types of SELECT/ASK results, the default first.
RESULT_MEDIA_TYPES = {"application/sparql-results+json": "JSON", "application/sparql-results+xml": "XML",
                      "text/csv": "CSV", "text/tab-separated-values": "TSV"}
#: Media types of CONSTRUCT/DESCRIBE results, the default first.
GRAPH_MEDIA_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES",
                     "application/rdf+xml": "RDF_XML", "application/ld+json": "JSON_LD"}


def _ox_term(d: dict):
    import pyoxigraph as ox
    if d["type"] == "uri":
        return ox.NamedNode(d["value"])
    if d["type"] == "bnode":
        return ox.BlankNode(d["value"])
    if d["type"] == "triple":
        v = d["value"]
        return ox.Triple(_ox_term(v["subject"]), _ox_term(v["predicate"]), _ox_term(v["object"]))
    if "xml:lang" in d:
        return ox.Literal(d["value"], language=d["xml:lang"])
    return ox.Literal(d["value"], datatype=ox.NamedNode(d.get("datatype", "http://www.w3.org/2001/XMLSchema#string")))


@dataclass
class GuardedResult:
    """The result of :func:`mlsd.graph.guard.run_guarded`.

    ``rows`` and ``triples`` hold SPARQL 1.1 JSON term dicts (``{"type": "uri", "value": ...}``);
    ``truncated`` says the row cap cut the result.
    """

    kind: str  # select, ask, construct, describe or update
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    truncated: bool = False
    elapsed_ms: float = 0.0

    @property
    def media_types(self) -> list[str]:
        """The media types :meth:`serialize` writes for this result, the default first."""
        if self.kind in ("select", "ask"):
            return list(RESULT_MEDIA_TYPES)
        return list(GRAPH_MEDIA_TYPES) if self.kind in ("construct", "describe") else []

    def serialize(self, media_type: str = "") -> bytes:
        """The result as ``media_type`` (the first of :attr:`media_types` if empty)."""
        import json

        import pyoxigraph as ox
        media_type = (media_type or (self.media_types or [""])[0]).split(";")[0].strip().lower()
        if media_type not in self.media_types:
            raise QueryError(f"a {self.kind.upper()} result cannot be written as {media_type or 'anything'}; "
                             f"use one of {', '.join(self.media_types) or 'none'}")
        if self.kind in ("construct", "describe"):
            triples = [ox.Triple(*map(_ox_term, t)) for t in self.triples]
            fmt = GRAPH_MEDIA_TYPES[media_type]
            return ox.serialize(triples, format=getattr(ox.RdfFormat, fmt),
                                prefixes=PREFIXES if fmt in ("TURTLE", "RDF_XML") else None)
        doc = ({"head": {}, "boolean": bool(self.boolean)} if self.kind == "ask" else
               {"head": {"vars": self.variables}, "results": {"bindings": self.rows}})
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        fmt = RESULT_MEDIA_TYPES[media_type]
        if fmt == "JSON":
            return data
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt))


_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:[\w.\-:\u00B7]|{_PLX})*(?:[\w\-:\u00B7]|{_PLX}))?"
_PN_PREFIX = r"[^\W\d_](?:[\w.\-\u00B7]*[\w\-\u00B7])?"
_TOKEN = re.compile(rf"""
  (?P<ws>\s+) | (?P<comment>\#[^\r\n]*)
| (?P<string>\"\"\"(?:\"{{0,2}}(?:[^\"\\]|\\.))*\"\"\"|'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''
            |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
| (?P<var>[?$][\w\u00B7]+) | (?P<bnode>_:[\w\-.\u00B7]*[\w\-\u00B7]|_:\w) | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
| (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
| (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
| (?P<word>[A-Za-z_]\w*)
| (?P<op>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\];,.*+\-/|^!=<>?$@])
""", re.X)
_IRIREF = re.compile(r"<([^<>\"{}|^`\\\x00-\x20])*>")
_OPERAND = {"var", "string", "number", "iri", "pname", "bnode", "lang"}
_QUERY_FORMS = ("select", "ask", "construct", "describe")
_UPDATE_WORDS = ("insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with")


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


@dataclass
class QueryInfo:
    """What :func:`check_query` found: the form (``select``, ``ask``, ``construct``,
    ``describe`` or ``update``) and the graphs named by ``FROM``/``FROM NAMED``."""

    form: str
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    uses_dataset: bool = False  # an update's USING / WITH clause


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def _tokenize(text: str, naive: bool = False) -> list[_Tok]:
    """Significant tokens of ``text``; ``<`` is read as the grammar reads it (``naive``: always an
    IRI when one can start there)."""
    out: list[_Tok] = []
    stack: list[str] = []  # "expr" for an expression's brackets, "pat" for {}, [] and other ()
    pos, n = 0, len(text)
    while pos < n:
        prev = out[-1] if out else None
        if text[pos] == "<":
            in_expr = bool(stack) and stack[-1] == "expr"
            after_operand = prev is not None and (prev.kind in _OPERAND or prev.text in (")", "]")
                                                  or prev.text.lower() in ("true", "false"))
            m = None if (in_expr and after_operand and not naive) else _IRIREF.match(text, pos)
            if m:
                out.append(_Tok("iri", m.group(), pos))
                pos = m.end()
                continue
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos] in "\"'":
                raise QuerySyntaxError(f"SPARQL syntax error at {_where(text, pos)}: unterminated string")
            out.append(_Tok("other", text[pos], pos))
            pos += 1
            continue
        kind, tok = m.lastgroup, m.group()
        pos = m.end()
        if kind in ("ws", "comment"):
            continue
        if tok == "(":
            prev2 = out[-2] if len(out) > 1 else None
            if stack and stack[-1] == "expr":
                ctx = "expr"
            elif prev is not None and prev.kind == "word":
                ctx = "pat" if prev.text.lower() in ("values", "a") else "expr"
            elif prev is not None and prev.kind in ("iri", "pname"):
                ctx = "expr" if not stack or (prev2 is not None and prev2.text.lower() == "filter") else "pat"
            else:
                ctx = "pat" if stack else "expr"
            stack.append(ctx)
        elif tok in ("{", "["):
            stack.append("pat")
        elif tok in (")", "}", "]") and stack:
            stack.pop()
        out.append(_Tok(kind, tok, m.start()))
    return out


def _resolve(tok: _Tok, prefixes: dict, base: str | None, text: str) -> str:
    if tok.kind == "iri":
        iri = tok.text[1:-1]
        return urljoin(base, iri) if base and not re.match(r"[A-Za-z][\w+.-]*:", iri) else iri
    pfx, _, local = tok.text.partition(":")
    if pfx not in prefixes:
        raise QuerySyntaxError(f"SPARQL syntax error at {_where(text, tok.pos)}: undeclared prefix `{pfx}:`")
    return prefixes[pfx] + re.sub(r"\\(.)", r"\1", local)


def _refuse(text: str, tok: _Tok, what: str) -> None:
    raise QueryRefusedError(f"{what} is not allowed (at {_where(text, tok.pos)}): this endpoint never "
                            "contacts other services or fetches remote data")


def _scan(text: str, toks: list[_Tok], is_update: bool) -> None:
    for j, tok in enumerate(toks):
        if tok.kind not in ("word", "pname"):
            continue
        low = tok.text.lower()
        declared = (tok.text.endswith(":") and j > 0 and toks[j - 1].kind == "word"
                    and toks[j - 1].text.lower() == "prefix")  # PREFIX service: <...> declares a name
        if low.startswith("service") and not declared:
            _refuse(text, tok, "SERVICE" if tok.kind == "word" else
                    f"`{tok.text}` (Oxigraph reads a name starting with `service` as SERVICE; rename the prefix)")
        if is_update and low.startswith("load") and not declared:
            _refuse(text, tok, "LOAD")


def check_query(query: str, kg=None, *, allow_update: bool = False, default_graph_uris=None,
                named_graph_uris=None, known_graphs=None, base_iri: str | None = None) -> QueryInfo:
    """Check ``query`` without running it; return its :class:`QueryInfo`.

    Graph names (``FROM``, ``FROM NAMED``, ``default_graph_uris``, ``named_graph_uris``) must be
    named graphs of ``kg.store`` (or of ``known_graphs``) when either is given.

    Raises
    ------
    QueryRefusedError, UpdatesDisabledError, QuerySyntaxError
        The reason, with line and column.

    Examples
    --------
    >>> check_query("SELECT * WHERE { ?s ?p 'SERVICE' } # SERVICE").form
    'select'
    >>> try:
    ...     check_query("SELECT * { service <http://127.0.0.1/> { ?s ?p ?o } }")
    ... except QueryRefusedError as exc:
    ...     print(exc)
    SERVICE is not allowed (at line 1, column 12): this endpoint never contacts other services or fetches remote data
    """
    if not query or not query.strip():
        raise QuerySyntaxError("the query is empty")
    toks = _tokenize(query)
    prefixes, base = dict(PREFIXES), base_iri
    i = 0
    while i < len(toks) and toks[i].text.lower() in ("prefix", "base"):
        if toks[i].text.lower() == "base" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base, i = _resolve(toks[i + 1], {}, base, query), i + 2
        elif i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = _resolve(toks[i + 2], {}, base, query)
            i += 3
        else:
            break
    first = toks[i].text.lower() if i < len(toks) else ""
    is_update = first.startswith(_UPDATE_WORDS) and not first.startswith(_QUERY_FORMS)
    info = QueryInfo(next((f for f in _QUERY_FORMS if first.startswith(f)), "update" if is_update else "select"))
    for variant in (toks, _tokenize(query, naive=True)):  # both readings of `<` must be clean
        _scan(query, variant, is_update)
    for j, tok in enumerate(toks):
        low = tok.text.lower()
        if tok.kind == "word" and low in ("using", "with"):
            info.uses_dataset = True
        if tok.kind == "word" and low == "from" and j + 1 < len(toks):
            named = toks[j + 1].text.lower() == "named"
            target = toks[j + 2] if named and j + 2 < len(toks) else toks[j + 1]
            if target.kind in ("iri", "pname"):
                (info.from_named_graphs if named else info.from_graphs).append(
                    _resolve(target, prefixes, base, query))
    if is_update and not allow_update:
        raise UpdatesDisabledError("updates are disabled: this endpoint is read-only "
                                   "(start it with --allow-update and a token to accept SPARQL Update)")
    known = set(known_graphs) if known_graphs is not None else None
    if known is None and kg is not None:
        known = {g.value for g in kg.store.named_graphs() if hasattr(g, "value")}
    if known is not None and not is_update:
        asked = [("FROM", g) for g in info.from_graphs] + [("FROM NAMED", g) for g in info.from_named_graphs]
        asked += [("default-graph-uri", g) for g in default_graph_uris or []]
        asked += [("named-graph-uri", g) for g in named_graph_uris or []]
        for what, g in asked:
            if g not in known:
                have = ", ".join(f"<{k}>" for k in sorted(known)) or "none"
                raise QueryRefusedError(f"{what} <{g}> is not a graph of this store, and the endpoint never "
                                        f"fetches remote data; named graphs here: {have}")
    return info


def _with_using(update: str, default: list[str], named: list[str]) -> str:
    """Add ``USING``/``USING NAMED`` to every DELETE/INSERT ... WHERE operation of ``update``."""
    toks, clause = _tokenize(update), " ".join([*(f"USING <{g}>" for g in default),
                                                *(f"USING NAMED <{g}>" for g in named)]) + " "
    cuts, depth, op_words = [], 0, []
    for tok in toks:
        if tok.text in ("{", "[", "("):
            depth += 1
        elif tok.text in ("}", "]", ")"):
            depth -= 1
        elif depth == 0 and tok.text == ";":
            op_words = []
        elif depth == 0 and tok.kind == "word" and tok.text.lower() not in ("prefix", "base"):
            low = tok.text.lower()
            if low == "where" and op_words[:1] in (["insert"], ["delete"]) and op_words[1:2] != ["where"]:
                cuts.append(tok.pos)
            op_words.append(low)
    for pos in reversed(cuts):
        update = update[:pos] + clause + update[pos:]
    return update


def run_guarded(kg, query: str, *, timeout: float = 10.0, max_rows: int = 10000, default_graph_uris=None,
                named_graph_uris=None, allow_update: bool = False, base_iri: str | None = None):
    """Check ``query`` and run it in a worker process; see the module docstring.

    For an update, ``default_graph_uris``/``named_graph_uris`` act as the protocol's
    ``using-graph-uri``/``using-named-graph-uri``.

    Raises
    ------
    QueryError
        A :class:`QuerySyntaxError`, :class:`QueryRefusedError`, :class:`UpdatesDisabledError`,
        :class:`QueryTimeoutError` or :class:`QueryLimitError`, with a message for the user.
    """
    from .remote import RemoteKnowledgeGraph
    if isinstance(kg, RemoteKnowledgeGraph):
        return _run_remote(kg, query, timeout=timeout, max_rows=max_rows, default_graph_uris=default_graph_uris,
                           named_graph_uris=named_graph_uris, base_iri=base_iri)
    from .executor import get_pool
    started = time.perf_counter()
    pool = get_pool(kg)
    info = check_query(query, allow_update=allow_update, default_graph_uris=default_graph_uris,
                       named_graph_uris=named_graph_uris, known_graphs=pool.graphs, base_iri=base_iri)
    req = {"query": query, "prefixes": PREFIXES, "base_iri": base_iri, "max_rows": max(0, int(max_rows))}
    if info.form == "update":
        if (default_graph_uris or named_graph_uris) and info.uses_dataset:
            raise QueryRefusedError("using-graph-uri/using-named-graph-uri cannot be combined with an update "
                                    "that has its own USING or WITH clause")
        if default_graph_uris or named_graph_uris:
            req["query"] = _with_using(query, list(default_graph_uris or []), list(named_graph_uris or []))
        reply = pool.update(req, timeout)
    else:
        if default_graph_uris is not None or named_graph_uris is not None:
            req["default_graph"], req["named_graphs"] = list(default_graph_uris or []), list(named_graph_uris or [])
        reply = pool.run(req, timeout)
    if not reply.get("ok"):
        _raise(reply, query, timeout)
    return GuardedResult(kind=reply["kind"] if reply["kind"] != "graph" else info.form,
                         variables=reply.get("variables", []), rows=reply.get("rows", []),
                         boolean=reply.get("boolean"), triples=reply.get("triples", []),
                         truncated=reply.get("truncated", False),
                         elapsed_ms=(time.perf_counter() - started) * 1000)


def _run_remote(kg, query: str, *, timeout: float, max_rows: int, default_graph_uris, named_graph_uris,
                base_iri) -> GuardedResult:
    """``run_guarded`` on a remote store (``mlsd serve --store URL``): the same refusals, no updates,
    graphs limited to the store's own, the timeout as the HTTP timeout, and the same row cap."""
    import copy

    import pyoxigraph as ox

    from .errors import RemoteError
    from .worker import _term
    graphs = [kg.graph] if isinstance(kg.graph, str) else list(kg.graph or [])
    info = check_query(query, allow_update=False, default_graph_uris=default_graph_uris,
                       named_graph_uris=named_graph_uris, known_graphs=graphs, base_iri=base_iri)
    if default_graph_uris or named_graph_uris:
        raise QueryRefusedError("default-graph-uri/named-graph-uri are not supported on a remote store")
    started = time.perf_counter()
    remote = copy.copy(kg)
    remote.endpoint = copy.copy(kg.endpoint)
    remote.endpoint.timeout = timeout
    try:
        res = remote.sparql(query)
    except RemoteError as exc:
        if "timed out" in str(exc):
            raise QueryTimeoutError(f"the query was stopped after {timeout:g} s") from None
        raise
    elapsed = lambda: (time.perf_counter() - started) * 1000  # noqa: E731
    if isinstance(res, ox.QueryBoolean):
        return GuardedResult(kind="ask", boolean=bool(res), elapsed_ms=elapsed())
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = []
        for sol in res:
            if len(rows) == max_rows:
                return GuardedResult(kind="select", variables=names, rows=rows, truncated=True, elapsed_ms=elapsed())
            rows.append({n: _term(sol[n]) for n in names if sol[n] is not None})
        return GuardedResult(kind="select", variables=names, rows=rows, elapsed_ms=elapsed())
    triples = [(_term(t.subject), _term(t.predicate), _term(t.object)) for t in res]
    return GuardedResult(kind=info.form, triples=triples[:max_rows], truncated=len(triples) > max_rows,
                         elapsed_ms=elapsed())


def _raise(reply: dict, query: str, timeout: float):
    err, msg = reply["error"], reply.get("message", "")
    if err == "syntax":
        m = re.match(r"error at (\d+):(\d+): (.*)", msg, re.S)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            lines = query.splitlines() or [""]
            src = lines[line - 1] if line <= len(lines) else ""
            what = re.sub(r"(expected one of (?:[^,]+, ){7}[^,]+), .*", r"\1, …", m.group(3), flags=re.S)
            raise QuerySyntaxError(f"SPARQL syntax error at line {line}, column {col}: {what}\n"
                                   f"  {src}\n  {' ' * (col - 1)}^")
        raise QuerySyntaxError(f"SPARQL syntax error: {msg}")
    if err == "timeout":
        raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s timeout and was stopped")
    if err == "busy":
        raise QueryTimeoutError(f"the server is busy ({msg}) for {timeout:g} s; try again")
    if err == "crash":
        raise QueryLimitError("the query was stopped: it needed more memory than a query may use")
    raise QueryError(f"SPARQL evaluation error: {msg}")


from .named_graphs import load_named_graphs  # noqa: E402  (re-exported: part of this API)
