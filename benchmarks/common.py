"""Shared helpers of the benchmarks: statistics, tables, and the timed worker process.

Every timed operation runs in a worker process (one per engine and graph) so that a runaway
query can be stopped: neither Oxigraph nor rdflib can be interrupted from inside, so the parent
waits for each execution at most ``budget`` seconds and kills the worker when it is exceeded.
"""
from __future__ import annotations

import multiprocessing as mp
import re
import statistics
import time

__all__ = ["summarize", "format_table", "fmt_ms", "fmt_ratio", "Worker", "BudgetExceeded", "input_variables",
           "with_values"]

_CTX = mp.get_context("fork")

#: After the warm-up, keep timing until at least this many samples and this much time.
MIN_TOTAL_S = 0.3
MAX_SAMPLES = 40
#: An execution slower than this is measured once (the warm-up run is the sample).
SLOW_S = 2.0


def summarize(samples: list[float]) -> dict:
    """Median, p95 (nearest rank; only with 20 samples or more), max and count, in seconds."""
    if not samples:
        return {"n": 0}
    s = sorted(samples)
    out = {"n": len(s), "median": statistics.median(s), "max": s[-1], "min": s[0]}
    if len(s) >= 20:
        out["p95"] = s[min(len(s) - 1, int(round(0.95 * len(s) + 0.5)) - 1)]
    return out


def fmt_ms(seconds) -> str:
    if seconds is None:
        return "–"
    if isinstance(seconds, str):
        return seconds
    ms = seconds * 1000
    if ms >= 10_000:
        return f"{seconds:,.1f} s"
    if ms >= 1000:
        return f"{ms:,.0f}"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def fmt_ratio(slow, fast) -> str:
    if isinstance(slow, str) and slow.startswith(">") and isinstance(fast, (int, float)) and fast > 0:
        return f"> {float(slow.split()[1]) / fast:,.0f}×"
    if not isinstance(slow, (int, float)) or not isinstance(fast, (int, float)) or fast <= 0:
        return "–"
    r = slow / fast
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def format_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A Markdown table (readable as plain text too); ``align`` is a string of l/r per column."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(vals):
        return "| " + " | ".join(v.ljust(w) if a == "l" else v.rjust(w) for v, w, a in zip(vals, widths, align)) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2)) for w, a in zip(widths, align)) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])


def input_variables(query: str) -> list[str]:
    """The input variables a named query declares in its header comment (``Input: ?x (IRI)``).

    Examples
    --------
    >>> input_variables("# Tools.\\n# Input: ?problem (IRI). Output: ?tool\\nSELECT ?problem ?tool WHERE {}")
    ['problem']
    >>> input_variables("# No inputs. Output: ?a\\nSELECT ?a WHERE {}")
    []
    """
    header = "\n".join(line for line in query.splitlines() if line.lstrip().startswith("#"))
    m = re.search(r"Inputs?:\s*(.*?)(?:Output|$)", header, flags=re.S | re.I)
    return re.findall(r"\?(\w+)", m.group(1)) if m else []


def with_values(query: str, terms: dict) -> str:
    """Prototype: put bindings into the query as a ``VALUES`` block at the top of the outer WHERE.

    ``terms`` maps variable names to pyoxigraph terms; their ``str()`` is their N-Triples form,
    which is valid SPARQL, so no value text is spliced in unescaped.
    """
    values = " ".join(f"VALUES ?{k} {{ {v} }}" for k, v in terms.items())
    head, sep, tail = query.partition("WHERE {")
    if not sep:
        raise ValueError("query has no `WHERE {`")
    return f"{head}WHERE {{ {values}{tail}"


class BudgetExceeded(Exception):
    pass


class Worker:
    """A child process that owns one engine's copy of the graph and runs timed tasks.

    ``setup()`` runs in the child and returns ``(state, info)``; ``handle(state, task)`` runs one
    execution of a task and returns a result (e.g. a row count). The parent gives every single
    execution at most ``budget`` seconds; on overrun it kills the child (and the next task starts
    a new one).
    """

    def __init__(self, setup, handle, budget: float, startup_budget: float = 600.0):
        self.setup, self.handle, self.budget, self.startup_budget = setup, handle, budget, startup_budget
        self.proc = None
        self.conn = None
        self.info = None
        self.starts = 0

    # -- child side
    @staticmethod
    def _main(conn, setup, handle):
        state, info = setup()
        conn.send(("ready", info))
        while True:
            msg = conn.recv()
            if msg is None:
                return
            task, repeat = msg
            try:
                t0 = time.perf_counter()
                result = handle(state, task)
                first = time.perf_counter() - t0
                conn.send(("sample", first, result))
                if first < SLOW_S:
                    n, total = 0, 0.0
                    while n < repeat or (total < MIN_TOTAL_S and n < MAX_SAMPLES):
                        t0 = time.perf_counter()
                        handle(state, task)
                        dt = time.perf_counter() - t0
                        conn.send(("sample", dt, None))
                        n, total = n + 1, total + dt
                conn.send(("done", None, None))
            except Exception as exc:  # report, keep serving
                conn.send(("error", f"{type(exc).__name__}: {exc}", None))

    # -- parent side
    def start(self):
        parent, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=self._main, args=(child, self.setup, self.handle), daemon=True)
        self.proc.start()
        self.conn = parent
        self.starts += 1
        if not parent.poll(self.startup_budget):
            self.stop()
            raise RuntimeError("worker did not start in time")
        kind, info = parent.recv()
        if self.info is None:
            self.info = info
        return info

    def run(self, task, repeat: int) -> dict:
        """Warm-up plus ``repeat`` timed executions; returns samples (after warm-up) and result.

        Raises :class:`BudgetExceeded` if one execution takes longer than the budget.
        """
        if self.proc is None or not self.proc.is_alive():
            self.start()
        self.conn.send((task, repeat))
        samples, first, result = [], None, None
        while True:
            if not self.conn.poll(self.budget):
                self.kill()
                raise BudgetExceeded(f"> {self.budget:g} s")
            try:
                kind, value, res = self.conn.recv()
            except EOFError:
                self.kill()
                raise RuntimeError("worker died (out of memory?)") from None
            if kind == "sample":
                if first is None:
                    first, result = value, res
                else:
                    samples.append(value)
            elif kind == "done":
                break
            else:
                raise RuntimeError(value)
        # slow tasks are measured once: the warm-up is the sample
        return {"samples": samples or [first], "first": first, "result": result}

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
        self.proc = None

    def stop(self):
        if self.proc is not None and self.proc.is_alive():
            try:
                self.conn.send(None)
                self.proc.join(5)
            except (BrokenPipeError, OSError):
                pass
        self.kill()
