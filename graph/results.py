"""Format SPARQL results: SPARQL 1.1 JSON, CSV and TSV through Oxigraph, and a readable table."""
from __future__ import annotations

import pyoxigraph as ox

from .errors import QueryError
from .vocab import PREFIXES

__all__ = ["format_results", "compact_iri", "SOLUTION_FORMATS", "GRAPH_FORMATS"]

SOLUTION_FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
                    "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}


def compact_iri(iri: str) -> str:
    """Shorten an IRI with the mlsd prefixes.

    Examples
    --------
    >>> compact_iri("https://w3id.org/mlsd/id/tool/feast")
    'id:tool/feast'
    >>> compact_iri("urn:x")
    '<urn:x>'
    """
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _table(res: ox.QuerySolutions, max_width: int = 60) -> str:
    names = [v.value for v in res.variables]
    rows = [[_cell(sol[n]) for n in names] for sol in res]
    rows = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in r] for r in rows]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths]), *(line(r) for r in rows), f"({len(rows)} rows)"]
    return "\n".join(out) + "\n"


def format_results(kg, res, fmt: str = "table") -> str:
    """Render a query result (solutions, boolean or triples) in ``fmt``.

    Raises
    ------
    QueryError
        For a format the result cannot take, or an error while the engine produces the rows.
    """
    try:
        return _format(res, fmt)
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"SPARQL evaluation error: {exc}") from None


def _format(res, fmt: str) -> str:
    if isinstance(res, ox.QueryBoolean):
        if fmt == "table":
            return f"{bool(res)}\n".lower()
        if fmt in SOLUTION_FORMATS:
            return res.serialize(format=SOLUTION_FORMATS[fmt]).decode()
        raise QueryError(f"an ASK result cannot be written as {fmt}; use table, json, csv or tsv")
    if isinstance(res, ox.QuerySolutions):
        if fmt == "table":
            return _table(res)
        if fmt in SOLUTION_FORMATS:
            return res.serialize(format=SOLUTION_FORMATS[fmt]).decode()
        raise QueryError(f"a SELECT result cannot be written as {fmt}; use table, json, csv or tsv")
    fmt = "ttl" if fmt == "table" else fmt
    if fmt not in GRAPH_FORMATS:
        raise QueryError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}; use ttl or nt")
    return ox.serialize(list(res), format=GRAPH_FORMATS[fmt], prefixes=PREFIXES if fmt == "ttl" else None).decode()
