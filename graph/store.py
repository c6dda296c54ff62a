"""The built knowledge graph in an Oxigraph store, with a cache keyed by a hash of the inputs.

:class:`KnowledgeGraph` is what the CLI, the app and the endpoint hold: one per process, built
once, read-only afterwards. Every SPARQL query runs on its Oxigraph store.
"""
from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .build import build_graph, ontology_files
from .load import default_data_dir, find_data_files, load_records
from .vocab import PREFIXES, to_kind, to_ref

__all__ = ["KnowledgeGraph", "load_knowledge_graph", "default_cache_dir", "to_python"]

_NT = ox.RdfFormat.N_TRIPLES


def default_cache_dir() -> Path:
    """``$MLSD_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlsd``, else ``~/.cache/mlsd``."""
    if os.environ.get("MLSD_CACHE_DIR"):
        return Path(os.environ["MLSD_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlsd"


def _fingerprint(data_dir: Path) -> str:
    h = hashlib.sha256()
    for res in ontology_files():
        h.update(res.read_bytes())
    for path in find_data_files(data_dir):
        h.update(str(path.relative_to(data_dir) if data_dir.is_dir() else path.name).encode())
        h.update(path.read_bytes())
    for module in ("build.py", "load.py", "vocab.py", "licenses.py"):  # the code that shapes the graph
        h.update(Path(__file__).with_name(module).read_bytes())
    return h.hexdigest()[:24]


def to_python(term):
    """Convert an Oxigraph term to a plain Python value (IRIs stay strings).

    Examples
    --------
    >>> to_python(ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    3
    >>> to_python(ox.NamedNode("https://w3id.org/mlsd/id/tool/feast"))
    'https://w3id.org/mlsd/id/tool/feast'
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1]
        if dt in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
            return int(term.value)
        if dt in ("decimal", "double", "float"):
            return float(term.value)
        if dt == "boolean":
            return term.value in ("true", "1")
        return term.value
    return term.value


class KnowledgeGraph:
    """The knowledge graph, queryable through Oxigraph.

    Parameters
    ----------
    store : pyoxigraph.Store
        Holds the data and the vocabulary in the default graph.
    fingerprint : str
        Hash of the data and ontology the store was built from.
    """

    def __init__(self, store: ox.Store, fingerprint: str = ""):
        self.store = store
        self.fingerprint = fingerprint
        #: (graph IRI, sha256 of the file) of RDF files added as named graphs at start-up
        self.loaded_graphs: list[tuple[str, str]] = []
        self._whole_graph_rows: dict[str, list[dict]] = {}

    def __len__(self) -> int:
        return len(self.store)

    def copy(self) -> "KnowledgeGraph":
        """A private copy with its own store (for tests and for loading extra graphs into one app).

        Examples
        --------
        >>> from mlsd.graph.load import default_data_dir
        >>> kg = load_knowledge_graph(default_data_dir() / "schema" / "example.yaml", cache=False)
        >>> twin = kg.copy()
        >>> len(twin) == len(kg) and twin.store is not kg.store
        True
        """
        store = ox.Store()
        store.bulk_load(self.store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        return KnowledgeGraph(store, self.fingerprint)

    def forget_results(self) -> None:
        """Drop memoised whole-graph results; call after changing the store (start-up only)."""
        getattr(self, "_whole_graph_rows", {}).clear()

    def sparql(self, query: str, bindings: dict | None = None):
        """Run a SPARQL query on the store; ``bindings`` maps variable names to IRIs or literals."""
        from .sparql import run_sparql
        return run_sparql(self.store, query, bindings)

    def select(self, query: str, bindings: dict | None = None) -> list[dict]:
        """Run a SELECT query and return rows as dicts of plain Python values."""
        from .errors import QueryError
        res = self.sparql(query, bindings)
        names = [v.value for v in res.variables]
        try:
            return [{n: to_python(sol[n]) for n in names} for sol in res]
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"SPARQL evaluation error: {exc}") from None

    def run(self, name: str, **bindings) -> list[dict]:
        """Run the named query ``graph/queries/{name}.rq`` with ``bindings``.

        A query without bindings reads the whole graph (catalog, coverage, lint), so its rows are
        computed once per graph and copied out: the store does not change after start-up.
        """
        from .sparql import load_query
        if bindings:
            return self.select(load_query(name), bindings)
        rows = self._whole_graph_rows.get(name)
        if rows is None:
            rows = self._whole_graph_rows[name] = self.select(load_query(name))
        return [dict(r) for r in rows]

    @cached_property
    def nodes(self) -> dict[str, dict]:
        """Every instance node by ``kind/slug``: label, kind, synonyms, text (definition or description, and symptoms)."""
        out: dict[str, dict] = {}
        for row in self.run("node_index"):
            ref = to_ref(row["node"])
            if ref is None:
                continue
            kind = "option" if "/option-" in ref else to_kind(row["node"])
            info = out.setdefault(ref, {"ref": ref, "iri": row["node"], "kind": kind,
                                        "label": row["label"], "synonyms": [], "text": row["text"] or ""})
            if row["alt"] and row["alt"] not in info["synonyms"]:
                info["synonyms"].append(row["alt"])
            if row["symptom"]:
                info.setdefault("_symptoms", set()).add(row["symptom"])
        for info in out.values():  # engines return rows in any order: make the table deterministic
            info["synonyms"].sort(key=str.lower)
            info["text"] = " ".join([info["text"], *sorted(info.pop("_symptoms", ()))]).strip()
        return out

    def label(self, ref_or_iri: str) -> str:
        """The label of a node given by ``kind/slug`` or IRI (the reference if unknown)."""
        ref = to_ref(ref_or_iri) or ref_or_iri
        node = self.nodes.get(ref)
        return node["label"] if node else ref

    @cached_property
    def search_index(self):
        """The search index over labels, synonyms and definitions (built on first use)."""
        from .search import SearchIndex
        # decision options are parts of their decision, not things to look up on their own
        return SearchIndex(n for n in self.nodes.values() if n["kind"] != "option")

    @cached_property
    def nx(self):
        """The NetworkX projection (built on first use)."""
        from .network import to_networkx
        return to_networkx(self)


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"kg-{key}.nt"


def load_knowledge_graph(data_dir=None, *, cache: bool = True, cache_dir: Path | None = None) -> KnowledgeGraph:
    """Load the knowledge graph, from the cache when data and ontology are unchanged.

    The data is checked and built with rdflib only when the cache misses; a failing check raises
    :class:`~mlsd.graph.errors.DataError` and leaves the cache untouched.

    Examples
    --------
    >>> from mlsd.graph.load import default_data_dir
    >>> kg = load_knowledge_graph(default_data_dir() / "schema" / "example.yaml", cache=False)
    >>> kg.label("tool/evidently")
    'Evidently'
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    key = _fingerprint(root)
    cache_dir = cache_dir or default_cache_dir()
    path = _cache_path(cache_dir, key)
    store = ox.Store()
    if cache and path.exists():
        try:
            store.bulk_load(path=str(path), format=_NT)
            return KnowledgeGraph(store, key)
        except (SyntaxError, OSError, ValueError):
            store = ox.Store()  # a damaged cache file is rebuilt, never fatal
            path.unlink(missing_ok=True)
    data = build_graph(load_records(root)).serialize(format="nt", encoding="utf-8")
    store.bulk_load(data, format=_NT)
    if cache:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError:
            pass  # a read-only home must not stop mlsd; the next start just rebuilds
    return KnowledgeGraph(store, key)


PREFIX_HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
