"""Load the built knowledge graph into a remote triplestore with SPARQL Update.

:func:`push_graph` replaces one named graph: ``DROP SILENT GRAPH``, then ``INSERT DATA`` in
batches of N-Triples, then a count check. Pushing twice leaves the same triples, so it is safe to
re-run after every data change. Triples with blank nodes (a few OWL lists in the vocabulary) go in
one ``INSERT { } WHERE { }`` request: blank nodes cannot be split across requests (each request
mints new ones) and Virtuoso refuses them in ``INSERT DATA``.

With Virtuoso, send updates to ``http://HOST:8890/sparql-auth`` as ``dba`` (digest auth), or grant
``SPARQL_UPDATE`` to the ``SPARQL`` user to use ``/sparql``.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import ExportError, MlsdError, QueryError
from .remote import DEFAULT_GRAPH, META_GRAPH_SUFFIX, RemoteError, RemoteKnowledgeGraph, SparqlEndpoint
from .sparql import to_term
from .store import KnowledgeGraph

__all__ = ["push_graph", "to_update_batches", "load_rdf_file", "graph_for_file"]

#: RDF file extensions ``load_rdf_file`` reads.
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML,
            ".owl": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD}

#: How stores say an update request is too large (Virtuoso: generated SQL over 10,000 lines, parser memory).
_TOO_LARGE = re.compile(r"exceeded \d+ lines|memory exhausted|too (large|long)|413", re.I)


def graph_for_file(path) -> str:
    """The graph an RDF file is pushed to by default: ``DEFAULT_GRAPH``'s sibling named after the file.

    Examples
    --------
    >>> graph_for_file("out/lfai.ttl")
    'https://w3id.org/mlsd/graph/lfai'
    """
    return DEFAULT_GRAPH.rsplit("/", 1)[0] + "/" + re.sub(r"[^A-Za-z0-9._-]+", "-", Path(path).stem)


def load_rdf_file(path) -> KnowledgeGraph:
    """Read an RDF file (e.g. the output of ``mlsd import``) into a graph that :func:`push_graph` takes.

    Raises
    ------
    ExportError
        When the file is missing, has an unknown extension, or does not parse (with the position).
    """
    p = Path(path)
    fmt = _FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise ExportError(f"{path}: unknown RDF format `{p.suffix}`; use .ttl, .nt, .rdf/.owl/.xml or .jsonld")
    try:
        data = p.read_bytes()
        store = ox.Store()
        store.load(data, format=fmt, base_iri=p.resolve().as_uri())
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except (SyntaxError, ValueError) as exc:
        raise ExportError(f"{path}: not valid {p.suffix[1:]}: {exc}") from None
    return KnowledgeGraph(store, hashlib.sha256(data).hexdigest()[:24])


def _nt(quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def _has_bnode(quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _insert(graph: str, lines: list[str], template: bool = False) -> str:
    body = "\n".join(lines)
    if template:
        return f"INSERT {{ GRAPH {graph} {{\n{body}\n}} }} WHERE {{ }}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"


def to_update_batches(quads: Iterable, graph: str, batch: int) -> list[tuple[str, int]]:
    """SPARQL Update requests that insert ``quads`` into ``graph``: ``(request, number of triples)``.

    Examples
    --------
    >>> q = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal('say "hi"'))
    >>> to_update_batches([q, q], "urn:g", 1)[0]
    ('INSERT DATA { GRAPH <urn:g> {\\n<urn:a> <urn:p> "say \\\\"hi\\\\"" .\\n} }', 1)
    """
    return [(_insert(g, lines, template), len(lines)) for g, lines, template in _batches(quads, graph, batch)]


def _batches(quads: Iterable, graph: str, batch: int):
    if batch < 1:
        raise MlsdError(f"the batch size must be at least 1 (got {batch})")
    g = str(to_term(graph))
    plain, blank = [], []
    for q in quads:
        (blank if _has_bnode(q) else plain).append(_nt(q))
    out = [(g, plain[i:i + batch], False) for i in range(0, len(plain), batch)]
    if blank:
        out.append((g, blank, True))
    return out


def _send(endpoint: SparqlEndpoint, graph: str, lines: list[str], template: bool) -> None:
    """Send one batch; halve it while the store says the request is too large."""
    try:
        endpoint.update(_insert(graph, lines, template))
    except QueryError as exc:
        if template or len(lines) < 2 or not _TOO_LARGE.search(str(exc)):
            raise
        half = len(lines) // 2
        _send(endpoint, graph, lines[:half], False)
        _send(endpoint, graph, lines[half:], False)


def push_graph(kg, endpoint: SparqlEndpoint, *, graph: str = DEFAULT_GRAPH, batch: int = 500,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Replace ``graph`` at ``endpoint`` with the triples of ``kg`` (an embedded KnowledgeGraph).

    Parameters
    ----------
    kg : KnowledgeGraph
        The built graph; its default graph is pushed.
    endpoint : SparqlEndpoint
        An endpoint that accepts SPARQL Update (and queries, for the final count).
    graph : str
        The target named graph (replaced as a whole).
    batch : int
        Triples per ``INSERT DATA`` request. A request the store finds too large is split in
        halves (Virtuoso 7.2 refuses a few hundred triples more than about 600 per request).
    progress : callable, optional
        Called with ``(triples sent, total)`` after each request.

    Returns
    -------
    dict
        ``graph``, ``triples`` (counted in the store afterwards), ``requests``, ``seconds``.

    Raises
    ------
    RemoteError
        When the store cannot be reached, refuses the update, or ends up with another count.
    """
    if not str(graph).startswith(("http://", "https://", "urn:")):
        raise RemoteError(f"the target graph must be an absolute IRI (got `{graph}`)")
    start = time.perf_counter()
    quads = list(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    batches = _batches(quads, graph, batch)
    g, meta = str(to_term(graph)), str(to_term(graph + META_GRAPH_SUFFIX))
    endpoint.update(f"DROP SILENT GRAPH {g}")
    endpoint.update(f"DROP SILENT GRAPH {meta}")
    done = 0
    if progress:
        progress(0, len(quads))
    for _, lines, template in batches:
        _send(endpoint, g, lines, template)
        done += len(lines)
        if progress:
            progress(done, len(quads))
    fingerprint = str(ox.Literal(kg.fingerprint or "unknown"))
    endpoint.update(f"INSERT DATA {{ GRAPH {meta} {{ {g} <http://purl.org/dc/terms/identifier> {fingerprint} . }} }}")
    count = len(RemoteKnowledgeGraph(endpoint, graph))
    if count != len(quads):
        raise RemoteError(f"after the push {graph} holds {count} triples instead of {len(quads)}; "
                          "the store may be dropping or merging terms")
    return {"graph": graph, "triples": count, "batches": len(batches),
            "seconds": round(time.perf_counter() - start, 3)}
