"""The panels of the Explore page as data: the details of the selected node, the search box's
suggestions and the status line under the canvas. ``app/assets/explore.js`` draws the first two
as text (a panel of Dash components costs the browser 30-50 ms more per update).
"""
from __future__ import annotations

from urllib.parse import urlencode

from dash import html

from mlsd.graph.errors import MlsdError
from mlsd.graph.views import describe_card

from .callbacks_explore import RELATION_NAMES, search_hits
from .ui import KIND_NAMES, evidence_text, explore_href, kind_style, location_text

__all__ = ["hit_list", "details_data", "render_status"]


def hit_list(kg, text: str) -> dict:
    """The search box's suggestions as data for the browser (``app/assets/explore.js`` draws them
    as text): ``{"text", "hits": [{"id", "label", "kind", "colour", "matched"}]}``.

    Examples
    --------
    >>> hit_list(None, " a ")
    {'text': 'a', 'hits': []}
    """
    text = (text or "").strip()
    hits = search_hits(kg, text) if len(text) >= 2 else []
    return {"text": text, "hits": [{"id": h["id"], "label": h["label"], "kind": KIND_NAMES.get(h["type"], h["type"] or "node"),
                                    "colour": kind_style(h["type"])[0], "matched": h["matched"]} for h in hits]}


def _go(label: str, ref: str, state: dict) -> dict:
    """A link in the details panel: opens ``ref`` as the new focus (keeping filters and layout)."""
    params = {"kinds": ",".join(state.get("kinds") or []), "rels": ",".join(state.get("relations") or []),
              "stages": ",".join(state.get("stages") or []),
              "layout": state.get("layout") if state.get("layout") != "cose" else None}
    return {"text": str(label), "href": explore_href(ref, **params)}


def details_data(kg, state: dict, view: dict | None = None) -> dict:
    """The details panel of the selected node as data: texts and links that ``app/assets/explore.js``
    draws as text.

    Keys: ``notice`` ({"text", "kind"}) when there is nothing to show; otherwise ``kind``, ``colour``,
    ``title``, ``synonyms``, ``definition``, ``actions``, ``more_note``, ``links`` (external, http(s)
    only), ``facts`` ([name, value] pairs), ``locations`` and ``no_locations``, ``symptoms``,
    ``tradeoffs``, ``tools`` ({"title", "items": [{"text", "href", "why"}], "all"}), ``techniques``
    and ``groups`` ([{"title", "open", "items": [{"text", "href", "kind"}], "rest"}]). A link is
    {"text", "href"}; every href is an app path or a checked http(s) URL.
    """
    from mlsd.graph.views import safe_url
    ref = state.get("selected") or state.get("focus")
    if not ref or ref not in kg.nodes:
        return {"notice": {"kind": "info", "text": "Click a node on the canvas to see what it is, where the book "
                                                   "discusses it and which tools deal with it."}}
    try:
        card = describe_card(kg, ref)
    except MlsdError as exc:
        return {"notice": {"kind": "error", "text": str(exc)}}
    find = {"text": "Find tools →", "href": f"/find?{urlencode({'q': card['label']})}"}
    out = {"kind": KIND_NAMES.get(card["kind"], card["kind"] or "node"), "colour": kind_style(card["kind"])[0],
           "title": str(card["label"]), "synonyms": ", ".join(card["synonyms"]), "definition": card["definition"] or "",
           "actions": ([_go("Focus here", ref, state)] if ref != state.get("focus") else [])
           + ([find] if card["kind"] in ("problem", "technique") else [])}
    hidden = (view or {}).get("more", {}).get(ref)
    out["more_note"] = (f"{hidden} more neighbours are not shown: use “Show more” above the canvas or click the "
                        f"“+{hidden} more” node.") if hidden else ""
    names = {"homepage": "Homepage", "repository": "Source repository", "url": "Read online"}
    out["links"] = [{"text": names[k], "href": url} for k, v in card["links"].items() if (url := safe_url(v))]
    out["facts"] = [[str(k), str(v)] for k, v in card["facts"].items()]
    out["locations"] = [_go(location_text(loc), place, state) if (place := _place_ref(loc)) else
                        {"text": location_text(loc), "href": ""} for loc in card["locations"]]
    out["no_locations"] = ("The book does not discuss it in a section linked here."
                           if not card["locations"] and card["kind"] in ("problem", "technique", "concept", "decision")
                           else "")
    out["symptoms"], out["tradeoffs"] = list(card["symptoms"]), list(card["tradeoffs"])
    tools = card["tools"]
    out["tools"] = {"title": f"Tools that deal with it ({len(tools)})" if tools else "",
                    "items": [{**_go(t["label"], t["id"], state), "why": evidence_text(t["evidence"])} for t in tools[:12]],
                    "all": {"text": f"All {len(tools)} tools, ranked, on Find tools →", "href": find["href"]}
                    if len(tools) > 12 else None}
    out["techniques"] = [_go(t["label"], t["id"], state) for t in card["techniques"]]
    out["groups"] = [{"title": f"{RELATION_NAMES.get(name, name).capitalize()} ({len(items)})",
                      "open": name in ("solves", "implements", "related", "causes", "caused by", "category"),
                      "items": [{**_go(i["label"], i["id"], state),
                                 "kind": KIND_NAMES.get(kg.nodes.get(i["id"], {}).get("kind", ""), "")} for i in items[:20]],
                      "rest": f"… and {len(items) - 20} more" if len(items) > 20 else ""}
                     for name, items in card["groups"].items()]
    return out


def _place_ref(loc: dict) -> str | None:
    num = loc.get("section_number")
    if num and "." in str(num):
        return f"section/{num}"
    if loc.get("chapter"):
        return f"chapter/{loc['chapter']}"
    return None


def render_status(kg, state: dict, view: dict) -> list:
    """One line under the canvas: counts, hidden neighbours, path result."""
    parts = [f"{len(view['nodes'])} nodes, {len(view['edges'])} edges shown"]
    hidden = sum(view["more"].values())
    if hidden:
        parts.append(f"{hidden} more neighbours hidden — click a “+N more” node to show them")
    if state.get("kinds") or state.get("relations") or state.get("stages"):
        parts.append("filters on")
    out = [html.Span(" · ".join(parts))]
    if view.get("path"):
        steps = view["path"]
        out.append(html.Div(["Path: ", *[x for s in steps for x in (
            html.Span(s["source_label"], className="ev-node"), html.Span(f" {s['predicate']} ", className="ev-pred"),
            html.Span(s["target_label"], className="ev-node"), html.Span("  ·  "))][:-1]], className="path-line",
            id="explore-path-result"))
    elif view.get("path_error"):
        out.append(html.Div(f"No path drawn: {view['path_error']}. Check both names.", className="path-line error",
                            id="explore-path-result"))
    return out
