"""Shared fixtures for the graph library, CLI and data tests.

Fixture names are specific on purpose (other test packages add their own conftest files):

- ``example_path`` / ``example_kg``: the tiny complete dataset ``data/schema/example.yaml``
  (loaded without cache, read-only, session-scoped);
- ``kg_cache_dir`` / ``full_kg``: the shipped knowledge base, loaded once per session into a
  session cache folder that the CLI subprocesses reuse;
- ``run_cli``: runs the real ``mlsd`` console script and returns ``(code, stdout, stderr)``;
- ``make_data_dir``: copies example.yaml into a fresh folder and patches one field or a piece
  of text, so a loader test can break exactly one thing.
"""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlsd.graph.load import default_data_dir

EXAMPLE = default_data_dir() / "schema" / "example.yaml"

#: Passed as the value of a patch to delete the field.
DELETE = object()


@pytest.fixture(scope="session")
def example_path() -> Path:
    """The example data file (a complete, tiny dataset)."""
    return EXAMPLE


@pytest.fixture(scope="session")
def example_kg():
    """The knowledge graph of example.yaml, built without touching any cache."""
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph(EXAMPLE, cache=False)


@pytest.fixture(scope="session")
def kg_cache_dir(tmp_path_factory) -> Path:
    """A session cache folder shared by ``full_kg`` and every CLI subprocess."""
    return tmp_path_factory.mktemp("mlsd-cache")


@pytest.fixture(scope="session")
def full_kg(kg_cache_dir):
    """The shipped knowledge base (built once; also warms the cache the CLI tests use)."""
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph(cache=True, cache_dir=kg_cache_dir)


def _mlsd_script() -> str:
    script = shutil.which("mlsd", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail(f"the `mlsd` console script is not installed next to {sys.executable}")
    return script


@pytest.fixture(scope="session")
def run_cli(kg_cache_dir, full_kg):
    """Run the real ``mlsd`` console script; returns ``(exit code, stdout, stderr)``.

    The cache is warm (``full_kg`` wrote it) and shared through ``MLSD_CACHE_DIR``, so commands on
    the shipped data do not rebuild the graph.
    """
    script = _mlsd_script()
    base_env = {**os.environ, "MLSD_CACHE_DIR": str(kg_cache_dir), "PYTHONIOENCODING": "utf-8"}

    def run(*args, env: dict | None = None, cwd=None, timeout: float = 120):
        proc = subprocess.run([script, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                              env={**base_env, **(env or {})}, cwd=cwd, timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr

    return run


def _patch_item(doc: dict, section: str, item_id, field: str, value) -> None:
    entries = doc[section]
    items = [entries] if isinstance(entries, dict) else entries
    matches = [it for it in items if str(it.get("id")) == str(item_id)]
    assert len(matches) == 1, f"example.yaml has no single {section} item `{item_id}`"
    if value is DELETE:
        del matches[0][field]
    else:
        matches[0][field] = value


class DataDirBuilder:
    """Build a data folder from example.yaml with one change.

    ``make_data_dir()`` copies example.yaml unchanged; ``patch=(section, id, field, value)`` sets
    one field (``DELETE`` removes it); ``replace={old: new}`` edits the YAML text (each ``old``
    must occur exactly once, for changes that only text can express, such as an unquoted id);
    ``make_data_dir.DELETE`` is the value that deletes a field;
    ``files={name: text}`` adds more files. Returns the folder.
    """

    DELETE = DELETE

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def __call__(self, *, patch=None, replace: dict | None = None, files: dict | None = None,
                 name: str = "example.yaml") -> Path:
        self.count += 1
        folder = self.root / f"data{self.count}"
        folder.mkdir()
        text = EXAMPLE.read_text(encoding="utf-8")
        if patch is not None:
            doc = yaml.safe_load(text)
            doc = copy.deepcopy(doc)
            _patch_item(doc, *patch)
            text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        for old, new in (replace or {}).items():
            assert text.count(old) == 1, f"`{old}` must occur exactly once in example.yaml"
            text = text.replace(old, new)
        (folder / name).write_text(text, encoding="utf-8")
        for fname, content in (files or {}).items():
            path = folder / fname
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        return folder


@pytest.fixture
def make_data_dir(tmp_path) -> DataDirBuilder:
    """A builder of data folders derived from example.yaml (see :class:`DataDirBuilder`)."""
    return DataDirBuilder(tmp_path)


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder, set as ``MLSD_CACHE_DIR`` for this test."""
    path = tmp_path / "cache"
    monkeypatch.setenv("MLSD_CACHE_DIR", str(path))
    return path


@pytest.fixture
def listener():
    """A TCP listener on a free loopback port that records every connection: (port, received data).

    Security tests point SERVICE, LOAD and FROM at it and check it saw nothing.
    """
    import socket
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    seen, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            seen.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield srv.getsockname()[1], seen
    stop.set()
    thread.join(2)
    srv.close()


def serve_wsgi(app):
    """Serve a WSGI ``app`` on a free loopback port in a thread; call ``.shutdown()`` when done."""
    import threading

    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def wsgi_server():
    """:func:`serve_wsgi` as a fixture (tests import no helpers from conftest)."""
    return serve_wsgi
