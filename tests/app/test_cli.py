"""The ``mlsd`` command line, run through the real console script.

Exit codes (app/cli.py): 0 ok; 1 invalid data; 2 usage; 3 query error; 4 no match; 5 export or
file error. Errors go to stderr as one readable report, never a traceback.
"""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
import rdflib

REMOTE_MARKERS = ('src="http', "src='http", 'href="http', "href='http", 'src="//', 'href="//')


def ok(result):
    code, out, err = result
    assert code == 0, f"exit {code}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert "Traceback" not in err
    return out, err


def fails(result, code):
    got, out, err = result
    assert got == code, f"expected exit {code}, got {got}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert "Traceback" not in err and "Traceback" not in out
    return out, err


@pytest.fixture(scope="module")
def bad_data(tmp_path_factory, example_path):
    """A data folder with one misspelt reference."""
    folder = tmp_path_factory.mktemp("bad-data")
    text = example_path.read_text(encoding="utf-8")
    text = text.replace("    solves: [problem/data-distribution-shift]  #", "    solves: [problem/data-distribution-shfit]  #")
    (folder / "example.yaml").write_text(text, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- usage
def test_help_lists_the_commands_and_exit_codes(run_cli):
    out, _ = ok(run_cli("--help"))
    for cmd in ("validate", "stats", "search", "find-tools", "where", "path", "neighbors", "show", "query", "export"):
        assert cmd in out
    assert "Exit codes" in out


@pytest.mark.parametrize("args", [
    [],
    ["bogus"],
    ["search"],
    ["search", "x", "--limit", "many"],
    ["export", "--format", "pdf", "-o", "x.pdf"],
    ["query", "SELECT * {}", "--format", "yaml"],
    ["find-tools", "--no-such-option", "x"],
])
def test_usage_errors_exit_2(run_cli, args):
    out, err = fails(run_cli(*args), 2)
    assert "usage: mlsd" in err


# --------------------------------------------------------------------------- validate
def test_validate_example(run_cli, example_path):
    out, _ = ok(run_cli("--data", example_path, "validate"))
    assert out.startswith("valid: ") and "triples" in out


def test_validate_quiet(run_cli, example_path):
    out, _ = ok(run_cli("--data", example_path, "validate", "-q"))
    assert out == ""


def test_invalid_data_exits_1_with_a_report(run_cli, bad_data):
    out, err = fails(run_cli("--data", bad_data, "validate"), 1)
    assert out == ""
    assert err.startswith("mlsd: error: 1 data error:")
    assert ("example.yaml: item `evidently` field `solves`: unknown reference `problem/data-distribution-shfit` "
            "(did you mean `problem/data-distribution-shift`?)") in err


@pytest.mark.parametrize("args", [["stats"], ["search", "drift"], ["find-tools", "drift"], ["where", "drift"],
                                  ["show", "drift"], ["query", "ASK {}"]])
def test_every_command_reports_invalid_data(run_cli, bad_data, args):
    _, err = fails(run_cli("--data", bad_data, *args), 1)
    assert "field `solves`" in err


def test_shape_violation_exits_1(run_cli, make_data_dir):
    data = make_data_dir(patch=("sections", "8.2.3", "page", 100))
    _, err = fails(run_cli("--data", data, "validate"), 1)
    assert "section/8.2.3: a section cannot start before the chapter or section it belongs to [shape:SectionShape]" in err


def test_missing_data_folder_exits_1(run_cli, tmp_path):
    _, err = fails(run_cli("--data", tmp_path / "nope", "stats"), 1)
    assert "no such data folder or file" in err


def test_invalid_yaml_reports_line_and_column(run_cli, make_data_dir):
    data = make_data_dir(files={"broken.yaml": "tools:\n  - id: a\n   label: x\n"})
    _, err = fails(run_cli("--data", data, "validate"), 1)
    assert "broken.yaml: not valid YAML at line 3, column 4" in err


# --------------------------------------------------------------------------- cache
def test_cli_reuses_the_warm_cache(run_cli, kg_cache_dir, full_kg):
    cache_file = kg_cache_dir / f"kg-{full_kg.fingerprint}.nt"
    assert cache_file.is_file(), "full_kg should have written the cache"
    before = cache_file.stat().st_mtime_ns
    ok(run_cli("stats"))
    assert cache_file.stat().st_mtime_ns == before
    assert not list(kg_cache_dir.glob("*.tmp"))


def test_no_cache_writes_nothing(run_cli, example_path, tmp_path):
    cache = tmp_path / "cache"
    ok(run_cli("--data", example_path, "--no-cache", "stats", env={"MLSD_CACHE_DIR": str(cache)}))
    assert not cache.exists() or not any(cache.iterdir())
    ok(run_cli("--data", example_path, "stats", env={"MLSD_CACHE_DIR": str(cache)}))
    assert len(list(cache.glob("kg-*.nt"))) == 1


# --------------------------------------------------------------------------- stats, search
def test_stats(run_cli):
    out, _ = ok(run_cli("stats"))
    assert out.startswith("triples: ")
    for heading in ("nodes by class:", "edges by property:", "concepts per chapter:", "tools per category:"):
        assert heading in out


def test_stats_json(run_cli, full_kg):
    st = json.loads(ok(run_cli("stats", "--json"))[0])
    assert st["triples"] == len(full_kg)
    assert {"classes", "properties", "concepts_per_chapter", "tools_per_category", "tools_per_stage",
            "problems_per_stage"} <= set(st)
    assert st["classes"]["Chapter"] == 11


def test_search_text(run_cli):
    out, _ = ok(run_cli("search", "train/serve skew"))
    first = out.splitlines()[0]
    assert first.startswith("1.00") and "Training-serving skew" in first and "[problem/training-serving-skew]" in first


def test_search_json(run_cli):
    doc = json.loads(ok(run_cli("search", "feature store", "--json", "--limit", "3"))[0])
    assert doc["query"] == "feature store"
    assert 1 <= len(doc["results"]) <= 3
    for r in doc["results"]:
        assert {"id", "label", "type", "score", "matched"} <= set(r) and "ref" not in r


def test_search_type_filter(run_cli):
    doc = json.loads(ok(run_cli("search", "feature store", "--type", "tool", "--type", "category", "--json"))[0])
    assert doc["results"] and {r["type"] for r in doc["results"]} <= {"tool", "category"}


@pytest.mark.parametrize("args", [["search", "qqzzxxvv"], ["find-tools", "qqzzxxvv"], ["where", "qqzzxxvv"],
                                  ["show", "qqzzxxvv"], ["neighbors", "qqzzxxvv"], ["path", "qqzzxxvv", "tool/feast"],
                                  ["export", "--format", "ttl", "--focus", "qqzzxxvv", "-o", "x.ttl"]])
def test_no_match_exits_4(run_cli, args, tmp_path):
    out, err = fails(run_cli(*args, cwd=tmp_path), 4)
    assert "qqzzxxvv" in err and err.startswith("mlsd: error:")
    assert out == ""


# --------------------------------------------------------------------------- find-tools, where
def test_find_tools_text_and_limit(run_cli):
    out, _ = ok(run_cli("find-tools", "train/serve skew", "--limit", "2"))
    assert out.startswith('What "train/serve skew" matches:')
    assert "Training-serving skew" in out and "Tools, best first:" in out
    numbered = [line for line in out.splitlines() if line[:5].strip().rstrip(".").isdigit()]
    assert len(numbered) == 2
    assert "        why: " in out and "-solves-> Training-serving skew" in out
    assert "Read in the book:" in out and "p. " in out


def test_find_tools_json_contract(run_cli):
    doc = json.loads(ok(run_cli("find-tools", "train/serve skew", "--json"))[0])
    assert doc["query"] == "train/serve skew"
    assert doc["matches"] and doc["tools"] and doc["read"]
    for m in doc["matches"]:
        assert {"id", "label", "type", "score"} <= set(m)
        assert isinstance(m["score"], (int, float))
    for t in doc["tools"]:
        assert {"id", "label", "score", "evidence"} <= set(t)
        assert isinstance(t["evidence"], list) and t["evidence"]
        assert all(isinstance(ev, list) and all(isinstance(x, str) for x in ev) for ev in t["evidence"])
    for r in doc["read"]:
        assert {"chapter", "section", "page"} <= set(r)
        assert isinstance(r["chapter"], int) and isinstance(r["page"], int) and isinstance(r["section"], str)
    feast = next(t for t in doc["tools"] if t["id"] == "tool/feast")
    assert ["Feast", "implements", "Feature store", "solves", "Training-serving skew"] in feast["evidence"]


def test_where_text(run_cli):
    out, _ = ok(run_cli("where", "data drift"))
    lines = out.splitlines()
    assert lines[0] == "Data distribution shift (problem)"
    assert any("chapter 8 (Data Distribution Shifts and Monitoring)" in line and "p. " in line for line in lines[1:])


def test_where_json_contract(run_cli):
    doc = json.loads(ok(run_cli("where", "data drift", "--json"))[0])
    assert doc["query"] == "data drift" and doc["matches"]
    assert doc["matches"][0]["id"] == "problem/data-distribution-shift"
    assert doc["locations"]
    for loc in doc["locations"]:
        assert {"chapter", "chapter_title", "section", "page"} <= set(loc)
        assert type(loc["chapter"]) is int and type(loc["page"]) is int
    pages = [loc["page"] for loc in doc["locations"]]
    assert pages == sorted(pages)


# --------------------------------------------------------------------------- path, neighbors, show
def test_path_text_and_json(run_cli):
    out, _ = ok(run_cli("path", "tool/feast", "problem/data-leakage"))
    assert out.splitlines()[0].startswith("Feast --")
    doc = json.loads(ok(run_cli("path", "tool/feast", "problem/data-leakage", "--json"))[0])
    assert (doc["from"], doc["to"]) == ("tool/feast", "problem/data-leakage")
    assert doc["steps"] and all({"source", "predicate", "target"} <= set(s) for s in doc["steps"])


def test_path_to_itself(run_cli):
    out, _ = ok(run_cli("path", "tool/feast", "Feast"))
    assert out.strip() == "(the same node)"


def test_neighbors(run_cli):
    out, _ = ok(run_cli("neighbors", "tool/feast", "--limit", "3"))
    lines = out.splitlines()
    assert lines[0] == "Feast [tool/feast]"
    assert len([line for line in lines if line.startswith("  --") or line.startswith("  <--")]) == 3
    assert "more (raise --limit)" in lines[-1]
    doc = json.loads(ok(run_cli("neighbors", "tool/feast", "--json", "--limit", "3"))[0])
    assert doc["node"] == "tool/feast" and len(doc["neighbors"]) == 3 and doc["more"] > 0


@pytest.mark.parametrize("args", [["neighbors", "tool/feast", "--limit", "-1"], ["search", "feast", "--limit", "0"],
                                  ["find-tools", "train/serve skew", "--limit", "-2"]])
def test_non_positive_limit_is_a_usage_error(run_cli, args):
    fails(run_cli(*args), 2)


def test_where_with_a_tool_reference_does_not_guess(run_cli):
    out, err = fails(run_cli("where", "tool/feast"), 4)


def test_show(run_cli):
    out, _ = ok(run_cli("show", "tool/feast"))
    assert out.startswith("Feast  (tool, tool/feast)")
    assert "  solves: " in out and "Training-serving skew" in out
    doc = json.loads(ok(run_cli("show", "tool/feast", "--json"))[0])
    assert doc["id"] == "tool/feast" and doc["kind"] == "tool"
    assert {"id": "problem/training-serving-skew", "label": "Training-serving skew"} in doc["properties"]["solves"]


# --------------------------------------------------------------------------- query
QUERY = "SELECT ?c ?n WHERE { ?c a mlsd:Chapter ; mlsd:chapterNumber ?n } ORDER BY ?n"


def test_query_table(run_cli):
    out, _ = ok(run_cli("query", QUERY))
    lines = out.splitlines()
    assert lines[0].split() == ["c", "n"]
    assert lines[2].split() == ["id:chapter/1", "1"]
    assert lines[-1] == "(11 rows)"


def test_query_json_is_sparql_results(run_cli):
    doc = json.loads(ok(run_cli("query", QUERY, "--format", "json"))[0])
    assert doc["head"]["vars"] == ["c", "n"]
    b = doc["results"]["bindings"]
    assert len(b) == 11
    assert b[0]["c"] == {"type": "uri", "value": "https://w3id.org/mlsd/id/chapter/1"}
    assert b[0]["n"]["type"] == "literal" and b[0]["n"]["value"] == "1"
    assert b[0]["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize(("fmt", "delim"), [("csv", ","), ("tsv", "\t")])
def test_query_csv_tsv_have_a_header(run_cli, fmt, delim):
    out, _ = ok(run_cli("query", QUERY, "--format", fmt))
    rows = list(csv.reader(io.StringIO(out), delimiter=delim))
    assert [c.lstrip("?") for c in rows[0]] == ["c", "n"]
    assert len(rows) == 12


def test_query_from_a_file(run_cli, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# chapters\n" + QUERY + "\n", encoding="utf-8")
    out, _ = ok(run_cli("query", path, "--format", "csv"))
    assert len(out.strip().splitlines()) == 12


def test_query_ask_and_construct(run_cli):
    assert ok(run_cli("query", "ASK { ?t a mlsd:Tool }"))[0] == "true\n"
    out, _ = ok(run_cli("query", "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a mlsd:Chapter ; rdfs:label ?l }",
                        "--format", "nt"))
    assert len(rdflib.Graph().parse(data=out, format="nt")) == 11


@pytest.mark.parametrize(("query", "where"), [
    ("SELECT * WHERE { ?s ?p }", "1:"),
    ("SELECT ?s\nWHERE {\n  ?s a mlsd:Tool\n  FILTER(\n}", "5:"),
])
def test_query_syntax_error_exits_3_with_line_and_column(run_cli, query, where):
    out, err = fails(run_cli("query", query), 3)
    assert err.startswith("mlsd: error: SPARQL syntax error: error at " + where)
    assert out == ""


def test_query_result_in_a_wrong_format_exits_3(run_cli):
    _, err = fails(run_cli("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "--format", "json"), 3)
    assert "cannot be written as json" in err


def test_long_one_line_query(run_cli):
    out, _ = ok(run_cli("query", "SELECT ?c WHERE { ?c a mlsd:Chapter } #" + "x" * 300, "--format", "csv"))
    assert len(out.strip().splitlines()) == 12


def test_query_evaluation_error_exits_3(run_cli):
    fails(run_cli("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"), 3)


def test_query_file_not_utf8(run_cli, tmp_path):
    path = tmp_path / "q.rq"
    path.write_bytes(b"\xff\xfeSELECT")
    fails(run_cli("query", path), 5)


# --------------------------------------------------------------------------- export
@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "graphml", "gexf", "html"])
def test_export_each_format(run_cli, tmp_path, fmt):
    path = tmp_path / f"feast.{fmt}"
    _, err = ok(run_cli("export", "--format", fmt, "--focus", "tool/feast", "-o", path))
    assert err.startswith(f"wrote {path} (") and f"bytes, {fmt})" in err
    data = path.read_bytes()
    if fmt in ("ttl", "nt", "jsonld"):
        g = rdflib.Graph().parse(data=data.decode(), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
        assert (rdflib.URIRef("https://w3id.org/mlsd/id/tool/feast"), rdflib.RDFS.label, None) in g
    elif fmt in ("graphml", "gexf"):
        g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)
        assert "tool/feast" in g and g.number_of_edges() > 0
    else:
        page = data.decode()
        assert "<html" in page.lower() and "Feast" in page
        assert not any(m in page for m in REMOTE_MARKERS)


def test_export_whole_graph_as_turtle(run_cli, tmp_path, full_kg):
    path = tmp_path / "all.ttl"
    ok(run_cli("export", "--format", "ttl", "-o", path))
    assert len(rdflib.Graph().parse(path, format="turtle")) == len(full_kg)


def test_export_to_an_unwritable_path_exits_5(run_cli, tmp_path):
    _, err = fails(run_cli("export", "--format", "ttl", "-o", tmp_path / "missing" / "x.ttl"), 5)
    assert "cannot write" in err and "No such file or directory" in err
    _, err = fails(run_cli("export", "--format", "ttl", "-o", tmp_path), 5)
    assert "cannot write" in err
