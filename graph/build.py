"""Turn checked records into an RDF graph with rdflib.

The mapping from YAML fields to RDF terms lives here and nowhere else; ``data/schema/example.yaml``
documents the fields and ``ontology/mlsd.ttl`` the terms.
"""
from __future__ import annotations

from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from .licenses import PROPRIETARY
from .load import Records, load_records
from .vocab import CLASS_OF, DCTERMS, DOAP, ID, MLSD, PREFIXES, RDF, RDFS, SCHEMA, SKOS, SPDX, split_ref, to_iri

__all__ = ["build_graph", "load_ontology", "load_graph", "ontology_files"]

#: The SKOS concept scheme every concept belongs to.
SCHEME = ID["scheme/mlsd"]

#: YAML list field → predicate, for fields whose values are references.
_REF_PREDICATES = {
    "discussed_in": MLSD.discussedIn, "stages": MLSD.stage, "broader": SKOS.broader,
    "related": SKOS.related, "solves": MLSD.solves, "prerequisites": MLSD.prerequisite,
    "implements": MLSD.implements, "about": MLSD.about,
}


def ontology_files() -> list:
    """The Turtle files of the vocabulary and shapes, as importlib resources."""
    root = resources.files("mlsd.ontology")
    return [root.joinpath(n) for n in ("mlsd.ttl", "shapes.ttl")]


def load_ontology(graph: Graph | None = None) -> Graph:
    """Parse the mlsd vocabulary (not the shapes) into ``graph``."""
    graph = graph if graph is not None else Graph()
    graph.parse(data=ontology_files()[0].read_text(encoding="utf-8"), format="turtle")
    return graph


def _ref(value: str) -> URIRef:
    return to_iri(*split_ref(value))


def _text(graph: Graph, node, pred, value) -> None:
    if value not in (None, ""):
        graph.add((node, pred, Literal(" ".join(str(value).split()), lang="en")))


def _concept(g: Graph, node, it: dict) -> None:
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.inScheme, SCHEME))
    _text(g, node, SKOS.prefLabel, it["label"])
    _text(g, node, SKOS.definition, it.get("definition"))
    for syn in it.get("synonyms", []):
        _text(g, node, SKOS.altLabel, syn)
    for cause in it.get("caused_by", []):
        g.add((_ref(cause), MLSD.causes, node))
    for sym in it.get("symptoms", []):
        _text(g, node, MLSD.symptom, sym)
    if it.get("in_book") is False:
        g.add((node, MLSD.outsideBook, Literal(True)))


def _tool(g: Graph, node, it: dict) -> None:
    g.add((node, DOAP.name, Literal(it["label"])))
    _text(g, node, DCTERMS.description, it["description"])
    g.add((node, DOAP.homepage, URIRef(it["homepage"])))
    if it.get("repository"):
        g.add((node, DOAP.repository, URIRef(it["repository"])))
    g.add((node, MLSD.licenseId, Literal(it["license"])))
    if it["license"] != PROPRIETARY:
        g.add((node, DOAP.license, SPDX[it["license"]]))
    if it.get("language"):
        g.add((node, DOAP["programming-language"], Literal(it["language"])))
    g.add((node, MLSD.openSource, Literal(bool(it["open_source"]))))
    g.add((node, MLSD.category, _ref(it["category"])))
    for alt in it.get("alternatives", []):
        g.add((node, MLSD.alternativeTo, _ref(alt)))
        g.add((_ref(alt), MLSD.alternativeTo, node))


