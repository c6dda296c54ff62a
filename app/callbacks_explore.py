"""The logic of the Explore page as plain functions: view state, URL round trip, canvas elements
and styles. ``explore_panels.py`` has the details panel and suggestions; ``pages/explore.py``
wires both to Dash callbacks, ``explore_api.py`` to the JSON route.

The view state is a small JSON-able dict kept in the browser (``dcc.Store`` and the URL)::

    {"focus": "problem/training-serving-skew", "expanded": [["tool/feast", 1]], "kinds": [],
     "relations": [], "stages": [], "layout": "cose", "path": ["tool/feast", "chapter/3"], "per": 20,
     "selected": "tool/feast", "history": [...], "last_tap": ["tool/feast", 1712.5]}
"""
from __future__ import annotations

from urllib.parse import urlencode

from mlsd.graph.views import EXPANSION_CAP, EXPANSION_CAPS, build_view

from .ui import kind_style

__all__ = ["LAYOUTS", "DEFAULT_FOCUS", "parse_state", "to_query", "reduce_state", "to_elements", "to_canvas",
           "stylesheet", "cy_layout", "search_hits", "view_of", "DOUBLE_TAP_MS", "RELATION_NAMES"]

LAYOUTS = {"cose": "Force-directed (cose)", "concentric": "Concentric", "breadthfirst": "Tree (breadth-first)",
           "circle": "Circle", "grid": "Grid"}
DEFAULT_FOCUS = ("problem/data-distribution-shift", "problem/training-serving-skew")
DOUBLE_TAP_MS = 450
HISTORY_MAX = 30
RELATION_NAMES = {"solves": "solves", "implements": "implements", "alternativeTo": "alternative to",
                  "related": "related", "broader": "broader", "causes": "causes", "discussedIn": "discussed in",
                  "stage": "lifecycle stage", "category": "category", "isPartOf": "part of", "inChapter": "in chapter",
                  "forChapter": "reading for chapter", "concernOf": "concern of", "about": "about",
                  "option": "option", "prerequisite": "prerequisite", "stageChapter": "stage chapter"}
_FIELDS = ("focus", "expanded", "kinds", "relations", "stages", "layout", "path", "per", "selected")


def _list(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        value = ",".join(value)
    return [v for v in (s.strip() for s in str(value).split(",")) if v]


def default_focus(kg) -> str:
    for ref in DEFAULT_FOCUS:
        if ref in kg.nodes:
            return ref
    problems = sorted(r for r, n in kg.nodes.items() if n["kind"] == "problem")
    return problems[0] if problems else next(iter(sorted(kg.nodes)), "")


def parse_state(kg, query: dict) -> dict:
    """The view state a URL query (``focus``, ``expand``, ``kinds``, ``rels``, ``stages``, ``layout``,
    ``path``, ``per``, ``selected``) describes; unknown nodes are dropped, a missing focus gets a
    default, a page size (``per``: new nodes per expansion) not offered gets the default."""
    q = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in (query or {}).items()}
    focus = str(q.get("focus") or "")
    if focus not in kg.nodes:
        hits = kg.search_index.search(focus, limit=1) if focus else []
        focus = hits[0]["id"] if hits and hits[0]["score"] >= 0.3 else default_focus(kg)
    expanded = []
    for item in _list(q.get("expand")):
        ref, _, pages = item.partition("~")
        pages = int(pages) if pages.isdigit() and 0 < int(pages) < 50 else 1
        if ref in kg.nodes and (ref != focus or pages > 1):  # the focus is listed only for its further pages
            expanded.append([ref, pages])
    path = [p for p in str(q.get("path") or "").split("|") if p][:2]
    layout = q.get("layout") if q.get("layout") in LAYOUTS else "cose"
    selected = q.get("selected") if q.get("selected") in kg.nodes else focus
    per = str(q.get("per") or "")
    per = int(per) if per.isdigit() and int(per) in EXPANSION_CAPS else EXPANSION_CAP
    return {"focus": focus, "expanded": expanded, "kinds": _list(q.get("kinds")), "relations": _list(q.get("rels")),
            "stages": _list(q.get("stages")), "layout": layout, "path": path if len(path) == 2 else [], "per": per,
            "selected": selected, "history": [], "last_tap": None}


