"""SHACL validation of the built graph (the third layer after structure and references)."""
from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .build import load_graph, ontology_files
from .errors import ShapeError
from .vocab import to_ref

__all__ = ["ShapeResult", "load_shapes", "validate_graph", "check_graph"]


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL violation, readable."""

    shape: str
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        where = f" `{self.path}`" if self.path else ""
        return f"{self.focus}{where}: {self.message} [{self.shape}]"


def load_shapes() -> Graph:
    """The SHACL shapes graph."""
    return Graph().parse(data=ontology_files()[1].read_text(encoding="utf-8"), format="turtle")


def _short(g: Graph, node) -> str:
    if isinstance(node, URIRef):
        return to_ref(node) or g.namespace_manager.normalizeUri(node)
    return str(node)


def validate_graph(graph: Graph) -> list[ShapeResult]:
    """Validate ``graph`` (data plus vocabulary) against the shapes; return every violation.

    Examples
    --------
    >>> from mlsd.graph.load import default_data_dir
    >>> validate_graph(load_graph(default_data_dir() / "schema" / "example.yaml"))
    []
    """
    shapes = load_shapes()
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                    allow_warnings=True)
    results = []
    for r in report.subjects(SH.resultSeverity, SH.Violation):
        shape = report.value(r, SH.sourceShape)
        while shape is not None and not isinstance(shape, URIRef):  # property shapes are blank nodes
            shape = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
        path = report.value(r, SH.resultPath)
        results.append(ShapeResult(
            shape=_short(shapes, shape) if shape is not None else "?",
            focus=_short(graph, report.value(r, SH.focusNode)),
            path=_short(graph, path) if path is not None else None,
            message=str(report.value(r, SH.resultMessage) or "violation")))
    return sorted(results, key=lambda x: (x.focus, x.shape, x.message))


def check_graph(data_dir=None) -> Graph:
    """Load, build and SHACL-validate; raise :class:`ShapeError` on any violation."""
    g = load_graph(data_dir)
    results = validate_graph(g)
    if results:
        raise ShapeError(results)
    return g
