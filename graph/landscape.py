"""Import the tools of a landscape2 ``landscape.yml`` (e.g. the LF AI & Data landscape) as RDF.

Each item becomes an ``mlsd:Tool`` with only facts: its name (``rdfs:label``, ``doap:name``),
homepage and repository, the landscape's category path (``dcterms:subject``, a literal such as
``"Data / Versioning"``), its project maturity (``schema:creativeWorkStatus``) and, where the
mapping in :data:`CATEGORY_MAP` is clear, an ``mlsd:category``. The landscape's description prose
is never stored. Every node the import touches says where its facts come from
(``prov:wasDerivedFrom <file>``).

Items whose repository (lower-cased, without ``.git`` and trailing slash) or, lacking a
repository, whose name matches a curated tool are merged into it: curated facts win, the import
only adds what is missing. Items of categories that list companies, not tools
(:data:`EXCLUDED_CATEGORIES`), are counted and left out; bad items (no name, a malformed URL)
are reported with their ``category / subcategory / name`` path and skipped.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef

from .errors import DataError, ExportError, Issue
from .vocab import DCTERMS, DOAP, MLSD, PREFIXES, PROV, RDF, RDFS, SCHEMA, to_iri, to_ref

__all__ = ["load_landscape", "import_landscape", "normalize_repo", "LandscapeImport", "CATEGORY_MAP",
           "EXCLUDED_CATEGORIES"]

#: (landscape category, subcategory) → mlsd category slug, only where the fit is clear.
CATEGORY_MAP = {
    ("Machine Learning", "Framework"): "ml-framework",
    ("Machine Learning", "Library"): "ml-framework",
    ("Machine Learning", "Platform"): "ml-platform",
    ("Deep Learning", "Framework"): "ml-framework",
    ("Deep Learning", "Library"): "ml-framework",
    ("Deep Learning", "Platform"): "ml-platform",
    ("Data", "Lineage"): "data-versioning",
    ("Data", "Versioning"): "data-versioning",
    ("Data", "Relational DB"): "data-storage",
    ("Data", "Store & Format"): "data-storage",
    ("Data", "Stream Processing"): "stream-processing",
    ("Data", "Visualization"): "visualization",
    ("Data", "Labeling & Annotation"): "labeling",
    ("Model", "Inference"): "model-serving",
    ("Model", "Federated Learning"): "federated-learning",
    ("Model", "Parameter"): "hyperparameter-tuning",
    ("Model", "Workflow"): "orchestration",
    ("Model", "Benchmarking"): "model-evaluation",
    ("Distributed Computing", "Computing & Management"): "compute-infrastructure",
    ("Trusted & Responsible AI", "Explainability"): "explainability",
    ("Trusted & Responsible AI", "Adversarial"): "privacy",
    ("Trusted & Responsible AI", "Bias & Fairness"): "fairness",
    ("Notebook Environment", "Notebook Environment"): "dev-environment",
    ("Security & Privacy", "Security & Privacy"): "privacy",
}

#: Landscape categories that list organisations rather than tools.
EXCLUDED_CATEGORIES = frozenset({"LF AI & Data Member Company", "Hosting Companies"})


def normalize_repo(url: str | None) -> str | None:
    """The form repository URLs are compared in: lower case, https, no ``.git``, no trailing slash.

    Examples
    --------
    >>> normalize_repo("https://GitHub.com/Feast-dev/feast.git/")
    'https://github.com/feast-dev/feast'
    """
    if not url:
        return None
    u = str(url).strip().lower().rstrip("/")
    u = u[:-4] if u.endswith(".git") else u
    return u.rstrip("/").replace("http://", "https://", 1)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "item"


def _bad_url(url) -> str | None:
    """Why ``url`` is not usable as an IRI (None when it is fine)."""
    if not isinstance(url, str):
        return f"is not a string ({url!r})"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r'[\s<>"{}|\\^`]', url):
        return f"is not an http(s) URL: `{url}`"
    return None


def load_landscape(path) -> dict:
    """Read a landscape2 ``landscape.yml`` with the safe YAML loader.

    Raises
    ------
    DataError
        When the file cannot be read, is not YAML, or has no ``landscape`` list; the message names
        the file.
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError([Issue(str(path), None, None, f"cannot read the file: {exc.strerror or exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DataError([Issue(str(path), None, None, f"not valid YAML{where}: {getattr(exc, 'problem', exc)}")]) from None
    except UnicodeDecodeError:
        raise DataError([Issue(str(path), None, None, "not UTF-8 text")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("landscape"), list):
        raise DataError([Issue(str(path), None, None, "not a landscape2 file: no top-level `landscape` list")])
    return {"path": str(path), "landscape": doc["landscape"]}


@dataclass
class LandscapeImport:
    """The result of an import: the RDF ``graph``, a ``summary`` of counts, the ``problems`` found."""

    graph: Graph
    summary: dict
    problems: list[str] = field(default_factory=list)
    excluded_categories: list[str] = field(default_factory=list)

    def write(self, path) -> None:
        """Write the graph as Turtle to ``path``."""
        try:
            self.graph.serialize(destination=str(path), format="turtle", encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def _items(doc: dict):
    """``(category, subcategory, item or problem text)`` for every item of the landscape."""
    for cat in doc["landscape"]:
        cname = str((cat or {}).get("name") or "?") if isinstance(cat, dict) else "?"
        for sub in (cat.get("subcategories") or []) if isinstance(cat, dict) else []:
            sname = str((sub or {}).get("name") or "?") if isinstance(sub, dict) else "?"
            for it in (sub.get("items") or []) if isinstance(sub, dict) else []:
                yield cname, sname, it


def _curated_tools(kg) -> tuple[dict, dict]:
    by_repo, by_name = {}, {}
    for r in kg.run("tool_catalog"):
        ref = to_ref(r["tool"])
        if r["repository"]:
            by_repo.setdefault(normalize_repo(r["repository"]), ref)
        by_name.setdefault(r["label"].strip().lower(), ref)
    return by_repo, by_name


def import_landscape(doc: dict, kg, *, source=None, progress=None) -> LandscapeImport:
    """Turn the items of a loaded landscape into RDF next to the curated graph ``kg``.

    Parameters
    ----------
    doc : dict
        What :func:`load_landscape` returned.
    kg : KnowledgeGraph
        The curated graph (tools to merge with, categories to map to).
    source : str or Path, optional
        The file the facts come from (``prov:wasDerivedFrom``); default ``doc["path"]``.
    progress : callable, optional
        Called with ``(items done, total)``.
    """
    src = source or doc.get("path") or "landscape.yml"
    src_iri = URIRef(src if re.match(r"^[a-z][a-z0-9+.-]*://", str(src)) else Path(src).resolve().as_uri())
    by_repo, by_name = _curated_tools(kg)
    known_categories = {ref for ref, n in kg.nodes.items() if n["kind"] == "category"}
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    items = list(_items(doc))
    counts = {"items": len(items), "imported": 0, "merged": 0, "repeated": 0, "skipped": 0, "excluded": 0, "mapped": 0}
    problems, excluded, seen = [], [], {}
    for n, (cname, sname, it) in enumerate(items, 1):
        name = str(it.get("name")).strip() if isinstance(it, dict) and it.get("name") is not None else ""
        path = f"{cname} / {sname} / {name or '(no name)'}"
        if progress and (n % 25 == 0 or n == len(items)):
            progress(n, len(items))
        if cname in EXCLUDED_CATEGORIES:
            counts["excluded"] += 1
            if cname not in excluded:
                excluded.append(cname)
            continue
        if not name:
            problems.append(f"{path}: the item has no name")
            counts["skipped"] += 1
            continue
        urls = {k: it.get(k) for k in ("homepage_url", "repo_url") if it.get(k) not in (None, "")}
        bad = [f"`{k}` {why}" for k, v in urls.items() if (why := _bad_url(v))]
        if bad:
            problems.append(f"{path}: {'; '.join(bad)}")
            counts["skipped"] += 1
            continue
        repo = normalize_repo(urls.get("repo_url"))
        key = repo or f"name:{name.lower()}"
        curated = by_repo.get(repo) if repo else None
        curated = curated or (by_name.get(name.lower()) if not repo or repo not in by_repo else None)
        if key in seen:
            node, is_curated = seen[key]
            counts["repeated"] += 1
        elif curated:
            node, is_curated = to_iri(*curated.split("/", 1)), True
            counts["merged"] += 1
        else:
            slug = _slug(name)
            while f"tool/{slug}" in kg.nodes or any(v[0] == to_iri("tool", slug) for v in seen.values()):
                slug += "-lfai"
            node, is_curated = to_iri("tool", slug), False
            counts["imported"] += 1
        seen[key] = (node, is_curated)
        g.add((node, PROV.wasDerivedFrom, src_iri))
        g.add((node, DCTERMS.subject, Literal(f"{cname} / {sname}")))
        if it.get("project"):
            g.add((node, SCHEMA.creativeWorkStatus, Literal(str(it["project"]))))
        mapped = CATEGORY_MAP.get((cname, sname))
        if is_curated:
            if repo and not by_repo.get(repo) and (node, DOAP.repository, None) not in g:
                has_repo = kg.run("node_details", node=str(node))
                if not any(r["pred"] == str(DOAP.repository) for r in has_repo):
                    g.add((node, DOAP.repository, URIRef(urls["repo_url"])))
            continue
        g.add((node, RDF.type, MLSD.Tool))
        if (node, RDFS.label, None) not in g:
            g.add((node, RDFS.label, Literal(name, lang="en")))
            g.add((node, DOAP.name, Literal(name)))
        if "homepage_url" in urls and (node, DOAP.homepage, None) not in g:
            g.add((node, DOAP.homepage, URIRef(urls["homepage_url"])))
        if "repo_url" in urls and (node, DOAP.repository, None) not in g:
            g.add((node, DOAP.repository, URIRef(urls["repo_url"])))
        if mapped and f"category/{mapped}" in known_categories and (node, MLSD.category, None) not in g:
            g.add((node, MLSD.category, to_iri("category", mapped)))
            counts["mapped"] += 1
    counts["triples"] = len(g)
    return LandscapeImport(g, counts, problems, excluded)
