"""Prototypes of faster paths, timed next to the real ones by benchmarks/run.py.

Nothing here is used by mlsd itself; these are proposals with numbers.

* :func:`run_prototype` / :class:`ValuesKnowledgeGraph` -- named queries run with the inputs
  in a ``VALUES`` block instead of Oxigraph ``substitutions`` (which Oxigraph applies after
  evaluating the patterns, not as an index lookup), and rewrites of the queries that miss the
  goal (:data:`QUERIES`, :data:`STRATEGY`).
* :class:`VectorSearch` -- the ranking of :class:`mlsd.graph.search.SearchIndex` with the
  word-score accumulation and the top-k selection done with NumPy (``bincount`` and
  ``argpartition``) instead of Python dicts and a full sort; the typo-tolerant passes (fuzzy
  names, fuzzy words) score only the 256 names/words sharing most character trigrams with the
  query instead of every name (an approximation: the benchmark checks the top 10 are the same).
"""
from __future__ import annotations

from collections import defaultdict

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
    """Same ranking as ``SearchIndex.search`` (checked by the benchmark), vectorized.

    Parameters
    ----------
    index : mlsd.graph.search.SearchIndex
        A built index; its postings, names and priors are reused, not recomputed.
    """

    def __init__(self, index):
        import numpy as np
        self.np = np
        self.index = index
        self.refs = list(index.nodes)
        pos = {r: i for i, r in enumerate(self.refs)}
        self.prior = np.array([index.KIND_PRIOR.get(index.nodes[r]["kind"], 0.7) for r in self.refs])
        kinds = sorted({index.nodes[r]["kind"] for r in self.refs})
        self.kind_code = {k: i for i, k in enumerate(kinds)}
        self.kind = np.array([self.kind_code[index.nodes[r]["kind"]] for r in self.refs], dtype=np.int16)
        self.postings = {t: (np.fromiter((pos[r] for r in p), dtype=np.int32, count=len(p)),
                             np.fromiter(p.values(), dtype=np.float64, count=len(p)))
                         for t, p in index.postings.items()}
        self.names = _TrigramIndex(index.name_keys)
        self.vocab = _TrigramIndex(index.vocabulary)

    def _fuzzy_names(self, query: str):
        return self.names.extract(query, limit=5, cutoff=85)

    def _expand(self, token: str) -> list[tuple[str, float]]:
        if token in self.index.postings:
            return [(token, 1.0)]
        if len(token) < 4:
            return []
        return [(t, s / 100.0) for t, s, _ in self.vocab.extract(token, limit=3, cutoff=80)]

    def search(self, text: str, *, kinds=None, limit: int = 10) -> list[dict]:
        from mlsd.graph.search import normalize, tokenize
        np, idx = self.np, self.index
        query = normalize(text)
        if not query:
            return []
        kinds = set(kinds) if kinds else None
        scores: dict[str, float] = {}
        why: dict[str, str] = {}

        def offer(ref, score, reason):
            if (kinds is None or idx.nodes[ref]["kind"] in kinds) and score > scores.get(ref, 0.0):
                scores[ref], why[ref] = score, reason

        for ref, is_label in idx.names.get(query, []):
            offer(ref, 1.0, "label" if is_label else "synonym")
        if len(query) >= 5:
            for key, s, _ in self._fuzzy_names(query):
                for ref, is_label in idx.names[key]:
                    offer(ref, 0.9 * s / 100.0, "label (close spelling)" if is_label else "synonym (close spelling)")
        tokens = tokenize(text)
        ids, ws = [], []
        for tok in tokens:
            for term, sim in self._expand(tok):
                i, w = self.postings[term]
                ids.append(i)
                ws.append(w * sim)
        if ids:
            acc = np.bincount(np.concatenate(ids), weights=np.concatenate(ws), minlength=len(self.refs))
            best = max(sum(idx.NAME_WEIGHT * idx._idf(t) for t in tokens), 1e-9)
            sc = np.round(np.minimum(0.85, 0.85 * self.prior * np.minimum(acc / best, 1.0) + 0.05), 3)
            sc[acc == 0] = 0.0
            if kinds is not None:
                sc[~np.isin(self.kind, [self.kind_code[k] for k in kinds if k in self.kind_code])] = 0.0
            k = min(limit + len(scores), len(sc))
            if k:
                thr = np.partition(sc, len(sc) - k)[len(sc) - k]
                for i in np.nonzero(sc >= max(thr, 1e-12))[0]:
                    offer(self.refs[i], float(sc[i]), "words")
        prior = lambda ref: idx.KIND_PRIOR.get(idx.nodes[ref]["kind"], 0.7)  # noqa: E731
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -prior(kv[0]), idx.nodes[kv[0]]["label"].lower(), kv[0]))[:limit]
        return [{"id": ref, "ref": ref, "label": idx.nodes[ref]["label"], "type": idx.nodes[ref]["kind"],
                 "score": round(score, 3), "matched": why[ref]} for ref, score in ranked]


