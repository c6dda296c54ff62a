"""The worker process of :mod:`mlsd.graph.executor`: runs one SPARQL request at a time from a pipe.

Started as ``python -m mlsd.graph.worker``, never forked from the threaded server. It imports
nothing of mlsd, limits its own memory (``$MLSD_QUERY_MEMORY_MB``), refuses network sockets with
a seccomp filter where the platform allows, and stops by itself when its parent dies, even in the
middle of a query. Requests and replies are pickled dicts behind an 8-byte length header.
"""
from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
import time

import pyoxigraph as ox

__all__ = ["HEADER", "send_message", "receive_message", "write_snapshot", "NQUADS"]

HEADER = _HEADER = struct.Struct(">Q")
NQUADS = _NQ = ox.RdfFormat.N_QUADS
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

def _literal(t) -> dict:
    if t.language:
        return {"type": "literal", "value": t.value, "xml:lang": t.language}
    dt = t.datatype.value
    return {"type": "literal", "value": t.value} if dt == _XSD_STRING else \
        {"type": "literal", "value": t.value, "datatype": dt}


_CONVERT = {ox.NamedNode: lambda t: {"type": "uri", "value": t.value},
            ox.BlankNode: lambda t: {"type": "bnode", "value": t.value}, ox.Literal: _literal,
            ox.Triple: lambda t: {"type": "triple", "value": {"subject": _term(t.subject),
                                                              "predicate": _term(t.predicate),
                                                              "object": _term(t.object)}}}


def _term(t) -> dict:
    return _CONVERT[type(t)](t)


def _open(path: str):
    """The store of a snapshot: an N-Quads file loaded into memory, or a RocksDB folder read-only."""
    if not path.endswith(".nq"):
        return ox.Store.read_only(path)
    store = ox.Store()
    store.bulk_load(path=path, format=_NQ)
    with open(path + ".graphs", encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            store.add_graph(ox.NamedNode(line))
    return store


def _write_snapshot(store, path: str) -> None:
    """Write ``store`` as ``path`` (N-Quads) and ``path.graphs`` (quad count, then graph names)."""
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}"
    with open(tmp + ".graphs.tmp", "w", encoding="utf-8") as f:
        f.write("\n".join([str(len(store)), *graphs]))
    store.dump(tmp + ".nq.tmp", format=_NQ)
    os.replace(tmp + ".graphs.tmp", path + ".graphs")
    os.replace(tmp + ".nq.tmp", path)


def _execute(store, req: dict) -> dict:
    opts = {"prefixes": req["prefixes"], "base_iri": req.get("base_iri")}
    if req.get("default_graph") is not None:
        opts["default_graph"] = [ox.NamedNode(g) for g in req["default_graph"]]
    if req.get("named_graphs") is not None:
        opts["named_graphs"] = [ox.NamedNode(g) for g in req["named_graphs"]]
    res = store.query(req["query"], **opts)
    cap = req["max_rows"]
    out = {"ok": True, "variables": [], "rows": [], "boolean": None, "triples": [], "truncated": False}
    if isinstance(res, ox.QueryBoolean):
        out.update(kind="ask", boolean=bool(res))
        return out
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        out.update(kind="select", variables=names)
        items, convert = out["rows"], lambda sol: {n: _term(t) for n, t in zip(names, sol) if t is not None}
    else:
        out["kind"] = "graph"
        items, convert = out["triples"], lambda t: (_term(t.subject), _term(t.predicate), _term(t.object))
    for item in res:
        if len(items) == cap:
            out["truncated"] = True
            break
        items.append(convert(item))
    return out


def _install_sandbox() -> bool:
    """Forbid every socket family but AF_UNIX in this process (seccomp-bpf, Linux only)."""
    import ctypes
    import errno
    import platform
    arches = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
    if sys.platform != "linux" or platform.machine() not in arches:
        return False
    audit_arch, nr_socket = arches[platform.machine()]
    ld, jeq, ret = 0x20, 0x15, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, audit_arch), (ret, 0, 0, deny),    # other ABIs (i386): deny
            (ld, 0, 0, 0), (jeq, 1, 0, nr_socket), (jeq, 0, 4, nr_socket | 0x40000000),  # socket(), also x32
            (ld, 0, 0, 16), (jeq, 0, 1, 1), (ret, 0, 0, allow),          # AF_UNIX: allow
            (ret, 0, 0, deny), (ret, 0, 0, allow)]
    buf = b"".join(struct.pack("HBBI", code, jt, jf, k) for code, jt, jf, k in prog)

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    fprog = _Fprog(len(prog), buf)
    return libc.prctl(38, 1, 0, 0, 0) == 0 and libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _recv(stream):
    head = stream.read(_HEADER.size)
    return pickle.loads(stream.read(_HEADER.unpack(head)[0])) if len(head) == _HEADER.size else None


def _worker_main() -> None:
    import resource
    limit = int(os.environ.get("MLSD_QUERY_MEMORY_MB", "2048")) << 20
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sandboxed = _install_sandbox()
    parent = os.getppid()

    def watchdog():  # an orphan stops even mid-query (Oxigraph releases the GIL while it runs)
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    _send(out, {"ok": True, "sandboxed": sandboxed})
    store, opened = None, None
    while (req := _recv(sys.stdin.buffer)) is not None:
        try:
            if req["op"] == "update":
                store = _open(req["path"]) if req["path"].endswith(".nq") else ox.Store(req["path"])
                store.update(req["query"], prefixes=req["prefixes"], base_iri=req.get("base_iri"))
                if req["path"].endswith(".nq"):
                    _write_snapshot(store, req["target"])
                else:
                    store.flush()
                reply = {"ok": True, "kind": "update",
                         "graphs": sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))}
                store = None
            else:
                if opened != (req["path"], req["generation"]):
                    store, opened = _open(req["path"]), (req["path"], req["generation"])
                reply = _execute(store, req)
        except SyntaxError as exc:
            reply = {"ok": False, "error": "syntax", "message": str(exc)}
        except (OSError, ValueError, RuntimeError, TypeError) as exc:
            reply = {"ok": False, "error": "eval", "message": str(exc)}
        _send(out, reply)


#: Public names of the protocol helpers the server side uses.
send_message, receive_message, write_snapshot = _send, _recv, _write_snapshot

if __name__ == "__main__":
    _worker_main()
