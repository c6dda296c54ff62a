"""`mlsd import landscape`: landscape2 items become mlsd:Tool nodes, merged with curated tools."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef

from mlsd.graph.landscape import CATEGORY_MAP, EXCLUDED_CATEGORIES, import_landscape, load_landscape, normalize_repo
from mlsd.graph.errors import DataError
from mlsd.graph.vocab import DCTERMS, DOAP, MLSD, PROV, RDF, RDFS, SCHEMA, to_iri

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "landscape-sample.yml"


def sample_items():
    doc = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return [(c["name"], s["name"], it) for c in doc["landscape"] for s in c["subcategories"] for it in s["items"]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory, run_cli):
    out = tmp_path_factory.mktemp("landscape") / "out.ttl"
    code, stdout, stderr = run_cli("import", "landscape", SAMPLE, "-o", out)
    assert code == 0, stderr
    g = Graph()
    g.parse(out, format="turtle")
    return g, stdout, stderr


def _tool_with_repo(g, repo):
    return {s for s, o in g.subject_objects(DOAP.repository) if normalize_repo(str(o)) == normalize_repo(repo)}


def test_every_tool_item_is_imported_or_merged_with_provenance(imported, full_kg):
    g, stdout, _ = imported
    source = URIRef(SAMPLE.as_uri())
    catalog = full_kg.run("tool_catalog")
    curated_repos = {normalize_repo(r["repository"]): r["tool"] for r in catalog if r["repository"]}
    curated_names = {r["label"].lower(): r["tool"] for r in catalog}

    def curated_of(it):  # by repository, else (a curated tool of the same name) by name
        return curated_repos.get(normalize_repo(it["repo_url"])) or curated_names.get(it["name"].lower())

    tools = [(c, s, it) for c, s, it in sample_items() if c not in EXCLUDED_CATEGORIES]
    for cat, sub, it in tools:
        curated = curated_of(it)
        node = URIRef(curated) if curated else next(iter(_tool_with_repo(g, it["repo_url"])), None)
        assert node is not None, f"{it['name']} is missing from the output"
        assert (node, PROV.wasDerivedFrom, source) in g
        assert (node, DCTERMS.subject, Literal(f"{cat} / {sub}")) in g
        if it.get("project"):
            assert (node, SCHEMA.creativeWorkStatus, Literal(it["project"])) in g
        if not curated:
            assert (node, RDF.type, MLSD.Tool) in g
            assert (node, RDFS.label, Literal(it["name"], lang="en")) in g
            assert (node, DOAP.homepage, URIRef(it["homepage_url"])) in g
    merged = sum(1 for _, _, it in tools if curated_of(it))
    assert merged > 0, "the sample must hold at least one curated tool"
    assert f"{len(tools) - merged} tools imported, {merged} merged" in stdout


def test_curated_facts_win(imported, full_kg):
    g, _, _ = imported
    feast = to_iri("tool", "feast")
    assert "tool/feast" in full_kg.nodes
    assert (feast, RDFS.label, None) not in g and (feast, DOAP.homepage, None) not in g
    assert (feast, MLSD.category, None) not in g  # the curated category stays the only one


def test_categories_map_only_where_clear(imported):
    g, _, _ = imported
    for cat, sub, it in sample_items():
        if cat in EXCLUDED_CATEGORIES:
            continue
        for node in _tool_with_repo(g, it["repo_url"]):
            if (node, RDF.type, MLSD.Tool) not in g:
                continue  # merged: curated category
            expected = CATEGORY_MAP.get((cat, sub))
            got = set(g.objects(node, MLSD.category))
            assert got == ({to_iri("category", expected)} if expected else set()), it["name"]


def test_descriptions_and_companies_are_not_imported(imported):
    g, stdout, _ = imported
    texts = {str(o) for o in g.objects() if isinstance(o, Literal)}
    for cat, _, it in sample_items():
        if it.get("description"):
            assert not any(it["description"].strip()[:40] in t for t in texts), it["name"]
        if cat in EXCLUDED_CATEGORIES:
            assert Literal(it["name"], lang="en") not in texts and it["name"] not in texts
    assert (None, DCTERMS.description, None) not in g
    companies = sum(1 for c, _, _ in sample_items() if c in EXCLUDED_CATEGORIES)
    assert f"{companies} not tools" in stdout


def test_output_loads_next_to_the_graph(imported, full_kg):
    import pyoxigraph as ox
    g, _, _ = imported
    store = ox.Store()
    store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    for q in full_kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        store.add(q)
    rows = store.query("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a <https://w3id.org/mlsd/ontology#Tool> }")
    n = int(next(iter(rows))["n"].value)
    assert n == len([r for r in full_kg.nodes.values() if r["kind"] == "tool"]) + \
        len(set(g.subjects(RDF.type, MLSD.Tool)))


BAD = """landscape:
  - category:
    name: Machine Learning
    subcategories:
      - subcategory:
        name: Framework
        items:
          - item:
            homepage_url: https://example.org/
          - item:
            name: Broken
            homepage_url: not a url
          - item:
            name: Fine
            homepage_url: https://fine.example.org/
            repo_url: https://github.com/Example/Fine.git/
          - item:
            name: Fine again
            homepage_url: https://fine.example.org/
            repo_url: https://github.com/example/fine
"""


def test_bad_items_are_reported_with_their_path_and_skipped(tmp_path, run_cli):
    src = tmp_path / "bad.yml"
    src.write_text(BAD, encoding="utf-8")
    code, stdout, stderr = run_cli("import", "landscape", src, "-o", tmp_path / "bad.ttl", "-q")
    assert code == 0, stderr
    assert "skipped: Machine Learning / Framework / (no name): the item has no name" in stderr
    assert "skipped: Machine Learning / Framework / Broken: `homepage_url` is not an http(s) URL: `not a url`" in stderr
    assert "1 tools imported" in stdout and "1 listed again elsewhere" in stdout and "2 skipped" in stdout
    g = Graph().parse(tmp_path / "bad.ttl", format="turtle")
    assert len(set(g.subjects(RDF.type, MLSD.Tool))) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("landscape: [unclosed", "not valid YAML at line 1"),
    ("just: a mapping\n", "no top-level `landscape` list"),
    ("!!python/object/apply:os.system ['echo owned']\n", "not valid YAML"),
])
def test_bad_files_name_the_file(tmp_path, run_cli, text, message):
    src = tmp_path / "broken.yml"
    src.write_text(text, encoding="utf-8")
    code, _, stderr = run_cli("import", "landscape", src)
    assert code == 1
    assert str(src) in stderr and message in stderr
    assert "Traceback" not in stderr


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DataError, match=r"nope\.yml: cannot read the file"):
        load_landscape(tmp_path / "nope.yml")


def test_import_counts_add_up(full_kg):
    res = import_landscape(load_landscape(SAMPLE), full_kg)
    s = res.summary
    assert s["imported"] + s["merged"] + s["repeated"] + s["skipped"] + s["excluded"] == s["items"] == len(sample_items())
    assert res.problems == []