def _book_parts(g: Graph, kind: str, node, it: dict, recs: Records) -> None:
    if kind == "book":
        for fld, pred in (("author", SCHEMA.author), ("publisher", SCHEMA.publisher), ("isbn", SCHEMA.isbn)):
            if it.get(fld):
                g.add((node, pred, Literal(str(it[fld]))))
        if it.get("subtitle"):
            _text(g, node, SCHEMA.alternativeHeadline, it["subtitle"])
        if it.get("year"):
            g.add((node, SCHEMA.datePublished, Literal(str(it["year"]), datatype=XSD.gYear)))
    elif kind == "chapter":
        g.add((node, RDF.type, SCHEMA.Chapter))
        g.add((node, MLSD.chapterNumber, Literal(it["number"])))
        g.add((node, MLSD.pageStart, Literal(it["page"])))
        for book in recs.items["book"]:
            g.add((node, DCTERMS.isPartOf, to_iri("book", book)))
    elif kind == "section":
        g.add((node, MLSD.sectionNumber, Literal(it["id"])))
        g.add((node, MLSD.pageStart, Literal(it["page"])))
        g.add((node, DCTERMS.isPartOf, _ref(it["part_of"])))
        g.add((node, MLSD.inChapter, to_iri("chapter", it["id"].split(".")[0])))


def _decision(g: Graph, node, it: dict) -> None:
    _text(g, node, MLSD.question, it["question"])
    for n, opt in enumerate(it["options"], start=1):
        onode = ID[f"decision/{it['id']}/option-{n}"]
        g.add((node, MLSD.option, onode))
        g.add((onode, RDF.type, MLSD.DecisionOption))
        _text(g, onode, RDFS.label, opt["label"])
        _text(g, onode, DCTERMS.description, opt["description"])
        if opt.get("concept"):
            g.add((onode, MLSD.refersTo, _ref(opt["concept"])))
    for t in it["tradeoffs"]:
        _text(g, node, MLSD.tradeoff, t)


def build_graph(recs: Records, *, with_ontology: bool = True) -> Graph:
    """Build the RDF graph of ``recs`` (plus the vocabulary when ``with_ontology``).

    Examples
    --------
    >>> from mlsd.graph.load import default_data_dir
    >>> g = build_graph(load_records(default_data_dir() / "schema" / "example.yaml"))
    >>> from mlsd.graph.vocab import MLSD, to_iri
    >>> (to_iri("tool", "evidently"), MLSD.solves, to_iri("problem", "data-distribution-shift")) in g
    True
    """
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    if with_ontology:
        load_ontology(g)
    g.add((SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((SCHEME, RDFS.label, Literal("mlsd concepts", lang="en")))
    for kind, table in recs.items.items():
        for slug, it in table.items():
            node = to_iri(kind, slug)
            g.add((node, RDF.type, CLASS_OF[kind]))
            _text(g, node, RDFS.label, it["label"])
            _text(g, node, DCTERMS.description, it.get("description"))
            for fld, pred in _REF_PREDICATES.items():
                for ref in it.get(fld, []):
                    g.add((node, pred, _ref(ref)))
            if kind in ("problem", "technique", "concept"):
                _concept(g, node, it)
            elif kind == "tool":
                _tool(g, node, it)
            elif kind == "decision":
                _decision(g, node, it)
            elif kind in ("book", "chapter", "section"):
                _book_parts(g, kind, node, it, recs)
            elif kind == "stage":
                g.add((node, MLSD.order, Literal(it["order"])))
                for ch in it.get("chapters", []):
                    g.add((node, MLSD.stageChapter, _ref(ch)))
            elif kind == "category":
                g.add((node, RDF.type, SKOS.Concept))
            elif kind == "role":
                for c in it.get("concerns", []):
                    g.add((_ref(c), MLSD.concernOf, node))
            elif kind == "resource":
                g.add((node, SCHEMA.url, URIRef(it["url"])))
                g.add((node, MLSD.forChapter, _ref(it["chapter"])))
                if it.get("source"):
                    g.add((node, DCTERMS.source, Literal(it["source"])))
                if it.get("topic"):
                    _text(g, node, MLSD.topic, it["topic"])
    return g


def load_graph(data_dir=None, *, with_ontology: bool = True) -> Graph:
    """Load, check and build the graph of the data below ``data_dir`` in one call."""
    return build_graph(load_records(data_dir), with_ontology=with_ontology)
