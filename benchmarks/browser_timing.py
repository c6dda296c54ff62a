"""Browser timings of the Explore page, measured in headless Chromium against ``mlsd serve``.

Measures (median of N runs each):

- cold start: a fresh browser context (empty cache) loads ``/`` until the canvas and the details
  panel are drawn;
- search → details: type a name, pick the first suggestion, until the details panel shows it;
- click → expand: double-click a node on the canvas until the expanded nodes are drawn, and the
  same through the Expand button with the node selected;

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
from urllib.parse import parse_qs

CHROMIUM = "/usr/bin/chromium"
ARGS = "--headless --no-sandbox".split() + ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL_INTERACTION_MS, GOAL_COLD_S = 150.0, 3.0
PACES = (0, 120)  # ms between the two clicks of a double-click: all at once, and a person's pace
SEARCHES = [("training-serving skew", "problem/training-serving-skew"), ("feast", "tool/feast"),
            ("data leakage", "problem/data-leakage"), ("feature store", "technique/feature-store")]
# (view, node to double-click): +11 nodes, +15, a full page at the default of 20 new nodes per
# expansion, and a full page of 50 (a person's choice in "New nodes per expansion")
EXPAND = [("focus=problem/training-serving-skew", "section/8.1.2"), ("focus=tool/feast", "technique/feature-store"),
          ("focus=problem/training-serving-skew", "problem/data-distribution-shift"),
          ("focus=problem/training-serving-skew&per=50", "stage/monitoring")]

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


# In the page: from the input event's own time stamp (when the browser received the click) to the
# frame that shows the result. For the details panel that is the Element Timing API's renderTime of
# its title (the browser's own record of when the text was painted; the attribute is set as the
# title enters the DOM, before its first paint). For the canvas, whose drawing that API does not
# see: requestAnimationFrame after the nodes are added, then a task (the frame has been painted;
# nothing else is queued there, explore.js tells the Dash callback only after that frame).
# What the driver adds on top (Playwright sending mouse events over its protocol, its actionability
# checks) is printed separately as "driver".
PAINTED = "requestAnimationFrame(() => setTimeout(() => { window.__t.painted = performance.now(); }, 0))"


def search_to_details(page, base: str, text: str, ref: str) -> dict:
    """Pick the first suggestion for ``text``; ms until the details panel shows it, and the canvas."""
    page.goto(base + "/?focus=chapter/1")
    page.wait_for_selector("#explore-details-title")
    page.wait_for_function(f"(() => {{ const cy = {CY}; return cy && cy.nodes().length > 0; }})()")
    page.fill("#explore-search", text)
    page.wait_for_selector(f"#explore-hits button:has-text('{text.split()[0]}')", timeout=10000)
    page.wait_for_timeout(150)  # let the suggestion list settle before timing the pick
    hit = page.locator(".hit").first
    label = page.evaluate("document.querySelector('.hit .hit-label').innerText")
    page.evaluate(f"""([label, ref]) => {{ window.__t = {{}};
        document.addEventListener('click', e => {{ window.__t.input = e.timeStamp; }}, {{capture: true, once: true}});
        new PerformanceObserver(list => {{ for (const e of list.getEntries()) {{
            if (e.identifier === 'mlsd-title' && !window.__t.painted) {{ window.__t.painted = e.renderTime || e.loadTime; }} }} }})
          .observe({{type: 'element'}});
        new MutationObserver((m, obs) => {{ const t = document.querySelector('#explore-details-title');
            if (t && t.innerText === label) {{ obs.disconnect(); t.setAttribute('elementtiming', 'mlsd-title'); }} }})
          .observe(document.getElementById('explore-details'), {{childList: true, subtree: true, characterData: true}});
        const cy = {CY}; cy.on('layoutstop', function done() {{ if (cy.getElementById(ref).hasClass('focus')) {{
            cy.off('layoutstop', done); requestAnimationFrame(() => setTimeout(() => {{ window.__t.canvas = performance.now(); }}, 0)); }} }});
    }}""", [label, ref])
    t0 = time.perf_counter()
    hit.click()
    page.wait_for_function("window.__t.painted", timeout=5000)
    driver = (time.perf_counter() - t0) * 1000
    page.wait_for_function("window.__t.canvas")
    t = page.evaluate("window.__t")
    return {"page": t["painted"] - t["input"], "driver": driver, "canvas": t["canvas"] - t["input"]}


def click_to_expand(page, base: str, view: str, node: str, pace_ms: float = 0) -> dict:
    """Double-click ``node``; ms until the new nodes are painted. ``pace_ms`` apart the two clicks
    (0: Playwright's ``dblclick``, every event at once; a person's double-click is ~100-200 ms)."""
    page.goto(f"{base}/?{view}")
    page.wait_for_selector("#explore-details-title")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(f"(() => {{ const cy = {CY}; return cy && cy.getElementById({node!r}).length > 0; }})()")
    before = _node_count(page)
    edges = page.evaluate(f"(() => {CY}.edges().length)()")
    pos = page.evaluate(f"""(() => {{ const cy = {CY}; const n = cy.getElementById({node!r}); const p = n.renderedPosition();
        const r = cy.container().getBoundingClientRect(); return {{x: r.left + p.x, y: r.top + p.y}}; }})()""")
    page.evaluate(f"""() => {{ window.__t = {{}}; const cy = {CY};
        window.__t.ups = []; document.addEventListener('mouseup', e => {{ window.__t.ups.push(e.timeStamp); }}, {{capture: true}});
        cy.one('add', () => {PAINTED}); }}""")
    page.mouse.move(pos["x"], pos["y"])
    t0 = time.perf_counter()
    if pace_ms:
        for count in (1, 2):
            page.mouse.down(click_count=count)
            page.wait_for_timeout(pace_ms / 3)
            page.mouse.up(click_count=count)
            if count == 1:
                page.wait_for_timeout(pace_ms)
    else:
        page.mouse.dblclick(pos["x"], pos["y"])
    page.wait_for_function(f"(b) => {{ const cy = {CY}; return window.__t.painted && cy.nodes().length != b; }}", arg=before,
                           timeout=5000)
    driver = (time.perf_counter() - t0) * 1000
    t = page.evaluate("window.__t")  # the double-click is complete at the second mouseup
    added = page.evaluate(f"(() => {{ const cy = {CY}; return [cy.nodes().length, cy.edges().length]; }})()")
    return {"page": t["painted"] - t["ups"][1], "driver": driver, "nodes": added[0] - before, "edges": added[1] - edges}


def button_to_expand(page, base: str, view: str, node: str, route: bool = True) -> dict:
    """Select ``node`` with a click, move to the Expand button, rest there as a person does before
    clicking (150 ms), click; ms from the click to the frame with the new nodes. Without ``route``
    the view route is blocked, so the page's Dash callback alone answers (the baseline)."""
    if not route:
        page.route("**/_mlsd/view", lambda r: r.abort())
    page.goto(f"{base}/?{view}")
    page.wait_for_selector("#explore-details-title")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(f"(() => {{ const cy = {CY}; return cy && cy.getElementById({node!r}).length > 0; }})()")
    pos = page.evaluate(f"""(() => {{ const cy = {CY}; const n = cy.getElementById({node!r}); const p = n.renderedPosition();
        const r = cy.container().getBoundingClientRect(); return {{x: r.left + p.x, y: r.top + p.y}}; }})()""")
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(f"(() => {CY}._mlsdSelected === {node!r})()")
    page.wait_for_load_state("networkidle")
    before = _node_count(page)
    page.evaluate(f"""() => {{ window.__t = {{}}; const cy = {CY};
        document.getElementById('explore-expand').addEventListener('click', e => {{ window.__t.input = e.timeStamp; }}, {{capture: true}});
        cy.one('add', () => {PAINTED}); }}""")
    page.hover("#explore-expand")
    page.wait_for_timeout(150)
    t0 = time.perf_counter()
    page.mouse.down()
    page.wait_for_timeout(40)
    page.mouse.up()
    page.wait_for_function(f"(b) => {{ const cy = {CY}; return window.__t.painted && cy.nodes().length != b; }}", arg=before,
                           timeout=5000)
    driver = (time.perf_counter() - t0) * 1000
    t = page.evaluate("window.__t")
    return {"page": t["painted"] - t["input"], "driver": driver}


