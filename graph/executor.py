"""Run SPARQL in sandboxed worker processes with a real timeout and a result cap.

Neither rdflib nor Oxigraph can interrupt a query, and Oxigraph runs ``SERVICE``/``LOAD`` from
Rust where no Python hook sees them, so no untrusted query runs in the server process. Measured
on the 2-core dev machine with the shipped graph (12.9k triples; ``benchmarks/endpoint_load.py``):

- the graph is written once to a snapshot under ``default_cache_dir()/stores/``, keyed by its
  fingerprint and loaded named graphs (blank-node labels change at every load, so a dump is no
  stable key) and shared by every process serving the same data. Up to
  ``$MLSD_QUERY_IN_MEMORY_MAX`` quads (500k) it is an N-Quads file each worker loads into memory
  (80 ms); larger graphs become a RocksDB folder opened with ``Store.read_only`` (24 ms). Memory
  wins at our size: a 3-hop join over 200 rows took 0.45 ms in memory, 6.6 ms read-only on disk;
- persistent workers (``python -m mlsd.graph.worker``, spawned, never forked from the threaded
  server) answer over pipes, first come first served; a round trip adds about a millisecond,
  forking a process per query ~10 ms;
- a query past its deadline gets its worker SIGKILLed and reaped before the caller hears of the
  timeout, so no runaway query keeps a core busy; the other workers serve other callers;
- workers run under ``RLIMIT_AS`` (``$MLSD_QUERY_MEMORY_MB``, 2048) and, on Linux x86-64/arm64, a
  seccomp filter refusing every socket but AF_UNIX: a ``SERVICE`` that slipped past
  :mod:`mlsd.graph.guard` still could not connect anywhere;
- updates (``allow_update`` only) run in a short-lived writer while queries wait, into a private
  copy (the shared snapshot stays pristine); a writer killed on timeout changes nothing.
"""
from __future__ import annotations

import collections
import os
import pickle
import select
import subprocess
import sys
import threading
import time

import pyoxigraph as ox

__all__ = ["QueryPool", "get_pool", "close_pools", "materialise_store", "pool_size"]

from .worker import HEADER as _HEADER
from .worker import NQUADS as _NQ
from .worker import send_message as _send
from .worker import write_snapshot as _write_snapshot


# ---------------------------------------------------------------- server side

def pool_size() -> int:
    """Workers per pool: ``$MLSD_QUERY_WORKERS``, else the core count clamped to 2..4."""
    env = os.environ.get("MLSD_QUERY_WORKERS")
    return max(1, int(env)) if env else max(2, min(4, os.cpu_count() or 2))


def _store_key(kg) -> str:
    import hashlib
    if kg.fingerprint:
        extra = repr(getattr(kg, "loaded_graphs", [])).encode()
        return hashlib.sha256(kg.fingerprint.encode() + extra).hexdigest()[:24]
    return "d" + hashlib.sha256(kg.store.dump(format=_NQ)).hexdigest()[:23]


def materialise_store(kg, cache_dir=None):
    """The path of the snapshot of ``kg.store`` under ``cache_dir/stores`` (written unless one with
    the same key and quad count exists); snapshots unused for 30 days are removed."""
    import shutil
    import tempfile
    from pathlib import Path

    from .store import default_cache_dir
    root = Path(cache_dir or default_cache_dir()) / "stores"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: a private temporary folder
        root = Path(tempfile.mkdtemp(prefix="mlsd-stores-"))
    count, key = len(kg.store), _store_key(kg)
    in_memory = count <= int(os.environ.get("MLSD_QUERY_IN_MEMORY_MAX", "500000"))
    path = root / (f"snapshot-{key}-{count}.nq" if in_memory else f"oxigraph-{key}-{count}")
    marker = Path(f"{path}.graphs") if in_memory else path / "MLSD_COMPLETE"
    now = time.time()
    for old in root.iterdir():
        try:
            stale = 86400 if old.name.startswith(".") or old.name.endswith(".tmp") else 30 * 86400
            if now - old.stat().st_mtime > stale:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
        except OSError:  # removed meanwhile by another process
            pass
    if marker.exists() and path.exists():
        for p in (path, marker):
            os.utime(p)
        return path
    if in_memory:
        _write_snapshot(kg.store, str(path))
        return path
    tmp = root / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    disk = ox.Store(str(tmp))
    disk.bulk_load(kg.store.dump(format=_NQ), format=_NQ)
    for g in kg.store.named_graphs():
        disk.add_graph(g)
    disk.flush()
    del disk
    (tmp / "MLSD_COMPLETE").write_text(str(count))
    try:
        tmp.rename(path)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return path


