"""Find tools: describe a problem in your own words, choose what it means, get ranked tools."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html

from mlsd.app import callbacks_find as logic
from mlsd.app.state import cached, current_kg
from mlsd.app.ui import notice
from mlsd.graph.views import find_tool_rows

dash.register_page(__name__, path="/find", name="Find tools", title="mlsd — Find tools", order=1)


def _catalog():
    rows = cached("tool_rows", find_tool_rows)
    return rows, {r["id"]: r for r in rows}


def layout(q: str = "", compare: str = "", **_):
    kg = current_kg()
    rows, _ = _catalog()
    facets = logic.facet_options(rows)
    picked = [r for r in (compare or "").split(",") if r.startswith("tool/")][: logic.COMPARE_MAX]
    matches = logic.find_candidates(kg, q) if q else []
    return html.Div([
        dcc.Store(id="find-url-sync"),
        html.Div([html.H1("Find tools for a problem"),
                  html.P("Describe what goes wrong in your own words, e.g. “predictions get worse after launch”. "
                         "Choose what it means, and see the tools that deal with it, why, and where the book "
                         "explains it.")], className="page-head"),
        html.Div([
            dcc.Input(id="find-text", type="search", value=q, debounce=False, autoComplete="off",
                      placeholder="e.g. predictions get worse after launch", className="text-input"),
            html.Button("Find", id="find-go", className="btn"),
        ], className="find-input-row panel"),
        html.Div([
            html.Div([
                html.H3("What it may mean"),
                dcc.Checklist(id="find-candidates", options=logic.render_candidates(matches),
                              value=logic.preselect(matches), className="candidates checklist"),
                html.Div(id="find-candidates-note",
                         children=[] if matches else [notice("Type a problem above and press Find.")]),
                html.H3("Where to read in the book"),
                html.Div(id="find-read"),
            ], className="panel"),
            html.Div([
                html.Div([
                    dcc.Checklist(id="find-open", options=[{"label": "Open source only", "value": "open"}], value=[],
                                  className="checklist"),
                    dcc.Dropdown(id="find-license", options=facets["license"], multi=True, placeholder="Any licence"),
                    dcc.Dropdown(id="find-language", options=facets["language"], multi=True, placeholder="Any language"),
                    dcc.Dropdown(id="find-stage", options=facets["stage"], multi=True, placeholder="Any lifecycle stage"),
                ], className="filters-row"),
                html.H3("Compare side by side"),
                dcc.Dropdown(id="find-compare", options=[{"label": r["label"], "value": r["id"]} for r in rows],
                             value=picked, multi=True, placeholder="Pick 2–4 tools (or tick them in the list below)"),
                html.Div(id="find-comparison", style={"margin": ".6rem 0 1rem"}),
                html.H3("Tools, best first"),
                html.Div(id="find-summary", className="query-meta"),
                dcc.Checklist(id="find-tools", options=[], value=picked, className="tool-checklist"),
            ], className="panel"),
        ], className="find-grid", style={"marginTop": ".9rem"}),
    ])


@callback(
    Output("find-candidates", "options"),
    Output("find-candidates", "value"),
    Output("find-candidates-note", "children"),
    Input("find-go", "n_clicks"),
    Input("find-text", "n_submit"),
    State("find-text", "value"),
    prevent_initial_call=True,
)
def show_candidates(_n, _s, text):
    kg = current_kg()
    matches = logic.find_candidates(kg, text)
    if not (text or "").strip():
        return [], [], [notice("Type a problem above and press Find.")]
    if not matches:
        return [], [], [notice(f"Nothing in the graph matches “{text}”. Try other words, e.g. the symptom you see "
                               "(“accuracy drops”, “slow training”), or browse the Book page.")]
    return logic.render_candidates(matches), logic.preselect(matches), []


@callback(
    Output("find-tools", "options"),
    Output("find-summary", "children"),
    Output("find-read", "children"),
    Input("find-candidates", "value"),
    Input("find-open", "value"),
    Input("find-license", "value"),
    Input("find-language", "value"),
    Input("find-stage", "value"),
)
def show_tools(chosen, open_only, licenses, languages, stages):
    kg = current_kg()
    if not chosen:
        return [], "Choose at least one problem or technique on the left.", []
    _, by_id = _catalog()
    ranked = logic.rank_tools(kg, chosen)
    shown = logic.filter_tools(ranked, by_id, open_only=bool(open_only), licenses=licenses or (),
                               languages=languages or (), stages=stages or ())
    if not ranked:
        summary = "No tool in the graph deals with this yet; the book sections on the left explain it."
    elif not shown:
        summary = f"{len(ranked)} tools deal with it, but none passes the filters: loosen them."
    else:
        summary = f"{len(shown)} of {len(ranked)} tools, best first. Tick tools to compare them."
        if len(shown) > logic.SHOWN_MAX:
            summary += f" The best {logic.SHOWN_MAX} are listed: narrow with the filters to see others."
    options = [logic.render_tool_option(i, t) for i, t in enumerate(shown[: logic.SHOWN_MAX], 1)]
    return options, summary, logic.render_read(kg, chosen)


@callback(
    Output("find-comparison", "children"),
    Output("find-tools", "value"),
    Output("find-compare", "value"),
    Input("find-tools", "value"),
    Input("find-compare", "value"),
)
def sync_comparison(ticked, picked):
    kg = current_kg()
    rows, _ = _catalog()
    source = ticked if ctx.triggered_id == "find-tools" else picked
    refs = logic.pick_for_comparison(source)
    return logic.render_comparison(kg, refs, rows), refs, refs


clientside_callback(
    """function(text, compare) {
        if (window.location.pathname !== "/find") { return null; }
        const p = new URLSearchParams();
        if (text) { p.set("q", text); }
        if (compare && compare.length) { p.set("compare", compare.join(",")); }
        const s = p.toString() ? "?" + p.toString() : "";
        if (window.location.search !== s) { window.history.replaceState(window.history.state, "", "/find" + s); }
        return null;
    }""",
    Output("find-url-sync", "data"),
    Input("find-text", "value"),
    Input("find-compare", "value"),
)