def to_query(state: dict) -> str:
    """The query string (with ``?``) that reproduces ``state``."""
    q = {"focus": state["focus"]}
    if state.get("expanded"):
        q["expand"] = ",".join(r if p == 1 else f"{r}~{p}" for r, p in state["expanded"])
    for key, name in (("kinds", "kinds"), ("relations", "rels"), ("stages", "stages")):
        if state.get(key):
            q[name] = ",".join(state[key])
    if state.get("layout", "cose") != "cose":
        q["layout"] = state["layout"]
    if state.get("path"):
        q["path"] = "|".join(state["path"])
    if state.get("per", EXPANSION_CAP) != EXPANSION_CAP:
        q["per"] = state["per"]
    if state.get("selected") and state["selected"] != state["focus"]:
        q["selected"] = state["selected"]
    return "?" + urlencode(q, safe="/,|~")


def _snapshot(state: dict) -> dict:
    return {k: state.get(k) for k in _FIELDS}


def _push(state: dict) -> dict:
    new = dict(state)
    new["history"] = [*state.get("history", [])[-(HISTORY_MAX - 1):], _snapshot(state)]
    return new


def reduce_state(state: dict, event: str, payload=None) -> dict:
    """The state after ``event``; never changes ``state`` itself.

    Events: ``focus`` (ref), ``select`` (ref), ``tap`` ({"id", "ts", "double"}: select, or expand on a
    double tap (``double``, or two taps within ``DOUBLE_TAP_MS`` when it is missing), or show more on a "+N more" node), ``expand`` (ref or the selection),
    ``more`` (ref), ``collapse`` (ref or the selection), ``undo``, ``filters``
    ({"kinds", "relations", "stages"}), ``layout`` (name), ``per`` (new nodes per expansion, one of
    :data:`~mlsd.graph.views.EXPANSION_CAPS`), ``path`` ([a, b]), ``path_clear``,
    ``goto`` (a state from :func:`parse_state`: the view the browser already shows; undo returns
    from it unless only the selection changed).
    """
    s = dict(state)
    s["redraw"] = event not in ("tap", "select")
    s["relayout"] = event not in ("expand", "more", "collapse")  # these keep the drawn nodes in place
    if event == "tap":
        ref, ts = payload.get("id"), payload.get("ts") or 0
        if ref and ref.startswith("more::"):
            return reduce_state(s, "more", ref[len("more::"):])
        last = s.get("last_tap")
        double = payload.get("double")
        if double is None:  # decide from the previous tap
            double = bool(last and last[0] == ref and 0 <= ts - last[1] <= DOUBLE_TAP_MS)
        s["last_tap"] = None if double else [ref, ts]
        if double:
            return {**reduce_state(s, "expand", ref), "last_tap": None}
        s["selected"] = ref
        return s
    if event == "select":
        s["selected"] = payload
        return s
    if event == "goto":
        target = {k: payload.get(k) for k in _FIELDS}
        if {k: s.get(k) for k in _FIELDS if k != "selected"} != {k: v for k, v in target.items() if k != "selected"}:
            s = _push(s)
        else:
            s["redraw"] = False
        s.update(target, last_tap=None)
        return s
    if event == "undo":
        hist = list(s.get("history", []))
        if not hist:
            return state
        prev = hist.pop()
        return {**s, **prev, "history": hist, "last_tap": None}
    if event == "focus":
        if not payload or payload == s["focus"]:
            return {**s, "selected": payload or s["selected"]}
        s = _push(s)
        s.update(focus=payload, expanded=[], selected=payload, path=[])
        return s
    if event in ("expand", "more"):
        ref = payload or s.get("selected")
        if not ref:
            return s
        s = _push(s)
        expanded = [list(e) for e in s.get("expanded", [])]
        for e in expanded:
            if e[0] == ref:
                if event == "more":
                    e[1] += 1
                break
        else:
            if ref != s["focus"] or event == "more":
                expanded.append([ref, 2 if (event == "more" and ref == s["focus"]) else 1])
        s["expanded"] = expanded
        s["selected"] = ref
        return s
    if event == "collapse":
        ref = payload or s.get("selected")
        if not any(e[0] == ref for e in s.get("expanded", [])):
            return s
        s = _push(s)
        s["expanded"] = [e for e in s["expanded"] if e[0] != ref]
        return s
    if event == "filters":
        s = _push(s)
        for key in ("kinds", "relations", "stages"):
            s[key] = list(payload.get(key) or [])
        return s
    if event == "layout":
        s["layout"] = payload if payload in LAYOUTS else "cose"
        return s
    if event == "per":
        if payload not in EXPANSION_CAPS or payload == s.get("per", EXPANSION_CAP):
            return s
        s = _push(s)
        s["per"] = payload
        return s
    if event == "path":
        a, b = (payload or [None, None])[:2]
        if not a or not b:
            return s
        s = _push(s)
        s["path"] = [a, b]
        return s
    if event == "path_clear":
        if not s.get("path"):
            return s
        s = _push(s)
        s["path"] = []
        return s
    raise ValueError(f"unknown explore event `{event}`")


