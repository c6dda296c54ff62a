"""Fixtures for the app tests: the graphs, live servers (started once per session) and one browser.

Browser tests drive Debian's Chromium through Playwright (never ``playwright install``). Each
server runs ``mlsd serve`` in a subprocess on a free port, the way a user starts it; the browser
is shared by the whole session and each test gets a fresh context (no state leaks between tests).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

FIXTURES = Path(__file__).with_name("fixtures")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Console messages that are not errors of ours (cytoscape warns about the wheel setting Dash passes).
BENIGN = ("custom wheel sensitivity",)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Wait until ``url`` answers 200 (or fail with the server's output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{out[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start_server(*args: str, data: str | None = None, ready: str = "/") -> tuple[subprocess.Popen, str]:
    """Start ``mlsd [--data DATA] serve --port P ARGS`` and return (process, base URL)."""
    port = free_port()
    cmd = [sys.executable, "-m", "mlsd.app.cli"]
    if data:
        cmd += ["--data", data, "--no-cache"]
    cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + ready, proc)
    except Exception:
        stop_server(proc)
        raise
    return proc, base


def stop_server(proc: subprocess.Popen) -> None:
    import signal
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its query workers (its own session)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    if proc.stdout:
        proc.stdout.close()


@pytest.fixture(scope="session")
def kg():
    """The shipped knowledge graph (what the live server serves)."""
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph()


@pytest.fixture(scope="session")
def xss_kg():
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph(FIXTURES / "xss.yaml", cache=False)


@pytest.fixture(scope="session")
def live_server():
    """Base URL of ``mlsd serve`` over the shipped graph, started once per session."""
    proc, base = start_server()
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def xss_server():
    """Base URL of ``mlsd serve`` over the fixture graph whose labels are HTML."""
    proc, base = start_server(data=str(FIXTURES / "xss.yaml"))
    yield base
    stop_server(proc)


@pytest.fixture
def start_mlsd():
    """Start ``mlsd serve ARGS`` (any options) for one test; every server is stopped afterwards."""
    started = []

    def start(*args: str, ready: str = "/"):
        proc, base = start_server(*args, ready=ready)
        started.append(proc)
        return proc, base

    yield start
    for proc in started:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """What the page logged: errors (console and uncaught exceptions) and failed requests."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg) -> None:
        if msg.type == "error" and not any(b in msg.text for b in BENIGN):
            self.errors.append(f"console.error: {msg.text}")


@pytest.fixture
def page(browser):
    """A fresh browser context and page; ``page.console.errors`` lists what went wrong."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.console = Console(pg)
    pg.open = lambda url: open_page(pg, url)
    pg.shoot = lambda name: shoot(pg, name)
    pg.cy = lambda script, canvas="explore-graph": cy_eval(pg, script, canvas)
    pg.cy_wait = lambda condition, canvas="explore-graph": cy_wait(pg, condition, canvas)
    yield pg
    ctx.close()


def open_page(page, url: str) -> None:
    """Go to ``url`` and wait until Dash has rendered the page content (on Explore: the canvas too,
    which explore.js draws once the page is idle)."""
    page.goto(url)
    page.wait_for_selector("#_pages_content > *")
    page.wait_for_load_state("networkidle")
    if page.locator("#explore-graph").count():
        cy_wait(page, "cy.nodes().length > 0")


def shoot(page, name: str) -> None:
    """Keep a screenshot of what the test saw (in /tmp/mlsd/shots, for people to look at)."""
    out = Path(os.environ.get("MLSD_SHOTS", "/tmp/mlsd/shots"))
    try:
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    except OSError:
        pass


_FIND_CY = """const root = document.getElementById(%r);
        const el = root && [root, ...root.querySelectorAll('div')].find(e => e._cyreg && e._cyreg.cy);
        const cy = el && el._cyreg.cy;"""


def cy_eval(page, script: str, canvas: str = "explore-graph"):
    """Evaluate ``script`` with ``cy`` bound to the Cytoscape instance of the canvas ``canvas``."""
    return page.evaluate(f"""(() => {{ {_FIND_CY % canvas}
        {script}
    }})()""")


def cy_wait(page, condition: str, canvas: str = "explore-graph") -> None:
    """Wait until the JavaScript expression ``condition`` (with ``cy`` bound, as in :func:`cy_eval`) holds."""
    page.wait_for_function(f"""(() => {{ {_FIND_CY % canvas}
        return Boolean(cy && ({condition}));
    }})()""")