class _TrigramIndex:
    """Candidate generation for fuzzy matching: strings sharing most character trigrams."""

    K = 256

    def __init__(self, keys):
        import numpy as np
        self.np = np
        self.keys = list(keys)
        grams = defaultdict(list)
        for i, key in enumerate(self.keys):
            for g in self._grams(key):
                grams[g].append(i)
        self.grams = {g: np.array(ids, dtype=np.int32) for g, ids in grams.items()}

    @staticmethod
    def _grams(text: str) -> set[str]:
        t = f" {text} "
        return {t[i:i + 3] for i in range(len(t) - 2)}

    def extract(self, query: str, *, limit: int, cutoff: float):
        from rapidfuzz import fuzz, process
        np = self.np
        lists = [self.grams[g] for g in self._grams(query) if g in self.grams]
        if not lists:
            return []
        counts = np.bincount(np.concatenate(lists), minlength=len(self.keys))
        k = min(self.K, len(counts))
        top = np.argpartition(counts, len(counts) - k)[len(counts) - k:]
        cands = [self.keys[i] for i in top if counts[i] > 0]
        return process.extract(query, cands, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)


#: How each prototype runs: "values" (inputs as a top-level VALUES block), "branch-values"
#: (a VALUES block at each ``#VALUES ?x`` marker) or "subst" (Oxigraph substitutions, as now).
STRATEGY = {"tools_for_problem": "branch-values", "neighborhood": "values", "node_details": "values",
            "tools_implementing": "values", "where_discussed": "subst", "concepts_per_chapter": "subst",
            "alternatives": "branch-values", "concepts_of_chapter": "branch-values",
            "techniques_for_problem": "branch-values"}

