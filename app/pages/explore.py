"""Explore: search a node, see its neighbourhood on a canvas, expand, filter, find paths, share."""
from __future__ import annotations

from urllib.parse import parse_qs

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from mlsd.app import callbacks_explore as logic
from mlsd.app import explore_panels as panels
from mlsd.app.state import current_kg
from mlsd.app.ui import KIND_NAMES, legend
from mlsd.graph.views import EXPANSION_CAPS

dash.register_page(__name__, path="/", name="Explore", title="mlsd — Explore", order=0)

try:
    import dash_cytoscape as cyto
except ImportError:  # pragma: no cover - the app extra is installed wherever the app runs
    cyto = None


def layout(**query):
    kg = current_kg()
    state = logic.parse_state(kg, query)
    view = logic.view_of(kg, state)
    relations = sorted({d["predicate"] for *_, d in kg.nx.edges(data=True)})
    stages = [(ref, n["label"]) for ref, n in kg.nodes.items() if n["kind"] == "stage"]
    names = sorted({n["label"] for ref, n in kg.nodes.items() if "/option-" not in ref}, key=str.lower)
    kinds = sorted({n["kind"] for n in kg.nodes.values()} & (set(KIND_NAMES) - {"book"}), key=lambda k: KIND_NAMES[k])
    return html.Div([
        dcc.Store(id="explore-state", data=state),
        dcc.Store(id="explore-url-sync"),
        dcc.Store(id="explore-tap"),
        dcc.Store(id="explore-dbl"),
        dcc.Store(id="explore-act"),  # Expand / Show more / Collapse as explore.js handled them
        dcc.Store(id="explore-bind"),
        dcc.Store(id="explore-canvas", data=logic.to_canvas(state, view)),
        dcc.Store(id="explore-applied"),
        dcc.Store(id="explore-query"),
        dcc.Store(id="explore-hits-data"),
        dcc.Store(id="explore-details-data", data=panels.details_data(kg, state, view)),
        dcc.Store(id="explore-pick"),
        dcc.Store(id="explore-layouts", data={name: logic.cy_layout(name) for name in logic.LAYOUTS}),
        dcc.Store(id="explore-names-data", data=names),
        dcc.Download(id="explore-download"),
        html.Div([
            html.Div([
                dcc.Input(id="explore-search", type="search", placeholder="Search a problem, technique, tool, chapter… (e.g. training-serving skew)",
                          autoComplete="off", debounce=False, className="search-input", value=""),
                html.Div(id="explore-hits", className="hits"),
            ], className="search-box"),
        ], className="explore-top"),
        html.Div([
            html.Aside([
                html.H3("Layout"),
                dcc.Dropdown(id="explore-layout", options=[{"label": v, "value": k} for k, v in logic.LAYOUTS.items()],
                             value=state["layout"], clearable=False, searchable=False),
                html.H3("New nodes per expansion"),
                dcc.Dropdown(id="explore-per", options=[{"label": f"{n} at a time", "value": n} for n in EXPANSION_CAPS],
                             value=state["per"], clearable=False, searchable=False),
                html.H3("Show node types"),
                dcc.Checklist(id="explore-kinds", options=[{"label": KIND_NAMES.get(k, k), "value": k} for k in kinds],
                              value=state["kinds"], className="checklist", inputClassName="check"),
                html.P("None ticked: all types.", className="muted small"),
                html.H3("Relations"),
                dcc.Dropdown(id="explore-relations", multi=True, placeholder="All relations",
                             options=[{"label": logic.RELATION_NAMES.get(r, r), "value": r} for r in relations],
                             value=state["relations"]),
                html.H3("Lifecycle stage"),
                dcc.Dropdown(id="explore-stages", multi=True, placeholder="All stages",
                             options=[{"label": label, "value": ref} for ref, label in stages], value=state["stages"]),
                html.H3("Path between two nodes"),
                dcc.Input(id="explore-path-from", type="text", list="explore-names", placeholder="From… (a name)",
                          value=kg.label(state["path"][0]) if state["path"] else "", className="text-input path-input"),
                dcc.Input(id="explore-path-to", type="text", list="explore-names", placeholder="To… (a name)",
                          value=kg.label(state["path"][1]) if state["path"] else "", className="text-input path-input"),
                html.Datalist(id="explore-names"),  # filled in the browser from explore-names-data
                html.Div([html.Button("Show path", id="explore-path-go", className="btn btn-small"),
                          html.Button("Clear", id="explore-path-clear", className="btn btn-small btn-ghost")],
                         className="row-buttons"),
                html.H3("Legend"),
                legend(),
            ], className="panel side-panel"),
            html.Section([
                html.Div([
                    html.Button("Expand", id="explore-expand", className="btn btn-small",
                                title="Show the neighbours of the selected node (or double-click a node)"),
                    html.Button("Show more", id="explore-more", className="btn btn-small btn-ghost",
                                title="Show the next page of neighbours of the selected node"),
                    html.Button("Collapse", id="explore-collapse", className="btn btn-small btn-ghost",
                                title="Hide what expanding the selected node added"),
                    html.Button("Undo", id="explore-undo", className="btn btn-small btn-ghost"),
                    html.Button("Tidy layout", id="explore-tidy", className="btn btn-small btn-ghost",
                                title="Lay out everything shown again (expanding only places the new nodes)"),
                    html.Span(className="spacer"),
                    html.A("Share this view", id="explore-share", href=logic.to_query(state), className="node-link",
                           title="A link to exactly this view"),
                    html.Button("Download HTML", id="explore-dl-html", className="btn btn-small btn-ghost",
                                title="A standalone interactive page of this view (works offline)"),
                    html.Button("Download PNG", id="explore-dl-png", className="btn btn-small btn-ghost"),
                ], className="toolbar"),
                # explore.js draws the elements of explore-canvas on it (see applyCanvas there)
                cyto.Cytoscape(id="explore-graph", elements=[], layout={"name": "preset"}, stylesheet=logic.stylesheet(),
                               style={"width": "100%", "height": "62vh"}, minZoom=0.2, maxZoom=3,
                               responsive=True, className="canvas",
                               autoRefreshLayout=False),
                html.Div(panels.render_status(kg, state, view), id="explore-status", className="status"),
                html.P("Click a node for its details, double-click to expand it (new nodes appear beside it; "
                       "“Tidy layout” arranges everything again); a “+N more” node shows the next neighbours.",
                       className="muted small"),
            ], className="panel canvas-panel"),
            # explore.js draws explore-details-data here (text only; React never renders into it)
            html.Aside(id="explore-details", className="panel details-panel", **{"aria-live": "polite"}),
        ], className="explore-grid"),
    ], className="explore")


