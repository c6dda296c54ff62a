"""The ``mlsd`` command line.

Exit codes: 0 success; 1 invalid data (or ``lint --strict`` findings); 2 usage error;
3 query error; 4 nothing matches; 5 export or file error; 6 any other mlsd error;
7 a remote SPARQL store failed (unreachable, refused, not SPARQL).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlsd.graph.errors import DataError, ExportError, MlsdError, NotFoundError, QueryError, RemoteError, ShapeError

__all__ = ["main", "build_parser", "EXIT_CODES"]

EXIT_CODES = {DataError: 1, ShapeError: 1, QueryError: 3, NotFoundError: 4, ExportError: 5, RemoteError: 7,
              MlsdError: 6}


def _kg(args):
    if getattr(args, "store_url", None):
        from mlsd.app.commands import open_kg
        return open_kg(args)
    from mlsd.graph.store import load_knowledge_graph
    return load_knowledge_graph(args.data, cache=not args.no_cache)


def _emit(args, data, text_lines) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(text_lines))


def cmd_validate(args) -> int:
    from mlsd.graph.build import load_graph
    from mlsd.graph.validate import validate_graph
    g = load_graph(args.data)
    results = validate_graph(g)
    if results:
        raise ShapeError(results)
    if not args.quiet:
        print(f"valid: {len(g)} triples, structure, references and SHACL shapes all pass")
    return 0


def cmd_stats(args) -> int:
    from mlsd.graph.stats import compute_stats
    st = compute_stats(_kg(args))
    lines = [f"triples: {st['triples']}", "", "nodes by class:"]
    lines += [f"  {k:<18} {v:>5}" for k, v in st["classes"].items()]
    lines += ["", "edges by property:"] + [f"  {k:<18} {v:>5}" for k, v in st["properties"].items()]
    for table in ("concepts_per_chapter", "tools_per_category", "tools_per_stage", "problems_per_stage"):
        lines += ["", table.replace("_", " ") + ":"] + [f"  {r['count']:>5}  {r['label']}" for r in st[table]]
    _emit(args, st, lines)
    return 0


def cmd_search(args) -> int:
    kg = _kg(args)
    hits = kg.search_index.search(args.text, kinds=args.type or None, limit=args.limit)
    if not hits:
        raise NotFoundError(f"nothing matches `{args.text}`; try fewer or other words")
    for h in hits:
        h.pop("ref", None)
    _emit(args, {"query": args.text, "results": hits},
          [f"{h['score']:.2f}  {h['type']:<10} {h['label']}  [{h['id']}]  ({h['matched']})" for h in hits])
    return 0


def _chain(ev: list[str]) -> str:
    parts = [ev[0]]
    for i in range(1, len(ev) - 1, 2):
        parts.append(f"-{ev[i]}-> {ev[i + 1]}")
    return " ".join(parts)


def cmd_find_tools(args) -> int:
    from mlsd.graph.find import find_tools
    res = find_tools(_kg(args), args.text, limit=args.limit)
    if not res["matches"]:
        raise NotFoundError(f"no problem or technique matches `{args.text}`; try `mlsd search`")
    lines = [f'What "{args.text}" matches:']
    lines += [f"  {m['type']:<9} {m['label']}  ({m['score']:.2f}, {m['matched']})" for m in res["matches"]]
    lines += ["", "Tools, best first:" if res["tools"] else "No tool in the graph addresses it yet."]
    for i, t in enumerate(res["tools"], 1):
        lines.append(f"  {i:>2}. {t['label']}  (score {t['score']:.2f})")
        lines += [f"        why: {_chain(ev)}" for ev in t["evidence"][:3]]
    if res["read"]:
        lines += ["", "Read in the book:"] + [f"  chapter {r['chapter']}, {r['section']}, p. {r['page']}" for r in res["read"]]
    _emit(args, res, lines)
    return 0


def cmd_where(args) -> int:
    from mlsd.graph.find import find_locations
    res = find_locations(_kg(args), args.text)
    if not res["matches"]:
        raise NotFoundError(f"nothing matches `{args.text}`; try `mlsd search`")
    lines = [f"{m['label']} ({m['type']})" for m in res["matches"][:1]]
    if not res["locations"]:
        lines.append("  the book does not discuss it in a section we have linked")
    lines += [f"  chapter {loc['chapter']} ({loc['chapter_title']}), {loc['section_number']} {loc['section']}, "
              f"p. {loc['page']}  [{loc['concept']}]" for loc in res["locations"]]
    _emit(args, res, lines)
    return 0


def cmd_path(args) -> int:
    from mlsd.graph.network import find_path
    steps = find_path(_kg(args), args.a, args.b)
    lines = [f"{s['source_label']} --{s['predicate']}--> {s['target_label']}" for s in steps]
    _emit(args, {"from": args.a, "to": args.b, "steps": steps}, lines or ["(the same node)"])
    return 0


def cmd_neighbors(args) -> int:
    from mlsd.graph.network import find_neighbors
    res = find_neighbors(_kg(args), args.node, limit=args.limit)
    lines = [f"{res['label']} [{res['node']}]"]
    for n in res["neighbors"]:
        arrow = f"--{n['predicate']}-->" if n["direction"] == "out" else f"<--{n['predicate']}--"
        lines.append(f"  {arrow} {n['label']}  ({n['type']})")
    if res["more"]:
        lines.append(f"  ... +{res['more']} more (raise --limit)")
    _emit(args, res, lines)
    return 0


def cmd_show(args) -> int:
    from mlsd.graph.find import describe_node
    d = describe_node(_kg(args), args.node)
    lines = [f"{d['label']}  ({d['kind']}, {d['id']})"]
    if d["synonyms"]:
        lines.append(f"  also called: {', '.join(d['synonyms'])}")
    for p, vals in sorted(d["properties"].items()):
        shown = [v["label"] or v["id"] if isinstance(v, dict) else str(v) for v in vals]
        lines.append(f"  {p}: {'; '.join(shown)}")
    _emit(args, d, lines)
    return 0


def _query_text(arg: str) -> str:
    """The query itself, or the contents of the file it names."""
    try:
        is_file = Path(arg).is_file()
    except (OSError, ValueError):  # query text too long or odd to be a path
        is_file = False
    if not is_file:
        return arg
    try:
        return Path(arg).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"cannot read {arg}: it is not UTF-8 text") from None
    except OSError as exc:
        raise ExportError(f"cannot read {arg}: {exc.strerror}") from None


def cmd_query(args) -> int:
    from mlsd.graph.guard import check_query
    from mlsd.graph.results import format_results
    text = _query_text(args.sparql)
    kg = _kg(args)
    if not getattr(args, "store_url", None):  # a remote store applies its own policy
        check_query(text, kg)  # the same refusals as the endpoint: nothing is fetched from elsewhere
    sys.stdout.write(format_results(kg, kg.sparql(text), args.format))
    return 0


def cmd_export(args) -> int:
    from mlsd.graph.export import export_graph
    kg = _kg(args)
    data = export_graph(kg, args.format, focus=args.focus, depth=args.depth, path=args.output)
    print(f"wrote {args.output} ({len(data):,} bytes, {args.format})", file=sys.stderr)
    return 0


def cmd_lint(args) -> int:
    from mlsd.graph.lint import lint_graph
    report = lint_graph(_kg(args))
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for level in ("error", "info"):
            for f in report[level + "s"]:
                print(f"{level}: {f['rule']}: {f['item']}: {f['message']}")
        print(f"{len(report['errors'])} error(s), {len(report['infos'])} info(s)")
    return 1 if (args.strict and report["errors"]) else 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlsd", description="Explore production-ML design knowledge: problems, "
                                "where the book explains them, and the tools that deal with them.",
                                epilog="Exit codes: 0 ok, 1 invalid data, 2 usage, 3 query error, 4 no match, "
                                "5 export/file error, 6 other error, 7 remote store error.")
    p.add_argument("--data", metavar="PATH", help="data folder or file (default: the shipped knowledge base)")
    p.add_argument("--no-cache", action="store_true", help="rebuild the graph instead of using the cache")
    p.add_argument("--store", dest="store_url", metavar="URL",
                   help="query the graph in this remote SPARQL endpoint instead of the embedded store "
                   "(credentials from MLSD_STORE_USER / MLSD_STORE_PASSWORD)")
    p.add_argument("--store-graph", metavar="IRI", action="append",
                   help="named graph(s) holding the data in the remote store (default: the one `mlsd push` "
                   "writes; `default` for the endpoint's default graph)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, fn, help, json_flag=True):
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(func=fn)
        if json_flag:
            sp.add_argument("--json", action="store_true", help="print JSON (a stable contract for scripts)")
        return sp

    sp = add("validate", cmd_validate, "check the data: structure, references, SHACL shapes", json_flag=False)
    sp.add_argument("-q", "--quiet", action="store_true")
    add("stats", cmd_stats, "counts by class and property, and coverage")
    sp = add("search", cmd_search, "search labels, synonyms and definitions")
    sp.add_argument("text")
    sp.add_argument("--type", action="append", help="only this kind (repeatable): problem, technique, tool, ...")
    sp.add_argument("--limit", type=_positive_int, default=10)
    sp = add("find-tools", cmd_find_tools, "tools for a problem described in your own words, with the why")
    sp.add_argument("text")
    sp.add_argument("--limit", type=_positive_int, default=15)
    sp = add("where", cmd_where, "where the book discusses a concept (chapter, section, page)")
    sp.add_argument("text")
    sp = add("path", cmd_path, "the most informative path between two nodes")
    sp.add_argument("a")
    sp.add_argument("b")
    sp = add("neighbors", cmd_neighbors, "the direct neighbours of a node")
    sp.add_argument("node")
    sp.add_argument("--limit", type=_positive_int, default=50)
    sp = add("show", cmd_show, "everything the graph says about one node")
    sp.add_argument("node")
    sp = add("query", cmd_query, "run a SPARQL query (text or file) on the graph", json_flag=False)
    sp.add_argument("sparql", metavar="SPARQL_OR_FILE")
    sp.add_argument("--format", choices=("table", "json", "csv", "tsv", "ttl", "nt"), default="table")
    sp = add("export", cmd_export, "export the graph or a neighbourhood", json_flag=False)
    sp.add_argument("--format", required=True, choices=("ttl", "jsonld", "nt", "graphml", "gexf", "html"))
    sp.add_argument("--focus", help="export only the neighbourhood of this node")
    sp.add_argument("--depth", type=_positive_int, default=1)
    sp.add_argument("-o", "--output", required=True, metavar="FILE")
    sp = add("lint", cmd_lint, "report gaps in the knowledge base (errors and information)")
    sp.add_argument("--strict", action="store_true", help="exit 1 when there are errors")
    _add_app_commands(sub)
    return p


def _add_app_commands(sub) -> None:
    """Commands that need the app extras register here, imported lazily."""
    try:
        from mlsd.app.commands import register
    except ImportError:
        return
    register(sub)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MlsdError as exc:
        print(f"mlsd: error: {exc}", file=sys.stderr)
        return next(code for cls, code in EXIT_CODES.items() if isinstance(exc, cls))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
