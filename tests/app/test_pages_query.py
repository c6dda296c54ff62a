"""SPARQL page: examples, guarded runs, tables, graphs, downloads and errors."""
from __future__ import annotations

import csv
import io
import json

import pytest

from mlsd.app import callbacks_query as logic
from mlsd.app.ui import component_text


def test_there_are_at_least_ten_examples_and_each_runs(kg):
    examples = logic.list_examples()
    assert len(examples) >= 10
    kinds = set()
    for ex in examples:
        assert ex["text"].startswith("#") and ex["title"]
        res = logic.run_query(kg, ex["text"], timeout=20, max_rows=1000)
        kinds.add(res.kind)
        assert res.rows or res.triples or res.kind == "ask", ex["name"]
    assert {"select", "ask", "construct", "describe"} <= kinds


def test_table_shows_labels_and_links_graph_nodes(kg):
    res = logic.run_query(kg, "SELECT ?t WHERE { ?t a mlsd:Tool ; rdfs:label 'Feast'@en }")
    columns, data = logic.to_table(kg, res)
    assert columns[0]["presentation"] == "markdown"
    assert data == [{"t": "[Feast](/?focus=tool/feast)"}]


def test_markdown_cells_escape_data():
    assert logic.escape_markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"




@pytest.mark.parametrize("query,words", [
    ("SELECT * WHERE { ?s ?p }", ["did not run", "line 1, column"]),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ["SERVICE", "not allowed"]),
    ("", ["editor is empty"]),
    ("SELECT ?s WHERE { ?s a mlsd:NoSuchClass }", ["matched nothing"]),
])
def test_errors_and_empty_results_say_what_to_do(kg, query, words):
    text = component_text(logic.render_result(kg, query))
    for w in words:
        assert w in text


def test_row_cap_is_reported(kg):
    text = component_text(logic.render_result(kg, "SELECT ?s WHERE { ?s ?p ?o }", max_rows=5))
    assert "Only the first 5 results" in text


@pytest.mark.browser
def test_example_query_runs_and_csv_download_contains_the_rows(page, live_server, kg):
    page.open(live_server + "/query")
    assert page.console.errors == []
    ex = logic.list_examples()[0]
    page.locator("#query-examples button", has_text=ex["title"][:40]).click()
    page.wait_for_function("document.querySelector('#query-editor').value.length > 20")
    page.click("#query-run")
    page.wait_for_selector("#query-table")
    res = logic.run_query(kg, ex["text"])
    assert page.inner_text("#query-meta").endswith(f"{len(res.rows)} rows")
    first_label = logic.term_text(kg, res.rows[0][res.variables[0]])
    assert first_label in page.inner_text("#query-table")
    page.shoot("test-query")
    with page.expect_download() as dl:
        page.click("#query-dl-csv")
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert len(rows) == len(res.rows)
    assert {r[res.variables[0]] for r in rows} == {b[res.variables[0]]["value"] for b in res.rows}
    with page.expect_download() as dl:
        page.click("#query-dl-json")
    doc = json.load(open(dl.value.path(), encoding="utf-8"))
    assert len(doc["results"]["bindings"]) == len(res.rows)


@pytest.mark.browser
def test_construct_draws_a_graph_and_syntax_errors_show_position(page, live_server):
    page.open(live_server + "/query?example=10-construct-feature-store-graph")
    page.click("#query-run")
    page.wait_for_selector("#query-graph")
    assert page.cy("return cy.nodes().length;", canvas="query-graph") > 2
    page.fill("#query-editor", "SELECT ?s WHERE {\n  ?s ?p\n}")
    page.click("#query-run")
    err = page.locator("#query-error")
    err.wait_for()
    assert "line" in err.inner_text() and "column" in err.inner_text()
    page.fill("#query-editor", "ASK { ?s a mlsd:Tool }")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#query-ask")
    assert "yes" in page.inner_text("#query-ask")
    assert page.console.errors == []
