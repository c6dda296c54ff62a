"""Browser timings of the Explore page, measured in headless Chromium against ``mlsd serve``.

Measures (median of N runs each):

- cold start: a fresh browser context (empty cache) loads ``/`` until the canvas and the details
  panel are drawn;
- search → details: type a name, pick the first suggestion, until the details panel shows it;
- click → expand: double-click a node on the canvas until the expanded nodes are drawn;

and, for comparison, the server-side work of the same interactions run as plain functions in
this process (no HTTP, no browser). Prints numbers against the goals (≤150 ms per interaction,
≤3 s cold start); asserts nothing.

Usage: ``.venv/bin/python benchmarks/browser_timing.py [-n RUNS] [--url URL]``
(without ``--url`` it starts ``mlsd serve`` on a free port and stops it afterwards).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL_INTERACTION_MS, GOAL_COLD_S = 150.0, 3.0
SEARCHES = [("training-serving skew", "problem/training-serving-skew"), ("feast", "tool/feast"),
            ("data leakage", "problem/data-leakage"), ("feature store", "technique/feature-store")]
EXPAND = [("problem/training-serving-skew", "section/8.1.2"), ("problem/training-serving-skew", "stage/monitoring"),
          ("tool/feast", "technique/feature-store")]

CY = """(() => { const root = document.getElementById('explore-graph');
  const el = [root, ...root.querySelectorAll('div')].find(e => e._cyreg && e._cyreg.cy); return el && el._cyreg.cy; })()"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mlsd.app.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 60:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _node_count(page) -> int:
    return page.evaluate(f"(() => {{ const cy = {CY}; return cy ? cy.nodes().length : 0; }})()")


def cold_start(browser, base: str) -> float:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(base + "/")
    page.wait_for_selector("#explore-details-title")
    page.wait_for_function(f"(() => {{ const cy = {CY}; return cy && cy.nodes().length > 1; }})()")
    elapsed = time.perf_counter() - t0
    ctx.close()
    return elapsed


def search_to_details(page, base: str, text: str, ref: str) -> float:
    page.goto(base + "/?focus=chapter/1")
    page.wait_for_selector("#explore-details-title")
    page.fill("#explore-search", text)
    page.wait_for_selector(f"#explore-hits button:has-text('{text.split()[0]}')", timeout=10000)
    page.wait_for_timeout(150)  # let the suggestion list settle before timing the pick
    hit = page.locator(".hit").first
    label = page.evaluate("document.querySelector('.hit .hit-label').innerText")
    t0 = time.perf_counter()
    hit.click()
    page.wait_for_function("(l) => document.querySelector('#explore-details-title').innerText === l", arg=label)
    return (time.perf_counter() - t0) * 1000


def click_to_expand(page, base: str, focus: str, node: str) -> float:
    page.goto(f"{base}/?focus={focus}")
    page.wait_for_selector("#explore-details-title")
    page.wait_for_load_state("networkidle")
    before = _node_count(page)
    pos = page.evaluate(f"""(() => {{ const cy = {CY}; const n = cy.getElementById({node!r}); const p = n.renderedPosition();
        const r = cy.container().getBoundingClientRect(); return {{x: r.left + p.x, y: r.top + p.y}}; }})()""")
    t0 = time.perf_counter()
    page.mouse.dblclick(pos["x"], pos["y"])
    page.wait_for_function(f"(b) => {{ const cy = {CY}; return cy && cy.nodes().length != b; }}", arg=before)
    return (time.perf_counter() - t0) * 1000


def server_side(runs: int) -> dict:
    """The same interactions as plain function calls: view + details for a search, view for an expansion."""
    from mlsd.app import callbacks_explore as logic
    from mlsd.graph.store import load_knowledge_graph
    kg = load_knowledge_graph()
    kg.nx, kg.search_index  # noqa: B018  built once per process, as in the server
    out = {}
    for text, ref in SEARCHES:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            hit = logic.search_hits(kg, text, limit=1)[0]["id"]
            state = logic.reduce_state(logic.parse_state(kg, {"focus": "chapter/1"}), "focus", hit)
            view = logic.view_of(kg, state)
            logic.to_elements(view)
            logic.render_details(kg, state, view)
            times.append((time.perf_counter() - t0) * 1000)
        out[f"search+details {ref}"] = statistics.median(times)
    for focus, node in EXPAND:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            state = logic.reduce_state(logic.parse_state(kg, {"focus": focus}), "expand", node)
            logic.to_elements(logic.view_of(kg, state))
            times.append((time.perf_counter() - t0) * 1000)
        out[f"expand {node}"] = statistics.median(times)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=7)
    ap.add_argument("--url", help="an already running app (default: start one)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    proc = None
    t0 = time.perf_counter()
    if args.url:
        base = args.url.rstrip("/")
    else:
        proc, base = start_server()
        print(f"server start (mlsd serve until / answers): {time.perf_counter() - t0:.2f} s")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            cold_start(browser, base)  # the server's first request warms its caches
            cold = [cold_start(browser, base) for _ in range(args.runs)]
            ctx = browser.new_context(viewport={"width": 1440, "height": 900})
            page = ctx.new_page()
            search = {ref: [] for _, ref in SEARCHES}
            expand = {node: [] for _, node in EXPAND}
            for i in range(args.runs):
                for text, ref in SEARCHES:
                    search[ref].append(search_to_details(page, base, text, ref))
                for focus, node in EXPAND:
                    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
                    expand[node].append(click_to_expand(fresh.new_page(), base, focus, node))
                    fresh.close()
            browser.close()
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

    def line(name, ms, goal):
        ratio = ms / goal
        return f"  {name:<44} {ms:8.0f} ms   goal ≤{goal:.0f} ms   {ratio:4.1f}× goal  {'ok' if ratio <= 1 else 'SLOWER'}"

    print(f"\nBrowser timings, median of {args.runs} (machine load {os.getloadavg()[0]:.1f}):")
    cold_med = statistics.median(cold)
    print(f"  {'cold start to first Explore render':<44} {cold_med:8.2f} s    goal ≤{GOAL_COLD_S:.0f} s     "
          f"{cold_med / GOAL_COLD_S:4.1f}× goal  {'ok' if cold_med <= GOAL_COLD_S else 'SLOWER'}")
    for ref, times in search.items():
        print(line(f"search → details ({ref})", statistics.median(times), GOAL_INTERACTION_MS))
    for node, times in expand.items():
        print(line(f"double-click → expand ({node})", statistics.median(times), GOAL_INTERACTION_MS))
    print("\nServer-side share (same work as plain function calls, no HTTP/browser):")
    for name, ms in server_side(args.runs).items():
        print(line(name, ms, GOAL_INTERACTION_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
