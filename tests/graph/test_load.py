"""The loader: every data error names file, item and field and says what is wrong."""
from __future__ import annotations

import re

import pytest

from mlsd.graph.errors import DataError, Issue, MlsdError
from mlsd.graph.load import default_data_dir, find_data_files, load_records
from mlsd.graph.store import load_knowledge_graph
from mlsd.graph.vocab import KINDS


def test_example_loads_every_kind(example_path):
    recs = load_records(example_path)
    counts = recs.count()
    assert set(counts) == set(KINDS)
    assert all(n >= 1 for n in counts.values()), counts
    assert recs.get("tool/evidently")["_file"] == "example.yaml"
    assert recs.get("tool/nope") is None


def test_data_error_is_an_mlsd_error():
    assert issubclass(DataError, MlsdError)
    err = DataError([Issue("a.yaml", "tool/x", "solves", "broken")])
    assert "1 data error:" in str(err) and "a.yaml: item `x` field `solves`: broken" in str(err)
    assert err.issues[0].field == "solves"


def test_data_error_caps_the_listing_at_50():
    err = DataError([Issue("a.yaml", None, None, f"problem {i}") for i in range(60)])
    assert str(err).startswith("60 data errors:")
    assert "... and 10 more" in str(err)
    assert "problem 49" in str(err) and "problem 50" not in str(err)


# --------------------------------------------------------------------------- one error each
def test_unknown_reference_names_file_item_field_and_suggests(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "solves", ["problem/data-distribution-shfit"]))
    with pytest.raises(DataError, match=re.escape(
            "example.yaml: item `evidently` field `solves`: unknown reference "
            "`problem/data-distribution-shfit` (did you mean `problem/data-distribution-shift`?)")):
        load_records(data)


def test_unknown_reference_without_close_match_has_no_hint(make_data_dir):
    data = make_data_dir(patch=("problems", "data-distribution-shift", "related", ["concept/quantum-gravity"]))
    with pytest.raises(DataError, match=r"item `data-distribution-shift` field `related`: "
                                        r"unknown reference `concept/quantum-gravity`$") as info:
        load_records(data)
    assert "did you mean" not in str(info.value)


def test_unknown_reference_in_decision_option(make_data_dir):
    data = make_data_dir(replace={"concept: technique/drift-detection": "concept: technique/drift-detect"})
    with pytest.raises(DataError, match=r"item `monitoring-granularity` field `options.concept`: "
                                        r"unknown reference `technique/drift-detect`"):
        load_records(data)


def test_reference_to_the_wrong_kind_is_reported(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "solves", ["technique/drift-detection"]))
    with pytest.raises(DataError, match=r"item `evidently` field `solves`: `technique/drift-detection` "
                                        r"is not a reference of the form kind/id \(kind one of: problem\)"):
        load_records(data)


def test_reference_without_kind_is_reported(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "solves", ["data-distribution-shift"]))
    with pytest.raises(DataError, match=r"field `solves`: `data-distribution-shift` is not a reference"):
        load_records(data)


def test_self_reference_is_reported(make_data_dir):
    data = make_data_dir(patch=("problems", "data-distribution-shift", "related", ["problem/data-distribution-shift"]))
    with pytest.raises(DataError, match=r"item `data-distribution-shift` field `related`: an item cannot refer to itself"):
        load_records(data)


def test_duplicate_id_across_two_files(make_data_dir):
    tool = """tools:
  - id: evidently
    label: Evidently again
    description: A second definition of the same id.
    homepage: https://example.org/
    license: proprietary
    open_source: false
    category: category/ml-monitoring
    stages: [stage/monitoring]
"""
    data = make_data_dir(files={"more.yaml": tool})
    with pytest.raises(DataError, match=r"more\.yaml: item `evidently` field `id`: duplicate id `tool/evidently` "
                                        r"\(first defined in example\.yaml\)"):
        load_records(data)


