"""Exports: RDF (ttl, nt, jsonld), GraphML, GEXF and an offline, inert HTML page."""
from __future__ import annotations

import io
import json
import re

import networkx as nx
import pytest
import rdflib

from mlsd.graph.errors import ExportError
from mlsd.graph.export import FORMATS, STYLE, export_graph, to_html
from mlsd.graph.vocab import KINDS

ID = "https://w3id.org/mlsd/id/"
XSS = "<img src=x onerror=alert(1)>"
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _rdf(data: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data.decode("utf-8"), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_whole_graph_as_rdf_round_trips(example_kg, fmt):
    g = _rdf(export_graph(example_kg, fmt), fmt)
    assert len(g) == len(example_kg)
    assert (rdflib.URIRef(ID + "tool/evidently"), rdflib.URIRef("https://w3id.org/mlsd/ontology#solves"),
            rdflib.URIRef(ID + "problem/data-distribution-shift")) in g


def test_turtle_uses_the_mlsd_prefixes(example_kg):
    text = export_graph(example_kg, "ttl").decode()
    assert "@prefix mlsd: <https://w3id.org/mlsd/ontology#>" in text


def test_jsonld_has_a_context(example_kg):
    doc = json.loads(export_graph(example_kg, "jsonld"))
    assert doc["@context"]["mlsd"] == "https://w3id.org/mlsd/ontology#"


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_focused_rdf_holds_only_the_neighbourhood(example_kg, fmt):
    from mlsd.graph.network import subgraph_around
    keep = {ID + ref for ref in subgraph_around(example_kg, "tool/evidently", 1)}
    g = _rdf(export_graph(example_kg, fmt, focus="tool/evidently"), fmt)
    subjects = {str(s) for s in g.subjects()}
    assert ID + "tool/evidently" in subjects
    assert subjects <= keep
    assert len(g) < len(example_kg)


def test_focused_rdf_keeps_decision_options(example_kg):
    g = _rdf(export_graph(example_kg, "nt", focus="decision/monitoring-granularity", depth=0), "nt")
    assert ID + "decision/monitoring-granularity/option-1" in {str(s) for s in g.subjects()}


@pytest.mark.parametrize(("fmt", "reader"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_read_back(example_kg, fmt, reader):
    data = export_graph(example_kg, fmt)
    g = reader(io.BytesIO(data))
    assert set(g.nodes) == set(example_kg.nx.nodes)
    assert g.number_of_edges() == example_kg.nx.number_of_edges()
    assert g.nodes["tool/evidently"]["label"] == "Evidently"
    if fmt == "graphml":
        assert g.nodes["tool/evidently"]["kind"] == "tool"
    predicates = {d.get("predicate") for _, _, d in g.edges(data=True)}
    assert "solves" in predicates


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_focused_network_exports(full_kg, fmt):
    data = export_graph(full_kg, fmt, focus="tool/feast", depth=1)
    g = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}[fmt](io.BytesIO(data))
    assert "tool/feast" in g and "problem/training-serving-skew" in g
    assert len(g) < len(full_kg.nx)


def test_html_export_is_offline(example_kg):
    page = export_graph(example_kg, "html").decode()
    assert page.lstrip().lower().startswith("<html") or "<!doctype html" in page.lower()[:200]
    assert not REMOTE.search(page), REMOTE.search(page)
    assert "<title>mlsd graph</title>" in page
    assert "vis.DataSet" in page  # vis-network is inlined


def test_html_title_names_the_focus(example_kg):
    page = export_graph(example_kg, "html", focus="tool/evidently").decode()
    assert "<title>mlsd: Evidently</title>" in page


def _tiny(label: str, kind: str = "tool") -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("tool/x", label=label, kind=kind)
    g.add_node("problem/y", label="Plain", kind="problem")
    g.add_edge("tool/x", "problem/y", key="solves", predicate="solves")
    return g


@pytest.mark.parametrize("label", [XSS, "</script><script>alert(2)</script>", '"><svg onload=alert(3)>'])
def test_html_renders_labels_inert(label):
    page = to_html(_tiny(label)).decode()
    assert label not in page
    assert not re.search(r"<(img|svg)\b", page, re.I)
    plain = to_html(_tiny("plain label")).decode()
    assert page.count("<script") == plain.count("<script") and page.count("</script>") == plain.count("</script>")
    assert "\\u003c" in page  # the label reaches the page JSON-escaped


def test_html_xss_label_is_json_escaped():
    page = to_html(_tiny(XSS)).decode()
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    assert "<img" not in page


def test_html_title_is_escaped():
    page = to_html(_tiny("ok"), title=f"mlsd: {XSS}").decode()
    assert "<title>mlsd: &lt;img src=x onerror=alert(1)&gt;</title>" in page
    assert "<img" not in page


def test_html_has_no_remote_script_or_stylesheet():
    page = to_html(_tiny("ok")).decode()
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page, re.I):
        assert not REMOTE.search(tag), tag


def test_style_covers_every_kind():
    assert set(KINDS) <= set(STYLE)
    for colour, shape in STYLE.values():
        assert re.fullmatch(r"#[0-9a-f]{6}", colour) and shape


def test_unknown_format(example_kg):
    with pytest.raises(ExportError, match=r"unknown format `pdf`; choose one of ttl, nt, jsonld, graphml, gexf, html"):
        export_graph(example_kg, "pdf")


def test_writes_to_a_path(example_kg, tmp_path):
    for fmt, (suffix, _) in FORMATS.items():
        path = tmp_path / f"out{suffix}"
        data = export_graph(example_kg, fmt, path=path)
        assert path.read_bytes() == data and data


def test_unwritable_path(example_kg, tmp_path):
    with pytest.raises(ExportError, match=r"cannot write .*missing.*No such file or directory"):
        export_graph(example_kg, "ttl", path=tmp_path / "missing" / "x.ttl")


def test_unknown_focus(example_kg):
    from mlsd.graph.errors import NotFoundError
    with pytest.raises(NotFoundError):
        export_graph(example_kg, "ttl", focus="qqzzxx")


def test_html_title_uses_the_resolved_focus(example_kg):
    page = export_graph(example_kg, "html", focus="evidently").decode()
    assert "<title>mlsd: Evidently</title>" in page
