"""Export the graph, or the neighbourhood of a node, as RDF, GraphML, GEXF or standalone HTML.

The HTML export is a pyvis network with vis-network inlined and every remote stylesheet or script
tag removed, so it opens with no network; labels and tooltips reach the page as JSON (``<`` escaped)
and are drawn as text.
"""
from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .errors import ExportError
from .network import resolve_node, subgraph_around
from .vocab import ID, PREFIXES

__all__ = ["FORMATS", "export_graph", "to_rdf", "to_graphml", "to_gexf", "to_html"]

#: Format name → (file suffix, description).
FORMATS = {
    "ttl": (".ttl", "Turtle"), "nt": (".nt", "N-Triples"), "jsonld": (".jsonld", "JSON-LD"),
    "graphml": (".graphml", "GraphML"), "gexf": (".gexf", "GEXF"), "html": (".html", "interactive HTML (pyvis)"),
}

#: Node colours and shapes by kind, shared by the HTML export and the app's legend.
STYLE = {
    "problem": ("#d1495b", "diamond"), "technique": ("#2e86ab", "dot"), "concept": ("#8d6a9f", "dot"),
    "tool": ("#3c9d5d", "square"), "category": ("#97c1a9", "triangle"), "chapter": ("#edae49", "box"),
    "section": ("#f3d08b", "box"), "stage": ("#5c6f7b", "hexagon"), "role": ("#c97b84", "star"),
    "resource": ("#a39171", "ellipse"), "decision": ("#e07a5f", "triangleDown"), "book": ("#edae49", "box"),
}

_REMOTE_TAG = re.compile(r"<link\b[^>]*>|<script\b[^>]*\bsrc=[^>]*>\s*</script>", re.I | re.S)


def _triples_of(kg, refs: set[str] | None):
    for q in kg.store.quads_for_pattern(None, None, None, None):
        if refs is None:
            yield ox.Triple(q.subject, q.predicate, q.object)
            continue
        s = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
        if s.startswith(str(ID)) and (s[len(str(ID)):] in refs or s[len(str(ID)):].split("/option-")[0] in refs):
            yield ox.Triple(q.subject, q.predicate, q.object)


def to_rdf(kg, fmt: str, refs: set[str] | None = None) -> bytes:
    """Serialize the statements about ``refs`` (all statements when None) as ``ttl``, ``nt`` or ``jsonld``."""
    triples = list(_triples_of(kg, refs))
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "ttl":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    if fmt == "jsonld":
        import rdflib
        g = rdflib.Graph()
        g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        return g.serialize(format="json-ld", context={p: ns for p, ns in PREFIXES.items()}, indent=1).encode()
    raise ExportError(f"unknown RDF format `{fmt}`")


def _plain(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (GraphML and GEXF want simple types)."""
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, label=str(d.get("label", n)), kind=str(d.get("kind", "")))
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, predicate=str(d.get("predicate", k)), label=str(d.get("predicate", k)))
    return h


def to_graphml(g: nx.MultiDiGraph) -> bytes:
    """GraphML of a projection subgraph."""
    return "\n".join(nx.generate_graphml(_plain(g))).encode()


def to_gexf(g: nx.MultiDiGraph) -> bytes:
    """GEXF of a projection subgraph."""
    return "\n".join(nx.generate_gexf(_plain(g))).encode()


def to_html(g: nx.MultiDiGraph, *, title: str = "mlsd graph") -> bytes:
    """A standalone, offline pyvis page of a projection subgraph.

    ``title`` goes into ``<title>`` escaped; data never reaches pyvis's raw ``heading``.
    """
    import html as _html

    from pyvis.network import Network
    net = Network(height="92vh", width="100%", directed=True, cdn_resources="in_line", heading="")
    for n, d in g.nodes(data=True):
        color, shape = STYLE.get(d.get("kind", ""), ("#999999", "dot"))
        net.add_node(n, label=str(d.get("label", n)), title=f"{d.get('kind', '')}: {d.get('label', n)}",
                     color=color, shape=shape)
    for u, v, k in g.edges(keys=True):
        net.add_edge(u, v, title=k, label=k, arrows="to", font={"size": 9})
    page = _REMOTE_TAG.sub("", net.generate_html())
    page = page.replace("<head>", f"<head>\n<title>{_html.escape(title)}</title>", 1)
    if re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I):
        raise ExportError("the HTML export still references a remote resource")
    return page.encode("utf-8")


def export_graph(kg, fmt: str, *, focus: str | None = None, depth: int = 1, path: str | Path | None = None) -> bytes:
    """Export the whole graph, or the ``depth``-hop neighbourhood of ``focus``, in ``fmt``.

    Writes to ``path`` when given, and returns the bytes.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format `{fmt}`; choose one of {', '.join(FORMATS)}")
    sub = subgraph_around(kg, focus, depth) if (focus or fmt in ("graphml", "gexf", "html")) else None
    if fmt in ("ttl", "nt", "jsonld"):
        data = to_rdf(kg, fmt, set(sub.nodes) if sub is not None else None)
    elif fmt == "graphml":
        data = to_graphml(sub)
    elif fmt == "gexf":
        data = to_gexf(sub)
    else:
        data = to_html(sub, title=f"mlsd: {kg.label(resolve_node(kg, focus))}" if focus else "mlsd graph")
    if path is not None:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror}") from None
    return data