def _name(view: str, node: str) -> str:
    """A row's name: the node's slug, and the page size when the view sets one."""
    per = parse_qs(view).get("per")
    return node.split("/")[-1] + (f" per={per[0]}" if per else "")


RETRIES: list[str] = []


def _retried(measure, *args):
    """``measure(*args)``, once more if the interaction did not happen (a pick that missed a list
    being redrawn, a double-click slower than Cytoscape's 400 ms): such runs are counted, not timed."""
    from playwright.sync_api import TimeoutError as Timeout
    for attempt in range(3):
        try:
            return measure(*args)
        except Timeout:
            RETRIES.append(f"{measure.__name__}{args[2:]}")
    raise SystemExit(f"{measure.__name__}{args[2:]} did not complete in three tries")


def server_side(runs: int) -> dict:
    """The same interactions as plain function calls: view + details for a search, view for an expansion."""
    from mlsd.app import callbacks_explore as logic
    from mlsd.app import explore_panels as panels
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
            panels.details_data(kg, state, view)
            times.append((time.perf_counter() - t0) * 1000)
        out[f"search+details {ref}"] = statistics.median(times)
    for view, node in EXPAND:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            state = logic.reduce_state(logic.parse_state(kg, parse_qs(view)), "expand", node)
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
            expand = {(view, node, pace): [] for view, node in EXPAND for pace in PACES}
            button = {(view, node): [] for view, node in EXPAND}
            baseline = []  # the full default page through the Dash callback alone
            for i in range(args.runs):
                for text, ref in SEARCHES:
                    search[ref].append(_retried(search_to_details, page, base, text, ref))
                for view, node in EXPAND:
                    for pace in PACES:
                        fresh = browser.new_context(viewport={"width": 1440, "height": 900})
                        expand[(view, node, pace)].append(_retried(click_to_expand, fresh.new_page(), base, view, node, pace))
                        fresh.close()
                    fresh = browser.new_context(viewport={"width": 1440, "height": 900})
                    button[(view, node)].append(_retried(button_to_expand, fresh.new_page(), base, view, node))
                    fresh.close()
                fresh = browser.new_context(viewport={"width": 1440, "height": 900})
                baseline.append(_retried(button_to_expand, fresh.new_page(), base, *EXPAND[2], False))
                fresh.close()
            browser.close()
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)

    def line(name, ms, goal, extra=""):
        ratio = ms / goal
        return (f"  {name:<52} {ms:6.0f} ms  goal ≤{goal:.0f} ms  {ratio:4.1f}× goal  {'ok    ' if ratio <= 1 else 'SLOWER'}"
                f"{extra}")

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(f"\nBrowser timings, median of {args.runs} (machine load {os.getloadavg()[0]:.1f}); in the page, from the "
          f"input event to the first frame painted with the result:")
    cold_med = statistics.median(cold)
    print(f"  {'cold start to first Explore render':<52} {cold_med:6.2f} s   goal ≤{GOAL_COLD_S:.0f} s     "
          f"{cold_med / GOAL_COLD_S:4.1f}× goal  {'ok' if cold_med <= GOAL_COLD_S else 'SLOWER'}")
    for ref, runs in search.items():
        print(line(f"search → details ({ref})", med(runs, "page"), GOAL_INTERACTION_MS,
                   f"  (canvas {med(runs, 'canvas'):.0f} ms; driver {med(runs, 'driver'):.0f} ms)"))
    print("  double-click → expand (new nodes/edges drawn; clicks a person's 120 ms apart, or Playwright's "
          "dblclick: all four events at once):")
    for (view, node, pace), runs in expand.items():
        how = "dblclick" if not pace else f"{pace:.0f} ms apart"
        size = f"+{runs[0]['nodes']}/{runs[0]['edges']}"
        print(line(f"  {size:>7} {_name(view, node)}, {how}", med(runs, "page"), GOAL_INTERACTION_MS,
                   f"  (driver {med(runs, 'driver'):.0f} ms)"))
    print("  select a node, then the Expand button (pointer resting on it 150 ms, as a person's does):")
    for (view, node), runs in button.items():
        print(line(f"          {_name(view, node)}", med(runs, "page"), GOAL_INTERACTION_MS,
                   f"  (driver {med(runs, 'driver'):.0f} ms)"))
    route_ms, callback_ms = med(button[EXPAND[2]], "page"), med(baseline, "page")
    print(line(f"          {_name(*EXPAND[2])} (callback only)", callback_ms, GOAL_INTERACTION_MS,
               f"  (baseline: the view route takes {route_ms / callback_ms:.2f}× its time)"))
    if RETRIES:
        print(f"  ({len(RETRIES)} run(s) repeated because the interaction did not happen: {', '.join(RETRIES)})")
    print("\nServer-side share (same work as plain function calls, no HTTP/browser):")
    for name, ms in server_side(args.runs).items():
        print(line(name, ms, GOAL_INTERACTION_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