#: Rewrites of named queries that miss the goal, timed next to the originals (same rows expected,
#: except concepts_of_chapter: see there).
QUERIES = {
    # the label join inside each branch, the input as VALUES opening each branch
    "alternatives": """
SELECT ?tool ?alt ?label ?reason (COUNT(DISTINCT ?p) AS ?shared) WHERE {
  {
    #VALUES ?tool
    ?tool mlsd:alternativeTo ?alt . ?alt rdfs:label ?label .
    BIND("declared" AS ?reason)
    OPTIONAL { ?tool mlsd:solves ?p . ?alt mlsd:solves ?p }
  } UNION {
    #VALUES ?tool
    ?tool mlsd:category ?cat ; mlsd:solves ?p .
    ?alt mlsd:solves ?p ; mlsd:category ?cat ; rdfs:label ?label .
    FILTER(?alt != ?tool)
    FILTER NOT EXISTS { ?tool mlsd:alternativeTo ?alt }
    BIND("same category and problem" AS ?reason)
  }
}
GROUP BY ?tool ?alt ?label ?reason
ORDER BY ?reason DESC(?shared) ?label""",
    # the chapter first (sections of it, or the chapter itself), then the concepts. Also a fix:
    # in the original, `{ FILTER(?section = ?chapter) }` filters an empty group where neither
    # variable is bound, so concepts discussed at chapter level (not in a section) never appear.
    "concepts_of_chapter": """
SELECT DISTINCT ?chapter ?concept ?label ?type ?section ?number ?page WHERE {
  {
    #VALUES ?chapter
    ?section mlsd:inChapter ?chapter .
  } UNION {
    #VALUES ?chapter
    BIND(?chapter AS ?section)
  }
  ?concept mlsd:discussedIn ?section ; rdfs:label ?label ; a ?type .
  FILTER(?type IN (mlsd:Problem, mlsd:Technique, mlsd:Concept))
  ?section mlsd:pageStart ?page .
  OPTIONAL { ?section mlsd:sectionNumber ?n }
  BIND(COALESCE(?n, "") AS ?number)
}
ORDER BY ?page ?label""",
    # the tool pattern inside each branch, and the input as VALUES opening each branch: the
    # original joins all tools with the whole (unbound) union
    "tools_for_problem": """
SELECT DISTINCT ?problem ?tool ?toolLabel ?via ?mid ?midLabel WHERE {
  {
    #VALUES ?problem
    ?tool mlsd:solves ?problem ; a mlsd:Tool ; rdfs:label ?toolLabel .
    BIND("solves" AS ?via)
  } UNION {
    #VALUES ?problem
    ?mid mlsd:solves ?problem ; rdfs:label ?midLabel .
    ?tool mlsd:implements ?mid ; a mlsd:Tool ; rdfs:label ?toolLabel .
    BIND("technique" AS ?via)
  } UNION {
    #VALUES ?problem
    ?mid skos:broader+ ?problem ; rdfs:label ?midLabel .
    ?tool mlsd:solves ?mid ; a mlsd:Tool ; rdfs:label ?toolLabel .
    BIND("narrower" AS ?via)
  } UNION {
    #VALUES ?problem
    ?mid mlsd:causes ?problem ; rdfs:label ?midLabel .
    ?tool mlsd:solves ?mid ; a mlsd:Tool ; rdfs:label ?toolLabel .
    BIND("cause" AS ?via)
  }
}""",
    # the technique pattern inside each branch, the input as VALUES opening each branch
    "techniques_for_problem": """
SELECT DISTINCT ?problem ?technique ?label ?definition WHERE {
  {
    #VALUES ?problem
    ?technique mlsd:solves ?problem ; a mlsd:Technique ; rdfs:label ?label .
    OPTIONAL { ?technique skos:definition ?definition }
  } UNION {
    #VALUES ?problem
    ?sub skos:broader+ ?problem . ?technique mlsd:solves ?sub ; a mlsd:Technique ; rdfs:label ?label .
    OPTIONAL { ?technique skos:definition ?definition }
  }
}""",
    # count per chapter in one grouped sub-select that starts from the sections of each chapter,
    # instead of an OPTIONAL evaluated per chapter and class over every concept; also counts
    # concepts discussed at chapter level (the original's empty-group FILTER never matches them)
    "concepts_per_chapter": """
SELECT ?key ?label ?count WHERE {
  ?key a mlsd:Chapter ; rdfs:label ?label ; mlsd:chapterNumber ?n .
  OPTIONAL { SELECT ?key (COUNT(DISTINCT ?c) AS ?found) WHERE {
      VALUES ?type { mlsd:Problem mlsd:Technique mlsd:Concept }
      ?c a ?type ; mlsd:discussedIn ?place .
      { ?place mlsd:inChapter ?key } UNION { ?place mlsd:chapterNumber ?x . BIND(?place AS ?key) }
  } GROUP BY ?key }
  BIND(COALESCE(?found, 0) AS ?count)
} ORDER BY ?n""",
    # sections and chapters as two branches instead of OPTIONAL + COALESCE + a join on the result
    "where_discussed": """
SELECT ?concept ?place ?number ?title ?page ?chapter ?chapterNumber ?chapterTitle WHERE {
  { ?concept mlsd:discussedIn ?place .
    ?place mlsd:inChapter ?chapter ; mlsd:sectionNumber ?number ; rdfs:label ?title ; mlsd:pageStart ?page .
    ?chapter mlsd:chapterNumber ?chapterNumber ; rdfs:label ?chapterTitle }
  UNION
  { ?concept mlsd:discussedIn ?place .
    ?place mlsd:chapterNumber ?chapterNumber ; rdfs:label ?title ; mlsd:pageStart ?page .
    BIND(?place AS ?chapter) BIND(?title AS ?chapterTitle) BIND(STR(?chapterNumber) AS ?number) }
}
ORDER BY ?chapterNumber ?page ?number""",
}
