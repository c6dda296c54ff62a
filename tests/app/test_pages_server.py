"""``mlsd serve``: the app shell, the mounted SPARQL endpoint, gunicorn workers, endpoint-only."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


def _get(url: str, accept: str | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8", errors="replace")


def _shell_ok(base: str) -> None:
    status, ctype, body = _get(base + "/")
    assert status == 200 and ctype.startswith("text/html")
    assert 'id="react-entry-point"' in body
    assert "cdn" not in body.lower() and "https://" not in body.split("<body>")[0]  # nothing remote in <head>
    status, _, layout = _get(base + "/_dash-layout")
    assert status == 200 and "_pages_content" in layout


def _sparql_ok(base: str) -> None:
    q = urllib.parse.quote("SELECT ?l WHERE { <https://w3id.org/mlsd/id/tool/feast> rdfs:label ?l }")
    status, ctype, body = _get(f"{base}/sparql?query={q}", accept="application/sparql-results+json")
    assert status == 200 and "json" in ctype
    assert [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["Feast"]


def test_create_app_serves_the_shell_and_every_page(kg):
    from mlsd.app.server import NAV, create_app
    app = create_app(kg, {"timeout": 5, "max_rows": 100})
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    paths = {p["path"] for p in __import__("dash").page_registry.values()}
    assert {path for path, _ in NAV} <= paths
    deps = client.get("/_dash-dependencies").get_json()
    assert any("explore-state.data" in d["output"] for d in deps)


@pytest.mark.browser
def test_dev_server_mounts_the_sparql_endpoint(live_server):
    _shell_ok(live_server)
    _sparql_ok(live_server)


@pytest.mark.slow
def test_gunicorn_with_two_workers_serves_app_and_endpoint(start_mlsd):
    import os
    import subprocess

    proc, base = start_mlsd("--workers", "2")
    _shell_ok(base)
    _sparql_ok(base)
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) >= 2, "gunicorn should run two worker processes"
    assert all(os.path.exists(f"/proc/{w}") for w in workers)


@pytest.mark.slow
def test_endpoint_only_serves_sparql_and_no_pages(start_mlsd):
    _, base = start_mlsd("--endpoint-only", ready="/sparql")
    _sparql_ok(base)
    with pytest.raises(urllib.error.HTTPError):
        _get(base + "/_dash-layout")
