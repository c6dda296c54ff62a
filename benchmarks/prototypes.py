"""Prototypes of faster paths, timed next to the real ones by benchmarks/run.py.

Nothing here is used by mlsd itself; these are proposals with numbers.

* :func:`run_prototype` / :class:`ValuesKnowledgeGraph` -- named queries run with the inputs
  in a ``VALUES`` block instead of Oxigraph ``substitutions`` (which Oxigraph applies after
  evaluating the patterns, not as an index lookup), and rewrites of the queries that miss the
  goal (:data:`QUERIES`, :data:`STRATEGY`).
* :class:`VectorSearch` -- adopted into :class:`mlsd.graph.search.SearchIndex` (NumPy scoring,
  trigram candidates for typos); now a pass-through.
"""
from __future__ import annotations


from common import with_values

__all__ = ["run_prototype", "with_branch_values", "ValuesKnowledgeGraph", "VectorSearch", "QUERIES", "STRATEGY"]


def _kg_class():
    from mlsd.graph.store import KnowledgeGraph
    return KnowledgeGraph


def run_prototype(kg, name: str, bindings: dict) -> list[dict]:
    """Run named query ``name`` the prototype way (see :data:`STRATEGY`)."""
    from mlsd.graph.sparql import load_query, to_term
    how = STRATEGY.get(name, "subst")
    q = QUERIES.get(name, load_query(name))
    terms = {k: to_term(v) for k, v in bindings.items()}
    if how == "values" and terms:
        return kg.select(with_values(q, terms))
    if how == "branch-values":
        return kg.select(with_branch_values(q, terms))
    return kg.select(q, bindings)


def with_branch_values(query: str, terms: dict) -> str:
    """Replace each ``#VALUES ?x`` marker line by ``VALUES ?x { term }`` (prototype).

    Oxigraph joins a VALUES block first inside the group it opens, but does not push a top-level
    VALUES (nor ``substitutions``) into the branches of a UNION.
    """
    lines = []
    for line in query.splitlines():
        stripped = line.strip()
        if stripped.startswith("#VALUES ?"):
            var = stripped.split("?", 1)[1].strip()
            line = line.replace(stripped, f"VALUES ?{var} {{ {terms[var]} }}")
        lines.append(line)
    return "\n".join(lines)


class ValuesKnowledgeGraph(_kg_class()):
    """``run(name, **bindings)`` through :func:`run_prototype` (prototype)."""

    def run(self, name: str, **bindings) -> list[dict]:
        return run_prototype(self, name, bindings)


class VectorSearch:
    """Adopted: :class:`mlsd.graph.search.SearchIndex` now scores on arrays with trigram candidates.

    Kept as a pass-through so run.py's prototype columns show the adopted search (and a new
    search proposal has a place to go).
    """

    def __init__(self, index):
        self.index = index

    def search(self, text: str, *, kinds=None, limit: int = 10) -> list[dict]:
        return self.index.search(text, kinds=kinds, limit=limit)


#: How each prototype runs: "values" (inputs as a top-level VALUES block), "branch-values"
#: (a VALUES block at each ``#VALUES ?x`` marker) or "subst" (the library's own binding).
#: Empty: the proposals measured on 2026-11-26 (inputs as VALUES opening each UNION branch, and the
#: rewrites of tools_for_problem, techniques_for_problem, alternatives, concepts_of_chapter,
#: concepts_per_chapter and where_discussed) are adopted in graph/ (see README, "After adopting").
STRATEGY: dict[str, str] = {}

#: Rewrites of named queries that miss the goal, timed next to the originals. Empty: adopted.
QUERIES: dict[str, str] = {}
