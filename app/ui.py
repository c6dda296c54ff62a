"""Small building blocks shared by the pages: links into Explore, badges, the legend, notices.

Every label and description from the data reaches the page as a text child of a Dash component,
so the browser shows it literally (no HTML is ever built from data).
"""
from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from mlsd.graph.export import STYLE

__all__ = ["component_text", "explore_href", "node_link", "kind_badge", "legend", "notice", "location_text", "external_link",
           "CY_SHAPES", "kind_style", "evidence_chain", "evidence_text", "TABLE_CELL", "TABLE_HEADER"]

#: DataTable styles matching the theme (the table brings its own monospace font and colours).
TABLE_CELL = {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif",
              "fontSize": "13px", "textAlign": "left", "whiteSpace": "normal"}
TABLE_HEADER = {"fontWeight": 600, "backgroundColor": "#f1f4f7", "fontFamily": TABLE_CELL["fontFamily"]}

#: vis-network shapes (mlsd.graph.export.STYLE) → Cytoscape shapes.
CY_SHAPES = {"dot": "ellipse", "square": "rectangle", "box": "round-rectangle", "triangleDown": "vee",
             "diamond": "diamond", "triangle": "triangle", "hexagon": "hexagon", "star": "star", "ellipse": "ellipse"}

#: CSS clip paths drawing the same shapes in the legend.
_CLIP = {"ellipse": "circle(50%)", "rectangle": "none", "round-rectangle": "none",
         "vee": "polygon(0 0, 50% 40%, 100% 0, 50% 100%)", "diamond": "polygon(50% 0, 100% 50%, 50% 100%, 0 50%)",
         "triangle": "polygon(50% 0, 100% 100%, 0 100%)",
         "hexagon": "polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)",
         "star": "polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%)"}

KIND_NAMES = {"problem": "Problem", "technique": "Technique", "concept": "Concept", "tool": "Tool",
              "category": "Tool category", "chapter": "Chapter", "section": "Section", "stage": "Lifecycle stage",
              "role": "Role", "resource": "Reading", "decision": "Design decision", "book": "Book"}


def kind_style(kind: str) -> tuple[str, str]:
    """(colour, Cytoscape shape) of a node kind."""
    colour, shape = STYLE.get(kind, ("#999999", "dot"))
    return colour, CY_SHAPES.get(shape, "ellipse")


def explore_href(ref: str, **params) -> str:
    """The Explore URL focused on ``ref`` (extra query parameters kept as given)."""
    query = {"focus": ref, **{k: v for k, v in params.items() if v}}
    return "/?" + urlencode(query)


def node_link(label: str, ref: str, *, className: str = "node-link", title: str | None = None, **params):
    """A link that opens ``ref`` in Explore, showing ``label`` as text."""
    return dcc.Link(str(label), href=explore_href(ref, **params), className=className,
                    title=title or f"Open {label} in Explore")


def kind_badge(kind: str):
    colour, _ = kind_style(kind)
    return html.Span(KIND_NAMES.get(kind, kind or "node"), className="badge", style={"backgroundColor": colour})


def legend(kinds=None):
    """Colour and shape of each node kind, as drawn on the canvas."""
    items = []
    for kind in kinds or [k for k in STYLE if k != "book"]:
        colour, shape = kind_style(kind)
        radius = "3px" if shape == "round-rectangle" else "0"
        items.append(html.Li([html.Span(className="swatch", style={"backgroundColor": colour, "clipPath": _CLIP.get(shape, "none"),
                                                                   "borderRadius": radius}),
                              KIND_NAMES.get(kind, kind)]))
    return html.Ul(items, className="legend")


def notice(text: str, *, kind: str = "info", action=None):
    """An empty-state or error message that says what to do next."""
    return html.Div([html.P(text), action] if action is not None else [html.P(text)], className=f"notice notice-{kind}",
                    role="alert" if kind == "error" else "status")


def location_text(loc: dict) -> str:
    """``Chapter 8 · 8.1.2 ML-Specific Failures · p. 226``."""
    parts = []
    if loc.get("chapter"):
        parts.append(f"Chapter {loc['chapter']}")
    sec = f"{loc.get('section_number') or ''} {loc.get('section') or ''}".strip()
    if sec:
        parts.append(sec)
    if loc.get("page"):
        parts.append(f"p. {loc['page']}")
    return " · ".join(parts)


def external_link(text: str, url: str | None):
    """A link that leaves the app in a new tab without giving it a handle on this one (http(s) only)."""
    from mlsd.graph.views import safe_url
    url = safe_url(url)
    if not url:
        return html.Span(str(text))
    return html.A(str(text), href=url, target="_blank", rel="noopener noreferrer nofollow", className="external")


def evidence_chain(chain: list[str]):
    """``Feast —implements→ Feature store —solves→ Training-serving skew`` as text spans."""
    parts = [html.Span(str(chain[0]), className="ev-node")]
    for i in range(1, len(chain) - 1, 2):
        parts.append(html.Span(f" {chain[i]} → ", className="ev-pred"))
        parts.append(html.Span(str(chain[i + 1]), className="ev-node"))
    return html.Span(parts, className="evidence")


def evidence_text(chain: list[str]) -> str:
    """The chain as one line of text: where a panel lists many, one text node each instead of a
    component per part (Dash's work in the browser grows with the number of components).

    Examples
    --------
    >>> evidence_text(["Feast", "implements", "Feature store", "solves", "Training-serving skew"])
    'Feast —implements→ Feature store —solves→ Training-serving skew'
    """
    out = str(chain[0])
    for i in range(1, len(chain) - 1, 2):
        out += f" —{chain[i]}→ {chain[i + 1]}"
    return out


def component_text(component) -> str:
    """All the text a component tree shows, space-joined (what a screen reader would read).

    Examples
    --------
    >>> component_text(html.Div([html.H3("Title"), "plain", html.Span(["a", 1])]))
    'Title plain a 1'
    """
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(component_text(c) for c in component)
    return component_text(getattr(component, "children", None))
