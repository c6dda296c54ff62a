"""Add the user's own RDF files to the store as named graphs (``mlsd serve --load PATH[=IRI]``).

They sit beside the knowledge base so that queries can join a company's own data (its tool
inventory, say) with ours; the guard accepts ``FROM``/``GRAPH`` on them because the store holds them.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import QueryError

__all__ = ["load_named_graphs"]

_FORMATS = {".ttl": "TURTLE", ".turtle": "TURTLE", ".nt": "N_TRIPLES", ".ntriples": "N_TRIPLES",
            ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".json": "JSON_LD"}


def load_named_graphs(kg, specs) -> list[str]:
    """Add RDF files to ``kg.store`` as named graphs; return the graph IRIs.

    ``specs`` are ``"PATH[=GRAPH_IRI]"`` strings or ``(path, iri)`` pairs; the graph name
    defaults to the file's ``file:///`` URI. The format follows the extension (Turtle, N-Triples,
    RDF/XML, JSON-LD). Call at start-up, before the first query.

    Raises
    ------
    QueryError
        A missing file, an unknown extension, or a parse error (with its position).
    """
    import hashlib
    import os

    import pyoxigraph as ox

    from .executor import _drop_pool
    names = []
    for spec in specs or []:
        path, iri = spec if isinstance(spec, tuple) else (spec.partition("=")[0], spec.partition("=")[2] or None)
        p = Path(path).expanduser().resolve()
        fmt = _FORMATS.get(p.suffix.lower())
        if fmt is None:
            raise QueryError(f"--load {path}: unknown RDF format `{p.suffix}`; "
                             "use .ttl, .nt, .rdf/.owl/.xml or .jsonld")
        if not p.is_file():
            raise QueryError(f"--load {path}: no such file")
        graph = iri or p.as_uri()
        if not re.match(r"[A-Za-z][\w+.-]*:\S+$", graph):
            raise QueryError(f"--load {spec}: the graph name `{graph}` is not an absolute IRI")
        try:
            kg.store.load(path=str(p), format=getattr(ox.RdfFormat, fmt), base_iri=p.as_uri(),
                          to_graph=ox.NamedNode(graph))
            kg.store.add_graph(ox.NamedNode(graph))
        except (SyntaxError, ValueError, OSError) as exc:
            raise QueryError(f"--load {path}: cannot read it as {fmt.replace('_', '-')}: {exc}") from None
        names.append(graph)
        record = (graph, hashlib.sha256(p.read_bytes()).hexdigest())
        kg.loaded_graphs.append(record)
        if hasattr(kg, "forget_results"):
            kg.forget_results()
    _drop_pool((id(kg), os.getpid()))
    return names