def view_of(kg, state: dict) -> dict:
    """The subgraph ``state`` shows (see :func:`mlsd.graph.views.build_view`)."""
    return build_view(kg, state["focus"], [tuple(e) for e in state.get("expanded", [])], kinds=state.get("kinds"),
                      relations=state.get("relations"), stages=state.get("stages"),
                      path=tuple(state["path"]) if state.get("path") else None, cap=state.get("per", EXPANSION_CAP))


def to_elements(view: dict) -> list[dict]:
    """Cytoscape elements for a view: nodes with kind classes, edges, and "+N more" nodes."""
    out = []
    expanded = {n["id"] for n in view["nodes"] if n["role"] in ("focus", "expanded")}
    for n in view["nodes"]:
        classes = [n["kind"] or "node", n["role"]]
        if n.get("on_path"):
            classes.append("on-path")
        if n["id"] in expanded:
            classes.append("is-expanded")
        out.append({"data": {"id": n["id"], "label": n["label"], "kind": n["kind"]}, "classes": " ".join(classes)})
    for ref, count in view["more"].items():
        out.append({"data": {"id": f"more::{ref}", "label": f"+{count} more", "kind": "more"}, "classes": "more"})
        out.append({"data": {"id": f"e-more::{ref}", "source": ref, "target": f"more::{ref}", "label": ""},
                    "classes": "more-edge"})
    for e in view["edges"]:
        # a stable id per edge, so Cytoscape never sees an existing edge change its ends
        out.append({"data": {"id": f"{e['source']}|{e['predicate']}|{e['target']}", "source": e["source"], "target": e["target"],
                             "label": RELATION_NAMES.get(e["predicate"], e["predicate"])},
                    "classes": e["predicate"] + (" on-path" if e["on_path"] else "")})
    return out


def to_canvas(state: dict, view: dict) -> dict:
    """What the canvas receives after an interaction: ``elements``, ``layout``, ``anchor``, ``query``.

    An expansion (``expand``, ``more``, ``collapse``) keeps every node already drawn where it is
    (the "preset" layout) and the browser places the new ones beside the expanded node, the
    ``anchor``; any other change (new focus, filters, layout, path, undo) runs the chosen layout.
    ``query`` is the view's URL query (without ``?``): the browser sends it back to
    :func:`mlsd.app.explore_api.view_after` for the next click.

    Examples
    --------
    >>> state = {"focus": "a", "selected": "b", "layout": "concentric", "relayout": False}
    >>> view = {"nodes": [], "edges": [], "more": {}}
    >>> to_canvas(state, view)["layout"]["name"], to_canvas(state, view)["anchor"]
    ('preset', 'b')
    >>> to_canvas({**state, "relayout": True}, view)["layout"]["name"]
    'concentric'
    """
    if state.get("relayout", True):
        layout, anchor = cy_layout(state.get("layout", "cose"), state.get("focus")), state.get("focus")
    else:
        layout, anchor = {"name": "preset", "fit": True, "padding": 24, "animate": False}, state.get("selected")
    return {"elements": to_elements(view), "layout": layout, "anchor": anchor, "query": to_query(state)[1:]}