# the search text goes to the server only when it has two characters to match (explore.js)
clientside_callback(ClientsideFunction("mlsd", "searchText"), Output("explore-query", "data"),
                    Input("explore-search", "value"), prevent_initial_call=True)


@callback(Output("explore-hits-data", "data"), Input("explore-query", "data"), prevent_initial_call=True)
def show_hits(text):
    """The suggestions for ``text`` as data; explore.js draws them (plain text, no components)."""
    return panels.hit_list(current_kg(), text)


clientside_callback(ClientsideFunction("mlsd", "showHits"), Output("explore-hits", "title"),
                    Input("explore-hits-data", "data"), prevent_initial_call=True)
clientside_callback(ClientsideFunction("mlsd", "showDetails"), Output("explore-details", "title"),
                    Input("explore-details-data", "data"))


@callback(
    Output("explore-state", "data"),
    Output("explore-search", "value"),
    Output("explore-details-data", "data"),
    Output("explore-share", "href"),
    Output("explore-kinds", "value"),
    Output("explore-relations", "value"),
    Output("explore-stages", "value"),
    Output("explore-layout", "value"),
    Output("explore-per", "value"),
    Output("explore-canvas", "data"),
    Output("explore-status", "children"),
    Input("explore-pick", "data"),
    Input("explore-search", "n_submit"),
    Input("explore-tap", "data"),
    Input("explore-dbl", "data"),
    Input("explore-act", "data"),
    Input("explore-expand", "n_clicks"),
    Input("explore-more", "n_clicks"),
    Input("explore-collapse", "n_clicks"),
    Input("explore-undo", "n_clicks"),
    Input("explore-kinds", "value"),
    Input("explore-relations", "value"),
    Input("explore-stages", "value"),
    Input("explore-layout", "value"),
    Input("explore-per", "value"),
    Input("explore-path-go", "n_clicks"),
    Input("explore-path-clear", "n_clicks"),
    State("explore-state", "data"),
    State("explore-search", "value"),
    State("explore-path-from", "value"),
    State("explore-path-to", "value"),
    prevent_initial_call=True,
)
def update_state(pick, _submit, tap, dbl, button, _expand, _more, _collapse, _undo, kinds, relations, stages, layout_name,
                 per, _path, _clear, state, text, path_from, path_to):
    trig = ctx.triggered_id
    if trig is None or state is None:
        raise PreventUpdate
    data = {"explore-pick": pick, "explore-tap": tap, "explore-dbl": dbl, "explore-act": button}.get(trig)
    if "explore-dbl.data" in ctx.triggered_prop_ids:
        trig, data = "explore-dbl", dbl  # the second tap of a double-click can come in the same request
    if data and data.get("query") is not None:  # explore.js shows this view already (explore_api.view_after)
        target = logic.parse_state(current_kg(), parse_qs(data["query"]))
        return _outputs(state, logic.reduce_state(state, "goto", target), "" if trig == "explore-pick" else no_update)
    if trig == "explore-pick":  # a search suggestion
        if not data or data.get("id") not in current_kg().nodes:
            raise PreventUpdate
        return _outputs(state, logic.reduce_state(state, "focus", data["id"]), "")
    if trig == "explore-search":
        hits = logic.search_hits(current_kg(), text, limit=1)
        if not hits:
            raise PreventUpdate
        return _outputs(state, logic.reduce_state(state, "focus", hits[0]["id"]), "")
    if trig == "explore-act":  # a toolbar button whose answer the view route did not give
        if not data or data.get("event") not in ("expand", "more", "collapse") or data.get("id") not in current_kg().nodes:
            raise PreventUpdate
        return _outputs(state, logic.reduce_state(state, data["event"], data["id"]), no_update)
    if trig in ("explore-tap", "explore-dbl"):
        if not data or not data.get("id"):
            raise PreventUpdate
        return _outputs(state, logic.reduce_state(state, "tap", data), no_update)
    events = {"explore-expand": ("expand", None), "explore-more": ("more", None), "explore-collapse": ("collapse", None),
              "explore-undo": ("undo", None), "explore-layout": ("layout", layout_name), "explore-per": ("per", per),
              "explore-path-go": ("path", [_resolve(path_from), _resolve(path_to)]), "explore-path-clear": ("path_clear", None),
              "explore-kinds": ("filters", None), "explore-relations": ("filters", None), "explore-stages": ("filters", None)}
    event, payload = events[trig]
    if event == "filters":
        payload = {"kinds": kinds or [], "relations": relations or [], "stages": stages or []}
        if all(list(state.get(k) or []) == payload[k] for k in payload):
            raise PreventUpdate  # the controls were only brought in step with the state
    if (event == "layout" and layout_name == state.get("layout")) or (event == "per" and per == state.get("per")):
        raise PreventUpdate  # the control was only brought in step with the state
    return _outputs(state, logic.reduce_state(state, event, payload), no_update)


