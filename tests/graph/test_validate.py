"""SHACL validation: every shape has a conforming and a violating fixture graph."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from mlsd.graph.build import load_graph, load_ontology
from mlsd.graph.errors import MlsdError, ShapeError
from mlsd.graph.validate import ShapeResult, check_graph, load_shapes, validate_graph

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPES_NS = "https://w3id.org/mlsd/shapes#"


def _shape_names() -> list[str]:
    shapes = load_shapes()
    return sorted(str(s)[len(SHAPES_NS):] for s in shapes.subjects(RDF.type, SH.NodeShape)
                  if isinstance(s, URIRef) and str(s).startswith(SHAPES_NS))


SHAPES = _shape_names()


def _messages(name: str) -> set[str]:
    """Every sh:message of a shape, on its property and SPARQL constraints or on itself."""
    shapes = load_shapes()
    node = URIRef(SHAPES_NS + name)
    msgs = {str(m) for m in shapes.objects(node, SH.message)}
    for pred in (SH.property, SH.sparql):
        for c in shapes.objects(node, pred):
            msgs |= {str(m) for m in shapes.objects(c, SH.message)}
    return msgs


def _fixture(name: str, which: str) -> tuple[Graph, str]:
    path = FIXTURES / f"{name}-{which}.ttl"
    text = path.read_text(encoding="utf-8")
    g = Graph().parse(data=text, format="turtle")
    load_ontology(g)  # the shapes target classes through rdfs:subClassOf
    expect = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# expect:")), "")
    return g, expect


def test_there_are_shapes():
    assert len(SHAPES) >= 10
    assert {"LabelShape", "ToolShape", "OpenSourceToolShape", "SectionShape"} <= set(SHAPES)


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_has_fixtures_and_messages(name):
    assert (FIXTURES / f"{name}-valid.ttl").is_file(), f"add fixtures/shapes/{name}-valid.ttl"
    assert (FIXTURES / f"{name}-invalid.ttl").is_file(), f"add fixtures/shapes/{name}-invalid.ttl"
    assert _messages(name), f"shape {name} needs an sh:message"


@pytest.mark.parametrize("name", SHAPES)
def test_valid_fixture_conforms(name):
    g, _ = _fixture(name, "valid")
    assert validate_graph(g) == []


@pytest.mark.parametrize("name", SHAPES)
def test_invalid_fixture_fails_with_the_shape_message(name):
    g, expect = _fixture(name, "invalid")
    results = validate_graph(g)
    assert results, f"{name}-invalid.ttl conforms"
    assert {r.shape for r in results} == {f"shape:{name}"}, results
    messages = {r.message for r in results}
    assert messages <= _messages(name)
    assert expect in messages, f"expected `{expect}` among {messages}"


def test_result_is_readable():
    g, _ = _fixture("ToolShape", "invalid")
    (r,) = validate_graph(g)
    assert isinstance(r, ShapeResult)
    assert (r.focus, r.path) == ("tool/evidently", "mlsd:stage")
    assert str(r) == "tool/evidently `mlsd:stage`: a tool needs at least one lifecycle stage [shape:ToolShape]"


def test_sparql_result_names_the_node_shape():
    g, _ = _fixture("OpenSourceToolShape", "invalid")
    (r,) = validate_graph(g)
    assert (r.shape, r.focus) == ("shape:OpenSourceToolShape", "tool/evidently")


def test_example_data_conforms(example_path):
    assert validate_graph(load_graph(example_path)) == []


def test_check_graph_returns_the_graph(example_path):
    g = check_graph(example_path)
    assert len(g) > 0


def test_check_graph_raises_shape_error(make_data_dir):
    data = make_data_dir(patch=("sections", "8.2.3", "page", 100))
    with pytest.raises(ShapeError, match=r"1 SHACL violation\(s\):\nsection/8\.2\.3: a section cannot start before "
                                         r"the chapter or section it belongs to \[shape:SectionShape\]") as info:
        check_graph(data)
    assert isinstance(info.value, MlsdError)
    assert len(info.value.results) == 1


def test_problem_without_synonym_is_a_shape_violation(make_data_dir):
    data = make_data_dir(patch=("problems", "data-distribution-shift", "synonyms", []))
    results = validate_graph(load_graph(data))
    assert [(r.focus, r.shape) for r in results] == [("problem/data-distribution-shift", "shape:ProblemShape")]
