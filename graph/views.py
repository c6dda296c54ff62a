"""Ready-to-show views of the knowledge graph: a neighbourhood that grows by expansion, a node card,
the book outline and the tool catalog with comparisons.

Pure functions of a :class:`~mlsd.graph.store.KnowledgeGraph` and plain arguments; they return
plain dicts and lists (no web code), so the app, the CLI and tests can use them alike.
"""
from __future__ import annotations

from .errors import NotFoundError
from .find import describe_node, find_tools_for
from .network import _WEAK, find_neighbors, find_path
from .vocab import to_ref

__all__ = ["EXPANSION_CAP", "EXPANSION_CAPS", "order_neighbors", "build_view", "describe_card", "find_book_outline",
           "find_tool_rows", "compare_tools", "safe_url"]

#: New nodes one expansion adds at most by default (each "show more" adds as many again). 20 keeps
#: an expanded view legible on a laptop (at 50 the fit shrinks 10 px labels under the 6 px at which
#: they are drawn) and is what a 2-core machine draws within 150 ms of a double-click, with room
#: for its load (benchmarks/README.md: ~1 ms per new node, ~0.35 per new edge; 25 was marginal).
EXPANSION_CAP = 20
#: The page sizes a person can choose instead (Explore's "New nodes per expansion").
EXPANSION_CAPS = (10, 20, 50, 100)
#: Which relations a page of neighbours shows first: what addresses a node, what it causes or
#: refines, its alternatives and relatives, where it is discussed; the structural ones that
#: network.py weighs as explaining little (stage, category, part of ...) come after every other,
#: the least telling last (see :func:`order_neighbors`).
_RELATION_ORDER = ("solves", "implements", "causes", "broader", "alternativeTo", "related", "prerequisite",
                   "discussedIn", "about", "concernOf")


