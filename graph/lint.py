"""Find gaps in the knowledge base: unsolved problems, concepts the book never discusses, orphans,
missing synonyms, near-duplicate labels and incomplete tools (errors), plus information such as
tools that solve nothing directly and sections with no concept.

Lint never asks for invented edges: a tool that solves no problem is reported as information only.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from rapidfuzz import fuzz

from .search import normalize
from .vocab import to_ref

__all__ = ["RULES", "lint_graph", "find_near_duplicates"]

#: rule name → (named query, level, message)
RULES = {
    "unsolved-problem": ("lint_unsolved_problems", "error", "no technique or tool solves this problem"),
    "undiscussed-concept": ("lint_undiscussed_concepts", "error", "not linked to any section of the book"),
    "orphan": ("lint_orphans", "error", "connected to nothing"),
    "problem-without-synonyms": ("lint_problems_without_synonyms", "error", "a problem needs synonyms people type"),
    "incomplete-tool": ("lint_incomplete_tools", "error", "missing {missing}"),
    "tool-solves-nothing": ("lint_tools_solving_nothing", "info", "solves no problem directly"),
    "section-without-concepts": ("lint_sections_without_concepts", "info", "no concept is linked to this section"),
    "outside-book": ("lint_outside_book", "info", "declared as not treated in the book"),
}

#: Labels must not collide within a group (sections may repeat: every chapter has a Summary).
#: Problems, techniques and concepts form one group since search mixes them; a tool category
#: named after its technique ("Feature store") or a decision option named after a concept is
#: deliberate, so other kinds are compared only with their own kind.
_GROUP = {"problem": "concept", "technique": "concept", "concept": "concept", "tool": "tool",
          "category": "category", "stage": "stage", "role": "role", "decision": "decision"}


def find_near_duplicates(nodes: dict, *, threshold: float = 94.0) -> list[tuple[str, str]]:
    """Pairs of nodes whose labels are equal or nearly equal once normalised.

    Examples
    --------
    >>> nodes = {"tool/a": {"label": "Great Expectations", "kind": "tool"},
    ...          "tool/b": {"label": "great-expectations", "kind": "tool"},
    ...          "tool/c": {"label": "Feast", "kind": "tool"}}
    >>> find_near_duplicates(nodes)
    [('tool/a', 'tool/b')]
    """
    labels = {ref: normalize(n["label"]) for ref, n in nodes.items()
              if n["kind"] in _GROUP and "/option-" not in ref}
    buckets = defaultdict(list)
    for ref, lab in labels.items():
        buckets[(_GROUP[nodes[ref]["kind"]], lab[:3])].append(ref)
    pairs = set()
    for refs in buckets.values():
        for a, b in combinations(sorted(refs), 2):
            la, lb = labels[a], labels[b]
            if la == lb or (min(len(la), len(lb)) >= 8 and fuzz.ratio(la, lb) >= threshold):
                pairs.add((a, b))
    return sorted(pairs)


def lint_graph(kg) -> dict:
    """Run every lint rule.

    Returns
    -------
    dict
        ``errors`` and ``infos``: lists of ``{"rule", "item", "label", "message"}``.
    """
    out = {"errors": [], "infos": []}
    for rule, (query, level, message) in RULES.items():
        for r in kg.run(query):
            out[level + "s"].append({"rule": rule, "item": to_ref(r["item"]), "label": r["label"],
                                     "message": message.format(**r)})
    for a, b in find_near_duplicates(kg.nodes):
        out["errors"].append({"rule": "near-duplicate-label", "item": a, "label": kg.label(a),
                              "message": f"label is (nearly) the same as {b} `{kg.label(b)}`"})
    return out