def test_duplicate_id_within_one_file(make_data_dir):
    data = make_data_dir(replace={"  - id: two-sample-test\n": "  - id: two-sample-test\n    label: A\n    definition: B\n"
                                  "  - id: two-sample-test\n"})
    with pytest.raises(DataError, match=r"duplicate id `concept/two-sample-test` \(first defined in example\.yaml\)"):
        load_records(data)


@pytest.mark.parametrize(("section", "item", "field"), [
    ("tools", "evidently", "homepage"),
    ("tools", "evidently", "license"),
    ("tools", "evidently", "category"),
    ("problems", "data-distribution-shift", "definition"),
    ("sections", "8.2", "part_of"),
    ("chapters", "8", "page"),
    ("resources", "monitoring-ml-models", "url"),
    ("decisions", "monitoring-granularity", "tradeoffs"),
])
def test_missing_required_field(make_data_dir, section, item, field):
    data = make_data_dir(patch=(section, item, field, make_data_dir.DELETE))
    with pytest.raises(DataError, match=rf"example\.yaml: item `{re.escape(item)}` field `{field}`: missing required field"):
        load_records(data)


def test_item_without_id_is_located_by_position(make_data_dir):
    data = make_data_dir(files={"more.yaml": "roles:\n  - label: Analyst\n    description: Reads dashboards.\n"})
    with pytest.raises(DataError, match=r"more\.yaml: item `roles\[0\]` field `id`: missing required field"):
        load_records(data)


def test_missing_required_field_of_a_decision_option(make_data_dir):
    data = make_data_dir(replace={"        description: Few signals, cheap, but late to explain causes.   # (required)\n": ""})
    with pytest.raises(DataError, match=r"item `monitoring-granularity` field `options.description`: missing required field"):
        load_records(data)


@pytest.mark.parametrize(("field", "url"), [
    ("homepage", "www.evidentlyai.com"),
    ("homepage", "ftp://evidentlyai.com/"),
    ("repository", "http:///evidently"),
    ("repository", "https://github.com/evidently ai"),
])
def test_bad_url(make_data_dir, field, url):
    data = make_data_dir(patch=("tools", "evidently", field, url))
    with pytest.raises(DataError, match=rf"item `evidently` field `{field}`: bad URL `{re.escape(url)}`"):
        load_records(data)


def test_bad_resource_url(make_data_dir):
    data = make_data_dir(patch=("resources", "monitoring-ml-models", "url", "example.org/x"))
    with pytest.raises(DataError, match=r"item `monitoring-ml-models` field `url`: bad URL `example\.org/x`"):
        load_records(data)


def test_unknown_licence_suggests_the_spdx_id(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "license", "Apache2"))
    with pytest.raises(DataError, match=r"item `evidently` field `license`: unknown licence `Apache2`: use an SPDX id "
                                        r"or `proprietary` \(did you mean `Apache-2\.0`\?\)"):
        load_records(data)


def test_unknown_field_typo(make_data_dir):
    data = make_data_dir(replace={"    solves: [problem/data-distribution-shift]  #": "    solve: [problem/data-distribution-shift]  #"})
    with pytest.raises(DataError, match=r"example\.yaml: item `evidently`: unknown field\(s\) `solve`"):
        load_records(data)


def test_unknown_top_level_key(make_data_dir):
    data = make_data_dir(files={"x.yaml": "tool: []\n"})
    with pytest.raises(DataError, match=r"x\.yaml: unknown top-level key\(s\) `tool`; expected one of book, chapters"):
        load_records(data)


@pytest.mark.parametrize(("old", "new", "item"), [
    ('  - id: "8.2"                          #', "  - id: 8.10                           #", "8.1"),
    ('  - id: "8"                            #', "  - id: 8                              #", "8"),
])
def test_number_like_unquoted_id(make_data_dir, old, new, item):
    data = make_data_dir(replace={old: new})
    with pytest.raises(DataError, match=rf"example\.yaml: item `{re.escape(item)}` field `id`: `{re.escape(item)}` "
                                        r"should be of type string \(quote ids that look like numbers\)"):
        load_records(data)


