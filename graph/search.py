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

from rapidfuzz import fuzz, process

__all__ = ["SearchIndex", "normalize", "tokenize", "stem"]

_STOP = frozenset("""a an and are as at be been but by can do does for from get gets getting got has have
how i if in into is it its my of on or our so that the their them then there these they this to
too was we what when where which while who why will with without you your after before over under
very much more most less all any some not no than about up down out""".split())

_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ness", "ies", "ied", "es", "ed", "ly", "s", "e")


def normalize(text: str) -> str:
    """Lower-case, and replace punctuation by spaces.

    Examples
    --------
    >>> normalize("Train/Serve  Skew!")
    'train serve skew'
    """
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


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
    """Stemmed, stop-word-free tokens.

    Examples
    --------
    >>> tokenize("My model degrades after launch")
    ['model', 'degrad', 'launch']
    """
    return [stem(t) for t in normalize(text).split() if t not in _STOP]


class SearchIndex:
    """An inverted index over node names (label and synonyms) and texts (definitions).

    Parameters
    ----------
    nodes : iterable of dict
        Each with ``ref``, ``label``, ``kind``, ``synonyms`` (list) and ``text``.
    """

    NAME_WEIGHT, TEXT_WEIGHT = 3.0, 1.0

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
        self.postings = {t: {r: w * math.log(1 + n_docs / len(p)) for r, w in p.items()} for t, p in postings.items()}
        self.vocabulary = list(self.postings)
        self.name_keys = list(self.names)

    def _expand(self, token: str) -> list[tuple[str, float]]:
        if token in self.postings:
            return [(token, 1.0)]
        if len(token) < 4:
            return []
        found = process.extract(token, self.vocabulary, scorer=fuzz.ratio, limit=3, score_cutoff=80)
        return [(t, s / 100.0) for t, s, _ in found]

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
            for key, s, _ in process.extract(query, self.name_keys, scorer=fuzz.ratio, limit=5, score_cutoff=85):
                for ref, is_label in self.names[key]:
                    offer(ref, 0.9 * s / 100.0, "label (close spelling)" if is_label else "synonym (close spelling)")
        tokens = tokenize(text)
        acc: dict[str, float] = defaultdict(float)
        for tok in tokens:
            for term, sim in self._expand(tok):
                for ref, w in self.postings[term].items():
                    acc[ref] += w * sim
        if acc:
            best = max(self.NAME_WEIGHT * math.log(1 + len(self.nodes)) * len(tokens), 1e-9)
            for ref, s in acc.items():
                offer(ref, min(0.85, 0.85 * s / best + 0.1), "words")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.nodes[kv[0]]["label"].lower()))[:limit]
        return [{"id": ref, "ref": ref, "label": self.nodes[ref]["label"], "type": self.nodes[ref]["kind"],
                 "score": round(score, 3), "matched": why[ref]} for ref, score in ranked]
