"""The NetworkX projection of the knowledge graph: paths, neighbourhoods, centrality.

Nodes are ``kind/slug`` references with ``label`` and ``kind`` attributes; edges carry the
short name of their predicate (``solves``, ``implements``, ``discussedIn``, ``broader`` ...).
"""
from __future__ import annotations

import networkx as nx

from .errors import NotFoundError
from .vocab import to_kind, to_ref

__all__ = ["to_networkx", "resolve_node", "find_path", "find_neighbors", "subgraph_around", "short_predicate"]

#: Structural edges that connect almost everything; a path through them explains little.
_WEAK = {"stage": 4.0, "category": 3.0, "inScheme": 50.0, "isPartOf": 1.5, "inChapter": 2.0, "stageChapter": 3.0,
         "forChapter": 3.0}


def short_predicate(iri: str) -> str:
    """The local name of a predicate IRI.

    Examples
    --------
    >>> short_predicate("https://w3id.org/mlsd/ontology#solves")
    'solves'
    >>> short_predicate("http://www.w3.org/2004/02/skos/core#broader")
    'broader'
    """
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def to_networkx(kg) -> nx.MultiDiGraph:
    """Project the instance nodes and the edges between them into a MultiDiGraph."""
    g = nx.MultiDiGraph()
    for ref, info in kg.nodes.items():
        if info["kind"] != "option":  # options are parts of their decision, shown with it
            g.add_node(ref, label=info["label"], kind=info["kind"])
    for row in kg.run("graph_edges"):
        s, o = to_ref(row["s"]), to_ref(row["o"])
        if s == o or "/option-" in s or "/option-" in o or s.startswith("scheme/") or o.startswith("scheme/"):
            continue
        for ref in (s, o):
            if ref not in g:
                g.add_node(ref, label=ref, kind=to_kind(row["s"] if ref == s else row["o"]))
        p = short_predicate(row["p"])
        g.add_edge(s, o, key=p, predicate=p)
    return g


def resolve_node(kg, text: str, kinds=None) -> str:
    """Return the node reference ``text`` names: a ``kind/slug`` reference, an IRI, or the best search match.

    Raises
    ------
    NotFoundError
        When nothing matches.
    """
    ref = to_ref(text) or text
    if ref in kg.nodes and (kinds is None or kg.nodes[ref]["kind"] in kinds):
        return ref
    hits = kg.search_index.search(text, kinds=kinds, limit=1)
    if not hits or hits[0]["score"] < 0.3:
        raise NotFoundError(f"nothing in the graph matches `{text}`")
    return hits[0]["ref"]


def _weight(u, v, data) -> float:
    return min(_WEAK.get(d["predicate"], 1.0) for d in data.values())


def find_path(kg, a: str, b: str) -> list[dict]:
    """The most informative shortest path between two nodes, ignoring edge direction.

    Structural edges (stage, category, chapter membership) cost more than semantic ones, so a
    path through ``solves`` or ``implements`` wins over one through a shared stage.

    Returns
    -------
    list of dict
        One step per edge: ``source``, ``predicate``, ``target`` (as stored, so ``source`` may be the
        later node), with labels.
    """
    g = kg.nx
    src, dst = resolve_node(kg, a), resolve_node(kg, b)
    und = g.to_undirected(as_view=True)
    try:
        nodes = nx.shortest_path(und, src, dst, weight=_weight)
    except nx.NetworkXNoPath:
        raise NotFoundError(f"no path between `{src}` and `{dst}`") from None
    steps = []
    for u, v in zip(nodes, nodes[1:]):
        if g.has_edge(u, v):
            s, t = u, v
        else:
            s, t = v, u
        pred = min(g.get_edge_data(s, t), key=lambda k: _WEAK.get(k, 1.0))
        steps.append({"source": s, "source_label": g.nodes[s]["label"], "predicate": pred,
                      "target": t, "target_label": g.nodes[t]["label"]})
    return steps


def find_neighbors(kg, x: str, *, limit: int = 50) -> dict:
    """The direct neighbours of a node, both directions, capped at ``limit``.

    Returns
    -------
    dict
        ``node``, ``label``, ``neighbors`` (each ``id``, ``label``, ``type``, ``predicate``,
        ``direction``) and ``more`` (how many were left out by the cap).
    """
    g = kg.nx
    ref = resolve_node(kg, x)
    rows = []
    for _, t, p in g.out_edges(ref, keys=True):
        rows.append({"id": t, "label": g.nodes[t]["label"], "type": g.nodes[t]["kind"], "predicate": p, "direction": "out"})
    for s, _, p in g.in_edges(ref, keys=True):
        rows.append({"id": s, "label": g.nodes[s]["label"], "type": g.nodes[s]["kind"], "predicate": p, "direction": "in"})
    rows.sort(key=lambda r: (_WEAK.get(r["predicate"], 1.0), r["predicate"], r["label"].lower()))
    return {"node": ref, "label": g.nodes[ref]["label"], "neighbors": rows[:limit], "more": max(0, len(rows) - limit)}


def subgraph_around(kg, focus: str | None = None, depth: int = 1, *, limit: int = 400) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of ``focus`` (the whole graph when focus is None), capped."""
    g = kg.nx
    if focus is None:
        return g.copy()
    ref = resolve_node(kg, focus)
    und = g.to_undirected(as_view=True)
    keep = [ref]
    seen = {ref}
    frontier = [ref]
    for _ in range(max(depth, 0)):
        nxt = []
        for u in frontier:
            for v in sorted(und.neighbors(u)):
                if v not in seen and len(keep) < limit:
                    seen.add(v)
                    keep.append(v)
                    nxt.append(v)
        frontier = nxt
    return g.subgraph(keep).copy()