def _outputs(old, state, search):
    """Everything one interaction changes, canvas included, in one response.

    Only what differs from ``old`` is sent: the browser re-renders nothing that stayed the same
    (a plain selection keeps the canvas, a double-click keeps the details of the node it selected).
    The canvas, details and suggestions go to stores that explore.js draws: an expansion at once,
    a new view's layout once the browser is idle (after the details).
    """
    kg = current_kg()
    view = logic.view_of(kg, state)
    redraw = state.get("redraw", True)

    def changed(new, before):
        return new if new != before else no_update

    details = no_update
    if _details_key(state, view) != _details_key(old, logic.view_of(kg, old)):
        details = panels.details_data(kg, state, view)
    controls = [changed(state.get(k) or [], old.get(k) or []) for k in ("kinds", "relations", "stages")]
    return (state, search, details, changed(logic.to_query(state), logic.to_query(old)), *controls,
            changed(state.get("layout", "cose"), old.get("layout", "cose")),
            changed(state.get("per"), old.get("per")),
            logic.to_canvas(state, view) if redraw else no_update,
            panels.render_status(kg, state, view) if redraw else no_update)


def _details_key(state, view):
    """What the details panel depends on (:func:`panels.details_data`)."""
    ref = state.get("selected") or state.get("focus")
    return (ref, state.get("focus"), view["more"].get(ref),
            *(tuple(state.get(k) or []) for k in ("kinds", "relations", "stages")), state.get("layout"))


def _resolve(text):
    """A typed name as a node reference (the text itself when nothing matches, so the error names it)."""
    from mlsd.graph.errors import NotFoundError
    from mlsd.graph.network import resolve_node
    if not (text or "").strip():
        return None
    try:
        return resolve_node(current_kg(), text.strip())
    except NotFoundError:
        return text.strip()


# the canvas: bind Explore's own event handlers once; apply each server update after the paint
clientside_callback(ClientsideFunction("mlsd", "bindCanvas"), Output("explore-bind", "data"), Input("explore-graph", "id"))
clientside_callback(ClientsideFunction("mlsd", "applyCanvas"), Output("explore-applied", "data"),
                    Input("explore-canvas", "data"))
clientside_callback(ClientsideFunction("mlsd", "tidy"), Output("explore-tidy", "title"), Input("explore-tidy", "n_clicks"),
                    State("explore-layouts", "data"), State("explore-state", "data"), prevent_initial_call=True)
# the names the path inputs suggest, made in the browser
clientside_callback(ClientsideFunction("mlsd", "fillNames"), Output("explore-names", "title"),
                    Input("explore-names-data", "data"))
# keep the address bar in step with the view without reloading the page
clientside_callback(ClientsideFunction("mlsd", "syncUrl"), Output("explore-url-sync", "data"), Input("explore-share", "href"))


@callback(Output("explore-download", "data"), Input("explore-dl-html", "n_clicks"), State("explore-state", "data"),
          prevent_initial_call=True)
def download_html(_n, state):
    from mlsd.graph.export import to_html
    kg = current_kg()
    view = logic.view_of(kg, state)
    sub = kg.nx.subgraph([n["id"] for n in view["nodes"]]).copy()
    data = to_html(sub, title=f"mlsd: {kg.label(state['focus'])}")
    return dcc.send_bytes(data, "mlsd-view.html")


@callback(Output("explore-graph", "generateImage"), Input("explore-dl-png", "n_clicks"), prevent_initial_call=True)
def download_png(_n):
    return {"type": "png", "action": "download", "filename": "mlsd-view", "options": {"bg": "#ffffff", "full": True, "scale": 2}}
