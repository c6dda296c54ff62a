"""The remote store against the embedded one, on the shipped knowledge base and a private Virtuoso.

Times (medians of ``--repeat`` runs after a warm-up):

* ``mlsd push`` (``push_graph``) with several batch sizes;
* every named query through ``RemoteKnowledgeGraph.run`` vs ``KnowledgeGraph.run`` (the
  baseline), with the same representative inputs as the parity tests, and whether the rows match;
* ``find_tools`` end to end, and the import of the full LF AI & Data landscape.

With ``--sizes 100k,1M`` an extra section follows: for each size, the synthetic graph of
benchmarks/synthetic.py is bulk-loaded into the embedded store (``Store.bulk_load``) and into
the same Virtuoso (``ld_dir`` / ``rdf_loader_run()`` / ``checkpoint``, one named graph per size),
and every named query that takes an input runs with the "hub" and "typical" inputs benchmarks/run.py
picks, through ``RemoteKnowledgeGraph.run`` vs ``KnowledgeGraph.run``. Each side runs in a worker
process (benchmarks/common.py) that is killed when one execution exceeds ``--cap`` seconds; an
execution slower than 2 s is measured once.

Needs ``virtuoso-t`` (Debian ``virtuoso-opensource``). Usage:
``python benchmarks/remote_store.py [--repeat 5] [--landscape PATH] [--sizes 100k,1M [--cap 30] [--sizes-only]]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "graph"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import common  # noqa: E402
import synthetic  # noqa: E402
from common import BudgetExceeded, Worker, fmt_ms, fmt_ratio, format_table  # noqa: E402
from run import _query_variants, _size_label  # noqa: E402  (the representative inputs of run.py)
from virtuoso_fixture import start_virtuoso  # noqa: E402

#: Named graph each synthetic size is bulk-loaded into (``{label}`` is e.g. ``100k``).
SYNTHETIC_GRAPH = "https://w3id.org/mlsd/graph/synthetic-{label}"


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


# ------------------------------------------------------------------ synthetic sizes

def _embedded_setup(path: str):
    def setup():
        import pyoxigraph as ox
        from mlsd.graph.store import KnowledgeGraph
        store = ox.Store()
        t0 = time.perf_counter()
        store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
        return {"kg": KnowledgeGraph(store, f"synthetic:{Path(path).name}")}, {
            "load": time.perf_counter() - t0, "triples": len(store)}
    return setup


def _remote_setup(endpoint: str, graph: str, timeout: float):
    def setup():
        from mlsd.graph.remote import RemoteKnowledgeGraph, SparqlEndpoint
        return {"kg": RemoteKnowledgeGraph(SparqlEndpoint(endpoint, timeout=timeout), graph)}, {}
    return setup


def _run_query(state, task):
    """One execution of a named query (only the warm-up's rows travel back to the parent)."""
    name, bindings = task
    return state["kg"].run(name, **bindings)


def _timed(worker: Worker, task, repeat: int) -> dict:
    """Median seconds and the row multiset (GROUP_CONCAT values sorted, as in the parity tests)."""
    from mlsd.graph.sparql import load_query
    from test_remote import concat_columns, normalised
    try:
        r = worker.run(task, repeat)
        rows = normalised(r["result"], concat_columns(load_query(task[0])))
        return {"median": statistics.median(r["samples"]), "n": len(r["samples"]), "rows": rows}
    except BudgetExceeded as exc:
        return {"over": str(exc)}
    except RuntimeError as exc:
        return {"error": str(exc)[:80]}


def _cell(c: dict):
    return c.get("median", c.get("over") or c.get("error"))


def _bulk_load_virtuoso(v, path: Path, graph: str) -> float:
    """``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint`` (the file lies in the instance's folder,
    which the fixture's ini lists in ``DirsAllowed``); returns seconds."""
    t0 = time.perf_counter()
    v.isql(f"ld_dir('{path.parent}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;", timeout=900)
    s = time.perf_counter() - t0
    bad = v.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
    if any(line.strip().isdigit() and int(line.strip()) for line in bad.splitlines()):
        raise RuntimeError(f"Virtuoso bulk load of {path} reported errors (DB.DBA.LOAD_LIST)")
    return s


def run_sizes(v, sizes: list[int], args) -> str:
    """The extra section: embedded vs remote on synthetic graphs; returns the report (Markdown)."""
    load1, load5, load15 = os.getloadavg()
    out = [f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, load average at start "
           f"{load1:.2f} / {load5:.2f} / {load15:.2f}; medians of --repeat {args.repeat} after a warm-up "
           f"(an execution over 2 s is measured once, one over {args.cap:g} s is stopped); seed {args.seed}; "
           f"Virtuoso 7.2 over HTTP on loopback, `ResultSetMaxRows` 10,000 (the remote side pages)", ""]
    rows = []
    for size in sizes:
        label = _size_label(size)
        path = v.folder / f"synthetic-{label}-seed{args.seed}.nt"
        graph = SYNTHETIC_GRAPH.format(label=label)
        t = time.perf_counter()
        info = synthetic.generate(size, path, seed=args.seed)
        print(f"\n== {label}: generated {info['triples']:,} triples in {time.perf_counter() - t:.1f} s",
              file=sys.stderr, flush=True)
        emb = Worker(_embedded_setup(str(path)), _run_query, args.cap)
        einfo = emb.start()
        vload = _bulk_load_virtuoso(v, path, graph)
        rem = Worker(_remote_setup(v.endpoint, graph, args.cap + 5), _run_query, args.cap)
        rem.start()
        out.append(f"{label}: {info['triples']:,} triples; load: Oxigraph `bulk_load` {einfo['load']:.2f} s, "
                   f"Virtuoso `ld_dir`+`rdf_loader_run`+`checkpoint` {vload:.1f} s")
        print(f"   loaded: embedded {einfo['load']:.1f} s, Virtuoso {vload:.1f} s", file=sys.stderr, flush=True)
        try:
            for name, which, bindings in _query_variants(info["bindings"]):
                if not bindings:
                    continue
                e = _timed(emb, (name, bindings), args.repeat)
                r = _timed(rem, (name, bindings), args.repeat)
                same = "yes" if e.get("rows") == r.get("rows") else "NO"
                if "rows" not in e or "rows" not in r:
                    same = "–"
                n = sum(e["rows"].values()) if "rows" in e else "–"
                rows.append([label, name, which, n, fmt_ms(_cell(e)), fmt_ms(_cell(r)),
                             fmt_ratio(_cell(r), _cell(e)), same])
                print("  " + " | ".join(str(c) for c in rows[-1]), file=sys.stderr, flush=True)
        finally:
            emb.stop()
            rem.stop()
            path.unlink(missing_ok=True)
    out += ["", format_table(["size", "named query", "input", "rows", "embedded ms", "remote ms", "remote/embedded",
                              "same rows"], rows, align="lllrrrrl")]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--landscape", default="/work/shared/reference/lfai-landscape.yml")
    ap.add_argument("--sizes", default="", help="extra section on synthetic graphs, e.g. 100k,1M")
    ap.add_argument("--cap", type=float, default=30.0, help="seconds one query execution may take (default 30)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic graphs")
    ap.add_argument("--sizes-only", action="store_true", help="skip the section on the shipped knowledge base")
    args = ap.parse_args()
    try:
        sizes = [synthetic.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as exc:
        ap.error(f"--sizes: {exc}")
    common.MIN_TOTAL_S = 0.0  # exactly --repeat timed runs (the worker is forked, so it sees this)
    if args.sizes_only and not sizes:
        ap.error("--sizes-only needs --sizes")

    v = start_virtuoso()
    try:
        if not args.sizes_only:
            run_shipped(v, args)
        if sizes:
            print(f"\n## Embedded Oxigraph vs remote Virtuoso ({', '.join(map(_size_label, sizes))})\n")
            print(run_sizes(v, sizes, args), flush=True)
    finally:
        v.stop()
    return 0


def run_shipped(v, args) -> None:
    """Today's section: push, named queries with the parity tests' inputs, find_tools, landscape."""
    from mlsd.graph.find import find_tools
    from mlsd.graph.push import push_graph
    from mlsd.graph.remote import SparqlEndpoint, load_knowledge_graph_remote
    from mlsd.graph.sparql import load_query
    from mlsd.graph.store import load_knowledge_graph
    from test_remote import cases, concat_columns, normalised  # the parity tests' inputs

    kg = load_knowledge_graph()
    ep = SparqlEndpoint(v.update_endpoint, user="dba", password=v.password)
    print(f"push of {len(kg):,} triples into Virtuoso 7.2 ({v.endpoint})")
    for batch in (100, 250, 500, 1000):
        t = time.perf_counter()
        res = push_graph(kg, ep, batch=batch)
        s = time.perf_counter() - t
        print(f"  batch {batch:>5}: {s:6.2f} s  {res['triples'] / s:8,.0f} triples/s  ({res['batches']} batches)")
    rk = load_knowledge_graph_remote(v.endpoint)
    print(f"\n{'query':<45} {'rows':>6} {'embedded':>10} {'remote':>10} {'ratio':>7}  same rows")
    same = total = 0
    for p in cases():
        name, bindings = p.values
        e = kg.run(name, **bindings)
        r = rk.run(name, **bindings)
        ok = normalised(e, concat_columns(load_query(name))) == normalised(r, concat_columns(load_query(name)))
        same += ok
        total += 1
        te = median_ms(lambda: kg.run(name, **bindings), args.repeat)
        tr = median_ms(lambda: rk.run(name, **bindings), args.repeat)
        print(f"{p.id[:45]:<45} {len(e):>6} {te:>8.1f}ms {tr:>8.1f}ms {tr / te if te else 0:>6.1f}x  {ok}")
    print(f"\nparity: {same}/{total} query cases give the same rows")
    for text in ("training-serving skew", "data drift"):
        te = median_ms(lambda: find_tools(kg, text), args.repeat)
        tr = median_ms(lambda: find_tools(rk, text), args.repeat)
        print(f"find_tools({text!r}): embedded {te:.1f} ms, remote {tr:.1f} ms ({tr / te:.1f}x)")
    t = time.perf_counter()
    cold = load_knowledge_graph_remote(v.endpoint)
    _ = cold.nodes, cold.search_index, cold.nx
    print(f"remote open + nodes + search index + nx: {time.perf_counter() - t:.2f} s")
    if Path(args.landscape).exists():
        from mlsd.graph.landscape import import_landscape, load_landscape
        t = time.perf_counter()
        res = import_landscape(load_landscape(args.landscape), kg)
        print(f"\nlandscape import ({args.landscape}): {time.perf_counter() - t:.2f} s, {res.summary}")


if __name__ == "__main__":
    sys.exit(main())
