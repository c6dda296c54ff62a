"""Named SPARQL queries (``graph/queries/*.rq``) and the one function that runs SPARQL.

Values enter queries only through bindings (Oxigraph ``substitutions``, the equivalent of
rdflib's ``initBindings``), never through string formatting.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pyoxigraph as ox

from .errors import QueryError
from .vocab import ID, PREFIXES

__all__ = ["list_queries", "load_query", "run_sparql", "to_term"]


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


def run_sparql(store: ox.Store, query: str, bindings: dict | None = None, **options):
    """Run ``query`` on ``store`` with the mlsd prefixes pre-declared.

    Raises
    ------
    QueryError
        On a syntax error (the message names line and column) or an evaluation error.
    """
    subs = {ox.Variable(k): to_term(v) for k, v in (bindings or {}).items()}
    try:
        return store.query(query, prefixes=PREFIXES, substitutions=subs, **options)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"SPARQL evaluation error: {exc}") from None
