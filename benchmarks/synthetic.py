"""Synthetic mlsd knowledge graphs of a chosen size, written straight to N-Triples.

The graph has the vocabulary, IRI scheme and shape of the real one (``mlsd stats``): the same
kinds of nodes in the same proportions, the same predicates with the same average number per
node, skewed (power-law) choice of edge targets with topical locality, ``skos:broader`` trees,
labels/synonyms/definitions whose words follow the word frequencies of the real knowledge base
(``vocabulary.json``, extracted from it) with a growing tail of made-up words (Heaps' law), and
a few real concepts planted as *anchors* so that realistic searches ("train/serve skew") hit.
The mlsd ontology (``ontology/mlsd.ttl``) is written first, so ``a/rdfs:subClassOf*`` works.

How counts scale with the scale factor ``s = target / size of the real graph``:

* tools, problems, techniques, concepts, sections, resources, decisions: linearly (``s``);
* chapters, tool categories: as ``sqrt(s)`` (more chapters and categories, each bigger);
* lifecycle stages (10), roles (6): fixed -- so per-stage aggregates grow linearly.

Lines are generated and written directly (no rdflib graph), so 1M triples take a few seconds.
Deterministic for a given ``seed`` and size.

Usage::

    python benchmarks/synthetic.py 100k out.nt [--seed 7]
    python benchmarks/synthetic.py --write-vocabulary   # refresh vocabulary.json from the real KB
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

__all__ = ["generate", "parse_size", "REAL_COUNTS", "VOCABULARY_PATH", "write_vocabulary"]

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")

ID = "https://w3id.org/mlsd/id/"
M = "https://w3id.org/mlsd/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DOAP = "http://usefulinc.com/ns/doap#"
SCHEMA = "https://schema.org/"
SPDX = "http://spdx.org/licenses/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Node counts of the real knowledge base (``mlsd stats``, 12,817 triples) the generator scales.
REAL_COUNTS = {"tool": 392, "section": 149, "concept": 131, "technique": 87, "resource": 66,
               "problem": 55, "decision": 16, "category": 35, "chapter": 11, "stage": 10, "role": 6}
REAL_TRIPLES = 12817
#: Triples per node measured on the real graph (decision includes its options).
_PER_NODE = {"tool": 15.8, "section": 6.0, "concept": 14.4, "technique": 16.8, "resource": 5.9,
             "problem": 20.5, "decision": 22.3, "category": 5.4, "chapter": 6.0, "stage": 5.1, "role": 3.0}
#: Share of edges each lifecycle stage receives (real ``stage`` in-degrees, largest first).
_STAGE_WEIGHTS = [226, 158, 147, 138, 93, 69, 66, 51, 44, 19]
_STAGES = ["problem-framing", "data-engineering", "training-data", "feature-engineering",
           "model-development", "deployment", "monitoring", "continual-learning", "infrastructure", "human-side"]
#: Anchors planted from the real knowledge base, so the realistic searches have real targets.
_ANCHORS = ["problem/training-serving-skew", "problem/model-staleness", "problem/data-distribution-shift",
            "problem/concept-drift", "problem/data-leakage", "problem/offline-online-discrepancy",
            "technique/feature-store", "technique/shadow-deployment", "technique/fallback-model",
            "technique/drift-detection", "technique/model-monitoring", "technique/point-in-time-join"]
_SKEW = 0.5  # exponent of the power law for choosing edge targets (fits the real in-degrees)


def parse_size(text: str) -> int:
    """``"10k"`` → 10000, ``"1M"`` → 1000000, ``"2500"`` → 2500.

    Examples
    --------
    >>> [parse_size(s) for s in ("10k", "1M", "2500", "0.5m")]
    [10000, 1000000, 2500, 500000]
    """
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"bad size {text!r}: use a number with an optional k or M suffix, e.g. 100k")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


# ------------------------------------------------------------------ N-Triples helpers

def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _en(s: str) -> str:
    return f'"{_esc(s)}"@en'


def _plain(s: str) -> str:
    return f'"{_esc(s)}"'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


def _iri(ref: str) -> str:
    return f"<{ID}{ref}>"


# ------------------------------------------------------------------ words

class _Words:
    """Samples words with the real frequencies plus a Zipf tail of made-up words."""

    def __init__(self, counts: dict[str, int], scale: float, rng: random.Random, capitalize: bool = False):
        items = sorted(counts.items(), key=lambda kv: -kv[1])
        words = [w for w, _ in items]
        weights = [float(c) for _, c in items]
        v0 = len(words)
        extra = int(v0 * (math.sqrt(max(scale, 1.0)) - 1.0))  # Heaps' law, beta = 0.5
        last = weights[-1] if weights else 1.0
        seen = set(words)
        for r in range(v0 + 1, v0 + extra + 1):
            w = _pseudo_word(rng)
            while w in seen:
                w = _pseudo_word(rng)
            seen.add(w)
            words.append(w)
            weights.append(last * v0 / r)
        self.words = words
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def take(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)


_SYLL_C = "b c d f g k l m n p r s t v z br dr kr pl st tr".split()
_SYLL_V = "a e i o u ai ei ou ia".split()


def _pseudo_word(rng: random.Random, lo: int = 2, hi: int = 4) -> str:
    return "".join(rng.choice(_SYLL_C) + rng.choice(_SYLL_V) for _ in range(rng.randint(lo, hi))) + rng.choice(
        ["", "", "n", "r", "s", "x", "t"])


def _sentence(words: list[str]) -> str:
    if not words:
        return ""
    return (words[0][:1].upper() + words[0][1:] + " " + " ".join(words[1:])).strip() + "."


def _length(rng: random.Random, mean: float, lo: int = 1, hi: int | None = None) -> int:
    """A length around ``mean`` (roughly normal, sd = mean/3)."""
    n = int(round(rng.gauss(mean, max(mean / 3.0, 0.6))))
    n = max(lo, n)
    return min(n, hi) if hi else n


def _count(rng: random.Random, mean: float) -> int:
    """A non-negative integer with the given mean (floor plus a Bernoulli remainder)."""
    base = int(mean)
    return base + (1 if rng.random() < mean - base else 0)


class _Picker:
    """Power-law choice among items, item 0 the most popular."""

    def __init__(self, items: list, rng: random.Random, skew: float = _SKEW):
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** skew for i in range(len(items))))
        self.rng = rng

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, k: int = 1) -> list:
        return self.rng.choices(self.items, cum_weights=self.cum, k=k) if self.items else []


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# ------------------------------------------------------------------ the generator

def _plan(target: int) -> tuple[float, dict[str, int]]:
    """Node counts per kind for about ``target`` triples."""
    fixed = {"stage": 10, "role": 6}
    sqrt_kinds = ("chapter", "category")
    ontology = 200
    # solve sum(linear)*s + sum(sqrt)*sqrt(s) = target - fixed - ontology for s
    lin = sum(REAL_COUNTS[k] * _PER_NODE[k] for k in REAL_COUNTS if k not in fixed and k not in sqrt_kinds)
    sq = sum(REAL_COUNTS[k] * _PER_NODE[k] for k in sqrt_kinds)
    rest = max(target - ontology - sum(fixed[k] * _PER_NODE[k] for k in fixed), lin * 0.01)
    x = (-sq + math.sqrt(sq * sq + 4 * lin * rest)) / (2 * lin)  # x = sqrt(s)
    s = x * x
    counts = {}
    for k, n in REAL_COUNTS.items():
        if k in fixed:
            counts[k] = fixed[k]
        elif k in sqrt_kinds:
            counts[k] = max(2, round(n * x))
        else:
            counts[k] = max(2, round(n * s))
    return s, counts


def generate(target: int, path, *, seed: int = 1) -> dict:
    """Write a synthetic graph of about ``target`` triples to ``path`` (N-Triples).

    Returns
    -------
    dict
        ``triples`` (lines written), ``scale``, ``counts`` (nodes per kind), ``seconds`` and
        ``bindings``: for each input kind (problem, technique, tool, chapter, concept, node), a
        ``hub`` (the most connected node) and a ``typical`` one (median degree), as refs.
    """
    t0 = time.perf_counter()
    rng = random.Random(seed)
    vocab = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    scale, counts = _plan(target)
    text_words = _Words(vocab["text_words"], scale, rng)
    name_words = _Words(vocab["name_words"], scale, rng)
    out: list[str] = []
    add = out.append
    slugs: set[str] = set()

    def new_slug(kind: str, label: str) -> str:
        base = f"{kind}/{_slugify(label)[:60]}"
        ref, n = base, 1
        while ref in slugs:
            n += 1
            ref = f"{base}-{n}"
        slugs.add(ref)
        return ref

    def text(mean: float) -> str:
        return _sentence(text_words.take(_length(rng, mean, lo=3)))

    def name(mean: float) -> str:
        ws = name_words.take(_length(rng, mean, hi=8))
        return (ws[0][:1].upper() + ws[0][1:] + " " + " ".join(ws[1:])).strip()

    # --- ontology
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph
    onto = Path(__file__).resolve().parents[1] / "ontology" / "mlsd.ttl"
    g = to_canonical_graph(Graph().parse(onto, format="turtle"))  # stable blank-node labels
    out.extend(sorted(line for line in g.serialize(format="nt").splitlines() if line.strip()))
    scheme = _iri("scheme/mlsd")
    add(f"{scheme} <{RDF_TYPE}> <{SKOS}ConceptScheme> .")
    add(f"{scheme} <{RDFS}label> {_en('mlsd concepts')} .")

    # --- fixed structure: stages, roles, books, chapters, sections
    stages = [f"stage/{s}" for s in _STAGES]
    stage_cum = list(itertools.accumulate(_STAGE_WEIGHTS))

    def pick_stages(mean: float) -> set[str]:
        return set(rng.choices(stages, cum_weights=stage_cum, k=_count(rng, mean)))

    roles = [f"role/role-{i + 1}" for i in range(counts["role"])]
    n_books = max(1, math.ceil(counts["chapter"] / 11))
    books = [f"book/book-{i + 1}" for i in range(n_books)]
    for b in books:
        add(f"{_iri(b)} <{RDF_TYPE}> <{SCHEMA}Book> .")
        add(f"{_iri(b)} <{RDFS}label> {_en(name(4))} .")
        add(f"{_iri(b)} <{SCHEMA}author> {_plain('A. Author')} .")
    chapters = [f"chapter/{i + 1}" for i in range(counts["chapter"])]
    sections: list[str] = []
    sections_of: dict[str, list[str]] = {}
    per_chapter = counts["section"] / counts["chapter"]
    page = 1
    for i, ch in enumerate(chapters):
        c = _iri(ch)
        add(f"{c} <{RDF_TYPE}> <{M}Chapter> .")
        add(f"{c} <{RDF_TYPE}> <{SCHEMA}Chapter> .")
        add(f"{c} <{RDFS}label> {_en(name(4.5))} .")
        add(f"{c} <{M}chapterNumber> {_int(i + 1)} .")
        add(f"{c} <{M}pageStart> {_int(page)} .")
        add(f"{c} <{DCT}isPartOf> {_iri(books[i // 11])} .")
        own = sections_of[ch] = []
        n_sec = _count(rng, per_chapter) if i < len(chapters) - 1 else max(counts["section"] - len(sections), 1)
        top = 0
        sub = 0
        for _ in range(n_sec):
            page += rng.randint(1, 4)
            # about a third of sections are top level (51 of 149 in the real book)
            if top == 0 or rng.random() < 0.34:
                top, sub = top + 1, 0
                number, parent = f"{i + 1}.{top}", ch
            else:
                sub += 1
                number, parent = f"{i + 1}.{top}.{sub}", f"section/{i + 1}.{top}"
            ref = f"section/{number}"
            s = _iri(ref)
            add(f"{s} <{RDF_TYPE}> <{M}Section> .")
            add(f"{s} <{RDFS}label> {_en(name(3.1))} .")
            add(f"{s} <{M}sectionNumber> {_plain(number)} .")
            add(f"{s} <{M}pageStart> {_int(page)} .")
            add(f"{s} <{DCT}isPartOf> {_iri(parent)} .")
            add(f"{s} <{M}inChapter> {c} .")
            own.append(ref)
            sections.append(ref)
        page += rng.randint(2, 6)
    for i, st in enumerate(stages):
        s = _iri(st)
        add(f"{s} <{RDF_TYPE}> <{M}LifecycleStage> .")
        add(f"{s} <{RDFS}label> {_en(st.split('/')[1].replace('-', ' ').capitalize())} .")
        add(f"{s} <{DCT}description> {_en(text(24.5))} .")
        add(f"{s} <{M}order> {_int(i + 1)} .")
        for ch in rng.sample(chapters, min(len(chapters), _count(rng, 1.1))):
            add(f"{s} <{M}stageChapter> {_iri(ch)} .")
    for r in roles:
        add(f"{_iri(r)} <{RDF_TYPE}> <{M}Role> .")
        add(f"{_iri(r)} <{RDFS}label> {_en(name(2.7))} .")
        add(f"{_iri(r)} <{DCT}description> {_en(text(16))} .")
    categories = []
    for _ in range(counts["category"]):
        label = name(3.1)
        ref = new_slug("category", label)
        categories.append(ref)
        c = _iri(ref)
        add(f"{c} <{RDF_TYPE}> <{M}ToolCategory> .")
        add(f"{c} <{RDF_TYPE}> <{SKOS}Concept> .")
        add(f"{c} <{RDFS}label> {_en(label)} .")
        add(f"{c} <{DCT}description> {_en(text(12.4))} .")
        for st in sorted(pick_stages(1.43)):
            add(f"{c} <{M}stage> {_iri(st)} .")
    n_topics = len(categories)

    # --- concepts of the three kinds; anchors first (most popular), then synthetic ones
    section_pick = _Picker(rng.sample(sections, len(sections)), rng)
    kinds = {"problem": [], "technique": [], "concept": []}
    topic_of: dict[str, int] = {}
    members: dict[tuple[str, int], list[str]] = {}
    texts: dict[str, tuple] = {}
    for kind in kinds:
        planted = [a for a in vocab["anchors"] if a["ref"].startswith(kind + "/")]
        for i in range(counts[kind]):
            if i < len(planted):
                a = planted[i]
                ref, label, syns, definition = a["ref"], a["label"], a["synonyms"], a["text"]
                slugs.add(ref)
            else:
                label = name({"problem": 2.8, "technique": 2.24, "concept": 2.67}[kind])
                ref = new_slug(kind, label)
                n_syn = _count(rng, {"problem": 3.0, "technique": 3.93, "concept": 3.42}[kind])
                syns = [name(2.1).lower() for _ in range(n_syn)]
                definition = text({"problem": 31.3, "technique": 32.7, "concept": 33.3}[kind])
            kinds[kind].append(ref)
            topic = rng.randrange(n_topics)
            topic_of[ref] = topic
            members.setdefault((kind, topic), []).append(ref)
            texts[ref] = (label, syns, definition)
    pickers = {k: _Picker(v, rng) for k, v in kinds.items()}
    topic_pickers: dict[tuple[str, int], _Picker] = {}

    def pick_near(kind: str, topic: int, k: int, local: float = 0.6) -> set[str]:
        """``k`` targets of ``kind``: from the same topic with probability ``local``."""
        got = set()
        for _ in range(k):
            key = (kind, topic)
            if rng.random() < local and key in members:
                tp = topic_pickers.get(key) or topic_pickers.setdefault(key, _Picker(members[key], rng))
                got.update(tp.pick())
            else:
                got.update(pickers[kind].pick())
        return got

    solved_by: Counter = Counter()
    implemented: Counter = Counter()
    discussed: Counter = Counter()
    concept_type = {"problem": "Problem", "technique": "Technique", "concept": "Concept"}
    means = {  # per node: (broader, discussedIn, related problem/technique/concept, stages)
        "problem": (0.16, 2.16, (1.73, 2.67, 0.0), 1.8),
        "technique": (0.11, 1.18, (0.33, 2.29, 0.0), 1.37),
        "concept": (0.30, 1.14, (0.5, 0.56, 1.3), 1.14),
    }
    for kind, refs in kinds.items():
        p_broader, m_disc, m_rel, m_stage = means[kind]
        for i, ref in enumerate(refs):
            label, syns, definition = texts[ref]
            n = _iri(ref)
            topic = topic_of[ref]
            add(f"{n} <{RDF_TYPE}> <{M}{concept_type[kind]}> .")
            add(f"{n} <{RDF_TYPE}> <{SKOS}Concept> .")
            add(f"{n} <{SKOS}inScheme> {scheme} .")
            add(f"{n} <{RDFS}label> {_en(label)} .")
            add(f"{n} <{SKOS}prefLabel> {_en(label)} .")
            add(f"{n} <{SKOS}definition> {_en(definition)} .")
            for syn in dict.fromkeys(syns):
                add(f"{n} <{SKOS}altLabel> {_en(syn)} .")
            if i > 0 and rng.random() < p_broader:
                # a tree: the parent is an earlier (more general, more popular) node of the same kind
                parent = refs[int(i * rng.random() ** 2)]
                add(f"{n} <{SKOS}broader> {_iri(parent)} .")
            for place in sorted(set(section_pick.pick(_count(rng, m_disc)))):
                if rng.random() < 0.03:
                    place = f"chapter/{place.split('/')[1].split('.')[0]}"
                add(f"{n} <{M}discussedIn> {_iri(place)} .")
                discussed[ref] += 1
            for other_kind, m in zip(("problem", "technique", "concept"), m_rel):
                for o in sorted(pick_near(other_kind, topic, _count(rng, m)) - {ref}):
                    add(f"{n} <{SKOS}related> {_iri(o)} .")
            for st in sorted(pick_stages(m_stage)):
                add(f"{n} <{M}stage> {_iri(st)} .")
            if kind == "problem":
                for sym in range(_count(rng, 2.0)):
                    add(f"{n} <{M}symptom> {_en(text(11))} .")
                for o in sorted(pick_near("problem", topic, _count(rng, 0.4)) - {ref}):
                    add(f"{n} <{M}causes> {_iri(o)} .")
                for r in rng.sample(roles, _count(rng, 0.58)):
                    add(f"{n} <{M}concernOf> {_iri(r)} .")
            elif kind == "technique":
                for o in sorted(pick_near("problem", topic, _count(rng, 1.17))):
                    add(f"{n} <{M}solves> {_iri(o)} .")
                    solved_by[o] += 1
                for o in sorted(pick_near("technique", topic, _count(rng, 0.09)) - {ref}):
                    add(f"{n} <{M}prerequisite> {_iri(o)} .")
                for r in rng.sample(roles, _count(rng, 0.31)):
                    add(f"{n} <{M}concernOf> {_iri(r)} .")

    # --- tools: one category each (= topic); alternatives within the category
    languages = list(vocab["languages"])
    lang_cum = list(itertools.accumulate(vocab["languages"].values()))
    licenses = list(vocab["licenses"])
    lic_cum = list(itertools.accumulate(vocab["licenses"].values()))
    tools: list[str] = []
    tools_in: dict[int, list[str]] = {}
    alt_pairs: set[tuple[str, str]] = set()
    cat_pick = _Picker(list(range(n_topics)), rng, skew=0.3)
    for _ in range(counts["tool"]):
        label = " ".join(_pseudo_word(rng, 2, 3).capitalize() for _ in range(_length(rng, 1.45, hi=4)))
        ref = new_slug("tool", label)
        tools.append(ref)
        topic = cat_pick.pick()[0]
        tools_in.setdefault(topic, []).append(ref)
        n = _iri(ref)
        slug = ref.split("/", 1)[1]
        lic = rng.choices(licenses, cum_weights=lic_cum)[0]
        add(f"{n} <{RDF_TYPE}> <{M}Tool> .")
        add(f"{n} <{RDFS}label> {_en(label)} .")
        add(f"{n} <{DOAP}name> {_plain(label)} .")
        add(f"{n} <{DCT}description> {_en(text(26.8))} .")
        add(f"{n} <{DOAP}homepage> <https://{slug}.example.org/> .")
        if rng.random() < 0.83:
            add(f"{n} <{DOAP}repository> <https://github.com/{slug}/{slug}> .")
        add(f"{n} <{M}licenseId> {_plain(lic)} .")
        if lic != "proprietary":
            add(f"{n} <{DOAP}license> <{SPDX}{lic}> .")
        if rng.random() < 0.87:
            add(f"{n} <{DOAP}programming-language> {_plain(rng.choices(languages, cum_weights=lang_cum)[0])} .")
        add(f'{n} <{M}openSource> "{"false" if lic == "proprietary" else "true"}"^^<{XSD}boolean> .')
        add(f"{n} <{M}category> {_iri(categories[topic])} .")
        for st in sorted(pick_stages(1.47)):
            add(f"{n} <{M}stage> {_iri(st)} .")
        for o in sorted(pick_near("problem", topic, _count(rng, 0.45))):
            add(f"{n} <{M}solves> {_iri(o)} .")
            solved_by[o] += 1
        for o in sorted(pick_near("technique", topic, _count(rng, 1.03))):
            add(f"{n} <{M}implements> {_iri(o)} .")
            implemented[o] += 1
        peers = tools_in[topic]
        for _ in range(_count(rng, 1.12)):
            if len(peers) > 1:
                o = peers[int((len(peers) - 1) * rng.random())]
                if o != ref:
                    alt_pairs.add((ref, o))
    for a, b in sorted(alt_pairs):
        add(f"{_iri(a)} <{M}alternativeTo> {_iri(b)} .")
        if (b, a) not in alt_pairs:
            add(f"{_iri(b)} <{M}alternativeTo> {_iri(a)} .")

    # --- resources and decisions
    about_kinds = ("concept", "problem", "technique")
    for i in range(counts["resource"]):
        ref = f"resource/r{i + 1}"
        n = _iri(ref)
        add(f"{n} <{RDF_TYPE}> <{M}Resource> .")
        add(f"{n} <{RDFS}label> {_en(text(7.2)[:-1])} .")
        add(f"{n} <https://schema.org/url> <https://example.org/reading/{i + 1}> .")
        add(f"{n} <{M}forChapter> {_iri(rng.choice(chapters))} .")
        if rng.random() < 0.85:
            add(f"{n} <{DCT}source> {_plain(name(4.4))} .")
        if rng.random() < 0.33:
            add(f"{n} <{M}topic> {_en(name(3.5))} .")
        for _ in range(_count(rng, 0.68)):
            add(f"{n} <{M}about> {_iri(pickers[rng.choice(about_kinds)].pick()[0])} .")
    for i in range(counts["decision"]):
        label = name(3.3)
        ref = new_slug("decision", label)
        n = _iri(ref)
        add(f"{n} <{RDF_TYPE}> <{M}Decision> .")
        add(f"{n} <{RDFS}label> {_en(label)} .")
        add(f"{n} <{M}question> {_en(text(15)[:-1] + '?')} .")
        for place in sorted(set(section_pick.pick(_count(rng, 2.4)))):
            add(f"{n} <{M}discussedIn> {_iri(place)} .")
        for st in sorted(pick_stages(1.1)):
            add(f"{n} <{M}stage> {_iri(st)} .")
        for _ in range(_count(rng, 2.6)):
            add(f"{n} <{M}tradeoff> {_en(text(16.7))} .")
        for k in range(1, _count(rng, 2.75) + 1):
            o = _iri(f"{ref}/option-{k}")
            add(f"{n} <{M}option> {o} .")
            add(f"{o} <{RDF_TYPE}> <{M}DecisionOption> .")
            add(f"{o} <{RDFS}label> {_en(name(3.3))} .")
            add(f"{o} <{DCT}description> {_en(text(24.5))} .")
            if rng.random() < 0.82:
                add(f"{o} <{M}refersTo> {_iri(pickers[rng.choice(('concept', 'technique'))].pick()[0])} .")

    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out))
        fh.write("\n")

    def hub_and_typical(counter: Counter, pool: list[str]) -> dict:
        ranked = sorted((r for r in pool if counter[r]), key=lambda r: (-counter[r], r))
        if not ranked:
            ranked = pool
        return {"hub": ranked[0], "typical": ranked[len(ranked) // 2],
                "hub_degree": counter[ranked[0]], "typical_degree": counter[ranked[len(ranked) // 2]]}

    sec_load = Counter()
    for ch, secs in sections_of.items():
        sec_load[ch] = len(secs)
    tool_deg = Counter({a: 0 for a in tools})
    for a, b in alt_pairs:
        tool_deg[a] += 1
        tool_deg[b] += 1
    return {
        "triples": len(out), "target": target, "seed": seed, "scale": round(scale, 3), "counts": counts,
        "seconds": round(time.perf_counter() - t0, 2),
        "bindings": {
            "problem": hub_and_typical(solved_by, kinds["problem"]),
            "technique": hub_and_typical(implemented, kinds["technique"]),
            "tool": hub_and_typical(tool_deg, tools),
            "chapter": hub_and_typical(sec_load, chapters),
            "concept": hub_and_typical(discussed, kinds["concept"] + kinds["problem"]),
        },
    }


# ------------------------------------------------------------------ vocabulary extraction

def write_vocabulary(kg, path=VOCABULARY_PATH) -> dict:
    """Extract word frequencies, licences, languages and the anchors from the real graph ``kg``."""
    import pyoxigraph as ox
    name_preds = {RDFS + "label", SKOS + "altLabel"}
    name_kinds = {"problem", "technique", "concept", "section", "category", "chapter", "decision"}
    name, text = Counter(), Counter()
    langs, lics = Counter(), Counter()
    for q in kg.store.quads_for_pattern(None, None, None):
        s, p, o = q.subject.value, q.predicate.value, q.object
        if not (isinstance(o, ox.Literal) and s.startswith(ID)):
            continue
        kind = s[len(ID):].split("/")[0]
        if p == DOAP + "programming-language":
            langs[o.value] += 1
        elif p == M + "licenseId":
            lics[o.value] += 1
        if o.language != "en" or p == SKOS + "prefLabel":
            continue
        words = [w.lower() for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-]*", o.value)]
        if p in name_preds:
            if kind in name_kinds:
                name.update(words)
        else:
            text.update(words)
    anchors = [{k: kg.nodes[r][k] for k in ("ref", "label", "synonyms", "text")} for r in _ANCHORS if r in kg.nodes]
    data = {"source": f"mlsd knowledge base, fingerprint {kg.fingerprint}, {len(kg)} triples",
            "name_words": dict(name.most_common()), "text_words": dict(text.most_common()),
            "languages": dict(langs.most_common()), "licenses": dict(lics.most_common()), "anchors": anchors}
    Path(path).write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("size", nargs="?", help="number of triples, e.g. 10k, 100k, 1M")
    ap.add_argument("out", nargs="?", help="N-Triples file to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write-vocabulary", action="store_true", help="refresh vocabulary.json from the real KB")
    args = ap.parse_args(argv)
    if args.write_vocabulary:
        from mlsd.graph.store import load_knowledge_graph
        d = write_vocabulary(load_knowledge_graph())
        print(f"wrote {VOCABULARY_PATH}: {len(d['name_words'])} name words, {len(d['text_words'])} text words, "
              f"{len(d['anchors'])} anchors")
        return 0
    if not (args.size and args.out):
        ap.error("give SIZE and OUT (or --write-vocabulary)")
    try:
        target = parse_size(args.size)
    except ValueError as exc:
        ap.error(str(exc))
    info = generate(target, args.out, seed=args.seed)
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
