"""Tool catalog: every tool with category, stages, licence, language; filter, sort, compare."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dash_table, dcc, html

from mlsd.app import callbacks_tools as logic
from mlsd.app.callbacks_find import facet_options
from mlsd.app.state import cached
from mlsd.app.ui import TABLE_CELL, TABLE_HEADER
from mlsd.graph.views import find_tool_rows

dash.register_page(__name__, path="/tools", name="Tool catalog", title="mlsd — Tool catalog", order=2)


def layout(**_):
    rows = cached("tool_rows", find_tool_rows)
    facets = facet_options(rows)
    categories = [{"label": c, "value": c} for c in sorted({r["category"] for r in rows}, key=str.lower)]
    return html.Div([
        html.Div([html.H1("Tool catalog"),
                  html.P(f"{len(rows)} tools with their category, lifecycle stages, licence and language. Filter "
                         "with the boxes or the row under the headers, sort by a header, tick 2–4 rows to compare.")],
                 className="page-head"),
        html.Div([
            dcc.Input(id="tools-text", type="search", placeholder="Filter by name, category or problem…",
                      className="text-input", debounce=False, style={"maxWidth": "320px"}),
            dcc.Dropdown(id="tools-category", options=categories, multi=True, placeholder="Any category"),
            dcc.Dropdown(id="tools-stage", options=facets["stage"], multi=True, placeholder="Any stage"),
            dcc.Dropdown(id="tools-license", options=facets["license"], multi=True, placeholder="Any licence"),
            dcc.Dropdown(id="tools-language", options=facets["language"], multi=True, placeholder="Any language"),
            dcc.Checklist(id="tools-open", options=[{"label": "Open source only", "value": "open"}], value=[],
                          className="checklist"),
        ], className="filters-row panel"),
        html.Div([
            html.Span(id="tools-count", className="query-meta"),
            html.Span(className="spacer"),
            dcc.Link("Compare selected on Find tools →", id="tools-compare", href="/find", className="node-link",
                     style={"display": "none"}),
        ], className="toolbar"),
        dash_table.DataTable(
            id="tools-table", columns=logic.COLUMNS, data=logic.to_records(rows), row_selectable="multi",
            selected_row_ids=[], sort_action="native", filter_action="native", page_action="native", page_size=25,
            markdown_options={"html": False, "link_target": "_self"},
            style_table={"overflowX": "auto"}, style_cell={**TABLE_CELL, "maxWidth": "320px"},
            style_header=TABLE_HEADER,
            style_cell_conditional=[{"if": {"column_id": "solves"}, "width": "28%"}],
            style_data_conditional=[{"if": {"state": "selected"}, "backgroundColor": "#e6f0f7", "border": "1px solid #dde3e9"}],
        ),
    ])


@callback(
    Output("tools-table", "data"),
    Output("tools-count", "children"),
    Input("tools-text", "value"),
    Input("tools-category", "value"),
    Input("tools-stage", "value"),
    Input("tools-license", "value"),
    Input("tools-language", "value"),
    Input("tools-open", "value"),
)
def filter_table(text, categories, stages, licenses, languages, open_only):
    rows = cached("tool_rows", find_tool_rows)
    shown = logic.filter_rows(rows, text=text or "", categories=categories or (), stages=stages or (),
                              licenses=licenses or (), languages=languages or (), open_only=bool(open_only))
    count = f"{len(shown)} of {len(rows)} tools" if shown else "No tool passes these filters: remove one."
    return logic.to_records(shown), count


@callback(Output("tools-compare", "href"), Output("tools-compare", "style"), Input("tools-table", "selected_row_ids"))
def compare_link(ids):
    href = logic.compare_href(ids)
    return (href or "/find"), ({} if href else {"display": "none"})
