"""The logic of the Find tools page: candidate problems, ranked tools with filters, comparison."""
from __future__ import annotations

from dash import dcc, html

from mlsd.graph.find import find_matches, find_tools_for
from mlsd.graph.views import compare_tools

from .ui import evidence_chain, explore_href, external_link, kind_badge, location_text, node_link, notice

__all__ = ["find_candidates", "rank_tools", "filter_tools", "facet_options", "render_candidates",
           "render_tool_option", "render_read", "render_comparison", "pick_for_comparison", "preselect",
           "COMPARE_MAX", "SHOWN_MAX"]

COMPARE_MAX = 4
#: Ranked tools listed at most (filters narrow the rest down).
SHOWN_MAX = 30


def find_candidates(kg, text: str) -> list[dict]:
    """Problems and techniques ``text`` may mean, best first."""
    text = (text or "").strip()
    if not text:
        return []
    return find_matches(kg, text, kinds=("problem", "technique"), limit=6, spread=0.5)


def preselect(matches: list[dict], spread: float = 0.75) -> list[str]:
    """The candidates ticked at first: the best one and those scoring within ``spread`` of it.

    Examples
    --------
    >>> preselect([{"id": "a", "score": 1.0}, {"id": "b", "score": 0.8}, {"id": "c", "score": 0.5}])
    ['a', 'b']
    """
    if not matches:
        return []
    top = max(m["score"] for m in matches)
    return [m["id"] for m in matches if m["score"] >= top * spread]


def rank_tools(kg, chosen: list[str]) -> list[dict]:
    """Tools for the chosen problems or techniques (references), ranked, with evidence chains."""
    matches = [{"id": ref, "label": kg.nodes[ref]["label"], "type": kg.nodes[ref]["kind"], "score": 1.0}
               for ref in chosen or [] if ref in kg.nodes]
    return find_tools_for(kg, matches)


def filter_tools(ranked: list[dict], catalog: dict, *, open_only=False, licenses=(), languages=(), stages=()) -> list[dict]:
    """The ranked tools whose catalog facts pass the filters (each row gains its ``facts``)."""
    out = []
    for t in ranked:
        facts = catalog.get(t["id"])
        if facts is None:
            continue
        if open_only and not facts["open_source"]:
            continue
        if licenses and facts["license"] not in licenses:
            continue
        if languages and facts["language"] not in languages:
            continue
        if stages and not set(stages) & set(facts["stages"]):
            continue
        out.append({**t, "facts": facts})
    return out


def facet_options(rows: list[dict]) -> dict:
    """Dropdown options for licence, language and stage from catalog rows."""
    def opts(values):
        return [{"label": v, "value": v} for v in sorted({v for v in values if v}, key=str.lower)]
    return {"license": opts(r["license"] for r in rows), "language": opts(r["language"] for r in rows),
            "stage": opts(s for r in rows for s in r["stages"])}


def render_candidates(matches: list[dict]) -> list[dict]:
    """Checklist options for candidate problems (labels are components, shown as text)."""
    return [{"label": html.Span([kind_badge(m["type"]), html.Span(m["label"], className="cand-label"),
                                 html.Span(f"  match {m['score']:.2f} ({m['matched']})", className="muted small")]),
             "value": m["id"]} for m in matches]


def render_tool_option(rank: int, t: dict) -> dict:
    """One ranked tool as a checklist option: ticking it adds it to the comparison."""
    f = t["facts"]
    source = "open source" if f["open_source"] else ("" if f["license"] == "proprietary" else "not open source")
    meta = " · ".join(x for x in [f["category"], f["license"], f["language"], source] if x)
    label = html.Div([
        html.Div([html.Span(f"{rank}.", className="rank"), html.Span(t["label"], className="name"),
                  html.Span(meta, className="meta"),
                  node_link("in Explore", t["id"], title=f"Open {t['label']} in Explore"), external_link("homepage", f["homepage"])],
                 className="tool-card-head"),
        html.Ul([html.Li(evidence_chain(ev)) for ev in t["evidence"][:3]], className="evidence-list"),
    ], className="tool-card")
    return {"label": label, "value": t["id"]}


def render_read(kg, chosen: list[str]) -> list:
    """Where the book treats the chosen problems: chapter, section, page."""
    rows = []
    for ref in chosen or []:
        for r in kg.run("where_discussed", concept=ref):
            loc = {"chapter": r["chapterNumber"], "section": r["title"], "section_number": r["number"], "page": r["page"]}
            rows.append((loc["page"] or 0, kg.label(ref), loc))
    if not rows:
        return [html.P("The book does not discuss these in a section linked here.", className="muted")]
    rows.sort(key=lambda r: (r[0], r[1]))
    seen, items = set(), []
    for _, label, loc in rows:
        key = (label, loc["section_number"])
        if key in seen:
            continue
        seen.add(key)
        place = f"section/{loc['section_number']}" if "." in str(loc["section_number"]) else f"chapter/{loc['chapter']}"
        items.append(html.Li([html.Span(f"{label}: ", className="muted"),
                              dcc.Link(location_text(loc), href=explore_href(place), className="node-link")]))
    return [html.Ul(items, className="read-list", id="find-read-list")]


def pick_for_comparison(refs) -> list[str]:
    """The tools to compare: the last ``COMPARE_MAX`` picked, without repeats, in order.

    Examples
    --------
    >>> pick_for_comparison(["tool/a", "tool/b", "tool/a", "tool/c", "tool/d", "tool/e"])
    ['tool/a', 'tool/c', 'tool/d', 'tool/e']
    """
    seen: list[str] = []
    for r in refs or []:
        if r in seen:
            seen.remove(r)
        seen.append(r)
    return seen[-COMPARE_MAX:]


def render_comparison(kg, refs: list[str], rows: list[dict]) -> list:
    """A side-by-side table of 2–4 tools."""
    refs = list(refs or [])[:COMPARE_MAX]
    tools = compare_tools(kg, refs, rows)
    if len(tools) < 2:
        return [notice("Tick 2 to 4 tools in the list (or pick them above) to compare them side by side.")]

    def cell(value):
        if isinstance(value, list):
            return html.Ul([html.Li(v["label"] if isinstance(v, dict) else str(v)) for v in value]) if value else "—"
        return str(value) if value not in (None, "") else "—"

    fields = [("Category", lambda t: t["category"]), ("Licence", lambda t: t["license"]),
              ("Open source", lambda t: "yes" if t["open_source"] else "no"), ("Language", lambda t: t["language"]),
              ("Lifecycle stages", lambda t: t["stages"]), ("Problems solved", lambda t: t["solves"]),
              ("Techniques", lambda t: t["implements"]), ("Alternatives", lambda t: t["alternatives"])]
    head = html.Thead(html.Tr([html.Th("")] + [html.Th(node_link(t["label"], t["id"])) for t in tools]))
    body = [html.Tr([html.Th(name)] + [html.Td(cell(get(t))) for t in tools]) for name, get in fields]
    body.append(html.Tr([html.Th("Links")] + [html.Td([external_link("homepage", t["homepage"]), html.Br(),
                                                        external_link("repository", t["repository"]) if t["repository"] else "—"])
                                              for t in tools]))
    return [html.Table([head, html.Tbody(body)], className="compare-table", id="find-compare-table")]
