"""Everyday questions answered end to end through the real `mlsd` console script.

The questions and expected answers live in questions.yaml so that anyone can add one without
touching Python.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

QUESTIONS = yaml.safe_load((Path(__file__).with_name("questions.yaml")).read_text(encoding="utf-8"))["questions"]
MLSD = shutil.which("mlsd", path=str(Path(sys.executable).parent)) or shutil.which("mlsd")


def _ask(question: dict, cache_dir: Path) -> dict:
    env = {**os.environ, "MLSD_CACHE_DIR": str(cache_dir)}
    proc = subprocess.run([MLSD, question["ask"], question["text"], "--json"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, f"mlsd {question['ask']} {question['text']!r} failed: {proc.stderr}"
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def question_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mlsd-cache")


def test_there_are_enough_questions():
    assert len(QUESTIONS) >= 40


@pytest.mark.parametrize("q", QUESTIONS, ids=[f"{q['ask']}:{q['text']}" for q in QUESTIONS])
def test_question(q, question_cache):
    assert MLSD, "the mlsd console script is not installed"
    res = _ask(q, question_cache)
    if q["ask"] == "search":
        got = [r["id"] for r in res["results"][:3]]
        assert got and got[0] == q["expect_top"], f"top results {got}"
        return
    matches = [m["id"] for m in res["matches"]]
    if "expect_match" in q:
        if q["ask"] == "where":
            assert matches[:1] == [q["expect_match"]], f"matches {matches}"
        else:
            assert q["expect_match"] in matches, f"matches {matches}"
    if q["ask"] == "where":
        want = q["expect_location"]
        locs = [(loc["chapter"], loc["page"]) for loc in res["locations"]]
        assert all(isinstance(c, int) and isinstance(p, int) for c, p in locs)
        assert any(c == want["chapter"] and ("page" not in want or p == want["page"]) for c, p in locs), locs
    else:
        top = [t["id"] for t in res["tools"][: q.get("within", 15)]]
        missing = [t for t in q["expect_tools"] if t not in top]
        assert not missing, f"{missing} not among the top tools {top}"
        for tool in res["tools"]:
            assert tool["evidence"] and all(ev[0] == tool["label"] for ev in tool["evidence"])