def stylesheet() -> list[dict]:
    """Cytoscape styles: one colour and shape per node kind (as in the HTML export and legend)."""
    from mlsd.graph.export import STYLE
    rules = [
        {"selector": "node", "style": {"label": "data(label)", "font-size": 10, "text-wrap": "ellipsis",
                                       "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 3,
                                       "color": "#243040", "width": 22, "height": 22, "border-width": 1,
                                       "border-color": "#ffffff", "text-background-color": "#ffffff",
                                       "text-background-opacity": 0.7, "text-background-padding": 1,
                                       # labels smaller than 6 px on screen are not drawn (zoom in to read
                                       # them): unreadable anyway, and a third of the cost of a first frame
                                       "min-zoomed-font-size": 6}},
        # haystack edges (direction shown by a mid-line arrow) cost a third of bezier ones to lay out
        # and draw: measured 49 vs 173 ms to add 80 elements to a 390-element view in headless Chromium
        {"selector": "edge", "style": {"width": 1.2, "line-color": "#b8c2cc", "mid-target-arrow-color": "#8a96a3",
                                       "mid-target-arrow-shape": "triangle", "curve-style": "haystack",
                                       "haystack-radius": 0, "arrow-scale": 0.8, "label": "", "font-size": 8,
                                       "color": "#6b7785"}},
        {"selector": "edge:selected, edge.on-path", "style": {"label": "data(label)"}},
    ]
    for kind in STYLE:
        colour, shape = kind_style(kind)
        rules.append({"selector": f"node.{kind}", "style": {"background-color": colour, "shape": shape}})
    rules += [
        {"selector": "node.focus", "style": {"width": 40, "height": 40, "font-size": 13, "font-weight": "bold",
                                             "border-width": 3, "border-color": "#1d2935"}},
        {"selector": "node.is-expanded", "style": {"border-width": 3, "border-color": "#1d2935", "border-style": "double"}},
        {"selector": "node:selected", "style": {"overlay-color": "#2e86ab", "overlay-opacity": 0.18, "overlay-padding": 6}},
        {"selector": "node.more", "style": {"shape": "round-rectangle", "background-color": "#eef1f4", "width": 58,
                                            "height": 20, "label": "data(label)", "text-valign": "center",
                                            "text-margin-y": 0, "border-color": "#8a96a3", "border-style": "dashed",
                                            "color": "#3a4654", "font-size": 10, "text-background-opacity": 0}},
        {"selector": "edge.more-edge", "style": {"line-style": "dashed", "mid-target-arrow-shape": "none"}},
        {"selector": "node.on-path", "style": {"border-width": 4, "border-color": "#f4a300"}},
        {"selector": "edge.on-path", "style": {"width": 4, "line-color": "#f4a300", "mid-target-arrow-color": "#f4a300",
                                               "z-index": 10, "color": "#8a5a00", "font-size": 10}},
    ]
    return rules


def cy_layout(name: str, focus: str | None = None) -> dict:
    """Cytoscape layout options for ``name`` (fast settings; animation off)."""
    base = {"name": name if name in LAYOUTS else "cose", "animate": False, "fit": True, "padding": 24}
    if base["name"] == "cose":
        base.update(nodeRepulsion=400000, idealEdgeLength=90, edgeElasticity=100, nodeOverlap=20, gravity=40,
                    numIter=250, randomize=False, componentSpacing=80, nestingFactor=1.2)
    elif base["name"] == "breadthfirst":
        base.update(directed=False, spacingFactor=1.1, roots=[focus] if focus else None)
    elif base["name"] == "concentric":
        base.update(minNodeSpacing=14)
    return {k: v for k, v in base.items() if v is not None}


def search_hits(kg, text: str, limit: int = 8) -> list[dict]:
    """Suggestions for the search box: labels and synonyms, tolerant of typos."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    return [h for h in kg.search_index.search(text, limit=limit) if h["score"] >= 0.2]
