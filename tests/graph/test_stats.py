"""Counts and coverage tables."""
from __future__ import annotations

from mlsd.graph.load import load_records
from mlsd.graph.stats import COVERAGE_QUERIES, compute_stats


def test_stats_of_the_example(example_kg, example_path):
    st = compute_stats(example_kg)
    assert st["triples"] == len(example_kg)
    recs = load_records(example_path).count()
    classes = st["classes"]
    assert classes["Tool"] == recs["tool"] == 1
    assert classes["Problem"] == recs["problem"]
    assert classes["Technique"] == recs["technique"]
    assert classes["Section"] == recs["section"] == 2
    assert classes["Chapter"] == recs["chapter"]
    assert classes["DecisionOption"] == 2
    assert st["properties"]["solves"] == 2  # the tool and the technique
    assert st["properties"]["isPartOf"] == 3  # two sections and the chapter
    for name in COVERAGE_QUERIES:
        assert st[name], name
        for row in st[name]:
            assert set(row) == {"id", "label", "count"}
            assert isinstance(row["count"], int) and "/" in row["id"]
    assert st["concepts_per_chapter"] == [{"id": "chapter/8", "label": "Data Distribution Shifts and Monitoring", "count": 3}]
    assert st["tools_per_category"] == [{"id": "category/ml-monitoring", "label": "ML monitoring and drift detection", "count": 1}]
    assert st["tools_per_stage"] == [{"id": "stage/monitoring", "label": "Monitoring", "count": 1}]
    assert st["problems_per_stage"] == [{"id": "stage/monitoring", "label": "Monitoring", "count": 1}]


def test_stats_of_the_full_graph_agree_with_the_data(full_kg):
    st = compute_stats(full_kg)
    recs = load_records().count()
    assert st["classes"]["Tool"] == recs["tool"]
    assert st["classes"]["Chapter"] == recs["chapter"] == 11
    assert sum(r["count"] for r in st["tools_per_category"]) == recs["tool"]  # one category per tool
    assert [r["id"] for r in st["concepts_per_chapter"]] == [f"chapter/{n}" for n in range(1, 12)]
    assert len(st["tools_per_stage"]) == recs["stage"]
    counts = [r["count"] for r in st["tools_per_category"]]
    assert counts == sorted(counts, reverse=True)