class _Worker:
    def __init__(self):
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # fewer 64 MB malloc arenas under RLIMIT_AS
        self.proc = subprocess.Popen([sys.executable, "-m", "mlsd.graph.worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        self.pid = self.proc.pid
        if not self.request(None, time.monotonic() + 30):
            self.kill()
            raise OSError(f"a query worker did not start (exit status {self.proc.returncode})")

    def request(self, msg, deadline: float):
        """Send ``msg`` (None: only read) and return the reply; None if the deadline passed or the worker died."""
        if msg is not None:
            try:
                _send(self.proc.stdin, msg)
            except OSError:
                return None
        fd, buf, need = self.proc.stdout.fileno(), bytearray(), _HEADER.size
        while len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, max(65536, need - len(buf)))
            if not chunk:
                return None
            buf += chunk
            if need == _HEADER.size and len(buf) >= need:
                need += _HEADER.unpack(bytes(buf[:_HEADER.size]))[0]
        return pickle.loads(bytes(buf[_HEADER.size:need]))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:  # unflushed bytes to a dead process
                pass


class QueryPool:
    """Worker processes answering queries on one snapshot (see the module docstring)."""

    def __init__(self, path, graphs, size: int | None = None, rebuild=None):
        self.path, self._rebuild = str(path), rebuild
        self.graphs, self.size = set(graphs), size or pool_size()
        self.generation, self.private, self.last_pids = 0, None, []
        self._idle: list[_Worker] = []
        self._live = self._readers = 0
        self._writing = self._closed = False
        self._queue: collections.deque = collections.deque()  # waiting callers, first come first served
        self._cond = threading.Condition()

    def _acquire(self, deadline: float) -> _Worker:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while not (self._queue[0] is ticket and not self._writing and not self._closed
                           and (self._idle or self._live < self.size)):
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        raise TimeoutError("busy")
                    self._cond.wait(left)
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()
            self._readers += 1
            if self._idle:
                return self._idle.pop()
            self._live += 1
            if self._rebuild and not self.private and not os.path.exists(self.path):
                self.path = str(self._rebuild())  # removed by another process
        try:
            return _Worker()
        except BaseException:
            self._release(None, False)
            raise

    def _release(self, worker: _Worker | None, ok: bool) -> None:
        if worker is not None and (not ok or self._closed):
            worker.kill()
        with self._cond:
            self._readers -= 1
            if ok and not self._closed:
                self._idle.append(worker)
            else:
                self._live -= 1
            self._cond.notify_all()

    def prestart(self) -> None:
        """Start the workers now, in the background, so the first queries need not wait for them."""
        def start():
            with self._cond:
                if self._closed or self._writing or self._live >= self.size:
                    return
                self._live += 1
                self._readers += 1
            try:
                worker = _Worker()
            except OSError:
                return self._release(None, False)
            ok = worker.request({"op": "query", "query": "ASK {}", "prefixes": {}, "max_rows": 1, "path": self.path,
                                 "generation": self.generation}, time.monotonic() + 60) is not None
            self._release(worker, ok)
        for _ in range(self.size):
            threading.Thread(target=start, daemon=True, name="mlsd-prestart").start()

    def run(self, request: dict, timeout: float) -> dict:
        """Run a query request; the reply, or ``{"ok": False, "error": "timeout"|"busy"|"crash"}``."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._acquire(deadline)
        except TimeoutError:
            return {"ok": False, "error": "busy", "message": f"all {self.size} query workers stayed busy"}
        except OSError as exc:
            return {"ok": False, "error": "crash", "message": str(exc)}
        self.last_pids = [*self.last_pids[-19:], worker.pid]
        reply = worker.request({**request, "op": "query", "path": self.path, "generation": self.generation}, deadline)
        if reply is None:  # the deadline passed, or the worker died (then before the deadline)
            crashed = worker.proc.poll() is not None or time.monotonic() < deadline - 0.05
            self._release(worker, False)
            return {"ok": False, "error": "crash" if crashed else "timeout", "pid": worker.pid}
        self._release(worker, True)
        return reply

    def update(self, request: dict, timeout: float) -> dict:
        """Run an update in a writer process while queries wait; its result is the pool's store."""
        import shutil
        import tempfile
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._writing and deadline > time.monotonic():  # one update at a time
                self._cond.wait(deadline - time.monotonic())
            busy, self._writing = self._writing, True  # from now on, new queries wait
            while not busy and self._readers and deadline > time.monotonic():
                self._cond.wait(deadline - time.monotonic())
            if busy or self._readers:
                self._writing = busy
                self._cond.notify_all()
                return {"ok": False, "error": "busy", "message": "queries or updates kept the store busy"}
        writer = None
        try:
            for w in self._idle:  # no reader may hold a RocksDB store while it is written
                w.kill()
            self._idle = []
            if self.private is None:
                self.private = tempfile.mkdtemp(prefix="mlsd-rw-")
                if not self.path.endswith(".nq"):
                    shutil.copytree(self.path, os.path.join(self.private, "store"))
                    self.path = os.path.join(self.private, "store")
            target = os.path.join(self.private, f"gen{self.generation + 1}.nq")
            writer = _Worker()
            reply = writer.request({**request, "op": "update", "path": self.path, "target": target}, deadline)
            if reply is None:
                return {"ok": False, "error": "timeout", "pid": writer.pid}
            if reply.get("ok"):
                self.graphs = set(reply["graphs"])
                self.path = target if self.path.endswith(".nq") else self.path
            return reply
        finally:
            if writer is not None:
                writer.kill()
            with self._cond:
                self.generation += 1
                self._live, self._writing = 0, False
                self._cond.notify_all()

    def close(self) -> None:
        """Kill every worker and remove the private store."""
        import shutil
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            w.kill()
        if self.private:
            shutil.rmtree(self.private, ignore_errors=True)


_POOLS: dict[tuple[int, int], QueryPool] = {}
_POOLS_LOCK = threading.Lock()


def get_pool(kg) -> QueryPool:
    """The pool serving ``kg`` in this process (created, and its snapshot written, on first use)."""
    import weakref
    key = (id(kg), os.getpid())
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            graphs = [g.value for g in kg.store.named_graphs() if isinstance(g, ox.NamedNode)]
            ref = weakref.ref(kg)
            pool = _POOLS[key] = QueryPool(materialise_store(kg), graphs, rebuild=lambda: materialise_store(ref()))
            weakref.finalize(kg, _drop_pool, key)
        return pool


def _drop_pool(key) -> None:
    with _POOLS_LOCK:
        pool = _POOLS.pop(key, None)
    if pool is not None:
        pool.close()


def close_pools() -> None:
    """Close every pool of this process (also run at exit)."""
    for key in list(_POOLS):
        if key[1] == os.getpid():
            _drop_pool(key)


import atexit  # noqa: E402

atexit.register(close_pools)