def test_invalid_id_characters(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "id", "Evidently AI"))
    with pytest.raises(DataError, match=r"field `id`: `Evidently AI` is not a valid id"):
        load_records(data)


def test_invalid_yaml_names_line_and_column(make_data_dir):
    data = make_data_dir(files={"broken.yaml": "tools:\n  - id: a\n   label: x\n"})
    with pytest.raises(DataError, match=r"broken\.yaml: not valid YAML at line 3, column 4: "):
        load_records(data)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n"])
def test_non_mapping_file(make_data_dir, text):
    data = make_data_dir(files={"list.yaml": text})
    with pytest.raises(DataError, match=r"list\.yaml: a data file must be a mapping of item kinds to lists"):
        load_records(data)


def test_open_source_tool_without_repository(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "repository", make_data_dir.DELETE))
    with pytest.raises(DataError, match=r"item `evidently` field `repository`: missing: required for an open-source tool"):
        load_records(data)


def test_open_source_tool_without_language(make_data_dir):
    data = make_data_dir(patch=("tools", "evidently", "language", make_data_dir.DELETE))
    with pytest.raises(DataError, match=r"item `evidently` field `language`: missing: required for an open-source tool"):
        load_records(data)


@pytest.mark.parametrize("licence", ["proprietary", "BUSL-1.1", "SSPL-1.0"])
def test_non_open_licence_with_open_source_true(make_data_dir, licence):
    data = make_data_dir(patch=("tools", "evidently", "license", licence))
    with pytest.raises(DataError, match=rf"item `evidently` field `open_source`: licence `{licence}` is not an open-source licence"):
        load_records(data)


def test_proprietary_closed_tool_needs_no_repository(make_data_dir):
    data = make_data_dir(replace={"    license: Apache-2.0 ": "    license: proprietary ",
                                  "    open_source: true ": "    open_source: false ",
                                  "    repository: https://github.com/evidentlyai/evidently ": "    "})
    assert load_records(data).get("tool/evidently")["license"] == "proprietary"


def test_duplicate_stage_order(make_data_dir):
    extra = "stages:\n  - id: other\n    label: Other\n    order: 7\n    description: Another stage.\n"
    data = make_data_dir(files={"stages.yaml": extra})
    with pytest.raises(DataError, match=r"stages\.yaml: item `other` field `order`: order 7 is also used by stage `monitoring`"):
        load_records(data)


def test_subsection_numbered_outside_its_parent(make_data_dir):
    extra = 'sections:\n  - id: "8.3.1"\n    label: Misplaced\n    page: 250\n    part_of: section/8.2\n'
    data = make_data_dir(files={"more.yaml": extra})
    with pytest.raises(DataError, match=r"item `8\.3\.1` field `part_of`: section `8\.3\.1` is numbered outside its parent"):
        load_records(data)


def test_section_numbered_outside_its_chapter(make_data_dir):
    extra = 'sections:\n  - id: "9.1"\n    label: Misplaced\n    page: 250\n    part_of: chapter/8\n'
    data = make_data_dir(files={"more.yaml": extra})
    with pytest.raises(DataError, match=r"item `9\.1` field `part_of`: section `9\.1` is numbered outside its parent"):
        load_records(data)


def test_chapter_id_must_match_its_number(make_data_dir):
    data = make_data_dir(patch=("chapters", "8", "number", 9))
    with pytest.raises(DataError, match=r"item `8` field `number`"):
        load_records(data)


def test_wrong_type_is_reported(make_data_dir):
    data = make_data_dir(patch=("chapters", "8", "page", "two hundred"))
    with pytest.raises(DataError, match=r"item `8` field `page`: `'two hundred'` should be of type integer"):
        load_records(data)


