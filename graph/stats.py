"""Counts and coverage of the knowledge graph: by class, by property, per chapter, category and stage."""
from __future__ import annotations

from .network import short_predicate

__all__ = ["COVERAGE_QUERIES", "compute_stats"]

#: Coverage tables, each a named query returning ?key ?label ?count.
COVERAGE_QUERIES = ("concepts_per_chapter", "tools_per_category", "tools_per_stage", "problems_per_stage")


def compute_stats(kg) -> dict:
    """Counts by class and property, and coverage tables.

    Returns
    -------
    dict
        ``triples``; ``classes`` and ``properties`` (name → count); and for each coverage table
        (``concepts_per_chapter``, ``tools_per_category``, ``tools_per_stage``,
        ``problems_per_stage``) a list of ``{"id", "label", "count"}``.
    """
    out = {
        "triples": len(kg),
        "classes": {short_predicate(r["class"]): r["count"] for r in kg.run("class_counts")},
        "properties": {short_predicate(r["property"]): r["count"] for r in kg.run("property_counts")},
    }
    from .vocab import to_ref
    for name in COVERAGE_QUERIES:
        out[name] = [{"id": to_ref(r["key"]), "label": r["label"], "count": r["count"]} for r in kg.run(name)]
    return out
