"""A private Virtuoso instance for the remote-store tests (and for manual runs and benchmarks).

:func:`start_virtuoso` copies the Debian package's ``virtuoso.ini`` into a temporary folder, points
the database and logs there, makes both servers listen on free loopback ports only, starts
``virtuoso-t``, waits until the SPARQL endpoint answers and replaces the default ``dba`` password.
The pytest fixture ``virtuoso`` starts one instance per test session (however many test modules
import it) and stops it at the end.

Needs the Debian package ``virtuoso-opensource`` (``virtuoso-t`` and ``isql-vt``); without it the
fixture fails with the install command instead of skipping, so CI cannot pass by accident.

Run ``python tests/virtuoso_fixture.py`` to start an instance by hand; it prints the endpoint
and the password and stops on Ctrl-C.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["Virtuoso", "start_virtuoso", "virtuoso", "pushed_store", "INSTALL_HINT"]

STOCK_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
INSTALL_HINT = ("Virtuoso is needed for the remote-store tests: install it with "
                "`sudo apt-get install -y virtuoso-opensource` (Debian/Ubuntu; provides virtuoso-t and isql-vt)")


@dataclass
class Virtuoso:
    """A running private Virtuoso: ``endpoint`` (read), ``update_endpoint`` (digest auth as dba)."""

    folder: Path
    sql_port: int
    http_port: int
    password: str
    process: subprocess.Popen = field(repr=False)
    user: str = "dba"
    remove_folder: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_endpoint(self) -> str:
        return f"{self.base}/sparql-auth"

    def isql(self, sql: str, *, password: str | None = None, timeout: float = 60) -> str:
        """Run SQL through ``isql-vt`` and return its output (raises on failure)."""
        res = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", self.user, password or self.password,
                              f"exec={sql}"], capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0 or "*** Error" in res.stdout + res.stderr:
            raise RuntimeError(f"isql failed: {res.stdout}{res.stderr}")
        return res.stdout

    def stop(self) -> None:
        """Shut the server down (checkpoint and exit), killing it if it does not stop in time."""
        if self.process.poll() is None:
            try:
                subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", self.user, self.password, "-K"],
                               capture_output=True, timeout=30)
                self.process.wait(timeout=30)
            except (subprocess.TimeoutExpired, OSError):
                self.process.kill()
                self.process.wait(timeout=10)
        if self.remove_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_ini(folder: Path, sql_port: int, http_port: int, max_rows: int) -> Path:
    """Rewrite the stock ini: private files, loopback ports, this folder allowed."""
    db = folder / "db"
    db.mkdir()
    values = {
        "Database": {"DatabaseFile": db / "virtuoso.db", "ErrorLogFile": db / "virtuoso.log",
                     "LockFile": db / "virtuoso.lck", "TransactionFile": db / "virtuoso.trx",
                     "xa_persistent_file": db / "virtuoso.pxa"},
        "TempDatabase": {"DatabaseFile": db / "virtuoso-temp.db", "TransactionFile": db / "virtuoso-temp.trx"},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}", "DirsAllowed": f"., {folder}",
                       "NumberOfBuffers": 10000, "MaxDirtyBuffers": 6000},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "SPARQL": {"ResultSetMaxRows": max_rows},
    }
    section, out = "", []
    for line in STOCK_INI.read_text().splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1]
        elif "=" in s and not s.startswith(";"):
            key = s.split("=", 1)[0].strip()
            if key in values.get(section, {}):
                line = f"{key} = {values[section][key]}"
        out.append(line)
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(out) + "\n")
    return ini


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"Virtuoso did not answer at {url} within {timeout:.0f} s")


def start_virtuoso(folder: Path | None = None, *, max_rows: int = 10000, timeout: float = 90) -> Virtuoso:
    """Start a private Virtuoso on free loopback ports and return it once it answers.

    ``max_rows`` is ``[SPARQL] ResultSetMaxRows``; the tests keep the stock 10,000 so that paging
    past the cap is exercised against the real limit. Without ``folder`` a temporary one is made
    and removed again by :meth:`Virtuoso.stop`.
    """
    if not (shutil.which("virtuoso-t") and shutil.which("isql-vt") and STOCK_INI.exists()):
        raise RuntimeError(INSTALL_HINT)
    owned = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="mlsd-virtuoso-"))
    sql_port, http_port = _free_port(), _free_port()
    ini = _write_ini(folder, sql_port, http_port, max_rows)
    proc = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    v = Virtuoso(folder, sql_port, http_port, "dba", proc, remove_folder=owned)
    try:
        _wait_ready(v.endpoint, proc, folder / "db" / "virtuoso.log", timeout)
        password = "t" + secrets.token_hex(8)
        v.isql(f"SET PASSWORD dba {password};")
        v.password = password
    except BaseException:
        v.stop()
        raise
    return v


@pytest.fixture(scope="session")
def virtuoso(request) -> Virtuoso:
    """One private Virtuoso for the whole test session, shared by every module that imports this."""
    key = "_mlsd_virtuoso"
    inst = getattr(request.config, key, None)
    if inst is None:
        try:
            tmp = request.config._tmp_path_factory.mktemp("virtuoso")  # noqa: SLF001
        except AttributeError:
            tmp = None
        try:
            inst = start_virtuoso(tmp)
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        setattr(request.config, key, inst)
        request.config.add_cleanup(inst.stop)
    return inst


@pytest.fixture(scope="session")
def pushed_store(virtuoso, full_kg):
    """The shipped knowledge base pushed into the private Virtuoso; returns the remote graph."""
    from mlsd.graph.push import push_graph
    from mlsd.graph.remote import SparqlEndpoint, load_knowledge_graph_remote
    push_graph(full_kg, SparqlEndpoint(virtuoso.update_endpoint, user="dba", password=virtuoso.password))
    return load_knowledge_graph_remote(virtuoso.endpoint)


if __name__ == "__main__":
    v = start_virtuoso()
    print(f"endpoint {v.endpoint}\nupdate   {v.update_endpoint} (dba / {v.password})\nfolder   {v.folder}",
          flush=True)
    try:
        v.process.wait()
    except KeyboardInterrupt:
        v.stop()
        os._exit(0)
