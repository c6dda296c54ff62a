"""SPARQL: write or pick a query, run it safely, see a table or a graph, download the result."""
from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from mlsd.app import callbacks_query as logic
from mlsd.app.state import current_kg
from mlsd.app.ui import notice
from mlsd.graph.errors import MlsdError

dash.register_page(__name__, path="/query", name="SPARQL", title="mlsd — SPARQL", order=4)

def _options():
    import flask
    opts = flask.current_app.config.get("MLSD_OPTIONS", {})
    return float(opts.get("timeout", 10.0)), int(opts.get("max_rows", 1000))


def layout(example: str = "", **_):
    examples = logic.list_examples()
    start = next((e for e in examples if e["name"] == example), examples[0] if examples else {"text": ""})
    timeout, max_rows = _options()
    return html.Div([
        dcc.Download(id="query-download"),
        html.Div([html.H1("Ask the graph in SPARQL"),
                  html.P(f"Queries are read-only, run for at most {timeout:g} s and return at most {max_rows} rows. "
                         "Pick an example to start, or write your own; graph nodes in the results open in Explore.")],
                 className="page-head"),
        html.Div([
            html.Aside([
                html.H3("Example questions"),
                html.Ul([html.Li(html.Button(e["title"], id={"type": "query-example", "name": e["name"]},
                                             title=e["name"], n_clicks=0)) for e in examples],
                        className="example-list", id="query-examples"),
            ], className="panel"),
            html.Section([
                html.Details([html.Summary("Prefixes you can use without declaring them"),
                              html.Pre(logic.prefix_header(), className="prefixes", id="query-prefixes")]),
                dcc.Textarea(id="query-editor", value=start["text"], className="editor", spellCheck=False,
                             placeholder="SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"),
                html.Div([
                    html.Button("Run query", id="query-run", className="btn"),
                    html.Span("or press Ctrl+Enter", className="muted small"),
                    html.Span(className="spacer"),
                    html.Button("Download CSV", id="query-dl-csv", className="btn btn-small btn-ghost"),
                    html.Button("Download JSON", id="query-dl-json", className="btn btn-small btn-ghost"),
                ], className="query-actions toolbar"),
                dcc.Loading(html.Div(id="query-result", children=[
                    notice("Run the query to see its results here.")]), type="dot", delay_show=300),
            ], className="panel"),
        ], className="query-grid"),
    ])


@callback(Output("query-editor", "value"), Input({"type": "query-example", "name": ALL}, "n_clicks"),
          prevent_initial_call=True)
def pick_example(clicks):
    if not ctx.triggered_id or not any(clicks or []):
        raise PreventUpdate
    name = ctx.triggered_id["name"]
    ex = next((e for e in logic.list_examples() if e["name"] == name), None)
    if ex is None or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return ex["text"]


@callback(Output("query-result", "children"), Input("query-run", "n_clicks"), State("query-editor", "value"),
          prevent_initial_call=True)
def run(_n, text):
    timeout, max_rows = _options()
    return logic.render_result(current_kg(), text, timeout, max_rows)


@callback(Output("query-download", "data"), Input("query-dl-csv", "n_clicks"), Input("query-dl-json", "n_clicks"),
          State("query-editor", "value"), prevent_initial_call=True)
def download(_csv, _json, text):
    timeout, max_rows = _options()
    try:
        res = logic.run_query(current_kg(), text, timeout=timeout, max_rows=max_rows)
    except MlsdError:
        raise PreventUpdate from None
    data, name = logic.download_bytes(res, "json" if ctx.triggered_id == "query-dl-json" else "csv")
    return dcc.send_bytes(data, name)


dash.clientside_callback(
    """function(id) {
        const el = document.getElementById("query-editor");
        if (el && !el.dataset.mlsdKeys) {
            el.dataset.mlsdKeys = "1";
            el.addEventListener("keydown", function(ev) {
                if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
                    ev.preventDefault();
                    const b = document.getElementById("query-run");
                    if (b) { b.click(); }
                }
            });
        }
        return window.dash_clientside.no_update;
    }""",
    Output("query-editor", "id"),
    Input("query-editor", "id"),
)
