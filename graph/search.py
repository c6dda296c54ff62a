"""Ranked search over labels, synonyms and definitions.

The index is built once from the node table; a query never scans the graph. It tolerates case,
punctuation, plurals and other common suffixes, and small typos (``trainig serving skew``), and
turns free text such as "my model degrades after launch" into candidate concepts.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

__all__ = ["SearchIndex", "TrigramIndex", "normalize", "tokenize", "stem"]

_STOP = frozenset("""a an and are as at be been but by can do does for from get gets getting got has have
how i if in into is it its my of on or our so that the their them then there these they this to
too was we what when where which while who why will with without you your after before over under
very much more most less all any some not no than about up down out""".split())

#: Everyday words mapped to the stem the knowledge base uses for the same idea, applied to the
#: index and the query alike ("predictions get worse" ~ "performance degrades").
EQUIVALENT_STEMS = {
    "wors": "degrad", "drop": "degrad", "declin": "degrad", "decay": "degrad", "deteriorat": "degrad",
    "decreas": "degrad", "fall": "degrad", "launch": "deploy", "ship": "deploy", "rollout": "deploy",
    "releas": "deploy", "scarc": "lack", "insufficient": "lack", "few": "lack", "enough": "lack",
    "shortag": "lack", "slow": "latency", "laggy": "latency", "biased": "bias", "unfair": "fair",
    "leak": "leakag", "imbalanc": "imbalanc", "unbalanc": "imbalanc", "skewed": "imbalanc",
}

_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ness", "ies", "ied", "es", "ed", "ly", "s", "e")


def normalize(text: str) -> str:
    """Lower-case, and replace punctuation by spaces.

    Examples
    --------
    >>> normalize("Train/Serve  Skew!")
    'train serve skew'
    """
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to equate plurals and verb forms.

    Examples
    --------
    >>> [stem(w) for w in ("degrades", "degraded", "degrade", "labels", "labeling", "shift")]
    ['degrad', 'degrad', 'degrad', 'label', 'label', 'shift']
    """
    for suf in _SUFFIXES:
        if len(word) - len(suf) >= 4 and word.endswith(suf):
            word = word[: -len(suf)] + ("y" if suf in ("ies", "ied") else "")
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Stemmed, stop-word-free tokens, with everyday words mapped by :data:`EQUIVALENT_STEMS`.

    Examples
    --------
    >>> tokenize("My model degrades after launch")
    ['model', 'degrad', 'deploy']
    >>> tokenize("not enough labels")
    ['lack', 'label']
    """
    out = []
    for t in normalize(text).split():
        if t in _STOP and t not in EQUIVALENT_STEMS:
            continue
        st = stem(t)
        out.append(EQUIVALENT_STEMS.get(st, EQUIVALENT_STEMS.get(t, st)))
    return out


class SearchIndex:
    """An inverted index over node names (label and synonyms) and texts (definitions).

    Parameters
    ----------
    nodes : iterable of dict
        Each with ``ref``, ``label``, ``kind``, ``synonyms`` (list) and ``text``.
    """

    NAME_WEIGHT, TEXT_WEIGHT = 3.0, 1.0

    #: How much a word match counts per kind: people search for problems and techniques far more
    #: often than for the section titles or reading-list entries that happen to share a word.
    KIND_PRIOR = {"problem": 1.0, "technique": 0.9, "concept": 0.85, "tool": 0.9, "decision": 0.8,
                  "category": 0.75, "stage": 0.75, "role": 0.75, "chapter": 0.7, "section": 0.65,
                  "resource": 0.55, "book": 0.5}

    def __init__(self, nodes: Iterable[dict]):
        self.nodes = {n["ref"]: n for n in nodes}
        self.names: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # normalized name → (ref, is_label)
        postings: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for ref, n in self.nodes.items():
            self.names[normalize(n["label"])].append((ref, True))
            for syn in n.get("synonyms", []):
                self.names[normalize(syn)].append((ref, False))
            name_tokens = set(tokenize(" ".join([n["label"], *n.get("synonyms", [])])))
            for t in name_tokens:
                postings[t][ref] += self.NAME_WEIGHT
            for t in set(tokenize(n.get("text") or "")) - name_tokens:
                postings[t][ref] += self.TEXT_WEIGHT
        n_docs = max(len(self.nodes), 1)
        self.n_docs = n_docs
        self.idf = {t: math.log(1 + n_docs / len(p)) for t, p in postings.items()}
        self.postings = {t: {r: w * self.idf[t] for r, w in p.items()} for t, p in postings.items()}
        self.vocabulary = list(self.postings)
        self.name_keys = list(self.names)
        # scoring runs on arrays: node positions and weights per term, summed with bincount
        self.refs = list(self.nodes)
        pos = {r: i for i, r in enumerate(self.refs)}
        self.prior = np.array([self.KIND_PRIOR.get(self.nodes[r]["kind"], 0.7) for r in self.refs])
        self.kinds = np.array([self.nodes[r]["kind"] for r in self.refs], dtype=object)
        self.arrays = {t: (np.fromiter((pos[r] for r in p), dtype=np.int32, count=len(p)),
                           np.fromiter(p.values(), dtype=np.float64, count=len(p)))
                       for t, p in self.postings.items()}
        self.fuzzy_names = TrigramIndex(self.name_keys)
        self.fuzzy_words = TrigramIndex(self.vocabulary)

    def _idf(self, token: str) -> float:
        """Inverse document frequency; unknown words count as the rarest."""
        return self.idf.get(token, math.log(1 + self.n_docs))

    def _expand(self, token: str) -> list[tuple[str, float]]:
        if token in self.postings:
            return [(token, 1.0)]
        if len(token) < 4:
            return []
        return [(t, s / 100.0) for t, s, _ in self.fuzzy_words.extract(token, limit=3, cutoff=80)]

    def search(self, text: str, *, kinds: Iterable[str] | None = None, limit: int = 10) -> list[dict]:
        """Rank nodes for ``text``; scores are in (0, 1], 1 meaning an exact name match.

        Examples
        --------
        >>> idx = SearchIndex([
        ...     {"ref": "problem/a", "label": "Training-serving skew", "kind": "problem",
        ...      "synonyms": ["train/serve skew"], "text": "Features differ online."},
        ...     {"ref": "problem/b", "label": "Data leakage", "kind": "problem",
        ...      "synonyms": [], "text": "Target information leaks into features."}])
        >>> [(m["ref"], m["score"]) for m in idx.search("Train/Serve skew")]
        [('problem/a', 1.0)]
        >>> idx.search("trainig serving skew")[0]["ref"]
        'problem/a'
        """
        kinds = set(kinds) if kinds else None
        query = normalize(text)
        if not query:
            return []
        scores: dict[str, float] = {}
        why: dict[str, str] = {}

        def offer(ref: str, score: float, reason: str) -> None:
            if (kinds is None or self.nodes[ref]["kind"] in kinds) and score > scores.get(ref, 0.0):
                scores[ref], why[ref] = score, reason

        for ref, is_label in self.names.get(query, []):
            offer(ref, 1.0, "label" if is_label else "synonym")
        if len(query) >= 5:
            for key, s, _ in self.fuzzy_names.extract(query, limit=5, cutoff=85):
                for ref, is_label in self.names[key]:
                    offer(ref, 0.9 * s / 100.0, "label (close spelling)" if is_label else "synonym (close spelling)")
        tokens = tokenize(text)
        ids, weights = [], []
        for tok in tokens:
            for term, sim in self._expand(tok):
                i, w = self.arrays[term]
                ids.append(i)
                weights.append(w * sim)
        if ids:
            acc = np.bincount(np.concatenate(ids), weights=np.concatenate(weights), minlength=len(self.refs))
            # normalise by the best possible score: every query word in the name
            best = max(sum(self.NAME_WEIGHT * self._idf(t) for t in tokens), 1e-9)
            score = np.round(np.minimum(0.85, 0.85 * self.prior * np.minimum(acc / best, 1.0) + 0.05), 3)
            score[acc == 0] = 0.0
            if kinds is not None:
                score[~np.isin(self.kinds, list(kinds))] = 0.0
            k = min(limit + len(scores), len(score))
            if k:  # only the top k can make the list: no full sort
                threshold = np.partition(score, len(score) - k)[len(score) - k]
                for i in np.nonzero(score >= max(threshold, 1e-12))[0]:
                    offer(self.refs[i], float(score[i]), "words")
        prior = lambda ref: self.KIND_PRIOR.get(self.nodes[ref]["kind"], 0.7)  # noqa: E731
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -prior(kv[0]), self.nodes[kv[0]]["label"].lower(), kv[0]))[:limit]
        return [{"id": ref, "ref": ref, "label": self.nodes[ref]["label"], "type": self.nodes[ref]["kind"],
                 "score": round(score, 3), "matched": why[ref]} for ref, score in ranked]


class TrigramIndex:
    """Candidates for typo-tolerant matching: the strings sharing most character trigrams with a query.

    Comparing a query with every name is what made search slow on large graphs; the edit-distance
    ratio is computed only for the ``K`` strings with most trigrams in common.

    Examples
    --------
    >>> TrigramIndex(["training serving skew", "data leakage"]).extract("trainig serving skew", limit=1, cutoff=80)[0][0]
    'training serving skew'
    """

    K = 256

    def __init__(self, keys):
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

    def extract(self, query: str, *, limit: int, cutoff: float) -> list[tuple[str, float, int]]:
        """Up to ``limit`` (string, ratio, position) with a ratio of at least ``cutoff`` (0-100)."""
        lists = [self.grams[g] for g in self._grams(query) if g in self.grams]
        if not lists:
            return []
        counts = np.bincount(np.concatenate(lists), minlength=len(self.keys))
        k = min(self.K, len(counts))
        top = np.argpartition(counts, len(counts) - k)[len(counts) - k:]
        candidates = [self.keys[i] for i in top if counts[i] > 0]
        return process.extract(query, candidates, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
