"""Named SPARQL queries (``graph/queries/*.rq``) and the one function that runs SPARQL.

Values enter queries only through bindings, never through string formatting: like rdflib's
``initBindings``, :func:`bind_values` turns them into RDF terms serialised by Oxigraph (so no
quote or brace in a value can change the query) inside VALUES blocks.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import pyoxigraph as ox

from .errors import QueryError
from .vocab import ID, PREFIXES

__all__ = ["list_queries", "load_query", "run_sparql", "to_term", "bind_values", "query_form"]


def list_queries() -> list[str]:
    """Names of the named queries.

    Examples
    --------
    >>> "tools_for_problem" in list_queries()
    True
    """
    root = resources.files("mlsd.graph.queries")
    return sorted(p.name[:-3] for p in root.iterdir() if p.name.endswith(".rq"))


@lru_cache(maxsize=None)
def load_query(name: str) -> str:
    """The text of the named query ``name``."""
    res = resources.files("mlsd.graph.queries").joinpath(f"{name}.rq")
    if not res.is_file():
        raise QueryError(f"no named query `{name}`; known: {', '.join(list_queries())}")
    return res.read_text(encoding="utf-8")


def to_term(value):
    """Convert a Python value to an Oxigraph term for a binding.

    ``kind/slug`` references and http(s) strings become IRIs; numbers and booleans typed
    literals; other strings plain literals.

    Examples
    --------
    >>> to_term("tool/feast")
    <NamedNode value=https://w3id.org/mlsd/id/tool/feast>
    >>> to_term(3)
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    s = str(value)
    if s.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(s)
    kind, sep, slug = s.partition("/")
    if sep and kind.isalpha() and slug and " " not in s:
        return ox.NamedNode(f"{ID}{s}")
    return ox.Literal(s)


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?i:PREFIX)\s*[A-Za-z_][\w.-]*?:\s*<[^>]*>|(?i:PREFIX)\s*:\s*<[^>]*>"
                       r"|(?i:BASE)\s*<[^>]*>)*")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def query_form(query: str) -> str:
    """The form of a SPARQL request: SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE for anything else.

    Examples
    --------
    >>> query_form("# a comment\\nPREFIX ex: <http://example.org/#>\\nconstruct { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    >>> query_form("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    'UPDATE'
    """
    rest = query[_PROLOGUE.match(query).end():]
    word = re.match(r"[A-Za-z]*", rest).group(0).upper()
    return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else "UPDATE"


_SKIP = re.compile(r'#[^\n]*|"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                   r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>")


def _braces(query: str):
    """Positions and depths of the braces of ``query`` outside comments, strings and IRIs."""
    depth, i = 0, 0
    while i < len(query):
        m = _SKIP.match(query, i)
        if m and m.end() > i:
            i = m.end()
            continue
        if query[i] == "{":
            yield i, depth
            depth += 1
        elif query[i] == "}":
            depth -= 1
        i += 1


def _where_start(query: str) -> int | None:
    """Index just after the ``{`` that opens the WHERE group (None when there is none)."""
    tops = [i for i, d in _braces(query) if d == 0]
    if not tops:
        return None
    head = query[_PROLOGUE.match(query).end():tops[0]]
    if query_form(query) == "CONSTRUCT" and not re.search(r"(?i)\bWHERE\s*$", head):
        return tops[1] + 1 if len(tops) > 1 else None  # skip the template
    return tops[0] + 1


def bind_values(query: str, bindings: dict | None) -> str:
    """Bind variables of ``query`` with VALUES blocks of serialised RDF terms.

    A ``#VALUES ?x`` line (a comment, so the query parses without bindings) becomes
    ``VALUES ?x { term }`` where it stands: the named queries put one at the top of each UNION
    branch, because Oxigraph joins a VALUES block first inside the group it opens, while it
    applies ``substitutions`` (and a top-level VALUES) only after evaluating the patterns -- at
    1M triples 1.7 s instead of 1 ms for tools_for_problem (benchmarks/README.md). Variables
    without a marker get one block opening the WHERE group.

    Values are converted by :func:`to_term` and written in N-Triples syntax, so quotes, newlines
    and ``>`` in a value cannot change the query. The same text serves Virtuoso, which mishandles
    the trailing VALUES rdflib's SPARQLStore writes (it sets projected variables instead of
    joining); a trailing block is only the fallback for a query without a WHERE group
    (``DESCRIBE <iri>``).

    Examples
    --------
    >>> bind_values("SELECT ?tool WHERE { ?tool a mlsd:Tool }", {"tool": "tool/feast"})
    'SELECT ?tool WHERE { VALUES (?tool) { (<https://w3id.org/mlsd/id/tool/feast>) }\\n ?tool a mlsd:Tool }'
    >>> bind_values("SELECT ?x WHERE { }", {"x": 'a" } DROP ALL #'})
    'SELECT ?x WHERE { VALUES (?x) { ("a\\\\" } DROP ALL #") }\\n }'
    >>> print(bind_values("SELECT * WHERE {\\n  { #VALUES ?p\\n    ?t mlsd:solves ?p }\\n}", {"p": "problem/x"}))
    SELECT * WHERE {
      { VALUES ?p { <https://w3id.org/mlsd/id/problem/x> }
        ?t mlsd:solves ?p }
    }
    """
    if not bindings:
        return query
    for name in bindings:
        if not _VAR.fullmatch(name):
            raise QueryError(f"`{name}` is not a SPARQL variable name")
    terms = {name: str(to_term(v)) for name, v in bindings.items()}  # N-Triples syntax, escaped by Oxigraph
    rest = {}
    for name, term in terms.items():
        marker = re.compile(rf"#VALUES \?{name}\b[^\n]*")
        if marker.search(query):
            query = marker.sub(lambda _m, n=name, t=term: f"VALUES ?{n} {{ {t} }}", query)
        else:
            rest[name] = term
    if not rest:
        return query
    names = " ".join(f"?{n}" for n in rest)
    block = f"VALUES ({names}) {{ ({' '.join(rest.values())}) }}\n"
    at = _where_start(query)
    if at is None:
        return f"{query}\n{block}"
    return f"{query[:at]} {block}{query[at:]}"



def run_sparql(store: ox.Store, query: str, bindings: dict | None = None, **options):
    """Run ``query`` on ``store`` with the mlsd prefixes pre-declared.

    Raises
    ------
    QueryError
        On a syntax error (the message names line and column) or an evaluation error.
    """
    try:
        return store.query(bind_values(query, bindings), prefixes=PREFIXES, **options)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"SPARQL evaluation error: {exc}") from None
