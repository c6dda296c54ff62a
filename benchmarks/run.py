"""Benchmarks of mlsd on synthetic knowledge graphs of 10k, 100k and 1M triples.

For each size: generate the graph (benchmarks/synthetic.py), then time

* loading: pyoxigraph ``Store.bulk_load`` of the N-Triples (baseline: rdflib ``Graph.parse``);
* every named query in graph/queries/*.rq through ``KnowledgeGraph.run`` (Oxigraph with
  substitutions, as the app runs them), with real nodes of the generated graph as inputs (the
  most connected one, "hub", and a median one, "typical"); baseline: rdflib's default store;
  for the queries that miss the goal also a prototype (benchmarks/prototypes.py: inputs in a
  ``VALUES`` block instead of substitutions, and/or a rewrite);
* the search: node table and ``SearchIndex`` build, and the query time of realistic searches
  (baseline: a SPARQL ``FILTER(CONTAINS(LCASE(...)))`` scan on Oxigraph);
* ``find_tools`` end to end on a ``KnowledgeGraph`` around the synthetic store.

Every execution runs in a worker process with a time budget (``--budget``): over budget, the
worker is killed and the cell reads "> budget". Medians are over ``--repeat`` runs after a
warm-up (more runs for fast operations, so that p95 is cheap); an execution slower than 2 s is
measured once.

Usage: ``python benchmarks/run.py [--sizes 10k,100k,1M] [--repeat 7] [--quick] [--json OUT]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import prototypes  # noqa: E402
import synthetic  # noqa: E402
from common import BudgetExceeded, Worker, fmt_ms, fmt_ratio, format_table, summarize  # noqa: E402

SEARCHES = ["train/serve skew", "my model degrades after launch", "trainig serving skew", "feature store"]
QUERY_GOAL_S = 0.100  # named queries at 1M triples
SEARCH_GOAL_S = 0.020  # search at 1M triples
#: Which node of the generated graph feeds each input variable.
INPUT_KIND = {"problem": "problem", "technique": "technique", "tool": "tool", "chapter": "chapter",
              "concept": "concept", "node": "problem"}

SCAN = """# Baseline for the search: a case-insensitive substring scan over labels, synonyms and texts.
SELECT DISTINCT ?q ?node ?label WHERE {
  ?node rdfs:label ?label .
  FILTER(STRSTARTS(STR(?node), "https://w3id.org/mlsd/id/"))
  OPTIONAL { ?node skos:altLabel ?alt }
  OPTIONAL { ?node skos:definition|dcterms:description ?text }
  FILTER(CONTAINS(LCASE(?label), ?q) || CONTAINS(LCASE(COALESCE(?alt, "")), ?q)
         || CONTAINS(LCASE(COALESCE(?text, "")), ?q))
}"""


# ------------------------------------------------------------------ worker side (runs in the child)

def _ox_setup(path: str, load_repeat: int):
    def setup():
        import pyoxigraph as ox
        from mlsd.graph.store import KnowledgeGraph
        times = []
        for _ in range(max(load_repeat, 1)):
            store = ox.Store()
            t0 = time.perf_counter()
            store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
            times.append(time.perf_counter() - t0)
        return {"kg": KnowledgeGraph(store, "synthetic")}, {"load": times, "triples": len(store)}
    return setup


def _ox_handle(state, task):
    from mlsd.graph.find import find_tools
    from mlsd.graph.search import SearchIndex
    kg = state["kg"]
    op = task[0]
    if op == "query":
        _, name, bindings, mode = task
        if mode == "proto":
            return len(prototypes.run_prototype(kg, name, bindings))
        return len(kg.run(name, **bindings))
    if op == "nodes":
        kg.__dict__.pop("nodes", None)
        return len(kg.nodes)
    if op == "index":
        kg.__dict__.pop("search_index", None)
        idx = SearchIndex(kg.nodes.values())
        kg.__dict__["search_index"] = idx
        return {"terms": len(idx.postings), "names": len(idx.name_keys)}
    if op == "search":
        return [h["ref"] for h in kg.search_index.search(task[1])]
    if op == "proto_index":
        from prototypes import VectorSearch
        state["vector"] = VectorSearch(kg.search_index)
        return len(state["vector"].refs)
    if op == "proto_search":
        return [h["ref"] for h in state["vector"].search(task[1])]
    if op == "proto_find_tools":
        from prototypes import ValuesKnowledgeGraph
        if "kgv" not in state:
            kgv = state["kgv"] = ValuesKnowledgeGraph(kg.store, kg.fingerprint)
            kgv.__dict__["nodes"] = kg.nodes
            kgv.__dict__["search_index"] = state["vector"]
        r = find_tools(state["kgv"], task[1])
        return {"matches": [m["id"] for m in r["matches"]], "tools": len(r["tools"]), "read": len(r["read"])}

    if op == "scan":
        return len(kg.select(SCAN, {"q": task[1].lower()}))
    if op == "find_tools":
        r = find_tools(kg, task[1])
        return {"matches": [m["id"] for m in r["matches"]], "tools": len(r["tools"]), "read": len(r["read"])}
    raise ValueError(op)


def _rdflib_setup(path: str):
    def setup():
        from rdflib import Graph
        t0 = time.perf_counter()
        g = Graph()
        g.parse(path, format="nt")
        return {"g": g}, {"load": [time.perf_counter() - t0], "triples": len(g)}
    return setup


def _rdflib_handle(state, task):
    from rdflib import URIRef, Variable
    from mlsd.graph.sparql import load_query, to_term
    from mlsd.graph.store import PREFIX_HEADER
    _, name, bindings, _mode = task
    init = {Variable(k): URIRef(to_term(v).value) for k, v in bindings.items()}
    return len(list(state["g"].query(PREFIX_HEADER + load_query(name), initBindings=init)))


# ------------------------------------------------------------------ parent side

def _timed(worker: Worker, task, repeat: int, label: str) -> dict:
    try:
        r = worker.run(task, repeat)
        out = {**summarize(r["samples"]), "result": r["result"]}
    except BudgetExceeded as exc:
        out = {"over": str(exc)}
    except RuntimeError as exc:
        out = {"error": str(exc)}
    shown = out.get("over") or out.get("error") or f"{fmt_ms(out['median'])} (n={out['n']}) -> {out['result']}"
    print(f"  {label:<58} {shown}", file=sys.stderr, flush=True)
    return out


def _median(cell: dict):
    """The median in seconds, or the '> budget' text, or None."""
    if not cell:
        return None
    return cell.get("median", cell.get("over"))


def _query_variants(bindings: dict) -> list[tuple[str, str, dict]]:
    from mlsd.graph.sparql import list_queries, load_query
    out = []
    for name in list_queries():
        inputs = common.input_variables(load_query(name))
        if not inputs:
            out.append((name, "", {}))
            continue
        if any(v not in INPUT_KIND for v in inputs):
            print(f"  (skipping {name}: no synthetic binding for {inputs})", file=sys.stderr)
            continue
        for which in ("hub", "typical"):
            out.append((name, which, {v: bindings[INPUT_KIND[v]][which] for v in inputs}))
    return out


def _run_search(ox, res, args):
    res["ox"]["nodes"] = _timed(ox, ("nodes",), 0, "node table (node_index + dict)")
    res["ox"]["index"] = _timed(ox, ("index",), 0, "SearchIndex build")
    res["ox"]["search"], res["ox"]["scan"], res["ox"]["find_tools"] = {}, {}, {}
    for text in SEARCHES:
        res["ox"]["search"][text] = _timed(ox, ("search", text), max(args.repeat, 20), f"search {text!r}")
        res["ox"]["scan"][text] = _timed(ox, ("scan", text), args.repeat, f"scan {text!r}")
    res["ox"]["proto_index"] = _timed(ox, ("proto_index",), 0, "prototype VectorSearch build (on top of the index)")
    res["ox"]["proto_search"], res["ox"]["proto_find_tools"] = {}, {}
    for text in SEARCHES:
        res["ox"]["proto_search"][text] = _timed(ox, ("proto_search", text), max(args.repeat, 20),
                                                 f"prototype search {text!r}")
    for text in SEARCHES:
        res["ox"]["proto_find_tools"][text] = _timed(ox, ("proto_find_tools", text), args.repeat,
                                                     f"prototype find_tools {text!r}")
    over = None
    for text in SEARCHES:
        if over:  # every find_tools runs tools_for_problem: do not pay the budget four times
            res["ox"]["find_tools"][text] = {"over": over, "skipped": True}
            continue
        res["ox"]["find_tools"][text] = _timed(ox, ("find_tools", text), args.repeat, f"find_tools {text!r}")
        over = res["ox"]["find_tools"][text].get("over")


def run_size(size: int, args, workdir: Path) -> dict:
    label = _size_label(size)
    print(f"\n== {label} triples ==", file=sys.stderr, flush=True)
    path = workdir / f"synthetic-{label}-seed{args.seed}.nt"
    t0 = time.perf_counter()
    info = synthetic.generate(size, path, seed=args.seed)
    gen_s = time.perf_counter() - t0
    print(f"  generated {info['triples']:,} triples in {gen_s:.1f} s -> {path}", file=sys.stderr, flush=True)
    res = {"size": size, "label": label, "generated": info, "generate_s": gen_s, "ox": {}, "rdflib": {}}

    # ---- Oxigraph: load, search, find_tools, named queries
    ox = Worker(_ox_setup(str(path), args.load_repeat), _ox_handle, args.budget)
    linfo = ox.start()
    ox.setup = _ox_setup(str(path), 1)  # restarts after a kill load once
    res["ox"]["load"] = summarize(linfo["load"])
    res["ox"]["triples"] = linfo["triples"]
    print(f"  oxigraph bulk_load median {linfo['load']} s", file=sys.stderr, flush=True)
    if args.queries:
        res["ox"]["nodes"] = res["ox"]["index"] = res["ox"]["proto_index"] = {}
        for k in ("search", "scan", "find_tools", "proto_search", "proto_find_tools"):
            res["ox"][k] = {t: {} for t in SEARCHES}
    else:
        _run_search(ox, res, args)
    variants = [v for v in _query_variants(info["bindings"])
                if not args.queries or v[0] in args.queries.split(",")]
    res["queries"] = [{"name": n, "which": w, "bindings": b} for n, w, b in variants]
    res["ox"]["queries"], res["ox"]["proto"] = {}, {}
    for name, which, b in variants:
        key = f"{name}[{which}]" if which else name
        res["ox"]["queries"][key] = _timed(ox, ("query", name, b, "subst"), args.repeat, f"ox {key}")
        if name in prototypes.QUERIES or prototypes.STRATEGY.get(name, "subst") != "subst":
            res["ox"]["proto"][key] = _timed(ox, ("query", name, b, "proto"), args.repeat, f"ox prototype {key}")
    ox.stop()

    # ---- rdflib baseline
    if size <= args.rdflib_max:
        rd = Worker(_rdflib_setup(str(path)), _rdflib_handle, args.budget)
        linfo = rd.start()
        res["rdflib"]["load"] = summarize(linfo["load"])
        print(f"  rdflib parse {linfo['load']} s", file=sys.stderr, flush=True)
        res["rdflib"]["queries"] = {}
        for name, which, b in variants:
            key = f"{name}[{which}]" if which else name
            res["rdflib"]["queries"][key] = _timed(rd, ("query", name, b, "rdflib"), min(args.repeat, 3), f"rdflib {key}")
        res["rdflib"]["worker_starts"] = rd.starts
        rd.stop()
    if not args.keep:
        path.unlink(missing_ok=True)
    return res


def _size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# ------------------------------------------------------------------ report

def report(results: list[dict], meta: dict) -> str:
    out = [f"mlsd benchmarks — {meta['date']} — {meta['machine']} — commit {meta.get('commit', '?')}", ""]
    for r in results:
        ox, rd, lab = r["ox"], r["rdflib"], r["label"]
        out.append(f"### {lab} triples (generated {r['generated']['triples']:,} in {r['generate_s']:.1f} s; "
                   f"Oxigraph holds {ox['triples']:,})\n")
        lo, lr = ox["load"]["median"], (rd.get("load") or {}).get("median")
        rows = [["pyoxigraph Store.bulk_load", f"{lo:.3f}", ox["load"]["n"], f"{ox['triples'] / lo:,.0f}", "1×"]]
        if lr:
            rows.append(["rdflib Graph.parse (nt)", f"{lr:.3f}", rd["load"]["n"], f"{ox['triples'] / lr:,.0f}",
                         fmt_ratio(lr, lo)])
        out += [format_table(["load", "median s", "n", "triples/s", "vs Oxigraph"], rows), ""]

        goal = r["size"] >= 1_000_000
        rows = []
        for q in r["queries"]:
            key = f"{q['name']}[{q['which']}]" if q["which"] else q["name"]
            c = ox["queries"][key]
            m = _median(c)
            v = _median(ox["proto"].get(key))
            rm = _median((rd.get("queries") or {}).get(key)) if rd else None
            res = c.get("result", "")
            rres = ((rd.get("queries") or {}).get(key) or {}).get("result") if rd else None
            if rres is not None and res != "" and rres != res:
                res = f"{res} (rdflib {rres})"
            pres = (ox["proto"].get(key) or {}).get("result")
            if pres is not None and c.get("result") is not None and pres != c["result"]:
                res = f"{res} (prototype {pres})"
            verdict = ""
            if goal:
                verdict = "ok" if isinstance(m, float) and m <= QUERY_GOAL_S else "MISS"
            rows.append([q["name"], q["which"], res if res != "" else "–", fmt_ms(m),
                         fmt_ms(c.get("p95", c.get("max"))), fmt_ms(rm) if rd else "skipped",
                         fmt_ratio(rm, m) if rd else "–", fmt_ms(v) if v is not None else "",
                         fmt_ratio(m, v) if v is not None else "", verdict])
        out += [format_table(["named query", "input", "rows", "Oxigraph ms", "p95/max", "rdflib ms", "rdflib/Ox",
                              "proto ms", "speed-up", "≤100 ms @1M" if goal else ""], rows,
                             align="llrrrrrrrl"), ""]

        n_nodes = ox["nodes"].get("result")
        idx = ox["index"].get("result") or {}
        out.append(f"Search: node table (kg.nodes: node_index query + dict) {_with_unit(_median(ox['nodes']))} "
                   f"({n_nodes} nodes); SearchIndex build {_with_unit(_median(ox['index']))} "
                   f"({idx.get('terms')} terms, {idx.get('names')} names)\n")
        rows = []
        for text in SEARCHES:
            s, sc = ox["search"][text], ox["scan"][text]
            ps = ox.get("proto_search", {}).get(text, {})
            m = _median(s)
            verdict = ("ok" if isinstance(m, float) and m <= SEARCH_GOAL_S else "MISS") if goal else ""
            top = s["result"][0] if s.get("result") else "–"
            same = ""
            if ps.get("result") is not None and s.get("result") is not None:
                same = "same" if ps["result"] == s["result"] else (
                    f"{sum(a == b for a, b in zip(ps['result'], s['result']))}/{len(s['result'])} same")
            rows.append([repr(text), top, fmt_ms(m), fmt_ms(s.get("p95", s.get("max"))), fmt_ms(_median(sc)),
                         fmt_ratio(_median(sc), m), verdict, fmt_ms(_median(ps)), fmt_ms(ps.get("p95")), same])
        out += [format_table(["search text", "top hit", "search ms", "p95", "SPARQL scan ms", "scan/search",
                              "≤20 ms @1M" if goal else "", "prototype ms", "p95", "top 10 vs search"], rows,
                             align="llrrrrlrrl"), ""]
        out.append(f"Prototype VectorSearch build: {_with_unit(_median(ox.get('proto_index')))} on top of the index.\n")
        rows = []
        for text in SEARCHES:
            ft, pf = ox["find_tools"][text], ox.get("proto_find_tools", {}).get(text, {})
            m = _median(ft)
            if ft.get("skipped"):
                m = f"{ft['over']} (not run: the previous one was)"
            rows.append([repr(text), fmt_ms(m), fmt_ms(ft.get("p95", ft.get("max"))),
                         (ft.get("result") or {}).get("tools", "–"), fmt_ms(_median(pf)),
                         fmt_ms(pf.get("p95", pf.get("max"))), (pf.get("result") or {}).get("tools", "–"),
                         fmt_ratio(_median(ft), _median(pf))])
        out += [format_table(["find_tools text", "ms", "p95/max", "tools", "prototype ms", "p95/max", "tools",
                              "speed-up"], rows, align="lrrrrrrr"), ""]
    if len(results) > 1:
        out += summary(results)
    return "\n".join(out)


def summary(results: list[dict]) -> list[str]:
    """Tables across sizes: named queries, search, find_tools and loading (medians, ms)."""
    out = ["### Across sizes (medians in ms; rdflib at the largest size it ran; prototype at the largest size)\n"]
    labels = [r["label"] for r in results]
    big = results[-1]
    rd_runs = [r for r in results if r["rdflib"].get("queries")]
    rd = rd_runs[-1] if rd_runs else None
    at_goal = big["size"] >= 1_000_000

    def verdict(v):
        return ("ok" if isinstance(v, float) and v <= QUERY_GOAL_S else "MISS") if at_goal else ""

    head = ["named query", *[f"Ox {lab}" for lab in labels]]
    if rd:
        head += [f"rdflib {rd['label']}", f"rdflib/Ox {rd['label']}"]
    head += [f"prototype {big['label']}", f"≤100 ms @{big['label']}: now / prototype"]
    rows = []
    for key in big["ox"]["queries"]:
        row = [key, *(fmt_ms(_median(r["ox"]["queries"].get(key))) for r in results)]
        if rd:
            rm, om = _median(rd["rdflib"]["queries"].get(key)), _median(rd["ox"]["queries"].get(key))
            row += [fmt_ms(rm), fmt_ratio(rm, om)]
        now, proto = _median(big["ox"]["queries"][key]), _median(big["ox"]["proto"].get(key))
        row += [fmt_ms(proto) if proto is not None else "",
                verdict(now) + (f" / {verdict(proto)}" if proto is not None and at_goal else "")]
        rows.append(row)
    out += [format_table(head, rows, align="l" + "r" * (len(head) - 2) + "l"), ""]
    if all(r["ox"].get("search") and any(r["ox"]["search"].values()) for r in results):
        head = ["search text", *[f"search {lab}" for lab in labels], f"SPARQL scan {big['label']}",
                f"prototype {big['label']}", f"≤20 ms @{big['label']}: now / prototype"]
        rows = []
        for text in SEARCHES:
            now = _median(big["ox"]["search"][text])
            proto = _median(big["ox"]["proto_search"].get(text))
            ok = lambda v: ("ok" if isinstance(v, float) and v <= SEARCH_GOAL_S else "MISS") if at_goal else ""  # noqa: E731
            rows.append([repr(text), *(fmt_ms(_median(r["ox"]["search"][text])) for r in results),
                         fmt_ms(_median(big["ox"]["scan"][text])), fmt_ms(proto),
                         f"{ok(now)} / {ok(proto)}" if at_goal else ""])
        rows.append(["build: node table", *(_with_unit(_median(r["ox"]["nodes"])) for r in results), "", "", ""])
        rows.append(["build: SearchIndex", *(_with_unit(_median(r["ox"]["index"])) for r in results), "",
                     "+" + _with_unit(_median(big["ox"]["proto_index"])), ""])
        out += [format_table(head, rows, align="l" + "r" * (len(head) - 2) + "l"), ""]
        head = ["find_tools text", *[f"{lab}" for lab in labels], *[f"prototype {lab}" for lab in labels]]
        rows = []
        for text in SEARCHES:
            rows.append([repr(text), *(fmt_ms(_median(r["ox"]["find_tools"][text]))
                                       + ("*" if r["ox"]["find_tools"][text].get("skipped") else "") for r in results),
                         *(fmt_ms(_median(r["ox"]["proto_find_tools"].get(text))) for r in results)])
        out += [format_table(head, rows), ""]
        if any(c.get("skipped") for r in results for c in r["ox"]["find_tools"].values()):
            out += ["\\* not run: an earlier find_tools at that size was over budget (each runs tools_for_problem).", ""]
    head = ["load (s)", *labels]
    rows = [["pyoxigraph Store.bulk_load", *(f"{r['ox']['load']['median']:.2f}" for r in results)],
            ["rdflib Graph.parse", *(f"{r['rdflib']['load']['median']:.2f}" if r["rdflib"].get("load") else "skipped"
                                     for r in results)]]
    out += [format_table(head, rows), ""]
    return out


def _with_unit(seconds) -> str:
    text = fmt_ms(seconds)
    return text if text.endswith(" s") or text == "–" or text.startswith(">") else f"{text} ms"


def _git_head() -> str:
    import subprocess
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "graph"], cwd=root, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return head + (" (graph/ modified)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    import pyoxigraph
    import rapidfuzz
    import rdflib
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
            "rdflib": rdflib.__version__, "rapidfuzz": rapidfuzz.__version__, "platform": platform.platform()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time loading, named queries, search and find_tools on synthetic graphs.")
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes in triples (default 10k,100k,1M)")
    ap.add_argument("--quick", action="store_true", help="only 10k and 100k")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs after the warm-up (default 7)")
    ap.add_argument("--load-repeat", type=int, default=3, help="timed Oxigraph loads per size (default 3)")
    ap.add_argument("--budget", type=float, default=30.0, help="seconds one execution may take (default 30)")
    ap.add_argument("--rdflib-max", default="100k", help="largest size timed on rdflib (default 100k)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", help="only these named queries (comma-separated); skips search and find_tools")
    ap.add_argument("--json", metavar="OUT", help="also write all measurements as JSON")
    ap.add_argument("--report-from", metavar="JSON", help="print the tables of a saved --json run and exit")
    ap.add_argument("--workdir", help="where to write the generated graphs (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated N-Triples files")
    args = ap.parse_args(argv)
    if args.report_from:
        try:
            saved = json.loads(Path(args.report_from).read_text())
        except (OSError, ValueError) as exc:
            ap.error(f"cannot read {args.report_from}: {exc}")
        print(report(saved["results"], saved["meta"]))
        return 0
    try:
        sizes = [synthetic.parse_size(s) for s in ("10k,100k" if args.quick else args.sizes).split(",") if s.strip()]
        args.rdflib_max = synthetic.parse_size(args.rdflib_max)
    except ValueError as exc:
        ap.error(str(exc))
    if args.repeat < 1 or args.budget <= 0:
        ap.error("--repeat must be at least 1 and --budget positive")
    m = machine()
    meta = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{m['nproc']} cores, Python {m['python']}, pyoxigraph {m['pyoxigraph']}, "
                       f"rdflib {m['rdflib']}, rapidfuzz {m['rapidfuzz']}", "details": m,
            "args": {k: v for k, v in vars(args).items()}, "loadavg_start": os.getloadavg(),
            "commit": _git_head()}
    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="mlsd-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            results.append(run_size(size, args, workdir))
            print(report(results[-1:], meta), flush=True)
    meta["total_s"] = round(time.perf_counter() - t0, 1)
    meta["loadavg_end"] = os.getloadavg()
    if len(results) > 1:
        print("\n".join(summary(results)))
    print(f"total {meta['total_s']} s; load average at start {meta['loadavg_start'][0]:.1f}, "
          f"at end {meta['loadavg_end'][0]:.1f} (other work on the machine inflates the times)")
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
