"""The logic of the SPARQL page: example queries, guarded execution, result tables and graphs.

Every query from the editor goes through :func:`mlsd.graph.guard.run_guarded` (refuses SERVICE,
LOAD and remote graphs; runs in a worker process with a timeout and a row cap).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from dash import dash_table, html

from mlsd.graph.errors import MlsdError
from mlsd.graph.results import compact_iri
from mlsd.graph.vocab import PREFIXES, to_ref

__all__ = ["EXAMPLES_DIR", "list_examples", "prefix_header", "run_query", "to_table", "to_cyto", "escape_markdown",
           "term_text", "download_bytes", "render_result"]

EXAMPLES_DIR = Path(__file__).with_name("examples")


@lru_cache(maxsize=1)
def list_examples() -> tuple[dict, ...]:
    """The example queries (``app/examples/*.rq``): name, title (the first comment line) and text."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        out.append({"name": path.stem, "title": title, "text": text})
    return tuple(out)


def prefix_header() -> str:
    """The prefixes every query gets without declaring them."""
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


def run_query(kg, text: str, *, timeout: float = 10.0, max_rows: int = 1000):
    """Run ``text`` through the guard; returns the :class:`GuardedResult` (raises ``QueryError``)."""
    from mlsd.graph.guard import run_guarded
    return run_guarded(kg, text, timeout=timeout, max_rows=max_rows)


_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    r"""Escape every ASCII punctuation character, so data shows literally in a Markdown cell.

    Examples
    --------
    >>> escape_markdown("<img src=x onerror=alert(1)>")
    '\\<img src\\=x onerror\\=alert\\(1\\)\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def term_text(kg, term: dict | None) -> str:
    """A readable text for a SPARQL JSON term: labels for graph nodes, compact IRIs, literal values."""
    if not term:
        return ""
    if term.get("type") == "uri":
        ref = to_ref(term["value"])
        if ref and ref in kg.nodes:
            return kg.nodes[ref]["label"]
        return compact_iri(term["value"])
    if term.get("type") == "bnode":
        return f"_:{term['value']}"
    if term.get("type") == "triple":
        v = term["value"]
        return f"<< {term_text(kg, v['subject'])} {term_text(kg, v['predicate'])} {term_text(kg, v['object'])} >>"
    return str(term.get("value", ""))


def _cell(kg, term: dict | None) -> str:
    text = term_text(kg, term)
    if term and term.get("type") == "uri":
        ref = to_ref(term["value"])
        if ref and ref in kg.nodes:
            return f"[{escape_markdown(text)}](/?focus={quote(ref, safe='/')})"
    return escape_markdown(text)


def to_table(kg, res) -> tuple[list[dict], list[dict]]:
    """DataTable ``columns`` and ``data`` for a SELECT result (graph nodes shown as labels linking to Explore),
    or for the triples of a CONSTRUCT/DESCRIBE result."""
    if res.kind == "select":
        cols = list(res.variables)
        rows = [{c: _cell(kg, r.get(c)) for c in cols} for r in res.rows]
    else:
        cols = ["subject", "predicate", "object"]
        rows = [dict(zip(cols, (_cell(kg, t) for t in triple))) for triple in res.triples]
    columns = [{"name": c, "id": c, "presentation": "markdown"} for c in cols]
    return columns, rows


def to_cyto(kg, res, limit: int = 300) -> list[dict]:
    """Cytoscape elements for CONSTRUCT/DESCRIBE triples: IRI and blank-node objects become nodes."""
    nodes: dict[str, dict] = {}
    edges = []

    def node(term: dict) -> str:
        key = f"{term['type']}:{term['value']}"
        if key not in nodes:
            ref = to_ref(term["value"]) if term["type"] == "uri" else None
            kind = kg.nodes[ref]["kind"] if ref in kg.nodes else "external"
            nodes[key] = {"data": {"id": key, "label": term_text(kg, term), "kind": kind}, "classes": kind}
        return key

    for s, p, o in res.triples:
        if o.get("type") not in ("uri", "bnode"):
            continue
        if len(nodes) >= limit:
            break
        a, b = node(s), node(o)
        edges.append({"data": {"id": f"t{len(edges)}", "source": a, "target": b, "label": term_text(kg, p)}})
    return list(nodes.values()) + edges


def download_bytes(res, fmt: str) -> tuple[bytes, str]:
    """The result as CSV or JSON (SELECT/ASK) or Turtle/N-Triples (graphs): (bytes, file name)."""
    if res.kind == "ask" and fmt != "json":
        return f"boolean\r\n{str(bool(res.boolean)).lower()}\r\n".encode(), "result.csv"
    if res.kind in ("construct", "describe"):
        media, name = ("application/n-triples", "result.nt") if fmt == "json" else ("text/turtle", "result.ttl")
    else:
        media, name = ("application/sparql-results+json", "result.json") if fmt == "json" else ("text/csv", "result.csv")
    return res.serialize(media), name


def _cytoscape():
    import dash_cytoscape as cyto
    return cyto.Cytoscape


def render_result(kg, text: str, timeout: float = 10.0, max_rows: int = 1000) -> list:
    """The result area for ``text`` (a table, a yes/no, a graph, or an error that says what to fix)."""
    from .callbacks_explore import cy_layout, stylesheet
    from .ui import TABLE_CELL, TABLE_HEADER, notice
    if not (text or "").strip():
        return [notice("The editor is empty: pick an example on the left or write a query.")]
    try:
        res = run_query(kg, text, timeout=timeout, max_rows=max_rows)
    except MlsdError as exc:
        return [html.Div([html.Strong("The query did not run. "), html.Pre(str(exc), id="query-error")],
                         className="notice notice-error", role="alert")]
    meta = f"{res.kind.upper()} · {res.elapsed_ms:.0f} ms"
    if res.kind == "ask":
        return [html.Div(meta, className="query-meta"),
                html.Div("yes (true)" if res.boolean else "no (false)", className="ask-answer", id="query-ask")]
    columns, data = to_table(kg, res)
    count = len(data)
    meta += f" · {count} {'row' if res.kind == 'select' else 'triple'}{'s' if count != 1 else ''}"
    out = [html.Div(meta, className="query-meta", id="query-meta")]
    if res.truncated:
        out.append(notice(f"Only the first {max_rows} results are shown: add LIMIT or narrow the query.",
                          kind="error"))
    if not data:
        out.append(notice("The query ran but matched nothing. Check names and prefixes, or loosen a pattern."))
        return out
    if res.kind in ("construct", "describe"):
        out.append(_cytoscape()(id="query-graph", elements=to_cyto(kg, res), stylesheet=stylesheet() + [
            {"selector": "edge", "style": {"label": "data(label)"}}],
            layout=cy_layout("cose"), style={"width": "100%", "height": "420px"}, className="canvas"))
    out.append(dash_table.DataTable(
        id="query-table", columns=columns, data=data, sort_action="native", filter_action="native",
        page_action="native", page_size=20, markdown_options={"html": False, "link_target": "_self"},
        style_table={"overflowX": "auto"}, style_cell={**TABLE_CELL, "maxWidth": "420px"},
        style_header=TABLE_HEADER))
    return out
