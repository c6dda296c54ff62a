"""Namespaces, item kinds and IRIs of the mlsd vocabulary.

Instances live at ``https://w3id.org/mlsd/id/{kind}/{slug}``; the vocabulary itself at
``https://w3id.org/mlsd/ontology#``. This module is the one place that knows both.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, DOAP, OWL, RDF, RDFS, SKOS, XSD

__all__ = [
    "MLSD", "ID", "SCHEMA", "SPDX", "PROV", "PREFIXES", "KINDS", "SECTION_KEYS", "CLASS_OF",
    "to_iri", "to_ref", "to_kind", "split_ref",
    "DCTERMS", "DOAP", "OWL", "RDF", "RDFS", "SKOS", "XSD",
]

MLSD = Namespace("https://w3id.org/mlsd/ontology#")
ID = Namespace("https://w3id.org/mlsd/id/")
SCHEMA = Namespace("https://schema.org/")
SPDX = Namespace("http://spdx.org/licenses/")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: Prefixes pre-declared for every query (CLI, app editor, endpoint examples).
PREFIXES = {
    "mlsd": str(MLSD), "id": str(ID), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL),
    "skos": str(SKOS), "dcterms": str(DCTERMS), "doap": str(DOAP), "schema": str(SCHEMA),
    "xsd": str(XSD), "spdx": str(SPDX), "prov": str(PROV),
}

#: Top-level keys of a data file → the kind of item they hold.
SECTION_KEYS = {
    "book": "book", "chapters": "chapter", "sections": "section", "stages": "stage",
    "categories": "category", "roles": "role", "problems": "problem", "techniques": "technique",
    "concepts": "concept", "tools": "tool", "resources": "resource", "decisions": "decision",
}

#: Every kind of item, in the order the loader builds them.
KINDS = tuple(SECTION_KEYS.values())

#: The main class of each kind.
CLASS_OF = {
    "book": SCHEMA.Book, "chapter": MLSD.Chapter, "section": MLSD.Section,
    "stage": MLSD.LifecycleStage, "category": MLSD.ToolCategory, "role": MLSD.Role,
    "problem": MLSD.Problem, "technique": MLSD.Technique, "concept": MLSD.Concept,
    "tool": MLSD.Tool, "resource": MLSD.Resource, "decision": MLSD.Decision,
}


def to_iri(kind: str, slug: str) -> URIRef:
    """Return the IRI of item ``slug`` of ``kind``.

    Examples
    --------
    >>> str(to_iri("problem", "data-leakage"))
    'https://w3id.org/mlsd/id/problem/data-leakage'
    """
    return ID[f"{kind}/{slug}"]


def split_ref(ref: str) -> tuple[str, str]:
    """Split a ``kind/slug`` reference.

    Examples
    --------
    >>> split_ref("section/8.2.1")
    ('section', '8.2.1')
    """
    kind, _, slug = ref.partition("/")
    return kind, slug


def to_ref(iri: str) -> str | None:
    """Return the ``kind/slug`` reference of an instance IRI, or None for other IRIs.

    Examples
    --------
    >>> to_ref("https://w3id.org/mlsd/id/tool/feast")
    'tool/feast'
    >>> to_ref("https://example.org/x") is None
    True
    """
    s = str(iri)
    return s[len(str(ID)):] if s.startswith(str(ID)) else None


def to_kind(iri: str) -> str | None:
    """Return the kind of an instance IRI.

    Examples
    --------
    >>> to_kind("https://w3id.org/mlsd/id/chapter/8")
    'chapter'
    """
    ref = to_ref(iri)
    return split_ref(ref)[0] if ref else None