def test_every_issue_is_reported_at_once(make_data_dir):
    data = make_data_dir(replace={"    license: Apache-2.0 ": "    license: Apache2 ",
                                  "    related: [technique/drift-detection]": "    related: [technique/drift-detect]"})
    with pytest.raises(DataError) as info:
        load_records(data)
    fields = sorted(i.field for i in info.value.issues)
    assert fields == ["license", "related"], info.value.issues
    assert str(info.value).startswith("2 data errors:")


def test_schema_errors_in_two_files_are_both_reported(make_data_dir):
    data = make_data_dir(files={"a.yaml": "- x\n", "b.yaml": "tools:\n  - id: a\n   label: x\n"})
    with pytest.raises(DataError) as info:
        load_records(data)
    assert {i.file for i in info.value.issues} == {"a.yaml", "b.yaml"}


def test_no_such_data_folder(tmp_path):
    with pytest.raises(DataError, match=r"no such data folder or file"):
        load_records(tmp_path / "missing")


# --------------------------------------------------------------------------- files and folders
def test_find_data_files_skips_schema_folder_and_is_sorted(make_data_dir):
    data = make_data_dir(files={"schema/ignored.yaml": "- not even a mapping\n", "tools/b.yaml": "{}\n",
                                "a.yaml": "{}\n", "notes.txt": "not yaml"})
    names = [p.relative_to(data).as_posix() for p in find_data_files(data)]
    assert names == sorted(names)
    assert names == ["a.yaml", "example.yaml", "tools/b.yaml"]
    load_records(data)  # the broken schema/ file is never read


def test_shipped_data_files_are_found():
    files = find_data_files(default_data_dir())
    names = {p.name for p in files}
    assert {"book.yaml", "problems.yaml", "techniques.yaml"} <= names
    assert "example.yaml" not in names


def test_file_names_in_errors_are_relative_to_the_data_folder(make_data_dir):
    data = make_data_dir(files={"tools/extra.yaml": "tools:\n  - id: x\n"})
    with pytest.raises(DataError, match=r"tools/extra\.yaml: item `x` field `label`: missing required field"):
        load_records(data)


# --------------------------------------------------------------------------- nothing half-loaded
@pytest.mark.parametrize("change", [
    {"patch": ("tools", "evidently", "solves", ["problem/trainig-serving-skew"])},
    {"files": {"broken.yaml": "tools: [\n"}},
    {"patch": ("tools", "evidently", "license", "Apache2")},
])
def test_failed_load_raises_and_writes_no_cache(make_data_dir, isolated_cache, change):
    data = make_data_dir(**change)
    with pytest.raises(DataError):
        load_knowledge_graph(data)
    assert not isolated_cache.exists() or not any(isolated_cache.iterdir())


def test_unknown_reference_from_the_issue(make_data_dir, isolated_cache):
    """The issue's own example: a misspelt problem in a tool's ``solves``."""
    skew = ("problems:\n  - id: training-serving-skew\n    label: Training-serving skew\n"
            "    synonyms: [train/serve skew]\n    definition: Features differ between training and serving.\n")
    data = make_data_dir(files={"skew.yaml": skew},
                         replace={"    solves: [problem/data-distribution-shift]  #": "    solves: [problem/trainig-serving-skew]  #"})
    with pytest.raises(DataError) as info:
        load_knowledge_graph(data)
    msg = str(info.value)
    assert ("example.yaml: item `evidently` field `solves`: unknown reference `problem/trainig-serving-skew` "
            "(did you mean `problem/training-serving-skew`?)") in msg
    assert not isolated_cache.exists() or not list(isolated_cache.iterdir())


def test_duplicate_key_in_a_mapping_is_reported(make_data_dir):
    data = make_data_dir(replace={"    solves: [problem/data-distribution-shift]  #":
                                  "    solves: [problem/data-distribution-shift]\n    solves: []  #"})
    with pytest.raises(DataError, match=r"example\.yaml.*solves"):
        load_records(data)
