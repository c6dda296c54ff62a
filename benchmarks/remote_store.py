"""The remote store against the embedded one, on the shipped knowledge base and a private Virtuoso.

Times (medians of ``--repeat`` runs after a warm-up):

* ``mlsd push`` (``push_graph``) with several batch sizes;
* every named query through ``RemoteKnowledgeGraph.run`` vs ``KnowledgeGraph.run`` (the
  baseline), with the same representative inputs as the parity tests, and whether the rows match;
* ``find_tools`` end to end, and the import of the full LF AI & Data landscape.

Needs ``virtuoso-t`` (Debian ``virtuoso-opensource``). Usage:
``python benchmarks/remote_store.py [--repeat 5] [--landscape PATH]``
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "graph"))

from virtuoso_fixture import start_virtuoso  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--landscape", default="/work/shared/reference/lfai-landscape.yml")
    args = ap.parse_args()

    from mlsd.graph.find import find_tools
    from mlsd.graph.push import push_graph
    from mlsd.graph.remote import SparqlEndpoint, load_knowledge_graph_remote
    from mlsd.graph.store import load_knowledge_graph
    from test_remote import cases, concat_columns, normalised  # the parity tests' inputs

    from mlsd.graph.sparql import load_query
    kg = load_knowledge_graph()
    v = start_virtuoso()
    try:
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
    finally:
        v.stop()
    if Path(args.landscape).exists():
        from mlsd.graph.landscape import import_landscape, load_landscape
        t = time.perf_counter()
        res = import_landscape(load_landscape(args.landscape), kg)
        print(f"\nlandscape import ({args.landscape}): {time.perf_counter() - t:.2f} s, {res.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
