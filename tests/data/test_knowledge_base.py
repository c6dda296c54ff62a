"""The shipped knowledge base: complete against the book's reference lists, consistent, valid.

The reference tables beside this file are facts copied from /work/shared/reference (the book's
table of contents, its tool list and its further-reading list); no prose from any source.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from mlsd.graph.build import build_graph
from mlsd.graph.load import load_records
from mlsd.graph.validate import validate_graph

HERE = Path(__file__).parent


def _tsv(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _ws(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def records():
    """Loading succeeds: every reference resolves, every field is valid."""
    return load_records()


# --------------------------------------------------------------------------- the book
def _toc_with_ids() -> list[tuple[dict, str, str | None]]:
    """Each ToC row with the id it must have and its parent (numbered in ToC order)."""
    out, sec, sub = [], 0, 0
    for row in _tsv("dmls-toc.tsv"):
        ch, depth = row["chapter"], int(row["depth"])
        if depth == 0:
            sec = 0
            out.append((row, f"chapter/{ch}", None))
        elif depth == 1:
            sec, sub = sec + 1, 0
            out.append((row, f"section/{ch}.{sec}", f"chapter/{ch}"))
        else:
            sub += 1
            out.append((row, f"section/{ch}.{sec}.{sub}", f"section/{ch}.{sec}"))
    return out


TOC = _toc_with_ids()


def test_reference_toc_is_complete():
    assert len(TOC) == 160
    assert Counter(int(r["depth"]) for r, _, _ in TOC)[0] == 11


def test_every_reference_resolves(records):
    """load_records checks every reference; the shipped data loads without a DataError."""
    refs = sum(len(v) for v in records.items.values())
    assert refs > 500 and records.get("problem/training-serving-skew") is not None


def test_eleven_chapters(records):
    assert len(records.items["chapter"]) == 11
    assert sorted(ch["number"] for ch in records.items["chapter"].values()) == list(range(1, 12))


@pytest.mark.parametrize(("row", "ref", "parent"), TOC, ids=[ref for _, ref, _ in TOC])
def test_toc_entry_is_present(records, row, ref, parent):
    item = records.get(ref)
    assert item is not None, f"{ref} ({row['heading']}, p. {row['page']}) is missing"
    assert _ws(item["label"]) == _ws(row["heading"])
    assert item["page"] == int(row["page"])
    if parent is None:
        assert item["number"] == int(row["chapter"])
    else:
        assert item["part_of"] == parent


def test_no_section_beyond_the_toc(records):
    expected = {ref for _, ref, _ in TOC if ref.startswith("section/")}
    assert {f"section/{s}" for s in records.items["section"]} == expected


def test_toc_in_the_graph(full_kg):
    rows = full_kg.run("concepts_per_chapter")
    assert len(rows) == 11
    pages = {r["chapter"]: r["page"] for r in full_kg.select(
        "SELECT ?chapter ?page WHERE { ?chapter a mlsd:Chapter ; mlsd:pageStart ?page }")}
    for row, ref, parent in TOC:
        if parent is None:
            assert pages[f"https://w3id.org/mlsd/id/{ref}"] == int(row["page"])


# --------------------------------------------------------------------------- consistency
def test_shacl_conforms(records):
    assert validate_graph(build_graph(records)) == []


def test_graph_loads_and_counts_match(full_kg, records):
    from mlsd.graph.stats import compute_stats
    classes = compute_stats(full_kg)["classes"]
    assert classes["Tool"] == len(records.items["tool"])
    assert classes["Problem"] == len(records.items["problem"])


# --------------------------------------------------------------------------- tools
def _norm_name(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", s.lower())


def _norm_url(u: str) -> str:
    u = re.sub(r"^https?://", "", u.strip().lower())
    return re.sub(r"^www\.", "", u).rstrip("/").removesuffix(".git")


def test_every_book_tool_is_in_the_graph(records):
    """Match by normalised name, repository or homepage URL, or a former name the description records."""
    names, urls = {}, {}
    for slug, t in records.items["tool"].items():
        for n in (t["label"], slug):
            names.setdefault(_norm_name(n), slug)
        for m in re.finditer(r"formerly (?:called|named|known as) ([\w.-]+)", t["description"]):
            names.setdefault(_norm_name(m.group(1)), slug)
        for f in ("homepage", "repository"):
            if t.get(f):
                urls.setdefault(_norm_url(t[f]), slug)
    missing = [f"{r['tool']} <{r['url']}> ({r['category']})" for r in _tsv("dmls-tools.tsv")
               if not (urls.get(_norm_url(r["url"])) or names.get(_norm_name(r["tool"])))]
    assert not missing, f"{len(missing)} tools of the book's list are missing:\n" + "\n".join(missing)


def test_book_tool_list_is_complete():
    assert len(_tsv("dmls-tools.tsv")) == 96


# --------------------------------------------------------------------------- resources
def test_every_book_resource_is_a_resource(records):
    by_url = {r["url"]: r for r in records.items["resource"].values()}
    problems = []
    for row in _tsv("dmls-resources.tsv"):
        res = by_url.get(row["url"])
        if res is None:
            problems.append(f"missing: {row['title']} <{row['url']}>")
        elif _ws(res["label"]) != _ws(row["title"]):
            problems.append(f"title differs for {row['url']}: `{res['label']}` != `{row['title']}`")
        else:
            ch = re.search(r"\d+", row["chapter"])
            if ch and res["chapter"] != f"chapter/{ch.group()}":
                problems.append(f"{row['url']}: chapter {res['chapter']} != {row['chapter']}")
    assert len(_tsv("dmls-resources.tsv")) == 66
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- volume
def test_counts(records):
    n = {k: len(v) for k, v in records.items.items()}
    assert n["problem"] >= 10 and n["technique"] >= 10
    assert n["problem"] + n["technique"] + n["concept"] >= 30
    assert n["tool"] >= 50
    assert n["role"] >= 3


def test_stages_cover_the_lifecycle_and_the_book(records):
    stages = records.items["stage"]
    assert sorted(s["order"] for s in stages.values()) == list(range(1, len(stages) + 1))
    covered = {ch for s in stages.values() for ch in s.get("chapters", [])}
    assert covered == {f"chapter/{c}" for c in records.items["chapter"]}
    used = Counter(st for kind in ("problem", "technique", "concept", "tool")
                   for it in records.items[kind].values() for st in it.get("stages", []))
    unused = [s for s in stages if used[f"stage/{s}"] == 0]
    assert not unused, f"stages with no problem, technique, concept or tool: {unused}"


def test_roles_have_concerns(records):
    empty = [r for r, it in records.items["role"].items() if not it.get("concerns")]
    assert not empty, f"roles without concerns: {empty}"


@pytest.mark.parametrize("ref", ["problem/training-serving-skew", "problem/data-leakage"])
def test_key_problems_exist(records, ref):
    item = records.get(ref)
    assert item is not None
    assert item.get("synonyms") and item.get("discussed_in")


def test_key_problems_have_tools(full_kg):
    from mlsd.graph.find import find_tools
    assert find_tools(full_kg, "problem/training-serving-skew")["tools"]
    assert find_tools(full_kg, "problem/data-leakage")["tools"]


def test_every_tool_licence_matches_its_open_source_flag(records):
    from mlsd.graph.licenses import OPEN_SOURCE_IDS
    wrong = [slug for slug, t in records.items["tool"].items() if t["open_source"] and t["license"] not in OPEN_SOURCE_IDS]
    assert not wrong


def test_every_category_has_a_tool(records):
    used = Counter(t["category"] for t in records.items["tool"].values())
    empty = [c for c in records.items["category"] if used[f"category/{c}"] == 0]
    assert not empty, f"categories without tools: {empty}"
