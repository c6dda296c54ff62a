"""Load test of the SPARQL endpoint: 50 concurrent clients on loopback, p50/p95 latency and errors.

The endpoint runs in its own process (``create_endpoint_app`` on werkzeug's threaded server,
over the shipped knowledge base unless ``--data`` says otherwise), so the clients do not share
its interpreter. For each named query the run prints, side by side:

* ``in-process``: ``kg.select``/``kg.sparql`` straight on the Oxigraph store (the baseline);
* ``guarded``: :func:`mlsd.graph.guard.run_guarded` in this process (guard + worker round trip);
* ``http x1``: one client over HTTP; ``http x50``: 50 concurrent clients over HTTP
  (each client sends requests back to back until ``--requests`` in total or ``--seconds``);

and the ratios to the baseline, the errors, and the throughput. It also times the start-up
(store materialisation, first query with a worker spawn) and how long a runaway query holds a
client before its 503. Numbers only, no asserts.

Usage: ``python benchmarks/endpoint_load.py [--clients 50] [--requests 1000] [--seconds 20]``
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

QUERIES = {
    "tool-labels": "SELECT ?t ?label WHERE { ?t a mlsd:Tool ; rdfs:label ?label } LIMIT 50",
    "3-hop": "SELECT ?tool ?problem ?stage WHERE { ?tool mlsd:implements ?tech . ?tech mlsd:solves ?problem . "
             "?problem mlsd:stage ?stage } LIMIT 200",
    "text-filter": "SELECT ?n ?label WHERE { ?n rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), 'drift')) }",
    "group-by": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "ask": "ASK { ?t a mlsd:Tool }",
    "construct": "CONSTRUCT { ?t rdfs:label ?l } WHERE { ?t a mlsd:Tool ; rdfs:label ?l } LIMIT 100",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def _load_kg(data):
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph(data)


def serve(port: int, data, timeout: float) -> None:
    """The server process: the endpoint only, on 127.0.0.1:port."""
    import logging

    from werkzeug.serving import make_server

    from mlsd.app.endpoint import create_endpoint_app
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_endpoint_app(_load_kg(data), {"timeout": timeout, "max_rows": 10000})
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))] if s else float("nan")


def _request(conn: http.client.HTTPConnection, query: str) -> int:
    conn.request("GET", "/sparql?" + urlencode({"query": query}))
    resp = conn.getresponse()
    resp.read()
    return resp.status


def run_clients(port: int, query: str, clients: int, total: int, seconds: float) -> dict:
    """``clients`` threads with keep-alive connections send ``query`` until ``total`` or ``seconds``."""
    lock, latencies, errors = threading.Lock(), [], []
    left = [total]
    stop_at = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            started = time.perf_counter()
            try:
                status = _request(conn, query)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if status == 200 else errors).append(elapsed if status == 200 else status)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"n": len(latencies), "p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "errors": len(errors), "error_kinds": sorted({str(e) for e in errors}), "rps": len(latencies) / wall}


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=1000, help="requests per query at full concurrency")
    ap.add_argument("--seconds", type=float, default=20.0, help="time bound per query at full concurrency")
    ap.add_argument("--timeout", type=float, default=3.0, help="the endpoint's query timeout")
    ap.add_argument("--data", default=None, help="data folder or file (default: the shipped knowledge base)")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve, args.data, args.timeout)
        return 0

    from mlsd.graph.executor import close_pools, get_pool, pool_size
    from mlsd.graph.guard import run_guarded
    kg = _load_kg(args.data)
    print(f"mlsd endpoint load test: {len(kg)} triples, {os.cpu_count()} cores, {pool_size()} query workers, "
          f"{args.clients} clients, <= {args.requests} requests or {args.seconds:g} s per query")
    started = time.perf_counter()
    get_pool(kg)
    materialise = time.perf_counter() - started
    started = time.perf_counter()
    run_guarded(kg, "ASK {}")
    first = time.perf_counter() - started
    print(f"start-up: store materialised/opened in {materialise * 1000:.0f} ms; first query (spawns a worker) "
          f"{first * 1000:.0f} ms\n")

    port = _free_port()
    cmd = [sys.executable, __file__, "--serve", str(port), "--timeout", str(args.timeout)]
    server = subprocess.Popen(cmd + (["--data", args.data] if args.data else []))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "ASK {}")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the endpoint did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)

        head = (f"{'query':<12} {'in-process':>10} {'guarded':>9} {'http x1':>9} "
                f"{'http x' + str(args.clients) + ' p50':>13} {'p95':>8} {'ratio p50':>9} {'req/s':>7} {'n':>5} {'errors':>6}")
        print(head)
        print("-" * len(head))
        for name, query in QUERIES.items():
            base = statistics.median(_timed(lambda: list(kg.sparql(query)) if not query.startswith("ASK")
                                            else bool(kg.sparql(query)), 30))
            guarded = statistics.median(_timed(lambda: run_guarded(kg, query), 30))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            single = statistics.median(_timed(lambda: _request(conn, query), 30))
            conn.close()
            load = run_clients(port, query, args.clients, args.requests, args.seconds)
            print(f"{name:<12} {base * 1000:>8.2f}ms {guarded * 1000:>7.2f}ms {single * 1000:>7.2f}ms "
                  f"{load['p50'] * 1000:>11.1f}ms {load['p95'] * 1000:>6.1f}ms {load['p50'] / base:>8.0f}x "
                  f"{load['rps']:>7.0f} {load['n']:>5} {load['errors']:>6}"
                  + (f"  {', '.join(load['error_kinds'])}" if load["errors"] else ""))

        started = time.perf_counter()
        status = _request(http.client.HTTPConnection("127.0.0.1", port, timeout=60), RUNAWAY)
        held = time.perf_counter() - started
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        after = _request(conn, QUERIES["tool-labels"])
        print(f"\nrunaway 5-way cartesian product: HTTP {status} after {held:.2f} s (timeout {args.timeout:g} s); "
              f"next query HTTP {after} in {(time.perf_counter() - started) * 1000:.0f} ms (a worker is respawned)")
        print(json.dumps({"triples": len(kg), "workers": pool_size(), "clients": args.clients}))
    finally:
        server.kill()
        server.wait()
        close_pools()
    return 0


if __name__ == "__main__":
    sys.exit(main())