def safe_url(value) -> str | None:
    """``value`` when it is an http(s) URL, else None (so no ``javascript:`` link is ever drawn).

    Examples
    --------
    >>> safe_url("https://feast.dev/")
    'https://feast.dev/'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    s = str(value or "").strip()
    return s if s.lower().startswith(("https://", "http://")) and " " not in s else None


def _stages_of(g, ref: str) -> set[str]:
    return {t for _, t, p in g.out_edges(ref, keys=True) if p == "stage"}


def _allowed(g, ref: str, kinds, stages) -> bool:
    if kinds and g.nodes[ref].get("kind") not in kinds:
        return False
    if stages:
        if g.nodes[ref].get("kind") == "stage":
            return ref in stages
        own = _stages_of(g, ref)
        return not own or bool(own & set(stages))
    return True


def order_neighbors(rows: list[dict]) -> list[str]:
    """Neighbour ids in the order pages show them: one of each relation and kind in turn, so a page
    of 20 holds a sample of every kind of connection rather than the first relation in full.

    ``rows`` are :func:`~mlsd.graph.network.find_neighbors` rows (``id``, ``type``, ``predicate``),
    sorted by label within a relation. Relations take turns in :data:`_RELATION_ORDER`, and within
    one relation each kind of node (the techniques that solve a problem and the tools that do);
    structural relations follow, one after another. A node reached by two relations counts under
    the one that comes first (a tool that solves a problem and is related to it, as solving it).

    Examples
    --------
    >>> rows = [{"id": "tool/a", "type": "tool", "predicate": "solves"},
    ...         {"id": "tool/b", "type": "tool", "predicate": "solves"},
    ...         {"id": "technique/t", "type": "technique", "predicate": "solves"},
    ...         {"id": "section/1", "type": "section", "predicate": "discussedIn"},
    ...         {"id": "stage/x", "type": "stage", "predicate": "stage"},
    ...         {"id": "tool/b", "type": "tool", "predicate": "related"}]
    >>> order_neighbors(rows)
    ['technique/t', 'tool/a', 'section/1', 'tool/b', 'stage/x']
    """
    def rank(row):
        p = row["predicate"]
        if p in _WEAK:
            return (2, _WEAK[p], p, "")
        return (0, _RELATION_ORDER.index(p), p, row["type"]) if p in _RELATION_ORDER else (1, 0, p, row["type"])

    groups: dict[tuple, list[str]] = {}
    seen: set[str] = set()
    for r in sorted(rows, key=rank):  # a stable sort: labels stay in order within a group
        if r["id"] not in seen:
            seen.add(r["id"])
            groups.setdefault(rank(r), []).append(r["id"])
    out = []
    for tier in (0, 1, 2):
        queues = [q for key, q in sorted(groups.items()) if key[0] == tier]
        if tier == 2:  # structural relations one after another, not interleaved
            out += [ref for q in queues for ref in q]
            continue
        for i in range(max((len(q) for q in queues), default=0)):
            out += [q[i] for q in queues if i < len(q)]
    return out


def build_view(kg, focus: str, expanded=(), *, kinds=None, relations=None, stages=None,
               path: tuple[str, str] | None = None, cap: int = EXPANSION_CAP) -> dict:
    """The subgraph an explorer shows: ``focus``, its neighbours, and those of each expanded node.

    Parameters
    ----------
    focus : str
        The node at the centre (a reference, IRI or search text).
    expanded : sequence of (str, int)
        Expanded nodes in order, each with how many pages of ``cap`` neighbours to show (an
        entry for ``focus`` sets how many pages the focus shows; it shows one by default).
    kinds, relations, stages : collections of str, optional
        Keep only neighbours of these kinds, reached by these predicates, attached to these stages
        (nodes without a stage pass the stage filter). The focus is always shown.
    path : (str, str), optional
        Also show and mark the most informative path between these two nodes.

    Returns
    -------
    dict
        ``focus``; ``nodes`` (id, label, kind, role: focus/expanded/neighbor/path) in insertion
        order; ``edges`` (source, target, predicate, on_path); ``more`` (node → neighbours left
        out); ``path`` (the steps, or None); ``path_error`` (why no path could be drawn).

    Raises
    ------
    NotFoundError
        When ``focus`` names nothing.
    """
    g = kg.nx
    focus = find_neighbors(kg, focus, limit=0)["node"]
    kinds, relations, stages = set(kinds or ()), set(relations or ()), set(stages or ())
    nodes: dict[str, dict] = {}

    def add(ref: str, role: str) -> None:
        if ref not in nodes:
            nodes[ref] = {"id": ref, "label": g.nodes[ref].get("label", ref), "kind": g.nodes[ref].get("kind", ""),
                          "role": role}
        elif role in ("focus", "expanded") and nodes[ref]["role"] not in ("focus",):
            nodes[ref]["role"] = role

    more: dict[str, int] = {}
    add(focus, "focus")
    focus_pages = max([int(p) for r, p in expanded if r == focus], default=1)
    for ref, pages in [(focus, focus_pages), *[(r, max(int(p), 1)) for r, p in expanded if r != focus]]:
        if ref not in g:
            continue
        add(ref, "focus" if ref == focus else "expanded")
        rows = [r for r in find_neighbors(kg, ref, limit=len(g))["neighbors"]
                if not relations or r["predicate"] in relations]
        fresh = [other for other in order_neighbors(rows) if other not in nodes and _allowed(g, other, kinds, stages)]
        take = fresh[: cap * pages]
        for other in take:
            add(other, "neighbor")
        if len(fresh) > len(take):
            more[ref] = len(fresh) - len(take)

    steps, path_error, on_path = None, None, set()
    if path and path[0] and path[1]:
        try:
            steps = find_path(kg, path[0], path[1])
        except NotFoundError as exc:
            path_error = str(exc)
        else:
            for s in steps:
                for ref in (s["source"], s["target"]):
                    add(ref, "path")
                on_path.add((s["source"], s["target"], s["predicate"]))

    edges = []
    keep = set(nodes)
    for u in nodes:
        for _, v, p in g.out_edges(u, keys=True):
            if v not in keep:
                continue
            hit = (u, v, p) in on_path
            if relations and p not in relations and not hit:
                continue
            edges.append({"source": u, "target": v, "predicate": p, "on_path": hit})
    for ref in nodes:
        nodes[ref]["on_path"] = any(ref in (s, t) for s, t, _ in on_path)
    return {"focus": focus, "nodes": list(nodes.values()), "edges": edges, "more": more,
            "path": steps, "path_error": path_error}


def _refs(vals) -> list[dict]:
    return [v for v in vals if isinstance(v, dict) and v.get("id")]


def _first(vals):
    return vals[0] if vals else None


def describe_card(kg, ref: str) -> dict:
    """What a details panel shows about one node.

    Returns
    -------
    dict
        ``id``, ``label``, ``kind``, ``synonyms``, ``definition``; ``links`` (homepage,
        repository, url: safe http(s) URLs only); ``facts`` (name → text: licence, language,
        page ...); ``locations`` (chapter, section, page where the book discusses it; for a
        section or chapter, itself); ``tools`` (id, label, evidence) that deal with it;
        ``techniques``; ``groups`` (relation name → list of id/label) for everything else.
    """
    d = describe_node(kg, ref)
    props = d["properties"]
    node = kg.nodes.get(d["id"], {})
    card = {"id": d["id"], "label": d["label"], "kind": d["kind"], "synonyms": d["synonyms"],
            "definition": node.get("text") or _first([v for v in props.get("question", []) if isinstance(v, str)]) or "",
            "links": {}, "facts": {}, "locations": d["locations"], "tools": [], "techniques": [], "groups": {},
            "symptoms": [v for v in props.get("symptom", []) if isinstance(v, str)],
            "tradeoffs": [v for v in props.get("tradeoff", []) if isinstance(v, str)]}
    for key in ("homepage", "repository", "url"):
        url = safe_url(_first(props.get(key, [])))
        if url:
            card["links"][key] = url
    for key, name in (("licenseId", "Licence"), ("programming-language", "Language"), ("openSource", "Open source"),
                      ("source", "Source"), ("sectionNumber", "Section"), ("chapterNumber", "Chapter"),
                      ("pageStart", "Page"), ("order", "Lifecycle position")):
        val = _first(props.get(key, []))
        if val is not None:
            card["facts"][name] = ("yes" if val else "no") if isinstance(val, bool) else str(val)
    kind = d["kind"]
    if kind == "problem":
        tools = find_tools_for(kg, [{"id": d["id"], "label": d["label"], "type": "problem", "score": 1.0}])
        card["tools"] = [{"id": t["id"], "label": t["label"], "evidence": t["evidence"][0]} for t in tools]
        card["techniques"] = [{"id": to_ref(r["technique"]), "label": r["label"]}
                              for r in kg.run("techniques_for_problem", problem=d["id"])]
    elif kind == "technique":
        card["tools"] = [{"id": to_ref(r["tool"]), "label": r["label"], "evidence": [r["label"], "implements", d["label"]]}
                         for r in kg.run("tools_implementing", technique=d["id"])]
    elif kind in ("section", "chapter"):
        page = _first(props.get("pageStart", []))
        chap = _first(_refs(props.get("inChapter", [])))
        number = _first(props.get("sectionNumber", [])) or _first(props.get("chapterNumber", []))
        card["locations"] = [{"concept": d["id"], "chapter": int(str(number).split(".")[0]) if number else None,
                              "chapter_title": chap["label"] if chap else d["label"], "section": d["label"],
                              "section_number": str(number or ""), "page": page}]
    skip = {"type", "label", "prefLabel", "altLabel", "definition", "description", "name", "inScheme", "license",
            "discussedIn", "symptom", "tradeoff", "question"}
    g = kg.nx
    groups: dict[str, list[dict]] = {}
    for p, vals in props.items():
        if p in skip:
            continue
        for v in _refs(vals):
            groups.setdefault(p, []).append({"id": v["id"], "label": v["label"] or v["id"]})
    if d["id"] in g:
        for s, _, p in g.in_edges(d["id"], keys=True):
            name = {"solves": "solved by", "implements": "implemented by", "discussedIn": "discusses",
                    "category": "tools", "stage": "attached", "broader": "narrower", "causes": "caused by",
                    "isPartOf": "parts", "inChapter": "sections", "about": "read more",
                    "forChapter": "reading", "concernOf": "concerns", "stageChapter": "stages",
                    "option": "decision", "prerequisite": "needed by"}.get(p, p)
            if p in ("alternativeTo", "related"):
                name = p
            item = {"id": s, "label": g.nodes[s].get("label", s)}
            if item not in groups.setdefault(name, []):
                groups[name].append(item)
    if kind in ("problem", "technique"):
        groups.pop("solved by", None)
        groups.pop("implemented by", None)
    for vals in groups.values():
        vals.sort(key=lambda v: v["label"].lower())
    card["groups"] = {k: groups[k] for k in sorted(groups, key=lambda k: (k not in _GROUP_ORDER, _GROUP_ORDER.index(k) if k in _GROUP_ORDER else 0, k))}
    return card


_GROUP_ORDER = ["solves", "implements", "category", "stage", "alternativeTo", "causes", "caused by", "broader",
                "narrower", "related", "prerequisite", "discusses", "sections", "inChapter", "isPartOf"]


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in str(number).split("."))


def find_book_outline(kg) -> list[dict]:
    """The table of contents with what each place discusses.

    Returns
    -------
    list of dict
        One per chapter, in order: ``id``, ``number``, ``title``, ``page``, ``items`` (what the
        chapter itself discusses) and ``sections`` (id, number, title, page, depth, items).
        Each item: id, label, kind, and for problems and techniques ``tools`` (id, label).
    """
    g = kg.nx
    chapters: dict[str, dict] = {}
    for r in kg.run("book_toc"):
        ch = to_ref(r["chapter"])
        entry = chapters.setdefault(ch, {"id": ch, "number": r["chapterNumber"], "title": r["chapterTitle"],
                                         "page": r["chapterPage"], "sections": [], "items": []})
        if r["section"]:
            entry["sections"].append({"id": to_ref(r["section"]), "number": r["number"], "title": r["title"],
                                      "page": r["page"], "depth": r["number"].count("."), "items": []})
    tools_of: dict[str, list[dict]] = {}

    def items_of(place: str) -> list[dict]:
        out = []
        if place not in g:
            return out
        for s, _, p in g.in_edges(place, keys=True):
            if p != "discussedIn":
                continue
            kind = g.nodes[s].get("kind")
            item = {"id": s, "label": g.nodes[s].get("label", s), "kind": kind, "tools": []}
            if kind in ("problem", "technique"):
                if s not in tools_of:
                    ts = {t for t, _, q in g.in_edges(s, keys=True) if q in ("solves", "implements")
                          and g.nodes[t].get("kind") == "tool"}
                    tools_of[s] = sorted(({"id": t, "label": g.nodes[t]["label"]} for t in ts),
                                         key=lambda t: t["label"].lower())
                item["tools"] = tools_of[s]
            out.append(item)
        order = {"problem": 0, "technique": 1, "decision": 2, "concept": 3}
        out.sort(key=lambda i: (order.get(i["kind"], 9), i["label"].lower()))
        return out

    result = sorted(chapters.values(), key=lambda c: c["number"])
    for ch in result:
        ch["items"] = items_of(ch["id"])
        ch["sections"].sort(key=lambda s: (_number_key(s["number"]), s["page"]))
        for sec in ch["sections"]:
            sec["items"] = items_of(sec["id"])
    return result


def find_tool_rows(kg) -> list[dict]:
    """The tool catalog, one row per tool, with list-valued facts split out.

    Returns
    -------
    list of dict
        ``id``, ``label``, ``category`` (label), ``category_id``, ``license``, ``language``,
        ``open_source`` (bool), ``stages`` (labels), ``homepage``, ``repository`` (safe URLs or
        None), ``solves`` and ``implements`` (labels), ``alternatives`` (id, label).
    """
    g = kg.nx
    rows = []
    for r in kg.run("tool_catalog"):
        ref = to_ref(r["tool"])
        out = {p: [] for p in ("solves", "implements", "alternativeTo")}
        if ref in g:
            for _, t, p in g.out_edges(ref, keys=True):
                if p in out:
                    item = {"id": t, "label": g.nodes[t].get("label", t)}
                    if item not in out[p]:
                        out[p].append(item)
        for vals in out.values():
            vals.sort(key=lambda v: v["label"].lower())
        rows.append({"id": ref, "label": r["label"], "category": r["categoryLabel"], "category_id": to_ref(r["category"]),
                     "license": r["license"], "language": r["language"] or "", "open_source": bool(r["openSource"]),
                     "stages": sorted(s for s in (r["stages"] or "").split("|") if s),
                     "homepage": safe_url(r["homepage"]), "repository": safe_url(r["repository"]),
                     "solves": [v["label"] for v in out["solves"]], "implements": [v["label"] for v in out["implements"]],
                     "alternatives": out["alternativeTo"]})
    return rows


def compare_tools(kg, refs, rows: list[dict] | None = None) -> list[dict]:
    """The catalog rows of ``refs`` in the given order (unknown references are skipped)."""
    by_id = {r["id"]: r for r in (rows if rows is not None else find_tool_rows(kg))}
    return [by_id[r] for r in refs if r in by_id]
