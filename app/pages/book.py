"""Book: the table of contents as a tree with what each section discusses, and the lifecycle."""
from __future__ import annotations

import dash
from dash import dash_table, dcc, html

from mlsd.app import callbacks_book as logic
from mlsd.app.state import cached
from mlsd.app.ui import TABLE_CELL, TABLE_HEADER, notice
from mlsd.graph.views import find_book_outline

dash.register_page(__name__, path="/book", name="Book", title="mlsd — Book", order=3)


def layout(chapter: str = "", **_):
    outline = cached("book_outline", find_book_outline)
    stages = cached("stage_rows", logic.stage_rows)
    open_chapter = int(chapter) if str(chapter).isdigit() else None
    toc = logic.render_toc(outline, open_chapter=open_chapter) or [notice("No chapters in this graph.")]
    return html.Div([
        html.Div([html.H1("Designing Machine Learning Systems, chapter by chapter"),
                  html.P("Open a chapter and its sections to see the problems, techniques and concepts they discuss, "
                         "and the tools for them. Every name opens in Explore.")], className="page-head"),
        html.Div([
            html.Div([html.H3("Table of contents"), html.Div(toc, className="toc", id="book-toc")], className="panel"),
            html.Div([
                html.H3("The ML lifecycle"),
                html.P("Stages in order, with how many problems, techniques and tools the graph attaches to each.",
                       className="muted small"),
                dcc.Graph(id="book-stages", figure=logic.stage_figure(stages),
                          config={"displaylogo": False, "responsive": True,
                                  "modeBarButtonsToRemove": ["select2d", "lasso2d"]}),
                dash_table.DataTable(
                    id="book-stage-table",
                    columns=[{"name": n, "id": i} for n, i in (("#", "order"), ("Stage", "label"), ("Problems", "problems"),
                                                               ("Techniques", "techniques"), ("Tools", "tools"))],
                    data=stages, sort_action="native", style_cell=TABLE_CELL,
                    style_header=TABLE_HEADER),
            ], className="panel"),
        ], className="book-grid"),
    ])
