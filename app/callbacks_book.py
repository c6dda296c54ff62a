"""The logic of the Book page: the table of contents as a tree, and the lifecycle chart."""
from __future__ import annotations

from dash import html

from .ui import KIND_NAMES, node_link

__all__ = ["render_toc", "stage_rows", "stage_figure"]

_TOOLS_SHOWN = 6


def _items(items: list[dict]):
    if not items:
        return None
    lis = []
    for it in items:
        parts = [html.Span(f"{KIND_NAMES.get(it['kind'], it['kind'])}: ", className="muted small"),
                 node_link(it["label"], it["id"])]
        if it["tools"]:
            shown = it["tools"][:_TOOLS_SHOWN]
            extra = len(it["tools"]) - len(shown)
            tools = [x for t in shown for x in (node_link(t["label"], t["id"]), ", ")][:-1]
            parts.append(html.Span([" — tools: ", *tools, f" and {extra} more" if extra > 0 else ""], className="tools-of"))
        lis.append(html.Li(parts))
    return html.Ul(lis, className="items")


def render_toc(outline: list[dict], *, open_chapter: int | None = None) -> list:
    """Chapters and sections as nested collapsible lists; each place lists what it discusses."""
    out = []
    for ch in outline:
        sections = []
        for sec in ch["sections"]:
            n = len(sec["items"])
            summary = html.Summary([f"{sec['number']} {sec['title']} ", html.Span(f"p. {sec['page']}", className="page"),
                                    html.Span(f" · {n} topic{'s' if n != 1 else ''}" if n else "", className="page")])
            sections.append(html.Details([summary, _items(sec["items"])], className="section",
                                         style={"marginLeft": f"{max(sec['depth'] - 1, 0)}rem"}))
        count = len(ch["items"]) + sum(len(s["items"]) for s in ch["sections"])
        out.append(html.Details([
            html.Summary([f"Chapter {ch['number']}. {ch['title']} ", html.Span(f"p. {ch['page']} · {count} topics",
                                                                              className="page")]),
            _items(ch["items"]), *sections,
        ], className="chapter", open=ch["number"] == open_chapter, id=f"book-chapter-{ch['number']}"))
    return out


def stage_rows(kg) -> list[dict]:
    """Lifecycle stages in order with counts (the ``stage_overview`` named query)."""
    return [{"label": r["label"], "order": r["order"], "problems": r["problems"], "techniques": r["techniques"],
             "tools": r["tools"]} for r in kg.run("stage_overview")]


def stage_figure(rows: list[dict]) -> dict:
    """A grouped bar chart of problems, techniques and tools per stage (a plain plotly figure dict)."""
    labels = [f"{r['order']}. {r['label']}" for r in rows]
    colours = {"problems": "#d1495b", "techniques": "#2e86ab", "tools": "#3c9d5d"}
    data = [{"type": "bar", "name": name.capitalize(), "x": labels, "y": [r[name] for r in rows],
             "marker": {"color": colours[name]}, "hovertemplate": "%{x}<br>%{y} " + name + "<extra></extra>"}
            for name in ("problems", "techniques", "tools")]
    layout = {"barmode": "group", "margin": {"l": 60, "r": 10, "t": 10, "b": 140}, "height": 420,
              "legend": {"orientation": "h", "y": 1.08}, "font": {"family": "system-ui, sans-serif", "size": 12},
              "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "xaxis": {"tickangle": -35},
              "yaxis": {"title": {"text": "count"}, "gridcolor": "#eef1f4"}}
    return {"data": data, "layout": layout}
