"""Answer the questions users come with: which tools deal with this problem, and where is it explained.

Both start from free text: :func:`find_matches` turns it into candidate concepts through the search
index, then named queries collect tools (with the evidence chain for each) and book locations.
"""
from __future__ import annotations

from .network import resolve_node
from .vocab import to_ref

__all__ = ["find_matches", "find_tools", "find_locations", "find_tools_for"]

#: How much each kind of evidence counts towards a tool's score.
EVIDENCE_WEIGHT = {"solves": 1.0, "implements": 0.9, "technique": 0.8, "narrower": 0.6, "cause": 0.5}

_CONCEPT_KINDS = ("problem", "technique", "concept")


def find_matches(kg, text: str, *, kinds=_CONCEPT_KINDS, limit: int = 5, spread: float = 0.75) -> list[dict]:
    """Candidate concepts for ``text``: the best match and those scoring within ``spread`` of it.

    A ``kind/slug`` reference is taken as it is.
    """
    ref = to_ref(text) or text
    if ref in kg.nodes:  # a reference means exactly that node, or nothing if it is of another kind
        n = kg.nodes[ref]
        return [{"id": ref, "label": n["label"], "type": n["kind"], "score": 1.0, "matched": "id"}] \
            if n["kind"] in kinds else []
    hits = [h for h in kg.search_index.search(text, kinds=kinds, limit=limit * 3) if h["score"] >= 0.2]
    if not hits:
        return []
    top = hits[0]["score"]
    return [{k: h[k] for k in ("id", "label", "type", "score", "matched")}
            for h in hits if h["score"] >= top * spread][:limit]


def _locations(kg, ref: str) -> list[dict]:
    return [{"concept": ref, "chapter": r["chapterNumber"], "chapter_title": r["chapterTitle"],
             "section": r["title"], "section_number": r["number"], "page": r["page"]}
            for r in kg.run("where_discussed", concept=ref)]


def find_tools_for(kg, matches: list[dict]) -> list[dict]:
    """Rank tools for already-chosen ``matches`` (problems or techniques), with evidence chains."""
    tools: dict[str, dict] = {}

    def add(tool: str, label: str, score: float, chain: list[str]) -> None:
        t = tools.setdefault(tool, {"id": to_ref(tool), "label": label, "score": 0.0, "evidence": []})
        if chain not in t["evidence"]:
            t["evidence"].append(chain)
            # the best piece of evidence counts fully, each further one a little
            t["_parts"] = sorted([*t.get("_parts", []), score], reverse=True)
            t["score"] = t["_parts"][0] + 0.1 * sum(t["_parts"][1:])

    for m in matches:
        if m["type"] == "problem":
            for r in kg.run("tools_for_problem", problem=m["id"]):
                w = EVIDENCE_WEIGHT[r["via"]] * m["score"]
                if r["via"] == "solves":
                    chain = [r["toolLabel"], "solves", m["label"]]
                elif r["via"] == "technique":
                    chain = [r["toolLabel"], "implements", r["midLabel"], "solves", m["label"]]
                elif r["via"] == "narrower":
                    chain = [r["toolLabel"], "solves", r["midLabel"], "broader", m["label"]]
                else:
                    chain = [r["toolLabel"], "solves", r["midLabel"], "causes", m["label"]]
                add(r["tool"], r["toolLabel"], w, chain)
        elif m["type"] == "technique":
            for r in kg.run("tools_implementing", technique=m["id"]):
                add(r["tool"], r["label"], EVIDENCE_WEIGHT["implements"] * m["score"],
                    [r["label"], "implements", m["label"]])
    ranked = sorted(tools.values(), key=lambda t: (-t["score"], t["label"].lower()))
    for t in ranked:
        t.pop("_parts", None)
        t["score"] = round(t["score"], 3)
        t["evidence"].sort(key=lambda ev: (len(ev), ev))
    return ranked


def find_tools(kg, text: str, *, limit: int = 20) -> dict:
    """Tools for a problem described in free text.

    Returns
    -------
    dict
        ``query``; ``matches`` (candidate problems or techniques: id, label, type, score);
        ``tools`` (id, label, score, evidence: label chains such as
        ``["Feast", "implements", "Feature store", "solves", "Training-serving skew"]``);
        ``read`` (chapter, section, page where the book treats the matches).
    """
    matches = find_matches(kg, text, kinds=("problem", "technique"))
    read = [{"chapter": loc["chapter"], "section": f"{loc['section_number']} {loc['section']}", "page": loc["page"]}
            for m in matches for loc in _locations(kg, m["id"])]
    unique_read = list({(r["chapter"], r["section"]): r for r in read}.values())
    return {"query": text, "matches": matches, "tools": find_tools_for(kg, matches)[:limit], "read": unique_read}


def find_locations(kg, text: str) -> dict:
    """Where the book discusses what ``text`` names.

    Returns
    -------
    dict
        ``query``, ``matches`` and ``locations`` (concept, chapter, chapter_title, section,
        section_number, page; chapter and page are integers), ordered by page.
    """
    matches = find_matches(kg, text, kinds=("problem", "technique", "concept", "decision"), limit=3)
    locations = [loc for m in matches for loc in _locations(kg, m["id"])]
    locations.sort(key=lambda loc: (loc["page"], loc["concept"]))
    return {"query": text, "matches": matches, "locations": locations}


def describe_node(kg, text: str) -> dict:
    """Everything the graph says about one node, grouped by predicate, with labels."""
    ref = resolve_node(kg, text)
    out = {"id": ref, **{k: kg.nodes[ref][k] for k in ("label", "kind", "synonyms")}, "properties": {}}
    from .network import short_predicate
    for r in kg.run("node_details", node=ref):
        p = short_predicate(r["pred"])
        val = {"id": to_ref(r["value"]), "label": r["valueLabel"]} if to_ref(r["value"] or "") else r["value"]
        out["properties"].setdefault(p, [])
        if val not in out["properties"][p]:
            out["properties"][p].append(val)
    for vals in out["properties"].values():
        vals.sort(key=lambda v: (v["label"] or v["id"]).lower() if isinstance(v, dict) else str(v).lower())
    out["locations"] = _locations(kg, ref)
    return out


__all__.append("describe_node")
